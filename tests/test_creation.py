"""Creation, conversion and legacy constructors, against PyTorch."""
import warnings

import numpy as np
import pytest
import torch

import ember


def eq(e, t):
    assert str(e.dtype) == str(t.dtype), (e.dtype, t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    te = t.detach()
    if "bfloat16" in str(t.dtype):
        te, e = te.float(), e.float()
    np.testing.assert_array_equal(np.asarray(e.detach().numpy()), te.numpy())


def both(fn):
    eq(fn(ember), fn(torch))


@pytest.mark.parametrize("args", [(5,), (1, 4), (0, 1, 0.1), (1, 2.5, 0.5), (0.0, 1.0, 0.3), (10, 0, -3),
                                  (-1.0, 1.0, 0.25), (0, 10, 3), (1.5,), (0, 0.9, 0.1)])
def test_arange(args):
    both(lambda t: t.arange(*args))
    both(lambda t: t.arange(*args, dtype=t.float64))


def test_arange_errors():
    for lib in (torch, ember):
        with pytest.raises(RuntimeError, match="step must be nonzero"):
            lib.arange(0, 1, 0)
        with pytest.raises(RuntimeError, match="upper bound and lower bound inconsistent with step sign"):
            lib.arange(0, 5, -1)


def test_range_linspace_logspace_eye():
    for lib in (torch, ember):
        with pytest.warns(UserWarning, match="torch.range is deprecated"):
            lib.range(1, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both(lambda t: t.range(1, 4))
        both(lambda t: t.range(0, 1, 0.25))
    both(lambda t: t.linspace(0, 1, 5))
    both(lambda t: t.linspace(-3, 7, 11, dtype=t.float64))
    both(lambda t: t.linspace(0, 10, 1))
    both(lambda t: t.logspace(0, 2, 3))
    both(lambda t: t.logspace(0, 3, 4, base=2))
    both(lambda t: t.eye(3))
    both(lambda t: t.eye(2, 4, dtype=t.int64))


def test_factories_and_size_forms():
    for name in ("zeros", "ones"):
        both(lambda t: getattr(t, name)(2, 3))
        both(lambda t: getattr(t, name)((2, 3)))
        both(lambda t: getattr(t, name)([4]))
        both(lambda t: getattr(t, name)(t.Size([1, 2]), dtype=t.int32))
        both(lambda t: getattr(t, name)(()))
    assert ember.empty(2, 3).shape == (2, 3)
    assert ember.zeros(2, requires_grad=True).requires_grad
    both(lambda t: t.full((2,), 1))
    both(lambda t: t.full((2, 2), 1.5))
    both(lambda t: t.full((2,), True))
    both(lambda t: t.full((3,), 2, dtype=t.float64))
    both(lambda t: t.full([2], 1 + 2j))


def test_like_and_new():
    for lib in (torch, ember):
        x = lib.tensor([[1.5, 2.0]], dtype=lib.float64)
    both(lambda t: t.zeros_like(t.tensor([[1.5, 2.0]], dtype=t.float64)))
    both(lambda t: t.ones_like(t.tensor([1, 2])))
    both(lambda t: t.full_like(t.tensor([1, 2]), 7))
    both(lambda t: t.full_like(t.tensor([1.0, 2]), 7, dtype=t.int16))
    both(lambda t: t.tensor([1.5]).new_zeros(2, 3))
    both(lambda t: t.tensor([1.5]).new_ones((2,)))
    both(lambda t: t.tensor([1]).new_full((2,), 3))
    both(lambda t: t.tensor([1], dtype=t.int32).new_tensor([4, 5]))
    assert ember.empty_like(ember.zeros(2, 3)).shape == (2, 3)


def test_tensor_inference_and_default_dtype():
    for data in ([1, 2], [1.5, 2], [True, False], [[1, 2.0], [3, 4]], [1 + 1j], 3, 2.5, True, [], [[]],
                 np.array([1, 2], dtype=np.int32), np.float64(2.5)):
        both(lambda t: t.tensor(data))
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    try:
        both(lambda t: t.tensor([1.5]))
        both(lambda t: t.zeros(2))
        both(lambda t: t.arange(0.0, 1.0, 0.5))
        both(lambda t: t.tensor([1j]))
        assert ember.get_default_dtype() is ember.float64
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)
    with pytest.raises(TypeError):
        ember.set_default_dtype(ember.int64)


def test_inference_from_numpy_scalars_and_tensors():
    both(lambda t: t.tensor([np.float64(1.5)]))
    both(lambda t: t.tensor([np.float64(1.5), 2]))
    both(lambda t: t.tensor([t.tensor(1.5, dtype=t.float64), t.tensor(2.0, dtype=t.float64)]))
    both(lambda t: t.ones(size=(2, 3)))
    both(lambda t: t.linspace(0, 1, 7))
    np.testing.assert_allclose(ember.linspace(-7.3, 2.2, 1000).numpy(), torch.linspace(-7.3, 2.2, 1000).numpy(),
                               rtol=0, atol=1e-6)


def test_numpy_sharing():
    a = np.arange(6.0).reshape(2, 3)
    t = ember.from_numpy(a)
    a[0, 0] = 100
    assert t[0, 0].item() == 100
    t.add_(1)
    assert a[1, 2] == 6
    assert ember.as_tensor(a) is not None and ember.as_tensor(a).numpy() is a or \
        np.shares_memory(ember.as_tensor(a).numpy(), a)
    b = ember.tensor(a)
    a[0, 0] = -1
    assert b[0, 0].item() == 101
    assert np.shares_memory(np.asarray(t), a)
    with pytest.raises(TypeError, match="expected np.ndarray"):
        ember.from_numpy([1, 2])


def test_legacy_constructors():
    for name in ("Tensor", "FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "ByteTensor", "BoolTensor",
                 "HalfTensor", "CharTensor"):
        both(lambda t: getattr(t, name)([[1, 0], [3, 4]]))
        e, tt = getattr(ember, name)(2, 3), getattr(torch, name)(2, 3)
        assert e.shape == (2, 3) and str(e.dtype) == str(tt.dtype)
        assert getattr(ember, name)(4).shape == (4,)
        assert getattr(ember, name)().shape == (0,)
    both(lambda t: t.Tensor([1, 2]))
    assert isinstance(ember.Tensor(3), ember.Tensor)
    assert isinstance(ember.zeros(2), ember.FloatTensor)
    assert not isinstance(ember.zeros(2), ember.LongTensor)


def test_type_and_casts():
    for lib in (torch, ember):
        x = lib.tensor([1.7, -2.2])
        assert x.type() == "torch.FloatTensor"
        assert x.type(lib.DoubleTensor).type() == "torch.DoubleTensor"
        assert x.type("torch.LongTensor").type() == "torch.LongTensor"
        assert x.type(lib.int32).dtype == lib.int32
        assert lib.tensor([1]).type() == "torch.LongTensor"
    for m in ("float", "double", "half", "long", "int", "bool", "byte", "short", "char", "bfloat16"):
        both(lambda t: getattr(t.tensor([1.7, -2.2, 0.0, 3.0]), m)())
    both(lambda t: t.tensor([1, 2]).type_as(t.tensor([0.5])))
    both(lambda t: t.tensor([1.5, 2.5]).type_as(t.tensor([1], dtype=t.int32)))


def test_to():
    x = ember.tensor([1.0, 2.0])
    assert x.to(ember.float32) is x
    assert x.to("cpu") is x
    assert x.to(ember.float32, copy=True) is not x
    assert x.to("cpu", ember.float64).dtype is ember.float64
    assert x.to(dtype=ember.int64).dtype is ember.int64
    assert x.to(ember.tensor([1], dtype=ember.int32)).dtype is ember.int32
    assert x.to(device="cpu", dtype=ember.float16).dtype is ember.float16
    y = ember.tensor([1.0, 2.0], requires_grad=True)
    z = y.double()
    z.sum().backward()
    assert y.grad.dtype is ember.float32
    both(lambda t: t.tensor([1.9, -1.9]).to(t.int64))


def test_set_default_tensor_type():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ember.set_default_tensor_type(ember.DoubleTensor)
        try:
            assert ember.tensor([1.5]).dtype is ember.float64
            assert ember.get_default_dtype() is ember.float64
        finally:
            ember.set_default_tensor_type("torch.FloatTensor")
    assert ember.get_default_dtype() is ember.float32


def test_bfloat16():
    x = ember.tensor([1.5, 2.25], dtype=ember.bfloat16)
    assert x.dtype is ember.bfloat16
    assert repr(x) == repr(torch.tensor([1.5, 2.25], dtype=torch.bfloat16))
    both(lambda t: t.ones(3, dtype=t.bfloat16))


def test_from_numpy_refuses_negative_strides_as_torch():
    a = np.arange(9.0).reshape(3, 3)[::-1]
    for lib in (ember, torch):
        for f in (lib.from_numpy, lib.as_tensor):
            with pytest.raises(ValueError, match="At least one stride in the given numpy array is negative"):
                f(a)
    assert ember.tensor(a).diagonal().tolist() == [6.0, 4.0, 2.0]     # tensor() copies: fine
