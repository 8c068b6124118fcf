"""``torch.autograd.functional`` against real PyTorch: values, result structure, strict errors, create_graph."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

rng = np.random.default_rng(0)
XA, YA, VA = rng.standard_normal((2, 3)), rng.standard_normal(3), rng.standard_normal((2, 3))


def _same(a, b, path=""):
    """Same nesting of tuples, same shapes, same values."""
    if isinstance(b, tuple):
        assert isinstance(a, tuple) and len(a) == len(b), (path, type(a), type(b))
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{path}[{i}]")
        return
    assert isinstance(a, ember.Tensor), (path, type(a))
    assert tuple(a.shape) == tuple(b.shape), (path, a.shape, b.shape)
    assert a.requires_grad == b.requires_grad, path
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-8)


def _args(lib, args):
    return [lib.tensor(a) if isinstance(a, np.ndarray) else tuple(lib.tensor(x) for x in a) for a in args]


def _both(name, f, *args, **kw):
    """Run ``name`` in both libraries (``f`` is written against either: it only uses Tensor methods).
    torch runs without ``vectorize`` (same values; its vmap start-up costs seconds)."""
    out = getattr(ember.autograd.functional, name)(f, *_args(ember, args), **kw)
    kw.pop("vectorize", None)
    ref = getattr(torch.autograd.functional, name)(f, *_args(torch, args), **kw)
    _same(out, ref)
    return out


def _err(name, f, *args, **kw):
    """Both libraries raise the same exception type with the same message."""
    with pytest.raises(Exception) as ref:
        getattr(torch.autograd.functional, name)(f, *_args(torch, args), **kw)
    with pytest.raises(ref.type) as got:
        getattr(ember.autograd.functional, name)(f, *_args(ember, args), **kw)
    assert str(got.value) == str(ref.value)


def scalar(x):
    return (x.exp() * x).sum()


def scalar2(x, y):
    return (x.sin() * y).sum()


def two_out(x, y):
    return x * y, (x ** 2).sum() * y


def test_module_paths():
    assert ember.autograd.functional.jacobian is not None
    for n in ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]:
        assert hasattr(ember.autograd.functional, n)


@pytest.mark.parametrize("kw", [{}, {"vectorize": True}, {"create_graph": True}, {"strict": True}])
def test_jacobian_structures(kw):
    _both("jacobian", lambda x: x.exp(), XA, **kw)               # O + I = (2,3,2,3)
    _both("jacobian", scalar, XA, **kw)                          # scalar output: shape I
    _both("jacobian", two_out, (XA, YA), **kw)                   # tuple of tuples
    _both("jacobian", lambda x: (x.exp(), x.sum()), XA, **kw)    # tuple over outputs


@pytest.mark.parametrize("kw", [{}, {"create_graph": True}, {"strict": True}])
def test_hessian(kw):
    _both("hessian", scalar, XA, **kw)
    _both("hessian", lambda x, y: (x.sin() * y.exp()).sum(), (XA, YA), **kw)


def test_products():
    _both("vjp", lambda x: x.exp(), XA, VA)
    _both("jvp", lambda x: x.exp(), XA, VA)
    _both("vjp", two_out, (XA, YA), (VA, YA))
    _both("jvp", two_out, (XA, YA), (VA, YA))
    _both("hvp", scalar, XA, VA)
    _both("vhp", scalar, XA, VA)
    _both("hvp", scalar2, (XA, YA), (VA, YA))
    _both("vhp", scalar2, (XA, YA), (VA, YA), create_graph=True)
    _both("vjp", scalar, XA)              # v may be left out for a one-element output
    _both("jvp", lambda x: x * 3, np.array(2.0))


def test_independent_inputs_give_zeros():
    _both("jacobian", lambda x, y: x * 2, (XA, YA))
    _both("jacobian", lambda x: ember.ones(2) if isinstance(x, ember.Tensor) else torch.ones(2), XA)
    _both("hessian", lambda x, y: (x * y).sum(), (XA, YA))     # linear in each: zero diagonal blocks
    _both("vjp", lambda x, y: x * 2, (XA, YA), VA)
    _both("jvp", lambda x, y: x * 2, (XA, YA), (VA, YA))
    _both("hvp", lambda x, y: (x * 2).sum(), (XA, YA), (VA, YA))


def test_strict_errors():
    _err("jacobian", lambda x, y: x * 2, (XA, YA), strict=True)
    _err("jacobian", lambda x: x * 0 + 1 if False else x.detach(), XA, strict=True)
    _err("jacobian", lambda x: x * 2, XA, strict=True, vectorize=True)
    _err("jacobian", lambda x: x * 2, XA, strict=True, create_graph=True)
    _err("hessian", lambda x: (x * 2).sum(), XA, strict=True)
    _err("hessian", scalar2, (XA, YA), strict=True)          # linear in y
    _err("vjp", lambda x, y: x * 2, (XA, YA), VA, strict=True)
    _err("jvp", lambda x, y: x * 2, (XA, YA), (VA, YA), strict=True)
    _err("vhp", lambda x, y: (x * x).sum(), (XA, YA), (VA, YA), strict=True)
    _err("hvp", lambda x: (x * 2).sum(), XA, VA, strict=True)


def test_argument_errors():
    _err("jacobian", scalar, XA, strategy="sideways")
    _err("jacobian", scalar, XA, strategy="forward-mode")                       # needs vectorize=True
    _err("jacobian", scalar, XA, strategy="forward-mode", create_graph=True)
    _err("jacobian", scalar, XA, strategy="forward-mode", strict=True)
    _err("hessian", scalar, XA, outer_jacobian_strategy="forward-mode")
    _err("vjp", lambda x: x.exp(), XA)                                          # v needed
    _err("jvp", lambda x: x.exp(), XA, YA)                                      # wrong size
    _err("jvp", two_out, (XA, YA), (VA,))                                       # wrong length
    _err("hvp", lambda x: x.exp(), XA, VA)                                      # not scalar
    _err("vhp", lambda x: (x.sum(), x.sum()), XA, VA)
    _err("hessian", lambda x: x.exp(), XA)
    with pytest.raises(TypeError, match="must be either a Tensor or a tuple of Tensors"):
        ember.autograd.functional.jacobian(scalar, [ember.tensor(XA)])
    with pytest.raises(NotImplementedError, match="forward-mode AD"):   # Ember has no forward AD to vectorize
        ember.autograd.functional.jacobian(scalar, ember.tensor(XA), strategy="forward-mode", vectorize=True)


def test_create_graph_gives_higher_derivatives():
    x = ember.tensor(XA, requires_grad=True)
    tx = torch.tensor(XA, requires_grad=True)
    j = ember.autograd.functional.jacobian(scalar, x, create_graph=True)
    tj = torch.autograd.functional.jacobian(scalar, tx, create_graph=True)
    j.sum().backward()
    tj.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6)
    # without create_graph the results are detached even for inputs that require grad
    assert not ember.autograd.functional.jacobian(scalar, x).requires_grad
    _, h = ember.autograd.functional.hvp(scalar, x, ember.tensor(VA), create_graph=True)
    _, th = torch.autograd.functional.hvp(scalar, tx, torch.tensor(VA), create_graph=True)
    (gx,) = ember.autograd.grad(h.sum(), x)
    (tgx,) = torch.autograd.grad(th.sum(), tx)
    np.testing.assert_allclose(gx.numpy(), tgx.numpy(), rtol=1e-6)


def test_grad_mode_and_float32():
    x = ember.randn(3)
    with ember.no_grad():
        j = ember.autograd.functional.jacobian(lambda t: t * t, x)
    np.testing.assert_allclose(j.numpy(), np.diag(2 * x.numpy()), rtol=1e-6)
    assert j.dtype == ember.float32 and not j.requires_grad


def test_anomaly_mode_and_variable_module_paths():
    from ember.autograd.anomaly_mode import detect_anomaly, set_detect_anomaly
    from ember.autograd.variable import Variable
    assert ember.autograd.detect_anomaly is detect_anomaly and ember.autograd.Variable is Variable
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        with detect_anomaly():
            assert ember.autograd.is_anomaly_enabled()
    with set_detect_anomaly(True):
        assert ember.autograd.is_anomaly_enabled()
    assert not ember.autograd.is_anomaly_enabled()
    x = ember.randn(3)
    v = Variable(x, requires_grad=True)
    assert type(v) is ember.Tensor and v.requires_grad
    assert isinstance(x, Variable) and not isinstance(3, Variable)   # every Tensor is a Variable, as in torch
    assert isinstance(torch.randn(2), torch.autograd.Variable)
