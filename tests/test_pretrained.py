"""Pretrained weights: the torch hub cache, hash-checked downloads from a local HTTP server, and
study note 001 Part 8 (densenet121 transfer learning). Checkpoint interop with real PyTorch, numerically
for every model both ways, is in test_model_interop.py."""
import functools
import hashlib
import http.server
import math
import os
import socket
import threading
import warnings
from collections import OrderedDict

import numpy as np
import pytest
from model_helpers import no_random_init

import ember
import ember.hub
from ember import nn, optim
from ember.vision import models

torch = pytest.importorskip("torch")


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    home = tmp_path / "torch_home"
    monkeypatch.setenv("TORCH_HOME", str(home))
    monkeypatch.setattr(ember.hub, "_hub_dir", None)
    return home


@pytest.fixture
def server(tmp_path):
    """An HTTP server on 127.0.0.1 serving the folder it returns (``serve_dir``)."""
    serve_dir = tmp_path / "www"
    serve_dir.mkdir()
    handler = functools.partial(type("Quiet", (http.server.SimpleHTTPRequestHandler,),
                                     {"log_message": lambda *a: None}), directory=str(serve_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield serve_dir, f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _dead_url(name):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()                                    # nothing listens there now
    return f"http://127.0.0.1:{port}/{name}"


def _shapes(name, **kw):
    with no_random_init():
        return models.get_model(name, **kw)


def _torch_state_dict(model, seed=0):
    """Random weights made by real PyTorch with the shapes of ``model``'s state_dict (scaled so
    that deep nets stay finite; BN statistics non-trivial)."""
    g = torch.Generator().manual_seed(seed)
    out = OrderedDict()
    for k, v in model.state_dict().items():
        shape = tuple(v.shape)
        if k.endswith("num_batches_tracked"):
            out[k] = torch.tensor(7)
        elif k.endswith("running_var"):
            out[k] = torch.rand(shape, generator=g) + 0.5
        elif k.endswith("running_mean") or k.endswith("bias"):
            out[k] = torch.randn(shape, generator=g) * 0.1
        elif len(shape) == 1:                    # BN weight
            out[k] = torch.rand(shape, generator=g) + 0.5
        else:
            fan_in = math.prod(shape[1:])
            out[k] = torch.randn(shape, generator=g) / math.sqrt(fan_in)
    return out


def _sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


# --- the hub folder -------------------------------------------------------------------------

def test_get_dir_follows_torch_env(tmp_path, monkeypatch):
    monkeypatch.setattr(ember.hub, "_hub_dir", None)
    monkeypatch.setattr(torch.hub, "_hub_dir", None)
    monkeypatch.delenv("TORCH_HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert ember.hub.get_dir() == os.path.expanduser("~/.cache/torch/hub") == torch.hub.get_dir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert ember.hub.get_dir() == str(tmp_path / "xdg" / "torch" / "hub") == torch.hub.get_dir()
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "th"))
    assert ember.hub.get_dir() == str(tmp_path / "th" / "hub") == torch.hub.get_dir()
    ember.hub.set_dir(tmp_path / "mine")
    assert ember.hub.get_dir() == str(tmp_path / "mine")


# --- weights enums --------------------------------------------------------------------------

def test_weights_enum_surface():
    W = models.ResNet18_Weights
    assert W.DEFAULT is W.IMAGENET1K_V1 and repr(W.DEFAULT) == "ResNet18_Weights.IMAGENET1K_V1"
    assert W.DEFAULT.url == "https://download.pytorch.org/models/resnet18-f37072fd.pth"
    assert models.ResNet50_Weights.DEFAULT is models.ResNet50_Weights.IMAGENET1K_V2
    assert W.verify("DEFAULT") is W.verify("ResNet18_Weights.IMAGENET1K_V1") is W.IMAGENET1K_V1
    assert models.get_weight("DenseNet121_Weights.IMAGENET1K_V1").url.endswith("densenet121-a639ec97.pth")
    assert models.get_model_weights("densenet121") is models.DenseNet121_Weights
    meta = models.DenseNet121_Weights.DEFAULT.meta
    assert meta["num_params"] == 7978856 and len(meta["categories"]) == 1000
    assert meta["categories"][:3] == ["tench", "goldfish", "great white shark"]
    assert meta["categories"][281] == "tabby" and meta["categories"][-1] == "toilet tissue"
    files = {m: models.get_model_weights(m).IMAGENET1K_V1.url.rsplit("/", 1)[1]
             for m in ("alexnet", "vgg16", "squeezenet1_1", "mobilenet_v2", "googlenet", "densenet161")}
    assert files == {"alexnet": "alexnet-owt-7be5be79.pth", "vgg16": "vgg16-397923af.pth",
                     "squeezenet1_1": "squeezenet1_1-b8a52dc0.pth", "mobilenet_v2": "mobilenet_v2-b0353104.pth",
                     "googlenet": "googlenet-1378be20.pth", "densenet161": "densenet161-8d451a50.pth"}


def test_weights_transforms_is_the_eval_preprocessing():
    from PIL import Image
    from ember.vision import transforms as T
    preset = models.ResNet18_Weights.DEFAULT.transforms()
    assert "crop_size=[224]" in repr(preset) and "resize_size=[256]" in repr(preset)
    assert models.ResNet50_Weights.DEFAULT.transforms().resize_size == [232]
    rng = np.random.default_rng(0)
    img = Image.fromarray(rng.integers(0, 256, (300, 400, 3), dtype=np.uint8))
    manual = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(),
                        T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    out = preset(img)
    assert out.shape == (3, 224, 224) and out.dtype == ember.float32
    # The preset resizes the uint8 tensor (as torchvision's does), Compose resizes the PIL image:
    # the two roundings may differ by one grey level.
    np.testing.assert_allclose(out.numpy(), manual(img).numpy(), atol=1.01 / 255 / 0.224)
    batch = preset(ember.from_numpy(np.asarray(img)).permute(2, 0, 1).unsqueeze(0).repeat(2, 1, 1, 1))
    assert batch.shape == (2, 3, 224, 224)
    np.testing.assert_allclose(batch[1].numpy(), out.numpy(), atol=1e-5)


# --- downloads and the cache ------------------------------------------------------------------

def _resnet18_checkpoint(path):
    sd = _torch_state_dict(_shapes("resnet18"), seed=3)
    torch.save(sd, path)
    return sd


def test_download_from_local_server_into_empty_hub(torch_home, server, monkeypatch, capsys):
    serve_dir, base = server
    tmp = serve_dir / "tmp.pth"
    sd = _resnet18_checkpoint(tmp)
    name = f"resnet18-{_sha256(tmp)[:8]}.pth"        # torchvision's naming: name-<sha256 prefix>.pth
    tmp.rename(serve_dir / name)
    monkeypatch.setattr(models.ResNet18_Weights.IMAGENET1K_V1.value, "url", base + name)
    model = models.resnet18(weights=models.ResNet18_Weights.DEFAULT, progress=False)
    cached = torch_home / "hub" / "checkpoints" / name
    assert cached.exists() and os.listdir(cached.parent) == [name]
    assert f'Downloading: "{base + name}" to {cached}' in capsys.readouterr().out
    np.testing.assert_array_equal(model.layer2[0].conv1.weight.detach().numpy(), sd["layer2.0.conv1.weight"].numpy())
    # the cached file is PyTorch's: real torch.hub finds and loads it without the network
    assert torch.hub.get_dir() == str(torch_home / "hub")
    tsd = torch.hub.load_state_dict_from_url(_dead_url(name), progress=False)
    assert torch.equal(tsd["fc.weight"], sd["fc.weight"])


def test_hash_mismatch_and_corrupted_download(torch_home, server, monkeypatch):
    serve_dir, base = server
    # our checkpoint served under torchvision's real file name: its SHA256 is not f37072fd...
    _resnet18_checkpoint(serve_dir / "resnet18-f37072fd.pth")
    monkeypatch.setattr(models.ResNet18_Weights.IMAGENET1K_V1.value, "url", base + "resnet18-f37072fd.pth")
    with pytest.raises(RuntimeError, match=r'invalid hash value \(expected "f37072fd", got "[0-9a-f]{64}"\)'):
        models.resnet18(weights="IMAGENET1K_V1", progress=False)
    assert os.listdir(torch_home / "hub" / "checkpoints") == []       # nothing half-written left behind
    # a download corrupted in transit: right name for the right content, bytes changed on the wire
    good = serve_dir / "good.pth"
    _resnet18_checkpoint(good)
    name = f"resnet18-{_sha256(good)[:8]}.pth"
    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 0xFF
    (serve_dir / name).write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match="is corrupt or not the expected checkpoint") as info:
        ember.hub.load_state_dict_from_url(base + name, check_hash=True, progress=False)
    assert f'expected "{_sha256(good)[:8]}"' in str(info.value)
    assert os.listdir(torch_home / "hub" / "checkpoints") == []
    # without check_hash (torch.hub's default) the file is taken as it is
    sd = ember.hub.load_state_dict_from_url(base + "good.pth", progress=False, file_name="x.pth")
    assert "fc.weight" in sd and (torch_home / "hub" / "checkpoints" / "x.pth").exists()


def test_cached_file_loads_without_network(torch_home, monkeypatch):
    folder = torch_home / "hub" / "checkpoints"
    folder.mkdir(parents=True)
    sd = _resnet18_checkpoint(folder / "resnet18-f37072fd.pth")
    monkeypatch.setattr(models.ResNet18_Weights.IMAGENET1K_V1.value, "url", _dead_url("resnet18-f37072fd.pth"))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        model = models.resnet18(pretrained=True)
    assert [str(x.message) for x in w][-1].endswith(
        "The current behavior is equivalent to passing `weights=ResNet18_Weights.IMAGENET1K_V1`. You can also use "
        "`weights=ResNet18_Weights.DEFAULT` to get the most up-to-date weights.")
    np.testing.assert_array_equal(model.fc.bias.detach().numpy(), sd["fc.bias"].numpy())
    # also through torch.hub.load's spelling
    model = ember.hub.load("pytorch/vision", "resnet18", weights="DEFAULT")
    np.testing.assert_array_equal(model.fc.bias.detach().numpy(), sd["fc.bias"].numpy())
    with pytest.raises(RuntimeError, match="Ember serves only 'pytorch/vision'"):
        ember.hub.load("someone/repo", "net")


def test_offline_without_the_file_names_file_and_folder(torch_home, monkeypatch):
    from urllib.error import URLError
    url = _dead_url("densenet121-a639ec97.pth")
    monkeypatch.setattr(models.DenseNet121_Weights.IMAGENET1K_V1.value, "url", url)
    with pytest.raises(URLError) as info:
        models.densenet121(weights="DEFAULT", progress=False)
    msg = str(info.value)
    folder = str(torch_home / "hub" / "checkpoints")
    assert "'densenet121-a639ec97.pth'" in msg and f"'{folder}'" in msg and "offline" in msg
    assert os.listdir(folder) == []


# --- study note 001 Part 8: transfer learning with densenet121 ---------------------------------

def test_study_note_transfer_learning_densenet121(torch_home, monkeypatch):
    folder = torch_home / "hub" / "checkpoints"
    folder.mkdir(parents=True)
    sd = _torch_state_dict(_shapes("densenet121"))
    # torchvision's densenet checkpoints predate num_batches_tracked and still use the old
    # module names 'norm.1', 'conv.2' ...
    old = OrderedDict((k.replace(".norm1.", ".norm.1.").replace(".conv2.", ".conv.2.")
                       if "denselayer" in k else k, v) for k, v in sd.items() if "num_batches" not in k)
    assert "features.denseblock1.denselayer1.norm.1.weight" in old
    torch.save(old, folder / "densenet121-a639ec97.pth")
    monkeypatch.setattr(models.DenseNet121_Weights.IMAGENET1K_V1.value, "url", _dead_url("densenet121-a639ec97.pth"))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        model = models.densenet121(pretrained=True)
    assert "The parameter 'pretrained' is deprecated" in str(w[0].message) and len(w) == 2
    got = model.state_dict()["features.denseblock1.denselayer1.norm1.weight"].numpy()
    np.testing.assert_array_equal(got, sd["features.denseblock1.denselayer1.norm1.weight"].numpy())
    got = model.state_dict()["features.denseblock4.denselayer16.conv2.weight"].numpy()
    np.testing.assert_array_equal(got, sd["features.denseblock4.denselayer16.conv2.weight"].numpy())
    assert int(model.features.norm0.num_batches_tracked) == 0

    for param in model.parameters():
        param.requires_grad = False
    classifier = nn.Sequential(OrderedDict([
        ("fc1", nn.Linear(1024, 500)),
        ("relu", nn.ReLU()),
        ("fc2", nn.Linear(500, 2)),
        ("output", nn.LogSoftmax(dim=1)),
    ]))
    model.classifier = classifier
    assert repr(model.classifier) == (
        "Sequential(\n  (fc1): Linear(in_features=1024, out_features=500, bias=True)\n  (relu): ReLU()\n"
        "  (fc2): Linear(in_features=500, out_features=2, bias=True)\n  (output): LogSoftmax(dim=1)\n)")
    assert [n for n, p in model.named_parameters() if p.requires_grad] == \
        ["classifier.fc1.weight", "classifier.fc1.bias", "classifier.fc2.weight", "classifier.fc2.bias"]
    assert "classifier.fc1.weight" in model.state_dict() and "classifier.weight" not in model.state_dict()

    frozen = {k: v.clone() for k, v in model.state_dict().items() if k.startswith("features.") and "running" not in k
              and "num_batches" not in k}
    criterion = nn.NLLLoss()
    optimizer = optim.Adam(model.classifier.parameters(), lr=0.003)
    ember.manual_seed(0)
    images, labels = ember.randn(2, 3, 64, 64), ember.tensor([0, 1])
    model.train()
    losses = []
    for _ in range(4):
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    assert all(p.grad is None for p in model.features.parameters())
    after = model.state_dict()
    assert all(bool(ember.equal(after[k], v)) for k, v in frozen.items())
    model.eval()
    with ember.no_grad():
        ps = ember.exp(model(images))
    np.testing.assert_allclose(ps.sum(dim=1).numpy(), [1.0, 1.0], rtol=1e-5)
