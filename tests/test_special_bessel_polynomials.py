"""torch.special's Bessel, Airy and orthogonal-polynomial functions (ember/ops/special_functions.py) against
PyTorch: values on wide grids (negative, zero, tiny, huge, inf/NaN), dtypes, argument rules, errors, no autograd."""
import numpy as np
import pytest
import torch

import ember

BESSEL = ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0", "modified_bessel_i1",
          "modified_bessel_k0", "modified_bessel_k1", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
          "spherical_bessel_j0"]
POLYS = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
         "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
         "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he", "laguerre_polynomial_l",
         "legendre_polynomial_p"]

# every branch of the approximations and their borders (2, 2.09, 5, 8, 8.32, 103.892), both signs, 0, -0,
# subnormals, huge values, +-inf, NaN
_X = np.concatenate([np.linspace(-30, 30, 12001), np.linspace(-130, 130, 1301), np.logspace(-300, 300, 301),
                     -np.logspace(-300, 300, 301), np.linspace(700, 715, 31),
                     [0., -0., 1e-5, 2, 2.09, -2.09, 5, 8, 8.3203353, 103.892, 103.9, np.inf, -np.inf, np.nan,
                      5e-324, -5e-324]])


def _compare(e, t, rtol, atol):
    """Same dtype and shape; NaN/inf in the same places; finite values close."""
    assert isinstance(e, ember.Tensor) and str(e.dtype) == str(t.dtype) and tuple(e.shape) == tuple(t.shape)
    a, b = e.numpy(), t.numpy()
    assert np.array_equal(np.isnan(a), np.isnan(b)), np.argwhere(np.isnan(a) != np.isnan(b))[:5]
    fin = np.isfinite(b)
    assert np.array_equal(a[~fin & ~np.isnan(b)], b[~fin & ~np.isnan(b)])
    np.testing.assert_allclose(a[fin], b[fin], rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", BESSEL)
def test_bessel_float64_grid(name):
    oscillating = name.startswith(("bessel", "airy", "spherical"))    # (absolute error near their zeros)
    _compare(getattr(ember.special, name)(ember.tensor(_X)), getattr(torch.special, name)(torch.tensor(_X)),
             rtol=1e-13, atol=1e-15 if oscillating else 1e-300)


@pytest.mark.parametrize("name", BESSEL)
def test_bessel_float32_grid(name):
    with np.errstate(over="ignore"):
        x = _X.astype(np.float32)          # (float32 overflow and underflow included)
    _compare(getattr(ember.special, name)(ember.tensor(x)), getattr(torch.special, name)(torch.tensor(x)),
             rtol=5e-6, atol=1e-6)


@pytest.mark.parametrize("name,x,ref,rtol", [
    # PyTorch's J0/J1/Y0/Y1 (and so Ember's) drop the leading x^N term of Cephes' denominators: a relative error
    # up to ~1e-10 at these points (4e-7 near x = 5)
    ("bessel_j0", [0.5, 3.0, 10.0], [0.9384698072408129, -0.26005195490193344, -0.24593576445134834], 1e-9),
    ("bessel_y1", [0.5, 3.0, 10.0], [-1.4714723926702431, 0.32467442479179998, 0.24901542420695388], 1e-9),
    ("modified_bessel_k0", [0.5, 3.0, 10.0], [0.92441907122766586, 0.034739504386279248, 1.7780062316167652e-5],
     1e-14),
    ("scaled_modified_bessel_k1", [0.5, 3.0, 10.0], [2.7310097082117857, 0.8065634801287869, 0.41076657059578875],
     1e-14),
    ("modified_bessel_i1", [-0.5, -3.0, -10.0], [-0.25789430539089632, -3.9533702174026094, -2670.9883037012547],
     1e-14),
    ("airy_ai", [-5.0, 0.0, 1.0, 4.0], [0.35076100902411432, 0.35502805388781724, 0.13529241631288142,
                                       0.00095156385120480187], 1e-12),
    ("spherical_bessel_j0", [0.25, 3.0, 10.0], [0.98961583701809172, 0.047040002686622407, -0.054402111088936981],
     1e-15)])
def test_known_values(name, x, ref, rtol):
    """Against values computed independently (mpmath, 30 digits)."""
    got = getattr(ember.special, name)(ember.tensor(x, dtype=ember.float64)).numpy()
    np.testing.assert_allclose(got, ref, rtol=rtol)


@pytest.mark.parametrize("name,n,x,ref", [
    ("legendre_polynomial_p", 7, [-0.3, 0.8, 1.7], [0.22407298125000002, -0.23965120000000017, 578.25094135624987]),
    ("chebyshev_polynomial_u", 9, [-0.3, 0.8, 1.7], [-0.099088896000000121, 0.25207193599999881, 27470.671691263992]),
    ("hermite_polynomial_h", 6, [-0.3, 0.8, 1.7], [-59.041344000000004, 160.96921600000001, -503.40358399999993]),
    ("laguerre_polynomial_l", 5, [0.3, 4.5, -1.25], [-0.093332749999999973, -2.07265625, 18.851765950520833])])
def test_polynomial_known_values(name, n, x, ref):
    """Against mpmath (30 digits)."""
    got = getattr(ember.special, name)(ember.tensor(x, dtype=ember.float64), n).numpy()
    np.testing.assert_allclose(got, ref, rtol=1e-13)


@pytest.mark.parametrize("name", ["bessel_j0", "modified_bessel_k1", "airy_ai"])
def test_bessel_dtypes_and_errors(name):
    e, t = getattr(ember.special, name), getattr(torch.special, name)
    for dt in ["int64", "int32", "uint8", "bool"]:     # integers and bool give the default float dtype
        v = np.array([0, 1, 3]).astype(dt)
        _compare(e(ember.tensor(v)), t(torch.tensor(v)), rtol=1e-6, atol=1e-7)
    for dt in ["float16", "bfloat16", "complex64"]:    # PyTorch has no kernel for these
        with pytest.raises(NotImplementedError) as te:
            t(torch.ones(2, dtype=getattr(torch, dt)))
        with pytest.raises(NotImplementedError) as ee:
            e(ember.ones(2, dtype=getattr(ember, dt)))
        assert str(ee.value).startswith(str(te.value))
    with pytest.raises(TypeError, match=f"special_{name}\\(\\): argument 'input' \\(position 1\\) must be Tensor, not "
                                        "float"):
        e(1.5)
    out = ember.empty(2, dtype=ember.float64)          # out= casts to a wider float, refuses an integer one
    assert e(ember.tensor([1.0, 2.0]), out=out) is out and out.dtype == ember.float64
    np.testing.assert_allclose(out.numpy(), t(torch.tensor([1.0, 2.0])).numpy(), rtol=1e-6)
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        e(ember.tensor([1.0, 2.0]), out=ember.empty(2, dtype=ember.int64))


@pytest.mark.parametrize("name", ["bessel_y0", "scaled_modified_bessel_k0", "chebyshev_polynomial_u",
                                  "laguerre_polynomial_l"])
def test_not_differentiable(name):
    """PyTorch gives these no derivative: the result never requires grad, and backward through it raises."""
    args = (2,) if name in POLYS else ()
    for lib in (torch, ember):
        x = lib.tensor([0.7, 1.5], requires_grad=True)
        y = getattr(lib.special, name)(x, *args)
        assert not y.requires_grad and y.grad_fn is None
        with pytest.raises(RuntimeError, match="does not require grad"):
            y.sum().backward()


def _poly_grid(dtype):
    x = np.concatenate([np.linspace(-2.5, 2.5, 201), np.linspace(-1.05, 1.05, 43),
                        [0, 1, -1, 0.5, 1e-9, 1 - 2 ** -24, -1 + 2 ** -24, 1 - 1e-16, 7, -9, np.inf, -np.inf]])
    ns = np.array(list(range(-2, 13)) + [15, 20, 33], dtype=np.float64)
    return np.repeat(x, len(ns)).astype(dtype), np.tile(ns, len(x)).astype(dtype)


@pytest.mark.parametrize("name", POLYS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_polynomial_grid(name, dtype):
    """Values relative to max(|P|, 1) (the recurrences cancel near the roots); the closed forms exactly."""
    x, n = _poly_grid(dtype)
    e = getattr(ember.special, name)(ember.tensor(x), ember.tensor(n))
    t = getattr(torch.special, name)(torch.tensor(x), torch.tensor(n))
    assert str(e.dtype) == str(t.dtype)
    a, b = e.numpy(), t.numpy()
    assert np.array_equal(np.isnan(a), np.isnan(b)) and np.array_equal(a[np.isinf(b)], b[np.isinf(b)])
    fin = np.isfinite(b)
    tol = 1e-11 if dtype == np.float64 else 1e-4      # (float32: PyTorch's float32 cos/acos for large n)
    assert np.all(np.abs(a[fin] - b[fin]) <= tol * np.maximum(np.abs(b[fin]), 1))
    if name.startswith("shifted"):
        ends = (x == 1) | (x == 0)
    elif name.startswith(("chebyshev", "legendre")):
        ends = np.abs(x) == 1
    else:
        ends = x == 0 if name.startswith("laguerre") else np.zeros(x.shape, dtype=bool)
    ends = ends | (n < 2)
    assert np.array_equal(a[ends & fin], b[ends & fin])


@pytest.mark.parametrize("name", ["chebyshev_polynomial_t", "shifted_chebyshev_polynomial_v", "hermite_polynomial_h",
                                  "legendre_polynomial_p"])
def test_polynomial_arguments(name):
    e, t = getattr(ember.special, name), getattr(torch.special, name)
    x = np.array([0.3, -0.7, 1.5, 0.0])
    cases = [  # (x, n): either may be a number; n is truncated; NaN/inf/huge n give 0
        (x, np.array([2.0, 3.7, -0.5, 2.9])), (x, np.array([np.nan, np.inf, -np.inf, 1e30])), (x, 3),
        (0.25, np.arange(5)), (x.astype(np.float32), np.array([2, 3, 4, 5])), (np.array([1, 2, 3]), 2.0),
        (np.array([1, 2, 3]), 4), (x.astype(np.float32), np.array([3.0])), (x.astype(np.float32), np.array(2.0)),
        (np.array(0.5), np.array([[1], [2]])), (x.astype(np.float32), True), (np.array([True, False]), np.array([2, 3]))]
    for xa, na in cases:
        args_e = [ember.tensor(v) if isinstance(v, np.ndarray) else v for v in (xa, na)]
        args_t = [torch.tensor(v) if isinstance(v, np.ndarray) else v for v in (xa, na)]
        _compare(e(*args_e), t(*args_t), rtol=1e-6, atol=1e-6)
    assert e(x=ember.tensor([0.2]), n=2).shape == (1,)         # PyTorch's keyword names
    out = ember.empty(4, dtype=ember.float64)
    assert e(ember.tensor(x), 3, out=out) is out
    np.testing.assert_allclose(out.numpy(), t(torch.tensor(x), 3).numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", ["chebyshev_polynomial_w", "laguerre_polynomial_l"])
def test_polynomial_errors(name):
    e, t = getattr(ember.special, name), getattr(torch.special, name)
    for bad in [(0.5, 3), (ember.tensor([0.5]), "a")]:
        with pytest.raises(TypeError, match=f"special_{name}\\(\\) received an invalid combination of arguments"):
            e(*bad)
    with pytest.raises(TypeError, match="got \\(float, int\\)"):
        t(0.5, 3)
    for x, n in [(ember.ones(2, dtype=ember.float16), 2), (ember.ones(2), ember.ones(2, dtype=ember.complex64)),
                 (2, ember.ones(2, dtype=ember.bfloat16))]:
        with pytest.raises(NotImplementedError, match=f'"{name}_cpu" not implemented for'):
            e(x, n)
    with pytest.raises(RuntimeError, match="The size of tensor a \\(2\\) must match the size of tensor b \\(3\\)"):
        e(ember.zeros(2), ember.zeros(3))
    with pytest.raises(NotImplementedError, match="not implemented for 'Half'"):
        t(torch.ones(2, dtype=torch.float16), 2)


def test_polynomial_large_degree():
    """Growing recurrences stop at the first NaN (inf - inf), as PyTorch's do: a huge n costs little."""
    x = [1.0001, 3.0, 0.5, -1.0, 1.0]
    for name in ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "hermite_polynomial_h"]:
        _compare(getattr(ember.special, name)(ember.tensor(x), 10 ** 9),
                 getattr(torch.special, name)(torch.tensor(x), 10 ** 9), rtol=1e-5, atol=1e-6)
    x = np.linspace(-0.99, 0.99, 41)
    _compare(ember.special.legendre_polynomial_p(ember.tensor(x), 500),
             torch.special.legendre_polynomial_p(torch.tensor(x), 500), rtol=1e-9, atol=1e-12)


def test_namespace():
    """Every torch.special function has an ember.special counterpart; none of these is top-level or a method."""
    public = {n for n in dir(torch.special) if not n.startswith("_") and callable(getattr(torch.special, n))}
    assert not public - set(dir(ember.special)) - {"torch"}
    for name in BESSEL + POLYS:
        assert name in ember.special.__all__
        assert not hasattr(ember, name) and not hasattr(ember.Tensor, name)
