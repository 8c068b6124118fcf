"""``ember.utils.tensorboard``: ``SummaryWriter`` writing real TensorBoard event files.

Needs the optional ``tensorboard`` package (``pip install ember[tensorboard]``).
"""
try:
    import tensorboard  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the optional extra
    raise ImportError("TensorBoard logging requires the tensorboard package: pip install tensorboard "
                      "(or pip install ember[tensorboard])") from exc

from .writer import SummaryWriter  # noqa: E402

__all__ = ["SummaryWriter"]
