"""Every scheduler gives PyTorch's learning-rate sequence."""
import warnings

import pytest
import torch

import ember


def _flat(x):
    return [v for item in x for v in _flat(item)] if isinstance(x, (list, tuple)) else [x]


def _assert_close(got, expected):
    """Nested lr/momentum sequences equal to float64 round-off (pytest.approx takes no nesting)."""
    assert len(_flat(got)) == len(_flat(expected))
    assert _flat(got) == pytest.approx(_flat(expected), rel=1e-12, abs=1e-15)


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
    _assert_close(_sequence(ember, name, kw), _sequence(torch, name, kw))


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


def _cyclic(lib, opt):
    return lib.optim.lr_scheduler.CyclicLR(opt, **CYCLIC_KW[opt._case])


CYCLIC_KW = {
    "triangular": dict(base_lr=0.01, max_lr=0.1, step_size_up=3),
    "triangular_down": dict(base_lr=0.01, max_lr=0.1, step_size_up=2, step_size_down=5),
    "triangular2": dict(base_lr=0.01, max_lr=0.1, step_size_up=2, mode="triangular2", base_momentum=0.7,
                        max_momentum=0.95),
    "exp_range": dict(base_lr=[0.01, 0.02], max_lr=[0.1, 0.3], step_size_up=3, mode="exp_range", gamma=0.9),
    "scale_fn": dict(base_lr=0.01, max_lr=0.1, step_size_up=2, scale_fn=lambda x: 1 / (x + 1), scale_mode="iterations"),
    "no_momentum": dict(base_lr=0.01, max_lr=0.1, step_size_up=4, cycle_momentum=False),
}


def _two_groups(lib, opt_name):
    a, b = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(3))
    if opt_name == "SGD":
        return lib.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    return lib.optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)


def _trace(opt, sched, n, make_step=None):
    """lr and momentum/beta1 of every group after construction and after each of ``n`` steps."""
    key = "betas" if "betas" in opt.defaults else "momentum"

    def snap():
        return ([g["lr"] for g in opt.param_groups],
                [g[key][0] if key == "betas" else g[key] for g in opt.param_groups], list(sched.get_last_lr()))
    out = [snap()]
    for _ in range(n):
        opt.step()
        (make_step or sched.step)()
        out.append(snap())
    return out


@pytest.mark.parametrize("case", list(CYCLIC_KW))
@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
def test_cyclic_lr_matches_pytorch(case, opt_name):
    traces = []
    for lib in (ember, torch):
        opt = _two_groups(lib, opt_name)
        opt._case = case
        traces.append(_trace(opt, _cyclic(lib, opt), 17))
    _assert_close(traces[0], traces[1])


def test_cyclic_lr_errors_match_pytorch():
    for lib in (ember, torch):
        opt = _two_groups(lib, "SGD")
        with pytest.raises(ValueError, match="mode is invalid and scale_fn is None"):
            lib.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1, mode="sawtooth")
        with pytest.raises(ValueError, match="base_lr must have the same length as optimizer.param_groups. base_lr "
                                             "has 3 values, param_groups has 2."):
            lib.optim.lr_scheduler.CyclicLR(opt, [0.01] * 3, 0.1)
        opt = lib.optim.Adagrad([lib.nn.Parameter(lib.ones(1))])
        with pytest.raises(ValueError, match="optimizer must support momentum or beta1 with `cycle_momentum`"):
            lib.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1)


def _sequential(lib, opt):
    S = lib.optim.lr_scheduler
    return S.SequentialLR(opt, [S.LinearLR(opt, start_factor=0.1, total_iters=3), S.ExponentialLR(opt, 0.8),
                                S.CosineAnnealingLR(opt, T_max=4, eta_min=0.001)], milestones=[4, 8])


def _chained(lib, opt):
    S = lib.optim.lr_scheduler
    return S.ChainedScheduler([S.ConstantLR(opt, factor=0.5, total_iters=3), S.ExponentialLR(opt, 0.9),
                               S.StepLR(opt, 4, gamma=0.5)])


def _sequential_of_chained(lib, opt):
    S = lib.optim.lr_scheduler
    return S.SequentialLR(opt, [S.ChainedScheduler([S.ConstantLR(opt, factor=0.5, total_iters=2),
                                                    S.ExponentialLR(opt, 0.9)]),
                                S.StepLR(opt, 2, gamma=0.5)], milestones=[5])


COMPOSITES = {"sequential": _sequential, "chained": _chained, "sequential_of_chained": _sequential_of_chained}


@pytest.mark.parametrize("name", list(COMPOSITES))
def test_composite_schedulers_match_pytorch(name):
    traces = []
    for lib in (ember, torch):
        opt = _two_groups(lib, "SGD")
        traces.append(_trace(opt, COMPOSITES[name](lib, opt), 15))
    _assert_close(traces[0], traces[1])


def test_composite_errors_match_pytorch():
    for lib in (ember, torch):
        S = lib.optim.lr_scheduler
        opt, other = _two_groups(lib, "SGD"), _two_groups(lib, "SGD")
        with pytest.raises(ValueError, match="SequentialLR expects at least one scheduler, but got no scheduler."):
            S.SequentialLR(opt, [], [])
        with pytest.raises(ValueError, match="Sequential Schedulers expects number of schedulers provided to be one "
                                             "more than the number of milestone points, but got number of "
                                             "schedulers 1 and the number of milestones to be equal to 1"):
            S.SequentialLR(opt, [S.StepLR(opt, 2)], [3])
        with pytest.raises(ValueError, match="SequentialLR does not support `ReduceLROnPlateau`"):
            S.SequentialLR(opt, [S.ReduceLROnPlateau(opt)], [])
        with pytest.raises(ValueError, match="ChainedScheduler expects all schedulers to belong to the same "
                                             "optimizer, but got scheduler StepLR at index 1"):
            S.ChainedScheduler([S.StepLR(opt, 2), S.StepLR(other, 2)])


STATEFUL = {"cyclic": lambda lib, opt: lib.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1, step_size_up=3,
                                                                        mode="triangular2"),
            **COMPOSITES}


@pytest.mark.parametrize("name", list(STATEFUL))
def test_state_dict_round_trip_resumes_the_sequence(name):
    full = []
    for lib in (ember, torch):
        opt = _two_groups(lib, "SGD")
        full.append(_trace(opt, STATEFUL[name](lib, opt), 12))
    opt = _two_groups(ember, "SGD")
    sched = STATEFUL[name](ember, opt)
    first = _trace(opt, sched, 5)
    saved_sched, saved_opt = sched.state_dict(), opt.state_dict()
    assert "optimizer" not in saved_sched
    opt2 = _two_groups(ember, "SGD")
    sched2 = STATEFUL[name](ember, opt2)
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved_sched)
    rest = _trace(opt2, sched2, 7)
    _assert_close(first + rest[1:], full[1])
    _assert_close(full[0], full[1])
    if name != "cyclic":
        assert len(saved_sched["_schedulers"]) == len(sched._schedulers)
    else:
        assert "_scale_fn_ref" not in saved_sched and saved_sched["_scale_fn_custom"] is None
