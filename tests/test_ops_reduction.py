"""Oracle tests for reductions: sum mean prod std var norm amax amin max min argmax argmin logsumexp
all any count_nonzero median mode aminmax."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, check

F32_64 = [np.float32, np.float64]


def _raises(fn, exc, match=None):
    """Ember and PyTorch both raise ``exc``; Ember's message starts like PyTorch's (up to ``match``)."""
    with pytest.raises(exc) as te:
        fn(torch)
    with pytest.raises(exc) as ee:
        fn(ember)
    prefix = match or str(te.value)
    assert str(ee.value).startswith(prefix), f"{ee.value!r} vs torch {te.value!r}"


@pytest.mark.parametrize("dtype", F32_64)
@pytest.mark.parametrize("dim,keepdim", [(None, False), (0, False), (1, True), (-1, False), ((0, 2), False),
                                         ([-1, 0], True), ((), False)])
def test_sum_mean(dtype, dim, keepdim):
    if dim is None:
        check(lambda t, x: t.sum(x), [(2, 3, 4)], dtype=dtype)
        check(lambda t, x: x.mean(), [(2, 3, 4)], dtype=dtype)
        return
    check(lambda t, x: t.sum(x, dim, keepdim), [(2, 3, 4)], dtype=dtype)
    check(lambda t, x: x.mean(dim, keepdim=keepdim), [(2, 3, 4)], dtype=dtype)


def test_sum_mean_dtypes_and_names():
    for dt in (np.int32, np.int64, np.bool_, np.uint8):
        check(lambda t, x: x.sum(), [(3, 4)], dtype=dt, grad=False)
        check(lambda t, x: x.sum(1, dtype=t.float64), [(3, 4)], dtype=dt, grad=False)
        check(lambda t, x: x.mean(dtype=t.float32), [(3, 4)], dtype=dt, grad=False)
    x = ember.ones(2, 3, requires_grad=True)
    assert x.sum().grad_fn.name() == "SumBackward0"
    assert x.sum(1).grad_fn.name() == "SumBackward1"
    assert x.mean().grad_fn.name() == "MeanBackward0"
    assert x.mean(0).grad_fn.name() == "MeanBackward1"
    _raises(lambda t: t.tensor([1, 2]).mean(), RuntimeError, "mean(): could not infer output dtype. Input dtype "
            "must be either a floating point or complex dtype. Got: Long")
    _raises(lambda t: t.tensor([True]).mean(), RuntimeError, "mean(): could not infer output dtype")
    _raises(lambda t: t.ones(2, 3).sum(2), IndexError)
    _raises(lambda t: t.ones(2, 3).sum((0, 0)), RuntimeError, "dim 0 appears multiple times in the list of dims")
    check(lambda t, x: x.sum(0), [np.zeros((0, 3), np.float32)])
    check(lambda t, x: x.sum(-1), [np.array(5.0)])
    check(lambda t, x: t.nansum(x, 1), [np.array([[1.0, np.nan], [2.0, 3.0]])])
    check(lambda t, x: t.nanmean(x, 0), [np.array([[1.0, np.nan], [2.0, 3.0]])])


@pytest.mark.parametrize("dtype", F32_64)
def test_prod(dtype):
    check(lambda t, x: x.prod(), [(3, 4)], dtype=dtype)
    check(lambda t, x: t.prod(x, 1), [(3, 4)], dtype=dtype)
    check(lambda t, x: t.prod(x, -2, keepdim=True), [(3, 4)], dtype=dtype)
    zeros = np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 4.0], [1.0, 2.0, 3.0]], dtype)
    check(lambda t, x: t.prod(x, 1), [zeros], dtype=dtype)
    check(lambda t, x: x.prod(), [np.array([0.0, 2.0, 3.0], dtype)], dtype=dtype)
    check(lambda t, x: x.prod(), [(4,)], dtype=np.int64, grad=False)
    assert ember.ones(2, requires_grad=True).prod(0).grad_fn.name() == "ProdBackward1"


@pytest.mark.parametrize("dtype", F32_64)
def test_var_std(dtype):
    for op in ("var", "std"):
        check(lambda t, x: getattr(x, op)(), [(3, 4)], dtype=dtype)
        check(lambda t, x: getattr(t, op)(x, 1), [(3, 4)], dtype=dtype)
        check(lambda t, x: getattr(x, op)(dim=(0, 2), keepdim=True), [(2, 3, 4)], dtype=dtype)
        check(lambda t, x: getattr(x, op)(0, correction=0), [(3, 4)], dtype=dtype)
        check(lambda t, x: getattr(x, op)(0, correction=2), [(5, 4)], dtype=dtype)
        check(lambda t, x: getattr(x, op)(1, False), [(3, 4)], dtype=dtype)
        check(lambda t, x: getattr(x, op)(False), [(3, 4)], dtype=dtype)
        check(lambda t, x: getattr(x, op)(-1, unbiased=True, keepdim=True), [(3, 4)], dtype=dtype)
    check(lambda t, x: t.std_mean(x, 1), [(3, 4)], dtype=dtype)
    check(lambda t, x: t.var_mean(x, dim=0, keepdim=True), [(3, 4)], dtype=dtype)
    check(lambda t, x: t.std_mean(x), [(3, 4)], dtype=dtype)


def test_var_std_edge_cases():
    check(lambda t, x: x.std(), [np.ones(3)], dtype=np.float64)         # zero std: zero gradient
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = ember.tensor([1.0]).var()
    assert math.isnan(r.item()) and "degrees of freedom is <= 0" in str(w[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda t, x: x.var(correction=3), [np.array([1.0, 2.0])], grad=False)
    _raises(lambda t: t.tensor([1, 2]).var(), RuntimeError, "var(): input dtype should be either floating point "
            "or complex dtypes. Got Long instead.")
    x = ember.ones(3, 2, requires_grad=True)
    assert x.std().grad_fn.name() == "StdBackward0"
    assert x.var(1).grad_fn.name() == "VarBackward0"
    assert ember.std_mean(x)[0].grad_fn.name() == "StdMeanBackward0"
    assert isinstance(ember.std_mean(x), tuple)


@pytest.mark.parametrize("dtype", F32_64)
@pytest.mark.parametrize("p", ["fro", 2, 1, 3, 0.5, float("inf"), -float("inf"), 0])
def test_norm(dtype, p):
    check(lambda t, x: x.norm(p), [(3, 4)], dtype=dtype)
    check(lambda t, x: t.norm(x, p, dim=1, keepdim=True), [(3, 4)], dtype=dtype)
    check(lambda t, x: x.norm(p=p, dim=(0, 1)), [(2, 3, 4)], dtype=dtype)


def test_norm_edge_cases():
    check(lambda t, x: x.norm(), [np.zeros(3)], dtype=np.float64)
    check(lambda t, x: t.norm(x, float("inf")), [np.array([1.0, -3.0, 3.0])], dtype=np.float64)
    assert ember.ones(2, requires_grad=True).norm().grad_fn.name() == "LinalgVectorNormBackward0"


@pytest.mark.parametrize("dtype", F32_64)
def test_amax_amin(dtype):
    for op in ("amax", "amin"):
        check(lambda t, x: getattr(x, op)(), [(3, 4)], dtype=dtype)
        check(lambda t, x: getattr(t, op)(x, 1), [(3, 4)], dtype=dtype)
        check(lambda t, x: getattr(t, op)(x, (0, -1), keepdim=True), [(2, 3, 4)], dtype=dtype)
        ties = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], dtype)
        check(lambda t, x: getattr(x, op)(1), [ties], dtype=dtype)     # gradient split evenly among ties
        check(lambda t, x: getattr(x, op)(), [ties], dtype=dtype)
    check(lambda t, x: x.amax(0), [(3, 4)], dtype=np.int64, grad=False)
    assert ember.ones(2, requires_grad=True).amax().grad_fn.name() == "AmaxBackward0"


@pytest.mark.parametrize("dtype", F32_64)
def test_max_min(dtype):
    for op in ("max", "min"):
        check(lambda t, x: getattr(x, op)(), [(3, 4)], dtype=dtype)
        check(lambda t, x: tuple(getattr(t, op)(x, 1)), [(3, 4)], dtype=dtype)
        check(lambda t, x: tuple(getattr(x, op)(dim=-2, keepdim=True)), [(3, 4)], dtype=dtype)
        check(lambda t, x: tuple(getattr(x, op)(0)), [(5,)], dtype=dtype)
        check(lambda t, x: tuple(getattr(x, op)(0)), [np.array(2.5)], dtype=dtype)
        ties = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], dtype)
        check(lambda t, x: getattr(x, op)(), [ties], dtype=dtype)         # ties share the gradient
        check(lambda t, x: tuple(getattr(x, op)(1)), [ties], dtype=dtype)  # the index gets it all
        check(lambda t, x: tuple(getattr(x, op)(1)), [(3, 4)], dtype=np.int64, grad=False)
    check(lambda t, x: tuple(x.max(1)), [np.array([[1.0, np.nan, 2.0], [3.0, 1.0, 2.0]], dtype)], dtype=dtype)


def test_max_namedtuple():
    x = ember.tensor([[1.0, 3.0, 2.0], [4.0, 0.0, 4.0]])
    tx = torch.tensor([[1.0, 3.0, 2.0], [4.0, 0.0, 4.0]])
    r = x.max(1)
    assert repr(r) == repr(tx.max(1))
    values, indices = r
    assert r[1] is indices and r.indices is indices and r.values is values
    assert isinstance(r, tuple) and isinstance(r, ember.return_types.max)
    assert indices.dtype is ember.int64
    assert repr(ember.sort(x)) == repr(torch.sort(tx)) if hasattr(ember, "sort") else True
    x.requires_grad_(True)
    assert x.max().grad_fn.name() == "MaxBackward1"
    assert x.max(1)[0].grad_fn.name() == "MaxBackward0"
    assert x.min(0).values.grad_fn.name() == "MinBackward0"
    assert x.max(1).indices.grad_fn is None and not x.max(1).indices.requires_grad


def test_max_binary():
    check(lambda t, x, y: t.max(x, y), [(3, 4), (4,)])
    check(lambda t, x, y: x.min(y), [(3, 4), (3, 1)])


def test_empty_reduction_errors():
    _raises(lambda t: t.empty(0).max(), RuntimeError, "max(): Expected reduction dim to be specified for "
            "input.numel() == 0.")
    _raises(lambda t: t.empty(0, 3).max(0), IndexError, "max(): Expected reduction dim 0 to have non-zero size.")
    _raises(lambda t: t.empty(0, 3).min(0), IndexError)
    _raises(lambda t: t.empty(0, 3).amax(), RuntimeError, "amax(): Expected reduction dim to be specified")
    _raises(lambda t: t.empty(0, 3).amax(0), IndexError, "amax(): Expected reduction dim 0 to have non-zero size.")
    _raises(lambda t: t.empty(0).argmax(), IndexError, "argmax(): Expected reduction dim to be specified for "
            "input.numel() == 0.")
    _raises(lambda t: t.empty(0, 3).argmax(0), IndexError)
    _raises(lambda t: t.empty(0, 3).median(0), IndexError)
    _raises(lambda t: t.empty(0).mode(), IndexError)
    _raises(lambda t: t.empty(0).aminmax(), RuntimeError, "aminmax(): cannot compute aminmax over an empty "
            "dimension as the operation has no identity.")
    _raises(lambda t: t.empty(0, 3).norm(float("inf"), dim=0), RuntimeError)
    _raises(lambda t: t.ones(2, 3).max(2), IndexError, "Dimension out of range (expected to be in range of "
            "[-2, 1], but got 2)")
    check(lambda t, x: tuple(x.max(1)), [np.zeros((0, 3), np.float32)], grad=False)
    check(lambda t, x: x.amax(1), [np.zeros((0, 3), np.float32)], grad=False)
    check(lambda t, x: x.median(), [np.zeros((0,), np.float32)], grad=False)
    check(lambda t, x: x.logsumexp(0), [np.zeros((0, 3), np.float32)], grad=False)
    check(lambda t, x: x.prod(0), [np.zeros((0, 3), np.float32)], grad=False)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.bool_])
def test_argmax_argmin(dtype):
    for op in ("argmax", "argmin"):
        if dtype is np.bool_:
            continue
        check(lambda t, x: getattr(x, op)(), [(3, 4)], dtype=dtype)
        check(lambda t, x: getattr(t, op)(x, 1), [(3, 4)], dtype=dtype)
        check(lambda t, x: getattr(x, op)(dim=0, keepdim=True), [(3, 4)], dtype=dtype)
        check(lambda t, x: getattr(x, op)(keepdim=True), [(3, 4)], dtype=dtype)
        check(lambda t, x: getattr(x, op)(), [np.array([1.0, 5.0, 5.0, 0.0, 0.0])], dtype=dtype)


@pytest.mark.parametrize("dtype", F32_64)
def test_logsumexp(dtype):
    check(lambda t, x: t.logsumexp(x, 1), [(3, 4)], dtype=dtype)
    check(lambda t, x: x.logsumexp((0, 1), keepdim=True), [(3, 4)], dtype=dtype)
    check(lambda t, x: x.logsumexp(-1), [(3, 4)], dtype=dtype, low=500, high=800)   # no overflow
    check(lambda t, x: x.logsumexp(0), [np.array([-np.inf, -np.inf], dtype)], dtype=dtype, grad=False)
    check(lambda t, x: x.logsumexp(1), [(3, 4)], dtype=np.int64, grad=False)
    assert ember.ones(2, requires_grad=True).logsumexp(0).grad_fn.name() == "LogsumexpBackward0"


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.bool_, np.uint8])
def test_all_any_count_nonzero(dtype):
    for op in ("all", "any"):
        check(lambda t, x: getattr(x, op)(), [(3, 4)], dtype=dtype, grad=False)
        check(lambda t, x: getattr(t, op)(x, 1), [(3, 4)], dtype=dtype, grad=False)
        check(lambda t, x: getattr(x, op)(0, keepdim=True), [(3, 4)], dtype=dtype, grad=False)
    check(lambda t, x: t.count_nonzero(x), [(3, 4)], dtype=dtype, grad=False)
    check(lambda t, x: x.count_nonzero(1), [(3, 4)], dtype=dtype, grad=False)
    check(lambda t, x: x.count_nonzero((0, 1)), [(3, 4)], dtype=dtype, grad=False)


@pytest.mark.parametrize("dtype", F32_64)
def test_median(dtype):
    check(lambda t, x: x.median(), [(3, 4)], dtype=dtype)
    check(lambda t, x: x.median(), [(3, 5)], dtype=dtype)
    check(lambda t, x: tuple(t.median(x, 1)), [(3, 4)], dtype=dtype)
    check(lambda t, x: tuple(x.median(0, keepdim=True)), [(5, 4)], dtype=dtype)
    check(lambda t, x: x.median(), [np.array([1.0, 2.0, 2.0, 2.0, 3.0], dtype)], dtype=dtype)
    nan = np.array([[1.0, np.nan, 2.0], [3.0, 1.0, 2.0]], dtype)
    check(lambda t, x: tuple(x.median(1)), [nan], dtype=dtype)
    check(lambda t, x: x.median(), [nan], dtype=dtype, grad=False)
    check(lambda t, x: tuple(x.nanmedian(1)), [nan], dtype=dtype)
    check(lambda t, x: x.nanmedian(), [nan], dtype=dtype, grad=False)
    check(lambda t, x: tuple(x.median(1)), [(3, 4)], dtype=np.int64, grad=False)
    x = ember.ones(3, requires_grad=True)
    assert x.median().grad_fn.name() == "MedianBackward0"
    assert x.median(0)[0].grad_fn.name() == "MedianBackward1"


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_mode(dtype):
    data = np.array([[1, 3, 3, 2, 3, 1, 1], [2, 1, 2, 1, 5, 5, 0], [4, 4, 4, 4, 4, 4, 4]], dtype)
    check(lambda t, x: tuple(x.mode()), [data], dtype=dtype)
    check(lambda t, x: tuple(t.mode(x, 0)), [data], dtype=dtype)
    check(lambda t, x: tuple(x.mode(-1, keepdim=True)), [data], dtype=dtype)
    check(lambda t, x: tuple(x.mode(0)), [np.array([[1, 2], [1, 3], [2, 3]], dtype)], dtype=dtype)


@pytest.mark.parametrize("dtype", F32_64)
def test_aminmax(dtype):
    check(lambda t, x: tuple(t.aminmax(x)), [(3, 4)], dtype=dtype)
    check(lambda t, x: tuple(x.aminmax(dim=1, keepdim=True)), [(3, 4)], dtype=dtype)
    e, t = ember.tensor([1.0, 2.0]).aminmax(), torch.tensor([1.0, 2.0]).aminmax()
    assert repr(e) == repr(t) and e.min.item() == 1.0


def test_gradcheck_float64():
    gc = ember.autograd.gradcheck
    rng = np.random.default_rng(1)
    x = ember.tensor(rng.uniform(0.5, 2, (3, 4)), requires_grad=True)
    for fn in (lambda a: a.prod(1), lambda a: a.std(0), lambda a: a.var(), lambda a: a.norm(3, dim=1),
               lambda a: a.logsumexp(1), lambda a: a.max(1)[0], lambda a: a.amax(0), lambda a: a.median(1)[0],
               lambda a: ember.std_mean(a, 1)[0], lambda a: a.norm()):
        assert gc(fn, (x,))


def test_double_backward():
    for op in (lambda t, x: (x.prod(1) ** 2).sum(), lambda t, x: x.std(0).sum(), lambda t, x: x.norm() * 1.0,
               lambda t, x: x.logsumexp(1).sum(), lambda t, x: x.var(1).sum()):
        rng = np.random.default_rng(2)
        a = rng.uniform(0.5, 2, (3, 4))
        res = []
        for lib in (ember, torch):
            x = lib.tensor(a.copy(), requires_grad=True)
            g, = lib.autograd.grad(op(lib, x), x, create_graph=True)
            gg, = lib.autograd.grad((g * g).sum(), x)
            res.append(gg)
        assert_same(res[0], res[1])


# ---------------------------------------------------------------------------------------------- scans
@pytest.mark.parametrize("dtype", F32_64)
def test_cumsum_cumprod(dtype):
    for op in ("cumsum", "cumprod"):
        check(lambda t, x: getattr(x, op)(1), [(3, 4)], dtype=dtype)
        check(lambda t, x: getattr(t, op)(x, dim=-3), [(2, 3, 4)], dtype=dtype)
        check(lambda t, x: getattr(x, op)(0), [np.array(1.5, dtype)], dtype=dtype)
        check(lambda t, x: getattr(x, op)(0, dtype=t.float64), [(3,)], dtype=dtype)
        for dt in (np.int32, np.int64, np.bool_):
            check(lambda t, x: getattr(x, op)(0), [(5,)], dtype=dt, grad=False)
    zeros = np.array([[1.0, 2.0, 0.0, 3.0, 0.0], [0.0, 2.0, 3.0, 4.0, 5.0], [2.0, 0.5, 1.0, 3.0, 2.0]], dtype)
    check(lambda t, x: x.cumprod(1), [zeros], dtype=dtype)
    check(lambda t, x: x.cumprod(0), [zeros.T.copy()], dtype=dtype)
    x = ember.ones(3, requires_grad=True)
    assert x.cumsum(0).grad_fn.name() == "CumsumBackward0" and x.cumprod(0).grad_fn.name() == "CumprodBackward0"


@pytest.mark.parametrize("dtype", F32_64)
def test_cummax_cummin_logcumsumexp(dtype):
    for op in ("cummax", "cummin"):
        check(lambda t, x: tuple(getattr(x, op)(1)), [(3, 5)], dtype=dtype)
        check(lambda t, x: tuple(getattr(t, op)(x, dim=0)), [(3, 5)], dtype=dtype)
        ties = np.array([[1.0, 1.0, 1.0, 0.0, 2.0], [1.0, np.nan, 2.0, np.nan, 0.0]], dtype)
        check(lambda t, x: tuple(getattr(x, op)(1)), [ties], dtype=dtype)
        check(lambda t, x: tuple(getattr(x, op)(0)), [np.zeros((0, 3), dtype)], dtype=dtype, grad=False)
        check(lambda t, x: tuple(getattr(x, op)(1)), [(3, 5)], dtype=np.int64)
    x = ember.ones(3, requires_grad=True)
    assert repr(x.cummax(0)) == repr(torch.ones(3, requires_grad=True).cummax(0))
    assert x.cummin(0)[0].grad_fn.name() == "CumminBackward0"
    check(lambda t, x: t.logcumsumexp(x, 1), [(3, 5)], dtype=dtype)


def test_scan_double_backward():
    for op in (lambda t, x: (x.cumprod(1) ** 2).sum(), lambda t, x: (x.cumsum(0) ** 3).sum(),
               lambda t, x: (x.cummax(1).values ** 2).sum()):
        for a in (np.random.default_rng(4).uniform(0.5, 2, (3, 4)), np.array([[1.0, 0.0, 2.0, 3.0]])):
            res = []
            for lib in (ember, torch):
                x = lib.tensor(a.copy(), requires_grad=True)
                g, = lib.autograd.grad(op(lib, x), x, create_graph=True)
                gg, = lib.autograd.grad((g * g).sum(), x)
                res.append(gg.detach().numpy())
            np.testing.assert_allclose(res[0], res[1], rtol=1e-10)
