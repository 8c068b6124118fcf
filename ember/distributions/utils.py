"""Helpers shared by the distributions (``torch.distributions.utils``).

``broadcast_all`` turns numbers into tensors and broadcasts parameters to one shape;
``logits_to_probs`` / ``probs_to_logits`` convert between the two parameterisations;
``lazy_property`` computes a derived parameter (``probs`` from ``logits``, ``scale_tril`` from
``covariance_matrix``) on first access and caches it on the instance.

The private helpers keep the distributions given ``probs`` or ``logits`` short: ``_set_probs_or_logits`` stores
the one given, ``_lazy_logits_probs`` derives the other, ``_param_shape`` / ``_new_like_param`` read the given
tensor (``_param``); ``_delegate`` forwards attributes to a wrapped distribution.
"""
from numbers import Number

import ember
from .._size import Size
from .._tensor import Tensor

__all__ = ["broadcast_all", "logits_to_probs", "clamp_probs", "probs_to_logits", "lazy_property",
           "tril_matrix_to_vec", "vec_to_tril_matrix"]


def broadcast_all(*values):
    """Broadcast tensors and numbers to one shape.

    Numbers become tensors with the dtype and device of the first tensor argument (the default dtype
    when every argument is a number), then all are broadcast as ``torch.broadcast_tensors`` does.
    """
    if not all(isinstance(v, (Tensor, Number)) for v in values):
        raise ValueError("Input arguments must all be instances of Number, torch.Tensor or objects "
                         "implementing __torch_function__.")
    ref = next((v for v in values if isinstance(v, Tensor)), None)
    if ref is None:
        dtype = ember.get_default_dtype()
        return tuple(ember.tensor(v, dtype=dtype) for v in values)
    values = [v if isinstance(v, Tensor) else ember.tensor(v, dtype=ref.dtype, device=ref.device) for v in values]
    return tuple(ember.broadcast_tensors(*values))


def _standard_normal(shape, dtype, device):
    """N(0, 1) samples of ``shape`` (``empty(shape).normal_()``: the same draws as PyTorch's)."""
    return ember.empty(shape, dtype=dtype, device=device).normal_()


def _sum_rightmost(value, dim):
    """Sum out the ``dim`` rightmost dimensions of ``value`` (``dim == 0``: unchanged)."""
    if dim == 0:
        return value
    return value.reshape(value.shape[:value.dim() - dim] + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary=False):
    """Probabilities from logits: sigmoid of log-odds (binary) or softmax over the last dimension."""
    if is_binary:
        return ember.sigmoid(logits)
    return ember.softmax(logits, dim=-1)


def clamp_probs(probs):
    """Clamp probabilities into the open interval ``(eps, 1 - eps)`` of their dtype (so logs stay finite)."""
    eps = ember.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Logits from probabilities: log-odds (binary) or log-probabilities (categorical), clamped first."""
    p = clamp_probs(probs)
    if is_binary:
        return ember.log(p) - ember.log1p(-p)
    return ember.log(p)


def _one_of_probs_logits(probs, logits):
    """``("probs", probs)`` or ``("logits", logits)``: the one parameterisation given (PyTorch's ValueError when
    both or neither are)."""
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")
    return ("probs", probs) if probs is not None else ("logits", logits)


def _set_probs_or_logits(dist, probs, logits, *others):
    """Store on ``dist``, under its own name, the one of ``probs``/``logits`` given, made a tensor and broadcast
    with ``others`` (``broadcast_all(*others, given)``); the other is derived lazily (``_lazy_logits_probs``).
    Returns the broadcast ``(*others, given)``."""
    name, given = _one_of_probs_logits(probs, logits)
    values = broadcast_all(*others, given)
    setattr(dist, name, values[-1])
    return values


def _lazy_logits_probs(is_binary):
    """The ``logits`` and ``probs`` lazy properties of a distribution given one of the two, each derived from the
    other on first access: log-odds and sigmoid when ``is_binary``, else log and softmax over the last dimension.
    In a class body: ``logits, probs = _lazy_logits_probs(is_binary=True)``."""
    def logits(self):
        return probs_to_logits(self.probs, is_binary=is_binary)

    def probs(self):
        return logits_to_probs(self.logits, is_binary=is_binary)
    return lazy_property(logits), lazy_property(probs)


@property
def _param_shape(self):
    """``param_shape`` of a distribution holding its given parameter tensor as ``_param``: that tensor's shape."""
    return self._param.size()


def _new_like_param(self, *args, **kwargs):
    """``_new`` of a distribution holding its given parameter tensor as ``_param``: an empty tensor like it."""
    return self._param.new_empty(*args, **kwargs)


def _delegate(component, *names):
    """Read-only properties forwarding ``names`` to the instance's attribute ``component`` (a wrapped distribution):
    in a class body, ``logits, probs = _delegate("_categorical", "logits", "probs")``."""
    def forward(name):
        return property(lambda self: getattr(getattr(self, component), name), doc=f"``self.{component}.{name}``")
    return tuple(forward(name) for name in names)


class lazy_property:
    """A derived attribute computed on first access and then stored on the instance.

    Used for the parameterisation a distribution was not built with (``Bernoulli(logits=...).probs``).
    It is computed with gradients enabled, so it stays differentiable w.r.t. the given parameter.
    """

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__
        self.__name__ = wrapped.__name__

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return _lazy_property_and_property(self.wrapped)
        with ember.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _lazy_property_and_property(lazy_property, property):
    """What ``Class.attr`` returns for a lazy property: looks like a property (for docs and introspection)."""

    def __init__(self, wrapped):
        property.__init__(self, wrapped)


def tril_matrix_to_vec(mat, diag=0):
    """The lower-triangular entries (at and below diagonal ``diag``) of ``(..., n, n)`` matrices, in row order:
    a ``(..., m)`` vector."""
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    rows, cols = ember.tril_indices(n, n, offset=diag, device=mat.device)
    return mat[..., rows, cols]


def vec_to_tril_matrix(vec, diag=0):
    """Inverse of :func:`tril_matrix_to_vec`: ``(..., m)`` vectors into ``(..., n, n)`` lower-triangular matrices."""
    m = vec.shape[-1]
    # m = n (n + 1) / 2 + diag * n + (diag - 1) * diag / 2 (the entries at and below diagonal ``diag``)
    n = round((-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * m + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2)
    rows, cols = ember.tril_indices(n, n, offset=diag, device=vec.device)
    if rows.numel() != m:
        raise ValueError(f"vec_to_tril_matrix: a last dimension of {m} entries is not the lower triangle "
                         f"(diagonal offset {diag}) of any square matrix")
    mat = vec.new_zeros(Size(vec.shape[:-1]) + (n, n))
    mat[..., rows, cols] = vec
    return mat
