"""A variational autoencoder on MNIST (yunjey's pytorch-tutorial, 03 variational_autoencoder).

    python examples/vae_mnist.py [--epochs 5] [--data-root DIR] [--out DIR] [--limit N]

Encoder 784-400-(mu, log_var) of size 20, reparameterization, decoder 20-400-784 with a
sigmoid; loss = binary cross-entropy (summed) + KL divergence; Adam(lr=1e-3), batch 128.
Prints per-epoch training and validation loss (per image); writes sampled-<epoch>.png
(decoded random codes), reconst-<epoch>.png (originals beside reconstructions),
loss_curves.png and vae.ckpt.
"""
import os

import ember as torch
import ember.nn.functional as F
from ember import nn
from ember.vision import datasets, transforms
from ember.vision.utils import save_image

import common

image_size = 784
h_dim = 400
z_dim = 20


class VAE(nn.Module):
    def __init__(self, image_size=784, h_dim=400, z_dim=20):
        super().__init__()
        self.fc1 = nn.Linear(image_size, h_dim)
        self.fc2 = nn.Linear(h_dim, z_dim)
        self.fc3 = nn.Linear(h_dim, z_dim)
        self.fc4 = nn.Linear(z_dim, h_dim)
        self.fc5 = nn.Linear(h_dim, image_size)

    def encode(self, x):
        h = F.relu(self.fc1(x))
        return self.fc2(h), self.fc3(h)

    def reparameterize(self, mu, log_var):
        std = torch.exp(log_var / 2)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h = F.relu(self.fc4(z))
        return torch.sigmoid(self.fc5(h))

    def forward(self, x):
        mu, log_var = self.encode(x)
        z = self.reparameterize(mu, log_var)
        x_reconst = self.decode(z)
        return x_reconst, mu, log_var


def loss_fn(x_reconst, x, mu, log_var):
    # Reconstruction loss and KL divergence (see Appendix B of the VAE paper)
    reconst_loss = F.binary_cross_entropy(x_reconst, x, reduction="sum")
    kl_div = - 0.5 * torch.sum(1 + log_var - mu.pow(2) - log_var.exp())
    return reconst_loss, kl_div


def main(argv=None):
    p = common.parser(__doc__.splitlines()[0], epochs=5, out="out/vae_mnist")
    p.add_argument("--batch-size", type=int, default=128)
    args = p.parse_args(argv)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    root = common.data_root(args.data_root)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    dataset = common.limited(datasets.MNIST(root=root, train=True, transform=transforms.ToTensor(), download=True),
                             args.limit)
    testset = common.limited(datasets.MNIST(root=root, train=False, transform=transforms.ToTensor()), args.limit)
    data_loader = torch.utils.data.DataLoader(dataset=dataset, batch_size=args.batch_size, shuffle=True)
    test_loader = torch.utils.data.DataLoader(dataset=testset, batch_size=500)

    model = VAE(image_size, h_dim, z_dim).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    fixed_z = torch.randn(64, z_dim).to(device)
    train_losses, val_losses = [], []
    for epoch in range(args.epochs):
        total, seen = 0.0, 0
        bar = common.progress(data_loader, f"epoch {epoch + 1}/{args.epochs}", disable=args.no_progress)
        for i, (x, _) in enumerate(bar, 1):
            x = x.to(device).view(-1, image_size)
            x_reconst, mu, log_var = model(x)
            reconst_loss, kl_div = loss_fn(x_reconst, x, mu, log_var)
            loss = reconst_loss + kl_div
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
            seen += x.size(0)
            if hasattr(bar, "set_postfix"):
                bar.set_postfix(loss=f"{total / seen:.1f}")
        val_total, val_seen = 0.0, 0
        with torch.no_grad():
            for x, _ in test_loader:
                x = x.to(device).view(-1, image_size)
                x_reconst, mu, log_var = model(x)
                reconst_loss, kl_div = loss_fn(x_reconst, x, mu, log_var)
                val_total += (reconst_loss + kl_div).item()
                val_seen += x.size(0)
            # Sample from the prior, and reconstruct the last held-out batch
            out = model.decode(fixed_z).view(-1, 1, 28, 28)
            save_image(out, os.path.join(args.out, f"sampled-{epoch + 1}.png"))
            x = x[:32]
            out, _, _ = model(x)
            x_concat = torch.cat([x.view(-1, 1, 28, 28), out.view(-1, 1, 28, 28)], dim=3)
            save_image(x_concat, os.path.join(args.out, f"reconst-{epoch + 1}.png"))
        train_losses.append(total / seen)
        val_losses.append(val_total / val_seen)
        print(f"Epoch [{epoch + 1}/{args.epochs}]  Training loss: {train_losses[-1]:.2f}  "
              f"Validation loss: {val_losses[-1]:.2f}  (per image: reconstruction BCE + KL)")

    torch.save(model.state_dict(), os.path.join(args.out, "vae.ckpt"))
    common.plot_losses(train_losses, val_losses, os.path.join(args.out, "loss_curves.png"))
    print(f"Wrote sampled-*.png, reconst-*.png, loss_curves.png and vae.ckpt to {args.out}")


if __name__ == "__main__":
    main()
