"""Adamax: Adam with the infinity norm of past gradients."""
from .optimizer import Optimizer, _f, _scalar_state, _zeros_like, check_adam_args

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax. Args: params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
    maximize=False, differentiable=False, capturable=False."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        check_adam_args(lr, eps, betas, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _update(self, p, g, group, state):
        d = p._data
        xp = p._xp()
        (beta1, beta2), eps = group["betas"], group["eps"]
        if not state:
            state["step"] = _scalar_state()
            state["exp_avg"] = _zeros_like(p)
            state["exp_inf"] = _zeros_like(p)
        step_t = state["step"]._data
        step_t += 1
        if group["weight_decay"] != 0:
            g = g + _f(group["weight_decay"], d) * d
        m, u = state["exp_avg"]._data, state["exp_inf"]._data
        m += _f(1 - beta1, m) * (g - m)
        u *= _f(beta2, u)
        xp.maximum(u, xp.abs(g) + _f(eps, u), out=u)
        clr = group["lr"] / (1 - beta1 ** float(step_t))
        d -= _f(clr, d) * (m / u)
