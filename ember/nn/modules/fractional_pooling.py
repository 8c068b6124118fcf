"""Fractional max pooling layers: ``FractionalMaxPool2d``, ``FractionalMaxPool3d`` (Graham, 2014)."""
from ...ops import fractional_pool as _FP
from .module import Module

__all__ = ["FractionalMaxPool2d", "FractionalMaxPool3d"]


def _ntuple(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


class _FractionalMaxPoolNd(Module):
    __constants__ = ["kernel_size", "return_indices", "output_size", "output_ratio"]
    _nd = 2
    _fn = None

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                 _random_samples=None):
        super().__init__()
        nd, name = self._nd, type(self).__name__
        if nd == 3 and any(k <= 0 for k in _ntuple(kernel_size, 3)):
            raise ValueError(f"kernel_size must be greater than 0, but got {kernel_size}")
        self.kernel_size = _ntuple(kernel_size, nd)
        self.return_indices = return_indices
        # a buffer, as in PyTorch: fixed samples travel with state_dict and .to(device)
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _ntuple(output_size, nd) if output_size is not None else None
        self.output_ratio = _ntuple(output_ratio, nd) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input):
        return type(self)._fn(input, self.kernel_size, self.output_size, self.output_ratio, self.return_indices,
                              _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    r"""Max over :math:`k_H \times k_W` windows of :math:`(N, C, H, W)` or :math:`(C, H, W)` at pseudo-random
    steps, giving exactly ``output_size`` :math:`(H_{out}, W_{out})` or ``output_ratio`` (in (0, 1)) times
    the input size; :math:`H_{out} + k_H - 1 \le H` must hold. ``return_indices=True`` also returns flat
    H*W argmax positions (for ``MaxUnpool2d``). ``_random_samples`` (N, C, 2) fixes the steps (a buffer);
    otherwise every call draws new ones."""
    _nd = 2
    _fn = staticmethod(_FP.fractional_max_pool2d)


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    r"""Fractional max pooling of :math:`(N, C, T, H, W)` or :math:`(C, T, H, W)` with
    :math:`k_T \times k_H \times k_W` windows; see ``FractionalMaxPool2d`` (samples (N, C, 3))."""
    _nd = 3
    _fn = staticmethod(_FP.fractional_max_pool3d)
