"""Complex autograd and the complex ops (conj, view_as_real/complex, complex, polar, sgn, angle ...) against torch.

PyTorch's gradients for complex inputs are conjugate Wirtinger derivatives; a real
input that receives a complex gradient keeps its real part. Every check compares
values, dtypes and gradients (complex64 and complex128), with NumPy warnings as errors
(a ComplexWarning would mean a gradient lost its imaginary part silently).
"""
import numpy as np
import pytest
import torch

import ember
from complex_oracle import C64, C128, F32, F64, REAL_OF, arr, ccheck, reseed, to_numpy

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(autouse=True)
def _same_inputs():
    reseed()


def test_the_reported_bug_real_times_complex_then_abs():
    x = ember.tensor([0.5, -1.5, 2.0], requires_grad=True)
    (x * (1 + 1j)).abs().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.sign([0.5, -1.5, 2.0]) * np.sqrt(2), rtol=1e-6)
    assert x.grad.dtype is ember.float32


UNARY = ["exp", "log", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan", "sinh", "cosh", "tanh", "asin", "acos",
         "atan", "asinh", "acosh", "atanh", "sigmoid", "expm1", "log1p", "log2", "log10", "exp2", "square", "abs",
         "angle", "sgn", "neg", "conj", "conj_physical"]


@pytest.mark.parametrize("dtype", [C64, C128])
def test_unary_ops(dtype):
    for name in UNARY:
        try:
            ccheck(lambda t, x: getattr(t, name)(x), arr((5,), dtype))
        except AssertionError as e:
            raise AssertionError(f"{name}: {e}") from None


BINARY = {
    "mul": lambda t, a, b: a * b, "div": lambda t, a, b: a / b, "add": lambda t, a, b: t.add(a, b, alpha=2 - 1j),
    "sub": lambda t, a, b: t.sub(a, b, alpha=0.5j), "pow": lambda t, a, b: a ** b,
    "rdiv": lambda t, a, b: (2 + 1j) / a + b, "pow_scalar": lambda t, a, b: a ** 3 + b ** (0.5 + 1j),
    "rpow": lambda t, a, b: (1.5 - 0.5j) ** a * b, "lerp": lambda t, a, b: t.lerp(a, b, 0.3),
    "dot": lambda t, a, b: t.dot(a, b), "vdot": lambda t, a, b: t.vdot(a, b), "outer": lambda t, a, b: t.outer(a, b),
    "addcmul": lambda t, a, b: t.addcmul(a, a, b, value=2), "addcdiv": lambda t, a, b: t.addcdiv(b, a, b, value=3),
}


@pytest.mark.parametrize("dtype", [C64, C128])
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_ops(name, dtype):
    ccheck(BINARY[name], arr((4,), dtype), arr((4,), dtype))


def test_lerp_tensor_weight_and_mixed_real_complex_operands():
    ccheck(lambda t, a, b, w: t.lerp(a, b, w), arr((4,)), arr((4,)), arr((4,)))
    ccheck(lambda t, x, z: x * z + z / x - x, arr((2, 3), F64), arr((3,)))     # real x gets real gradients
    ccheck(lambda t, x, z: x * z, arr((3,), F32), arr((3,), C64))


@pytest.mark.parametrize("dtype", [C64, C128])
def test_reductions(dtype):
    ccheck(lambda t, x: x.sum(0), arr((3, 4), dtype))
    ccheck(lambda t, x: x.mean(), arr((3, 4), dtype))
    ccheck(lambda t, x: x.prod(1), arr((3, 4), dtype))
    ccheck(lambda t, x: x.var(0), arr((3, 4), dtype))
    ccheck(lambda t, x: x.std(), arr((3, 4), dtype))
    ccheck(lambda t, x: t.var_mean(x, 1), arr((3, 4), dtype))
    ccheck(lambda t, x: x.cumprod(1), arr((3, 4), dtype))
    ccheck(lambda t, x: x.cumsum(0), arr((3, 4), dtype))
    for p in (1, 2, 3, 1.5, float("inf")):
        ccheck(lambda t, x: t.linalg.vector_norm(x, p, dim=1), arr((3, 4), dtype))


def test_prod_and_cumprod_with_a_zero():
    x = arr((5,))
    x[2] = 0
    ccheck(lambda t, x: x.prod(), x)
    ccheck(lambda t, x: x.cumprod(0), x)


@pytest.mark.parametrize("dtype", [C64, C128])
def test_matrix_products(dtype):
    a, b, v = arr((3, 2), dtype), arr((2, 4), dtype), arr((2,), dtype)
    ccheck(lambda t, a, b: a @ b, a, b)
    ccheck(lambda t, a, b: a.t() @ a @ b, a, b)
    ccheck(lambda t, a, v: t.mv(a, v), a, v)
    ccheck(lambda t, a, b: t.bmm(a, b), arr((2, 3, 2), dtype), arr((2, 2, 4), dtype))
    ccheck(lambda t, a, b: a @ b, arr((2, 3, 2), dtype), b)
    ccheck(lambda t, c, a, b: t.addmm(c, a, b, beta=0.5, alpha=2), arr((3, 4), dtype), a, b)
    ccheck(lambda t, c, a, v: t.addmv(c, a, v, beta=2, alpha=0.5), arr((3,), dtype), a, v)
    ccheck(lambda t, c, a, b: t.baddbmm(c, a, b, alpha=3), arr((2, 3, 4), dtype), arr((2, 3, 2), dtype),
           arr((2, 2, 4), dtype))
    ccheck(lambda t, c, a, b: t.addbmm(c, a, b), arr((3, 4), dtype), arr((2, 3, 2), dtype), arr((2, 2, 4), dtype))
    ccheck(lambda t, a, b: t.einsum("ij,jk->ik", a, b), a, b)
    ccheck(lambda t, x, w: t.nn.functional.linear(x, w), arr((2, 3), dtype), arr((4, 3), dtype))
    ccheck(lambda t, a, b: t.linalg.cross(a, b), arr((2, 3), dtype), arr((2, 3), dtype))
    ccheck(lambda t, a: a.mH @ a, a)


def test_real_to_complex_to_real_chains():
    ccheck(lambda t, x: (x * 1j).exp().real, arr((4,), F64))
    ccheck(lambda t, x: x.to(t.complex128).exp().abs(), arr((4,), F64))
    ccheck(lambda t, x: x.to(t.complex64).sin().angle(), arr((4,), F32))
    ccheck(lambda t, x, y: t.view_as_real(t.complex(x, 2 * y) ** 2).sum(-1), arr((4,), F64), arr((4,), F64))
    ccheck(lambda t, x: (x.to(t.complex64) @ x.to(t.complex64).t()).imag, arr((2, 3), F32))


def test_sgn_abs_angle_at_zero():
    z = np.array([0j, 1 + 1j, -2j, 3], dtype=C128)
    for name in ("sgn", "abs", "angle"):
        ccheck(lambda t, x: getattr(x, name)(), z)
    ccheck(lambda t, x: x.angle(), arr((4,), F64))      # real angle: zero gradient


def test_double_backward():
    """create_graph runs the Tensor backward formulas (the array ones are skipped): second derivatives agree."""
    for make in (lambda t, x: (x * x.conj() * x).exp(), lambda t, x: (x @ x.mT).tanh(), lambda t, x: x.abs().sqrt()):
        data = arr((3, 3))
        results = []
        for lib in (ember, torch):
            x = lib.tensor(data, requires_grad=True)
            g, = lib.autograd.grad(make(lib, x).abs().sum(), x, create_graph=True)
            gg, = lib.autograd.grad((g * g.conj()).real.sum(), x)
            results.append((to_numpy(g), to_numpy(gg)))
        for a, b in zip(*results):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-10)


# ---------------------------------------------------------------------------------------------- new ops
@pytest.mark.parametrize("dtype", [C64, C128])
def test_views_real_and_complex(dtype):
    ccheck(lambda t, x: t.view_as_real(x) * 2, arr((3, 2), dtype))
    ccheck(lambda t, x: t.view_as_real(x[1, 0]) ** 2, arr((3, 2), dtype))
    ccheck(lambda t, x: t.view_as_real(x.t()).exp(), arr((3, 2), dtype))
    ccheck(lambda t, x: t.view_as_complex(x).log(), arr((3, 2), REAL_OF[dtype]))
    ccheck(lambda t, x: t.view_as_complex(x[1:]).exp().real, arr((3, 2), REAL_OF[dtype]))


def test_views_share_memory_and_versions():
    for lib in (ember, torch):
        y = lib.tensor([1 + 2j, 3 - 1j])
        v = lib.view_as_real(y)
        v[0, 1] = 7.0
        assert complex(y[0]) == 1 + 7j
        r = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
        lib.view_as_complex(r)[1] = 5j
        assert r.tolist() == [[1.0, 2.0], [0.0, 5.0]]
    for lib in (ember, torch):     # an in-place change through the view is caught by the version counter
        x = lib.tensor([1 + 1j, 2j], requires_grad=True)
        w = x * 2
        s = w.sin()                  # saves w
        lib.view_as_real(w).mul_(3)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            s.abs().sum().backward()
    ccheck(lambda t, x: t.view_as_real(x * 2).mul_(3).sum(-1), arr((3,)))   # in place on the view: gradient


@pytest.mark.parametrize("dtype", [F32, F64])
def test_complex_and_polar(dtype):
    ccheck(lambda t, x, y: t.complex(x, y).log(), arr((3,), dtype), arr((2, 1), dtype))
    ccheck(lambda t, r, a: t.polar(r, a) * (2 + 1j), arr((4,), dtype, 0.1, 2.0), arr((4,), dtype))
    ccheck(lambda t, r, a: t.polar(r, a).sin(), arr((4,), dtype), arr((4,), dtype))    # abs < 0: torch's rule


def test_real_imag_setters_and_flags():
    for lib in (ember, torch):
        y = lib.tensor([1 + 2j, 3 - 1j])
        y.real = lib.ones(2)
        y.imag = 2
        assert y.tolist() == [1 + 2j, 1 + 2j]
        assert not y.is_conj() and not lib.is_neg(y) and y.resolve_conj() is y and lib.resolve_neg(y) is y
        z = lib.ones(2)
        assert z.conj() is z and lib.conj_physical(z) is z and not z.conj().is_conj()
    y = ember.tensor([1 + 2j, 3 - 1j])
    y.conj_physical_()
    assert y.tolist() == [1 - 2j, 3 + 1j]


def _error(fn):
    out = []
    for lib in (ember, torch):
        with pytest.raises(Exception) as info:
            fn(lib)
        out.append(info)
    (e, t) = out
    assert e.type is t.type, (e.type, t.type)
    assert str(e.value).startswith(str(t.value).split(" (")[0]), (str(e.value), str(t.value))


def test_errors_match_torch():
    _error(lambda t: t.view_as_real(t.ones(3)))
    _error(lambda t: t.view_as_complex(t.ones(3)))
    _error(lambda t: t.view_as_complex(t.ones(2, 3).t()))
    _error(lambda t: t.view_as_complex(t.ones(3, 3)[:, :2]))
    _error(lambda t: t.view_as_complex(t.ones(7)[1:].view(3, 2)))
    _error(lambda t: t.view_as_complex(t.arange(4).view(2, 2)))
    _error(lambda t: t.complex(t.ones(3), t.ones(3, dtype=t.float64)))
    _error(lambda t: t.complex(t.arange(3), t.arange(3)))
    _error(lambda t: t.polar(t.ones(3), t.ones(2)))
    _error(lambda t: t.tensor([1j]).sign())
    _error(lambda t: t.ones(2).imag)
