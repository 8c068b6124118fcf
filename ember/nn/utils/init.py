"""``nn.utils.skip_init``: build a module without running its parameter initialization."""
import inspect

from ... import _random
from ..modules.module import Module

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """``module_cls(*args, **kwargs)`` whose parameters and buffers hold unspecified values (for code that
    overwrites them anyway, e.g. from a checkpoint). ``module_cls`` must accept a ``device`` argument.

    PyTorch builds the module on the ``meta`` device and allocates empty storage; Ember has no meta device,
    so it builds the module on the requested device with the random number generator state saved and
    restored around it: as in PyTorch, the global random stream is left untouched.
    """
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    kwargs["device"] = kwargs.pop("device", "cpu")
    with _random.fork_rng():
        return module_cls(*args, **kwargs)
