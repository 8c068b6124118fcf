"""``torch.linalg``: norms, decompositions (``svd qr cholesky eigh lu eig ldl``) and what is built on them
(``inv det slogdet pinv lstsq matrix_rank matrix_power cond solve lu_solve solve_triangular matrix_exp
householder_product tensorinv tensorsolve``), and the products already in ``ember.ops.linalg``.

The differentiable decompositions live in ``ember.ops.decompositions`` and ``ember.ops.linalg_extra``; here are
PyTorch's signatures and the functions composed from them.
"""
import math

from . import _autocast
from .autograd.grad_mode import no_grad
from .ops._util import Tensor, xp_of
from .ops.decompositions import (_MATRIX_ORDS, LinAlgError, _dtype_name, _LstsqResult, _tolerance,
                                 linalg_cholesky, linalg_cholesky_ex, linalg_det, linalg_eigh, linalg_eigvalsh,
                                 linalg_inv, linalg_inv_ex, linalg_matrix_norm, linalg_matrix_power, linalg_pinv,
                                 linalg_qr, linalg_slogdet, linalg_svd, linalg_svdvals)
from .ops.linalg import cross as _cross, matmul
from .ops.linalg_extra import (_out_tuple, linalg_eig, linalg_eigvals, linalg_householder_product,
                               linalg_ldl_factor, linalg_ldl_factor_ex, linalg_ldl_solve, linalg_lu,
                               linalg_lu_factor, linalg_lu_factor_ex, linalg_lu_solve, linalg_matrix_exp,
                               linalg_solve_ex, linalg_solve_triangular, linalg_vander)
from .ops.reduction import _vector_norm

__all__ = ["vector_norm", "matrix_norm", "norm", "inv", "inv_ex", "det", "slogdet", "cholesky", "cholesky_ex", "qr",
           "eigh", "eigvalsh", "svd", "svdvals", "pinv", "matrix_power", "matrix_rank", "lstsq", "cond", "solve",
           "cross", "matmul", "multi_dot", "vecdot", "LinAlgError", "lu_factor", "lu_factor_ex", "lu", "lu_solve",
           "solve_triangular", "solve_ex", "matrix_exp", "eig", "eigvals", "householder_product", "ldl_factor",
           "ldl_factor_ex", "ldl_solve", "tensorinv", "tensorsolve", "vander", "diagonal"]


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):  # noqa: A002 - PyTorch's name
    """``||x||_ord`` over ``dim`` (all elements when None): ord 2, 1, inf, -inf, 0 or any real."""
    r = _vector_norm(x, ord, dim, keepdim, dtype)
    return r if out is None else out.copy_(r)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):  # noqa: A002
    """Matrix norm over the two dims ``dim``: 'fro', 'nuc', 2, -2 (singular values), 1, -1 (column sums),
    inf, -inf (row sums)."""
    return _out(linalg_matrix_norm(A, ord, dim, keepdim, dtype=dtype), out)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):  # noqa: A002
    """A vector norm, or a matrix norm when ``ord`` is given with two dims (or a 2-D input, or a string ord);
    ``ord=None`` is the 2-norm of the flattened dims (= Frobenius)."""
    if dim is not None:
        dim = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dim) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dim)}")
    elif ord is not None and A.ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                           f"Got {A.ndim}D.")
    if isinstance(ord, str) or (ord is not None and (len(dim) == 2 if dim is not None else A.ndim == 2)):
        return matrix_norm(A, ord, (0, 1) if dim is None else dim, keepdim, dtype=dtype, out=out)
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)


def _out(r, out):
    return r if out is None else out.copy_(r)


def inv(A, *, out=None):
    """Inverse of a square matrix (or a batch of them); LinAlgError names a singular one."""
    return _out(linalg_inv(A), out)


def inv_ex(A, *, check_errors=False):
    """``(inverse, info)``: info is 0, or the 1-based zero pivot of a singular matrix (no error unless
    ``check_errors``)."""
    return linalg_inv_ex(A, check_errors=check_errors)


def det(A, *, out=None):
    """Determinant of a square matrix (or a batch of them)."""
    return _out(linalg_det(A), out)


def slogdet(A):
    """``(sign, logabsdet)``: the determinant's sign and the log of its absolute value."""
    return linalg_slogdet(A)


def cholesky(A, *, upper=False, out=None):
    """Lower-triangular ``L`` with ``A = L L^T`` (``upper=True``: ``U = L^T``) of a positive-definite A."""
    return _out(linalg_cholesky(A, upper=upper), out)


def cholesky_ex(A, *, upper=False, check_errors=False):
    """``(L, info)``: info is 0, or the order of the first leading minor that is not positive-definite."""
    return linalg_cholesky_ex(A, upper=upper, check_errors=check_errors)


def qr(A, mode="reduced"):
    """``(Q, R)``: mode 'reduced' (Q m x k), 'complete' (Q m x m) or 'r' (R only, Q empty)."""
    return linalg_qr(A, mode)


def eigh(A, UPLO="L"):
    """``(eigenvalues, eigenvectors)`` of a symmetric matrix (read from its ``UPLO`` triangle), ascending."""
    return linalg_eigh(A, UPLO)


def eigvalsh(A, UPLO="L", *, out=None):
    """Eigenvalues of a symmetric matrix, ascending."""
    return _out(linalg_eigvalsh(A, UPLO), out)


def svd(A, full_matrices=True, *, driver=None):
    """``(U, S, Vh)`` with ``A = U diag(S) Vh``; S descending."""
    return linalg_svd(A, full_matrices, driver=driver)


def svdvals(A, *, driver=None, out=None):
    """Singular values, descending."""
    return _out(linalg_svdvals(A, driver=driver), out)


def pinv(A, rcond=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """Moore-Penrose pseudo-inverse; singular values at most ``max(atol, rtol * largest)`` count as zero."""
    return _out(linalg_pinv(A, rcond, hermitian, atol=atol, rtol=rtol), out)


def matrix_power(A, n, *, out=None):
    """``A`` to the integer power ``n`` (negative: of its inverse)."""
    return _out(linalg_matrix_power(A, n), out)


def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """Number of singular values above ``max(atol, rtol * largest)`` (``tol``: an absolute cut-off)."""
    _float64_or_32(A)
    if tol is not None:
        atol, rtol = tol, 0.0
    with no_grad():
        S = linalg_eigvalsh(A).abs() if hermitian else linalg_svdvals(A)
    S_max = S._data.max(-1, keepdims=True) if S.shape[-1] else S._data[..., :1]
    return _out((S > Tensor._wrap(_tolerance(A, S_max, atol, rtol))).sum(-1), out)


def _float64_or_32(A):
    if str(A.dtype) not in ("torch.float32", "torch.float64"):
        raise RuntimeError("This function doesn't handle types other than float and double")


_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A, B, rcond=None, *, driver=None):
    """Least-squares ``X`` minimising ``||A X - B||`` (the minimum-norm one), as PyTorch's named tuple
    ``(solution, residuals, rank, singular_values)``.

    The solution comes from the pseudo-inverse (so gradients flow to A and B). What else is filled follows
    the LAPACK driver PyTorch would call (CPU default 'gelsy'): rank for all but 'gels'; singular values for
    'gelsd'/'gelss'; residuals (squared, per column) when m > n, all matrices have full rank, and the
    driver is not 'gelsy'."""
    if A.ndim < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    _float64_or_32(A)
    if A.dtype != B.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, but got input's "
                           f"dtype {_dtype_name(A)} and other's dtype {_dtype_name(B)}")
    driver = "gelsy" if driver is None else driver
    if driver not in _DRIVERS:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    vector = B.ndim == A.ndim - 1       # B holds vectors, not matrices
    Bm = B.unsqueeze(-1) if vector else B
    if A.shape[-2] != Bm.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    m, n = A.shape[-2:]
    if rcond is None:
        rcond = float(xp_of(A._data).finfo(A._data.dtype).eps) * max(m, n)
    X = matmul(pinv(A, rtol=rcond), Bm)
    empty = Tensor._wrap(xp_of(A._data).empty((0,), dtype=A._data.dtype))
    with no_grad():
        S = linalg_svdvals(A)
    rank = empty.long() if driver == "gels" else (S > rcond * S[..., :1]).sum(-1)
    full_rank = driver == "gels" or bool((rank == n).all())
    residuals = empty
    if m > n and driver != "gelsy" and full_rank:
        residuals = (matmul(A, X) - Bm).pow(2).sum(-2)
    singular_values = S if driver in ("gelsd", "gelss") else empty
    return _LstsqResult((X.squeeze(-1) if vector else X, residuals, rank, singular_values))


def cond(A, p=None):
    """Condition number ``norm(A, p) * norm(inv(A), p)``; for p None/2/-2 the ratio of extreme singular
    values (any shape). A singular matrix gives inf for the other ords."""
    if p is None or p in (2, -2):
        S = svdvals(A)
        return S[..., 0] / S[..., -1] if p != -2 else S[..., -1] / S[..., 0]
    if p not in _MATRIX_ORDS:
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    if A.ndim >= 2 and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.cond(ord={p}): A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    inverse, info = inv_ex(A)
    r = matrix_norm(A, p) * matrix_norm(inverse, p)
    return r.masked_fill(info > 0, math.inf)


def solve(A, B, *, left=True, out=None):
    """``X`` with ``A X = B`` (``left=False``: ``X A = B``), through A's LU; B may be a (batch of) vector(s).
    LinAlgError names a singular matrix."""
    r = linalg_solve_ex(A, B, left=left, check_errors=True, op="torch.linalg.solve").result
    return r if out is None else out.copy_(r)


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """``(result, info)``: info is 0, or the 1-based zero pivot of A's LU (the result is then inf/nan)."""
    return _out_tuple(linalg_solve_ex(A, B, left=left, check_errors=check_errors), out)


def lu_factor(A, *, pivot=True, out=None):
    """``(LU, pivots)`` of ``A = P L U`` (partial pivoting): L below the diagonal (unit diagonal implied), U on
    and above it; pivots 1-based int32 as LAPACK's. RuntimeError when U has a zero on its diagonal."""
    return _out_tuple(linalg_lu_factor(A, pivot=pivot), out)


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """``(LU, pivots, info)``: info is 0, or the 1-based index of U's first zero diagonal element."""
    return _out_tuple(linalg_lu_factor_ex(A, pivot=pivot, check_errors=check_errors), out)


def lu(A, *, pivot=True, out=None):
    """``(P, L, U)`` with ``A = P L U``: P a permutation, L unit lower (m x k), U upper (k x n), k = min(m, n)."""
    return _out_tuple(linalg_lu(A, pivot=pivot), out)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """``X`` with ``A X = B`` from ``lu_factor``'s output (``adjoint``: A^H; ``left=False``: ``X A = B``)."""
    return _out(linalg_lu_solve(LU, pivots, B, left=left, adjoint=adjoint), out)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """``X`` with ``A X = B`` (``left=False``: ``X A = B``) for a triangular A: only its ``upper`` (or lower)
    triangle is read, and not its diagonal when ``unitriangular`` (taken as ones)."""
    return _out(linalg_solve_triangular(A, B, upper=upper, left=left, unitriangular=unitriangular), out)


def matrix_exp(A):
    """``exp(A) = sum_k A^k / k!`` of a square matrix (or a batch of them)."""
    return linalg_matrix_exp(A)


def eig(A, *, out=None):
    """``(eigenvalues, eigenvectors)`` of a square matrix, complex (complex64 for float32); the eigenvectors
    have unit norm. Differentiable for distinct eigenvalues."""
    return _out_tuple(linalg_eig(A), out)


def eigvals(A, *, out=None):
    """Eigenvalues of a square matrix (complex)."""
    return _out(linalg_eigvals(A), out)


def householder_product(A, tau, *, out=None):
    """The first n columns of ``H_1 ... H_k``, ``H_i = I - tau_i v_i v_i^H`` (v_i: A's i-th column below the
    diagonal, with a 1 on it), as ``geqrf`` leaves them."""
    return _out(linalg_householder_product(A, tau), out)


def ldl_factor_ex(A, *, hermitian=False, check_errors=False, out=None):
    """``(LD, pivots, info)``: Bunch-Kaufman ``A = P L D L^T P^T`` of a symmetric A (its lower triangle read)
    in LAPACK sytrf's compact form."""
    return _out_tuple(linalg_ldl_factor_ex(A, hermitian=hermitian, check_errors=check_errors), out)


def ldl_factor(A, *, hermitian=False, out=None):
    """``(LD, pivots)``; an error names a matrix whose D is singular."""
    return _out_tuple(linalg_ldl_factor(A, hermitian=hermitian), out)


def ldl_solve(LD, pivots, B, *, hermitian=False, out=None):
    """``X`` with ``A X = B`` from ``ldl_factor``'s output."""
    return _out(linalg_ldl_solve(LD, pivots, B, hermitian=hermitian), out)


def tensorinv(A, ind=2, *, out=None):
    """The inverse of A for ``tensordot(.., ind)``: A's first ``ind`` dims against the others, whose sizes must
    have the same product; the result has shape ``A.shape[ind:] + A.shape[:ind]``."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = A.shape[:ind], A.shape[ind:]
    if math.prod(rows) != math.prod(cols):
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {math.prod(cols)} != {math.prod(rows)}")
    r = linalg_inv_ex(A.reshape(math.prod(rows), math.prod(cols)), check_errors=True, op="inv").inverse
    return _out(r.reshape(*cols, *rows), out)


def tensorsolve(A, B, dims=None, *, out=None):
    """``X`` with ``tensordot(A, X, X.ndim) = B``; X has shape ``A.shape[B.ndim:]`` (after moving ``dims`` of A
    to the end)."""
    if dims is not None:
        dims = [d % A.ndim for d in dims]
        A = A.movedim(dims, list(range(A.ndim - len(dims), A.ndim)))
    cols, rows = A.shape[B.ndim:], B.numel()
    if math.prod(cols) != rows:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           f"prod(self.shape[:other.ndim]), but got {math.prod(cols)} != {rows}")
    r = solve(A.reshape(rows, math.prod(cols)), B.reshape(-1))
    return _out(r.reshape(*cols), out)


def vander(x, *, N=None):
    """``(..., n, N)``: the increasing powers ``x^0 ... x^(N-1)`` of each element of x (..., n); N defaults
    to n."""
    return linalg_vander(x, N=N)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """``torch.diagonal`` with the last two dims by default (a view)."""
    return A.diagonal(offset, dim1, dim2)


def cross(input, other, *, dim=-1, out=None):
    """Cross product of 3-vectors along ``dim`` (default the last)."""
    return _cross(input, other, dim=dim, out=out)


def multi_dot(tensors, *, out=None):
    """Product of a chain of matrices (first and last may be vectors)."""
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    r = tensors[0]
    for t in tensors[1:]:
        r = matmul(r, t)
    return r if out is None else out.copy_(r)


def vecdot(x, y, *, dim=-1, out=None):
    """Dot product of vectors along ``dim`` (with broadcasting)."""
    if _autocast.on:
        x, y = _autocast.lower("linalg_vecdot", x, y)
    r = (x.conj() * y if x.is_complex() else x * y).sum(dim)
    return r if out is None else out.copy_(r)
