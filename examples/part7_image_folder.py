"""Course Part 7: loading image data. ImageFolder over the ants/bees set, Resize/CenterCrop, and augmentation.

    python examples/part7_image_folder.py [--data-root DIR] [--out DIR] [--limit N]

Reads <data-root>/hymenoptera_data/{train,val} (the course's Cat_Dog_data has the
same layout), with the course's pipelines: Resize(255), CenterCrop(224), ToTensor
for testing; RandomRotation(30), RandomResizedCrop(224), RandomHorizontalFlip,
ToTensor, Normalize for training. No training (Part 8 does it); writes
test_batch.png and train_batch.png (grids of images with their class names).
"""
import os
import time

import ember as torch
from ember.vision import datasets, transforms

import common

MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def main(argv=None):
    p = common.parser(__doc__.splitlines()[0], epochs=0, out="out/part7_image_folder")
    p.add_argument("--batch-size", type=int, default=32)
    args = p.parse_args(argv)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    data_dir = os.path.join(common.data_root(args.data_root), "hymenoptera_data")
    if not os.path.isdir(data_dir):
        print(f"No ImageFolder data at {data_dir}: it needs train/ and val/ folders with one folder per class "
              "(e.g. hymenoptera_data from the PyTorch transfer-learning tutorial).")
        return None

    test_transforms = transforms.Compose([transforms.Resize(255),
                                          transforms.CenterCrop(224),
                                          transforms.ToTensor()])
    train_transforms = transforms.Compose([transforms.RandomRotation(30),
                                           transforms.RandomResizedCrop(224),
                                           transforms.RandomHorizontalFlip(),
                                           transforms.ToTensor(),
                                           transforms.Normalize(MEAN, STD)])
    train_data = datasets.ImageFolder(data_dir + "/train", transform=train_transforms)
    test_data = datasets.ImageFolder(data_dir + "/val", transform=test_transforms)
    print(f"classes {train_data.classes}, {len(train_data)} training and {len(test_data)} validation images")
    train_data = common.limited(train_data, args.limit)
    test_data = common.limited(test_data, args.limit)
    trainloader = torch.utils.data.DataLoader(train_data, batch_size=args.batch_size, shuffle=True)
    testloader = torch.utils.data.DataLoader(test_data, batch_size=args.batch_size, shuffle=True)

    # A whole pass over the validation set, as a user does to check the pipeline.
    start, seen = time.perf_counter(), 0
    for images, labels in common.progress(testloader, "val images", disable=args.no_progress):
        seen += len(labels)
    print(f"Loaded {seen} validation images in {time.perf_counter() - start:.1f} s, batch shape "
          f"{tuple(images.shape)}")

    classes = datasets.ImageFolder(data_dir + "/train").classes
    images, labels = next(iter(testloader))
    common.image_grid(images[:8], os.path.join(args.out, "test_batch.png"),
                      titles=[classes[int(l)] for l in labels[:8]])
    images, labels = next(iter(trainloader))
    print(f"training batch {tuple(images.shape)}, mean {images.mean().item():.3f} std {images.std().item():.3f} "
          "(normalized)")
    common.image_grid(images[:8], os.path.join(args.out, "train_batch.png"),
                      titles=[classes[int(l)] for l in labels[:8]], mean=MEAN, std=STD)
    print(f"Wrote test_batch.png and train_batch.png to {args.out}")
    return seen


if __name__ == "__main__":
    main()
