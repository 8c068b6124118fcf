"""``torch.autograd.graph``: the graph's node type and hooks on the tensors that ops save for backward."""
from . import function as _function
from .function import Node

__all__ = ["Node", "saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks"]

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
