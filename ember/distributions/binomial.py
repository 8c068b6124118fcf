"""``Binomial(total_count, probs | logits)``: the number of successes in ``total_count`` Bernoulli trials."""
import ember
from .._size import Size
from . import constraints
from ._sampling import _binomial
from .distribution import Distribution
from .utils import _lazy_logits_probs, _new_like_param, _param_shape, _set_probs_or_logits

__all__ = ["Binomial"]


class Binomial(Distribution):
    """Binomial distribution; ``total_count`` (a number or tensor, broadcast with the probabilities) is stored
    as a float tensor of the probabilities' dtype, as are samples."""
    arg_constraints = {"total_count": constraints.nonnegative_integer, "probs": constraints.unit_interval,
                       "logits": constraints.real}
    has_enumerate_support = True

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        total_count, self._param = _set_probs_or_logits(self, probs, logits, total_count)
        self.total_count = total_count.type_as(self._param)
        super().__init__(self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_into(Binomial, batch_shape, _instance, ("total_count", "probs", "logits"))

    logits, probs = _lazy_logits_probs(is_binary=True)
    param_shape, _new = _param_shape, _new_like_param

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self):
        return self.total_count * self.probs

    @property
    def mode(self):
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        with ember.no_grad():
            return _binomial(self.total_count.expand(shape), self.probs.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        n, logits = self.total_count, self.logits
        log_choose = ember.lgamma(n + 1) - ember.lgamma(value + 1) - ember.lgamma(n - value + 1)
        # log(p^k (1-p)^(n-k)) = k * logits - n * log(1 + exp(logits)), the softplus taken stably
        return log_choose + value * logits - n * ember.logaddexp(ember.zeros_like(logits), logits)

    def _homogeneous_count(self, what):
        n = int(self.total_count.max())
        if not bool(self.total_count.min() == n):
            raise NotImplementedError(f"Inhomogeneous total count not supported by `{what}`.")
        return n

    def entropy(self):
        self._homogeneous_count("entropy")
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(ember.exp(log_prob) * log_prob).sum(0)

    def enumerate_support(self, expand=True):
        n = self._homogeneous_count("enumerate_support")
        values = ember.arange(1 + n, dtype=self._param.dtype, device=self._param.device)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + self._batch_shape) if expand else values
