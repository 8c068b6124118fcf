"""Compare a layer built in Ember and in PyTorch with the same weights.

    compare_module(lambda nn: nn.Conv2d(3, 4, 3), [(2, 3, 8, 8)])

``make(nn)`` is called with ``ember.nn`` and ``torch.nn``; PyTorch's weights
are copied into Ember's module through ``load_state_dict``; then, in train and
in eval mode, outputs, input gradients and parameter gradients must agree, and
``state_dict`` keys and shapes must be identical.
"""
import numpy as np
import torch

import ember
from oracle import assert_same

_RNG = np.random.default_rng(1)


def copy_weights(t_mod, e_mod):
    sd = {k: ember.tensor(v.detach().numpy().copy()) for k, v in t_mod.state_dict().items()}
    e_mod.load_state_dict(sd)


def same_state_dict_layout(e_mod, t_mod):
    e_sd, t_sd = e_mod.state_dict(), t_mod.state_dict()
    assert list(e_sd.keys()) == list(t_sd.keys())
    for k in t_sd:
        assert tuple(e_sd[k].shape) == tuple(t_sd[k].shape), k
        assert str(e_sd[k].dtype) == str(t_sd[k].dtype), k


def _flat(out):
    if isinstance(out, (tuple, list)):
        res = []
        for o in out:
            res.extend(_flat(o))
        return res
    return [out]


def compare_module(make, specs, modes=("train", "eval"), tol=None, forward=None, dtype=np.float32,
                   check_repr=True):
    """Build with both libraries, copy weights, compare repr, state_dict, outputs and all gradients."""
    torch.manual_seed(0)
    t_mod = make(torch.nn)
    e_mod = make(ember.nn)
    if dtype == np.float64:
        t_mod, e_mod = t_mod.double(), e_mod.double()
    if check_repr:
        assert repr(e_mod) == repr(t_mod)
    same_state_dict_layout(e_mod, t_mod)
    copy_weights(t_mod, e_mod)
    forward = forward or (lambda m, *xs: m(*xs))
    for mode in modes:
        getattr(t_mod, mode)()
        getattr(e_mod, mode)()
        arrays = [(_RNG.standard_normal(s).astype(dtype) if isinstance(s, tuple) else s) for s in specs]
        t_in = [torch.tensor(a, requires_grad=a.dtype.kind == "f") if isinstance(a, np.ndarray) else a
                for a in arrays]
        e_in = [ember.tensor(a, requires_grad=a.dtype.kind == "f") if isinstance(a, np.ndarray) else a
                for a in arrays]
        t_out, e_out = forward(t_mod, *t_in), forward(e_mod, *e_in)
        assert_same(e_out, t_out, f"{mode} output", tol)
        t_fl = [o for o in _flat(t_out) if isinstance(o, torch.Tensor) and o.requires_grad]
        e_fl = [o for o, t in zip(_flat(e_out), _flat(t_out)) if isinstance(t, torch.Tensor) and t.requires_grad]
        t_loss = e_loss = 0
        for t, e in zip(t_fl, e_fl):
            up = _RNG.uniform(-1, 1, tuple(t.shape)).astype(dtype)
            t_loss = t_loss + (t * torch.tensor(up)).sum()
            e_loss = e_loss + (e * ember.tensor(up)).sum()
        t_mod.zero_grad()
        e_mod.zero_grad()
        t_loss.backward()
        e_loss.backward()
        for i, (t, e) in enumerate(zip(t_in, e_in)):
            if isinstance(t, torch.Tensor) and t.requires_grad:
                assert_same(e.grad, t.grad, f"{mode} grad of input {i}", tol)
        e_params = dict(e_mod.named_parameters())
        for name, p in t_mod.named_parameters():
            if p.grad is None:
                assert e_params[name].grad is None, name
            else:
                assert_same(e_params[name].grad, p.grad, f"{mode} grad of {name}", tol)
        for name, b in t_mod.named_buffers():
            assert_same(dict(e_mod.named_buffers())[name], b, f"{mode} buffer {name}", tol)
    return e_mod, t_mod
