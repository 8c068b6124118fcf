"""``torch.backends.cuda``: switches for the GPU's matrix multiplies, FFT plans and linear algebra.

Ember's GPU runs on CuPy. ``matmul.allow_tf32`` is the float32 matmul precision that
``torch.set_float32_matmul_precision`` sets (True is ``"high"``, False is ``"highest"``, as in PyTorch), so
either spelling changes the other. ``cufft_plan_cache`` is CuPy's cuFFT plan cache on each GPU.
"""
import enum
import importlib.util

from .. import _backend
from ..ops import switches as _switches

__all__ = ["is_built", "matmul", "cufft_plan_cache", "preferred_linalg_library"]


def is_built():
    """Whether Ember can drive a CUDA GPU at all (CuPy is installed); ``torch.cuda.is_available()`` tells
    whether one is usable now."""
    return importlib.util.find_spec("cupy") is not None


# ---------------------------------------------------------------- matmul (cuBLAS) switches
def _reduction_setting(value, name):
    """``allow_*_reduced_precision_reduction`` takes a bool or (allow_reduced_precision[, allow_splitk])."""
    def as_bool(v, which):
        if isinstance(v, bool):
            return v
        raise TypeError(f"{name} expects a bool for {which}, but got {type(v)!r}")
    if isinstance(value, bool):
        return value, True
    if isinstance(value, (list, tuple)):
        if not value:
            raise TypeError(f"{name} expects at least one boolean argument")
        if len(value) > 2:
            raise TypeError(f"{name} expects at most two boolean arguments")
        splitk = as_bool(value[1], "allow_splitk") if len(value) == 2 else True
        return as_bool(value[0], "allow_reduced_precision"), splitk
    raise TypeError(f"{name} expects a bool or a tuple/list of bools, but got {type(value)!r}")


class _Matmul:
    """``torch.backends.cuda.matmul``: attributes read and written as PyTorch's cuBLAS module allows."""
    _reduced = {"fp16": (True, True), "bf16": (True, True)}

    def __getattr__(self, name):
        if name == "allow_tf32":
            return _switches.get_float32_matmul_precision() != "highest"
        for kind in ("fp16", "bf16"):
            if name == f"allow_{kind}_reduced_precision_reduction":
                return self._reduced[kind][0]
            if name == f"allow_{kind}_reduced_precision_reduction_split_k":
                return self._reduced[kind][1]
        raise AttributeError("Unknown attribute " + name)

    def __setattr__(self, name, value):
        if name == "allow_tf32":
            if not isinstance(value, bool):
                raise RuntimeError(f"set_allow_tf32_cublas expects a bool, but got {type(value).__name__}")
            _switches.set_float32_matmul_precision("high" if value else "highest")
            return
        for kind in ("fp16", "bf16"):
            if name == f"allow_{kind}_reduced_precision_reduction":
                self._reduced[kind] = _reduction_setting(value, name)
                return
        raise AttributeError("Unknown attribute " + name)

    def __repr__(self):
        return f"<ember.backends.cuda matmul settings: allow_tf32={self.allow_tf32}>"


matmul = _Matmul()


# ---------------------------------------------------------------- cuFFT plan cache
class _PlanCache:
    """The cuFFT plan cache of one GPU (CuPy's): ``size`` plans held now, ``max_size`` the limit, ``clear()``."""

    def __init__(self, index):
        self.device_index = index

    def _cache(self):
        cp = _backend.xp_for("cuda")
        with cp.cuda.Device(self.device_index):
            return cp.fft.config.get_plan_cache()

    @property
    def size(self):
        return self._cache().get_curr_size()

    @property
    def max_size(self):
        return self._cache().get_size()

    @max_size.setter
    def max_size(self, value):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise RuntimeError(f"cufft_set_plan_cache_max_size: expected a non-negative int, but got {value!r}")
        self._cache().set_size(value)

    def clear(self):
        self._cache().clear()


class _PlanCacheManager:
    """``torch.backends.cuda.cufft_plan_cache``: ``[device]`` gives that GPU's cache; attributes read and set
    the current GPU's."""

    def __getitem__(self, device):
        from .._device import as_device
        index = device if isinstance(device, int) else as_device(device).index
        if index is None:
            index = _backend.xp_for("cuda").cuda.Device().id
        cp = _backend.cupy_module()
        count = 0 if cp is None else cp.cuda.runtime.getDeviceCount()
        if not 0 <= index < count:
            raise RuntimeError(f"cufft_plan_cache: expected 0 <= device index < {count}, but got device with "
                               f"index {index}")
        return _PlanCache(index)

    def _current(self):
        return self[_backend.xp_for("cuda").cuda.Device().id]

    def __getattr__(self, name):
        return getattr(self._current(), name)

    def __setattr__(self, name, value):
        setattr(self._current(), name, value)


cufft_plan_cache = _PlanCacheManager()


# ---------------------------------------------------------------- preferred linear algebra library
class _LinalgBackend(enum.Enum):
    Default = 0
    Cusolver = 1
    Magma = 2


_linalg = {"backend": _LinalgBackend.Default}


def preferred_linalg_library(backend=None):
    """Read, or set (``"default"``, ``"cusolver"``, ``"magma"``), the library GPU linear algebra prefers.
    Ember's GPU linear algebra is CuPy's, which is cuSOLVER: ``"default"`` and ``"cusolver"`` both mean it;
    MAGMA is not available (PyTorch's error for a build without it)."""
    if backend is None:
        return _linalg["backend"]
    if isinstance(backend, str):
        names = {m.name.lower(): m for m in _LinalgBackend}
        if backend not in names:
            raise RuntimeError("Unknown input value. Choose from: default, cusolver, magma.")
        backend = names[backend]
    elif not isinstance(backend, _LinalgBackend):
        raise RuntimeError("Unknown input value type.")
    if backend is _LinalgBackend.Magma:
        raise RuntimeError("Cannot set preferred backend to MAGMA if PyTorch has not been compiled with MAGMA. "
                           "(Ember's GPU linear algebra is CuPy's cuSOLVER; use 'default' or 'cusolver'.)")
    if backend is _LinalgBackend.Cusolver and _backend.cupy_module() is None:
        raise RuntimeError("Cannot set preferred backend to cuSOLVER if PyTorch has not been compiled with "
                           f"cuSOLVER. ({_backend.cuda_unavailable_reason()})")
    _linalg["backend"] = backend
    return backend
