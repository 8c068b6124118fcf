"""``scaled_dot_product_attention``: softmax(Q K^T * scale + mask) V, composed of Ember ops (matmul,
softmax, dropout), so autograd handles it and batched matmuls do the work."""

__all__ = []
__functional__ = ['scaled_dot_product_attention']

import math

from .. import _autocast
from . import _sdp_state
from .activation import dropout, softmax
from ._util import Tensor


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """Attention over (..., L, E) queries and (..., S, E) keys / (..., S, Ev) values -> (..., L, Ev).

    ``attn_mask``: bool (True = may attend) or float (added to the scores), broadcastable to (..., L, S).
    ``is_causal``: position i attends only to positions <= i. ``dropout_p`` is applied to the attention
    weights (always: pass 0.0 in eval). ``scale`` defaults to 1/sqrt(E).
    """
    if not isinstance(query, Tensor):
        raise TypeError(f"scaled_dot_product_attention(): argument 'query' must be Tensor, not "
                        f"{type(query).__name__}")
    _sdp_state.check(query.device.type)          # the backends that ``nn.attention.sdpa_kernel`` allows
    if _autocast.on:   # PyTorch's autocast runs the whole attention in the lower dtype (a float mask too)
        query, key, value, attn_mask = _autocast.lower("scaled_dot_product_attention", query, key, value,
                                                       attn_mask)
    if query.dtype.name == "bfloat16" and not query.is_cuda:
        # NumPy (ml_dtypes) computes bfloat16 products in float32: run the whole attention in float32, as
        # PyTorch's CPU kernel accumulates, and round the result once
        mask = attn_mask.float() if attn_mask is not None and attn_mask.is_floating_point() else attn_mask
        prev = _autocast.set_state("cpu", False, _autocast.get_dtype("cpu")) if _autocast.on else None
        try:                # (in float32 throughout: autocast would lower its matmuls again)
            out = scaled_dot_product_attention(query.float(), key.float(), value.float(), mask, dropout_p,
                                               is_causal, scale, enable_gqa)
        finally:
            if prev is not None:
                _autocast.set_state("cpu", *prev)
        return out.to(query.dtype)
    L, S = query.shape[-2], key.shape[-2]
    if enable_gqa and query.shape[-3] != key.shape[-3]:
        rep = query.shape[-3] // key.shape[-3]
        key = key.repeat_interleave(rep, -3)
        value = value.repeat_interleave(rep, -3)
    scale_factor = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query @ key.transpose(-2, -1)) * scale_factor
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                               "is_causal=True")
        xp = query._xp()
        allowed = Tensor._wrap(xp.tril(xp.ones((L, S), dtype=bool)))
        scores = scores.masked_fill(allowed.logical_not(), float("-inf"))
    elif attn_mask is not None:
        if attn_mask.is_floating_point():
            scores = scores + attn_mask
        else:
            scores = scores.masked_fill(attn_mask.logical_not(), float("-inf"))
    weights = softmax(scores, dim=-1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, True)
    return weights @ value
