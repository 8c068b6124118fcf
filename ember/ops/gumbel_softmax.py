"""``F.gumbel_softmax``: differentiable samples from a categorical distribution (Gumbel-softmax trick)."""
__all__ = []
__functional__ = ["gumbel_softmax"]

import warnings

from .creation import empty_like, zeros_like


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    r"""``softmax((logits + g) / tau, dim)`` with ``g`` ~ Gumbel(0, 1) drawn from the global generator.

    With ``hard=True`` the result is the one-hot of the sample's argmax along ``dim``, while its gradient
    is the soft sample's (straight-through: ``y_hard - y_soft.detach() + y_soft``).

    Shape: logits :math:`(*, \text{num\_features})`; output the same shape.
    """
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -empty_like(logits).exponential_().log()       # ~Gumbel(0, 1)
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft
