"""Grad modes: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``.

Each works as a context manager and as a decorator; ``set_grad_enabled(False)``
also takes effect when simply called, as in PyTorch.
"""
import functools


class GradMode:
    """Process-wide switch read by every op (a class attribute: the cheapest read)."""
    enabled = True


def is_grad_enabled():
    return GradMode.enabled


class _DecoratorContextManager:
    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._args()):
                return fn(*args, **kwargs)
        return wrapper

    def _args(self):
        return ()


class no_grad(_DecoratorContextManager):
    """Disable gradient tracking inside the block: results have ``requires_grad=False``."""

    def __enter__(self):
        self.prev = GradMode.enabled
        GradMode.enabled = False

    def __exit__(self, *exc):
        GradMode.enabled = self.prev


class enable_grad(_DecoratorContextManager):
    def __enter__(self):
        self.prev = GradMode.enabled
        GradMode.enabled = True

    def __exit__(self, *exc):
        GradMode.enabled = self.prev


class set_grad_enabled(_DecoratorContextManager):
    """``set_grad_enabled(mode)``: as a call it switches at once; as a context it restores on exit."""

    def __init__(self, mode):
        self.prev = GradMode.enabled
        self.mode = bool(mode)
        GradMode.enabled = self.mode

    def _args(self):
        return (self.mode,)

    def __call__(self, fn):
        GradMode.enabled = self.prev  # used as a decorator: undo the switch done by __init__
        return super().__call__(fn)

    def __enter__(self):
        GradMode.enabled = self.mode

    def __exit__(self, *exc):
        GradMode.enabled = self.prev


class inference_mode(_DecoratorContextManager):
    """Like ``no_grad`` (Ember has no separate inference tensors)."""

    def __init__(self, mode=True):
        self.mode = bool(mode)

    def _args(self):
        return (self.mode,)

    def __enter__(self):
        self.prev = GradMode.enabled
        GradMode.enabled = not self.mode

    def __exit__(self, *exc):
        GradMode.enabled = self.prev


def is_inference_mode_enabled():
    return False
