"""``MultiheadAttention``: attention with ``num_heads`` parallel heads and PyTorch's parameter layout
(``in_proj_weight`` (3E, E) holding W_q, W_k, W_v stacked when kdim == vdim == embed_dim)."""
import math

from ...ops.activation import dropout as _dropout, linear as _linear, softmax as _softmax
from ...ops.attention import scaled_dot_product_attention
from ...ops.creation import empty, zeros
from ...ops.join import cat
from .. import init
from ..parameter import Parameter
from .linear import Linear
from .module import Module

__all__ = ["MultiheadAttention", "NonDynamicallyQuantizableLinear"]


class NonDynamicallyQuantizableLinear(Linear):
    """A ``Linear`` under the name PyTorch gives MultiheadAttention's ``out_proj`` (it shows in reprs)."""


def _float_mask(mask, name, like):
    """Bool masks (True = masked out) become additive float masks with -inf; float masks pass through."""
    if mask is None:
        return None
    if mask.dtype.is_floating_point:
        return mask
    if str(mask.dtype) != "torch.bool":
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return zeros(*mask.shape, dtype=like.dtype).masked_fill(mask, float("-inf"))


class MultiheadAttention(Module):
    r"""Multi-head attention: ``forward(query, key, value, key_padding_mask=None, need_weights=True,
    attn_mask=None, average_attn_weights=True, is_causal=False)`` -> ``(attn_output, attn_weights)``.

    Shapes (L, N, E) for query and (S, N, E_k/E_v) for key/value ((N, L, E) with ``batch_first``), or
    unbatched (L, E). ``key_padding_mask`` (N, S): True marks padding to ignore. ``attn_mask`` (L, S) or
    (N*num_heads, L, S): bool True = not allowed, or float added to the scores. ``attn_weights`` is
    (N, L, S) averaged over heads (or (N, num_heads, L, S)), None when ``need_weights=False``.
    """
    __constants__ = ["batch_first"]

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                 kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                             f"num_heads={num_heads} instead")
        super().__init__()
        fk = dict(device=device, dtype=dtype)
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        assert self.head_dim * num_heads == self.embed_dim, "embed_dim must be divisible by num_heads"
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(empty(embed_dim, embed_dim, **fk))
            self.k_proj_weight = Parameter(empty(embed_dim, self.kdim, **fk))
            self.v_proj_weight = Parameter(empty(embed_dim, self.vdim, **fk))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(empty(3 * embed_dim, embed_dim, **fk))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, **fk))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **fk)
        if add_bias_kv:
            self.bias_k = Parameter(empty(1, 1, embed_dim, **fk))
            self.bias_v = Parameter(empty(1, 1, embed_dim, **fk))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        if is_causal and attn_mask is None:
            raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                               "method `generate_square_subsequent_mask` to create this mask.")
        is_batched = query.dim() == 3
        if self.batch_first and is_batched:
            query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        if not is_batched:
            query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.unsqueeze(0)
        tgt_len, bsz, e = query.shape
        if e != self.embed_dim:
            raise AssertionError(f"was expecting embedding dimension of {self.embed_dim}, but got {e}")
        h, hd = self.num_heads, self.head_dim
        b = self.in_proj_bias
        bq, bk, bv = (None, None, None) if b is None else (b[:e], b[e:2 * e], b[2 * e:])
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            wq, wk, wv = w[:e], w[e:2 * e], w[2 * e:]
        else:
            wq, wk, wv = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        q = _linear(query, wq, bq)
        k = _linear(key, wk, bk)
        v = _linear(value, wv, bv)
        attn_mask = _float_mask(attn_mask, "attn_mask", q)
        key_padding_mask = _float_mask(key_padding_mask, "key_padding_mask", q)
        if self.bias_k is not None:
            k = cat([k, self.bias_k.expand(1, bsz, e)])
            v = cat([v, self.bias_v.expand(1, bsz, e)])
            if attn_mask is not None:
                attn_mask = cat([attn_mask, zeros(*attn_mask.shape[:-1], 1, dtype=attn_mask.dtype)], -1)
            if key_padding_mask is not None:
                key_padding_mask = cat([key_padding_mask, zeros(key_padding_mask.shape[0], 1,
                                                                dtype=key_padding_mask.dtype)], -1)
        q = q.reshape(tgt_len, bsz * h, hd).transpose(0, 1)
        k = k.reshape(k.shape[0], bsz * h, hd).transpose(0, 1)
        v = v.reshape(v.shape[0], bsz * h, hd).transpose(0, 1)
        if self.add_zero_attn:
            k = cat([k, zeros(bsz * h, 1, hd, dtype=k.dtype)], 1)
            v = cat([v, zeros(bsz * h, 1, hd, dtype=v.dtype)], 1)
            if attn_mask is not None:
                attn_mask = cat([attn_mask, zeros(*attn_mask.shape[:-1], 1, dtype=attn_mask.dtype)], -1)
            if key_padding_mask is not None:
                key_padding_mask = cat([key_padding_mask, zeros(key_padding_mask.shape[0], 1,
                                                                dtype=key_padding_mask.dtype)], -1)
        src_len = k.shape[1]
        if attn_mask is not None and attn_mask.dim() == 2:
            attn_mask = attn_mask.unsqueeze(0)
        if key_padding_mask is not None:
            kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(bsz, h, 1, src_len).reshape(bsz * h, 1,
                                                                                                 src_len)
            attn_mask = kpm if attn_mask is None else attn_mask + kpm
        p = self.dropout if self.training else 0.0
        if need_weights:
            scores = (q * math.sqrt(1.0 / hd)) @ k.transpose(-2, -1)
            if attn_mask is not None:
                scores = scores + attn_mask
            weights = _softmax(scores, dim=-1)
            if p > 0.0:
                weights = _dropout(weights, p, True)
            out = weights @ v
        else:
            out = scaled_dot_product_attention(q, k, v, attn_mask, p)
            weights = None
        out = out.transpose(0, 1).reshape(tgt_len * bsz, e)
        out = self.out_proj(out).reshape(tgt_len, bsz, e)
        if weights is not None:
            weights = weights.reshape(bsz, h, tgt_len, src_len)
            if average_attn_weights:
                weights = weights.mean(dim=1)
            if not is_batched:
                weights = weights.squeeze(0)
        if not is_batched:
            out = out.squeeze(1)
        elif self.batch_first:
            out = out.transpose(1, 0)
        return out, weights
