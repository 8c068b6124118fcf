"""torchvision.ops.distance_box_iou_loss (https://arxiv.org/abs/1911.08287)."""
from ._utils import _loss_inter_union, _reduce_loss, _upcast_non_float

__all__ = ["distance_box_iou_loss"]


def _diou_iou_loss(boxes1, boxes2, eps=1e-7):
    """Element-wise ``1 - IoU + d^2 / c^2`` (d the centre distance, c the enclosing box's diagonal) and IoU."""
    intsct, union = _loss_inter_union(boxes1, boxes2)
    iou = intsct / (union + eps)
    x1, y1, x2, y2 = boxes1.unbind(dim=-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(dim=-1)
    xc1, yc1 = x1.minimum(x1g), y1.minimum(y1g)
    xc2, yc2 = x2.maximum(x2g), y2.maximum(y2g)
    diagonal_distance_squared = ((xc2 - xc1) ** 2) + ((yc2 - yc1) ** 2) + eps
    x_p, y_p = (x2 + x1) / 2, (y2 + y1) / 2
    x_g, y_g = (x1g + x2g) / 2, (y1g + y2g) / 2
    centers_distance_squared = ((x_p - x_g) ** 2) + ((y_p - y_g) ** 2)
    loss = 1 - iou + (centers_distance_squared / diagonal_distance_squared)
    return loss, iou


def distance_box_iou_loss(boxes1, boxes2, reduction="none", eps=1e-7):
    """``1 - DIoU`` of matching ``(x1, y1, x2, y2)`` boxes (Tensor[N, 4] or Tensor[4], same shape):
    the IoU loss plus the squared centre distance over the enclosing box's squared diagonal.

    ``reduction``: 'none' | 'mean' | 'sum'; ``eps`` is added to denominators.
    """
    boxes1, boxes2 = _upcast_non_float(boxes1), _upcast_non_float(boxes2)
    loss, _ = _diou_iou_loss(boxes1, boxes2, eps)
    return _reduce_loss(loss, reduction)
