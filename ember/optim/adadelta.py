"""Adadelta: step sizes from running averages of squared gradients and squared updates."""
from .optimizer import Optimizer, _f, _scalar_state, _zeros_like

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta. Args: params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
    maximize=False, differentiable=False."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize, capturable=capturable,
                        foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, p, g, group, state):
        d = p._data
        xp = p._xp()
        rho, eps = group["rho"], group["eps"]
        if not state:
            state["step"] = _scalar_state()
            state["square_avg"] = _zeros_like(p)
            state["acc_delta"] = _zeros_like(p)
        state["step"]._data += 1
        if group["weight_decay"] != 0:
            g = g + _f(group["weight_decay"], d) * d
        sq, acc = state["square_avg"]._data, state["acc_delta"]._data
        sq *= _f(rho, sq)
        sq += _f(1 - rho, sq) * g * g
        std = xp.sqrt(sq + _f(eps, sq))
        delta = xp.sqrt(acc + _f(eps, acc))
        delta /= std
        delta *= g
        acc *= _f(rho, acc)
        acc += _f(1 - rho, acc) * delta * delta
        d -= _f(group["lr"], d) * delta
