"""Joining tensors: ``cat`` (``concat``, ``concatenate``), ``stack``, ``hstack``, ``vstack``, ``dstack``,
``column_stack``. Inputs of different dtypes are promoted as PyTorch promotes them."""

from .. import _dtype as D
from ._util import Op, Tensor, _wrap_dim, xp_of, wrap_out
from .misc import atleast_1d, atleast_2d, atleast_3d

__all__ = ["cat", "concat", "concatenate", "stack", "hstack", "vstack", "row_stack", "dstack", "column_stack"]


def _tensor_list(op, tensors):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{op}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    return tensors


def _common_dtype(tensors):
    dt = tensors[0].dtype
    for t in tensors[1:]:
        if t.dtype is not dt:
            dt = D.promote_types(dt, t.dtype)
    return dt.np


class Cat(Op):
    @staticmethod
    def forward(ctx, *arrays, dim, np_dtype):
        ctx.dim = dim
        ctx.sizes = [a.shape[dim] for a in arrays]
        return xp_of(arrays[0]).concatenate([a.astype(np_dtype, copy=False) for a in arrays], axis=dim)

    @staticmethod
    def backward(ctx, g):
        return g.split(ctx.sizes, ctx.dim)


def cat(tensors, dim=0, *, out=None):
    """Join tensors along an existing dimension ``dim``; all other sizes must match."""
    tensors = _tensor_list("cat", tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    # PyTorch's legacy rule: 1-D empty tensors are skipped, whatever the others' shapes.
    parts = [t for t in tensors if not (t.ndim == 1 and t.shape[0] == 0)]
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    np_dtype = _common_dtype(tensors)
    if not parts:
        return wrap_out(Tensor._wrap(xp_of(tensors[0]._data).empty((0,), dtype=np_dtype)), out)
    ref = parts[0]
    d = _wrap_dim(dim, ref.ndim)
    for i, t in enumerate(tensors):
        if t.ndim == 1 and t.shape[0] == 0:
            continue
        if t.ndim != ref.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} and {t.ndim}")
        for k in range(ref.ndim):
            if k != d and t.shape[k] != ref.shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{ref.shape[k]} but got size {t.shape[k]} for tensor number {i} in the list. "
                                   f"(shapes: {', '.join(str(list(p.shape)) for p in tensors)}; only dimension {d} "
                                   f"may differ)")
        if t.device != ref.device:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                               f"{ref.device} and {t.device}!")
    if len(parts) == 1 and parts[0].dtype.np == np_dtype and out is None:
        return Cat.apply(parts[0], dim=d, np_dtype=np_dtype)
    return wrap_out(Cat.apply(*parts, dim=d, np_dtype=np_dtype), out)


concat = concatenate = cat


class Stack(Op):
    @staticmethod
    def forward(ctx, *arrays, dim, np_dtype):
        ctx.dim = dim
        return xp_of(arrays[0]).stack([a.astype(np_dtype, copy=False) for a in arrays], axis=dim)

    @staticmethod
    def backward(ctx, g):
        return g.unbind(ctx.dim)


def stack(tensors, dim=0, *, out=None):
    """Join equally shaped tensors along a new dimension ``dim``."""
    tensors = _tensor_list("stack", tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    ref = tensors[0]
    d = _wrap_dim(dim, ref.ndim + 1)
    for i, t in enumerate(tensors[1:], 1):
        if t.shape != ref.shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(ref.shape)} at entry 0 "
                               f"and {list(t.shape)} at entry {i}. (Resize or pad them to one shape first, e.g. "
                               "with transforms.Resize plus CenterCrop for images.)")
    return wrap_out(Stack.apply(*tensors, dim=d, np_dtype=_common_dtype(tensors)), out)


def hstack(tensors, *, out=None):
    """Concatenate column-wise: along dim 1, or dim 0 for 1-D tensors."""
    ts = atleast_1d(*_tensor_list("hstack", tensors)) if tensors else []
    ts = list(ts) if isinstance(ts, (tuple, list)) else [ts]
    if not ts:
        raise RuntimeError("hstack expects a non-empty TensorList")
    return cat(ts, 0 if ts[0].ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    """Concatenate row-wise (1-D tensors become rows)."""
    ts = _tensor_list("vstack", tensors)
    if not ts:
        raise RuntimeError("vstack expects a non-empty TensorList")
    ts = atleast_2d(*ts)
    return cat(list(ts) if isinstance(ts, tuple) else [ts], 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    """Concatenate depth-wise (along dim 2, after ``atleast_3d``)."""
    ts = _tensor_list("dstack", tensors)
    if not ts:
        raise RuntimeError("dstack expects a non-empty TensorList")
    ts = atleast_3d(*ts)
    return cat(list(ts) if isinstance(ts, tuple) else [ts], 2, out=out)


def column_stack(tensors, *, out=None):
    """Stack 0-D/1-D tensors as columns (others are concatenated along dim 1)."""
    ts = _tensor_list("column_stack", tensors)
    if not ts:
        raise RuntimeError("column_stack expects a non-empty TensorList")
    ts = [t.reshape(t.numel(), 1) if t.ndim <= 1 else t for t in ts]
    return cat(ts, 1, out=out)
