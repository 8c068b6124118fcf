"""Shape and view ops. Views are NumPy views: they share memory with their base
and its version counter, and remember how to re-derive themselves from the base
(``_view_fn``) so that in-place ops on views can rewrite the base's history."""

__all__ = ['reshape', 'permute', 'transpose', 'swapaxes', 'swapdims', 't', 'flatten', 'squeeze', 'unsqueeze']

import numpy as np

from .._size import Size
from ._util import Op, Tensor, _wrap_dim, tensor_method


def as_view(out, x, fn):
    """Mark ``out`` as a view of ``x`` made by ``fn`` (a differentiable Tensor -> Tensor function)."""
    out._version = x._version
    base = x._base
    if base is None:
        out._base = x
        out._view_fn = fn
    else:
        out._base = base
        parent = x._view_fn
        out._view_fn = (lambda b: fn(parent(b))) if parent is not None else fn
    return out


def infer_shape(shape, numel, op="view"):
    shape = tuple(int(s) for s in shape)
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = shape[:neg[0]] + (numel // known,) + shape[neg[0] + 1:]
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _shape_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, Size)):
        return tuple(shape[0])
    return shape


class Reshape(Op):
    @staticmethod
    def forward(ctx, x, shape, must_view=False):
        ctx.in_shape = x.shape
        if must_view:
            try:
                return np.reshape(x, shape, copy=False) if type(x) is np.ndarray else x.reshape(shape)
            except ValueError:
                raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                                   "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
                                   ) from None
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape)


@tensor_method("view")
def view(self, *shape):
    """A view with a new shape (no copy; fails when the strides do not allow it, use ``reshape``)."""
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, Size, int)):
        return self.to(shape[0]) if not isinstance(shape[0], Tensor) else self.view_as(shape[0])
    shape = infer_shape(_shape_args(shape), self._data.size)
    out = Reshape.apply(self, shape, must_view=True)
    return as_view(out, self, lambda b: b.view(shape))


@tensor_method("reshape")
def reshape(self, *shape):
    """A tensor with a new shape: a view when the strides allow it, else a copy."""
    shape = infer_shape(_shape_args(shape), self._data.size, "reshape")
    out = Reshape.apply(self, shape)
    if np.shares_memory(out._data, self._data) if type(self._data) is np.ndarray else out._data.base is not None:
        as_view(out, self, lambda b: b.reshape(shape))
    return out


@tensor_method("view_as")
def view_as(self, other):
    return view(self, other.shape)


@tensor_method("reshape_as")
def reshape_as(self, other):
    return reshape(self, other.shape)


class Permute(Op):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, g):
        inv = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inv[d] = i
        return g.permute(*inv)


@tensor_method("permute")
def permute(self, *dims):
    dims = tuple(_wrap_dim(d, self._data.ndim) for d in _shape_args(dims))
    if sorted(dims) != list(range(self._data.ndim)):
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {self._data.ndim} "
                           f"is not equal to len(dims) = {len(dims)}")
    return as_view(Permute.apply(self, dims), self, lambda b: b.permute(*dims))


@tensor_method("transpose", "swapaxes", "swapdims")
def transpose(self, dim0, dim1):
    n = self._data.ndim
    if n == 0:
        return as_view(Reshape.apply(self, ()), self, lambda b: b)
    d0, d1 = _wrap_dim(dim0, n), _wrap_dim(dim1, n)
    dims = list(range(n))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return as_view(Permute.apply(self, tuple(dims)), self, lambda b: b.transpose(d0, d1))


@tensor_method("t")
def t(self):
    if self._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self._data.ndim}D")
    if self._data.ndim < 2:
        return transpose(self, 0, 0)
    return transpose(self, 0, 1)


Tensor.T = property(lambda self: permute(self, *reversed(range(self._data.ndim))))
Tensor.mT = property(lambda self: transpose(self, -2, -1))


class Expand(Op):
    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return np.broadcast_to(x, shape) if type(x) is np.ndarray else __import__("cupy").broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g.sum_to_size(ctx.in_shape)


@tensor_method("expand")
def expand(self, *sizes):
    sizes = _shape_args(sizes)
    n_new = len(sizes) - self._data.ndim
    if n_new < 0:
        raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to the "
                           f"number of dimensions in the tensor ({self._data.ndim})")
    shape = []
    for i, s in enumerate(sizes):
        cur = self._data.shape[i - n_new] if i >= n_new else 1
        if s == -1:
            if i < n_new:
                raise RuntimeError("expand: -1 is not allowed in a leading, non-existing dimension")
            s = cur
        elif cur != 1 and cur != s:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                               f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                               f"{list(self._data.shape)}")
        shape.append(s)
    shape = tuple(shape)
    return as_view(Expand.apply(self, shape), self, lambda b: b.expand(*shape))


@tensor_method("expand_as")
def expand_as(self, other):
    return expand(self, other.shape)


@tensor_method("unsqueeze")
def unsqueeze(self, dim):
    n = self._data.ndim + 1
    d = _wrap_dim(dim, n)
    shape = self._data.shape[:d] + (1,) + self._data.shape[d:]
    return as_view(Reshape.apply(self, shape), self, lambda b: b.unsqueeze(d))


@tensor_method("squeeze")
def squeeze(self, dim=None):
    s = self._data.shape
    if dim is None:
        shape = tuple(x for x in s if x != 1)
    else:
        dims = {_wrap_dim(d, len(s)) for d in ((dim,) if isinstance(dim, int) else dim)} if s else set()
        shape = tuple(x for i, x in enumerate(s) if not (i in dims and x == 1))
    return as_view(Reshape.apply(self, shape), self, lambda b: b.squeeze(dim))


@tensor_method("flatten")
def flatten(self, start_dim=0, end_dim=-1):
    n = self._data.ndim
    if n == 0:
        return reshape(self, (1,))
    s, e = _wrap_dim(start_dim, n), _wrap_dim(end_dim, n)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = self._data.shape
    return reshape(self, shape[:s] + (-1,) + shape[e + 1:]) if shape[s:e + 1] else reshape(self, shape)


@tensor_method("contiguous")
def contiguous(self, memory_format=None):
    if self._data.flags.c_contiguous:
        return self
    return self.clone()

swapaxes = swapdims = transpose
