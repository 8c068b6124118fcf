"""Course Part 8: transfer learning. densenet121's features, frozen, with a new 2-class classifier on ants/bees.

    python examples/part8_transfer_learning.py [--epochs 1] [--data-root DIR] [--out DIR] [--limit N]

Starts from densenet121(weights=DenseNet121_Weights.IMAGENET1K_V1) when the weight
file (densenet121-a639ec97.pth) is in the torch hub cache ($TORCH_HOME/hub/checkpoints,
default ~/.cache/torch/hub/checkpoints), otherwise from random weights, and says which
(frozen random features still train a classifier, only a weak one). The classifier is
the course's Linear(1024, 256)-ReLU-Dropout(0.2)-Linear(256, 2)-LogSoftmax with
Adam(lr=0.003). Runs on the GPU when one is usable. Writes loss_curves.png,
predictions.png and view_classify.png.
"""
import os
import time

import ember as torch
from ember import nn, optim
from ember.vision import datasets, models, transforms

import common

MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def pretrained_densenet121():
    """densenet121 with ImageNet weights when the file is cached (no download), else random weights."""
    weights = models.DenseNet121_Weights.IMAGENET1K_V1
    cached = os.path.join(torch.hub.get_dir(), "checkpoints", os.path.basename(weights.url))
    if os.path.exists(cached):
        print(f"Starting from pretrained densenet121 weights ({cached})")
        return models.densenet121(weights=weights), True
    print(f"No pretrained weights at {cached}: starting from RANDOM densenet121 weights "
          f"(put densenet121-a639ec97.pth there for the course's results)")
    return models.densenet121(weights=None), False


def main(argv=None):
    p = common.parser(__doc__.splitlines()[0], epochs=1, out="out/part8_transfer_learning")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--image-size", type=int, default=224, help="crop size (smaller is faster on a CPU)")
    p.add_argument("--device", default=None, help="cpu or cuda (default: cuda when usable)")
    args = p.parse_args(argv)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    data_dir = os.path.join(common.data_root(args.data_root), "hymenoptera_data")
    size = args.image_size
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))

    train_transforms = transforms.Compose([transforms.RandomRotation(30),
                                           transforms.RandomResizedCrop(size),
                                           transforms.RandomHorizontalFlip(),
                                           transforms.ToTensor(),
                                           transforms.Normalize(MEAN, STD)])
    test_transforms = transforms.Compose([transforms.Resize(size * 255 // 224),
                                          transforms.CenterCrop(size),
                                          transforms.ToTensor(),
                                          transforms.Normalize(MEAN, STD)])
    train_data = datasets.ImageFolder(data_dir + "/train", transform=train_transforms)
    test_data = datasets.ImageFolder(data_dir + "/val", transform=test_transforms)
    classes = train_data.classes
    train_data, test_data = common.limited(train_data, args.limit), common.limited(test_data, args.limit)
    trainloader = torch.utils.data.DataLoader(train_data, batch_size=args.batch_size, shuffle=True)
    testloader = torch.utils.data.DataLoader(test_data, batch_size=args.batch_size)
    print(f"{len(train_data)} training and {len(test_data)} validation images of {classes}, {size}x{size}, "
          f"on {device}")

    model, pretrained = pretrained_densenet121()
    # Freeze parameters so we don't backprop through them
    for param in model.parameters():
        param.requires_grad = False
    model.classifier = nn.Sequential(nn.Linear(1024, 256),
                                     nn.ReLU(),
                                     nn.Dropout(0.2),
                                     nn.Linear(256, 2),
                                     nn.LogSoftmax(dim=1))
    criterion = nn.NLLLoss()
    # Only train the classifier parameters, feature parameters are frozen
    optimizer = optim.Adam(model.classifier.parameters(), lr=0.003)
    model.to(device)
    print(f"trainable parameters: {sum(p.numel() for p in model.parameters() if p.requires_grad)} of "
          f"{sum(p.numel() for p in model.parameters())}")

    train_losses, test_losses, accuracies = [], [], []
    for epoch in range(args.epochs):
        start, running_loss = time.perf_counter(), 0
        bar = common.progress(trainloader, f"epoch {epoch + 1}/{args.epochs}", disable=args.no_progress)
        for i, (inputs, labels) in enumerate(bar, 1):
            inputs, labels = inputs.to(device), labels.to(device)
            optimizer.zero_grad()
            logps = model.forward(inputs)
            loss = criterion(logps, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            if hasattr(bar, "set_postfix"):
                bar.set_postfix(loss=f"{running_loss / i:.3f}")
        test_loss, accuracy, seen = 0, 0, 0
        model.eval()
        with torch.no_grad():
            for inputs, labels in testloader:
                inputs, labels = inputs.to(device), labels.to(device)
                logps = model.forward(inputs)
                test_loss += criterion(logps, labels).item() * len(labels)
                top_p, top_class = torch.exp(logps).topk(1, dim=1)
                equals = top_class == labels.view(*top_class.shape)
                accuracy += equals.sum().item()
                seen += len(labels)
        model.train()
        train_losses.append(running_loss / len(trainloader))
        test_losses.append(test_loss / seen)
        accuracies.append(accuracy / seen)
        print(f"Epoch {epoch + 1}/{args.epochs}.. Train loss: {train_losses[-1]:.3f}.. "
              f"Test loss: {test_losses[-1]:.3f}.. Test accuracy: {accuracies[-1]:.3f} "
              f"({time.perf_counter() - start:.1f} s)")

    common.plot_losses(train_losses, test_losses, os.path.join(args.out, "loss_curves.png"), accuracies)
    model.eval()
    images, labels = next(iter(torch.utils.data.DataLoader(test_data, batch_size=8, shuffle=True)))
    with torch.no_grad():
        ps = torch.exp(model(images.to(device))).cpu()
    common.prediction_grid(images, ps.argmax(dim=1), labels, classes, os.path.join(args.out, "predictions.png"),
                           ncols=4, mean=MEAN, std=STD)
    plt = common._plt()
    fig, (ax1, ax2) = plt.subplots(figsize=(7, 3.5), ncols=2)
    ax1.imshow(common.unnormalize(images[0], MEAN, STD))
    ax1.axis("off")
    ax2.barh(range(len(classes)), ps[0].numpy())
    ax2.set_yticks(range(len(classes)))
    ax2.set_yticklabels(classes)
    ax2.set_xlim(0, 1.1)
    ax2.set_title("Class Probability")
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, "view_classify.png"), dpi=100)
    plt.close(fig)
    print(f"Weights: {'pretrained' if pretrained else 'random'}")
    print(f"Test accuracy: {accuracies[-1]:.4f}" if accuracies else "No epochs run")
    print(f"Wrote loss_curves.png, predictions.png and view_classify.png to {args.out}")
    return accuracies[-1] if accuracies else None


if __name__ == "__main__":
    main()
