"""``ember.special`` (torch.special) against PyTorch: values on wide float64 grids, dtypes, gradients."""
import numpy as np
import pytest
import torch

import ember
from oracle import check

# negatives, zeros, tiny and huge values, infinities and NaN
_X = np.concatenate([np.linspace(-40, 40, 1601), np.logspace(-300, 300, 121), -np.logspace(-300, 300, 121),
                     [0., -0., np.inf, -np.inf, np.nan, 1e-300, 1e308, -1e308]])


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
