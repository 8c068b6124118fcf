"""Shared helpers for op modules: method registration, promotion, argument checks."""
import numpy as np

from .. import _backend
from .. import _dtype as D
from .._tensor import Tensor, _wrap_dim  # noqa: F401 - re-exported for op modules
from ..autograd.function import Op  # noqa: F401 - re-exported for op modules
from ..autograd.grad_mode import GradMode  # noqa: F401

xp_of = _backend.xp_of
_SCALARS = (bool, int, float, complex)


def tensor_method(*names):
    """Attach the decorated function to ``Tensor`` under ``names`` (the op module owns the method)."""
    def deco(fn):
        for n in names:
            setattr(Tensor, n, fn)
        return fn
    return deco


def is_scalar(x):
    return isinstance(x, _SCALARS) or (isinstance(x, np.generic))


def to_array_operand(x, like=None):
    """Tensor -> its array; Python/NumPy number -> itself; anything else (lists...) -> TypeError."""
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, _SCALARS):
        return x
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"expected a Tensor or a number, got {type(x).__name__}")


def promote_arrays(a, b):
    """Cast arrays ``a``/``b`` (or Python numbers) to ``torch.result_type(a, b)``; returns (a, b, dtype_np).

    A Python number stays a Python number: NumPy 2 treats it as 'weak', so the
    array's (already promoted) dtype wins, as in PyTorch. Except for bfloat16:
    ml_dtypes takes no part in the weak-scalar rules (``bf16_array * 0.3`` is
    float32), so there the number becomes a bfloat16 NumPy scalar, the value
    PyTorch's kernels see (the number cast to the common dtype).
    """
    sa, sb = isinstance(a, _SCALARS), isinstance(b, _SCALARS)
    if not sa and not sb and a.dtype == b.dtype:   # the common case: nothing to do
        return a, b, a.dtype
    rt = D.result_type_of(a, b).np
    if not sa and a.dtype != rt:
        a = a.astype(rt)
    if not sb and b.dtype != rt:
        b = b.astype(rt)
    if rt is BF16 and (sa or sb):
        if sa:
            a = bf16_scalar(a)
        else:
            b = bf16_scalar(b)
    return a, b, rt


BF16 = D.bfloat16.np             # the NumPy dtypes PyTorch calls 'reduced floating point' (opmath: float32)
F16 = np.dtype(np.float16)
F32 = np.dtype(np.float32)


def bf16_scalar(v):
    """A Python number as PyTorch casts it to bfloat16 (through float: ``c10::BFloat16(float(v))``)."""
    with np.errstate(over="ignore"):
        return BF16.type(np.float32(v))


def is_reduced(dt):
    """float16 or bfloat16: PyTorch computes these in float32 ('opmath') and rounds each result once."""
    return dt is BF16 or dt is F16


def conj_if_complex(x):
    """The complex conjugate of a complex Tensor, array or number; ``x`` itself otherwise (no pass for reals).

    Backward formulas use it: PyTorch's gradients are conjugate Wirtinger derivatives, so a holomorphic
    op's input gradient is ``g * conj(f'(z))`` (for ``a * b``: ``g * conj(b)``).
    """
    if isinstance(x, Tensor):
        return x.conj() if x._data.dtype.kind == "c" else x
    if isinstance(x, complex):
        return x.conjugate()
    if getattr(x, "dtype", None) is not None and x.dtype.kind == "c":
        return xp_of(x).conj(x)
    return x


def as_float_array(a):
    """Integer/bool arrays become the default float dtype (what ``exp(int_tensor)`` gives)."""
    if a.dtype.kind in "biu":
        return a.astype(D.get_default_dtype().np)
    return a


def broadcast_error(op, sa, sb):
    """PyTorch's broadcasting RuntimeError, plus what to do about it."""
    la, lb = len(sa), len(sb)
    n = max(la, lb)
    pa = (1,) * (n - la) + tuple(sa)
    pb = (1,) * (n - lb) + tuple(sb)
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            dim = i - (n - la) if la == n else i
            return RuntimeError(
                f"The size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) at non-singleton "
                f"dimension {dim} (in {op} of shapes {list(sa)} and {list(sb)}). Shapes broadcast when, "
                "from the right, each pair of sizes is equal or one of them is 1: reshape one operand, e.g. "
                "with .view(-1, 1) or .unsqueeze(dim).")
    return RuntimeError(f"{op}: shapes {list(sa)} and {list(sb)} cannot be broadcast together")


def shape_of(x):
    return x.shape if hasattr(x, "shape") else ()


def normalize_dims(dim, ndim, op="op"):
    """``dim`` (int, tuple, list or None) -> sorted tuple of non-negative dims (None -> all)."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        return (_wrap_dim(int(dim), ndim, op),)
    dims = tuple(_wrap_dim(int(d), ndim, op) for d in dim)
    if len(set(dims)) != len(dims):
        dup = next(d for i, d in enumerate(dims) if d in dims[:i])
        raise RuntimeError(f"dim {dup} appears multiple times in the list of dims (in {op}: each dim may be "
                           "reduced only once)")
    return tuple(sorted(dims)) if dims else tuple(range(ndim))


def wrap_out(result, out):
    """Implement ``out=``: copy ``result`` into ``out`` (resizing an empty/mis-shaped ``out``)."""
    if out is None:
        return result
    if out.shape != result.shape:
        out._data = out._xp().empty(result._data.shape, dtype=out._data.dtype)
    out._data[...] = result._data
    out._version[0] += 1
    return out
