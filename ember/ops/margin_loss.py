"""Multi-class hinge losses: ``F.multi_margin_loss`` and ``F.multilabel_margin_loss``.

Both are composed of differentiable ops (gather, clamp, masks), so their gradients are the sums of
those ops' gradients; the margin terms of the target class itself are masked out, as PyTorch's kernels
skip them.
"""
__all__ = []
__functional__ = ["multi_margin_loss", "multilabel_margin_loss"]

from .. import _dtype as D
from .loss import _reduce, _resolve


_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int32": "Int",
                 "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _check_long(target):
    if target.dtype != D.int64:
        name = str(target.dtype).replace("torch.", "")
        raise RuntimeError(f"expected scalar type Long but found {_SCALAR_NAMES.get(name, name)}")


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    r"""Multi-class hinge loss: per sample
    :math:`\frac{1}{C}\sum_{i \ne y} w_y \max(0, \text{margin} - x_y + x_i)^p`.

    Shapes: input :math:`(N, C)` or :math:`(C)`; target :math:`(N)` or :math:`()` class indices (long);
    weight :math:`(C)`; output scalar, or :math:`(N)` with ``reduction='none'``.
    """
    reduction = _resolve(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    _check_long(target)
    if input.dim() not in (1, 2) or (input.dim() == 2 and input.shape[1] == 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(input.shape)}")
    unbatched = input.dim() == 1
    x = input.unsqueeze(0) if unbatched else input
    n, c = x.shape
    if target.numel() != n or target.dim() > 1:
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
                           f"samples (batch size). Expected target size [{n}], but got {list(target.shape)}. "
                           f"Input has shape {list(input.shape)}.")
    if weight is not None and weight.numel() != c:
        raise RuntimeError(f"inconsistent weight size, expected {c} but got {list(weight.shape)}")
    y = target.reshape(n, 1)
    if n and (bool((y < 0).any()) or bool((y >= c).any())):
        raise RuntimeError("target out of range")
    z = (margin - x.gather(1, y) + x).clamp_min(0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight[y]
    z = z.masked_fill(y == y.new_tensor(list(range(c))), 0)   # no term for the target class itself
    loss = z.sum(1) / c
    if unbatched and reduction == "none":
        loss = loss.reshape(target.shape)
    return _reduce(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    r"""Multi-label hinge loss: per sample
    :math:`\frac{1}{C}\sum_{j}\sum_{i \notin y} \max(0, 1 - (x_{y_j} - x_i))`, where ``target`` lists the
    sample's classes ``y_j`` first, ended by the first ``-1``.

    Shapes: input :math:`(N, C)` or :math:`(C)`; target the same shape (long); output scalar, or
    :math:`(N)` with ``reduction='none'``.
    """
    reduction = _resolve(size_average, reduce, reduction)
    _check_long(target)
    if input.dim() not in (1, 2) or (input.dim() == 2 and input.shape[1] == 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(input.shape)}")
    if tuple(target.shape) != tuple(input.shape):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    unbatched = input.dim() == 1
    x = input.unsqueeze(0) if unbatched else input
    t = target.reshape(x.shape)
    n, c = x.shape
    if n and (bool((t < -1).any()) or bool((t >= c).any())):
        raise RuntimeError("argument #2 'target' is out of range")
    # the target list of a sample is its prefix before the first -1
    valid = (t >= 0).long().cumprod(1).bool()
    idx = t.clamp_min(0)
    classes = t.new_tensor(list(range(c)))
    is_target = ((t.unsqueeze(2) == classes) & valid.unsqueeze(2)).any(1)    # (N, C)
    xt = x.gather(1, idx)
    z = (1 - xt.unsqueeze(2) + x.unsqueeze(1)).clamp_min(0)            # (N, j, i)
    z = z.masked_fill(~(valid.unsqueeze(2) & ~is_target.unsqueeze(1)), 0)
    loss = z.sum((1, 2)) / c
    if unbatched and reduction == "none":
        loss = loss.reshape(())
    return _reduce(loss, reduction)
