"""Convolutions against PyTorch: F.conv*/conv_transpose* values and gradients, Conv modules."""
import numpy as np
import pytest
import torch

import ember
from oracle import check


def F(lib):
    return lib.nn.functional


@pytest.mark.parametrize("kw", [
    dict(), dict(stride=2, padding=1), dict(dilation=2, padding=(1, 2)), dict(padding="same"),
    dict(padding="valid"), dict(stride=(2, 1), groups=2), dict(groups=6), dict(padding="same", dilation=(1, 2)),
])
def test_conv2d(kw):
    wshape = (12, 6 // kw.get("groups", 1), 3, 2)
    check(lambda t, x, w, b: F(t).conv2d(x, w, b, **kw), [(3, 6, 9, 10), wshape, (12,)])


def test_conv2d_no_bias_unbatched():
    check(lambda t, x, w: F(t).conv2d(x, w, padding=1), [(2, 7, 7), (4, 2, 3, 3)])


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=2, dilation=2), dict(groups=2, padding="same")])
def test_conv1d(kw):
    check(lambda t, x, w, b: F(t).conv1d(x, w, b, **kw), [(2, 4, 15), (6, 4 // kw.get("groups", 1), 4), (6,)])


def test_conv3d():
    check(lambda t, x, w, b: F(t).conv3d(x, w, b, stride=(1, 2, 1), padding=1), [(2, 2, 5, 6, 4), (3, 2, 3, 3, 2), (3,)])


@pytest.mark.parametrize("kw", [
    dict(), dict(stride=2, padding=1), dict(stride=2, padding=1, output_padding=1),
    dict(stride=(2, 3), dilation=2, output_padding=(1, 2)), dict(groups=2, stride=2),
])
def test_conv_transpose2d(kw):
    check(lambda t, x, w, b: F(t).conv_transpose2d(x, w, b, **kw), [(2, 4, 5, 6), (4, 6 // 2, 3, 3), (3 * kw.get("groups", 1),)])


def test_conv_transpose1d():
    check(lambda t, x, w, b: F(t).conv_transpose1d(x, w, b, stride=3, padding=1, output_padding=2),
          [(2, 3, 7), (3, 5, 4), (5,)])


def test_conv_float64():
    check(lambda t, x, w: F(t).conv2d(x, w, stride=2), [(2, 3, 8, 8), (4, 3, 3, 3)], dtype=np.float64)


def _err(fn):
    out = []
    for lib in (ember, torch):
        with pytest.raises(Exception) as ei:
            fn(lib)
        out.append(ei)
    (e, t) = out
    assert type(e.value) is type(t.value)
    assert str(e.value).startswith(str(t.value).split(" (")[0][:60]), (str(e.value), str(t.value))


def test_conv_errors():
    _err(lambda t: F(t).conv2d(t.ones(1, 2, 5, 5), t.ones(2, 3, 3, 3)))
    _err(lambda t: F(t).conv2d(t.ones(5, 5), t.ones(2, 3, 3, 3)))
    _err(lambda t: F(t).conv2d(t.ones(1, 3, 2, 2), t.ones(2, 3, 3, 3)))
    _err(lambda t: F(t).conv2d(t.ones(1, 3, 5, 5), t.ones(2, 3, 3, 3), stride=2, padding="same"))
    _err(lambda t: F(t).conv2d(t.ones(1, 3, 5, 5), t.ones(2, 3, 3, 3).double()))
