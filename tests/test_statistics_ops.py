"""Statistics, binning, searching, integration and window functions (ember/ops/statistics.py) against PyTorch."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, check

_RNG = np.random.default_rng(1)


def test_bincount():
    x = np.array([0, 3, 3, 1, 7])
    check(lambda t, a: t.bincount(a), [x], grad=False)
    check(lambda t, a: a.bincount(minlength=10), [x], grad=False)
    for wdt in (np.float32, np.float64, np.float16, np.int64):
        check(lambda t, a, w: t.bincount(a, w), [x, np.arange(5).astype(wdt)], grad=False)
    check(lambda t, a: t.bincount(a), [np.array([], dtype=np.int64)], grad=False)
    with pytest.raises(RuntimeError, match="non-negative"):
        ember.bincount(ember.tensor([-1, 2]))
    with pytest.raises(NotImplementedError, match="'Float'"):
        ember.bincount(ember.tensor([1.0]))


def test_histc_histogram():
    x = _RNG.normal(size=200).astype(np.float32)
    check(lambda t, a: t.histc(a), [x], grad=False)
    check(lambda t, a: a.histc(bins=7, min=-1, max=1.5), [x], grad=False)
    check(lambda t, a: t.histc(a, bins=4), [np.array([2.0, 2.0])], grad=False)
    check(lambda t, a: t.histc(a, bins=5), [np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0])], grad=False)
    check(lambda t, a: tuple(t.histogram(a, 6)), [x.astype(np.float64)], grad=False)
    check(lambda t, a: tuple(t.histogram(a, 4)), [np.array([2.0, 2.0], dtype=np.float32)], grad=False)
    check(lambda t, a, w: tuple(a.histogram(5, range=(-1.0, 2.0), weight=w, density=True)),
          [x, np.abs(x)], grad=False)
    check(lambda t, a, b: tuple(t.histogram(a, b)), [x, np.array([-1, 0, 0.5, 3], dtype=np.float32)], grad=False)
    r = ember.histogram(ember.tensor([1.0, 2.0]), 2)
    assert repr(r) == repr(torch.histogram(torch.tensor([1.0, 2.0]), 2)) and r.hist is r[0]
    with pytest.raises(NotImplementedError, match="histogram_cpu"):
        ember.histc(ember.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="max must be larger than min"):
        ember.histc(ember.ones(3), bins=4, min=3, max=1)
    with pytest.raises(RuntimeError, match="not finite"):
        ember.histc(ember.tensor([1.0, float("nan")]))


@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantile(interpolation):
    kw = dict(interpolation=interpolation)
    check(lambda t, a: t.quantile(a, 0.3, **kw), [(7,)])
    check(lambda t, a: t.quantile(a, 0.3, dim=0, keepdim=True, **kw), [()])
    check(lambda t, a: a.quantile(0.75, dim=1, keepdim=True, **kw), [(3, 5, 2)])
    check(lambda t, a, q: t.quantile(a, q, dim=0, **kw), [(6, 3), np.array([0.0, 0.25, 0.5, 1.0], np.float32)])
    check(lambda t, a, q: t.quantile(a, q, keepdim=True, **kw), [(2, 3), np.array([0.1, 0.9])], dtype=np.float64)
    x = np.array([[1.0, np.nan, 3.0, 2.0], [4.0, 5.0, 0.0, 1.0], [np.nan] * 4], dtype=np.float32)
    for name in ("quantile", "nanquantile"):
        check(lambda t, a: getattr(t, name)(a, 0.4, dim=1, **kw), [x], grad=False)
        check(lambda t, a: getattr(a, name)(torch.tensor([0.2, 0.6]) if t is torch else ember.tensor([0.2, 0.6]),
                                            dim=-1, **kw), [x], grad=False)


def test_quantile_errors():
    x = ember.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"q must be in the range \[0, 1\] but got 1.5"):
        ember.quantile(x, 1.5)
    with pytest.raises(RuntimeError, match="interpolation must be one of"):
        ember.quantile(x, 0.5, interpolation="foo")
    with pytest.raises(RuntimeError, match="must be either float or double"):
        ember.nanquantile(ember.tensor([1, 2]), 0.5)


def test_diff():
    check(lambda t, a: t.diff(a), [(5,)])
    check(lambda t, a: a.diff(n=2, dim=0), [(5, 3)], dtype=np.float64)
    check(lambda t, a, p, q: t.diff(a, dim=1, prepend=p, append=q), [(2, 3), (2, 1), (2, 2)])
    check(lambda t, a: t.diff(a, n=3), [np.array([1, 4, 9, 16, 25])], grad=False)
    check(lambda t, a: t.diff(a), [np.array([True, False, False, True])], grad=False)
    check(lambda t, a: t.diff(a, n=7), [(3,)])
    with pytest.raises(RuntimeError, match="order must be non-negative but got -1"):
        ember.diff(ember.ones(3), n=-1)


def test_cov_corrcoef():
    check(lambda t, a: t.cov(a), [(3, 6)])
    check(lambda t, a: a.cov(correction=0), [(6,)], dtype=np.float64)
    fw, aw = np.array([1, 2, 0, 3, 1]), np.array([0.5, 1.0, 2.0, 0.1, 0.3])
    check(lambda t, a, f, w: t.cov(a, fweights=f, aweights=w), [(2, 5), fw, aw.astype(np.float32)])
    check(lambda t, a, f: t.cov(a, correction=2, fweights=f), [(3, 5), fw], dtype=np.float64)
    check(lambda t, a: t.cov(a), [np.array([[1, 2, 4], [3, 1, 0]])], grad=False)
    check(lambda t, a: t.corrcoef(a), [(3, 7)])
    check(lambda t, a: a.corrcoef(), [(5,)])
    with pytest.raises(RuntimeError, match="two or fewer dimensions"):
        ember.cov(ember.ones(2, 2, 2))
    with pytest.raises(RuntimeError, match="fweights cannot be negative"):
        ember.cov(ember.ones(2, 3), fweights=ember.tensor([1, -1, 1]))


def test_dist_renorm():
    for p in (2, 1, 3.5, float("inf")):
        check(lambda t, a, b: t.dist(a, b, p), [(3, 4), (4,)])
    check(lambda t, a, b: a.dist(b, 0), [(3, 4), (4,)], grad=False)   # (PyTorch's backward fails for p=0)
    check(lambda t, a: t.renorm(a, 2, 0, 1.0), [(3, 4)])
    check(lambda t, a: a.renorm(p=1, dim=1, maxnorm=2.0), [(3, 4, 2)], dtype=np.float64)
    e = ember.ones(2, 3)
    assert e.renorm_(2, 0, 1.0) is e
    assert_same(e, torch.ones(2, 3).renorm(2, 0, 1.0))
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        ember.renorm(ember.ones(3), 2, 0, 1)


def test_cdist_pdist():
    for p in (2.0, 1.0, 0.0, 3.0, float("inf")):
        check(lambda t, a, b: t.cdist(a, b, p), [(4, 3), (5, 3)])
    check(lambda t, a, b: t.cdist(a, b, compute_mode="use_mm_for_euclid_dist"), [(2, 4, 3), (1, 5, 3)],
          dtype=np.float64)
    check(lambda t, a: t.pdist(a), [(5, 3)])
    check(lambda t, a: t.pdist(a, p=1), [(4, 2)], dtype=np.float64)
    with pytest.raises(RuntimeError, match="at least 2D tensors, X1 got: 1D"):
        ember.cdist(ember.ones(3), ember.ones(3))
    with pytest.raises(RuntimeError, match="same number of columns"):
        ember.cdist(ember.ones(2, 3), ember.ones(2, 4))
    with pytest.raises(RuntimeError, match="pdist only supports 2D tensors, got: 1D"):
        ember.pdist(ember.ones(3))


def test_searchsorted_bucketize_isin():
    seq = np.array([1.0, 3.0, 3.0, 5.0, 7.0], dtype=np.float32)
    vals = np.array([[0.0, 3.0, 6.0], [7.0, 8.0, 3.0]], dtype=np.float32)
    for kw in (dict(), dict(right=True), dict(out_int32=True)):
        check(lambda t, s, v: t.searchsorted(s, v, **kw), [seq, vals], grad=False)
        check(lambda t, v, s: t.bucketize(v, s, **kw), [vals, seq], grad=False)
    check(lambda t, s, v: t.searchsorted(s, v, side="right"), [seq, vals], grad=False)
    rows = np.sort(_RNG.normal(size=(2, 5)), axis=1)
    check(lambda t, s, v: t.searchsorted(s, v), [rows, _RNG.normal(size=(2, 3))], grad=False)
    unsorted = np.array([5.0, 1.0, 3.0])
    check(lambda t, s, o, v: t.searchsorted(s, v, sorter=o), [unsorted, np.argsort(unsorted), vals], grad=False)
    assert_same(ember.searchsorted(ember.tensor(seq), 4.0), torch.searchsorted(torch.tensor(seq), 4.0))
    assert_same(ember.bucketize(4.0, ember.tensor(seq)), torch.bucketize(4.0, torch.tensor(seq)))
    with pytest.raises(RuntimeError, match="can't be set to opposites"):
        ember.searchsorted(ember.tensor(seq), ember.tensor(vals), right=True, side="left")
    a, b = np.array([[1, 2], [3, 4]]), np.array([2, 3, 9])
    for kw in (dict(), dict(invert=True), dict(assume_unique=True)):
        check(lambda t, x, y: t.isin(x, y, **kw), [a, b], grad=False)
    assert_same(ember.isin(ember.tensor([1, 2]), 2), torch.isin(torch.tensor([1, 2]), 2))
    assert_same(ember.isin(3, ember.tensor([1, 3])), torch.isin(3, torch.tensor([1, 3])))


def test_trapezoid():
    check(lambda t, y: t.trapezoid(y), [(3, 5)])
    check(lambda t, y: t.trapezoid(y, dx=0.5, dim=0), [(4, 2)], dtype=np.float64)
    check(lambda t, y, x: t.trapezoid(y, x), [(3, 5), np.sort(_RNG.normal(size=5)).astype(np.float32)])
    check(lambda t, y, x: t.trapezoid(y, x, dim=0), [(4, 2), (4, 2)])
    check(lambda t, y: t.trapz(y, dx=2.0), [(2, 4)])
    check(lambda t, y, x: t.trapz(y, x), [(4,), (4,)])
    check(lambda t, y: t.trapezoid(y), [np.array([1, 4, 9])], grad=False)
    check(lambda t, y: t.cumulative_trapezoid(y), [(3, 5)])
    check(lambda t, y: t.cumulative_trapezoid(y, dx=0.3, dim=0), [(4, 2)], dtype=np.float64)
    check(lambda t, y, x: t.cumulative_trapezoid(y, x), [(2, 5), (5,)])
    check(lambda t, y: t.trapezoid(y), [(2, 0)])


@pytest.mark.parametrize("name", ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
                                  "kaiser_window"])
def test_windows(name):
    for n in (0, 1, 2, 5, 8, 33):
        for periodic in (True, False):
            check(lambda t: getattr(t, name)(n, periodic), [], grad=False)
            check(lambda t: getattr(t, name)(n, periodic=periodic, dtype=t.float64), [], grad=False)
            check(lambda t: getattr(t, name)(n, periodic, dtype=t.float16), [], grad=False)   # within 1 ulp
    w = getattr(ember, name)(4, requires_grad=True)
    assert w.requires_grad and w.is_leaf
    with pytest.raises(RuntimeError, match="expects floating point dtypes"):
        getattr(ember, name)(4, dtype=ember.int64)
    check(lambda t: t.hamming_window(9, False, 0.6, 0.4), [], grad=False)
    check(lambda t: t.kaiser_window(9, False, 5.0), [], grad=False)
