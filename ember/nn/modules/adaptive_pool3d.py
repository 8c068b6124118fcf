"""``AdaptiveMaxPool3d``: max pooling of (N, C, D, H, W) to a fixed output size."""
from .. import functional as F
from .pooling import _AdaptiveMaxPoolNd

__all__ = ["AdaptiveMaxPool3d"]


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    r"""Max pooling of :math:`(N, C, D_{in}, H_{in}, W_{in})` or :math:`(C, D_{in}, H_{in}, W_{in})` to
    :math:`(\ldots, D_{out}, H_{out}, W_{out})` = ``output_size`` (an int for a cube; ``None`` keeps that
    input size). ``return_indices=True`` also returns the argmax positions (for ``MaxUnpool3d``)."""

    def forward(self, input):
        return F.adaptive_max_pool3d(input, self.output_size, self.return_indices)
