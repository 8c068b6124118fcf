"""``nn.Container``: the pre-1.0 container, deprecated in PyTorch; kept so old code still runs."""
import warnings

from .module import Module

__all__ = ["Container"]


class Container(Module):
    """A Module holding the keyword-given modules as children. Deprecated: subclass ``nn.Module``."""

    def __init__(self, **kwargs):
        super().__init__()
        warnings.warn("`nn.Container` is deprecated. All of its functionality is now implemented in "
                      "`nn.Module`. Subclass that instead.", FutureWarning, stacklevel=2)
        for key, value in kwargs.items():
            self.add_module(key, value)
