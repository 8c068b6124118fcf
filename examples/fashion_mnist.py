"""The course's FashionMNIST classifier (study note 001, Parts 4-6): train, validate, save, plot.

    python examples/fashion_mnist.py [--epochs 5] [--data-root DIR] [--out DIR] [--tensorboard]

784-256-128-64-10 with ReLU, Dropout(0.2) and log_softmax, NLLLoss, Adam(lr=0.003),
batch 64. Prints per-epoch training loss, validation loss and accuracy, then the
test accuracy; writes checkpoint.pth, loss_curves.png, predictions.png and
view_classify.png into --out.
"""
import os
import time

import ember as torch
import ember.nn.functional as F
from ember import nn, optim
from ember.vision import datasets, transforms

import common


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


def evaluate(model, loader, criterion):
    """Mean loss and accuracy over ``loader`` with dropout off and no graph."""
    model.eval()
    loss_sum, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in loader:
            log_ps = model(images)
            loss_sum += criterion(log_ps, labels).item() * len(labels)
            top_p, top_class = log_ps.exp().topk(1, dim=1)
            correct += (top_class == labels.view(*top_class.shape)).sum().item()
            seen += len(labels)
    model.train()
    return loss_sum / seen, correct / seen


def main(argv=None):
    args = common.parser(__doc__.splitlines()[0], epochs=5, out="out/fashion_mnist")
    args.add_argument("--batch-size", type=int, default=64)
    args.add_argument("--lr", type=float, default=0.003)
    args.add_argument("--tensorboard", action="store_true", help="also log to <out>/runs for TensorBoard")
    args = args.parse_args(argv)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    root = common.data_root(args.data_root)

    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    trainset = common.limited(datasets.FashionMNIST(root, download=True, train=True, transform=transform),
                              args.limit)
    testset = common.limited(datasets.FashionMNIST(root, download=True, train=False, transform=transform),
                             args.limit)
    trainloader = torch.utils.data.DataLoader(trainset, batch_size=args.batch_size, shuffle=True)
    testloader = torch.utils.data.DataLoader(testset, batch_size=256, shuffle=False)
    print(f"FashionMNIST from {root}: {len(trainset)} training and {len(testset)} test images")

    model = Classifier()
    criterion = nn.NLLLoss()
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    writer = None
    if args.tensorboard:
        from ember.utils.tensorboard import SummaryWriter
        writer = SummaryWriter(os.path.join(args.out, "runs"))

    train_losses, val_losses, accuracies = [], [], []
    for epoch in range(1, args.epochs + 1):
        start, running, batches = time.perf_counter(), 0.0, 0
        bar = common.progress(trainloader, f"epoch {epoch}/{args.epochs}", disable=args.no_progress)
        for images, labels in bar:
            optimizer.zero_grad()
            loss = criterion(model(images), labels)
            loss.backward()
            optimizer.step()
            running += loss.item()
            batches += 1
            if batches % 20 == 0 and hasattr(bar, "set_postfix"):
                bar.set_postfix(loss=f"{running / batches:.3f}")
        val_loss, accuracy = evaluate(model, testloader, criterion)
        train_losses.append(running / batches)
        val_losses.append(val_loss)
        accuracies.append(accuracy)
        print(f"Epoch {epoch}/{args.epochs}  Training loss: {train_losses[-1]:.3f}  Validation loss: "
              f"{val_loss:.3f}  Accuracy: {accuracy:.3f}  ({time.perf_counter() - start:.1f} s)")
        if writer is not None:
            writer.add_scalar("loss/train", train_losses[-1], epoch)
            writer.add_scalar("loss/validation", val_loss, epoch)
            writer.add_scalar("accuracy", accuracy, epoch)
            writer.add_histogram("fc1.weight", model.fc1.weight, epoch)
    if writer is not None:
        writer.close()

    checkpoint = {"input_size": 784, "output_size": 10, "hidden_layers": [256, 128, 64],
                  "state_dict": model.state_dict()}
    torch.save(checkpoint, os.path.join(args.out, "checkpoint.pth"))
    common.plot_losses(train_losses, val_losses, os.path.join(args.out, "loss_curves.png"), accuracies)
    model.eval()
    images, labels = next(iter(testloader))
    with torch.no_grad():
        ps = model(images[:32]).exp()
    common.prediction_grid(images[:32], ps.argmax(dim=1), labels[:32], common.FASHION_CLASSES,
                           os.path.join(args.out, "predictions.png"))
    common.view_classify(images[0], ps[0], os.path.join(args.out, "view_classify.png"), common.FASHION_CLASSES)
    print(f"Test accuracy: {accuracies[-1]:.4f}")
    print(f"Wrote checkpoint.pth, loss_curves.png, predictions.png and view_classify.png to {args.out}")
    return accuracies[-1]


if __name__ == "__main__":
    main()
