"""Spectral ops: the three FFT kernels behind ``ember.fft``, and ``stft`` / ``istft``.

The kernels transform over a tuple of dims with ``xp.fft`` (NumPy's pocketfft, or
cuFFT through CuPy), with PyTorch's normalisation names:

* ``FftC2C``: complex to complex, forward (``fftn``) or inverse (``ifftn``);
* ``FftR2C``: real to complex, the one-sided half spectrum along the last dim (``rfftn``) or all of it;
* ``FftC2R``: a one-sided half spectrum to a real signal of a given length (``irfftn``).

Their gradients are FFTs too. A DFT is linear, so its gradient (the adjoint,
PyTorch's conjugate convention) is the DFT in the other direction with the
adjoint normalisation: ``backward`` <-> ``forward``, ``ortho`` stays. Real
signals need the Hermitian bookkeeping: the half spectrum of ``rfft`` leaves
out bins that contribute nothing (zero-filled before the inverse transform),
and in ``irfft`` each bin 1 .. n - n//2 - 1 also stands for its mirror image,
so its gradient counts twice.
"""
import warnings

from .. import _dtype as D
from ._util import Op, Tensor, tensor_method, xp_of

__all__ = ['stft', 'istft']

ADJOINT_NORM = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def zero_pad(t, dim, n):
    """``t`` with zeros appended along ``dim`` up to length ``n`` (differentiable)."""
    extra = n - t.shape[dim]
    if extra <= 0:
        return t
    from .join import cat
    shape = list(t.shape)
    shape[dim] = extra
    return cat([t, t.new_zeros(shape)], dim)


class FftC2C(Op):
    """``fftn`` (``forward=True``) or ``ifftn`` of a complex array over ``dims``."""
    node_name = "FftC2CBackward0"

    @staticmethod
    def forward(ctx, x, dims, norm, forward):
        ctx.dims, ctx.norm, ctx.fwd = dims, norm, forward
        fft = xp_of(x).fft
        return (fft.fftn if forward else fft.ifftn)(x, axes=dims, norm=norm)

    @staticmethod
    def backward(ctx, g):
        return FftC2C.apply(g, ctx.dims, ADJOINT_NORM[ctx.norm], not ctx.fwd)


class FftR2C(Op):
    """The DFT of a real array over ``dims``: the half spectrum n//2 + 1 along the last of them when ``onesided``."""
    node_name = "FftR2CBackward0"

    @staticmethod
    def forward(ctx, x, dims, norm, onesided):
        ctx.dims, ctx.norm, ctx.onesided, ctx.n_last = dims, norm, onesided, x.shape[dims[-1]]
        fft = xp_of(x).fft
        return (fft.rfftn if onesided else fft.fftn)(x, axes=dims, norm=norm)

    @staticmethod
    def backward(ctx, g):
        if ctx.onesided:       # the bins left out contributed nothing: zero gradient there
            g = zero_pad(g, ctx.dims[-1], ctx.n_last)
        return FftC2C.apply(g, ctx.dims, ADJOINT_NORM[ctx.norm], False).real


class FftC2R(Op):
    """The real signal of length ``last_size`` (along the last of ``dims``) whose half spectrum is ``x``.

    ``x`` must have ``last_size // 2 + 1`` entries along that dim; as in PyTorch, the
    imaginary parts of the bins that must be real (0, and n/2 for even n) are ignored.
    """
    node_name = "FftC2RBackward0"

    @staticmethod
    def forward(ctx, x, dims, norm, last_size):
        ctx.dims, ctx.norm, ctx.last_size = dims, norm, last_size
        s = [x.shape[d] for d in dims[:-1]] + [last_size]
        return xp_of(x).fft.irfftn(x, s=s, axes=dims, norm=norm)

    @staticmethod
    def backward(ctx, g):
        gi = FftR2C.apply(g, ctx.dims, ADJOINT_NORM[ctx.norm], True)
        d = ctx.dims[-1]
        m = gi.shape[d]
        twice = ctx.last_size - m           # bins 1 .. twice appear in the signal with their mirror images
        if twice > 0:
            xp = xp_of(gi._data)
            w = xp.ones(m, dtype=g._data.dtype)
            w[1:1 + twice] = 2
            gi = gi * Tensor._wrap(w.reshape((m,) + (1,) * (gi.ndim - 1 - d)))
        return gi


# ---------------------------------------------------------------------------------------------- stft / istft
def _window(window, win_length, n_fft, like, op):
    """The window as a tensor of length ``n_fft``: a window of ``win_length`` is centred with zeros around it."""
    if window is not None and (window.ndim != 1 or window.shape[0] != win_length):
        if op == "stft":
            raise RuntimeError(f"stft: expected a 1D window tensor of size equal to win_length={win_length}, but got "
                               f"window with size {list(window.shape)}")
        raise RuntimeError("istft: Invalid window shape. window has to be 1D and length of `win_length` (got "
                           f"{list(window.shape)}, win_length={win_length})")
    if window is None:
        if win_length == n_fft:
            return None
        real = D._FROM_NP[like._data.dtype].to_real()
        window = like.new_ones(win_length, dtype=real)
    if win_length < n_fft:
        from .pad import pad
        left = (n_fft - win_length) // 2
        window = pad(window, (left, n_fft - win_length - left))
    return window


_NO_WINDOW = {
    "stft": "A window was not provided. A rectangular window will be applied,which is known to cause spectral "
            "leakage. Other windows such as torch.hann_window or torch.hamming_window are recommended to reduce "
            "spectral leakage.To suppress this warning and use a rectangular window, explicitly set "
            "`window=torch.ones(n_fft, device=<device>)`.",
    "istft": "A window was not provided. A rectangular window will be applied.Please provide the same window used "
             "by stft to make the inversion lossless.To suppress this warning and use a rectangular window, "
             "explicitly set `window=torch.ones(n_fft, device=<device>)`.",
}


@tensor_method("stft")
def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, pad_mode="reflect",
         normalized=False, onesided=None, return_complex=None, align_to_window=None):
    """Short-time Fourier transform: shape ``(B?, n_freq, n_frames)``, frames of ``n_fft`` every ``hop_length``.

    ``input``: ``(L,)`` or ``(B, L)``. Each frame is multiplied by ``window`` (``win_length`` long, centred in
    ``n_fft``) and transformed; ``n_freq`` is ``n_fft // 2 + 1`` when ``onesided`` (the default for real input
    and window), else ``n_fft``. ``center`` pads ``n_fft // 2`` on both sides with ``pad_mode`` first, so frame
    ``t`` is centred on sample ``t * hop_length``; ``normalized`` scales by ``n_fft ** -0.5``.
    """
    if center and align_to_window is not None:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    if window is None:
        warnings.warn(_NO_WINDOW["stft"], UserWarning, stacklevel=2)
    cplx = input.is_complex() or (window is not None and window.is_complex())
    if return_complex is None and not cplx:
        raise RuntimeError("stft requires the return_complex parameter be given for real inputs, and will further "
                           "require that return_complex=True in a future PyTorch release.")
    if return_complex is False:
        warnings.warn("stft with return_complex=False is deprecated. In a future pytorch release, stft will return "
                      "complex tensors for all inputs, and return_complex=False will raise an error.\nNote: you can "
                      "still call torch.view_as_real on the complex output to recover the old return format.",
                      UserWarning, stacklevel=2)
    if input.ndim not in (1, 2):
        raise RuntimeError(f"stft: expected a 1D or 2D tensor (got shape {list(input.shape)}: give (L,) or "
                           "(batch, L))")
    if not (input.is_floating_point() or input.is_complex()):
        raise RuntimeError(f"stft: expected a tensor of floating point or complex values (got {input.dtype}; "
                           "convert it first, e.g. x.float())")
    if input.dtype in (D.float16, D.bfloat16):
        raise RuntimeError(f"stft: Unsupported dtype {'Half' if input.dtype is D.float16 else 'BFloat16'} "
                           "(convert the input to float32 first)")
    x = input if input.ndim == 2 else input.unsqueeze(0)
    if center:
        from .pad import pad
        p = n_fft // 2
        x = pad(x.unsqueeze(0), (p, p), pad_mode).squeeze(0)
    hop_length = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    length = x.shape[-1]
    if not 0 < n_fft <= length:
        raise RuntimeError(f"stft: expected 0 < n_fft < {length}, but got n_fft={n_fft} (the signal, padded when "
                           "center=True, must hold one frame)")
    if hop_length <= 0:
        raise RuntimeError(f"stft: expected hop_length > 0, but got hop_length={hop_length}")
    if not 0 < win_length <= n_fft:
        raise RuntimeError(f"stft: expected 0 < win_length <= n_fft, but got win_length={win_length}")
    w = _window(window, win_length, n_fft, input, "stft")
    if align_to_window:        # frames start where the window starts, not where its n_fft-long padding does
        from .pad import pad
        p = (n_fft - win_length) // 2
        x = pad(x, (p, p))
    frames = x.unfold(-1, n_fft, hop_length)           # (B, n_frames, n_fft), a view
    if w is not None:
        frames = frames * w
    if onesided is None:
        onesided = not frames.is_complex()
    elif onesided and frames.is_complex():
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    norm = "ortho" if normalized else "backward"
    if frames.is_complex():
        out = FftC2C.apply(frames, (2,), norm, True)
    else:
        out = FftR2C.apply(frames, (2,), norm, onesided)
    out = out.transpose(1, 2)
    if input.ndim == 1:
        out = out.squeeze(0)
    if return_complex is False:
        from .complex import view_as_real
        return view_as_real(out)
    return out


def _overlap_add(frames, hop_length, total):
    """Sum frames ``(B, T, n)`` placed every ``hop_length`` samples into ``(B, total)`` (differentiable)."""
    xp = xp_of(frames._data)
    b, t, n = frames.shape
    idx = (xp.arange(t)[:, None] * hop_length + xp.arange(n)).reshape(-1)
    out = frames.new_zeros((b, total))
    return out.index_add(1, Tensor._wrap(idx), frames.reshape(b, t * n))


@tensor_method("istft")
def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, normalized=False,
          onesided=None, length=None, return_complex=False):
    """Inverse of ``stft``: ``(B?, n_freq, n_frames)`` complex -> ``(B?, L)`` by inverse FFTs and overlap-add.

    The frames are windowed again, summed, and divided by the summed squared window (the least-squares
    inverse, Griffin & Lim); that sum must be nonzero everywhere kept (the NOLA condition). ``length``
    trims or zero-pads the result; ``return_complex`` for a two-sided (complex) signal.
    """
    if window is None:
        warnings.warn(_NO_WINDOW["istft"], UserWarning, stacklevel=2)
    if not input.is_complex():
        raise RuntimeError("istft requires a complex-valued input tensor matching the output from stft with "
                           "return_complex=True.")
    if input.ndim < 2:      # PyTorch looks for the frequency dim (-3 of the real view) and fails there
        raise IndexError(f"Dimension out of range (expected to be in range of [-{input.ndim + 1}, {input.ndim}], but "
                         f"got -3) (istft needs a complex (n_freq, n_frames) or (B, n_freq, n_frames) input, got "
                         f"shape {list(input.shape)})")
    if input.ndim > 3:
        raise RuntimeError(f"istft: expected a tensor with 3 or 4 dimensions, but got {input.ndim + 1} (counted on "
                           f"the real view (..., 2); give a complex (n_freq, n_frames) or (B, n_freq, n_frames) "
                           f"tensor, got shape {list(input.shape)})")
    hop_length = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    x = input if input.ndim == 3 else input.unsqueeze(0)
    n_freq, n_frames = x.shape[1], x.shape[2]
    onesided = n_freq != n_fft if onesided is None else onesided
    if onesided and n_freq != n_fft // 2 + 1:
        raise RuntimeError("istft: expected the frequency dimension (3rd to the last) of the input tensor to match "
                           f"n_fft / 2 + 1 when onesided=True, but got {n_freq}")
    if not onesided and n_freq != n_fft:
        raise RuntimeError("istft: expected the frequency dimension (3rd to the last) of the input tensor to match "
                           f"n_fft when onesided=False, but got {n_freq}")
    if not 0 < hop_length <= win_length:
        raise RuntimeError(f"istft: expected 0 < hop_length <= win_length (got hop_length={hop_length}, "
                           f"win_length={win_length})")
    if not 0 < win_length <= n_fft:
        raise RuntimeError(f"istft: expected 0 < win_length <= n_fft (got win_length={win_length}, n_fft={n_fft})")
    w = _window(window, win_length, n_fft, input, "istft")
    norm = "ortho" if normalized else "backward"
    x = x.transpose(1, 2)                                  # (B, n_frames, n_freq)
    if return_complex:
        if onesided:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        frames = FftC2C.apply(x, (2,), norm, False)
    else:
        if w is not None and w.is_complex():
            raise RuntimeError("Complex windows are incompatible with return_complex=False")
        if not onesided:
            x = x[..., :n_fft // 2 + 1]
        frames = FftC2R.apply(x, (2,), norm, n_fft)
    total = n_fft + hop_length * (n_frames - 1)
    if w is None:
        w = frames.new_ones(n_fft, dtype=D._FROM_NP[frames._data.dtype].to_real())
    y = _overlap_add(frames * w, hop_length, total)
    envelope = _overlap_add((w * w).expand(1, n_frames, n_fft), hop_length, total)     # PyTorch's window ** 2
    start = n_fft // 2 if center else 0
    end = total - n_fft // 2 if center else total
    if length is not None:
        end = start + length
    y = y[:, start:min(end, total)]
    envelope = envelope[:, start:min(end, total)]
    low = float(envelope.abs().min()) if envelope.numel() else 0.0
    if low < 1e-11:
        raise RuntimeError(f"istft: window overlap add min: {low:g} (the NOLA condition fails: the squared windows, "
                           "summed every hop_length, vanish at some kept sample; use a window without zeros there "
                           "or a smaller hop_length)")
    y = y / envelope
    if end > total:
        warnings.warn("The length of signal is shorter than the length parameter. Result is being padded with zeros "
                      "in the tail. Please check your center and hop_length settings.", UserWarning, stacklevel=2)
        y = zero_pad(y, 1, end - start)
    return y if input.ndim == 3 else y.squeeze(0)
