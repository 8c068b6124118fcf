"""In-place semantics against PyTorch: setitem, index ops' in-place forms, in-place view ops, resize_,
version counters, the leaf and saved-tensor errors, and autograd through in-place writes."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same


def both(prog):
    """Run ``prog(lib)`` with Ember and PyTorch and compare what it returns."""
    assert_same(prog(ember), prog(torch))


# ---------------------------------------------------------------- t[index] = value
SETITEMS = [
    lambda t, x: x.__setitem__((slice(None), 1), 0),
    lambda t, x: x.__setitem__(0, 7),
    lambda t, x: x.__setitem__((1, slice(0, 2)), t.tensor([5., 6.])),
    lambda t, x: x.__setitem__(x > 0.5, -1.),
    lambda t, x: x.__setitem__(t.tensor([0, 2]), t.tensor([1., 2., 3., 4.])),
    lambda t, x: x.__setitem__((t.tensor([0, 2]), t.tensor([3, 1])), 9.),
    lambda t, x: x.__setitem__((Ellipsis, None, 2), t.ones(3, 1)),
    lambda t, x: x.__setitem__(slice(None, None, 2), t.arange(4.)),
    lambda t, x: x.__setitem__([1, 1], 3.),
    lambda t, x: x.__setitem__(t.tensor([True, False, True]), t.zeros(4)),
    lambda t, x: x.__setitem__(1, t.tensor([1, 2, 3, 4])),            # int64 into float32
    lambda t, x: x.__setitem__((slice(None), 0), t.tensor(3.5, dtype=t.float64)),
    lambda t, x: x.view(3, 2, 2).__setitem__((0, slice(None), [0, 1]), t.tensor([[1., 2.], [3., 4.]])),
]


@pytest.mark.parametrize("i", range(len(SETITEMS)))
def test_setitem(i):
    def prog(lib):
        x = lib.tensor(np.linspace(0, 1, 12, dtype=np.float32).reshape(3, 4))
        v0 = x._version[0] if lib is ember else x._version
        SETITEMS[i](lib, x)
        return x, (x._version[0] if lib is ember else x._version) - v0
    both(prog)


def test_cross_dtype_copy_truncates():
    def prog(lib):
        caps = lib.zeros(2, 5, dtype=lib.long)
        src = lib.tensor([1.9, 2.5, -3.7])
        caps[0, :3] = src[:3]
        return caps
    both(prog)


def test_setitem_errors_match_torch():
    for fn in (lambda t: t.zeros(2, 3).__setitem__(t.tensor([0, 1]), t.ones(3, 3)),
               lambda t: t.zeros(2, 3).__setitem__(5, 1.),
               lambda t: t.zeros(3, 1).expand(3, 2).__setitem__(0, 1.),
               lambda t: t.zeros(3).expand(2, 3).add_(1)):
        errs = []
        for lib in (ember, torch):
            with pytest.raises(Exception) as info:
                fn(lib)
            errs.append(info)
        assert errs[0].type is errs[1].type
        assert str(errs[0].value)[:40] == str(errs[1].value)[:40]


def _grads(lib, prog, *shapes):
    rng = np.random.default_rng(1)
    ins = [lib.tensor(rng.standard_normal(s), dtype=lib.float64, requires_grad=True) for s in shapes]
    out = prog(lib, *ins)
    out.backward(lib.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape))))
    return [out.detach()] + [i.grad for i in ins]


AUTOGRAD = [
    (lambda t, x, w: _set(x * 2, 0, w * 3), (3, 4), (4,)),
    (lambda t, x, w: _set(x * 1, (slice(1, None), 1), 0.), (3, 4), (1,)),
    (lambda t, x, w: _set(x + 1, t.tensor([2, 0]), w), (3, 4), (1, 4)),
    (lambda t, x, w: _set(x + 0, x > 0, w.sum()), (3, 4), (2,)),
    (lambda t, x, w: _mul_view(x * 1, w), (3, 4), (3,)),
    (lambda t, x, w: _chain(t, x, w), (3, 4), (3, 4)),
    (lambda t, x, w: (x * 1).scatter_(1, t.tensor([[0], [1], [3]]), w.view(3, 1)), (3, 4), (3,)),
    (lambda t, x, w: (x * 1).index_put_((t.tensor([0, 0]),), w, accumulate=True), (3, 4), (4,)),
    (lambda t, x, w: (x * 1).index_add_(1, t.tensor([0, 0]), w.view(3, 2)), (3, 4), (6,)),
    (lambda t, x, w: (x * 1).masked_fill_(x > 0, 2.), (3, 4), (1,)),
    (lambda t, x, w: (x * 1).index_fill_(0, t.tensor([1]), -1.), (3, 4), (1,)),
    (lambda t, x, w: (x * 1).index_copy_(0, t.tensor([2]), w.view(1, 4)), (3, 4), (4,)),
    (lambda t, x, w: (x * 1).scatter_add_(0, t.tensor([[0, 1, 2, 0]]), w.view(1, 4)), (3, 4), (4,)),
    (lambda t, x, w: (x * 1).masked_scatter_(x > 0, w), (3, 4), (12,)),
    (lambda t, x, w: (x * 1).t_() * w, (3, 4), (3,)),
    (lambda t, x, w: (x * 1).transpose_(0, 1).unsqueeze_(0).squeeze_(0) * w, (3, 4), (3,)),
    (lambda t, x, w: _copy_into_view(t, x, w), (3, 4), (4,)),
]


def _set(y, key, value):
    y[key] = value
    return y


def _mul_view(y, w):
    v = y[:, 1]
    v.mul_(w)          # in place on a view of a non-leaf: the base's gradient must see it
    return y


def _chain(t, x, w):
    y = x * 1
    y.add_(w).mul_(2)
    y[0, 0] = w[1, 1] * 3
    return y.sigmoid()


def _copy_into_view(t, x, w):
    y = x.clone()
    y.diagonal().copy_(w[:3])
    y.t()[1:3].zero_()
    return y


@pytest.mark.parametrize("i", range(len(AUTOGRAD)))
def test_autograd_through_inplace(i):
    prog, *shapes = AUTOGRAD[i]
    e, t = _grads(ember, prog, *shapes), _grads(torch, prog, *shapes)
    for a, b in zip(e, t):
        if b is None:
            assert a is None
        else:
            assert_same(a, b)


# ---------------------------------------------------------------- errors: leaves and saved tensors
def _errors(fn):
    out = []
    for lib in (ember, torch):
        with pytest.raises(RuntimeError) as info:
            fn(lib)
        out.append(str(info.value))
    return out


def test_inplace_on_leaf_requiring_grad():
    for fn in (lambda t: t.ones(3, requires_grad=True).add_(1),
               lambda t: t.ones(3, requires_grad=True).__setitem__(0, 2.),
               lambda t: t.ones(3, requires_grad=True).t_(),
               lambda t: t.ones(3, requires_grad=True).scatter_(0, t.tensor([0]), 1.),
               lambda t: t.ones(3, requires_grad=True)[1:].__setitem__(0, 1.)):
        e, t = _errors(fn)
        assert e.startswith(t), (e, t)


def test_inplace_under_no_grad_on_leaf_is_allowed():
    def prog(lib):
        w = lib.ones(3, requires_grad=True)
        with lib.no_grad():
            w[0] = 5.
            w.sub_(1)
        return w.detach()
    both(prog)


def test_modified_saved_tensor_raises():
    def prog(lib):
        x = lib.ones(3, requires_grad=True)
        y = x.sigmoid()
        y.mul_(2)
        y.sum().backward()
    e, t = _errors(prog)
    assert e.startswith(t.split(" which")[0]), (e, t)
    assert "Sigmoid" in e and "is at version 1; expected version 0 instead" in e


def test_modified_saved_input_through_view_raises():
    def prog(lib):
        x = lib.ones(2, 2, requires_grad=True)
        a = x * 1
        y = a.exp() * a            # MulBackward0 saves a
        a[0].zero_()               # modifies a through a view: same version counter
        y.sum().backward()
    e, t = _errors(prog)
    assert "modified by an inplace operation" in e and "modified by an inplace operation" in t


def test_resize_requires_grad():
    e, t = _errors(lambda lib: lib.ones(4, requires_grad=True).resize_(2, 2))
    assert e == t


# ---------------------------------------------------------------- in-place view ops and resize_
@pytest.mark.parametrize("fn", [
    lambda x: x.t_(), lambda x: x.transpose_(0, 1), lambda x: x.unsqueeze_(1), lambda x: x.unsqueeze_(-1),
    lambda x: x.view(1, 3, 4).squeeze_(), lambda x: x.view(3, 1, 4).squeeze_(1),
    lambda x: x.resize_(2, 6), lambda x: x.resize_(2, 2), lambda x: x.t().resize_(3, 4),
    lambda x: x.t().resize_(6, 2), lambda x: x[1].resize_(2, 2), lambda x: x[1:].resize_(8),
    lambda x: x.resize_as_(x.new_zeros(4, 3)), lambda x: x.as_strided_((2, 2), (2, 1), 1),
], ids=lambda f: "")
def test_inplace_view_geometry(fn):
    def prog(lib):
        x = lib.arange(12.).view(3, 4)
        y = fn(x)
        return y, lib.tensor(list(y.stride())), lib.tensor(y.storage_offset()), lib.tensor(y.data_ptr() - x.data_ptr()
                                                                                          if False else 0)
    both(prog)


def test_resize_grow_keeps_data():
    x = ember.arange(6.)
    p = x.data_ptr()
    x.resize_(2, 2)
    assert x.data_ptr() == p and x.tolist() == [[0., 1.], [2., 3.]]
    x.resize_(3, 4)                  # grows past the storage: the first 6 values survive
    assert x.shape == (3, 4) and x.view(-1)[:6].tolist() == [0., 1., 2., 3., 4., 5.]


def test_version_bumps_match_torch():
    def prog(lib):
        x = lib.zeros(3, 4)
        v = x[1]
        counts = []
        for op in (lambda: x.add_(1), lambda: v.mul_(2), lambda: x.__setitem__(0, 1.), lambda: x.t_(),
                   lambda: x.zero_(), lambda: x.scatter_(0, lib.tensor([[0]]), 2.)):
            op()
            counts.append(x._version if lib is torch else x._version[0])
            counts.append(v._version if lib is torch else v._version[0])
        return lib.tensor(counts)
    both(prog)


def test_write_through_expanded_row_is_allowed():
    def prog(lib):
        base = lib.zeros(3)
        e = base.expand(2, 3)
        e[0] = lib.tensor([1., 2., 3.])     # one row of an expand is a plain view of base
        return base, e
    both(prog)


def test_setitem_grad_fn_names_match_pytorch():
    """Basic indexing writes into a view (CopySlices); tensor and mask indices are an index_put."""
    for lib in (ember, torch):
        x = lib.ones(3, 2, requires_grad=True)
        names = []
        for key in [0, (slice(None), 1), slice(0, 2), lib.tensor([0, 2]), lib.tensor([True, False, True])]:
            y = x.clone()
            y[key] = 5.0
            names.append(type(y.grad_fn).__name__)
        y = x.clone()
        y.index_put_((lib.tensor([1]),), lib.tensor(2.0), accumulate=True)
        names.append(type(y.grad_fn).__name__)
        if lib is ember:
            ember_names = names
    assert ember_names == names == ["CopySlices"] * 3 + ["IndexPutBackward0"] * 3

