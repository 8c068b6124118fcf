"""An LSTM reads MNIST digits row by row (yunjey's pytorch-tutorial, 02 recurrent_neural_network).

    python examples/lstm_mnist.py [--epochs 2] [--data-root DIR] [--out DIR] [--limit N]

Each 28x28 image is a sequence of 28 rows of 28 pixels into a 2-layer LSTM(hidden 128);
the last step's output goes through Linear(128, 10). Adam(lr=0.01), batch 100.
Prints per-epoch training loss, test loss and accuracy; writes loss_curves.png,
predictions.png and view_classify.png, and model.ckpt.
"""
import os

import ember as torch
from ember import nn
from ember.vision import datasets, transforms

import common

sequence_length = 28
input_size = 28
hidden_size = 128
num_layers = 2
num_classes = 10


class RNN(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers, num_classes):
        super().__init__()
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        # Set initial hidden and cell states
        h0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size).to(x.device)
        c0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size).to(x.device)
        # Forward propagate LSTM: out is (batch_size, seq_length, hidden_size)
        out, _ = self.lstm(x, (h0, c0))
        # Decode the hidden state of the last time step
        return self.fc(out[:, -1, :])


def main(argv=None):
    p = common.parser(__doc__.splitlines()[0], epochs=2, out="out/lstm_mnist")
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--lr", type=float, default=0.01)
    args = p.parse_args(argv)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    root = common.data_root(args.data_root)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    train_dataset = common.limited(datasets.MNIST(root=root, train=True, transform=transforms.ToTensor(),
                                                  download=True), args.limit)
    test_dataset = common.limited(datasets.MNIST(root=root, train=False, transform=transforms.ToTensor()),
                                  args.limit)
    train_loader = torch.utils.data.DataLoader(dataset=train_dataset, batch_size=args.batch_size, shuffle=True)
    test_loader = torch.utils.data.DataLoader(dataset=test_dataset, batch_size=args.batch_size, shuffle=False)

    model = RNN(input_size, hidden_size, num_layers, num_classes).to(device)
    print(model)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    train_losses, val_losses, accuracies = [], [], []
    for epoch in range(args.epochs):
        running = 0.0
        bar = common.progress(train_loader, f"epoch {epoch + 1}/{args.epochs}", disable=args.no_progress)
        for i, (images, labels) in enumerate(bar, 1):
            images = images.reshape(-1, sequence_length, input_size).to(device)
            labels = labels.to(device)
            outputs = model(images)
            loss = criterion(outputs, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            running += loss.item()
            if hasattr(bar, "set_postfix") and i % 5 == 0:
                bar.set_postfix(loss=f"{running / i:.3f}")
        model.eval()
        with torch.no_grad():
            correct, total, val_loss = 0, 0, 0.0
            for images, labels in test_loader:
                images = images.reshape(-1, sequence_length, input_size).to(device)
                labels = labels.to(device)
                outputs = model(images)
                val_loss += criterion(outputs, labels).item() * labels.size(0)
                _, predicted = torch.max(outputs.data, 1)
                total += labels.size(0)
                correct += (predicted == labels).sum().item()
        model.train()
        train_losses.append(running / len(train_loader))
        val_losses.append(val_loss / total)
        accuracies.append(correct / total)
        print(f"Epoch [{epoch + 1}/{args.epochs}]  Training loss: {train_losses[-1]:.4f}  "
              f"Validation loss: {val_losses[-1]:.4f}  Accuracy: {accuracies[-1]:.3f}")

    torch.save(model.state_dict(), os.path.join(args.out, "model.ckpt"))
    common.plot_losses(train_losses, val_losses, os.path.join(args.out, "loss_curves.png"), accuracies)
    model.eval()
    images, labels = next(iter(test_loader))
    with torch.no_grad():
        ps = torch.softmax(model(images.reshape(-1, sequence_length, input_size).to(device)), dim=1).cpu()
    digits = [str(i) for i in range(10)]
    common.prediction_grid(images[:32], ps.argmax(dim=1), labels[:32], digits,
                           os.path.join(args.out, "predictions.png"))
    common.view_classify(images[0], ps[0], os.path.join(args.out, "view_classify.png"), digits)
    print(f"Test accuracy: {accuracies[-1]:.4f}" if accuracies else "No epochs run")
    print(f"Wrote model.ckpt, loss_curves.png, predictions.png and view_classify.png to {args.out}")
    return accuracies[-1] if accuracies else None


if __name__ == "__main__":
    main()
