"""Random draws for the random transforms, taken from Ember's global generator.

Each helper makes the draw torchvision makes, with the same PyTorch call
(``torch.rand(1)``, ``torch.empty(1).uniform_(a, b)``, ``torch.randint``,
``torch.randperm``, ``torch._sample_dirichlet``): Ember's CPU generator
reproduces PyTorch's stream, so after ``ember.manual_seed(s)`` a transform
picks the parameters torchvision picks after ``torch.manual_seed(s)``.
"""
import math

import numpy as np


def _ember():
    import ember     # layer 7 imports the package lazily: ``ember.vision`` loads after ``ember``
    return ember


def rand(n=None):
    """``torch.rand(1).item()`` (``n`` None), or the values of ``torch.rand(n)`` as a float64 array."""
    values = _ember().rand(1 if n is None else n).numpy().astype(np.float64)
    return float(values[0]) if n is None else values


def uniform(low, high):
    """``torch.empty(1).uniform_(low, high).item()``: a float32 draw in [low, high)."""
    return _ember().empty(1).uniform_(float(low), float(high)).item()


def log_uniform(low, high):
    """``torch.exp(torch.empty(1).uniform_(log(low), log(high))).item()`` with torchvision's float32 logs."""
    log_low, log_high = np.log(np.asarray([low, high], dtype=np.float32))
    return float(np.exp(np.float32(uniform(log_low, log_high))))


def rand_tensor(shape):
    """``torch.rand(shape)``: an Ember tensor of uniform values in the default dtype."""
    return _ember().rand(*shape)


def randint(low, high, n=None):
    """``torch.randint(low, high, (1,)).item()`` (``n`` None) or an int64 array of ``n`` draws."""
    values = _ember().randint(low, high, (1 if n is None else n,)).numpy().astype(np.int64)
    return int(values[0]) if n is None else values


def randperm(n):
    """``torch.randperm(n)`` as a list of ints."""
    return [int(i) for i in _ember().randperm(n).tolist()]


def multinomial_one(weights):
    """``int(torch.multinomial(torch.tensor(weights), 1))``: one index drawn with probabilities ``weights``."""
    ember = _ember()
    return int(ember.multinomial(ember.tensor([float(w) for w in weights]), 1).item())


def normal(shape):
    """``torch.empty(shape).normal_()``: a float32 array of standard normal values (RandomErasing)."""
    return np.asarray(_ember().randn(*shape).numpy(), dtype=np.float32)


def dirichlet(alphas, rows):
    """``torch._sample_dirichlet(torch.tensor(alphas).expand(rows, -1))``: a (rows, len(alphas)) float32 array.

    PyTorch draws one Marsaglia-Tsang gamma sample per entry (row-major, in
    float64, from the generator's double uniforms and cached Box-Muller
    normals), then divides each row by its sum; the same steps here take the
    same draws from Ember's generator.
    """
    from ember._random import default_generator as g
    from ember.ops.random import _normal_scalar, _uniform_double
    alphas = [float(np.float32(a)) for a in alphas]
    gammas = np.empty((rows, len(alphas)), np.float64)
    for r in range(rows):
        for k, alpha in enumerate(alphas):
            gammas[r, k] = max(_gamma(alpha, lambda: float(_uniform_double(g, 1)[0]),
                                      lambda: float(_normal_scalar(g, 1, 0.0, 1.0)[0])), np.finfo(np.float64).tiny)
    out = (gammas / gammas.sum(-1, keepdims=True)).astype(np.float32)
    # PyTorch keeps each weight inside (0, 1): at least the smallest normal float, at most the float below 1
    return np.clip(out, np.finfo(np.float32).tiny, np.nextafter(np.float32(1), np.float32(0)))


_ONE_THIRD = float(np.float32(1.0) / np.float32(3.0))   # PyTorch writes these constants as float literals
_SQUEEZE = float(np.float32(0.0331))


def _gamma(alpha, uniform01, standard_normal):
    """One Gamma(alpha, 1) sample by Marsaglia and Tsang's method (doi:10.1145/358407.358414), as PyTorch draws it."""
    scale = 1.0
    if alpha < 1.0:          # boost alpha for a higher acceptance rate
        if alpha == 0.0:
            return 0.0
        scale *= (1.0 - uniform01()) ** (1.0 / alpha)
        alpha += 1.0
    d = alpha - _ONE_THIRD
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        while True:
            x = standard_normal()
            y = 1.0 + c * x
            if y > 0:
                break
        v = y * y * y
        u = 1.0 - uniform01()
        xx = x * x
        if u < 1.0 - _SQUEEZE * xx * xx:
            return scale * d * v
        if math.log(u) < 0.5 * xx + d * (1.0 - v + math.log(v)):
            return scale * d * v
