"""Indexing: ``t[...]`` (basic indexing gives views, advanced/boolean indexing copies), ``where``,
``masked_fill``, and the index ops (``index_select gather scatter take masked_select nonzero`` ...).

Every op here is out of place; the in-place forms (``scatter_``, ``index_put_``,
``t[i] = v`` ...) are made from them in ``ops/inplace.py``.
"""
import operator

import numpy as np

from .. import _dtype as D
from ._util import Op, Tensor, _wrap_dim, promote_arrays, tensor_method, xp_of
from .shape import Alias, _Embed, _Take, _select, _slice, as_view, expand, unsqueeze

__all__ = ["where", "masked_fill", "index_select", "gather", "scatter", "scatter_add", "scatter_reduce",
           "index_add", "index_copy", "index_fill", "index_put", "take", "take_along_dim", "masked_select",
           "masked_scatter", "nonzero", "argwhere"]


# ---------------------------------------------------------------- where / masked_fill
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
        return nonzero(condition, as_tuple=True)
    return Where.apply(condition, input, other)


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
    return Where.apply(mask, value, input)


# ---------------------------------------------------------------- t[...]
def _stages(key):
    """PyTorch applies the ints of a key as ``select``s before the advanced (array) indices; NumPy
    broadcasts ints with the arrays instead (the result's dims then land elsewhere). Split such a key
    into a basic first stage and an advanced second stage; returns ``(stage1 or None, stage2)``."""
    if type(key) is not tuple or not any(type(i) is int for i in key) or not any(hasattr(i, "ndim") for i in key):
        return None, key
    first, second = [], []
    for i in key:
        if type(i) is int:
            first.append(i)
        elif i is None:
            first.append(None)
            second.append(slice(None))
        elif i is Ellipsis or type(i) is slice:
            first.append(i)
            second.append(slice(None) if i is not Ellipsis else i)
        else:
            first.extend([slice(None)] * (i.ndim if i.dtype == np.bool_ else 1))
            second.append(i)
    return tuple(first), tuple(second)


def region(a, key):
    """``(array, key)`` such that ``array[key]`` addresses what PyTorch's ``a[key]`` does (``array`` is a view)."""
    first, second = _stages(key)
    return (a if first is None else a[first]), second


class Index(Op):
    """Advanced (integer-array / boolean) indexing: a copy; repeated indices accumulate in backward."""

    @staticmethod
    def forward(ctx, x, key):
        ctx.shape, ctx.key = x.shape, key
        a, k = region(x, key)
        return a[k]

    @staticmethod
    def backward(ctx, g):
        return _IndexBackward.apply(g, ctx.shape, ctx.key)


class _IndexBackward(Op):
    """Scatter-add a gradient into zeros of the source's shape (repeated indices accumulate)."""

    @staticmethod
    def forward(ctx, g, shape, key):
        ctx.key = key
        xp = xp_of(g)
        out = xp.zeros(shape, dtype=g.dtype)
        a, k = region(out, key)
        xp.add.at(a, k, g)   # CuPy >= 12.1 has ufunc.at too
        return out

    @staticmethod
    def backward(ctx, gg):
        return Index.apply(gg, ctx.key)


_INDEX_TYPES = "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices"


def _index_array(t, xp):
    """An index Tensor -> an array usable by ``xp`` (bool stays a mask; uint8 becomes one)."""
    a = t._data
    if a.dtype.kind not in "biu":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if a.dtype == np.uint8:
        a = a.astype(bool)
    if xp_of(a) is not xp:
        a = xp.asarray(a.get() if hasattr(a, "get") else a)
    return a


def _parse_index(index, x):
    """Normalise a ``__getitem__``/``__setitem__`` key: (items, is_advanced). Raises PyTorch's IndexErrors."""
    items = index if type(index) is tuple else (index,)
    xp = xp_of(x)
    out, advanced = [], False
    for i in items:
        if i is None or i is Ellipsis or type(i) is slice:
            out.append(i)
        elif type(i) is int:
            out.append(i)
        elif isinstance(i, Tensor):
            if i._data.ndim == 0 and i._data.dtype.kind in "iu":
                out.append(int(i._data))     # a 0-dim integer tensor acts as an int (a view)
            else:
                out.append(_index_array(i, xp))
                advanced = True
        elif isinstance(i, bool):
            out.append(xp.asarray(i))
            advanced = True
        elif isinstance(i, (int, np.integer)):
            out.append(int(i))
        elif isinstance(i, float):
            raise IndexError(_INDEX_TYPES + " (got float)")
        elif isinstance(i, (list, tuple, np.ndarray)) or hasattr(i, "__array__"):
            a = xp.asarray([int(v) if isinstance(v, Tensor) else v for v in i] if isinstance(i, (list, tuple))
                           else i)
            if a.dtype.kind not in "biu":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors"
                                 if a.size else _INDEX_TYPES + " (got an empty list of floats)")
            out.append(a.astype(np.int64) if a.dtype.kind != "b" else a)
            advanced = True
        elif isinstance(i, slice):
            out.append(i)
        else:
            raise IndexError(_INDEX_TYPES + f" (got {type(i).__name__})")
    return out, advanced


def _consumed(items):
    """How many dimensions of the source the key uses (bool masks use their own ndim)."""
    n = 0
    for i in items:
        if i is None or i is Ellipsis:
            continue
        n += i.ndim if (hasattr(i, "dtype") and i.dtype == np.bool_) else 1
    return n


def _check_key(items, shape):
    """PyTorch's IndexErrors: too many indices, int out of range, mask shape mismatch, slice step."""
    n_used = _consumed(items)
    if n_used > len(shape):
        if not shape:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` "
                             "in C++ to convert a 0-dim tensor to a number")
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    if sum(1 for i in items if i is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    dim = 0
    for i in items:
        if i is None:
            continue
        if i is Ellipsis:
            dim += len(shape) - n_used
            continue
        if type(i) is int:
            if not -shape[dim] <= i < shape[dim]:
                raise IndexError(f"index {i} is out of bounds for dimension {dim} with size {shape[dim]}")
        elif type(i) is slice:
            if i.step is not None and operator.index(i.step) <= 0:
                raise ValueError("step must be greater than zero" if i.step else "slice step cannot be zero")
        elif i.dtype == np.bool_:
            for k in range(i.ndim):
                if i.shape[k] != shape[dim + k]:
                    raise IndexError(f"The shape of the mask {list(i.shape)} at index {k} does not match the shape "
                                     f"of the indexed tensor {list(shape[dim:dim + i.ndim])} at index {k}")
            dim += i.ndim
            continue
        elif i.size:
            hi, lo = int(i.max()), int(i.min())
            bad = hi if hi >= shape[dim] else (lo if lo < -shape[dim] else None)
            if bad is not None:
                raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {shape[dim]}")
        dim += 1


def getitem(self, index):
    """``t[index]``: ints, slices, None and ``...`` give a view; int/bool tensors and lists give a copy."""
    if type(index) is int and self._data.ndim:     # fast path: t[i]
        size = self._data.shape[0]
        if -size <= index < size:
            return _select(self, 0, index + size if index < 0 else index)
    items, advanced = _parse_index(index, self._data)
    shape = self._data.shape
    _check_key(items, shape)
    if advanced:
        key = tuple(items)
        return Index.apply(self, key if len(key) != 1 else key[0])
    # Basic indexing: a chain of select / slice / unsqueeze views, as PyTorch records it.
    out, dim, n_used, applied = self, 0, _consumed(items), False
    for i in items:
        if i is None:
            out = unsqueeze(out, dim)
            dim += 1
        elif i is Ellipsis:
            dim += len(shape) - n_used
            continue
        elif type(i) is int:
            out = _select(out, dim, i + out._data.shape[dim] if i < 0 else i)
        else:
            start, stop, step = i.indices(out._data.shape[dim])
            out = _slice(out, dim, start, max(start, stop), step)
            dim += 1
        applied = True
    if not applied:
        out = as_view(Alias.apply(self, Ellipsis), self, lambda b: b[...])
    return out


Tensor.__getitem__ = getitem


def _basic_key(items):
    return all(i is None or i is Ellipsis or type(i) in (int, slice) for i in items)


def indexing_key(self, index):
    """A checked key for writing ``t[index] = v`` (used by ``__setitem__``)."""
    items, _ = _parse_index(index, self._data)
    _check_key(items, self._data.shape)
    return tuple(items)


# ---------------------------------------------------------------- index_put (the op behind t[i] = v)
class IndexPut(Op):
    @staticmethod
    def forward(ctx, x, v, key, accumulate=False):
        ctx.key, ctx.accumulate = key, accumulate
        xp = xp_of(x)
        out = x.copy()
        v = xp.asarray(v).astype(x.dtype, copy=False) if not isinstance(v, (int, float, bool)) else v
        a, k = region(out, key)
        try:
            if accumulate:
                xp.add.at(a, k, v)   # CuPy >= 12.1 has ufunc.at too
            else:
                a[k] = v
        except ValueError:
            res = a[k].shape
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(v))} cannot be broadcast to "
                               f"indexing result of shape {list(res)}") from None
        return out

    @staticmethod
    def backward(ctx, g):
        key = ctx.key
        gx = g if ctx.accumulate else _ZeroAt.apply(g, key)
        gv = None
        if ctx.needs_input_grad[1:2] == (True,):
            gv = _Take.apply(g, key) if _basic_key(key if type(key) is tuple else (key,)) else Index.apply(g, key)
        return gx, gv


class _SliceAssign(IndexPut):
    """``t[basic index] = v``: PyTorch writes into a view of ``t``, so the node shows as ``CopySlices``."""
    node_name = "CopySlices"


class _ZeroAt(Op):
    """``g`` with the entries at ``key`` zeroed (self-adjoint)."""

    @staticmethod
    def forward(ctx, g, key):
        ctx.key = key
        out = g.copy()
        a, k = region(out, key)
        a[k] = 0
        return out

    @staticmethod
    def backward(ctx, gg):
        return _ZeroAt.apply(gg, ctx.key)


def put_key(self, key, value, accumulate=False):
    """Out-of-place ``t[key] = value`` (``key`` from ``indexing_key``); what ``__setitem__`` records."""
    if isinstance(value, Tensor):
        if value.device != self.device:
            value = value.to(self.device)
        if value.dtype is not self.dtype:
            value = value.to(self.dtype)
    op = _SliceAssign if not accumulate and _basic_key(key) else IndexPut
    return op.apply(self, value, key if len(key) != 1 else key[0], accumulate)


@tensor_method("index_put")
def index_put(input, indices, values, accumulate=False):
    """``input`` with ``values`` written (or added, ``accumulate=True``) at the index tensors ``indices``."""
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put(): argument 'indices' must be tuple of Tensors, not {type(indices).__name__}")
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put(): argument 'values' (position 2) must be Tensor, not {type(values).__name__}")
    if values.dtype is not input.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got {input.dtype.legacy[:-6]}"
                           f" for the destination and {values.dtype.legacy[:-6]} for the source.")
    key = indexing_key(input, tuple(indices))
    return put_key(input, key, values, accumulate)


# ---------------------------------------------------------------- dim-wise index checks
def _index_of(op, index, allowed=("int64",), vector=False):
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index.dtype.name not in allowed:
        want = "int64" if allowed == ("int64",) else "int32 or int64"
        raise RuntimeError(f"{op}(): Expected dtype {want} for index" if op != "gather" else
                           "gather(): Expected dtype int32/int64 for index")
    if vector and index.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector")
    return index._data.astype(np.int64, copy=False).reshape(-1) if vector else index._data.astype(np.int64,
                                                                                                  copy=False)


def _check_range(idx, size, dim, msg=None):
    if idx.size:
        hi, lo = int(idx.max()), int(idx.min())
        bad = hi if hi >= size else (lo if lo < (-size if msg == "neg" else 0) else None)
        if bad is not None:
            if msg and msg != "neg":
                raise IndexError(msg)
            raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")


def _idx_tensor(a):
    return Tensor._wrap(a)


def _along(dim, idx, ndim):
    return (slice(None),) * dim + (idx,) + (slice(None),) * (ndim - dim - 1)


# ---------------------------------------------------------------- index_select / index_add / index_copy / index_fill
class IndexSelect(Op):
    @staticmethod
    def forward(ctx, x, dim, idx):
        ctx.shape, ctx.dim, ctx.idx = x.shape, dim, idx
        return xp_of(x).take(x, idx, axis=dim)

    @staticmethod
    def backward(ctx, g):
        z = g.new_zeros(ctx.shape)
        return IndexAdd.apply(z, g, ctx.dim, ctx.idx, 1)


@tensor_method("index_select")
def index_select(input, dim, index, *, out=None):
    """The entries of ``input`` at ``index`` (a 1-D int tensor) along ``dim``."""
    idx = _index_of("index_select", index, ("int64", "int32"), vector=True)
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d] if input._data.ndim else 1
    _check_range(idx, size, d, "index out of range in self")
    x = input if input._data.ndim else input.reshape(1)
    res = IndexSelect.apply(x, d, idx)
    return res if input._data.ndim else res.reshape(())


class IndexAdd(Op):
    @staticmethod
    def forward(ctx, x, src, dim, idx, alpha):
        ctx.dim, ctx.idx, ctx.alpha = dim, idx, alpha
        xp = xp_of(x)
        x, src, _ = promote_arrays(x, src)
        out = x.copy()
        val = src * alpha if alpha != 1 else src
        key = _along(dim, idx, x.ndim)
        xp.add.at(out, key, val)   # CuPy >= 12.1 has ufunc.at too
        return out

    @staticmethod
    def backward(ctx, g):
        gs = IndexSelect.apply(g, ctx.dim, ctx.idx) if ctx.needs_input_grad[1] else None
        return g, (gs * ctx.alpha if ctx.alpha != 1 and gs is not None else gs)


def _check_source(op, input, d, idx, source):
    if source.ndim != input.ndim and not (source.ndim <= 1 and input.ndim <= 1):
        raise IndexError(f"{op}(): Index is supposed to be a vector" if False else
                         f"{op}(): Source/destination tensor must have same slice shapes. Destination slice shape: "
                         f"{list(input.shape[:d] + input.shape[d + 1:])} at dimension {d} and source slice shape: "
                         f"{list(source.shape[:d] + source.shape[d + 1:])} at dimension 0.")
    if input.ndim and (source.shape[:d] + source.shape[d + 1:] != input.shape[:d] + input.shape[d + 1:]
                       or (source.ndim and source.shape[d] != idx.size)):
        raise RuntimeError(f"{op}(): Source/destination tensor must have same slice shapes. Destination slice shape: "
                           f"{list(input.shape[:d] + input.shape[d + 1:])} at dimension {d} and source slice shape: "
                           f"{list(source.shape[:d] + source.shape[d + 1:])} at dimension {d}.")


@tensor_method("index_add")
def index_add(input, dim, index, source, *, alpha=1):
    """``input`` with ``alpha * source`` added at ``index`` along ``dim`` (repeated indices accumulate)."""
    idx = _index_of("index_add_", index, ("int64", "int32"), vector=True)
    d = _wrap_dim(dim, input._data.ndim)
    _check_source("index_add_", input, d, idx, source)
    size = input._data.shape[d] if input._data.ndim else 1
    _check_range(idx, size, d)
    return IndexAdd.apply(input, source.to(input.dtype), d, idx, alpha)


class IndexCopy(Op):
    @staticmethod
    def forward(ctx, x, src, dim, idx):
        ctx.dim, ctx.idx = dim, idx
        out = x.copy()
        out[_along(dim, idx, x.ndim)] = src
        return out

    @staticmethod
    def backward(ctx, g):
        key = _along(ctx.dim, ctx.idx, g.ndim)
        gs = IndexSelect.apply(g, ctx.dim, ctx.idx) if ctx.needs_input_grad[1] else None
        return _ZeroAt.apply(g, key), gs


@tensor_method("index_copy")
def index_copy(input, dim, index, source):
    """``input`` with the slices at ``index`` along ``dim`` replaced by ``source``."""
    idx = _index_of("index_copy_", index, ("int64",), vector=True)
    d = _wrap_dim(dim, input._data.ndim)
    _check_source("index_copy_", input, d, idx, source)
    _check_range(idx, input._data.shape[d] if input._data.ndim else 1, d)
    if source.dtype is not input.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got (self) "
                           f"{input.dtype.legacy[:-6]} and (source) {source.dtype.legacy[:-6]}")
    return IndexCopy.apply(input, source, d, idx)


class IndexFill(Op):
    @staticmethod
    def forward(ctx, x, value, dim, idx):
        ctx.key = _along(dim, idx, x.ndim)
        out = x.copy()
        out[ctx.key] = value
        return out

    @staticmethod
    def backward(ctx, g):
        return _ZeroAt.apply(g, ctx.key), (Index.apply(g, ctx.key).sum() if ctx.needs_input_grad[1:2] == (True,)
                                           else None)


@tensor_method("index_fill")
def index_fill(input, dim, index, value):
    """``input`` with the slices at ``index`` along ``dim`` set to ``value``."""
    idx = _index_of("index_fill_", index, ("int64",), vector=True)
    d = _wrap_dim(dim, input._data.ndim)
    _check_range(idx, input._data.shape[d] if input._data.ndim else 1, d, "neg")
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.ndim} dimension(s).")
        value = value.to(input.dtype)
    x = input if input._data.ndim else input.reshape(1)
    res = IndexFill.apply(x, value, d, idx)
    return res if input._data.ndim else res.reshape(())


# ---------------------------------------------------------------- gather / scatter
def _check_gather(op, input, d, idx):
    if idx.ndim != input._data.ndim and not (idx.ndim <= 1 and input._data.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor" if op == "gather"
                           else "Index tensor must have the same number of dimensions as self tensor")
    for k in range(idx.ndim):
        if k != d and idx.shape[k] > input._data.shape[k]:
            raise RuntimeError(f"Size does not match at dimension {k} expected index {list(idx.shape)} to be "
                               f"no larger than {'self' if op != 'gather' else 'self'} {list(input.shape)} apart from "
                               f"dimension {d}")
    _check_range(idx, input._data.shape[d] if input._data.ndim else 1, d)


def _full_key(idx, dim):
    """An advanced-indexing key addressing, for every element of ``idx``, position ``idx`` along ``dim``."""
    xp = xp_of(idx)
    key = []
    for k in range(idx.ndim):
        if k == dim:
            key.append(idx)
        else:
            key.append(xp.arange(idx.shape[k]).reshape((1,) * k + (-1,) + (1,) * (idx.ndim - k - 1)))
    return tuple(key)


class Gather(Op):
    @staticmethod
    def forward(ctx, x, dim, idx):
        ctx.shape, ctx.dim, ctx.idx = x.shape, dim, idx
        return x[_full_key(idx, dim)]

    @staticmethod
    def backward(ctx, g):
        return ScatterAdd.apply(g.new_zeros(ctx.shape), g, ctx.dim, ctx.idx)


@tensor_method("gather")
def gather(input, dim, index, *, sparse_grad=False, out=None):
    """``out[i][j] = input[index[i][j]][j]`` (for ``dim=0``): pick along ``dim`` at ``index``."""
    idx = _index_of("gather", index, ("int64", "int32"))
    d = _wrap_dim(dim, input._data.ndim)
    _check_gather("gather", input, d, idx)
    if input._data.ndim == 0:
        return Gather.apply(input.reshape(1), 0, idx.reshape(1)).reshape(idx.shape)
    return Gather.apply(input, d, idx)


class Scatter(Op):
    @staticmethod
    def forward(ctx, x, src, dim, idx):
        ctx.dim, ctx.idx, ctx.src_shape = dim, idx, np.shape(src)
        out = x.copy()
        key = _full_key(idx, dim)
        out[key] = src[tuple(slice(0, s) for s in idx.shape)] if np.ndim(src) else src
        return out

    @staticmethod
    def backward(ctx, g):
        key = _full_key(ctx.idx, ctx.dim)
        gs = None
        if ctx.needs_input_grad[1:2] == (True,):
            gs = Gather.apply(g, ctx.dim, ctx.idx)
            if tuple(gs.shape) != tuple(ctx.src_shape):
                gs = _Embed.apply(gs, ctx.src_shape, tuple(slice(0, s) for s in ctx.idx.shape))
        return _ZeroAt.apply(g, key), gs


class ScatterAdd(Op):
    @staticmethod
    def forward(ctx, x, src, dim, idx):
        ctx.dim, ctx.idx, ctx.src_shape = dim, idx, src.shape
        xp = xp_of(x)
        out = x.copy()
        key = _full_key(idx, dim)
        val = src[tuple(slice(0, s) for s in idx.shape)]
        xp.add.at(out, key, val)   # CuPy >= 12.1 has ufunc.at too
        return out

    @staticmethod
    def backward(ctx, g):
        gs = None
        if ctx.needs_input_grad[1]:
            gs = Gather.apply(g, ctx.dim, ctx.idx)
            if tuple(gs.shape) != tuple(ctx.src_shape):
                gs = _Embed.apply(gs, ctx.src_shape, tuple(slice(0, s) for s in ctx.idx.shape))
        return g, gs


def _check_src(op, input, src, d, idx):
    if isinstance(src, Tensor):
        if src.dtype is not input.dtype:
            raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype")
        for k in range(idx.ndim):
            if k < src.ndim and idx.shape[k] > src.shape[k]:
                raise RuntimeError(f"Size does not match at dimension {k} expected index {list(idx.shape)} to be no "
                                   f"larger than self {list(input.shape)} apart from dimension {d} and to be no "
                                   f"larger than src {list(src.shape)}")


_LEGACY_REDUCE = {"add": "sum", "multiply": "prod"}


@tensor_method("scatter")
def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """``input`` with ``src`` (a tensor or a number) written at ``index`` along ``dim``."""
    if src is None:
        src = value
    idx = _index_of("scatter", index)
    d = _wrap_dim(dim, input._data.ndim)
    _check_gather("scatter", input, d, idx)
    _check_src("scatter", input, src, d, idx)
    if reduce is not None:
        if reduce not in _LEGACY_REDUCE:
            raise RuntimeError(f"reduce argument must be either add or multiply. Got {reduce}")
        if not isinstance(src, Tensor):
            src = input.new_full(idx.shape, src)
        else:
            import warnings
            warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and will be removed "
                          "in a future PyTorch release. Use torch.scatter_reduce instead for more reduction options.",
                          UserWarning, stacklevel=2)
        return scatter_reduce(input, d, index, src, _LEGACY_REDUCE[reduce])
    if isinstance(src, Tensor) and src.ndim == 0 and idx.ndim:
        src = src.item()
    return Scatter.apply(input, src, d, idx)


@tensor_method("scatter_add")
def scatter_add(input, dim, index, src):
    """``input`` with ``src`` added at ``index`` along ``dim`` (repeated indices accumulate)."""
    idx = _index_of("scatter_add", index)
    d = _wrap_dim(dim, input._data.ndim)
    _check_gather("scatter_add", input, d, idx)
    _check_src("scatter_add", input, src, d, idx)
    return ScatterAdd.apply(input, src, d, idx)


class ScatterReduce(Op):
    _UFUNC = {"sum": "add", "prod": "multiply", "amax": "maximum", "amin": "minimum", "mean": "add"}

    @staticmethod
    def forward(ctx, x, src, dim, idx, reduce, include_self):
        xp = xp_of(x)
        key = _full_key(idx, dim)
        val = src[tuple(slice(0, s) for s in idx.shape)]
        out = x.copy()
        if not include_self:    # scattered-to positions start at the reduction's identity
            ident = {"sum": 0, "mean": 0, "prod": 1, "amax": -np.inf if x.dtype.kind == "f" else
                     np.iinfo(x.dtype).min, "amin": np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).max}
            out[key] = ident[reduce]
        getattr(xp, ScatterReduce._UFUNC[reduce]).at(out, key, val)
        if reduce == "mean":
            count = xp.zeros(x.shape, dtype=x.dtype) + (1 if include_self else 0)
            xp.add.at(count, key, 1)
            count = xp.maximum(count, 1)
            out = out / count if x.dtype.kind == "f" else out // count
            ctx.count = count
        ctx.args = (dim, idx, reduce, include_self, src.shape)
        ctx.save_for_backward(x, src, out)
        return out

    @staticmethod
    def backward(ctx, g):
        dim, idx, reduce, include_self, src_shape = ctx.args
        x, src, out = ctx.saved_tensors
        key = _full_key(idx, dim)
        sl = tuple(slice(0, s) for s in idx.shape)
        if reduce == "sum":
            gx, gs = g, Gather.apply(g, dim, idx)
        elif reduce == "mean":
            gc = g / Tensor._wrap(ctx.count)
            gx, gs = gc, Gather.apply(gc, dim, idx)
        elif reduce == "prod":
            # d(prod)/d(v) = prod / v: exact for non-zero entries (a zero entry gets a zero/NaN-free gradient)
            hit = _ZeroAt.apply(g.new_ones(g.shape), key) == 0
            safe_x = where(x == 0, x.new_ones(()), x)
            gx = where(hit, g * out / safe_x, g)
            gs = Gather.apply(g * out, dim, idx) / where(src[sl] == 0, src.new_ones(()), src[sl])
        else:   # amax / amin: the gradient is shared evenly between the entries equal to the result
            src_hit = (src[sl] == Gather.apply(out, dim, idx)).to(g.dtype)
            self_hit = (x == out).to(g.dtype) if include_self else _ZeroAt.apply(
                (x == out).to(g.dtype), key)
            counts = ScatterAdd.apply(self_hit, src_hit, dim, idx)
            share = g / counts
            gx, gs = share * self_hit, Gather.apply(share, dim, idx) * src_hit
        if not include_self:
            gx = _ZeroAt.apply(gx, key)
        if gs is not None and tuple(gs.shape) != tuple(src_shape):
            gs = _Embed.apply(gs, src_shape, sl)
        return gx, gs


@tensor_method("scatter_reduce")
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """Reduce ``src`` into ``input`` at ``index`` along ``dim`` (``"sum" "prod" "mean" "amax" "amin"``)."""
    idx = _index_of("scatter_reduce", index)
    d = _wrap_dim(dim, input._data.ndim)
    _check_gather("scatter_reduce", input, d, idx)
    if reduce not in ScatterReduce._UFUNC:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    _check_src("scatter_reduce", input, src, d, idx)
    return ScatterReduce.apply(input, src, d, idx, reduce, include_self)


# ---------------------------------------------------------------- take / take_along_dim / masked ops
@tensor_method("take")
def take(input, index):
    """``input.flatten()[index]``, shaped like ``index``."""
    if not isinstance(index, Tensor) or index.dtype is not D.int64:
        raise RuntimeError("take(): Expected a long tensor for index, but got "
                           f"{index.dtype if isinstance(index, Tensor) else type(index).__name__}")
    n = input.numel()
    idx = index._data
    if idx.size:
        hi, lo = int(idx.max()), int(idx.min())
        bad = hi if hi >= n else (lo if lo < -n else None)
        if bad is not None:
            raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return Index.apply(input.reshape(-1), idx)


@tensor_method("take_along_dim")
def take_along_dim(input, indices, dim=None, *, out=None):
    """``gather`` with broadcasting of ``input`` and ``indices`` (``dim=None``: on the flattened input)."""
    if indices.dtype not in (D.int64, D.int32):
        raise RuntimeError("torch.take_along_dim(): dtype of indices should be int64 but got "
                           f"{indices.dtype.name.capitalize()} instead")
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    n = input._data.ndim
    if indices.ndim != n:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {n} dimensions for input, and {indices.ndim} dimensions for indices")
    d = _wrap_dim(dim, n)
    ishape, jshape = list(input.shape), list(indices.shape)
    ishape[d] = jshape[d] = 1
    b = list(np.broadcast_shapes(tuple(ishape), tuple(jshape)))
    bi, bj = list(b), list(b)
    bi[d], bj[d] = input.shape[d], indices.shape[d]
    return gather(expand(input, bi), d, expand(indices, bj))


def _broadcast_pair(a, b):
    shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    return (a if tuple(a.shape) == shape else expand(a, shape)), (b if tuple(b.shape) == shape else expand(b, shape))


@tensor_method("masked_select")
def masked_select(input, mask):
    """The entries of ``input`` where ``mask`` (broadcast) is True, as a 1-D tensor."""
    if not isinstance(mask, Tensor) or mask.dtype is not D.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    x, m = _broadcast_pair(input, mask)
    return Index.apply(x, m._data)


class MaskedScatter(Op):
    @staticmethod
    def forward(ctx, x, mask, src):
        ctx.mask, ctx.src_shape = mask, src.shape
        out = x.copy()
        k = int(mask.sum())
        if k > src.size:
            raise RuntimeError("masked_scatter: expected source to have at least as many elements as the ones "
                               f"selected by the mask ({k}), but got {src.size}")
        out[mask] = src.reshape(-1)[:k]
        return out

    @staticmethod
    def backward(ctx, g):
        gs = None
        if ctx.needs_input_grad[2:3] == (True,):
            sel = Index.apply(g, ctx.mask)
            n = 1
            for s in ctx.src_shape:
                n *= s
            gs = _Embed.apply(sel, (n,), slice(0, sel.shape[0])).reshape(ctx.src_shape)
        return _ZeroAt.apply(g, ctx.mask), None, gs


@tensor_method("masked_scatter")
def masked_scatter(input, mask, source):
    """``input`` with the entries where ``mask`` is True replaced, in order, by ``source``'s first entries."""
    if mask.dtype is not D.bool_:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype {mask.dtype}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got "
                           f"{input.dtype.name.capitalize()} and {source.dtype.name.capitalize()}")
    x, m = _broadcast_pair(input, mask)
    return MaskedScatter.apply(x, m._data, source)


@tensor_method("nonzero")
def nonzero(input, *, out=None, as_tuple=False):
    """The indices of the non-zero entries: an (n, ndim) int64 tensor, or a tuple of 1-D tensors."""
    a = input._data
    xp = xp_of(a)
    if as_tuple:
        if a.ndim == 0:
            return (Tensor._wrap(xp.zeros(int(bool(a)), dtype=np.int64)),)
        return tuple(Tensor._wrap(i.astype(np.int64, copy=False)) for i in xp.nonzero(a))
    return Tensor._wrap(xp.argwhere(a).astype(np.int64, copy=False))


@tensor_method("argwhere")
def argwhere(input):
    return nonzero(input)
