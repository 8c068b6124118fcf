"""Oracle tests for sorting and selection: sort argsort msort topk kthvalue unique unique_consecutive."""
import numpy as np
import pytest
import torch

import ember
from oracle import check

F32_64 = [np.float32, np.float64]


def _raises(fn, exc, prefix):
    with pytest.raises(exc) as te:
        fn(torch)
    with pytest.raises(exc) as ee:
        fn(ember)
    assert str(te.value).startswith(prefix) and str(ee.value).startswith(prefix), (ee.value, te.value)


@pytest.mark.parametrize("dtype", F32_64)
def test_sort(dtype):
    check(lambda t, x: tuple(x.sort()), [(3, 5)], dtype=dtype)
    check(lambda t, x: tuple(t.sort(x, 0, descending=True)), [(3, 5)], dtype=dtype)
    check(lambda t, x: tuple(t.sort(x, dim=-2, stable=True)), [(2, 3, 4)], dtype=dtype)
    ties = np.array([[1.0, 2.0, 1.0, 2.0, 0.0], [3.0, np.nan, 1.0, np.nan, 3.0]], dtype)
    check(lambda t, x: tuple(x.sort(stable=True)), [ties], dtype=dtype)
    check(lambda t, x: tuple(x.sort(descending=True, stable=True)), [ties], dtype=dtype)
    check(lambda t, x: tuple(x.sort(0)), [np.array(1.5, dtype)], dtype=dtype)
    check(lambda t, x: x.argsort(dim=1, descending=True, stable=True), [ties], dtype=dtype)
    check(lambda t, x: t.argsort(x), [(3, 4)], dtype=dtype)
    check(lambda t, x: t.msort(x), [(3, 4)], dtype=dtype)


def test_sort_other_dtypes_and_names():
    for dt in (np.int64, np.int32, np.bool_):
        check(lambda t, x: tuple(x.sort(stable=True)), [(3, 5)], dtype=dt)
        check(lambda t, x: tuple(x.sort(descending=True, stable=True)), [(3, 5)], dtype=dt)
    x = ember.tensor([[3.0, 1.0, 2.0]], requires_grad=True)
    r = x.sort()
    assert repr(r) == repr(torch.tensor([[3.0, 1.0, 2.0]], requires_grad=True).sort())
    assert r.values.grad_fn.name() == "SortBackward0" and x.msort().grad_fn.name() == "SortBackward0"
    assert x.topk(1).values.grad_fn.name() == "TopkBackward0"
    assert x.kthvalue(1).values.grad_fn.name() == "KthvalueBackward0"
    assert not r.indices.requires_grad and r.indices.dtype is ember.int64


@pytest.mark.parametrize("dtype", F32_64)
def test_topk(dtype):
    check(lambda t, x: tuple(x.topk(2)), [(3, 5)], dtype=dtype)
    check(lambda t, x: tuple(t.topk(x, 3, dim=0, largest=False)), [(4, 5)], dtype=dtype)
    check(lambda t, x: tuple(x.topk(1, dim=1)), [(6, 10)], dtype=dtype)     # the accuracy idiom
    check(lambda t, x: tuple(x.topk(0)), [(3, 5)], dtype=dtype)
    check(lambda t, x: tuple(x.topk(5, sorted=True)), [(3, 5)], dtype=dtype)
    check(lambda t, x: tuple(x.topk(2)), [np.array([1.0, np.nan, 2.0], dtype)], dtype=dtype)
    check(lambda t, x: tuple(x.topk(2)), [np.array([[5, 1, 9, 3, 7], [0, 8, 2, 6, 4]])])   # no ties
    _raises(lambda t: t.ones(3).topk(4), RuntimeError, "selected index k out of range")


@pytest.mark.parametrize("dtype", F32_64)
def test_kthvalue(dtype):
    check(lambda t, x: tuple(x.kthvalue(2)), [(3, 5)], dtype=dtype)
    check(lambda t, x: tuple(t.kthvalue(x, 1, 0, keepdim=True)), [(4, 5)], dtype=dtype)
    check(lambda t, x: tuple(x.kthvalue(4, dim=-2)), [(4, 5)], dtype=dtype)
    check(lambda t, x: tuple(x.kthvalue(1)), [np.array(2.0, dtype)], dtype=dtype)
    _raises(lambda t: t.ones(2, 3).kthvalue(4), RuntimeError, "kthvalue(): selected number k out of range for "
            "dimension 1")
    _raises(lambda t: t.ones(0).kthvalue(1), IndexError, "kthvalue(): Expected reduction dim 0 to have non-zero")


def test_unique():
    data = np.array([[3, 1, 2], [1, 3, 5], [3, 1, 2]], np.int64)
    for kw in ({}, dict(return_inverse=True), dict(return_counts=True), dict(return_inverse=True,
                                                                              return_counts=True)):
        check(lambda t, x: t.unique(x, **kw), [data], grad=False)
        check(lambda t, x: x.unique(sorted=False, **kw), [data], grad=False)
        check(lambda t, x: t.unique(x, dim=0, **kw), [data], grad=False)
        check(lambda t, x: t.unique(x, dim=1, **kw), [data], grad=False)
        check(lambda t, x: t.unique_consecutive(x, **kw), [np.array([1, 1, 2, 2, 3, 1, 1], np.int64)],
              grad=False)
        check(lambda t, x: t.unique_consecutive(x, dim=0, **kw), [data[[0, 0, 1, 2, 2]]], grad=False)
    check(lambda t, x: t.unique(x), [np.array([1.5, -1.0, 1.5, 0.0], np.float32)], grad=False)
    check(lambda t, x: t.unique(x, return_counts=True), [np.zeros(0, np.float32)], grad=False)


def test_double_backward_through_sort():
    for op in (lambda t, x: (x.sort(1).values ** 2 * t.arange(4.0)).sum(),
               lambda t, x: (x.topk(2).values ** 3).sum(),
               lambda t, x: (x.kthvalue(2).values ** 2).sum()):
        a = np.random.default_rng(3).uniform(-2, 2, (3, 4))
        res = []
        for lib in (ember, torch):
            x = lib.tensor(a.copy(), requires_grad=True)
            g, = lib.autograd.grad(op(lib, x), x, create_graph=True)
            gg, = lib.autograd.grad((g * g).sum(), x)
            res.append(gg.detach().numpy())
        np.testing.assert_allclose(res[0], res[1], rtol=1e-10)
