"""MNIST and its relatives, in torchvision's on-disk layout: ``root/<ClassName>/raw/``.

The raw IDX files are read directly, whether decompressed (``*-ubyte``, what
torchvision leaves after downloading) or still gzipped (``*-ubyte.gz``, checked
against torchvision's MD5 sums); nothing is written next to them. The legacy
``processed/training.pt``/``test.pt`` files are read too. ``data`` is a uint8
tensor (N, 28, 28), ``targets`` an int64 tensor, and ``__getitem__`` returns
a PIL image of mode 'L', as torchvision does.
"""
import gzip
import os
import shutil
import string
import warnings

import numpy as np
from PIL import Image

from ember._tensor import Tensor

from .utils import check_integrity, download_and_extract_archive, download_with_mirrors, extract_archive, \
    verify_str_arg
from .vision import VisionDataset, batched_samples


class MNIST(VisionDataset):
    """`MNIST <http://yann.lecun.com/exdb/mnist/>`_: 60,000 training and 10,000 test digits (28x28, gray)."""

    mirrors = [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    training_file = "training.pt"
    test_file = "test.pt"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
               "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if self._check_legacy_exist():
            self.data, self.targets = self._load_legacy_data()
            return
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError("Dataset not found. You can use download=True to download it. "
                               + self._missing_message())
        self.data, self.targets = self._load_data()

    # ---- legacy tensors saved by torchvision < 0.9.1
    def _check_legacy_exist(self):
        if not os.path.exists(self.processed_folder):
            return False
        return all(check_integrity(os.path.join(self.processed_folder, f)) for f in (self.training_file, self.test_file))

    def _load_legacy_data(self):
        import ember
        data_file = self.training_file if self.train else self.test_file
        return ember.load(os.path.join(self.processed_folder, data_file), weights_only=True)

    # ---- raw IDX files
    def _raw_path(self, stem):
        """The file to read for ``stem`` (a decompressed file wins, else the intact .gz), or None."""
        plain = os.path.join(self.raw_folder, stem)
        if os.path.isfile(plain):
            return plain
        md5 = dict(self.resources).get(stem + ".gz")
        gz = plain + ".gz"
        if check_integrity(gz, md5):
            return gz
        return None

    def _load_data(self):
        prefix = "train" if self.train else "t10k"
        data = read_image_file(self._raw_path(f"{prefix}-images-idx3-ubyte"))
        targets = read_label_file(self._raw_path(f"{prefix}-labels-idx1-ubyte"))
        return data, targets

    def _stems(self):
        return [os.path.splitext(os.path.basename(url))[0] for url, _ in self.resources]

    def _check_exists(self):
        return all(self._raw_path(stem) is not None for stem in self._stems())

    def _missing_message(self):
        missing = [f"{name} (MD5 {md5})" for name, md5 in self.resources
                   if self._raw_path(os.path.splitext(name)[0]) is None]
        return (f"Missing or corrupted in {self.raw_folder}: {', '.join(missing)}. Put those files there "
                f"(torchvision's layout: <root>/{self.__class__.__name__}/raw/), or pass download=True.")

    def download(self):
        """Fetch the files that are missing or corrupted, from each mirror in turn, checking MD5 sums."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            if self._raw_path(os.path.splitext(filename)[0]) is not None:
                continue
            download_with_mirrors(filename, md5, self.mirrors, self.raw_folder)

    # ---- dataset protocol
    def __getitem__(self, index):
        img, target = _np(self.data)[index], int(_np(self.targets)[index])
        img = Image.fromarray(img)          # mode 'L', as torchvision returns
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __getitems__(self, indices):
        """The samples at ``indices``; the transform runs once on the whole batch when it can (see batched_samples)."""
        from ..transforms.transforms import batch_transform
        data = _np(self.data)
        idx = np.asarray(indices, dtype=np.int64)
        batch = batch_transform(self.transform, data[idx][:, None]) if len(idx) else None
        if batch is None:
            return [self[int(i)] for i in idx]
        return batched_samples(batch, _np(self.targets)[idx].astype(np.int64, copy=False), self.target_transform)

    def __len__(self):
        return len(self.data)

    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def processed_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "processed")

    @property
    def class_to_idx(self):
        return {_class: i for i, _class in enumerate(self.classes)}

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"

    @property
    def train_labels(self):
        warnings.warn("train_labels has been renamed targets")
        return self.targets

    @property
    def test_labels(self):
        warnings.warn("test_labels has been renamed targets")
        return self.targets

    @property
    def train_data(self):
        warnings.warn("train_data has been renamed data")
        return self.data

    @property
    def test_data(self):
        warnings.warn("test_data has been renamed data")
        return self.data


class FashionMNIST(MNIST):
    """`Fashion-MNIST <https://github.com/zalandoresearch/fashion-mnist>`_: Zalando's clothing images, MNIST's format."""
    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]


class KMNIST(MNIST):
    """`Kuzushiji-MNIST <https://github.com/rois-codh/kmnist>`_: cursive Japanese characters, MNIST's format."""
    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
        ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
        ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
        ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134"),
    ]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


class EMNIST(MNIST):
    """`EMNIST <https://www.nist.gov/itl/products-and-services/emnist-dataset>`_; ``split`` is one of
    byclass, bymerge, balanced, letters, digits, mnist."""
    url = "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"
    md5 = "58c8d27c78d21e728a6bc7b3cc06412e"
    splits = ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    _merged_classes = {"c", "i", "j", "k", "l", "m", "o", "p", "s", "u", "v", "w", "x", "y", "z"}
    _all_classes = set(string.digits + string.ascii_letters)
    classes_split_dict = {
        "byclass": sorted(_all_classes),
        "bymerge": sorted(_all_classes - _merged_classes),
        "balanced": sorted(_all_classes - _merged_classes),
        "letters": ["N/A"] + list(string.ascii_lowercase),
        "digits": list(string.digits),
        "mnist": list(string.digits),
    }

    def __init__(self, root, split, **kwargs):
        self.split = verify_str_arg(split, "split", self.splits)
        self.training_file = f"training_{split}.pt"
        self.test_file = f"test_{split}.pt"
        super().__init__(root, **kwargs)
        self.classes = self.classes_split_dict[self.split]

    @property
    def _file_prefix(self):
        return f"emnist-{self.split}-{'train' if self.train else 'test'}"

    @property
    def images_file(self):
        return os.path.join(self.raw_folder, f"{self._file_prefix}-images-idx3-ubyte")

    @property
    def labels_file(self):
        return os.path.join(self.raw_folder, f"{self._file_prefix}-labels-idx1-ubyte")

    def _raw_path(self, stem):
        plain = os.path.join(self.raw_folder, stem)
        for candidate in (plain, plain + ".gz"):
            if os.path.isfile(candidate):
                return candidate
        return None

    def _stems(self):
        return [os.path.basename(self.images_file), os.path.basename(self.labels_file)]

    def _load_data(self):
        return (read_image_file(self._raw_path(os.path.basename(self.images_file))),
                read_label_file(self._raw_path(os.path.basename(self.labels_file))))

    def _missing_message(self):
        return (f"Expected {os.path.basename(self.images_file)} and {os.path.basename(self.labels_file)} "
                f"(or their .gz) in {self.raw_folder}; they come from {self.url} (MD5 {self.md5}), "
                "or pass download=True.")

    def download(self):
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        download_and_extract_archive(self.url, download_root=self.raw_folder, md5=self.md5)
        gzip_folder = os.path.join(self.raw_folder, "gzip")
        for gzip_file in os.listdir(gzip_folder):
            if gzip_file.endswith(".gz"):
                extract_archive(os.path.join(gzip_folder, gzip_file), self.raw_folder)
        shutil.rmtree(gzip_folder)


def _np(t):
    return t._data if isinstance(t, Tensor) else np.asarray(t)


_SN3_TYPES = {8: np.uint8, 9: np.int8, 11: np.dtype(">i2"), 12: np.dtype(">i4"), 13: np.dtype(">f4"),
              14: np.dtype(">f8")}


def read_sn3_pascalvincent_tensor(path, strict=True):
    """Read an IDX file (``*-ubyte`` or ``*-ubyte.gz``) into a Tensor of its stored dtype."""
    opener = gzip.open if os.fspath(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    nd, ty = magic % 256, magic // 256
    if not (1 <= nd <= 3 and ty in _SN3_TYPES):
        raise RuntimeError(f"{path} is not an IDX file (magic number {magic:#010x}); the file may be corrupted")
    shape = [int.from_bytes(data[4 * (i + 1): 4 * (i + 2)], "big") for i in range(nd)]
    dtype = np.dtype(_SN3_TYPES[ty])
    count = int(np.prod(shape))
    offset = 4 * (nd + 1)
    if len(data) < offset + count * dtype.itemsize:
        raise RuntimeError(f"{path} is truncated: expected {count} values of shape {shape}")
    arr = np.frombuffer(data, dtype=dtype, count=count, offset=offset).astype(dtype.newbyteorder("="))
    return Tensor._wrap(arr.reshape(shape))


def read_image_file(path):
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x._data.dtype != np.uint8:
        raise TypeError(f"x should be of dtype torch.uint8 instead of {x.dtype}")
    if x.ndim != 3:
        raise ValueError(f"x should have 3 dimension instead of {x.ndim}")
    return x


def read_label_file(path):
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x._data.dtype != np.uint8:
        raise TypeError(f"x should be of dtype torch.uint8 instead of {x.dtype}")
    if x.ndim != 1:
        raise ValueError(f"x should have 1 dimension instead of {x.ndim}")
    return Tensor._wrap(x._data.astype(np.int64))
