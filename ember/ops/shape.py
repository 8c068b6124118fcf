"""Shape and view ops.

Views are array views: they share memory with their base and the base's
version counter, and remember how to re-derive themselves from the base
(``_view_fn``) so that in-place ops on views can rewrite the base's history.

PyTorch's storage model (a flat buffer plus sizes, strides and an offset) is
mirrored with the array that owns the memory (``_storage``): ``as_strided``,
``diagonal``, ``unsqueeze`` and ``resize_`` build views on it directly, so
their strides and ``storage_offset()`` are PyTorch's.
"""

__all__ = ['reshape', 'permute', 'transpose', 'swapaxes', 'swapdims', 't', 'flatten', 'unflatten', 'squeeze',
           'unsqueeze', 'narrow', 'select', 'unbind', 'split', 'chunk', 'tensor_split', 'hsplit', 'vsplit',
           'dsplit', 'diagonal', 'as_strided', 'movedim', 'moveaxis', 'adjoint']

import operator

import numpy as np

from .. import _memory_format as _mf
from .._size import Size
from ._util import Op, Tensor, _wrap_dim, tensor_method, xp_of


# ---------------------------------------------------------------- storage helpers
def _ptr(a):
    return a.__array_interface__["data"][0] if type(a) is np.ndarray else a.data.ptr


def _storage(a):
    """``(owner, offset)``: the array owning ``a``'s memory (PyTorch's storage) and ``a``'s element offset in it."""
    owner = a
    while isinstance(owner.base, type(a)):
        owner = owner.base
    return owner, (_ptr(a) - _ptr(owner)) // a.itemsize


def _storage_size(owner, itemsize):
    return owner.nbytes // itemsize


def _strided(a, shape, strides, offset=None):
    """A view of ``a``'s storage with element ``strides`` at element ``offset`` (default: ``a``'s own)."""
    owner, own_off = _storage(a)
    offset = own_off if offset is None else offset
    item = a.itemsize
    need = offset + 1 + sum((s - 1) * st for s, st in zip(shape, strides)) if all(shape) else 0
    if need > _storage_size(owner, item) or offset < 0 or any(st < 0 for st in strides):
        raise RuntimeError(f"setStorage: sizes {list(shape)}, strides {list(strides)}, storage offset {offset}, and "
                           f"itemsize {item} requiring a storage size of {need * item} are out of bounds for "
                           f"storage of size {owner.nbytes}")
    bstrides = tuple(st * item for st in strides)
    if type(a) is np.ndarray:
        if not (owner.flags.c_contiguous or owner.flags.f_contiguous):   # owner made by as_strided elsewhere
            return np.lib.stride_tricks.as_strided(a, shape, bstrides) if offset == own_off else a[...]
        out = np.ndarray(shape, a.dtype, buffer=owner, offset=offset * item, strides=bstrides)
        if not a.flags.writeable:
            out.flags.writeable = False
        return out
    xp = xp_of(a)
    return xp.ndarray(shape, a.dtype, memptr=owner.data + offset * item, strides=bstrides)


def _elem_strides(a):
    item = a.itemsize
    return tuple(s // item for s in a.strides)


def has_internal_overlap(a):
    """True when two elements of ``a`` share memory through a zero stride (an expanded tensor)."""
    return any(st == 0 and s > 1 for s, st in zip(a.shape, a.strides))


def _same_storage(a, b):
    return _storage(a)[0] is _storage(b)[0]


# ---------------------------------------------------------------- view bookkeeping
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
    shape = tuple(operator.index(s) for s in shape)
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


# ---------------------------------------------------------------- view / reshape
class Reshape(Op):
    node_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, x, shape, must_view=False):
        ctx.in_shape = x.shape
        if must_view:
            if x.flags.c_contiguous:
                return x.reshape(shape)         # always a view: the fast path
            try:
                return np.reshape(x, shape, copy=False) if type(x) is np.ndarray else _cupy_view(x, shape)
            except (ValueError, AttributeError):
                raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                                   "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
                                   ) from None
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape)

    @staticmethod
    def backward_data(ctx, g):
        return g.reshape(ctx.in_shape)


def _cupy_view(x, shape):
    out = x.reshape(shape)
    if out.size and not _same_storage(out, x):
        raise ValueError("copy needed")
    return out


class _ReshapeCopy(Reshape):
    node_name = "UnsafeViewBackward0"


@tensor_method("view")
def view(self, *shape):
    """A view with a new shape (no copy; fails when the strides do not allow it, use ``reshape``)."""
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, Size, int)) and not hasattr(shape[0], "__index__"):
        return _view_dtype(self, shape[0])
    shape = infer_shape(_shape_args(shape), self._data.size)
    out = Reshape.apply(self, shape, must_view=True)
    return as_view(out, self, lambda b: b.view(shape))


def _view_dtype(self, dtype):
    """``t.view(torch.int32)``: reinterpret the same bytes as another dtype."""
    from .. import _dtype as D
    npd = D.to_numpy_dtype(dtype)
    a = self._data
    if npd.itemsize != a.itemsize and (a.ndim == 0 or a.strides[-1] != a.itemsize):
        raise RuntimeError("self.stride(-1) must be 1 to view " f"{self.dtype} as {dtype} (different element sizes)")
    out = Tensor._wrap(a.view(npd))
    return as_view(out, self, lambda b: b.view(dtype))


@tensor_method("reshape")
def reshape(self, *shape):
    """A tensor with a new shape: a view when the strides allow it, else a copy."""
    shape = infer_shape(_shape_args(shape), self._data.size, "reshape")
    a = self._data
    if a.flags.c_contiguous or _viewable(a, shape):
        return view(self, shape)
    return _ReshapeCopy.apply(self, shape)


def _viewable(a, shape):
    try:
        np.reshape(np.lib.stride_tricks.as_strided(np.empty(1, a.dtype), a.shape, a.strides), shape, copy=False)
        return True
    except ValueError:
        return False


@tensor_method("view_as")
def view_as(self, other):
    return view(self, other.shape)


@tensor_method("reshape_as")
def reshape_as(self, other):
    return reshape(self, other.shape)


# ---------------------------------------------------------------- permutations
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


class Transpose(Permute):
    pass


class T(Permute):
    pass


@tensor_method("permute")
def permute(self, *dims):
    dims = tuple(_wrap_dim(d, self._data.ndim) for d in _shape_args(dims))
    if len(dims) != self._data.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {self._data.ndim} "
                           f"is not equal to len(dims) = {len(dims)}")
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return as_view(Permute.apply(self, dims), self, lambda b: b.permute(*dims))


@tensor_method("transpose", "swapaxes", "swapdims")
def transpose(self, dim0, dim1):
    n = self._data.ndim
    d0, d1 = _wrap_dim(dim0, n), _wrap_dim(dim1, n)
    if n == 0:
        return as_view(Reshape.apply(self, ()), self, lambda b: b.transpose(0, 0))
    dims = list(range(n))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return as_view(Transpose.apply(self, tuple(dims)), self, lambda b: b.transpose(d0, d1))


@tensor_method("t")
def t(self):
    """Transpose of a matrix (0-D and 1-D tensors are returned as they are, as a view)."""
    n = self._data.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    dims = (1, 0) if n == 2 else tuple(range(n))
    return as_view(T.apply(self, dims), self, lambda b: b.t())


@tensor_method("movedim", "moveaxis")
def movedim(input, source, destination):
    n = input._data.ndim
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) should contain "
                           f"the same number of dims as destination ({list(dst)} dims)")
    src = [_wrap_dim(d, n) for d in src]
    dst = [_wrap_dim(d, n) for d in dst]
    order = [None] * n
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(n) if d not in src)
    order = [next(rest) if o is None else o for o in order]
    return permute(input, order)


moveaxis = movedim


def _T(self):
    n = self._data.ndim
    if n not in (0, 2):
        import warnings
        warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated "
                      "and it will throw an error in a future release. Consider `x.mT` to transpose batches of "
                      "matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a "
                      "tensor.", UserWarning, stacklevel=2)
    return permute(self, *reversed(range(n)))


def _mT(self):
    if self._data.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got {self._data.ndim}-D "
                           "tensor.")
    return transpose(self, -2, -1)


def _conj(t):
    return t.conj() if t.is_complex() else t


def adjoint(input):
    """Conjugate transpose of the last two dimensions (``x.mH``)."""
    return _conj(_mT(input))


Tensor.T = property(_T)
Tensor.mT = property(_mT)
Tensor.H = property(lambda self: _conj(_T(self)) if self._data.ndim in (0, 2) else _H_error(self))
Tensor.mH = property(adjoint)
Tensor.adjoint = adjoint


def _H_error(self):
    raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {self._data.ndim}-D tensor."
                       + (" For batches of matrices, consider using tensor.mH" if self._data.ndim > 2 else ""))


# ---------------------------------------------------------------- expand
class Expand(Op):
    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        lead = len(shape) - x.ndim
        st = _elem_strides(x)
        strides = tuple(0 if i < lead or (x.shape[i - lead] == 1 and s != 1) else st[i - lead]
                        for i, s in enumerate(shape))
        return _strided(x, shape, strides)     # writable like PyTorch's (in-place ops check the overlap)

    @staticmethod
    def backward(ctx, g):
        return g.sum_to_size(ctx.in_shape)


@tensor_method("expand")
def expand(self, *sizes, implicit=False):
    """A read-only broadcast view (stride 0 along the expanded dimensions)."""
    sizes = tuple(operator.index(s) for s in _shape_args(sizes))
    n_new = len(sizes) - self._data.ndim
    if n_new < 0:
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(self._data.shape)}}}, size={list(sizes)}): the number "
                           f"of sizes provided ({len(sizes)}) must be greater or equal to the number of dimensions "
                           f"in the tensor ({self._data.ndim})")
    shape = []
    for i, s in enumerate(sizes):
        cur = self._data.shape[i - n_new] if i >= n_new else 1
        if s == -1:
            if i < n_new:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, non-existing "
                                   f"dimension {i}")
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


# ---------------------------------------------------------------- squeeze / unsqueeze
class Unsqueeze(Op):
    @staticmethod
    def forward(ctx, x, d):
        ctx.d = d
        if x.flags.c_contiguous:               # contiguous: PyTorch's new stride is the contiguous one
            return x.reshape(x.shape[:d] + (1,) + x.shape[d:])
        shape, st = list(x.shape), list(_elem_strides(x))
        new_st = shape[d] * st[d] if d < len(shape) else 1     # PyTorch's stride for the new dimension
        return _strided(x, tuple(shape[:d] + [1] + shape[d:]), tuple(st[:d] + [new_st] + st[d:]))

    @staticmethod
    def backward(ctx, g):
        return g.squeeze(ctx.d)


@tensor_method("unsqueeze")
def unsqueeze(self, dim):
    d = _wrap_dim(dim, self._data.ndim + 1)
    return as_view(Unsqueeze.apply(self, d), self, lambda b: b.unsqueeze(d))


class Squeeze(Op):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.in_shape = x.shape
        return x.squeeze(axis=dims) if dims else x[...]

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape)


@tensor_method("squeeze")
def squeeze(self, dim=None):
    """Remove size-1 dimensions (all, one ``dim`` or a tuple of dims; other sizes are left alone)."""
    s = self._data.shape
    if dim is None:
        dims = tuple(i for i, x in enumerate(s) if x == 1)
    else:
        dl = (dim,) if isinstance(dim, int) else tuple(dim)
        dims = tuple(sorted({_wrap_dim(d, len(s)) for d in dl})) if s else ()
        dims = tuple(i for i in dims if s[i] == 1)
    return as_view(Squeeze.apply(self, dims), self, lambda b: b.squeeze(dim))


# ---------------------------------------------------------------- flatten / unflatten
@tensor_method("flatten")
def flatten(self, start_dim=0, end_dim=-1):
    n = self._data.ndim
    if n == 0:
        return reshape(self, (1,))
    s, e = _wrap_dim(start_dim, n), _wrap_dim(end_dim, n)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return self
    shape = self._data.shape
    return reshape(self, shape[:s] + (-1,) + shape[e + 1:])


@tensor_method("unflatten")
def unflatten(self, dim, sizes):
    """Split dimension ``dim`` into ``sizes`` (one entry may be -1)."""
    n = self._data.ndim
    d = _wrap_dim(dim, n)
    sizes = tuple(sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    size = self._data.shape[d]
    try:
        inner = infer_shape(sizes, size)
    except RuntimeError:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
                           f"({size}) in the input tensor") from None
    return view(self, self._data.shape[:d] + inner + self._data.shape[d + 1:]) if self._data.flags.c_contiguous \
        else reshape(self, self._data.shape[:d] + inner + self._data.shape[d + 1:])


# ---------------------------------------------------------------- basic indexing pieces: select / slice
class _Embed(Op):
    """Zeros of ``shape`` with ``g`` written at ``key``: the gradient of ``x[key]`` (basic ``key``)."""

    @staticmethod
    def forward(ctx, g, shape, key):
        ctx.key = key
        out = xp_of(g).zeros(shape, dtype=g.dtype)
        out[key] = g
        return out

    @staticmethod
    def backward(ctx, gg):
        return _Take.apply(gg, ctx.key)


class _Take(Op):
    """``x[key]`` for a basic ``key`` (the double-backward partner of ``_Embed``)."""

    @staticmethod
    def forward(ctx, x, key):
        ctx.shape, ctx.key = x.shape, key
        return x[key]

    @staticmethod
    def backward(ctx, g):
        return _Embed.apply(g, ctx.shape, ctx.key)


class Select(_Take):
    pass


class Slice(_Take):
    pass


class Alias(_Take):
    pass


def _select(self, dim, index):
    """``select`` after ``dim``/``index`` were validated (no negative values)."""
    key = (slice(None),) * dim + (index,)
    return as_view(Select.apply(self, key), self, lambda b: b.select(dim, index))


def _slice(self, dim, start, stop, step=1):
    key = (slice(None),) * dim + (slice(start, stop, step),)
    return as_view(Slice.apply(self, key), self, lambda b: _slice(b, dim, start, stop, step))


@tensor_method("select")
def select(input, dim, index):
    n = input._data.ndim
    if n == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, n)
    size = input._data.shape[d]
    index = operator.index(index)
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
                         f"dimension {dim}")
    return _select(input, d, index + size if index < 0 else index)


@tensor_method("narrow")
def narrow(input, dim, start, length):
    """The view ``input[..., start:start + length, ...]`` along ``dim``."""
    n = input._data.ndim
    if n == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, n)
    size = input._data.shape[d]
    start = operator.index(start)
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    if start < 0:
        start += size
    if length < 0 or start > size - length:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return _slice(input, d, start, start + length)


@tensor_method("unbind")
def unbind(input, dim=0):
    """A tuple of views, one per index along ``dim``."""
    d = _wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    return tuple(_select(input, d, i) for i in range(input._data.shape[d]))


@tensor_method("split")
def split(tensor, split_size_or_sections, dim=0):
    """Views of ``split_size`` along ``dim`` (the last may be smaller), or of the listed sizes."""
    d = _wrap_dim(dim, tensor._data.ndim)
    size = tensor._data.shape[d]
    if isinstance(split_size_or_sections, int) or hasattr(split_size_or_sections, "__index__") and \
            not isinstance(split_size_or_sections, (list, tuple)):
        step = operator.index(split_size_or_sections)
        if step < 0 or (step == 0 and size != 0):
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}")
        bounds = list(range(0, size, step)) if step else [0]
        sizes = [min(step, size - b) for b in bounds]
    else:
        sizes = [operator.index(s) for s in split_size_or_sections]
        if sum(sizes) != size or any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size "
                               f"at dimension {d}), but got split_sizes={sizes}")
    out, start = [], 0
    for s in sizes:
        out.append(_slice(tensor, d, start, start + s))
        start += s
    return tuple(out)


@tensor_method("chunk")
def chunk(input, chunks, dim=0):
    """Up to ``chunks`` views of ``ceil(size / chunks)`` along ``dim``."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " f"{chunks}")
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if size == 0:   # PyTorch returns ``chunks`` empty views
        return tuple(_slice(input, d, 0, 0) for _ in range(chunks))
    return split(input, -(-size // chunks), d)


@tensor_method("tensor_split")
def tensor_split(input, indices_or_sections, dim=0):
    """Split into ``n`` nearly equal views (the first ``size % n`` one larger) or at the given indices."""
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        if ios.ndim > 1 or ios.dtype.is_floating_point:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                               f"one-dimensional tensor, but got a tensor with {ios.ndim} dims")
        ios = ios.item() if ios.ndim == 0 else ios.tolist()
    if isinstance(ios, int):
        if ios <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {ios}")
        q, r = divmod(size, ios)
        bounds, b = [], 0
        for i in range(ios):
            bounds.append(b)
            b += q + (1 if i < r else 0)
        bounds.append(size)
    else:
        bounds = [0] + [min(max(operator.index(i), 0), size) if i >= 0 else max(size + i, 0) for i in ios] + [size]
    return tuple(_slice(input, d, bounds[i], max(bounds[i], bounds[i + 1])) for i in range(len(bounds) - 1))


def _split_dim(input, ios, dim, name, min_dim):
    if input._data.ndim < min_dim:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dim} dimension, but got a tensor "
                           f"with {input._data.ndim} dimensions!")
    if isinstance(ios, int) and input._data.shape[dim] % ios:
        raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the dimension "
                           f"{input._data.shape[dim]} is not divisible by the split_size {ios}!")
    return tensor_split(input, ios, dim)


@tensor_method("hsplit")
def hsplit(input, indices_or_sections):
    return _split_dim(input, indices_or_sections, 1 if input._data.ndim > 1 else 0, "hsplit", 1)


@tensor_method("vsplit")
def vsplit(input, indices_or_sections):
    return _split_dim(input, indices_or_sections, 0, "vsplit", 2)


@tensor_method("dsplit")
def dsplit(input, indices_or_sections):
    return _split_dim(input, indices_or_sections, 2, "dsplit", 3)


# ---------------------------------------------------------------- diagonal / as_strided
def _diag_geometry(a, offset, d1, d2):
    shape, st = list(a.shape), list(_elem_strides(a))
    if offset >= 0:
        n = max(min(shape[d1], shape[d2] - offset), 0)
        start = offset * st[d2] if n else 0
    else:
        n = max(min(shape[d1] + offset, shape[d2]), 0)
        start = -offset * st[d1] if n else 0
    keep = [i for i in range(len(shape)) if i not in (d1, d2)]
    return (tuple(shape[i] for i in keep) + (n,), tuple(st[i] for i in keep) + (st[d1] + st[d2],),
            _storage(a)[1] + start)


class Diagonal(Op):
    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        ctx.shape, ctx.args = x.shape, (offset, d1, d2)
        shape, strides, off = _diag_geometry(x, offset, d1, d2)
        return _strided(x, shape, strides, off)

    @staticmethod
    def backward(ctx, g):
        return _DiagonalBackward.apply(g, ctx.shape, *ctx.args)


class _DiagonalBackward(Op):
    """Zeros of the input's shape with ``g`` written on the diagonal."""

    @staticmethod
    def forward(ctx, g, shape, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        z = xp_of(g).zeros(shape, dtype=g.dtype)
        zs, strides, off = _diag_geometry(z, offset, d1, d2)
        _strided(z, zs, strides, off)[...] = g
        return z

    @staticmethod
    def backward(ctx, gg):
        offset, d1, d2 = ctx.args
        return gg.diagonal(offset, d1, d2)


@tensor_method("diagonal")
def diagonal(input, offset=0, dim1=0, dim2=1):
    """A (writable) view of the diagonal of the (``dim1``, ``dim2``) planes, appended as the last dimension."""
    n = input._data.ndim
    d1, d2 = _wrap_dim(dim1, n), _wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return as_view(Diagonal.apply(input, offset, d1, d2), input, lambda b: b.diagonal(offset, d1, d2))


def _positions(xp, shape, strides, offset):
    """The storage position of every element of a strided view (an int64 array of ``shape``)."""
    pos = xp.full(shape, offset, dtype=np.int64)
    for i, (s, st) in enumerate(zip(shape, strides)):
        idx = xp.arange(s, dtype=np.int64) * st
        pos = pos + idx.reshape((1,) * i + (s,) + (1,) * (len(shape) - i - 1))
    return pos


class _StorageMap(Op):
    """Scatter-add ``x`` to storage positions ``src_pos`` and read back at ``dst_pos`` (its own transpose)."""

    @staticmethod
    def forward(ctx, x, src_pos, dst_pos, size):
        ctx.args = (src_pos, dst_pos, size)
        xp = xp_of(x)
        buf = xp.zeros(size, dtype=x.dtype)
        xp.add.at(buf, src_pos, x)   # CuPy >= 12.1 has ufunc.at too
        return buf[dst_pos]

    @staticmethod
    def backward(ctx, g):
        src_pos, dst_pos, size = ctx.args
        return _StorageMap.apply(g, dst_pos, src_pos, size)


class AsStrided(Op):
    @staticmethod
    def forward(ctx, x, size, stride, offset):
        xp = xp_of(x)
        ctx.in_pos = _positions(xp, x.shape, _elem_strides(x), _storage(x)[1])
        ctx.out_pos = _positions(xp, size, stride, offset)
        return _strided(x, size, stride, offset)

    @staticmethod
    def backward(ctx, g):
        size = 1 + max(int(ctx.in_pos.max()) if ctx.in_pos.size else 0,
                       int(ctx.out_pos.max()) if ctx.out_pos.size else 0)
        return _StorageMap.apply(g, ctx.out_pos, ctx.in_pos, size)


@tensor_method("as_strided")
def as_strided(input, size, stride, storage_offset=None):
    """A view of ``input``'s storage with the given sizes, strides (in elements) and offset."""
    size, stride = tuple(operator.index(s) for s in size), tuple(operator.index(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in size):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(size)} and strides={list(stride)}")
    if any(st < 0 for st in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got strides: "
                           f"{list(stride)}")
    off = _storage(input._data)[1] if storage_offset is None else operator.index(storage_offset)
    out = AsStrided.apply(input, size, stride, off)
    return as_view(out, input, lambda b: b.as_strided(size, stride, off))


@tensor_method("contiguous")
def contiguous(self, *, memory_format=_mf.contiguous_format):
    """``self`` when already contiguous in ``memory_format`` (row-major by default, or ``torch.channels_last``
    ...), else a copy laid out so (``clone(memory_format=...)``)."""
    if memory_format is _mf.contiguous_format:
        if self._data.flags.c_contiguous:
            return self
    else:
        _mf.check_format(memory_format, "contiguous", allow_none=False)
        if self.is_contiguous(memory_format=memory_format):
            return self
        if memory_format is _mf.preserve_format:
            raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
    return self.clone(memory_format=memory_format)


swapaxes = swapdims = transpose
