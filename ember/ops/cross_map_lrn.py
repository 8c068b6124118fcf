"""The op behind ``nn.CrossMapLRN2d`` (Lua Torch's cross-map local response normalisation).

out = x * scale ** -beta, scale[c] = k + alpha / size * (sum of x[c'] ** 2 over a window of channels c').

PyTorch keeps the legacy code of this layer, and Ember keeps its behaviour so that results match:

- the window of channel c is [c - p + 1, c + p - 1] with p = (size - 1) // 2 + 1 (2p - 1 channels: ``size``
  when it is odd, ``size - 1`` when even), clipped to the channels, and channel 0 is always in it (the
  legacy running sum never subtracts it again);
- the gradient is the legacy closed form, which assumes a window of ``size`` channels
  [c - q, c + size - 1 - q], q = int(size - (size - 1) / 2); it is not the exact gradient of the
  forward above (``gradcheck`` fails on PyTorch's layer too).

``nn.LocalResponseNorm`` is the maintained layer with an exact gradient.
"""

__all__ = []
__functional__ = []

from ._util import Op, xp_of


def _pre_pad(size):
    return int((size - 1) / 2 + 1)


def _window_sum_array(xp, sq, size):
    """The forward window sums of ``sq`` (N, C, H, W) over channels, channel 0 included everywhere."""
    c = sq.shape[1]
    p = _pre_pad(size)
    s = xp.zeros_like(sq)
    for j in range(-(p - 1), p):
        lo, hi = max(0, -j), c - max(0, j)            # channels whose neighbour c + j exists
        if lo < hi:
            s[:, lo:hi] += sq[:, lo + j:hi + j]
    if c > p:
        s[:, p:] += sq[:, :1]                        # the legacy sum keeps channel 0 in every later window
    return s


def _shifted_sum(t, lo, hi):
    """sum_{j=lo}^{hi} t[:, c + j] for every channel c (zeros outside), with Ember ops (differentiable)."""
    from .pad import pad  # noqa: WPS433 - sibling op module
    c = t.shape[1]
    p = max(abs(lo), abs(hi))
    tp = pad(t, (0, 0, 0, 0, p, p))
    total = None
    for j in range(lo, hi + 1):
        term = tp.narrow(1, p + j, c)
        total = term if total is None else total + term
    return total


def _scale(x, size, alpha, k):
    """scale (N, C, H, W) of the forward, from the Tensor x with Ember ops."""
    sq = x * x
    c = x.shape[1]
    p = _pre_pad(size)
    s = _shifted_sum(sq, -(p - 1), p - 1)
    if c > p:
        from .join import cat  # noqa: WPS433
        s = s + cat([sq.new_zeros((sq.shape[0], p) + tuple(sq.shape[2:])),
                     sq.narrow(1, 0, 1).expand(-1, c - p, -1, -1)], 1)
    return s * (alpha / size) + k


class CrossMapLRN2dOp(Op):
    node_name = "CrossMapLRN2dBackward"

    @staticmethod
    def forward(ctx, x, size, alpha, beta, k):
        xp = xp_of(x)
        dt = x.dtype.type
        scale = _window_sum_array(xp, x * x, size) * dt(alpha / size) + dt(k)
        out = x * scale ** dt(-beta)
        ctx.params = (size, alpha, beta, k)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        size, alpha, beta, k = ctx.params
        scale = _scale(x, size, alpha, k)
        q = int(size - (size - 1) / 2)
        acc = _shifted_sum(g * out / scale, -q, size - 1 - q)
        return g * scale.pow(-beta) - x * acc * (2 * alpha * beta / size)


def cross_map_lrn2d(input, size, alpha=1e-4, beta=0.75, k=1):
    """Cross-map LRN of a 4-D (N, C, H, W) input; see the module docstring for PyTorch's legacy window."""
    if input.dim() != 4:
        raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead. (It normalises "
                         "(N, C, H, W) batches; add a batch dim with unsqueeze(0), or use LocalResponseNorm.)")
    return CrossMapLRN2dOp.apply(input, int(size), float(alpha), float(beta), float(k))
