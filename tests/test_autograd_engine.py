"""The backward engine: gradient buffers are reused only when nothing else can see them."""
import numpy as np

import ember


def test_add_gives_each_input_its_own_gradient_buffer():
    a = ember.randn(3, requires_grad=True)
    b = ember.randn(3, requires_grad=True)
    (a + b).sum().backward()
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    a.grad.add_(1)                      # changing one leaves the other alone
    np.testing.assert_array_equal(b.grad.numpy(), np.ones(3, np.float32))


def test_gradient_kept_by_a_hook_is_not_changed_by_later_accumulation():
    w = ember.randn(4, 3, requires_grad=True)
    x = ember.randn(5, 4)
    seen = []
    w.register_hook(lambda g: seen.append(g))
    (x.t() @ x @ w).sum().backward()
    first = seen[0].numpy().copy()
    (x.t() @ x @ w).sum().backward()    # accumulates into w.grad in place
    np.testing.assert_array_equal(seen[0].numpy(), first)
    np.testing.assert_allclose(w.grad.numpy(), 2 * first, rtol=1e-6)


def test_retained_nonleaf_gradient_is_not_shared_with_the_leaf():
    w = ember.randn(3, requires_grad=True)
    y = w * 1.0
    y.retain_grad()
    (y * 3).sum().backward()
    assert not np.shares_memory(y.grad.numpy(), w.grad.numpy())


def test_accumulation_across_backward_calls_matches_pytorch_semantics():
    w = ember.ones(2, 2, requires_grad=True)
    for _ in range(3):
        (w @ w).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 3 * np.full((2, 2), 4.0), rtol=1e-6)
