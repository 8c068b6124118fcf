"""More process-wide functions PyTorch scripts call at top level: the autocast state setters, the build
flags (``has_lapack`` ...), ``get_device_module``, ``init_num_threads``; and the ``__torch_function__``
protocol helpers that ``torch.nn.functional`` and ``torch.overrides`` share (``has_torch_function`` ...).

Autocast state: ``set_autocast_enabled``/``set_autocast_dtype`` (and their deprecated per-device forms)
change what ``torch.is_autocast_enabled``/``get_autocast_dtype`` report and what ``torch.autocast(...)``
defaults to, exactly as the state a ``with torch.autocast(...)`` block sets; ``autocast`` counts its
nesting depth and sets the cache flag as PyTorch's does. Ember keeps no cache of cast weights (each op casts
its inputs when it runs), so ``clear_autocast_cache`` has nothing to drop.

``__torch_function__``: Ember's own ops never dispatch to it (a tensor-like object passed to ``torch.add``
is not consulted). The helpers below implement the protocol for code that calls them itself, as
libraries do in their own functions::

    def my_op(x):
        if has_torch_function_unary(x):
            return handle_torch_function(my_op, (x,), x)
        ...

Ember tensors (and their subclasses, which have no ``__torch_function__``) never take that branch.
"""
import warnings

import numpy as np

from .. import _autocast, _device
from .. import _dtype as D
from .._tensor import Tensor

__all__ = ["set_autocast_enabled", "set_autocast_cpu_enabled", "set_autocast_dtype", "set_autocast_cpu_dtype",
           "set_autocast_gpu_dtype", "set_autocast_cache_enabled", "is_autocast_cache_enabled",
           "clear_autocast_cache", "autocast_increment_nesting", "autocast_decrement_nesting",
           "has_lapack", "has_mkl", "has_openmp", "has_spectral", "is_vulkan_available", "get_device_module",
           "init_num_threads"]

__functional__ = ["has_torch_function", "has_torch_function_unary", "has_torch_function_variadic",
                  "handle_torch_function"]


# ---------------------------------------------------------------- autocast state
def _autocast_device(fn, device_type):
    """``device_type`` checked as PyTorch checks it, then limited to the device types Ember autocasts."""
    if not isinstance(device_type, str):
        raise TypeError(f"{fn}(): argument 'device_type' (position 1) must be str, not {type(device_type).__name__}")
    kind = _device.device(device_type).type        # PyTorch's error for strings that name no device
    if kind not in _autocast._enabled:
        raise RuntimeError(f"{fn}(): Ember keeps autocast state for 'cpu' and 'cuda' only, got '{device_type}'")
    return kind


def _check_enabled(fn, enabled, position):
    if not isinstance(enabled, bool):
        raise TypeError(f"{fn}(): argument 'enabled' (position {position}) must be bool, not "
                        f"{type(enabled).__name__}")


def _check_dtype(dtype):
    if not isinstance(dtype, D.dtype):
        raise TypeError(f"dtype must be a torch.dtype (got {type(dtype).__name__})")


def set_autocast_enabled(*args):
    """``set_autocast_enabled(device_type, enabled)``; the legacy one-argument form ``(enabled)`` sets CUDA's."""
    if len(args) == 1 and not isinstance(args[0], str):
        _check_enabled("set_autocast_enabled", args[0], 1)
        device_type, enabled = "cuda", args[0]
    elif len(args) == 2:
        device_type = _autocast_device("set_autocast_enabled", args[0])
        _check_enabled("set_autocast_enabled", args[1], 2)
        enabled = args[1]
    else:
        got = ", ".join(type(a).__name__ for a in args)
        raise TypeError(f"set_autocast_enabled() received an invalid combination of arguments - got ({got}), but "
                        "expected one of:\n * (str device_type, bool enabled)\n * (bool enabled)\n")
    _autocast.set_state(device_type, enabled, _autocast.get_dtype(device_type))


def set_autocast_cpu_enabled(enabled):
    warnings.warn("torch.set_autocast_cpu_enabled(enabled) is deprecated. Please use "
                  "torch.set_autocast_enabled('cpu', enabled) instead.", DeprecationWarning, stacklevel=2)
    _check_enabled("set_autocast_cpu_enabled", enabled, 1)
    _autocast.set_state("cpu", enabled, _autocast.get_dtype("cpu"))


_MISSING = object()


def set_autocast_dtype(device_type, dtype=_MISSING):
    """The lower-precision dtype autocast uses on ``device_type`` (PyTorch stores any dtype; ``autocast``
    itself then checks it when it is entered)."""
    device_type = _autocast_device("set_autocast_dtype", device_type)   # checked first, as PyTorch does
    if dtype is _MISSING:
        raise TypeError("set_autocast_dtype() missing 1 required positional argument: 'dtype'")
    _check_dtype(dtype)
    _autocast.set_state(device_type, _autocast.is_enabled(device_type), dtype)


def set_autocast_cpu_dtype(dtype):
    warnings.warn("torch.set_autocast_cpu_dtype(dtype) is deprecated. Please use "
                  "torch.set_autocast_dtype('cpu', dtype) instead.", DeprecationWarning, stacklevel=2)
    _check_dtype(dtype)
    _autocast.set_state("cpu", _autocast.is_enabled("cpu"), dtype)


def set_autocast_gpu_dtype(dtype):
    warnings.warn("torch.set_autocast_gpu_dtype(dtype) is deprecated. Please use "
                  "torch.set_autocast_dtype('cuda', dtype) instead.", DeprecationWarning, stacklevel=2)
    _check_dtype(dtype)
    _autocast.set_state("cuda", _autocast.is_enabled("cuda"), dtype)


def set_autocast_cache_enabled(enabled):
    if not isinstance(enabled, bool):
        raise TypeError(f"enabled must be a bool (got {type(enabled).__name__})")
    _autocast.cache_enabled = enabled


def is_autocast_cache_enabled():
    return _autocast.cache_enabled


def clear_autocast_cache():
    """Drop autocast's cached casts. Ember casts each op's inputs when the op runs and caches nothing, so
    there is nothing to drop."""


def autocast_increment_nesting():
    """One autocast level deeper; returns the new depth (``autocast.__enter__`` calls this)."""
    _autocast.nesting += 1
    return _autocast.nesting


def autocast_decrement_nesting():
    """One autocast level out; returns the new depth (PyTorch lets it go below 0, and so does Ember)."""
    _autocast.nesting -= 1
    return _autocast.nesting


# ---------------------------------------------------------------- build flags
def _numpy_blas():
    """NumPy's BLAS build description, lower-cased ('' when NumPy does not say): Ember's CPU linear algebra."""
    try:
        blas = np.__config__.CONFIG["Build Dependencies"]["blas"]
    except (AttributeError, KeyError, TypeError):
        return ""
    return " ".join(str(blas.get(k, "")) for k in ("name", "openblas configuration")).lower()


has_lapack = True                       # numpy.linalg always ships LAPACK: Ember's solvers and factorisations
has_spectral = True                     # ember.fft (NumPy's pocketfft / cuFFT through CuPy)
has_mkl = "mkl" in _numpy_blas()        # the answers ember.backends.mkl / .openmp give
has_openmp = "openmp" in _numpy_blas()


def is_vulkan_available():
    return False


def get_device_module(device=None):
    """The module for a device type: ``ember.cuda`` for ``'cuda'``/``'cuda:1'``/``device('cuda')``, ``ember.cpu``
    for the CPU; with no argument, the current accelerator's module (the CPU's when there is none)."""
    if isinstance(device, _device.device):
        name = device.type
    elif isinstance(device, str):
        name = _device.device(device).type
    elif device is None:
        from ..accelerator import current_accelerator  # noqa: WPS433 - the library layer, loaded on use
        acc = current_accelerator()
        name = "cpu" if acc is None else acc.type
    else:
        raise RuntimeError(f"Invalid value of device '{device}', expect torch.device, str, or None")
    import ember  # noqa: WPS433
    try:
        return getattr(ember, name)
    except AttributeError:
        raise RuntimeError(f"Device '{name}' does not have a corresponding module registered as "
                           f"'torch.{name}'.") from None


def init_num_threads():
    """Set up the calling thread's intra-op thread pool. NumPy's BLAS threads are shared by the whole
    process and need no per-thread setup: nothing to do."""


# ---------------------------------------------------------------- __torch_function__ protocol
def _overrides(obj):
    """Whether ``obj``'s type implements ``__torch_function__`` (Ember tensors do not)."""
    return hasattr(type(obj), "__torch_function__")


def has_torch_function(relevant_args):
    """True when an object in the iterable ``relevant_args`` implements ``__torch_function__``."""
    return any(_overrides(a) for a in relevant_args)


def has_torch_function_unary(input):
    """``has_torch_function((input,))``."""
    return _overrides(input)


def has_torch_function_variadic(*args):
    """``has_torch_function(args)``."""
    return any(_overrides(a) for a in args)


def _overloaded_args(relevant_args):
    """The arguments whose types implement ``__torch_function__``, one per type, in PyTorch's order:
    left to right, except that a subclass goes before its superclasses."""
    args, types = [], []
    for a in relevant_args:
        t = type(a)
        if not _overrides(a) or t in types:
            continue
        index = len(args)
        for i, other in enumerate(types):
            if issubclass(t, other):
                index = i
                break
        args.insert(index, a)
        types.insert(index, t)
    return args


def _api_name(fn):
    """``'torch.add'`` for an Ember public function, else ``module.qualname``."""
    import ember  # noqa: WPS433
    name = getattr(fn, "__name__", None)
    if name is not None and getattr(ember, name, None) is fn:
        return f"torch.{name}"
    return f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', repr(fn))}"


def handle_torch_function(public_api, relevant_args, *args, **kwargs):
    """Call ``__torch_function__`` of the overloaded arguments in ``relevant_args`` (subclasses first) with
    ``(public_api, types, args, kwargs)``; return the first result that is not ``NotImplemented``."""
    overloaded = _overloaded_args(relevant_args)
    types = tuple(type(a) for a in overloaded)
    for a in overloaded:
        method = a.__torch_function__
        if getattr(method, "__self__", None) is a:
            warnings.warn("Defining your `__torch_function__ as a plain method is deprecated and will be an error "
                          "in future, please define it as a classmethod.", DeprecationWarning, stacklevel=2)
        result = method(public_api, types, args, kwargs)
        if result is not NotImplemented:
            return result
    raise TypeError(f"no implementation found for '{_api_name(public_api)}' on types that implement "
                    f"__torch_function__: [{', '.join(str(t) for t in types)}]")


def is_tensor_like(inp):
    """True for an Ember tensor (or tensor class) and for anything implementing ``__torch_function__``."""
    return isinstance(inp, Tensor) or (isinstance(inp, type) and issubclass(inp, Tensor)) or \
        hasattr(inp, "__torch_function__")
