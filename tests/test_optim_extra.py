"""Adafactor and Muon against torch.optim: parameter trajectories, state, argument errors."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _trajectory(lib, name, kw, shapes, steps=6):
    rng = np.random.default_rng(0)
    ps = [lib.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in shapes]
    opt = getattr(lib.optim, name)(ps, **kw)
    for t in range(steps):
        opt.zero_grad()
        sum(((p ** 3) * (t + 1)).sum() + (p.sin() * 2).sum() for p in ps).backward()
        opt.step()
    return [p.detach().numpy() for p in ps], opt


def _state_layout(opt):
    return {k: {n: tuple(v.shape) for n, v in s.items()} for k, s in opt.state_dict()["state"].items()}


@pytest.mark.parametrize("kw", [{}, dict(weight_decay=0.1, lr=0.5, maximize=True), dict(eps=(1e-3, 1e-2),
                                beta2_decay=-0.5, d=2.0)])
def test_adafactor_matches_torch(kw):
    shapes = [(3, 4), (4,), (), (2, 3, 4)]
    mine, eo = _trajectory(ember, "Adafactor", kw, shapes)
    ref, to = _trajectory(torch, "Adafactor", kw, shapes)
    for a, b in zip(mine, ref):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert _state_layout(eo) == _state_layout(to)
    assert eo.state_dict()["param_groups"] == to.state_dict()["param_groups"]


@pytest.mark.parametrize("kw", [{}, dict(nesterov=False, lr=0.05), dict(adjust_lr_fn="match_rms_adamw",
                                weight_decay=0.0, momentum=0.5), dict(ns_steps=3, eps=1e-3)])
def test_muon_matches_torch(kw):
    shapes = [(3, 4), (5, 3), (2, 6)]
    mine, eo = _trajectory(ember, "Muon", kw, shapes)
    ref, to = _trajectory(torch, "Muon", kw, shapes)
    for a, b in zip(mine, ref):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert _state_layout(eo) == _state_layout(to)


@pytest.mark.parametrize("name,kw,match", [
    ("Adafactor", dict(lr=-1), "Learning rate should be >= 0 but is: -1"),
    ("Adafactor", dict(beta2_decay=0.5), "beta2_decay should be <= 0 but is: 0.5"),
    ("Adafactor", dict(eps=(None, -1)), "epsilon2 should be >= 0 but is: -1"),
    ("Adafactor", dict(d=0.5), "Clipping threshold d should be >= 1 but is: 0.5"),
    ("Muon", dict(momentum=-1), "momentum should be >= 0 but is: -1"),
    ("Muon", dict(adjust_lr_fn="x"), "Adjust learning rate function x is not supported"),
])
def test_argument_errors_match_torch(name, kw, match):
    for lib in (ember, torch):
        with pytest.raises(ValueError, match=match):
            getattr(lib.optim, name)([lib.zeros(2, 2, requires_grad=True)], **kw)


def test_muon_refuses_non_matrix_parameters():
    for lib in (ember, torch):
        with pytest.raises(ValueError, match=r"Muon only supports 2D parameters whereas we found a parameter with "
                                             r"size: torch.Size\(\[4\]\)"):
            lib.optim.Muon([lib.zeros(4, requires_grad=True)])
