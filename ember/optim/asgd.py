"""Averaged stochastic gradient descent (ASGD)."""
import numpy as np

from .optimizer import Optimizer, Tensor, _f, _scalar_state, _zeros_like

__all__ = ["ASGD"]


class ASGD(Optimizer):
    r"""ASGD: SGD with a decaying step ``eta`` and a running average ``ax`` of the iterates (from step ``t0``).

    Args: params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None, maximize=False,
    differentiable=False, capturable=False (the last three are accepted and ignored).
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _update(self, p, g, group, state):
        d = p._data
        lr = float(group["lr"])
        lambd, wd = group["lambd"], group["weight_decay"]
        if not state:
            state["step"] = _scalar_state()
            state["eta"] = _scalar_state(lr)
            state["mu"] = _scalar_state(1.0)
            state["ax"] = _zeros_like(p)
        step_t = state["step"]._data
        step_t += 1
        if wd != 0:
            g = g + _f(wd, d) * d
        eta = float(state["eta"]._data)
        d *= _f(1 - lambd * eta, d)
        d -= _f(eta, d) * g
        ax = state["ax"]._data
        mu = float(state["mu"]._data)
        if mu != 1:
            ax += (d - ax) * _f(mu, ax)
        else:
            ax[...] = d
        step = float(step_t)
        state["eta"]._data[...] = np.float32(lr / ((1 + lambd * lr * step) ** group["alpha"]))
        state["mu"]._data[...] = np.float32(1 / max(1, step - group["t0"]))
