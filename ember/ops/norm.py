"""Normalisation: ``batch_norm layer_norm group_norm instance_norm local_response_norm``.

All four share one fused op: normalise ``x`` over some axes (after an optional
reshape, for groups), then apply a per-channel or elementwise affine map. The
backward is the closed form
``dx = invstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))``
(or ``dxhat * invstd`` when the statistics are constants, as in eval mode),
one pass of array math instead of autograd through a dozen small ops.
"""

__all__ = ['batch_norm', 'layer_norm', 'group_norm', 'instance_norm']
__functional__ = ['batch_norm', 'layer_norm', 'group_norm', 'instance_norm', 'local_response_norm']

import math

from ._fused import GradOp, fused_grads, pack
from ._util import Op, Tensor, xp_of


class NormGrad(GradOp):
    node_name = "NativeBatchNormBackwardBackward0"

    @staticmethod
    def forward(ctx, g, xhat, invstd, w, spec, *, needs):
        stat_shape, stat_axes, aff_shape, aff_axes, batch_stats = spec
        gx = gw = gb = None
        if needs[0]:
            gxh = g * w.reshape(aff_shape) if w is not None else g
            if batch_stats:
                gv = gxh.reshape(stat_shape)
                xv = xhat.reshape(stat_shape)
                gx = (gv - gv.mean(axis=stat_axes, keepdims=True)
                      - xv * (gv * xv).mean(axis=stat_axes, keepdims=True)) * invstd
                gx = gx.reshape(g.shape)
            else:
                gx = (gxh.reshape(stat_shape) * invstd).reshape(g.shape)
        if needs[1]:
            gw = (g * xhat).sum(axis=aff_axes).reshape(w.shape)
        if needs[2]:
            gb = g.sum(axis=aff_axes).reshape(w.shape if w is not None else (-1,))
        return pack(needs, gx, gw, gb)


class _Norm(Op):
    """y = normalise(x over spec's axes) * w + b. ``mean``/``invstd`` given -> constants (eval mode)."""

    @staticmethod
    def forward(ctx, x, w, b, spec, eps, mean=None, var=None):
        stat_shape, stat_axes, aff_shape, _, batch_stats = spec
        xp = xp_of(x)
        xv = x.reshape(stat_shape)
        if batch_stats:
            mean = xv.mean(axis=stat_axes, keepdims=True)
            xc = xv - mean
            var = (xc * xc).mean(axis=stat_axes, keepdims=True)
        else:
            bshape = (1, -1) + (1,) * (len(stat_shape) - 2)   # running stats are per channel (C,)
            mean = mean.reshape(bshape).astype(x.dtype, copy=False)
            var = var.reshape(bshape).astype(x.dtype, copy=False)
            if not any(ctx.needs_input_grad):
                # eval inference: fold everything into a per-channel scale and shift, two passes over x
                # instead of four (PyTorch's CPU kernel computes this same x * alpha + beta)
                scale = (1.0 / xp.sqrt(var + eps)).astype(x.dtype, copy=False)
                if w is not None:
                    scale = scale * w.reshape(bshape)
                shift = -mean * scale
                if b is not None:
                    shift = shift + b.reshape(bshape)
                y = xv * scale
                y += shift
                ctx.stats = (mean, var)
                return y.reshape(x.shape)
            xc = xv - mean
        invstd = (1.0 / xp.sqrt(var + eps)).astype(x.dtype, copy=False)
        xhat = (xc * invstd).reshape(x.shape)
        y = xhat
        if w is not None:
            y = y * w.reshape(aff_shape)
        if b is not None:
            y = y + b.reshape(aff_shape)
        elif w is None:
            y = y.copy() if y is xhat else y
        ctx.spec = spec
        ctx.stats = (mean, var)   # read by the functional wrappers to update running statistics
        ctx.save_for_backward(xhat, invstd, w)
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        xhat, invstd, w = ctx.saved_tensors
        needs = tuple(ctx.needs_input_grad[:3]) + (False,) * (3 - len(ctx.needs_input_grad[:3]))
        return fused_grads(NormGrad, needs, g, xhat, invstd, w, ctx.spec)


class BatchNormOp(_Norm):
    node_name = "NativeBatchNormBackward0"


class LayerNormOp(_Norm):
    node_name = "NativeLayerNormBackward0"


class GroupNormOp(_Norm):
    node_name = "NativeGroupNormBackward0"


def _update_running(running, new, momentum):
    """running <- (1 - momentum) * running + momentum * new, in place (PyTorch updates the buffers in place)."""
    d = running._data
    d *= (1.0 - momentum)
    d += (momentum * new).astype(d.dtype, copy=False)
    running._version[0] += 1


def _check_tensor(name, arg, t):
    if t is not None and not isinstance(t, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' must be Tensor, not {type(t).__name__}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-05):
    """Normalise (N, C, *) per channel C over N and *; in training also update the running statistics
    (``running = (1 - momentum) * running + momentum * batch_stat``, variance unbiased); in eval use them."""
    _check_tensor("batch_norm", "input", input)
    if input.ndim < 2:
        raise ValueError(f"expected 2D or 3D input (got {input.ndim}D input)")
    c = input.shape[1]
    for nm, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                  ("bias", bias)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{nm} should contain {c} elements not {t.numel()}")
    n = input.numel() // c
    if training and n <= 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.shape}")
    nd = input.ndim
    axes = (0,) + tuple(range(2, nd))
    aff = (1, c) + (1,) * (nd - 2)
    if training or running_mean is None:
        spec = (tuple(input.shape), axes, aff, axes, True)
        out = BatchNormOp.apply(input, weight, bias, spec, eps)
        if training and running_mean is not None:
            xd = input._data
            mean = xd.mean(axis=axes)
            var = xd.var(axis=axes) * (n / (n - 1))
            _update_running(running_mean, mean, momentum)
            _update_running(running_var, var, momentum)
        return out
    spec = (tuple(input.shape), axes, aff, axes, False)
    return BatchNormOp.apply(input, weight, bias, spec, eps, running_mean._data, running_var._data)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """Normalise over the trailing ``normalized_shape`` dims of (*, *normalized_shape), then an
    elementwise affine map with ``weight``/``bias`` of shape ``normalized_shape``."""
    _check_tensor("layer_norm", "input", input)
    ns = (int(normalized_shape),) if isinstance(normalized_shape, int) else tuple(int(s) for s in normalized_shape)
    k = len(ns)
    if k == 0 or tuple(input.shape[input.ndim - k:]) != ns or input.ndim < k:
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape "
                           f"[*, {', '.join(map(str, ns))}], but got input of size{list(input.shape)}")
    for nm, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != ns:
            raise RuntimeError(f"Expected {nm} to be of same shape as normalized_shape, but got {nm} of shape "
                               f"{list(t.shape)} and normalized_shape = {list(ns)}")
    lead = tuple(input.shape[:input.ndim - k])
    stat_shape = lead + (math.prod(ns),)
    axes = (len(lead),)
    spec = (stat_shape, axes, ns, tuple(range(len(lead))), True)
    return LayerNormOp.apply(input, weight, bias, spec, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    """Split the C channels of (N, C, *) into ``num_groups`` groups and normalise each (sample, group);
    per-channel affine."""
    _check_tensor("group_norm", "input", input)
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.ndim}")
    n, c = input.shape[:2]
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {list(input.shape)} and num_groups={num_groups}")
    nd = input.ndim
    spec = ((n, num_groups, -1), (2,), (1, c) + (1,) * (nd - 2), (0,) + tuple(range(2, nd)), True)
    return GroupNormOp.apply(input, weight, bias, spec, eps)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-05):
    """Normalise every (sample, channel) of (N, C, *) over its spatial dims; per-channel affine."""
    _check_tensor("instance_norm", "input", input)
    n, c = input.shape[:2]
    nd = input.ndim
    sp = math.prod(input.shape[2:])
    if use_input_stats and sp <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
    aff = (1, c) + (1,) * (nd - 2)
    affine_axes = (0,) + tuple(range(2, nd))
    if use_input_stats:
        spec = ((n, c, -1), (2,), aff, affine_axes, True)
        out = BatchNormOp.apply(input, weight, bias, spec, eps)
        if running_mean is not None:
            xd = input._data.reshape(n, c, -1)
            _update_running(running_mean, xd.mean(axis=2).mean(axis=0), momentum)
            _update_running(running_var, (xd.var(axis=2) * (sp / (sp - 1))).mean(axis=0), momentum)
        return out
    spec = ((n, c, -1), (2,), aff, affine_axes, False)
    return BatchNormOp.apply(input, weight, bias, spec, eps, running_mean._data, running_var._data)


def local_response_norm(input, size, alpha=0.0001, beta=0.75, k=1.0):
    """Normalise each element by the sum of squares over ``size`` neighbouring channels of (N, C, *)."""
    from .pool import avg_pool2d, avg_pool3d
    from .pad import pad
    dim = input.ndim
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div = (input * input).unsqueeze(1)
    if dim == 3:
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.shape
        div = div.reshape(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.reshape(sizes)
    div = (div * alpha + k) ** beta
    return input / div
