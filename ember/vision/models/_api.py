"""torchvision's model-weights machinery: ``Weights``, ``WeightsEnum``, ``get_model``,
``get_weight``, ``list_models``, the legacy ``pretrained=True`` interface, and the
``ImageClassification`` evaluation preset that ``weights.transforms()`` returns."""
import functools
import inspect
import sys
import warnings
from dataclasses import dataclass, fields
from enum import Enum, EnumMeta
from typing import Any, Callable, Dict

from ... import nn
from ...hub import load_state_dict_from_url

__all__ = ["WeightsEnum", "Weights", "get_model", "get_model_builder", "get_model_weights", "get_weight",
           "list_models", "load_state_dict_from_url"]


@dataclass
class Weights:
    """The facts about one set of pretrained weights: where the file is (``url``),
    how to preprocess inputs for it (``transforms``, a constructor), and ``meta``."""
    url: str
    transforms: Callable
    meta: Dict[str, Any]


class _StrEnumMeta(EnumMeta):
    def from_str(self, member):
        try:
            return self[member]
        except KeyError:
            raise ValueError(f"Unknown value '{member}' for {self.__name__}.") from None


class WeightsEnum(Enum, metaclass=_StrEnumMeta):
    """Parent of every ``<Model>_Weights`` enum; members hold ``Weights``."""

    @classmethod
    def verify(cls, obj):
        if obj is not None:
            if type(obj) is str:
                obj = cls.from_str(obj.replace(cls.__name__ + ".", ""))
            elif not isinstance(obj, cls):
                raise TypeError(
                    f"Invalid Weight class provided; expected {cls.__name__} but received {obj.__class__.__name__}.")
        return obj

    def get_state_dict(self, *args, **kwargs):
        return load_state_dict_from_url(self.url, *args, **kwargs)

    def __repr__(self):
        return f"{self.__class__.__name__}.{self._name_}"

    @property
    def url(self):
        return self.value.url

    @property
    def transforms(self):
        return self.value.transforms

    @property
    def meta(self):
        return self.value.meta


# --- registry --------------------------------------------------------------------------------

BUILTIN_MODELS = {}


def register_model(name=None):
    def wrapper(fn):
        key = name if name is not None else fn.__name__
        if key in BUILTIN_MODELS:
            raise ValueError(f"An entry is already registered under the name '{key}'.")
        BUILTIN_MODELS[key] = fn
        return fn
    return wrapper


def list_models(module=None, include=None, exclude=None):
    """Sorted names of the registered models (optionally those of ``module``, with fnmatch filters)."""
    import fnmatch
    models = {k for k, v in BUILTIN_MODELS.items()
              if module is None or v.__module__.rsplit(".", 1)[0] == module.__name__}
    if include:
        include = [include] if isinstance(include, str) else include
        models = {m for m in models if any(fnmatch.fnmatch(m, p) for p in include)}
    if exclude:
        exclude = [exclude] if isinstance(exclude, str) else exclude
        models = {m for m in models if not any(fnmatch.fnmatch(m, p) for p in exclude)}
    return sorted(models)


def get_model_builder(name):
    name = name.lower()
    try:
        return BUILTIN_MODELS[name]
    except KeyError:
        raise ValueError(f"Unknown model {name}") from None


def get_model(name, **config):
    """``get_model("resnet18", weights="DEFAULT", num_classes=...)``."""
    return get_model_builder(name)(**config)


def _get_enum_from_fn(fn):
    enum_cls = getattr(fn, "_weights_enum", None)
    if enum_cls is None:
        raise ValueError("The WeightsEnum class for the specific method couldn't be retrieved. "
                         "Make sure the typing info is correct.")
    return enum_cls


def get_model_weights(name):
    """The weights enum class of a model builder (or of its registered name)."""
    if isinstance(name, str):
        name = get_model_builder(name)
    return _get_enum_from_fn(name)


def get_weight(name):
    """``get_weight("ResNet50_Weights.IMAGENET1K_V2")`` -> that enum member."""
    try:
        enum_name, value_name = name.split(".")
    except ValueError:
        raise ValueError(f"Invalid weight name provided: '{name}'.") from None
    models = sys.modules[__name__.rsplit(".", 1)[0]]
    weights_enum = getattr(models, enum_name, None)
    if not (isinstance(weights_enum, type) and issubclass(weights_enum, WeightsEnum)):
        raise ValueError(f"The weight enum '{enum_name}' for the specific method couldn't be retrieved.")
    return weights_enum.from_str(value_name)


# --- the legacy interface (pretrained=True, positional arguments) ---------------------------

def _sequence_to_str(seq, separate_last=""):
    if not seq:
        return ""
    if len(seq) == 1:
        return f"'{seq[0]}'"
    head = "'" + "', '".join([str(item) for item in seq[:-1]]) + "'"
    tail = f"{'' if separate_last and len(seq) == 2 else ','} {separate_last}'{seq[-1]}'"
    return head + tail


def kwonly_to_pos_or_kw(fn):
    """Accept the keyword-only parameters of ``fn`` positionally too, with torchvision's warning."""
    params = inspect.signature(fn).parameters
    try:
        start = next(i for i, p in enumerate(params.values()) if p.kind == p.KEYWORD_ONLY)
    except StopIteration:
        raise TypeError(f"Found no keyword-only parameter on function '{fn.__name__}'") from None
    names = tuple(params)[start:]

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        args, kw_args = args[:start], args[start:]
        if kw_args:
            kw = dict(zip(names, kw_args))
            warnings.warn(
                f"Using {_sequence_to_str(tuple(kw.keys()), separate_last='and ')} as positional "
                f"parameter(s) is deprecated since 0.13 and may be removed in the future. Please use keyword "
                f"parameter(s) instead.")
            kwargs.update(kw)
        return fn(*args, **kwargs)
    return wrapper


def handle_legacy_interface(**weights):
    """``pretrained=True`` -> ``weights=<default>`` with torchvision's two deprecation warnings."""

    def outer_wrapper(builder):
        @kwonly_to_pos_or_kw
        @functools.wraps(builder)
        def inner_wrapper(*args, **kwargs):
            for weights_param, (pretrained_param, default) in weights.items():
                sentinel = object()
                weights_arg = kwargs.get(weights_param, sentinel)
                if ((weights_param not in kwargs and pretrained_param not in kwargs)
                        or isinstance(weights_arg, WeightsEnum)
                        or (isinstance(weights_arg, str) and weights_arg != "legacy")
                        or weights_arg is None):
                    continue
                pretrained_positional = weights_arg is not sentinel
                if pretrained_positional:
                    kwargs[pretrained_param] = pretrained_arg = kwargs.pop(weights_param)
                else:
                    pretrained_arg = kwargs[pretrained_param]
                if pretrained_arg:
                    default_weights_arg = default(kwargs) if callable(default) else default
                    if not isinstance(default_weights_arg, WeightsEnum):
                        raise ValueError(f"No weights available for model {builder.__name__}")
                else:
                    default_weights_arg = None
                if not pretrained_positional:
                    warnings.warn(
                        f"The parameter '{pretrained_param}' is deprecated since 0.13 and may be removed in the "
                        f"future, please use '{weights_param}' instead.")
                msg = (f"Arguments other than a weight enum or `None` for '{weights_param}' are deprecated since "
                       f"0.13 and may be removed in the future. The current behavior is equivalent to passing "
                       f"`{weights_param}={default_weights_arg}`.")
                if pretrained_arg:
                    msg = (f"{msg} You can also use `{weights_param}={type(default_weights_arg).__name__}.DEFAULT` "
                           f"to get the most up-to-date weights.")
                warnings.warn(msg)
                del kwargs[pretrained_param]
                kwargs[weights_param] = default_weights_arg
            return builder(*args, **kwargs)
        return inner_wrapper
    return outer_wrapper


def _ovewrite_named_param(kwargs, param, new_value):
    if param in kwargs:
        if kwargs[param] != new_value:
            raise ValueError(f"The parameter '{param}' expected value {new_value} but got {kwargs[param]} instead.")
    else:
        kwargs[param] = new_value


def _ovewrite_value_param(param, actual, expected):
    if actual is not None and actual != expected:
        raise ValueError(f"The parameter '{param}' expected value {expected} but got {actual} instead.")
    return expected


def builder(weights_enum, legacy_default=None, name=None):
    """Register a model builder, record its weights enum, and accept ``pretrained=``."""
    def wrap(fn):
        fn._weights_enum = weights_enum
        wrapped = handle_legacy_interface(weights=("pretrained", legacy_default))(fn)
        wrapped._weights_enum = weights_enum
        register_model(name)(wrapped)
        return wrapped
    return wrap


def _num_classes_of(weights):
    """The number of classes the weights were trained for (``None`` for feature-only weights)."""
    meta = weights.meta
    if meta.get("categories") is not None:
        return len(meta["categories"])
    return meta.get("num_classes")


# --- the evaluation preset ----------------------------------------------------------------------

class ImageClassification(nn.Module):
    """torchvision's ``transforms._presets.ImageClassification``: resize (shorter side to
    ``resize_size``), center-crop ``crop_size``, to float in [0, 1], normalize. Accepts a PIL
    image or a (batched) uint8/float tensor."""

    def __init__(self, *, crop_size, resize_size=256, mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225),
                 interpolation=None, antialias=True):
        super().__init__()
        from ..transforms.functional import InterpolationMode
        self.crop_size = [crop_size]
        self.resize_size = [resize_size]
        self.mean = list(mean)
        self.std = list(std)
        self.interpolation = InterpolationMode.BILINEAR if interpolation is None else interpolation
        self.antialias = antialias

    def forward(self, img):
        from ... import float32
        from ..._tensor import Tensor
        from ..transforms import functional as F
        if not isinstance(img, Tensor):
            img = F.pil_to_tensor(img)
        img = F.resize(img, self.resize_size, interpolation=self.interpolation, antialias=self.antialias)
        img = F.center_crop(img, self.crop_size)
        if not img.is_floating_point():
            img = F.convert_image_dtype(img, float32)
        return F.normalize(img, mean=self.mean, std=self.std)

    def __repr__(self):
        body = "\n    ".join([f"crop_size={self.crop_size}", f"resize_size={self.resize_size}",
                              f"mean={self.mean}", f"std={self.std}", f"interpolation={self.interpolation}"])
        return f"{self.__class__.__name__}(\n    {body}\n)"

    def describe(self):
        return (
            "Accepts ``PIL.Image``, batched ``(B, C, H, W)`` and single ``(C, H, W)`` image ``torch.Tensor`` "
            f"objects. The images are resized to ``resize_size={self.resize_size}`` using "
            f"``interpolation={self.interpolation}``, followed by a central crop of ``crop_size={self.crop_size}``. "
            f"Finally the values are first rescaled to ``[0.0, 1.0]`` and then normalized using "
            f"``mean={self.mean}`` and ``std={self.std}``.")


_URL_BASE = "https://download.pytorch.org/models/"


def _weights(file_name, num_params, acc1, acc5, common_meta, *, crop_size=224, resize_size=256, url_base=_URL_BASE,
             **meta):
    """One ``Weights`` entry in torchvision's layout: ``url`` under download.pytorch.org/models,
    ``transforms`` an ``ImageClassification`` preset, ``meta`` with ``num_params`` and ``_metrics``."""
    return Weights(
        url=url_base + file_name,
        transforms=functools.partial(ImageClassification, crop_size=crop_size, resize_size=resize_size),
        meta={**common_meta, "num_params": num_params,
              "_metrics": {"ImageNet-1K": {"acc@1": acc1, "acc@5": acc5}}, **meta})
