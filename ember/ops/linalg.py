"""Matrix products: ``mm matmul @`` (more in later modules)."""

__all__ = ['matmul', 'mm']

from .. import _dtype as D
from ._util import Op, Tensor, promote_arrays, tensor_method


def _mm_error(a_shape, b_shape):
    rows, cols = (a_shape[-2] if len(a_shape) > 1 else 1), a_shape[-1]
    return RuntimeError(
        f"mat1 and mat2 shapes cannot be multiplied ({rows}x{cols} and {b_shape[0]}x"
        f"{b_shape[1] if len(b_shape) > 1 else 1}): the number of columns of the first ({cols}) must equal the "
        f"number of rows of the second ({b_shape[0]}). Did you mean to transpose the second matrix, e.g. "
        f"weights.view({b_shape[-1]}, {b_shape[0]}) or weights.t()?")


class Matmul(Op):
    @staticmethod
    def forward(ctx, a, b):
        if a.dtype != b.dtype:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {D._FROM_NP[a.dtype]} != "
                               f"{D._FROM_NP[b.dtype]}")
        if a.ndim == 0 or b.ndim == 0:
            raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and "
                               f"{b.ndim}D")
        ka = a.shape[-1]
        kb = b.shape[-2] if b.ndim > 1 else b.shape[0]
        if ka != kb:
            if a.ndim == 1 and b.ndim == 1:
                raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                                   f"[{b.shape[0]}] to have the same number of elements, but got {a.shape[0]} and "
                                   f"{b.shape[0]} elements respectively")
            raise _mm_error(a.shape, b.shape)
        ctx.save_for_backward(a, b)
        try:
            return a @ b
        except ValueError:
            raise RuntimeError(f"matmul: batch dimensions of {list(a.shape)} and {list(b.shape)} cannot be "
                               "broadcast together") from None

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = gb = None
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b
        g2 = g
        if a.ndim == 1:
            g2 = g2.unsqueeze(-2)
        if b.ndim == 1:
            g2 = g2.unsqueeze(-1)
        if ctx.needs_input_grad[0]:
            ga = g2 @ b2.mT
            if a.ndim == 1:
                ga = ga.squeeze(-2)
            ga = ga.sum_to_size(a.shape) if ga.shape != a.shape else ga
        if ctx.needs_input_grad[1]:
            gb = a2.mT @ g2
            if b.ndim == 1:
                gb = gb.squeeze(-1)
            gb = gb.sum_to_size(b.shape) if gb.shape != b.shape else gb
        return ga, gb


@tensor_method("matmul", "__matmul__")
def matmul(input, other, *, out=None):
    """Matrix product with NumPy/PyTorch broadcasting rules (1-D operands are vectors)."""
    if not isinstance(other, Tensor):
        return NotImplemented
    return Matmul.apply(input, other)


Tensor.__rmatmul__ = lambda self, other: matmul(other, self) if isinstance(other, Tensor) else NotImplemented


@tensor_method("mm")
def mm(input, mat2, *, out=None):
    if input.ndim != 2 or mat2.ndim != 2:
        bad, which = (input, "self") if input.ndim != 2 else (mat2, "mat2")
        raise RuntimeError(f"{which} must be a matrix (mm needs two 2-D tensors, got {input.ndim}D and "
                           f"{mat2.ndim}D)")
    if input.shape[1] != mat2.shape[0]:
        raise _mm_error(input.shape, mat2.shape)
    return Matmul.apply(input, mat2)
