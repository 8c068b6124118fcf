"""Course Part 5: inference and validation. Accuracy with topk, dropout, eval()/train(), loss curves.

    python examples/part5_inference_validation.py [--epochs 5] [--data-root DIR] [--out DIR] [--limit N]

FashionMNIST, 784-256-128-64-10 with Dropout(0.2), NLLLoss, Adam(lr=0.003) as the
course trains it (the course runs 30 epochs; the default here is 5). Prints per-epoch
training loss, test loss and accuracy; writes loss_curves.png (training vs validation
loss: dropout keeps them together), predictions.png and view_classify.png.
"""
import os

import ember as torch
import ember.nn.functional as F
from ember import nn, optim
from ember.vision import datasets, transforms

import common


class Classifier(nn.Module):
    def __init__(self, dropout=0.2):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 64)
        self.fc4 = nn.Linear(64, 10)
        # Dropout module with 0.2 drop probability
        self.dropout = nn.Dropout(p=dropout)

    def forward(self, x):
        # make sure input tensor is flattened
        x = x.view(x.shape[0], -1)
        # Now with dropout
        x = self.dropout(F.relu(self.fc1(x)))
        x = self.dropout(F.relu(self.fc2(x)))
        x = self.dropout(F.relu(self.fc3(x)))
        # output so no dropout here
        return F.log_softmax(self.fc4(x), dim=1)


def main(argv=None):
    p = common.parser(__doc__.splitlines()[0], epochs=5, out="out/part5_inference_validation")
    p.add_argument("--dropout", type=float, default=0.2, help="0 shows the course's overfitting curves")
    args = p.parse_args(argv)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    root = common.data_root(args.data_root)

    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    trainset = common.limited(datasets.FashionMNIST(root, download=True, train=True, transform=transform),
                              args.limit)
    testset = common.limited(datasets.FashionMNIST(root, download=True, train=False, transform=transform),
                             args.limit)
    trainloader = torch.utils.data.DataLoader(trainset, batch_size=64, shuffle=True)
    testloader = torch.utils.data.DataLoader(testset, batch_size=64, shuffle=True)

    model = Classifier(args.dropout)
    images, labels = next(iter(testloader))
    ps = torch.exp(model(images))
    print("probabilities of one batch:", ps.shape)
    top_p, top_class = ps.topk(1, dim=1)
    print("most likely classes of the first 10 examples:", top_class[:10, :].view(-1).tolist())
    equals = top_class == labels.view(*top_class.shape)
    accuracy = torch.mean(equals.type(torch.FloatTensor))
    print(f"Untrained accuracy on one batch: {accuracy.item() * 100}%")

    criterion = nn.NLLLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.003)
    train_losses, test_losses, accuracies = [], [], []
    for e in range(args.epochs):
        running_loss = 0
        bar = common.progress(trainloader, f"epoch {e + 1}/{args.epochs}", disable=args.no_progress)
        for i, (images, labels) in enumerate(bar, 1):
            optimizer.zero_grad()
            log_ps = model(images)
            loss = criterion(log_ps, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            if hasattr(bar, "set_postfix") and i % 10 == 0:
                bar.set_postfix(loss=f"{running_loss / i:.3f}")
        test_loss = 0
        accuracy = 0
        # Turn off gradients for validation, saves memory and computations
        with torch.no_grad():
            model.eval()
            for images, labels in testloader:
                log_ps = model(images)
                test_loss += criterion(log_ps, labels)
                ps = torch.exp(log_ps)
                top_p, top_class = ps.topk(1, dim=1)
                equals = top_class == labels.view(*top_class.shape)
                accuracy += torch.mean(equals.type(torch.FloatTensor))
        model.train()
        train_losses.append(running_loss / len(trainloader))
        test_losses.append(test_loss.item() / len(testloader))
        accuracies.append(accuracy.item() / len(testloader))
        print("Epoch: {}/{}.. ".format(e + 1, args.epochs),
              "Training Loss: {:.3f}.. ".format(train_losses[-1]),
              "Test Loss: {:.3f}.. ".format(test_losses[-1]),
              "Test Accuracy: {:.3f}".format(accuracies[-1]))

    common.plot_losses(train_losses, test_losses, os.path.join(args.out, "loss_curves.png"), accuracies)
    # Inference: eval() turns dropout off.
    model.eval()
    images, labels = next(iter(testloader))
    with torch.no_grad():
        ps = torch.exp(model(images))
    common.prediction_grid(images[:32], ps.argmax(dim=1), labels[:32], common.FASHION_CLASSES,
                           os.path.join(args.out, "predictions.png"))
    img = images[0].view(1, 784)
    with torch.no_grad():
        output = model.forward(img)
    common.view_classify(img.view(1, 28, 28), torch.exp(output), os.path.join(args.out, "view_classify.png"),
                         common.FASHION_CLASSES)
    print(f"Test accuracy: {accuracies[-1]:.4f}" if accuracies else "No epochs run")
    print(f"Wrote loss_curves.png, predictions.png and view_classify.png to {args.out}")
    return accuracies[-1] if accuracies else None


if __name__ == "__main__":
    main()
