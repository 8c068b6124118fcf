"""ember.vision.datasets on the real data (through the datasets_dir fixture) and on small made-up trees."""
import functools
import gzip
import hashlib
import http.server
import os
import pickle
import shutil
import threading

import numpy as np
import pytest
from PIL import Image

import ember
from ember.vision import datasets, transforms

DEAD_MIRROR = "http://127.0.0.1:9/"     # the discard port: nothing answers, so any fetch fails at once


def _raw_idx(path):
    """Read an IDX .gz file independently of ember (magic, dims, bytes)."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    nd = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(nd)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * nd).reshape(dims)


@pytest.fixture(scope="module")
def fashion_train(datasets_dir):
    return datasets.FashionMNIST(str(datasets_dir), train=True, download=False, transform=transforms.ToTensor())


@pytest.mark.parametrize("cls", [datasets.MNIST, datasets.FashionMNIST])
def test_mnist_family_loads_offline_with_download_true(cls, datasets_dir, monkeypatch, capsys):
    # every mirror is dead: download=True must not try to fetch files that are present and intact
    monkeypatch.setattr(cls, "mirrors", [DEAD_MIRROR])
    test = cls(str(datasets_dir), train=False, download=True, transform=transforms.ToTensor())
    assert len(test) == 10000
    assert "Downloading" not in capsys.readouterr().out
    img, target = test[0]
    assert tuple(img.shape) == (1, 28, 28) and img.dtype == ember.float32
    raw = _raw_idx(datasets_dir / cls.__name__ / "raw" / "t10k-images-idx3-ubyte.gz")
    labels = _raw_idx(datasets_dir / cls.__name__ / "raw" / "t10k-labels-idx1-ubyte.gz")
    np.testing.assert_array_equal(img.numpy()[0], raw[0].astype(np.float32) / np.float32(255))
    assert target == int(labels[0]) and isinstance(target, int)
    assert test.targets.dtype == ember.int64 and test.data.dtype == ember.uint8
    assert tuple(test.data.shape) == (10000, 28, 28)
    np.testing.assert_array_equal(test.targets.numpy(), labels)
    assert test.class_to_idx[test.classes[3]] == 3


def test_train_split_length_and_first_sample(fashion_train, datasets_dir):
    assert len(fashion_train) == 60000
    img, target = fashion_train[0]
    raw = _raw_idx(datasets_dir / "FashionMNIST" / "raw" / "train-images-idx3-ubyte.gz")
    np.testing.assert_array_equal(img.numpy()[0], raw[0] / np.float32(255))
    assert target == 9 and fashion_train.classes[target] == "Ankle boot"


def test_mnist_getitem_without_transform_is_pil_L(datasets_dir):
    ds = datasets.MNIST(str(datasets_dir), train=False)
    img, target = ds[0]
    assert isinstance(img, Image.Image) and img.mode == "L" and img.size == (28, 28)
    assert target == 7
    assert repr(ds).splitlines()[:4] == ["Dataset MNIST", "    Number of datapoints: 10000",
                                         f"    Root location: {datasets_dir}", "    Split: Test"]


def test_getitems_batch_path_matches_per_sample(fashion_train):
    fashion_train.transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    try:
        idx = [5, 0, 59999, 123]
        batch = fashion_train.__getitems__(idx)
        assert len(batch) == 4
        for k, i in enumerate(idx):
            img, target = fashion_train[i]
            np.testing.assert_array_equal(batch[k][0].numpy(), img.numpy())
            assert batch[k][1] == target
        if hasattr(batch, "collated"):       # ember.utils.data's pre-collated batch
            images, labels = batch.collated
            assert tuple(images.shape) == (4, 1, 28, 28)
            np.testing.assert_array_equal(labels.numpy(), fashion_train.targets.numpy()[idx])
    finally:
        fashion_train.transform = transforms.ToTensor()


def test_getitems_normalize_with_three_means_gives_the_per_sample_error(fashion_train):
    fashion_train.transform = transforms.Compose([transforms.ToTensor(),
                                                  transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
    try:
        for fetch in (lambda: fashion_train[0], lambda: fashion_train.__getitems__([0, 1])):
            with pytest.raises(RuntimeError, match=r"output with shape \[1, 28, 28\] doesn't match the broadcast "
                                                   r"shape \[3, 28, 28\].*Normalize\(\(0\.5,\), \(0\.5,\)\)"):
                fetch()
    finally:
        fashion_train.transform = transforms.ToTensor()


def test_getitems_falls_back_for_pil_only_transforms(datasets_dir):
    ds = datasets.MNIST(str(datasets_dir), train=False,
                        transform=transforms.Compose([transforms.Resize(14), transforms.ToTensor()]))
    out = ds.__getitems__([0, 1])
    assert [tuple(x.shape) for x, _ in out] == [(1, 14, 14), (1, 14, 14)]


def test_imagefolder_hymenoptera(datasets_dir):
    root = datasets_dir / "hymenoptera_data"
    train = datasets.ImageFolder(str(root / "train"))
    val = datasets.ImageFolder(root / "val")
    assert (len(train), len(val)) == (244, 153)
    assert train.classes == ["ants", "bees"] and train.class_to_idx == {"ants": 0, "bees": 1}
    assert train.imgs is train.samples and train.targets == [s[1] for s in train.samples]
    assert train.samples == sorted(train.samples, key=lambda s: (s[1], s[0]))
    img, target = train[0]
    assert isinstance(img, Image.Image) and img.mode == "RGB" and target == 0


def test_study_note_part7_pipelines(datasets_dir):
    root = datasets_dir / "hymenoptera_data"
    test_tf = transforms.Compose([transforms.Resize(255), transforms.CenterCrop(224), transforms.ToTensor()])
    val = datasets.ImageFolder(str(root / "val"), transform=test_tf)
    img, label = val[0]
    assert tuple(img.shape) == (3, 224, 224) and img.dtype == ember.float32
    assert 0.0 <= float(img.min()) and float(img.max()) <= 1.0
    # the same image by hand with Pillow: shorter side 255, then the centre 224 crop
    pil = Image.open(val.samples[0][0]).convert("RGB")
    w, h = pil.size
    size = (255, int(255 * h / w)) if w <= h else (int(255 * w / h), 255)
    ref = np.asarray(pil.resize(size, Image.Resampling.BILINEAR), np.float32) / 255
    top, left = int(round((size[1] - 224) / 2)), int(round((size[0] - 224) / 2))
    np.testing.assert_allclose(img.numpy().transpose(1, 2, 0), ref[top:top + 224, left:left + 224], atol=1e-6)

    train_tf = transforms.Compose([transforms.RandomRotation(30), transforms.RandomResizedCrop(224),
                                   transforms.RandomHorizontalFlip(), transforms.ToTensor(),
                                   transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])])
    train = datasets.ImageFolder(str(root / "train"), transform=train_tf)
    ember.manual_seed(7)
    a = [train[i][0] for i in (0, 100)]
    ember.manual_seed(7)
    b = [train[i][0] for i in (0, 100)]
    for x, y in zip(a, b):
        assert tuple(x.shape) == (3, 224, 224)
        assert -1.0 <= float(x.min()) and float(x.max()) <= 1.0
        np.testing.assert_array_equal(x.numpy(), y.numpy())      # manual_seed makes augmentation reproducible


def test_imagefolder_skips_non_images_and_sorts_classes(tmp_path):
    for cls in ("zebra", "ant", "Bee"):
        (tmp_path / cls).mkdir()
        Image.new("RGB", (4, 3), (10, 20, 30)).save(tmp_path / cls / "a.jpg")
        Image.new("RGB", (4, 3)).save(tmp_path / cls / "b.PNG")
        Image.new("P", (4, 3)).save(tmp_path / cls / "c.gif")
        (tmp_path / cls / "notes.txt").write_text("not an image")
    (tmp_path / "README").write_text("a file at the top is not a class")
    ds = datasets.ImageFolder(str(tmp_path))
    assert ds.classes == ["Bee", "ant", "zebra"]
    assert len(ds) == 6
    assert {os.path.basename(p) for p, _ in ds.samples} == {"a.jpg", "b.PNG"}
    gifs = datasets.ImageFolder(str(tmp_path), is_valid_file=lambda p: p.endswith(".gif"))
    assert len(gifs) == 3
    folder = datasets.DatasetFolder(str(tmp_path), loader=lambda p: open(p).read(), extensions=(".txt",))
    assert folder[0] == ("not an image", 0)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes empty"):
        datasets.ImageFolder(str(tmp_path))


class _Server:
    """http.server on 127.0.0.1 in a thread, serving ``folder``; counts the requests."""

    def __init__(self, folder):
        self.requests = []
        requests = self.requests

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                requests.append(self.path)

        handler = functools.partial(Handler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_download_from_local_mirror_and_skip_when_intact(datasets_dir, tmp_path, monkeypatch, capsys):
    served = tmp_path / "served"
    shutil.copytree(datasets_dir / "MNIST" / "raw", served)
    root = tmp_path / "data"
    with _Server(served) as server:
        monkeypatch.setattr(datasets.MNIST, "mirrors", [DEAD_MIRROR, server.url])
        ds = datasets.MNIST(str(root), train=False, download=True)
        assert len(ds) == 10000
        assert sorted(os.listdir(root / "MNIST" / "raw")) == sorted(n for n, _ in datasets.MNIST.resources)
        assert len(server.requests) == 4 and "trying next" in capsys.readouterr().out
        again = datasets.MNIST(str(root), train=True, download=True)     # present and intact: no request
        assert len(again) == 60000 and len(server.requests) == 4
        # a damaged local file is fetched again
        victim = root / "MNIST" / "raw" / "t10k-labels-idx1-ubyte.gz"
        victim.write_bytes(b"junk")
        datasets.MNIST(str(root), train=False, download=True)
        assert len(server.requests) == 5
        assert hashlib.md5(victim.read_bytes()).hexdigest() == dict(datasets.MNIST.resources)[victim.name]


def test_download_detects_corrupted_file_by_md5(datasets_dir, tmp_path, monkeypatch):
    served = tmp_path / "served"
    shutil.copytree(datasets_dir / "MNIST" / "raw", served)
    corrupt = served / "train-labels-idx1-ubyte.gz"
    data = bytearray(corrupt.read_bytes())
    data[100] ^= 0xFF
    corrupt.write_bytes(bytes(data))
    with _Server(served) as server:
        monkeypatch.setattr(datasets.MNIST, "mirrors", [server.url])
        with pytest.raises(RuntimeError, match=r"File not found or corrupted\..*expected d53e105ee54ea40749a09fcbcd1e9432"):
            datasets.MNIST(str(tmp_path / "data"), download=True)


def test_offline_errors_say_which_files_go_where(tmp_path, monkeypatch):
    with pytest.raises(RuntimeError, match=r"Dataset not found\. You can use download=True to download it\..*"
                                           r"train-images-idx3-ubyte\.gz \(MD5 8d4fb7e6c68d591d4c3dfef9ec88bf0d\)"):
        datasets.FashionMNIST(str(tmp_path))
    monkeypatch.setattr(datasets.FashionMNIST, "mirrors", [DEAD_MIRROR])
    with pytest.raises(RuntimeError, match=r"(?s)Error downloading train-images-idx3-ubyte\.gz.*127\.0\.0\.1:9.*"
                                           r"copy train-images-idx3-ubyte\.gz \(MD5 \w+\) into .*FashionMNIST/raw"):
        datasets.FashionMNIST(str(tmp_path), download=True)


def test_decompressed_raw_files_and_legacy_processed(datasets_dir, tmp_path):
    raw = tmp_path / "KMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "train-images-idx3-ubyte",
                 "train-labels-idx1-ubyte"):      # decompressed files, as torchvision leaves them
        with gzip.open(datasets_dir / "MNIST" / "raw" / (name + ".gz")) as src:
            (raw / name).write_bytes(src.read())
    ds = datasets.KMNIST(str(tmp_path), train=False)
    assert len(ds) == 10000 and ds.classes[0] == "o"
    torch = pytest.importorskip("torch")
    processed = tmp_path / "MNIST" / "processed"
    processed.mkdir(parents=True)
    data = torch.arange(2 * 28 * 28, dtype=torch.uint8).reshape(2, 28, 28)
    torch.save((data, torch.tensor([3, 4])), processed / "training.pt")
    torch.save((data[:1], torch.tensor([5])), processed / "test.pt")
    legacy = datasets.MNIST(str(tmp_path), train=True)
    assert len(legacy) == 2 and legacy[1][1] == 4
    np.testing.assert_array_equal(np.asarray(legacy[0][0]), data[0].numpy())


def test_emnist_split_is_checked(tmp_path):
    with pytest.raises(ValueError, match=r"Unknown value 'lettres' for argument split\. Valid values are "
                                         r"\{'byclass', 'bymerge', 'balanced', 'letters', 'digits', 'mnist'\}\."):
        datasets.EMNIST(str(tmp_path), split="lettres")
    with pytest.raises(RuntimeError, match="emnist-letters-train-images-idx3-ubyte"):
        datasets.EMNIST(str(tmp_path), split="letters")


def _fake_cifar(root, monkeypatch, cls, n_per_batch=5):
    folder = root / cls.base_folder
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    label_key = "labels" if cls is datasets.CIFAR10 else "fine_labels"
    train_list, test_list = [], []
    for name, _ in cls.train_list + cls.test_list:
        entry = {"data": rng.integers(0, 256, (n_per_batch, 3072), dtype=np.uint8),
                 label_key: [int(x) for x in rng.integers(0, 10, n_per_batch)]}
        (folder / name).write_bytes(pickle.dumps(entry))
        digest = hashlib.md5((folder / name).read_bytes()).hexdigest()
        (train_list if [name, _] in cls.train_list else test_list).append([name, digest])
    meta_name = cls.meta["filename"]
    (folder / meta_name).write_bytes(pickle.dumps({cls.meta["key"]: [f"c{i}" for i in range(10)]}))
    monkeypatch.setattr(cls, "train_list", train_list)
    monkeypatch.setattr(cls, "test_list", test_list)
    monkeypatch.setattr(cls, "meta", dict(cls.meta, md5=hashlib.md5((folder / meta_name).read_bytes()).hexdigest()))
    return folder


@pytest.mark.parametrize("cls", [datasets.CIFAR10, datasets.CIFAR100])
def test_cifar_layout_and_batch_path(cls, tmp_path, monkeypatch):
    folder = _fake_cifar(tmp_path, monkeypatch, cls)
    tf = transforms.Compose([transforms.RandomHorizontalFlip(p=1.0), transforms.ToTensor(),
                             transforms.Normalize((0.5, 0.5, 0.5), (0.25, 0.25, 0.25))])
    ds = cls(str(tmp_path), train=True, transform=tf)
    n_train = 5 * len(cls.train_list)
    assert len(ds) == n_train and ds.data.shape == (n_train, 32, 32, 3) and ds.classes[2] == "c2"
    first = pickle.loads((folder / cls.train_list[0][0]).read_bytes())
    np.testing.assert_array_equal(ds.data[0], first["data"][0].reshape(3, 32, 32).transpose(1, 2, 0))
    img, target = ds[1]
    expected = (first["data"][1].reshape(3, 32, 32)[:, :, ::-1] / np.float32(255) - np.float32(0.5)) / np.float32(0.25)
    np.testing.assert_allclose(img.numpy(), expected, rtol=1e-6)
    batch = ds.__getitems__([1, 0])
    np.testing.assert_array_equal(batch[0][0].numpy(), img.numpy())
    assert batch[0][1] == target
    test = cls(str(tmp_path), train=False)
    assert len(test) == 5 and isinstance(test[0][0], Image.Image) and test[0][0].mode == "RGB"
    # a damaged batch file is refused
    (folder / cls.test_list[0][0]).write_bytes(b"x")
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted"):
        cls(str(tmp_path), train=False)


def test_fakedata_is_deterministic_per_index():
    ds = datasets.FakeData(size=4, image_size=(3, 8, 6), num_classes=3, transform=transforms.ToTensor())
    a, ta = ds[2]
    b, tb = ds[2]
    assert tuple(a.shape) == (3, 8, 6) and ta == tb and 0 <= ta < 3
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(IndexError, match="FakeData index out of range"):
        ds[4]


def test_dataloader_epoch_through_batch_path(fashion_train, datasets_dir):
    from ember.utils.data import DataLoader
    fashion_train.transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    try:
        loader = DataLoader(fashion_train, batch_size=64, shuffle=True)
        ember.manual_seed(0)
        seen, labels_sum = 0, 0
        for images, labels in loader:
            seen += len(labels)
            labels_sum += int(labels.sum())
        assert seen == 60000 and labels_sum == int(fashion_train.targets.sum())
        assert tuple(images.shape) == (60000 % 64, 1, 28, 28) and labels.dtype == ember.int64
        images, labels = next(iter(DataLoader(fashion_train, batch_size=64)))
        raw = _raw_idx(datasets_dir / "FashionMNIST" / "raw" / "train-images-idx3-ubyte.gz")[:64]
        expected = (raw[:, None].astype(np.float32) / np.float32(255) - np.float32(0.5)) / np.float32(0.5)
        np.testing.assert_array_equal(images.numpy(), expected)
        np.testing.assert_array_equal(labels.numpy(), fashion_train.targets.numpy()[:64])
    finally:
        fashion_train.transform = transforms.ToTensor()


def test_dataloader_over_imagefolder(datasets_dir):
    from ember.utils.data import DataLoader
    tf = transforms.Compose([transforms.Resize(255), transforms.CenterCrop(224), transforms.ToTensor()])
    val = datasets.ImageFolder(str(datasets_dir / "hymenoptera_data" / "val"), transform=tf)
    images, labels = next(iter(DataLoader(val, batch_size=4, shuffle=False)))
    assert tuple(images.shape) == (4, 3, 224, 224) and labels.tolist() == [0, 0, 0, 0]


def test_cifar_download_extracts_tar_gz_from_local_server(tmp_path, monkeypatch):
    import tarfile
    staging = tmp_path / "staging"
    _fake_cifar(staging, monkeypatch, datasets.CIFAR10)
    served = tmp_path / "served"
    served.mkdir()
    archive = served / datasets.CIFAR10.filename
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(staging / datasets.CIFAR10.base_folder, arcname=datasets.CIFAR10.base_folder)
    monkeypatch.setattr(datasets.CIFAR10, "tgz_md5", hashlib.md5(archive.read_bytes()).hexdigest())
    with _Server(served) as server:
        monkeypatch.setattr(datasets.CIFAR10, "url", server.url + datasets.CIFAR10.filename)
        ds = datasets.CIFAR10(str(tmp_path / "data"), train=False, download=True)
        assert len(ds) == 5 and len(server.requests) == 1
        datasets.CIFAR10(str(tmp_path / "data"), train=True, download=True)       # verified: no new request
        assert len(server.requests) == 1
