"""Learned and random augmentation policies (``torchvision.transforms.autoaugment``).

AutoAugment, RandAugment, TrivialAugmentWide and AugMix pick operations and
magnitudes with the draws torchvision makes, in the same order, from Ember's
generator (see ``_rng``). The operations themselves are the functional ones
(``functional.affine``, ``posterize``, ...). Images: PIL ("L" or "RGB") or
uint8 tensors (..., 1 or 3, H, W).
"""
import math
from enum import Enum

import numpy as np

from ember._tensor import Tensor

from . import _rng
from . import functional as F
from .functional import InterpolationMode, _interpolation

__all__ = ["AutoAugmentPolicy", "AutoAugment", "RandAugment", "TrivialAugmentWide", "AugMix"]


def _apply_op(img, op_name, magnitude, interpolation, fill, functional=F):
    """One named operation at ``magnitude`` (shears are slopes, translations pixels, rotations degrees), done with
    ``functional`` (transforms.functional, or transforms.v2.functional for tv_tensors)."""
    F = functional  # noqa: N806
    if op_name == "ShearX":
        # the policies give the slope; torchvision's affine takes the shear angle (its matrix uses tan(angle))
        return F.affine(img, angle=0.0, translate=[0, 0], scale=1.0, shear=[math.degrees(math.atan(magnitude)), 0.0],
                        interpolation=interpolation, fill=fill, center=[0, 0])
    if op_name == "ShearY":
        return F.affine(img, angle=0.0, translate=[0, 0], scale=1.0, shear=[0.0, math.degrees(math.atan(magnitude))],
                        interpolation=interpolation, fill=fill, center=[0, 0])
    if op_name == "TranslateX":
        return F.affine(img, angle=0.0, translate=[int(magnitude), 0], scale=1.0, interpolation=interpolation,
                        shear=[0.0, 0.0], fill=fill)
    if op_name == "TranslateY":
        return F.affine(img, angle=0.0, translate=[0, int(magnitude)], scale=1.0, interpolation=interpolation,
                        shear=[0.0, 0.0], fill=fill)
    if op_name == "Rotate":
        return F.rotate(img, magnitude, interpolation=interpolation, fill=fill)
    if op_name == "Brightness":
        return F.adjust_brightness(img, 1.0 + magnitude)
    if op_name == "Color":
        return F.adjust_saturation(img, 1.0 + magnitude)
    if op_name == "Contrast":
        return F.adjust_contrast(img, 1.0 + magnitude)
    if op_name == "Sharpness":
        return F.adjust_sharpness(img, 1.0 + magnitude)
    if op_name == "Posterize":
        return F.posterize(img, int(magnitude))
    if op_name == "Solarize":
        return F.solarize(img, magnitude)
    if op_name == "AutoContrast":
        return F.autocontrast(img)
    if op_name == "Equalize":
        return F.equalize(img)
    if op_name == "Invert":
        return F.invert(img)
    if op_name == "Identity":
        return img
    raise ValueError(f"The provided operator {op_name} is not recognized.")


def _linspace(start, end, steps):
    """``torch.linspace(start, end, steps)`` values (float32) as Python floats."""
    import ember
    return ember.linspace(start, end, steps).tolist()


def _posterize_bits(num_bins, top, divisions):
    """``top - (torch.arange(num_bins) / ((num_bins - 1) / divisions)).round().int()`` (round half to even)."""
    ratio = np.arange(num_bins).astype(np.float32) / np.float32((num_bins - 1) / divisions)
    return [int(top - v) for v in np.round(ratio)]


def _fill_for_tensor(img, fill):
    """A number becomes one float per channel for tensor images; PIL images take ``fill`` as given."""
    if isinstance(img, Tensor):
        if isinstance(fill, (int, float)):
            return [float(fill)] * F.get_image_num_channels(img)
        if fill is not None:
            return [float(f) for f in fill]
    return fill


def _magnitude(magnitudes, index):
    return float(magnitudes[index]) if magnitudes is not None else 0.0


def _standard_space(bins, height, width, translate=150.0 / 331.0, top=8, solarize_max=255.0):
    """The magnitude tables AutoAugment and RandAugment share (v1 and v2), in torchvision's op order:
    op name -> (magnitudes or None, signed). ``top``: Posterize's bits at bin 0; ``solarize_max``: the
    Solarize threshold at bin 0 (255 for v1's uint8 scale, 1.0 for v2)."""
    return {
        "ShearX": (_linspace(0.0, 0.3, bins), True),
        "ShearY": (_linspace(0.0, 0.3, bins), True),
        "TranslateX": (_linspace(0.0, translate * width, bins), True),
        "TranslateY": (_linspace(0.0, translate * height, bins), True),
        "Rotate": (_linspace(0.0, 30.0, bins), True),
        "Brightness": (_linspace(0.0, 0.9, bins), True),
        "Color": (_linspace(0.0, 0.9, bins), True),
        "Contrast": (_linspace(0.0, 0.9, bins), True),
        "Sharpness": (_linspace(0.0, 0.9, bins), True),
        "Posterize": (_posterize_bits(bins, top, 4), False),
        "Solarize": (_linspace(solarize_max, 0.0, bins), False),
        "AutoContrast": (None, False),
        "Equalize": (None, False),
    }


class AutoAugmentPolicy(Enum):
    """AutoAugment policies learned on different datasets: IMAGENET, CIFAR10 and SVHN."""
    IMAGENET = "imagenet"
    CIFAR10 = "cifar10"
    SVHN = "svhn"


# (op, probability, magnitude bin) pairs of the AutoAugment paper (Cubuk et al. 2019), as torchvision lists them
_POLICIES = {
    AutoAugmentPolicy.IMAGENET: [
        (("Posterize", 0.4, 8), ("Rotate", 0.6, 9)), (("Solarize", 0.6, 5), ("AutoContrast", 0.6, None)),
        (("Equalize", 0.8, None), ("Equalize", 0.6, None)), (("Posterize", 0.6, 7), ("Posterize", 0.6, 6)),
        (("Equalize", 0.4, None), ("Solarize", 0.2, 4)), (("Equalize", 0.4, None), ("Rotate", 0.8, 8)),
        (("Solarize", 0.6, 3), ("Equalize", 0.6, None)), (("Posterize", 0.8, 5), ("Equalize", 1.0, None)),
        (("Rotate", 0.2, 3), ("Solarize", 0.6, 8)), (("Equalize", 0.6, None), ("Posterize", 0.4, 6)),
        (("Rotate", 0.8, 8), ("Color", 0.4, 0)), (("Rotate", 0.4, 9), ("Equalize", 0.6, None)),
        (("Equalize", 0.0, None), ("Equalize", 0.8, None)), (("Invert", 0.6, None), ("Equalize", 1.0, None)),
        (("Color", 0.6, 4), ("Contrast", 1.0, 8)), (("Rotate", 0.8, 8), ("Color", 1.0, 2)),
        (("Color", 0.8, 8), ("Solarize", 0.8, 7)), (("Sharpness", 0.4, 7), ("Invert", 0.6, None)),
        (("ShearX", 0.6, 5), ("Equalize", 1.0, None)), (("Color", 0.4, 0), ("Equalize", 0.6, None)),
        (("Equalize", 0.4, None), ("Solarize", 0.2, 4)), (("Solarize", 0.6, 5), ("AutoContrast", 0.6, None)),
        (("Invert", 0.6, None), ("Equalize", 1.0, None)), (("Color", 0.6, 4), ("Contrast", 1.0, 8)),
        (("Equalize", 0.8, None), ("Equalize", 0.6, None)),
    ],
    AutoAugmentPolicy.CIFAR10: [
        (("Invert", 0.1, None), ("Contrast", 0.2, 6)), (("Rotate", 0.7, 2), ("TranslateX", 0.3, 9)),
        (("Sharpness", 0.8, 1), ("Sharpness", 0.9, 3)), (("ShearY", 0.5, 8), ("TranslateY", 0.7, 9)),
        (("AutoContrast", 0.5, None), ("Equalize", 0.9, None)), (("ShearY", 0.2, 7), ("Posterize", 0.3, 7)),
        (("Color", 0.4, 3), ("Brightness", 0.6, 7)), (("Sharpness", 0.3, 9), ("Brightness", 0.7, 9)),
        (("Equalize", 0.6, None), ("Equalize", 0.5, None)), (("Contrast", 0.6, 7), ("Sharpness", 0.6, 5)),
        (("Color", 0.7, 7), ("TranslateX", 0.5, 8)), (("Equalize", 0.3, None), ("AutoContrast", 0.4, None)),
        (("TranslateY", 0.4, 3), ("Sharpness", 0.2, 6)), (("Brightness", 0.9, 6), ("Color", 0.2, 8)),
        (("Solarize", 0.5, 2), ("Invert", 0.0, None)), (("Equalize", 0.2, None), ("AutoContrast", 0.6, None)),
        (("Equalize", 0.2, None), ("Equalize", 0.6, None)), (("Color", 0.9, 9), ("Equalize", 0.6, None)),
        (("AutoContrast", 0.8, None), ("Solarize", 0.2, 8)), (("Brightness", 0.1, 3), ("Color", 0.7, 0)),
        (("Solarize", 0.4, 5), ("AutoContrast", 0.9, None)), (("TranslateY", 0.9, 9), ("TranslateY", 0.7, 9)),
        (("AutoContrast", 0.9, None), ("Solarize", 0.8, 3)), (("Equalize", 0.8, None), ("Invert", 0.1, None)),
        (("TranslateY", 0.7, 9), ("AutoContrast", 0.9, None)),
    ],
    AutoAugmentPolicy.SVHN: [
        (("ShearX", 0.9, 4), ("Invert", 0.2, None)), (("ShearY", 0.9, 8), ("Invert", 0.7, None)),
        (("Equalize", 0.6, None), ("Solarize", 0.6, 6)), (("Invert", 0.9, None), ("Equalize", 0.6, None)),
        (("Equalize", 0.6, None), ("Rotate", 0.9, 3)), (("ShearX", 0.9, 4), ("AutoContrast", 0.8, None)),
        (("ShearY", 0.9, 8), ("Invert", 0.4, None)), (("ShearY", 0.9, 5), ("Solarize", 0.2, 6)),
        (("Invert", 0.9, None), ("AutoContrast", 0.8, None)), (("Equalize", 0.6, None), ("Rotate", 0.9, 3)),
        (("ShearX", 0.9, 4), ("Solarize", 0.3, 3)), (("ShearY", 0.8, 8), ("Invert", 0.7, None)),
        (("Equalize", 0.9, None), ("TranslateY", 0.6, 6)), (("Invert", 0.9, None), ("Equalize", 0.6, None)),
        (("Contrast", 0.3, 3), ("Rotate", 0.8, 4)), (("Invert", 0.8, None), ("TranslateY", 0.0, 2)),
        (("ShearY", 0.7, 6), ("Solarize", 0.4, 8)), (("Invert", 0.6, None), ("Rotate", 0.8, 4)),
        (("ShearY", 0.3, 7), ("TranslateX", 0.9, 3)), (("ShearX", 0.1, 6), ("Invert", 0.6, None)),
        (("Solarize", 0.7, 2), ("TranslateY", 0.6, 7)), (("ShearY", 0.8, 4), ("Invert", 0.8, None)),
        (("ShearX", 0.7, 9), ("TranslateY", 0.8, 3)), (("ShearY", 0.8, 5), ("AutoContrast", 0.7, None)),
        (("ShearX", 0.7, 2), ("Invert", 0.1, None)),
    ],
}


class AutoAugment:
    """AutoAugment (Cubuk et al., https://arxiv.org/abs/1805.09501): one random sub-policy of two operations, each
    applied with its probability; signed magnitudes get a random sign."""

    def __init__(self, policy=AutoAugmentPolicy.IMAGENET, interpolation=InterpolationMode.NEAREST, fill=None):
        self.policy = policy
        self.interpolation = _interpolation(interpolation)
        self.fill = fill
        self.policies = self._get_policies(policy)

    def _get_policies(self, policy):
        if policy not in _POLICIES:
            raise ValueError(f"The provided policy {policy} is not recognized.")
        return _POLICIES[policy]

    def _augmentation_space(self, num_bins, image_size):
        """op name -> (magnitudes or None, signed); ``image_size`` is (height, width)."""
        return {**_standard_space(num_bins, *image_size), "Invert": (None, False)}

    @staticmethod
    def get_params(transform_num):
        """(sub-policy index, two probabilities, two signs): torch.randint, torch.rand((2,)), torch.randint(2, (2,))."""
        policy_id = _rng.randint(0, transform_num)
        probs = np.float32(_rng.rand(2))
        signs = _rng.randint(0, 2, 2)
        return policy_id, probs, signs

    def __call__(self, img):
        _, height, width = F.get_dimensions(img)
        fill = _fill_for_tensor(img, self.fill)
        transform_id, probs, signs = self.get_params(len(self.policies))
        op_meta = self._augmentation_space(10, (height, width))
        for i, (op_name, p, magnitude_id) in enumerate(self.policies[transform_id]):
            if probs[i] <= np.float32(p):        # torch compares the float32 draw with p in float32
                magnitudes, signed = op_meta[op_name]
                magnitude = _magnitude(magnitudes, magnitude_id) if magnitude_id is not None else 0.0
                if signed and signs[i] == 0:
                    magnitude *= -1.0
                img = _apply_op(img, op_name, magnitude, interpolation=self.interpolation, fill=fill)
        return img

    def __repr__(self):
        return f"{self.__class__.__name__}(policy={self.policy}, fill={self.fill})"


class RandAugment:
    """RandAugment (Cubuk et al., https://arxiv.org/abs/1909.13719): ``num_ops`` operations picked uniformly, all
    at bin ``magnitude`` of ``num_magnitude_bins``."""

    def __init__(self, num_ops=2, magnitude=9, num_magnitude_bins=31, interpolation=InterpolationMode.NEAREST,
                 fill=None):
        self.num_ops = num_ops
        self.magnitude = magnitude
        self.num_magnitude_bins = num_magnitude_bins
        self.interpolation = _interpolation(interpolation)
        self.fill = fill

    def _augmentation_space(self, num_bins, image_size):
        return {"Identity": (None, False), **_standard_space(num_bins, *image_size)}

    def __call__(self, img):
        _, height, width = F.get_dimensions(img)
        fill = _fill_for_tensor(img, self.fill)
        for _ in range(self.num_ops):
            op_meta = self._augmentation_space(self.num_magnitude_bins, (height, width))
            op_name = list(op_meta)[_rng.randint(0, len(op_meta))]
            magnitudes, signed = op_meta[op_name]
            magnitude = _magnitude(magnitudes, self.magnitude)
            if signed and _rng.randint(0, 2):
                magnitude *= -1.0
            img = _apply_op(img, op_name, magnitude, interpolation=self.interpolation, fill=fill)
        return img

    def __repr__(self):
        return (f"{self.__class__.__name__}(num_ops={self.num_ops}, magnitude={self.magnitude}, "
                f"num_magnitude_bins={self.num_magnitude_bins}, interpolation={self.interpolation}, "
                f"fill={self.fill})")


class TrivialAugmentWide:
    """TrivialAugment Wide (Müller and Hutter, https://arxiv.org/abs/2103.10158): one operation at a uniformly
    drawn magnitude bin."""

    def __init__(self, num_magnitude_bins=31, interpolation=InterpolationMode.NEAREST, fill=None):
        self.num_magnitude_bins = num_magnitude_bins
        self.interpolation = _interpolation(interpolation)
        self.fill = fill

    def _augmentation_space(self, num_bins):
        return {
            "Identity": (None, False),
            "ShearX": (_linspace(0.0, 0.99, num_bins), True),
            "ShearY": (_linspace(0.0, 0.99, num_bins), True),
            "TranslateX": (_linspace(0.0, 32.0, num_bins), True),
            "TranslateY": (_linspace(0.0, 32.0, num_bins), True),
            "Rotate": (_linspace(0.0, 135.0, num_bins), True),
            "Brightness": (_linspace(0.0, 0.99, num_bins), True),
            "Color": (_linspace(0.0, 0.99, num_bins), True),
            "Contrast": (_linspace(0.0, 0.99, num_bins), True),
            "Sharpness": (_linspace(0.0, 0.99, num_bins), True),
            "Posterize": (_posterize_bits(num_bins, 8, 6), False),
            "Solarize": (_linspace(255.0, 0.0, num_bins), False),
            "AutoContrast": (None, False),
            "Equalize": (None, False),
        }

    def __call__(self, img):
        fill = _fill_for_tensor(img, self.fill)
        op_meta = self._augmentation_space(self.num_magnitude_bins)
        op_name = list(op_meta)[_rng.randint(0, len(op_meta))]
        magnitudes, signed = op_meta[op_name]
        magnitude = _magnitude(magnitudes, _rng.randint(0, len(magnitudes))) if magnitudes is not None else 0.0
        if signed and _rng.randint(0, 2):
            magnitude *= -1.0
        return _apply_op(img, op_name, magnitude, interpolation=self.interpolation, fill=fill)

    def __repr__(self):
        return (f"{self.__class__.__name__}(num_magnitude_bins={self.num_magnitude_bins}, "
                f"interpolation={self.interpolation}, fill={self.fill})")


class AugMix:
    """AugMix (Hendrycks et al., https://arxiv.org/abs/1912.02781): ``mixture_width`` chains of random operations,
    mixed with Dirichlet weights, then blended with the original through a Beta(alpha, alpha) weight."""

    _PARAMETER_MAX = 10

    def __init__(self, severity=3, mixture_width=3, chain_depth=-1, alpha=1.0, all_ops=True,
                 interpolation=InterpolationMode.BILINEAR, fill=None):
        if not (1 <= severity <= self._PARAMETER_MAX):
            raise ValueError(f"The severity must be between [1, {self._PARAMETER_MAX}]. Got {severity} instead.")
        self.severity = severity
        self.mixture_width = mixture_width
        self.chain_depth = chain_depth
        self.alpha = alpha
        self.all_ops = all_ops
        self.interpolation = _interpolation(interpolation)
        self.fill = fill

    def _augmentation_space(self, num_bins, image_size):
        space = {
            "ShearX": (_linspace(0.0, 0.3, num_bins), True),
            "ShearY": (_linspace(0.0, 0.3, num_bins), True),
            "TranslateX": (_linspace(0.0, image_size[1] / 3.0, num_bins), True),
            "TranslateY": (_linspace(0.0, image_size[0] / 3.0, num_bins), True),
            "Rotate": (_linspace(0.0, 30.0, num_bins), True),
            "Posterize": (_posterize_bits(num_bins, 4, 4), False),
            "Solarize": (_linspace(255.0, 0.0, num_bins), False),
            "AutoContrast": (None, False),
            "Equalize": (None, False),
        }
        if self.all_ops:
            space.update({
                "Brightness": (_linspace(0.0, 0.9, num_bins), True),
                "Color": (_linspace(0.0, 0.9, num_bins), True),
                "Contrast": (_linspace(0.0, 0.9, num_bins), True),
                "Sharpness": (_linspace(0.0, 0.9, num_bins), True),
            })
        return space

    def __call__(self, orig_img):
        _, height, width = F.get_dimensions(orig_img)
        fill = _fill_for_tensor(orig_img, self.fill)
        img = orig_img if isinstance(orig_img, Tensor) else F.pil_to_tensor(orig_img)
        op_meta = self._augmentation_space(self._PARAMETER_MAX, (height, width))

        def chain(aug):
            depth = self.chain_depth if self.chain_depth > 0 else _rng.randint(1, 4)
            for _ in range(depth):
                op_name = list(op_meta)[_rng.randint(0, len(op_meta))]
                magnitudes, signed = op_meta[op_name]
                magnitude = _magnitude(magnitudes, _rng.randint(0, self.severity)) if magnitudes is not None else 0.0
                if signed and _rng.randint(0, 2):
                    magnitude *= -1.0
                aug = _apply_op(aug, op_name, magnitude, interpolation=self.interpolation, fill=fill)
            return aug
        mixed = _augmix(img, self.alpha, self.mixture_width, chain)
        return mixed if isinstance(orig_img, Tensor) else F.to_pil_image(mixed)

    def __repr__(self):
        return (f"{self.__class__.__name__}(severity={self.severity}, mixture_width={self.mixture_width}, "
                f"chain_depth={self.chain_depth}, alpha={self.alpha}, all_ops={self.all_ops}, "
                f"interpolation={self.interpolation}, fill={self.fill})")


def _augmix(img, alpha, mixture_width, chain, batch_ndim=4):
    """AugMix's mixing of a tensor image (..., C, H, W): ``mixture_width`` results of ``chain(batch)`` weighted by
    a Dirichlet(alpha) sample, blended with the original through a Beta(alpha, alpha) weight (drawn first, as a
    2-entry Dirichlet), per image of the batch; the result is truncated back to the image dtype."""
    orig_dims = list(img.shape)
    batch = img.reshape([1] * max(batch_ndim - img.ndim, 0) + orig_dims)
    n = batch.shape[0]
    weight_shape = [n] + [1] * (batch.ndim - 1)
    m = _rng.dirichlet([alpha, alpha], n)          # m[:, 0] weighs the original, m[:, 1] the mixture
    combined = _rng.dirichlet([alpha] * mixture_width, n) * m[:, 1:2]
    batch_data = F._np(batch)
    mix = m[:, 0].reshape(weight_shape) * batch_data      # float32 weights: float32 for uint8 images
    for i in range(mixture_width):
        mix += combined[:, i].reshape(weight_shape) * F._np(chain(batch))
    return F._like(img, mix.reshape(orig_dims).astype(batch_data.dtype))
