"""Samplers PyTorch has as ops and Ember does not: ``_standard_gamma`` (Marsaglia–Tsang, differentiable by
implicit reparameterisation), ``_sample_dirichlet`` and ``_binomial``.

All draw from Ember's generator, so ``manual_seed`` makes them reproducible; their streams are not PyTorch's
(PyTorch draws gamma variates one element at a time; these are vectorised).

Implicit reparameterisation (Figurnov et al., 2018): a sample ``x`` with CDF ``P(α, x)`` moves with the
parameter as ``dx/dα = -(∂P/∂α)(α, x) / p(x; α)``. For the standard gamma ``P`` is the regularised lower
incomplete gamma function; ``_standard_gamma_grad`` evaluates ``dx/dα`` in float64 from a series (for
``x < α + 1``) or Legendre's continued fraction carried with its derivative in ``α`` (for ``x >= α + 1``),
and from the Wilson–Hilferty approximation when ``α`` is so large (> 2500) that both converge slowly.
"""
import numpy as np

import ember
from .. import _random
from .._backend import xp_of
from .._tensor import Tensor
from ..ops._util import Op
from ..ops.special import _digamma64

__all__ = []

_WILSON_HILFERTY_FROM = 2500.0


def _draw(shape, kind, device):
    """float64 draws from Ember's default generator: ``normal`` N(0, 1), or ``uniform`` in (0, 1]."""
    if kind == "normal":
        return ember.randn(shape, dtype=ember.float64, device=device)._data
    return 1.0 - ember.rand(shape, dtype=ember.float64, device=device)._data


def _gamma_draws(alpha, device):
    """Gamma(alpha, 1) samples for a float64 array ``alpha`` (> 0), by Marsaglia and Tsang's method (2000).

    For alpha < 1, draws Gamma(alpha + 1) and multiplies by ``U ** (1 / alpha)`` (their boosting trick).
    """
    xp = xp_of(alpha)
    flat = alpha.reshape(-1)
    boost = flat < 1
    a = xp.where(boost, flat + 1, flat)
    d = a - 1.0 / 3.0
    c = 1.0 / xp.sqrt(9.0 * d)
    out = xp.empty_like(a)
    todo = xp.arange(a.size)
    while todo.size:             # rejection: redraw only for the rejected elements
        dd, cc = d[todo], c[todo]
        z = _draw(todo.shape, "normal", device)
        u = _draw(todo.shape, "uniform", device)
        t = 1.0 + cc * z
        v = t * t * t
        with np.errstate(invalid="ignore", divide="ignore"):
            ok = (t > 0) & (xp.log(u) < 0.5 * z * z + dd - dd * v + dd * xp.log(v))
        out[todo[ok]] = (dd * v)[ok]
        todo = todo[~ok]
    if bool(boost.any()):
        idx = xp.nonzero(boost)[0]
        u = _draw(idx.shape, "uniform", device)
        out[idx] = out[idx] * u ** (1.0 / flat[idx])
    return out.reshape(alpha.shape)


def _converge(n_max, state, step):
    """Iterate ``step(state, n) -> (state, done)`` on the elements not done yet; returns the final state."""
    xp = xp_of(state[0])
    out = [s.copy() for s in state]
    idx = xp.arange(state[0].shape[0])
    cur = list(state)
    for n in range(1, n_max):
        if idx.size == 0:
            break
        cur, done = step(cur, n)
        for o, c in zip(out, cur):
            o[idx] = c
        keep = ~done
        idx, cur = idx[keep], [c[keep] for c in cur]
    return out


def _dx_dalpha_series(x, a, xp):
    """``x < a + 1``: P = x^a e^-x / Γ(a+1) Σ c_n with c_n = x^n / ((a+1)...(a+n)), so
    dx/da = -(x / a) Σ c_n (log x - ψ(a + n + 1))."""
    logx = xp.log(x)
    psi = _digamma64(a + 1, xp)
    # state: c_n, ψ(a + n + 1), the running sum, Σ c_n, and the elements' own x, a, log x (the loop shrinks them)
    state = [xp.ones_like(x), psi, logx - psi, xp.ones_like(x), x.copy(), a.copy(), logx]

    def step(s, n):
        c, psi_n, total, csum, xs, as_, lx = s
        psi_n = psi_n + 1.0 / (as_ + n)                       # ψ(a + n + 1) = ψ(a + n) + 1 / (a + n)
        c = c * xs / (as_ + n)                                # decreasing: x / (a + n) < 1 here
        total = total + c * (lx - psi_n)
        csum = csum + c
        return [c, psi_n, total, csum, xs, as_, lx], c <= 1e-17 * csum
    total = _converge(100000, state, step)[2]
    return -(x / a) * total


def _dx_dalpha_cf(x, a, xp):
    """``x >= a + 1``: Q = x^a e^-x / Γ(a) h with h = 1/(x+1-a - 1(1-a)/(x+3-a - 2(2-a)/(x+5-a - ...))),
    so dx/da = x (h (log x - ψ(a)) + dh/da); h and dh/da from the convergents A_n/B_n and their derivatives."""
    one, zero = xp.ones_like(x), xp.zeros_like(x)
    # (A_{n-1}, A_n, B_{n-1}, B_n) and their a-derivatives, after the first term a_1 = 1, b_1 = x + 1 - a
    b1 = x + 1 - a
    state = [zero, one, one, b1, zero, zero, zero, -one, x.copy(), a.copy(), 1 / b1, 1 / (b1 * b1)]

    def step(s, n):
        A0, A1, B0, B1, dA0, dA1, dB0, dB1, xs, as_, h_old, dh_old = s
        k = n                       # term index n + 1 >= 2: a_k = -k (k - a), b_k = x + 2k + 1 - a
        an, dan = -k * (k - as_), float(k)
        bn = xs + 2 * k + 1 - as_
        A2 = bn * A1 + an * A0
        B2 = bn * B1 + an * B0
        dA2 = -A1 + bn * dA1 + dan * A0 + an * dA0
        dB2 = -B1 + bn * dB1 + dan * B0 + an * dB0
        s_ = 1.0 / B2               # rescale everything so that B_n = 1: the ratio and dh are unchanged
        A0, A1, B0 = A1 * s_, A2 * s_, B1 * s_
        dA0, dA1, dB0, dB1 = dA1 * s_, dA2 * s_, dB1 * s_, dB2 * s_
        h = A1                      # A_n / B_n
        dh = dA1 - A1 * dB1         # (dA B - A dB) / B², B = 1
        done = (xp.abs(h - h_old) <= 1e-16 * xp.abs(h)) & (xp.abs(dh - dh_old) <= 1e-15 * xp.abs(dh) + 1e-300)
        return [A0, A1, B0, xp.ones_like(A1), dA0, dA1, dB0, dB1, xs, as_, h, dh], done
    out = _converge(5000, state, step)
    h, dh = out[10], out[11]
    return x * (h * (xp.log(x) - _digamma64(a, xp)) + dh)


def _dx_dalpha_wilson_hilferty(x, a, xp):
    """Large a: (x / a)^(1/3) ≈ 1 - 1/(9a) + z / (3 sqrt(a)) with z ~ N(0, 1); differentiate holding z fixed."""
    w = xp.cbrt(x / a)
    z = (w - 1 + 1 / (9 * a)) * 3 * xp.sqrt(a)
    dw = 1 / (9 * a * a) - z / (6 * a * xp.sqrt(a))
    return w ** 3 + 3 * a * w * w * dw


def _standard_gamma_grad(x, alpha):
    """``dx/dα`` of standard-gamma samples ``x`` (arrays, computed in float64, returned in x's dtype)."""
    xp = xp_of(x)
    x64 = xp.asarray(x, dtype=xp.float64).reshape(-1)
    a64 = xp.broadcast_to(xp.asarray(alpha, dtype=xp.float64), x.shape).reshape(-1)
    out = xp.zeros_like(x64)
    big = a64 > _WILSON_HILFERTY_FROM
    low = ~big & (x64 < a64 + 1) & (x64 > 0)
    high = ~big & (x64 >= a64 + 1)
    for mask, fn in ((low, _dx_dalpha_series), (high, _dx_dalpha_cf), (big, _dx_dalpha_wilson_hilferty)):
        idx = xp.nonzero(mask)[0]
        if idx.size:
            out[idx] = fn(x64[idx], a64[idx], xp)
    return out.reshape(x.shape).astype(x.dtype, copy=False)


class _StandardGamma(Op):
    """Gamma(concentration, 1) samples; backward by implicit reparameterisation (``_standard_gamma_grad``)."""
    node_name = "StandardGammaBackward0"

    @staticmethod
    def forward(ctx, alpha):
        xp = xp_of(alpha)
        device = _device_of(alpha)
        x = _gamma_draws(xp.asarray(alpha, dtype=xp.float64), device).astype(alpha.dtype)
        ctx.save_for_backward(alpha, x)
        return x

    @staticmethod
    def backward(ctx, g):
        alpha, x = ctx.saved_tensors
        dx = Tensor._wrap(_standard_gamma_grad(x._data, alpha._data))
        return g * dx


def _device_of(array):
    return None if xp_of(array) is np else ember.device("cuda")


def _standard_gamma(concentration):
    """Gamma(concentration, rate=1) samples of ``concentration``'s shape and dtype, differentiable w.r.t. it."""
    if not concentration.dtype.is_floating_point:
        raise RuntimeError(f"_standard_gamma: expected a floating-point concentration, got {concentration.dtype}")
    return _StandardGamma.apply(concentration)


def _sample_dirichlet(concentration):
    """Dirichlet samples (along the last dim): independent Gamma(α_i, 1) draws divided by their sum.

    Differentiable w.r.t. ``concentration`` through the gammas' implicit gradients (PyTorch differentiates
    the Beta marginals instead; both are unbiased reparameterisations, so per-sample gradients differ).
    """
    g = _standard_gamma(concentration)
    finfo = ember.finfo(g.dtype)
    # keep draws > 0 and coordinates inside (0, 1), as PyTorch does (tiny α underflows); values only, not gradients
    g = g + (g.detach().clamp(min=finfo.tiny) - g.detach())
    x = g / g.sum(-1, keepdim=True)
    return x + (x.detach().clamp(min=finfo.tiny, max=1 - finfo.eps) - x.detach())


def _binomial(count, prob):
    """Binomial(count, prob) samples (float, the dtype of ``prob``), not differentiable.

    Drawn by NumPy's binomial sampler (BTPE / inversion) from a generator seeded by Ember's stream on the
    CPU, and by CuPy's generator on CUDA, as ``ember.poisson`` does.
    """
    count, prob = ember.broadcast_tensors(count, prob)
    g = _random.generator_for(None, prob.device)
    n = count.detach()._data
    p = prob.detach()._data
    if prob.is_cuda:
        out = g._cupy().binomial(n.astype("int64"), p).astype(p.dtype)
    else:
        rng = np.random.Generator(np.random.PCG64([int(v) for v in g._random64(2)]))
        out = rng.binomial(n.astype(np.int64), np.clip(p, 0.0, 1.0)).astype(p.dtype)
    return Tensor._wrap(out)

