"""Fused backward: compute all gradients of a layer op in one array function.

Layer ops (conv, pooling, normalisation, RNNs) have closed-form gradients that
are much faster on whole arrays than autograd through many small ops. Their
``backward`` calls ``fused_grads(Grad, needs, *args)``, where ``Grad`` is an
``Op`` whose forward computes the needed gradients on arrays. Going through an
``Op`` (rather than wrapping arrays directly) keeps ``create_graph=True``
honest: a second derivative through it raises "the derivative for ... is not
implemented" instead of being silently wrong.
"""
from ._util import Op


class GradOp(Op):
    """Base of fused-gradient ops: ``forward(ctx, *arrays, *params, needs)`` (needs keyword-only) returns one array per
    True entry of ``needs`` (a tuple; a single array when only one is needed)."""


def fused_grads(op, needs, *args, **params):
    """Apply gradient op ``op`` and return a tuple with one entry per ``needs`` flag (None where False)."""
    if not any(needs):
        return (None,) * len(needs)
    return _spread(needs, op.apply(*args, needs=tuple(needs), **params))


def fused_grads_data(op, needs, *args, **params):
    """``fused_grads`` on arrays: run gradient op ``op``'s forward directly (for an op's ``backward_data``)."""
    if not any(needs):
        return (None,) * len(needs)
    return _spread(needs, op.forward(None, *args, needs=tuple(needs), **params))


def _spread(needs, out):
    """A gradient op's outputs (one per True flag) as one entry per flag, None where False."""
    it = iter(out if type(out) is tuple else (out,))
    return tuple(next(it) if n else None for n in needs)


def pack(needs, *arrays):
    """Return the arrays whose ``needs`` flag is set: a tuple, or the array itself when just one."""
    out = tuple(a for n, a in zip(needs, arrays) if n)
    return out[0] if len(out) == 1 else out
