"""torch.signal.windows against PyTorch: values, dtypes, shapes, autograd structure and errors."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same

NAMES = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_hamming", "hamming", "hann", "kaiser",
         "nuttall"]
TOL = {"float32": dict(rtol=1e-5, atol=2e-6), "float64": dict(rtol=1e-12, atol=1e-14)}


def both(name, *args, **kw):
    e_kw = {k: getattr(ember, v.split(".")[1]) if isinstance(v, str) and v.startswith("torch.") else v
            for k, v in kw.items()}
    t_kw = {k: getattr(torch, v.split(".")[1]) if isinstance(v, str) and v.startswith("torch.") else v
            for k, v in kw.items()}
    return getattr(ember.signal.windows, name)(*args, **e_kw), getattr(torch.signal.windows, name)(*args, **t_kw)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_values(name, dtype):
    for M in (0, 1, 2, 3, 4, 7, 16, 51):
        for sym in (True, False):
            e, t = both(name, M, sym=sym, dtype="torch." + dtype)
            assert_same(e, t, f"{name}({M}, sym={sym})", tol=TOL[dtype])


def test_default_dtype_and_parameters():
    e, t = both("hann", 10)
    assert_same(e, t, tol=TOL["float32"])
    cases = [("general_cosine", 9, dict(a=[0.5, 0.3, 0.2])), ("general_cosine", 8, dict(a=(1.0,), sym=False)),
             ("general_hamming", 11, dict(alpha=0.6)), ("kaiser", 12, dict(beta=0.0)), ("kaiser", 13, dict(beta=5)),
             ("gaussian", 10, dict(std=2.5, sym=False)), ("exponential", 9, dict(tau=3.0)),
             ("exponential", 9, dict(sym=False, center=2.0, tau=0.5))]
    for name, M, kw in cases:
        for dtype in ("float32", "float64"):
            e, t = both(name, M, dtype="torch." + dtype, **kw)
            assert_same(e, t, f"{name}({M}, {kw})", tol=TOL[dtype])


def test_requires_grad_builds_a_graph_like_torch():
    for name in ("hann", "kaiser", "gaussian", "cosine", "exponential"):
        e, t = both(name, 6, requires_grad=True)
        assert e.requires_grad and t.requires_grad
        assert e.is_leaf == t.is_leaf
        assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__, name
        e.sum().backward()            # the graph runs back to the positions leaf
    e, t = both("bartlett", 6, requires_grad=True)
    assert e.grad_fn is not None and not e.is_leaf and not t.is_leaf
    e, t = both("hann", 1, requires_grad=True)
    assert e.is_leaf and t.is_leaf and e.requires_grad


@pytest.mark.parametrize("name", NAMES + ["general_cosine"])
def test_errors(name):
    kw = dict(a=[0.5, 0.5]) if name == "general_cosine" else {}
    # hamming/hann/nuttall/general_hamming run through general_cosine's checks, and say so, as PyTorch's
    checked = "general_cosine" if name in ("hamming", "hann", "nuttall", "general_hamming") else name
    for args, extra in (((-1,), {}), ((5,), dict(dtype="torch.int64")), ((5,), dict(dtype="torch.float16"))):
        with pytest.raises(ValueError) as te:
            both(name, *args, **kw, **extra)[1]
        with pytest.raises(ValueError) as ee:
            getattr(ember.signal.windows, name)(*args, **kw, **{k: getattr(ember, v.split(".")[1])
                                                                 for k, v in extra.items()})
        assert str(ee.value) == str(te.value)
        assert checked in str(ee.value)


def test_parameter_errors():
    cases = [("exponential", dict(tau=0.0)), ("exponential", dict(center=1.0)), ("gaussian", dict(std=-1.0)),
             ("kaiser", dict(beta=-0.5)), ("general_cosine", dict(a=[])), ("general_cosine", dict(a=3.0))]
    for name, kw in cases:
        with pytest.raises(Exception) as te:
            getattr(torch.signal.windows, name)(5, **kw)
        with pytest.raises(type(te.value)) as ee:
            getattr(ember.signal.windows, name)(5, **kw)
        assert str(ee.value) == str(te.value), name
    with pytest.raises(ValueError, match="strided tensors only"):
        ember.signal.windows.hann(5, layout=None)


def test_import_paths():
    from ember.signal.windows import kaiser
    assert kaiser is ember.signal.windows.windows.kaiser
    assert np.allclose(kaiser(4).numpy(), torch.signal.windows.kaiser(4).numpy())
