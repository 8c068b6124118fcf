"""Adafactor: Adam-like steps whose second moment of a matrix is kept as a row and a column factor."""
import math

from .optimizer import Optimizer, _f, _scalar_state

__all__ = ["Adafactor"]


class Adafactor(Optimizer):
    r"""Adafactor (Shazeer & Stern), as PyTorch writes it: ``lr`` caps the relative step size
    ``rho_t = min(lr, 1/sqrt(t))`` and scales decoupled weight decay; ``eps = (eps1, eps2)`` with ``eps1``
    (default: the dtype's machine epsilon) guarding the variance estimate and the update, ``eps2`` the
    smallest parameter RMS used to scale the step; ``d`` clips the update's RMS. A parameter with two or
    more dimensions keeps factored statistics over its last two: ``row_var`` (..., R, 1) and ``col_var``
    (..., 1, C); a vector or scalar keeps a full ``variance``.

    Args: params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *, foreach=None,
    maximize=False.
    """

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, p, g, group, state):
        d = p._data
        xp = p._xp()
        factored = d.ndim >= 2
        if not state:
            state["step"] = _scalar_state()
            if factored:
                state["row_var"] = p.new_zeros(d.shape[:-1] + (1,))
                state["col_var"] = p.new_zeros(d.shape[:-2] + (1, d.shape[-1]))
            else:
                state["variance"] = p.new_zeros(d.shape)
        eps1, eps2 = group["eps"]
        if eps1 is None:
            eps1 = float(xp.finfo(d.dtype).eps)
        step_t = state["step"]._data
        step_t += 1
        step = float(step_t)
        one_minus_beta2 = step ** group["beta2_decay"]          # 1 - beta2_t, with beta2_t = 1 - t^decay
        rho = min(group["lr"], 1 / math.sqrt(step))
        alpha = max(eps2, float(xp.linalg.norm(d.reshape(-1))) / math.sqrt(d.size)) * rho
        if group["weight_decay"] != 0:
            d *= _f(1 - group["lr"] * group["weight_decay"], d)
        g2 = g * g
        if factored:
            row, col = state["row_var"]._data, state["col_var"]._data
            row += _f(one_minus_beta2, row) * (g2.mean(axis=-1, keepdims=True) - row)    # lerp to the mean
            col += _f(one_minus_beta2, col) * (g2.mean(axis=-2, keepdims=True) - col)
            var = row @ col                                                  # outer product (..., R, C)
            var /= xp.maximum(row.mean(axis=-2, keepdims=True), _f(eps1, row))
        else:
            v = state["variance"]._data
            v += _f(one_minus_beta2, v) * (g2 - v)
            var = v
        update = g / xp.maximum(xp.sqrt(var), _f(eps1, d))
        rms = float(xp.linalg.norm(update.reshape(-1))) / math.sqrt(update.size)
        update *= _f(alpha / max(1.0, rms / group["d"]), d)
        d -= update
