"""``torch.backends.opt_einsum``: the contraction-order optimizer for ``einsum``.

PyTorch uses the ``opt_einsum`` package when it is installed; this reports whether it is. (Ember's einsum
always lets NumPy/CuPy choose a contraction order for three or more operands, with their built-in greedy
path search.) ``enabled`` and ``strategy`` are settable and checked as in PyTorch.
"""
import contextlib
import importlib.util
import sys

from . import _flags

__all__ = ["is_available", "get_opt_einsum", "enabled", "strategy", "flags", "set_flags"]

_AVAILABLE = importlib.util.find_spec("opt_einsum") is not None


def is_available():
    """Whether the ``opt_einsum`` package is installed."""
    return _AVAILABLE


def get_opt_einsum():
    """The ``opt_einsum`` package if installed, else None."""
    if not _AVAILABLE:
        return None
    import opt_einsum
    return opt_einsum


def _set_enabled(module, value):
    if not _AVAILABLE and value:
        raise ValueError(f"opt_einsum is not available, so setting `enabled` to {value} will not reap the benefits "
                         "of calculating an optimal path for einsum. torch.einsum will fall back to contracting "
                         "from left to right. To enable this optimal path calculation, please install opt-einsum.")
    module.__dict__["_enabled"] = value


def _set_strategy(module, value):
    if not _AVAILABLE:
        raise ValueError(f"opt_einsum is not available, so setting `strategy` to {value} will not be meaningful. "
                         "torch.einsum will bypass path calculation and simply contract from left to right. "
                         "Please install opt_einsum or unset `strategy`.")
    if not module.enabled:
        raise ValueError(f"opt_einsum is not enabled, so setting a `strategy` to {value} will not be meaningful. "
                         "torch.einsum will bypass path calculation and simply contract from left to right. "
                         "Please set `enabled` to `True` as well or unset `strategy`.")
    if value not in ("auto", "greedy", "optimal"):
        raise ValueError(f"`strategy` must be one of the following: [auto, greedy, optimal] but is {value}")
    module.__dict__["_strategy"] = value


def set_flags(_enabled=None, _strategy=None):
    """Set ``enabled``/``strategy``; returns the previous pair."""
    module = sys.modules[__name__]
    old = (module.enabled, module.strategy if _AVAILABLE else None)
    if _enabled is not None:
        module.enabled = _enabled
    if _strategy is not None:
        module.strategy = _strategy
    return old


@contextlib.contextmanager
def flags(enabled=None, strategy=None):
    old = set_flags(enabled, strategy)
    try:
        yield
    finally:
        set_flags(*old)


_flags.install(
    __name__,
    enabled=property(lambda m: m.__dict__.get("_enabled", _AVAILABLE), _set_enabled),
    strategy=property(lambda m: m.__dict__.get("_strategy", "auto" if _AVAILABLE else None), _set_strategy),
)
