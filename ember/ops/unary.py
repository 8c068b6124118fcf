"""Unary math: ``exp log sqrt abs sin ...``. Integer inputs give the default float dtype, as in PyTorch."""

__all__ = ['exp', 'log', 'sqrt', 'abs', 'absolute', 'sign', 'tanh', 'sigmoid']

from ._util import Op, as_float_array, tensor_method, wrap_out, xp_of


class Exp(Op):
    @staticmethod
    def forward(ctx, x):
        y = xp_of(x).exp(as_float_array(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        return g * y


class Log(Op):
    @staticmethod
    def forward(ctx, x):
        x = as_float_array(x)
        ctx.save_for_backward(x)
        return xp_of(x).log(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g / x


class Sqrt(Op):
    @staticmethod
    def forward(ctx, x):
        y = xp_of(x).sqrt(as_float_array(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        return g / (2 * y)


class Abs(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp_of(x).abs(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * x.sign()


class Sign(Op):
    @staticmethod
    def forward(ctx, x):
        return xp_of(x).sign(x)

    @staticmethod
    def backward(ctx, g):
        return g * 0


class Tanh(Op):
    @staticmethod
    def forward(ctx, x):
        y = xp_of(x).tanh(as_float_array(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        return g * (1 - y * y)


class Sigmoid(Op):
    @staticmethod
    def forward(ctx, x):
        x = as_float_array(x)
        xp = xp_of(x)
        # split by sign so exp never overflows
        y = xp.empty_like(x)
        pos = x >= 0
        y[pos] = 1 / (1 + xp.exp(-x[pos]))
        e = xp.exp(x[~pos])
        y[~pos] = e / (1 + e)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        return g * y * (1 - y)


def _unary(op, *names):
    def fn(input, *, out=None):
        return wrap_out(op.apply(input), out)
    fn.__name__ = names[0]
    fn.__doc__ = f"Elementwise ``{names[0]}`` (``torch.{names[0]}``)."
    tensor_method(*names)(fn)
    return fn


exp = _unary(Exp, "exp")
log = _unary(Log, "log")
sqrt = _unary(Sqrt, "sqrt")
abs = _unary(Abs, "abs", "absolute", "__abs__")  # noqa: A001
absolute = abs
sign = _unary(Sign, "sign")
tanh = _unary(Tanh, "tanh")
sigmoid = _unary(Sigmoid, "sigmoid")
