"""Reductions: ``sum mean prod std var norm amax amin max min argmax argmin logsumexp all any
count_nonzero median mode aminmax`` (+ ``sum_to_size``, used by the engine to undo broadcasting).

Conventions shared by every op here:

* ``dim`` may be an int, a tuple/list of ints or None (all dims); negative dims wrap.
* ``keepdim=True`` keeps reduced dims as size 1. Backward first restores them
  (``_keep``) so that the gradient broadcasts back over the input.
* Ops that *select* an element (``max(dim)``, ``median(dim)``, ``mode``...)
  send the gradient to the selected index; ops that reduce to a value that
  several elements may share (``amax``, ``max()``, ``median()``) split it evenly
  among the ties, as PyTorch does.
"""
import math
import warnings

import numpy as np

from .. import _autocast
from .. import _dtype as D
from .. import return_types
from . import _sum_order
from ._util import GradMode, Op, Tensor, _wrap_dim, normalize_dims, tensor_method, xp_of
from ._util import conj_if_complex as _cj

_new = object.__new__

__all__ = ['sum', 'mean', 'prod', 'std', 'var', 'std_mean', 'var_mean', 'norm', 'amax', 'amin', 'max', 'min',
           'argmax', 'argmin', 'logsumexp', 'all', 'any', 'count_nonzero', 'median', 'nanmedian', 'mode',
           'aminmax', 'nansum', 'nanmean', 'get_num_threads', 'set_num_threads']

_builtin_max, _builtin_all, _builtin_any = max, all, any


# ---------------------------------------------------------------------------------------------- helpers
def _dims(dim, ndim, op):
    """Normalised tuple of dims; a 0-dim tensor accepts dim 0/-1 but has no axis to reduce."""
    dims = normalize_dims(dim, ndim, op)
    return dims if ndim else ()


def _keep_shape(in_shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(in_shape))


def _keep(g, in_shape, dims, keepdim):
    """Re-insert the reduced dims of gradient ``g`` as size 1 (so that it broadcasts over the input)."""
    if not keepdim and dims and len(in_shape):
        return g.reshape(_keep_shape(in_shape, dims))
    return g


def _expand_array(g, shape):
    """``g`` broadcast to ``shape``: a stride-0 view, or for small shapes a filled array (cheaper to make)."""
    xp = xp_of(g)
    if len(shape) and math.prod(shape) <= 4096:
        out = xp.empty(shape, g.dtype)
        out[...] = g
        return out
    return xp.broadcast_to(g, shape)


def _count(shape, dims):
    n = 1
    for d in dims:
        n *= shape[d] if len(shape) else 1
    return n


def _const(arr):
    """Wrap an array as a constant Tensor (masks and counts used inside backward)."""
    return Tensor._wrap(arr)


def _check_nonempty(op, x, dims, dim_given):
    """PyTorch's errors for reductions without an identity (max, argmax, median...) over empty input."""
    if x.size != 0:
        return
    if not dim_given:
        exc = IndexError if op in ("argmax", "argmin") else RuntimeError
        extra = "" if exc is IndexError else " Specify the reduction dim with the 'dim' argument."
        raise exc(f"{op}(): Expected reduction dim to be specified for input.numel() == 0.{extra}")
    for d in dims:
        if x.ndim and x.shape[d] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")


def _float_input(x):
    """Integer/bool arrays become the default float dtype (what ``logsumexp(int_tensor)`` gives)."""
    if x.dtype.kind in "biu":
        return x.astype(D.get_default_dtype().np)
    return x


_SCALAR_NAMES = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long",
                 "float16": "Half", "bfloat16": "BFloat16", "float32": "Float", "float64": "Double",
                 "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def _dtype_name(t):
    """PyTorch's C++ scalar type name (``Long`` for int64), as its error messages print it."""
    name = str(t.dtype).replace("torch.", "")
    return _SCALAR_NAMES.get(name, name)


# ---------------------------------------------------------------------------------------------- sum / mean
def _torch_sum(x, dims, keepdim=False, dtype=None):
    """``x.sum(dims)`` of an array, float sums added in PyTorch's CPU order (``_sum_order``) so that the
    last bits match; integer sums, complex sums and CuPy arrays use NumPy/CuPy directly."""
    if type(x) is np.ndarray:
        if dtype is not None and dtype != x.dtype and _sum_order.emulated(np.dtype(dtype)):
            x = x.astype(dtype)                 # PyTorch casts the input to the requested dtype first
            dtype = None
        if dtype is None and _sum_order.emulated(x.dtype):
            return _sum_order.sum_array(x, dims, keepdim)
    return x.sum(axis=None if len(dims) == x.ndim else dims, keepdims=keepdim, dtype=dtype)


def get_num_threads():
    """The intra-op thread count, as ``torch.get_num_threads()``: what ``set_num_threads`` last set, else
    PyTorch's default for this machine. Large sums are chunked by it, as PyTorch chunks them."""
    return _sum_order.get_num_threads()


def set_num_threads(nthreads):
    """As ``torch.set_num_threads``: limits the threads of NumPy's BLAS (matrix products, convolutions) through
    ``threadpoolctl`` when it is installed (``pip install ember[threads]``), and sets the count whose chunking
    of large sums Ember follows. Without ``threadpoolctl`` it warns once that BLAS keeps its threads (set
    ``OMP_NUM_THREADS`` before starting Python instead)."""
    if isinstance(nthreads, bool) or not isinstance(nthreads, (int, np.integer)):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(nthreads).__name__}")
    if nthreads <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _sum_order.set_num_threads(int(nthreads))
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        global _warned_threads
        if not _warned_threads:
            _warned_threads = True
            warnings.warn("ember.set_num_threads cannot limit NumPy's BLAS threads without threadpoolctl "
                          "(pip install threadpoolctl); set OMP_NUM_THREADS before starting Python instead",
                          RuntimeWarning, stacklevel=2)
        return
    threadpool_limits(int(nthreads), user_api="blas")    # stays in force until changed


_warned_threads = False


def _torch_mean(x, dims, keepdim=False):
    """``x.mean(dims)`` as PyTorch's CPU kernel computes it: the sum in PyTorch's order (float16 and bfloat16
    in float32), divided by the count in that dtype."""
    if type(x) is np.ndarray and x.size and _sum_order.emulated(x.dtype):
        acc = np.dtype(np.float64) if x.dtype == np.float64 else np.dtype(np.float32)
        s = _sum_order.sum_array(x.astype(acc, copy=False), dims, keepdim)
        return np.asarray(s / acc.type(_count(x.shape, dims))).astype(x.dtype, copy=False)
    return x.mean(axis=dims, keepdims=keepdim)


class Sum(Op):
    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype):
        ctx.in_shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        return _torch_sum(x, dims, keepdim, dtype)

    @staticmethod
    def backward(ctx, g):
        kept = None
        if not ctx.keepdim and ctx.dims and len(ctx.in_shape) and len(ctx.dims) < len(ctx.in_shape):
            kept = _keep_shape(ctx.in_shape, ctx.dims)    # re-insert the reduced dims as size 1
        return ExpandTo.apply(g, ctx.in_shape, kept)

    @staticmethod
    def backward_data(ctx, g):
        return _expand_array(_keep(g, ctx.in_shape, ctx.dims, ctx.keepdim), ctx.in_shape)


class ExpandTo(Op):
    """Broadcast to ``shape`` (a stride-0 view, no copy): the backward of a sum. Its own backward is SumToSize.

    ``kept``: first reshape to this shape (the reduced dims put back as size 1) so that it broadcasts.
    """
    node_name = "ExpandBackward0"

    @staticmethod
    def forward(ctx, g, shape, kept=None):
        ctx.in_shape, ctx.kept = g.shape, kept
        return xp_of(g).broadcast_to(g.reshape(kept) if kept is not None else g, shape)

    @staticmethod
    def backward(ctx, gg):
        if ctx.kept is None:
            return SumToSize.apply(gg, ctx.in_shape)
        return SumToSize.apply(gg, ctx.kept).reshape(ctx.in_shape)


class SumToSize(Op):
    """Sum away broadcast dims so the result has ``shape`` (what the engine does to broadcast gradients)."""
    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        lead = x.ndim - len(shape)
        dims = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and x.shape[i + lead] != 1)
        if not dims:
            return x.reshape(shape)
        out = x.sum(axis=dims)          # without keepdims: usually already the target shape, an owning array
        return out if out.shape == tuple(shape) else out.reshape(shape)

    @staticmethod
    def backward(ctx, gg):
        return ExpandTo.apply(gg, ctx.in_shape)


class SumDim(Sum):
    node_name = "SumBackward1"   # PyTorch's name when a dim is given


def _sum_dtype(x, dtype):
    if dtype is not None:
        return D.to_numpy_dtype(dtype)
    if x.dtype.kind in "biu":   # sums of bool/int tensors are int64
        return D.int64.np
    return None


@tensor_method("sum")
def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):  # noqa: A001
    """Sum over ``dim`` (all dims when None); int and bool inputs sum to int64."""
    if _autocast.on:
        input = _autocast.fp32_one("sum", input)
    x = input._data
    if dim is None and dtype is None and out is None and x.dtype.kind == "f":   # hot path
        if type(x) is np.ndarray and not keepdim and not (input._requires_grad and GradMode.enabled):
            t = _new(Tensor)
            t._data, t._version, t._requires_grad, t._grad_fn = _sum_order.full_sum(x), [0], False, None
            return t
        return Sum.apply(input, tuple(range(x.ndim)), keepdim, None)
    dims = _dims(dim, input._data.ndim, "sum")
    op = Sum if dim is None else SumDim
    return _out(op.apply(input, dims, keepdim, _sum_dtype(input._data, dtype)), out)


@tensor_method("nansum")
def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum treating NaN as zero."""
    mask = input._xp().isnan(input._data) if input._data.dtype.kind in "fc" else None
    if mask is not None and bool(mask.any()):
        from .indexing import where
        input = where(_const(mask), _const(input._xp().zeros((), input._data.dtype)), input)
    return sum(input, dim, keepdim, dtype=dtype, out=out)


class Mean(Op):
    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.in_shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        ctx.n = _count(x.shape, dims)
        return _torch_mean(x, dims, keepdim)

    @staticmethod
    def backward(ctx, g):
        return (_keep(g, ctx.in_shape, ctx.dims, ctx.keepdim) / ctx.n).expand(*ctx.in_shape)

    @staticmethod
    def backward_data(ctx, g):
        return _expand_array(_keep(g, ctx.in_shape, ctx.dims, ctx.keepdim) / ctx.n, ctx.in_shape)


class MeanDim(Mean):
    node_name = "MeanBackward1"


def _check_mean_dtype(op, input):
    if not (input.is_floating_point() or input.is_complex()):
        raise RuntimeError(f"{op}(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {_dtype_name(input)}. Convert it first, e.g. t.float().{op}() "
                           f"(or pass dtype=torch.float32).")


@tensor_method("mean")
def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Arithmetic mean over ``dim``; integer and bool tensors must be converted (or given ``dtype=``)."""
    if dtype is not None:
        input = input.to(dtype)
    _check_mean_dtype("mean", input)
    dims = _dims(dim, input._data.ndim, "mean")
    return _out((Mean if dim is None else MeanDim).apply(input, dims, keepdim), out)


@tensor_method("nanmean")
def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Mean of the non-NaN elements."""
    if dtype is not None:
        input = input.to(dtype)
    _check_mean_dtype("nanmean", input)
    notnan = _const(~input._xp().isnan(input._data))
    return _out(nansum(input, dim, keepdim) / sum(notnan, dim, keepdim), out)


def _out(result, out):
    if out is None:
        return result
    from ._util import wrap_out
    if isinstance(result, tuple):
        for r, o in zip(result, out):
            wrap_out(r, o)
        return type(result)(out) if type(result) is not tuple else tuple(out)
    return wrap_out(result, out)


@tensor_method("sum_to_size")
def sum_to_size(self, *size):
    """Sum broadcast dimensions away so that the result has shape ``size``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    if self._data.shape == tuple(size):
        return self
    return SumToSize.apply(self, tuple(size))


# ---------------------------------------------------------------------------------------------- prod
class Prod(Op):
    """Product. Backward is the product of the *other* elements, computed without dividing by zero."""

    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype):
        ctx.in_shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        ctx.save_for_backward(x)
        return x.prod(axis=dims, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        xa = x._data
        xp = xp_of(xa)
        zero = xa == 0
        nzeros = zero.sum(axis=ctx.dims, keepdims=True)
        # Product of the non-zero elements (differentiable, so double backward works)...
        x_nz = x * _const(~zero) + _const(zero.astype(xa.dtype))
        prod_keep = Prod.apply(x_nz, ctx.dims, True, None)
        # ...then d prod / d x_i = p / x_i when the slice has no zero; = p at the only zero; 0 otherwise.
        no_zero = _const((nzeros == 0).astype(xa.dtype))
        at_single_zero = _const(xp.logical_and(zero, nzeros == 1).astype(xa.dtype))
        gk = _keep(g, ctx.in_shape, ctx.dims, ctx.keepdim)
        return gk * _cj(prod_keep / x_nz * no_zero + prod_keep * at_single_zero)   # complex: conj (Wirtinger)


class ProdDim(Prod):
    node_name = "ProdBackward1"


@tensor_method("prod")
def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Product of all elements, or along one ``dim``; int and bool inputs give int64."""
    if _autocast.on:
        input = _autocast.fp32_one("prod", input)
    if dim is not None and not isinstance(dim, int):
        raise TypeError(f"prod(): argument 'dim' must be int, not {type(dim).__name__}")
    dims = _dims(dim, input._data.ndim, "prod")
    op = Prod if dim is None else ProdDim
    return _out(op.apply(input, dims, keepdim if dim is not None else False, _sum_dtype(input._data, dtype)), out)


# ---------------------------------------------------------------------------------------------- var / std
def _correction(op, unbiased, correction):
    if unbiased is not None and correction is not None:
        raise RuntimeError(f"{op}: can't specify both unbiased and correction (use correction=, e.g. "
                           "correction=0 for unbiased=False)")
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def _var_args(op, input, dim, unbiased, keepdim, correction):
    if isinstance(dim, bool):            # legacy var(input, unbiased)
        unbiased, dim = dim, None
    c = _correction(op, unbiased, correction)
    if not (input.is_floating_point() or input.is_complex()):
        raise RuntimeError(f"{op}(): input dtype should be either floating point or complex dtypes. Got "
                           f"{_dtype_name(input)} instead. Convert it first, e.g. t.float().{op}().")
    dims = _dims(dim, input._data.ndim, op)
    n = _count(input._data.shape, dims)
    if n - c <= 0 and input._data.size:
        warnings.warn(f"{op}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                      "reduction factor (input numel divided by output numel).", UserWarning, stacklevel=3)
    return dims, c, n


def _var_array(x, dims, correction, n):
    xp = xp_of(x)
    m = x.mean(axis=dims, keepdims=True) if x.size else xp.zeros(_keep_shape(x.shape, dims), x.dtype)
    d = x - m
    ss = (d * d.conj()).real.sum(axis=dims, keepdims=True) if x.dtype.kind == "c" else (d * d).sum(
        axis=dims, keepdims=True)
    denom = _builtin_max(n - correction, 0)
    with _errstate(xp):
        return ss / ss.dtype.type(denom) if denom else ss / xp.zeros((), ss.dtype), m   # complex x: real ss


class _errstate:
    """``np.errstate(all='ignore')`` where the array module has it (0/0 is nan, as in PyTorch)."""

    def __init__(self, xp):
        self.cm = xp.errstate(divide="ignore", invalid="ignore") if hasattr(xp, "errstate") else None

    def __enter__(self):
        if self.cm is not None:
            self.cm.__enter__()

    def __exit__(self, *exc):
        if self.cm is not None:
            self.cm.__exit__(*exc)


def _squeeze_dims(a, dims, keepdim):
    return a if keepdim else a.reshape(tuple(s for i, s in enumerate(a.shape) if i not in dims))


class Var(Op):
    @staticmethod
    def forward(ctx, x, dims, correction, n, keepdim):
        ctx.dims, ctx.keepdim, ctx.in_shape = dims, keepdim, x.shape
        ctx.factor = 2.0 / _builtin_max(n - correction, 0) if n - correction > 0 else math.inf
        ctx.save_for_backward(x)
        v, _ = _var_array(x, dims, correction, n)
        return _squeeze_dims(v, dims, keepdim)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        gk = _keep(g, ctx.in_shape, ctx.dims, ctx.keepdim)
        return gk * ctx.factor * (x - x.mean(ctx.dims, keepdim=True))


class Std(Op):
    @staticmethod
    def forward(ctx, x, dims, correction, n, keepdim):
        ctx.dims, ctx.keepdim, ctx.in_shape = dims, keepdim, x.shape
        ctx.denom = _builtin_max(n - correction, 0)
        v, _ = _var_array(x, dims, correction, n)
        s = xp_of(x).sqrt(_squeeze_dims(v, dims, keepdim))
        ctx.save_for_backward(x, s)
        return s

    @staticmethod
    def backward(ctx, g):
        x, s = ctx.saved_tensors
        gk = _keep(g, ctx.in_shape, ctx.dims, ctx.keepdim)
        sk = _keep(s, ctx.in_shape, ctx.dims, ctx.keepdim)
        zero = sk._data == 0       # PyTorch: a zero std sends a zero gradient (not nan)
        safe = sk + _const(zero.astype(sk._data.dtype)) if bool(zero.any()) else sk
        out = gk * (x - x.mean(ctx.dims, keepdim=True)) / (safe * ctx.denom if ctx.denom else safe * 0.0)
        return out * _const(~zero) if bool(zero.any()) else out


@tensor_method("var")
def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over ``dim`` with Bessel's correction by default (``correction=1``; 0 is the population one)."""
    dims, c, n = _var_args("var", input, dim, unbiased, keepdim, correction)
    return _out(Var.apply(input, dims, c, n, keepdim), out)


@tensor_method("std")
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation over ``dim`` (``correction=1`` by default, like ``var``)."""
    dims, c, n = _var_args("std", input, dim, unbiased, keepdim, correction)
    return _out(Std.apply(input, dims, c, n, keepdim), out)


class VarMean(Op):
    """Variance (or std) and mean in one pass: one node for both outputs, as in PyTorch."""

    @staticmethod
    def forward(ctx, x, dims, correction, n, keepdim, take_sqrt):
        ctx.dims, ctx.keepdim, ctx.in_shape, ctx.n = dims, keepdim, x.shape, n
        ctx.denom = _builtin_max(n - correction, 0)
        ctx.take_sqrt = take_sqrt
        v, m = _var_array(x, dims, correction, n)
        v = _squeeze_dims(v, dims, keepdim)
        if take_sqrt:
            v = xp_of(x).sqrt(v)
        ctx.save_for_backward(x, v)
        return v, _squeeze_dims(m, dims, keepdim)

    @staticmethod
    def backward(ctx, gv, gm):
        x, v = ctx.saved_tensors
        grad = (_keep(gm, ctx.in_shape, ctx.dims, ctx.keepdim) / ctx.n).expand(*ctx.in_shape)
        centered = x - x.mean(ctx.dims, keepdim=True)
        gvk = _keep(gv, ctx.in_shape, ctx.dims, ctx.keepdim)
        if ctx.take_sqrt:
            vk = _keep(v, ctx.in_shape, ctx.dims, ctx.keepdim)
            zero = vk._data == 0
            safe = vk + _const(zero.astype(vk._data.dtype))
            return grad + gvk * centered / (safe * ctx.denom) * _const(~zero)
        return grad + gvk * (2.0 / ctx.denom if ctx.denom else math.inf) * centered


class StdMean(VarMean):
    pass


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim`` (a plain tuple, as PyTorch returns)."""
    dims, c, n = _var_args("var_mean", input, dim, unbiased, keepdim, correction)
    return VarMean.apply(input, dims, c, n, keepdim, False)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim`` (a plain tuple, as PyTorch returns)."""
    dims, c, n = _var_args("std_mean", input, dim, unbiased, keepdim, correction)
    return StdMean.apply(input, dims, c, n, keepdim, True)


# ---------------------------------------------------------------------------------------------- norm
class LinalgVectorNorm(Op):
    """``||x||_p`` over ``dims`` for p in {0, 1, 2, inf, -inf, any other real}."""

    @staticmethod
    def forward(ctx, x, p, dims, keepdim):
        xp = xp_of(x)
        ctx.p, ctx.dims, ctx.keepdim, ctx.in_shape = p, dims, keepdim, x.shape
        a = xp.abs(x)
        if p == 2:
            r = xp.sqrt((a * a).sum(axis=dims, keepdims=keepdim))
        elif p == 1:
            r = a.sum(axis=dims, keepdims=keepdim)
        elif p == math.inf:
            r = a.max(axis=dims, keepdims=keepdim)
        elif p == -math.inf:
            r = a.min(axis=dims, keepdims=keepdim)
        elif p == 0:
            r = (a != 0).sum(axis=dims, keepdims=keepdim).astype(a.dtype)
        else:
            r = (a ** p).sum(axis=dims, keepdims=keepdim) ** (1.0 / p)
        r = r.astype(a.dtype, copy=False)
        ctx.save_for_backward(x, r)
        return r

    @staticmethod
    def backward(ctx, g):
        x, r = ctx.saved_tensors
        p = ctx.p
        gk = _keep(g, ctx.in_shape, ctx.dims, ctx.keepdim)
        rk = _keep(r, ctx.in_shape, ctx.dims, ctx.keepdim)
        if p == 0:        # piecewise constant: PyTorch sends no gradient at all
            return None
        if p == 1:
            return gk * x.sgn()
        if p in (math.inf, -math.inf):   # split evenly among the elements that reach the max/min
            mask = (x.abs()._data == rk._data).astype(x._data.dtype)
            count = mask.sum(axis=ctx.dims, keepdims=True)
            return gk * x.sgn() * _const(mask / count)
        zero = rk._data == 0           # a zero norm sends a zero gradient (PyTorch's masked_fill)
        safe = rk + _const(zero.astype(rk._data.dtype)) if bool(zero.any()) else rk
        if p == 2:
            out = gk * x / safe
        else:
            a = x.abs()
            out = gk * x * a.pow(p - 2) / safe.pow(p - 1) if p >= 2 else \
                gk * x.sgn() * a.pow(p - 1) / safe.pow(p - 1)
        return out * _const(~zero) if bool(zero.any()) else out


def _vector_norm(input, p, dim, keepdim, dtype, op="linalg.vector_norm"):
    if not (input.is_floating_point() or input.is_complex()):
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got "
                           f"{_dtype_name(input)}. Convert it first, e.g. t.float().norm().")
    if dtype is not None:
        input = input.to(dtype)
    dims = _dims(dim, input._data.ndim, op)
    if p in (math.inf, -math.inf) and input._data.size == 0:
        for d in dims:
            if input._data.ndim == 0 or input._data.shape[d] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {p} norm on the dimension {d}"
                                   "because this dimension is empty and the operation does not have an identity")
    return LinalgVectorNorm.apply(input, float(p), dims, keepdim)


@tensor_method("norm")
def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """Vector p-norm (``p`` = 2 / 'fro', 1, inf, -inf, 0 or any real) over ``dim`` (all elements when None)."""
    if p is None or p == "fro":
        p = 2
    elif isinstance(p, str):
        if p == "nuc":      # the sum of singular values, over two dims (all of a 2-D input when dim is None)
            from .decompositions import linalg_matrix_norm
            dims = tuple(range(input.ndim)) if dim is None else dim
            return _out(linalg_matrix_norm(input, "nuc", dims, keepdim, dtype=dtype), out)
        raise RuntimeError(f"norm: unsupported p={p!r}; use 'fro' or a number (1, 2, float('inf'), ...)")
    return _out(_vector_norm(input, p, dim, keepdim, dtype, "norm"), out)


# ---------------------------------------------------------------------------------------------- amax / amin
class Amax(Op):
    """Max over ``dims``; the gradient is split evenly among the elements equal to the max."""
    _reduce = "max"

    @staticmethod
    def _forward(ctx, x, dims, keepdim, reduce):
        ctx.dims, ctx.keepdim, ctx.in_shape = dims, keepdim, x.shape
        r = getattr(x, reduce)(axis=dims, keepdims=keepdim) if x.ndim else x.copy()
        ctx.save_for_backward(x, r)
        return r

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        return Amax._forward(ctx, x, dims, keepdim, "max")

    @staticmethod
    def backward(ctx, g):
        x, r = ctx.saved_tensors
        rk = _keep(r, ctx.in_shape, ctx.dims, ctx.keepdim)._data
        xa = x._data
        mask = (xa == rk) | (xa != xa) & (rk != rk)    # NaN max: the NaNs get the gradient
        mask = mask.astype(xa.dtype)
        count = mask.sum(axis=ctx.dims, keepdims=True) if xa.ndim else mask
        return _keep(g, ctx.in_shape, ctx.dims, ctx.keepdim) * _const(mask / count)


class Amin(Amax):
    @staticmethod
    def forward(ctx, x, dims, keepdim):
        return Amax._forward(ctx, x, dims, keepdim, "min")


def _amax_like(op_cls, name, input, dim, keepdim):
    dims = _dims(dim if dim != () and dim != [] else None, input._data.ndim, name)
    _check_nonempty(name, input._data, dims, dim not in (None, (), []))
    return op_cls.apply(input, dims, keepdim)


@tensor_method("amax")
def amax(input, dim=(), keepdim=False, *, out=None):
    """Maximum over ``dim`` (all dims by default); ties share the gradient evenly."""
    return _out(_amax_like(Amax, "amax", input, dim, keepdim), out)


@tensor_method("amin")
def amin(input, dim=(), keepdim=False, *, out=None):
    """Minimum over ``dim`` (all dims by default); ties share the gradient evenly."""
    return _out(_amax_like(Amin, "amin", input, dim, keepdim), out)


class MaxAll(Amax):
    node_name = "MaxBackward1"


class MinAll(Amin):
    node_name = "MinBackward1"


# ---------------------------------------------------------------------------------------------- max / min (dim)
def _arg_reduce(x, d, largest):
    """Index of the max (min) along ``d``: the first one, or the first NaN (NaN wins, as in PyTorch)."""
    xp = xp_of(x)
    if x.dtype.kind == "b":
        x = x.astype(xp.uint8)
    return (xp.argmax if largest else xp.argmin)(x, axis=d)


def _index_mask(idx_keep, shape, d, dtype, xp):
    """One-hot mask (``shape``) that is 1 where the index along ``d`` equals ``idx_keep``."""
    ar = xp.arange(shape[d]).reshape((-1,) + (1,) * (len(shape) - d - 1))
    return (ar == idx_keep).astype(dtype)


class _SelectAlongDim(Op):
    """Base of ops that pick one element per slice along ``dim`` and return (values, indices).

    Subclasses compute the indices (``_indices``); the values are gathered from
    them and the gradient of the values goes back to those indices.
    """

    @staticmethod
    def backward(ctx, g, g_idx=None):
        idx, = ctx.saved_tensors
        xp = xp_of(idx._data)
        if ctx.scalar:
            return g
        idx_keep = idx._data if ctx.keepdim else xp.expand_dims(idx._data, ctx.d)
        mask = _index_mask(idx_keep, ctx.in_shape, ctx.d, g._data.dtype, xp)
        gk = g if ctx.keepdim else g.unsqueeze(ctx.d)
        return gk * _const(mask)


def _select_forward(ctx, x, d, keepdim, idx):
    """Shared tail of the selecting ops: gather values at ``idx`` (keepdim shape), save what backward needs."""
    xp = xp_of(x)
    ctx.d, ctx.keepdim, ctx.in_shape, ctx.scalar = d, keepdim, x.shape, x.ndim == 0
    if x.ndim == 0:
        idx = xp.zeros((), dtype=xp.int64)
        vals = x.copy()
    else:
        vals = xp.take_along_axis(x, idx, axis=d)
        idx = idx.astype(xp.int64, copy=False)
        if not keepdim:
            vals, idx = vals.squeeze(d), idx.squeeze(d)
    ctx.save_for_backward(idx)
    ctx.mark_non_differentiable(idx)
    return vals, idx


class Max(_SelectAlongDim):
    @staticmethod
    def forward(ctx, x, d, keepdim):
        idx = xp_of(x).expand_dims(_arg_reduce(x, d, True), d) if x.ndim else None
        return _select_forward(ctx, x, d, keepdim, idx)


class Min(_SelectAlongDim):
    @staticmethod
    def forward(ctx, x, d, keepdim):
        idx = xp_of(x).expand_dims(_arg_reduce(x, d, False), d) if x.ndim else None
        return _select_forward(ctx, x, d, keepdim, idx)


def _max_min(name, all_op, dim_op, binary, input, dim, keepdim, other, out):
    if isinstance(dim, Tensor):       # max(a, b): elementwise, same as maximum
        other, dim = dim, None
    if other is not None:
        return getattr(input, binary)(other) if out is None else getattr(input, binary)(other, out=out)
    if dim is None:
        if keepdim:
            raise TypeError(f"{name}() received an invalid combination of arguments: keepdim=True needs a dim, "
                            f"e.g. t.{name}(dim=0, keepdim=True)")
        _check_nonempty(name, input._data, (), False)
        return all_op.apply(input, tuple(range(input._data.ndim)), False)
    d = _wrap_dim(dim, input._data.ndim, name)
    _check_nonempty(name, input._data, (d,), True)
    return _out(getattr(return_types, name)(dim_op.apply(input, d, keepdim)), out)


@tensor_method("max")
def max(input, dim=None, keepdim=False, *, other=None, out=None):  # noqa: A001
    """``max(t)``: the largest element (0-dim). ``max(t, dim)``: namedtuple (values, indices).
    ``max(a, b)``: elementwise maximum."""
    return _max_min("max", MaxAll, Max, "maximum", input, dim, keepdim, other, out)


@tensor_method("min")
def min(input, dim=None, keepdim=False, *, other=None, out=None):  # noqa: A001
    """``min(t)``: the smallest element (0-dim). ``min(t, dim)``: namedtuple (values, indices).
    ``min(a, b)``: elementwise minimum."""
    return _max_min("min", MinAll, Min, "minimum", input, dim, keepdim, other, out)


def _argmax_like(name, largest, input, dim, keepdim):
    x = input._data
    xp = xp_of(x)
    if dim is None:
        _check_nonempty(name, x, (), False)
        r = _arg_reduce(x.reshape(-1), 0, largest)
        r = xp.asarray(r, dtype=xp.int64)
        return Tensor._wrap(r.reshape((1,) * x.ndim) if keepdim else r)
    d = _wrap_dim(dim, x.ndim, name)
    _check_nonempty(name, x, (d,), True)
    if x.ndim == 0:
        return Tensor._wrap(xp.zeros((), dtype=xp.int64))
    r = _arg_reduce(x, d, largest).astype(xp.int64, copy=False)
    return Tensor._wrap(xp.expand_dims(r, d) if keepdim else r)


@tensor_method("argmax")
def argmax(input, dim=None, keepdim=False, *, out=None):
    """Index of the largest element (of the flattened tensor when ``dim`` is None); int64."""
    return _out(_argmax_like("argmax", True, input, dim, keepdim), out)


@tensor_method("argmin")
def argmin(input, dim=None, keepdim=False, *, out=None):
    """Index of the smallest element (of the flattened tensor when ``dim`` is None); int64."""
    return _out(_argmax_like("argmin", False, input, dim, keepdim), out)


class Aminmax(Op):
    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.dims, ctx.keepdim, ctx.in_shape = dims, keepdim, x.shape
        lo = x.min(axis=dims, keepdims=keepdim) if x.ndim else x.copy()
        hi = x.max(axis=dims, keepdims=keepdim) if x.ndim else x.copy()
        ctx.save_for_backward(x, lo, hi)
        return lo, hi

    @staticmethod
    def backward(ctx, glo, ghi):
        x, lo, hi = ctx.saved_tensors
        xa = x._data
        out = 0
        for g, r in ((glo, lo), (ghi, hi)):
            mask = (xa == _keep(r, ctx.in_shape, ctx.dims, ctx.keepdim)._data).astype(xa.dtype)
            count = mask.sum(axis=ctx.dims, keepdims=True) if xa.ndim else mask
            out = out + _keep(g, ctx.in_shape, ctx.dims, ctx.keepdim) * _const(mask / count)
        return out


@tensor_method("aminmax")
def aminmax(input, *, dim=None, keepdim=False, out=None):
    """``(min, max)`` over ``dim`` (all elements when None), as namedtuple ``aminmax(min=, max=)``."""
    dims = _dims(dim, input._data.ndim, "aminmax")
    if input._data.size == 0 and (dim is None or input._data.shape[dims[0]] == 0):
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                           "identity.")
    return _out(return_types.aminmax(Aminmax.apply(input, dims, keepdim)), out)


# ---------------------------------------------------------------------------------------------- logsumexp
class Logsumexp(Op):
    """``log(sum(exp(x)))`` computed stably (shifting by the max); backward is ``g * softmax(x)``."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        xp = xp_of(x)
        ctx.dims, ctx.keepdim, ctx.in_shape = dims, keepdim, x.shape
        if x.size == 0:
            r = xp.full(_keep_shape(x.shape, dims), -xp.inf, dtype=x.dtype)
        else:
            m = x.max(axis=dims, keepdims=True)
            m = xp.where(xp.isfinite(m), m, 0)
            with _errstate(xp):
                r = xp.log(_torch_sum(xp.exp(x - m), dims, True)) + m
        r = _squeeze_dims(r, dims, keepdim).astype(x.dtype, copy=False)
        ctx.save_for_backward(x, r)
        return r

    @staticmethod
    def backward(ctx, g):
        x, r = ctx.saved_tensors
        return _keep(g, ctx.in_shape, ctx.dims, ctx.keepdim) * (x - _keep(r, ctx.in_shape, ctx.dims,
                                                                              ctx.keepdim)).exp()


@tensor_method("logsumexp")
def logsumexp(input, dim, keepdim=False, *, out=None):
    """``log(sum(exp(input), dim))`` without overflow; integer input gives the default float dtype."""
    if input._data.dtype.kind in "biu":
        input = input.to(D.get_default_dtype())
    dims = _dims(dim, input._data.ndim, "logsumexp")
    return _out(Logsumexp.apply(input, dims, keepdim), out)


# ---------------------------------------------------------------------------------------------- all / any / count
def _logical_reduce(name, input, dim, keepdim):
    x = input._data
    xp = xp_of(x)
    dims = _dims(dim, x.ndim, name)
    r = getattr(x.astype(bool) if x.dtype.kind != "b" else x, name)(axis=dims, keepdims=keepdim) \
        if x.ndim else x.astype(bool).copy()
    r = xp.asarray(r)
    return Tensor._wrap(r.astype(xp.uint8) if x.dtype == xp.uint8 else r)   # uint8 in, uint8 out (PyTorch)


@tensor_method("all")
def all(input, dim=None, keepdim=False, *, out=None):  # noqa: A001
    """True when every element (along ``dim``) is non-zero."""
    return _out(_logical_reduce("all", input, dim, keepdim), out)


@tensor_method("any")
def any(input, dim=None, keepdim=False, *, out=None):  # noqa: A001
    """True when some element (along ``dim``) is non-zero."""
    return _out(_logical_reduce("any", input, dim, keepdim), out)


@tensor_method("count_nonzero")
def count_nonzero(input, dim=None):
    """Number of non-zero elements (along ``dim``), int64."""
    x = input._data
    xp = xp_of(x)
    dims = _dims(dim, x.ndim, "count_nonzero")
    return Tensor._wrap(xp.asarray((x != 0).sum(axis=dims) if x.ndim else (x != 0).astype(xp.int64),
                                   dtype=xp.int64))


# ---------------------------------------------------------------------------------------------- median / mode
class MedianAll(Amax):
    """``median()`` of all elements: the lower median; the gradient is split among equal elements."""
    node_name = "MedianBackward0"

    @staticmethod
    def forward(ctx, x, ignore_nan):
        xp = xp_of(x)
        flat = xp.sort(x.reshape(-1))
        n = flat.shape[0]
        if ignore_nan:
            n = int((~xp.isnan(flat)).sum())
        if n == 0:
            r = xp.asarray(xp.nan, dtype=x.dtype)
        elif not ignore_nan and x.dtype.kind in "fc" and bool(xp.isnan(flat[-1])):
            r = flat[-1].copy()
        else:
            r = flat[(n - 1) // 2].copy()
        r = xp.asarray(r).reshape(())
        ctx.dims, ctx.keepdim, ctx.in_shape = tuple(range(x.ndim)), False, x.shape
        ctx.save_for_backward(x, r)
        return r


class MedianDim(_SelectAlongDim):
    node_name = "MedianBackward1"

    @staticmethod
    def forward(ctx, x, d, keepdim, ignore_nan):
        xp = xp_of(x)
        if x.ndim == 0:
            return _select_forward(ctx, x, d, keepdim, None)
        order = xp.argsort(x, axis=d, kind="stable")        # NaNs sort last
        n = x.shape[d]
        if x.dtype.kind in "fc":
            nans = xp.isnan(x).sum(axis=d, keepdims=True)
            valid = n - nans
            if ignore_nan:       # lower median of the non-NaN values (position 0 if all are NaN)
                pos = xp.maximum(valid - 1, 0) // 2
            else:                # a NaN in the slice makes the median NaN (the first NaN)
                pos = xp.where(nans > 0, valid, (n - 1) // 2)
        else:
            pos = xp.full(_keep_shape(x.shape, (d,)), (n - 1) // 2)
        idx = xp.take_along_axis(order, pos.astype(order.dtype), axis=d)
        return _select_forward(ctx, x, d, keepdim, idx)


def _median(name, ignore_nan, input, dim, keepdim, out):
    if dim is None:
        if input._data.size == 0:
            return Tensor._wrap(input._xp().asarray(input._xp().nan, dtype=input._data.dtype))
        return MedianAll.apply(input, ignore_nan)
    d = _wrap_dim(dim, input._data.ndim, name)
    _check_nonempty(name, input._data, (d,), True)
    return _out(getattr(return_types, name)(MedianDim.apply(input, d, keepdim, ignore_nan)), out)


@tensor_method("median")
def median(input, dim=None, keepdim=False, *, out=None):
    """Lower median (no averaging of the two middle values). With ``dim``: namedtuple (values, indices)."""
    return _median("median", False, input, dim, keepdim, out)


@tensor_method("nanmedian")
def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """``median`` ignoring NaNs."""
    return _median("nanmedian", True, input, dim, keepdim, out)


class Mode(_SelectAlongDim):
    """Most frequent value along ``d`` (the smallest among equally frequent), index of its last occurrence."""

    @staticmethod
    def forward(ctx, x, d, keepdim):
        xp = xp_of(x)
        if x.ndim == 0:
            return _select_forward(ctx, x, d, keepdim, None)
        xm = xp.moveaxis(x, d, -1)
        rows = xm.reshape(-1, xm.shape[-1])
        m, n = rows.shape
        order = xp.argsort(rows, axis=1, kind="stable")
        s = xp.take_along_axis(rows, order, axis=1)
        # Runs of equal values: a run id per element, then the length of each run (bincount).
        new_run = xp.concatenate([xp.ones((m, 1), dtype=bool), s[:, 1:] != s[:, :-1]], axis=1)
        run_id = xp.cumsum(new_run, axis=1) - 1 + (xp.arange(m) * n)[:, None]
        counts = xp.bincount(run_id.reshape(-1), minlength=m * n)[run_id]
        # The best run: the longest; among those the smallest value (first in sorted order).
        best_start = xp.argmax(counts, axis=1)
        best_end = best_start + counts[xp.arange(m), best_start] - 1
        # Its last occurrence in the original order: the largest original index inside the run.
        pos = xp.arange(n)[None, :]
        in_run = (pos >= best_start[:, None]) & (pos <= best_end[:, None])
        idx = xp.where(in_run, order, -1).max(axis=1)
        idx = xp.moveaxis(idx.reshape(xm.shape[:-1] + (1,)), -1, d)
        return _select_forward(ctx, x, d, keepdim, idx)


@tensor_method("mode")
def mode(input, dim=-1, keepdim=False, *, out=None):
    """Most frequent value along ``dim`` and the index of its last occurrence (namedtuple)."""
    d = _wrap_dim(dim, input._data.ndim, "mode")
    _check_nonempty("mode", input._data, (d,), True)
    return _out(return_types.mode(Mode.apply(input, d, keepdim)), out)
