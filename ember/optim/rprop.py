"""Resilient backpropagation (Rprop): per-element step sizes adapted from the sign of the gradient."""
from .optimizer import Optimizer, Tensor, _scalar_state, _zeros_like

__all__ = ["Rprop"]


class Rprop(Optimizer):
    r"""Rprop: each element's step size grows by ``etas[1]`` while its gradient keeps its sign, shrinks by
    ``etas[0]`` when the sign flips (and that step is skipped), clamped to ``step_sizes``.

    Args: params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
    maximize=False, differentiable=False.
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _update(self, p, g, group, state):
        d = p._data
        xp = p._xp()
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        if not state:
            state["step"] = _scalar_state()
            state["prev"] = _zeros_like(p)
            state["step_size"] = Tensor._wrap(xp.full_like(d, float(group["lr"])))
        state["step"]._data += 1
        prev, step_size = state["prev"]._data, state["step_size"]._data
        sign = xp.sign(g * prev)
        factor = xp.where(sign > 0, d.dtype.type(etaplus), xp.where(sign < 0, d.dtype.type(etaminus),
                                                                      d.dtype.type(1)))
        step_size *= factor
        xp.clip(step_size, step_size_min, step_size_max, out=step_size)
        g = xp.where(sign < 0, d.dtype.type(0), g)
        d -= xp.sign(g) * step_size
        prev[...] = g
