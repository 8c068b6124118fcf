"""Sorting and selection: ``sort argsort msort topk kthvalue unique unique_consecutive``.

The ops that return values picked from the input (``sort``, ``topk``,
``kthvalue``) compute the indices on arrays, gather the values, and send the
gradient back to those indices (``ScatterAlong``). The two small index ops
below (gather/scatter along a dim) are each other's backward, so double
backward works.
"""
from .. import return_types
from ._util import Op, Tensor, _wrap_dim, tensor_method, xp_of

__all__ = ['sort', 'argsort', 'msort', 'topk', 'kthvalue', 'unique', 'unique_consecutive']


# ---------------------------------------------------------------------------------------------- gather / scatter
class TakeAlong(Op):
    """``out[..., j, ...] = x[..., idx[..., j, ...], ...]`` along ``d`` (gather)."""
    node_name = "GatherBackward0"

    @staticmethod
    def forward(ctx, x, idx, d):
        ctx.d, ctx.in_shape = d, x.shape
        ctx.save_for_backward(idx)
        return xp_of(x).take_along_axis(x, idx, axis=d)

    @staticmethod
    def backward(ctx, g):
        idx, = ctx.saved_tensors
        return ScatterAlong.apply(g, idx, ctx.d, ctx.in_shape), None


class ScatterAlong(Op):
    """Zeros of ``shape`` with ``g`` added at ``idx`` along ``d`` (scatter_add; repeated indices add up)."""
    node_name = "ScatterAddBackward0"

    @staticmethod
    def forward(ctx, g, idx, d, shape):
        xp = xp_of(g)
        ctx.d = d
        ctx.save_for_backward(idx)
        out = xp.zeros(shape, dtype=g.dtype)
        if g.ndim == 0:
            return g.copy().reshape(shape)
        if g.size == 0:
            return out
        # Flatten to rows (all other dims) x positions along d, then one bincount adds every row at once.
        gm, im = xp.moveaxis(g, d, -1), xp.moveaxis(idx, d, -1)
        n = shape[d]
        rows = gm.size // max(gm.shape[-1], 1)
        flat = (im.reshape(rows, -1) + (xp.arange(rows) * n)[:, None]).reshape(-1)
        if g.dtype.kind == "c":
            acc = xp.zeros(rows * n, dtype=g.dtype)
            xp.add.at(acc, flat, gm.reshape(-1))
        else:
            acc = xp.bincount(flat, weights=gm.reshape(-1), minlength=rows * n).astype(g.dtype)
        out_m = acc.reshape(xp.moveaxis(out, d, -1).shape)
        return xp.ascontiguousarray(xp.moveaxis(out_m, -1, d))

    @staticmethod
    def backward(ctx, g):
        idx, = ctx.saved_tensors
        return TakeAlong.apply(g, idx, ctx.d)


def take_along(x, idx, d):
    """Gather ``x`` at int64 array ``idx`` along ``d`` (differentiable in ``x``)."""
    return TakeAlong.apply(x, Tensor._wrap(idx), d)


# ---------------------------------------------------------------------------------------------- sort
def _argsort(x, d, descending):
    """Stable argsort along ``d``; NaN counts as the largest value (last ascending, first descending)."""
    xp = xp_of(x)
    if x.dtype.kind == "b":
        x = x.astype(xp.uint8)
    if not descending:
        return xp.argsort(x, axis=d, kind="stable")
    # Descending and stable: sort the reversed array ascending, then reverse back (ties keep their order).
    n = x.shape[d]
    rev = xp.flip(x, axis=d)
    return (n - 1) - xp.flip(xp.argsort(rev, axis=d, kind="stable"), axis=d)


class Sort(Op):
    @staticmethod
    def forward(ctx, x, d, descending):
        xp = xp_of(x)
        if x.ndim == 0:
            idx = xp.zeros((), dtype=xp.int64)
            vals = x.copy()
        else:
            idx = _argsort(x, d, descending).astype(xp.int64, copy=False)
            vals = xp.take_along_axis(x, idx, axis=d)
        ctx.d, ctx.in_shape = d, x.shape
        ctx.save_for_backward(idx)
        ctx.mark_non_differentiable(idx)
        return vals, idx

    @staticmethod
    def backward(ctx, g, g_idx=None):
        idx, = ctx.saved_tensors
        if idx.ndim == 0:
            return g
        return ScatterAlong.apply(g, idx, ctx.d, ctx.in_shape)


def _dim(input, dim, op):
    return _wrap_dim(dim, input._data.ndim, op)


@tensor_method("sort")
def sort(input, dim=-1, descending=False, stable=False, *, out=None):
    """Sorted values along ``dim`` and where they came from: namedtuple (values, indices).

    The sort is always stable (equal elements keep their order), which is one of
    the orders PyTorch may return when ``stable=False``. NaN sorts as the largest value.
    """
    if isinstance(dim, bool):     # sort(input, stable, dim=..., descending=...) positional form
        dim, stable = -1, dim
    if stable is None:
        stable = False
    r = return_types.sort(Sort.apply(input, _dim(input, dim, "sort"), bool(descending)))
    if out is not None:
        from ._util import wrap_out
        wrap_out(r[0], out[0])
        wrap_out(r[1], out[1])
        return return_types.sort(out)
    return r


@tensor_method("argsort")
def argsort(input, dim=-1, descending=False, stable=False):
    """Indices that sort ``input`` along ``dim`` (int64)."""
    d = _dim(input, dim, "argsort")
    x = input._data
    xp = xp_of(x)
    if x.ndim == 0:
        return Tensor._wrap(xp.zeros((), dtype=xp.int64))
    return Tensor._wrap(_argsort(x, d, bool(descending)).astype(xp.int64, copy=False))


@tensor_method("msort")
def msort(input, *, out=None):
    """Sort along the first dim (values only)."""
    return sort(input, 0).values if out is None else sort(input, 0, out=(out, input.new_empty(0).long()))[0]


# ---------------------------------------------------------------------------------------------- topk / kthvalue
class Topk(Op):
    @staticmethod
    def forward(ctx, x, k, d, largest, sorted_):
        xp = xp_of(x)
        ctx.d, ctx.in_shape = d, x.shape
        if x.ndim == 0:
            idx = xp.zeros((), dtype=xp.int64)
            vals = x.copy()
        else:
            order = _argsort(x, d, largest)
            idx = xp.take(order, xp.arange(k), axis=d).astype(xp.int64, copy=False)
            vals = xp.take_along_axis(x, idx, axis=d)
        ctx.save_for_backward(idx)
        ctx.mark_non_differentiable(idx)
        return vals, idx

    backward = Sort.backward


@tensor_method("topk")
def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):  # noqa: A002 - PyTorch's name
    """The ``k`` largest (``largest=False``: smallest) elements along ``dim``: namedtuple (values, indices)."""
    d = _dim(input, dim, "topk")
    n = input._data.shape[d] if input._data.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"selected index k out of range (topk: k={k} but dimension {d} of the input, shape "
                           f"{list(input.shape)}, has {n} elements; k must be between 0 and {n})")
    return return_types.topk(Topk.apply(input, int(k), d, bool(largest), bool(sorted)))


class Kthvalue(Op):
    @staticmethod
    def forward(ctx, x, k, d, keepdim):
        xp = xp_of(x)
        ctx.d, ctx.in_shape, ctx.keepdim = d, x.shape, keepdim
        if x.ndim == 0:
            idx = xp.zeros((), dtype=xp.int64)
            vals = x.copy()
        else:
            order = _argsort(x, d, False)
            idx = xp.take(order, xp.arange(k - 1, k), axis=d).astype(xp.int64, copy=False)
            vals = xp.take_along_axis(x, idx, axis=d)
            ctx.save_for_backward(idx)
            if not keepdim:
                idx, vals = idx.squeeze(d), vals.squeeze(d)
        if x.ndim == 0:
            ctx.save_for_backward(idx)
        ctx.mark_non_differentiable(idx)
        return vals, idx

    @staticmethod
    def backward(ctx, g, g_idx=None):
        idx, = ctx.saved_tensors
        if idx.ndim == 0:
            return g
        if not ctx.keepdim:
            g = g.unsqueeze(ctx.d)
        return ScatterAlong.apply(g, idx, ctx.d, ctx.in_shape)


@tensor_method("kthvalue")
def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """The ``k``-th smallest element (1-based) along ``dim``: namedtuple (values, indices)."""
    d = _dim(input, dim, "kthvalue")
    n = input._data.shape[d] if input._data.ndim else 1
    if input._data.ndim and n == 0:
        raise IndexError(f"kthvalue(): Expected reduction dim {d} to have non-zero size.")
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d} (k={k}, but the "
                           f"dimension has {n} elements; k counts from 1)")
    return return_types.kthvalue(Kthvalue.apply(input, int(k), d, bool(keepdim)))


# ---------------------------------------------------------------------------------------------- unique
def _unique_flat(x, return_inverse, return_counts):
    xp = xp_of(x)
    flat = x.reshape(-1)
    order = xp.argsort(flat, kind="stable")
    s = flat[order]
    if s.size == 0:
        new = xp.zeros(0, dtype=bool)
    else:
        new = xp.concatenate([xp.ones(1, dtype=bool), s[1:] != s[:-1]])
    values = s[new]
    out = [values]
    if return_inverse:
        inv = xp.empty(flat.shape, dtype=xp.int64)
        inv[order] = xp.cumsum(new) - 1
        out.append(inv.reshape(x.shape))
    if return_counts:
        starts = xp.nonzero(new)[0]
        out.append(xp.diff(xp.concatenate([starts, xp.asarray([s.size])])).astype(xp.int64))
    return out


@tensor_method("unique")
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    """Distinct elements (always sorted, as PyTorch's CPU does), optionally with the inverse map and counts.

    With ``dim``: distinct slices along ``dim``.
    """
    x = input._data
    xp = xp_of(x)
    if dim is None:
        res = _unique_flat(x, return_inverse, return_counts)
    else:
        d = _wrap_dim(dim, x.ndim, "unique")
        r = xp.unique(x, return_inverse=True, return_counts=True, axis=d)
        res = [r[0]]
        if return_inverse:
            res.append(r[1].reshape(-1).astype(xp.int64))
        if return_counts:
            res.append(r[2].astype(xp.int64))
    res = tuple(Tensor._wrap(a) for a in res)
    return res[0] if len(res) == 1 else res


@tensor_method("unique_consecutive")
def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse runs of equal consecutive elements (of the flattened tensor, or slices along ``dim``)."""
    x = input._data
    xp = xp_of(x)
    if dim is None:
        flat = x.reshape(-1)
        new = xp.concatenate([xp.ones(min(flat.size, 1), dtype=bool), flat[1:] != flat[:-1]])
        values = flat[new]
        inv_shape = x.shape
    else:
        d = _wrap_dim(dim, x.ndim, "unique_consecutive")
        m = xp.moveaxis(x, d, 0).reshape(x.shape[d], -1)
        diff = (m[1:] != m[:-1]).any(axis=1) if m.shape[1] else xp.zeros(max(m.shape[0] - 1, 0), dtype=bool)
        new = xp.concatenate([xp.ones(min(m.shape[0], 1), dtype=bool), diff])
        values = xp.take(x, xp.nonzero(new)[0], axis=d)
        inv_shape = (x.shape[d],)
    res = [values]
    if return_inverse:
        res.append((xp.cumsum(new) - 1).astype(xp.int64).reshape(inv_shape))
    if return_counts:
        starts = xp.nonzero(new)[0]
        res.append(xp.diff(xp.concatenate([starts, xp.asarray([new.size])])).astype(xp.int64))
    res = tuple(Tensor._wrap(a) for a in res)
    return res[0] if len(res) == 1 else res
