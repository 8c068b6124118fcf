"""``ember.distributions`` against ``torch.distributions``: log_prob / entropy / moments / cdf / icdf and their
gradients w.r.t. the parameters (float32 and float64), KL divergences, transforms, sample shapes, bit-exact
samples where PyTorch's sampler uses the same draws, sample statistics elsewhere, validation errors, and
small REINFORCE / VAE / SAC steps."""
import math
import warnings

import numpy as np
import pytest
import torch
import torch.distributions as TD

import ember
import ember.distributions as ED

_RNG = np.random.default_rng(1234)
_TOL = {np.float32: dict(rtol=2e-4, atol=2e-5), np.float64: dict(rtol=1e-7, atol=1e-9)}


# ---------------------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------------------
def _real(*shape, low=-2.0, high=2.0):
    return _RNG.uniform(low, high, size=shape)


def _pos(*shape, low=0.3, high=2.5):
    return _RNG.uniform(low, high, size=shape)


def _simplex(*shape):
    a = _RNG.random(shape) + 0.1
    return a / a.sum(-1, keepdims=True)


def _spd(n, batch=()):
    a = _RNG.normal(size=batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _tensors(lib, params, dtype, grad=True):
    """``params`` (name -> NumPy array or number) as ``lib`` tensors of ``dtype`` (leaves requiring grad)."""
    out = {}
    for k, v in params.items():
        if isinstance(v, np.ndarray):
            t = lib.tensor(v.astype(dtype))
            if grad and v.dtype.kind == "f":
                t.requires_grad_(True)
            out[k] = t
        else:
            out[k] = v
    return out


def _close(e, t, dtype=np.float64, what=""):
    assert isinstance(e, ember.Tensor), f"{what}: {type(e)}"
    assert str(e.dtype) == str(t.dtype), f"{what}: dtype {e.dtype} vs {t.dtype}"
    assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} vs {tuple(t.shape)}"
    a, b = e.detach().numpy(), t.detach().numpy()
    if b.dtype.kind in "fc":
        np.testing.assert_allclose(a, b, err_msg=what, equal_nan=True, **_TOL[dtype])
    else:
        np.testing.assert_array_equal(a, b, err_msg=what)


def _call(dist, what, value):
    attr = getattr(dist, what)
    if what in ("log_prob", "cdf", "icdf"):
        return attr(value)
    return attr() if what == "entropy" else attr


def _compare_dist(name, params, value, dtype, quantities, int_value=False, lib_kw=None):
    """Build ``name(**params)`` in both libraries; compare each quantity, then the gradients w.r.t. every
    float parameter of a random combination of all of them."""
    ep, tp = _tensors(ember, params, dtype), _tensors(torch, params, dtype)
    kw = lib_kw or {}
    e, t = getattr(ED, name)(**ep, **kw), getattr(TD, name)(**tp, **kw)
    assert e.batch_shape == t.batch_shape and e.event_shape == t.event_shape
    vdt = np.int64 if int_value else dtype
    e_loss = t_loss = 0
    for q in quantities:
        v = value if q != "icdf" else _RNG.uniform(0.05, 0.95, size=value.shape)
        ev, tv = ember.tensor(v.astype(vdt)), torch.tensor(v.astype(vdt))
        er, tr = _call(e, q, ev), _call(t, q, tv)
        _close(er, tr, dtype, f"{name}.{q} ({np.dtype(dtype).name})")
        if tr.requires_grad:
            w = _RNG.uniform(-1, 1, size=tuple(tr.shape)).astype(dtype)
            finite = np.isfinite(tr.detach().numpy())
            w = np.where(finite, w, 0).astype(dtype)
            e_loss = e_loss + (ember.where(ember.tensor(finite), er, ember.zeros_like(er)) * ember.tensor(w)).sum()
            t_loss = t_loss + (torch.where(torch.tensor(finite), tr, torch.zeros_like(tr)) * torch.tensor(w)).sum()
    if isinstance(t_loss, int):
        return
    e_loss.backward()
    t_loss.backward()
    for k in tp:
        if isinstance(tp[k], torch.Tensor) and tp[k].requires_grad:
            if tp[k].grad is None:
                assert ep[k].grad is None or not ep[k].grad.detach().numpy().any(), f"{name}: grad of {k}"
            else:
                assert ep[k].grad is not None, f"{name}: no grad for {k}"
                _close(ep[k].grad, tp[k].grad, dtype, f"{name}: grad of {k} ({np.dtype(dtype).name})")


# ---------------------------------------------------------------------------------------------------------
# log_prob / entropy / moments / cdf / icdf and gradients
# ---------------------------------------------------------------------------------------------------------
_MOMENTS = ["log_prob", "entropy", "mean", "variance", "stddev", "mode"]
_CASES = [
    ("Normal", dict(loc=_real(3), scale=_pos(3)), _real(4, 3), _MOMENTS + ["cdf", "icdf"]),
    ("Bernoulli", dict(probs=_RNG.uniform(0.1, 0.9, 3)), (_RNG.random((4, 3)) > 0.5) * 1.0,
     ["log_prob", "entropy", "mean", "variance"]),
    ("Bernoulli", dict(logits=_real(3)), (_RNG.random((4, 3)) > 0.5) * 1.0, ["log_prob", "entropy", "mean"]),
    ("Categorical", dict(logits=_real(2, 4)), _RNG.integers(0, 4, (5, 2)), ["log_prob", "entropy", "mode"]),
    ("Categorical", dict(probs=_simplex(2, 4) * 3.0), _RNG.integers(0, 4, (5, 2)), ["log_prob", "entropy"]),
    ("OneHotCategorical", dict(logits=_real(2, 4)), np.eye(4)[_RNG.integers(0, 4, (5, 2))],
     ["log_prob", "entropy", "mean", "variance", "mode"]),
    ("Uniform", dict(low=_real(3) - 3, high=_real(3) + 3), _real(4, 3, low=-1.0, high=1.0),
     ["log_prob", "entropy", "mean", "variance", "stddev", "cdf", "icdf"]),
    ("Beta", dict(concentration1=_pos(3), concentration0=_pos(3)), _RNG.uniform(0.05, 0.95, (4, 3)),
     ["log_prob", "entropy", "mean", "variance"]),
    ("Gamma", dict(concentration=_pos(3), rate=_pos(3)), _pos(4, 3), _MOMENTS),
    # no derivative of the incomplete gamma function w.r.t. its first argument (in PyTorch either)
    ("Gamma", dict(concentration=1.7, rate=_pos(3)), _pos(4, 3), ["cdf"]),
    ("Chi2", dict(df=_pos(3)), _pos(4, 3), ["log_prob", "entropy", "mean", "variance"]),
    ("Exponential", dict(rate=_pos(3)), _pos(4, 3), _MOMENTS + ["cdf", "icdf"]),
    ("Dirichlet", dict(concentration=_pos(2, 3, low=1.1)), _simplex(4, 2, 3), _MOMENTS),
    ("Poisson", dict(rate=_pos(3)), _RNG.integers(0, 5, (4, 3)) * 1.0, ["log_prob", "mean", "variance", "mode"]),
    ("Binomial", dict(total_count=10.0, probs=_RNG.uniform(0.1, 0.9, 3)), _RNG.integers(0, 11, (4, 3)) * 1.0,
     ["log_prob", "entropy", "mean", "variance", "mode"]),
    ("Binomial", dict(total_count=np.array([3.0, 5.0, 8.0]), logits=_real(3)), np.array([[0.0, 5.0, 2.0]]),
     ["log_prob", "mean", "variance"]),
    ("Multinomial", dict(total_count=6, probs=_simplex(2, 3)), np.array([[1.0, 2, 3], [6, 0, 0]]),
     ["log_prob", "entropy", "mean", "variance"]),
    ("Laplace", dict(loc=_real(3), scale=_pos(3)), _real(4, 3), _MOMENTS + ["cdf", "icdf"]),
    ("Cauchy", dict(loc=_real(3), scale=_pos(3)), _real(4, 3), ["log_prob", "entropy", "mode", "cdf", "icdf"]),
    ("LogNormal", dict(loc=_real(3), scale=_pos(3, high=1.0)), _pos(4, 3), _MOMENTS + ["cdf", "icdf"]),
    ("HalfNormal", dict(scale=_pos(3)), _pos(4, 3), _MOMENTS + ["cdf", "icdf"]),
    ("HalfCauchy", dict(scale=_pos(3)), _pos(4, 3), ["log_prob", "entropy", "cdf", "icdf"]),
    ("Gumbel", dict(loc=_real(3), scale=_pos(3)), _real(4, 3), _MOMENTS + ["cdf", "icdf"]),
    ("StudentT", dict(df=np.array([0.8, 1.5, 3.5]), loc=_real(3), scale=_pos(3)), _real(4, 3), _MOMENTS),
    ("Geometric", dict(probs=_RNG.uniform(0.1, 0.9, 3)), _RNG.integers(0, 5, (4, 3)) * 1.0, _MOMENTS),
    ("Pareto", dict(scale=_pos(3), alpha=_pos(3, low=2.5, high=4.0)), _pos(4, 3) + 2.5, _MOMENTS + ["cdf", "icdf"]),
    ("Weibull", dict(scale=_pos(3), concentration=_pos(3, low=1.2)), _pos(4, 3), _MOMENTS + ["cdf", "icdf"]),
    ("InverseGamma", dict(concentration=_pos(3, low=2.5, high=4.0), rate=_pos(3)), _pos(4, 3), _MOMENTS),
    ("NegativeBinomial", dict(total_count=_pos(3), probs=_RNG.uniform(0.1, 0.9, 3)), _RNG.integers(0, 5, (4, 3)) * 1.0,
     ["log_prob", "mean", "variance", "mode"]),
    ("MultivariateNormal", dict(loc=_real(2, 3), covariance_matrix=_spd(3)), _real(4, 2, 3),
     ["log_prob", "entropy", "mean", "variance"]),
    ("MultivariateNormal", dict(loc=_real(3), precision_matrix=_spd(3, (2,))), _real(4, 2, 3),
     ["log_prob", "entropy", "variance"]),
    ("MultivariateNormal", dict(loc=_real(2, 3), scale_tril=np.linalg.cholesky(_spd(3))), _real(4, 2, 3),
     ["log_prob", "entropy", "variance"]),
    ("LowRankMultivariateNormal", dict(loc=_real(2, 3), cov_factor=_real(3, 2), cov_diag=_pos(3)), _real(4, 2, 3),
     ["log_prob", "entropy", "variance"]),
    ("RelaxedBernoulli", dict(temperature=np.array(0.7), logits=_real(3)), _RNG.uniform(0.05, 0.95, (4, 3)),
     ["log_prob"]),
    ("RelaxedOneHotCategorical", dict(temperature=np.array(0.7), logits=_real(2, 3)), _simplex(4, 2, 3),
     ["log_prob"]),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("case", _CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(_CASES)])
def test_against_torch(case, dtype):
    name, params, value, quantities = case
    _compare_dist(name, params, value, dtype, quantities, int_value=(name == "Categorical"))


def test_matrix_parameterisations_agree():
    """covariance_matrix, precision_matrix and scale_tril of one MVN, whichever was given (and their grads)."""
    cov = _spd(3)
    for given in ("covariance_matrix", "precision_matrix", "scale_tril"):
        mat = {"covariance_matrix": cov, "precision_matrix": np.linalg.inv(cov),
               "scale_tril": np.linalg.cholesky(cov)}[given]
        ep, tp = _tensors(ember, {given: mat}, np.float64), _tensors(torch, {given: mat}, np.float64)
        e = ED.MultivariateNormal(ember.zeros(3, dtype=ember.float64), **ep)
        t = TD.MultivariateNormal(torch.zeros(3, dtype=torch.float64), **tp)
        total_e = total_t = 0
        for attr in ("covariance_matrix", "precision_matrix", "scale_tril"):
            _close(getattr(e, attr), getattr(t, attr), np.float64, f"{given} -> {attr}")
            total_e = total_e + getattr(e, attr).sum()
            total_t = total_t + getattr(t, attr).sum()
        total_e.backward()
        total_t.backward()
        _close(ep[given].grad, tp[given].grad, np.float64, f"grad via {given}")
    lr = dict(loc=_real(3), cov_factor=_real(3, 2), cov_diag=_pos(3))
    e, t = ED.LowRankMultivariateNormal(**_tensors(ember, lr, np.float64)), TD.LowRankMultivariateNormal(
        **_tensors(torch, lr, np.float64))
    for attr in ("covariance_matrix", "precision_matrix", "scale_tril"):
        _close(getattr(e, attr), getattr(t, attr), np.float64, f"low rank {attr}")


def test_not_implemented_where_torch_has_none():
    """Poisson has no closed-form entropy and no icdf, in either library; Binomial enumerates (and so has an
    entropy) only for one total_count."""
    rate = np.array([1.0, 2.0])
    for what in ("entropy", "icdf"):
        for lib, D in ((torch, TD), (ember, ED)):
            with pytest.raises(NotImplementedError):
                _call(D.Poisson(lib.tensor(rate)), what, lib.tensor([0.5, 0.5]))
    for lib, D in ((torch, TD), (ember, ED)):
        with pytest.raises(NotImplementedError, match="Inhomogeneous total count not supported by `entropy`"):
            D.Binomial(lib.tensor([2.0, 3.0]), lib.tensor([0.5, 0.5])).entropy()


def test_enumerate_support():
    pairs = [(ED.Bernoulli(ember.tensor([0.2, 0.7])), TD.Bernoulli(torch.tensor([0.2, 0.7]))),
             (ED.Categorical(logits=ember.zeros(2, 3)), TD.Categorical(logits=torch.zeros(2, 3))),
             (ED.OneHotCategorical(logits=ember.zeros(2, 3)), TD.OneHotCategorical(logits=torch.zeros(2, 3))),
             (ED.Binomial(4, ember.tensor([0.2, 0.7])), TD.Binomial(4, torch.tensor([0.2, 0.7])))]
    for e, t in pairs:
        for expand in (True, False):
            _close(e.enumerate_support(expand), t.enumerate_support(expand), what=type(e).__name__)
        assert e.has_enumerate_support


# ---------------------------------------------------------------------------------------------------------
# samples
# ---------------------------------------------------------------------------------------------------------
def _same_draws(make, sample_shape=(5,), method="sample", exact=True):
    ember.manual_seed(7)
    torch.manual_seed(7)
    e, t = make(ember, ED), make(torch, TD)
    es, ts = getattr(e, method)(sample_shape), getattr(t, method)(sample_shape)
    assert str(es.dtype) == str(ts.dtype) and tuple(es.shape) == tuple(ts.shape)
    if exact:
        np.testing.assert_array_equal(es.detach().numpy(), ts.detach().numpy())
    else:
        np.testing.assert_allclose(es.detach().numpy(), ts.detach().numpy(), rtol=1e-5, atol=1e-6)
    return es, ts


_LOC, _SCALE, _PROBS, _COV = _real(2, 3), _pos(2, 3), _simplex(2, 4), _spd(3)


@pytest.mark.parametrize("make, method, exact", [
    (lambda t, d: d.Normal(t.tensor(_LOC), t.tensor(_SCALE)), "sample", True),
    (lambda t, d: d.Normal(t.tensor(_LOC), t.tensor(_SCALE)), "rsample", True),
    (lambda t, d: d.Normal(t.zeros(40), t.ones(40)), "rsample", True),          # the vectorised normal path
    (lambda t, d: d.Uniform(t.tensor(_LOC) - 3, t.tensor(_LOC) + 1), "rsample", True),
    (lambda t, d: d.Exponential(t.tensor(_SCALE)), "rsample", True),
    (lambda t, d: d.Cauchy(t.tensor(_LOC), t.tensor(_SCALE)), "rsample", True),
    (lambda t, d: d.Bernoulli(t.tensor(_SCALE / 3)), "sample", True),
    (lambda t, d: d.Geometric(t.tensor(_SCALE / 3)), "sample", True),
    (lambda t, d: d.Categorical(t.tensor(_PROBS)), "sample", True),
    (lambda t, d: d.Categorical(logits=t.tensor(_LOC)), "sample", True),
    (lambda t, d: d.OneHotCategorical(t.tensor(_PROBS)), "sample", True),
    (lambda t, d: d.Multinomial(7, t.tensor(_PROBS)), "sample", True),
    (lambda t, d: d.Independent(d.Normal(t.tensor(_LOC), t.tensor(_SCALE)), 1), "rsample", True),
    (lambda t, d: d.LogNormal(t.tensor(_LOC), t.tensor(_SCALE)), "rsample", False),
    (lambda t, d: d.Laplace(t.tensor(_LOC), t.tensor(_SCALE)), "rsample", False),
    (lambda t, d: d.Gumbel(t.tensor(_LOC), t.tensor(_SCALE)), "sample", False),
    (lambda t, d: d.Pareto(t.tensor(_SCALE), t.tensor(_SCALE + 1)), "rsample", False),
    (lambda t, d: d.Weibull(t.tensor(_SCALE), t.tensor(_SCALE + 1)), "rsample", False),
    (lambda t, d: d.MultivariateNormal(t.tensor(_LOC), t.tensor(_COV)), "rsample", False),
    (lambda t, d: d.LowRankMultivariateNormal(t.tensor(_LOC), t.tensor(_LOC.T), t.tensor(_SCALE[0])), "rsample",
     False),
    (lambda t, d: d.MixtureSameFamily(d.Categorical(t.tensor(_PROBS[0, :3])), d.Normal(t.tensor(_LOC[0]),
                                                                                     t.tensor(_SCALE[0]))),
     "sample", True),
    (lambda t, d: d.RelaxedBernoulli(t.tensor(0.5), t.tensor(_SCALE / 3)), "rsample", False),
    (lambda t, d: d.RelaxedOneHotCategorical(t.tensor(0.5), t.tensor(_PROBS)), "rsample", False),
])
def test_samples_match_torch_under_the_same_seed(make, method, exact):
    _same_draws(make, (5,), method, exact)


@pytest.mark.parametrize("make", [
    lambda t, d: d.Gamma(t.tensor([0.3, 2.0]), t.tensor([1.0, 3.0])),
    lambda t, d: d.Beta(t.tensor([0.5, 2.0]), t.tensor([1.5, 2.0])),
    lambda t, d: d.Dirichlet(t.tensor([[0.5, 1.0, 2.0]])),
    lambda t, d: d.StudentT(t.tensor([3.0, 5.0])),
    lambda t, d: d.Chi2(t.tensor([3.0])),
    lambda t, d: d.Poisson(t.tensor([0.5, 4.0])),
    lambda t, d: d.Binomial(t.tensor([5.0, 20.0]), t.tensor([0.3, 0.8])),
    lambda t, d: d.HalfNormal(t.tensor([1.0, 2.0])),
    lambda t, d: d.NegativeBinomial(t.tensor([2.0, 5.5]), t.tensor([0.3, 0.8])),
    lambda t, d: d.InverseGamma(t.tensor([2.0, 5.5]), t.tensor([0.3, 0.8])),
    lambda t, d: d.MixtureSameFamily(d.Categorical(t.tensor([0.3, 0.7])), d.Normal(t.tensor([-1.0, 2.0]), 1.0)),
])
def test_sample_shapes_dtypes_and_flags(make):
    e, t = make(ember, ED), make(torch, TD)
    assert e.has_rsample == t.has_rsample
    for shape in [(), (4,), (2, 3)]:
        es, ts = e.sample(shape), t.sample(shape)
        assert tuple(es.shape) == tuple(ts.shape) and str(es.dtype) == str(ts.dtype)
        assert not es.requires_grad
        if t.has_rsample:
            assert tuple(e.rsample(shape).shape) == tuple(ts.shape)


@pytest.mark.parametrize("make, n", [
    (lambda d: d.Gamma(ember.tensor([0.3, 2.0, 40.0]), ember.tensor([1.0, 3.0, 0.5])), 20000),
    (lambda d: d.Beta(ember.tensor([0.5, 2.0]), ember.tensor([1.5, 2.0])), 20000),
    (lambda d: d.Dirichlet(ember.tensor([0.5, 1.0, 2.0])), 20000),
    (lambda d: d.StudentT(ember.tensor([5.0]), ember.tensor([1.0]), ember.tensor([2.0])), 20000),
    (lambda d: d.Poisson(ember.tensor([0.5, 4.0])), 20000),
    (lambda d: d.Binomial(ember.tensor([5.0, 20.0]), ember.tensor([0.3, 0.8])), 20000),
    (lambda d: d.NegativeBinomial(ember.tensor([2.0, 5.5]), ember.tensor([0.3, 0.6])), 20000),
])
def test_sample_statistics(make, n):
    """Sampler without PyTorch's stream: the sample mean and variance agree with the distribution's."""
    d = make(ED)
    s = d.sample((n,)).double()
    mean, var = d.mean.double(), d.variance.double()
    se = (var / n).sqrt()
    assert bool(((s.mean(0) - mean).abs() <= 5 * se).all()), (s.mean(0), mean)
    np.testing.assert_allclose(s.var(0).numpy(), var.numpy(), rtol=0.1)
    assert bool(d.support.check(s.to(d.mean.dtype)).all())


def test_gamma_implicit_reparameterisation_gradient():
    """d sample / d concentration matches PyTorch's _standard_gamma_grad on the same (alpha, x) pairs, and the
    gradient of the sample mean approaches d mean / d concentration."""
    from ember.distributions._sampling import _standard_gamma_grad
    for a in (0.05, 0.7, 1.0, 4.0, 60.0, 3000.0):
        x = np.random.default_rng(3).gamma(a, size=300)
        x = x[x > 1e-30]
        mine = _standard_gamma_grad(x, np.full_like(x, a))
        ref = torch._standard_gamma_grad(torch.tensor(np.full_like(x, a)), torch.tensor(x)).numpy()
        np.testing.assert_allclose(mine, ref, rtol=2e-3, err_msg=f"alpha={a}")
    conc = ember.tensor([0.5, 3.0], requires_grad=True)
    rate = ember.tensor([2.0, 0.5], requires_grad=True)
    ED.Gamma(conc, rate).rsample((20000,)).mean(0).sum().backward()
    np.testing.assert_allclose(conc.grad.numpy(), [0.5, 2.0], rtol=0.03)              # d(c / r) / dc = 1 / r
    np.testing.assert_allclose(rate.grad.numpy(), [-0.125, -12.0], rtol=0.03)         # -c / r²
    c1 = ember.tensor([2.0], requires_grad=True)
    ED.Beta(c1, ember.tensor([3.0])).rsample((20000,)).mean().backward()
    np.testing.assert_allclose(c1.grad.numpy(), [3.0 / 25.0], rtol=0.05)              # d a/(a+b) / da


# ---------------------------------------------------------------------------------------------------------
# KL divergences
# ---------------------------------------------------------------------------------------------------------
def _kl_case(p_name, p_params, q_name, q_params):
    return (p_name, p_params, q_name, q_params)


_KL = [
    _kl_case("Normal", dict(loc=_real(3), scale=_pos(3)), "Normal", dict(loc=_real(3), scale=_pos(3))),
    _kl_case("Bernoulli", dict(probs=_RNG.uniform(0.1, 0.9, 3)), "Bernoulli", dict(logits=_real(3))),
    _kl_case("Categorical", dict(logits=_real(2, 4)), "Categorical", dict(probs=_simplex(2, 4))),
    _kl_case("OneHotCategorical", dict(logits=_real(2, 4)), "OneHotCategorical", dict(logits=_real(4))),
    _kl_case("Uniform", dict(low=np.array([0.0, -1.0]), high=np.array([1.0, 2.0])),
             "Uniform", dict(low=np.array([-1.0, 0.0]), high=np.array([2.0, 3.0]))),
    _kl_case("Beta", dict(concentration1=_pos(3), concentration0=_pos(3)),
             "Beta", dict(concentration1=_pos(3), concentration0=_pos(3))),
    _kl_case("Gamma", dict(concentration=_pos(3), rate=_pos(3)), "Gamma", dict(concentration=_pos(3), rate=_pos(3))),
    _kl_case("Dirichlet", dict(concentration=_pos(2, 3)), "Dirichlet", dict(concentration=_pos(2, 3))),
    _kl_case("Exponential", dict(rate=_pos(3)), "Exponential", dict(rate=_pos(3))),
    _kl_case("Laplace", dict(loc=_real(3), scale=_pos(3)), "Laplace", dict(loc=_real(3), scale=_pos(3))),
    _kl_case("Poisson", dict(rate=_pos(3)), "Poisson", dict(rate=_pos(3))),
    _kl_case("Geometric", dict(probs=_RNG.uniform(0.1, 0.9, 3)), "Geometric", dict(probs=_RNG.uniform(0.1, 0.9, 3))),
    _kl_case("Binomial", dict(total_count=5.0, probs=_RNG.uniform(0.1, 0.9, 3)),
             "Binomial", dict(total_count=5.0, probs=_RNG.uniform(0.1, 0.9, 3))),
    _kl_case("Gumbel", dict(loc=_real(3), scale=_pos(3)), "Gumbel", dict(loc=_real(3), scale=_pos(3))),
    _kl_case("Cauchy", dict(loc=_real(3), scale=_pos(3)), "Cauchy", dict(loc=_real(3), scale=_pos(3))),
    _kl_case("HalfNormal", dict(scale=_pos(3)), "HalfNormal", dict(scale=_pos(3))),
    _kl_case("LogNormal", dict(loc=_real(3), scale=_pos(3)), "LogNormal", dict(loc=_real(3), scale=_pos(3))),
    _kl_case("MultivariateNormal", dict(loc=_real(2, 3), scale_tril=np.linalg.cholesky(_spd(3, (2,)))),
             "MultivariateNormal", dict(loc=_real(3), covariance_matrix=_spd(3))),
    _kl_case("LowRankMultivariateNormal", dict(loc=_real(3), cov_factor=_real(3, 2), cov_diag=_pos(3)),
             "LowRankMultivariateNormal", dict(loc=_real(2, 3), cov_factor=_real(3, 1), cov_diag=_pos(3))),
    _kl_case("MultivariateNormal", dict(loc=_real(3), covariance_matrix=_spd(3)),
             "LowRankMultivariateNormal", dict(loc=_real(3), cov_factor=_real(3, 2), cov_diag=_pos(3))),
    _kl_case("LowRankMultivariateNormal", dict(loc=_real(3), cov_factor=_real(3, 2), cov_diag=_pos(3)),
             "MultivariateNormal", dict(loc=_real(3), covariance_matrix=_spd(3))),
    _kl_case("Uniform", dict(low=np.array([0.5, 1.0]), high=np.array([1.5, 3.0])), "Normal",
             dict(loc=_real(2), scale=_pos(2))),
    _kl_case("Uniform", dict(low=np.array([0.1, 0.2]), high=np.array([0.5, 0.9])), "Beta",
             dict(concentration1=_pos(2), concentration0=_pos(2))),
    _kl_case("Uniform", dict(low=np.array([0.5, -1.0]), high=np.array([1.5, 3.0])), "Gamma",
             dict(concentration=_pos(2), rate=_pos(2))),
    _kl_case("Exponential", dict(rate=_pos(3)), "Gamma", dict(concentration=_pos(3), rate=_pos(3))),
    _kl_case("Gamma", dict(concentration=_pos(3), rate=_pos(3)), "Normal", dict(loc=_real(3), scale=_pos(3))),
    _kl_case("Beta", dict(concentration1=_pos(3), concentration0=_pos(3)), "Normal",
             dict(loc=_real(3), scale=_pos(3))),
    _kl_case("Normal", dict(loc=_real(3), scale=_pos(3)), "Laplace", dict(loc=_real(3), scale=_pos(3))),
    _kl_case("Laplace", dict(loc=_real(3), scale=_pos(3)), "Normal", dict(loc=_real(3), scale=_pos(3))),
    _kl_case("Normal", dict(loc=_real(3), scale=_pos(3)), "Gumbel", dict(loc=_real(3), scale=_pos(3))),
    _kl_case("Normal", dict(loc=_real(3), scale=_pos(3)), "Uniform",
             dict(low=np.array([0.0, 1, 2]), high=np.array([1.0, 2, 3]))),
    _kl_case("Bernoulli", dict(probs=_RNG.uniform(0.1, 0.9, 3)), "Poisson", dict(rate=_pos(3))),
    _kl_case("Pareto", dict(scale=_pos(3, low=1.0), alpha=_pos(3)),
             "Pareto", dict(scale=_pos(3, high=1.0), alpha=_pos(3))),
    _kl_case("Pareto", dict(scale=_pos(3), alpha=_pos(3, low=2.5, high=4.0)),
             "Normal", dict(loc=_real(3), scale=_pos(3))),
    _kl_case("Uniform", dict(low=np.array([1.0, 2.0]), high=np.array([1.5, 3.0])), "Pareto",
             dict(scale=_pos(2, high=1.0), alpha=_pos(2))),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("case", _KL, ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(_KL)])
def test_kl_divergence(case, dtype):
    p_name, p_params, q_name, q_params = case
    ep, eq = _tensors(ember, p_params, dtype), _tensors(ember, q_params, dtype)
    tp, tq = _tensors(torch, p_params, dtype), _tensors(torch, q_params, dtype)
    ek = ED.kl_divergence(getattr(ED, p_name)(**ep), getattr(ED, q_name)(**eq))
    tk = TD.kl_divergence(getattr(TD, p_name)(**tp), getattr(TD, q_name)(**tq))
    _close(ek, tk, dtype, f"KL({p_name} || {q_name})")
    finite = np.isfinite(tk.detach().numpy())
    if not finite.any() or not tk.requires_grad:
        return
    w = np.where(finite, _RNG.uniform(-1, 1, size=tuple(tk.shape)), 0).astype(dtype)
    (ember.where(ember.tensor(finite), ek, ember.zeros_like(ek)) * ember.tensor(w)).sum().backward()
    (torch.where(torch.tensor(finite), tk, torch.zeros_like(tk)) * torch.tensor(w)).sum().backward()
    for side_e, side_t in ((ep, tp), (eq, tq)):
        for k, v in side_t.items():
            if isinstance(v, torch.Tensor) and v.grad is not None:
                _close(side_e[k].grad, v.grad, dtype, f"KL({p_name} || {q_name}): grad of {k}")


def test_kl_independent_and_expfamily_bregman():
    loc, scale = _real(2, 3), _pos(2, 3)
    e = ED.kl_divergence(ED.Independent(ED.Normal(ember.tensor(loc), ember.tensor(scale)), 1),
                         ED.Independent(ED.Normal(ember.zeros(3), ember.ones(3)), 1))
    t = TD.kl_divergence(TD.Independent(TD.Normal(torch.tensor(loc), torch.tensor(scale)), 1),
                         TD.Independent(TD.Normal(torch.zeros(3), torch.ones(3)), 1))
    _close(e, t, np.float32, "Independent KL")
    # the generic exponential-family KL (a Bregman divergence via autograd) equals the closed forms
    p, q = ED.Gamma(ember.tensor(_pos(3)), ember.tensor(_pos(3))), ED.Gamma(ember.tensor(_pos(3)), 2.0)
    np.testing.assert_allclose(ED.kl._kl_expfamily_expfamily(p, q).detach().numpy(),
                               ED.kl_divergence(p, q).numpy(), rtol=1e-5)
    p, q = ED.Normal(ember.tensor(_real(3)), ember.tensor(_pos(3))), ED.Normal(0.0, 2.0)
    np.testing.assert_allclose(ED.ExponentialFamily.entropy(p).detach().numpy(), p.entropy().numpy(), rtol=1e-5)


def test_kl_dispatch_and_errors():
    with pytest.raises(NotImplementedError, match="No KL\\(p \\|\\| q\\) is implemented for p type Cauchy and "
                                                  "q type Normal"):
        ED.kl_divergence(ED.Cauchy(0.0, 1.0), ED.Normal(0.0, 1.0))
    with pytest.raises(NotImplementedError, match="cross KL-divergence between different exponential families"):
        ED.kl_divergence(ED.Poisson(ember.tensor([1.0])), ED.Gamma(1.0, 1.0))
    with pytest.raises(TypeError, match="Expected type_p to be a Distribution subclass"):
        ED.register_kl(int, ED.Normal)

    class MyNormal(ED.Normal):
        pass

    @ED.register_kl(MyNormal, ED.Normal)
    def _kl_mine(p, q):
        return ember.zeros(p.batch_shape) + 42.0

    assert float(ED.kl_divergence(MyNormal(0.0, 1.0), ED.Normal(1.0, 1.0))) == 42.0
    assert float(ED.kl_divergence(ED.Normal(0.0, 1.0), MyNormal(0.0, 1.0))) == 0.0   # falls back to Normal-Normal
    e, t = ED.kl_divergence(ED.Uniform(0.0, 2.0), ED.Uniform(0.5, 1.0)), TD.kl_divergence(TD.Uniform(0.0, 2.0),
                                                                                          TD.Uniform(0.5, 1.0))
    assert math.isinf(float(e)) and math.isinf(float(t))


# ---------------------------------------------------------------------------------------------------------
# transforms and TransformedDistribution
# ---------------------------------------------------------------------------------------------------------
_TRANSFORMS = [
    ("ExpTransform", (), _real(2, 3)),
    ("SigmoidTransform", (), _real(2, 3)),
    ("TanhTransform", (), _real(2, 3)),
    ("SoftplusTransform", (), _real(2, 3)),
    ("AffineTransform", (0.5, -2.0), _real(2, 3)),
    ("PowerTransform", (2.5,), _pos(2, 3)),
    ("StickBreakingTransform", (), _real(2, 3)),
    ("AbsTransform", (), _real(2, 3)),
    ("SoftmaxTransform", (), _real(2, 3)),
    ("LowerCholeskyTransform", (), _real(2, 3, 3)),
    ("PositiveDefiniteTransform", (), _real(2, 3, 3)),
]


@pytest.mark.parametrize("name, args, x", _TRANSFORMS, ids=[c[0] for c in _TRANSFORMS])
def test_transforms(name, args, x):
    e, t = getattr(ED.transforms, name)(*args), getattr(TD.transforms, name)(*args)
    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ey, ty = e(ex), t(tx)
    _close(ey, ty, np.float64, f"{name} forward")
    _close(e.inv(ey.detach()), t.inv(ty.detach()), np.float64, f"{name} inverse")
    assert e.bijective == t.bijective and repr(e) == repr(t) and repr(e.inv) == repr(t.inv)
    assert e.domain.event_dim == t.domain.event_dim and e.codomain.event_dim == t.codomain.event_dim
    assert e.inv.inv is e
    try:
        t_sign = t.sign
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            e.sign
    else:
        assert e.sign == t_sign if isinstance(t_sign, int) else bool((e.sign == ember.tensor(t_sign.numpy())).all())
    if name not in ("AbsTransform", "SoftmaxTransform", "LowerCholeskyTransform", "PositiveDefiniteTransform"):
        ej, tj = e.log_abs_det_jacobian(ex, ey), t.log_abs_det_jacobian(tx, ty)
        _close(ej, tj, np.float64, f"{name} log_abs_det_jacobian")
        (ej.sum() + ey.sum()).backward()
        (tj.sum() + ty.sum()).backward()
        _close(ex.grad, tx.grad, np.float64, f"{name} grad")
    shape = torch.Size(x.shape)
    assert tuple(e.forward_shape(ember.Size(shape))) == tuple(t.forward_shape(shape))


def test_compose_and_cache():
    parts = lambda T: [T.AffineTransform(1.0, 2.0), T.ExpTransform(), T.IndependentTransform(T.TanhTransform(), 1)]
    e, t = ED.transforms.ComposeTransform(parts(ED.transforms)), TD.transforms.ComposeTransform(parts(TD.transforms))
    assert repr(e) == repr(t)
    assert repr(e.domain) == repr(t.domain) and repr(e.codomain) == repr(t.codomain)
    x = _real(2, 3, low=-1.0, high=-0.5)
    _close(e(ember.tensor(x)), t(torch.tensor(x)), np.float64, "compose forward")
    _close(e.log_abs_det_jacobian(ember.tensor(x), e(ember.tensor(x))),
           t.log_abs_det_jacobian(torch.tensor(x), t(torch.tensor(x))), np.float64, "compose jacobian")
    # with the cache, the inverse of the last output is the very input (no atanh(tanh(x)) round trip)
    tanh = ED.transforms.TanhTransform(cache_size=1)
    big = ember.tensor([10.0, -12.0])
    assert tanh.inv(tanh(big)) is big
    with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
        ED.transforms.ExpTransform(cache_size=2)
    assert ED.transforms.identity_transform(big) is big


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_sac_tanh_normal_policy(dtype):
    """SAC: a = tanh(u), u ~ N(mu, sigma) by rsample; log pi(a) through the cached TanhTransform; same samples,
    log-probabilities and gradients as PyTorch."""
    mu, log_std = _real(4, 2), _real(4, 2, low=-1.0, high=0.5)
    grads = {}
    for lib, D in ((ember, ED), (torch, TD)):
        lib.manual_seed(3)
        m = lib.tensor(mu.astype(dtype), requires_grad=True)
        s = lib.tensor(log_std.astype(dtype), requires_grad=True)
        pi = D.TransformedDistribution(D.Normal(m, s.exp()), [D.transforms.TanhTransform(cache_size=1)])
        a = pi.rsample()
        logp = pi.log_prob(a).sum(-1)
        (logp.mean() - (a ** 2).mean()).backward()
        grads[lib.__name__] = (a, logp, m.grad, s.grad)
    for what, e, t in zip(("action", "log_prob", "grad mu", "grad log_std"), grads["ember"], grads["torch"]):
        _close(e, t, dtype, what)


def test_transformed_distribution_shapes_and_cdf():
    base_e, base_t = ED.Normal(ember.zeros(2, 3), ember.ones(2, 3)), TD.Normal(torch.zeros(2, 3), torch.ones(2, 3))
    e = ED.TransformedDistribution(base_e, [ED.transforms.StickBreakingTransform()])
    t = TD.TransformedDistribution(base_t, [TD.transforms.StickBreakingTransform()])
    assert e.batch_shape == t.batch_shape and e.event_shape == t.event_shape and repr(e.support) == repr(t.support)
    v = _simplex(5, 2, 4)
    _close(e.log_prob(ember.tensor(v, dtype=ember.float32)), t.log_prob(torch.tensor(v, dtype=torch.float32)),
           np.float32, "stick-breaking log_prob")
    e = ED.TransformedDistribution(ED.Normal(0.0, 1.0), [ED.transforms.AffineTransform(1.0, -2.0)])
    t = TD.TransformedDistribution(TD.Normal(0.0, 1.0), [TD.transforms.AffineTransform(1.0, -2.0)])
    x = _real(5)
    _close(e.cdf(ember.tensor(x, dtype=ember.float32)), t.cdf(torch.tensor(x, dtype=torch.float32)), np.float32)
    u = _RNG.uniform(0.1, 0.9, 5)
    _close(e.icdf(ember.tensor(u, dtype=ember.float32)), t.icdf(torch.tensor(u, dtype=torch.float32)), np.float32)
    assert e.expand((4,)).batch_shape == t.expand((4,)).batch_shape
    with pytest.raises(ValueError, match="transforms must be a Transform or list"):
        ED.TransformedDistribution(base_e, "exp")


def test_biject_to_and_transform_to():
    C = ED.constraints
    x = _real(2, 4)
    for c, tc in [(C.positive, TD.constraints.positive), (C.interval(-1.0, 2.0), TD.constraints.interval(-1.0, 2.0)),
                  (C.simplex, TD.constraints.simplex), (C.unit_interval, TD.constraints.unit_interval),
                  (C.greater_than(3.0), TD.constraints.greater_than(3.0)), (C.real_vector, TD.constraints.real_vector)]:
        for e_reg, t_reg in ((ED.biject_to, TD.biject_to), (ED.transform_to, TD.transform_to)):
            e_tr, t_tr = e_reg(c), t_reg(tc)
            assert repr(e_tr) == repr(t_tr)
            ey = e_tr(ember.tensor(x))
            _close(ey, t_tr(torch.tensor(x)), np.float64, repr(c))
            assert bool(c.check(ey).all())
    with pytest.raises(NotImplementedError, match="Cannot transform _LowerCholesky constraints"):
        ED.biject_to(C.lower_cholesky)


# ---------------------------------------------------------------------------------------------------------
# constraints, validation, repr, expand
# ---------------------------------------------------------------------------------------------------------
def test_constraints_check_and_repr():
    C, TC = ED.constraints, TD.constraints
    vals = np.array([[-1.0, 0.0, 0.5, 1.0], [2.0, np.nan, 3.0, -0.0]])
    names = ["real", "positive", "nonnegative", "unit_interval", "boolean", "nonnegative_integer", "positive_integer",
             "simplex", "real_vector", "one_hot"]
    made = [(getattr(C, n), getattr(TC, n)) for n in names] + [
        (C.greater_than(0.5), TC.greater_than(0.5)), (C.greater_than_eq(0.5), TC.greater_than_eq(0.5)),
        (C.less_than(1.0), TC.less_than(1.0)), (C.interval(0.0, 2.0), TC.interval(0.0, 2.0)),
        (C.half_open_interval(0.0, 2.0), TC.half_open_interval(0.0, 2.0)),
        (C.integer_interval(0, 2), TC.integer_interval(0, 2)), (C.independent(C.positive, 1),
                                                               TC.independent(TC.positive, 1)),
        (C.multinomial(3), TC.multinomial(3)), (C.cat([C.positive, C.real], 1, [2, 2]),
                                                TC.cat([TC.positive, TC.real], 1, [2, 2])),
        (C.stack([C.positive, C.real], 0), TC.stack([TC.positive, TC.real], 0))]
    for e, t in made:
        assert repr(e) == repr(t)
        assert e.event_dim == t.event_dim and e.is_discrete == t.is_discrete
        _close(e.check(ember.tensor(vals)), t.check(torch.tensor(vals)), what=repr(t))
    mats = [_spd(3), -_spd(3), np.linalg.cholesky(_spd(3)), _real(3, 3)]
    for n in ["lower_triangular", "lower_cholesky", "positive_definite", "positive_semidefinite", "symmetric",
              "square", "corr_cholesky"]:
        e, t = getattr(C, n), getattr(TC, n)
        assert repr(e) == repr(t) and e.event_dim == t.event_dim
        for m in mats:
            _close(e.check(ember.tensor(m)), t.check(torch.tensor(m)), what=f"{n}")
    assert C.is_dependent(C.dependent) and not C.is_dependent(C.real)
    assert C.is_dependent(ED.Uniform.support) and repr(ED.Uniform(0.0, 1.0).support) == repr(
        TD.Uniform(0.0, 1.0).support)
    with pytest.raises(ValueError, match="Cannot determine validity of dependent constraint"):
        C.dependent.check(ember.zeros(1))


def _message(fn):
    try:
        fn()
    except Exception as ex:   # noqa: BLE001 - the type is compared by the caller
        return type(ex), str(ex)
    return None, None


@pytest.mark.parametrize("build", [
    lambda L, D: D.Normal(L.tensor([0.0, 1.0]), L.tensor([1.0, -1.0])),
    lambda L, D: D.Bernoulli(L.tensor([0.5, 1.5])),
    lambda L, D: D.Categorical(L.tensor([[0.5, -0.5]])),
    lambda L, D: D.Gamma(L.tensor(1.0), L.tensor(0.0)),
    lambda L, D: D.Geometric(L.tensor([0.0, 0.5])),
    lambda L, D: D.Normal(L.tensor([0.0]), L.tensor([1.0])).log_prob(L.tensor([float("nan")])),
    lambda L, D: D.Exponential(L.tensor([1.0])).log_prob(L.tensor([-1.0])),
    lambda L, D: D.Categorical(logits=L.zeros(3)).log_prob(L.tensor(3)),
    lambda L, D: D.Dirichlet(L.ones(3)).log_prob(L.tensor([0.5, 0.6, 0.1])),
    lambda L, D: D.Normal(L.zeros(3), 1.0).log_prob(L.zeros(2)),
    lambda L, D: D.MultivariateNormal(L.zeros(2), L.eye(2)).log_prob(L.zeros(3)),
    lambda L, D: D.Normal(0.0, 1.0).log_prob(0.5),
    lambda L, D: D.Bernoulli(probs=L.tensor(0.5), logits=L.tensor(0.0)),
    lambda L, D: D.Categorical(L.tensor(0.5)),
    lambda L, D: D.Dirichlet(L.tensor(0.5)),
    lambda L, D: D.MultivariateNormal(L.zeros(2)),
    lambda L, D: D.MultivariateNormal(L.zeros(2), L.tensor([[1.0, 2.0], [2.0, 1.0]])),
    lambda L, D: D.Independent(D.Normal(L.zeros(3), 1.0), 2),
    lambda L, D: D.Multinomial(2.5, L.tensor([0.5, 0.5])),
    lambda L, D: D.MixtureSameFamily(D.Categorical(L.ones(3)), D.Normal(L.zeros(2), 1.0)),
    lambda L, D: D.Distribution.set_default_validate_args(3),
])
def test_validation_errors_match_torch(build):
    te, tm = _message(lambda: build(torch, TD))
    ee, em = _message(lambda: build(ember, ED))
    assert te is not None and ee is te, (ee, em, te, tm)
    assert em == tm


def test_validation_switches():
    ED.Normal(ember.tensor([0.0]), ember.tensor([-1.0]), validate_args=False)     # no check
    d = ED.Exponential(ember.tensor([1.0]), validate_args=False)
    assert float(d.log_prob(ember.tensor([-1.0]))) == 1.0                           # not validated either
    try:
        ED.Distribution.set_default_validate_args(False)
        ED.Normal(ember.tensor([0.0]), ember.tensor([-1.0]))
    finally:
        ED.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        ED.Normal(ember.tensor([0.0]), ember.tensor([-1.0]))


def test_repr_expand_and_shapes():
    pairs = [(ED.Normal(ember.zeros(2), ember.ones(2)), TD.Normal(torch.zeros(2), torch.ones(2))),
             (ED.Normal(0.0, 1.0), TD.Normal(0.0, 1.0)),
             (ED.Categorical(logits=ember.zeros(2, 3)), TD.Categorical(logits=torch.zeros(2, 3))),
             (ED.Bernoulli(0.3), TD.Bernoulli(0.3)),
             (ED.Independent(ED.Normal(ember.zeros(2, 3), 1.0), 1), TD.Independent(TD.Normal(torch.zeros(2, 3), 1.0),
                                                                                   1)),
             (ED.MixtureSameFamily(ED.Categorical(ember.ones(3)), ED.Normal(ember.zeros(3), 1.0)),
              TD.MixtureSameFamily(TD.Categorical(torch.ones(3)), TD.Normal(torch.zeros(3), 1.0))),
             (ED.Beta(1.0, 2.0), TD.Beta(1.0, 2.0)), (ED.Dirichlet(ember.ones(2, 3)), TD.Dirichlet(torch.ones(2, 3))),
             (ED.MultivariateNormal(ember.zeros(2), ember.eye(2)), TD.MultivariateNormal(torch.zeros(2), torch.eye(2))),
             (ED.Multinomial(3, ember.ones(4)), TD.Multinomial(3, torch.ones(4)))]
    for e, t in pairs:
        assert repr(e) == repr(t)
        assert e.batch_shape == t.batch_shape and e.event_shape == t.event_shape
        new = (5,) + tuple(t.batch_shape)
        ex, tx = e.expand(new), t.expand(new)
        assert type(ex) is type(e) and ex.batch_shape == tx.batch_shape and ex.event_shape == tx.event_shape
        assert tuple(ex.sample((2,)).shape) == tuple(tx.sample((2,)).shape)


def test_mixture_same_family_against_torch():
    w, loc, scale, x = _simplex(2, 3), _real(2, 3, 2), _pos(2, 3, 2), _real(4, 2, 2)
    grads = []
    for lib, D in ((ember, ED), (torch, TD)):
        lw = lib.tensor(np.log(w), requires_grad=True)
        lc = lib.tensor(loc, requires_grad=True)
        mix = D.MixtureSameFamily(D.Categorical(logits=lw), D.Independent(D.Normal(lc, lib.tensor(scale)), 1))
        lp = mix.log_prob(lib.tensor(x))
        (lp.sum() + mix.mean.sum() + mix.variance.sum()).backward()
        grads.append((lp, mix.mean, mix.variance, lw.grad, lc.grad))
    for what, e, t in zip(("log_prob", "mean", "variance", "grad logits", "grad loc"), *grads):
        _close(e, t, np.float64, what)


# ---------------------------------------------------------------------------------------------------------
# whole training steps
# ---------------------------------------------------------------------------------------------------------
def _linear_pair(n_in, n_out):
    tl = torch.nn.Linear(n_in, n_out)
    el = ember.nn.Linear(n_in, n_out)
    with ember.no_grad():
        el.weight.copy_(ember.tensor(tl.weight.detach().numpy()))
        el.bias.copy_(ember.tensor(tl.bias.detach().numpy()))
    return el, tl


def test_reinforce_step_matches_torch():
    """Policy gradient: Categorical(logits=Linear(obs)), sampled actions (same seed), -(log_prob * returns)
    minus an entropy bonus; the Linear's gradients equal PyTorch's."""
    obs, returns = _real(16, 5).astype(np.float32), _real(16).astype(np.float32)
    el, tl = _linear_pair(5, 4)
    out = {}
    for lib, D, lin in ((ember, ED, el), (torch, TD, tl)):
        lib.manual_seed(11)
        dist = D.Categorical(logits=lin(lib.tensor(obs)))
        actions = dist.sample()
        loss = -(dist.log_prob(actions) * lib.tensor(returns)).mean() - 0.01 * dist.entropy().mean()
        loss.backward()
        out[lib.__name__] = (actions, loss, lin.weight.grad, lin.bias.grad)
    for what, e, t in zip(("actions", "loss", "weight grad", "bias grad"), out["ember"], out["torch"]):
        _close(e, t, np.float32, what)


def test_vae_step_matches_torch():
    """VAE latent: z = Normal(mu, exp(logvar / 2)).rsample() (same eps), KL to N(0, 1); same gradients."""
    x = _real(8, 6).astype(np.float32)
    enc_e, enc_t = _linear_pair(6, 4)
    out = {}
    for lib, D, enc in ((ember, ED, enc_e), (torch, TD, enc_t)):
        lib.manual_seed(5)
        h = enc(lib.tensor(x))
        mu, logvar = h[:, :2], h[:, 2:]
        q = D.Normal(mu, (0.5 * logvar).exp())
        z = q.rsample()
        prior = D.Normal(lib.zeros_like(mu), lib.ones_like(mu))
        loss = (z ** 2).sum() + D.kl_divergence(q, prior).sum()
        loss.backward()
        out[lib.__name__] = (z, loss, enc.weight.grad)
    for what, e, t in zip(("z", "loss", "encoder grad"), out["ember"], out["torch"]):
        _close(e, t, np.float32, what)


def test_straight_through_and_relaxed_gradients():
    logits = _real(3, 4)
    res = {}
    for lib, D in ((ember, ED), (torch, TD)):
        lib.manual_seed(2)
        lg = lib.tensor(logits, requires_grad=True)
        s = D.OneHotCategoricalStraightThrough(logits=lg).rsample()
        r = D.RelaxedOneHotCategorical(lib.tensor(0.5, dtype=lib.float64), logits=lg).rsample()
        ((s * lib.arange(4.0, dtype=lib.float64)).sum() + (r ** 2).sum()).backward()
        res[lib.__name__] = (s, r, lg.grad)
    for what, e, t in zip(("sample", "relaxed", "grad"), res["ember"], res["torch"]):
        _close(e, t, np.float64, what)


warnings.filterwarnings("ignore", category=RuntimeWarning, module=__name__)
