"""Resampling: ``interpolate`` (``upsample``, ``upsample_nearest``, ``upsample_bilinear``), ``pixel_shuffle``,
``pixel_unshuffle``.

Both interpolation families are separable, one spatial dim at a time:
nearest is a gather along the dim (backward: ``add.at`` along it), and
linear, bicubic and the antialiased modes are a product with a small (out, in)
matrix holding the weights of every output position (backward: the transposed
matrix). Coordinates follow
PyTorch's ``area_pixel_compute_source_index`` (align_corners, scale_factor).
"""

__all__ = ['pixel_shuffle', 'pixel_unshuffle']
__functional__ = ['interpolate', 'upsample', 'upsample_nearest', 'upsample_bilinear', 'pixel_shuffle',
                  'pixel_unshuffle']

import math
import warnings

from ._fused import GradOp, fused_grads
from ._util import Op, Tensor, xp_of
from .pool import AdaptiveAvgPool, _apply_mats


def _nearest_index(xp, n_in, n_out, scale, exact):
    """Source index of every output position (PyTorch's nearest / nearest-exact rules)."""
    s = n_in / n_out if scale is None else 1.0 / scale
    dst = xp.arange(n_out, dtype=xp.float64)
    src = xp.floor((dst + 0.5) * s) if exact else xp.floor(dst * s)
    return xp.minimum(src.astype(xp.int64), n_in - 1)


def _linear_matrix(xp, n_in, n_out, scale, align_corners, dtype):
    """(n_out, n_in) matrix of linear-interpolation weights along one dim."""
    dst = xp.arange(n_out, dtype=xp.float64)
    if align_corners:
        src = dst * ((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
    else:
        s = n_in / n_out if scale is None else 1.0 / scale
        src = xp.maximum((dst + 0.5) * s - 0.5, 0.0)
    i0 = xp.minimum(xp.floor(src).astype(xp.int64), n_in - 1)
    i1 = xp.minimum(i0 + 1, n_in - 1)
    lam = src - i0
    m = xp.zeros((n_out, n_in), dtype=xp.float64)
    rows = xp.arange(n_out)
    m[rows, i0] += 1.0 - lam
    m[rows, i1] += lam
    return m.astype(dtype)


def _scale(n_in, n_out, scale, align_corners):
    """Input positions per output position (PyTorch's ``area_pixel_compute_scale``)."""
    if align_corners:
        return (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    return 1.0 / scale if scale is not None and scale > 0 else n_in / n_out


def _cubic(x, a):
    """Keys' cubic convolution kernel at |x| (``a``: -0.75 plain bicubic, -0.5 antialiased, as PyTorch)."""
    xp = xp_of(x)
    x = xp.abs(x)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return xp.where(x < 1, near, xp.where(x < 2, far, 0.0))


def _cubic_matrix(xp, n_in, n_out, scale, align_corners, dtype):
    """(n_out, n_in) bicubic weights: four taps around each source position, clamped at the borders."""
    s = _scale(n_in, n_out, scale, align_corners)
    dst = xp.arange(n_out, dtype=xp.float64)
    src = dst * s if align_corners else (dst + 0.5) * s - 0.5     # not clamped at 0, unlike bilinear
    i0 = xp.floor(src)
    taps = xp.arange(-1, 3)
    w = _cubic(src[:, None] - (i0[:, None] + taps), -0.75)
    idx = xp.clip(i0.astype(xp.int64)[:, None] + taps, 0, n_in - 1)
    m = xp.zeros((n_out, n_in), dtype=xp.float64)
    xp.add.at(m, (xp.arange(n_out)[:, None], idx), w)
    return m.astype(dtype)


def _lanczos(x):
    """Lanczos-3: sinc(x) sinc(x / 3) on [-3, 3) (PIL's filter)."""
    xp = xp_of(x)
    return xp.where((x >= -3) & (x < 3), xp.sinc(x) * xp.sinc(x / 3), 0.0)


_AA_FILTERS = {"bilinear": (1.0, lambda x: xp_of(x).maximum(1.0 - xp_of(x).abs(x), 0.0)),
               "bicubic": (2.0, lambda x: _cubic(x, -0.5)), "lanczos": (3.0, _lanczos)}


def _antialias_matrix(xp, n_in, n_out, scale, align_corners, dtype, mode):
    """(n_out, n_in) antialiased weights (PyTorch's ``_compute_index_ranges_weights``, as PIL): when shrinking,
    the triangle (bilinear), cubic (a = -0.5) or Lanczos-3 filter is stretched by the scale so that every input
    pixel contributes; each row is normalised to sum to 1."""
    s = _scale(n_in, n_out, scale, align_corners)
    half_width, filt = _AA_FILTERS[mode]
    support = half_width * max(s, 1.0)
    inv = 1.0 / s if s >= 1.0 else 1.0
    center = s * (xp.arange(n_out, dtype=xp.float64) + 0.5)
    lo = xp.maximum(xp.trunc(center - support + 0.5), 0)
    hi = xp.minimum(xp.trunc(center + support + 0.5), n_in)
    j = xp.arange(n_in, dtype=xp.float64)
    x = (j[None, :] - center[:, None] + 0.5) * inv
    w = filt(x)
    w = xp.where((j[None, :] >= lo[:, None]) & (j[None, :] < hi[:, None]), w, 0.0)
    total = w.sum(axis=1, keepdims=True)
    return xp.divide(w, total, out=w, where=total != 0).astype(dtype)


class NearestGrad(GradOp):
    node_name = "UpsampleNearest2DBackwardBackward0"

    @staticmethod
    def forward(ctx, g, idx, in_sz, *, needs):
        xp = xp_of(g)
        nd = len(idx)
        for d in range(nd - 1, -1, -1):
            ax = g.ndim - nd + d
            shape = list(g.shape)
            shape[ax] = in_sz[d]
            out = xp.zeros(shape, dtype=g.dtype)
            xp.add.at(out, (slice(None),) * ax + (idx[d],), g)
            g = out
        return g


class Nearest(Op):
    node_name = "UpsampleNearest2DBackward0"

    @staticmethod
    def forward(ctx, x, idx):
        xp = xp_of(x)
        nd = len(idx)
        in_sz = x.shape[-nd:]
        for d, ix in enumerate(idx):
            x = xp.take(x, ix, axis=x.ndim - nd + d)
        ctx.info = (idx, in_sz)
        return x

    @staticmethod
    def backward(ctx, g):
        return fused_grads(NearestGrad, (True,), g, *ctx.info)[0]


class LinearGrad(GradOp):
    node_name = "UpsampleBilinear2DBackwardBackward0"

    @staticmethod
    def forward(ctx, g, mats, *, needs):
        return _apply_mats(xp_of(g), g, [m.T for m in mats])


class Linear(Op):
    node_name = "UpsampleBilinear2DBackward0"

    @staticmethod
    def forward(ctx, x, mats):
        ctx.mats = mats
        return _apply_mats(xp_of(x), x, mats)

    @staticmethod
    def backward(ctx, g):
        return fused_grads(LinearGrad, (True,), g, ctx.mats)[0]


class Bicubic(Linear):
    node_name = "UpsampleBicubic2DBackward0"


class BilinearAntialias(Linear):
    node_name = "UpsampleBilinear2DAaBackward0"


class BicubicAntialias(Linear):
    node_name = "UpsampleBicubic2DAaBackward0"


class LanczosAntialias(Linear):
    node_name = "UpsampleLanczos2DAaBackward0"


_ANTIALIAS_OPS = {"bilinear": BilinearAntialias, "bicubic": BicubicAntialias, "lanczos": LanczosAntialias}
_MODE_DIMS = {"linear": 1, "bilinear": 2, "trilinear": 3, "bicubic": 2}


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize (N, C, *spatial) to ``size`` or by ``scale_factor``.

    Modes: ``'nearest'``, ``'nearest-exact'``, ``'linear'`` (3-D input), ``'bilinear'`` (4-D),
    ``'bicubic'`` (4-D), ``'trilinear'`` (5-D), ``'area'`` (adaptive average pooling). ``align_corners=True``
    maps the corner pixels of input and output onto each other (linear and cubic modes only).
    ``antialias=True`` (bilinear, bicubic, and ``'lanczos'``, which requires it): when shrinking, every input
    pixel contributes (as PIL and torchvision's ``Resize`` on tensors).
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"interpolate(): argument 'input' must be Tensor, not {type(input).__name__}")
    nd = input.ndim - 2
    if nd < 1:
        raise ValueError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for the "
                         f"modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got "
                         f"{mode})")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    if mode in _MODE_DIMS and _MODE_DIMS[mode] != nd:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {_MODE_DIMS[mode] + 2}D input")
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and nd == 2):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a "
                         f"4-D tensor as input (got mode '{mode}' and a {input.ndim}-D input)")
    if mode == "lanczos" and nd == 2:
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    in_sz = tuple(input.shape[2:])
    scales = [None] * nd
    if size is not None:
        out_sz = tuple(int(s) for s in size) if isinstance(size, (list, tuple)) else (int(size),) * nd
        if len(out_sz) != nd:
            raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input "
                             f"with spatial dimensions of {list(in_sz)} and output size of {list(out_sz)}. Please "
                             "provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, "
                             "...,oK) format.")
    elif scale_factor is not None:
        sf = tuple(float(s) for s in scale_factor) if isinstance(scale_factor, (list, tuple)) \
            else (float(scale_factor),) * nd
        if len(sf) != nd:
            raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got input "
                             f"with spatial dimensions of {list(in_sz)} and scale_factor of shape {list(sf)}.")
        out_sz = tuple(int(math.floor(s * f)) for s, f in zip(in_sz, sf))
        if not recompute_scale_factor:
            scales = list(sf)
    else:
        raise ValueError("either size or scale_factor should be defined")
    xp = input._xp()
    if mode in ("nearest", "nearest-exact"):
        idx = tuple(_nearest_index(xp, i, o, s, mode == "nearest-exact") for i, o, s in zip(in_sz, out_sz, scales))
        return Nearest.apply(input, idx)
    if mode == "area":
        return AdaptiveAvgPool.apply(input, out_sz)
    dt = input._data.dtype
    if antialias:
        mats = [_antialias_matrix(xp, i, o, s, align_corners, dt, mode) for i, o, s in zip(in_sz, out_sz, scales)]
        return _ANTIALIAS_OPS[mode].apply(input, mats)
    if mode == "bicubic":
        return Bicubic.apply(input, [_cubic_matrix(xp, i, o, s, align_corners, dt)
                                     for i, o, s in zip(in_sz, out_sz, scales)])
    if mode in ("linear", "bilinear", "trilinear"):
        mats = [_linear_matrix(xp, i, o, s, align_corners, dt) for i, o, s in zip(in_sz, out_sz, scales)]
        return Linear.apply(input, mats)
    raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for the "
                              f"modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got "
                              f"{mode})")


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of ``interpolate``."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='nearest')``."""
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def pixel_shuffle(input, upscale_factor):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r): move channel blocks into space (sub-pixel convolution)."""
    r = int(upscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    n = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W): the inverse of ``pixel_shuffle``."""
    r = int(downscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError(f"pixel_unshuffle expects height and width to be divisible by downscale_factor, but "
                           f"input.size(-2)={h} and input.size(-1)={w} are not divisible by {r}")
    n = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return x.reshape(*lead, c * r * r, h // r, w // r)
