"""``torch.quasirandom``: ``SobolEngine``, a generator of Sobol' low-discrepancy sequences.

The points are PyTorch's: the same direction numbers (Joe & Kuo's ``new-joe-kuo-6.21201`` table, with the
primitive polynomials in their order), the same Gray-code order of the points (Antonov & Saleev), 30 bits per
coordinate, and, with ``scramble=True``, the same random linear matrix scrambling and digital shift drawn with
``randint`` from the same generator stream (so a given ``seed`` gives PyTorch's scrambled points).

Ember carries the direction numbers of the first 1111 dimensions (every primitive polynomial of degree <= 13);
PyTorch's table goes to 21201. As PyTorch's, the engine runs on the CPU and returns CPU tensors.
"""
import functools

import numpy as np

from . import _dtype as D
from ._random import Generator
from ._sobol_directions import INITIAL_DIRECTIONS
from ._tensor import Tensor
from .ops.join import cat
from .ops.random import randint

__all__ = ["SobolEngine"]

_MAXBIT = 30
_LARGEST = 1 << _MAXBIT


def _poly_mulmod(a, b, f, deg):
    """a * b modulo f over GF(2) (polynomials as bit masks; f of degree ``deg``)."""
    r = 0
    while b:
        if b & 1:
            r ^= a
        b >>= 1
        a <<= 1
        if a >> deg & 1:
            a ^= f
    return r


def _x_pow_is_one(f, deg, e):
    """Whether x^e = 1 modulo f over GF(2)."""
    result, base = 1, 2
    while e:
        if e & 1:
            result = _poly_mulmod(result, base, f, deg)
        base = _poly_mulmod(base, base, f, deg)
        e >>= 1
    return result == 1


def _prime_factors(n):
    out, p = [], 2
    while p * p <= n:
        if n % p == 0:
            out.append(p)
            while n % p == 0:
                n //= p
        p += 1
    return out + ([n] if n > 1 else [])


@functools.lru_cache(maxsize=None)
def _primitive_polynomials(count):
    """The first ``count`` primitive polynomials over GF(2) by degree, then value (Joe & Kuo's order), as bit
    masks (x^3 + x + 1 -> 0b1011); degree 0's ``1`` first, for the first (van der Corput) dimension.

    f of degree s is primitive when x has order 2^s - 1 modulo f: x^(2^s-1) = 1 and x^((2^s-1)/q) != 1 for each
    prime q dividing 2^s - 1.
    """
    polys, deg = [1], 0
    while len(polys) < count:
        deg += 1
        order = (1 << deg) - 1
        factors = _prime_factors(order)
        for f in range((1 << deg) + 1, 1 << (deg + 1), 2):       # constant term 1: x does not divide f
            if _x_pow_is_one(f, deg, order) and not any(_x_pow_is_one(f, deg, order // q) for q in factors):
                polys.append(f)
                if len(polys) == count:
                    break
    return tuple(polys)


@functools.lru_cache(maxsize=8)
def _direction_numbers(dimension):
    """The (dimension, 30) int64 direction numbers v[d, j] << (29 - j) (Bratley & Fox's recurrence from each
    dimension's primitive polynomial and initial values)."""
    polys = _primitive_polynomials(dimension)
    v = np.zeros((dimension, _MAXBIT), dtype=np.int64)
    v[0] = 1
    for d in range(1, dimension):
        p = polys[d]
        s = p.bit_length() - 1
        init = INITIAL_DIRECTIONS[d - 1]
        v[d, :s] = init
        for j in range(s, _MAXBIT):
            new = v[d, j - s]
            # m_j = m_{j-s} ^ sum_k 2^(k+1) c_k m_{j-k-1}, c_k the coefficient of x^(s-1-k) (c_{s-1} = 1)
            for k in range(s):
                if p >> (s - 1 - k) & 1:
                    new ^= v[d, j - k - 1] << (k + 1)
            v[d, j] = new
    return v << np.arange(_MAXBIT - 1, -1, -1, dtype=np.int64)


def _gray_xor(state, start, stop, xp):
    """XOR of the direction-number columns selected by Gray codes: for each t in (start, stop], the bits in which
    gray(start) and gray(t) differ; ``state`` (dim, 30). Returns (stop - start, dim): the XOR masks that take the
    point after ``start`` steps to the point after t steps (gray(t) = t ^ (t >> 1))."""
    t = xp.arange(start + 1, stop + 1, dtype=np.int64)
    diff = (t ^ (t >> 1)) ^ (start ^ (start >> 1))
    out = xp.zeros((t.shape[0], state.shape[0]), dtype=np.int64)
    for b in range(_MAXBIT):
        bit = ((diff >> b) & 1).astype(bool)
        out[bit] ^= state[:, b]
    return out


def _check_count(n, num_generated):
    if num_generated + n > _LARGEST:
        raise ValueError(f"SobolEngine can generate at most {_LARGEST} points (asked for {n} more after "
                         f"{num_generated}); use another engine (e.g. another scramble seed) for more points")


class SobolEngine:
    r"""Sobol' sequence generator: ``draw(n)`` returns the next n points of ``[0, 1)^dimension`` as (n, dimension).

    Args:
        dimension (int): the dimension of the points (1 to 1111 here; PyTorch goes to 21201).
        scramble (bool): apply Owen-type linear matrix scrambling and a random digital shift (default False).
        seed (int, optional): the seed of the scrambling's generator; None draws from the global generator.

    Unscrambled points match PyTorch's exactly; scrambled ones too for the same ``seed`` (or global RNG state).
    """
    MAXBIT = _MAXBIT
    MAXDIM = len(INITIAL_DIRECTIONS) + 1

    def __init__(self, dimension, scramble=False, seed=None):
        if dimension > self.MAXDIM or dimension < 1:
            raise ValueError(f"Supported range of dimensionality for SobolEngine is [1, {self.MAXDIM}] (Ember carries "
                             f"Joe and Kuo's direction numbers for the first {self.MAXDIM} dimensions; PyTorch's "
                             "table goes to 21201)")
        self.seed = seed
        self.scramble = scramble
        self.dimension = dimension
        self.sobolstate = Tensor._wrap(_direction_numbers(dimension).copy())
        if not self.scramble:
            self.shift = Tensor._wrap(np.zeros(dimension, dtype=np.int64))
        else:
            self._scramble()
        self.quasi = self.shift.clone()
        first = self.quasi._data.astype(D.get_default_dtype().np) / _LARGEST     # int / int: the default dtype
        self._first_point = Tensor._wrap(first.reshape(1, -1))
        self.num_generated = 0

    def _scramble(self):
        """Random digital shift and lower-triangular scrambling matrices, drawn as PyTorch draws them."""
        g = None
        if self.seed is not None:
            g = Generator()
            g.manual_seed(self.seed)
        dim = self.dimension
        shift_bits = randint(2, (dim, _MAXBIT), generator=g)._data
        self.shift = Tensor._wrap(shift_bits @ (np.int64(1) << np.arange(_MAXBIT, dtype=np.int64)))
        ltm = np.tril(randint(2, (dim, _MAXBIT, _MAXBIT), generator=g)._data)
        ltm[:, np.arange(_MAXBIT), np.arange(_MAXBIT)] = 1          # unit diagonal: the scrambling is invertible
        # Each direction number's bit vector (most significant bit first) times ltm[d], over GF(2); bit p of the
        # result (counted from the most significant) is row p's parity.
        v = self.sobolstate._data
        bits = (v[:, :, None] >> np.arange(_MAXBIT - 1, -1, -1, dtype=np.int64)) & 1     # (dim, 30 j, 30 c)
        parity = (bits @ ltm.transpose(0, 2, 1)) & 1                                     # (dim, 30 j, 30 p)
        self.sobolstate = Tensor._wrap(parity @ (np.int64(1) << np.arange(_MAXBIT - 1, -1, -1, dtype=np.int64)))

    def _draw(self, n, steps, dtype):
        """The points after ``steps + 1 .. steps + n`` Gray-code steps (the state has taken ``steps``), as ``dtype``."""
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}, {self.dimension}]")
        if dtype not in (D.float32, D.float64):
            raise NotImplementedError(f"\"_sobol_engine_draw\" not implemented for '{_scalar_name(dtype)}' "
                                      "(SobolEngine.draw returns float32 or float64 points)")
        _check_count(n, steps + 1)
        q = self.quasi._data
        ints = q ^ _gray_xor(self.sobolstate._data, steps, steps + n, np)
        if n:
            self.quasi = Tensor._wrap(ints[-1].copy())
        result = ints.astype(dtype.np)
        result *= dtype.np.type(1.0 / _LARGEST)      # a power of two: exact
        return Tensor._wrap(result)

    def draw(self, n=1, out=None, dtype=None):
        """The next ``n`` points, (n, dimension), of ``dtype`` (default: the default dtype); into ``out`` if given."""
        if dtype is None:
            dtype = D.get_default_dtype()
        if self.num_generated == 0:
            if n == 1:
                result = self._first_point.to(dtype)
            else:
                result = cat((self._first_point.to(dtype), self._draw(n - 1, 0, dtype)), dim=-2)
        else:
            result = self._draw(n, self.num_generated - 1, dtype)
        self.num_generated += n
        if out is not None:
            out.resize_as_(result).copy_(result)
            return out
        return result

    def draw_base2(self, m, out=None, dtype=None):
        """The next 2^m points; the total drawn must stay a power of two (Sobol' balance properties)."""
        n = 2 ** m
        total_n = self.num_generated + n
        if not total_n & (total_n - 1) == 0:
            raise ValueError("The balance properties of Sobol' points require n to be a power of 2. "
                             f"{self.num_generated} points have been previously generated, then: "
                             f"n={self.num_generated}+2**{m}={total_n}. If you still want to do this, please use "
                             "'SobolEngine.draw()' instead.")
        return self.draw(n=n, out=out, dtype=dtype)

    def reset(self):
        """Back to the first point."""
        self.quasi.copy_(self.shift)
        self.num_generated = 0
        return self

    def fast_forward(self, n):
        """Skip the next ``n`` points."""
        steps = self.num_generated - 1 if self.num_generated else 0     # Gray-code steps taken so far
        count = n if self.num_generated else n - 1                        # the first point takes no step
        if count > 0:
            _check_count(count, steps + 1)
            diff = (steps ^ (steps >> 1)) ^ ((steps + count) ^ ((steps + count) >> 1))
            cols = [b for b in range(_MAXBIT) if diff >> b & 1]
            mask = np.bitwise_xor.reduce(self.sobolstate._data[:, cols], axis=1) if cols else 0
            self.quasi._data ^= mask           # in place, as PyTorch's kernel: only the Gray-code difference
            self.quasi._version[0] += 1
        self.num_generated += n
        return self

    def __repr__(self):
        fmt = [f"dimension={self.dimension}"]
        if self.scramble:
            fmt.append("scramble=True")
        if self.seed is not None:
            fmt.append(f"seed={self.seed}")
        return type(self).__name__ + "(" + ", ".join(fmt) + ")"


def _scalar_name(dtype):
    names = {"float16": "Half", "bfloat16": "BFloat16", "int64": "Long", "int32": "Int", "int16": "Short",
             "int8": "Char", "uint8": "Byte", "bool": "Bool", "complex64": "ComplexFloat",
             "complex128": "ComplexDouble"}
    return names.get(dtype.name, dtype.name)
