"""``torch.special``: PyTorch's special-function namespace.

Most names are Ember's existing ops under PyTorch's ``special`` spellings
(``expit`` is ``sigmoid``, ``gammaln`` is ``lgamma`` ...). The rest are
written here in float64 ``xp`` code and rounded once to the input's dtype;
integer inputs give the default float dtype, as in PyTorch.
"""
from .ops.activation import log_softmax as _log_softmax, softmax as _softmax
from .ops.pointwise import xlogy
from .ops.reduction import logsumexp
from .ops.special import I1 as _I1, digamma, i0, lgamma as gammaln, mvlgamma as multigammaln, polygamma, sinc
from .ops.unary import erf, erfc, erfinv, exp2, expm1, log1p, logit, round, sigmoid as expit  # noqa: A004
from .ops._util import wrap_out

__all__ = ['digamma', 'psi', 'polygamma', 'gammaln', 'multigammaln', 'i0', 'i1', 'sinc', 'erf', 'erfc', 'erfinv',
           'exp2', 'expit', 'expm1', 'log1p', 'logit', 'logsumexp', 'log_softmax', 'softmax', 'round', 'xlogy']

psi = digamma


def i1(input, *, out=None):
    """The modified Bessel function of the first kind of order 1."""
    return wrap_out(_I1.apply(input), out)


def softmax(input, dim, *, dtype=None):
    """exp(x_i) / sum_j exp(x_j) along ``dim``; ``dtype`` casts the input first."""
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    """log(softmax(x)) along ``dim``; ``dtype`` casts the input first."""
    return _log_softmax(input, dim, dtype=dtype)
