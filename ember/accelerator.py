"""``ember.accelerator`` (``torch.accelerator``): the one accelerator this process can use, whatever its kind.

Ember's only accelerator is a CUDA GPU through CuPy: with CuPy installed, ``current_accelerator()`` is
``device('cuda')``; on a CPU-only setup it is None and ``is_available()`` False.
"""
from . import _backend
from ._device import device as _device_cls

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index", "current_device_idx",
           "set_device_index", "set_device_idx", "synchronize"]


def _built():
    from .backends.cuda import is_built
    return is_built()


def is_available():
    """Whether a GPU can be used now."""
    return _backend.cupy_module() is not None


def current_accelerator(check_available=False):
    """``device('cuda')`` when Ember can drive GPUs (CuPy installed; with ``check_available``, a GPU must also
    be usable now), else None."""
    if _built() and (not check_available or is_available()):
        return _device_cls("cuda")
    return None


def device_count():
    cp = _backend.cupy_module()
    return 0 if cp is None else cp.cuda.runtime.getDeviceCount()


def _cupy():
    cp = _backend.cupy_module()
    if cp is None:
        raise RuntimeError("Cannot access accelerator device when none is available. "
                           f"({_backend.cuda_unavailable_reason()})")
    return cp


def current_device_index():
    """Index of the GPU new CUDA tensors go to."""
    return _cupy().cuda.Device().id


def set_device_index(device):
    """Make GPU ``device`` (an index, 'cuda:1', or a device) the current one."""
    cp = _cupy()
    index = device if isinstance(device, int) else (_device_cls(device).index or 0)
    cp.cuda.Device(index).use()


def synchronize(device=None):
    """Wait until every queued GPU kernel on ``device`` (default: the current GPU) has finished."""
    cp = _cupy()
    index = current_device_index() if device is None else \
        (device if isinstance(device, int) else (_device_cls(device).index or 0))
    with cp.cuda.Device(index):
        cp.cuda.Device(index).synchronize()


current_device_idx = current_device_index
set_device_idx = set_device_index
