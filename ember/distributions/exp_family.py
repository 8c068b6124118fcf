"""``ExponentialFamily``: distributions with density ``p(x; θ) = h(x) exp(<t(x), θ> - F(θ))``.

Subclasses give ``_natural_params`` (θ), ``_log_normalizer`` (F) and ``_mean_carrier_measure``
(``E[log h(x)]``). Then the entropy and the KL divergence between two members of one family follow
from F and its gradient (a Bregman divergence), taken with autograd.
"""
import ember
from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """Base class for exponential-family distributions (entropy from the log normaliser)."""

    @property
    def _natural_params(self):
        """The natural parameters θ, a tuple of tensors."""
        raise NotImplementedError(f"{type(self).__name__} does not define _natural_params")

    def _log_normalizer(self, *natural_params):
        """The log normaliser F(θ), batched over ``batch_shape``."""
        raise NotImplementedError(f"{type(self).__name__} does not define _log_normalizer")

    @property
    def _mean_carrier_measure(self):
        """``E[log h(x)]``."""
        raise NotImplementedError(f"{type(self).__name__} does not define _mean_carrier_measure")

    def entropy(self):
        """``H = F(θ) - <θ, ∇F(θ)> - E[log h(x)]`` (the gradient taken on detached θ)."""
        thetas = [p.detach().requires_grad_() for p in self._natural_params]
        with ember.enable_grad():
            log_norm = self._log_normalizer(*thetas)
            grads = ember.autograd.grad(log_norm.sum(), thetas, create_graph=True)
        result = log_norm - self._mean_carrier_measure
        for theta, g in zip(thetas, grads):
            result = result - (theta * g).reshape(self._batch_shape + (-1,)).sum(-1)
        return result
