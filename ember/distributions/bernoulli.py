"""``Bernoulli(probs | logits)``: a 0/1 draw that is 1 with probability ``probs``."""
import ember
from .._size import Size
from ..nn.functional import binary_cross_entropy_with_logits
from . import constraints
from .exp_family import ExponentialFamily
from .utils import _lazy_logits_probs, _new_like_param, _param_shape, _set_probs_or_logits, broadcast_all

__all__ = ["Bernoulli"]


class Bernoulli(ExponentialFamily):
    """Bernoulli distribution, parameterised by ``probs`` or by ``logits`` (log-odds), not both.

    Samples are 0.0/1.0 in the parameter's dtype; ``log_prob`` is ``-BCEWithLogits(logits, value)``.
    """
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True
    _mean_carrier_measure = 0

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._param, = _set_probs_or_logits(self, probs, logits)
        super().__init__(self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_into(Bernoulli, batch_shape, _instance, ("probs", "logits"))

    logits, probs = _lazy_logits_probs(is_binary=True)
    param_shape, _new = _param_shape, _new_like_param

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        """1 where ``probs > 0.5``, 0 where below, NaN at exactly 0.5 (no unique mode)."""
        mode = (self.probs >= 0.5).to(self.probs)
        return mode.masked_fill(self.probs == 0.5, float("nan"))

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        with ember.no_grad():
            return ember.bernoulli(self.probs.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self):
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    def enumerate_support(self, expand=True):
        values = ember.arange(2, dtype=self._param.dtype, device=self._param.device)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + self._batch_shape) if expand else values

    @property
    def _natural_params(self):
        return (ember.logit(self.probs),)

    def _log_normalizer(self, x):
        return ember.log1p(ember.exp(x))
