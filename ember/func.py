"""``torch.func``: ``grad``, ``grad_and_value``, ``vjp``, ``jvp``, ``jacrev``, ``jacfwd``, ``hessian``,
``linearize``, ``vmap``, ``functional_call``, ``stack_module_state``.

The function transforms run on the reverse-mode engine: the differentiated arguments are replaced by fresh
leaves, the function runs, and ``autograd.grad`` (with ``create_graph`` so that transforms nest:
``jacrev(jacrev(f))``) gives the result. A result that depends only on this call's own leaves is detached,
so only dependence on tensors from outside (an outer transform, or tensors that require grad) stays
differentiable, as with functorch's levels. Arguments may be pytrees: tensors in tuples, lists and dicts.

Ember has no forward-mode AD: ``jvp`` (and ``jacfwd``, ``linearize`` on it) uses the double-vjp identity
``J t = d/du <J^T u, t>``: the vjp with a dummy cotangent ``u`` is linear in ``u``, and its own vjp with
cotangent ``t`` is the jvp. The results are PyTorch's; the cost is two backward passes instead of one
forward. ``hessian`` is reverse-over-reverse. ``vmap`` runs ``func`` once per batch entry and stacks the
results (functorch's fallback path): the same values and gradients as the batched rules, without their
speed, and more permissive (``.item()`` and data-dependent control flow work per sample).
"""
from . import autograd as _autograd
from ._tensor import Tensor
from .autograd.function import AccumulateGrad
from .autograd.grad_mode import GradMode, enable_grad
from .ops._pytree import flatten as _flatten, unflatten as _unflatten

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "linearize", "vmap",
           "functional_call", "stack_module_state"]


# ---------------------------------------------------------------- pytrees: tuples, lists, dicts of leaves
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


# ---------------------------------------------------------------- forward mode, through the double vjp
def _check_primals(primals, tangents, name):
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{name}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals).")
    p_leaves, p_spec = _flatten(primals)
    t_leaves, t_spec = _flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(f"{name}: Expected primals and tangents to have the same python structure. For example, "
                           "if primals is a tuple of 3 tensors, tangents also must be. Got primals with structure "
                           f"{_spec_str(p_spec)} and tangents with structure {_spec_str(t_spec)}")
    for p, t in zip(p_leaves, t_leaves):
        if isinstance(p, Tensor) and isinstance(t, Tensor) and p.shape != t.shape:
            raise RuntimeError("Trying to set a forward gradient that has a different size than that of the original "
                               f"Tensor, this is not supported. Tensor is of size {list(p.shape)} while the given "
                               f"forward gradient is of size {list(t.shape)}.")
    return [t for t in t_leaves if isinstance(t, Tensor)]


class _Linearized:
    """``func`` run once at the primals, with the vjp graph kept: ``J^T u`` for dummy cotangents ``u``.

    ``J^T u`` is linear in ``u``, so its vjp with cotangents ``t`` (the tangents of the inputs) is ``J t``,
    for any number of tangents, without running ``func`` again.
    """

    def __init__(self, func, args, nums, name, has_aux, kwargs=None):
        self.level = level = _Level()
        with enable_grad(), level:
            self.args, inputs = level.track_args(args, nums)
            self.inputs = [x for leaves in inputs for x in leaves]
            out, self.aux = _split_aux(func(*self.args, **(kwargs or {})), has_aux, name)
            self.out_leaves, self.out_spec = _flatten(out)
            for o in self.out_leaves:
                if not isinstance(o, Tensor):
                    raise RuntimeError(f"{name}: Expected f to be a function that has only Tensors as output, got "
                                       f"{type(o)}")
            self.dummies = [level.track(Tensor._zeros(o.shape, o.dtype, o.device))[0] for o in self.out_leaves]
            self.vjps = level.grad(self.out_leaves, self.inputs, self.dummies, retain_graph=True, create_graph=True)
        self.out = _unflatten(self.out_leaves, self.out_spec)

    def jvp(self, tangents, create_graph=None):
        """``J t`` per output, for flat ``tangents`` (one per input leaf; None for a zero tangent)."""
        pairs = [(v, t) for v, t in zip(self.vjps, tangents) if v.requires_grad and t is not None]
        with enable_grad():
            if not pairs:
                res = [None] * len(self.dummies)
            else:
                keep = self.level.outer_grad if create_graph is None else create_graph
                res = _autograd.grad([v for v, _ in pairs], self.dummies, [t.to(v.dtype) for v, t in pairs],
                                     retain_graph=True, create_graph=keep, allow_unused=True)
        return [r if r is not None else Tensor._zeros(d.shape, d.dtype, d.device) for r, d in zip(res, self.dummies)]


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """``(func(*primals), J @ tangents)`` (and ``aux``): the Jacobian-vector product at ``primals``."""
    name = "jvp(f, primals, tangents)"
    flat_t = _check_primals(primals, tangents, name)
    lin = _Linearized(func, primals, range(len(primals)), name, has_aux)
    jv = lin.level.release(_unflatten(lin.jvp(flat_t), lin.out_spec))
    result = (lin.level.release(lin.out), jv)
    return result + (lin.level.release(lin.aux),) if has_aux else result


def linearize(func, *primals):
    """``(func(*primals), jvp_fn)``: ``jvp_fn(*tangents)`` is the jvp at ``primals``, reusing one graph."""
    lin = _Linearized(func, primals, range(len(primals)), "linearize", False)

    def jvp_fn(*tangents):
        flat_t = _check_primals(primals, tangents, "linearize")
        return lin.level.release(_unflatten(lin.jvp(flat_t), lin.out_spec))
    return lin.level.release(lin.out), jvp_fn


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """``jacfwd(f)(*args)``: the Jacobian column by column, one jvp per input element; laid out as jacrev's
    (output shape + input shape, nested as output tree, argnums tuple, input tree)."""
    from . import stack

    def wrapper(*args, **kwargs):
        nums = _argnums_tuple(argnums, len(args), "jacfwd")
        lin = _Linearized(func, args, nums, "jacfwd(f, ...)(*args)", has_aux, kwargs)
        cols = [[] for _ in lin.out_leaves]        # per output: per input leaf, (numel_in) columns
        for k, x in enumerate(lin.inputs):
            per_out = [[] for _ in lin.out_leaves]
            basis = Tensor._zeros((x.numel(), x.numel()), x.dtype, x.device)
            if x.numel():
                basis.fill_diagonal_(1)
            for e in basis:           # one unit tangent per element of input k, zero for the others
                tangents = [e.reshape(x.shape) if i == k else None for i in range(len(lin.inputs))]
                for j, c in enumerate(lin.jvp(tangents)):
                    per_out[j].append(c)
            for j, o in enumerate(lin.out_leaves):
                jac = (stack(per_out[j], dim=-1) if per_out[j]
                       else Tensor._zeros(tuple(o.shape) + (0,), o.dtype, o.device))
                cols[j].append(jac.reshape(tuple(o.shape) + tuple(x.shape)))
        jacs = []
        for per_in in cols:
            it = iter(per_in)
            trees = [_refill(lin.args[n], it) for n in nums]
            jacs.append(trees[0] if isinstance(argnums, int) else tuple(trees))
        jac = lin.level.release(_unflatten(jacs, lin.out_spec))
        return (jac, lin.level.release(lin.aux)) if has_aux else jac
    return wrapper


def hessian(func, argnums=0):
    """The Hessian of ``func`` w.r.t. ``args[argnums]``: ``jacrev(jacrev(func))`` (PyTorch uses
    forward-over-reverse; the values are the same)."""
    return jacrev(jacrev(func, argnums), argnums)


# ---------------------------------------------------------------- vmap
def _dims_per_leaf(dims, tree, what, prefix):
    """Broadcast ``dims`` (an int/None, or a tree that is a prefix of ``tree``) to one dim per leaf of ``tree``."""
    if dims is None or isinstance(dims, int):
        return [dims] * len(_flatten(tree)[0])
    same = (isinstance(dims, (tuple, list)) and isinstance(tree, (tuple, list)) and len(dims) == len(tree)) or \
        (isinstance(dims, dict) and isinstance(tree, dict) and set(dims) == set(tree))
    if not same:
        raise ValueError(f"{prefix}: {what}_dims is not compatible with the structure of `{what}puts`. {what}_dims "
                         f"has structure {_spec_str(_flatten(dims)[1])} but {what}puts has structure "
                         f"{_spec_str(_flatten(tree)[1])}.")
    keys = list(tree) if isinstance(tree, dict) else range(len(tree))
    return [d for k in keys for d in _dims_per_leaf(dims[k], tree[k], what, prefix)]


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """``vmap(f)(x)``: ``f`` mapped over dimension ``in_dims`` of its inputs, results stacked at ``out_dims``.

    Each batch entry runs ``func`` on its slices (``x.select(in_dim, i)``), so gradients flow to the
    batched inputs, and transforms nest (``vmap(grad(f))`` gives per-sample gradients). ``randomness``:
    ``"error"`` refuses random ops inside, ``"same"`` gives every entry the same draws, ``"different"``
    independent ones.
    """
    import functools

    from . import _random

    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. Got {randomness}")
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size <= 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")
    name = getattr(func, "__name__", repr(func))

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        prefix = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)"
        if not isinstance(in_dims, (int, tuple)) or in_dims is None:
            raise ValueError(f"{prefix}: expected `in_dims` to be int or a (potentially nested) tuple matching the "
                             f"structure of inputs, got: {type(in_dims)}.")
        leaves, spec = _flatten(args)
        dims = _dims_per_leaf(in_dims if isinstance(in_dims, int) else tuple(in_dims), args, "in", prefix)
        sizes = []
        for i, (x, d) in enumerate(zip(leaves, dims)):
            if d is None:
                continue
            if not isinstance(x, Tensor):
                raise ValueError(f"{prefix}: Got in_dim={d} for an input but the input is of type {type(x)}. We "
                                 "cannot vmap over non-Tensor arguments, please use None as the respective in_dim")
            if not -x.dim() <= d < x.dim():
                raise ValueError(f"{prefix}: Got in_dim={d} for some input, but that input is a Tensor of "
                                 f"dimensionality {x.dim()} so expected in_dim to satisfy -{x.dim()} <= in_dim < "
                                 f"{x.dim()}.")
            dims[i] = d % x.dim()
            sizes.append(x.shape[dims[i]])
        if not sizes:
            raise ValueError("vmap: Expected at least one Tensor to vmap over")
        if len(set(sizes)) > 1:
            raise ValueError("vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                             f"{sizes} for the mapped dimension")

        def call(i):
            sample = [x if d is None else (x.select(d, i) if i is not None else
                                           Tensor._zeros(x.shape[:d] + x.shape[d + 1:], x.dtype, x.device))
                      for x, d in zip(leaves, dims)]
            return func(*_unflatten(sample, spec), **kwargs)

        start = _random.get_rng_state()
        if sizes[0] == 0:      # no entry to run: one call on zeros gives the shapes of the (empty) results
            results = [call(None)]
            _random.set_rng_state(start)
        else:
            results = []
            for i in range(sizes[0]):
                if randomness == "same":
                    _random.set_rng_state(start)
                results.append(call(i))
                if randomness == "error" and not bool((_random.get_rng_state() == start).all()):
                    raise RuntimeError("vmap: called random operation while in randomness error mode. Please "
                                       "either use the 'same' or 'different' randomness flags on vmap or perform the "
                                       "randomness operation out of vmap")
        return _stack_results(results, out_dims, name, empty=sizes[0] == 0)
    return wrapped


def _stack_results(results, out_dims, name, empty):
    from . import stack
    out_leaves, out_spec = _flatten(results[0])
    prefix = f"vmap({name}, ..., out_dims={out_dims})(<inputs>)"
    dims = _dims_per_leaf(out_dims, results[0], "out", prefix)
    per_entry = [_flatten(r) for r in results]
    if any(sp != out_spec for _, sp in per_entry):
        raise ValueError(f"vmap({name}, ...): `{name}` must return outputs of the same structure for every entry")
    stacked = []
    for k, d in enumerate(dims):
        column = [leaves[k] for leaves, _ in per_entry]
        if d is None:      # an unbatched output: the same for every entry
            first = column[0]
            same = all((isinstance(c, Tensor) and isinstance(first, Tensor) and c.shape == first.shape
                        and bool((c == first).all())) or c is first for c in column[1:])
            if not same:
                raise ValueError(f"vmap({name}, ...): `{name}` can not return a BatchedTensor when out_dim is None")
            stacked.append(first)
            continue
        if not isinstance(column[0], Tensor):
            raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(column[0])}. "
                             "Did you mean to set out_dims= to None for output?")
        full = stack(column, dim=0)
        if empty:
            full = full[:0]
        stacked.append(full.movedim(0, d) if d != 0 else full)
    return _unflatten(stacked, out_spec)


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


def stack_module_state(models):
    """``(params, buffers)``: each dict maps a name to the stacked tensors of all ``models`` (for ``vmap``
    over an ensemble with ``functional_call``); stacked parameters are new leaves."""
    from . import stack

    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if len({m.training for m in models}) > 1:
        raise RuntimeError("stack_module_state: Expected all models to have the same training/eval mode.")
    if len({type(m) for m in models}) > 1:
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")

    def stacked(getter, leaf):
        out = {}
        for name, first in getter(models[0]):
            ts = [dict(getter(m))[name] for m in models]
            if leaf and len({t.requires_grad for t in ts}) > 1:
                raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
            s = stack([t.detach() for t in ts])
            out[name] = s.requires_grad_(first.requires_grad) if leaf else s
        return out
    return (stacked(lambda m: list(m.named_parameters()), True),
            stacked(lambda m: list(m.named_buffers()), False))
