"""Memory formats (torch.contiguous_format / channels_last / channels_last_3d / preserve_format): strides, flags,
aliasing, values, gradients and errors, side by side with PyTorch."""
import copy
import pickle

import numpy as np
import pytest
import torch

import ember
from oracle import check

_RNG = np.random.default_rng(0)
FORMATS = ("contiguous_format", "channels_last", "channels_last_3d", "preserve_format")

# The same tensor built in both libraries: a random array, then view/layout steps.
MAKERS = {
    "contiguous": lambda t, a: a,
    "channels_last": lambda t, a: a.contiguous(memory_format=t.channels_last),
    "transposed": lambda t, a: a.transpose(1, 2),
    "permuted": lambda t, a: a.permute(0, 2, 3, 1),
    "sliced": lambda t, a: a[:, :, ::2],
    "channels_last_sliced": lambda t, a: a.contiguous(memory_format=t.channels_last)[:, :, ::2],
    "expanded": lambda t, a: a[:1, :, :1, :1].expand(2, 3, 4, 5),
}
SHAPES = [(2, 3, 4, 5), (1, 3, 4, 5), (2, 1, 4, 5), (2, 3, 1, 1), (2, 1, 1, 1)]


def pair(shape, make=lambda t, a: a, dtype=np.float32):
    a = _RNG.standard_normal(shape).astype(dtype)
    return make(ember, ember.tensor(a)), make(torch, torch.tensor(a))


def same(e, t):
    """Same values, shape, dtype and strides."""
    assert tuple(e.shape) == tuple(t.shape) and str(e.dtype) == str(t.dtype)
    np.testing.assert_array_equal(e.detach().numpy(), t.detach().numpy())
    assert e.stride() == t.stride(), f"strides {e.stride()} vs torch {t.stride()}"


def raises_like(fn_e, fn_t, wording=True):
    """Ember raises PyTorch's exception type, and (``wording``) the first line of its message."""
    with pytest.raises(Exception) as te:
        fn_t()
    with pytest.raises(type(te.value)) as ee:
        fn_e()
    if wording:
        assert str(te.value).split("\n")[0] in str(ee.value)


def test_format_objects():
    for name in FORMATS:
        e, t = getattr(ember, name), getattr(torch, name)
        assert repr(e) == repr(t) == str(e) == f"torch.{name}"
        assert type(e) is ember.memory_format
        assert pickle.loads(pickle.dumps(e)) is e and copy.deepcopy(e) is e
    assert ember.channels_last != ember.contiguous_format and ember.channels_last == ember.channels_last
    raises_like(lambda: ember.memory_format(), lambda: torch.memory_format())


@pytest.mark.parametrize("shape", SHAPES)
def test_contiguous_channels_last(shape):
    e, t = pair(shape)
    ec, tc = e.contiguous(memory_format=ember.channels_last), t.contiguous(memory_format=torch.channels_last)
    same(ec, tc)
    assert (ec is e) == (tc is t)                       # already channels-last (size-1 dims): self
    assert ec.contiguous(memory_format=ember.channels_last) is ec
    same(ec.contiguous(), tc.contiguous())
    assert ec.is_contiguous() == tc.is_contiguous()


def test_contiguous_channels_last_3d_and_copies_are_views_free():
    e, t = pair((2, 3, 2, 4, 5))
    same(e.contiguous(memory_format=ember.channels_last_3d), t.contiguous(memory_format=torch.channels_last_3d))
    ec = e.contiguous(memory_format=ember.channels_last_3d)
    ec[0, 0, 0, 0, 0] = 100.0                           # a copy: the source is unchanged
    assert e[0, 0, 0, 0, 0].item() != 100.0


@pytest.mark.parametrize("make", list(MAKERS))
def test_is_contiguous_in_each_format(make):
    e, t = pair((2, 3, 4, 5), MAKERS[make])
    assert e.stride() == t.stride()
    for name in ("contiguous_format", "channels_last", "channels_last_3d", "preserve_format"):
        assert e.is_contiguous(memory_format=getattr(ember, name)) == \
            t.is_contiguous(memory_format=getattr(torch, name)), name


@pytest.mark.parametrize("make", list(MAKERS))
def test_clone_and_like_layouts(make):
    """preserve_format keeps a dense input's strides, else what they suggest; other formats impose theirs."""
    e, t = pair((2, 3, 4, 5), MAKERS[make])
    for fmt in ("preserve_format", "contiguous_format", "channels_last"):
        kw_e, kw_t = {"memory_format": getattr(ember, fmt)}, {"memory_format": getattr(torch, fmt)}
        same(e.clone(**kw_e), t.clone(**kw_t))
        for name in ("zeros_like", "ones_like"):
            same(getattr(ember, name)(e, **kw_e), getattr(torch, name)(t, **kw_t))
        same(ember.full_like(e, 2.5, **kw_e), torch.full_like(t, 2.5, **kw_t))
        assert ember.empty_like(e, **kw_e).stride() == torch.empty_like(t, **kw_t).stride()
    same(e.clone(), t.clone())
    same(ember.zeros_like(e, dtype=ember.float64), torch.zeros_like(t, dtype=torch.float64))


@pytest.mark.parametrize("make", ["contiguous", "channels_last", "permuted", "sliced"])
def test_random_like_layouts_and_values(make):
    """Samples land in memory order, as PyTorch's: same values and strides under the same seed."""
    e, t = pair((2, 3, 4, 5), MAKERS[make])
    for fmt in ("preserve_format", "channels_last"):
        for fn, args in (("rand_like", ()), ("randn_like", ()), ("randint_like", (3, 9))):
            ember.manual_seed(1)
            torch.manual_seed(1)
            re_ = getattr(ember, fn)(e, *args, memory_format=getattr(ember, fmt))
            rt = getattr(torch, fn)(t, *args, memory_format=getattr(torch, fmt))
            assert re_.stride() == rt.stride()
            np.testing.assert_allclose(re_.numpy(), rt.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("make", list(MAKERS))
def test_to_aliasing_and_layout(make):
    e, t = pair((2, 3, 4, 5), MAKERS[make])
    for fmt in ("preserve_format", "contiguous_format", "channels_last"):
        re_, rt = e.to(memory_format=getattr(ember, fmt)), t.to(memory_format=getattr(torch, fmt))
        assert (re_ is e) == (rt is t), fmt
        same(re_, rt)
        same(e.to(ember.float64, memory_format=getattr(ember, fmt)), t.to(torch.float64,
                                                                            memory_format=getattr(torch, fmt)))
    same(e.to(ember.float64), t.to(torch.float64))
    same(e.to(copy=True), t.to(copy=True))
    same(e.double(memory_format=ember.channels_last), t.double(memory_format=torch.channels_last))


def test_empty_with_memory_format():
    for shape in SHAPES:
        assert ember.empty(*shape, memory_format=ember.channels_last).stride() == \
            torch.empty(*shape, memory_format=torch.channels_last).stride()
    assert ember.empty((2, 3, 2, 4, 5), memory_format=ember.channels_last_3d).stride() == \
        torch.empty((2, 3, 2, 4, 5), memory_format=torch.channels_last_3d).stride()
    assert ember.empty(2, 3, memory_format=ember.contiguous_format).stride() == (3, 1)


def test_errors():
    e, t = pair((3, 4))
    e5, t5 = pair((2, 3, 2, 4, 5))
    pairs = [
        (lambda lib, x, x5: x.contiguous(memory_format=lib.channels_last)),
        (lambda lib, x, x5: x5.contiguous(memory_format=lib.channels_last)),
        (lambda lib, x, x5: x.clone(memory_format=lib.channels_last_3d)),
        (lambda lib, x, x5: x.to(memory_format=lib.channels_last)),
        (lambda lib, x, x5: lib.empty_like(x, memory_format=lib.channels_last)),
        (lambda lib, x, x5: lib.empty(3, 4, memory_format=lib.channels_last)),
        (lambda lib, x, x5: lib.empty(2, 3, 4, 5, memory_format=lib.preserve_format)),
        (lambda lib, x, x5: x.t().contiguous(memory_format=lib.preserve_format)),
        (lambda lib, x, x5: x.contiguous(memory_format="channels_last")),
        (lambda lib, x, x5: x.contiguous(memory_format=None)),
        (lambda lib, x, x5: x.is_contiguous(memory_format=None)),
        (lambda lib, x, x5: x.clone(memory_format=1)),
        (lambda lib, x, x5: lib.empty_like(x, memory_format="cl")),
        (lambda lib, x, x5: lib.zeros(2, 3, memory_format=lib.contiguous_format)),
        (lambda lib, x, x5: lib.nn.Conv3d(2, 3, 3).to(memory_format=lib.channels_last)),
    ]
    for f in pairs:
        raises_like(lambda: f(ember, e, e5), lambda: f(torch, t, t5))
    raises_like(lambda: e.is_contiguous(ember.channels_last), lambda: t.is_contiguous(torch.channels_last),
                wording=False)                          # keyword-only (Python's own message)
    assert e.contiguous(memory_format=ember.preserve_format) is e      # already contiguous: fine
    assert e.is_contiguous(memory_format=ember.channels_last) is False


def test_gradients_through_layout_copies():
    check(lambda t, x: x.contiguous(memory_format=t.channels_last) * 2, [(2, 3, 4, 5)])
    check(lambda t, x: x.to(memory_format=t.channels_last).sin(), [(2, 3, 4, 5)])
    check(lambda t, x: x.transpose(1, 3).clone(), [(2, 3, 4, 5)])
    check(lambda t, x: x.clone(memory_format=t.channels_last_3d).exp(), [(2, 3, 2, 2, 3)])
    check(lambda t, x: x.to(t.float64, memory_format=t.channels_last), [(2, 3, 4, 5)])
    e, t = pair((2, 3, 4, 5))
    assert type(e.contiguous(memory_format=ember.channels_last).grad_fn).__name__ == "NoneType"
    e.requires_grad_()
    t.requires_grad_()
    assert type(e.contiguous(memory_format=ember.channels_last).grad_fn).__name__ == \
        type(t.contiguous(memory_format=torch.channels_last).grad_fn).__name__ == "CloneBackward0"
    assert type(e.to(memory_format=ember.channels_last).grad_fn).__name__ == "ToCopyBackward0"


def test_ops_on_channels_last_inputs():
    """Ops read any layout; the values (and gradients) are those of the contiguous computation."""
    w = _RNG.standard_normal((4, 3, 3, 3)).astype(np.float32)
    check(lambda t, x: t.nn.functional.conv2d(x.contiguous(memory_format=t.channels_last),
                                              t.tensor(w).contiguous(memory_format=t.channels_last), padding=1),
          [(2, 3, 5, 5)])
    check(lambda t, x: t.nn.functional.max_pool2d(x.to(memory_format=t.channels_last), 2) + x.mean(),
          [(2, 3, 4, 4)])
    e, t = pair((2, 3, 4, 5), MAKERS["channels_last"])
    np.testing.assert_allclose(e.reshape(2, -1).numpy(), t.reshape(2, -1).numpy())
    raises_like(lambda: e.view(-1), lambda: t.view(-1))


def test_module_to_channels_last_trains_as_torch():
    def run(lib):
        lib.manual_seed(0)
        m = lib.nn.Sequential(lib.nn.Conv2d(3, 4, 3, padding=1), lib.nn.ReLU(), lib.nn.Conv2d(4, 2, 3),
                              lib.nn.Flatten(), lib.nn.Linear(2 * 4 * 4, 3))
        m.to(memory_format=lib.channels_last)
        strides = [p.stride() for p in m.parameters()]
        opt = lib.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
        x = lib.tensor(np.random.default_rng(1).standard_normal((2, 3, 6, 6)).astype(np.float32))
        x = x.to(memory_format=lib.channels_last)
        for _ in range(2):
            opt.zero_grad()
            m(x).pow(2).sum().backward()
            opt.step()
        return strides, [p.detach().numpy() for p in m.parameters()], m[0].weight.stride()

    (se, pe, we), (st, pt, wt) = run(ember), run(torch)
    assert se == st and we == wt == (27, 1, 9, 3)
    for a, b in zip(pe, pt):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    m3e, m3t = ember.nn.Conv3d(2, 3, 3), torch.nn.Conv3d(2, 3, 3)
    assert m3e.to(memory_format=ember.channels_last_3d).weight.stride() == \
        m3t.to(memory_format=torch.channels_last_3d).weight.stride()
