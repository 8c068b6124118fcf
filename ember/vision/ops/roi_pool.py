"""torchvision.ops.roi_pool / RoIPool (Fast R-CNN, https://arxiv.org/abs/1504.08083).

Box corners are rounded to feature-map pixels (``round(coord * spatial_scale)``, half away from zero); the
box (at least 1x1, corners inclusive) is split into PH x PW bins with ``floor``/``ceil`` edges, and each
output is the maximum of its bin (0 for an empty bin). Ties go to the first pixel in row-major order, as in
torchvision's kernel. Bins are gathered for a chunk of RoIs at a time into a padded (.., Bh, Bw) window
and reduced with one argmax; the gradient goes to the argmax pixels.
"""
import numpy as np

from ... import _tensor
from ...autograd.function import Op
from ..._backend import xp_of
from ...nn import Module
from ._utils import _pair
from .roi_align import _CHUNK, _as_rois, _check_roi_inputs, _compute_dtype

Tensor = _tensor.Tensor

__all__ = ["roi_pool", "RoIPool"]


def _c_round(xp, v):
    """C's round(): half away from zero."""
    return xp.sign(v) * xp.floor(xp.abs(v) + 0.5)


def _bin_edges(xp, start, length, pooled, size, dt):
    """Clipped [start, end) pixel ranges (k, pooled) of the bins of RoIs starting at ``start`` (k,)."""
    bin_size = length.astype(dt) / dt.type(pooled)
    p = xp.arange(pooled, dtype=dt)[None, :]
    lo = xp.floor(p * bin_size[:, None]).astype(np.int64) + start[:, None]
    hi = xp.ceil((p + 1) * bin_size[:, None]).astype(np.int64) + start[:, None]
    return xp.clip(lo, 0, size), xp.clip(hi, 0, size)


def _roi_pool_apply(x, rois, spatial_scale, pooled_h, pooled_w):
    """Forward on arrays -> (output (K, C, PH, PW), argmax (K, C, PH, PW) flat index into x or -1)."""
    xp = xp_of(x)
    n, c, h, w = x.shape
    k = rois.shape[0]
    dt = _compute_dtype(x.dtype)
    out = xp.zeros((k, c, pooled_h, pooled_w), dtype=x.dtype)
    arg = xp.full((k, c, pooled_h, pooled_w), -1, dtype=np.int64)
    if k == 0 or c == 0:
        return out, arg
    r = rois.astype(np.float64)
    x1, y1, x2, y2 = [_c_round(xp, r[:, i] * spatial_scale).astype(np.int64) for i in (1, 2, 3, 4)]
    hs, he = _bin_edges(xp, y1, xp.maximum(y2 - y1 + 1, 1), pooled_h, h, dt)      # (k, PH)
    ws, we = _bin_edges(xp, x1, xp.maximum(x2 - x1 + 1, 1), pooled_w, w, dt)      # (k, PW)
    bh, bw = max(int((he - hs).max()), 1), max(int((we - ws).max()), 1)
    batch = r[:, 0].astype(np.int64)
    step = max(1, _CHUNK // max(c * pooled_h * pooled_w * bh * bw, 1))
    xf = x.astype(dt, copy=False)
    ii, jj = xp.arange(bh), xp.arange(bw)
    for s in range(0, k, step):
        sl = slice(s, s + step)
        rows = hs[sl, :, None] + ii                                   # (m, PH, Bh)
        cols = ws[sl, :, None] + jj                                   # (m, PW, Bw)
        rvalid, cvalid = rows < he[sl, :, None], cols < we[sl, :, None]
        rows, cols = xp.minimum(rows, h - 1), xp.minimum(cols, w - 1)
        b = batch[sl][:, None, None, None, None]
        vals = xf[b, :, rows[:, :, :, None, None], cols[:, None, None, :, :]]     # (m, PH, Bh, PW, Bw, C)
        valid = rvalid[:, :, :, None, None] & cvalid[:, None, None, :, :]
        vals = xp.where(valid[..., None], vals, -xp.inf)
        m = vals.shape[0]
        vals = vals.transpose(0, 5, 1, 3, 2, 4).reshape(m, c, pooled_h, pooled_w, bh * bw)
        best = xp.argmax(vals, axis=-1)                               # first maximum: row-major scan order
        val = xp.take_along_axis(vals, best[..., None], axis=-1)[..., 0]
        nonempty = (he[sl] > hs[sl])[:, None, :, None] & (we[sl] > ws[sl])[:, None, None, :]   # (m, 1, PH, PW)
        hh = hs[sl][:, None, :, None] + best // bw
        ww = ws[sl][:, None, None, :] + best % bw
        ch = xp.arange(c)[None, :, None, None]
        flat = ((batch[sl][:, None, None, None] * c + ch) * h + hh) * w + ww
        out[sl] = xp.where(nonempty, val, 0).astype(x.dtype)
        arg[sl] = xp.where(nonempty, flat, -1)
    return out, arg


class _RoIPool(Op):
    node_name = "RoIPoolBackward0"

    @staticmethod
    def forward(ctx, x, rois, spatial_scale, pooled_h, pooled_w):
        out, arg = _roi_pool_apply(x, rois, spatial_scale, pooled_h, pooled_w)
        ctx.input_shape = tuple(x.shape)
        ctx.argmax = arg            # integer bookkeeping, not a Tensor: no version check needed
        return out

    @staticmethod
    def backward(ctx, g):
        return _RoIPoolGrad.apply(g, ctx.argmax, ctx.input_shape), None


class _RoIPoolGrad(Op):
    """Scatter of the output gradient onto the argmax pixels (linear: its gradient is the gather back)."""
    node_name = "RoIPoolBackwardBackward0"

    @staticmethod
    def forward(ctx, g, argmax, input_shape):
        xp = xp_of(g)
        ctx.argmax = argmax
        gi = xp.zeros(int(np.prod(input_shape)), dtype=g.dtype)
        sel = argmax >= 0
        xp.add.at(gi, argmax[sel], g[sel])
        return gi.reshape(input_shape)

    @staticmethod
    def backward(ctx, gg):
        arg = ctx.argmax
        picked = gg.reshape(-1)[Tensor._wrap(xp_of(arg).maximum(arg, 0))]
        mask = Tensor._wrap(arg >= 0)
        return picked * mask, None, None


def roi_pool(input, boxes, output_size, spatial_scale=1.0):
    """RoI max pooling: a fixed-size (PH, PW) feature for each box, the maximum of each bin.

    Args:
        input (Tensor[N, C, H, W]): the feature map.
        boxes (Tensor[K, 5] or List[Tensor[L, 4]]): ``(batch index, x1, y1, x2, y2)`` rows, or one
            ``(x1, y1, x2, y2)`` tensor per image, in the input image's frame.
        output_size (int or (int, int)): (PH, PW).
        spatial_scale (float): scales box coordinates to the feature map.

    Returns:
        Tensor[K, C, PH, PW]
    """
    rois = _as_rois(boxes)
    _check_roi_inputs("roi_pool", input, rois)
    ph, pw = _pair(output_size)
    return _RoIPool.apply(input, rois.detach(), float(spatial_scale), int(ph), int(pw))


class RoIPool(Module):
    """See :func:`roi_pool`."""

    def __init__(self, output_size, spatial_scale):
        super().__init__()
        self.output_size = output_size
        self.spatial_scale = spatial_scale

    def forward(self, input, rois):
        return roi_pool(input, rois, self.output_size, self.spatial_scale)

    def __repr__(self):
        return f"{self.__class__.__name__}(output_size={self.output_size}, spatial_scale={self.spatial_scale})"
