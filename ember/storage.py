"""``torch.storage``: the memory under tensors, as ``UntypedStorage`` (bytes) and the deprecated ``TypedStorage``.

Ember's tensors hold arrays; the arrays that share memory (a tensor and its views) all
lead, through ``.base``, to the one array that owns that memory, and PyTorch's storage
is that owner's whole block. ``t.untyped_storage()`` wraps a 1-D ``uint8`` view of it,
so ``x.untyped_storage().data_ptr() == x[1:].untyped_storage().data_ptr()``, and writes
through a storage show in every tensor on it.

* ``UntypedStorage``: ``nbytes()``/``size()``/``len``, ``data_ptr()``, byte access
  (``s[i]``, ``s[i] = v``, ``s[a:b]`` a storage on the same memory), ``tolist()``,
  ``copy_``, ``fill_``, ``clone``, ``cpu``/``cuda``/``to``, ``float()`` ... (the bytes'
  values converted, as PyTorch's);
* ``TypedStorage`` (``t.storage()``): the same memory read as elements of a dtype; each
  use warns once per process that it is deprecated, as PyTorch does;
* ``FloatStorage`` ... ``BFloat16Storage``: PyTorch's legacy constructors
  (``torch.FloatStorage(3)``, ``torch.FloatStorage([1, 2])``), which make TypedStorages;
* ``Tensor.untyped_storage()``, ``storage()``, ``storage_type()``, and ``set_`` with a
  storage (``t.set_(s, storage_offset, size, stride)``).

Storages cannot be resized (``resize_``): Ember's arrays cannot grow in place under the
tensors that use them, so it is left out, and ``set_`` past a storage's end raises
PyTorch's out-of-bounds error instead of growing it.
"""
import collections.abc
import operator
import warnings

import numpy as np

from . import _backend
from . import _dtype as D
from . import _memory_format as _mf
from ._device import CPU, as_device, device as _device_cls
from ._tensor import Tensor
from .ops._util import tensor_method
from .ops.creation import tensor as _tensor
from .ops.shape import _ptr, _storage
from .ops.tensor_misc import _C_NAME

__all__ = ["UntypedStorage", "TypedStorage", "DoubleStorage", "FloatStorage", "HalfStorage", "BFloat16Storage",
           "LongStorage", "IntStorage", "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage",
           "ComplexFloatStorage", "ComplexDoubleStorage"]


# ---------------------------------------------------------------- bytes of an array's memory
def _extent_bytes(owner):
    """Bytes from ``owner``'s first element to the end of its last (its whole block when contiguous)."""
    if owner.size == 0:
        return 0
    if owner.flags.c_contiguous or owner.flags.f_contiguous:
        return owner.nbytes
    return owner.itemsize + sum((s - 1) * st for s, st in zip(owner.shape, owner.strides))


def _byte_view(a):
    """A 1-D uint8 array over the whole memory block of ``a``'s storage (the array owning it)."""
    owner = _storage(a)[0]
    if type(owner) is np.ndarray:
        if owner.flags.c_contiguous or owner.flags.f_contiguous:
            return owner.reshape(-1, order="A").view(np.uint8)     # a view: its .base chain leads to the owner
        n = _extent_bytes(owner) // owner.itemsize     # an owner made by as_strided: its span, element by element
        flat = np.lib.stride_tricks.as_strided(owner, (n,), (owner.itemsize,), writeable=owner.flags.writeable)
        return flat.view(np.uint8)
    xp = _backend.xp_of(owner)
    return xp.ndarray((_extent_bytes(owner),), xp.uint8, memptr=owner.data)


def _device_of(a):
    return CPU if type(a) is np.ndarray else _device_cls("cuda", a.device.id)


def _isint(x):
    return isinstance(x, (int, np.integer))


def _type_repr(t):
    """A type as PyTorch's messages print it: ``<class 'torch.storage.TypedStorage'>`` for Ember's storages."""
    if t in (UntypedStorage, TypedStorage):
        return f"<class 'torch.storage.{t.__name__}'>"
    if isinstance(t, _LegacyStorageMeta):
        return f"<class 'torch.{t.__name__}'>"
    return repr(t)


# ---------------------------------------------------------------- UntypedStorage
class UntypedStorage:
    """A flat block of bytes (``torch.UntypedStorage``).

    ``UntypedStorage()`` is empty, ``UntypedStorage(n)`` has ``n`` uninitialised bytes,
    ``UntypedStorage([1, 2, 3])`` holds those bytes (values taken modulo 256); ``device=`` places it.
    ``t.untyped_storage()`` is the storage under a tensor (shared with its views).
    """
    is_sparse = False
    is_sparse_csr = False

    def __init__(self, *args, device=None):
        xp = _backend.xp_for("cpu" if device is None else as_device(device).type)
        if len(args) > 1:
            raise TypeError(f"torch.UntypedStorage() takes at most one argument (a size or a sequence of bytes), "
                            f"got {len(args)}")
        if not args:
            data = np.empty(0, np.uint8)
        elif _isint(args[0]) and not isinstance(args[0], bool):
            n = operator.index(args[0])
            if n < 0:
                raise RuntimeError(f"torch.UntypedStorage(): size must be non-negative, got {n}")
            data = np.empty(n, np.uint8)
        elif isinstance(args[0], collections.abc.Sequence):
            seq = args[0]
            for item in seq:
                if not _isint(item):
                    raise RuntimeError(f"torch.UntypedStorage(): tried to construct a storage from a sequence "
                                       f"({type(seq).__name__}), but one of the items was of type "
                                       f"{type(item).__name__} instead of int")
            data = np.array([int(v) % 256 for v in seq], dtype=np.uint8)
        else:
            raise RuntimeError(f"torch.UntypedStorage(): Expected a sequence type, but got {type(args[0]).__name__}")
        if xp is not np:
            data = _backend.to_device(data, "cuda", as_device(device).index or 0)
        self._bytes = data

    @classmethod
    def _wrap(cls, byte_array):
        """A storage over ``byte_array`` (1-D uint8, no copy)."""
        s = object.__new__(cls)
        s._bytes = byte_array
        return s

    # ---- metadata ----
    def nbytes(self):
        return int(self._bytes.size)

    def size(self):
        return int(self._bytes.size)

    def __len__(self):
        return int(self._bytes.size)

    def element_size(self):
        return 1

    def data_ptr(self):
        """The address of the first byte: equal for two tensors exactly when they share memory."""
        return _ptr(self._bytes)

    @property
    def device(self):
        return _device_of(self._bytes)

    @property
    def is_cuda(self):
        return type(self._bytes) is not np.ndarray

    def get_device(self):
        """The GPU index; None on the CPU (as PyTorch's storages)."""
        return self.device.index

    def is_shared(self):
        return False

    def is_pinned(self, device="cuda"):
        return False

    def type(self, dtype=None, non_blocking=False):
        if dtype is None:
            return "torch.storage.UntypedStorage"
        return self._to(_legacy_dtype(dtype))

    def untyped(self):
        return self

    # ---- elements: bytes ----
    def __getitem__(self, idx):
        n = self.size()
        if isinstance(idx, slice):
            if idx.step not in (None, 1):
                raise RuntimeError(f"Trying to slice with a step of {idx.step}, but only a step of 1 is supported")
            return UntypedStorage._wrap(self._bytes[idx])           # the same memory
        if not _isint(idx) or isinstance(idx, bool):
            raise TypeError(f"can't index a torch.UntypedStorage with {type(idx).__name__}")
        if not -n <= idx < n:
            raise IndexError(f"index {idx} out of range for storage of size {n}")
        return int(self._bytes[idx])

    def __setitem__(self, idx, value):
        if not isinstance(idx, slice) and (not _isint(idx) or isinstance(idx, bool)):
            raise RuntimeError(f"can't index a torch.UntypedStorage with {type(idx).__name__}")
        if not _isint(value):
            raise RuntimeError(f"can only set storage content with a int types, but got {type(value).__name__} "
                               f"instead")
        if not isinstance(idx, slice) and not -self.size() <= idx < self.size():
            raise RuntimeError(f"out of bounds: byte {idx} of a storage of {self.size()} bytes")
        self._bytes[idx] = int(value) % 256

    def __iter__(self):
        return iter(self.tolist())

    def tolist(self):
        b = self._bytes
        return (b if type(b) is np.ndarray else b.get()).tolist()

    def __repr__(self):
        info = f"[torch.storage.UntypedStorage(device={self.device}) of size {self.size()}]"
        return " " + "\n ".join(str(v) for v in self.tolist()) + "\n" + info

    __str__ = __repr__

    # ---- writes and copies ----
    def copy_(self, source, non_blocking=None):
        """Copy ``source``'s bytes (a storage of the same size, on any device) into this one."""
        src = source._untyped_storage if isinstance(source, TypedStorage) else source
        if not isinstance(src, UntypedStorage):
            raise TypeError(f"copy_(): argument 'source' must be a storage, not {type(source).__name__}")
        if src.nbytes() != self.nbytes():
            raise RuntimeError(f"size does not match, self was {self.nbytes()} bytes but src was {src.nbytes()} "
                               "bytes")
        data = src._bytes
        if type(data) is not type(self._bytes) or self.is_cuda and data.device.id != self.device.index:
            data = _backend.to_device(data, self.device.type, self.device.index or 0)
        self._bytes[...] = data
        return self

    def fill_(self, value):
        if not _isint(value):
            raise RuntimeError(f"can only set storage content with a int types, but got {type(value).__name__} "
                               f"instead")
        self._bytes[...] = int(value) % 256
        return self

    def clone(self):
        return UntypedStorage._wrap(self._bytes.copy())

    def new(self):
        return UntypedStorage(device=self.device)

    def __copy__(self):
        return self.clone()

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = self.clone()
        return memo[id(self)]

    def to(self, *, device, non_blocking=False):
        device = as_device(device)
        if device.type == self.device.type and (device.type == "cpu" or (device.index or 0) == self.get_device()):
            return self
        return UntypedStorage._wrap(_backend.to_device(self._bytes, device.type, device.index or 0))

    def cpu(self):
        return self.to(device="cpu")

    def cuda(self, device=None, non_blocking=False):
        return self.to(device=_device_cls("cuda", device if isinstance(device, int) else 0) if not isinstance(
            device, (str, _device_cls)) else device)

    # ---- conversions: the bytes' values as elements of a dtype (a new storage) ----
    def _to(self, dtype):
        return TypedStorage._from_array(self._bytes.astype(D.to_numpy_dtype(dtype)))


# ---------------------------------------------------------------- TypedStorage
_state = {"warned": False, "always": False}


def _warn_typed_storage_removal(stacklevel=2):
    """PyTorch's deprecation warning for TypedStorage: given once per process (unless set to always)."""
    if _state["always"] or not _state["warned"]:
        warnings.warn("TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be the "
                      "only storage class. This should only matter to you if you are using storages directly.  To "
                      "access UntypedStorage directly, use tensor.untyped_storage() instead of tensor.storage()",
                      UserWarning, stacklevel=stacklevel + 1)
        _state["warned"] = True


def _reset_warn_typed_storage_removal():
    _state["warned"] = False


def _set_always_warn_typed_storage_removal(always_warn):
    if not isinstance(always_warn, bool):
        raise AssertionError(f"always_warn must be bool, got {type(always_warn).__name__}")
    _state["always"] = always_warn


def _get_always_warn_typed_storage_removal():
    return _state["always"]


_TYPED_ARGS = ("TypedStorage.__init__ received an invalid combination of arguments. Expected one of:\n"
               " * (*, torch.device device, torch.dtype dtype)\n"
               " * (int size, *, torch.device device, torch.dtype dtype)\n"
               " * (Sequence data, *, torch.device device, torch.dtype dtype)\n"
               " * (*, UntypedStorage wrap_storage, torch.dtype dtype)")


class TypedStorage:
    """A storage read as elements of ``dtype`` (``torch.TypedStorage``, deprecated in PyTorch).

    ``TypedStorage(n, dtype=..., device=...)``, ``TypedStorage([1, 2], dtype=...)``, or
    ``TypedStorage(wrap_storage=untyped, dtype=...)``; ``t.storage()`` is the one under a tensor.
    """
    is_sparse = False

    def __init__(self, *args, device=None, dtype=None, wrap_storage=None, _internal=False):
        if not _internal:
            _warn_typed_storage_removal()
        if wrap_storage is not None:
            if args:
                raise RuntimeError(_TYPED_ARGS + "\nNo positional arguments should be given when using "
                                   "'wrap_storage'")
            if dtype is None:
                raise RuntimeError(_TYPED_ARGS + "\nArgument 'dtype' must be specified")
            if not isinstance(dtype, D.dtype):
                raise TypeError(_TYPED_ARGS + f"\nArgument 'dtype' must be torch.dtype, not {type(dtype)}")
            if device is not None:
                raise RuntimeError(_TYPED_ARGS + "\nArgument 'device' should not be specified when 'wrap_storage' "
                                   "is given")
            if not isinstance(wrap_storage, UntypedStorage):
                raise TypeError(_TYPED_ARGS + f"\nArgument 'wrap_storage' must be UntypedStorage, but got "
                                f"{_type_repr(type(wrap_storage))}")
            self.dtype, self._untyped_storage = dtype, wrap_storage
            return
        self.dtype = D.get_default_dtype() if dtype is None else dtype
        if not isinstance(self.dtype, D.dtype):
            raise TypeError(f"tensor(): argument 'dtype' must be torch.dtype, not {type(dtype).__name__}")
        device = CPU if device is None else as_device(device)
        if len(args) > 1:
            raise RuntimeError(_TYPED_ARGS + "\nToo many positional arguments")
        if not args:
            self._untyped_storage = UntypedStorage(device=device)
        elif _isint(args[0]) and not isinstance(args[0], bool):
            self._untyped_storage = UntypedStorage(int(args[0]) * self.dtype.itemsize, device=device)
        elif isinstance(args[0], collections.abc.Sequence):
            self._untyped_storage = _tensor(args[0], dtype=self.dtype, device=device).untyped_storage()
        else:
            raise TypeError(_TYPED_ARGS + f"\nArgument type not recognized: {type(args[0])}")

    @classmethod
    def _from_array(cls, a):
        """A TypedStorage over the memory of array ``a`` (its dtype)."""
        return TypedStorage(wrap_storage=UntypedStorage._wrap(_byte_view(a)), dtype=D._FROM_NP[a.dtype],
                            _internal=True)

    def _new_wrapped_storage(self, untyped_storage):
        return TypedStorage(wrap_storage=untyped_storage, dtype=self.dtype, _internal=True)

    def _array(self):
        """The elements, as a 1-D array of the dtype over the storage's bytes (no copy)."""
        b = self._untyped_storage._bytes
        item = self.dtype.itemsize
        return b[:b.size - b.size % item].view(D.to_numpy_dtype(self.dtype))

    def _size(self):
        return self._untyped_storage.nbytes() // self.dtype.itemsize

    def _legacy_name(self):
        return self.dtype.legacy.replace("Tensor", "Storage")

    # ---- metadata ----
    def size(self):
        _warn_typed_storage_removal()
        return self._size()

    def __len__(self):
        _warn_typed_storage_removal()
        return self._size()

    def nbytes(self):
        _warn_typed_storage_removal()
        return self._untyped_storage.nbytes()

    def element_size(self):
        _warn_typed_storage_removal()
        return self.dtype.itemsize

    def data_ptr(self):
        _warn_typed_storage_removal()
        return self._untyped_storage.data_ptr()

    @property
    def device(self):
        _warn_typed_storage_removal()
        return self._untyped_storage.device

    @property
    def is_cuda(self):
        _warn_typed_storage_removal()
        return self._untyped_storage.is_cuda

    def get_device(self):
        _warn_typed_storage_removal()
        return self._untyped_storage.get_device()

    def is_shared(self):
        _warn_typed_storage_removal()
        return False

    def is_pinned(self, device="cuda"):
        _warn_typed_storage_removal()
        return False

    def untyped(self):
        """The ``UntypedStorage`` underneath (the same memory)."""
        _warn_typed_storage_removal()
        return self._untyped_storage

    def pickle_storage_type(self):
        _warn_typed_storage_removal()
        return self._legacy_name()

    def type(self, dtype=None, non_blocking=False):
        """``'torch.FloatStorage'`` (the legacy name); ``type(torch.DoubleStorage)`` converts."""
        _warn_typed_storage_removal()
        if dtype is None:
            return ("torch.cuda." if self._untyped_storage.is_cuda else "torch.") + self._legacy_name()
        return self._to(_legacy_dtype(dtype))

    # ---- elements ----
    def _check_index(self, idx):
        n = self._size()
        if type(idx) is not int and not isinstance(idx, np.integer):
            raise TypeError(f"can't index a {_type_repr(type(self))} with {type(idx)}")
        if not -n <= idx < n:
            raise IndexError(f"index {idx} out of range for storage of size {n}")
        return int(idx) % n

    def __getitem__(self, idx):
        _warn_typed_storage_removal()
        if isinstance(idx, slice):
            raise RuntimeError("slices are only supported in UntypedStorage.__getitem__")
        if not isinstance(idx, (int, np.integer)):
            raise RuntimeError(f"can't index a {_type_repr(type(self))} with {type(idx)}")
        return Tensor._wrap(self._array()[self._check_index(idx)]).item()

    def __setitem__(self, idx, value):
        _warn_typed_storage_removal()
        if not isinstance(idx, (int, np.integer, slice)):
            raise RuntimeError(f"can't index a {_type_repr(type(self))} with {type(idx)}")
        if isinstance(value, (UntypedStorage, TypedStorage)):
            raise RuntimeError(f"cannot set item with value type {_type_repr(type(value))}")
        Tensor._wrap(self._array())[idx] = value        # a tensor's assignment rules (dtype casts, errors)

    def __iter__(self):
        _warn_typed_storage_removal()
        return iter(self._tolist())

    def _tolist(self):
        return Tensor._wrap(self._array()).tolist()

    def tolist(self):
        _warn_typed_storage_removal()
        return self._tolist()

    def __repr__(self):
        _warn_typed_storage_removal()
        info = (f"[torch.storage.TypedStorage(dtype={self.dtype}, device={self._untyped_storage.device}) of size "
                f"{self._size()}]")
        return " " + "\n ".join(str(v) for v in self._tolist()) + "\n" + info

    __str__ = __repr__

    # ---- writes and copies ----
    def fill_(self, value):
        _warn_typed_storage_removal()
        Tensor._wrap(self._array())[...] = value
        return self

    def copy_(self, source, non_blocking=None):
        _warn_typed_storage_removal()
        self._untyped_storage.copy_(source._untyped_storage if isinstance(source, TypedStorage) else source)
        return self

    def clone(self):
        _warn_typed_storage_removal()
        return self._new_wrapped_storage(self._untyped_storage.clone())

    def __copy__(self):
        _warn_typed_storage_removal()
        return self._new_wrapped_storage(self._untyped_storage.clone())

    def __deepcopy__(self, memo):
        _warn_typed_storage_removal()
        return self._new_wrapped_storage(self._untyped_storage.__deepcopy__(memo))

    def to(self, *, device, non_blocking=False):
        _warn_typed_storage_removal()
        return self._new_wrapped_storage(self._untyped_storage.to(device=device))

    def cpu(self):
        _warn_typed_storage_removal()
        return self._new_wrapped_storage(self._untyped_storage.cpu())

    def cuda(self, device=None, non_blocking=False):
        _warn_typed_storage_removal()
        return self._new_wrapped_storage(self._untyped_storage.cuda(device))

    def _to(self, dtype):
        """A new storage holding the elements converted to ``dtype`` (a copy even when it is the same)."""
        return TypedStorage._from_array(self._array().astype(D.to_numpy_dtype(dtype)))


def _converter(name, dtype, typed):
    def convert(self):
        if typed:
            _warn_typed_storage_removal()
        return self._to(dtype)
    convert.__name__ = name
    convert.__doc__ = f"A new storage with the values converted to {dtype}."
    return convert


for _name, _dt in (("double", D.float64), ("float", D.float32), ("half", D.float16), ("bfloat16", D.bfloat16),
                   ("long", D.int64), ("int", D.int32), ("short", D.int16), ("char", D.int8), ("byte", D.uint8),
                   ("bool", D.bool_), ("complex_double", D.complex128), ("complex_float", D.complex64)):
    setattr(UntypedStorage, _name, _converter(_name, _dt, False))
    setattr(TypedStorage, _name, _converter(_name, _dt, True))


# ---------------------------------------------------------------- legacy classes: FloatStorage ...
class _LegacyStorageMeta(type):
    """``isinstance(t.storage(), torch.FloatStorage)`` holds for a CPU TypedStorage of that dtype."""

    def __instancecheck__(cls, instance):
        return type(instance) is TypedStorage and instance._untyped_storage.device.type == "cpu" and \
            instance.dtype is cls.dtype


class _LegacyStorage(TypedStorage, metaclass=_LegacyStorageMeta):
    """``torch.FloatStorage(3)``, ``torch.FloatStorage([1, 2])``, ``torch.FloatStorage(wrap_storage=s)``: each
    makes a CPU ``TypedStorage`` of the class's dtype."""
    dtype = None

    def __new__(cls, *args, wrap_storage=None, dtype=None, device=None, _internal=False):
        if not _internal:
            _warn_typed_storage_removal()
        msg = (f"{_type_repr(cls)}.__new__ received an invalid combination of arguments. Expected one of:\n"
               " * no arguments\n * (int size)\n * (Sequence data)\n * (*, UntypedStorage wrap_storage)")
        if device is not None:
            raise RuntimeError(msg + "\nKeyword argument 'device' cannot be specified")
        if dtype is not None:
            raise RuntimeError(msg + "\nKeyword argument 'dtype' cannot be specified")
        if wrap_storage is None:
            if len(args) > 1:
                raise RuntimeError(msg + "\nToo many positional arguments")
            if args and not _isint(args[0]) and not isinstance(args[0], collections.abc.Sequence):
                raise TypeError(msg + f"\nArgument type not recognized: {type(args[0])}")
            return TypedStorage(*args, dtype=cls.dtype, device="cpu", _internal=True)
        if args:
            raise RuntimeError(msg + "\nNo positional arguments should be given when using 'wrap_storage'")
        if not isinstance(wrap_storage, UntypedStorage):
            raise TypeError(msg + f"\nArgument 'wrap_storage' must be UntypedStorage, but got "
                            f"{_type_repr(type(wrap_storage))}")
        if wrap_storage.device.type != "cpu":
            raise RuntimeError(msg + f"\nDevice of 'wrap_storage' must be cpu, but got {wrap_storage.device.type}")
        return TypedStorage(wrap_storage=wrap_storage, dtype=cls.dtype, _internal=True)


def _legacy_class(name, dtype):
    return _LegacyStorageMeta(name, (_LegacyStorage,), {"dtype": dtype, "__module__": "ember",
                                                        "__doc__": f"A CPU TypedStorage of {dtype} (legacy)."})


_LEGACY = {}
for _dt in (D.float64, D.float32, D.float16, D.bfloat16, D.int64, D.int32, D.int16, D.int8, D.uint8, D.bool_,
            D.complex64, D.complex128):
    _n = _dt.legacy.replace("Tensor", "Storage")
    _LEGACY[_dt] = globals()[_n] = _legacy_class(_n, _dt)


def _legacy_dtype(t):
    """The dtype named by a legacy storage class or its name (``torch.DoubleStorage``, ``'torch.DoubleStorage'``)."""
    if isinstance(t, D.dtype):
        return t
    name = t if isinstance(t, str) else getattr(t, "__name__", "")
    for dt, cls in _LEGACY.items():
        if name in (cls.__name__, "torch." + cls.__name__):
            return dt
    raise ValueError(f"invalid storage type: {t!r} (give a legacy storage class such as torch.DoubleStorage)")


# ---------------------------------------------------------------- Tensor methods
@tensor_method("untyped_storage")
def untyped_storage(self):
    """The ``UntypedStorage`` under this tensor: the whole memory block it and its views share."""
    return UntypedStorage._wrap(_byte_view(self._data))


@tensor_method("_typed_storage")
def _typed_storage(self):
    return TypedStorage(wrap_storage=untyped_storage(self), dtype=self.dtype, _internal=True)


@tensor_method("storage")
def storage(self):
    """The ``TypedStorage`` under this tensor (deprecated in PyTorch: use ``untyped_storage()``)."""
    _warn_typed_storage_removal(stacklevel=2)
    return _typed_storage(self)


@tensor_method("storage_type")
def storage_type(self):
    """The legacy storage class of this tensor's dtype (``torch.FloatStorage`` for float32)."""
    _warn_typed_storage_removal(stacklevel=2)
    return _LEGACY[self.dtype]


_tensor_set_ = Tensor.set_          # ops/tensor_misc.py: set_() and set_(tensor); the storage forms are added here
_SET_KEYS = ("source", "storage_offset", "size", "stride")
_SET_OVERLOADS = (" * ()\n * (torch.Storage source)\n * (torch.Storage source, int storage_offset, tuple of ints size, "
                  "tuple of ints stride = None)\n * (Tensor source)\n * (Tensor source, int storage_offset, tuple of "
                  "ints size, tuple of ints stride = None)\n")


@tensor_method("set_")
def set_(self, *args, **kwargs):
    """``t.set_(source)`` shares a tensor's memory, shape and strides, or a storage's whole memory as 1-D;
    ``t.set_(source, storage_offset, size, stride=None)`` views the storage of ``source`` (a storage or a tensor)
    from ``storage_offset`` (in elements of ``t``'s dtype) with ``size`` and ``stride`` (row-major if None);
    ``t.set_()`` makes ``t`` empty. In place: ``t`` afterwards shares that memory."""
    given = _storage_set_args(args, kwargs)
    if given is None:                     # set_(), set_(tensor), or a call no form fits: ops/tensor_misc.py's
        return _tensor_set_(self, *args, **kwargs)
    source = given["source"]
    if isinstance(source, TypedStorage):
        if source.dtype is not self.dtype:
            raise RuntimeError(f"Expected a Storage of type {_C_NAME[self.dtype.name]} or an UntypedStorage, but got "
                               f"type {source.dtype.legacy[:-len('Tensor')]} for argument 1 'storage'")
        source = source._untyped_storage
    elif isinstance(source, Tensor):      # its storage, read as this tensor's dtype (as PyTorch's)
        source = untyped_storage(source)
    if len(given) == 1:                   # a whole storage, as 1-D
        offset, size, stride = 0, (source.nbytes() // self.dtype.itemsize,), (1,)
    else:
        offset, size, stride = operator.index(given["storage_offset"]), given["size"], given.get("stride")
        if stride is None:
            stride = _mf.contiguous_strides(size)
    return _tensor_set_(self, Tensor._wrap(_view_of_storage(source, self.dtype, offset, size, stride)))


def _storage_set_args(args, kwargs):
    """The arguments of a storage form of ``set_`` (or a tensor-view form) by name; None for the other forms."""
    given = dict(zip(_SET_KEYS, args))
    storage_source = isinstance(args[0] if args else kwargs.get("source"), (UntypedStorage, TypedStorage))
    ok = len(args) <= 4 and all(k in _SET_KEYS and k not in given for k in kwargs)
    given.update(kwargs)
    source = given.get("source")
    forms = ({"source", "storage_offset", "size"}, set(_SET_KEYS)) + (({"source"},) if storage_source else ())
    if not storage_source and not isinstance(source, Tensor):
        return None
    ok = ok and set(given) in forms and _isint(given.get("storage_offset", 0)) and all(
        isinstance(given.get(k), (tuple, list)) or (k == "stride" and given.get(k) is None)
        for k in ("size", "stride") if k in given)
    if not ok:
        if not storage_source:
            return None
        got = ", ".join([_label(a) for a in args] + [f"{k}={_label(v)}" for k, v in kwargs.items()])
        raise TypeError(f"set_() received an invalid combination of arguments - got ({got}), but expected one of:\n"
                        + _SET_OVERLOADS)
    for k in ("size", "stride"):
        if given.get(k) is not None:
            given[k] = tuple(operator.index(v) for v in given[k])
    return given


def _label(v):
    if isinstance(v, (UntypedStorage, TypedStorage)):
        return f"torch.storage.{type(v).__name__}"
    return "Tensor" if isinstance(v, Tensor) else type(v).__name__


def _view_of_storage(storage, dtype, offset, size, stride):
    """An array of ``dtype`` over ``storage``'s bytes: ``size``/``stride`` (elements) from element ``offset``."""
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    if len(size) != len(stride):
        raise RuntimeError(f"unequal size length ({len(size)}) and stride length ({len(stride)})")
    if any(st < 0 for st in stride) or any(s < 0 for s in size):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(size)} and strides={list(stride)}")
    item = dtype.itemsize
    need = 0 if 0 in size else (offset + 1 + sum((s - 1) * st for s, st in zip(size, stride))) * item
    if need > storage.nbytes():
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, and "
                           f"itemsize {item} requiring a storage size of {need} are out of bounds for storage of "
                           f"size {storage.nbytes()} (Ember's storages cannot grow: make a larger tensor or storage)")
    b = storage._bytes
    flat = b[:b.size - b.size % item].view(D.to_numpy_dtype(dtype))
    if need == 0:
        return flat[:0].reshape(size)
    bstrides = tuple(st * item for st in stride)
    if type(flat) is np.ndarray:
        return np.ndarray(size, flat.dtype, buffer=flat, offset=offset * item, strides=bstrides)
    xp = _backend.xp_of(flat)
    return xp.ndarray(size, flat.dtype, memptr=flat.data + offset * item, strides=bstrides)
