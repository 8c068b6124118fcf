"""``assert_close``: are two (possibly nested) tensors, numbers or containers close, with PyTorch's rules,
defaults and error messages.

Inputs are compared leaf by leaf: sequences by position and mappings by key (their lengths and keys must
match first), then each pair of leaves as ``None``, booleans, Python/NumPy numbers or tensor-likes (a NumPy
array is turned into a tensor when both sides are arrays). Two leaves are close when

    |actual - expected| <= atol + rtol * |expected|

elementwise, with ``rtol``/``atol`` defaulting to the loosest of the two dtypes' tolerances (integers and
booleans: exact). The first failing leaf raises, naming where it sits (``item ['b'][0]``).
"""
import cmath
import collections.abc
import warnings

import numpy as np

from .. import _dtype as D
from .._backend import xp_of
from .._tensor import Tensor

# (rtol, atol) per dtype; every other dtype compares exactly
_TOLERANCES = {
    D.float16: (1e-3, 1e-5),
    D.bfloat16: (1.6e-2, 1e-5),
    D.float32: (1.3e-6, 1e-5),
    D.float64: (1e-7, 1e-7),
    D.complex64: (1.3e-6, 1e-5),
    D.complex128: (1e-7, 1e-7),
}
_NUMBER_DTYPES = {int: D.int64, float: D.float64, complex: D.complex128}


class _Failure(Exception):
    """A comparison that failed: the exception type to raise, its message, and where in the inputs."""

    def __init__(self, exc_type, message, path=()):
        super().__init__(message)
        self.exc_type, self.message, self.path = exc_type, message, path

    def error(self, msg=None):
        """The user-facing exception; ``msg`` (a str) replaces the text, a callable rewrites it."""
        if isinstance(msg, str):
            return self.exc_type(msg)
        text = self.message
        if self.path:
            text += "\n\nThe failure occurred for item " + "".join(str([key]) for key in self.path)
        return self.exc_type(msg(text) if callable(msg) else text)


class _Unsupported(Exception):
    """This kind of leaf cannot compare these inputs; the next kind is tried."""


def _tolerances(dtypes, rtol, atol, path):
    if (rtol is None) != (atol is None):
        raise _Failure(ValueError, "Both 'rtol' and 'atol' must be either specified or omitted, but got no "
                                   f"{'rtol' if rtol is None else 'atol'}.", path)
    if rtol is not None:
        return rtol, atol
    pairs = [_TOLERANCES.get(dt, (0.0, 0.0)) for dt in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _mismatch_message(kind, rtol, atol, extra, abs_diff, rel_diff, abs_idx=None, rel_idx=None):
    """PyTorch's message: header, the extra line(s), then the greatest absolute and relative differences."""
    exact = rtol == 0 and atol == 0
    lines = [f"{kind} are not {'equal' if exact else 'close'}!", "", extra]
    for what, diff, idx, tol in (("absolute", abs_diff, abs_idx, atol), ("relative", rel_diff, rel_idx, rtol)):
        line = f"{what.title()} difference: {diff}" if idx is None else \
            f"Greatest {what} difference: {diff} at index {idx}"
        lines.append(line if exact else f"{line} (up to {tol} allowed)")
    return "\n".join(lines)


def _scalar_message(actual, expected, rtol, atol):
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_message("Scalars", rtol, atol, f"Expected {expected} but got {actual}.", abs_diff, rel_diff)


# ---------------------------------------------------------------- leaves
class _NoneLeaf:
    def __init__(self, actual, expected, path, **options):
        if actual is not None and expected is not None:
            raise _Unsupported
        self.actual, self.expected, self.path = actual, expected, path

    def compare(self):
        if not (self.actual is None and self.expected is None):
            raise _Failure(AssertionError, f"None mismatch: {self.actual} is not {self.expected}", self.path)


class _BoolLeaf:
    def __init__(self, actual, expected, path, **options):
        if not all(isinstance(v, (bool, np.bool_)) for v in (actual, expected)):
            raise _Unsupported
        self.actual, self.expected, self.path = bool(actual), bool(expected), path

    def compare(self):
        if self.actual is not self.expected:
            raise _Failure(AssertionError, f"Booleans mismatch: {self.actual} is not {self.expected}", self.path)


class _NumberLeaf:
    def __init__(self, actual, expected, path, *, rtol=None, atol=None, equal_nan=False, check_dtype=False,
                 **options):
        if not all(isinstance(v, (int, float, complex, np.number)) for v in (actual, expected)):
            raise _Unsupported
        self.actual, self.expected = (v.item() if isinstance(v, np.number) else v for v in (actual, expected))
        self.path = path
        self.rtol, self.atol = _tolerances([_NUMBER_DTYPES.get(type(v), D.int64) for v in (self.actual,
                                            self.expected)], rtol, atol, path)
        self.equal_nan, self.check_dtype = equal_nan, check_dtype

    def compare(self):
        a, e = self.actual, self.expected
        if self.check_dtype and type(a) is not type(e):
            raise _Failure(AssertionError, f"The (d)types do not match: {type(a)} != {type(e)}.", self.path)
        if a == e or (self.equal_nan and cmath.isnan(a) and cmath.isnan(e)):
            return
        diff = abs(a - e)
        if cmath.isfinite(diff) and diff <= self.atol + self.rtol * abs(e):
            return
        raise _Failure(AssertionError, _scalar_message(a, e, self.rtol, self.atol), self.path)


class _TensorLeaf:
    def __init__(self, actual, expected, path, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False, **options):
        if not (isinstance(actual, type(expected)) or isinstance(expected, type(actual))):
            raise _Unsupported
        if not allow_subclasses and type(actual) is not type(expected):
            raise _Unsupported
        self.actual, self.expected = (self._as_tensor(v) for v in (actual, expected))
        self.path = path
        self.rtol, self.atol = _tolerances([self.actual.dtype, self.expected.dtype], rtol, atol, path)
        self.equal_nan, self.check_device, self.check_dtype = equal_nan, check_device, check_dtype
        self.check_layout, self.check_stride = check_layout, check_stride

    @staticmethod
    def _as_tensor(value):
        if isinstance(value, Tensor):
            return value
        from ..ops.creation import as_tensor
        try:
            return as_tensor(value)
        except Exception:
            raise _Unsupported from None

    def _fail_attribute(self, name, a, e):
        raise _Failure(AssertionError, f"The values for attribute '{name}' do not match: {a} != {e}.", self.path)

    def compare(self):
        a, e = self.actual, self.expected
        if a.shape != e.shape:
            self._fail_attribute("shape", a.shape, e.shape)
        if a.layout != e.layout and self.check_layout:
            self._fail_attribute("layout", a.layout, e.layout)
        if self.check_stride and a.stride() != e.stride():
            self._fail_attribute("stride()", a.stride(), e.stride())
        if self.check_device and a.device != e.device:
            self._fail_attribute("device", a.device, e.device)
        if self.check_dtype and a.dtype != e.dtype:
            self._fail_attribute("dtype", a.dtype, e.dtype)
        if a.device != e.device:                # compared on the CPU, in the promoted dtype
            a, e = a.cpu(), e.cpu()
        if a.dtype != e.dtype:
            dt = D.promote_types(a.dtype, e.dtype)
            a, e = a.to(dt), e.to(dt)
        self._compare_values(a.detach(), e.detach())

    def _compare_values(self, a, e):
        from ..ops.compare import isclose
        matches = isclose(a, e, rtol=self.rtol, atol=self.atol, equal_nan=self.equal_nan)._data
        if bool(matches.all()):
            return
        if a.ndim == 0:
            raise _Failure(AssertionError, _scalar_message(a.item(), e.item(), self.rtol, self.atol), self.path)
        raise _Failure(AssertionError, self._tensor_message(a._data, e._data, matches), self.path)

    def _tensor_message(self, a, e, matches):
        """Counts of mismatched elements, and the greatest differences among them (with their index)."""
        xp = xp_of(a)
        n = matches.size
        bad = n - int(matches.sum())
        a, e, matches = a.reshape(-1), e.reshape(-1), matches.reshape(-1)
        if a.dtype.kind not in "fcV":           # integers and booleans: differences in int64
            a, e = a.astype(np.int64), e.astype(np.int64)
        abs_diff = xp.abs(a - e)
        abs_diff[matches] = 0
        with np.errstate(divide="ignore", invalid="ignore"):
            rel_diff = abs_diff / xp.abs(e)
        if rel_diff.dtype == np.float64 and abs_diff.dtype == np.int64:   # int / int is the default dtype
            rel_diff = rel_diff.astype(D.get_default_dtype().np)
        rel_diff[matches] = 0
        shape = tuple(self.actual.shape)

        def greatest(d):
            i = int(xp.argmax(d))               # the first NaN, else the first maximum (as torch.max)
            return d[i].item(), tuple(int(k) for k in np.unravel_index(i, shape))
        abs_max, abs_idx = greatest(abs_diff)
        rel_max, rel_idx = greatest(rel_diff)
        return _mismatch_message("Tensor-likes", self.rtol, self.atol,
                                 f"Mismatched elements: {bad} / {n} ({bad / n:.1%})", abs_max, rel_max, abs_idx,
                                 rel_idx)


_LEAVES = (_NoneLeaf, _BoolLeaf, _NumberLeaf, _TensorLeaf)


def _leaves(actual, expected, path, options):
    """Every pair of leaves, in order; raises at once when the structures differ or a leaf has no kind."""
    seq = collections.abc.Sequence
    if isinstance(actual, seq) and isinstance(expected, seq) and not isinstance(actual, str) \
            and not isinstance(expected, str):
        if len(actual) != len(expected):
            raise _Failure(AssertionError, f"The length of the sequences mismatch: {len(actual)} != {len(expected)}",
                           path)
        return [leaf for i in range(len(actual)) for leaf in _leaves(actual[i], expected[i], path + (i,), options)]
    mapping = collections.abc.Mapping
    if isinstance(actual, mapping) and isinstance(expected, mapping):
        ka, ke = set(actual.keys()), set(expected.keys())
        if ka != ke:
            raise _Failure(AssertionError, "The keys of the mappings do not match:\n"
                                           f"Missing keys in the actual mapping: {sorted(ke - ka)}\n"
                                           f"Additional keys in the actual mapping: {sorted(ka - ke)}", path)
        try:
            keys = sorted(ka)
        except TypeError:               # unorderable keys: any fixed order
            keys = list(ka)
        return [leaf for k in keys for leaf in _leaves(actual[k], expected[k], path + (k,), options)]
    for kind in _LEAVES:
        try:
            return [kind(actual, expected, path, **options)]
        except _Unsupported:
            continue
    raise _Failure(TypeError, f"No comparison pair was able to handle inputs of type {type(actual)} and "
                              f"{type(expected)}.", path)


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False, msg=None):
    """Raise ``AssertionError`` unless ``actual`` and ``expected`` are close (see the module docstring).

    Tensors must match in shape, and (unless the ``check_*`` flag is False) device, dtype and layout; with
    ``check_stride`` also in strides. Default tolerances (rtol, atol): float16 (1e-3, 1e-5), bfloat16
    (1.6e-2, 1e-5), float32 and complex64 (1.3e-6, 1e-5), float64 and complex128 (1e-7, 1e-7), others exact.
    ``msg`` replaces the message (a str) or rewrites it (a callable given the generated message)."""
    __tracebackhide__ = True
    options = dict(allow_subclasses=allow_subclasses, rtol=rtol, atol=atol, equal_nan=equal_nan,
                   check_device=check_device, check_dtype=check_dtype, check_layout=check_layout,
                   check_stride=check_stride)
    try:
        leaves = _leaves(actual, expected, (), options)
    except _Failure as f:               # structure errors keep their own text (as PyTorch: msg is not applied)
        raise f.error() from None
    for leaf in leaves:
        try:
            leaf.compare()
        except _Failure as f:
            raise f.error(msg) from None


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=""):
    """Deprecated since PyTorch 1.12: ``assert_close`` with looser defaults (float16 (1e-3, 1e-3), float32
    (1e-4, 1e-5), float64 (1e-5, 1e-8)), ``equal_nan=True`` and no dtype check; non-tensors become tensors."""
    warnings.warn("`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a future "
                  "release. Please use `torch.testing.assert_close()` instead. You can find detailed upgrade "
                  "instructions in https://github.com/pytorch/pytorch/issues/61844.", FutureWarning, stacklevel=2)
    from ..ops.creation import tensor
    if not isinstance(actual, Tensor):
        actual = tensor(actual)
    if not isinstance(expected, Tensor):
        expected = tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        loose = {D.float16: (1e-3, 1e-3), D.float32: (1e-4, 1e-5), D.float64: (1e-5, 1e-8)}
        pairs = [loose.get(t.dtype, (0.0, 0.0)) for t in (actual, expected)]
        rtol, atol = max(p[0] for p in pairs), max(p[1] for p in pairs)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_device=True,
                 check_dtype=False, check_stride=False, msg=msg or None)
