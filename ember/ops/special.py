"""Special functions: ``lgamma digamma polygamma mvlgamma i0 sinc``, and ``gcd lcm frexp ldexp nextafter heaviside``.

NumPy has none of the gamma-family functions and SciPy is not a dependency, so
they are written here in float64 ``xp`` code (float32/float16/bfloat16 inputs
are computed in float64 and rounded once). ``digamma``, trigamma and the
Hurwitz zeta behind ``polygamma`` follow PyTorch's own algorithms (Cephes),
so poles, infinities and NaNs come out as PyTorch's do.
"""
import math
import warnings

import numpy as np

from .. import _dtype as D
from .._finfo import finfo, iinfo
from .. import return_types
from .inplace import inplace_variant
from ._util import BF16, F32, GradMode, Op, Tensor, as_float_array, is_reduced, promote_arrays, tensor_method, \
    wrap_out, xp_of
from .unary import _legacy

__all__ = ['finfo', 'iinfo', 'lgamma', 'digamma', 'polygamma', 'mvlgamma', 'i0', 'sinc', 'gcd', 'lcm', 'frexp',
           'ldexp', 'nextafter', 'heaviside']

warnings.filterwarnings("ignore", category=RuntimeWarning, module=__name__)

_PI = math.pi
_EULER = 0.57721566490153286061


def _zeta_minus_one(k, n=40):
    """zeta(k) - 1 by Euler-Maclaurin: sum_{2 <= j < n} j^-k plus the tail's integral and corrections."""
    s = sum(j ** -k for j in range(2, n))
    return (s + n ** (1 - k) / (k - 1) + 0.5 * n ** -k + k * n ** (-k - 1) / 12
            - k * (k + 1) * (k + 2) * n ** (-k - 3) / 720 + k * (k + 1) * (k + 2) * (k + 3) * (k + 4) * n ** (-k - 5)
            / 30240)


# lgamma(2 + z) = (1 - euler) z + sum_{k>=2} (-1)^k (zeta(k) - 1) / k z^k; terms shrink like (z/2)^k
_LG2_COEF = [(-1) ** k * _zeta_minus_one(k) / k for k in range(2, 40)]


def _lgamma_near_2(z):
    s = 0.0
    for c in reversed(_LG2_COEF):
        s = (s + c) * z
    return (s * z) + (1 - _EULER) * z


def _stirling(x, xp):
    """lgamma(x) for x >= 15: Stirling's series; the first omitted term is below 1e-17."""
    r = 1 / (x * x)
    corr = (1 / 12 + r * (-1 / 360 + r * (1 / 1260 + r * (-1 / 1680 + r * (1 / 1188 + r * (-691 / 360360 + r / 156))))))
    return (x - 0.5) * xp.log(x) - x + 0.5 * math.log(2 * _PI) + corr / x


def _sinpi(x, xp):
    """sin(pi x) with x reduced mod 2 first (exact in float64), so integers give exact zeros."""
    return xp.sin(_PI * (x - 2 * xp.round(x / 2)))


def _lgamma64(x, xp):
    out = xp.empty_like(x)
    a = xp.where(x < 0.5, 1 - x, x)          # reflection for x < 0.5 below
    mid = a < 2.5
    am = a[mid]                               # [0.5, 2.5): a Taylor series about 2 (accurate near both zeros)
    out[mid] = xp.where(am < 1.5, _lgamma_near_2(am - 1) - xp.log1p(am - 1.0), _lgamma_near_2(am - 2))
    big = ~mid
    ab = a[big]                               # [2.5, inf): shift up to >= 15, then Stirling
    prod = xp.ones_like(ab)
    for _ in range(13):
        small = ab < 15
        prod = xp.where(small, prod * ab, prod)
        ab = xp.where(small, ab + 1, ab)
    out[big] = _stirling(ab, xp) - xp.log(prod)
    # lgamma(x) = log(pi / |sin(pi x)|) - lgamma(1 - x); +inf at the poles (x = 0, -1, -2 ...) and at -inf
    refl = x < 0.5
    out = xp.where(refl, xp.log(_PI / xp.abs(_sinpi(x, xp))) - out, out)
    return xp.where((refl & (x == xp.floor(x))) | xp.isinf(x), xp.inf, out)


_DIGAMMA_A = (8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3,
              -4.16666666666666666667E-3, 3.96825396825396825397E-3, -8.33333333333333333333E-3,
              8.33333333333333333333E-2)


def _digamma64(x, xp):
    """PyTorch's calc_digamma: reflection for x < 0, recurrence up to 10, then the asymptotic series."""
    neg = x < 0
    a = xp.where(neg, 1 - x, x)
    result = xp.zeros_like(a)
    for _ in range(10):
        m = a < 10
        result = xp.where(m, result - 1 / xp.where(m, a, 1), result)
        a = xp.where(m, a + 1, a)
    z = 1 / (a * a)
    y = 0.0
    for c in _DIGAMMA_A:             # polevl(z, A, 6): A[0] is the highest power
        y = y * z + c
    y = xp.where(a < 1e17, z * y, 0.0)
    out = xp.where(a == 10, result + 2.25175258906672110764, result + xp.log(a) - 0.5 / a - y)
    r = x - xp.trunc(x)
    out = xp.where(neg, out - _PI / xp.tan(_PI * r), out)
    out = xp.where(neg & (x == xp.trunc(x)), xp.nan, out)
    return xp.where(x == 0, xp.copysign(xp.inf, -x), out)


def _trigamma64(x, xp):
    """PyTorch's calc_trigamma (reflection below 0.5), with the recurrence taken to 10 and more series terms.
    Its unreduced sin(pi x) makes the poles huge rather than inf, as in PyTorch."""
    refl = x < 0.5
    s = xp.sin(_PI * x)
    a = xp.where(refl, 1 - x, x)
    result = xp.zeros_like(a)
    for _ in range(10):
        m = a < 10
        result = xp.where(m, result + 1 / (a * a), result)
        a = xp.where(m, a + 1, a)
    r = 1 / (a * a)
    series = 1 / 6 + r * (-1 / 30 + r * (1 / 42 + r * (-1 / 30 + r * (5 / 66 + r * (-691 / 2730 + r * 7 / 6)))))
    result = result + (1 + 1 / (2 * a) + r * series) / a
    out = xp.where(refl, _PI * _PI / (s * s) - result, result)
    return xp.where(xp.isinf(x) & (x < 0), xp.nan, out)


_ZETA_A = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
           -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15,
           1.8152105401943546773e17, -7.1661652561756670113e18)
_MACHEP = 1.11022302462515654042E-16


def _zeta64(s, q, xp):
    """Hurwitz zeta(s, q) for a float s > 1 and an array q: Cephes' algorithm (PyTorch's), element-wise exits."""
    res = xp.full_like(q, xp.nan)
    done = xp.zeros(q.shape, dtype=bool)
    pole = (q <= 0) & (q == xp.floor(q))
    res[pole] = xp.inf
    done |= pole | ((q <= 0) & (s != math.floor(s))) | xp.isnan(q)

    def finish(mask, value):
        nonlocal res, done
        m = mask & ~done
        res = xp.where(m, value, res)
        done = done | m

    acc = q ** -s
    a = q.copy()
    b = xp.zeros_like(q)
    i = 0
    while True:
        active = ~done & ((i < 9) | (a <= 9))
        if not active.any():
            break
        i += 1
        a = xp.where(active, a + 1, a)
        b = xp.where(active, a ** -s, b)
        acc = xp.where(active, acc + b, acc)
        finish(active & (-_MACHEP * acc < b) & (b < _MACHEP * acc), acc)
    w = a
    acc = acc + b * w / (s - 1) - 0.5 * b
    fa, k = 1.0, 0.0
    for c in _ZETA_A:
        fa *= s + k
        b = b / w
        t = fa * b / c
        acc = xp.where(done, acc, acc + t)
        finish(xp.abs(t / acc) < _MACHEP, acc)
        k += 1
        fa *= s + k
        b = b / w
        k += 1
    finish(xp.ones(q.shape, dtype=bool), acc)
    return res


def _polygamma64(n):
    def f(x, xp):
        if n == 0:
            return _digamma64(x, xp)
        if n == 1:
            return _trigamma64(x, xp)
        far = (x < -20) & (x != xp.floor(x))      # Cephes would sum ~|x| terms there: reflect instead
        y = (1.0 if n % 2 else -1.0) * math.exp(math.lgamma(n + 1.0)) * _zeta64(n + 1.0, xp.where(far, 1 - x, x), xp)
        return xp.where(far, (-1) ** n * y - _PI ** (n + 1) * _cot_derivative(n, x, xp), y)
    return f


def _cot_derivative(n, x, xp):
    """d^n/dx^n cot(pi x) / pi^n as a polynomial in c = cot(pi x): P_0 = c, P_{k+1} = -P_k'(c) (1 + c^2);
    from psi^(n)(x) = (-1)^n psi^(n)(1 - x) - pi d^n/dx^n cot(pi x)."""
    p = np.polynomial.Polynomial([0, 1])
    for _ in range(n):
        p = -p.deriv() * np.polynomial.Polynomial([1, 0, 1])
    r = x - xp.floor(x)                       # exact reduction to [0, 1): cot has period 1
    # near the poles 1/tan(pi r), near the zero at 1/2 tan(pi (1/2 - r)): both exact where they matter
    c = xp.where(xp.abs(r - 0.5) < 0.25, xp.tan(_PI * (0.5 - r)), 1 / xp.tan(_PI * (r - xp.round(r))))
    out = xp.zeros_like(x)
    for coef in p.coef[::-1]:
        out = out * c + coef
    return out


def _bessel_i64(nu):
    """I_nu(x) for nu in (0, 1): the power series below 30 (positive terms, no cancellation), Hankel's
    asymptotic series above (its terms fall below 1e-17 well before they start growing)."""
    def f(x, xp):
        a = xp.abs(x)
        out = xp.empty_like(a)
        small = a < 30
        h = (a[small] / 2) ** 2
        term = (a[small] / 2) ** nu / math.factorial(nu)
        total = term
        for k in range(1, 120):
            term = term * h / (k * (k + nu))
            total = total + term
        out[small] = total
        ab = a[~small]
        term = xp.ones_like(ab)
        total = term
        for k in range(1, 25):
            term = term * -(4 * nu * nu - (2 * k - 1) ** 2) / (k * 8 * ab)
            total = total + term
        e = xp.exp(ab / 2)        # in two halves: no overflow before I_nu itself overflows
        out[~small] = e * (e / (math.sqrt(2 * _PI) * xp.sqrt(ab))) * total
        return out if nu == 0 else xp.copysign(out, x)
    return f


def _float_op(name, fn, backward=None, saves_out=False):
    """An Op computing ``fn(x_float64_flat, xp)``; ints become the default float dtype, result in x's dtype."""
    def forward(ctx, x):
        x = as_float_array(x)
        y = fn(x.astype(np.float64).reshape(-1), xp_of(x)).reshape(x.shape).astype(x.dtype, copy=False)
        ctx.save_for_backward(x, y if saves_out else None)
        return y

    def bwd(ctx, g):
        x, y = ctx.saved_tensors
        return backward(g, x, y)
    ns = {"forward": staticmethod(forward)}
    if backward is not None:
        ns["backward"] = staticmethod(bwd)
    return type(name, (Op,), ns)


Lgamma = _float_op("Lgamma", _lgamma64, lambda g, x, y: g * digamma(x))
Digamma = _float_op("Digamma", _digamma64, lambda g, x, y: g * polygamma(1, x))
I1 = _float_op("I1", _bessel_i64(1), lambda g, x, y: g * (i0(x) - y / x).masked_fill(x == 0, 0.5), saves_out=True)
I0 = _float_op("I0", _bessel_i64(0), lambda g, x, y: g * I1.apply(x))


class Polygamma(Op):
    @staticmethod
    def forward(ctx, x, n):
        x = as_float_array(x)
        ctx.n = n
        ctx.save_for_backward(x)
        return _polygamma64(n)(x.astype(np.float64).reshape(-1), xp_of(x)).reshape(x.shape).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * polygamma(ctx.n + 1, x)


class Sinc(Op):
    """sin(pi x) / (pi x), 1 at 0: computed in the input's dtype as PyTorch does (float32 for half types)."""

    @staticmethod
    def forward(ctx, x):
        x = as_float_array(x)
        xp = xp_of(x)
        ctx.save_for_backward(x)
        xf = x.astype(F32) if is_reduced(x.dtype) else x
        p = xf * xf.dtype.type(_PI)
        return xp.where(xf == 0, 1, xp.sin(p) / p).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        p = _PI * x
        return g * ((p * p.cos() - p.sin()) / (p * x)).masked_fill(x == 0, 0)


def _unary(op, name):
    def fn(input, *, out=None):
        return wrap_out(op.apply(input), out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{name}`` (``torch.{name}``); integer inputs give the default float dtype."
    tensor_method(name)(fn)
    return fn


lgamma = _unary(Lgamma, "lgamma")
digamma = _unary(Digamma, "digamma")
i0 = _unary(I0, "i0")
sinc = _unary(Sinc, "sinc")


def polygamma(n, input, *, out=None):
    """The n-th derivative of digamma (``polygamma(0, x)`` is ``digamma(x)``)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return wrap_out(Polygamma.apply(input, int(n)), out)


@tensor_method("polygamma")
def _polygamma_method(self, n):
    return polygamma(n, self)


@tensor_method("mvlgamma")
def mvlgamma(input, p, *, out=None):
    """Multivariate log-gamma of dimension ``p``: sum_{j<p} lgamma(x - j/2) + p(p-1)/4 log(pi)."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    x = input if input.is_floating_point() else input.to(D.get_default_dtype())
    shifts = Tensor._wrap(x._xp().arange(-(p - 1) / 2, 0.5, 0.5).astype(x._data.dtype))
    r = lgamma(x.unsqueeze(-1) + shifts).sum(-1) + p * (p - 1) * math.log(_PI) / 4
    return wrap_out(r, out)


# ---- integer and floating-point bit helpers ----
def _need_tensor(fname, argname, pos, value):
    if not isinstance(value, Tensor):
        raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be Tensor, not "
                        f"{type(value).__name__}")


class _IntBinary(Op):
    kernel = ""

    @classmethod
    def forward(cls, ctx, a, b):
        a, b, dt = promote_arrays(a, b)
        if dt.kind not in "iu":
            raise NotImplementedError(f"\"{cls.kernel}\" not implemented for '{_legacy(dt)}'")
        return cls.fn(xp_of(a), a, b).astype(dt, copy=False)


class Gcd(_IntBinary):
    kernel = "gcd_cpu"
    fn = staticmethod(lambda xp, a, b: xp.gcd(a, b))


class Lcm(_IntBinary):
    kernel = "lcm_cpu"
    fn = staticmethod(lambda xp, a, b: xp.lcm(a, b))


@tensor_method("gcd")
def gcd(input, other, *, out=None):
    """Greatest common divisor, element-wise, of integer tensors (gcd(0, 0) = 0)."""
    _need_tensor("gcd", "other", 2, other)
    return wrap_out(Gcd.apply(input, other), out)


@tensor_method("lcm")
def lcm(input, other, *, out=None):
    """Least common multiple, element-wise, of integer tensors (non-negative; 0 if either is 0)."""
    _need_tensor("lcm", "other", 2, other)
    return wrap_out(Lcm.apply(input, other), out)


class Frexp(Op):
    @staticmethod
    def forward(ctx, x):
        m, e = xp_of(x).frexp(x)
        ctx.save_for_backward(e)
        return m, e.astype(np.int32, copy=False)

    @staticmethod
    def backward(ctx, gm, ge):
        e, = ctx.saved_tensors
        return gm / e.to(gm.dtype).exp2()


@tensor_method("frexp")
def frexp(input, *, out=None):
    """(mantissa, exponent) with input = mantissa * 2**exponent, |mantissa| in [0.5, 1); exponent is int32."""
    if not input.is_floating_point():
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    m, e = Frexp.apply(input)
    if out is not None:
        wrap_out(m, out[0])
        wrap_out(e, out[1])
        m, e = out
    return return_types.frexp((m, e))


@tensor_method("ldexp")
def ldexp(input, other, *, out=None):
    """input * 2**other; integer operands give the default float dtype."""
    _need_tensor("ldexp", "other", 2, other)
    dt = D.result_type_of(input._data, other._data)
    if not dt.is_floating_point and not dt.is_complex:
        dt = D.get_default_dtype()
    return wrap_out(input.to(dt) * other.to(dt).exp2(), out)


class Nextafter(Op):
    @staticmethod
    def forward(ctx, a, b):
        a, b, dt = promote_arrays(a, b)
        if dt.kind != "f" and dt is not BF16:
            raise NotImplementedError(f"\"nextafter_cpu\" not implemented for '{_legacy(dt)}'")
        ctx.save_for_backward(a, b)
        return xp_of(a).nextafter(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g.masked_fill(a == b, 0), g * 0      # PyTorch's: 0 where input == other (the result is other)


@tensor_method("nextafter")
def nextafter(input, other, *, out=None):
    """The next representable value after ``input`` in the direction of ``other``."""
    _need_tensor("nextafter", "other", 2, other)
    return wrap_out(Nextafter.apply(input, other), out)


class Heaviside(Op):
    @staticmethod
    def forward(ctx, x, v):
        xp = xp_of(x)
        return xp.where(x == 0, v, x > 0).astype(xp.result_type(x, v), copy=False)


@tensor_method("heaviside")
def heaviside(input, values, *, out=None):
    """0 where input < 0, ``values`` where input == 0, 1 where input > 0 (NaN input gives 0)."""
    _need_tensor("heaviside", "values", 2, values)
    if input.dtype is not values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    if GradMode.enabled and (input.requires_grad or values.requires_grad):
        raise RuntimeError("derivative for aten::heaviside is not implemented")
    return wrap_out(Heaviside.apply(input, values), out)


return_types._make("frexp", ("mantissa", "exponent"))
inplace_variant("lgamma", "digamma", "polygamma", "mvlgamma", "i0", "sinc", "gcd", "lcm", "ldexp", "nextafter",
                "heaviside")
