"""``ember.xpu`` (``torch.xpu``): Intel GPUs. Ember has no XPU backend.

As in a PyTorch built without XPU: ``is_available()`` is False, ``device_count()`` 0, the seeding functions
and ``empty_cache`` do nothing (there is nothing to seed or free), and what needs a device raises
AssertionError ("Torch not compiled with XPU enabled").
"""

__all__ = ["is_available", "device_count", "is_initialized", "manual_seed", "manual_seed_all", "seed",
           "seed_all", "empty_cache", "init", "synchronize", "current_device", "set_device", "get_device_name",
           "get_rng_state", "set_rng_state"]


def _unavailable(*args, **kwargs):
    raise AssertionError("Torch not compiled with XPU enabled (Ember has no Intel XPU backend: use the CPU, or a "
                         "CUDA GPU through CuPy)")


def is_available():
    return False


def device_count():
    return 0


def is_initialized():
    return False


def manual_seed(seed):
    """Does nothing without an XPU (PyTorch ignores it silently too); the seed must still be an int."""
    int(seed)


def manual_seed_all(seed):
    int(seed)


def seed():
    """Does nothing without an XPU."""


def seed_all():
    """Does nothing without an XPU."""


def empty_cache():
    """Does nothing: no XPU memory was ever allocated."""


init = synchronize = current_device = set_device = get_device_name = _unavailable
get_rng_state = set_rng_state = _unavailable
