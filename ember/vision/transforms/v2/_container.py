"""Compose and the random containers; they pass the whole sample (any structure) from transform to transform."""
from collections.abc import Sequence

from ember import nn
from ember.vision.transforms import _rng

from ._transform import Transform


def _run(transforms, inputs):
    """Feed ``inputs`` through ``transforms``: several positional inputs stay a tuple from step to step."""
    needs_unpacking = len(inputs) > 1
    outputs = inputs if needs_unpacking else inputs[0]
    for transform in transforms:
        outputs = transform(*inputs)
        inputs = outputs if needs_unpacking else (outputs,)
    return outputs


def _lines(transforms):
    return "\n".join(f"    {t}" for t in transforms)


class Compose(Transform):
    """Apply transforms one after the other."""

    def __init__(self, transforms):
        super().__init__()
        if not isinstance(transforms, Sequence):
            raise TypeError("Argument transforms should be a sequence of callables")
        if not transforms:
            raise ValueError("Pass at least one transform")
        self.transforms = transforms

    def forward(self, *inputs):
        return _run(self.transforms, inputs)

    def extra_repr(self):
        return _lines(self.transforms)


class RandomApply(Transform):
    """Apply all of ``transforms`` with probability ``p``, or none of them."""

    def __init__(self, transforms, p=0.5):
        super().__init__()
        if not isinstance(transforms, (Sequence, nn.ModuleList)):
            raise TypeError("Argument transforms should be a sequence of callables or a `nn.ModuleList`")
        self.transforms = transforms
        if not (0.0 <= p <= 1.0):
            raise ValueError("`p` should be a floating point value in the interval [0.0, 1.0].")
        self.p = p

    def forward(self, *inputs):
        if _rng.rand() >= self.p:
            return inputs if len(inputs) > 1 else inputs[0]
        return _run(self.transforms, inputs)

    def extra_repr(self):
        return _lines(self.transforms)


class RandomChoice(Transform):
    """Apply one transform, picked with probabilities ``p`` (equal by default; normalised to sum to 1)."""

    def __init__(self, transforms, p=None):
        if not isinstance(transforms, Sequence):
            raise TypeError("Argument transforms should be a sequence of callables")
        if p is None:
            p = [1] * len(transforms)
        elif len(p) != len(transforms):
            raise ValueError(f"Length of p doesn't match the number of transforms: {len(p)} != {len(transforms)}")
        super().__init__()
        self.transforms = transforms
        total = sum(p)
        self.p = [prob / total for prob in p]

    def forward(self, *inputs):
        return self.transforms[_rng.multinomial_one(self.p)](*inputs)


class RandomOrder(Transform):
    """Apply the transforms in a random order."""

    def __init__(self, transforms):
        if not isinstance(transforms, Sequence):
            raise TypeError("Argument transforms should be a sequence of callables")
        super().__init__()
        self.transforms = transforms

    def forward(self, *inputs):
        return _run([self.transforms[i] for i in _rng.randperm(len(self.transforms))], inputs)
