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
    ("ASGD", {}), ("ASGD", dict(lr=0.05, lambd=1e-3, alpha=0.5, t0=5, weight_decay=0.1, maximize=True)),
    ("Rprop", {}), ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2), maximize=True)),
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


def _to_torch(obj):
    if isinstance(obj, ember.Tensor):
        return torch.tensor(obj.numpy())
    if isinstance(obj, dict):
        return {k: _to_torch(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_to_torch(v) for v in obj]
    return obj


STATE_DICT_CONFIGS = [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(lr=0.01)),
                      ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1))]


def _continue(src, dst, src_params, dst_params):
    """Load ``src``'s state into ``dst`` (converting tensors), then step both 10 more times alike."""
    convert = _to_ember if isinstance(dst, ember.optim.Optimizer) else _to_torch
    dst.load_state_dict(convert(src.state_dict()))
    assert dst.param_groups[0]["lr"] == src.param_groups[0]["lr"]
    assert dst.param_groups[0]["params"][0] is dst_params[0]
    for s in range(10, 20):
        for p, q, g in zip(src_params, dst_params, G[s]):
            p.grad, q.grad = _grad_like(p, g), _grad_like(q, g)
        src.step()
        dst.step()
    for a, b in zip(src_params, dst_params):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)


def _grad_like(p, g):
    return ember.tensor(g) if isinstance(p, ember.Tensor) else torch.tensor(g)


@pytest.mark.parametrize("name,kw", STATE_DICT_CONFIGS)
def test_pytorch_state_dict_loads_into_ember_and_continues(name, kw):
    tp, to = _run(torch, name, kw, steps=10)
    ep = [ember.nn.Parameter(ember.tensor(p.detach().numpy().copy())) for p in tp]
    eo = getattr(ember.optim, name)(ep, lr=0.5)
    _continue(to, eo, tp, ep)


@pytest.mark.parametrize("name,kw", STATE_DICT_CONFIGS)
def test_ember_state_dict_loads_into_pytorch_and_continues(name, kw):
    ep, eo = _run(ember, name, kw, steps=10)
    tp = [torch.nn.Parameter(torch.tensor(p.detach().numpy().copy())) for p in ep]
    to = getattr(torch.optim, name)(tp, lr=0.5)
    sd = eo.state_dict()
    assert set(sd) == {"state", "param_groups"} and sorted(sd["state"]) == [0, 1]
    _continue(eo, to, ep, tp)
    ts = to.state_dict()
    for k, st in ts["state"].items():
        for key, v in st.items():
            assert v.dtype == _to_torch(eo.state_dict()["state"][k][key]).dtype


def _lbfgs_problem(lib):
    """A small least-squares-plus-quartic problem in two parameters, and its closure."""
    rng = np.random.default_rng(1)
    X = lib.tensor(rng.standard_normal((16, 4)))
    y = lib.tensor(rng.standard_normal(16))
    w = lib.nn.Parameter(lib.tensor(rng.standard_normal(4)))
    b = lib.nn.Parameter(lib.tensor(0.5, dtype=lib.float64))
    return X, y, [w, b]


@pytest.mark.parametrize("kw", [dict(lr=0.5, max_iter=4), dict(lr=1, max_iter=5, history_size=3),
                                dict(line_search_fn="strong_wolfe"),
                                dict(lr=0.8, max_iter=3, history_size=2, line_search_fn="strong_wolfe")])
def test_lbfgs_twenty_steps_match_pytorch(kw):
    results = []
    for lib in (ember, torch):
        X, y, params = _lbfgs_problem(lib)
        opt = lib.optim.LBFGS(params, **kw)
        losses = []

        def closure():
            opt.zero_grad()
            r = X @ params[0] + params[1] - y
            loss = (r * r).mean() + (params[0] ** 4).sum() * 0.1
            loss.backward()
            return loss
        for _ in range(20):
            losses.append(opt.step(closure).item())
        st = opt.state[params[0]]
        results.append((losses, [p.detach().numpy().copy() for p in params], st["func_evals"], st["n_iter"],
                        len(st["old_dirs"]), float(st["t"])))
    (el, ep, ef, en, eh, et), (tl, tp, tf, tn, th, tt) = results
    np.testing.assert_allclose(el, tl, rtol=1e-10, atol=1e-12)
    for a, b in zip(ep, tp):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    assert (ef, en, eh) == (tf, tn, th) and et == pytest.approx(tt, rel=1e-9)


def test_lbfgs_errors_match_pytorch():
    for lib in (ember, torch):
        a, b = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(2))
        with pytest.raises(ValueError, match=r"LBFGS doesn't support per-parameter options \(parameter groups\)"):
            lib.optim.LBFGS([{"params": [a]}, {"params": [b]}])
        opt = lib.optim.LBFGS([a], line_search_fn="wolfe")

        def closure():
            opt.zero_grad()
            loss = (a * a).sum()
            loss.backward()
            return loss
        with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
            opt.step(closure)
        assert repr(opt).startswith("LBFGS (")


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
