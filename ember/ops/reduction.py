"""Reductions: ``sum mean`` (+ ``sum_to_size``, used by the engine to undo broadcasting)."""

__all__ = ['sum', 'mean']

from .. import _dtype as D
from ._util import Op, Tensor, normalize_dims, tensor_method, xp_of


def _keep_shape(in_shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(in_shape))


class Sum(Op):
    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype):
        ctx.in_shape = x.shape
        ctx.dims = dims
        ctx.keepdim = keepdim
        out = x.sum(axis=dims, keepdims=keepdim, dtype=dtype)
        return out

    @staticmethod
    def backward(ctx, g):
        if not ctx.keepdim and ctx.dims:
            g = g.reshape(_keep_shape(ctx.in_shape, ctx.dims))
        return g.expand(*ctx.in_shape)


def _sum_dtype(x, dtype):
    if dtype is not None:
        return D.to_numpy_dtype(dtype)
    if x.dtype.kind in "biu":   # sums of bool/int tensors are int64
        return D.int64.np
    return None


@tensor_method("sum")
def sum(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A001
    """Sum over ``dim`` (all dims when None); int and bool inputs sum to int64."""
    dims = normalize_dims(dim, input._data.ndim, "sum")
    return Sum.apply(input, dims, keepdim, _sum_dtype(input._data, dtype))


class Mean(Op):
    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.in_shape = x.shape
        ctx.dims = dims
        ctx.keepdim = keepdim
        n = 1
        for d in dims:
            n *= x.shape[d]
        ctx.n = n
        return x.mean(axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        if not ctx.keepdim and ctx.dims:
            g = g.reshape(_keep_shape(ctx.in_shape, ctx.dims))
        return (g / ctx.n).expand(*ctx.in_shape)


@tensor_method("mean")
def mean(input, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    if not (input.is_floating_point() or input.is_complex()):
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {input.dtype.name.capitalize() if input.dtype is not D.bool_ else 'Bool'}"
                           f". Convert it first, e.g. t.float().mean() (or t.type(torch.FloatTensor).mean()).")
    dims = normalize_dims(dim, input._data.ndim, "mean")
    return Mean.apply(input, dims, keepdim)


@tensor_method("sum_to_size")
def sum_to_size(self, *size):
    """Sum broadcast dimensions away so that the result has shape ``size``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    shape = self._data.shape
    if tuple(shape) == tuple(size):
        return self
    lead = len(shape) - len(size)
    dims = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(size) if s == 1 and shape[i + lead] != 1)
    out = sum(self, dims, keepdim=True) if dims else self
    return out.reshape(size) if lead or out.shape != tuple(size) else out
