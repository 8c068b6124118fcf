"""Comparisons and logic: ``== != < <= > >= ~ & | ^``, ``isnan isinf isclose logical_and ...``.

Results are bool tensors (``allclose``/``equal`` give Python bools) and carry no gradient.
"""

__all__ = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'less', 'less_equal', 'greater', 'greater_equal', 'not_equal',
           'logical_not', 'bitwise_not', 'bitwise_and', 'bitwise_or', 'bitwise_xor',
           'isnan', 'isinf', 'isfinite', 'isposinf', 'isneginf', 'isreal', 'signbit', 'logical_and', 'logical_or',
           'logical_xor', 'isclose', 'allclose', 'equal']

import warnings

import numpy as np

from ._util import BF16, Op, broadcast_error, promote_arrays, tensor_method, to_array_operand, wrap_out, xp_of
from ._util import Tensor


# PyTorch returns inf/nan silently (log(0), 1/0, exp(1000)); NumPy would warn. Ignoring the warnings raised
# from this module's own frames costs nothing per call (``np.errstate`` costs about as much as a small op).
warnings.filterwarnings("ignore", category=RuntimeWarning, module=__name__)


def _cmp_op(name, fn):
    class Cmp(Op):
        @staticmethod
        def forward(ctx, a, b):
            a, b, _ = promote_arrays(a, b)
            try:
                return fn(a, b)
            except ValueError:
                raise broadcast_error(name, getattr(a, "shape", ()), getattr(b, "shape", ())) from None
    Cmp.__name__ = Cmp.__qualname__ = name.capitalize()
    return Cmp


def _make(name, fn, dunder):
    op = _cmp_op(name, fn)

    def f(input, other, *, out=None):
        other = other if isinstance(other, Tensor) else to_array_operand(other)
        input = input if isinstance(input, Tensor) else to_array_operand(input)
        return wrap_out(op.apply(input, other), out)
    f.__name__ = name
    tensor_method(name)(f)

    def dunder_fn(self, other):
        if not isinstance(other, (Tensor, int, float, bool, complex)):
            return NotImplemented
        return f(self, other)
    setattr(Tensor, dunder, dunder_fn)
    return f


eq = _make("eq", lambda a, b: a == b, "__eq__")
ne = _make("ne", lambda a, b: a != b, "__ne__")
lt = _make("lt", lambda a, b: a < b, "__lt__")
le = _make("le", lambda a, b: a <= b, "__le__")
gt = _make("gt", lambda a, b: a > b, "__gt__")
ge = _make("ge", lambda a, b: a >= b, "__ge__")
less, less_equal, greater, greater_equal, not_equal = lt, le, gt, ge, ne
for _alias, _fn in (("less", lt), ("less_equal", le), ("greater", gt), ("greater_equal", ge), ("not_equal", ne)):
    tensor_method(_alias)(_fn)
Tensor.__hash__ = lambda self: id(self)   # defining __eq__ would otherwise drop hashing


class _LogicalNot(Op):
    @staticmethod
    def forward(ctx, a):
        return xp_of(a).logical_not(a)


class _BitwiseNot(Op):
    @staticmethod
    def forward(ctx, a):
        if a.dtype.kind == "f":
            raise TypeError("bitwise_not (the `~` operator) is only supported for integer and bool tensors, got "
                            f"{a.dtype}; for a mask use (t == 0) or logical_not()")
        return ~a


@tensor_method("logical_not")
def logical_not(input, *, out=None):
    return wrap_out(_LogicalNot.apply(input), out)


@tensor_method("bitwise_not", "__invert__")
def bitwise_not(input, *, out=None):
    return wrap_out(_BitwiseNot.apply(input), out)


def _bitwise(name, fn, dunder, rdunder):
    class B(Op):
        @staticmethod
        def forward(ctx, a, b):
            a, b, dt = promote_arrays(a, b)
            if dt.kind == "f":
                raise RuntimeError(f"\"{name}_cpu\" not implemented for 'Float': {name} needs integer or bool "
                                   "tensors")
            return fn(a, b)
    B.__name__ = name

    def f(input, other, *, out=None):
        other = other if isinstance(other, Tensor) else to_array_operand(other)
        return wrap_out(B.apply(input, other), out)
    f.__name__ = name
    tensor_method(name)(f)
    setattr(Tensor, dunder, lambda self, other: f(self, other))
    setattr(Tensor, rdunder, lambda self, other: f(other if isinstance(other, Tensor) else other, self)
            if isinstance(other, Tensor) else B.apply(to_array_operand(other), self))
    return f


bitwise_and = _bitwise("bitwise_and", lambda a, b: a & b, "__and__", "__rand__")
bitwise_or = _bitwise("bitwise_or", lambda a, b: a | b, "__or__", "__ror__")
bitwise_xor = _bitwise("bitwise_xor", lambda a, b: a ^ b, "__xor__", "__rxor__")


# ---- classification: which elements are nan / inf / finite / negative ----
def _classify(name, fn):
    """A bool-valued unary op; ``fn(xp, x)`` runs on float and complex arrays (ints and bools are all finite)."""
    class C(Op):
        @staticmethod
        def forward(ctx, x):
            return fn(xp_of(x), x)
    C.__name__ = C.__qualname__ = name.capitalize()

    def f(input, *, out=None):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
        return wrap_out(C.apply(input), out)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Elementwise ``{name}`` as a bool tensor (``torch.{name}``)."
    return tensor_method(name)(f)


def _float_only(test, default):
    """Apply ``test`` to floating/complex arrays; integer/bool arrays get ``default`` everywhere."""
    def fn(xp, x):
        if x.dtype.kind in "fc":
            return test(xp, x)
        if x.dtype is BF16:            # ml_dtypes' bfloat16 ('V' kind): its float32 values test the same
            return test(xp, x.astype(np.float32))
        return xp.full(x.shape, default, dtype=bool)
    return fn


isnan = _classify("isnan", _float_only(lambda xp, x: xp.isnan(x), False))
isinf = _classify("isinf", _float_only(lambda xp, x: xp.isinf(x), False))
isfinite = _classify("isfinite", _float_only(lambda xp, x: xp.isfinite(x), True))
isposinf = _classify("isposinf", _float_only(lambda xp, x: xp.isposinf(x), False))
isneginf = _classify("isneginf", _float_only(lambda xp, x: xp.isneginf(x), False))
isreal = _classify("isreal", lambda xp, x: x.imag == 0 if x.dtype.kind == "c" else xp.full(x.shape, True, bool))
signbit = _classify("signbit", lambda xp, x: xp.signbit(x) if x.dtype.kind == "f" else
                    xp.signbit(x.astype(np.float32)) if x.dtype is BF16 else (
                        x < 0 if x.dtype.kind == "i" else xp.zeros(x.shape, dtype=bool)))


# ---- logical and / or / xor: any dtype, nonzero is True ----
def _logical(name, fn):
    class L(Op):
        @staticmethod
        def forward(ctx, a, b):
            try:
                return fn(xp_of(a), a, b)
            except ValueError:
                raise broadcast_error(name, a.shape, b.shape) from None
    L.__name__ = L.__qualname__ = "".join(w.capitalize() for w in name.split("_"))

    def f(input, other, *, out=None):
        if not isinstance(other, Tensor):
            raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
        return wrap_out(L.apply(input, other), out)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Elementwise ``{name}`` (nonzero counts as True), broadcasting; a bool tensor."
    return tensor_method(name)(f)


logical_and = _logical("logical_and", lambda xp, a, b: xp.logical_and(a, b))
logical_or = _logical("logical_or", lambda xp, a, b: xp.logical_or(a, b))
logical_xor = _logical("logical_xor", lambda xp, a, b: xp.logical_xor(a, b))


# ---- closeness ----
def _legacy(d):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
            "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}.get(d.name, d.name)


class _IsClose(Op):
    @staticmethod
    def forward(ctx, a, b, rtol, atol, equal_nan):
        xp = xp_of(a)
        try:
            close = a == b
        except ValueError:
            raise broadcast_error("isclose", a.shape, b.shape) from None
        if a.dtype.kind not in "fc":
            if rtol == 0 and atol == 0:
                return close
            a, b = a.astype(np.float64), b.astype(np.float64)
        if equal_nan:
            close = close | (xp.isnan(a) & xp.isnan(b))
        if rtol == 0 and atol == 0:
            return close
        err = xp.abs(a - b)          # inf - inf is nan: no warning (see the filter below)
        return close | (xp.isfinite(err) & (err <= atol + xp.abs(rtol * b)))


@tensor_method("isclose")
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other| elementwise (equal infinities are close; nan only with
    ``equal_nan``). Both tensors must have the same dtype."""
    if not isinstance(other, Tensor):
        raise TypeError(f"isclose(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{_legacy(input.dtype)} did not match {_legacy(other.dtype)}: isclose needs both "
                           "tensors in one dtype; convert one, e.g. other.to(input.dtype)")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    return _IsClose.apply(input, other, rtol, atol, equal_nan)


@tensor_method("allclose")
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when every element is ``isclose`` (a Python bool)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


@tensor_method("equal")
def equal(input, other):
    """True when both tensors have the same shape and the same values (a Python bool; nan != nan)."""
    if not isinstance(other, Tensor):
        raise TypeError(f"equal(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
    if tuple(input.shape) != tuple(other.shape):
        return False
    a, b, _ = promote_arrays(input._data, other._data)
    return bool((a == b).all())


from .pointwise import inplace_methods  # noqa: E402 - after the methods it wraps exist

inplace_methods("logical_and", "logical_or", "logical_xor", "logical_not", "eq", "ne", "lt", "le", "gt", "ge",
                "less", "less_equal", "greater", "greater_equal", "not_equal")
