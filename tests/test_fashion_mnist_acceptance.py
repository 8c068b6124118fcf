"""Acceptance (issue 3 §5): study note 001 Part 5's FashionMNIST classifier, one epoch, >= 0.82 test accuracy.

Written as the note writes it, under ``import ember as torch``: 784-256-128-64-10 with ReLU, Dropout(0.2) and
log_softmax, NLLLoss, Adam(lr=0.003), batch 64, images through ToTensor + Normalize((0.5,), (0.5,)).
"""
import ember as torch
from ember import nn, optim
from ember.nn import functional as F
from ember.vision import datasets, transforms


class Classifier(nn.Module):
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


def test_one_epoch_reaches_082_test_accuracy(datasets_dir):
    torch.manual_seed(0)
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    trainset = datasets.FashionMNIST(str(datasets_dir), download=False, train=True, transform=transform)
    testset = datasets.FashionMNIST(str(datasets_dir), download=False, train=False, transform=transform)
    trainloader = torch.utils.data.DataLoader(trainset, batch_size=64, shuffle=True)
    testloader = torch.utils.data.DataLoader(testset, batch_size=64, shuffle=True)
    assert len(trainset) == 60000 and len(testset) == 10000

    model = Classifier()
    criterion = nn.NLLLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.003)

    running_loss, batches = 0.0, 0
    for images, labels in trainloader:
        assert images.shape[1:] == (1, 28, 28) and labels.dtype == torch.int64
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
        batches += 1
    assert batches == 938

    correct = total = 0
    test_loss = 0.0
    with torch.no_grad():
        model.eval()
        for images, labels in testloader:
            log_ps = model(images)
            test_loss += criterion(log_ps, labels).item()
            top_p, top_class = torch.exp(log_ps).topk(1, dim=1)
            equals = top_class == labels.view(*top_class.shape)
            correct += equals.sum().item()
            total += labels.shape[0]
    accuracy = correct / total
    assert total == 10000
    assert running_loss / batches < 0.65, running_loss / batches
    assert accuracy >= 0.82, f"test accuracy {accuracy:.4f} after one epoch (PyTorch: about 0.83)"
