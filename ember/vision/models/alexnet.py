"""AlexNet (torchvision.models.alexnet: the "one weird trick" variant, 64-192-384-256-256 channels)."""
from ... import nn
from ._api import WeightsEnum, _num_classes_of, _ovewrite_named_param, _weights, builder
from ._meta import _IMAGENET_CATEGORIES

__all__ = ["AlexNet", "AlexNet_Weights", "alexnet"]


class AlexNet(nn.Module):
    def __init__(self, num_classes=1000, dropout=0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = x.flatten(1)
        return self.classifier(x)


class AlexNet_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(
        "alexnet-owt-7be5be79.pth", 61100840, 56.522, 79.066,
        {"min_size": (63, 63), "categories": _IMAGENET_CATEGORIES,
         "recipe": "https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg",
         "_docs": "These weights reproduce closely the results of the paper using a simplified training recipe."})
    DEFAULT = IMAGENET1K_V1


@builder(AlexNet_Weights, AlexNet_Weights.IMAGENET1K_V1)
def alexnet(*, weights=None, progress=True, **kwargs):
    """AlexNet from `One weird trick for parallelizing convolutional neural networks
    <https://arxiv.org/abs/1404.5997>`_ (torchvision's variant).

    ``weights``: ``None``, an ``AlexNet_Weights`` member or its name; ``pretrained=True`` is the
    deprecated spelling of ``IMAGENET1K_V1`` (file ``alexnet-owt-7be5be79.pth``).
    """
    weights = AlexNet_Weights.verify(weights)
    if weights is not None:
        _ovewrite_named_param(kwargs, "num_classes", _num_classes_of(weights))
    model = AlexNet(**kwargs)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model
