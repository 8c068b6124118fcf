"""NAdam: Adam with Nesterov momentum (and momentum decay)."""
from .optimizer import Optimizer, Tensor, _f, _scalar_state, _zeros_like, check_adam_args

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam. Args: params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
    decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False, differentiable=False."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_adam_args(lr, eps, betas, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, p, g, group, state):
        import numpy as np  # noqa: WPS433 - the 0-d float32 state scalars live on the CPU
        d = p._data
        xp = p._xp()
        lr, (beta1, beta2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if not state:
            state["step"] = _scalar_state()
            state["mu_product"] = Tensor._wrap(np.array(1.0, dtype=np.float32))
            state["exp_avg"] = _zeros_like(p)
            state["exp_avg_sq"] = _zeros_like(p)
        step_t = state["step"]._data
        step_t += 1
        step = float(step_t)
        bias_correction2 = 1 - beta2 ** step
        if wd != 0:
            if group["decoupled_weight_decay"]:
                d *= _f(1 - lr * wd, d)
            else:
                g = g + _f(wd, d) * d
        momentum_decay = group["momentum_decay"]
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mp = state["mu_product"]._data
        mp *= np.float32(mu)
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        m += _f(1 - beta1, m) * (g - m)
        v *= _f(beta2, v)
        v += _f(1 - beta2, v) * g * g
        denom = xp.sqrt(v / _f(bias_correction2, v))
        mu_product = float(mp)
        mu_product_next = mu_product * mu_next
        denom += _f(eps, denom)
        d += _f(-lr * (1.0 - mu) / (1.0 - mu_product), d) * (g / denom)
        d += _f((-lr * mu_next) / (1.0 - mu_product_next), d) * (m / denom)
