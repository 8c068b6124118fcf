"""Recurrent layers: ``RNN LSTM GRU`` and ``RNNCell LSTMCell GRUCell``.

Each layer-direction runs as one op (``ember.ops.rnn.rnn_layer``) over the
whole sequence, with hand-written BPTT; the module only stacks layers and
directions, applies dropout between layers, and handles batch_first, unbatched
input, initial states and PackedSequence input.
"""
import math
import numbers
import warnings

from ...ops.activation import dropout as _dropout
from ...ops.creation import empty
from ...ops.join import cat, stack
from ...ops.rnn import rnn_layer
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


class RNNBase(Module):
    """Parameters, init and the layer/direction loop shared by RNN, LSTM and GRU."""
    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
                     "bidirectional"]

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if not isinstance(proj_size, int):
            raise TypeError(f"proj_size should be of type int, got: {type(proj_size).__name__}")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        real_hidden = proj_size or hidden_size      # what h carries (and what the next layer reads)
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = _GATES[mode] * hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input_size = input_size if layer == 0 else real_hidden * num_directions
                params = [Parameter(empty(gate_size, layer_input_size, device=device, dtype=dtype)),
                          Parameter(empty(gate_size, real_hidden, device=device, dtype=dtype))]
                names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if bias:
                    params += [Parameter(empty(gate_size, device=device, dtype=dtype)),
                               Parameter(empty(gate_size, device=device, dtype=dtype))]
                    names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                if proj_size:
                    params.append(Parameter(empty(proj_size, hidden_size, device=device, dtype=dtype)))
                    names.append("weight_hr_l{}{}")
                suffix = "_reverse" if direction == 1 else ""
                names = [n.format(layer, suffix) for n in names]
                for name, param in zip(names, params):
                    setattr(self, name, param)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, w) for w in weights] for weights in self._all_weights]

    def flatten_parameters(self):
        """A no-op kept for compatibility (cuDNN weight flattening)."""

    def reset_parameters(self):
        # every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), drawn in parameter order
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    def _hidden_error(self, which, expected, got):
        name = "hidden" if which is None else f"hidden[{which}]"
        return RuntimeError(f"Expected {name} size {tuple(expected)}, got {list(got)}")

    def _run(self, input, hx, cx):
        """Shared forward. Returns (output, h_n, c_n or None)."""
        num_directions = 2 if self.bidirectional else 1
        packed = isinstance(input, PackedSequence)
        lstm = self.mode == "LSTM"
        if packed:
            data, batch_sizes, sorted_indices, unsorted_indices = input
            bs = [int(b) for b in batch_sizes.tolist()]
            x = data
            batch = bs[0]
            is_batched = True
        else:
            if input.dim() not in (2, 3):
                word = "D tensor" if self.mode.startswith("RNN") else "D"
                raise ValueError(f"{type(self).__name__}: Expected input to be 2D or 3D, got {input.dim()}{word} "
                                 "instead")
            is_batched = input.dim() == 3
            if not is_batched:
                input = input.unsqueeze(0 if self.batch_first else 1)
            if self.batch_first:
                input = input.transpose(0, 1)
            steps, batch = input.shape[0], input.shape[1]
            bs = [batch] * steps
            x = input.reshape(steps * batch, input.shape[2])
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                               f"{x.shape[-1]}")
        expected_c = (self.num_layers * num_directions, batch, self.hidden_size)
        expected_h = expected_c[:2] + (self.proj_size or self.hidden_size,)
        states = [hx, cx] if lstm else [hx]
        for k, s in enumerate(states):
            if s is None:
                continue
            if not is_batched:
                if s.dim() != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx{' and cx' if lstm else ''} should also be 2-D "
                                       f"but got {s.dim()}-D tensor")
                s = s.unsqueeze(1)
            elif s.dim() != 3:
                raise RuntimeError(f"For batched 3-D input, hx{' and cx' if lstm else ''} should also be 3-D but "
                                   f"got {s.dim()}-D tensor")
            if packed and sorted_indices is not None:
                s = s[:, sorted_indices]
            expected = expected_c if k else expected_h
            if tuple(s.shape) != expected:
                raise self._hidden_error(k if lstm else None, expected, s.shape)
            states[k] = s
        hx = states[0]
        cx = states[1] if lstm else None
        weights = self._flat_weights
        per = (4 if self.bias else 2) + (1 if self.proj_size else 0)
        h_n, c_n = [], []
        layer_x = x
        for layer in range(self.num_layers):
            outs = []
            for d in range(num_directions):
                k = layer * num_directions + d
                w = weights[k * per:(k + 1) * per]
                b_ih, b_hh = (w[2], w[3]) if self.bias else (None, None)
                run_layer = _projected_lstm_layer if self.proj_size else rnn_layer
                res = run_layer(layer_x, None if hx is None else hx[k], None if cx is None else cx[k], *w[:2], b_ih,
                                b_hh, *w[per - 1:] if self.proj_size else (), bs, self.mode, reverse=d == 1)
                outs.append(res[0])
                h_n.append(res[1])
                if lstm:
                    c_n.append(res[2])
            layer_x = outs[0] if num_directions == 1 else cat(outs, 1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_x = _dropout(layer_x, self.dropout, True)
        h_n = stack(h_n, 0)
        c_n = stack(c_n, 0) if lstm else None
        if packed:
            out = PackedSequence(layer_x, batch_sizes, sorted_indices, unsorted_indices)
            if unsorted_indices is not None:
                h_n = h_n[:, unsorted_indices]
                c_n = c_n[:, unsorted_indices] if lstm else None
            return out, h_n, c_n
        out = layer_x.reshape(len(bs), batch, -1)
        if self.batch_first:
            out = out.transpose(0, 1).contiguous()
        if not is_batched:
            out = out.squeeze(0 if self.batch_first else 1)
            h_n = h_n.squeeze(1)
            c_n = c_n.squeeze(1) if lstm else None
        return out, h_n, c_n


def _projected_lstm_layer(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, batch_sizes, mode, reverse=False):
    """One LSTM layer-direction with projections (``proj_size`` > 0), step by step from Ember ops.

    x (N, I) packed; h0 (B, P), c0 (B, H) or None. At step t the first ``batch_sizes[t]`` rows advance
    (as in ``rnn_layer``); h' = (o * tanh(c')) @ W_hr^T. Returns (out (N, P), h_n, c_n).
    """
    from ..functional import linear
    b0, hidden, proj = batch_sizes[0], w_hh.shape[0] // 4, w_hr.shape[0]
    h = x.new_zeros((b0, proj)) if h0 is None else h0
    c = x.new_zeros((b0, hidden)) if c0 is None else c0
    xw = linear(x, w_ih, b_ih)                        # every step's input projection in one GEMM
    offsets = [sum(batch_sizes[:t]) for t in range(len(batch_sizes))]
    outs = [None] * len(batch_sizes)
    for t in (reversed(range(len(batch_sizes))) if reverse else range(len(batch_sizes))):
        b, o = batch_sizes[t], offsets[t]
        i, f, g, og = (xw[o:o + b] + linear(h[:b], w_hh, b_hh)).chunk(4, 1)
        c_new = f.sigmoid() * c[:b] + i.sigmoid() * g.tanh()
        h_new = (og.sigmoid() * c_new.tanh()) @ w_hr.T
        outs[t] = h_new
        h = h_new if b == h.shape[0] else cat([h_new, h[b:]], 0)      # finished sequences keep their state
        c = c_new if b == c.shape[0] else cat([c_new, c[b:]], 0)
    return cat(outs, 0), h, c


class RNN(RNNBase):
    r"""Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (``nonlinearity='relu'`` for ReLU).

    Input (L, N, H_in) ((N, L, H_in) with ``batch_first``), or (L, H_in) unbatched, or a PackedSequence;
    ``h_0`` (D*num_layers, N, H_out) or None. Returns ``(output, h_n)``; ``batch_first`` affects only output.
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        out, h_n, _ = self._run(input, hx, None)
        return out, h_n


class LSTM(RNNBase):
    r"""Long short-term memory. Gates (PyTorch's order i, f, g, o):
    i = σ(W_ii x + b_ii + W_hi h + b_hi), f = σ(...), g = tanh(...), o = σ(...),
    c' = f * c + i * g, h' = o * tanh(c').

    ``forward(input, (h_0, c_0) | None)`` -> ``(output, (h_n, c_n))``; output (L, N, D*H) ((N, L, D*H) with
    ``batch_first``); h_n, c_n (D*num_layers, N, H) whatever ``batch_first`` is. PackedSequence in, out.
    With ``proj_size`` P > 0, h' = W_hr (o * tanh(c')): h_0, h_n and the output carry P features, not H.
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)

    def forward(self, input, hx=None):
        h0 = c0 = None
        if hx is not None:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError("LSTM expects hx as a tuple (h_0, c_0) of two tensors (or None)")
            h0, c0 = hx
        out, h_n, c_n = self._run(input, h0, c0)
        return out, (h_n, c_n)


class GRU(RNNBase):
    r"""Gated recurrent unit. Gates (PyTorch's order r, z, n):
    r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(...), n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),
    h' = (1 - z) * n + z * h. ``forward(input, h_0=None)`` -> ``(output, h_n)``.
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)

    def forward(self, input, hx=None):
        out, h_n, _ = self._run(input, hx, None)
        return out, h_n


class RNNCellBase(Module):
    """Parameters ``weight_ih`` (G*H, I), ``weight_hh`` (G*H, H), ``bias_ih``, ``bias_hh`` of one cell."""
    __constants__ = ["input_size", "hidden_size", "bias"]
    _mode = "RNN_TANH"

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty(num_chunks * hidden_size, input_size, device=device, dtype=dtype))
        self.weight_hh = Parameter(empty(num_chunks * hidden_size, hidden_size, device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _step(self, input, hx, cx):
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        for s, what in ((hx, "hx"), (cx, "cx")):
            if s is not None and s.dim() not in (1, 2):
                raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {s.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
            hx = hx.unsqueeze(0) if hx is not None else None
            cx = cx.unsqueeze(0) if cx is not None else None
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} expected {self.input_size}")
        for s in (hx, cx):
            if s is not None and tuple(s.shape) != (input.shape[0], self.hidden_size):
                raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match hidden0 batch size "
                                   f"{s.shape[0]}" if s.shape[0] != input.shape[0] else
                                   f"hidden0 has inconsistent hidden_size: got {s.shape[1]}, expected "
                                   f"{self.hidden_size}")
        res = rnn_layer(input, hx, cx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh,
                        [input.shape[0]], self._mode)
        if not batched:
            return tuple(r.squeeze(0) for r in res[1:])
        return res[1:]


class RNNCell(RNNCellBase):
    r"""One Elman RNN step: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh); (N, I), (N, H) or None -> (N, H)."""
    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity
        if nonlinearity == "tanh":
            self._mode = "RNN_TANH"
        elif nonlinearity == "relu":
            self._mode = "RNN_RELU"
        else:
            raise RuntimeError(f"Unknown nonlinearity: {nonlinearity}")

    def forward(self, input, hx=None):
        return self._step(input, hx, None)[0]


class LSTMCell(RNNCellBase):
    r"""One LSTM step: ``forward(input, (h, c) | None)`` -> ``(h', c')``, each (N, H)."""
    _mode = "LSTM"

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        h, c = (None, None) if hx is None else hx
        return tuple(self._step(input, h, c))


class GRUCell(RNNCellBase):
    r"""One GRU step: (N, I), (N, H) or None -> (N, H)."""
    _mode = "GRU"

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._step(input, hx, None)[0]
