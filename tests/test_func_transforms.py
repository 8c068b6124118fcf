"""``torch.func`` forward-mode and batching transforms (jvp, jacfwd, linearize, vmap, stack_module_state)
against real PyTorch."""
import numpy as np
import pytest

import ember
import ember.func

from test_func import _both, _same

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4))
Y = RNG.standard_normal((3, 4))
V = RNG.standard_normal(4)


def _f(lib):
    return lambda a, b: ((a.sin() * b).sum(-1), (a * b).exp())


# ---------------------------------------------------------------- jvp / linearize / jacfwd
def test_jvp_matches_torch_for_tuple_outputs():
    _both(lambda lib: lambda a, b, ta, tb: lib.func.jvp(_f(lib), (a, b), (ta, tb)), X, Y, Y, X)


def test_jvp_has_aux_and_nonlinear_chain():
    def make(lib):
        def f(a):
            h = lib.nn.functional.softmax(a @ a.T, dim=-1)
            return h.log().sum(), {"h": h.detach()}
        return lambda a, t: lib.func.jvp(f, (a,), (t,), has_aux=True)
    _both(make, X, Y)


def test_jvp_of_output_independent_of_input_is_zero():
    _both(lambda lib: lambda a, b, t: lib.func.jvp(lambda u: b * 2, (a,), (t,)), X, Y, Y)


def test_jvp_errors_match_torch():
    a = ember.tensor(X)
    with pytest.raises(RuntimeError, match="Expected primals to be a tuple"):
        ember.func.jvp(ember.sin, a, (a,))
    with pytest.raises(RuntimeError, match="same python structure"):
        ember.func.jvp(ember.sin, (a, a), (a,))
    with pytest.raises(RuntimeError, match=r"size \[3, 4\] while the given forward gradient is of size \[2\]"):
        ember.func.jvp(ember.sin, (a,), (ember.ones(2),))


def test_linearize_reuses_the_point():
    def make(lib):
        def run(a, t1, t2):
            out, fn = lib.func.linearize(lambda u: (u.tanh() * u).sum(0), a)
            return out, fn(t1), fn(t2)
        return run
    _both(make, X, Y, X)


@pytest.mark.parametrize("argnums", [0, 1, (0, 1)])
def test_jacfwd_matches_torch(argnums):
    _both(lambda lib: lambda a, b: lib.func.jacfwd(_f(lib), argnums=argnums)(a, b), X[0], Y[0])


def test_jacfwd_equals_jacrev_and_hessian():
    _both(lambda lib: lambda a: lib.func.jacfwd(lib.func.jacrev(lambda u: (u ** 3).sum()))(a), V)


# ---------------------------------------------------------------- vmap
@pytest.mark.parametrize("in_dims,out_dims,b", [(0, 0, Y), ((1, None), 0, Y[0]), ((0, 0), 1, Y), ((-1, 1), -1, Y)])
def test_vmap_dims_match_torch(in_dims, out_dims, b):
    def make(lib):
        return lambda x, y: lib.vmap(lambda u, w: u * w.sum() + u.exp(), in_dims=in_dims, out_dims=out_dims)(x, y)
    _both(make, X, b)


def test_vmap_nested_tree_inputs_outputs_and_kwargs():
    def make(lib):
        def f(d, scale=1.0):
            return {"s": (d["a"] * d["b"]).sum() * scale, "p": (d["a"], d["b"].relu())}
        return lambda a, b: lib.vmap(f, in_dims=({"a": 0, "b": 1},))({"a": a, "b": b}, scale=3.0)
    _both(make, X, X.T.copy())


def test_vmap_of_dot_and_nested_vmap():
    _both(lambda lib: lambda a, b: lib.vmap(lib.dot)(a, b), X, Y)
    _both(lambda lib: lambda a, b: lib.vmap(lib.vmap(lambda u, w: u * w, in_dims=(0, None)), in_dims=(0, None))(
        a, b), X, V)


def test_vmap_gradients_flow_to_batched_inputs():
    def make(lib):
        def run(a, b):
            out = lib.vmap(lambda u, w: (u @ w).tanh())(a, b)
            out.sum().backward()
            return out.detach(), a.grad, b.grad
        return run
    _both(make, X, Y, requires_grad=True)


def test_vmap_grad_gives_per_sample_gradients():
    def make(lib):
        model = lib.nn.Linear(4, 2)
        with lib.no_grad():
            model.weight.copy_(lib.tensor(Y[:2]))
            model.bias.fill_(0.25)
        params = {k: v.detach() for k, v in model.named_parameters()}

        def loss(p, xi, yi):
            out = lib.func.functional_call(model, p, (xi.unsqueeze(0),))
            return lib.nn.functional.cross_entropy(out, yi.unsqueeze(0))
        return lambda xs: lib.vmap(lib.func.grad(loss), in_dims=(None, 0, 0))(
            params, xs, lib.tensor([0, 1, 1]))
    _both(make, X.astype(np.float32))


def test_vmap_model_ensemble_with_stack_module_state():
    def make(lib):
        lib.manual_seed(0)
        models = [lib.nn.Linear(4, 3) for _ in range(5)]
        params, buffers = lib.func.stack_module_state(models)
        base = models[0]

        def run(x):
            def f(p, b, xi):
                return lib.func.functional_call(base, (p, b), (xi,))
            return params, lib.vmap(f, in_dims=(0, 0, None))(params, buffers, x)
        return run
    out = _both(make, X.astype(np.float32))
    assert all(p.is_leaf and p.requires_grad for p in out[0].values())


def test_vmap_randomness_modes():
    x = ember.tensor(X)
    with pytest.raises(RuntimeError, match="randomness error mode"):
        ember.vmap(lambda a: a + ember.rand(4))(x)
    same = ember.vmap(lambda a: ember.rand(4), randomness="same")(x)
    assert bool((same == same[0]).all())
    diff = ember.vmap(lambda a: ember.rand(4), randomness="different")(x)
    assert not bool((diff == diff[0]).all())
    with pytest.raises(RuntimeError, match="Only allowed values for randomness"):
        ember.vmap(ember.sin, randomness="x")


def test_vmap_over_empty_batch_gives_empty_result():
    out = ember.vmap(lambda a: a.sum(-1, keepdim=True) * 2)(ember.zeros(0, 3))
    ref = torch.vmap(lambda a: a.sum(-1, keepdim=True) * 2)(torch.zeros(0, 3))
    assert tuple(out.shape) == tuple(ref.shape)


@pytest.mark.parametrize("call,match", [
    (lambda v: v(lambda a, n: a * n)(ember.ones(2, 3), 3), "We cannot vmap over non-Tensor arguments"),
    (lambda v: v(lambda a, b: a, in_dims=(None, None))(ember.ones(2), ember.ones(2)), "at least one Tensor"),
    (lambda v: v(lambda a, b: a + b)(ember.ones(3, 4), ember.ones(2, 4)), r"got sizes \[3, 2\]"),
    (lambda v: v(lambda a: a, in_dims=(0, 0))(ember.ones(2)), "in_dims is not compatible"),
    (lambda v: v(lambda a: a, in_dims=3)(ember.ones(2, 3)), "expected in_dim to satisfy -2 <= in_dim < 2"),
    (lambda v: v(lambda a: 3)(ember.ones(2, 3)), "must only return Tensors"),
    (lambda v: v(lambda a: a.sum(), out_dims=None)(ember.randn(2, 3)), "when out_dim is None"),
    (lambda v: v(ember.sin, chunk_size=0), "chunk_size should be None or greater than 0"),
])
def test_vmap_errors_are_torchs(call, match):
    with pytest.raises(ValueError, match=match):
        call(ember.vmap)
    with pytest.raises(ValueError, match=match):
        call(lambda *a, **k: _torch_vmap(*a, **k))


def _torch_vmap(f, *args, **kwargs):
    """torch.vmap on a function written against ember: the call converts ember inputs to torch."""
    g = torch.vmap(lambda *xs: f(*xs), *args, **kwargs)

    def run(*xs):
        return g(*[torch.tensor(x.numpy()) if isinstance(x, ember.Tensor) else x for x in xs])
    return run


def test_stack_module_state_errors():
    with pytest.raises(RuntimeError, match="Expected at least one model"):
        ember.func.stack_module_state([])
    a, b = ember.nn.Linear(2, 3), ember.nn.Linear(2, 3)
    b.eval()
    with pytest.raises(RuntimeError, match="same training/eval mode"):
        ember.func.stack_module_state([a, b])
    b.train()
    b.bias.requires_grad_(False)
    with pytest.raises(RuntimeError, match="Expected bias from each model to have the same .requires_grad"):
        ember.func.stack_module_state([a, b])
