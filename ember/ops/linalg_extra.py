"""Linear algebra beyond the decompositions: LU (``linalg.lu_factor(_ex) lu lu_solve``, ``torch.lu lu_unpack
lu_solve``), solves (``linalg.solve_ex solve_triangular``, ``torch.triangular_solve cholesky_solve
cholesky_inverse``), ``matrix_exp``, ``linalg.eig eigvals``, Householder products (``linalg.householder_product``,
``torch.geqrf orgqr ormqr``), Bunch-Kaufman ``LDL^T`` (``linalg.ldl_factor(_ex) ldl_solve``), ``vander``, the
deprecated ``nuclear_norm frobenius_norm``, ``torch.gradient`` and ``torch.histogramdd``.

NumPy and CuPy have no LU or triangular solve, so both are written here on ``xp`` arrays, vectorised over the
batch: a blocked right-looking LU with partial pivoting (LAPACK getrf's algorithm, so the same 1-based int32
pivots and info) and a blocked substitution. The backward formulas are the standard ones, written with Ember ops
so that a double backward works. Real float32/float64 matrices, as the other decompositions (matrix_exp and the
eigen solver also take complex ones).
"""
import contextlib
import math

import numpy as np

from .. import _dtype as D
from .. import return_types
from ._util import Op, Tensor, _wrap_dim, broadcast_error, is_reduced, tensor_method, xp_of
from .decompositions import (_batch_prefix, _check, _deprecated_once, _dtype_name, _first_failure, _ok, _singular,
                             linalg_matrix_norm)
from .join import cat, stack
from .linalg import _C_NAMES, matmul

__all__ = ["lu", "lu_unpack", "lu_solve", "triangular_solve", "cholesky_solve", "cholesky_inverse", "matrix_exp",
           "geqrf", "orgqr", "ormqr", "vander", "nuclear_norm", "frobenius_norm", "gradient", "histogramdd",
           "lstsq", "matrix_rank", "solve", "eig", "symeig"]

_BLOCK = 32     # panel width of the blocked LU and substitution: the rest of the work is in matmuls


# ---------------------------------------------------------------------------------------------- array kernels
def _quiet(xp):
    """Silence NumPy's float warnings: a singular triangle gives inf/nan, as LAPACK's trsm does."""
    return np.errstate(divide="ignore", invalid="ignore", over="ignore") if xp is np else contextlib.nullcontext()


def _batch(op, sa, sb):
    """The broadcast of two batch shapes, or PyTorch's broadcasting error."""
    try:
        return tuple(np.broadcast_shapes(tuple(sa), tuple(sb)))   # shapes only: no array math here
    except ValueError:
        raise broadcast_error(op, sa, sb) from None


def _trsm(a, b, upper, unit):
    """``X`` with ``a X = b`` for triangular ``a`` (..., n, n) and ``b`` (..., n, k), batches broadcast.

    Only ``a``'s triangle is read (not its diagonal when ``unit``). Forward substitution by blocks of rows:
    a block first takes the product with the rows already solved (one matmul), then is solved row by row."""
    if upper:   # reversing rows and columns turns an upper-triangular system into a lower one
        return _trsm(a[..., ::-1, ::-1], b[..., ::-1, :], False, unit)[..., ::-1, :]
    xp = xp_of(a)
    batch = _batch("triangular solve", a.shape[:-2], b.shape[:-2])
    n = a.shape[-1]
    a = xp.broadcast_to(a, batch + (n, n))
    x = xp.array(xp.broadcast_to(b, batch + b.shape[-2:]), dtype=a.dtype)
    with _quiet(xp):
        for i0 in range(0, n, _BLOCK):
            i1 = min(i0 + _BLOCK, n)
            if i0:
                x[..., i0:i1, :] -= a[..., i0:i1, :i0] @ x[..., :i0, :]
            for i in range(i0, i1):
                if i > i0:
                    x[..., i, :] -= (a[..., i:i + 1, i0:i] @ x[..., i0:i, :])[..., 0, :]
                if not unit:
                    x[..., i, :] /= a[..., i, i, None]
    return x


def _flat(a, core):
    """``a`` with its batch dims (all but the last ``core``) folded into one (empty shapes allowed)."""
    return a.reshape((math.prod(a.shape[:a.ndim - core]),) + a.shape[a.ndim - core:])


def _getrf(a, pivot=True):
    """LU with partial pivoting of ``a`` (..., m, n): ``(LU, pivots, info)`` as LAPACK's getrf gives them.

    ``LU`` holds unit-lower L below the diagonal and U on and above it; ``pivots`` (..., min(m, n)) are 1-based
    int32 (row i was swapped with row pivots[i]); ``info`` is the 1-based index of the first exactly-zero pivot
    (0 when none). Blocked right-looking: a panel of columns is factored column by column, then the rows to
    its right are solved against its L and the trailing matrix updated with one matmul."""
    xp = xp_of(a)
    *batch, m, n = a.shape
    k = min(m, n)
    lu = _flat(a, 2).copy()
    count = lu.shape[0]
    piv = xp.broadcast_to(xp.arange(k), (count, k)).copy()
    info = xp.zeros(count, dtype=xp.int32)
    rows = xp.arange(count)
    with _quiet(xp):
        for j0 in range(0, k if count else 0, _BLOCK):
            j1 = min(j0 + _BLOCK, k)
            for j in range(j0, j1):
                if pivot:   # the largest magnitude in the column (the first one on ties, as LAPACK's i?amax)
                    p = j + xp.argmax(xp.abs(lu[:, j:, j]), axis=1)
                    piv[:, j] = p
                    row = lu[rows, p].copy()
                    lu[rows, p] = lu[:, j]
                    lu[:, j] = row
                d = lu[:, j, j]
                zero = d == 0
                info[(info == 0) & zero] = j + 1
                lu[:, j + 1:, j] /= xp.where(zero, 1, d)[:, None]     # a zero pivot has a zero column below
                lu[:, j + 1:, j + 1:j1] -= lu[:, j + 1:, j, None] * lu[:, j, None, j + 1:j1]
            if j1 < n:
                lu[:, j0:j1, j1:] = _trsm(lu[:, j0:j1, j0:j1], lu[:, j0:j1, j1:], False, True)
                if j1 < m:
                    lu[:, j1:, j1:] -= lu[:, j1:, j0:j1] @ lu[:, j0:j1, j1:]
    return (lu.reshape(a.shape), (piv + 1).astype(xp.int32).reshape(tuple(batch) + (k,)),
            info.reshape(tuple(batch)))


def _perm(piv, m):
    """Row order ``perm`` (..., m) from getrf's pivots: ``A[perm] = L U``."""
    xp = xp_of(piv)
    k = piv.shape[-1]
    flat = _flat(piv, 1).astype(xp.int64) - 1
    perm = xp.broadcast_to(xp.arange(m), (flat.shape[0], m)).copy()
    rows = xp.arange(flat.shape[0])
    for i in range(k):
        swapped = perm[rows, flat[:, i]].copy()
        perm[rows, flat[:, i]] = perm[:, i]
        perm[:, i] = swapped
    return perm.reshape(piv.shape[:-1] + (m,))


def _lu_solve(lu, piv, b, trans="N"):
    """``X`` with ``op(A) X = b`` from A's LU (``A = P L U``); op is A ('N'), A^T ('T') or A^H ('C')."""
    xp = xp_of(lu)
    n = lu.shape[-1]
    batch = _batch("lu_solve", lu.shape[:-2], b.shape[:-2])
    lu = xp.broadcast_to(lu, batch + (n, n))
    b = xp.broadcast_to(b, batch + b.shape[-2:])
    perm = xp.broadcast_to(_perm(piv, n)[..., None], b.shape)
    if trans == "N":    # X = U^-1 L^-1 P^T b
        pb = xp.take_along_axis(b, perm, axis=-2)
        return _trsm(lu, _trsm(lu, pb, False, True), True, False)
    lt = lu.swapaxes(-1, -2)
    if trans == "C" and lu.dtype.kind == "c":
        lt = lt.conj()
    z = _trsm(lt, _trsm(lt, b, False, False), True, True)   # op(A) = op(U) op(L) P^T: X = P L^-op U^-op b
    return xp.take_along_axis(z, xp.argsort(perm, axis=-2), axis=-2)


def _unpack(lu, piv, data=True, pivots=True):
    """``(P, L, U)`` arrays from getrf's output (empty arrays for the parts not asked for)."""
    xp = xp_of(lu)
    m, n = lu.shape[-2:]
    k = min(m, n)
    empty = xp.empty((0,), dtype=lu.dtype)
    P = L = U = empty
    if pivots:
        perm = _perm(piv, m)    # A = P L U with P[perm[i], i] = 1
        P = (xp.arange(m)[:, None] == perm[..., None, :]).astype(lu.dtype)
        P = xp.broadcast_to(P, lu.shape[:-2] + (m, m)).copy()
    if data:
        L = xp.tril(lu[..., :, :k], -1) + xp.eye(m, k, dtype=lu.dtype)
        U = xp.triu(lu[..., :k, :])
    return P, L, U


def _broadcasts_to(shape, target):
    try:
        return tuple(np.broadcast_shapes(shape, target)) == tuple(target)
    except ValueError:
        return False


def _eye(like, m, n=None):
    return Tensor._wrap(xp_of(like._data).eye(m, n, dtype=like._data.dtype))


def _zeros(like, shape):
    return Tensor._wrap(xp_of(like._data).zeros(shape, dtype=like._data.dtype))


# ---------------------------------------------------------------------------------------------- checks
def _check_lu_input(op, A, kernel="lu_cpu", name="torch.lu_factor"):
    """PyTorch's checks of an LU input: at least 2-D (in its getrf wording), then a real float dtype."""
    if A.ndim < 2:
        raise RuntimeError(f"{name}: Expected tensor with 2 or more dimensions. Got size: {list(A.shape)} instead")
    _check(op, A, kernel, ints_to_kernel=True)


def _check_solve_shapes(op, A, B, left):
    """``op: Incompatible shapes of A and B for the equation AX = B (nxn and pxq)``."""
    n = A.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation {eq} ({A.shape[-2]}x{n} and "
                           f"{B.shape[-2]}x{B.shape[-1]})")


def _check_pivots(op, LU, pivots):
    if str(pivots.dtype) != "torch.int32":
        raise RuntimeError(f"{op}: pivots should be a Tensor of scalar type torch.int32 (got {pivots.dtype}; pass "
                           "the pivots that linalg.lu_factor returns)")
    if pivots.shape[-1:] != LU.shape[-1:]:
        raise RuntimeError(f"{op}: Number of pivots per batch should be same as the dimension of the matrix")
    if tuple(pivots.shape) != tuple(LU.shape[:-1]):
        raise RuntimeError(f"{op}: Expected LU.shape[:-1] and pivots.shape to be the same, but got pivots with "
                           f"shape {list(pivots.shape)} instead")


# ---------------------------------------------------------------------------------------------- LU backward
def _solve_tri(A, B, upper, left=True, unit=False):
    return LinalgSolveTriangular.apply(A, B, upper, left, unit)


def _lu_backward(P, L, U, gL, gU):
    """Gradient of A from those of L and U, ``A = P L U`` (A m x n, k = min(m, n)).

    Square: ``gA = P L^-H [tril(L^H gL, -1) + triu(gU U^H)] U^-H``. A wide A = P L [U1 U2] adds U2's
    gradient through ``U2 = L^-1 P^T A2``; a tall one ``P [L1; L2] U`` adds L2's through ``L2 = (P^T A)_2 U^-1``.
    Only the strictly lower part of gL and the upper part of gU count (the others are fixed 1s and 0s)."""
    m, n = L.shape[-2], U.shape[-1]
    if m == n:
        M = matmul(L.mH, gL).tril(-1) + matmul(gU, U.mH).triu()
        inner = _solve_tri(U.mH, M, upper=False, left=False)
        return matmul(P, _solve_tri(L.mH, inner, upper=True, unit=True))
    if m < n:
        U1, U2, gU1, gU2 = U[..., :m], U[..., m:], gU[..., :m], gU[..., m:]
        M = (matmul(L.mH, gL) - matmul(gU2, U2.mH)).tril(-1) + matmul(gU1, U1.mH).triu()
        inner = cat([_solve_tri(U1.mH, M, upper=False, left=False), gU2], -1)
        return matmul(P, _solve_tri(L.mH, inner, upper=True, unit=True))
    L1, L2, gL1, gL2 = L[..., :n, :], L[..., n:, :], gL[..., :n, :], gL[..., n:, :]
    M = matmul(L1.mH, gL1).tril(-1) + (matmul(gU, U.mH) - matmul(L2.mH, gL2)).triu()
    inner = cat([_solve_tri(L1.mH, M, upper=True, unit=True), gL2], -2)
    return matmul(P, _solve_tri(U.mH, inner, upper=False, left=False))


def _lu_tensors(LU, pivots):
    """``(P, L, U)`` as Tensors, L and U differentiable functions of ``LU`` (P a constant)."""
    m, n = LU.shape[-2:]
    k = min(m, n)
    P = Tensor._wrap(_unpack(LU._data, pivots._data, data=False)[0])
    return P, LU[..., :, :k].tril(-1) + _eye(LU, m, k), LU[..., :k, :].triu()


# ---------------------------------------------------------------------------------------------- LU ops
class LinalgLuFactorEx(Op):
    """``(LU, pivots, info)``; the gradient reaches A through L and U (``_lu_backward``)."""

    @staticmethod
    def forward(ctx, a, pivot):
        lu, piv, info = _getrf(a, pivot)
        ctx.save_for_backward(lu, piv.copy())   # a copy: saved outputs come back as differentiable
        return lu, piv, info

    @staticmethod
    def backward(ctx, g, _gpiv, _ginfo):
        LU, piv = ctx.saved_tensors
        k = min(LU.shape[-2:])
        P, L, U = _lu_tensors(LU, piv)
        return _lu_backward(P, L, U, g[..., :, :k].tril(-1), g[..., :k, :].triu())


class LinalgLu(Op):
    """``(P, L, U)`` with ``A = P L U``; P is not differentiable."""

    @staticmethod
    def forward(ctx, a, pivot):
        lu, piv, _ = _getrf(a, pivot)
        P, L, U = _unpack(lu, piv)
        ctx.mark_non_differentiable(P)
        ctx.save_for_backward(P.copy(), L, U)
        return P, L, U

    @staticmethod
    def backward(ctx, _gP, gL, gU):
        P, L, U = ctx.saved_tensors
        return _lu_backward(P, L, U, gL, gU)


class LuUnpack(Op):
    """``(P, L, U)`` from ``(LU, pivots)``; LU's gradient is gL's strictly lower part plus gU's upper part."""

    @staticmethod
    def forward(ctx, lu, piv, data, pivots):
        P, L, U = _unpack(lu, piv, data, pivots)
        ctx.mark_non_differentiable(P)
        ctx.shape, ctx.data = lu.shape, data
        return P, L, U

    @staticmethod
    def backward(ctx, _gP, gL, gU):
        m, n = ctx.shape[-2:]
        k = min(m, n)
        if not ctx.data:    # L and U were left empty
            return Tensor._wrap(xp_of(gL._data).zeros(ctx.shape, dtype=gL._data.dtype))
        gL, gU = gL.tril(-1), gU.triu()
        if m > k:
            gU = cat([gU, _zeros(gU, gU.shape[:-2] + (m - k, n))], -2)
        if n > k:
            gL = cat([gL, _zeros(gL, gL.shape[:-2] + (m, n - k))], -1)
        return gL + gU


def linalg_lu_factor_ex(A, *, pivot=True, check_errors=False, op="torch.linalg.lu_factor_ex"):
    _check_lu_input("linalg.lu_factor_ex", A)
    if not pivot and A.device.type == "cpu":
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    LU, piv, info = LinalgLuFactorEx.apply(A, bool(pivot))
    if check_errors:
        _first_failure(op, A.shape, info._data, lambda k: (
            f"U[{k},{k}] is zero and using it on lu_solve would result in a division by zero. If you still want "
            "to perform the factorization, consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)"))
    return return_types.linalg_lu_factor_ex((LU, piv, info))


def linalg_lu_factor(A, *, pivot=True):
    """``(LU, pivots)``; a RuntimeError names a matrix with a zero pivot (which lu_solve would divide by)."""
    LU, piv, info = linalg_lu_factor_ex(A, pivot=pivot)
    if info._data.size and bool(info._data.any()):
        flat = info._data.reshape(-1)
        i = int(xp_of(flat).argmax(flat != 0))
        k = int(flat[i])
        raise RuntimeError(f"torch.linalg.lu_factor: {_batch_prefix(A.shape, i)}U[{k},{k}] is zero and using it on "
                           "lu_solve would result in a division by zero. If you still want to perform the "
                           "factorization, consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")
    return return_types.linalg_lu_factor((LU, piv))


def linalg_lu(A, *, pivot=True):
    if A.ndim < 2:
        raise RuntimeError(f"linalg.lu: Expected tensor with 2 or more dimensions. Got size: {list(A.shape)} "
                           "instead")
    _check_lu_input("linalg.lu", A)
    if not pivot and A.device.type == "cpu":
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    return return_types.linalg_lu(LinalgLu.apply(A, bool(pivot)))


class LinalgLuSolve(Op):
    """``X`` with ``op(A) X = B`` (``left``) or ``X op(A) = B``, op = identity or adjoint, A = P L U given as
    getrf's output. Backward: gB is the same solve with the adjoint; gA = -gB X^H (and its variants), which
    reaches LU as ``tril(P^T gA U^H, -1) + triu(L^H P^T gA)``."""

    @staticmethod
    def forward(ctx, lu, piv, b, left, adjoint):
        if left:
            x = _lu_solve(lu, piv, b, "C" if adjoint else "N")
        elif adjoint:   # X A^H = B  <=>  conj(A) X^T = B^T, and conj(A) = P conj(L) conj(U)
            x = _lu_solve(lu.conj() if lu.dtype.kind == "c" else lu, piv, b.swapaxes(-1, -2)).swapaxes(-1, -2)
        else:           # X A = B  <=>  A^T X^T = B^T
            x = _lu_solve(lu, piv, b.swapaxes(-1, -2), "T").swapaxes(-1, -2)
        ctx.left, ctx.adjoint = left, adjoint
        ctx.save_for_backward(lu, piv, x)
        return x

    @staticmethod
    def backward(ctx, g):
        LU, piv, X = ctx.saved_tensors
        left, adjoint = ctx.left, ctx.adjoint
        gB = LinalgLuSolve.apply(LU, piv, g, left, not adjoint)
        if not ctx.needs_input_grad[0]:
            return None, None, gB
        if left:
            gA = -matmul(X, gB.mH) if adjoint else -matmul(gB, X.mH)
        else:
            gA = -matmul(gB.mH, X) if adjoint else -matmul(X.mH, gB)
        P, L, U = _lu_tensors(LU, piv)
        PtgA = matmul(P.mT, gA)
        return matmul(PtgA, U.mH).tril(-1) + matmul(L.mH, PtgA).triu(), None, gB


def linalg_lu_solve(LU, pivots, B, *, left=True, adjoint=False):
    op = "linalg.lu_solve"
    if LU.dtype != B.dtype:
        raise RuntimeError(f"{op}: Expected LU and B to have the same dtype, but found LU of type "
                           f"{_dtype_name(LU)} and B of type {_dtype_name(B)} instead")
    if B.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor B must have at least 2 dimensions.")
    if LU.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor LU must have at least 2 dimensions.")
    if LU.shape[-1] != LU.shape[-2]:
        raise RuntimeError(f"torch.linalg.lu_solve: A must be batches of square matrices, but they are "
                           f"{LU.shape[-2]} by {LU.shape[-1]} matrices")
    _check_solve_shapes(op, LU, B, left)
    _check_pivots(op, LU, pivots)
    if not (LU.is_floating_point() or LU.is_complex()):
        raise RuntimeError(f"torch.linalg.lu_solve: Expected a floating point or complex tensor as input. Got "
                           f"{_dtype_name(LU)}")
    _check(op, LU, "linalg.lu_solve_cpu")
    return LinalgLuSolve.apply(LU, pivots, B, bool(left), bool(adjoint))


@tensor_method("lu")
def lu(A, pivot=True, get_infos=False, out=None):
    """Deprecated ``torch.lu``: ``(LU, pivots)``, or ``(LU, pivots, infos)`` with ``get_infos``; never raises
    for a singular matrix (its info says which pivot is zero)."""
    _deprecated_once("lu", (
        "torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and will be removed "
        "in a future PyTorch release.\nLU, pivots = torch.lu(A, compute_pivots)\nshould be replaced with\n"
        "LU, pivots = torch.linalg.lu_factor(A, compute_pivots)\nand\n"
        "LU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)\nshould be replaced with\n"
        "LU, pivots, info = torch.linalg.lu_factor_ex(A, compute_pivots)"))
    LU, piv, info = linalg_lu_factor_ex(A, pivot=pivot)
    r = return_types._lu_with_info((LU, piv, info)) if get_infos else (LU, piv)
    return _out_tuple(r, out)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """``(P, L, U)`` from ``torch.linalg.lu_factor``'s ``(LU, pivots)``; the parts not asked for are empty."""
    if LU_data.ndim < 2:
        raise RuntimeError(f"torch.lu_unpack: Expected tensor with 2 or more dimensions. Got size: "
                           f"{list(LU_data.shape)} instead")
    if unpack_pivots:
        if str(LU_pivots.dtype) != "torch.int32":
            raise RuntimeError("torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 "
                               "dtype.\nNote: this function is intended to be used with the output produced by "
                               "torch.linalg.lu_factor")
        m, n = LU_data.shape[-2:]
        p = LU_pivots._data
        expected = tuple(LU_data.shape[:-2]) + (min(m, n),)
        # pivots may have fewer batch dims than LU (they broadcast), not more
        fits = LU_pivots.ndim >= 1 and _broadcasts_to(tuple(LU_pivots.shape), expected)
        if not fits or (p.size and (int(p.min()) < 1 or int(p.max()) > m)):
            raise RuntimeError(f"pivots passed to lu_unpack must be between 1 and LU.size(-2) inclusive.Did you "
                               f"properly pass the result of lu_factor? (got pivots of shape {list(LU_pivots.shape)} "
                               f"for LU of shape {list(LU_data.shape)}; expected {list(expected)})")
    return _out_tuple(return_types.lu_unpack(LuUnpack.apply(LU_data, LU_pivots, bool(unpack_data),
                                                            bool(unpack_pivots))), out)


@tensor_method("lu_solve")
def lu_solve(b, LU_data, LU_pivots, *, out=None):
    """Deprecated ``torch.lu_solve(b, LU, pivots)``: ``linalg.lu_solve(LU, pivots, b)`` (note the order)."""
    _deprecated_once("lu_solve", (
        "torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in a future PyTorch "
        "release.\nNote that torch.linalg.lu_solve has its arguments reversed.\nX = torch.lu_solve(B, LU, pivots)\n"
        "should be replaced with\nX = torch.linalg.lu_solve(LU, pivots, B)"))
    r = linalg_lu_solve(LU_data, LU_pivots, b)
    return r if out is None else out.copy_(r)


def _out_tuple(result, out):
    if out is None:
        return result
    for o, r in zip(out, result):
        if o.shape == r.shape:
            o.copy_(r)
        else:
            _resize_into(o, r)
    return type(result)(out) if isinstance(result, return_types._StructSeq) else tuple(out)


def _resize_into(o, r):
    o._data = r._data.astype(o._data.dtype, copy=True)
    o._version[0] += 1


# ---------------------------------------------------------------------------------------------- triangular
class LinalgSolveTriangular(Op):
    """``X`` with ``A X = B`` (``left``) or ``X A = B``, reading only A's triangle (and not its diagonal when
    ``unitriangular``). Backward: ``gB = solve(A^H, g)``, ``gA = -gB X^H`` (left) or ``-X^H gB``, kept to A's
    triangle."""

    @staticmethod
    def forward(ctx, a, b, upper, left, unit):
        if left:
            x = _trsm(a, b, upper, unit)
        else:   # X A = B  <=>  A^T X^T = B^T, and A^T's triangle is the other one
            x = _trsm(a.swapaxes(-1, -2), b.swapaxes(-1, -2), not upper, unit).swapaxes(-1, -2)
        ctx.flags = upper, left, unit
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, g):
        A, X = ctx.saved_tensors
        upper, left, unit = ctx.flags
        gB = LinalgSolveTriangular.apply(A.mH, g, not upper, left, unit)
        gA = None
        if ctx.needs_input_grad[0]:
            gA = -matmul(gB, X.mH) if left else -matmul(X.mH, gB)
            gA = gA.triu(int(unit)) if upper else gA.tril(-int(unit))
        return gA, gB


def linalg_solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    op = "linalg.solve_triangular"
    for name, t in (("A", A), ("B", B)):
        if t.ndim < 2:
            raise RuntimeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")
    _check(op, A, "triangular_solve_cpu", square=True, ints_to_kernel=True)
    _check_solve_shapes(op, A, B, left)
    _batch(op, A.shape[:-2], B.shape[:-2])
    if B.dtype != A.dtype:  # PyTorch solves in A's dtype
        B = B.to(A.dtype)
    return LinalgSolveTriangular.apply(A, B, bool(upper), bool(left), bool(unitriangular))


@tensor_method("triangular_solve")
def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """``(solution, cloned_coefficient)``: ``X`` with ``op(A) X = b`` (op transposes when ``transpose``) and a
    copy of A broadcast to the batch. Note the order (b first) and that ``upper`` defaults to True. Deprecated."""
    _deprecated_once("triangular_solve", (
        "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangularand will be removed in a "
        "future PyTorch release.\ntorch.linalg.solve_triangular has its arguments reversed and does not return a "
        "copy of one of the inputs.\nX = torch.triangular_solve(B, A).solution\nshould be replaced with\n"
        "X = torch.linalg.solve_triangular(A, B)."))
    if b.ndim < 2:
        raise RuntimeError(f"torch.triangular_solve: Expected b to have at least 2 dimensions, but it has {b.ndim} "
                           "dimensions instead")
    if A.ndim < 2:
        raise RuntimeError(f"torch.triangular_solve: Expected A to have at least 2 dimensions, but it has {A.ndim} "
                           "dimensions instead")
    _check_b_and_A("triangular_solve", "triangular_solve_cpu", b, A)
    batch = _batch("triangular_solve", A.shape[:-2], b.shape[:-2])
    x = LinalgSolveTriangular.apply(A.mT if transpose else A, b, bool(upper) != bool(transpose), True,
                                    bool(unitriangular))
    r = return_types.triangular_solve((x, A.expand(*batch, *A.shape[-2:]).clone()))
    return _out_tuple(r, out)


def _check_b_and_A(op, kernel, b, A):
    """The checks torch.triangular_solve and cholesky_solve share, in their words."""
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"A must be batches of square matrices, but they are {A.shape[-2]} by {A.shape[-1]} "
                           "matrices")
    if A.shape[-1] != b.shape[-2]:
        raise RuntimeError(f"Incompatible matrix sizes for {op}: each A matrix is {A.shape[-2]} by {A.shape[-1]} "
                           f"but each b matrix is {b.shape[-2]} by {b.shape[-1]}")
    if b.dtype != A.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type {_dtype_name(b)} and A of "
                           f"type {_dtype_name(A)} instead.")
    _check(op, A, kernel, ints_to_kernel=True)


# ---------------------------------------------------------------------------------------------- cholesky solves
class CholeskySolve(Op):
    """``X`` with ``A X = B``, ``A = L L^H`` (``U^H U`` when ``upper``). Backward: ``gB = cholesky_solve(g)``;
    with ``C = gB X^H + X gB^H``, ``gL = -C L`` (``gU = -U C``)."""

    @staticmethod
    def forward(ctx, b, l, upper):
        lh = l.swapaxes(-1, -2).conj() if l.dtype.kind == "c" else l.swapaxes(-1, -2)
        lower, upper_f = (lh, l) if upper else (l, lh)
        x = _trsm(upper_f, _trsm(lower, b, False, False), True, False)
        ctx.upper = upper
        ctx.save_for_backward(l, x)
        return x

    @staticmethod
    def backward(ctx, g):
        L, X = ctx.saved_tensors
        gB = CholeskySolve.apply(g, L, ctx.upper)
        gL = None
        if ctx.needs_input_grad[1]:
            C = matmul(gB, X.mH)
            C = C + C.mH
            gL = -matmul(L, C) if ctx.upper else -matmul(C, L)
        return gB, gL


@tensor_method("cholesky_solve")
def cholesky_solve(B, L, upper=False, *, out=None):
    """``X`` with ``A X = B`` from A's Cholesky factor ``L`` (``A = L L^T``; ``upper``: ``A = U^T U``)."""
    if B.ndim < 2:
        raise RuntimeError(f"b should have at least 2 dimensions, but has {B.ndim} dimensions instead")
    if L.ndim < 2:
        raise RuntimeError(f"u should have at least 2 dimensions, but has {L.ndim} dimensions instead")
    _check_b_and_A("cholesky_solve", "cholesky_solve_cpu", B, L)
    _batch("cholesky_solve", L.shape[:-2], B.shape[:-2])
    r = CholeskySolve.apply(B, L, bool(upper))
    return r if out is None else out.copy_(r)


class CholeskyInverse(Op):
    """``A^-1`` from A's Cholesky factor. Backward: with ``C = Y (g + g^H) Y`` (Y the result), ``gL = -C L``
    (``gU = -U C``)."""

    @staticmethod
    def forward(ctx, l, upper):
        xp = xp_of(l)
        eye = xp.eye(l.shape[-1], dtype=l.dtype)
        inv = _trsm(l, eye, upper, False)
        inv_h = inv.swapaxes(-1, -2).conj() if inv.dtype.kind == "c" else inv.swapaxes(-1, -2)
        y = inv @ inv_h if upper else inv_h @ inv     # U^-1 U^-H, or L^-H L^-1
        ctx.upper = upper
        ctx.save_for_backward(l, y)
        return y

    @staticmethod
    def backward(ctx, g):
        L, Y = ctx.saved_tensors
        C = matmul(matmul(Y, g + g.mH), Y)
        return -matmul(L, C) if ctx.upper else -matmul(C, L)


@tensor_method("cholesky_inverse")
def cholesky_inverse(L, upper=False, *, out=None):
    """Inverse of ``A = L L^T`` (``upper``: ``U^T U``) from its Cholesky factor; LinAlgError for a zero
    diagonal element (the factor of a singular matrix)."""
    op = "cholesky_inverse"
    _check(op, L, "cholesky_inverse_out_cpu", square=True, ints_to_kernel=True)
    d = xp_of(L._data).diagonal(L._data, 0, -2, -1)
    if d.size and bool((d == 0).any()):
        zero = d == 0
        info = xp_of(d).where(zero.any(-1), zero.argmax(-1) + 1, 0)
        _first_failure(op, L.shape, info, _singular)
    r = CholeskyInverse.apply(L, bool(upper))
    return r if out is None else out.copy_(r)


# ---------------------------------------------------------------------------------------------- solve
class LinalgSolveEx(Op):
    """``(X, info)`` with ``A X = B`` (``left``) or ``X A = B``, through A's LU. Backward:
    ``gB = solve(A^H, g)`` and ``gA = -gB X^H`` (left) or ``-X^H gB``. Complex matrices work too (eig's
    backward uses this)."""

    @staticmethod
    def forward(ctx, a, b, left):
        xp = xp_of(a)
        # X A = B  <=>  A^T X^T = B^T
        at, bt = (a, b) if left else (a.swapaxes(-1, -2), b.swapaxes(-1, -2))
        x = _ok(lambda m: xp.linalg.solve(m, bt), at)     # LAPACK's gesv when no matrix is singular
        if x is None:   # Ember's LU gives the info (and the inf/nan results) of the singular ones
            lu, piv, info = _getrf(at)
            x = _lu_solve(lu, piv, bt)
        else:
            info = xp.zeros(a.shape[:-2], dtype=xp.int32)
        x = x if left else x.swapaxes(-1, -2)
        ctx.left = left
        ctx.save_for_backward(a, x)
        return x, info

    @staticmethod
    def backward(ctx, g, _ginfo):
        A, X = ctx.saved_tensors
        gB = LinalgSolveEx.apply(A.mH, g, ctx.left)[0]
        gA = None
        if ctx.needs_input_grad[0]:
            gA = -matmul(gB, X.mH) if ctx.left else -matmul(X.mH, gB)
        return gA, gB


def linalg_solve_ex(A, B, *, left=True, check_errors=False, op="torch.linalg.solve_ex"):
    """``(result, info)``: B is a batch of vectors when it is 1-D or has A's shape without its last dim."""
    name = "linalg.solve"
    if A.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if A.dtype != B.dtype:
        raise RuntimeError(f"{name}: Expected A and B to have the same dtype, but found A of type {_dtype_name(A)} "
                           f"and B of type {_dtype_name(B)} instead")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are {A.shape[-2]} by "
                           f"{A.shape[-1]} matrices")
    _check(name, A, "lu_cpu")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    Bm = B.unsqueeze(-1) if vector else B
    _check_solve_shapes(name, A, Bm, left)
    _batch(name, A.shape[:-2], Bm.shape[:-2])
    X, info = LinalgSolveEx.apply(A, Bm, bool(left))
    if check_errors:
        _first_failure(op, A.shape, info._data, lambda k: "The solver failed because the input matrix is singular.")
    return return_types.linalg_solve_ex((X.squeeze(-1) if vector else X, info))


# ---------------------------------------------------------------------------------------------- matrix_exp
# Higham (2005), "The scaling and squaring method for the matrix exponential revisited": the [13/13] Pade
# approximant is exact to double precision for ||A||_1 <= theta_13; a larger A is scaled by 2^-s and the
# result squared s times (s per matrix of the batch).
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0, 129060195264000.0,
           10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0,
           1.0)
_THETA13 = 5.371920351148152


def _expm(a):
    """``exp(a)`` of square matrices (..., n, n), computed in double precision and rounded to a's dtype."""
    xp = xp_of(a)
    dt = a.dtype
    if a.size == 0:
        return a.copy()
    w = a.astype(xp.complex128 if dt.kind == "c" else xp.float64)
    norm = xp.abs(w).sum(-2).max(-1)
    with _quiet(xp):
        s = xp.ceil(xp.log2(norm / _THETA13))
    s = xp.where(xp.isfinite(s) & (s > 0), s, 0).astype(xp.int64)
    w = w / (2.0 ** s)[..., None, None]
    b = _PADE13
    eye = xp.eye(w.shape[-1], dtype=w.dtype)
    w2 = w @ w
    w4 = w2 @ w2
    w6 = w4 @ w2
    u = w @ (w6 @ (b[13] * w6 + b[11] * w4 + b[9] * w2) + b[7] * w6 + b[5] * w4 + b[3] * w2 + b[1] * eye)
    v = w6 @ (b[12] * w6 + b[10] * w4 + b[8] * w2) + b[6] * w6 + b[4] * w4 + b[2] * w2 + b[0] * eye
    with _quiet(xp):
        r = xp.linalg.solve(v - u, v + u)
        for i in range(int(s.max())):
            r = xp.where((s > i)[..., None, None], r @ r, r)
    return r.astype(dt)


class LinalgMatrixExp(Op):
    """``exp(A)``. Backward: the Frechet derivative of exp at A^H in the direction g, the top-right block of
    ``exp([[A^H, g], [0, A^H]])`` (so a double backward works the same way)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _expm(a)

    @staticmethod
    def backward(ctx, g):
        A, = ctx.saved_tensors
        n = A.shape[-1]
        Ah = A.mH
        top = cat([Ah, g], -1)
        block = cat([top, cat([_zeros(Ah, Ah.shape), Ah], -1)], -2)
        return LinalgMatrixExp.apply(block)[..., :n, n:]


def linalg_matrix_exp(A):
    op = "linalg.matrix_exp"
    if A.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{op}: A must be batches of square matrices, but they are {A.shape[-2]} by "
                           f"{A.shape[-1]} matrices")
    if not (A.is_floating_point() or A.is_complex()):
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got {_dtype_name(A)}")
    return LinalgMatrixExp.apply(A)


@tensor_method("matrix_exp")
def matrix_exp(A):
    """``exp(A)`` of a square matrix (or a batch of them): ``sum_k A^k / k!``."""
    return linalg_matrix_exp(A)


# ---------------------------------------------------------------------------------------------- eig
def _eig(a, vectors):
    """LAPACK geev through ``xp.linalg`` (on the host when CuPy has no general eigensolver), as complex arrays:
    eigenvectors of unit norm with their largest component real, as PyTorch's."""
    xp = xp_of(a)
    name = "eig" if vectors else "eigvals"
    fn = getattr(xp.linalg, name, None)
    if fn is None:
        r = getattr(np.linalg, name)(xp.asnumpy(a))
        r = tuple(xp.asarray(x) for x in r) if vectors else xp.asarray(r)
    else:
        r = fn(a)
    cdt = xp.complex64 if a.dtype in (xp.float32, xp.complex64) else xp.complex128
    return tuple(x.astype(cdt) for x in r) if vectors else r.astype(cdt)


class LinalgEig(Op):
    """Eigenvalues and eigenvectors of a general square matrix (complex). Backward (distinct eigenvalues)::

        gA = V^-H (diag(gL) + (V^H gV - V^H V diag(re(diag(V^H gV)))) / conj(E)) V^H,  E_ij = L_j - L_i

    the middle term removing what depends on the eigenvectors' normalisation; a real A gets gA's real part.
    A loss that depends on the eigenvectors' phases is ill-defined and refused, as PyTorch does."""

    @staticmethod
    def forward(ctx, a):
        L, V = _eig(a, True)
        ctx.real = a.dtype.kind != "c"
        ctx.save_for_backward(L, V)
        return L, V

    @staticmethod
    def backward(ctx, gL, gV):
        L, V = ctx.saved_tensors
        Vh = V.mH
        VhgV = matmul(Vh, gV)
        d = VhgV.diagonal(0, -2, -1)
        if not bool(xp_of(d._data).allclose(d._data.imag, 0, rtol=1e-2, atol=1e-2)):
            raise RuntimeError("linalg_eig_backward: The eigenvectors in the complex case are specified up to "
                               "multiplication by e^{i phi}. The specified loss function depends on this quantity, "
                               "so it is ill-defined.")
        VhgV = VhgV - matmul(Vh, V * d.real.unsqueeze(-2))
        Lc = L.conj()
        E = Lc.unsqueeze(-2) - Lc.unsqueeze(-1) + _eye(L.real, L.shape[-1])
        gA = LinalgSolveEx.apply(Vh, matmul(VhgV / E + gL.diag_embed(), Vh), True)[0]
        return gA.real if ctx.real else gA


def _check_eig(op, A):
    if A.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{op}: A must be batches of square matrices, but they are {A.shape[-2]} by "
                           f"{A.shape[-1]} matrices")
    name = _dtype_name(A)
    if not (A.is_floating_point() or A.is_complex()):
        raise RuntimeError(f"Unknown Complex ScalarType for {name} ({op} takes float or complex matrices: convert "
                           "with .float())")
    if is_reduced(A._data.dtype):
        raise NotImplementedError(f"\"linalg_eig_out_cpu\" not implemented for '{name}'")
    if not bool(xp_of(A._data).isfinite(A._data).all()):
        raise RuntimeError("torch.linalg.eig: input tensor should not contain infs or NaNs.")


def linalg_eig(A):
    _check_eig("linalg.eig", A)
    return return_types.linalg_eig(LinalgEig.apply(A))


def linalg_eigvals(A):
    _check_eig("linalg.eigvals", A)
    if A.requires_grad:     # the gradient needs the eigenvectors
        return LinalgEig.apply(A)[0]
    return Tensor._wrap(_eig(A._data, False))


# ---------------------------------------------------------------------------------------------- Householder
def _reflectors(A, k):
    """The Householder vectors ``v_i`` as the columns of an (..., m, k) Tensor: 1 at i, A's column below."""
    return A[..., :, :k].tril(-1) + _eye(A, A.shape[-2], k)


def _reflect(C, v, tau, left):
    """``H C`` (``left``) or ``C H`` for ``H = I - tau v v^H``; v (..., m, 1), tau (..., 1, 1)."""
    if left:
        return C - matmul(tau * v, matmul(v.mH, C))
    return C - matmul(matmul(C, v), tau * v.mH)


def _check_householder(op, A, tau):
    if A.ndim < 2:
        raise RuntimeError(f"{op}: input must have at least 2 dimensions.")
    if tau.ndim != A.ndim - 1:
        raise RuntimeError(f"{op}: Expected tau to have one dimension less than input, but got tau.ndim equal to "
                           f"{tau.ndim} and input.ndim is equal to {A.ndim}")
    if tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise RuntimeError(f"{op}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got "
                           f"{list(tau.shape[:-1])}")


def linalg_householder_product(A, tau):
    """``Q = H_1 ... H_k`` restricted to its first n columns (A is m x n, k = tau's length), with
    ``H_i = I - tau_i v_i v_i^H``, v_i from A's i-th column below the diagonal. Composed of Ember ops, so its
    gradient is that of the same function."""
    op = "torch.linalg.householder_product"
    _check_householder(op, A, tau)
    m, n = A.shape[-2:]
    if m < n:
        raise RuntimeError(f"{op}: input.shape[-2] must be greater than or equal to input.shape[-1]")
    if n < tau.shape[-1]:
        raise RuntimeError(f"{op}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    if tau.dtype != A.dtype:
        raise RuntimeError(f"{op}: tau dtype {_dtype_name(tau)} does not match input dtype {_dtype_name(A)}")
    _check(op, A, "orgqr_cpu", ints_to_kernel=True)
    k = tau.shape[-1]
    V = _reflectors(A, k)
    Q = _eye(A, m, n).expand(*A.shape[:-2], m, n)
    for i in reversed(range(k)):    # H_1 (H_2 (... (H_k I)))
        Q = _reflect(Q, V[..., :, i:i + 1], tau[..., i, None, None], True)
    return Q if k else _on_graph(Q, A)


def _on_graph(r, A):
    """``r`` (which does not depend on A) plus a zero that does: the result of an op with no reflectors is
    still A's function, with a zero gradient, as in PyTorch. (A sum over no elements: no nan comes through.)"""
    return r + A[..., :0, :0].sum((-2, -1), keepdim=True)


@tensor_method("orgqr")
def orgqr(input, tau):
    """``torch.orgqr``: ``linalg.householder_product``."""
    return linalg_householder_product(input, tau)


@tensor_method("ormqr")
def ormqr(input, tau, other, left=True, transpose=False, *, out=None):
    """``Q other`` (``left``) or ``other Q`` (Q^T when ``transpose``), Q = H_1 ... H_k the m x m product of the
    reflectors that ``geqrf`` stores in ``(input, tau)``."""
    op = "torch.ormqr"
    if input.ndim < 2:
        raise RuntimeError(f"{op}: input must have at least 2 dimensions.")
    if other.ndim < 2:
        raise RuntimeError(f"{op}: other must have at least 2 dimensions.")
    side = -2 if left else -1
    if tau.ndim != input.ndim - 1:
        _check_householder(op, input, tau)
    if other.shape[side] != input.shape[-2]:
        raise RuntimeError(f"{op}: other.shape[{side}] must be equal to input.shape[-2]")
    if tau.shape[-1] != min(other.shape[side], input.shape[-1]):
        raise RuntimeError(f"{op}: tau.shape[-1] must be equal to min(other.shape[{side}], input.shape[-1])")
    _check_householder(op, input, tau)
    if other.ndim != input.ndim:
        raise RuntimeError(f"{op}: Expected other to have the same number of dimensions as input, but got "
                           f"other.ndim equal to {other.ndim} and input.ndim is equal to {input.ndim}")
    if tuple(other.shape[:-2]) != tuple(input.shape[:-2]):
        raise RuntimeError(f"{op}: Expected batch dimensions of other to be equal to input.shape[:-2], but got "
                           f"{list(other.shape[:-2])}")
    for name, t in (("tau", tau), ("other", other)):
        if t.dtype != input.dtype:
            raise RuntimeError(f"{op}: Expected input and {name} to have the same dtype, but input has dtype"
                               f"{_dtype_name(input)} and {name} has dtype {_dtype_name(t)}")
    _check(op, input, "ormqr_cpu", ints_to_kernel=True)
    k = tau.shape[-1]
    V = _reflectors(input, k)
    # Q C = H_1 (... (H_k C)) and C Q^T = (C H_k) ... H_1 start from the last reflector; the others from the first
    order = range(k) if bool(left) == bool(transpose) else reversed(range(k))
    C = other
    for i in order:
        C = _reflect(C, V[..., :, i:i + 1], tau[..., i, None, None], left)
    r = C if k else _on_graph(C, input)
    return r if out is None else out.copy_(r)


class Geqrf(Op):
    """LAPACK geqrf: R on and above the diagonal, the Householder vectors below it, and their ``tau``.
    PyTorch has no derivative for it, and neither has Ember (backward raises PyTorch's error)."""

    @staticmethod
    def forward(ctx, a):
        xp = xp_of(a)
        m, n = a.shape[-2:]
        flat = _flat(a, 2)
        out = xp.empty_like(flat)
        tau = xp.empty((flat.shape[0], min(m, n)), dtype=a.dtype)
        for i in range(flat.shape[0]):     # mode 'raw' is LAPACK's output, transposed (Fortran order)
            h, t = xp.linalg.qr(flat[i], mode="raw")
            out[i], tau[i] = h.T, t
        return out.reshape(a.shape), tau.reshape(a.shape[:-2] + (min(m, n),))

    @staticmethod
    def backward(ctx, ga, gtau):
        raise NotImplementedError("the derivative for 'geqrf' is not implemented.")


@tensor_method("geqrf")
def geqrf(input, *, out=None):
    """``(a, tau)``: the QR decomposition in LAPACK's compact form (see ``householder_product``, ``ormqr``)."""
    if input.ndim < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    _check("torch.geqrf", input, "geqrf_cpu", ints_to_kernel=True)
    return _out_tuple(return_types.geqrf(Geqrf.apply(input)), out)


# ---------------------------------------------------------------------------------------------- LDL^T
_BK_ALPHA = (1 + math.sqrt(17)) / 8     # Bunch-Kaufman's threshold: it bounds the growth of D's entries


def _sytf2(a):
    """Bunch-Kaufman ``A = P L D L^T P^T`` of one symmetric matrix from its lower triangle (LAPACK sytf2, uplo
    'L'): ``(LD, pivots, info)``, D of 1x1 and 2x2 blocks. ``pivots[k] > 0``: a 1x1 block, rows k and pivots[k]
    swapped; equal negative ``pivots[k] = pivots[k+1]``: a 2x2 block, row k+1 swapped with -pivots[k]
    (1-based). info is the first zero 1x1 block (D singular), 0 when none."""
    xp = xp_of(a)
    a = xp.tril(a)              # only the lower triangle is read; the update writes the whole trailing block
    n = a.shape[0]
    piv = [0] * n
    info, k = 0, 0
    with _quiet(xp):
        while k < n:
            step = 1
            absakk = abs(float(a[k, k]))
            imax, colmax = k, 0.0
            if k + 1 < n:
                imax = k + 1 + int(xp.argmax(xp.abs(a[k + 1:, k])))
                colmax = abs(float(a[imax, k]))
            if max(absakk, colmax) == 0 or math.isnan(absakk):
                info = info or k + 1    # a zero column: nothing to eliminate
                kp = k
            else:
                kp = k
                if absakk < _BK_ALPHA * colmax:
                    rowmax = float(xp.abs(a[imax, k:imax]).max())      # row imax left of the diagonal
                    if imax + 1 < n:
                        rowmax = max(rowmax, float(xp.abs(a[imax + 1:, imax]).max()))
                    if absakk >= _BK_ALPHA * colmax * (colmax / rowmax):
                        kp = k
                    elif abs(float(a[imax, imax])) >= _BK_ALPHA * rowmax:
                        kp = imax
                    else:
                        kp, step = imax, 2
                kk = k + step - 1
                if kp != kk:            # swap rows and columns kk and kp of the trailing lower triangle
                    a[kp + 1:, [kk, kp]] = a[kp + 1:, [kp, kk]]
                    between = a[kk + 1:kp, kk].copy()
                    a[kk + 1:kp, kk] = a[kp, kk + 1:kp]
                    a[kp, kk + 1:kp] = between
                    a[[kk, kp], [kk, kp]] = a[[kp, kk], [kp, kk]]
                    if step == 2:
                        a[[k + 1, kp], k] = a[[kp, k + 1], k]
                if step == 1 and k + 1 < n:
                    x = a[k + 1:, k].copy()
                    a[k + 1:, k + 1:] -= xp.outer(x, x) / a[k, k]
                    a[k + 1:, k] = x / a[k, k]
                elif step == 2 and k + 2 < n:   # the 2x2 block's inverse applied to its two columns
                    d21 = a[k + 1, k]
                    d11 = a[k + 1, k + 1] / d21
                    d22 = a[k, k] / d21
                    d21 = 1 / (d11 * d22 - 1) / d21
                    c0, c1 = a[k + 2:, k].copy(), a[k + 2:, k + 1].copy()
                    w0, w1 = d21 * (d11 * c0 - c1), d21 * (d22 * c1 - c0)
                    a[k + 2:, k + 2:] -= xp.outer(c0, w0) + xp.outer(c1, w1)
                    a[k + 2:, k], a[k + 2:, k + 1] = w0, w1
            piv[k:k + step] = [kp + 1 if step == 1 else -(kp + 1)] * step
            k += step
    return xp.tril(a), xp.asarray(piv, dtype=xp.int32), info


def _sytrs(ld, piv, b):
    """``X`` with ``A X = b`` from ``_sytf2``'s output (LAPACK sytrs, uplo 'L'): L D L^T solved in turn."""
    xp = xp_of(ld)
    b = b.copy()
    n = ld.shape[0]
    p = [int(v) for v in piv]
    k = 0
    with _quiet(xp):
        while k < n:                    # L D y = b, with the interchanges
            if p[k] > 0:
                kp = p[k] - 1
                b[[k, kp]] = b[[kp, k]]
                b[k + 1:] -= xp.outer(ld[k + 1:, k], b[k])
                b[k] /= ld[k, k]
                k += 1
            else:
                kp = -p[k] - 1
                b[[k + 1, kp]] = b[[kp, k + 1]]
                b[k + 2:] -= xp.outer(ld[k + 2:, k], b[k]) + xp.outer(ld[k + 2:, k + 1], b[k + 1])
                d21 = ld[k + 1, k]
                d11, d22 = ld[k, k] / d21, ld[k + 1, k + 1] / d21
                denom = d11 * d22 - 1
                b0, b1 = b[k] / d21, b[k + 1] / d21
                b[k], b[k + 1] = (d22 * b0 - b1) / denom, (d11 * b1 - b0) / denom
                k += 2
        k = n - 1
        while k >= 0:                   # L^T x = y, undoing the interchanges
            if p[k] > 0:
                b[k] -= ld[k + 1:, k] @ b[k + 1:]
                kp = p[k] - 1
                b[[k, kp]] = b[[kp, k]]
                k -= 1
            else:
                b[k] -= ld[k + 1:, k] @ b[k + 1:]
                b[k - 1] -= ld[k + 1:, k - 1] @ b[k + 1:]
                kp = -p[k] - 1
                b[[k, kp]] = b[[kp, k]]
                k -= 2
    return b


class LinalgLdlFactorEx(Op):
    """Bunch-Kaufman LDL^T of each matrix of the batch (one matrix at a time: the pivots differ).
    PyTorch has no derivative for it; neither has Ember (backward raises PyTorch's error)."""

    @staticmethod
    def forward(ctx, a):
        xp = xp_of(a)
        n = a.shape[-1]
        flat = _flat(a, 2)
        ld, piv = xp.empty_like(flat), xp.empty(flat.shape[:2], dtype=xp.int32)
        info = xp.zeros(flat.shape[0], dtype=xp.int32)
        for i in range(flat.shape[0]):
            ld[i], piv[i], info[i] = _sytf2(flat[i])
        return ld.reshape(a.shape), piv.reshape(a.shape[:-1]), info.reshape(a.shape[:-2])

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError("derivative for aten::linalg_ldl_factor_ex is not implemented")


def linalg_ldl_factor_ex(A, *, hermitian=False, check_errors=False, op="torch.linalg.ldl_factor_ex"):
    """``(LD, pivots, info)`` (real matrices: ``hermitian`` changes nothing)."""
    name = "torch.linalg.ldl_factor_ex"
    _check(name, A, "linalg_ldl_factor_ex_cpu", square=True)
    LD, piv, info = LinalgLdlFactorEx.apply(A)
    if check_errors:
        _first_failure(op, A.shape, info._data, lambda k: (
            f"The factorization could not be completed because the block diagonal matrix D is singular: D[{k},{k}] "
            "is exactly zero (torch.linalg.ldl_factor_ex with check_errors=False gives the factors and info)"))
    return return_types.linalg_ldl_factor_ex((LD, piv, info))


def linalg_ldl_factor(A, *, hermitian=False):
    LD, piv, _ = linalg_ldl_factor_ex(A, hermitian=hermitian, check_errors=True, op="torch.linalg.ldl_factor")
    return return_types.linalg_ldl_factor((LD, piv))


class LinalgLdlSolve(Op):
    """``X`` with ``A X = B`` from A's LDL^T; no derivative, as in PyTorch."""

    @staticmethod
    def forward(ctx, ld, piv, b):
        xp = xp_of(ld)
        n = ld.shape[-1]
        batch = _batch("torch.linalg.ldl_solve", ld.shape[:-2], b.shape[:-2])
        ld = _flat(xp.broadcast_to(ld, batch + (n, n)), 2)
        piv = _flat(xp.broadcast_to(piv, batch + (n,)), 1)
        b = xp.broadcast_to(b, batch + b.shape[-2:])
        x = _flat(xp.empty(b.shape, dtype=b.dtype), 2)
        for i, bi in enumerate(_flat(b, 2)):
            x[i] = _sytrs(ld[i], piv[i], bi)
        return x.reshape(b.shape)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::linalg_ldl_solve is not implemented")


def linalg_ldl_solve(LD, pivots, B, *, hermitian=False):
    op = "torch.linalg.ldl_solve"
    if LD.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor LD must have at least 2 dimensions.")
    if B.ndim < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of [-1, 0], but got -2) ({op}: B must "
                         "have at least 2 dimensions; use B.unsqueeze(-1) for a vector)")
    if LD.shape[-1] != LD.shape[-2]:
        raise RuntimeError(f"{op}: A must be batches of square matrices, but they are {LD.shape[-2]} by "
                           f"{LD.shape[-1]} matrices")
    if tuple(pivots.shape) != tuple(LD.shape[:-1]):
        raise RuntimeError(f"{op}: Expected LD.shape[:-1] and pivots.shape to be the same, but got pivots with "
                           f"shape {list(pivots.shape)} instead")
    if pivots.is_floating_point() or pivots.is_complex():
        raise RuntimeError(f"{op}: Expected pivots to be integers. Got {_dtype_name(pivots)}")
    _check_b_and_A(op, "linalg_ldl_solve_cpu", B, LD)
    return LinalgLdlSolve.apply(LD, pivots.to(D.int32), B)


# ---------------------------------------------------------------------------------------------- vander
def _powers(x, N):
    """``[x^0, x^1, ..., x^(N-1)]`` by repeated products (exact gradients at 0, as PyTorch's cumprod)."""
    cols = [Tensor._wrap(xp_of(x._data).ones(x.shape, dtype=x._data.dtype))]
    for _ in range(N - 1):
        cols.append(x if len(cols) == 1 else cols[-1] * x)
    return cols


def linalg_vander(x, *, N=None):
    """``(..., n, N)``: the increasing powers ``x^0 ... x^(N-1)`` of each element of x (..., n)."""
    if x.dtype is D.bool_:
        raise RuntimeError("linalg.vander supports floating point, complex, and integer tensors, but got Bool")
    x = x.reshape(1) if x.ndim == 0 else x
    N = x.shape[-1] if N is None else N
    if N <= 1:
        raise RuntimeError("N must be greater than 1.")
    if not (x.is_floating_point() or x.is_complex()):
        x = x.to(D.int64)   # integers promote to int64, as PyTorch
    return stack(_powers(x, N), -1)


def vander(x, N=None, increasing=False):
    """``torch.vander``: the powers of a 1-D x as columns, decreasing (``x^(N-1) ... x^0``) unless
    ``increasing``; integers and bools become int64."""
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    N = x.shape[0] if N is None else N
    if N < 0:
        raise RuntimeError("N must be non-negative.")
    if not (x.is_floating_point() or x.is_complex()):
        x = x.to(D.int64)
    if N == 0:
        return Tensor._wrap(xp_of(x._data).empty((x.shape[0], 0), dtype=x._data.dtype))
    cols = _powers(x, N)
    return stack(cols if increasing else cols[::-1], -1)


# ---------------------------------------------------------------------------------------------- deprecated norms
def nuclear_norm(input, dim=None, keepdim=False, *, out=None):
    """Deprecated ``torch.nuclear_norm``: ``linalg.matrix_norm(input, 'nuc', dim, keepdim)``; the second
    argument is ``keepdim`` when it is a bool (dims default to the last two)."""
    _deprecated_once("nuclear_norm", (
        "at::nuclear_norm is deprecated and it is just left for JIT compatibility. It will be removed in a future "
        "PyTorch release. Please use `linalg.matrix_norm(A, 'nuc', dim, keepdim)` instead"))
    if isinstance(dim, bool):
        dim, keepdim = None, dim
    r = linalg_matrix_norm(input, "nuc", (-2, -1) if dim is None else tuple(dim), keepdim)
    return r if out is None else out.copy_(r)


def frobenius_norm(input, dim, keepdim=False, *, out=None):
    """Deprecated ``torch.frobenius_norm``: ``linalg.vector_norm(input, 2, dim, keepdim)``."""
    _deprecated_once("frobenius_norm", (
        "at::frobenius_norm is deprecated and it is just left for JIT compatibility. It will be removed in a "
        "future PyTorch release. Please use `linalg.vector_norm(A, 2., dim, keepdim)` instead"))
    if not (input.is_floating_point() or input.is_complex()):
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. Got "
                           f"{_dtype_name(input)} instead.")
    if isinstance(dim, (list, tuple)) and len(dim) > 2:
        raise RuntimeError(f"Expected at most 2 dimensions, but got {len(dim)} dimensions instead.")
    r = input.norm(2, dim, keepdim)
    return r if out is None else out.copy_(r)


# ---------------------------------------------------------------------------------------------- gradient
def _gradient_dims(input, dim):
    if dim is None:
        return list(range(input.ndim)), False
    dims = [dim] if isinstance(dim, int) else list(dim)
    dims = [_wrap_dim(d, input.ndim, "gradient") for d in dims]
    for i, d in enumerate(dims):
        if d in dims[:i]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return dims, True


def _gradient_spacing(spacing, dims, input, dim_given):
    """One spacing per dim: a number (uniform step) or a 1-D Tensor of coordinates."""
    if isinstance(spacing, Tensor) and spacing.ndim == 0:
        spacing = spacing.item()
    if not isinstance(spacing, (list, tuple)):
        return [spacing] * len(dims)
    tensors = [isinstance(s, Tensor) for s in spacing]
    if any(tensors) and not all(tensors):
        bad = tensors.index(False)
        raise TypeError(f"expected Tensor as element {bad} in argument 1, but got {type(spacing[bad]).__name__}")
    if dim_given and len(spacing) != len(dims):
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
                           f"arguments to have the same length, but got a spacing argument of length "
                           f"{len(spacing)} and a dim argument of length {len(dims)}.")
    if not dim_given and len(spacing) != input.ndim:
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar, or a list of length equal "
                           f"to 'self.dim() = {input.ndim}', since dim argument was not given, but got a list of "
                           f"length {len(spacing)}")
    for s, d in zip(spacing, dims):
        if isinstance(s, Tensor):
            if s.ndim != 1:
                raise RuntimeError(f"torch.gradient expected each element of spacing to have one dimension, but got "
                                   f"an element with {s.ndim} dimensions!")
            if s.shape[0] != input.shape[d]:
                raise RuntimeError(f"torch.gradient: the coordinates for dim {d} have {s.shape[0]} elements but the "
                                   f"input has size {input.shape[d]} there (give one coordinate per element)")
    return list(spacing)


def _along(t, d, ndim):
    """A 1-D Tensor shaped to broadcast along dim ``d`` of an ``ndim``-D tensor."""
    return t.reshape([-1 if i == d else 1 for i in range(ndim)])


def _gradient_1d(f, d, h, edge_order):
    """The derivative of ``f`` along dim ``d``: second-order central differences inside, one-sided ones of
    order ``edge_order`` at the two ends; ``h`` is the uniform step or the coordinates (a 1-D Tensor)."""
    n, nd = f.shape[d], f.ndim

    def s(start, length=1):
        return f.narrow(d, start % n, length)

    if not isinstance(h, Tensor):
        inner = (s(2, n - 2) - s(0, n - 2)) / (2 * h)
        if edge_order == 1:
            first, last = (s(1) - s(0)) / h, (s(-1) - s(-2)) / h
        else:
            first = (-1.5 * s(0) + 2 * s(1) - 0.5 * s(2)) / h
            last = (0.5 * s(-3) - 2 * s(-2) + 1.5 * s(-1)) / h
        return cat([first, inner, last], d)
    dx = h[1:] - h[:-1]
    hl, hr = _along(dx[:-1], d, nd), _along(dx[1:], d, nd)
    # f'(x) = (hl^2 f(x+hr) - hr^2 f(x-hl) + (hr^2 - hl^2) f(x)) / (hl hr (hl + hr))
    inner = (hl * hl * s(2, n - 2) - hr * hr * s(0, n - 2) + (hr * hr - hl * hl) * s(1, n - 2)) / (hl * hr * (hl + hr))
    if edge_order == 1:
        first, last = (s(1) - s(0)) / dx[0], (s(-1) - s(-2)) / dx[-1]
    else:   # the quadratic through the three end points
        a, b = dx[0], dx[1]
        first = -(2 * a + b) / (a * (a + b)) * s(0) + (a + b) / (a * b) * s(1) - a / (b * (a + b)) * s(2)
        a, b = dx[-2], dx[-1]
        last = b / (a * (a + b)) * s(-3) - (a + b) / (a * b) * s(-2) + (2 * b + a) / (b * (a + b)) * s(-1)
    return cat([first, inner, last], d)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """``torch.gradient``: a tuple with the estimated derivative of ``input`` along each of ``dim`` (default:
    all), from the samples' ``spacing`` (a step, one step per dim, or the coordinates as 1-D Tensors)."""
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    dims, dim_given = _gradient_dims(input, dim)
    steps = _gradient_spacing(spacing, dims, input, dim_given)
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
    f = input if input.is_floating_point() or input.is_complex() else input.to(D.get_default_dtype())
    return tuple(_gradient_1d(f, d, h, edge_order) for d, h in zip(dims, steps))


# ---------------------------------------------------------------------------------------------- histogramdd
def _c_name(t):
    n = str(t.dtype).replace("torch.", "")
    return _C_NAMES.get(n, n)


def _histogramdd_edges(x, bins, range, dims):  # noqa: A002 - PyTorch's name
    """The bin edges of each of the ``dims`` dims of samples x (N, dims), as arrays in x's dtype."""
    xp = xp_of(x)
    if isinstance(bins, int):
        bins = [bins] * dims
    bins = list(bins)
    if len(bins) != dims:
        raise RuntimeError("histogramdd: The size of bins must be equal to the innermost dimension of the input.")
    if range is not None and len(range) != 2 * dims:
        raise RuntimeError(f"torch.histogramdd: for a {dims}-dimensional histogram range should have {2 * dims} "
                           f"elements, but got {len(range)}")
    edges = []
    for d, b in enumerate(bins):
        if isinstance(b, Tensor):
            e = b._data.astype(x.dtype)
            if e.ndim != 1 or e.shape[0] < 2:
                raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {max(e.size - 1, 0)} for "
                                   f"dimension {d}")
            edges.append(e)
            continue
        if b <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {b} for dimension {d}")
        if range is not None:
            lo, hi = float(range[2 * d]), float(range[2 * d + 1])
        elif x.shape[0]:
            lo, hi = float(x[:, d].min()), float(x[:, d].max())
        else:
            lo, hi = 0.0, 1.0
        if lo > hi:
            raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min {lo:g} max {hi:g} for "
                               f"dimension {d}")
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise RuntimeError(f"torch.histogramdd: dimension {d}'s range [{lo:g}, {hi:g}] is not finite")
        if lo == hi:    # an empty range is widened, as PyTorch does
            lo, hi = lo - 0.5, hi + 0.5
        edges.append(xp.linspace(lo, hi, b + 1).astype(x.dtype))
    return edges


def histogramdd(input, bins, *, range=None, weight=None, density=False):  # noqa: A002 - PyTorch's names
    """``(hist, bin_edges)``: counts (or summed ``weight``) of the samples ``input`` (..., D) in the bins of a
    D-dimensional grid; ``bins`` is a count (for every dim), D counts, or D Tensors of edges. Samples outside
    are ignored; the last bin of each dim includes its top edge. ``density`` normalises to unit integral."""
    if input.ndim < 2:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 2 dimensions")
    if not input.is_floating_point():
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{_dtype_name(input)}'")
    dims = input.shape[-1]
    x = _flat(input._data, 1)
    xp = xp_of(x)
    w = None
    if weight is not None:
        if tuple(weight.shape) != tuple(input.shape[:-1]):
            raise RuntimeError(f"torch.histogramdd: if weight tensor is provided it should have the same shape as the "
                               f"input tensor excluding its innermost dimension, but got input with shape "
                               f"{list(input.shape)} and weight with shape {list(weight.shape)}")
        if weight.dtype != input.dtype:
            raise RuntimeError(f"torch.histogramdd: if weight tensor is provided, input tensor and weight tensor "
                               f"should have the same dtype, but got input({_c_name(input)}), and "
                               f"weight({_c_name(weight)})")
        w = weight._data.reshape(-1)
    edges = _histogramdd_edges(x, bins, range, dims)
    counts = [e.shape[0] - 1 for e in edges]
    keep = xp.ones(x.shape[0], dtype=bool)
    index = xp.zeros(x.shape[0], dtype=xp.int64)
    for d, e in enumerate(edges):
        v = x[:, d]
        keep &= (v >= e[0]) & (v <= e[-1])
        pos = xp.clip(xp.searchsorted(e, v, side="right") - 1, 0, counts[d] - 1)   # the top edge: the last bin
        index = index * counts[d] + pos
    size = int(np.prod(counts))
    hist = xp.bincount(index[keep], weights=None if w is None else w[keep].astype(xp.float64), minlength=size)
    hist = hist[:size].reshape(counts).astype(x.dtype)
    if density:
        volume = xp.ones((), dtype=xp.float64)
        for e in edges:     # the outer product of the bins' widths
            volume = volume[..., None] * xp.diff(e.astype(xp.float64))
        hist = (hist / (hist.sum(dtype=xp.float64) * volume)).astype(x.dtype)
    return return_types.histogramdd((Tensor._wrap(hist), tuple(Tensor._wrap(e.copy()) for e in edges)))


# ---------------------------------------------------------------------------------------------- removed functions
# PyTorch keeps these names only to say what replaced them (torch/_linalg_utils.py): so does Ember.
def _removed(name, message):
    def fn(*args, **kwargs):
        raise RuntimeError("This function was deprecated since version 1.9 and is now removed." + message)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Removed from PyTorch in 1.9: raises the RuntimeError that ``torch.{name}`` raises."
    return fn


lstsq = _removed("lstsq", (
    " `torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n`torch.linalg.lstsq` has reversed arguments and "
    "does not return the QR decomposition in the returned tuple (although it returns other information about the "
    "problem).\n\nTo get the QR decomposition consider using `torch.linalg.qr`.\n\nThe returned solution in "
    "`torch.lstsq` stored the residuals of the solution in the last m - n columns of the returned value whenever "
    "m > n. In torch.linalg.lstsq, the residuals are in the field 'residuals' of the returned named tuple.\n\nThe "
    "unpacking of the solution, as in\nX, _ = torch.lstsq(B, A).solution[:A.size(1)]\nshould be replaced with:\n"
    "X = torch.linalg.lstsq(A, B).solution"))
matrix_rank = _removed("matrix_rank", (
    "\nPlease use the `torch.linalg.matrix_rank` function instead. The parameter 'symmetric' was renamed in "
    "`torch.linalg.matrix_rank()` to 'hermitian'."))
solve = _removed("solve", (
    " `torch.solve` is deprecated in favor of `torch.linalg.solve`. `torch.linalg.solve` has its arguments reversed "
    "and does not return the LU factorization.\n\nTo get the LU factorization see `torch.lu`, which can be used "
    "with `torch.lu_solve` or `torch.lu_unpack`.\nX = torch.solve(B, A).solution should be replaced with:\n"
    "X = torch.linalg.solve(A, B)"))
symeig = _removed("symeig", (
    " The default behavior has changed from using the upper triangular portion of the matrix by default to using "
    "the lower triangular portion.\n\nL, _ = torch.symeig(A, upper=upper) should be replaced with:\n"
    "L = torch.linalg.eigvalsh(A, UPLO='U' if upper else 'L')\n\nand\n\nL, V = torch.symeig(A, eigenvectors=True) "
    "should be replaced with:\nL, V = torch.linalg.eigh(A, UPLO='U' if upper else 'L')"))
eig = _removed("eig", (
    " `torch.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` rather than real tensors mimicking "
    "complex tensors.\n\nL, _ = torch.eig(A) should be replaced with:\nL_complex = torch.linalg.eigvals(A)\n\nand\n\n"
    "L, V = torch.eig(A, eigenvectors=True) should be replaced with:\nL_complex, V_complex = torch.linalg.eig(A)"))
for _fn in (lstsq, solve, symeig, eig):
    setattr(Tensor, _fn.__name__, _fn)
del _fn
