"""``torch.autograd.variable``: the legacy ``Variable`` (Variables and Tensors merged in PyTorch 0.4)."""
import warnings

from . import function as _function

__all__ = ["Variable"]


class _VariableMeta(type):
    def __instancecheck__(cls, other):      # every Tensor is a Variable, as in PyTorch
        return isinstance(other, _function.Tensor)


class _ExecutionEngine:
    """``Variable._execution_engine``: the backward engine's public hook points."""

    @staticmethod
    def queue_callback(callback):
        from .engine import queue_callback
        queue_callback(callback)


class Variable(metaclass=_VariableMeta):
    """``Variable(data, requires_grad=False)`` returns a plain Tensor; ``volatile`` no longer has an effect."""
    _execution_engine = _ExecutionEngine()

    def __new__(cls, data, requires_grad=False, volatile=False):
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                          UserWarning, stacklevel=2)
        t = data if isinstance(data, _function.Tensor) else _function.Tensor._wrap(data)
        if requires_grad:
            t = t.detach().requires_grad_(True) if not t.is_leaf else t.requires_grad_(True)
        return t
