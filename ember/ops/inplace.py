"""In-place ops (``add_ mul_ ... fill_ copy_ __iadd__``) and the history rewriting they need.

An in-place op computes its result out of place, writes it into the tensor's
memory (so views and NumPy arrays sharing it see the change) and bumps the
version counter shared with those views. When autograd is recording:

* the tensor's ``grad_fn`` becomes the op's node (its history is rebased);
* if the tensor is a view, its base's history is rewritten too (PyTorch's
  ``CopySlices``): the base's gradient outside the view flows to the old
  base, inside the view to the op's result.
"""
from .. import _dtype as D
from ..autograd import function as F
import operator

import numpy as np

from . import indexing, pointwise, unary  # noqa: F401 - the out-of-place ops whose variants are made here
from ._util import GradMode, Op, Tensor, tensor_method, xp_of
from .shape import _storage, _strided, has_internal_overlap

_OVERLAP_MSG = ("unsupported operation: more than one element of the written-to tensor refers to a single memory "
                "location. Please clone() the tensor before performing the operation.")

__all__ = []


def _check_leaf(t):
    if t._grad_fn is None and t._requires_grad:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation. Wrap the "
                           "update in `with torch.no_grad():` (as optimizers do), or operate on a copy.")
    base = t._base
    if base is not None and base._grad_fn is None and base._requires_grad:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")


def _snapshot(t):
    """The tensor's current value and history, detached from its memory (for the out-of-place compute)."""
    s = Tensor._wrap(t._data.copy())
    s._requires_grad = t._requires_grad
    if t._grad_fn is not None:
        s._grad_fn = t._grad_fn
        s._output_nr = t._output_nr
    elif t._requires_grad:
        s._grad_acc = t._grad_acc
    return s


def _write(t, result, op):
    if tuple(result._data.shape) != tuple(t._data.shape):
        try:
            r = result._xp().broadcast_to(result._data, t._data.shape)
        except ValueError:
            r = None
        if r is None or op not in ("copy_", "fill_"):
            raise RuntimeError(f"output with shape {list(t.shape)} doesn't match the broadcast shape "
                               f"{list(result.shape)} (in-place {op} cannot change the shape of its tensor; use "
                               f"the out-of-place form, e.g. x = x.{op[:-1]}(...))")
        data = r
    else:
        data = result._data
    if has_internal_overlap(t._data):
        raise RuntimeError(_OVERLAP_MSG)
    rt, dt = result.dtype, t.dtype
    if rt is not dt and not D.can_cast(rt, dt) and op != "copy_":
        raise RuntimeError(f"result type {rt.name.capitalize() if rt is not D.float32 else 'Float'} can't be cast "
                           f"to the desired output type {_legacy_name(dt)} (in {op}); convert the tensor first, "
                           "e.g. t = t.float()")
    try:
        t._data[...] = data
    except ValueError as exc:
        if "read-only" in str(exc):
            raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to "
                               "a single memory location. Please clone() the tensor before performing the "
                               "operation.") from None
        raise
    t._version[0] += 1


def _legacy_name(d):
    return {D.int64: "Long", D.int32: "Int", D.int16: "Short", D.int8: "Char", D.uint8: "Byte", D.bool_: "Bool",
            D.float32: "Float", D.float64: "Double", D.float16: "Half"}.get(d, d.name)


class CopySlices(Op):
    """Node for a base whose view was modified in place."""

    @staticmethod
    def backward(ctx, g):
        gb = Tensor._wrap(g._data.copy())
        region = ctx.view_fn(gb)
        region._data[...] = 0
        grad_result = ctx.view_fn(g) if ctx.needs_input_grad[1] else None
        return (gb if ctx.needs_input_grad[0] else None), grad_result


def apply_inplace(t, compute, op):
    """Run ``compute(old_value) -> result`` and store the result into ``t``; returns ``t``."""
    if not GradMode.enabled:
        result = compute(t)
        _write(t, result, op)
        return t
    _check_leaf(t)
    base = t._base
    base_tracks = base is not None and base._requires_grad
    base_old = _snapshot(base) if base_tracks else None
    result = compute(_snapshot(t) if t._requires_grad else t)
    if not result._requires_grad and not base_tracks and not t._requires_grad:
        _write(t, result, op)
        return t
    if result.dtype is not t.dtype:
        result = result.to(t.dtype)
    _write(t, result, op)
    if base is not None and (base_tracks or result._requires_grad):
        node = CopySlices._backward_cls()
        F._connect(node, (base_old if base_old is not None else base._alias(), result))
        node.view_fn = t._view_fn
        base._grad_fn, base._output_nr, base._requires_grad = node, 0, True
        regenerated = t._view_fn(base)      # the view's new history: a view of the new base
        t._grad_fn, t._output_nr = regenerated._grad_fn, regenerated._output_nr
        t._requires_grad = True
    else:
        t._grad_fn, t._output_nr, t._requires_grad = result._grad_fn, result._output_nr, result._requires_grad
    return t


def inplace_variant(*names):
    """Give ``Tensor`` the in-place method ``name_`` for each out-of-place method ``name``."""
    for name in names:
        fn = getattr(Tensor, name)

        def method(self, *args, _fn=fn, _name=name + "_", **kwargs):
            return apply_inplace(self, lambda s: _fn(s, *args, **kwargs), _name)
        method.__name__ = name + "_"
        setattr(Tensor, name + "_", method)


def _define():
    inplace_variant("add", "sub", "mul", "div", "pow", "floor_divide", "neg", "exp", "log", "sqrt", "abs", "sign",
                    "tanh", "sigmoid", "masked_fill", "subtract", "multiply", "divide", "true_divide")
    inplace_variant("index_put", "index_fill", "index_add", "index_copy", "scatter", "scatter_add",
                    "scatter_reduce", "masked_scatter")
    for dunder, name in (("__iadd__", "add"), ("__isub__", "sub"), ("__imul__", "mul"), ("__itruediv__", "div"),
                         ("__ifloordiv__", "floor_divide"), ("__ipow__", "pow")):
        fn = getattr(Tensor, name)
        setattr(Tensor, dunder, (lambda f, n: lambda self, other: apply_inplace(self, lambda s: f(s, other), n))(
            fn, name + "_"))


_define()


@tensor_method("fill_")
def fill_(self, value):
    if isinstance(value, Tensor) and value.ndim != 0:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} "
                           "dimensions.")
    if not GradMode.enabled or not (self._requires_grad or (isinstance(value, Tensor) and value._requires_grad)):
        if not GradMode.enabled or self._grad_fn is None:
            _check_leaf(self) if GradMode.enabled else None
            self._data.fill(value.item() if isinstance(value, Tensor) else value)
            self._version[0] += 1
            return self
    return apply_inplace(self, lambda s: s * 0 + value, "fill_")


@tensor_method("zero_")
def zero_(self):
    return fill_(self, 0)


@tensor_method("copy_")
def copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast, any dtype/device) into this tensor's memory."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' must be Tensor, not {type(src).__name__}")

    def compute(old):
        r = src.to(device=self.device, dtype=self.dtype)
        if r.shape != self.shape:
            r = r.expand(*self.shape)
        if old._requires_grad and not r._requires_grad:
            r = r + old * 0     # keep the (zero) dependency on the old value, as PyTorch's CopyBackwards
        return r
    return apply_inplace(self, compute, "copy_")


# ---------------------------------------------------------------- t[index] = value
def setitem(self, index, value):
    """``t[index] = value``: ints/slices/masks/int tensors; ``value`` broadcasts and is cast to ``t``'s dtype."""
    key = indexing.indexing_key(self, index)
    needs_grad = GradMode.enabled and (self._requires_grad or (isinstance(value, Tensor) and value._requires_grad)
                                       or (self._base is not None and self._base._requires_grad))
    if needs_grad:
        if self._grad_fn is None and self._requires_grad and indexing._basic_key(key):
            # PyTorch copies into the view self[key]: its error names a view of a leaf
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                               "operation. Wrap the update in `with torch.no_grad():`, or operate on a copy.")
        apply_inplace(self, lambda s: indexing.put_key(s, key, value), "copy_")
        return
    k = key if len(key) != 1 else key[0]
    # PyTorch writes a basic-indexed region through its view: only that region must not overlap itself.
    if has_internal_overlap(self._data[k] if indexing._basic_key(key) else self._data):
        raise RuntimeError(_OVERLAP_MSG)
    if isinstance(value, Tensor):
        v = value._data
        if xp_of(v) is not self._xp():
            v = value.to(self.device)._data
    else:
        v = value
    a, k = indexing.region(self._data, k)
    try:
        a[k] = v       # NumPy casts across dtypes (float -> int truncates, as PyTorch's copy_ does)
    except ValueError as exc:
        if "read-only" in str(exc):
            raise RuntimeError("unsupported operation: some elements of the input tensor and the written-to tensor "
                               "refer to a single memory location, or more than one element of the written-to "
                               "tensor refers to a single memory location. Please clone() the tensor before "
                               "performing the operation.") from None
        res = a[k].shape
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(v))} cannot be broadcast to "
                           f"indexing result of shape {list(res)}") from None
    self._version[0] += 1


Tensor.__setitem__ = setitem


# ---------------------------------------------------------------- in-place view ops: t_ transpose_ squeeze_ ...
def _inplace_view(self, make_view):
    """Turn ``self`` into ``make_view(self)`` (same memory, new shape/strides), taking over its history."""
    if GradMode.enabled:
        _check_leaf(self)
    out = make_view(self)
    self._data = out._data
    if GradMode.enabled and out._requires_grad:
        self._grad_fn, self._output_nr, self._requires_grad = out._grad_fn, out._output_nr, True
    if self._base is not None:
        self._view_fn = out._view_fn
    self._version[0] += 1
    return self


@tensor_method("t_")
def t_(self):
    return _inplace_view(self, Tensor.t)


@tensor_method("transpose_", "swapaxes_", "swapdims_")
def transpose_(self, dim0, dim1):
    return _inplace_view(self, lambda s: s.transpose(dim0, dim1))


@tensor_method("squeeze_")
def squeeze_(self, dim=None):
    return _inplace_view(self, lambda s: s.squeeze(dim))


@tensor_method("unsqueeze_")
def unsqueeze_(self, dim):
    return _inplace_view(self, lambda s: s.unsqueeze(dim))


@tensor_method("as_strided_")
def as_strided_(self, size, stride, storage_offset=None):
    return _inplace_view(self, lambda s: s.as_strided(size, stride, storage_offset))


# ---------------------------------------------------------------- resize_
@tensor_method("resize_")
def resize_(self, *sizes, memory_format=None):
    """Give the tensor a new (contiguous) shape over the same memory, as PyTorch's ``resize_``.

    The elements are the storage's, in memory order, from the tensor's offset on:
    ``resize_`` never moves data. When more elements are needed than the storage
    holds, it grows: the old bytes are kept and the new elements are
    uninitialised (whatever memory held). Other tensors sharing the old storage
    keep it (PyTorch would grow theirs too).
    """
    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    shape = tuple(operator.index(s) for s in sizes)
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(shape)}")
    a = self._data
    if shape == a.shape:
        return self
    n = 1
    for s in shape:
        n *= s
    strides, acc = [], 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    strides = tuple(reversed(strides))
    owner, off = _storage(a)
    capacity = owner.nbytes // a.itemsize
    block = owner.flags.c_contiguous or owner.flags.f_contiguous
    if off + n <= capacity and getattr(owner.flags, "writeable", True) and block:
        self._data = _strided(a, shape, strides, off)
    else:
        xp = xp_of(a)
        grown = xp.empty(off + n, dtype=a.dtype)
        if block:
            old = _strided(a, (capacity,), (1,), 0)
            grown[:min(capacity, off + n)] = old[:off + n]
        else:   # storage not addressable as one block: keep the tensor's own elements, in order
            grown[off:off + min(a.size, n)] = a.reshape(-1)[:n]
        self._data = grown[off:].reshape(shape)
    self._version[0] += 1
    return self


@tensor_method("resize_as_")
def resize_as_(self, the_template, memory_format=None):
    return resize_(self, the_template.shape)
