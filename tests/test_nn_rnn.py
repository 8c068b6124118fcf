"""RNN/LSTM/GRU and their cells against PyTorch (same weights): outputs, states, all gradients; packing."""
import numpy as np
import pytest
import torch

import ember
from layer_oracle import compare_module
from oracle import assert_same


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("kw", [dict(), dict(num_layers=2, batch_first=True), dict(bidirectional=True),
                                dict(num_layers=2, bidirectional=True, bias=False)])
def test_rnn_modules(cls, kw):
    compare_module(lambda nn: getattr(nn, cls)(5, 4, **kw), [(3, 6, 5)], tol=dict(rtol=1e-4, atol=1e-5))


def test_rnn_relu_and_initial_states():
    compare_module(lambda nn: nn.RNN(5, 4, 2, nonlinearity="relu"), [(3, 6, 5), (2, 6, 4)])
    compare_module(lambda nn: nn.LSTM(5, 4, 2, batch_first=True), [(6, 3, 5), (2, 6, 4), (2, 6, 4)],
                   forward=lambda m, x, h, c: m(x, (h, c)))
    compare_module(lambda nn: nn.GRU(5, 4, bidirectional=True), [(3, 6, 5), (2, 6, 4)])


def test_unbatched():
    compare_module(lambda nn: nn.LSTM(5, 4, 2), [(7, 5)])
    compare_module(lambda nn: nn.GRU(5, 4, batch_first=True), [(7, 5), (1, 4)])


def test_dropout_between_layers_eval_and_train_shapes():
    compare_module(lambda nn: nn.LSTM(5, 4, 3, dropout=0.5), [(3, 2, 5)], modes=("eval",))
    m = ember.nn.LSTM(5, 4, 3, dropout=0.5)
    out, (h, c) = m(ember.ones(3, 2, 5))
    assert out.shape == (3, 2, 4) and h.shape == (3, 2, 4) and c.shape == (3, 2, 4)


@pytest.mark.parametrize("cls", ["LSTMCell", "GRUCell", "RNNCell"])
def test_cells(cls):
    compare_module(lambda nn: getattr(nn, cls)(5, 4), [(3, 5)])
    compare_module(lambda nn: getattr(nn, cls)(5, 4, bias=False), [(5,)])
    if cls == "LSTMCell":
        compare_module(lambda nn: nn.LSTMCell(5, 4), [(3, 5), (3, 4), (3, 4)], forward=lambda m, x, h, c: m(x, (h, c)))
    else:
        compare_module(lambda nn: getattr(nn, cls)(5, 4), [(3, 5), (3, 4)])


def test_state_dict_names_and_repr():
    for lib in (ember, torch):
        m = lib.nn.LSTM(3, 5, 2, bidirectional=True, batch_first=True, dropout=0.1)
        assert list(m.state_dict())[:5] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                                             "weight_ih_l0_reverse"]
    assert repr(ember.nn.GRU(3, 5, 2, bias=False)) == repr(torch.nn.GRU(3, 5, 2, bias=False))
    assert repr(ember.nn.RNN(3, 5, nonlinearity="relu")) == repr(torch.nn.RNN(3, 5, nonlinearity="relu"))
    assert repr(ember.nn.RNNCell(3, 5, nonlinearity="relu")) == repr(torch.nn.RNNCell(3, 5, nonlinearity="relu"))


def test_default_init_range():
    m = ember.nn.LSTM(10, 16, 2)
    for p in m.parameters():
        a = p.detach().numpy()
        assert np.abs(a).max() <= 0.25 and a.std() > 0.1


def _packed_forward(m, x, lengths, enforce_sorted=True):
    lib = ember if isinstance(x, ember.Tensor) else torch
    utils = lib.nn.utils.rnn
    packed = utils.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=enforce_sorted)
    out, hidden = m(packed)
    padded, lens = utils.pad_packed_sequence(out, batch_first=True)
    return padded, hidden, lens, packed.data, packed.batch_sizes


@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
def test_packed_sequence(cls):
    compare_module(lambda nn: getattr(nn, cls)(3, 4, 2, batch_first=True, bidirectional=True), [(4, 5, 3)],
                   forward=lambda m, x: _packed_forward(m, x, [5, 4, 2, 1]))
    compare_module(lambda nn: getattr(nn, cls)(3, 4, batch_first=True), [(4, 5, 3)],
                   forward=lambda m, x: _packed_forward(m, x, torch.tensor([2, 5, 1, 3]), False))


def test_pad_and_pack_sequence():
    seqs = [np.random.randn(n, 2).astype(np.float32) for n in (4, 2, 3)]
    for bf in (False, True):
        e = ember.nn.utils.rnn.pad_sequence([ember.tensor(s) for s in seqs], batch_first=bf, padding_value=-1)
        t = torch.nn.utils.rnn.pad_sequence([torch.tensor(s) for s in seqs], batch_first=bf, padding_value=-1)
        assert_same(e, t)
    e = ember.nn.utils.rnn.pack_sequence([ember.tensor(s) for s in seqs], enforce_sorted=False)
    t = torch.nn.utils.rnn.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False)
    assert_same(e.data, t.data)
    assert_same(e.batch_sizes, t.batch_sizes)
    assert_same(e.sorted_indices, t.sorted_indices)
    assert_same(e[0], t[0])
    with pytest.raises(RuntimeError, match="`lengths` array must be sorted in decreasing order"):
        ember.nn.utils.rnn.pack_sequence([ember.tensor(s) for s in seqs])


def test_rnn_errors():
    for lib in (ember, torch):
        m = lib.nn.LSTM(5, 4, 2)
        with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(2, 3, 4\), got \[1, 3, 4\]"):
            m(lib.ones(7, 3, 5), (lib.zeros(1, 3, 4), lib.zeros(1, 3, 4)))
        with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. Expected 5, got 6"):
            m(lib.ones(7, 3, 6))
        with pytest.raises(ValueError, match="LSTM: Expected input to be 2D or 3D, got 4D instead"):
            m(lib.ones(7, 3, 6, 1))
        with pytest.raises(RuntimeError, match=r"Expected hidden size \(1, 3, 4\), got \[1, 2, 4\]"):
            lib.nn.GRU(5, 4)(lib.ones(7, 3, 5), lib.zeros(1, 2, 4))


@pytest.mark.parametrize("kw", [dict(), dict(num_layers=2, batch_first=True, bidirectional=True),
                                dict(num_layers=2, bias=False)])
def test_lstm_with_projections(kw):
    compare_module(lambda nn: nn.LSTM(5, 4, proj_size=2, **kw), [(3, 6, 5)], tol=dict(rtol=1e-4, atol=1e-5))
    d = 2 if kw.get("bidirectional") else 1
    layers = kw.get("num_layers", 1)
    compare_module(lambda nn: nn.LSTM(5, 4, proj_size=3, **kw), [(3, 6, 5), (layers * d, 3 if kw.get(
        "batch_first") else 6, 3), (layers * d, 3 if kw.get("batch_first") else 6, 4)],
        forward=lambda m, x, h, c: m(x, (h, c)), tol=dict(rtol=1e-4, atol=1e-5))


def test_lstm_projections_packed_names_repr_and_errors():
    compare_module(lambda nn: nn.LSTM(3, 4, proj_size=2, batch_first=True), [(4, 5, 3)],
                   forward=lambda m, x: _packed_forward(m, x, torch.tensor([2, 5, 1, 3]), False))
    for lib in (ember, torch):
        m = lib.nn.LSTM(3, 5, 2, proj_size=2, bidirectional=True)
        assert repr(m) == "LSTM(3, 5, proj_size=2, num_layers=2, bidirectional=True)"
        assert [(n, tuple(p.shape)) for n, p in m.named_parameters()][:5] == [
            ("weight_ih_l0", (20, 3)), ("weight_hh_l0", (20, 2)), ("bias_ih_l0", (20,)), ("bias_hh_l0", (20,)),
            ("weight_hr_l0", (2, 5))]
        with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(4, 1, 2\), got \[4, 1, 5\]"):
            m(lib.zeros(2, 1, 3), (lib.zeros(4, 1, 5), lib.zeros(4, 1, 5)))
        with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
            lib.nn.LSTM(3, 5, proj_size=5)
        with pytest.raises(ValueError, match="proj_size should be a positive integer or zero"):
            lib.nn.LSTM(3, 5, proj_size=-1)
