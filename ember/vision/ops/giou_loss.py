"""torchvision.ops.generalized_box_iou_loss (https://arxiv.org/abs/1902.09630)."""
from ._utils import _loss_inter_union, _reduce_loss, _upcast_non_float

__all__ = ["generalized_box_iou_loss"]


def generalized_box_iou_loss(boxes1, boxes2, reduction="none", eps=1e-7):
    """``1 - GIoU`` of matching boxes (element-wise, not pairwise): non-zero even for disjoint boxes,
    growing with their smallest enclosing box. Symmetric in its two arguments.

    Args:
        boxes1, boxes2 (Tensor[N, 4] or Tensor[4]): ``(x1, y1, x2, y2)`` boxes, same shape.
        reduction (str): 'none' | 'mean' | 'sum'.
        eps (float): added to denominators.
    """
    boxes1, boxes2 = _upcast_non_float(boxes1), _upcast_non_float(boxes2)
    intsctk, unionk = _loss_inter_union(boxes1, boxes2)
    iouk = intsctk / (unionk + eps)
    x1, y1, x2, y2 = boxes1.unbind(dim=-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(dim=-1)
    xc1, yc1 = x1.minimum(x1g), y1.minimum(y1g)          # the smallest enclosing box
    xc2, yc2 = x2.maximum(x2g), y2.maximum(y2g)
    area_c = (xc2 - xc1) * (yc2 - yc1)
    miouk = iouk - ((area_c - unionk) / (area_c + eps))
    return _reduce_loss(1 - miouk, reduction)
