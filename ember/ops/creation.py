"""Tensor creation (``tensor zeros ones full empty arange ...``) and conversion (``to``, ``float()``...)."""

__all__ = ['tensor', 'as_tensor', 'asarray', 'from_numpy', 'zeros', 'ones', 'empty', 'full', 'zeros_like', 'ones_like', 'empty_like', 'full_like', 'arange', 'range', 'linspace', 'logspace', 'eye', 'clone', 'set_default_tensor_type']

import numbers
import warnings

import numpy as np

from .. import _backend
from .. import _dtype as D
from .. import _device as _device_mod
from .. import _memory_format as _mf
from .._device import CPU, as_device, device as _device_cls
from .._size import Size
from ._util import Op, Tensor, tensor_method, xp_of


def _np_dtype(dtype):
    return None if dtype is None else D.to_numpy_dtype(dtype)


def _place(arr, device):
    """Move a fresh NumPy array to ``device`` (no-op for the CPU; None: ``set_default_device``'s choice)."""
    device = as_device(device) if device is not None else _device_mod.default_device()
    if device is None or device.type == "cpu":
        return arr
    return _backend.to_device(arr, "cuda", device.index or 0)


def _finish(arr, device, requires_grad):
    t = Tensor._wrap(_place(arr, device))
    if requires_grad:
        t.requires_grad_(True)
    return t


def _size_args(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = tuple(size[0])
    try:
        return tuple(int(s.__index__()) for s in size)
    except AttributeError:
        raise TypeError(f"size must be a sequence of ints, got {size!r}") from None


def _infer_dtype(data):
    """The dtype PyTorch infers for nested data: Python bool/int/float/complex give bool/int64/default
    float/default complex, NumPy scalars and Tensors their own dtype; elements combine by promotion."""
    found = None

    def walk(x):
        nonlocal found
        if isinstance(x, Tensor):
            d = x.dtype
        elif isinstance(x, np.generic):
            d = D.from_numpy_dtype(x.dtype)
        elif isinstance(x, bool):
            d = D.bool_
        elif isinstance(x, numbers.Integral):
            d = D.int64
        elif isinstance(x, numbers.Real):
            d = D.get_default_dtype()
        elif isinstance(x, numbers.Complex):
            d = D.default_complex()
        elif isinstance(x, (list, tuple)):
            for y in x:
                walk(y)
            return
        else:
            return
        found = d if found is None else D.promote_types(found, d)
    walk(data)
    return D.get_default_dtype() if found is None else found


def _to_array(data, dtype):
    """Nested lists/tuples/numbers/ndarrays/Tensors -> a new NumPy array of ``dtype`` (or inferred)."""
    if isinstance(data, Tensor):
        a = data._data.get() if data.is_cuda else data._data
        return np.array(a, dtype=_np_dtype(dtype) or a.dtype, copy=True)
    if isinstance(data, np.ndarray):
        D.from_numpy_dtype(data.dtype)
        return np.array(data, dtype=_np_dtype(dtype) or data.dtype, copy=True)
    if _backend.is_cupy_array(data):
        return np.array(data.get(), dtype=_np_dtype(dtype) or data.dtype)
    if isinstance(data, np.generic):
        return np.array(data, dtype=_np_dtype(dtype) or data.dtype)
    if dtype is None:
        dtype = _infer_dtype(data)
    if isinstance(data, (list, tuple)):
        data = _unwrap_nested(data)
    try:
        return np.array(data, dtype=D.to_numpy_dtype(dtype))
    except ValueError as exc:
        raise ValueError(f"expected sequence of equal-length lists to build a tensor ({exc})") from None
    except TypeError:
        raise TypeError(f"Could not infer dtype of {type(data).__name__}") from None


def _unwrap_nested(data):
    if isinstance(data, Tensor):
        return data.tolist() if data.ndim else data.item()
    if isinstance(data, (list, tuple)):
        return [_unwrap_nested(x) for x in data]
    return data


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (lists of numbers: int64 / float32 / bool inferred)."""
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
                      "or sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    device = as_device(device) or (data.device if isinstance(data, Tensor) else None)
    return _finish(_to_array(data, dtype), device, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with a Tensor or ndarray when dtype and device allow."""
    if isinstance(data, Tensor):
        if (dtype is None or data.dtype is dtype) and (device is None or as_device(device) == data.device):
            return data
        return data.to(device=device, dtype=dtype)
    if isinstance(data, np.ndarray) and (dtype is None or D.to_numpy_dtype(dtype) == data.dtype) and (
            device is None or as_device(device).type == "cpu"):
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray`` (changes to one show in the other)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    D.from_numpy_dtype(ndarray.dtype)
    if not ndarray.dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte order. Conversion "
                         "between byte orders is currently not supported.")
    if any(s < 0 for s in ndarray.strides):     # e.g. np.flip(a) or a[::-1]: a Tensor view cannot step backwards
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with negative "
                         "strides are not currently supported. (You can probably work around this by making a copy "
                         "of your array  with array.copy().) ")
    return Tensor._wrap(ndarray.view())   # its own array object over the same memory (see Tensor.numpy)


def _factory(fill):
    def f(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False, **kwargs):
        if "size" in kwargs and not size:
            size = (kwargs.pop("size"),)
        if kwargs:
            raise TypeError(f"{f.__name__}() got an unexpected keyword argument '{next(iter(kwargs))}'")
        shape = _size_args(size)
        dt = dtype or D.get_default_dtype()
        arr = fill(shape, D.to_numpy_dtype(dt))
        t = _finish(arr, device, requires_grad)
        if out is not None:
            out._data = t._data
            return out
        return t
    return f


zeros = _factory(np.zeros)
ones = _factory(np.ones)
_empty = _factory(np.empty)
zeros.__name__, ones.__name__, _empty.__name__ = "zeros", "ones", "empty"
zeros.__doc__ = "A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``."


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=_mf.contiguous_format, **kwargs):
    """An uninitialised tensor: ``empty(2, 3)``; ``memory_format=torch.channels_last`` lays a 4-D one out in
    memory as NHWC (strides ``(H*W*C, 1, W*C, C)``)."""
    t = _empty(*size, out=out, dtype=dtype, layout=layout, device=device, requires_grad=requires_grad,
               pin_memory=pin_memory, **kwargs)
    if memory_format is not _mf.contiguous_format:
        _mf.check_format(memory_format, "empty", allow_none=False)
        t._data = _mf.in_layout(t._data, _mf.format_strides(t._data.shape, memory_format))
    return t


def _like_layout(t, input, memory_format, op):
    """``t``, a fresh row-major tensor shaped like ``input``, laid out in memory as ``memory_format`` asks:
    ``preserve_format`` keeps a dense input's strides (PyTorch's rule, see ``_memory_format.output_strides``)."""
    if memory_format is not _mf.preserve_format:
        _mf.check_format(memory_format, op)
    if input._data.flags.c_contiguous and memory_format in (_mf.preserve_format, _mf.contiguous_format, None):
        return t
    t._data = _mf.in_layout(t._data, _mf.output_strides(t._data.shape, input.stride(), memory_format))
    return t


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    if dtype is None:
        dtype = _infer_dtype(fill_value) if not isinstance(fill_value, Tensor) else fill_value.dtype
    arr = np.full(_size_args((size,)), fill_value, dtype=D.to_numpy_dtype(dtype))
    return _finish(arr, device, requires_grad)


def _like(factory, name):
    def f(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=_mf.preserve_format):
        t = factory(input.shape, dtype=dtype or input.dtype, device=device or input.device,
                    requires_grad=requires_grad)
        return _like_layout(t, input, memory_format, name)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = (f"``{factory.__name__}`` with ``input``'s shape, dtype and device (unless given) and, by default, "
                 "its memory layout")
    return f


zeros_like = _like(zeros, "zeros_like")
ones_like = _like(ones, "ones_like")
empty_like = _like(empty, "empty_like")


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=_mf.preserve_format):
    t = full(input.shape, fill_value, dtype=dtype or input.dtype, device=device or input.device,
             requires_grad=requires_grad)
    return _like_layout(t, input, memory_format, "full_like")


def _new_factory(name, factory):
    def m(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
        return factory(*size, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)
    m.__name__ = name
    setattr(Tensor, name, m)


_new_factory("new_zeros", zeros)
_new_factory("new_ones", ones)
_new_factory("new_empty", empty)


@tensor_method("new_full")
def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
    return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                requires_grad=requires_grad)


@tensor_method("new_tensor")
def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    return tensor(data, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Values from ``start`` to ``end`` (exclusive); int64 for integer arguments, else the default float."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"upper bound and lower bound inconsistent with step sign (start={start}, end={end}, "
                           f"step={step}: a positive step needs end >= start, a negative one end <= start)")
    if dtype is None:
        vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
        dtype = D.int64 if all(isinstance(v, numbers.Integral) for v in vals) else D.get_default_dtype()
    n = int(np.ceil((float(end) - float(start)) / float(step)))
    arr = (start + step * np.arange(max(n, 0), dtype=np.float64 if dtype.is_floating_point else np.int64)).astype(
        D.to_numpy_dtype(dtype))
    return _finish(arr, device, requires_grad)


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,  # noqa: A001
          requires_grad=False):
    """Deprecated end-inclusive range (float by default), kept for old tutorials."""
    warnings.warn("torch.range is deprecated and will be removed in a future release because its behavior is "
                  "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in "
                  "[start, end).", UserWarning, stacklevel=2)
    if end is None:
        start, end = 0, start
    n = int(np.floor((end - start) / step)) + 1
    arr = (start + step * np.arange(n, dtype=np.float64)).astype(D.to_numpy_dtype(dtype or D.get_default_dtype()))
    return _finish(arr, device, requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end``, computed as PyTorch does (from both ends)."""
    start, end = [v.item() if isinstance(v, Tensor) else v for v in (start, end)]
    steps = int(steps)
    if steps < 0:
        raise RuntimeError("linspace(): number of steps must be non-negative")
    dtype = dtype or D.get_default_dtype()
    npdt = D.to_numpy_dtype(dtype)
    # PyTorch's kernel: the first half counts up from start, the second half down from end, in the
    # output's precision (float32 for float32 output).
    wt = np.float64 if npdt == np.float64 or not dtype.is_floating_point else np.float32
    a, b = wt(start), wt(end)
    if steps == 1:
        arr = np.array([a], wt)
    else:
        step = (b - a) / wt(max(steps - 1, 1))
        i = np.arange(steps)
        half = steps // 2
        arr = np.where(i < half, a + step * i.astype(wt), b - step * (steps - i - 1).astype(wt))
    return _finish(arr.astype(npdt), device, requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    arr = np.logspace(float(start), float(end), int(steps), base=base).astype(
        D.to_numpy_dtype(dtype or D.get_default_dtype()))
    return _finish(arr, device, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    arr = np.eye(n, m if m is not None else n, dtype=D.to_numpy_dtype(dtype or D.get_default_dtype()))
    return _finish(arr, device, requires_grad)


# ---- legacy constructors: torch.Tensor(...), torch.FloatTensor(...) ----
def _legacy_new(cls, dtype, args, device):
    """PyTorch's legacy constructor: ints are sizes (uninitialised), a sequence/ndarray is data."""
    if len(args) == 0:
        arr = np.empty((0,), dtype=D.to_numpy_dtype(dtype))
    elif all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args) or (
            len(args) == 1 and isinstance(args[0], Size)):
        arr = np.empty(_size_args(args), dtype=D.to_numpy_dtype(dtype))
        if dtype.is_floating_point:
            arr.fill(0)   # 'uninitialised' in PyTorch; zeros here so results are reproducible
    elif len(args) == 1:
        data = args[0]
        if isinstance(data, Tensor):
            return data if data.dtype is dtype else data.to(dtype)
        arr = _to_array(data, dtype)
    else:
        raise TypeError(f"new(): invalid arguments {args!r}; pass sizes as ints or data as one sequence")
    t = Tensor._wrap(_place(arr, device))
    if cls is not Tensor:
        t.__class__ = cls
    return t


class _LegacyTensorType(type):
    """``torch.FloatTensor`` and friends: constructors, and type objects for ``t.type(...)``/``isinstance``."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype and obj.is_cuda == cls.is_cuda

    def __call__(cls, *args, device=None):
        t = _legacy_new(Tensor, cls.dtype, args, "cuda" if cls.is_cuda else device)
        return t

    def __repr__(cls):
        return f"<class 'torch.{'cuda.' if cls.is_cuda else ''}{cls.__name__}'>"


def _legacy_type(name, dtype, cuda=False):
    return _LegacyTensorType(name, (), {"dtype": dtype, "is_cuda": cuda})


LEGACY_TYPES = {d.legacy: _legacy_type(d.legacy, d) for d in D.ALL}
CUDA_LEGACY_TYPES = {d.legacy: _legacy_type(d.legacy, d, True) for d in D.ALL}


def _resolve_type(t):
    """A dtype / legacy type object / 'torch.FloatTensor' string -> (dtype, device or None)."""
    if isinstance(t, D.dtype):
        return t, None
    if isinstance(t, _LegacyTensorType):
        return t.dtype, ("cuda" if t.is_cuda else "cpu")
    if isinstance(t, str):
        name = t.replace("torch.", "")
        cuda = name.startswith("cuda.")
        name = name.replace("cuda.", "")
        if name in D.LEGACY:
            return D.LEGACY[name], ("cuda" if cuda else "cpu")
    raise ValueError(f"invalid type: {t!r}")


def set_default_tensor_type(t):
    """Deprecated: ``set_default_tensor_type(torch.DoubleTensor)`` sets the default float dtype."""
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.", UserWarning,
                  stacklevel=2)
    dtype, device = _resolve_type(t)
    if not dtype.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type (got {t!r}); use "
                        "torch.DoubleTensor or torch.FloatTensor")
    if device == "cuda":
        raise RuntimeError("set_default_tensor_type(torch.cuda.*) is not supported by Ember: create tensors "
                           "with device='cuda' or move them with .cuda()")
    D.set_default_dtype(dtype)


# ---- conversion ----
class ToCopy(Op):
    """Change dtype and/or device; the gradient goes back to the source dtype and device."""

    @staticmethod
    def forward(ctx, x, np_dtype, device, strides=None):
        ctx.src_dtype = D._FROM_NP[x.dtype]
        ctx.src_device = CPU if type(x) is np.ndarray else _device_cls("cuda", x.device.id)
        src = x
        if device is not None:
            x = _backend.to_device(x, device.type, device.index or 0)
        if np_dtype is not None and x.dtype != np_dtype:
            x = x.astype(np_dtype)
        if strides is not None:         # a layout other than row-major (channels_last, or the input's kept)
            x = _mf.in_layout(x, strides)
        if x is src:                    # nothing converted: still a copy, in the layout asked for
            x = x.copy(order="K") if strides is not None else x.copy()
        return x

    @staticmethod
    def backward(ctx, g):
        if g.is_complex() and not ctx.src_dtype.is_complex:
            g = g.real               # real -> complex: the real source gets the gradient's real part
        return g.to(device=ctx.src_device, dtype=ctx.src_dtype)


def _parse_to(args, kwargs):
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    for a in args:
        if isinstance(a, D.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, (str, _device_cls, int)):
            device = a
        elif a is not None:
            raise TypeError(f"to() received an invalid combination of arguments: {a!r}")
    return dtype, as_device(device)


@tensor_method("to")
def to(self, *args, non_blocking=False, copy=False, memory_format=_mf.preserve_format, **kwargs):
    """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)``, ``to(memory_format=...)``; returns
    self when nothing changes. A copy keeps a dense input's layout unless ``memory_format`` says otherwise."""
    dtype, device = _parse_to(args, kwargs)
    keep_format = memory_format is _mf.preserve_format or memory_format is None
    if not keep_format:
        _mf.check_format(memory_format, "to")
    if device is not None and device.type == "cuda":
        _backend.xp_for("cuda")   # clear error when no GPU
        if device.index is None:
            device = _device_cls("cuda", 0)
    same_dtype = dtype is None or dtype is self.dtype
    same_device = device is None or device == self.device or (device.type == "cpu" and not self.is_cuda)
    if same_dtype and same_device and not copy and (
            keep_format or _mf.suggest_format(self._data.shape, self.stride()) is memory_format):
        return self
    strides = None
    if not (self._data.flags.c_contiguous and (keep_format or memory_format is _mf.contiguous_format)):
        strides = _mf.output_strides(self._data.shape, self.stride(), memory_format)
    return ToCopy.apply(self, None if same_dtype else D.to_numpy_dtype(dtype), None if same_device else device,
                        strides)


def _caster(name, dtype):
    def m(self, memory_format=_mf.preserve_format):
        return to(self, dtype, memory_format=memory_format)
    m.__name__ = name
    setattr(Tensor, name, m)


for _n, _d in (("float", D.float32), ("double", D.float64), ("half", D.float16), ("bfloat16", D.bfloat16),
               ("long", D.int64), ("int", D.int32), ("short", D.int16), ("char", D.int8), ("byte", D.uint8),
               ("bool", D.bool_), ("cfloat", D.complex64), ("cdouble", D.complex128)):
    _caster(_n, _d)


@tensor_method("type_as")
def type_as(self, other):
    return to(self, other.dtype) if other.device == self.device else to(self, other.device, other.dtype)


@tensor_method("cpu")
def cpu(self, memory_format=_mf.preserve_format):
    return to(self, "cpu", memory_format=memory_format)


@tensor_method("cuda")
def cuda(self, device=None, non_blocking=False, memory_format=_mf.preserve_format):
    dev = _device_cls("cuda", device if isinstance(device, int) else 0) if not isinstance(device, (str,
                                                                                                    _device_cls)) \
        else as_device(device)
    return to(self, dev, memory_format=memory_format)


class Clone(Op):
    @staticmethod
    def forward(ctx, x, strides=None):
        if strides is None:             # row-major
            return x.copy()
        out = _mf.empty_strided_array(xp_of(x), x.shape, strides, x.dtype)
        out[...] = x
        return out

    @staticmethod
    def backward(ctx, g):
        return g


@tensor_method("clone")
def clone(input, *, memory_format=_mf.preserve_format):
    """A differentiable copy. ``preserve_format`` (the default) keeps a dense input's strides (a transposed or
    channels-last tensor stays so), else the layout its strides suggest; other formats lay the copy out so."""
    a = input._data
    if memory_format is _mf.contiguous_format or (
            a.flags.c_contiguous and (memory_format is _mf.preserve_format or memory_format is None)):
        return Clone.apply(input)
    _mf.check_format(memory_format, "clone")
    strides = _mf.output_strides(a.shape, input.stride(), memory_format)
    if strides == _mf.contiguous_strides(a.shape):
        strides = None
    return Clone.apply(input, strides)
