"""Top-level functional RNN cells: ``torch.lstm_cell``, ``gru_cell``, ``rnn_tanh_cell``, ``rnn_relu_cell``.

One time step with explicit weights, ``(input, hx, w_ih, w_hh, b_ih=None, b_hh=None)``, the math that
``nn.LSTMCell`` & co. run: ``rnn.rnn_layer`` over a sequence of length one (gate order i, f, g, o for LSTM
and r, z, n for GRU, as PyTorch). Input (N, input_size); hx (N, hidden_size), a tuple (h, c) for LSTM.
"""

__all__ = ["lstm_cell", "gru_cell", "rnn_tanh_cell", "rnn_relu_cell"]
__functional__ = []

from ._util import Tensor
from .rnn import rnn_layer

_DTYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16"}


def _check(name, gates, input, hx, w_ih, w_hh, b_ih, b_hh):
    args = ((1, "input", input), (3, "w_ih", w_ih), (4, "w_hh", w_hh)) + tuple((2, "hx", h) for h in hx)
    for pos, arg, t in args:
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not {type(t).__name__}")
    if input.dim() != 2:
        raise IndexError(f"Dimension out of range (expected to be in range of [-1, 0], but got 1) ({name} takes "
                         f"a batch (N, input_size), got input of size {list(input.shape)}: use "
                         "input.unsqueeze(0))" if input.dim() == 1 else
                         f"{name}: expected input of size (N, input_size), got {list(input.shape)}")
    hs = w_hh.shape[1]
    for which, w in (("weight_ih", w_ih), ("weight_hh", w_hh)):
        if w.dim() != 2 or w.shape[0] != gates * hs:
            raise RuntimeError(f"{which} first dim must be {gates} * hidden_size = {gates * hs}, but got "
                               f"{w.shape[0]} ({name}: w_ih is ({gates}*hidden_size, input_size), w_hh "
                               f"({gates}*hidden_size, hidden_size))")
    if input.shape[1] != w_ih.shape[1]:
        raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} expected {w_ih.shape[1]}")
    for h in hx:
        if h.dim() != 2 or h.shape[0] != input.shape[0]:
            raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match hidden0 batch size "
                               f"{h.shape[0] if h.dim() else list(h.shape)}")
        if h.shape[1] != hs:
            raise RuntimeError(f"hidden0 has inconsistent hidden_size: got {h.shape[1]}, expected {hs}")
    fix = f" ({name}: cast the weights and states to the input's dtype)"
    for first, second in ((input, w_ih), (input, w_hh)) + tuple((h, input) for h in hx):
        if first.dtype != second.dtype:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_short(first)} != "
                               f"{_short(second)}{fix}")
    for b in (b_ih, b_hh):
        if b is not None and b.dtype != input.dtype:
            raise RuntimeError(f"self and mat2 must have the same dtype, but got {_DTYPE_NAMES.get(b.dtype.name)} "
                               f"and {_DTYPE_NAMES.get(input.dtype.name)}{fix}")


def _short(t):
    """The lower-case type name PyTorch's matmul errors use: float, double, half ..."""
    return _DTYPE_NAMES.get(t.dtype.name, t.dtype.name).lower()


def _biases(b_ih, b_hh):
    """rnn_layer takes both biases or neither: a missing one of the pair counts as zeros."""
    if b_ih is None and b_hh is None:
        return None, None
    if b_ih is None:
        return b_hh.new_zeros(b_hh.shape), b_hh
    if b_hh is None:
        return b_ih, b_ih.new_zeros(b_ih.shape)
    return b_ih, b_hh


def _cell(name, mode, gates, input, hx, w_ih, w_hh, b_ih, b_hh):
    h, c = (hx[0], hx[1]) if mode == "LSTM" else (hx, None)
    _check(name, gates, input, (h,) if c is None else (h, c), w_ih, w_hh, b_ih, b_hh)
    b_ih, b_hh = _biases(b_ih, b_hh)
    return rnn_layer(input, h, c, w_ih, w_hh, b_ih, b_hh, [input.shape[0]], mode)[1:]


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step: ``hx = (h, c)``, each (N, H); w_ih (4H, I), w_hh (4H, H) -> ``(h', c')``."""
    if not isinstance(hx, (tuple, list)):
        raise TypeError(f"lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, not "
                        f"{type(hx).__name__}")
    if len(hx) != 2:
        raise RuntimeError("lstm_cell expects two hidden states")
    return tuple(_cell("lstm_cell", "LSTM", 4, input, hx, w_ih, w_hh, b_ih, b_hh))


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step: hx (N, H); w_ih (3H, I), w_hh (3H, H) -> h' (N, H)."""
    return _cell("gru_cell", "GRU", 3, input, hx, w_ih, w_hh, b_ih, b_hh)[0]


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman step h' = tanh(x w_ih^T + b_ih + h w_hh^T + b_hh): hx (N, H) -> h' (N, H)."""
    return _cell("rnn_tanh_cell", "RNN_TANH", 1, input, hx, w_ih, w_hh, b_ih, b_hh)[0]


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman step with ReLU: h' = relu(x w_ih^T + b_ih + h w_hh^T + b_hh)."""
    return _cell("rnn_relu_cell", "RNN_RELU", 1, input, hx, w_ih, w_hh, b_ih, b_hh)[0]
