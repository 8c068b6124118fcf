"""``ember.multiprocessing`` (``torch.multiprocessing``): Python's ``multiprocessing`` plus PyTorch's extras.

Everything ``multiprocessing`` exports is here (``Process``, ``Queue``, ``Pool``, ``set_start_method``,
``get_context``, ``cpu_count`` ...), with ``spawn``/``start_processes`` (run ``fn(i, *args)`` in ``nprocs``
processes, re-raising a child's exception in the parent) and the sharing-strategy functions.

Sharing: tensors sent through a ``Queue`` or ``Pipe`` are pickled, so the receiver gets a copy (PyTorch moves
them to shared memory instead). Memory shared with ``Tensor.share_memory_()``/``Module.share_memory()`` is
seen by processes started with ``fork`` (Hogwild training). The sharing strategy is remembered and checked
as in PyTorch; it does not change how Ember copies tensors.
"""
import multiprocessing
import sys
from multiprocessing import *  # noqa: F401,F403 - PyTorch re-exports the whole module

from .spawn import ProcessContext, ProcessExitedException, ProcessRaisedException, spawn, start_processes

__all__ = ["set_sharing_strategy", "get_sharing_strategy", "get_all_sharing_strategies", "spawn",
           "start_processes", "ProcessContext", "ProcessRaisedException", "ProcessExitedException"]
__all__ += multiprocessing.__all__

if sys.platform in ("darwin", "win32"):
    _all_sharing_strategies = {"file_system"}
else:
    _all_sharing_strategies = {"file_descriptor", "file_system"}
_sharing = {"strategy": "file_system" if sys.platform in ("darwin", "win32") else "file_descriptor"}


def set_sharing_strategy(new_strategy):
    """Choose how CPU tensors would be shared: one of ``get_all_sharing_strategies()``."""
    if new_strategy not in _all_sharing_strategies:
        raise AssertionError(f"invalid sharing strategy {new_strategy!r}, expected one of {_all_sharing_strategies}")
    _sharing["strategy"] = new_strategy


def get_sharing_strategy():
    """The current strategy for sharing CPU tensors."""
    return _sharing["strategy"]


def get_all_sharing_strategies():
    """The strategies this platform supports (a set)."""
    return _all_sharing_strategies
