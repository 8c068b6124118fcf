"""Window functions (``torch.signal.windows``): 1-D tensors of length ``M`` for spectral analysis and filter design.

Every window is built as PyTorch builds it: the sample positions come from one ``linspace`` in the requested
dtype (float32 or float64), then a few pointwise ops. Values therefore round as PyTorch's do, and with
``requires_grad=True`` the positions are the leaf and the window is the (non-leaf) result, as in PyTorch.

``sym=True`` (default) gives a symmetric window for filter design; ``sym=False`` a periodic one for spectral
analysis (the first ``M`` points of the symmetric window of length ``M + 1``).
"""
import math
from collections.abc import Iterable

from ... import _dtype as D
from ..._layout import strided
from ...ops.creation import arange, empty, linspace, ones, tensor
from ...ops.special import i0

__all__ = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine", "general_hamming",
           "hamming", "hann", "kaiser", "nuttall"]

_STRIDED = strided


def _checks(name, M, dtype, layout):
    """PyTorch's argument checks, shared by every window; returns the dtype to use."""
    dtype = D.get_default_dtype() if dtype is None else dtype
    if M < 0:
        raise ValueError(f"{name} requires non-negative window length, got M={M}")
    if layout != _STRIDED:
        raise ValueError(f"{name} is implemented for strided tensors only, got: {layout}")
    if dtype not in (D.float32, D.float64):
        raise ValueError(f"{name} expects float32 or float64 dtypes, got: {dtype}")
    return dtype


def _positions(start, end, M, dtype, device, requires_grad):
    """The window's sample points: ``M`` evenly spaced values from ``start`` to ``end``."""
    return linspace(start, end, M, dtype=dtype, device=device, requires_grad=requires_grad)


def _empty(dtype, device, requires_grad):
    return empty((0,), dtype=dtype, device=device, requires_grad=requires_grad)


def exponential(M, *, center=None, tau=1.0, sym=True, dtype=None, layout=_STRIDED, device=None,
                requires_grad=False):
    """Exponential (Poisson) window: ``w[n] = exp(-|n - c| / tau)``, ``c`` = ``center``.

    ``center`` defaults to ``(M - 1) / 2`` (``M / 2`` when ``sym=False``) and must be None for symmetric windows.
    """
    dtype = _checks("exponential", M, dtype, layout)
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")
    if M == 0:
        return _empty(dtype, device, requires_grad)
    if center is None:
        center = (M if not sym and M > 1 else M - 1) / 2.0
    scale = 1 / tau
    k = _positions(-center * scale, (-center + (M - 1)) * scale, M, dtype, device, requires_grad)
    return (-k.abs()).exp()


def cosine(M, *, sym=True, dtype=None, layout=_STRIDED, device=None, requires_grad=False):
    """Cosine (sine) window, as SciPy's: ``w[n] = sin(pi (n + 0.5) / M)``."""
    dtype = _checks("cosine", M, dtype, layout)
    if M == 0:
        return _empty(dtype, device, requires_grad)
    step = math.pi / (M + 1 if not sym and M > 1 else M)
    return _positions(0.5 * step, (0.5 + (M - 1)) * step, M, dtype, device, requires_grad).sin()


def gaussian(M, *, std=1.0, sym=True, dtype=None, layout=_STRIDED, device=None, requires_grad=False):
    """Gaussian window: ``w[n] = exp(-(n - (M - 1) / 2)^2 / (2 std^2))``."""
    dtype = _checks("gaussian", M, dtype, layout)
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    if M == 0:
        return _empty(dtype, device, requires_grad)
    start = -(M if not sym and M > 1 else M - 1) / 2.0
    scale = 1 / (std * math.sqrt(2))
    k = _positions(start * scale, (start + (M - 1)) * scale, M, dtype, device, requires_grad)
    return (-k ** 2).exp()


def kaiser(M, *, beta=12.0, sym=True, dtype=None, layout=_STRIDED, device=None, requires_grad=False):
    """Kaiser window: ``w[n] = I0(beta sqrt(1 - (2n/N - 1)^2)) / I0(beta)``, ``N = M - 1`` (``M`` if not sym)."""
    dtype = _checks("kaiser", M, dtype, layout)
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    if M == 0:
        return _empty(dtype, device, requires_grad)
    if M == 1:
        return ones((1,), dtype=dtype, device=device, requires_grad=requires_grad)
    beta = tensor(beta, dtype=dtype, device=device)     # in the window's dtype, so beta^2 - k^2 >= 0 holds
    start = -beta
    step = 2.0 * beta / (M if not sym else M - 1)
    end = beta.minimum(start + (M - 1) * step)           # rounding must not carry the last point past beta
    k = _positions(start, end, M, dtype, device, requires_grad)
    return i0((beta * beta - k.pow(2)).sqrt()) / i0(beta)


def hamming(M, *, sym=True, dtype=None, layout=_STRIDED, device=None, requires_grad=False):
    """Hamming window: ``w[n] = 0.54 - 0.46 cos(2 pi n / (M - 1))``."""
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, device=device, requires_grad=requires_grad)


def hann(M, *, sym=True, dtype=None, layout=_STRIDED, device=None, requires_grad=False):
    """Hann window: ``w[n] = 0.5 - 0.5 cos(2 pi n / (M - 1)) = sin^2(pi n / (M - 1))``."""
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def blackman(M, *, sym=True, dtype=None, layout=_STRIDED, device=None, requires_grad=False):
    """Blackman window: ``w[n] = 0.42 - 0.5 cos(2 pi n / (M - 1)) + 0.08 cos(4 pi n / (M - 1))``."""
    dtype = _checks("blackman", M, dtype, layout)
    return general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)


def bartlett(M, *, sym=True, dtype=None, layout=_STRIDED, device=None, requires_grad=False):
    """Bartlett (triangular) window: ``w[n] = 1 - |2n / (M - 1) - 1|``."""
    dtype = _checks("bartlett", M, dtype, layout)
    if M == 0:
        return _empty(dtype, device, requires_grad)
    if M == 1:
        return ones((1,), dtype=dtype, device=device, requires_grad=requires_grad)
    step = 2 / (M if not sym else M - 1)
    return 1 - _positions(-1, -1 + (M - 1) * step, M, dtype, device, requires_grad).abs()


def general_cosine(M, *, a, sym=True, dtype=None, layout=_STRIDED, device=None, requires_grad=False):
    """Sum of cosines: ``w[n] = sum_i (-1)^i a[i] cos(2 pi i n / (M - 1))`` for coefficients ``a`` (a list)."""
    dtype = _checks("general_cosine", M, dtype, layout)
    if M == 0:
        return _empty(dtype, device, requires_grad)
    if M == 1:
        return ones((1,), dtype=dtype, device=device, requires_grad=requires_grad)
    if not isinstance(a, Iterable):
        raise TypeError("Coefficients must be a list/tuple")
    if not a:
        raise ValueError("Coefficients cannot be empty")
    step = 2 * math.pi / (M if not sym else M - 1)
    k = _positions(0, (M - 1) * step, M, dtype, device, requires_grad)
    coef = tensor([(-1) ** i * w for i, w in enumerate(a)], dtype=dtype, device=device, requires_grad=requires_grad)
    i = arange(coef.shape[0], dtype=dtype, device=coef.device, requires_grad=requires_grad)
    return (coef.unsqueeze(-1) * (i.unsqueeze(-1) * k).cos()).sum(0)     # (len(a), M) summed over the terms


def general_hamming(M, *, alpha=0.54, sym=True, dtype=None, layout=_STRIDED, device=None, requires_grad=False):
    """Generalized Hamming window: ``w[n] = alpha - (1 - alpha) cos(2 pi n / (M - 1))``."""
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)


def nuttall(M, *, sym=True, dtype=None, layout=_STRIDED, device=None, requires_grad=False):
    """Minimum 4-term Blackman-Harris window (Nuttall's coefficients)."""
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)
