"""Normalisation against PyTorch: functional forms (values, gradients, running statistics) and modules."""
import numpy as np
import pytest
import torch

import ember
from oracle import check, assert_same


def F(lib):
    return lib.nn.functional


@pytest.mark.parametrize("shape", [(8, 5), (4, 3, 7), (3, 4, 5, 6)])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_train(shape, affine):
    c = shape[1]
    rm0 = np.random.rand(c).astype(np.float32)
    rv0 = np.random.rand(c).astype(np.float32) + 0.5
    stats = {}

    def fn(t, x, w, b):
        rm, rv = t.tensor(rm0.copy()), t.tensor(rv0.copy())
        out = F(t).batch_norm(x, rm, rv, w if affine else None, b if affine else None, training=True,
                              momentum=0.3)
        stats[t.__name__] = (rm, rv)
        return out
    check(fn, [shape, (c,), (c,)])
    assert_same(stats["ember"][0], stats["torch"][0])
    assert_same(stats["ember"][1], stats["torch"][1])


def test_batch_norm_eval():
    rm = np.random.rand(4).astype(np.float32)
    rv = np.random.rand(4).astype(np.float32) + 0.5
    check(lambda t, x, w, b: F(t).batch_norm(x, t.tensor(rm), t.tensor(rv), w, b, training=False),
          [(3, 4, 5), (4,), (4,)])


@pytest.mark.parametrize("shape,affine", [((3, 4, 5, 6), True), ((3, 4, 5, 6), False), ((7, 4), True)])
def test_batch_norm_eval_inference(shape, affine):
    """Eval without autograd takes the folded scale/shift path."""
    rm = np.random.rand(4).astype(np.float32)
    rv = np.random.rand(4).astype(np.float32) + 0.5
    x = np.random.randn(*shape).astype(np.float32)
    w, b = np.random.randn(4).astype(np.float32), np.random.randn(4).astype(np.float32)
    out = {}
    for t in (ember, torch):
        with t.no_grad():
            args = (t.tensor(w), t.tensor(b)) if affine else (None, None)
            out[t.__name__] = F(t).batch_norm(t.tensor(x), t.tensor(rm), t.tensor(rv), *args, training=False)
    assert_same(out["ember"], out["torch"])


def test_batch_norm_batch_of_one():
    for lib in (ember, torch):
        with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when training, got input "
                                             r"size torch.Size\(\[1, 10\]\)"):
            F(lib).batch_norm(lib.ones(1, 10), lib.zeros(10), lib.ones(10), training=True)


@pytest.mark.parametrize("ns", [(6,), (5, 6)])
def test_layer_norm(ns):
    check(lambda t, x, w, b: F(t).layer_norm(x, ns, w, b), [(3, 5, 6), ns, ns])
    check(lambda t, x: F(t).layer_norm(x, ns, eps=1e-3), [(3, 5, 6)])


def test_group_norm():
    check(lambda t, x, w, b: F(t).group_norm(x, 3, w, b), [(2, 6, 4, 3), (6,), (6,)])
    check(lambda t, x: F(t).group_norm(x, 2), [(2, 4, 5)])


def test_instance_norm():
    check(lambda t, x, w, b: F(t).instance_norm(x, weight=w, bias=b), [(2, 3, 4, 5), (3,), (3,)])
    rm = np.random.rand(3).astype(np.float32)
    rv = np.random.rand(3).astype(np.float32) + 0.5
    check(lambda t, x: F(t).instance_norm(x, t.tensor(rm), t.tensor(rv), use_input_stats=False), [(2, 3, 6)])


def test_norm_errors():
    for call, exc in ((lambda t: F(t).layer_norm(t.ones(3, 5), (10,)), RuntimeError),
                      (lambda t: F(t).group_norm(t.ones(2, 6, 4), 4), RuntimeError)):
        msgs = []
        for lib in (ember, torch):
            with pytest.raises(exc) as ei:
                call(lib)
            msgs.append(str(ei.value))
        assert msgs[0].startswith(msgs[1]), msgs


# ---------------------------------------------------------------- modules
from layer_oracle import compare_module  # noqa: E402


@pytest.mark.parametrize("make,shape", [
    (lambda nn: nn.BatchNorm1d(5), (6, 5)), (lambda nn: nn.BatchNorm1d(5, momentum=0.01), (6, 5, 3)),
    (lambda nn: nn.BatchNorm2d(3), (4, 3, 5, 5)), (lambda nn: nn.BatchNorm2d(3, momentum=None), (4, 3, 5, 5)),
    (lambda nn: nn.BatchNorm2d(3, affine=False), (4, 3, 5, 5)),
    (lambda nn: nn.BatchNorm2d(3, track_running_stats=False), (4, 3, 5, 5)),
    (lambda nn: nn.BatchNorm3d(2), (2, 2, 3, 3, 3)),
    (lambda nn: nn.LayerNorm(6), (3, 4, 6)), (lambda nn: nn.LayerNorm([4, 6], elementwise_affine=False), (3, 4, 6)),
    (lambda nn: nn.LayerNorm(6, bias=False), (3, 6)),
    (lambda nn: nn.GroupNorm(2, 6), (3, 6, 4)), (lambda nn: nn.InstanceNorm2d(3), (2, 3, 4, 5)),
    (lambda nn: nn.InstanceNorm1d(3, affine=True, track_running_stats=True), (2, 3, 7)),
    (lambda nn: nn.LocalResponseNorm(3), (2, 5, 4, 4)),
])
def test_norm_modules(make, shape):
    compare_module(make, [shape])


def test_batchnorm_running_stats_over_steps():
    e_mod, t_mod = compare_module(lambda nn: nn.BatchNorm2d(3, momentum=None), [(4, 3, 5, 5)], modes=("train",))
    for _ in range(3):
        x = np.random.randn(4, 3, 5, 5).astype(np.float32)
        e_mod(ember.tensor(x))
        t_mod(torch.tensor(x))
    for k, v in t_mod.state_dict().items():
        assert_same(e_mod.state_dict()[k], v, k)
    assert int(e_mod.num_batches_tracked) == 4


def test_batchnorm_eval_batch_of_one_and_train_error():
    m = ember.nn.BatchNorm1d(10)
    with pytest.raises(ValueError, match=r"got input size torch.Size\(\[1, 10\]\)"):
        m(ember.ones(1, 10))
    m.eval()
    assert m(ember.ones(1, 10)).shape == (1, 10)
