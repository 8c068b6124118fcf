"""torchvision.ops.roi_align / RoIAlign (Mask R-CNN, https://arxiv.org/abs/1703.06870).

Each output bin is the mean of ``grid_h x grid_w`` bilinear samples of the feature map, placed as in
torchvision's kernel (sample ``iy`` of bin ``ph`` at ``y1 + ph*bin_h + (iy + .5) * bin_h / grid_h``; a sample
more than one pixel outside the map counts as 0; coordinates in [-1, 0] clamp to 0 and those past the last
pixel use the last pixel). Bilinear sampling separates into a y part and an x part, so for one RoI the whole
(PH, PW) output is ``A_y @ X @ A_x^T`` with ``A_y`` (PH, H) and ``A_x`` (PW, W) holding the summed sample
weights. The forward and its adjoint (the input gradient) are therefore a few batched matrix products per
image, with no loop over boxes. RoIs receive no gradient (as in torchvision).
"""
import numpy as np

from ... import _tensor
from ...autograd.function import Op
from ..._backend import xp_of
from ...nn import Module
from ._utils import _pair, check_roi_boxes_shape, convert_boxes_to_roi_format

Tensor = _tensor.Tensor

__all__ = ["roi_align", "RoIAlign"]

_CHUNK = 1 << 22    # elements per intermediate array: RoIs are processed in chunks of about this size


def _compute_dtype(dt):
    """float16/bfloat16 compute in float32 (as torchvision's kernels accumulate); others in their own dtype."""
    return np.dtype(np.float32) if dt.itemsize < 4 else dt


def _axis_weights(xp, start, bin_size, grid, pooled, size, dt):
    """Summed bilinear sample weights along one axis, divided by the per-RoI grid size.

    ``start``, ``bin_size`` (k,) in dtype ``dt``; ``grid`` (k,) int samples per bin. Returns (k, pooled, size):
    entry [r, p, i] is how much pixel row/column i contributes to bin p of RoI r along this axis.
    """
    k = start.shape[0]
    g_max = max(int(grid.max()), 1) if k else 1
    gridf = xp.maximum(grid, 1).astype(dt)[:, None, None]
    p = xp.arange(pooled, dtype=dt)[None, :, None]
    s = xp.arange(g_max)[None, None, :]
    # the kernel's expression order: start + p * bin + ((s + .5) * bin) / grid
    coord = start[:, None, None] + p * bin_size[:, None, None] + (s.astype(dt) + dt.type(0.5)) * \
        bin_size[:, None, None] / gridf
    valid = (s < grid[:, None, None]) & ~((coord < -1.0) | (coord > size))
    coord = xp.maximum(coord, dt.type(0))
    low = coord.astype(np.int64)
    edge = low >= size - 1
    low = xp.where(edge, size - 1, low)
    high = xp.where(edge, size - 1, low + 1)
    coord = xp.where(edge, low.astype(dt), coord)
    lw = (coord - low.astype(dt)) * valid / gridf        # weight of the higher pixel
    hw = (dt.type(1) - (coord - low.astype(dt))) * valid / gridf
    pix = xp.arange(size)[None, None, None, :]
    a = (hw[..., None] * (low[..., None] == pix) + lw[..., None] * (high[..., None] == pix)).sum(axis=2)
    return a.astype(dt)


def _roi_geometry(rois, spatial_scale, pooled_h, pooled_w, sampling_ratio, aligned, dt):
    """Per-RoI batch index, bin start/size and sample grid along y and x, as torchvision's kernel has them."""
    xp = xp_of(rois)
    r = rois.astype(np.float64)
    offset = 0.5 if aligned else 0.0
    x1, y1, x2, y2 = [(r[:, i] * spatial_scale - offset).astype(dt) for i in (1, 2, 3, 4)]
    roi_w, roi_h = x2 - x1, y2 - y1
    if not aligned:     # the legacy behaviour: malformed RoIs are forced to be at least 1x1
        roi_w, roi_h = xp.maximum(roi_w, dt.type(1)), xp.maximum(roi_h, dt.type(1))
    bin_h, bin_w = roi_h / dt.type(pooled_h), roi_w / dt.type(pooled_w)
    if sampling_ratio > 0:
        grid_h = xp.full(r.shape[0], sampling_ratio, dtype=np.int64)
        grid_w = grid_h
    else:               # adaptive: about one sample per input pixel
        grid_h = xp.maximum(xp.ceil(roi_h / dt.type(pooled_h)), 0).astype(np.int64)
        grid_w = xp.maximum(xp.ceil(roi_w / dt.type(pooled_w)), 0).astype(np.int64)
    batch = r[:, 0].astype(np.int64)
    return batch, (y1, bin_h, grid_h), (x1, bin_w, grid_w)


def _chunks(xp, batch, per_roi):
    """(image index, RoI indices) pairs covering all RoIs, at most about _CHUNK/per_roi RoIs each."""
    step = max(1, _CHUNK // max(per_roi, 1))
    for b in np.unique(np.asarray(batch.get() if xp is not np else batch)).tolist():
        idx = xp.nonzero(batch == b)[0]
        for i in range(0, idx.shape[0], step):
            yield b, idx[i:i + step]


def _roi_align_apply(x, rois, spatial_scale, pooled_h, pooled_w, sampling_ratio, aligned):
    """Forward on arrays: x (N, C, H, W), rois (K, 5) -> (K, C, PH, PW)."""
    xp = xp_of(x)
    n, c, h, w = x.shape
    dt = _compute_dtype(x.dtype)
    xc = x.astype(dt, copy=False)
    k = rois.shape[0]
    out = xp.zeros((k, c, pooled_h, pooled_w), dtype=dt)
    if k == 0 or c == 0:
        return out.astype(x.dtype)
    batch, ys, xs = _roi_geometry(rois, spatial_scale, pooled_h, pooled_w, sampling_ratio, aligned, dt)
    per_roi = max(pooled_h * c * w, pooled_h * h * int(ys[2].max() or 1), pooled_w * w * int(xs[2].max() or 1))
    for b, idx in _chunks(xp, batch, per_roi):
        m = idx.shape[0]
        ay = _axis_weights(xp, ys[0][idx], ys[1][idx], ys[2][idx], pooled_h, h, dt)      # (m, PH, H)
        ax = _axis_weights(xp, xs[0][idx], xs[1][idx], xs[2][idx], pooled_w, w, dt)      # (m, PW, W)
        t = ay.reshape(m * pooled_h, h) @ xc[b].transpose(1, 0, 2).reshape(h, c * w)    # (m*PH, C*W)
        t = t.reshape(m, pooled_h * c, w) @ ax.transpose(0, 2, 1)                      # (m, PH*C, PW)
        out[idx] = t.reshape(m, pooled_h, c, pooled_w).transpose(0, 2, 1, 3)
    return out.astype(x.dtype)


def _roi_align_adjoint(g, rois, input_shape, spatial_scale, pooled_h, pooled_w, sampling_ratio, aligned):
    """The input gradient on arrays: g (K, C, PH, PW) -> (N, C, H, W), the transpose of the forward map."""
    xp = xp_of(g)
    n, c, h, w = input_shape
    dt = _compute_dtype(g.dtype)
    gc = g.astype(dt, copy=False)
    gi = xp.zeros((n, c, h, w), dtype=dt)
    if rois.shape[0] == 0 or c == 0:
        return gi.astype(g.dtype)
    batch, ys, xs = _roi_geometry(rois, spatial_scale, pooled_h, pooled_w, sampling_ratio, aligned, dt)
    per_roi = max(pooled_h * c * w, pooled_h * h * int(ys[2].max() or 1), pooled_w * w * int(xs[2].max() or 1))
    for b, idx in _chunks(xp, batch, per_roi):
        m = idx.shape[0]
        ay = _axis_weights(xp, ys[0][idx], ys[1][idx], ys[2][idx], pooled_h, h, dt)
        ax = _axis_weights(xp, xs[0][idx], xs[1][idx], xs[2][idx], pooled_w, w, dt)
        t = gc[idx].transpose(0, 2, 1, 3).reshape(m, pooled_h * c, pooled_w) @ ax        # (m, PH*C, W)
        t = ay.reshape(m * pooled_h, h).T @ t.reshape(m * pooled_h, c * w)              # (H, C*W)
        gi[b] += t.reshape(h, c, w).transpose(1, 0, 2)
    return gi.astype(g.dtype)


class _RoIAlign(Op):
    node_name = "RoIAlignBackward0"

    @staticmethod
    def forward(ctx, x, rois, spatial_scale, pooled_h, pooled_w, sampling_ratio, aligned):
        ctx.params = (tuple(x.shape), spatial_scale, pooled_h, pooled_w, sampling_ratio, aligned)
        ctx.save_for_backward(rois)
        return _roi_align_apply(x, rois, spatial_scale, pooled_h, pooled_w, sampling_ratio, aligned)

    @staticmethod
    def backward(ctx, g):
        rois, = ctx.saved_tensors
        return _RoIAlignGrad.apply(g, rois, *ctx.params), None


class _RoIAlignGrad(Op):
    """The input gradient as an op of its own: linear in ``g``, so its gradient is roi_align itself."""
    node_name = "RoIAlignBackwardBackward0"

    @staticmethod
    def forward(ctx, g, rois, input_shape, spatial_scale, pooled_h, pooled_w, sampling_ratio, aligned):
        ctx.params = (spatial_scale, pooled_h, pooled_w, sampling_ratio, aligned)
        ctx.save_for_backward(rois)
        return _roi_align_adjoint(g, rois, input_shape, spatial_scale, pooled_h, pooled_w, sampling_ratio, aligned)

    @staticmethod
    def backward(ctx, gg):
        rois, = ctx.saved_tensors
        return _RoIAlign.apply(gg, rois, *ctx.params), None


def _check_roi_inputs(name, input, rois):
    if not isinstance(input, Tensor) or input.dim() != 4:
        got = tuple(input.shape) if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(f"{name}: input must be a 4-D (N, C, H, W) Tensor, got {got}")
    if not input.is_floating_point():
        raise RuntimeError(f"{name}: input must be floating point, got {input.dtype}")
    if rois.dtype != input.dtype:
        raise RuntimeError(f"{name}: Expected tensor for argument #1 'input' to have the same type as tensor for "
                           f"argument #2 'rois'; but type {input.dtype} does not equal {rois.dtype} "
                           f"(convert the boxes with .to(input.dtype))")
    if rois.numel():
        b = rois[:, 0].detach()
        lo, hi = float(b.min()), float(b.max())
        if lo < 0 or hi >= input.shape[0]:
            raise IndexError(f"{name}: RoI batch indices must lie in [0, {input.shape[0] - 1}] for an input of "
                             f"{input.shape[0]} images, got values in [{lo:g}, {hi:g}]")


def _as_rois(boxes):
    check_roi_boxes_shape(boxes)
    return boxes if isinstance(boxes, Tensor) else convert_boxes_to_roi_format(boxes)


def roi_align(input, boxes, output_size, spatial_scale=1.0, sampling_ratio=-1, aligned=False):
    """RoI Align: a fixed-size (PH, PW) feature for each box, by averaging bilinear samples per bin.

    Args:
        input (Tensor[N, C, H, W]): the feature map.
        boxes (Tensor[K, 5] or List[Tensor[L, 4]]): ``(batch index, x1, y1, x2, y2)`` rows, or one
            ``(x1, y1, x2, y2)`` tensor per image; coordinates are in the input image's frame.
        output_size (int or (int, int)): (PH, PW).
        spatial_scale (float): scales box coordinates to the feature map (e.g. 1/16 for stride 16).
        sampling_ratio (int): samples per bin along each axis; <= 0 means adaptive (``ceil(roi_size / P)``).
        aligned (bool): shift boxes by -0.5 pixel so that sample points align with pixel centres.

    Returns:
        Tensor[K, C, PH, PW]
    """
    rois = _as_rois(boxes)
    _check_roi_inputs("roi_align", input, rois)
    ph, pw = _pair(output_size)
    return _RoIAlign.apply(input, rois.detach(), float(spatial_scale), int(ph), int(pw), int(sampling_ratio),
                           bool(aligned))


class RoIAlign(Module):
    """See :func:`roi_align`."""

    def __init__(self, output_size, spatial_scale, sampling_ratio, aligned=False):
        super().__init__()
        self.output_size = output_size
        self.spatial_scale = spatial_scale
        self.sampling_ratio = sampling_ratio
        self.aligned = aligned

    def forward(self, input, rois):
        return roi_align(input, rois, self.output_size, self.spatial_scale, self.sampling_ratio, self.aligned)

    def __repr__(self):
        return (f"{self.__class__.__name__}(output_size={self.output_size}, spatial_scale={self.spatial_scale}, "
                f"sampling_ratio={self.sampling_ratio}, aligned={self.aligned})")
