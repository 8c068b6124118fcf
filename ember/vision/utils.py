"""``torchvision.utils``: ``make_grid`` (tile a batch of images into one) and ``save_image``."""
import math
import pathlib

import numpy as np
from PIL import Image

from ember import _backend
from ember._tensor import Tensor

__all__ = ["make_grid", "save_image"]


def _array(t):
    return _backend.to_device(t.detach()._data, "cpu")


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False, pad_value=0.0,
              **kwargs):
    """Tile a (B, C, H, W) batch (or a list of CHW images) into one (C, H', W') image, ``nrow`` per row.

    1-channel images become 3-channel (as torchvision does, so the grid can be
    shown as RGB); ``normalize`` rescales to [0, 1] using ``value_range``
    (default: the min and max, of each image when ``scale_each``).
    """
    if "range" in kwargs:      # torchvision's pre-0.10 spelling
        value_range = kwargs.pop("range")
    if kwargs:
        raise TypeError(f"make_grid() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if not isinstance(tensor, Tensor):
        if isinstance(tensor, list):
            for t in tensor:
                if not isinstance(t, Tensor):
                    raise TypeError(f"tensor or list of tensors expected, got a list containing {type(t)}")
        else:
            raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if isinstance(tensor, list):
        shapes = {tuple(t.shape) for t in tensor}
        if len(shapes) > 1:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(tensor[0].shape)} at "
                               f"entry 0 and {list(next(t.shape for t in tensor if tuple(t.shape) != tuple(tensor[0].shape)))} "
                               "at a later entry; make_grid needs images of one size (add a Resize/CenterCrop)")
        a = np.stack([_array(t) for t in tensor])
    else:
        a = _array(tensor)
    if a.ndim == 2:
        a = a[None]
    if a.ndim == 3:
        if a.shape[0] == 1:
            a = np.concatenate((a, a, a), 0)
        a = a[None]
    if a.ndim == 4 and a.shape[1] == 1:
        a = np.concatenate((a, a, a), 1)
    if a.ndim != 4:
        raise ValueError(f"make_grid expects a 2-, 3- or 4-dimensional tensor (B, C, H, W), got {a.ndim} dimensions")

    if normalize is True:
        a = a.copy()
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")

        def norm_range(img):
            low, high = value_range if value_range is not None else (float(img.min()), float(img.max()))
            np.clip(img, low, high, out=img)
            img -= low
            img /= max(high - low, 1e-5)
        if scale_each is True:
            for img in a:
                norm_range(img)
        else:
            norm_range(a)

    if a.shape[0] == 1:
        return Tensor._wrap(np.ascontiguousarray(a[0]))
    nmaps = a.shape[0]
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = int(a.shape[2] + padding), int(a.shape[3] + padding)
    grid = np.full((a.shape[1], height * ymaps + padding, width * xmaps + padding), pad_value, dtype=a.dtype)
    k = 0
    for y in range(ymaps):
        for x in range(xmaps):
            if k >= nmaps:
                break
            grid[:, y * height + padding:(y + 1) * height, x * width + padding:(x + 1) * width] = a[k]
            k += 1
    return Tensor._wrap(grid)


def save_image(tensor, fp, format=None, **kwargs):
    """Save a tensor (or a batch, tiled with ``make_grid(**kwargs)``) as an image file; values in [0, 1]."""
    grid = _array(make_grid(tensor, **kwargs))
    if grid.dtype.kind != "f":
        grid = grid.astype(np.float32)
    one = grid.dtype.type
    # the same float arithmetic as torchvision (mul(255).add_(0.5) in the tensor's dtype), then truncation
    ndarr = np.clip(grid * one(255) + one(0.5), 0, 255).astype(np.uint8).transpose(1, 2, 0)
    if ndarr.shape[2] == 1:
        ndarr = ndarr[:, :, 0]
    im = Image.fromarray(np.ascontiguousarray(ndarr))
    if isinstance(fp, pathlib.Path):
        fp = str(fp)
    im.save(fp, format=format)
