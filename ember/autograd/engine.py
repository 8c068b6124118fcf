"""The backward engine: an iterative walk of the graph (no recursion limit).

1. Walk the graph from the roots, counting for every node how many edges
   lead into it (its dependencies).
2. Run nodes whose dependencies are all satisfied, summing the gradients that
   arrive for each of their outputs; send each result along its edge, summed
   to the input's shape and cast to its dtype (PyTorch's ``validate_outputs``).
3. ``AccumulateGrad`` sinks add into ``.grad``; ``autograd.grad`` captures
   instead and leaves ``.grad`` alone. Saved tensors are freed unless
   ``retain_graph``.
"""
import sys

import numpy as np

from . import function as _fn
from .function import AnomalyMode
from .grad_mode import GradMode


def _dependencies(roots):
    """For every node reachable from ``roots``: how many edges lead into it."""
    deps = {}
    seen = set(roots)
    stack = list(seen)
    while stack:
        for nxt, _ in stack.pop().next_functions:
            if nxt is not None:
                if nxt in deps:
                    deps[nxt] += 1
                else:
                    deps[nxt] = 1
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
    return deps


def _post_order(roots):
    """Nodes reachable from ``roots``, children before parents (to prune autograd.grad's walk)."""
    order, seen = [], set()
    stack = [(r, False) for r in roots]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((n, False) for n, _ in node.next_functions if n is not None and n not in seen)
    return order


def _validate(node, i, grad, meta):
    """Sum a broadcast gradient to the input's shape and cast it to its dtype (PyTorch's validate_outputs)."""
    shape, np_dtype = meta
    if grad._data.shape != shape:
        if _expandable(shape, grad._data.shape):
            grad = grad.sum_to_size(shape)
        else:
            raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {i} - got "
                               f"{list(grad.shape)} but expected shape compatible with {list(shape)}")
    if grad._data.dtype != np_dtype:
        from .._dtype import _FROM_NP
        grad = grad.to(_FROM_NP[np_dtype])
    return grad


def _expandable(shape, target):
    if len(shape) > len(target):
        return False
    for s, t in zip(reversed(shape), reversed(target)):
        if s != 1 and s != t:
            return False
    return True


def _add(a, b):
    if a is None:
        return b
    return a + b


def _check_nan(node, grads):
    for i, g in enumerate(grads):
        if g is not None and g._data.dtype.kind in "fc" and bool((g._data != g._data).any()):
            trace = f"\nThe forward call that created it:\n{node._trace}" if node._trace else ""
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.{trace}")


def _root_edge(t, i):
    if not t._requires_grad:
        raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
    return _fn._edge(t)


def run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs=None, accumulate=True):
    """Run backward from ``tensors``; returns the gradients captured for ``inputs`` (a list) or None."""
    Tensor = _fn.Tensor
    if retain_graph is None:
        retain_graph = create_graph
    roots, root_grads = [], []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        edge = _root_edge(t, i)
        if g is None:
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs. Pass "
                                   "gradient=torch.ones_like(out) (or reduce with out.sum()) to backward a "
                                   f"non-scalar tensor of shape {list(t.shape)}.")
            g = t._ones_like_data()
        elif not isinstance(g, Tensor):
            g = Tensor._wrap(t._xp().asarray(g, dtype=t._data.dtype))
        if g._data.shape != t._data.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                               f"has a shape of {t.shape}.")
        roots.append(edge)
        root_grads.append(g)

    captures = None
    if inputs is not None:
        captures = {}
        for k, x in enumerate(inputs):
            if not x._requires_grad:
                raise RuntimeError(f"One of the differentiated Tensors does not require grad (input {k})")
            captures.setdefault(_fn._edge(x), []).append(k)

    root_nodes = [n for n, _ in roots]
    deps = _dependencies(root_nodes)
    needed = None
    if captures is not None:  # run only nodes from which a requested input can be reached
        targets = {n for n, _ in captures}
        needed = set()
        for n in _post_order(root_nodes):
            if n in targets or any(c in needed for c, _ in n.next_functions if c is not None):
                needed.add(n)

    buffers = {}
    for (node, nr), g in zip(roots, root_grads):
        buf = buffers.setdefault(node, {})
        buf[nr] = _add(buf.get(nr), g)
    results = [None] * len(inputs) if inputs is not None else None

    ready = [n for n in dict.fromkeys(root_nodes) if deps.get(n, 0) == 0]
    prev_mode = GradMode.enabled
    GradMode.enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            buf = buffers.pop(node, None)
            if buf is not None and (needed is None or node in needed):
                if captures is not None or node._tensor_hooks or node._retained or node._pre_hooks:
                    buf = _hooks_and_captures(node, buf, captures, results, create_graph)
                if node._is_sink:
                    if accumulate:
                        _accumulate(node.variable, buf.get(0), create_graph)
                else:
                    _run_node(node, buf, retain_graph, buffers)
            elif not retain_graph:
                node._release()
            for nxt, _ in node.next_functions:
                if nxt is not None:
                    d = deps[nxt] - 1
                    deps[nxt] = d
                    if d == 0:
                        ready.append(nxt)
    finally:
        GradMode.enabled = prev_mode
    return results


def _hooks_and_captures(node, buf, captures, results, create_graph):
    """The rare path: tensor hooks, retain_grad, node pre-hooks, and autograd.grad's captures."""
    if node._tensor_hooks:   # hooks registered on the non-leaf tensors this node produced
        for nr, hooks in node._tensor_hooks.items():
            if buf.get(nr) is not None:
                for h in hooks:
                    r = h(buf[nr])
                    if r is not None:
                        buf[nr] = r
    if node._retained:
        for nr, ref in node._retained.items():
            t = ref()
            if t is not None and buf.get(nr) is not None:
                g = buf[nr] if create_graph else buf[nr].detach()
                t._grad = g if t._grad is None else t._grad + g
    if node._pre_hooks:
        for h in node._pre_hooks:
            r = h(tuple(buf.get(i) for i in range(max(buf) + 1)))
            if r is not None:
                buf = dict(enumerate(r))
    if captures is not None:
        for nr, g in buf.items():
            for k in captures.get((node, nr), ()):
                results[k] = _add(results[k], g)
    return buf


def _run_node(node, buf, retain_graph, buffers):
    meta = node._output_meta
    if not meta:                        # single output (the common case)
        grads = (buf[0],)
    else:
        grads = []
        for i in range(len(meta)):
            g = buf.get(i)
            if g is None and node.materialize_grads:
                shape, dtype, device = meta[i]
                g = _fn.Tensor._zeros(shape, dtype, device)
            grads.append(g)
    out = node.apply(*grads)
    if type(out) is not tuple:
        out = (out,)
    edges = node.next_functions
    if len(out) < len(edges) and not getattr(node._forward_cls, "_internal", True):
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                           f"(expected {len(edges)}, got {len(out)})")
    if AnomalyMode.enabled and AnomalyMode.check_nan:
        _check_nan(node, out)
    if node._hooks:
        for h in node._hooks:
            r = h(out, tuple(grads))
            if r is not None:
                out = tuple(r)
    if not retain_graph:
        node._release()
    Tensor = _fn.Tensor
    input_meta = node._input_meta
    for i, ((nxt, nr), g) in enumerate(zip(edges, out)):
        if nxt is None or g is None:
            continue
        if not isinstance(g, Tensor):
            raise TypeError(f"{node.name()}.backward returned {type(g).__name__} for input {i}; expected a "
                            "Tensor or None")
        shape, np_dtype = input_meta[i]
        if g._data.shape != shape or g._data.dtype != np_dtype:
            g = _validate(node, i, g, input_meta[i])
        b = buffers.get(nxt)
        if b is None:
            buffers[nxt] = {nr: g}
        else:
            b[nr] = _add(b.get(nr), g)


def _unshared(grad):
    """True when ``grad`` and its array are referenced only by the engine's bookkeeping (so ``.grad`` may take
    them over): a fresh, owning, writable NumPy array without views, in a Tensor nobody else holds."""
    if not _CAN_COUNT_REFS:
        return False
    arr = grad._data
    return (type(arr) is np.ndarray and arr.base is None and arr.flags.writeable and grad._grad_fn is None
            and not grad._requires_grad and sys.getrefcount(arr) <= _ARRAY_REFS
            and sys.getrefcount(grad) <= _TENSOR_REFS)


# References held while _unshared runs: the array by its Tensor's slot, the local name and getrefcount's
# argument; the Tensor by the popped buffer, _accumulate's argument, _unshared's argument and getrefcount's.
# Calibrated on CPython 3.10-3.13; elsewhere reference counts may be counted differently: always copy.
_ARRAY_REFS = 3
_TENSOR_REFS = 4
_CAN_COUNT_REFS = sys.implementation.name == "cpython" and sys.version_info < (3, 14)


def _accumulate(var, grad, create_graph):
    if grad is None:
        return
    hooks = var.__dict__.get("_backward_hooks")
    if hooks:
        for h in list(hooks.values()):
            r = h(grad)
            if r is not None:
                grad = r
    if var._grad is None:
        if create_graph:
            var._grad = grad
        elif _unshared(grad):
            var._grad = grad    # nobody else holds it: keep the buffer, as PyTorch's AccumulateGrad does
        else:
            # Copy: the gradient may be shared (both sides of an add, a broadcast view, a hook's reference).
            var._grad = grad._copy_detached()
    elif create_graph or var._grad._requires_grad:
        var._grad = var._grad + grad
    else:
        var._grad._data += grad._data
        var._grad._version[0] += 1
    posts = var.__dict__.get("_post_acc_hooks")
    if posts:
        for h in list(posts.values()):
            h(var)

