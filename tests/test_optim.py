"""Every optimizer side by side with PyTorch's for 20 steps from the same parameters and gradients."""
import numpy as np
import pytest
import torch

import ember

_rng = np.random.default_rng(0)
P0 = [_rng.standard_normal((4, 3)).astype(np.float32), _rng.standard_normal(3).astype(np.float32)]
G = [[_rng.standard_normal(a.shape).astype(np.float32) for a in P0] for _ in range(20)]

CONFIGS = [
    ("SGD", dict(lr=0.1)), ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, maximize=True)),
    ("Adam", {}), ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)), ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, amsgrad=True, maximize=True)), ("RMSprop", {}),
    ("RMSprop", dict(centered=True, momentum=0.5, weight_decay=0.1)),
    ("Adagrad", dict(lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1)),
    ("Adadelta", dict(weight_decay=0.1)), ("Adamax", dict(weight_decay=0.1)), ("NAdam", dict(weight_decay=0.1)),
    ("NAdam", dict(weight_decay=0.1, decoupled_weight_decay=True)), ("RAdam", dict(weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, decoupled_weight_decay=True, weight_decay=0.1)),
]


def _run(lib, name, kw, steps=20):
    params = [lib.nn.Parameter(lib.tensor(a.copy())) for a in P0]
    opt = getattr(lib.optim, name)(params, **kw)
    for s in range(steps):
        for p, g in zip(params, G[s]):
            p.grad = lib.tensor(g)
        opt.step()
    return params, opt


@pytest.mark.parametrize("name,kw", CONFIGS)
def test_twenty_steps_match_pytorch(name, kw):
    (ep, eo), (tp, to) = _run(ember, name, kw), _run(torch, name, kw)
    for a, b in zip(ep, tp):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)
    es, ts = eo.state_dict(), to.state_dict()
    assert es["param_groups"] == ts["param_groups"]
    for k in ts["state"]:
        assert set(es["state"][k]) == set(ts["state"][k])
        for key, v in ts["state"][k].items():
            np.testing.assert_allclose(es["state"][k][key].numpy(), v.numpy(), rtol=1e-5, atol=1e-6)
    assert repr(eo) == repr(to)


def _to_ember(obj):
    if isinstance(obj, torch.Tensor):
        return ember.tensor(obj.numpy())
    if isinstance(obj, dict):
        return {k: _to_ember(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_to_ember(v) for v in obj]
    return obj


def test_pytorch_state_dict_loads_and_continues():
    tp, to = _run(torch, "Adam", dict(lr=0.01), steps=10)
    ep = [ember.nn.Parameter(ember.tensor(p.detach().numpy().copy())) for p in tp]
    eo = ember.optim.Adam(ep, lr=0.5)
    eo.load_state_dict(_to_ember(to.state_dict()))
    assert eo.param_groups[0]["lr"] == 0.01 and eo.param_groups[0]["params"][0] is ep[0]
    for s in range(10, 20):
        for p, q, g in zip(ep, tp, G[s]):
            p.grad, q.grad = ember.tensor(g), torch.tensor(g)
        eo.step()
        to.step()
    for a, b in zip(ep, tp):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_skips_none_grads_and_lr_change_takes_effect():
    a, b = ember.nn.Parameter(ember.ones(2)), ember.nn.Parameter(ember.ones(2))
    opt = ember.optim.SGD([a, b], lr=0.1)
    a.grad = ember.ones(2)
    opt.step()
    assert b.tolist() == [1.0, 1.0] and np.allclose(a.tolist(), [0.9, 0.9])
    opt.param_groups[0]["lr"] = 1.0
    opt.step()
    assert np.allclose(a.tolist(), [-0.1, -0.1])
    opt.zero_grad()
    assert a.grad is None


def test_param_group_errors_match_pytorch():
    p = ember.nn.Parameter(ember.ones(2))
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        ember.optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="params argument given to the optimizer should be an iterable"):
        ember.optim.SGD(p, lr=0.1)
    opt = ember.optim.SGD([p], lr=0.1)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [p]})
    q = ember.nn.Parameter(ember.ones(3))
    opt.add_param_group({"params": q, "lr": 0.5})
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[1]["momentum"] == 0
