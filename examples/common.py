"""What every course example shares: arguments, where the data is, progress bars and plots.

Written as a PyTorch user writes it (``import ember as torch``); each helper
mirrors what the course's ``helper.py`` does (``view_classify``, ``imshow``).
"""
import argparse
import os
import pathlib

import numpy as np

import ember as torch

PROJECT = pathlib.Path(__file__).resolve().parent.parent
FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                   "Ankle Boot"]


def data_root(cli_value=None):
    """Where datasets live: --data-root, else $EMBER_DATA, else ../shared/datasets beside the project when it
    exists, else ~/.ember/datasets (downloaded there when missing)."""
    if cli_value:
        return str(cli_value)
    if os.environ.get("EMBER_DATA"):
        return os.environ["EMBER_DATA"]
    shared = PROJECT.parent / "shared" / "datasets"
    if shared.is_dir():
        return str(shared)
    return str(pathlib.Path.home() / ".ember" / "datasets")


def parser(description, epochs, out):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--epochs", type=int, default=epochs, help=f"training epochs (default {epochs})")
    p.add_argument("--data-root", default=None, help="dataset folder (default: $EMBER_DATA, ../shared/datasets "
                                                      "beside the project, or ~/.ember/datasets)")
    p.add_argument("--out", default=out, help=f"folder for checkpoints and pictures (default {out})")
    p.add_argument("--limit", type=int, default=None, help="use only the first N training/test samples")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    return p


def progress(iterable, desc, disable=False, total=None):
    """A tqdm progress bar when tqdm is installed (it is an optional extra), else the iterable itself."""
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, desc=desc, disable=disable, total=total, leave=False, dynamic_ncols=True)


def limited(dataset, n):
    """``n`` samples spread evenly over the dataset (all when n is None): ImageFolder sorts by class, so the
    first ``n`` would all be of one class."""
    if n is None or n >= len(dataset):
        return dataset
    return torch.utils.data.Subset(dataset, [i * len(dataset) // n for i in range(n)])


def _plt():
    import matplotlib
    matplotlib.use("Agg")   # files only: the examples never need a screen
    import matplotlib.pyplot as plt
    return plt


def plot_losses(train_losses, val_losses, path, accuracies=None, labels=("Training loss", "Validation loss")):
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4))
    epochs = range(1, len(train_losses) + 1)
    ax.plot(epochs, train_losses, "o-", label=labels[0])
    ax.plot(epochs, val_losses, "o-", label=labels[1])
    if accuracies is not None:
        ax2 = ax.twinx()
        ax2.plot(epochs, accuracies, "s--", color="tab:green", label="Accuracy")
        ax2.set_ylabel("accuracy")
        ax2.legend(loc="center right", frameon=False)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.legend(loc="upper center", frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def view_classify(img, ps, path, classes):
    """The course's picture: the image beside a bar chart of the class probabilities."""
    plt = _plt()
    ps = ps.detach().cpu().numpy().squeeze()
    fig, (ax1, ax2) = plt.subplots(figsize=(6, 9), ncols=2)
    ax1.imshow(img.detach().cpu().numpy().reshape(28, 28), cmap="gray")
    ax1.axis("off")
    ax2.barh(np.arange(len(classes)), ps)
    ax2.set_aspect(0.1)
    ax2.set_yticks(np.arange(len(classes)))
    ax2.set_yticklabels(classes, size="small")
    ax2.set_title("Class Probability")
    ax2.set_xlim(0, 1.1)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def prediction_grid(images, preds, labels, classes, path, ncols=8, mean=None, std=None):
    """A grid of sample images titled 'predicted (true)', wrong ones in red."""
    plt = _plt()
    n = len(images)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * 1.6, nrows * 1.9))
    for i, ax in enumerate(np.asarray(axes).reshape(-1)):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(unnormalize(images[i], mean, std), cmap="gray")
        p, t = int(preds[i]), int(labels[i])
        ax.set_title(f"{classes[p]}\n({classes[t]})", fontsize=7, color="black" if p == t else "red")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def unnormalize(img, mean=None, std=None):
    """A (C, H, W) tensor as an (H, W[, C]) NumPy image, undoing Normalize(mean, std) (then clipped to [0, 1])
    when they are given; a 1-channel image without them keeps its range (imshow scales it)."""
    img = img.detach().cpu().numpy()
    if img.ndim == 3:
        img = img.transpose(1, 2, 0)
        if mean is not None:
            img = img * np.asarray(std) + np.asarray(mean)
        img = img.squeeze(-1) if img.shape[-1] == 1 else img
    elif mean is not None:
        img = img * std[0] + mean[0]
    return np.clip(img, 0, 1) if mean is not None else img


def image_grid(images, path, titles=None, mean=None, std=None, ncols=4):
    """The course's ``helper.imshow`` over a batch: one picture per image, optional titles, saved as a PNG."""
    plt = _plt()
    n = len(images)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * 2.5, nrows * 2.7))
    for i, ax in enumerate(np.asarray(axes).reshape(-1)):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(unnormalize(images[i], mean, std), cmap="gray")
        if titles is not None:
            ax.set_title(titles[i], fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def sample_grid(images, path, nrow=8):
    """Save a batch of images in [-1, 1] or [0, 1] as one PNG grid (GAN/VAE samples)."""
    from ember.vision.utils import save_image
    save_image(images, path, nrow=nrow, normalize=True)
