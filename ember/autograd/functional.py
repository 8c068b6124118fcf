"""``torch.autograd.functional``: jacobian, hessian, vjp, jvp, hvp, vhp on top of the reverse-mode engine.

Each takes a function and its input(s); a single Tensor in gives single results back, a tuple gives tuples
(PyTorch's rule). Forward-mode products (``jvp``, ``hvp``) use the "double backward trick": the gradient of a
vector-Jacobian product with respect to its (dummy) vector is the Jacobian-vector product.
Ember has no forward-mode AD, so ``strategy="forward-mode"`` raises.
"""
from . import function as _function
from .grad_mode import GradMode, enable_grad, set_grad_enabled

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _tuple_of_tensors(x, arg_name, fn_name):
    """``(was_tuple, tuple_of_tensors)``; PyTorch's TypeError for anything else."""
    is_tuple = isinstance(x, tuple)
    xs = x if is_tuple else (x,)
    for i, el in enumerate(xs):
        if not isinstance(el, _function.Tensor):
            where = f"value at index {i}" if is_tuple else f"given {arg_name}"
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors "
                            f"but the {where} has type {type(el)}.")
    return is_tuple, xs


def _unpack(res, is_tuple):
    return res if is_tuple else res[0]


def _prep(xs, create_graph, need_graph):
    """Fresh differentiable stand-ins for the inputs; with create_graph they stay linked to the originals."""
    return tuple(x.view_as(x) if create_graph and x.requires_grad else x.detach().requires_grad_(need_graph)
                 for x in xs)


def _post(xs, create_graph):
    return tuple(x if create_graph else x.detach() for x in xs)


def _validate_v(v, other, is_other_tuple):
    if len(v) != len(other):
        if is_other_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, other)):
        if a.size() != b.size():
            where = f"Entry {i} in " if is_other_tuple else ""
            raise RuntimeError(f"{where}v has invalid size: should be {b.size()} but got {a.size()}.")


_STRICT_MSG = {
    "outputs": ("Output {i} of the user-provided function does not require gradients. The outputs must be "
                "computed in a differentiable manner from the input when running in strict mode."),
    "grad_inputs": ("The gradient with respect to input {i} is independent of the inputs of the user-provided "
                    "function. This is not allowed in strict mode."),
    "jacobian": ("While computing the hessian, found that the jacobian of the user-provided function with "
                 "respect to input {i} is independent of the input. This is not allowed in strict mode. You "
                 "should ensure that your function is twice differentiable and that the jacobian depends on the "
                 "inputs (this would be violated by a linear function for example)."),
    "hessian": ("The hessian of the user-provided function with respect to input {i} is independent of the "
                "input. This is not allowed in strict mode. You should ensure that your function is thrice "
                "differentiable and that the hessian depends on the inputs."),
}


def _check_requires_grad(xs, kind, strict):
    if not strict:
        return
    for i, x in enumerate(xs):
        if x is None:
            raise RuntimeError(f"The output of the user-provided function is independent of input {i}. This is "
                               "not allowed in strict mode.")
        if not x.requires_grad:
            raise RuntimeError(_STRICT_MSG[kind].format(i=i))


def _grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """``autograd.grad`` over the outputs that need a gradient; None for inputs they do not reach."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    from . import grad
    return grad([o for o, _ in pairs], inputs, [g for _, g in pairs], retain_graph=retain_graph,
                create_graph=create_graph, allow_unused=True)


_ZERO_MSG = {
    "back": "The output of the user-provided function is independent of input {i}. This is not allowed in "
            "strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the grad_outputs when "
                  "using the double backward trick to compute forward mode gradients. This is not allowed in "
                  "strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This is not allowed "
                   "in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} in the "
                         "grad_jacobian. This is not allowed in strict mode as it prevents from using the double "
                         "backward trick to replace forward mode AD.",
}


def _fill_in_zeros(grads, refs, strict, create_graph, stage):
    """Zeros where no gradient flowed (strict mode raises instead)."""
    out = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_ZERO_MSG[stage].format(i=i))
            g = _zeros_like(ref)
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of input {i}. This is "
                               "not allowed in strict mode when create_graph=True.")
        out.append(g)
    return tuple(out)


def _zeros_like(t, requires_grad=False):
    z = _function.Tensor._zeros(t.shape, t.dtype, t.device)
    return z.requires_grad_(True) if requires_grad else z


def _need_v(v, xs, is_tuple, fn_name, what, create_graph):
    """Check ``v`` against ``xs`` (or that it may be left out); returns it as a tuple of plain tensors."""
    if v is None:
        if len(xs) != 1 or xs[0].nelement() != 1:
            raise RuntimeError(f"The vector v can only be None if {what} a single Tensor with a single element.")
        return None
    v = _prep(_tuple_of_tensors(v, "v", fn_name)[1], create_graph, False)
    _validate_v(v, xs, is_tuple)
    return v


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T J)``: the vector-Jacobian product of ``func`` at ``inputs``."""
    with enable_grad():
        in_tuple, inputs = _tuple_of_tensors(inputs, "inputs", "vjp")
        inputs = _prep(inputs, create_graph, True)
        out_tuple, outputs = _tuple_of_tensors(func(*inputs), "outputs of the user-provided function", "vjp")
        _check_requires_grad(outputs, "outputs", strict)
        v = _need_v(v, outputs, out_tuple, "vjp", "the user-provided function returns", create_graph)
    with set_grad_enabled(create_graph or GradMode.enabled):
        res = _fill_in_zeros(_grad(outputs, inputs, v, create_graph), inputs, strict, create_graph, "back")
    return _unpack(_post(outputs, create_graph), out_tuple), _unpack(_post(res, create_graph), in_tuple)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J v)``: the Jacobian-vector product, by the double backward trick."""
    with enable_grad():
        in_tuple, inputs = _tuple_of_tensors(inputs, "inputs", "jvp")
        inputs = _prep(inputs, create_graph, True)
        v = _need_v(v, inputs, in_tuple, "jvp", "the input to the user-provided function is", create_graph)
        out_tuple, outputs = _tuple_of_tensors(func(*inputs), "outputs of the user-provided function", "jvp")
        _check_requires_grad(outputs, "outputs", strict)
        # u -> u^T J is linear in u: its gradient w.r.t. u, applied to v, is J v
        dummy = tuple(_zeros_like(o, True) for o in outputs)
        grad_inputs = _grad(outputs, inputs, dummy, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
    with set_grad_enabled(create_graph or GradMode.enabled):
        res = _fill_in_zeros(_grad(grad_inputs, dummy, v, create_graph), outputs, strict, create_graph,
                             "back_trick")
    return _unpack(_post(outputs, create_graph), out_tuple), _unpack(_post(res, create_graph), out_tuple)


def _forward_mode(inputs, create_graph, strict, vectorize):
    """PyTorch's checks for ``strategy="forward-mode"``, in its order; Ember cannot go further."""
    if create_graph:
        raise NotImplementedError('torch.autograd.functional.jacobian: `create_graph=True` and `strategy='
                                  '"forward-mode"` are not supported together (yet). Please either set '
                                  '`create_graph=False` or `strategy="reverse-mode"`.')
    if strict:
        raise RuntimeError('torch.autograd.functional.jacobian: `strict=True` and `strategy="forward-mode"` are '
                           'not supported together (yet). Please either set `strict=False` or '
                           '`strategy="reverse-mode"`.')
    _tuple_of_tensors(inputs, "inputs", "jacobian")
    if not vectorize:
        raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
                                  "only implemented for `vectorize=True`.")
    raise NotImplementedError('jacobian: strategy="forward-mode" needs forward-mode AD and vmap, which Ember '
                              'does not have; strategy="reverse-mode" gives the same Jacobian.')


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: for output shape O and input shape I, a tensor of shape O + I.

    Tuples of outputs/inputs give tuples (outputs outer, inputs inner). ``vectorize=True`` is accepted and
    computes the same result row by row (Ember has no vmap).
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                             'function has more outputs than inputs, "forward-mode" tends to be more performant. '
                             'Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        _forward_mode(inputs, create_graph, strict, vectorize)
    with enable_grad():
        in_tuple, inputs = _tuple_of_tensors(inputs, "inputs", "jacobian")
        inputs = _prep(inputs, create_graph, True)
        out_tuple, outputs = _tuple_of_tensors(func(*inputs), "outputs of the user-provided function", "jacobian")
        _check_requires_grad(outputs, "outputs", strict)
        if vectorize and strict:
            raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
                               "supported together. Please either set `strict=False` or `vectorize=False`.")
        from .. import stack
        jac = []
        for i, out in enumerate(outputs):
            rows = [[] for _ in inputs]             # rows[k][j]: d out.flat[j] / d inputs[k]
            flat = out.reshape(-1)
            for j in range(out.nelement()):
                vj = _grad((flat[j],), inputs, retain_graph=True, create_graph=create_graph)
                for k, (g, x) in enumerate(zip(vj, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is independent of "
                                               f"input {k}. This is not allowed in strict mode.")
                        g = _zeros_like(x)
                    elif strict and create_graph and not g.requires_grad:
                        raise RuntimeError(f"The jacobian of the user-provided function is independent of input "
                                           f"{i}. This is not allowed in strict mode when create_graph=True.")
                    rows[k].append(g)
            jac.append(tuple(_stacked(stack, r, out.size() + x.size(), x) for r, x in zip(rows, inputs)))
        jac = [_post(j, create_graph) for j in jac]
    return _unpack(tuple(j if in_tuple else j[0] for j in jac), out_tuple)


def _stacked(stack, rows, shape, like):
    if not rows:             # an output with no elements
        return _function.Tensor._zeros(tuple(shape), like.dtype, like.device)
    return stack(rows, dim=0).view(shape)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The Hessian of scalar ``func`` at ``inputs``: shape I + I (a tuple of tuples for tuple inputs)."""
    in_tuple, inputs = _tuple_of_tensors(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*xs):
        out = func(*xs)
        is_tuple, outs = _tuple_of_tensors(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(outs, "outputs", strict)
        if is_tuple:
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.nelement() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should contain a single "
                               "element")
        return out.squeeze()

    def jac_func(*xs):
        jac = jacobian(scalar_func, xs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                   strategy=outer_jacobian_strategy)
    return res if in_tuple else res[0][0]


def _hessian_products(func, inputs, v, create_graph, strict, fn_name):
    with enable_grad():
        in_tuple, inputs = _tuple_of_tensors(inputs, "inputs", fn_name)
        inputs = _prep(inputs, create_graph, True)
        v = _need_v(v, inputs, in_tuple, fn_name, "the input to the user-provided function is", create_graph)
        out = func(*inputs)
        out_tuple, outputs = _tuple_of_tensors(out, "outputs of the user-provided function", fn_name)
        _check_requires_grad(outputs, "outputs", strict)
        if out_tuple:
            raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
        if out.nelement() != 1:
            raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should contain a single "
                               "element")
        jac = _grad(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return in_tuple, inputs, v, outputs, jac


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T H)`` for a scalar ``func``."""
    in_tuple, inputs, v, outputs, jac = _hessian_products(func, inputs, v, create_graph, strict, "vhp")
    with set_grad_enabled(create_graph or GradMode.enabled):
        res = _fill_in_zeros(_grad(jac, inputs, v, create_graph), inputs, strict, create_graph, "double_back")
    return _post(outputs, create_graph)[0], _unpack(_post(res, create_graph), in_tuple)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), H v)`` for a scalar ``func``, by the double backward trick."""
    in_tuple, inputs, v, outputs, jac = _hessian_products(func, inputs, v, create_graph, strict, "hvp")
    with enable_grad():
        dummy = tuple(_zeros_like(x, True) for x in inputs)
        double_back = _grad(jac, inputs, dummy, create_graph=True)
        _check_requires_grad(jac, "hessian", strict)
    with set_grad_enabled(create_graph or GradMode.enabled):
        res = _fill_in_zeros(_grad(double_back, dummy, v, create_graph), inputs, strict, create_graph,
                             "double_back_trick")
    return _post(outputs, create_graph)[0], _unpack(_post(res, create_graph), in_tuple)
