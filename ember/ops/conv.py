"""Convolutions: ``conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d``.

One implementation for any number of spatial dims. Forward is im2col + one
batched GEMM: ``as_strided`` gives a (N, C, *K, *out) view of the padded
input without copying; reshaping it to (N, C*K, L) is the one copy (long
contiguous inner runs, so it is fast), then ``W (O, C*K) @ cols`` for the
whole batch gives (N, O, L), already in NCHW layout. Backward to the input is
``W^T @ g`` followed by col2im as kh*kw strided adds (never ``np.add.at``);
to the weight, ``g @ cols^T`` summed over the batch. Groups add a group axis
to the same matmuls.
A transposed convolution is exactly the input-gradient of a convolution, so
both share these three kernels.
"""

__all__ = ['conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d']
__functional__ = __all__ + ['unfold', 'fold']

import itertools
import math

import numpy as np

from ._fused import GradOp, fused_grads, fused_grads_data, pack
from .. import _autocast
from ._util import Op, Tensor, xp_of


def _as_strided(xp, a, shape, strides):
    return xp.lib.stride_tricks.as_strided(a, shape=shape, strides=strides)


# NumPy's matmul for bfloat16 (ml_dtypes) computes in float32 and returns float32 (and has no BLAS). The kernels
# below therefore run on float32 copies of bfloat16 arrays and round the results back to bfloat16, as PyTorch's
# CPU convolutions accumulate in float32 and return bfloat16. (float16 keeps NumPy's float16 matmul: its results
# match PyTorch's CPU float16 convolutions more closely than float32 accumulation does.)
# ml_dtypes' types (bfloat16) are NumPy kind "V"; checking the kind is cheap (``dtype.name`` is a slow property).


def _widen(*arrays):
    """The bfloat16 NumPy arrays among ``arrays`` as float32 (others, and None, unchanged)."""
    return tuple(a.astype(np.float32) if isinstance(a, np.ndarray) and a.dtype.kind == "V" else a
                 for a in arrays)


def _narrow(dtype, *arrays):
    """``arrays`` (None allowed) rounded back to ``dtype`` (bfloat16) where ``_widen`` raised them to float32."""
    narrow = dtype.kind == "V"
    out = tuple(a.astype(dtype) if narrow and a is not None and a.dtype != dtype else a for a in arrays)
    return out[0] if len(out) == 1 else out


def _ntuple(v, n, name="argument"):
    if isinstance(v, (tuple, list)):
        if len(v) == 1 and n > 1:
            return tuple(int(v[0]) for _ in range(n))
        if len(v) != n:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values to match "
                               f"the convolution dimensions, but got {name}={list(v)}")
        return tuple(int(x) for x in v)
    return (int(v),) * n


def pad_spatial(x, pads, value=0):
    """Zero-pad (or ``value``-pad) the trailing spatial dims of ``x`` by ``pads`` = ((lo, hi), ...)."""
    if not any(lo or hi for lo, hi in pads):
        return x
    xp = xp_of(x)
    nd = len(pads)
    lead = x.shape[:x.ndim - nd]
    sp = x.shape[x.ndim - nd:]
    out = xp.full(lead + tuple(s + lo + hi for s, (lo, hi) in zip(sp, pads)), value, dtype=x.dtype)
    out[(Ellipsis,) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(sp, pads))] = x
    return out


def conv_forward(x, w, b, stride, pads, dil, groups):
    """(N, C, *S) conv (O, C/g, *K) -> (N, O, *out): im2col to (N, C*K, L), then W @ cols for the batch."""
    n, o = x.shape[0], w.shape[0]
    ksize = w.shape[2:]
    nd = len(ksize)
    out_sz = tuple((x.shape[2 + i] + pads[i][0] + pads[i][1] - dil[i] * (ksize[i] - 1) - 1) // stride[i] + 1
                   for i in range(nd))
    cols = _im2col(x, ksize, dil, pads, stride, out_sz)                   # (N, C*K, L)
    if groups == 1:
        res = w.reshape(o, -1) @ cols                                      # (N, O, L): already NC(HW) layout
    else:
        cg = cols.reshape(n, groups, -1, cols.shape[-1])                   # (N, g, Cg*K, L)
        res = (w.reshape(groups, o // groups, -1) @ cg).reshape(n, o, -1)
    if b is not None:
        res += b.reshape(-1, 1)
    return res.reshape((n, o) + out_sz)


# ---------------------------------------------------------------- groups == 1 fast path
#
# The column matrix is (C*K, L*N) with the batch axis either LAST (columns ordered (*out, n); the input is
# copied once to (C, *S_padded, N), padding and transpose together) or in the MIDDLE (columns (n, *out); a
# strided view of the padded NCHW input, no transpose copy). Batch-last gives long inner runs (out_w * N)
# when the spatial size is small; batch-middle avoids the batch-innermost transposes when out_w is long
# enough on its own. Either way the forward, the weight grad and the input grad are each ONE 2-D GEMM over
# the whole batch, col2im is K strided adds, and the columns are kept from forward for the weight gradient.

_MID_MIN_W = 20   # out_w from which batch-middle wins (measured: blitz conv1 28 -> middle, conv2 10 -> last)


def _bmid(out_sz):
    return out_sz[-1] >= _MID_MIN_W


def _perm_to_out(nd, mid):
    """Permutation taking (O, <cols order>) to (N, O, *out)."""
    return (1, 0) + tuple(range(2, nd + 2)) if mid else (nd + 1, 0) + tuple(range(1, nd + 1))


def _perm_from_out(nd, mid):
    """Permutation taking (N, O, *out) to (O, <cols order>)."""
    return (1, 0) + tuple(range(2, nd + 2)) if mid else (1,) + tuple(range(2, nd + 2)) + (0,)


def _im2col_bl(x, ksize, dil, pads, stride, out_sz, mid):
    """(N, C, *S) -> (C*K, L*N): rows (c, *k), columns (n, *out) if ``mid`` else (*out, n)."""
    xp = xp_of(x)
    n, c = x.shape[:2]
    if mid:
        xt = pad_spatial(x, pads)
        st = xt.strides
        sp_st = st[2:]
        shape = (c,) + tuple(ksize) + (n,) + tuple(out_sz)
        strides = ((st[1],) + tuple(s * d for s, d in zip(sp_st, dil)) + (st[0],)
                   + tuple(s * t for s, t in zip(sp_st, stride)))
    else:
        nd = x.ndim - 2
        perm = (1,) + tuple(range(2, x.ndim)) + (0,)
        if not any(lo or hi for lo, hi in pads):
            xt = xp.ascontiguousarray(x.transpose(perm))
        else:
            sp = x.shape[2:]
            xt = xp.zeros((c,) + tuple(s + lo + hi for s, (lo, hi) in zip(sp, pads)) + (n,), dtype=x.dtype)
            xt[(slice(None),) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(sp, pads)) + (slice(None),)] = \
                x.transpose(perm)
        st = xt.strides
        sp_st = st[1:1 + nd]
        shape = (c,) + tuple(ksize) + tuple(out_sz) + (n,)
        strides = ((st[0],) + tuple(s * d for s, d in zip(sp_st, dil)) + tuple(s * t for s, t in zip(sp_st, stride))
                   + (st[-1],))
    return _as_strided(xp, xt, shape, strides).reshape(c * math.prod(ksize), math.prod(out_sz) * n)


# Batch-chunked path for wide outputs (out_w >= _MID_MIN_W) with few output channels: a whole-batch column
# matrix is many MB (blitz conv1 at batch 64: 15 MB) for a cheap GEMM, so im2col writes it to memory and the
# GEMM reads it back, and the weight-grad GEMM over a huge K is slow in the threaded BLAS. Building the columns
# of a few samples at a time into one reused cache-sized buffer and consuming them at once made the whole
# blitz training step 30% faster at batch 4 and about even at batch 64, and nothing is kept between forward
# and backward (the weight grad rebuilds its chunks from x).

_CHUNK_BYTES = 1 << 21   # column buffer per chunk: cache-resident (L2 1 MB/core, L3 32 MB); 0.5-2 MB measured
                         # alike and 2 MB a little better (fewer, larger GEMMs), 8 MB and more slower
# Always for few output channels: there the GEMM does ~O flops per column element and the column traffic
# dominates. With many output channels only when each sample has many output positions: then a chunk is
# one sample, its GEMM (O, C*K) @ (C*K, L) is large enough to run at full speed, its columns stay in L3
# instead of a whole-batch matrix (ResNet-18 layer1 at 224, batch 16: 115 MB), and the result lands in
# NCHW with no transpose pass (ResNet-18 inference at 224: 0.66-0.76x -> 0.79-0.88x PyTorch's throughput).
# Small outputs with many channels stay whole-batch: per-chunk GEMMs with few columns re-read the weights
# each time and were measured 2x slower (ResNet-18 layer4, 7x7 outputs).
_CHUNK_MAX_O = 16
_CHUNK_MIN_L = 784      # output positions per sample (28x28) from which any channel count is chunked


def _chunked(out_sz, o):
    return _bmid(out_sz) and (o <= _CHUNK_MAX_O or math.prod(out_sz) >= _CHUNK_MIN_L)


def _patches(x, ksize, dil, pads, stride, out_sz):
    """Strided (N, C, *K, *out) view of the padded input: every receptive field, no copy."""
    xpad = pad_spatial(x, pads)
    st = xpad.strides
    shape = x.shape[:2] + tuple(ksize) + tuple(out_sz)
    strides = st[:2] + tuple(s * d for s, d in zip(st[2:], dil)) + tuple(s * t for s, t in zip(st[2:], stride))
    return _as_strided(xp_of(x), xpad, shape, strides)


def _chunks(v):
    """(start, stop, column buffer view (m, C*K, L)) over the batch of patch view ``v``, one buffer reused."""
    xp = xp_of(v)
    n, nd = v.shape[0], (v.ndim - 2) // 2
    ck, L = math.prod(v.shape[1:2 + nd]), math.prod(v.shape[2 + nd:])
    nb = max(1, min(n, _CHUNK_BYTES // (ck * L * v.itemsize)))
    buf = xp.empty((nb,) + v.shape[1:], dtype=v.dtype)
    for n0 in range(0, n, nb):
        m = min(nb, n - n0)
        buf[:m] = v[n0:n0 + m]
        yield n0, n0 + m, buf[:m].reshape(m, ck, L)


def conv_forward_chunked(x, w, b, stride, pads, dil, out_sz, keep=False):
    """Returns (y, cols): ``cols`` (N, C*K, L) when ``keep`` and the whole batch fits one cache-sized chunk
    (small batches: the weight grad then reuses them instead of building them again), else None."""
    xp = xp_of(x)
    n, o = x.shape[0], w.shape[0]
    res = xp.empty((n, o) + tuple(out_sz), dtype=x.dtype)
    r3 = res.reshape(n, o, -1)
    w2 = w.reshape(o, -1)
    for n0, n1, cols in _chunks(_patches(x, w.shape[2:], dil, pads, stride, out_sz)):
        xp.matmul(w2, cols, out=r3[n0:n1])                                 # (m, O, L): NCHW already
        if b is not None:
            r3[n0:n1] += b.reshape(-1, 1)                                   # while the chunk is in cache
        if keep and n1 - n0 == n and cols.nbytes <= _CHUNK_BYTES:
            return res, cols
    return res, None


def conv_weight_grad_chunked(g, x, w_shape, stride, pads, dil, cols=None):
    xp = xp_of(g)
    n, o = g.shape[:2]
    g3 = g.reshape(n, o, -1)
    gw = None
    chunks = [(0, n, cols)] if cols is not None else _chunks(_patches(x, w_shape[2:], dil, pads, stride, g.shape[2:]))
    for n0, n1, cols in chunks:
        part = xp.matmul(g3[n0:n1], cols.transpose(0, 2, 1)).sum(axis=0)     # one batched GEMM per chunk
        gw = part if gw is None else xp.add(gw, part, out=gw)
    return gw.reshape(w_shape)


def conv_forward_bl(x, w, b, stride, pads, dil, keep_cols):
    """groups == 1 convolution; returns (y (N, O, *out), cols or None)."""
    xp = xp_of(x)
    n, o = x.shape[0], w.shape[0]
    ksize = w.shape[2:]
    nd = len(ksize)
    out_sz = tuple((x.shape[2 + i] + pads[i][0] + pads[i][1] - dil[i] * (ksize[i] - 1) - 1) // stride[i] + 1
                   for i in range(nd))
    mid = _bmid(out_sz)
    if _chunked(out_sz, o):
        return conv_forward_chunked(x, w, b, stride, pads, dil, out_sz, keep_cols)
    cols = _im2col_bl(x, ksize, dil, pads, stride, out_sz, mid)                # (C*K, L*N)
    y = w.reshape(o, -1) @ cols                                                 # (O, L*N)
    yv = y.reshape((o, n) + out_sz if mid else (o,) + out_sz + (n,)).transpose(_perm_to_out(nd, mid))
    res = xp.empty((n, o) + out_sz, dtype=y.dtype)
    if b is not None:
        xp.add(yv, b.reshape((-1,) + (1,) * nd), out=res)                      # transpose + bias in one pass
    else:
        res[...] = yv
    return res, (cols if keep_cols else None)


def conv_backward_bl(g, x, w, cols, stride, pads, dil, needs):
    """Gradients (input, weight) of a groups == 1 convolution from g (N, O, *out)."""
    xp = xp_of(g)
    n, o = g.shape[:2]
    out_sz = tuple(g.shape[2:])
    nd = len(out_sz)
    ksize = w.shape[2:]
    mid = _bmid(out_sz)
    chunked = _chunked(out_sz, o)
    gt = None
    if needs[0] or not chunked:
        gt = xp.ascontiguousarray(g.transpose(_perm_from_out(nd, mid))).reshape(o, -1)   # (O, L*N)
    w2 = w.reshape(o, -1)
    gx = gw = None
    if needs[1] and chunked:
        gw = conv_weight_grad_chunked(g, x, w.shape, stride, pads, dil, cols)
    elif needs[1]:
        if cols is None:
            cols = _im2col_bl(x, ksize, dil, pads, stride, out_sz, mid)
        gw = (gt @ cols.T).reshape(w.shape)
    if needs[0]:
        c = x.shape[1]
        sp = x.shape[2:]
        padded = tuple(s + lo + hi for s, (lo, hi) in zip(sp, pads))
        gcols = w2.T @ gt
        if mid:      # (c, *k, n, *out) -> (c, n, *padded)
            gcols = gcols.reshape((c,) + tuple(ksize) + (n,) + out_sz)
            buf = _fold(xp, gcols, 1, tuple(range(nd + 2, 2 * nd + 2)), ksize, dil, stride, out_sz, padded)
        else:        # (c, *k, *out, n) -> (c, *padded, n)
            gcols = gcols.reshape((c,) + tuple(ksize) + out_sz + (n,))
            buf = _fold(xp, gcols, 1, tuple(range(nd + 1, 2 * nd + 1)), ksize, dil, stride, out_sz, padded)
        inner = tuple(slice(lo, lo + s) for s, (lo, _) in zip(sp, pads))
        crop = buf[(slice(None),) * 2 + inner] if mid else buf[(slice(None),) + inner]
        gx = xp.ascontiguousarray(crop.transpose(_perm_to_out(nd, mid)))
    return gx, gw


def conv_backward_input(g, w, x_shape, stride, pads, dil, groups):
    """Gradient of a conv wrt its input (N, C, *S), i.e. a transposed conv: W^T @ g, then col2im."""
    o = w.shape[0]
    ksize = w.shape[2:]
    n, c = x_shape[:2]
    out_sz = g.shape[2:]
    g3 = g.reshape(n, o, -1)                                               # (N, O, L)
    if groups == 1:
        gcols = w.reshape(o, -1).T @ g3                                    # (N, C*K, L)
    else:
        og = o // groups
        gcols = (w.reshape(groups, og, -1).transpose(0, 2, 1) @ g3.reshape(n, groups, og, -1))
        gcols = gcols.reshape(n, -1, g3.shape[-1])
    return _col2im(gcols, c, x_shape[2:], ksize, dil, pads, stride, out_sz)


def conv_backward_weight(g, x, w_shape, stride, pads, dil, groups):
    """Gradient of a conv wrt its weight (O, C/g, *K): sum over the batch of g_n @ cols_n^T."""
    o = w_shape[0]
    n = x.shape[0]
    cols = _im2col(x, w_shape[2:], dil, pads, stride, g.shape[2:])        # (N, C*K, L)
    g3 = g.reshape(n, o, -1)
    if groups == 1:
        return (g3 @ cols.transpose(0, 2, 1)).sum(axis=0).reshape(w_shape)
    og = o // groups
    cg = cols.reshape(n, groups, -1, cols.shape[-1]).transpose(0, 1, 3, 2)   # (N, g, L, Cg*K)
    return (g3.reshape(n, groups, og, -1) @ cg).sum(axis=0).reshape(w_shape)


def _sum_bias(g):
    return g.sum(axis=(0,) + tuple(range(2, g.ndim)))


class ConvGrad(GradOp):
    node_name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx, g, x, w, stride, pads, dil, groups, cols=None, *, needs):
        dt = g.dtype
        g, x, w = _widen(g, x, w)
        if groups == 1:
            gx, gw = conv_backward_bl(g, x, w, cols, stride, pads, dil, needs)
        else:
            gx = conv_backward_input(g, w, x.shape, stride, pads, dil, groups) if needs[0] else None
            gw = conv_backward_weight(g, x, w.shape, stride, pads, dil, groups) if needs[1] else None
        gb = _sum_bias(g) if needs[2] else None
        return pack(needs, *_narrow(dt, gx, gw, gb))


class Convolution(Op):
    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, stride, pads, dil, groups):
        ctx.params = (stride, pads, dil, groups)
        ctx.save_for_backward(x, w)
        ctx.cols = None
        dt = x.dtype
        x, w, b = _widen(x, w, b)
        if groups == 1:
            keep = len(ctx.needs_input_grad) > 1 and ctx.needs_input_grad[1]   # weight grad: reuse the columns
            y, ctx.cols = conv_forward_bl(x, w, b, stride, pads, dil, keep)
            return _narrow(dt, y)
        return _narrow(dt, conv_forward(x, w, b, stride, pads, dil, groups))

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        needs = tuple(ctx.needs_input_grad) + (False,) * (3 - len(ctx.needs_input_grad))
        cols, ctx.cols = ctx.cols, None    # freed after one backward, like saved tensors
        return fused_grads(ConvGrad, needs[:3], g, x, w, *ctx.params, cols)

    @staticmethod
    def backward_data(ctx, g):
        x, w = ctx.saved_data
        needs = tuple(ctx.needs_input_grad) + (False,) * (3 - len(ctx.needs_input_grad))
        cols, ctx.cols = ctx.cols, None
        return fused_grads_data(ConvGrad, needs[:3], g, x, w, *ctx.params, cols)


class ConvTransposeGrad(GradOp):
    node_name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx, g, x, w, stride, pads, dil, groups, *, needs):
        dt = g.dtype
        g, x, w = _widen(g, x, w)
        gx = gw = gb = None
        if needs[0]:   # the input gradient of a transposed conv is a conv of g
            gx = conv_forward(g, w, None, stride, pads, dil, groups)
            if gx.shape[2:] != x.shape[2:]:
                gx = xp_of(gx).ascontiguousarray(gx[(Ellipsis,) + tuple(slice(0, s) for s in x.shape[2:])])
        if needs[1]:   # roles swap: x plays the conv's output gradient, g the conv's input
            gw = conv_backward_weight(x, g, w.shape, stride, pads, dil, groups)
        if needs[2]:
            gb = _sum_bias(g)
        return pack(needs, *_narrow(dt, gx, gw, gb))


class ConvTranspose(Op):
    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, out_shape, stride, pads, dil, groups):
        ctx.params = (stride, pads, dil, groups)
        ctx.save_for_backward(x, w)
        dt = x.dtype
        x, w, b = _widen(x, w, b)
        y = conv_backward_input(x, w, out_shape, stride, pads, dil, groups)
        if b is not None:
            y += b.reshape((-1,) + (1,) * (y.ndim - 2))
        return _narrow(dt, xp_of(y).ascontiguousarray(y))

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        needs = tuple(ctx.needs_input_grad) + (False,) * (3 - len(ctx.needs_input_grad))
        return fused_grads(ConvTransposeGrad, needs[:3], g, x, w, *ctx.params)


# ---------------------------------------------------------------- argument checks

def _check_common(name, nd, input, weight, bias):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}() argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not isinstance(weight, Tensor):
        raise TypeError(f"{name}() argument 'weight' (position 2) must be Tensor, not {type(weight).__name__}")
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
                           f"input of size: {list(input.shape)}")
    if weight.ndim != nd + 2:
        raise RuntimeError(f"weight should have at least three dimensions (expected a {nd + 2}-D weight for "
                           f"{name}, got size {list(weight.shape)})")
    if input.dtype is not weight.dtype:
        raise RuntimeError(f"expected scalar type {input.dtype.legacy[:-6]} but found "
                           f"{weight.dtype.legacy[:-6]} (input is {input.dtype}, weight is {weight.dtype}: "
                           "convert one, e.g. input.float() or model.double())")
    if bias is not None and bias.dtype is not input.dtype:
        raise RuntimeError(f"expected scalar type {input.dtype.legacy[:-6]} but found {bias.dtype.legacy[:-6]} "
                           f"(bias is {bias.dtype})")
    if input.device != weight.device:
        raise RuntimeError(f"Input type ({input.type()}) and weight type ({weight.type()}) should be the same "
                           "or input should be a MKLDNN tensor and weight is a dense tensor (move both to the "
                           "same device with .to(device))")


def _convnd(nd, name, input, weight, bias, stride, padding, dilation, groups):
    if _autocast.on:
        input, weight, bias = _autocast.lower("conv", input, weight, bias)
    _check_common(name, nd, input, weight, bias)
    stride = _ntuple(stride, nd, "stride")
    dilation = _ntuple(dilation, nd, "dilation")
    ksize = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            tot = [d * (k - 1) for d, k in zip(dilation, ksize)]
            pads = tuple((t // 2, t - t // 2) for t in tot)
        else:
            raise ValueError(f"Invalid padding string '{padding}', should be one of {{'valid', 'same'}}")
    else:
        pads = tuple((p, p) for p in _ntuple(padding, nd, "padding"))
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for pr in pads for p in pr):
        raise RuntimeError("negative padding is not supported")
    groups = int(groups)
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    unbatched = input.ndim == nd + 1
    if unbatched:
        input = input.unsqueeze(0)
    c, o = input.shape[1], weight.shape[0]
    if o % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size {list(weight.shape)} instead")
    if c != weight.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
                           f"input{list(input.shape)} to have {weight.shape[1] * groups} channels, but got {c} "
                           "channels instead")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != o):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with "
                           f"{o} elements, but got bias of size {list(bias.shape)} instead")
    padded = tuple(input.shape[2 + i] + pads[i][0] + pads[i][1] for i in range(nd))
    eff = tuple(dilation[i] * (ksize[i] - 1) + 1 for i in range(nd))
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel "
                           f"size: ({' x '.join(map(str, eff))}). Kernel size can't be greater than actual input "
                           "size")
    out = Convolution.apply(input, weight, bias, stride, pads, dilation, groups)
    return out.squeeze(0) if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution: input (N, C_in, L) or (C_in, L), weight (C_out, C_in/groups, kL) -> (N, C_out, L_out)."""
    return _convnd(1, "conv1d", input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution: input (N, C_in, H, W) or (C_in, H, W), weight (C_out, C_in/groups, kH, kW)
    -> (N, C_out, H_out, W_out); ``padding`` may be an int, a tuple, ``'same'`` or ``'valid'``."""
    return _convnd(2, "conv2d", input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution: input (N, C_in, D, H, W), weight (C_out, C_in/groups, kD, kH, kW)."""
    return _convnd(3, "conv3d", input, weight, bias, stride, padding, dilation, groups)


def transpose_output_size(in_sz, stride, padding, dilation, ksize, output_padding):
    return tuple((i - 1) * s - 2 * p + d * (k - 1) + op + 1
                 for i, s, p, d, k, op in zip(in_sz, stride, padding, dilation, ksize, output_padding))


def _conv_transposend(nd, name, input, weight, bias, stride, padding, output_padding, groups, dilation):
    if _autocast.on:
        input, weight, bias = _autocast.lower("conv_transpose", input, weight, bias)
    _check_common(name, nd, input, weight, bias)
    stride = _ntuple(stride, nd, "stride")
    padding = _ntuple(padding, nd, "padding")
    dilation = _ntuple(dilation, nd, "dilation")
    output_padding = _ntuple(output_padding, nd, "output_padding")
    groups = int(groups)
    for op, s, d in zip(output_padding, stride, dilation):
        if op >= s and op >= d:
            raise RuntimeError("output padding must be smaller than either stride or dilation, but got "
                               f"output_padding={list(output_padding)}, stride={list(stride)}, "
                               f"dilation={list(dilation)}")
    unbatched = input.ndim == nd + 1
    if unbatched:
        input = input.unsqueeze(0)
    c = input.shape[1]
    if c != weight.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected input"
                           f"{list(input.shape)} to have {weight.shape[0]} channels, but got {c} channels instead")
    if c % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size {list(weight.shape)} instead")
    out_c = weight.shape[1] * groups
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != out_c):
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected bias to be "
                           f"1-dimensional with {out_c} elements, but got bias of size {list(bias.shape)} instead")
    out_sz = transpose_output_size(input.shape[2:], stride, padding, dilation, weight.shape[2:], output_padding)
    if any(s <= 0 for s in out_sz):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, input.shape[2:]))}). Calculated "
                           f"output size per channel: ({' x '.join(map(str, out_sz))}). Output size is too small")
    out_shape = (input.shape[0], out_c) + out_sz
    pads = tuple((p, p) for p in padding)
    out = ConvTranspose.apply(input, weight, bias, out_shape, stride, pads, dilation, groups)
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 1-D convolution: input (N, C_in, L), weight (C_in, C_out/groups, kL) -> (N, C_out, L_out)."""
    return _conv_transposend(1, "conv_transpose1d", input, weight, bias, stride, padding, output_padding, groups,
                             dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 2-D convolution ("deconvolution"): input (N, C_in, H, W), weight (C_in, C_out/groups, kH, kW)
    -> (N, C_out, H_out, W_out) with H_out = (H-1)*stride - 2*padding + dilation*(kH-1) + output_padding + 1."""
    return _conv_transposend(2, "conv_transpose2d", input, weight, bias, stride, padding, output_padding, groups,
                             dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 3-D convolution: input (N, C_in, D, H, W), weight (C_in, C_out/groups, kD, kH, kW)."""
    return _conv_transposend(3, "conv_transpose3d", input, weight, bias, stride, padding, output_padding, groups,
                             dilation)



# ---------------------------------------------------------------- unfold / fold (im2col / col2im as layers)

def _im2col(x, ksize, dil, pads, stride, out_sz):
    """(N, C, *S) -> (N, C*K, L): every receptive field as a column."""
    xp = xp_of(x)
    xpad = pad_spatial(x, pads)
    st = xpad.strides
    n, c = x.shape[:2]
    shape = (n, c) + tuple(ksize) + tuple(out_sz)
    strides = st[:2] + tuple(s * d for s, d in zip(st[2:], dil)) + tuple(s * t for s, t in zip(st[2:], stride))
    return _as_strided(xp, xpad, shape, strides).reshape(n, c * math.prod(ksize), math.prod(out_sz))


_FOLD_BY_AXIS_MAX = 1 << 16     # elements per kernel-offset slice up to which _fold goes axis by axis


def _fold(xp, a, kax, spax, ksize, dil, stride, out_sz, padded):
    """col2im's sum: ``a[..., k_i, ..., o_i, ...]`` adds into ``out[..., k_i * dil_i + o_i * stride_i, ...]``.

    ``a`` has its kernel axes from ``kax`` on, and its output axes at ``spax`` (after all kernel axes); the
    result has the kernel axes dropped and each output axis grown to ``padded``.

    Large slices: one strided add per kernel offset (prod(k) adds; the fewest element visits, and the work is
    memory-bound). Small slices, where each NumPy call costs more than its elements: one kernel axis at a
    time, sum(k) adds (blitz conv2 5x5 at batch 4: 10 adds instead of 25, 1.4x faster)."""
    nd = len(ksize)
    if a.size // math.prod(ksize) > _FOLD_BY_AXIS_MAX:
        shape = tuple(padded[spax.index(j)] if j in spax else a.shape[j]
                      for j in range(a.ndim) if not kax <= j < kax + nd)
        out = xp.zeros(shape, dtype=a.dtype)
        for kidx in itertools.product(*(range(k) for k in ksize)):
            sl = [slice(None)] * len(shape)
            for i, k in enumerate(kidx):
                sl[spax[i] - nd] = slice(k * dil[i], k * dil[i] + stride[i] * (out_sz[i] - 1) + 1, stride[i])
            out[tuple(sl)] += a[(slice(None),) * kax + kidx]
        return out
    for i in reversed(range(nd)):
        ka = kax + i
        sa = spax[i] - (nd - 1 - i) - 1     # output axis i once the later kernel axes and axis ka are gone
        shape = a.shape[:ka] + a.shape[ka + 1:]
        out = xp.zeros(shape[:sa] + (padded[i],) + shape[sa + 1:], dtype=a.dtype)
        lead = (slice(None),) * sa
        for k in range(ksize[i]):
            sl = slice(k * dil[i], k * dil[i] + stride[i] * (out_sz[i] - 1) + 1, stride[i])
            out[lead + (sl,)] += a[(slice(None),) * ka + (k,)]
        a = out
    return a


def _col2im(cols, c, size, ksize, dil, pads, stride, out_sz):
    """(N, C*K, L) -> (N, C, *size), summing overlapping positions: one strided add per kernel offset."""
    xp = xp_of(cols)
    n = cols.shape[0]
    nd = len(ksize)
    cols = cols.reshape((n, c) + tuple(ksize) + tuple(out_sz))
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(size, pads))
    out = _fold(xp, cols, 2, tuple(range(nd + 2, 2 * nd + 2)), ksize, dil, stride, out_sz, padded)
    return out[(slice(None), slice(None)) + tuple(slice(p, p + s) for s, (p, _) in zip(size, pads))]


class Im2Col(Op):
    node_name = "Im2ColBackward0"

    @staticmethod
    def forward(ctx, x, ksize, dil, pads, stride, out_sz):
        ctx.info = (x.shape[1], x.shape[2:], ksize, dil, pads, stride, out_sz)
        return _im2col(x, ksize, dil, pads, stride, out_sz)

    @staticmethod
    def backward(ctx, g):
        return Col2Im.apply(g, *ctx.info)


class Col2Im(Op):
    node_name = "Col2ImBackward0"

    @staticmethod
    def forward(ctx, cols, c, size, ksize, dil, pads, stride, out_sz):
        ctx.info = (ksize, dil, pads, stride, out_sz)
        return _col2im(cols, c, size, ksize, dil, pads, stride, out_sz)

    @staticmethod
    def backward(ctx, g):
        return Im2Col.apply(g, *ctx.info)


def _fold_params(kernel_size, dilation, padding, stride):
    return (_ntuple(kernel_size, 2, "kernel_size"), _ntuple(dilation, 2, "dilation"),
            tuple((p, p) for p in _ntuple(padding, 2, "padding")), _ntuple(stride, 2, "stride"))


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding blocks: (N, C, H, W) -> (N, C*kH*kW, L), L = number of block positions (im2col)."""
    if input.ndim not in (3, 4):
        raise RuntimeError(f"Input Error: Only 3D or 4D input Tensors are supported (got {input.ndim}D)")
    ksize, dil, pads, stride = _fold_params(kernel_size, dilation, padding, stride)
    unb = input.ndim == 3
    x = input.unsqueeze(0) if unb else input
    out_sz = tuple((s + 2 * p - d * (k - 1) - 1) // st + 1
                   for s, (p, _), d, k, st in zip(x.shape[2:], pads, dil, ksize, stride))
    if any(o <= 0 for o in out_sz):
        raise RuntimeError(f"Given input with spatial size ({', '.join(map(str, x.shape[2:]))}), kernel_size="
                           f"({', '.join(map(str, ksize))}), dilation=({', '.join(map(str, dil))}), padding="
                           f"({', '.join(str(p) for p, _ in pads)}), calculated shape of the array of sliding blocks "
                           f"as ({', '.join(map(str, out_sz))}), but its components must be at least one.")
    out = Im2Col.apply(x, ksize, dil, pads, stride, out_sz)
    return out.squeeze(0) if unb else out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine sliding blocks: (N, C*kH*kW, L) -> (N, C, *output_size), summing overlaps (col2im)."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got "
                           f"{input.ndim}D)")
    ksize, dil, pads, stride = _fold_params(kernel_size, dilation, padding, stride)
    size = _ntuple(output_size, 2, "output_size")
    unb = input.ndim == 2
    x = input.unsqueeze(0) if unb else input
    kp = math.prod(ksize)
    if x.shape[1] % kp:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
                           f"got input.size(1)={x.shape[1]} and kernel_size=({', '.join(map(str, ksize))})")
    out_sz = tuple((s + 2 * p - d * (k - 1) - 1) // st + 1
                   for s, (p, _), d, k, st in zip(size, pads, dil, ksize, stride))
    if math.prod(out_sz) != x.shape[2]:
        raise RuntimeError(f"Given output_size=({', '.join(map(str, size))}), kernel_size=({', '.join(map(str, ksize))})"
                           f", dilation=({', '.join(map(str, dil))}), padding=({', '.join(str(p) for p, _ in pads)}), "
                           f"stride=({', '.join(map(str, stride))}), expected size of input's dimension 2 to match "
                           f"the calculated number of sliding blocks {' * '.join(map(str, out_sz))} = "
                           f"{math.prod(out_sz)}, but got input.size(2)={x.shape[2]}.")
    out = Col2Im.apply(x, x.shape[1] // kp, size, ksize, dil, pads, stride, out_sz)
    return out.squeeze(0) if unb else out
