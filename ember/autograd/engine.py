"""The backward engine: an iterative walk of the graph (no recursion limit).

1. Run the nodes that gradients reached, latest-created first (every node
   gets a creation number, ``_seq``; a node's consumers were all created after
   it, so its gradients are complete when it runs: no dependency-counting pass).
2. Sum the gradients that arrive for each output of a node; send each result
   along its edge, summed to the input's shape and cast to its dtype
   (PyTorch's ``validate_outputs``).
3. ``AccumulateGrad`` sinks add into ``.grad``; ``autograd.grad`` captures
   instead and leaves ``.grad`` alone. Saved tensors are freed unless
   ``retain_graph``.
"""
import sys
from heapq import heappop, heappush

import numpy as np

from . import function as _fn
from .function import AnomalyMode
from .grad_mode import GradMode


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
        if grad._data.dtype.kind == "c" and np_dtype.kind != "c":
            grad = grad.real         # a real input's gradient is the real part (PyTorch's handle_r_to_c)
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


def _root_grad(t, g, i):
    """The gradient that starts backward at root ``t``: ones for a scalar, else the one given."""
    Tensor = _fn.Tensor
    if g is None:
        if t._data.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs. Pass "
                               "gradient=torch.ones_like(out) (or reduce with out.sum()) to backward a "
                               f"non-scalar tensor of shape {list(t.shape)}.")
        data = t._data
        if type(data) is np.ndarray:
            return Tensor._wrap(np.array(1, dtype=data.dtype).reshape(data.shape))
        return t._ones_like_data()
    if not isinstance(g, Tensor):
        g = Tensor._wrap(t._xp().asarray(g, dtype=t._data.dtype))
    if g._data.shape != t._data.shape:
        raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                           f"has a shape of {t.shape}.")
    return g


def _root_edge(t, i):
    if not t._requires_grad:
        raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
    return _fn._edge(t)


_final_callbacks = []     # one list per backward pass running now (nested passes: hooks may call backward)


def queue_callback(callback):
    """Run ``callback()`` when the backward pass running now ends (``Variable._execution_engine``)."""
    if not _final_callbacks:
        raise RuntimeError("Final callbacks can only be installed during backward pass.")
    _final_callbacks[-1].append(callback)


def _capture_key(x, k):
    """The (node, output_nr) whose gradient ``autograd.grad`` returns for input ``x``: a Tensor or a
    ``GradientEdge``."""
    if isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], _fn.Node):
        return tuple(x)
    if not x._requires_grad:
        raise RuntimeError(f"One of the differentiated Tensors does not require grad (input {k})")
    return _fn._edge(x)


def run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs=None, accumulate=True):
    """Run backward from ``tensors``; returns the gradients captured for ``inputs`` (a list) or None.

    Without ``create_graph`` the gradients travel as raw ``xp`` arrays, and ops that define
    ``backward_data`` (the hot ones) compute on arrays: no Tensor or graph bookkeeping per step.
    With ``create_graph`` they travel as Tensors through each op's ``backward``, recording a graph.
    """
    if retain_graph is None:
        retain_graph = create_graph
    roots, root_grads = [], []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        roots.append(_root_edge(t, i))
        g = _root_grad(t, g, i)
        root_grads.append(g if create_graph else g._data)

    captures = None
    if inputs is not None:
        captures = {}
        for k, x in enumerate(inputs):
            captures.setdefault(_capture_key(x, k), []).append(k)

    root_nodes = [n for n, _ in roots]
    needed = None
    if captures is not None:  # run only nodes from which a requested input can be reached
        targets = {n for n, _ in captures}
        needed = set()
        for n in _post_order(root_nodes):
            if n in targets or any(c in needed for c, _ in n.next_functions if c is not None):
                needed.add(n)

    # Nodes run in decreasing creation order (``_seq``): every consumer of a node's output was
    # created after it, so by the time a node comes off the heap all its gradients have arrived.
    buffers, ready = {}, []
    for (node, nr), g in zip(roots, root_grads):
        buf = buffers.get(node)
        if buf is None:
            buffers[node] = {nr: g}
            heappush(ready, (-node._seq, node))
        else:
            buf[nr] = _add(buf.get(nr), g)
    results = [None] * len(inputs) if inputs is not None else None

    run_node = _run_node if create_graph else _run_node_arrays
    if _fn._profiler_hook is not None:      # torch.profiler is recording: time each node it runs
        run_node = _fn._profiler_hook.node_runner(run_node)
    prev_mode = GradMode.enabled
    GradMode.enabled = create_graph
    _final_callbacks.append([])
    try:
        while ready:
            node = heappop(ready)[1]
            buf = buffers.pop(node)
            if needed is not None and node not in needed:
                if not retain_graph:
                    node._release()
                continue
            if captures is not None or node._rare:     # hooks, retain_grad, autograd.grad
                buf = _hooks_and_captures(node, buf, captures, results, create_graph)
            if node._is_sink:
                if accumulate:
                    if create_graph:
                        _accumulate(node.variable, buf.get(0), create_graph)
                    else:
                        _accumulate_array(node.variable, buf.pop(0, None))
            else:
                run_node(node, buf, retain_graph, buffers, ready)
        callbacks = _final_callbacks[-1]
        while callbacks:                     # a callback may queue more
            callbacks.pop(0)()
    finally:
        _final_callbacks.pop()
        GradMode.enabled = prev_mode
    return results


def _hooks_and_captures(node, buf, captures, results, create_graph):
    """The rare path: tensor hooks, retain_grad, node pre-hooks, and autograd.grad's captures.

    Hooks see Tensors: in the array path the buffer is wrapped for them and unwrapped after."""
    if not create_graph:
        wrap = _fn.Tensor._wrap
        buf = _hooks_and_captures(node, {nr: None if g is None else wrap(g) for nr, g in buf.items()},
                                  captures, results, True)
        return {nr: None if g is None else g._data for nr, g in buf.items()}
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


def _output_grads(node, buf, arrays):
    """The gradient for each output of ``node`` from its buffer; outputs no gradient reached get zeros
    (``materialize_grads``) or None. Tensors, or their arrays when ``arrays``."""
    meta = node._output_meta
    if not meta:                        # single output (the common case)
        return (buf[0],)
    grads = []
    for i in range(len(meta)):
        g = buf.get(i)
        if g is None and node.materialize_grads:
            shape, dtype, device = meta[i]
            g = _fn.Tensor._zeros(shape, dtype, device)
            if arrays:
                g = g._data
        grads.append(g)
    return grads


def _run_node(node, buf, retain_graph, buffers, ready):
    grads = _output_grads(node, buf, False)
    out = node.apply(*grads)
    if type(out) is not tuple:
        out = (out,)
    edges = node.next_functions
    _check_count(node, out)
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
            heappush(ready, (-nxt._seq, nxt))
        else:
            b[nr] = _add(b.get(nr), g)


def _run_node_arrays(node, buf, retain_graph, buffers, ready):
    """``_run_node`` without create_graph: gradients are ``xp`` arrays; ops with ``backward_data`` take
    them as they are, the others get them wrapped as Tensors (and give Tensors back)."""
    grads = (buf[0],) if not node._output_meta else _output_grads(node, buf, True)
    backward_data = node._backward_data      # bound to the node, which is the op's ctx
    if backward_data is not None and node._hooks is None:
        out = backward_data(*grads)
        if type(out) is not tuple:
            out = (out,)
    else:
        out = _apply_on_tensors(node, grads)
    if AnomalyMode.enabled and AnomalyMode.check_nan:
        _check_nan(node, [None if g is None else _fn.Tensor._wrap(g) for g in out])
    if not retain_graph and node._saved:
        node._release()
    input_meta = node._input_meta
    for i, ((nxt, nr), g) in enumerate(zip(node.next_functions, out)):
        if nxt is None or g is None:
            continue
        shape, np_dtype = input_meta[i]
        if g.shape != shape or g.dtype != np_dtype:
            g = _validate_array(node, i, g, shape, np_dtype)
        b = buffers.get(nxt)
        if b is None:
            buffers[nxt] = {nr: g}
            heappush(ready, (-nxt._seq, nxt))
        else:
            old = b.get(nr)
            b[nr] = g if old is None else old + g


def _check_count(node, out):
    """A custom Function's backward must return a gradient for every input (PyTorch's error)."""
    n = len(node.next_functions)
    if len(out) < n and not getattr(node._forward_cls, "_internal", True):
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                           f"(expected {n}, got {len(out)})")


def _apply_on_tensors(node, grads):
    """Run a node's Tensor ``backward`` (and its hooks) for the array path; returns arrays."""
    Tensor = _fn.Tensor
    tgrads = tuple(None if g is None else Tensor._wrap(g) for g in grads)
    out = node.apply(*tgrads)
    if type(out) is not tuple:
        out = (out,)
    _check_count(node, out)
    if node._hooks:
        for h in node._hooks:
            r = h(out, tgrads)
            if r is not None:
                out = tuple(r)
    arrays = []
    for i, g in enumerate(out):
        if g is None or i >= len(node.next_functions) or node.next_functions[i][0] is None:
            arrays.append(None)
        elif isinstance(g, Tensor):
            arrays.append(g._data)
        else:
            raise TypeError(f"{node.name()}.backward returned {type(g).__name__} for input {i}; expected a "
                            "Tensor or None")
    return tuple(arrays)


def _validate_array(node, i, g, shape, np_dtype):
    """``_validate`` for arrays: sum a broadcast gradient to the input's shape, cast it to its dtype."""
    if g.shape != shape:
        if not _expandable(shape, g.shape):
            raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {i} - got "
                               f"{list(g.shape)} but expected shape compatible with {list(shape)}")
        lead = g.ndim - len(shape)
        dims = tuple(range(lead)) + tuple(k + lead for k, s in enumerate(shape) if s == 1 and g.shape[k + lead] != 1)
        if dims:     # half-precision gradients are summed in float32, as PyTorch accumulates them
            g = g.sum(axis=dims, dtype=np.float32).astype(g.dtype) if g.dtype.itemsize == 2 else g.sum(axis=dims)
        if g.shape != shape:
            g = g.reshape(shape)
    if g.dtype != np_dtype:
        g = (g.real if g.dtype.kind == "c" and np_dtype.kind != "c" else g).astype(np_dtype)   # real input: real part
    return g


def _accumulate_array(var, g):
    """AccumulateGrad for the array path: ``.grad`` takes over ``g`` when nobody else holds it."""
    if g is None:
        return
    d = var.__dict__
    if d and (d.get("_backward_hooks") or d.get("_post_acc_hooks")):
        _accumulate(var, _fn.Tensor._wrap(g), False)   # copies: g is referenced here
        return
    grad = var._grad
    if grad is None:
        if not (_CAN_COUNT_REFS and type(g) is np.ndarray and g.base is None and g.flags.writeable
                and sys.getrefcount(g) <= _OWNED_ARRAY_REFS):
            g = g.copy()     # shared (both sides of an add, a broadcast view, a saved array): copy
        var._grad = _fn.Tensor._wrap(g)
    elif grad._requires_grad:
        var._grad = grad + _fn.Tensor._wrap(g)
    else:
        grad._data += g
        grad._version[0] += 1


# References to a gradient array nobody else holds, while _accumulate_array checks: its argument and
# getrefcount's. Calibrated on CPython 3.10-3.13; elsewhere counts may differ: always copy.
_OWNED_ARRAY_REFS = 2
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
        else:
            # Copy: the gradient may be shared (a hook's reference, its caller's array). The common path,
            # _accumulate_array, takes over unshared buffers instead.
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

