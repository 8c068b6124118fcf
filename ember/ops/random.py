"""Random sampling: ``rand randn randint randperm normal bernoulli multinomial poisson`` (+ ``_like``)
and the in-place samplers ``normal_ uniform_ random_ exponential_ bernoulli_ geometric_ log_normal_ cauchy_``.

On the CPU these reproduce PyTorch's CPU streams bit for bit under the same
seed: the raw mt19937 draws come vectorised from ``Generator``, and each
sampler applies PyTorch's transformation to them (vectorised NumPy):

* uniform float32/float16/bfloat16: ``(random() & (2**24 - 1)) * 2**-24`` (float32,
  PyTorch's opmath type) then ``x * (to - from) + from`` (fused multiply-add, as
  PyTorch's AVX2 build compiles it), rounded to the dtype; float64 uses 53 bits
  of a 64-bit draw (``random64()``); a value that rounds to ``to`` becomes ``from``;
* normal, 16 or more contiguous elements: uniforms, then Box-Muller in blocks
  of 16 (the last block is redrawn when the size is not a multiple of 16);
  float32 (and float16/bfloat16, rounded after) replays PyTorch's AVX2 kernel
  (its cephes-style log/sincos polynomials, with the same fused multiply-adds).
  Fewer than 16 or non-contiguous elements: scalar double Box-Muller that
  caches the second value in the generator;
* randint / random_(from, to): ``random() % range + from`` (64-bit draws when the
  range is 2**32 or more); randperm: PyTorch's Fisher-Yates with ``random() % (n - i)``;
* exponential, cauchy, log_normal, geometric, bernoulli: PyTorch's double
  transformations of 53-bit uniforms; multinomial: with replacement, binary
  search of a double uniform in the float cumulative distribution; without,
  ``topk(p / Exp(1))`` as PyTorch does.

uniform_/normal_/rand/randn run in chunks straight into the output (see
``_CHUNK``): their peak memory is the output, as in PyTorch.

Not bit-identical: ``poisson`` (PyTorch's own sampler, drawn here from a NumPy
generator seeded by the stream); normal_/uniform_ with mean/std/from/to where
a fused multiply-add of float32 or float64 values is emulated with a double
rounding (very rare); PyTorch builds without AVX2 (they use a scalar float32
normal kernel). CUDA tensors use CuPy's generator (not PyTorch's CUDA stream).
"""
import math

import numpy as np

from .. import _backend
from .. import _dtype as D
from .. import _random
from .. import _device as _device_mod
from .. import _memory_format as _mf
from .._device import as_device
from .._random import (Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed,  # noqa: F401
                       set_rng_state)
from .._size import Size
from ._util import Tensor, tensor_method
from .creation import _finish, _size_args, empty_like

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
           "set_rng_state", "rand", "randn", "randint", "randperm", "normal", "bernoulli", "multinomial", "poisson",
           "rand_like", "randn_like", "randint_like"]

_f32 = np.float32
_U64 = np.uint64
# Bits of a raw draw a uniform keeps. float16/bfloat16 draw float32 uniforms (PyTorch's opmath type),
# then round; random_() on them keeps their own mantissa digits (11 / 8).
_DIGITS = {np.dtype(np.float32): 24, np.dtype(np.float64): 53, np.dtype(np.float16): 24}
_INT_DIGITS = {np.dtype(np.float32): 24, np.dtype(np.float64): 53, np.dtype(np.float16): 11}
_HALF_TYPES = {np.dtype(np.float16)}
if D.bfloat16.np is not None:
    _HALF_TYPES.add(np.dtype(D.bfloat16.np))
    _DIGITS[D.bfloat16.np] = 24
    _INT_DIGITS[D.bfloat16.np] = 8


# ======================================================================================================
# Transformations of the raw stream (CPU, NumPy): each returns a flat array of n values.
# ======================================================================================================
def _unit(g, n, npdt):
    """n uniforms in [0, 1) in PyTorch's accumulation type (float32, or float64 for double)."""
    digits = _DIGITS[np.dtype(npdt)]
    if digits == 53:
        return (g._random64(n) & _U64((1 << 53) - 1)).astype(np.float64) * (1.0 / (1 << 53))
    return (g._random32(n) & _U64((1 << digits) - 1)).astype(_f32) * _f32(1.0 / (1 << digits))


_SPLIT = 134217729.0   # 2**27 + 1, Dekker's splitter for float64


def _two_prod(a, b):
    """p + e == a * b exactly (Dekker), elementwise on float64 arrays."""
    p = a * b
    t = _SPLIT * a
    ah = t - (t - a)
    al = a - ah
    t = _SPLIT * b
    bh = t - (t - b)
    bl = b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _fma64(a, b, c):
    """float64 a*b+c with one rounding, as the AVX2 build contracts it (exact product, then a two-sum)."""
    a, b, c = np.asarray(a, np.float64), np.asarray(b, np.float64), np.asarray(c, np.float64)
    with np.errstate(all="ignore"):
        p, e = _two_prod(a, b)
        s = p + c
        bb = s - p
        t = (p - (s - bb)) + (c - bb)
        out = s + (t + e)
    return np.where(np.isfinite(out), out, a * b + c)


# ---- chunked fills: uniform_, normal_, rand, randn ----
# Fills run chunk by chunk straight into the output: the working arrays (a few per chunk, allocated once per
# fill) stay in the CPU caches and no full-size temporaries (raw uint64 draws, float64 copies) are made, so a
# fill's peak memory is its output. The arithmetic is element for element the same as on the whole array.
# 2**17 measured as fast as 2**16..2**18 (a normal chunk makes ~100 ufunc calls: smaller chunks pay for them).
_CHUNK = 1 << 17     # elements per chunk; a multiple of 16 (normal's Box-Muller blocks)


def _affine64(x, std, mean):
    """float64 ``x * std + mean`` with one rounding (PyTorch's contracted FMA); exact shortcuts for std 1 / mean 0."""
    if std == 1.0:
        return x + mean
    if mean == 0.0:
        return x * std + 0.0          # + 0.0: fma(-0, s, +0) is +0
    return _fma64(x, std, mean)


def _uniform_fill(g, out, low=0.0, high=1.0):
    """Fill the flat array ``out`` with PyTorch's uniform samples in [low, high).

    float32/float16/bfloat16: x = bits24 * 2**-24 and fma(x, to - from, from) in float32 (from, to: the bounds as
    float32), then rounded to the dtype; float64: 53-bit x and a float64 FMA. Like PyTorch, a value that rounds
    to ``to`` becomes ``from`` (a monotone map: checked once with the largest x, then fixed per chunk).
    """
    n = out.size
    affine = not (low == 0.0 and high == 1.0)
    if out.dtype == np.float64:
        span, low, high = float(high) - float(low), float(low), float(high)
        top = _fma64(1 - 2.0 ** -53, span, low) if affine else 1 - 2.0 ** -53
        for s in range(0, n, _CHUNK):
            o = out[s:s + _CHUNK]
            x = _unit(g, o.size, np.float64)
            o[...] = _fma64(x, span, low) if affine else x
            if top >= high:
                o[o == high] = low
        return out
    lo, hi = _f32(low), _f32(high)
    span, lo64 = np.float64(hi - lo), np.float64(lo)
    to_s, from_s = hi.astype(out.dtype), lo.astype(out.dtype)
    top = _f32(np.float64(_f32(1 - 2.0 ** -24)) * span + lo64) if affine else _f32(1 - 2.0 ** -24)
    clamp = top.astype(out.dtype) >= to_s
    size = min(n, _CHUNK)
    bits, x, t = np.empty(size, np.uint32), np.empty(size, _f32), np.empty(size, np.float64)
    for s in range(0, n, _CHUNK):
        o = out[s:s + _CHUNK]
        m = o.size
        np.bitwise_and(g._random32(m), 0xFFFFFF, out=bits[:m])
        res = o if out.dtype == _f32 else x[:m]
        np.multiply(bits[:m], _f32(2.0 ** -24), out=x[:m] if affine else res, dtype=_f32)
        if affine:
            np.multiply(x[:m], span, out=t[:m], dtype=np.float64)     # exact: 24-bit x 24-bit
            np.add(t[:m], lo64, out=res, dtype=np.float64)             # one rounding to float32
        if res is not o:
            o[...] = res
        if clamp:
            o[o == to_s] = from_s
    return out


def _uniform_double(g, n):
    return _unit(g, n, np.float64)


# ---- normal ----
def _normal_fill(g, out, mean, std):
    """PyTorch's normal_fill into the flat array ``out`` (16 or more elements): n uniforms, then Box-Muller in
    blocks of 16; when n is not a multiple of 16, 16 more uniforms give the last block (overlapping the one
    before; for float32/float64 the n % 16 uniforms left over are drawn but unused)."""
    n = out.size
    m = n - n % 16
    kernel = (_Normal16Double if out.dtype == np.float64 else _Normal16Float)(min(m, _CHUNK), out.dtype, mean, std)
    for s in range(0, m, _CHUNK):
        kernel(g, out[s:min(s + _CHUNK, m)])
    if m != n:
        if out.dtype == np.float64 or out.dtype == _f32:   # PyTorch drew all n uniforms first (float16/bfloat16:
            _unit(g, n - m, out.dtype)                       # 16 per block, into a float buffer)
        kernel(g, out[n - 16:])
    return out


class _Normal16Double:
    """PyTorch's scalar normal_fill_16 for double: radius from the first 8 uniforms, angle from the last 8
    (the halves of the blocks split and joined with 64-byte copies, 8 doubles as one item)."""

    def __init__(self, size, dtype, mean, std):
        self.mean, self.std = mean, std
        self.a, self.b, self.c = (np.empty(size // 2, np.float64) for _ in range(3))

    def __call__(self, g, out):
        k, h = out.size // 16, out.size // 2
        a, b, c = self.a[:h], self.b[:h], self.c[:h]
        blocks = _unit(g, out.size, np.float64).view("V64").reshape(k, 2)
        np.copyto(a.view("V64"), blocks[:, 0])
        np.copyto(b.view("V64"), blocks[:, 1])
        with np.errstate(all="ignore"):
            np.subtract(1, a, out=a)
            np.log(a, out=a)
            np.multiply(a, -2, out=a)
            np.sqrt(a, out=a)                                # radius
            np.multiply(b, 2 * math.pi, out=b)               # theta
            np.cos(b, out=c)
            np.sin(b, out=b)
            np.multiply(a, c, out=c)
            np.multiply(a, b, out=b)
            c, b = _affine64(c, self.std, self.mean), _affine64(b, self.std, self.mean)
        blocks = out.view("V64").reshape(k, 2)
        np.copyto(blocks[:, 0], c.view("V64"))
        np.copyto(blocks[:, 1], b.view("V64"))


def _c32(v):
    return np.array(v, _f32)           # 0-d arrays: NumPy's cheapest scalar operand (no conversion per call)


def _c64(v):
    return np.array(np.float32(v), np.float64)    # a float32 constant, as float64 for the emulated FMAs


# PyTorch's AVX2 log256_ps / sincos256_ps constants (cephes)
_LOG_P = [_c64(p) for p in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
                             1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
                             3.3333331174e-1)]
_COS_P = [_c64(p) for p in (2.443315711809948e-005, -1.388731625493765e-003, 4.166664568298827e-002)]
_SIN_P = [_c64(p) for p in (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)]
_K = {name: _c32(v) for name, v in dict(
    one=1, half=0.5, minus_two=-2, sqrt_half=0.707106781186547524, log_q1=-2.12194440e-4, log_q2=0.693359375,
    four_over_pi=1.27323954473516, dp1=0.78515625, dp2=2.4187564849853515625e-4,
    two_pi_ulp=_f32(2 * math.pi) * _f32(2.0 ** -24)).items()}
_DP3 = _c64(-3.77489497744594108e-8)
_I = {name: np.array(v, t) for name, v, t in (("mant", 0x007FFFFF, np.int32), ("half_exp", 0x3F000000, np.int32),
                                              ("bias", 0x7E + 24, np.int32), ("two24", 1 << 24, np.uint32),
                                              ("bits24", 0xFFFFFF, np.uint64), ("u1", 1, np.uint32),
                                              ("u2", 2, np.uint32), ("u4", 4, np.uint32), ("u29", 29, np.uint32),
                                              ("u23", 23, np.int32), ("i1", 1, np.int32), ("even", ~1, np.int32))}


class _Normal16Float:
    """PyTorch's AVX2 normal_fill_16_AVX2 for float on chunks of 16k raw draws (float16/bfloat16: rounded after).

    Each block of 16 uniforms gives radius = sqrt(-2 log(1 - u[0:8])) and (sin, cos)(2 pi u[8:16]), with the
    cephes-style polynomials of PyTorch's log256_ps / sincos256_ps and the fused multiply-adds its build makes.
    A float32 FMA a*b+c is computed as float64 (a*b is exact there) rounded to float32; where a*b is exact in
    float32 (products by 0.5, or by small integers times short constants), plain float32 operations are the
    same thing. The uniforms are used through their 24-bit integers: 1 - u = (2**24 - bits) * 2**-24, and
    2 pi u = bits * (2 pi * 2**-24) with one rounding, as PyTorch's float product gives. Checked bit for bit
    against the direct transcription for all 2**24 inputs of each half.

    Speed: the halves of the blocks are split and joined with 32-byte copies (8 floats as one item; NumPy's
    strided 8-element rows cost several times more); ufuncs get positional outputs and 0-d constants (half
    the call overhead of keywords and scalars), on buffers allocated once per fill.
    """

    def __init__(self, size, dtype, mean, std):
        h = size // 2
        self.f32 = [np.empty(h, _f32) for _ in range(5)]
        self.U, self.U2, self.I = np.empty(h, np.uint32), np.empty(h, np.uint32), np.empty(h, np.int32)
        self.bits = np.empty(size, np.uint32)
        self.M = np.empty(h, np.bool_)
        self.X64, self.T64 = np.empty(h, np.float64), np.empty(h, np.float64)
        self.scratch = None if dtype == _f32 else np.empty(size, _f32)
        self.affine = std != 1.0 or mean != 0.0
        self.std, self.mean = _c64(std), _c64(mean)
        self._views = {}

    def _buffers(self, h):
        v = self._views.get(h)
        if v is None:
            v = self._views[h] = [b[:h] for b in self.f32 + [self.U, self.U2, self.I, self.M, self.X64, self.T64]]
        return v

    def _radius(self, h):
        """sqrt(-2 * log256_ps(1 - u)) for the 24-bit integers in U; returns a float32 view of B."""
        A, B, C, D, E, U, _, I, M, X64, T = self._buffers(h)
        K, mul, add, sub = _K, np.multiply, np.add, np.subtract
        sub(_I["two24"], U, U)                           # 2**24 * (1 - u), in [1, 2**24]: never <= 0
        np.copyto(A, U, casting="same_kind")
        bits = A.view(np.int32)
        np.right_shift(bits, _I["u23"], I)               # exponent of 2**24 * (1 - u)
        np.bitwise_and(bits, _I["mant"], bits)
        np.bitwise_or(bits, _I["half_exp"], bits)        # A = mantissa, in [0.5, 1)
        np.less(A, K["sqrt_half"], M)
        sub(I, _I["bias"], I)                            # e = exponent + 1 (of 1 - u) ...
        sub(I, M, I)                                     # ... - mask
        np.copyto(E, I, casting="same_kind")             # E = e
        m8 = M.view(np.int8)
        np.negative(m8, m8)                              # 0xff where the mask is set ...
        np.bitwise_and(bits, m8, D.view(np.int32))       # ... D = where(mask, A, 0)
        sub(A, K["one"], B)
        add(B, D, B)                                     # B = x (exact in float32 both ways)
        mul(B, B, C)                                     # C = z
        np.copyto(X64, B)
        mul(X64, _LOG_P[0], T)
        add(T, _LOG_P[1], D)                             # D = y; then y = fma(y, x, p) in float64
        for p in _LOG_P[2:]:
            mul(D, X64, T)
            add(T, p, D)
        mul(D, B, D)
        mul(E, K["log_q1"], A)
        mul(D, C, T, dtype=np.float64)
        add(T, A, D, dtype=np.float64)                   # fma(y, z, e * q1)
        mul(C, K["half"], A)
        sub(D, A, D)                                     # fma(z, -0.5, y): z * 0.5 is exact
        add(B, D, B)
        mul(E, K["log_q2"], A)                           # exact (small integer x 9-bit constant)
        add(B, A, B)                                     # B = log(1 - u)
        mul(B, K["minus_two"], B)
        np.sqrt(B, B)
        return B

    def _sincos(self, h):
        """(sin, cos) of 2 pi u for the 24-bit integers in U2, as float32 views of E and C."""
        A, _, C, D, E, W, U, I, _, _, T = self._buffers(h)
        K, mul, add, sub = _K, np.multiply, np.add, np.subtract
        np.copyto(A, U, casting="same_kind")
        mul(A, K["two_pi_ulp"], A)                       # A = x = 2 pi u >= 0
        mul(A, K["four_over_pi"], C)
        np.copyto(I, C, casting="unsafe")                # truncation, as the int conversion
        add(I, _I["i1"], I)
        np.bitwise_and(I, _I["even"], I)                 # I = j
        np.copyto(C, I, casting="same_kind")             # C = y = j
        mul(C, K["dp1"], D)                              # exact: the first two reductions are plain
        sub(A, D, A)
        mul(C, K["dp2"], D)
        sub(A, D, A)
        mul(C, _DP3, T)
        add(T, A, A)                                     # fma(y, -dp3, x)
        mul(A, A, D)                                     # D = z
        mul(D, _COS_P[0], T)
        add(T, _COS_P[1], C)
        mul(C, D, T, dtype=np.float64)
        add(T, _COS_P[2], C)
        mul(C, D, C)
        mul(D, K["half"], E)
        mul(C, D, T, dtype=np.float64)
        sub(T, E, C, dtype=np.float64)
        add(C, K["one"], C)                              # C = cos polynomial
        mul(D, _SIN_P[0], T)
        add(T, _SIN_P[1], E)
        mul(E, D, T, dtype=np.float64)
        add(T, _SIN_P[2], E)
        mul(E, D, E)
        mul(E, A, T, dtype=np.float64)
        add(T, A, E, dtype=np.float64)                   # E = sin polynomial
        # swap the polynomials where j & 2, then the signs: sin where j & 4, cos where ~(j - 2) & 4
        j, cb, sb, t, w = I.view(np.uint32), C.view(np.uint32), E.view(np.uint32), A.view(np.uint32), U
        np.right_shift(j, _I["u1"], w)
        np.bitwise_and(w, _I["u1"], w)
        np.negative(w, w)                                # all ones where j & 2
        np.bitwise_xor(cb, sb, t)
        np.bitwise_and(t, w, t)
        np.bitwise_xor(cb, t, cb)
        np.bitwise_xor(sb, t, sb)
        np.bitwise_and(j, _I["u4"], w)
        np.left_shift(w, _I["u29"], w)
        np.bitwise_xor(sb, w, sb)
        np.subtract(j, _I["u2"], j)
        np.invert(j, j)
        np.bitwise_and(j, _I["u4"], j)
        np.left_shift(j, _I["u29"], j)
        np.bitwise_xor(cb, j, cb)
        return E, C

    def __call__(self, g, out):
        m = out.size
        k, h = m // 16, m // 2
        bits = self.bits[:m]
        np.bitwise_and(g._random32(m), _I["bits24"], bits)
        blocks = bits.view("V32").reshape(k, 2)          # [first 8, last 8] of each block of 16
        np.copyto(self.U[:h].view("V32"), blocks[:, 0])
        np.copyto(self.U2[:h].view("V32"), blocks[:, 1])
        radius = self._radius(h)
        sin, cos = self._sincos(h)
        T = self.T64[:h]
        for v in (cos, sin):
            np.multiply(radius, v, v)
            if self.affine:
                np.multiply(v, self.std, T)
                np.add(T, self.mean, v)
        o = out if self.scratch is None else self.scratch[:m]
        blocks = o.view("V32").reshape(k, 2)
        np.copyto(blocks[:, 0], cos.view("V32"))
        np.copyto(blocks[:, 1], sin.view("V32"))
        if o is not out:
            out[...] = o


def _normal_scalar(g, n, mean, std):
    """PyTorch's at::normal_distribution<double>: pairs (cos, sin), the sin cached in the generator."""
    out = np.empty(n, np.float64)
    start = 0
    if n and g._next_double_normal is not None:
        out[0] = _fma64(g._next_double_normal, std, mean)
        g._next_double_normal = None
        start = 1
    pairs = (n - start + 1) // 2
    if pairs:
        u = _uniform_double(g, 2 * pairs).reshape(pairs, 2)
        r = np.sqrt(-2.0 * np.log1p(-u[:, 1]))
        theta = 2.0 * math.pi * u[:, 0]
        z = np.stack([r * np.cos(theta), r * np.sin(theta)], 1).reshape(-1)
        k = n - start
        out[start:] = _fma64(z[:k], std, mean)
        if k % 2:
            g._next_double_normal = float(z[-1])
    return out


def _fill_flat(kind, g, flat, contiguous=True, **kw):
    """Fill the flat array ``flat`` with ``kind`` ("uniform" or "normal") samples, in place where possible."""
    if kind == "uniform":
        return _uniform_fill(g, flat, kw.get("low", 0.0), kw.get("high", 1.0))
    mean, std = kw.get("mean", 0.0), kw.get("std", 1.0)
    if flat.size >= 16 and contiguous:
        return _normal_fill(g, flat, mean, std)
    flat[...] = _from_double(_normal_scalar(g, flat.size, mean, std), flat.dtype)
    return flat


def _from_double(arr, npdt):
    """``static_cast<scalar_t>(double)``: float16/bfloat16 convert from a float (c10::Half(float)), so via float32."""
    if np.dtype(npdt) in _HALF_TYPES:
        arr = arr.astype(_f32)
    return arr.astype(npdt, copy=False)


# ---- integers ----
def _int_from_to(g, n, low, rng):
    """``val % range + low`` with 32-bit draws, or 64-bit draws when range >= 2**32."""
    raw = g._random64(n) if rng >= 1 << 32 else g._random32(n)
    v = raw % _U64(rng)
    return v.astype(np.int64) + np.int64(low) if low >= 0 or rng < 1 << 63 else (v + _U64(low & (2**64 - 1))).view(
        np.int64)


def _random_full(g, n, npdt):
    """``random_()``: PyTorch's uniform_int_distribution for the tensor's dtype."""
    dt = np.dtype(npdt)
    if dt == np.bool_:
        return (g._random32(n) & _U64(1)).astype(np.bool_)
    if dt in _INT_DIGITS:
        digits = _INT_DIGITS[dt]
        raw = g._random64(n) if digits == 53 else g._random32(n)
        return (raw % _U64((1 << digits) + 1)).astype(npdt)
    raw = g._random64(n) if dt == np.int64 else g._random32(n)
    return (raw % _U64(int(np.iinfo(dt).max) + 1)).astype(npdt)


# ======================================================================================================
# Devices: CPU tensors use the transformations above; CUDA tensors use CuPy's generator.
# ======================================================================================================
def _sample(kind, g, shape, npdt, device, contiguous=True, **kw):
    """An array of ``shape`` on ``device`` holding ``kind`` samples (values drawn in row-major order)."""
    n = int(np.prod(shape, dtype=np.int64))
    if device is not None and device.type == "cuda":
        return _sample_cuda(kind, g, shape, npdt, **kw)
    if kind in ("uniform", "normal"):
        flat = _fill_flat(kind, g, np.empty(n, npdt), contiguous, **kw)
    elif kind == "int":
        flat = _int_from_to(g, n, kw["low"], kw["range"]).astype(npdt)
    elif kind == "random":
        flat = _random_full(g, n, npdt)
    else:
        flat = _from_double(_DOUBLE_TRANSFORMS[kind](_uniform_double(g, n), **kw), npdt)
    return flat.reshape(shape)


def _exponential(u, lambd):
    with np.errstate(divide="ignore"):
        return -1.0 / lambd * np.log1p(-u)


def _cauchy(u, median, sigma):
    return median + sigma * np.tan(math.pi * (u - 0.5))


def _geometric(u, p):
    with np.errstate(divide="ignore"):
        return np.ceil(np.log(u) / math.log1p(-p))


_DOUBLE_TRANSFORMS = {"exponential": _exponential, "cauchy": _cauchy, "geometric": _geometric}


def _sample_cuda(kind, g, shape, npdt, **kw):
    cp = _backend.xp_for("cuda")
    rs = g._cupy()
    if kind == "uniform":
        out = rs.uniform(kw.get("low", 0.0), kw.get("high", 1.0), shape)
    elif kind == "normal":
        out = rs.normal(kw.get("mean", 0.0), kw.get("std", 1.0), shape)
    elif kind == "int":
        out = kw["low"] + rs.randint(0, kw["range"], shape, dtype=cp.int64)
    elif kind == "random":
        dt = np.dtype(npdt)
        hi = 2 if dt == np.bool_ else (2 ** _INT_DIGITS[dt] + 1 if dt in _INT_DIGITS else int(np.iinfo(dt).max) + 1)
        out = rs.randint(0, min(hi, 2 ** 63 - 1), shape, dtype=cp.int64)
    elif kind == "exponential":
        out = rs.exponential(1.0 / kw["lambd"], shape)
    elif kind == "cauchy":
        out = kw["median"] + kw["sigma"] * rs.standard_cauchy(shape)
    elif kind == "geometric":
        out = rs.geometric(kw["p"], shape)
    else:
        raise RuntimeError(f"{kind} sampling is not available on CUDA")
    return out.astype(npdt)


# ======================================================================================================
# Argument handling
# ======================================================================================================
def _float_dtype(dtype, op):
    dtype = dtype or D.get_default_dtype()
    if not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError(f'"{op}" not implemented for \'{_scalar_name(dtype)}\' (it samples real numbers: '
                           f"pass a floating dtype such as torch.float32, or use torch.randint for integers)")
    return dtype


def _scalar_name(dtype):
    return {D.int64: "Long", D.int32: "Int", D.int16: "Short", D.int8: "Char", D.uint8: "Byte", D.bool_: "Bool",
            D.float32: "Float", D.float64: "Double", D.float16: "Half", D.bfloat16: "BFloat16"}.get(dtype, dtype.name)


def _check_grad_dtype(requires_grad, dtype):
    if requires_grad and not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")


def _new(kind, size, generator, dtype, device, requires_grad, out=None, **kw):
    """A new tensor of ``kind`` samples (complex dtypes: real and imaginary parts, each with variance 1/2)."""
    device = as_device(device) if device is not None else _device_mod.default_device()
    g = _random.generator_for(generator, device)
    _check_grad_dtype(requires_grad, dtype)
    if dtype.is_complex:
        part = dtype.to_real().np
        pair = _sample(kind, g, tuple(size) + (2,), part, device, **kw)
        if kind == "normal":
            pair = pair * part.type(math.sqrt(0.5))
        arr = pair[..., 0] + 1j * pair[..., 1]
        arr = arr.astype(dtype.np)
    else:
        arr = _sample(kind, g, tuple(size), D.to_numpy_dtype(dtype), device, **kw)
    t = Tensor._wrap(arr) if device is not None and device.type == "cuda" else _finish(arr, None, False)
    if requires_grad:
        t.requires_grad_(True)
    if out is not None:
        return _into_out(t, out)
    return t


def _into_out(t, out):
    if tuple(out.shape) != tuple(t.shape):
        out._data = out._xp().empty(t._data.shape, dtype=out._data.dtype)
    out._data[...] = t._data
    out._version[0] += 1
    return out


def _device_of(device, out):
    if device is not None:
        return as_device(device)
    return out.device if out is not None else _device_mod.default_device()


# ======================================================================================================
# Factories
# ======================================================================================================
def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """Uniform samples in [0, 1): ``rand(2, 3)`` or ``rand((2, 3))``."""
    dtype = _float_dtype(dtype or (out.dtype if out is not None else None), "check_uniform_bounds")
    return _new("uniform", _size_args(size), generator, dtype, _device_of(device, out), requires_grad, out)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """Standard normal samples: ``randn(2, 3)`` or ``randn((2, 3))``."""
    dtype = _float_dtype(dtype or (out.dtype if out is not None else None), "normal_kernel_cpu")
    return _new("normal", _size_args(size), generator, dtype, _device_of(device, out), requires_grad, out)


def _int_arg(v, name):
    if isinstance(v, Tensor):
        v = v.item()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    try:
        return int(v.__index__())
    except AttributeError:
        raise TypeError(f"randint(): argument '{name}' must be int, not {type(v).__name__}") from None


def _check_from_to(low, high, op="random_"):
    if low >= high:
        raise RuntimeError(f"{op} expects 'from' to be less than 'to', but got from={low} >= to={high}")


def randint(*args, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
            pin_memory=False, **kwargs):
    """Integers in [low, high): ``randint(high, size)`` or ``randint(low, high, size)``; int64 by default."""
    if "size" in kwargs:
        args = args + (kwargs.pop("size"),)
    if "high" in kwargs:
        args = (kwargs.pop("low", 0), kwargs.pop("high")) + args
    elif "low" in kwargs:
        args = (kwargs.pop("low"),) + args
    if kwargs:
        raise TypeError(f"randint() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if len(args) == 2:
        low, (high, size) = 0, args
    elif len(args) == 3:
        low, high, size = args
    else:
        raise TypeError("randint() received an invalid combination of arguments: expected (high, size) or "
                        "(low, high, size), e.g. torch.randint(0, 10, (3,))")
    if isinstance(size, int) and not isinstance(size, bool):
        raise TypeError(f"randint(): argument 'size' must be tuple of ints, but found element of type int at "
                        f"pos 0 (write the size as a tuple: torch.randint({low}, {high}, ({size},)))")
    low, high = _int_arg(low, "low"), _int_arg(high, "high")
    _check_from_to(low, high)
    dtype = dtype or (out.dtype if out is not None else D.int64)
    _check_bounds(low, high, dtype)
    return _new("int", _size_args((size,)), generator, dtype, _device_of(device, out), requires_grad, out,
                low=low, range=high - low)


def _check_bounds(low, high, dtype):
    if dtype.is_floating_point or dtype is D.bool_:
        return
    info = np.iinfo(dtype.np)
    if low < info.min or high - 1 > info.max:
        raise RuntimeError(f"random_ expects 'from' and 'to - 1' to be within [{info.min}, {info.max}] for "
                           f"{dtype}, but got from={low}, to-1={high - 1}")


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    """A random permutation of ``0 .. n-1`` (int64), PyTorch's Fisher-Yates on its stream."""
    n = _int_arg(n, "n")
    if n < 0:
        raise RuntimeError(f"randperm expects n >= 0, but got n={n}")
    dtype = dtype or D.int64
    device = _device_of(device, out)
    g = _random.generator_for(generator, device)
    if device is not None and device.type == "cuda":
        arr = g._cupy().permutation(n).astype(dtype.np)
        t = Tensor._wrap(arr)
    else:
        if n < 0xFFFFFFFF // 20:
            perm = list(range(n))
            z = (g._random32(max(n - 1, 0)) % np.arange(n, 1, -1, dtype=_U64)).tolist()
            for i, zi in enumerate(z):
                j = zi + i
                perm[i], perm[j] = perm[j], perm[i]
        else:   # PyTorch switches to 64-bit draws for huge n
            perm = list(range(n))
            z = (g._random64(max(n - 1, 0)) % np.arange(n, 1, -1, dtype=_U64)).tolist()
            for i, zi in enumerate(z):
                j = zi + i
                perm[i], perm[j] = perm[j], perm[i]
        t = Tensor._wrap(np.array(perm, dtype=D.to_numpy_dtype(dtype)))
    _check_grad_dtype(requires_grad, dtype)
    if requires_grad:
        t.requires_grad_(True)
    return _into_out(t, out) if out is not None else t


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    """Normal samples: ``normal(mean_tensor, std_tensor)``, ``normal(mean_tensor, 1.0)``,
    ``normal(0.0, std_tensor)`` or ``normal(0.0, 1.0, size)``."""
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments: with float mean and std, "
                            "pass a size, e.g. torch.normal(0.0, 1.0, size=(2, 3))")
        _check_std(std)
        dtype = _float_dtype(dtype or (out.dtype if out is not None else None), "normal_kernel_cpu")
        return _new("normal", _size_args((size,)), generator, dtype, _device_of(device, out), requires_grad, out,
                    mean=float(mean), std=float(std))
    ref = mean if mt else std
    if not ref.dtype.is_floating_point:
        raise RuntimeError(f'"normal_kernel_cpu" not implemented for \'{_scalar_name(ref.dtype)}\'')
    if st:
        if std.numel() and bool((std._data < 0).any()):
            raise RuntimeError(f"normal expects all elements of std >= 0.0 (got min {std.min().item()})")
    else:
        _check_std(std)
    shape = np.broadcast_shapes(mean.shape if mt else (), std.shape if st else ())
    if mt and not st:   # PyTorch: normal_(0, std), then add_(mean)
        res = _new("normal", shape, generator, ref.dtype, ref.device, False, mean=0.0, std=float(std)) + mean
    else:               # PyTorch: normal_(0, 1), then mul_(std), add_(mean)
        res = _new("normal", shape, generator, ref.dtype, ref.device, False) * std + mean
    return _into_out(res.detach(), out) if out is not None else res


def _check_std(std):
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 samples: each element is 1 with the probability given by ``input`` (or by ``p``)."""
    if p is not None:
        res = input.detach().clone()
        return bernoulli_(res, p, generator=generator)
    res = Tensor._wrap(input._xp().empty(input._data.shape, dtype=input._data.dtype))
    bernoulli_(res, input, generator=generator)
    return _into_out(res, out) if out is not None else res


def _bernoulli_values(g, probs, shape, device, out_npdt):
    """Samples for the shape of the output: ``uniform < p`` (float uniforms for float p, double for double p)."""
    n = int(np.prod(shape, dtype=np.int64))
    if device is not None and device.type == "cuda":
        return (g._cupy().random_sample(shape) < probs).astype(out_npdt)
    if isinstance(probs, float):
        # u < p with u = bits53 / 2**53 is bits53 < t = ceil(p * 2**53), bits53 = (hi & (2**21 - 1)) * 2**32 + lo
        # for a pair of draws (hi, lo): hi21 < t_hi, or hi21 == t_hi (rare) and lo < t_lo. On 32-bit words.
        t = min(max(math.ceil(probs * (1 << 53)), 0), 1 << 53)
        t_hi, t_lo = t >> 32, t & 0xFFFFFFFF
        words = g._random32(2 * n).view(np.uint32)[0::2]      # the draws (< 2**32), little-endian low halves
        hi = words[0::2] & np.uint32((1 << 21) - 1)
        keep = hi < np.uint32(t_hi) if t_hi <= 0xFFFFFFFF else np.ones(n, bool)
        tie = np.flatnonzero(hi == t_hi)
        if tie.size:
            keep[tie] = words[1::2][tie] < t_lo
        return keep.reshape(shape).astype(out_npdt, copy=False)
    else:
        probs = np.broadcast_to(probs, shape)
        u = _unit(g, n, np.float64 if probs.dtype == np.float64 else np.float32).reshape(shape)
    return (u < probs).astype(out_npdt)


def _bernoulli_mask(shape, p, xp, generator=None):
    """Boolean keep-mask of ``shape``: True with probability ``p`` (what ``empty().bernoulli_(p)`` draws).

    For dropout: ``mask = _bernoulli_mask(x.shape, 1 - p, xp); y = x * mask / (1 - p)``.
    """
    device = as_device("cuda") if xp is not np else None
    g = _random.generator_for(generator, device)
    return _bernoulli_values(g, float(p), tuple(shape), device, np.bool_)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices sampled from the rows of ``input`` (unnormalised non-negative weights)."""
    if input.dim() not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_scalar_name(input.dtype)}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    n_cat = input.shape[-1]
    if not replacement and num_samples > n_cat:
        raise RuntimeError(f"cannot sample n_sample > prob_dist.size(-1) samples without replacement "
                           f"(n_sample={num_samples}, prob_dist.size(-1)={n_cat})")
    if n_cat > 2 ** 24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    g = _random.generator_for(generator, input.device)
    xp = input._xp()
    p = input._data
    p2 = p.reshape(1, -1) if p.ndim == 1 else p
    p_host = p2.get() if input.is_cuda else p2
    if not replacement or num_samples == 1:
        if not (np.all(p_host < np.inf) and np.all(p_host >= 0)):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if np.any(p_host.sum(1) == 0):
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        # Gumbel-max trick, as PyTorch: argmax / topk of p / q with q ~ Exp(1) drawn in double.
        q = _exponential(_uniform_double(g, p_host.size), 1.0).astype(p_host.dtype).reshape(p_host.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = p_host / q
        if num_samples == 1:
            idx = np.argmax(r, axis=1)[:, None]
        else:
            idx = np.argsort(-r, axis=1, kind="stable")[:, :num_samples]
    else:
        idx = np.empty((p_host.shape[0], num_samples), np.int64)
        for i, row in enumerate(p_host):
            if np.any(row < 0):
                raise RuntimeError("invalid multinomial distribution (encountering probability entry < 0)")
            if not np.all(np.isfinite(row)):
                raise RuntimeError("invalid multinomial distribution (encountering probability entry = infinity "
                                   "or NaN)")
            cum = np.cumsum(row)
            total = cum[-1]
            if not total > 0:
                raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
            cum = cum / total
            cum[-1] = 1
            u = _uniform_double(g, num_samples)
            idx[i] = np.searchsorted(cum.astype(np.float64), u, side="left")
    idx = idx.astype(np.int64)
    if p.ndim == 1:
        idx = idx[0]
    res = Tensor._wrap(xp.asarray(idx) if input.is_cuda else idx)
    return _into_out(res, out) if out is not None else res


def poisson(input, generator=None):
    """Poisson samples with rates ``input`` (not bit-identical to PyTorch: NumPy's sampler on Ember's stream)."""
    g = _random.generator_for(generator, input.device)
    rates = input._data.get() if input.is_cuda else input._data
    if np.any(rates < 0):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    rng = np.random.Generator(np.random.PCG64([int(x) for x in g._random64(2)]))
    arr = rng.poisson(rates).astype(input._data.dtype)
    return Tensor._wrap(input._xp().asarray(arr) if input.is_cuda else arr)


# ---- _like ----
def _shell_like(input, dtype, device, memory_format):
    """An empty tensor like ``input`` in the layout ``memory_format`` asks for, or None when that is row-major
    (then the plain factory runs). Other layouts are filled in place, so samples land in memory order."""
    shell = empty_like(input, dtype=dtype, device=device, memory_format=memory_format)
    return None if shell._data.flags.c_contiguous else shell


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=_mf.preserve_format, generator=None):
    shell = _shell_like(input, dtype, device, memory_format)
    if shell is not None:
        return shell.uniform_(generator=generator).requires_grad_(requires_grad)
    return rand(input.shape, dtype=dtype or input.dtype, device=device or input.device,
                requires_grad=requires_grad, generator=generator)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=_mf.preserve_format, generator=None):
    shell = _shell_like(input, dtype, device, memory_format)
    if shell is not None:
        return shell.normal_(generator=generator).requires_grad_(requires_grad)
    return randn(input.shape, dtype=dtype or input.dtype, device=device or input.device,
                 requires_grad=requires_grad, generator=generator)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=_mf.preserve_format, generator=None):
    """``randint_like(x, high)`` or ``randint_like(x, low, high)``."""
    if high is None:
        low, high = 0, low
    shell = _shell_like(input, dtype, device, memory_format)
    if shell is not None:
        return shell.random_(low, high, generator=generator).requires_grad_(requires_grad)
    return randint(low, high, input.shape, dtype=dtype or input.dtype, device=device or input.device,
                   requires_grad=requires_grad, generator=generator)


# ======================================================================================================
# In-place samplers (Tensor methods)
# ======================================================================================================
def _fill(t, kind, generator, normal_path=False, **kw):
    """Overwrite ``t`` with samples in PyTorch's fill order (memory order for a transposed tensor)."""
    from .inplace import _check_leaf
    from ..autograd.grad_mode import GradMode
    if GradMode.enabled:
        _check_leaf(t)
    g = _random.generator_for(generator, t.device)
    a = t._data
    npdt = a.dtype
    if not t.is_cuda and kind in ("uniform", "normal") and a.flags.c_contiguous:
        _fill_flat(kind, g, a.reshape(-1), **kw)          # in place, chunk by chunk (reshape: a view)
    elif not t.is_cuda and kind == "uniform" and a.flags.f_contiguous:
        _fill_flat(kind, g, a.T.reshape(-1), **kw)        # memory order
    else:
        order = _memory_order(a)
        if a.flags.c_contiguous:
            arr = _sample(kind, g, a.shape, npdt, t.device, contiguous=True, **kw)
        elif order is not None:     # dense (transposed, channels-last ...): TensorIterator walks memory order
            arr = _sample(kind, g, tuple(a.shape[d] for d in order), npdt, t.device, contiguous=False, **kw)
            arr = arr.transpose(tuple(np.argsort(order)))
        else:
            arr = _sample(kind, g, a.shape, npdt, t.device, contiguous=False, **kw)
        a[...] = arr
    t._version[0] += 1
    return t


def _memory_order(a):
    """The dims of a dense array from outermost to innermost in memory; None when it has gaps or overlaps."""
    strides = _mf.array_strides(a)
    if not _mf.is_non_overlapping_and_dense(a.shape, strides):
        return None
    return sorted(range(a.ndim), key=lambda d: -strides[d])


def _require_float(t, op):
    if not t.dtype.is_floating_point:
        raise RuntimeError(f'"{op}" not implemented for \'{_scalar_name(t.dtype)}\'')


@tensor_method("normal_")
def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with normal samples (``nn.init.normal_`` uses this)."""
    _require_float(self, "normal_kernel_cpu")
    _check_std(std)
    return _fill(self, "normal", generator, mean=float(mean), std=float(std))


@tensor_method("uniform_")
def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kwargs):
    """Fill with uniform samples in [from, to) (``nn.init`` and ``nn.Linear`` use this)."""
    from_ = kwargs.pop("from", from_)
    _require_float(self, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={from_} > to={to}")
    return _fill(self, "uniform", generator, low=float(from_), high=float(to))


@tensor_method("random_")
def random_(self, from_=None, to=None, *, generator=None, **kwargs):
    """``random_()``: integers over the dtype's range; ``random_(to)``; ``random_(from, to)``."""
    from_ = kwargs.pop("from", from_)
    if from_ is None and to is None:
        return _fill(self, "random", generator)
    if to is None:
        from_, to = 0, from_
    from_, to = int(from_), int(to)
    _check_from_to(from_, to)
    _check_bounds(from_, to, self.dtype)
    return _fill(self, "int", generator, low=from_, range=to - from_)


@tensor_method("exponential_")
def exponential_(self, lambd=1.0, *, generator=None):
    _require_float(self, "exponential_cpu")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    return _fill(self, "exponential", generator, lambd=float(lambd))


@tensor_method("cauchy_")
def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    _require_float(self, "cauchy_cpu")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    return _fill(self, "cauchy", generator, median=float(median), sigma=float(sigma))


@tensor_method("geometric_")
def geometric_(self, p, *, generator=None):
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    return _fill(self, "geometric", generator, p=float(p))


@tensor_method("log_normal_")
def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    _require_float(self, "log_normal_cpu")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    from .inplace import _check_leaf
    _check_leaf(self)
    g = _random.generator_for(generator, self.device)
    if self.is_cuda:
        arr = g._cupy().lognormal(mean, std, self.shape).astype(self._data.dtype)
    else:   # PyTorch: exp of its scalar double normal (with the cached second value)
        arr = np.exp(_normal_scalar(g, self.numel(), float(mean), float(std))).reshape(self.shape)
    self._data[...] = arr
    self._version[0] += 1
    return self


@tensor_method("bernoulli_")
def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 0/1: 1 with probability ``p`` (a float or a tensor broadcastable to self)."""
    from .inplace import _check_leaf
    _check_leaf(self)
    g = _random.generator_for(generator, self.device)
    if isinstance(p, Tensor):
        probs = p._data
        if not p.dtype.is_floating_point:
            raise RuntimeError(f'"bernoulli_tensor_cpu_p_" not implemented for \'{_scalar_name(p.dtype)}\'')
        host = probs.get() if p.is_cuda else probs
        if host.size and not (np.all(host >= 0) and np.all(host <= 1)):
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error "
                               "message be improved?  If so, please report an enhancement request to PyTorch.)")
        if not self.is_cuda:
            probs = host
    else:
        p = float(p)
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
        probs = p
    self._data[...] = _bernoulli_values(g, probs, self._data.shape, self.device if self.is_cuda else None,
                                        self._data.dtype)
    self._version[0] += 1
    return self


tensor_method("bernoulli")(bernoulli)
tensor_method("multinomial")(multinomial)
