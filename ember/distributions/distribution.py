"""``Distribution``: the base class of every distribution (``torch.distributions.Distribution``).

A distribution has a ``batch_shape`` (independent, differently-parameterised copies) and an
``event_shape`` (the shape of one draw). ``sample(sample_shape)`` returns a tensor of shape
``sample_shape + batch_shape + event_shape``; ``log_prob(value)`` scores values of that shape
(broadcasting), returning ``sample_shape + batch_shape``.

With validation on (the default unless Python runs with ``-O``; see ``set_default_validate_args``)
parameters are checked against ``arg_constraints`` at construction and values against ``support``
in ``log_prob``, raising PyTorch's ValueError messages.
"""
import warnings

import ember
from .._size import Size
from .._tensor import Tensor
from . import constraints
from .utils import lazy_property

__all__ = ["Distribution"]


class Distribution:
    """Abstract base class for probability distributions.

    Args:
        batch_shape (torch.Size): the shape over which parameters are batched.
        event_shape (torch.Size): the shape of a single sample (without batching).
        validate_args (bool, optional): whether to validate arguments; None uses the default.
    """
    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__

    @staticmethod
    def set_default_validate_args(value):
        """Turn argument validation on or off for distributions created without ``validate_args``."""
        if value not in [True, False]:
            raise ValueError
        Distribution._validate_args = value

    def __init__(self, batch_shape=Size(), event_shape=Size(), validate_args=None):
        self._batch_shape = Size(batch_shape)
        self._event_shape = Size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            try:
                arg_constraints = self.arg_constraints
            except NotImplementedError:
                arg_constraints = {}
                warnings.warn(f"{self.__class__} does not define `arg_constraints`. Please set "
                              "`arg_constraints = {}` or initialize the distribution with `validate_args=False` "
                              "to turn off validation.", stacklevel=2)
            for param, constraint in arg_constraints.items():
                if constraints.is_dependent(constraint):
                    continue          # depends on other parameters: cannot be checked on its own
                if param not in self.__dict__ and isinstance(getattr(type(self), param), lazy_property):
                    continue          # the parameterisation not given: derived from a checked one
                value = getattr(self, param)
                if not bool(constraint.check(value).all()):
                    raise ValueError(f"Expected parameter {param} ({type(value).__name__} of shape "
                                     f"{tuple(value.shape)}) of distribution {self!r} to satisfy the constraint "
                                     f"{constraint!r}, but found invalid values:\n{value}")
        super().__init__()

    def expand(self, batch_shape, _instance=None):
        """A new distribution with the parameters expanded (no copy) to ``batch_shape``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement expand()")

    @property
    def batch_shape(self):
        """The shape over which parameters are batched."""
        return self._batch_shape

    @property
    def event_shape(self):
        """The shape of a single sample (without batching)."""
        return self._event_shape

    @property
    def arg_constraints(self):
        """Dict from parameter names to the constraints they must satisfy."""
        raise NotImplementedError

    @property
    def support(self):
        """The constraint describing the values this distribution takes."""
        raise NotImplementedError

    @property
    def mean(self):
        raise NotImplementedError(f"{self.__class__} does not implement mean")

    @property
    def mode(self):
        raise NotImplementedError(f"{self.__class__} does not implement mode")

    @property
    def variance(self):
        raise NotImplementedError(f"{self.__class__} does not implement variance")

    @property
    def stddev(self):
        """Standard deviation: the square root of the variance."""
        return self.variance.sqrt()

    def sample(self, sample_shape=Size()):
        """A sample (or batch of samples, shape ``sample_shape + batch_shape + event_shape``), not differentiable."""
        with ember.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=Size()):
        """A reparameterised sample: differentiable w.r.t. the parameters (when ``has_rsample``)."""
        raise NotImplementedError(f"{type(self).__name__} does not support rsample (has_rsample is False); "
                                  "use sample(), which is not differentiable")

    def sample_n(self, n):
        """Deprecated: ``sample((n,))``."""
        warnings.warn("sample_n will be deprecated. Use .sample((n,)) instead", UserWarning, stacklevel=2)
        return self.sample(Size((n,)))

    def log_prob(self, value):
        """Log of the density / mass at ``value``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement log_prob")

    def cdf(self, value):
        """Cumulative distribution function at ``value``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement cdf")

    def icdf(self, value):
        """Inverse cumulative distribution function at ``value``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement icdf")

    def enumerate_support(self, expand=True):
        """All values of a discrete distribution along dim 0: shape ``(cardinality,) + batch_shape +
        event_shape`` (or ``(cardinality,) + (1,) * len(batch_shape) + event_shape`` with ``expand=False``)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement enumerate_support")

    def entropy(self):
        """Entropy, batched over ``batch_shape``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement entropy")

    def perplexity(self):
        """``exp(entropy)``, batched over ``batch_shape``."""
        return ember.exp(self.entropy())

    def _extended_shape(self, sample_shape=Size()):
        """``sample_shape + batch_shape + event_shape``: the shape of ``sample(sample_shape)``."""
        if not isinstance(sample_shape, Size):
            sample_shape = Size(sample_shape)
        return Size(sample_shape + self._batch_shape + self._event_shape)

    def _validate_sample(self, value):
        """Check a value given to ``log_prob``/``cdf``/``icdf``: a Tensor whose right-most dims are
        ``event_shape`` and which broadcasts with ``batch_shape + event_shape``, inside the support."""
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        start = value.dim() - len(self._event_shape)
        if value.size()[start:] != self._event_shape:
            raise ValueError(f"The right-most size of value must match event_shape: {value.size()} vs "
                             f"{self._event_shape}.")
        actual, expected = value.size(), self._batch_shape + self._event_shape
        for i, j in zip(reversed(actual), reversed(expected)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: {actual} vs "
                                 f"{expected}.")
        try:
            support = self.support
        except NotImplementedError:
            warnings.warn(f"{self.__class__} does not define `support` to enable sample validation. Please "
                          "initialize the distribution with `validate_args=False` to turn off validation.",
                          stacklevel=2)
            return
        if not bool(support.check(value).all()):
            raise ValueError(f"Expected value argument ({type(value).__name__} of shape {tuple(value.shape)}) to be "
                             f"within the support ({support!r}) of the distribution {self!r}, but found invalid "
                             f"values:\n{value}")

    def _get_checked_instance(self, cls, _instance=None):
        """The blank instance ``expand`` fills: a subclass with its own ``__init__`` must define ``expand``."""
        if _instance is None and type(self).__init__ != cls.__init__:
            raise NotImplementedError(f"Subclass {self.__class__.__name__} of {cls.__name__} that defines a custom "
                                      "__init__ method must also define a custom .expand() method.")
        return self.__new__(type(self)) if _instance is None else _instance

    def _expand_params(self, new, shape, names):
        """Give ``new`` each of the attributes ``names`` that this instance holds, expanded (no copy) to ``shape``.

        Held means in the instance ``__dict__``: a parameter tensor it was given, a component distribution, or a
        derived (lazy) parameter already computed; one not computed yet is left to be derived on ``new`` too.
        """
        for name in names:
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(shape))

    def _expand_into(self, cls, batch_shape, _instance=None, params=(), shared=(), tail=()):
        """The body of ``cls.expand``: the blank instance (``_get_checked_instance``) given ``params`` expanded to
        ``batch_shape + tail`` (see ``_expand_params``), the attributes ``shared`` as they are, this event shape
        and this validation setting (the expanded parameters are not checked again).

        A distribution given ``probs`` or ``logits`` keeps that tensor as ``_param``: the new one's is its expanded
        ``logits`` when this instance holds them (given or derived), else its expanded ``probs``, as in PyTorch.
        """
        new = self._get_checked_instance(cls, _instance)
        batch_shape = Size(batch_shape)
        self._expand_params(new, batch_shape + tail, params)
        if "_param" in self.__dict__:
            new._param = new.logits if "logits" in self.__dict__ else new.probs
        for name in shared:
            setattr(new, name, getattr(self, name))
        super(cls, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def __repr__(self):
        names = [k for k in self.arg_constraints if k in self.__dict__]
        args = ", ".join(f"{p}: {self.__dict__[p] if self.__dict__[p].numel() == 1 else self.__dict__[p].size()}"
                         for p in names)
        return f"{type(self).__name__}({args})"
