"""Statistics and binning: ``bincount histc histogram quantile diff cov corrcoef cdist searchsorted isin
trapezoid`` and the window functions (``hann_window`` ...).

The differentiable ones are written with Ember's Tensor ops (sort, gather,
lerp, vector_norm ...), in PyTorch's own formulation, so their gradients come
from those ops and their roundings match PyTorch's. Counting and searching run
on arrays and give no gradient, as in PyTorch.
"""
import math
import warnings

import numpy as np

from .. import _dtype as D
from .. import return_types
from .creation import _finish
from .inplace import inplace_variant
from .special import _bessel_i64
from ._util import Tensor, _wrap_dim, tensor_method, wrap_out, xp_of

__all__ = ['bincount', 'histc', 'histogram', 'quantile', 'nanquantile', 'diff', 'cov', 'corrcoef', 'dist', 'renorm',
           'cdist', 'pdist', 'bucketize', 'searchsorted', 'isin', 'trapezoid', 'trapz', 'cumulative_trapezoid',
           'hann_window', 'hamming_window', 'blackman_window', 'bartlett_window', 'kaiser_window']

warnings.filterwarnings("ignore", category=RuntimeWarning, module=__name__)


def _legacy(d):
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
            "float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16"}.get(d.name, d.name)


def _new(arr):
    return Tensor._wrap(arr)


# ---------------------------------------------------------------- counting
@tensor_method("bincount")
def bincount(input, weights=None, minlength=0):
    """Counts of each value 0..max(input) in a 1-D non-negative integer tensor (or the sums of ``weights``)."""
    if input.dtype.is_floating_point or input.dtype.is_complex or input.dtype is D.bool_:
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{_legacy(input.dtype)}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    x = input._data
    xp = xp_of(x)
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return _new(xp.bincount(x, minlength=minlength).astype(np.int64))
    w = weights._data
    if w.ndim != 1 or w.shape[0] != x.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    out_dt = np.float32 if weights.dtype is D.float32 else np.float64   # PyTorch: float stays, others double
    return _new(xp.bincount(x, weights=w.astype(np.float64), minlength=minlength).astype(out_dt))


def _need_float(input, op="histogram_cpu"):
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"{op}\" not implemented for '{_legacy(input.dtype)}'")


def _outer_edges(x, lo, hi, name, widen):
    """The histogram's range: the given one, else the data's; an empty range is widened by ``widen``."""
    if lo is None or (lo == hi):
        lo, hi = (float(x.min()), float(x.max())) if x.size else (0.0, 0.0)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"{name}: range of [{lo}, {hi}] is not finite")
    if lo > hi:
        raise RuntimeError(f"{name}: max must be larger than min")
    if lo == hi:
        lo, hi = lo - widen, hi + widen
    return lo, hi


@tensor_method("histc")
def histc(input, bins=100, min=0, max=0, *, out=None):  # noqa: A002 - PyTorch's names
    """Counts in ``bins`` equal bins over [min, max] (min == max: the data's range); values outside are ignored."""
    _need_float(input)
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    x = input._data.reshape(-1)
    if min > max:
        raise RuntimeError("torch.histc: max must be larger than min")
    lo, hi = _outer_edges(x, None if min == max else min, max, "torch.histc", 1)
    xp = xp_of(x)
    t = x.dtype.type
    keep = (x >= t(lo)) & (x <= t(hi))
    v = x[keep]
    # PyTorch's linear binning in the input's dtype: (x - lo) * bins / (hi - lo), the top edge in the last bin
    pos = ((v - t(lo)) * t(bins) / (t(hi) - t(lo))).astype(np.int64)
    pos = xp.minimum(pos, bins - 1)
    return wrap_out(_new(xp.bincount(pos, minlength=bins).astype(x.dtype)), out)


@tensor_method("histogram")
def histogram(input, bins, *, range=None, weight=None, density=False, out=None):  # noqa: A002
    """(hist, bin_edges): ``bins`` equal bins over ``range`` (default: the data's), or the given edges."""
    _need_float(input)
    x = input._data.reshape(-1)
    xp = xp_of(x)
    if isinstance(bins, Tensor):
        edges = bins._data.astype(x.dtype)
        if edges.ndim != 1:
            raise RuntimeError(f"torch.histogramdd: bins tensor should have one dimension, but got {edges.ndim} "
                               "dimensions in the bins tensor for dimension 0")
        if edges.shape[0] < 2:
            raise RuntimeError(f"torch.histogramdd: bins tensor should have at least 1 element, but got "
                               f"{edges.shape[0]} elements in the bins tensor for dimension 0" if edges.shape[0] == 0
                               else "torch.histogram(): bins must be > 0, but got 0 for dimension 0")
    else:
        if bins <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
        lo, hi = _outer_edges(x, None if range is None else range[0], None if range is None else range[1],
                              "torch.histogram", 0.5)
        edges = xp.linspace(lo, hi, bins + 1).astype(x.dtype)
    nb = edges.shape[0] - 1
    keep = (x >= edges[0]) & (x <= edges[-1])
    pos = xp.minimum(xp.searchsorted(edges, x[keep], side="right") - 1, nb - 1)   # the top edge: the last bin
    w = None if weight is None else weight._data.reshape(-1)[keep].astype(np.float64)
    hist = xp.bincount(pos, weights=w, minlength=nb)[:nb].astype(x.dtype)
    if density:
        hist = hist / (hist.sum() * xp.diff(edges))
    result = return_types.histogram((_new(hist.astype(x.dtype)), _new(edges.copy())))
    if out is not None:
        for o, r in zip(out, result):
            wrap_out(r, o)
        result = return_types.histogram(out)
    return result


# ---------------------------------------------------------------- quantiles
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(name, input, q, dim, keepdim, interpolation, ignore_nan):
    if input.dtype not in (D.float32, D.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if input.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest, "
                           f"but got {interpolation}")
    xp = input._xp()
    if isinstance(q, Tensor):
        if q.dim() > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q.dtype is not input.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        qa = q._data
        if qa.size and ((qa < 0) | (qa > 1)).any():
            raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
        scalar_q = q.dim() == 0
    else:
        if not 0 <= q <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
        qa, scalar_q = xp.asarray(q, dtype=input._data.dtype), True
    qt = q.reshape(-1) if isinstance(q, Tensor) else _new(qa.reshape(-1))   # a q Tensor gets a gradient too
    ndim = input.dim()
    if dim is not None:
        _wrap_dim(dim, max(ndim, 1), name)
    x = input.reshape(-1) if dim is None or ndim == 0 else input.movedim(dim, -1)
    sorted_ = x.sort(-1).values
    nan = sorted_.isnan()
    if ignore_nan:   # ranks among the non-NaN values; an all-NaN row gets rank 0, a NaN
        ranks = qt * ((~nan).sum(-1, keepdim=True) - 1).to(qt.dtype)
        ranks = ranks.masked_fill(ranks < 0, 0)
    else:            # a row with a NaN gets the last rank: NaN
        last = sorted_.shape[-1] - 1
        any_nan = nan.any(-1, keepdim=True)
        ranks = (qt * last).expand(*any_nan.shape[:-1], qt.shape[0]).masked_fill(any_nan, last)
    if interpolation == "lower":
        ranks = ranks.floor()
    elif interpolation == "higher":
        ranks = ranks.ceil()
    elif interpolation == "nearest":
        ranks = ranks.round()
    below = ranks.long()
    result = sorted_.gather(-1, below)
    if interpolation in ("linear", "midpoint"):
        weights = ranks - below.to(ranks.dtype) if interpolation == "linear" else ranks.detach() * 0 + 0.5
        result = result.lerp(sorted_.gather(-1, ranks.ceil().long()), weights)
    if ndim == 0:
        result = result.reshape(qt.shape[0])
    elif keepdim:
        if dim is None:
            result = result.reshape(*([1] * ndim), qt.shape[0])
        elif ndim:
            result = result.unsqueeze(_wrap_dim(dim, ndim, name))
    elif dim is None:
        result = result.reshape(qt.shape[0])
    return result.squeeze(-1) if scalar_q else result.movedim(-1, 0)


@tensor_method("quantile")
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The q-th quantiles along ``dim`` (all values when None); NaN where a reduced row holds a NaN."""
    return wrap_out(_quantile("quantile", input, q, dim, keepdim, interpolation, False), out)


@tensor_method("nanquantile")
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """``quantile`` ignoring NaNs (NaN only for an all-NaN row)."""
    return wrap_out(_quantile("nanquantile", input, q, dim, keepdim, interpolation, True), out)


# ---------------------------------------------------------------- differences, covariance, distances
@tensor_method("diff")
def diff(input, n=1, dim=-1, prepend=None, append=None, *, out=None):
    """n-th forward difference along ``dim`` (``!=`` for bool), after attaching ``prepend``/``append``."""
    from .join import cat
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    dim = _wrap_dim(dim, input.dim(), "diff")
    parts = [t for t in (prepend, input, append) if t is not None]
    x = cat(parts, dim) if len(parts) > 1 else input
    for _ in range(n):
        k = x.shape[dim]
        if k == 0:
            break
        a, b = x.narrow(dim, 1, k - 1), x.narrow(dim, 0, k - 1)
        x = (a != b) if x.dtype is D.bool_ else a - b
    return wrap_out(x, out)


@tensor_method("cov")
def cov(input, *, correction=1, fweights=None, aweights=None):
    """Covariance of the rows (variables) of a 2-D tensor over its columns (observations); PyTorch's weights."""
    if input.dim() > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.dim()} dimensions")
    x = input.reshape(1, -1) if input.dim() < 2 else input
    n_obs = x.shape[1]
    w = None
    for name, wt in (("fweights", fweights), ("aweights", aweights)):
        if wt is None:
            continue
        if wt.dim() > 1:
            raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got {name} with "
                               f"{wt.dim()} dimensions")
        if name == "fweights" and (wt.dtype.is_floating_point or wt.dtype.is_complex):
            raise RuntimeError(f"cov(): expected fweights to have integral dtype but got fweights with "
                               f"{_legacy(wt.dtype)} dtype")
        if name == "aweights" and not wt.dtype.is_floating_point:
            raise RuntimeError(f"cov(): expected aweights to have floating point dtype but got aweights with "
                               f"{_legacy(wt.dtype)} dtype")
        if wt.numel() != n_obs:
            raise RuntimeError(f"cov(): expected {name} to have the same numel as there are observations in the "
                               f"input but got {wt.numel()} != {n_obs}")
        if wt.numel() and bool((wt < 0).any()):
            raise RuntimeError(f"cov(): {name} cannot be negative")
        w = wt if w is None else w * wt
    if w is not None:
        w_sum = w.sum()
        if float(w_sum) == 0:
            raise RuntimeError("cov(): weights sum to zero, can't be normalized")
        avg = (x * w).sum(1) / w_sum
        norm = w_sum - correction * (w * aweights).sum() / w_sum if aweights is not None and correction != 0 \
            else w_sum - correction
    else:
        avg = x.sum(1) / n_obs
        norm = n_obs - correction
    if float(norm) <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number of "
                      "observations.", UserWarning, stacklevel=2)
        norm = norm * 0 if isinstance(norm, Tensor) else 0
    x = x - avg.unsqueeze(1)
    c = x.mm((x if w is None else x * w).t())
    return (c / norm).squeeze()


@tensor_method("corrcoef")
def corrcoef(input):
    """Pearson correlation coefficients of the rows (cov scaled by the standard deviations, clipped to [-1, 1])."""
    c = cov(input)
    if c.dim() == 0:
        return c / c
    std = c.diagonal().sqrt()
    c = c / std.view(-1, 1)
    c = c / std.view(1, -1)
    return c.clip(-1, 1)


def _vector_norm(x, p, dim, keepdim=False):
    from ..linalg import vector_norm
    n = vector_norm(x, p, dim=dim, keepdim=keepdim)
    if p == 0 and x.requires_grad:   # PyTorch's gradient of the 0-"norm" is zeros (Ember's would be None)
        n = n + (x * 0).sum(dim, keepdim=keepdim)
    return n


@tensor_method("dist")
def dist(input, other, p=2):
    """The p-norm of ``input - other`` (broadcast), a 0-dim tensor."""
    if not isinstance(other, Tensor):
        raise TypeError(f"dist(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
    return _vector_norm(input - other, p, None)


@tensor_method("renorm")
def renorm(input, p, dim, maxnorm, *, out=None):
    """Scale each slice ``input.select(dim, i)`` whose p-norm exceeds ``maxnorm`` down to ``maxnorm``."""
    if input.dim() < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.dim()} dimensions")
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    dim = _wrap_dim(dim, input.dim(), "renorm")
    norm = _vector_norm(input, p, [d for d in range(input.dim()) if d != dim], keepdim=True)
    factor = (maxnorm / (norm + 1e-7)).masked_fill(norm <= maxnorm, 1)    # PyTorch's 1e-7 guard
    return wrap_out(input * factor, out)


_CDIST_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist")


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """p-norm distances between the rows of ``x1`` (..., P, M) and ``x2`` (..., R, M): shape (..., P, R)."""
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    for name, t in (("X1", x1), ("X2", x2)):
        if t.dim() < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t.dim()}D")
        if not t.dtype.is_floating_point:
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {_legacy(t.dtype)}")
    if x1.dtype is not x2.dtype:
        raise RuntimeError(f"expected scalar type {_legacy(x1.dtype)} but found {_legacy(x2.dtype)} (cdist needs "
                           "X1 and X2 of one dtype: convert one, e.g. x2.to(x1.dtype))")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: "
                           f"{x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    # the direct differences (PyTorch's mm shortcut for p=2 only trades accuracy for speed)
    return _vector_norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, -1)


def pdist(input, p=2):
    """Distances between all pairs of rows i < j of an (N, M) tensor, in row-major order: N(N-1)/2 values."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    n = input.shape[0]
    i, j = np.triu_indices(n, 1)
    i, j = Tensor._wrap(input._xp().asarray(i)), Tensor._wrap(input._xp().asarray(j))
    return _vector_norm(input[i] - input[j], p, -1)


# ---------------------------------------------------------------- searching
def _search_array(seq, vals, side):
    xp = xp_of(seq)
    if seq.ndim == 1:
        return xp.searchsorted(seq, vals, side=side)
    rows_s = seq.reshape(-1, seq.shape[-1])
    rows_v = vals.reshape(-1, vals.shape[-1])
    out = xp.empty(rows_v.shape, dtype=np.int64)
    for r in range(rows_s.shape[0]):
        out[r] = xp.searchsorted(rows_s[r], rows_v[r], side=side)
    return out.reshape(vals.shape)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None, out=None):
    """Indices where ``input`` values would be inserted into the sorted innermost rows of ``sorted_sequence``."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left "
                               "while right was True")
        right = side == "right"
    seq = sorted_sequence._data
    if sorter is not None:
        if sorter.shape != sorted_sequence.shape:
            raise RuntimeError(f"torch.searchsorted(): boundary and sorter must have the same size, but got "
                               f"boundary tensor {list(sorted_sequence.shape)}and got sorter tensor "
                               f"{list(sorter.shape)}")
        seq = xp_of(seq).take_along_axis(seq, sorter._data, axis=-1)
    scalar = not isinstance(input, Tensor)
    vals = sorted_sequence._xp().asarray(input) if scalar else input._data
    if seq.ndim > 1 and (scalar or seq.shape[:-1] != vals.shape[:-1]):
        raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                           f"dimensions of boundaries tensor and input value tensor must match, but we got "
                           f"boundaries tensor {list(seq.shape)} and input value tensor "
                           f"{list(np.shape(vals))}")
    res = _search_array(seq, vals, "right" if right else "left")
    return wrap_out(_new(xp_of(seq).asarray(res).astype(np.int32 if out_int32 else np.int64)), out)


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The bucket of each value among the 1-D sorted ``boundaries`` (``searchsorted(boundaries, input)``)."""
    if boundaries.dim() != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.dim()})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


@tensor_method("isin")
def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each of ``elements`` occurs in ``test_elements`` (either may be a number): a bool tensor."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() received an invalid combination of arguments: expected a Tensor for elements or "
                        "test_elements")
    ref = elements if isinstance(elements, Tensor) else test_elements
    xp = ref._xp()
    e = elements._data if isinstance(elements, Tensor) else xp.asarray(elements)
    t = test_elements._data if isinstance(test_elements, Tensor) else xp.asarray(test_elements)
    return _new(xp.asarray(xp.isin(e, t, assume_unique=assume_unique, invert=invert)))


# ---------------------------------------------------------------- integration
def _trapezoid(y, x, dx, dim, cumulative):
    dim = _wrap_dim(dim, y.dim(), "trapezoid")
    k = y.shape[dim]
    if k == 0 and not cumulative:
        return y.sum(dim) * 0
    pair = y.narrow(dim, 1, max(k - 1, 0)) + y.narrow(dim, 0, max(k - 1, 0))
    if x is None:
        dx = 1 if dx is None else dx
        if cumulative:
            return (pair * (dx / 2.0)).cumsum(dim)
        return (y.sum(dim) - (y.select(dim, 0) + y.select(dim, -1)) * 0.5) * dx
    if x.dim() == 1:   # 1-D spacing applies along ``dim``
        if x.shape[0] != k:
            raise RuntimeError(f"trapezoid: There must be one `x` value for each sample point")
        shape = [1] * y.dim()
        shape[dim] = k
        d = x.view(*shape).diff(dim=dim)
    else:
        d = x.diff(dim=dim)
    if cumulative:
        return (pair * d).cumsum(dim) / 2.0
    return (d * pair).sum(dim) / 2.0


@tensor_method("trapezoid")
def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoid rule along ``dim``: sample points ``x``, or a constant spacing ``dx`` (default 1)."""
    if x is not None and dx is not None:
        raise RuntimeError("trapezoid: cannot pass both x and dx")
    if x is not None and not isinstance(x, Tensor):
        raise TypeError(f"trapezoid(): argument 'x' must be Tensor, not {type(x).__name__} (pass a spacing as dx=)")
    return _trapezoid(y, x, dx, dim, False)


@tensor_method("trapz")
def trapz(y, x=None, *, dx=None, dim=-1):
    """Old name of ``trapezoid``."""
    return trapezoid(y, x, dx=dx, dim=dim)


@tensor_method("cumulative_trapezoid")
def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """Running trapezoid-rule integral along ``dim`` (one value fewer than ``y`` has)."""
    if x is not None and dx is not None:
        raise RuntimeError("cumulative_trapezoid: cannot pass both x and dx")
    if x is not None and not isinstance(x, Tensor):
        raise TypeError(f"cumulative_trapezoid(): argument 'x' must be Tensor, not {type(x).__name__} (pass a spacing as dx=)")
    return _trapezoid(y, x, dx, dim, True)


# ---------------------------------------------------------------- windows
def _window(name, formula):
    """A window function: PyTorch's formula evaluated in the dtype (a periodic window is the symmetric one of
    length N + 1 without its last point)."""
    def fn(window_length, periodic=True, *args, dtype=None, layout=None, device=None, requires_grad=False,
           pin_memory=False, **params):
        dt = dtype or D.get_default_dtype()
        if not dt.is_floating_point:
            raise RuntimeError(f"{name} expects floating point dtypes, got: {dt}")
        if window_length < 0:
            raise RuntimeError(f"{name} requires non-negative window_length, got window_length={window_length}")
        npdt = D.to_numpy_dtype(dt)
        if window_length <= 1:
            arr = np.ones(window_length, dtype=npdt)
        else:
            n = window_length + 1 if periodic else window_length
            arr = formula(n, npdt, *args, **params)[:window_length].astype(npdt)
        return _finish(arr, device, requires_grad)
    fn.__name__ = fn.__qualname__ = name
    return fn


def _stepper(dt):
    """(scalar type, round): float16/bfloat16 steps compute in float32 and round to the dtype after each
    step, as PyTorch's chain of in-place ops does; float32/float64 compute in their own precision."""
    dt = np.dtype(dt)
    if dt.itemsize >= 4:
        return dt.type, lambda a: a
    return np.float32, lambda a: a.astype(dt).astype(np.float32)


def _hamming(n, dt, alpha=0.54, beta=0.46):
    t, r = _stepper(dt)
    w = r(np.cos(r(r(np.arange(n, dtype=t)) * t(math.pi * 2.0 / (n - 1)))))
    return r(w * t(-beta)) + t(alpha)


def _blackman(n, dt):
    t, r = _stepper(dt)
    w = r(r(np.arange(n, dtype=t)) * t(math.pi / (n - 1)))
    return r(r(r(np.cos(r(w * t(4)))) * t(0.08)) - r(r(np.cos(r(w * t(2)))) * t(0.5))) + t(0.42)


def _bartlett(n, dt):
    t, r = _stepper(dt)
    w = r(r(np.arange(n, dtype=t)) * t(2.0 / (n - 1)))
    half = ((n - 1) >> 1) + 1
    w[half:] = r(t(2) - w[half:])
    return w


def _kaiser(n, dt, beta=12.0):
    i0 = _bessel_i64(0)
    alpha = (n - 1) / 2.0
    r = (np.arange(n, dtype=np.float64) - alpha) / alpha
    return i0(beta * np.sqrt(np.maximum(1 - r * r, 0)), np) / i0(np.array([float(beta)]), np)


hann_window = _window("hann_window", lambda n, dt: _hamming(n, dt, 0.5, 0.5))
hamming_window = _window("hamming_window", _hamming)
blackman_window = _window("blackman_window", _blackman)
bartlett_window = _window("bartlett_window", _bartlett)
kaiser_window = _window("kaiser_window", _kaiser)

return_types._make("histogram", ("hist", "bin_edges"))
inplace_variant("renorm")
