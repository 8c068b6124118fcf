"""Tensor printing (interim: replaced by the PyTorch-exact formatter)."""
import numpy as np


def format_tensor(t):
    a = t._data.get() if t.is_cuda else t._data
    body = np.array2string(np.asarray(a), precision=4, separator=", ", prefix="tensor(")
    suffix = ""
    if t.grad_fn is not None:
        suffix += f", grad_fn=<{t.grad_fn.name()}>"
    elif t.requires_grad:
        suffix += ", requires_grad=True"
    return f"tensor({body}{suffix})"
