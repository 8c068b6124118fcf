"""Networks of the study notes (000, 001 Parts 2, 3, 5, 6, 003, 004) run under ``import ember as torch``."""
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import ember as torch
from ember import nn, optim
import ember.nn.functional as F


class Network(nn.Module):          # note 001 Part 2
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return F.softmax(self.fc3(x), dim=1)


class Classifier(nn.Module):       # note 001 Part 5
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 64)
        self.fc4 = nn.Linear(64, 10)
        self.dropout = nn.Dropout(p=0.2)

    def forward(self, x):
        x = x.view(x.shape[0], -1)
        x = self.dropout(F.relu(self.fc1(x)))
        x = self.dropout(F.relu(self.fc2(x)))
        x = self.dropout(F.relu(self.fc3(x)))
        return F.log_softmax(self.fc4(x), dim=1)


def _batch(n=64):
    rng = np.random.default_rng(0)
    return torch.tensor(rng.standard_normal((n, 1, 28, 28)).astype(np.float32)), \
        torch.tensor(rng.integers(0, 10, n))


def test_note_001_part2_network_and_sequential():
    model = Network()
    assert "(fc1): Linear(in_features=784, out_features=128, bias=True)" in repr(model)
    ps = model(_batch()[0].view(64, 784))
    assert tuple(ps.shape) == (64, 10) and np.allclose(ps.sum(1).detach().numpy(), 1, atol=1e-5)
    seq = nn.Sequential(OrderedDict([("fc1", nn.Linear(784, 128)), ("relu1", nn.ReLU()),
                                     ("output", nn.Linear(128, 10)), ("softmax", nn.Softmax(dim=1))]))
    assert seq.fc1 is seq[0] and tuple(seq(torch.ones(2, 784)).shape) == (2, 10)


def test_note_001_part3_and_5_training_reduces_loss():
    model = Classifier()
    criterion = nn.NLLLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.003)
    images, labels = _batch()
    losses = []
    for _ in range(15):
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] * 0.5
    model.eval()
    with torch.no_grad():
        ps = torch.exp(model(images))
        top_p, top_class = ps.topk(1, dim=1) if hasattr(ps, "topk") else (None, ps.argmax(1, keepdim=True))
        equals = top_class == labels.view(*top_class.shape)
        assert torch.mean(equals.type(torch.FloatTensor)).item() > 0.5
    model.train()


def test_note_001_part6_save_load_size_mismatch():
    model = Classifier()
    state = model.state_dict()
    assert list(state.keys()) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias",
                                  "fc4.weight", "fc4.bias"]
    assert repr(Classifier().load_state_dict(state)) == "<All keys matched successfully>"

    class Wider(Classifier):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(784, 400)
            self.fc2 = nn.Linear(400, 128)

    with pytest.raises(RuntimeError) as ei:
        Wider().load_state_dict(state)
    msg = str(ei.value)
    assert msg.startswith("Error(s) in loading state_dict for Wider:\n\tsize mismatch for fc1.weight: copying a "
                          "param with shape torch.Size([256, 784]) from checkpoint, the shape in current model is "
                          "torch.Size([400, 784]).")


def test_note_004_cross_entropy_sgd_momentum():
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10))
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    images, labels = _batch()
    first = None
    for _ in range(10):
        optimizer.zero_grad()
        loss = criterion(net(images), labels)
        loss.backward()
        optimizer.step()
        first = first if first is not None else loss.item()
    assert loss.item() < first


def test_note_000_schedulers_and_clip():
    net = nn.Sequential(nn.Linear(10, 10), nn.GELU(), nn.Dropout(0.1), nn.Linear(10, 1))
    opt = optim.AdamW(net.parameters(), lr=1e-2)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    x, y = torch.ones(8, 10), torch.zeros(8, 1)
    for _ in range(4):
        opt.zero_grad()
        loss = nn.MSELoss()(net(x), y)
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        sched.step()
    assert sched.get_last_lr() == [2.5e-3]
