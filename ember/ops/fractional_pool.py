"""Fractional max pooling (Graham, 2014): ``F.fractional_max_pool2d/3d`` and their ``_with_indices`` forms.

Each plane (sample, channel) pools ``kernel_size`` windows whose starts step by a pseudo-random mix of
floor(alpha) and ceil(alpha), alpha = (in - k) / (out - 1). One number u in [0, 1) per plane and spatial
dim (``_random_samples``, shape (N, C, nd)) fixes the steps::

    start[i] = int((i + u) * alpha) - int(u * alpha)   for i < out - 1,    start[out - 1] = in - k

computed in the input's dtype, as PyTorch does, so the same samples give the same windows. Pass
``_random_samples`` to make a call deterministic; without it they are drawn with ``rand``.

The forward gathers every window at once: (N, C, *out, prod(k)) values, one argmax. Windows may overlap,
so backward scatter-adds the gradient at the argmax positions.
"""

__all__ = []
__functional__ = ["fractional_max_pool2d", "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
                  "fractional_max_pool3d_with_indices"]

import math

from ._util import Op, Tensor, xp_of

# which column of ``_random_samples`` drives each spatial dim: PyTorch keeps (w, h) for 2-D, (t, h, w) for 3-D
_SAMPLE_COLUMN = {2: (1, 0), 3: (0, 1, 2)}
_DIM_WORDS = {2: ("height", "width"), 3: ("time", "height", "width")}


def _starts(xp, u, size, k, out):
    """Window starts (..., out) for input length ``size``, kernel ``k``, from samples ``u`` (...) in u's dtype."""
    dt = u.dtype
    starts = xp.empty(u.shape + (out,), dtype=xp.int64)
    if out == 0:
        return starts
    if out > 1:
        alpha = dt.type(size - k) / dt.type(out - 1)
        i = xp.arange(out - 1).astype(dt)
        first = ((i + u[..., None]) * alpha).astype(xp.int64)      # int64 casts truncate, as C++ does
        starts[..., :out - 1] = first - (u * alpha).astype(xp.int64)[..., None]
    starts[..., out - 1] = size - k
    return starts


def _window_positions(xp, samples, sp, ksize, out_sz):
    """Flat positions (N, C, *out_sz, prod(ksize)) in each input plane of every window element, scan order."""
    nd = len(sp)
    pos = 0
    for d in range(nd):
        u = samples[..., _SAMPLE_COLUMN[nd][d]]
        s = _starts(xp, u, sp[d], ksize[d], out_sz[d])                  # (N, C, out_d)
        idx = s[..., None] + xp.arange(ksize[d])                         # (N, C, out_d, k_d)
        # place out_d at axis 2 + d and k_d at axis 2 + nd + d of an (N, C, *out, *k) grid
        shape = list(idx.shape[:2]) + [1] * (2 * nd)
        shape[2 + d], shape[2 + nd + d] = out_sz[d], ksize[d]
        pos = pos * sp[d] + idx.reshape(shape)
    return pos.reshape(pos.shape[:2 + nd] + (math.prod(ksize),))


class FractionalMaxPool(Op):
    """(x (N, C, *sp), samples (>=N, C, nd)) -> (max (N, C, *out), flat argmax positions (N, C, *out))."""

    @staticmethod
    def forward(ctx, x, samples, ksize, out_sz):
        xp = xp_of(x)
        n, c = x.shape[:2]
        sp = x.shape[2:]
        pos = _window_positions(xp, samples[:n], sp, ksize, out_sz)
        flat = x.reshape(n, c, math.prod(sp))
        vals = xp.take_along_axis(flat, pos.reshape(n, c, math.prod(pos.shape[2:])), axis=2).reshape(pos.shape)
        arg = vals.argmax(axis=-1)                                       # the first maximum in scan order
        if vals.dtype.kind == "f":
            nan = xp.isnan(vals)
            if nan.any():                                                # PyTorch keeps the last NaN it meets
                last = nan.shape[-1] - 1 - nan[..., ::-1].argmax(axis=-1)
                arg = xp.where(nan.any(axis=-1), last, arg)
        idx = xp.take_along_axis(pos, arg[..., None], axis=-1)[..., 0]
        out = xp.take_along_axis(vals, arg[..., None], axis=-1)[..., 0]
        ctx.x_shape = x.shape
        ctx.save_for_backward(idx)
        ctx.mark_non_differentiable(idx)
        return out, idx

    @staticmethod
    def backward(ctx, g, gi=None):
        idx, = ctx.saved_tensors
        n, c = ctx.x_shape[:2]
        # overlapping windows may pick the same input element: accumulate
        gx = g.new_zeros((n, c, math.prod(ctx.x_shape[2:])))
        m = math.prod(idx.shape[2:])
        gx = gx.scatter_add(2, idx.reshape(n, c, m), g.reshape(n, c, m))
        return gx.reshape(ctx.x_shape), None


class FractionalMaxPool2D(FractionalMaxPool):
    node_name = "FractionalMaxPool2DBackward0"


class FractionalMaxPool3D(FractionalMaxPool):
    node_name = "FractionalMaxPool3DBackward0"


def _ints(v, nd, name, what):
    t = tuple(v) if isinstance(v, (tuple, list)) else (v,) * nd
    if len(t) != nd:
        raise RuntimeError(f"{name}: {what} must either be a single Int or tuple of Ints")
    return tuple(int(s) for s in t)


def _fractional(nd, input, kernel_size, output_size, output_ratio, _random_samples):
    name = f"fractional_max_pool{nd}d"
    where = f"{name}()" if nd == 2 else "fractional_max_pool3d_out()"
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{where}: Expected {nd + 1}D or {nd + 2}D tensor, but got: {list(input.shape)}")
    ksize = _ints(kernel_size, nd, name, "kernel_size")
    if any(k <= 0 for k in ksize):
        raise RuntimeError(f"{name}: kernel_size must be greater than zero, but got {list(ksize)}")
    sp = tuple(input.shape[-nd:])
    if output_size is None:
        ratio = tuple(output_ratio) if isinstance(output_ratio, (tuple, list)) else (output_ratio,) * nd
        if len(ratio) != nd:
            raise ValueError(f"{name} requires output_ratio to either be a single Int or tuple of Ints.")
        output_size = [int(s * r) for s, r in zip(sp, ratio)]
    out_sz = _ints(output_size, nd, name, "output_size")
    batched = input.ndim == nd + 2
    x = input if batched else input.unsqueeze(0)
    n, c = x.shape[:2]
    if _random_samples is None:
        from .random import rand  # noqa: WPS433 - random is a sibling op module
        _random_samples = rand(n, c, nd, dtype=input.dtype, device=input.device)
    s = _random_samples
    if s.ndim != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {s.ndim}")
    if s.dtype != input.dtype:
        raise RuntimeError(f"Expect _random_samples to have the same dtype as input (got {s.dtype} for a "
                           f"{input.dtype} input: pass rand(..., dtype=input.dtype))")
    for d in range(1, input.ndim):
        if input.shape[d] == 0:
            raise RuntimeError(f"{where}: Expected input to have non-zero size for non-batch dimensions, but "
                               f"got{list(input.shape)} with dimension {d} being empty.")
    if s.shape[0] < n:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if s.shape[1] != c:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if s.shape[2] != nd:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {nd}; got {s.shape[2]}.")
    for word, o, k, size in zip(_DIM_WORDS[nd], out_sz, ksize, sp):
        # PyTorch lets a 2-D window end exactly at the border but asks 3-D windows to stop short of it
        if o + k - 1 > size or (nd == 3 and o + k - 1 == size):
            raise RuntimeError(f"{where}: pool {word} {k} too large relative to input {word} {size} (the "
                               f"last window starts at {o - 1} or later: need output {word} + kernel - 1 "
                               f"{'<' if nd == 3 else '<='} input {word})")
    op = FractionalMaxPool2D if nd == 2 else FractionalMaxPool3D
    out, idx = op.apply(x, s, ksize, out_sz)
    return (out, idx) if batched else (out.squeeze(0), idx.squeeze(0))


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """``fractional_max_pool2d`` that always returns ``(output, indices)``; see there."""
    return _fractional(2, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    r"""2-D fractional max pooling of :math:`(N, C, H, W)` or :math:`(C, H, W)` to ``output_size``
    :math:`(H_{out}, W_{out})` (or ``output_ratio`` times the input size), with :math:`k_H \times k_W` windows
    at pseudo-random steps. Needs :math:`H_{out} + k_H - 1 \le H` (and the same for W).

    ``_random_samples`` (N, C, 2) in [0, 1), the input's dtype, fixes the steps (column 0 drives W, column 1
    H); ``return_indices`` also returns flat H*W argmax positions (for ``max_unpool2d``).
    """
    out, idx = _fractional(2, input, kernel_size, output_size, output_ratio, _random_samples)
    return (out, idx) if return_indices else out


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """``fractional_max_pool3d`` that always returns ``(output, indices)``; see there."""
    return _fractional(3, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    r"""3-D fractional max pooling of :math:`(N, C, T, H, W)` or :math:`(C, T, H, W)` to ``output_size``
    :math:`(T_{out}, H_{out}, W_{out})` (or ``output_ratio`` times the input size). Needs
    :math:`T_{out} + k_T - 1 < T` (strictly, as PyTorch), and the same for H and W.

    ``_random_samples`` (N, C, 3) in [0, 1), the input's dtype: columns drive T, H, W in that order.
    """
    out, idx = _fractional(3, input, kernel_size, output_size, output_ratio, _random_samples)
    return (out, idx) if return_indices else out
