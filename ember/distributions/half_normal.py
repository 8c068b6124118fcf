"""``HalfNormal(scale)``: ``|X|`` for ``X ~ Normal(0, scale)``."""
import math

from . import constraints
from ._half import _HalfSymmetric
from .normal import Normal

__all__ = ["HalfNormal"]


class HalfNormal(_HalfSymmetric):
    """Half-normal distribution on ``x >= 0`` (density twice the normal's)."""
    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, scale, validate_args=None):
        super().__init__(Normal(0, scale, validate_args=False), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return super().expand(batch_shape, _instance=self._get_checked_instance(HalfNormal, _instance))

    @property
    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def variance(self):
        return self.scale.pow(2) * (1 - 2 / math.pi)
