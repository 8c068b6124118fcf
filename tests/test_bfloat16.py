"""bfloat16 / float16 arithmetic against PyTorch's CPU results: dtypes equal, values as PyTorch rounds them.

PyTorch computes these 'reduced floating point' types in float32 and rounds each result once. A Python
number meets the tensor's dtype in one of two ways, and which one shows in the values: ``x * 0.3`` and
``x / 0.3`` multiply by float32(0.3) (the 'opmath' scalar of its mul/div kernels), while ``x + 0.3``,
``x - 0.3``, ``x ** 0.3``, comparisons and ``clamp`` first cast 0.3 to bfloat16. ml_dtypes' bfloat16
takes no part in NumPy's weak-scalar rules (``bf16_array * 0.3`` is float32 in NumPy).

Values are compared with a bound of one rounding (PyTorch's vector kernels round the few tail elements
differently), and must be exact for nearly all elements, which tells the two scalar rules apart (the
wrong rule changes most of them).
"""
import numpy as np
import pytest
import torch

import ember

# one rounding of the dtype, relative; and how many elements may differ at all
_ULP = {"bfloat16": 2.0 ** -7, "float16": 2.0 ** -10}
_MOSTLY_EXACT = 0.98


def _pair(values, dtype):
    """The same values as an Ember and a torch tensor of ``dtype`` ('bfloat16' / 'float16')."""
    a = np.asarray(values, dtype=np.float32)
    return (ember.tensor(a).to(getattr(ember, dtype)), torch.tensor(a).to(getattr(torch, dtype)))


def _np(t):
    t = t.detach()
    return t.numpy() if str(t.dtype).endswith("bool") else t.float().numpy()


def _close_to_torch(e, t, dtype, what):
    assert str(e.dtype) == str(t.dtype), (what, e.dtype, t.dtype)
    a, b = _np(e), _np(t)
    assert a.shape == b.shape, what
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    assert same.mean() >= _MOSTLY_EXACT, (what, f"{(~same).sum()} of {same.size} elements differ")
    if a.dtype != bool:
        np.testing.assert_allclose(a, b, rtol=2 * _ULP[dtype], atol=1e-6, err_msg=what)


def _data(n=4096, seed=0, positive=False):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(n).astype(np.float32) * 3
    return np.abs(a) + 0.05 if positive else a


_SCALAR_OPS = {
    "x * s": lambda x, s: x * s,
    "s * x": lambda x, s: s * x,
    "x.mul(s)": lambda x, s: x.mul(s),
    "x / s": lambda x, s: x / s,
    "s / x": lambda x, s: s / x,
    "x // s": lambda x, s: x // s,
    "div trunc": lambda x, s: x.div(s, rounding_mode="trunc"),
    "x + s": lambda x, s: x + s,
    "s + x": lambda x, s: s + x,
    "x - s": lambda x, s: x - s,
    "s - x": lambda x, s: s - x,
    "x % s": lambda x, s: x % s,
    "fmod": lambda x, s: x.fmod(s),
    "|x| ** s": lambda x, s: x.abs() ** s,
    "|s| ** x": lambda x, s: abs(s) ** x,
    "x < s": lambda x, s: x < s,
    "x == s": lambda x, s: x == s,
    "x >= s": lambda x, s: x >= s,
    "clamp": lambda x, s: x.clamp(min=-abs(s), max=abs(s)),
    "lerp": lambda x, s: x.lerp(x.flip(0), s),
    "add alpha": lambda x, s: x.add(x.flip(0), alpha=s),
    "sub alpha": lambda x, s: x.sub(x.flip(0), alpha=s),
    "addcmul": lambda x, s: x.addcmul(x.flip(0), x.roll(1), value=s),
    "addcdiv": lambda x, s: x.addcdiv(x.flip(0), x.roll(1).abs() + 1, value=s),
    "where": lambda x, s: x.where(x > 0, s) if isinstance(x, torch.Tensor) else ember.where(x > 0, x, s),
    "masked_fill": lambda x, s: x.masked_fill(x > 0, s),
}


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("s", [0.3, -1.1, 2.7, 3, 2, -2, 0.5])
@pytest.mark.parametrize("op", list(_SCALAR_OPS))
def test_tensor_with_python_number_matches_torch(op, s, dtype):
    e, t = _pair(_data(), dtype)
    _close_to_torch(_SCALAR_OPS[op](e, s), _SCALAR_OPS[op](t, s), dtype, f"{op} {s}")


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_scalar_rules_tell_opmath_from_rounded_scalar(dtype):
    """The two rules of the module docstring, computed by hand from float32 (not by asking torch)."""
    x = _data()
    e, _ = _pair(x, dtype)
    xr = e.float().numpy()                     # the dtype's values, in float32
    rnd = np.dtype(getattr(ember, dtype).np)

    def r(v):
        return np.asarray(v, dtype=np.float32).astype(rnd).astype(np.float32)
    s = 0.3
    np.testing.assert_array_equal((e * s).float().numpy(), r(xr * np.float32(s)))      # opmath scalar
    np.testing.assert_array_equal((e / s).float().numpy(), r(xr / np.float32(s)))
    np.testing.assert_array_equal((e + s).float().numpy(), r(xr + r(s)))               # scalar cast first
    np.testing.assert_array_equal((e - s).float().numpy(), r(xr - r(s)))
    np.testing.assert_array_equal((e == s).numpy(), xr == r(s))
    assert (e * s).dtype is (e + s).dtype is getattr(ember, dtype)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("op", ["mul", "div", "add", "sub", "rsub", "pow", "rpow", "rdiv", "lerp", "addcdiv",
                                "clamp"])
def test_scalar_op_gradients_match_torch(op, dtype):
    fns = {"mul": lambda x: x * 0.3, "div": lambda x: x / 0.3, "add": lambda x: (x + 0.3) * x,
           "sub": lambda x: (x - 0.3) * x, "rsub": lambda x: (1.1 - x) * x, "pow": lambda x: x.abs() ** 2.7,
           "rpow": lambda x: 1.3 ** x, "rdiv": lambda x: 0.3 / x, "lerp": lambda x: x.lerp(x * x, 0.7),
           "addcdiv": lambda x: x.addcdiv(x, x.abs() + 1, value=0.3), "clamp": lambda x: x.clamp(-1.1, 0.3)}
    e, t = _pair(_data(1024, seed=1), dtype)
    e.requires_grad_()
    t.requires_grad_()
    g = np.random.default_rng(2).standard_normal(1024).astype(np.float32)
    ye, yt = fns[op](e), fns[op](t)
    _close_to_torch(ye, yt, dtype, op)
    ye.backward(ember.tensor(g).to(ye.dtype))
    yt.backward(torch.tensor(g).to(yt.dtype))
    _close_to_torch(e.grad, t.grad, dtype, op + " grad")


def test_float16_fast_operator_path_uses_float32_scalar():
    """``x * 0.3`` on a float16 tensor leaves the float32 fast path (NumPy would round 0.3 to float16)."""
    e, t = _pair(_data(), "float16")
    for s in (0.3, 1.1, 3001):
        np.testing.assert_array_equal((e * s).float().numpy(), (t * s).float().numpy())
        np.testing.assert_array_equal((e / s).float().numpy(), (t / s).float().numpy())


def test_pow_by_3_and_minus_2_round_like_torch():
    """PyTorch's bfloat16 x ** 3 and x ** -2 multiply in bfloat16 (each product rounded)."""
    e, t = _pair(_data(positive=True), "bfloat16")
    for s in (3, 3.0, -2, 2, -1, 0.5, 4):
        np.testing.assert_array_equal((e ** s).float().numpy(), (t ** s).float().numpy(), err_msg=str(s))


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_tensor_tensor_mixes_follow_result_type(dtype):
    rng = np.random.default_rng(3)
    a = rng.standard_normal((4, 5)).astype(np.float32)
    other = "float16" if dtype == "bfloat16" else "bfloat16"
    pairs = {
        "same": lambda L, x: (x, x.flip(0)),
        "reduced x other reduced": lambda L, x: (x, x.flip(0).to(getattr(L, other))),
        "int tensor": lambda L, x: (x, L.arange(20).reshape(4, 5)),
        "int tensor first": lambda L, x: (L.arange(20).reshape(4, 5) - 7, x),
        "bool tensor": lambda L, x: (x, x > 0),
        "0-dim float32": lambda L, x: (x, L.tensor(0.3)),
        "0-dim float64 first": lambda L, x: (L.tensor(0.3, dtype=L.float64), x),
        "0-dim int": lambda L, x: (x, L.tensor(3)),
        "dim float32": lambda L, x: (x, L.ones(5) * 0.3),
        "0-dim reduced with 0-dim float32": lambda L, x: (x[0, 0], L.tensor(0.3)),
    }
    ops = {"add": lambda p, q: p + q, "sub": lambda p, q: p - q, "mul": lambda p, q: p * q,
           "div": lambda p, q: p / q, "lt": lambda p, q: p < q, "maximum": lambda p, q: p.maximum(q) if
           p.dtype == q.dtype else p + q}
    for pname, make in pairs.items():
        pe, pt = make(ember, _pair(a, dtype)[0]), make(torch, _pair(a, dtype)[1])
        assert str(ember.result_type(*pe)) == str(torch.result_type(*pt)), pname
        for oname, f in ops.items():
            if oname == "sub" and any(str(v.dtype).endswith("bool") for v in pt):
                continue
            _close_to_torch(f(*pe), f(*pt), dtype, f"{pname}: {oname}")


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "rsqrt", "sigmoid", "tanh", "sin", "erf", "erfinv",
                                  "expm1", "log1p", "reciprocal", "deg2rad", "rad2deg", "square", "abs",
                                  "floor", "round", "frac"])
def test_unary_ops_keep_the_dtype_and_round_once(name, dtype):
    x = np.random.default_rng(4).uniform(0.05, 0.95, 2048).astype(np.float32)
    e, t = _pair(x, dtype)
    e.requires_grad_(e.is_floating_point())
    t.requires_grad_(t.is_floating_point())
    ye, yt = getattr(e, name)(), getattr(t, name)()
    _close_to_torch(ye, yt, dtype, name)
    ye.float().sum().backward()
    yt.float().sum().backward()
    assert e.grad.dtype is getattr(ember, dtype)
    np.testing.assert_allclose(e.grad.float().numpy(), t.grad.float().numpy(), rtol=4 * _ULP[dtype],
                               atol=1e-6, err_msg=name)


def test_bfloat16_nan_to_num():
    a = np.array([np.nan, np.inf, -np.inf, 1.5, -0.3], dtype=np.float32)
    e, t = _pair(a, "bfloat16")
    for kw in ({}, {"nan": 0.3}, {"nan": 1.0, "posinf": 7.1, "neginf": -2.2}):
        _close_to_torch(e.nan_to_num(**kw), t.nan_to_num(**kw), "bfloat16", str(kw))


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("eq,shapes", [("ij,jk->ik", [(6, 32), (32, 5)]), ("bij,bjk->bik", [(2, 3, 16), (2, 16, 4)]),
                                       ("ij->j", [(40, 7)]), ("ii->i", [(6, 6)]), ("i,j->ij", [(5,), (4,)]),
                                       ("ij,jk,kl->il", [(3, 16), (16, 8), (8, 2)]), ("...ij,...j->...i",
                                                                                      [(2, 3, 9), (2, 9)])])
def test_einsum_keeps_reduced_dtypes(eq, shapes, dtype):
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    pe = [_pair(a, dtype)[0].requires_grad_() for a in arrays]
    pt = [_pair(a, dtype)[1].requires_grad_() for a in arrays]
    ye, yt = ember.einsum(eq, *pe), torch.einsum(eq, *pt)
    assert str(ye.dtype) == str(yt.dtype) == f"torch.{dtype}"
    # float32 sums in another order (and PyTorch rounds each pair's product): a few roundings
    np.testing.assert_allclose(ye.detach().float().numpy(), yt.detach().float().numpy(), rtol=4 * _ULP[dtype],
                               atol=8 * _ULP[dtype] * np.sqrt(shapes[0][-1]))
    ye.float().sum().backward()
    yt.float().sum().backward()
    for a, b in zip(pe, pt):
        assert str(a.grad.dtype) == str(b.grad.dtype)


def test_bfloat16_classification_ops():
    a = np.array([np.inf, -np.inf, -0.0, 0.0, 1.5, -2.0, 3e38], dtype=np.float32)
    e, t = _pair(a, "bfloat16")
    for name in ("isnan", "isinf", "isposinf", "isneginf", "isfinite", "signbit"):
        np.testing.assert_array_equal(getattr(e, name)().numpy(), getattr(t, name)().numpy(), err_msg=name)
    e, t = _pair([np.nan, 1.0], "bfloat16")
    np.testing.assert_array_equal(e.isnan().numpy(), t.isnan().numpy())
    np.testing.assert_array_equal(e.isfinite().numpy(), t.isfinite().numpy())


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_products_with_beta_alpha_keep_the_dtype_and_round_once(dtype):
    rng = np.random.default_rng(6)

    def p(*shape):
        return _pair(rng.standard_normal(shape).astype(np.float32), dtype)
    c, m1, m2, v, b1, b2, bc, sq = p(4, 3), p(4, 5), p(5, 3), p(5), p(3, 4, 5), p(3, 5, 3), p(3, 4, 3), p(6, 6)
    v4 = p(4)
    cases = {
        "addmm": lambda L, i: L.addmm(c[i], m1[i], m2[i]),
        "addmm beta alpha": lambda L, i: L.addmm(c[i], m1[i], m2[i], beta=0.5, alpha=2.5),
        "addmv beta alpha": lambda L, i: L.addmv(v4[i], m1[i], v[i], beta=0.5, alpha=2.5),
        "baddbmm beta alpha": lambda L, i: L.baddbmm(bc[i], b1[i], b2[i], beta=0.5, alpha=2.5),
        "addbmm": lambda L, i: L.addbmm(c[i], b1[i], b2[i]),
        "addbmm beta alpha": lambda L, i: L.addbmm(c[i], b1[i], b2[i], beta=0.5, alpha=2.5),
        "trace": lambda L, i: sq[i].trace(),
    }
    for name, f in cases.items():
        _close_to_torch(f(ember, 0), f(torch, 1), dtype, name)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("name,kw", [("hardswish", {}), ("hardsigmoid", {}), ("gelu", {}),
                                     ("gelu", {"approximate": "tanh"}), ("silu", {})])
def test_activations_compute_in_float32_and_round_once(name, kw, dtype):
    # Within two roundings, not mostly exact: the float32 erf/tanh inside differ from PyTorch's vectorised
    # ones in the last bits, which flips a few float16 roundings.
    e, t = _pair(_data() * 3, dtype)
    got, want = getattr(ember.nn.functional, name)(e, **kw), getattr(torch.nn.functional, name)(t, **kw)
    assert str(got.dtype) == str(want.dtype)
    np.testing.assert_allclose(_np(got), _np(want), rtol=2 * _ULP[dtype], atol=1e-6, err_msg=name)


# PyTorch's reduced-float kernels for these compute in float32 and round once, backward kernels too.
_HALF_KERNELS = {
    "leaky_relu": lambda F, x: F.leaky_relu(x, 0.2),
    "elu": lambda F, x: F.elu(x, 0.7),
    "celu": lambda F, x: F.celu(x, 1.3),
    "selu": lambda F, x: F.selu(x),
    "elu_": lambda F, x: F.elu(x * 1, 0.7, inplace=True),      # backward from the (rounded) result
    "selu_": lambda F, x: F.selu(x * 1, inplace=True),
    "softplus": lambda F, x: F.softplus(x),
    "softplus beta threshold": lambda F, x: F.softplus(x, 0.3, 5.0),
    "mish": lambda F, x: F.mish(x),
    "logsigmoid": lambda F, x: F.logsigmoid(x),
    "softmax": lambda F, x: F.softmax(x.reshape(-1, 8), 1),
    "log_softmax": lambda F, x: F.log_softmax(x.reshape(-1, 8), -1),   # sum and its log rounded to the dtype
    "log_softmax dim 0": lambda F, x: F.log_softmax(x.reshape(-1, 8), 0),
    "softmax dim 0": lambda F, x: F.softmax(x.reshape(-1, 8), 0),
}
# Exact, except these (ulps allowed): mish's float32 tanh(log1p(exp)) differs from PyTorch's vectorised one
# in the last bits; softmax over a non-last dim rounds exp to the dtype first in PyTorch's scalar path (inner
# sizes below the vector width, tail columns, thread-chunk edges), which Ember's float32 exp / sum (PyTorch's
# vectorised path) does not; its gradient (g - sum(g * y)) * y inherits that ulp of y.
_ULPS = {("mish", "forward"): 1, ("softmax dim 0", "forward"): 1, ("softmax dim 0", "grad"): 2}


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("name", list(_HALF_KERNELS))
def test_activation_kernels_round_once_like_torch(name, dtype):
    x = np.concatenate([_data(400, seed=8) * 3, [0, -0.0, 1e4, -1e4, 6e4, -6e4, 30, -30]])
    e, t = _pair(x, dtype)
    e.requires_grad_()
    t.requires_grad_()
    f = _HALF_KERNELS[name]
    ye, yt = f(ember.nn.functional, e), f(torch.nn.functional, t)
    g = np.random.default_rng(9).standard_normal(x.size).astype(np.float32).reshape(tuple(yt.shape))
    ye.backward(ember.tensor(g).to(ye.dtype))
    yt.backward(torch.tensor(g).to(yt.dtype))
    for what, a, b in (("forward", ye, yt), ("grad", e.grad, t.grad)):
        assert str(a.dtype) == str(b.dtype), (name, what)
        ulps = _ULPS.get((name, what))
        if ulps:
            tiny = {"bfloat16": 1e-38, "float16": 2.0 ** -24}[dtype]     # float16 subnormals: an absolute ulp
            np.testing.assert_allclose(_np(a), _np(b), rtol=ulps * _ULP[dtype], atol=ulps * tiny,
                                       err_msg=f"{name} {what}")
        else:
            np.testing.assert_array_equal(_np(a), _np(b), err_msg=f"{name} {what}")


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_half_activation_backward_paths_agree(dtype):
    """The Tensor backward (create_graph) and the array backward_data give the same half-type gradients."""
    x = _data(400, seed=10) * 3
    g = np.random.default_rng(11).standard_normal(400).astype(np.float32)
    for name, f in _HALF_KERNELS.items():
        grads = []
        for create_graph in (False, True):
            e = _pair(x, dtype)[0].requires_grad_()
            y = f(ember.nn.functional, e)
            gx, = ember.autograd.grad(y, e, ember.tensor(g.reshape(tuple(y.shape))).to(y.dtype),
                                      create_graph=create_graph)
            grads.append(_np(gx))
        np.testing.assert_array_equal(grads[0], grads[1], err_msg=name)


# ----------------------------------------------------------------------------- nll_loss / cross_entropy
# PyTorch's cross_entropy is log_softmax(input, 1) then nll_loss, each rounding to the half type; its nll_loss
# kernel sums in the half type, one rounding per add, in 8 levels of partial sums (16 samples a level).
_NLL_SHAPES = [((64, 10), (64,)), ((300, 7), (300,)), ((10,), ()), ((6, 5, 7), (6, 7)), ((2, 3, 40, 40), (2, 40, 40))]


def _class_loss_case(shape, tshape, seed, ignore):
    rng = np.random.default_rng(seed)
    c = shape[1] if len(shape) > 1 else shape[0]
    x = rng.standard_normal(shape).astype(np.float32) * 3
    t = rng.integers(0, c, tshape)
    if ignore and t.ndim:
        t.reshape(-1)[::7] = -100       # every 7th ignored: some of the kernel's level ends (multiples of 16) too
    return x, t, rng.random(c).astype(np.float32) + 0.1, rng.standard_normal(tshape).astype(np.float32)


def _class_loss_both(f, x, t, w, g, dtype, reduction, **kw):
    """f(F, x, t, weight, reduction, **kw) forward and input gradient, for Ember and for torch."""
    out = []
    for lib in (ember, torch):
        dt = getattr(lib, dtype)
        xs = lib.tensor(x).to(dt).requires_grad_()
        y = f(lib.nn.functional, xs, lib.tensor(t), None if w is None else lib.tensor(w).to(dt), reduction, **kw)
        y.backward(lib.tensor(g if reduction == "none" else np.float32(1.5)).to(dt))
        out.append((y, xs.grad))
    return out


def _within_ulps(a, b, dtype, ulps, what):
    """Equal, or at most ``ulps`` roundings apart (relative to the gradient's scale)."""
    a, b = _np(a), _np(b)
    if ulps == 0:
        np.testing.assert_array_equal(a, b, err_msg=what)
    else:
        assert (a == b).mean() >= _MOSTLY_EXACT, what
        scale = np.abs(b).max() if b.size else 0
        np.testing.assert_allclose(a, b, rtol=ulps * _ULP[dtype], atol=ulps * _ULP[dtype] * scale, err_msg=what)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("shape,tshape", _NLL_SHAPES)
def test_nll_loss_sums_in_the_half_type_like_torch(shape, tshape, dtype):
    for seed, (reduction, weighted, ignore) in enumerate([(r, wd, ig) for r in ("mean", "sum", "none")
                                                          for wd in (False, True) for ig in (False, True)]):
        x, t, w, g = _class_loss_case(shape, tshape, seed, ignore)
        x = -np.abs(x)      # log-probabilities
        (ye, ge), (yt, gt) = _class_loss_both(lambda F, x, t, w, r: F.nll_loss(x, t, w, reduction=r),
                                              x, t, w if weighted else None, g, dtype, reduction)
        what = f"{shape} {reduction} weighted={weighted} ignore={ignore}"
        assert str(ye.dtype) == str(yt.dtype) and tuple(ye.shape) == tuple(yt.shape), what
        np.testing.assert_array_equal(_np(ye), _np(yt), err_msg=what)
        np.testing.assert_array_equal(_np(ge), _np(gt), err_msg=what)


def test_nll_loss_mean_divides_by_the_rounded_count():
    # 257 kept samples: bfloat16 holds 256, and PyTorch divides by that
    x, t, _, _ = _class_loss_case((300, 7), (300,), 1, False)
    t[257:] = -100
    (ye, ge), (yt, gt) = _class_loss_both(lambda F, x, t, w, r: F.nll_loss(x, t, reduction=r),
                                          -np.abs(x), t, None, None, "bfloat16", "mean")
    np.testing.assert_array_equal(_np(ye), _np(yt))
    np.testing.assert_array_equal(_np(ge), _np(gt))


def _ce_ulps(shape, what):
    # Over the last dim (1 or 2 dims) the loss is exact. Its gradient is log_softmax's backward (g - exp(y) *
    # sum(g), float32, rounded once): NumPy's float32 exp differs from PyTorch's vectorised one in the last bit
    # now and then, which flips a rare rounding (one ulp). Over a non-last dim (3 or more dims) log_softmax's
    # forward itself is an ulp off at times (see _ULPS): the loss can carry it (times the weight: two ulps),
    # and exp(y) carries it into the gradient (a few ulps).
    if len(shape) <= 2:
        return {"forward": 0, "grad": 1}[what]
    return {"forward": 2, "grad": 8}[what]


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("shape,tshape", _NLL_SHAPES)
def test_cross_entropy_is_log_softmax_then_nll_loss_like_torch(shape, tshape, dtype):
    cases = [(r, wd, ig, ls) for r in ("mean", "sum", "none") for wd in (False, True) for ig in (False, True)
             for ls in (0.0, 0.1)]
    for seed, (reduction, weighted, ignore, ls) in enumerate(cases):
        x, t, w, g = _class_loss_case(shape, tshape, seed, ignore)
        (ye, ge), (yt, gt) = _class_loss_both(
            lambda F, x, t, w, r: F.cross_entropy(x, t, w, reduction=r, label_smoothing=ls),
            x, t, w if weighted else None, g, dtype, reduction)
        what = f"{shape} {reduction} weighted={weighted} ignore={ignore} label_smoothing={ls}"
        assert str(ye.dtype) == str(yt.dtype) and tuple(ye.shape) == tuple(yt.shape), what
        _within_ulps(ye, yt, dtype, _ce_ulps(shape, "forward"), what)
        _within_ulps(ge, gt, dtype, _ce_ulps(shape, "grad"), what)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_half_cross_entropy_composes_like_torch(dtype):
    """Ember's half cross_entropy is its own log_softmax(x, 1) then nll_loss, value and gradient bit for bit."""
    x, t, w, _ = _class_loss_case((6, 5, 7), (6, 7), 3, True)
    F = ember.nn.functional
    res = []
    for composed in (False, True):
        xs = _pair(x, dtype)[0].requires_grad_()
        we, te = ember.tensor(w).to(xs.dtype), ember.tensor(t)
        y = F.nll_loss(F.log_softmax(xs, 1), te, we) if composed else F.cross_entropy(xs, te, we)
        y.backward()
        res.append((_np(y), _np(xs.grad)))
    np.testing.assert_array_equal(res[0][0], res[1][0])
    np.testing.assert_array_equal(res[0][1], res[1][1])


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("shape", [(64, 10), (10,), (2, 3, 40, 40)])
def test_cross_entropy_with_probabilities_like_torch(shape, dtype):
    for seed, (reduction, weighted, ls) in enumerate([(r, wd, ls) for r in ("mean", "sum", "none")
                                                      for wd in (False, True) for ls in (0.0, 0.1)]):
        x, _, w, _ = _class_loss_case(shape, (), seed, False)
        rng = np.random.default_rng(seed)
        p = rng.random(shape).astype(np.float32)
        p /= p.sum(axis=0 if len(shape) == 1 else 1, keepdims=True)
        g = rng.standard_normal(tuple(np.delete(shape, 0 if len(shape) == 1 else 1))).astype(np.float32)
        (ye, ge), (yt, gt) = _class_loss_both(
            lambda F, x, p, w, r: F.cross_entropy(x, p.to(x.dtype), w, reduction=r, label_smoothing=ls),
            x, p, w if weighted else None, g, dtype, reduction)
        what = f"{shape} {reduction} weighted={weighted} label_smoothing={ls}"
        np.testing.assert_array_equal(_np(ye), _np(yt), err_msg=what)
        # the sum of the dense gradient in log_softmax's backward is added in another order than PyTorch's
        _within_ulps(ge, gt, dtype, 1 if len(shape) <= 2 else 2, what)
