"""Sizes of any input, and the bounding-box format conversions and clamping every box kernel uses."""
import numpy as np
import PIL.Image

from ember import _backend
from ember._tensor import Tensor
from ember.vision import tv_tensors
from ember.vision.transforms import functional as _F
from ember.vision.tv_tensors import BoundingBoxFormat, _plain, wrap

from ._utils import _dispatch, _register_kernel_internal, is_pure_tensor

__all__ = ["get_dimensions", "get_num_channels", "get_size", "get_num_frames", "convert_bounding_box_format",
           "clamp_bounding_boxes"]


def get_dimensions(inpt):
    """[channels, height, width] of an image or video."""
    return _dispatch(get_dimensions, inpt)


def get_num_channels(inpt):
    """The number of channels of an image or video."""
    return _dispatch(get_num_channels, inpt)


def get_size(inpt):
    """[height, width] of an image, video, mask, or of a box set's canvas."""
    return _dispatch(get_size, inpt)


def get_num_frames(inpt):
    """The number of frames T of a video (..., T, C, H, W)."""
    return _dispatch(get_num_frames, inpt)


def _tensor_dimensions(image):
    shape = image.shape
    if len(shape) < 2:
        raise TypeError(f"Input tensor should have at least two dimensions, but got {len(shape)}")
    return [1 if len(shape) == 2 else shape[-3], shape[-2], shape[-1]]


_register_kernel_internal(get_dimensions, PIL.Image.Image)(_F.get_dimensions)
for _t in (Tensor, tv_tensors.Image, tv_tensors.Video):
    _register_kernel_internal(get_dimensions, _t, tv_tensor_wrapper=False)(_tensor_dimensions)
    _register_kernel_internal(get_num_channels, _t, tv_tensor_wrapper=False)(lambda x: _tensor_dimensions(x)[0])
    _register_kernel_internal(get_size, _t, tv_tensor_wrapper=False)(lambda x: _tensor_dimensions(x)[1:])
_register_kernel_internal(get_num_channels, PIL.Image.Image)(lambda img: len(img.getbands()))
_register_kernel_internal(get_size, PIL.Image.Image)(lambda img: [img.height, img.width])
_register_kernel_internal(get_size, tv_tensors.Mask, tv_tensor_wrapper=False)(lambda m: list(m.shape[-2:]))
_register_kernel_internal(get_size, tv_tensors.BoundingBoxes, tv_tensor_wrapper=False)(
    lambda b: list(b.canvas_size))
for _t in (Tensor, tv_tensors.Video):
    _register_kernel_internal(get_num_frames, _t, tv_tensor_wrapper=False)(lambda v: v.shape[-4])
del _t


# ---------------------------------------------------------------- box formats

def _format(fmt):
    if isinstance(fmt, str):
        try:
            return BoundingBoxFormat[fmt.upper()]
        except KeyError:
            raise ValueError(f"Unknown bounding box format '{fmt}': use one of "
                             f"{[f.name for f in BoundingBoxFormat]}") from None
    return fmt


def _floor_div(xp, a, b):
    return a / b if a.dtype.kind in "fc" else xp.floor_divide(a, b)


def _to_xyxy(a, fmt):
    """A copy of box array ``a`` (..., 4) in XYXY. Integer boxes stay integer, as in torchvision: the half width
    of a CXCYWH box rounds up."""
    xp = _backend.xp_of(a)
    a = a.copy()
    if fmt is BoundingBoxFormat.XYWH:
        a[..., 2:] += a[..., :2]
    elif fmt is BoundingBoxFormat.CXCYWH:
        half = xp.abs(_floor_div(xp, a[..., 2:], a.dtype.type(-2))).astype(a.dtype)
        a[..., :2] -= half
        a[..., 2:] += a[..., :2]
    return a


def _from_xyxy(a, fmt):
    xp = _backend.xp_of(a)
    a = a.copy()
    if fmt is BoundingBoxFormat.XYWH:
        a[..., 2:] -= a[..., :2]
    elif fmt is BoundingBoxFormat.CXCYWH:
        a[..., 2:] -= a[..., :2]
        a[..., :2] = _floor_div(xp, a[..., :2] * 2 + a[..., 2:], a.dtype.type(2)).astype(a.dtype)
    return a


def _convert_format_array(a, old_format, new_format):
    if old_format is new_format:
        return a
    return _from_xyxy(_to_xyxy(a, old_format), new_format)


def convert_bounding_box_format(inpt, old_format=None, new_format=None, inplace=False):
    """Boxes in ``new_format``. ``old_format`` is given for a plain tensor; BoundingBoxes carry theirs."""
    if new_format is None:
        raise TypeError("convert_bounding_box_format() missing 1 required argument: 'new_format'")
    old_format, new_format = _format(old_format), _format(new_format)
    if is_pure_tensor(inpt):
        if old_format is None:
            raise ValueError("For pure tensor inputs, `old_format` has to be passed.")
        out = _convert_format_array(inpt._data, old_format, new_format)
        return _write(inpt, out) if inplace else Tensor._wrap(out if out is not inpt._data else out.copy())
    if isinstance(inpt, tv_tensors.BoundingBoxes):
        if old_format is not None:
            raise ValueError("For bounding box tv_tensor inputs, `old_format` must not be passed.")
        out = _convert_format_array(inpt._data, inpt.format, new_format)
        plain = _write(_plain(inpt), out) if inplace else Tensor._wrap(out if out is not inpt._data else out.copy())
        return wrap(plain, like=inpt, format=new_format)
    raise TypeError(f"Input can either be a plain tensor or a bounding box tv_tensor, but got {type(inpt)} instead.")


def _write(t, out):
    """Write ``out`` into tensor ``t`` in place (``inplace=True``)."""
    if out is not t._data:
        t._data[...] = out
        t._version[0] += 1
    return t


# ---------------------------------------------------------------- clamping

def _clamp_array(a, fmt, canvas_size, clamping_mode="soft"):
    """Boxes clipped to the canvas: x to [0, W], y to [0, H] (in XYXY, then back to ``fmt``); None leaves them."""
    if clamping_mode is not None and clamping_mode not in ("soft", "hard"):
        raise ValueError(f"clamping_mode must be None, 'soft' or 'hard', got {clamping_mode}.")
    if clamping_mode is None:
        return a.copy()
    xp = _backend.xp_of(a)
    work = a if a.dtype.kind == "f" else a.astype(np.float32)
    xyxy = _to_xyxy(work, fmt)
    xyxy[..., 0::2] = xp.clip(xyxy[..., 0::2], 0, canvas_size[1])
    xyxy[..., 1::2] = xp.clip(xyxy[..., 1::2], 0, canvas_size[0])
    return _from_xyxy(xyxy, fmt).astype(a.dtype)


def clamp_bounding_boxes(inpt, format=None, canvas_size=None, clamping_mode="auto"):
    """Clip boxes to their canvas. Plain tensors need ``format``, ``canvas_size`` and ``clamping_mode``;
    BoundingBoxes use their own (``clamping_mode="auto"``: the boxes' ``clamping_mode``)."""
    if is_pure_tensor(inpt):
        if format is None or canvas_size is None or clamping_mode == "auto":
            raise ValueError("For pure tensor inputs, `format`, `canvas_size` and `clamping_mode` have to be passed.")
        return Tensor._wrap(_clamp_array(inpt._data, _format(format), canvas_size, clamping_mode))
    if isinstance(inpt, tv_tensors.BoundingBoxes):
        if format is not None or canvas_size is not None:
            raise ValueError("For bounding box tv_tensor inputs, `format` and `canvas_size` must not be passed.")
        mode = inpt.clamping_mode if clamping_mode == "auto" else clamping_mode
        return wrap(Tensor._wrap(_clamp_array(inpt._data, inpt.format, inpt.canvas_size, mode)), like=inpt)
    raise TypeError(f"Input can either be a plain tensor or a bounding box tv_tensor, but got {type(inpt)} instead.")


def _box_kernel(kernel):
    """Register-ready dispatcher for BoundingBoxes: ``kernel(array, format, canvas_size, clamping_mode, ...)``
    returns (array, canvas_size); the result keeps the format and gets the new canvas."""
    def dispatch(boxes, *args, **kwargs):
        out, canvas_size = kernel(boxes._data, boxes.format, boxes.canvas_size, boxes.clamping_mode, *args, **kwargs)
        return wrap(Tensor._wrap(out), like=boxes, canvas_size=canvas_size)
    return dispatch
