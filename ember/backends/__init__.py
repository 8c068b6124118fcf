"""``ember.backends`` (``torch.backends``): what each compute backend offers, and the switches scripts set.

``cpu``, ``cuda``, ``cudnn``, ``mps``, ``mkl``, ``mkldnn``, ``openmp`` and ``opt_einsum`` answer as PyTorch's
modules do, about what Ember really has: NumPy on the CPU, CuPy (with cuDNN when installed) on the GPU, no
Apple MPS. The switches PyTorch reads at run time are settable module attributes checked as PyTorch checks
them; ``torch.backends.cuda.matmul.allow_tf32`` is the same setting as ``torch.set_float32_matmul_precision``.
"""
from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp, opt_einsum  # noqa: F401

__all__ = ["cpu", "cuda", "cudnn", "mkl", "mkldnn", "mps", "openmp", "opt_einsum"]
