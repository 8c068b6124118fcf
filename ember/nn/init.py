"""``nn.init``: in-place weight initialisers, with PyTorch's formulas and order of random draws.

All of them run under ``no_grad`` and return the tensor they filled. The random
ones draw through ``Tensor.uniform_`` / ``normal_`` (PyTorch's generator stream),
so a layer built after ``manual_seed`` gets PyTorch's initial weights.
"""
import math
import warnings

from .._tensor import Tensor
from ..autograd.grad_mode import no_grad

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_",
           "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_",
           "sparse_", "uniform", "normal", "constant", "xavier_uniform", "xavier_normal", "kaiming_uniform",
           "kaiming_normal", "orthogonal", "sparse"]


def _draw(tensor, kind, a, b, generator):
    """``tensor.uniform_(a, b)`` / ``tensor.normal_(a, b)`` through Ember's PyTorch-exact generator."""
    _ensure_random_ops()
    method = getattr(tensor, kind + "_")
    if generator is not None:
        return method(a, b, generator=generator)
    return method(a, b)


def _ensure_random_ops():
    # Tensor.uniform_/normal_ are attached by ember.ops.random (imported with ember; importing it here keeps
    # nn.init on PyTorch's stream even when used on its own).
    from ..ops import random as _random_ops  # noqa: F401,WPS433


def calculate_gain(nonlinearity, param=None):
    r"""The recommended gain for a nonlinearity (``'relu'`` -> sqrt(2), ``'tanh'`` -> 5/3, ...)."""
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                  "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    dimensions = tensor.dim()
    if dimensions < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    num_input_fmaps = tensor.size(1)
    num_output_fmaps = tensor.size(0)
    receptive_field_size = 1
    if tensor.dim() > 2:
        for s in tensor.shape[2:]:
            receptive_field_size *= s
    return num_input_fmaps * receptive_field_size, num_output_fmaps * receptive_field_size


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    r"""Fill ``tensor`` with values drawn from U(a, b)."""
    with no_grad():
        return _draw(tensor, "uniform", a, b, generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    r"""Fill ``tensor`` with values drawn from N(mean, std²)."""
    with no_grad():
        return _draw(tensor, "normal", mean, std, generator)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    r"""Fill ``tensor`` from N(mean, std²) truncated to [a, b].

    PyTorch 2.13's sampler, draw for draw: when the interval holds more than 30 % of the mass, normal draws
    with every out-of-range element redrawn (a whole fresh tensor per round); otherwise uniform candidates on
    [a, b] accepted with probability pdf / pdf(mode).
    """
    def norm_cdf(x):
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    if (mean < a - 2 * std) or (mean > b + 2 * std):
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values "
                      "may be incorrect.", stacklevel=2)
    _ensure_random_ops()
    from .. import where  # noqa: WPS433
    with no_grad():
        p = norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std)
        if p > 0.3:
            lo = tensor.new_tensor(a, device="cpu").item()
            hi = tensor.new_tensor(b, device="cpu").item()
            result = _draw(tensor, "normal", mean, std, generator)
            while True:
                mask = (result < lo) | (result > hi)
                if not mask.any():
                    break
                result = where(mask, _draw(result.new_empty(result.shape), "normal", mean, std, generator), result)
            if tensor is not result:
                tensor.copy_(result)
            return tensor
        mode = max(a, min(mean, b))
        log_peak = -0.5 * ((mode - mean) / std) ** 2
        candidates = tensor.new_empty(tensor.shape)
        accept_buf = tensor.new_empty(tensor.shape)
        _draw(tensor, "uniform", a, b, generator)
        candidates.copy_(tensor)
        candidates.sub_(mean).div_(std).pow_(2).mul_(-0.5).sub_(log_peak)
        pending = _draw(accept_buf, "uniform", 0.0, 1.0, generator).log_().gt(candidates)
        if pending.any():
            result = tensor
            while True:
                _draw(candidates, "uniform", a, b, generator)
                result = where(pending, candidates, result)
                candidates.sub_(mean).div_(std).pow_(2).mul_(-0.5).sub_(log_peak)
                pending = where(pending, _draw(accept_buf, "uniform", 0.0, 1.0, generator).log_().gt(candidates),
                                pending)
                if not pending.any():
                    break
            tensor.copy_(result)
        return tensor


def constant_(tensor, val):
    r"""Fill ``tensor`` with ``val``."""
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor):
    return constant_(tensor, 1.0)


def zeros_(tensor):
    with no_grad():
        return tensor.zero_()


def eye_(tensor):
    r"""Fill the 2-D ``tensor`` with the identity matrix."""
    if tensor.ndimension() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    with no_grad():
        d = tensor._data
        d[...] = tensor._xp().eye(d.shape[0], d.shape[1], dtype=d.dtype)
        tensor._version[0] += 1
    return tensor


def dirac_(tensor, groups=1):
    r"""Fill the {3, 4, 5}-D ``tensor`` with the Dirac delta (convolution that preserves its input)."""
    dimensions = tensor.ndimension()
    if dimensions not in [3, 4, 5]:
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor.size()
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_chans_per_grp = sizes[0] // groups
    min_dim = min(out_chans_per_grp, sizes[1])
    with no_grad():
        d = tensor._data
        d[...] = 0
        for g in range(groups):
            for dim in range(min_dim):
                centre = tuple(s // 2 for s in d.shape[2:])
                d[(g * out_chans_per_grp + dim, dim) + centre] = 1
        tensor._version[0] += 1
    return tensor


def xavier_uniform_(tensor, gain=1.0, generator=None):
    r"""Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    r"""Glorot normal: N(0, std²) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    r"""He uniform: U(-bound, bound) with bound = gain * sqrt(3 / fan_mode)."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    r"""He normal: N(0, std²) with std = gain / sqrt(fan_mode)."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    return normal_(tensor, 0, std, generator)


def orthogonal_(tensor, gain=1, generator=None):
    r"""Fill ``tensor`` (≥ 2-D) with a (semi-)orthogonal matrix: Q of the QR of a normal matrix, each column
    multiplied by the sign of R's diagonal (PyTorch's convention), computed in the tensor's dtype.

    The normal draws are PyTorch's; Q comes from NumPy's LAPACK, which may differ from PyTorch's (MKL) in the
    last bit of some elements.
    """
    if tensor.ndimension() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.size(0)
    cols = tensor.numel() // rows
    with no_grad():
        flat = _draw(tensor.new_empty((rows, cols)), "normal", 0.0, 1.0, generator)
        xp = tensor._xp()
        a = flat._data.T if rows < cols else flat._data
        q, r = xp.linalg.qr(a)
        q = q * xp.sign(xp.diag(r, 0)).astype(q.dtype)
        if rows < cols:
            q = q.T
        tensor._data[...] = q.reshape(tensor._data.shape).astype(tensor._data.dtype, copy=False)
        tensor._version[0] += 1
        tensor.mul_(gain)
    return tensor


def sparse_(tensor, sparsity, std=0.01, generator=None):
    r"""Fill the 2-D ``tensor`` from N(0, std²) with a fraction ``sparsity`` of each column set to zero.

    As PyTorch, the zeroed rows come from ``randperm(rows)`` on the global generator for each column.
    """
    if tensor.ndimension() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    from .. import randperm  # noqa: WPS433
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    with no_grad():
        normal_(tensor, 0, std, generator)
        for col_idx in range(cols):
            row_indices = randperm(rows)
            tensor[row_indices[:num_zeros], col_idx] = 0
    return tensor


def _deprecated(meth):
    old_name = meth.__name__[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{meth.__name__}`.",
                      FutureWarning, stacklevel=2)
        return meth(*args, **kwargs)
    deprecated_init.__name__ = old_name
    return deprecated_init


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
