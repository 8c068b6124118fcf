"""``ember.amp``: automatic mixed precision (``torch.amp``): ``autocast`` and ``GradScaler``.

``autocast(device_type, dtype=None, enabled=True, cache_enabled=None)`` runs
matmul/linear/conv (``mm``, ``addmm``, ``bmm``, ``baddbmm``, ``conv*d``,
``conv_transpose*d``) in a lower precision (bfloat16 by default on the CPU,
float16 on CUDA) and losses (and on CUDA also softmax/log_softmax/sum...) in
float32, as PyTorch's autocast op lists say. It is a context manager and a
decorator. ``GradScaler`` scales the loss so that float16 gradients do not
underflow, unscales them before the step, skips steps whose gradients hold
inf/nan and adapts the scale (growth/backoff), exactly as PyTorch's does.
"""
import functools
import warnings
from collections import defaultdict

import numpy as np

from . import _autocast
from . import _backend
from . import _dtype as D

__all__ = ["autocast", "GradScaler", "is_autocast_available", "custom_fwd", "custom_bwd"]

_DEVICE_TYPES = ("cpu", "cuda")


def is_autocast_available(device_type):
    return device_type in _DEVICE_TYPES


class autocast:  # noqa: N801 - PyTorch's name
    """Context manager / decorator enabling mixed precision for ``device_type`` ('cpu' or 'cuda')."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if device_type not in _DEVICE_TYPES:
            raise RuntimeError(f"User specified an unsupported autocast device_type '{device_type}' (Ember "
                               "supports 'cpu' and 'cuda')")
        self.device = device_type
        self.fast_dtype = _autocast.get_dtype(device_type) if dtype is None else dtype
        self._cache_enabled = _autocast.cache_enabled if cache_enabled is None else bool(cache_enabled)
        enabled = bool(enabled)
        if enabled and device_type == "cuda" and _backend.cupy_module() is None:
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.", stacklevel=2)
            enabled = False
        if enabled and device_type == "cpu" and self.fast_dtype not in (D.bfloat16, D.float16):
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling autocast.\n"
                          "CPU Autocast only supports dtypes of torch.bfloat16, torch.float16 currently.",
                          stacklevel=2)
            enabled = False
        if enabled and device_type == "cuda" and self.fast_dtype not in (D.bfloat16, D.float16):
            raise RuntimeError("In CUDA autocast, but the target dtype is not supported. Disabling autocast.\n"
                               "CUDA Autocast only supports dtypes of torch.float16, torch.bfloat16 currently.")
        self._enabled = enabled
        self._prev = None

    def __enter__(self):
        self._prev = _autocast.set_state(self.device, self._enabled, self.fast_dtype)
        self._prev_cache = _autocast.cache_enabled
        _autocast.nesting += 1
        _autocast.cache_enabled = self._cache_enabled
        return self

    def __exit__(self, exc_type, exc, tb):
        _autocast.nesting -= 1
        _autocast.set_state(self.device, *self._prev)
        _autocast.cache_enabled = self._prev_cache
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with autocast(self.device, self.fast_dtype, self._enabled, self._cache_enabled):
                return fn(*args, **kwargs)
        return wrapper


def is_autocast_enabled(device_type="cuda"):
    return _autocast.is_enabled(device_type)


def get_autocast_dtype(device_type):
    return _autocast.get_dtype(device_type)


def custom_fwd(fwd=None, *, device_type="cuda", cast_inputs=None):
    """Decorator for a custom Function's forward; with ``cast_inputs`` the forward runs with autocast off
    and its floating Tensor inputs cast to ``cast_inputs``."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def wrapper(*args, **kwargs):
        if cast_inputs is None or not _autocast.is_enabled(device_type):
            return fwd(*args, **kwargs)
        args = [a.to(cast_inputs) if hasattr(a, "_data") and a.is_floating_point() else a for a in args]
        with autocast(device_type, enabled=False):
            return fwd(*args, **kwargs)
    return wrapper


def custom_bwd(bwd=None, *, device_type="cuda"):
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return bwd


# ============================================================================================ GradScaler
_READY, _UNSCALED, _STEPPED = 0, 1, 2


def _fresh_state():
    return {"stage": _READY, "found_inf_per_device": {}}


class GradScaler:
    """Loss scaling for float16 training (``torch.amp.GradScaler``)::

        scaler = GradScaler("cuda")
        with autocast("cuda"):
            loss = loss_fn(model(x), y)
        scaler.scale(loss).backward()
        scaler.step(optimizer)        # unscales, skips the step on inf/nan
        scaler.update()               # backoff after inf/nan, growth after growth_interval clean steps
    """

    def __init__(self, device="cuda", init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        self._device = device
        self._enabled = enabled
        if device == "cuda" and enabled and _backend.cupy_module() is None:
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                          stacklevel=2)
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale = init_scale
            self._scale = None              # float32 0-d array on the device of the first scaled output
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker = None     # int32 0-d array
            self._per_optimizer_states = defaultdict(_fresh_state)

    # ---- helpers ----
    def _check_scale_growth_tracker(self, funcname):
        fix = "This may indicate your script did not use scaler.scale(loss or outputs) earlier in the iteration."
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  " + fix)
        return self._scale, self._growth_tracker

    def _lazy_init(self, xp):
        self._scale = xp.full((), self._init_scale, dtype=np.float32)
        self._growth_tracker = xp.full((), self._init_growth_tracker, dtype=np.int32)

    # ---- the four steps ----
    def scale(self, outputs):
        """``outputs * scale`` (a Tensor, or an iterable of Tensors, recursively)."""
        if not self._enabled:
            return outputs
        from ._tensor import Tensor  # noqa: WPS433
        if isinstance(outputs, Tensor):
            if self._scale is None:
                self._lazy_init(outputs._xp())
            return outputs * Tensor._wrap(self._scale)

        def apply_scale(val):
            if isinstance(val, Tensor):
                if self._scale is None:
                    self._lazy_init(val._xp())
                return val * Tensor._wrap(self._scale)
            if isinstance(val, (list, tuple, set)) or hasattr(val, "__iter__"):
                it = map(apply_scale, val)
                return type(val)(it) if isinstance(val, (list, tuple)) else it
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")
        return apply_scale(outputs)

    def _unscale_grads_(self, optimizer, inv_scale, allow_fp16):
        """Multiply every gradient by ``inv_scale`` in place; a per-device float32 flag, 1.0 if any was inf/nan."""
        found = {}
        for group in optimizer.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if not allow_fp16 and g.dtype is D.float16:
                    raise ValueError("Attempting to unscale FP16 gradients.")
                arr = g._data
                xp = _backend.xp_of(arr)
                dev = str(g.device)
                if dev not in found:
                    found[dev] = xp.zeros((), dtype=np.float32)
                bad = ~xp.isfinite(arr).all()
                found[dev] = xp.maximum(found[dev], bad.astype(np.float32))
                inv = inv_scale if xp is _backend.xp_of(inv_scale) else _backend.to_device(
                    inv_scale, "cuda" if g.is_cuda else "cpu", _backend.device_index(arr) or 0)
                arr *= inv.astype(arr.dtype)
                g._version[0] += 1
        return found

    def unscale_(self, optimizer):
        """Divide the optimizer's gradients by the scale (once per step; call it before clipping)."""
        if not self._enabled:
            return
        self._check_scale_growth_tracker("unscale_")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] == _UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last update().")
        if state["stage"] == _STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        # the reciprocal in float64, then float32 (PyTorch's choice, for exactness)
        inv_scale = (1.0 / self._scale.astype(np.float64)).astype(np.float32)
        state["found_inf_per_device"] = self._unscale_grads_(optimizer, inv_scale, False)
        state["stage"] = _UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """Unscale (if not done yet) and ``optimizer.step()`` unless a gradient held inf/nan; returns its value."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scale_growth_tracker("step")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] == _STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] == _READY:
            self.unscale_(optimizer)
        if len(state["found_inf_per_device"]) == 0:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        retval = None
        if not sum(float(v) for v in state["found_inf_per_device"].values()):
            retval = optimizer.step(*args, **kwargs)
        state["stage"] = _STEPPED
        return retval

    def update(self, new_scale=None):
        """Backoff the scale after an inf/nan step, grow it after ``growth_interval`` clean steps."""
        if not self._enabled:
            return
        scale, tracker = self._check_scale_growth_tracker("update")
        if new_scale is not None:
            if isinstance(new_scale, float):
                scale[...] = new_scale
            else:
                reason = ("new_scale should be a float or a 1-element torch.cuda.FloatTensor or "
                          "torch.FloatTensor with requires_grad=False.")
                if new_scale.device.type != self._device or new_scale.numel() != 1 or new_scale.requires_grad:
                    raise AssertionError(reason)
                scale[...] = new_scale._data.reshape(())
        else:
            found = [v for st in self._per_optimizer_states.values() for v in st["found_inf_per_device"].values()]
            if len(found) == 0:
                raise AssertionError("No inf checks were recorded prior to update.")
            found_inf = float(sum(float(v) for v in found))
            # torch._amp_update_scale_, in float32 as PyTorch's kernel computes it
            if found_inf:
                scale[...] = scale * np.float32(self._backoff_factor)
                tracker[...] = 0
            else:
                successful = int(tracker) + 1
                if successful == self._growth_interval:
                    grown = np.float32(float(scale)) * np.float32(self._growth_factor)
                    if np.isfinite(grown):
                        scale[...] = grown
                    tracker[...] = 0
                else:
                    tracker[...] = successful
        self._per_optimizer_states = defaultdict(_fresh_state)

    # ---- accessors and state ----
    def get_scale(self):
        if self._enabled:
            return self._init_scale if self._scale is None else float(self._scale)
        return 1.0

    def get_growth_factor(self):
        return self._growth_factor

    def set_growth_factor(self, new_factor):
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        return self._backoff_factor

    def set_backoff_factor(self, new_factor):
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        return self._growth_interval

    def set_growth_interval(self, new_interval):
        self._growth_interval = new_interval

    def _get_growth_tracker(self):
        if self._enabled:
            return self._init_growth_tracker if self._growth_tracker is None else int(self._growth_tracker)
        return 0

    def is_enabled(self):
        return self._enabled

    def state_dict(self):
        if self._enabled:
            return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                    "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                    "_growth_tracker": self._get_growth_tracker()}
        return {}

    def load_state_dict(self, state_dict):
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale[...] = state_dict["scale"]
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._init_growth_tracker = state_dict["_growth_tracker"]
        if self._growth_tracker is not None:
            self._growth_tracker[...] = state_dict["_growth_tracker"]
