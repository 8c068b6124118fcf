"""Bit-identical initialisation: after ``manual_seed`` Ember's layers and ``nn.init`` give PyTorch's values."""
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember


def _values(lib, build, seed):
    lib.manual_seed(seed)
    out = build(lib)
    if isinstance(out, lib.nn.Module):
        sd = out.state_dict()
        return list(sd.keys()), [v.detach().numpy().copy() for v in sd.values()]
    return None, [out.detach().numpy().copy()]


def _assert_identical(build, seed=0):
    (ek, ev), (tk, tv) = _values(ember, build, seed), _values(torch, build, seed)
    assert ek == tk
    assert len(ev) == len(tv)
    for a, b in zip(ev, tv):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert np.array_equal(a, b), f"max difference {np.abs(a.astype(np.float64) - b).max()}"


def _classifier(t):
    class Classifier(t.nn.Module):   # study note 001 Part 5
        def __init__(self):
            super().__init__()
            self.fc1 = t.nn.Linear(784, 256)
            self.fc2 = t.nn.Linear(256, 128)
            self.fc3 = t.nn.Linear(128, 64)
            self.fc4 = t.nn.Linear(64, 10)
            self.dropout = t.nn.Dropout(p=0.2)
    return Classifier()


MODELS = {
    "linear": lambda t: t.nn.Linear(7, 5),
    "linear_nobias": lambda t: t.nn.Linear(7, 5, bias=False),
    "conv2d": lambda t: t.nn.Conv2d(3, 8, 3),
    "conv2d_groups": lambda t: t.nn.Conv2d(4, 8, (3, 5), groups=2),
    "conv1d": lambda t: t.nn.Conv1d(3, 4, 5),
    "conv_transpose2d": lambda t: t.nn.ConvTranspose2d(3, 4, 3),
    "sequential": lambda t: t.nn.Sequential(OrderedDict([
        ("conv", t.nn.Conv2d(1, 6, 5)), ("relu", t.nn.ReLU()), ("bn", t.nn.BatchNorm2d(6)),
        ("flat", t.nn.Flatten()), ("fc", t.nn.Linear(6 * 24 * 24, 10))])),
    "classifier_784_256_128_64_10": _classifier,
    "batchnorm": lambda t: t.nn.BatchNorm1d(5),
    "layernorm": lambda t: t.nn.LayerNorm(6),
    "embedding": lambda t: t.nn.Embedding(10, 4, padding_idx=2),
    "bilinear": lambda t: t.nn.Bilinear(3, 4, 5),
    "lstm": lambda t: t.nn.LSTM(4, 6, num_layers=2, bidirectional=True),
    "gru": lambda t: t.nn.GRU(4, 6, batch_first=True),
    "rnn": lambda t: t.nn.RNN(3, 5),
    "lstm_cell": lambda t: t.nn.LSTMCell(4, 6),
    "prelu": lambda t: t.nn.PReLU(3),
}


@pytest.mark.parametrize("name", list(MODELS))
def test_model_initial_weights_bit_identical(name):
    _assert_identical(MODELS[name], seed=0)
    _assert_identical(MODELS[name], seed=12345)


def I(t):
    return t.nn.init


INITS = {
    "uniform_": lambda t: I(t).uniform_(t.empty(7, 5), -2.0, 3.0),
    "uniform_f64": lambda t: I(t).uniform_(t.empty(40, 5, dtype=t.float64), -0.1, 0.2),
    "normal_small": lambda t: I(t).normal_(t.empty(3, 5), 1.0, 3.0),   # < 16 elements: scalar Box-Muller
    "normal_": lambda t: I(t).normal_(t.empty(70, 50), 1.0, 3.0),
    "normal_f64": lambda t: I(t).normal_(t.empty(33, 3, dtype=t.float64), 0.3, 1.7),
    "xavier_uniform_": lambda t: I(t).xavier_uniform_(t.empty(70, 50), gain=2.0),
    "xavier_normal_": lambda t: I(t).xavier_normal_(t.empty(6, 4, 3, 3)),
    "kaiming_uniform_": lambda t: I(t).kaiming_uniform_(t.empty(70, 50), a=0.1),
    "kaiming_normal_": lambda t: I(t).kaiming_normal_(t.empty(7, 5, 3, 3), mode="fan_out", nonlinearity="relu"),
    "trunc_normal_": lambda t: I(t).trunc_normal_(t.empty(70, 50), std=0.02),
    "trunc_normal_narrow": lambda t: I(t).trunc_normal_(t.empty(40, 30), std=0.02, a=-0.01, b=0.01),
    "trunc_normal_tail": lambda t: I(t).trunc_normal_(t.empty(40, 30, dtype=t.float64), mean=0.5, std=0.2,
                                                      a=-0.1, b=0.2),
    "sparse_": lambda t: I(t).sparse_(t.empty(10, 6), 0.3),
    "eye_": lambda t: I(t).eye_(t.empty(3, 5)),
    "dirac_": lambda t: I(t).dirac_(t.empty(4, 2, 3, 3), groups=2),
    "constant_": lambda t: I(t).constant_(t.empty(3, 2), 0.25),
    "then_rand": lambda t: (I(t).xavier_uniform_(t.empty(5, 5)), t.rand(4))[1],   # the stream continues alike
}


@pytest.mark.parametrize("name", list(INITS))
def test_init_function_bit_identical(name):
    _assert_identical(INITS[name], seed=0)
    _assert_identical(INITS[name], seed=7)


@pytest.mark.parametrize("shape,gain", [((7, 5), 1.0), ((5, 7), 1.0), ((30, 40), 2.0), ((4, 3, 2, 2), 0.5)])
def test_orthogonal_matches_pytorch(shape, gain):
    # Same normal draws and sign convention; the QR itself is NumPy's LAPACK (OpenBLAS), PyTorch's is MKL,
    # so elements may differ in the last bit.
    (_, (e,)), (_, (t,)) = (_values(lib, lambda l: I(l).orthogonal_(l.empty(*shape), gain=gain), 3)
                            for lib in (ember, torch))
    assert e.dtype == t.dtype == np.float32
    np.testing.assert_allclose(e, t, rtol=0, atol=5e-6 * gain)
    flat = e.reshape(shape[0], -1)
    small = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
    np.testing.assert_allclose(small, gain ** 2 * np.eye(len(small)), atol=1e-5)


def test_generator_argument_and_errors():
    ge, gt = ember.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    a = I(ember).kaiming_uniform_(ember.empty(6, 4), generator=ge)
    b = I(torch).kaiming_uniform_(torch.empty(6, 4), generator=gt)
    assert np.array_equal(a.numpy(), b.numpy())
    for lib in (ember, torch):
        with pytest.raises(ValueError, match="Fan in and fan out can not be computed"):
            I(lib).xavier_uniform_(lib.empty(5))
        with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
            I(lib).eye_(lib.empty(2, 2, 2))
        with pytest.raises(ValueError, match="Mode fan_avg not supported"):
            I(lib).kaiming_normal_(lib.empty(2, 2), mode="fan_avg")
