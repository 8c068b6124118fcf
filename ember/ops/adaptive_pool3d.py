"""``F.adaptive_max_pool3d``: the n-d adaptive max pooling of ``pool.py`` on (N, C, D, H, W)."""
__all__ = []
__functional__ = ["adaptive_max_pool3d", "adaptive_max_pool3d_with_indices"]

from .pool import AdaptiveMaxPool, _adaptive_out


class AdaptiveMaxPool3D(AdaptiveMaxPool):
    node_name = "AdaptiveMaxPool3DBackward0"


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max pooling of (N, C, D, H, W) or (C, D, H, W) to (..., *output_size); ``None`` keeps that dim.
    Indices (with ``return_indices``) are flat positions in each D*H*W plane, as ``MaxUnpool3d`` wants."""
    out, idx = AdaptiveMaxPool3D.apply(input, _adaptive_out("adaptive_max_pool3d", 3, input, output_size))
    return (out, idx) if return_indices else out


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool3d(input, output_size, True)
