"""Layer 4: ``ember.autograd``: graph nodes, the backward engine, grad modes, ``grad``."""
from . import function as _function
from .engine import run_backward
from .anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .function import AnomalyMode, Function, FunctionCtx, Node
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
                        set_grad_enabled)

__all__ = ["Function", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "Variable", "set_detect_anomaly", "detect_anomaly", "gradcheck", "gradgradcheck"]


def _tensors(x):
    if x is None:
        return None
    if isinstance(x, _function.Tensor):
        return [x]
    return list(x)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Accumulate into ``.grad`` of the leaves the gradient of ``tensors`` (``torch.autograd.backward``)."""
    tensors = _tensors(tensors)
    grads = _tensors(grad_tensors if grad_tensors is not None else grad_variables) or [None] * len(tensors)
    if len(grads) != len(tensors):
        raise RuntimeError(f"grad_tensors has {len(grads)} elements but tensors has {len(tensors)}")
    inputs = _tensors(inputs)
    if inputs is not None and len(inputs) == 0:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    run_backward(tensors, grads, retain_graph, create_graph, inputs=inputs, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` w.r.t. ``inputs``, returned (``.grad`` is left untouched)."""
    single = isinstance(inputs, _function.Tensor)
    outputs = _tensors(outputs)
    inputs = _tensors(inputs)
    grads = _tensors(grad_outputs) or [None] * len(outputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    res = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs, accumulate=False)
    out = []
    for x, g in zip(inputs, res):
        if g is None:
            if materialize_grads:
                g = _function.Tensor._zeros(x.shape, x.dtype, x.device)
            elif not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been used in the graph. "
                                   "Set allow_unused=True if this is the desired behavior.")
        elif not create_graph:
            g = g.detach()
        out.append(g)
    return tuple(out)


# Imported, not forwarded lazily: importing the submodule ``gradcheck`` inside a function would rebind
# ``ember.autograd.gradcheck`` to the module (as in PyTorch, the function shadows its module).
from .gradcheck import GradcheckError, gradcheck, gradgradcheck  # noqa: E402
from . import anomaly_mode, functional, graph, variable  # noqa: E402
from .variable import Variable  # noqa: E402
