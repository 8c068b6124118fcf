"""Smaller tensor APIs: ``ravel``/``unfold`` views, more in-place forms (``tril_ addmm_ cumsum_ put_ ...``),
``addr``, ``put``, ``index_reduce``, the ``*_scatter`` ops, predicates and small factories
(``tril_indices combinations block_diag unravel_index empty_strided frombuffer ...``), and the
top-level in-place functions (``torch.exp_(t)`` is ``t.exp_()``).
"""
import itertools
import mmap
import operator

import numpy as np

from .. import _backend
from .. import _dtype as D
from . import compare, creation, indexing, inplace, join, linalg, misc, pointwise, scan, unary  # noqa: F401 - ops reused/extended
from ._util import GradMode, Op, Tensor, _wrap_dim, tensor_method, wrap_out, xp_of
from .inplace import apply_inplace, inplace_variant
from .shape import _elem_strides, _strided, as_view

__all__ = ["ravel", "addr", "put", "index_reduce", "select_scatter", "slice_scatter", "diagonal_scatter",
           "as_strided_scatter", "is_nonzero", "is_signed", "is_same_size", "is_inference", "tril_indices",
           "triu_indices", "combinations", "block_diag", "unravel_index", "rsub", "scalar_tensor", "empty_strided",
           "frombuffer", "addmv_"]


# ---------------------------------------------------------------- ravel / unfold
@tensor_method("ravel")
def ravel(input):
    """The elements as a 1-D tensor: a view when ``input`` is contiguous, else a copy (as PyTorch)."""
    return input.contiguous().view(-1)


class Unfold(Op):
    @staticmethod
    def forward(ctx, x, d, size, step):
        ctx.args = (x.shape, d, size, step)
        if x.ndim == 0:
            return _strided(x, (size,), (1,))
        shape, st = list(x.shape), list(_elem_strides(x))
        n = (shape[d] - size) // step + 1
        return _strided(x, tuple(shape[:d] + [n] + shape[d + 1:] + [size]),
                        tuple(st[:d] + [st[d] * step] + st[d + 1:] + [st[d]]))

    @staticmethod
    def backward(ctx, g):
        return _UnfoldBackward.apply(g, *ctx.args)


class _UnfoldBackward(Op):
    """Sum each window's gradient back onto the elements it covers (windows may overlap)."""

    @staticmethod
    def forward(ctx, g, shape, d, size, step):
        ctx.args = (d, size, step)
        out = xp_of(g).zeros(shape, dtype=g.dtype)
        if not shape:
            return out + g.sum()
        n = g.shape[d]
        for k in range(size):       # window position k of every window at once
            out[(slice(None),) * d + (slice(k, k + step * (n - 1) + 1, step),)] += g[..., k]
        return out

    @staticmethod
    def backward(ctx, gg):
        return gg.unfold(*ctx.args)


@tensor_method("unfold")
def unfold(self, dimension, size, step):
    """A view of all windows of ``size`` elements along ``dimension``, ``step`` apart (a new last dim)."""
    d = _wrap_dim(dimension, self.ndim)
    length = self.shape[d] if self.ndim else 1
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {length} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return as_view(Unfold.apply(self, d, size, step), self, lambda b: b.unfold(d, size, step))


# ---------------------------------------------------------------- fill_diagonal_
@tensor_method("fill_diagonal_")
def fill_diagonal_(self, fill_value, wrap=False):
    """Write ``fill_value`` on the main diagonal (all dims equal, or 2-D; ``wrap``: tall matrices restart it
    every ``cols + 1`` rows, as NumPy's ``fill_diagonal``)."""
    if self.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if self.ndim > 2 and len(set(self.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    if GradMode.enabled and self._requires_grad and self._grad_fn is None:   # PyTorch fills a diagonal view
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    xp = self._xp()
    mask = xp.zeros(self.shape, dtype=bool)
    xp.fill_diagonal(mask, True, wrap=wrap)
    m = Tensor._wrap(mask)
    return apply_inplace(self, lambda s: s.masked_fill(m, fill_value), "fill_diagonal_")


# ---------------------------------------------------------------- in-place forms of existing ops
_CPP_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int", "int16": "short int",
              "int8": "signed char", "uint8": "unsigned char", "bool": "bool", "float16": "c10::Half",
              "bfloat16": "c10::BFloat16"}


def _strict_inplace(*names):
    """``name_`` that, as PyTorch's out= kernels, requires the result's shape and dtype to be ``self``'s."""
    for name in names:
        fn = getattr(Tensor, name)

        def method(self, *args, _fn=fn, _name=name + "_", **kwargs):
            def compute(s):
                r = _fn(s, *args, **kwargs)
                if r.shape != self.shape:
                    raise RuntimeError(f"Bad in-place call: input tensor size {list(self.shape)} and output tensor "
                                       f"size {list(r.shape)} should match")
                if r.dtype is not self.dtype and kwargs.get("dtype") is not None:
                    raise RuntimeError(f"Bad in-place call: input tensor dtype {_CPP_NAMES[self.dtype.name]} and "
                                       f"output tensor dtype {_CPP_NAMES[r.dtype.name]} should match")
                return r
            return apply_inplace(self, compute, _name)
        method.__name__ = name + "_"
        setattr(Tensor, name + "_", method)


_strict_inplace("addmm", "addbmm", "baddbmm", "addmv", "cumsum", "cumprod")
inplace_variant("tril", "triu", "negative", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not")


def addmv_(input, mat, vec, *, beta=1, alpha=1):
    """In-place ``addmv``: ``input = beta * input + alpha * (mat @ vec)``."""
    return input.addmv_(mat, vec, beta=beta, alpha=alpha)


# ---------------------------------------------------------------- addr
@tensor_method("addr")
def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * outer(vec1, vec2)``; ``input`` broadcasts to the product's shape and is
    ignored when ``beta == 0`` (NaN in it does not propagate)."""
    for name, v in (("vec1", vec1), ("vec2", vec2)):
        if v.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v.ndim}-D")
    shape = (vec1.shape[0], vec2.shape[0])
    inp = input.expand(*shape)
    if input.dtype is D.bool_:       # bool: beta and alpha act as logical and, + as logical or
        o = vec1[:, None].logical_and(vec2[None, :]) if alpha else inp.new_zeros(shape, dtype=D.bool_)
        r = o.logical_or(inp) if beta else o
    else:
        if not input.dtype.is_floating_point and not input.dtype.is_complex:
            for name, v in (("beta", beta), ("alpha", alpha)):
                if isinstance(v, float):
                    raise RuntimeError(f"For integral input tensors, argument {name} must not be a floating point "
                                       "number.")
        o = linalg.outer(vec1, vec2)
        o = o * alpha if alpha != 1 else o
        r = o if beta == 0 else o + (inp if beta == 1 else inp * beta)
    return wrap_out(r, out)


@tensor_method("addr_")
def addr_(self, vec1, vec2, *, beta=1, alpha=1):
    if vec1.ndim == 1 and vec2.ndim == 1 and self.shape != (vec1.shape[0], vec2.shape[0]):
        raise RuntimeError(f"size mismatch, input: {list(self.shape)}, v1: {list(vec1.shape)}, v2: "
                           f"{list(vec2.shape)}")
    return apply_inplace(self, lambda s: addr(s, vec1, vec2, beta=beta, alpha=alpha), "addr_")


# ---------------------------------------------------------------- put / index_reduce
@tensor_method("put")
def put(input, index, source, accumulate=False):
    """``input`` with ``source`` written at ``index`` into its flattened elements (``accumulate``: added)."""
    if not isinstance(source, Tensor):
        raise TypeError(f"put(): argument 'source' (position 2) must be Tensor, not {type(source).__name__}")
    if index.dtype is not D.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got {index.dtype.legacy[:-6]}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got self.dtype = "
                           f"{input.dtype.legacy[:-6]} and source.dtype = {source.dtype.legacy[:-6]}")
    if source.numel() != index.numel():
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {source.numel()}, index.numel() = {index.numel()}")
    n, idx = input.numel(), index._data
    if idx.size:
        hi, lo = int(idx.max()), int(idx.min())
        bad = hi if hi >= n else (lo if lo < -n else None)
        if bad is not None:
            raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    flat = input.reshape(-1).index_put((index.reshape(-1),), source.reshape(-1), accumulate)
    return flat.view(input.shape)


inplace_variant("put")

_INDEX_REDUCE = ("prod", "mean", "amax", "amin")


@tensor_method("index_reduce")
def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """Reduce the slices of ``source`` into ``input``'s slices ``index`` along ``dim`` (``prod mean amax amin``;
    ``include_self=False``: the reduced slices' old values take no part)."""
    if reduce not in _INDEX_REDUCE:
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    if index.ndim > 1:
        raise IndexError("index_reduce_(): Index is supposed to be a vector")
    if index.dtype not in (D.int64, D.int32):
        raise RuntimeError("index_reduce_(): Expected dtype int32/int64 for index")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"index_reduce_(): self ({input.dtype.legacy[:-6]}) and source "
                           f"({source.dtype.legacy[:-6]}) must have the same scalar type")
    d = _wrap_dim(dim, input.ndim)
    if source.ndim != input.ndim or source.shape[:d] + source.shape[d + 1:] != input.shape[:d] + input.shape[d + 1:]:
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {list(input.shape)} source.shape = {list(source.shape)}")
    ns = source.shape[d] if source.ndim else 1
    if index.numel() != ns:
        raise RuntimeError(f"index_reduce_(): Number of indices ({index.numel()}) should be equal to "
                           f"source.size(dim): ({ns}), for dim: {d}")
    indexing._check_range(index._data, input.shape[d] if input.ndim else 1, d, "index out of range in self")
    if input.ndim == 0:
        return index_reduce(input.reshape(1), 0, index, source.reshape(1), reduce,
                            include_self=include_self).reshape(())
    # the same reduction as scatter_reduce with the index repeated across each slice
    lead = (1,) * d + (-1,) + (1,) * (source.ndim - d - 1)
    full = Tensor._wrap(_broadcast_copy(index._data.astype(np.int64).reshape(lead), source.shape))
    return input.scatter_reduce(d, full, source, reduce, include_self=include_self)


def _broadcast_copy(a, shape):
    return xp_of(a).ascontiguousarray(xp_of(a).broadcast_to(a, shape))


inplace_variant("index_reduce")


# ---------------------------------------------------------------- select/slice/diagonal/as_strided scatter
class _ViewScatter(Op):
    """A copy of ``x`` with ``src`` written at the flat (C-order) positions ``idx`` (an array of ``src``'s
    shape). Backward: ``x`` gets the gradient outside the positions, ``src`` the gradient at them."""

    @staticmethod
    def forward(ctx, x, src, idx):
        ctx.idx = idx
        flat = x.flatten()
        flat[idx.reshape(-1)] = src.reshape(-1)
        out = xp_of(x).empty_like(x, order="K")     # keep x's layout, as PyTorch's clone does
        out[...] = flat.reshape(x.shape)
        return out

    @staticmethod
    def backward(ctx, g):
        idx = Tensor._wrap(ctx.idx)
        flat = g.reshape(-1)
        gx = flat.index_fill(0, idx.reshape(-1), 0).view(g.shape) if ctx.needs_input_grad[0] else None
        gs = flat.take(idx) if ctx.needs_input_grad[1] else None
        return gx, gs


class SelectScatter(_ViewScatter):
    pass


class SliceScatter(_ViewScatter):
    pass


class DiagonalScatter(_ViewScatter):
    pass


class AsStridedScatter(_ViewScatter):
    pass


def _view_scatter(cls, input, src, view):
    """Scatter ``src`` into the elements ``view(input)`` selects (``view``: Tensor -> view Tensor)."""
    positions = view(Tensor._wrap(input._xp().arange(input.numel(), dtype=np.int64).reshape(input.shape)))
    if positions.shape != src.shape:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = {list(src.shape)}, "
                           f"slice size = {list(positions.shape)}")
    return cls.apply(input, src, positions._data)


@tensor_method("select_scatter")
def select_scatter(input, src, dim, index):
    """A copy of ``input`` with ``src`` embedded at ``input.select(dim, index)``."""
    return _view_scatter(SelectScatter, input, src, lambda t: t.select(dim, index))


@tensor_method("slice_scatter")
def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of ``input`` with ``src`` embedded at ``input[..., start:end:step, ...]`` (along ``dim``)."""
    d = _wrap_dim(dim, input.ndim)
    return _view_scatter(SliceScatter, input, src, lambda t: t[(slice(None),) * d + (slice(start, end, step),)])


@tensor_method("diagonal_scatter")
def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of ``input`` with ``src`` embedded on ``input.diagonal(offset, dim1, dim2)``."""
    return _view_scatter(DiagonalScatter, input, src, lambda t: t.diagonal(offset, dim1, dim2))


@tensor_method("as_strided_scatter")
def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """A copy of ``input`` with ``src`` embedded at ``as_strided(size, stride, storage_offset)`` of the copy
    (the copy has ``input``'s strides when they are dense, and offset 0). ``input``'s gradient is the
    output's outside the region, which PyTorch 2.13 gets wrong (it fails gradcheck there)."""
    size, stride = tuple(operator.index(s) for s in size), tuple(operator.index(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    xp, n = input._xp(), input.numel()
    layout = xp.empty_like(input._data, order="K")              # where each element sits in the copy's storage
    storage_pos = _positions_of(layout)
    to_flat = xp.empty(n, dtype=np.int64)
    to_flat[storage_pos.reshape(-1)] = xp.arange(n, dtype=np.int64)
    region = _strided(xp.arange(n, dtype=np.int64), size, stride, 0 if storage_offset is None else storage_offset)
    positions = to_flat[region]
    if tuple(src.shape) != size:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = {list(src.shape)}, "
                           f"slice size = {list(size)}")
    return AsStridedScatter.apply(input, src, positions)


def _positions_of(a):
    """Each element's position in ``a``'s own (compact) storage."""
    xp = xp_of(a)
    pos = xp.zeros(a.shape, dtype=np.int64)
    for i, st in enumerate(_elem_strides(a)):
        pos = pos + (xp.arange(a.shape[i], dtype=np.int64) * st).reshape((1,) * i + (-1,) + (1,) * (a.ndim - i - 1))
    return pos


# ---------------------------------------------------------------- predicates
@tensor_method("is_nonzero")
def is_nonzero(input):
    """Whether a one-element tensor is non-zero (PyTorch's errors for other sizes)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"is_nonzero(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    n = input.numel()
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input.item())


@tensor_method("is_signed")
def is_signed(input):
    return input.dtype.is_signed


@tensor_method("is_same_size")
def is_same_size(input, other):
    return tuple(input.shape) == tuple(other.shape)


@tensor_method("is_inference")
def is_inference(input):
    """Always False: Ember's ``inference_mode`` is ``no_grad`` and makes ordinary tensors."""
    return False


# ---------------------------------------------------------------- pinned / shared memory
@tensor_method("is_pinned")
def is_pinned(self, device=None):
    return self.__dict__.get("_pinned", False)


@tensor_method("pin_memory")
def pin_memory(self, device=None):
    """PyTorch's page-locked copy for fast host-to-GPU transfers. Without an accelerator this raises, as
    PyTorch does; with one, Ember returns a copy in ordinary memory marked pinned (CuPy copies from it)."""
    if self.device.type != "cpu":
        raise RuntimeError(f"cannot pin '{self.type()}' only dense CPU tensors can be pinned")
    if _backend.cupy_module() is None:
        raise RuntimeError("Cannot access accelerator device when none is available.")
    if is_pinned(self):
        return self
    out = self.clone()
    out._pinned = True
    return out


@tensor_method("is_shared")
def is_shared(self):
    return self.device.type != "cpu" or self.__dict__.get("_shared", False)


@tensor_method("share_memory_")
def share_memory_(self):
    """Move the elements into shared memory (an anonymous shared mapping, kept by forked processes such as
    DataLoader workers and ``multiprocessing`` with ``fork``); returns ``self``. Unlike PyTorch, views made
    before the call keep the old memory. No-op for GPU tensors and for tensors already shared."""
    if is_shared(self):
        return self
    a = self._data
    buf = mmap.mmap(-1, max(a.nbytes, 1))
    shared = np.frombuffer(buf, dtype=a.dtype, count=a.size).reshape(a.shape)
    shared[...] = a
    self._data = shared
    self._shared = True
    return self


# ---------------------------------------------------------------- small factories
def _tri_indices(name, row, col, offset, dtype, device, lower):
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    dt = D.int64 if dtype is None else dtype
    if dt not in (D.int64, D.int32, D.int16, D.int8, D.uint8):
        raise NotImplementedError(f"\"{name}\" not implemented for '{dt.legacy[:-6]}'")
    r, c = (np.tril_indices if lower else np.triu_indices)(row, offset, col)
    return creation.tensor(np.stack([r, c]).astype(dt.np).reshape(2, -1), device=device)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (row, col) indices of the lower triangle of a ``row x col`` matrix, row by row (a 2 x N tensor)."""
    return _tri_indices("tril_indices", row, col, offset, dtype, device, True)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (row, col) indices of the upper triangle of a ``row x col`` matrix, row by row (a 2 x N tensor)."""
    return _tri_indices("triu_indices", row, col, offset, dtype, device, False)


def combinations(input, r=2, with_replacement=False):
    """The length-``r`` combinations of a 1-D tensor's elements, as ``itertools.combinations`` orders them."""
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return input.new_empty((0,))
    gen = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(gen(range(input.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return input[creation.tensor(idx, device=input.device)]


def block_diag(*tensors):
    """A block-diagonal matrix of the given (at most 2-D) tensors; 0-D and 1-D ones are single rows."""
    mats = []
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{t.ndim} dimensions")
        mats.append(t.reshape(1, -1) if t.ndim < 2 else t)
    if not mats:
        return creation.empty(1, 0)
    dt = mats[0].dtype
    for m in mats[1:]:
        dt = D.promote_types(dt, m.dtype)
    width = sum(m.shape[1] for m in mats)
    rows, left = [], 0
    for m in mats:
        r, c = m.shape
        parts = [m.new_zeros((r, left), dtype=dt), m.to(dt), m.new_zeros((r, width - left - c), dtype=dt)]
        rows.append(join.cat(parts, 1))
        left += c
    return join.cat(rows, 0)


def unravel_index(indices, shape):
    """The coordinates (a tuple of int64 tensors) of flat ``indices`` in a tensor of ``shape`` (C order;
    values outside ``[-numel, numel)`` wrap around as in PyTorch)."""
    if not isinstance(indices, Tensor):
        raise TypeError(f"unravel_index(): expected 'indices' to be a Tensor, but got {type(indices).__name__}")
    if indices.dtype.is_floating_point or indices.dtype.is_complex or indices.dtype is D.bool_:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    rest, out = indices._data.astype(np.int64), []
    for s in reversed(shape):
        out.append(Tensor._wrap(rest % s if s else rest * 0))
        rest = rest // s if s else rest * 0
    return tuple(reversed(out))


def rsub(input, other, *, alpha=1):
    """``other - alpha * input`` (the reversed ``sub``)."""
    if not isinstance(other, Tensor):
        other = creation.tensor(other, device=input.device)   # a 0-D tensor promotes as a Python number does
    return other.sub(input, alpha=alpha)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A 0-D tensor holding ``s``, of the default float dtype unless ``dtype`` is given."""
    if isinstance(s, Tensor):
        s = s.item()
    dt = D.get_default_dtype() if dtype is None else dtype
    if isinstance(s, complex) and not dt.is_complex:
        raise RuntimeError(f"value cannot be converted to type {dt.name.replace('32', '').replace('64', '')} "
                           "without overflow")
    return creation.tensor(s, dtype=dt, device=device, requires_grad=requires_grad)


def _empty_strided(size, stride, dtype, device):
    size, stride = tuple(operator.index(s) for s in size), tuple(operator.index(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"dimensionality of sizes ({len(size)}) must match dimensionality of strides "
                           f"({len(stride)})")
    need = 1 + sum((s - 1) * st for s, st in zip(size, stride)) if all(size) else 0
    storage = creation.empty(need, dtype=dtype, device=device)
    return Tensor._wrap(_strided(storage._data, size, stride, 0))


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """An uninitialised tensor with the given sizes and strides (its storage just large enough)."""
    t = _empty_strided(size, stride, dtype, device)
    return t.requires_grad_(True) if requires_grad else t


@tensor_method("new_empty_strided")
def new_empty_strided(self, size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                      pin_memory=False):
    t = _empty_strided(size, stride, dtype or self.dtype, device or self.device)
    return t.requires_grad_(True) if requires_grad else t


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-D tensor over the memory of a Python buffer (``bytearray``, ``array``, ``mmap``...), sharing it.
    A read-only buffer (``bytes``) is copied: PyTorch would let writes reach immutable memory."""
    mv = memoryview(buffer)
    length, item = mv.nbytes, D.to_numpy_dtype(dtype).itemsize
    if length <= 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if not 0 <= offset < length:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than buffer length "
                         f"({length} bytes) minus 1")
    if count < 0:
        if (length - offset) % item:
            raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} bytes) must be a "
                             f"multiple of element size ({item})")
        count = (length - offset) // item
    elif offset + count * item > length:
        raise ValueError(f"requested buffer length ({count} * {item} bytes) after offset ({offset} bytes) must not "
                         f"be greater than actual buffer length ({length} bytes)")
    if requires_grad and not (D.to_numpy_dtype(dtype).kind in "fc"):
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    a = np.frombuffer(mv.cast("B"), dtype=D.to_numpy_dtype(dtype), count=count, offset=offset)
    t = Tensor._wrap(a if a.flags.writeable else a.copy())
    return t.requires_grad_(True) if requires_grad else t


# ---------------------------------------------------------------- top-level in-place functions
# ``torch.<name>(t, ...)`` is ``t.<name>(...)`` for these (PyTorch 2.13's top-level in-place names whose
# Tensor methods Ember has; relu_, celu_, selu_, threshold_ and dropout_ live with their ops).
_TOP_LEVEL_INPLACE = (
    "abs_ acos_ acosh_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ as_strided_ asin_ asinh_ atan_ atanh_ "
    "ceil_ clamp_ clamp_max_ clamp_min_ clip_ cos_ cosh_ deg2rad_ detach_ erf_ erfc_ exp2_ exp_ expm1_ fill_ fix_ "
    "floor_ frac_ gcd_ i0_ index_put_ lcm_ ldexp_ log10_ log1p_ log2_ log_ logit_ nan_to_num_ neg_ negative_ "
    "rad2deg_ reciprocal_ resize_as_ round_ rsqrt_ sigmoid_ sin_ sinc_ sinh_ sqrt_ square_ tan_ tanh_ trunc_ "
    "xlogy_ zero_").split()


def _top_level(name):
    def fn(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``torch.{name}(input, ...)``: the same as ``input.{name}(...)`` (in place; returns ``input``)."
    return fn


for _n in _TOP_LEVEL_INPLACE:
    globals()[_n] = _top_level(_n)
__all__ += _TOP_LEVEL_INPLACE
