"""``torch.backends.cudnn``: is cuDNN here, its version, and the switches scripts set at their top.

``cudnn.benchmark = True``, ``cudnn.deterministic = True``, ``cudnn.enabled``, ``cudnn.allow_tf32`` are
settable module attributes checked as in PyTorch (bools). Ember's GPU convolutions are CuPy's and do not
autotune, so they are remembered and reported back; as in PyTorch, ``cudnn.deterministic`` is not
``torch.use_deterministic_algorithms`` (Ember's CPU kernels are deterministic either way).
"""
import contextlib

from .. import _backend
from . import _flags

__all__ = ["is_available", "version", "is_acceptable", "flags", "set_flags",
           "enabled", "benchmark", "deterministic", "allow_tf32", "benchmark_limit"]


def _cudnn_module():
    """CuPy's cuDNN binding when a GPU and the cuDNN library are both usable, else None."""
    if _backend.cupy_module() is None:
        return None
    try:
        from cupy.cuda import cudnn
        cudnn.getVersion()
    except Exception:  # cuDNN not installed, or its library fails to load
        return None
    return cudnn


def is_available():
    """True when Ember can reach cuDNN: CuPy with a GPU, and the cuDNN library loads."""
    return _cudnn_module() is not None


def version():
    """cuDNN's version number (e.g. 90100 for 9.1.0), or None without cuDNN."""
    cudnn = _cudnn_module()
    return None if cudnn is None else int(cudnn.getVersion())


def is_acceptable(tensor):
    """Whether cuDNN would take this tensor: a float16/32/64 tensor on a GPU, with cuDNN enabled and available."""
    import sys
    from .. import _dtype
    if not sys.modules[__name__].enabled or not tensor.is_cuda:
        return False
    return tensor.dtype in (_dtype.float16, _dtype.float32, _dtype.float64) and is_available()


def set_flags(_enabled=None, _benchmark=None, _benchmark_limit=None, _deterministic=None, _allow_tf32=None):
    """Set the given switches; returns the previous (enabled, benchmark, benchmark_limit, deterministic,
    allow_tf32)."""
    import sys
    module = sys.modules[__name__]
    names = ("enabled", "benchmark", "benchmark_limit", "deterministic", "allow_tf32")
    old = tuple(getattr(module, n) for n in names)
    for name, value in zip(names, (_enabled, _benchmark, _benchmark_limit, _deterministic, _allow_tf32)):
        if value is not None:
            setattr(module, name, value)
    return old


@contextlib.contextmanager
def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False, allow_tf32=True):
    """Set the switches inside a ``with`` block (PyTorch's defaults: everything off but allow_tf32)."""
    old = set_flags(enabled, benchmark, benchmark_limit, deterministic, allow_tf32)
    try:
        yield
    finally:
        set_flags(*old)


def _set_limit(module, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RuntimeError(f"set_benchmark_limit_cudnn expects a non-negative int, but got {value!r}")
    module.__dict__["_benchmark_limit"] = value


_flags.install(
    __name__,
    enabled=_flags.bool_switch(True, "set_enabled_cudnn"),
    benchmark=_flags.bool_switch(False, "set_benchmark_cudnn"),
    deterministic=_flags.bool_switch(False, "set_deterministic_cudnn"),
    allow_tf32=_flags.bool_switch(True, "set_allow_tf32_cublas"),      # PyTorch's wording for this setter
    benchmark_limit=property(lambda m: m.__dict__.get("_benchmark_limit", 10), _set_limit),
)
