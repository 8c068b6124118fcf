"""``MixtureSameFamily(mixture, components)``: a mixture whose components are one batched distribution."""
import ember
from .._size import Size
from . import constraints
from .categorical import Categorical
from .constraints import MixtureSameFamilyConstraint
from .distribution import Distribution

__all__ = ["MixtureSameFamily"]


class MixtureSameFamily(Distribution):
    """Mixture of the K components along the rightmost batch dim of ``component_distribution``, weighted by
    ``mixture_distribution`` (a ``Categorical`` over K). E.g. a Gaussian mixture:
    ``MixtureSameFamily(Categorical(weights), Normal(means, stds))`` with K-vectors.

    ``log_prob`` is ``logsumexp_k(log w_k + log p_k(x))``. Not reparameterisable (``has_rsample`` is False).
    """
    arg_constraints = {}
    has_rsample = False

    def __init__(self, mixture_distribution, component_distribution, validate_args=None):
        self._mixture_distribution = mixture_distribution
        self._component_distribution = component_distribution
        if not isinstance(mixture_distribution, Categorical):
            raise ValueError(" The Mixture distribution needs to be an  instance of torch.distributions.Categorical")
        if not isinstance(component_distribution, Distribution):
            raise ValueError("The Component distribution needs to be an instance of torch.distributions.Distribution")
        mdbs = mixture_distribution.batch_shape
        cdbs = component_distribution.batch_shape[:-1]
        for a, b in zip(reversed(mdbs), reversed(cdbs)):
            if a != 1 and b != 1 and a != b:
                raise ValueError(f"`mixture_distribution.batch_shape` ({mdbs}) is not compatible with "
                                 f"`component_distribution.batch_shape`({cdbs})")
        km = mixture_distribution.logits.shape[-1]
        kc = component_distribution.batch_shape[-1] if len(component_distribution.batch_shape) else None
        if kc is None:
            raise ValueError("MixtureSameFamily: component_distribution needs a batch dimension holding the "
                             f"{km} components, but its batch_shape is {component_distribution.batch_shape}")
        if km != kc:
            raise ValueError(f"`mixture_distribution component` ({km}) does not equal "
                             f"`component_distribution.batch_shape[-1]` ({kc})")
        self._num_component = km
        self._event_ndims = len(component_distribution.event_shape)
        super().__init__(batch_shape=cdbs, event_shape=component_distribution.event_shape,
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_into(MixtureSameFamily, batch_shape, _instance, shared=("_num_component", "_event_ndims"))
        self._expand_params(new, new.batch_shape + (self._num_component,), ("_component_distribution",))
        self._expand_params(new, new.batch_shape, ("_mixture_distribution",))
        return new

    @constraints.dependent_property
    def support(self):
        return MixtureSameFamilyConstraint(self._component_distribution.support)

    @property
    def mixture_distribution(self):
        return self._mixture_distribution

    @property
    def component_distribution(self):
        return self._component_distribution

    @property
    def mean(self):
        probs = self._pad_mixture_dimensions(self.mixture_distribution.probs)
        return ember.sum(probs * self.component_distribution.mean, dim=-1 - self._event_ndims)

    @property
    def variance(self):
        """Law of total variance: ``E[Var(x | k)] + Var(E[x | k])``."""
        probs = self._pad_mixture_dimensions(self.mixture_distribution.probs)
        dim = -1 - self._event_ndims
        mean_cond_var = ember.sum(probs * self.component_distribution.variance, dim=dim)
        var_cond_mean = ember.sum(probs * (self.component_distribution.mean - self._pad(self.mean)).pow(2.0), dim=dim)
        return mean_cond_var + var_cond_mean

    def cdf(self, x):
        cdf_x = self.component_distribution.cdf(self._pad(x))
        return ember.sum(cdf_x * self.mixture_distribution.probs, dim=-1)

    def log_prob(self, x):
        if self._validate_args:
            self._validate_sample(x)
        log_prob_x = self.component_distribution.log_prob(self._pad(x))          # [S, B, K]
        log_mix = ember.log_softmax(self.mixture_distribution.logits, dim=-1)     # [B, K]
        return ember.logsumexp(log_prob_x + log_mix, dim=-1)                      # [S, B]

    def sample(self, sample_shape=Size()):
        with ember.no_grad():
            gather_dim = len(sample_shape) + len(self.batch_shape)
            es = self.event_shape
            mix = self.mixture_distribution.sample(sample_shape)             # [S, B]
            comp = self.component_distribution.sample(sample_shape)          # [S, B, K, E]
            # pick component mix[s, b] for every event entry: an index of shape [S, B, 1, E]
            idx = mix.reshape(mix.shape + Size([1] * (len(es) + 1))).repeat(Size([1] * mix.dim()) + Size([1]) + es)
            return ember.gather(comp, gather_dim, idx).squeeze(gather_dim)

    def _pad(self, x):
        return x.unsqueeze(-1 - self._event_ndims)

    def _pad_mixture_dimensions(self, x):
        dist_batch_ndims = len(self.batch_shape)
        cat_batch_ndims = len(self.mixture_distribution.batch_shape)
        pad = 0 if cat_batch_ndims == 1 else dist_batch_ndims - cat_batch_ndims
        xs = x.shape
        return x.reshape(xs[:-1] + Size(pad * [1]) + xs[-1:] + Size(self._event_ndims * [1]))

    def __repr__(self):
        return f"MixtureSameFamily(\n  {self.mixture_distribution},\n  {self.component_distribution})"
