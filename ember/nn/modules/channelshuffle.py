"""``ChannelShuffle``: interleave channel groups (ShuffleNet)."""
from .. import functional as F
from .module import Module

__all__ = ["ChannelShuffle"]


class ChannelShuffle(Module):
    r"""Divide the C channels of :math:`(N, C, *)` into ``groups`` groups and interleave them
    (:math:`(N, g, C/g, *) \to (N, C/g, g, *)`, keeping the shape).

    Shape:
        - Input: :math:`(N, C, *)` with C divisible by ``groups``; Output: the same shape
    """
    __constants__ = ["groups"]

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self):
        return f"groups={self.groups}"
