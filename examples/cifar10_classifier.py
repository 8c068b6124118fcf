"""The 60-minute blitz's CIFAR-10 classifier (study note 004): a small CNN, SGD with momentum, per-class accuracy.

    python examples/cifar10_classifier.py [--epochs 2] [--data-root DIR] [--out DIR] [--limit N] [--download]

Needs CIFAR-10 (python version) at <data-root>/cifar-10-batches-py; when it is not
there, says how to get it and exits cleanly (or downloads it with --download).
Conv(3,6,5)-Pool-Conv(6,16,5)-Pool-FC(400,120)-FC(120,84)-FC(84,10), CrossEntropyLoss,
SGD(lr=0.001, momentum=0.9), batch 4 as in the tutorial. Saves cifar_net.pth, reloads it,
prints the accuracy per class; writes loss_curves.png and predictions.png.
"""
import os

import ember as torch
import ember.nn.functional as F
from ember import nn, optim
from ember.vision import datasets, transforms

import common

CLASSES = ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


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
        x = torch.flatten(x, 1)  # flatten all dimensions except batch
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def main(argv=None):
    p = common.parser(__doc__.splitlines()[0], epochs=2, out="out/cifar10_classifier")
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--download", action="store_true", help="download CIFAR-10 (170 MB) when it is missing")
    args = p.parse_args(argv)
    torch.manual_seed(args.seed)
    root = common.data_root(args.data_root)

    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
    try:
        trainset = datasets.CIFAR10(root=root, train=True, download=args.download, transform=transform)
        testset = datasets.CIFAR10(root=root, train=False, download=args.download, transform=transform)
    except RuntimeError as exc:
        print(f"CIFAR-10 is not in {root}: {str(exc).splitlines()[0]}")
        print("To get it: run this example with --download (170 MB from https://www.cs.toronto.edu/~kriz/), "
              f"or extract cifar-10-python.tar.gz into {root} so that {root}/cifar-10-batches-py exists, "
              "or point --data-root / $EMBER_DATA at a folder that has it.")
        return None
    os.makedirs(args.out, exist_ok=True)
    trainset, testset = common.limited(trainset, args.limit), common.limited(testset, args.limit)
    trainloader = torch.utils.data.DataLoader(trainset, batch_size=args.batch_size, shuffle=True)
    testloader = torch.utils.data.DataLoader(testset, batch_size=args.batch_size, shuffle=False)
    print(f"CIFAR-10 from {root}: {len(trainset)} training and {len(testset)} test images")

    net = Net()
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    train_losses, val_losses, accuracies = [], [], []
    for epoch in range(args.epochs):  # loop over the dataset multiple times
        running_loss = 0.0
        bar = common.progress(trainloader, f"epoch {epoch + 1}/{args.epochs}", disable=args.no_progress)
        for i, data in enumerate(bar, 1):
            inputs, labels = data
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            if hasattr(bar, "set_postfix") and i % 50 == 0:
                bar.set_postfix(loss=f"{running_loss / i:.3f}")
        correct, total, val_loss = 0, 0, 0.0
        with torch.no_grad():
            for images, labels in testloader:
                outputs = net(images)
                val_loss += criterion(outputs, labels).item() * labels.size(0)
                _, predicted = torch.max(outputs.data, 1)
                total += labels.size(0)
                correct += (predicted == labels).sum().item()
        train_losses.append(running_loss / len(trainloader))
        val_losses.append(val_loss / total)
        accuracies.append(correct / total)
        print(f"Epoch {epoch + 1}/{args.epochs}  Training loss: {train_losses[-1]:.3f}  "
              f"Validation loss: {val_losses[-1]:.3f}  Accuracy: {accuracies[-1]:.3f}")
    print("Finished Training")

    PATH = os.path.join(args.out, "cifar_net.pth")
    torch.save(net.state_dict(), PATH)
    net = Net()
    net.load_state_dict(torch.load(PATH, weights_only=True))

    correct_pred = {classname: 0 for classname in CLASSES}
    total_pred = {classname: 0 for classname in CLASSES}
    with torch.no_grad():
        for images, labels in testloader:
            outputs = net(images)
            _, predictions = torch.max(outputs, 1)
            for label, prediction in zip(labels, predictions):
                if label == prediction:
                    correct_pred[CLASSES[label]] += 1
                total_pred[CLASSES[label]] += 1
    for classname, correct_count in correct_pred.items():
        if total_pred[classname]:
            print(f"Accuracy for class: {classname:5s} is {100 * float(correct_count) / total_pred[classname]:.1f} %")

    if accuracies:
        common.plot_losses(train_losses, val_losses, os.path.join(args.out, "loss_curves.png"), accuracies)
    images, labels = [], []
    for x, y in testloader:
        images.append(x)
        labels.append(y)
        if sum(len(b) for b in images) >= 16:
            break
    images, labels = torch.cat(images)[:16], torch.cat(labels)[:16]
    with torch.no_grad():
        predicted = net(images).argmax(dim=1)
    common.prediction_grid(images, predicted, labels, CLASSES, os.path.join(args.out, "predictions.png"),
                           mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))
    print(f"Test accuracy: {accuracies[-1]:.4f}" if accuracies else "No epochs run")
    print(f"Wrote cifar_net.pth, loss_curves.png and predictions.png to {args.out}")
    return accuracies[-1] if accuracies else None


if __name__ == "__main__":
    main()
