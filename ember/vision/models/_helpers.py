"""Small shared pieces of the newer model files: the ``Weights`` entry builder (with interpolation and
normalisation choices, resolved lazily so that importing the models does not import the transforms)."""
import functools

from ._api import ImageClassification, Weights

_URL = "https://download.pytorch.org/models/"


def _classification_preset(*, crop_size, resize_size=256, interpolation="bilinear", **kwargs):
    """``ImageClassification`` with ``interpolation`` given by name ('bilinear' or 'bicubic')."""
    from ..transforms.functional import InterpolationMode
    return ImageClassification(crop_size=crop_size, resize_size=resize_size,
                               interpolation=InterpolationMode(interpolation), **kwargs)


def weights_entry(file_name, meta, num_params, acc1, acc5, *, crop_size=224, resize_size=256,
                  interpolation="bilinear", mean=None, std=None, url_base=_URL, **extra_meta):
    """One ``Weights`` value in torchvision's layout: the file under download.pytorch.org/models, its
    evaluation preset, and ``meta`` (``num_params``, ImageNet-1K ``_metrics`` and anything else given)."""
    preset = dict(crop_size=crop_size, resize_size=resize_size)
    if interpolation != "bilinear":
        preset["interpolation"] = interpolation
    if mean is not None:
        preset.update(mean=mean, std=std)
    transforms = (functools.partial(ImageClassification, **preset) if len(preset) == 2
                  else functools.partial(_classification_preset, **preset))
    return Weights(url=url_base + file_name, transforms=transforms,
                   meta={**meta, "num_params": num_params,
                         "_metrics": {"ImageNet-1K": {"acc@1": acc1, "acc@5": acc5}}, **extra_meta})
