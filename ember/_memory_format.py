"""Memory formats: ``torch.contiguous_format``, ``channels_last``, ``channels_last_3d``, ``preserve_format``.

A tensor's memory format is how its elements lie in memory, not what they are: a
channels-last ``(N, C, H, W)`` tensor is the same logical array whose memory is
``(N, H, W, C)``, so its strides (in elements) are ``(H*W*C, 1, W*C, C)``. Ember's
arrays can have any strides, so the layout is just the array's strides; this module
holds PyTorch's rules for choosing and recognising them (``contiguous``, ``clone``,
``to``, ``empty`` and the ``*_like`` factories use it).

Ops compute on any layout and return their results in the contiguous format (PyTorch
may keep channels-last through an op; the values are the same either way).
"""
import numpy as np

from . import _backend

__all__ = ["memory_format", "contiguous_format", "channels_last", "channels_last_3d", "preserve_format"]


class memory_format:
    """The type of ``torch.contiguous_format``, ``torch.channels_last``, ``torch.channels_last_3d`` and
    ``torch.preserve_format`` (four fixed instances; it cannot be instantiated)."""
    __slots__ = ("_name",)

    def __new__(cls, *args, **kwargs):
        raise TypeError("cannot create 'torch.memory_format' instances")

    def __repr__(self):
        return "torch." + self._name

    def __reduce__(self):       # pickle and deepcopy give back the same instance (found by name in this module)
        return self._name


def _make(name):
    fmt = object.__new__(memory_format)
    fmt._name = name
    return fmt


contiguous_format = _make("contiguous_format")
channels_last = _make("channels_last")
channels_last_3d = _make("channels_last_3d")
preserve_format = _make("preserve_format")

# innermost dim first: channels-last is C, then W, H (and D), then N
_INNER_FIRST = {channels_last: (1, 3, 2, 0), channels_last_3d: (1, 4, 3, 2, 0)}
_RANK = {channels_last: 4, channels_last_3d: 5}


def check_format(fmt, op, allow_none=True):
    """TypeError (PyTorch's wording) unless ``fmt`` is a memory format (or None, the op's default, if allowed)."""
    if type(fmt) is not memory_format and (fmt is not None or not allow_none):
        raise TypeError(f"{op}(): argument 'memory_format' must be torch.memory_format, not {type(fmt).__name__}")


def contiguous_strides(shape):
    """Row-major element strides of ``shape`` (size-0 dims count as 1, as PyTorch's)."""
    strides, acc = [], 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


def format_strides(shape, fmt):
    """The element strides a fresh tensor of ``shape`` has in ``fmt`` (contiguous, channels_last(_3d)).

    ``(2, 3, 4, 5)`` in channels_last -> ``(60, 1, 15, 3)``. RuntimeError when the rank does not fit the format.
    """
    if fmt is preserve_format:
        raise RuntimeError("unsupported memory format Preserve")
    if fmt is contiguous_format or fmt is None:
        return contiguous_strides(shape)
    if len(shape) != _RANK[fmt]:
        raise RuntimeError(f"required rank {_RANK[fmt]} tensor to use {fmt._name} format")
    strides, acc = [0] * len(shape), 1
    for d in _INNER_FIRST[fmt]:
        strides[d] = acc
        acc *= shape[d]
    return tuple(strides)


def is_contiguous_as(shape, strides, fmt):
    """PyTorch's ``is_contiguous(memory_format=fmt)``: the strides are the running products of the sizes,
    taking the dims from innermost out in ``fmt``'s order (size-1 dims can have any stride)."""
    if fmt in _INNER_FIRST:
        if len(shape) != _RANK[fmt]:
            return False
        order = _INNER_FIRST[fmt]
    else:                                       # contiguous (preserve_format asks the same question)
        if 0 in shape:
            return True
        order = range(len(shape) - 1, -1, -1)
    expected = 1
    for d in order:
        if shape[d] != 1:
            if strides[d] != expected:
                return False
            expected *= shape[d]
    return True


def is_non_overlapping_and_dense(shape, strides):
    """Whether the elements fill a block of memory exactly once: strides, sorted, are running products of sizes."""
    dims = sorted((d for d in range(len(shape)) if shape[d] >= 2), key=lambda d: strides[d])
    expected = 1
    for d in dims:
        if strides[d] != expected:
            return False
        expected *= shape[d]
    return True


def _strides_like_channels_last(shape, strides, order):
    """PyTorch's heuristic for "these strides look channels-last" (used when a layout cannot be kept exactly):
    strides grow along C, W, H(, D), N, with ambiguous size-1 cases resolved as contiguous."""
    if strides[1] == 0:
        return False
    low = 0
    for d in order:
        if shape[d] == 0 or strides[d] < low:
            return False
        if d == 0 and low == strides[1]:        # N111-like: contiguous by default
            return False
        low = strides[d] * (shape[d] if shape[d] > 1 else 1)
    return True


def suggest_format(shape, strides):
    """The memory format PyTorch infers from strides: channels_last(_3d) when they look like it, else contiguous."""
    for fmt, order in _INNER_FIRST.items():
        if len(shape) == len(order) and _strides_like_channels_last(shape, strides, order):
            return fmt
    return contiguous_format


def output_strides(shape, strides, fmt):
    """The strides of a copy of a tensor (``shape``, ``strides``) made in ``fmt`` (``clone``, ``to``, ``*_like``).

    ``preserve_format`` keeps the input's strides when it is dense and non-overlapping, else uses the format
    its strides suggest (PyTorch's rule).
    """
    if fmt is preserve_format or fmt is None:
        if is_non_overlapping_and_dense(shape, strides):
            return tuple(strides)
        fmt = suggest_format(shape, strides)
    return format_strides(shape, fmt)


def empty_strided_array(xp, shape, strides, dtype):
    """An uninitialised ``xp`` array of ``shape`` with these element ``strides`` (dense: numel elements)."""
    n = 1
    for s in shape:
        n *= s
    if n == 0:
        return xp.empty(shape, dtype=dtype)
    flat = xp.empty(n, dtype=dtype)
    bstrides = tuple(st * flat.itemsize for st in strides)
    if xp is np:
        return xp.ndarray(shape, dtype, buffer=flat, strides=bstrides)
    return xp.ndarray(shape, dtype, memptr=flat.data, strides=bstrides)


def array_strides(a):
    """An array's element strides as ``Tensor.stride()`` reports them."""
    if a.ndim == 0:
        return ()
    if a.size == 0:
        return contiguous_strides(a.shape)
    return tuple(s // a.itemsize for s in a.strides)


def in_layout(a, strides):
    """``a`` itself when it already has these element ``strides``, else a copy that does."""
    if strides is None or a.size == 0 or array_strides(a) == tuple(strides):
        return a
    out = empty_strided_array(_backend.xp_of(a), a.shape, strides, a.dtype)
    out[...] = a
    return out
