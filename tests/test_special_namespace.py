"""``ember.special`` (torch.special) against PyTorch: values on wide float64 grids, dtypes, gradients."""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import check

# negatives, zeros, tiny and huge values, infinities and NaN
_X = np.concatenate([np.linspace(-40, 40, 1601), np.logspace(-300, 300, 121), -np.logspace(-300, 300, 121),
                     [0., -0., np.inf, -np.inf, np.nan, 1e-300, 1e308, -1e308]])


warnings.filterwarnings("ignore", category=RuntimeWarning, module=__name__)


def _close(e, t, rtol, atol=0.0, where=None):
    a, b = e.detach().numpy(), t.detach().numpy()
    assert str(e.dtype) == str(t.dtype) and a.shape == b.shape
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    with np.errstate(invalid="ignore", over="ignore"):
        ok = same | (np.abs(a - b) <= atol + rtol * np.abs(b))
    bad = ~ok if where is None else ~ok & where
    assert not bad.any(), (a[bad][:5], b[bad][:5])


def _both(name, *args, **kw):
    """``ember.special.name`` and ``torch.special.name`` on the same NumPy arrays (or numbers)."""
    def conv(lib, a):
        return lib.tensor(a) if isinstance(a, np.ndarray) else a
    return (getattr(ember.special, name)(*[conv(ember, a) for a in args], **kw),
            getattr(torch.special, name)(*[conv(torch, a) for a in args], **kw))


@pytest.mark.parametrize("name", ["digamma", "psi", "gammaln", "i0", "i1", "sinc", "erf", "erfc", "erfinv", "exp2",
                                  "expit", "expm1", "log1p", "logit", "round"])
def test_reused_unary(name):
    x = np.linspace(-5, 5, 41) if name != "erfinv" else np.linspace(-0.99, 0.99, 41)
    _close(*_both(name, x), 1e-12, 1e-15)
    if name != "round":
        _close(*_both(name, np.arange(-3, 4)), 1e-6)      # integers give float32
    check(lambda t, x: getattr(t.special, name)(x), [(3, 4)], low=0.1, high=0.9)


def test_reused_others():
    x = np.linspace(0.5, 5, 12).reshape(3, 4)
    _close(*_both("polygamma", 2, x), 1e-12)
    _close(*_both("multigammaln", x + 2, 3), 1e-12)
    _close(*_both("xlogy", x, x[::-1].copy()), 1e-12)
    _close(*_both("logsumexp", x, 1), 1e-12)
    _close(*_both("softmax", x, 0), 1e-12)
    e, t = ember.special.log_softmax(ember.arange(4), 0, dtype=ember.float64), torch.special.log_softmax(
        torch.arange(4), 0, dtype=torch.float64)
    _close(e, t, 1e-12)
    _close(*_both("round", x, decimals=1), 0)
    out = ember.empty(3, 4, dtype=ember.float64)
    assert ember.special.erf(ember.tensor(x), out=out) is out
    check(lambda t, x: t.special.log_softmax(x, 1), [(3, 4)])
    check(lambda t, x: t.special.xlogy(x, 2.5), [(3, 4)], positive=True)


@pytest.mark.parametrize("name,rtol", [("entr", 1e-15), ("erfcx", 1e-13), ("ndtr", 1e-12), ("log_ndtr", 1e-12),
                                       ("i0e", 1e-14), ("i1e", 1e-14), ("i1", 1e-14)])
def test_new_unary_grid(name, rtol):
    e, t = _both(name, _X)
    # (torch's ndtr is 1 + erf(x / sqrt 2) / 2, 0 below -8.3: absolute accuracy only; its i1 is nan at 1e300)
    _close(e, t, rtol, atol=1.2e-16 if name == "ndtr" else 1e-300, where=np.abs(_X) < 1e300)
    _close(*_both(name, _X.astype(np.float32)), 1e-5, atol=1e-7 if name == "ndtr" else 1e-38)  # torch: a few ulps
    _close(*_both(name, np.arange(-3, 4)), 1e-5)


def test_ndtr_tail_against_mpmath():
    mpmath = pytest.importorskip("mpmath")
    x = np.array([-38.0, -30.0, -20.0, -8.5, -3.0])
    got = ember.special.ndtr(ember.tensor(x)).numpy()
    ref = np.array([float(mpmath.ncdf(v)) for v in x])
    np.testing.assert_allclose(got, ref, rtol=2e-13)
    got = ember.special.log_ndtr(ember.tensor(x)).numpy()
    np.testing.assert_allclose(got, [float(mpmath.log(mpmath.ncdf(v))) for v in x], rtol=1e-15)


def test_ndtri():
    p = np.concatenate([np.linspace(-0.5, 1.5, 801), np.logspace(-300, -0.5, 300), 1 - np.logspace(-16, -0.5, 100),
                        [np.nan, 0.5, 0., 1.]])
    _close(*_both("ndtri", p), 1e-13)
    _close(*_both("ndtri", p.astype(np.float32)), 1e-6)
    x = ember.special.ndtri(ember.special.ndtr(ember.tensor(np.linspace(-37, 0, 200))))
    np.testing.assert_allclose(x.numpy(), np.linspace(-37, 0, 200), rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("name", ["entr", "erfcx", "ndtr", "ndtri", "log_ndtr", "i0e", "i1e", "i1"])
def test_new_unary_grad_and_dtypes(name):
    lo, hi = (0.05, 0.95) if name == "ndtri" else (-3, 3) if name != "entr" else (0.1, 3)
    check(lambda t, x: getattr(t.special, name)(x), [(3, 4)], dtype=np.float64, low=lo, high=hi)
    half = name in ("entr", "ndtr", "i0e", "i1e", "i1")
    for dt in (ember.float16, ember.bfloat16):
        x = ember.tensor([0.25, 0.5], dtype=dt)
        if half:
            tx = torch.tensor([0.25, 0.5], dtype=getattr(torch, str(dt).split(".")[1]))
            np.testing.assert_allclose(getattr(ember.special, name)(x).float().numpy(),    # within an ulp
                                       getattr(torch.special, name)(tx).float().numpy(), rtol=8e-3)
        else:
            with pytest.raises(NotImplementedError):
                getattr(ember.special, name)(x)
    out = ember.empty(2)
    assert getattr(ember.special, name)(ember.tensor([0.25, 0.5]), out=out) is out


def test_xlog1py():
    x = np.array([0., 0., 1., -2., 3., np.nan, 0., 2.])
    y = np.array([np.nan, -1., 2., -0.5, -1., 1., 5., np.inf])
    _close(*_both("xlog1py", x, y), 1e-15)
    _close(*_both("xlog1py", 2, y), 1e-15)
    _close(*_both("xlog1py", x, 3), 1e-15)
    _close(*_both("xlog1py", np.arange(3), np.arange(3)), 1e-7)
    check(lambda t, x, y: t.special.xlog1py(x, y), [(3, 4), (4,)], dtype=np.float64, positive=True)
    check(lambda t, y: t.special.xlog1py(2.5, y), [(3,)], dtype=np.float64, positive=True)


def test_zeta():
    s = np.concatenate([[-1, 0, 0.5, 1, 1.0001, 1.5, 2, 3, 4.5, 10, 50, 1e3, np.inf, np.nan],
                        np.linspace(1.01, 30, 30)])
    q = np.concatenate([[-20.5, -3, -2.5, -1, 0, 1e-10, 0.3, 1, 2, 9.5, 100, 1e7, 2e8, np.inf, np.nan, -np.inf],
                        np.linspace(-5.05, 20, 51)])
    s, q = [v.ravel() for v in np.meshgrid(s, q)]
    _close(*_both("zeta", s, q), 1e-13)
    _close(*_both("zeta", 2, q), 1e-13)
    _close(*_both("zeta", s, 1.5), 1e-13)
    _close(*_both("zeta", s.astype(np.float32), q.astype(np.float32)), 1e-5, atol=1e-38)
    assert ember.special.zeta(2, ember.tensor([1e300], dtype=ember.float64)).item() == 1e-300     # (torch: 0)
    check(lambda t, q: t.special.zeta(3.5, q), [(3, 4)], dtype=np.float64, positive=True)
    x = ember.tensor([2.5], requires_grad=True)
    with pytest.raises(NotImplementedError, match="derivative for 'zeta'"):
        ember.special.zeta(x, ember.tensor([1.0])).sum().backward()
    with pytest.raises(NotImplementedError):
        ember.special.zeta(ember.tensor([2.], dtype=ember.float16), 1.)


def test_gammainc():
    a = np.concatenate([[0, 1e-300, 1e-10, 1e-3, 0.1, 0.5, 1, 1.5, 2, 5, 10, 14.9, 15, 20, 50, 100, 1e3, 1e4, np.inf,
                         np.nan, -1], np.linspace(0.05, 30, 37)])
    x = np.concatenate([[0, 1e-300, 1e-10, 1e-3, 0.1, 0.5, 0.9, 1, 1.05, 1.2, 2, 5, 10, 15, 20, 50, 100, 1e3, 1e4,
                         1e5, np.inf, np.nan, -1], np.linspace(0.05, 40, 41)])
    a, x = [v.ravel() for v in np.meshgrid(a, x)]
    tiny = a > 1e-3                       # (torch loses digits for tiny a: checked against mpmath below)
    for name in ("gammainc", "gammaincc"):
        # torch's asymptotic series for a > 20 near x = a is good to 2e-9; the series/fraction here to round-off
        _close(*_both(name, a, x), 3e-9, atol=1e-300, where=tiny)
        _close(*_both(name, a, x), 1e-12, atol=1e-300, where=tiny & ((a < 20) | (np.abs(x - a) > 0.3 * a)))
        _close(*_both(name, a.astype(np.float32), x.astype(np.float32)), 1e-4, atol=1e-30, where=tiny)
        check(lambda t, a, x: getattr(t.special, name)(a.detach(), x), [(4,), (3, 4)], dtype=np.float64,
              positive=True)
        with pytest.raises(TypeError, match="must be Tensor"):
            getattr(ember.special, name)(2.5, ember.tensor([1.0]))
        p = ember.tensor([2.5], requires_grad=True)
        with pytest.raises(RuntimeError, match="derivative"):
            getattr(ember.special, name)(p, ember.tensor([1.0])).sum().backward()
    mpmath = pytest.importorskip("mpmath")
    for av, xv in [(22.5125, 16.03), (1e-10, 0.5), (1e-3, 0.1), (20.0, 1e-10), (500.0, 480.0), (1e-3, 3.0)]:
        got = ember.special.gammaincc(ember.tensor([av], dtype=ember.float64), ember.tensor([xv], dtype=ember.float64))
        ref = float(mpmath.gammainc(av, xv, mpmath.inf, regularized=True))
        assert abs(got.item() - ref) <= 1e-13 * ref
