"""Products and linear algebra: ``matmul @ mm mv bmm dot vdot outer ger addmm addmv baddbmm addbmm
einsum tensordot kron trace cross``.

``matmul`` dispatches on the operands' dims as PyTorch does, so ``grad_fn``
prints the same names: 2-D @ 2-D is ``MmBackward0``, 1-D @ 1-D ``DotBackward0``,
2-D @ 1-D ``MvBackward0``; batched operands are folded into one ``mm`` (or
``mv``) when the second operand is a matrix (vector), else broadcast into one
``bmm``, and the result is reshaped back (``UnsafeViewBackward0``).
"""
import warnings

import numpy as np

from .. import _autocast
from .. import _dtype as D
from ._util import GradMode, Op, Tensor, _wrap_dim, is_reduced, tensor_method, xp_of
from ._util import conj_if_complex as _cj

_new = object.__new__

__all__ = ['matmul', 'mm', 'mv', 'bmm', 'dot', 'vdot', 'inner', 'outer', 'ger', 'addmm', 'addmv', 'baddbmm',
           'addbmm', 'einsum', 'tensordot', 'kron', 'trace', 'cross', 'chain_matmul']

# PyTorch prints C++ scalar type names in these messages ("float != double").
_C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
            "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "bool": "bool", "complex64": "c10::complex<float>",
            "complex128": "c10::complex<double>"}
_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
                 "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
                 "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def _tname(t, table):
    n = str(t.dtype).replace("torch.", "")
    return table.get(n, n)


def _same_dtype(a, b):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_tname(a, _C_NAMES)} != "
                           f"{_tname(b, _C_NAMES)} (convert one operand first, e.g. b.to(a.dtype))")


def _mm_error(a_shape, b_shape):
    rows, cols = (a_shape[-2] if len(a_shape) > 1 else 1), a_shape[-1]
    b_rows, b_cols = b_shape[0], (b_shape[1] if len(b_shape) > 1 else 1)
    return RuntimeError(
        f"mat1 and mat2 shapes cannot be multiplied ({rows}x{cols} and {b_rows}x{b_cols}): the number of columns "
        f"of the first ({cols}) must equal the number of rows of the second ({b_rows}). Did you mean to "
        f"transpose the second matrix, e.g. weights.view({b_cols}, {b_rows}) or weights.t()?")


def _vec_size_error(n, m):
    return RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same number "
                        f"of elements, but got {n} and {m} elements respectively")


# ---------------------------------------------------------------------------------------------- the kernels
def _reduced_addmm(c, a, b, beta, alpha, reduce):
    """``beta * c + alpha * (a @ b)`` (the batch summed with ``reduce``) for float16/bfloat16: in float32, as
    PyTorch accumulates, rounded once."""
    f32, xp = np.float32, xp_of(a)
    prods = xp.matmul(a.astype(f32), b.astype(f32))
    prods = prods * f32(alpha) if alpha != 1 else prods
    start = None if beta == 0 else c.astype(f32) if beta == 1 else f32(beta) * c.astype(f32)
    if not reduce:
        return (prods if start is None else prods + start).astype(a.dtype)
    # addbmm: PyTorch adds the batches' products to the rounded result one at a time
    out = (xp.zeros(prods.shape[1:], f32) if start is None else xp.broadcast_to(start, prods.shape[1:])).astype(a.dtype)
    for p in prods:
        out = (out.astype(f32) + p).astype(a.dtype)
    return out


def _same_type(a, out):
    """NumPy computes bfloat16 (ml_dtypes) products in float32: give the result the operands' dtype back."""
    return out if out.dtype == a.dtype else out.astype(a.dtype)



class T(Op):
    """The transpose of a matrix, as ``nn.Linear`` takes its weight (PyTorch's ``TBackward0``)."""

    @staticmethod
    def forward(ctx, w):
        base = w.base
        if (type(base) is type(w) and base.ndim == 2 and base.shape == w.shape[::-1] and base.strides == w.strides[::-1]
                and base.__array_interface__["data"][0] == w.__array_interface__["data"][0]):
            return base     # w is itself a transposed view: give back the array it views (no copy later)
        return w.T

    @staticmethod
    def backward(ctx, g):
        return T.apply(g)

    @staticmethod
    def backward_data(ctx, g):
        return T.forward(None, g)


def transposed_weight(weight):
    """``weight.t()`` for a layer: a graph node only when a gradient is needed; shares the weight's version
    counter, so changing the weight in place before backward is caught as in PyTorch."""
    wt = T.apply(weight)
    wt._version = weight._version
    return wt



class Mm(Op):
    """``op(a) @ op(b)`` for 2-D a, b, where op transposes when ``ta``/``tb`` is set.

    The transposes are flags, not view ops, so a backward costs one node and
    one BLAS call per gradient (BLAS reads transposed operands directly):
    for out = A B, dA = g B^H and dB = A^H g (^T for real operands).
    """

    @staticmethod
    def forward(ctx, a, b, ta=False, tb=False):
        needs = ctx.needs_input_grad
        if needs:
            ctx.ta, ctx.tb = ta, tb
            ctx.save_for_backward(a if len(needs) > 1 and needs[1] else None, b if needs[0] else None)
        return _same_type(a, (a.T if ta else a) @ (b.T if tb else b))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        a, b = _cj(a), _cj(b)          # complex: conjugate transposes
        ta, tb = ctx.ta, ctx.tb
        ga = gb = None
        if ctx.needs_input_grad[0]:    # d/dop(a) = g op(b)^T, transposed back when ta
            ga = Mm.apply(b, g, ta=tb, tb=True) if ta else Mm.apply(g, b, tb=not tb)
        if len(ctx.needs_input_grad) > 1 and ctx.needs_input_grad[1]:   # d/dop(b) = op(a)^T g
            gb = Mm.apply(g, a, ta=True, tb=ta) if tb else Mm.apply(a, g, ta=not ta)
        return ga, gb

    @staticmethod
    def backward_data(ctx, g):
        a, b = ctx.saved_data
        a, b = _cj(a), _cj(b)
        ta, tb = ctx.ta, ctx.tb
        needs = ctx.needs_input_grad
        ga = gb = None
        if needs[0]:
            ga = _mm(b, g, tb, True) if ta else _mm(g, b, False, not tb)
        if len(needs) > 1 and needs[1]:
            gb = _mm(g, a, True, ta) if tb else _mm(a, g, not ta, False)
        return ga, gb


def _mm(a, b, ta, tb):
    """``op(a) @ op(b)`` on arrays (``Mm.forward`` without a ctx)."""
    return _same_type(a, (a.T if ta else a) @ (b.T if tb else b))


class Dot(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _same_type(a, xp_of(a).asarray(a @ b))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * _cj(b), g * _cj(a)


class Vdot(Dot):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return xp_of(a).asarray(xp_of(a).vdot(a, b))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _cj(g) * b, g * a      # out = sum(conj(a) * b)


class Mv(Op):
    @staticmethod
    def forward(ctx, a, v):
        ctx.save_for_backward(a, v)
        return _same_type(a, a @ v)

    @staticmethod
    def backward(ctx, g):
        a, v = ctx.saved_tensors
        ga = g.unsqueeze(-1) * _cj(v) if ctx.needs_input_grad[0] else None
        gv = Mv.apply(_cj(a).mT, g) if ctx.needs_input_grad[1] else None
        return ga, gv


class Bmm(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _same_type(a, xp_of(a).matmul(a, b))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = Bmm.apply(g, _cj(b).mT) if ctx.needs_input_grad[0] else None
        gb = Bmm.apply(_cj(a).mT, g) if ctx.needs_input_grad[1] else None
        return ga, gb


class UnsafeView(Op):
    """The reshape that ends a folded/batched matmul (PyTorch's ``_unsafe_view``)."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape)


# ---------------------------------------------------------------------------------------------- matmul
@tensor_method("matmul", "__matmul__")
def matmul(input, other, *, out=None):
    """Matrix product with PyTorch's rules: 1-D operands are vectors, leading dims broadcast as batches."""
    if _autocast.on:
        input, other = _autocast.lower("matmul", input, other)
    if not isinstance(other, Tensor):
        if out is None and not isinstance(input, Tensor):
            return NotImplemented
        raise TypeError(f"matmul(): argument 'other' must be Tensor, not {type(other).__name__}")
    a, b = input._data, other._data
    da, db = a.ndim, b.ndim
    if a.dtype != b.dtype:
        _same_dtype(input, other)
    if da == 2 and db == 2:          # the common case first: no other checks
        if a.shape[1] != b.shape[0]:
            raise _mm_error(a.shape, b.shape)
        if type(a) is np.ndarray and type(b) is np.ndarray and a.dtype.kind == "f" and a.dtype == b.dtype:
            if not ((input._requires_grad or other._requires_grad) and GradMode.enabled):
                t = _new(Tensor)        # no graph to build: one BLAS call and a Tensor
                t._data, t._version, t._requires_grad, t._grad_fn = a @ b, [0], False, None
                return t
            r = Mm._apply_with_grad((input, other), [a, b], {})     # both on the CPU: no device check
        else:
            r = Mm.apply(input, other)
    elif da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D")
    elif da == 1 and db == 1:
        if a.shape[0] != b.shape[0]:
            raise _vec_size_error(a.shape[0], b.shape[0])
        r = Dot.apply(input, other)
    elif da == 2 and db == 1:
        if a.shape[1] != b.shape[0]:
            raise _mm_error(a.shape, b.shape)
        r = Mv.apply(input, other)
    elif da == 1 and db == 2:
        if a.shape[0] != b.shape[0]:
            raise _mm_error((1,) + a.shape, b.shape)
        r = Mm.apply(input.unsqueeze(0), other).squeeze(0)
    elif da >= 3 and db <= 2:        # fold the batch into the rows: one mm (or mv)
        k = a.shape[-1]
        folded = input.reshape(-1, k)
        if db == 2:
            if b.shape[0] != k:
                raise _mm_error(folded.shape, b.shape)
            r = UnsafeView.apply(Mm.apply(folded, other), a.shape[:-1] + (b.shape[1],))
        else:
            if b.shape[0] != k:
                raise _vec_size_error(k, b.shape[0])
            r = UnsafeView.apply(Mv.apply(folded, other), a.shape[:-1])
    elif da == 1 and db >= 3:        # v @ B == B^T @ v
        if b.shape[-2] != a.shape[0]:
            raise _vec_size_error(a.shape[0], b.shape[-2])
        r = matmul(other.mT, input)
    else:
        r = _batched(input, other)
    if out is not None:
        from ._util import wrap_out
        return wrap_out(r, out)
    return r


def _broadcast_batch(sa, sb):
    n = max(len(sa), len(sb))
    pa, pb = (1,) * (n - len(sa)) + tuple(sa), (1,) * (n - len(sb)) + tuple(sb)
    out = []
    for i, (x, y) in enumerate(zip(pa, pb)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton "
                               f"dimension {i} (matmul broadcasts the batch dims {list(sa)} and {list(sb)}; make "
                               "them equal or 1)")
        out.append(max(x, y))
    return tuple(out)


def _batched(input, other):
    """N-D @ N-D: broadcast the batch dims, run one bmm, reshape back."""
    a_vec, b_vec = input.ndim == 1, other.ndim == 1
    a = input.unsqueeze(0) if a_vec else input
    b = other.unsqueeze(-1) if b_vec else other
    n, k = a.shape[-2:]
    k2, m = b.shape[-2:]
    if k != k2:
        raise _mm_error((n, k), (k2, m))
    batch = _broadcast_batch(a.shape[:-2], b.shape[:-2])
    nb = 1
    for s in batch:
        nb *= s
    a3 = (a.expand(*batch, n, k) if a.shape[:-2] != batch else a).reshape(nb, n, k)
    b3 = (b.expand(*batch, k, m) if b.shape[:-2] != batch else b).reshape(nb, k, m)
    shape = batch + ((n,) if not a_vec else ()) + ((m,) if not b_vec else ())
    return UnsafeView.apply(Bmm.apply(a3, b3), shape)


Tensor.__rmatmul__ = lambda self, other: matmul(other, self) if isinstance(other, Tensor) else NotImplemented


def _matmul_operator(self, other):
    """``x @ y``: two 2-D float CPU tensors of one dtype go straight to BLAS, or to the graph node when a
    gradient is needed (the checks ``matmul`` would make all pass); everything else goes through ``matmul``."""
    if type(other) is Tensor:
        a, b = self._data, other._data
        if (type(a) is np.ndarray and type(b) is np.ndarray and a.ndim == 2 and b.ndim == 2 and a.dtype is b.dtype
                and a.dtype.kind == "f" and a.shape[1] == b.shape[0] and not _autocast.on):
            if (self._requires_grad or other._requires_grad) and GradMode.enabled:
                return Mm._apply_with_grad((self, other), [a, b], {})
            t = _new(Tensor)
            t._data, t._version, t._requires_grad, t._grad_fn = a @ b, [0], False, None
            return t
    return matmul(self, other)


Tensor.__matmul__ = _matmul_operator


# ---------------------------------------------------------------------------------------------- mm mv bmm dot
@tensor_method("mm")
def mm(input, mat2, *, out=None):
    """Matrix product of two 2-D tensors (no broadcasting; see ``matmul``)."""
    if _autocast.on:
        input, mat2 = _autocast.lower("mm", input, mat2)
    if input.ndim != 2 or mat2.ndim != 2:
        which = "self" if input.ndim != 2 else "mat2"
        raise RuntimeError(f"{which} must be a matrix (mm needs two 2-D tensors, got {input.ndim}D and "
                           f"{mat2.ndim}D; use matmul or @ for vectors and batches)")
    _same_dtype(input, mat2)
    if input.shape[1] != mat2.shape[0]:
        raise _mm_error(input.shape, mat2.shape)
    return _maybe_out(Mm.apply(input, mat2), out)


def _maybe_out(r, out):
    if out is None:
        return r
    from ._util import wrap_out
    return wrap_out(r, out)


@tensor_method("mv")
def mv(input, vec, *, out=None):
    """Matrix (n x m) times vector (m) -> vector (n)."""
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.ndim}, {vec.ndim} (mv needs a 2-D "
                           "matrix and a 1-D vector)")
    _same_dtype(input, vec)
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0]}), mat ({input.shape[0]}x{input.shape[1]}), "
                           f"vec ({vec.shape[0]}): the vector needs {input.shape[1]} elements, one per column")
    return _maybe_out(Mv.apply(input, vec), out)


def _check_bmm(op, b1, b2, n1="batch1", n2="batch2"):
    if b1.ndim != 3:
        raise RuntimeError(f"{n1} must be a 3D tensor ({op} multiplies batches of matrices, shape (b, n, m); "
                           f"got shape {list(b1.shape)})")
    if b2.ndim != 3:
        raise RuntimeError(f"{n2} must be a 3D tensor ({op} multiplies batches of matrices, shape (b, m, p); "
                           f"got shape {list(b2.shape)})")
    if b2.shape[0] != b1.shape[0] or b2.shape[1] != b1.shape[2]:
        raise RuntimeError(f"Expected size for first two dimensions of {n2} tensor to be: [{b1.shape[0]}, "
                           f"{b1.shape[2]}] but got: [{b2.shape[0]}, {b2.shape[1]}]. ({op}: {n1} is "
                           f"{list(b1.shape)}, {n2} is {list(b2.shape)}; batch sizes must match and the columns of "
                           f"{n1} must equal the rows of {n2})")
    _same_dtype(b1, b2)


@tensor_method("bmm")
def bmm(input, mat2, *, out=None):
    """Batched matrix product: (b, n, m) @ (b, m, p) -> (b, n, p); no broadcasting."""
    if _autocast.on:
        input, mat2 = _autocast.lower("bmm", input, mat2)
    _check_bmm("bmm", input, mat2)
    return _maybe_out(Bmm.apply(input, mat2), out)


def _check_vectors(op, a, b):
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors ({op} of shapes "
                           f"{list(a.shape)} and {list(b.shape)}; flatten them or use matmul/sum(a * b))")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"{op} : expected both vectors to have same dtype, but found {_tname(a, _SCALAR_NAMES)} "
                           f"and {_tname(b, _SCALAR_NAMES)}")
    if a.shape[0] != b.shape[0]:
        raise _vec_size_error(a.shape[0], b.shape[0])


@tensor_method("dot")
def dot(input, tensor, *, out=None):
    """Inner product of two 1-D tensors of the same size and dtype (0-dim result)."""
    _check_vectors("dot", input, tensor)
    return _maybe_out(Dot.apply(input, tensor), out)


@tensor_method("vdot")
def vdot(input, other, *, out=None):
    """Inner product with the first vector conjugated (same as ``dot`` for real tensors)."""
    _check_vectors("vdot", input, other)
    return _maybe_out(Vdot.apply(input, other), out)


@tensor_method("inner")
def inner(input, other, *, out=None):
    """Sum-product over the last dims (``dot`` for vectors)."""
    if input.ndim == 0 or other.ndim == 0:
        return _maybe_out(input * other, out)
    return _maybe_out(tensordot(input, other, ([-1], [-1])), out)


@tensor_method("outer")
def outer(input, vec2, *, out=None):
    """Outer product of two 1-D tensors: ``out[i, j] = input[i] * vec2[j]``."""
    for name, t in (("self", input), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D")
    return _maybe_out(input.reshape(-1, 1) * vec2, out)


@tensor_method("ger")
def ger(input, vec2, *, out=None):
    """Old name of ``outer``."""
    return outer(input, vec2, out=out)


# ---------------------------------------------------------------------------------------------- add*mm family
class Addmm(Op):
    """``beta * input + alpha * (mat1 @ mat2)`` in one node (what ``nn.Linear`` runs on 2-D input)."""

    @staticmethod
    def forward(ctx, c, a, b, beta, alpha):
        needs = ctx.needs_input_grad
        if needs:   # a is needed for b's gradient and b for a's
            ctx.beta, ctx.alpha = beta, alpha
            ctx.save_for_backward(a if len(needs) > 2 and needs[2] else None, b if needs[1] else None)
        if is_reduced(a.dtype):
            return _reduced_addmm(c, a, b, beta, alpha, False)
        out = _same_type(a, a @ b)
        if alpha != 1:
            out *= alpha
        if beta != 0:
            out += c if beta == 1 else beta * c
        return out

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        a, b = _cj(a), _cj(b)
        alpha = _cj(ctx.alpha)
        gc = (g if ctx.beta == 1 else g * _cj(ctx.beta)) if ctx.needs_input_grad[0] else None
        ga = gb = None
        if ctx.needs_input_grad[1]:
            ga = Mm.apply(g, b, tb=True)
            ga = ga * alpha if alpha != 1 else ga
        if len(ctx.needs_input_grad) > 2 and ctx.needs_input_grad[2]:
            # (g^T a)^T rather than a^T g: the same numbers, laid out so that when mat2 is a transposed
            # weight (nn.Linear) the weight's gradient arrives as a plain contiguous array
            gb = T.apply(Mm.apply(g, a, ta=True))
            gb = gb * alpha if alpha != 1 else gb
        return gc, ga, gb

    @staticmethod
    def backward_data(ctx, g):
        a, b = ctx.saved_data
        a, b = _cj(a), _cj(b)
        alpha = _cj(ctx.alpha)
        needs = ctx.needs_input_grad
        gc = (g if ctx.beta == 1 else g * _cj(ctx.beta)) if needs[0] else None
        ga = gb = None
        if needs[1]:
            ga = _mm(g, b, False, True)
            if alpha != 1:
                ga *= alpha
        if len(needs) > 2 and needs[2]:
            gb = _mm(g, a, True, False)        # (g^T a)^T: see backward
            if alpha != 1:
                gb *= alpha
            gb = gb.T
        return gc, ga, gb


def _check_add_input(op, c, shape):
    try:
        _broadcast_to_shape(c.shape, shape)
    except ValueError:
        raise RuntimeError(f"The expanded size of the tensor ({shape[-1]}) must match the existing size "
                           f"({c.shape[-1] if c.ndim else 1}) at non-singleton dimension {len(shape) - 1}.  Target "
                           f"sizes: {list(shape)}.  Tensor sizes: {list(c.shape)} ({op}: input must broadcast to "
                           f"the product's shape {list(shape)})") from None


def _broadcast_to_shape(s, target):
    if len(s) > len(target):
        raise ValueError
    for x, y in zip(reversed(s), reversed(target)):
        if x != y and x != 1:
            raise ValueError


@tensor_method("addmm")
def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat1 @ mat2)``; ``input`` broadcasts to the product's shape."""
    if _autocast.on:
        input, mat1, mat2 = _autocast.lower("addmm", input, mat1, mat2)
    if mat1.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"{'mat1' if mat1.ndim != 2 else 'mat2'} must be a matrix, got "
                           f"{mat1.ndim if mat1.ndim != 2 else mat2.ndim}-D tensor (addmm needs 2-D mat1 and mat2)")
    _same_dtype(mat1, mat2)
    if mat1.shape[1] != mat2.shape[0]:
        raise _mm_error(mat1.shape, mat2.shape)
    _check_add_input("addmm", input, (mat1.shape[0], mat2.shape[1]))
    return _maybe_out(Addmm.apply(input, mat1, mat2, beta, alpha), out)


class Addmv(Op):
    @staticmethod
    def forward(ctx, c, a, v, beta, alpha):
        ctx.beta, ctx.alpha = beta, alpha
        ctx.save_for_backward(a, v)
        if is_reduced(a.dtype):
            return _reduced_addmm(c, a, v, beta, alpha, False)
        out = _same_type(a, a @ v)
        if alpha != 1:
            out *= alpha
        if beta != 0:
            out = out + (c if beta == 1 else beta * c)
        return out

    @staticmethod
    def backward(ctx, g):
        a, v = ctx.saved_tensors
        a, v, alpha = _cj(a), _cj(v), _cj(ctx.alpha)
        gc = g * _cj(ctx.beta) if ctx.needs_input_grad[0] else None
        ga = g.unsqueeze(-1) * v * alpha if ctx.needs_input_grad[1] else None
        gv = Mv.apply(a.mT, g) * alpha if len(ctx.needs_input_grad) > 2 and ctx.needs_input_grad[2] else None
        return gc, ga, gv


@tensor_method("addmv")
def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat @ vec)``."""
    mv(mat, vec) if (mat.ndim != 2 or vec.ndim != 1 or mat.shape[1] != vec.shape[0]) else None  # its errors
    _check_add_input("addmv", input, (mat.shape[0],))
    return _maybe_out(Addmv.apply(input, mat, vec, beta, alpha), out)


class Baddbmm(Op):
    """``beta * input + alpha * (batch1 @ batch2)``; with ``reduce`` the batch is summed (``addbmm``)."""

    @staticmethod
    def forward(ctx, c, a, b, beta, alpha, reduce):
        ctx.beta, ctx.alpha, ctx.reduce = beta, alpha, reduce
        ctx.save_for_backward(a, b)
        if is_reduced(a.dtype):
            return _reduced_addmm(c, a, b, beta, alpha, reduce)
        out = _same_type(a, xp_of(a).matmul(a, b))
        if reduce:
            out = out.sum(axis=0)
        if alpha != 1:
            out *= alpha
        if beta != 0:
            out = out + (c if beta == 1 else beta * c)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        a, b, alpha = _cj(a), _cj(b), _cj(ctx.alpha)
        gc = g * _cj(ctx.beta) if ctx.needs_input_grad[0] else None
        gb3 = g.unsqueeze(0).expand(a.shape[0], *g.shape) if ctx.reduce else g
        ga = Bmm.apply(gb3, b.mT) * alpha if ctx.needs_input_grad[1] else None
        gb = Bmm.apply(a.mT, gb3) * alpha if len(ctx.needs_input_grad) > 2 and ctx.needs_input_grad[2] else None
        return gc, ga, gb


class Addbmm(Baddbmm):
    pass


@tensor_method("baddbmm")
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * bmm(batch1, batch2)``."""
    if _autocast.on:
        input, batch1, batch2 = _autocast.lower("baddbmm", input, batch1, batch2)
    _check_bmm("baddbmm", batch1, batch2)
    _check_add_input("baddbmm", input, (batch1.shape[0], batch1.shape[1], batch2.shape[2]))
    return _maybe_out(Baddbmm.apply(input, batch1, batch2, beta, alpha, False), out)


@tensor_method("addbmm")
def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * sum_i batch1[i] @ batch2[i]``."""
    if _autocast.on:
        input, batch1, batch2 = _autocast.lower("addbmm", input, batch1, batch2)
    _check_bmm("addbmm", batch1, batch2)
    _check_add_input("addbmm", input, (batch1.shape[1], batch2.shape[2]))
    return _maybe_out(Addbmm.apply(input, batch1, batch2, beta, alpha, True), out)


def chain_matmul(*matrices, out=None):
    """Product of several matrices, left to right (deprecated in PyTorch: use ``linalg.multi_dot``)."""
    r = matrices[0]
    for m in matrices[1:]:
        r = mm(r, m)
    return _maybe_out(r, out)


# ---------------------------------------------------------------------------------------------- einsum
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse_einsum(equation, operands):
    """-> (list of input subscripts, output subscript) with '...' replaced by letters and operands expanded."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(ins) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    used = set(c for c in eq if c.isalpha())
    for c in eq:
        if not (c.isalpha() or c in ".,->"):
            raise RuntimeError(f"einsum(): invalid subscript given at index {eq.index(c)} in the equation string, "
                               "subscripts must be in [a-zA-Z]")
    free = [c for c in _LETTERS if c not in used]
    ell_n = 0
    for s, t in zip(ins, operands):
        if "..." in s:
            ell_n = max(ell_n, t.ndim - (len(s) - 3))
    ell = "".join(free[:ell_n])
    new_ins, ell_shapes = [], []
    for s, t in zip(ins, operands):
        if "..." in s:
            k = t.ndim - (len(s) - 3)
            new_ins.append(s.replace("...", ell[ell_n - k:] if k else ""))
            ell_shapes.append(tuple(t.shape[s.index("..."):s.index("...") + k]))
        else:
            if len(s) != t.ndim:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(s)}) does not match "
                                   f"the number of dimensions ({t.ndim}) for operand {len(new_ins)} and no "
                                   "ellipsis was given")
            new_ins.append(s)
            ell_shapes.append(())
    if arrow:
        out = rhs.replace("...", ell)
        for c in out:
            if not any(c in s for s in new_ins):
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input "
                                   "operand")
    else:                         # implicit output: ellipsis dims, then letters seen once, sorted
        counts = {}
        for s in ins:
            for c in s.replace("...", ""):
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted((c for c, n in counts.items() if n == 1), key=lambda c: (c.islower(), c)))
    return new_ins, out, ell, ell_shapes


def _einsum_sizes(subs, operands):
    sizes = {}
    for i, (s, t) in enumerate(zip(subs, operands)):
        seen = {}
        for c, n in zip(s, t.shape):
            if c in seen and seen[c] != n:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but the sizes don't "
                                   f"match, {n} != {seen[c]}")
            seen[c] = n
            if c in sizes and sizes[c] != n and n != 1 and sizes[c] != 1:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} which does not "
                                   f"broadcast with previously seen size {sizes[c]}")
            sizes[c] = n if c not in sizes or sizes[c] == 1 else sizes[c]
    return sizes


class Einsum(Op):
    """Forward: ``xp.einsum`` on explicit subscripts. Backward: for each operand, an einsum of the output
    gradient with the other operands onto that operand's subscripts (lonely indices broadcast back,
    repeated indices put back on their diagonal)."""

    @staticmethod
    def forward(ctx, *arrays, subs, out, sizes):
        ctx.subs, ctx.out, ctx.sizes = subs, out, sizes
        ctx.save_for_backward(*arrays)
        eq = ",".join(subs) + "->" + out
        dt = arrays[0].dtype
        if is_reduced(dt):    # float32 sums (as PyTorch's kernels), rounded once
            f32 = np.float32
            return xp_of(arrays[0]).einsum(eq, *[a.astype(f32) for a in arrays], optimize=len(arrays) > 1).astype(dt)
        return xp_of(arrays[0]).einsum(eq, *arrays, optimize=len(arrays) > 1)

    @staticmethod
    def backward(ctx, g):
        ops = ctx.saved_tensors
        grads = []
        for i, s in enumerate(ctx.subs):
            if not ctx.needs_input_grad[i]:
                grads.append(None)
                continue
            others = [ctx.subs[j] for j in range(len(ops)) if j != i]
            avail = set(ctx.out).union(*others) if others else set(ctx.out)
            uniq = "".join(dict.fromkeys(s))
            target = "".join(c for c in uniq if c in avail)
            gi = _einsum_core([ctx.out] + others, target, [g] + [_cj(ops[j]) for j in range(len(ops)) if j != i],
                              ctx.sizes)
            # Indices summed only within this operand: broadcast the gradient back along them.
            if target != uniq:
                shape = [ctx.sizes[c] if c in target else 1 for c in uniq]
                gi = gi.reshape(shape).expand(*[ctx.sizes[c] for c in uniq])
            if uniq != s:
                gi = _undiagonal(gi, uniq, s, ctx.sizes, xp_of(g._data))
            grads.append(gi)
        return tuple(grads)


def _einsum_autocast(equation, operands):
    """einsum under autocast, as PyTorch's: it contracts the operands left to right, a pair that sums over
    dims they share by ``bmm`` (run in the autocast dtype), any other pair by ``mul`` (which promotes). So
    the operands up to the last ``bmm`` are lowered, and the rest joins that result at the promoted dtype.
    None when no ``bmm`` would run (or autocast casts nothing here): the plain einsum is then right."""
    if not all(isinstance(t, Tensor) and t.is_floating_point() and t.dtype is not D.float64 for t in operands):
        return None
    low = _autocast.lower("einsum", *operands)
    if all(a is b for a, b in zip(low, operands)):
        return None
    subs, out, _, _ = _parse_einsum(equation, operands)
    sizes = _einsum_sizes(subs, operands)
    last = {c: i for i, sub in enumerate(subs) for c in sub}
    kept = {c for c in subs[0] if last[c] > 0 or c in out}
    k = None
    for i in range(1, len(subs)):
        dims = set(subs[i])
        summed = {c for c in kept | dims if last[c] == i and c not in out}
        if any(c in kept and c in dims and sizes[c] > 1 for c in summed):
            k = i                       # this pair is a bmm
        kept = (kept | dims) - summed
    if k is None:
        return None
    if k == len(subs) - 1:
        return einsum(",".join(subs) + "->" + out, *low)
    mid = "".join(c for c in dict.fromkeys("".join(subs[:k + 1]))
                  if c in out or any(c in sub for sub in subs[k + 1:]))
    head = einsum(",".join(subs[:k + 1]) + "->" + mid, *low[:k + 1])
    rest = operands[k + 1:]
    dt = head.dtype
    for t in rest:
        dt = D.promote_types(dt, t.dtype)
    return einsum(",".join([mid] + subs[k + 1:]) + "->" + out, head.to(dt), *[t.to(dt) for t in rest])


def _undiagonal(gi, uniq, s, sizes, xp):
    """Gradient over unique subscripts -> over ``s`` with repeats: zeros off the diagonals."""
    extra = [k for k, c in enumerate(s) if s.index(c) != k]        # positions of second occurrences
    first = [s.index(c) for c in uniq]
    gi = gi.reshape(gi.shape + (1,) * len(extra))
    perm = [0] * len(s)
    for j, p in enumerate(first + extra):
        perm[p] = j
    gi = gi.permute(*perm)
    mask = xp.ones((1,) * len(s), dtype=bool)
    for k in extra:
        p = s.index(s[k])
        n = sizes[s[k]]
        shape_p = [1] * len(s)
        shape_p[p] = n
        shape_k = [1] * len(s)
        shape_k[k] = n
        mask = mask & (xp.arange(n).reshape(shape_p) == xp.arange(n).reshape(shape_k))
    return gi * Tensor._wrap(mask.astype(gi._data.dtype))


def _einsum_core(subs, out, operands, sizes):
    return Einsum.apply(*operands, subs=list(subs), out=out, sizes=sizes)


def einsum(equation, *operands):
    """Sum of products over the subscripts of ``equation`` (e.g. ``'ij,jk->ik'``, ``'bii->b'``, ``'...ij->...ji'``)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    if _autocast.on and len(operands) > 1:
        r = _einsum_autocast(equation, operands)
        if r is not None:
            return r
    dts = {t._data.dtype for t in operands}
    if len(dts) > 1:
        bad = next(t for t in operands if t._data.dtype != operands[0]._data.dtype)
        raise RuntimeError(f"expected scalar type {_tname(operands[0], _SCALAR_NAMES)} but found "
                           f"{_tname(bad, _SCALAR_NAMES)} (einsum needs operands of one dtype; convert with .to())")
    subs, out, ell, ell_shapes = _parse_einsum(equation, operands)
    # Broadcast size-1 dims (ellipsis or not) explicitly, so every subscript has one size.
    sizes = _einsum_sizes(subs, operands)
    operands = list(operands)
    for i, (s, t) in enumerate(zip(subs, operands)):
        full = tuple(sizes[c] for c in s)
        if tuple(t.shape) != full:
            operands[i] = t.expand(*full)
    return _einsum_core(subs, out, operands, sizes)


# ---------------------------------------------------------------------------------------------- tensordot, kron
def tensordot(a, b, dims=2, out=None):
    """Contract the last ``dims`` dims of ``a`` with the first ``dims`` of ``b`` (or the listed dim pairs)."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da = list(range(a.ndim - dims, a.ndim))
        db = list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
        if len(da) != len(db):
            raise RuntimeError(f"both dimension lists should have same length (tensordot got {da} and {db})")
    da = [_wrap_dim(d, a.ndim, "tensordot") for d in da]
    db = [_wrap_dim(d, b.ndim, "tensordot") for d in db]
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[x]} in dim "
                               f"{x - a.ndim if isinstance(dims, int) else x} and second has size {b.shape[y]} "
                               f"in dim {y}")
    fa = [d for d in range(a.ndim) if d not in da]
    fb = [d for d in range(b.ndim) if d not in db]
    k = 1
    for d in da:
        k *= a.shape[d]
    am = a.permute(*(fa + da)).reshape(-1, k)
    bm = b.permute(*(db + fb)).reshape(k, -1)
    r = mm(am, bm).reshape([a.shape[d] for d in fa] + [b.shape[d] for d in fb])
    return _maybe_out(r, out)


@tensor_method("kron")
def kron(input, other, *, out=None):
    """Kronecker product: every element of ``input`` times a whole copy of ``other``."""
    n = max(input.ndim, other.ndim)
    a = input.reshape((1,) * (n - input.ndim) + tuple(input.shape))
    b = other.reshape((1,) * (n - other.ndim) + tuple(other.shape))
    ia = [s for d in a.shape for s in (d, 1)]
    ib = [s for d in b.shape for s in (1, d)]
    r = a.reshape(ia) * b.reshape(ib)
    return _maybe_out(r.reshape([x * y for x, y in zip(a.shape, b.shape)]), out)


# ---------------------------------------------------------------------------------------------- trace, cross
class Trace(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.shape = x.shape
        if is_reduced(x.dtype):   # summed in float32, rounded once
            return xp_of(x).asarray(xp_of(x).trace(x.astype(np.float32)), dtype=x.dtype)
        r = xp_of(x).trace(x)
        return xp_of(x).asarray(r, dtype=x.dtype if x.dtype.kind in "fc" else "int64")

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g._data)
        return g * Tensor._wrap(xp.eye(*ctx.shape, dtype=g._data.dtype))


@tensor_method("trace")
def trace(input):
    """Sum of the main diagonal of a 2-D tensor."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    return Trace.apply(input)


class LinalgCross(Op):
    @staticmethod
    def forward(ctx, a, b, d):
        ctx.d = d
        ctx.save_for_backward(a, b)
        return xp_of(a).cross(a, b, axis=d)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = LinalgCross.apply(_cj(b), g, ctx.d) if ctx.needs_input_grad[0] else None
        gb = LinalgCross.apply(g, _cj(a), ctx.d) if ctx.needs_input_grad[1] else None
        return ga, gb


@tensor_method("cross")
def cross(input, other, dim=None, *, out=None):
    """Cross product of 3-vectors along ``dim`` (inputs broadcast)."""
    if input.ndim != other.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions (got {input.ndim} and "
                           f"{other.ndim})")
    shape = _broadcast_batch(input.shape, other.shape)
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the "
                      "dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to "
                      "agree with that of linalg.cross in a future release.", UserWarning, stacklevel=2)
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError(f"no dimension of size 3 in input (cross of shapes {list(input.shape)} and "
                               f"{list(other.shape)})")
    d = _wrap_dim(dim, len(shape), "cross")
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {input.shape[d]} and "
                           f"{other.shape[d]}")
    return _maybe_out(LinalgCross.apply(input, other, d), out)
