"""nn layers and top-level functions that Ember lacked: fractional max pooling, LPPool3d, MaxUnpool3d,
AdaptiveLogSoftmaxWithLoss, CrossMapLRN2d, Container, F.pdist / rrelu_ / multi_head_attention_forward /
linear_cross_entropy, the functional RNN cells, ATen-level helpers, nn.attention. Each against torch."""
import contextlib
import math

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, check

RNG = np.random.default_rng(7)


def F(lib):
    return lib.nn.functional


def same_error(fn, exc=None, upto=None):
    """fn(torch) and fn(ember) raise the same exception type; Ember's message starts with torch's (its first
    ``upto`` characters, where the rest names a value that PyTorch picks by thread order)."""
    with pytest.raises(Exception) as t:
        fn(torch)
    with pytest.raises(Exception) as e:
        fn(ember)
    assert type(e.value) is type(t.value), (e.value, t.value)
    if exc is not None:
        assert type(t.value) is exc
    assert str(e.value).startswith(str(t.value)[:upto]), (str(e.value), str(t.value))


def load_from_torch(e_mod, t_mod):
    e_mod.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t_mod.state_dict().items()})


# ----------------------------------------------------------------------------- fractional max pooling

@pytest.mark.parametrize("nd, shape, k, out, dtype", [
    (2, (2, 3, 7, 8), (2, 3), (5, 4), np.float32),
    (2, (3, 9, 9), 3, (4, 4), np.float64),          # unbatched
    (2, (2, 2, 10, 6), 2, (5, 1), np.float32),      # one output column: the window sits at the end
    (2, (1, 2, 5, 5), 1, 5, np.float32),
    (3, (2, 2, 6, 7, 8), (2, 3, 2), (4, 3, 5), np.float32),
    (3, (2, 5, 6, 7), 2, 3, np.float64),            # unbatched
])
def test_fractional_max_pool_values_indices_grads(nd, shape, k, out, dtype):
    n = shape[0] if len(shape) == nd + 2 else 1
    samples = RNG.random((n, shape[-nd - 1], nd)).astype(dtype)

    def fn(t, x):
        f = getattr(F(t), f"fractional_max_pool{nd}d")
        o, i = f(x, k, output_size=out, return_indices=True, _random_samples=t.tensor(samples))
        return o, i
    check(fn, [shape], dtype=dtype)
    fw = f"fractional_max_pool{nd}d_with_indices"
    check(lambda t, x: getattr(F(t), fw)(x, k, out, _random_samples=t.tensor(samples)), [shape], dtype=dtype)


def test_fractional_max_pool_output_ratio_and_module():
    s2 = RNG.random((2, 3, 2)).astype(np.float32)
    check(lambda t, x: F(t).fractional_max_pool2d(x, 2, output_ratio=(0.5, 0.7), _random_samples=t.tensor(s2)),
          [(2, 3, 8, 10)])
    for lib in (torch, ember):
        m = lib.nn.FractionalMaxPool2d(3, output_size=(4, 5), return_indices=True,
                                       _random_samples=lib.tensor(s2))
        assert list(m.state_dict()) == ["_random_samples"] and repr(m) == "FractionalMaxPool2d()"
        assert m.kernel_size == (3, 3) and m.output_size == (4, 5) and m.output_ratio is None
    x = RNG.standard_normal((2, 3, 9, 9)).astype(np.float32)
    t_out = torch.nn.FractionalMaxPool2d(3, output_size=(4, 5), return_indices=True,
                                         _random_samples=torch.tensor(s2))(torch.tensor(x))
    e_out = ember.nn.FractionalMaxPool2d(3, output_size=(4, 5), return_indices=True,
                                         _random_samples=ember.tensor(s2))(ember.tensor(x))
    assert_same(e_out, t_out)
    s3 = RNG.random((1, 2, 3)).astype(np.float32)
    check(lambda t, x: t.nn.FractionalMaxPool3d(2, output_ratio=0.5, _random_samples=t.tensor(s3))(x),
          [(1, 2, 6, 8, 7)])
    # without samples every call draws its own: right shape, values are window maxima of the input
    e = ember.nn.FractionalMaxPool2d(2, output_size=3)(ember.tensor(x))
    assert tuple(e.shape) == (2, 3, 3, 3) and np.isin(e.numpy(), x).all()
    assert list(ember.nn.FractionalMaxPool3d(2, output_size=2).state_dict()) == []


@pytest.mark.parametrize("call", [
    lambda t: F(t).fractional_max_pool2d(t.zeros(2, 3, 7, 8), 3, output_size=(6, 6),
                                         _random_samples=t.rand(2, 3, 2)),
    lambda t: F(t).fractional_max_pool2d(t.zeros(2, 3, 7, 8), 3, output_size=(5, 7),
                                         _random_samples=t.rand(2, 3, 2)),
    lambda t: F(t).fractional_max_pool3d(t.zeros(2, 3, 6, 7, 8), 3, output_size=(4, 5, 6),
                                         _random_samples=t.rand(2, 3, 3)),
    lambda t: F(t).fractional_max_pool2d(t.zeros(2, 3, 7, 8), 3, output_size=3, _random_samples=t.rand(2, 3, 3)),
    lambda t: F(t).fractional_max_pool2d(t.zeros(2, 3, 7, 8), 3, output_size=3, _random_samples=t.rand(1, 3, 2)),
    lambda t: F(t).fractional_max_pool2d(t.zeros(2, 3, 7, 8), 3, output_size=3, _random_samples=t.rand(2, 2, 2)),
    lambda t: F(t).fractional_max_pool2d(t.zeros(2, 3, 7, 8), 3, output_size=3,
                                         _random_samples=t.rand(2, 3, 2, dtype=t.float64)),
    lambda t: F(t).fractional_max_pool2d(t.zeros(2, 3, 7, 8), 3, output_size=3,
                                         _random_samples=t.rand(1, 2, 3, 2)),
    lambda t: F(t).fractional_max_pool2d(t.zeros(2, 0, 7, 8), 3, output_size=3, _random_samples=t.rand(2, 0, 2)),
    lambda t: F(t).fractional_max_pool2d(t.zeros(2, 3, 7, 8), 3),
    lambda t: F(t).fractional_max_pool2d(t.zeros(2, 3, 7, 8), 3, output_size=(3, 3, 3)),
    lambda t: t.nn.FractionalMaxPool2d(2),
    lambda t: t.nn.FractionalMaxPool2d(2, output_size=3, output_ratio=0.5),
    lambda t: t.nn.FractionalMaxPool2d(2, output_ratio=1.5),
    lambda t: t.nn.FractionalMaxPool3d(0, output_size=2),
])
def test_fractional_max_pool_errors(call):
    same_error(call)


def test_fractional_max_pool_rank_error():
    x = ember.zeros(7, 8)
    with pytest.raises(RuntimeError, match=r"fractional_max_pool2d\(\): Expected 3D or 4D tensor, but got: \[7, 8\]"):
        F(ember).fractional_max_pool2d(x, 2, output_size=3, _random_samples=ember.rand(1, 7, 2))


# ----------------------------------------------------------------------------- LPPool3d, MaxUnpool3d

@pytest.mark.parametrize("p, k, stride, ceil", [(2, 2, None, False), (3.0, (2, 1, 2), (1, 2, 1), True),
                                                 (math.inf, 2, 1, False), (-math.inf, 3, 2, True)])
def test_lp_pool3d(p, k, stride, ceil):
    check(lambda t, x: F(t).lp_pool3d(x, p, k, stride, ceil), [(2, 2, 5, 4, 6)], positive=(p == 3.0))
    check(lambda t, x: t.nn.LPPool3d(p, k, stride, ceil)(x), [(2, 5, 4, 6)], positive=(p == 3.0))
    assert repr(ember.nn.LPPool3d(p, k, stride, ceil)) == repr(torch.nn.LPPool3d(p, k, stride, ceil))


@pytest.mark.parametrize("p", [math.inf, -math.inf])
def test_lp_pool1d_2d_infinite_norm(p):
    check(lambda t, x: F(t).lp_pool2d(x, p, 2), [(1, 2, 4, 5)])
    check(lambda t, x: F(t).lp_pool1d(x, p, 3, 2), [(1, 2, 7)])


@pytest.mark.parametrize("shape, k, stride, pad, out", [((2, 3, 4, 4, 6), 2, None, 0, None),
                                                         ((3, 5, 4, 4), 3, 2, 1, (5, 4, 4)),
                                                         ((1, 2, 4, 5, 4), 2, None, 0, (5, 5, 4))])
def test_max_unpool3d_round_trip(shape, k, stride, pad, out):
    x = RNG.standard_normal(shape).astype(np.float32)

    def fn(t, v):
        _, idx = F(t).max_pool3d(t.tensor(x), k, stride, pad, return_indices=True)
        return F(t).max_unpool3d(v, idx, k, stride, pad, output_size=out), \
            t.nn.MaxUnpool3d(k, stride, pad)(v, idx, out)
    # unpool the pooled maxima: overlapping windows may share an index, and then also the value written
    # there (PyTorch's threads write such duplicates in no fixed order)
    pooled = F(torch).max_pool3d(torch.tensor(x), k, stride, pad)
    check(fn, [pooled.numpy()])
    assert repr(ember.nn.MaxUnpool3d(k, stride, pad)) == repr(torch.nn.MaxUnpool3d(k, stride, pad))


@pytest.mark.parametrize("mod", [lambda o, i: (o[0, 0], i[0, 0]), lambda o, i: (o, i[:, :2]),
                                 lambda o, i: (o, i.int()), lambda o, i: (o, i + 64)])
def test_max_unpool3d_errors(mod):
    x = RNG.standard_normal((2, 3, 4, 4, 4)).astype(np.float32)

    def fn(t):
        o, i = F(t).max_pool3d(t.tensor(x), 2, return_indices=True)
        o, i = mod(o, i)
        return F(t).max_unpool3d(o, i, 2)
    same_error(fn, RuntimeError, upto=len("Found an invalid max index:"))


def test_max_unpool3d_output_size_error():
    def fn(t):
        o, i = F(t).max_pool3d(t.zeros(1, 1, 4, 4, 4), 2, return_indices=True)
        return F(t).max_unpool3d(o, i, 2, output_size=(7, 5, 5))
    same_error(fn, ValueError)


def test_max_pool1d_with_indices_top_level():
    check(lambda t, x: t.max_pool1d_with_indices(x, 3, 2, 1), [(2, 3, 9)])
    check(lambda t, x: t.max_pool1d_with_indices(x, 2), [(3, 8)])


# ----------------------------------------------------------------------------- AdaptiveLogSoftmaxWithLoss

def _asm_pair(**kw):
    torch.manual_seed(0)
    t = torch.nn.AdaptiveLogSoftmaxWithLoss(64, 20, [4, 10, 15], **kw)
    e = ember.nn.AdaptiveLogSoftmaxWithLoss(64, 20, [4, 10, 15], **kw)
    load_from_torch(e, t)
    return t, e


@pytest.mark.parametrize("kw", [dict(), dict(div_value=2.0, head_bias=True)])
def test_adaptive_log_softmax_forward_grads_log_prob(kw):
    t, e = _asm_pair(**kw)
    assert list(e.state_dict()) == list(t.state_dict()) and repr(e) == repr(t)
    target = np.array([0, 5, 19, 12, 3, 11, 17])
    x = RNG.standard_normal((7, 64)).astype(np.float32)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    to, eo = t(tx, torch.tensor(target)), e(ex, ember.tensor(target))
    assert type(eo).__name__ == "_ASMoutput" and eo._fields == ("output", "loss")
    assert_same(eo.output, to.output)
    assert_same(eo.loss, to.loss)
    to.loss.backward()
    eo.loss.backward()
    assert_same(ex.grad, tx.grad)
    for (name, tp), (_, ep) in zip(t.named_parameters(), e.named_parameters()):
        assert_same(ep.grad, tp.grad, name)
    assert_same(e.log_prob(ember.tensor(x)), t.log_prob(torch.tensor(x)))
    unb_t, unb_e = t(torch.tensor(x[1]), torch.tensor(target[1])), e(ember.tensor(x[1]), ember.tensor(target[1]))
    assert_same(unb_e.output, unb_t.output)
    assert_same(unb_e.loss, unb_t.loss)


def test_adaptive_log_softmax_predict_all_paths():
    t, e = _asm_pair(head_bias=True)
    x = RNG.standard_normal((6, 64)).astype(np.float32)
    for bias in ([5.0] * 4 + [0.0] * 3, [-5.0] * 4 + [5.0] * 3, [0.0] * 4 + [-5.0, 3.0, -5.0]):
        with torch.no_grad():
            t.head.bias.copy_(torch.tensor(bias))
        load_from_torch(e, t)
        assert_same(e.predict(ember.tensor(x)), t.predict(torch.tensor(x)))
    with torch.no_grad():    # rows split between shortlist and clusters
        t.head.weight.zero_()
        t.head.bias.copy_(torch.tensor([0.0] * 4 + [8.0, 0.0, 0.0]))
        t.head.weight[0, 0] = 30.0
    load_from_torch(e, t)
    x[:3, 0], x[3:, 0] = 1.0, -1.0
    rare = t.head(torch.tensor(x)).argmax(1) >= 4
    assert rare.tolist() == [False] * 3 + [True] * 3
    assert_same(e.predict(ember.tensor(x)), t.predict(torch.tensor(x)))


@pytest.mark.parametrize("call", [
    lambda t, m: m(t.zeros(3, 64), t.tensor([0, 1])),
    lambda t, m: m(t.zeros(2, 64), t.tensor([0, 25])),
    lambda t, m: m(t.zeros(2, 64), t.tensor([[0]])),
    lambda t, m: m(t.zeros(64), t.tensor([0])),
    lambda t, m: m(t.zeros(2, 64), t.tensor(1)),
])
def test_adaptive_log_softmax_errors(call):
    t, e = _asm_pair()
    same_error(lambda lib: call(lib, t if lib is torch else e), RuntimeError)


@pytest.mark.parametrize("cutoffs", [[], [4, 4], [10, 4], [0, 4], [4, 20]])
def test_adaptive_log_softmax_bad_cutoffs(cutoffs):
    same_error(lambda t: t.nn.AdaptiveLogSoftmaxWithLoss(8, 20, cutoffs), ValueError)


# ----------------------------------------------------------------------------- CrossMapLRN2d, Container

@pytest.mark.parametrize("size, c", [(2, 7), (3, 2), (4, 7), (5, 7), (5, 3)])
def test_cross_map_lrn2d_matches_torch_forward_and_backward(size, c):
    check(lambda t, x: t.nn.CrossMapLRN2d(size, alpha=0.5, beta=0.75, k=1.5)(x), [(2, c, 3, 4)],
          dtype=np.float64)
    check(lambda t, x: t.nn.CrossMapLRN2d(size)(x), [(1, c, 2, 2)])


def test_cross_map_lrn2d_repr_and_error():
    assert repr(ember.nn.CrossMapLRN2d(3)) == repr(torch.nn.CrossMapLRN2d(3)) == \
        "CrossMapLRN2d(3, alpha=0.0001, beta=0.75, k=1)"
    same_error(lambda t: t.nn.CrossMapLRN2d(3)(t.zeros(3, 4, 5)), ValueError)
    assert ember.nn.CrossMapLRN2d(3)(ember.ones(1, 3, 2, 2, requires_grad=True)).grad_fn.name() == \
        "CrossMapLRN2dBackward"


def test_container_warns_and_holds_children():
    reprs = []
    for lib in (torch, ember):
        with pytest.warns(FutureWarning, match="`nn.Container` is deprecated"):
            c = lib.nn.Container(a=lib.nn.ReLU(), b=lib.nn.Linear(2, 3))
        reprs.append(repr(c))
        assert [n for n, _ in c.named_children()] == ["a", "b"]
        assert list(c.state_dict()) == ["b.weight", "b.bias"]
    assert reprs[0] == reprs[1]


# ----------------------------------------------------------------------------- small functional gaps

def test_pdist_in_functional():
    check(lambda t, x: F(t).pdist(x), [(5, 4)])
    check(lambda t, x: F(t).pdist(x, 1.5), [(4, 3)], dtype=np.float64)


def test_rrelu_inplace():
    check(lambda t, x: F(t).rrelu_(x * 1, 0.1, 0.3), [(3, 4)])
    check(lambda t, x: t.rrelu_(x * 1), [(3, 4)])
    a = ember.randn(4, 5, requires_grad=True)
    x = a * 1
    y = F(ember).rrelu_(x, 0.1, 0.3, training=True)
    assert y is x and y.grad_fn is not None
    y.sum().backward()
    slope = (y / a).detach().numpy()                      # the slope each element drew
    np.testing.assert_allclose(a.grad.numpy(), slope, rtol=1e-5)
    neg = a.detach().numpy() < 0
    assert ((slope[neg] >= 0.1) & (slope[neg] <= 0.3)).all() and (slope[~neg] == 1).all()
    same_error(lambda t: t.rrelu_(t.ones(2, requires_grad=True), training=True), RuntimeError)


def test_inplace_dropouts():
    for name, shape in (("alpha_dropout_", (4, 6)), ("feature_alpha_dropout_", (4, 3, 5)),
                        ("feature_dropout_", (4, 3, 5))):
        x = ember.randn(*shape)
        keep = x.clone()
        assert getattr(ember, name)(x, 0.5, False) is x and ember.equal(x, keep)
        a = ember.randn(*shape, requires_grad=True)
        y = a * 1
        assert getattr(ember, name)(y, 0.5, True) is y and y.grad_fn is not None
        y.sum().backward()
        g = a.grad.numpy()
        if name.startswith("feature"):    # whole channels share one mask
            assert (g == g[:, :, :1]).all()
        assert len(np.unique(np.round(g, 5))) == 2
        same_error(lambda t: getattr(t, name)(t.ones(*shape, requires_grad=True), 0.5, True), RuntimeError)


# ----------------------------------------------------------------------------- multi_head_attention_forward

def _mha_args(lib, a, separate, bias_kv):
    ins = {k: lib.tensor(v, requires_grad=True) for k, v in a.items()}
    w = None if separate else ins["w"]
    sep = dict(use_separate_proj_weight=True, q_proj_weight=ins["wq"], k_proj_weight=ins["wk"],
               v_proj_weight=ins["wv"]) if separate else {}
    bk, bv = (ins["bk"], ins["bv"]) if bias_kv else (None, None)
    return ins, w, sep, bk, bv


@pytest.mark.parametrize("self_attn, need_weights, average, kpm, mask, separate, bias_kv, zero_attn", [
    (True, True, True, False, None, False, False, False),
    (True, False, True, True, "bool", False, True, True),
    (False, True, False, True, "float", True, False, True),
    (False, False, True, False, "bool", True, True, False),
    (False, True, True, True, None, False, True, False),
    (True, True, False, False, "float", False, False, True),
])
def test_multi_head_attention_forward_matches_torch(self_attn, need_weights, average, kpm, mask, separate,
                                                   bias_kv, zero_attn):
    E, H, L, N = 8, 2, 3, 2
    S = L if self_attn else 4
    a = {k: RNG.standard_normal(s) for k, s in dict(
        q=(L, N, E), k=(S, N, E), v=(S, N, E), w=(3 * E, E), b=(3 * E,), wo=(E, E), bo=(E,), wq=(E, E),
        wk=(E, E), wv=(E, E), bk=(1, 1, E), bv=(1, 1, E)).items()}
    pad_mask = np.zeros((N, S), bool)
    pad_mask[0, -1] = True
    bool_mask = RNG.random((L, S)) > 0.7
    bool_mask[:, 0] = False
    float_mask = RNG.standard_normal((L, S))
    results = []
    for lib in (torch, ember):
        ins, w, sep, bk, bv = _mha_args(lib, a, separate, bias_kv)
        q = ins["q"]
        k, v = (q, q) if self_attn else (ins["k"], ins["v"])
        kw = dict(training=False, need_weights=need_weights, average_attn_weights=average, **sep)
        if kpm:
            kw["key_padding_mask"] = lib.tensor(pad_mask)
        if mask is not None:
            kw["attn_mask"] = lib.tensor(bool_mask if mask == "bool" else float_mask)
        mixed = kpm and mask == "float"       # bool padding mask with a float attn_mask: deprecated, warns
        with pytest.warns(UserWarning, match="mismatched key_padding_mask") if mixed else contextlib.nullcontext():
            out, weights = F(lib).multi_head_attention_forward(q, k, v, E, H, w, ins["b"], bk, bv, zero_attn, 0.0,
                                                               ins["wo"], ins["bo"], **kw)
        (out.sum() + (0 if weights is None else (weights * weights).sum())).backward()
        results.append((out, weights, {n: t.grad for n, t in ins.items() if t.grad is not None}))
    (to, tw, tg), (eo, ew, eg) = results
    assert_same(eo, to)
    assert (ew is None) == (tw is None)
    if tw is not None:
        assert_same(ew, tw)
    assert set(eg) == set(tg)
    for n in tg:
        assert_same(eg[n], tg[n], f"grad of {n}")


def test_multi_head_attention_forward_static_kv_unbatched_causal():
    E, H, L = 6, 3, 4
    causal = np.triu(np.full((L, L), -np.inf), 1)

    def fn(t, x, w, b, wo, bo, sk, sv):
        batched = F(t).multi_head_attention_forward(x, x, x, E, H, w, b, None, None, False, 0.0, wo, bo,
                                                    static_k=sk, static_v=sv)
        unbatched = F(t).multi_head_attention_forward(x[:, 0], x[:, 0], x[:, 0], E, H, w, b, None, None, False,
                                                      0.0, wo, bo, attn_mask=t.tensor(causal), is_causal=True,
                                                      need_weights=False)
        return batched + (unbatched[0],)
    check(fn, [(L, 1, E), (3 * E, E), (3 * E,), (E, E), (E,), (H, 5, 2), (H, 5, 2)], dtype=np.float64)


@pytest.mark.parametrize("call", [
    lambda t, x, w, wo: F(t).multi_head_attention_forward(x, x, x, 7, 2, w, None, None, None, False, 0.0, wo,
                                                          None),
    lambda t, x, w, wo: F(t).multi_head_attention_forward(x, x, x[:, :, :4], 8, 2, w, None, None, None, False,
                                                          0.0, wo, None),
    lambda t, x, w, wo: F(t).multi_head_attention_forward(x, x, x, 8, 2, w, None, None, None, False, 0.0, wo,
                                                          None, is_causal=True),
    lambda t, x, w, wo: F(t).multi_head_attention_forward(x, x, x, 8, 2, w, None, None, None, False, 0.0, wo,
                                                          None, attn_mask=t.zeros(2, 2)),
    lambda t, x, w, wo: F(t).multi_head_attention_forward(x[0], x, x, 8, 2, w, None, None, None, False, 0.0, wo,
                                                          None),
    lambda t, x, w, wo: F(t).multi_head_attention_forward(x, x, x, 8, 2, w, None, None, None, False, 0.0, wo,
                                                          None, key_padding_mask=t.zeros(2, 3, dtype=t.long)),
    lambda t, x, w, wo: F(t).multi_head_attention_forward(x, x, x, 8, 2, w, None, t.zeros(1, 1, 8), None, False,
                                                          0.0, wo, None),
])
def test_multi_head_attention_forward_errors(call):
    same_error(lambda t: call(t, t.zeros(3, 2, 8), t.zeros(24, 8), t.zeros(8, 8)))


def test_multihead_attention_module_batch_first_and_kdim_still_match():
    for kw in (dict(batch_first=True), dict(kdim=5, vdim=3, bias=False, add_bias_kv=True)):
        torch.manual_seed(1)
        t = torch.nn.MultiheadAttention(8, 2, **kw)
        e = ember.nn.MultiheadAttention(8, 2, **kw)
        load_from_torch(e, t)
        kd, vd = kw.get("kdim", 8), kw.get("vdim", 8)
        shapes = [(2, 3, 8), (2, 4, kd), (2, 4, vd)] if kw.get("batch_first") else [(3, 2, 8), (4, 2, kd),
                                                                                     (4, 2, vd)]
        arrays = [RNG.standard_normal(s).astype(np.float32) for s in shapes]
        for need in (True, False):
            to = t(*[torch.tensor(a) for a in arrays], need_weights=need)
            eo = e(*[ember.tensor(a) for a in arrays], need_weights=need)
            assert_same(eo[0], to[0])
            if need:
                assert_same(eo[1], to[1])


# ----------------------------------------------------------------------------- nn.attention

def test_sdpa_kernel_selection_and_errors():
    from ember.nn.attention import SDPBackend, sdpa_kernel
    from torch.nn.attention import SDPBackend as TB
    assert [(b.name, int(b)) for b in SDPBackend] == [(b.name, int(b)) for b in TB.__members__.values()]
    assert str(SDPBackend.MATH) == str(TB.MATH) and repr(SDPBackend.MATH) == repr(TB.MATH)
    q = RNG.standard_normal((1, 2, 3, 4)).astype(np.float32)
    for name in ("MATH", "FLASH_ATTENTION", "EFFICIENT_ATTENTION", "CUDNN_ATTENTION", "OVERRIDEABLE", "ERROR"):
        def run(lib):
            from importlib import import_module
            att = import_module(lib.__name__ + ".nn.attention")
            x = lib.tensor(q)
            with att.sdpa_kernel(getattr(att.SDPBackend, name)):
                return F(lib).scaled_dot_product_attention(x, x, x)
        if name in ("MATH", "FLASH_ATTENTION"):
            assert_same(run(ember), run(torch))
        else:
            same_error(run, RuntimeError)
    with pytest.raises(AssertionError, match="Backend must be an instance of SDPBackend"):
        with sdpa_kernel("math"):
            pass
    x = ember.tensor(q)
    with sdpa_kernel([SDPBackend.CUDNN_ATTENTION, SDPBackend.MATH], set_priority=True) as ctx:
        assert ctx == {}
        with sdpa_kernel([]):
            with pytest.raises(RuntimeError, match="No viable backend"):
                F(ember).scaled_dot_product_attention(x, x, x)
        F(ember).scaled_dot_product_attention(x, x, x)          # the outer choice is back
    mha = ember.nn.MultiheadAttention(4, 2)
    y = ember.tensor(q[0])
    with sdpa_kernel(SDPBackend.EFFICIENT_ATTENTION):
        mha(y, y, y)                                            # need_weights: no SDPA kernel involved
        with pytest.raises(RuntimeError, match="No viable backend"):
            mha(y, y, y, need_weights=False)


def test_nn_exports_uninitialized_and_attention():
    assert ember.nn.UninitializedParameter is ember.nn.parameter.UninitializedParameter
    assert ember.nn.UninitializedBuffer is ember.nn.parameter.UninitializedBuffer
    assert isinstance(ember.nn.UninitializedParameter(), ember.nn.Parameter)
    import ember.nn.attention as att
    assert ember.nn.attention is att and att.WARN_FOR_UNFUSED_KERNELS is False


def test_every_name_of_the_task_exists():
    nn_names = ["FractionalMaxPool2d", "FractionalMaxPool3d", "LPPool3d", "MaxUnpool3d", "AdaptiveLogSoftmaxWithLoss",
                "CrossMapLRN2d", "Container", "LinearCrossEntropyLoss", "UninitializedParameter",
                "UninitializedBuffer", "attention"]
    f_names = ["fractional_max_pool2d", "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
               "fractional_max_pool3d_with_indices", "lp_pool3d", "max_unpool3d", "pdist", "rrelu_",
               "multi_head_attention_forward", "linear_cross_entropy", "conv_tbc"]
    top = ["lstm_cell", "gru_cell", "rnn_tanh_cell", "rnn_relu_cell", "constant_pad_nd", "convolution",
           "native_layer_norm", "native_batch_norm", "alpha_dropout_", "feature_alpha_dropout_", "feature_dropout_",
           "max_pool1d_with_indices", "grid_sampler_2d", "conv_tbc", "ctc_loss", "rrelu_"]
    for ns, names in ((ember.nn, nn_names), (ember.nn.functional, f_names), (ember, top)):
        assert [n for n in names if not hasattr(ns, n)] == []


# ----------------------------------------------------------------------------- linear_cross_entropy

def test_linear_cross_entropy_functional():
    tgt = np.array([1, 0, 4, 3])
    check(lambda t, x, w: F(t).linear_cross_entropy(x, w, t.tensor(tgt)), [(4, 6), (5, 6)])
    check(lambda t, x, w, b: F(t).linear_cross_entropy(x, w, t.tensor(tgt), linear_bias=b, reduction="none",
                                                       label_smoothing=0.1), [(4, 6), (5, 6), (5,)])
    check(lambda t, x, w: F(t).linear_cross_entropy(x, w, t.tensor(tgt[0])), [(6,), (5, 6)])
    tk = RNG.integers(0, 5, (4, 2, 3))
    check(lambda t, x, w, b: F(t).linear_cross_entropy(x, w, t.tensor(tk), linear_bias=b, ignore_index=2),
          [(4, 6), (5, 2, 3, 6), (5, 2, 3)])
    probs = RNG.dirichlet(np.ones(5), size=4).astype(np.float32)
    check(lambda t, x, w, p: F(t).linear_cross_entropy(x, w, p, reduction="sum", weight=t.arange(1.0, 6.0)),
          [(4, 6), (5, 6), probs])
    same_error(lambda t: F(t).linear_cross_entropy(t.zeros(4, 6), t.zeros(5, 7), t.zeros(4, dtype=t.long)))
    same_error(lambda t: F(t).linear_cross_entropy(t.zeros(6), t.zeros(5, 2, 6), t.zeros((), dtype=t.long)))
    same_error(lambda t: F(t).linear_cross_entropy(t.zeros(4, 6), t.zeros(5, 6), t.zeros(4, 5), ignore_index=1))


def test_linear_cross_entropy_loss_module():
    torch.manual_seed(0)
    t = torch.nn.LinearCrossEntropyLoss(5, 10, out_features=(4, 3), bias=True, weight=torch.rand(10))
    e = ember.nn.LinearCrossEntropyLoss(5, 10, out_features=(4, 3), bias=True, weight=ember.rand(10))
    assert repr(e) == repr(t) and list(e.state_dict()) == list(t.state_dict())
    load_from_torch(e, t)
    x = RNG.standard_normal((2, 5)).astype(np.float32)
    tgt = RNG.integers(0, 10, (2, 4, 3))
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    tl, el = t(tx, torch.tensor(tgt)), e(ex, ember.tensor(tgt))
    assert_same(el, tl)
    tl.backward()
    el.backward()
    assert_same(ex.grad, tx.grad)
    assert_same(e.linear.weight.grad, t.linear.weight.grad)
    same_error(lambda lib: lib.nn.LinearCrossEntropyLoss(5, 10, weight=lib.ones(3)), RuntimeError)
    with pytest.warns(UserWarning, match="options"):
        F(ember).linear_cross_entropy(ember.zeros(2, 3), ember.zeros(4, 3), ember.zeros(2, dtype=ember.long),
                                      options=object())


# ----------------------------------------------------------------------------- functional RNN cells

@pytest.mark.parametrize("bias", ["both", "ih", "hh", "none"])
def test_rnn_cells(bias):
    def biases(g):
        return {"both": [(g * 5,), (g * 5,)], "ih": [(g * 5,)], "hh": [(g * 5,)], "none": []}[bias]

    def args(t, rest):
        if bias == "both":
            return rest
        if bias == "ih":
            return (rest[0], None)
        if bias == "hh":
            return (None, rest[0])
        return ()
    check(lambda t, x, h, c, wi, wh, *b: t.lstm_cell(x, (h, c), wi, wh, *args(t, b)),
          [(3, 4), (3, 5), (3, 5), (20, 4), (20, 5)] + biases(4))
    check(lambda t, x, h, wi, wh, *b: t.gru_cell(x, h, wi, wh, *args(t, b)),
          [(3, 4), (3, 5), (15, 4), (15, 5)] + biases(3), dtype=np.float64)
    check(lambda t, x, h, wi, wh, *b: t.rnn_tanh_cell(x, h, wi, wh, *args(t, b)),
          [(3, 4), (3, 5), (5, 4), (5, 5)] + biases(1))
    check(lambda t, x, h, wi, wh, *b: t.rnn_relu_cell(x, h, wi, wh, *args(t, b)),
          [(3, 4), (3, 5), (5, 4), (5, 5)] + biases(1))


@pytest.mark.parametrize("call", [
    lambda t, x, h, wi, wh: t.lstm_cell(x, (h,), wi, wh),
    lambda t, x, h, wi, wh: t.lstm_cell(x, h, wi, wh),
    lambda t, x, h, wi, wh: t.lstm_cell(x, (h[:2], h), wi, wh),
    lambda t, x, h, wi, wh: t.lstm_cell(x[:, :3], (h, h), wi, wh),
    lambda t, x, h, wi, wh: t.lstm_cell(x[0], (h[0], h[0]), wi, wh),
    lambda t, x, h, wi, wh: t.rnn_relu_cell(x, h, wi[:6], wh[:5]),
    lambda t, x, h, wi, wh: t.rnn_relu_cell(x, None, wi[:5], wh[:5]),
    lambda t, x, h, wi, wh: t.gru_cell(x.double(), h, wi[:15], wh[:15]),
])
def test_rnn_cell_errors(call):
    same_error(lambda t: call(t, t.zeros(3, 4), t.zeros(3, 5), t.zeros(20, 4), t.zeros(20, 5)))


# ----------------------------------------------------------------------------- ATen-level helpers

def test_pad_and_convolution_entry_points():
    check(lambda t, x: t.constant_pad_nd(x, [1, 2, -1, 0], 0.5), [(2, 3, 4, 5)])
    check(lambda t, x, w, b: t.convolution(x, w, b, [2, 1], [1], [1], False, [0], 1), [(2, 4, 7, 6), (3, 4, 3, 3),
                                                                                      (3,)])
    check(lambda t, x, w: t.convolution(x, w, None, [2], [1], [1], True, [1], 2), [(2, 4, 7), (4, 3, 3)])
    check(lambda t, x, w, b: t.convolution(x, w, b, [1, 1, 1], [0, 1, 0], [1, 1, 2], False, [0, 0, 0], 1),
          [(1, 2, 4, 5, 6), (3, 2, 2, 2, 2), (3,)])
    same_error(lambda t: t.convolution(t.zeros(2, 5, 5), t.zeros(3, 2, 3, 3), None, [1, 1], [0, 0], [1, 1], False,
                                       [0, 0], 1), RuntimeError)
    same_error(lambda t: t.constant_pad_nd(t.zeros(2, 3), [1, 2, 3]), RuntimeError)


def test_conv_tbc():
    check(lambda t, x, w, b: t.conv_tbc(x, w, b, 1), [(6, 2, 3), (3, 3, 4), (4,)])
    check(lambda t, x, w, b: F(t).conv_tbc(x, w, b), [(6, 2, 3), (3, 3, 4), (4,)], dtype=np.float64)
    for args in (((5, 3), (3, 3, 4), (4,)), ((5, 2, 3), (3, 4), (4,)), ((5, 2, 3), (3, 3, 4), (2,)),
                 ((5, 2, 3), (3, 2, 4), (4,)), ((5, 2, 3), (7, 3, 4), (4,))):
        same_error(lambda t: t.conv_tbc(*[t.zeros(*s) for s in args]), RuntimeError)
    same_error(lambda t: t.conv_tbc(t.zeros(5, 2, 3), t.zeros(3, 3, 4), None), TypeError)


def test_native_norms():
    check(lambda t, x, w, b: t.native_layer_norm(x, [4, 5], w, b, 1e-5), [(2, 3, 4, 5), (4, 5), (4, 5)])
    check(lambda t, x: t.native_layer_norm(x, (5,), None, None, 1e-3), [(2, 3, 4, 5)], dtype=np.float64)
    rm, rv = RNG.random(3).astype(np.float32), RNG.random(3).astype(np.float32) + 0.5
    for training in (True, False):
        stats = {torch: [torch.tensor(rm), torch.tensor(rv)], ember: [ember.tensor(rm), ember.tensor(rv)]}
        check(lambda t, x, w, b: t.native_batch_norm(x, w, b, *stats[t], training, 0.2, 1e-5),
              [(4, 3, 5), (3,), (3,)])
        assert_same(stats[ember][0], stats[torch][0])
        assert_same(stats[ember][1], stats[torch][1])
    check(lambda t, x: t.native_batch_norm(x, None, None, None, None, True, 0.1, 1e-5), [(4, 3, 2, 2)])
    with pytest.raises(RuntimeError, match="running_mean and running_var must be given"):
        ember.native_batch_norm(ember.zeros(2, 3), None, None, None, None, False, 0.1, 1e-5)


def test_grid_sampler_2d_and_ctc_loss():
    for mode in range(3):
        for padding in range(3):
            check(lambda t, x, g: t.grid_sampler_2d(x, g, mode, padding, padding == 1), [(2, 3, 5, 6), (2, 4, 3, 2)],
                  dtype=np.float64)
    same_error(lambda t: t.grid_sampler_2d(t.zeros(1, 2, 3, 3, 3), t.zeros(1, 4, 4, 4, 3), 0, 0, False),
               RuntimeError)
    lp = np.log(RNG.dirichlet(np.ones(5), size=(10, 3))).astype(np.float32)
    tg, il, tl = np.array([[1, 2, 3], [2, 2, 0], [4, 1, 1]]), [10, 9, 8], [3, 2, 1]
    for red in (0, 1, 2):
        check(lambda t, x: t.ctc_loss(x, t.tensor(tg), il, tl, 0, red, False), [lp])
        check(lambda t, x: t.ctc_loss(x, t.tensor(tg), t.tensor(il), t.tensor(tl), 0, red), [lp])
