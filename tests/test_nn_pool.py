"""Pooling against PyTorch: values, indices and gradients; Pool modules."""
import numpy as np
import pytest
import torch

import ember
from oracle import check


def F(lib):
    return lib.nn.functional


@pytest.mark.parametrize("kw", [
    dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=(2, 3), stride=1),
    dict(kernel_size=3, stride=2, ceil_mode=True), dict(kernel_size=2, dilation=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
])
def test_max_pool2d(kw):
    check(lambda t, x: F(t).max_pool2d(x, **kw), [(2, 3, 9, 8)])
    check(lambda t, x: F(t).max_pool2d(x, return_indices=True, **kw), [(2, 3, 9, 8)])


def test_max_pool_ties_after_relu():
    x = np.zeros((2, 2, 6, 6), np.float32)
    x[0, 0, 1, 1] = 1.0
    check(lambda t, x: F(t).max_pool2d(x, 2), [x])
    check(lambda t, x: F(t).max_pool2d(x, 3, 1), [x])


def test_max_pool_overlapping_3d_and_nan():
    """Overlapping windows are reduced one spatial axis at a time: 3-D, dilation and NaN propagation."""
    check(lambda t, x: F(t).max_pool3d(x, 3, 2, 1), [(2, 2, 7, 6, 9)])
    check(lambda t, x: F(t).max_pool3d(x, (3, 2, 2), (1, 2, 1), dilation=(1, 2, 1)), [(1, 2, 5, 7, 6)])
    x = np.random.default_rng(1).standard_normal((1, 2, 7, 7)).astype(np.float32)
    x[0, 1, 3, 4] = np.nan
    check(lambda t, x: F(t).max_pool2d(x, 3, 2, 1), [x], grad=False)


def test_max_pool1d_unbatched():
    check(lambda t, x: F(t).max_pool1d(x, 3, 2, 1, return_indices=True), [(4, 11)])
    check(lambda t, x: F(t).max_pool1d(x, 2), [(2, 4, 11)])


@pytest.mark.parametrize("kw", [
    dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=3, stride=2, padding=1,
                                                                         count_include_pad=False),
    dict(kernel_size=3, stride=2, ceil_mode=True), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                                                        count_include_pad=False),
    dict(kernel_size=(2, 3), divisor_override=5),
])
def test_avg_pool2d(kw):
    check(lambda t, x: F(t).avg_pool2d(x, **kw), [(2, 3, 9, 8)])


def test_avg_pool1d():
    check(lambda t, x: F(t).avg_pool1d(x, 3, 2, 1, count_include_pad=False), [(2, 3, 10)])
    check(lambda t, x: F(t).avg_pool1d(x, 4), [(2, 3, 12)])


@pytest.mark.parametrize("size", [1, (3, 2), (4, 7), (None, 3), 5])
def test_adaptive_pool2d(size):
    check(lambda t, x: F(t).adaptive_avg_pool2d(x, size), [(2, 3, 10, 7)])
    check(lambda t, x: F(t).adaptive_max_pool2d(x, size, return_indices=True), [(2, 3, 10, 7)])


def test_adaptive_pool1d():
    check(lambda t, x: F(t).adaptive_avg_pool1d(x, 4), [(2, 3, 10)])
    check(lambda t, x: F(t).adaptive_max_pool1d(x, 3), [(2, 3, 10)])


def test_max_unpool2d():
    def fn(t, x):
        out, idx = F(t).max_pool2d(x, 2, return_indices=True)
        return F(t).max_unpool2d(out * 2, idx, 2, output_size=x.shape)
    check(fn, [(2, 3, 9, 8)])


def test_pool_errors():
    for call in (lambda t: F(t).max_pool2d(t.ones(1, 1, 5, 5), 2, padding=2),
                 lambda t: F(t).max_pool2d(t.ones(1, 1, 1, 1), 2)):
        msgs = []
        for lib in (ember, torch):
            with pytest.raises(RuntimeError) as ei:
                call(lib)
            msgs.append(str(ei.value))
        assert msgs[0].startswith(msgs[1]), msgs


# ---------------------------------------------------------------- modules
from layer_oracle import compare_module  # noqa: E402


@pytest.mark.parametrize("make", [
    lambda nn: nn.MaxPool2d(2, 2), lambda nn: nn.MaxPool2d(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    lambda nn: nn.AvgPool2d(2), lambda nn: nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
    lambda nn: nn.AdaptiveAvgPool2d((1, 1)), lambda nn: nn.AdaptiveAvgPool2d(3), lambda nn: nn.AdaptiveMaxPool2d(2),
    lambda nn: nn.MaxPool1d(3), lambda nn: nn.AvgPool1d(3, 2), lambda nn: nn.AdaptiveAvgPool1d(3),
])
def test_pool_modules(make):
    shape = (2, 3, 12) if "1d" in repr(make(torch.nn)) else (2, 3, 8, 9)
    compare_module(make, [shape])


def test_maxpool_return_indices_and_unpool():
    def fwd(pair):
        def f(m, x):
            out, idx = m[0](x)
            return m[1](out, idx, output_size=x.size())
        return f

    def make(nn):
        return nn.ModuleList([nn.MaxPool2d(2, stride=2, return_indices=True), nn.MaxUnpool2d(2, stride=2)])
    compare_module(make, [(2, 3, 9, 8)], forward=fwd(None))
