"""``make_tensor``: a random tensor of a given shape and dtype for tests, with PyTorch's value ranges.

The values come from Ember's generator with PyTorch's draws (``randint`` for booleans and integers,
``uniform_`` for floating and complex dtypes), so after the same ``manual_seed`` Ember and PyTorch make the
same tensor.
"""
import collections.abc
import math
import warnings

from .. import _dtype as D
from .._tensor import Tensor

_INTEGERS = (D.uint8, D.int8, D.int16, D.int32, D.int64)
_FLOATS = (D.float16, D.bfloat16, D.float32, D.float64)
_COMPLEX = (D.complex64, D.complex128)


def _low_high(dtype, low, high, lowest, highest, default_low, default_high):
    """The drawing interval [low, high): defaults per dtype, checked, clamped to what the dtype holds
    (integer bounds rounded up, as ``randint``'s upper bound is exclusive)."""
    low = default_low if low is None else low
    high = default_high if high is None else high
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if low == high and dtype in _FLOATS + _COMPLEX:
        warnings.warn("Passing `low==high` to `torch.testing.make_tensor` for floating or complex types is "
                      "deprecated since 2.1 and will be removed in 2.3. Use `torch.full(...)` instead.",
                      FutureWarning, stacklevel=4)
    elif low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    elif high < lowest or low >= highest:
        raise ValueError(f"The value interval specified by `low` and `high` is [{low}, {high}), but {dtype} only "
                         f"supports [{lowest}, {highest})")
    low, high = min(max(low, lowest), highest), min(max(high, lowest), highest)
    if dtype is D.bool_ or dtype in _INTEGERS:
        return math.ceil(low), math.ceil(high)
    return low, high


def make_tensor(*shape, dtype, device, low=None, high=None, requires_grad=False, noncontiguous=False,
                exclude_zero=False, memory_format=None):
    """A tensor of ``shape`` (ints, or one sequence) with values drawn uniformly from ``[low, high)``.

    Defaults: bool [0, 2), uint8 [0, 10), other integers [-9, 10), floating and complex [-9, 9) (each part of a
    complex value); bounds outside the dtype's range are clamped to it. ``noncontiguous=True`` returns a
    strided view (of a tensor twice as wide in the last dim) when there are two elements or more;
    ``exclude_zero=True`` replaces zeros by 1 (integers, bool) or the dtype's ``finfo.tiny``."""
    from .. import ops
    from .._finfo import finfo, iinfo
    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = shape[0]
    shape = tuple(shape)
    if noncontiguous and memory_format is not None:
        raise ValueError(f"The parameters `noncontiguous` and `memory_format` are mutually exclusive, but got "
                         f"noncontiguous={noncontiguous} and memory_format={memory_format}")
    if requires_grad and (dtype is D.bool_ or dtype in _INTEGERS):
        raise ValueError(f"`requires_grad=True` is not supported for boolean and integral dtypes, but got "
                         f"dtype={dtype}")
    noncontiguous = noncontiguous and math.prod(shape) > 1
    if noncontiguous:                   # twice as wide, then every other element: values differ across the gap
        shape = shape[:-1] + (2 * shape[-1],)

    if dtype is D.bool_:
        low, high = _low_high(dtype, low, high, 0, 2, 0, 2)
        result = ops.random.randint(low, high, shape, device=device, dtype=dtype)
    elif dtype in _INTEGERS:
        info = iinfo(dtype)
        # randint's bounds go through int64, so int64's own maximum cannot be drawn
        low, high = _low_high(dtype, low, high, info.min, info.max + (dtype is not D.int64), -9, 10)
        result = ops.random.randint(low, high, shape, device=device, dtype=dtype)
    elif dtype in _FLOATS + _COMPLEX:
        info = finfo(dtype)
        low, high = _low_high(dtype, low, high, info.min, info.max, -9, 9)
        real = dtype if dtype in _FLOATS else (D.float32 if dtype is D.complex64 else D.float64)
        # complex values draw (real, imag) pairs in memory order, as uniform_ on torch.view_as_real does
        values = ops.creation.empty(shape + ((2,) if dtype in _COMPLEX else ()), dtype=real, device=device)
        if high - low >= info.max:      # uniform_ needs high - low to be finite: draw half the range, double
            values.uniform_(low / 2, high / 2).mul_(2)
        else:
            values.uniform_(low, high)
        if dtype in _COMPLEX:
            data = values._data
            values = Tensor._wrap(data.view(D.to_numpy_dtype(dtype)).reshape(shape))
        result = values
    else:
        raise TypeError(f"The requested dtype '{dtype}' is not supported by torch.testing.make_tensor() "
                        "(Ember's make_tensor takes bool, integer, floating and complex dtypes).")

    if noncontiguous:
        result = result[..., 1::2]
    elif memory_format is not None:
        result = result.clone(memory_format=memory_format)
    if exclude_zero:
        result[result == 0] = 1 if (dtype is D.bool_ or dtype in _INTEGERS) else finfo(dtype).tiny
    if dtype in _FLOATS + _COMPLEX:
        result.requires_grad = requires_grad
    return result
