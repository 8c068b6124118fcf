"""Course Part 1: tensors. A single neuron, a small two-layer network, shapes, and NumPy round trips.

    python examples/part1_tensors.py [--out DIR]

No data and no training: prints what the course's Part 1 notebook prints, and writes
activation.png (the sigmoid the neuron uses, and its outputs for random features).
"""
import os

import numpy as np

import ember as torch

import common


def activation(x):
    """Sigmoid activation function: 1 / (1 + e^-x)."""
    return 1 / (1 + torch.exp(-x))


def main(argv=None):
    args = common.parser(__doc__.splitlines()[0], epochs=0, out="out/part1_tensors").parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(7)                      # the course's seed

    # A single neuron: features (1, 5), weights like the features, a bias.
    features = torch.randn((1, 5))
    weights = torch.randn_like(features)
    bias = torch.randn((1, 1))
    y = activation(torch.sum(features * weights) + bias)
    y_mm = activation(torch.mm(features, weights.view(5, 1)) + bias)
    print("features", features)
    print("neuron output (sum):", y)
    print("neuron output (mm): ", y_mm)
    try:
        torch.mm(features, weights)           # the course's deliberate shape error
    except RuntimeError as exc:
        print("torch.mm(features, weights) fails as the course shows:", str(exc).splitlines()[0])

    # Reshaping: view, reshape, resize_ share or copy memory.
    print("weights.shape", weights.shape, "-> view(5, 1)", weights.view(5, 1).shape,
          "reshape(5, 1)", weights.reshape(5, 1).shape)

    # A network with one hidden layer: 3 inputs, 2 hidden units, 1 output.
    features = torch.randn((1, 3))
    n_input, n_hidden, n_output = features.shape[1], 2, 1
    W1 = torch.randn(n_input, n_hidden)
    W2 = torch.randn(n_hidden, n_output)
    B1 = torch.randn((1, n_hidden))
    B2 = torch.randn((1, n_output))
    h = activation(torch.mm(features, W1) + B1)
    output = activation(torch.mm(h, W2) + B2)
    print("two-layer network output:", output)

    # NumPy to Torch and back: from_numpy shares memory, so in-place changes show on both sides.
    a = np.random.rand(4, 3)
    b = torch.from_numpy(a)
    b.mul_(2)
    print("from_numpy shares memory:", np.allclose(a, b.numpy()), b.dtype)

    plt = common._plt()
    fig, ax = plt.subplots(figsize=(5, 3.5))
    xs = torch.linspace(-6, 6, 200)
    ax.plot(xs.numpy(), activation(xs).numpy(), label="sigmoid")
    pre = torch.randn(20)
    ax.plot(pre.numpy(), activation(pre).numpy(), "o", label="random inputs")
    ax.set_xlabel("x")
    ax.set_ylabel("activation(x)")
    ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, "activation.png"), dpi=100)
    plt.close(fig)
    print(f"Wrote activation.png to {args.out}")


if __name__ == "__main__":
    main()
