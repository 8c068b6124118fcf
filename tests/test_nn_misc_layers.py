"""Padding, embedding, upsampling, pixel shuffle, fold/unfold, attention: functional forms and modules."""
import numpy as np
import pytest
import torch

import ember
from oracle import check


def F(lib):
    return lib.nn.functional


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("pad", [(1, 2), (2, 1, 0, 2), (1, 1, 1, 1, 1, 1)])
def test_pad(mode, pad):
    shape = (2, 3, 4, 5, 4)[: 2 + len(pad) // 2]
    check(lambda t, x: F(t).pad(x, pad, mode=mode), [shape])


def test_pad_constant_value_and_negative():
    check(lambda t, x: F(t).pad(x, (1, -1, -2, 3), value=2.5), [(3, 5, 6)])
    check(lambda t, x: F(t).pad(x, (1, 1)), [(4,)])
