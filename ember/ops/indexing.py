"""Indexing: ``t[...]`` (basic indexing gives views), ``where``, ``masked_fill``."""
import numpy as np

from .. import _dtype as D
from ._util import Op, Tensor, promote_arrays, tensor_method, xp_of
from .shape import as_view

__all__ = ["where", "masked_fill"]


class Where(Op):
    @staticmethod
    def forward(ctx, cond, a, b):
        if cond.dtype != np.bool_:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                               f"{D._FROM_NP[cond.dtype]}")
        a, b, _ = promote_arrays(a, b)
        ctx.save_for_backward(cond)
        return xp_of(cond).where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        cond, = ctx.saved_tensors
        zero = g.new_zeros(())
        return None, where(cond, g, zero), where(cond, zero, g)


def where(condition, input=None, other=None, *, out=None):
    """``input`` where ``condition`` holds, else ``other`` (broadcasting); one argument: ``nonzero`` tuple."""
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    return Where.apply(condition, input if isinstance(input, Tensor) else input,
                       other if isinstance(other, Tensor) else other)


Tensor.where = lambda self, condition, other: where(condition, self, other)


@tensor_method("masked_fill")
def masked_fill(input, mask, value):
    """``value`` where ``mask`` is True; ``mask`` must be bool and broadcastable to ``input``."""
    if mask.dtype is not D.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {mask.dtype}")
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.ndim} dimension(s).")
        value = value.to(input.dtype)
    else:
        value = Tensor._wrap(input._xp().asarray(value, dtype=input._data.dtype))
    out = Where.apply(mask, value, input)
    return out if out.shape == input.shape else out  # mask broadcasting may enlarge, as PyTorch's does


class GetItem(Op):
    @staticmethod
    def forward(ctx, x, index):
        ctx.in_shape = x.shape
        ctx.index = index
        ctx.xp = xp_of(x)
        return x[index]

    @staticmethod
    def backward(ctx, g):
        return IndexBackward.apply(g, ctx.in_shape, ctx.index)


class IndexBackward(Op):
    """Scatter-add a gradient into zeros of the source's shape (repeated indices accumulate)."""

    @staticmethod
    def forward(ctx, g, shape, index):
        ctx.index = index
        xp = xp_of(g)
        out = xp.zeros(shape, dtype=g.dtype)
        if _is_basic(index):
            out[index] = g
        else:
            xp.add.at(out, index, g)
        return out

    @staticmethod
    def backward(ctx, gg):
        return gg[ctx.index]


def _is_basic(index):
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, slice, np.integer)) for i in items)


def _convert_index(index, shape):
    """Tensors in an index -> arrays; reject float indices with PyTorch's message."""
    items = index if isinstance(index, tuple) else (index,)
    out = []
    for i in items:
        if isinstance(i, Tensor):
            a = i._data
            if a.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            if a.dtype == np.uint8:
                a = a.astype(bool)
            out.append(a if a.ndim else (a.item() if a.dtype.kind != "b" else a))
        elif isinstance(i, (list,)) and i and isinstance(i[0], Tensor):
            out.append(np.array([int(v) for v in i]))
        elif isinstance(i, float):
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                             "valid indices (got float)")
        else:
            out.append(i)
    return tuple(out) if isinstance(index, tuple) or len(out) != 1 else out[0]


def _check_bounds(index, shape):
    items = index if isinstance(index, tuple) else (index,)
    dim = 0
    for i in items:
        if i is None:
            continue
        if i is Ellipsis:
            dim = len(shape) - sum(1 for j in items if j is not None and j is not Ellipsis) + dim
            continue
        if isinstance(i, (int, np.integer)) and not isinstance(i, bool):
            if dim >= len(shape):
                if not shape:
                    raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                                     "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
                raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
            if not -shape[dim] <= i < shape[dim]:
                raise IndexError(f"index {i} is out of bounds for dimension {dim} with size {shape[dim]}")
        dim += 1


def getitem(self, index):
    index = _convert_index(index, self._data.shape)
    _check_bounds(index, self._data.shape)
    try:
        out = GetItem.apply(self, index)
    except IndexError as exc:
        raise IndexError(str(exc).replace("array", "tensor")) from None
    if _is_basic(index):
        as_view(out, self, lambda b: b[index])
    return out


Tensor.__getitem__ = getitem
