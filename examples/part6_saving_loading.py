"""Course Part 6: saving and loading models. Train fc_model.Network, save its state_dict and a checkpoint, load both.

    python examples/part6_saving_loading.py [--epochs 2] [--data-root DIR] [--out DIR] [--limit N]

FashionMNIST with the course's fc_model.Network(784, 10, [512, 256, 128]), Adam(lr=0.001).
Writes state_dict.pth and checkpoint.pth (architecture + state_dict), shows the
size-mismatch error of loading into a different architecture, rebuilds the model with
load_checkpoint and checks it predicts exactly as the trained one; writes
loss_curves.png and view_classify.png (drawn by the reloaded model).
"""
import os

import ember as torch
from ember import nn, optim
from ember.vision import datasets, transforms

import common
import fc_model


def load_checkpoint(filepath):
    checkpoint = torch.load(filepath)
    model = fc_model.Network(checkpoint["input_size"], checkpoint["output_size"], checkpoint["hidden_layers"])
    model.load_state_dict(checkpoint["state_dict"])
    return model


def main(argv=None):
    args = common.parser(__doc__.splitlines()[0], epochs=2, out="out/part6_saving_loading").parse_args(argv)
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

    # Create the network, define the criterion and optimizer, train.
    model = fc_model.Network(784, 10, [512, 256, 128])
    criterion = nn.NLLLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.001)
    history = fc_model.train(model, trainloader, testloader, criterion, optimizer, epochs=args.epochs,
                             progress=not args.no_progress)

    print("Our model: \n\n", model, "\n")
    print("The state dict keys: \n\n", model.state_dict().keys())
    state_path = os.path.join(args.out, "state_dict.pth")
    torch.save(model.state_dict(), state_path)
    state_dict = torch.load(state_path)
    print(state_dict.keys())
    print(model.load_state_dict(state_dict))

    # Loading into a different architecture fails: the checkpoint must carry the architecture too.
    try:
        fc_model.Network(784, 10, [400, 200, 100]).load_state_dict(state_dict)
    except RuntimeError as exc:
        print("Loading into Network(784, 10, [400, 200, 100]) fails as the course shows:")
        print("\n".join(str(exc).splitlines()[:3]), "\n\t...")

    checkpoint = {"input_size": 784,
                  "output_size": 10,
                  "hidden_layers": [each.out_features for each in model.hidden_layers],
                  "state_dict": model.state_dict()}
    checkpoint_path = os.path.join(args.out, "checkpoint.pth")
    torch.save(checkpoint, checkpoint_path)

    loaded = load_checkpoint(checkpoint_path)
    print(loaded)
    model.eval()
    loaded.eval()
    images, labels = next(iter(testloader))
    images = images.view(images.shape[0], -1)
    with torch.no_grad():
        same = torch.equal(model(images), loaded(images))
        ps = torch.exp(loaded(images))
    print(f"Reloaded model predicts exactly as the trained one: {same}")
    if history:
        common.plot_losses([h[0] for h in history], [h[1] for h in history],
                           os.path.join(args.out, "loss_curves.png"), [h[2] for h in history])
        print(f"Test accuracy: {history[-1][2]:.4f}")
    common.view_classify(images[0].view(1, 28, 28), ps[0], os.path.join(args.out, "view_classify.png"),
                         common.FASHION_CLASSES)
    print(f"Wrote state_dict.pth, checkpoint.pth, loss_curves.png and view_classify.png to {args.out}")
    return history[-1][2] if history else None


if __name__ == "__main__":
    main()
