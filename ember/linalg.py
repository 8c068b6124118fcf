"""``torch.linalg``: norms, ``inv``, ``det``, ``solve`` and the products already in ``ember.ops.linalg``."""
import math

from . import _autocast
from .ops._util import Op, Tensor, xp_of
from .ops.linalg import cross as _cross, matmul, Mm
from .ops.reduction import _vector_norm

__all__ = ["vector_norm", "matrix_norm", "norm", "inv", "det", "solve", "cross", "matmul", "multi_dot", "vecdot"]


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):  # noqa: A002 - PyTorch's name
    """``||x||_ord`` over ``dim`` (all elements when None): ord 2, 1, inf, -inf, 0 or any real."""
    r = _vector_norm(x, ord, dim, keepdim, dtype)
    return r if out is None else out.copy_(r)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):  # noqa: A002
    """Frobenius norm of the matrices in the last two dims (``ord='fro'``; other ords are not supported)."""
    if ord != "fro":
        raise RuntimeError(f"linalg.matrix_norm: Ember supports ord='fro' only (got {ord!r})")
    if A.ndim < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    return vector_norm(A, 2, dim, keepdim, dtype=dtype, out=out)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):  # noqa: A002
    """Vector norm (``ord`` a number, or None = 2-norm of all elements) or Frobenius matrix norm ('fro')."""
    if isinstance(ord, str):
        return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype, out=out)
    if ord is not None and dim is None and A.ndim == 2:
        raise RuntimeError("linalg.norm: matrix norms with a numeric ord are not supported by Ember; use "
                           "linalg.vector_norm(A.flatten(), ord) or ord='fro'")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)


def _square(op, A):
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.{op}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2] if A.ndim > 1 else 1} by {A.shape[-1] if A.ndim else 1} matrices")
    if not (A.is_floating_point() or A.is_complex()):
        raise RuntimeError(f"linalg.{op}: Expected a floating point or complex tensor as input. Got "
                           f"{str(A.dtype).replace('torch.', '')}")


class LinalgInvEx(Op):
    """Inverse; backward ``-A^{-T} g A^{-T}``."""

    @staticmethod
    def forward(ctx, a):
        xp = xp_of(a)
        try:
            y = xp.linalg.inv(a)
        except Exception as e:  # NumPy's LinAlgError: singular
            raise RuntimeError("linalg.inv: The diagonal element 1 is zero, the inversion could not be completed "
                               f"because the input matrix is singular. ({e})") from None
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        yt = y.mT
        return -(matmul(matmul(yt, g), yt))


def inv(A, *, out=None):
    """Inverse of a square matrix (or a batch of them)."""
    _square("inv", A)
    r = LinalgInvEx.apply(A)
    return r if out is None else out.copy_(r)


class LinalgDet(Op):
    """Determinant; backward ``g * det(A) * A^{-T}``."""

    @staticmethod
    def forward(ctx, a):
        r = xp_of(a).linalg.det(a).astype(a.dtype, copy=False)
        ctx.save_for_backward(a, r)
        return r

    @staticmethod
    def backward(ctx, g):
        a, r = ctx.saved_tensors
        return (g * r).unsqueeze(-1).unsqueeze(-1) * inv(a).mT


def det(A, *, out=None):
    """Determinant of a square matrix (or a batch of them)."""
    _square("det", A)
    r = LinalgDet.apply(A)
    return r if out is None else out.copy_(r)


def solve(A, B, *, left=True, out=None):
    """``X`` with ``A @ X = B`` (computed as ``inv(A) @ B``, so gradients flow to both)."""
    _square("solve", A)
    r = matmul(inv(A), B) if left else matmul(B, inv(A))
    return r if out is None else out.copy_(r)


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
