"""``ember.utils``: ``data`` (datasets, samplers, DataLoader), ``tensorboard``, ``checkpoint``, ``hooks``,
``model_zoo``, ``dlpack`` and ``benchmark``, imported on first use."""
import importlib

_SUBMODULES = ("data", "tensorboard", "checkpoint", "hooks", "model_zoo", "dlpack", "benchmark")


def __getattr__(name):
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'ember.utils' has no attribute '{name}'")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
