"""Course Part 2: neural networks in PyTorch. MNIST batches, a network by hand, nn.Module, nn.Sequential.

    python examples/part2_mnist_network.py [--data-root DIR] [--out DIR] [--limit N]

No training yet (that is Part 3): the untrained network's class probabilities are
about uniform, which view_classify.png shows; the accuracy printed is chance level.
Writes batch.png (a batch of digits with their labels) and view_classify.png.
"""
import os
from collections import OrderedDict

import ember as torch
import ember.nn.functional as F
from ember import nn
from ember.vision import datasets, transforms

import common


def activation(x):
    return 1 / (1 + torch.exp(-x))


def softmax(x):
    """Softmax by hand: exp over the sum of exps in each row (view(-1, 1) makes the sum broadcast per row)."""
    return torch.exp(x) / torch.sum(torch.exp(x), dim=1).view(-1, 1)


class Network(nn.Module):
    """784 -> 128 -> 64 -> 10 with ReLU and a softmax output, as the course builds it."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return F.softmax(self.fc3(x), dim=1)


def main(argv=None):
    args = common.parser(__doc__.splitlines()[0], epochs=0, out="out/part2_mnist_network").parse_args(argv)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    root = common.data_root(args.data_root)

    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    trainset = common.limited(datasets.MNIST(root, download=True, train=True, transform=transform), args.limit)
    trainloader = torch.utils.data.DataLoader(trainset, batch_size=64, shuffle=True)
    dataiter = iter(trainloader)
    images, labels = next(dataiter)
    print(type(images), images.shape, labels.shape)
    common.image_grid(images[:16], os.path.join(args.out, "batch.png"), titles=[str(int(l)) for l in labels[:16]])

    # The network by hand: flatten, one hidden layer of 256 sigmoid units, 10 outputs, softmax.
    inputs = images.view(images.shape[0], -1)
    w1, b1 = torch.randn(784, 256), torch.randn(256)
    w2, b2 = torch.randn(256, 10), torch.randn(10)
    h = activation(torch.mm(inputs, w1) + b1)
    out = torch.mm(h, w2) + b2
    probabilities = softmax(out)
    print("by hand:", probabilities.shape, "rows sum to", probabilities.sum(dim=1)[:3])

    # The same with nn.Module, then weight initialisation, then nn.Sequential and an OrderedDict.
    model = Network()
    print(model)
    model.fc1.bias.data.fill_(0)
    model.fc1.weight.data.normal_(std=0.01)
    seq = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10),
                        nn.Softmax(dim=1))
    named = nn.Sequential(OrderedDict([("fc1", nn.Linear(784, 128)), ("relu1", nn.ReLU()),
                                       ("fc2", nn.Linear(128, 64)), ("relu2", nn.ReLU()),
                                       ("output", nn.Linear(64, 10)), ("softmax", nn.Softmax(dim=1))]))
    print(named)
    print("seq[0] is", seq[0], "; named.fc1 is", named.fc1)

    # Forward pass through the untrained network.
    images.resize_(64, 1, 784)
    img_idx = 0
    ps = model.forward(images[img_idx, :])
    common.view_classify(images[img_idx].view(1, 28, 28), ps, os.path.join(args.out, "view_classify.png"),
                         [str(i) for i in range(10)])

    correct = seen = 0
    with torch.no_grad():
        for batch, labels in trainloader:
            ps = model(batch.view(batch.shape[0], -1))
            correct += (ps.argmax(dim=1) == labels).sum().item()
            seen += len(labels)
    print(f"Untrained accuracy: {correct / seen:.3f} (chance is 0.1; Part 3 trains it)")
    print(f"Wrote batch.png and view_classify.png to {args.out}")


if __name__ == "__main__":
    main()
