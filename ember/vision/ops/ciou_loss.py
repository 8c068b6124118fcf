"""torchvision.ops.complete_box_iou_loss (https://arxiv.org/abs/1911.08287)."""
import math

from ... import atan, no_grad
from ._utils import _reduce_loss, _upcast_non_float
from .diou_loss import _diou_iou_loss

__all__ = ["complete_box_iou_loss"]


def complete_box_iou_loss(boxes1, boxes2, reduction="none", eps=1e-7):
    """``1 - CIoU`` of matching ``(x1, y1, x2, y2)`` boxes (Tensor[N, 4] or Tensor[4], same shape): the
    distance-IoU loss plus ``alpha * v``, ``v = 4/pi^2 (atan(w_gt/h_gt) - atan(w/h))^2`` the aspect-ratio
    discrepancy and ``alpha = v / (1 - IoU + v + eps)`` (held constant for the gradient).

    ``reduction``: 'none' | 'mean' | 'sum'; ``eps`` is added to denominators.
    """
    boxes1, boxes2 = _upcast_non_float(boxes1), _upcast_non_float(boxes2)
    diou_loss, iou = _diou_iou_loss(boxes1, boxes2)
    x1, y1, x2, y2 = boxes1.unbind(dim=-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(dim=-1)
    w_pred, h_pred = x2 - x1, y2 - y1
    w_gt, h_gt = x2g - x1g, y2g - y1g
    v = (4 / (math.pi ** 2)) * (atan(w_gt / h_gt) - atan(w_pred / h_pred)) ** 2
    with no_grad():
        alpha = v / (1 - iou + v + eps)
    return _reduce_loss(diou_loss + alpha * v, reduction)
