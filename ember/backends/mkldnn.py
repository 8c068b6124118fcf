"""``torch.backends.mkldnn``: oneDNN (MKL-DNN). Ember's CPU kernels are NumPy's, not oneDNN: it is not
available; ``enabled``/``deterministic``/``allow_tf32`` are settable (bools, checked) and reported back."""
import contextlib
import sys

from . import _flags

__all__ = ["is_available", "flags", "set_flags", "enabled", "deterministic", "allow_tf32"]


def is_available():
    return False


def set_flags(_enabled=None, _deterministic=None, _allow_tf32=None):
    module = sys.modules[__name__]
    names = ("enabled", "deterministic", "allow_tf32")
    old = tuple(getattr(module, n) for n in names)
    for name, value in zip(names, (_enabled, _deterministic, _allow_tf32)):
        if value is not None:
            setattr(module, name, value)
    return old


@contextlib.contextmanager
def flags(enabled=False, deterministic=False, allow_tf32=True):
    old = set_flags(enabled, deterministic, allow_tf32)
    try:
        yield
    finally:
        set_flags(*old)


_flags.install(
    __name__,
    enabled=_flags.bool_switch(True, "set_enabled_mkldnn"),
    deterministic=_flags.bool_switch(False, "set_deterministic_mkldnn"),
    allow_tf32=_flags.bool_switch(False, "_set_onednn_allow_tf32"),
)
