"""The one oracle helper: run the same op in Ember and in real PyTorch and compare.

    check(lambda t, x, y: t.add(x, y), [(3, 4), (4,)])

``fn(lib, *inputs)`` is called once with ``lib = ember`` and once with
``lib = torch``; inputs are made from the given shapes (or taken as given:
NumPy arrays, Python numbers). ``check`` compares forward values, dtypes and
shapes, then (for floating inputs) runs backward with the same random upstream
gradient and compares every input's gradient.
"""
import numpy as np
import torch

import ember

_RNG = np.random.default_rng(0)

TOL = {np.dtype(np.float32): dict(rtol=1e-4, atol=1e-5), np.dtype(np.float64): dict(rtol=1e-7, atol=1e-9),
       np.dtype(np.float16): dict(rtol=1e-2, atol=1e-3)}


def make_input(spec, dtype=np.float32, positive=False, low=-2.0, high=2.0):
    """A NumPy array from a shape tuple (random), or ``spec`` itself when it is an array or a number."""
    if isinstance(spec, tuple):
        if np.dtype(dtype).kind in "iu":
            return _RNG.integers(0 if positive else -5, 6, size=spec).astype(dtype)
        if np.dtype(dtype).kind == "b":
            return _RNG.random(spec) > 0.5
        a = _RNG.uniform(low, high, size=spec)
        if positive:
            a = np.abs(a) + 0.1
        return a.astype(dtype)
    return spec


def to_lib(lib, a, requires_grad):
    if isinstance(a, np.ndarray):
        t = lib.tensor(a.copy())
        if requires_grad and a.dtype.kind == "f":
            t.requires_grad_(True)
        return t
    return a


def as_numpy(x):
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    if isinstance(x, ember.Tensor):
        return np.asarray(x.detach().cpu().numpy())
    return np.asarray(x)


def assert_same(e, t, what="output", tol=None):
    """Ember result ``e`` equals PyTorch result ``t``: type, dtype, shape, values (recursing into tuples)."""
    if isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)) and len(e) == len(t), f"{what}: {e!r} vs {t!r}"
        for i, (a, b) in enumerate(zip(e, t)):
            assert_same(a, b, f"{what}[{i}]", tol)
        return
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{what}: expected a Tensor, got {type(e).__name__}"
        assert str(e.dtype) == str(t.dtype), f"{what}: dtype {e.dtype} vs torch {t.dtype}"
        assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} vs torch {tuple(t.shape)}"
        a, b = as_numpy(e), as_numpy(t)
        if b.dtype.kind in "fc":
            kw = tol or TOL.get(b.dtype, dict(rtol=1e-4, atol=1e-5))
            np.testing.assert_allclose(a, b, err_msg=what, equal_nan=True, **kw)
        else:
            np.testing.assert_array_equal(a, b, err_msg=what)
        return
    assert e == t or (isinstance(t, float) and np.isclose(e, t)), f"{what}: {e!r} vs {t!r}"


def check(fn, specs, dtype=np.float32, grad=True, positive=False, tol=None, low=-2.0, high=2.0):
    """Compare ``fn(ember, *inputs)`` with ``fn(torch, *inputs)``: forward, then gradients."""
    arrays = [make_input(s, dtype, positive, low, high) for s in specs]
    e_in = [to_lib(ember, a, grad) for a in arrays]
    t_in = [to_lib(torch, a, grad) for a in arrays]
    e_out, t_out = fn(ember, *e_in), fn(torch, *t_in)
    assert_same(e_out, t_out, tol=tol)
    if not grad:
        return e_out
    e_outs = e_out if isinstance(e_out, (tuple, list)) else (e_out,)
    t_outs = t_out if isinstance(t_out, (tuple, list)) else (t_out,)
    pairs = [(e, t) for e, t in zip(e_outs, t_outs) if isinstance(t, torch.Tensor) and t.requires_grad]
    if not pairs:
        return e_out
    e_loss = t_loss = 0
    for e, t in pairs:
        up = _RNG.uniform(-1, 1, size=tuple(t.shape)).astype(as_numpy(t).dtype)
        e_loss = e_loss + (e * ember.tensor(up)).sum()
        t_loss = t_loss + (t * torch.tensor(up)).sum()
    e_loss.backward()
    t_loss.backward()
    for i, (ei, ti) in enumerate(zip(e_in, t_in)):
        if isinstance(ti, torch.Tensor) and ti.requires_grad:
            if ti.grad is None:
                assert ei.grad is None, f"grad of input {i}: torch has None"
            else:
                assert ei.grad is not None, f"grad of input {i}: ember has None"
                assert_same(ei.grad, ti.grad, f"grad of input {i}", tol)
    return e_out
