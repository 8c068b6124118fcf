"""Helpers shared by torchvision.ops: dtype upcasts, the (K, 5) RoI format, the IoU pieces of the losses."""
from ... import _tensor
from ... import cat, float32, float64, full_like, int32, int64, zeros_like, where

Tensor = _tensor.Tensor


def _upcast(t):
    """Floating -> float32 unless already float32/float64; integer -> int32 unless int32/int64 (no overflow
    in products of coordinates)."""
    if t.is_floating_point():
        return t if t.dtype in (float32, float64) else t.float()
    return t if t.dtype in (int32, int64) else t.int()


def _upcast_non_float(t):
    """Anything but float32/float64 -> float32 (the box losses compute in floating point)."""
    return t if t.dtype in (float32, float64) else t.float()


def _cat(tensors, dim=0):
    return tensors[0] if len(tensors) == 1 else cat(tensors, dim)


def convert_boxes_to_roi_format(boxes):
    """List of per-image (L_i, 4) boxes -> one (sum L_i, 5) tensor of (image index, x1, y1, x2, y2)."""
    concat_boxes = _cat(list(boxes), dim=0)
    ids = _cat([full_like(b[:, :1], i) for i, b in enumerate(boxes)], dim=0)
    return cat([ids, concat_boxes], dim=1)


def check_roi_boxes_shape(boxes):
    """torchvision's check (AssertionError): a (K, 5) tensor or a list of (L, 4) tensors."""
    if isinstance(boxes, (list, tuple)):
        for t in boxes:
            if t.dim() != 2 or t.size(1) != 4:
                raise AssertionError("The shape of the tensor in the boxes list is not correct as List[Tensor[L, 4]]"
                                     f" (got a tensor of shape {tuple(t.shape)})")
    elif isinstance(boxes, Tensor):
        if boxes.dim() != 2 or boxes.size(1) != 5:
            raise AssertionError(f"The boxes tensor shape is not correct as Tensor[K, 5] (got {tuple(boxes.shape)})")
    else:
        raise AssertionError("boxes is expected to be a Tensor[L, 5] or a List[Tensor[K, 4]] "
                             f"(got {type(boxes).__name__})")


def _loss_inter_union(boxes1, boxes2):
    """Element-wise intersection and union areas of two (..., 4) xyxy box sets (zero when disjoint)."""
    x1, y1, x2, y2 = boxes1.unbind(dim=-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(dim=-1)
    xkis1, ykis1 = x1.maximum(x1g), y1.maximum(y1g)
    xkis2, ykis2 = x2.minimum(x2g), y2.minimum(y2g)
    mask = (ykis2 > ykis1) & (xkis2 > xkis1)
    intsctk = where(mask, (xkis2 - xkis1) * (ykis2 - ykis1), zeros_like(x1))
    unionk = (x2 - x1) * (y2 - y1) + (x2g - x1g) * (y2g - y1g) - intsctk
    return intsctk, unionk


def _reduce_loss(loss, reduction):
    """'none' | 'mean' | 'sum' as torchvision's box losses (an empty 'mean' is 0, not NaN)."""
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean() if loss.numel() > 0 else 0.0 * loss.sum()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"Invalid Value for arg 'reduction': '{reduction} \n Supported reduction modes: 'none', "
                     f"'mean', 'sum'")


def _pair(x):
    """``x`` as a 2-tuple: an iterable as given, a number repeated (torch.nn.modules.utils._pair)."""
    if isinstance(x, (list, tuple)):
        return tuple(x)
    return (x, x)
