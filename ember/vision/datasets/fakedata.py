"""``FakeData``: random images, the same for a given index every time (seeded by the index)."""
import numpy as np

from ember._tensor import Tensor

from .vision import VisionDataset


class FakeData(VisionDataset):
    """``size`` random images of shape ``image_size`` (C, H, W), returned as PIL images, and random targets."""

    def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None, target_transform=None,
                 random_offset=0):
        super().__init__(None, transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index):
        if index >= len(self):
            raise IndexError(f"{self.__class__.__name__} index out of range")
        # a private generator seeded by the index: same sample every time, global RNG untouched
        rng = np.random.default_rng(index + self.random_offset)
        img = rng.standard_normal(self.image_size, dtype=np.float32)
        target = int(rng.integers(0, self.num_classes))
        from ..transforms import functional as F
        img = F.to_pil_image(Tensor._wrap(img))
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return self.size
