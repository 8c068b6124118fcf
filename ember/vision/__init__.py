"""Layer 7: torchvision's surface (``import ember.vision as torchvision``).

``datasets``, ``transforms``, ``tv_tensors`` and ``utils`` load on first use so
that ``import ember.vision`` stays light; ``models`` is written separately.
"""
import importlib

__version__ = "0.28.0"   # the torchvision release whose behaviour this follows (pairs with torch 2.13)

_SUBMODULES = ("datasets", "transforms", "utils", "models", "io", "ops", "tv_tensors")


def __getattr__(name):
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'ember.vision' (torchvision) has no attribute '{name}'")


def get_image_backend():
    """Ember reads images with Pillow only (torchvision's default backend)."""
    return "PIL"


def set_image_backend(backend):
    if backend not in ("PIL", "accimage"):
        raise ValueError(f"Invalid backend '{backend}'. Options are 'PIL' and 'accimage'")
    if backend != "PIL":
        raise ValueError("ember.vision reads images with Pillow only; 'accimage' is not available")
