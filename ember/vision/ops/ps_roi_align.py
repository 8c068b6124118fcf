"""torchvision.ops.ps_roi_align / PSRoIAlign (position-sensitive RoI Align, R-FCN https://arxiv.org/abs/1605.06409).

Output bin (ph, pw) of output channel c reads only input channel ``(c * PH + ph) * PW + pw``, so an input with
C channels gives C / (PH * PW) output channels. The sampling is RoI Align's with torchvision's ps geometry: boxes
shifted by -0.5 pixel, no minimum size, adaptive grids ``ceil(roi_size / P)`` (a zero-sample bin is 0/0, NaN, as
in torchvision). Like roi_align, the per-RoI map is separable, ``A_y X A_x^T``, evaluated one bin row at a time
with matrix products.
"""
import numpy as np

from ...autograd.function import Op
from ..._backend import xp_of
from ...nn import Module
from ._utils import _pair
from .roi_align import _as_rois, _axis_weights, _check_roi_inputs, _chunks, _compute_dtype

__all__ = ["ps_roi_align", "PSRoIAlign"]


def _ps_align_weights(xp, rois, spatial_scale, pooled_h, pooled_w, sampling_ratio, size_h, size_w, dt):
    """Per-RoI batch index, a function idx -> (A_y, A_x), and a mask of the RoIs whose bins have no sample."""
    r = rois.astype(np.float64)
    x1, y1, x2, y2 = [(r[:, i] * spatial_scale - 0.5).astype(dt) for i in (1, 2, 3, 4)]
    roi_w, roi_h = x2 - x1, y2 - y1
    bin_h, bin_w = roi_h / dt.type(pooled_h), roi_w / dt.type(pooled_w)
    if sampling_ratio > 0:
        gh = gw = xp.full(r.shape[0], sampling_ratio, dtype=np.int64)
    else:
        gh = xp.ceil(roi_h / dt.type(pooled_h)).astype(np.int64)
        gw = xp.ceil(roi_w / dt.type(pooled_w)).astype(np.int64)
    no_sample = gh * gw == 0

    def weights(idx):
        return (_axis_weights(xp, y1[idx], bin_h[idx], xp.maximum(gh[idx], 0), pooled_h, size_h, dt),
                _axis_weights(xp, x1[idx], bin_w[idx], xp.maximum(gw[idx], 0), pooled_w, size_w, dt))
    return r[:, 0].astype(np.int64), weights, no_sample


def _ps_apply(x, batch, weights, pooled_h, pooled_w, k):
    """out[r, c, ph, pw] = A_y[r, ph] @ x[b_r, (c, ph, pw)] @ A_x[r, pw]^T for every RoI r -> (K, C', PH, PW)."""
    xp = xp_of(x)
    n, c, h, w = x.shape
    cout = c // (pooled_h * pooled_w)
    xr = x.reshape(n, cout, pooled_h, pooled_w, h, w)
    out = xp.zeros((k, cout, pooled_h, pooled_w), dtype=x.dtype)
    if k == 0 or cout == 0:
        return out
    for b, idx in _chunks(xp, batch, max(cout * pooled_w * w, pooled_h * h * 4, pooled_w * w * 4)):
        m = idx.shape[0]
        ay, ax = weights(idx)
        for ph in range(pooled_h):       # one bin row at a time: the channel block differs per row
            t = ay[:, ph] @ xr[b, :, ph].transpose(2, 0, 1, 3).reshape(h, cout * pooled_w * w)
            out[idx, :, ph, :] = (t.reshape(m, cout, pooled_w, w) * ax[:, None]).sum(-1)
    return out


def _ps_adjoint(g, batch, weights, pooled_h, pooled_w, input_shape):
    """The transpose of :func:`_ps_apply`: g (K, C', PH, PW) -> (N, C, H, W)."""
    xp = xp_of(g)
    n, c, h, w = input_shape
    cout = c // (pooled_h * pooled_w)
    gi = xp.zeros((n, cout, pooled_h, pooled_w, h, w), dtype=g.dtype)
    if g.shape[0] and cout:
        for b, idx in _chunks(xp, batch, max(cout * pooled_w * w, pooled_h * h * 4, pooled_w * w * 4)):
            m = idx.shape[0]
            ay, ax = weights(idx)
            for ph in range(pooled_h):
                t = g[idx][:, :, ph, :, None] * ax[:, None]                         # (m, C', PW, W)
                t = ay[:, ph].T @ t.reshape(m, cout * pooled_w * w)                 # (H, C' * PW * W)
                gi[b, :, ph] += t.reshape(h, cout, pooled_w, w).transpose(1, 2, 0, 3)
    return gi.reshape(n, c, h, w)


class _PSRoIAlign(Op):
    node_name = "PSRoIAlignBackward0"

    @staticmethod
    def forward(ctx, x, rois, spatial_scale, pooled_h, pooled_w, sampling_ratio):
        ctx.params = (tuple(x.shape), spatial_scale, pooled_h, pooled_w, sampling_ratio)
        ctx.save_for_backward(rois)
        dt = _compute_dtype(x.dtype)
        batch, weights, no_sample = _ps_align_weights(xp_of(x), rois, spatial_scale, pooled_h, pooled_w,
                                                      sampling_ratio, x.shape[2], x.shape[3], dt)
        out = _ps_apply(x.astype(dt, copy=False), batch, weights, pooled_h, pooled_w, rois.shape[0])
        out[no_sample] = np.nan         # torchvision divides the empty sum by a zero sample count
        return out.astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        rois, = ctx.saved_tensors
        return _PSRoIAlignGrad.apply(g, rois, *ctx.params), None


class _PSRoIAlignGrad(Op):
    node_name = "PSRoIAlignBackwardBackward0"

    @staticmethod
    def forward(ctx, g, rois, input_shape, spatial_scale, pooled_h, pooled_w, sampling_ratio):
        ctx.params = (spatial_scale, pooled_h, pooled_w, sampling_ratio)
        ctx.save_for_backward(rois)
        dt = _compute_dtype(g.dtype)
        batch, weights, _ = _ps_align_weights(xp_of(g), rois, spatial_scale, pooled_h, pooled_w, sampling_ratio,
                                              input_shape[2], input_shape[3], dt)
        return _ps_adjoint(g.astype(dt, copy=False), batch, weights, pooled_h, pooled_w, input_shape).astype(g.dtype)

    @staticmethod
    def backward(ctx, gg):
        rois, = ctx.saved_tensors
        return _PSRoIAlign.apply(gg, rois, *ctx.params), None


def _check_ps_channels(name, input, ph, pw):
    if input.shape[1] % (ph * pw) != 0:
        raise RuntimeError(f"input channels must be a multiple of pooling height * pooling width ({name}: "
                           f"{input.shape[1]} channels, output_size ({ph}, {pw}))")


def ps_roi_align(input, boxes, output_size, spatial_scale=1.0, sampling_ratio=-1):
    """Position-sensitive RoI Align.

    Args:
        input (Tensor[N, C, H, W]): C a multiple of PH * PW.
        boxes (Tensor[K, 5] or List[Tensor[L, 4]]): as for :func:`roi_align`.
        output_size (int or (int, int)): (PH, PW).
        spatial_scale (float): scales box coordinates to the feature map.
        sampling_ratio (int): samples per bin along each axis; <= 0 means adaptive.

    Returns:
        Tensor[K, C / (PH * PW), PH, PW]
    """
    rois = _as_rois(boxes)
    _check_roi_inputs("ps_roi_align", input, rois)
    ph, pw = _pair(output_size)
    _check_ps_channels("ps_roi_align", input, ph, pw)
    return _PSRoIAlign.apply(input, rois.detach(), float(spatial_scale), int(ph), int(pw), int(sampling_ratio))


class PSRoIAlign(Module):
    """See :func:`ps_roi_align`."""

    def __init__(self, output_size, spatial_scale, sampling_ratio):
        super().__init__()
        self.output_size = output_size
        self.spatial_scale = spatial_scale
        self.sampling_ratio = sampling_ratio

    def forward(self, input, rois):
        return ps_roi_align(input, rois, self.output_size, self.spatial_scale, self.sampling_ratio)

    def __repr__(self):
        return (f"{self.__class__.__name__}(output_size={self.output_size}, spatial_scale={self.spatial_scale}, "
                f"sampling_ratio={self.sampling_ratio})")
