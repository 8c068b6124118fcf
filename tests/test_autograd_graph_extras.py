"""``torch.autograd.graph`` extras (multi-grad hooks, gradient edges, version bumps), engine callbacks and
``autograd.grad(is_grads_batched=True)``, against real PyTorch."""
import pytest

import ember

torch = pytest.importorskip("torch")


def _run_multi_hook(lib):
    a = lib.tensor([1., 2.], requires_grad=True)
    b = lib.tensor([3., 4.], requires_grad=True)
    c = lib.tensor([5.], requires_grad=True)
    seen = []
    h = lib.autograd.graph.register_multi_grad_hook(
        (a, b, c), lambda gs: seen.append([None if g is None else g.tolist() for g in gs]))
    (a * b).sum().backward()
    (a * 2).sum().backward()          # b and c not reached: None
    h.remove()
    (a * b).sum().backward()          # removed: not called
    anys = []
    lib.autograd.graph.register_multi_grad_hook((a, c), lambda g: anys.append(g.tolist()), mode="any")
    (a * 3).sum().backward()
    (c * 4).sum().backward()
    return seen, anys


def test_register_multi_grad_hook_matches_torch():
    assert _run_multi_hook(ember) == _run_multi_hook(torch)
    with pytest.raises(ValueError, match="Expects mode to be one of"):
        ember.autograd.graph.register_multi_grad_hook([ember.ones(1, requires_grad=True)], print, mode="some")


def test_gradient_edge_as_grad_input():
    for lib in (ember, torch):
        x = lib.tensor([1., 2., 3.], requires_grad=True)
        y = x * x
        edge = lib.autograd.graph.get_gradient_edge(y)
        assert edge.node is y.grad_fn and edge.output_nr == 0
        g, = lib.autograd.grad((y * y).sum(), edge)
        assert g.tolist() == [2., 8., 18.]
        with pytest.raises(RuntimeError, match="not possible to get the gradient edge"):
            lib.autograd.graph.get_gradient_edge(lib.ones(2))


def test_queue_callback_runs_at_the_end_of_backward():
    for lib in (ember, torch):
        order = []
        z = lib.tensor([1.], requires_grad=True)

        def hook(g):
            order.append("hook")
            lib.autograd.Variable._execution_engine.queue_callback(lambda: order.append("callback"))
        z.register_hook(hook)
        (z * 2).sum().backward()
        assert order == ["hook", "callback"]
        with pytest.raises(RuntimeError, match="Final callbacks can only be installed during backward pass"):
            lib.autograd.Variable._execution_engine.queue_callback(lambda: None)


def test_grad_is_grads_batched_matches_torch():
    out = {}
    for lib in (ember, torch):
        x = lib.tensor([1., 2., 3.], requires_grad=True)
        w = lib.tensor([[1., 2.], [3., 4.], [5., 6.]], requires_grad=True)
        y = (x.unsqueeze(1) * w).tanh()
        gx, gw = lib.autograd.grad(y, (x, w), lib.ones(4, 3, 2) * lib.arange(4.).reshape(4, 1, 1),
                                   is_grads_batched=True)
        out[lib.__name__] = (gx.tolist(), gw.tolist())
        with pytest.raises(RuntimeError, match="interpret the first dimension of each grad_output"):
            lib.autograd.grad(y, x, lib.ones(4, 2), is_grads_batched=True)
    assert _close(out["ember"], out["torch"])


def _close(a, b):
    import numpy as np
    for u, v in zip(a, b):
        np.testing.assert_allclose(np.array(u), np.array(v), rtol=1e-5, atol=1e-7)
    return True


def test_increment_version_trips_the_saved_tensor_check():
    for lib in (ember, torch):
        x = lib.tensor([1., 2.], requires_grad=True)
        y = x * 1
        z = y * y
        lib.autograd.graph.increment_version(y)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.sum().backward()
