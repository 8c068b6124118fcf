"""``torchvision.transforms``: transform classes, and ``functional`` for the operations themselves."""
from . import functional
from .transforms import *  # noqa: F401,F403
from .transforms import __all__ as _all
from .functional import InterpolationMode

__all__ = list(_all) + ["functional"]
