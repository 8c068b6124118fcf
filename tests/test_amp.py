"""ember.autocast / ember.amp.GradScaler against torch.autocast('cpu') and torch.amp.GradScaler('cpu')."""
import warnings

import numpy as np
import pytest
import torch

import ember


def _dtypes(lib, dtype_name):
    lib.manual_seed(0)
    nn = lib.nn
    F = nn.functional
    m = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 10))
    x = lib.randn(2, 1, 8, 8)
    y = lib.tensor([1, 3])
    out = {}
    with lib.autocast("cpu", dtype=getattr(lib, dtype_name)):
        out["conv"] = m[0](x).dtype
        z = m(x)
        out["logits"] = z.dtype
        loss = F.cross_entropy(z, y)
        out["cross_entropy"] = loss.dtype
        out["nll_loss"] = F.nll_loss(F.log_softmax(z, 1), y).dtype
        out["softmax"] = F.softmax(z, 1).dtype
        out["sum"] = z.sum().dtype
        out["mse_loss"] = F.mse_loss(z, z.detach()).dtype
        out["matmul_f64"] = (x.double().flatten(1) @ x.double().flatten(1).T).dtype
        out["matmul_int"] = (lib.ones(2, 2, dtype=lib.int64) @ lib.ones(2, 2, dtype=lib.int64)).dtype
        out["bmm"] = lib.bmm(lib.randn(2, 3, 4), lib.randn(2, 4, 5)).dtype
        out["addmm"] = lib.addmm(lib.randn(5), lib.randn(3, 4), lib.randn(4, 5)).dtype
        out["baddbmm"] = lib.baddbmm(lib.randn(2, 3, 5), lib.randn(2, 3, 4), lib.randn(2, 4, 5)).dtype
        out["conv_transpose2d"] = F.conv_transpose2d(lib.randn(1, 2, 5, 5), lib.randn(2, 1, 3, 3)).dtype
        out["relu"] = F.relu(z).dtype
        out["add_f32"] = (z + lib.ones(10)).dtype
    loss.backward()
    out["linear_weight_grad"] = m[3].weight.grad.dtype
    out["conv_weight_grad"] = m[0].weight.grad.dtype
    out["after_exit"] = m(x).dtype
    return {k: str(v).replace("torch.", "") for k, v in out.items()}


def test_autocast_cpu_float16_output_dtypes_match_torch():
    assert _dtypes(ember, "float16") == _dtypes(torch, "float16")


def test_autocast_cpu_bfloat16_output_dtypes_match_torch():
    assert _dtypes(ember, "bfloat16") == _dtypes(torch, "bfloat16")


def _bf16_layer_results(lib):
    rng = np.random.default_rng(0)
    shapes = [(2, 3, 10, 10), (4, 3, 3, 3), (4,), (2, 5, 8), (3, 8), (3,), (1, 4, 5, 5), (4, 2, 3, 3), (4,),
              (2, 3, 30, 30), (8, 6)]
    t = [lib.tensor(rng.standard_normal(s).astype(np.float32)).to(lib.bfloat16).requires_grad_() for s in shapes]
    F = lib.nn.functional
    out = {"conv2d": F.conv2d(t[0], t[1], t[2], padding=1),
           "conv2d_wide": F.conv2d(t[9], t[1], t[2], padding=1),          # the batch-chunked conv path
           "conv2d_groups": F.conv2d(t[6], t[7], t[8], groups=2),
           "conv_transpose2d": F.conv_transpose2d(t[6], t[7], stride=2),
           "linear_3d": F.linear(t[3], t[4], t[5]),
           "linear_2d": F.linear(t[3][0], t[4], t[5]),
           "matmul": t[3] @ t[10],
           "sdpa": F.scaled_dot_product_attention(t[3], t[3], t[3])}
    sum(v.float().sum() for v in out.values()).backward()
    res = {k: (str(v.dtype), v.detach().float().numpy()) for k, v in out.items()}
    res.update({f"grad{i}": (str(x.grad.dtype), x.grad.float().numpy()) for i, x in enumerate(t)})
    return res


def test_bfloat16_conv_linear_matmul_compute_in_float32_return_bfloat16_like_torch():
    """bfloat16 inputs, no autocast: PyTorch's CPU kernels accumulate in float32 and return bfloat16 (outputs and
    gradients); Ember's values agree to a few bfloat16 roundings (float32 summation orders differ)."""
    e, t = _bf16_layer_results(ember), _bf16_layer_results(torch)
    assert e.keys() == t.keys()
    for k in t:
        assert e[k][0] == t[k][0] == "torch.bfloat16", k
        np.testing.assert_allclose(e[k][1], t[k][1], rtol=2 ** -6, atol=0.05, err_msg=k)   # a few bf16 ulps


def test_autocast_casts_bfloat16_inputs_at_entry_points():
    from ember import _autocast
    x = ember.randn(2, 2)
    with ember.autocast("cpu"):
        assert ember.get_autocast_dtype("cpu") is ember.bfloat16
        a, b = _autocast.lower("mm", x, x.double())
        assert (a.dtype, b.dtype) == (ember.bfloat16, ember.float64)
    assert _autocast.lower("mm", x)[0] is x


def test_autocast_forward_values_close_to_torch_and_grads_flow_in_float32():
    rng = np.random.default_rng(0)
    xa, wa = rng.standard_normal((4, 8)).astype(np.float32), rng.standard_normal((3, 8)).astype(np.float32)
    res = {}
    for lib in (ember, torch):
        x, w = lib.tensor(xa), lib.tensor(wa, requires_grad=True)
        with lib.autocast("cpu", dtype=lib.float16):
            y = lib.nn.functional.linear(x, w)
        y.float().sum().backward()
        res[lib.__name__] = (y.detach().float().numpy(), w.grad.dtype, w.grad.numpy())
    np.testing.assert_allclose(res["ember"][0], res["torch"][0], rtol=1e-2, atol=1e-2)
    assert str(res["ember"][1]) == str(res["torch"][1]).replace("torch.", "torch.")
    np.testing.assert_allclose(res["ember"][2], res["torch"][2], rtol=1e-3)


def test_autocast_nesting_decorator_and_flags():
    w = ember.randn(3, 4)
    with ember.autocast("cpu", dtype=ember.float16):
        assert ember.is_autocast_enabled("cpu") and not ember.is_autocast_enabled("cuda")
        with ember.autocast("cpu", enabled=False):
            assert ember.nn.functional.linear(ember.randn(2, 4), w).dtype is ember.float32
        assert ember.nn.functional.linear(ember.randn(2, 4), w).dtype is ember.float16
    assert not ember.is_autocast_enabled("cpu")

    @ember.autocast("cpu", dtype=ember.float16)
    def f(a):
        return a @ w.T
    assert f(ember.randn(2, 4)).dtype is ember.float16
    assert (ember.randn(2, 4) @ w.T).dtype is ember.float32


def test_autocast_warnings_and_errors_match_torch():
    for lib in (ember, torch):
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")
            with lib.autocast("cuda"):          # no GPU here: disabled with PyTorch's warning
                assert not lib.is_autocast_enabled("cuda")
            with lib.autocast("cpu", dtype=lib.float64):
                assert not lib.is_autocast_enabled("cpu")
            with lib.cpu.amp.autocast():
                assert lib.is_autocast_enabled("cpu")
        msgs = [str(w.message).split("\n")[0] for w in ws]
        assert msgs == ["CUDA is not available or torch_xla is imported. Disabling autocast.",
                        "In CPU autocast, but the target dtype is not supported. Disabling autocast.",
                        "`torch.cpu.amp.autocast(args...)` is deprecated. Please use "
                        "`torch.amp.autocast('cpu', args...)` instead."], lib.__name__
        with pytest.raises(RuntimeError):
            lib.autocast("tpu")
    assert ember.cuda.amp.autocast.__mro__[1] is ember.amp.autocast


# ----------------------------------------------------------------------------------------------- GradScaler
def _scaler_run(lib, steps, poison, **kw):
    """A few steps of SGD on a tiny model with GradScaler('cpu'); gradients poisoned with inf/nan at some steps."""
    w = lib.nn.Parameter(lib.tensor([[0.5, -0.25], [0.125, 1.0]]))
    opt = lib.optim.SGD([w], lr=0.1)
    scaler = lib.amp.GradScaler("cpu", **kw)
    x = lib.tensor([[1.0, 2.0]])
    trace = []
    for i in range(steps):
        opt.zero_grad()
        loss = (x @ w).sum()
        scaler.scale(loss).backward()
        if i in poison:
            w.grad[0, 0] = poison[i]
        if i % 3 == 1:
            scaler.unscale_(opt)              # explicit unscale (as before clipping), then step
            trace.append(("grad", [[repr(v) for v in row] for row in w.grad.tolist()]))   # nan == nan
        ret = scaler.step(opt)
        scaler.update()
        trace.append((scaler.get_scale(), scaler._get_growth_tracker(), ret, w.detach().tolist()))
    return trace, scaler.state_dict()


@pytest.mark.parametrize("kw,poison", [
    ({}, {}),
    (dict(init_scale=8.0, growth_interval=2), {1: float("inf"), 4: float("nan"), 5: float("-inf")}),
    (dict(init_scale=2.0 ** 20, growth_factor=3.0, backoff_factor=0.25, growth_interval=3), {0: float("inf")}),
    (dict(init_scale=1e38, growth_interval=1), {}),           # growth that would overflow is skipped
])
def test_grad_scaler_sequences_identical_to_torch(kw, poison):
    assert _scaler_run(ember, 9, poison, **kw) == _scaler_run(torch, 9, poison, **kw)


def test_grad_scaler_state_dict_errors_and_disabled():
    for lib in (ember, torch):
        s = lib.amp.GradScaler("cpu", init_scale=4.0, growth_interval=5)
        assert s.state_dict() == {"scale": 4.0, "growth_factor": 2.0, "backoff_factor": 0.5, "growth_interval": 5,
                                  "_growth_tracker": 0}
        s2 = lib.amp.GradScaler("cpu")
        s2.load_state_dict(s.state_dict())
        assert s2.get_scale() == 4.0 and s2.get_growth_interval() == 5
        with pytest.raises(AssertionError, match="_scale is None"):
            s2.step(lib.optim.SGD([lib.nn.Parameter(lib.zeros(1))], lr=1.0))
        off = lib.amp.GradScaler("cpu", enabled=False)
        assert off.state_dict() == {} and off.get_scale() == 1.0
        t = lib.ones(1)
        assert off.scale(t) is t
        with pytest.raises(RuntimeError, match="empty"):
            lib.amp.GradScaler("cpu").load_state_dict({})
        with pytest.raises(AssertionError, match="growth factor"):
            lib.amp.GradScaler("cpu", growth_factor=1.0)
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=1.0)
        s3 = lib.amp.GradScaler("cpu")
        s3.scale(p.sum()).backward()
        s3.unscale_(opt)
        with pytest.raises(RuntimeError, match="already been called"):
            s3.unscale_(opt)
        s3.step(opt)
        with pytest.raises(RuntimeError, match="after step"):
            s3.unscale_(opt)
        with pytest.raises(RuntimeError, match="Closure"):
            s3.step(opt, closure=lambda: 0)


def test_cuda_grad_scaler_disables_itself_without_gpu_as_torch_does():
    for lib in (ember, torch):
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")
            s = lib.amp.GradScaler("cuda")
            s2 = lib.cuda.amp.GradScaler()
        assert not s.is_enabled() and not s2.is_enabled()
        assert [str(w.message) for w in ws if w.category is UserWarning] == \
            ["torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling."] * 2


def _lowered_ops(lib, dtype_name):
    """Outputs of the ops on PyTorch's CPU 'lower_precision_fp' list (and einsum, whose contractions are
    bmm) under autocast, from float32 inputs."""
    lib.manual_seed(0)
    rng = np.random.default_rng(7)

    def r(*shape):
        return lib.tensor(rng.standard_normal(shape).astype(np.float32))
    F = lib.nn.functional
    out = {}
    with lib.autocast("cpu", dtype=getattr(lib, dtype_name)):
        out["addbmm"] = lib.addbmm(r(3, 5), r(2, 3, 4), r(2, 4, 5))
        out["addbmm_method"] = r(3, 5).addbmm(r(2, 3, 4), r(2, 4, 5), beta=0.5, alpha=2)
        for eq, shapes in [("ij,jk->ik", [(3, 4), (4, 5)]), ("ij,ik->i", [(3, 4), (3, 5)]),
                           ("ij,jk,kl->il", [(3, 4), (4, 5), (5, 6)]), ("ij,jk,l->ikl", [(3, 4), (4, 5), (6,)]),
                           ("i,j,ij->", [(3,), (4,), (3, 4)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
                           ("ij,ij->", [(3, 4), (3, 4)]), ("i,j->ij", [(3,), (4,)]), ("ij->j", [(3, 4)]),
                           ("l,ij,jk->ikl", [(6,), (3, 4), (4, 5)]), ("...ij,...jk", [(2, 3, 4), (2, 4, 5)])]:
            out["einsum " + eq] = lib.einsum(eq, *[r(*s) for s in shapes])
        q, k, v = r(2, 3, 4, 8), r(2, 3, 6, 8), r(2, 3, 6, 8)
        out["sdpa"] = F.scaled_dot_product_attention(q, k, v)
        out["sdpa_float_mask"] = F.scaled_dot_product_attention(q, k, v, attn_mask=r(4, 6))
        out["sdpa_causal"] = F.scaled_dot_product_attention(q, q, q, is_causal=True)
        out["prelu"] = F.prelu(r(2, 3, 4), r(3))
        prelu = lib.nn.PReLU(3)
        out["PReLU"] = prelu(r(2, 3))
        mha = lib.nn.MultiheadAttention(8, 2)
        x = r(5, 2, 8)
        out["mha"], out["mha_weights"] = mha(x, x, x)
        mha.eval()
        with lib.no_grad():
            out["mha_eval"], out["mha_eval_weights"] = mha(x, x, x)
            out["mha_eval_no_weights"] = mha(x, x, x, need_weights=False)[0]
        out["vecdot"] = lib.linalg.vecdot(r(3, 4), r(3, 4))
        out["matmul_vec"] = r(3) @ r(3)
        out["bf16_f32_einsum"] = lib.einsum("ij,jk->ik", r(3, 4).to(getattr(lib, dtype_name)), r(4, 5))
    return {k: (str(t.dtype).replace("torch.", ""), t.detach().float().numpy()) for k, t in out.items()}


@pytest.mark.parametrize("dtype_name", ["bfloat16", "float16"])
def test_autocast_lower_precision_ops_dtypes_and_values_match_torch(dtype_name):
    e, t = _lowered_ops(ember, dtype_name), _lowered_ops(torch, dtype_name)
    assert {k: v[0] for k, v in e.items()} == {k: v[0] for k, v in t.items()}
    for k in t:
        # the same lowered inputs; float32 accumulation orders differ: a few roundings of the lower dtype
        np.testing.assert_allclose(e[k][1], t[k][1], rtol=2 ** -5, atol=0.05, err_msg=k)


def test_autocast_lower_callers_are_listed():
    """Each entry point that calls ``_autocast.lower("name", ...)`` names an op of ``_autocast.LOWER_OPS``."""
    import pathlib
    import re
    from ember import _autocast
    root = pathlib.Path(ember.__file__).parent
    names = {m for p in root.rglob("*.py") for m in re.findall(r'_autocast\.lower\("(\w+)"', p.read_text())}
    assert names and names <= _autocast.LOWER_OPS, names - _autocast.LOWER_OPS
