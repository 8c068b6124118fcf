"""``F.affine_grid`` and ``F.grid_sample``: spatial transformers (2-D and 3-D).

``affine_grid`` maps a regular grid of normalised output coordinates through a batch of affine
matrices; it is composed of differentiable ops (a matmul), so its gradient comes from them.

``grid_sample`` reads ``input`` at the grid's points. Each point's value is a weighted sum of a few
input "taps" (2^d neighbours for bilinear, one for nearest, 4x4 for bicubic); the forward gathers the
taps and the backward scatters the gradient back onto them (input) and differentiates the tap weights
with respect to the sampling coordinate (grid), as PyTorch's kernels do.
"""
__all__ = ["affine_grid_generator", "grid_sampler"]
__functional__ = ["affine_grid", "grid_sample"]

import itertools
import math
import warnings

from ._fused import GradOp, fused_grads, pack
from ._util import Op, Tensor, xp_of
from .creation import linspace, ones
from .join import stack

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                  "Please specify align_corners=True if the old behavior is desired. See the documentation of "
                  "grid_sample for details.")
_MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
_PADDINGS = {"zeros": 0, "border": 1, "reflection": 2}
_CUBIC_A = -0.75    # PyTorch's (and OpenCV's) cubic convolution coefficient


# ---------------------------------------------------------------- affine_grid
def _base_coords(n, align_corners, like):
    """n normalised coordinates in [-1, 1]: the pixel centres (align_corners=False) or edges (True)."""
    if n <= 1:
        return linspace(0, 0, n, dtype=like.dtype, device=like.device)   # PyTorch: a unit dim samples the centre
    c = linspace(-1, 1, n, dtype=like.dtype, device=like.device)
    return c if align_corners else c * ((n - 1) / n)


def affine_grid_generator(theta, size, align_corners):
    """``theta`` (N, d, d+1), ``size`` (N, C, *spatial) -> grid (N, *spatial, d) with coordinates (x, y[, z])."""
    n, spatial = size[0], list(size[2:])
    d = len(spatial)
    axes = [_base_coords(s, align_corners, theta) for s in reversed(spatial)]   # x (last dim) first
    # base[..., k] is coordinate k (x, y, z) broadcast over the output grid, then a column of ones
    cols = []
    for k, a in enumerate(axes):
        shape = [1] * d
        shape[d - 1 - k] = spatial[d - 1 - k]
        cols.append(a.reshape(shape).expand(*spatial))
    cols.append(ones(spatial, dtype=theta.dtype, device=theta.device))
    base = stack(cols, dim=-1)                                                       # (*spatial, d + 1)
    grid = base.reshape(1, -1, d + 1).matmul(theta.transpose(1, 2))                  # (N, prod, d)
    return grid.reshape([n] + spatial + [d])


def affine_grid(theta, size, align_corners=None):
    r"""The sampling grid of a batch of affine transforms, for ``grid_sample``.

    Shapes: ``theta`` :math:`(N, 2, 3)` with ``size`` :math:`(N, C, H, W)` gives :math:`(N, H, W, 2)`;
    ``theta`` :math:`(N, 3, 4)` with ``size`` :math:`(N, C, D, H, W)` gives :math:`(N, D, H, W, 3)`.
    Coordinates are normalised to [-1, 1]: -1 is the first pixel's centre (``align_corners=True``) or
    its outer edge (``False``, the default).
    """
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(size)
    if len(size) == 4:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. Got "
                             f"{theta.shape}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. Got "
                             f"{theta.shape}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the documentation "
                      "of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if theta.shape[0] != size[0]:
        d = len(spatial)
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{size[0]}, {d + 1}] "
                           f"but got: [{theta.shape[0]}, {d + 1}].")
    return affine_grid_generator(theta, size, align_corners)


# ---------------------------------------------------------------- source coordinates
def _reflect(xp, c, twice_low, twice_high):
    """Reflect ``c`` into [twice_low/2, twice_high/2] (mirror at the ends); also d(result)/dc (±1)."""
    if twice_low == twice_high:
        return xp.zeros_like(c), xp.zeros_like(c)
    lo, span = twice_low / 2, (twice_high - twice_low) / 2
    sign = xp.where(c < lo, -1, 1).astype(c.dtype)
    c = xp.abs(c - lo)
    extra = xp.fmod(c, span)
    flips = xp.floor(c / span)
    odd = (flips % 2) == 1
    return xp.where(odd, span - extra, extra) + lo, xp.where(odd, -sign, sign)


def _clip(xp, c, size):
    """Clamp to [0, size - 1]; the derivative is 0 where clamped (and at the ends, as PyTorch)."""
    inside = (c > 0) & (c < size - 1)
    return xp.clip(c, 0, size - 1), inside.astype(c.dtype)


def _pad_coords(xp, c, size, padding, align_corners):
    """Apply ``padding`` ('zeros' none, 'border' clamp, 'reflection' mirror then clamp); also its derivative."""
    if padding == "zeros":
        return c, xp.ones_like(c)
    dc = xp.ones_like(c)
    if padding == "reflection":
        if align_corners:
            c, dc = _reflect(xp, c, 0, 2 * (size - 1))
        else:
            c, dc = _reflect(xp, c, -1, 2 * size - 1)
    c, dclip = _clip(xp, c, size)
    return c, dc * dclip


def _unnormalize(c, size, align_corners):
    """[-1, 1] -> pixel coordinate; also its (constant) derivative."""
    if align_corners:
        return (c + 1) / 2 * (size - 1), (size - 1) / 2
    return ((c + 1) * size - 1) / 2, size / 2


def _cubic_weights(xp, t):
    """The 4 cubic-convolution weights of the taps at offsets -1, 0, 1, 2 from floor, and their derivatives."""
    a = _CUBIC_A

    def near(x):       # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1, ((3 * (a + 2)) * x - 2 * (a + 3)) * x

    def far(x):        # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a, (3 * a * x - 10 * a) * x + 8 * a

    w0, d0 = far(t + 1)
    w1, d1 = near(t)
    w2, d2 = near(1 - t)
    w3, d3 = far(2 - t)
    return (w0, w1, w2, w3), (d0, d1, -d2, -d3)


def _taps(xp, x_src, sizes, mode, padding, align_corners):
    """The taps of every grid point: a list of (indices per dim, weight, d weight / d coordinate per dim)."""
    per_dim = []    # per dim: list of (index, weight, dweight)
    for c, size in zip(x_src, sizes):
        if mode == "nearest":
            idx = xp.rint(c)     # round half to even, as PyTorch's nearbyint
            per_dim.append([(idx, 1.0, 0.0)])
        elif mode == "bilinear":
            f = xp.floor(c)
            t = c - f
            per_dim.append([(f, 1 - t, -1.0), (f + 1, t, 1.0)])
        else:
            f = xp.floor(c)
            ws, ds = _cubic_weights(xp, c - f)
            # bicubic pads each tap's index (not the coordinate), as PyTorch's get_value_bounded does
            taps = []
            for k in range(4):
                i = f + (k - 1)
                if padding != "zeros":
                    i = _pad_coords(xp, i, size, padding, align_corners)[0]
                taps.append((i, ws[k], ds[k]))
            per_dim.append(taps)
    out = []
    for combo in itertools.product(*per_dim):
        w = 1.0
        for _, wk, _ in combo:
            w = w * wk
        dws = []
        for d in range(len(combo)):
            dw = combo[d][2]
            for e, (_, we, _) in enumerate(combo):
                if e != d:
                    dw = dw * we
            dws.append(dw)
        out.append(([i for i, _, _ in combo], w, dws))
    return out


def _sample_setup(xp, x, grid, mode, padding, align_corners):
    """Source coordinates (one (N, P) array per spatial dim of ``x``), their d/d grid, and the taps."""
    n, sizes = x.shape[0], x.shape[2:]
    nd = len(sizes)
    g = grid.reshape(n, -1, nd)
    coords, dcoords = [], []
    for k in range(nd):                        # grid's (x, y, z) index the input's last, ..., first spatial dims
        size = sizes[nd - 1 - k]
        c, dun = _unnormalize(g[..., k], size, align_corners)
        if mode == "bicubic":                  # bicubic pads per tap, in _taps
            dc = xp.full_like(c, dun)
        else:
            c, dpad = _pad_coords(xp, c, size, padding, align_corners)
            dc = dpad * dun
        coords.append(c)
        dcoords.append(dc)
    coords, dcoords = coords[::-1], dcoords[::-1]      # now in the input's dim order
    return coords, dcoords, _taps(xp, coords, sizes, mode, padding, align_corners)


def _flat_index(xp, idx, sizes):
    """Flattened in-plane index of integer-valued float tap coordinates, and the in-bounds mask."""
    valid = True
    flat = 0
    for i, s in zip(idx, sizes):
        valid = valid & (i >= 0) & (i <= s - 1)
        flat = flat * s + xp.clip(i, 0, s - 1).astype(xp.int64)
    return flat, valid


class GridSampler(Op):
    node_name = "GridSampler2DBackward0"

    @staticmethod
    def forward(ctx, x, grid, mode, padding, align_corners):
        xp = xp_of(x)
        n, ch, sizes = x.shape[0], x.shape[1], x.shape[2:]
        _, _, taps = _sample_setup(xp, x, grid, mode, padding, align_corners)
        xf = x.reshape(n, ch, -1)
        out = xp.zeros((n, ch, math.prod(grid.shape[1:-1])), dtype=x.dtype)
        for idx, w, _ in taps:
            flat, valid = _flat_index(xp, idx, sizes)
            v = xp.take_along_axis(xf, flat[:, None, :], axis=2)
            out += v * (w * valid).astype(x.dtype)[:, None, :]
        ctx.params = (mode, padding, align_corners)
        ctx.save_for_backward(x, grid)
        return out.reshape((n, ch) + grid.shape[1:-1])

    @staticmethod
    def backward(ctx, g):
        x, grid = ctx.saved_tensors
        needs = (ctx.needs_input_grad[0], ctx.needs_input_grad[1])
        return fused_grads(GridSamplerGrad, needs, g, x, grid, *ctx.params)


class GridSampler3D(GridSampler):
    node_name = "GridSampler3DBackward0"


class GridSamplerGrad(GradOp):
    node_name = "GridSampler2DBackwardBackward0"

    @staticmethod
    def forward(ctx, g, x, grid, mode, padding, align_corners, *, needs):
        xp = xp_of(x)
        n, ch, sizes = x.shape[0], x.shape[1], x.shape[2:]
        nd = len(sizes)
        _, dcoords, taps = _sample_setup(xp, x, grid, mode, padding, align_corners)
        gf = g.reshape(n, ch, -1)                                      # (N, C, P)
        xf = x.reshape(n, ch, -1)
        gx = xp.zeros((n, math.prod(sizes), ch), dtype=x.dtype)        # channels last for one add.at per tap
        gc = [xp.zeros(gf.shape[::2], dtype=x.dtype) for _ in range(nd)]
        rows = xp.arange(n)[:, None]
        for idx, w, dws in taps:
            flat, valid = _flat_index(xp, idx, sizes)
            mask = valid.astype(x.dtype)
            if needs[0]:
                xp.add.at(gx, (rows, flat), (gf * (w * mask)[:, None, :]).transpose(0, 2, 1))
            if needs[1] and mode != "nearest":
                gv = (xp.take_along_axis(xf, flat[:, None, :], axis=2) * gf).sum(1) * mask    # (N, P)
                for d in range(nd):
                    gc[d] += gv * dws[d]
        grad_x = gx.transpose(0, 2, 1).reshape(x.shape)
        # grid's last axis holds (x, y, z): the input's dims in reverse order
        grad_grid = xp.stack([gc[nd - 1 - k] * dcoords[nd - 1 - k] for k in range(nd)], axis=-1)
        return pack(needs, grad_x, grad_grid.reshape(grid.shape).astype(grid.dtype))


def _check(input, grid, mode):
    if input.dtype != grid.dtype:
        names = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16"}
        raise RuntimeError(f"expected scalar type {names.get(str(input.dtype)[6:], input.dtype)} but found "
                           f"{names.get(str(grid.dtype)[6:], grid.dtype)}")
    if input.dim() == 0 or grid.dim() == 0 or input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if grid.shape[-1] != input.dim() - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.dim() - 2} in last dimension, but "
                           f"got grid with sizes {list(grid.shape)}")
    if any(s <= 0 for s in input.shape[2:]):
        raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial dimensions, but input has "
                           f"sizes {list(input.shape)} with dimension {2 + list(input.shape[2:]).index(0)} being "
                           "empty")
    if input.dim() not in (4, 5) or grid.dim() != input.dim():
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, but "
                           f"got input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if mode == "bicubic" and input.dim() != 4:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")


def grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners):
    """``torch.grid_sampler``: modes and paddings as integers (0 bilinear/zeros, 1 nearest/border, 2 bicubic/reflection)."""
    mode = list(_MODES)[interpolation_mode]
    padding = list(_PADDINGS)[padding_mode]
    _check(input, grid, mode)
    op = GridSampler if input.dim() == 4 else GridSampler3D
    return op.apply(input, grid, mode, padding, bool(align_corners))


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    r"""Sample ``input`` at the normalised coordinates of ``grid`` (the spatial transformer's sampler).

    Shapes: input :math:`(N, C, H_{in}, W_{in})`, grid :math:`(N, H_{out}, W_{out}, 2)` ->
    :math:`(N, C, H_{out}, W_{out})`; or 3-D: input :math:`(N, C, D, H, W)`, grid :math:`(N, D', H', W', 3)`.
    ``grid[..., 0]`` is x (the width axis), ``grid[..., 1]`` y, ``grid[..., 2]`` z; -1 and 1 are the first
    and last pixels' centres (``align_corners=True``) or outer edges (``False``, the default).

    Args:
        mode: ``'bilinear'`` (trilinear in 3-D), ``'nearest'`` or ``'bicubic'`` (2-D only)
        padding_mode: the value outside the input: ``'zeros'``, ``'border'`` (the nearest edge pixel) or
            ``'reflection'`` (mirrored at the border)
    """
    if mode not in _MODES:
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode not in _PADDINGS:
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not isinstance(input, Tensor) or not isinstance(grid, Tensor):
        raise TypeError("grid_sample(): input and grid must be Tensors")
    return grid_sampler(input, grid, _MODES[mode], _PADDINGS[padding_mode], align_corners)
