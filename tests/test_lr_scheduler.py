"""Every scheduler gives PyTorch's learning-rate sequence."""
import warnings

import pytest
import torch

import ember

SCHEDULERS = [
    ("LambdaLR", dict(lr_lambda=lambda e: 0.95 ** e)), ("MultiplicativeLR", dict(lr_lambda=lambda e: 0.9)),
    ("StepLR", dict(step_size=3, gamma=0.5)), ("MultiStepLR", dict(milestones=[2, 5, 5, 9], gamma=0.3)),
    ("ConstantLR", dict(factor=0.5, total_iters=4)), ("LinearLR", dict(start_factor=0.2, total_iters=6)),
    ("ExponentialLR", dict(gamma=0.8)), ("PolynomialLR", dict(total_iters=8, power=2.0)),
    ("CosineAnnealingLR", dict(T_max=5, eta_min=0.01)), ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=2)),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=16)), ("OneCycleLR", dict(max_lr=1.0, total_steps=16,
                                                                           anneal_strategy="linear",
                                                                           three_phase=True)),
]


def _sequence(lib, name, kw, n=15):
    p = lib.nn.Parameter(lib.ones(2))
    opt = lib.optim.SGD([p, ], lr=0.1, momentum=0.9)
    sched = getattr(lib.optim.lr_scheduler, name)(opt, **kw)
    out = [sched.get_last_lr()[0]]
    for _ in range(n):
        opt.step()
        sched.step()
        out.append(opt.param_groups[0]["lr"])
    return out, opt.param_groups[0]["momentum"]


@pytest.mark.parametrize("name,kw", SCHEDULERS)
def test_lr_sequence_matches_pytorch(name, kw):
    assert _sequence(ember, name, kw) == pytest.approx(_sequence(torch, name, kw), rel=1e-12, abs=1e-15)


def test_reduce_on_plateau_matches_pytorch():
    metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85]
    seqs = []
    for lib in (ember, torch):
        opt = lib.optim.SGD([lib.nn.Parameter(lib.ones(1))], lr=1.0)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=2, factor=0.5, cooldown=1)
        seq = []
        for m in metrics:
            sched.step(m)
            seq.append(sched.get_last_lr()[0])
        seqs.append(seq)
    assert seqs[0] == seqs[1]


def test_warns_when_scheduler_steps_before_optimizer():
    opt = ember.optim.SGD([ember.nn.Parameter(ember.ones(1))], lr=1.0)
    sched = ember.optim.lr_scheduler.StepLR(opt, 1)
    with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`"):
        sched.step()


def test_state_dict_round_trip():
    opt = ember.optim.SGD([ember.nn.Parameter(ember.ones(1))], lr=1.0)
    sched = ember.optim.lr_scheduler.StepLR(opt, 2, gamma=0.5)
    for _ in range(3):
        opt.step()
        sched.step()
    sd = sched.state_dict()
    assert sd["last_epoch"] == 3 and "optimizer" not in sd
    opt2 = ember.optim.SGD([ember.nn.Parameter(ember.ones(1))], lr=1.0)
    s2 = ember.optim.lr_scheduler.StepLR(opt2, 5)
    s2.load_state_dict(sd)
    assert s2.step_size == 2 and s2.get_last_lr() == sched.get_last_lr()
