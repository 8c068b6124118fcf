"""``VisionDataset``: the base of every dataset here (root, transforms, torchvision's repr)."""
import os

import numpy as np

from ember._tensor import Tensor

try:        # ember.utils.data is written beside this package; subclass its Dataset
    from ember.utils.data.dataset import BatchedSamples, Dataset
except ImportError:      # pragma: no cover - only while ember.utils.data is missing
    BatchedSamples = None

    class Dataset:
        def __getitem__(self, index):
            raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")


def batched_samples(images, targets, target_transform=None):
    """What ``__getitems__`` returns for a batch whose transform ran on the whole batch.

    ``images`` is the transformed array (B, ...); ``targets`` the raw targets:
    a list of ints, or a fresh int64 array (labels gathered by index). With
    ember.utils.data's ``BatchedSamples`` the DataLoader receives the batch
    already collated ([images (B, C, H, W), labels (B,)]) and skips per-sample
    work; a custom collate_fn still sees one (image, int target) per index.
    """
    if isinstance(targets, np.ndarray) and (target_transform is not None or BatchedSamples is None):
        targets = targets.tolist()
    if target_transform is not None:
        targets = [target_transform(t) for t in targets]
    n = len(targets)

    def sample(i):
        target = targets[i]
        return Tensor._wrap(images[i]), int(target) if isinstance(target, np.integer) else target
    if BatchedSamples is None:
        return [sample(i) for i in range(n)]
    if target_transform is None:
        labels = Tensor._wrap(targets if isinstance(targets, np.ndarray) else np.asarray(targets, dtype=np.int64))
    else:
        from ember.utils.data._collate import default_collate
        labels = default_collate(targets)
    return BatchedSamples([Tensor._wrap(images), labels], n, sample)


class StandardTransform:
    """Applies ``transform`` to the input and ``target_transform`` to the target."""

    def __init__(self, transform=None, target_transform=None):
        self.transform = transform
        self.target_transform = target_transform

    def __call__(self, input, target):
        if self.transform is not None:
            input = self.transform(input)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return input, target

    @staticmethod
    def _format_transform_repr(transform, head):
        lines = repr(transform).splitlines()
        return [f"{head}{lines[0]}"] + [" " * len(head) + line for line in lines[1:]]

    def __repr__(self):
        body = [self.__class__.__name__]
        if self.transform is not None:
            body += self._format_transform_repr(self.transform, "Transform: ")
        if self.target_transform is not None:
            body += self._format_transform_repr(self.target_transform, "Target transform: ")
        return "\n".join(body)


class VisionDataset(Dataset):
    """Base class of the vision datasets (``torchvision.datasets.VisionDataset``)."""
    _repr_indent = 4

    def __init__(self, root=None, transforms=None, transform=None, target_transform=None):
        if isinstance(root, str):
            root = os.path.expanduser(root)
        self.root = root
        has_transforms = transforms is not None
        has_separate = transform is not None or target_transform is not None
        if has_transforms and has_separate:
            raise ValueError("Only transforms or transform/target_transform can be passed as argument")
        self.transform = transform
        self.target_transform = target_transform
        if has_separate:
            transforms = StandardTransform(transform, target_transform)
        self.transforms = transforms

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")

    def extra_repr(self):
        return ""

    def __repr__(self):
        head = "Dataset " + self.__class__.__name__
        body = [f"Number of datapoints: {self.__len__()}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if getattr(self, "transforms", None) is not None:
            body += [repr(self.transforms)]
        lines = [head] + [" " * self._repr_indent + line for line in body]
        return "\n".join(lines)
