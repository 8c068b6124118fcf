"""``ember.mps`` (``torch.mps``): Apple's Metal GPUs. Ember has none (its GPU path is CUDA through CuPy).

As in a PyTorch built without MPS: ``is_available()`` is False, ``device_count()`` 0, ``manual_seed`` does
nothing (``torch.manual_seed`` calls it on every backend), and what needs the device raises RuntimeError.
"""

__all__ = ["is_available", "device_count", "manual_seed", "seed", "get_rng_state", "set_rng_state",
           "synchronize", "empty_cache", "current_allocated_memory", "driver_allocated_memory"]


def _unavailable(what):
    raise RuntimeError(f"Cannot execute {what} without MPS backend. (Ember has no Apple Metal backend: use the "
                       "CPU, or a CUDA GPU through CuPy.)")


def is_available():
    return False


def device_count():
    return 0


def manual_seed(seed):
    """Does nothing: there is no MPS generator to seed (PyTorch returns quietly too)."""


def seed():
    _unavailable("getDefaultGenerator()")


def get_rng_state(device="mps"):
    _unavailable("getDefaultGenerator()")


def set_rng_state(new_state, device="mps"):
    _unavailable("getDefaultGenerator()")


def synchronize():
    _unavailable("deviceSynchronize()")


def empty_cache():
    _unavailable("emptyCache()")


def current_allocated_memory():
    _unavailable("getCurrentAllocatedMemory()")


def driver_allocated_memory():
    _unavailable("getDriverAllocatedMemory()")
