"""Course Part 3: training neural networks. Losses, autograd, one optimizer step, then an MNIST training loop.

    python examples/part3_training.py [--epochs 5] [--data-root DIR] [--out DIR] [--limit N]

784-128-64-10 with ReLU and LogSoftmax, NLLLoss, SGD(lr=0.003), batch 64, as the
course trains it. Prints per-epoch training loss, validation loss and accuracy;
writes loss_curves.png, predictions.png and view_classify.png.
"""
import os

import ember as torch
from ember import nn, optim
from ember.vision import datasets, transforms

import common


def main(argv=None):
    p = common.parser(__doc__.splitlines()[0], epochs=5, out="out/part3_training")
    p.add_argument("--lr", type=float, default=0.003)
    args = p.parse_args(argv)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    root = common.data_root(args.data_root)

    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    trainset = common.limited(datasets.MNIST(root, download=True, train=True, transform=transform), args.limit)
    testset = common.limited(datasets.MNIST(root, download=True, train=False, transform=transform), args.limit)
    trainloader = torch.utils.data.DataLoader(trainset, batch_size=64, shuffle=True)
    testloader = torch.utils.data.DataLoader(testset, batch_size=256)

    # Losses: CrossEntropyLoss on raw scores equals NLLLoss on log-probabilities.
    images, labels = next(iter(trainloader))
    images = images.view(images.shape[0], -1)
    scores_model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    logits = scores_model(images)
    ce = nn.CrossEntropyLoss()(logits, labels)
    nll = nn.NLLLoss()(nn.LogSoftmax(dim=1)(logits), labels)
    print(f"CrossEntropyLoss {ce.item():.4f} == NLLLoss(LogSoftmax) {nll.item():.4f}")

    # Autograd: z = mean(x ** 2) has gradient x / 2 for a 2x2 x.
    x = torch.randn(2, 2, requires_grad=True)
    y = x ** 2
    z = y.mean()
    print("y.grad_fn:", y.grad_fn, " z.grad_fn:", z.grad_fn)
    z.backward()
    print("x.grad == x / 2:", torch.allclose(x.grad, x / 2))
    try:
        z.backward()
    except RuntimeError as exc:
        print("a second backward fails as the course shows:", str(exc).splitlines()[0][:90], "...")

    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10),
                          nn.LogSoftmax(dim=1))
    criterion = nn.NLLLoss()
    optimizer = optim.SGD(model.parameters(), lr=args.lr)

    # One optimizer step, showing the weights move against the gradient.
    before = model[0].weight.clone()
    optimizer.zero_grad()
    criterion(model(images), labels).backward()
    grad = model[0].weight.grad.clone()
    optimizer.step()
    print("one SGD step: w_new == w - lr * grad:", torch.allclose(model[0].weight, before - args.lr * grad))

    train_losses, val_losses, accuracies = [], [], []
    for e in range(args.epochs):
        running_loss = 0
        bar = common.progress(trainloader, f"epoch {e + 1}/{args.epochs}", disable=args.no_progress)
        for i, (images, labels) in enumerate(bar, 1):
            images = images.view(images.shape[0], -1)
            optimizer.zero_grad()
            output = model(images)
            loss = criterion(output, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            if hasattr(bar, "set_postfix") and i % 10 == 0:
                bar.set_postfix(loss=f"{running_loss / i:.3f}")
        val_loss, correct, seen = 0.0, 0, 0
        with torch.no_grad():
            for images, labels in testloader:
                log_ps = model(images.view(images.shape[0], -1))
                val_loss += criterion(log_ps, labels).item() * len(labels)
                correct += (log_ps.argmax(dim=1) == labels).sum().item()
                seen += len(labels)
        train_losses.append(running_loss / len(trainloader))
        val_losses.append(val_loss / seen)
        accuracies.append(correct / seen)
        print(f"Epoch {e + 1}/{args.epochs}  Training loss: {train_losses[-1]:.3f}  "
              f"Validation loss: {val_losses[-1]:.3f}  Accuracy: {accuracies[-1]:.3f}")

    common.plot_losses(train_losses, val_losses, os.path.join(args.out, "loss_curves.png"), accuracies)
    images, labels = next(iter(testloader))
    with torch.no_grad():
        ps = torch.exp(model(images.view(images.shape[0], -1)))
    common.prediction_grid(images[:32], ps.argmax(dim=1), labels[:32], [str(i) for i in range(10)],
                           os.path.join(args.out, "predictions.png"))
    common.view_classify(images[0], ps[0], os.path.join(args.out, "view_classify.png"), [str(i) for i in range(10)])
    print(f"Test accuracy: {accuracies[-1]:.4f}" if accuracies else "No epochs run")
    print(f"Wrote loss_curves.png, predictions.png and view_classify.png to {args.out}")
    return accuracies[-1] if accuracies else None


if __name__ == "__main__":
    main()
