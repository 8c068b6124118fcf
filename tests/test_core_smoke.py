"""Core: arithmetic, promotion, broadcasting and autograd against PyTorch."""
import numpy as np
import pytest
import torch

import ember
from oracle import check


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shapes", [[(3, 4), (3, 4)], [(3, 4), (4,)], [(2, 1, 4), (3, 1)], [(3,), ()]])
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_binary(op, shapes, dtype):
    check(lambda t, x, y: getattr(t, op)(x, y), shapes, dtype=dtype, positive=(op == "div"))


@pytest.mark.parametrize("expr", [
    lambda x: x + 2, lambda x: 2 - x, lambda x: 3 * x, lambda x: 1.5 / x, lambda x: x ** 2, lambda x: -x,
    lambda x: x ** 0.5, lambda x: 2 ** x])
def test_scalar_operators(expr):
    check(lambda t, x: expr(x), [(4, 3)], positive=True)


def test_pow_tensor_exponent():
    check(lambda t, x, y: x ** y, [(3, 4), (3, 4)], positive=True)


@pytest.mark.parametrize("a,b", [
    (np.array([1, 2]), 2), (np.array([1, 2]), 2.5), (np.array([True, False]), 1), (np.array([1, 2], np.int32), 7),
    (np.array([1., 2.], np.float32), np.array(3., np.float64)), (np.array([1, 2], np.uint8), np.array([1], np.int8)),
    (np.array([1, 2]), np.array([1, 3])), (np.array(3, np.int64), 2.5)])
@pytest.mark.parametrize("op", ["add", "mul", "div", "sub"])
def test_promotion(a, b, op):
    if op == "sub" and (a.dtype == bool):
        return
    ea = ember.tensor(a) if not isinstance(a, (int, float)) else a
    ta = torch.tensor(a) if not isinstance(a, (int, float)) else a
    eb = ember.tensor(b) if isinstance(b, np.ndarray) else b
    tb = torch.tensor(b) if isinstance(b, np.ndarray) else b
    e, t = getattr(ember, op)(ea, eb), getattr(torch, op)(ta, tb)
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6)


def test_matmul_and_sum():
    check(lambda t, x, w: (x @ w).sum(), [(3, 4), (4, 5)])
    check(lambda t, x, w: t.matmul(x, w), [(2, 3, 4), (4,)])
    check(lambda t, x, w: t.matmul(x, w), [(4,), (2, 4, 5)])


def test_mm_error_names_shapes_and_fix():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(1x5 and 1x5\)"):
        ember.mm(ember.ones(1, 5), ember.ones(1, 5))


def test_broadcast_error_is_pytorch_wording():
    with pytest.raises(RuntimeError, match="The size of tensor a \\(10\\) must match the size of tensor b \\(64\\)"):
        ember.ones(64, 10) / ember.ones(64)


def test_second_backward_raises_and_retain_graph_allows():
    x = ember.ones(3, requires_grad=True)
    y = x.exp().sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.e * np.ones(3), rtol=1e-6)
    y = x.exp().sum()
    y.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_higher_order():
    x = ember.tensor(2.0, requires_grad=True)
    g, = ember.autograd.grad(x ** 3, x, create_graph=True)
    g2, = ember.autograd.grad(g, x)
    assert g.item() == 12.0 and g2.item() == 12.0


def test_deep_graph_no_recursion_limit():
    x = ember.ones(2, requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.sum().backward()
    assert x.grad is not None
