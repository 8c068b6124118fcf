"""Oracle tests for ember/ops/linalg_extra.py and the torch.linalg names built on it: LU (linalg.lu_factor(_ex),
lu, lu_solve; torch.lu, lu_unpack, lu_solve), solves (linalg.solve(_ex), solve_triangular; torch.triangular_solve,
cholesky_solve, cholesky_inverse), matrix_exp, eig/eigvals, householder_product/geqrf/orgqr/ormqr, ldl_factor(_ex)/
ldl_solve, tensorinv/tensorsolve, vander, diagonal, nuclear_norm/frobenius_norm, gradient, histogramdd and the
removed torch.lstsq/matrix_rank/solve/eig/symeig. Values, dtypes and gradients against torch, batched, and
PyTorch's errors."""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, check

_RNG = np.random.default_rng(7)
# torch warns for its deprecated functions (lu_solve, triangular_solve...): Ember does too, checked below
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
F32_64 = [np.float32, np.float64]


def _tol(dtype):
    return dict(rtol=2e-3, atol=2e-4) if dtype == np.float32 else dict(rtol=1e-6, atol=1e-8)


def _raises(fn, exc=RuntimeError, prefix=False):
    """Both libraries raise ``exc``; Ember's message is torch's (or starts with it: Ember adds the fix)."""
    with pytest.raises(exc) as te:
        fn(torch)
    with pytest.raises(exc) as ee:
        fn(ember)
    if prefix:
        assert str(ee.value).startswith(str(te.value).split(" (")[0]), (str(ee.value), str(te.value))
    else:
        assert str(ee.value) == str(te.value)


def _lu_arrays(a):
    LU, piv = torch.linalg.lu_factor(torch.tensor(a))
    return LU.numpy(), piv.numpy()


def _tri(shape, dtype=np.float64, upper=False):
    """A well-conditioned triangular matrix (batch)."""
    a = _RNG.uniform(-1, 1, shape) + 3 * np.eye(shape[-1])
    return (np.triu(a) if upper else np.tril(a)).astype(dtype)


def _general(shape, dtype=np.float64):
    """A well-conditioned general (not triangular) matrix (batch)."""
    return (_RNG.uniform(-1, 1, shape) + 3 * np.eye(shape[-1])).astype(dtype)


# ---------------------------------------------------------------------------------------------- LU
@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 3), (2, 3, 3)])
@pytest.mark.parametrize("dtype", F32_64)
def test_lu_factor_values_and_grads(shape, dtype):
    check(lambda t, a: tuple(t.linalg.lu_factor(a)), [shape], dtype=dtype, tol=_tol(dtype))
    check(lambda t, a: tuple(t.linalg.lu(a)), [shape], dtype=dtype, tol=_tol(dtype))
    check(lambda t, a: tuple(t.linalg.lu_factor_ex(a)), [shape], dtype=dtype, tol=_tol(dtype))


def test_lu_blocked_path_and_unpack():
    # wider than one panel (32 columns): the blocked update and the triangular solve of the panel's rows
    for shape in [(70, 70), (40, 75), (75, 40)]:
        check(lambda t, a: tuple(t.linalg.lu_factor(a)), [shape], dtype=np.float64, grad=False)
    for shape in [(4, 4), (3, 5), (5, 3), (2, 4, 4)]:
        LU, piv = _lu_arrays(_RNG.standard_normal(shape))
        check(lambda t, lu, p: tuple(t.lu_unpack(lu, p)), [LU, piv], dtype=np.float64)
    LU, piv = _lu_arrays(_RNG.standard_normal((4, 4)))
    for data, pivots in [(False, True), (True, False), (False, False)]:
        check(lambda t, lu, p: tuple(t.lu_unpack(lu, p, data, pivots)), [LU, piv], dtype=np.float64,
              grad=data)   # torch fails backward through empty L, U
    # pivots broadcast over LU's batch (torch reads past its pivots there: compare with repeated pivots)
    batched = ember.tensor(np.stack([LU, 2 * LU]))
    r = ember.lu_unpack(batched, ember.tensor(piv))
    assert_same(r, torch.lu_unpack(torch.tensor(batched.numpy()), torch.tensor(np.stack([piv, piv]))))


def test_lu_singular_and_deprecated_lu():
    S = np.zeros((3, 3))
    S[0, 0] = 1
    check(lambda t, a: tuple(t.linalg.lu_factor_ex(a)), [S], dtype=np.float64, grad=False)
    check(lambda t, a: tuple(t.linalg.lu(a)), [S], dtype=np.float64, grad=False)
    _raises(lambda t: t.linalg.lu_factor(t.tensor(S)))
    _raises(lambda t: t.linalg.lu_factor(t.zeros(2, 3, 3)))
    _raises(lambda t: t.linalg.lu_factor_ex(t.zeros(2, 3, 3), check_errors=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda t, a: t.lu(a), [S], dtype=np.float64, grad=False)     # a plain tuple, no error
        check(lambda t, a: tuple(t.lu(a, get_infos=True)), [(2, 3, 3)], dtype=np.float64)
        e, t_ = ember.lu(ember.tensor(S)), torch.lu(torch.tensor(S))
        assert type(e) is tuple and type(t_) is tuple
        assert type(ember.tensor(S).lu(get_infos=True)).__name__ == "_lu_with_info"


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [True, False])
def test_lu_solve_grads(left, adjoint):
    A = _general((2, 4, 4))
    LU, piv = _lu_arrays(A)
    B = (3, 1, 4, 2) if left else (3, 1, 2, 4)      # B's batch broadcasts against LU's
    check(lambda t, lu, p, b: t.linalg.lu_solve(lu, p, b, left=left, adjoint=adjoint), [LU, piv, B],
          dtype=np.float64)


def test_lu_solve_top_level_and_method():
    LU, piv = _lu_arrays(_general((4, 4)))
    check(lambda t, b, lu, p: t.lu_solve(b, lu, p), [(4, 3), LU, piv], dtype=np.float64)
    check(lambda t, b, lu, p: b.lu_solve(lu, p), [(2, 4, 3), LU, piv], dtype=np.float64)


def test_lu_double_backward():
    a = _general((3, 3))
    r = []
    for lib in (torch, ember):
        x = lib.tensor(a, requires_grad=True)
        LU = lib.linalg.lu_factor(x).LU
        g, = lib.autograd.grad((LU * LU).sum(), x, create_graph=True)
        gg, = lib.autograd.grad((g * g).sum(), x)
        r.append((g, gg))
    assert_same(r[1], r[0], tol=dict(rtol=1e-6, atol=1e-8))


def test_lu_errors():
    _raises(lambda t: t.linalg.lu_factor(t.randn(3)))
    _raises(lambda t: t.linalg.lu_factor_ex(t.randn(3)))
    _raises(lambda t: t.linalg.lu(t.randn(3)))
    _raises(lambda t: t.linalg.lu_factor(t.randn(3, 3), pivot=False))
    _raises(lambda t: t.linalg.lu_factor(t.ones(3, 3, dtype=t.int64)), NotImplementedError)
    _raises(lambda t: t.linalg.lu(t.ones(3, 3, dtype=t.float16)), NotImplementedError)
    LU, piv = (ember.tensor(x) for x in _lu_arrays(_general((3, 3))))
    tLU, tpiv = torch.tensor(LU.numpy()), torch.tensor(piv.numpy())

    def solve(t, lu, p, b, **kw):
        return lambda lib: lib.linalg.lu_solve(lu if lib is ember else t[0], p if lib is ember else t[1], b(lib),
                                               **kw)
    pair = (tLU, tpiv)
    _raises(solve(pair, LU, piv, lambda t: t.randn(3, dtype=t.float64)))
    _raises(solve(pair, LU, piv, lambda t: t.randn(4, 2, dtype=t.float64)))
    _raises(solve(pair, LU, piv, lambda t: t.randn(2, 4, dtype=t.float64), left=False))
    _raises(solve(pair, LU, piv, lambda t: t.randn(3, 2, dtype=t.float32)))
    _raises(lambda t: t.linalg.lu_solve(*(pair if t is torch else (LU, piv))[:1], (tpiv if t is torch else piv).long(),
                                        t.randn(3, 2, dtype=t.float64)), prefix=True)
    _raises(lambda t: t.linalg.lu_solve((tLU if t is torch else LU).expand(2, 3, 3), tpiv if t is torch else piv,
                                        t.randn(3, 2, dtype=t.float64)))
    _raises(lambda t: t.lu_unpack(tLU if t is torch else LU, (tpiv if t is torch else piv).long()))
    _raises(lambda t: t.lu_unpack(t.randn(3), t.ones(3, dtype=t.int32)))
    _raises(lambda t: t.lu_unpack(t.randn(3, 3), t.tensor([4, 1, 1], dtype=t.int32)), prefix=True)


# ---------------------------------------------------------------------------------------------- triangular
@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unit", [True, False])
def test_solve_triangular_grads(upper, left, unit):
    A = _general((2, 1, 4, 4))      # only the triangle is read (and differentiated)
    B = (3, 4, 2) if left else (3, 2, 4)
    check(lambda t, a, b: t.linalg.solve_triangular(a, b, upper=upper, left=left, unitriangular=unit), [A, B],
          dtype=np.float64)


def test_solve_triangular_float32_large_and_dtype():
    A = _tri((40, 40), np.float32)    # more than one block of rows
    check(lambda t, a, b: t.linalg.solve_triangular(a, b, upper=False), [A, (40, 3)], tol=_tol(np.float32))
    a, b = _tri((3, 3)), _RNG.standard_normal((3, 2)).astype(np.float32)
    check(lambda t, a, b: t.linalg.solve_triangular(a, b, upper=False), [a, b], grad=False)    # A's dtype wins
    zero = np.zeros((3, 3))
    check(lambda t, a, b: t.linalg.solve_triangular(a, b, upper=True), [zero, (3, 2)], dtype=np.float64,
          grad=False)


@pytest.mark.parametrize("transpose", [True, False])
@pytest.mark.parametrize("upper", [True, False])
def test_triangular_solve(transpose, upper):
    A = _general((2, 1, 3, 3))
    check(lambda t, b, a: tuple(t.triangular_solve(b, a, upper, transpose)), [(5, 3, 2), A], dtype=np.float64)
    check(lambda t, b, a: tuple(b.triangular_solve(a, upper=upper, transpose=transpose, unitriangular=True)),
          [(3, 2), A[0, 0]], dtype=np.float64)


def test_triangular_errors():
    with pytest.raises(TypeError):
        ember.linalg.solve_triangular(ember.randn(3, 3), ember.randn(3, 2))
    with pytest.raises(TypeError):
        ember.linalg.solve_triangular(ember.randn(3, 3), ember.randn(3, 2), False)
    _raises(lambda t: t.linalg.solve_triangular(t.randn(3, 3), t.randn(3), upper=True))
    _raises(lambda t: t.linalg.solve_triangular(t.randn(3), t.randn(3, 2), upper=True))
    _raises(lambda t: t.linalg.solve_triangular(t.randn(3, 4), t.randn(3, 2), upper=True))
    _raises(lambda t: t.linalg.solve_triangular(t.randn(3, 3), t.randn(4, 2), upper=True))
    _raises(lambda t: t.linalg.solve_triangular(t.randn(3, 3), t.randn(2, 4), upper=True, left=False))
    _raises(lambda t: t.linalg.solve_triangular(t.eye(3, dtype=t.int64), t.ones(3, 2), upper=True),
            NotImplementedError)
    _raises(lambda t: t.triangular_solve(t.randn(3), t.randn(3, 3)))
    _raises(lambda t: t.triangular_solve(t.randn(3, 2), t.randn(3)))
    _raises(lambda t: t.triangular_solve(t.randn(3, 2), t.randn(3, 4)))
    _raises(lambda t: t.triangular_solve(t.randn(4, 2), t.randn(3, 3)))
    _raises(lambda t: t.triangular_solve(t.randn(3, 2, dtype=t.float64), t.randn(3, 3)))
    _raises(lambda t: t.triangular_solve(t.ones(3, 2, dtype=t.int64), t.ones(3, 3, dtype=t.int64)),
            NotImplementedError)


# ---------------------------------------------------------------------------------------------- cholesky solves
@pytest.mark.parametrize("upper", [True, False])
def test_cholesky_solve_and_inverse(upper):
    L = _tri((2, 1, 3, 3), upper=upper)
    check(lambda t, b, l: t.cholesky_solve(b, l, upper), [(4, 3, 2), L], dtype=np.float64)
    check(lambda t, b, l: b.cholesky_solve(l, upper=upper), [(3, 2), L[0, 0]], dtype=np.float64)
    check(lambda t, l: t.cholesky_inverse(l, upper), [L[:, 0]], dtype=np.float64)
    check(lambda t, l: l.cholesky_inverse(upper=upper), [L[0, 0].astype(np.float32)], tol=_tol(np.float32))


def test_cholesky_solve_errors():
    _raises(lambda t: t.cholesky_solve(t.randn(3), t.randn(3, 3)))
    _raises(lambda t: t.cholesky_solve(t.randn(3, 2), t.randn(3, 4)))
    _raises(lambda t: t.cholesky_solve(t.randn(4, 2), t.randn(3, 3)))
    _raises(lambda t: t.cholesky_solve(t.randn(3, 2, dtype=t.float64), t.randn(3, 3)))
    _raises(lambda t: t.cholesky_solve(t.ones(3, 2, dtype=t.float16), t.ones(3, 3, dtype=t.float16)),
            NotImplementedError)
    _raises(lambda t: t.cholesky_inverse(t.randn(3)))
    _raises(lambda t: t.cholesky_inverse(t.randn(3, 4)))
    _raises(lambda t: t.cholesky_inverse(t.ones(3, 3, dtype=t.int64)), NotImplementedError)
    S = np.diag([1.0, 0.0, 2.0])
    _raises(lambda t: t.cholesky_inverse(t.tensor(S)))
    _raises(lambda t: t.cholesky_inverse(t.zeros(2, 3, 3)))


# ---------------------------------------------------------------------------------------------- solve
@pytest.mark.parametrize("left", [True, False])
def test_solve_and_solve_ex(left):
    A = _general((2, 3, 3))
    check(lambda t, a, b: t.linalg.solve(a, b, left=left), [A, (4, 1, 3, 2) if left else (4, 1, 2, 3)],
          dtype=np.float64)
    check(lambda t, a, b: tuple(t.linalg.solve_ex(a, b, left=left)), [A, (3, 3)], dtype=np.float64)
    check(lambda t, a, b: t.linalg.solve(a, b), [A.astype(np.float32), (2, 3)], tol=_tol(np.float32))   # vectors
    check(lambda t, a, b: t.linalg.solve(a, b), [A, (3,)], dtype=np.float64)


def test_solve_singular_and_errors():
    S = np.zeros((3, 3))
    S[0, 0] = 1
    e, t = ember.linalg.solve_ex(ember.tensor(S), ember.ones(3, 2, dtype=ember.float64)), \
        torch.linalg.solve_ex(torch.tensor(S), torch.ones(3, 2, dtype=torch.float64))
    assert int(e.info) == int(t.info) == 2
    _raises(lambda t: t.linalg.solve(t.tensor(S), t.ones(3, 2, dtype=t.float64)), t_err())
    _raises(lambda t: t.linalg.solve(t.zeros(2, 3, 3), t.ones(3, 2)), t_err())
    _raises(lambda t: t.linalg.solve_ex(t.zeros(2, 3, 3), t.ones(3, 2), check_errors=True), t_err())
    _raises(lambda t: t.linalg.solve(t.randn(3, 3), t.randn(2, 3)))
    _raises(lambda t: t.linalg.solve(t.randn(3, 3), t.randn(4)))
    _raises(lambda t: t.linalg.solve(t.randn(3, 3), t.randn(3), left=False))
    _raises(lambda t: t.linalg.solve(t.randn(3, 3), t.randn(3, 2, dtype=t.float64)))
    _raises(lambda t: t.linalg.solve(t.randn(3, 4), t.randn(3, 2)))
    _raises(lambda t: t.linalg.solve(t.ones(3, 3, dtype=t.int64), t.ones(3, 2, dtype=t.int64)))
    _raises(lambda t: t.linalg.solve(t.randn(3), t.randn(3, 2)))
    _raises(lambda t: t.linalg.solve(t.ones(3, 3, dtype=t.float16), t.ones(3, 2, dtype=t.float16)),
            NotImplementedError)


def t_err():
    return RuntimeError     # torch raises torch.linalg.LinAlgError, a RuntimeError (as Ember's)


# ---------------------------------------------------------------------------------------------- matrix_exp
@pytest.mark.parametrize("dtype", F32_64)
def test_matrix_exp(dtype):
    check(lambda t, a: t.linalg.matrix_exp(a), [(2, 3, 3)], dtype=dtype, tol=_tol(dtype))
    check(lambda t, a: t.matrix_exp(a), [(4, 4)], dtype=dtype, tol=_tol(dtype), low=-6, high=6)  # scaled, squared
    check(lambda t, a: a.matrix_exp(), [np.zeros((0, 3, 3), dtype)], dtype=dtype, grad=False)


def test_matrix_exp_half_complex_double_backward_and_errors():
    a = _RNG.uniform(-1, 1, (3, 3))
    # torch's float16 kernel overflows here: Ember computes in float64 and rounds, so compare with that
    half = ember.linalg.matrix_exp(ember.tensor(a.astype(np.float16)))
    assert str(half.dtype) == "torch.float16"
    np.testing.assert_allclose(half.float().numpy(), torch.linalg.matrix_exp(torch.tensor(a.astype(np.float16),
                               dtype=torch.float64)).numpy(), rtol=1e-3, atol=1e-3)
    z = a + 1j * _RNG.uniform(-1, 1, (3, 3))
    assert_same(ember.linalg.matrix_exp(ember.tensor(z)), torch.linalg.matrix_exp(torch.tensor(z)),
                tol=dict(rtol=1e-9, atol=1e-12))
    r = []
    for lib in (torch, ember):
        x = lib.tensor(a, requires_grad=True)
        g, = lib.autograd.grad((lib.linalg.matrix_exp(x) ** 2).sum(), x, create_graph=True)
        gg, = lib.autograd.grad(g.sum(), x)
        r.append((g, gg))
    assert_same(r[1], r[0], tol=dict(rtol=1e-7, atol=1e-9))
    _raises(lambda t: t.linalg.matrix_exp(t.randn(3)))
    _raises(lambda t: t.linalg.matrix_exp(t.randn(3, 4)))
    _raises(lambda t: t.linalg.matrix_exp(t.ones(3, 3, dtype=t.int64)))


# ---------------------------------------------------------------------------------------------- eig
@pytest.mark.parametrize("dtype", F32_64)
def test_eig_values_and_grads(dtype):
    # |V| and the eigenvalues do not depend on the eigenvectors' phases: a well-defined loss
    check(lambda t, a: (lambda L, V: (L.real, L.imag, V.abs()))(*t.linalg.eig(a)), [(2, 4, 4)], dtype=dtype,
          tol=_tol(dtype))
    check(lambda t, a: (lambda L: (L.real, L.imag))(t.linalg.eigvals(a)), [(3, 3)], dtype=dtype, tol=_tol(dtype))
    a = _RNG.standard_normal((2, 4, 4)).astype(dtype)
    check(lambda t, x: (lambda L, V: (L, _phase_fixed(t, V)))(*t.linalg.eig(x)), [a], dtype=dtype, grad=False,
          tol=_tol(dtype))
    check(lambda t, x: t.linalg.eigvals(x), [a], dtype=dtype, grad=False, tol=_tol(dtype))


def _phase_fixed(t, V):
    """Eigenvectors are unique up to a phase (LAPACK builds may differ in sign): make each column's largest
    component real and positive."""
    big = V.abs().argmax(-2, keepdim=True)
    top = V.gather(-2, big)
    return V * (top.abs() / top).conj()


def test_eig_phase_dependent_loss_and_errors():
    a = np.array([[0.0, -2.0, 0.3], [1.0, 0.1, 0.2], [0.0, 0.5, 1.5]])     # a complex pair
    for lib in (torch, ember):
        x = lib.tensor(a, requires_grad=True)
        with pytest.raises(RuntimeError, match="ill-defined"):
            lib.linalg.eig(x)[1].real.sum().backward()
    _raises(lambda t: t.linalg.eig(t.randn(3)))
    _raises(lambda t: t.linalg.eig(t.randn(3, 4)))
    _raises(lambda t: t.linalg.eigvals(t.ones(3, 3, dtype=t.int64)), prefix=True)
    _raises(lambda t: t.linalg.eig(t.ones(3, 3, dtype=t.float16)), NotImplementedError)
    _raises(lambda t: t.linalg.eig(t.tensor([[float("nan"), 1.0], [0.0, 1.0]])))


# ---------------------------------------------------------------------------------------------- Householder
@pytest.mark.parametrize("dtype", F32_64)
def test_geqrf_householder_product_orgqr(dtype):
    check(lambda t, a: tuple(t.geqrf(a)), [(2, 5, 3)], dtype=dtype, grad=False, tol=_tol(dtype))
    check(lambda t, a: tuple(a.geqrf()), [(3, 4)], dtype=dtype, grad=False, tol=_tol(dtype))
    check(lambda t, a, tau: t.linalg.householder_product(a, tau), [(2, 5, 3), (2, 2)], dtype=dtype, tol=_tol(dtype))
    check(lambda t, a, tau: t.orgqr(a, tau), [(4, 4), (4,)], dtype=dtype, tol=_tol(dtype))
    check(lambda t, a, tau: a.orgqr(tau), [(4, 0), (0,)], dtype=dtype, grad=False)
    for lib in (torch, ember):      # no derivative for geqrf, in either library
        with pytest.raises(NotImplementedError, match="the derivative for 'geqrf' is not implemented"):
            lib.geqrf(lib.randn(3, 3, requires_grad=True))[0].sum().backward()


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("transpose", [True, False])
def test_ormqr(left, transpose):
    other = (2, 5, 4) if left else (2, 4, 5)
    check(lambda t, a, tau, c: t.ormqr(a, tau, c, left, transpose), [(2, 5, 3), (2, 3), other], dtype=np.float64)
    check(lambda t, a, tau, c: a.ormqr(tau, c, left=left, transpose=transpose), [(3, 5), (3,), (3, 3)],
          dtype=np.float64)


def test_householder_errors():
    _raises(lambda t: t.linalg.householder_product(t.randn(4, 3), t.randn(4)))
    _raises(lambda t: t.linalg.householder_product(t.randn(3, 4), t.randn(2)))
    _raises(lambda t: t.linalg.householder_product(t.randn(3), t.randn(2)))
    _raises(lambda t: t.linalg.householder_product(t.randn(4, 3), t.randn(2, 2)))
    _raises(lambda t: t.linalg.householder_product(t.randn(2, 4, 3), t.randn(3, 2)))
    _raises(lambda t: t.linalg.householder_product(t.randn(4, 3), t.randn(2, dtype=t.float64)))
    _raises(lambda t: t.linalg.householder_product(t.ones(4, 3, dtype=t.int64), t.ones(2, dtype=t.int64)),
            NotImplementedError)
    _raises(lambda t: t.geqrf(t.randn(3)))
    _raises(lambda t: t.geqrf(t.ones(3, 3, dtype=t.float16)), NotImplementedError)
    a, tau = torch.randn(4, 3), torch.randn(3)
    for args in [(a, tau, torch.randn(4, 5, dtype=torch.float64)), (a, tau.double(), torch.randn(4, 5)),
                 (torch.randn(4), tau, torch.randn(4, 5)), (a, tau, torch.randn(4)), (a, torch.randn(2), a),
                 (a, torch.randn(2), torch.randn(5, 4)), (torch.randn(2, 4, 3), torch.randn(2, 3), torch.randn(4, 5)),
                 (torch.randn(2, 4, 3), torch.randn(2, 3), torch.randn(3, 4, 5)),
                 (torch.randn(2, 4, 3), torch.randn(3, 3), torch.randn(2, 4, 5))]:
        _raises(lambda t: t.ormqr(*[x if t is torch else ember.tensor(x.numpy()) for x in args]))
    _raises(lambda t: t.ormqr(t.randn(4, 3), t.randn(3), t.randn(5, 3), left=False))
    _raises(lambda t: t.ormqr(t.randn(4, 2), t.randn(1), t.randn(5, 4), left=False))


# ---------------------------------------------------------------------------------------------- LDL^T
@pytest.mark.parametrize("n", [1, 5, 8])
def test_ldl_factor_and_solve(n):
    for seed in range(3):       # symmetric indefinite: 1x1 and 2x2 pivots, with and without interchanges
        a = np.random.default_rng(seed).standard_normal((2, n, n))
        a = a + a.swapaxes(-1, -2)
        check(lambda t, x: tuple(t.linalg.ldl_factor(x)), [a], dtype=np.float64, grad=False)
        check(lambda t, x: tuple(t.linalg.ldl_factor_ex(x, hermitian=True)), [a], dtype=np.float64, grad=False)
        LD, piv = torch.linalg.ldl_factor(torch.tensor(a))
        check(lambda t, ld, p, b: t.linalg.ldl_solve(ld, p, b), [LD.numpy(), piv.numpy(), (2, n, 2)],
              dtype=np.float64, grad=False)     # (torch crashes when B's batch broadcasts against LD's)
        check(lambda t, ld, p, b: t.linalg.ldl_solve(ld, p, b), [LD[0].numpy(), piv[0].numpy(), (3, n, 2)],
              dtype=np.float64, grad=False)


def test_ldl_singular_no_grad_and_errors():
    S = np.zeros((3, 3))
    S[0, 0] = 1
    check(lambda t, x: tuple(t.linalg.ldl_factor_ex(x)), [S], dtype=np.float64, grad=False)
    with pytest.raises(RuntimeError, match="D is singular"):
        ember.linalg.ldl_factor(ember.tensor(S))
    for lib in (torch, ember):
        with pytest.raises(RuntimeError, match="derivative for aten::linalg_ldl_factor_ex is not implemented"):
            lib.linalg.ldl_factor(lib.randn(3, 3, requires_grad=True))[0].sum().backward()
    _raises(lambda t: t.linalg.ldl_factor(t.randn(3, 4)))
    _raises(lambda t: t.linalg.ldl_factor(t.randn(3)))
    _raises(lambda t: t.linalg.ldl_factor(t.ones(3, 3, dtype=t.int64)))
    a = torch.randn(3, 3)
    LD, piv = torch.linalg.ldl_factor(a + a.T)
    eLD, epiv = ember.tensor(LD.numpy()), ember.tensor(piv.numpy())

    def ldl_solve(ld, p, b):
        return lambda t: t.linalg.ldl_solve(ld(t, LD if t is torch else eLD), p(t, piv if t is torch else epiv), b(t))
    same = lambda t, x: x      # noqa: E731
    _raises(ldl_solve(same, same, lambda t: t.randn(4, 2)))
    _raises(ldl_solve(same, same, lambda t: t.randn(3, 2, dtype=t.float64)))
    _raises(ldl_solve(same, lambda t, p: p[:2], lambda t: t.randn(3, 2)))
    _raises(ldl_solve(lambda t, x: x[:2], same, lambda t: t.randn(3, 2)))
    _raises(ldl_solve(same, same, lambda t: t.randn(3)), IndexError, prefix=True)
    check(lambda t, ld, p, b: t.linalg.ldl_solve(ld, p, b), [LD.numpy(), piv.numpy().astype(np.int64), (3, 2)],
          grad=False)


# ---------------------------------------------------------------------------------------------- tensorinv/solve
def test_tensorinv_tensorsolve():
    a = _general((24, 24)).reshape(4, 6, 8, 3)
    check(lambda t, x: t.linalg.tensorinv(x, ind=2), [a], dtype=np.float64)
    b = _general((6, 6)).reshape(2, 3, 6)
    check(lambda t, x, y: t.linalg.tensorsolve(x, y), [b, (2, 3)], dtype=np.float64)
    c = np.moveaxis(_general((6, 6)).reshape(3, 2, 6), -1, 0).copy()     # dims=(0,) moves 6 back to the end
    check(lambda t, x, y: t.linalg.tensorsolve(x, y, dims=(0,)), [c, (3, 2)], dtype=np.float64)
    _raises(lambda t: t.linalg.tensorinv(t.randn(4, 6, 8, 2), ind=2))
    _raises(lambda t: t.linalg.tensorinv(t.randn(4, 6, 8, 3), ind=0))
    _raises(lambda t: t.linalg.tensorinv(t.zeros(2, 2, 4)))
    _raises(lambda t: t.linalg.tensorsolve(t.randn(2, 3, 6), t.randn(2, 4)))


# ---------------------------------------------------------------------------------------------- vander, diagonal
def test_vander():
    check(lambda t, x: t.linalg.vander(x), [(2, 4)], dtype=np.float64)
    check(lambda t, x: t.linalg.vander(x, N=5), [np.array([0.0, 1.5, -2.0])])   # exact gradient at 0
    check(lambda t, x: t.linalg.vander(x), [(3,)], dtype=np.int32)
    check(lambda t, x: t.linalg.vander(x, N=3), [np.array(2.0)])
    # torch.vander's own backward fails (an in-place write in its kernel): values only
    check(lambda t, x: t.vander(x), [(4,)], dtype=np.float64, grad=False)
    check(lambda t, x: t.vander(x, N=3, increasing=True), [np.array([0.0, 2.0, -1.0])], grad=False)
    check(lambda t, x: t.vander(x, N=0), [(3,)], grad=False)
    check(lambda t, x: t.vander(x), [(3,)], dtype=np.int32)
    check(lambda t, x: t.vander(x), [np.array([True, False])])
    _raises(lambda t: t.linalg.vander(t.tensor(2.0)))
    _raises(lambda t: t.linalg.vander(t.randn(3), N=1))
    _raises(lambda t: t.linalg.vander(t.tensor([True, False])))
    _raises(lambda t: t.vander(t.randn(3), N=-1))
    _raises(lambda t: t.vander(t.randn(2, 3)))


def test_linalg_diagonal():
    check(lambda t, x: t.linalg.diagonal(x), [(2, 3, 4)])
    check(lambda t, x: t.linalg.diagonal(x, offset=1, dim1=0, dim2=2), [(2, 3, 4)])


# ---------------------------------------------------------------------------------------------- deprecated norms
def test_nuclear_and_frobenius_norm():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda t, x: t.nuclear_norm(x), [(2, 3, 4)], dtype=np.float64)
        check(lambda t, x: t.nuclear_norm(x, True), [(3, 4)], dtype=np.float64)
        check(lambda t, x: t.nuclear_norm(x, (0, 2), True), [(2, 3, 4)], dtype=np.float64)
        check(lambda t, x: t.frobenius_norm(x, (0, 2)), [(2, 3, 4)])
        check(lambda t, x: t.frobenius_norm(x, 0, True), [(2, 3, 4)])
        _raises(lambda t: t.frobenius_norm(t.ones(3, 3, dtype=t.int64), (0, 1)))
        _raises(lambda t: t.frobenius_norm(t.ones(2, 3, 4), (0, 1, 2)))


# ---------------------------------------------------------------------------------------------- gradient
def test_gradient():
    f = (5, 4)
    coords = (np.cumsum(_RNG.uniform(0.5, 2, 5)), np.cumsum(_RNG.uniform(0.5, 2, 4)))
    for edge in (1, 2):
        check(lambda t, x: t.gradient(x, edge_order=edge), [f], dtype=np.float64)
        check(lambda t, x: t.gradient(x, spacing=[2.0, 0.5], edge_order=edge), [f], dtype=np.float64)
        check(lambda t, x, c0, c1: t.gradient(x, spacing=(c0, c1), edge_order=edge), [f, *coords],
              dtype=np.float64)
        check(lambda t, x, c1: t.gradient(x, spacing=(c1,), dim=1, edge_order=edge), [f, coords[1]],
              dtype=np.float64)
    check(lambda t, x: t.gradient(x, spacing=2.0, dim=-1), [(3, 4)])
    check(lambda t, x: t.gradient(x, spacing=[3], dim=[0]), [(3, 4)])
    check(lambda t, x: t.gradient(x), [(5,)], dtype=np.int64)
    check(lambda t, x: t.gradient(x, spacing=t.tensor(2.0)), [(5,)])
    check(lambda t, x: t.gradient(x), [np.array(3.0, dtype=np.float32)])


def test_gradient_errors():
    _raises(lambda t: t.gradient(t.randn(5, 4), spacing=[2.0]))
    _raises(lambda t: t.gradient(t.randn(5, 4), spacing=[2.0, 1.0], dim=[1]))
    _raises(lambda t: t.gradient(t.randn(5, 4), edge_order=3))
    _raises(lambda t: t.gradient(t.randn(2, 4), edge_order=2))
    _raises(lambda t: t.gradient(t.randn(5), spacing=[t.tensor(2.0)]))
    _raises(lambda t: t.gradient(t.randn(5, 4), dim=(0, 0)))
    _raises(lambda t: t.gradient(t.randn(5, 4), dim=2), IndexError)
    _raises(lambda t: t.gradient(t.randn(5), spacing=[t.arange(5.0), 2.0]), TypeError)


# ---------------------------------------------------------------------------------------------- histogramdd
def _hist(lib, x, **kw):
    r = lib.histogramdd(x, **kw)
    return (r.hist, *r.bin_edges)


def test_histogramdd():
    x = _RNG.standard_normal((40, 3)).astype(np.float64)
    check(lambda t, a: _hist(t, a, bins=[3, 4, 2]), [x], grad=False)
    check(lambda t, a: _hist(t, a, bins=3, range=[0.0, 1.0, -1.0, 1.0, 0.0, 2.0], density=True), [x], grad=False)
    check(lambda t, a, w: _hist(t, a, bins=(2, 3, 2), weight=w), [x, (40,)], dtype=np.float64, grad=False)
    check(lambda t, a: _hist(t, a, bins=2), [_RNG.standard_normal((4, 10, 2)).astype(np.float32)], grad=False)
    check(lambda t, a: _hist(t, a, bins=[3, 4]), [np.ones((10, 2), np.float32)], grad=False)   # widened range
    check(lambda t, a: _hist(t, a, bins=3), [np.zeros((0, 2), np.float32)], grad=False)
    e = [np.array([0.0, 0.5, 1.0]), np.array([-1.0, -0.5, 0.0, 0.5, 1.0])]
    check(lambda t, a, e0, e1: _hist(t, a, bins=[e0, e1]), [x[:, :2], *e], grad=False)
    r = ember.histogramdd(ember.randn(5, 2), bins=2)
    assert type(r).__name__ == "histogramdd" and type(r.bin_edges) is tuple
    _raises(lambda t: t.histogramdd(t.randn(10), bins=3))
    _raises(lambda t: t.histogramdd(t.randn(10, 2), bins=[3]))
    _raises(lambda t: t.histogramdd(t.randn(10, 2), bins=3, range=[0.0, 1.0]))
    _raises(lambda t: t.histogramdd(t.ones(10, 2), bins=[3, 4], range=[2.0, 1.0, 0.0, 2.0]))
    _raises(lambda t: t.histogramdd(t.ones(10, 2), bins=[0, 4]))
    _raises(lambda t: t.histogramdd(t.ones(10, 2), bins=[3, 4], weight=t.ones(5)))
    _raises(lambda t: t.histogramdd(t.ones(10, 2), bins=[3, 4], weight=t.ones(10, dtype=t.float64)))
    _raises(lambda t: t.histogramdd(t.tensor([[float("nan"), 1.0]]), bins=[2, 2]))
    _raises(lambda t: t.histogramdd(t.arange(10).reshape(5, 2), bins=[3, 3]), NotImplementedError)


# ---------------------------------------------------------------------------------------------- removed names
def test_removed_functions_raise_as_in_torch():
    for name in ("lstsq", "solve"):
        _raises(lambda t: getattr(t, name)(t.randn(3, 3), t.randn(3, 3)))
        _raises(lambda t: getattr(t.randn(3, 3), name)(t.randn(3, 3)))
    for name in ("matrix_rank", "eig", "symeig"):
        _raises(lambda t: getattr(t, name)(t.randn(3, 3)))
    for name in ("eig", "symeig"):
        _raises(lambda t: getattr(t.randn(3, 3), name)())


def test_names_match_torch():
    missing = {n for n in dir(torch.linalg) if not n.startswith("_")} - set(dir(ember.linalg)) - {"common_notes"}
    assert not missing
    for n in ("lu", "lu_solve", "triangular_solve", "cholesky_solve", "cholesky_inverse", "matrix_exp", "geqrf",
              "orgqr", "ormqr"):
        assert hasattr(ember.Tensor, n), n


def test_deprecation_warnings_match_torch():
    from ember.ops import decompositions
    A, B = _general((3, 3)), _RNG.standard_normal((3, 2))
    LU, piv = _lu_arrays(A)
    cases = {"lu": lambda t: t.lu(t.tensor(A)),
             "lu_solve": lambda t: t.lu_solve(t.tensor(B), t.tensor(LU), t.tensor(piv)),
             "triangular_solve": lambda t: t.triangular_solve(t.tensor(B), t.tensor(A)),
             "nuclear_norm": lambda t: t.nuclear_norm(t.tensor(A)),
             "frobenius_norm": lambda t: t.frobenius_norm(t.tensor(A), (0, 1))}
    torch.set_warn_always(True)     # torch warns once per process: make it warn here
    try:
        for name, fn in cases.items():
            decompositions._warned.discard(name)
            got = []
            for lib in (torch, ember):
                with warnings.catch_warnings(record=True) as w:
                    warnings.simplefilter("always")
                    fn(lib)
                got.append([str(x.message) for x in w if issubclass(x.category, UserWarning)])
            assert len(got[1]) == 1 and got[0][0].startswith(got[1][0]), (name, got)
    finally:
        torch.set_warn_always(False)


def test_complex_eig_and_matrix_exp_grads():
    z = _RNG.standard_normal((3, 3)) + 1j * _RNG.standard_normal((3, 3))
    w = _RNG.standard_normal((3, 3))
    res = []
    for lib in (torch, ember):
        x = lib.tensor(z, requires_grad=True)
        L, V = lib.linalg.eig(x)
        loss = (L.real * lib.tensor(w[0])).sum() + (L.imag * lib.tensor(w[1])).sum() + (V.abs() * lib.tensor(w)).sum()
        g, = lib.autograd.grad(loss, x)
        g2, = lib.autograd.grad((lib.linalg.matrix_exp(x).abs() * lib.tensor(w)).sum(), x)
        res.append((g, g2))
    assert_same(res[1], res[0], tol=dict(rtol=1e-8, atol=1e-10))


@pytest.mark.parametrize("fn", [
    lambda t: tuple(t.linalg.lu_factor(t.zeros(0, 0))), lambda t: tuple(t.linalg.lu_factor(t.zeros(2, 0, 3))),
    lambda t: tuple(t.linalg.lu_factor_ex(t.zeros(0, 3, 3))), lambda t: tuple(t.linalg.lu(t.zeros(3, 0))),
    lambda t: t.linalg.solve_triangular(t.zeros(0, 0), t.zeros(0, 2), upper=True),
    lambda t: t.linalg.solve(t.zeros(0, 3, 3), t.zeros(0, 3, 2)), lambda t: t.linalg.solve(t.eye(3), t.zeros(3, 0)),
    lambda t: tuple(t.linalg.eig(t.zeros(0, 0))), lambda t: tuple(t.geqrf(t.zeros(0, 3))),
    lambda t: tuple(t.linalg.ldl_factor(t.zeros(0, 0))), lambda t: tuple(t.lu_unpack(*t.linalg.lu_factor(
        t.zeros(2, 0, 0)))), lambda t: t.cholesky_solve(t.zeros(0, 3, 2), t.eye(3))])
def test_empty_shapes(fn):
    assert_same(fn(ember), fn(torch))
