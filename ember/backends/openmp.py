"""``torch.backends.openmp``: whether the CPU kernels run OpenMP parallel regions."""
from .mkl import _numpy_blas

__all__ = ["is_available"]


def is_available():
    """True when NumPy's BLAS (Ember's threaded CPU kernels) was built with OpenMP threading."""
    return "openmp" in _numpy_blas()
