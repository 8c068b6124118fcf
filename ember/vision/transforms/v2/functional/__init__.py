"""``torchvision.transforms.v2.functional``: one function per operation, dispatching on the input's type.

Images (PIL, plain tensors, ``tv_tensors.Image``) and videos use the v1
kernels (``transforms.functional``); masks are resampled with nearest;
bounding boxes have their own kernels. ``register_kernel`` adds kernels for
custom tv_tensor classes.
"""
from ember.vision.transforms.functional import InterpolationMode  # noqa: F401

from ._color import *  # noqa: F401,F403
from ._color import __all__ as _color_all
from ._geometry import *  # noqa: F401,F403
from ._geometry import __all__ as _geometry_all
from ._meta import *  # noqa: F401,F403
from ._meta import __all__ as _meta_all
from ._misc import *  # noqa: F401,F403
from ._misc import __all__ as _misc_all
from ._type_conversion import *  # noqa: F401,F403
from ._type_conversion import __all__ as _conversion_all
from ._type_conversion import to_tensor  # noqa: F401  (deprecated v1 name, kept by torchvision)
from ._utils import is_pure_tensor, register_kernel  # noqa: F401

__all__ = (list(_color_all) + list(_geometry_all) + list(_meta_all) + list(_misc_all) + list(_conversion_all)
           + ["InterpolationMode", "register_kernel", "to_tensor"])


def __getattr__(name):
    raise AttributeError(f"ember has no torchvision.transforms.v2.functional.{name} yet "
                         f"(module 'ember.vision.transforms.v2.functional' has no attribute '{name}')")
