"""Gradient clipping: ``clip_grad_norm_`` (rescale all grads so their joint norm is at most ``max_norm``)
and ``clip_grad_value_`` (clamp each grad element)."""
import math
import warnings

import numpy as np

from ..._tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _vector_norm(a, norm_type):
    """The p-norm of array ``a`` (all elements) as a 0-d array of a's dtype."""
    xp = type(a).__module__.startswith("cupy") and __import__("cupy") or np
    if a.size == 0:
        return xp.zeros((), dtype=a.dtype)
    absa = xp.abs(a)
    if norm_type == math.inf:
        return absa.max()
    if norm_type == -math.inf:
        return absa.min()
    if norm_type == 0:
        return (a != 0).sum().astype(a.dtype)
    if norm_type == 1:
        return absa.sum(dtype=a.dtype)
    if norm_type == 2:
        return xp.sqrt(xp.vdot(a.ravel(), a.ravel()).astype(a.dtype))
    return (absa ** norm_type).sum() ** (1.0 / norm_type)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of all ``tensors`` viewed as one vector (a 0-d Tensor)."""
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    else:
        tensors = list(tensors)
    norm_type = float(norm_type)
    if len(tensors) == 0:
        return Tensor._wrap(np.array(0.0, dtype=np.float32))
    first = tensors[0]._data
    norms = [_vector_norm(t._data, norm_type) for t in tensors]
    xp = np if type(first) is np.ndarray else __import__("cupy")
    dtype = first.dtype
    stacked = xp.stack([xp.asarray(n).astype(dtype) for n in norms])
    total = xp.asarray(_vector_norm(stacked, norm_type)).astype(dtype)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           "norm anyway, set `error_if_nonfinite=False`")
    return Tensor._wrap(total)


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the grads in place by ``min(max_norm / (total_norm + 1e-6), 1)``."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    max_norm = float(max_norm)
    if not grads:
        return
    tn = total_norm._data
    coef = (max_norm / (tn + tn.dtype.type(1e-6))).astype(tn.dtype)
    coef = coef if coef < 1.0 else tn.dtype.type(1.0)
    for g in grads:
        g._data *= coef.astype(g._data.dtype)   # in place: the grad tensors (and their views) see it
        g._version[0] += 1


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    r"""Clip the gradient norm of ``parameters`` (an iterable of Tensors, or one Tensor) in place.

    The norm is computed over all gradients together, as if concatenated into a single vector.
    Returns the total norm of the gradients before clipping (a 0-d Tensor).
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        parameters = list(parameters)   # a generator is consumed twice below
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    r"""Clamp every gradient element of ``parameters`` to ``[-clip_value, clip_value]`` in place."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    clip_value = float(clip_value)
    for p in parameters:
        if p.grad is None:
            continue
        g = p.grad
        xp = g._xp()
        xp.clip(g._data, -clip_value, clip_value, out=g._data)
        g._version[0] += 1


