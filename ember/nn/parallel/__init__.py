"""``torch.nn.parallel``: ``DataParallel`` (see ``nn.modules.data_parallel``)."""
from ..modules.data_parallel import DataParallel  # noqa: F401

__all__ = ["DataParallel"]
