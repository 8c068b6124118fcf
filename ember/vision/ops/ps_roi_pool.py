"""torchvision.ops.ps_roi_pool / PSRoIPool (position-sensitive RoI average pooling, R-FCN).

Box corners round to pixels (half away from zero); the box (at least 1x1, end exclusive) splits into PH x PW bins
with ``floor``/``ceil`` edges, and output bin (ph, pw) of channel c is the mean of input channel
``(c * PH + ph) * PW + pw`` over that bin (0 for an empty bin). A bin's mean is a separable average, so the map is
``A_y X A_x^T`` as for :mod:`ps_roi_align`.

torchvision's kernels clip the bins to ``[0, H - 1]`` / ``[0, W - 1]`` in the forward pass but to ``[0, H]`` /
``[0, W]`` when they spread the gradient; both are reproduced, so the input gradient equals torchvision's (for bins
that touch the last row or column it is not the derivative of the forward values).
"""
import numpy as np

from ...autograd.function import Op
from ..._backend import xp_of
from ...nn import Module
from ._utils import _pair
from .ps_roi_align import _check_ps_channels, _ps_adjoint, _ps_apply
from .roi_align import _as_rois, _check_roi_inputs, _compute_dtype
from .roi_pool import _c_round

__all__ = ["ps_roi_pool", "PSRoIPool"]


def _ps_pool_weights(xp, rois, spatial_scale, pooled_h, pooled_w, size_h, size_w, dt, clip_last):
    """Batch indices and idx -> (A_y, A_x): 1 / bin length on each bin's pixels. ``clip_last``: the forward's
    clipping to size - 1 (else the gradient's clipping to size)."""
    r = rois.astype(np.float64)
    x1, y1, x2, y2 = [_c_round(xp, r[:, i] * spatial_scale).astype(np.int64) for i in (1, 2, 3, 4)]
    roi_w, roi_h = xp.maximum(x2 - x1, 1), xp.maximum(y2 - y1, 1)

    def axis(start, length, pooled, size, idx):
        bin_size = length[idx].astype(dt) / dt.type(pooled)
        p = xp.arange(pooled, dtype=dt)[None, :]
        hi_clip = size - 1 if clip_last else size
        lo = xp.clip(xp.floor(p * bin_size[:, None]).astype(np.int64) + start[idx, None], 0, hi_clip)
        hi = xp.clip(xp.ceil((p + 1) * bin_size[:, None]).astype(np.int64) + start[idx, None], 0, hi_clip)
        pix = xp.arange(size)[None, None, :]
        inside = (pix >= lo[..., None]) & (pix < hi[..., None])
        return inside / xp.maximum(hi - lo, 1)[..., None].astype(dt)     # an empty bin has no pixel: all zero

    def weights(idx):
        return (axis(y1, roi_h, pooled_h, size_h, idx).astype(dt), axis(x1, roi_w, pooled_w, size_w, idx).astype(dt))
    return r[:, 0].astype(np.int64), weights


class _PSRoIPool(Op):
    node_name = "PSRoIPoolBackward0"

    @staticmethod
    def forward(ctx, x, rois, spatial_scale, pooled_h, pooled_w):
        ctx.params = (tuple(x.shape), spatial_scale, pooled_h, pooled_w)
        ctx.save_for_backward(rois)
        dt = _compute_dtype(x.dtype)
        batch, weights = _ps_pool_weights(xp_of(x), rois, spatial_scale, pooled_h, pooled_w, x.shape[2], x.shape[3],
                                          dt, clip_last=True)
        return _ps_apply(x.astype(dt, copy=False), batch, weights, pooled_h, pooled_w, rois.shape[0]).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        rois, = ctx.saved_tensors
        return _PSRoIPoolGrad.apply(g, rois, *ctx.params), None


class _PSRoIPoolGrad(Op):
    """torchvision's gradient map (bins clipped to the full size); linear in g, so its gradient is its transpose."""
    node_name = "PSRoIPoolBackwardBackward0"

    @staticmethod
    def forward(ctx, g, rois, input_shape, spatial_scale, pooled_h, pooled_w):
        ctx.params = (input_shape, spatial_scale, pooled_h, pooled_w)
        ctx.save_for_backward(rois)
        dt = _compute_dtype(g.dtype)
        batch, weights = _ps_pool_weights(xp_of(g), rois, spatial_scale, pooled_h, pooled_w, input_shape[2],
                                          input_shape[3], dt, clip_last=False)
        return _ps_adjoint(g.astype(dt, copy=False), batch, weights, pooled_h, pooled_w, input_shape).astype(g.dtype)

    @staticmethod
    def backward(ctx, gg):
        rois, = ctx.saved_tensors
        return _PSRoIPoolGradT.apply(gg, rois, *ctx.params), None


class _PSRoIPoolGradT(Op):
    """The transpose of :class:`_PSRoIPoolGrad` (pooling with the gradient's clipping)."""
    node_name = "PSRoIPoolBackwardBackwardBackward0"

    @staticmethod
    def forward(ctx, x, rois, input_shape, spatial_scale, pooled_h, pooled_w):
        ctx.params = (input_shape, spatial_scale, pooled_h, pooled_w)
        ctx.save_for_backward(rois)
        dt = _compute_dtype(x.dtype)
        batch, weights = _ps_pool_weights(xp_of(x), rois, spatial_scale, pooled_h, pooled_w, x.shape[2], x.shape[3],
                                          dt, clip_last=False)
        return _ps_apply(x.astype(dt, copy=False), batch, weights, pooled_h, pooled_w, rois.shape[0]).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        rois, = ctx.saved_tensors
        return _PSRoIPoolGrad.apply(g, rois, *ctx.params), None


def ps_roi_pool(input, boxes, output_size, spatial_scale=1.0):
    """Position-sensitive RoI average pooling.

    Args:
        input (Tensor[N, C, H, W]): C a multiple of PH * PW.
        boxes (Tensor[K, 5] or List[Tensor[L, 4]]): as for :func:`roi_pool`.
        output_size (int or (int, int)): (PH, PW).
        spatial_scale (float): scales box coordinates to the feature map.

    Returns:
        Tensor[K, C / (PH * PW), PH, PW]
    """
    rois = _as_rois(boxes)
    _check_roi_inputs("ps_roi_pool", input, rois)
    ph, pw = _pair(output_size)
    _check_ps_channels("ps_roi_pool", input, ph, pw)
    return _PSRoIPool.apply(input, rois.detach(), float(spatial_scale), int(ph), int(pw))


class PSRoIPool(Module):
    """See :func:`ps_roi_pool`."""

    def __init__(self, output_size, spatial_scale):
        super().__init__()
        self.output_size = output_size
        self.spatial_scale = spatial_scale

    def forward(self, input, rois):
        return ps_roi_pool(input, rois, self.output_size, self.spatial_scale)

    def __repr__(self):
        return f"{self.__class__.__name__}(output_size={self.output_size}, spatial_scale={self.spatial_scale})"
