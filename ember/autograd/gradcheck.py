"""``gradcheck`` / ``gradgradcheck``: compare autograd's gradients with finite differences.

For every input ``x_i`` that requires grad and every differentiable output
``y_o``, the numerical Jacobian (central differences, step ``eps``) and the
analytical one (one backward per output element) must agree within
``atol + rtol * |numerical|``, as ``torch.autograd.gradcheck`` checks. Both
Jacobians have shape ``(x_i.numel(), y_o.numel())``, as PyTorch prints them.
Use float64 inputs: in float32 the finite differences are too coarse.
"""
import warnings

import numpy as np

from . import function as _function
from .grad_mode import GradMode

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck``/``gradgradcheck`` when the gradients disagree (PyTorch's class)."""


def _Tensor():
    return _function.Tensor


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _is_tensor(x):
    return isinstance(x, _Tensor())


def _differentiable_outputs(out):
    return tuple(o for o in _as_tuple(out) if _is_tensor(o) and o.requires_grad)


def _check_inputs(inputs):
    any_grad = False
    for idx, inp in enumerate(inputs):
        if _is_tensor(inp) and inp.requires_grad:
            if inp.dtype.name not in ("float64", "complex128"):
                warnings.warn(f"Input #{idx} requires gradient and is not a double precision floating point or "
                              "complex. This check will likely fail if all the inputs are not of double precision "
                              "floating point or complex. ", stacklevel=3)
            if any(st == 0 and sz > 1 for st, sz in zip(inp.stride(), inp.shape)):
                raise RuntimeError(f"The {idx}th input has a dimension with stride 0. gradcheck only supports "
                                   "inputs that are non-overlapping to be able to compute the numerical gradients "
                                   "correctly. You should call .contiguous on the input before passing it to "
                                   "gradcheck.")
            any_grad = True
    if not any_grad:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of them have "
                         "requires_grad=True.")


def _outputs_as_arrays(func, inputs, n_outputs_like):
    """Run ``func`` and return its tensor outputs as float64 host arrays (the numerical side)."""
    out = [o for o in _as_tuple(func(*inputs)) if _is_tensor(o)]
    return [np.asarray(_to_host(o._data), dtype=np.float64).reshape(-1) for o in out[:n_outputs_like]]


def _to_host(a):
    return a.get() if hasattr(a, "get") else a


def _numerical_jacobians(func, inputs, diff_idx, out_idx, eps):
    """{(i, o): (numel_i, numel_o) array} of central differences, perturbing each input element in place."""
    jac = {}
    for i in diff_idx:
        data = inputs[i]._data
        n_in = data.size
        cols = None
        for k, index in enumerate(np.ndindex(*data.shape)):
            orig = data[index].copy()
            data[index] = orig + eps
            plus = _select(_outputs_as_arrays(func, inputs, None), out_idx)
            data[index] = orig - eps
            minus = _select(_outputs_as_arrays(func, inputs, None), out_idx)
            data[index] = orig
            if cols is None:
                cols = [np.zeros((n_in, p.size)) for p in plus]
            for o, (p, m) in enumerate(zip(plus, minus)):
                cols[o][k] = (p - m) / (2 * eps)
        for o in range(len(out_idx)):
            jac[(i, o)] = cols[o] if cols is not None else np.zeros((0, 0))
    return jac


def _select(arrays, idx):
    return [arrays[j] for j in idx]


def _analytical_jacobians(outputs, inputs, diff_idx, check_grad_dtypes):
    """{(i, o): (numel_i, numel_o) array}: one backward per output element, with a one-hot grad_output."""
    from . import grad as _grad
    T = _Tensor()
    jac = {}
    diff_inputs = [inputs[i] for i in diff_idx]
    for o, y in enumerate(outputs):
        n_out = y.numel()
        cols = {i: np.zeros((inputs[i].numel(), n_out)) for i in diff_idx}
        for k in range(n_out):
            onehot = y._xp().zeros(y._data.shape, dtype=y._data.dtype)
            onehot.reshape(-1)[k] = 1
            grads = _grad(y, diff_inputs, T._wrap(onehot), retain_graph=True, allow_unused=True)
            for i, x, g in zip(diff_idx, diff_inputs, grads):
                if g is None:
                    continue
                if check_grad_dtypes and g.dtype is not x.dtype:
                    raise GradcheckError("Gradient has dtype mismatch")
                if tuple(g.shape) != tuple(x.shape):
                    raise GradcheckError("Analytical gradient has incorrect size")
                cols[i][:, k] = np.asarray(_to_host(g._data), dtype=np.float64).reshape(-1)
        for i in diff_idx:
            jac[(i, o)] = cols[i]
    return jac


def _fail(msg, raise_exception):
    if raise_exception:
        raise GradcheckError(msg)
    return False


def _mismatch_msg(o, i, numerical, analytical):
    T = _Tensor()
    n, a = T._wrap(numerical), T._wrap(analytical)
    return f"Jacobian mismatch for output {o:d} with respect to input {i:d},\nnumerical:{n}\nanalytical:{a}\n"


def _unsupported(flag):
    raise ValueError(f"gradcheck: {flag}=True needs forward-mode AD or vmap, which Ember does not have; "
                     f"call gradcheck with {flag}=False (the default)")


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True, fast_mode=False,
              masked=None):
    """Check ``func``'s gradients w.r.t. its inputs against finite differences; ``True`` or GradcheckError.

    ``func(*inputs)`` returns a Tensor or a tuple of Tensors. ``fast_mode=True``
    compares one random projection ``v^T J u`` instead of the whole Jacobian.
    ``check_undefined_grad`` and ``masked`` concern undefined and sparse
    gradients, which Ember does not have; they are accepted and change nothing.
    """
    for flag, on in (("check_batched_grad", check_batched_grad), ("check_forward_ad", check_forward_ad),
                     ("check_batched_forward_grad", check_batched_forward_grad)):
        if on:
            _unsupported(flag)
    inputs = _as_tuple(inputs)
    _check_inputs(inputs)
    if not check_backward_ad:
        return True
    prev = GradMode.enabled
    GradMode.enabled = True
    try:
        return _gradcheck(func, inputs, eps, atol, rtol, raise_exception, nondet_tol, check_grad_dtypes, fast_mode)
    finally:
        GradMode.enabled = prev


def _gradcheck(func, inputs, eps, atol, rtol, raise_exception, nondet_tol, check_grad_dtypes, fast_mode):
    diff_idx = [i for i, x in enumerate(inputs) if _is_tensor(x) and x.requires_grad]
    out = _as_tuple(func(*inputs))
    tensor_outs = [o for o in out if _is_tensor(o)]
    out_idx = [j for j, o in enumerate(tensor_outs) if o.requires_grad]
    outputs = [tensor_outs[j] for j in out_idx]
    if not outputs:   # nothing differentiable: the function must then be locally constant
        all_idx = list(range(len(tensor_outs)))
        num = _numerical_jacobians(func, inputs, diff_idx, all_idx, eps)
        if any(np.any(j != 0) for j in num.values()):
            return _fail("Numerical gradient for function expected to be zero", raise_exception)
        return True
    if fast_mode:
        return _fast_check(func, inputs, diff_idx, out_idx, outputs, eps, atol, rtol, raise_exception)
    numerical = _numerical_jacobians(func, inputs, diff_idx, out_idx, eps)
    analytical = _analytical_jacobians(outputs, inputs, diff_idx, check_grad_dtypes)
    for o in range(len(outputs)):
        for i in diff_idx:
            n, a = numerical[(i, o)], analytical[(i, o)]
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                return _fail(_mismatch_msg(o, i, n, a), raise_exception)
    again = _analytical_jacobians(outputs, inputs, diff_idx, check_grad_dtypes)
    for key, a in analytical.items():
        if not np.allclose(again[key], a, rtol=0, atol=nondet_tol):
            return _fail("Backward is not reentrant, i.e., running backward with same input and grad_output "
                         "multiple times gives different values, although analytical gradient matches numerical "
                         f"gradient.The tolerance for nondeterminism was {nondet_tol}.", raise_exception)
    return True


def _fast_check(func, inputs, diff_idx, out_idx, outputs, eps, atol, rtol, raise_exception):
    """Compare v^T J u for random unit-scale u (per input) and v (per output): one backward, 2 forwards."""
    from . import grad as _grad
    T = _Tensor()
    rng = np.random.default_rng(0)
    us = {i: rng.uniform(-1, 1, size=inputs[i].shape) for i in diff_idx}
    vs = [rng.uniform(-1, 1, size=tuple(y.shape)) for y in outputs]
    for i in diff_idx:
        data = inputs[i]._data
        xp = inputs[i]._xp()
        u = xp.asarray(us[i], dtype=data.dtype)
        orig = data.copy()
        data[...] = orig + eps * u
        plus = _select(_outputs_as_arrays(func, inputs, None), out_idx)
        data[...] = orig - eps * u
        minus = _select(_outputs_as_arrays(func, inputs, None), out_idx)
        data[...] = orig
        for o, (p, m) in enumerate(zip(plus, minus)):
            numerical = float(vs[o].reshape(-1) @ ((p - m) / (2 * eps)))
            g, = _grad(outputs[o], [inputs[i]], T._wrap(outputs[o]._xp().asarray(vs[o], dtype=outputs[o]._data.dtype)),
                       retain_graph=True, allow_unused=True)
            analytical = 0.0 if g is None else float(np.asarray(_to_host(g._data), dtype=np.float64).reshape(-1)
                                                     @ us[i].reshape(-1))
            if not abs(analytical - numerical) <= atol + rtol * abs(numerical):
                return _fail(f"Jacobian mismatch for output {o:d} with respect to input {i:d},\n"
                             f"numerical:{T._wrap(np.asarray(numerical))}\n"
                             f"analytical:{T._wrap(np.asarray(analytical))}\n\n"
                             "The above quantities relating the numerical and analytical jacobians are computed in "
                             "fast mode (a random projection v^T J u); rerun with fast_mode=False to see the "
                             "whole Jacobians.", raise_exception)
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False, masked=False):
    """Check second derivatives: ``gradcheck`` of the function (inputs, grad_outputs) -> input gradients
    (built with ``create_graph=True``). Random ``grad_outputs`` in [-1, 1) are made when not given."""
    if check_fwd_over_rev:
        _unsupported("check_fwd_over_rev")
    if not check_rev_over_rev:
        raise AssertionError("Expected at least one of check_fwd_over_rev or check_rev_over_rev to be True")
    from . import grad as _grad
    T = _Tensor()
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        outs = _differentiable_outputs(func(*inputs))
        made = []
        for y in outs:
            dt = y._data.dtype if y._data.dtype.kind in "fc" else np.float64
            g = T._wrap(y._xp().asarray(rng.uniform(-1, 1, size=tuple(y.shape)), dtype=dt))
            made.append(g.requires_grad_(True))
        grad_outputs = tuple(made)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_out = len(grad_outputs)
    diff_in = {i for i, x in enumerate(inputs) if _is_tensor(x) and x.requires_grad}

    def new_func(*args):
        input_args = args[:len(args) - n_out]
        outputs = _differentiable_outputs(func(*input_args))
        grads = _grad(outputs, [x for i, x in enumerate(input_args) if i in diff_in], list(args[len(args) - n_out:]),
                      create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(new_func, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol, check_grad_dtypes=check_grad_dtypes,
                     fast_mode=fast_mode)
