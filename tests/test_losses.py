"""Every loss against PyTorch: values, input (and target) gradients, errors and warnings."""
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

import ember

sys.path.insert(0, str(Path(__file__).parent))
from oracle import check  # noqa: E402


def F(lib):
    return lib.nn.functional


T = np.array([0, 2, 1, 1, -100])
T4 = np.random.default_rng(0).integers(0, 3, (2, 4, 5))
SIGNS = np.array([1.0, -1, 1, -1])

CASES = {
    "mse": (lambda t, x, y: F(t).mse_loss(x, y), [(4, 3), (4, 3)]),
    "mse_none": (lambda t, x, y: F(t).mse_loss(x, y, reduction="none"), [(4, 3), (4, 3)]),
    "l1": (lambda t, x, y: F(t).l1_loss(x, y, reduction="sum"), [(4, 3), (4, 3)]),
    "smooth_l1": (lambda t, x, y: F(t).smooth_l1_loss(x, y, beta=0.5), [(4, 3), (4, 3)]),
    "huber": (lambda t, x, y: F(t).huber_loss(x, y, delta=0.7), [(4, 3), (4, 3)]),
    "ce": (lambda t, x: F(t).cross_entropy(x, t.tensor(T)), [(5, 3)]),
    "ce_weight_smoothing": (lambda t, x, w: F(t).cross_entropy(x, t.tensor(T), weight=w.detach().abs(),
                                                               label_smoothing=0.1), [(5, 3), (3,)]),
    "ce_sum": (lambda t, x: F(t).cross_entropy(x, t.tensor(T), reduction="sum", label_smoothing=0.2), [(5, 3)]),
    "ce_none": (lambda t, x: F(t).cross_entropy(x, t.tensor(T), reduction="none"), [(5, 3)]),
    "ce_4d": (lambda t, x: F(t).cross_entropy(x, t.tensor(T4)), [(2, 3, 4, 5)]),
    "ce_1d": (lambda t, x: F(t).cross_entropy(x, t.tensor(np.array(1))), [(3,)]),
    "ce_probs": (lambda t, x, y: F(t).cross_entropy(x, y.softmax(1), label_smoothing=0.1), [(4, 3), (4, 3)]),
    "nll": (lambda t, x: F(t).nll_loss(x.log_softmax(1), t.tensor(T)), [(5, 3)]),
    "nll_weight": (lambda t, x, w: F(t).nll_loss(x, t.tensor(T), weight=w.detach().abs()), [(5, 3), (3,)]),
    "nll_4d_none": (lambda t, x: F(t).nll_loss(x, t.tensor(T4), reduction="none"), [(2, 3, 4, 5)]),
    "bce": (lambda t, x, y: F(t).binary_cross_entropy(x.sigmoid(), y.sigmoid()), [(4, 3), (4, 3)]),
    "bce_weight": (lambda t, x, y, w: F(t).binary_cross_entropy(x.sigmoid(), y.sigmoid(), weight=w.detach()),
                   [(4, 3), (4, 3), (4, 3)]),
    "bce_logits": (lambda t, x, y: F(t).binary_cross_entropy_with_logits(x * 5, y.sigmoid()), [(4, 3), (4, 3)]),
    "bce_logits_pw": (lambda t, x, y, pw: F(t).binary_cross_entropy_with_logits(
        x * 5, y.sigmoid(), pos_weight=pw.detach().abs()), [(4, 3), (4, 3), (3,)]),
    "kl_batchmean": (lambda t, x, y: F(t).kl_div(x.log_softmax(1), y.softmax(1), reduction="batchmean"),
                     [(4, 3), (4, 3)]),
    "kl_log_target": (lambda t, x, y: F(t).kl_div(x, y, reduction="sum", log_target=True), [(4, 3), (4, 3)]),
    "margin_ranking": (lambda t, x, y: F(t).margin_ranking_loss(x, y, t.tensor(SIGNS), margin=0.3), [(4,), (4,)]),
    "hinge": (lambda t, x: F(t).hinge_embedding_loss(x, t.tensor(SIGNS)), [(4,)]),
    "soft_margin": (lambda t, x, y: F(t).soft_margin_loss(x, y.detach().sign()), [(4, 3), (4, 3)]),
    "multilabel_soft_margin": (lambda t, x, y: F(t).multilabel_soft_margin_loss(x, (y > 0).float()),
                               [(4, 3), (4, 3)]),
    "cosine_embedding": (lambda t, x, y: F(t).cosine_embedding_loss(x, y, t.tensor(SIGNS), margin=0.1),
                         [(4, 3), (4, 3)]),
    "triplet": (lambda t, a, p, n: F(t).triplet_margin_loss(a, p, n, swap=True), [(4, 3), (4, 3), (4, 3)]),
    "poisson": (lambda t, x, y: F(t).poisson_nll_loss(x, y.detach().abs() * 3, full=True), [(4, 3), (4, 3)]),
    "gaussian": (lambda t, x, y, v: F(t).gaussian_nll_loss(x, y, v.abs()), [(4, 3), (4, 3), (4, 3)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_loss_matches_pytorch(name):
    fn, specs = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(fn, specs, dtype=np.float64)


@pytest.mark.parametrize("name", ["MSELoss", "L1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss",
                                  "SmoothL1Loss", "HuberLoss", "KLDivLoss", "SoftMarginLoss"])
def test_loss_modules_repr_and_state(name):
    e, t = getattr(ember.nn, name)(), getattr(torch.nn, name)()
    assert repr(e) == repr(t) and list(e.state_dict()) == list(t.state_dict())


def test_cross_entropy_grad_fn_and_stability():
    x = ember.tensor([[1000.0, -1000.0, 0.0]], requires_grad=True)
    loss = ember.nn.CrossEntropyLoss()(x, ember.tensor([1]))
    assert loss.grad_fn.name() == "NllLossBackward0" and abs(loss.item() - 2000.0) < 1e-3
    loss.backward()
    assert np.isfinite(x.grad.numpy()).all()


def test_wrong_target_dtype_error():
    x = ember.ones(4, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got Float") as ei:
        ember.nn.functional.cross_entropy(x, ember.tensor([0.0, 1, 2, 1]))
    assert "target.long()" in str(ei.value)
    with pytest.raises(ValueError, match=r"Expected input batch_size \(4\) to match target batch_size \(2\)"):
        ember.nn.functional.nll_loss(x, ember.tensor([0, 1]))
    with pytest.raises(IndexError, match="Target 5 is out of bounds."):
        ember.nn.functional.nll_loss(x, ember.tensor([0, 5, 1, 1]))


def test_warnings_match_pytorch():
    with pytest.warns(UserWarning, match=r"Using a target size \(torch.Size\(\[3\]\)\) that is different"):
        ember.nn.functional.mse_loss(ember.ones(4, 3), ember.ones(3))
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated, please use "
                                         "reduction='sum' instead."):
        loss = ember.nn.MSELoss(size_average=False)
    assert loss.reduction == "sum"
