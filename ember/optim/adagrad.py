"""Adagrad: per-element learning rates from the sum of squared gradients."""
from .optimizer import Optimizer, Tensor, _f, _scalar_state

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad. Args: params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
    foreach=None, *, maximize=False, differentiable=False, fused=None.

    State is created in the constructor (as PyTorch does), so ``state_dict()`` has it before the first step.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _scalar_state()
                init_value = group["initial_accumulator_value"]
                state["sum"] = Tensor._wrap(p._xp().full_like(p._data, init_value))

    def _update(self, p, g, group, state):
        d = p._data
        xp = p._xp()
        step_t = state["step"]._data
        step_t += 1
        step = float(step_t)
        if group["weight_decay"] != 0:
            g = g + _f(group["weight_decay"], d) * d
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        s = state["sum"]._data
        s += g * g
        std = xp.sqrt(s)
        std += _f(group["eps"], std)
        d -= _f(clr, d) * (g / std)
