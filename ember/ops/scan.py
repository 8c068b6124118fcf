"""Scans (running reductions along one dim): ``cumsum cumprod cummax cummin logcumsumexp``."""
from .. import _dtype as D
from .. import return_types
from ._util import Op, Tensor, _wrap_dim, tensor_method, xp_of
from ._util import conj_if_complex as _cj
from .sort import ScatterAlong

__all__ = ['cumsum', 'cumprod', 'cummax', 'cummin', 'logcumsumexp']


def _scan_dtype(x, dtype):
    """``dtype=`` wins; bool and integer inputs accumulate in int64 (as PyTorch's)."""
    if dtype is not None:
        return D.to_numpy_dtype(dtype)
    if x.dtype.kind in "biu":
        return D.int64.np
    return x.dtype


def _reverse_cumsum(g, d):
    """``sum_{j >= i} g_j`` along ``d`` with differentiable ops (no flip needed)."""
    return g.sum(d, keepdim=True) - cumsum(g, d) + g


class Cumsum(Op):
    @staticmethod
    def forward(ctx, x, d, dtype):
        ctx.d = d
        if x.ndim == 0:
            return x.astype(dtype, copy=True)
        return xp_of(x).cumsum(x, axis=d, dtype=dtype)

    @staticmethod
    def backward(ctx, g):
        if g.ndim == 0:
            return g
        return _reverse_cumsum(g, ctx.d)


@tensor_method("cumsum")
def cumsum(input, dim, *, dtype=None, out=None):
    """Running sum along ``dim``; ints and bools accumulate in int64."""
    d = _wrap_dim(dim, input._data.ndim, "cumsum")
    r = Cumsum.apply(input, d, _scan_dtype(input._data, dtype))
    return r if out is None else _wrap_out(r, out)


def _wrap_out(r, out):
    from ._util import wrap_out
    return wrap_out(r, out)


class Cumprod(Op):
    """Running product. Backward: ``revcumsum(g * out) / x`` without zeros; an exact O(n^2) form with zeros."""

    @staticmethod
    def forward(ctx, x, d, dtype):
        ctx.d = d
        y = x.astype(dtype, copy=True) if x.ndim == 0 else xp_of(x).cumprod(x, axis=d, dtype=dtype)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        if g.ndim == 0:
            return g
        d = ctx.d
        if not bool((x._data == 0).any()):
            return _reverse_cumsum(g * _cj(y), d) / _cj(x)      # complex: conj (Wirtinger)
        # With zeros, dividing by x is not possible: d y_j / d x_i = prod_{k <= j, k != i} x_k (j >= i).
        # Build, for every i, the input with x_i replaced by 1, take its cumprod, and contract with g.
        xp = xp_of(x._data)
        n = x.shape[d]
        xt, gt = x.transpose(d, -1), g.transpose(d, -1)
        eye = Tensor._wrap(xp.eye(n, dtype=x._data.dtype))
        rep = xt.unsqueeze(-2) * (1 - eye) + eye                 # [..., i, k]
        c = cumprod(rep, -1)                                      # [..., i, j] = prod_{k<=j, k!=i} x_k
        upper = Tensor._wrap(xp.triu(xp.ones((n, n), dtype=x._data.dtype)))   # only j >= i
        return (_cj(c) * upper * gt.unsqueeze(-2)).sum(-1).transpose(d, -1)


@tensor_method("cumprod")
def cumprod(input, dim, *, dtype=None, out=None):
    """Running product along ``dim``; ints and bools accumulate in int64."""
    d = _wrap_dim(dim, input._data.ndim, "cumprod")
    r = Cumprod.apply(input, d, _scan_dtype(input._data, dtype))
    return r if out is None else _wrap_out(r, out)


def _cum_extreme(x, d, largest):
    """Running max (min) along ``d`` and the index of the last element reaching it (NaN propagates)."""
    xp = xp_of(x)
    ufunc = xp.maximum if largest else xp.minimum
    vals = ufunc.accumulate(x, axis=d)
    shape = [1] * x.ndim
    shape[d] = x.shape[d]
    pos = xp.arange(x.shape[d]).reshape(shape)
    hit = x == vals
    if x.dtype.kind in "fc":
        hit = hit | xp.isnan(x)
    idx = xp.maximum.accumulate(xp.where(hit, pos, 0), axis=d).astype(xp.int64)
    return vals, idx


class Cummax(Op):
    @staticmethod
    def forward(ctx, x, d, largest):
        xp = xp_of(x)
        ctx.d, ctx.in_shape = d, x.shape
        if x.ndim == 0:
            vals, idx = x.copy(), xp.zeros((), dtype=xp.int64)
        elif x.size == 0:
            vals, idx = x.copy(), xp.zeros(x.shape, dtype=xp.int64)
        else:
            vals, idx = _cum_extreme(x, d, largest)
        ctx.save_for_backward(idx)
        ctx.mark_non_differentiable(idx)
        return vals, idx

    @staticmethod
    def backward(ctx, g, g_idx=None):
        idx, = ctx.saved_tensors
        if idx.ndim == 0:
            return g
        return ScatterAlong.apply(g, idx, ctx.d, ctx.in_shape)    # each output's grad goes to its source


class Cummin(Cummax):
    pass


@tensor_method("cummax")
def cummax(input, dim, *, out=None):
    """Running maximum along ``dim`` and its indices: namedtuple (values, indices)."""
    d = _wrap_dim(dim, input._data.ndim, "cummax")
    return return_types.cummax(Cummax.apply(input, d, True))


@tensor_method("cummin")
def cummin(input, dim, *, out=None):
    """Running minimum along ``dim`` and its indices: namedtuple (values, indices)."""
    d = _wrap_dim(dim, input._data.ndim, "cummin")
    return return_types.cummin(Cummin.apply(input, d, False))


class Logcumsumexp(Op):
    """``log(cumsum(exp(x)))`` computed stably; backward ``revcumsum(g * exp(-out)) * exp(x)``."""

    @staticmethod
    def forward(ctx, x, d):
        xp = xp_of(x)
        ctx.d = d
        y = x.copy() if x.ndim == 0 else xp.logaddexp.accumulate(x, axis=d)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        if g.ndim == 0:
            return g
        # d out_j / d x_i = exp(x_i - out_j) for j >= i: shift by the max of out for stability.
        d = ctx.d
        m = y.detach().amax(d, keepdim=True)
        return _reverse_cumsum(g * (m - y).exp(), d) * (x - m).exp()


@tensor_method("logcumsumexp")
def logcumsumexp(input, dim, *, out=None):
    """``log(cumsum(exp(input)))`` along ``dim``, without overflow."""
    d = _wrap_dim(dim, input._data.ndim, "logcumsumexp")
    if input._data.dtype.kind in "biu":
        input = input.to(D.get_default_dtype())
    r = Logcumsumexp.apply(input, d)
    return r if out is None else _wrap_out(r, out)
