"""Random draws for the random transforms, taken from Ember's global generator.

``ember.manual_seed`` then makes augmentation reproducible, as ``torch.manual_seed``
does for torchvision. While Ember's random ops are missing (they live in
``ember/ops/random.py``), Python's ``random`` module stands in; the check is
made at every draw, so the switch happens as soon as they exist.
"""
import random as _pyrandom

import numpy as np


def _ember(name):
    import ember
    return getattr(ember, name, None)


def rand(n=None):
    """One uniform float in [0, 1) (``n`` None) or a float64 array of ``n`` of them."""
    fn = _ember("rand")
    if fn is not None:
        values = np.asarray(fn(1 if n is None else n, dtype=_ember("float64")).numpy(), dtype=np.float64)
    else:
        values = np.array([_pyrandom.random() for _ in range(1 if n is None else n)])
    return float(values[0]) if n is None else values


def uniform(low, high):
    """``torch.empty(1).uniform_(low, high).item()``."""
    return low + (high - low) * rand()


def randint(low, high, n=None):
    """An int in [low, high) (``n`` None) or an int64 array of ``n`` of them."""
    fn = _ember("randint")
    if fn is not None:
        values = np.asarray(fn(low, high, (1 if n is None else n,)).numpy(), dtype=np.int64)
    else:
        values = np.array([_pyrandom.randrange(low, high) for _ in range(1 if n is None else n)], dtype=np.int64)
    return int(values[0]) if n is None else values


def randperm(n):
    fn = _ember("randperm")
    if fn is not None:
        return [int(i) for i in fn(n).tolist()]
    order = list(range(n))
    _pyrandom.shuffle(order)
    return order


def normal(shape):
    """A float32 array of standard normal values (RandomErasing's value='random')."""
    fn = _ember("randn")
    if fn is not None:
        return np.asarray(fn(*shape).numpy(), dtype=np.float32)
    return np.array([_pyrandom.gauss(0.0, 1.0) for _ in range(int(np.prod(shape)))],
                    dtype=np.float32).reshape(shape)
