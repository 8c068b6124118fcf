"""``torch.nn.attention``: choose the backends of ``F.scaled_dot_product_attention``.

Ember has one attention kernel, the math one (softmax(q k^T * scale + mask) v with Ember ops), so
choosing a backend never changes a result. ``sdpa_kernel`` still records the choice and checks it
against what PyTorch could run on the device: the CPU has the math and a flash kernel, CUDA also the
memory-efficient and cuDNN ones. When none of the allowed backends exists there, attention raises
PyTorch's "No viable backend" RuntimeError, so code that works with Ember also works with PyTorch.
(Ember does not model the fused kernels' dtype and shape limits on CUDA; there it runs any allowed set.)
"""
import contextlib
import enum

from ...ops import _sdp_state

__all__ = ["SDPBackend", "sdpa_kernel", "WARN_FOR_UNFUSED_KERNELS"]

WARN_FOR_UNFUSED_KERNELS = False


class SDPBackend(enum.IntEnum):
    """The attention backends, with PyTorch's numbers."""
    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4

    def __str__(self):                     # PyTorch prints the name, where IntEnum would print the number
        return f"SDPBackend.{self.name}"


def _set(backends, set_priority):
    order = backends if set_priority else sorted(backends)   # without priority: PyTorch's default order
    _sdp_state.enabled[:] = [int(b) for b in order if b != SDPBackend.ERROR]


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority=False):
    """Within the block, let ``scaled_dot_product_attention`` use only ``backends`` (one ``SDPBackend`` or a
    list); ``set_priority=True`` also records the list's order as the preference. The previous choice comes
    back on exit. ``with sdpa_kernel(SDPBackend.MATH): ...`` always works in Ember; a set with no backend
    that the device has makes attention raise inside the block.
    """
    if not isinstance(backends, (list, SDPBackend)):
        raise AssertionError(f"Backend must be an instance of SDPBackend or a list of SDPBackend instances, got "
                             f"{type(backends).__name__}")
    if isinstance(backends, SDPBackend):
        backends = [backends]
    backends = list(dict.fromkeys(backends))
    for b in backends:
        if not isinstance(b, SDPBackend):
            raise AssertionError(f"Backend must be an instance of SDPBackend or a list of SDPBackend instances, "
                                 f"got a list holding {type(b).__name__}")
    previous = list(_sdp_state.enabled)
    try:
        _set(backends, set_priority)
        yield {}
    finally:
        _sdp_state.enabled[:] = previous
