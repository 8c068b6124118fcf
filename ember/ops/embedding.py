"""``embedding`` (and ``embedding_bag``): rows of a weight matrix picked by integer indices.

Forward is one fancy-index gather. Backward scatters the output gradient back
into a zero (num_embeddings, embedding_dim) matrix with ``add.at`` (indices
repeat, so a plain assignment would lose contributions); the ``padding_idx``
row gets no gradient.
"""

__all__ = ['embedding']
__functional__ = ['embedding', 'embedding_bag']

from ..autograd.grad_mode import no_grad
from ._fused import GradOp, fused_grads
from ._util import Op, Tensor, xp_of


class EmbeddingGrad(GradOp):
    node_name = "EmbeddingBackwardBackward0"

    @staticmethod
    def forward(ctx, g, idx, num, padding_idx, scale_grad_by_freq, *, needs):
        xp = xp_of(g)
        flat = idx.reshape(-1)
        gf = g.reshape(flat.shape[0], -1)
        if scale_grad_by_freq:
            counts = xp.bincount(flat, minlength=num)
            gf = gf / counts[flat][:, None].astype(g.dtype)
        gw = xp.zeros((num, gf.shape[1]), dtype=g.dtype)
        xp.add.at(gw, flat, gf)
        if padding_idx is not None:
            gw[padding_idx] = 0
        return gw


class Embedding(Op):
    node_name = "EmbeddingBackward0"

    @staticmethod
    def forward(ctx, w, idx, padding_idx, scale_grad_by_freq):
        ctx.params = (w.shape[0], padding_idx, scale_grad_by_freq)
        ctx.save_for_backward(idx)
        return w[idx]

    @staticmethod
    def backward(ctx, g):
        idx, = ctx.saved_tensors
        return fused_grads(EmbeddingGrad, (True,), g, idx, *ctx.params)[0], None


def _check_indices(input, name="embedding"):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'indices' (position 1) must be Tensor, not {type(input).__name__}")
    if input._data.dtype.kind not in "iu":
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {input.type()} instead (while checking arguments for {name}); "
                           "convert the indices with .long()")


def _renorm_(weight, idx, max_norm, norm_type):
    """Rescale (in place) the rows of ``weight`` used by ``idx`` whose norm exceeds ``max_norm``."""
    xp = xp_of(weight._data)
    rows = xp.unique(idx.reshape(-1))
    w = weight._data
    norms = (xp.abs(w[rows]) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
    w[rows] *= scale[:, None]
    weight._version[0] += 1


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Look up rows of ``weight`` (num_embeddings, embedding_dim): (*) int64 indices -> (*, embedding_dim).

    ``padding_idx``: that row gets no gradient. ``max_norm``: rows looked up are renormalised *in place* to
    at most that ``norm_type``-norm.
    """
    _check_indices(input)
    n = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < n, "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -n, "Padding_idx must be within num_embeddings"
            padding_idx = n + padding_idx
    idx = input._data
    if idx.size and (int(idx.max()) >= n or int(idx.min()) < -n):
        bad = int(idx.max()) if int(idx.max()) >= n else int(idx.min())
        raise IndexError(f"index out of range in self (index {bad} with num_embeddings={n}; valid indices are "
                         f"0..{n - 1})")
    if max_norm is not None:
        with no_grad():
            _renorm_(weight, idx, max_norm, norm_type)
    return Embedding.apply(weight, input, padding_idx, scale_grad_by_freq)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Sums/means/maxes of bags of embeddings: 2-D input (B, N) is B bags of N; 1-D input with ``offsets``."""
    _check_indices(input, "embedding_bag")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             "fixed length sequences. However, found offsets of type Tensor")
        emb = embedding(input, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq)
        if per_sample_weights is not None:
            emb = emb * per_sample_weights.unsqueeze(-1)
        mask = None
        if padding_idx is not None:
            mask = (input != (padding_idx % weight.shape[0])).unsqueeze(-1).to(emb.dtype)
            emb = emb * mask
        if mode == "sum":
            return emb.sum(1)
        if mode == "mean":
            if mask is None:
                return emb.mean(1)
            return emb.sum(1) / mask.sum(1).clamp(min=1)
        return emb.max(1)[0] if hasattr(emb.max(1), "__getitem__") else emb.amax(1)
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    off = [int(o) for o in offsets.tolist()]
    if include_last_offset:
        bounds = list(zip(off[:-1], off[1:]))
    else:
        bounds = list(zip(off, off[1:] + [input.shape[0]]))
    outs = []
    for a, b in bounds:   # bags have different lengths: one small reduction per bag
        emb = embedding(input[a:b], weight, padding_idx, max_norm, norm_type, scale_grad_by_freq)
        if per_sample_weights is not None:
            emb = emb * per_sample_weights[a:b].unsqueeze(-1)
        if b == a:
            outs.append(weight.new_zeros(weight.shape[1]) if hasattr(weight, "new_zeros") else weight[0] * 0)
        elif mode == "sum":
            outs.append(emb.sum(0))
        elif mode == "mean":
            outs.append(emb.mean(0))
        else:
            outs.append(emb.amax(0))
    from .join import stack
    return stack(outs)
