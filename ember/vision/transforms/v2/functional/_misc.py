"""Normalize, blur, erase, dtype conversion, and the box sanitizer."""
import numpy as np
import PIL.Image

from ember import _backend
from ember._tensor import Tensor
from ember.vision import tv_tensors
from ember.vision.transforms import functional as _F

from ._meta import _format, _to_xyxy
from ._utils import _dispatch, _register_image_kernels, _register_kernel_internal, is_pure_tensor

__all__ = ["normalize", "gaussian_blur", "erase", "to_dtype", "convert_image_dtype", "sanitize_bounding_boxes"]


def normalize(inpt, mean, std, inplace=False):
    """(image - mean) / std per channel, on float tensors (images and videos; not PIL)."""
    return _dispatch(normalize, inpt, mean=mean, std=std, inplace=inplace)


def gaussian_blur(inpt, kernel_size, sigma=None):
    return _dispatch(gaussian_blur, inpt, kernel_size=kernel_size, sigma=sigma)


def erase(inpt, i, j, h, w, v, inplace=False):
    """Set the (h, w) region at (i, j) to ``v``."""
    return _dispatch(erase, inpt, i=i, j=j, h=h, w=w, v=v, inplace=inplace)


def to_dtype(inpt, dtype=None, scale=False):
    """Cast to ``dtype``; with ``scale`` image values move between ranges (float [0, 1] <-> integer [0, max]).

    Masks and boxes are cast without scaling.
    """
    import ember
    return _dispatch(to_dtype, inpt, dtype=ember.float32 if dtype is None else dtype, scale=scale)


def convert_image_dtype(image, dtype=None):
    """``to_dtype(image, dtype, scale=True)`` (float32 by default)."""
    import ember
    return to_dtype(image, ember.float32 if dtype is None else dtype, scale=True)


_NUM_VALUE_BITS = {np.dtype(np.uint8): 8, np.dtype(np.int8): 7, np.dtype(np.int16): 15, np.dtype(np.uint16): 16,
                   np.dtype(np.int32): 31, np.dtype(np.int64): 63}


def _to_dtype_image(image, dtype, scale=False):
    """torchvision v2's conversion: float -> int multiplies by (max + 1 - 1e-3) and truncates; int -> float
    multiplies by 1 / max; int -> int shifts bits."""
    from ember._dtype import to_numpy_dtype
    a = image._data
    out = np.dtype(to_numpy_dtype(dtype))
    if a.dtype == out:
        return image
    if not scale:
        return image.to(dtype)
    xp = _backend.xp_of(a)
    if a.dtype.kind == "f":
        if out.kind == "f":
            return image.to(dtype)
        if (a.dtype == np.float32 and out in (np.int32, np.int64)) or (a.dtype == np.float64 and out == np.int64):
            raise RuntimeError(f"The conversion from {image.dtype} to {dtype} cannot be performed safely.")
        max_value = float(_F._max_value(out))
        return Tensor._wrap((a * a.dtype.type(max_value + 1.0 - 1e-3)).astype(out))
    if out.kind == "f":
        return Tensor._wrap(a.astype(out) * out.type(1.0 / _F._max_value(a.dtype)))
    bits_in, bits_out = _NUM_VALUE_BITS[np.dtype(a.dtype)], _NUM_VALUE_BITS[out]
    if bits_in > bits_out:
        return Tensor._wrap(xp.right_shift(a, bits_in - bits_out).astype(out))
    return Tensor._wrap(xp.left_shift(a.astype(out), bits_out - bits_in))


def _erase_kernel(image, i, j, h, w, v, inplace=False):
    if isinstance(image, PIL.Image.Image):
        t = _F.pil_to_tensor(image)
        return _F.to_pil_image(_F.erase(t, i, j, h, w, v, inplace=False), mode=image.mode)
    return _F.erase(image, i, j, h, w, v, inplace=inplace)


_register_image_kernels(normalize, _F.normalize, pil=False)
_register_image_kernels(gaussian_blur, _F.gaussian_blur)
_register_image_kernels(erase, _erase_kernel)
_register_image_kernels(to_dtype, _to_dtype_image, pil=False)
for _t in (tv_tensors.Mask, tv_tensors.BoundingBoxes):
    # a cast without scaling; ``to`` keeps the tv_tensor type and metadata
    _register_kernel_internal(to_dtype, _t, tv_tensor_wrapper=False)(lambda x, dtype, scale=False: x.to(dtype))
del _t


def _sanitize_mask(a, fmt, canvas_size, min_size, min_area):
    """True for boxes at least ``min_size`` wide and high, of area at least ``min_area``, inside the canvas."""
    xyxy = _to_xyxy(a.reshape(-1, 4), fmt)
    ws, hs = xyxy[:, 2] - xyxy[:, 0], xyxy[:, 3] - xyxy[:, 1]
    valid = (ws >= min_size) & (hs >= min_size) & (xyxy >= 0).all(axis=-1) & (ws * hs >= min_area)
    image_h, image_w = canvas_size
    valid &= (xyxy[:, 0] <= image_w) & (xyxy[:, 2] <= image_w)
    valid &= (xyxy[:, 1] <= image_h) & (xyxy[:, 3] <= image_h)
    return valid


def sanitize_bounding_boxes(bounding_boxes, format=None, canvas_size=None, min_size=1.0, min_area=1.0):
    """(valid boxes, validity mask): drops degenerate boxes (smaller than ``min_size``/``min_area``) and boxes
    outside the canvas. Plain tensors need ``format`` and ``canvas_size``."""
    if is_pure_tensor(bounding_boxes):
        if format is None or canvas_size is None:
            raise ValueError("format and canvas_size cannot be None if bounding_boxes is a pure tensor. "
                             f"Got format={format} and canvas_size={canvas_size}."
                             "Set those to appropriate values or pass bounding_boxes as a tv_tensors.BoundingBoxes "
                             "object.")
        fmt = _format(format)
    elif isinstance(bounding_boxes, tv_tensors.BoundingBoxes):
        if format is not None or canvas_size is not None:
            raise ValueError("format and canvas_size must be None when bounding_boxes is a tv_tensors.BoundingBoxes "
                             f"instance. Got format={format} and canvas_size={canvas_size}. Leave those to "
                             "default values.")
        fmt, canvas_size = bounding_boxes.format, bounding_boxes.canvas_size
    else:
        raise TypeError("bounding_boxes must be a tv_tensors.BoundingBoxes instance or a pure tensor, got "
                        f"{type(bounding_boxes)} instead.")
    valid = Tensor._wrap(_sanitize_mask(bounding_boxes._data, fmt, canvas_size, min_size, min_area))
    return bounding_boxes[valid], valid
