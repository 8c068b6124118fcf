"""``Transform``: the base of every v2 transform.

A call takes any structure (an image, a tuple ``(image, target)``, a dict,
...), flattens it, draws one set of random parameters (``make_params``) from
the inputs it will transform, and applies ``transform(inpt, params)`` to each
of them, so an image, its boxes and its masks move together. Values that are
not images, videos, masks or boxes pass through unchanged.
"""
import enum

import PIL.Image

from ember import nn
from ember._tensor import Tensor
from ember.vision import tv_tensors
from ember.vision.transforms import _rng

from . import _utils
from .functional._utils import _get_kernel, is_pure_tensor


class Transform(nn.Module):
    """Base class: subclasses define ``make_params(flat_inputs)`` (optional) and ``transform(inpt, params)``."""

    # inputs of other types pass through; entries are types or predicates
    _transformed_types = (Tensor, PIL.Image.Image)
    # the v1 class whose static ``get_params`` this transform also offers
    _v1_transform_cls = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls._v1_transform_cls is not None and hasattr(cls._v1_transform_cls, "get_params"):
            cls.get_params = staticmethod(cls._v1_transform_cls.get_params)

    def check_inputs(self, flat_inputs):
        """Raise for a sample this transform cannot handle (before anything is drawn)."""

    def make_params(self, flat_inputs):
        """The random parameters for one call, drawn once for every input of the sample."""
        return {}

    def transform(self, inpt, params):
        raise NotImplementedError(f"{type(self).__name__} must define transform(inpt, params): it is called once "
                                  "per input that needs transforming")

    def _call_kernel(self, functional, inpt, *args, **kwargs):
        """``functional``'s kernel for ``inpt``'s type; types it has no kernel for pass through."""
        return _get_kernel(functional, type(inpt), allow_passthrough=True)(inpt, *args, **kwargs)

    def forward(self, *inputs):
        flat_inputs, spec = _utils.tree_flatten(inputs if len(inputs) > 1 else inputs[0])
        self.check_inputs(flat_inputs)
        needs_transform = self._needs_transform_list(flat_inputs)
        params = self.make_params([inpt for inpt, needs in zip(flat_inputs, needs_transform) if needs])
        flat_outputs = [self.transform(inpt, params) if needs else inpt
                        for inpt, needs in zip(flat_inputs, needs_transform)]
        return _utils.tree_unflatten(flat_outputs, spec)

    def _needs_transform_list(self, flat_inputs):
        """Which inputs to transform. A plain tensor counts as the image only when the sample has no Image, Video
        or PIL image, and then only the first one: later plain tensors (labels, extra data) pass through."""
        transform_pure_tensor = not _utils.has_any(flat_inputs, tv_tensors.Image, tv_tensors.Video,
                                                   _utils.is_pil_image)
        needs = []
        for inpt in flat_inputs:
            need = _utils.check_type(inpt, self._transformed_types)
            if need and is_pure_tensor(inpt):
                if transform_pure_tensor:
                    transform_pure_tensor = False
                else:
                    need = False
            needs.append(need)
        return needs

    def extra_repr(self):
        extra = []
        for name, value in self.__dict__.items():
            if name.startswith("_") or name == "training":
                continue
            if not isinstance(value, (bool, int, float, str, tuple, list, enum.Enum)):
                continue
            extra.append(f"{name}={value}")
        return ", ".join(extra)


class _RandomApplyTransform(Transform):
    """A transform applied with probability ``p`` (one ``torch.rand(1)`` draw per call)."""

    def __init__(self, p=0.5):
        if not (0.0 <= p <= 1.0):
            raise ValueError("`p` should be a floating point value in the interval [0.0, 1.0].")
        super().__init__()
        self.p = p

    def forward(self, *inputs):
        inputs = inputs if len(inputs) > 1 else inputs[0]
        flat_inputs, spec = _utils.tree_flatten(inputs)
        self.check_inputs(flat_inputs)
        if _rng.rand() >= self.p:
            return inputs
        needs_transform = self._needs_transform_list(flat_inputs)
        params = self.make_params([inpt for inpt, needs in zip(flat_inputs, needs_transform) if needs])
        flat_outputs = [self.transform(inpt, params) if needs else inpt
                        for inpt, needs in zip(flat_inputs, needs_transform)]
        return _utils.tree_unflatten(flat_outputs, spec)
