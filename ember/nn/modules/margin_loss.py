"""Multi-class hinge losses: ``MultiMarginLoss`` and ``MultiLabelMarginLoss``."""
from .. import functional as F
from .loss import _Loss, _WeightedLoss

__all__ = ["MultiMarginLoss", "MultiLabelMarginLoss"]


class MultiMarginLoss(_WeightedLoss):
    r"""Multi-class hinge loss: per sample :math:`\frac{1}{C}\sum_{i \ne y} w_y\max(0, \text{margin} - x_y + x_i)^p`.

    Shape:
        - Input: :math:`(N, C)` or :math:`(C)`; Target: :math:`(N)` or :math:`()` class indices (long)
        - Output: scalar; :math:`(N)` with ``reduction='none'``
    """
    __constants__ = ["p", "margin", "reduction"]

    def __init__(self, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        if p != 1 and p != 2:
            raise ValueError("only p == 1 and p == 2 supported")
        if weight is not None and weight.dim() != 1:
            raise ValueError(f"MultiMarginLoss: expected weight to be None or 1D tensor, got {weight.dim()}D instead")
        self.p = p
        self.margin = margin

    def forward(self, input, target):
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin, weight=self.weight,
                                   reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    r"""Multi-label hinge loss: per sample :math:`\frac{1}{C}\sum_j\sum_{i \notin y}\max(0, 1 - (x_{y_j} - x_i))`;
    ``target`` lists the sample's classes first, ended by the first ``-1``.

    Shape:
        - Input: :math:`(N, C)` or :math:`(C)`; Target: same shape (long)
        - Output: scalar; :math:`(N)` with ``reduction='none'``
    """
    __constants__ = ["reduction"]

    def forward(self, input, target):
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)
