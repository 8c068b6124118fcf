"""ember.utils.checkpoint: the same outputs and gradients as the plain model, in Ember and in PyTorch
(dropout included: the random state is replayed), real recomputation, PyTorch's warnings and errors.

Torch's side runs the plain model (what torch.utils.checkpoint computes too): the first call of torch's
checkpoint imports torch._dynamo, several seconds, and would only compare torch with itself.
"""
import warnings
import weakref

import numpy as np
import pytest
import torch
import torch.nn as tnn

import ember
import ember.nn as enn
from ember.utils.checkpoint import CheckpointError, checkpoint, checkpoint_sequential, set_checkpoint_early_stop

RNG = np.random.default_rng(0)


def make(nn):
    return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 16), nn.Tanh(),
                         nn.Dropout(0.3), nn.Linear(16, 2))


def pair():
    torch.manual_seed(0)
    t_mod, e_mod = make(tnn), make(enn)
    e_mod.load_state_dict({k: ember.tensor(v.numpy().copy()) for k, v in t_mod.state_dict().items()})
    return t_mod, e_mod


def grads(mod):
    return [p.grad.numpy().copy() for p in mod.parameters()]


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_checkpoint_matches_plain_model_and_torch(use_reentrant):
    t_mod, e_mod = pair()
    x = RNG.standard_normal((5, 6)).astype(np.float32)
    # the plain (not checkpointed) Ember model, same seed: the reference gradients
    ember.manual_seed(3)
    x_ref = ember.tensor(x, requires_grad=True)
    ref = e_mod(x_ref)
    (ref * ref).sum().backward()
    ref_grads, ref_x_grad = grads(e_mod), x_ref.grad.numpy().copy()
    e_mod.zero_grad()

    ember.manual_seed(3)
    torch.manual_seed(3)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye = checkpoint(e_mod, xe, use_reentrant=use_reentrant)
    yt = t_mod(xt)
    np.testing.assert_array_equal(ye.detach().numpy(), ref.detach().numpy())
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    ember.rand(4)           # random draws between forward and backward do not change the recomputation
    torch.rand(4)
    (ye * ye).sum().backward()
    (yt * yt).sum().backward()
    for a, b in zip(grads(e_mod), ref_grads):
        np.testing.assert_array_equal(a, b)       # identical to the non-checkpointed model
    np.testing.assert_array_equal(xe.grad.numpy(), ref_x_grad)
    for a, b in zip(grads(e_mod), grads(t_mod)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-6)
    # the surrounding random stream continues as in torch (the recomputation's draws are undone)
    np.testing.assert_array_equal(ember.rand(3).numpy(), torch.rand(3).numpy())


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_checkpoint_sequential_matches_torch(use_reentrant):
    t_mod, e_mod = pair()
    x = RNG.standard_normal((4, 6)).astype(np.float32)
    ember.manual_seed(5)
    torch.manual_seed(5)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye = checkpoint_sequential(e_mod, 3, xe, use_reentrant=use_reentrant)
    yt = t_mod(xt)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    ye.sum().backward()
    yt.sum().backward()
    for a, b in zip(grads(e_mod), grads(t_mod)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    with pytest.raises(ValueError, match="Unexpected keyword arguments: foo"):
        checkpoint_sequential(e_mod, 2, xe, use_reentrant=True, foo=1)


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_forward_keeps_no_activations_and_backward_recomputes(use_reentrant):
    calls, kept = [], []
    lin = enn.Linear(4, 4)

    def fn(x):
        calls.append(ember.is_grad_enabled())
        h = lin(x)
        kept.append(weakref.ref(h))
        return h.sin()          # sin saves h for backward
    x = ember.randn(2, 4, requires_grad=True)
    y = checkpoint(fn, x, use_reentrant=use_reentrant)
    assert kept[0]() is None    # nothing holds the activation between forward and backward
    assert calls == [not use_reentrant]     # reentrant: the forward runs under no_grad
    y.sum().backward()
    assert calls == [not use_reentrant, True]
    ref_x = x.detach().clone().requires_grad_()
    lin_grad = lin.weight.grad.clone()
    lin.zero_grad()
    lin(ref_x).sin().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), ref_x.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(lin_grad.numpy(), lin.weight.grad.numpy(), rtol=1e-6)


def test_non_reentrant_kwargs_autograd_grad_inputs_without_grad_and_retain_graph():
    torch.manual_seed(0)
    t_lin = tnn.Linear(3, 3)
    e_lin = enn.Linear(3, 3)
    e_lin.load_state_dict({k: ember.tensor(v.numpy().copy()) for k, v in t_lin.state_dict().items()})
    x = RNG.standard_normal((2, 3)).astype(np.float32)

    def f(lin):
        return lambda a, scale=1.0: (lin(a) * scale).sin()
    # the input needs no grad: the parameters inside still get theirs
    yt = f(t_lin)(torch.tensor(x), scale=2.0)
    ye = checkpoint(f(e_lin), ember.tensor(x), use_reentrant=False, scale=2.0)
    gt = torch.autograd.grad(yt.sum(), t_lin.weight)
    ge = ember.autograd.grad(ye.sum(), e_lin.weight)
    np.testing.assert_allclose(ge[0].numpy(), gt[0].numpy(), rtol=1e-5, atol=1e-6)
    # a retained graph recomputes again for the second backward
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye = checkpoint(f(e_lin), xe, use_reentrant=False)
    yt = f(t_lin)(xt)
    for _ in range(2):
        ye.sum().backward(retain_graph=True)
        yt.sum().backward(retain_graph=True)
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_warnings_and_errors_follow_torch():
    lin = enn.Linear(3, 3)
    x = ember.randn(2, 3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = checkpoint(lin, x)
    messages = [str(w.message) for w in caught]
    assert messages[0].startswith("torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly.")
    assert messages[1] == "None of the inputs have requires_grad=True. Gradients will be None"
    assert not y.requires_grad
    with pytest.warns(UserWarning, match="checkpoint_sequential: the use_reentrant parameter should be passed"):
        checkpoint_sequential([lin, lin], 1, x)
    with pytest.raises(ValueError, match="Unexpected keyword arguments: foo,bar"):
        checkpoint(lin, x, use_reentrant=True, foo=1, bar=2)
    with pytest.raises(ValueError, match="Passing `context_fn` or `debug` is only supported when use_reentrant=False"):
        checkpoint(lin, x, use_reentrant=True, context_fn=lambda: (None, None))
    with pytest.raises(ValueError, match=r"determinism_check should be one of \['default', 'none'\], but got x"):
        checkpoint(lin, x, use_reentrant=False, determinism_check="x")
    xr = ember.randn(2, 3, requires_grad=True)
    y = checkpoint(lin, xr, use_reentrant=True)
    with pytest.raises(RuntimeError, match="When use_reentrant=True, torch.utils.checkpoint is incompatible with "
                                           r"\.grad\(\)"):
        ember.autograd.grad(y.sum(), xr)
    y = checkpoint(lambda a: a.detach() * 2, xr, use_reentrant=True)
    with pytest.raises(RuntimeError, match="none of output has requires_grad=True, this checkpoint"):
        y.sum().backward()


def test_non_deterministic_recomputation_is_detected():
    state = {"n": 0}
    x = ember.randn(3, requires_grad=True)

    def changing(a):
        state["n"] += 1
        return a.sin().sin() if state["n"] == 1 else a.sin()
    y = checkpoint(changing, x, use_reentrant=False)
    with pytest.raises(CheckpointError, match="A different number of tensors was saved during the original forward "
                                              "and recomputation"):
        y.sum().backward()

    def reshaping(a):
        state["n"] += 1
        return (a if state["n"] % 2 else a[:2]).exp().sum()
    state["n"] = 0
    y = checkpoint(reshaping, x, use_reentrant=False)
    with pytest.raises(CheckpointError, match="Recomputed values for the following tensors have different metadata"):
        y.backward()


def test_early_stop_skips_the_tail_of_the_recomputation():
    ran = []

    def fn(a):
        b = a.exp()
        ran.append("tail")      # after the last op that saves a tensor
        return b * 1.0
    x = ember.randn(3, requires_grad=True)
    checkpoint(fn, x, use_reentrant=False).sum().backward()
    assert ran == ["tail"]      # recomputation stopped once exp's saved output was back
    ran.clear()
    with set_checkpoint_early_stop(False):
        y = checkpoint(fn, x, use_reentrant=False)
    y.sum().backward()
    assert ran == ["tail", "tail"]
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp(x.detach().numpy()), rtol=1e-6)
