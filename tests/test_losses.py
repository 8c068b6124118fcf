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


_CTC_RNG = np.random.default_rng(3)
CTC_T, CTC_N, CTC_C = 12, 5, 6
CTC_X = _CTC_RNG.standard_normal((CTC_T, CTC_N, CTC_C))
CTC_TARGETS = _CTC_RNG.integers(1, CTC_C, (CTC_N, 5))
CTC_TARGETS[0, :3] = [2, 2, 3]                    # a repeated label needs a blank between
CTC_TARGETS[4, :5] = [1, 1, 1, 1, 1]              # five repeats need 9 frames: infeasible in 6 -> inf
CTC_IL, CTC_TL = [12, 10, 12, 7, 6], [5, 3, 0, 4, 5]


def _ctc_run(lib, reduction, zero_infinity, blank=0, concatenated=False, module=False, dtype=np.float64,
             through_log_softmax=True):
    x = lib.tensor(CTC_X.astype(dtype), requires_grad=True)
    lp = x.log_softmax(2) if through_log_softmax else x
    targets = CTC_TARGETS if blank == 0 else np.where(CTC_TARGETS == blank, 0, CTC_TARGETS)
    if concatenated:
        targets = lib.tensor(np.concatenate([targets[b, :n] for b, n in enumerate(CTC_TL)]))
        lengths = (tuple(CTC_IL), tuple(CTC_TL))
    else:
        targets, lengths = lib.tensor(targets), (lib.tensor(CTC_IL), lib.tensor(CTC_TL))
    if module:
        loss = lib.nn.CTCLoss(blank=blank, reduction=reduction, zero_infinity=zero_infinity)(lp, targets, *lengths)
    else:
        loss = lib.nn.functional.ctc_loss(lp, targets, *lengths, blank=blank, reduction=reduction,
                                          zero_infinity=zero_infinity)
    (loss * lib.arange(1.0, loss.numel() + 1, dtype=loss.dtype).view(loss.shape)).sum().backward()
    return loss.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_ctc_loss_forward_backward_match_pytorch(reduction, zero_infinity):
    (el, eg), (tl, tg) = _ctc_run(ember, reduction, zero_infinity), _ctc_run(torch, reduction, zero_infinity)
    np.testing.assert_allclose(el, tl, rtol=1e-10, atol=1e-12)   # inf where infeasible, unless zero_infinity
    np.testing.assert_allclose(eg, tg, rtol=1e-9, atol=1e-12)    # nan where PyTorch gives nan
    if reduction == "none":
        assert np.isinf(el[4]) != zero_infinity


@pytest.mark.parametrize("kw", [dict(blank=3), dict(concatenated=True), dict(module=True, blank=5),
                                dict(dtype=np.float32), dict(through_log_softmax=False, zero_infinity=True)])
def test_ctc_loss_variants_match_pytorch(kw):
    kw = {"reduction": "mean", "zero_infinity": True, **kw}
    (el, eg), (tl, tg) = _ctc_run(ember, **kw), _ctc_run(torch, **kw)
    assert el.dtype == tl.dtype
    tol = 1e-5 if kw.get("dtype") == np.float32 else 1e-9
    np.testing.assert_allclose(el, tl, rtol=tol, atol=tol)
    np.testing.assert_allclose(eg, tg, rtol=tol, atol=tol)


def test_ctc_loss_unbatched_grad_fn_and_repr():
    outs = []
    for lib in (ember, torch):
        lp = lib.tensor(CTC_X[:, 0], requires_grad=True)
        loss = lib.nn.functional.ctc_loss(lp.log_softmax(1), lib.tensor(CTC_TARGETS[0]), lib.tensor(12),
                                          lib.tensor(5), reduction="none")
        loss.backward()
        outs.append((loss.shape, loss.item(), lp.grad.numpy(), repr(lib.nn.CTCLoss(blank=1))))
    (es, el, eg, er), (ts, tl, tg, tr) = outs
    assert es == ts and er == tr and abs(el - tl) < 1e-10
    np.testing.assert_allclose(eg, tg, rtol=1e-9, atol=1e-12)
    x = ember.tensor(CTC_X, requires_grad=True)
    loss = ember.nn.functional.ctc_loss(x, ember.tensor(CTC_TARGETS), CTC_IL, CTC_TL, reduction="none")
    assert loss.grad_fn.name() == "CtcLossBackward0"
    with pytest.raises(RuntimeError, match="blank must be in label range"):
        ember.nn.functional.ctc_loss(x, ember.tensor(CTC_TARGETS), CTC_IL, CTC_TL, blank=6)
