"""Comparisons and logic: ``== != < <= > >= ~ & | ^``. Results are bool tensors and carry no gradient."""

__all__ = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'less', 'less_equal', 'greater', 'greater_equal', 'not_equal', 'logical_not', 'bitwise_not', 'bitwise_and', 'bitwise_or', 'bitwise_xor']

from ._util import Op, broadcast_error, promote_arrays, tensor_method, to_array_operand, wrap_out, xp_of
from ._util import Tensor


def _cmp_op(name, fn):
    class Cmp(Op):
        @staticmethod
        def forward(ctx, a, b):
            a, b, _ = promote_arrays(a, b)
            try:
                return fn(a, b)
            except ValueError:
                raise broadcast_error(name, getattr(a, "shape", ()), getattr(b, "shape", ())) from None
    Cmp.__name__ = Cmp.__qualname__ = name.capitalize()
    return Cmp


def _make(name, fn, dunder):
    op = _cmp_op(name, fn)

    def f(input, other, *, out=None):
        other = other if isinstance(other, Tensor) else to_array_operand(other)
        input = input if isinstance(input, Tensor) else to_array_operand(input)
        return wrap_out(op.apply(input, other), out)
    f.__name__ = name
    tensor_method(name)(f)

    def dunder_fn(self, other):
        if not isinstance(other, (Tensor, int, float, bool, complex)):
            return NotImplemented
        return f(self, other)
    setattr(Tensor, dunder, dunder_fn)
    return f


eq = _make("eq", lambda a, b: a == b, "__eq__")
ne = _make("ne", lambda a, b: a != b, "__ne__")
lt = _make("lt", lambda a, b: a < b, "__lt__")
le = _make("le", lambda a, b: a <= b, "__le__")
gt = _make("gt", lambda a, b: a > b, "__gt__")
ge = _make("ge", lambda a, b: a >= b, "__ge__")
less, less_equal, greater, greater_equal, not_equal = lt, le, gt, ge, ne
Tensor.__hash__ = lambda self: id(self)   # defining __eq__ would otherwise drop hashing


class _LogicalNot(Op):
    @staticmethod
    def forward(ctx, a):
        return xp_of(a).logical_not(a)


class _BitwiseNot(Op):
    @staticmethod
    def forward(ctx, a):
        if a.dtype.kind == "f":
            raise TypeError("bitwise_not (the `~` operator) is only supported for integer and bool tensors, got "
                            f"{a.dtype}; for a mask use (t == 0) or logical_not()")
        return ~a


@tensor_method("logical_not")
def logical_not(input, *, out=None):
    return wrap_out(_LogicalNot.apply(input), out)


@tensor_method("bitwise_not", "__invert__")
def bitwise_not(input, *, out=None):
    return wrap_out(_BitwiseNot.apply(input), out)


def _bitwise(name, fn, dunder, rdunder):
    class B(Op):
        @staticmethod
        def forward(ctx, a, b):
            a, b, dt = promote_arrays(a, b)
            if dt.kind == "f":
                raise RuntimeError(f"\"{name}_cpu\" not implemented for 'Float': {name} needs integer or bool "
                                   "tensors")
            return fn(a, b)
    B.__name__ = name

    def f(input, other, *, out=None):
        other = other if isinstance(other, Tensor) else to_array_operand(other)
        return wrap_out(B.apply(input, other), out)
    f.__name__ = name
    tensor_method(name)(f)
    setattr(Tensor, dunder, lambda self, other: f(self, other))
    setattr(Tensor, rdunder, lambda self, other: f(other if isinstance(other, Tensor) else other, self)
            if isinstance(other, Tensor) else B.apply(to_array_operand(other), self))
    return f


bitwise_and = _bitwise("bitwise_and", lambda a, b: a & b, "__and__", "__rand__")
bitwise_or = _bitwise("bitwise_or", lambda a, b: a | b, "__or__", "__ror__")
bitwise_xor = _bitwise("bitwise_xor", lambda a, b: a ^ b, "__xor__", "__rxor__")
