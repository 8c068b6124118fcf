"""Workloads for the side-by-side benchmarks, each written once against ``lib`` (ember or torch).

The models are defined with ``lib.nn`` so both libraries run the very same
architecture; torchvision is not needed on the PyTorch side.
"""
import gzip
import os
import pathlib

import numpy as np

DATA = pathlib.Path(os.environ.get("EMBER_TEST_DATA",
                                   pathlib.Path(__file__).resolve().parents[2] / "shared" / "datasets"))


def fashion_arrays(train=True):
    """FashionMNIST as uint8 arrays (N, 28, 28) and int64 labels, read from the raw idx files."""
    raw = DATA / "FashionMNIST" / "raw"
    prefix = "train" if train else "t10k"
    with gzip.open(raw / f"{prefix}-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(raw / f"{prefix}-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    return images, labels


def classifier(lib):
    """The course's FashionMNIST network: 784-256-128-64-10, ReLU, Dropout(0.2), log_softmax."""
    nn, F = lib.nn, lib.nn.functional

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = nn.Linear(784, 256), nn.Linear(256, 128)
            self.fc3, self.fc4 = nn.Linear(128, 64), nn.Linear(64, 10)
            self.dropout = nn.Dropout(p=0.2)

        def forward(self, x):
            x = x.view(x.shape[0], -1)
            x = self.dropout(F.relu(self.fc1(x)))
            x = self.dropout(F.relu(self.fc2(x)))
            x = self.dropout(F.relu(self.fc3(x)))
            return F.log_softmax(self.fc4(x), dim=1)
    return Classifier()


def train_epoch(lib, model, loader, optimizer, criterion):
    model.train()
    for images, labels in loader:
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()


def test_pass(lib, model, loader):
    model.eval()
    correct = 0
    with lib.no_grad():
        for images, labels in loader:
            correct += (model(images).argmax(dim=1) == labels).sum().item()
    return correct


def mlp_epoch(lib, limit=None):
    """One training epoch on pre-normalised tensors (TensorDataset, shuffled DataLoader, batch 64) + test pass."""
    xtr, ytr = fashion_arrays(True)
    xte, yte = fashion_arrays(False)
    if limit:
        xtr, ytr = xtr[:limit], ytr[:limit]
    norm = lambda x: ((x.astype(np.float32) / 255 - 0.5) / 0.5)[:, None]  # noqa: E731
    train = lib.utils.data.TensorDataset(lib.from_numpy(norm(xtr)), lib.from_numpy(ytr))
    test = lib.utils.data.TensorDataset(lib.from_numpy(norm(xte)), lib.from_numpy(yte))
    lib.manual_seed(0)
    model = classifier(lib)
    opt = lib.optim.Adam(model.parameters(), lr=0.003)
    crit = lib.nn.NLLLoss()
    trainloader = lib.utils.data.DataLoader(train, batch_size=64, shuffle=True)
    testloader = lib.utils.data.DataLoader(test, batch_size=64)

    def run():
        train_epoch(lib, model, trainloader, opt, crit)
        test_pass(lib, model, testloader)
    return run


class _PerSampleFashion:
    """PyTorch side of the data-pipeline benchmark: torchvision's per-sample path, by hand
    (PIL image -> ToTensor -> Normalize for every sample), since torchvision is not installed."""

    def __init__(self, torch, images, labels):
        self.torch, self.images, self.labels = torch, images, labels

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        from PIL import Image
        torch = self.torch
        img = Image.fromarray(self.images[i], mode="L")
        t = torch.from_numpy(np.array(img, np.uint8, copy=True)).unsqueeze(0).float().div(255)   # ToTensor
        t = (t - 0.5) / 0.5                                                                          # Normalize
        return t, int(self.labels[i])


def pipeline_epoch(lib, limit=None):
    """One epoch through the dataset class with ToTensor+Normalize and DataLoader(64, shuffle)."""
    import ember
    lib.manual_seed(0)
    if lib is ember:
        from ember.vision import datasets, transforms
        tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
        train = datasets.FashionMNIST(str(DATA), train=True, transform=tf)
        if limit:
            train = ember.utils.data.Subset(train, range(limit))
    else:
        x, y = fashion_arrays(True)
        train = _PerSampleFashion(lib, x[:limit] if limit else x, y[:limit] if limit else y)
    model = classifier(lib)
    opt = lib.optim.Adam(model.parameters(), lr=0.003)
    crit = lib.nn.NLLLoss()
    loader = lib.utils.data.DataLoader(train, batch_size=64, shuffle=True)
    return lambda: train_epoch(lib, model, loader, opt, crit)


def blitz_cnn(lib):
    """The 60-minute blitz CIFAR-10 CNN."""
    nn, F = lib.nn, lib.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 6, 5)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = lib.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)
    return Net()


def cnn_steps(batch, steps):
    """Training steps of the blitz CNN (SGD momentum 0.9) on fixed random CIFAR-shaped data."""
    def make(lib):
        lib.manual_seed(0)
        net = blitz_cnn(lib)
        opt = lib.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
        crit = lib.nn.CrossEntropyLoss()
        rng = np.random.default_rng(0)
        xs = [lib.from_numpy(rng.standard_normal((batch, 3, 32, 32)).astype(np.float32)) for _ in range(8)]
        ys = [lib.from_numpy(rng.integers(0, 10, batch)) for _ in range(8)]

        def run():
            for i in range(steps):
                opt.zero_grad()
                loss = crit(net(xs[i % 8]), ys[i % 8])
                loss.backward()
                opt.step()
        return run
    return make


def resnet18(lib, num_classes=10):
    """torchvision's ResNet-18 layout (BasicBlock x [2, 2, 2, 2]) built from ``lib.nn``."""
    nn = lib.nn

    class BasicBlock(nn.Module):
        def __init__(self, inp, out, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(inp, out, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(out)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(out, out, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(out)
            self.downsample = None
            if stride != 1 or inp != out:
                self.downsample = nn.Sequential(nn.Conv2d(inp, out, 1, stride, bias=False), nn.BatchNorm2d(out))

        def forward(self, x):
            identity = x if self.downsample is None else self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            out += identity
            return self.relu(out)

    class ResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
            chans, layers, inp = [64, 128, 256, 512], [], 64
            for i, c in enumerate(chans):
                stride = 1 if i == 0 else 2
                layers.append(nn.Sequential(BasicBlock(inp, c, stride), BasicBlock(c, c, 1)))
                inp = c
            self.layer1, self.layer2, self.layer3, self.layer4 = layers
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(512, num_classes)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(lib.flatten(self.avgpool(x), 1))
    return ResNet()


def resnet_train(batch, steps=2):
    def make(lib):
        lib.manual_seed(0)
        net = resnet18(lib)
        opt = lib.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
        crit = lib.nn.CrossEntropyLoss()
        rng = np.random.default_rng(0)
        x = lib.from_numpy(rng.standard_normal((batch, 3, 32, 32)).astype(np.float32))
        y = lib.from_numpy(rng.integers(0, 10, batch))

        def run():
            for _ in range(steps):
                opt.zero_grad()
                crit(net(x), y).backward()
                opt.step()
        return run
    return make


def resnet_infer(batch, size=224):
    def make(lib):
        lib.manual_seed(0)
        net = resnet18(lib, num_classes=1000).eval()
        x = lib.from_numpy(np.random.default_rng(0).standard_normal((batch, 3, size, size)).astype(np.float32))

        def run():
            with lib.no_grad():
                net(x)
        return run
    return make


def lstm_step(lib):
    """2-layer LSTM (hidden 128) over 28 rows of 28 pixels, batch 100, + Linear head: one training step."""
    nn = lib.nn

    class RNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(28, 128, 2, batch_first=True)
            self.fc = nn.Linear(128, 10)

        def forward(self, x):
            out, _ = self.lstm(x)
            return self.fc(out[:, -1, :])
    lib.manual_seed(0)
    net = RNN()
    opt = lib.optim.Adam(net.parameters(), lr=0.001)
    crit = nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    x = lib.from_numpy(rng.standard_normal((100, 28, 28)).astype(np.float32))
    y = lib.from_numpy(rng.integers(0, 10, 100))

    def run():
        opt.zero_grad()
        crit(net(x), y).backward()
        opt.step()
    return run
