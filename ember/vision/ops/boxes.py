"""torchvision.ops.boxes: box format conversion, areas, IoU variants (plain, generalized, distance, complete),
clipping, small-box removal, masks -> boxes, and non-maximum suppression (``nms``, ``batched_nms``).

Boxes are ``(..., 4)`` tensors, ``(x1, y1, x2, y2)`` unless a format says otherwise. Everything but NMS is
composed of Ember ops, so gradients flow as in torchvision. NMS sorts by score (stably: equal scores keep
index order), computes the pairwise IoU matrix once on the array backend, then makes the greedy sweep.
"""
import math

import numpy as np

from ... import _tensor
from ... import atan, atan2, cos, empty, float32, int64, no_grad, sin, stack, where, zeros
from ..._backend import xp_of
from ._utils import _upcast

Tensor = _tensor.Tensor

__all__ = ["nms", "batched_nms", "remove_small_boxes", "clip_boxes_to_image", "box_convert", "box_area", "box_iou",
           "generalized_box_iou", "complete_box_iou", "distance_box_iou", "masks_to_boxes"]

_BOX_FORMATS = ("xyxy", "xywh", "cxcywh", "xywhr", "cxcywhr", "xyxyxyxy")
_AXIS_ALIGNED = ("xyxy", "xywh", "cxcywh")


# ---------------------------------------------------------------- non-maximum suppression
def _check_nms_inputs(boxes, scores):
    if not isinstance(boxes, Tensor) or not isinstance(scores, Tensor):
        raise TypeError(f"nms expects boxes and scores as Tensors, got {type(boxes).__name__} and "
                        f"{type(scores).__name__}")
    if boxes.dim() != 2:
        raise RuntimeError(f"boxes should be a 2d tensor, got {boxes.dim()}D (nms takes boxes of shape [N, 4])")
    if boxes.size(1) != 4:
        raise RuntimeError(f"boxes should have 4 elements in dimension 1, got {boxes.size(1)}")
    if scores.dim() != 1:
        raise RuntimeError(f"scores should be a 1d tensor, got {scores.dim()}D (nms takes scores of shape [N])")
    if boxes.size(0) != scores.size(0):
        raise RuntimeError(f"boxes and scores should have same number of elements in dimension 0, got "
                           f"{boxes.size(0)} and {scores.size(0)}")


def _greedy_keep(boxes, scores, iou_threshold, classes=None):
    """Indices kept by greedy NMS, in decreasing score order.

    ``boxes`` (N, 4) and ``scores`` (N,) are arrays; ``classes`` (N,) optional: boxes of different classes
    never suppress each other. The IoU is computed as torchvision's kernel does (in the boxes' dtype,
    ``inter / (area_i + area_j - inter)``) and a box is suppressed when IoU > threshold.
    """
    xp = xp_of(boxes)
    n = boxes.shape[0]
    if n == 0:
        return xp.zeros((0,), dtype=np.int64)
    order = xp.argsort(-scores, kind="stable")       # descending; ties keep index order
    b = boxes[order]
    x1, y1, x2, y2 = b[:, 0], b[:, 1], b[:, 2], b[:, 3]
    areas = (x2 - x1) * (y2 - y1)
    w = xp.maximum(xp.minimum(x2[:, None], x2[None, :]) - xp.maximum(x1[:, None], x1[None, :]), 0)
    h = xp.maximum(xp.minimum(y2[:, None], y2[None, :]) - xp.maximum(y1[:, None], y1[None, :]), 0)
    inter = w * h
    with np.errstate(divide="ignore", invalid="ignore"):
        over = inter / (areas[:, None] + areas[None, :] - inter) > iou_threshold
    if classes is not None:
        c = classes[order]
        over &= c[:, None] == c[None, :]
    over = np.triu(np.asarray(over.get() if xp is not np else over), k=1)   # only later boxes get suppressed
    removed = np.zeros(n, dtype=bool)
    keep = []
    for i in range(n):                                # the greedy sweep: one vector OR per kept box
        if not removed[i]:
            keep.append(i)
            removed |= over[i]
    return order[xp.asarray(np.asarray(keep, dtype=np.int64))]


def nms(boxes, scores, iou_threshold):
    """Non-maximum suppression: drop every box whose IoU with a higher-scoring kept box is > ``iou_threshold``.

    Args:
        boxes (Tensor[N, 4]): ``(x1, y1, x2, y2)`` boxes, ``0 <= x1 < x2`` and ``0 <= y1 < y2``.
        scores (Tensor[N]): one score per box.
        iou_threshold (float): boxes overlapping a kept box with IoU > this are discarded.

    Returns:
        Tensor[K] (int64): indices of the kept boxes, in decreasing order of score.
    """
    _check_nms_inputs(boxes, scores)
    keep = _greedy_keep(boxes.detach()._data, scores.detach()._data, float(iou_threshold))
    return Tensor._wrap(keep)


def batched_nms(boxes, scores, idxs, iou_threshold):
    """NMS per category: boxes only suppress boxes with the same ``idxs`` value.

    Args:
        boxes (Tensor[N, 4]), scores (Tensor[N]): as for :func:`nms`.
        idxs (Tensor[N]): the category of each box.
        iou_threshold (float): discards overlapping boxes (same category) with IoU > iou_threshold.

    Returns:
        Tensor[K] (int64): kept indices, in decreasing order of score.
    """
    _check_nms_inputs(boxes, scores)
    if not isinstance(idxs, Tensor) or idxs.dim() != 1 or idxs.size(0) != boxes.size(0):
        got = tuple(idxs.shape) if isinstance(idxs, Tensor) else type(idxs).__name__
        raise RuntimeError(f"batched_nms: idxs should be a 1d tensor with one category per box ({boxes.size(0)}), "
                           f"got {got}")
    if boxes.numel() == 0:
        return empty((0,), dtype=int64, device=boxes.device)
    keep = _greedy_keep(boxes.detach()._data, scores.detach()._data, float(iou_threshold), idxs.detach()._data)
    return Tensor._wrap(keep)


# ---------------------------------------------------------------- simple box utilities
def remove_small_boxes(boxes, min_size):
    """Indices (int64) of the boxes whose width and height are both >= ``min_size``.

    ``boxes`` (Tensor[..., 4]) in ``(x1, y1, x2, y2)`` format; the indices are along the first dimension.
    """
    ws, hs = boxes[..., 2] - boxes[..., 0], boxes[..., 3] - boxes[..., 1]
    keep = (ws >= min_size) & (hs >= min_size)
    return where(keep)[0]


def clip_boxes_to_image(boxes, size):
    """Clamp ``(x1, y1, x2, y2)`` boxes (Tensor[..., 4]) into an image of ``size = (height, width)``."""
    dim = boxes.dim()
    height, width = size
    boxes_x = boxes[..., 0::2].clamp(min=0, max=width)
    boxes_y = boxes[..., 1::2].clamp(min=0, max=height)
    return stack((boxes_x, boxes_y), dim=dim).reshape(boxes.shape)


# ---------------------------------------------------------------- format conversion
def _cxcywh_to_xyxy(b):
    cx, cy, w, h = b.unbind(-1)
    return stack((cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h), dim=-1)


def _xyxy_to_cxcywh(b):
    x1, y1, x2, y2 = b.unbind(-1)
    return stack(((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1), dim=-1)


def _xywh_to_xyxy(b):
    x, y, w, h = b.unbind(-1)
    return stack((x, y, x + w, y + h), dim=-1)


def _xyxy_to_xywh(b):
    x1, y1, x2, y2 = b.unbind(-1)
    return stack((x1, y1, x2 - x1, y2 - y1), dim=-1)


def _cxcywhr_to_xywhr(b):
    """Rotated (cx, cy, w, h, r) -> (x1, y1, w, h, r): r in degrees, counter-clockwise."""
    cx, cy, w, h, r = b.unbind(-1)
    rad = r * math.pi / 180.0
    c, s = cos(rad), sin(rad)
    return stack((cx - w / 2 * c - h / 2 * s, cy - h / 2 * c + w / 2 * s, w, h, r), dim=-1)


def _xywhr_to_cxcywhr(b):
    x1, y1, w, h, r = b.unbind(-1)
    rad = r * math.pi / 180.0
    c, s = cos(rad), sin(rad)
    return stack((x1 + w / 2 * c + h / 2 * s, y1 - w / 2 * s + h / 2 * c, w, h, r), dim=-1)


def _xywhr_to_xyxyxyxy(b):
    """(x1, y1, w, h, r) -> the four corners (x1, y1, x3, y3, x2, y2, x4, y4), clockwise from top-left."""
    x1, y1, w, h, r = b.unbind(-1)
    rad = r * math.pi / 180.0
    c, s = cos(rad), sin(rad)
    x3, y3 = x1 + w * c, y1 - w * s
    x2, y2 = x3 + h * s, y3 + h * c
    x4, y4 = x1 + h * s, y1 + h * c
    return stack((x1, y1, x3, y3, x2, y2, x4, y4), dim=-1)


def _xyxyxyxy_to_xywhr(b):
    x1, y1, x3, y3, x2, y2, x4, y4 = b.unbind(-1)
    r = atan2(y1 - y3, x3 - x1) * 180 / math.pi
    w = ((x3 - x1) ** 2 + (y1 - y3) ** 2).sqrt()
    h = ((x3 - x2) ** 2 + (y3 - y2) ** 2).sqrt()
    return stack((x1, y1, w, h, r), dim=-1)


def box_convert(boxes, in_fmt, out_fmt):
    """Convert ``boxes`` (Tensor[..., K]) from ``in_fmt`` to ``out_fmt``.

    Formats: ``'xyxy'`` (corners), ``'xywh'`` (top-left corner, width, height), ``'cxcywh'`` (centre, width,
    height), and the rotated ``'xywhr'``, ``'cxcywhr'`` (``r`` in degrees, counter-clockwise) and
    ``'xyxyxyxy'`` (four corners). Axis-aligned and rotated formats do not convert into each other.
    """
    if in_fmt not in _BOX_FORMATS or out_fmt not in _BOX_FORMATS:
        raise ValueError(f"Unsupported Bounding Box Conversions for given in_fmt {in_fmt} and out_fmt {out_fmt}")
    if in_fmt == out_fmt:
        return boxes.clone()
    e = (in_fmt, out_fmt)
    steps = {
        ("xywh", "xyxy"): [_xywh_to_xyxy], ("cxcywh", "xyxy"): [_cxcywh_to_xyxy],
        ("xyxy", "xywh"): [_xyxy_to_xywh], ("xyxy", "cxcywh"): [_xyxy_to_cxcywh],
        ("xywh", "cxcywh"): [_xywh_to_xyxy, _xyxy_to_cxcywh], ("cxcywh", "xywh"): [_cxcywh_to_xyxy, _xyxy_to_xywh],
        ("cxcywhr", "xywhr"): [_cxcywhr_to_xywhr], ("xywhr", "cxcywhr"): [_xywhr_to_cxcywhr],
        ("cxcywhr", "xyxyxyxy"): [_cxcywhr_to_xywhr, _xywhr_to_xyxyxyxy],
        ("xyxyxyxy", "cxcywhr"): [_xyxyxyxy_to_xywhr, _xywhr_to_cxcywhr],
        ("xywhr", "xyxyxyxy"): [_xywhr_to_xyxyxyxy], ("xyxyxyxy", "xywhr"): [_xyxyxyxy_to_xywhr],
    }.get(e)
    if steps is None:
        raise NotImplementedError(f"Unsupported Bounding Box Conversions for given in_fmt {in_fmt} and out_fmt "
                                  f"{out_fmt}: axis-aligned and rotated formats do not convert into each other")
    width = {"xywhr": 5, "cxcywhr": 5, "xyxyxyxy": 8}.get(in_fmt, 4)
    if boxes.dim() == 0 or boxes.shape[-1] != width:
        raise ValueError(f"box_convert: boxes in format '{in_fmt}' need a last dimension of {width}, "
                         f"got shape {tuple(boxes.shape)}")
    for step in steps:
        boxes = step(boxes).to(boxes.dtype) if step in (_cxcywhr_to_xywhr, _xyxyxyxy_to_xywhr) else step(boxes)
    return boxes


# ---------------------------------------------------------------- areas and IoUs
def box_area(boxes, fmt="xyxy"):
    """Areas of ``boxes`` (Tensor[..., 4]) given in ``fmt`` ('xyxy', 'xywh' or 'cxcywh') -> Tensor[...]."""
    if fmt not in _AXIS_ALIGNED:
        raise ValueError(f"Unsupported Bounding Box area for given format {fmt}")
    boxes = _upcast(boxes)
    if fmt == "xyxy":
        return (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])
    return boxes[..., 2] * boxes[..., 3]


def _box_inter_union(boxes1, boxes2, fmt="xyxy"):
    """Pairwise intersection and union areas, each Tensor[..., N, M]."""
    area1 = box_area(boxes1, fmt=fmt)
    area2 = box_area(boxes2, fmt=fmt)
    a1, a2 = boxes1[..., :, None, :], boxes2[..., None, :, :]     # [..., N, 1, 4], [..., 1, M, 4]
    if fmt == "xyxy":
        lo1, hi1, lo2, hi2 = a1[..., :2], a1[..., 2:], a2[..., :2], a2[..., 2:]
    elif fmt == "xywh":
        lo1, hi1 = a1[..., :2], a1[..., :2] + a1[..., 2:]
        lo2, hi2 = a2[..., :2], a2[..., :2] + a2[..., 2:]
    else:   # cxcywh
        lo1, hi1 = a1[..., :2] - a1[..., 2:] / 2, a1[..., :2] + a1[..., 2:] / 2
        lo2, hi2 = a2[..., :2] - a2[..., 2:] / 2, a2[..., :2] + a2[..., 2:] / 2
    lt = lo1.maximum(lo2)                                 # [..., N, M, 2]
    rb = hi1.minimum(hi2)
    wh = _upcast(rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]                       # [..., N, M]
    union = area1[..., :, None] + area2[..., None, :] - inter
    return inter, union


def _check_pair(name, boxes1, boxes2):
    for b in (boxes1, boxes2):
        if not isinstance(b, Tensor) or b.dim() < 2 or b.shape[-1] != 4:
            got = tuple(b.shape) if isinstance(b, Tensor) else type(b).__name__
            raise ValueError(f"{name} expects two sets of boxes of shape [..., N, 4] and [..., M, 4], got {got}")


def box_iou(boxes1, boxes2, fmt="xyxy"):
    """Pairwise intersection-over-union of Tensor[..., N, 4] and Tensor[..., M, 4] -> Tensor[..., N, M]."""
    if fmt not in _AXIS_ALIGNED:
        raise ValueError(f"Unsupported Box IoU Calculation for given format {fmt}.")
    _check_pair("box_iou", boxes1, boxes2)
    inter, union = _box_inter_union(boxes1, boxes2, fmt=fmt)
    return inter / union


def _enclosing_wh(boxes1, boxes2):
    """Width/height [..., N, M, 2] of the smallest box enclosing each pair."""
    lti = boxes1[..., :, None, :2].minimum(boxes2[..., None, :, :2])
    rbi = boxes1[..., :, None, 2:].maximum(boxes2[..., None, :, 2:])
    return _upcast(rbi - lti).clamp(min=0)


def generalized_box_iou(boxes1, boxes2):
    """Pairwise generalized IoU (``IoU - (C - U) / C``, C the enclosing box's area) of xyxy boxes
    Tensor[..., N, 4] and Tensor[..., M, 4] -> Tensor[..., N, M]."""
    _check_pair("generalized_box_iou", boxes1, boxes2)
    inter, union = _box_inter_union(boxes1, boxes2)
    iou = inter / union
    whi = _enclosing_wh(boxes1, boxes2)
    areai = whi[..., 0] * whi[..., 1]
    return iou - (areai - union) / areai


def _box_diou_iou(boxes1, boxes2, eps=1e-7):
    iou = box_iou(boxes1, boxes2)
    whi = _enclosing_wh(boxes1, boxes2)
    diagonal_distance_squared = (whi[..., 0] ** 2) + (whi[..., 1] ** 2) + eps
    x_p = (boxes1[..., 0] + boxes1[..., 2]) / 2
    y_p = (boxes1[..., 1] + boxes1[..., 3]) / 2
    x_g = (boxes2[..., 0] + boxes2[..., 2]) / 2
    y_g = (boxes2[..., 1] + boxes2[..., 3]) / 2
    centers_distance_squared = (_upcast(x_p[..., :, None] - x_g[..., None, :]) ** 2) + (
        _upcast(y_p[..., :, None] - y_g[..., None, :]) ** 2)
    return iou - centers_distance_squared / diagonal_distance_squared, iou


def distance_box_iou(boxes1, boxes2, eps=1e-7):
    """Pairwise distance IoU: IoU minus the squared centre distance over the enclosing box's squared
    diagonal. xyxy boxes Tensor[..., N, 4], Tensor[..., M, 4] -> Tensor[..., N, M]."""
    _check_pair("distance_box_iou", boxes1, boxes2)
    boxes1, boxes2 = _upcast(boxes1), _upcast(boxes2)
    diou, _ = _box_diou_iou(boxes1, boxes2, eps=eps)
    return diou


def complete_box_iou(boxes1, boxes2, eps=1e-7):
    """Pairwise complete IoU: distance IoU minus ``alpha * v``, ``v`` the aspect-ratio discrepancy
    ``4/pi^2 (atan(w1/h1) - atan(w2/h2))^2`` and ``alpha = v / (1 - IoU + v + eps)`` (no gradient through
    alpha). xyxy boxes Tensor[..., N, 4], Tensor[..., M, 4] -> Tensor[..., N, M]."""
    _check_pair("complete_box_iou", boxes1, boxes2)
    boxes1, boxes2 = _upcast(boxes1), _upcast(boxes2)
    diou, iou = _box_diou_iou(boxes1, boxes2, eps)
    w_pred = boxes1[..., :, None, 2] - boxes1[..., :, None, 0]
    h_pred = boxes1[..., :, None, 3] - boxes1[..., :, None, 1]
    w_gt = boxes2[..., None, :, 2] - boxes2[..., None, :, 0]
    h_gt = boxes2[..., None, :, 3] - boxes2[..., None, :, 1]
    v = (4 / (math.pi ** 2)) * (atan(w_pred / h_pred) - atan(w_gt / h_gt)) ** 2
    with no_grad():
        alpha = v / (1 - iou + v + eps)
    return diou - alpha * v


# ---------------------------------------------------------------- masks
def masks_to_boxes(masks):
    """Tight ``(x1, y1, x2, y2)`` boxes (float32 Tensor[N, 4]) around the non-zero pixels of each of the
    masks Tensor[N, H, W]; a one-row or one-column mask gives x1 == x2 or y1 == y2."""
    if masks.numel() == 0:
        return zeros((0, 4), device=masks.device, dtype=float32)
    if masks.dim() != 3:
        raise ValueError(f"masks_to_boxes expects masks of shape [N, H, W], got {tuple(masks.shape)}")
    m = masks.detach()._data != 0
    xp = xp_of(m)
    rows, cols = m.any(axis=2), m.any(axis=1)                       # (N, H), (N, W)
    empty_masks = ~rows.any(axis=1)
    if bool(empty_masks.any()):
        i = int(xp.argmax(empty_masks))
        raise RuntimeError(f"masks_to_boxes: mask {i} has no non-zero pixel, so it has no bounding box "
                           f"(drop empty masks first, e.g. masks[masks.flatten(1).any(1)])")
    h, w = rows.shape[1], cols.shape[1]
    y1 = xp.argmax(rows, axis=1)
    y2 = h - 1 - xp.argmax(rows[:, ::-1], axis=1)
    x1 = xp.argmax(cols, axis=1)
    x2 = w - 1 - xp.argmax(cols[:, ::-1], axis=1)
    return Tensor._wrap(xp.stack([x1, y1, x2, y2], axis=1).astype(np.float32))
