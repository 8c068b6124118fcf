"""Layers built in PyTorch and Ember with the same weights give the same outputs and gradients."""
import warnings

import numpy as np
import pytest
import torch

import ember

_rng = np.random.default_rng(1)

LAYERS = [
    ("Identity", (), (4, 5)), ("Linear", (5, 3), (4, 5)), ("Linear", (5, 3, False), (2, 4, 5)),
    ("Linear", (5, 3), (5,)), ("Flatten", (), (2, 3, 4)), ("Unflatten", (1, (2, 2)), (3, 4)),
    ("ReLU", (), (4, 5)), ("ReLU6", (), (4, 5)), ("LeakyReLU", (0.2,), (4, 5)), ("PReLU", (5,), (4, 5)),
    ("ELU", (0.5,), (4, 5)), ("SELU", (), (4, 5)), ("CELU", (2.0,), (4, 5)), ("GELU", (), (4, 5)),
    ("GELU", ("tanh",), (4, 5)), ("SiLU", (), (4, 5)), ("Mish", (), (4, 5)), ("Sigmoid", (), (4, 5)),
    ("Tanh", (), (4, 5)), ("Hardtanh", (-0.5, 0.5), (4, 5)), ("Hardsigmoid", (), (4, 5)),
    ("Hardswish", (), (4, 5)), ("Softplus", (2.0, 3.0), (4, 5)), ("Softsign", (), (4, 5)),
    ("Threshold", (0.1, -1.0), (4, 5)), ("Softmax", (1,), (4, 5)), ("LogSoftmax", (0,), (4, 5)),
    ("Softmin", (-1,), (4, 5)), ("LogSigmoid", (), (4, 5)), ("Tanhshrink", (), (4, 5)),
    ("Softshrink", (0.3,), (4, 5)), ("Hardshrink", (0.3,), (4, 5)), ("GLU", (1,), (4, 6)),
    ("Dropout", (0.3,), (4, 5)), ("Dropout2d", (0.3,), (2, 3, 4, 4)), ("AlphaDropout", (0.3,), (4, 5)),
]


def _pair(name, args):
    t = getattr(torch.nn, name)(*args)
    e = getattr(ember.nn, name)(*args)
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    return e, t


@pytest.mark.parametrize("name,args,shape", LAYERS)
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_layer_matches_pytorch(name, args, shape, mode):
    e, t = _pair(name, args)
    assert repr(e) == repr(t)
    assert [(k, tuple(v.shape)) for k, v in e.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in t.state_dict().items()]
    if "Dropout" in name and mode == "train":
        return   # random masks: covered in test_dropout_statistics
    getattr(e, mode)()
    getattr(t, mode)()
    x = _rng.uniform(-3, 3, shape).astype(np.float32)
    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    eo, to = e(ex), t(tx)
    np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), rtol=1e-5, atol=1e-6)
    up = _rng.uniform(-1, 1, tuple(to.shape)).astype(np.float32)
    (eo * ember.tensor(up)).sum().backward()
    (to * torch.tensor(up)).sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)
    for (n, ep), (_, tp) in zip(e.named_parameters(), t.named_parameters()):
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=1e-5, atol=1e-5, err_msg=n)


def test_bilinear_matches_pytorch():
    e, t = _pair("Bilinear", (3, 4, 2))
    a, b = _rng.standard_normal((5, 3)).astype(np.float32), _rng.standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(e(ember.tensor(a), ember.tensor(b)).detach().numpy(),
                               t(torch.tensor(a), torch.tensor(b)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_linear_grad_fn_names_and_errors():
    lin = ember.nn.Linear(4, 3)
    assert lin(ember.ones(2, 4)).grad_fn.name() == "AddmmBackward0"
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x5 and 4x3\)"):
        lin(ember.ones(2, 5))
    assert ember.nn.functional.relu(ember.ones(2, requires_grad=True)).grad_fn.name() == "ReluBackward0"


def test_linear_default_init_bounds():
    w = ember.nn.Linear(100, 50).weight
    bound = 1 / np.sqrt(100)
    assert w.abs().max().item() <= bound and w.abs().max().item() > 0.8 * bound


def test_dropout_statistics_and_functional_default():
    x = ember.ones(200, 100)
    d = ember.nn.Dropout(0.25)
    y = d(x)
    kept = (y != 0).float().mean().item()
    assert 0.72 < kept < 0.78 and np.allclose(y.numpy()[y.numpy() != 0], 1 / 0.75)
    d.eval()
    assert d(x) is x
    # F.dropout's training defaults to True: it keeps dropping after model.eval(), as in PyTorch
    assert (ember.nn.functional.dropout(x, 0.5) == 0).any().item()


def test_softmax_without_dim_warns_and_picks_dim():
    x = np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax has been deprecated"):
        e = ember.nn.Softmax()(ember.tensor(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.nn.Softmax()(torch.tensor(x))
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6)


def test_init_functions():
    nn = ember.nn
    w = ember.empty(30, 20)
    assert nn.init.calculate_gain("leaky_relu", 0.2) == torch.nn.init.calculate_gain("leaky_relu", 0.2)
    nn.init.xavier_uniform_(w)
    assert w.abs().max().item() <= np.sqrt(6 / 50)
    nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert 0.5 < w.std().item() / np.sqrt(2 / 30) < 1.5
    nn.init.orthogonal_(w)
    np.testing.assert_allclose(w.numpy().T @ w.numpy(), np.eye(20), atol=1e-5)
    nn.init.eye_(ember.empty(3, 3))
    nn.init.constant_(w, 0.5)
    assert w.mean().item() == 0.5
    nn.init.trunc_normal_(w, std=0.02, a=-0.03, b=0.03)
    assert w.abs().max().item() <= 0.03
    c = ember.empty(4, 4, 3, 3)
    nn.init.dirac_(c)
    assert c.sum().item() == 4


def test_clip_grad_and_vector_utils():
    ps = [ember.nn.Parameter(ember.ones(3)), ember.nn.Parameter(ember.ones(4))]
    tps = [torch.nn.Parameter(torch.ones(3)), torch.nn.Parameter(torch.ones(4))]
    for p, q in zip(ps, tps):
        p.grad, q.grad = ember.full((p.numel(),), 2.0), torch.full((q.numel(),), 2.0)
    en = ember.nn.utils.clip_grad_norm_(ps, 1.0)
    tn = torch.nn.utils.clip_grad_norm_(tps, 1.0)
    assert abs(en.item() - tn.item()) < 1e-5
    np.testing.assert_allclose(ps[1].grad.numpy(), tps[1].grad.numpy(), rtol=1e-6)
    ember.nn.utils.clip_grad_value_(ps, 0.1)
    assert abs(ps[0].grad.max().item() - 0.1) < 1e-7
    v = ember.nn.utils.parameters_to_vector(ps)
    tv = torch.nn.utils.parameters_to_vector(tps)
    np.testing.assert_array_equal(v.detach().numpy(), tv.detach().numpy())
    assert tuple(v.shape) == (7,) and v.requires_grad and v.grad_fn is not None
    ember.nn.utils.vector_to_parameters(v * 0 + ember.arange(7.0), ps)
    assert ps[0].tolist() == [0.0, 1.0, 2.0] and ps[1].tolist() == [3.0, 4.0, 5.0, 6.0]
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        ember.nn.utils.vector_to_parameters([1.0], ps)
