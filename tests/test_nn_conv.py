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


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=3), dict(dilation=(1, 2), padding=1)])
def test_conv2d_wide_output(kw):
    """Output rows of >= 20 positions take the batch-middle column layout (narrower ones batch-last)."""
    check(lambda t, x, w, b: F(t).conv2d(x, w, b, **kw), [(2, 3, 6, 48), (4, 3, 3, 3), (4,)])
    # more than 16 output channels: one whole-batch GEMM instead of batch chunks
    check(lambda t, x, w, b: F(t).conv2d(x, w, b, **kw), [(2, 3, 6, 48), (20, 3, 3, 3), (20,)])
    # ... unless each sample has >= 28x28 output positions: then one sample per chunk again (the weight
    # gradient sums 1,568 products of size ~1 in another order than PyTorch: absolute tolerance 2e-4)
    check(lambda t, x, w, b: F(t).conv2d(x, w, b, padding=1), [(2, 3, 28, 30), (20, 3, 3, 3), (20,)],
          tol=dict(rtol=1e-4, atol=2e-4))
    check(lambda t, x, w: F(t).conv1d(x, w, **kw_1d(kw)), [(2, 3, 50), (5, 3, 4)])


@pytest.mark.parametrize("per_chunk", [1, 2])
def test_conv2d_wide_output_batch_chunks(monkeypatch, per_chunk):
    """Wide outputs build their columns a few samples at a time; a ragged last chunk must be right too."""
    from ember.ops import conv
    monkeypatch.setattr(conv, "_CHUNK_BYTES", per_chunk * 3 * 9 * 3 * 24 * 4)   # C*K * L * itemsize per sample
    check(lambda t, x, w, b: F(t).conv2d(x, w, b, stride=2, padding=1),
          [(5, 3, 6, 48), (4, 3, 3, 3), (4,)])


@pytest.mark.parametrize("by_axis", [True, False])
def test_conv_input_grad_fold_both_ways(monkeypatch, by_axis):
    """col2im sums kernel-offset slices axis by axis when they are small, offset by offset when large."""
    from ember.ops import conv
    monkeypatch.setattr(conv, "_FOLD_BY_AXIS_MAX", 1 << 30 if by_axis else 0)
    for shape in [(2, 3, 6, 48), (3, 2, 7, 9)]:     # batch-middle and batch-last column layouts
        check(lambda t, x, w: F(t).conv2d(x, w, stride=(1, 2), padding=(2, 1), dilation=(2, 1)),
              [shape, (20, shape[1], 3, 4)])
    check(lambda t, x, w: F(t).conv2d(x, w, groups=2, padding=1), [(2, 4, 6, 5), (4, 2, 3, 3)])
    check(lambda t, x: F(t).fold(x, (5, 6), (2, 3), stride=(1, 2), padding=1), [(2, 12, 18)])
    check(lambda t, x, w: F(t).conv3d(x, w, padding=1), [(2, 2, 4, 5, 3), (3, 2, 3, 2, 2)])


def kw_1d(kw):
    return {k: (v[-1] if isinstance(v, tuple) else v) for k, v in kw.items()}


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


# ---------------------------------------------------------------- modules
from layer_oracle import compare_module  # noqa: E402


@pytest.mark.parametrize("make", [
    lambda nn: nn.Conv2d(3, 6, 5),
    lambda nn: nn.Conv2d(in_channels=3, out_channels=4, kernel_size=3, stride=2, padding=1, bias=False),
    lambda nn: nn.Conv2d(4, 4, (3, 2), padding="same", dilation=2, groups=2),
    lambda nn: nn.Conv2d(3, 4, 3, padding=2, padding_mode="reflect"),
    lambda nn: nn.Conv2d(3, 4, 3, padding=(1, 2), padding_mode="circular"),
    lambda nn: nn.Conv2d(3, 4, 3, padding=1, padding_mode="replicate"),
])
def test_conv2d_module(make):
    compare_module(make, [(2, make(torch.nn).in_channels, 9, 8)])


def test_conv1d_conv3d_module():
    compare_module(lambda nn: nn.Conv1d(3, 5, 3, stride=2, padding=1), [(2, 3, 12)])
    compare_module(lambda nn: nn.Conv3d(2, 3, 2), [(1, 2, 4, 5, 3)])


def test_conv_transpose_modules():
    compare_module(lambda nn: nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1), [(2, 4, 5, 5)])
    compare_module(lambda nn: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2,
                                                 bias=False), [(2, 4, 5, 5)])
    compare_module(lambda nn: nn.ConvTranspose1d(3, 2, 4, stride=3), [(2, 3, 6)])
    compare_module(lambda nn: nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1), [(2, 4, 5, 5)],
                   forward=lambda m, x: m(x, output_size=(10, 10)))
    compare_module(lambda nn: nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1), [(2, 4, 5, 5)],
                   forward=lambda m, x: m(x, output_size=x.shape[:1] + (3, 9, 10)))


def test_conv_default_init():
    m = ember.nn.Conv2d(16, 32, 3)
    bound = 1 / np.sqrt(16 * 9)
    w = m.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.1 * bound
    if not hasattr(ember, "manual_seed"):
        pytest.skip("ember.manual_seed (the RNG module) is not in yet")
    torch.manual_seed(0)
    t = torch.nn.Conv2d(16, 32, 3)
    ember.manual_seed(0)
    e = ember.nn.Conv2d(16, 32, 3)
    if np.array_equal(e.weight.detach().numpy(), t.weight.detach().numpy()):   # RNG streams are PyTorch's
        np.testing.assert_array_equal(e.bias.detach().numpy(), t.bias.detach().numpy())


def test_conv_module_errors():
    for lib in (ember, torch):
        with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
            lib.nn.Conv2d(3, 4, 3, groups=2)
        with pytest.raises(ValueError, match="padding='same' is not supported for strided convolutions"):
            lib.nn.Conv2d(3, 4, 3, stride=2, padding="same")
        with pytest.raises(ValueError, match="requested an output size of"):
            lib.nn.ConvTranspose2d(4, 3, 3, stride=2)(lib.ones(1, 4, 5, 5), output_size=(20, 20))
