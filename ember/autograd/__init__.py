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
    """The gradients of ``outputs`` w.r.t. ``inputs`` (Tensors or ``graph.GradientEdge``s), returned
    (``.grad`` is left untouched). ``is_grads_batched``: the first dimension of each grad_output is a batch
    of cotangents; the result has the same leading dimension (one backward pass per entry)."""
    outputs = _tensors(outputs)
    inputs = [inputs] if isinstance(inputs, graph.GradientEdge) else _tensors(inputs)
    grads = _tensors(grad_outputs) or [None] * len(outputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if is_grads_batched:
        return _batched_grad(outputs, inputs, grads, retain_graph, create_graph, allow_unused, materialize_grads)
    res = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs, accumulate=False)
    out = []
    for x, g in zip(inputs, res):
        if g is None:
            if materialize_grads and isinstance(x, _function.Tensor):
                g = _function.Tensor._zeros(x.shape, x.dtype, x.device)
            elif not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been used in the graph. "
                                   "Set allow_unused=True if this is the desired behavior.")
        elif not create_graph:
            g = g.detach()
        out.append(g)
    return tuple(out)


def _batched_grad(outputs, inputs, grads, retain_graph, create_graph, allow_unused, materialize_grads):
    from ..ops.join import stack
    sizes = set()
    for i, (o, g) in enumerate(zip(outputs, grads)):
        if g is None:
            continue
        if tuple(g.shape[1:]) != tuple(o.shape):
            raise RuntimeError("If `is_grads_batched=True`, we interpret the first dimension of each grad_output as "
                               "the batch dimension. The sizes of the remaining dimensions are expected to match the "
                               f"shape of corresponding output, but a mismatch was detected: grad_output[{i}] has a "
                               f"shape of {g.shape} and output[{i}] has a shape of {o.shape}. If you only want some "
                               "tensors in `grad_output` to be considered batched, consider using vmap.")
        sizes.add(g.shape[0])
    if len(sizes) != 1:
        raise RuntimeError("is_grads_batched=True needs every grad_output given, with one batch size; got batch sizes "
                           f"{sorted(sizes)}")
    n = sizes.pop()
    rows = [grad(outputs, inputs, [None if g is None else g[b] for g in grads],
                 retain_graph=True if b < n - 1 else retain_graph, create_graph=create_graph,
                 allow_unused=allow_unused, materialize_grads=materialize_grads) for b in range(n)]
    return tuple(None if col[0] is None else stack(col) for col in zip(*rows))


# Imported, not forwarded lazily: importing the submodule ``gradcheck`` inside a function would rebind
# ``ember.autograd.gradcheck`` to the module (as in PyTorch, the function shadows its module).
from .gradcheck import GradcheckError, gradcheck, gradgradcheck  # noqa: E402
from . import anomaly_mode, functional, graph, variable  # noqa: E402
from .variable import Variable  # noqa: E402


def __getattr__(name):
    # ``autograd.profiler`` (gzip, json, threading ...) loads on first use: it is not needed to train
    if name == "profiler":
        import importlib
        return importlib.import_module(f"{__name__}.profiler")
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
