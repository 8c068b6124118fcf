"""Recurrent layers as single ops: one call runs a whole layer-direction over the sequence.

``rnn_layer`` takes the input in *packed* layout, (sum of batch sizes, I) plus
the batch size at each time step; a padded (T, B, I) batch is the special case
``batch_sizes = [B] * T``. At step t the first ``batch_sizes[t]`` rows of the
state are advanced (sequences are sorted by decreasing length), the others
keep their state, which gives PackedSequence semantics for free.

Speed: the input projection of all time steps is one GEMM before the loop;
each step is then one (b, H) @ (H, G*H) GEMM for all gates at once plus a few
elementwise ops. Backward is BPTT by hand in one op: the per-step loop only
computes the gate gradients; the weight gradients are two GEMMs over all steps
at the end, the input gradient one more.

Gate order is PyTorch's: LSTM (i, f, g, o), GRU (r, z, n).
"""

__all__ = []
__functional__ = []

from ._fused import GradOp, fused_grads, pack
from ..autograd.function import _NoGradCtx
from ._util import Op, xp_of

GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _sigmoid(xp, a, out=None):
    # 1 / (1 + exp(-a)), written with in-place ufuncs (no temporaries beyond one)
    out = xp.negative(a, out=out)
    xp.exp(out, out=out)
    out += 1
    return xp.reciprocal(out, out=out)


def _steps(batch_sizes, reverse):
    """(t, offset, b) per time step in processing order."""
    offs, acc = [], 0
    for b in batch_sizes:
        offs.append(acc)
        acc += b
    order = range(len(batch_sizes) - 1, -1, -1) if reverse else range(len(batch_sizes))
    return [(t, offs[t], batch_sizes[t]) for t in order]


def layer_forward(x, h0, c0, w_ih, w_hh, b_ih, b_hh, batch_sizes, mode, reverse, save):
    """Run one layer-direction. Returns (out (N, H), h_n, c_n, saved) with ``saved`` for backward."""
    xp = xp_of(x)
    hs = w_hh.shape[1]
    B = batch_sizes[0]
    dt = x.dtype
    xw = x @ w_ih.T                                                     # all steps' input projection: one GEMM
    if b_ih is not None and mode != "GRU":
        xw += b_ih
        xw += b_hh
    elif b_ih is not None:
        xw += b_ih
    h = xp.zeros((B, hs), dtype=dt) if h0 is None else h0.copy()
    c = None
    if mode == "LSTM":
        c = xp.zeros((B, hs), dtype=dt) if c0 is None else c0.copy()
    n_tot = x.shape[0]
    out = xp.empty((n_tot, hs), dtype=dt)
    w_hh_t = w_hh.T
    # gate activations: LSTM computes them in place in xw, which then is the saved array
    acts = (xw if mode == "LSTM" else xp.empty((n_tot, w_hh.shape[0]), dtype=dt)) if save else None
    hprev = xp.empty((n_tot, hs), dtype=dt) if save else None
    extra = xp.empty((n_tot, hs), dtype=dt) if save and mode in ("LSTM", "GRU") else None
    cprev = xp.empty((n_tot, hs), dtype=dt) if save and mode == "LSTM" else None
    if mode == "LSTM":
        gh = xp.empty((B, w_hh.shape[0]), dtype=dt)
        t1 = xp.empty((B, hs), dtype=dt)
        t2 = xp.empty((B, hs), dtype=dt)
    for t, o, b in _steps(batch_sizes, reverse):
        hp = h[:b]
        if save:
            hprev[o:o + b] = hp
        if mode == "LSTM":
            g = xw[o:o + b]
            ghb = gh[:b]
            xp.matmul(hp, w_hh_t, out=ghb)
            g += ghb
            gg = g[:, 2 * hs:3 * hs]
            tg = t1[:b]
            xp.tanh(gg, out=tg)                    # g (before the sigmoid below overwrites the block)
            _sigmoid(xp, g, out=g)                 # i, f, (g), o: one call sequence over all gates
            gg[...] = tg
            cp = c[:b]
            if save:
                cprev[o:o + b] = cp
            i, f, og = g[:, :hs], g[:, hs:2 * hs], g[:, 3 * hs:]
            cp *= f                                # c = f * c_prev + i * g, in place
            xp.multiply(i, gg, out=tg)
            cp += tg
            tc = extra[o:o + b] if save else t2[:b]
            xp.tanh(cp, out=tc)
            hn = xp.multiply(og, tc, out=out[o:o + b])
        elif mode == "GRU":
            gx = xw[o:o + b]
            gh = hp @ w_hh_t
            if b_hh is not None:
                gh += b_hh
            rz = gx[:, :2 * hs] + gh[:, :2 * hs]
            _sigmoid(xp, rz, out=rz)
            r, z = rz[:, :hs], rz[:, hs:]
            hn_part = gh[:, 2 * hs:]
            n = xp.tanh(gx[:, 2 * hs:] + r * hn_part)
            hn = n + z * (hp - n)                  # (1 - z) * n + z * h
            if save:
                acts[o:o + b, :2 * hs] = rz
                acts[o:o + b, 2 * hs:] = n
                extra[o:o + b] = hn_part
        else:
            a = xw[o:o + b]
            a += hp @ w_hh_t
            hn = xp.tanh(a, out=a) if mode == "RNN_TANH" else xp.maximum(a, 0, out=a)
            if save:
                acts[o:o + b] = hn
        h[:b] = hn
        if mode != "LSTM":                         # LSTM wrote h straight into out
            out[o:o + b] = hn
    return out, h, c, (acts, hprev, extra, cprev)


def layer_backward(gout, gh_n, gc_n, x, w_ih, w_hh, has_bias, batch_sizes, mode, reverse, saved, needs):
    """BPTT for one layer-direction: gradients of x, h0, c0, w_ih, w_hh, b_ih, b_hh."""
    xp = xp_of(x)
    acts, hprev, extra, cprev = saved
    hs = w_hh.shape[1]
    B = batch_sizes[0]
    dt = x.dtype
    n_tot = x.shape[0]
    G = w_hh.shape[0]
    dgx = xp.empty((n_tot, G), dtype=dt)                  # grads of the input-side pre-activations
    dgh = dgx if mode != "GRU" else xp.empty((n_tot, G), dtype=dt)   # hidden side (differs only for GRU)
    dh = xp.zeros((B, hs), dtype=dt) if gh_n is None else gh_n.astype(dt, copy=True)
    dc = None
    if mode == "LSTM":
        dc = xp.zeros((B, hs), dtype=dt) if gc_n is None else gc_n.astype(dt, copy=True)
    if mode == "LSTM":
        # The factors that depend only on saved activations are computed for all steps at once (few large
        # ufunc calls); the sequential loop then does 7 in-place ops per step.
        i, f, gg, og = acts[:, :hs], acts[:, hs:2 * hs], acts[:, 2 * hs:3 * hs], acts[:, 3 * hs:]
        tc = extra
        tmp = xp.empty((n_tot, hs), dtype=dt)
        xp.subtract(1, i, out=tmp)
        tmp *= i
        xp.multiply(tmp, gg, out=dgx[:, :hs])                    # dL/di = dc * g * i(1-i)
        xp.subtract(1, f, out=tmp)
        tmp *= f
        xp.multiply(tmp, cprev, out=dgx[:, hs:2 * hs])           # dL/df = dc * c_prev * f(1-f)
        xp.multiply(gg, gg, out=tmp)
        xp.subtract(1, tmp, out=tmp)
        xp.multiply(tmp, i, out=dgx[:, 2 * hs:3 * hs])           # dL/dg = dc * i (1-g^2)
        xp.subtract(1, og, out=tmp)
        tmp *= og
        xp.multiply(tmp, tc, out=dgx[:, 3 * hs:])                # dL/do = dh * tanh(c) o(1-o)
        xp.multiply(tc, tc, out=tmp)
        xp.subtract(1, tmp, out=tmp)
        tmp *= og                                                # dc += dh * o (1-tanh(c)^2)
        t1 = xp.empty((B, hs), dtype=dt)
    for t, o, b in reversed(_steps(batch_sizes, reverse)):
        d = dh[:b]
        if gout is not None:
            d += gout[o:o + b]
        if mode == "LSTM":
            dcb = dc[:b]
            tb = t1[:b]
            xp.multiply(d, tmp[o:o + b], out=tb)
            dcb += tb
            dg = dgx[o:o + b]
            dg3 = dg[:, :3 * hs].reshape(b, 3, hs)
            dg3 *= dcb[:, None, :]
            dg[:, 3 * hs:] *= d
            dcb *= f[o:o + b]                      # carry to the previous cell state
            xp.matmul(dg, w_hh, out=dh[:b])
        elif mode == "GRU":
            rz = acts[o:o + b, :2 * hs]
            r, z = rz[:, :hs], rz[:, hs:]
            n = acts[o:o + b, 2 * hs:]
            hp = hprev[o:o + b]
            dn = d * (1 - z) * (1 - n * n)
            dz = d * (hp - n) * z * (1 - z)
            dr = dn * extra[o:o + b] * r * (1 - r)
            gx = dgx[o:o + b]
            gh = dgh[o:o + b]
            gx[:, :hs] = dr
            gx[:, hs:2 * hs] = dz
            gx[:, 2 * hs:] = dn
            gh[:, :2 * hs] = gx[:, :2 * hs]
            gh[:, 2 * hs:] = dn * r
            dh[:b] = d * z + gh @ w_hh
        else:
            a = acts[o:o + b]
            dg = dgx[o:o + b]
            if mode == "RNN_TANH":
                xp.multiply(d, 1 - a * a, out=dg)
            else:
                xp.multiply(d, a > 0, out=dg)
            dh[:b] = dg @ w_hh
    gx_ = dgx @ w_ih if needs[0] else None
    gh0 = dh if needs[1] else None
    gc0 = dc if needs[2] else None
    gw_ih = dgx.T @ x if needs[3] else None
    gw_hh = dgh.T @ hprev if needs[4] else None
    gb_ih = dgx.sum(axis=0) if has_bias and needs[5] else None
    gb_hh = dgh.sum(axis=0) if has_bias and needs[6] else None
    return gx_, gh0, gc0, gw_ih, gw_hh, gb_ih, gb_hh


class RNNLayerGrad(GradOp):
    node_name = "RNNLayerBackwardBackward0"

    @staticmethod
    def forward(ctx, gout, gh_n, gc_n, x, w_ih, w_hh, acts, hprev, extra, cprev, has_bias, batch_sizes, mode,
                reverse, *, needs):
        grads = layer_backward(gout, gh_n, gc_n, x, w_ih, w_hh, has_bias, batch_sizes, mode, reverse,
                               (acts, hprev, extra, cprev), needs)
        return pack(needs, *grads)


class RNNLayer(Op):
    """(x (N, I), h0, c0, w_ih, w_hh, b_ih, b_hh) -> (out (N, H), h_n, c_n) for one layer-direction."""
    node_name = "RNNLayerBackward0"

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, batch_sizes, mode, reverse):
        save = not isinstance(ctx, _NoGradCtx)   # without a graph, keep nothing for backward
        out, h, c, saved = layer_forward(x, h0, c0, w_ih, w_hh, b_ih, b_hh, batch_sizes, mode, reverse, save)
        if save:
            ctx.info = (b_ih is not None, batch_sizes, mode, reverse)
            ctx.saved_arrays = saved
            ctx.save_for_backward(x, w_ih, w_hh)
        if mode == "LSTM":
            return out, h, c
        return out, h

    @staticmethod
    def backward(ctx, gout, gh_n, gc_n=None):
        x, w_ih, w_hh = ctx.saved_tensors
        needs = tuple(ctx.needs_input_grad) + (False,) * (7 - len(ctx.needs_input_grad))
        acts, hprev, extra, cprev = ctx.saved_arrays
        ctx.saved_arrays = None    # freed after one backward, like saved tensors
        return fused_grads(RNNLayerGrad, needs[:7], gout, gh_n, gc_n, x, w_ih, w_hh, acts, hprev, extra, cprev,
                           *ctx.info)


def rnn_layer(x, h0, c0, w_ih, w_hh, b_ih, b_hh, batch_sizes, mode, reverse=False):
    """Run one recurrent layer-direction over packed input ``x`` (sum(batch_sizes), I).

    Returns ``(out, h_n, c_n)`` for LSTM and ``(out, h_n)`` otherwise; ``h0``/``c0`` (B, H) or None (zeros).
    """
    return RNNLayer.apply(x, h0, c0, w_ih, w_hh, b_ih, b_hh, tuple(int(b) for b in batch_sizes), mode,
                          bool(reverse))


class UnpackRows(Op):
    """Scatter packed rows (N, *) into a (T*B, *) array filled with ``padding_value`` (pad_packed_sequence)."""
    node_name = "PackPaddedSequenceBackward0"

    @staticmethod
    def forward(ctx, data, idx, total, padding_value):
        xp = xp_of(data)
        out = xp.full((total,) + data.shape[1:], padding_value, dtype=data.dtype)
        out[idx] = data
        ctx.save_for_backward(idx)
        return out

    @staticmethod
    def backward(ctx, g):
        idx, = ctx.saved_tensors
        return g[idx], None


def unpack_rows(data, idx, total, padding_value=0.0):
    return UnpackRows.apply(data, idx, int(total), padding_value)
