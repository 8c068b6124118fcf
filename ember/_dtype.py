"""Layer 2: dtypes and PyTorch's type-promotion rules.

Promotion is implemented here, not delegated to NumPy: NumPy 2 promotes
differently (e.g. int64 array / int gives float64, PyTorch gives the default
float dtype; 0-dim tensors and Python scalars only matter by category).
"""
import numpy as np

try:  # bfloat16 has no NumPy dtype of its own; ml_dtypes provides one.
    import ml_dtypes as _ml_dtypes
    _BF16_NP = np.dtype(_ml_dtypes.bfloat16)
except ImportError:  # pragma: no cover - optional extra
    _ml_dtypes = None
    _BF16_NP = None


class dtype:
    """A tensor element type (``ember.float32`` ...), printed as ``torch.float32``."""
    __slots__ = ("name", "np", "itemsize", "is_floating_point", "is_complex", "is_signed", "_rank",
                 "legacy")

    def __init__(self, name, np_dtype, kind, rank, legacy=None):
        self.name = name
        self.np = np_dtype
        self.itemsize = np_dtype.itemsize if np_dtype is not None else 2
        self.is_floating_point = kind == "f"
        self.is_complex = kind == "c"
        self.is_signed = kind not in ("b", "u")
        self._rank = rank          # order inside its category, for promotion
        self.legacy = legacy       # 'FloatTensor' etc.

    @property
    def category(self):
        if self.is_complex:
            return 3
        if self.is_floating_point:
            return 2
        return 0 if self is bool_ else 1

    def to_real(self):
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self):
        return {float16: complex64, bfloat16: complex64, float32: complex64, float64: complex128}.get(self, self)

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):  # pickles as the module-level singleton
        return (_dtype_by_name, (self.name,))


def _dtype_by_name(name):
    return _BY_NAME[name]


float16 = dtype("float16", np.dtype(np.float16), "f", 0, "HalfTensor")
bfloat16 = dtype("bfloat16", _BF16_NP, "f", 1, "BFloat16Tensor")
float32 = dtype("float32", np.dtype(np.float32), "f", 2, "FloatTensor")
float64 = dtype("float64", np.dtype(np.float64), "f", 3, "DoubleTensor")
complex64 = dtype("complex64", np.dtype(np.complex64), "c", 0, "ComplexFloatTensor")
complex128 = dtype("complex128", np.dtype(np.complex128), "c", 1, "ComplexDoubleTensor")
uint8 = dtype("uint8", np.dtype(np.uint8), "u", 0, "ByteTensor")
int8 = dtype("int8", np.dtype(np.int8), "i", 1, "CharTensor")
int16 = dtype("int16", np.dtype(np.int16), "i", 2, "ShortTensor")
int32 = dtype("int32", np.dtype(np.int32), "i", 3, "IntTensor")
int64 = dtype("int64", np.dtype(np.int64), "i", 4, "LongTensor")
bool_ = dtype("bool", np.dtype(np.bool_), "b", 0, "BoolTensor")

ALL = (float16, bfloat16, float32, float64, complex64, complex128, uint8, int8, int16, int32, int64, bool_)
_BY_NAME = {d.name: d for d in ALL}
# aliases PyTorch exports
ALIASES = {"half": float16, "float": float32, "double": float64, "cfloat": complex64, "cdouble": complex128,
           "short": int16, "int": int32, "long": int64, "bool": bool_, "complex32": None}
ALIASES.pop("complex32")

_FROM_NP = {d.np: d for d in ALL if d.np is not None}
_FROM_NP[np.dtype(np.uint16)] = int32   # NumPy types PyTorch lacks map to the next wider one
_FROM_NP[np.dtype(np.uint32)] = int64
_FROM_NP[np.dtype(np.uint64)] = int64
LEGACY = {d.legacy: d for d in ALL}

_default = float32


def from_numpy_dtype(np_dtype):
    """The ember dtype for a NumPy dtype; TypeError (PyTorch's wording) when there is none."""
    d = _FROM_NP.get(np_dtype)
    if d is None:
        raise TypeError(f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).name}. The only supported "
                        "types are: float64, float32, float16, complex64, complex128, int64, int32, int16, int8, "
                        "uint8, and bool.")
    return d


def to_numpy_dtype(d):
    if d.np is None:
        raise TypeError("bfloat16 needs the optional package ml_dtypes: pip install ml_dtypes")
    return d.np


def get_default_dtype():
    return _default


def set_default_dtype(d):
    global _default
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default = d


def default_complex():
    return complex128 if _default is float64 else complex64


def promote_types(a, b):
    """``torch.promote_types``: the smallest dtype both ``a`` and ``b`` convert to safely."""
    if a is b:
        return a
    ca, cb = a.category, b.category
    if ca != cb:
        hi, lo = (a, b) if ca > cb else (b, a)
        if hi.is_complex and lo.is_floating_point and lo is float64:
            return complex128
        return hi
    if ca == 1:  # integers: uint8 with a signed int needs a wider signed int
        if uint8 in (a, b):
            other = b if a is uint8 else a
            return int16 if other is int8 else other
        return a if a._rank > b._rank else b
    if ca == 2 and {a, b} == {float16, bfloat16}:
        return float32
    return a if a._rank > b._rank else b


def _combine_categories(higher, lower):
    # c10's combine_categories: a lower-priority operand only matters if its category is higher.
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_complex:
        return higher
    if lower.is_complex:
        return higher.to_complex() if higher.is_floating_point else lower
    if higher.is_floating_point:
        return higher
    if higher is bool_ or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(value):
    """The dtype a Python number takes as an operand (a 'wrapped number')."""
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    if isinstance(value, float):
        return _default
    if isinstance(value, complex):
        return default_complex()
    raise TypeError(f"unsupported operand type {type(value).__name__}")


def result_type_of(*operands):
    """``torch.result_type`` for arrays (0-dim arrays are 0-dim tensors) and Python numbers.

    Dimensioned tensors take priority over 0-dim tensors, which take priority
    over Python scalars; a lower-priority operand only counts when its category
    (bool < integer < float < complex) is higher.
    """
    dim_r = zero_r = wrap_r = None
    for op in operands:
        if isinstance(op, (bool, int, float, complex)):
            d = scalar_dtype(op)
            wrap_r = d if wrap_r is None else promote_types(wrap_r, d)
        else:
            d = _FROM_NP[op.dtype]
            if op.ndim:
                dim_r = d if dim_r is None else promote_types(dim_r, d)
            else:
                zero_r = d if zero_r is None else promote_types(zero_r, d)
    return _combine_categories(dim_r, _combine_categories(zero_r, wrap_r))


def can_cast(from_, to):
    """``torch.can_cast``: False when casting would lose the category (float -> int, ...)."""
    if to is bool_:
        return from_ is bool_
    return from_.category <= to.category


def finfo_eps(d):
    return float(np.finfo(to_numpy_dtype(d)).eps)
