"""``ember.fft``: PyTorch's ``torch.fft`` namespace (discrete Fourier transforms), differentiable.

Every transform is one of three kernels (``ops/spectral.py``): complex to complex
(``fft ifft fft2 ifft2 fftn ifftn``), real to complex (``rfft rfft2 rfftn``, and
``ihfft*`` = the conjugate of ``rfft*`` with the adjoint normalisation) and complex
to real (``irfft irfft2 irfftn``, and ``hfft*`` = ``irfft*`` of the conjugate with
the adjoint normalisation). Arguments follow PyTorch:

* ``n`` / ``s``: signal length(s): the input is zero-padded or trimmed to them first
  (``-1`` in ``s`` keeps a dim's size). For the complex-to-real transforms they are the
  *output* lengths (default ``2 * (m - 1)`` along the last dim, whose input is
  padded or trimmed to ``n // 2 + 1``).
* ``dim``: the dims to transform; ``fftn`` & co. with ``s`` but no ``dim`` take the
  last ``len(s)`` dims, with neither all dims.
* ``norm``: ``"backward"`` (default: no scaling forward, ``1/n`` on the inverse), ``"ortho"``
  (``1/sqrt(n)`` both ways) or ``"forward"`` (``1/n`` forward, none on the inverse).

Real inputs give complex64 from float32 and complex128 from float64 (integers go
through the default float dtype); float16/bfloat16 are refused, as by PyTorch on CPU.
"""
from . import _dtype as D
from ._tensor import Tensor, _wrap_dim
from .ops._util import wrap_out
from .ops.creation import _finish
from .ops.misc import roll
from .ops.spectral import ADJOINT_NORM, FftC2C, FftC2R, FftR2C, zero_pad

__all__ = ['fft', 'ifft', 'rfft', 'irfft', 'hfft', 'ihfft', 'fft2', 'ifft2', 'rfft2', 'irfft2', 'hfft2', 'ihfft2',
           'fftn', 'ifftn', 'rfftn', 'irfftn', 'hfftn', 'ihfftn', 'fftfreq', 'rfftfreq', 'fftshift', 'ifftshift']

_LEGACY = {"complex64": "ComplexFloat", "complex128": "ComplexDouble", "float16": "Half", "bfloat16": "BFloat16"}


# ---------------------------------------------------------------------------------------------- arguments
def _norm(norm):
    if norm is None:
        return "backward"
    if norm not in ADJOINT_NORM:
        raise RuntimeError(f'Invalid normalization mode: "{norm}" (use "backward", "ortho" or "forward")')
    return norm


def _check_input(fname, input):
    if not isinstance(input, Tensor):
        raise TypeError(f"fft_{fname}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input.dtype in (D.float16, D.bfloat16):
        raise RuntimeError(f"Unsupported dtype {_LEGACY[input.dtype.name]} (fft.{fname} runs in float32 or "
                           "float64: convert the input first, e.g. x.float())")


def _points(n):
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return n


def _one_dim(fname, input, n, dim):
    """Checks for the 1-D transforms: ``(dim, n)`` with ``dim`` wrapped; ``n`` may stay None."""
    _check_input(fname, input)
    for arg, v in (("n", n), ("dim", dim)):
        if v is not None and (not isinstance(v, int) or isinstance(v, bool)):
            raise TypeError(f"fft_{fname}(): argument '{arg}' must be int, not {type(v).__name__}")
    if input.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions (fft.{fname} needs at least "
                         "one dim: x.reshape(1) makes a 1-element signal)")
    d = _wrap_dim(dim, input.ndim, f"fft_{fname}")
    return d, (None if n is None else _points(n))


def _n_dims(fname, input, s, dim):
    """Checks for the n-D transforms: ``(dims, sizes)``, sizes None where ``s`` leaves a dim's size to the input."""
    _check_input(fname, input)
    ndim = input.ndim
    s = (s,) if isinstance(s, int) else (None if s is None else tuple(s))
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        dims = tuple(_wrap_dim(d, ndim, f"fft_{fname}") for d in dims)
        if s is not None and len(s) != len(dims):
            raise RuntimeError(f"When given, dim and shape arguments must have the same length (fft.{fname}: s "
                               f"{list(s)}, dim {list(dims)})")
    elif s is not None:
        if len(s) > ndim:
            raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has {ndim} dimensions.")
        dims = tuple(range(ndim - len(s), ndim))
    else:
        dims = tuple(range(ndim))
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"FFT dims must be unique (fft.{fname} got dims {list(dims)})")
    sizes = [None if s is None or s[i] == -1 else _points(s[i]) for i in range(len(dims))]
    return dims, sizes


def _resize(x, dims, sizes):
    """Trim (a view) or zero-pad ``x`` to ``sizes`` along ``dims``; differentiable."""
    for d, n in zip(dims, sizes):
        if n < x.shape[d]:
            x = x.narrow(d, 0, n)
        elif n > x.shape[d]:
            x = zero_pad(x, d, n)
    return x


def _complex_input(x):
    """Real inputs become complex (integers through the default float dtype)."""
    if x.is_complex():
        return x
    if not x.is_floating_point():
        x = x.to(D.get_default_dtype())
    return x.to(x.dtype.to_complex())


def _real_input(fname, x, message):
    if x.is_complex():
        raise RuntimeError(f"{message}, but got {_LEGACY[x.dtype.name]} (fft.{fname} takes a real signal; for a "
                           "complex one use fft.fft / fft.fftn)")
    return x if x.is_floating_point() else x.to(D.get_default_dtype())


# ---------------------------------------------------------------------------------------------- the three kernels
def _c2c(fname, input, dims, sizes, norm, forward, out):
    norm = _norm(norm)
    x = _complex_input(input)
    x = _resize(x, dims, [_points(x.shape[d]) if n is None else n for d, n in zip(dims, sizes)])
    if not dims:              # nothing to transform: the (complex) input itself, as PyTorch returns
        return wrap_out(x.clone() if x is input else x, out)
    return wrap_out(FftC2C.apply(x, dims, norm, forward), out)


def _r2c(fname, input, dims, sizes, norm, message):
    """The one-sided DFT of a real input (``norm`` already checked)."""
    x = _real_input(fname, input, message)
    if not dims:
        raise RuntimeError(f"{fname} must transform at least one axis")
    x = _resize(x, dims, [_points(x.shape[d]) if n is None else n for d, n in zip(dims, sizes)])
    return FftR2C.apply(x, dims, norm, True)


def _c2r(fname, input, dims, sizes, norm):
    """The real signal of a one-sided spectrum; ``sizes[-1]`` is the output length (``norm`` already checked)."""
    x = _complex_input(input)
    if not dims:
        raise RuntimeError(f"{fname} must transform at least one axis")
    sizes = [_points(x.shape[d]) if n is None else n for d, n in zip(dims[:-1], sizes[:-1])] + [sizes[-1]]
    last = _points(2 * (x.shape[dims[-1]] - 1)) if sizes[-1] is None else sizes[-1]
    x = _resize(x, dims, sizes[:-1] + [last // 2 + 1])
    return FftC2R.apply(x, dims, norm, last)


# ---------------------------------------------------------------------------------------------- 1-D transforms
def fft(input, n=None, dim=-1, norm=None, *, out=None):
    """The 1-D discrete Fourier transform along ``dim`` (``n``: pad/trim the signal to this length first)."""
    d, n = _one_dim("fft", input, n, dim)
    return _c2c("fft", input, (d,), [n], norm, True, out)


def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of ``fft`` (with ``norm="backward"``, scaled by ``1/n``)."""
    d, n = _one_dim("ifft", input, n, dim)
    return _c2c("ifft", input, (d,), [n], norm, False, out)


def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The DFT of a real signal: the ``n // 2 + 1`` non-negative frequencies (the rest are their conjugates)."""
    d, n = _one_dim("rfft", input, n, dim)
    return wrap_out(_r2c("rfft", input, (d,), [n], _norm(norm), "rfft expects a real input tensor"), out)


def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of ``rfft``: a real signal of length ``n`` (default ``2 * (input.size(dim) - 1)``)."""
    d, n = _one_dim("irfft", input, n, dim)
    return wrap_out(_c2r("irfft", input, (d,), [n], _norm(norm)), out)


def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The DFT of a Hermitian-symmetric signal given by its first half: a real result of length ``n``."""
    d, n = _one_dim("hfft", input, n, dim)
    return wrap_out(_c2r("hfft", _complex_input(input).conj(), (d,), [n], ADJOINT_NORM[_norm(norm)]), out)


def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of ``hfft``: the first ``n // 2 + 1`` bins of the inverse DFT of a real signal."""
    d, n = _one_dim("ihfft", input, n, dim)
    r = _r2c("ihfft", input, (d,), [n], ADJOINT_NORM[_norm(norm)], "ihfft expects a real input tensor")
    return wrap_out(r.conj(), out)


# ---------------------------------------------------------------------------------------------- n-D transforms
def fftn(input, s=None, dim=None, norm=None, *, out=None):
    """The n-D DFT over ``dim`` (all dims by default; the last ``len(s)`` when only ``s`` is given)."""
    dims, sizes = _n_dims("fftn", input, s, dim)
    return _c2c("fftn", input, dims, sizes, norm, True, out)


def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    """The inverse of ``fftn``."""
    dims, sizes = _n_dims("ifftn", input, s, dim)
    return _c2c("ifftn", input, dims, sizes, norm, False, out)


def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The n-D DFT of a real input; the last transformed dim keeps its ``n // 2 + 1`` non-negative frequencies."""
    dims, sizes = _n_dims("rfftn", input, s, dim)
    return wrap_out(_r2c("rfftn", input, dims, sizes, _norm(norm), "rfftn expects a real-valued input tensor"), out)


def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The inverse of ``rfftn``: real output, of length ``s[-1]`` (default ``2 * (m - 1)``) along the last dim."""
    dims, sizes = _n_dims("irfftn", input, s, dim)
    return wrap_out(_c2r("irfftn", input, dims, sizes, _norm(norm)), out)


def hfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The n-D DFT of a Hermitian-symmetric signal given by its half along the last dim: a real result."""
    dims, sizes = _n_dims("hfftn", input, s, dim)
    return wrap_out(_c2r("hfftn", _complex_input(input).conj(), dims, sizes, ADJOINT_NORM[_norm(norm)]), out)


def ihfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The inverse of ``hfftn``: the half spectrum (last dim) of the inverse DFT of a real input."""
    dims, sizes = _n_dims("ihfftn", input, s, dim)
    if input.is_complex():
        raise RuntimeError(f"Only supports floating-point dtypes, but found: {_LEGACY[input.dtype.name]} "
                           "(fft.ihfftn takes a real signal)")
    r = _r2c("ihfftn", input, dims, sizes, ADJOINT_NORM[_norm(norm)], "ihfftn expects a real-valued input tensor")
    return wrap_out(r.conj(), out)


def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The 2-D DFT: ``fftn`` over the last two dims by default."""
    return fftn(input, s, dim, norm, out=out)


def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The inverse of ``fft2``."""
    return ifftn(input, s, dim, norm, out=out)


def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The 2-D DFT of a real input (half spectrum along the last dim)."""
    return rfftn(input, s, dim, norm, out=out)


def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The inverse of ``rfft2``."""
    return irfftn(input, s, dim, norm, out=out)


def hfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The 2-D DFT of a Hermitian-symmetric signal given by its half along the last dim."""
    return hfftn(input, s, dim, norm, out=out)


def ihfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The inverse of ``hfft2``."""
    return ihfftn(input, s, dim, norm, out=out)


# ---------------------------------------------------------------------------------------------- helpers
def _freq_dtype(name, dtype):
    dtype = D.get_default_dtype() if dtype is None else dtype
    if not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError(f"{name} requires a floating point or complex dtype (got {dtype})")
    if dtype.is_complex:     # PyTorch builds the values with arange, which has no complex kernel
        raise NotImplementedError(f"\"arange_cpu\" not implemented for '{_LEGACY[dtype.name]}' ({name}: ask for a "
                                  "real dtype and convert the result)")
    return dtype


def _freqs(name, count, n, d, neg, out, dtype, device, requires_grad):
    import numpy as np
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    npdt = _freq_dtype(name, dtype).np
    k = np.arange(count, dtype=np.int64)
    if neg:               # [0, 1, ..., (n - 1) // 2, -(n // 2), ..., -1]
        k[(n + 1) // 2:] -= n
    # PyTorch: the integers in the dtype, times 1 / (n d) rounded to the dtype (one rounding per value)
    scale = npdt.type(1.0 / (n * d)) if n else npdt.type(0)
    return wrap_out(_finish(k.astype(npdt) * scale, device, requires_grad), out)


def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of ``fft`` for signal length ``n`` and sample spacing ``d``: ``k / (n d)``, with the
    negative ones in the second half."""
    return _freqs("fftfreq", n, n, d, True, out, dtype, device, requires_grad)


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The ``n // 2 + 1`` non-negative sample frequencies of ``rfft``: ``k / (n d)``."""
    return _freqs("rfftfreq", n // 2 + 1 if n >= 0 else n, n, d, False, out, dtype, device, requires_grad)


def _shift(input, dim, shift_of):
    dims = tuple(range(input.ndim)) if dim is None else ((dim,) if isinstance(dim, int) else tuple(dim))
    if not dims:
        raise RuntimeError("`shifts` required (no dim to shift: the input is 0-dim or dim is empty)")
    dims = tuple(_wrap_dim(d, input.ndim, "roll") for d in dims)
    return roll(input, [shift_of(input.shape[d]) for d in dims], dims)


def fftshift(input, dim=None):
    """Move the zero frequency to the centre: roll each of ``dim`` (all dims by default) by ``size // 2``."""
    return _shift(input, dim, lambda n: n // 2)


def ifftshift(input, dim=None):
    """The inverse of ``fftshift``: roll by ``(size + 1) // 2``."""
    return _shift(input, dim, lambda n: (n + 1) // 2)
