"""Constraints: the regions where a distribution's parameters and samples live (``torch.distributions.constraints``).

Each constraint has ``check(value)``, a boolean tensor of shape ``value.shape[:value.dim() - event_dim]``
saying which events lie in the region, plus ``is_discrete`` and ``event_dim``. Distributions list them in
``arg_constraints`` (checked at construction when validation is on) and ``support`` (checked by ``log_prob``).
``repr`` gives PyTorch's names (``GreaterThan(lower_bound=0.0)``), as they appear in its error messages.
"""
import ember

__all__ = ["Constraint", "boolean", "cat", "corr_cholesky", "dependent", "dependent_property", "greater_than",
           "greater_than_eq", "independent", "integer_interval", "interval", "half_open_interval", "is_dependent",
           "less_than", "lower_cholesky", "lower_triangular", "MixtureSameFamilyConstraint", "multinomial",
           "nonnegative", "nonnegative_integer", "one_hot", "positive", "positive_semidefinite",
           "positive_definite", "positive_integer", "real", "real_vector", "simplex", "square", "stack",
           "symmetric", "unit_interval"]


class Constraint:
    """Base class: a region over which a variable is valid.

    ``is_discrete``: whether the region is discrete; ``event_dim``: how many rightmost dimensions form one
    event (``check`` reduces over them).
    """
    is_discrete = False
    event_dim = 0

    def check(self, value):
        """A boolean tensor of shape ``sample_shape + batch_shape``: whether each event satisfies the constraint."""
        raise NotImplementedError(f"{type(self).__name__} does not define check()")

    def __repr__(self):
        return type(self).__name__[1:] + "()"


# ---- dependent constraints: the region depends on other parameters, so it cannot be checked alone ----
class _Dependent(Constraint):
    """Placeholder for a constraint that depends on other variables (e.g. ``Binomial``'s ``total_count``).

    ``is_discrete`` and ``event_dim`` may be given; reading one that was not given raises NotImplementedError.
    """

    def __init__(self, *, is_discrete=NotImplemented, event_dim=NotImplemented):
        self._is_discrete = is_discrete
        self._event_dim = event_dim
        super().__init__()

    @property
    def is_discrete(self):
        if self._is_discrete is NotImplemented:
            raise NotImplementedError(".is_discrete cannot be determined statically")
        return self._is_discrete

    @property
    def event_dim(self):
        if self._event_dim is NotImplemented:
            raise NotImplementedError(".event_dim cannot be determined statically")
        return self._event_dim

    def __call__(self, *, is_discrete=NotImplemented, event_dim=NotImplemented):
        """A copy with ``is_discrete`` / ``event_dim`` set: ``constraints.dependent(is_discrete=True, event_dim=1)``."""
        return _Dependent(is_discrete=self._is_discrete if is_discrete is NotImplemented else is_discrete,
                          event_dim=self._event_dim if event_dim is NotImplemented else event_dim)

    def check(self, x):
        raise ValueError("Cannot determine validity of dependent constraint")


def is_dependent(constraint):
    """Whether ``constraint`` is a dependent constraint (one that validation skips)."""
    return isinstance(constraint, _Dependent)


class _DependentProperty(property, _Dependent):
    """Decorator for a ``support`` that depends on the parameters: a property on instances, and a dependent
    constraint on the class (``Uniform.support`` is dependent; ``Uniform(0, 1).support`` is an Interval)."""

    def __init__(self, fn=None, *, is_discrete=NotImplemented, event_dim=NotImplemented):
        property.__init__(self, fn)
        self._is_discrete = is_discrete
        self._event_dim = event_dim

    def __call__(self, fn):
        return _DependentProperty(fn, is_discrete=self._is_discrete, event_dim=self._event_dim)


# ---- combinators ----
def _check_is_constraint(base_constraint):
    if not isinstance(base_constraint, Constraint):
        raise AssertionError(f"base_constraint must be a Constraint, got {type(base_constraint).__name__}")


def _all_from(mask, start):
    """A boolean ``mask`` reduced by ``all`` over its dimensions from ``start`` on."""
    return mask.reshape(mask.shape[:start] + (-1,)).all(-1)


class _IndependentConstraint(Constraint):
    """``base_constraint`` over ``reinterpreted_batch_ndims`` more rightmost dims: an event is valid when all
    its entries are."""

    def __init__(self, base_constraint, reinterpreted_batch_ndims):
        _check_is_constraint(base_constraint)
        if not isinstance(reinterpreted_batch_ndims, int):
            raise AssertionError(f"reinterpreted_batch_ndims must be an int, got "
                                 f"{type(reinterpreted_batch_ndims).__name__}")
        if reinterpreted_batch_ndims < 0:
            raise AssertionError(f"reinterpreted_batch_ndims must be >= 0, got {reinterpreted_batch_ndims}")
        self.base_constraint = base_constraint
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims
        super().__init__()

    @property
    def is_discrete(self):
        return self.base_constraint.is_discrete

    @property
    def event_dim(self):
        return self.base_constraint.event_dim + self.reinterpreted_batch_ndims

    def check(self, value):
        ok = self.base_constraint.check(value)
        n = self.reinterpreted_batch_ndims
        if ok.dim() < n:
            raise ValueError(f"Expected value.dim() >= {self.base_constraint.event_dim + n} but got {value.dim()}")
        return _all_from(ok, ok.dim() - n)

    def __repr__(self):
        return f"{type(self).__name__[1:]}({self.base_constraint!r}, {self.reinterpreted_batch_ndims})"


class MixtureSameFamilyConstraint(Constraint):
    """The component constraint of a ``MixtureSameFamily``, checked against every component: the value is
    unsqueezed at the component dimension, and valid when it is valid for all components."""

    def __init__(self, base_constraint):
        _check_is_constraint(base_constraint)
        self.base_constraint = base_constraint
        super().__init__()

    is_discrete = _IndependentConstraint.is_discrete

    @property
    def event_dim(self):
        return self.base_constraint.event_dim

    def check(self, value):
        ed = self.event_dim
        if value.dim() < ed:
            raise ValueError(f"Expected value.dim() >= {ed} but got {value.dim()}")
        ok = self.base_constraint.check(value.unsqueeze(-1 - ed))
        return _all_from(ok, value.dim() - ed)

    def __repr__(self):
        return f"{type(self).__name__}({self.base_constraint!r})"


def _constraint_list(cseq):
    """``list(cseq)``, checked to hold only constraints."""
    cseq = list(cseq)
    if not all(isinstance(c, Constraint) for c in cseq):
        raise AssertionError("All elements of cseq must be Constraint instances")
    return cseq


def _check_dim(value, dim):
    if not -value.dim() <= dim < value.dim():
        raise AssertionError(f"dim {dim} out of range for value with {value.dim()} dimensions")


class _Cat(Constraint):
    """Constraints ``cseq`` applied to consecutive slices (of sizes ``lengths``) along ``dim``, as ``torch.cat``."""

    def __init__(self, cseq, dim=0, lengths=None):
        self.cseq = _constraint_list(cseq)
        self.lengths = [1] * len(self.cseq) if lengths is None else list(lengths)
        if len(self.lengths) != len(self.cseq):
            raise AssertionError(f"lengths ({len(self.lengths)}) must match cseq ({len(self.cseq)})")
        self.dim = dim
        super().__init__()

    @property
    def is_discrete(self):
        return any(c.is_discrete for c in self.cseq)

    @property
    def event_dim(self):
        return max(c.event_dim for c in self.cseq)

    def check(self, value):
        _check_dim(value, self.dim)
        parts, start = [], 0
        for c, n in zip(self.cseq, self.lengths):
            parts.append(c.check(value.narrow(self.dim, start, n)))
            start += n
        return ember.cat(parts, self.dim)


class _Stack(Constraint):
    """Constraints ``cseq`` applied to the slices ``value.select(dim, i)``, as ``torch.stack``."""

    def __init__(self, cseq, dim=0):
        self.cseq = _constraint_list(cseq)
        self.dim = dim
        super().__init__()

    is_discrete = _Cat.is_discrete

    @property
    def event_dim(self):
        d = max(c.event_dim for c in self.cseq)
        return d + 1 if self.dim + d < 0 else d

    def check(self, value):
        _check_dim(value, self.dim)
        return ember.stack([c.check(value.select(self.dim, i)) for i, c in enumerate(self.cseq)], self.dim)


# ---- bounds ----
def _repr_with(*names):
    """A ``__repr__`` listing the attributes ``names`` under PyTorch's class name: ``Interval(lower_bound=0.0,
    upper_bound=1.0)``."""
    def __repr__(self):
        return f"{type(self).__name__[1:]}({', '.join(f'{name}={getattr(self, name)}' for name in names)})"
    return __repr__


class _GreaterThan(Constraint):
    """``value > lower_bound``."""

    def __init__(self, lower_bound):
        self.lower_bound = lower_bound

    __repr__ = _repr_with("lower_bound")

    def check(self, value):
        return self.lower_bound < value


class _GreaterThanEq(Constraint):
    """``value >= lower_bound``."""
    __init__, __repr__ = _GreaterThan.__init__, _GreaterThan.__repr__

    def check(self, value):
        return self.lower_bound <= value


class _LessThan(Constraint):
    """``value < upper_bound``."""

    def __init__(self, upper_bound):
        self.upper_bound = upper_bound

    __repr__ = _repr_with("upper_bound")

    def check(self, value):
        return value < self.upper_bound


class _Interval(Constraint):
    """The closed interval ``[lower_bound, upper_bound]``."""

    def __init__(self, lower_bound, upper_bound):
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound

    __repr__ = _repr_with("lower_bound", "upper_bound")

    def check(self, value):
        return (self.lower_bound <= value) & (value <= self.upper_bound)


class _HalfOpenInterval(Constraint):
    """The half-open interval ``[lower_bound, upper_bound)``."""
    __init__, __repr__ = _Interval.__init__, _Interval.__repr__

    def check(self, value):
        return (self.lower_bound <= value) & (value < self.upper_bound)


# ---- discrete ----
class _Boolean(Constraint):
    """The two values ``{0, 1}``."""
    is_discrete = True

    def check(self, value):
        return (value == 0) | (value == 1)


class _OneHot(Constraint):
    """One-hot vectors (0/1 entries summing to 1) in the last dimension."""
    is_discrete = True
    event_dim = 1

    def check(self, value):
        return ((value == 0) | (value == 1)).all(-1) & (value.sum(-1) == 1)


class _IntegerInterval(Constraint):
    """Integers in ``[lower_bound, upper_bound]``."""
    is_discrete = True
    __init__, __repr__ = _Interval.__init__, _Interval.__repr__

    def check(self, value):
        return (value % 1 == 0) & (self.lower_bound <= value) & (value <= self.upper_bound)


class _IntegerLessThan(Constraint):
    """Integers ``<= upper_bound``."""
    is_discrete = True
    __init__, __repr__ = _LessThan.__init__, _LessThan.__repr__

    def check(self, value):
        return (value % 1 == 0) & (value <= self.upper_bound)


class _IntegerGreaterThan(Constraint):
    """Integers ``>= lower_bound``."""
    is_discrete = True
    __init__, __repr__ = _GreaterThan.__init__, _GreaterThan.__repr__

    def check(self, value):
        return (value % 1 == 0) & (value >= self.lower_bound)


class _Multinomial(Constraint):
    """Non-negative counts in the last dimension summing to at most ``upper_bound`` (PyTorch checks this weaker
    condition rather than equality)."""
    is_discrete = True
    event_dim = 1

    def __init__(self, upper_bound):
        self.upper_bound = upper_bound

    def check(self, x):
        return (x >= 0).all(dim=-1) & (x.sum(dim=-1) <= self.upper_bound)


# ---- continuous ----
class _Real(Constraint):
    """The extended real line (everything but NaN)."""

    def check(self, value):
        return value == value      # False exactly for NaN


class _Simplex(Constraint):
    """The unit simplex in the last dimension: entries ``>= 0`` summing to 1 (within 1e-6)."""
    event_dim = 1

    def check(self, value):
        return (value >= 0).all(dim=-1) & ((value.sum(-1) - 1).abs() < 1e-6)


# ---- matrices ----
class _LowerTriangular(Constraint):
    """Lower-triangular square matrices."""
    event_dim = 2

    def check(self, value):
        return _all_from(value.tril() == value, -2)


class _LowerCholesky(Constraint):
    """Lower-triangular square matrices with a positive diagonal."""
    event_dim = 2

    def check(self, value):
        return _all_from(value.tril() == value, -2) & (value.diagonal(dim1=-2, dim2=-1) > 0).all(-1)


class _CorrCholesky(Constraint):
    """Lower Cholesky factors of correlation matrices: positive diagonal and rows of unit length."""
    event_dim = 2

    def check(self, value):
        tol = ember.finfo(value.dtype).eps * value.size(-1) * 10      # round-off allowance on the row norms
        norms = ember.linalg.norm(value.detach(), dim=-1)
        return _LowerCholesky().check(value) & ((norms - 1.0).abs() <= tol).all(dim=-1)


class _Square(Constraint):
    """Square matrices."""
    event_dim = 2

    def check(self, value):
        return ember.full(value.shape[:-2], value.shape[-2] == value.shape[-1], dtype=ember.bool,
                          device=value.device)


class _Symmetric(_Square):
    """Symmetric square matrices (within ``atol=1e-6``)."""

    def check(self, value):
        square = super().check(value)
        if not bool(square.all()):
            return square
        return ember.isclose(value, value.mT, atol=1e-6).all(-2).all(-1)


class _PositiveSemidefinite(_Symmetric):
    """Symmetric matrices with non-negative eigenvalues."""

    def check(self, value):
        sym = super().check(value)
        if not bool(sym.all()):
            return sym
        return (ember.linalg.eigvalsh(value) >= 0).all(-1)


class _PositiveDefinite(_Symmetric):
    """Symmetric matrices with a Cholesky factorisation (positive eigenvalues)."""

    def check(self, value):
        sym = super().check(value)
        if not bool(sym.all()):
            return sym
        return ember.linalg.cholesky_ex(value).info == 0


# ---- public instances and factories (PyTorch's names) ----
dependent = _Dependent()
dependent_property = _DependentProperty
independent = _IndependentConstraint
boolean = _Boolean()
one_hot = _OneHot()
nonnegative_integer = _IntegerGreaterThan(0)
positive_integer = _IntegerGreaterThan(1)
integer_interval = _IntegerInterval
real = _Real()
real_vector = independent(real, 1)
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
less_than = _LessThan
multinomial = _Multinomial
unit_interval = _Interval(0.0, 1.0)
interval = _Interval
half_open_interval = _HalfOpenInterval
simplex = _Simplex()
lower_triangular = _LowerTriangular()
lower_cholesky = _LowerCholesky()
corr_cholesky = _CorrCholesky()
square = _Square()
symmetric = _Symmetric()
positive_semidefinite = _PositiveSemidefinite()
positive_definite = _PositiveDefinite()
cat = _Cat
stack = _Stack
