"""A small GAN on MNIST (yunjey's pytorch-tutorial, 03 generative_adversarial_network).

    python examples/gan_mnist.py [--epochs 5] [--data-root DIR] [--out DIR] [--limit N]

Discriminator 784-256-256-1 (LeakyReLU, Sigmoid), generator 64-256-256-784 (ReLU, Tanh),
BCELoss, Adam(lr=0.0002), batch 100. The tutorial trains 200 epochs; a few already
give digit-like blobs. Prints per-epoch discriminator and generator losses and
D(x), D(G(z)), and the discriminator's accuracy on held-out real images against as many
fakes; writes fake_images-<epoch>.png, real_images.png, loss_curves.png, G.ckpt and D.ckpt.
"""
import os

import ember as torch
from ember import nn
from ember.vision import datasets, transforms
from ember.vision.utils import save_image

import common

latent_size = 64
hidden_size = 256
image_size = 784


def denorm(x):
    out = (x + 1) / 2
    return out.clamp(0, 1)


def main(argv=None):
    p = common.parser(__doc__.splitlines()[0], epochs=5, out="out/gan_mnist")
    p.add_argument("--batch-size", type=int, default=100)
    args = p.parse_args(argv)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    root = common.data_root(args.data_root)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize(mean=[0.5], std=[0.5])])
    mnist = common.limited(datasets.MNIST(root=root, train=True, transform=transform, download=True), args.limit)
    held_out = common.limited(datasets.MNIST(root=root, train=False, transform=transform, download=True),
                              args.limit)
    data_loader = torch.utils.data.DataLoader(dataset=mnist, batch_size=args.batch_size, shuffle=True)
    val_loader = torch.utils.data.DataLoader(dataset=held_out, batch_size=500)

    D = nn.Sequential(nn.Linear(image_size, hidden_size), nn.LeakyReLU(0.2),
                      nn.Linear(hidden_size, hidden_size), nn.LeakyReLU(0.2),
                      nn.Linear(hidden_size, 1), nn.Sigmoid()).to(device)
    G = nn.Sequential(nn.Linear(latent_size, hidden_size), nn.ReLU(),
                      nn.Linear(hidden_size, hidden_size), nn.ReLU(),
                      nn.Linear(hidden_size, image_size), nn.Tanh()).to(device)
    criterion = nn.BCELoss()
    d_optimizer = torch.optim.Adam(D.parameters(), lr=0.0002)
    g_optimizer = torch.optim.Adam(G.parameters(), lr=0.0002)

    images, _ = next(iter(data_loader))
    save_image(denorm(images[:64]), os.path.join(args.out, "real_images.png"))
    fixed_z = torch.randn(64, latent_size).to(device)
    d_losses, g_losses = [], []
    for epoch in range(args.epochs):
        d_sum = g_sum = real_sum = fake_sum = 0.0
        bar = common.progress(data_loader, f"epoch {epoch + 1}/{args.epochs}", disable=args.no_progress)
        for i, (images, _) in enumerate(bar, 1):
            bs = images.size(0)
            images = images.reshape(bs, -1).to(device)
            real_labels = torch.ones(bs, 1).to(device)
            fake_labels = torch.zeros(bs, 1).to(device)

            # Train the discriminator: BCE on real images (label 1) and on fakes (label 0)
            outputs = D(images)
            d_loss_real = criterion(outputs, real_labels)
            real_score = outputs
            z = torch.randn(bs, latent_size).to(device)
            fake_images = G(z)
            outputs = D(fake_images)
            d_loss_fake = criterion(outputs, fake_labels)
            fake_score = outputs
            d_loss = d_loss_real + d_loss_fake
            d_optimizer.zero_grad()
            g_optimizer.zero_grad()
            d_loss.backward()
            d_optimizer.step()

            # Train the generator: maximize log(D(G(z))) instead of minimizing log(1 - D(G(z)))
            z = torch.randn(bs, latent_size).to(device)
            fake_images = G(z)
            outputs = D(fake_images)
            g_loss = criterion(outputs, real_labels)
            d_optimizer.zero_grad()
            g_optimizer.zero_grad()
            g_loss.backward()
            g_optimizer.step()

            d_sum += d_loss.item()
            g_sum += g_loss.item()
            real_sum += real_score.mean().item()
            fake_sum += fake_score.mean().item()
            if hasattr(bar, "set_postfix"):
                bar.set_postfix(d_loss=f"{d_sum / i:.3f}", g_loss=f"{g_sum / i:.3f}")
        n = len(data_loader)
        d_losses.append(d_sum / n)
        g_losses.append(g_sum / n)
        # Held-out check: how well does D tell unseen real digits from fresh fakes?
        correct = seen = 0
        with torch.no_grad():
            for images, _ in val_loader:
                real = D(images.reshape(images.size(0), -1).to(device))
                fake = D(G(torch.randn(images.size(0), latent_size).to(device)))
                correct += (real > 0.5).sum().item() + (fake <= 0.5).sum().item()
                seen += 2 * images.size(0)
            samples = G(fixed_z).reshape(-1, 1, 28, 28)
        save_image(denorm(samples), os.path.join(args.out, f"fake_images-{epoch + 1}.png"))
        print(f"Epoch [{epoch + 1}/{args.epochs}]  d_loss: {d_losses[-1]:.4f}  g_loss: {g_losses[-1]:.4f}  "
              f"D(x): {real_sum / n:.2f}  D(G(z)): {fake_sum / n:.2f}  "
              f"Discriminator accuracy (held out): {correct / seen:.3f}")

    torch.save(G.state_dict(), os.path.join(args.out, "G.ckpt"))
    torch.save(D.state_dict(), os.path.join(args.out, "D.ckpt"))
    common.plot_losses(d_losses, g_losses, os.path.join(args.out, "loss_curves.png"),
                       labels=("Discriminator loss", "Generator loss"))
    print(f"Wrote real_images.png, fake_images-*.png, loss_curves.png (D vs G), G.ckpt and D.ckpt to {args.out}")


if __name__ == "__main__":
    main()
