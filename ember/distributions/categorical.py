"""``Categorical(probs | logits)``: a draw of one index in ``0 .. K-1`` (the last dimension holds the K classes)."""
import ember
from .._size import Size
from . import constraints
from .distribution import Distribution
from .utils import _lazy_logits_probs, _new_like_param, _one_of_probs_logits, _param_shape

__all__ = ["Categorical"]


class Categorical(Distribution):
    """Categorical distribution over ``K = probs.size(-1)`` classes.

    ``probs`` need not sum to 1 (they are divided by their sum); ``logits`` are unnormalised
    log-probabilities (``logits - logsumexp(logits)`` is kept). ``batch_shape`` is the parameter's shape
    without its last dimension; samples are int64 class indices of shape ``sample_shape + batch_shape``.
    """
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.independent(constraints.real, 1)}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        name, given = _one_of_probs_logits(probs, logits)
        if given.dim() < 1:
            raise ValueError(f"`{name}` parameter must be at least one-dimensional.")
        # normalised: probs to sum 1, logits to log-probabilities
        if name == "probs":
            self.probs = self._param = given / given.sum(-1, keepdim=True)
        else:
            self.logits = self._param = given - given.logsumexp(dim=-1, keepdim=True)
        self._num_events = self._param.size()[-1]
        batch_shape = self._param.size()[:-1] if self._param.dim() > 1 else Size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_into(Categorical, batch_shape, _instance, ("probs", "logits"), shared=("_num_events",),
                                 tail=(self._num_events,))

    logits, probs = _lazy_logits_probs(is_binary=False)
    param_shape, _new = _param_shape, _new_like_param

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    @property
    def mean(self):
        return ember.full(self._extended_shape(), float("nan"), dtype=self.probs.dtype, device=self.probs.device)

    @property
    def mode(self):
        return self.probs.argmax(dim=-1)

    @property
    def variance(self):
        return ember.full(self._extended_shape(), float("nan"), dtype=self.probs.dtype, device=self.probs.device)

    def sample(self, sample_shape=Size()):
        if not isinstance(sample_shape, Size):
            sample_shape = Size(sample_shape)
        probs_2d = self.probs.reshape(-1, self._num_events)
        # one multinomial row per batch element, all sample_shape draws at once (PyTorch's draw order)
        samples_2d = ember.multinomial(probs_2d, sample_shape.numel(), True).T
        return samples_2d.reshape(self._extended_shape(sample_shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        value, log_pmf = ember.broadcast_tensors(value, self.logits)
        return log_pmf.gather(-1, value[..., :1]).squeeze(-1)

    def entropy(self):
        # -sum p log p; logits of zero-probability classes (-inf) are clamped so that 0 * log 0 gives 0
        logits = self.logits.clamp(min=ember.finfo(self.logits.dtype).min)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        values = ember.arange(self._num_events, dtype=ember.long, device=self._param.device)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + self._batch_shape) if expand else values
