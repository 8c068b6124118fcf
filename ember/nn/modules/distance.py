"""Distance layers: ``CosineSimilarity`` and ``PairwiseDistance`` (Modules over ``nn.functional``)."""
from .. import functional as F
from .module import Module

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class CosineSimilarity(Module):
    r"""Cosine similarity of ``x1`` and ``x2`` along ``dim``: :math:`\frac{x_1 \cdot x_2}{\max(\|x_1\| \|x_2\|, \epsilon)}`.

    Shape:
        - Input1: :math:`(\ast_1, D, \ast_2)`, D at position ``dim``
        - Input2: :math:`(\ast_1, D, \ast_2)`, broadcastable with Input1
        - Output: :math:`(\ast_1, \ast_2)`
    """
    __constants__ = ["dim", "eps"]

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    r""":math:`\|x_1 - x_2 + \epsilon\|_p` along the last dimension.

    Shape:
        - Input1: :math:`(N, D)` or :math:`(D)`
        - Input2: same shape as Input1 (or broadcastable)
        - Output: :math:`(N)` or :math:`()`; with ``keepdim=True`` :math:`(N, 1)` or :math:`(1)`
    """
    __constants__ = ["norm", "eps", "keepdim"]

    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
