"""``torchvision.transforms``: transform classes, and ``functional`` for the operations themselves.

``transforms.v2`` (the tv_tensors-aware API) is a subpackage: ``from torchvision.transforms import v2``.
"""
from . import functional
from .transforms import *  # noqa: F401,F403
from .transforms import __all__ as _all
from .autoaugment import *  # noqa: F401,F403
from .autoaugment import __all__ as _autoaugment_all
from .functional import InterpolationMode

__all__ = list(_all) + list(_autoaugment_all) + ["functional"]


def __getattr__(name):
    if name == "v2":        # the v2 subpackage loads on first use
        import importlib
        return importlib.import_module(f"{__name__}.v2")
    raise AttributeError(f"ember has no torchvision.transforms.{name} yet "
                         f"(module 'ember.vision.transforms' has no attribute '{name}')")
