"""RMSprop, with centering and momentum."""
from .optimizer import Optimizer, _f, _scalar_state, _zeros_like

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop: divide the gradient by a running RMS of recent gradients.

    Args: params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, capturable=False,
    foreach=None, maximize=False, differentiable=False.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay,
                        capturable=capturable, foreach=foreach, maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, p, g, group, state):
        d = p._data
        xp = p._xp()
        alpha, eps, wd, momentum = group["alpha"], group["eps"], group["weight_decay"], group["momentum"]
        if not state:
            state["step"] = _scalar_state()
            state["square_avg"] = _zeros_like(p)
            if momentum > 0:
                state["momentum_buffer"] = _zeros_like(p)
            if group["centered"]:
                state["grad_avg"] = _zeros_like(p)
        if wd != 0:
            g = g + _f(wd, d) * d
        state["step"]._data += 1
        sq = state["square_avg"]._data
        sq *= _f(alpha, sq)
        sq += _f(1 - alpha, sq) * g * g
        if group["centered"]:
            ga = state["grad_avg"]._data
            ga += _f(1 - alpha, ga) * (g - ga)
            avg = xp.sqrt(sq - ga * ga)
        else:
            avg = xp.sqrt(sq)
        avg += _f(eps, avg)
        if momentum > 0:
            buf = state["momentum_buffer"]._data
            buf *= _f(momentum, buf)
            buf += g / avg
            d -= _f(group["lr"], d) * buf
        else:
            d -= _f(group["lr"], d) * (g / avg)
