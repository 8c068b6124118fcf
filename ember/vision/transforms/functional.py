"""Image operations on PIL images and on tensors (``torchvision.transforms.functional``).

Tensors are images of shape ``(..., C, H, W)``: one image or a batch. Tensor
code works on the tensor's array (NumPy, or CuPy moved to the CPU where Pillow
does the work) and returns a new tensor. Bilinear and bicubic resizing of
tensors goes through ``interpolate`` (antialiased by default), as torchvision's;
other resampling (other filters, rotate, affine) of float planes goes through
Pillow's 'F' mode.
"""
import math
import numbers
from collections.abc import Sequence
from enum import Enum

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

from ember import _backend
from ember._tensor import Tensor

__all__ = [
    "InterpolationMode", "get_dimensions", "get_image_size", "get_image_num_channels", "to_tensor",
    "pil_to_tensor", "to_pil_image", "convert_image_dtype", "normalize", "resize", "pad", "crop",
    "center_crop", "resized_crop", "hflip", "vflip", "five_crop", "ten_crop", "rotate", "affine",
    "adjust_brightness", "adjust_contrast", "adjust_saturation", "adjust_hue", "rgb_to_grayscale",
    "to_grayscale", "gaussian_blur", "erase", "invert", "posterize", "solarize", "adjust_sharpness", "autocontrast",
    "equalize", "adjust_gamma", "perspective", "elastic_transform",
]


class InterpolationMode(Enum):
    """Interpolation modes (their values are the names torchvision prints in reprs)."""
    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


_PIL_FILTERS = {
    InterpolationMode.NEAREST: Image.Resampling.NEAREST, InterpolationMode.NEAREST_EXACT: Image.Resampling.NEAREST,
    InterpolationMode.BILINEAR: Image.Resampling.BILINEAR, InterpolationMode.BICUBIC: Image.Resampling.BICUBIC,
    InterpolationMode.BOX: Image.Resampling.BOX, InterpolationMode.HAMMING: Image.Resampling.HAMMING,
    InterpolationMode.LANCZOS: Image.Resampling.LANCZOS,
}
_FROM_INT = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR, 3: InterpolationMode.BICUBIC,
             4: InterpolationMode.BOX, 5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}


def _interpolation(mode):
    """An InterpolationMode from the enum, its string value or PIL's integer constant (old code: 2)."""
    if isinstance(mode, InterpolationMode):
        return mode
    if isinstance(mode, str):
        return InterpolationMode(mode)
    if isinstance(mode, numbers.Integral) and int(mode) in _FROM_INT:
        return _FROM_INT[int(mode)]
    raise TypeError("Argument interpolation should be a InterpolationMode or a corresponding Pillow integer constant")


# ---------------------------------------------------------------- helpers

def _is_pil(img):
    return isinstance(img, Image.Image)


def _check_img(img):
    if not (_is_pil(img) or isinstance(img, Tensor)):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")


def _np(t):
    """The tensor's data as a NumPy array (copied off the GPU when needed)."""
    return _backend.to_device(t._data, "cpu")


def _like(t, array):
    """A new tensor holding ``array``, on the device of tensor ``t``."""
    if _backend.is_cupy_array(t._data):
        array = _backend.to_device(array, "cuda", _backend.device_index(t._data))
    return Tensor._wrap(np.ascontiguousarray(array) if isinstance(array, np.ndarray) else array)


def _is_float(a):
    return a.dtype.kind in "fc"


def _max_value(dtype):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return 1
    if dtype.kind in "iu":
        return np.iinfo(dtype).max
    return 1.0


def _cast_back(result, dtype):
    """Back to an image dtype: integer images are rounded and clamped (torchvision's _cast_squeeze_out)."""
    dtype = np.dtype(dtype)
    if dtype.kind in "iub":
        info = np.iinfo(dtype) if dtype.kind != "b" else None
        result = np.round(result)
        if info is not None:
            result = np.clip(result, info.min, info.max)
    return result.astype(dtype, copy=False)


def get_dimensions(img):
    """[channels, height, width] of a PIL image or a tensor image."""
    if _is_pil(img):
        return [len(img.getbands()), img.height, img.width]
    _check_img(img)
    shape = img.shape
    channels = 1 if len(shape) == 2 else shape[-3]
    return [channels, shape[-2], shape[-1]]


def get_image_size(img):
    """[width, height] (torchvision's order)."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img):
    return get_dimensions(img)[0]


def _planes(a):
    """(planes, restore): the (..., H, W) array as a list of 2-D float32 planes, and a function to undo it."""
    lead = a.shape[:-2]
    flat = a.reshape((-1,) + a.shape[-2:])

    def restore(planes):
        out = np.stack(planes) if planes else np.zeros((0,) + a.shape[-2:], np.float32)
        return out.reshape(lead + out.shape[-2:])
    return list(flat), restore


def _pil_plane(plane):
    return Image.fromarray(np.ascontiguousarray(plane, dtype=np.float32))


# ---------------------------------------------------------------- conversion

def to_tensor(pic):
    """PIL image or HWC ndarray -> CHW tensor; uint8 data becomes float in [0, 1] (one division)."""
    import ember
    if not (_is_pil(pic) or isinstance(pic, np.ndarray)):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        if pic.ndim == 2:
            pic = pic[:, :, None]
        img = np.ascontiguousarray(pic.transpose((2, 0, 1)))
        if img.dtype == np.uint8:
            return Tensor._wrap(_div255(img, ember.get_default_dtype()))
        return Tensor._wrap(img)
    img = pil_to_tensor(pic)._data
    if img.dtype == np.uint8:
        return Tensor._wrap(_div255(img, ember.get_default_dtype()))
    return Tensor._wrap(img)


def _div255(a, dtype):
    """uint8 -> float/255 in the default float dtype: what ToTensor does to every uint8 image."""
    from ember._dtype import to_numpy_dtype
    np_dtype = to_numpy_dtype(dtype)
    out = a.astype(np_dtype)
    out /= np_dtype.type(255)
    return out


_MODE_TO_NPTYPE = {"I": np.int32, "I;16": np.int16, "F": np.float32}


def pil_to_tensor(pic):
    """PIL image -> CHW tensor of the image's own dtype (uint8 for L/RGB), no scaling."""
    if not _is_pil(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    if pic.mode == "I;16":
        arr = np.array(pic, dtype=np.uint16).astype(np.int16)
    else:
        arr = np.array(pic, _MODE_TO_NPTYPE.get(pic.mode, np.uint8), copy=True)
    if pic.mode == "1":
        arr = arr * np.uint8(255)
    arr = arr.reshape(pic.size[1], pic.size[0], len(pic.getbands()))
    return Tensor._wrap(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def to_pil_image(pic, mode=None):
    """CHW tensor or HWC ndarray -> PIL image; float data is scaled by 255 and truncated, as torchvision does."""
    if isinstance(pic, Tensor):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        a = _np(pic.detach())
        if a.ndim == 2:
            a = a[None]
        if a.shape[-3] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {a.shape[-3]} channels.")
        if _is_float(a) and mode != "F":
            a = (a * 255).astype(np.uint8)
        npimg = np.transpose(a, (1, 2, 0))
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        npimg = pic[:, :, None] if pic.ndim == 2 else pic
        if npimg.shape[-1] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {npimg.shape[-1]} channels.")
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")

    if npimg.shape[2] == 1:
        npimg = npimg[:, :, 0]
        expected = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16", np.dtype(np.uint16): "I;16",
                    np.dtype(np.int32): "I", np.dtype(np.float32): "F"}.get(npimg.dtype)
        if mode is not None and mode != expected:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {np.dtype}. Should be {expected}")
        mode = expected
        if mode == "I;16":
            return Image.fromarray(np.ascontiguousarray(npimg).astype(np.uint16))
    elif npimg.shape[2] == 2:
        permitted = ["LA"]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for 2D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = "LA"
    elif npimg.shape[2] == 4:
        permitted = ["RGBA", "CMYK", "RGBX"]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for 4D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = "RGBA"
    else:
        permitted = ["RGB", "YCbCr", "HSV"]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for 3D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = "RGB"
    if mode is None:
        raise TypeError(f"Input type {npimg.dtype} is not supported")
    npimg = np.ascontiguousarray(npimg)
    if mode in ("L", "I", "F"):
        return Image.fromarray(npimg.astype({"L": np.uint8, "I": np.int32, "F": np.float32}[mode], copy=False))
    return Image.fromarray(npimg, mode=mode)


def convert_image_dtype(image, dtype=None):
    """Convert a tensor image to ``dtype``, rescaling values (float in [0, 1] <-> integer in [0, MAX])."""
    import ember
    from ember._dtype import to_numpy_dtype
    if not isinstance(image, Tensor):
        raise TypeError("Input img should be Tensor Image")
    dtype = ember.float32 if dtype is None else dtype
    a = image._data
    xp = _backend.xp_of(a)
    out_np = np.dtype(to_numpy_dtype(dtype))
    if a.dtype == out_np:
        return image
    if _is_float(a):
        if out_np.kind == "f":
            return _like(image, a.astype(out_np))
        if (a.dtype == np.float32 and out_np in (np.int32, np.int64)) or (a.dtype == np.float64 and out_np == np.int64):
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed safely.")
        eps = 1e-3
        max_val = float(_max_value(out_np))
        return _like(image, (a * (max_val + 1.0 - eps)).astype(out_np))
    input_max = _max_value(a.dtype)
    if out_np.kind == "f":
        return _like(image, a.astype(out_np) / out_np.type(input_max))
    output_max = _max_value(out_np)
    if input_max > output_max:
        factor = (input_max + 1) // (output_max + 1)
        return _like(image, xp.floor_divide(a, factor).astype(out_np))
    factor = (output_max + 1) // (input_max + 1)
    return _like(image, a.astype(out_np) * out_np.type(factor))


# ---------------------------------------------------------------- normalize

def normalize(tensor, mean, std, inplace=False):
    """(tensor - mean) / std per channel, on a float tensor image (..., C, H, W).

    With more means than channels this raises PyTorch's in-place broadcast
    error, as torchvision does (the classic 3-value Normalize on 1-channel MNIST).
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    a = tensor._data
    mean_a, std_a = _normalize_stats(tensor, mean, std)
    xp = _backend.xp_of(a)
    if tensor.requires_grad and not inplace:
        return (tensor - _like(tensor, mean_a)) / _like(tensor, std_a)    # keeps the autograd graph
    if inplace:
        xp.subtract(a, mean_a, out=a)
        xp.divide(a, std_a, out=a)
        tensor._version[0] += 1
        return tensor
    return _like(tensor, (a - mean_a) / std_a)


def _normalize_stats(tensor, mean, std):
    """``mean`` and ``std`` as arrays of the tensor's dtype, shaped (C, 1, 1), after torchvision's checks."""
    a = tensor._data
    if not _is_float(a):
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if a.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tensor.size()}")
    xp = _backend.xp_of(a)
    mean_a = xp.asarray(_as_values(mean), dtype=a.dtype)
    std_a = xp.asarray(_as_values(std), dtype=a.dtype)
    if bool((std_a == 0).any()):
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.")
    if mean_a.ndim == 1:
        mean_a = mean_a.reshape(-1, 1, 1)
    if std_a.ndim == 1:
        std_a = std_a.reshape(-1, 1, 1)
    _check_normalize_broadcast(a.shape, mean_a.shape, std_a.shape)
    return mean_a, std_a


def _as_values(v):
    if isinstance(v, Tensor):
        return _np(v)
    return v


def _check_normalize_broadcast(shape, mean_shape, std_shape):
    for stat_shape in (mean_shape, std_shape):
        try:
            target = np.broadcast_shapes(tuple(shape), tuple(stat_shape))
        except ValueError:
            target = None
        if target is not None and tuple(target) == tuple(shape):
            continue
        shown = [int(s) for s in shape]
        if target is None:
            raise RuntimeError(f"The size of tensor a ({shape[-3]}) must match the size of tensor b "
                               f"({stat_shape[-3]}) at non-singleton dimension {len(shape) - 3}. "
                               f"Normalize got {stat_shape[-3]} mean/std values for an image with {shape[-3]} "
                               f"channels: give one value per channel.")
        msg = (f"output with shape {shown} doesn't match the broadcast shape {[int(s) for s in target]}. "
               f"Normalize got {stat_shape[-3]} mean/std values but the image has {shape[-3]} channel(s)")
        if shape[-3] == 1:
            msg += ("; for a 1-channel (grayscale, e.g. MNIST/FashionMNIST) image use one value per channel: "
                    "transforms.Normalize((0.5,), (0.5,))")
        raise RuntimeError(msg)


# ---------------------------------------------------------------- geometry

def _compute_resized_output_size(image_size, size, max_size=None):
    h, w = image_size
    short, long = (w, h) if w <= h else (h, w)
    if size is None or (isinstance(size, Sequence) and len(size) == 0):
        if max_size is None:
            raise ValueError("If size is None or empty, max_size must be given")
        new_short, new_long = int(max_size * short / long), max_size
        return [new_long, new_short] if h >= w else [new_short, new_long]
    if isinstance(size, numbers.Number) or len(size) == 1:
        requested = int(size if isinstance(size, numbers.Number) else size[0])
        new_short, new_long = requested, int(requested * long / short)
        if max_size is not None:
            if max_size <= requested:
                raise ValueError(f"max_size = {max_size} must be strictly greater than the requested size for "
                                 f"the smaller edge size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
        return [new_h, new_w]
    return [int(size[0]), int(size[1])]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to ``size`` ((h, w), or an int for the shorter side keeping the aspect ratio)."""
    _check_img(img)
    interpolation = _interpolation(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in (1, 2):
            raise ValueError(f"Size must be an int or a 1 or 2 element tuple/list, not a {len(size)} element "
                             "tuple/list")
        if max_size is not None and len(size) != 1:
            raise ValueError("max_size should only be passed if size specifies the length of the smaller edge, "
                             "i.e. size should be an int or a sequence of length 1 in torchscript mode.")
    elif size is not None and not isinstance(size, numbers.Integral):
        raise TypeError(f"Size should be int or sequence. Got {type(size)}")
    _, h, w = get_dimensions(img)
    out_h, out_w = _compute_resized_output_size((h, w), size, max_size)
    if (out_h, out_w) == (h, w):
        return img
    if _is_pil(img):
        return img.resize((out_w, out_h), _PIL_FILTERS[interpolation])
    a = _np(img)
    return _like(img, _resize_array(a, out_h, out_w, interpolation, antialias))


def _resize_array(a, out_h, out_w, interpolation, antialias=True):
    """Resize the last two dims of ``a``; integer images are rounded back to their dtype."""
    in_h, in_w = a.shape[-2:]
    if interpolation in (InterpolationMode.NEAREST, InterpolationMode.NEAREST_EXACT):
        offset = 0.5 if interpolation is InterpolationMode.NEAREST_EXACT else 0.0
        rows = np.minimum(np.floor((np.arange(out_h) + offset) * (in_h / out_h)).astype(np.int64), in_h - 1)
        cols = np.minimum(np.floor((np.arange(out_w) + offset) * (in_w / out_w)).astype(np.int64), in_w - 1)
        return a[..., rows[:, None], cols[None, :]]
    work = a.astype(np.float32) if not _is_float(a) else a
    if interpolation in (InterpolationMode.BILINEAR, InterpolationMode.BICUBIC):
        # torchvision resizes tensors with interpolate (align_corners=False), antialiased unless told not to
        from ember.ops.upsample import interpolate
        mode = "bicubic" if interpolation is InterpolationMode.BICUBIC else "bilinear"
        flat = Tensor._wrap(np.ascontiguousarray(work).reshape((-1, 1) + work.shape[-2:]))
        out = interpolate(flat, size=(out_h, out_w), mode=mode, align_corners=False, antialias=bool(antialias))
        out = out._data.reshape(work.shape[:-2] + (out_h, out_w))
    else:
        planes, restore = _planes(work)
        flt = _PIL_FILTERS[interpolation]
        out = restore([np.asarray(_pil_plane(p).resize((out_w, out_h), flt)) for p in planes])
    return _cast_back(out, a.dtype) if not _is_float(a) else out.astype(a.dtype, copy=False)


def _parse_padding(padding):
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
    if isinstance(padding, numbers.Number):
        p = [int(padding)] * 4
    elif len(padding) == 1:
        p = [int(padding[0])] * 4
    elif len(padding) == 2:
        p = [int(padding[0]), int(padding[1]), int(padding[0]), int(padding[1])]
    else:
        p = [int(x) for x in padding]
    return p   # left, top, right, bottom


def _pad_array(a, ltrb, fill=0, padding_mode="constant", channel_axis=None):
    """Pad the H, W axes (the last two, or axes 0, 1 of an HWC array when channel_axis=-1)."""
    left, top, right, bottom = ltrb
    # negative padding crops
    h_axis, w_axis = (-2, -1) if channel_axis is None else (0, 1)
    sl = [slice(None)] * a.ndim
    sl[h_axis] = slice(max(-top, 0), a.shape[h_axis] - max(-bottom, 0))
    sl[w_axis] = slice(max(-left, 0), a.shape[w_axis] - max(-right, 0))
    a = a[tuple(sl)]
    widths = [(0, 0)] * a.ndim
    widths[h_axis] = (max(top, 0), max(bottom, 0))
    widths[w_axis] = (max(left, 0), max(right, 0))
    if padding_mode != "constant":
        return np.pad(a, widths, mode=padding_mode)
    if isinstance(fill, (tuple, list)) and channel_axis is not None and a.ndim == 3 and len(fill) > 1:
        return np.stack([np.pad(a[..., c], widths[:2], constant_values=fill[c]) for c in range(a.shape[-1])], -1)
    if isinstance(fill, (tuple, list)) and channel_axis is None and len(fill) > 1 and a.ndim >= 3:
        out = np.stack([np.pad(a[..., c, :, :], widths[-2:], constant_values=fill[c])
                        for c in range(a.shape[-3])], axis=-3)
        return out
    if isinstance(fill, (tuple, list)):
        fill = fill[0]
    return np.pad(a, widths, mode="constant", constant_values=fill)


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad all sides: int, (left/right, top/bottom) or (left, top, right, bottom); modes as torchvision."""
    _check_img(img)
    ltrb = _parse_padding(padding)
    if not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate fill arg")
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    if _is_pil(img):
        mode = img.mode
        arr = np.asarray(img)
        palette = img.getpalette() if mode == "P" else None
        out = _pad_array(arr, ltrb, fill, padding_mode, channel_axis=-1 if arr.ndim == 3 else None)
        out = np.ascontiguousarray(out)
        if palette is not None:        # palette indices were padded; keep the palette
            result = Image.fromarray(out, "P")
            result.putpalette(palette)
            return result
        return Image.fromarray(out, mode=mode if arr.ndim == 3 else None)
    return _like(img, _pad_array(_np(img), ltrb, fill, padding_mode))


def crop(img, top, left, height, width):
    """The (height, width) region at (top, left); outside the image is filled with zeros."""
    _check_img(img)
    if _is_pil(img):
        return img.crop((left, top, left + width, top + height))
    a = img._data
    h, w = a.shape[-2:]
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding = [max(-left, 0), max(-top, 0), max(right - w, 0), max(bottom - h, 0)]
        a = _pad_array(_np(img)[..., max(top, 0):bottom, max(left, 0):right], padding, 0)
        return _like(img, a)
    return _like(img, a[..., top:bottom, left:right].copy())


def center_crop(img, output_size):
    """The centre (h, w) region; pads with zeros first when the image is smaller."""
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, image_height, image_width = get_dimensions(img)
    crop_height, crop_width = output_size
    if crop_width > image_width or crop_height > image_height:
        padding_ltrb = [
            (crop_width - image_width) // 2 if crop_width > image_width else 0,
            (crop_height - image_height) // 2 if crop_height > image_height else 0,
            (crop_width - image_width + 1) // 2 if crop_width > image_width else 0,
            (crop_height - image_height + 1) // 2 if crop_height > image_height else 0,
        ]
        img = pad(img, padding_ltrb, fill=0)
        _, image_height, image_width = get_dimensions(img)
        if crop_width == image_width and crop_height == image_height:
            return img
    crop_top = int(round((image_height - crop_height) / 2.0))
    crop_left = int(round((image_width - crop_width) / 2.0))
    return crop(img, crop_top, crop_left, crop_height, crop_width)


def resized_crop(img, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR, antialias=True):
    img = crop(img, top, left, height, width)
    return resize(img, size, interpolation, antialias=antialias)


def hflip(img):
    _check_img(img)
    if _is_pil(img):
        return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return _like(img, img._data[..., ::-1].copy())


def vflip(img):
    _check_img(img)
    if _is_pil(img):
        return img.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    return _like(img, img._data[..., ::-1, :].copy())


def five_crop(img, size):
    """The four corner crops and the centre crop: (tl, tr, bl, br, center)."""
    if isinstance(size, numbers.Number):
        size = (int(size), int(size))
    elif isinstance(size, (tuple, list)) and len(size) == 1:
        size = (size[0], size[0])
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    _, image_height, image_width = get_dimensions(img)
    crop_height, crop_width = size
    if crop_width > image_width or crop_height > image_height:
        raise ValueError(f"Requested crop size {size} is bigger than input size {(image_height, image_width)}")
    tl = crop(img, 0, 0, crop_height, crop_width)
    tr = crop(img, 0, image_width - crop_width, crop_height, crop_width)
    bl = crop(img, image_height - crop_height, 0, crop_height, crop_width)
    br = crop(img, image_height - crop_height, image_width - crop_width, crop_height, crop_width)
    center = center_crop(img, [crop_height, crop_width])
    return tl, tr, bl, br, center


def ten_crop(img, size, vertical_flip=False):
    """five_crop of the image and of its flipped copy (horizontal unless vertical_flip)."""
    if isinstance(size, numbers.Number):
        size = (int(size), int(size))
    elif isinstance(size, (tuple, list)) and len(size) == 1:
        size = (size[0], size[0])
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    first_five = five_crop(img, size)
    img = vflip(img) if vertical_flip else hflip(img)
    return first_five + five_crop(img, size)


def _get_inverse_affine_matrix(center, angle, translate, scale, shear, inverted=True):
    """torchvision's inverse affine matrix (output pixel -> input pixel) for PIL's Image.transform."""
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    if inverted:
        matrix = [d, -b, 0.0, -c, a, 0.0]
        matrix = [x / scale for x in matrix]
        matrix[2] += matrix[0] * (-cx - tx) + matrix[1] * (-cy - ty)
        matrix[5] += matrix[3] * (-cx - tx) + matrix[4] * (-cy - ty)
        matrix[2] += cx
        matrix[5] += cy
    else:
        matrix = [a, b, 0.0, c, d, 0.0]
        matrix = [x * scale for x in matrix]
        matrix[2] += matrix[0] * (-cx) + matrix[1] * (-cy)
        matrix[5] += matrix[3] * (-cx) + matrix[4] * (-cy)
        matrix[2] += cx + tx
        matrix[5] += cy + ty
    return matrix


def _pil_fill(fill, img):
    """PIL's fillcolor for ``img`` from a number or per-channel sequence (torchvision's _parse_fill)."""
    bands = len(img.getbands())
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and bands > 1:
        fill = tuple([fill] * bands)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = fill * bands
        if len(fill) != bands:
            raise ValueError(f"The number of elements in 'fill' does not match the number of channels of the "
                             f"image ({len(fill)} != {bands})")
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(x) for x in fill) if isinstance(fill, tuple) else int(fill)
    return fill


def _tensor_fills(fill, channels):
    if fill is None:
        return [0.0] * channels
    if isinstance(fill, (int, float)):
        return [float(fill)] * channels
    fill = [float(f) for f in fill]
    if len(fill) == 1:
        return fill * channels
    if len(fill) != channels:
        raise ValueError(f"The number of elements in 'fill' does not match the number of channels of the "
                         f"image ({len(fill)} != {channels})")
    return fill


def _tensor_resample(img, fn, fill):
    """Apply ``fn(pil_F_plane, fillcolor)`` to every (H, W) plane of a tensor image (channel-wise fill)."""
    a = _np(img)
    channels = a.shape[-3] if a.ndim >= 3 else 1
    fills = _tensor_fills(fill, channels)
    work = a.astype(np.float32) if not _is_float(a) else a
    planes, restore = _planes(work)
    out = restore([np.asarray(fn(_pil_plane(p), fills[i % channels])) for i, p in enumerate(planes)])
    return _like(img, _cast_back(out, a.dtype) if not _is_float(a) else out.astype(a.dtype, copy=False))


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=None):
    """Rotate counter-clockwise by ``angle`` degrees about ``center`` (default: the image centre)."""
    _check_img(img)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    interpolation = _interpolation(interpolation)
    resample = _PIL_FILTERS[interpolation]
    if resample not in (Image.Resampling.NEAREST, Image.Resampling.BILINEAR, Image.Resampling.BICUBIC):
        raise ValueError(f"Interpolation mode {interpolation.value} is unsupported for rotate: use nearest, "
                         "bilinear or bicubic")
    if _is_pil(img):
        return img.rotate(angle, resample, expand, center, fillcolor=_pil_fill(fill, img))
    return _tensor_resample(img, lambda p, f: p.rotate(angle, resample, expand, center, fillcolor=f), fill)


def affine(img, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST, fill=None, center=None):
    """Rotation, translation (pixels), scale and shear (degrees) about ``center``, keeping the image size."""
    _check_img(img)
    interpolation = _interpolation(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if not isinstance(translate, (list, tuple)):
        raise TypeError("Argument translate should be a sequence")
    if len(translate) != 2:
        raise ValueError("Argument translate should be a sequence of length 2")
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    if not isinstance(shear, (numbers.Number, list, tuple)):
        raise TypeError("Shear should be either a single value or a sequence of two values")
    if isinstance(shear, numbers.Number):
        shear = [float(shear), 0.0]
    elif len(shear) == 1:
        shear = [float(shear[0]), float(shear[0])]
    elif len(shear) != 2:
        raise ValueError(f"Shear should be a sequence containing two values. Got {shear}")
    _, height, width = get_dimensions(img)
    if center is None:
        center = [width * 0.5, height * 0.5]
    matrix = _get_inverse_affine_matrix(center, float(angle), [float(t) for t in translate], float(scale),
                                        [float(s) for s in shear])
    resample = _PIL_FILTERS[interpolation]
    size = (width, height)
    if _is_pil(img):
        return img.transform(size, Image.Transform.AFFINE, matrix, resample, fillcolor=_pil_fill(fill, img))
    return _tensor_resample(
        img, lambda p, f: p.transform(size, Image.Transform.AFFINE, matrix, resample, fillcolor=f), fill)


def _get_perspective_coeffs(startpoints, endpoints):
    """The 8 coefficients (a, b, c, d, e, f, g, h) mapping each output pixel (x, y) to the input pixel

        ((a x + b y + c) / (g x + h y + 1), (d x + e y + f) / (g x + h y + 1)),

    so that ``endpoints`` (corners in the output) land on ``startpoints`` (the
    same corners in the input): a least-squares solve in float64, the
    coefficients rounded to float32 as torchvision returns them.
    """
    if len(startpoints) != 4 or len(endpoints) != 4:
        raise ValueError(f"Please provide exactly four corners, got {len(startpoints)} startpoints and "
                         f"{len(endpoints)} endpoints.")
    a_matrix = np.zeros((8, 8), dtype=np.float64)
    for i, (p1, p2) in enumerate(zip(endpoints, startpoints)):
        a_matrix[2 * i] = [p1[0], p1[1], 1, 0, 0, 0, -p2[0] * p1[0], -p2[0] * p1[1]]
        a_matrix[2 * i + 1] = [0, 0, 0, p1[0], p1[1], 1, -p2[1] * p1[0], -p2[1] * p1[1]]
    b_matrix = np.asarray(startpoints, dtype=np.float64).reshape(8)
    solution = np.linalg.lstsq(a_matrix, b_matrix, rcond=None)[0]
    return [float(c) for c in solution.astype(np.float32)]


def _check_grid_transform(a, interpolation, fill, op):
    """torchvision's checks for tensor images resampled through grid_sample (perspective, elastic_transform)."""
    if a.ndim < 2:
        raise TypeError(f"Tensor is not a torch image: {op} expects an image of shape (..., H, W), got {a.ndim} dims")
    if interpolation not in (InterpolationMode.NEAREST, InterpolationMode.BILINEAR):
        raise ValueError(f"Interpolation mode '{interpolation.value}' is unsupported with Tensor input: "
                         "use nearest or bilinear")
    channels = a.shape[-3] if a.ndim >= 3 else 1
    if isinstance(fill, (tuple, list)) and len(fill) > 1 and len(fill) != channels:
        raise ValueError("The number of elements in 'fill' cannot broadcast to match the number of channels of the "
                         f"image ({len(fill)} != {channels})")


def _apply_grid_transform(img, grid, mode, fill):
    """Sample tensor image ``img`` (..., C, H, W) at ``grid`` (an (1, H', W', 2) xp array, normalised coordinates,
    align_corners=False) with grid_sample, as torchvision does: zeros outside the image, and with ``fill`` given
    a sampled all-ones channel says how much of each output pixel came from inside, the rest being ``fill``."""
    from ember.nn.functional import grid_sample
    a = img._data
    xp = _backend.xp_of(a)
    lead, (h, w) = a.shape[:-2], a.shape[-2:]
    channels = a.shape[-3] if a.ndim >= 3 else 1
    work = a.astype(grid.dtype, copy=False).reshape((-1, channels, h, w))
    if fill is not None:
        work = xp.concatenate([work, xp.ones_like(work[:, :1])], axis=1)
    grid = xp.broadcast_to(grid, (work.shape[0],) + grid.shape[1:])
    out = grid_sample(Tensor._wrap(work), Tensor._wrap(grid), mode=mode.value, padding_mode="zeros",
                      align_corners=False)._data
    if fill is not None:
        mask, out = out[:, -1:], out[:, :-1]
        fills = [float(fill)] if isinstance(fill, numbers.Number) else [float(f) for f in fill]
        fill_img = xp.asarray(fills, dtype=out.dtype).reshape(1, -1, 1, 1)
        if mode is InterpolationMode.NEAREST:
            out = xp.where(mask < 0.5, fill_img, out)
        else:
            out = out * mask + (1.0 - mask) * fill_img
    out = out.reshape(lead + out.shape[-2:])
    if not _is_float(a):
        info = np.iinfo(a.dtype) if a.dtype != np.bool_ else None
        out = xp.round(out)
        if info is not None:
            out = xp.clip(out, info.min, info.max)
    return Tensor._wrap(out.astype(a.dtype, copy=False))


def _perspective_grid(coeffs, ow, oh, dtype, xp):
    """grid_sample coordinates of PIL's perspective map: output pixel centres (x + 0.5, y + 0.5) sent through the
    coefficients, then normalised to [-1, 1] (torchvision's tensor kernel, in the same float steps)."""
    theta1 = np.asarray([[coeffs[0], coeffs[1], coeffs[2]], [coeffs[3], coeffs[4], coeffs[5]]], dtype=dtype)
    theta2 = np.asarray([[coeffs[6], coeffs[7], 1.0], [coeffs[6], coeffs[7], 1.0]], dtype=dtype)
    base = np.empty((oh, ow, 3), dtype=dtype)
    base[..., 0] = np.arange(ow, dtype=dtype) + dtype.type(0.5)
    base[..., 1] = (np.arange(oh, dtype=dtype) + dtype.type(0.5))[:, None]
    base[..., 2] = 1
    base = base.reshape(oh * ow, 3)
    rescaled_theta1 = theta1.T / np.asarray([0.5 * ow, 0.5 * oh], dtype=dtype)
    grid = (base @ rescaled_theta1) / (base @ theta2.T) - dtype.type(1.0)
    return xp.asarray(grid.reshape(1, oh, ow, 2))


def perspective(img, startpoints, endpoints, interpolation=InterpolationMode.BILINEAR, fill=None):
    """Perspective warp that moves the four corners ``startpoints`` to ``endpoints`` (each [[x, y]] * 4, in the
    order top-left, top-right, bottom-right, bottom-left); the image keeps its size."""
    _check_img(img)
    coeffs = _get_perspective_coeffs(startpoints, endpoints)
    interpolation = _interpolation(interpolation)
    if _is_pil(img):
        resample = _PIL_FILTERS[interpolation]
        return img.transform(img.size, Image.Transform.PERSPECTIVE, coeffs, resample, fillcolor=_pil_fill(fill, img))
    a = img._data
    _check_grid_transform(a, interpolation, fill, "perspective")
    dtype = a.dtype if _is_float(a) else np.dtype(np.float32)
    grid = _perspective_grid(coeffs, a.shape[-1], a.shape[-2], dtype, _backend.xp_of(a))
    return _apply_grid_transform(img, grid, interpolation, fill)


def elastic_transform(img, displacement, interpolation=InterpolationMode.BILINEAR, fill=None):
    """Move every pixel by ``displacement`` (a (1, H, W, 2) tensor of offsets in grid_sample's [-1, 1] units).

    PIL images go through a uint8 tensor and come back, as in torchvision.
    """
    interpolation = _interpolation(interpolation)
    if not isinstance(displacement, Tensor):
        raise TypeError("Argument displacement should be a Tensor")
    _check_img(img)
    t_img = pil_to_tensor(img) if _is_pil(img) else img
    expected = (1,) + tuple(t_img.shape[-2:]) + (2,)
    if tuple(displacement.shape) != expected:
        raise ValueError(f"Argument displacement shape should be {list(expected)}, but given "
                         f"{list(displacement.shape)}")
    a = t_img._data
    _check_grid_transform(a, interpolation, fill, "elastic_transform")
    xp = _backend.xp_of(a)
    h, w = a.shape[-2:]
    ys = np.linspace((-h + 1) / h, (h - 1) / h, h, dtype=np.float32)
    xs = np.linspace((-w + 1) / w, (w - 1) / w, w, dtype=np.float32)
    identity = np.stack(np.meshgrid(xs, ys, indexing="xy"), axis=-1)[None]     # 1 x H x W x 2, (x, y) pairs
    d = displacement._data
    grid = xp.asarray(identity) + (d if _backend.xp_of(d) is xp else _backend.to_device(d, img.device.type))
    output = _apply_grid_transform(t_img, grid, interpolation, fill)
    return to_pil_image(output, mode=img.mode) if _is_pil(img) else output


# ---------------------------------------------------------------- colour

def _channels_check(a, permitted=(1, 3)):
    if a.ndim < 3:
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found {a.ndim}")
    c = a.shape[-3]
    if c not in permitted:
        raise TypeError(f"Input image tensor permitted channel values are {list(permitted)}, but found {c}")
    return c


def _gray_array(a):
    """0.2989 R + 0.587 G + 0.114 B in float (torchvision's weights); a (..., 1, H, W) array."""
    f = a if _is_float(a) else a.astype(np.float32)
    r, g, b = f[..., 0, :, :], f[..., 1, :, :], f[..., 2, :, :]
    return (0.2989 * r + 0.587 * g + 0.114 * b)[..., None, :, :]


def rgb_to_grayscale(img, num_output_channels=1):
    """Luma of an RGB image (1 or 3 identical output channels)."""
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if _is_pil(img):
        return to_grayscale(img, num_output_channels)
    a = _np(img)
    c = _channels_check(a)
    gray = a.copy() if c == 1 else _gray_array(a).astype(a.dtype)
    if num_output_channels == 3:
        gray = np.broadcast_to(gray, gray.shape[:-3] + (3,) + gray.shape[-2:]).copy()
    return _like(img, gray)


def to_grayscale(img, num_output_channels=1):
    if not _is_pil(img):
        return rgb_to_grayscale(img, num_output_channels)
    if num_output_channels == 1:
        return img.convert("L")
    if num_output_channels == 3:
        g = np.asarray(img.convert("L"))
        return Image.fromarray(np.dstack([g, g, g]), "RGB")
    raise ValueError("num_output_channels should be either 1 or 3")


def _blend(a, b, ratio):
    bound = 1.0 if _is_float(a) else 255.0
    out = np.clip(ratio * a + (1.0 - ratio) * b, 0, bound)
    return out.astype(a.dtype)


def _check_factor(name, factor):
    if factor < 0:
        raise ValueError(f"{name} ({factor}) is not non-negative.")


def adjust_brightness(img, brightness_factor):
    _check_factor("brightness_factor", brightness_factor)
    _check_img(img)
    if _is_pil(img):
        return ImageEnhance.Brightness(img).enhance(brightness_factor)
    a = _np(img)
    _channels_check(a)
    return _like(img, _blend(a, np.zeros_like(a), brightness_factor))


def adjust_contrast(img, contrast_factor):
    _check_factor("contrast_factor", contrast_factor)
    _check_img(img)
    if _is_pil(img):
        return ImageEnhance.Contrast(img).enhance(contrast_factor)
    a = _np(img)
    c = _channels_check(a)
    fdtype = a.dtype if _is_float(a) else np.float32
    gray = _gray_array(a).astype(a.dtype).astype(fdtype) if c == 3 else a.astype(fdtype)
    mean = gray.mean(axis=(-3, -2, -1), keepdims=True)
    return _like(img, _blend(a, mean, contrast_factor))


def adjust_saturation(img, saturation_factor):
    _check_factor("saturation_factor", saturation_factor)
    _check_img(img)
    if _is_pil(img):
        return ImageEnhance.Color(img).enhance(saturation_factor)
    a = _np(img)
    if _channels_check(a) == 1:
        return img
    return _like(img, _blend(a, _gray_array(a).astype(a.dtype), saturation_factor))


def _rgb2hsv(a):
    r, g, b = a[..., 0, :, :], a[..., 1, :, :], a[..., 2, :, :]
    maxc, minc = a.max(axis=-3), a.min(axis=-3)
    eqc = maxc == minc
    cr = maxc - minc
    ones = np.ones_like(maxc)
    s = cr / np.where(eqc, ones, maxc)
    cr_div = np.where(eqc, ones, cr)
    rc, gc, bc = (maxc - r) / cr_div, (maxc - g) / cr_div, (maxc - b) / cr_div
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = np.fmod((hr + hg + hb) / 6.0 + 1.0, 1.0)
    return h, s, maxc


def _hsv2rgb(h, s, v):
    i = np.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.astype(np.int32) % 6
    p = np.clip(v * (1.0 - s), 0.0, 1.0)
    q = np.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = np.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    conds = [i == k for k in range(6)]
    r = np.select(conds, [v, q, p, p, t, v])
    g = np.select(conds, [t, v, v, q, p, p])
    b = np.select(conds, [p, p, t, v, v, q])
    return np.stack([r, g, b], axis=-3)


def adjust_hue(img, hue_factor):
    """Shift the hue by ``hue_factor`` (a fraction of the colour wheel, in [-0.5, 0.5])."""
    if not (-0.5 <= hue_factor <= 0.5):
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    _check_img(img)
    if _is_pil(img):
        mode = img.mode
        if mode in {"L", "1", "I", "F"}:
            return img
        h, s, v = img.convert("HSV").split()
        np_h = np.array(h, dtype=np.uint8)
        np_h += np.uint8(int(hue_factor * 255) % 256)
        return Image.merge("HSV", (Image.fromarray(np_h), s, v)).convert(mode)
    a = _np(img)
    if _channels_check(a) == 1:
        return img
    work = a.astype(np.float32) / 255.0 if a.dtype == np.uint8 else a
    h, s, v = _rgb2hsv(work)
    h = np.fmod(h + hue_factor, 1.0)
    h = np.where(h < 0, h + 1.0, h)
    out = _hsv2rgb(h, s, v)
    if a.dtype == np.uint8:
        out = out * 255.0
    return _like(img, out.astype(a.dtype))


def _check_pil(img):
    if not _is_pil(img):
        raise TypeError(f"img should be PIL Image. Got {type(img)}")


def _bound(dtype):
    """The largest value of an image dtype: 1.0 for floats, the integer maximum otherwise."""
    return 1.0 if np.dtype(dtype).kind in "fc" else _max_value(dtype)


def invert(img):
    """``max - img`` for every channel (255 - v for uint8, 1.0 - v for float images)."""
    _check_img(img)
    if _is_pil(img):
        return ImageOps.invert(img)
    a = img._data
    _channels_check(a)
    return Tensor._wrap(_invert_array(a))


def _invert_array(a):
    return (_backend.xp_of(a).asarray(_bound(a.dtype), dtype=a.dtype) - a).astype(a.dtype, copy=False)


def posterize(img, bits):
    """Keep the ``bits`` most significant bits of every channel (PIL, or a uint8 tensor image (..., 1 or 3, H, W))."""
    if not (0 <= bits <= 8):
        raise ValueError(f"The number if bits should be between 0 and 8. Got {bits}")
    _check_img(img)
    if _is_pil(img):
        return ImageOps.posterize(img, bits)
    a = img._data
    _channels_check(a)
    if a.dtype != np.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}: "
                        "convert with transforms.functional.convert_image_dtype(img, torch.uint8) first")
    return Tensor._wrap(_posterize_array(a, bits))


def _posterize_array(a, bits):
    """uint8: clear the low 8 - bits bits; float (transforms.v2): floor to one of 2**bits levels."""
    xp = _backend.xp_of(a)
    if _is_float(a):
        levels = 1 << bits
        return (xp.clip(xp.floor(a * levels), 0, levels - 1) * (1.0 / levels)).astype(a.dtype, copy=False)
    return a & a.dtype.type((0xFF << (8 - bits)) & 0xFF)


def solarize(img, threshold):
    """Invert every pixel value at or above ``threshold``."""
    _check_img(img)
    if _is_pil(img):
        return ImageOps.solarize(img, threshold)
    a = img._data
    _channels_check(a)
    if threshold > _bound(a.dtype):
        raise TypeError(f"Threshold should be less than bound of img. Got threshold={threshold} for a {img.dtype} "
                        f"image whose values go up to {_bound(a.dtype)}")
    return Tensor._wrap(_backend.xp_of(a).where(a >= threshold, _invert_array(a), a))


def adjust_sharpness(img, sharpness_factor):
    """Blend with a smoothed copy: 0 gives the smoothed image, 1 the original, 2 twice as sharp.

    The smoothed copy is PIL's SMOOTH filter (3x3 kernel [[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13) on the interior
    pixels, the border kept, as PIL's ImageEnhance.Sharpness and torchvision's tensor kernel do.
    """
    if sharpness_factor < 0:
        raise ValueError(f"sharpness_factor ({sharpness_factor}) is not non-negative.")
    _check_img(img)
    if _is_pil(img):
        return ImageEnhance.Sharpness(img).enhance(sharpness_factor)
    a = img._data
    _channels_check(a)
    if a.shape[-1] <= 2 or a.shape[-2] <= 2:
        return img
    return Tensor._wrap(_blend_xp(a, _blurred_degenerate(a), sharpness_factor))


def _blurred_degenerate(a):
    xp = _backend.xp_of(a)
    fdtype = a.dtype if _is_float(a) else np.dtype(np.float32)
    kernel = np.ones((3, 3), dtype=fdtype)
    kernel[1, 1] = 5.0
    kernel /= kernel.sum()
    work = a.astype(fdtype)
    h, w = a.shape[-2:]
    inner = sum(kernel[i, j] * work[..., i:i + h - 2, j:j + w - 2] for i in range(3) for j in range(3))
    if not _is_float(a):
        inner = xp.round(inner)
    out = a.copy()
    out[..., 1:-1, 1:-1] = inner.astype(a.dtype)
    return out


def _blend_xp(a, b, ratio):
    """ratio * a + (1 - ratio) * b, clamped to the dtype's range and truncated back to it (torchvision's _blend)."""
    xp = _backend.xp_of(a)
    ratio = float(ratio)
    fdtype = a.dtype if _is_float(a) else np.dtype(np.float32)
    out = ratio * a.astype(fdtype) + (1.0 - ratio) * b.astype(fdtype)
    return xp.clip(out, 0, _bound(a.dtype)).astype(a.dtype)


def autocontrast(img):
    """Stretch every channel so that its darkest pixel becomes 0 and its lightest the maximum value."""
    _check_img(img)
    if _is_pil(img):
        return ImageOps.autocontrast(img)
    a = img._data
    _channels_check(a)
    xp = _backend.xp_of(a)
    bound = _bound(a.dtype)
    fdtype = a.dtype if _is_float(a) else np.dtype(np.float32)
    minimum = a.min(axis=(-2, -1), keepdims=True).astype(fdtype)
    maximum = a.max(axis=(-2, -1), keepdims=True).astype(fdtype)
    flat = maximum == minimum             # a constant channel stays as it is
    minimum = xp.where(flat, fdtype.type(0), minimum)
    # torchvision writes ``bound / (maximum - minimum)``: PyTorch evaluates number / tensor as reciprocal * number
    scale = xp.reciprocal(xp.where(flat, fdtype.type(1), maximum - minimum)) * fdtype.type(bound)
    scale = xp.where(flat, fdtype.type(1), scale)
    return Tensor._wrap(xp.clip((a - minimum) * scale, 0, bound).astype(a.dtype))


def equalize(img):
    """Histogram equalization of every channel (PIL's ImageOps.equalize; uint8 tensors (C, H, W) or (N, C, H, W))."""
    _check_img(img)
    if _is_pil(img):
        return ImageOps.equalize(img)
    a = img._data
    if not 3 <= a.ndim <= 4:
        raise TypeError(f"Input image tensor should have 3 or 4 dimensions, but found {a.ndim}")
    if a.dtype != np.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}: "
                        "convert with transforms.functional.convert_image_dtype(img, torch.uint8) first")
    _channels_check(a)
    return Tensor._wrap(_equalize_array(a))


def _equalize_array(a):
    """PIL's equalization of each (H, W) plane of a uint8 array (..., H, W).

    Per plane: ``step = (pixels - count of the brightest value) // 255``, and
    ``lut[v] = (pixels below v + step // 2) // step``; a plane with step 0
    (at most one value, or nearly so) is returned unchanged.
    """
    xp = _backend.xp_of(a)
    planes = a.reshape((-1,) + a.shape[-2:])
    out = planes.copy()
    for k in range(planes.shape[0]):
        hist = xp.bincount(planes[k].ravel(), minlength=256)
        nonzero = hist[hist != 0]
        step = int(nonzero[:-1].sum()) // 255
        if step == 0:
            continue
        lut = (xp.cumsum(hist) + step // 2) // step
        lut = xp.clip(xp.concatenate([xp.zeros(1, lut.dtype), lut[:-1]]), 0, 255).astype(np.uint8)
        out[k] = lut[planes[k].astype(np.int64)]
    return out.reshape(a.shape)


def adjust_gamma(img, gamma, gain=1):
    """``gain * img ** gamma`` on values scaled to [0, 1] (PIL images through a 256-entry lookup table)."""
    _check_img(img)
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    if _is_pil(img):
        mode = img.mode
        rgb = img.convert("RGB")
        table = [int((255 + 1 - 1e-3) * gain * pow(v / 255.0, gamma)) for v in range(256)] * 3
        return rgb.point(table).convert(mode)
    a = img._data
    _channels_check(a)
    import ember
    work = img if _is_float(a) else convert_image_dtype(img, ember.float32)
    w = work._data
    xp = _backend.xp_of(w)
    result = Tensor._wrap(xp.clip(gain * w ** w.dtype.type(gamma), 0, 1).astype(w.dtype, copy=False))
    return convert_image_dtype(result, img.dtype)

# ---------------------------------------------------------------- blur, erase

def _gaussian_kernel1d(kernel_size, sigma):
    half = (kernel_size - 1) * 0.5
    x = np.linspace(-half, half, kernel_size, dtype=np.float32)
    pdf = np.exp(-0.5 * (x / np.float32(sigma)) ** 2)
    return pdf / pdf.sum()


def gaussian_blur(img, kernel_size, sigma=None):
    """Gaussian blur with reflect padding (PIL images go through a tensor and come back, as in torchvision)."""
    if not isinstance(kernel_size, (int, list, tuple)):
        raise TypeError(f"kernel_size should be int or a sequence of integers. Got {type(kernel_size)}")
    if isinstance(kernel_size, int):
        kernel_size = [kernel_size, kernel_size]
    if len(kernel_size) != 2:
        raise ValueError(f"If kernel_size is a sequence its length should be 2. Got {len(kernel_size)}")
    for ksize in kernel_size:
        if ksize % 2 == 0 or ksize < 0:
            raise ValueError(f"kernel_size should have odd and positive integers. Got {kernel_size}")
    if sigma is None:
        sigma = [ksize * 0.15 + 0.35 for ksize in kernel_size]
    if isinstance(sigma, (int, float)):
        sigma = [float(sigma), float(sigma)]
    elif isinstance(sigma, (list, tuple)) and len(sigma) == 1:
        sigma = [float(sigma[0])] * 2
    if len(sigma) != 2:
        raise ValueError(f"If sigma is a sequence, its length should be 2. Got {len(sigma)}")
    for s in sigma:
        if s <= 0.0:
            raise ValueError(f"sigma should have positive values. Got {sigma}")
    _check_img(img)
    pil_mode = img.mode if _is_pil(img) else None
    t = pil_to_tensor(img) if _is_pil(img) else img
    a = _np(t)
    work = a.astype(np.float32) if not _is_float(a) else a
    kx, ky = kernel_size
    wx = _gaussian_kernel1d(kx, sigma[0]).astype(work.dtype)
    wy = _gaussian_kernel1d(ky, sigma[1]).astype(work.dtype)
    padded = _pad_array(work, [kx // 2, ky // 2, kx // 2, ky // 2], padding_mode="reflect")
    h, w = work.shape[-2:]
    rows = sum(wy[i] * padded[..., i:i + h, :] for i in range(ky))
    out = sum(wx[j] * rows[..., j:j + w] for j in range(kx))
    out = _cast_back(out, a.dtype) if not _is_float(a) else out.astype(a.dtype, copy=False)
    result = _like(t, out)
    return to_pil_image(result, mode=pil_mode) if pil_mode is not None else result


def erase(img, i, j, h, w, v, inplace=False):
    """Set the (h, w) region at (i, j) of a tensor image to ``v``."""
    if not isinstance(img, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")
    v = _np(v) if isinstance(v, Tensor) else np.asarray(v)
    if inplace:
        img._data[..., i:i + h, j:j + w] = _backend.to_device(v, img.device.type) if img.is_cuda else v
        img._version[0] += 1
        return img
    a = _np(img).copy()
    a[..., i:i + h, j:j + w] = v
    return _like(img, a)
