"""Pointwise binary math: ``+ - * / // % ** neg``, ``atan2 hypot maximum fmod lerp clamp ...``.

PyTorch's promotion (``promote_arrays``) and broadcasting throughout.

Each op is an ``Op`` with its forward (on arrays) and backward (on Tensors)
side by side. Backward may return gradients in the broadcast shape; the
engine sums them back to each input's shape. Complex operands: a gradient is
``g * conj(d out / d input)`` (PyTorch's conjugate Wirtinger convention), hence
the ``_cj`` (``conj_if_complex``: a no-op for real values) in the formulas.
"""

__all__ = ['add', 'sub', 'subtract', 'mul', 'multiply', 'div', 'divide', 'true_divide', 'floor_divide', 'pow', 'neg',
           'negative', 'atan2', 'arctan2', 'hypot', 'maximum', 'minimum', 'fmax', 'fmin', 'fmod', 'remainder',
           'lerp', 'clamp', 'clip', 'clamp_min', 'clamp_max', 'copysign', 'logaddexp', 'logaddexp2', 'xlogy',
           'float_power', 'addcmul', 'addcdiv']

import math
import warnings

import numpy as np

from .. import _dtype as D
from ..autograd.function import _NO_GRAD_CTX
from ..autograd.grad_mode import GradMode
from ._util import (BF16, F16, F32, Op, Tensor, bf16_scalar, broadcast_error, is_reduced, promote_arrays,
                    tensor_method, to_array_operand, wrap_out, xp_of)
from ._util import conj_if_complex as _cj


def _binary(op_name, fn, a, b):
    """``fn(a, b)`` with PyTorch's broadcasting error."""
    try:
        return fn(a, b)
    except ValueError:
        raise broadcast_error(op_name, getattr(a, "shape", ()), getattr(b, "shape", ())) from None


# PyTorch returns inf/nan silently (log(0), 1/0, exp(1000)); NumPy would warn. Ignoring the warnings raised
# from this module's own frames costs nothing per call (``np.errstate`` costs about as much as a small op).
warnings.filterwarnings("ignore", category=RuntimeWarning, module=__name__)


def _check_alpha(alpha, dt):
    """PyTorch's rules for ``alpha`` in add/sub: no float alpha for integer results, bool only for bool."""
    if isinstance(alpha, bool) or (hasattr(alpha, "dtype") and alpha.dtype == np.bool_):
        if dt != D.bool_.np:
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
    elif dt.kind in "biu" and isinstance(alpha, float):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")


def _reduced_alpha(name, fn, a, b, alpha, dt):
    """``a (+/-) alpha * b`` for float16/bfloat16: PyTorch casts ``alpha`` to the dtype, then computes in
    float32 and rounds once."""
    w = F32.type(np.asarray(alpha, dtype=np.float32).astype(dt))
    return _binary(name, fn, _f32(a), w * _f32(b)).astype(dt)


def _f32(x):
    return x.astype(F32) if hasattr(x, "astype") else F32.type(x)


def _is_bool(x):
    return isinstance(x, bool) or (hasattr(x, "dtype") and x.dtype == np.bool_)


class Add(Op):
    @staticmethod
    def forward(ctx, a, b, alpha=1):
        a, b, dt = promote_arrays(a, b)
        ctx.alpha = alpha
        if alpha != 1 or alpha is True:
            _check_alpha(alpha, dt)
            if is_reduced(dt):
                return _reduced_alpha("add", _add, a, b, alpha, dt)
            b = b * alpha if dt != D.bool_.np else b & bool(alpha)
        return _binary("add", _add, a, b)

    @staticmethod
    def backward(ctx, g):
        return g, (g if ctx.alpha == 1 else g * _cj(ctx.alpha))

    backward_data = backward


class Sub(Op):
    @staticmethod
    def forward(ctx, a, b, alpha=1):
        if _is_bool(a) and _is_bool(b):
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
                               "`^` or `logical_xor()` operator instead.")
        if _is_bool(a) or _is_bool(b):
            raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                               "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        a, b, dt = promote_arrays(a, b)
        ctx.alpha = alpha
        if alpha != 1 or alpha is True:
            _check_alpha(alpha, dt)
            if is_reduced(dt):
                return _reduced_alpha("sub", _sub, a, b, alpha, dt)
            b = b * alpha
        return _binary("sub", _sub, a, b)

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.alpha == 1 else g * -_cj(ctx.alpha))

    backward_data = backward


class Mul(Op):
    @staticmethod
    def forward(ctx, a, b):
        a0, b0 = a, b
        a, b, dt = promote_arrays(a, b)
        if dt is BF16 or dt is F16:
            out = _opmath_scalar(_mul, a, b0, dt)
            _save_mul(ctx, a0, b0)      # PyTorch's backward multiplies by the operands as given
            return _binary("mul", _mul, a, b) if out is None else out
        _save_mul(ctx, a, b)
        return _binary("mul", _mul, a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        sa, sb = ctx.scalars
        ga = g * _cj(b if b is not None else sb) if ctx.needs_input_grad[0] else None
        gb = g * _cj(a if a is not None else sa) if len(ctx.needs_input_grad) > 1 and ctx.needs_input_grad[1] \
            else None
        return ga, gb

    @staticmethod
    def backward_data(ctx, g):
        a, b = ctx.saved_data
        sa, sb = ctx.scalars
        needs = ctx.needs_input_grad
        ga = _times(g, _cj(b if b is not None else sb)) if needs[0] else None
        gb = _times(g, _cj(a if a is not None else sa)) if len(needs) > 1 and needs[1] else None
        return ga, gb


def _save_mul(ctx, a, b):
    needs = ctx.needs_input_grad
    if needs:   # save each operand only if the *other* one needs a gradient (as PyTorch does)
        ctx.save_for_backward(a if len(needs) > 1 and needs[1] and not _is_number(a) else None,
                              b if needs[0] and not _is_number(b) else None)
        ctx.scalars = (a, b)


def _times(g, s):
    """``g * s`` for a gradient array; a number multiplies a float16/bfloat16 gradient in float32 (as ``mul``)."""
    if (g.dtype is F16 or g.dtype is BF16) and isinstance(s, (int, float)):
        return (g.astype(F32) * F32.type(s)).astype(g.dtype)
    return g * s


# ---- float16 / bfloat16 (PyTorch's 'reduced floating point' types) ----
# PyTorch's CPU kernels compute these in float32 ('opmath') and round each result once. Two details matter
# for mul and div: when ``other`` is a single value (a Python number, or a one-element tensor) it enters the
# float32 computation at its own precision (x * 0.3 multiplies by float32(0.3), not by 0.3 rounded to
# bfloat16), while add, sub, comparisons ... see the number cast to the tensor's dtype first (promote_arrays).
def _opmath_scalar(fn, a, b, dt):
    """``fn(a, b)`` in float32, rounded to ``dt``, when ``b`` (as given, before promotion) is one value of
    another precision than ``dt``; None otherwise (the usual computation is then exact)."""
    if isinstance(b, _NUMBERS):
        if isinstance(b, complex):
            return None
        with np.errstate(over="ignore"):
            b32 = F32.type(b)
    elif b.size == 1 and b.dtype != dt:
        b32 = b.astype(F32)
    else:
        return None
    return fn(a.astype(F32), b32).astype(dt)


def _given_number(x, given):
    """The Python number an operand was given as (PyTorch's backward uses it at its own precision)."""
    return given if isinstance(given, _NUMBERS) else x


def _trunc_div(a, b):
    return xp_of(a).trunc(a / b)


class Div(Op):
    @staticmethod
    def forward(ctx, a, b, rounding_mode=None):
        a0, b0 = a, b
        a, b, dt = promote_arrays(a, b)
        if (dt is BF16 or dt is F16) and rounding_mode in (None, "trunc", "floor"):
            fn = _truediv if rounding_mode is None else _trunc_div if rounding_mode == "trunc" else _floordiv
            out = _opmath_scalar(fn, a, b0, dt)
            if out is not None:
                if rounding_mode is not None:
                    ctx.rounding = rounding_mode
                elif ctx.needs_input_grad:
                    _save_div(ctx, a0, b0)     # PyTorch's backward uses the operands as given
                return out
            if rounding_mode is None and ctx.needs_input_grad:
                _save_div(ctx, a0, b0)
                return _binary("div", _truediv, a, b)
        xp = xp_of(a if not isinstance(a, (int, float, bool, complex)) else b)
        if rounding_mode is None:
            if dt.kind in "biu":   # int / int is true division in PyTorch
                a = a.astype(D.get_default_dtype().np) if hasattr(a, "astype") else a
                b = b.astype(D.get_default_dtype().np) if hasattr(b, "astype") else b
            if ctx.needs_input_grad:
                _save_div(ctx, _given_number(a, a0), b)
            return _binary("div", _truediv, a, b)
        ctx.rounding = rounding_mode
        if rounding_mode == "trunc":
            if dt.kind in "iu":
                _check_int_div(b, xp)
                q = _binary("div", _floordiv, a, b)    # floor, then one step toward zero where inexact
                return q + ((a % b != 0) & ((a < 0) != (b < 0)))
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
        ga = g / _cj(b_) if ctx.needs_input_grad[0] else None
        gb = None
        if len(ctx.needs_input_grad) > 1 and ctx.needs_input_grad[1]:
            a_ = a if a is not None else sa
            gb = -g * _cj((a_ / b_) / b_)    # PyTorch's formula (its rounding too)
        return ga, gb


def _save_div(ctx, a, b):
    needs = ctx.needs_input_grad   # a is only needed for b's gradient
    ctx.save_for_backward(a if len(needs) > 1 and needs[1] and not _is_number(a) else None,
                          None if _is_number(b) else b)
    ctx.scalars = (a, b)


def _check_int_div(b, xp=None):
    """Integer division by zero is PyTorch's RuntimeError (NumPy would silently give 0)."""
    if (b == 0).any() if hasattr(b, "any") else b == 0:
        raise RuntimeError("ZeroDivisionError")


class Pow(Op):
    @staticmethod
    def forward(ctx, a, b):
        a0, b0 = a, b
        a, b, dt = promote_arrays(a, b)
        if dt.kind in "iu" and not isinstance(b, (int, bool)) and hasattr(b, "shape") and (b < 0).any():
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if dt.kind in "iu" and isinstance(b, int) and b < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if dt is BF16 and type(b0) in (int, float) and (b0 == 3 or b0 == -2) and not _is_number(a0):
            # PyTorch's bfloat16 pow by 3 / -2 multiplies in bfloat16, rounding each product
            sq = a * a
            out = sq * a if b0 == 3 else BF16.type(1) / sq
        else:
            out = _binary("pow", _pow, a, b)
        a, b = _given_number(a, a0), _given_number(b, b0)
        ctx.save_for_backward(None if _is_number(a) else a, None if _is_number(b) else b, out)
        ctx.scalars = (a, b)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        sa, sb = ctx.scalars
        ga = gb = None
        if ctx.needs_input_grad[0]:
            if b is None:   # scalar exponent
                ga = g * 0 if sb == 0 else g * _cj(sb * a ** (sb - 1))
            else:           # d/da a^b = b * a^(b-1), defined as 0 where b == 0
                ga = g * _cj((b * a ** (b - 1)).masked_fill(b == 0, 0))
        if len(ctx.needs_input_grad) > 1 and ctx.needs_input_grad[1]:
            if a is None and isinstance(sa, (int, float)):
                # a number base: PyTorch multiplies by log(base) taken in double precision
                lg = math.log(sa) if sa > 0 else -math.inf if sa == 0 else math.nan
                gb = g * _cj((out * lg).masked_fill(b >= 0, 0) if sa == 0 else out * lg)
            else:
                base = a if a is not None else Tensor._wrap(xp_of(out._data).asarray(sa, dtype=out._data.dtype))
                # d/db a^b = a^b * log(a), defined as 0 where a == 0 and b >= 0
                gb = g * _cj((out * base.log()).masked_fill((base == 0) & (b >= 0), 0))
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

    backward_data = backward


def _is_number(x):
    return isinstance(x, (int, float, bool, complex))


def _number(x):
    """A scalar argument such as ``alpha`` may come as a 0-dim tensor (PyTorch accepts both)."""
    return x.item() if isinstance(x, Tensor) else x


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
    return wrap_out(Add.apply(_operand(input), _operand(other), alpha=_number(alpha)), out)


@tensor_method("sub", "subtract")
def sub(input, other, *, alpha=1, out=None):
    return wrap_out(Sub.apply(_operand(input), _operand(other), alpha=_number(alpha)), out)


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


_new = object.__new__
_ndarray = np.ndarray


def _fast_operator(op, fn, ufunc, opmath=False):
    """``x (op) y`` with a fast path for the common case: float tensors of one dtype (or a float tensor and a
    Python number) on the CPU. It skips argument parsing and promotion, which then have nothing to do, and
    otherwise falls back to ``fn`` (promotion, broadcasting errors, other devices). Same results either way.
    """
    slow = _forward_op(fn)

    def method(self, other):
        a = self._data
        if type(a) is _ndarray and a.dtype.kind == "f":
            if type(other) is Tensor:
                b = other._data
                if type(b) is _ndarray and b.dtype is a.dtype:
                    if self._requires_grad or other._requires_grad:
                        if GradMode.enabled:
                            return op._apply_with_grad((self, other), [a, b], {})
                    try:
                        out = ufunc(a, b)
                    except ValueError:
                        return slow(self, other)
                    if type(out) is _ndarray:
                        t = _new(Tensor)
                        t._data, t._version, t._requires_grad, t._grad_fn = out, [0], False, None
                        return t
            elif type(other) is float or type(other) is int:
                if opmath and a.dtype is F16:   # float16 * number: PyTorch multiplies in float32 (Mul)
                    return slow(self, other)
                if self._requires_grad and GradMode.enabled:
                    return op._apply_with_grad((self, other), [a, other], {})
                out = ufunc(a, other)
                if type(out) is _ndarray:
                    t = _new(Tensor)
                    t._data, t._version, t._requires_grad, t._grad_fn = out, [0], False, None
                    return t
        return slow(self, other)
    method.__name__ = f"__{fn.__name__}__"
    return method


def _rmul(self, other):
    """``other * self`` is ``self.mul(other)`` in PyTorch (the number is the second operand, see ``Mul``)."""
    if not isinstance(other, (Tensor, int, float, bool, complex)) and not hasattr(other, "dtype"):
        return NotImplemented
    return mul(self, other)


def _rtruediv(self, other):
    """``other / self``. PyTorch's ``Tensor.__rtruediv__`` is ``self.reciprocal() * other``: followed for
    float16/bfloat16, where the two roundings show; otherwise one division (within an ulp of it, faster)."""
    if not isinstance(other, (Tensor, int, float, bool, complex)) and not hasattr(other, "dtype"):
        return NotImplemented
    d = self._data.dtype
    if d is BF16 or d is F16:
        return mul(self.reciprocal(), other)
    return div(other, self)


Tensor.__add__ = _fast_operator(Add, add, np.add)
Tensor.__radd__ = _reflected(add)
Tensor.__sub__ = _fast_operator(Sub, sub, np.subtract)
Tensor.__rsub__ = _reflected(sub)
Tensor.__mul__ = _fast_operator(Mul, mul, np.multiply, opmath=True)
Tensor.__rmul__ = _rmul
Tensor.__truediv__ = _fast_operator(Div, div, np.true_divide, opmath=True)
Tensor.__rtruediv__ = _rtruediv
Tensor.__floordiv__ = _forward_op(floor_divide)
Tensor.__rfloordiv__ = _reflected(floor_divide)
Tensor.__pow__ = _forward_op(pow)
Tensor.__rpow__ = _reflected(pow)
Tensor.__pos__ = lambda self: self


# ---- more binary math: forward on arrays, backward on Tensors ----
_NUMBERS = (bool, int, float, complex)


def _is_number(x):
    return isinstance(x, _NUMBERS)


def _need_tensor(fname, argname, pos, value):
    """PyTorch's TypeError for functions whose operand must be a Tensor (``torch.maximum(x, 1.)``)."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be Tensor, not "
                        f"{type(value).__name__}")


def _save_operands(ctx, *vals):
    """Save array operands for backward (version-checked) and keep Python-number operands as they are."""
    if ctx is _NO_GRAD_CTX:      # no graph is being built: nothing to save
        return
    ctx.save_for_backward(*[None if isinstance(v, _NUMBERS) else v for v in vals])
    ctx.numbers = tuple([v if isinstance(v, _NUMBERS) else None for v in vals])


def _operands(ctx):
    """The operands saved by ``_save_operands``: Tensors, or the Python numbers given."""
    return tuple(n if t is None else t for t, n in zip(ctx.saved_tensors, ctx.numbers))


def _wants(ctx, i):
    return len(ctx.needs_input_grad) > i and ctx.needs_input_grad[i]


def _float_operands(a, b):
    """Promote, then integers/bools to the default float dtype (ops whose result is always floating)."""
    a, b, dt = promote_arrays(a, b)
    if dt.kind in "biu":
        f = D.get_default_dtype().np
        a = a.astype(f) if hasattr(a, "astype") else a
        b = b.astype(f) if hasattr(b, "astype") else b
    return a, b


def _xp2(a, b):
    return xp_of(b if _is_number(a) else a)


def _no_int(kernel, dt):
    if dt.kind in "biu":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_LEGACY.get(dt.name, dt.name)}'")


_LEGACY = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


class Atan2(Op):
    """The angle of the point (other, input) in radians, in [-pi, pi]."""

    @staticmethod
    def forward(ctx, a, b):
        a, b = _float_operands(a, b)
        _save_operands(ctx, a, b)
        return _binary("atan2", _xp2(a, b).arctan2, a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = _operands(ctx)
        r = g / (a * a + b * b)
        return r * b, -r * a


class Hypot(Op):
    """sqrt(input**2 + other**2) without overflow; float tensors only (as in PyTorch)."""

    @staticmethod
    def forward(ctx, a, b):
        a, b, dt = promote_arrays(a, b)
        _no_int("hypot_cpu", dt)
        y = _binary("hypot", xp_of(a).hypot, a, b)
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    def backward(ctx, g):
        a, b, y = ctx.saved_tensors
        return g * a / y, g * b / y


class _MaxMin(Op):
    """maximum/minimum propagate NaN; a tie sends half the gradient to each side (as PyTorch)."""
    _np = None

    @classmethod
    def _fwd(cls, ctx, a, b, name):
        a, b, _ = promote_arrays(a, b)
        _save_operands(ctx, a, b)
        return _binary(name, getattr(_xp2(a, b), cls._np), a, b)

    @staticmethod
    def _bwd(ctx, g, a_loses, b_loses):
        # PyTorch's formula: a tie halves the gradient; NaN (all comparisons false) sends it to both sides
        a, b = _operands(ctx)
        shared = g.where(a != b, g / 2)
        zero = g * 0
        ga = shared.where(~a_loses, zero) if _wants(ctx, 0) else None
        gb = shared.where(~b_loses, zero) if _wants(ctx, 1) else None
        return ga, gb


class Maximum(_MaxMin):
    _np = "maximum"

    @staticmethod
    def forward(ctx, a, b):
        return Maximum._fwd(ctx, a, b, "maximum")

    @staticmethod
    def backward(ctx, g):
        a, b = _operands(ctx)
        return _MaxMin._bwd(ctx, g, a < b, a > b)


class Minimum(_MaxMin):
    _np = "minimum"

    @staticmethod
    def forward(ctx, a, b):
        return Minimum._fwd(ctx, a, b, "minimum")

    @staticmethod
    def backward(ctx, g):
        a, b = _operands(ctx)
        return _MaxMin._bwd(ctx, g, a > b, a < b)


class Fmax(Op):
    """Like maximum, but a NaN loses to a number; the gradient goes wholly to the chosen side."""

    @staticmethod
    def forward(ctx, a, b):
        a, b, _ = promote_arrays(a, b)
        _save_operands(ctx, a, b)
        return _binary("fmax", _xp2(a, b).fmax, a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = _operands(ctx)
        a_wins = (a >= b) | b.isnan()
        return g.where(a_wins, g * 0), (g * 0).where(a_wins, g)


class Fmin(Op):
    @staticmethod
    def forward(ctx, a, b):
        a, b, _ = promote_arrays(a, b)
        _save_operands(ctx, a, b)
        return _binary("fmin", _xp2(a, b).fmin, a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = _operands(ctx)
        a_wins = (a <= b) | b.isnan()
        return g.where(a_wins, g * 0), (g * 0).where(a_wins, g)


class Fmod(Op):
    """C's fmod: the remainder has the sign of the dividend (``input``)."""

    @staticmethod
    def forward(ctx, a, b):
        a, b, dt = promote_arrays(a, b)
        if dt.kind in "iu":
            _check_int_div(b)
        _save_operands(ctx, a, b)
        return _binary("fmod", _xp2(a, b).fmod, a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = _operands(ctx)
        gb = -g * div(a, b, rounding_mode="trunc") if _wants(ctx, 1) else None
        return g, gb


class Remainder(Op):
    """Python's ``%``: the remainder has the sign of the divisor (``other``)."""

    @staticmethod
    def forward(ctx, a, b):
        a, b, dt = promote_arrays(a, b)
        if dt.kind in "iu":
            _check_int_div(b)
        _save_operands(ctx, a, b)
        return _binary("remainder", _xp2(a, b).remainder, a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = _operands(ctx)
        gb = -g * div(a, b, rounding_mode="floor") if _wants(ctx, 1) else None
        return g if _wants(ctx, 0) else None, gb


class Lerp(Op):
    """start + weight * (end - start), in PyTorch's two-sided form (exact at weight 0 and 1)."""
    node_name = "LerpBackward0"

    @staticmethod
    def forward(ctx, start, end, weight):
        if start.dtype.kind in "biu":
            raise NotImplementedError(f"\"lerp_kernel_scalar\" not implemented for "
                                      f"'{_LEGACY.get(start.dtype.name)}'")
        for what, arr in (("end", end), ("weight", weight)):
            if hasattr(arr, "dtype") and arr.dtype != start.dtype:
                raise RuntimeError(f"expected dtype {_c10_name(start.dtype)} for `{what}` but got dtype "
                                   f"{_c10_name(arr.dtype)}")
        _save_operands(ctx, start, end, weight)
        xp = xp_of(start)
        if start.dtype is BF16 or start.dtype is F16:
            return _reduced_lerp(xp, start, end, weight)
        diff = _binary("lerp", _sub, end, start)
        w = weight
        if _is_number(w):        # a Python weight picks one side (CuPy ufuncs take no bare Python numbers)
            out = start + w * diff if abs(w) < 0.5 else end - diff * (1 - w)
        else:
            out = xp.where(xp.abs(w) < 0.5, start + w * diff, end - diff * (1 - w))
        return out.astype(start.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        start, end, w = _operands(ctx)
        return (g * _cj(1 - w) if _wants(ctx, 0) else None, g * _cj(w) if _wants(ctx, 1) else None,
                g * _cj(end - start) if _wants(ctx, 2) else None)


def _reduced_lerp(xp, start, end, weight):
    """PyTorch's float16/bfloat16 lerp: in float32, ``base + coeff * (end - start)`` with one rounding (its
    fused multiply-add, done here in float64), ``base, coeff = start, w`` where |w| < 0.5, else ``end, w - 1``."""
    s32, e32 = start.astype(F32), end.astype(F32)
    diff = _binary("lerp", _sub, e32, s32)
    w = F32.type(weight) if _is_number(weight) else weight.astype(F32)
    small = xp.abs(w) < 0.5
    coeff = xp.where(small, w, w - F32.type(1))
    base = xp.where(small, s32, e32)
    f64 = np.float64
    out = coeff.astype(f64) * diff.astype(f64) + base.astype(f64)
    return out.astype(F32).astype(start.dtype)


def _c10_name(np_dtype):
    name = D._FROM_NP[np_dtype].name
    return {"float32": "float", "float64": "double", "float16": "half", "int64": "long", "int32": "int",
            "int16": "short", "int8": "signed char", "uint8": "unsigned char"}.get(name, name)


class LerpT(Lerp):
    node_name = "LerpBackward1"


class Clamp(Op):
    """min(max(input, min), max); the gradient flows where min <= input <= max (NaN propagates)."""
    node_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, x, lo, hi):
        xp = xp_of(x)
        if x.dtype.kind != "f" or not (_real_or_none(lo) and _real_or_none(hi)):
            # bounds may change the dtype (int tensor, float bound -> float), as PyTorch promotes
            dt = D.result_type_of(x, *(v for v in (lo, hi) if v is not None)).np
            x = x.astype(dt) if x.dtype != dt else x
            if dt.kind in "iu":
                info = np.iinfo(dt)
                for v in (lo, hi):
                    if _is_number(v) and not info.min <= v <= info.max:
                        raise RuntimeError(f"value cannot be converted to type {dt.name}_t without overflow")
            lo = lo.astype(dt) if hasattr(lo, "astype") else lo
            hi = hi.astype(dt) if hasattr(hi, "astype") else hi
        _save_operands(ctx, x, lo, hi)
        if x.dtype is BF16:   # a number bound as bfloat16 (ml_dtypes would make bfloat16 vs number float32)
            lo = bf16_scalar(lo) if _is_number(lo) else lo
            hi = bf16_scalar(hi) if _is_number(hi) else hi
        y = x
        if lo is not None:
            y = _binary("clamp", xp.maximum, y, lo)     # propagates NaN (input's or a bound's)
        if hi is not None:
            y = _binary("clamp", xp.minimum, y, hi)
        return x.copy() if y is x else y

    @staticmethod
    def backward(ctx, g):
        x, lo, hi = _operands(ctx)
        inside = None
        if lo is not None:
            inside = x >= lo
        if hi is not None:
            inside = (x <= hi) if inside is None else inside & (x <= hi)
        zero = g * 0
        g_lo = g_hi = None
        # PyTorch's rule: where min > max the result is max, so the gradient goes to max
        if isinstance(lo, Tensor) and _wants(ctx, 1):
            g_lo = g.where((x < lo) & (lo < hi) if hi is not None else x < lo, zero)
        if isinstance(hi, Tensor) and _wants(ctx, 2):
            g_hi = g.where((x > hi) | (hi < lo) if lo is not None else x > hi, zero)
        return g.where(inside, zero), g_lo, g_hi


def _real_or_none(v):
    """A bound that cannot change a float tensor's dtype: None or a real Python number."""
    return v is None or isinstance(v, (int, float))


class ClampT(Clamp):
    node_name = "ClampBackward0"


class Copysign(Op):
    """|input| with the sign of ``other`` (a float result); no gradient to ``other``."""

    @staticmethod
    def forward(ctx, a, b):
        a, b = _float_operands(a, b)
        y = _binary("copysign", _xp2(a, b).copysign, a, b)
        ctx.save_for_backward(a if hasattr(a, "shape") else None, y)
        return y

    @staticmethod
    def backward(ctx, g):
        a, y = ctx.saved_tensors
        ga = None
        if _wants(ctx, 0):
            ga = g * (y / a).masked_fill(a == 0, 0)
        return ga, (g * 0 if _wants(ctx, 1) else None)


class Logaddexp(Op):
    """log(exp(a) + exp(b)) without overflow; float tensors only."""

    @staticmethod
    def forward(ctx, a, b):
        a, b, dt = promote_arrays(a, b)
        _no_int("logaddexp_cpu", dt)
        _save_operands(ctx, a, b)
        return _binary("logaddexp", _xp2(a, b).logaddexp, a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = _operands(ctx)
        return g / (1 + (b - a).exp()), g / (1 + (a - b).exp())


class Logaddexp2(Op):
    """log2(2**a + 2**b) without overflow; float tensors only."""

    @staticmethod
    def forward(ctx, a, b):
        a, b, dt = promote_arrays(a, b)
        _no_int("logaddexp2_cpu", dt)
        _save_operands(ctx, a, b)
        return _binary("logaddexp2", _xp2(a, b).logaddexp2, a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = _operands(ctx)
        return g / (1 + (b - a).exp2()), g / (1 + (a - b).exp2())


class Xlogy(Op):
    """x * log(y), defined as 0 where x == 0 (unless y is NaN): the entropy term."""

    @staticmethod
    def forward(ctx, a, b):
        a, b = _float_operands(a, b)
        xp = _xp2(a, b)
        _save_operands(ctx, a, b)
        # a Python-number ``other`` becomes a 0-dim array of input's dtype (its log would be a float64 scalar)
        b_arr = xp.asarray(b, dtype=a.dtype) if _is_number(b) else b
        y = _binary("xlogy", _mul, a, xp.log(b_arr))
        return xp.where((a == 0) & ~xp.isnan(b), 0, y).astype(y.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        a, b = _operands(ctx)
        ga = gb = None
        if _wants(ctx, 0):
            ga = g * xlogy(a != 0, b)
        if _wants(ctx, 1):
            gb = g * a / b
        return ga, gb


class Addcmul(Op):
    """input + value * tensor1 * tensor2."""

    @staticmethod
    def forward(ctx, x, t1, t2, value=1):
        p, q, _ = promote_arrays(t1, t2)
        dt = D.result_type_of(x, p).np
        if dt.kind in "biu":
            value = int(value)
        _save_operands(ctx, t1, t2)
        ctx.value = value
        if dt is BF16 or dt is F16:   # PyTorch: self + value * t1 * t2 in float32, rounded once
            return _binary("addcmul", _add, x.astype(F32), F32.type(value) * p.astype(F32) * q.astype(F32)).astype(dt)
        prod = _binary("addcmul", _mul, p, q)
        prod = prod * value if value != 1 else prod
        x, prod, _ = promote_arrays(x, prod.astype(dt, copy=False))
        return _binary("addcmul", _add, x, prod)

    @staticmethod
    def backward(ctx, g):
        t1, t2 = _operands(ctx)
        v = ctx.value
        return (g, g * _cj(t2 * v) if _wants(ctx, 1) else None, g * _cj(t1 * v) if _wants(ctx, 2) else None)


class Addcdiv(Op):
    """input + value * tensor1 / tensor2 (float only: integer division here is refused, as in PyTorch)."""

    @staticmethod
    def forward(ctx, x, t1, t2, value=1):
        if t1.dtype.kind in "biu" and t2.dtype.kind in "biu":
            raise RuntimeError(
                "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will "
                "perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
                "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer "
                "inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior "
                "is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes.")
        p, q, _ = promote_arrays(t1, t2)
        dt = D.result_type_of(x, p).np
        _save_operands(ctx, t1, t2)
        ctx.value = value
        if dt is BF16 or dt is F16:   # PyTorch: self + value * t1 / t2 in float32, rounded once
            q32 = _binary("addcdiv", _truediv, F32.type(value) * p.astype(F32), q.astype(F32))
            return _binary("addcdiv", _add, x.astype(F32), q32).astype(dt)
        quo = _binary("addcdiv", _truediv, p, q)
        quo = quo * value if value != 1 else quo
        x, quo, _ = promote_arrays(x, quo.astype(dt, copy=False))
        return _binary("addcdiv", _add, x, quo)

    @staticmethod
    def backward(ctx, g):
        t1, t2 = _operands(ctx)
        v = ctx.value
        # PyTorch's formulas; ``value / tensor2`` is ATen's Scalar / Tensor: a full tensor divided by tensor2
        return (g, g * _cj(div(v, t2)) if _wants(ctx, 1) else None,
                -g * _cj(v * t1 / (t2 * t2)) if _wants(ctx, 2) else None)


# ---- their public functions ----
@tensor_method("atan2", "arctan2")
def atan2(input, other, *, out=None):
    """The angle of (other, input), elementwise, in radians (``torch.atan2``)."""
    _need_tensor("atan2", "input", 1, input)
    _need_tensor("atan2", "other", 2, other)
    return wrap_out(Atan2.apply(input, other), out)


arctan2 = atan2


@tensor_method("hypot")
def hypot(input, other, *, out=None):
    """sqrt(input**2 + other**2), elementwise."""
    _need_tensor("hypot", "other", 2, other)
    return wrap_out(Hypot.apply(input, other), out)


def _maxmin_fn(name, op):
    def fn(input, other, *, out=None):
        _need_tensor(name, "input", 1, input)
        _need_tensor(name, "other", 2, other)
        return wrap_out(op.apply(input, other), out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{name}`` of two tensors, broadcasting (``torch.{name}``)."
    return tensor_method(name)(fn)


maximum = _maxmin_fn("maximum", Maximum)
minimum = _maxmin_fn("minimum", Minimum)
fmax = _maxmin_fn("fmax", Fmax)
fmin = _maxmin_fn("fmin", Fmin)


@tensor_method("fmod")
def fmod(input, other, *, out=None):
    """The remainder of input / other with the sign of ``input`` (C's fmod)."""
    _need_tensor("fmod", "input", 1, input)
    return wrap_out(Fmod.apply(input, _operand(other)), out)


@tensor_method("remainder")
def remainder(input, other, *, out=None):
    """Python's modulus ``input % other``: the result has the sign of ``other``."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError("remainder(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    return wrap_out(Remainder.apply(_operand(input), _operand(other)), out)


@tensor_method("lerp")
def lerp(input, end, weight, *, out=None):
    """Linear interpolation ``input + weight * (end - input)``; ``weight`` a number or a tensor."""
    _need_tensor("lerp", "end", 2, end)
    if isinstance(weight, Tensor):
        return wrap_out(LerpT.apply(input, end, weight), out)
    return wrap_out(Lerp.apply(input, end, _operand(weight)), out)


@tensor_method("clamp", "clip")
def clamp(input, min=None, max=None, *, out=None):  # noqa: A002 - PyTorch's names
    """Limit ``input`` to [min, max]; either bound may be None (not both), a number or a tensor."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        if (min is not None and not isinstance(min, Tensor)) or (max is not None and not isinstance(max, Tensor)):
            raise TypeError("clamp() received an invalid combination of arguments: min and max must both be "
                            "Tensors or both be numbers (or None); wrap the number with torch.tensor(...)")
        return wrap_out(ClampT.apply(input, min, max), out)
    return wrap_out(Clamp.apply(input, _operand(min) if min is not None else None,
                                _operand(max) if max is not None else None), out)


clip = clamp


@tensor_method("clamp_min")
def clamp_min(input, min, *, out=None):  # noqa: A002
    return clamp(input, min, None, out=out)


@tensor_method("clamp_max")
def clamp_max(input, max, *, out=None):  # noqa: A002
    return clamp(input, None, max, out=out)


@tensor_method("copysign")
def copysign(input, other, *, out=None):
    """|input| with the sign of ``other`` (a float result, also for integer inputs)."""
    return wrap_out(Copysign.apply(input, _operand(other)), out)


@tensor_method("logaddexp")
def logaddexp(input, other, *, out=None):
    """log(exp(input) + exp(other)), computed without overflow."""
    _need_tensor("logaddexp", "other", 2, other)
    return wrap_out(Logaddexp.apply(input, other), out)


@tensor_method("logaddexp2")
def logaddexp2(input, other, *, out=None):
    _need_tensor("logaddexp2", "other", 2, other)
    return wrap_out(Logaddexp2.apply(input, other), out)


@tensor_method("xlogy")
def xlogy(input, other, *, out=None):
    """input * log(other), with 0 where input == 0 (either argument may be a number)."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"xlogy(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
    return wrap_out(Xlogy.apply(_operand(input), _operand(other)), out)


@tensor_method("float_power")
def float_power(input, exponent, *, out=None):
    """``input ** exponent`` computed in double precision (float64, or complex128 for complex operands)."""
    cplx = any(isinstance(v, complex) or (isinstance(v, Tensor) and v.is_complex()) for v in (input, exponent))
    dt = D.complex128 if cplx else D.float64

    def conv(v):
        if isinstance(v, Tensor):
            return v.to(dt)
        return complex(v) if cplx else float(v)
    if not isinstance(input, Tensor):
        input = Tensor._wrap(xp_of(exponent._data).asarray(conv(input), dtype=dt.np))
    return wrap_out(pow(conv(input), conv(exponent)), out)


@tensor_method("addcmul")
def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 * tensor2, broadcasting."""
    _need_tensor("addcmul", "tensor1", 2, tensor1)
    _need_tensor("addcmul", "tensor2", 3, tensor2)
    return wrap_out(Addcmul.apply(input, tensor1, tensor2, value=value), out)


@tensor_method("addcdiv")
def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 / tensor2, broadcasting (floating tensors)."""
    _need_tensor("addcdiv", "tensor1", 2, tensor1)
    _need_tensor("addcdiv", "tensor2", 3, tensor2)
    return wrap_out(Addcdiv.apply(input, tensor1, tensor2, value=value), out)


Tensor.__mod__ = _forward_op(remainder)
Tensor.__rmod__ = _reflected(remainder)


def inplace_methods(*names, operators=()):
    """``Tensor.name_`` for each out-of-place ``name`` (and ``__iop__`` operators), with PyTorch's in-place
    semantics from ``ops/inplace.py``. That module imports this one, so it is reached when first called."""
    for name in names:
        fn = getattr(Tensor, name)

        def method(self, *args, _fn=fn, _name=name + "_", **kwargs):
            from .inplace import apply_inplace
            return apply_inplace(self, lambda s: _fn(s, *args, **kwargs), _name)
        method.__name__ = method.__qualname__ = name + "_"
        setattr(Tensor, name + "_", method)
    for dunder, name in operators:
        fn = getattr(Tensor, name)

        def op(self, other, _fn=fn, _name=name + "_"):
            from .inplace import apply_inplace
            return apply_inplace(self, lambda s: _fn(s, other), _name)
        setattr(Tensor, dunder, op)


inplace_methods("atan2", "arctan2", "hypot", "fmod", "remainder", "lerp", "clamp", "clip", "clamp_min", "clamp_max",
                "copysign", "xlogy", "float_power", "addcmul", "addcdiv",
                operators=(("__imod__", "remainder"),))
_float_power_inplace = Tensor.float_power_


def float_power_(self, exponent):
    """In-place ``float_power``: only a double (or complex double) tensor can hold its result."""
    cplx = self.is_complex() or isinstance(exponent, complex) or (isinstance(exponent, Tensor)
                                                                 and exponent.is_complex())
    want = D.complex128 if cplx else D.float64
    if self.dtype is not want:
        names = {D.float32: "Float", D.float64: "Double", D.float16: "Half", D.int64: "Long", D.int32: "Int",
                 D.complex128: "ComplexDouble", D.complex64: "ComplexFloat"}
        raise RuntimeError(f"the base given to float_power_ has dtype {names.get(self.dtype, self.dtype.name)} but "
                           f"the operation's result requires dtype {names[want]}; use x = x.float_power(...) or "
                           "convert x with x.double() first")
    return _float_power_inplace(self, exponent)


Tensor.float_power_ = float_power_
