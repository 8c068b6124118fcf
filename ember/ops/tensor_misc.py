"""Tensor and ``torch`` odds and ends PyTorch programs meet now and then.

* ``Tensor.new`` (the legacy constructor), the deprecated out-of-place ``resize`` / ``resize_as``;
* bit shifts: ``bitwise_left_shift`` / ``bitwise_right_shift`` (and in place), ``<<`` ``>>`` ``<<=`` ``>>=``;
* ``apply_`` / ``map_`` / ``map2_``: a Python callable over the elements (CPU only, as in PyTorch);
* ``split_with_sizes``, the ``unsafe_`` splits (pieces that share memory but are not views), the ``*_copy``
  forms of the view ops (``transpose_copy`` ...: contiguous copies, with the view's gradient);
* ``torch.detach``, ``torch.fill``, ``igamma`` / ``igammac`` (``torch.special.gammainc`` / ``gammaincc``),
  ``torch.binomial``, ``empty_permuted``, ``nonzero_static``, ``segment_reduce``;
* ``Tensor.dim_order``, ``set_`` / ``is_set_to``, ``const_data_ptr`` and the ``is_<backend>`` flags.
"""
import functools
import operator
import warnings

import numpy as np

from .. import _backend
from .. import _device as _device_mod
from .. import _dtype as D
from .. import _random
from .._device import CPU, as_device
from .._size import Size
from ..autograd.grad_mode import GradMode
from ._util import Op, Tensor, _wrap_dim, broadcast_error, tensor_method, wrap_out, xp_of
from .complex import view_as_complex, view_as_real
from .creation import Clone, _legacy_new, full
from .inplace import _check_leaf, inplace_variant
from .join import cat, stack
from .shape import _elem_strides, _storage, chunk, split

__all__ = ["bitwise_left_shift", "bitwise_right_shift", "split_with_sizes", "unsafe_split", "unsafe_chunk",
           "unsafe_split_with_sizes", "view_copy", "t_copy", "transpose_copy", "permute_copy", "expand_copy",
           "squeeze_copy", "unsqueeze_copy", "diagonal_copy", "select_copy", "slice_copy", "split_copy",
           "split_with_sizes_copy", "unbind_copy", "as_strided_copy", "detach_copy", "alias_copy", "unfold_copy",
           "view_as_real_copy", "view_as_complex_copy", "detach", "fill", "igamma", "igammac", "binomial",
           "empty_permuted", "nonzero_static", "segment_reduce"]

# PyTorch's names for dtypes in kernel errors ('Float') and in C++ messages ('float')
_KERNEL_NAME = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long",
                "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
                "complex64": "ComplexFloat", "complex128": "ComplexDouble"}
_C_NAME = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
           "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
           "bool": "bool", "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}


def _type_label(v):
    """How PyTorch's argument parser names a value's type in its errors."""
    return "torch.dtype" if isinstance(v, D.dtype) else "Tensor" if isinstance(v, Tensor) else type(v).__name__


def _need_tensor(fname, argname, pos, value):
    if not isinstance(value, Tensor):
        raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be Tensor, not "
                        f"{type(value).__name__}")


class _NoDerivative(Op):
    """Results PyTorch gives no derivative but still attaches to the graph (its ``NotImplemented`` node): they
    require grad when an input does, and backward through them raises, naming the op."""
    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx, *inputs, results, name):
        ctx.op_name = name
        return results

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError(f"derivative for {ctx.op_name} is not implemented")


def _no_derivative(name, inputs, results):
    """``results`` (an array or a tuple of arrays) as Tensors, with PyTorch's NotImplemented node if needed."""
    if GradMode.enabled and any(isinstance(t, Tensor) and t._requires_grad for t in inputs):
        return _NoDerivative.apply(*inputs, results=results, name=name)
    if isinstance(results, tuple):
        return tuple(Tensor._wrap(r) for r in results)
    return Tensor._wrap(results)


# ---------------------------------------------------------------- Tensor.new
_NEW_OVERLOADS = (" * (*, torch.device device = None)\n * (torch.Storage storage)\n * (Tensor other)\n"
                  " * (tuple of ints size, *, torch.device device = None)\n"
                  " * (object data, *, torch.device device = None)\n")


@tensor_method("new")
def new(self, *args, **kwargs):
    """PyTorch's legacy constructor with this tensor's dtype and device (``device=`` may move it).

    ``t.new()`` is empty; ``t.new(2, 3)`` or ``t.new(size)`` (a ``torch.Size``) has that shape, uninitialised in
    PyTorch (zeros in Ember, for floats); ``t.new(data)`` copies a sequence (a tuple is data too);
    ``t.new(other)`` shares ``other``'s memory (same dtype only).
    """
    device = kwargs.pop("device", None)
    size = kwargs.pop("size", None)
    if kwargs:
        got = ", ".join([_type_label(a) for a in args] + [f"{k}={_type_label(v)}" for k, v in kwargs.items()])
        raise TypeError(f"new() received an invalid combination of arguments - got ({got}), but expected one of:\n"
                        + _NEW_OVERLOADS)
    device = self.device if device is None else as_device(device)
    if size is not None:
        args = (Size(size),)
    if len(args) == 1 and isinstance(args[0], Tensor):
        other = args[0]
        if other.dtype is not self.dtype:
            opts = "TensorOptions(dtype={}, device={}, layout=Strided, requires_grad=false (default), " \
                   "pinned_memory=false (default), memory_format=(nullopt))"
            raise TypeError(f"expected {opts.format(_C_NAME[self.dtype.name], self.device)} (got "
                            f"{opts.format(_C_NAME[other.dtype.name], other.device)})")
        return Tensor._wrap(other._data)          # the same memory, not a view (as PyTorch's)
    if len(args) == 1 and not isinstance(args[0], (int, np.integer, Size, list, tuple)) and \
            not hasattr(args[0], "__len__"):
        raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")
    if len(args) > 1:
        for i, a in enumerate(args):
            if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
                raise TypeError(f"new(): argument 'size' failed to unpack the object at pos {i + 1} with error "
                                f"\"type must be tuple of ints,but got {type(a).__name__}\"")
    sizes = args[0] if len(args) == 1 and isinstance(args[0], Size) else args if args and all(
        isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args) else None
    if sizes is not None:
        for s in sizes:
            if s < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(sizes)}")
    return _legacy_new(Tensor, self.dtype, args, device)


# ---------------------------------------------------------------- deprecated out-of-place resize
class Resize(Op):
    """The tensor's elements (in order) under a new shape of the same size; sharing memory when contiguous."""
    node_name = "ResizeBackward"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return (x if x.flags.c_contiguous else xp_of(x).ascontiguousarray(x)).reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape)


def _resize(self, sizes):
    # PyTorch multiplies the sizes as given: a tuple or list passed as one argument fails this check (there too)
    numel = functools.reduce(operator.mul, sizes, 1)
    if self.numel() != numel:
        raise RuntimeError(f"requested resize to {'x'.join(map(str, sizes))} ({numel} elements in total), but the "
                           f"given tensor has a size of {'x'.join(map(str, self.size()))} ({self.numel()} elements). "
                           "autograd's resize can only change the shape of a given tensor, while preserving the "
                           "number of elements. ")
    return Resize.apply(self, tuple(sizes))


@tensor_method("resize")
def resize(self, *sizes):
    """Deprecated: ``self``'s elements in the shape ``sizes`` (same number of elements; sizes as separate ints)."""
    warnings.warn("non-inplace resize is deprecated", stacklevel=2)
    return _resize(self, sizes)


@tensor_method("resize_as")
def resize_as(self, tensor):
    """Deprecated: ``self``'s elements in ``tensor``'s shape (same number of elements)."""
    warnings.warn("non-inplace resize_as is deprecated", stacklevel=2)
    return _resize(self, tensor.size())


# ---------------------------------------------------------------- bit shifts
def _shift_operands(fname, input, other):
    """Both operands as arrays of their promoted integer dtype (a Python int wraps as PyTorch casts it)."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"{fname}() received an invalid combination of arguments - got ({type(input).__name__}, "
                        f"{type(other).__name__}), but expected one of:\n * (Tensor input, Tensor other, *, Tensor "
                        "out = None)\n * (Number self, Tensor other)\n * (Tensor input, Number other, *, Tensor out "
                        "= None)\n")
    ops = [v._data if isinstance(v, Tensor) else v for v in (input, other)]
    dt = D.result_type_of(*ops)
    kernel = "lshift" if "left" in fname else "rshift"
    if dt.is_floating_point or dt.is_complex or dt is D.bool_:
        raise NotImplementedError(f"\"{kernel}_{'cuda' if _on_cuda(input, other) else 'cpu'}\" not implemented "
                                  f"for '{_KERNEL_NAME[dt.name]}' (shifts need integer tensors)")
    xp = xp_of(input._data if isinstance(input, Tensor) else other._data)
    a, b = (xp.asarray(v).astype(dt.np) for v in ops)
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise broadcast_error(fname, a.shape, b.shape) from None
    return a, b, dt, shape, xp


def _on_cuda(*vals):
    return any(isinstance(v, Tensor) and v.is_cuda for v in vals)


def _shift(fname, left):
    def fn(input, other, *, out=None):
        a, b, dt, shape, xp = _shift_operands(fname, input, other)
        bits = dt.itemsize * 8
        count = b.astype(np.int64)
        ok = (count >= 0) & (count < bits)            # C's shifts are undefined outside [0, bits): PyTorch's results
        safe = xp.where(ok, b, 0).astype(dt.np)
        if left:
            r = xp.where(ok, xp.left_shift(a, safe), 0)
        else:
            r = xp.where(ok, xp.right_shift(a, safe), xp.where(a < 0, -1, 0))
        return wrap_out(Tensor._wrap(xp.broadcast_to(r.astype(dt.np, copy=False), shape).copy()), out)
    fn.__name__ = fn.__qualname__ = fname
    side = "left" if left else "right"
    fn.__doc__ = (f"``input`` shifted {side} by ``other`` bits, element-wise (integer dtypes; either may be a "
                  f"number). Shifts by a negative amount or by the width of the dtype or more give "
                  f"{'0' if left else '0 (or -1 for negative values)'}, as PyTorch's.")
    return fn


bitwise_left_shift = tensor_method("bitwise_left_shift")(_shift("bitwise_left_shift", True))
bitwise_right_shift = tensor_method("bitwise_right_shift")(_shift("bitwise_right_shift", False))
inplace_variant("bitwise_left_shift", "bitwise_right_shift")
Tensor.__lshift__ = lambda self, other: bitwise_left_shift(self, other)
Tensor.__rshift__ = lambda self, other: bitwise_right_shift(self, other)
Tensor.__rlshift__ = lambda self, other: bitwise_left_shift(other, self)
Tensor.__rrshift__ = lambda self, other: bitwise_right_shift(other, self)
Tensor.__ilshift__ = lambda self, other: self.bitwise_left_shift_(other)
Tensor.__irshift__ = lambda self, other: self.bitwise_right_shift_(other)


# ---------------------------------------------------------------- apply_ / map_ / map2_
def _python_values(t):
    """The elements as Python numbers (float, int, bool or complex), in logical order."""
    a = t._data.astype(np.float32) if t.dtype is D.bfloat16 else t._data
    return a.reshape(-1).tolist()


def _callable_update(name, self, others, fn):
    if self.is_cuda or any(o.is_cuda for o in others):
        raise TypeError(f"{name} is only implemented on CPU tensors (move the tensor with .cpu() first)")
    if self._requires_grad or any(o._requires_grad for o in others):
        raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use var.detach().{name}() "
                           "instead.")
    columns = [_python_values(self)] + [_python_values(o.expand(self.shape)) for o in others]
    kind = self._data.dtype.kind
    cast = float if kind == "f" or self.dtype is D.bfloat16 else complex if kind == "c" else bool if kind == "b" \
        else int
    values = []
    for args in zip(*columns):
        r = fn(*args)
        if not isinstance(r, (int, float, bool, complex, np.number)) or (isinstance(r, complex) and kind != "c"):
            raise TypeError(f"must be real number, not {type(r).__name__}")
        values.append(cast(r))
    self._data[...] = np.asarray(values, dtype=self._data.dtype).reshape(self._data.shape)
    self._version[0] += 1
    return self


@tensor_method("apply_")
def apply_(self, callable):  # noqa: A002 - PyTorch's name
    """Replace each element ``x`` by ``callable(x)`` (a Python function of a Python number; CPU only, slow)."""
    return _callable_update("apply_", self, (), callable)


@tensor_method("map_")
def map_(self, tensor, callable):  # noqa: A002
    """Replace each element ``x`` by ``callable(x, y)``, ``y`` from ``tensor`` (same dtype, broadcast to self)."""
    _need_tensor("map_", "other", 1, tensor)
    _same_dtype("map_", "'other'", self, tensor)
    return _callable_update("map_", self, (tensor,), callable)


@tensor_method("map2_")
def map2_(self, x, y, callable):  # noqa: A002
    """Replace each element ``s`` by ``callable(s, a, b)`` with ``a``, ``b`` from ``x``, ``y`` (broadcast)."""
    _need_tensor("map2_", "x", 1, x)
    _need_tensor("map2_", "y", 2, y)
    _same_dtype("map2_", "argument 'x'", self, x)
    _same_dtype("map2_", "argument 'y'", self, y)
    return _callable_update("map2_", self, (x, y), callable)


def _same_dtype(name, arg, self, other):
    if other.dtype is not self.dtype:
        raise TypeError(f"{name}: expected {self.type()} for {arg} (got {other.type()})")


# ---------------------------------------------------------------- split_with_sizes and the unsafe splits
def _sizes_list(fname, split_sizes, pos=2):
    if isinstance(split_sizes, Tensor) or not isinstance(split_sizes, (list, tuple)):
        raise TypeError(f"{fname}(): argument 'split_sizes' (position {pos}) must be tuple of ints, not "
                        f"{type(split_sizes).__name__}")
    return [operator.index(s) for s in split_sizes]


@tensor_method("split_with_sizes")
def split_with_sizes(input, split_sizes, dim=0):
    """Views of the given sizes along ``dim`` (they must add up to its size)."""
    sizes = _sizes_list("split_with_sizes", split_sizes)
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, but got "
                           f"split_sizes={sizes}")
    return split(input, sizes, dim)


class UnsafeSplit(Op):
    """Pieces along ``dim`` that share ``x``'s memory without being views (own version counters, no base)."""

    @staticmethod
    def forward(ctx, x, bounds, dim):
        ctx.dim = dim
        lead = (slice(None),) * dim
        return tuple(x[lead + (slice(s, e),)] for s, e in bounds)

    @staticmethod
    def backward(ctx, *grads):
        return cat(list(grads), ctx.dim)


class UnsafeSplitWithSizes(UnsafeSplit):
    pass


def _unsafe(op, input, pieces, dim):
    d = _wrap_dim(dim, input.ndim)
    bounds, start = [], 0
    for p in pieces:
        bounds.append((start, start + p.shape[d]))
        start += p.shape[d]
    return op.apply(input, tuple(bounds), d)


@tensor_method("unsafe_split")
def unsafe_split(input, split_size, dim=0):
    """``split`` into pieces of ``split_size`` whose shared memory autograd does not track as views."""
    if isinstance(split_size, (list, tuple)):
        raise TypeError(f"unsafe_split(): argument 'split_size' (position 2) must be int, not "
                        f"{type(split_size).__name__}")
    return _unsafe(UnsafeSplit, input, split(input.detach(), split_size, dim), dim)


@tensor_method("unsafe_chunk")
def unsafe_chunk(input, chunks, dim=0):
    """``chunk`` whose pieces' shared memory autograd does not track as views."""
    return _unsafe(UnsafeSplit, input, chunk(input.detach(), chunks, dim), dim)


@tensor_method("unsafe_split_with_sizes")
def unsafe_split_with_sizes(input, split_sizes, dim=0):
    """``split_with_sizes`` whose pieces' shared memory autograd does not track as views."""
    pieces = split_with_sizes(input.detach(), _sizes_list("unsafe_split_with_sizes", split_sizes), dim)
    return _unsafe(UnsafeSplitWithSizes, input, pieces, dim)


# ---------------------------------------------------------------- the *_copy forms of the view ops
def _check_out_dtype(result, out):
    if out.dtype is not result.dtype:
        raise RuntimeError(f"Expected out tensor to have dtype {_C_NAME[result.dtype.name]}, but got "
                           f"{_C_NAME[out.dtype.name]} instead")


def _copy_op(name, view, out_name=None):
    """``name(input, ...)``: the view ``view(input, ...)`` as a new contiguous tensor (its gradient is the
    view's); ``out=`` takes a tensor, or a list of them for the ops that return several pieces."""
    def fn(input, *args, out=None, **kwargs):
        r = view(input, *args, **kwargs)
        if not isinstance(r, tuple):
            r = Clone.apply(r)            # a row-major copy, whatever the view's strides
            if out is None:
                return r
            _check_out_dtype(r, out)
            return wrap_out(r, out)
        r = tuple(Clone.apply(p) for p in r)
        if out is None:
            return r
        if len(out) != len(r):
            raise RuntimeError(f"{out_name} expected an out= argument of size {len(r)}, got size {len(out)}")
        prev, GradMode.enabled = GradMode.enabled, False
        try:
            for p, o in zip(r, out):      # PyTorch copies each piece in (copy_: broadcast and cast, no resize)
                try:
                    shape = np.broadcast_shapes(o.shape, p.shape)
                except ValueError:
                    raise broadcast_error(name, o.shape, p.shape) from None
                if shape != tuple(o.shape):
                    raise RuntimeError(f"output with shape {list(o.shape)} doesn't match the broadcast shape "
                                       f"{list(shape)}")
                o.copy_(p)
        finally:
            GradMode.enabled = prev
        return None
    fn.__name__ = fn.__qualname__ = name
    base = name[:-5]
    fn.__doc__ = (f"``torch.{name}``: what ``{base}`` gives, as {'new tensors' if out_name else 'a new tensor'} "
                  "(contiguous, not sharing ``input``'s memory), with the same gradient.")
    return fn


def _view_with_size_or_dtype(input, size):
    if isinstance(size, D.dtype):
        return input.view(size)
    if not isinstance(size, (list, tuple)):
        raise TypeError(f"view_copy() received an invalid combination of arguments - got (Tensor, "
                        f"{type(size).__name__}), but expected one of:\n * (Tensor input, torch.dtype dtype, *, "
                        "Tensor out = None)\n * (Tensor input, tuple of ints size, *, Tensor out = None)\n")
    return input.view(*size)


def _slice_view(input, dim=0, start=None, end=None, step=1):
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    d = _wrap_dim(dim, input.ndim)
    return input[(slice(None),) * d + (slice(start, end, step),)]


def _split_int(input, split_size, dim=0):
    if isinstance(split_size, (list, tuple)):
        raise TypeError(f"split_copy(): argument 'split_size' (position 2) must be int, not "
                        f"{type(split_size).__name__}")
    return split(input, split_size, dim)


view_copy = _copy_op("view_copy", _view_with_size_or_dtype)
t_copy = _copy_op("t_copy", lambda input: input.t())
transpose_copy = _copy_op("transpose_copy", lambda input, dim0, dim1: input.transpose(dim0, dim1))
permute_copy = _copy_op("permute_copy", lambda input, dims: input.permute(*dims))
expand_copy = _copy_op("expand_copy", lambda input, size, *, implicit=False: input.expand(*size))
squeeze_copy = _copy_op("squeeze_copy", lambda input, dim=None: input.squeeze(dim))
unsqueeze_copy = _copy_op("unsqueeze_copy", lambda input, dim: input.unsqueeze(dim))
diagonal_copy = _copy_op("diagonal_copy", lambda input, offset=0, dim1=0, dim2=1: input.diagonal(offset, dim1, dim2))
select_copy = _copy_op("select_copy", lambda input, dim, index: input.select(dim, index))
slice_copy = _copy_op("slice_copy", _slice_view)
split_copy = _copy_op("split_copy", _split_int, "split_copy_Tensor_out()")
split_with_sizes_copy = _copy_op("split_with_sizes_copy", split_with_sizes, "split_with_sizes_copy_out")
unbind_copy = _copy_op("unbind_copy", lambda input, dim=0: input.unbind(dim), "unbind_copy_int_out")
as_strided_copy = _copy_op("as_strided_copy", lambda input, size, stride, storage_offset=None:
                           input.as_strided(size, stride, storage_offset))
alias_copy = _copy_op("alias_copy", lambda input: input)
unfold_copy = _copy_op("unfold_copy", lambda input, dimension, size, step: input.unfold(dimension, size, step))
view_as_real_copy = _copy_op("view_as_real_copy", view_as_real)
view_as_complex_copy = _copy_op("view_as_complex_copy", view_as_complex)


def detach_copy(input, *, out=None):
    """``torch.detach_copy``: a copy of ``input``'s values. PyTorch attaches it to the graph without a
    derivative (backward through it raises); so does Ember."""
    r = _no_derivative("aten::detach_copy", (input,), input._data.copy())
    if out is None:
        return r
    _check_out_dtype(r, out)
    return wrap_out(r, out)


# ---------------------------------------------------------------- torch.detach / torch.fill
def detach(input):
    """``torch.detach(input)``: ``input.detach()`` (same memory, no history)."""
    return input.detach()


class Fill(Op):
    """A tensor like ``x`` filled with a number; the gradient to ``x`` is zero."""

    @staticmethod
    def forward(ctx, x, value):
        return xp_of(x).full_like(x, value)

    @staticmethod
    def backward(ctx, g):
        return g.new_zeros(g.shape)


class FillTensor(Op):
    """A tensor like ``x`` filled with the 0-dim ``value``; ``value``'s gradient is the sum of ``g``."""
    node_name = "FillBackward1"

    @staticmethod
    def forward(ctx, x, value):
        return xp_of(x).broadcast_to(value.astype(x.dtype), x.shape).copy()

    @staticmethod
    def backward(ctx, g):
        return g.new_zeros(g.shape), g.sum()


def fill(input, value):
    """``torch.fill(input, value)``: a new tensor of ``input``'s shape and dtype filled with ``value`` (a number
    or a 0-dim tensor)."""
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} "
                               "dimensions.")
        return FillTensor.apply(input, value)
    return Fill.apply(input, value.item() if isinstance(value, np.generic) else value)


# ---------------------------------------------------------------- igamma / igammac
def _igamma(name, upper):
    def fn(input, other, *, out=None):
        _need_tensor(name, "input", 1, input)
        _need_tensor(name, "other", 2, other)
        dt = D.result_type_of(input._data, other._data)
        if not dt.is_floating_point:
            raise NotImplementedError(f"\"igamma_{'cuda' if input.is_cuda else 'cpu'}\" not implemented for "
                                      f"'{_KERNEL_NAME[dt.name]}' (convert to a float dtype first, e.g. a.float())")
        from .. import special         # noqa: WPS433 - resolved at call time (ember.special is the library layer)
        return (special.gammaincc if upper else special.gammainc)(input, other, out=out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"The regularised {'upper' if upper else 'lower'} incomplete gamma function "
                  f"{'Q' if upper else 'P'}(input, other) (``torch.special.gammainc{'c' if upper else ''}``).")
    return tensor_method(name)(fn)


igamma = _igamma("igamma", False)
igammac = _igamma("igammac", True)
inplace_variant("igamma", "igammac")


# ---------------------------------------------------------------- binomial
def binomial(count, prob, generator=None):
    """Samples of Binomial(count, prob), element-wise (``count``'s float dtype; not differentiable).

    ``count`` is truncated to a whole number (negative counts give 0) and ``prob`` clamped to [0, 1]; NaN in
    either gives NaN (PyTorch does not return for a NaN or infinite count). Drawn by NumPy's sampler from
    Ember's generator stream (CuPy's on CUDA): the values are not PyTorch's.
    """
    _need_tensor("binomial", "count", 1, count)
    _need_tensor("binomial", "prob", 2, prob)
    if not count.dtype.is_floating_point:
        raise ValueError(f"binomial only supports floating-point dtypes for count, got: "
                         f"{_KERNEL_NAME[count.dtype.name]}")
    if prob.dtype is not count.dtype:
        raise RuntimeError(f"Found dtype {_KERNEL_NAME[prob.dtype.name]} but expected "
                           f"{_KERNEL_NAME[count.dtype.name]}")
    if count.dtype in (D.float16, D.bfloat16):
        raise NotImplementedError(f"\"binomial_{'cuda' if count.is_cuda else 'cpu'}\" not implemented for "
                                  f"'{_KERNEL_NAME[count.dtype.name]}' (use float32 or float64)")
    try:
        shape = np.broadcast_shapes(count.shape, prob.shape)
    except ValueError:
        raise broadcast_error("binomial", count.shape, prob.shape) from None
    g = _random.generator_for(generator, count.device)
    xp = xp_of(count._data)
    n = xp.broadcast_to(count._data, shape).astype(np.float64)
    p = xp.broadcast_to(prob._data, shape).astype(np.float64)
    bad = xp.isnan(n) | xp.isnan(p) | xp.isinf(n)
    n = xp.where(bad | (n < 0), 0, xp.floor(n))
    p = xp.clip(xp.where(bad, 0.5, p), 0.0, 1.0)
    huge = n >= 2.0 ** 53             # beyond int64's exact range for NumPy's sampler: the normal approximation
    small = xp.where(huge, 0, n).astype(np.int64)
    if count.is_cuda:
        rs = g._cupy()
        draws = xp.asarray(rs.binomial(small, p)).astype(np.float64)
        z = rs.standard_normal(shape) if bool(huge.any()) else 0.0
    else:
        rng = np.random.Generator(np.random.PCG64([int(v) for v in g._random64(2)]))
        draws = np.asarray(rng.binomial(small, p)).astype(np.float64)
        z = rng.standard_normal(shape) if huge.any() else 0.0
    approx = xp.clip(xp.round(n * p + xp.sqrt(n * p * (1 - p)) * z), 0, n)
    out = xp.where(bad, xp.nan, xp.where(huge, approx, draws)).astype(count._data.dtype)
    return _no_derivative("aten::binomial", (count, prob), out)


# ---------------------------------------------------------------- empty_permuted / nonzero_static
def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None, requires_grad=False,
                   pin_memory=False):
    """An uninitialised tensor of ``size`` whose dims lie in memory in the order ``physical_layout`` (outermost
    first): ``empty_permuted((N, C, H, W), (0, 2, 3, 1))`` is channels-last. Ember fills it with zeros."""
    size = tuple(operator.index(s) for s in size)
    order = tuple(operator.index(d) for d in physical_layout)
    if len(size) != len(order):
        raise RuntimeError(f"Number of dimensions in size does not match the length of the physical_layout; i.e. "
                           f"len(size) = {len(size)} is not equal to len(physical_layout) = {len(order)}")
    seen = set()
    for i, d in enumerate(order):
        if not 0 <= d < len(size):
            raise RuntimeError(f"Dimension out of range (expected to be between 0 and {len(size) - 1}, but got {d} at "
                               f"index {i}).  NB: negative dims not currently supported; file an issue if you want "
                               "it.")
        if d in seen:
            raise RuntimeError("Duplicate dim not allowed")
        seen.add(d)
    dtype = D.get_default_dtype() if dtype is None else dtype
    dev = as_device(device) if device is not None else _device_mod.default_device() or CPU
    xp = _backend.xp_for(dev.type)
    physical = xp.zeros(tuple(size[d] for d in order), dtype=D.to_numpy_dtype(dtype))
    t = Tensor._wrap(physical.transpose(tuple(int(i) for i in np.argsort(order))))
    if requires_grad:
        t.requires_grad_(True)
    return t


@tensor_method("nonzero_static")
def nonzero_static(input, *, size, fill_value=-1):
    """``nonzero(input)`` with exactly ``size`` rows: cut short, or padded with rows of ``fill_value``."""
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 0:
        raise RuntimeError("nonzero_static: 'size' must be an non-negative integer")
    a = input._data
    xp = xp_of(a)
    idx = xp.argwhere(a).astype(np.int64)[:size] if a.ndim else xp.zeros((min(int(bool(a)), size), 0), np.int64)
    out = xp.full((int(size), a.ndim), fill_value, dtype=np.int64)
    out[:idx.shape[0]] = idx
    return Tensor._wrap(out)


# ---------------------------------------------------------------- segment_reduce
_SEGMENT_KINDS = {"sum": "sum", "mean": "mean", "max": "max", "amax": "max", "min": "min", "amin": "min",
                  "prod": "prod"}
_EMPTY_SEGMENT = {"sum": 0.0, "mean": float("nan"), "max": float("-inf"), "min": float("inf"), "prod": 1.0}


def _reduce_segment(seg, dim, kind, initial, n):
    """One segment's reduction along ``dim`` (Ember ops: their gradients are PyTorch's, ties split evenly);
    ``initial`` joins the reduction, and wins over the data only when strictly beyond it."""
    if n == 0:
        shape = seg.shape[:dim] + seg.shape[dim + 1:]
        return full(shape, _EMPTY_SEGMENT[kind] if initial is None else initial, dtype=seg.dtype, device=seg.device)
    if kind in ("sum", "mean"):
        r = seg.sum(dim) + (0 if initial is None else initial)
        return r / n if kind == "mean" else r
    if kind == "prod":
        return seg.prod(dim) * (1 if initial is None else initial)
    return _SegmentExtreme.apply(seg, dim, kind, initial)


class _SegmentExtreme(Op):
    """max / min of one segment along ``dim`` (NaN wins), ``initial`` taking part; PyTorch's gradient: the
    elements equal to the result get the gradient, divided among the ties only where it is positive."""

    @staticmethod
    def forward(ctx, x, dim, kind, initial):
        xp = xp_of(x)
        r = (xp.max if kind == "max" else xp.min)(x, axis=dim)
        if initial is not None:
            beaten = r < initial if kind == "max" else r > initial        # (False for NaN: it stays)
            r = xp.where(beaten, xp.asarray(initial).astype(r.dtype), r)
        ctx.dim = dim
        ctx.save_for_backward(x, r)
        return r

    @staticmethod
    def backward(ctx, g):
        x, r = ctx.saved_tensors
        r, g = r.unsqueeze(ctx.dim), g.unsqueeze(ctx.dim)
        hit = (x == r) | (x.isnan() & r.isnan())
        gi = g * hit
        return gi.where(gi <= 0, gi / hit.sum(ctx.dim, keepdim=True))


def segment_reduce(data, reduce, *, lengths=None, indices=None, offsets=None, axis=0, unsafe=False, initial=None):
    """Reduce consecutive segments of ``data`` along ``axis``: ``reduce`` is sum, mean, max (amax), min (amin)
    or prod; the segments are given by ``lengths`` (their sizes) or ``offsets`` (their bounds), 1-D, or with
    leading dims matching ``data``'s before ``axis`` (one segmentation per row). An empty segment gives
    ``initial``, else 0 / NaN / -inf / inf / 1. Differentiable in ``data`` (one Ember op per segment)."""
    kind = _SEGMENT_KINDS.get(reduce)
    if kind is None:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    if indices is not None:
        raise RuntimeError("segment_reduce(): indices based reduction is not supported yet.")
    for name, v in (("lengths", lengths), ("offsets", offsets)):
        if v is not None and not isinstance(v, Tensor):
            raise TypeError(f"segment_reduce(): argument '{name}' must be Tensor, not {type(v).__name__}")
    if lengths is None and offsets is None:
        raise RuntimeError("segment_reduce(): Either lengths or offsets must be defined.")
    if not data.is_floating_point():
        raise NotImplementedError(f"\"_segment_reduce_{'cuda' if data.is_cuda else 'cpu'}\" not implemented for "
                                  f"'{_KERNEL_NAME[data.dtype.name]}' (segment_reduce needs floating-point data)")
    axis = _wrap_dim(axis, data.ndim)
    given = lengths if lengths is not None else offsets
    bounds = given._data.get() if given.is_cuda else np.asarray(given._data)
    if bounds.dtype.kind not in "iu":
        raise NotImplementedError(f"segment_reduce: {'lengths' if lengths is not None else 'offsets'} must be an "
                                  f"integer tensor, got {given.dtype}")
    if axis != bounds.ndim - 1:
        raise RuntimeError(f"segment_reduce(): Expected axis to be the last dimension of lengths but got {axis}.")
    if tuple(bounds.shape[:-1]) != tuple(data.shape[:axis]):
        raise RuntimeError(f"segment_reduce(): lengths/offsets of shape {list(bounds.shape)} do not match data of "
                           f"shape {list(data.shape)} before axis {axis}")
    if lengths is not None:
        if (bounds < 0).any():
            raise RuntimeError("lengths contains negative value!")
        if not unsafe and (bounds.sum(-1) != data.shape[axis]).any():
            raise RuntimeError("segment_reduce(): Expected all rows of lengths along axis to sum to "
                               "data.size(lengths.dim()-1) when !unsafe.")
        ends = np.cumsum(bounds, -1)
        starts = ends - bounds
    else:
        starts, ends = bounds[..., :-1], bounds[..., 1:]
    rows = []
    for row in np.ndindex(*bounds.shape[:-1]):
        x = data[row] if row else data          # the leading dims are the lengths' batch: axis is 0 in a row
        d = 0 if row else axis
        rows.append(stack([_reduce_segment(x.narrow(d, int(s), int(e - s)), d, kind, initial, int(e - s))
                           for s, e in zip(starts[row], ends[row])], d))
    return rows[0] if not bounds.shape[:-1] else stack(rows).reshape(*bounds.shape[:-1], *rows[0].shape)


# ---------------------------------------------------------------- dim_order
_CHANNELS_LAST_ORDER = {4: (1, 3, 2, 0), 5: (1, 4, 3, 2, 0)}     # innermost first


def _dense_in_order(shape, strides, inner_first):
    """PyTorch's contiguity test in a memory format: strides are the running products of sizes, taking the
    dims from innermost out (size-1 dims are skipped)."""
    expected = 1
    for d in inner_first:
        if shape[d] != 1:
            if strides[d] != expected:
                return False
            expected *= shape[d]
    return True


def _dim_order_perm(shape, strides, ambiguous_raises):
    """Dims from outermost to innermost (by stride, larger size first on equal strides, zero strides
    anywhere), as PyTorch orders an elementwise result; None when a tie is met and ``ambiguous_raises``."""
    ndim = len(shape)
    contiguous = any(s == 0 for s in shape) or _dense_in_order(shape, strides, range(ndim - 1, -1, -1))
    channels_last = ndim in _CHANNELS_LAST_ORDER and _dense_in_order(shape, strides, _CHANNELS_LAST_ORDER[ndim])
    if contiguous and not channels_last:
        return list(range(ndim))

    def compare(a, b):        # > 0: dim a lies inside dim b
        if strides[a] == 0 or strides[b] == 0:
            return 0
        if strides[a] != strides[b]:
            return -1 if strides[a] < strides[b] else 1
        return 1 if shape[a] > shape[b] else 0

    perm = list(range(ndim - 1, -1, -1))          # innermost first; an insertion sort that keeps ties in place
    for i in range(1, ndim):
        j = i
        for k in range(i - 1, -1, -1):
            c = compare(perm[k], perm[j])
            if c > 0:
                perm[k], perm[j] = perm[j], perm[k]
                j = k
            elif c < 0:
                break
            elif ambiguous_raises:
                return None
    return perm[::-1]


@tensor_method("dim_order")
def dim_order(self, *, ambiguity_check=False):
    """The dims from outermost to innermost in memory: ``(0, 1, 2, 3)`` contiguous, ``(0, 2, 3, 1)`` channels-last.

    ``ambiguity_check=True``, or a list of memory formats, raises when the order is not unique (a size-1 dim,
    equal or zero strides), as PyTorch 2.13 does for both.
    """
    from .._memory_format import memory_format
    formats = ambiguity_check if isinstance(ambiguity_check, list) else []
    if not isinstance(ambiguity_check, bool) and not (
            isinstance(ambiguity_check, list) and all(isinstance(m, memory_format) for m in formats)):
        raise TypeError("The ambiguity_check argument must be a bool or a list of memory formats.")
    check = ambiguity_check is True or isinstance(ambiguity_check, list)
    shape, strides = tuple(self.shape), self.stride()
    if check and (any(s == 1 for s in shape) or any(a == b for a, b in zip(strides, strides[1:]))):
        raise RuntimeError("The tensor does not have unique dim order, or cannot map to exact one of the given "
                           "memory formats.")
    perm = _dim_order_perm(shape, strides, check)
    if perm is None:
        raise RuntimeError("The tensor does not have unique dim order.")
    return tuple(perm)


# ---------------------------------------------------------------- set_ / is_set_to / const_data_ptr / is_* flags
_SET_OVERLOADS = (" * ()\n * (torch.Storage source)\n * (torch.Storage source, int storage_offset, tuple of ints size, "
                  "tuple of ints stride = None)\n * (Tensor source)\n * (Tensor source, int storage_offset, tuple of "
                  "ints size, tuple of ints stride = None)\n")


@tensor_method("set_")
def set_(self, *args, **kwargs):
    """``t.set_(source)``: ``t`` now shares ``source``'s memory, shape and strides; ``t.set_()`` makes it empty.

    (``ember.storage`` adds the Storage forms, ``set_(storage, offset, size, stride)``.) As in PyTorch, a tensor set from one
    that requires grad requires grad, and backward through it raises: ``set_`` has no derivative.
    """
    source = args[0] if len(args) == 1 and not kwargs else kwargs.get("source") if len(kwargs) == 1 and \
        not args else None
    if (args or kwargs) and not isinstance(source, Tensor):
        got = ", ".join([_type_label(a) for a in args] + [f"{k}={_type_label(v)}" for k, v in kwargs.items()])
        raise TypeError(f"set_() received an invalid combination of arguments - got ({got}), but expected one "
                        f"of:\n{_SET_OVERLOADS}")
    if source is not None and source.dtype is not self.dtype:
        raise RuntimeError(f"Could not set tensor of type {_C_NAME[source.dtype.name]} to a tensor of type "
                           f"{_C_NAME[self.dtype.name]}")
    tracked = GradMode.enabled and (self._requires_grad or (source is not None and source._requires_grad))
    if tracked:
        _check_leaf(self)
    data = source._data if source is not None else self._xp().empty((0,), dtype=self._data.dtype)
    if tracked:
        node_of = _NoDerivative.apply(self, *([source] if source is not None else []), results=data, name="set_")
        self._grad_fn, self._output_nr, self._requires_grad = node_of._grad_fn, 0, True
    self._data = data
    self._version[0] += 1
    return self


@tensor_method("is_set_to")
def is_set_to(self, tensor):
    """True when both tensors address exactly the same memory: same storage, offset, shape and strides."""
    a, b = self._data, tensor._data
    if type(a) is not type(b) or a.dtype != b.dtype:
        return False
    (oa, offa), (ob, offb) = _storage(a), _storage(b)
    return oa is ob and offa == offb and a.shape == b.shape and _elem_strides(a) == _elem_strides(b)


@tensor_method("const_data_ptr")
def const_data_ptr(self):
    """The address of the first element (``data_ptr()``, for code that promises not to write through it)."""
    return self.data_ptr()


for _flag in ("is_nested", "is_xpu", "is_mps", "is_ipu", "is_xla", "is_mtia", "is_maia", "is_vulkan", "is_mkldnn"):
    setattr(Tensor, _flag, property(lambda self: False, doc="False: Ember tensors live on the CPU or a CUDA GPU, "
                                                           "strided and dense."))
