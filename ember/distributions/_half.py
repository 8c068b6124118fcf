"""``_HalfSymmetric``: what ``HalfNormal`` and ``HalfCauchy`` share, the distribution of ``|X|`` for ``X`` symmetric
about 0: the base's density doubled on ``x >= 0``."""
import math

import ember
from .transformed_distribution import TransformedDistribution
from .transforms import AbsTransform
from .utils import _delegate


class _HalfSymmetric(TransformedDistribution):
    """``|X|`` for ``X ~ base_distribution``, a distribution with location 0 and a ``scale``. Subclasses build the
    base in ``__init__`` and give ``expand``, ``mean`` and ``variance``."""

    def __init__(self, base_distribution, validate_args=None):
        super().__init__(base_distribution, AbsTransform(), validate_args=validate_args)

    scale, = _delegate("base_dist", "scale")

    @property
    def mode(self):
        return ember.zeros_like(self.scale)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self._folded_log_prob(value)

    def _folded_log_prob(self, value):
        """``log 2 + base.log_prob(value)`` on ``value >= 0``, ``-inf`` below."""
        log_prob = self.base_dist.log_prob(value) + math.log(2)
        return ember.where(value >= 0, log_prob, float("-inf"))

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        return self.base_dist.entropy() - math.log(2)
