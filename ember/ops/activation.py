"""Activation functions, softmax family, linear/bilinear, dropout, and distance functions.

Pointwise activations are one ``Op`` each (forward on arrays, backward on
Tensors so that double backward works), named as PyTorch names their nodes
(``ReluBackward0``, ``GeluBackward0`` ...). Functions PyTorch itself builds
from other ops (``softsign``, ``tanhshrink``, ``normalize``, ``dropout``) are
composed the same way here, so their ``grad_fn`` matches too.
"""
import math

import numpy as np
import warnings

from .. import _autocast
from .. import _dtype as D
from ..autograd.function import _NO_GRAD_CTX
from ._util import GradMode, Op, Tensor, _wrap_dim, as_float_array, tensor_method, xp_of
from .inplace import apply_inplace
from .reduction import _torch_sum
from .unary import _erf64
from .linalg import Addmm as _Addmm, Mm as _Mm, transposed_weight as _transposed_weight

__all__ = ["relu", "relu_", "selu", "selu_", "celu", "celu_", "threshold", "threshold_", "prelu", "softmax",
           "log_softmax", "dropout", "dropout_", "feature_dropout", "alpha_dropout", "feature_alpha_dropout",
           "cosine_similarity", "pairwise_distance", "hardshrink", "bilinear", "rrelu"]

__functional__ = ["relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "elu", "elu_", "selu", "selu_", "celu",
                  "celu_", "gelu", "silu", "mish", "softplus", "softsign", "hardtanh", "hardtanh_", "hardsigmoid",
                  "hardswish", "threshold", "threshold_", "logsigmoid", "tanhshrink", "softshrink", "hardshrink",
                  "prelu", "rrelu", "glu", "sigmoid", "tanh", "softmax", "log_softmax", "softmin", "normalize",
                  "cosine_similarity", "pairwise_distance", "linear", "bilinear", "dropout", "dropout1d",
                  "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]


def _float(x):
    return as_float_array(x)


def _is_half(a):
    """float16 / bfloat16 (ml_dtypes' bfloat16 is kind 'V')."""
    return a.dtype.itemsize == 2 and a.dtype.kind in "fV"


def _opmath(x):
    """float16/bfloat16 arrays as float32, as PyTorch's CPU kernels compute them (the result is rounded back)."""
    return x.astype(np.float32) if _is_half(x) else x


def _f32(v):
    """A Python number as PyTorch's reduced-float kernels hold it: ``scalar.to<float>()``."""
    return float(np.float32(v))


# ----------------------------------------------------------------------------- pointwise activations
class Relu(Op):
    @staticmethod
    def forward(ctx, x):
        y = xp_of(x).maximum(x, 0)     # NaN propagates, as in PyTorch
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        return ThresholdBackward.apply(g, y)

    @staticmethod
    def backward_data(ctx, g):
        y, = ctx.saved_data
        return ThresholdBackward.forward(_NO_GRAD_CTX, g, y)


class ThresholdBackward(Op):
    """PyTorch's threshold_backward(grad, result, 0): the gradient where the result is positive, else 0.

    One node and one NumPy call (relu's backward runs once per layer per step);
    it is linear in the gradient, so its own backward is itself.
    """

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(y)
        xp = xp_of(g)
        on = y > 0
        if g.size <= 1024:                          # small: a masked copy, no finiteness check needed
            out = xp.zeros(g.shape, g.dtype)
            xp.copyto(out, g, where=on)
            return out
        out = xp.multiply(g, on, dtype=g.dtype)     # 10x faster than where() for large activations
        if not xp.isfinite(out).all():              # inf/nan in g where relu was off: PyTorch gives 0 there
            out = xp.where(on, g, g.dtype.type(0))
        return out

    @staticmethod
    def backward(ctx, gg):
        y, = ctx.saved_tensors
        return ThresholdBackward.apply(gg, y), None


_new = object.__new__
_ZEROS = {np.dtype(t): t(0) for t in (np.float32, np.float64, np.float16)}   # max(x, 0) without a cast


def _wrap_array(out):
    t = _new(Tensor)
    t._data, t._version, t._requires_grad, t._grad_fn = out, [0], False, None
    return t


@tensor_method("relu")
def relu(input, inplace=False):
    r"""relu(input, inplace=False) -> Tensor: max(0, x) elementwise."""
    if inplace:
        return relu_(input)
    x = input._data
    if input._requires_grad and GradMode.enabled:
        return Relu._apply_with_grad((input,), [x], {})     # one Tensor: nothing for apply() to sort out
    if type(x) is np.ndarray:       # hot path: no graph
        zero = _ZEROS.get(x.dtype)
        if zero is None:
            zero = x.dtype.type(0)
        return _wrap_array(np.maximum(x, zero) if x.ndim else np.asarray(np.maximum(x, zero)))
    return Relu.apply(input)


@tensor_method("relu_")
def relu_(input):
    base = input._base
    if not GradMode.enabled or not (input._requires_grad or (base is not None and base._requires_grad)):
        xp_of(input._data).maximum(input._data, 0, out=input._data)    # no history to record: clamp in place
        input._version[0] += 1
        return input
    return apply_inplace(input, Relu.apply, "relu_")


class LeakyRelu(Op):
    @staticmethod
    def forward(ctx, x, slope):
        x = _float(x)
        ctx.slope = slope
        ctx.save_for_backward(x)
        if _is_half(x):     # float32 x * float32(slope), rounded once
            w = _opmath(x)
            return xp_of(x).where(w > 0, w, w * np.float32(slope)).astype(x.dtype)
        return xp_of(x).where(x > 0, x, x * x.dtype.type(slope))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        if _is_half(x._data):   # leaky_relu_backward in float32, rounded once
            gf = g.float()
            return gf.where(x > 0, gf * _f32(ctx.slope)).to(g.dtype)
        return g.where(x > 0, g * ctx.slope)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    r"""x if x > 0 else negative_slope * x."""
    if inplace:
        return leaky_relu_(input, negative_slope)
    return LeakyRelu.apply(input, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return apply_inplace(input, lambda s: LeakyRelu.apply(s, negative_slope), "leaky_relu_")


class Elu(Op):
    """ELU family: scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1))."""
    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale, is_result=False):
        x = _float(x)
        xp = xp_of(x)
        t = x.dtype.type
        ctx.p = (alpha, scale, input_scale)
        if _is_half(x):     # PyTorch's reduced-float kernel: float32 coefficients, one rounding at the end
            w = _opmath(x)
            f = np.float32
            neg = xp.expm1(w * f(input_scale)) * (f(alpha) * f(scale))
            y = xp.where(w > 0, w * f(scale), neg).astype(x.dtype)
            ctx.is_result = is_result      # in place, PyTorch's backward (EluBackward1) uses the result
            ctx.save_for_backward(y if is_result else x)
            return y
        ctx.is_result = False
        ctx.save_for_backward(x)
        neg = xp.expm1(x * t(input_scale)) * t(alpha * scale)
        return xp.where(x > 0, x * t(scale), neg)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        alpha, scale, input_scale = ctx.p
        if _is_half(x._data):   # elu_backward in float32: g * input_scale * negcoef * exp(x * input_scale)
            gf, xf, iscale = g.float(), x.float(), _f32(input_scale)
            negcoef = _f32(np.float32(alpha) * np.float32(scale))
            if ctx.is_result:   # x is the (rounded) result: g * input_scale * (y + negcoef)
                neg = gf * iscale * (xf + negcoef)
            else:
                neg = gf * iscale * negcoef * (xf * iscale).exp()
            return neg.where(xf <= 0, gf * _f32(scale)).to(g.dtype)     # NaN x: the positive side, as PyTorch
        return (g * scale).where(x > 0, g * (x * input_scale).exp() * (input_scale * scale * alpha))


class Celu(Elu):
    pass


def elu(input, alpha=1.0, inplace=False):
    r"""x if x > 0 else alpha * (exp(x) - 1)."""
    if inplace:
        return elu_(input, alpha)
    return Elu.apply(input, alpha, 1.0, 1.0)


def elu_(input, alpha=1.0):
    return apply_inplace(input, lambda s: Elu.apply(s, alpha, 1.0, 1.0, True), "elu_")


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@tensor_method("selu")
def selu(input, inplace=False):
    r"""scale * elu(x, alpha) with the self-normalising constants."""
    if inplace:
        return selu_(input)
    return Elu.apply(input, _SELU_ALPHA, _SELU_SCALE, 1.0)


@tensor_method("selu_")
def selu_(input):
    return apply_inplace(input, lambda s: Elu.apply(s, _SELU_ALPHA, _SELU_SCALE, 1.0, True), "selu_")


def celu(input, alpha=1.0, inplace=False):
    r"""max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    if inplace:
        return celu_(input, alpha)
    return Celu.apply(input, alpha, 1.0, 1.0 / alpha)


def celu_(input, alpha=1.0):
    return apply_inplace(input, lambda s: Celu.apply(s, alpha, 1.0, 1.0 / alpha, True), "celu_")


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


class Gelu(Op):
    @staticmethod
    def forward(ctx, x, approximate):
        x = _float(x)
        xp = xp_of(x)
        ctx.approximate = approximate
        ctx.save_for_backward(x)
        w = _opmath(x)
        t = w.dtype.type
        if approximate == "tanh":
            inner = (w + w * w * w * t(0.044715)) * t(_SQRT_2_OVER_PI)
            return (w * t(0.5) * (xp.tanh(inner) + t(1))).astype(x.dtype, copy=False)
        return (w * t(0.5) * (_erf(xp, w * t(1 / math.sqrt(2.0))) + t(1))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        if ctx.approximate == "tanh":
            inner = (x + x * x * x * 0.044715) * _SQRT_2_OVER_PI
            th = inner.tanh()
            d_inner = (x * x * (3 * 0.044715) + 1) * _SQRT_2_OVER_PI
            return g * ((th + 1) * 0.5 + x * 0.5 * (1 - th * th) * d_inner)
        cdf = ((x * (1 / math.sqrt(2.0))).erf() + 1) * 0.5
        pdf = (x * x * -0.5).exp() * (1 / math.sqrt(2 * math.pi))
        return g * (cdf + x * pdf)


def _erf(xp, a):
    """erf on arrays: Ember's own float64-accurate erf (NumPy has none; SciPy is not a dependency)."""
    return _erf64(a.astype(np.float64, copy=False), xp).astype(a.dtype, copy=False)


def gelu(input, approximate="none"):
    r"""x * Phi(x) (``approximate='tanh'``: the tanh approximation)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh. (got {approximate!r})")
    return Gelu.apply(input, approximate)


class Silu(Op):
    @staticmethod
    def forward(ctx, x):
        x = _float(x)
        ctx.save_for_backward(x)
        w = _opmath(x)
        return (w / (xp_of(x).exp(-w) + w.dtype.type(1))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        s = x.sigmoid()
        return g * (s * (x * (1 - s) + 1))


def silu(input, inplace=False):
    r"""x * sigmoid(x)."""
    if inplace:
        return apply_inplace(input, Silu.apply, "silu_")
    return Silu.apply(input)


def _softplus_array(xp, x, beta, threshold):
    bx = x * x.dtype.type(beta)
    # log1p(exp(bx)) computed stably: max(bx, 0) + log1p(exp(-|bx|))
    sp = (xp.maximum(bx, 0) + xp.log1p(xp.exp(-xp.abs(bx)))) / x.dtype.type(beta)
    return xp.where(bx > threshold, x, sp)


class Mish(Op):
    @staticmethod
    def forward(ctx, x):
        x = _float(x)
        xp = xp_of(x)
        ctx.save_for_backward(x)
        if _is_half(x):     # PyTorch's reduced-float kernel: float32, no softplus threshold, one rounding
            w = _opmath(x)
            return (w * xp.tanh(xp.log1p(xp.exp(w)))).astype(x.dtype)
        return x * xp.tanh(_softplus_array(xp, x, 1.0, 20.0))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        if _is_half(x._data):   # mish_backward in float32 (sigmoid as 1 / (1 + exp(-x))), rounded once
            xf = x.float()
            tsp = xf.exp().log1p().tanh()
            return (g.float() * (tsp + xf * (1 / ((-xf).exp() + 1)) * (1 - tsp * tsp))).to(g.dtype)
        tsp = softplus(x).tanh()
        return g * (tsp + x * x.sigmoid() * (1 - tsp * tsp))


def mish(input, inplace=False):
    r"""x * tanh(softplus(x))."""
    if inplace:
        return apply_inplace(input, Mish.apply, "mish_")
    return Mish.apply(input)


class Softplus(Op):
    @staticmethod
    def forward(ctx, x, beta, threshold):
        x = _float(x)
        ctx.p = (beta, threshold)
        ctx.save_for_backward(x)
        if _is_half(x):     # PyTorch's reduced-float kernel: log1p(exp(beta * x)) / beta in float32
            xp, w, b = xp_of(x), _opmath(x), np.float32(beta)
            bw = w * b
            return xp.where(bw > np.float32(threshold), w, xp.log1p(xp.exp(bw)) / b).astype(x.dtype)
        return _softplus_array(xp_of(x), x, beta, threshold)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        beta, threshold = ctx.p
        if _is_half(x._data):   # softplus_backward in float32: g * z / (z + 1), z = exp(beta * x)
            gf, bx = g.float(), x.float() * _f32(beta)
            z = bx.exp()
            return gf.where(bx > _f32(threshold), gf * z / (z + 1)).to(g.dtype)
        bx = x * beta
        return g.where(bx > threshold, g * bx.sigmoid())


def softplus(input, beta=1.0, threshold=20.0):
    r"""1/beta * log(1 + exp(beta * x)); linear where beta * x > threshold."""
    return Softplus.apply(input, beta, threshold)


def softsign(input):
    r"""x / (1 + |x|)."""
    return input / (input.abs() + 1)


class Hardtanh(Op):
    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.p = (lo, hi)
        ctx.save_for_backward(x)
        return xp_of(x).clip(x, lo, hi).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        lo, hi = ctx.p
        return g.masked_fill((x <= lo) | (x >= hi), 0)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    r"""Clamp to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return hardtanh_(input, min_val, max_val)
    return Hardtanh.apply(input, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return apply_inplace(input, lambda s: Hardtanh.apply(s, min_val, max_val), "hardtanh_")


def relu6(input, inplace=False):
    r"""min(max(0, x), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


class Hardsigmoid(Op):
    @staticmethod
    def forward(ctx, x):
        x = _float(x)
        ctx.save_for_backward(x)
        w = _opmath(x)
        t = w.dtype.type
        return (xp_of(x).clip(w + t(3), t(0), t(6)) / t(6)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return (g / 6).masked_fill((x <= -3) | (x >= 3), 0)


def hardsigmoid(input, inplace=False):
    r"""relu6(x + 3) / 6."""
    if inplace:
        return apply_inplace(input, Hardsigmoid.apply, "hardsigmoid_")
    return Hardsigmoid.apply(input)


class Hardswish(Op):
    @staticmethod
    def forward(ctx, x):
        x = _float(x)
        ctx.save_for_backward(x)
        w = _opmath(x)
        t = w.dtype.type
        return (w * xp_of(x).clip(w + t(3), t(0), t(6)) / t(6)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        mid = g * (x / 3 + 0.5)
        return mid.where(x <= 3, g).masked_fill(x < -3, 0)


def hardswish(input, inplace=False):
    r"""x * relu6(x + 3) / 6."""
    if inplace:
        return apply_inplace(input, Hardswish.apply, "hardswish_")
    return Hardswish.apply(input)


class Threshold(Op):
    @staticmethod
    def forward(ctx, x, threshold, value):
        ctx.threshold = threshold
        ctx.save_for_backward(x)
        return xp_of(x).where(x > threshold, x, value).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g.masked_fill(x <= ctx.threshold, 0)


@tensor_method("threshold")
def threshold(input, threshold, value, inplace=False):
    r"""x if x > threshold else value."""
    if inplace:
        return threshold_(input, threshold, value)
    return Threshold.apply(input, threshold, value)


@tensor_method("threshold_")
def threshold_(input, threshold, value):
    return apply_inplace(input, lambda s: Threshold.apply(s, threshold, value), "threshold_")


class LogSigmoid(Op):
    @staticmethod
    def forward(ctx, x):
        x = _float(x)
        xp = xp_of(x)
        ctx.save_for_backward(x)
        if _is_half(x):     # float32, rounded once
            w = _opmath(x)
            return (xp.minimum(w, 0) - xp.log1p(xp.exp(-xp.abs(w)))).astype(x.dtype)
        return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        if _is_half(x._data):
            # PyTorch's forward keeps buffer = exp(-|x|) rounded to the half type; its backward, in float32:
            # (1 - b / (1 + b)) * g for x < 0, else b / (1 + b) * g
            xf = x.float()
            b = (-xf.abs()).exp().to(x.dtype).float()
            d = b / (b + 1)
            return ((1 - d).where(xf < 0, d) * g.float()).to(g.dtype)
        return g * (-x).sigmoid()


def logsigmoid(input):
    r"""log(sigmoid(x)), computed stably."""
    return LogSigmoid.apply(input)


def tanhshrink(input):
    r"""x - tanh(x)."""
    return input - input.tanh()


class Softshrink(Op):
    @staticmethod
    def forward(ctx, x, lambd):
        xp = xp_of(x)
        ctx.lambd = lambd
        ctx.save_for_backward(x)
        t = x.dtype.type
        return xp.where(x > lambd, x - t(lambd), xp.where(x < -lambd, x + t(lambd), t(0)))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g.masked_fill(x.abs() <= ctx.lambd, 0)


def softshrink(input, lambd=0.5):
    r"""x - lambd if x > lambd, x + lambd if x < -lambd, else 0."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return Softshrink.apply(input, lambd)


class Hardshrink(Op):
    @staticmethod
    def forward(ctx, x, lambd):
        xp = xp_of(x)
        ctx.lambd = lambd
        ctx.save_for_backward(x)
        return xp.where(xp.abs(x) > lambd, x, x.dtype.type(0))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g.masked_fill(x.abs() <= ctx.lambd, 0)


@tensor_method("hardshrink")
def hardshrink(input, lambd=0.5):
    r"""x if |x| > lambd else 0."""
    return Hardshrink.apply(input, lambd)


class PreluKernel(Op):
    @staticmethod
    def forward(ctx, x, w):
        xp = xp_of(x)
        wb = _prelu_weight_shape(w, x.ndim)
        ctx.save_for_backward(x, w)
        return xp.where(x > 0, x, x * w.reshape(wb))

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        wb = w.reshape(_prelu_weight_shape(w._data, x.ndim))
        pos = x > 0
        gx = g.where(pos, g * wb) if ctx.needs_input_grad[0] else None
        gw = None
        if ctx.needs_input_grad[1]:
            gw_full = (g * x).masked_fill(pos, 0)
            if w.numel() == 1:
                gw = gw_full.sum().reshape(w.shape)
            else:
                dims = [d for d in range(x.ndim) if d != 1]
                gw = gw_full.sum(dims) if dims else gw_full
        return gx, gw


def _prelu_weight_shape(w, ndim):
    """PReLU's weight applies along dim 1 (channels), or everywhere when it has one element."""
    if w.size == 1 or ndim < 2:
        return (1,) * ndim if ndim else ()
    shape = [1] * ndim
    shape[1] = w.size
    return tuple(shape)


@tensor_method("prelu")
def prelu(input, weight):
    r"""x if x > 0 else weight * x (weight per channel, dim 1)."""
    if _autocast.on:
        input, weight = _autocast.lower("prelu", input, weight)
    if weight.numel() != 1:
        if input.ndim == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channel_size = input.shape[1] if input.ndim >= 2 else 1
        if channel_size != weight.numel():
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{weight.numel()} and channel size = {channel_size}.")
    return PreluKernel.apply(input, weight)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    r"""Randomized leaky ReLU: slope ~ U(lower, upper) per element in training, (lower + upper) / 2 in eval."""
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    from .. import empty  # noqa: WPS433
    slope = empty(input.shape, dtype=input.dtype, device=input.device).uniform_(lower, upper)
    slope._data[input._data > 0] = 1
    if inplace:                      # an in-place multiply keeps autograd's record (a copy_ under no_grad lost it)
        return input.mul_(slope)
    return input * slope


def glu(input, dim=-1):
    r"""a * sigmoid(b) where a, b are the two halves of ``input`` along ``dim``."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _wrap_dim(dim, input.ndim)
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    a = input.narrow(d, 0, n // 2) if hasattr(input, "narrow") else input[(slice(None),) * d + (slice(0, n // 2),)]
    b = input.narrow(d, n // 2, n // 2) if hasattr(input, "narrow") else input[(slice(None),) * d + (slice(n // 2, n),)]
    return a * b.sigmoid()


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


# ----------------------------------------------------------------------------- softmax family
def _get_softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  "as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_array(x, dim, log, half=None):
    if _is_half(x):
        # PyTorch computes half types in float32 and rounds once; its last-dim log_softmax kernel also
        # rounds the sum of exponentials and its log to the half type
        keep = x.dtype if log and dim == x.ndim - 1 else None
        return _softmax_array(_opmath(x), dim, log, keep).astype(x.dtype)
    xp = xp_of(x)
    m = x.max(axis=dim, keepdims=True) if x.size else x.sum(axis=dim, keepdims=True)
    if x.size:
        m = xp.where(xp.isfinite(m), m, 0)     # all -inf rows stay NaN-free until exp
    z = x - m
    if log:
        s = xp.exp(z).sum(axis=dim, keepdims=True)
        if half is not None:
            return z - xp.log(s.astype(half).astype(x.dtype)).astype(half).astype(x.dtype)
        return z - xp.log(s)
    e = xp.exp(z)
    e /= e.sum(axis=dim, keepdims=True)
    return e


class Softmax(Op):
    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        y = _softmax_array(x, dim, False)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        if _is_half(y._data):   # PyTorch's half kernel: (g - sum(g * y)) * y in float32, rounded once
            gf, yf = g.float(), y.float()
            return ((gf - (gf * yf).sum(ctx.dim, keepdim=True)) * yf).to(g.dtype)
        gy = g * y
        return gy - y * gy.sum(ctx.dim, keepdim=True)

    @staticmethod
    def backward_data(ctx, g):
        y, = ctx.saved_data
        if _is_half(y):
            gf, yf = _opmath(g), _opmath(y)
            return ((gf - _torch_sum(gf * yf, (ctx.dim,), True)) * yf).astype(g.dtype)
        gy = g * y
        return gy - y * _torch_sum(gy, (ctx.dim,), True)


class LogSoftmax(Op):
    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        y = _softmax_array(x, dim, True)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        if _is_half(y._data):   # PyTorch's half kernel: g - exp(y) * sum(g) in float32, rounded once
            gf = g.float()
            return (gf - y.float().exp() * gf.sum(ctx.dim, keepdim=True)).to(g.dtype)
        return g - y.exp() * g.sum(ctx.dim, keepdim=True)

    @staticmethod
    def backward_data(ctx, g):
        y, = ctx.saved_data
        if _is_half(y):
            gf = _opmath(g)
            return (gf - xp_of(y).exp(_opmath(y)) * _torch_sum(gf, (ctx.dim,), True)).astype(g.dtype)
        return g - xp_of(y).exp(y) * _torch_sum(g, (ctx.dim,), True)


def _softmax_prep(input, dim, dtype, name):
    if dtype is not None:
        input = input.to(dtype)
    elif input.dtype.is_floating_point is False:
        tn = {"softmax": "softmax_lastdim_kernel_impl", "log_softmax": "log_softmax_lastdim_kernel_impl"}[name]
        raise RuntimeError(f'"{tn}" not implemented for \'{input.dtype.legacy[:-6]}\' (softmax needs a floating '
                           "point input: call .float() on it first)")
    return input, (_wrap_dim(dim, input.ndim) if input.ndim else 0)


@tensor_method("softmax")
def softmax(input, dim=None, _stacklevel=3, dtype=None):
    r"""exp(x_i) / sum_j exp(x_j) along ``dim`` (numerically stable)."""
    if _autocast.on:
        input = _autocast.fp32_one("softmax", input)
    if dim is None:
        dim = _get_softmax_dim("softmax", input.dim(), _stacklevel)
    input, d = _softmax_prep(input, dim, dtype, "softmax")
    return Softmax.apply(input, d)


@tensor_method("log_softmax")
def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    r"""log(softmax(x)) along ``dim``, computed stably."""
    if _autocast.on:
        input = _autocast.fp32_one("log_softmax", input)
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input.dim(), _stacklevel)
    input, d = _softmax_prep(input, dim, dtype, "log_softmax")
    return LogSoftmax.apply(input, d)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    r"""softmax(-x) along ``dim``."""
    if dim is None:
        dim = _get_softmax_dim("softmin", input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return softmax(-input, dim)


# ----------------------------------------------------------------------------- linear layers
class _LinearOp(Op):
    """y = x @ W^T (+ b) for any leading shape of x, in one node (PyTorch: addmm/mm plus views)."""

    @staticmethod
    def forward(ctx, x, w, b):
        y = x @ w.T
        if b is not None:
            y += b
        ctx.save_for_backward(x, w)
        return y if y.dtype == x.dtype else y.astype(x.dtype)   # bfloat16: NumPy's product is float32

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = gw = gb = None
        out_f, in_f = w.shape
        g2 = g.reshape(-1, out_f) if g.ndim != 2 else g
        if need[0]:
            gx = _Mm.apply(g2, w)
            if g.ndim != 2:
                gx = gx.reshape(*g.shape[:-1], in_f)
        if need[1]:
            x2 = x.reshape(-1, in_f) if x.ndim != 2 else x
            gw = _Mm.apply(g2, x2, ta=True)     # g^T x, no transpose view needed
        if len(need) > 2 and need[2]:
            gb = g2.sum(0)
        return gx, gw, gb


class _ViewLinear(_LinearOp):
    node_name = "ViewBackward0"


class _UnsafeViewLinear(_LinearOp):
    node_name = "UnsafeViewBackward0"


class _SqueezeLinear(_LinearOp):
    node_name = "SqueezeBackward4"


def linear(input, weight, bias=None):
    r"""y = x W^T + b.  input (*, in_features), weight (out_features, in_features), bias (out_features)."""
    if _autocast.on:
        input, weight, bias = _autocast.lower("linear", input, weight, bias)
    x, w = input._data, weight._data
    if x.dtype != w.dtype or (bias is not None and bias._data.dtype != x.dtype):
        other = w.dtype if x.dtype != w.dtype else bias._data.dtype
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_short(x.dtype)} and "
                           f"{_short(other)} (convert one, e.g. input.float() or model.double())")
    if w.ndim != 2 or x.ndim == 0 or x.shape[-1] != w.shape[1]:
        if x.ndim == 0 or w.ndim != 2:
            raise RuntimeError(f"linear(): input and weight must have at least 1 and exactly 2 dims, got shapes "
                               f"{list(x.shape)} and {list(w.shape)}")
        rows = int(math.prod(x.shape[:-1])) if x.ndim > 1 else 1
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} and "
                           f"{w.shape[1]}x{w.shape[0]}) (the input's last dimension, {x.shape[-1]}, must equal the "
                           f"layer's in_features, {w.shape[1]}; check the previous layer's output size or flatten "
                           "the input with x.view(x.size(0), -1))")
    if x.ndim == 2:   # PyTorch's graph: AddmmBackward0 -> (bias, input, TBackward0 -> weight), or MmBackward0
        wt = _transposed_weight(weight)
        return _Addmm.apply(bias, input, wt, 1, 1) if bias is not None else _Mm.apply(input, wt)
    if x.ndim == 1 and bias is None:
        op = _SqueezeLinear
    else:
        op = _ViewLinear if bias is not None else _UnsafeViewLinear
    return op.apply(input, weight, bias)


def _short(np_dtype):
    return D._FROM_NP[np_dtype].legacy[:-6] if hasattr(D._FROM_NP[np_dtype], "legacy") else str(np_dtype)


def bilinear(input1, input2, weight, bias=None):
    r"""y_k = x1^T W_k x2 + b_k.  input1 (*, in1), input2 (*, in2), weight (out, in1, in2) -> (*, out)."""
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got {list(input1.shape[:-1])} and "
                           f"{list(input2.shape[:-1])}")
    if input1.shape[-1] != weight.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
                           f"expected {weight.shape[1]}")
    if input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
                           f"expected {weight.shape[2]}")
    tmp = input1.unsqueeze(-2).unsqueeze(-2).matmul(weight)        # (*, out, 1, in2)
    y = (tmp.squeeze(-2) * input2.unsqueeze(-2)).sum(-1)           # (*, out)
    return y + bias if bias is not None else y


# ----------------------------------------------------------------------------- dropout
def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _noise(input, shape, p):
    """Bernoulli(1 - p) keep-mask scaled by 1 / (1 - p) (PyTorch draws it with ``bernoulli_``)."""
    noise = Tensor._wrap(xp_of(input._data).empty(shape, dtype=input._data.dtype))
    noise.bernoulli_(1 - p)
    noise._data /= noise._data.dtype.type(1 - p)
    return noise


def _dropout_impl(input, p, train, inplace, feature):
    if p == 0 or not train or input.numel() == 0:
        return input
    if p == 1:
        out = input * input.new_zeros(())
        return input.copy_(out) if inplace else out
    if feature:
        if input.ndim < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    else:
        shape = tuple(input.shape)
    noise = _noise(input, shape, p)
    if inplace:
        return input.mul_(noise)
    return input * noise


@tensor_method("dropout")
def dropout(input, p=0.5, training=True, inplace=False):
    r"""Zero each element with probability ``p`` and scale the rest by 1/(1-p), when ``training``.

    Note: ``training`` defaults to True here, as in PyTorch: ``F.dropout(x)`` inside ``forward`` keeps dropping
    after ``model.eval()``; pass ``training=self.training``.
    """
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, False)


def dropout_(input, p=0.5, train=True):
    return dropout(input, p, train, True)


def feature_dropout(input, p, train):
    return _dropout_impl(input, p, train, False, True)


def _dropout_nd(input, p, training, inplace, n, name):
    _check_p(p)
    inp_dim = input.dim()
    if inp_dim not in (n + 1, n + 2):
        if n == 2:
            warnings.warn(f"dropout2d: Received a {inp_dim}-D input to dropout2d, which is deprecated and will "
                          "result in an error in a future release. To retain the behavior and silence this "
                          "warning, please use dropout instead. Note that dropout2d exists to provide channel-wise "
                          "dropout on inputs with 2 spatial dimensions, a channel dimension, and an optional batch "
                          "dimension (i.e. 3D or 4D inputs).", stacklevel=3)
        else:
            raise RuntimeError(f"{name}: Expected {n + 1}D or {n + 2}D input, but received a {inp_dim}D input. "
                               f"Note that {name} exists to provide channel-wise dropout on inputs with {n} spatial "
                               f"dimension{'s' if n > 1 else ''}, a channel dimension, and an optional batch "
                               f"dimension (i.e. {n + 1}D or {n + 2}D inputs).")
    if n == 2 and inp_dim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. "
                      "This behavior will change in a future release to interpret the input as one without a "
                      "batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, "
                      "please switch to using dropout1d instead.", stacklevel=3)
    is_batched = inp_dim == n + 2
    if not is_batched and not (n == 2 and inp_dim == 3):
        x = input.unsqueeze(0)
        out = _dropout_impl(x, p, training, inplace, True)
        return input if out is x else out.squeeze(0)
    return _dropout_impl(input, p, training, inplace, True)


def dropout1d(input, p=0.5, training=True, inplace=False):
    r"""Zero whole channels (dim 1 of (N, C, L), or dim 0 of (C, L)) with probability ``p``."""
    return _dropout_nd(input, p, training, inplace, 1, "dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False):
    r"""Zero whole channels of (N, C, H, W) / (C, H, W) inputs with probability ``p``."""
    return _dropout_nd(input, p, training, inplace, 2, "dropout2d")


def dropout3d(input, p=0.5, training=True, inplace=False):
    r"""Zero whole channels of (N, C, D, H, W) / (C, D, H, W) inputs with probability ``p``."""
    return _dropout_nd(input, p, training, inplace, 3, "dropout3d")


_ALPHA = 1.7580993408473766


def _alpha_dropout_impl(input, p, train, feature):
    _check_p(p)
    if p == 0 or not train or input.numel() == 0:
        return input
    if p == 1:
        return input * input.new_zeros(())
    shape = (tuple(input.shape[:2]) + (1,) * (input.ndim - 2)) if feature else tuple(input.shape)
    keep = Tensor._wrap(xp_of(input._data).empty(shape, dtype=input._data.dtype))
    keep.bernoulli_(1 - p)
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    k = keep._data
    b = Tensor._wrap((k - 1) * k.dtype.type(_ALPHA * a) + k.dtype.type(_ALPHA * a * p))
    noise = Tensor._wrap(k * k.dtype.type(a))
    return input * noise + b


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    r"""Dropout that keeps the self-normalising mean and variance of SELU networks."""
    out = _alpha_dropout_impl(input, p, training, False)
    return input.copy_(out) if inplace and out is not input else out


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    out = _alpha_dropout_impl(input, p, training, True)
    return input.copy_(out) if inplace and out is not input else out


# ----------------------------------------------------------------------------- distances
def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    r"""x / max(||x||_p, eps) along ``dim``."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    result = input / denom
    if out is not None:
        out.copy_(result)
        return out
    return result


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    r"""sum(x1 * x2) / max(||x1|| * ||x2||, eps) along ``dim`` (inputs broadcast first, as PyTorch)."""
    if x1.shape != x2.shape:
        from .misc import broadcast_tensors
        x1, x2 = broadcast_tensors(x1, x2)
    n1 = x1.norm(2, dim, keepdim=True).clamp_min(eps)
    n2 = x2.norm(2, dim, keepdim=True).clamp_min(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    r"""||x1 - x2 + eps||_p along the last dim."""
    out_ndim = max(x1.ndim, x2.ndim)
    if out_ndim == 0:
        return (x1 - x2 + eps).abs()
    return (x1 - x2 + eps).norm(p, -1, keepdim=keepdim)
