"""``DataParallel``: run a module over the GPUs; without GPUs (CPU only) it simply calls the module."""
import itertools

from ... import cuda
from ..._device import device as _device
from ..._tensor import Tensor
from .module import Module

__all__ = ["DataParallel"]


def _device_index(d):
    """A device id (int, ``torch.device`` or ``'cuda:N'``) as its index."""
    if isinstance(d, int):
        return d
    d = _device(d) if isinstance(d, str) else d
    return d.index if d.index is not None else cuda.current_device()


def _to(obj, device):
    """Move the tensors inside ``obj`` (nested tuples, lists, dicts) to ``device``."""
    if isinstance(obj, Tensor):
        return obj.to(device)
    if isinstance(obj, (tuple, list)):
        return type(obj)(_to(o, device) for o in obj)
    if isinstance(obj, dict):
        return {k: _to(v, device) for k, v in obj.items()}
    return obj


class DataParallel(Module):
    r"""Wraps ``module`` (kept as ``self.module``, so state_dict keys start with ``module.``).

    Without CUDA devices, as PyTorch, ``device_ids`` is ``[]`` (whatever was passed) and ``forward`` calls
    the module directly. With GPUs, the module must live on ``device_ids[0]`` (moved there when there is one
    id); inputs are moved there and the output to ``output_device``. Ember runs the whole batch on
    ``device_ids[0]`` rather than splitting it along ``dim`` over several GPUs: outputs and gradients are
    the same, but BatchNorm sees the whole batch and there is no multi-GPU speed-up.

    Args:
        module: the module to wrap
        device_ids: CUDA devices (default: all)
        output_device: where the output goes (default: ``device_ids[0]``)
        dim: the batch dimension inputs would be split along. Default: 0
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        if not cuda.is_available():
            self.module = module
            self.device_ids = []
            return
        if device_ids is None:
            device_ids = list(range(cuda.device_count()))
        if output_device is None:
            output_device = device_ids[0]
        self.dim = dim
        self.module = module
        self.device_ids = [_device_index(x) for x in device_ids]
        self.output_device = _device_index(output_device)
        self.src_device_obj = _device("cuda", self.device_ids[0])
        if len(self.device_ids) == 1:
            self.module.to(self.src_device_obj)

    def forward(self, *inputs, **kwargs):
        if not self.device_ids:
            return self.module(*inputs, **kwargs)
        for t in itertools.chain(self.module.parameters(), self.module.buffers()):
            if t.device != self.src_device_obj:
                raise RuntimeError(f"module must have its parameters and buffers on device {self.src_device_obj} "
                                   f"(device_ids[0]) but found one of them on device: {t.device}")
        out = self.module(*_to(inputs, self.src_device_obj), **_to(kwargs, self.src_device_obj))
        return _to(out, _device("cuda", self.output_device))
