"""Layer 3: ``Tensor``, an ``xp`` array plus autograd state.

A Tensor holds an ndarray (NumPy on the CPU, CuPy on the GPU) in ``_data``.
Views are NumPy views, so they share memory with their base exactly as
PyTorch's views share storage; a base and its views share one version counter
(``_version``, a one-element list) that in-place ops bump.

The math lives in ``ember.ops``: each op module attaches its Tensor methods
and operators when it is imported (the tensor layer never imports upward).
"""
import numpy as np

from . import _backend
from . import _dtype as D
from . import _layout
from . import _memory_format as _mf
from ._device import CPU, device as _device_cls
from ._size import Size
from .autograd import function as _function
from .autograd.engine import run_backward as _run_backward
from .autograd.grad_mode import GradMode

_new = object.__new__


def _size_of(shape):
    """An array's shape as a ``Size`` (its entries are ints already: no per-entry check)."""
    return tuple.__new__(Size, shape)


class Tensor:
    """A multi-dimensional array with autograd (``torch.Tensor``).

    ``Tensor(...)`` itself is PyTorch's legacy constructor: integers are sizes
    (uninitialised float32 storage), a sequence is data.
    """
    __slots__ = ("_data", "_version", "_requires_grad", "_grad_fn", "__dict__", "__weakref__")
    __array_priority__ = 1000          # ndarray (op) Tensor defers to Tensor's reflected operator

    # Rarely-set state lives in the instance dict, with these class-level defaults (cheap construction).
    _grad = None
    _output_nr = 0
    _base = None          # the tensor this one is a view of
    _view_fn = None       # base -> this view (a differentiable function), for in-place ops on views
    _grad_acc = None      # weakref to this leaf's AccumulateGrad node
    _retains_grad = False
    _is_param = False

    def __new__(cls, *args, **kwargs):
        from .ops.creation import _legacy_new  # noqa: WPS433 - resolved at call time (ops is layer 5)
        return _legacy_new(cls, D.get_default_dtype(), args, kwargs.pop("device", None))

    def __init__(self, *args, **kwargs):
        pass

    # ---- construction helpers used by every op ----
    @staticmethod
    def _wrap(data, requires_grad=False):
        """A new Tensor around array ``data`` (no copy)."""
        t = _new(Tensor)
        if type(data) is not np.ndarray and not _backend.is_cupy_array(data):
            data = np.asarray(data)
        t._data = data
        t._version = [0]
        t._requires_grad = requires_grad
        t._grad_fn = None
        return t

    @staticmethod
    def _zeros(shape, dtype, device):
        xp = _backend.xp_for(device.type)
        return Tensor._wrap(xp.zeros(shape, dtype=D.to_numpy_dtype(dtype)))

    def _xp(self):
        return _backend.xp_of(self._data)

    def _alias(self):
        """A detached tensor sharing data and version counter (what ``detach()`` returns)."""
        t = _new(Tensor)
        t._data = self._data
        t._version = self._version
        t._requires_grad = False
        t._grad_fn = None
        return t

    def _copy_detached(self):
        return Tensor._wrap(self._data.copy())

    def _ones_like_data(self):
        return Tensor._wrap(self._xp().ones_like(self._data))

    # ---- metadata ----
    @property
    def shape(self):
        return _size_of(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return _size_of(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim, "size")]

    @property
    def dtype(self):
        return D._FROM_NP[self._data.dtype]

    @property
    def device(self):
        if type(self._data) is np.ndarray:
            return CPU
        return _device_cls("cuda", _backend.device_index(self._data))

    @property
    def is_cuda(self):
        return type(self._data) is not np.ndarray

    @property
    def is_cpu(self):
        return type(self._data) is np.ndarray

    def get_device(self):
        return -1 if type(self._data) is np.ndarray else _backend.device_index(self._data)

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return int(self._data.size)

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    def stride(self, dim=None):
        item = self._data.itemsize
        st = tuple(s // item for s in self._data.strides)
        if self._data.size == 0 or self._data.ndim == 0:
            st = _contiguous_strides(self._data.shape) if self._data.ndim else ()
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim, "stride")]

    def storage_offset(self):
        owner = self._data.base if isinstance(self._data.base, type(self._data)) else None
        if owner is None:
            return 0
        return (_ptr(self._data) - _ptr(owner)) // self._data.itemsize

    def data_ptr(self):
        return _ptr(self._data)

    def is_contiguous(self, *, memory_format=_mf.contiguous_format):
        """Whether the elements lie in memory in ``memory_format``'s order without gaps (row-major by default)."""
        if memory_format is _mf.contiguous_format:
            return bool(self._data.flags.c_contiguous)
        _mf.check_format(memory_format, "is_contiguous", allow_none=False)
        return _mf.is_contiguous_as(self._data.shape, self.stride(), memory_format)

    def is_floating_point(self):
        return self._data.dtype.kind == "f" or self._data.dtype == D.bfloat16.np

    def is_complex(self):
        return self._data.dtype.kind == "c"

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def layout(self):
        return _layout.strided

    @property
    def is_sparse(self):
        return False

    @property
    def is_quantized(self):
        return False

    @property
    def is_meta(self):
        return False

    def type(self, dtype=None, non_blocking=False, **kwargs):
        """``t.type()`` -> ``'torch.FloatTensor'``; ``t.type(torch.FloatTensor | 'torch.FloatTensor' | dtype)`` converts."""
        if dtype is None:
            prefix = "torch.cuda." if self.is_cuda else "torch."
            return prefix + self.dtype.legacy
        from .ops.creation import _resolve_type  # noqa: WPS433
        dt, dev = _resolve_type(dtype)
        return self.to(device=dev, dtype=dt) if dev is not None else self.to(dt)

    # ---- autograd state ----
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if self._grad_fn is not None:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to use a "
                               "computed variable in a subgraph that doesn't require differentiation use "
                               "var_no_grad = var.detach().")
        if value and not (self.is_floating_point() or self.is_complex()):
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients "
                               f"(this one is {self.dtype}); convert it first, e.g. t.float()")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self):
        if self._grad_fn is not None and not self._retains_grad:
            _warn_nonleaf_grad()
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"assigned grad has data of a different size: {list(value.shape)} vs "
                                   f"{list(self.shape)}")
            if value.dtype is not self.dtype:
                raise RuntimeError(f"assigned grad has data of a different type: {value.dtype} vs {self.dtype}")
        self._grad = value

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def _version_number(self):
        """PyTorch's ``t._version`` as an int (ours is a one-element list shared with views)."""
        return self._version[0]

    def retain_grad(self):
        if self._grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if self._retains_grad:
            return
        import weakref
        node = self._grad_fn
        node._retained = dict(node._retained or {})
        node._retained[self._output_nr] = weakref.ref(self)
        node._rare = True
        self._retains_grad = True

    @property
    def retains_grad(self):
        return self._retains_grad

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new gradient."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is None:
            hooks = self.__dict__.setdefault("_backward_hooks", {})
            key = object()
            hooks[key] = hook
            return _DictHandle(hooks, key)
        node = self._grad_fn
        node._tensor_hooks = dict(node._tensor_hooks or {})
        lst = node._tensor_hooks.setdefault(self._output_nr, [])
        lst.append(hook)
        node._rare = True
        return _ListHandle(lst, hook)

    def register_post_accumulate_grad_hook(self, hook):
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        hooks = self.__dict__.setdefault("_post_acc_hooks", {})
        key = object()
        hooks[key] = hook
        return _DictHandle(hooks, key)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor w.r.t. the graph leaves; accumulates into ``.grad``."""
        if gradient is None and inputs is None:     # the common call: straight to the engine
            _run_backward((self,), (None,), retain_graph, create_graph)
            return
        from .autograd import backward as _backward  # noqa: WPS433
        _backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        return self._alias()

    def detach_(self):
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self):
        # Same memory, no history, and its own version counter: changes through .data are not tracked.
        t = _new(Tensor)
        t._data = self._data
        t._version = [0]
        t._requires_grad = False
        t._grad_fn = None
        return t

    @data.setter
    def data(self, value):
        self._data = value._data if isinstance(value, Tensor) else value

    # ---- Python protocol ----
    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __hash__(self):
        return id(self)

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous (shape "
                               f"{list(self.shape)}); reduce it first, e.g. with .any() or .all()")
        return bool(self._data.reshape(()).item())

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar; "
                               "index one element first (t[0].item()) or use t.tolist()")
        v = self._data.reshape(()).item()
        return float(v) if self._data.dtype == D.bfloat16.np else v

    def tolist(self):
        a = self._data.get() if self.is_cuda else self._data
        if a.dtype == D.bfloat16.np:
            a = a.astype(np.float32)
        return a.tolist()

    def __int__(self):
        return int(self._scalar("int"))

    def __float__(self):
        return float(self._scalar("float"))

    def __complex__(self):
        return complex(self._scalar("complex"))

    def __index__(self):
        if self._data.dtype.kind not in "biu" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()).item())

    def _scalar(self, what):
        if self._data.size != 1:
            raise ValueError(f"only one element tensors can be converted to Python scalars (got {what}() of "
                             f"a tensor with shape {list(self.shape)})")
        return self._data.reshape(()).item()

    def __format__(self, spec):
        if self._data.ndim == 0:
            return format(self.item(), spec)
        return format(repr(self), spec)

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import format_tensor  # noqa: WPS433 - printing is a sibling of this layer
        return format_tensor(self)

    __str__ = __repr__

    # ---- NumPy bridge ----
    def numpy(self, *, force=False):
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                               "instead.")
        if self.is_cuda:
            if not force:
                raise TypeError("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the "
                                "tensor to host memory first: t.cpu().numpy()")
            return self._data.get()
        # A new ndarray object over the same memory, as PyTorch returns: setting .shape on it must not
        # reshape the tensor.
        return self._data.view()

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()
        return a if dtype is None else a.astype(dtype, copy=False)

    def __reduce_ex__(self, proto):
        from .serialization import _rebuild_tensor_for_pickle, _tensor_reduce_args  # noqa: WPS433
        return (_rebuild_tensor_for_pickle, _tensor_reduce_args(self))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the "
                               "deepcopy protocol at the moment. If you were attempting to deepcopy a module, "
                               "this may be because of a torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        new = type(self).__new__(type(self)) if type(self) is not Tensor else _new(Tensor)
        new._data = self._data.copy()
        new._version = [0]
        new._requires_grad = self._requires_grad
        new._grad_fn = None
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        for k, v in self.__dict__.items():
            if k not in ("_grad", "_grad_acc", "_backward_hooks", "_base", "_view_fn"):
                import copy
                new.__dict__[k] = copy.deepcopy(v, memo)
        memo[id(self)] = new
        return new


class _DictHandle:
    def __init__(self, d, key):
        self.d, self.key = d, key

    def remove(self):
        self.d.pop(self.key, None)


class _ListHandle:
    def __init__(self, lst, item):
        self.lst, self.item = lst, item

    def remove(self):
        if self.item in self.lst:
            self.lst.remove(self.item)


def _warn_nonleaf_grad():
    import warnings
    warnings.warn("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
                  "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
                  "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor.",
                  UserWarning, stacklevel=3)


def _ptr(a):
    return a.__array_interface__["data"][0] if type(a) is np.ndarray else a.data.ptr


def _contiguous_strides(shape):
    st, acc = [], 1
    for s in reversed(shape):
        st.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(st))


def _wrap_dim(dim, ndim, op="op"):
    """Normalise a possibly negative ``dim``; IndexError in PyTorch's wording when out of range."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


_function.Tensor = Tensor
Tensor.__module__ = "ember"     # type(t) prints <class 'ember.Tensor'>, where users find it
