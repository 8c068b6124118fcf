"""Distance, RMSNorm, ChannelShuffle, multi-class margin losses, gumbel_softmax, AdaptiveMaxPool3d:
functional forms and modules against PyTorch."""
import numpy as np
import pytest
import torch

import ember
from layer_oracle import compare_module
from oracle import check


def F(lib):
    return lib.nn.functional


def _raises_like(fn):
    """``fn(lib)`` raises the same exception type and message in both libraries."""
    with pytest.raises(Exception) as t_err:
        fn(torch)
    with pytest.raises(type(t_err.value)) as e_err:
        fn(ember)
    assert str(e_err.value) == str(t_err.value)


# ---------------------------------------------------------------- distance
def test_distance_modules():
    compare_module(lambda nn: nn.CosineSimilarity(), [(4, 5), (4, 5)])
    compare_module(lambda nn: nn.CosineSimilarity(dim=0, eps=1e-3), [(5, 3), (5, 1)])
    compare_module(lambda nn: nn.PairwiseDistance(), [(4, 5), (4, 5)])
    compare_module(lambda nn: nn.PairwiseDistance(p=1.0, keepdim=True), [(5,), (5,)])


# ---------------------------------------------------------------- RMSNorm
def test_rms_norm_functional():
    check(lambda t, x: F(t).rms_norm(x, (3, 4)), [(2, 3, 4)])
    check(lambda t, x, w: F(t).rms_norm(x, [4], w, eps=1e-3), [(2, 3, 4), (4,)])
    check(lambda t, x: F(t).rms_norm(x, [4]), [(4,)], dtype=np.float64)


def test_rms_norm_module():
    compare_module(lambda nn: nn.RMSNorm([3, 4]), [(2, 3, 4)])
    compare_module(lambda nn: nn.RMSNorm(4, eps=1e-2, elementwise_affine=False), [(2, 3, 4)])
    assert list(ember.nn.RMSNorm(3).state_dict()) == ["weight"]


def test_rms_norm_errors():
    _raises_like(lambda t: F(t).rms_norm(t.randn(2, 3), (4,)))
    _raises_like(lambda t: F(t).rms_norm(t.randn(2, 3, 3), (3, 3), t.ones(3)))


# ---------------------------------------------------------------- ChannelShuffle
def test_channel_shuffle():
    check(lambda t, x: F(t).channel_shuffle(x, 3), [(2, 6, 2, 3)])
    check(lambda t, x: F(t).channel_shuffle(x, 2), [(2, 4, 3)])
    compare_module(lambda nn: nn.ChannelShuffle(2), [(2, 4, 3, 3)])
    _raises_like(lambda t: F(t).channel_shuffle(t.randn(2, 6, 3), 4))
    _raises_like(lambda t: F(t).channel_shuffle(t.randn(2, 6), 2))
    _raises_like(lambda t: F(t).channel_shuffle(t.randn(2, 6, 2), 0))


# ---------------------------------------------------------------- margin losses
_TGT = np.array([0, 3, 2, 1])
_W = np.array([0.5, 1, 2, 0.3, 1.5], dtype=np.float32)


@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_multi_margin_loss(p, reduction):
    check(lambda t, x: F(t).multi_margin_loss(x, t.tensor(_TGT), p=p, margin=0.7, weight=t.tensor(_W),
                                              reduction=reduction), [(4, 5)])
    check(lambda t, x: F(t).multi_margin_loss(x, t.tensor(_TGT), p=p, reduction=reduction), [(4, 5)])
    check(lambda t, x: F(t).multi_margin_loss(x, t.tensor(2), p=p, reduction=reduction), [(5,)])


def test_multi_margin_loss_module_and_errors():
    compare_module(lambda nn: nn.MultiMarginLoss(p=2, margin=0.5), [(4, 3), np.array([0, 2, 1, 1])])
    _raises_like(lambda t: F(t).multi_margin_loss(t.randn(3, 4), t.tensor([0, 1, 5])))
    _raises_like(lambda t: F(t).multi_margin_loss(t.randn(3, 4), t.tensor([0, 1])))
    _raises_like(lambda t: F(t).multi_margin_loss(t.randn(3, 4), t.tensor([0, 1, 2]), p=3))
    _raises_like(lambda t: F(t).multi_margin_loss(t.randn(3, 4), t.tensor([0, 1, 2]), weight=t.ones(3)))
    _raises_like(lambda t: F(t).multi_margin_loss(t.randn(3, 4), t.tensor([0, 1, 2.])))
    _raises_like(lambda t: t.nn.MultiMarginLoss(weight=t.ones(2, 2)))
    assert repr(ember.nn.MultiMarginLoss()) == "MultiMarginLoss()"


_MLT = np.array([[0, 3, -1, 1, 2], [4, -1, 0, 0, 0], [1, 1, 2, -1, 4], [-1, 2, 3, 4, 0]])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_multilabel_margin_loss(reduction):
    check(lambda t, x: F(t).multilabel_margin_loss(x, t.tensor(_MLT), reduction=reduction), [(4, 5)],
          low=-0.5, high=0.5)
    check(lambda t, x: F(t).multilabel_margin_loss(x, t.tensor(_MLT[0]), reduction=reduction), [(5,)])


def test_multilabel_margin_loss_module_and_errors():
    compare_module(lambda nn: nn.MultiLabelMarginLoss(reduction="sum"), [(4, 5), _MLT])
    _raises_like(lambda t: F(t).multilabel_margin_loss(t.randn(3, 4), t.tensor([[0, 1, -1, 2]] * 2)))
    _raises_like(lambda t: F(t).multilabel_margin_loss(t.randn(3, 4), t.tensor([[0, 1, 7, 2]] * 3)))


# ---------------------------------------------------------------- gumbel_softmax
def test_gumbel_softmax_soft_sums_to_one():
    x = ember.randn(6, 5, requires_grad=True)
    y = F(ember).gumbel_softmax(x, tau=0.5, dim=0)
    np.testing.assert_allclose(y.sum(0).detach().numpy(), np.ones(5), rtol=1e-5)
    assert (y.detach().numpy() > 0).all()


def test_gumbel_softmax_hard_is_one_hot_with_soft_gradient():
    x = ember.randn(4, 5, requires_grad=True)
    ember.manual_seed(3)
    y = F(ember).gumbel_softmax(x, tau=0.7, hard=True)
    a = y.detach().numpy()
    assert set(np.unique(a)) <= {0.0, 1.0} and (a.sum(1) == 1).all()
    up = ember.randn(4, 5)
    (y * up).sum().backward()
    # the same draw, soft: its gradient is the straight-through gradient
    x2 = ember.tensor(x.detach().numpy(), requires_grad=True)
    ember.manual_seed(3)
    (F(ember).gumbel_softmax(x2, tau=0.7) * up).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), x2.grad.numpy(), rtol=1e-5, atol=1e-7)
    assert y.argmax(1).tolist() == y.detach().argmax(1).tolist()


def test_gumbel_softmax_eps_warns():
    with pytest.warns(UserWarning, match="deprecated"):
        F(ember).gumbel_softmax(ember.randn(2, 3), eps=1e-3)


# ---------------------------------------------------------------- AdaptiveMaxPool3d
def test_adaptive_max_pool3d():
    check(lambda t, x: F(t).adaptive_max_pool3d(x, (2, 3, 2)), [(2, 2, 5, 4, 7)])
    check(lambda t, x: F(t).adaptive_max_pool3d(x, 2, return_indices=True), [(2, 5, 4, 3)])
    compare_module(lambda nn: nn.AdaptiveMaxPool3d((2, None, 3)), [(2, 3, 5, 4, 7)])
    compare_module(lambda nn: nn.AdaptiveMaxPool3d(2, return_indices=True), [(3, 5, 4, 7)])


# ---------------------------------------------------------------- deprecated init aliases
@pytest.mark.parametrize("name,shape", [("eye", (2, 3)), ("dirac", (4, 2, 3))])
def test_deprecated_init_aliases(name, shape):
    with pytest.warns(FutureWarning, match=f"`nn.init.{name}` is now deprecated in favor of `nn.init.{name}_`"):
        out = getattr(ember.nn.init, name)(ember.empty(shape))
    np.testing.assert_array_equal(out.numpy(), getattr(torch.nn.init, name + "_")(torch.empty(shape)).numpy())
