"""``torch.signal``: signal-processing helpers. Holds ``windows`` (window functions for spectral analysis)."""
from . import windows

__all__ = ["windows"]
