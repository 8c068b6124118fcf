"""torch.lstm/gru/rnn_tanh/rnn_relu (dense and packed overloads), native_dropout, native_group_norm,
norm_except_dim and embedding_renorm_ against PyTorch: values, gradients and errors."""
import numpy as np
import pytest
import torch

import ember
from oracle import check

MODES = {"lstm": (torch.nn.LSTM, {}), "gru": (torch.nn.GRU, {}), "rnn_tanh": (torch.nn.RNN, {}),
         "rnn_relu": (torch.nn.RNN, {"nonlinearity": "relu"})}


def close(e, t, tol=1e-5):
    if isinstance(t, (tuple, list)):
        assert len(e) == len(t)
        for a, b in zip(e, t):
            close(a, b, tol)
        return
    assert isinstance(e, ember.Tensor) and str(e.dtype) == str(t.dtype)
    assert tuple(e.shape) == tuple(t.shape), (tuple(e.shape), tuple(t.shape))
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol)


def leaf(lib, a):
    return lib.tensor(np.asarray(a)).requires_grad_()


def run_both(mode, make_args, weights):
    """Call torch.<mode> and ember.<mode> on the same leaves; backprop a weighted sum; return both sides."""
    sides = {}
    for lib in (torch, ember):
        ws = [leaf(lib, w) for w in weights]
        args, leaves = make_args(lib)
        out = getattr(lib, mode)(*[ws if a is WEIGHTS else a for a in args])
        sum((o * (i + 1)).sum() for i, o in enumerate(out)).backward()
        sides[lib] = (out, leaves, ws)
    return sides[ember], sides[torch]


WEIGHTS = object()     # placeholder for the flat weight list in an argument list


def flat_weights(mode, layers=2, bidir=False, bias=True, proj=0, inp=4, hidden=6):
    cls, kw = MODES[mode]
    if proj:
        kw = dict(kw, proj_size=proj)
    torch.manual_seed(0)
    m = cls(inp, hidden, num_layers=layers, bias=bias, bidirectional=bidir, **kw)
    return [p.detach().numpy().copy() for p in m._flat_weights]


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("bidir,bias,batch_first", [(False, True, False), (True, False, True), (True, True, False)])
def test_dense(mode, bidir, bias, batch_first):
    rng = np.random.default_rng(1)
    d = 2 if bidir else 1
    weights = flat_weights(mode, 2, bidir, bias)
    x = rng.standard_normal((3, 5, 4) if batch_first else (5, 3, 4)).astype(np.float32)
    h = rng.standard_normal((2 * d, 3, 6)).astype(np.float32)
    c = rng.standard_normal((2 * d, 3, 6)).astype(np.float32)

    def make(lib):
        lx, lh, lc = leaf(lib, x), leaf(lib, h), leaf(lib, c)
        hx = (lh, lc) if mode == "lstm" else lh
        return [lx, hx, WEIGHTS, bias, 2, 0.0, False, bidir, batch_first], [lx, lh, lc]

    (e_out, e_leaves, e_ws), (t_out, t_leaves, t_ws) = run_both(mode, make, weights)
    close(e_out, t_out)
    for a, b in zip(e_leaves + e_ws, t_leaves + t_ws):
        if b.grad is None:
            assert a.grad is None
        else:
            close(a.grad, b.grad, 1e-4)


@pytest.mark.parametrize("bidir", [False, True])
def test_rnn_two_dim_input(bidir):
    """rnn_tanh/rnn_relu take a 2-D input: unbatched with 2-D hx, else rows broadcast over hx's batch."""
    d = 2 if bidir else 1
    weights = flat_weights("rnn_relu", 2, bidir)
    rng = np.random.default_rng(9)
    for xs, hs, batch_first in (((5, 4), (2 * d, 6), False), ((5, 4), (2 * d, 3, 6), False),
                                ((4, 4), (2 * d, 6), True)):
        x, h = rng.standard_normal(xs).astype(np.float32), rng.standard_normal(hs).astype(np.float32)

        def make(lib):
            lx, lh = leaf(lib, x), leaf(lib, h)
            return [lx, lh, WEIGHTS, True, 2, 0.0, False, bidir, batch_first], [lx, lh]

        (e_out, e_leaves, _), (t_out, t_leaves, _) = run_both("rnn_relu", make, weights)
        close(e_out, t_out)
        for a, b in zip(e_leaves, t_leaves):
            close(a.grad, b.grad, 1e-4)


def test_lstm_projections_and_float64():
    rng = np.random.default_rng(2)
    weights = [w.astype(np.float64) for w in flat_weights("lstm", 2, True, True, proj=3)]
    x = rng.standard_normal((4, 2, 4))
    h, c = rng.standard_normal((4, 2, 3)), rng.standard_normal((4, 2, 6))

    def make(lib):
        lx, lh, lc = leaf(lib, x), leaf(lib, h), leaf(lib, c)
        return [lx, (lh, lc), WEIGHTS, True, 2, 0.0, False, True, False], [lx, lh, lc]

    (e_out, e_leaves, e_ws), (t_out, t_leaves, t_ws) = run_both("lstm", make, weights)
    close(e_out, t_out, 1e-10)
    for a, b in zip(e_leaves + e_ws, t_leaves + t_ws):
        close(a.grad, b.grad, 1e-9)


@pytest.mark.parametrize("mode", ["lstm", "gru", "rnn_tanh"])
def test_packed(mode):
    rng = np.random.default_rng(3)
    weights = flat_weights(mode, 2, True, True)
    data = rng.standard_normal((9, 4)).astype(np.float32)
    sizes = np.array([3, 3, 2, 1])
    h, c = rng.standard_normal((4, 3, 6)).astype(np.float32), rng.standard_normal((4, 3, 6)).astype(np.float32)

    def make(lib):
        ld, lh = leaf(lib, data), leaf(lib, h)
        hx = (lh, lib.tensor(c)) if mode == "lstm" else lh
        return [ld, lib.tensor(sizes), hx, WEIGHTS, True, 2, 0.0, False, True], [ld, lh]

    (e_out, e_leaves, e_ws), (t_out, t_leaves, t_ws) = run_both(mode, make, weights)
    close(e_out, t_out)
    for a, b in zip(e_leaves + e_ws, t_leaves + t_ws):
        close(a.grad, b.grad, 1e-4)


def test_keywords_and_module_equivalence():
    weights = flat_weights("gru", 1)
    x = np.random.default_rng(4).standard_normal((5, 3, 4)).astype(np.float32)
    out = {}
    for lib in (torch, ember):
        out[lib] = lib.gru(input=lib.tensor(x), hx=lib.zeros(1, 3, 6), params=[lib.tensor(w) for w in weights],
                           has_biases=True, num_layers=1, dropout=0.0, train=False, bidirectional=False,
                           batch_first=False)
    close(out[ember], out[torch])
    m = ember.nn.GRU(4, 6)
    for p, w in zip(m._flat_weights, weights):
        p.data = ember.tensor(w)
    close(m(ember.tensor(x))[0], out[torch][0])


def test_dropout_between_layers_matches_torch_stream():
    weights = flat_weights("lstm", 3)
    x = np.random.default_rng(5).standard_normal((5, 3, 4)).astype(np.float32)
    res = {}
    for lib in (torch, ember):
        lib.manual_seed(7)
        h = lib.zeros(3, 3, 6)
        res[lib] = lib.lstm(lib.tensor(x), (h, h), [lib.tensor(w) for w in weights], True, 3, 0.4, True, False, False)
    close(res[ember], res[torch])


def _errors(fn):
    out = []
    for lib in (torch, ember):
        with pytest.raises(Exception) as info:
            fn(lib)
        out.append(info)
    t, e = out
    assert type(e.value) is type(t.value), (e.value, t.value)
    return str(e.value), str(t.value)


def test_errors():
    weights = flat_weights("rnn_tanh", 2)
    x = np.zeros((5, 3, 4), np.float32)

    def call(lib, ws=None, h=(2, 3, 6), layers=2, bidir=False, inp=x, bias=True, mode="rnn_tanh", **kw):
        ws = weights if ws is None else ws
        return getattr(lib, mode)(lib.tensor(inp), lib.zeros(*h), [lib.tensor(w) for w in ws], bias, layers, 0.0,
                                  False, bidir, False)

    cases = [dict(ws=weights[:3]), dict(layers=3), dict(h=(3, 3, 6)), dict(h=(3, 6)), dict(ws=weights[:4], bidir=True,
             layers=1, h=(2, 3, 6)), dict(h=(2, 5, 6)), dict(inp=np.zeros((5, 3, 5), np.float32)), dict(bias=False)]
    for kw in cases:
        e, t = _errors(lambda lib: call(lib, **kw))
        assert e.startswith(t), (e, t)
    for mode, h in (("lstm", (1, 5, 6)), ("gru", (1, 5, 6))):
        ws = flat_weights(mode, 1)
        e, t = _errors(lambda lib: getattr(lib, mode)(lib.zeros(5, 4), (lib.zeros(*h),) * 2 if mode == "lstm" else
                                                      lib.zeros(*h), [lib.tensor(w) for w in ws], True, 1, 0.0, False,
                                                      False, False))
        assert e.startswith(t)
    e, t = _errors(lambda lib: lib.lstm(lib.zeros(5, 3, 4), (lib.zeros(1, 3, 6),), [], True, 1, 0.0, False, False,
                                        False))
    assert e == t
    e, t = _errors(lambda lib: lib.gru(lib.zeros(5, 3, 4), lib.zeros(1, 3, 6), [], True))
    assert e.splitlines()[0] == t.splitlines()[0]
    e, t = _errors(lambda lib: call(lib, ws=[w.astype(np.float64) for w in weights]))
    assert e.startswith("mat1 and mat2 must have the same dtype")
    e, t = _errors(lambda lib: lib.rnn_tanh(lib.zeros(9, 4), lib.tensor([3, 3, 2, 1]).int(), lib.zeros(2, 3, 6),
                                            [lib.tensor(w) for w in weights], True, 2, 0.0, False, False))
    assert e.startswith(t)


def test_native_dropout():
    x = np.random.default_rng(6).standard_normal((4, 5)).astype(np.float32)
    g = np.random.default_rng(7).standard_normal((4, 5)).astype(np.float32)
    for p, train in [(0.3, True), (0.0, True), (1.0, True), (0.3, False), (0.3, None)]:
        res = {}
        for lib in (torch, ember):
            lib.manual_seed(1)
            xx = lib.tensor(x).requires_grad_()
            out, mask = lib.native_dropout(xx, p, train)
            out.backward(lib.tensor(g))
            res[lib] = (out, mask, xx.grad)
            assert type(out.grad_fn).__name__ == "NativeDropoutBackward0"
        close(res[ember][0], res[torch][0])
        assert str(res[ember][1].dtype) == "torch.bool"
        assert (res[ember][1].numpy() == res[torch][1].numpy()).all(), (p, train)
        close(res[ember][2], res[torch][2])
    e, t = _errors(lambda lib: lib.native_dropout(lib.zeros(3), 1.5, True))
    assert e.startswith(t)


def test_native_group_norm():
    check(lambda t, x, w, b: t.native_group_norm(x, w, b, 2, 6, 12, 3, 1e-5), [(2, 6, 3, 4), (6,), (6,)])
    check(lambda t, x: t.native_group_norm(x, None, None, 2, 6, 3, 2, 1e-5), [(2, 6, 3)], dtype=np.float64)
    check(lambda t, x: t.native_group_norm(x, None, None, 2, 6, 1, 6, 1e-5), [(2, 6)], grad=False,
          dtype=np.float16)
    x = np.zeros((2, 6, 3), np.float32)
    for args in [(None, None, 2, 6, 3, 4, 1e-5), (None, None, 2, 6, 4, 3, 1e-5)]:
        e, t = _errors(lambda lib: lib.native_group_norm(lib.tensor(x), *args))
        assert e.startswith(t.split("  (Could")[0].rstrip())
    e, t = _errors(lambda lib: lib.native_group_norm(lib.tensor(x), lib.ones(3), None, 2, 6, 3, 3, 1e-5))
    assert e == t


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -2])
def test_norm_except_dim(dim):
    check(lambda t, v: t.norm_except_dim(v, 2, dim), [(3, 4, 5)])
    check(lambda t, v: t.norm_except_dim(v, 3, dim), [(3, 4, 5)], dtype=np.float64)


def test_norm_except_dim_defaults_and_1d():
    check(lambda t, v: t.norm_except_dim(v), [(4, 2)])
    check(lambda t, v: t.norm_except_dim(v, 1, 0), [(4,)])


def test_embedding_renorm_():
    w = (np.random.default_rng(8).standard_normal((6, 3)) * 3).astype(np.float32)
    idx = np.array([0, 2, 2, 5])
    res = {}
    for lib in (torch, ember):
        ww = lib.tensor(w)
        assert lib.embedding_renorm_(ww, lib.tensor(idx), 1.5, 2.0) is ww
        res[lib] = ww
    close(res[ember], res[torch])
    for fn in (lambda lib: lib.embedding_renorm_(lib.tensor(w).requires_grad_(), lib.tensor(idx), 1.5, 2.0),
               lambda lib: lib.embedding_renorm_(lib.tensor(w), lib.tensor(idx).float(), 1.5, 2.0)):
        e, t = _errors(fn)
        assert e == t
