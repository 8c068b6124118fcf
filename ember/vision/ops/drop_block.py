"""torchvision.ops.drop_block2d / drop_block3d and their modules (DropBlock, https://arxiv.org/abs/1810.12890):
while training, zero contiguous ``block_size`` squares (cubes) of each feature map and rescale the rest."""
from ... import empty
from ...nn import Module
from ...nn import functional as F

__all__ = ["drop_block2d", "drop_block3d", "DropBlock2d", "DropBlock3d"]


def _drop_block(input, p, block_size, inplace, eps, training, nd):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"drop probability has to be between 0 and 1, but got {p}.")
    if input.ndim != nd + 2:
        raise ValueError(f"input should be {nd + 2} dimensional. Got {input.ndim} dimensions.")
    if not training or p == 0.0:
        return input
    n, c = input.shape[:2]
    spatial = list(input.shape[2:])
    block_size = min([block_size] + spatial)
    if block_size % 2 == 0:     # an even block would not keep the map's size through the centred max-pool
        raise ValueError(f"block size should be odd. Got {block_size} which is even.")
    # gamma: the Bernoulli rate of block centres that drops about a fraction p of the elements
    valid = 1
    for s in spatial:
        valid *= s - block_size + 1
    total = 1
    for s in spatial:
        total *= s
    gamma = (p * total) / ((block_size ** nd) * valid)
    noise = empty([n, c] + [s - block_size + 1 for s in spatial], dtype=input.dtype, device=input.device)
    noise.bernoulli_(gamma)
    noise = F.pad(noise, [block_size // 2] * (2 * nd), value=0)
    pool = F.max_pool2d if nd == 2 else F.max_pool3d
    noise = pool(noise, stride=(1,) * nd, kernel_size=(block_size,) * nd, padding=block_size // 2)
    noise = 1 - noise
    normalize_scale = noise.numel() / (eps + noise.sum())
    if inplace:
        input.mul_(noise).mul_(normalize_scale)
    else:
        input = input * noise * normalize_scale
    return input


def drop_block2d(input, p, block_size, inplace=False, eps=1e-06, training=True):
    """DropBlock on Tensor[N, C, H, W]: drop ``block_size`` x ``block_size`` squares (about a fraction ``p`` of
    the elements) and rescale by ``numel / (eps + kept)``. Identity when not ``training``."""
    return _drop_block(input, p, block_size, inplace, eps, training, 2)


def drop_block3d(input, p, block_size, inplace=False, eps=1e-06, training=True):
    """DropBlock on Tensor[N, C, D, H, W] with ``block_size``-sided cubes; see :func:`drop_block2d`."""
    return _drop_block(input, p, block_size, inplace, eps, training, 3)


class DropBlock2d(Module):
    """See :func:`drop_block2d`."""

    def __init__(self, p, block_size, inplace=False, eps=1e-06):
        super().__init__()
        self.p = p
        self.block_size = block_size
        self.inplace = inplace
        self.eps = eps

    def forward(self, input):
        return drop_block2d(input, self.p, self.block_size, self.inplace, self.eps, self.training)

    def __repr__(self):
        return f"{self.__class__.__name__}(p={self.p}, block_size={self.block_size}, inplace={self.inplace})"


class DropBlock3d(DropBlock2d):
    """See :func:`drop_block3d`."""

    def forward(self, input):
        return drop_block3d(input, self.p, self.block_size, self.inplace, self.eps, self.training)
