"""Random numbers: under the same seed Ember draws PyTorch's CPU streams bit for bit."""
import numpy as np
import pytest
import torch

import ember


def _np(t):
    t = t.detach().cpu()
    if "bfloat16" in str(t.dtype):
        t = t.float()
    return np.asarray(t.numpy())


def same(fn, seed=0, exact=True):
    """Run ``fn(lib)`` after ``lib.manual_seed(seed)`` for PyTorch and Ember; compare the results."""
    torch.manual_seed(seed)
    a = fn(torch)
    ember.manual_seed(seed)
    b = fn(ember)
    a = a if isinstance(a, tuple) else (a,)
    b = b if isinstance(b, tuple) else (b,)
    for x, y in zip(a, b):
        assert str(x.dtype) == str(y.dtype)
        assert tuple(x.shape) == tuple(y.shape)
        xa, ya = _np(x), _np(y)
        if exact:
            np.testing.assert_array_equal(xa, ya)
        else:
            np.testing.assert_allclose(xa, ya, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 7, 42, 2 ** 33 + 5])
@pytest.mark.parametrize("n", [1, 3, 15, 16, 17, 31, 100, 1000])
def test_rand_randn_streams(seed, n):
    same(lambda t: (t.rand(n), t.randn(n), t.rand(n, dtype=t.float64), t.randn(n, dtype=t.float64),
                    t.randn(n)), seed)


def test_randn_shapes_and_cache():
    # odd scalar draws leave a cached normal in the generator, used by the next small draw
    same(lambda t: (t.randn(3), t.randn(1), t.randn(2, 2), t.randn(5, 7), t.randn(3, dtype=t.float64)))
    same(lambda t: (t.randn(4, 5, 6), t.randn((2, 3)), t.rand(2, 3, 4)), seed=100)


def test_notebook_seed_7():
    # the v2 Part 1 notebook: torch.manual_seed(7); torch.randn((1, 5)) ...
    same(lambda t: (t.randn((1, 5)), t.randn_like(t.randn((1, 5))), t.randn((1, 1))), seed=7)


@pytest.mark.parametrize("seed", [0, 3])
def test_randint_randperm(seed):
    same(lambda t: (t.randint(0, 10, (50,)), t.randint(10, (3, 4)), t.randint(-5, 5, (7,)),
                    t.randint(0, 2 ** 40, (9,)), t.randint(3, 10, (2, 2), dtype=t.int32),
                    t.randint(0, 100, size=(5,))), seed)
    for n in (0, 1, 2, 5, 10, 100, 1000, 20000):
        same(lambda t: t.randperm(n), seed)
    same(lambda t: t.randperm(6, dtype=t.float32), seed)


def test_inplace_samplers():
    def f(t):
        w = t.empty(30, 20)
        w.uniform_(-0.2, 0.2)
        b = t.empty(20).uniform_(-0.1, 0.1)
        n1 = t.empty(64, 3).normal_(0, 0.01)
        n2 = t.empty(5).normal_(2.0, 3.0)
        n3 = t.empty(40, dtype=t.float64).normal_(1.0, 0.5)
        return w, b, n1, n2, n3
    same(f)
    same(f, seed=123)


def test_inplace_integer_and_other_distributions():
    def f(t):
        a = t.empty(20, dtype=t.int64).random_()
        b = t.empty(20, dtype=t.int32).random_()
        c = t.empty(20).random_()
        d = t.empty(20, dtype=t.float64).random_(5, 9)
        e = t.empty(20, dtype=t.uint8).random_(100)
        f_ = t.empty(20, dtype=t.bool).random_()
        g = t.empty(30).exponential_(2.0)
        h = t.empty(30, dtype=t.float64).cauchy_(1.0, 2.0)
        i = t.empty(30).geometric_(0.3)
        j = t.empty(15).log_normal_(0.0, 0.5)
        return a, b, c, d, e, f_, g, h, i, j
    same(f, exact=True)


def test_bernoulli():
    same(lambda t: (t.bernoulli(t.full((40,), 0.3)), t.bernoulli(t.rand(5, 6)),
                    t.bernoulli(t.rand(8, dtype=t.float64)), t.empty(10).bernoulli_(t.rand(10))))


def test_bernoulli_scalar_p_and_dropout_mask():
    same(lambda t: (t.empty(100).bernoulli_(0.3), t.empty(7, 3, dtype=t.float64).bernoulli_(0.9)))
    torch.manual_seed(4)
    kept = torch.nn.functional.dropout(torch.ones(50), 0.4) != 0
    ember.manual_seed(4)
    np.testing.assert_array_equal(kept.numpy(), ember.ops.random._bernoulli_mask((50,), 0.6, np))
    ember.manual_seed(0)
    m = ember.empty(100000).bernoulli_(0.25)
    assert abs(m.mean().item() - 0.25) < 0.01
    assert set(np.unique(m.numpy()).tolist()) <= {0.0, 1.0}
    mask = ember.ops.random._bernoulli_mask((1000, 100), 0.8, np)
    assert mask.dtype == np.bool_ and abs(mask.mean() - 0.8) < 0.01


def test_multinomial():
    w = [[0.1, 2.0, 0.0, 3.0, 1.0], [1.0, 1.0, 1.0, 1.0, 1.0]]
    same(lambda t: (t.multinomial(t.tensor(w), 3), t.multinomial(t.tensor(w[0]), 1),
                    t.multinomial(t.tensor(w), 10, replacement=True),
                    t.multinomial(t.tensor(w[1], dtype=t.float64), 4, True),
                    t.tensor(w[0]).multinomial(4)))


@pytest.mark.parametrize("bad,msg", [
    ([1.0, -1.0], "probability tensor contains either `inf`, `nan` or element < 0"),
    ([1.0, float("nan")], "probability tensor contains either `inf`, `nan` or element < 0"),
    ([0.0, 0.0], "invalid multinomial distribution (sum of probabilities <= 0)"),
])
def test_multinomial_errors(bad, msg):
    for lib in (torch, ember):
        with pytest.raises(RuntimeError) as ei:
            lib.multinomial(lib.tensor(bad), 1)
        assert msg in str(ei.value)
    for lib in (torch, ember):
        with pytest.raises(RuntimeError, match="cannot sample n_sample > prob_dist.size"):
            lib.multinomial(lib.tensor([1.0, 2.0]), 3)


def test_normal_forms():
    def f(t):
        mean = t.arange(1.0, 11.0)
        std = t.arange(1.0, 0.0, -0.1)
        return (t.normal(mean, std), t.normal(mean, 1.0), t.normal(0.0, std), t.normal(2.0, 3.0, size=(4, 5)),
                t.normal(t.zeros(20), t.ones(20)), t.normal(2.0, 3.0, (40,)))
    same(f)


def test_generator_objects():
    def f(t):
        g = t.Generator().manual_seed(1234)
        a = t.rand(5, generator=g)
        b = t.randn(20, generator=g)
        c = t.randint(0, 9, (4,), generator=g)
        d = t.randperm(7, generator=g)
        e = t.empty(3).normal_(generator=g)
        return a, b, c, d, e
    same(f)
    g = ember.Generator()
    assert g.initial_seed() == torch.Generator().initial_seed() == 67280421310721
    assert str(g.device) == "cpu"
    assert g.manual_seed(5) is g and g.initial_seed() == 5


def test_rng_state_roundtrip_and_pytorch_layout():
    for lib in (torch, ember):
        lib.manual_seed(3)
        lib.randn(3)                       # leaves a cached normal
    st_t, st_e = torch.get_rng_state(), ember.get_rng_state()
    assert st_e.dtype is ember.uint8 and tuple(st_e.shape) == (5056,)
    np.testing.assert_array_equal(st_t.numpy(), st_e.numpy())
    a = ember.randn(7)
    ember.set_rng_state(st_e)
    np.testing.assert_array_equal(a.numpy(), ember.randn(7).numpy())
    # a fresh seed's state and a PyTorch state loaded into Ember
    torch.manual_seed(11)
    ember.manual_seed(11)
    np.testing.assert_array_equal(torch.get_rng_state().numpy(), ember.get_rng_state().numpy())
    torch.rand(700)
    ember.set_rng_state(ember.tensor(torch.get_rng_state().numpy()))
    np.testing.assert_array_equal(torch.rand(10).numpy(), ember.rand(10).numpy())
    with pytest.raises(RuntimeError, match="RNG state size"):
        ember.set_rng_state(ember.zeros(10, dtype=ember.uint8))


def test_seed_functions_and_fork_rng():
    ember.manual_seed(5)
    assert ember.initial_seed() == 5
    s = ember.seed()
    assert ember.initial_seed() == s
    assert ember.manual_seed(9) is ember.default_generator
    import ember.random as er
    er.manual_seed(1)
    before = ember.rand(3)
    er.manual_seed(1)
    with ember.random.fork_rng():
        ember.rand(100)
    np.testing.assert_array_equal(before.numpy(), ember.rand(3).numpy())
    assert ember.random.get_rng_state().shape == (5056,)


def test_dtype_device_requires_grad_and_errors():
    x = ember.rand(2, 3, dtype=ember.float64, requires_grad=True)
    assert x.dtype is ember.float64 and x.requires_grad and x.is_leaf
    assert ember.randn(2, device="cpu").device.type == "cpu"
    assert ember.rand(2, dtype=ember.float16).dtype is ember.float16
    assert ember.randn(3, dtype=ember.complex64).dtype is ember.complex64
    for lib in (torch, ember):
        with pytest.raises(RuntimeError, match="random_ expects 'from' to be less than 'to'"):
            lib.randint(5, 5, (2,))
        with pytest.raises(RuntimeError, match="not implemented for 'Long'"):
            lib.rand(2, dtype=lib.int64)
        with pytest.raises(RuntimeError, match="normal expects std >= 0.0"):
            lib.normal(0.0, -1.0, (2,))
        with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
            lib.randint(0, 3, (2,), requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            lib.zeros(3, requires_grad=True).normal_()
    with ember.no_grad():
        w = ember.zeros(3, requires_grad=True)
        w.uniform_()
        assert w.requires_grad and w._version[0] == 1


def test_like_and_out():
    same(lambda t: (t.rand_like(t.zeros(2, 3)), t.randn_like(t.zeros(4, dtype=t.float64)),
                    t.randint_like(t.zeros(5), 10), t.randint_like(t.zeros(5, dtype=t.int32), 3, 8)))
    out = ember.empty(4)
    assert ember.rand(4, out=out) is out


def test_poisson_and_float16():
    ember.manual_seed(0)
    p = ember.poisson(ember.full((1000,), 4.0))
    assert p.dtype is ember.float32 and abs(p.mean().item() - 4.0) < 0.3
    same(lambda t: (t.rand(50, dtype=t.float16), t.rand(9, dtype=t.bfloat16), t.randn(5, dtype=t.float16),
                    t.randn(48, dtype=t.float16), t.randn(32, dtype=t.bfloat16),
                    t.empty(20, dtype=t.float16).random_()))


# ---- large fills (chunked in Ember): bit for bit over many chunks, partial last chunk and block ----
_BIG = 3_000_017      # > 22 chunks of 2**17, not a multiple of 16


@pytest.mark.parametrize("mean,std", [(0.0, 1.0), (0.0, 0.01), (1.5, 3.0), (-2.0, 1.0)])
def test_large_normal_float32(mean, std):
    same(lambda t: (t.empty(_BIG).normal_(mean, std), t.rand(3)))   # rand: the stream goes on in step


def test_large_normal_other_dtypes_and_shapes():
    same(lambda t: (t.randn(1733, 1731), t.empty(1_000_003, dtype=t.float64).normal_(0.5, 2.0),
                    t.empty(1_000_003, dtype=t.float64).normal_(0.0, 0.3), t.randn(1_000_003, dtype=t.float64),
                    t.empty(1_000_003, dtype=t.float16).normal_(1.0, 2.0),
                    t.empty(1_000_003, dtype=t.bfloat16).normal_(0.0, 0.02)))


def test_large_uniform_and_init():
    same(lambda t: (t.empty(_BIG).uniform_(-0.1, 0.1), t.rand(_BIG), t.empty(1000, 3001).t().uniform_(-1, 2),
                    t.empty(_BIG, dtype=t.float64).uniform_(-3, 7),
                    t.nn.init.kaiming_uniform_(t.empty(4096, 1024), a=5 ** 0.5),
                    t.nn.init.kaiming_normal_(t.empty(512, 256, 3, 3), mode="fan_out", nonlinearity="relu")))


def test_uniform_rounding_to_the_upper_bound_gives_from():
    # PyTorch: a value that rounds to `to` (in the dtype) becomes `from`
    same(lambda t: (t.rand(200_000, dtype=t.float16), t.rand(200_000, dtype=t.bfloat16),
                    t.empty(200_000, dtype=t.float16).uniform_(-1, 2),
                    t.empty(200_000, dtype=t.bfloat16).uniform_(-0.3, 0.3),
                    t.empty(200_000, dtype=t.float16).uniform_(0.1, 0.7),
                    t.empty(200_000).uniform_(1, 1 + 2 ** -22),
                    t.empty(200_000, dtype=t.float64).uniform_(1, 1 + 2 ** -51)))


def test_half_precision_double_transforms_round_via_float():
    same(lambda t: (t.empty(100_000, dtype=t.float16).exponential_(3.0), t.empty(100_000, dtype=t.bfloat16).cauchy_(),
                    t.empty(300, 301, dtype=t.float16).t().normal_(0.5, 3)))
