"""``torch.special``: PyTorch's special-function namespace.

Most names are Ember's existing ops under PyTorch's ``special`` spellings
(``expit`` is ``sigmoid``, ``gammaln`` is ``lgamma`` ...). The rest are
written here in float64 ``xp`` code and rounded once to the input's dtype;
integer inputs give the default float dtype, as in PyTorch.
"""
import math
import warnings

import numpy as np

from . import _dtype as D
from .ops.activation import log_softmax as _log_softmax, softmax as _softmax
from .ops.pointwise import xlogy
from .ops.reduction import logsumexp
from .ops.pointwise import _operand, _operands, _save_operands, _wants
from .ops.special import I1 as _I1, _float_op, _lgamma64, _lgamma_near_2
from .ops.special import digamma, i0, lgamma as gammaln, mvlgamma as multigammaln, polygamma, sinc
from .ops.unary import _erfc64, _erfinv64, erf, erfc, erfinv, exp2, expm1, log1p, logit
from .ops.unary import round, sigmoid as expit  # noqa: A004
from .ops._util import Op, Tensor, broadcast_error, wrap_out, xp_of
from .ops.special_functions import SPECIAL_NAMES as _BESSEL_AND_POLYNOMIALS
from .ops.special_functions import (  # noqa: F401 - Bessel, Airy and orthogonal-polynomial functions
    airy_ai, bessel_j0, bessel_j1, bessel_y0, bessel_y1, modified_bessel_i0, modified_bessel_i1, modified_bessel_k0,
    modified_bessel_k1, scaled_modified_bessel_k0, scaled_modified_bessel_k1, spherical_bessel_j0,
    chebyshev_polynomial_t, chebyshev_polynomial_u, chebyshev_polynomial_v, chebyshev_polynomial_w,
    shifted_chebyshev_polynomial_t, shifted_chebyshev_polynomial_u, shifted_chebyshev_polynomial_v,
    shifted_chebyshev_polynomial_w, hermite_polynomial_h, hermite_polynomial_he, laguerre_polynomial_l,
    legendre_polynomial_p)

__all__ = ['digamma', 'psi', 'polygamma', 'gammaln', 'multigammaln', 'i0', 'i1', 'sinc', 'erf', 'erfc', 'erfinv',
           'exp2', 'expit', 'expm1', 'log1p', 'logit', 'logsumexp', 'log_softmax', 'softmax', 'round', 'xlogy',
           'entr', 'erfcx', 'ndtr', 'ndtri', 'log_ndtr', 'i0e', 'i1e', 'xlog1py', 'zeta', 'gammainc', 'gammaincc'
           ] + _BESSEL_AND_POLYNOMIALS

psi = digamma


def i1(input, *, out=None):
    """The modified Bessel function of the first kind of order 1."""
    return wrap_out(_I1.apply(input), out)


def softmax(input, dim, *, dtype=None):
    """exp(x_i) / sum_j exp(x_j) along ``dim``; ``dtype`` casts the input first."""
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    """log(softmax(x)) along ``dim``; ``dtype`` casts the input first."""
    return _log_softmax(input, dim, dtype=dtype)


# ---- the functions Ember had no op for: float64 kernels on flat arrays ----
warnings.filterwarnings("ignore", category=RuntimeWarning, module=__name__)
_SQRT2 = math.sqrt(2.0)
_SQRT_PI = math.sqrt(math.pi)
_MACHEP = 1.11022302462515654042e-16
_HALF_NAMES = {"float16": "Half", "bfloat16": "BFloat16"}


def _no_half(kernel, t):
    """PyTorch has no float16/bfloat16 kernel for some of these: the same NotImplementedError."""
    name = _HALF_NAMES.get(t.dtype.__str__().split(".")[-1]) if isinstance(t, Tensor) else None
    if name:
        raise NotImplementedError(f'"{kernel}_cpu" not implemented for \'{name}\'')


def _erfcx_cf(a):
    """exp(a^2) erfc(a) for a >= 1 by Laplace's continued fraction, bottom-up (200 levels: round-off at a = 1)."""
    f = a
    for k in range(200, 0, -1):
        f = a + (k / 2) / f
    return 1 / (_SQRT_PI * f)


def _erfcx64(x, xp):
    """exp(x^2) erfc(x): directly below 1 (inf below -26.6, as the value is), by the continued fraction above."""
    out = xp.exp(x * x) * _erfc64(x, xp)
    big = x >= 1
    out[big] = _erfcx_cf(x[big])
    return out


def _erfc_accurate(x, xp):
    out = _erfc64(x, xp)
    big = x >= 1                              # 1 - erf(x) would lose a few digits there
    out[big] = xp.exp(-x[big] ** 2) * _erfcx_cf(x[big])
    return out


def _ndtr64(x, xp):
    return 0.5 * _erfc_accurate(-x / _SQRT2, xp)


def _log_ndtr64(x, xp):
    """log(ndtr(x)): through erfcx in the left tail (no underflow), log1p(-ndtr(-x)) on the right."""
    left = xp.log(_erfcx64(xp.maximum(-x, 1.0) / _SQRT2, xp) / 2) - x * x / 2
    mid = xp.log(_ndtr64(x, xp))
    right = xp.log1p(-_ndtr64(-x, xp))
    return xp.where(x < -1, left, xp.where(x < 0, mid, right))


def _ndtri64(p, xp):
    """The inverse of ndtr: an erfinv (or, in the far tail, asymptotic) start, then Newton on log(ndtr) for
    the smaller of p, 1 - p (exact for p >= 0.5), which keeps the relative accuracy of tiny p."""
    q = xp.minimum(p, 1 - p)
    with np.errstate(all="ignore"):
        ll = -2 * xp.log(q)
        tail = -xp.sqrt(xp.maximum(ll - xp.log(ll) - math.log(2 * math.pi), 0.0))
        x = xp.where(q > 1e-10, _SQRT2 * _erfinv64(2 * q - 1, xp), tail)
        x = xp.where(xp.isfinite(x), x, -40.0)
        logq = xp.log(q)
        for _ in range(6):   # log(ndtr) is concave: Newton converges monotonically, quadratically
            x = x - (_log_ndtr64(x, xp) - logq) * math.sqrt(math.pi / 2) * _erfcx64(-x / _SQRT2, xp)
    x = xp.where(q == 0, -xp.inf, x)
    x = xp.where(p > 0.5, -x, x)
    return xp.where((p < 0) | (p > 1) | xp.isnan(p), xp.nan, x)


def _entr64(x, xp):
    return xp.where(x > 0, -x * xp.log(x), xp.where(x == 0, 0.0, xp.where(x < 0, -xp.inf, x)))


def _bessel_ie64(nu):
    """exp(-|x|) I_nu(x) for nu in (0, 1): the power series below 30, Hankel's asymptotic series above."""
    def f(x, xp):
        a = xp.abs(x)
        out = xp.empty_like(a)
        small = a < 30
        s = a[small]
        h = (s / 2) ** 2
        term = (s / 2) ** nu
        total = term
        for k in range(1, 120):
            term = term * h / (k * (k + nu))
            total = total + term
        out[small] = xp.exp(-s) * total
        b = a[~small]
        term = xp.ones_like(b)
        total = term
        for k in range(1, 25):
            term = term * -(4 * nu * nu - (2 * k - 1) ** 2) / (k * 8 * b)
            total = total + term
        out[~small] = total / xp.sqrt(2 * math.pi * b)
        return out if nu == 0 else xp.copysign(out, x)
    return f


def _unary(op, kernel, half=True):
    def fn(input, *, out=None):
        if not half:
            _no_half(kernel, input)
        return wrap_out(op.apply(input), out)
    fn.__name__ = fn.__qualname__ = kernel.replace("special_", "")
    fn.__doc__ = f"``torch.special.{fn.__name__}``, element-wise; integer inputs give the default float dtype."
    return fn


_Entr = _float_op("Entr", _entr64, lambda g, x, y: g * -(1 + x.log()))
_Erfcx = _float_op("Erfcx", _erfcx64, lambda g, x, y: g * (2 * x * y - 2 / _SQRT_PI), saves_out=True)
_Ndtr = _float_op("Ndtr", _ndtr64, lambda g, x, y: g * (-x * x / 2).exp() / math.sqrt(2 * math.pi))
_Ndtri = _float_op("Ndtri", _ndtri64, lambda g, x, y: g * math.sqrt(2 * math.pi) * (y * y / 2).exp(),
                   saves_out=True)
_LogNdtr = _float_op("LogNdtr", _log_ndtr64, lambda g, x, y: g / math.sqrt(2 * math.pi) * (-(y + x * x / 2)).exp(),
                     saves_out=True)
_I0e = _float_op("I0e", _bessel_ie64(0), lambda g, x, y: g * (i1e(x) - x.sgn() * y), saves_out=True)
_I1e = _float_op("I1e", _bessel_ie64(1), lambda g, x, y: g * (i0e(x) - y * (x.sgn() + 1 / x)).masked_fill(
    x == 0, 0.5), saves_out=True)

entr = _unary(_Entr, "entr")
erfcx = _unary(_Erfcx, "special_erfcx", half=False)
ndtr = _unary(_Ndtr, "ndtr")
ndtri = _unary(_Ndtri, "special_ndtri", half=False)
log_ndtr = _unary(_LogNdtr, "special_log_ndtr", half=False)
i0e = _unary(_I0e, "i0e")
i1e = _unary(_I1e, "i1e")


# ---- two-argument functions: either argument may be a Python number ----
def _pair64(a, b):
    """Both operands in their promoted float dtype, then as flat float64 arrays of the broadcast shape."""
    dt = D.result_type_of(a, b).np
    if dt.kind in "biu":
        dt = D.get_default_dtype().np
    xp = xp_of(b if isinstance(a, (int, float, bool)) else a)
    a, b = (xp.asarray(v).astype(dt).astype(np.float64) for v in (a, b))
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise broadcast_error("special function", a.shape, b.shape) from None
    return (xp.broadcast_to(a, shape).reshape(-1), xp.broadcast_to(b, shape).reshape(-1)), shape, dt, xp


class _Binary(Op):
    kernel = None           # (a, b, xp) -> float64 array, on flat float64 arrays

    @classmethod
    def forward(cls, ctx, a, b):
        (a64, b64), shape, dt, xp = _pair64(a, b)
        _save_operands(ctx, a, b)
        return cls.kernel(a64, b64, xp).reshape(shape).astype(dt, copy=False)


def _binary(op, name, half=True, numbers=True):
    """``numbers``: either argument may be a Python number (not both), else both must be Tensors."""
    def fn(input, other, *, out=None):
        for pos, (arg, v) in enumerate((("input", input), ("other", other))):
            if not isinstance(v, Tensor) and not (numbers and isinstance(input if pos else other, Tensor)):
                raise TypeError(f"special_{name}(): argument '{arg}' (position {pos + 1}) must be Tensor, not "
                                f"{type(v).__name__}")
        if not half:
            _no_half(name, input)
            _no_half(name, other)
        return wrap_out(op.apply(_operand(input), _operand(other)), out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``torch.special.{name}(input, other)``" + ("; either argument may be a number." if numbers else "")
    return fn


def _xlog1py64(x, y, xp):
    return xp.where((x == 0) & ~xp.isnan(y), 0.0, x * xp.log1p(y))


class _Xlog1py(_Binary):
    kernel = staticmethod(_xlog1py64)

    @staticmethod
    def backward(ctx, g):
        x, y = _operands(ctx)
        gx = gy = None
        if _wants(ctx, 0):
            gx = xlog1py(g, y)
            if isinstance(x, Tensor):
                gx = gx.masked_fill((x == 0) & (y <= -1), 0)
        if _wants(ctx, 1):
            gy = g * x / (y + 1)
        return gx, gy


_ZETA_A = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
           -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15,
           1.8152105401943546773e17, -7.1661652561756670113e18)


def _zeta64(x, q, xp):
    """Hurwitz zeta(x, q) = sum_k (q + k)^-x: Cephes' Euler-Maclaurin algorithm (PyTorch's), element-wise."""
    res = xp.full_like(q, xp.nan)
    done = xp.zeros(q.shape, dtype=bool)

    def finish(mask, value):
        nonlocal res, done
        m = mask & ~done
        res = xp.where(m, value, res)
        done = done | m

    with np.errstate(all="ignore"):
        finish(x == 1, xp.inf)
        finish(x < 1, xp.nan)
        finish((q <= 0) & (q == xp.floor(q)), xp.inf)
        finish((q <= 0) & (x != xp.floor(x)), xp.nan)
        finish(xp.isinf(q) | (xp.isinf(x) & (q > 1e8)), xp.nan)      # (as PyTorch's 0 * inf)
        finish(q > 1e8, (1 / (x - 1) + 1 / (2 * q)) * q ** (1 - x))   # DLMF 25.11.43
        acc = q ** -x
        a, b = q.copy(), xp.zeros_like(q)
        i = 0
        while True:
            active = ~done & ((i < 9) | (a <= 9))
            if not active.any():
                break
            i += 1
            a = xp.where(active, a + 1, a)
            b = xp.where(active, a ** -x, b)
            acc = xp.where(active, acc + b, acc)
            finish(active & (-_MACHEP * acc < b) & (b < _MACHEP * acc), acc)
        w = a
        acc = acc + b * w / (x - 1) - 0.5 * b
        fa, k = 1.0, 0.0
        for c in _ZETA_A:
            fa = fa * (x + k)
            b = b / w
            t = fa * b / c
            acc = xp.where(done, acc, acc + t)
            finish(xp.abs(t / acc) < _MACHEP, acc)
            k += 1
            fa = fa * (x + k)
            b = b / w
            k += 1
        finish(xp.ones(q.shape, dtype=bool), acc)
    return res


class _Zeta(_Binary):
    kernel = staticmethod(_zeta64)

    @staticmethod
    def backward(ctx, g):
        if _wants(ctx, 0):
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        x, q = _operands(ctx)
        return None, g * -x * zeta(x + 1.0, q)


xlog1py = _binary(_Xlog1py, "xlog1py")
zeta = _binary(_Zeta, "zeta", half=False)


# ---- the regularised incomplete gamma functions P(a, x) = gammainc, Q(a, x) = gammaincc ----
def _log_prefactor(a, x, xp):
    """log(x^a e^-x / Gamma(a)); for a >= 15 as a (log1p(t) - t) + log(a / 2 pi) / 2 - stirling(a) with
    t = (x - a) / a, which avoids cancelling the large terms a log x, x and lgamma(a)."""
    direct = a * xp.log(x) - x - _lgamma64(a, xp)
    r = 1 / (a * a)
    corr = (1 / 12 + r * (-1 / 360 + r * (1 / 1260 + r * (-1 / 1680 + r * (1 / 1188 + r * (-691 / 360360 + r / 156))))))
    t = (x - a) / a
    big = a * (xp.where(xp.abs(t) < 0.5, xp.log1p(t), xp.log(x / a)) - t) + 0.5 * xp.log(a / (2 * math.pi)) - corr / a
    return xp.where(a >= 15, big, direct)


def _until_converged(state, step, n_max=100000):
    """Run ``step(state, n) -> (state, converged)`` on the not-yet-converged elements only."""
    idx = xp_of(state[0]).arange(state[0].shape[0])
    out = [v.copy() for v in state]
    cur = list(state)
    for n in range(1, n_max):
        if idx.size == 0:
            break
        cur, conv = step(cur, n)
        for o, c in zip(out, cur):
            o[idx] = c
        keep = ~conv
        idx = idx[keep]
        cur = [c[keep] for c in cur]
    return out


def _p_series(a, x, xp):
    """P(a, x) = x^a e^-x / Gamma(a + 1) sum_n x^n / ((a + 1) ... (a + n)): for x below about a."""
    def step(st, n):
        a_, x_, term, total = st
        term = term * x_ / (a_ + n)
        total = total + term
        return [a_, x_, term, total], term <= _MACHEP * total
    total = _until_converged([a, x, xp.ones_like(a), xp.ones_like(a)], step)[3]
    return xp.exp(_log_prefactor(a, x, xp)) / a * total


def _q_cf(a, x, xp):
    """Q(a, x) by Legendre's continued fraction (modified Lentz): for x above a."""
    tiny = 1e-300
    b = x + 1 - a
    d = 1 / b

    def step(st, n):
        a_, b_, c, d, h = st
        an = -n * (n - a_)
        b_ = b_ + 2
        d = an * d + b_
        d = xp.where(xp.abs(d) < tiny, tiny, d)
        c = b_ + an / c
        c = xp.where(xp.abs(c) < tiny, tiny, c)
        d = 1 / d
        delta = d * c
        return [a_, b_, c, d, h * delta], xp.abs(delta - 1) <= _MACHEP
    h = _until_converged([a, b, xp.full_like(a, 1 / tiny), d, d.copy()], step)[4]
    return xp.exp(_log_prefactor(a, x, xp)) * h


def _q_small_x(a, x, xp):
    """Q(a, x) for x <= 1.1 and small a (Cephes' igamc_series): 1 - x^a / Gamma(a + 1) without cancelling."""
    fac, total = xp.ones_like(x), xp.zeros_like(x)
    for n in range(1, 40):
        fac = fac * -x / n
        total = total + fac / (a + n)
    lx = xp.log(x)
    lg1p = xp.where(a > 0.5, _lgamma64(1 + a, xp), _lgamma_near_2(a) - xp.log1p(a))     # lgamma(1 + a)
    return -xp.expm1(a * lx - lg1p) - xp.exp(a * lx - _lgamma64(a, xp)) * total


def _igamma64(a, x, xp, upper):
    """P(a, x) (``upper`` False) or Q(a, x), with PyTorch's special values; the smaller of P and Q is computed
    directly (relative accuracy), the larger as 1 minus it."""
    with np.errstate(all="ignore"):
        regular = (a > 0) & (x > 0) & xp.isfinite(a) & xp.isfinite(x)
        a1, x1 = xp.where(regular, a, 1.0), xp.where(regular, x, 1.0)
        use_cf = (x1 > 1.1) & (x1 >= a1) if upper else (x1 > 1) & (x1 > a1)
        small_q = upper & ~use_cf & (x1 <= 1.1) & xp.where(x1 <= 0.5, -0.4 / xp.log(x1) >= a1, x1 * 1.1 >= a1)
        series = ~use_cf & ~small_q
        p = xp.full_like(a1, xp.nan)
        p[use_cf] = _q_cf(a1[use_cf], x1[use_cf], xp)
        p[series] = _p_series(a1[series], x1[series], xp)
        p[small_q] = _q_small_x(a1[small_q], x1[small_q], xp)
        res = xp.where(series != upper, p, 1 - p)     # p holds P where series, else Q
        res = xp.where(xp.isnan(a) | xp.isnan(x), xp.nan, res)
    one, zero = (0.0, 1.0) if upper else (1.0, 0.0)     # the P = 1 and P = 0 ends, as Q or P
    res = xp.where(xp.isinf(x), one, res)        # PyTorch's order: the last of these wins
    res = xp.where(xp.isinf(a), xp.where(xp.isinf(x), xp.nan, zero), res)
    res = xp.where(x == 0, zero, res)
    res = xp.where(a == 0, xp.where(x > 0, one, xp.nan), res)
    return xp.where((a < 0) | (x < 0), xp.nan, res)


class _Gammainc(_Binary):
    kernel = staticmethod(lambda a, x, xp: _igamma64(a, x, xp, False))
    sign, label = 1, "igamma"

    @classmethod
    def backward(cls, ctx, g):
        if _wants(ctx, 0):
            raise NotImplementedError(f"the derivative for '{cls.label}: input' is not implemented.")
        a, x = _operands(ctx)
        lg = a.lgamma() if isinstance(a, Tensor) else math.lgamma(a)
        return None, cls.sign * g * ((a - 1) * x.log() - x - lg).exp()


class _Gammaincc(_Gammainc):
    kernel = staticmethod(lambda a, x, xp: _igamma64(a, x, xp, True))
    sign, label = -1, "igammac"


gammainc = _binary(_Gammainc, "gammainc", numbers=False)
gammaincc = _binary(_Gammaincc, "gammaincc", numbers=False)
