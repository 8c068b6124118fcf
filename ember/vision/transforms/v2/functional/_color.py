"""Colour functionals for images and videos (the v1 kernels; float images also for posterize and equalize).

Masks and boxes have no colour: these functionals refuse them, and the v2 transforms pass them through.
"""
import numpy as np
import PIL.Image

from ember._tensor import Tensor
from ember.vision.transforms import functional as _F

from ._utils import _dispatch, _register_image_kernels

__all__ = ["adjust_brightness", "adjust_contrast", "adjust_saturation", "adjust_hue", "adjust_gamma",
           "adjust_sharpness", "autocontrast", "equalize", "invert", "posterize", "solarize", "rgb_to_grayscale",
           "to_grayscale", "grayscale_to_rgb"]


def adjust_brightness(inpt, brightness_factor):
    return _dispatch(adjust_brightness, inpt, brightness_factor=brightness_factor)


def adjust_contrast(inpt, contrast_factor):
    return _dispatch(adjust_contrast, inpt, contrast_factor=contrast_factor)


def adjust_saturation(inpt, saturation_factor):
    return _dispatch(adjust_saturation, inpt, saturation_factor=saturation_factor)


def adjust_hue(inpt, hue_factor):
    return _dispatch(adjust_hue, inpt, hue_factor=hue_factor)


def adjust_gamma(inpt, gamma, gain=1):
    return _dispatch(adjust_gamma, inpt, gamma=gamma, gain=gain)


def adjust_sharpness(inpt, sharpness_factor):
    return _dispatch(adjust_sharpness, inpt, sharpness_factor=sharpness_factor)


def autocontrast(inpt):
    return _dispatch(autocontrast, inpt)


def equalize(inpt):
    """Histogram equalization; float images are equalized through uint8, as torchvision v2 does."""
    return _dispatch(equalize, inpt)


def invert(inpt):
    return _dispatch(invert, inpt)


def posterize(inpt, bits):
    """Keep ``bits`` bits per channel (integer images), or 2**bits levels (float images)."""
    return _dispatch(posterize, inpt, bits=bits)


def solarize(inpt, threshold):
    return _dispatch(solarize, inpt, threshold=threshold)


def rgb_to_grayscale(inpt, num_output_channels=1):
    return _dispatch(rgb_to_grayscale, inpt, num_output_channels=num_output_channels)


to_grayscale = rgb_to_grayscale


def grayscale_to_rgb(inpt):
    """A 1-channel image repeated into 3 channels (3-channel images are returned as they are)."""
    return _dispatch(grayscale_to_rgb, inpt)


_NUM_VALUE_BITS = {np.dtype(np.uint8): 8, np.dtype(np.int8): 7, np.dtype(np.int16): 15, np.dtype(np.uint16): 16,
                   np.dtype(np.int32): 31, np.dtype(np.int64): 63}


def _posterize_kernel(image, bits):
    if isinstance(image, PIL.Image.Image):
        return _F.posterize(image, bits)
    a = image._data
    if a.dtype.kind == "f":
        return Tensor._wrap(_F._posterize_array(a, bits))
    value_bits = _NUM_VALUE_BITS[np.dtype(a.dtype)]
    if bits >= value_bits:
        return image
    mask = ((1 << bits) - 1) << (value_bits - bits)
    return Tensor._wrap(a & a.dtype.type(mask))


def _equalize_kernel(image):
    if isinstance(image, PIL.Image.Image):
        return _F.equalize(image)
    import ember
    from ._misc import to_dtype
    if image.numel() == 0:
        return image
    as_uint8 = to_dtype(image, ember.uint8, scale=True)
    out = Tensor._wrap(_F._equalize_array(as_uint8._data))
    return to_dtype(out, image.dtype, scale=True)


def _grayscale_to_rgb_kernel(image):
    if isinstance(image, PIL.Image.Image):
        return image.convert(mode="RGB")
    if image.shape[-3] >= 3:
        return image
    return image.repeat(*([1] * (image.ndim - 3)), 3, 1, 1)


_register_image_kernels(adjust_brightness, _F.adjust_brightness)
_register_image_kernels(adjust_contrast, _F.adjust_contrast)
_register_image_kernels(adjust_saturation, _F.adjust_saturation)
_register_image_kernels(adjust_hue, _F.adjust_hue)
_register_image_kernels(adjust_gamma, _F.adjust_gamma)
_register_image_kernels(adjust_sharpness, _F.adjust_sharpness)
_register_image_kernels(autocontrast, _F.autocontrast)
_register_image_kernels(equalize, _equalize_kernel)
_register_image_kernels(invert, _F.invert)
_register_image_kernels(posterize, _posterize_kernel)
_register_image_kernels(solarize, _F.solarize)
_register_image_kernels(rgb_to_grayscale, _F.rgb_to_grayscale)
_register_image_kernels(grayscale_to_rgb, _grayscale_to_rgb_kernel)
