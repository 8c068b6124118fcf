"""The engine's two paths agree: without ``create_graph`` gradients travel as arrays through each op's
``backward_data``; with it, as Tensors through ``backward``. Same numbers, dtypes and shapes either way.
Also: ``.grad`` takes over gradient buffers only when nobody else holds them."""
import numpy as np
import pytest

import ember
from ember.autograd.function import Op


def _grads(fn, arrays, create_graph):
    xs = [ember.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*xs)
    gs = ember.autograd.grad(out, xs, ember.ones_like(out), create_graph=create_graph, allow_unused=True)
    return [None if g is None else g.detach().numpy().copy() for g in gs]


rng = np.random.default_rng(0)
A, B = rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal((4, 5)).astype(np.float32)
C, R = rng.standard_normal((3, 5)).astype(np.float32), rng.standard_normal(5).astype(np.float32)

CASES = {
    "mm": (lambda a, b: a @ b, [A, B]),
    "mm_transposed": (lambda a, b: a.t() @ b.t(), [A.T.copy(), B.T.copy()]),
    "linear_addmm": (lambda x, w, b: ember.nn.functional.linear(x, w, b), [A, B.T.copy(), R]),
    "addmm_alpha_beta": (lambda c, a, b: ember.addmm(c, a, b, beta=0.5, alpha=2.0), [C, A, B]),
    "add_broadcast": (lambda c, r: c + r, [C, R]),
    "add_alpha": (lambda c, r: ember.add(c, r, alpha=3), [C, R]),
    "sub_alpha": (lambda c, r: ember.sub(c, r, alpha=0.5), [C, R]),
    "mul": (lambda c, r: c * r, [C, R]),
    "mul_scalar": (lambda c: c * 2.5, [C]),
    "neg": (lambda c: -c, [C]),
    "relu": (lambda c: ember.relu(c), [C]),
    "sum_all": (lambda c: c.sum(), [C]),
    "sum_dim_keepdim": (lambda c: c.sum(dim=1, keepdim=True), [C]),
    "sum_dims": (lambda c: c.reshape(3, 5, 1).sum(dim=(0, 2)), [C]),
    "mean_all": (lambda c: c.mean(), [C]),
    "mean_dim": (lambda c: c.mean(dim=0), [C]),
    "large_sum_broadcast_view": (lambda c: (c * 2).sum(), [rng.standard_normal((80, 90)).astype(np.float32)]),
    "float64_mixed": (lambda c, d: c * d, [C, R.astype(np.float64)]),
    "view": (lambda c: c.view(5, 3) * ember.arange(3.0), [C]),
    "conv2d": (lambda x, w, b: ember.nn.functional.conv2d(x, w, b, padding=1),
               [rng.standard_normal((2, 3, 6, 6)).astype(np.float32),
                rng.standard_normal((4, 3, 3, 3)).astype(np.float32), R[:4].copy()]),
    "conv2d_grouped_strided": (lambda x, w: ember.nn.functional.conv2d(x, w, stride=2, groups=2),
                               [rng.standard_normal((2, 4, 7, 7)).astype(np.float32),
                                rng.standard_normal((4, 2, 3, 3)).astype(np.float32)]),
    "max_pool2d": (lambda x: ember.nn.functional.max_pool2d(x, 2) * 3,
                   [rng.standard_normal((2, 3, 6, 6)).astype(np.float32)]),
    "max_pool2d_overlapping": (lambda x: ember.nn.functional.max_pool2d(x, 3, 2, 1) * 3,
                               [rng.standard_normal((2, 3, 7, 7)).astype(np.float32)]),
    "softmax": (lambda c: ember.softmax(c, 1) * ember.arange(5.0), [C]),
    "log_softmax": (lambda c: ember.log_softmax(c, 0) * ember.arange(5.0), [C]),
    "nll_loss": (lambda c: ember.nn.functional.nll_loss(ember.log_softmax(c, 1), ember.tensor([4, 0, 2])), [C]),
    "nll_loss_weighted_sum": (lambda c: ember.nn.functional.nll_loss(c, ember.tensor([4, 0, 2]), reduction="sum",
                                                                      weight=ember.arange(1.0, 6.0)), [C]),
    "cross_entropy": (lambda c: ember.nn.functional.cross_entropy(c, ember.tensor([4, 0, 2])), [C]),
    "cross_entropy_none_smoothing": (lambda x: ember.nn.functional.cross_entropy(
        x, ember.tensor([[[1, 0], [2, 2]], [[0, 1], [1, 2]]]), reduction="none", label_smoothing=0.1) * 3,
        [rng.standard_normal((2, 3, 2, 2)).astype(np.float32)]),
    # half types: log_softmax then nll_loss (and the smoothing terms), each rounding as PyTorch's kernels
    "cross_entropy_bfloat16_weight_smoothing": (lambda x, w: ember.nn.functional.cross_entropy(
        x.to(ember.bfloat16), ember.tensor([4, 0, -100]), w.to(ember.bfloat16), label_smoothing=0.2), [C, R]),
    "cross_entropy_float16_3d_none": (lambda x: ember.nn.functional.cross_entropy(
        x.to(ember.float16), ember.tensor([[1, 0, 2], [2, -100, 1]]), reduction="none") * 3,
        [rng.standard_normal((2, 3, 3)).astype(np.float32)]),
    "nll_loss_float16_weighted_sum": (lambda c: ember.nn.functional.nll_loss(
        c.half(), ember.tensor([4, 0, 2]), ember.tensor(R).half(), reduction="sum"), [C]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_array_and_tensor_paths_agree(name):
    fn, arrays = CASES[name]
    fast, slow = _grads(fn, arrays, False), _grads(fn, arrays, True)
    for f, s in zip(fast, slow):
        assert f.dtype == s.dtype and f.shape == s.shape
        np.testing.assert_array_equal(f, s)


def test_every_backward_data_has_a_backward():
    """An op's array form sits beside its Tensor form (the definition, used for create_graph)."""
    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)
    import ember.ops  # noqa: F401  (registers every op)
    with_data = [c for c in walk(Op) if "backward_data" in c.__dict__]
    assert len(with_data) >= 10
    for cls in with_data:
        assert "backward" in cls.__dict__, cls


def test_shared_gradient_is_copied_not_aliased():
    a, b = ember.ones(3, requires_grad=True), ember.ones(3, requires_grad=True)
    (a + b).sum().backward()         # AddBackward sends one array to both leaves
    a.grad += 1
    np.testing.assert_array_equal(b.grad.numpy(), np.ones(3, np.float32))


def test_user_gradient_is_not_taken_over():
    w = ember.ones(2, 2, requires_grad=True)
    g = ember.full((2, 2), 3.0)
    (w * 1).backward(g)
    w.grad.zero_()
    np.testing.assert_array_equal(g.numpy(), np.full((2, 2), 3.0, np.float32))


def test_fresh_gradient_buffer_is_taken_over_and_accumulates():
    x, w = ember.randn(3, 4), ember.randn(4, 2, requires_grad=True)
    (x @ w).sum().backward()
    first = w.grad
    expected = first.numpy().copy()
    (x @ w).sum().backward()         # accumulates in place into the same buffer
    assert w.grad is first
    np.testing.assert_allclose(w.grad.numpy(), 2 * expected, rtol=1e-6)


def test_retained_grad_is_not_changed_by_later_accumulation():
    w = ember.ones(2, requires_grad=True)
    y = w * 2
    y.retain_grad()
    z = y * 1
    z.sum().backward(retain_graph=True)
    kept = y.grad.numpy().copy()
    z.sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), 2 * kept)
    np.testing.assert_array_equal(w.grad.numpy(), np.full(2, 4.0, np.float32))


def test_creation_order_runs_consumers_first_on_a_diamond():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    a = x * 3
    b = a.exp()
    c = a * b            # a feeds c directly and through b: a must run after both
    c.sum().backward()
    xa = np.array([1.0, 2.0]) * 3
    np.testing.assert_allclose(x.grad.numpy(), 3 * (np.exp(xa) + xa * np.exp(xa)), rtol=1e-5)


def test_second_backward_still_raises():
    w = ember.ones(2, requires_grad=True)
    y = (w.exp() * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


@pytest.mark.parametrize("create_graph", [False, True])
def test_custom_function_with_too_few_gradients_raises_on_both_paths(create_graph):
    class Half(ember.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            return g

    a, b = ember.ones(2, requires_grad=True), ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"HalfBackward returned an incorrect number of gradients \(expected 2, got 1\)"):
        Half.apply(a, b).sum().backward(create_graph=create_graph)
