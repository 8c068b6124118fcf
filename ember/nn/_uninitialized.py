"""``UninitializedParameter`` / ``UninitializedBuffer``: placeholders of lazy modules, whose shape is
not known until the first forward. ``materialize(shape)`` gives them memory and turns them, in place,
into an ordinary ``Parameter`` / ``Tensor`` (so an optimizer holding one keeps a valid reference)."""
from .._tensor import Tensor
from .parameter import Parameter

__all__ = ["UninitializedParameter", "UninitializedBuffer", "is_lazy"]


class UninitializedTensorMixin:
    cls_to_become = None

    def materialize(self, shape, device=None, dtype=None):
        r"""Allocate (uninitialised) memory of ``shape`` on ``device`` with ``dtype`` (defaults: the
        placeholder's), and become ``cls_to_become``."""
        if device is None:
            device = self.device
        dtype = self.dtype if dtype is None else dtype
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        from ..ops.creation import empty  # noqa: WPS433 - ops is a higher layer than the parameter types
        self._data = empty(shape, device=device, dtype=dtype)._data
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError("Can't access the shape of an uninitialized parameter or buffer. This error usually "
                           "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
                           "initialized one. Call `forward` to initialize the parameters before accessing their "
                           "attributes.")

    def __repr__(self):
        return f"<{self.__class__.__name__}>"

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        return (self.__class__, (self.requires_grad,))


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Parameter whose shape is decided on the lazy module's first forward."""
    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        return Parameter.__new__(cls, _placeholder(device, dtype), requires_grad)

    def __init__(self, *args, **kwargs):
        pass

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.requires_grad, self.device, self.dtype)
        return memo[id(self)]


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape is decided on the lazy module's first forward."""
    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        t = _placeholder(device, dtype)
        b = object.__new__(cls)
        b._data, b._version, b._grad_fn, b._requires_grad = t._data, [0], None, False
        b.requires_grad = requires_grad
        b._is_buffer, b._persistent = True, persistent
        return b

    def __init__(self, *args, **kwargs):
        pass

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.requires_grad, self.device, self.dtype, self._persistent)
        return memo[id(self)]


def _placeholder(device, dtype):
    from ..ops.creation import empty  # noqa: WPS433 - ops is a higher layer than the parameter types
    return empty(0, device=device, dtype=dtype)


def is_lazy(param):
    """Whether ``param`` is a lazy module's not-yet-materialized parameter or buffer."""
    return isinstance(param, UninitializedTensorMixin)
