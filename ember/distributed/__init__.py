"""``ember.distributed`` (``torch.distributed``): multi-process training. Ember does not implement it.

This answers as a PyTorch built without distributed support does, so scripts that check before using it
run on one process: ``is_available()`` and ``is_initialized()`` are False, ``init_process_group`` raises
RuntimeError, and asking the (never created) default process group for its rank or size raises PyTorch's
"not initialized" ValueError. ``ReduceOp`` exists so that signatures such as ``op=dist.ReduceOp.SUM`` load.
Train on one process instead: the model and the DataLoader work unchanged.
"""
import enum
import os

__all__ = ["is_available", "is_initialized", "is_torchelastic_launched", "is_nccl_available", "is_gloo_available",
           "is_mpi_available", "init_process_group", "destroy_process_group", "get_rank", "get_world_size",
           "get_backend", "barrier", "ReduceOp"]

_HINT = ("Ember has no distributed backend (no gloo/nccl/mpi process groups): run the script as a single process, "
         "without torchrun/init_process_group")


def is_available():
    """False: Ember has no process-group backend."""
    return False


def is_initialized():
    """False: no default process group can exist."""
    return False


def is_torchelastic_launched():
    """Whether this process was started by ``torchrun`` (it sets TORCHELASTIC_RUN_ID)."""
    return os.getenv("TORCHELASTIC_RUN_ID") is not None


def is_nccl_available():
    return False


def is_gloo_available():
    return False


def is_mpi_available():
    return False


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1, store=None,
                       group_name="", pg_options=None, device_id=None):
    raise RuntimeError(f"ember.distributed: distributed training is not available in Ember: {_HINT}. "
                       f"(init_process_group(backend={backend!r}) was called)")


def _no_group(*args, **kwargs):
    raise ValueError(f"Default process group has not been initialized, please make sure to call "
                     f"init_process_group. ({_HINT})")


def get_rank(group=None):
    _no_group()


def get_world_size(group=None):
    _no_group()


def get_backend(group=None):
    _no_group()


def barrier(group=None, async_op=False, device_ids=None):
    _no_group()


def destroy_process_group(group=None):
    raise AssertionError(f"Process group cannot be None ({_HINT})")


class ReduceOp(enum.Enum):
    """The reductions collectives take (``dist.ReduceOp.SUM`` ...)."""
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7
    PREMUL_SUM = 8
