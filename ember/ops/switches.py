"""Process-wide switches scripts set at their top: ``torch.compile``, matmul precision, deterministic
algorithms, anomaly mode, inter-op threads.

Ember runs every op eagerly, in float32 when asked for float32, with deterministic CPU kernels: the
switches that tune PyTorch's compiler and kernels are accepted, validated as PyTorch validates them,
remembered and reported back, so scripts written for PyTorch run unchanged.
"""
import warnings

from .. import _backend, _device
from ..autograd.function import AnomalyMode
from . import reduction

__all__ = ["compile", "set_float32_matmul_precision", "get_float32_matmul_precision",
           "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
           "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
           "get_deterministic_debug_mode", "set_anomaly_enabled", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "get_num_interop_threads", "set_num_interop_threads",
           "set_default_device", "get_default_device"]

_MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")
_state = {"matmul_precision": "highest", "deterministic": False, "warn_only": False, "interop_threads": None}


def _check_bool(fn, name, value, position=None):
    if not isinstance(value, bool):
        where = f" (position {position})" if position else ""
        raise TypeError(f"{fn}(): argument '{name}'{where} must be bool, not {type(value).__name__}")


# ---------------------------------------------------------------- torch.compile
def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None, options=None,  # noqa: A001
            disable=False, **kwargs):
    """PyTorch's graph compiler; Ember runs eagerly, so this returns ``model`` itself (a module stays the same
    module object, a function the same function). PyTorch's keyword arguments are accepted and checked (mode
    names, mode and options together) and otherwise ignored. Works as ``torch.compile(model)`` and as a
    decorator, ``@torch.compile`` or ``@torch.compile(mode="max-autotune")``."""
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be specified at the same time.")
    if mode is not None and mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(_MODES)}")
    if model is None:
        return lambda fn: compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                                  options=options, disable=disable, **kwargs)
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    return model


# ---------------------------------------------------------------- float32 matmul precision
def set_float32_matmul_precision(precision):
    """Store PyTorch's float32 matmul precision (``"highest"``, ``"high"``, ``"medium"``). Ember always
    multiplies float32 matrices in float32 (NumPy/CuPy GEMM): the setting is only reported back."""
    if not isinstance(precision, str):
        raise RuntimeError(f"set_float32_matmul_precision expects a str, but got {type(precision).__name__}")
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _state["matmul_precision"] = precision


def get_float32_matmul_precision():
    return _state["matmul_precision"]


# ---------------------------------------------------------------- deterministic algorithms
def use_deterministic_algorithms(mode, *, warn_only=False):
    """Store the flag. Ember's CPU kernels are deterministic already, so nothing changes in how they run."""
    _check_bool("_set_deterministic_algorithms", "mode", mode, 1)
    _check_bool("_set_deterministic_algorithms", "warn_only", warn_only)
    _state["deterministic"], _state["warn_only"] = mode, warn_only


def are_deterministic_algorithms_enabled():
    return _state["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    return _state["warn_only"]


def set_deterministic_debug_mode(debug_mode):
    """``"default"``/0: off; ``"warn"``/1: deterministic, warn only; ``"error"``/2: deterministic."""
    names = ("default", "warn", "error")
    if isinstance(debug_mode, str):
        if debug_mode not in names:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, `error`, but got "
                               f"{debug_mode}")
        debug_mode = names.index(debug_mode)
    elif not isinstance(debug_mode, int):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    return 0 if not _state["deterministic"] else (1 if _state["warn_only"] else 2)


# ---------------------------------------------------------------- anomaly mode
def set_anomaly_enabled(enabled, check_nan=True):
    """Turn anomaly detection on or off for the rest of the process (``autograd.set_detect_anomaly``
    without the ``with`` block): a backward that makes NaN raises, naming the forward op."""
    _check_bool("set_anomaly_enabled", "enabled", enabled, 1)
    _check_bool("set_anomaly_enabled", "check_nan", check_nan, 2)
    AnomalyMode.enabled, AnomalyMode.check_nan = enabled, check_nan


def is_anomaly_enabled():
    return AnomalyMode.enabled


def is_anomaly_check_nan_enabled():
    return AnomalyMode.check_nan


# ---------------------------------------------------------------- inter-op threads
def get_num_interop_threads():
    """What ``set_num_interop_threads`` set, else PyTorch's default (the intra-op thread count)."""
    n = _state["interop_threads"]
    return reduction.get_num_threads() if n is None else n


def set_num_interop_threads(nthreads):
    """Store the count (Ember runs ops one after another; it has no inter-op pool). As in PyTorch it may be set
    once."""
    if isinstance(nthreads, bool) or not isinstance(nthreads, int):
        raise RuntimeError(f"set_num_interop_threads expects an int, but got {type(nthreads).__name__}")
    if nthreads <= 0:
        raise RuntimeError("set_num_interop_threads expects a positive integer")
    if _state["interop_threads"] is not None:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work has started or "
                           "set_num_interop_threads called")
    _state["interop_threads"] = nthreads


# ---------------------------------------------------------------- default device
def set_default_device(device):
    """Put tensors that factories (``zeros``, ``tensor``, ``randn`` ...) create without a ``device`` on
    ``device``; None (or 'cpu') restores the CPU. Setting 'cuda' without a GPU fails here, clearly."""
    d = _device.as_device(device)
    if d is not None and d.type == "cuda":
        _backend.xp_for("cuda")         # raises Ember's 'no GPU' error now rather than at every factory
    _device._default = None if d is None or d.type == "cpu" else d


def get_default_device():
    """The device ``set_default_device`` chose (the CPU by default)."""
    return _device._default or _device.CPU

