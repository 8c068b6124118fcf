"""Random number generators: ``Generator``, the global ``default_generator`` and the seeding functions.

The CPU generator reproduces PyTorch's CPU generator bit for bit: a 32-bit
Mersenne Twister (mt19937) seeded with ``init_genrand(seed & 0xffffffff)``.
NumPy's ``MT19937`` bit generator is the same engine, so the raw 32-bit stream
comes from it, vectorised; ``ember.ops.random`` turns raw draws into floats,
normals and integers with PyTorch's own transformations.

PyTorch's generator also caches the second value of a scalar Box-Muller pair
(``next_double_normal_sample``); it lives here too, and in the 5056-byte state
that ``get_state()`` returns, laid out as PyTorch lays it out, so states can be
exchanged with PyTorch (``torch.set_rng_state(ember_state.numpy())``...).

CUDA generators wrap CuPy's generator (a different stream from PyTorch's CUDA one).
"""
import os

import numpy as np

from . import _backend
from ._device import as_device

_N = 624                              # mt19937 state words
_DEFAULT_SEED = 67280421310721        # PyTorch's seed for a new torch.Generator()
_STATE_BYTES = 5056                   # sizeof(CPUGeneratorImplState)


def _nondeterministic_seed():
    return int.from_bytes(os.urandom(8), "little")


class Generator:
    """A random number generator (``torch.Generator``); pass it as ``generator=`` to random ops."""

    def __init__(self, device="cpu"):
        self._device = as_device(device)
        self._cupy_rng = None
        self.manual_seed(_DEFAULT_SEED)

    @property
    def device(self):
        return self._device

    # ---- seeding ----
    def manual_seed(self, seed):
        """Seed the generator; returns the generator (``g = Generator().manual_seed(0)``)."""
        seed = _check_seed(seed)
        self._seed = seed
        if self._device.type == "cuda":
            cp = _backend.cupy_module()
            if cp is not None:
                with cp.cuda.Device(self._device.index or 0):
                    self._cupy_rng = cp.random.RandomState(seed & 0xFFFFFFFFFFFFFFFF)
            return self
        self.__dict__.pop("_bg", None)     # the bit generator is made on first use (see __getattr__)
        self._fresh = True                  # PyTorch reports next=0 until the first draw
        self._next_double_normal = None     # cached second value of a scalar Box-Muller pair
        self._next_float_normal = None
        return self

    def __getattr__(self, name):
        # Only reached while ``_bg`` is unset: seed the bit generator now. Deferring it keeps
        # ``import ember`` from importing numpy.random (a sixth of Ember's own import time).
        if name != "_bg":
            raise AttributeError(f"'Generator' object has no attribute '{name}'")
        # RandomState's integer seeding is mt19937's init_genrand: exactly PyTorch's seeding.
        key = np.random.RandomState(self._seed & 0xFFFFFFFF).get_state()[1]
        bg = np.random.MT19937()
        bg.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": _N}}
        self._bg = bg
        return bg

    def seed(self):
        """Seed from a non-deterministic source; returns the seed used."""
        s = _nondeterministic_seed()
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    # ---- state ----
    def get_state(self):
        """The generator state as a ``torch.uint8`` tensor (5056 bytes, PyTorch's layout)."""
        from ._tensor import Tensor
        if self._device.type == "cuda":
            raise RuntimeError("get_state() of a CUDA generator is not supported by Ember (CuPy's generator "
                               "state cannot be exported); use manual_seed to make CUDA runs reproducible")
        st = self._bg.state["state"]
        pos = int(st["pos"])
        buf = np.zeros(_STATE_BYTES, np.uint8)
        buf[0:8] = np.frombuffer(np.uint64(self._seed & 0xFFFFFFFFFFFFFFFF).tobytes(), np.uint8)
        left = 1 if pos == _N else _N + 1 - pos
        nxt = 0 if self._fresh else pos
        buf[8:12] = np.frombuffer(np.int32(left).tobytes(), np.uint8)
        buf[12:16] = np.frombuffer(np.int32(1).tobytes(), np.uint8)          # seeded
        buf[16:24] = np.frombuffer(np.uint64(nxt).tobytes(), np.uint8)
        buf[24:24 + 8 * _N] = np.asarray(st["key"], np.uint64).view(np.uint8)
        o = 24 + 8 * _N                                                      # normal_x, normal_y, normal_rho
        if self._next_double_normal is not None:
            buf[o + 8:o + 16] = np.frombuffer(np.float64(self._next_double_normal).tobytes(), np.uint8)
            buf[o + 24:o + 28] = np.frombuffer(np.int32(1).tobytes(), np.uint8)
        o += 32                                                              # next_float_normal_sample, valid
        if self._next_float_normal is not None:
            buf[o:o + 4] = np.frombuffer(np.float32(self._next_float_normal).tobytes(), np.uint8)
            buf[o + 4] = 1
        return Tensor._wrap(buf)

    def set_state(self, new_state):
        """Restore a state from ``get_state()`` (Ember's or PyTorch's); returns the generator."""
        from ._tensor import Tensor
        if self._device.type == "cuda":
            raise RuntimeError("set_state() of a CUDA generator is not supported by Ember")
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        buf = np.ascontiguousarray(np.asarray(new_state._data if not new_state.is_cuda else new_state._data.get()))
        if buf.dtype != np.uint8:
            raise RuntimeError(f"expected a torch.ByteTensor, but got {new_state.type()}: build the state with "
                               "get_rng_state() / Generator.get_state()")
        if buf.size != _STATE_BYTES:
            raise RuntimeError(f"Expected either a CPUGeneratorImplStateLegacy of size 5048 or a "
                               f"CPUGeneratorImplState of size 5056 but found the input RNG state size to be "
                               f"{buf.size}")
        self._seed = int(buf[0:8].view(np.uint64)[0])
        left = int(buf[8:12].view(np.int32)[0])
        nxt = int(buf[16:24].view(np.uint64)[0])
        key = buf[24:24 + 8 * _N].view(np.uint64).astype(np.uint32)
        pos = _N if left == 1 else nxt
        self._bg = np.random.MT19937()
        self._bg.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
        self._fresh = left == 1 and nxt == 0
        o = 24 + 8 * _N
        valid = int(buf[o + 24:o + 28].view(np.int32)[0])
        self._next_double_normal = float(buf[o + 8:o + 16].view(np.float64)[0]) if valid else None
        o += 32
        self._next_float_normal = float(buf[o:o + 4].view(np.float32)[0]) if buf[o + 4] else None
        return self

    # ---- raw draws (used by ember.ops.random) ----
    def _random32(self, n):
        """``n`` raw 32-bit outputs (PyTorch's ``generator->random()``), as uint64."""
        if n == 0:
            return np.zeros(0, np.uint64)
        self._fresh = False
        return self._bg.random_raw(n)

    def _random64(self, n):
        """``n`` 64-bit draws (PyTorch's ``random64()``: first 32-bit draw is the high word)."""
        r = self._random32(2 * n)
        return (r[0::2] << np.uint64(32)) | r[1::2]

    def _cupy(self):
        """The CuPy RandomState behind a CUDA generator."""
        if self._cupy_rng is None:
            _backend.xp_for("cuda")     # raises the clear 'no GPU' error
            self.manual_seed(self._seed)
        return self._cupy_rng

    def __repr__(self):
        return f"<torch._C.Generator object at {hex(id(self))}>"

    def __getstate__(self):
        return {"device": str(self._device), "state": self.get_state().numpy().copy() if
                self._device.type == "cpu" else None, "seed": self._seed}

    def __setstate__(self, d):
        self.__init__(d["device"])
        if d["state"] is not None:
            from ._tensor import Tensor
            self.set_state(Tensor._wrap(d["state"]))
        else:
            self.manual_seed(d["seed"])


def _check_seed(seed):
    try:
        seed = int(seed)
    except (TypeError, ValueError):
        raise TypeError(f"manual_seed expected an int seed, got {type(seed).__name__}") from None
    if seed < -0x8000000000000000 or seed > 0xFFFFFFFFFFFFFFFF:
        raise RuntimeError(f"Overflow when unpacking long long: seed {seed} is outside the 64-bit range")
    return seed & 0xFFFFFFFFFFFFFFFF if seed < 0 else seed


default_generator = Generator()
default_generator.manual_seed(_nondeterministic_seed())   # like PyTorch: unseeded runs differ
_cuda_generators = {}


def cuda_generator(index=0):
    """The default generator of CUDA device ``index`` (seeded by ``manual_seed``)."""
    g = _cuda_generators.get(index)
    if g is None:
        g = _cuda_generators[index] = Generator(f"cuda:{index}")
        g.manual_seed(default_generator.initial_seed())
    return g


def generator_for(generator, device):
    """The generator an op on ``device`` uses: ``generator`` if given (checked), else the default one."""
    if generator is None:
        if device is not None and device.type == "cuda":
            return cuda_generator(device.index or 0)
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a torch.Generator, not {type(generator).__name__}")
    if device is not None and generator.device.type != device.type:
        raise RuntimeError(f"Expected a '{device.type}' device type for generator but found "
                           f"'{generator.device.type}'")
    return generator


# ---- module-level functions (torch.manual_seed ...) ----
def manual_seed(seed):
    """Seed every generator (CPU and CUDA); returns ``default_generator``."""
    seed = _check_seed(seed)
    default_generator.manual_seed(seed)
    for g in _cuda_generators.values():
        g.manual_seed(seed)
    return default_generator


def seed():
    """Seed every generator non-deterministically; returns the seed."""
    s = default_generator.seed()
    for g in _cuda_generators.values():
        g.manual_seed(s)
    return s


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    """The CPU generator's state as a ``torch.ByteTensor``."""
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


class fork_rng:
    """Context manager (and decorator): random draws inside do not change the generators' state outside.

    ``with torch.random.fork_rng(): ...`` saves the CPU state (and the listed CUDA
    devices' seeds) on entry and restores them on exit.
    """

    def __init__(self, devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type="cuda"):
        self.enabled = enabled
        self.devices = list(devices) if devices is not None else list(_cuda_generators)

    def __enter__(self):
        if self.enabled:
            self._cpu = get_rng_state()
            self._cuda = {i: cuda_generator(i).initial_seed() for i in self.devices}
        return None

    def __exit__(self, *exc):
        if self.enabled:
            set_rng_state(self._cpu)
            for i, s in self._cuda.items():
                cuda_generator(i).manual_seed(s)
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*a, **k):
            with fork_rng(self.devices, self.enabled):
                return fn(*a, **k)
        return wrapper


# `import torch.random` works in PyTorch: make `import ember.random` find this module too.
import sys as _sys  # noqa: E402

_sys.modules.setdefault("ember.random", _sys.modules[__name__])
