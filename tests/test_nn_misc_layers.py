"""Padding, embedding, upsampling, pixel shuffle, fold/unfold, attention: functional forms and modules."""
import numpy as np
import pytest
import torch

import ember
from oracle import check


def F(lib):
    return lib.nn.functional


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("pad", [(1, 2), (2, 1, 0, 2), (1, 1, 1, 1, 1, 1)])
def test_pad(mode, pad):
    shape = (2, 3, 4, 5, 4)[: 2 + len(pad) // 2]
    check(lambda t, x: F(t).pad(x, pad, mode=mode), [shape])


def test_pad_constant_value_and_negative():
    check(lambda t, x: F(t).pad(x, (1, -1, -2, 3), value=2.5), [(3, 5, 6)])
    check(lambda t, x: F(t).pad(x, (1, 1)), [(4,)])


# ---------------------------------------------------------------- embedding
from layer_oracle import compare_module  # noqa: E402

_IDX = np.array([[1, 2, 4, 5], [4, 3, 2, 9], [0, 0, 1, 1]])


@pytest.mark.parametrize("make", [
    lambda nn: nn.Embedding(10, 3), lambda nn: nn.Embedding(10, 3, padding_idx=0),
    lambda nn: nn.Embedding(10, 4, padding_idx=-1, scale_grad_by_freq=True),
    lambda nn: nn.Embedding(10, 3, max_norm=1.0),
])
def test_embedding_module(make):
    compare_module(make, [_IDX])


def test_embedding_from_pretrained_and_functional():
    w = np.random.randn(5, 3).astype(np.float32)
    e = ember.nn.Embedding.from_pretrained(ember.tensor(w))
    t = torch.nn.Embedding.from_pretrained(torch.tensor(w))
    assert repr(e) == repr(t) and e.weight.requires_grad is False
    idx = np.array([0, 4, 2])
    np.testing.assert_array_equal(e(ember.tensor(idx)).numpy(), t(torch.tensor(idx)).numpy())
    e2 = ember.nn.Embedding.from_pretrained(ember.tensor(w), freeze=False)
    assert e2.weight.requires_grad is True
    check(lambda t, w: F(t).embedding(t.tensor(_IDX), w, padding_idx=2), [(10, 4)])


def test_embedding_errors():
    for lib in (ember, torch):
        m = lib.nn.Embedding(5, 2)
        with pytest.raises(IndexError, match="index out of range in self"):
            m(lib.tensor([5]))
        with pytest.raises(RuntimeError, match="Expected tensor for argument #1 'indices' to have one of the "
                                               "following scalar types: Long, Int; but got torch.FloatTensor"):
            m(lib.tensor([1.0]))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag(mode):
    check(lambda t, w: F(t).embedding_bag(t.tensor(_IDX), w, mode=mode), [(10, 4)])
    check(lambda t, w: F(t).embedding_bag(t.tensor([1, 2, 4, 5, 4, 3]), w, t.tensor([0, 2, 5]), mode=mode),
          [(10, 4)])


@pytest.mark.parametrize("make,shape", [
    (lambda nn: nn.ZeroPad2d(2), (2, 3, 4, 5)), (lambda nn: nn.ZeroPad2d((1, 0, 2, 1)), (2, 3, 4, 5)),
    (lambda nn: nn.ConstantPad1d((1, 2), 3.5), (2, 3, 4)), (lambda nn: nn.ReflectionPad2d(1), (2, 3, 4, 5)),
    (lambda nn: nn.ReplicationPad1d(2), (2, 3, 4)), (lambda nn: nn.CircularPad2d(1), (2, 3, 4, 5)),
    (lambda nn: nn.ReflectionPad3d((1, 0, 1, 2, 0, 1)), (1, 2, 3, 4, 5)),
])
def test_padding_modules(make, shape):
    compare_module(make, [shape])


@pytest.mark.parametrize("kw", [
    dict(scale_factor=2), dict(size=(5, 7)), dict(scale_factor=(1.5, 2.3)), dict(size=(7, 9), mode="bilinear"),
    dict(scale_factor=2, mode="bilinear", align_corners=True), dict(size=(3, 4), mode="bilinear"),
    dict(scale_factor=0.5, mode="bilinear"), dict(size=(5, 6), mode="nearest-exact"), dict(size=(3, 2), mode="area"),
])
def test_interpolate_2d(kw):
    check(lambda t, x: F(t).interpolate(x, **kw), [(2, 3, 4, 6)])


@pytest.mark.parametrize("mode,antialias", [("bicubic", False), ("bicubic", True), ("bilinear", True),
                                            ("lanczos", True)])
@pytest.mark.parametrize("kw", [dict(size=(5, 13)), dict(size=(17, 4)), dict(scale_factor=(2.5, 0.4)),
                                dict(scale_factor=0.3, recompute_scale_factor=True), dict(size=(1, 1))])
@pytest.mark.parametrize("align_corners", [False, True])
def test_interpolate_bicubic_and_antialias(mode, antialias, kw, align_corners):
    """Cubic taps clamped at the borders; antialiasing stretches the filter when shrinking (PyTorch's weights)."""
    if mode == "lanczos" and align_corners:
        pytest.skip("lanczos refuses align_corners=True (tested below)")
    out = check(lambda t, x: F(t).interpolate(x, mode=mode, antialias=antialias, align_corners=align_corners,
                                              **kw), [(2, 3, 9, 11)])
    names = {("bicubic", False): "UpsampleBicubic2DBackward0", ("bicubic", True): "UpsampleBicubic2DAaBackward0",
             ("bilinear", True): "UpsampleBilinear2DAaBackward0", ("lanczos", True): "UpsampleLanczos2DAaBackward0"}
    assert out.grad_fn.name() == names[mode, antialias]


def test_interpolate_antialias_and_lanczos_errors():
    for lib in (ember, torch):
        with pytest.raises(ValueError, match="Anti-alias option is restricted"):
            F(lib).interpolate(lib.ones(1, 2, 5), size=3, mode="linear", antialias=True)
        with pytest.raises(ValueError, match="Lanczos mode requires antialias=True"):
            F(lib).interpolate(lib.ones(1, 2, 5, 5), size=3, mode="lanczos")
        with pytest.raises(ValueError, match="does not support align_corners=True"):
            F(lib).interpolate(lib.ones(1, 2, 5, 5), size=3, mode="lanczos", antialias=True, align_corners=True)


def test_interpolate_1d_3d():
    check(lambda t, x: F(t).interpolate(x, scale_factor=3, mode="linear"), [(2, 3, 5)])
    check(lambda t, x: F(t).interpolate(x, size=(3, 4, 5), mode="trilinear", align_corners=True), [(1, 2, 2, 3, 4)])


@pytest.mark.parametrize("make,shape", [
    (lambda nn: nn.Upsample(scale_factor=2), (2, 3, 4, 5)),
    (lambda nn: nn.Upsample(size=(7, 8), mode="bilinear"), (2, 3, 4, 5)),
    (lambda nn: nn.UpsamplingNearest2d(scale_factor=2), (2, 3, 4, 5)),
    (lambda nn: nn.UpsamplingBilinear2d(size=(4, 4)), (2, 3, 3, 5)),
    (lambda nn: nn.PixelShuffle(2), (2, 8, 3, 4)), (lambda nn: nn.PixelUnshuffle(2), (2, 2, 4, 6)),
    (lambda nn: nn.Unfold(2, padding=1), (2, 3, 4, 5)),
    (lambda nn: nn.Unfold((2, 3), dilation=(1, 2), stride=2), (2, 3, 7, 8)),
    (lambda nn: nn.Fold((4, 5), 2), (2, 12, 12)),
    (lambda nn: nn.Fold((6, 7), (2, 3), padding=1, stride=2), (2, 6, 16)),
])
def test_resample_modules(make, shape):
    compare_module(make, [shape])


@pytest.mark.parametrize("make", [
    lambda nn: nn.Conv2d(3, 6, 5), lambda nn: nn.ConvTranspose2d(4, 3, 3), lambda nn: nn.Conv1d(2, 4, 3, bias=False),
    lambda nn: nn.LSTM(5, 4, 2, bidirectional=True), lambda nn: nn.GRU(3, 4), lambda nn: nn.RNNCell(3, 4),
    lambda nn: nn.Embedding(10, 3, padding_idx=1), lambda nn: nn.MultiheadAttention(8, 2),
    lambda nn: nn.TransformerEncoderLayer(8, 2, 16), lambda nn: nn.BatchNorm2d(3),
])
def test_default_init_bit_identical_after_manual_seed(make):
    torch.manual_seed(123)
    t = make(torch.nn)
    ember.manual_seed(123)
    e = make(ember.nn)
    for (name, tp), (_, ep) in zip(t.state_dict().items(), e.state_dict().items()):
        np.testing.assert_array_equal(ep.numpy(), tp.numpy(), err_msg=name)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cosine_similarity_broadcasts_before_the_norms(dim):
    check(lambda t, a, b: F(t).cosine_similarity(a, b, dim=dim), [(5, 3), (1, 3)])
