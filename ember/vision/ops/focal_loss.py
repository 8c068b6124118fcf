"""torchvision.ops.sigmoid_focal_loss (RetinaNet's loss for dense detection, https://arxiv.org/abs/1708.02002)."""
from ...nn import functional as F

__all__ = ["sigmoid_focal_loss"]


def sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2, reduction="none"):
    """Focal loss ``-alpha_t (1 - p_t)^gamma log(p_t)`` on logits.

    Args:
        inputs (Tensor): logits of any shape.
        targets (Tensor): same shape, 0 (negative) or 1 (positive) per element (floats).
        alpha (float): weight of the positives in [0, 1] (negatives get ``1 - alpha``), or -1 for no weighting.
        gamma (float): exponent of the modulating factor ``(1 - p_t)``.
        reduction (str): 'none' | 'mean' | 'sum'.

    Returns:
        Tensor: the loss, element-wise (``'none'``) or reduced to a scalar.
    """
    if not (0 <= alpha <= 1) and alpha != -1:
        raise ValueError(f"Invalid alpha value: {alpha}. alpha must be in the range [0,1] or -1 for ignore.")
    p = inputs.sigmoid()
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"Invalid Value for arg 'reduction': '{reduction} \n Supported reduction modes: 'none', "
                     f"'mean', 'sum'")
