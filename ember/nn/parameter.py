"""``nn.Parameter``: a Tensor that a Module registers as one of its parameters.

Assigning a Parameter to a Module attribute registers it (it then appears in
``parameters()`` and ``state_dict()``). ``Parameter(t)`` shares ``t``'s memory.
"""
from .._tensor import Tensor

__all__ = ["Parameter", "Buffer"]


class Parameter(Tensor):
    r"""A kind of Tensor that is to be considered a module parameter.

    Args:
        data (Tensor): parameter tensor (shared, not copied). Default: an empty tensor.
        requires_grad (bool, optional): if the parameter requires gradient. Default: ``True``
    """
    _is_param = True

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from ..ops.creation import empty  # noqa: WPS433 - ops is a higher layer than the tensor
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(data) expects a Tensor, got {type(data).__name__}; wrap it first: "
                            "nn.Parameter(torch.tensor(data))")
        p = object.__new__(cls)
        p._data = data._data           # same memory as ``data``
        p._version = data._version     # and the same version counter (PyTorch shares it too)
        p._grad_fn = None
        p._requires_grad = False
        p.requires_grad = requires_grad  # validates: only float/complex tensors may require grad
        return p

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self, *, tensor_contents=None):
        body = Tensor.__repr__(self)
        # The tensor printer may already add the header (it checks ``_is_param``); add it only once.
        return body if body.startswith("Parameter containing") else "Parameter containing:\n" + body

    __str__ = __repr__

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = Parameter(Tensor._wrap(self._data.copy()), self._requires_grad)
        if self._grad is not None:
            result._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (Tensor._wrap(self._data), self._requires_grad))


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)


class Buffer:
    """Marks a tensor as a buffer when assigned to a Module attribute (``self.x = nn.Buffer(t)``).

    Args:
        data (Tensor): buffer tensor.
        persistent (bool): whether the buffer is part of the module's ``state_dict``. Default: ``True``
    """

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from ..ops.creation import empty  # noqa: WPS433
            data = empty(0)
        t = data.detach()
        t._is_buffer = True
        t._persistent = persistent
        return t


from ._uninitialized import UninitializedBuffer, UninitializedParameter, UninitializedTensorMixin, is_lazy  # noqa: E402,F401

__all__ += ["UninitializedParameter", "UninitializedBuffer", "UninitializedTensorMixin", "is_lazy"]
