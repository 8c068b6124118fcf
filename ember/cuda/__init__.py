"""``ember.cuda``: the GPU through CuPy.

Without CuPy or a GPU, ``is_available()`` is False, importing never fails, and
every call that needs a device raises an error saying what is missing.
"""
import contextlib

from .. import _backend


def _cp():
    return _backend.xp_for("cuda")    # raises the clear 'what is missing' error


def is_available():
    return _backend.cupy_module() is not None


def is_initialized():
    return is_available()


def init():
    _cp()


def device_count():
    cp = _backend.cupy_module()
    return 0 if cp is None else cp.cuda.runtime.getDeviceCount()


def current_device():
    return _cp().cuda.Device().id


def set_device(device):
    from .._device import as_device
    d = as_device(device) if not isinstance(device, int) else None
    _cp().cuda.Device(device if isinstance(device, int) else (d.index or 0)).use()


@contextlib.contextmanager
def device(device):  # noqa: F811 - PyTorch's context-manager name
    from .._device import as_device
    idx = device if isinstance(device, int) else (as_device(device).index or 0)
    with _cp().cuda.Device(idx):
        yield


def get_device_name(device=None):
    cp = _cp()
    idx = 0 if device is None else (device if isinstance(device, int) else (device.index or 0))
    return cp.cuda.runtime.getDeviceProperties(idx)["name"].decode()


class _DeviceProperties:
    def __init__(self, props):
        self.name = props["name"].decode()
        self.total_memory = props["totalGlobalMem"]
        self.major = props["major"]
        self.minor = props["minor"]
        self.multi_processor_count = props["multiProcessorCount"]

    def __repr__(self):
        return (f"_CudaDeviceProperties(name='{self.name}', major={self.major}, minor={self.minor}, "
                f"total_memory={self.total_memory // 2**20}MB, multi_processor_count={self.multi_processor_count})")


def get_device_properties(device=None):
    idx = 0 if device is None else (device if isinstance(device, int) else (device.index or 0))
    return _DeviceProperties(_cp().cuda.runtime.getDeviceProperties(idx))


def get_device_capability(device=None):
    p = get_device_properties(device)
    return (p.major, p.minor)


def synchronize(device=None):
    """Wait for the GPU's queued work (AssertionError 'Torch not compiled with CUDA enabled' without one)."""
    _cp().cuda.Device().synchronize()


def manual_seed(seed):
    """Seed the GPU generator (silently ignored without a GPU, as in PyTorch)."""
    cp = _backend.cupy_module()
    if cp is not None:
        cp.random.seed(int(seed) % 2**32)


def manual_seed_all(seed):
    manual_seed(seed)


def seed():
    cp = _backend.cupy_module()
    if cp is not None:
        cp.random.seed()


seed_all = seed


def _pool():
    return _cp().get_default_memory_pool()


def memory_allocated(device=None):
    return _pool().used_bytes() if is_available() else 0


def memory_reserved(device=None):
    return _pool().total_bytes() if is_available() else 0


_peak = [0]


def max_memory_allocated(device=None):
    _peak[0] = max(_peak[0], memory_allocated(device))
    return _peak[0]


def reset_peak_memory_stats(device=None):
    _peak[0] = memory_allocated(device)


def empty_cache():
    if is_available():
        _pool().free_all_blocks()


class Event:
    """A CUDA event for timing: ``record()``, ``synchronize()``, ``elapsed_time(end)`` in ms."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        self._event = _cp().cuda.Event(block=blocking, disable_timing=not enable_timing)

    def record(self, stream=None):
        self._event.record(None if stream is None else stream._stream)

    def synchronize(self):
        self._event.synchronize()

    def query(self):
        return self._event.done

    def elapsed_time(self, end_event):
        return _cp().cuda.get_elapsed_time(self._event, end_event._event)


class Stream:
    """A CUDA stream (basic): usable as a context manager to make it current."""

    def __init__(self, device=None, priority=0):
        self._stream = _cp().cuda.Stream(non_blocking=True)

    def synchronize(self):
        self._stream.synchronize()

    def wait_stream(self, other):
        self._stream.wait_event(other._stream.record())

    def __enter__(self):
        self._stream.__enter__()
        return self

    def __exit__(self, *exc):
        return self._stream.__exit__(*exc)


def current_stream(device=None):
    s = Stream.__new__(Stream)
    s._stream = _cp().cuda.get_current_stream()
    return s


def stream(s):
    return s if s is not None else contextlib.nullcontext()


from . import amp  # noqa: E402,F401 - ember.cuda.amp (autocast, GradScaler)
