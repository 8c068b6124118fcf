"""Module system: registration, traversal, state_dict/load_state_dict (PyTorch's texts), repr, conversion."""
import os
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember


def _net(lib, hidden=(512, 256)):
    nn = lib.nn

    class Network(nn.Module):
        def __init__(self):
            super().__init__()
            sizes = [784, *hidden]
            self.hidden_layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])
            self.output = nn.Linear(sizes[-1], 10)
            self.dropout = nn.Dropout(p=0.2)

        def forward(self, x):
            for layer in self.hidden_layers:
                x = self.dropout(lib.relu(layer(x)))
            return lib.nn.functional.log_softmax(self.output(x), dim=1)
    return Network()


def test_state_dict_keys_shapes_and_repr_match_pytorch():
    e, t = _net(ember), _net(torch)
    es, ts = e.state_dict(), t.state_dict()
    assert list(es) == list(ts)
    assert [tuple(v.shape) for v in es.values()] == [tuple(v.shape) for v in ts.values()]
    assert dict(es._metadata) == dict(ts._metadata)
    assert repr(e) == repr(t)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]


def test_load_state_dict_size_mismatch_text_and_no_partial_load():
    small, big = _net(ember, (400, 200)), _net(ember, (512, 256))
    before = [p.detach().numpy().copy() for p in small.parameters()]
    with pytest.raises(RuntimeError) as ei:
        small.load_state_dict(big.state_dict())
    t_small, t_big = _net(torch, (400, 200)), _net(torch, (512, 256))
    with pytest.raises(RuntimeError) as ti:
        t_small.load_state_dict(t_big.state_dict())
    assert str(ei.value) == str(ti.value)
    assert "size mismatch for hidden_layers.0.weight: copying a param with shape torch.Size([512, 784])" in str(ei.value)
    for a, p in zip(before, small.parameters()):
        np.testing.assert_array_equal(a, p.detach().numpy())


def test_missing_unexpected_keys_and_success_repr():
    e, t = ember.nn.Linear(2, 3), torch.nn.Linear(2, 3)
    sd_e = OrderedDict(weight=ember.zeros(3, 2), extra=ember.zeros(1))
    sd_t = OrderedDict(weight=torch.zeros(3, 2), extra=torch.zeros(1))
    with pytest.raises(RuntimeError) as ei:
        e.load_state_dict(sd_e)
    with pytest.raises(RuntimeError) as ti:
        t.load_state_dict(sd_t)
    assert str(ei.value) == str(ti.value)
    res = e.load_state_dict(sd_e, strict=False)
    assert res.missing_keys == ["bias"] and res.unexpected_keys == ["extra"]
    assert repr(e.load_state_dict(e.state_dict())) == "<All keys matched successfully>"
    assert e.weight.abs().sum().item() == 0


def test_registration_shared_params_buffers_and_reassignment():
    nn = ember.nn

    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(2, 2)
            self.b = self.a
            self.register_buffer("running", ember.zeros(2))
            self.register_buffer("tmp", ember.zeros(2), persistent=False)

    m = M()
    assert len(list(m.parameters())) == 2
    assert list(m.state_dict()) == ["running", "a.weight", "a.bias", "b.weight", "b.bias"]
    assert [n for n, _ in m.named_buffers()] == ["running", "tmp"]
    m.a = nn.Linear(2, 5)
    assert m.a.out_features == 5 and m._modules["a"] is m.a
    with pytest.raises(TypeError, match="cannot assign 'int' as child module 'a'"):
        m.a = 3
    with pytest.raises(AttributeError, match="'M' object has no attribute 'nope'"):
        m.nope
    del m.b
    assert "b" not in dict(m.named_children())
    assert m.get_submodule("a") is m.a and m.get_parameter("a.bias") is m.a.bias


def test_train_eval_zero_grad_to_and_apply():
    m = ember.nn.Sequential(ember.nn.Linear(3, 2), ember.nn.Dropout())
    assert m.eval() is m and not m[1].training
    assert m.train() is m and m[1].training
    w = m[0].weight
    m(ember.ones(4, 3)).sum().backward()
    assert w.grad is not None
    m.zero_grad()
    assert w.grad is None
    m.double()
    assert m[0].weight is w and w.dtype is ember.float64 and isinstance(w, ember.nn.Parameter)
    m.to(ember.float32)
    assert w.dtype is ember.float32
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ["Linear", "Dropout", "Sequential"]
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point or complex dtypes"):
        m.to(ember.int64)


def test_parameter_prints_and_shares_memory():
    t = ember.ones(2)
    p = ember.nn.Parameter(t)
    assert repr(p).startswith("Parameter containing:\n")
    assert p.requires_grad and p.is_leaf
    t.add_(1)
    assert p.tolist() == [2.0, 2.0]


def test_hooks():
    m = ember.nn.Linear(2, 2)
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: calls.append("pre"))
    h2 = m.register_forward_hook(lambda mod, args, out: out * 0)
    out = m(ember.ones(1, 2))
    assert calls == ["pre"] and out.abs().sum().item() == 0
    h1.remove()
    h2.remove()
    grads = []
    m.register_full_backward_hook(lambda mod, gin, gout: grads.append((gin[0].shape, gout[0].shape)))
    x = ember.ones(3, 2, requires_grad=True)
    m(x).sum().backward()
    assert grads == [((3, 2), (3, 2))]


def test_containers_match_pytorch_repr_and_indexing():
    for lib in (ember, torch):
        nn = lib.nn
        s = nn.Sequential(OrderedDict([("fc1", nn.Linear(4, 3)), ("relu", nn.ReLU()), ("fc2", nn.Linear(3, 2))]))
        assert isinstance(s[0:2], nn.Sequential) and s[-1] is s.fc2 and len(s) == 3
    e = ember.nn.Sequential(ember.nn.Linear(4, 3), ember.nn.ReLU())
    t = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU())
    e.append(ember.nn.Linear(3, 1)).insert(0, ember.nn.Identity())
    t.append(torch.nn.Linear(3, 1)).insert(0, torch.nn.Identity())
    assert repr(e) == repr(t) and repr(e[1:]) == repr(t[1:])
    assert repr(ember.nn.ModuleList([ember.nn.ReLU()] * 3)) == repr(torch.nn.ModuleList([torch.nn.ReLU()] * 3))
    md = ember.nn.ModuleDict({"a": ember.nn.ReLU()})
    assert list(md.keys()) == ["a"]
    pl = ember.nn.ParameterList([ember.ones(2)])
    assert isinstance(pl[0], ember.nn.Parameter) and len(list(pl.parameters())) == 1
    pd = ember.nn.ParameterDict({"w": ember.ones(2)})
    assert [n for n, _ in pd.named_parameters()] == ["w"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_share_memory_lets_forked_workers_update_the_model():
    m = ember.nn.Linear(3, 2)
    assert m.share_memory() is m and m.weight.is_shared() and m.bias.is_shared()
    pid = os.fork()
    if pid == 0:                       # a Hogwild worker: in-place update seen by the parent
        with ember.no_grad():
            m.weight.fill_(7.0)
        os._exit(0)
    os.waitpid(pid, 0)
    assert m.weight.tolist() == [[7.0] * 3] * 2
