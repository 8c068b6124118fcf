"""Structured control flow: ``torch.cond`` and ``torch.while_loop``, run eagerly.

PyTorch runs these through its compiler even in eager mode: it traces the branches / the loop body
and checks them (same output structure, no operand returned as is, no operand changed in place while
grad mode is on, loop state of unchanging shape and dtype). Ember runs them as Python control flow
and makes the same checks on what actually runs:

* ``cond`` calls only the branch taken. Running the other one too would repeat its side effects
  (a BatchNorm's running statistics, random draws), and Ember has no tracer to run it without
  them, so the structure/shape/dtype agreement of the two branches that PyTorch checks at trace
  time is not checked here; the branch that runs is checked as PyTorch checks each branch.
* ``while_loop`` checks every iteration's body output against the carried state (count, type,
  shape, dtype, device; not strides, which Ember's ops do not always give as PyTorch's do).

Gradients flow through the code that ran. As in PyTorch, when an operand (carried input) requires
grad every tensor output gets the op's node (``CondAutogradOpBackward``,
``WhileLoopAutogradOpBackward``) and every such operand gets a gradient (zeros when the outputs do
not depend on it).
"""
from .. import _dtype as D
from ..autograd.function import Function
from ..autograd.grad_mode import GradMode
from .._tensor import Tensor
from ._pytree import flatten as _flatten, unflatten as _unflatten
from .creation import zeros

__all__ = ["cond", "while_loop"]

_ALIAS_HINT = "Return input.clone() instead of input (or of a view of it)."


# ---------------------------------------------------------------- checks shared by cond and while_loop
def _versions(leaves):
    return [t._version[0] if isinstance(t, Tensor) else None for t in leaves]


def _check_no_mutation(op, leaves, before):
    for i, (t, v) in enumerate(zip(leaves, before)):
        if isinstance(t, Tensor) and t._version[0] != v:
            raise RuntimeError(f"{op}: input {i} was modified in place. Higher order ops do not support input "
                               "mutation (while grad mode is on): clone the input before modifying it, or run "
                               "under torch.no_grad().")


def _check_no_alias(op, what, outs, ins):
    """No output is an input or shares its memory (a view): PyTorch's higher order ops refuse aliasing."""
    for i, o in enumerate(outs):
        if isinstance(o, Tensor) and any(isinstance(t, Tensor) and o._version is t._version for t in ins):
            raise RuntimeError(f"{op}: {what} {i} is one of the inputs or a view of one. Higher order ops do not "
                               f"support aliasing. {_ALIAS_HINT}")


def _check_leaf_types(op, leaves, who):
    for o in leaves:
        if not isinstance(o, (Tensor, int)):
            raise RuntimeError(f"{op}: {who}'s output must consist of tensors or ints/bools only but got "
                               f"{type(o)}.")


class _ControlFlowOp(Function):
    """Identity on the outputs of the code that ran, putting one node over them (PyTorch's
    ``*AutogradOp``): ``apply(n, *operands, *outputs)``. Backward passes each output's gradient on to
    the output (whose own graph reaches the operands and captured tensors) and gives every operand a
    zero gradient besides, so an operand the outputs do not depend on still gets one, as in PyTorch."""

    @staticmethod
    def forward(ctx, n, *tensors):
        ctx.operand_meta = [(t.shape, t.dtype, t.device) for t in tensors[:n]]
        return tensors[n:]

    @staticmethod
    def backward(ctx, *grads):
        needs = ctx.needs_input_grad[1:]
        operands = [zeros(shape, dtype=dtype, device=device) if need else None
                    for (shape, dtype, device), need in zip(ctx.operand_meta, needs)]
        return (None, *operands, *grads)

    @classmethod
    def wrap(cls, operand_leaves, out_leaves):
        """The output leaves with this node over their tensors (ints pass through)."""
        operands = [t for t in operand_leaves if isinstance(t, Tensor)]
        positions = [i for i, o in enumerate(out_leaves) if isinstance(o, Tensor)]
        if not positions:
            return out_leaves
        wrapped = cls.apply(len(operands), *operands, *(out_leaves[i] for i in positions))
        wrapped = wrapped if isinstance(wrapped, tuple) else (wrapped,)
        out = list(out_leaves)
        for i, w in zip(positions, wrapped):
            out[i] = w
        return out


class CondAutogradOp(_ControlFlowOp):
    pass


class WhileLoopAutogradOp(_ControlFlowOp):
    pass


def _needs_node(leaves):
    return GradMode.enabled and any(isinstance(t, Tensor) and t._requires_grad for t in leaves)


# ---------------------------------------------------------------- cond
def cond(pred, true_fn, false_fn, operands=()):
    """``true_fn(*operands)`` if ``pred`` else ``false_fn(*operands)``.

    ``pred``: a Python bool/number (then the branch is simply called, as PyTorch does) or a
    one-element tensor. ``operands``: a tuple/list of tensors, possibly nested in dicts, lists and
    tuples. A branch returns tensors and ints (nested likewise); with grad mode on it may neither
    return an operand (or a view of one) nor modify an operand in place.
    """
    if isinstance(pred, (bool, int, float)):
        return true_fn(*operands) if pred else false_fn(*operands)
    if not isinstance(pred, Tensor):
        raise RuntimeError(f"Expected pred to be bool or tensor, but got {pred}.")
    if pred.numel() != 1:
        raise RuntimeError(f"Expected pred to be bool or single-element tensor, but got {pred}.")
    if not callable(true_fn) or not callable(false_fn):
        raise RuntimeError("Expect both branches to be callable.")
    leaves = _flatten(operands)[0] if isinstance(operands, (tuple, list)) else None
    if leaves is None or not all(isinstance(t, Tensor) for t in leaves):
        raise RuntimeError("Expect operands to be a tuple of possibly nested dict/list/tuple that only consists of "
                           f"tensor leaves, but got {operands}.")
    branch = true_fn if bool(pred.item()) else false_fn
    grad_on = GradMode.enabled
    before = _versions(leaves)
    out = branch(*operands)
    out_leaves, spec = _flatten(out)
    _check_leaf_types("torch.cond", out_leaves, "branch")
    if grad_on:
        _check_no_mutation("torch.cond", leaves, before)
        _check_no_alias("torch.cond", "output", out_leaves, leaves)
    if _needs_node(leaves):
        out = _unflatten(CondAutogradOp.wrap(leaves, out_leaves), spec)
    return out


# ---------------------------------------------------------------- while_loop
def _meta_diff(out, inp):
    """How a body output differs from the carried input it replaces ('' when it does not)."""
    if isinstance(out, Tensor) != isinstance(inp, Tensor):
        return f"differ in type: {type(out).__name__} vs {type(inp).__name__}"
    if not isinstance(out, Tensor):
        return ""
    diffs = []
    if out.shape != inp.shape:
        diffs.append(f"'shape: {out.shape} vs {inp.shape}'")
    if out.dtype != inp.dtype:
        diffs.append(f"'dtype: {out.dtype} vs {inp.dtype}'")
    if out.device != inp.device:
        diffs.append(f"'device: {out.device} vs {inp.device}'")
    return "differ in " + ", ".join(diffs) if diffs else ""


def _check_pred(pred, inputs):
    if isinstance(pred, Tensor):
        if pred.dim() != 0 or pred.dtype is not D.bool_:
            raise RuntimeError(f"cond_fn must return a boolean scalar tensor or a boolean but got {pred}")
        _check_no_alias("torch.while_loop", "cond_fn's output", [pred], inputs)
        return bool(pred.item())
    if isinstance(pred, int):             # bool, or an int from int-carried state (PyTorch takes both)
        return bool(pred)
    raise RuntimeError(f"cond_fn must return a boolean scalar tensor or a boolean but got {pred}")


def while_loop(cond_fn, body_fn, carried_inputs):
    """``val = carried_inputs; while cond_fn(*val): val = body_fn(*val)``; returns ``val``.

    ``carried_inputs``: a tuple/list of tensors and ints (possibly nested in dicts, lists, tuples).
    ``cond_fn`` returns a bool or a 0-d bool tensor; ``body_fn`` returns new values of the same
    structure, each of the shape, dtype and device of the value it replaces, never an input itself
    (or a view of one); with grad mode on it may not modify its inputs in place. With no iteration
    the result is a tuple of clones of ``carried_inputs``.
    """
    if not callable(cond_fn) or not callable(body_fn):
        raise RuntimeError("Expect cond_fn and body_fn to be callable.")
    if not isinstance(carried_inputs, (tuple, list)):
        raise RuntimeError(f"carried_inputs must be a tuple or list but got {type(carried_inputs)}")
    initial, spec = _flatten(carried_inputs)
    if not all(isinstance(v, (Tensor, int)) for v in initial):
        got = ", ".join(type(v).__name__ for v in initial)
        raise AssertionError(f"torch.while_loop: carried_inputs can only hold Tensors and ints (possibly nested in "
                             f"dict/list/tuple), but got leaves of types ({got})")
    grad_on = GradMode.enabled
    vals, leaves, out = tuple(carried_inputs), initial, None
    while _check_pred(cond_fn(*vals), leaves):
        before = _versions(leaves)
        out = body_fn(*vals)
        if grad_on:
            _check_no_mutation("torch.while_loop", leaves, before)
        out_leaves = _flatten(out)[0]
        _check_leaf_types("torch.while_loop", out_leaves, "body_fn")
        if len(out_leaves) != len(leaves):
            raise RuntimeError(f"torch.while_loop: Expected body_fn_output and carried_inputs to have same number "
                               f"of outputs but got lhs:{out_leaves} and rhs:{leaves}")
        diffs = [f"pair[{i}] {d}" for i, d in enumerate(map(_meta_diff, out_leaves, leaves)) if d]
        if diffs:
            raise RuntimeError("torch.while_loop: Expected body_fn_output and carried_inputs to have same metadata "
                               "but found:\n" + "\n".join(diffs) + "\n(lhs: body_fn's output, rhs: the carried "
                               "input it replaces)")
        _check_no_alias("torch.while_loop", "body_fn's output", out_leaves, leaves)
        leaves = out_leaves
        vals = tuple(_unflatten(leaves, spec))   # cond_fn/body_fn always see the carried structure
    if out is None:                              # no iteration: clones of the inputs
        leaves = [v.clone() if isinstance(v, Tensor) else v for v in initial]
        out = tuple(_unflatten(leaves, spec))
    if _needs_node(initial):
        out_leaves, out_spec = _flatten(out)
        out = _unflatten(WhileLoopAutogradOp.wrap(initial, out_leaves), out_spec)
    return out
