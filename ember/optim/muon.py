"""Muon: momentum SGD whose update for a weight matrix is orthogonalised by Newton-Schulz iterations."""
import math

from ..ops._util import BF16
from .optimizer import Optimizer, _f

__all__ = ["Muon"]


class Muon(Optimizer):
    r"""Muon, for the 2-D weights of hidden layers (biases, embeddings and the rest go to e.g. AdamW).

    Per step: momentum ``B <- lerp(B, g, 1 - momentum)``; with ``nesterov`` the update direction is
    ``lerp(g, B, momentum)``, else ``B``; it is orthogonalised by ``ns_steps`` Newton-Schulz iterations
    ``X <- a X + (b A + c A^2) X`` with ``A = X X^T`` (``X`` first scaled to spectral norm <= 1 by its
    Frobenius norm + ``eps``, and handled as its transpose when taller than wide); decoupled weight decay
    ``p *= 1 - lr * weight_decay``; then ``p -= lr' * O`` with ``lr'`` from ``adjust_lr_fn``: "original"
    (default) ``lr * sqrt(max(1, rows / cols))``, "match_rms_adamw" ``0.2 * lr * sqrt(max(rows, cols))``.

    Args: params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True, ns_coefficients=(3.4445, -4.775,
    2.0315), eps=1e-7, ns_steps=5, adjust_lr_fn=None.
    """

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(3.4445, -4.775, 2.0315), eps=1e-7, ns_steps=5, adjust_lr_fn=None):
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ("original", "match_rms_adamw"):
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                        ns_coefficients=ns_coefficients, eps=eps, ns_steps=ns_steps, adjust_lr_fn=adjust_lr_fn)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(f"Muon only supports 2D parameters whereas we found a parameter with size: "
                                     f"{p.size()}")

    def _update(self, p, g, group, state):
        d = p._data
        xp = p._xp()
        lr, momentum = group["lr"], group["momentum"]
        buf = state.get("momentum_buffer")
        if buf is None:
            buf = state["momentum_buffer"] = p.new_zeros(d.shape)
        b = buf._data
        b += _f(1 - momentum, b) * (g - b)
        update = g + _f(momentum, g) * (b - g) if group["nesterov"] else b
        ortho = _newton_schulz(xp, update, group["ns_coefficients"], group["ns_steps"], group["eps"])
        rows, cols = d.shape
        if group["adjust_lr_fn"] == "match_rms_adamw":
            adjusted = 0.2 * math.sqrt(max(rows, cols)) * lr
        else:
            adjusted = lr * math.sqrt(max(1, rows / cols))
        d *= _f(1 - lr * group["weight_decay"], d)
        d -= _f(adjusted, d) * ortho


def _newton_schulz(xp, grad, coefficients, steps, eps):
    """An approximately orthogonal matrix with ``grad``'s singular vectors: quintic Newton-Schulz, in
    bfloat16 as PyTorch runs it (each matrix product accumulates in float32 and rounds to bfloat16)."""
    if steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if len(coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = coefficients

    def bf16(v):
        return v.astype(BF16).astype(xp.float32)
    x = bf16(grad.astype(xp.float32))
    if x.shape[0] > x.shape[1]:
        x = x.T
    x = bf16(x / max(float(bf16(xp.linalg.norm(x))), eps))     # spectral norm <= 1
    for _ in range(steps):
        gram = bf16(x @ x.T)
        update = bf16(b * gram + c * (gram @ gram))
        x = bf16(a * x + update @ x)
    x = x.T if grad.shape[0] > grad.shape[1] else x
    return x.astype(grad.dtype)
