"""``RelaxedBernoulli(temperature, probs | logits)``: a continuous relaxation of Bernoulli on ``(0, 1)``
(the binary Concrete / Gumbel-softmax distribution, Maddison et al. 2017; Jang et al. 2017)."""
import ember
from .._size import Size
from . import constraints
from .distribution import Distribution
from .transformed_distribution import TransformedDistribution
from .transforms import SigmoidTransform
from .utils import (_delegate, _lazy_logits_probs, _new_like_param, _param_shape, _set_probs_or_logits,
                    broadcast_all, clamp_probs)

__all__ = ["LogitRelaxedBernoulli", "RelaxedBernoulli"]


class LogitRelaxedBernoulli(Distribution):
    """The logit of a ``RelaxedBernoulli`` sample: ``(logit(u) + logits) / temperature`` with ``u ~ U(0, 1)``."""
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.real

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        self.temperature = temperature
        self._param, = _set_probs_or_logits(self, probs, logits)
        super().__init__(self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_into(LogitRelaxedBernoulli, batch_shape, _instance, ("probs", "logits"),
                                 shared=("temperature",))

    logits, probs = _lazy_logits_probs(is_binary=True)
    param_shape, _new = _param_shape, _new_like_param

    @property
    def has_rsample(self):
        return True

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        probs = clamp_probs(self.probs.expand(shape))
        u = clamp_probs(ember.rand(shape, dtype=probs.dtype, device=probs.device))
        return (u.log() - (-u).log1p() + probs.log() - (-probs).log1p()) / self.temperature

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        diff = logits - value.mul(self.temperature)
        return self.temperature.log() + diff - 2 * diff.exp().log1p()


class RelaxedBernoulli(TransformedDistribution):
    """Relaxed Bernoulli: ``sigmoid`` of a ``LogitRelaxedBernoulli`` sample; reparameterisable.
    Low ``temperature`` (a positive tensor) pushes samples towards 0 and 1."""
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base = LogitRelaxedBernoulli(temperature, probs, logits)
        super().__init__(base, SigmoidTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return super().expand(batch_shape, _instance=self._get_checked_instance(RelaxedBernoulli, _instance))

    temperature, logits, probs = _delegate("base_dist", "temperature", "logits", "probs")
