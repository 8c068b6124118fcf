"""Padding layers: ``ZeroPad1d/2d/3d ConstantPad1d/2d/3d ReflectionPad1d/2d/3d ReplicationPad1d/2d/3d
CircularPad1d/2d/3d`` (all through ``F.pad``)."""
from ...ops.pad import pad as _pad
from .module import Module

__all__ = []


def _expand(padding, n):
    if isinstance(padding, int):
        return (padding,) * (2 * n)
    padding = tuple(padding)
    if len(padding) != 2 * n:
        raise ValueError(f"expected padding to be an int or a tuple of {2 * n} ints, got {padding}")
    return padding


class _PadNd(Module):
    __constants__ = ["padding", "mode"]
    _n = 1
    _mode = "constant"

    def __init__(self, padding):
        super().__init__()
        self.padding = _expand(padding, self._n)

    def forward(self, input):
        return _pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    __constants__ = ["padding", "value"]

    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return _pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


def _make(prefix, base, mode, doc):
    for n in (1, 2, 3):
        name = f"{prefix}{n}d"
        cls = type(name, (base,), {"_n": n, "_mode": mode, "__module__": __name__,
                                   "__doc__": f"{doc} the last {n} dim(s); ``padding`` is an int or a "
                                              f"{2 * n}-tuple (left, right, top, bottom, front, back)."})
        globals()[name] = cls
        __all__.append(name)


_make("ZeroPad", _ZeroPadNd, "constant", "Pad with zeros")
_make("ConstantPad", _ConstantPadNd, "constant", "Pad with a constant ``value``")
_make("ReflectionPad", _PadNd, "reflect", "Pad by mirroring (without repeating the edge)")
_make("ReplicationPad", _PadNd, "replicate", "Pad by repeating the edge values")
_make("CircularPad", _PadNd, "circular", "Pad by wrapping around")
