"""optim.swa_utils against PyTorch: AveragedModel (SWA, EMA, avg_fn, multi_avg_fn, use_buffers), SWALR's
schedule, update_bn."""
import itertools

import numpy as np
import pytest
import torch

import ember
from layer_oracle import copy_weights

_RNG = np.random.default_rng(5)


def _pair():
    torch.manual_seed(0)
    t_net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    e_net = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.BatchNorm1d(4), ember.nn.ReLU(), ember.nn.Linear(4, 2))
    copy_weights(t_net, e_net)
    return t_net, e_net


def _perturb(t_net, e_net):
    """The same training-like change in both nets: new weights and BatchNorm statistics."""
    with torch.no_grad():
        for p in itertools.chain(t_net.parameters(), t_net.buffers()):
            p.add_(torch.tensor(_RNG.standard_normal(tuple(p.shape)) * 3).to(p.dtype))
    copy_weights(t_net, e_net)


def _assert_same_state(e_mod, t_mod):
    e_sd, t_sd = e_mod.state_dict(), t_mod.state_dict()
    assert list(e_sd) == list(t_sd)
    for k in t_sd:
        np.testing.assert_allclose(e_sd[k].numpy(), t_sd[k].numpy(), rtol=1e-5, atol=1e-6, err_msg=k)


@pytest.mark.parametrize("kind", ["swa", "ema", "ema_multi", "swa_multi", "custom"])
@pytest.mark.parametrize("use_buffers", [False, True])
def test_averaged_model_matches_torch(kind, use_buffers):
    t_net, e_net = _pair()

    def make(lib):
        su = lib.optim.swa_utils
        kw = {"swa": {}, "ema": {"avg_fn": su.get_ema_avg_fn(0.9)},
              "ema_multi": {"multi_avg_fn": su.get_ema_multi_avg_fn(0.8)},
              "swa_multi": {"multi_avg_fn": su.get_swa_multi_avg_fn()},
              "custom": {"avg_fn": lambda a, c, n: 0.5 * a + 0.5 * c}}[kind]
        return su.AveragedModel(t_net if lib is torch else e_net, use_buffers=use_buffers, **kw)
    t_avg, e_avg = make(torch), make(ember)
    assert repr(e_avg) == repr(t_avg)
    if kind == "swa_multi" and use_buffers:   # PyTorch refuses the integer num_batches_tracked there
        for avg, net in ((t_avg, t_net), (e_avg, e_net)):
            avg.update_parameters(net)
            with pytest.raises(RuntimeError, match="Integer division with addcdiv is no longer supported"):
                avg.update_parameters(net)
        return
    for _ in range(4):
        _perturb(t_net, e_net)
        t_avg.update_parameters(t_net)
        e_avg.update_parameters(e_net)
        _assert_same_state(e_avg, t_avg)
    x = _RNG.standard_normal((2, 3)).astype(np.float32)
    t_avg.eval()
    e_avg.eval()
    np.testing.assert_allclose(e_avg(ember.tensor(x)).detach().numpy(), t_avg(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_averaged_model_copies_and_rejects_two_fns():
    net = ember.nn.Linear(2, 2)
    avg = ember.optim.swa_utils.AveragedModel(net)
    assert avg.module is not net and avg.module.weight is not net.weight
    assert int(avg.n_averaged) == 0 and str(avg.n_averaged.dtype) == "torch.int64"
    su = ember.optim.swa_utils
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
        su.AveragedModel(net, avg_fn=su.get_swa_avg_fn(), multi_avg_fn=su.get_swa_multi_avg_fn())
    with pytest.raises(ValueError, match="Invalid decay value"):
        su.get_ema_multi_avg_fn(1.5)


# Recorded from PyTorch 2.13 (SGD with groups lr 0.1 and 0.5, swa_lr [0.05, 0.01]): building a torch
# optimizer costs seconds on first use, so the values are kept here.
_SWALR_TORCH = {
    ("cos", 3): [[0.1, 0.5], [0.0875, 0.3775], [0.0625, 0.1325], [0.05, 0.01], [0.05, 0.01], [0.05, 0.01]],
    ("linear", 4): [[0.1, 0.5], [0.0875, 0.3775], [0.075, 0.255], [0.0625, 0.1325], [0.05, 0.01], [0.05, 0.01]],
    ("cos", 0): [[0.05, 0.01]] * 6,
}


@pytest.mark.parametrize("strategy,anneal", list(_SWALR_TORCH))
def test_swalr_schedule_matches_torch(strategy, anneal):
    p, q = ember.nn.Parameter(ember.zeros(2)), ember.nn.Parameter(ember.zeros(2))
    opt = ember.optim.SGD([{"params": [p]}, {"params": [q], "lr": 0.5}], lr=0.1)
    sched = ember.optim.swa_utils.SWALR(opt, swa_lr=[0.05, 0.01], anneal_epochs=anneal, anneal_strategy=strategy)
    seen = [sched.get_last_lr()]
    for _ in range(5):
        opt.step()
        sched.step()
        seen.append(sched.get_last_lr())
    np.testing.assert_allclose(np.array(seen), np.array(_SWALR_TORCH[strategy, anneal]), rtol=1e-12)


def test_swalr_errors_and_state_dict():
    opt = ember.optim.SGD([ember.nn.Parameter(ember.zeros(1))], lr=0.1)
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear'"):
        ember.optim.swa_utils.SWALR(opt, 0.05, anneal_strategy="exp")
    with pytest.raises(ValueError, match="anneal_epochs must be equal or greater than 0"):
        ember.optim.swa_utils.SWALR(opt, 0.05, anneal_epochs=-1)
    sched = ember.optim.swa_utils.SWALR(opt, 0.05, anneal_strategy="linear")
    sd = sched.state_dict()
    assert "anneal_func" not in sd and sd["_anneal_strategy"] == "linear"
    sched.load_state_dict(sd)
    assert sched.anneal_func(0.3) == 0.3
    with pytest.warns(UserWarning, match="get_last_lr"):
        sched.get_lr()


def test_update_bn_matches_torch():
    t_net, e_net = _pair()
    batches = [_RNG.standard_normal((6, 3)).astype(np.float32) for _ in range(3)]
    t_net.eval()
    e_net.eval()
    torch.optim.swa_utils.update_bn([(torch.tensor(b), 0) for b in batches], t_net)
    ember.optim.swa_utils.update_bn([(ember.tensor(b), 0) for b in batches], e_net)
    _assert_same_state(e_net, t_net)
    assert not e_net.training and e_net[1].momentum == 0.1
