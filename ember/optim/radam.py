"""RAdam: Adam with a rectified (variance-corrected) adaptive learning rate."""
from .optimizer import Optimizer, _f, _scalar_state, _zeros_like, check_adam_args

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""RAdam. Args: params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
    *, foreach=None, maximize=False, capturable=False, differentiable=False."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        check_adam_args(lr, eps, betas, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, p, g, group, state):
        d = p._data
        xp = p._xp()
        lr, (beta1, beta2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if not state:
            state["step"] = _scalar_state()
            state["exp_avg"] = _zeros_like(p)
            state["exp_avg_sq"] = _zeros_like(p)
        step_t = state["step"]._data
        step_t += 1
        if wd != 0:
            if group["decoupled_weight_decay"]:
                d *= _f(1 - lr * wd, d)
            else:
                g = g + _f(wd, d) * d
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        m += _f(1 - beta1, m) * (g - m)
        v *= _f(beta2, v)
        v += _f(1 - beta2, v) * g * g
        step = float(step_t)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        bias_corrected_exp_avg = m / _f(bias_correction1, m)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            sq = xp.sqrt(v)
            sq += _f(eps, sq)
            adaptive_lr = _f(bias_correction2 ** 0.5, sq) / sq
            d -= bias_corrected_exp_avg * _f(lr, d) * adaptive_lr * _f(rect, d)
        else:
            d -= bias_corrected_exp_avg * _f(lr, d)
