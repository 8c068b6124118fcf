"""Ember: PyTorch's user-facing API in readable Python, on NumPy (CPU) and CuPy (GPU).

``import ember as torch`` runs the programs people write while they learn PyTorch.
"""
import math as _math

from . import _dtype
from ._device import device
from ._dtype import (bfloat16, complex64, complex128, dtype, float16, float32, float64, get_default_dtype,
                     int8, int16, int32, int64, promote_types, set_default_dtype, uint8)
from ._layout import jagged, layout, sparse_bsc, sparse_bsr, sparse_coo, sparse_csc, sparse_csr, strided
from ._memory_format import channels_last, channels_last_3d, contiguous_format, memory_format, preserve_format
from ._size import Size
from ._tensor import Tensor
from . import autograd
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .autograd.grad_mode import is_inference_mode_enabled
from . import ops as _ops

from .version import __version__  # a TorchVersion: compares as a version with "2.0" and (2, 0)

bool = _dtype.bool_  # noqa: A001 - PyTorch's name
half, float, double = float16, float32, float64  # noqa: A001
cfloat, cdouble = complex64, complex128
short, int, long = int16, int32, int64  # noqa: A001
e, pi, inf, nan = _math.e, _math.pi, _math.inf, _math.nan
newaxis = None

globals().update(_ops.public)
from .ops.creation import LEGACY_TYPES as _LEGACY  # noqa: E402

globals().update(_LEGACY)
del _LEGACY
from .storage import *  # noqa: E402,F401,F403 - UntypedStorage, TypedStorage, FloatStorage ...; Tensor.storage()


# Submodules and library functions load on first use: `import ember` stays fast and light.
_LAZY = {
    "nn": "ember.nn", "optim": "ember.optim", "utils": "ember.utils", "vision": "ember.vision",
    "linalg": "ember.linalg", "return_types": "ember.return_types", "func": "ember.func",
    "cuda": "ember.cuda", "compat": "ember.compat", "hub": "ember.hub", "backends": "ember.backends",
    "save": ("ember.serialization", "save"), "load": ("ember.serialization", "load"),
    "set_printoptions": ("ember._tensor_str", "set_printoptions"), "random": "ember._random",
    "amp": "ember.amp", "cpu": "ember.cpu", "autocast": ("ember.amp", "autocast"),
    "is_autocast_enabled": ("ember.amp", "is_autocast_enabled"),
    "get_autocast_dtype": ("ember.amp", "get_autocast_dtype"),
    "special": "ember.special", "fft": "ember.fft", "distributions": "ember.distributions",
    "testing": "ember.testing", "profiler": "ember.profiler", "multiprocessing": "ember.multiprocessing",
    "distributed": "ember.distributed", "jit": "ember.jit", "version": "ember.version", "mps": "ember.mps",
    "xpu": "ember.xpu", "accelerator": "ember.accelerator", "types": "ember.types", "vmap": ("ember.func", "vmap"),
    "compiler": "ember.compiler", "library": "ember.library", "overrides": "ember.overrides", "signal": "ember.signal",
    "quasirandom": "ember.quasirandom", "GradScaler": ("ember.amp", "GradScaler"),
}


def __getattr__(name):
    import importlib
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"ember has no torch.{name} yet (module 'ember' has no attribute '{name}')")
    if isinstance(target, str):
        value = importlib.import_module(target)
    else:
        value = getattr(importlib.import_module(target[0]), target[1])
    globals()[name] = value
    for hook in _after_lazy_import:     # e.g. the compat layer naming missing APIs in new modules
        hook()
    return value


_after_lazy_import = []


def load_ipython_extension(ipython):
    """``%load_ext ember``: map ``torch``/``torchvision`` to Ember in this notebook."""
    from . import compat
    compat.install()


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def is_complex(input):
    return input.is_complex()


def numel(input):
    return input.numel()


def result_type(tensor1, tensor2):
    """The dtype an op on these operands returns (``torch.result_type``)."""
    ops = [t._data if isinstance(t, Tensor) else t for t in (tensor1, tensor2)]
    return _dtype.result_type_of(*ops)


def can_cast(from_, to):
    return _dtype.can_cast(from_, to)
