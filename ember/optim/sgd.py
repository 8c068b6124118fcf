"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""
from .optimizer import Optimizer, Tensor, _f

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""SGD: ``p -= lr * g`` with ``g = grad + weight_decay * p``, optionally with (Nesterov) momentum.

    Args: params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False,
    foreach=None, differentiable=False, fused=None (the last three are accepted and ignored).
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False,
                 foreach=None, differentiable=False, fused=None):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        maximize=maximize, foreach=foreach, differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _update(self, p, g, group, state):
        d = p._data
        wd, momentum = group["weight_decay"], group["momentum"]
        if wd != 0:
            g = g + _f(wd, d) * d
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = Tensor._wrap(g.copy())
                state["momentum_buffer"] = buf
            else:
                b = buf._data
                b *= _f(momentum, b)
                damp = group["dampening"]
                b += g if damp == 0 else _f(1 - damp, b) * g      # g * 1.0 is g: skip the temporary
            g = g + _f(momentum, d) * buf._data if group["nesterov"] else buf._data
        d -= _f(group["lr"], d) * g
