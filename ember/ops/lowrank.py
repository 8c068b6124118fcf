"""Randomized low-rank decompositions and LOBPCG: ``svd_lowrank pca_lowrank lobpcg``.

``svd_lowrank`` is Halko, Martinsson & Tropp's randomized range finder (Algorithm 4.4 of "Finding structure
with randomness", 2011): a Gaussian test matrix drawn with ``randn`` from the global generator, ``niter``
rounds of subspace iteration re-orthonormalised by QR, then the SVD of the small projected matrix. Ember draws
the same numbers as PyTorch under ``manual_seed`` and takes the same steps, so results agree with PyTorch's.
Everything is built from differentiable ops, so gradients flow as in PyTorch.

``lobpcg`` finds the ``k`` largest (or smallest) eigenpairs of a symmetric positive definite generalized
problem ``A X = B X E`` with the Locally Optimal Block Preconditioned Conjugate Gradient method, following
Duersch, Shao, Yang & Gu, "A robust and efficient implementation of LOBPCG" (SIAM J. Sci. Comput. 2018) as
PyTorch does: ``method="basic"`` (Rayleigh-Ritz on the unorthogonalised basis [X, P, W]) or ``"ortho"``
(B-orthogonalised W by SVQB with re-orthogonalisation). The gradient with respect to ``A`` (``B`` = I) is the
symmetric-eigenproblem backward, extended for a partial eigenspace (PyTorch's formula, with the random
complement drawn from a fresh ``Generator``, as PyTorch draws it).
"""

__all__ = ["svd_lowrank", "pca_lowrank", "lobpcg"]

from .. import _dtype as D
from .._random import Generator
from ..autograd.function import Function
from ..autograd.grad_mode import no_grad
from ._util import Tensor
from .creation import eye, zeros
from .decompositions import linalg_cholesky, linalg_eigh, linalg_qr, linalg_svd
from .join import stack
from .linalg_extra import cholesky_solve, linalg_solve_triangular
from .random import randn


def _floating(A):
    """The dtype the algorithms compute in: A's, if a real floating type, else float32."""
    return A.dtype if A.dtype in (D.float16, D.float32, D.float64) else D.float32


def _mm(A, X):
    """A @ X, where A None stands for the identity (B = I in the eigenproblems)."""
    return X if A is None else A @ X


# ---------------------------------------------------------------------------------------------- low-rank SVD
def _approximate_basis(A, q, niter, M):
    """An orthonormal (m, q) Q whose range approximates that of A - M (randomized subspace iteration)."""
    dtype = A.dtype if A.is_complex() else _floating(A)
    R = randn(A.shape[-1], q, dtype=dtype, device=A.device)      # one test matrix, shared by a batch
    X = A @ R
    if M is not None:
        X = X - M @ R
    Q = linalg_qr(X).Q
    for _ in range(niter):
        X = A.mH @ Q
        if M is not None:
            X = X - M.mH @ Q
        Q = linalg_qr(X).Q
        X = A @ Q
        if M is not None:
            X = X - M @ Q
        Q = linalg_qr(X).Q
    return Q


def svd_lowrank(A, q=6, niter=2, M=None):
    """Approximate truncated SVD of A - M (A (*, m, n); M broadcasts to A): ``(U (*, m, q), S (*, q), V (*, n, q))``
    with ``A - M ~ U diag(S) V^H``. ``q`` overestimates the rank a little; ``niter`` subspace iterations (2)
    sharpen the basis when the singular values decay slowly."""
    if not isinstance(A, Tensor):
        raise TypeError(f"svd_lowrank(): argument 'A' must be Tensor, not {type(A).__name__}")
    q = 6 if q is None else q
    niter = 2 if niter is None else niter
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.shape)
    if m < n:                   # work on the tall orientation; swap U and V at the end
        A = A.mH
        M = None if M is None else M.mH
    Q = _approximate_basis(A, q, niter, M)
    Bq = Q.mH @ A
    if M is not None:
        Bq = Bq - Q.mH @ M
    U, S, Vh = linalg_svd(Bq, full_matrices=False)
    V = Vh.mH
    U = Q @ U
    if m < n:
        U, V = V, U
    return U, S, V


def pca_lowrank(A, q=None, center=True, niter=2):
    """Principal components of the rows of A (*, m, n) by ``svd_lowrank`` of A minus its column means (when
    ``center``): ``(U, S, V)``; V's columns are the principal directions, S**2 / (m - 1) the variances.
    ``q`` defaults to min(6, m, n)."""
    if not isinstance(A, Tensor):
        raise TypeError(f"pca_lowrank(): argument 'A' must be Tensor, not {type(A).__name__}")
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not 0 <= q <= min(m, n):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than min(m, n)={min(m, n)}")
    if not niter >= 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if not center:
        return svd_lowrank(A, q, niter=niter, M=None)
    return svd_lowrank(A - A.mean(dim=(-2,), keepdim=True), q, niter=niter, M=None)


# ---------------------------------------------------------------------------------------------- LOBPCG
def _symeig(A, largest=False):
    """Eigenpairs of a symmetric A (upper triangle), ascending, or descending when ``largest``."""
    E, Z = linalg_eigh(A, UPLO="U")
    if largest:
        E, Z = E.flip(-1), Z.flip(-1)
    return E, Z


def _qform(A, S):
    """S^T A S (A None: the identity)."""
    return S.mT @ _mm(A, S)


class LOBPCG:
    """One LOBPCG solve. A ``tracker(worker)`` passed to ``lobpcg`` sees this object after every iteration:
    ``X`` (m, n) and ``E`` (n,) are the current eigenpairs, ``R`` the residuals, ``S`` the basis [X, P, W],
    ``ivars`` (``istep``, ``converged_count`` ...), ``fvars`` (norms, orthogonality errors), ``tvars``
    (``rerr``: each pair's relative residual) and the parameter dicts ``iparams fparams bparams``."""

    def __init__(self, A, B, X, iK, iparams, fparams, bparams, method, tracker):
        self.A, self.B, self.iK = A, B, iK
        self.iparams, self.fparams, self.bparams = iparams, fparams, bparams
        self.method, self.tracker = method, tracker
        m, n = iparams["m"], iparams["n"]
        self.X = X
        self.E = zeros((n,), dtype=X.dtype, device=X.device)
        self.R = zeros((m, n), dtype=X.dtype, device=X.device)
        self.S = zeros((m, 3 * n), dtype=X.dtype, device=X.device)
        self.tvars = {}
        self.ivars = {"istep": 0}
        self.fvars = {"_": 0.0}
        self.bvars = {"_": False}

    def __str__(self):
        names = ("iparams", "fparams", "bparams", "ivars", "fvars", "bvars", "tvars", "A", "B", "iK", "X", "E")
        return "LOBPCG:\n" + "".join(f"  {k}={getattr(self, k)}\n" for k in names)

    def run(self):
        self.update()
        if self.tracker is not None:
            self.tracker(self)
        while not self.stop_iteration():
            self.update()
            if self.tracker is not None:
                self.tracker(self)

    def stop_iteration(self):
        return (self.bvars.get("force_stop", False) or self.ivars["iterations_left"] == 0
                or self.ivars["converged_count"] >= self.iparams["k"])

    def update(self):
        if self.ivars["istep"] == 0:
            x_norm = float(self.X.norm())
            ix_norm = x_norm ** -1
            self.fvars["X_norm"] = x_norm
            self.fvars["A_norm"] = float(_mm(self.A, self.X).norm()) * ix_norm
            self.fvars["B_norm"] = float(_mm(self.B, self.X).norm()) * ix_norm
            self.ivars["iterations_left"] = self.iparams["niter"]
            self.ivars["converged_count"] = 0
            self.ivars["converged_end"] = 0
        if self.method == "ortho":
            self._update_ortho()
        else:
            self._update_basic()
        self.ivars["iterations_left"] -= 1
        self.ivars["istep"] += 1

    def update_residual(self):
        self.R = _mm(self.A, self.X) - _mm(self.B, self.X) * self.E

    def update_converged_count(self):
        """How many leading pairs have a relative residual below ``tol`` (a count that must not drop)."""
        prev = self.ivars["converged_count"]
        E, X, R = self.E, self.X, self.R
        rerr = R.norm(2, (0,)) / (X.norm(2, (0,)) * (self.fvars["A_norm"] + E[:X.shape[-1]].abs()
                                                     * self.fvars["B_norm"]))
        count = 0
        for ok in (rerr < self.fparams["tol"]).tolist():
            if not ok:
                break
            count += 1
        if count < prev:
            raise AssertionError(f"the number of converged eigenpairs (was {prev}, got {count}) cannot decrease")
        self.ivars["converged_count"] = count
        self.tvars["rerr"] = rerr
        return count

    def _update_basic(self):
        """Rayleigh-Ritz on the B-normalised (not orthogonalised) basis S = [X, P, W], W = iK R."""
        nc, ns, n = self.ivars["converged_count"], self.ivars["converged_end"], self.iparams["n"]
        largest = self.bparams["largest"]
        if self.ivars["istep"] == 0:
            Ri = self._rayleigh_ritz_transform(self.X)
            E, Z = _symeig(_qform(_qform(self.A, self.X), Ri), largest)
            self.X = self.X @ (Ri @ Z)
            self.E = E
            np_ = 0
        else:
            S_ = self.S[:, nc:ns]
            Ri = self._rayleigh_ritz_transform(S_)
            E_, Z = _symeig(_qform(_qform(self.A, S_), Ri), largest)
            self.X[:, nc:] = S_ @ (Ri @ Z[:, :n - nc])
            self.E[nc:] = E_[:n - nc]
            P = S_ @ (Ri @ Z[:, n:2 * n - nc])
            np_ = P.shape[-1]
        self.update_residual()
        nc = self.update_converged_count()
        self.S[:, :n] = self.X
        if np_:
            self.S[:, n:n + np_] = P
        W = _mm(self.iK, self.R if self.ivars["istep"] == 0 else self.R[:, nc:])
        ns = self.ivars["converged_end"] = n + np_ + W.shape[-1]
        self.S[:, n + np_:ns] = W

    def _update_ortho(self):
        """Rayleigh-Ritz on a B-orthonormal basis: W is B-orthogonalised against [X, P] (``_ortho``)."""
        nc, ns, n = self.ivars["converged_count"], self.ivars["converged_end"], self.iparams["n"]
        largest = self.bparams["largest"]
        if self.ivars["istep"] == 0:
            Ri = self._rayleigh_ritz_transform(self.X)
            _, Z = _symeig(_qform(_qform(self.A, self.X), Ri), largest)
            self.X = self.X @ (Ri @ Z)        # E stays 0 until the first iteration, as in PyTorch
            self.update_residual()
            np_ = 0
            self.update_converged_count()
            self.S[:, :n] = self.X
            W = self._ortho(self.R, self.X)
        else:
            S_ = self.S[:, nc:ns]
            E_, Z = _symeig(_qform(self.A, S_), largest)
            self.X[:, nc:] = S_ @ Z[:, :n - nc]
            self.E[nc:] = E_[:n - nc]
            # P: the part of the new Ritz vectors' update orthogonal to the old ones (a basis of it)
            P = S_ @ (Z[:, n - nc:] @ linalg_qr(Z[:n - nc, n - nc:].mT).Q)
            np_ = P.shape[-1]
            self.update_residual()
            nc = self.update_converged_count()
            self.S[:, :n] = self.X
            self.S[:, n:n + np_] = P
            W = self._ortho(self.R[:, nc:], self.S[:, :n + np_])
        ns = self.ivars["converged_end"] = n + np_ + W.shape[-1]
        self.S[:, n + np_:ns] = W

    def _rayleigh_ritz_transform(self, S):
        """Ri with Ri^T (S^T B S) Ri = I, from the Cholesky factor of the diagonally scaled S^T B S."""
        SBS = _qform(self.B, S)
        d_row = SBS.diagonal(0, -2, -1) ** -0.5
        d_col = d_row.reshape(d_row.shape[0], 1)
        R = linalg_cholesky(SBS * d_row * d_col, upper=True)
        return linalg_solve_triangular(R, d_row.diag_embed(), upper=True, left=False)

    def _svqb(self, U, drop, tau):
        """B-orthonormalise U's columns through the eigendecomposition of U^T B U (SVQB); eigenvalues below
        ``tau * max|E|`` are raised to it (or, with ``drop``, their directions dropped)."""
        if U.numel() == 0:
            return U
        UBU = _qform(self.B, U)
        d = UBU.diagonal(0, -2, -1)
        nz = (d.abs() != 0).nonzero().reshape(-1)
        if nz.numel() < d.numel():            # zero columns carry no direction: drop them
            U = U[:, nz]
            if U.numel() == 0:
                return U
            UBU = _qform(self.B, U)
            d = UBU.diagonal(0, -2, -1)
        d_col = (d ** -0.5).reshape(d.shape[0], 1)
        E, Z = _symeig(UBU * d_col * d_col.mT)
        t = tau * float(E.abs().max())
        if drop:
            keep = (E > t).nonzero().reshape(-1)
            E, Z, d_col = E[keep], Z[:, keep], d_col[keep]
        else:
            E = E.where(E >= t, E.new_full((), t))
        return (U * d_col.mT) @ (Z * E ** -0.5)

    def _ortho(self, U, V):
        """U B-orthonormalised and B-orthogonal to V (B-orthonormal): ``ortho_i_max`` rounds of projection,
        each followed by up to ``ortho_j_max`` SVQB passes, until the relative errors drop below ``ortho_tol``."""
        m = self.iparams["m"]
        tau_ortho, tau_drop = self.fparams["ortho_tol"], self.fparams["ortho_tol_drop"]
        tau_replace = self.fparams["ortho_tol_replace"]
        i_max, j_max = self.iparams["ortho_i_max"], self.iparams["ortho_j_max"]
        use_drop = self.bparams["ortho_use_drop"]
        for key in [k for k in self.fvars if k.startswith("ortho_") and k.endswith("_rerr")]:
            self.fvars.pop(key)
        self.ivars.pop("ortho_i", 0)
        self.ivars.pop("ortho_j", 0)
        BV_norm = _mm(self.B, V).norm()
        BU = _mm(self.B, U)
        VBU = V.mT @ BU
        i = j = 0
        for i in range(i_max):
            U = U - V @ VBU
            drop, tau_svqb = False, tau_drop
            for j in range(j_max):
                if use_drop:
                    U = self._svqb(U, drop, tau_svqb)
                    drop, tau_svqb = True, tau_replace
                else:
                    U = self._svqb(U, False, tau_replace)
                if U.numel() == 0:
                    self.ivars["ortho_i"], self.ivars["ortho_j"] = i, j
                    return U
                BU = _mm(self.B, U)
                UBU = U.mT @ BU
                U_norm, BU_norm = U.norm(), BU.norm()
                R_norm = (UBU - eye(UBU.shape[-1], dtype=UBU.dtype, device=UBU.device)).norm()
                rerr = float(R_norm) * float(BU_norm * U_norm) ** -1
                self.fvars[f"ortho_UBUmI_rerr[{i}, {j}]"] = rerr
                if rerr < tau_ortho:
                    break
            VBU = V.mT @ BU
            rerr = float(VBU.norm()) * float(BV_norm * U.norm()) ** -1
            self.fvars[f"ortho_VBU_rerr[{i}]"] = rerr
            if rerr < tau_ortho:
                break
            if m < U.shape[-1] + V.shape[-1]:
                cols = m if self.B is None else self.B.shape[-1]
                raise ValueError(f"Overdetermined shape of U: #B-cols(={cols}) >= #U-cols(={U.shape[-1]}) + "
                                 f"#V-cols(={V.shape[-1]}) must hold")
        self.ivars["ortho_i"], self.ivars["ortho_j"] = i, j
        return U


def _lobpcg(A, k, B, X, n, iK, niter, tol, largest, method, tracker, ortho_iparams, ortho_fparams,
            ortho_bparams):
    """The solve, without autograd: (E (*, k), X (*, m, k))."""
    if A.shape[-2] != A.shape[-1]:
        raise AssertionError(f"A must be square, got shape {A.shape}")
    if B is not None and A.shape != B.shape:
        raise AssertionError(f"A and B must have same shape, got {A.shape} vs {B.shape}")
    dtype = _floating(A)
    if tol is None:
        feps = {D.float32: 1.2e-07, D.float64: 2.23e-16}.get(dtype)
        if feps is None:
            raise KeyError(f"{dtype} (lobpcg: the default tol is defined for float32 and float64 only; pass tol= "
                           "or use a float32/float64 A)")
        tol = feps ** 0.5
    m = A.shape[-1]
    k = (1 if X is None else X.shape[-1]) if k is None else k
    n = (k if n is None else n) if X is None else X.shape[-1]
    if m < 3 * n:
        raise ValueError(f"LOBPCG algorithm is not applicable when the number of A rows (={m}) is smaller than 3 x "
                         f"the number of requested eigenpairs (={n})")
    method = "ortho" if method is None else method
    if method not in ("ortho", "basic"):
        raise ValueError(f"lobpcg: method must be 'ortho' or 'basic', got {method!r}")
    iparams = {"m": m, "n": n, "k": k, "niter": 1000 if niter is None else niter}
    fparams = {"tol": tol}
    bparams = {"largest": True if largest is None else largest}
    if method == "ortho":
        iparams.update(ortho_iparams or {})
        fparams.update(ortho_fparams or {})
        bparams.update(ortho_bparams or {})
        iparams.setdefault("ortho_i_max", 3)
        iparams.setdefault("ortho_j_max", 3)
        for key in ("ortho_tol", "ortho_tol_drop", "ortho_tol_replace"):
            fparams.setdefault(key, tol)
        bparams.setdefault("ortho_use_drop", False)

    def solve(A_, B_, X_):
        if X_ is None:
            X_ = randn((m, n), dtype=dtype, device=A.device)
        if tuple(X_.shape) != (m, n):
            raise AssertionError(f"X shape mismatch: got {X_.shape}, expected {(m, n)}")
        worker = LOBPCG(A_, B_, X_.clone(), iK, iparams, fparams, bparams, method, tracker)
        worker.run()
        return worker.E[:k], worker.X[:, :k]

    if A.dim() == 2:
        return solve(A, B, X)
    batch = tuple(A.shape[:-2])
    bA = A.reshape((-1,) + tuple(A.shape[-2:]))
    bB = None if B is None else B.reshape((-1,) + tuple(A.shape[-2:]))
    bX = None if X is None else X.reshape((-1,) + tuple(X.shape[-2:]))
    Es, Xs = [], []
    for i in range(bA.shape[0]):          # one solve per matrix; X drawn just before each, as in PyTorch
        iparams["batch_index"] = i
        E_, X_ = solve(bA[i], None if bB is None else bB[i], None if bX is None else bX[i])
        Es.append(E_)
        Xs.append(X_)
    return stack(Es).reshape(batch + (k,)), stack(Xs).reshape(batch + (m, k))


# ---------------------------------------------------------------------------------------------- LOBPCG backward
def _poly_from_roots(roots):
    """Coefficients c_0..c_k (lowest power first, c_k = 1) of prod_i (x - roots_i), over roots' last dim."""
    k = roots.shape[-1]
    coeffs = [roots.new_ones(roots.shape[:-1])]           # the polynomial 1
    for i in range(k):
        r = roots[..., i]
        nxt = [-r * coeffs[0]]                             # multiply by (x - r)
        nxt += [coeffs[j - 1] - r * coeffs[j] for j in range(1, len(coeffs))]
        nxt.append(coeffs[-1])
        coeffs = nxt
    return stack(coeffs, -1)


def _poly_at_vector(coeffs, x):
    """sum_j coeffs[..., j] x^j elementwise (Horner; the leading coefficient is 1)."""
    res = x.new_ones(()).expand(x.shape)
    for j in range(coeffs.shape[-1] - 2, -1, -1):
        res = coeffs[..., j].unsqueeze(-1) + x * res
    return res


def _poly_at_matrix(coeffs, A):
    """p(A) = sum_j coeffs[..., j] A^j (Horner; the leading coefficient is 1)."""
    I = eye(A.shape[-1], dtype=A.dtype, device=A.device)
    res = I.expand(A.shape)
    for j in range(coeffs.shape[-1] - 2, -1, -1):
        res = A @ res + coeffs[..., j, None, None] * I
    return res


def _symeig_backward_complete(D_grad, U_grad, D, U):
    """dA for A = U diag(D) U^T with every eigenpair: U (diag(dD) + (U^T dU) / (D_j - D_i)) U^T."""
    F = D.unsqueeze(-2) - D.unsqueeze(-1)
    diag = eye(D.shape[-1], dtype=D.dtype, device=D.device).bool()
    F = F.masked_fill(diag, float("inf"))                  # 1/inf = 0: no diagonal term
    Ut = U.mT
    return U @ ((D_grad.diag_embed() + (Ut @ U_grad) * F.reciprocal()) @ Ut)


def _symeig_backward_partial(D_grad, U_grad, A, D, U, largest):
    """dA when only k < m eigenpairs are known: the complete-eigenspace term plus a correction on the
    complement of span(U), found through the characteristic polynomial p of D (p(A) is invertible there)."""
    Ut = U.mT
    proj = eye(A.shape[-1], dtype=A.dtype, device=A.device) - U @ Ut
    gen = Generator(A.device)                 # a fresh generator, default seed: deterministic, as PyTorch's
    U_ortho = proj @ randn((*A.shape[:-1], A.shape[-1] - D.shape[-1]), dtype=A.dtype, device=A.device,
                           generator=gen)
    U_ortho_t = U_ortho.mT
    poly = _poly_from_roots(D)
    k = poly.shape[-1] - 1
    # series_acc = sum_{i=1..k} A^{i-1} dU diag(sum_{j>=i} c_j D^{j-i})
    projected = U_grad
    series_acc = U_grad.new_zeros(U_grad.shape)
    for i in range(1, k + 1):
        series_acc = series_acc + projected * _poly_at_vector(poly[..., i:], D).unsqueeze(-2)
        projected = A @ projected
    p_A_ortho = U_ortho_t @ (_poly_at_matrix(poly, A) @ U_ortho)
    sign = -1 if largest and k % 2 == 1 else 1     # p(A) on the complement is definite with this sign
    L = linalg_cholesky(sign * p_A_ortho)
    res = _symeig_backward_complete(D_grad, U_grad, D, U)
    return res - U_ortho @ (sign * cholesky_solve(U_ortho_t @ series_acc, L)) @ Ut


class LOBPCGAutogradFunction(Function):
    """lobpcg with a gradient for A (B = I): the symmetric eigenproblem's backward."""

    @staticmethod
    def forward(ctx, A, k, B, X, n, iK, niter, tol, largest, method, tracker, ortho_iparams, ortho_fparams,
                ortho_bparams):
        A = A.contiguous()
        B = None if B is None else B.contiguous()
        E, U = _lobpcg(A, k, B, X, n, iK, niter, tol, largest, method, tracker, ortho_iparams, ortho_fparams,
                       ortho_bparams)
        ctx.save_for_backward(A, B, E, U)
        ctx.largest = largest
        return E, U

    @staticmethod
    def backward(ctx, D_grad, U_grad):
        A, B, D, U = ctx.saved_tensors
        if A.is_complex() or (B is not None and B.is_complex()):
            raise ValueError("lobpcg.backward does not support complex input yet. Note that lobpcg.forward does "
                             "though.")
        if B is not None:
            raise ValueError("lobpcg.backward does not support backward with B != I yet.")
        largest = True if ctx.largest is None else ctx.largest
        if U.shape[-1] == U.shape[-2]:
            A_grad = _symeig_backward_complete(D_grad, U_grad, D, U)
        else:
            A_grad = _symeig_backward_partial(D_grad, U_grad, A, D, U, largest)
        return (A_grad,) + (None,) * 13


def lobpcg(A, k=None, B=None, X=None, n=None, iK=None, niter=None, tol=None, largest=None, method=None,
           tracker=None, ortho_iparams=None, ortho_fparams=None, ortho_bparams=None):
    """The ``k`` largest (``largest=False``: smallest) eigenpairs of ``A X = B X diag(E)``, A (*, m, m) symmetric,
    B symmetric positive definite (None: I), by LOBPCG: ``(E (*, k), X (*, m, k))``.

    ``X`` (*, m, n) is the initial guess (default: ``randn``, n = k); ``iK`` a preconditioner (m, m); ``niter``
    the iteration limit (default 1000; -1: until converged); ``tol`` the relative residual for convergence
    (default sqrt(eps)); ``method`` "ortho" (default) or "basic"; ``tracker(worker)`` is called each iteration.
    Requires m >= 3 n. A gradient flows to ``A`` (symmetrised as (A + A^T) / 2) when B is None.
    """
    if not isinstance(A, Tensor):
        raise TypeError(f"lobpcg(): argument 'A' must be Tensor, not {type(A).__name__}")
    args = (k, B, X, n, iK, niter, tol, largest, method, tracker, ortho_iparams, ortho_fparams, ortho_bparams)
    if A.requires_grad or (B is not None and B.requires_grad):
        A_sym = (A + A.mT) / 2
        B_sym = None if B is None else (B + B.mT) / 2
        return LOBPCGAutogradFunction.apply(A_sym, k, B_sym, *args[2:])
    with no_grad():
        return _lobpcg(A, *args)
