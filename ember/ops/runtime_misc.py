"""Small process-wide functions PyTorch scripts call at top level: ``typename``, ``get_device``,
``is_storage``, ``set_warn_always``, ``set_flush_denormal``, the deprecated autocast queries, and DLPack
exchange (``from_dlpack``, ``Tensor.__dlpack__``) with NumPy, CuPy, JAX or PyTorch itself."""
import warnings

from .. import _autocast, _backend
from .. import _dtype as D
from .._tensor import Tensor
from ._util import tensor_method

__all__ = ["typename", "get_device", "is_storage", "set_warn_always", "is_warn_always_enabled",
           "set_flush_denormal", "is_autocast_cpu_enabled", "get_autocast_cpu_dtype", "get_autocast_gpu_dtype",
           "from_dlpack"]

_state = {"warn_always": False}


def typename(obj):
    """``'torch.FloatTensor'`` for a tensor, else ``module.QualifiedName`` of ``obj`` (or of its class)."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    qualname = getattr(obj, "__qualname__", None) or type(obj).__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def get_device(input):
    """The GPU index a tensor lives on; -1 for the CPU."""
    if not isinstance(input, Tensor):
        raise TypeError(f"get_device(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return input.get_device()


def is_storage(obj):
    """Whether ``obj`` is a storage (``torch.UntypedStorage`` or ``torch.TypedStorage``)."""
    from ..storage import TypedStorage, UntypedStorage  # noqa: WPS433 - the library layer, loaded with ember
    return type(obj) in (UntypedStorage, TypedStorage)


def set_warn_always(b):
    """When True, warnings PyTorch gives once per process (deprecated functions ...) are given every time."""
    if not isinstance(b, bool):
        raise RuntimeError(f"setWarnOnlyOnce expects a bool, but got {type(b).__name__}")
    _state["warn_always"] = b


def is_warn_always_enabled():
    return _state["warn_always"]


def set_flush_denormal(mode):
    """Flushing denormal floats to zero needs the CPU's FTZ/DAZ flags, which NumPy does not expose: Ember
    cannot do it, so this returns False (PyTorch's answer on hardware without the flags)."""
    if not isinstance(mode, bool):
        raise RuntimeError(f"flush_denormal expects a bool, but got {type(mode).__name__}")
    return False


def is_autocast_cpu_enabled():
    warnings.warn("torch.is_autocast_cpu_enabled() is deprecated. Please use torch.is_autocast_enabled('cpu') "
                  "instead.", DeprecationWarning, stacklevel=2)
    return _autocast.is_enabled("cpu")


def get_autocast_cpu_dtype():
    warnings.warn("torch.get_autocast_cpu_dtype() is deprecated. Please use torch.get_autocast_dtype('cpu') "
                  "instead.", DeprecationWarning, stacklevel=2)
    return _autocast.get_dtype("cpu")


def get_autocast_gpu_dtype():
    warnings.warn("torch.get_autocast_gpu_dtype() is deprecated. Please use torch.get_autocast_dtype('cuda') "
                  "instead.", DeprecationWarning, stacklevel=2)
    return _autocast.get_dtype("cuda")


# ---------------------------------------------------------------- DLPack
class _Capsule:
    """A legacy DLPack capsule (``to_dlpack``'s result) dressed as an object with ``__dlpack__``."""

    def __init__(self, capsule, device):
        self.capsule, self.device = capsule, device

    def __dlpack__(self, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        return self.device


def from_dlpack(ext_tensor):
    """A tensor sharing memory with ``ext_tensor``: any object with ``__dlpack__`` (a NumPy or CuPy array, a
    PyTorch/JAX tensor) or a DLPack capsule from ``to_dlpack``. CPU memory gives a CPU tensor, CUDA memory
    (through CuPy) a CUDA tensor."""
    if hasattr(ext_tensor, "__dlpack__"):
        device_type = int(ext_tensor.__dlpack_device__()[0])
    elif type(ext_tensor).__name__ == "PyCapsule":
        device_type = None
    else:
        raise TypeError(f"from_dlpack(): expected an object with __dlpack__ (a NumPy/CuPy array, a tensor) or a "
                        f"DLPack capsule, but got {type(ext_tensor).__name__}")
    if device_type in (None, 1, 3):                 # kDLCPU, kDLCUDAHost; a capsule: try the CPU first
        import numpy as np
        try:
            src = ext_tensor if device_type is not None else _Capsule(ext_tensor, (1, 0))
            array = np.from_dlpack(src)
        except (BufferError, RuntimeError, ValueError):
            if device_type is not None:
                raise
            array = _cupy_from_dlpack(ext_tensor)
    elif device_type in (2, 13):                    # kDLCUDA, kDLCUDAManaged
        array = _cupy_from_dlpack(ext_tensor)
    else:
        raise RuntimeError(f"from_dlpack(): unsupported DLPack device type {device_type} (Ember holds tensors on "
                           "the CPU, or on CUDA GPUs through CuPy)")
    D.from_numpy_dtype(array.dtype)                 # a dtype Ember has, else its TypeError
    return Tensor._wrap(array)


def _cupy_from_dlpack(obj):
    cp = _backend.xp_for("cuda")                    # no GPU: Ember's clear error
    return cp.from_dlpack(obj)


@tensor_method("__dlpack__")
def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
    """Export the tensor's memory as a DLPack capsule (NumPy ``from_dlpack``, ``torch.from_dlpack`` ...)."""
    if self.requires_grad:
        raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
    kwargs = {k: v for k, v in (("stream", stream), ("max_version", max_version), ("dl_device", dl_device),
                                ("copy", copy)) if v is not None}
    return self._data.__dlpack__(**kwargs)


@tensor_method("__dlpack_device__")
def __dlpack_device__(self):
    """(device type, index): (1, 0) for the CPU (kDLCPU), (2, index) for a CUDA GPU."""
    kind, index = self._data.__dlpack_device__()
    return int(kind), int(index)
