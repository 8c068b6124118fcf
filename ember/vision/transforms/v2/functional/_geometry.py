"""Geometric functionals: images and videos through the v1 kernels, masks with nearest resampling, and the
bounding-box kernels (flip, resize, crop, pad, rotate, affine) that move boxes the way the pixels move."""
import math
import numbers

import numpy as np

from ember import _backend
from ember._tensor import Tensor
from ember.vision import tv_tensors
from ember.vision.transforms import functional as _F
from ember.vision.transforms.functional import InterpolationMode
from ember.vision.tv_tensors import BoundingBoxFormat

from ._meta import _box_kernel, _clamp_array, _from_xyxy, _to_xyxy
from ._utils import _dispatch, _register_image_kernels, _register_kernel_internal

__all__ = ["horizontal_flip", "vertical_flip", "hflip", "vflip", "resize", "crop", "center_crop", "resized_crop",
           "pad", "rotate", "affine"]

_Mask, _Boxes = tv_tensors.Mask, tv_tensors.BoundingBoxes


def horizontal_flip(inpt):
    """Flip left-right."""
    return _dispatch(horizontal_flip, inpt)


def vertical_flip(inpt):
    """Flip top-bottom."""
    return _dispatch(vertical_flip, inpt)


hflip = horizontal_flip
vflip = vertical_flip


def resize(inpt, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to ``size`` ((h, w), or the shorter side); masks use nearest, boxes scale with the canvas."""
    return _dispatch(resize, inpt, size, interpolation=interpolation, max_size=max_size, antialias=antialias)


def crop(inpt, top, left, height, width):
    """The (height, width) region at (top, left); boxes shift and are clamped to the new canvas."""
    return _dispatch(crop, inpt, top, left, height, width)


def center_crop(inpt, output_size):
    return _dispatch(center_crop, inpt, output_size)


def resized_crop(inpt, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR, antialias=True):
    return _dispatch(resized_crop, inpt, top, left, height, width, size, interpolation=interpolation,
                     antialias=antialias)


def pad(inpt, padding, fill=None, padding_mode="constant"):
    """Pad the borders: int, (left/right, top/bottom) or (left, top, right, bottom)."""
    return _dispatch(pad, inpt, padding, fill=fill, padding_mode=padding_mode)


def rotate(inpt, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=None):
    """Rotate counter-clockwise by ``angle`` degrees."""
    return _dispatch(rotate, inpt, angle, interpolation=interpolation, expand=expand, center=center, fill=fill)


def affine(inpt, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST, fill=None, center=None):
    """Rotation (clockwise degrees), translation (pixels), scale and shear, keeping the size."""
    return _dispatch(affine, inpt, angle, translate, scale, shear, interpolation=interpolation, fill=fill,
                     center=center)


# ---------------------------------------------------------------- images, videos, PIL: the v1 kernels

def _image_pad(image, padding, fill=None, padding_mode="constant"):
    return _F.pad(image, padding, 0 if fill is None else fill, padding_mode)


def _image_resize(image, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    return _F.resize(image, size, interpolation, max_size, antialias)


def _image_resized_crop(image, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR,
                        antialias=True):
    return _F.resized_crop(image, top, left, height, width, size, interpolation, antialias=antialias)


def _image_rotate(image, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=None):
    return _F.rotate(image, angle, interpolation, expand, center, _image_fill(image, fill))


def _image_affine(image, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST, fill=None,
                  center=None):
    return _F.affine(image, angle, translate, scale, shear, interpolation, _image_fill(image, fill), center)


def _image_fill(image, fill):
    """A number fill is one value per channel for tensors (as the v2 image kernels take it)."""
    if isinstance(image, Tensor) and isinstance(fill, numbers.Number):
        return [float(fill)] * _F.get_dimensions(image)[0]
    return fill


_register_image_kernels(horizontal_flip, _F.hflip)
_register_image_kernels(vertical_flip, _F.vflip)
_register_image_kernels(resize, _image_resize)
_register_image_kernels(crop, _F.crop)
_register_image_kernels(center_crop, _F.center_crop)
_register_image_kernels(resized_crop, _image_resized_crop)
_register_image_kernels(pad, _image_pad)
_register_image_kernels(rotate, _image_rotate)
_register_image_kernels(affine, _image_affine)


# ---------------------------------------------------------------- masks: nearest resampling, scalar fill

def _mask_fill(fill):
    if fill is None:
        return 0
    if isinstance(fill, (tuple, list)):
        raise ValueError("Non-scalar fill value is not supported")
    return fill


def _mask_kernels():
    reg = _register_kernel_internal
    reg(horizontal_flip, _Mask)(_F.hflip)
    reg(vertical_flip, _Mask)(_F.vflip)
    reg(crop, _Mask)(_F.crop)
    reg(center_crop, _Mask)(_F.center_crop)
    reg(resize, _Mask)(lambda m, size, max_size=None, **kwargs: _F.resize(m, size, InterpolationMode.NEAREST,
                                                                            max_size, antialias=False))
    reg(resized_crop, _Mask)(lambda m, top, left, height, width, size, **kwargs: _F.resized_crop(
        m, top, left, height, width, size, InterpolationMode.NEAREST, antialias=False))
    reg(pad, _Mask)(lambda m, padding, fill=None, padding_mode="constant": _F.pad(m, padding, _mask_fill(fill),
                                                                                    padding_mode))
    reg(rotate, _Mask)(lambda m, angle, expand=False, center=None, fill=None, **kwargs: _F.rotate(
        m, angle, InterpolationMode.NEAREST, expand, center, _mask_fill(fill)))
    reg(affine, _Mask)(lambda m, angle, translate, scale, shear, fill=None, center=None, **kwargs: _F.affine(
        m, angle, translate, scale, shear, InterpolationMode.NEAREST, _mask_fill(fill), center))


_mask_kernels()


# ---------------------------------------------------------------- bounding boxes

def _flat(a):
    return a.reshape(-1, 4)


def _hflip_boxes(a, fmt, canvas_size, clamping_mode):
    """x -> W - x: XYXY swaps and mirrors x1/x2, XYWH moves x to W - x - w, CXCYWH mirrors the centre."""
    out = _flat(a).copy()
    width = a.dtype.type(canvas_size[1])
    if fmt is BoundingBoxFormat.XYXY:
        out[:, [2, 0]] = width - _flat(a)[:, [0, 2]]
    elif fmt is BoundingBoxFormat.XYWH:
        out[:, 0] = width - out[:, 0] - out[:, 2]
    else:
        out[:, 0] = width - out[:, 0]
    return out.reshape(a.shape), canvas_size


def _vflip_boxes(a, fmt, canvas_size, clamping_mode):
    out = _flat(a).copy()
    height = a.dtype.type(canvas_size[0])
    if fmt is BoundingBoxFormat.XYXY:
        out[:, [3, 1]] = height - _flat(a)[:, [1, 3]]
    elif fmt is BoundingBoxFormat.XYWH:
        out[:, 1] = height - out[:, 1] - out[:, 3]
    else:
        out[:, 1] = height - out[:, 1]
    return out.reshape(a.shape), canvas_size


def _resize_boxes(a, fmt, canvas_size, clamping_mode, size, max_size=None, **kwargs):
    """Scale x by new_width / width and y by new_height / height (float32 ratios, as torchvision)."""
    old_h, old_w = canvas_size
    new_h, new_w = _F._compute_resized_output_size(canvas_size, size, max_size)
    if (new_h, new_w) == (old_h, old_w):
        return a.copy(), canvas_size
    xp = _backend.xp_of(a)
    ratios = np.asarray([new_w / old_w, new_h / old_h, new_w / old_w, new_h / old_h], dtype=np.float32)
    work = a if a.dtype.kind == "f" else a.astype(np.float32)
    return (work * xp.asarray(ratios.astype(work.dtype))).astype(a.dtype), (new_h, new_w)


def _crop_boxes(a, fmt, canvas_size, clamping_mode, top, left, height, width):
    """Shift by (left, top) (negative values: implicit padding) and clamp to the (height, width) canvas."""
    xp = _backend.xp_of(a)
    sub = [left, top, left, top] if fmt is BoundingBoxFormat.XYXY else [left, top, 0, 0]
    shifted = a - xp.asarray(sub, dtype=a.dtype)
    new_canvas = (height, width)
    return _clamp_array(shifted, fmt, new_canvas, clamping_mode), new_canvas


def _center_crop_boxes(a, fmt, canvas_size, clamping_mode, output_size):
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    crop_h, crop_w = output_size
    top = int(round((canvas_size[0] - crop_h) / 2.0))
    left = int(round((canvas_size[1] - crop_w) / 2.0))
    return _crop_boxes(a, fmt, canvas_size, clamping_mode, top, left, crop_h, crop_w)


def _resized_crop_boxes(a, fmt, canvas_size, clamping_mode, top, left, height, width, size, **kwargs):
    cropped, canvas = _crop_boxes(a, fmt, canvas_size, clamping_mode, top, left, height, width)
    return _resize_boxes(cropped, fmt, canvas, clamping_mode, size)


def _pad_boxes(a, fmt, canvas_size, clamping_mode, padding, fill=None, padding_mode="constant"):
    if padding_mode != "constant":
        raise ValueError(f"Padding mode '{padding_mode}' is not supported with bounding boxes")
    xp = _backend.xp_of(a)
    left, top, right, bottom = _F._parse_padding(padding)
    add = [left, top, left, top] if fmt is BoundingBoxFormat.XYXY else [left, top, 0, 0]
    new_canvas = (canvas_size[0] + top + bottom, canvas_size[1] + left + right)
    return _clamp_array(a + xp.asarray(add, dtype=a.dtype), fmt, new_canvas, clamping_mode), new_canvas


def _affine_boxes_with_expand(a, fmt, canvas_size, clamping_mode, angle, translate, scale, shear, center, expand):
    """Map the four corners of each box through the forward affine matrix and take their bounding box (clamped to
    the canvas, or to the expanded canvas a rotation with ``expand`` makes)."""
    if a.size == 0:
        return a.copy(), canvas_size
    xp = _backend.xp_of(a)
    work = a if a.dtype.kind == "f" else a.astype(np.float32)
    boxes = _flat(_to_xyxy(work, fmt))
    translate, shear = _affine_args(translate, shear)
    height, width = canvas_size
    if center is None:
        center = [width * 0.5, height * 0.5]
    matrix = xp.asarray(np.asarray(_F._get_inverse_affine_matrix(center, angle, translate, scale, shear,
                                                                   inverted=False), dtype=work.dtype).reshape(2, 3).T)
    corners = boxes[:, [[0, 1], [2, 1], [2, 3], [0, 3]]].reshape(-1, 2)
    corners = xp.concatenate([corners, xp.ones((corners.shape[0], 1), dtype=work.dtype)], axis=-1)
    moved = (corners @ matrix).reshape(-1, 4, 2)
    out = xp.concatenate([moved.min(axis=1), moved.max(axis=1)], axis=1)
    if expand:
        frame = xp.asarray([[0.0, 0.0, 1.0], [0.0, float(height), 1.0], [float(width), float(height), 1.0],
                            [float(width), 0.0, 1.0]], dtype=work.dtype)
        top_left = (frame @ matrix).min(axis=0)
        out = out - xp.concatenate([top_left, top_left])
        canvas_size = _rotated_canvas(canvas_size, angle, center)
    out = _clamp_array(out, BoundingBoxFormat.XYXY, canvas_size, clamping_mode)
    return _from_xyxy(out, fmt).reshape(a.shape).astype(a.dtype), canvas_size


def _affine_args(translate, shear):
    if isinstance(shear, numbers.Number):
        shear = [float(shear), 0.0]
    elif len(shear) == 1:
        shear = [float(shear[0]), float(shear[0])]
    return [float(t) for t in translate], [float(s) for s in shear]


def _rotated_canvas(canvas_size, angle, center):
    """(H, W) of an image rotated by ``angle`` with expand=True, computed as Pillow's ``rotate`` computes it (the
    image kernel is Pillow's), so that boxes and pixels get the same canvas."""
    height, width = canvas_size
    angle = angle % 360.0
    if angle in (90.0, 270.0):
        return (width, height)
    if angle in (0.0, 180.0):
        return (height, width)
    theta = -math.radians(angle)
    a, b = round(math.cos(theta), 15), round(math.sin(theta), 15)
    c, d = round(-math.sin(theta), 15), round(math.cos(theta), 15)
    cx, cy = center
    tx = a * -cx + b * -cy + cx
    ty = c * -cx + d * -cy + cy
    xs = [a * x + b * y + tx for x, y in ((0, 0), (width, 0), (width, height), (0, height))]
    ys = [c * x + d * y + ty for x, y in ((0, 0), (width, 0), (width, height), (0, height))]
    return (math.ceil(max(ys)) - math.floor(min(ys)), math.ceil(max(xs)) - math.floor(min(xs)))


def _rotate_boxes(a, fmt, canvas_size, clamping_mode, angle, expand=False, center=None, **kwargs):
    # the image rotates counter-clockwise; the forward matrix takes the clockwise angle, hence -angle
    return _affine_boxes_with_expand(a, fmt, canvas_size, clamping_mode, -angle, [0.0, 0.0], 1.0, [0.0, 0.0],
                                     center, expand)


def _affine_boxes(a, fmt, canvas_size, clamping_mode, angle, translate, scale, shear, center=None, **kwargs):
    return _affine_boxes_with_expand(a, fmt, canvas_size, clamping_mode, angle, translate, scale, shear, center,
                                     False)


for _functional, _kernel in ((horizontal_flip, _hflip_boxes), (vertical_flip, _vflip_boxes), (resize, _resize_boxes),
                             (crop, _crop_boxes), (center_crop, _center_crop_boxes),
                             (resized_crop, _resized_crop_boxes), (pad, _pad_boxes), (rotate, _rotate_boxes),
                             (affine, _affine_boxes)):
    _register_kernel_internal(_functional, _Boxes, tv_tensor_wrapper=False)(_box_kernel(_kernel))
del _functional, _kernel
