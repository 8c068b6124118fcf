"""torch.quasirandom.SobolEngine against PyTorch: direction numbers, points (exactly), scrambling under a seed
or the global generator, state operations, errors."""
import numpy as np
import pytest
import torch

import ember
from ember.quasirandom import SobolEngine


def same(e, t):
    assert isinstance(e, ember.Tensor) and str(e.dtype) == str(t.dtype) and tuple(e.shape) == tuple(t.shape)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_direction_numbers_of_every_supported_dimension():
    e = SobolEngine(SobolEngine.MAXDIM)
    t = torch.quasirandom.SobolEngine(SobolEngine.MAXDIM)
    same(e.sobolstate, t.sobolstate)
    same(e.draw(64), t.draw(64))
    assert SobolEngine.MAXDIM == 1111 and SobolEngine.MAXBIT == t.MAXBIT == 30


@pytest.mark.parametrize("scramble,seed", [(False, None), (True, 5), (True, None)])
def test_sequence_of_operations(scramble, seed):
    torch.manual_seed(11)
    ember.manual_seed(11)        # seed=None scrambles with the global generator
    t = torch.quasirandom.SobolEngine(7, scramble=scramble, seed=seed)
    e = SobolEngine(7, scramble=scramble, seed=seed)
    assert repr(e) == repr(t)
    same(e.sobolstate, t.sobolstate)
    same(e.shift, t.shift)
    same(e._first_point, t._first_point)
    steps = [("draw", 1), ("draw", 5), ("draw64", 3), ("ff", 4), ("draw", 10), ("reset",), ("draw", 1),
             ("draw", 7), ("ff", 0), ("draw", 0), ("draw64", 2), ("reset",), ("ff", 3), ("draw", 2)]
    for step in steps:
        if step[0] == "draw":
            same(e.draw(step[1]), t.draw(step[1]))
        elif step[0] == "draw64":
            same(e.draw(step[1], dtype=ember.float64), t.draw(step[1], dtype=torch.float64))
        elif step[0] == "ff":
            assert e.fast_forward(step[1]) is e
            t.fast_forward(step[1])
        else:
            assert e.reset() is e
            t.reset()
        assert e.num_generated == t.num_generated, step
        same(e.quasi, t.quasi)


def test_draw_base2_out_and_long_runs():
    t, e = torch.quasirandom.SobolEngine(3), SobolEngine(3)
    same(e.draw_base2(4), t.draw_base2(4))
    same(e.draw_base2(4), t.draw_base2(4))
    out_e, out_t = ember.empty(2), torch.empty(2)
    assert e.draw(3, out=out_e) is out_e
    t.draw(3, out=out_t)
    same(out_e, out_t)
    t, e = torch.quasirandom.SobolEngine(5, scramble=True, seed=2), SobolEngine(5, scramble=True, seed=2)
    t.fast_forward(1000)
    e.fast_forward(1000)
    same(e.draw(3000, dtype=ember.float64), t.draw(3000, dtype=torch.float64))
    # the first point of a scrambled engine goes through the default dtype, as in PyTorch
    t, e = torch.quasirandom.SobolEngine(4, scramble=True, seed=9), SobolEngine(4, scramble=True, seed=9)
    same(e.draw(2, dtype=ember.float64), t.draw(2, dtype=torch.float64))


def test_points_are_balanced():
    pts = SobolEngine(2).draw_base2(6).numpy()
    for d in range(2):        # every interval [k/64, (k+1)/64) holds exactly one coordinate
        assert sorted((pts[:, d] * 64).astype(int).tolist()) == list(range(64))


def test_errors():
    for dim in (0, 1112):
        with pytest.raises(ValueError, match=r"Supported range of dimensionality for SobolEngine is \[1, 1111\]"):
            SobolEngine(dim)
    with pytest.raises(ValueError) as te:
        torch.quasirandom.SobolEngine(0)
    with pytest.raises(ValueError) as ee:
        SobolEngine(0)
    assert str(ee.value).startswith(str(te.value).replace("21201", "1111"))
    cases = [lambda lib, q: q.draw(0), lambda lib, q: q.draw(2, dtype=lib.float16),
             lambda lib, q: (q.draw(3), q.draw_base2(2))]
    for case in cases:
        errs = []
        for lib, engine in ((torch, torch.quasirandom.SobolEngine), (ember, SobolEngine)):
            with pytest.raises(Exception) as info:
                case(lib, engine(3))
            errs.append(info.value)
        assert type(errs[1]) is type(errs[0]) and str(errs[1]).startswith(str(errs[0]))
    e = SobolEngine(2)
    e.fast_forward(2 ** 30 - 5)
    with pytest.raises(ValueError, match="at most 1073741824 points"):
        e.draw(10)


def test_torch_namespace():
    assert ember.quasirandom.SobolEngine is SobolEngine
    same(ember.quasirandom.SobolEngine(2).draw(1, dtype=ember.float16),
         torch.quasirandom.SobolEngine(2).draw(1, dtype=torch.float16))
