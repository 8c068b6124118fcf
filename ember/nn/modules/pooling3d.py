"""3-D pooling layers that ``pooling.py`` lacks: ``LPPool3d``, ``MaxUnpool3d``."""
from ...ops import pool_extras as _PE
from .pooling import _LPPoolNd, _MaxUnpoolNd

__all__ = ["LPPool3d", "MaxUnpool3d"]


class LPPool3d(_LPPoolNd):
    r"""Power-average pooling of :math:`(N, C, D, H, W)` or :math:`(C, D, H, W)`:
    :math:`(\sum_{window} x^p)^{1/p}` with p = ``norm_type`` (inf: max of :math:`|x|`); ``stride`` defaults
    to ``kernel_size``."""
    _fn = staticmethod(_PE.lp_pool3d)


class MaxUnpool3d(_MaxUnpoolNd):
    r"""Partial inverse of ``MaxPool3d(return_indices=True)``: ``forward(input, indices, output_size=None)``
    puts each value of :math:`(N, C, D, H, W)` at its index in a zero output, :math:`D_{out} = (D - 1)
    \cdot stride - 2 \cdot padding + kernel\_size` (and H, W alike) unless ``output_size`` says otherwise."""
    _nd = 3
    _fn = staticmethod(_PE.max_unpool3d)
