"""One device check for every op that takes several Tensors (called from ``Op.apply``).

``Op.apply`` calls ``check`` only when a GPU array type exists at all
(``_backend._cupy`` is set once CuPy found a device) and the op has more than
one argument, so CPU-only programs pay nothing. PyTorch's rules:

* every Tensor argument on one device, else ``RuntimeError: Expected all
  tensors to be on the same device, but found at least two devices, cuda:0
  and cpu!`` (the GPU device is named first, as PyTorch's TensorIterator does);
* except that a 0-dim CPU tensor may join CUDA tensors (``x_cuda * t.sum()``
  of a CPU ``t``): it is copied to the GPU here.
"""
import numpy as np

from . import _backend

_Tensor = None


def _tensor_cls():
    global _Tensor
    if _Tensor is None:
        from ._tensor import Tensor  # noqa: WPS433 - resolved at call time (this helper sits under layer 3)
        _Tensor = Tensor
    return _Tensor


def _name(arr):
    if type(arr) is np.ndarray:
        return "cpu"
    return f"cuda:{_backend.device_index(arr)}"


def check(args, arrays):
    """``arrays`` (the unwrapped ``args``), with 0-dim CPU tensors moved to the GPU; raises on a device mix."""
    Tensor = _tensor_cls()
    gpu = None          # name of the first GPU device seen
    cpu_at = None       # first index of a CPU tensor with ndim > 0
    scalars = None      # indices of 0-dim CPU tensors
    for i, a in enumerate(args):
        if not isinstance(a, Tensor):
            continue
        arr = arrays[i]
        if type(arr) is np.ndarray:
            if arr.ndim == 0:
                scalars = (scalars or []) + [i]
            elif cpu_at is None:
                cpu_at = i
            continue
        name = _name(arr)
        if gpu is None:
            gpu = (name, i)
        elif name != gpu[0]:
            raise RuntimeError(_message(gpu[0], name, gpu[1], i))
    if gpu is None:
        return arrays
    if cpu_at is not None:
        raise RuntimeError(_message(gpu[0], "cpu", gpu[1], cpu_at))
    if scalars:
        arrays = list(arrays)
        index = _backend.device_index(arrays[gpu[1]]) or 0
        for i in scalars:
            arrays[i] = _backend.to_device(arrays[i], "cuda", index)
    return arrays


def _message(first, second, i, j):
    return (f"Expected all tensors to be on the same device, but found at least two devices, {first} and "
            f"{second}! (argument {i} is on {first}, argument {j} on {second}.) Move one operand to the other's "
            f"device first, e.g. y = y.to(x.device), or create both on one device (model.to(device) moves a "
            f"model's parameters; move each input batch with batch.to(device)).")
