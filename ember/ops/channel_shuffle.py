"""``F.channel_shuffle``: interleave the channel groups of (N, C, *) (ShuffleNet), a view-and-copy."""
__all__ = ["channel_shuffle", "native_channel_shuffle"]
__functional__ = ["channel_shuffle", "native_channel_shuffle"]


def channel_shuffle(input, groups):
    r"""Split the C channels of :math:`(N, C, *)` into ``groups`` groups and interleave them:
    view as :math:`(N, g, C/g, *)`, swap the two channel axes, view back as :math:`(N, C, *)`.
    """
    if input.dim() <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with sizes "
                           f"{list(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    n, c = input.shape[:2]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups.")
    rest = tuple(input.shape[2:])
    return input.reshape((n, groups, c // groups) + rest).transpose(1, 2).reshape((n, c) + rest)


native_channel_shuffle = channel_shuffle
