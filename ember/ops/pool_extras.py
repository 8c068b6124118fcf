"""3-D forms that ``pool.py`` lacks: ``F.lp_pool3d``, ``F.max_unpool3d``; and the top-level
``torch.max_pool1d_with_indices``. They reuse ``pool.py``'s n-d kernels."""

__all__ = ["max_pool1d_with_indices"]
__functional__ = ["lp_pool3d", "max_unpool3d"]

import math

from ._util import Tensor, xp_of
from .conv import _ntuple
from .pool import MaxUnpool, avg_pool3d, max_pool1d, max_pool3d


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """``torch.max_pool1d_with_indices``: ``max_pool1d`` of (N, C, L) or (C, L) returning ``(output, indices)``
    (an empty ``stride`` means ``kernel_size``)."""
    return max_pool1d(input, kernel_size, stride if stride != () else None, padding, dilation, ceil_mode, True)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    r"""Power-average pooling of :math:`(N, C, D, H, W)` or :math:`(C, D, H, W)`:
    :math:`(\sum_{window} x^p)^{1/p}`; ``norm_type`` inf is the max of :math:`|x|`, -inf the min.

    Like PyTorch, windows never pad, and a negative window sum (odd p) becomes 0 before the root.
    """
    kd, kh, kw = _ntuple(kernel_size, 3, "kernel_size")
    if norm_type == math.inf:
        return max_pool3d(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -math.inf:
        return -max_pool3d(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = avg_pool3d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kd * kh * kw).pow(1.0 / norm_type)


class MaxUnpool3D(MaxUnpool):
    node_name = "MaxUnpool3DBackward0"


def _unpool3d_size(input, ksize, stride, padding, output_size):
    default = [(input.shape[-3 + d] - 1) * stride[d] + ksize[d] - 2 * padding[d] for d in range(3)]
    if output_size is None:
        out = default
    else:
        if len(output_size) == 5:
            output_size = output_size[2:]
        out = [int(s) for s in output_size]
        if len(out) != 3:
            raise ValueError(f"output_size should be a sequence containing 3 or 5 elements, but it has a length "
                             f"of '{len(out)}'")
        for d in range(3):
            lo, hi = default[d] - stride[d], default[d] + stride[d]
            if not lo < out[d] < hi:
                raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between {lo} and {hi})')
    for d, s in enumerate(out):
        if s < 0:
            raise ValueError(f"max_unpooling: output_size must contain non-negative spatial dimensions, but got "
                             f"output_size[{d}]={s}")
    return tuple(out)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    r"""Partial inverse of ``max_pool3d(..., return_indices=True)``: each value of (N, C, D, H, W) or
    (C, D, H, W) ``input`` goes to its flat D*H*W position ``indices`` in a zero output of
    :math:`D_{out} = (D - 1) \cdot stride - 2 \cdot padding + kernel` (or ``output_size``)."""
    ksize = _ntuple(kernel_size, 3, "kernel_size")
    stride = ksize if stride is None else _ntuple(stride, 3, "stride")
    padding = _ntuple(padding, 3, "padding")
    out_sz = _unpool3d_size(input, ksize, stride, padding, output_size)
    if input.ndim not in (4, 5):
        raise RuntimeError(f"Input to max_unpooling3d should be a 4d or 5d Tensor, but got a tensor with "
                           f"{input.ndim} dimensions.")
    if not isinstance(indices, Tensor) or indices.dtype.name != "int64":
        raise RuntimeError("elements in indices should be type int64 (pass the indices that "
                           "max_pool3d(..., return_indices=True) returned)")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({list(input.shape)}) "
                           f"but got indices tensor with shape: {list(indices.shape)}")
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"strides should be greater than zero, but got stride: {list(stride)}")
    idx = indices._data
    size = math.prod(out_sz)
    bad = (idx < 0) | (idx >= size)
    if idx.size and bool(bad.any()):
        first = int(idx.reshape(-1)[int(xp_of(idx).argmax(bad.reshape(-1)))])
        raise RuntimeError(f"Found an invalid max index: {first} (output volumes are of size "
                           f"{'x'.join(map(str, out_sz))})")
    return MaxUnpool3D.apply(input, indices, out_sz)
