"""Special functions (ember/ops/special.py) and finfo/iinfo against PyTorch."""
import math

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, check

# a wide float64 grid: negatives, poles, tiny and huge values, infinities and NaN
_X = np.concatenate([np.linspace(-30, 30, 6001), np.logspace(-300, 300, 601), -np.logspace(-10, 5, 101) + 0.3,
                     [0., -0., -1., -2.5, np.inf, -np.inf, np.nan, 1e-300, 1, 2, -1e-300, 171.6, 1e308, 800.]])


def _close(a, b, rtol):
    a, b = np.asarray(a), np.asarray(b)
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    with np.errstate(invalid="ignore"):
        err = np.abs(a - b) / np.maximum(np.abs(b), 1e-300)
    assert np.all(same | (err < rtol)), _X[~(same | (err < rtol))][:10]


@pytest.mark.parametrize("fn,rtol", [(lambda t, x: t.lgamma(x), 1e-10), (lambda t, x: t.digamma(x), 1e-12),
                                     (lambda t, x: t.i0(x), 1e-13), (lambda t, x: t.sinc(x), 1e-15),
                                     (lambda t, x: t.polygamma(1, x), 1e-8), (lambda t, x: t.polygamma(2, x), 1e-11),
                                     (lambda t, x: t.polygamma(5, x), 1e-11)])
def test_float64_grid(fn, rtol):
    _close(fn(ember, ember.tensor(_X)).numpy(), fn(torch, torch.tensor(_X)).numpy(), rtol)


def test_lgamma_against_math():
    xs = np.concatenate([np.linspace(0.01, 40, 4001), np.linspace(-20.01, -0.01, 2000) + 1e-3])
    ref = np.array([math.lgamma(v) for v in xs])
    got = ember.lgamma(ember.tensor(xs)).numpy()
    assert np.max(np.abs(got - ref) / np.maximum(np.abs(ref), 1)) < 1e-13
    mpmath = pytest.importorskip("mpmath")   # (math.lgamma itself is off by 3e-13 relative near the zeros)
    near = np.linspace(0.9, 2.1, 101)        # the zeros at 1 and 2: relative accuracy too
    ref = np.array([float(mpmath.loggamma(v)) for v in near])
    got = ember.lgamma(ember.tensor(near)).numpy()
    assert np.max(np.abs(got - ref) / np.maximum(np.abs(ref), 1e-300)) < 1e-13


@pytest.mark.parametrize("name", ["lgamma", "digamma", "i0", "sinc"])
def test_unary_float32_grad(name):
    check(lambda t, x: getattr(t, name)(x), [(3, 4)], low=0.2, high=3)
    check(lambda t, x: getattr(x, name)(), [(5,)], low=-3, high=3)


@pytest.mark.parametrize("dtype", [ember.int64, ember.bool, ember.float16, ember.bfloat16, ember.float64])
def test_dtypes(dtype):
    for name in ["lgamma", "digamma", "i0", "sinc"]:
        e = getattr(ember, name)(ember.tensor([1, 0, 1]).to(dtype))
        t = getattr(torch, name)(torch.tensor([1, 0, 1]).to(getattr(torch, str(dtype)[6:])))
        assert str(e.dtype) == str(t.dtype)
        assert_same(e.double(), t.double(), tol=dict(rtol=1e-2, atol=1e-3))


def test_polygamma_and_mvlgamma():
    for n in range(4):
        check(lambda t, x: t.polygamma(n, x), [(6,)], dtype=np.float64, low=0.3, high=4)
        check(lambda t, x: x.polygamma(n), [(6,)], low=0.3, high=4)
    check(lambda t, x: t.mvlgamma(x, 3), [(2, 3)], low=1.2, high=4)
    check(lambda t, x: x.mvlgamma(p=1), [(4,)], dtype=np.float64, low=0.2, high=4)
    assert_same(ember.mvlgamma(ember.tensor([3, 4]), 2), torch.mvlgamma(torch.tensor([3, 4]), 2))
    with pytest.raises(RuntimeError, match="does not support negative n"):
        ember.polygamma(-1, ember.ones(2))
    with pytest.raises(TypeError, match="must be int"):
        ember.polygamma(1.5, ember.ones(2))
    with pytest.raises(RuntimeError, match="p has to be greater than or equal to 1"):
        ember.mvlgamma(ember.ones(2), 0)


def test_inplace():
    for name, args in [("lgamma_", ()), ("digamma_", ()), ("polygamma_", (2,)), ("i0_", ()), ("sinc_", ()),
                       ("mvlgamma_", (2,))]:
        a = np.array([1.5, 2.5, 3.0], dtype=np.float32)
        e, t = ember.tensor(a), torch.tensor(a)
        assert getattr(e, name)(*args) is e
        getattr(t, name)(*args)
        assert_same(e, t)
    with pytest.raises(RuntimeError, match="can't be cast"):
        ember.tensor([1, 2]).lgamma_()


def test_gcd_lcm():
    a, b = np.array([-4, 0, 3, 12, 0]), np.array([6, 0, -5, 18, 7])
    for name in ["gcd", "lcm"]:
        check(lambda t, x, y: getattr(t, name)(x, y), [a, b], grad=False)
        check(lambda t, x, y: getattr(x, name)(y), [a.astype(np.int32), b.astype(np.int16)], grad=False)
        e = ember.tensor(a)
        getattr(e, name + "_")(ember.tensor(b))
        assert_same(e, getattr(torch, name)(torch.tensor(a), torch.tensor(b)))
        with pytest.raises(NotImplementedError, match=f"\"{name}_cpu\" not implemented for 'Float'"):
            getattr(ember, name)(ember.ones(2), ember.ones(2))
        with pytest.raises(NotImplementedError, match="'Bool'"):
            getattr(ember, name)(ember.tensor([True]), ember.tensor([True]))


def test_frexp_ldexp():
    x = np.array([0., 3., -5., 0.1, np.inf, np.nan], dtype=np.float32)
    e, t = ember.frexp(ember.tensor(x)), torch.frexp(torch.tensor(x))
    assert_same(tuple(e), tuple(t))
    assert repr(e) == repr(t) and e.mantissa is e[0] and e.exponent.dtype is ember.int32
    check(lambda t, x: t.frexp(x)[0], [(5,)], dtype=np.float64)
    with pytest.raises(RuntimeError, match="only supports floating-point"):
        ember.frexp(ember.tensor([1, 2]))
    # (non-negative integer exponents: PyTorch's gradient for a negative one is 0, from integer 2**other)
    check(lambda t, x, y: t.ldexp(x, y), [(3,), np.array([1, 0, 3])])
    check(lambda t, x, y: x.ldexp(y), [(3,), (3,)], dtype=np.float64)
    for a, b in [("int64", "int32"), ("float16", "int64"), ("bfloat16", "int32"), ("int32", "float64"),
                 ("int64", "float16")]:
        r = ember.ldexp(ember.ones(2, dtype=getattr(ember, a)), ember.ones(2, dtype=getattr(ember, b)))
        assert r.dtype == getattr(ember, str(torch.ldexp(torch.ones(2, dtype=getattr(torch, a)),
                                                          torch.ones(2, dtype=getattr(torch, b))).dtype)[6:])


def test_nextafter_heaviside():
    a, b = np.array([1., 0., -1., 2.]), np.array([2., -1., -1., 0.])
    for dt in (np.float32, np.float64):
        check(lambda t, x, y: t.nextafter(x, y), [a.astype(dt), b.astype(dt)])
    e = ember.nextafter(ember.tensor([1.0], dtype=ember.bfloat16), ember.tensor([2.0], dtype=ember.bfloat16))
    assert e.item() == torch.nextafter(torch.tensor([1.0], dtype=torch.bfloat16),
                                       torch.tensor([2.0], dtype=torch.bfloat16)).item()
    with pytest.raises(NotImplementedError, match="nextafter_cpu"):
        ember.nextafter(ember.tensor([1]), ember.tensor([2]))
    check(lambda t, x, y: t.heaviside(x, y), [np.array([-1., 0., 2., np.nan]), np.array([5.])], grad=False)
    check(lambda t, x, y: x.heaviside(y), [np.array([-1, 0, 2]), np.array([7, 8, 9])], grad=False)
    with pytest.raises(RuntimeError, match="different dtypes"):
        ember.heaviside(ember.ones(2), ember.ones(2, dtype=ember.float64))
    with pytest.raises(TypeError, match="must be Tensor"):
        ember.heaviside(ember.ones(2), 2.0)
    with pytest.raises(RuntimeError, match="derivative for aten::heaviside"):
        ember.heaviside(ember.ones(2, requires_grad=True), ember.ones(2))


def test_finfo_iinfo():
    for name in ["float16", "bfloat16", "float32", "float64", "complex64", "complex128"]:
        e, t = ember.finfo(getattr(ember, name)), torch.finfo(getattr(torch, name))
        assert repr(e) == repr(t)
        for f in ["bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"]:
            assert getattr(e, f) == getattr(t, f), (name, f)
    assert ember.finfo() is ember.finfo(ember.float32)
    for name in ["uint8", "int8", "int16", "int32", "int64"]:
        e, t = ember.iinfo(getattr(ember, name)), torch.iinfo(getattr(torch, name))
        assert repr(e) == repr(t) and (e.bits, e.min, e.max, e.dtype) == (t.bits, t.min, t.max, t.dtype)
        assert type(e.max) is int
    with pytest.raises(TypeError, match="requires a floating point input type"):
        ember.finfo(ember.int32)
    with pytest.raises(TypeError, match="requires an integer input type"):
        ember.iinfo(ember.float32)
    with pytest.raises(TypeError, match="torch.bool is not supported"):
        ember.iinfo(ember.bool)
