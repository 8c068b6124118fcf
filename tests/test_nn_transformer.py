"""Attention and transformer layers against PyTorch (same weights; dropout off or in eval)."""
import numpy as np
import pytest
import torch

import ember
from layer_oracle import compare_module
from oracle import check


def F(lib):
    return lib.nn.functional


def test_sdpa():
    check(lambda t, q, k, v: F(t).scaled_dot_product_attention(q, k, v), [(2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 7)])
    check(lambda t, q, k, v: F(t).scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.3),
          [(2, 5, 4), (2, 5, 4), (2, 5, 3)])
    mask = np.random.rand(5, 6) > 0.3
    mask[:, 0] = True
    check(lambda t, q, k, v: F(t).scaled_dot_product_attention(q, k, v, attn_mask=t.tensor(mask)),
          [(2, 5, 4), (2, 6, 4), (2, 6, 3)])
    fmask = np.random.randn(5, 6).astype(np.float32)
    check(lambda t, q, k, v: F(t).scaled_dot_product_attention(q, k, v, attn_mask=t.tensor(fmask)),
          [(2, 5, 4), (2, 6, 4), (2, 6, 3)])


def _mha(m, q, k, v, **kw):
    return m(q, k, v, **kw)


@pytest.mark.parametrize("kw", [dict(), dict(batch_first=True), dict(kdim=3, vdim=5), dict(bias=False),
                                dict(add_bias_kv=True, add_zero_attn=True)])
def test_mha(kw):
    bf = kw.get("batch_first", False)
    qs, ks, vs = ((2, 4, 8), (2, 6, kw.get("kdim", 8)), (2, 6, kw.get("vdim", 8))) if bf else \
        ((4, 2, 8), (6, 2, kw.get("kdim", 8)), (6, 2, kw.get("vdim", 8)))
    compare_module(lambda nn: nn.MultiheadAttention(8, 2, **kw), [qs, ks, vs], forward=_mha)
    compare_module(lambda nn: nn.MultiheadAttention(8, 2, **kw), [qs, ks, vs],
                   forward=lambda m, q, k, v: _mha(m, q, k, v, average_attn_weights=False))


def test_mha_masks_and_no_weights():
    kpm = np.zeros((2, 6), bool)
    kpm[1, 4:] = True
    am = np.random.rand(4, 6) > 0.7
    am[:, 0] = False

    def fwd(m, q, k, v):
        lib = ember if isinstance(q, ember.Tensor) else torch
        a = m(q, k, v, key_padding_mask=lib.tensor(kpm), attn_mask=lib.tensor(am))
        b = m(q, k, v, key_padding_mask=lib.tensor(kpm), need_weights=False)
        return a, b[0]
    compare_module(lambda nn: nn.MultiheadAttention(8, 4), [(4, 2, 8), (6, 2, 8), (6, 2, 8)], forward=fwd)
    compare_module(lambda nn: nn.MultiheadAttention(8, 2), [(4, 8), (6, 8), (6, 8)], forward=_mha)


@pytest.mark.parametrize("kw", [dict(), dict(norm_first=True, batch_first=True), dict(activation="gelu")])
def test_encoder_layer(kw):
    compare_module(lambda nn: nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, **kw),
                   [(5, 3, 8)])


def test_encoder_stack_and_mask():
    def make(nn):
        layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.1)
        return nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8))
    mask = ember.nn.Transformer.generate_square_subsequent_mask(5).numpy()
    np.testing.assert_array_equal(mask, torch.nn.Transformer.generate_square_subsequent_mask(5).numpy())

    def fwd(m, x):
        lib = ember if isinstance(x, ember.Tensor) else torch
        return m(x, mask=lib.tensor(mask))
    compare_module(make, [(5, 3, 8)], modes=("eval",), forward=fwd)
    e = make(ember.nn)
    t = make(torch.nn)
    assert list(e.state_dict()) == list(t.state_dict())


def test_decoder_layer():
    compare_module(lambda nn: nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.0), [(5, 3, 8), (4, 3, 8)])
