"""``ember.utils.dlpack`` (``torch.utils.dlpack``): exchange tensors with other array libraries without a
copy, through DLPack."""
from ..ops.runtime_misc import from_dlpack

__all__ = ["from_dlpack", "to_dlpack"]


def to_dlpack(tensor):
    """A DLPack capsule holding ``tensor``'s memory (consumed once, e.g. by ``from_dlpack``). Newer code passes
    the tensor itself to the consumer's ``from_dlpack``, which calls ``tensor.__dlpack__()``."""
    return tensor.__dlpack__()
