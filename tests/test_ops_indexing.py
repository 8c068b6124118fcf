"""Indexing (getitem, index ops, nonzero/where) against PyTorch: values, dtypes, shapes, gradients, errors."""
import numpy as np
import pytest
import torch

import ember
from oracle import check

F = [np.float32, np.float64]


def L(lib, data, dtype="int64"):
    """An index tensor in ``lib``."""
    return lib.tensor(data, dtype=getattr(lib, dtype))


CASES = [
    ("int", lambda t, x: x[1], [(3, 4)]),
    ("neg_int", lambda t, x: x[-1, -2], [(3, 4)]),
    ("slice", lambda t, x: x[:, 1:3], [(3, 4)]),
    ("slice_step", lambda t, x: x[::2, 1::2], [(5, 4)]),
    ("slice_clip", lambda t, x: x[1:100, -100:2], [(3, 4)]),
    ("none_ellipsis", lambda t, x: x[None, ..., 0, None], [(2, 3, 4)]),
    ("ellipsis_last", lambda t, x: x[..., 1], [(2, 3, 4)]),
    ("int_tensor", lambda t, x: x[L(t, [0, 2, 0])], [(3, 4)]),
    ("list", lambda t, x: x[[1, 1, 0]], [(3, 4)]),
    ("two_arrays", lambda t, x: x[L(t, [0, 2]), L(t, [1, 3])], [(3, 4)]),
    ("array_slice", lambda t, x: x[1:, L(t, [[0, 3], [3, 3]])], [(3, 4)]),
    ("split_arrays", lambda t, x: x[L(t, [0, 1]), :, L(t, [1, 0])], [(2, 3, 2)]),
    ("int_then_array", lambda t, x: x[0, 1:, [0, -1, -1]], [(3, 2, 2)]),     # ints select first, as torch
    ("int_slice_mask", lambda t, x: x[1, :, t.tensor([True, False])], [(3, 2, 2)]),
    ("bool_mask", lambda t, x: x[x > 0], [(3, 4)]),
    ("bool_rows", lambda t, x: x[t.tensor([True, False, True])], [(3, 4)]),
    ("bool_scalar", lambda t, x: x[True], [(3,)]),
    ("zero_dim_index", lambda t, x: x[L(t, 1)], [(3, 4)]),
    ("index_select", lambda t, x: x.index_select(1, L(t, [3, 0, 3])), [(3, 4)]),
    ("index_select_i32", lambda t, x: t.index_select(x, 0, L(t, [2], "int32")), [(3, 4)]),
    ("gather", lambda t, x: x.gather(1, L(t, [[0, 0], [1, 0], [3, 2]])), [(3, 4)]),
    ("gather_dim0", lambda t, x: t.gather(x, 0, L(t, [[2, 1, 0, 0]])), [(3, 4)]),
    ("scatter", lambda t, x, s: x.scatter(1, L(t, [[0, 1], [2, 3]]), s), [(2, 4), (2, 2)]),
    ("scatter_value", lambda t, x: x.scatter(0, L(t, [[1, 0, 1]]), 2.5), [(2, 3)]),
    ("scatter_add", lambda t, x, s: x.scatter_add(1, L(t, [[0, 0], [2, 2]]), s), [(2, 4), (2, 2)]),
    ("scatter_reduce_sum", lambda t, x, s: x.scatter_reduce(0, L(t, [0, 1, 0]), s, "sum"), [(3,), (3,)]),
    ("scatter_reduce_mean", lambda t, x, s: x.scatter_reduce(0, L(t, [0, 1, 0]), s, "mean"), [(3,), (3,)]),
    ("scatter_reduce_mean_ex", lambda t, x, s: x.scatter_reduce(0, L(t, [0, 1, 0]), s, "mean",
                                                                include_self=False), [(3,), (3,)]),
    ("scatter_reduce_amax", lambda t, x, s: x.scatter_reduce(0, L(t, [0, 1, 0]), s, "amax"), [(3,), (3,)]),
    ("scatter_reduce_amin_ex", lambda t, x, s: x.scatter_reduce(0, L(t, [2, 1, 2]), s, "amin",
                                                                include_self=False), [(3,), (3,)]),
    ("scatter_reduce_prod", lambda t, x, s: x.scatter_reduce(0, L(t, [0, 1, 0]), s, "prod"), [(3,), (3,)]),
    ("index_add", lambda t, x, s: x.index_add(0, L(t, [0, 2, 0]), s), [(3, 2), (3, 2)]),
    ("index_add_alpha", lambda t, x, s: t.index_add(x, 1, L(t, [1]), s, alpha=2.0), [(3, 2), (3, 1)]),
    ("index_copy", lambda t, x, s: x.index_copy(0, L(t, [2, 0]), s), [(3, 2), (2, 2)]),
    ("index_fill", lambda t, x: x.index_fill(1, L(t, [0, 2]), -1.0), [(2, 3)]),
    ("index_put", lambda t, x, v: x.index_put((L(t, [0, 2]),), v), [(3, 2), (2,)]),
    ("index_put_acc", lambda t, x, v: x.index_put((L(t, [0, 0]), L(t, [1, 1])), v, accumulate=True),
     [(3, 2), (2,)]),
    ("take", lambda t, x: x.take(L(t, [[0, 5], [-1, 5]])), [(3, 2)]),
    ("take_along_dim", lambda t, x: t.take_along_dim(x, L(t, [[0], [1]]), 1), [(2, 3)]),
    ("take_along_dim_bcast", lambda t, x: t.take_along_dim(x, L(t, [[[0, 2]]]), 2), [(2, 3, 4)]),
    ("take_along_dim_none", lambda t, x: x.take_along_dim(L(t, [5, 0])), [(2, 3)]),
    ("masked_select", lambda t, x: x.masked_select(x > 0), [(3, 4)]),
    ("masked_select_bcast", lambda t, x: t.masked_select(x, t.tensor([True, False, True, True])), [(3, 4)]),
    ("masked_scatter", lambda t, x, s: x.masked_scatter(t.tensor([[True, False], [False, True]]), s),
     [(2, 2), (3,)]),
    ("masked_fill", lambda t, x: x.masked_fill(x > 0, 0.5), [(3, 4)]),
    ("where", lambda t, x, y: t.where(x > y, x, y), [(3, 4), (4,)]),
]


@pytest.mark.parametrize("dtype", F)
@pytest.mark.parametrize("name,fn,specs", CASES, ids=[c[0] for c in CASES])
def test_oracle(name, fn, specs, dtype):
    check(fn, specs, dtype=dtype)


def test_repeated_indices_accumulate_grad():
    check(lambda t, x: x[L(t, [1, 1, 1, 0])] * 2, [(3,)])
    check(lambda t, x: x[[0, 0], [1, 1]], [(2, 2)])


@pytest.mark.parametrize("fn", [
    lambda t: t.nonzero(t.tensor([[0, 1], [2, 0]])),
    lambda t: t.tensor([[0, 1], [2, 0]]).nonzero(as_tuple=True),
    lambda t: t.tensor(5.).nonzero(),
    lambda t: t.tensor(5.).nonzero(as_tuple=True),
    lambda t: t.argwhere(t.tensor([0., 3., 0., 1.])),
    lambda t: t.where(t.tensor([0., 3., 0., 1.]) > 0),
    lambda t: t.arange(6).view(2, 3)[t.tensor([[True, False, True], [False, False, True]])],
    lambda t: t.arange(6).view(2, 3)[:, t.tensor([2, 0])],
    lambda t: t.arange(4)[t.tensor([1, 0, 1, 1], dtype=t.uint8).bool()],
], ids=lambda f: "")
def test_int_results(fn):
    from oracle import assert_same
    assert_same(fn(ember), fn(torch))


@pytest.mark.parametrize("fn", [
    lambda t: t.zeros(3)[5],
    lambda t: t.zeros(2, 3)[0, 5],
    lambda t: t.zeros(2, 3)[-3],
    lambda t: t.zeros(2, 3)[t.tensor([5])],
    lambda t: t.zeros(2, 3)[t.tensor([True, False, True])],
    lambda t: t.zeros(2, 3)[0, 0, 0],
    lambda t: t.tensor(1.)[0],
    lambda t: t.zeros(3)[1.0],
    lambda t: t.zeros(3)[t.tensor([1.0])],
    lambda t: t.zeros(3)[::-1],
    lambda t: t.zeros(3)[::0],
    lambda t: t.zeros(2, 3).gather(1, t.tensor([[5]])),
    lambda t: t.zeros(2, 3).gather(1, t.tensor([[1.]])),
    lambda t: t.zeros(2, 3).gather(1, t.tensor([1])),
    lambda t: t.zeros(2, 3).scatter(1, t.tensor([[5]]), 1.),
    lambda t: t.zeros(2, 3).index_select(0, t.tensor([5])),
    lambda t: t.zeros(2, 3).index_select(0, t.tensor([0.])),
    lambda t: t.zeros(2, 3).index_select(0, t.tensor([[0]])),
    lambda t: t.zeros(2, 3).index_add(0, t.tensor([5]), t.ones(1, 3)),
    lambda t: t.zeros(2, 3).take(t.tensor([-1, 7])),
    lambda t: t.zeros(2, 3).masked_select(t.tensor([1, 0, 1])),
    lambda t: t.zeros(2, 3).masked_fill(t.tensor([1, 0, 1]), 1.0),
    lambda t: t.zeros(2, 3).index_fill(1, t.tensor([0]), t.tensor([1., 2])),
    lambda t: t.zeros(2, 3).scatter_reduce(0, t.tensor([0]), t.ones(1), "max"),
], ids=lambda f: "")
def test_errors_match_torch(fn):
    errs = []
    for lib in (ember, torch):
        with pytest.raises(Exception) as info:
            fn(lib)
        errs.append(info)
    e, t = errs
    assert e.type is t.type, (e.value, t.value)
    assert str(e.value).startswith(str(t.value)[:50]), (str(e.value), str(t.value))


def test_basic_index_is_view_advanced_is_copy():
    x = ember.arange(12.).view(3, 4)
    v = x[1, 1:]
    v.mul_(0)
    assert x[1].tolist() == [4., 0., 0., 0.]
    c = x[[0, 2]]
    c.fill_(-1)
    assert x[0, 0].item() == 0.0
    assert x[...]._version is x._version


def test_uint8_mask_and_scalar_tensor_index():
    x = ember.arange(4.)
    assert x[ember.tensor([1, 0, 1, 0], dtype=ember.uint8)].tolist() == [0., 2.]
    assert x[ember.tensor(2)].item() == 2.0


def test_cuda_free_module_paths():
    # index arrays made by the index ops stay on the tensor's array module
    x = ember.arange(6.).view(2, 3)
    assert x.gather(1, ember.tensor([[0], [2]])).tolist() == [[0.], [5.]]
