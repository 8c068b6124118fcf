"""Matrix decompositions and what is built on them: ``svd qr cholesky eigh slogdet det inv pinv
matrix_power matrix_norm``, the ops behind ``torch.linalg`` (``ember/linalg.py``) and the top-level
``torch.svd pinverse logdet slogdet matrix_power det cholesky qr inverse`` and their Tensor methods.

Forward calls ``xp.linalg`` (NumPy or CuPy); backward uses the standard formulas (Townsend's for the SVD,
Murray's for Cholesky, Liao et al.'s for QR) on Tensors, so a double backward works. Real float32/float64
matrices, batched over leading dims. The SVD and eigh gradients are those of gauge-invariant losses:
singular/eigen vectors are defined only up to sign, as in PyTorch.
"""
import math
import warnings

from .. import return_types
from ._util import Op, Tensor, xp_of, tensor_method
from .join import cat
from .linalg import _SCALAR_NAMES, matmul
from .runtime_misc import is_warn_always_enabled

__all__ = ["svd", "pinverse", "logdet", "slogdet", "matrix_power", "det", "cholesky", "qr", "inverse"]


class LinAlgError(RuntimeError):
    """``torch.linalg.LinAlgError``: a decomposition or inverse could not be completed."""


def _return_type(name, fields):
    """The ``torch.return_types`` named tuple ``name`` (made there when that module lacks it)."""
    return getattr(return_types, name, None) or return_types._make(name, fields)


_LstsqResult = _return_type("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
_CholeskyExResult = _return_type("linalg_cholesky_ex", ("L", "info"))


# ---------------------------------------------------------------------------------------------- checks
def _dtype_name(A):
    n = str(A.dtype).replace("torch.", "")
    return _SCALAR_NAMES.get(n, n)


def _check(op, A, kernel=None, square=False, ints_to_kernel=False):
    """PyTorch's input checks, in its words: at least 2-D, (square), real float32/float64.

    ``kernel`` names the CPU kernel that PyTorch reports for half precision (None: its 'Low precision'
    message); ``ints_to_kernel`` reports integers that way too (as eigh does)."""
    if A.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{op}: A must be batches of square matrices, but they are {A.shape[-2]} by "
                           f"{A.shape[-1]} matrices")
    name = _dtype_name(A)
    if A.is_complex():
        raise NotImplementedError(f"{op}: Ember's decompositions take real float32/float64 matrices (got {name})")
    low = name in ("Half", "BFloat16")
    if kernel is not None and (low or (ints_to_kernel and not A.is_floating_point())):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{name}\'')
    if not A.is_floating_point():
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got {name}")
    if low:
        raise RuntimeError(f"{op}: Low precision dtypes not supported. Got {name}")


def _eye(like, n):
    return Tensor._wrap(xp_of(like._data).eye(n, dtype=like._data.dtype))


def _batch_prefix(shape, index):
    return f"(Batch element {index}): " if len(shape) > 2 else ""


# ---------------------------------------------------------------------------------------------- failures
def _ok(fn, a):
    """``fn(a)``, or None when the matrix defeats it (NumPy raises; CuPy returns non-finite values)."""
    try:
        r = fn(a)
    except Exception as e:  # numpy.linalg.LinAlgError, without importing NumPy here
        if type(e).__name__ != "LinAlgError":
            raise
        return None
    return r if bool(xp_of(r).isfinite(r).all()) else None


def _per_matrix(a, solve, info_of, fill):
    """Run ``solve`` on each matrix of a batch; ``info_of`` gives PyTorch's info (0 = fine) for those it fails.

    Returns (results with ``fill(matrix, info)`` where it failed, int32 info of the batch shape)."""
    xp = xp_of(a)
    flat = a.reshape((-1,) + a.shape[-2:])
    out, info = xp.empty_like(flat), xp.zeros(flat.shape[0], dtype="int32")
    for i, m in enumerate(flat):
        r = _ok(solve, m)
        if r is None:
            info[i] = info_of(m)
            r = fill(m, int(info[i])) if info[i] else solve(m)
        out[i] = r
    return out.reshape(a.shape), info.reshape(a.shape[:-2])


def _zero_pivot(m):
    """1-based index of the first exactly-zero pivot of LU with partial pivoting (LAPACK getrf's info)."""
    xp, u = xp_of(m), m.copy()
    for k in range(u.shape[0]):
        p = k + int(xp.argmax(xp.abs(u[k:, k])))
        if u[p, k] == 0:
            return k + 1
        u[[k, p]] = u[[p, k]]
        u[k + 1:, k] /= u[k, k]
        u[k + 1:, k + 1:] -= xp.outer(u[k + 1:, k], u[k, k + 1:])
    return 0


def _not_pd_order(m):
    """Order of the first leading minor that is not positive-definite (LAPACK potrf's info)."""
    chol = xp_of(m).linalg.cholesky
    return next((k for k in range(1, m.shape[0] + 1) if _ok(chol, m[:k, :k]) is None), 0)


def _first_failure(op, shape, info, message):
    """Raise PyTorch's LinAlgError for the first matrix whose info is non-zero."""
    flat = info.reshape(-1)
    bad = [i for i in range(flat.shape[0]) if int(flat[i])]
    if bad:
        raise LinAlgError(f"{op}: {_batch_prefix(shape, bad[0])}{message(int(flat[bad[0]]))}")


def _singular(k):
    return (f"The diagonal element {k} is zero, the inversion could not be completed because the input "
            "matrix is singular.")


def _not_pd(k):
    return ("The factorization could not be completed because the input is not positive-definite "
            f"(the leading minor of order {k} is not positive-definite).")


# ---------------------------------------------------------------------------------------------- inv / det
class LinalgInvEx(Op):
    """Inverse and LAPACK-style info (1-based zero pivot, 0 when fine); backward ``-A^{-T} g A^{-T}``."""

    @staticmethod
    def forward(ctx, a):
        xp = xp_of(a)
        y = _ok(xp.linalg.inv, a)
        if y is None:   # some matrix is singular: find which, as PyTorch reports it
            y, info = _per_matrix(a, xp.linalg.inv, _zero_pivot, lambda m, k: xp.full_like(m, math.nan))
        else:
            info = xp.zeros(a.shape[:-2], dtype="int32")
        ctx.save_for_backward(y)
        return y, info

    @staticmethod
    def backward(ctx, g, _ginfo):
        y, = ctx.saved_tensors
        yt = y.mT
        return -(matmul(matmul(yt, g), yt))


def linalg_inv_ex(A, *, check_errors=False, op="linalg.inv_ex"):
    _check("linalg.inv", A, square=True)
    inverse, info = LinalgInvEx.apply(A)
    if check_errors:
        _first_failure(op, A.shape, info._data, _singular)
    return return_types.linalg_inv_ex((inverse, info))


def linalg_inv(A):
    return linalg_inv_ex(A, check_errors=True, op="linalg.inv")[0]


class LinalgDet(Op):
    """Determinant; backward ``g * det(A) * A^{-T}``."""

    @staticmethod
    def forward(ctx, a):
        r = xp_of(a).asarray(xp_of(a).linalg.det(a)).astype(a.dtype, copy=False)
        ctx.save_for_backward(a, r)
        return r

    @staticmethod
    def backward(ctx, g):
        a, r = ctx.saved_tensors
        return (g * r).unsqueeze(-1).unsqueeze(-1) * linalg_inv(a).mT


def linalg_det(A):
    _check("linalg.det", A, "lu_cpu", square=True)
    return LinalgDet.apply(A)


class LinalgSlogdet(Op):
    """``(sign, log|det|)``; only log|det| has a gradient: ``g * A^{-T}``."""

    @staticmethod
    def forward(ctx, a):
        xp = xp_of(a)
        sign, logabsdet = (xp.asarray(r).astype(a.dtype, copy=False) for r in xp.linalg.slogdet(a))
        ctx.mark_non_differentiable(sign)
        ctx.save_for_backward(a)
        return sign, logabsdet

    @staticmethod
    def backward(ctx, _gsign, g):
        a, = ctx.saved_tensors
        return g.unsqueeze(-1).unsqueeze(-1) * linalg_inv(a).mT


def linalg_slogdet(A, name="linalg_slogdet"):
    _check("linalg.slogdet", A, square=True)
    return getattr(return_types, name)(LinalgSlogdet.apply(A))


# ---------------------------------------------------------------------------------------------- cholesky
class LinalgCholeskyEx(Op):
    """``L`` with ``L L^T = A`` (from A's lower triangle; the upper one when ``upper``), and info.

    Backward (Murray 2016): ``L^{-T} Phi(L^T gL) L^{-1}``, symmetrised, Phi = lower triangle with half
    the diagonal."""

    @staticmethod
    def forward(ctx, a, upper):
        xp = xp_of(a)
        a = a.swapaxes(-1, -2) if upper else a      # the upper triangle of A is the lower one of A^T
        chol = xp.linalg.cholesky
        L = _ok(chol, a)
        if L is None:   # leave the leading block that did factor, as LAPACK does
            L, info = _per_matrix(a, chol, _not_pd_order, lambda m, k: _partial_cholesky(m, k - 1))
        else:
            info = xp.zeros(a.shape[:-2], dtype="int32")
        ctx.upper = upper
        ctx.save_for_backward(L)
        return (L.swapaxes(-1, -2).copy() if upper else L), info

    @staticmethod
    def backward(ctx, g, _ginfo):
        L, = ctx.saved_tensors
        g = g.mT if ctx.upper else g
        P = matmul(L.mT, g).tril()
        P = 0.5 * (P + P.tril(-1).mT)
        Linv = linalg_inv(L)
        return matmul(matmul(Linv.mT, P), Linv)


def _partial_cholesky(m, k):
    xp = xp_of(m)
    out = xp.zeros_like(m)
    if k:
        out[:k, :k] = xp.linalg.cholesky(m[:k, :k])
    return out


def linalg_cholesky_ex(A, *, upper=False, check_errors=False, op="linalg.cholesky_ex"):
    _check("linalg.cholesky", A, "cholesky_cpu", square=True)
    L, info = LinalgCholeskyEx.apply(A, bool(upper))
    if check_errors:
        _first_failure(op, A.shape, info._data, _not_pd)
    return _CholeskyExResult((L, info))


def linalg_cholesky(A, *, upper=False):
    return linalg_cholesky_ex(A, upper=upper, check_errors=True, op="linalg.cholesky").L


# ---------------------------------------------------------------------------------------------- qr
class LinalgQr(Op):
    """``A = Q R``. Backward for m >= n (Liao et al. 2019): ``(gQ + Q copyltu(M)) R^{-T}``,
    ``M = R gR^T - gQ^T Q``; a wide A = [X | Y] is done as X's QR plus ``Y = Q V``."""

    @staticmethod
    def forward(ctx, a, mode):
        xp = xp_of(a)
        ctx.mode = mode
        if mode == "r":
            return xp.empty((0,), dtype=a.dtype), xp.linalg.qr(a, mode="r")
        Q, R = xp.linalg.qr(a, mode=mode)
        ctx.save_for_backward(a, Q, R)
        return Q, R

    @staticmethod
    def backward(ctx, gQ, gR):
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                               "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
                               "through linalg.qr.")
        a, Q, R = ctx.saved_tensors
        m, n = a.shape[-2:]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
        if m >= n:
            return _qr_backward(Q, R, gQ, gR)
        Y, V, gV = a[..., m:], R[..., m:], gR[..., m:]
        gX = _qr_backward(Q, R[..., :m], gQ + matmul(Y, gV.mT), gR[..., :m])
        return cat([gX, matmul(Q, gV)], -1)


def _qr_backward(Q, R, gQ, gR):
    M = matmul(R, gR.mT) - matmul(gQ.mT, Q)
    copyltu = M.tril() + M.tril(-1).mT
    return matmul(gQ + matmul(Q, copyltu), linalg_inv(R).mT)


def linalg_qr(A, mode="reduced"):
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
                           "'r', or 'complete'")
    _check("linalg.qr", A, "geqrf_cpu")
    return return_types.linalg_qr(LinalgQr.apply(A, mode))


# ---------------------------------------------------------------------------------------------- eigh
class LinalgEigh(Op):
    """Eigenvalues (ascending) and eigenvectors of a symmetric matrix, from its ``UPLO`` triangle.

    Backward: ``V (diag(gL) + skew(V^T gV) / E) V^T``, ``E_ij = L_j - L_i``; only the skew part of
    ``V^T gV`` is seen by a loss that does not depend on the eigenvectors' signs."""

    @staticmethod
    def forward(ctx, a, uplo):
        L, V = xp_of(a).linalg.eigh(a, UPLO=uplo)
        ctx.save_for_backward(L, V)
        return L, V

    @staticmethod
    def backward(ctx, gL, gV):
        L, V = ctx.saved_tensors
        VgV = matmul(V.mT, gV)
        E = L.unsqueeze(-2) - L.unsqueeze(-1) + _eye(L, L.shape[-1])
        inner = 0.5 * (VgV - VgV.mT) / E + gL.diag_embed()
        return matmul(matmul(V, inner), V.mT)


def _check_eigh(op, A, UPLO):
    _check(op, A, "linalg_eigh_cpu", square=True, ints_to_kernel=True)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def linalg_eigh(A, UPLO="L"):
    _check_eigh("linalg.eigh", A, UPLO)
    return return_types.linalg_eigh(LinalgEigh.apply(A, UPLO))


def linalg_eigvalsh(A, UPLO="L"):
    _check_eigh("linalg.eigvalsh", A, UPLO)
    if A.requires_grad:     # the gradient needs the eigenvectors
        return LinalgEigh.apply(A, UPLO)[0]
    return Tensor._wrap(xp_of(A._data).linalg.eigvalsh(A._data, UPLO=UPLO))


# ---------------------------------------------------------------------------------------------- svd
class LinalgSvd(Op):
    """``A = U diag(S) Vh``. Backward (Townsend 2016, PyTorch's svd_backward), k = min(m, n)::

        gA = U [(skew(U^T gU) S + S skew(V^T gV)) / E + diag(gS)] Vh
             + (I - U U^T) gU S^{-1} Vh   (m > k)   or   U S^{-1} gVh (I - V Vh)   (n > k)

    with ``E_ij = S_j^2 - S_i^2``. With ``full_matrices`` only the first k singular vectors count."""

    @staticmethod
    def forward(ctx, a, full_matrices):
        U, S, Vh = xp_of(a).linalg.svd(a, full_matrices=full_matrices)
        ctx.save_for_backward(U, S, Vh)
        return U, S, Vh

    @staticmethod
    def backward(ctx, gU, gS, gVh):
        U, S, Vh = ctx.saved_tensors
        m, n, k = U.shape[-2], Vh.shape[-1], S.shape[-1]
        U, gU, Vh, gVh = U[..., :k], gU[..., :k], Vh[..., :k, :], gVh[..., :k, :]
        UgU, VgV = matmul(U.mT, gU), matmul(Vh, gVh.mT)
        S2 = S * S
        E = S2.unsqueeze(-2) - S2.unsqueeze(-1) + _eye(S, k)
        inner = ((UgU - UgU.mT) * S.unsqueeze(-2) + S.unsqueeze(-1) * (VgV - VgV.mT)) / E + gS.diag_embed()
        if m > k:
            gUS = gU / S.unsqueeze(-2)
            return matmul(matmul(U, inner) + gUS - matmul(U, matmul(U.mT, gUS)), Vh)
        if n > k:
            SgVh = gVh / S.unsqueeze(-1)
            return matmul(U, matmul(inner, Vh) + SgVh - matmul(matmul(SgVh, Vh.mT), Vh))
        return matmul(matmul(U, inner), Vh)


def linalg_svd(A, full_matrices=True, *, driver=None):
    _check("linalg.svd", A, "linalg_svd_cpu")
    if driver is not None and A.device.type == "cpu":
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with "
                           "cuSOLVER backend.")
    return return_types.linalg_svd(LinalgSvd.apply(A, bool(full_matrices)))


def linalg_svdvals(A, *, driver=None):
    if A.requires_grad:     # the gradient needs the singular vectors
        return linalg_svd(A, False, driver=driver).S
    _check("linalg.svd", A, "linalg_svd_cpu")
    return Tensor._wrap(xp_of(A._data).linalg.svd(A._data, compute_uv=False))


# ---------------------------------------------------------------------------------------------- pinv
def _tolerance(A, S_max, atol, rtol):
    """PyTorch's cut-off ``max(atol, rtol * S_max)`` (an array); rtol defaults to ``eps * max(m, n)``, or to 0
    when atol > 0 is given. atol/rtol may be numbers, arrays or Tensors (one value per matrix)."""
    xp, dt = xp_of(S_max), S_max.dtype
    atol, rtol = (x._data if isinstance(x, Tensor) else x for x in (atol, rtol))
    atol = xp.asarray(0.0 if atol is None else atol, dtype=dt)
    if rtol is None:
        rtol = xp.where(atol > 0, 0.0, float(xp.finfo(dt).eps) * max(A.shape[-2:])).astype(dt)
    return xp.maximum(atol[..., None], xp.asarray(rtol, dtype=dt)[..., None] * S_max)


class LinalgPinv(Op):
    """Pseudo-inverse from the SVD (eigh when ``hermitian``), singular values at most the tolerance dropped.

    Backward (Golub & Pereyra), P = pinv(A)::

        gA = -P^T gP P^T + (I - A P) gP^T P P^T + P^T P gP^T (I - P A)
    """

    @staticmethod
    def forward(ctx, a, hermitian, atol, rtol):
        xp = xp_of(a)
        if hermitian:
            S, U = xp.linalg.eigh(a)
            Vt, absS = U, xp.abs(S)
            keep = absS > _tolerance(a, absS.max(-1, keepdims=True), atol, rtol)
        else:
            U, S, Vt = xp.linalg.svd(a, full_matrices=False)
            Vt = Vt.swapaxes(-1, -2)
            keep = S > _tolerance(a, S[..., :1], atol, rtol)
        S_inv = keep / xp.where(keep, S, 1)             # no division by the dropped (maybe zero) values
        p = (Vt * S_inv[..., None, :]) @ U.swapaxes(-1, -2)
        ctx.save_for_backward(a, p)
        return p

    @staticmethod
    def backward(ctx, g):
        A, P = ctx.saved_tensors
        Pt, gt = P.mT, g.mT
        AP, PA = matmul(A, P), matmul(P, A)
        return (-matmul(matmul(Pt, g), Pt) + matmul(gt - matmul(AP, gt), matmul(P, Pt))
                + matmul(matmul(Pt, P), gt - matmul(gt, PA)))


def _pinv_check(A):
    if A.ndim < 2 or not A.is_floating_point() or _dtype_name(A) in ("Half", "BFloat16"):
        raise RuntimeError(f"linalg.pinv({_dtype_name(A)}{{{list(A.shape)}}}): expected a tensor with 2 or more "
                           "dimensions of float, double, cfloat or cdouble types")


def linalg_pinv(A, rcond=None, hermitian=False, *, atol=None, rtol=None):
    """Moore-Penrose pseudo-inverse; ``rcond`` is the old name of ``rtol``."""
    _pinv_check(A)
    if rcond is not None:
        if rtol is not None:
            raise TypeError("linalg_pinv(): pass either rcond (the old name) or rtol, not both")
        rtol = rcond
    atol, rtol = (x._data if isinstance(x, Tensor) else x for x in (atol, rtol))
    return LinalgPinv.apply(A, bool(hermitian), atol, rtol)


# ---------------------------------------------------------------------------------------------- matrix_power
def linalg_matrix_power(A, n, fn="linalg_matrix_power", op="linalg.matrix_power"):
    """``A^n`` by repeated squaring; ``A^-n = inv(A)^n``; ``A^0`` the identity."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{fn}(): argument 'n' (position 2) must be int, not {type(n).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{op}: A must be batches of square matrices, but they are {A.shape[-2]} by "
                           f"{A.shape[-1]} matrices")
    if n == 0:
        xp = xp_of(A._data)
        return Tensor._wrap(xp.broadcast_to(xp.eye(A.shape[-1], dtype=A._data.dtype), A._data.shape).copy())
    if n < 0:
        A, n = linalg_inv(A), -n
    if n == 1:
        return A.clone()
    result, power = None, A
    while n:
        if n & 1:
            result = power if result is None else matmul(result, power)
        n >>= 1
        if n:
            power = matmul(power, power)
    return result


# ---------------------------------------------------------------------------------------------- matrix_norm
_MATRIX_ORDS = ("fro", "nuc", math.inf, -math.inf, 1, -1, 2, -2)


def linalg_matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):  # noqa: A002
    """Matrix norm over the two dims ``dim``: 'fro', 'nuc' (sum of singular values), 2/-2 (largest/smallest
    singular value), 1/-1 (max/min column abs-sum), inf/-inf (max/min row abs-sum)."""
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if not (A.is_floating_point() or A.is_complex()):
        raise RuntimeError(f"linalg.matrix_norm: Expected a floating point or complex tensor as input. Got "
                           f"{_dtype_name(A)}")
    if isinstance(dim, int) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
    d0, d1 = (d % A.ndim for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if ord not in _MATRIX_ORDS:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if dtype is not None:
        A = A.to(dtype)
    if ord == "fro":
        return A.norm(2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2) and _dtype_name(A) in ("Half", "BFloat16"):
        raise RuntimeError(f"linalg.matrix_norm: Low precision dtypes not supported. Got {_dtype_name(A)}")
    if ord in ("nuc", 2, -2):
        S = linalg_svdvals(A.movedim((d0, d1), (-2, -1)))
        r = S.sum(-1) if ord == "nuc" else S.amax(-1) if ord == 2 else S.amin(-1)
        return r.unsqueeze(min(d0, d1)).unsqueeze(max(d0, d1)) if keepdim else r
    # 1 / inf: abs-sums down the columns (over d0) or along the rows (over d1), then their max / min
    summed, kept = (d0, d1) if abs(ord) == 1 else (d1, d0)
    sums = A.abs().sum(summed, keepdim=True)
    r = sums.amax(kept, keepdim=True) if ord > 0 else sums.amin(kept, keepdim=True)
    return r if keepdim else r.squeeze(max(d0, d1)).squeeze(min(d0, d1))


# ---------------------------------------------------------------------------------------------- top level
_warned = set()


def _deprecated_once(name, message):
    """PyTorch warns once per process (TORCH_WARN_ONCE) for these deprecated functions (every time after
    ``set_warn_always(True)``)."""
    if name not in _warned or is_warn_always_enabled():
        _warned.add(name)
        warnings.warn(message, UserWarning, stacklevel=3)


@tensor_method("svd")
def svd(input, some=True, compute_uv=True, *, out=None):
    """The old ``torch.svd``: ``(U, S, V)`` with V (not Vh); ``some=False`` gives full U and V;
    ``compute_uv=False`` gives zero-filled U (m x m) and V (n x n), as PyTorch does."""
    if input.ndim < 2:
        raise RuntimeError(f"linalg.svd: input should have at least 2 dimensions, but has {input.ndim} dimensions "
                           "instead")
    if not compute_uv:
        S = linalg_svdvals(input)
        xp, m, n = xp_of(input._data), input.shape[-2], input.shape[-1]
        zeros = [Tensor._wrap(xp.zeros(input.shape[:-2] + (k, k), dtype=input._data.dtype)) for k in (m, n)]
        return return_types.svd((zeros[0], S, zeros[1]))
    U, S, Vh = linalg_svd(input, full_matrices=not some)
    return return_types.svd((U, S, Vh.mT))


@tensor_method("pinverse")
def pinverse(input, rcond=1e-15):
    """Pseudo-inverse, dropping singular values below ``rcond`` times the largest."""
    return linalg_pinv(input, rtol=rcond)


@tensor_method("det")
def det(input):
    """Determinant of a square matrix (or a batch of them)."""
    return linalg_det(input)


@tensor_method("slogdet")
def slogdet(input):
    """``(sign, log|det|)`` of a square matrix (or a batch of them)."""
    return linalg_slogdet(input, "slogdet")


@tensor_method("logdet")
def logdet(input):
    """``log(det(A))``: nan for a negative determinant, -inf for a zero one."""
    _check("logdet", input, square=True)
    sign, logabsdet = LinalgSlogdet.apply(input)
    return logabsdet + sign.log()


@tensor_method("matrix_power")
def matrix_power(input, n):
    """``input`` to the integer power ``n`` (negative: of its inverse)."""
    return linalg_matrix_power(input, n, "matrix_power")


@tensor_method("inverse")
def inverse(input, *, out=None):
    """Inverse of a square matrix (``torch.linalg.inv``)."""
    r = linalg_inv(input)
    return r if out is None else out.copy_(r)


@tensor_method("cholesky")
def cholesky(input, upper=False, *, out=None):
    """Deprecated ``torch.cholesky``: ``linalg.cholesky(A)``, or its transpose when ``upper``."""
    _deprecated_once("cholesky", (
        "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a future PyTorch "
        "release.\nL = torch.cholesky(A)\nshould be replaced with\nL = torch.linalg.cholesky(A)\nand\n"
        "U = torch.cholesky(A, upper=True)\nshould be replaced with\nU = torch.linalg.cholesky(A).mH\n"
        "This transform will produce equivalent results for all valid (symmetric positive definite) inputs."))
    _check("cholesky", input, "cholesky_cpu", square=True, ints_to_kernel=True)
    L = linalg_cholesky_ex(input, check_errors=True, op="cholesky").L
    r = L.mT if upper else L
    return r if out is None else out.copy_(r)


@tensor_method("qr")
def qr(input, some=True, *, out=None):
    """Deprecated ``torch.qr``: ``linalg.qr(A, 'reduced' if some else 'complete')``."""
    _deprecated_once("qr", (
        "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future PyTorch release.\n"
        "The boolean parameter 'some' has been replaced with a string parameter 'mode'.\n"
        "Q, R = torch.qr(A, some)\nshould be replaced with\n"
        "Q, R = torch.linalg.qr(A, 'reduced' if some else 'complete')"))
    return return_types.qr(linalg_qr(input, "reduced" if some else "complete"))
