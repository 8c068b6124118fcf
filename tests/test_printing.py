"""Printing: repr(ember tensor) is character for character repr(torch tensor)."""
import numpy as np
import pytest
import torch

import ember


def both(arr, **kw):
    return torch.tensor(arr, **kw), ember.tensor(arr, **{k: getattr(ember, str(v).split(".")[-1])
                                                          if k == "dtype" else v for k, v in kw.items()})


def check(arr, **kw):
    t, e = both(arr, **kw)
    assert repr(e) == repr(t)
    assert str(e) == str(t)


rng = np.random.RandomState(0)
CASES = [
    2.2894, 3.0, -0.0, 0.0, 1e-5, 1e9, float("nan"), float("inf"), 7, True,
    [1.0, 2.0, 3.0], [1.5, -2.25], [0.0, -0.0], [1e-5, 1.0], [1e10, 1.0], [1.0, 2000.0], [1.0, 999.0],
    [float("nan"), 1.0, float("inf"), -float("inf")], [float("nan")], [float("inf"), 2.5],
    [1, 2, 3], [-10, 5, 100000], [2 ** 62, -1], [True, False], [[1, 2], [3, 4]],
    [[0.4963, 0.7682], [0.0885, 0.1320]], [[1e-8, 1.0], [2.0, 3.0]], [123456789.0, 0.5],
    rng.randn(4, 5).tolist(), (rng.randn(3, 4) * 1000).tolist(), (rng.randn(20) * 1e-3).tolist(),
    rng.randn(2, 3, 4).tolist(), rng.randn(2, 2, 2, 3).tolist(), rng.randint(-1000, 1000, (7, 9)).tolist(),
    rng.randn(30).tolist(), (rng.rand(25) * 100).round().tolist(), rng.randn(1, 1).tolist(), [[]],
]


@pytest.mark.parametrize("arr", CASES, ids=[str(i) for i in range(len(CASES))])
def test_repr_matches(arr):
    check(arr)


@pytest.mark.parametrize("dt", ["float64", "float16", "int32", "int8", "uint8", "int16", "bfloat16"])
def test_dtype_suffixes(dt):
    data = [[1.25, -3.5, 100.0], [0.0, 2.0, 7.0]] if "float" in dt else [[1, 2, 3], [4, 5, 100]]
    check(data, dtype=getattr(torch, dt))
    check(7 if "int" in dt else 2.5, dtype=getattr(torch, dt))


def test_complex():
    check([1 + 2j, -3.5 - 0.25j])
    check([[1 + 0j, 0 - 1j], [2.5 + 1e-5j, 3j]])
    check(1 + 1j)


def test_summarised_and_wrapped():
    for shape in [(1001,), (2000,), (40, 30), (3, 400), (500, 3), (11, 11, 11), (3, 4, 100), (5, 5, 5, 10)]:
        a = rng.randn(*shape).astype(np.float32)
        assert repr(ember.from_numpy(a)) == repr(torch.from_numpy(a))
    for n in (10, 25, 100, 1000, 5000):
        assert repr(ember.arange(n)) == repr(torch.arange(n))
        assert repr(ember.arange(n) * 1.5) == repr(torch.arange(n) * 1.5)
    a = (rng.randn(2000) * 1e6).astype(np.float64)
    assert repr(ember.from_numpy(a)) == repr(torch.from_numpy(a))


def test_empty():
    for shape in [(0,), (0, 3), (2, 0), (0, 0, 1)]:
        assert repr(ember.zeros(shape)) == repr(torch.zeros(shape))
        assert repr(ember.zeros(shape, dtype=ember.int64)) == repr(torch.zeros(shape, dtype=torch.int64))
        assert repr(ember.zeros(shape, dtype=ember.float64)) == repr(torch.zeros(shape, dtype=torch.float64))


def test_autograd_suffixes():
    t = torch.tensor([1.5, 2.0], requires_grad=True)
    e = ember.tensor([1.5, 2.0], requires_grad=True)
    assert repr(e) == repr(t)
    assert repr(e + 1) == repr(t + 1)
    assert repr((e * 2).sum()) == repr((t * 2).sum())
    t64 = torch.ones(3, 30, dtype=torch.float64, requires_grad=True)
    e64 = ember.ones(3, 30, dtype=ember.float64, requires_grad=True)
    assert repr(t64 * 3.25) == repr(e64 * 3.25)     # suffixes wrap to a new line past 80 columns


def test_parameter_prefix():
    e = ember.tensor([[0.5, -1.0]], requires_grad=True)
    e._is_param = True
    t = torch.nn.Parameter(torch.tensor([[0.5, -1.0]]))
    assert repr(e) == repr(t)


def test_default_dtype_follows_set_default_dtype():
    torch.set_default_dtype(torch.float64)
    ember.set_default_dtype(ember.float64)
    try:
        for arr in ([1.5, 2.0], 3.5):
            assert repr(ember.tensor(arr)) == repr(torch.tensor(arr))
        assert repr(ember.tensor([1.5], dtype=ember.float32)) == repr(torch.tensor([1.5], dtype=torch.float32))
        assert repr(ember.tensor([1j])) == repr(torch.tensor([1j]))
    finally:
        torch.set_default_dtype(torch.float32)
        ember.set_default_dtype(ember.float32)


@pytest.mark.parametrize("opts", [dict(precision=2), dict(precision=8), dict(threshold=5), dict(edgeitems=1,
                                  threshold=10), dict(linewidth=40), dict(sci_mode=True), dict(sci_mode=False),
                                  dict(profile="short"), dict(profile="full")])
def test_set_printoptions(opts):
    a = (rng.randn(6, 30) * np.logspace(-3, 3, 30)).astype(np.float32)
    b = np.arange(2000).reshape(40, 50)
    torch.set_printoptions(**opts)
    ember.set_printoptions(**opts)
    try:
        assert repr(ember.from_numpy(a)) == repr(torch.from_numpy(a))
        assert repr(ember.from_numpy(b)) == repr(torch.from_numpy(b))
        assert repr(ember.tensor(1.23456789)) == repr(torch.tensor(1.23456789))
    finally:
        torch.set_printoptions(profile="default")
        ember.set_printoptions(profile="default")


def test_format_and_str():
    e = ember.tensor(2.28943)
    assert f"{e:.3f}" == "2.289"
    assert str(ember.tensor([1, 2])) == "tensor([1, 2])"
    print(ember.randn(3, 3))        # printing never raises
