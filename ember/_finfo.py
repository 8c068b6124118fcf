"""``torch.finfo`` / ``torch.iinfo``: the numeric limits of a dtype, printed as PyTorch prints them."""
import numpy as np

from . import _dtype as D


def _np_finfo(npdt):
    if D._ml_dtypes is not None and npdt == D._BF16_NP:
        return D._ml_dtypes.finfo(npdt)     # NumPy's finfo does not know bfloat16
    return np.finfo(npdt)


class finfo:
    """Limits of a floating-point dtype (of the real part for complex dtypes); one shared object per dtype."""
    _cache = {}

    def __new__(cls, type=None):  # noqa: A002 - PyTorch's argument name
        d = D.get_default_dtype() if type is None else type
        if not isinstance(d, D.dtype):
            raise TypeError(f"finfo(): argument 'type' must be torch.dtype, not {builtins_type(d).__name__}")
        if not (d.is_floating_point or d.is_complex):
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                            "'torch.finfo'")
        d = d.to_real()
        if d not in cls._cache:
            info = _np_finfo(D.to_numpy_dtype(d))
            self = object.__new__(cls)
            self.bits = int(info.bits)
            self.eps = float(info.eps)
            self.max = float(info.max)
            self.min = float(info.min)
            self.tiny = self.smallest_normal = float(info.smallest_normal)
            self.resolution = 10.0 ** -int(info.precision)   # ml_dtypes rounds it to bfloat16
            self.dtype = d.name
            cls._cache[d] = self
        return cls._cache[d]

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:.6g}, min={self.min:.6g}, max={self.max:.6g}, "
                f"eps={self.eps:.6g}, smallest_normal={self.smallest_normal:.6g}, tiny={self.tiny:.6g}, "
                f"dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype: ``bits``, ``min``, ``max`` (Python ints) and ``dtype`` (its name)."""
    _cache = {}

    def __new__(cls, type):  # noqa: A002
        if not isinstance(type, D.dtype):
            raise TypeError(f"iinfo(): argument 'type' must be torch.dtype, not {builtins_type(type).__name__}")
        if type is D.bool_:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if type.is_floating_point or type.is_complex:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to handle "
                            "'torch.iinfo'")
        if type not in cls._cache:
            info = np.iinfo(type.np)
            self = object.__new__(cls)
            self.bits, self.min, self.max, self.dtype = int(info.bits), int(info.min), int(info.max), type.name
            cls._cache[type] = self
        return cls._cache[type]

    def __repr__(self):
        return f"iinfo(min={self.min:.6g}, max={self.max:.6g}, dtype={self.dtype})"


builtins_type = type
