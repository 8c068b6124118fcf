"""``torchvision.transforms.v2``: transforms for whole samples (images, videos, boxes, masks, labels).

A v2 transform takes any structure of inputs (an image; ``(image, target)``
with ``target = {"boxes": BoundingBoxes, "masks": Mask, "labels": tensor}``;
...), draws one set of random parameters, and transforms each image, video,
mask and box set consistently; other values pass through. Plain tensors count
as the image when the sample has no ``tv_tensors.Image``/``Video``/PIL image.

Left out (they fail with Ember's "ember has no torchvision.transforms.v2.X yet" error): the v2
RandomPerspective, ElasticTransform, LinearTransformation, FiveCrop/TenCrop,
RandomZoomOut, RandomIoUCrop, RandomShortestSize, ScaleJitter, RandomPhotometricDistort,
RandomChannelPermutation, MixUp/CutMix, UniformTemporalSubsample, JPEG, GaussianNoise
and the KeyPoints/rotated-box support.
"""
from ember.vision.transforms.autoaugment import AutoAugmentPolicy
from ember.vision.transforms.functional import InterpolationMode

from . import functional
from ._augment import RandomErasing
from ._auto_augment import AugMix, AutoAugment, RandAugment, TrivialAugmentWide
from ._color import (ColorJitter, Grayscale, RandomAdjustSharpness, RandomAutocontrast, RandomEqualize, RandomGrayscale,
                     RandomInvert, RandomPosterize, RandomSolarize)
from ._container import Compose, RandomApply, RandomChoice, RandomOrder
from ._geometry import (CenterCrop, Pad, RandomAffine, RandomCrop, RandomHorizontalFlip, RandomResizedCrop,
                        RandomRotation, RandomVerticalFlip, Resize)
from ._meta import ClampBoundingBoxes, ConvertBoundingBoxFormat
from ._misc import ConvertImageDtype, GaussianBlur, Lambda, Normalize, SanitizeBoundingBoxes, ToDtype
from ._transform import Transform
from ._type_conversion import PILToTensor, ToImage, ToPILImage, ToPureTensor, ToTensor

__all__ = [
    "Transform", "Compose", "RandomApply", "RandomChoice", "RandomOrder", "ToImage", "ToDtype", "ToPureTensor",
    "PILToTensor", "ToPILImage", "ToTensor", "ConvertImageDtype", "Normalize", "Resize", "CenterCrop", "RandomCrop",
    "RandomResizedCrop", "RandomHorizontalFlip", "RandomVerticalFlip", "RandomRotation", "RandomAffine", "Pad",
    "ColorJitter", "Grayscale", "RandomGrayscale", "RandomInvert", "RandomPosterize", "RandomSolarize",
    "RandomAdjustSharpness", "RandomAutocontrast", "RandomEqualize", "GaussianBlur", "RandomErasing", "Lambda",
    "AutoAugment", "AutoAugmentPolicy", "RandAugment", "TrivialAugmentWide", "AugMix", "SanitizeBoundingBoxes",
    "ClampBoundingBoxes", "ConvertBoundingBoxFormat", "InterpolationMode", "functional",
]


def __getattr__(name):
    raise AttributeError(f"ember has no torchvision.transforms.v2.{name} yet "
                         f"(module 'ember.vision.transforms.v2' has no attribute '{name}')")
