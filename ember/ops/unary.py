"""Unary math: ``exp log sqrt abs sin erf floor ...``, forward on arrays and backward on Tensors.

Integer and bool inputs of the transcendental functions give the default
float dtype, as in PyTorch; rounding ops, ``sign``, ``abs`` and ``square`` keep
integer dtypes. Most ops here are made by ``_float_unary``: one line names the
forward (on an ``xp`` array) and the backward (on Tensors, with Ember ops, so
that double backward works) side by side.
"""
import math
import warnings

import numpy as np

from .. import _dtype as D
from .._dtype import _ml_dtypes
from ._util import BF16, F16, F32, Op, Tensor, as_float_array, tensor_method, wrap_out, xp_of

__all__ = ['exp', 'log', 'sqrt', 'abs', 'absolute', 'sign', 'sgn', 'tanh', 'sigmoid',
           'exp2', 'expm1', 'log2', 'log10', 'log1p', 'rsqrt', 'square', 'sin', 'cos', 'tan', 'asin', 'acos',
           'atan', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'asinh', 'acosh', 'atanh', 'arcsinh', 'arccosh',
           'arctanh', 'logit', 'erf', 'erfc', 'erfinv', 'floor', 'ceil', 'round', 'trunc', 'fix', 'frac',
           'reciprocal', 'nan_to_num', 'angle', 'real', 'imag', 'positive', 'deg2rad', 'rad2deg']

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_SQRT_PI = math.sqrt(math.pi)
_TWO_OVER_SQRT_PI = 2.0 / _SQRT_PI


# PyTorch returns inf/nan silently (log(0), 1/0, exp(1000)); NumPy would warn. Ignoring the warnings raised
# from this module's own frames costs nothing per call (``np.errstate`` costs about as much as a small op).
warnings.filterwarnings("ignore", category=RuntimeWarning, module=__name__)


def _float_unary(name, forward, backward, saves="", node_name=None):
    """Make the Op class ``name``.

    ``forward(xp, x) -> y`` runs on a float array (ints/bools converted first);
    ``backward(g, x, y) -> grad`` runs on Tensors; ``saves`` says which of
    ``x`` (input) and ``y`` (output) backward needs (saving only those keeps
    in-place checks as precise as PyTorch's). ``backward`` is ``g * f'(x)``;
    for complex inputs the gradient is ``g * conj(f'(x))`` (PyTorch's conjugate
    Wirtinger convention), computed as ``conj(backward(conj(g), x, y))``.
    """
    def fwd(ctx, x):
        x = as_float_array(x)
        if x.dtype is BF16 or x.dtype is F16:   # PyTorch computes in float32 and rounds once
            y = forward(xp_of(x), x.astype(F32)).astype(x.dtype)
        else:
            y = forward(xp_of(x), x)
        ctx.save_for_backward(x if "x" in saves else None, y if "y" in saves else None)
        return y

    def bwd(ctx, g):
        x, y = ctx.saved_tensors
        if g._data.dtype.kind == "c":      # a complex output: the op ran on a complex input
            return backward(g.conj(), x, y).conj()
        return backward(g, x, y)
    ns = {"forward": staticmethod(fwd), "backward": staticmethod(bwd)}
    if node_name:
        ns["node_name"] = node_name
    return type(name, (Op,), ns)


def _fused(fn, g, *ts):
    """``fn(g, *ts)``, for float16/bfloat16 computed in float32 and rounded once: PyTorch's fused backward
    kernels (``sigmoid_backward``, ``tanh_backward``) do that."""
    d = g._data.dtype
    if d is BF16 or d is F16:
        return fn(g.float(), *[t.float() for t in ts]).to(g.dtype)
    return fn(g, *ts)


def _zero_grad(g):
    """The gradient of a piecewise-constant op (floor, sign ...): zeros, even where ``g`` is inf/nan."""
    return g.new_zeros(g.shape)


# ---- exponentials and logarithms ----
Exp = _float_unary("Exp", lambda xp, x: xp.exp(x), lambda g, x, y: g * y, "y")
Exp2 = _float_unary("Exp2", lambda xp, x: xp.exp2(x), lambda g, x, y: g * y * _LN2, "y")
Expm1 = _float_unary("Expm1", lambda xp, x: xp.expm1(x), lambda g, x, y: g * (y + 1), "y")
Log = _float_unary("Log", lambda xp, x: xp.log(x), lambda g, x, y: g / x, "x")
Log2 = _float_unary("Log2", lambda xp, x: xp.log2(x), lambda g, x, y: g / (x * _LN2), "x")
Log10 = _float_unary("Log10", lambda xp, x: xp.log10(x), lambda g, x, y: g / (x * _LN10), "x")
Log1p = _float_unary("Log1p", lambda xp, x: xp.log1p(x), lambda g, x, y: g / (x + 1), "x")
Sqrt = _float_unary("Sqrt", lambda xp, x: xp.sqrt(x), lambda g, x, y: g / (2 * y), "y")
Rsqrt = _float_unary("Rsqrt", lambda xp, x: 1 / xp.sqrt(x), lambda g, x, y: -0.5 * g * y.pow(3), "y")
Reciprocal = _float_unary("Reciprocal", lambda xp, x: 1 / x, lambda g, x, y: -g * (y * y), "y")

# ---- trigonometric and hyperbolic ----
Sin = _float_unary("Sin", lambda xp, x: xp.sin(x), lambda g, x, y: g * x.cos(), "x")
Cos = _float_unary("Cos", lambda xp, x: xp.cos(x), lambda g, x, y: -g * x.sin(), "x")
Tan = _float_unary("Tan", lambda xp, x: xp.tan(x), lambda g, x, y: g * (1 + y * y), "y")
Asin = _float_unary("Asin", lambda xp, x: xp.arcsin(x), lambda g, x, y: g * (1 - x * x).rsqrt(), "x")
Acos = _float_unary("Acos", lambda xp, x: xp.arccos(x), lambda g, x, y: -g * (1 - x * x).rsqrt(), "x")
Atan = _float_unary("Atan", lambda xp, x: xp.arctan(x), lambda g, x, y: g / (1 + x * x), "x")
Sinh = _float_unary("Sinh", lambda xp, x: xp.sinh(x), lambda g, x, y: g * x.cosh(), "x")
Cosh = _float_unary("Cosh", lambda xp, x: xp.cosh(x), lambda g, x, y: g * x.sinh(), "x")
Tanh = _float_unary("Tanh", lambda xp, x: xp.tanh(x), lambda g, x, y: _fused(lambda g, y: g * (1 - y * y), g, y),
                     "y")
Asinh = _float_unary("Asinh", lambda xp, x: xp.arcsinh(x), lambda g, x, y: g * (x * x + 1).rsqrt(), "x")
# complex: 1/sqrt(x^2 - 1) is on the wrong branch for Re(x) < -1; PyTorch takes the two factors apart there
Acosh = _float_unary("Acosh", lambda xp, x: xp.arccosh(x), lambda g, x, y: g * (
    (x + 1).rsqrt() * (x - 1).rsqrt() if x.is_complex() else (x * x - 1).rsqrt()), "x")
Atanh = _float_unary("Atanh", lambda xp, x: xp.arctanh(x), lambda g, x, y: g / (1 - x * x), "x")
Deg2rad = _float_unary("Deg2rad", lambda xp, x: x * (math.pi / 180), lambda g, x, y: g * (math.pi / 180))
Rad2deg = _float_unary("Rad2deg", lambda xp, x: x * (180 / math.pi), lambda g, x, y: g * (180 / math.pi))


def _sigmoid(xp, x):
    # split by sign so exp never overflows
    y = xp.empty_like(x)
    pos = x >= 0
    y[pos] = 1 / (1 + xp.exp(-x[pos]))
    e = xp.exp(x[~pos])
    y[~pos] = e / (1 + e)
    return y


Sigmoid = _float_unary("Sigmoid", _sigmoid, lambda g, x, y: _fused(lambda g, y: g * (1 - y) * y, g, y), "y")


# ---- the error function, float64-accurate, in xp (NumPy has no erf; SciPy is not a dependency) ----
def _erf_series(a, xp):
    """erf(a) for 0 <= a < 2: 2/sqrt(pi) exp(-a^2) sum_n (2a^2)^n a / (1*3*...*(2n+1)).

    Every term is positive, so there is no cancellation (unlike the Taylor series);
    the term ratio is 2a^2/(2n+3) <= 8/(2n+3), so 45 terms reach float64 round-off.
    """
    a2 = a * a
    term = a
    total = a
    for n in range(1, 45):
        term = term * (2 * a2) / (2 * n + 1)
        total = total + term
    return _TWO_OVER_SQRT_PI * xp.exp(-a2) * total


def _erfc_cf(a, xp):
    """erfc(a) for a >= 2 by Laplace's continued fraction, evaluated bottom-up.

    erfc(a) = exp(-a^2)/sqrt(pi) / (a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))); 60 levels give
    a relative error below 4e-15 for every a >= 2.
    """
    f = a
    for k in range(60, 0, -1):
        f = a + (k / 2) / f
    return xp.exp(-a * a) / (_SQRT_PI * f)


def _erf64(x, xp):
    a = xp.abs(x)
    out = xp.empty_like(a)
    small = a < 2
    out[small] = _erf_series(a[small], xp)
    big = ~small                               # includes nan, which stays nan
    out[big] = 1 - _erfc_cf(a[big], xp)
    return xp.copysign(out, x)


def _erfc64(x, xp):
    out = 1 - _erf64(x, xp)                  # fine where erfc is not small: relative error <= 2e-13
    tail = x >= 2
    out[tail] = _erfc_cf(x[tail], xp)        # where 1 - erf would cancel
    return out


def _erfinv64(y, xp):
    """erfinv: M. Giles' single-precision approximation, then Halley steps on erf (cubic convergence)."""
    a = xp.abs(y)
    w = -xp.log((1 - a) * (1 + a))
    central = w < 5
    wc = w - 2.5
    p = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164,
              0.246640727, 1.50140941):
        p = c + p * wc
    wt = xp.sqrt(xp.where(central, 5.0, w)) - 3
    q = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
              1.00167406, 2.83297682):
        q = c + q * wt
    x = xp.where(central, p, q) * a
    log_tail = xp.log(1 - a)             # exact: 1 - a has no rounding for a >= 0.5
    for _ in range(4):
        d = _TWO_OVER_SQRT_PI * xp.exp(-x * x)     # erf'(x)
        step = (_erf64(x, xp) - a) / d
        halley = x - step / (1 + x * step)
        # in the tail (x >= 2) Newton on log(erfc(x)) = log(1 - a): nearly linear there, so it converges
        # from Giles' start even where 1 - a is ~1e-16
        c = _erfc64(xp.maximum(x, 2.0), xp)
        newton = x + (xp.log(c) - log_tail) * c / xp.where(x >= 2, d, 1.0)
        x = xp.where(x < 2, halley, newton)
    x = xp.where(a == 1, xp.inf, x)
    x = xp.where(a > 1, xp.nan, x)
    return xp.copysign(x, y)


def _in_float64(fn):
    """Compute ``fn`` in float64 and return the input's float dtype (float32 results are then exact-rounded)."""
    def f(xp, x):
        # flattened: the masked assignments inside need an array (0-dim arithmetic gives NumPy scalars)
        return fn(x.astype(np.float64).reshape(-1), xp).reshape(x.shape).astype(x.dtype, copy=False)
    return f


# (PyTorch's formulas, in its order: the same rounding in float16/bfloat16)
Erf = _float_unary("Erf", _in_float64(_erf64), lambda g, x, y: _TWO_OVER_SQRT_PI * (-x.pow(2)).exp() * g, "x")
Erfc = _float_unary("Erfc", _in_float64(_erfc64), lambda g, x, y: -_TWO_OVER_SQRT_PI * (-x.pow(2)).exp() * g, "x")
Erfinv = _float_unary("Erfinv", _in_float64(_erfinv64), lambda g, x, y: (_SQRT_PI / 2) * y.pow(2).exp() * g, "y")


class Logit(Op):
    """log(x / (1 - x)); with ``eps``, x is first clamped to [eps, 1 - eps] (and the gradient is 0 outside)."""

    @staticmethod
    def forward(ctx, x, eps=None):
        x = as_float_array(x)
        xp = xp_of(x)
        ctx.eps = eps
        ctx.save_for_backward(x)
        z = x if eps is None else xp.clip(x, eps, 1 - eps)
        return xp.log(z / (1 - z))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        grad = g / (x * (1 - x))
        if ctx.eps is None:
            return grad
        return grad.masked_fill((x < ctx.eps) | (x > 1 - ctx.eps), 0)


# ---- ops that keep integer dtypes ----
def _no_bool(x, kernel):
    if x.dtype == np.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


class Abs(Op):
    @staticmethod
    def forward(ctx, x):
        _no_bool(x, "abs_cpu")
        ctx.save_for_backward(x)
        return xp_of(x).abs(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * x.sgn()      # z / |z| for complex z: g is real, the gradient complex


class Sign(Op):
    """-1, 0 or 1 (bool stays bool); zero gradient. Complex inputs are refused (``sgn`` is their sign)."""

    @staticmethod
    def forward(ctx, x):
        if x.dtype == np.bool_:
            return x.copy()
        if x.dtype.kind == "c":
            raise NotImplementedError("Unlike NumPy, torch.sign is not intended to support complex numbers. Please "
                                      "use torch.sgn instead.")
        return xp_of(x).sign(x)

    @staticmethod
    def backward(ctx, g):
        return _zero_grad(g)


class Sgn(Op):
    """``sign`` for real inputs; ``z / |z|`` (0 at 0) for complex ones."""

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind != "c":
            return Sign.forward(ctx, x)
        xp = xp_of(x)
        a = xp.abs(x)
        s = x / xp.where(a == 0, 1, a).astype(x.dtype)
        ctx.save_for_backward(x, s)
        return s

    @staticmethod
    def backward(ctx, g):
        if g._data.dtype.kind != "c":
            return _zero_grad(g)
        x, s = ctx.saved_tensors
        # s = z / |z|: grad = (g - Re(g * conj(s)) * s) / |z|, and 0 where z == 0
        a = x.abs()
        zero = a == 0
        return ((g - (g * s.conj()).real * s) / a.masked_fill(zero, 1)).masked_fill(zero, 0)


def _rounding(name, kernel, fn):
    """floor/ceil/trunc: integers come back unchanged (a copy), bool is an error, the gradient is zero."""
    def forward(ctx, x):
        _no_bool(x, kernel)
        if x.dtype.kind in "iu":
            return x.copy()
        return fn(xp_of(x), x)
    return type(name, (Op,), {"forward": staticmethod(forward), "backward": staticmethod(lambda ctx, g:
                                                                                          _zero_grad(g))})


Floor = _rounding("Floor", "floor_vml_cpu", lambda xp, x: xp.floor(x))
Ceil = _rounding("Ceil", "ceil_vml_cpu", lambda xp, x: xp.ceil(x))
Trunc = _rounding("Trunc", "trunc_vml_cpu", lambda xp, x: xp.trunc(x))


class Round(Op):
    """Round half to even (like PyTorch); ``decimals`` scales by 10**decimals first."""

    @staticmethod
    def forward(ctx, x, decimals=0):
        _no_bool(x, "round_vml_cpu")
        xp = xp_of(x)
        if x.dtype.kind in "iu":
            if decimals != 0:
                raise NotImplementedError(f"\"round_cpu\" not implemented for '{_legacy(x.dtype)}'")
            return x.copy()
        if decimals == 0:
            return xp.rint(x)
        if decimals > 0:
            scale = x.dtype.type(10.0 ** decimals)
            return xp.rint(x * scale) / scale
        scale = x.dtype.type(10.0 ** -decimals)
        return xp.rint(x / scale) * scale

    @staticmethod
    def backward(ctx, g):
        return _zero_grad(g)


class Frac(Op):
    """x - trunc(x) (keeps the sign of x); float only; the gradient passes through."""

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind in "biu":
            raise NotImplementedError(f"\"frac_cpu\" not implemented for '{_legacy(x.dtype)}'")
        return x - xp_of(x).trunc(x)

    @staticmethod
    def backward(ctx, g):
        return g


def _legacy(np_dtype):
    d = D._FROM_NP[np_dtype]
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
            "float32": "Float", "float64": "Double", "float16": "Half"}.get(d.name, d.name)


class NanToNum(Op):
    """nan -> ``nan``, +inf -> ``posinf``, -inf -> ``neginf`` (defaults: 0 and the dtype's max/min)."""

    @staticmethod
    def forward(ctx, x, nan=0.0, posinf=None, neginf=None):
        xp = xp_of(x)
        if x.dtype is BF16:   # NumPy's nan_to_num leaves ml_dtypes' bfloat16 as it is: go through float32
            ctx.save_for_backward(x)
            big = float(_ml_dtypes.finfo(BF16).max)
            return xp.nan_to_num(x.astype(F32), nan=nan, posinf=big if posinf is None else posinf,
                                 neginf=-big if neginf is None else neginf).astype(BF16)
        if x.dtype.kind not in "fc":
            return x.copy()
        ctx.save_for_backward(x)
        info = np.finfo(x.dtype)
        return xp.nan_to_num(x, nan=nan, posinf=info.max if posinf is None else posinf,
                             neginf=info.min if neginf is None else neginf)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g.masked_fill(~x.isfinite(), 0)


class Angle(Op):
    """The argument of a complex number; for real inputs pi where x < 0, else 0 (nan stays nan)."""

    @staticmethod
    def forward(ctx, x):
        xp = xp_of(x)
        ctx.save_for_backward(x if x.dtype.kind == "c" else None)
        if x.dtype.kind == "c":
            return xp.angle(x)
        x = as_float_array(x)
        return xp.where(x < 0, x.dtype.type(math.pi), xp.where(xp.isnan(x), x, x.dtype.type(0)))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        if x is None:
            return _zero_grad(g)
        # d atan2(y, x): (-y, x) / |z|^2, i.e. i z / |z|^2 as a complex gradient; 0 at z == 0
        zero = x == 0
        return (g * x * 1j / (x * x.conj()).real.masked_fill(zero, 1)).masked_fill(zero, 0)


# ---- the public functions; Tensor methods reach the same code ----
def _unary(op, *names):
    def fn(input, *, out=None):
        return wrap_out(op.apply(input), out)
    fn.__name__ = names[0]
    fn.__qualname__ = names[0]
    fn.__doc__ = f"Elementwise ``{names[0]}`` (``torch.{names[0]}``), same shape as ``input``."
    tensor_method(*names)(fn)
    return fn


exp = _unary(Exp, "exp")
exp2 = _unary(Exp2, "exp2")
expm1 = _unary(Expm1, "expm1")
log = _unary(Log, "log")
log2 = _unary(Log2, "log2")
log10 = _unary(Log10, "log10")
log1p = _unary(Log1p, "log1p")
sqrt = _unary(Sqrt, "sqrt")
rsqrt = _unary(Rsqrt, "rsqrt")
reciprocal = _unary(Reciprocal, "reciprocal")
sin = _unary(Sin, "sin")
cos = _unary(Cos, "cos")
tan = _unary(Tan, "tan")
asin = arcsin = _unary(Asin, "asin", "arcsin")
acos = arccos = _unary(Acos, "acos", "arccos")
atan = arctan = _unary(Atan, "atan", "arctan")
sinh = _unary(Sinh, "sinh")
cosh = _unary(Cosh, "cosh")
tanh = _unary(Tanh, "tanh")
asinh = arcsinh = _unary(Asinh, "asinh", "arcsinh")
acosh = arccosh = _unary(Acosh, "acosh", "arccosh")
atanh = arctanh = _unary(Atanh, "atanh", "arctanh")
deg2rad = _unary(Deg2rad, "deg2rad")
rad2deg = _unary(Rad2deg, "rad2deg")
sigmoid = _unary(Sigmoid, "sigmoid")
erf = _unary(Erf, "erf")
erfc = _unary(Erfc, "erfc")
erfinv = _unary(Erfinv, "erfinv")
abs = absolute = _unary(Abs, "abs", "absolute", "__abs__")  # noqa: A001
sign = _unary(Sign, "sign")
sgn = _unary(Sgn, "sgn")
floor = _unary(Floor, "floor")
ceil = _unary(Ceil, "ceil")
trunc = fix = _unary(Trunc, "trunc", "fix")
frac = _unary(Frac, "frac")
angle = _unary(Angle, "angle")


@tensor_method("square")
def square(input, *, out=None):
    """``input ** 2`` (integers stay integers; bool gives int64), as PyTorch's ``pow(input, 2)``."""
    from .pointwise import pow as _pow
    return _pow(input, 2, out=out)


@tensor_method("logit")
def logit(input, eps=None, *, out=None):
    """log(p / (1 - p)), the inverse of sigmoid; ``eps`` clamps p to [eps, 1 - eps] first."""
    return wrap_out(Logit.apply(input, eps=eps), out)


@tensor_method("round")
def round(input, *, decimals=0, out=None):  # noqa: A001 - PyTorch's name
    """Round half to even; ``decimals`` rounds to that many decimal places (negative: to tens, hundreds ...)."""
    return wrap_out(Round.apply(input, decimals=decimals), out)


@tensor_method("nan_to_num")
def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace nan, +inf and -inf (by 0 and the dtype's largest/smallest finite values unless given)."""
    return wrap_out(NanToNum.apply(input, nan=nan, posinf=posinf, neginf=neginf), out)


@tensor_method("positive")
def positive(input):
    """``+input``: the tensor itself (an error for bool, as in PyTorch)."""
    if input.dtype is D.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def real(input):
    """The real part: a real tensor itself, or a view of a complex tensor's real parts."""
    if not input.is_complex():
        return input
    return _complex_part(input, "real")


def imag(input):
    """The imaginary part of a complex tensor (a view); an error for real tensors, as in PyTorch."""
    if not input.is_complex():
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return _complex_part(input, "imag")


class _ComplexPart(Op):
    @staticmethod
    def forward(ctx, x, part):
        ctx.part = part
        return getattr(x, part)      # a NumPy/CuPy view into the complex array

    @staticmethod
    def backward(ctx, g):
        return g if ctx.part == "real" else g * 1j


def _complex_part(t, part):
    from .shape import as_view
    out = _ComplexPart.apply(t, part)
    return as_view(out, t, lambda b: _complex_part(b, part))


Tensor.real = property(real)
Tensor.imag = property(imag)


from .pointwise import inplace_methods  # noqa: E402 - after the methods it wraps exist

inplace_methods("exp2", "expm1", "log2", "log10", "log1p", "rsqrt", "reciprocal", "sin", "cos", "tan", "asin",
                "acos", "atan", "arcsin", "arccos", "arctan", "sinh", "cosh", "asinh", "acosh", "atanh", "arcsinh",
                "arccosh", "arctanh", "deg2rad", "rad2deg", "erf", "erfc", "erfinv", "sgn", "floor", "ceil", "trunc",
                "fix", "frac", "square", "logit", "round", "nan_to_num", "absolute")
