"""Pooling: ``max_pool1d/2d/3d avg_pool1d/2d/3d adaptive_avg_pool1d/2d adaptive_max_pool1d/2d max_unpool1d/2d
lp_pool1d/2d``.

Fixed-window pooling loops over the *kernel offsets* (kh*kw of them), never
over the batch, channels or positions: each offset is one strided view of the
padded input, so a max pool is kh*kw vectorised ``maximum`` calls and its
backward kh*kw strided adds. When windows tile the input exactly (stride ==
kernel, no padding or dilation, the common ``MaxPool2d(2)``) forward is a
single reshape + reduction. Adaptive average pooling is separable: one small
averaging matrix per spatial dim.
"""

__all__ = ['max_pool1d', 'max_pool2d', 'max_pool3d', 'avg_pool1d', 'avg_pool2d', 'avg_pool3d',
           'adaptive_avg_pool1d', 'adaptive_max_pool1d']
__functional__ = ['max_pool1d', 'max_pool2d', 'max_pool3d', 'max_pool1d_with_indices', 'max_pool2d_with_indices',
                  'max_pool3d_with_indices', 'avg_pool1d', 'avg_pool2d', 'avg_pool3d',
                  'adaptive_avg_pool1d', 'adaptive_avg_pool2d', 'adaptive_avg_pool3d', 'adaptive_max_pool1d',
                  'adaptive_max_pool2d', 'adaptive_max_pool1d_with_indices', 'adaptive_max_pool2d_with_indices',
                  'max_unpool1d', 'max_unpool2d', 'lp_pool1d', 'lp_pool2d']

import itertools
import math

from ._fused import GradOp, fused_grads, fused_grads_data
from ._util import Op, Tensor, xp_of
from .conv import _ntuple, pad_spatial


def _out_size(size, k, s, p, d, ceil):
    num = size + 2 * p - d * (k - 1) - 1
    o = (num + (s - 1 if ceil else 0)) // s + 1
    if ceil and (o - 1) * s >= size + p:   # the last window must start inside the input or left padding
        o -= 1
    return o


def _offset_slices(kidx, dil, stride, out_sz):
    return (slice(None), slice(None)) + tuple(
        slice(k * d, k * d + s * (o - 1) + 1, s) for k, d, s, o in zip(kidx, dil, stride, out_sz))


def _tiles(x, ksize, stride, pads, dil):
    """True when windows tile x exactly: a reshape gives (N, C, o1, k1, o2, k2, ...) with no copy."""
    return (all(p == (0, 0) for p in pads) and all(d == 1 for d in dil) and tuple(stride) == tuple(ksize)
            and all(s % k == 0 for s, k in zip(x.shape[2:], ksize)))


def _tiled(x, ksize):
    shape = x.shape[:2]
    for s, k in zip(x.shape[2:], ksize):
        shape += (s // k, k)
    return x.reshape(shape), tuple(range(3, 3 + 2 * len(ksize), 2))


def _tile_reduce(x, ksize, ufunc):
    """Reduce each tile with a binary ufunc (maximum/add), one kernel axis at a time.

    NumPy's ``max(axis=(3, 5))`` on the tiled view runs a tiny strided inner loop and is ~20x slower than
    k-1 elementwise ufunc calls on slices."""
    t, axes = _tiled(x, ksize)
    if all(k == 1 for k in ksize):
        return t.reshape(x.shape).copy()       # 1x1 windows: a copy, never a view of the input
    for ax in reversed(axes):          # later axes first, so earlier axis numbers stay valid
        pre = (slice(None),) * ax
        k = t.shape[ax]
        if k == 1:
            t = t[pre + (0,)]
            continue
        out = ufunc(t[pre + (0,)], t[pre + (1,)])
        for j in range(2, k):
            ufunc(out, t[pre + (j,)], out=out)
        t = out
    return t


def _tiled_max_grad(xp, g, x, out, ksize):
    """Max-pool backward when windows tile the input: every input element belongs to one window, so each
    kernel offset writes its slice of the gradient directly (no zero fill, no adds); the first maximum in
    scan order takes the gradient (PyTorch's tie rule)."""
    t, axes = _tiled(x, ksize)
    gx = xp.empty(x.shape, dtype=g.dtype)
    gt = gx.reshape(t.shape)
    taken = hit = None
    offsets = list(itertools.product(*(range(k) for k in ksize)))
    for j, kidx in enumerate(offsets):
        sl = [slice(None)] * t.ndim
        for ax, k in zip(axes, kidx):
            sl[ax] = k
        sl = tuple(sl)
        if taken is None:
            taken = hit = t[sl] == out
        else:
            if hit is taken:
                hit = xp.empty_like(taken)
            xp.equal(t[sl], out, out=hit)
            xp.greater(hit, taken, out=hit)              # hit and not taken, in one pass with no temporary
            if j < len(offsets) - 1:
                taken |= hit
        xp.multiply(g, hit, out=gt[sl])
    return gx


def _separable_max(xp, xpad, ksize, stride, dil, out_sz):
    """Overlapping max windows one spatial axis at a time: k-1 maxima per axis on ever smaller arrays
    (3x3 stride 2: 4 passes instead of 8 over strided views; max is exact, so the order changes nothing)."""
    t = xpad
    for i, (k, s, d, o) in enumerate(zip(ksize, stride, dil, out_sz)):
        lead = (slice(None),) * (2 + i)
        views = [t[lead + (slice(j * d, j * d + s * (o - 1) + 1, s),)] for j in range(k)]
        out = views[0].copy() if k == 1 else xp.maximum(views[0], views[1])
        for v in views[2:]:
            xp.maximum(out, v, out=out)
        t = out
    return t


class MaxPoolGrad(GradOp):
    node_name = "MaxPool2DWithIndicesBackwardBackward0"

    @staticmethod
    def forward(ctx, g, x, out, ksize, stride, pads, dil, *, needs):
        xp = xp_of(g)
        if _tiles(x, ksize, stride, pads, dil):
            return _tiled_max_grad(xp, g, x, out, ksize)
        xpad = pad_spatial(x, pads, -math.inf)
        gx = xp.zeros(xpad.shape, dtype=g.dtype)
        taken = None
        zero = g.dtype.type(0)
        out_sz = out.shape[2:]
        # the first maximum in scan order gets the gradient (PyTorch's tie rule)
        for kidx in itertools.product(*(range(k) for k in ksize)):
            sl = _offset_slices(kidx, dil, stride, out_sz)
            hit = xpad[sl] == out
            if taken is None:
                taken = hit
            else:
                hit &= ~taken
                taken |= hit
            gx[sl] += xp.where(hit, g, zero)
        crop = (slice(None), slice(None)) + tuple(slice(lo, lo + s) for (lo, _), s in zip(pads, x.shape[2:]))
        return gx[crop]


class MaxPool(Op):
    node_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, ksize, stride, pads, dil, out_sz, with_indices):
        xp = xp_of(x)
        ctx.params = (ksize, stride, pads, dil)
        if not with_indices and _tiles(x, ksize, stride, pads, dil):
            out = _tile_reduce(x, ksize, xp.maximum)
        elif not with_indices:
            out = _separable_max(xp, pad_spatial(x, pads, -math.inf), ksize, stride, dil, out_sz)
        else:
            xpad = pad_spatial(x, pads, -math.inf)
            out = arg = None
            for j, kidx in enumerate(itertools.product(*(range(k) for k in ksize))):
                v = xpad[_offset_slices(kidx, dil, stride, out_sz)]
                if out is None:
                    out = v.copy()
                    if with_indices:
                        arg = xp.zeros(out.shape, dtype=xp.int64)
                    continue
                if with_indices:
                    arg[v > out] = j
                xp.maximum(out, v, out=out)
        ctx.save_for_backward(x, out)
        if not with_indices:
            return out
        # flat index into the (unpadded) input's spatial dims, as PyTorch returns it
        idx = xp.zeros(out.shape, dtype=xp.int64)
        rem = arg
        nd = len(ksize)
        for i in range(nd):
            inner = math.prod(ksize[i + 1:])
            k_i, rem = rem // inner, rem % inner
            o_i = xp.arange(out_sz[i]).reshape((-1,) + (1,) * (nd - 1 - i))
            pos = o_i * stride[i] - pads[i][0] + k_i * dil[i]
            idx = idx * x.shape[2 + i] + pos
        ctx.mark_non_differentiable(idx)
        return out, idx

    @staticmethod
    def backward(ctx, g, gi=None):
        x, out = ctx.saved_tensors
        return fused_grads(MaxPoolGrad, (True,), g, x, out, *ctx.params)[0]

    @staticmethod
    def backward_data(ctx, g, gi=None):
        x, out = ctx.saved_data
        return fused_grads_data(MaxPoolGrad, (True,), g, x, out, *ctx.params)[0]


def _pool_dims(name, nd, input, kernel_size, stride, padding, dilation, ceil_mode, kind="max"):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input.ndim not in (nd + 1, nd + 2) or input.numel() == 0:
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input (got "
                           f"{name} input of size {list(input.shape)})")
    ksize = _ntuple(kernel_size, nd, "kernel_size")
    stride = ksize if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) \
        else _ntuple(stride, nd, "stride")
    padding = _ntuple(padding, nd, "padding")
    dil = _ntuple(dilation, nd, "dilation")
    for k, p, d in zip(ksize, padding, dil):
        if kind == "max" and p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")
        if kind == "avg" and p > k // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")
    sp = input.shape[-nd:]
    out_sz = tuple(_out_size(s, k, st, p, d, ceil_mode) for s, k, st, p, d in zip(sp, ksize, stride, padding, dil))
    if any(o <= 0 for o in out_sz):
        c = input.shape[-nd - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (c,) + tuple(sp)))}). Calculated output size: "
                           f"({'x'.join(map(str, (c,) + out_sz))}). Output size is too small")
    # right padding grows in ceil mode so that every window lies inside the padded array
    pads = tuple((p, max(p, (o - 1) * st + d * (k - 1) + 1 - s - p))
                 for s, k, st, p, d, o in zip(sp, ksize, stride, padding, dil, out_sz))
    return ksize, stride, padding, pads, dil, out_sz


def _batched(input, nd):
    if input.ndim == nd + 1:
        return input.unsqueeze(0), True
    return input, False


def _max_poolnd(nd, name, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    ksize, stride, _, pads, dil, out_sz = _pool_dims(name, nd, input, kernel_size, stride, padding, dilation,
                                                     ceil_mode)
    x, unb = _batched(input, nd)
    res = MaxPool.apply(x, ksize, stride, pads, dil, out_sz, bool(return_indices))
    if return_indices:
        out, idx = res
        return (out.squeeze(0), idx.squeeze(0)) if unb else (out, idx)
    return res.squeeze(0) if unb else res


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over sliding windows of (N, C, L) -> (N, C, L_out); with ``return_indices`` also the argmax indices."""
    return _max_poolnd(1, "max_pool1d", input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over sliding windows of (N, C, H, W) -> (N, C, H_out, W_out); ``stride`` defaults to ``kernel_size``;
    ``return_indices`` also gives flat H*W argmax indices (for ``max_unpool2d``)."""
    return _max_poolnd(2, "max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over sliding windows of (N, C, D, H, W)."""
    return _max_poolnd(3, "max_pool3d", input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


# ---------------------------------------------------------------- average pooling

def _avg_divisor(xp, sp, ksize, stride, padding, out_sz, count_include_pad, dtype):
    """Per-output-position divisor (separable: a product of per-dim window sizes), as PyTorch counts them."""
    div = None
    for i, (s, k, st, p, o) in enumerate(zip(sp, ksize, stride, padding, out_sz)):
        start = xp.arange(o) * st - p
        end = xp.minimum(start + k, s + p)
        size = end - start
        if not count_include_pad:
            size = xp.minimum(end, s) - xp.maximum(start, 0)
        size = size.reshape((-1,) + (1,) * (len(sp) - 1 - i))
        div = size if div is None else div * size
    return div.astype(dtype)


class AvgPoolGrad(GradOp):
    node_name = "AvgPool2DBackwardBackward0"

    @staticmethod
    def forward(ctx, g, x_shape, ksize, stride, pads, div, *, needs):
        xp = xp_of(g)
        gs = g / div if not isinstance(div, (int, float)) else g * (1.0 / div)
        gs = gs.astype(g.dtype, copy=False)
        padded = tuple(s + lo + hi for s, (lo, hi) in zip(x_shape[2:], pads))
        if all(p == (0, 0) for p in pads) and tuple(stride) == tuple(ksize) and \
                all(s % k == 0 for s, k in zip(x_shape[2:], ksize)):
            shape = x_shape[:2]
            for o, k in zip(g.shape[2:], ksize):
                shape += (o, 1)
            rep = x_shape[:2]
            for o, k in zip(g.shape[2:], ksize):
                rep += (o, k)
            return xp.ascontiguousarray(xp.broadcast_to(gs.reshape(shape), rep)).reshape(x_shape)
        gx = xp.zeros(tuple(x_shape[:2]) + padded, dtype=g.dtype)
        for kidx in itertools.product(*(range(k) for k in ksize)):
            gx[_offset_slices(kidx, (1,) * len(ksize), stride, g.shape[2:])] += gs
        return gx[(slice(None), slice(None)) + tuple(slice(lo, lo + s) for (lo, _), s in zip(pads, x_shape[2:]))]


class AvgPool(Op):
    node_name = "AvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, ksize, stride, pads, div, out_sz):
        ctx.params = (x.shape, ksize, stride, pads, div)
        if _tiles(x, ksize, stride, pads, (1,) * len(ksize)):
            s = _tile_reduce(x, ksize, xp_of(x).add)
        else:
            xpad = pad_spatial(x, pads)
            s = None
            for kidx in itertools.product(*(range(k) for k in ksize)):
                v = xpad[_offset_slices(kidx, (1,) * len(ksize), stride, out_sz)]
                s = v.copy() if s is None else s.__iadd__(v)
        out = s / div
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return fused_grads(AvgPoolGrad, (True,), g, *ctx.params)[0]


def _avg_poolnd(nd, name, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    ksize, stride, padding, pads, dil, out_sz = _pool_dims(name, nd, input, kernel_size, stride, padding, 1,
                                                           ceil_mode, "avg")
    x, unb = _batched(input, nd)
    xp = x._xp()
    if divisor_override:
        div = float(divisor_override)
    elif all(p == 0 for p in padding) and not ceil_mode:
        div = float(math.prod(ksize))
    else:
        div = _avg_divisor(xp, x.shape[2:], ksize, stride, padding, out_sz, count_include_pad, x._data.dtype)
    out = AvgPool.apply(x, ksize, stride, pads, div, out_sz)
    return out.squeeze(0) if unb else out


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Average over sliding windows of (N, C, L) -> (N, C, L_out)."""
    return _avg_poolnd(1, "avg_pool1d", input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Average over sliding windows of (N, C, H, W) -> (N, C, H_out, W_out)."""
    return _avg_poolnd(2, "avg_pool2d", input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Average over sliding windows of (N, C, D, H, W)."""
    return _avg_poolnd(3, "avg_pool3d", input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override)


# ---------------------------------------------------------------- adaptive pooling

def _adaptive_bounds(size, out):
    return [((i * size) // out, -((-(i + 1) * size) // out)) for i in range(out)]


def _avg_matrix(xp, size, out, dtype):
    """(out, size) matrix whose row i averages input positions [floor(i*S/O), ceil((i+1)*S/O))."""
    m = xp.zeros((out, size), dtype=dtype)
    for i, (a, b) in enumerate(_adaptive_bounds(size, out)):
        m[i, a:b] = 1.0 / (b - a)
    return m


def _apply_mats(xp, x, mats):
    """Contract each trailing spatial dim of x with its (out, in) matrix."""
    nd = len(mats)
    for i, m in enumerate(mats):
        ax = x.ndim - nd + i
        x = xp.moveaxis(xp.tensordot(x, m, axes=([ax], [1])), -1, ax)
    return xp.ascontiguousarray(x)


class AdaptiveAvgPoolGrad(GradOp):
    node_name = "AdaptiveAvgPool2DBackwardBackward0"

    @staticmethod
    def forward(ctx, g, mats, *, needs):
        xp = xp_of(g)
        return _apply_mats(xp, g, [m.T for m in mats])


class AdaptiveAvgPool(Op):
    node_name = "AdaptiveAvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, out_sz):
        xp = xp_of(x)
        nd = len(out_sz)
        sp = x.shape[-nd:]
        if all(s % o == 0 for s, o in zip(sp, out_sz)):   # equal windows: a plain reshape-mean
            shape = x.shape[:-nd]
            for s, o in zip(sp, out_sz):
                shape += (o, s // o)
            axes = tuple(range(x.ndim - nd + 1, x.ndim + nd, 2))
            ctx.mats = [_avg_matrix(xp, s, o, x.dtype) for s, o in zip(sp, out_sz)]
            return x.reshape(shape).mean(axis=axes, dtype=x.dtype)
        ctx.mats = [_avg_matrix(xp, s, o, x.dtype) for s, o in zip(sp, out_sz)]
        return _apply_mats(xp, x, ctx.mats)

    @staticmethod
    def backward(ctx, g):
        return fused_grads(AdaptiveAvgPoolGrad, (True,), g, ctx.mats)[0]


def _adaptive_out(name, nd, input, output_size):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got {list(input.shape)}")
    if isinstance(output_size, (list, tuple)):
        out = tuple(input.shape[-nd + i] if o is None else int(o) for i, o in enumerate(output_size))
        if len(out) != nd:
            raise RuntimeError(f"{name}: output_size must be {nd}")
    else:
        out = (int(output_size),) * nd
    return out


def adaptive_avg_pool1d(input, output_size):
    """Average pooling of (N, C, L) to (N, C, output_size) with windows chosen to cover L."""
    return AdaptiveAvgPool.apply(input, _adaptive_out("adaptive_avg_pool1d", 1, input, output_size))


def adaptive_avg_pool2d(input, output_size):
    """Average pooling of (N, C, H, W) to (N, C, *output_size); ``None`` in output_size keeps that dim."""
    return AdaptiveAvgPool.apply(input, _adaptive_out("adaptive_avg_pool2d", 2, input, output_size))


def adaptive_avg_pool3d(input, output_size):
    return AdaptiveAvgPool.apply(input, _adaptive_out("adaptive_avg_pool3d", 3, input, output_size))


class AdaptiveMaxPoolGrad(GradOp):
    node_name = "AdaptiveMaxPool2DBackwardBackward0"

    @staticmethod
    def forward(ctx, g, idx, x_shape, nd, *, needs):
        xp = xp_of(g)
        lead = math.prod(x_shape[:-nd])
        gx = xp.zeros((lead, math.prod(x_shape[-nd:])), dtype=g.dtype)
        rows = xp.arange(lead).reshape(-1, 1)
        # windows may overlap: an input position can be the max of several outputs, so accumulate
        flat_idx = idx.reshape(lead, -1)
        flat_g = g.reshape(lead, -1)
        xp.add.at(gx, (rows, flat_idx), flat_g)
        return gx.reshape(x_shape)


class AdaptiveMaxPool(Op):
    node_name = "AdaptiveMaxPool2DBackward0"

    @staticmethod
    def forward(ctx, x, out_sz):
        xp = xp_of(x)
        nd = len(out_sz)
        sp = x.shape[-nd:]
        lead = x.shape[:-nd]
        out = xp.empty(lead + out_sz, dtype=x.dtype)
        idx = xp.empty(lead + out_sz, dtype=xp.int64)
        bounds = [_adaptive_bounds(s, o) for s, o in zip(sp, out_sz)]
        # one vectorised reduction per output cell (output grids are small: 1x1, 7x7 ...)
        for cell in itertools.product(*(range(o) for o in out_sz)):
            win = tuple(slice(*bounds[i][c]) for i, c in enumerate(cell))
            w = x[(Ellipsis,) + win]
            wshape = w.shape[-nd:]
            flat = w.reshape(lead + (-1,))
            a = flat.argmax(axis=-1)
            out[(Ellipsis,) + cell] = xp.take_along_axis(flat, a[..., None], axis=-1)[..., 0]
            pos = 0
            rem = a
            for i in range(nd):
                inner = math.prod(wshape[i + 1:])
                k_i, rem = rem // inner, rem % inner
                pos = pos * sp[i] + bounds[i][cell[i]][0] + k_i
            idx[(Ellipsis,) + cell] = pos
        ctx.x_shape = (x.shape, nd)
        ctx.save_for_backward(idx)
        ctx.mark_non_differentiable(idx)
        return out, idx

    @staticmethod
    def backward(ctx, g, gi=None):
        idx, = ctx.saved_tensors
        return fused_grads(AdaptiveMaxPoolGrad, (True,), g, idx, *ctx.x_shape)[0]


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling of (N, C, L) to (N, C, output_size)."""
    out, idx = AdaptiveMaxPool.apply(input, _adaptive_out("adaptive_max_pool1d", 1, input, output_size))
    return (out, idx) if return_indices else out


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling of (N, C, H, W) to (N, C, *output_size)."""
    out, idx = AdaptiveMaxPool.apply(input, _adaptive_out("adaptive_max_pool2d", 2, input, output_size))
    return (out, idx) if return_indices else out


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool2d(input, output_size, True)


# ---------------------------------------------------------------- unpooling

class MaxUnpool(Op):
    node_name = "MaxUnpool2DBackward0"

    @staticmethod
    def forward(ctx, x, idx, out_sz):
        xp = xp_of(x)
        nd = len(out_sz)
        lead = x.shape[:-nd]
        n = math.prod(lead)
        out = xp.zeros((n, math.prod(out_sz)), dtype=x.dtype)
        flat_idx = idx.reshape(n, -1)
        if flat_idx.size and (int(flat_idx.min()) < 0 or int(flat_idx.max()) >= out.shape[1]):
            bad = int(flat_idx.max()) if int(flat_idx.max()) >= out.shape[1] else int(flat_idx.min())
            raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                               f"{'x'.join(map(str, out_sz))})")
        out[xp.arange(n).reshape(-1, 1), flat_idx] = x.reshape(n, -1)
        ctx.save_for_backward(idx)
        ctx.nd = nd
        return out.reshape(lead + tuple(out_sz))

    @staticmethod
    def backward(ctx, g):
        idx, = ctx.saved_tensors
        return fused_grads(MaxUnpoolGrad, (True,), g, idx, ctx.nd)[0], None


class MaxUnpoolGrad(GradOp):
    node_name = "MaxUnpool2DBackwardBackward0"

    @staticmethod
    def forward(ctx, g, idx, nd, *, needs):
        xp = xp_of(g)
        flat = g.reshape(g.shape[:-nd] + (-1,))
        return xp.take_along_axis(flat, idx.reshape(idx.shape[:-nd] + (-1,)), axis=-1).reshape(idx.shape)


def _unpool_size(nd, input, kernel_size, stride, padding, output_size):
    ksize = _ntuple(kernel_size, nd, "kernel_size")
    stride = ksize if stride is None else _ntuple(stride, nd, "stride")
    padding = _ntuple(padding, nd, "padding")
    default = tuple((input.shape[-nd + i] - 1) * stride[i] + ksize[i] - 2 * padding[i] for i in range(nd))
    if output_size is None:
        return default
    out = tuple(int(s) for s in output_size)
    if len(out) == nd + 2 or len(out) == nd + 1:
        out = out[-nd:]
    if len(out) != nd:
        raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it has a "
                         f"length of '{len(output_size)}'")
    for i in range(nd):
        lo, hi = default[i] - stride[i], default[i] + stride[i]
        if not lo < out[i] < hi:
            raise ValueError(f'invalid output_size "{list(out)}" (dim {i} must be between {lo} and {hi})')
    return out


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Inverse of ``max_pool1d``: put each value back at its argmax index, zeros elsewhere."""
    return MaxUnpool.apply(input, indices, _unpool_size(1, input, kernel_size, stride, padding, output_size))


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Inverse of ``max_pool2d``: (N, C, H, W) values + indices -> (N, C, H_out, W_out), zeros elsewhere."""
    return MaxUnpool.apply(input, indices, _unpool_size(2, input, kernel_size, stride, padding, output_size))


# ---------------------------------------------------------------- power-average pooling

def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(sum over each window of x**p) ** (1/p) on (N, C, L)."""
    k = _ntuple(kernel_size, 1)[0]
    if abs(norm_type) == math.inf:     # the limit p -> +-inf: the max (min) of |x| over each window
        sign = 1 if norm_type > 0 else -1
        return sign * max_pool1d(sign * input.abs(), k, stride, 0, 1, ceil_mode)
    out = avg_pool1d(input.pow(norm_type), k, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(k).pow(1.0 / norm_type)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(sum over each window of x**p) ** (1/p) on (N, C, H, W)."""
    kh, kw = _ntuple(kernel_size, 2)
    if abs(norm_type) == math.inf:     # the limit p -> +-inf: the max (min) of |x| over each window
        sign = 1 if norm_type > 0 else -1
        return sign * max_pool2d(sign * input.abs(), (kh, kw), stride, 0, 1, ceil_mode)
    out = avg_pool2d(input.pow(norm_type), (kh, kw), stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kh * kw).pow(1.0 / norm_type)
