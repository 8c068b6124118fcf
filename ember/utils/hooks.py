"""``ember.utils.hooks`` (``torch.utils.hooks``): the handle every ``register_*_hook`` returns."""
from ..nn.modules.module import RemovableHandle

__all__ = ["RemovableHandle", "unserializable_hook"]


def unserializable_hook(f):
    """Mark a tensor hook as one that cannot be pickled with its tensor (it is skipped when saving)."""
    f.__torch_unserializable__ = True
    return f
