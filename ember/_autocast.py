"""Autocast state and the casts that op entry points make under it (``ember.autocast`` is the public side).

One process-wide state per device type, as PyTorch keeps it per thread:
``enabled`` and the lower-precision ``dtype``. ``on`` is True while any
device type has autocast enabled, so that an entry point pays one attribute
test when autocast is off::

    if _autocast.on:
        input, weight = _autocast.lower("linear", input, weight)

``lower`` casts the floating-point Tensors of a matmul/linear/conv to the
autocast dtype (float64 stays float64); ``fp32`` casts those of a loss (and,
on CUDA, softmax/log_softmax/sum ...) up to float32, PyTorch's op lists for
each device. The casts are ordinary differentiable ``to()`` calls, so
gradients flow back to float32 parameters in float32.
"""
from . import _dtype as D

on = False                      # any device type enabled (read by op entry points)
_enabled = {"cpu": False, "cuda": False}
_dtype = {"cpu": D.bfloat16, "cuda": D.float16}
# PyTorch's cache flag and nesting depth (``torch.is_autocast_cache_enabled``, ``autocast_increment_nesting``):
# ``autocast`` sets the flag and counts its depth as PyTorch's does. Ember keeps no cache of cast weights (each
# op casts its inputs when it runs), so the flag is reported back and changes nothing else.
cache_enabled = True
nesting = 0

# Entry points that call ``lower`` (PyTorch's 'lower_precision_fp' list for CPU, the ops Ember has; CUDA's
# list holds these too). ``lower`` does not consult it: tests check that each caller is listed here.
# einsum is not on PyTorch's list but runs its contractions through bmm, which is (see ops/linalg.py).
LOWER_OPS = {"conv", "conv_transpose", "linear", "matmul", "mm", "bmm", "addmm", "baddbmm", "addbmm",
             "linalg_vecdot", "prelu", "scaled_dot_product_attention", "einsum"}

# Ops that autocast runs in float32 (PyTorch's 'fp32' policy lists, the ops Ember has).
_LOSSES = {"nll_loss", "cross_entropy", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "prod"}
FP32_OPS = {
    "cpu": _LOSSES,
    "cuda": _LOSSES | {"softmax", "log_softmax", "sum", "cumsum", "layer_norm", "group_norm", "exp", "log",
                       "pow", "norm"},
}


def _refresh():
    global on
    on = _enabled["cpu"] or _enabled["cuda"]


def set_state(device_type, enabled, dtype):
    """Set one device type's state; returns the previous ``(enabled, dtype)``."""
    prev = (_enabled[device_type], _dtype[device_type])
    _enabled[device_type] = bool(enabled)
    _dtype[device_type] = dtype
    _refresh()
    return prev


def is_enabled(device_type="cuda"):
    return _enabled[device_type]


def get_dtype(device_type):
    return _dtype[device_type]


def _device_type(tensors):
    for t in tensors:
        if t is not None and hasattr(t, "_data"):
            return "cuda" if t.is_cuda else "cpu"
    return "cpu"


def _cast(tensors, target):
    out = []
    for t in tensors:
        if t is not None and hasattr(t, "_data") and t.is_floating_point() and t.dtype is not target \
                and t.dtype is not D.float64:
            t = t.to(target)
        out.append(t)
    return out


def lower(op, *tensors):
    """The Tensors cast to the autocast dtype of their device (or unchanged when autocast is off there)."""
    dev = _device_type(tensors)
    if not _enabled[dev]:
        return tensors
    return _cast(tensors, _dtype[dev])


def fp32(op, *tensors):
    """The Tensors cast to float32 when ``op`` is on their device's float32 list under autocast."""
    dev = _device_type(tensors)
    if not _enabled[dev] or op not in FP32_OPS[dev]:
        return tensors
    return _cast(tensors, D.float32)


def fp32_one(op, tensor):
    """``fp32`` for a single Tensor (returns the Tensor itself, not a tuple)."""
    return fp32(op, tensor)[0]
