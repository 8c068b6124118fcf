"""Lower-level names that ``torch`` exposes beside its ``nn.functional`` API, each a thin form of an Ember op:

``constant_pad_nd``, ``convolution``, ``conv_tbc`` (also ``F.conv_tbc``), ``native_layer_norm``,
``native_batch_norm`` (with PyTorch's saved-statistics tuples), ``grid_sampler_2d``, ``ctc_loss`` (integer
``reduction``), the in-place ``alpha_dropout_`` / ``feature_alpha_dropout_`` / ``feature_dropout_`` /
``rrelu_`` (also ``F.rrelu_``), and ``F.pdist`` (the same function as ``torch.pdist``).
"""

__all__ = ["constant_pad_nd", "convolution", "conv_tbc", "native_layer_norm", "native_batch_norm",
           "grid_sampler_2d", "ctc_loss", "alpha_dropout_", "feature_alpha_dropout_", "feature_dropout_", "rrelu_"]
__functional__ = ["conv_tbc", "rrelu_", "pdist"]

from ._util import Tensor
from .activation import _alpha_dropout_impl, _check_p, _dropout_impl, rrelu
from .conv import conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d
from .grid_sample import grid_sampler
from .loss import ctc_loss as _ctc_loss
from .norm import batch_norm, layer_norm
from .pad import pad as _pad
from .statistics import pdist  # noqa: F401 - F.pdist is torch.pdist

_CONV = {1: conv1d, 2: conv2d, 3: conv3d}
_CONV_T = {1: conv_transpose1d, 2: conv_transpose2d, 3: conv_transpose3d}
_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def constant_pad_nd(input, pad, value=0):
    """Pad the last len(pad) // 2 dims of ``input`` with ``value``: ``pad = (left_last, right_last,
    left_second_last, ...)``; negative amounts crop. The ``F.pad(..., mode='constant')`` kernel."""
    if len(pad) % 2:
        raise RuntimeError(f"Length of pad must be even but instead it equals {len(pad)} (pairs of (before, after) "
                           "amounts, last dim first)")
    return _pad(input, list(pad), "constant", value)


def _ints(v, nd, name, arg):
    if isinstance(v, int):
        raise TypeError(f"{name}(): argument '{arg}' must be tuple of ints, not int (write [{v}] or ({v},) * {nd})")
    t = tuple(int(s) for s in v)
    return t * nd if len(t) == 1 else t


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    """The one entry point under every conv layer: ``conv{1,2,3}d`` or, with ``transposed``,
    ``conv_transpose{1,2,3}d``, picked by ``weight.dim() - 2``. Sizes are lists (one value repeats)."""
    nd = weight.dim() - 2
    if nd not in _CONV:
        raise RuntimeError(f"convolution: expected a 3-D, 4-D or 5-D weight (1, 2 or 3 spatial dims), got weight "
                           f"of size {list(weight.shape)}")
    if input.dim() != nd + 2:
        raise RuntimeError(f"Expected {nd + 2}-dimensional input for {nd + 2}-dimensional weight "
                           f"{list(weight.shape)}, but got {input.dim()}-dimensional input of size "
                           f"{list(input.shape)} instead")
    stride, padding, dilation, output_padding = (_ints(v, nd, "convolution", a) for v, a in (
        (stride, "stride"), (padding, "padding"), (dilation, "dilation"), (output_padding, "output_padding")))
    if transposed:
        return _CONV_T[nd](input, weight, bias, stride, padding, output_padding, groups, dilation)
    return _CONV[nd](input, weight, bias, stride, padding, dilation, groups)


def conv_tbc(input, weight, bias, pad=0):
    r"""1-D convolution in time-batch-channel layout: input :math:`(T, N, C_{in})`, weight
    :math:`(K, C_{in}, C_{out})`, bias :math:`(C_{out})` -> :math:`(T + 2 \cdot pad - K + 1, N, C_{out})`."""
    if not isinstance(bias, Tensor):
        raise TypeError(f"conv_tbc(): argument 'bias' (position 3) must be Tensor, not {type(bias).__name__}")
    if input.dim() != 3:
        raise RuntimeError("Input must have 3 dims: time, batch, in_channel")
    if weight.dim() != 3:
        raise RuntimeError("Weight tensor must have 3 dims: kernel_width, in_channels, out_channels.")
    if bias.dim() != 1:
        raise RuntimeError("Bias must be 1-D")
    if bias.shape[0] != weight.shape[2]:
        raise RuntimeError("Bias size must equal dim 2 in the weight tensor (output channels).")
    if input.shape[2] != weight.shape[1]:
        raise RuntimeError("Input dim 2 (input channels) is not == dim 1 in the weight tensor")
    t_out = input.shape[0] + 2 * pad - weight.shape[0] + 1
    if t_out < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {t_out}: "
                           f"[{t_out}, {input.shape[1]}, {weight.shape[2]}] (conv_tbc: the kernel width "
                           f"{weight.shape[0]} exceeds time {input.shape[0]} + 2 * pad {pad})")
    # (T, N, C) -> (N, C, T) and (K, Cin, Cout) -> (Cout, Cin, K): a plain conv1d
    out = conv1d(input.permute(1, 2, 0), weight.permute(2, 1, 0), bias, 1, pad)
    return out.permute(2, 0, 1).contiguous()


def native_layer_norm(input, normalized_shape, weight, bias, eps):
    """``layer_norm`` returning ``(output, mean, rstd)``: the per-row mean and 1/sqrt(var + eps) (biased
    variance) over the normalised dims, shaped like the input with those dims kept as 1."""
    out = layer_norm(input, normalized_shape, weight, bias, eps)
    k = 1 if isinstance(normalized_shape, int) else len(normalized_shape)
    mean, rstd = _stats(input, tuple(range(input.dim() - k, input.dim())), eps, keepdim=True)
    return out, mean, rstd


def _stats(input, dims, eps, keepdim):
    """Mean and 1/sqrt(biased var + eps) over ``dims``, without a graph (PyTorch returns them detached)."""
    x = input.detach()
    acc = x.float() if x.dtype.name in ("float16", "bfloat16") else x   # reduced types keep float32 stats
    mean = acc.mean(dims, keepdim=keepdim)
    var = (acc - acc.mean(dims, keepdim=True)).pow(2).mean(dims, keepdim=keepdim)
    return mean, (var + eps).rsqrt()


def native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """``batch_norm`` returning ``(output, save_mean, save_invstd)``: in training the batch mean and
    1/sqrt(biased var + eps) per channel (C,), and the running statistics are updated; in evaluation two
    empty tensors."""
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("native_batch_norm: running_mean and running_var must be given when training=False "
                           "(evaluation normalises with them); pass training=True to use the batch statistics")
    if training:
        mean, invstd = _stats(input, (0,) + tuple(range(2, input.dim())), eps, keepdim=False)
    out = batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
    if not training:
        return out, input.new_empty((0,)), input.new_empty((0,))
    return out, mean, invstd


def grid_sampler_2d(input, grid, interpolation_mode, padding_mode, align_corners):
    """``grid_sampler`` for 4-D input only: modes as integers (0 bilinear / 1 nearest / 2 bicubic; paddings
    0 zeros / 1 border / 2 reflection)."""
    if input.dim() != 4 or grid.dim() != 4:
        raise RuntimeError(f"grid_sampler(): expected 4D input and grid with same number of dimensions, but got "
                           f"input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)} "
                           "(grid_sampler_2d is the 2-D kernel: use grid_sampler for 5-D input)")
    return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=1, zero_infinity=False):
    """``F.ctc_loss`` with PyTorch's integer ``reduction``: 0 none, 1 mean, 2 sum."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"ctc_loss: reduction must be 0 (none), 1 (mean) or 2 (sum), got {reduction!r}")
    return _ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, _REDUCTIONS[reduction],
                     zero_infinity)


def alpha_dropout_(input, p, train):
    """In-place ``alpha_dropout``: returns ``input``, changed when ``train`` and p > 0."""
    out = _alpha_dropout_impl(input, p, train, False)
    return input if out is input else input.copy_(out)


def feature_alpha_dropout_(input, p, train):
    """In-place ``feature_alpha_dropout`` (whole channels of (N, C, *) at once)."""
    out = _alpha_dropout_impl(input, p, train, True)
    return input if out is input else input.copy_(out)


def feature_dropout_(input, p, train):
    """In-place ``feature_dropout``: zero whole channels of (N, C, *) with probability p, scale the rest."""
    _check_p(p)
    return _dropout_impl(input, p, train, True, True)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """In-place ``rrelu``: negative values times a slope ~ U(lower, upper) (training) or their mean."""
    return rrelu(input, lower, upper, training, True)

