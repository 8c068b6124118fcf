"""Layer 1: array backends.

The only module that imports CuPy. Everything above asks this module for the
array module (``xp``) of an array or a device, and moves arrays between
devices through it. Importing Ember never fails when CuPy or a GPU is missing:
``cuda_unavailable_reason()`` says why the GPU cannot be used.
"""
import numpy as np

_cupy = None            # the cupy module once imported successfully
_cupy_error = None      # why CuPy is not usable (str), once probed
_probed = False


def _probe_cupy():
    global _cupy, _cupy_error, _probed
    if _probed:
        return _cupy
    _probed = True
    try:
        import cupy  # noqa: WPS433 (the one place CuPy is imported)
    except Exception as exc:  # ImportError, or a broken CUDA install
        _cupy_error = f"CuPy is not installed or failed to import ({type(exc).__name__}: {exc}); " \
                      "install it with `pip install ember[cuda12]` (or cuda13)"
        return None
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:
        _cupy_error = f"CuPy is installed but no CUDA driver/device answered ({exc})"
        return None
    if count == 0:
        _cupy_error = "CuPy is installed but no CUDA device was found"
        return None
    _cupy = cupy
    return cupy


def cupy_module():
    """The cupy module, or None when no GPU is usable."""
    return _probe_cupy()


def cuda_unavailable_reason():
    _probe_cupy()
    return _cupy_error


def is_cupy_array(a):
    return _cupy is not None and isinstance(a, _cupy.ndarray)


def xp_of(a):
    """The array module (numpy or cupy) that owns array ``a``."""
    if type(a) is np.ndarray or _cupy is None:
        return np
    return _cupy if isinstance(a, _cupy.ndarray) else np


class CudaUnavailableError(AssertionError, RuntimeError):
    """Raised when a GPU is asked for and none is usable (PyTorch raises AssertionError here)."""


def xp_for(device_type):
    if device_type == "cpu":
        return np
    cp = _probe_cupy()
    if cp is None:
        raise CudaUnavailableError(f"Torch not compiled with CUDA enabled: ember cannot use the GPU because "
                           f"{_cupy_error}. Keep the tensor on the CPU (device='cpu') or install CuPy.")
    return cp


def to_device(a, device_type, index=0):
    """Copy array ``a`` to the device (returns ``a`` itself when already there)."""
    if device_type == "cpu":
        return a.get() if is_cupy_array(a) else a
    cp = xp_for("cuda")
    with cp.cuda.Device(index):
        if isinstance(a, cp.ndarray) and a.device.id == index:
            return a
        return cp.asarray(a)


def device_index(a):
    return a.device.id if is_cupy_array(a) else None
