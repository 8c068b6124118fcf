"""Rearranging and building tensors: ``flip roll rot90 repeat repeat_interleave tile tril triu diag
diag_embed diagflat one_hot meshgrid broadcast_to broadcast_tensors atleast_*d narrow_copy cartesian_prod``."""
import operator
import warnings

import numpy as np

from .. import _dtype as D
from ._util import Op, Tensor, _wrap_dim, tensor_method, xp_of
from .shape import _DiagonalBackward, expand

__all__ = ["flip", "fliplr", "flipud", "roll", "rot90", "repeat_interleave", "tile", "tril", "triu", "diag",
           "diag_embed", "diagflat", "meshgrid", "broadcast_to", "broadcast_tensors", "broadcast_shapes",
           "atleast_1d", "atleast_2d", "atleast_3d", "narrow_copy", "cartesian_prod"]
__functional__ = ["one_hot"]     # collected by ember.nn.functional


def _int_tuple(args):
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    return tuple(operator.index(a) for a in args)


# ---------------------------------------------------------------- flip / roll / rot90
class Flip(Op):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return xp_of(x).flip(x, dims).copy() if dims else x.copy()

    @staticmethod
    def backward(ctx, g):
        return Flip.apply(g, ctx.dims)


@tensor_method("flip")
def flip(input, *dims):
    """A copy with the order of the entries reversed along ``dims``."""
    dims = _int_tuple(dims)
    n = input._data.ndim
    wrapped = tuple(_wrap_dim(d, n) for d in dims)
    for d in wrapped:
        if wrapped.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return Flip.apply(input, wrapped if n else ())


@tensor_method("fliplr")
def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, 1)


@tensor_method("flipud")
def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, 0)


class Roll(Op):
    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return xp_of(x).roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, g):
        return Roll.apply(g, tuple(-s for s in ctx.shifts), ctx.dims)


@tensor_method("roll")
def roll(input, shifts, dims=None):
    """Shift entries circularly by ``shifts`` along ``dims`` (``dims=None``: over the flattened tensor)."""
    shifts = (shifts,) if isinstance(shifts, int) or hasattr(shifts, "__index__") else tuple(shifts)
    shifts = tuple(operator.index(s) for s in shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        return Roll.apply(input.flatten(), shifts, (0,)).view(input.shape)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    dims = tuple(_wrap_dim(d, input._data.ndim) for d in dims)
    return Roll.apply(input, shifts, dims)


@tensor_method("rot90")
def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane ``dims`` (from the first towards the second axis)."""
    dims = tuple(dims)
    n = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if n < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
    d0, d1 = _wrap_dim(dims[0], n), _wrap_dim(dims[1], n)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    k %= 4
    if k == 1:
        return flip(input, d1).transpose(d0, d1)
    if k == 2:
        return flip(input, d0, d1)
    if k == 3:
        return flip(input, d0).transpose(d0, d1)
    return input.clone()


# ---------------------------------------------------------------- repeat / tile / repeat_interleave
class Repeat(Op):
    @staticmethod
    def forward(ctx, x, reps):
        pad = (1,) * (len(reps) - x.ndim) + tuple(x.shape)
        ctx.pad, ctx.reps = pad, reps
        return xp_of(x).tile(x.reshape(pad), reps)

    @staticmethod
    def backward(ctx, g):
        # (r0*s0, r1*s1, ...) -> (r0, s0, r1, s1, ...) and sum the repeat axes away
        split = []
        for r, s in zip(ctx.reps, ctx.pad):
            split += [r, s]
        return g.reshape(split).sum(tuple(range(0, 2 * len(ctx.reps), 2)))


@tensor_method("repeat")
def repeat(self, *sizes):
    """Tile the tensor ``sizes[i]`` times along each dimension (new leading dimensions allowed)."""
    reps = _int_tuple(sizes)
    if len(reps) < self._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           "tensor")
    if any(r < 0 for r in reps):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(reps)}: {list(reps)}")
    return Repeat.apply(self, reps)


@tensor_method("tile")
def tile(input, dims):
    """``repeat`` with missing leading repetition counts taken as 1."""
    dims = _int_tuple((dims,)) if not isinstance(dims, int) else (dims,)
    dims = (1,) * (input._data.ndim - len(dims)) + dims
    return repeat(input, dims)


def _repeat_index(repeats, n, xp):
    """Indices ``[0]*r0 + [1]*r1 + ...`` as an int64 Tensor."""
    return Tensor._wrap(xp.repeat(xp.arange(n, dtype=np.int64), repeats))


@tensor_method("repeat_interleave")
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each entry ``repeats`` times (an int, or one count per entry along ``dim``)."""
    if repeats is None:     # torch.repeat_interleave(counts): 0 repeated counts[0] times, 1 counts[1] times...
        counts = input
        if counts.ndim != 1 or counts.dtype not in (D.int64, D.int32):
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        return _repeat_index(counts._data, counts.shape[0], counts._xp())
    x = input.flatten() if dim is None else input
    d = 0 if dim is None else _wrap_dim(dim, input._data.ndim)
    size = x.shape[d] if x.ndim else 1
    if x.ndim == 0:
        x = x.reshape(1)
    xp = x._xp()
    if isinstance(repeats, Tensor):
        if repeats.ndim > 1 or repeats.dtype not in (D.int64, D.int32):
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        reps = repeats._data.reshape(-1)
        if reps.size == 1:
            reps = int(reps[0])
        elif reps.size != size:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                               f"{reps.size} and input.size({d}) = {size}")
        elif reps.size and int(reps.min()) < 0:
            raise RuntimeError("repeats can not be negative")
    else:
        reps = operator.index(repeats)
    if isinstance(reps, int) and reps < 0:
        raise RuntimeError("repeats can not be negative")
    return x.index_select(d, _repeat_index(reps, size, xp))


# ---------------------------------------------------------------- triangles and diagonals
class Tril(Op):
    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return xp_of(x).tril(x, k)

    @staticmethod
    def backward(ctx, g):
        return Tril.apply(g, ctx.k)


class Triu(Op):
    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return xp_of(x).triu(x, k)

    @staticmethod
    def backward(ctx, g):
        return Triu.apply(g, ctx.k)


def _tri(op, name, input, diagonal):
    if input._data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    return op.apply(input, operator.index(diagonal))


@tensor_method("tril")
def tril(input, diagonal=0, *, out=None):
    """The lower triangle (on and below diagonal ``diagonal``) of the last two dimensions; zeros elsewhere."""
    return _tri(Tril, "tril", input, diagonal)


@tensor_method("triu")
def triu(input, diagonal=0, *, out=None):
    """The upper triangle (on and above diagonal ``diagonal``) of the last two dimensions; zeros elsewhere."""
    return _tri(Triu, "triu", input, diagonal)


def _embed_shape(shape, n, d1, d2):
    out = list(shape)
    for d in sorted((d1, d2)):
        out.insert(d, n)
    return tuple(out)


@tensor_method("diag_embed")
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Matrices (in dims ``dim1``, ``dim2``) with the last dimension of ``input`` on diagonal ``offset``."""
    nd = input._data.ndim + 1
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    x = input if input._data.ndim else input.reshape(1)
    n = x.shape[-1] + abs(offset)
    shape = _embed_shape(x.shape[:-1], n, d1, d2)
    return _DiagonalBackward.apply(x, shape, offset, d1, d2)


@tensor_method("diag")
def diag(input, diagonal=0, *, out=None):
    """1-D input: a square matrix with it on diagonal ``diagonal``; 2-D input: that diagonal, as a copy."""
    n = input._data.ndim
    if n == 1:
        return diag_embed(input, diagonal, 0, 1)
    if n == 2:
        return input.diagonal(diagonal).clone()
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {n}D")


@tensor_method("diagflat")
def diagflat(input, offset=0):
    return diag_embed(input.flatten(), offset, 0, 1)


# ---------------------------------------------------------------- one_hot
def one_hot(tensor, num_classes=-1):
    """int64 one-hot encoding: a new last dimension of size ``num_classes`` (``-1``: max value + 1)."""
    if tensor.dtype is not D.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    a = tensor._data
    xp = xp_of(a)
    if a.size and int(a.min()) < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    elif a.size and int(a.max()) >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return Tensor._wrap((a[..., None] == xp.arange(num_classes)).astype(np.int64))


# ---------------------------------------------------------------- broadcasting helpers
def broadcast_shapes(*shapes):
    """The shape that tensors of ``shapes`` broadcast to (PyTorch's error when they do not)."""
    shapes = [tuple(s) if isinstance(s, (tuple, list)) else (operator.index(s),) for s in shapes]
    n = max((len(s) for s in shapes), default=0)
    out = [1] * n
    for s in shapes:
        for i, v in enumerate(s):
            j = n - len(s) + i
            if v != 1:
                if out[j] != 1 and out[j] != v:
                    raise RuntimeError(f"The size of tensor a ({out[j]}) must match the size of tensor b ({v}) at "
                                       f"non-singleton dimension {j}")
                out[j] = v
            elif out[j] == 1 and v == 0:
                out[j] = 0
    from .._size import Size
    return Size(out)


@tensor_method("broadcast_to")
def broadcast_to(input, size):
    return expand(input, tuple(size))


def broadcast_tensors(*tensors):
    """Views of ``tensors`` expanded to their common broadcast shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


def _atleast(n, tensors):
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    out = []
    for t in tensors:
        if t.ndim == 0:
            t = t.reshape((1,) * n)
        elif t.ndim == 1 and n >= 2:
            t = t.unsqueeze(0)
            if n == 3:
                t = t.unsqueeze(-1)
        elif t.ndim == 2 and n == 3:
            t = t.unsqueeze(-1)
        out.append(t)
    return out[0] if single else tuple(out)


def atleast_1d(*tensors):
    return _atleast(1, tensors)


def atleast_2d(*tensors):
    return _atleast(2, tensors)


def atleast_3d(*tensors):
    return _atleast(3, tensors)


# ---------------------------------------------------------------- grids and copies
def meshgrid(*tensors, indexing=None):
    """Coordinate grids (expanded views) from 1-D tensors; ``indexing='ij'`` (default) or ``'xy'``."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    if not tensors:
        raise RuntimeError("torch.meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
    sizes = [t.numel() for t in tensors]
    order = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        order[0], order[1] = 1, 0       # 'xy': the first two axes swap places
    shape = [sizes[o] for o in order]
    out = []
    for i, t in enumerate(tensors):
        pos = order.index(i)
        view_shape = [1] * len(tensors)
        view_shape[pos] = sizes[i]
        out.append(expand(t.reshape(view_shape), shape))
    return tuple(out)


@tensor_method("narrow_copy")
def narrow_copy(input, dim, start, length):
    return input.narrow(dim, start, length).clone()


def cartesian_prod(*tensors):
    """All combinations of the entries of 1-D tensors, one per row (``itertools.product`` order)."""
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    from .join import stack
    return stack([g.reshape(-1) for g in grids], 1)
