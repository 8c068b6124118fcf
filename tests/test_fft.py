"""``ember.fft`` and ``stft`` / ``istft`` against torch: values, dtypes, shapes and gradients, every norm,
odd and even sizes, complex64/complex128 (float32/float64 for the real-input transforms), errors."""
import re
import warnings

import numpy as np
import pytest
import torch

import ember
from complex_oracle import C64, C128, F32, F64, arr, ccheck, reseed, to_numpy

NORMS = ["backward", "ortho", "forward"]


@pytest.fixture(autouse=True)
def _same_inputs():
    reseed(11)


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("dtype", [C64, C128])
def test_one_dim_transforms(norm, dtype):
    real = F32 if dtype is C64 else F64
    for size, n in ((6, None), (7, None), (6, 5), (7, 10)):    # even and odd; as given, trimmed, zero-padded
        ccheck(lambda t, x: t.fft.fft(x, n=n, norm=norm), arr((3, size), dtype))
        ccheck(lambda t, x: t.fft.fft(x, n=n, dim=0, norm=norm), arr((size, 2), real))
        ccheck(lambda t, x: t.fft.ifft(x, n, 0, norm), arr((size, 3), dtype))
        ccheck(lambda t, x: t.fft.rfft(x, n=n, norm=norm), arr((2, size), real))
        ccheck(lambda t, x: t.fft.irfft(x, n=n, norm=norm), arr((2, size // 2 + 1), dtype))
        ccheck(lambda t, x: t.fft.hfft(x, n=n, norm=norm), arr((2, size // 2 + 1), dtype))
        ccheck(lambda t, x: t.fft.ihfft(x, n=n, dim=0, norm=norm), arr((size, 2), real))


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("dtype", [C64, C128])
def test_n_dim_transforms(norm, dtype):
    real = F32 if dtype is C64 else F64
    for s, s2 in ((None, (4, 5)), ((3, -1), (6, 3))):     # as given / trimmed and padded, odd and even
        ccheck(lambda t, x: t.fft.fft2(x, s=s, norm=norm), arr((2, 3, 6), dtype))
        ccheck(lambda t, x: t.fft.ifft2(x, s=s2, norm=norm), arr((5, 4), dtype))
        ccheck(lambda t, x: t.fft.fftn(x, s=s, norm=norm), arr((3, 5), real))
        ccheck(lambda t, x: t.fft.ifftn(x, s=s2, dim=(2, 0), norm=norm), arr((4, 2, 5), dtype))
        ccheck(lambda t, x: t.fft.rfft2(x, s=s, norm=norm), arr((2, 5, 6), real))
        ccheck(lambda t, x: t.fft.rfftn(x, s=s2, dim=(2, 0), norm=norm), arr((4, 2, 5), real))
        ccheck(lambda t, x: t.fft.irfft2(x, s=s, norm=norm), arr((2, 5, 4), dtype))
        ccheck(lambda t, x: t.fft.irfftn(x, s=s2, dim=(1, 0), norm=norm), arr((5, 3), dtype))
        ccheck(lambda t, x: t.fft.hfft2(x, s=s, norm=norm), arr((5, 4), dtype))
        ccheck(lambda t, x: t.fft.hfftn(x, s=s2, norm=norm), arr((4, 3), dtype))
        ccheck(lambda t, x: t.fft.ihfft2(x, s=s, norm=norm), arr((5, 6), real))
        ccheck(lambda t, x: t.fft.ihfftn(x, s=s2, norm=norm), arr((3, 7), real))
    ccheck(lambda t, x: t.fft.fftn(x, norm=norm), arr((2, 3, 4), dtype))
    ccheck(lambda t, x: t.fft.rfftn(x, norm=norm), arr((3, 2, 5), real))
    ccheck(lambda t, x: t.fft.irfftn(x, norm=norm), arr((3, 2, 5), dtype))


def test_norm_none_is_backward():
    ccheck(lambda t, x: t.fft.fft(x, norm=None), arr((5,), C64))
    ccheck(lambda t, x: t.fft.irfftn(x, norm=None), arr((3, 4), C128))


def test_chains_and_round_trips():
    ccheck(lambda t, x: t.fft.irfft(t.fft.rfft(x), n=7), arr((7,), F64))
    ccheck(lambda t, x: t.fft.ifft(t.fft.fft(x) * t.fft.fft(x.flip(0))).real, arr((8,), F64))   # a convolution
    ccheck(lambda t, x: t.fft.rfft(x).abs().pow(2), arr((2, 9), F32))                          # a power spectrum
    ccheck(lambda t, x: t.fft.irfft2(t.fft.rfft2(x) * 2j, s=x.shape[-2:]), arr((4, 5), F64))
    ccheck(lambda t, x: t.fft.fftshift(t.fft.fft(x), dim=-1) * 2, arr((2, 5), F64))
    ccheck(lambda t, x: t.fft.ifftshift(x) * t.fft.fftshift(x, dim=(0, 1)), arr((4, 5), C128))
    ccheck(lambda t, x: t.fft.fftn(x, dim=()), arr((2, 3), F64))


def test_integer_and_real_inputs_get_pytorch_dtypes():
    for fn in (lambda t: t.fft.fft(t.arange(4)), lambda t: t.fft.fft(t.ones(4, dtype=t.bool)),
               lambda t: t.fft.irfft(t.arange(4)), lambda t: t.fft.ihfft(t.arange(4)).resolve_conj(),
               lambda t: t.fft.hfft(t.arange(4.0)), lambda t: t.fft.rfftn(t.arange(6).view(2, 3)),
               lambda t: t.fft.irfft(t.ones(4, dtype=t.float64)), lambda t: t.fft.fftn(t.tensor(2.0))):
        e, t = fn(ember), fn(torch)
        assert str(e.dtype) == str(t.dtype) and tuple(e.shape) == tuple(t.shape)
        np.testing.assert_allclose(to_numpy(e), to_numpy(t), rtol=1e-6, atol=1e-6)
    ember.set_default_dtype(ember.float64)
    assert ember.fft.fft(ember.arange(4)).dtype is ember.complex128


def test_double_backward():
    data = arr((6,), C128)
    results = []
    for lib in (ember, torch):
        x = lib.tensor(data, requires_grad=True)
        y = lib.fft.irfft(lib.fft.fft(x * x), n=9, norm="ortho")
        g, = lib.autograd.grad(y.pow(2).sum(), x, create_graph=True)
        gg, = lib.autograd.grad((g * g.conj()).real.sum(), x)
        results.append((to_numpy(g), to_numpy(gg)))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-10)


def test_out_argument():
    for lib in (ember, torch):
        x = lib.ones(4, 6)
        out = lib.empty(0, dtype=lib.complex64)
        r = lib.fft.fft(x, out=out)
        assert r is out and tuple(out.shape) == (4, 6) and complex(out[0, 0]) == 6
        out = lib.empty(0)
        lib.fft.irfft(lib.fft.rfft(x), out=out)
        assert tuple(out.shape) == (4, 6)


def test_fftfreq_and_shifts_exact():
    cases = [lambda t: t.fft.fftfreq(5), lambda t: t.fft.fftfreq(4, 0.1, dtype=t.float64),
             lambda t: t.fft.fftfreq(7, 0.3), lambda t: t.fft.rfftfreq(5, 2.0),
             lambda t: t.fft.rfftfreq(8, 0.37, dtype=t.float64), lambda t: t.fft.fftfreq(0),
             lambda t: t.fft.fftfreq(3, requires_grad=True), lambda t: t.fft.fftshift(t.arange(5)),
             lambda t: t.fft.fftshift(t.arange(6).view(2, 3), dim=1), lambda t: t.fft.ifftshift(t.arange(5)),
             lambda t: t.fft.fftshift(t.arange(12).view(3, 4)),
             lambda t: t.fft.ifftshift(t.arange(12).view(3, 4), dim=(0, -1))]
    for fn in cases:
        e, t = fn(ember), fn(torch)
        assert str(e.dtype) == str(t.dtype) and e.requires_grad == t.requires_grad
        np.testing.assert_array_equal(to_numpy(e), to_numpy(t))


def _same_error(fn):
    got = []
    for lib in (ember, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(Exception) as info:
                fn(lib)
        got.append(info)
    e, t = got
    assert e.type is t.type, (e.type, t.type, str(e.value))
    # PyTorch's words, without its call string ("stft(torch.FloatTensor[100], n_fft=...) : ") or a printed value
    key = re.sub(r"^i?stft\(.*?\) (: )?", "", str(t.value).split("\n")[0]).split(" (")[0]
    key = re.sub(r"[-\d.]+$", "", key)
    assert key[:60] in str(e.value), (str(e.value), str(t.value))


def test_fft_errors_match_torch():
    x = lambda t: t.ones(4, 6)
    c = lambda t: t.ones(4, 6, dtype=t.complex64)
    for fn in [lambda t: t.fft.fft(t.ones(4, dtype=t.half)), lambda t: t.fft.rfft(t.ones(4, dtype=t.bfloat16)),
               lambda t: t.fft.rfft(c(t)), lambda t: t.fft.ihfft(c(t)), lambda t: t.fft.rfft2(c(t)),
               lambda t: t.fft.ihfftn(c(t)), lambda t: t.fft.fft(x(t), n=0), lambda t: t.fft.fft(x(t), n=-3),
               lambda t: t.fft.irfft(t.ones(1, dtype=t.complex64)), lambda t: t.fft.fft(x(t), norm="foo"),
               lambda t: t.fft.fft(x(t), dim=2), lambda t: t.fft.fft(x(t), dim=(0,)),
               lambda t: t.fft.fft(x(t), n=3.0), lambda t: t.fft.fftn(x(t), s=(2, 3), dim=(0,)),
               lambda t: t.fft.fftn(x(t), dim=(1, -1)), lambda t: t.fft.fftn(x(t), s=(2, 3, 4)),
               lambda t: t.fft.fftn(x(t), s=(0, 3)), lambda t: t.fft.rfftn(x(t), dim=()),
               lambda t: t.fft.irfftn(c(t), dim=()), lambda t: t.fft.fft(t.tensor(1.0)),
               lambda t: t.fft.fft2(t.ones(4)), lambda t: t.fft.fft([1.0, 2.0]),
               lambda t: t.fft.fftfreq(4, dtype=t.int64), lambda t: t.fft.fftfreq(-1),
               lambda t: t.fft.fftshift(t.tensor(3.0)), lambda t: t.fft.fft(t.ones(0)),
               lambda t: t.fft.rfft(t.ones(3, 0)), lambda t: t.fft.irfftn(t.ones(0, 3, dtype=t.complex64))]:
        _same_error(fn)


# ---------------------------------------------------------------------------------------------- stft / istft
def _win(t, n, dtype=None, kind="hann"):
    return getattr(t, kind + "_window")(n, dtype=dtype or t.float64)


@pytest.mark.filterwarnings("error")
def test_stft():
    ccheck(lambda t, x: t.stft(x, 16, window=_win(t, 16), return_complex=True), arr((100,), F64))
    ccheck(lambda t, x: t.stft(x, 15, hop_length=5, window=_win(t, 15), return_complex=True), arr((2, 90), F64))
    ccheck(lambda t, x: t.stft(x, 16, window=_win(t, 16, t.float32), return_complex=True), arr((100,), F32))
    ccheck(lambda t, x: x.stft(16, win_length=9, window=_win(t, 9, kind="hamming"), return_complex=True),
           arr((100,), F64))
    ccheck(lambda t, x: t.stft(x, 15, hop_length=4, center=False, window=_win(t, 15), return_complex=True),
           arr((77,), F64))
    for mode in ("constant", "replicate", "circular"):
        ccheck(lambda t, x: t.stft(x, 16, pad_mode=mode, window=_win(t, 16), return_complex=True), arr((60,), F64))
    ccheck(lambda t, x: t.stft(x, 16, normalized=True, onesided=False, window=_win(t, 16), return_complex=True),
           arr((60,), F64))
    ccheck(lambda t, x: t.stft(x, 16, window=_win(t, 16)), arr((60,), C128))     # complex: two-sided
    ccheck(lambda t, x, w: t.stft(x, 16, hop_length=3, window=w, return_complex=True), arr((60,), F64),
           arr((16,), F64))
    ccheck(lambda t, x: t.stft(x, 16, hop_length=4, win_length=8, window=_win(t, 8), center=False,
                               align_to_window=True, return_complex=True), arr((64,), F64))


def test_stft_return_complex_false_and_warnings():
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match="return_complex=False is deprecated"):
            r = lib.stft(lib.ones(40), 8, window=lib.ones(8), return_complex=False)
        assert tuple(r.shape) == (5, 21, 2) and r.dtype == lib.float32
        with pytest.warns(UserWarning, match="A window was not provided"):
            lib.stft(lib.ones(40), 8, return_complex=True)
        with pytest.warns(UserWarning, match="A window was not provided"):
            lib.istft(lib.ones(5, 11, dtype=lib.complex64), 8)


@pytest.mark.filterwarnings("error")
def test_istft():
    z = arr((9, 12), C128)
    ccheck(lambda t, z: t.istft(z, 16, window=_win(t, 16)), z)
    ccheck(lambda t, z: t.istft(z, 16, window=_win(t, 16), length=40), z)
    ccheck(lambda t, z: z.istft(16, hop_length=5, window=_win(t, 16)), arr((2, 9, 12), C128))
    ccheck(lambda t, z: t.istft(z, 16, window=_win(t, 16, kind="hamming"), center=False), z)
    ccheck(lambda t, z: t.istft(z, 16, window=_win(t, 16), normalized=True), z)
    ccheck(lambda t, z: t.istft(z, 16, window=_win(t, 16), onesided=False), arr((16, 12), C128))
    ccheck(lambda t, z: t.istft(z, 16, window=_win(t, 16), return_complex=True), arr((16, 12), C128))
    ccheck(lambda t, z: t.istft(z, 16, win_length=12, window=_win(t, 12)), z)
    ccheck(lambda t, z, w: t.istft(z, 16, window=w.abs() + 0.5), z, arr((16,), F64))
    ccheck(lambda t, z: t.istft(z, 16, window=_win(t, 16, t.float32)), arr((9, 12), C64))


def test_stft_istft_round_trip():
    x = arr((2, 61), F64)
    ccheck(lambda t, x: t.istft(t.stft(x, 16, window=_win(t, 16), return_complex=True), 16, window=_win(t, 16),
                                length=61), x)
    y = ember.tensor(x)
    w = ember.hann_window(16, dtype=ember.float64)
    back = ember.istft(ember.stft(y, 16, window=w, return_complex=True), 16, window=w, length=61)
    np.testing.assert_allclose(back.numpy(), x, rtol=1e-10, atol=1e-12)


def test_stft_istft_errors_match_torch():
    s = lambda t: t.ones(100)
    c = lambda t: t.ones(9, 5, dtype=t.complex64)
    w = lambda t: t.hann_window(16)
    for fn in [lambda t: t.stft(s(t), 16),
               lambda t: t.stft(s(t).to(t.complex64), 16, window=w(t), onesided=True, return_complex=True),
               lambda t: t.stft(s(t), 200, center=False, return_complex=True),
               lambda t: t.stft(s(t), 16, hop_length=0, return_complex=True),
               lambda t: t.stft(s(t), 16, win_length=20, return_complex=True),
               lambda t: t.stft(s(t), 16, window=t.ones(1, 16), return_complex=True),
               lambda t: t.stft(t.ones(2, 2, 100), 16, return_complex=True),
               lambda t: t.stft(s(t), 16, pad_mode="foo", return_complex=True),
               lambda t: t.stft(t.arange(100), 16, return_complex=True),
               lambda t: t.stft(t.ones(5), 16, return_complex=True),
               lambda t: t.stft(s(t), 16, return_complex=True, align_to_window=True),
               lambda t: t.istft(t.ones(9, 5), 16), lambda t: t.istft(t.ones(9, dtype=t.complex64), 16),
               lambda t: t.istft(t.ones(1, 1, 9, 5, dtype=t.complex64), 16),
               lambda t: t.istft(c(t), 16, hop_length=17, window=w(t)), lambda t: t.istft(c(t), 16, win_length=17),
               lambda t: t.istft(c(t), 16, window=t.ones(10)), lambda t: t.istft(c(t), 16, onesided=False),
               lambda t: t.istft(t.ones(7, 5, dtype=t.complex64), 16),
               lambda t: t.istft(c(t), 16, window=t.ones(16, dtype=t.complex64)),
               lambda t: t.istft(c(t), 16, window=t.zeros(16)),
               lambda t: t.istft(c(t), 16, window=w(t), return_complex=True)]:
        _same_error(fn)
