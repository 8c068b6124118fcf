"""Adam and AdamW (decoupled weight decay), with AMSGrad."""
from .optimizer import Optimizer, _f, _scalar_state, _zeros_like, check_adam_args

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam: bias-corrected first and second moment estimates of the gradient.

    Args: params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *, foreach=None,
    maximize=False, capturable=False, differentiable=False, fused=None, decoupled_weight_decay=False.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        check_adam_args(lr, eps, betas, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _update(self, p, g, group, state):
        d = p._data
        xp = p._xp()
        lr, (beta1, beta2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if not state:
            state["step"] = _scalar_state()
            state["exp_avg"] = _zeros_like(p)
            state["exp_avg_sq"] = _zeros_like(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = _zeros_like(p)
        if wd != 0:
            if group["decoupled_weight_decay"]:
                d *= _f(1 - lr * wd, d)
            else:
                g = g + _f(wd, d) * d
        step_t = state["step"]._data
        step_t += 1
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        tmp = self._scratch(p)          # one reused buffer instead of a temporary per operation
        xp.subtract(g, m, out=tmp)                          # exp_avg.lerp_(grad, 1 - beta1)
        tmp *= _f(1 - beta1, m)
        m += tmp
        v *= _f(beta2, v)                                   # exp_avg_sq.mul_(beta2).addcmul_(g, g, 1 - beta2)
        xp.multiply(g, _f(1 - beta2, v), out=tmp)
        tmp *= g
        v += tmp
        step = float(step_t)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
        step_size = lr / bias_correction1
        if group["amsgrad"]:
            vmax = state["max_exp_avg_sq"]._data
            xp.maximum(vmax, v, out=vmax)
            xp.sqrt(vmax, out=tmp)
        else:
            xp.sqrt(v, out=tmp)                             # denom = sqrt(v) / bias_correction2_sqrt + eps
        tmp /= _f(bias_correction2_sqrt, tmp)
        tmp += _f(eps, tmp)
        xp.divide(m, tmp, out=tmp)                          # param.addcdiv_(exp_avg, denom, value=-step_size)
        tmp *= _f(step_size, tmp)
        d -= tmp


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay (``p *= 1 - lr * weight_decay`` before the Adam step).

    Args: params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *, maximize=False,
    foreach=None, capturable=False, differentiable=False, fused=None.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
