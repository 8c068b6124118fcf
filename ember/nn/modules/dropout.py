"""Dropout layers: active in ``train()`` mode, the identity in ``eval()`` mode."""
from .. import functional as F
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]


class _DropoutNd(Module):
    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    r"""During training, zeroes each element with probability ``p`` and scales the rest by :math:`1/(1-p)`.

    Shape:
        - Input: :math:`(*)`, Output: :math:`(*)` (same shape)
    """

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    r"""Zeroes whole channels. Input: :math:`(N, C, L)` or :math:`(C, L)`."""

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    r"""Zeroes whole channels. Input: :math:`(N, C, H, W)` or :math:`(N, C, L)`."""

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    r"""Zeroes whole channels. Input: :math:`(N, C, D, H, W)` or :math:`(C, D, H, W)`."""

    def forward(self, input):
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    r"""Dropout that keeps SELU's self-normalising mean and variance. Input: :math:`(*)`."""

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    r"""Channel-wise alpha dropout. Input: :math:`(N, C, *)`."""

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training)
