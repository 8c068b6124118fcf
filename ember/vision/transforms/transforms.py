"""Transform classes (``torchvision.transforms``): same names, arguments, defaults, errors and reprs.

Random transforms draw from Ember's global generator (see ``_rng``), so
``ember.manual_seed`` makes augmentation reproducible.

Batch fast path: ``batch_transform(transform, images)`` applies a transform to a
whole batch of uint8 images at once when every step allows it (``ToTensor``,
``PILToTensor``, ``ConvertImageDtype``, ``Normalize``, flips, ``CenterCrop``,
``RandomCrop``, ``Pad``), with results equal to the per-sample PIL path; the
in-memory datasets use it in ``__getitems__``.
"""
import math
import numbers
import random
import warnings
from collections.abc import Sequence

import numpy as np
from PIL import Image

from ember import _backend
from ember._tensor import Tensor

from . import _rng
from . import functional as F
from .functional import InterpolationMode, _interpolation

__all__ = [
    "Compose", "ToTensor", "PILToTensor", "ToPILImage", "ConvertImageDtype", "Normalize", "Resize",
    "CenterCrop", "RandomCrop", "RandomResizedCrop", "RandomHorizontalFlip", "RandomVerticalFlip",
    "RandomRotation", "RandomAffine", "ColorJitter", "Grayscale", "RandomGrayscale", "Pad", "Lambda",
    "RandomApply", "RandomChoice", "RandomOrder", "GaussianBlur", "RandomErasing", "FiveCrop", "TenCrop",
    "InterpolationMode", "batch_transform", "RandomPerspective", "RandomInvert", "RandomPosterize", "RandomSolarize",
    "RandomAdjustSharpness", "RandomAutocontrast", "RandomEqualize", "ElasticTransform", "LinearTransformation",
]


def _setup_size(size, error_msg):
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return size[0], size[0]
    if len(size) != 2:
        raise ValueError(error_msg)
    return size


def _check_sequence_input(x, name, req_sizes):
    msg = req_sizes[0] if len(req_sizes) < 2 else " or ".join(str(s) for s in req_sizes)
    if not isinstance(x, Sequence):
        raise TypeError(f"{name} should be a sequence of length {msg}.")
    if len(x) not in req_sizes:
        raise ValueError(f"{name} should be a sequence of length {msg}.")


def _setup_angle(x, name, req_sizes=(2,)):
    if isinstance(x, numbers.Number):
        if x < 0:
            raise ValueError(f"If {name} is a single number, it must be positive.")
        x = [-x, x]
    else:
        _check_sequence_input(x, name, req_sizes)
    return [float(d) for d in x]


def _fill_for(img, fill):
    """A number fill becomes one value per channel for tensors (torchvision does this in forward)."""
    if isinstance(img, Tensor) and isinstance(fill, (int, float)):
        return [float(fill)] * F.get_dimensions(img)[0]
    return fill


class _NotBatchable(Exception):
    """Raised by a step's batch check: use the per-sample path instead."""


class Compose:
    """Apply transforms one after the other."""

    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        s = self.__class__.__name__ + "("
        for t in self.transforms:
            s += f"\n    {t}"
        return s + "\n)"


class ToTensor:
    """PIL image / HWC ndarray -> CHW float tensor in [0, 1] (uint8 data is divided by 255)."""

    def __call__(self, pic):
        return F.to_tensor(pic)

    def __repr__(self):
        return f"{self.__class__.__name__}()"

    def _batch(self, x, state):
        if state != "image":
            raise _NotBatchable
        import ember
        return F._div255(x, ember.get_default_dtype()), "tensor"


class PILToTensor:
    """PIL image -> CHW tensor of the same dtype (uint8), without scaling."""

    def __call__(self, pic):
        return F.pil_to_tensor(pic)

    def __repr__(self):
        return f"{self.__class__.__name__}()"

    def _batch(self, x, state):
        if state != "image":
            raise _NotBatchable
        return x.copy(), "tensor"


class ToPILImage:
    """CHW tensor / HWC ndarray -> PIL image."""

    def __init__(self, mode=None):
        self.mode = mode

    def __call__(self, pic):
        return F.to_pil_image(pic, self.mode)

    def __repr__(self):
        s = self.__class__.__name__ + "("
        if self.mode is not None:
            s += f"mode={self.mode}"
        return s + ")"


class ConvertImageDtype:
    """Convert a tensor image to ``dtype``, rescaling the values."""

    def __init__(self, dtype):
        self.dtype = dtype

    def __call__(self, image):
        return F.convert_image_dtype(image, self.dtype)

    def __repr__(self):
        return f"{self.__class__.__name__}()"

    def _batch(self, x, state):
        if state != "tensor":
            raise _NotBatchable
        return F.convert_image_dtype(Tensor._wrap(x), self.dtype)._data, "tensor"


class Normalize:
    """(image - mean) / std per channel on a float tensor image.

    Give one value per channel: ``Normalize((0.5,), (0.5,))`` for 1-channel
    MNIST, ``Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))`` for RGB.
    """

    def __init__(self, mean, std, inplace=False):
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def __call__(self, tensor):
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def __repr__(self):
        return f"{self.__class__.__name__}(mean={self.mean}, std={self.std})"

    def _batch(self, x, state):
        if state != "tensor":
            raise _NotBatchable
        # checked against one sample, so a wrong number of means gives the per-sample error users know
        mean, std = F._normalize_stats(Tensor._wrap(x[0]), self.mean, self.std)
        xp = _backend.xp_of(x)
        xp.subtract(x, mean, out=x)     # in place on the batch ToTensor just made: one buffer, float32 throughout
        xp.divide(x, std, out=x)
        return x, "tensor"


class Resize:
    """Resize to ``size``: (h, w), or an int for the shorter side (the other keeps the aspect ratio)."""

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
        if not isinstance(size, (int, Sequence)):
            raise TypeError(f"Size should be int or sequence. Got {type(size)}")
        if isinstance(size, Sequence) and len(size) not in (1, 2):
            raise ValueError("If size is a sequence, it should have 1 or 2 values")
        self.size = size
        self.max_size = max_size
        self.interpolation = _interpolation(interpolation)
        self.antialias = antialias

    def __call__(self, img):
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self):
        return (f"{self.__class__.__name__}(size={self.size}, interpolation={self.interpolation.value}, "
                f"max_size={self.max_size}, antialias={self.antialias})")


class CenterCrop:
    """Crop the centre (h, w) region (zero-padded when the image is smaller)."""

    def __init__(self, size):
        self.size = _setup_size(size, error_msg="Please provide only two dimensions (h, w) for size.")

    def __call__(self, img):
        return F.center_crop(img, self.size)

    def __repr__(self):
        return f"{self.__class__.__name__}(size={self.size})"

    def _batch(self, x, state):
        return F.center_crop(Tensor._wrap(x), self.size)._data, state


class RandomCrop:
    """Crop a random (h, w) region, after optional padding (``pad_if_needed`` pads small images)."""

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        self.size = tuple(_setup_size(size, error_msg="Please provide only two dimensions (h, w) for size."))
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    @staticmethod
    def get_params(img, output_size):
        _, h, w = F.get_dimensions(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size {(h, w)}")
        if w == tw and h == th:
            return 0, 0, h, w
        i = _rng.randint(0, h - th + 1)
        j = _rng.randint(0, w - tw + 1)
        return i, j, th, tw

    def _padded(self, img):
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        _, height, width = F.get_dimensions(img)
        if self.pad_if_needed and width < self.size[1]:
            img = F.pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = F.pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        return img

    def __call__(self, img):
        img = self._padded(img)
        i, j, h, w = self.get_params(img, self.size)
        return F.crop(img, i, j, h, w)

    def __repr__(self):
        return f"{self.__class__.__name__}(size={self.size}, padding={self.padding})"

    def _batch(self, x, state):
        if isinstance(self.fill, (tuple, list)) and state == "tensor":
            raise _NotBatchable
        x = self._padded(Tensor._wrap(x))._data
        n, h, w = x.shape[0], x.shape[-2], x.shape[-1]
        th, tw = self.size
        if h < th or w < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size {(h, w)}")
        if (h, w) == (th, tw):
            return x, state
        rows, cols = _rng.randint(0, h - th + 1, n), _rng.randint(0, w - tw + 1, n)
        return np.stack([x[k, :, rows[k]:rows[k] + th, cols[k]:cols[k] + tw] for k in range(n)]), state


def _resized_crop_params(height, width, scale, ratio):
    """torchvision's algorithm: 10 tries at a random area and log-uniform aspect, else a central crop."""
    area = height * width
    for _ in range(10):
        target_area = area * _rng.uniform(scale[0], scale[1])
        aspect_ratio = _rng.log_uniform(ratio[0], ratio[1])
        w = int(round(math.sqrt(target_area * aspect_ratio)))
        h = int(round(math.sqrt(target_area / aspect_ratio)))
        if 0 < w <= width and 0 < h <= height:
            i = _rng.randint(0, height - h + 1)
            j = _rng.randint(0, width - w + 1)
            return i, j, h, w
    in_ratio = float(width) / float(height)
    if in_ratio < min(ratio):
        w = width
        h = int(round(w / min(ratio)))
    elif in_ratio > max(ratio):
        h = height
        w = int(round(h * max(ratio)))
    else:
        w, h = width, height
    return (height - h) // 2, (width - w) // 2, h, w


class RandomResizedCrop:
    """Crop a random area (fraction ``scale``, aspect ``ratio``) and resize it to ``size``."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0),
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
        self.size = _setup_size(size, error_msg="Please provide only two dimensions (h, w) for size.")
        if not isinstance(scale, Sequence):
            raise TypeError("Scale should be a sequence")
        if not isinstance(ratio, Sequence):
            raise TypeError("Ratio should be a sequence")
        if (scale[0] > scale[1]) or (ratio[0] > ratio[1]):
            warnings.warn("Scale and ratio should be of kind (min, max)")
        self.interpolation = _interpolation(interpolation)
        self.antialias = antialias
        self.scale = scale
        self.ratio = ratio

    @staticmethod
    def get_params(img, scale, ratio):
        """(top, left, height, width) of a random crop of ``img``: see ``_resized_crop_params``."""
        _, height, width = F.get_dimensions(img)
        return _resized_crop_params(height, width, scale, ratio)

    def __call__(self, img):
        i, j, h, w = self.get_params(img, self.scale, self.ratio)
        return F.resized_crop(img, i, j, h, w, self.size, self.interpolation, antialias=self.antialias)

    def __repr__(self):
        return (f"{self.__class__.__name__}(size={self.size}, scale={tuple(round(s, 4) for s in self.scale)}, "
                f"ratio={tuple(round(r, 4) for r in self.ratio)}, interpolation={self.interpolation.value}, "
                f"antialias={self.antialias})")


class _RandomFlip:
    _fn = None
    _axis = -1

    def __init__(self, p=0.5):
        self.p = p

    def __call__(self, img):
        if _rng.rand() < self.p:
            return type(self)._fn(img)
        return img

    def __repr__(self):
        return f"{self.__class__.__name__}(p={self.p})"

    def _batch(self, x, state):
        flip = _rng.rand(x.shape[0]) < self.p
        if flip.any():
            x = x.copy()
            x[flip] = np.flip(x[flip], axis=self._axis)
        return x, state


class RandomHorizontalFlip(_RandomFlip):
    """Flip left-right with probability ``p``."""
    _fn = staticmethod(F.hflip)
    _axis = -1


class RandomVerticalFlip(_RandomFlip):
    """Flip top-bottom with probability ``p``."""
    _fn = staticmethod(F.vflip)
    _axis = -2


class RandomRotation:
    """Rotate by a random angle in ``degrees`` ((-d, d) for a number)."""

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=0):
        self.degrees = _setup_angle(degrees, name="degrees", req_sizes=(2,))
        self.interpolation = _interpolation(interpolation)
        if center is not None:
            _check_sequence_input(center, "center", req_sizes=(2,))
        self.center = center
        if fill is None:
            fill = 0
        elif not isinstance(fill, (Sequence, numbers.Number)):
            raise TypeError("Fill should be either a sequence or a number.")
        self.fill = fill
        self.expand = expand

    @staticmethod
    def get_params(degrees):
        return float(_rng.uniform(float(degrees[0]), float(degrees[1])))

    def __call__(self, img):
        angle = self.get_params(self.degrees)
        return F.rotate(img, angle, self.interpolation, self.expand, self.center, _fill_for(img, self.fill))

    def __repr__(self):
        s = f"{self.__class__.__name__}(degrees={self.degrees}, interpolation={self.interpolation.value}, " \
            f"expand={self.expand}"
        if self.center is not None:
            s += f", center={self.center}"
        if self.fill is not None:
            s += f", fill={self.fill}"
        return s + ")"


def _check_translate_scale(translate, scale):
    """RandomAffine's checks of ``translate`` (fractions in [0, 1]) and ``scale`` (positive), v1 and v2."""
    if translate is not None:
        _check_sequence_input(translate, "translate", req_sizes=(2,))
        for t in translate:
            if not (0.0 <= t <= 1.0):
                raise ValueError("translation values should be between 0 and 1")
    if scale is not None:
        _check_sequence_input(scale, "scale", req_sizes=(2,))
        for s in scale:
            if s <= 0:
                raise ValueError("scale values should be positive")


class RandomAffine:
    """Random rotation, translation (fraction of the size), scale and shear, keeping the centre fixed."""

    def __init__(self, degrees, translate=None, scale=None, shear=None, interpolation=InterpolationMode.NEAREST,
                 fill=0, center=None):
        self.degrees = _setup_angle(degrees, name="degrees", req_sizes=(2,))
        _check_translate_scale(translate, scale)
        self.translate = translate
        self.scale = scale
        self.shear = _setup_angle(shear, name="shear", req_sizes=(2, 4)) if shear is not None else None
        self.interpolation = _interpolation(interpolation)
        if fill is None:
            fill = 0
        elif not isinstance(fill, (Sequence, numbers.Number)):
            raise TypeError("Fill should be either a sequence or a number.")
        self.fill = fill
        if center is not None:
            _check_sequence_input(center, "center", req_sizes=(2,))
        self.center = center

    @staticmethod
    def get_params(degrees, translate, scale_ranges, shears, img_size):
        angle = float(_rng.uniform(float(degrees[0]), float(degrees[1])))
        if translate is not None:
            max_dx = float(translate[0] * img_size[0])
            max_dy = float(translate[1] * img_size[1])
            translations = (int(round(_rng.uniform(-max_dx, max_dx))), int(round(_rng.uniform(-max_dy, max_dy))))
        else:
            translations = (0, 0)
        scale = float(_rng.uniform(scale_ranges[0], scale_ranges[1])) if scale_ranges is not None else 1.0
        shear_x = shear_y = 0.0
        if shears is not None:
            shear_x = float(_rng.uniform(shears[0], shears[1]))
            if len(shears) == 4:
                shear_y = float(_rng.uniform(shears[2], shears[3]))
        return angle, translations, scale, (shear_x, shear_y)

    def __call__(self, img):
        fill = _fill_for(img, self.fill)
        img_size = F.get_image_size(img)
        ret = self.get_params(self.degrees, self.translate, self.scale, self.shear, img_size)
        return F.affine(img, *ret, interpolation=self.interpolation, fill=fill, center=self.center)

    def __repr__(self):
        s = f"{self.__class__.__name__}(degrees={self.degrees}"
        s += f", translate={self.translate}" if self.translate is not None else ""
        s += f", scale={self.scale}" if self.scale is not None else ""
        s += f", shear={self.shear}" if self.shear is not None else ""
        s += f", interpolation={self.interpolation.value}" if self.interpolation != InterpolationMode.NEAREST else ""
        s += f", fill={self.fill}" if self.fill != 0 else ""
        s += f", center={self.center}" if self.center is not None else ""
        return s + ")"


class ColorJitter:
    """Randomly change brightness, contrast, saturation and hue, in a random order."""

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0):
        self.brightness = self._check_input(brightness, "brightness")
        self.contrast = self._check_input(contrast, "contrast")
        self.saturation = self._check_input(saturation, "saturation")
        self.hue = self._check_input(hue, "hue", center=0, bound=(-0.5, 0.5), clip_first_on_zero=False)

    @staticmethod
    def _check_input(value, name, center=1, bound=(0, float("inf")), clip_first_on_zero=True):
        if isinstance(value, numbers.Number):
            if value < 0:
                raise ValueError(f"If {name} is a single number, it must be non negative.")
            value = [center - float(value), center + float(value)]
            if clip_first_on_zero:
                value[0] = max(value[0], 0.0)
        elif isinstance(value, (tuple, list)) and len(value) == 2:
            value = [float(value[0]), float(value[1])]
        else:
            raise TypeError(f"{name} should be a single number or a list/tuple with length 2.")
        if not bound[0] <= value[0] <= value[1] <= bound[1]:
            raise ValueError(f"{name} values should be between {bound}, but got {value}.")
        if value[0] == value[1] == center:
            return None
        return tuple(value)

    @staticmethod
    def get_params(brightness, contrast, saturation, hue):
        fn_idx = _rng.randperm(4)
        b = None if brightness is None else float(_rng.uniform(brightness[0], brightness[1]))
        c = None if contrast is None else float(_rng.uniform(contrast[0], contrast[1]))
        s = None if saturation is None else float(_rng.uniform(saturation[0], saturation[1]))
        h = None if hue is None else float(_rng.uniform(hue[0], hue[1]))
        return fn_idx, b, c, s, h

    def __call__(self, img):
        fn_idx, b, c, s, h = self.get_params(self.brightness, self.contrast, self.saturation, self.hue)
        for fn_id in fn_idx:
            if fn_id == 0 and b is not None:
                img = F.adjust_brightness(img, b)
            elif fn_id == 1 and c is not None:
                img = F.adjust_contrast(img, c)
            elif fn_id == 2 and s is not None:
                img = F.adjust_saturation(img, s)
            elif fn_id == 3 and h is not None:
                img = F.adjust_hue(img, h)
        return img

    def __repr__(self):
        return (f"{self.__class__.__name__}(brightness={self.brightness}, contrast={self.contrast}, "
                f"saturation={self.saturation}, hue={self.hue})")


class Grayscale:
    """Convert to grayscale with 1 or 3 (identical) channels."""

    def __init__(self, num_output_channels=1):
        self.num_output_channels = num_output_channels

    def __call__(self, img):
        return F.rgb_to_grayscale(img, num_output_channels=self.num_output_channels)

    def __repr__(self):
        return f"{self.__class__.__name__}(num_output_channels={self.num_output_channels})"


class RandomGrayscale:
    """Convert to grayscale with probability ``p``, keeping the number of channels."""

    def __init__(self, p=0.1):
        self.p = p

    def __call__(self, img):
        num_output_channels = F.get_dimensions(img)[0]
        if _rng.rand() < self.p:
            return F.rgb_to_grayscale(img, num_output_channels=num_output_channels)
        return img

    def __repr__(self):
        return f"{self.__class__.__name__}(p={self.p})"


class Pad:
    """Pad the borders: int, (left/right, top/bottom) or (left, top, right, bottom)."""

    def __init__(self, padding, fill=0, padding_mode="constant"):
        if not isinstance(padding, (numbers.Number, tuple, list)):
            raise TypeError("Got inappropriate padding arg")
        if not isinstance(fill, (numbers.Number, tuple, list)):
            raise TypeError("Got inappropriate fill arg")
        if padding_mode not in ["constant", "edge", "reflect", "symmetric"]:
            raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
        if isinstance(padding, Sequence) and len(padding) not in [1, 2, 4]:
            raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} "
                             "element tuple")
        self.padding = padding
        self.fill = fill
        self.padding_mode = padding_mode

    def __call__(self, img):
        return F.pad(img, self.padding, self.fill, self.padding_mode)

    def __repr__(self):
        return f"{self.__class__.__name__}(padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode})"

    def _batch(self, x, state):
        return F.pad(Tensor._wrap(x), self.padding, self.fill, self.padding_mode)._data, state


class Lambda:
    """Apply a user function as a transform."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class RandomTransforms:
    """Base of RandomChoice and RandomOrder."""

    def __init__(self, transforms):
        if not isinstance(transforms, Sequence):
            raise TypeError("Argument transforms should be a sequence")
        self.transforms = transforms

    def __repr__(self):
        s = self.__class__.__name__ + "("
        for t in self.transforms:
            s += f"\n    {t}"
        return s + "\n)"


class RandomApply(RandomTransforms):
    """Apply all the transforms with probability ``p`` (or none of them)."""

    def __init__(self, transforms, p=0.5):
        self.transforms = transforms
        self.p = p

    def __call__(self, img):
        if self.p < _rng.rand():
            return img
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        s = self.__class__.__name__ + "("
        s += f"\n    p={self.p}"
        for t in self.transforms:
            s += f"\n    {t}"
        return s + "\n)"


class RandomChoice(RandomTransforms):
    """Apply one transform picked at random (weights ``p``)."""

    def __init__(self, transforms, p=None):
        super().__init__(transforms)
        if p is not None and not isinstance(p, Sequence):
            raise TypeError("Argument p should be a sequence")
        self.p = p

    def __call__(self, *args):
        # torchvision v1 draws this one from Python's ``random`` module (seed it with random.seed), not from torch
        return random.choices(self.transforms, weights=self.p)[0](*args)

    def __repr__(self):
        return f"{super().__repr__()}(p={self.p})"


class RandomOrder(RandomTransforms):
    """Apply the transforms in a random order."""

    def __call__(self, img):
        order = list(range(len(self.transforms)))
        random.shuffle(order)        # Python's ``random``, as torchvision v1 does
        for i in order:
            img = self.transforms[i](img)
        return img


class GaussianBlur:
    """Blur with a Gaussian kernel whose sigma is drawn from ``sigma`` = (min, max)."""

    def __init__(self, kernel_size, sigma=(0.1, 2.0)):
        self.kernel_size = _setup_size(kernel_size, "Kernel size should be a tuple/list of two integers")
        for ks in self.kernel_size:
            if ks <= 0 or ks % 2 == 0:
                raise ValueError("Kernel size value should be an odd and positive number.")
        if isinstance(sigma, numbers.Number):
            if sigma <= 0:
                raise ValueError("If sigma is a single number, it must be positive.")
            sigma = (sigma, sigma)
        elif isinstance(sigma, Sequence) and len(sigma) == 2:
            if not 0.0 < sigma[0] <= sigma[1]:
                raise ValueError("sigma values should be positive and of the form (min, max).")
        else:
            raise TypeError("sigma should be a single number or a list/tuple with length 2.")
        self.sigma = sigma

    @staticmethod
    def get_params(sigma_min, sigma_max):
        return _rng.uniform(sigma_min, sigma_max)

    def __call__(self, img):
        sigma = self.get_params(self.sigma[0], self.sigma[1])
        return F.gaussian_blur(img, self.kernel_size, [sigma, sigma])

    def __repr__(self):
        return f"{self.__class__.__name__}(kernel_size={self.kernel_size}, sigma={self.sigma})"


class RandomErasing:
    """With probability ``p``, erase a random rectangle of a tensor image (area ``scale``, aspect ``ratio``)."""

    def __init__(self, p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace=False):
        if not isinstance(value, (numbers.Number, str, tuple, list)):
            raise TypeError("Argument value should be either a number or str or a sequence")
        if isinstance(value, str) and value != "random":
            raise ValueError("If value is str, it should be 'random'")
        if not isinstance(scale, Sequence):
            raise TypeError("Scale should be a sequence")
        if not isinstance(ratio, Sequence):
            raise TypeError("Ratio should be a sequence")
        if (scale[0] > scale[1]) or (ratio[0] > ratio[1]):
            warnings.warn("Scale and ratio should be of kind (min, max)")
        if scale[0] < 0 or scale[1] > 1:
            raise ValueError("Scale should be between 0 and 1")
        if p < 0 or p > 1:
            raise ValueError("Random erasing probability should be between 0 and 1")
        self.p, self.scale, self.ratio, self.value, self.inplace = p, scale, ratio, value, inplace

    @staticmethod
    def get_params(img, scale, ratio, value=None):
        img_c, img_h, img_w = img.shape[-3], img.shape[-2], img.shape[-1]
        area = img_h * img_w
        for _ in range(10):
            erase_area = area * _rng.uniform(scale[0], scale[1])
            aspect_ratio = _rng.log_uniform(ratio[0], ratio[1])
            h = int(round(math.sqrt(erase_area * aspect_ratio)))
            w = int(round(math.sqrt(erase_area / aspect_ratio)))
            if not (h < img_h and w < img_w):
                continue
            if value is None:
                v = _rng.normal((img_c, h, w))
            else:
                v = np.asarray(value, dtype=np.float32)[:, None, None]
            i = _rng.randint(0, img_h - h + 1)
            j = _rng.randint(0, img_w - w + 1)
            return i, j, h, w, v
        return 0, 0, img_h, img_w, img

    def __call__(self, img):
        if _rng.rand() < self.p:
            if isinstance(self.value, (int, float)):
                value = [float(self.value)]
            elif isinstance(self.value, str):
                value = None
            elif isinstance(self.value, tuple):
                value = list(self.value)
            else:
                value = self.value
            if not isinstance(img, Tensor):
                raise TypeError(f"img should be Tensor Image. Got {type(img)}")
            if value is not None and len(value) not in (1, img.shape[-3]):
                raise ValueError("If value is a sequence, it should have either a single value or "
                                 f"{img.shape[-3]} (number of input channels)")
            x, y, h, w, v = self.get_params(img, scale=self.scale, ratio=self.ratio, value=value)
            return F.erase(img, x, y, h, w, v, self.inplace)
        return img

    def __repr__(self):
        return (f"{self.__class__.__name__}(p={self.p}, scale={self.scale}, ratio={self.ratio}, "
                f"value={self.value}, inplace={self.inplace})")


class FiveCrop:
    """The four corners and the centre, as a tuple of 5 images."""

    def __init__(self, size):
        self.size = _setup_size(size, error_msg="Please provide only two dimensions (h, w) for size.")

    def __call__(self, img):
        return F.five_crop(img, self.size)

    def __repr__(self):
        return f"{self.__class__.__name__}(size={self.size})"


class TenCrop:
    """FiveCrop of the image and of its flipped copy, as a tuple of 10 images."""

    def __init__(self, size, vertical_flip=False):
        self.size = _setup_size(size, error_msg="Please provide only two dimensions (h, w) for size.")
        self.vertical_flip = vertical_flip

    def __call__(self, img):
        return F.ten_crop(img, self.size, self.vertical_flip)

    def __repr__(self):
        return f"{self.__class__.__name__}(size={self.size}, vertical_flip={self.vertical_flip})"


def _tensor_fill_list(img, fill):
    """torchvision's fill for resampling a tensor: one float per channel (a number is repeated)."""
    if not isinstance(img, Tensor):
        return fill
    if isinstance(fill, (int, float)):
        return [float(fill)] * F.get_dimensions(img)[0]
    return [float(f) for f in fill]


class RandomPerspective:
    """With probability ``p``, a perspective warp moving each corner inwards by up to ``distortion_scale`` of half
    the image size."""

    def __init__(self, distortion_scale=0.5, p=0.5, interpolation=InterpolationMode.BILINEAR, fill=0):
        self.p = p
        self.interpolation = _interpolation(interpolation)
        self.distortion_scale = distortion_scale
        if fill is None:
            fill = 0
        elif not isinstance(fill, (Sequence, numbers.Number)):
            raise TypeError("Fill should be either a sequence or a number.")
        self.fill = fill

    def __call__(self, img):
        _, height, width = F.get_dimensions(img)
        fill = _tensor_fill_list(img, self.fill)
        if _rng.rand() < self.p:
            startpoints, endpoints = self.get_params(width, height, self.distortion_scale)
            return F.perspective(img, startpoints, endpoints, self.interpolation, fill)
        return img

    @staticmethod
    def get_params(width, height, distortion_scale):
        """Corners [top-left, top-right, bottom-right, bottom-left] of the image and where they move to."""
        half_height, half_width = height // 2, width // 2
        dx, dy = int(distortion_scale * half_width), int(distortion_scale * half_height)
        topleft = [_rng.randint(0, dx + 1), _rng.randint(0, dy + 1)]
        topright = [_rng.randint(width - dx - 1, width), _rng.randint(0, dy + 1)]
        botright = [_rng.randint(width - dx - 1, width), _rng.randint(height - dy - 1, height)]
        botleft = [_rng.randint(0, dx + 1), _rng.randint(height - dy - 1, height)]
        startpoints = [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]]
        return startpoints, [topleft, topright, botright, botleft]

    def __repr__(self):
        return f"{self.__class__.__name__}(p={self.p})"


class _RandomColorOp:
    """Apply ``_op`` with probability ``p`` (the Random* versions of invert, posterize, solarize, ...)."""

    def __init__(self, p=0.5):
        self.p = p

    def __call__(self, img):
        if _rng.rand() < self.p:
            return self._op(img)
        return img

    def __repr__(self):
        return f"{self.__class__.__name__}(p={self.p})"


class RandomInvert(_RandomColorOp):
    """Invert the colours with probability ``p``."""

    def _op(self, img):
        return F.invert(img)


class RandomPosterize(_RandomColorOp):
    """Keep ``bits`` bits per channel with probability ``p``."""

    def __init__(self, bits, p=0.5):
        super().__init__(p)
        self.bits = bits

    def _op(self, img):
        return F.posterize(img, self.bits)

    def __repr__(self):
        return f"{self.__class__.__name__}(bits={self.bits},p={self.p})"


class RandomSolarize(_RandomColorOp):
    """Invert the pixels at or above ``threshold`` with probability ``p``."""

    def __init__(self, threshold, p=0.5):
        super().__init__(p)
        self.threshold = threshold

    def _op(self, img):
        return F.solarize(img, self.threshold)

    def __repr__(self):
        return f"{self.__class__.__name__}(threshold={self.threshold},p={self.p})"


class RandomAdjustSharpness(_RandomColorOp):
    """Change the sharpness by ``sharpness_factor`` with probability ``p``."""

    def __init__(self, sharpness_factor, p=0.5):
        super().__init__(p)
        self.sharpness_factor = sharpness_factor

    def _op(self, img):
        return F.adjust_sharpness(img, self.sharpness_factor)

    def __repr__(self):
        return f"{self.__class__.__name__}(sharpness_factor={self.sharpness_factor},p={self.p})"


class RandomAutocontrast(_RandomColorOp):
    """Autocontrast with probability ``p``."""

    def _op(self, img):
        return F.autocontrast(img)


class RandomEqualize(_RandomColorOp):
    """Equalize the histogram with probability ``p``."""

    def _op(self, img):
        return F.equalize(img)


def _two_floats(value, name):
    """ElasticTransform's alpha/sigma: a float or a sequence of two floats, as a list of two floats."""
    if not isinstance(value, (float, Sequence)):
        raise TypeError(f"{name} should be float or a sequence of floats. Got {type(value)}")
    if isinstance(value, Sequence) and len(value) != 2:
        raise ValueError(f"If {name} is a sequence its length should be 2. Got {len(value)}")
    if isinstance(value, Sequence):
        for element in value:
            if not isinstance(element, float):
                raise TypeError(f"{name} should be a sequence of floats. Got {type(element)}")
    if isinstance(value, float):
        return [float(value), float(value)]
    return list(value)


class ElasticTransform:
    """Elastic distortion: random pixel offsets, smoothed by a Gaussian of ``sigma`` and scaled by ``alpha``.

    ``alpha`` and ``sigma`` are floats (or pairs of floats for x and y), as in torchvision.
    """

    def __init__(self, alpha=50.0, sigma=5.0, interpolation=InterpolationMode.BILINEAR, fill=0):
        self.alpha = _two_floats(alpha, "alpha")
        self.sigma = _two_floats(sigma, "sigma")
        self.interpolation = _interpolation(interpolation)
        if isinstance(fill, (int, float)):
            fill = [float(fill)]
        elif isinstance(fill, (list, tuple)):
            fill = [float(f) for f in fill]
        else:
            raise TypeError(f"fill should be int or float or a list or tuple of them. Got {type(fill)}")
        self.fill = fill

    @staticmethod
    def get_params(alpha, sigma, size):
        """A (1, H, W, 2) displacement tensor for an image of ``size`` [H, W]."""
        import ember
        offsets = []
        for k in range(2):
            d = _rng.rand_tensor([1, 1] + list(size)) * 2 - 1
            if sigma[k] > 0.0:
                ksize = int(8 * sigma[k] + 1)
                ksize += 1 - ksize % 2          # an odd kernel size
                d = F.gaussian_blur(d, [ksize, ksize], sigma)
            offsets.append(d * alpha[k] / size[0 if k == 0 else 1])
        return ember.cat(offsets, 1).permute([0, 2, 3, 1])

    def __call__(self, tensor):
        _, height, width = F.get_dimensions(tensor)
        displacement = self.get_params(self.alpha, self.sigma, [height, width])
        return F.elastic_transform(tensor, displacement, self.interpolation, self.fill)

    def __repr__(self):
        return (f"{self.__class__.__name__}(alpha={self.alpha}, sigma={self.sigma}, "
                f"interpolation={self.interpolation}, fill={self.fill})")


class LinearTransformation:
    """Flatten each (C, H, W) image, subtract ``mean_vector`` and multiply by the square ``transformation_matrix``
    (e.g. ZCA whitening), then restore the shape."""

    def __init__(self, transformation_matrix, mean_vector):
        if transformation_matrix.size(0) != transformation_matrix.size(1):
            raise ValueError("transformation_matrix should be square. Got "
                             f"{tuple(transformation_matrix.size())} rectangular matrix.")
        if mean_vector.size(0) != transformation_matrix.size(0):
            raise ValueError(f"mean_vector should have the same length {mean_vector.size(0)} as any one of the "
                             f"dimensions of the transformation_matrix [{tuple(transformation_matrix.size())}]")
        if transformation_matrix.device != mean_vector.device:
            raise ValueError(f"Input tensors should be on the same device. Got {transformation_matrix.device} and "
                             f"{mean_vector.device}")
        if transformation_matrix.dtype != mean_vector.dtype:
            raise ValueError(f"Input tensors should have the same dtype. Got {transformation_matrix.dtype} and "
                             f"{mean_vector.dtype}")
        self.transformation_matrix = transformation_matrix
        self.mean_vector = mean_vector

    def __call__(self, tensor):
        import ember
        shape = tensor.shape
        n = shape[-3] * shape[-2] * shape[-1]
        if n != self.transformation_matrix.shape[0]:
            raise ValueError("Input tensor and transformation matrix have incompatible shape."
                             f"[{shape[-3]} x {shape[-2]} x {shape[-1]}] != {self.transformation_matrix.shape[0]}")
        if tensor.device.type != self.mean_vector.device.type:
            raise ValueError("Input tensor should be on the same device as transformation matrix and mean vector. "
                             f"Got {tensor.device} vs {self.mean_vector.device}")
        flat = tensor.reshape(-1, n) - self.mean_vector
        transformed = ember.mm(flat, self.transformation_matrix.to(flat.dtype))
        return transformed.reshape(shape)

    def __repr__(self):
        return (f"{self.__class__.__name__}(transformation_matrix={self.transformation_matrix.tolist()}, "
                f"mean_vector={self.mean_vector.tolist()})")


def batch_transform(transform, images):
    """Apply ``transform`` to a batch of uint8 images (N, C, H, W) at once, or return None.

    ``images`` hold what the per-sample path would give as PIL images (MNIST:
    C=1; CIFAR: C=3). Returns the transformed array (N, ...) when every step
    of ``transform`` (a Compose, or a single transform) has a batch form and
    the result is a tensor; None means: use the per-sample path.
    """
    if transform is None:
        return None
    steps = transform.transforms if isinstance(transform, Compose) else [transform]
    if not steps or not all(hasattr(t, "_batch") for t in steps):
        return None
    # dry run on the state alone, so nothing random is drawn before we know the batch path applies
    state = "image"
    for t in steps:
        if isinstance(t, (ToTensor, PILToTensor)):
            if state != "image":
                return None
            state = "tensor"
        elif isinstance(t, (Normalize, ConvertImageDtype)) and state != "tensor":
            return None
    if state != "tensor":
        return None
    x, state = images, "image"
    for t in steps:
        x, state = t._batch(x, state)
    return x
