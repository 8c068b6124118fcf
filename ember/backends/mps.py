"""``torch.backends.mps``: Apple's Metal GPUs. Ember has no Metal backend (its GPU path is CUDA via CuPy)."""

__all__ = ["is_available", "is_built"]


def is_available():
    """False: Ember cannot run tensors on an Apple GPU."""
    return False


def is_built():
    """False: Ember has no MPS backend."""
    return False
