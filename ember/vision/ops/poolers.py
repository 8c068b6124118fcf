"""torchvision.ops.MultiScaleRoIAlign: RoI Align over a feature pyramid, each box read from the level its size
maps to (Eqn. 1 of the FPN paper, https://arxiv.org/abs/1612.03144)."""
import numpy as np

from ... import argsort, cat, floor, int64, log2, sqrt, tensor
from ...nn import Module
from .boxes import box_area
from .roi_align import roi_align

__all__ = ["MultiScaleRoIAlign"]


class LevelMapper:
    """Pyramid level (0-based, from ``k_min``) of each box: ``floor(lvl0 + log2(sqrt(area) / s0) + eps)``
    clamped to [k_min, k_max]."""

    def __init__(self, k_min, k_max, canonical_scale=224, canonical_level=4, eps=1e-6):
        self.k_min = k_min
        self.k_max = k_max
        self.s0 = canonical_scale
        self.lvl0 = canonical_level
        self.eps = eps

    def __call__(self, boxlists):
        s = sqrt(cat([box_area(b) for b in boxlists]))
        target_lvls = floor(self.lvl0 + log2(s / self.s0) + tensor(self.eps, dtype=s.dtype))
        target_lvls = target_lvls.clamp(min=self.k_min, max=self.k_max)
        return (target_lvls.to(int64) - self.k_min).to(int64)


def initLevelMapper(k_min, k_max, canonical_scale=224, canonical_level=4, eps=1e-6):  # noqa: N802 - torchvision's
    return LevelMapper(k_min, k_max, canonical_scale, canonical_level, eps)


def _convert_to_roi_format(boxes):
    concat_boxes = cat(list(boxes), dim=0)
    ids = cat([b[:, :1].new_full(b[:, :1].shape, i) for i, b in enumerate(boxes)], dim=0)
    return cat([ids, concat_boxes], dim=1)


def _infer_scale(feature, original_size):
    """The feature map's scale, assumed a power of two: 2 ** round(log2(feature size / image size))."""
    size = feature.shape[-2:]
    scales = []
    for s1, s2 in zip(size, original_size):
        approx = np.float32(float(s1) / float(s2))
        scales.append(2 ** float(np.round(np.log2(approx))))
    return scales[0]


def _setup_scales(features, image_shapes, canonical_scale, canonical_level):
    if not image_shapes:
        raise ValueError("images list should not be empty")
    max_x = max(s[0] for s in image_shapes)
    max_y = max(s[1] for s in image_shapes)
    scales = [_infer_scale(f, (max_x, max_y)) for f in features]
    lvl_min = -float(np.log2(np.float32(scales[0])))
    lvl_max = -float(np.log2(np.float32(scales[-1])))
    return scales, initLevelMapper(int(lvl_min), int(lvl_max), canonical_scale=canonical_scale,
                                   canonical_level=canonical_level)


def _filter_input(x, featmap_names):
    return [v for k, v in x.items() if k in featmap_names]


def _multiscale_roi_align(x_filtered, boxes, output_size, sampling_ratio, scales, mapper):
    if scales is None or mapper is None:
        raise ValueError("scales and mapper should not be None")
    rois = _convert_to_roi_format(boxes)
    if len(x_filtered) == 1:
        return roi_align(x_filtered[0], rois, output_size=output_size, spatial_scale=scales[0],
                         sampling_ratio=sampling_ratio)
    levels = mapper(boxes)
    outs, order = [], []
    for level, (feature, scale) in enumerate(zip(x_filtered, scales)):
        idx = (levels == level).nonzero().reshape(-1)
        outs.append(roi_align(feature, rois[idx], output_size=output_size, spatial_scale=scale,
                              sampling_ratio=sampling_ratio))
        order.append(idx)
    dtype = outs[-1].dtype      # under autocast the levels may differ in dtype: torchvision keeps the last one's
    stacked = cat([o.to(dtype) for o in outs], dim=0)
    return stacked[argsort(cat(order))]      # back to the order of the boxes


class MultiScaleRoIAlign(Module):
    """RoI Align on the feature maps named ``featmap_names`` (an ordered dict in, highest resolution first).

    ``forward(x, boxes, image_shapes)``: ``boxes`` a list of (L_i, 4) xyxy tensors in image coordinates, one per
    image; ``image_shapes`` the (height, width) of each image. The scales of the levels are inferred on the
    first call. Returns Tensor[sum L_i, C, *output_size].
    """

    def __init__(self, featmap_names, output_size, sampling_ratio, *, canonical_scale=224, canonical_level=4):
        super().__init__()
        if isinstance(output_size, int):
            output_size = (output_size, output_size)
        self.featmap_names = featmap_names
        self.sampling_ratio = sampling_ratio
        self.output_size = tuple(output_size)
        self.scales = None
        self.map_levels = None
        self.canonical_scale = canonical_scale
        self.canonical_level = canonical_level

    def forward(self, x, boxes, image_shapes):
        x_filtered = _filter_input(x, self.featmap_names)
        if self.scales is None or self.map_levels is None:
            self.scales, self.map_levels = _setup_scales(x_filtered, image_shapes, self.canonical_scale,
                                                         self.canonical_level)
        return _multiscale_roi_align(x_filtered, boxes, self.output_size, self.sampling_ratio, self.scales,
                                     self.map_levels)

    def __repr__(self):
        return (f"{self.__class__.__name__}(featmap_names={self.featmap_names}, "
                f"output_size={self.output_size}, sampling_ratio={self.sampling_ratio})")
