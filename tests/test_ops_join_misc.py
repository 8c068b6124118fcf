"""Joining (cat/stack/...) and misc ops (flip/roll/repeat/tril/diag/one_hot/meshgrid/...) against PyTorch."""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, check

F = [np.float32, np.float64]

CASES = [
    ("cat", lambda t, x, y: t.cat([x, y]), [(2, 3), (4, 3)]),
    ("cat_dim1", lambda t, x, y: t.cat((x, y), 1), [(2, 3), (2, 1)]),
    ("cat_neg", lambda t, x, y: t.concat([x, y, x], dim=-1), [(2, 3), (2, 2)]),
    ("concatenate", lambda t, x, y: t.concatenate([x, y], 0), [(1, 3), (2, 3)]),
    ("cat_empty_1d", lambda t, x: t.cat([x, t.tensor([])]), [(2, 3)]),
    ("cat_promote", lambda t, x: t.cat([x, t.ones(1, 3, dtype=t.float64)]), [(2, 3)]),
    ("cat_int", lambda t, x: t.cat([x, t.ones(1, 3, dtype=t.long)]), [(2, 3)]),
    ("stack", lambda t, x, y: t.stack([x, y]), [(2, 3), (2, 3)]),
    ("stack_dim", lambda t, x, y: t.stack((x, y), dim=2), [(2, 3), (2, 3)]),
    ("stack_neg", lambda t, x, y: t.stack([x, y], -1), [(3,), (3,)]),
    ("hstack", lambda t, x, y: t.hstack([x, y]), [(2, 3), (2, 1)]),
    ("hstack_1d", lambda t, x, y: t.hstack([x, y]), [(3,), (2,)]),
    ("vstack", lambda t, x, y: t.vstack([x, y]), [(3,), (2, 3)]),
    ("dstack", lambda t, x, y: t.dstack([x, y]), [(2, 3), (2, 3)]),
    ("column_stack", lambda t, x, y: t.column_stack([x, y]), [(3,), (3, 2)]),
    ("flip", lambda t, x: x.flip(0), [(3, 4)]),
    ("flip_dims", lambda t, x: t.flip(x, (0, -1)), [(2, 3, 4)]),
    ("fliplr", lambda t, x: t.fliplr(x), [(3, 4)]),
    ("flipud", lambda t, x: x.flipud(), [(3, 4)]),
    ("roll", lambda t, x: x.roll(1, 0), [(3, 4)]),
    ("roll_flat", lambda t, x: t.roll(x, -5), [(3, 4)]),
    ("roll_multi", lambda t, x: x.roll((1, 2), (0, 1)), [(3, 4)]),
    ("rot90", lambda t, x: x.rot90(), [(3, 4)]),
    ("rot90_k", lambda t, x: t.rot90(x, -1, (1, 2)), [(2, 3, 4)]),
    ("rot90_2", lambda t, x: t.rot90(x, 2), [(3, 4)]),
    ("repeat", lambda t, x: x.repeat(2, 3), [(2, 3)]),
    ("repeat_new_dims", lambda t, x: x.repeat(2, 1, 2), [(3,)]),
    ("tile", lambda t, x: t.tile(x, (2,)), [(2, 3)]),
    ("repeat_interleave", lambda t, x: x.repeat_interleave(2), [(2, 3)]),
    ("repeat_interleave_dim", lambda t, x: t.repeat_interleave(x, 3, dim=1), [(2, 3)]),
    ("repeat_interleave_t", lambda t, x: x.repeat_interleave(t.tensor([1, 0, 2]), dim=0), [(3, 2)]),
    ("tril", lambda t, x: x.tril(), [(3, 4)]),
    ("tril_k", lambda t, x: t.tril(x, diagonal=-1), [(2, 3, 4)]),
    ("triu", lambda t, x: x.triu(1), [(4, 3)]),
    ("diag_1d", lambda t, x: t.diag(x), [(3,)]),
    ("diag_1d_off", lambda t, x: x.diag(-2), [(3,)]),
    ("diag_2d", lambda t, x: t.diag(x, 1), [(3, 4)]),
    ("diag_embed", lambda t, x: t.diag_embed(x), [(2, 3)]),
    ("diag_embed_args", lambda t, x: x.diag_embed(1, 0, 2), [(2, 3)]),
    ("diagflat", lambda t, x: t.diagflat(x, -1), [(2, 2)]),
    ("broadcast_to", lambda t, x: t.broadcast_to(x, (2, 3, 4)), [(3, 1)]),
    ("broadcast_tensors", lambda t, x, y: t.broadcast_tensors(x, y), [(3, 1), (4,)]),
    ("atleast_1d", lambda t, x: t.atleast_1d(x), [()]),
    ("atleast_2d", lambda t, x, y: t.atleast_2d(x, y), [(3,), ()]),
    ("atleast_3d", lambda t, x: t.atleast_3d([x]), [(2, 3)]),
    ("meshgrid_ij", lambda t, x, y: t.meshgrid(x, y, indexing="ij"), [(3,), (2,)]),
    ("meshgrid_xy", lambda t, x, y, z: t.meshgrid([x, y, z], indexing="xy"), [(3,), (2,), (4,)]),
    ("narrow_copy", lambda t, x: t.narrow_copy(x, 1, 1, 2), [(3, 4)]),
    ("cartesian_prod", lambda t, x, y: t.cartesian_prod(x, y), [(3,), (2,)]),
]


@pytest.mark.parametrize("dtype", F)
@pytest.mark.parametrize("name,fn,specs", CASES, ids=[c[0] for c in CASES])
def test_oracle(name, fn, specs, dtype):
    check(fn, specs, dtype=dtype)


@pytest.mark.parametrize("fn", [
    lambda t: t.cat([t.ones(2, 3), t.ones(2, 4)], 0),
    lambda t: t.cat([t.ones(2, 3), t.ones(3, 4)], 1),
    lambda t: t.cat([t.ones(2, 3), t.ones(2, 3, 1)]),
    lambda t: t.cat([]),
    lambda t: t.cat([t.tensor(1.)]),
    lambda t: t.cat([t.ones(2), 3]),
    lambda t: t.stack([t.ones(3, 237, 224), t.ones(3, 224, 400)]),
    lambda t: t.stack([]),
    lambda t: t.ones(2, 3).repeat(2),
    lambda t: t.arange(3.).fliplr(),
    lambda t: t.tensor(1.).flipud(),
    lambda t: t.arange(3.).tril(),
    lambda t: t.zeros(2, 2, 2).diag(),
    lambda t: t.ones(2, 3).roll(1, (0, 1)),
    lambda t: t.ones(2, 3).rot90(1, (0, 0)),
    lambda t: t.flip(t.ones(2, 3), (0, 0)),
    lambda t: t.ones(2, 3).repeat_interleave(t.tensor([1, 2]), dim=1),
    lambda t: t.broadcast_tensors(t.ones(2, 3), t.ones(4)),
    lambda t: t.nn.functional.one_hot(t.tensor([1.])),
    lambda t: t.nn.functional.one_hot(t.tensor([-1])),
    lambda t: t.nn.functional.one_hot(t.tensor([3]), 2),
], ids=lambda f: "")
def test_errors_match_torch(fn):
    errs = []
    for lib in (ember, torch):
        with pytest.raises(Exception) as info:
            fn(lib)
        errs.append(info)
    e, t = errs
    assert e.type is t.type, (e.value, t.value)
    assert str(e.value).startswith(str(t.value)), (str(e.value), str(t.value))


@pytest.mark.parametrize("fn", [
    lambda t: t.nn.functional.one_hot(t.tensor([0, 2, 1])),
    lambda t: t.nn.functional.one_hot(t.tensor([[0], [3]]), num_classes=5),
    lambda t: t.repeat_interleave(t.tensor([1, 3, 0, 2])),
    lambda t: t.cat([t.tensor([1, 2]), t.tensor([True])]),
    lambda t: t.stack([t.tensor(1), t.tensor(2.5)]),
    lambda t: t.broadcast_shapes((2, 1), (3,), (1, 1, 1)),
    lambda t: t.meshgrid(t.arange(2), t.arange(3), indexing="ij")[0].stride(),
], ids=lambda f: "")
def test_int_results(fn):
    assert_same(fn(ember), fn(torch))


def test_meshgrid_warns_without_indexing():
    with pytest.warns(UserWarning, match="it will be required to pass the indexing argument"):
        ember.meshgrid(ember.arange(2), ember.arange(3))


def test_one_hot_is_in_functional():
    import ember.nn.functional as Fn
    assert Fn.one_hot(ember.tensor([1]), 3).tolist() == [[0, 1, 0]]


def test_gradcheck_float64():
    from torch.autograd import gradcheck as tgc   # noqa: F401 - the oracle is the finite difference itself
    x = ember.tensor(np.random.default_rng(0).standard_normal((3, 4)), dtype=ember.float64, requires_grad=True)
    for fn in (lambda x: ember.cat([x, x.flip(0)], 1), lambda x: x.roll(1, 1).tril(),
               lambda x: x.repeat(2, 1).diagonal(), lambda x: ember.stack([x, x.t().t()]).diag_embed(),
               lambda x: x.gather(1, ember.tensor([[0, 0], [1, 3], [2, 2]])) ** 2):
        y = fn(x)
        g, = ember.autograd.grad(y.sum(), x)
        eps, num = 1e-6, np.zeros((3, 4))
        base = x.detach().numpy().copy()
        for i in range(3):
            for j in range(4):
                p, m = base.copy(), base.copy()
                p[i, j] += eps
                m[i, j] -= eps
                num[i, j] = (fn(ember.tensor(p)).sum().item() - fn(ember.tensor(m)).sum().item()) / (2 * eps)
        np.testing.assert_allclose(g.numpy(), num, rtol=1e-6, atol=1e-6)
