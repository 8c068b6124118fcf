"""nn.utils extras against PyTorch: parametrize, parametrizations (weight_norm, spectral_norm, orthogonal),
the legacy weight_norm / spectral_norm hooks, prune, fusion, skip_init, stateless.functional_call.

Each comparison builds the same model in both libraries with torch's weights copied into Ember, then
checks state_dict keys and values, outputs and gradients.
"""
import copy
import pickle
import warnings

import numpy as np
import pytest
import torch
import torch.nn as tnn
from torch.nn.utils import parametrizations as TPs
from torch.nn.utils import parametrize as TP
from torch.nn.utils import prune as TPr

import ember
import ember.nn as enn
from ember.nn.utils import parametrizations as EPs
from ember.nn.utils import parametrize as EP
from ember.nn.utils import prune as EPr
from ember.nn.utils.prune import _topk_indices

RNG = np.random.default_rng(0)


def load_from_torch(e_mod, t_mod):
    """Copy every state_dict entry of the torch module into the Ember one (strict)."""
    return e_mod.load_state_dict({k: ember.tensor(v.detach().numpy().copy()) for k, v in t_mod.state_dict().items()})


def assert_same_state(e_mod, t_mod, exact=False):
    t_sd, e_sd = t_mod.state_dict(), e_mod.state_dict()
    assert list(e_sd) == list(t_sd)
    for k in t_sd:
        if exact:
            np.testing.assert_array_equal(e_sd[k].numpy(), t_sd[k].numpy(), err_msg=k)
        else:
            np.testing.assert_allclose(e_sd[k].numpy(), t_sd[k].numpy(), rtol=1e-5, atol=1e-6, err_msg=k)


def run_both(e_mod, t_mod, shape, loss=lambda y: (y * y).sum()):
    """Forward the same input, backward ``loss``; compare outputs and the grads of every named parameter."""
    x = RNG.standard_normal(shape).astype(np.float32)
    xt, xe = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    yt, ye = t_mod(xt), e_mod(xe)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-4, atol=1e-5)
    loss(yt).backward()
    loss(ye).backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-5)
    t_params, e_params = dict(t_mod.named_parameters()), dict(e_mod.named_parameters())
    assert list(e_params) == list(t_params)
    for k, p in t_params.items():
        scale = float(np.abs(p.grad.numpy()).max()) + 1e-6
        np.testing.assert_allclose(e_params[k].grad.numpy(), p.grad.numpy(), rtol=1e-4, atol=1e-5 * scale, err_msg=k)


def seeded_pair(make_t, make_e, seed=0):
    torch.manual_seed(seed)
    ember.manual_seed(seed)
    t_mod, e_mod = make_t(), make_e()
    load_from_torch(e_mod, t_mod)
    return t_mod, e_mod


# ---------------------------------------------------------------- parametrize
class Symmetric(tnn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).transpose(-1, -2)


class ESymmetric(enn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).transpose(-1, -2)


class Scale(tnn.Module):      # with a right inverse
    def forward(self, X):
        return 2 * X

    def right_inverse(self, Y):
        return Y / 2


class EScale(enn.Module):
    def forward(self, X):
        return 2 * X

    def right_inverse(self, Y):
        return Y / 2


class RankOne(tnn.Module):    # two original tensors
    def forward(self, x, y):
        return x.unsqueeze(-1) @ y.unsqueeze(-2)

    def right_inverse(self, Z):
        return Z[:, 0].clone(), Z[0, :].clone()


class ERankOne(enn.Module):
    def forward(self, x, y):
        return x.unsqueeze(-1) @ y.unsqueeze(-2)

    def right_inverse(self, Z):
        return Z[:, 0].clone(), Z[0, :].clone()


def test_register_parametrization_chain_state_dict_repr_and_grads():
    t_mod, e_mod = seeded_pair(lambda: tnn.Linear(4, 4), lambda: enn.Linear(4, 4))
    TP.register_parametrization(t_mod, "weight", Symmetric())
    EP.register_parametrization(e_mod, "weight", ESymmetric())
    TP.register_parametrization(t_mod, "weight", Scale())
    EP.register_parametrization(e_mod, "weight", EScale())
    assert type(e_mod).__name__ == "ParametrizedLinear" and isinstance(e_mod, enn.Linear)
    assert EP.type_before_parametrizations(e_mod) is enn.Linear
    assert EP.is_parametrized(e_mod) and EP.is_parametrized(e_mod, "weight") and not EP.is_parametrized(e_mod, "bias")
    assert repr(e_mod).replace("ESymmetric", "Symmetric").replace("EScale", "Scale") == repr(t_mod)
    assert list(e_mod.state_dict()) == ["bias", "parametrizations.weight.original"]
    assert e_mod.parametrizations.weight.original is dict(e_mod.named_parameters())["parametrizations.weight.original"]
    assert_same_state(e_mod, t_mod)
    np.testing.assert_allclose(e_mod.weight.detach().numpy(), t_mod.weight.detach().numpy(), rtol=1e-6)
    run_both(e_mod, t_mod, (3, 4))
    # assigning goes through the right inverses (last first): Symmetric has none
    with pytest.raises(RuntimeError, match="parametrization ESymmetric does not implement right_inverse"):
        e_mod.weight = ember.ones(4, 4)


def test_register_keeps_the_parameter_object_and_right_inverse_on_assignment():
    lin = enn.Linear(3, 3)
    w = lin.weight
    opt = ember.optim.SGD(lin.parameters(), lr=0.1)
    EP.register_parametrization(lin, "weight", EScale())
    assert lin.parametrizations.weight.original is w          # the optimizer still holds the stored tensor
    target = ember.arange(9.0).reshape(3, 3)
    lin.weight = target
    np.testing.assert_allclose(lin.parametrizations.weight.original.detach().numpy(), target.numpy() / 2)
    np.testing.assert_allclose(lin.weight.detach().numpy(), target.numpy())
    lin(ember.ones(1, 3)).sum().backward()
    opt.step()
    assert w.grad is not None


def test_several_originals_and_remove_parametrizations():
    t_mod, e_mod = seeded_pair(lambda: tnn.Linear(3, 4), lambda: enn.Linear(3, 4))
    TP.register_parametrization(t_mod, "weight", RankOne())
    EP.register_parametrization(e_mod, "weight", ERankOne())
    assert list(e_mod.state_dict()) == list(t_mod.state_dict()) == [
        "bias", "parametrizations.weight.original0", "parametrizations.weight.original1"]
    assert_same_state(e_mod, t_mod)
    run_both(e_mod, t_mod, (2, 3))
    with pytest.raises(ValueError, match="Cannot leave unparametrized"):
        EP.remove_parametrizations(e_mod, "weight", leave_parametrized=False)
    TP.remove_parametrizations(t_mod, "weight")
    EP.remove_parametrizations(e_mod, "weight")
    assert type(e_mod) is enn.Linear and not hasattr(e_mod, "parametrizations")
    assert isinstance(e_mod.weight, enn.Parameter)
    assert_same_state(e_mod, t_mod)


@pytest.mark.parametrize("leave", [True, False])
def test_remove_parametrizations_leave_parametrized(leave):
    t_mod, e_mod = seeded_pair(lambda: tnn.Linear(4, 4), lambda: enn.Linear(4, 4))
    TP.register_parametrization(t_mod, "weight", Symmetric())
    EP.register_parametrization(e_mod, "weight", ESymmetric())
    TP.register_parametrization(t_mod, "bias", Scale())
    EP.register_parametrization(e_mod, "bias", EScale())
    original = e_mod.parametrizations.weight.original
    TP.remove_parametrizations(t_mod, "weight", leave_parametrized=leave)
    EP.remove_parametrizations(e_mod, "weight", leave_parametrized=leave)
    assert e_mod.weight is original                       # the same Parameter object comes back
    assert type(e_mod).__name__ == "ParametrizedLinear"   # bias is still parametrized
    assert_same_state(e_mod, t_mod)
    assert repr(e_mod).replace("EScale", "Scale") == repr(t_mod)
    EP.remove_parametrizations(e_mod, "bias")
    assert type(e_mod) is enn.Linear
    with pytest.raises(ValueError, match="does not have a parametrization on bias"):
        EP.remove_parametrizations(e_mod, "bias")


def test_parametrization_errors():
    class Bad(enn.Module):
        def forward(self, x):
            return x[:1]
    with pytest.raises(ValueError, match="may not change the shape of the tensor, unless `unsafe`"):
        EP.register_parametrization(enn.Linear(3, 3), "weight", Bad())
    lin = enn.Linear(3, 3)
    EP.register_parametrization(lin, "weight", Bad(), unsafe=True)
    assert lin.weight.shape == (1, 3) and lin.parametrizations.weight.unsafe

    class ToDouble(enn.Module):
        def forward(self, x):
            return x.double()
    with pytest.raises(ValueError, match="may not change the dtype"):
        EP.register_parametrization(enn.Linear(3, 3), "weight", ToDouble())
    with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a parametrized element with name "
                                         "'nope'"):
        EP.register_parametrization(enn.Linear(3, 3), "nope", EScale())


def test_buffer_parametrization_cached_deepcopy_and_pickle():
    bn = enn.BatchNorm1d(3)
    EP.register_parametrization(bn, "running_var", EScale())
    assert "parametrizations.running_var.original" in bn.state_dict()
    assert "running_var" not in bn.state_dict()

    calls = []

    class Counting(enn.Module):
        def forward(self, x):
            calls.append(1)
            return x * 3
    lin = enn.Linear(2, 2)
    EP.register_parametrization(lin, "weight", Counting())
    calls.clear()
    with EP.cached():
        a, b = lin.weight, lin.weight
    assert a is b and len(calls) == 1
    lin.weight, lin.weight    # noqa: B018 - outside cached(): recomputed on each access
    assert len(calls) == 3
    clone = copy.deepcopy(lin)
    assert type(clone).__name__ == "ParametrizedLinear"
    np.testing.assert_allclose(clone.weight.detach().numpy(), lin.weight.detach().numpy())
    with pytest.raises(RuntimeError, match="Serialization of parametrized modules is only supported through "
                                           "state_dict"):
        pickle.dumps(lin)


# ---------------------------------------------------------------- parametrizations
@pytest.mark.parametrize("kind, kwargs, shape", [
    ("weight_norm", {}, (5, 3)), ("weight_norm", {"dim": 1}, (5, 3)), ("weight_norm", {"dim": None}, (3, 5)),
    ("spectral_norm", {}, (5, 3)), ("spectral_norm", {"n_power_iterations": 3}, (3, 5)),
    ("orthogonal", {}, (4, 4)), ("orthogonal", {}, (5, 3)), ("orthogonal", {}, (3, 5)),
    ("orthogonal", {"orthogonal_map": "cayley"}, (5, 3)), ("orthogonal", {"orthogonal_map": "householder"}, (4, 4)),
    ("orthogonal", {"orthogonal_map": "householder", "use_trivialization": False}, (5, 3)),
    ("orthogonal", {"orthogonal_map": "matrix_exp", "use_trivialization": False}, (3, 5)),
])
def test_parametrizations_match_torch(kind, kwargs, shape):
    t_mod, e_mod = seeded_pair(lambda: tnn.Linear(shape[1], shape[0]), lambda: enn.Linear(shape[1], shape[0]))
    getattr(TPs, kind)(t_mod, **kwargs)
    getattr(EPs, kind)(e_mod, **kwargs)
    assert repr(e_mod) == repr(t_mod)
    # both libraries draw the same random numbers: even the initial power-iteration vectors and the random
    # completion of a non-square orthogonal matrix agree
    assert_same_state(e_mod, t_mod)
    load_from_torch(e_mod, t_mod)
    run_both(e_mod, t_mod, (2, shape[1]))
    if kind == "orthogonal":
        w = e_mod.weight.detach().numpy().astype(np.float64)
        gram = w.T @ w if shape[0] >= shape[1] else w @ w.T
        np.testing.assert_allclose(gram, np.eye(min(shape)), atol=1e-5)
    if kind == "spectral_norm":   # training mode updated u and v in place, as torch's
        assert_same_state(e_mod, t_mod)


def test_spectral_norm_train_vs_eval_and_conv():
    t_mod, e_mod = seeded_pair(lambda: tnn.Conv2d(2, 4, 3), lambda: enn.Conv2d(2, 4, 3))
    TPs.spectral_norm(t_mod)
    EPs.spectral_norm(e_mod)
    load_from_torch(e_mod, t_mod)
    u0 = e_mod.parametrizations.weight[0]._u.numpy().copy()
    e_mod.eval()
    t_mod.eval()
    e_mod.weight, t_mod.weight    # noqa: B018 - eval: no power iteration
    np.testing.assert_array_equal(e_mod.parametrizations.weight[0]._u.numpy(), u0)
    run_both(e_mod, t_mod, (1, 2, 5, 5))
    e_mod.train()
    t_mod.train()
    e_mod.weight, t_mod.weight    # noqa: B018 - train: one power iteration per access
    assert not np.array_equal(e_mod.parametrizations.weight[0]._u.numpy(), u0)
    assert_same_state(e_mod, t_mod)
    sigma = np.linalg.svd(e_mod.weight.detach().numpy().reshape(4, -1), compute_uv=False)[0]
    assert abs(sigma - 1) < 0.1
    tt, et = seeded_pair(lambda: tnn.ConvTranspose2d(2, 4, 3), lambda: enn.ConvTranspose2d(2, 4, 3))
    TPs.spectral_norm(tt)
    EPs.spectral_norm(et)    # dim defaults to 1 for ConvTranspose
    assert et.parametrizations.weight[0].dim == tt.parametrizations.weight[0].dim == 1
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\] but got 2\)"):
        EPs.spectral_norm(enn.Linear(2, 2), dim=2)


def test_weight_norm_parametrization_loads_legacy_state_dict():
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        legacy = tnn.utils.weight_norm(tnn.Linear(3, 4))
    e_mod = EPs.weight_norm(enn.Linear(3, 4))
    load_from_torch(e_mod, legacy)     # weight_g / weight_v become original0 / original1
    np.testing.assert_allclose(e_mod.parametrizations.weight.original0.detach().numpy(),
                               legacy.weight_g.detach().numpy())
    np.testing.assert_allclose(e_mod.weight.detach().numpy(), legacy.weight.detach().numpy(), rtol=1e-6)


def test_orthogonal_errors():
    with pytest.raises(ValueError, match="Expected a matrix or batch of matrices. Got a tensor of 1 dimensions."):
        EPs.orthogonal(enn.Linear(3, 3), "bias")
    with pytest.raises(ValueError, match='orthogonal_map has to be one of "matrix_exp", "cayley", "householder"'):
        EPs.orthogonal(enn.Linear(3, 3), orthogonal_map="qr")
    lin = EPs.orthogonal(enn.Linear(3, 3), orthogonal_map="cayley", use_trivialization=False)
    with pytest.raises(NotImplementedError, match="not possible to assign to the matrix exponential or the Cayley"):
        lin.weight = ember.eye(3)


# ---------------------------------------------------------------- legacy hooks
@pytest.mark.parametrize("kind, kwargs", [("weight_norm", {}), ("weight_norm", {"dim": None}),
                                          ("spectral_norm", {}), ("spectral_norm", {"n_power_iterations": 2})])
def test_legacy_hooks_match_torch(kind, kwargs):
    t_mod, e_mod = seeded_pair(lambda: tnn.Conv2d(3, 4, 3), lambda: enn.Conv2d(3, 4, 3))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(tnn.utils, kind)(t_mod, **kwargs)
        getattr(enn.utils, kind)(e_mod, **kwargs)
    t_msgs = [str(w.message) for w in caught if w.category is FutureWarning]
    assert len(t_msgs) == (2 if kind == "weight_norm" else 0) and t_msgs[0:1] == t_msgs[1:2]
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    assert [n for n, _ in e_mod.named_parameters()] == [n for n, _ in t_mod.named_parameters()]
    load_from_torch(e_mod, t_mod)
    for _ in range(2):      # the second forward reuses the in-place-updated u, v
        run_both(e_mod, t_mod, (2, 3, 5, 5))
    assert_same_state(e_mod, t_mod)
    assert repr(e_mod) == repr(t_mod)
    if kind == "spectral_norm":
        assert e_mod.state_dict()._metadata[""]["spectral_norm"] == t_mod.state_dict()._metadata[""]["spectral_norm"]
    getattr(tnn.utils, "remove_" + kind)(t_mod)
    getattr(enn.utils, "remove_" + kind)(e_mod)
    assert isinstance(e_mod.weight, enn.Parameter)
    assert_same_state(e_mod, t_mod)
    assert not e_mod._forward_pre_hooks and "spectral_norm" not in e_mod.state_dict()._metadata[""]
    with pytest.raises(ValueError, match=f"{kind} of 'weight' not found in"):
        getattr(enn.utils, "remove_" + kind)(e_mod)


def test_legacy_names_are_the_functions():
    from ember.nn.utils import remove_spectral_norm, remove_weight_norm, spectral_norm, weight_norm
    for f in (remove_spectral_norm, remove_weight_norm, spectral_norm, weight_norm):
        assert callable(f) and f.__name__ == getattr(tnn.utils, f.__name__).__name__


def test_legacy_spectral_norm_loads_a_version_0_state_dict():
    # version 0 stored the normalized weight and no weight_v: v is solved for from weight_orig / weight
    torch.manual_seed(0)
    t_mod = tnn.utils.spectral_norm(tnn.Linear(3, 4))
    t_mod(torch.randn(2, 3))
    old = {k: v for k, v in t_mod.state_dict().items() if k != "weight_v"}
    old["weight"] = t_mod.weight.detach()
    t_new, e_new = tnn.utils.spectral_norm(tnn.Linear(3, 4)), enn.utils.spectral_norm(enn.Linear(3, 4))
    t_new.load_state_dict(old)
    e_new.load_state_dict({k: ember.tensor(v.numpy().copy()) for k, v in old.items()})
    np.testing.assert_allclose(e_new.weight_v.numpy(), t_new.weight_v.numpy(), rtol=1e-4, atol=1e-5)


def test_legacy_hooks_refuse_twice():
    lin = enn.utils.spectral_norm(enn.Linear(2, 2))
    with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks on the same parameter weight"):
        enn.utils.spectral_norm(lin)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        lin = enn.utils.weight_norm(enn.Linear(2, 2))
        with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks on the same parameter weight"):
            enn.utils.weight_norm(lin)


# ---------------------------------------------------------------- prune
def test_topk_emulation_picks_the_same_entries_as_torch_among_ties():
    rng = np.random.default_rng(1)
    for _ in range(300):
        n = int(rng.integers(1, 300))
        vals = rng.integers(0, int(rng.integers(1, 5)), n).astype(np.float32)
        if rng.random() < 0.1:
            vals[rng.integers(0, n, 3)] = np.nan
        k = int(rng.integers(0, n + 1)) if rng.random() < 0.7 else max(1, n // 64)   # both torch paths
        largest = bool(rng.integers(2))
        expect = sorted(torch.topk(torch.tensor(vals), k, largest=largest).indices.tolist())
        assert sorted(_topk_indices(ember.tensor(vals), k, largest).tolist()) == expect, (vals, k, largest)
    vals = rng.integers(0, 7, 20000).astype(np.float32)    # deep introselect and the heap path
    for k in (9000, 150):
        expect = sorted(torch.topk(torch.tensor(vals), k, largest=False).indices.tolist())
        assert sorted(_topk_indices(ember.tensor(vals), k, False).tolist()) == expect


@pytest.mark.parametrize("steps", [
    [("l1_unstructured", dict(amount=0.3)), ("l1_unstructured", dict(amount=5))],
    [("random_unstructured", dict(amount=0.25)), ("l1_unstructured", dict(amount=0.5))],
    [("ln_structured", dict(amount=0.34, n=2, dim=0)), ("ln_structured", dict(amount=1, n=1, dim=1))],
    [("random_structured", dict(amount=2, dim=1)), ("l1_unstructured", dict(amount=0.2))],
    [("l1_unstructured", dict(amount=0.2)), ("ln_structured", dict(amount=0.5, n=float("inf"), dim=-1))],
    [("identity", {}), ("random_unstructured", dict(amount=3))],
])
def test_iterative_pruning_matches_torch(steps):
    t_mod, e_mod = seeded_pair(lambda: tnn.Conv2d(3, 6, 3), lambda: enn.Conv2d(3, 6, 3))
    with torch.no_grad():
        t_mod.weight[:, :, 0, 0] = 0.5                # equal magnitudes: the tie rule decides
        t_mod.weight[2] = 0.25
    load_from_torch(e_mod, t_mod)
    for fn, kw in steps:
        getattr(TPr, fn)(t_mod, "weight", **kw)
        getattr(EPr, fn)(e_mod, "weight", **kw)
        assert_same_state(e_mod, t_mod, exact=True)
        np.testing.assert_array_equal(e_mod.weight.detach().numpy(), t_mod.weight.detach().numpy())
    assert list(e_mod.state_dict()) == ["bias", "weight_orig", "weight_mask"]
    hook = next(iter(e_mod._forward_pre_hooks.values()))
    assert type(hook).__name__ == type(next(iter(t_mod._forward_pre_hooks.values()))).__name__
    assert EPr.is_pruned(e_mod)
    run_both(e_mod, t_mod, (2, 3, 5, 5))
    t_mod.zero_grad()
    e_mod.zero_grad()
    TPr.remove(t_mod, "weight")
    EPr.remove(e_mod, "weight")
    assert not EPr.is_pruned(e_mod) and isinstance(e_mod.weight, enn.Parameter)
    assert_same_state(e_mod, t_mod, exact=True)


def test_l1_ties_on_a_constant_tensor_and_importance_scores():
    t_mod, e_mod = seeded_pair(lambda: tnn.BatchNorm1d(10), lambda: enn.BatchNorm1d(10))
    TPr.l1_unstructured(t_mod, "weight", amount=0.3)      # all ones: which three go is torch's tie rule
    EPr.l1_unstructured(e_mod, "weight", amount=0.3)
    np.testing.assert_array_equal(e_mod.weight_mask.numpy(), t_mod.weight_mask.numpy())
    scores = np.arange(10, dtype=np.float32)[::-1].copy()
    TPr.l1_unstructured(t_mod, "bias", amount=4, importance_scores=torch.tensor(scores))
    EPr.l1_unstructured(e_mod, "bias", amount=4, importance_scores=ember.tensor(scores))
    np.testing.assert_array_equal(e_mod.bias_mask.numpy(), t_mod.bias_mask.numpy())
    assert e_mod.bias_mask.numpy()[-4:].sum() == 0


def test_global_unstructured_and_custom_from_mask():
    def make(nn):
        return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    t_mod, e_mod = seeded_pair(lambda: make(tnn), lambda: make(enn))
    params = lambda m: [(m[0], "weight"), (m[2], "weight"), (m[2], "bias")]   # noqa: E731
    for amount in (0.3, 10):
        TPr.global_unstructured(params(t_mod), pruning_method=TPr.L1Unstructured, amount=amount)
        EPr.global_unstructured(params(e_mod), pruning_method=EPr.L1Unstructured, amount=amount)
        assert_same_state(e_mod, t_mod, exact=True)
    mask = (RNG.random((8, 4)) > 0.5).astype(np.float32)
    TPr.custom_from_mask(t_mod[0], "bias", torch.tensor(mask[:, 0]))
    EPr.custom_from_mask(e_mod[0], "bias", ember.tensor(mask[:, 0]))
    assert_same_state(e_mod, t_mod, exact=True)
    run_both(e_mod, t_mod, (5, 4))
    with pytest.raises(TypeError, match='Only "unstructured" PRUNING_TYPE supported'):
        EPr.global_unstructured(params(e_mod), pruning_method=EPr.RandomStructured, amount=0.2)


def test_prune_errors_and_rollback():
    lin = enn.Linear(3, 2)
    with pytest.raises(ValueError, match=r"amount=1.5 should either be a float in the range \[0, 1\] or a "
                                         "non-negative integer"):
        EPr.l1_unstructured(lin, "weight", amount=1.5)
    with pytest.raises(TypeError, match="Invalid type for amount"):
        EPr.l1_unstructured(lin, "weight", amount="all")
    with pytest.raises(ValueError, match="amount=7 should be smaller than the number of parameters to prune=6"):
        EPr.l1_unstructured(lin, "weight", amount=7)
    assert list(lin.state_dict()) == ["bias", "weight"] and not lin._forward_pre_hooks   # rolled back, as torch
    with pytest.raises(ValueError, match="Structured pruning can only be applied to multidimensional tensors"):
        EPr.ln_structured(lin, "bias", amount=1, n=2, dim=0)
    with pytest.raises(IndexError, match="Invalid index 2 for tensor of size"):
        EPr.random_structured(lin, "weight", amount=1, dim=2)
    with pytest.raises(ValueError, match="Parameter 'weight' of module .* has to be pruned before pruning can be "
                                         "removed"):
        EPr.remove(lin, "weight")
    pruned = EPr.L1Unstructured(amount=2).prune(ember.tensor([3.0, -1.0, 0.5, 2.0]))
    np.testing.assert_array_equal(pruned.numpy(), [3.0, 0.0, 0.0, 2.0])


# ---------------------------------------------------------------- fusion, skip_init, stateless
def test_fuse_conv_and_linear_with_batchnorm():
    def conv_pair(nn, transpose):
        conv = (nn.ConvTranspose2d if transpose else nn.Conv2d)(3, 4, 3)
        return conv, nn.BatchNorm2d(4)
    for transpose in (False, True):
        torch.manual_seed(0)
        tc, tb = conv_pair(tnn, transpose)
        ec, eb = conv_pair(enn, transpose)
        with torch.no_grad():
            tb.running_mean.uniform_(-1, 1)
            tb.running_var.uniform_(0.5, 2)
            tb.weight.uniform_(0.5, 2)
            tb.bias.uniform_(-1, 1)
        load_from_torch(ec, tc)
        load_from_torch(eb, tb)
        for m in (tc, tb, ec, eb):
            m.eval()
        tf = tnn.utils.fuse_conv_bn_eval(tc, tb, transpose=transpose)
        ef = enn.utils.fuse_conv_bn_eval(ec, eb, transpose=transpose)
        assert ef is not ec and isinstance(ef.weight, enn.Parameter)
        assert_same_state(ef, tf)
        x = RNG.standard_normal((2, 3, 6, 6)).astype(np.float32)
        np.testing.assert_allclose(ef(ember.tensor(x)).detach().numpy(), eb(ec(ember.tensor(x))).detach().numpy(),
                                   rtol=1e-4, atol=1e-5)
    torch.manual_seed(1)
    tl, tb = tnn.Linear(3, 5), tnn.BatchNorm1d(5)
    el, eb = enn.Linear(3, 5), enn.BatchNorm1d(5)
    with torch.no_grad():
        tb.running_mean.uniform_(-1, 1)
        tb.running_var.uniform_(0.5, 2)
    load_from_torch(el, tl)
    load_from_torch(eb, tb)
    with pytest.raises(AssertionError, match="Fusion only for eval!"):
        enn.utils.fuse_linear_bn_eval(el, eb)
    for m in (tl, tb, el, eb):
        m.eval()
    assert_same_state(enn.utils.fuse_linear_bn_eval(el, eb), tnn.utils.fuse_linear_bn_eval(tl, tb))
    w, b = enn.utils.fuse_linear_bn_weights(el.weight, None, eb.running_mean, eb.running_var, eb.eps, eb.weight,
                                            eb.bias)
    tw, tb_ = tnn.utils.fuse_linear_bn_weights(tl.weight, None, tb.running_mean, tb.running_var, tb.eps, tb.weight,
                                               tb.bias)
    np.testing.assert_allclose(b.detach().numpy(), tb_.detach().numpy(), rtol=1e-6)
    assert w.requires_grad and not b.requires_grad and not tb_.requires_grad


def test_skip_init_leaves_the_random_stream_alone():
    ember.manual_seed(0)
    expect = ember.rand(3).numpy()
    ember.manual_seed(0)
    lin = enn.utils.skip_init(enn.Linear, 10, 5)
    np.testing.assert_array_equal(ember.rand(3).numpy(), expect)
    assert lin.weight.shape == (5, 10) and isinstance(lin.weight, enn.Parameter) and lin.weight.requires_grad
    with pytest.raises(RuntimeError, match="Module must support a 'device' arg to skip initialization"):
        enn.utils.skip_init(enn.ReLU)
    with pytest.raises(RuntimeError, match="Expected a Module; got <class 'int'>"):
        enn.utils.skip_init(int)


def test_stateless_functional_call_warns_and_delegates():
    lin = enn.Linear(3, 2)
    w = ember.ones(2, 3)
    with pytest.warns(FutureWarning, match="torch.nn.utils.stateless.functional_call` is deprecated"):
        out = enn.utils.stateless.functional_call(lin, {"weight": w}, (ember.ones(1, 3),))
    np.testing.assert_allclose(out.detach().numpy(), 3 + lin.bias.detach().numpy()[None], rtol=1e-6)
    assert lin.weight is not w
