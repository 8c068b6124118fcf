"""Lazy modules and UninitializedParameter/UninitializedBuffer against PyTorch."""
import copy

import numpy as np
import pytest
import torch

import ember
from layer_oracle import compare_module

_CASES = [
    ("LazyLinear", (3,), {}, (2, 5)),
    ("LazyLinear", (4,), {"bias": False}, (2, 3, 5)),
    ("LazyConv1d", (4, 3), {"groups": 2}, (2, 6, 7)),
    ("LazyConv2d", (4, 3), {"padding": 1}, (2, 3, 5, 5)),
    ("LazyConv2d", (4, 3), {}, (3, 5, 5)),                   # unbatched
    ("LazyConv3d", (2, 2), {"bias": False}, (1, 3, 4, 4, 4)),
    ("LazyConvTranspose1d", (4, 3), {"stride": 2}, (2, 3, 5)),
    ("LazyConvTranspose2d", (4, 3), {"output_padding": 1, "stride": 2}, (2, 3, 4, 4)),
    ("LazyConvTranspose3d", (2, 2), {}, (1, 2, 3, 3, 3)),
    ("LazyBatchNorm1d", (), {}, (4, 3)),
    ("LazyBatchNorm2d", (), {"momentum": None}, (4, 3, 2, 2)),
    ("LazyBatchNorm3d", (), {"affine": False}, (2, 3, 2, 2, 2)),
    ("LazyInstanceNorm1d", (), {}, (2, 3, 5)),
    ("LazyInstanceNorm2d", (), {"track_running_stats": False}, (2, 3, 4, 4)),
    ("LazyInstanceNorm3d", (), {"affine": False}, (2, 3, 2, 2, 2)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", _CASES)
def test_lazy_module_matches_torch(name, args, kwargs, shape):
    t_lazy, e_lazy = getattr(torch.nn, name)(*args, **kwargs), getattr(ember.nn, name)(*args, **kwargs)
    assert repr(e_lazy) == repr(t_lazy)
    assert list(e_lazy.state_dict()) == list(t_lazy.state_dict())

    def make(nn):   # materialized by a dummy forward, then compared as the ordinary layer
        m = getattr(nn, name)(*args, **kwargs)
        m(torch.zeros(shape) if nn is torch.nn else ember.zeros(shape))
        assert type(m).__name__ == name[4:]
        return m
    compare_module(make, [shape])


def test_optimizer_created_before_first_forward_keeps_working():
    m = ember.nn.LazyLinear(2)
    params = list(m.parameters())
    opt = ember.optim.SGD(m.parameters(), lr=0.5)
    m(ember.ones(1, 3)).sum().backward()
    before = m.weight.detach().clone()
    opt.step()
    assert params[0] is m.weight and type(m.weight) is ember.nn.Parameter
    np.testing.assert_allclose(m.weight.detach().numpy(), before.numpy() - 0.5, rtol=1e-6)


def test_load_state_dict_materializes_placeholders():
    src = ember.nn.Sequential(ember.nn.Linear(5, 3), ember.nn.BatchNorm1d(3))
    dst = ember.nn.Sequential(ember.nn.LazyLinear(3), ember.nn.LazyBatchNorm1d())
    dst.load_state_dict(src.state_dict())
    assert tuple(dst[0].weight.shape) == (3, 5) and tuple(dst[1].running_var.shape) == (3,)
    np.testing.assert_array_equal(dst[0].weight.detach().numpy(), src[0].weight.detach().numpy())
    assert type(dst[0]).__name__ == "LazyLinear"       # still lazy until its first forward
    dst(ember.randn(2, 5))
    assert type(dst[0]) is ember.nn.Linear and type(dst[1]) is ember.nn.BatchNorm1d


def test_uninitialized_parameter_and_buffer():
    p = ember.nn.parameter.UninitializedParameter()
    b = ember.nn.parameter.UninitializedBuffer()
    assert repr(p) == "<UninitializedParameter>" and repr(b) == "<UninitializedBuffer>"
    assert ember.nn.parameter.is_lazy(p) and ember.nn.parameter.is_lazy(b)
    assert isinstance(p, ember.nn.Parameter) and p.requires_grad and not b.requires_grad
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized parameter"):
        p.shape
    p.materialize((2, 3), dtype=ember.float64)
    assert type(p) is ember.nn.Parameter and tuple(p.shape) == (2, 3) and p.dtype == ember.float64
    assert not ember.nn.parameter.is_lazy(p)
    lazy = copy.deepcopy(ember.nn.LazyLinear(3))
    assert ember.nn.parameter.is_lazy(lazy.weight) and lazy(ember.randn(1, 4)).shape == (1, 3)


def test_lazy_errors_match_torch():
    for lib in (torch, ember):
        with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
            lib.nn.LazyConv1d(4, 3, groups=2)(lib.randn(2, 3, 5))
        with pytest.raises(RuntimeError, match=r"Expected 2D \(unbatched\) or 3D \(batched\) input to LazyConv1d"):
            lib.nn.LazyConv1d(4, 3)(lib.randn(2, 2, 3, 5))
