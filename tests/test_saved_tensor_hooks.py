"""``torch.autograd.graph``: saved_tensors_hooks, save_on_cpu, disable_saved_tensors_hooks, Node; against torch."""
import numpy as np
import pytest

import ember
from ember.autograd.graph import Node, disable_saved_tensors_hooks, save_on_cpu, saved_tensors_hooks

torch = pytest.importorskip("torch")

XA = np.array([0.5, 1.0, -2.0])
WA = np.arange(12.0).reshape(3, 4) / 10


def _run(lib, hooks_cls, body, *hook_args):
    """Leaves ``x`` (3,) and ``w`` (3, 4) requiring grad, ``body`` run inside the hooks; returns the grads."""
    x = lib.tensor(XA, requires_grad=True)
    w = lib.tensor(WA, requires_grad=True)
    with hooks_cls(*hook_args):
        loss = body(lib, x, w)
    loss.backward()
    return x.grad.numpy(), w.grad.numpy()


def _body(lib, x, w):
    return ((x.exp() * x) @ w).relu().sum() + (x.sigmoid() * x.tanh()).sum()


def _log_hooks(lib, log):
    def pack(t):
        log.append(("pack", lib.is_grad_enabled(), tuple(t.shape)))
        return t * 2

    def unpack(p):
        log.append(("unpack", lib.is_grad_enabled()))
        return p / 2
    return pack, unpack


def test_hooks_called_and_gradients_unchanged():
    log_e, log_t = [], []
    got = _run(ember, saved_tensors_hooks, _body, *_log_hooks(ember, log_e))
    ref = _run(torch, torch.autograd.graph.saved_tensors_hooks, _body, *_log_hooks(torch, log_t))
    for a, b in zip(got, ref):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    plain = _run(ember, saved_tensors_hooks, _body, lambda t: t, lambda t: t)
    for a, b in zip(got, plain):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    # pack hooks run without grad mode, unpack hooks with grad off (no create_graph), as in PyTorch
    assert log_e and all(not e[1] for e in log_e)
    assert sum(e[0] == "pack" for e in log_e) == sum(e[0] == "unpack" for e in log_e)


def test_pack_hook_sees_the_saved_input():
    x = ember.randn(3, requires_grad=True)
    seen = []
    with saved_tensors_hooks(lambda t: seen.append(t) or t, lambda t: t):
        y = x * x
    assert len(seen) == 2 and all(t is x for t in seen)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.detach().numpy(), rtol=1e-6)


def test_innermost_hooks_apply():
    calls = []
    x = ember.randn(3, requires_grad=True)
    with saved_tensors_hooks(lambda t: calls.append("outer") or t, lambda t: t):
        with saved_tensors_hooks(lambda t: calls.append("inner") or t, lambda t: t):
            y = x.exp()
        z = y.sin()
    assert calls == ["inner", "outer"]
    (z.sum()).backward()


def _err(fn_ember, fn_torch):
    with pytest.raises(Exception) as ref:
        fn_torch(torch)
    with pytest.raises(ref.type) as got:
        fn_ember(ember)
    assert str(got.value) == str(ref.value)


def test_unpack_must_return_a_tensor():
    def run(lib):
        x = lib.ones(3, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda p: 3):
            y = (x * x).sum()
        y.backward()
    _err(run, run)


def test_pack_must_not_modify_its_input():
    def run(lib):
        x = lib.ones(3, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t.add_(1), lambda p: p):
            (x.clone() * x).sum()
    _err(run, run)


def test_disable_saved_tensors_hooks():
    def register_inside(lib):
        with lib.autograd.graph.disable_saved_tensors_hooks("no hooks here"):
            with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                pass

    def disable_inside(lib):
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
            with lib.autograd.graph.disable_saved_tensors_hooks("no hooks here"):
                pass
    _err(register_inside, register_inside)
    _err(disable_inside, disable_inside)
    with saved_tensors_hooks(lambda t: t, lambda t: t):   # usable again after the block
        pass


def test_save_on_cpu_matches():
    for a, b in zip(_run(ember, save_on_cpu, _body), _run(torch, torch.autograd.graph.save_on_cpu, _body)):
        np.testing.assert_allclose(a, b, rtol=1e-6)

    def changed_after_save(lib):
        x = lib.tensor(XA, requires_grad=True)
        c = lib.tensor(XA * 3)
        with lib.autograd.graph.save_on_cpu():
            y = (x * c).sum()
        c.add_(1)                  # no in-place check through hooks; on the CPU the tensor itself is kept
        y.backward()
        return x.grad.numpy()
    np.testing.assert_allclose(changed_after_save(ember), changed_after_save(torch), rtol=1e-6)


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_double_backward_through_hooks(lib):
    x = lib.tensor(XA, requires_grad=True)
    with lib.autograd.graph.saved_tensors_hooks(lambda t: t.clone(), lambda t: t):
        z = (x.sin() * x.exp()).sum()
    (g,) = lib.autograd.grad(z, x, create_graph=True)
    g.sum().backward()
    expected = -np.sin(XA) * np.exp(XA) + 2 * np.cos(XA) * np.exp(XA) + np.sin(XA) * np.exp(XA)
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-6)


def test_retain_graph_and_freed():
    unpacked = []
    x = ember.randn(3, requires_grad=True)
    with saved_tensors_hooks(lambda t: t, lambda t: unpacked.append(1) or t):
        y = x.exp().sum()
    y.backward(retain_graph=True)
    y.backward()
    assert len(unpacked) == 2
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp(x.detach().numpy()), rtol=1e-6)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_custom_function_saved_tensors():
    class Cube(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = x ** 3
            ctx.save_for_backward(x, out)
            return out

        @staticmethod
        def backward(ctx, g):
            x, out = ctx.saved_tensors
            return g * 3 * out / x

    packed = []
    x = ember.tensor(XA, requires_grad=True)
    with saved_tensors_hooks(lambda t: packed.append(t) or t.clone(), lambda t: t):
        y = Cube.apply(x)
    y.sum().backward()
    assert len(packed) == 2
    np.testing.assert_allclose(x.grad.numpy(), 3 * XA ** 2, rtol=1e-6)


def test_node_type():
    x = ember.randn(2, requires_grad=True)
    y = x * 2
    assert isinstance(y.grad_fn, Node) and isinstance(y.grad_fn.next_functions[0][0], Node)
    assert not isinstance(x.grad_fn, Node)
    assert ember.autograd.graph.Node is Node
