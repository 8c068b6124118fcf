"""``nn.utils.parametrizations``: ``weight_norm``, ``spectral_norm`` and ``orthogonal`` built on
``nn.utils.parametrize`` (the modern forms of ``nn.utils.weight_norm`` / ``spectral_norm``).

Each registers a small Module as a parametrization of ``module.<name>``:

* ``weight_norm``: ``w = g * v / ||v||`` with ``g`` and ``v`` stored as
  ``parametrizations.<name>.original0`` / ``original1``.
* ``spectral_norm``: ``w = W / sigma(W)``, ``sigma`` estimated by power iteration on
  buffers ``_u``, ``_v`` (updated in training mode only).
* ``orthogonal``: ``w`` orthogonal (or with orthonormal rows/columns), through the matrix
  exponential, the Cayley map or a product of Householder reflectors.
"""
from enum import Enum, auto

from ... import linalg as _linalg
from ... import ops as _ops
from ..._finfo import finfo
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...ops._util import xp_of
from ...ops.creation import eye, zeros_like
from ...ops.join import cat
from ...ops.random import randn
from .. import functional as F
from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ..modules.module import Module
from . import parametrize

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


# ---------------------------------------------------------------- helpers on Ember ops (autograd sees through them)
def _norm_except_dim(v, dim):
    """The 2-norm of ``v`` over every dim but ``dim`` (kept, size 1); ``dim == -1`` means over all dims (0-d)."""
    if dim == -1:
        return v.norm(2)
    dim = dim % v.dim()
    return _linalg.vector_norm(v, 2, dim=[d for d in range(v.dim()) if d != dim], keepdim=True)


def _weight_norm(v, g, dim):
    """PyTorch's ``_weight_norm``: ``v * g / ||v||`` with the norm over every dim but ``dim``."""
    return v * (g / _norm_except_dim(v, dim))


def _is_orthogonal(Q):
    n, k = Q.size(-2), Q.size(-1)
    Id = eye(k, dtype=Q.dtype, device=Q.device)
    eps = 10.0 * n * finfo(Q.dtype).eps
    return bool((Q.mH @ Q).allclose(Id, atol=eps))


def _make_orthogonal(A):
    """The Q of ``A = QR`` (A tall) with ``diag(R) >= 0``."""
    Q, R = _linalg.qr(A)
    return Q * R.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


# ---------------------------------------------------------------- orthogonal
class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


class _Orthogonal(Module):
    """Maps a (..., n, k) tensor to one with orthonormal columns (n >= k) or rows (n < k)."""

    def __init__(self, weight, orthogonal_map, *, use_trivialization=True):
        super().__init__()
        if weight.is_complex() and orthogonal_map == _OrthMaps.householder:
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X):
        n, k = X.size(-2), X.size(-1)
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        # X is tall (n >= k) from here on
        if self.orthogonal_map in (_OrthMaps.matrix_exp, _OrthMaps.cayley):
            X = X.tril()        # n*k - k(k-1)/2 free entries
            if n != k:          # embed in a square matrix
                X = cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
            A = X - X.mH        # skew-symmetric: its exponential / Cayley transform is orthogonal
            if self.orthogonal_map == _OrthMaps.matrix_exp:
                Q = _ops.public["matrix_exp"](A)
            else:               # (I - A/2)^{-1} (I + A/2)
                Id = eye(n, dtype=A.dtype, device=A.device)
                Q = _linalg.solve(Id - 0.5 * A, Id + 0.5 * A)
            if n != k:
                Q = Q[..., :k]
        else:
            A = X.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = _linalg.householder_product(A, tau)
            # X's diagonal (+-1, not trained: the int cast cuts the gradient) picks each reflector's sign
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        if hasattr(self, "base"):
            Q = self.base @ Q
        if transposed:
            Q = Q.mT
        return Q

    def right_inverse(self, Q):
        with no_grad():
            if Q.shape != self.shape:
                raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                                 f"Got a tensor of shape {Q.shape}.")
            Q_init = Q
            n, k = Q.size(-2), Q.size(-1)
            transpose = n < k
            if transpose:
                Q = Q.mT
                n, k = k, n
            if not hasattr(self, "base"):
                if self.orthogonal_map in (_OrthMaps.cayley, _OrthMaps.matrix_exp):
                    raise NotImplementedError("It is not possible to assign to the matrix exponential or the Cayley "
                                              "parametrizations when use_trivialization=False.")
                # Householder: the reflectors of Q's QR decomposition, with diag(R) > 0 encoded as signs
                A, tau = _ops.public["geqrf"](Q)
                xp = xp_of(A._data)
                d = xp.sign(A._data.diagonal(axis1=-2, axis2=-1))
                d = d * xp.where(tau._data == 0, -1, 1).astype(d.dtype)   # no reflection there: flip back
                idx = xp.arange(k)
                A._data[..., idx, idx] = d
                return A.mT if transpose else A
            if n == k:
                Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
            else:               # complete Q to a square orthogonal matrix
                N = randn(*(tuple(Q.shape[:-2]) + (n, n - k)), dtype=Q.dtype, device=Q.device)
                Q = _make_orthogonal(cat([Q, N], dim=-1))
            self.base = Q
            # -Id: the Householder map sends it to eye(n, k), the other two maps to the identity as well
            neg_id = zeros_like(Q_init)
            neg_id.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
            return neg_id


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    """Make ``module.<name>`` (a matrix or batch of matrices) orthogonal: orthonormal columns when it is tall,
    orthonormal rows when it is wide.

    ``orthogonal_map``: ``"matrix_exp"`` (default for square or complex matrices), ``"cayley"`` or
    ``"householder"`` (default otherwise). With ``use_trivialization=True`` a base matrix is kept in
    ``module.parametrizations.<name>[0].base`` and the initial value is the original weight if it is
    orthogonal, else its Q factor. Returns ``module``.
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        square = weight.size(-2) == weight.size(-1)
        orthogonal_map = "matrix_exp" if square or weight.is_complex() else "householder"
    orth_enum = getattr(_OrthMaps, orthogonal_map, None) if isinstance(orthogonal_map, str) else None
    if orth_enum is None:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
                         f"Got: {orthogonal_map}")
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module


# ---------------------------------------------------------------- weight norm
class _WeightNorm(Module):
    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        weight_g = _norm_except_dim(weight, self.dim)
        return weight_g, weight


def weight_norm(module, name="weight", dim=0):
    """Weight normalization: ``module.<name> = g * v / ||v||``, the norm taken over every dim but ``dim``
    (over the whole tensor for ``dim=None``). ``g`` and ``v`` are ``parametrizations.<name>.original0`` and
    ``original1``. A state_dict saved with the legacy ``nn.utils.weight_norm`` (``<name>_g``/``<name>_v``)
    still loads. Returns ``module``."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _weight_norm_compat_hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                 error_msgs):
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            state_dict[f"{prefix}parametrizations.{name}.original0"] = state_dict.pop(g_key)
            state_dict[f"{prefix}parametrizations.{name}.original1"] = state_dict.pop(v_key)

    module.register_load_state_dict_pre_hook(lambda _module, *args: _weight_norm_compat_hook(*args))
    return module


# ---------------------------------------------------------------- spectral norm
class _SpectralNorm(Module):
    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:    # a vector is just normalized (see forward): nothing to estimate
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.size()
            u = weight_mat.new_empty(h).normal_(0, 1)
            v = weight_mat.new_empty(w).normal_(0, 1)
            self.register_buffer("_u", F.normalize(u, dim=0, eps=self.eps))
            self.register_buffer("_v", F.normalize(v, dim=0, eps=self.eps))
            self._power_method(weight_mat, 15)     # start from good estimates of the singular vectors

    def _reshape_weight_to_matrix(self, weight):
        """(out, rest): ``dim`` first, the other dims flattened."""
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat, n_power_iterations):
        # u and v are updated in place (buffers shared with replicas); forward clones them before use so
        # that a graph built by an earlier forward still finds the values it saved.
        with no_grad():
            for _ in range(n_power_iterations):
                self._u = F.normalize(weight_mat.mv(self._v), dim=0, eps=self.eps, out=self._u)
                self._v = F.normalize(weight_mat.H.mv(self._u), dim=0, eps=self.eps, out=self._v)

    def forward(self, weight):
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()
        sigma = u.vdot(weight_mat.mv(v))
        return weight / sigma

    def right_inverse(self, value):
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Spectral normalization: ``module.<name> = W / sigma(W)``, ``sigma`` the largest singular value of ``W``
    (reshaped to (``dim``, rest)), estimated by ``n_power_iterations`` power-method steps at each access in
    training mode (eval mode reuses the last estimate). ``dim`` defaults to 1 for ConvTranspose, else 0.
    Returns ``module``."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
