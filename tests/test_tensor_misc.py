"""ember/ops/tensor_misc.py against PyTorch: Tensor.new, resize, bit shifts, apply_/map_, the unsafe splits, the
*_copy ops, fill/detach, igamma, binomial, empty_permuted, nonzero_static, dim_order, set_/is_set_to,
segment_reduce."""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, check


def _run(lib, fn):
    try:
        return fn(lib), None
    except Exception as e:       # noqa: BLE001 - the comparison is the point
        return None, e


def both(fn, match_message=True):
    """``fn(lib)`` gives the same result in Ember and PyTorch, or the same exception type (and message start)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (t, te), (e, ee) = _run(torch, fn), _run(ember, fn)
    if te is not None:
        assert ee is not None, f"torch raised {te!r}, ember returned {e!r}"
        assert type(ee) is type(te), f"{ee!r} vs torch {te!r}"
        if match_message:
            assert str(ee).startswith(str(te).split("\n")[0].rstrip()), f"{ee} vs torch {te}"
        return None
    assert ee is None, f"ember raised {ee!r}, torch returned {t!r}"
    assert_same(_plain(e), _plain(t))
    return e


def _plain(v):
    """dtypes as their names (Ember's and PyTorch's dtype objects differ), inside tuples and lists too."""
    if isinstance(v, (tuple, list)):
        return type(v)(_plain(x) for x in v) if type(v) in (tuple, list) else v
    return str(v) if isinstance(v, (torch.dtype, ember.dtype)) else v


# ---------------------------------------------------------------- Tensor.new
@pytest.mark.parametrize("fn", [
    lambda t: t.arange(6.).reshape(2, 3).new(), lambda t: t.arange(6.).new(2, 3).shape,
    lambda t: t.arange(6.).new((2, 3)), lambda t: t.arange(6.).new([[1, 2]]), lambda t: t.arange(3).new([1.5, 2]),
    lambda t: t.arange(6.).new(t.Size([2])).shape, lambda t: t.arange(6.).new(size=(2,)).shape,
    lambda t: t.arange(6, dtype=t.float64).new(2).dtype, lambda t: t.arange(6.).new(3.5),
    lambda t: t.arange(6.).new(2, "a"), lambda t: t.arange(6.).new(t.tensor([1, 2])),
    lambda t: t.arange(6.).new(2, dtype=t.int64), lambda t: t.arange(6.).new(-1)])
def test_new(fn):
    both(fn)


def test_new_shares_memory_of_a_tensor():
    x = ember.arange(3.)
    y = x.new(x)
    assert y is not x and y.data_ptr() == x.data_ptr() and y._base is None and not y.requires_grad


# ---------------------------------------------------------------- resize / resize_as
@pytest.mark.parametrize("fn", [
    lambda t: t.arange(6.).resize(2, 3), lambda t: t.arange(6.).resize(2, 2), lambda t: t.arange(6.).resize((3, 2)),
    lambda t: t.arange(6.).resize_as(t.zeros(3, 2)), lambda t: t.arange(6.).resize_as(t.zeros(2, 2)),
    lambda t: t.arange(6.).reshape(2, 3).t().resize(6)])
def test_resize(fn):
    both(fn)


def test_resize_grad_and_warning():
    with pytest.warns(UserWarning, match="non-inplace resize is deprecated"):
        check(lambda t, x: x.resize(3, 2) * 2, [(2, 3)])
    with pytest.warns(UserWarning, match="non-inplace resize_as is deprecated"):
        check(lambda t, x: x.t().resize_as(t.zeros(6)), [(2, 3)])
    for lib in (torch, ember):
        x = lib.arange(6.)
        with pytest.warns(UserWarning, match="non-inplace resize is deprecated"):
            r = x.resize(2, 3)
            assert r.data_ptr() == x.data_ptr()
            assert type(x.requires_grad_().resize(6).grad_fn).__name__ == "ResizeBackward"


# ---------------------------------------------------------------- bit shifts
_I32 = [1, -8, 5, 2 ** 30, -(2 ** 31)]


@pytest.mark.parametrize("fn", [
    lambda t: t.bitwise_left_shift(t.tensor(_I32, dtype=t.int32), 2),
    lambda t: t.bitwise_right_shift(t.tensor(_I32, dtype=t.int32), t.tensor([1, 2, 3, 31, 30])),
    lambda t: t.tensor(_I32, dtype=t.int32) << t.tensor([40, -1, 0, 31, 32], dtype=t.int32),
    lambda t: t.tensor(_I32, dtype=t.int32) >> t.tensor([40, -1, 0, 31, 32], dtype=t.int32),
    lambda t: 2 << t.tensor([1, -8, 5, 40], dtype=t.int32), lambda t: 2 >> t.tensor([1, -8, 5], dtype=t.int32),
    lambda t: -2 >> t.tensor([1, -8, 70]), lambda t: t.tensor([True, False]) << 1,
    lambda t: t.tensor([200, 3], dtype=t.uint8) << 1,
    lambda t: t.tensor([200], dtype=t.uint8) >> t.tensor([9, 2], dtype=t.uint8),
    lambda t: t.tensor([-200]) >> 70,
    lambda t: t.tensor([-200]) << 64,
    lambda t: t.tensor([5], dtype=t.int8) << t.tensor([2]),
    lambda t: t.bitwise_left_shift(t.tensor([[1], [2]], dtype=t.int16), t.tensor([1, 2, 15], dtype=t.int16)),
    lambda t: t.bitwise_left_shift(3, t.tensor([1, 2], dtype=t.int8)),
    lambda t: t.tensor([1, 2]) << 2.0, lambda t: t.tensor([1.5]) >> 1, lambda t: t.tensor([True]) << t.tensor([True]),
    lambda t: t.tensor([3]) << t.tensor([1.5]), lambda t: t.bitwise_left_shift(2, 3),
    lambda t: t.bitwise_left_shift(t.tensor([1, 2]), 1, out=t.empty(2, dtype=t.int64))])
def test_shifts(fn):
    both(fn)


def test_shifts_in_place():
    for lib in (torch, ember):
        b = lib.tensor([1, -8, 5], dtype=lib.int32)
        b <<= 1
        b >>= lib.tensor([2, 1, 0])
        b.bitwise_left_shift_(3)
        assert b.tolist() == [0, -64, 80] and b.dtype == lib.int32
    both(lambda t: t.tensor([True]).bitwise_left_shift_(1), match_message=False)   # (an int64 result into bool)


# ---------------------------------------------------------------- apply_ / map_ / map2_
@pytest.mark.parametrize("fn", [
    lambda t: t.arange(6.).reshape(2, 3).apply_(lambda v: v * 2), lambda t: t.arange(3).apply_(lambda v: -v * 2.7),
    lambda t: t.arange(3.).apply_(lambda v: 7 if type(v) is float else 0),
    lambda t: t.arange(3).apply_(lambda v: 7 if type(v) is int else 0),
    lambda t: t.tensor([True, False]).apply_(lambda v: 7 if type(v) is bool else 0),
    lambda t: t.arange(6.).reshape(2, 3).t().apply_(lambda v: v + 1), lambda t: t.arange(6.).apply_(lambda v: "a"),
    lambda t: t.arange(3., requires_grad=True).apply_(lambda v: v), lambda t: t.ones(3).apply_(5),
    lambda t: t.arange(6.).reshape(2, 3).map_(t.ones(3), lambda a, b: a + b * 10),
    lambda t: t.arange(6.).reshape(2, 3).map_(t.ones(2, 3, dtype=t.int64), lambda a, b: a),
    lambda t: t.arange(6.).reshape(2, 3).map_(t.ones(4), lambda a, b: a),
    lambda t: t.arange(6.).reshape(2, 3).map2_(t.ones(3), t.ones(2, 1) * 2, lambda a, b, c: a + 10 * b + 100 * c),
    lambda t: t.ones(3).map_(t.ones(3, requires_grad=True), lambda a, b: a),
    lambda t: t.ones(3).map_(5, lambda a, b: a),
    lambda t: t.ones(3).map2_(t.ones(3), t.ones(3, dtype=t.float64), lambda a, b, c: a),
    lambda t: t.ones(3).map2_(t.ones(3), 5, lambda a, b, c: a),
    lambda t: t.ones(3).map2_(t.ones(3), t.ones(3, requires_grad=True), lambda a, b, c: a)])
def test_apply_map(fn):
    both(fn)


def test_apply_in_place():
    x = ember.arange(4.)
    v = x[1:3]
    assert v.apply_(lambda a: a * 10) is v and x.tolist() == [0, 10, 20, 3] and x._version[0] == 1


# ---------------------------------------------------------------- split_with_sizes / unsafe splits
@pytest.mark.parametrize("fn", [
    lambda t: t.split_with_sizes(t.arange(6.).reshape(2, 3), [1, 2], 1),
    lambda t: t.arange(6.).reshape(2, 3).split_with_sizes([1, 2], dim=1),
    lambda t: t.split_with_sizes(t.arange(6.).reshape(2, 3), [1, 1], 1),
    lambda t: t.split_with_sizes(t.arange(6.).reshape(2, 3), 1, 1),
    lambda t: t.split_with_sizes(t.arange(6.), (1, -1, 6)),
    lambda t: t.unsafe_split(t.arange(6.).reshape(2, 3), 1), lambda t: t.unsafe_chunk(t.arange(6.).reshape(2, 3), 2, 1),
    lambda t: t.arange(6.).reshape(2, 3).unsafe_split_with_sizes([2, 1], 1), lambda t: t.unsafe_chunk(t.zeros(0, 2), 3),
    lambda t: t.unsafe_chunk(t.arange(6.), 0), lambda t: t.unsafe_split(t.arange(6.), [1, 1])])
def test_splits(fn):
    both(fn)


def test_unsafe_split_grad_and_memory():
    check(lambda t, x: t.unsafe_split(x, 2, 1)[1] * 3, [(2, 5)])
    check(lambda t, x: x.unsafe_chunk(3)[0], [(5, 2)])
    check(lambda t, x: t.unsafe_split_with_sizes(x, [1, 3], 0), [(4,)])
    for lib in (torch, ember):
        x = lib.arange(6., requires_grad=True).reshape(2, 3) * 1
        u = lib.unsafe_split(x, 1)
        assert type(u[0].grad_fn).__name__ == "UnsafeSplitBackward0"
        assert u[0]._base is None and u[0].data_ptr() == x.data_ptr()
        u[0].mul_(2)                  # shares memory, but not the version counter: no view error
        assert x.tolist()[0] == [0., 2., 4.] and x._version in (0, [0])


# ---------------------------------------------------------------- the *_copy ops
_COPIES = [
    ("view_copy", lambda t, x: t.view_copy(x, (3, 2))), ("t_copy", lambda t, x: t.t_copy(x)),
    ("transpose_copy", lambda t, x: t.transpose_copy(x, 0, 1)),
    ("permute_copy", lambda t, x: t.permute_copy(x, (1, 0))),
    ("expand_copy", lambda t, x: t.expand_copy(x[:1], (4, 3))), ("squeeze_copy", lambda t, x: t.squeeze_copy(x[:1], 0)),
    ("unsqueeze_copy", lambda t, x: t.unsqueeze_copy(x, -1)), ("diagonal_copy", lambda t, x: t.diagonal_copy(x, 1)),
    ("select_copy", lambda t, x: t.select_copy(x, 1, -1)), ("slice_copy", lambda t, x: t.slice_copy(x, 1, -2, None, 1)),
    ("split_copy", lambda t, x: t.split_copy(x, 1)),
    ("split_with_sizes_copy", lambda t, x: t.split_with_sizes_copy(x, [2, 1], 1)),
    ("unbind_copy", lambda t, x: t.unbind_copy(x, 1)),
    ("as_strided_copy", lambda t, x: t.as_strided_copy(x, (2, 2), (1, 2), 1)),
    ("alias_copy", lambda t, x: t.alias_copy(x)), ("unfold_copy", lambda t, x: t.unfold_copy(x, 1, 2, 1))]


@pytest.mark.parametrize("name,fn", _COPIES)
def test_copy_ops(name, fn):
    """Values, contiguous strides, no shared memory, and the view's gradient."""
    check(fn, [(2, 3)])
    x = ember.arange(6.).reshape(2, 3)
    for r in (lambda o: o if isinstance(o, tuple) else (o,))(fn(ember, x)):
        assert r.is_contiguous() and r.data_ptr() != x.data_ptr()


@pytest.mark.parametrize("fn", [
    lambda t: t.view_copy(t.arange(6.), t.int32), lambda t: t.view_copy(t.arange(6.), 6),
    lambda t: t.slice_copy(t.arange(6.).reshape(2, 3), 1, None, None, 2), lambda t: t.slice_copy(t.arange(6.), 0, 5, 1),
    lambda t: t.slice_copy(t.arange(6.), 0, 0, 10, 0), lambda t: t.slice_copy(t.arange(6.), 0, -10, -1),
    lambda t: t.split_copy(t.arange(6.), [1, 5]), lambda t: t.squeeze_copy(t.zeros(1, 2, 1), (0, 2)),
    lambda t: t.view_as_real_copy(t.tensor([1 + 2j])), lambda t: t.view_as_complex_copy(t.tensor([[1., 2.]])),
    lambda t: t.transpose_copy(t.arange(6.).reshape(2, 3), 0, 1, out=t.empty(3, 2)),
    lambda t: t.t_copy(t.arange(6.).reshape(2, 3), out=t.empty(3, 2, dtype=t.int64)),
    lambda t: t.split_copy(t.arange(6.), 3, out=[t.empty(3), t.empty(1)]),
    lambda t: t.split_copy(t.arange(6.), 3, out=[t.empty(3)]),
    lambda t: t.split_copy(t.arange(6.), 3, out=[t.empty(0)] * 2),
    lambda t: (lambda o: (t.split_copy(t.arange(6.), 3, out=o), o))([t.empty(2, 3), t.empty(3, dtype=t.int64)]),
    lambda t: t.unbind_copy(t.arange(6.).reshape(2, 3), 1, out=[t.empty(2)] * 2),
    lambda t: (lambda o: (t.unbind_copy(t.arange(6.).reshape(2, 3), 0, out=o), o))([t.empty(3), t.empty(3)]),
    lambda t: t.detach_copy(t.arange(3.)), lambda t: t.detach(t.arange(3., requires_grad=True))])
def test_copy_op_arguments(fn):
    both(fn)


def test_detach_copy_and_detach():
    for lib in (torch, ember):
        x = lib.arange(3., requires_grad=True)
        d = lib.detach_copy(x)                   # attached without a derivative
        assert d.requires_grad and d.data_ptr() != x.data_ptr()
        with pytest.raises(RuntimeError, match="derivative for aten::detach_copy is not implemented"):
            d.sum().backward()
        a = lib.detach(x)
        assert not a.requires_grad and a.data_ptr() == x.data_ptr()


# ---------------------------------------------------------------- fill
@pytest.mark.parametrize("fn", [
    lambda t: t.fill(t.arange(3.), 2), lambda t: t.fill(t.arange(3), 2.7), lambda t: t.fill(t.arange(3.), t.tensor(3.)),
    lambda t: t.fill(t.arange(3.), t.tensor([3., 4.])), lambda t: t.fill(t.tensor([float("nan"), 1.]), True)])
def test_fill(fn):
    both(fn)


def test_fill_grad():
    check(lambda t, x: t.fill(x, 2.5), [(2, 3)])
    check(lambda t, x, v: t.fill(x, v) * x, [(2, 3), ()])
    for lib in (torch, ember):
        assert type(lib.fill(lib.ones(2, requires_grad=True), 1).grad_fn).__name__ == "FillBackward0"
        assert type(lib.fill(lib.ones(2), lib.ones((), requires_grad=True)).grad_fn).__name__ == "FillBackward1"


# ---------------------------------------------------------------- igamma / igammac
@pytest.mark.parametrize("fn", [
    lambda t: t.igamma(t.tensor([0.5, 2.0, 3.0, 0.0]), t.tensor([1.0, 1.0, 5.0, 2.0])),
    lambda t: t.igammac(t.tensor([0.5, 2.0, 3.0]), t.tensor([1.0, 1.0, 5.0], dtype=t.float64)),
    lambda t: t.tensor([0.5, 2.0]).igamma(t.tensor([1.0, 3.0])),
    lambda t: t.tensor([0.5, 2.0]).igammac_(t.tensor([1.0, 3.0])),
    lambda t: t.igamma(t.tensor([1, 2]), t.tensor([1., 2])), lambda t: t.igamma(t.tensor([0.5]), 2.0),
    lambda t: t.igamma(2.0, t.tensor([0.5])), lambda t: t.igamma(t.tensor([1, 2]), t.tensor([1, 2])),
    lambda t: t.arange(3).igamma_(t.ones(3))])
def test_igamma(fn):
    both(fn)


def test_igamma_grad():
    check(lambda t, a, x: t.igamma(a.detach(), x), [(4,), (4,)], positive=True)
    check(lambda t, a, x: t.igammac(a.detach(), x), [(4,), (4,)], positive=True, dtype=np.float64)
    for lib in (torch, ember):
        a = lib.tensor([0.5, 2.0], requires_grad=True)
        with pytest.raises(NotImplementedError, match="the derivative for 'igamma: input' is not implemented"):
            lib.igamma(a, lib.tensor([1.0, 3.0])).sum().backward()


# ---------------------------------------------------------------- binomial
@pytest.mark.parametrize("fn", [
    lambda t: t.binomial(t.tensor([10., 5.]), 0.5), lambda t: t.binomial(t.tensor([10, 5]), t.tensor([0.5, 0.5])),
    lambda t: t.binomial(t.tensor([10.], dtype=t.float64), t.tensor([0.5])),
    lambda t: t.binomial(t.tensor([10.]), t.tensor([0.5], dtype=t.float64)),
    lambda t: t.binomial(t.tensor([10.] * 2), t.tensor([0.5] * 4)),
    lambda t: t.binomial(t.ones(1).half(), t.ones(1).half()),
    lambda t: t.binomial(t.tensor([-1., 0., 10., 10., 3.]), t.tensor([0.5, 0.5, 0., 1.5, -0.5])),
    lambda t: t.binomial(t.tensor([10.] * 2), t.tensor([float("nan"), 1.])),
    lambda t: t.binomial(t.tensor(7.), t.tensor(1.))])
def test_binomial_values(fn):
    both(fn)


def test_binomial_distribution_and_grad():
    ember.manual_seed(0)
    n = ember.full((20000,), 40.)
    s = ember.binomial(n, ember.full((20000,), 0.3)).numpy()
    assert s.dtype == np.float32 and np.all(s == np.round(s)) and s.min() >= 0 and s.max() <= 40
    assert abs(s.mean() - 12) < 0.15 and abs(s.var() - 8.4) < 0.5
    frac = ember.binomial(ember.full((4000,), 2.5), ember.full((4000,), 0.5)).numpy()   # the count is truncated
    assert frac.max() == 2 and abs(frac.mean() - 1) < 0.08
    big = ember.binomial(ember.tensor([1e30], dtype=ember.float64), ember.tensor([0.5], dtype=ember.float64))
    assert abs(big.item() / 5e29 - 1) < 1e-10
    g = ember.Generator().manual_seed(3)
    a = ember.binomial(n[:50], ember.full((50,), 0.5), generator=g)
    assert ember.equal(a, ember.binomial(n[:50], ember.full((50,), 0.5), generator=ember.Generator().manual_seed(3)))
    for lib in (torch, ember):
        r = lib.binomial(lib.tensor([10.], requires_grad=True), lib.tensor([0.5]))
        assert r.requires_grad
        with pytest.raises(RuntimeError, match="derivative for aten::binomial is not implemented"):
            r.sum().backward()


# ---------------------------------------------------------------- empty_permuted / nonzero_static
@pytest.mark.parametrize("fn", [
    lambda t: t.empty_permuted((2, 3, 4), (2, 0, 1)).stride(), lambda t: t.empty_permuted((2, 3, 4), (0, 2, 1)).dtype,
    lambda t: t.empty_permuted((2, 3, 4, 5), (0, 2, 3, 1), dtype=t.int64).stride(),
    lambda t: t.empty_permuted((2, 3), (0, 0)),
    lambda t: t.empty_permuted((2, 3), (0,)),
    lambda t: t.empty_permuted((2, 3), (0, 2)),
    lambda t: t.empty_permuted((2, 3), (-1, 0)), lambda t: t.empty_permuted((), ()).shape,
    lambda t: t.empty_permuted([2, 3], [1, 0], device="cpu", requires_grad=True).requires_grad,
    lambda t: t.nonzero_static(t.tensor([[0, 1, 2], [3, 0, 0]]), size=5),
    lambda t: t.nonzero_static(t.tensor([[0, 1, 2], [3, 0, 0]]), size=2),
    lambda t: t.nonzero_static(t.tensor([[0, 1, 2], [3, 0, 0]]), size=4, fill_value=7),
    lambda t: t.tensor([[0, 1, 2], [3, 0, 0]]).nonzero_static(size=1),
    lambda t: t.nonzero_static(t.tensor([1]), size=-1),
    lambda t: t.nonzero_static(t.tensor(5), size=2),
    lambda t: t.nonzero_static(t.tensor([0.5, 0., float("nan")]), size=3),
    lambda t: t.nonzero_static(t.zeros(2, 0), size=2)])
def test_empty_permuted_nonzero_static(fn):
    both(fn)


# ---------------------------------------------------------------- dim_order
def _cl(t, shape):
    """A channels-last tensor, made without memory-format objects."""
    return t.zeros(shape[0], *shape[2:], shape[1]).permute(0, 3, 1, 2)


@pytest.mark.parametrize("fn", [
    lambda t: t.zeros(2, 3, 4).dim_order(), lambda t: t.zeros(2, 3, 4).permute(2, 0, 1).dim_order(),
    lambda t: _cl(t, (2, 3, 4, 5)).dim_order(), lambda t: _cl(t, (2, 1, 4, 5)).dim_order(),
    lambda t: t.zeros(2, 1, 4).dim_order(),
    lambda t: t.zeros(2, 3)[:, ::2].dim_order(),
    lambda t: t.zeros(()).dim_order(),
    lambda t: t.zeros(3).expand(2, 3).dim_order(), lambda t: t.zeros(4, 3, 2).permute(2, 1, 0)[::2].dim_order(),
    lambda t: t.zeros(2, 3).t().dim_order(ambiguity_check=True),
    lambda t: t.zeros(2, 1, 4).dim_order(ambiguity_check=True),
    lambda t: t.zeros(2, 3, 4).dim_order(ambiguity_check=True),
    lambda t: t.zeros(3).expand(2, 3).dim_order(ambiguity_check=True),
    lambda t: _cl(t, (2, 3, 4, 5)).dim_order(ambiguity_check=True),
    lambda t: t.zeros(0, 3).dim_order(ambiguity_check=True),
    lambda t: t.zeros(2, 1, 4).dim_order(ambiguity_check=[]), lambda t: t.zeros(2).dim_order(ambiguity_check="a")])
def test_dim_order(fn):
    both(fn)


# ---------------------------------------------------------------- set_ / is_set_to / flags
def test_set_and_is_set_to():
    for lib in (torch, ember):
        a, b = lib.arange(6.), lib.zeros(2)
        assert b.set_(a) is b and b.data_ptr() == a.data_ptr() and b.shape == (6,)
        assert b.is_set_to(a) and a.is_set_to(b) and a.is_set_to(a)
        assert not a[1:].is_set_to(a) and not a.view(2, 3).is_set_to(a) and not lib.zeros(3).is_set_to(lib.zeros(3))
        b[0] = 100.
        assert a[0].item() == 100.
        c = lib.zeros(1).set_(lib.arange(6.).view(2, 3).t())
        assert c.stride() == (1, 3) and c.shape == (3, 2)
        assert lib.zeros(1).set_(a[2:]).storage_offset() == 2
        assert lib.zeros(2).set_().shape == (0,)
        s = lib.ones(3, requires_grad=True)
        x = lib.zeros(3).set_(s * 2)             # attached without a derivative
        assert x.requires_grad
        with pytest.raises(RuntimeError, match="derivative for set_ is not implemented"):
            x.sum().backward()


_FLAGS = ("is_nested", "is_xpu", "is_mps", "is_ipu", "is_xla", "is_mtia", "is_maia", "is_vulkan", "is_mkldnn")


@pytest.mark.parametrize("fn", [
    lambda t: t.zeros(2, dtype=t.int64).set_(t.arange(6.)), lambda t: t.zeros(2, requires_grad=True).set_(t.arange(6.)),
    lambda t: t.zeros(2).set_(5), lambda t: t.zeros(2).set_(t.zeros(2), 0),
    lambda t: (lambda z: z[1:].const_data_ptr() - z.data_ptr())(t.zeros(3)),
    lambda t: [getattr(t.zeros(2), n) for n in _FLAGS]])
def test_set_errors_and_flags(fn):
    both(fn)


# ---------------------------------------------------------------- segment_reduce
_D6 = [1., 2., 3., 4., 5., 6.]


@pytest.mark.parametrize("reduce", ["sum", "mean", "max", "min", "prod", "amax", "amin", "any"])
@pytest.mark.parametrize("initial", [None, 10])
def test_segment_reduce_kinds(reduce, initial):
    both(lambda t: t.segment_reduce(t.tensor(_D6), reduce, lengths=t.tensor([2, 0, 3, 1]), initial=initial))


@pytest.mark.parametrize("fn", [
    lambda t: t.segment_reduce(t.tensor(_D6), "sum"),
    lambda t: t.segment_reduce(t.tensor(_D6), "sum", lengths=t.tensor([-1, 7])),
    lambda t: t.segment_reduce(t.tensor(_D6), "sum", lengths=t.tensor([2, 3])),
    lambda t: t.segment_reduce(t.tensor(_D6), "sum", lengths=t.tensor([2, 3]), unsafe=True),
    lambda t: t.segment_reduce(t.tensor(_D6), "sum", offsets=t.tensor([1, 2, 6])),
    lambda t: t.segment_reduce(t.tensor(_D6), "max", lengths=t.tensor([2, 4], dtype=t.int32), axis=-1),
    lambda t: t.segment_reduce(t.tensor(_D6).reshape(2, 3), "max", lengths=t.tensor([1, 2]), axis=1),
    lambda t: t.segment_reduce(t.tensor(_D6).reshape(3, 2), "mean", lengths=t.tensor([0, 3]), initial=1.5),
    lambda t: t.segment_reduce(t.tensor(_D6).reshape(2, 3, 1).expand(2, 3, 2), "min",
                               lengths=t.tensor([[1, 2], [3, 0]]), axis=1),
    lambda t: t.segment_reduce(t.tensor([1., float("nan"), 3.]), "max", lengths=t.tensor([2, 1])),
    lambda t: t.segment_reduce(t.tensor(_D6).half(), "sum", lengths=t.tensor([2, 4])),
    lambda t: t.segment_reduce(t.tensor(_D6), "sum", lengths=[2, 4]),
    lambda t: t.segment_reduce(t.tensor(_D6), "sum", indices=t.tensor([0, 0, 1, 1, 1, 2])),
    lambda t: t.segment_reduce(t.tensor([1, 2, 3]), "sum", lengths=t.tensor([3]))])
def test_segment_reduce_arguments(fn):
    both(fn)


@pytest.mark.parametrize("reduce,initial", [("max", 4.), ("min", 0.), ("prod", 2.), ("mean", 2.), ("max", None),
                                            ("sum", None), ("prod", None)])
def test_segment_reduce_grad(reduce, initial):
    """Ties (with each other or with ``initial``) and zeros in products, as PyTorch's gradients handle them."""
    for vals in ([1., 3., 3., 0., 5., 7.], [2., 0., 0., 0., 5., 0.]):
        check(lambda t, x: t.segment_reduce(x, reduce, lengths=t.tensor([3, 2, 1]), initial=initial),
              [np.array(vals, dtype=np.float32)])
    check(lambda t, x: t.segment_reduce(x, reduce, lengths=t.tensor([[1, 2], [0, 3]]), axis=1, initial=initial),
          [(2, 3, 2)], dtype=np.float64)
