"""Loss functions (``F.cross_entropy``, ``F.mse_loss``, ...).

Cross-entropy with class indices is one fused op (log-softmax + NLL, one
backward: ``(A * softmax(x) - a) * grad``), numerically stable; for float16 /
bfloat16 it is composed as PyTorch composes it, so that each step rounds alike. Losses that
PyTorch implements as one kernel are one ``Op`` here with PyTorch's node name
(``MseLossBackward0``, ``NllLossBackward0`` ...); the rest are composed from
other differentiable ops, as PyTorch composes them.
"""
import math
import warnings

import numpy as np

from .. import _autocast
from .. import _dtype as D
from ._util import Op, Tensor, xp_of
from .activation import LogSoftmax, Softmax, _is_half, _softmax_array, logsigmoid, pairwise_distance
from .reduction import _torch_mean, _torch_sum

__all__ = ["binary_cross_entropy_with_logits", "cosine_embedding_loss", "hinge_embedding_loss", "kl_div",
           "margin_ranking_loss", "poisson_nll_loss", "triplet_margin_loss"]

__functional__ = ["l1_loss", "mse_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
                  "binary_cross_entropy_with_logits", "kl_div", "smooth_l1_loss", "huber_loss", "margin_ranking_loss",
                  "cosine_embedding_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss",
                  "soft_margin_loss", "multilabel_soft_margin_loss", "hinge_embedding_loss", "poisson_nll_loss",
                  "gaussian_nll_loss"]


# ----------------------------------------------------------------------------- reduction helpers
def legacy_get_string(size_average, reduce, emit_warning=True):
    """The ``reduction`` string that the deprecated ``size_average``/``reduce`` flags mean (with PyTorch's warning)."""
    warning = "size_average and reduce args will be deprecated, please use reduction='{}' instead."
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    if emit_warning:
        warnings.warn(warning.format(ret), stacklevel=3)
    return ret


def _resolve(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        return legacy_get_string(size_average, reduce)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _reduce_array(xp, loss, reduction):
    """The 'mean'/'sum' reduction of a loss array, added in PyTorch's order (as its kernels call mean/sum)."""
    if reduction == "mean":
        return _torch_mean(loss, tuple(range(loss.ndim))) if loss.size else xp.asarray(np.nan, dtype=loss.dtype)
    if reduction == "sum":
        return _torch_sum(loss, tuple(range(loss.ndim)))
    return loss


def _grad_scale(g, reduction, n):
    """The upstream grad as seen by each element: g / n for 'mean', g for 'sum' and 'none'."""
    return g / n if reduction == "mean" else g


def _size_warning(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
                      "same size.", stacklevel=3)


def _const(a):
    return Tensor._wrap(a)


# ----------------------------------------------------------------------------- regression losses
class MseLoss(Op):
    @staticmethod
    def forward(ctx, x, y, reduction):
        from ._util import promote_arrays
        x, y, _ = promote_arrays(x, y)
        d = x - y
        ctx.reduction = reduction
        ctx.n = d.size
        ctx.save_for_backward(x, y)
        return _reduce_array(xp_of(d), d * d, reduction)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        gd = (x - y) * _grad_scale(g * 2, ctx.reduction, ctx.n)
        return gd, -gd


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    r"""Mean squared error: mean((input - target)^2). input (*), target (*) same shape."""
    if _autocast.on:
        input, target = _autocast.fp32("mse_loss", input, target)
    _size_warning(input, target)
    reduction = _resolve(size_average, reduce, reduction)
    if weight is not None:
        return _reduce((input - target).square() * weight, reduction)
    return MseLoss.apply(input, target, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    r"""Mean absolute error: mean(|input - target|)."""
    if _autocast.on:
        input, target = _autocast.fp32("l1_loss", input, target)
    _size_warning(input, target)
    reduction = _resolve(size_average, reduce, reduction)
    loss = (input - target).abs()
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


class SmoothL1Loss(Op):
    @staticmethod
    def forward(ctx, x, y, reduction, beta):
        xp = xp_of(x)
        d = x - y
        ad = xp.abs(d)
        t = d.dtype.type
        loss = ad - t(0.5 * beta) if beta == 0 else xp.where(ad < beta, t(0.5) * d * d / t(beta), ad - t(0.5 * beta))
        ctx.p = (reduction, d.size, beta)
        ctx.save_for_backward(x, y)
        return _reduce_array(xp, loss, reduction)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        reduction, n, beta = ctx.p
        d = x - y
        inner = d.sign() if beta == 0 else (d / beta).where(d.abs() < beta, d.sign())
        gd = inner * _grad_scale(g, reduction, n)
        return gd, -gd


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    r"""0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (d = input - target)."""
    if _autocast.on:
        input, target = _autocast.fp32("smooth_l1_loss", input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _size_warning(input, target)
    reduction = _resolve(size_average, reduce, reduction)
    return SmoothL1Loss.apply(input, target, reduction, beta)


class HuberLoss(Op):
    @staticmethod
    def forward(ctx, x, y, reduction, delta):
        xp = xp_of(x)
        d = x - y
        ad = xp.abs(d)
        t = d.dtype.type
        loss = xp.where(ad <= delta, t(0.5) * d * d, t(delta) * (ad - t(0.5 * delta)))
        ctx.p = (reduction, d.size, delta)
        ctx.save_for_backward(x, y)
        return _reduce_array(xp, loss, reduction)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        reduction, n, delta = ctx.p
        d = x - y
        gd = d.where(d.abs() <= delta, d.sign() * delta) * _grad_scale(g, reduction, n)
        return gd, -gd


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    r"""0.5 d^2 where |d| <= delta, else delta (|d| - 0.5 delta)."""
    if _autocast.on:
        input, target = _autocast.fp32("huber_loss", input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _size_warning(input, target)
    if weight is not None:
        d = input - target
        ad = d.abs()
        loss = (d * d * 0.5).where(ad <= delta, (ad - 0.5 * delta) * delta) * weight
        return _reduce(loss, _resolve(None, None, reduction))
    return HuberLoss.apply(input, target, _resolve(None, None, reduction), delta)


# ----------------------------------------------------------------------------- classification losses
def _check_target(input, target, fn):
    if target.dtype not in (D.int64, D.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {target.dtype.legacy[:-6]} "
                           f"({fn} takes class indices as a torch.long tensor: pass target.long(); for class "
                           "probabilities with cross_entropy, the target must have the input's shape and dtype)")
    if input.ndim == 0:
        raise ValueError("Expected 1 or more dimensions (got 0)")
    if input.ndim == 1:
        if target.ndim != 0:
            raise RuntimeError(f"0D or 1D target tensor expected, multi-target not supported (input "
                               f"{list(input.shape)} takes a 0-d target)")
        return
    if target.ndim == 0 or input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                         f"({target.shape[0] if target.ndim else 0}).")
    if input.ndim == 2 and target.ndim != 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if tuple(target.shape[1:]) != tuple(input.shape[2:]):
        raise RuntimeError(f"Expected target size {[input.shape[0]] + list(input.shape[2:])}, got "
                           f"{list(target.shape)}")


def _flatten_classes(x):
    """(N, C, d1, ...) or (C,) -> (M, C) with the class dim last."""
    if x.ndim == 1:
        return x.reshape(1, -1)
    if x.ndim == 2:
        return x
    return xp_of(x).moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _unflatten_classes(a, shape):
    """Inverse of ``_flatten_classes``: (M, C) back to ``shape``."""
    if len(shape) == 1:
        return a.reshape(shape)
    if len(shape) == 2:
        return a
    moved = a.reshape((shape[0],) + tuple(shape[2:]) + (shape[1],))
    return xp_of(a).moveaxis(moved, -1, 1)


def _class_coeffs(xp, t, c, weight, ignore_index, eps, dtype):
    """Per-sample target coefficients: dense ``a`` (M, C) with loss_i = -sum_c a_ic log p_ic, and the mean's
    denominator (sum of target weights over non-ignored samples)."""
    m = t.shape[0]
    valid = t != ignore_index
    safe = xp.where(valid, t, 0)
    bad = (safe < 0) | (safe >= c)
    if bool(bad.any()):
        raise IndexError(f"Target {int(safe[bad][0])} is out of bounds.")
    w = weight if weight is not None else None
    wt = (w[safe] if w is not None else xp.ones(m, dtype=dtype)) * valid
    a = xp.zeros((m, c), dtype=dtype)
    a[xp.arange(m), safe] = wt * dtype.type(1 - eps)
    if eps > 0:
        a += ((w if w is not None else xp.ones(c, dtype=dtype))[None, :] * dtype.type(eps / c)) * valid[:, None]
    return a, wt.sum()


def _rounded_sums(v, seg, nseg, dtype):
    """Sum of ``v`` per segment (``seg`` ascending), added in order and rounded to ``dtype`` after each add."""
    acc = np.zeros(nseg, np.float32)
    if not v.size:
        return acc
    pos = np.arange(v.size) - np.searchsorted(seg, seg)      # place within its segment
    order = np.argsort(pos, kind="stable")
    bounds = np.searchsorted(pos[order], np.arange(pos.max() + 2))
    for k in range(pos.max() + 1):      # the k-th add of every segment at once
        i = order[bounds[k]:bounds[k + 1]]
        acc[seg[i]] = (acc[seg[i]] + v[i]).astype(dtype)
    return acc


def _nll_cascade_sum(v, idx, n, dtype):
    """PyTorch's CPU nll_loss sum of ``v`` (the valid samples, at flat positions ``idx`` of ``n``): 8 levels of
    partial sums held in the (half) dtype, every add rounded; level j empties into level j + 1 after a valid
    sample whose position is a multiple of step**(j + 1); the levels are added last, in order."""
    step = 1 << max(4, (n - 1).bit_length() // 8)
    lev = sum((idx % step ** j == 0).astype(np.int64) for j in range(1, 8))   # levels emptied after each sample
    total = np.float32(0)
    for j in range(8):
        ends = lev > j if j < 7 else np.zeros(v.size, bool)
        seg = np.cumsum(ends) - ends
        sums = _rounded_sums(v, seg, int(ends.sum()) + 1, dtype)
        total = np.float32(np.float32(total + sums[-1]).astype(dtype))   # what stays at level j
        v, lev = sums[:-1], lev[ends]
    return total


def _nll_half(x2, t, weight, ignore_index, reduction):
    """nll_loss of half-type log-probabilities (M, C) as PyTorch's kernel: products and sums rounded to the
    dtype step by step. Returns the output and the mean's total weight (as rounded there)."""
    dt = x2.dtype
    valid = t != ignore_index
    idx = np.flatnonzero(valid)
    ti = t[idx]
    term = x2[idx, ti] if weight is None else x2[idx, ti] * weight[ti]     # rounded product
    if weight is None:
        with np.errstate(over="ignore"):     # float16 counts past 65504 are inf, as in PyTorch
            total_w = np.float32(dt.type(idx.size))
    else:
        total_w = _nll_cascade_sum(weight[ti].astype(np.float32), idx, t.size, dt)
    if reduction == "none":
        out = np.zeros(t.size, dt)
        out[idx] = -term
        return out, total_w
    out = _nll_cascade_sum(-term.astype(np.float32), idx, t.size, dt) if t.size else np.float32(0)
    if reduction == "mean":
        with np.errstate(divide="ignore", invalid="ignore"):
            out = out / total_w if t.size else np.float32(np.nan)
    return np.asarray(out, np.float32).astype(dt), total_w


class _NllBase(Op):
    """Shared forward/backward of the class-index losses. ``softmax=True`` makes it cross-entropy on logits."""
    softmax = False

    @classmethod
    def forward(cls, ctx, x, t, weight, ignore_index, eps, reduction):
        xp = xp_of(x)
        c = x.shape[1] if x.ndim > 1 else x.shape[0]
        x2 = _flatten_classes(x)
        logp = _softmax_array(x2, 1, True) if cls.softmax else x2
        a, denom = _class_coeffs(xp, t.reshape(-1), c, weight, ignore_index, eps, x.dtype)
        if _is_half(x) and not cls.softmax:     # half cross_entropy comes here through log_softmax
            out, denom = _nll_half(x2, t.reshape(-1), weight, ignore_index, reduction)
            ctx.p = (reduction, x.shape, t.shape, denom)
            ctx.a = a
            return out.reshape(t.shape) if reduction == "none" else out
        per = -(a * logp).sum(axis=1)
        if reduction == "mean":
            out = per.sum() / denom
        elif reduction == "sum":
            out = per.sum()
        else:
            out = per.reshape(t.shape)
        ctx.p = (reduction, x.shape, t.shape, denom)
        ctx.a = a
        if cls.softmax:
            ctx.save_for_backward(x)
        return xp.asarray(out, dtype=x.dtype)

    @classmethod
    def backward(cls, ctx, g):
        reduction, shape, tshape, denom = ctx.p
        a = _const(_unflatten_classes(ctx.a, shape))
        if reduction == "mean":
            gs = g / _const(xp_of(ctx.a).asarray(denom, dtype=ctx.a.dtype))
        elif reduction == "sum":
            gs = g
        else:
            gs = g.unsqueeze(1) if len(shape) > 1 else g
        if not cls.softmax:
            return -a * gs
        x, = ctx.saved_tensors
        p = Softmax.apply(x, 1 if len(shape) > 1 else 0)
        big_a = a.sum(1 if len(shape) > 1 else 0, keepdim=True)
        return (p * big_a - a) * gs

    @staticmethod
    def backward_data(ctx, g):
        """``backward`` on arrays, step for step (same roundings)."""
        reduction, shape, tshape, denom = ctx.p
        a = _unflatten_classes(ctx.a, shape)
        xp = xp_of(a)
        if reduction == "mean":
            gs = g / xp.asarray(denom, dtype=a.dtype)
        elif reduction == "sum":
            gs = g
        else:
            gs = xp.expand_dims(g, 1) if len(shape) > 1 else g
        if not ctx._forward_cls.softmax:
            return -a * gs
        x, = ctx.saved_data
        dim = 1 if len(shape) > 1 else 0
        p = _softmax_array(x, dim, False)
        return (p * _torch_sum(a, (dim,), True) - a) * gs


class NllLoss(_NllBase):
    pass


class NllLoss2D(_NllBase):
    pass


class CrossEntropyLoss(_NllBase):
    node_name = "NllLossBackward0"   # what PyTorch's composite cross_entropy shows as grad_fn
    softmax = True


class CrossEntropyLoss2D(_NllBase):
    node_name = "NllLoss2DBackward0"
    softmax = True


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    r"""Negative log likelihood: -input[n, target[n]] (weighted), for log-probabilities.

    input (N, C) or (N, C, d1, ...) or (C,); target (N) / (N, d1, ...) / () of class indices (long).
    """
    if _autocast.on:
        input = _autocast.fp32_one("nll_loss", input)
    reduction = _resolve(size_average, reduce, reduction)
    _check_target(input, target, "nll_loss")
    op = NllLoss2D if input.ndim >= 3 else NllLoss
    return op.apply(input, target._data, None if weight is None else weight._data, ignore_index, 0.0, reduction)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    r"""Cross-entropy between logits ``input`` and ``target`` (log-softmax + NLL in one stable op).

    input (N, C), (N, C, d1, ...) or (C,); target: class indices (N) / (N, d1, ...) / () (long), or class
    probabilities of the input's shape (float).
    """
    if _autocast.on:
        input = _autocast.fp32_one("cross_entropy", input)
    reduction = _resolve(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if target.is_floating_point() and target.shape == input.shape:
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing)
    _check_target(input, target, "cross_entropy")
    if _is_half(input._data):
        return _cross_entropy_half(input, target, weight, ignore_index, reduction, float(label_smoothing))
    op = CrossEntropyLoss2D if input.ndim >= 3 else CrossEntropyLoss
    return op.apply(input, target._data, None if weight is None else weight._data, ignore_index,
                    float(label_smoothing), reduction)


def _cross_entropy_half(input, target, weight, ignore_index, reduction, eps):
    """PyTorch's composite cross_entropy, op for op: for half types each op rounds its result (log_softmax over
    the class dim, nll_loss, the smoothing terms), forward and backward, and the fused op would not."""
    dim = 0 if input.ndim == 1 else 1
    logp = LogSoftmax.apply(input, dim)
    op = NllLoss2D if input.ndim >= 3 else NllLoss
    loss = op.apply(logp, target._data, None if weight is None else weight._data, ignore_index, 0.0, reduction)
    if eps == 0:
        return loss
    shape = [1] * input.ndim
    shape[dim] = -1
    smooth = -(logp * weight.reshape(shape)).sum(dim) if weight is not None else -logp.sum(dim)
    ignored = target == ignore_index
    smooth = smooth.masked_fill(ignored, 0.0)
    if reduction == "mean":
        kept = ~ignored
        smooth = smooth.sum() / (weight[target[kept]].sum() if weight is not None else kept.sum())
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - eps) * loss + smooth * (eps / input.shape[dim])


def _cross_entropy_probs(input, target, weight, reduction, label_smoothing):
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim]
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    logp = LogSoftmax.apply(input, class_dim)
    prod = logp * target
    if weight is not None:
        shape = [1] * input.ndim
        shape[class_dim] = n_classes
        prod = prod * weight.reshape(shape)
    if _is_half(input._data) and reduction != "none":     # PyTorch sums all at once (one rounding)
        loss = -prod.sum()
        if reduction == "mean":
            return loss / (input.numel() // n_classes) if input.numel() else loss * float("nan")
        return loss
    loss = -prod.sum(class_dim)
    if reduction == "mean":
        return loss.sum() / (input.numel() // n_classes if input.numel() else 1)
    if reduction == "sum":
        return loss.sum()
    return loss


class BinaryCrossEntropy(Op):
    @staticmethod
    def forward(ctx, x, y, w, reduction):
        xp = xp_of(x)
        if x.size and bool(((x < 0) | (x > 1)).any()):
            raise RuntimeError("all elements of input should be between 0 and 1")
        t = x.dtype.type
        with np.errstate(divide="ignore", invalid="ignore"):
            lx = xp.maximum(xp.log(x), t(-100))
            l1x = xp.maximum(xp.log1p(-x), t(-100))
        loss = -(y * lx + (t(1) - y) * l1x)
        if w is not None:
            loss = loss * w
        ctx.p = (reduction, x.size)
        ctx.save_for_backward(x, y, w)
        return _reduce_array(xp, loss, reduction)

    @staticmethod
    def backward(ctx, g):
        x, y, w = ctx.saved_tensors
        reduction, n = ctx.p
        gs = _grad_scale(g, reduction, n)
        if w is not None:
            gs = gs * w
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = (x - y) / ((1 - x) * x).clamp_min(1e-12) * gs
        if ctx.needs_input_grad[1]:
            gy = ((-x).log1p().clamp_min(-100) - x.log().clamp_min(-100)) * gs
        return gx, gy, None


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    r"""-w (y log x + (1 - y) log(1 - x)) for probabilities ``input`` in [0, 1]; logs clamped at -100."""
    if _autocast.on:
        input, target = _autocast.fp32("binary_cross_entropy", input, target)
    reduction = _resolve(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    if weight is not None:
        import ember  # noqa: WPS433
        weight = ember.broadcast_to(weight, input.shape) if hasattr(ember, "broadcast_to") else weight.expand(
            input.shape)
    return BinaryCrossEntropy.apply(input, target, weight, reduction)


class BinaryCrossEntropyWithLogits(Op):
    @staticmethod
    def forward(ctx, x, y, w, pw, reduction):
        xp = xp_of(x)
        t = x.dtype.type
        log_sig = xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))       # log(sigmoid(x)), stable
        lw = (t(1) + (pw - t(1)) * y) if pw is not None else t(1)
        loss = (t(1) - y) * x - lw * log_sig
        if w is not None:
            loss = loss * w
        ctx.p = (reduction, loss.size)
        ctx.save_for_backward(x, y, w, pw)
        return _reduce_array(xp, loss, reduction)

    @staticmethod
    def backward(ctx, g):
        x, y, w, pw = ctx.saved_tensors
        reduction, n = ctx.p
        gs = _grad_scale(g, reduction, n)
        if w is not None:
            gs = gs * w
        gx = gy = None
        if ctx.needs_input_grad[0]:
            if pw is not None:
                lw = (pw - 1) * y + 1
                gx = ((x.sigmoid() - 1) * lw + (1 - y)) * gs
            else:
                gx = (x.sigmoid() - y) * gs
        if len(ctx.needs_input_grad) > 1 and ctx.needs_input_grad[1]:
            gy = (-x - (pw - 1) * logsigmoid(x) if pw is not None else -x) * gs
        return gx, gy, None, None


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    r"""Sigmoid + binary cross-entropy in one stable op; ``pos_weight`` (C,) weighs positive examples."""
    if _autocast.on:
        input, target = _autocast.fp32("binary_cross_entropy_with_logits", input, target)
    reduction = _resolve(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    return BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    r"""KL divergence with ``input`` as log-probabilities: target * (log target - input)."""
    if _autocast.on:
        input, target = _autocast.fp32("kl_div", input, target)
    if size_average is not None or reduce is not None:
        reduction_enum = legacy_get_string(size_average, reduce)
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                          "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                          "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
        reduction_enum = "sum" if reduction == "batchmean" else reduction
        if reduction_enum not in ("mean", "sum", "none"):
            raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_target:
        loss = target.exp() * (target - input)
    elif target._requires_grad:
        loss = target.xlogy(target) - target * input
    else:
        td = target._data
        xp = xp_of(td)
        with np.errstate(divide="ignore", invalid="ignore"):
            tlogt = xp.where(td > 0, td * xp.log(xp.where(td > 0, td, 1)), xp.where(xp.isnan(td), td, 0))
        loss = _const(tlogt.astype(td.dtype, copy=False)) - target * input
    loss = _reduce(loss, reduction_enum)
    if reduction == "batchmean" and input.dim() != 0:
        loss = loss / input.size(0)
    return loss


# ----------------------------------------------------------------------------- margin / embedding losses
def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    r"""max(0, -target * (input1 - input2) + margin)."""
    reduction = _resolve(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    r"""x where target == 1, max(0, margin - x) where target == -1."""
    reduction = _resolve(size_average, reduce, reduction)
    margin_clamp = (margin - input).clamp_min(0)
    zero = input.new_zeros(())
    output_margin = margin_clamp.where(target != 1, zero)
    output_self = input.where(target != -1, zero)
    return _reduce(output_margin + output_self, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    r"""log(1 + exp(-target * input))."""
    reduction = _resolve(size_average, reduce, reduction)
    return _reduce((-input * target).exp().log1p(), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    r"""-mean_c(y log sigmoid(x) + (1 - y) log sigmoid(-x)) per sample. input, target (N, C)."""
    reduction = _resolve(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(dim=class_dim) / input.size(class_dim)
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    r"""1 - cos(x1, x2) where target == 1, max(0, cos(x1, x2) - margin) where target == -1."""
    reduction = _resolve(size_average, reduce, reduction)
    targ_dim = target.dim()
    if targ_dim not in (0, 1):
        raise RuntimeError(f"0D or 1D target tensor expected, multi-target not supported (got {targ_dim}D)")
    d = 1 if input1.dim() == 2 else 0
    eps = 1e-12
    prod_sum = (input1 * input2).sum(d)
    mag_square1 = (input1 * input1).sum(d) + eps
    mag_square2 = (input2 * input2).sum(d) + eps
    cos = prod_sum / (mag_square1 * mag_square2).sqrt()
    zero = cos.new_zeros(())
    pos = (1 - cos).where(target == 1, zero)
    neg = (cos - margin).clamp_min(0).where(target == -1, zero)
    return _reduce(pos + neg, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    r"""max(d(a, p) - d(a, n) + margin, 0) with d the p-norm pairwise distance."""
    reduction = _resolve(size_average, reduce, reduction)
    a_dim, p_dim, n_dim = anchor.ndim, positive.ndim, negative.ndim
    if not (a_dim == p_dim == n_dim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D inputs")
    d_ap = pairwise_distance(anchor, positive, p, eps)
    d_an = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_pn = pairwise_distance(positive, negative, p, eps)
        d_an = d_an.where(d_an < d_pn, d_pn)
    return _reduce((d_ap - d_an + margin).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction="mean"):
    r"""Triplet loss with a custom ``distance_function`` (default: pairwise_distance)."""
    dist = distance_function if distance_function is not None else pairwise_distance
    d_ap = dist(anchor, positive)
    d_an = dist(anchor, negative)
    if swap:
        d_pn = dist(positive, negative)
        d_an = d_an.where(d_an < d_pn, d_pn)
    return _reduce((d_ap - d_an + margin).clamp_min(0), _resolve(None, None, reduction))


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    r"""exp(input) - target * input (``log_input``), or input - target * log(input + eps)."""
    reduction = _resolve(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + (target * (2 * math.pi)).log() * 0.5
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    r"""0.5 (log(max(var, eps)) + (input - target)^2 / max(var, eps)) (+ 0.5 log(2 pi) if ``full``)."""
    if isinstance(var, (int, float)):
        var = input.new_full((), float(var)) if hasattr(input, "new_full") else input.new_tensor(float(var))
        var = var.expand(input.shape)
    if var.size() != input.size():
        if input.size()[:-1] == var.size():
            var = var.unsqueeze(-1)
        elif input.size()[:-1] == var.size()[:-1] and var.size(-1) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    if bool((var._data < 0).any()):
        raise ValueError("var has negative entry/entries")
    var = var.clone()
    # clamp without tracking: the clamp itself must not change the gradient (PyTorch does it under no_grad)
    var._data[...] = xp_of(var._data).maximum(var._data, eps)
    var._version[0] += 1
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# ----------------------------------------------------------------------------- CTC
def _lse(*arrays):
    """Elementwise log(sum(exp(.))) of same-shape arrays, -inf safe."""
    m = arrays[0]
    for a in arrays[1:]:
        m = np.maximum(m, a)
    safe = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = sum(np.exp(a - safe) for a in arrays)
        return np.where(np.isfinite(m), np.log(s) + safe, m)


class CtcLoss(Op):
    """Per-sample CTC negative log-likelihood; log-space alpha/beta recursions vectorised over the batch."""

    @staticmethod
    def forward(ctx, log_probs, labels, input_lengths, target_lengths, blank, zero_infinity):
        xp = xp_of(log_probs)
        lp = np.asarray(log_probs.get() if xp is not np else log_probs, dtype=np.float64)   # (T, N, C)
        T, N, C = lp.shape
        S = 2 * labels.shape[1] + 1
        ext = np.full((N, S), blank, dtype=np.int64)     # l': blank, l1, blank, l2, ..., blank
        ext[:, 1::2] = labels
        s_idx = np.arange(S)
        valid_s = s_idx[None, :] < (2 * target_lengths[:, None] + 1)
        # the s-2 transition: allowed into a label that differs from the label two positions back
        skip = np.zeros((N, S), dtype=bool)
        skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
        bi = np.arange(N)[:, None]
        lpe = lp[:, bi, ext]                              # (T, N, S): log-prob of each extended label
        neg = -np.inf
        alpha = np.full((T, N, S), neg)
        alpha[0, :, 0] = lpe[0, :, 0]
        alpha[0, :, 1] = np.where(target_lengths > 0, lpe[0, :, 1], neg)
        alpha[0] = np.where(valid_s, alpha[0], neg)
        for t in range(1, T):
            prev = alpha[t - 1]
            a1 = np.concatenate([np.full((N, 1), neg), prev[:, :-1]], 1)
            a2 = np.where(skip, np.concatenate([np.full((N, 2), neg), prev[:, :-2]], 1), neg)
            alpha[t] = np.where(valid_s, _lse(prev, a1, a2) + lpe[t], neg)
        last = input_lengths - 1
        end = 2 * target_lengths
        a_last = alpha[last, np.arange(N)]                # (N, S)
        ll = _lse(a_last[np.arange(N), end], np.where(end > 0, a_last[np.arange(N), np.maximum(end - 1, 0)], neg))
        nll = -ll
        beta = np.full((T, N, S), neg)
        skip_up = np.zeros((N, S), dtype=bool)            # the s+2 transition, seen from s
        skip_up[:, :-2] = skip[:, 2:]
        init = np.full((N, S), neg)
        init[np.arange(N), end] = lpe[last, np.arange(N), end]
        has_label = end > 0
        init[np.arange(N)[has_label], end[has_label] - 1] = lpe[last[has_label], np.arange(N)[has_label],
                                                                 end[has_label] - 1]
        nxt = np.full((N, S), neg)
        for t in range(T - 1, -1, -1):
            b1 = np.concatenate([nxt[:, 1:], np.full((N, 1), neg)], 1)
            b2 = np.where(skip_up, np.concatenate([nxt[:, 2:], np.full((N, 2), neg)], 1), neg)
            rec = np.where(valid_s, _lse(nxt, b1, b2) + lpe[t], neg)
            cur = np.where((t == last)[:, None], init, np.where((t < last)[:, None], rec, neg))
            beta[t] = cur
            nxt = cur
        ctx.save = (alpha, beta, ext, nll, input_lengths)
        ctx.save_for_backward(log_probs)
        ctx.zero_infinity = zero_infinity
        ctx.shape = (T, N, C)
        if zero_infinity:
            nll = np.where(np.isinf(nll), 0.0, nll)
        return xp.asarray(nll.astype(log_probs.dtype))

    @staticmethod
    def backward(ctx, g):
        alpha, beta, ext, nll, input_lengths = ctx.save
        lp_t, = ctx.saved_tensors
        xp = xp_of(lp_t._data)
        lp = np.asarray(lp_t._data.get() if xp is not np else lp_t._data, dtype=np.float64)
        T, N, C = ctx.shape
        bi = np.arange(N)[:, None]
        lpe = lp[:, bi, ext]
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.exp(alpha + beta + nll[None, :, None] - lpe)      # (T, N, S)
            e = np.where(np.isfinite(alpha + beta), e, 0.0)
            onehot = np.zeros((N, ext.shape[1], C))
            onehot[bi, np.arange(ext.shape[1])[None, :], ext] = 1.0
            q = np.einsum("tns,nsc->tnc", e, onehot)
            grad = np.exp(lp) - q
        active = np.arange(T)[:, None] < input_lengths[None, :]
        grad = np.where(active[:, :, None], grad, 0.0)
        # an infeasible alignment (nll = inf): 0 with zero_infinity, else NaN as PyTorch's exp(-inf + inf)
        grad = np.where(np.isinf(nll)[None, :, None] & active[:, :, None], 0.0 if ctx.zero_infinity else np.nan,
                        grad)
        gn = np.asarray(g._data.get() if xp is not np else g._data, dtype=np.float64)
        grad = grad * gn[None, :, None]
        return _const(xp.asarray(grad.astype(lp_t._data.dtype)))


def _as_int_array(x):
    if isinstance(x, Tensor):
        a = x._data
        a = a.get() if xp_of(a) is not np else a
        return np.asarray(a, dtype=np.int64).reshape(-1)
    return np.asarray(list(x) if not np.isscalar(x) else [x], dtype=np.int64).reshape(-1)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    r"""Connectionist Temporal Classification loss.

    log_probs (T, N, C) or (T, C): log-softmax outputs; targets (N, S) padded or 1-D concatenated
    (sum(target_lengths)); input_lengths, target_lengths: (N,) tensors or tuples. ``'mean'`` divides each
    sample's loss by its target length, then averages over the batch.
    """
    from .creation import tensor as _tensor  # noqa: WPS433
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    unbatched = log_probs.dim() == 2
    lp = log_probs.unsqueeze(1) if unbatched else log_probs
    T, N, C = lp.shape
    if not 0 <= blank < C:
        raise RuntimeError("blank must be in label range")
    il, tl = _as_int_array(input_lengths), _as_int_array(target_lengths)
    if len(il) != N:
        raise RuntimeError(f"input_lengths must be of size batch_size, but got {len(il)} and batch size {N}")
    if len(tl) != N:
        raise RuntimeError(f"target_lengths must be of size batch_size, but got {len(tl)} and batch size {N}")
    if (il > T).any():
        b = int(np.argmax(il > T))
        raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value {il[b]} (while checking "
                           f"arguments for ctc_loss_cpu)")
    tg = targets._data
    tg = np.asarray(tg.get() if xp_of(tg) is not np else tg, dtype=np.int64)
    if unbatched:
        tg = tg.reshape(1, -1)
    smax = int(tl.max()) if N else 0
    labels = np.full((N, max(smax, 1)), blank, dtype=np.int64)
    if tg.ndim == 1:
        offsets = np.concatenate([[0], np.cumsum(tl)[:-1]])
        for b in range(N):
            labels[b, :tl[b]] = tg[offsets[b]:offsets[b] + tl[b]]
    else:
        if smax > tg.shape[1]:
            raise RuntimeError(f"Expected tensor to have size at least {smax} at dimension 1, but got size "
                               f"{tg.shape[1]} for argument #2 'targets' (while checking arguments for ctc_loss_cpu)")
        for b in range(N):
            labels[b, :tl[b]] = tg[b, :tl[b]]
    node = CtcLoss.apply(lp, labels, il, tl, blank, zero_infinity)
    if reduction == "none":
        return node.squeeze(0) if unbatched else node
    if reduction == "sum":
        return node.sum()
    return (node / _tensor(np.maximum(tl, 1)).to(node.dtype)).mean()


__functional__.append("ctc_loss")
