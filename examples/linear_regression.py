"""Linear regression with autograd: the first training loop of the course, on plain tensors.

    python examples/linear_regression.py [--epochs 200] [--out DIR]

Fits y = 3x + 0.5 + noise with a hand-written gradient-descent step, then again with
nn.Linear and optim.SGD; writes fit.png (the data and both fitted lines).
"""
import os

import ember as torch
from ember import nn, optim

import common


def main(argv=None):
    args = common.parser(__doc__.splitlines()[0], epochs=200, out="out/linear_regression").parse_args(argv)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    x = torch.linspace(-1, 1, 200).view(-1, 1)
    y = 3.0 * x + 0.5 + 0.1 * torch.randn(200, 1)

    # By hand: autograd computes the gradients, we take the step under no_grad.
    w = torch.zeros(1, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    lr = 0.5
    for step in range(args.epochs):
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad = None
        b.grad = None
        if step % 50 == 0:
            print(f"step {step:3d}  loss {loss.item():.4f}")
    print(f"by hand: learned w={w.item():.3f} b={b.item():.3f} (true 3.0, 0.5)")

    # The same with nn.Linear, MSELoss and optim.SGD.
    model = nn.Linear(1, 1)
    criterion = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    for step in range(args.epochs):
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    print(f"nn.Linear: learned w={model.weight.item():.3f} b={model.bias.item():.3f}, loss {loss.item():.4f}")

    plt = common._plt()
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(x.numpy(), y.numpy(), ".", label="data")
    ax.plot(x.numpy(), (x @ w + b).detach().numpy(), label="by hand")
    with torch.no_grad():
        ax.plot(x.numpy(), model(x).numpy(), "--", label="nn.Linear")
    ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, "fit.png"), dpi=100)
    plt.close(fig)
    print(f"Wrote fit.png to {args.out}")


if __name__ == "__main__":
    main()
