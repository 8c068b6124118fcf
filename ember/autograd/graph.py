"""``torch.autograd.graph``: the graph's node type, gradient edges, multi-tensor gradient hooks, and hooks on
the tensors that ops save for backward."""
from typing import NamedTuple

from . import engine as _engine
from . import function as _function
from .function import Node

__all__ = ["Node", "GradientEdge", "get_gradient_edge", "increment_version", "register_multi_grad_hook",
           "saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks"]


class GradientEdge(NamedTuple):
    """Where a tensor's gradient flows: output ``output_nr`` of ``node``. ``autograd.grad`` accepts it as an
    input, to get the gradient there without holding the tensor."""
    node: Node
    output_nr: int


def get_gradient_edge(tensor):
    """The ``GradientEdge`` of ``tensor``: its ``grad_fn`` (or, for a leaf, its gradient accumulator)."""
    if not tensor.requires_grad:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor that does not require "
                           "gradients")
    return GradientEdge(*_function._edge(tensor))


def increment_version(tensor):
    """Bump the version counter of ``tensor`` (or of each tensor in an iterable), as an in-place op would."""
    for t in ([tensor] if isinstance(tensor, _function.Tensor) else tensor):
        t._version[0] += 1


class _MultiHandle:
    def __init__(self, handles):
        self.handles = handles

    def remove(self):
        for h in self.handles:
            h.remove()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def register_multi_grad_hook(tensors, fn, *, mode="all"):
    """One hook over several tensors, per backward pass.

    ``mode="all"``: ``fn(grads)`` once the pass has computed the gradients of all ``tensors`` that it reaches
    (``None`` for the others). ``mode="any"``: ``fn(grad)`` with the first of them computed. Returns a handle
    whose ``remove()`` removes the hook.
    """
    if mode not in ("all", "any"):
        raise ValueError(f"Expects mode to be one of ('all', 'any') but got {mode}")
    tensors = tuple(tensors)
    state = {"grads": None, "fired": False}     # per backward pass; reset when the pass ends

    def make_hook(i):
        def hook(grad):
            if mode == "any":
                if not state["fired"]:
                    state["fired"] = True
                    _engine.queue_callback(lambda: state.update(fired=False))
                    fn(grad)
                return None
            if state["grads"] is None:
                state["grads"] = [None] * len(tensors)

                def done():
                    grads, state["grads"] = state["grads"], None
                    fn(tuple(grads))
                _engine.queue_callback(done)
            state["grads"][i] = grad
            return None
        return hook
    return _MultiHandle([t.register_hook(make_hook(i)) for i, t in enumerate(tensors) if t.requires_grad])

_disabled_message = None     # set by disable_saved_tensors_hooks: why registering hooks is refused now


class saved_tensors_hooks:
    """Inside the block, every tensor an op saves for backward goes through ``pack_hook`` when it is saved,
    and what that returned through ``unpack_hook`` whenever backward reads it (which must give a Tensor).

    Use it to trade memory for work: store a compressed copy, move to the CPU, recompute. As in PyTorch,
    no in-place check is made on tensors saved through hooks. Nested blocks: the innermost applies.
    """

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if _disabled_message is not None:
            raise RuntimeError(_disabled_message)
        _function._saved_tensors_hooks.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc):
        _function._saved_tensors_hooks.pop()


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors are kept as CPU copies during forward and moved back to their device for backward."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack(t):
            # as PyTorch: a CPU tensor is kept as is (later in-place changes reach it); pin_memory copies
            return t.device, t.cpu().clone() if pin_memory else t.cpu()

        def unpack(packed):
            device, t = packed
            return t.to(device)

        super().__init__(pack, unpack)


class disable_saved_tensors_hooks:
    """Inside the block, registering saved-tensor hooks (or entering this with hooks active) raises
    RuntimeError(``error_message``): for code that would misbehave with them."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        global _disabled_message
        if _function._saved_tensors_hooks:
            raise RuntimeError(self.error_message)
        self.prev, _disabled_message = _disabled_message, self.error_message
        return self

    def __exit__(self, *exc):
        global _disabled_message
        _disabled_message = self.prev
