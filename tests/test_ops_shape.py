"""Shape and view ops against PyTorch: values, dtypes, shapes and gradients (float32 and float64)."""
import numpy as np
import pytest
import torch

import ember
from oracle import check

F = [np.float32, np.float64]

CASES = [
    ("view", lambda t, x: x.view(4, 6), [(2, 3, 4)]),
    ("view_-1", lambda t, x: x.view(-1), [(2, 3, 4)]),
    ("view_shape", lambda t, x: x.view(*x.shape), [(2, 3)]),
    ("view_tuple", lambda t, x: x.view((3, -1)), [(2, 3, 4)]),
    ("view_as", lambda t, x, y: x.view_as(y), [(2, 6), (3, 4)]),
    ("reshape_nc", lambda t, x: x.t().reshape(-1), [(3, 4)]),
    ("reshape_fn", lambda t, x: t.reshape(x, (4, 3)), [(3, 4)]),
    ("reshape_as", lambda t, x, y: x.reshape_as(y), [(2, 6), (3, 4)]),
    ("t", lambda t, x: x.t(), [(3, 4)]),
    ("t_1d", lambda t, x: t.t(x), [(3,)]),
    ("T", lambda t, x: x.T, [(3, 4)]),
    ("mT", lambda t, x: x.mT, [(2, 3, 4)]),
    ("mH", lambda t, x: x.mH, [(2, 3, 4)]),
    ("transpose", lambda t, x: x.transpose(0, -1), [(2, 3, 4)]),
    ("swapaxes", lambda t, x: t.swapaxes(x, 0, 1), [(2, 3, 4)]),
    ("permute", lambda t, x: x.permute(2, 0, 1), [(2, 3, 4)]),
    ("permute_tuple", lambda t, x: t.permute(x, (1, 2, 0)), [(2, 3, 4)]),
    ("movedim", lambda t, x: t.movedim(x, 0, -1), [(2, 3, 4)]),
    ("movedim_multi", lambda t, x: x.movedim((0, 1), (2, 0)), [(2, 3, 4)]),
    ("expand", lambda t, x: x.expand(2, 3, 4), [(3, 1)]),
    ("expand_-1", lambda t, x: x.expand(5, -1, 4), [(3, 1)]),
    ("expand_as", lambda t, x, y: x.expand_as(y), [(1, 4), (3, 4)]),
    ("squeeze", lambda t, x: x.squeeze(), [(1, 3, 1, 2)]),
    ("squeeze_dim", lambda t, x: x.squeeze(2), [(1, 3, 1, 2)]),
    ("squeeze_tuple", lambda t, x: t.squeeze(x, (0, 1, 2)), [(1, 3, 1, 2)]),
    ("unsqueeze", lambda t, x: x.unsqueeze(1), [(3, 2)]),
    ("unsqueeze_neg", lambda t, x: t.unsqueeze(x, -1), [(3, 2)]),
    ("flatten", lambda t, x: x.flatten(), [(2, 3, 4)]),
    ("flatten_1", lambda t, x: t.flatten(x, 1), [(2, 3, 4)]),
    ("flatten_mid", lambda t, x: x.flatten(0, 1), [(2, 3, 4)]),
    ("unflatten", lambda t, x: x.unflatten(1, (2, -1)), [(3, 4, 2)]),
    ("narrow", lambda t, x: x.narrow(1, 1, 2), [(3, 4)]),
    ("narrow_neg", lambda t, x: t.narrow(x, 0, -2, 2), [(3, 4)]),
    ("select", lambda t, x: x.select(1, -1), [(3, 4)]),
    ("unbind", lambda t, x: x.unbind(1), [(3, 4)]),
    ("split", lambda t, x: x.split(2), [(5, 3)]),
    ("split_sizes", lambda t, x: t.split(x, [1, 3], dim=1), [(2, 4)]),
    ("chunk", lambda t, x: x.chunk(3), [(7, 2)]),
    ("chunk_more", lambda t, x: x.chunk(4, 1), [(2, 6)]),
    ("tensor_split", lambda t, x: x.tensor_split(3), [(7, 2)]),
    ("tensor_split_idx", lambda t, x: t.tensor_split(x, [1, 4], dim=1), [(2, 6)]),
    ("hsplit", lambda t, x: t.hsplit(x, 2), [(2, 6)]),
    ("vsplit", lambda t, x: x.vsplit([1]), [(3, 2)]),
    ("diagonal", lambda t, x: x.diagonal(), [(3, 4)]),
    ("diagonal_off", lambda t, x: t.diagonal(x, 1), [(3, 4)]),
    ("diagonal_neg", lambda t, x: x.diagonal(-1, 0, 2), [(3, 2, 4)]),
    ("as_strided", lambda t, x: x.as_strided((2, 2), (1, 2), 1), [(3, 4)]),
    ("as_strided_overlap", lambda t, x: t.as_strided(x, (3, 3), (1, 1)), [(6,)]),
    ("contiguous", lambda t, x: x.t().contiguous(), [(3, 4)]),
]


@pytest.mark.parametrize("dtype", F)
@pytest.mark.parametrize("name,fn,specs", CASES, ids=[c[0] for c in CASES])
def test_oracle(name, fn, specs, dtype):
    check(fn, specs, dtype=dtype)


# Strides, offsets, contiguity and data pointers after each view: PyTorch's.
GEOMETRY = [
    lambda x: x, lambda x: x.t(), lambda x: x[1], lambda x: x[:, 1], lambda x: x[1:, ::2], lambda x: x[None],
    lambda x: x[:, None], lambda x: x[..., None], lambda x: x.unsqueeze(0), lambda x: x.t().unsqueeze(0),
    lambda x: x.t().unsqueeze(2), lambda x: x.diagonal(), lambda x: x.diagonal(1), lambda x: x.diagonal(-1),
    lambda x: x.narrow(1, 1, 2), lambda x: x.expand(2, 3, 4), lambda x: x[:, :1].expand(3, 4),
    lambda x: x.view(4, 3), lambda x: x.view(-1), lambda x: x.reshape(2, 6), lambda x: x.permute(1, 0),
    lambda x: x.as_strided((2, 2), (1, 2), 3), lambda x: x.split(2, 1)[1], lambda x: x.chunk(2)[1],
    lambda x: x.unbind(1)[2], lambda x: x.select(0, 2), lambda x: x.t().contiguous(), lambda x: x.movedim(0, 1),
    lambda x: x.unflatten(1, (2, 2)), lambda x: x[2:, 1:3].t(),
]


@pytest.mark.parametrize("i", range(len(GEOMETRY)))
def test_geometry(i):
    f = GEOMETRY[i]
    e, t = ember.arange(12.).view(3, 4), torch.arange(12.).view(3, 4)
    ev, tv = f(e), f(t)
    assert tuple(ev.shape) == tuple(tv.shape)
    assert ev.stride() == tv.stride()
    assert ev.storage_offset() == tv.storage_offset()
    assert ev.is_contiguous() == tv.is_contiguous()
    if tv.untyped_storage().data_ptr() == t.untyped_storage().data_ptr():    # a view: same offset in memory
        assert (ev.data_ptr() - e.data_ptr()) == (tv.data_ptr() - t.data_ptr())
    else:                                                                     # a copy: its own memory
        assert not np.shares_memory(ev.numpy(), e.numpy())
    np.testing.assert_array_equal(ev.numpy(), tv.numpy())


def _err(fn):
    for lib in (ember, torch):
        with pytest.raises(Exception) as info:
            fn(lib)
        yield info


@pytest.mark.parametrize("fn", [
    lambda t: t.arange(6.).view(4, 2),
    lambda t: t.arange(6.).view(2, 3).t().view(-1),
    lambda t: t.arange(6.).view(-1, -1),
    lambda t: t.arange(6.).expand(2),
    lambda t: t.arange(6.).view(2, 3).permute(0, 0),
    lambda t: t.arange(6.).view(2, 3).permute(0),
    lambda t: t.arange(6.).narrow(0, 5, 3),
    lambda t: t.arange(6.).select(0, 7),
    lambda t: t.arange(6.).split([2, 3]),
    lambda t: t.arange(6.).unflatten(0, (4, -1)),
    lambda t: t.arange(6.).as_strided((4, 4), (1, 1)),
    lambda t: t.arange(6.).as_strided((2, 2), (1, -1)),
    lambda t: t.arange(6.).as_strided((2, 2), (1,)),
    lambda t: t.arange(6.).diagonal(),
    lambda t: t.zeros(2, 3, 4).t(),
    lambda t: t.zeros(2, 3).transpose(0, 2),
    lambda t: t.zeros(2, 3).squeeze(3),
    lambda t: t.zeros(2, 3).mT.view(-1),
], ids=lambda f: "")
def test_errors_match_torch(fn):
    e, t = _err(fn)
    assert e.type is t.type
    assert str(e.value).startswith(str(t.value).split(" (")[0][:60])


def test_view_size_incompatible_message():
    x = ember.zeros(3, 4).t()
    with pytest.raises(RuntimeError, match="view size is not compatible with input tensor's size and stride"):
        x.view(12)
    assert x.reshape(12).shape == (12,)


def test_grad_fn_names():
    x = ember.ones(2, 3, requires_grad=True) * 1
    names = {"ViewBackward0": x.view(-1), "TransposeBackward0": x.transpose(0, 1), "TBackward0": x.t(),
             "PermuteBackward0": x.permute(1, 0), "ExpandBackward0": x.expand(2, 2, 3),
             "UnsqueezeBackward0": x.unsqueeze(0), "SqueezeBackward0": x.squeeze(), "SelectBackward0": x[0],
             "SliceBackward0": x[1:], "DiagonalBackward0": x.diagonal(), "AsStridedBackward0":
             x.as_strided((2,), (1,))}
    for name, t in names.items():
        assert t.grad_fn.name() == name


def test_view_as_dtype_reinterprets():
    e = ember.tensor([1.0, 2.0]).view(ember.int32)
    t = torch.tensor([1.0, 2.0]).view(torch.int32)
    assert e.tolist() == t.tolist() and e.dtype is ember.int32


def test_double_backward_through_views():
    x = ember.tensor([[1., 2.], [3., 4.]], dtype=ember.float64, requires_grad=True)
    y = (x.t().reshape(-1)[1:] ** 3).sum()
    g, = ember.autograd.grad(y, x, create_graph=True)
    gg, = ember.autograd.grad(g.sum(), x)
    xt = torch.tensor([[1., 2.], [3., 4.]], dtype=torch.float64, requires_grad=True)
    yt = (xt.t().reshape(-1)[1:] ** 3).sum()
    gt, = torch.autograd.grad(yt, xt, create_graph=True)
    ggt, = torch.autograd.grad(gt.sum(), xt)
    np.testing.assert_allclose(gg.numpy(), ggt.numpy())
