"""Views share memory and one version counter with their base, as in PyTorch; plus the view/resize_
snippets of the study notes (resize_ on batches, view(-1), view(*shape), the (64,1)==(64,) trap)."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_same

VIEWS = [lambda x: x[1], lambda x: x[:, 1:], lambda x: x.t(), lambda x: x.view(-1), lambda x: x.reshape(12),
         lambda x: x.unsqueeze(0), lambda x: x.squeeze(), lambda x: x.narrow(0, 1, 2), lambda x: x.permute(1, 0),
         lambda x: x.diagonal(), lambda x: x.as_strided((2,), (5,)), lambda x: x.split(1)[2],
         lambda x: x.chunk(2, 1)[1], lambda x: x.unbind()[0], lambda x: x.select(1, 0), lambda x: x.movedim(1, 0),
         lambda x: x.unflatten(1, (2, 2)), lambda x: x.flatten(), lambda x: x[None, ..., None], lambda x: x.detach(),
         lambda x: x.view_as(x), lambda x: x.mT, lambda x: x.transpose(0, 1)[1:]]


@pytest.mark.parametrize("i", range(len(VIEWS)))
def test_view_shares_memory_and_version(i):
    x = ember.arange(12.).view(3, 4)
    v = VIEWS[i](x)
    assert v._version is x._version
    before = x._version[0]
    v.add_(100)                           # write through the view ...
    assert x._version[0] == before + 1
    t = torch.arange(12.).view(3, 4)
    VIEWS[i](t).add_(100)
    np.testing.assert_array_equal(x.numpy(), t.numpy())   # ... lands in the base where PyTorch's does
    x.mul_(2)                             # and a write to the base shows in the view
    assert v._version[0] == before + 2


def test_data_has_its_own_version_detach_shares():
    x = ember.ones(3)
    d, a = x.data, x.detach()
    d.add_(1)
    assert x._version[0] == 0 and x.tolist() == [2., 2., 2.]
    a.add_(1)
    assert x._version[0] == 1 and x.tolist() == [3., 3., 3.]


def test_data_write_is_not_tracked_by_autograd():
    def prog(lib):
        w = lib.ones(3, requires_grad=True)
        y = (w * w).sum()
        w.data.mul_(3)        # escapes the version check, as in PyTorch
        y.backward()
        return w.grad
    assert_same(prog(ember), prog(torch))


def test_from_numpy_shares_both_ways():
    a = np.arange(6, dtype=np.float32)
    t = ember.from_numpy(a)
    t[2] = 100
    assert a[2] == 100
    a[0] = -1
    assert t[0].item() == -1
    v = t.view(2, 3)
    v[1, 1] = 7
    assert a[4] == 7


def test_study_note_view_forms():
    for lib in (ember, torch):
        t = lib.arange(6.)
        assert t.view(-1).shape == (6,)
        assert t.view(2, 3).view(*t.view(2, 3).shape).shape == (2, 3)
        assert t.view(-1, 1).shape == (6, 1) and t.view(3, -1).shape == (3, 2)
    with pytest.raises(RuntimeError, match=r"shape '\[5, 1\]' is invalid for input of size 6"):
        ember.arange(6.).view(5, 1)


def test_broadcast_trap_top_class_vs_labels():
    """(64,1) == (64,) silently broadcasts to (64,64); labels.view(*top_class.shape) fixes it."""
    rng = np.random.default_rng(0)
    top, labels = rng.integers(0, 10, (64, 1)), rng.integers(0, 10, 64)
    for lib in (ember, torch):
        tc, lb = lib.tensor(top), lib.tensor(labels)
        assert (tc == lb).shape == (64, 64)
        eq = tc == lb.view(*tc.shape)
        assert eq.shape == (64, 1)
    e = (ember.tensor(top) == ember.tensor(labels).view(64, 1)).float().mean().item()
    t = (torch.tensor(top) == torch.tensor(labels).view(64, 1)).float().mean().item()
    assert e == pytest.approx(t)


def test_column_assignment_t_colon_1():
    for lib in (ember, torch):
        t = lib.ones(4, 3)
        t[:, 1] = 0
        assert t.tolist() == [[1., 0., 1.]] * 4


def test_resize_batch_as_in_the_notes():
    images = ember.rand(64, 1, 28, 28)
    p = images.data_ptr()
    flat = images.resize_(64, 784)
    assert flat is images and images.shape == (64, 784) and images.data_ptr() == p
    small = ember.rand(32, 1, 28, 28)                 # a short last batch grows: new rows are uninitialised
    first = small.clone().view(-1)
    small.resize_(64, 784)
    assert small.shape == (64, 784)
    np.testing.assert_array_equal(small.view(-1)[:first.numel()].numpy(), first.numpy())


def test_resize_view_same_numel_does_not_reallocate():
    images = ember.rand(64, 1, 28, 28)
    img = images[0]                   # helper.view_classify: img.resize_(1, 28, 28) on a view
    p = img.data_ptr()
    img.resize_(1, 28, 28)
    assert img.data_ptr() == p and img.shape == (1, 28, 28)
    img[0, 0, 0] = 5.0
    assert images[0, 0, 0, 0].item() == 5.0
    one = ember.rand(1, 28, 28)
    one.resize_(1, *one.size())       # resize_(1, *t.size()) adds a batch dimension
    assert one.shape == (1, 1, 28, 28)


def test_resize_matches_torch_on_strided():
    for f in (lambda t: t.arange(12.).view(3, 4).t().resize_(2, 6),
              lambda t: t.arange(12.).view(3, 4)[1:].resize_(2, 2),
              lambda t: t.arange(12.).view(3, 4).resize_(3, 4)):
        e, t = f(ember), f(torch)
        assert_same(e, t)
        assert e.stride() == t.stride() and e.storage_offset() == t.storage_offset()


def test_view_of_view_inplace_grad():
    def prog(lib):
        x = lib.arange(12., requires_grad=True)
        y = x * 1
        v = y.view(3, 4)[1:, ::2]
        v.mul_(10)
        (y * y).sum().backward()
        return x.grad, y
    assert_same(prog(ember), prog(torch))
