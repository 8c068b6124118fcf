"""ATen-level functional forms under ``nn.RNN``/``LSTM``/``GRU`` and a few other layers' kernels.

``lstm gru rnn_tanh rnn_relu``: a whole stacked, optionally bidirectional recurrent network from a flat list of
weights, in PyTorch's two overloads::

    lstm(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first)
    lstm(data, batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional)   # packed

``input`` is (T, B, I) ((B, T, I) with ``batch_first``); the packed form takes PackedSequence's ``data``
(sum(batch_sizes), I) and its int64 ``batch_sizes``. ``hx`` is (num_layers * D, B, H) (a pair (h, c) for
``lstm``); ``params`` holds, per layer and direction (forward first), ``w_ih, w_hh[, b_ih, b_hh][, w_hr]``
(``w_hr``: LSTM projections, detected as PyTorch does from h and c having different sizes). Returns
``(output, h_n, c_n)`` for ``lstm`` and ``(output, h_n)`` otherwise. Each layer-direction runs as one
``rnn.rnn_layer`` op (hand-written BPTT); dropout (when ``train``) follows every layer but the last.

Also ``native_dropout`` (output and keep-mask), ``native_group_norm`` (output, mean, rstd),
``norm_except_dim`` (weight norm's per-slice norm) and ``embedding_renorm_``.
"""

__all__ = ["lstm", "gru", "rnn_tanh", "rnn_relu", "native_dropout", "native_group_norm", "norm_except_dim",
           "embedding_renorm_"]
__functional__ = []

from ._util import Op, Tensor, _wrap_dim, xp_of
from .activation import dropout as _dropout
from .embedding import _renorm_
from .join import cat, stack
from .random import _bernoulli_mask
from .rnn import rnn_layer
from ..autograd.grad_mode import is_grad_enabled, no_grad

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}
_DENSE = ("input", "hx", "params", "has_biases", "num_layers", "dropout", "train", "bidirectional", "batch_first")
_PACKED = ("data", "batch_sizes", "hx", "params", "has_biases", "num_layers", "dropout", "train", "bidirectional")
_DTYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int32": "Int",
                "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


# ---------------------------------------------------------------------------------------------- arguments
def _type_name(v):
    if isinstance(v, Tensor):
        return "Tensor"
    if isinstance(v, (tuple, list)) and v and all(isinstance(t, Tensor) for t in v):
        return f"{type(v).__name__} of [{', '.join('Tensor' for _ in v)}]"
    return type(v).__name__


def _bind(name, args, kwargs):
    """Pick the overload (dense or packed) and bind the arguments to its names; PyTorch's TypeError otherwise."""
    lstm = name == "lstm"
    if "data" in kwargs or "batch_sizes" in kwargs:
        packed = True
    elif "input" in kwargs or "batch_first" in kwargs:
        packed = False
    else:
        # lstm: hx (a tuple) or batch_sizes (a Tensor) comes second; the others: params (a list) or hx third
        probe = 1 if lstm else 2
        packed = len(args) > probe and isinstance(args[probe], Tensor)
    names = _PACKED if packed else _DENSE
    bound = dict(zip(names, args))
    unknown = [k for k in kwargs if k not in names or k in bound]
    bound.update({k: v for k, v in kwargs.items() if k in names})
    if len(args) > len(names) or unknown or len(bound) != len(names):
        hx = "tuple of Tensors hx" if lstm else "Tensor hx"
        got = ", ".join([_type_name(a) for a in args] + [f"{k}={_type_name(v)}" for k, v in kwargs.items()])
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got ({got}), but expected one of:\n"
            f" * (Tensor data, Tensor batch_sizes, {hx}, tuple of Tensors params, bool has_biases, int num_layers, "
            "float dropout, bool train, bool bidirectional)\n"
            f" * (Tensor input, {hx}, tuple of Tensors params, bool has_biases, int num_layers, float dropout, "
            "bool train, bool bidirectional, bool batch_first)\n")
    return packed, bound


def _check_hidden(name, lstm, hx, dirs, num_layers, batch, x):
    """Unpack and check hx: (h, c) for LSTM, h otherwise; each (num_layers * dirs, batch, size)."""
    if lstm:
        if not isinstance(hx, (tuple, list)) or not all(isinstance(t, Tensor) for t in hx):
            raise TypeError(f"lstm(): argument 'hx' must be tuple of Tensors, not {type(hx).__name__}")
        if len(hx) != 2:
            raise RuntimeError("lstm expects two hidden states")
        states = tuple(hx)
    else:
        if not isinstance(hx, Tensor):
            raise TypeError(f"{name}(): argument 'hx' must be Tensor, not {type(hx).__name__}")
        states = (hx,)
    for s in states:
        if s.dim() != 3 or s.shape[0] != num_layers * dirs:
            raise RuntimeError(f"Expected more hidden states in stacked_rnn ({name}: hx must be "
                               f"(num_layers * num_directions, batch, hidden_size) = ({num_layers * dirs}, {batch}, "
                               f"hidden_size), got {list(s.shape)})")
        if s.shape[1] != batch:
            raise RuntimeError(f"The size of tensor a ({s.shape[1]}) must match the size of tensor b ({batch}) at "
                               f"non-singleton dimension 0 ({name}: hx has batch size {s.shape[1]} but the input "
                               f"{batch})")
        if s.dtype != x.dtype:
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_DTYPE_NAMES.get(s.dtype.name)} "
                               f"and {_DTYPE_NAMES.get(x.dtype.name)} ({name}: cast hx to the input's dtype)")
    return states


def _layer_weights(name, params, has_biases, proj, num_layers, dirs, x):
    """Split the flat ``params`` into one (w_ih, w_hh, b_ih, b_hh, w_hr) group per layer-direction."""
    if not isinstance(params, (tuple, list)) or not all(isinstance(p, Tensor) for p in params):
        raise TypeError(f"{name}(): argument 'params' must be tuple of Tensors, not {type(params).__name__}")
    stride = (4 if has_biases else 2) + (1 if proj else 0)
    what = "w_ih, w_hh" + (", b_ih, b_hh" if has_biases else "") + (", w_hr" if proj else "")
    if len(params) % stride:
        first = (f"MatrixRef: ArrayRef size {len(params)} not divisible by stride {stride}" if name == "lstm" else
                 "got an incorrect number of RNN parameters")
        raise RuntimeError(f"{first} ({name}: params holds {what} per layer and direction; check has_biases)")
    groups = [params[i:i + stride] for i in range(0, len(params), stride)]
    if dirs == 2 and len(groups) % 2:
        raise RuntimeError("Odd number of params or hiddens given to a bidirectional RNN")
    if len(groups) != num_layers * dirs:
        raise RuntimeError(f"Expected more weights in stacked_rnn ({name}: {num_layers} layer(s) x {dirs} "
                           f"direction(s) need {num_layers * dirs * stride} tensors ({what} each), got {len(params)})")
    out = []
    for g in groups:
        for p in g:
            if p.dtype != x.dtype:
                raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_DTYPE_NAMES.get(x.dtype.name)}"
                                   f" and {_DTYPE_NAMES.get(p.dtype.name)} ({name}: cast the weights to the input's "
                                   "dtype)")
        w_ih, w_hh = g[0], g[1]
        b_ih, b_hh = (g[2], g[3]) if has_biases else (None, None)
        out.append((w_ih, w_hh, b_ih, b_hh, g[-1] if proj else None))
    return out


# ---------------------------------------------------------------------------------------------- the network
def _projected_layer(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, batch_sizes, reverse):
    """One LSTM layer-direction with projections, from Ember ops: h' = (o * tanh(c')) @ w_hr^T.

    x (N, I) packed; h0 (B, P), c0 (B, H). At step t the first ``batch_sizes[t]`` rows advance.
    Returns (out (N, P), h_n, c_n).
    """
    xw = x @ w_ih.T                                   # all steps' input projections in one GEMM
    if b_ih is not None:
        xw = xw + b_ih
    offsets, acc = [], 0
    for b in batch_sizes:
        offsets.append(acc)
        acc += b
    h, c = h0, c0
    outs = [None] * len(batch_sizes)
    for t in (reversed(range(len(batch_sizes))) if reverse else range(len(batch_sizes))):
        b, o = batch_sizes[t], offsets[t]
        gates = xw[o:o + b] + h[:b] @ w_hh.T
        if b_hh is not None:
            gates = gates + b_hh
        i, f, g, og = gates.chunk(4, 1)
        c_new = f.sigmoid() * c[:b] + i.sigmoid() * g.tanh()
        h_new = (og.sigmoid() * c_new.tanh()) @ w_hr.T
        outs[t] = h_new
        h = h_new if b == h.shape[0] else cat([h_new, h[b:]], 0)     # finished sequences keep their state
        c = c_new if b == c.shape[0] else cat([c_new, c[b:]], 0)
    return cat(outs, 0), h, c


def _network(name, mode, x, batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional):
    """Run the stacked network on packed ``x`` (N, I). Returns (output (N, D * H), h_n, c_n or None)."""
    lstm = mode == "LSTM"
    dirs = 2 if bidirectional else 1
    num_layers = int(num_layers)
    states = _check_hidden(name, lstm, hx, dirs, num_layers, batch_sizes[0] if batch_sizes else 0, x)
    proj = lstm and states[0].shape[2] != states[1].shape[2]
    weights = _layer_weights(name, params, bool(has_biases), proj, num_layers, dirs, x)
    first = weights[0][0]
    if x.shape[-1] != first.shape[1]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({x.shape[0]}x{x.shape[-1]} and "
                           f"{first.shape[1]}x{first.shape[0]}) ({name}: the input has {x.shape[-1]} features, the "
                           f"first layer's w_ih expects {first.shape[1]})")
    h_n, c_n = [], []
    layer_x = x
    for layer in range(num_layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            w_ih, w_hh, b_ih, b_hh, w_hr = weights[k]
            if w_hh.shape[0] != _GATES[mode] * w_hh.shape[1] and not proj:
                raise RuntimeError(f"{name}: w_hh of layer {layer} must be ({_GATES[mode]} * hidden_size, "
                                   f"hidden_size), got {list(w_hh.shape)}")
            h0 = states[0][k]
            c0 = states[1][k] if lstm else None
            if proj:
                res = _projected_layer(layer_x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, batch_sizes, d == 1)
            else:
                if h0.shape[-1] != w_hh.shape[1]:
                    raise RuntimeError(f"{name}: hx has hidden size {h0.shape[-1]} but the weights of layer {layer} "
                                       f"have {w_hh.shape[1]}")
                res = rnn_layer(layer_x, h0, c0, w_ih, w_hh, b_ih, b_hh, batch_sizes, mode, reverse=d == 1)
            outs.append(res[0])
            h_n.append(res[1])
            if lstm:
                c_n.append(res[2])
        layer_x = outs[0] if dirs == 1 else cat(outs, 1)
        if dropout and train and layer < num_layers - 1:
            layer_x = _dropout(layer_x, dropout, True)
    return layer_x, stack(h_n, 0), stack(c_n, 0) if lstm else None


def _rnn(name, mode, args, kwargs):
    packed, a = _bind(name, args, kwargs)
    common = (a["hx"], a["params"], a["has_biases"], a["num_layers"], a["dropout"], a["train"], a["bidirectional"])
    if packed:
        data, bs = a["data"], a["batch_sizes"]
        if not isinstance(bs, Tensor):
            raise TypeError(f"{name}(): argument 'batch_sizes' must be Tensor, not {type(bs).__name__}")
        if bs.dtype.name != "int64":
            raise RuntimeError(f"expected scalar type Long but found {_DTYPE_NAMES.get(bs.dtype.name, bs.dtype)} "
                               f"({name}: batch_sizes is PackedSequence's int64 tensor)")
        sizes = [int(b) for b in bs.tolist()]
        if data.dim() != 2:
            raise RuntimeError(f"{name}: packed data must be 2-D (sum(batch_sizes), input_size), got "
                               f"{list(data.shape)}")
        if sum(sizes) != data.shape[0] or any(b2 > b1 for b1, b2 in zip(sizes, sizes[1:])) or min(sizes) < 1:
            raise RuntimeError(f"{name}: batch_sizes {sizes} must be positive and non-increasing and sum to the "
                               f"number of rows of data ({data.shape[0]}); build them with pack_padded_sequence")
        out, h_n, c_n = _network(name, mode, data, sizes, *common)
    else:
        x, hx = a["input"], a["hx"]
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(x).__name__}")
        elman = mode.startswith("RNN")
        if x.dim() != 3 and not (elman and x.dim() == 2 and isinstance(hx, Tensor) and hx.dim() in (2, 3)):
            # PyTorch's kernels index dim 2 of the input (lstm) or of its steps (gru); rnn_* take 2-D below
            lo, hi = (-2, 1) if name == "lstm" else (-1, 0)
            raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {hi + 1}) "
                             f"({name} takes a 3-D input (seq_len, batch, input_size), or (batch, seq_len, "
                             f"input_size) with batch_first; got {list(x.shape)}: unsqueeze the batch dim)")
        if a["batch_first"]:
            x = x.transpose(0, 1)
        unbatched = x.dim() == 2 and hx.dim() == 2
        if x.dim() == 2:
            # rnn_tanh/rnn_relu step on input rows: an unbatched sequence with 2-D hx, else each step's input
            # row broadcast over hx's batch
            x = x.unsqueeze(1) if unbatched else x.unsqueeze(1).expand(x.shape[0], hx.shape[1], x.shape[1])
            if unbatched:
                hx = hx.unsqueeze(1)
            common = (hx,) + common[1:]
        steps, batch = x.shape[0], x.shape[1]
        out, h_n, c_n = _network(name, mode, x.reshape(steps * batch, x.shape[2]), [batch] * steps, *common)
        out = out.reshape(steps, batch, out.shape[-1])
        if unbatched:
            out, h_n = out.squeeze(1), h_n.squeeze(1)
        if a["batch_first"]:
            out = out.transpose(0, 1)
    return (out, h_n, c_n) if mode == "LSTM" else (out, h_n)


def lstm(*args, **kwargs):
    """Stacked LSTM from flat weights -> ``(output, h_n, c_n)``; see the module docstring for both overloads."""
    return _rnn("lstm", "LSTM", args, kwargs)


def gru(*args, **kwargs):
    """Stacked GRU from flat weights -> ``(output, h_n)``; see the module docstring for both overloads."""
    return _rnn("gru", "GRU", args, kwargs)


def rnn_tanh(*args, **kwargs):
    """Stacked Elman RNN (tanh) from flat weights -> ``(output, h_n)``."""
    return _rnn("rnn_tanh", "RNN_TANH", args, kwargs)


def rnn_relu(*args, **kwargs):
    """Stacked Elman RNN (ReLU) from flat weights -> ``(output, h_n)``."""
    return _rnn("rnn_relu", "RNN_RELU", args, kwargs)


# ---------------------------------------------------------------------------------------------- other kernels
class NativeDropout(Op):
    """y = x * mask * scale; the gradient is g * mask * grad_scale (PyTorch's derivative formula)."""
    node_name = "NativeDropoutBackward0"

    @staticmethod
    def forward(ctx, x, mask, scale, grad_scale):
        y = x * mask.astype(x.dtype)
        y *= x.dtype.type(scale)
        ctx.grad_scale = grad_scale
        ctx.save_for_backward(mask)
        return y

    @staticmethod
    def backward(ctx, g):
        mask, = ctx.saved_tensors
        return g * mask * ctx.grad_scale, None


def native_dropout(input, p, train):
    """Dropout returning ``(output, mask)``: the bool keep-mask (drawn as ``F.dropout`` draws it) and
    ``input * mask / (1 - p)``. With ``train=False``: a copy of ``input`` and an all-True mask.

    ``train=None`` drops as ``True`` does, but PyTorch's derivative then scales the gradient by 1, not
    1 / (1 - p); Ember follows it.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"native_dropout(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if input.numel() == 0:
        return input, input.new_empty(input.shape)
    xp = xp_of(input._data)
    if train is None or train:
        keep = 1.0 - p
        if not 0 <= keep <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={keep} (native_dropout: p is the "
                               "drop probability, in [0, 1])")
        mask = Tensor._wrap(_bernoulli_mask(input.shape, keep, xp))
        scale = 0.0 if keep == 0 else 1.0 / keep      # p == 1 drops everything (no division by zero)
        return NativeDropout.apply(input, mask, scale, 1.0 if train is None else scale), mask
    mask = Tensor._wrap(xp.ones(input.shape, dtype=bool))
    return NativeDropout.apply(input, mask, 1.0, 1.0), mask


def native_group_norm(input, weight, bias, N, C, HxW, group, eps):
    """Group norm of ``input`` (N, C, *) with ``HxW`` = prod(*): returns ``(output, mean, rstd)``, the statistics
    (N, group) per sample and group (rstd = 1/sqrt(biased var + eps)). All three are differentiable."""
    if input.numel() != N * C * HxW:
        raise RuntimeError(f"Expected X.numel() == N * C * HxW to be true, but got false. (native_group_norm: input "
                           f"of shape {list(input.shape)} has {input.numel()} elements, N * C * HxW = "
                           f"{N} * {C} * {HxW})")
    if C % group:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {list(input.shape)} and num_groups={group}")
    for arg, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != C):
            raise RuntimeError(f"Expected {arg} to be a vector of size equal to the number of channels in input, "
                               f"but got {arg} of shape {list(t.shape)} and input of shape {list(input.shape)}")
    reduced = input.dtype.name in ("float16", "bfloat16")
    x = (input.float() if reduced else input).reshape(N, group, -1)    # reduced types: float32 statistics
    mean = x.mean(-1)
    xc = x - mean.unsqueeze(-1)
    rstd = ((xc * xc).mean(-1) + eps).rsqrt()
    out = (xc * rstd.unsqueeze(-1)).reshape(N, C, -1)
    if weight is not None:
        out = out * weight.reshape(1, C, 1)
    if bias is not None:
        out = out + bias.reshape(1, C, 1)
    out = out.reshape(input.shape)
    if reduced:
        out, mean, rstd = out.to(input.dtype), mean.to(input.dtype), rstd.to(input.dtype)
    return out, mean, rstd


def norm_except_dim(v, pow=2, dim=0):  # noqa: A002 - PyTorch's name
    """The ``pow``-norm of ``v`` over every dim but ``dim``, kept as size-1 dims (weight norm's ``g``);
    ``dim=-1``: the norm of all of ``v`` (0-d)."""
    if dim == -1:
        return v.norm(pow)
    d = _wrap_dim(dim, v.dim())
    rows = (v.transpose(0, d) if d else v).reshape(v.shape[d], -1)     # one row per index along dim
    shape = [1] * v.dim()
    shape[d] = v.shape[d]
    return rows.norm(pow, 1).reshape(shape)


def embedding_renorm_(input, indices, max_norm, norm_type):
    """Rescale, in place, the rows of ``input`` (the embedding weight) that ``indices`` names and whose
    ``norm_type``-norm exceeds ``max_norm``, to norm ``max_norm`` (what ``F.embedding(max_norm=...)`` does).
    Returns ``input``."""
    if indices._data.dtype.kind not in "iu":
        raise RuntimeError(f"Expected tensor for argument #2 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {indices.type()} instead (while checking arguments for "
                           "embedding_renorm_)")
    if input.dim() != 2:
        raise RuntimeError(f"Expected 2-dimensional tensor, but got {input.dim()}-dimensional tensor for argument "
                           "#1 'self' (while checking arguments for embedding_renorm_)")
    if input.requires_grad and input.is_leaf and is_grad_enabled():
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    with no_grad():
        _renorm_(input, indices._data, max_norm, norm_type)
    return input

