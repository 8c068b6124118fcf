"""Float sums are bit-identical to PyTorch's CPU sums (ember/ops/_sum_order.py emulates its summation order).

Every comparison here is exact (``np.testing.assert_array_equal``), against the installed PyTorch on this
machine: its CPU capability (vector width) and intra-op thread count decide the order, and Ember picks
both the same way. The one documented exception, checked within round-off only: sums of more than
``_sum_order.EXACT_MAX`` elements use NumPy's pairwise sum (the emulation costs 2-5x NumPy's time there).
"""
import ml_dtypes
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn.functional as EF
from ember.ops import _sum_order as so

DTYPES = [np.float32, np.float64]


def _data(rng, shape, dtype=np.float32, kind="normal"):
    """Values whose float sums depend on the order of the additions."""
    if kind == "normal":
        x = rng.standard_normal(shape) * 10
    elif kind == "positive":
        x = rng.random(shape)
    elif kind == "scales":                          # magnitudes spread over many binades
        x = rng.standard_normal(shape) * np.exp(rng.standard_normal(shape) * 4)
    else:                                           # "cancel": large values that cancel, small ones that stay
        x = rng.standard_normal(shape) * 1e4
        x[..., 1::2] = -x[..., 0:x.shape[-1] // 2 * 2:2] + rng.standard_normal(x[..., 1::2].shape)
    return np.asarray(x).astype(dtype)


def _same(t, e):
    t = t.detach()
    if t.dtype in (torch.float16, torch.bfloat16):
        t, e = t.float(), e.float()
    tn, en = t.numpy(), e.detach().numpy()
    assert tn.shape == en.shape and tn.dtype == en.dtype, (tn.shape, en.shape, tn.dtype, en.dtype)
    np.testing.assert_array_equal(en, tn)


@pytest.fixture
def threads():
    """Run with PyTorch and Ember both set to ``n`` intra-op threads (the chunking of large sums)."""
    saved_t, saved_e = torch.get_num_threads(), ember.get_num_threads()

    def set_(n):
        torch.set_num_threads(n)
        ember.set_num_threads(n)
    yield set_
    torch.set_num_threads(saved_t)
    ember.set_num_threads(saved_e)


def test_thread_count_and_vector_width_follow_pytorch():
    assert ember.get_num_threads() == torch.get_num_threads()
    cap = torch.backends.cpu.get_cpu_capability()
    assert so.VEC_BYTES == (64 if cap == "AVX512" else 32), cap
    for bad in (0, -1, 2.5):
        with pytest.raises(RuntimeError) as te:
            torch.set_num_threads(bad)
        with pytest.raises(RuntimeError) as ee:
            ember.set_num_threads(bad)
        assert str(ee.value) == str(te.value)


@pytest.mark.parametrize("dtype", DTYPES)
def test_full_sum_every_small_size(dtype):
    rng = np.random.default_rng(1)
    for n in range(0, 301):
        x = _data(rng, n, dtype, "scales")
        _same(torch.from_numpy(x).sum(), ember.tensor(x).sum())


@pytest.mark.parametrize("kind", ["normal", "positive", "scales", "cancel"])
@pytest.mark.parametrize("n", [511, 512, 1000, 4097, 32767, 32768, 32769, 65537, 100003, 1 << 19])
def test_full_sum_larger_sizes(n, kind):
    x = _data(np.random.default_rng(n), n, np.float32, kind)
    _same(torch.from_numpy(x).sum(), ember.tensor(x).sum())
    _same(torch.from_numpy(x).mean(), ember.tensor(x).mean())


def test_full_sum_float64_larger_sizes():
    for n in (1000, 4097, 65537, 300001):
        x = _data(np.random.default_rng(n), n, np.float64, "scales")
        _same(torch.from_numpy(x).sum(), ember.tensor(x).sum())


def test_huge_sums_emulated_when_allowed(monkeypatch):
    """Above EXACT_MAX Ember sums with NumPy (within round-off); the emulation itself still holds there."""
    for n in (10 ** 6, 2_000_003):
        x = _data(np.random.default_rng(n), n, np.float32, "positive")
        t = torch.from_numpy(x).sum()
        np.testing.assert_allclose(ember.tensor(x).sum().numpy(), t.numpy(), rtol=1e-6)
        with monkeypatch.context() as m:
            m.setattr(so, "EXACT_MAX", 1 << 40)
            _same(t, ember.tensor(x).sum())


@pytest.mark.parametrize("dtype", DTYPES)
def test_dim_sums_random_shapes(dtype):
    rng = np.random.default_rng(2)
    sizes = [1, 2, 3, 5, 7, 8, 9, 16, 17, 31, 32, 33, 40, 64, 65, 100, 129, 300]
    for trial in range(150):
        shape = tuple(int(rng.choice(sizes)) for _ in range(int(rng.integers(1, 5))))
        while np.prod(shape) > 300_000:
            shape = shape[1:]
        nd = len(shape)
        dims = tuple(int(d) for d in rng.choice(nd, int(rng.integers(1, nd + 1)), replace=False))
        dims = tuple(d - nd if rng.random() < 0.3 else d for d in dims)         # negative dims too
        keep = bool(rng.random() < 0.3)
        x = _data(rng, shape, dtype, "scales")
        tx, ex = torch.from_numpy(x), ember.tensor(x)
        _same(tx.sum(dim=dims, keepdim=keep), ex.sum(dim=dims, keepdim=keep))
        d = dims[0]
        _same(tx.sum(d), ex.sum(d))
        _same(tx.mean(d, keepdim=keep), ex.mean(d, keepdim=keep))


@pytest.mark.parametrize("shape,dims", [((3, 50000), 0), ((3, 50000), 1), ((50000, 3), 0), ((50000, 3), 1),
                                        ((700, 700), 0), ((700, 700), 1), ((40, 60, 70), (0, 2)),
                                        ((7, 9000, 5), 1), ((7, 9000, 5), (0, 2)), ((64, 3, 32, 32), (0, 2, 3)),
                                        ((1000, 100), -1), ((100, 1000), 0), ((2, 70000), 1)])
def test_dim_sums_split_over_threads(shape, dims, threads):
    """At 32768+ elements PyTorch splits the kept dims over threads, on 128-byte column boundaries."""
    x = _data(np.random.default_rng(sum(shape)), shape, np.float32, "scales")
    for n in (1, 2, 3, 4):
        threads(n)
        _same(torch.from_numpy(x).sum(dims), ember.tensor(x).sum(dims))


@pytest.mark.parametrize("n", [40000, 65537, 200001])
def test_full_sum_chunked_over_threads(n, threads):
    x = _data(np.random.default_rng(n), n, np.float32, "scales")
    for k in (1, 2, 3, 5, 8):
        threads(k)
        _same(torch.from_numpy(x).sum(), ember.tensor(x).sum())


def test_views_transposed_sliced_expanded(threads):
    """Strided inputs: PyTorch walks memory order (transposes), cuts rows (slices), repeats (expand)."""
    rng = np.random.default_rng(3)
    views = [lambda a: a.permute(*reversed(range(a.dim()))), lambda a: a.transpose(0, 1),
             lambda a: a[..., ::2], lambda a: a[1:, 3:]]
    for n in (1, 2):
        threads(n)
        for shape in [(33, 17), (300, 129), (5, 40, 31), (64, 33, 65), (400, 300)]:
            x = _data(rng, shape, np.float32, "scales")
            for view in views:
                tv, ev = view(torch.from_numpy(x)), view(ember.tensor(x))
                _same(tv.sum(), ev.sum())
                for d in range(tv.dim()):
                    _same(tv.sum(d), ev.sum(d))
                _same(tv.sum((0, tv.dim() - 1)), ev.sum((0, ev.dim() - 1)))
        base = _data(rng, (1, 37), np.float32)
        te, ee = torch.from_numpy(base).expand(200, 37), ember.tensor(base).expand(200, 37)
        for dims in (None, 0, 1):
            _same(te.sum() if dims is None else te.sum(dims), ee.sum() if dims is None else ee.sum(dims))


@pytest.mark.parametrize("tdt,edt", [(torch.float16, ember.float16), (torch.bfloat16, ember.bfloat16)])
def test_half_and_bfloat16_accumulate_in_float32(tdt, edt, threads):
    rng = np.random.default_rng(4)
    for n in (1, 2):
        threads(n)
        for shape, dims in [((5,), None), ((17,), None), ((100,), None), ((1000,), None), ((40000,), None),
                            ((64, 10), 1), ((64, 10), 0), ((33, 33, 100), (0, 2)), ((9, 100, 2), (1, 2)),
                            ((300, 200), 0), ((300, 200), 1), ((2, 40000), None)]:
            x = _data(rng, shape, np.float32, "normal")
            tx, ex = torch.from_numpy(x).to(tdt), ember.tensor(x).to(edt)
            _same(tx.sum() if dims is None else tx.sum(dims), ex.sum() if dims is None else ex.sum(dims))
            _same(tx.mean() if dims is None else tx.mean(dims), ex.mean() if dims is None else ex.mean(dims))
            _same(tx.sum(dtype=torch.float32), ex.sum(dtype=ember.float32))


def test_sum_dtype_argument_casts_first():
    x = _data(np.random.default_rng(5), (70, 33), np.float32, "scales")
    tx, ex = torch.from_numpy(x), ember.tensor(x)
    _same(tx.sum(dtype=torch.float64), ex.sum(dtype=ember.float64))
    _same(tx.sum(1, dtype=torch.float64), ex.sum(1, dtype=ember.float64))
    _same(tx.double().sum(0, dtype=torch.float32), ex.double().sum(0, dtype=ember.float32))


def test_graph_path_nansum_nanmean_and_negative_zero():
    rng = np.random.default_rng(6)
    x = _data(rng, (23, 37), np.float32, "scales")
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    _same(tx.sum(), ex.sum())
    _same(tx.sum(0), ex.sum(0))
    _same(tx.mean(1), ex.mean(1))
    xn = x.copy()
    xn.reshape(-1)[::5] = np.nan
    _same(torch.from_numpy(xn).nansum(), ember.tensor(xn).nansum())
    _same(torch.from_numpy(xn).nansum(1), ember.tensor(xn).nansum(1))
    np.testing.assert_array_equal(ember.tensor(xn).nanmean(0).numpy(), torch.from_numpy(xn).nanmean(0).numpy())
    for n in (1, 3, 16, 40):                        # PyTorch's sums start from +0.0: never -0.0
        z = -np.zeros(n, np.float32)
        assert str(ember.tensor(z).sum()) == str(torch.from_numpy(z).sum()) == "tensor(0.)"


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_losses_reduce_in_pytorch_order(reduction):
    rng = np.random.default_rng(7)
    for shape in [(5, 3), (64, 10), (37,), (128, 3, 8, 8)]:
        x, y = _data(rng, shape, np.float32), _data(rng, shape, np.float32)
        tx, ty, ex, ey = torch.from_numpy(x), torch.from_numpy(y), ember.tensor(x), ember.tensor(y)
        _same(TF.mse_loss(tx, ty, reduction=reduction), EF.mse_loss(ex, ey, reduction=reduction))
        _same(TF.l1_loss(tx, ty, reduction=reduction), EF.l1_loss(ex, ey, reduction=reduction))
        _same(TF.smooth_l1_loss(tx, ty, reduction=reduction, beta=0.7),
              EF.smooth_l1_loss(ex, ey, reduction=reduction, beta=0.7))
        _same(TF.huber_loss(tx, ty, reduction=reduction, delta=1.3),
              EF.huber_loss(ex, ey, reduction=reduction, delta=1.3))


def test_study_note_loss_item():
    """The 001p3 study note: (y_pred - y).pow(2).sum().item() printed with all 17 digits."""
    torch.manual_seed(0)
    y_pred, y = torch.randn(5, 3), torch.randn(5, 3)
    t = (y_pred - y).pow(2).sum()
    e = (ember.tensor(y_pred.numpy()) - ember.tensor(y.numpy())).pow(2).sum()
    assert repr(e.item()) == repr(t.item())


def test_bfloat16_numpy_dtype_is_emulated():
    assert so.emulated(np.dtype(ml_dtypes.bfloat16))
    assert not so.emulated(np.dtype(np.complex64)) and not so.emulated(np.dtype(np.int64))


def test_set_num_threads_limits_blas(threads):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    blas = [p for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]
    if not blas:
        pytest.skip("NumPy reports no BLAS thread pool")
    threads(1)
    assert ember.get_num_threads() == 1
    assert all(p["num_threads"] == 1 for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas")
    with pytest.raises(RuntimeError, match="positive"):
        ember.set_num_threads(0)
