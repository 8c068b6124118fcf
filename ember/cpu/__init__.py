"""``ember.cpu``: the CPU device module (``torch.cpu``): ``amp``, ``is_available``, ``synchronize``."""
from . import amp  # noqa: F401


def is_available():
    return True


def synchronize(device=None):
    pass


def device_count():
    return 1


def current_device():
    return "cpu"
