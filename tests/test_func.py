"""``torch.func`` basics (grad, grad_and_value, vjp, jacrev, hessian, functional_call) against real PyTorch."""
import numpy as np
import pytest

import ember
import ember.func

torch = pytest.importorskip("torch")

XA = np.array([0.5, 1.0, -2.0])
YA = np.array([1.5, -0.5, 2.0])


def _same(a, b, path=""):
    """Same tree (tuple/list/dict), shapes, requires_grad and values."""
    if isinstance(b, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b), (path, type(a), type(b))
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{path}[{i}]")
    elif isinstance(b, dict):
        assert list(a) == list(b), path
        for k in b:
            _same(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(b, torch.Tensor):
        assert isinstance(a, ember.Tensor), (path, type(a))
        assert tuple(a.shape) == tuple(b.shape), (path, a.shape, b.shape)
        # never attached where torch is not; torch may attach results that do not depend on a tensor
        # that requires grad (jacrev of x.sum()), Ember only those that do
        assert a.requires_grad <= b.requires_grad, (path, a.requires_grad, b.requires_grad)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-8)
    else:
        assert a == b, path


def _both(make, *arrays, requires_grad=False):
    """``make(lib)`` gives the transformed function; run it on the arrays as tensors of each library."""
    out = make(ember)(*[ember.tensor(a, requires_grad=requires_grad) for a in arrays])
    ref = make(torch)(*[torch.tensor(a, requires_grad=requires_grad) for a in arrays])
    _same(out, ref)
    return out


def cube(x):
    return (x ** 3).sum()


@pytest.mark.parametrize("rg", [False, True], ids=["plain", "requires_grad"])
def test_grad_and_value(rg):
    _both(lambda lib: lib.func.grad(cube), XA, requires_grad=rg)
    _both(lambda lib: lib.func.grad_and_value(cube), XA, requires_grad=rg)
    _both(lambda lib: lib.func.grad(lambda x, y: (x * y.sin()).sum(), argnums=(0, 1)), XA, YA, requires_grad=rg)
    _both(lambda lib: lib.func.grad(lambda x, y: (x * y).sum(), argnums=1), XA, YA, requires_grad=rg)
    _both(lambda lib: lib.func.grad(lambda x, y: x.sum()), XA, YA, requires_grad=rg)     # unused: zeros
    _both(lambda lib: lib.func.grad(lambda x: (cube(x), x.exp()), has_aux=True), XA, requires_grad=rg)
    _both(lambda lib: lib.func.grad_and_value(lambda x: (cube(x), {"e": x.exp()}), has_aux=True), XA,
          requires_grad=rg)


def test_results_stay_differentiable_wrt_outside_tensors():
    for lib in (ember, torch):
        x = lib.tensor(XA, requires_grad=True)
        g = lib.func.grad(cube)(x)
        h = lib.func.hessian(cube)(x)
        out, fn = lib.func.vjp(lambda a: a.exp(), x)
        assert g.requires_grad and h.requires_grad and out.requires_grad
        assert fn(lib.ones(3, dtype=lib.float64))[0].requires_grad
        (g.sum() + h.sum()).backward()
        np.testing.assert_allclose(x.grad.numpy(), 6 * XA + 6, rtol=1e-6)
        with lib.no_grad():
            assert not lib.func.grad(cube)(x).requires_grad


def test_grad_of_pytrees():
    def make(lib):
        g = lib.func.grad(lambda p: (p["w"] * p["b"][0]).sum() + p["b"][1].exp().sum())
        return lambda x, y: g({"w": x, "b": [y, x]})
    _both(make, XA, YA)


def test_nested_transforms():
    _both(lambda lib: lib.func.grad(lambda x: lib.func.grad(cube)(x).sin().sum()), XA)
    # a closure over the outer argument: the inner result stays differentiable w.r.t. it

    def make(lib):
        inner = lambda x: lib.func.grad(lambda y: (x * y * y).sum())(lib.tensor(YA))   # noqa: E731
        return lib.func.grad(lambda x: inner(x).sum())
    _both(make, XA)


@pytest.mark.parametrize("rg", [False, True], ids=["plain", "requires_grad"])
def test_jacrev_and_hessian(rg):
    _both(lambda lib: lib.func.jacrev(lambda x: x.sin()), XA, requires_grad=rg)
    _both(lambda lib: lib.func.jacrev(lambda x: (x.sin(), x.sum())), XA, requires_grad=rg)
    _both(lambda lib: lib.func.jacrev(lambda x: {"a": x * 2, "b": (x.sum(),)}), XA, requires_grad=rg)
    _both(lambda lib: lib.func.jacrev(lambda x, y: x.outer(y), argnums=(0, 1)), XA, YA, requires_grad=rg)
    _both(lambda lib: lib.func.jacrev(lambda x: (x.exp(), x.cos()), has_aux=True), XA, requires_grad=rg)
    _both(lambda lib: lib.func.hessian(lambda x: (x.sin() * x).sum()), XA, requires_grad=rg)
    _both(lambda lib: lib.func.hessian(lambda x, y: (x * y * y).sum(), argnums=(0, 1)), XA, YA, requires_grad=rg)
    _both(lambda lib: lib.func.hessian(lambda x: x.exp().sum(), argnums=0), XA.reshape(3, 1), requires_grad=rg)


@pytest.mark.parametrize("rg", [False, True], ids=["plain", "requires_grad"])
def test_vjp(rg):
    def run(lib):
        def f(x, y):
            out, fn = lib.func.vjp(lambda a, b: (a.exp() * b, b.sum()), x, y)
            return out, fn((lib.ones(3, dtype=lib.float64), lib.tensor(2.0, dtype=lib.float64)))
        return f
    _both(run, XA, YA, requires_grad=rg)

    def run_aux(lib):
        def f(x):
            out, fn, aux = lib.func.vjp(lambda a: (a.sin(), a.cos()), x, has_aux=True)
            return out, fn(lib.ones(3, dtype=lib.float64)), fn(lib.ones(3, dtype=lib.float64)), aux   # twice
        return f
    _both(run_aux, XA, requires_grad=rg)


def _err(fn):
    with pytest.raises(Exception) as ref:
        fn(torch)
    with pytest.raises(ref.type) as got:
        fn(ember)
    assert str(got.value) == str(ref.value)


def test_errors():
    _err(lambda lib: lib.func.grad(lambda x: x)(lib.ones(3)))
    _err(lambda lib: lib.func.grad(lambda x: [x.sum()])(lib.ones(3)))
    _err(lambda lib: lib.func.grad(lambda x: x.sum(), has_aux=True)(lib.ones(3)))

    def bad_cotangents(lib):
        _, fn = lib.func.vjp(lambda x, y: (x * 2, y), lib.ones(3), lib.ones(3))
        fn(lib.ones(3))
    _err(bad_cotangents)


def _linear_pair():
    m = ember.nn.Linear(3, 2)
    tm = torch.nn.Linear(3, 2)
    with torch.no_grad():
        tm.weight.copy_(torch.tensor(m.weight.detach().numpy()))
        tm.bias.copy_(torch.tensor(m.bias.detach().numpy()))
    return m, tm


def test_functional_call():
    m, tm = _linear_pair()
    w, b = np.arange(6.0, dtype=np.float32).reshape(2, 3), np.ones(2, np.float32)
    x = np.array([[1.0, -1.0, 2.0]], np.float32)
    out = ember.func.functional_call(m, {"weight": ember.tensor(w), "bias": ember.tensor(b)}, ember.tensor(x))
    ref = torch.func.functional_call(tm, {"weight": torch.tensor(w), "bias": torch.tensor(b)}, torch.tensor(x))
    _same(out, ref)
    # a tuple of dicts, args as a tuple, the module's own parameter where none is given
    out = ember.func.functional_call(m, ({"weight": ember.tensor(w)}, {}), (ember.tensor(x),))
    ref = torch.func.functional_call(tm, ({"weight": torch.tensor(w)}, {}), (torch.tensor(x),))
    _same(out, ref)
    assert isinstance(m.weight, ember.nn.Parameter) and m.weight is m._parameters["weight"]   # restored
    _err(lambda lib: lib.func.functional_call(lib.nn.Linear(3, 2), ({"weight": lib.ones(2, 3)},
                                                                   {"weight": lib.ones(2, 3)}), lib.ones(3)))
    _err(lambda lib: lib.func.functional_call(lib.nn.Linear(3, 2), {"weight": lib.ones(2, 3), "foo": lib.ones(1)},
                                              lib.ones(3), strict=True))


def test_functional_call_buffers_kwargs_and_grad():
    bn = ember.nn.BatchNorm1d(3).eval()
    x = ember.tensor(np.array([[1.0, 2.0, 3.0]], np.float32))
    out = ember.func.functional_call(bn, {"running_mean": ember.ones(3)}, args=(), kwargs={"input": x})
    np.testing.assert_allclose(out.detach().numpy(), (x.numpy() - 1) / np.sqrt(1 + 1e-5), rtol=1e-5)
    assert float(bn.running_mean.sum()) == 0.0

    # per-sample style: gradients w.r.t. a dict of parameters, as torch.func users write it
    m, tm = _linear_pair()

    def grads(lib, model):
        params = {k: v.detach() for k, v in model.named_parameters()}
        loss = lambda p, xb: lib.func.functional_call(model, p, (xb,)).pow(2).sum()   # noqa: E731
        return lib.func.grad(loss)(params, lib.tensor(np.array([[1.0, -1.0, 2.0]], np.float32)))
    _same(grads(ember, m), grads(torch, tm))


def test_functional_call_tied_weights():
    class Tied(ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = ember.nn.Linear(2, 2, bias=False)
            self.b = ember.nn.Linear(2, 2, bias=False)
            self.b.weight = self.a.weight

        def forward(self, x):
            return self.b(self.a(x))

    m = Tied()
    x = ember.ones(1, 2)
    out = ember.func.functional_call(m, {"a.weight": ember.eye(2) * 2}, (x,))
    np.testing.assert_allclose(out.numpy(), [[4.0, 4.0]])
    out = ember.func.functional_call(m, {"a.weight": ember.eye(2) * 2}, (x,), tie_weights=False)
    np.testing.assert_allclose(out.detach().numpy(), (x.numpy() * 2) @ m.a.weight.detach().numpy().T, rtol=1e-6)
