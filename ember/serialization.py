"""``ember.save`` / ``ember.load``: PyTorch's checkpoint formats, both directions.

The zip format (``torch.save`` since 1.6) is a zip archive (stored, not
compressed) holding, under one folder ``archive/``:

- ``data.pkl``: the object, pickled with protocol 2. Every tensor is written as
  ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
  requires_grad, OrderedDict())`` where ``storage`` is a persistent id
  ``('storage', torch.FloatStorage, key, location, numel)``; parameters wrap it
  in ``torch._utils._rebuild_parameter(tensor, requires_grad, OrderedDict())``.
- ``data/<key>``: each storage's raw bytes, little-endian, one record per
  storage (a view and its base share one storage: written once).
- ``version``, ``byteorder``, ``.format_version``, ``.storage_alignment`` and
  ``.data/serialization_id``, as torch writes them.

Because the pickle names ``torch.*`` globals, files Ember writes load in
PyTorch (including ``weights_only=True``), and loading maps those names onto
Ember. The legacy format (``_use_new_zipfile_serialization=False``, pre-1.6) is
read and written too: magic number, protocol version and system info pickles,
the object pickle, the list of storage keys, then each storage as an int64
element count followed by its bytes.

``load`` defaults to ``weights_only=True``: a restricted unpickler that can
only build tensors, storages, containers, primitive types, ``OrderedDict``,
``Size``, dtypes and devices; any other global is refused before it is
imported, so nothing in the file runs. ``save`` writes a temporary file in the
target's folder and renames it over the target, so a crash mid-save leaves
the previous checkpoint intact.
"""
import _compat_pickle
import collections
import contextlib
import io
import os
import pickle
import struct
import sys
import tempfile
import zipfile

import numpy as np

from . import _backend
from . import _dtype as D
from ._device import device as _device_cls
from ._size import Size
from ._tensor import Tensor

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals", "safe_globals",
           "DEFAULT_PROTOCOL"]

DEFAULT_PROTOCOL = 2
MAGIC_NUMBER = 0x1950A86A20F9469CFC6C      # legacy format header (torch/serialization.py)
PROTOCOL_VERSION = 1001
_ALIGNMENT = 64                            # torch aligns storage records to 64 bytes (.storage_alignment)

# dtype -> torch's legacy storage class name ('FloatStorage' ...)
_STORAGE_OF = {d: d.legacy.replace("Tensor", "Storage") for d in D.ALL}

UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will likely succeed, "
    "but it can result in arbitrary code execution. Do it only if you got the file from a "
    "trusted source."
)
DOCS_MESSAGE = ("\n\nCheck the documentation of torch.load to learn more about types accepted by default with "
                "weights_only https://pytorch.org/docs/stable/generated/torch.load.html.")
_BLOCKED_MODULES = ("sys", "os", "posix", "nt")


# ====================================================================================== pickling of Tensors
# ``Tensor.__reduce_ex__`` (pickle.dumps, multiprocessing, copy) uses these two: a host array plus flags.

def _tensor_reduce_args(t):
    """Arguments for ``_rebuild_tensor_for_pickle``: (host ndarray, requires_grad, device string)."""
    data = t._data
    dev = "cpu"
    if _backend.is_cupy_array(data):
        dev = f"cuda:{_backend.device_index(data)}"
        data = data.get()
    return (data, bool(t._requires_grad), dev)


def _rebuild_tensor_for_pickle(data, requires_grad, device="cpu"):
    if device != "cpu":
        d = _device_cls(device)
        data = _backend.to_device(data, d.type, d.index or 0)
    t = Tensor._wrap(data)
    t._requires_grad = requires_grad
    return t


# ====================================================================================== saving
class _Global:
    """A ``module.name`` global written into the pickle as is (``torch._utils _rebuild_tensor_v2`` ...)."""
    __slots__ = ("module", "name")
    _interned = {}

    def __new__(cls, module, name):
        key = (module, name)
        g = cls._interned.get(key)
        if g is None:
            g = object.__new__(cls)
            g.module, g.name = module, name
            cls._interned[key] = g
        return g

    def __call__(self, *args):  # pickle insists that a reduce function be callable; this one is only named
        raise TypeError(f"{self.module}.{self.name} is a name written into a checkpoint, not a function")


_REBUILD_TENSOR = _Global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _Global("torch._utils", "_rebuild_parameter")
_ORDERED_DICT = _Global("collections", "OrderedDict")


class _StorageRef:
    """One storage to write: its flat host array (memory order) and its persistent-id fields."""
    __slots__ = ("key", "flat", "dtype", "location")

    def __init__(self, key, flat, dtype, location):
        self.key, self.flat, self.dtype, self.location = key, flat, dtype, location


def _storage_root(a):
    """The ndarray that owns ``a``'s memory (NumPy collapses view chains to it)."""
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    return root


class _TorchPickler(pickle._Pickler):
    """A protocol-2 pickler that writes Ember tensors, dtypes, devices and Size under torch's names.

    The pure-Python pickler is used because it lets ``save`` write a ``torch.*``
    GLOBAL without importing torch; only metadata goes through it (storages are
    written as separate records), so its speed does not matter.
    """

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages = {}        # id(root array or tensor) -> _StorageRef
        self._keep = []           # keeps roots alive so their ids stay unique while pickling

    # -- storages --------------------------------------------------------------------------------------------
    def _storage_of(self, t):
        """(storage ref, element offset, element strides) for tensor ``t``; shares a view's base storage."""
        a = t._data
        location = "cpu"
        if _backend.is_cupy_array(a):        # GPU tensors: saved as their own storage (no view detection)
            location = f"cuda:{_backend.device_index(a)}"
            key = id(t)
            if key not in self.storages:
                self._keep.append(t)
                self.storages[key] = _StorageRef(str(len(self.storages)), np.ascontiguousarray(a.get()).ravel(),
                                                 t.dtype, location)
            return self.storages[key], 0, _contiguous_strides(a.shape)
        root = _storage_root(a)
        item = a.itemsize
        shared = (root.dtype == a.dtype and (root.flags.c_contiguous or root.flags.f_contiguous)
                  and all(s >= 0 and s % item == 0 for s in a.strides) and root.size > 0)
        if shared:
            offset_bytes = a.__array_interface__["data"][0] - root.__array_interface__["data"][0]
            shared = offset_bytes >= 0 and offset_bytes % item == 0
        if not shared:                       # an unusual layout: save this tensor's data as its own storage
            key = id(a)
            if key not in self.storages:
                self._keep.append(a)
                self.storages[key] = _StorageRef(str(len(self.storages)), np.ascontiguousarray(a).ravel(),
                                                 t.dtype, location)
            return self.storages[key], 0, _contiguous_strides(a.shape)
        key = id(root)
        if key not in self.storages:
            self._keep.append(root)
            self.storages[key] = _StorageRef(str(len(self.storages)), root.ravel(order="K"), t.dtype, location)
        return self.storages[key], offset_bytes // item, tuple(s // item for s in a.strides)

    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            return ("storage", _Global("torch", _STORAGE_OF[obj.dtype]), obj.key, obj.location, obj.flat.size)
        return None

    # -- torch names for Ember objects -----------------------------------------------------------------------
    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            if getattr(obj, "_is_param", False):
                inner = Tensor._wrap(obj._data)
                return (_REBUILD_PARAMETER, (inner, bool(obj._requires_grad), _empty_hooks()))
            ref, offset, strides = self._storage_of(obj)
            return (_REBUILD_TENSOR, (ref, offset, tuple(obj._data.shape), strides, bool(obj._requires_grad),
                                      _empty_hooks()))
        if type(obj) is Size:
            return (_Global("torch", "Size"), (tuple(obj),))
        if type(obj) is _device_cls:
            return (_Global("torch", "device"), (str(obj),))
        return NotImplemented

    def save(self, obj, save_persistent_id=True):
        if type(obj) is D.dtype:              # dtypes are module globals: torch.float32
            obj = _Global("torch", obj.name)
        if type(obj) is _Global:
            x = self.memo.get(id(obj))
            if x is not None:
                self.write(self.get(x[0]))
                return
            self.write(pickle.GLOBAL + obj.module.encode() + b"\n" + obj.name.encode() + b"\n")
            self.memoize(obj)
            return
        super().save(obj, save_persistent_id)


class _EmptyHooks(collections.OrderedDict):
    """The empty ``backward_hooks`` argument; pickles as ``collections.OrderedDict()``."""

    def __reduce__(self):
        return (_ORDERED_DICT, ())


def _empty_hooks():
    return _EmptyHooks()


def _contiguous_strides(shape):
    st, acc = [], 1
    for s in reversed(shape):
        st.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(st))


def _storage_bytes(ref):
    """The storage's bytes, little-endian (a memoryview: no copy for native little-endian data)."""
    flat = ref.flat
    if flat.dtype.byteorder == ">" or (flat.dtype.byteorder == "=" and sys.byteorder == "big"):
        flat = flat.astype(flat.dtype.newbyteorder("<"))
    return memoryview(np.ascontiguousarray(flat).view(np.uint8))


def _pickle_object(obj, pickle_protocol):
    buf = io.BytesIO()
    p = _TorchPickler(buf, pickle_protocol)
    p.dump(obj)
    return buf.getvalue(), list(p.storages.values())


def _write_zip(f, obj, pickle_protocol):
    data_pkl, storages = _pickle_object(obj, pickle_protocol)
    prefix = "archive/"
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        def record(name, payload):
            info = zipfile.ZipInfo(prefix + name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            size = len(payload)
            info.file_size = size
            # Pad the local header so the data starts on a 64-byte boundary, as torch's writer does.
            try:
                start = f.tell() if hasattr(f, "tell") else None
            except (OSError, ValueError):
                start = None
            if start is not None:
                zip64 = 20 if size * 1.05 > zipfile.ZIP64_LIMIT else 0
                header = 30 + len(info.filename.encode()) + zip64 + 4
                pad = (-(start + header)) % _ALIGNMENT
                info.extra = struct.pack("<HH", 0x4246, pad) + b"Z" * pad  # 'FB' field, like torch's
            with zf.open(info, "w", force_zip64=size * 1.05 > zipfile.ZIP64_LIMIT) as out:
                out.write(payload)

        record("data.pkl", data_pkl)
        record(".format_version", b"1")
        record(".storage_alignment", str(_ALIGNMENT).encode())
        record("byteorder", b"little")
        for ref in storages:
            record(f"data/{ref.key}", _storage_bytes(ref))
        record("version", b"3\n")
        record(".data/serialization_id", _serialization_id(data_pkl).encode())


def _serialization_id(data):
    """A 40-digit id, unique per save (torch writes a random id the same length)."""
    return str(int.from_bytes(os.urandom(16), "little") % 10 ** 40).zfill(40)


def _write_legacy(f, obj, pickle_protocol):
    sys_info = {"protocol_version": PROTOCOL_VERSION, "little_endian": True,
                "type_sizes": {"short": 2, "int": 4, "long": 4}}
    for value in (MAGIC_NUMBER, PROTOCOL_VERSION, sys_info):
        pickle.dump(value, f, protocol=pickle_protocol)
    buf = io.BytesIO()
    p = _LegacyPickler(buf, pickle_protocol)
    p.dump(obj)
    f.write(buf.getvalue())
    pickle.dump([ref.key for ref in p.storages.values()], f, protocol=pickle_protocol)
    for ref in p.storages.values():
        f.write(struct.pack("<q", ref.flat.size))
        f.write(_storage_bytes(ref))


class _LegacyPickler(_TorchPickler):
    """The legacy format's persistent id carries a 6th field: view metadata (None: Ember shares whole storages)."""

    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            return ("storage", _Global("torch", _STORAGE_OF[obj.dtype]), obj.key, obj.location, obj.flat.size,
                    None)
        return None


def save(obj, f, pickle_module=pickle, pickle_protocol=DEFAULT_PROTOCOL, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save ``obj`` to ``f`` (a path, ``pathlib.Path`` or writable binary file object) in PyTorch's format.

    A path is written atomically: a temporary file in the same folder is
    written, flushed and renamed over the target.
    """
    writer = _write_zip if _use_new_zipfile_serialization else _write_legacy
    if isinstance(f, (str, bytes, os.PathLike)):
        path = os.fspath(f)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise RuntimeError(f"Parent directory {folder} does not exist.")
        fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as out:
                writer(out, obj, pickle_protocol)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return
    if not hasattr(f, "write"):
        raise AttributeError(f"'{type(f).__name__}' object has no attribute 'write'; torch.save expects a file "
                             "path or a binary file object opened with open(path, 'wb')")
    writer(f, obj, pickle_protocol)


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ====================================================================================== loading
class _StorageType:
    """What ``torch.FloatStorage`` etc. unpickle to: just the element dtype."""
    __slots__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = dtype

    def __repr__(self):
        return f"StorageType(dtype={self.dtype})"


class _Storage:
    """A loaded storage: a flat array (on its final device) and the location it was saved from."""
    __slots__ = ("array", "dtype")

    def __init__(self, array, dtype):
        self.array, self.dtype = array, dtype


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None,
                       metadata=None):
    """torch._utils._rebuild_tensor_v2: a tensor viewing ``storage`` at ``storage_offset`` with these strides."""
    a = storage.array
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride):
        raise RuntimeError(f"corrupt checkpoint: tensor has {len(size)} sizes but {len(stride)} strides")
    span = 1 + sum((n - 1) * s for n, s in zip(size, stride)) if all(size) else 0
    if storage_offset < 0 or any(s < 0 for s in stride) or storage_offset + span > a.size:
        raise RuntimeError(f"corrupt checkpoint: a tensor of size {list(size)}, stride {list(stride)} and offset "
                           f"{storage_offset} does not fit in its storage of {a.size} elements")
    xp = _backend.xp_of(a)
    item = a.itemsize
    view = xp.lib.stride_tricks.as_strided(a[storage_offset:], size, tuple(s * item for s in stride))
    t = Tensor._wrap(view)
    if requires_grad:
        t.requires_grad = True
    return t


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _rebuild_tensor_v2(storage, storage_offset, size, stride)


def _rebuild_parameter(data, requires_grad, backward_hooks=None, *state):
    try:
        from .nn.parameter import Parameter
    except ImportError:              # nn not available: a plain tensor that requires grad
        data.requires_grad = requires_grad
        return data
    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    p = _rebuild_parameter(data, requires_grad)
    if state:
        for k, v in dict(state).items():
            setattr(p, k, v)
    return p


def _rebuild_from_type_v2(func, new_type, args, state):
    """torch._tensor._rebuild_from_type_v2: only for Tensor/Parameter (subclasses are not rebuilt)."""
    ret = func(*args)
    if state:
        for k, v in dict(state).items():
            setattr(ret, k, v)
    return ret


def _encode(s, encoding="latin1"):
    """_codecs.encode as protocol-2 pickles use it for bytes."""
    import codecs
    return codecs.encode(s, encoding)


def _allowed_globals():
    """The globals a weights-only load may use: {'module.name': object}."""
    rc = {
        "collections.OrderedDict": collections.OrderedDict,
        "collections.Counter": collections.Counter,
        "torch.Size": Size,
        "torch.device": _device_cls,
        "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_tensor": _rebuild_tensor,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "torch.Tensor": Tensor,
        "torch._tensor.Tensor": Tensor,
        "_codecs.encode": _encode,
        "builtins.bytearray": bytearray,
        "builtins.set": set,
        "builtins.frozenset": frozenset,
        "builtins.complex": complex,
        "builtins.slice": slice,
        "builtins.range": range,
    }
    try:
        from .nn.parameter import Parameter
        rc["torch.nn.parameter.Parameter"] = Parameter
    except ImportError:
        pass
    for d in D.ALL:
        rc["torch." + d.name] = d
        rc["torch." + _STORAGE_OF[d]] = _StorageType(d)
    for name, d in D.ALIASES.items():
        rc["torch." + name] = d
    rc.update(_user_safe_globals)
    return rc


_user_safe_globals = {}


def _global_name(obj):
    if isinstance(obj, tuple):
        obj, name = obj
        return name
    return f"{obj.__module__}.{obj.__qualname__}"


def add_safe_globals(safe_globals):
    """Allow these classes/functions in weights-only loads (``torch.serialization.add_safe_globals``)."""
    for g in safe_globals:
        obj = g[0] if isinstance(g, tuple) else g
        _user_safe_globals[_global_name(g)] = obj


def get_safe_globals():
    return list(_user_safe_globals.values())


def clear_safe_globals():
    _user_safe_globals.clear()


@contextlib.contextmanager
def safe_globals(safe_globals):
    """Context manager form of ``add_safe_globals``."""
    before = dict(_user_safe_globals)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        _user_safe_globals.clear()
        _user_safe_globals.update(before)


class WeightsOnlyError(pickle.UnpicklingError):
    """Raised when a weights-only load meets a global it may not use (a ``pickle.UnpicklingError``)."""


class _Unpickler(pickle.Unpickler):
    """Unpickler for checkpoints: storages via ``persistent_load``, torch names mapped onto Ember.

    With ``weights_only`` only the allowlist is reachable: ``find_class`` is the
    one door through which a pickle reaches any callable (GLOBAL, STACK_GLOBAL,
    INST, OBJ and extension codes all go through it), so refusing there means
    nothing from the file is imported or called.
    """

    def __init__(self, file, weights_only, load_storage, **kwargs):
        super().__init__(file, **kwargs)
        self._weights_only = weights_only
        self._load_storage = load_storage
        self._allowed = _allowed_globals()

    def find_class(self, module, name):
        # Protocol-2 pickles name Python 2 modules (__builtin__.set); map them as pickle's fix_imports does.
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        full = f"{module}.{name}"
        obj = self._allowed.get(full)
        if obj is not None:
            return obj
        if self._weights_only:
            if module.split(".")[0] in _BLOCKED_MODULES:
                raise WeightsOnlyError(f"Trying to load unsupported GLOBAL {full} whose module {module} is "
                                       "blocked.")
            shown = name if module == "builtins" else full
            raise WeightsOnlyError(
                f"Unsupported global: GLOBAL {shown} was not an allowed global by default. Please use "
                f"`torch.serialization.add_safe_globals([{shown}])` or the `torch.serialization.safe_globals("
                f"[{shown}])` context manager to allowlist this global if you trust this class/function.")
        if module == "torch" or module.startswith("torch."):
            return _map_torch_global(module, name)
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or not pid or _ascii(pid[0]) != "storage":
            raise pickle.UnpicklingError(f"Unknown saved id type: {pid[0] if isinstance(pid, tuple) else pid!r}")
        return self._load_storage(pid[1:])


def _map_torch_global(module, name):
    """A ``torch.*`` global for a full (weights_only=False) load: Ember's object of the same name."""
    import importlib
    candidates = ["ember" + module[len("torch"):]]
    if module.startswith("torch.nn"):
        candidates.append("ember.nn")
    if module.startswith("torch.optim"):
        candidates.append("ember.optim")
    for mod_name in candidates:
        try:
            mod = importlib.import_module(mod_name)
            return getattr(mod, name)
        except (ImportError, AttributeError):
            continue
    raise pickle.UnpicklingError(f"This checkpoint refers to {module}.{name}, which Ember does not provide "
                                 f"(looked in {', '.join(candidates)}). Save a state_dict instead of the whole "
                                 "object: torch.save(model.state_dict(), path), and load it into the model.")


def _ascii(s):
    return s.decode("ascii") if isinstance(s, bytes) else s


def _restore(array, location, map_location):
    """Move a loaded flat host array to where ``map_location`` says (PyTorch's restore_location rules)."""
    if isinstance(map_location, dict):
        location = map_location.get(location, location)
        map_location = None
    if callable(map_location):
        result = map_location(Tensor._wrap(array), location)
        if result is not None:
            if not isinstance(result, Tensor):
                raise TypeError(f"map_location callable must return a storage (Tensor) or None, got "
                                f"{type(result).__name__}")
            return result._data.reshape(-1)
        map_location = None
    target = _device_cls(map_location) if map_location is not None else _device_cls(location)
    if target.type == "cpu":
        return array
    if target.type == "cuda":
        if _backend.cupy_module() is None:
            raise RuntimeError("Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
                               "is False. If you are running on a CPU-only machine, please use torch.load with "
                               "map_location=torch.device('cpu') to map your storages to the CPU. (Ember: "
                               f"{_backend.cuda_unavailable_reason()})")
        return _backend.to_device(array, "cuda", target.index or 0)
    raise RuntimeError(f"don't know how to restore data location of storage on {location}")


def _from_bytes(raw, dtype, byteorder):
    np_dtype = D.to_numpy_dtype(dtype)
    if len(raw) % np_dtype.itemsize:
        raise RuntimeError(f"corrupt checkpoint: a {dtype} storage of {len(raw)} bytes is not a whole number of "
                           f"{np_dtype.itemsize}-byte elements")
    a = np.frombuffer(bytearray(raw), dtype=np_dtype)
    if byteorder == "big" and np_dtype.itemsize > 1:
        a = a.byteswap()
    return a


def _load_zip(zf, map_location, weights_only, pickle_load_args):
    names = zf.namelist()
    pkl = [n for n in names if n.endswith("data.pkl")]
    if not pkl:
        raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not found (this zip file is not "
                           "a torch.save checkpoint)")
    prefix = pkl[0][:-len("data.pkl")]
    byteorder = "little"
    if prefix + "byteorder" in names:
        byteorder = zf.read(prefix + "byteorder").decode().strip()
    loaded = {}

    def load_storage(fields):
        storage_type, key, location, numel = fields[0], _ascii(fields[1]), _ascii(fields[2]), fields[3]
        if not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError(f"unsupported storage type {storage_type!r} in checkpoint")
        if key not in loaded:
            try:
                raw = zf.read(f"{prefix}data/{key}")
            except KeyError:
                raise RuntimeError(f"PytorchStreamReader failed locating file data/{key}: file not found (the "
                                   "checkpoint is incomplete or corrupt)") from None
            arr = _from_bytes(raw, storage_type.dtype, byteorder)
            if arr.size < numel:
                raise RuntimeError(f"corrupt checkpoint: storage data/{key} holds {arr.size} elements, expected "
                                   f"{numel}")
            loaded[key] = _Storage(_restore(arr, location, map_location), storage_type.dtype)
        st = loaded[key]
        if st.dtype is not storage_type.dtype:   # one storage viewed with two dtypes
            return _Storage(st.array.view(D.to_numpy_dtype(storage_type.dtype)), storage_type.dtype)
        return st

    return _Unpickler(io.BytesIO(zf.read(pkl[0])), weights_only, load_storage, **pickle_load_args).load()


def _load_legacy(f, map_location, weights_only, pickle_load_args):
    def plain(what):
        u = _Unpickler(f, True, None, **pickle_load_args)
        try:
            return u.load()
        except pickle.UnpicklingError as e:
            raise pickle.UnpicklingError(f"{e} (while reading the {what})") from None

    magic = plain("magic number")
    if magic != MAGIC_NUMBER:
        raise RuntimeError("Invalid magic number; corrupt file? (not a torch.save checkpoint: neither a zip "
                           "archive nor the legacy format)")
    version = plain("protocol version")
    if version != PROTOCOL_VERSION:
        raise RuntimeError(f"Invalid protocol version: {version}")
    plain("system info")
    types = {}
    views = []

    def load_storage(fields):
        storage_type, key, location, numel = fields[0], _ascii(fields[1]), _ascii(fields[2]), fields[3]
        view = fields[4] if len(fields) > 4 else None
        if not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError(f"unsupported storage type {storage_type!r} in checkpoint")
        types.setdefault(key, (storage_type.dtype, location, numel))
        st = _Storage(None, storage_type.dtype)
        views.append((st, key, view))
        return st

    # Storages come after the pickle, so tensors are built lazily: record them, fill in afterwards.
    pending = []

    def rebuild(storage, offset, size, stride, requires_grad=False, backward_hooks=None, metadata=None):
        t = Tensor._wrap(np.zeros(0, np.float32))
        pending.append((t, storage, offset, size, stride, requires_grad))
        return t

    params = []

    def rebuild_parameter(data, requires_grad, backward_hooks=None, *state):
        p = _rebuild_parameter(data, requires_grad)
        params.append((p, data, requires_grad))
        return p

    u = _Unpickler(f, weights_only, load_storage, **pickle_load_args)
    u._allowed = dict(u._allowed)
    u._allowed["torch._utils._rebuild_tensor_v2"] = rebuild
    u._allowed["torch._utils._rebuild_tensor"] = lambda s, o, size, stride: rebuild(s, o, size, stride)
    u._allowed["torch._utils._rebuild_parameter"] = rebuild_parameter
    result = u.load()
    keys = plain("storage keys")
    arrays = {}
    for key in keys:
        dtype, location, numel = types[_ascii(key)]
        header = f.read(8)
        if len(header) < 8:
            raise RuntimeError("corrupt checkpoint: the file ends before all storages were read (truncated?)")
        n, = struct.unpack("<q", header)
        nbytes = n * D.to_numpy_dtype(dtype).itemsize
        raw = f.read(nbytes)
        if len(raw) < nbytes:
            raise RuntimeError("corrupt checkpoint: the file ends before all storages were read (truncated?)")
        arrays[_ascii(key)] = _restore(_from_bytes(raw, dtype, "little"), location, map_location)
    for st, key, view in views:
        a = arrays[key]
        if view is not None:
            _, off, n = view
            a = a[off:off + n]
        st.array = a
    for t, storage, offset, size, stride, requires_grad in pending:
        built = _rebuild_tensor_v2(storage, offset, size, stride, requires_grad)
        t._data = built._data
        t._requires_grad = built._requires_grad
    for p, data, requires_grad in params:     # parameters were made around the placeholders: point them at the data
        p._data = data._data
        p._requires_grad = bool(requires_grad)
    return result


def _weights_only_message(message):
    if "was not an allowed global by default" in message:
        return ("Weights only load failed. This file can still be loaded, to do so you have two options, "
                "\033[1mdo those steps only if you trust the source of the checkpoint\033[0m. "
                f"\n\t(1) {UNSAFE_MESSAGE}\n\t(2) Alternatively, to load with `weights_only=True` please check "
                "the recommended steps in the following error message.\n\tWeightsUnpickler error: "
                + message + DOCS_MESSAGE)
    text = f"Weights only load failed. {UNSAFE_MESSAGE}\n"
    if "is blocked" not in message:
        text += ("Please file an issue with the following so that we can make `weights_only=True` compatible "
                 "with your use case: WeightsUnpickler error: ")
    return text + "\n\n" + message + DOCS_MESSAGE


@contextlib.contextmanager
def _open_for_read(f):
    if isinstance(f, (str, bytes, os.PathLike)):
        with open(f, "rb") as fh:
            yield fh
        return
    if not hasattr(f, "read"):
        raise AttributeError(f"'{type(f).__name__}' object has no attribute 'read'; torch.load expects a file "
                             "path or a binary file object opened with open(path, 'rb')")
    if not (hasattr(f, "seek") and hasattr(f, "tell")) or not _seekable(f):
        yield io.BytesIO(f.read())     # zip needs seeking; read non-seekable streams into memory
        return
    yield f


def _seekable(f):
    try:
        return f.seekable() if hasattr(f, "seekable") else True
    except (OSError, ValueError):
        return False


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Load an object saved with ``ember.save`` or ``torch.save`` (zip or legacy format).

    ``weights_only`` defaults to True: only tensors, containers, primitive
    types, ``OrderedDict``, ``Size``, dtypes and devices can be loaded, and no
    code from the file runs. Use ``weights_only=False`` only for files you trust.
    ``map_location``: a string or device ('cpu'), a dict {'cuda:0': 'cpu'}, or
    a callable ``(storage, location) -> storage or None``.
    """
    if weights_only is None:
        flag = os.getenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0").lower() in ("1", "y", "yes", "true")
        weights_only = not flag and pickle_module is None
    if weights_only and pickle_module is not None and pickle_module is not pickle:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    if isinstance(map_location, str) or isinstance(map_location, _device_cls):
        map_location = str(_device_cls(map_location))
    pickle_load_args.setdefault("encoding", "utf-8")
    with _open_for_read(f) as fh:
        start = fh.tell()
        is_zip = zipfile.is_zipfile(fh)
        fh.seek(start)
        try:
            if is_zip:
                try:
                    zf = zipfile.ZipFile(fh)
                except (zipfile.BadZipFile, EOFError, OSError) as e:
                    raise RuntimeError(f"PytorchStreamReader failed reading zip archive: {e}. The checkpoint is "
                                       "truncated or corrupt (was its save interrupted?); save it again.") from None
                with zf:
                    return _load_zip(zf, map_location, weights_only, pickle_load_args)
            head = fh.read(1)
            fh.seek(start)
            if not head:
                raise EOFError("Ran out of input (the checkpoint file is empty)")
            if head == b"P" and fh.read(4) == b"PK\x03\x04":
                raise RuntimeError("PytorchStreamReader failed reading zip archive: failed finding central "
                                   "directory. The checkpoint is truncated or corrupt (was its save "
                                   "interrupted?); save it again.")
            fh.seek(start)
            return _load_legacy(fh, map_location, weights_only, pickle_load_args)
        except WeightsOnlyError as e:
            raise pickle.UnpicklingError(_weights_only_message(str(e))) from None
        except zipfile.BadZipFile as e:
            raise RuntimeError(f"PytorchStreamReader failed reading file: {e}. The checkpoint is corrupt; save "
                               "it again.") from None
        except (EOFError, struct.error) as e:
            raise RuntimeError(f"Corrupt checkpoint: {type(e).__name__}: {e}. The file is truncated or damaged "
                               "(was its save interrupted?); save it again.") from None
