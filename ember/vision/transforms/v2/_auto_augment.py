"""AutoAugment, RandAugment, TrivialAugmentWide and AugMix for the v2 API.

They transform the one image or video of the sample (plain tensors, Image, Video or PIL) and refuse boxes and
masks. Their draws are those of torchvision's v2 classes, which differ from v1's: a sign is ``rand() <= 0.5``, and
Solarize magnitudes are fractions of the dtype's maximum.
"""
import numpy as np
import PIL.Image

from ember._tensor import Tensor
from ember.vision import tv_tensors
from ember.vision.transforms import _rng
from ember.vision.transforms import autoaugment as _aa
from ember.vision.transforms import functional as _F
from ember.vision.transforms.autoaugment import AutoAugmentPolicy, _linspace, _standard_space
from ember.vision.transforms.functional import InterpolationMode

from . import functional as F
from ._transform import Transform
from ._utils import _check_interpolation, _get_fill, _setup_fill_arg, check_type, tree_flatten, tree_unflatten
from .functional._utils import is_pure_tensor


class _AutoAugmentBase(Transform):
    def __init__(self, *, interpolation=InterpolationMode.NEAREST, fill=None):
        super().__init__()
        self.interpolation = _check_interpolation(interpolation)
        self.fill = fill
        self._fill = _setup_fill_arg(fill)

    def _get_random_item(self, space):
        keys = tuple(space)
        key = keys[_rng.randint(0, len(keys))]
        return key, space[key]

    def _flatten_and_extract_image_or_video(self, inputs, unsupported_types=(tv_tensors.BoundingBoxes,
                                                                             tv_tensors.Mask)):
        flat_inputs, spec = tree_flatten(inputs if len(inputs) > 1 else inputs[0])
        needs_transform = self._needs_transform_list(flat_inputs)
        found = []
        for idx, (inpt, needs) in enumerate(zip(flat_inputs, needs_transform)):
            if needs and check_type(inpt, (tv_tensors.Image, PIL.Image.Image, is_pure_tensor, tv_tensors.Video)):
                found.append((idx, inpt))
            elif isinstance(inpt, unsupported_types):
                raise TypeError(f"Inputs of type {type(inpt).__name__} are not supported by {type(self).__name__}()")
        if not found:
            raise TypeError("Found no image in the sample.")
        if len(found) > 1:
            raise TypeError("Auto augment transformations are only properly defined for a single image or video, "
                            f"but found {len(found)}.")
        idx, image_or_video = found[0]
        return (flat_inputs, spec, idx), image_or_video

    @staticmethod
    def _unflatten_and_insert_image_or_video(flat_inputs_with_spec, image_or_video):
        flat_inputs, spec, idx = flat_inputs_with_spec
        flat_inputs[idx] = image_or_video
        return tree_unflatten(flat_inputs, spec)

    def _apply_image_or_video_transform(self, image, transform_id, magnitude, interpolation, fill):
        fill_ = _get_fill(fill, type(image))
        if transform_id == "Solarize":          # v2 magnitudes are fractions of the dtype's maximum
            bound = _F._max_value(image._data.dtype) if isinstance(image, Tensor) else 255.0
            magnitude = bound * magnitude
        return _aa._apply_op(image, transform_id, magnitude, interpolation, fill_, functional=F)

    def _signed_magnitude(self, magnitudes, index, signed):
        if magnitudes is None:
            return 0.0
        magnitude = float(magnitudes[index])
        if signed and _rng.rand() <= 0.5:
            magnitude *= -1
        return magnitude


class AutoAugment(_AutoAugmentBase):
    """AutoAugment (https://arxiv.org/abs/1805.09501): a random sub-policy of two operations."""
    _v1_transform_cls = _aa.AutoAugment

    def __init__(self, policy=AutoAugmentPolicy.IMAGENET, interpolation=InterpolationMode.NEAREST, fill=None):
        super().__init__(interpolation=interpolation, fill=fill)
        self.policy = policy
        self._policies = _aa.AutoAugment._get_policies(self, policy)

    def _augmentation_space(self, num_bins, height, width):
        space = _standard_space(num_bins, height, width, solarize_max=1.0)
        space["Invert"] = (None, False)
        return space

    def forward(self, *inputs):
        flat_with_spec, image = self._flatten_and_extract_image_or_video(inputs)
        height, width = F.get_size(image)
        policy = self._policies[_rng.randint(0, len(self._policies))]
        space = self._augmentation_space(10, height, width)
        for transform_id, probability, magnitude_idx in policy:
            if not _rng.rand() <= _f32(probability):
                continue
            magnitudes, signed = space[transform_id]
            magnitude = self._signed_magnitude(magnitudes, magnitude_idx, signed)
            image = self._apply_image_or_video_transform(image, transform_id, magnitude, self.interpolation,
                                                         self._fill)
        return self._unflatten_and_insert_image_or_video(flat_with_spec, image)


def _f32(p):
    """``p`` rounded to float32: torch compares its float32 draw with a float32 copy of the number."""
    return float(np.float32(p))


class RandAugment(_AutoAugmentBase):
    """RandAugment (https://arxiv.org/abs/1909.13719): ``num_ops`` uniform picks at bin ``magnitude``."""
    _v1_transform_cls = _aa.RandAugment

    def __init__(self, num_ops=2, magnitude=9, num_magnitude_bins=31, interpolation=InterpolationMode.NEAREST,
                 fill=None):
        super().__init__(interpolation=interpolation, fill=fill)
        if not isinstance(num_ops, int) or num_ops < 0:
            raise ValueError(f"num_ops should be a non-negative integer, but got {num_ops} instead.")
        self.num_ops = num_ops
        self.magnitude = magnitude
        self.num_magnitude_bins = num_magnitude_bins

    def _augmentation_space(self, num_bins, height, width):
        return {"Identity": (None, False), **_standard_space(num_bins, height, width, solarize_max=1.0)}

    def forward(self, *inputs):
        flat_with_spec, image = self._flatten_and_extract_image_or_video(inputs)
        height, width = F.get_size(image)
        space = self._augmentation_space(self.num_magnitude_bins, height, width)
        for _ in range(self.num_ops):
            transform_id, (magnitudes, signed) = self._get_random_item(space)
            magnitude = self._signed_magnitude(magnitudes, self.magnitude, signed)
            image = self._apply_image_or_video_transform(image, transform_id, magnitude, self.interpolation,
                                                         self._fill)
        return self._unflatten_and_insert_image_or_video(flat_with_spec, image)


class TrivialAugmentWide(_AutoAugmentBase):
    """TrivialAugment Wide (https://arxiv.org/abs/2103.10158): one operation at a random magnitude bin."""
    _v1_transform_cls = _aa.TrivialAugmentWide

    def __init__(self, num_magnitude_bins=31, interpolation=InterpolationMode.NEAREST, fill=None):
        super().__init__(interpolation=interpolation, fill=fill)
        self.num_magnitude_bins = num_magnitude_bins

    def _augmentation_space(self, num_bins, height, width):
        space = _aa.TrivialAugmentWide._augmentation_space(self, num_bins)
        space["Solarize"] = (_linspace(1.0, 0.0, num_bins), False)
        return space

    def forward(self, *inputs):
        flat_with_spec, image = self._flatten_and_extract_image_or_video(inputs)
        height, width = F.get_size(image)
        space = self._augmentation_space(self.num_magnitude_bins, height, width)
        transform_id, (magnitudes, signed) = self._get_random_item(space)
        index = _rng.randint(0, self.num_magnitude_bins) if magnitudes is not None else None
        magnitude = self._signed_magnitude(magnitudes, index, signed)
        image = self._apply_image_or_video_transform(image, transform_id, magnitude, self.interpolation, self._fill)
        return self._unflatten_and_insert_image_or_video(flat_with_spec, image)


class AugMix(_AutoAugmentBase):
    """AugMix (https://arxiv.org/abs/1912.02781): Dirichlet-weighted chains of random operations, blended with the
    original image."""
    _v1_transform_cls = _aa.AugMix

    def __init__(self, severity=3, mixture_width=3, chain_depth=-1, alpha=1.0, all_ops=True,
                 interpolation=InterpolationMode.BILINEAR, fill=None):
        super().__init__(interpolation=interpolation, fill=fill)
        self._PARAMETER_MAX = 10
        if not (1 <= severity <= self._PARAMETER_MAX):
            raise ValueError(f"The severity must be between [1, {self._PARAMETER_MAX}]. Got {severity} instead.")
        self.severity = severity
        self.mixture_width = mixture_width
        self.chain_depth = chain_depth
        self.alpha = alpha
        self.all_ops = all_ops

    def _augmentation_space(self, num_bins, height, width):
        space = _aa.AugMix._augmentation_space(self, num_bins, (height, width))
        space["Solarize"] = (_linspace(1.0, 0.0, num_bins), False)
        return space

    def forward(self, *inputs):
        flat_with_spec, orig = self._flatten_and_extract_image_or_video(inputs)
        height, width = F.get_size(orig)
        image = orig if isinstance(orig, Tensor) else F.pil_to_tensor(orig)
        plain = tv_tensors._plain(image)
        space = self._augmentation_space(self._PARAMETER_MAX, height, width)

        def chain(aug):
            depth = self.chain_depth if self.chain_depth > 0 else _rng.randint(1, 4)
            for _ in range(depth):
                transform_id, (magnitudes, signed) = self._get_random_item(space)
                index = _rng.randint(0, self.severity) if magnitudes is not None else None
                magnitude = self._signed_magnitude(magnitudes, index, signed)
                aug = self._apply_image_or_video_transform(aug, transform_id, magnitude, self.interpolation,
                                                           self._fill)
            return aug
        mixed = _aa._augmix(plain, self.alpha, self.mixture_width, chain,
                            batch_ndim=5 if isinstance(orig, tv_tensors.Video) else 4)
        if isinstance(orig, (tv_tensors.Image, tv_tensors.Video)):
            mixed = tv_tensors.wrap(mixed, like=orig)
        elif isinstance(orig, PIL.Image.Image):
            mixed = F.to_pil_image(mixed)
        return self._unflatten_and_insert_image_or_video(flat_with_spec, mixed)
