"""``CrossMapLRN2d``: Lua Torch's cross-channel local response normalisation of (N, C, H, W)."""
from ...ops.cross_map_lrn import cross_map_lrn2d
from .module import Module

__all__ = ["CrossMapLRN2d"]


class CrossMapLRN2d(Module):
    r"""out = x * (k + alpha / size * sum of x**2 over neighbouring channels) ** -beta, for 4-D input only.

    Kept for old models: it reproduces PyTorch's legacy window (channel 0 counts in every window; even
    ``size`` spans size - 1 channels) and legacy gradient, see ``ember.ops.cross_map_lrn``. New code wants
    ``LocalResponseNorm``.
    """

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return cross_map_lrn2d(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return "{size}, alpha={alpha}, beta={beta}, k={k}".format(**self.__dict__)
