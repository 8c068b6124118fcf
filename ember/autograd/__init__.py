"""Layer 4: ``ember.autograd``: graph nodes, the backward engine, grad modes, ``grad``."""
import warnings

from . import function as _function
from .engine import run_backward
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


def Variable(data, requires_grad=False, volatile=False):  # noqa: N802 - PyTorch's legacy name
    """Legacy ``Variable``: returns a plain Tensor (Variables and Tensors merged in PyTorch 0.4)."""
    if volatile:
        warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                      UserWarning, stacklevel=2)
    t = data if isinstance(data, _function.Tensor) else _function.Tensor._wrap(data)
    if requires_grad:
        t = t.detach().requires_grad_(True) if not t.is_leaf else t.requires_grad_(True)
    return t


class set_detect_anomaly:
    """Anomaly detection: a backward that produces NaN raises, naming the forward op (and its stack)."""

    def __init__(self, mode, check_nan=True):
        self.prev = (AnomalyMode.enabled, AnomalyMode.check_nan)
        AnomalyMode.enabled = bool(mode)
        AnomalyMode.check_nan = bool(check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        AnomalyMode.enabled, AnomalyMode.check_nan = self.prev


class detect_anomaly(set_detect_anomaly):
    def __init__(self, check_nan=True):
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should "
                      "only be enabled for debugging.", UserWarning, stacklevel=2)
        super().__init__(True, check_nan)


def is_anomaly_enabled():
    return AnomalyMode.enabled


# Imported, not forwarded lazily: importing the submodule ``gradcheck`` inside a function would rebind
# ``ember.autograd.gradcheck`` to the module (as in PyTorch, the function shadows its module).
from .gradcheck import GradcheckError, gradcheck, gradgradcheck  # noqa: E402
from . import functional, graph  # noqa: E402
