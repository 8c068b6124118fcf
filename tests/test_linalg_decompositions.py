"""Oracle tests for the decompositions and what is built on them: torch.linalg svd svdvals qr cholesky(_ex)
eigh eigvalsh pinv lstsq slogdet matrix_rank matrix_power cond inv_ex matrix_norm/norm (every ord), and the
top-level torch.svd pinverse logdet slogdet det matrix_power cholesky qr inverse (and Tensor methods).

Singular and eigen vectors are defined only up to sign: their tests compare gauge-invariant functions
(U diag(S) Vh, |U|, V diag(L) V^T), as PyTorch's own tests do."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import check

F32_64 = [np.float32, np.float64]
SHAPES = [(4, 3), (3, 4), (2, 3, 3)]
ORDS = ["fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf]
_RNG = np.random.default_rng(1)


def _tol(dtype):
    return dict(rtol=1e-3, atol=1e-4) if dtype == np.float32 else None


def spd(n, batch=(), dtype=np.float64):
    """A well-conditioned symmetric positive-definite matrix (batch)."""
    a = _RNG.standard_normal(batch + (n, n))
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n)).astype(dtype)


def _raises(fn, exc=RuntimeError):
    """Both libraries raise ``exc`` with the same message."""
    with pytest.raises(exc) as te:
        fn(torch)
    with pytest.raises(exc) as ee:
        fn(ember)
    assert str(ee.value) == str(te.value)


# ---------------------------------------------------------------------------------------------- svd
@pytest.mark.parametrize("dtype", F32_64)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("full", [True, False])
def test_svd_gauge_invariant(dtype, shape, full):
    def recon(t, x):
        U, S, Vh = t.linalg.svd(x, full_matrices=full)
        k = S.shape[-1]
        return (U[..., :k] * S.unsqueeze(-2)) @ Vh[..., :k, :], U.abs(), Vh.abs()
    check(recon, [shape], dtype=dtype, tol=_tol(dtype))


@pytest.mark.parametrize("shape", SHAPES)
def test_svdvals_and_torch_svd(shape):
    check(lambda t, x: t.linalg.svdvals(x), [shape], dtype=np.float64)
    for some in (True, False):
        check(lambda t, x: (lambda r: (r.U.abs(), r.S, r.V.abs()))(t.svd(x, some=some)), [shape], dtype=np.float64)
    check(lambda t, x: t.svd(x, compute_uv=False), [shape], dtype=np.float64, grad=False)
    x = ember.randn(*shape)
    assert type(x.svd()).__name__ == "svd" and x.svd().V.shape == torch.randn(*shape).svd().V.shape
    assert type(ember.linalg.svd(x)).__name__ == "linalg_svd"


def test_svd_gradcheck():
    a = ember.randn(4, 3, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda x: (lambda r: (r.U @ r.Vh, r.S))(ember.linalg.svd(x, False)), (a,))
    assert ember.autograd.gradcheck(lambda x: ember.linalg.svdvals(x), (a.mT.detach().requires_grad_(),))


# ---------------------------------------------------------------------------------------------- qr
@pytest.mark.parametrize("dtype", F32_64)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
def test_qr(dtype, shape, mode):
    grad = mode == "reduced" or (mode == "complete" and shape[-2] <= shape[-1])
    check(lambda t, x: tuple(t.linalg.qr(x, mode=mode)), [shape], dtype=dtype, grad=grad, tol=_tol(dtype))


def test_qr_gradcheck_and_errors():
    for shape in [(4, 3), (3, 5)]:
        a = ember.randn(*shape, dtype=ember.float64, requires_grad=True)
        assert ember.autograd.gradcheck(lambda x: tuple(ember.linalg.qr(x)), (a,))
    for mode in ("r", "complete"):
        def backward(t, mode=mode):
            t.linalg.qr(t.ones(4, 3, requires_grad=True) + t.eye(4, 3), mode=mode).R.sum().backward()
        _raises(backward)
    _raises(lambda t: t.linalg.qr(t.ones(3, 3), mode="full"))
    _raises(lambda t: t.linalg.qr(t.ones(3, 3, dtype=t.long)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda t, x: tuple(t.qr(x)), [(4, 3)], dtype=np.float64)
        check(lambda t, x: tuple(x.qr(some=False)), [(4, 3)], dtype=np.float64, grad=False)


# ---------------------------------------------------------------------------------------------- cholesky
@pytest.mark.parametrize("dtype", F32_64)
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky(dtype, upper):
    check(lambda t, x: t.linalg.cholesky(x, upper=upper), [spd(3, (2,), dtype)], dtype=dtype, tol=_tol(dtype))
    check(lambda t, x: tuple(t.linalg.cholesky_ex(x, upper=upper)), [spd(4, (), dtype)], dtype=dtype,
          tol=_tol(dtype))


def test_cholesky_gradcheck_and_deprecated_alias():
    a = ember.tensor(spd(3) / 2, requires_grad=True)     # only a symmetric change is meaningful: use x + x^T
    assert ember.autograd.gradcheck(lambda x: ember.linalg.cholesky(x + x.mT), (a,))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda t, x: t.cholesky(x), [spd(3)], dtype=np.float64)
        check(lambda t, x: x.cholesky(upper=True), [spd(3)], dtype=np.float64)


def test_cholesky_not_positive_definite():
    bad = np.array([[1.0, 2.0], [2.0, 1.0]], dtype=np.float32)
    batch = np.stack([np.eye(2, dtype=np.float32), bad])
    _raises(lambda t: t.linalg.cholesky(t.tensor(bad)))
    _raises(lambda t: t.linalg.cholesky(t.tensor(batch)))
    _raises(lambda t: t.linalg.cholesky_ex(t.tensor(batch), check_errors=True))
    with pytest.raises(ember.linalg.LinAlgError, match="leading minor of order 2"):
        ember.linalg.cholesky(ember.tensor(bad))
    assert isinstance(ember.linalg.LinAlgError("x"), RuntimeError)
    info = ember.linalg.cholesky_ex(ember.tensor(batch)).info
    assert info.dtype == ember.int32 and info.tolist() == [0, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _raises(lambda t: t.cholesky(t.tensor(bad)))


# ---------------------------------------------------------------------------------------------- eigh
@pytest.mark.parametrize("dtype", F32_64)
@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh(dtype, uplo):
    a = _RNG.standard_normal((2, 4, 4)).astype(dtype)     # not symmetric: only the UPLO triangle is read
    def f(t, x):
        L, V = t.linalg.eigh(x, UPLO=uplo)
        return L, (V * L.unsqueeze(-2)) @ V.mT, V.abs()
    check(f, [a], dtype=dtype, tol=_tol(dtype))
    check(lambda t, x: t.linalg.eigvalsh(x, UPLO=uplo), [a], dtype=dtype, tol=_tol(dtype))


def test_eigh_gradcheck_and_errors():
    a = ember.tensor(spd(3), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x: (lambda r: (r.eigenvalues, r.eigenvectors.abs()))(
        ember.linalg.eigh(x + x.mT)), (a,))
    _raises(lambda t: t.linalg.eigh(t.ones(3, 3, dtype=t.long)), NotImplementedError)
    _raises(lambda t: t.linalg.eigh(t.ones(3, 4)))
    _raises(lambda t: t.linalg.eigvalsh(t.ones(3, 3), UPLO="X"))


# ---------------------------------------------------------------------------------------------- det family
@pytest.mark.parametrize("dtype", F32_64)
def test_slogdet_logdet_det(dtype):
    check(lambda t, x: tuple(t.linalg.slogdet(x)), [(2, 3, 3)], dtype=dtype, tol=_tol(dtype))
    check(lambda t, x: tuple(t.slogdet(x)), [(3, 3)], dtype=dtype, tol=_tol(dtype))
    check(lambda t, x: x.logdet(), [spd(3, (2,), dtype)], dtype=dtype, tol=_tol(dtype))
    check(lambda t, x: (t.det(x), x.det()), [(2, 3, 3)], dtype=dtype, tol=_tol(dtype))
    check(lambda t, x: (t.inverse(x), x.inverse()), [spd(3, (), dtype)], dtype=dtype, tol=_tol(dtype))
    check(lambda t, x: t.logdet(x), [np.diag([-1.0, 2.0]).astype(dtype)], dtype=dtype, grad=False)
    assert type(ember.slogdet(ember.eye(2))).__name__ == "slogdet"
    a = ember.tensor(spd(3), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x: ember.linalg.slogdet(x).logabsdet, (a,))


def test_inv_ex_and_errors():
    sing = np.zeros((2, 3, 3), dtype=np.float32)
    sing[0] = np.eye(3)
    sing[1, 0, 0] = 1.0
    r = ember.linalg.inv_ex(ember.tensor(sing))
    assert type(r).__name__ == "linalg_inv_ex" and r.info.tolist() == torch.linalg.inv_ex(torch.tensor(sing)).info.tolist()
    _raises(lambda t: t.linalg.inv_ex(t.tensor(sing), check_errors=True))
    _raises(lambda t: t.linalg.inv(t.tensor(sing)))
    _raises(lambda t: t.linalg.slogdet(t.ones(3, 3, dtype=t.long)))
    _raises(lambda t: t.logdet(t.ones(3, 3, dtype=t.long)))
    _raises(lambda t: t.linalg.slogdet(t.ones(3, 4)))
    _raises(lambda t: t.linalg.svd(t.ones(3, 3, dtype=t.long)))
    _raises(lambda t: t.linalg.svd(t.ones(3, 3, dtype=t.float16)), NotImplementedError)
    _raises(lambda t: t.linalg.svd(t.ones(3)))


# ---------------------------------------------------------------------------------------------- pinv / lstsq
@pytest.mark.parametrize("shape", SHAPES)
def test_pinv(shape):
    check(lambda t, x: t.linalg.pinv(x), [shape], dtype=np.float64)
    check(lambda t, x: t.pinverse(x), [shape], dtype=np.float32, tol=_tol(np.float32))
    check(lambda t, x: x.pinverse(), [shape], dtype=np.float64)
    check(lambda t, x: t.linalg.pinv(x, hermitian=True), [spd(3, (2,))], dtype=np.float64)
    check(lambda t, x: t.linalg.pinv(x, atol=0.5), [shape], dtype=np.float64, grad=False)
    check(lambda t, x: t.linalg.pinv(x, rtol=0.5), [shape], dtype=np.float64, grad=False)
    _raises(lambda t: t.linalg.pinv(t.ones(3, 3, dtype=t.long)))
    a = ember.randn(2, 4, 3, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda x: ember.linalg.pinv(x), (a,))
    assert ember.autograd.gradcheck(lambda x: ember.linalg.pinv(x), (a.mT.detach().requires_grad_(),))


@pytest.mark.parametrize("driver", [None, "gels", "gelsy", "gelsd", "gelss"])
@pytest.mark.parametrize("sa,sb", [((5, 3), (5, 2)), ((3, 5), (3, 2)), ((2, 5, 3), (1, 5, 2)), ((5, 3), (5,))])
def test_lstsq(driver, sa, sb):
    check(lambda t, a, b: tuple(t.linalg.lstsq(a, b, driver=driver)), [sa, sb], dtype=np.float64, grad=False)
    check(lambda t, a, b: t.linalg.lstsq(a, b, driver=driver).solution, [sa, sb], dtype=np.float64)


def test_lstsq_rank_deficient_and_errors():
    a = _RNG.standard_normal((5, 3))
    a[:, 2] = a[:, 1]
    check(lambda t, x, y: t.linalg.lstsq(x, y, driver="gelsd"), [a, (5, 2)], dtype=np.float64, grad=False)
    check(lambda t, x, y: t.linalg.lstsq(x, y), [(5, 3), (5, 2)], dtype=np.float32, grad=False, tol=_tol(np.float32))
    assert type(ember.linalg.lstsq(ember.ones(3, 2), ember.ones(3, 1))).__name__ == "linalg_lstsq"
    _raises(lambda t: t.linalg.lstsq(t.ones(3, 2), t.ones(4, 1)))
    _raises(lambda t: t.linalg.lstsq(t.ones(3, 2), t.ones(3, 1), driver="foo"))
    _raises(lambda t: t.linalg.lstsq(t.ones(3, 2), t.ones(3, 1, dtype=t.float64)))
    _raises(lambda t: t.linalg.lstsq(t.ones(3, 2, dtype=t.long), t.ones(3, 1, dtype=t.long)))


# ---------------------------------------------------------------------------------------------- power / rank / cond
def test_matrix_power():
    for n in (0, 1, 2, 5, -1, -3):
        check(lambda t, x: t.linalg.matrix_power(x, n), [spd(3, (2,))], dtype=np.float64, grad=n != 0)
        check(lambda t, x: x.matrix_power(n), [spd(3)], dtype=np.float32, grad=n != 0, tol=_tol(np.float32))
    check(lambda t, x: t.matrix_power(x, 3), [(3, 3)], dtype=np.int64)
    _raises(lambda t: t.linalg.matrix_power(t.ones(3, 4), 2))
    _raises(lambda t: t.linalg.matrix_power(t.ones(3, 3, dtype=t.long), -1))
    _raises(lambda t: t.linalg.matrix_power(t.zeros(2, 2), -1))
    _raises(lambda t: t.linalg.matrix_power(t.ones(3, 3), 2.0), TypeError)


def test_matrix_rank_and_cond():
    a = _RNG.standard_normal((2, 5, 3))
    a[0, :, 2] = a[0, :, 1]
    check(lambda t, x: t.linalg.matrix_rank(x), [a], grad=False)
    check(lambda t, x: t.linalg.matrix_rank(x, atol=1.0, rtol=0.1), [a], grad=False)
    check(lambda t, x: t.linalg.matrix_rank(x, 1.5), [a], grad=False)
    check(lambda t, x: t.linalg.matrix_rank(x, hermitian=True), [spd(3, (2,))], grad=False)
    for p in [None, 2, -2]:
        check(lambda t, x: t.linalg.cond(x, p), [(2, 4, 3)], dtype=np.float64)
    for p in ["fro", "nuc", 1, -1, math.inf, -math.inf]:   # PyTorch 2.13 cannot differentiate these (in-place bug)
        check(lambda t, x: t.linalg.cond(x, p), [spd(3, (2,))], dtype=np.float64, grad=False)
    a = ember.tensor(spd(3), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x: ember.linalg.cond(x, "nuc"), (a,))
    check(lambda t, x: t.linalg.cond(x, "fro"), [np.zeros((2, 2))], grad=False)
    _raises(lambda t: t.linalg.cond(t.ones(3, 3), 3))
    _raises(lambda t: t.linalg.cond(t.ones(3, 4), 1))
    _raises(lambda t: t.linalg.matrix_rank(t.ones(3, 3, dtype=t.long)))


# ---------------------------------------------------------------------------------------------- norms
@pytest.mark.parametrize("dtype", F32_64)
@pytest.mark.parametrize("ord", ORDS)
def test_matrix_norm(dtype, ord):
    tol = _tol(dtype)
    check(lambda t, x: t.linalg.matrix_norm(x, ord), [(2, 4, 3)], dtype=dtype, tol=tol)
    check(lambda t, x: t.linalg.matrix_norm(x, ord, dim=(0, 2), keepdim=True), [(3, 2, 4)], dtype=dtype, tol=tol)
    check(lambda t, x: t.linalg.norm(x, ord), [(3, 4)], dtype=dtype, tol=tol)
    check(lambda t, x: t.linalg.norm(x, ord, dim=(-1, 0)), [(3, 2, 4)], dtype=dtype, tol=tol)


def test_matrix_norm_gradcheck_and_errors():
    a = ember.randn(3, 4, dtype=ember.float64, requires_grad=True)
    for ord in ("nuc", 2, -2, 1, math.inf):
        assert ember.autograd.gradcheck(lambda x: ember.linalg.matrix_norm(x, ord), (a,))
    check(lambda t, x: t.norm(x, p="nuc"), [(3, 4)])
    check(lambda t, x: x.norm(p="nuc", dim=(0, 2), keepdim=True), [(3, 2, 4)])
    check(lambda t, x: t.linalg.norm(x), [(2, 3, 4)])
    check(lambda t, x: t.linalg.norm(x, 3), [(4,)])
    _raises(lambda t: t.linalg.matrix_norm(t.ones(3, 3), 3))
    _raises(lambda t: t.linalg.matrix_norm(t.ones(3, 3), "foo"))
    _raises(lambda t: t.linalg.matrix_norm(t.ones(3), "nuc"))
    _raises(lambda t: t.linalg.matrix_norm(t.ones(3, 3), dim=(0, 0)))
    _raises(lambda t: t.linalg.matrix_norm(t.ones(3, 3, dtype=t.long)))
    _raises(lambda t: t.linalg.norm(t.ones(2, 2, 2), 2))
    _raises(lambda t: t.linalg.norm(t.ones(2, 2, 2), 2, dim=(0, 1, 2)))
    _raises(lambda t: t.norm(t.ones(2, 2, 2), p="nuc"))
    _raises(lambda t: t.norm(t.ones(3), p="nuc"))


def test_grad_fn_names_and_double_backward():
    a = ember.tensor(spd(3), requires_grad=True)
    t = torch.tensor(spd(3), requires_grad=True)
    for f in (lambda m, x: m.linalg.svd(x).U, lambda m, x: m.linalg.qr(x).Q, lambda m, x: m.linalg.eigh(x)[0],
              lambda m, x: m.linalg.cholesky(x), lambda m, x: m.linalg.slogdet(x)[1],
              lambda m, x: m.linalg.inv(x)):
        assert f(ember, a).grad_fn.name() == f(torch, t).grad_fn.name()
    hvs = []
    for m, x in ((ember, a), (torch, t)):     # a Hessian-vector product through the Cholesky backward
        g, = m.autograd.grad(m.linalg.cholesky(x).pow(2).sum(), x, create_graph=True)
        hv, = m.autograd.grad(g.sum(), x)
        hvs.append(hv.detach().numpy())
    np.testing.assert_allclose(hvs[0], hvs[1], rtol=1e-7, atol=1e-9)
