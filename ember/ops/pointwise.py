"""Pointwise arithmetic: ``+ - * / ** neg``, with PyTorch's promotion and broadcasting.

Each op is an ``Op`` with its forward (on arrays) and backward (on Tensors)
side by side. Backward may return gradients in the broadcast shape; the
engine sums them back to each input's shape.
"""

__all__ = ['add', 'sub', 'subtract', 'mul', 'multiply', 'div', 'divide', 'true_divide', 'floor_divide', 'pow', 'neg', 'negative']

from .. import _dtype as D
from ._util import (Op, Tensor, broadcast_error, promote_arrays, tensor_method, to_array_operand, wrap_out,
                    xp_of)


def _binary(op_name, fn, a, b):
    try:
        return fn(a, b)
    except ValueError:
        raise broadcast_error(op_name, getattr(a, "shape", ()), getattr(b, "shape", ())) from None


class Add(Op):
    @staticmethod
    def forward(ctx, a, b, alpha=1):
        a, b, _ = promote_arrays(a, b)
        ctx.alpha = alpha
        if alpha != 1:
            b = b * alpha
        return _binary("add", _add, a, b)

    @staticmethod
    def backward(ctx, g):
        return g, (g if ctx.alpha == 1 else g * ctx.alpha)


class Sub(Op):
    @staticmethod
    def forward(ctx, a, b, alpha=1):
        a, b, dt = promote_arrays(a, b)
        if dt == D.bool_.np:
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
                               "`^` or `logical_xor()` operator instead.")
        ctx.alpha = alpha
        if alpha != 1:
            b = b * alpha
        return _binary("sub", _sub, a, b)

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.alpha == 1 else g * -ctx.alpha)


class Mul(Op):
    @staticmethod
    def forward(ctx, a, b):
        a, b, _ = promote_arrays(a, b)
        ctx.save_for_backward(a if not isinstance(a, (int, float, bool, complex)) else None,
                              b if not isinstance(b, (int, float, bool, complex)) else None)
        ctx.scalars = (a, b)
        return _binary("mul", _mul, a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        sa, sb = ctx.scalars
        ga = g * (b if b is not None else sb) if ctx.needs_input_grad[0] else None
        gb = g * (a if a is not None else sa) if len(ctx.needs_input_grad) > 1 and ctx.needs_input_grad[1] \
            else None
        return ga, gb


class Div(Op):
    @staticmethod
    def forward(ctx, a, b, rounding_mode=None):
        a, b, dt = promote_arrays(a, b)
        xp = xp_of(a if not isinstance(a, (int, float, bool, complex)) else b)
        if rounding_mode is None:
            if dt.kind in "biu":   # int / int is true division in PyTorch
                a = a.astype(D.get_default_dtype().np) if hasattr(a, "astype") else a
                b = b.astype(D.get_default_dtype().np) if hasattr(b, "astype") else b
            ctx.save_for_backward(a if hasattr(a, "shape") else None, b if hasattr(b, "shape") else None)
            ctx.scalars = (a, b)
            return _binary("div", _truediv, a, b)
        ctx.rounding = rounding_mode
        if rounding_mode == "trunc":
            if dt.kind in "iu":
                _check_int_div(b, xp)
                q = xp.abs(a) // xp.abs(b) if hasattr(a, "shape") or hasattr(b, "shape") else abs(a) // abs(b)
                return q * xp.sign(a) * xp.sign(b)
            return xp.trunc(_binary("div", _truediv, a, b))
        if rounding_mode == "floor":
            if dt.kind in "iu":
                _check_int_div(b, xp)
            return _binary("div", _floordiv, a, b)
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                         f"'{rounding_mode}'")

    @staticmethod
    def backward(ctx, g):
        if hasattr(ctx, "rounding"):
            return g * 0, g * 0
        a, b = ctx.saved_tensors
        sa, sb = ctx.scalars
        b_ = b if b is not None else sb
        ga = g / b_ if ctx.needs_input_grad[0] else None
        gb = None
        if len(ctx.needs_input_grad) > 1 and ctx.needs_input_grad[1]:
            a_ = a if a is not None else sa
            gb = -g * a_ / (b_ * b_)
        return ga, gb


def _check_int_div(b, xp):
    if (b == 0).any() if hasattr(b, "any") else b == 0:
        raise ZeroDivisionError("ZeroDivisionError: integer division by zero")


class Pow(Op):
    @staticmethod
    def forward(ctx, a, b):
        a, b, dt = promote_arrays(a, b)
        if dt.kind in "iu" and not isinstance(b, (int, bool)) and hasattr(b, "shape") and (b < 0).any():
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if dt.kind in "iu" and isinstance(b, int) and b < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        out = _binary("pow", _pow, a, b)
        ctx.save_for_backward(a if hasattr(a, "shape") else None, b if hasattr(b, "shape") else None, out)
        ctx.scalars = (a, b)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        sa, sb = ctx.scalars
        ga = gb = None
        if ctx.needs_input_grad[0]:
            if b is None:   # scalar exponent
                ga = g * 0 if sb == 0 else g * (sb * a ** (sb - 1))
            else:           # d/da a^b = b * a^(b-1), defined as 0 where b == 0
                ga = g * (b * a ** (b - 1)).masked_fill(b == 0, 0)
        if len(ctx.needs_input_grad) > 1 and ctx.needs_input_grad[1]:
            base = a if a is not None else Tensor._wrap(xp_of(out._data).asarray(sa, dtype=out._data.dtype))
            # d/db a^b = a^b * log(a), defined as 0 where a == 0 and b >= 0
            gb = g * (out * base.log()).masked_fill((base == 0) & (b >= 0), 0)
        return ga, gb


class Neg(Op):
    @staticmethod
    def forward(ctx, a):
        if a.dtype == D.bool_.np:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
                               "to invert a mask, use the `~` or `logical_not()` operator instead.")
        return -a

    @staticmethod
    def backward(ctx, g):
        return -g


def _add(a, b):
    return a + b


def _sub(a, b):
    return a - b


def _mul(a, b):
    return a * b


def _truediv(a, b):
    return a / b


def _floordiv(a, b):
    return a // b


def _pow(a, b):
    return a ** b


# ---- the public functions; Tensor methods and operators reach the same code ----
def _operand(x):
    return x if isinstance(x, Tensor) else to_array_operand(x)


@tensor_method("add")
def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other``, broadcasting, with PyTorch's type promotion."""
    return wrap_out(Add.apply(_operand(input), _operand(other), alpha=alpha), out)


@tensor_method("sub", "subtract")
def sub(input, other, *, alpha=1, out=None):
    return wrap_out(Sub.apply(_operand(input), _operand(other), alpha=alpha), out)


subtract = sub


@tensor_method("mul", "multiply")
def mul(input, other, *, out=None):
    return wrap_out(Mul.apply(_operand(input), _operand(other)), out)


multiply = mul


@tensor_method("div", "divide", "true_divide")
def div(input, other, *, rounding_mode=None, out=None):
    """True division (int / int gives float), or ``rounding_mode='trunc' | 'floor'``."""
    return wrap_out(Div.apply(_operand(input), _operand(other), rounding_mode=rounding_mode), out)


divide = true_divide = div


@tensor_method("floor_divide")
def floor_divide(input, other, *, out=None):
    return wrap_out(Div.apply(_operand(input), _operand(other), rounding_mode="floor"), out)


@tensor_method("pow")
def pow(input, exponent, *, out=None):  # noqa: A001 - PyTorch's name
    return wrap_out(Pow.apply(_operand(input), _operand(exponent)), out)


@tensor_method("neg", "negative", "__neg__")
def neg(input, *, out=None):
    return wrap_out(Neg.apply(input), out)


negative = neg


def _reflected(fn):
    def r(self, other):
        if not isinstance(other, (Tensor, int, float, bool, complex)) and not hasattr(other, "dtype"):
            return NotImplemented
        return fn(other, self)
    return r


def _forward_op(fn):
    def f(self, other):
        if not isinstance(other, (Tensor, int, float, bool, complex)) and not hasattr(other, "dtype"):
            return NotImplemented
        return fn(self, other)
    return f


Tensor.__add__ = _forward_op(add)
Tensor.__radd__ = _reflected(add)
Tensor.__sub__ = _forward_op(sub)
Tensor.__rsub__ = _reflected(sub)
Tensor.__mul__ = _forward_op(mul)
Tensor.__rmul__ = _reflected(mul)
Tensor.__truediv__ = _forward_op(div)
Tensor.__rtruediv__ = _reflected(div)
Tensor.__floordiv__ = _forward_op(floor_divide)
Tensor.__rfloordiv__ = _reflected(floor_divide)
Tensor.__pow__ = _forward_op(pow)
Tensor.__rpow__ = _reflected(pow)
Tensor.__pos__ = lambda self: self
