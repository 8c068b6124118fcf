"""``F.pad``: constant, reflect, replicate and circular padding of the trailing dims.

``pad`` lists (left, right) amounts starting from the *last* dim, as in
PyTorch: ``pad=(1, 1, 2, 0)`` pads the last dim by 1 on each side and the
second-to-last by 2 on the left. Constant padding (negative amounts crop)
writes the input into a filled array. The other modes are gathers along each
padded dim with an index array (e.g. reflect: [2, 1, 0, 1, 2, ..]); their
backward scatters the gradient back with ``add.at`` along that dim only.
"""

__all__ = []
__functional__ = ['pad']

from ._fused import GradOp, fused_grads
from ._util import Op, Tensor, xp_of


class ConstantPad(Op):
    node_name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx, x, pairs, value):
        xp = xp_of(x)
        nd = len(pairs)
        lead = x.ndim - nd
        src, dst, shape = [], [], list(x.shape[:lead])
        for (lo, hi), s in zip(pairs, x.shape[lead:]):
            n = s + lo + hi
            if n < 0:
                raise RuntimeError(f"The input size {s}, plus negative padding {lo} and {hi} resulted in a negative "
                                   f"output size, which is invalid. Check dimension {len(shape)} of your input.")
            shape.append(n)
            src.append(slice(max(-lo, 0), s - max(-hi, 0)))
            dst.append(slice(max(lo, 0), max(lo, 0) + max(s - max(-lo, 0) - max(-hi, 0), 0)))
        out = xp.full(shape, value, dtype=x.dtype)
        out[(Ellipsis,) + tuple(dst)] = x[(Ellipsis,) + tuple(src)]
        ctx.slices = (x.shape, tuple(src), tuple(dst))
        return out

    @staticmethod
    def backward(ctx, g):
        return fused_grads(ConstantPadGrad, (True,), g, *ctx.slices)[0]


class ConstantPadGrad(GradOp):
    node_name = "ConstantPadNdBackwardBackward0"

    @staticmethod
    def forward(ctx, g, x_shape, src, dst, *, needs):
        xp = xp_of(g)
        gx = xp.zeros(x_shape, dtype=g.dtype)
        gx[(Ellipsis,) + src] = g[(Ellipsis,) + dst]
        return gx


def _indices(xp, mode, size, lo, hi):
    """Source index for every output position of one padded dim."""
    i = xp.arange(-lo, size + hi)
    if mode == "reflect":
        period = 2 * (size - 1)
        i = xp.abs(i) % period if period else xp.zeros_like(i)
        i = xp.where(i >= size, period - i, i)
    elif mode == "replicate":
        i = xp.clip(i, 0, size - 1)
    else:  # circular
        i = i % size
    return i


class IndexPad(Op):
    node_name = "ReflectionPad2DBackward0"

    @staticmethod
    def forward(ctx, x, pairs, mode):
        xp = xp_of(x)
        lead = x.ndim - len(pairs)
        idx, sizes = [], x.shape[lead:]
        for d, (lo, hi) in enumerate(pairs):
            ix = _indices(xp, mode, x.shape[lead + d], lo, hi)
            x = xp.take(x, ix, axis=lead + d)
            idx.append(ix)
        ctx.info = (tuple(idx), sizes, lead)
        return x

    @staticmethod
    def backward(ctx, g):
        return fused_grads(IndexPadGrad, (True,), g, *ctx.info)[0]


class IndexPadGrad(GradOp):
    node_name = "ReflectionPad2DBackwardBackward0"

    @staticmethod
    def forward(ctx, g, idx, sizes, lead, *, needs):
        xp = xp_of(g)
        for d in range(len(idx) - 1, -1, -1):   # undo the gathers in reverse order
            ax = lead + d
            shape = list(g.shape)
            shape[ax] = sizes[d]
            out = xp.zeros(shape, dtype=g.dtype)
            xp.add.at(out, (slice(None),) * ax + (idx[d],), g)
            g = out
        return g


_MODE_NAMES = {"reflect": "Reflection", "replicate": "Replication", "circular": "Circular"}


def pad(input, pad, mode="constant", value=None):
    """Pad the trailing ``len(pad) // 2`` dims of ``input``; ``pad = (left_last, right_last, left_prev, ...)``.

    Modes: ``'constant'`` (with ``value``, default 0; negative amounts crop), ``'reflect'`` (mirror without
    the edge), ``'replicate'`` (repeat the edge), ``'circular'`` (wrap around).
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"pad(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    nd = len(pad) // 2
    if nd > input.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.ndim}")
    # (lo, hi) pairs in dim order (pad lists the last dim first)
    pairs = tuple((pad[2 * i], pad[2 * i + 1]) for i in range(nd - 1, -1, -1))
    if mode == "constant":
        return ConstantPad.apply(input, pairs, 0 if value is None else value)
    if mode not in _MODE_NAMES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    if not (input.ndim - 1 <= nd + 1 and nd <= 3) or input.ndim < nd + 1:
        raise NotImplementedError(f"Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now "
                                  f"(got {input.ndim}D input and {len(pad)}-element pad for mode '{mode}')")
    lead = input.ndim - nd
    for d, (lo, hi) in enumerate(pairs):
        s = input.shape[lead + d]
        if mode == "reflect" and (lo >= s or hi >= s):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({lo}, {hi}) at dimension {lead + d} of input "
                               f"{list(input.shape)}")
        if mode == "circular" and (lo > s or hi > s):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if mode == "replicate" and s == 0:
            raise RuntimeError(f"padding of an empty dimension {lead + d} is not possible in replicate mode")
        if lo < 0 or hi < 0:
            raise RuntimeError(f"negative padding is only supported for mode='constant' (got {pad})")
    return IndexPad.apply(input, pairs, mode)
