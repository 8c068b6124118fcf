"""Oracle tests on the GPU: Ember on ``cuda`` (CuPy) against PyTorch on ``cuda``.

Marked ``gpu`` and skipped where Ember or PyTorch has no GPU. Run them on the
device machine with the command in README.md (Development).
"""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not ember.cuda.is_available(), reason="Ember has no GPU here (CuPy or a device missing)"),
    pytest.mark.skipif(not torch.cuda.is_available(), reason="PyTorch has no CUDA here"),
]

RNG = np.random.default_rng(0)


def _arr(shape, positive=False, dtype=np.float32):
    a = RNG.standard_normal(shape).astype(dtype)
    return np.abs(a) + 0.1 if positive else a


def _np(t):
    return t.detach().cpu().float().numpy() if t.is_floating_point() else t.detach().cpu().numpy()


def _run(lib, fn, arrays, grad):
    xs = [lib.tensor(a, device="cuda", requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    out = fn(lib, *xs)
    outs = out if isinstance(out, tuple) else (out,)
    assert all(o.is_cuda for o in outs), "result left the GPU"
    grads = []
    if grad:
        sum(o.float().sum() * (i + 1) for i, o in enumerate(outs) if o.is_floating_point()).backward()
        grads = [x.grad for x in xs if x.requires_grad]
        assert all(g is None or g.is_cuda for g in grads)
    return [_np(o) for o in outs], [None if g is None else _np(g) for g in grads]


F = "torch.nn.functional"
OPS = [   # (id, fn(lib, *tensors), input shapes, {positive, grad, int_input})
    ("add_broadcast", lambda t, x, y: x + y, [(3, 4), (4,)], {}),
    ("mul_div", lambda t, x, y: x * y / (y.abs() + 1), [(5, 6), (5, 6)], {}),
    ("exp_log", lambda t, x: (x.exp() + 1).log(), [(7, 3)], {}),
    ("pow_sqrt", lambda t, x: x.pow(3) + x.sqrt(), [(4, 4)], {"positive": True}),
    ("tanh_sigmoid", lambda t, x: x.tanh() * x.sigmoid(), [(8,)], {}),
    ("clamp_where", lambda t, x: t.where(x > 0, x.clamp(max=0.5), -x), [(6, 6)], {}),
    ("sum_dim", lambda t, x: x.sum(1), [(4, 5, 6)], {}),
    ("mean_var", lambda t, x: (x.mean(0), x.var(1)), [(6, 7)], {}),
    ("max_argmax", lambda t, x: (x.max(1).values, x.argmax(0)), [(5, 9)], {}),
    ("logsumexp", lambda t, x: x.logsumexp(1), [(4, 10)], {}),
    ("cumsum", lambda t, x: x.cumsum(1), [(3, 8)], {}),
    ("matmul_2d", lambda t, x, y: x @ y, [(16, 32), (32, 8)], {}),
    ("matmul_batched", lambda t, x, y: x @ y, [(3, 4, 5), (5, 6)], {}),
    ("bmm", lambda t, x, y: t.bmm(x, y), [(2, 3, 4), (2, 4, 5)], {}),
    ("linear", lambda t, x, w, b: t.nn.functional.linear(x, w, b), [(8, 5), (3, 5), (3,)], {}),
    ("conv2d", lambda t, x, w, b: t.nn.functional.conv2d(x, w, b, padding=1), [(2, 3, 8, 8), (4, 3, 3, 3), (4,)], {}),
    ("conv2d_stride_groups", lambda t, x, w: t.nn.functional.conv2d(x, w, stride=2, groups=2),
     [(2, 4, 9, 9), (6, 2, 3, 3)], {}),
    ("conv_transpose2d", lambda t, x, w: t.nn.functional.conv_transpose2d(x, w, stride=2),
     [(1, 3, 5, 5), (3, 2, 3, 3)], {}),
    ("max_pool2d", lambda t, x: t.nn.functional.max_pool2d(x, 2), [(2, 3, 8, 8)], {}),
    ("avg_pool2d", lambda t, x: t.nn.functional.avg_pool2d(x, 3, stride=2, padding=1), [(2, 3, 9, 9)], {}),
    ("adaptive_avg_pool2d", lambda t, x: t.nn.functional.adaptive_avg_pool2d(x, 1), [(2, 3, 7, 7)], {}),
    ("batch_norm_train", lambda t, x, w, b: t.nn.functional.batch_norm(x, None, None, w, b, training=True),
     [(4, 3, 5, 5), (3,), (3,)], {}),
    ("layer_norm", lambda t, x: t.nn.functional.layer_norm(x, (6,)), [(4, 6)], {}),
    ("softmax", lambda t, x: t.softmax(x, 1), [(5, 10)], {}),
    ("log_softmax", lambda t, x: t.log_softmax(x, 1), [(5, 10)], {}),
    ("cross_entropy", lambda t, x: t.nn.functional.cross_entropy(
        x, t.tensor([1, 0, 3, 9, 2], device="cuda")), [(5, 10)], {}),
    ("nll_loss", lambda t, x: t.nn.functional.nll_loss(
        t.log_softmax(x, 1), t.tensor([1, 0, 3, 9, 2], device="cuda")), [(5, 10)], {}),
    ("mse_loss", lambda t, x, y: t.nn.functional.mse_loss(x, y), [(6, 3), (6, 3)], {}),
    ("dropout_eval", lambda t, x: t.nn.functional.dropout(x, 0.5, training=False), [(4, 4)], {}),
    ("indexing", lambda t, x: x[1:, ::2][t.tensor([0, 2], device="cuda")], [(4, 6)], {}),
    ("cat_stack", lambda t, x, y: t.cat([x, t.stack([y, y]).sum(0)]), [(2, 3), (2, 3)], {}),
    ("transpose_reshape", lambda t, x: x.transpose(0, 1).reshape(-1), [(3, 4)], {}),
]


@pytest.mark.parametrize("name,fn,shapes,opts", OPS, ids=[o[0] for o in OPS])
def test_op_on_cuda_matches_torch_cuda(name, fn, shapes, opts):
    arrays = [_arr(s, opts.get("positive", False)) for s in shapes]
    eo, eg = _run(ember, fn, arrays, grad=True)
    to, tg = _run(torch, fn, arrays, grad=True)
    for e, t in zip(eo, to):
        assert e.shape == t.shape and e.dtype == t.dtype
        np.testing.assert_allclose(e, t, rtol=2e-4, atol=2e-5)
    for e, t in zip(eg, tg):
        assert (e is None) == (t is None)
        if e is not None:
            np.testing.assert_allclose(e, t, rtol=2e-4, atol=2e-5)


def test_lstm_on_cuda_matches_torch_cuda():
    x = _arr((7, 3, 5))
    outs = {}
    torch.manual_seed(0)
    ref = torch.nn.LSTM(5, 4, num_layers=2)
    for lib in (ember, torch):
        lstm = lib.nn.LSTM(5, 4, num_layers=2)
        for (n, p), (_, q) in zip(lstm.named_parameters(), ref.named_parameters()):
            with lib.no_grad():
                p.copy_(lib.tensor(q.detach().numpy()))
        lstm = lstm.to("cuda")
        xi = lib.tensor(x, device="cuda", requires_grad=True)
        y, (h, c) = lstm(xi)
        (y.sum() + h.sum() * 2 + c.sum() * 3).backward()
        outs[lib.__name__] = [_np(y), _np(h), _np(c), _np(xi.grad)] + [_np(p.grad) for p in lstm.parameters()]
    for e, t in zip(outs["ember"], outs["torch"]):
        np.testing.assert_allclose(e, t, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("opt_name,kw", [("SGD", dict(lr=0.1, momentum=0.9, weight_decay=1e-4)),
                                         ("Adam", dict(lr=1e-2)), ("AdamW", dict(lr=1e-2, weight_decay=0.1)),
                                         ("RMSprop", dict(lr=1e-2))])
def test_optimizer_steps_on_cuda_match_torch_cuda(opt_name, kw):
    w0, x0 = _arr((4, 3)), _arr((6, 4))
    res = {}
    for lib in (ember, torch):
        w = lib.nn.Parameter(lib.tensor(w0, device="cuda"))
        x = lib.tensor(x0, device="cuda")
        opt = getattr(lib.optim, opt_name)([w], **kw)
        for _ in range(5):
            opt.zero_grad()
            ((x @ w).tanh() ** 2).sum().backward()
            opt.step()
        assert w.is_cuda
        res[lib.__name__] = _np(w)
    np.testing.assert_allclose(res["ember"], res["torch"], rtol=1e-5, atol=1e-6)


def test_mixed_device_error_and_numpy_error_on_real_gpu():
    x = ember.randn(3, device="cuda")
    with pytest.raises(RuntimeError, match="found at least two devices, cuda:0 and cpu!"):
        x + ember.randn(3)
    with pytest.raises(TypeError, match="cpu\\(\\).numpy\\(\\)"):
        x.numpy()
    assert repr(ember.tensor([1.5], device="cuda")) == "tensor([1.5000], device='cuda:0')"
    assert (x * ember.tensor(2.0)).is_cuda          # 0-dim CPU tensors join, as in PyTorch


def test_save_on_gpu_load_in_torch_and_back(tmp_path):
    path = tmp_path / "ck.pt"
    ember.save({"w": ember.arange(6.0, device="cuda")}, path)
    assert torch.load(path)["w"].device.type == "cuda"
    torch.save({"w": torch.arange(4.0, device="cuda")}, path)
    assert ember.load(path)["w"].is_cuda and not ember.load(path, map_location="cpu")["w"].is_cuda


def test_autocast_cuda_float16_and_grad_scaler():
    x, w = _arr((8, 16)), _arr((4, 16))
    res = {}
    for lib in (ember, torch):
        wp = lib.nn.Parameter(lib.tensor(w, device="cuda"))
        opt = lib.optim.SGD([wp], lr=0.1)
        scaler = lib.amp.GradScaler("cuda")
        with lib.autocast("cuda"):
            y = lib.nn.functional.linear(lib.tensor(x, device="cuda"), wp)
            loss = y.float().pow(2).mean()
        assert y.dtype is lib.float16 and loss.dtype is lib.float32
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        res[lib.__name__] = (_np(wp), scaler.get_scale())
    np.testing.assert_allclose(res["ember"][0], res["torch"][0], rtol=1e-3, atol=1e-3)
    assert res["ember"][1] == res["torch"][1]


def test_fashion_mnist_mini_epoch_on_cuda(datasets_dir):
    """The course's training loop (study note 001, Part 5) on the GPU: model.to(device), batches .to(device)."""
    from ember.vision import datasets, transforms
    from ember.utils.data import DataLoader, Subset
    device = ember.device("cuda" if ember.cuda.is_available() else "cpu")
    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    train = Subset(datasets.FashionMNIST(datasets_dir, train=True, transform=tf), range(6400))
    loader = DataLoader(train, batch_size=64, shuffle=True)
    ember.manual_seed(0)
    nn = ember.nn
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2), nn.Linear(256, 10),
                          nn.LogSoftmax(dim=1)).to(device)
    opt = ember.optim.Adam(model.parameters(), lr=0.003)
    crit = nn.NLLLoss()
    losses = []
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        opt.zero_grad()
        loss = crit(model(images), labels)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert all(p.is_cuda for p in model.parameters())
    assert np.mean(losses[-20:]) < np.mean(losses[:20]) and np.mean(losses[-20:]) < 0.9
