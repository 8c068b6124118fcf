"""Oracle helper for complex tensors: ``ccheck(fn, *arrays)`` compares Ember with torch, values and gradients.

``tests/oracle.py``'s ``check`` gives gradients to real floating inputs only; here
complex inputs require gradients too, and complex outputs get a real loss
``sum(re(out) re(up) + im(out) im(up))`` with a random upstream ``up``, so both
parts of every output gradient are exercised.
"""
import numpy as np
import torch

import ember

_RNG = np.random.default_rng(7)


def reseed(seed=7):
    """Restart the input generator (each test draws the same inputs however the tests are ordered)."""
    global _RNG
    _RNG = np.random.default_rng(seed)

C64, C128, F32, F64 = np.complex64, np.complex128, np.float32, np.float64
REAL_OF = {C64: F32, C128: F64}


def arr(shape, dtype=C128, low=-2.0, high=2.0):
    a = _RNG.uniform(low, high, size=shape)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * _RNG.uniform(low, high, size=shape)
    return a.astype(dtype)


def _lib(lib, a):
    if isinstance(a, np.ndarray):
        t = lib.tensor(a.copy())
        if a.dtype.kind in "fc":
            t.requires_grad_(True)
        return t
    return a


def to_numpy(t):
    if isinstance(t, torch.Tensor):
        return t.detach().resolve_conj().numpy()
    return np.asarray(t.detach().numpy())


def _tol(dt):
    low = dt in (torch.float32, torch.complex64)
    return dict(rtol=2e-4 if low else 1e-9, atol=2e-5 if low else 1e-10)


def _loss(lib, out, up):
    """A real loss with a random upstream gradient: sum(re(out) re(up) + im(out) im(up))."""
    u = lib.tensor(up)
    if out.is_complex():
        return (out.real * u.real + out.imag * u.imag).sum()
    return (out * u).sum()


def ccheck(fn, *inputs):
    """``fn(lib, *tensors)`` in Ember and in torch: outputs (dtype, shape, values), then every input's gradient."""
    e_in = [_lib(ember, a) for a in inputs]
    t_in = [_lib(torch, a) for a in inputs]
    e, t = fn(ember, *e_in), fn(torch, *t_in)
    es, ts = (e, t) if isinstance(t, tuple) else ((e,), (t,))
    e_loss = t_loss = 0
    for i, (a, b) in enumerate(zip(es, ts)):
        assert str(a.dtype) == str(b.dtype), (i, a.dtype, b.dtype)
        assert tuple(a.shape) == tuple(b.shape), (i, a.shape, b.shape)
        np.testing.assert_allclose(to_numpy(a), to_numpy(b), err_msg=f"output {i}", **_tol(b.dtype))
        if b.requires_grad:
            up = arr(tuple(b.shape), C128 if b.is_complex() else F64).astype(to_numpy(b).dtype)
            e_loss = e_loss + _loss(ember, a, up)
            t_loss = t_loss + _loss(torch, b, up)
    e_loss.backward()
    t_loss.backward()
    for i, (a, b) in enumerate(zip(e_in, t_in)):
        if isinstance(b, torch.Tensor) and b.requires_grad:
            assert (a.grad is None) == (b.grad is None), f"grad {i}: ember {a.grad is None}, torch {b.grad is None}"
            if b.grad is not None:
                assert str(a.grad.dtype) == str(b.grad.dtype), (i, a.grad.dtype, b.grad.dtype)
                np.testing.assert_allclose(to_numpy(a.grad), to_numpy(b.grad), err_msg=f"grad {i}", **_tol(b.dtype))
    return e
