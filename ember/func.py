"""``torch.func`` basics: ``grad``, ``grad_and_value``, ``vjp``, ``jacrev``, ``hessian``, ``functional_call``.

The function transforms run on the reverse-mode engine: the differentiated arguments are replaced by fresh
leaves, the function runs, and ``autograd.grad`` (with ``create_graph`` so that transforms nest:
``jacrev(jacrev(f))``) gives the result. A result that depends only on this call's own leaves is detached,
so only dependence on tensors from outside (an outer transform, or tensors that require grad) stays
differentiable, as with functorch's levels. Arguments may be pytrees: tensors in tuples, lists and dicts.
There is no ``vmap`` or ``jacfwd`` (no forward-mode AD); ``hessian`` is reverse-over-reverse.
"""
from . import autograd as _autograd
from ._tensor import Tensor
from .autograd.function import AccumulateGrad
from .autograd.grad_mode import GradMode, enable_grad

__all__ = ["grad", "grad_and_value", "vjp", "jacrev", "hessian", "functional_call"]


# ---------------------------------------------------------------- pytrees: tuples, lists, dicts of leaves
def _flatten(tree):
    """``(leaves, spec)``; ``spec`` rebuilds the tree from the leaves with ``_unflatten``."""
    if isinstance(tree, (tuple, list)):
        parts = [_flatten(c) for c in tree]
        return [x for p in parts for x in p[0]], (type(tree), None, [p[1] for p in parts])
    if isinstance(tree, dict):
        parts = [_flatten(c) for c in tree.values()]
        return [x for p in parts for x in p[0]], (dict, list(tree), [p[1] for p in parts])
    return [tree], None


def _unflatten(leaves, spec):
    it = iter(leaves)

    def build(s):
        if s is None:
            return next(it)
        kind, keys, children = s
        values = [build(c) for c in children]
        if kind is dict:
            return dict(zip(keys, values))
        return kind(*values) if hasattr(kind, "_fields") else kind(values)   # namedtuples take positions
    return build(spec)


def _refill(tree, values):
    """``tree`` with its Tensor leaves replaced, in order, by the next items of iterator ``values``."""
    leaves, spec = _flatten(tree)
    return _unflatten([next(values) if isinstance(x, Tensor) else x for x in leaves], spec)


def _spec_str(spec):
    """PyTorch's short form of a tree structure, for error messages: ``(*, [*, *])``."""
    if spec is None:
        return "*"
    kind, keys, children = spec
    inner = [_spec_str(c) for c in children]
    if kind is dict:
        return "{" + ", ".join(f"{k!r}: {v}" for k, v in zip(keys, inner)) + "}"
    return ("[%s]" if issubclass(kind, list) else "(%s)") % ", ".join(inner)


# ---------------------------------------------------------------- one transform's leaves
def _argnums_tuple(argnums, nargs, name):
    nums = (argnums,) if isinstance(argnums, int) else argnums
    if not isinstance(nums, tuple) or not nums or not all(isinstance(n, int) for n in nums):
        raise RuntimeError(f"{name}: argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    for n in nums:
        if not -nargs <= n < nargs:
            raise RuntimeError(f"Got argnums={n}, but only {nargs} positional inputs")
    return tuple(n % nargs for n in nums)


def _fresh(x):
    """A differentiable stand-in for ``x``: linked to it when it requires grad, else a new leaf."""
    return x.view_as(x) if x.requires_grad else x.detach().requires_grad_(True)


_active = []    # the transform calls running now, outermost first


class _Level:
    """The leaves one transform call differentiates with respect to (its AccumulateGrad nodes are tagged)."""

    def __init__(self):
        self.outer_grad = GradMode.enabled     # create_graph only when the caller records a graph

    def __enter__(self):
        _active.append(self)
        return self

    def __exit__(self, *exc):
        _active.remove(self)

    def track(self, tree):
        leaves, spec = _flatten(tree)
        new = [_fresh(x) if isinstance(x, Tensor) else x for x in leaves]
        for x in new:
            if isinstance(x, Tensor) and x.grad_fn is None:
                x._func_acc = _autograd.function._edge(x)[0]    # the leaf holds its node: the tag lives on
                x._func_acc._func_level = self
        return _unflatten(new, spec), [x for x in new if isinstance(x, Tensor)]

    def track_args(self, args, nums):
        """``args`` with the arguments at ``nums`` tracked, and the leaves of each tracked argument."""
        args, inputs = list(args), []
        for n in nums:
            args[n], leaves = self.track(args[n])
            inputs.append(leaves)
        return args, inputs

    def _reaches_outside(self, t):
        """Whether ``t``'s history reaches a leaf from outside: a user's tensor that requires grad, or the
        leaf of an enclosing transform still running (leaves of this call and of finished ones are inside)."""
        seen, stack = set(), [t.grad_fn] if t.grad_fn is not None else []
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            if isinstance(node, AccumulateGrad):
                level = node.__dict__.get("_func_level")
                if level is None or (level is not self and level in _active):
                    return True
            stack.extend(n for n, _ in node.next_functions if n is not None)
        return False

    def release(self, tree, keep_graph=None):
        """The results as the caller sees them: detached unless they depend on something from outside."""
        keep = self.outer_grad if keep_graph is None else keep_graph
        leaves, spec = _flatten(tree)
        out = [x.detach() if isinstance(x, Tensor) and x.requires_grad
               and not (keep and self._reaches_outside(x)) else x for x in leaves]
        return _unflatten(out, spec)

    def grad(self, outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=None):
        """``autograd.grad`` with zeros for inputs the outputs do not reach (functorch's rule)."""
        if grad_outputs is None:
            grad_outputs = [None] * len(outputs)
        pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
        res = [None] * len(inputs)
        if pairs and inputs:
            res = _autograd.grad([o for o, _ in pairs], inputs, [g for _, g in pairs], retain_graph=retain_graph,
                                 create_graph=self.outer_grad if create_graph is None else create_graph,
                                 allow_unused=True)
        return [g if g is not None else Tensor._zeros(x.shape, x.dtype, x.device) for g, x in zip(res, inputs)]


def _split_aux(out, has_aux, name):
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{name}(f)(*args): output of function f should be a tuple: (output, aux) if has_aux "
                           "is True")
    return out


# ---------------------------------------------------------------- transforms
def grad_and_value(func, argnums=0, has_aux=False):
    """``grad_and_value(f)(*args)`` -> ``(grad, value)`` (``((grad, (value, aux))`` with ``has_aux``)."""
    def wrapper(*args, **kwargs):
        level = _Level()
        nums = _argnums_tuple(argnums, len(args), "grad_and_value")
        with enable_grad(), level:
            args, inputs = level.track_args(args, nums)
            out, aux = _split_aux(func(*args, **kwargs), has_aux, "grad_and_value")
            if not isinstance(out, Tensor):
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got {type(out)}")
            if out.dim() != 0:
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                                   f"tensor with {out.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs "
                                   "instead?")
            flat = level.grad([out], [x for leaves in inputs for x in leaves])
        it = iter(flat)
        grads = [_refill(args[n], it) for n in nums]
        g = grads[0] if isinstance(argnums, int) else tuple(grads)
        value = (out, aux) if has_aux else out
        return level.release(g), level.release(value)
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """``grad(f)(*args)``: the gradient of scalar ``f`` w.r.t. ``args[argnums]`` (``(grad, aux)`` with has_aux)."""
    gv = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g
    return wrapper


def vjp(func, *primals, has_aux=False):
    """``(output, vjp_fn)`` (and ``aux``): ``vjp_fn(cotangents)`` gives one gradient tree per primal."""
    level = _Level()
    with enable_grad(), level:
        tracked = [level.track(p) for p in primals]
        out, aux = _split_aux(func(*[t for t, _ in tracked]), has_aux, "vjp")
    out_leaves, out_spec = _flatten(out)
    for o in out_leaves:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"vjp(f, *primals): Expected f to be a function that has only Tensors as output, "
                               f"got {type(o)}")
    inputs = [x for _, leaves in tracked for x in leaves]

    def vjp_fn(cotangents, *, retain_graph=True, create_graph=None):
        ct_leaves, ct_spec = _flatten(cotangents)
        if ct_spec != out_spec:
            raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree structure of "
                               f"outputs to the function. cotangents: {_spec_str(ct_spec)}, primal output: "
                               f"{_spec_str(out_spec)}")
        keep = GradMode.enabled if create_graph is None else create_graph
        with enable_grad():
            flat = iter(level.grad(out_leaves, inputs, ct_leaves, retain_graph=retain_graph, create_graph=keep))
        return level.release(tuple(_refill(t, flat) for t, _ in tracked), keep)

    result = (level.release(out), vjp_fn)
    return result + (level.release(aux),) if has_aux else result


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None):
    """``jacrev(f)(*args)``: for each output of shape O and input of shape I, the Jacobian of shape O + I,
    nested as (output tree, then the argnums tuple if one was given, then the input tree)."""
    from . import stack

    def wrapper(*args, **kwargs):
        level = _Level()
        nums = _argnums_tuple(argnums, len(args), "jacrev")
        with enable_grad(), level:
            args, inputs = level.track_args(args, nums)
            out, aux = _split_aux(func(*args, **kwargs), has_aux, "jacrev")
            out_leaves, out_spec = _flatten(out)
            flat_in = [x for leaves in inputs for x in leaves]
            jacs = []
            for o in out_leaves:
                if not isinstance(o, Tensor):
                    raise RuntimeError(f"jacrev(f, ...)(*args): Expected f to be a function that has only Tensors "
                                       f"as output, got {type(o)}")
                rows = [level.grad([e], flat_in, retain_graph=True) for e in o.reshape(-1)] if o.numel() else []
                per_in = [stack([r[k] for r in rows]).reshape(o.shape + x.shape) if rows
                          else Tensor._zeros(o.shape + x.shape, x.dtype, x.device) for k, x in enumerate(flat_in)]
                it = iter(per_in)
                trees = [_refill(args[n], it) for n in nums]
                jacs.append(trees[0] if isinstance(argnums, int) else tuple(trees))
        jac = level.release(_unflatten(jacs, out_spec))
        return (jac, level.release(aux)) if has_aux else jac
    return wrapper


def hessian(func, argnums=0):
    """The Hessian of ``func`` w.r.t. ``args[argnums]``: ``jacrev(jacrev(func))`` (PyTorch uses
    forward-over-reverse; the values are the same)."""
    return jacrev(jacrev(func, argnums), argnums)


# ---------------------------------------------------------------- functional_call
def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """Run ``module(*args, **kwargs)`` with its parameters and buffers replaced, for this call only, by the
    tensors in ``parameter_and_buffer_dicts`` (a dict of dotted names, or a tuple of dicts)."""
    dicts = parameter_and_buffer_dicts
    if isinstance(dicts, dict):
        new = dict(dicts)
    else:
        new = {}
        for d in dicts:
            repeated = sorted(set(new) & set(d))
            if repeated:
                raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of functional call is "
                                 "ambiguous")
            new.update(d)
    known = dict(module.named_parameters(remove_duplicate=False))
    known.update(module.named_buffers(remove_duplicate=False))
    if strict:
        missing, unexpected = sorted(set(known) - set(new)), sorted(set(new) - set(known))
        if missing or unexpected:
            lines = []
            if unexpected:
                lines.append("\tUnexpected key(s): " + ", ".join(repr(k) for k in unexpected) + ".")
            if missing:
                lines.append("\tMissing key(s): " + ", ".join(repr(k) for k in missing) + ".")
            raise RuntimeError(f"Error(s) in reparametrizing for {type(module).__name__}:\n" + "\n".join(lines))
    if tie_weights:     # a tensor shared under several names is replaced under all of them
        by_id = {id(known[k]): v for k, v in new.items() if k in known}
        for k, t in known.items():
            if k not in new and id(t) in by_id:
                new[k] = by_id[id(t)]
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    undo = []
    try:
        for name, value in new.items():
            owner_path, _, attr = name.rpartition(".")
            owner = module.get_submodule(owner_path)
            for store in (owner._parameters, owner._buffers):
                if attr in store:
                    undo.append((store, attr, store[attr]))
                    store[attr] = value      # straight into the dict: a plain tensor may stand in for a Parameter
                    break
            else:
                undo.append((owner.__dict__, attr, owner.__dict__.get(attr, undo)))
                owner.__dict__[attr] = value
        return module(*args, **(kwargs or {}))
    finally:
        for store, attr, old in reversed(undo):
            if old is undo:      # an attribute that did not exist before
                del store[attr]
            else:
                store[attr] = old
