"""VGG-11/13/16/19 with and without batch norm (torchvision.models.vgg)."""
import functools

from ... import nn
from ._api import ImageClassification, Weights, WeightsEnum, _num_classes_of, _ovewrite_named_param, _weights, builder
from ._meta import _IMAGENET_CATEGORIES

__all__ = ["VGG", "VGG11_Weights", "VGG11_BN_Weights", "VGG13_Weights", "VGG13_BN_Weights", "VGG16_Weights",
           "VGG16_BN_Weights", "VGG19_Weights", "VGG19_BN_Weights", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn",
           "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"]


class VGG(nn.Module):
    def __init__(self, features, num_classes=1000, init_weights=True, dropout=0.5):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = x.flatten(1)
        return self.classifier(x)


def make_layers(cfg, batch_norm=False):
    layers = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
        else:
            conv2d = nn.Conv2d(in_channels, v, kernel_size=3, padding=1)
            if batch_norm:
                layers += [conv2d, nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
            else:
                layers += [conv2d, nn.ReLU(inplace=True)]
            in_channels = v
    return nn.Sequential(*layers)


cfgs = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


def _vgg(cfg, batch_norm, weights, progress, **kwargs):
    if weights is not None:
        kwargs["init_weights"] = False
        if _num_classes_of(weights) is not None:
            _ovewrite_named_param(kwargs, "num_classes", _num_classes_of(weights))
    model = VGG(make_layers(cfgs[cfg], batch_norm=batch_norm), **kwargs)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model


_COMMON_META = {"min_size": (32, 32), "categories": _IMAGENET_CATEGORIES,
                "recipe": "https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg",
                "_docs": "These weights were trained from scratch by using a simplified training recipe."}


class VGG11_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg11-8a719046.pth", 132863336, 69.020, 88.628, _COMMON_META)
    DEFAULT = IMAGENET1K_V1


class VGG11_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg11_bn-6002323d.pth", 132868840, 70.370, 89.810, _COMMON_META)
    DEFAULT = IMAGENET1K_V1


class VGG13_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg13-19584684.pth", 133047848, 69.928, 89.246, _COMMON_META)
    DEFAULT = IMAGENET1K_V1


class VGG13_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg13_bn-abd245e5.pth", 133053736, 71.586, 90.374, _COMMON_META)
    DEFAULT = IMAGENET1K_V1


class VGG16_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg16-397923af.pth", 138357544, 71.592, 90.382, _COMMON_META)
    # Features-only weights ported from SSD (amdegroot): inputs in [0, 255] minus the mean; no
    # classifier categories, so num_classes stays as given.
    IMAGENET1K_FEATURES = Weights(
        url="https://download.pytorch.org/models/vgg16_features-amdegroot-88682ab5.pth",
        transforms=functools.partial(ImageClassification, crop_size=224, mean=(0.48235, 0.45882, 0.40784),
                                     std=(1.0 / 255.0, 1.0 / 255.0, 1.0 / 255.0)),
        meta={**_COMMON_META, "num_params": 138357544, "categories": None,
              "recipe": "https://github.com/amdegroot/ssd.pytorch#training-ssd",
              "_metrics": {"ImageNet-1K": {"acc@1": float("nan"), "acc@5": float("nan")}},
              "_docs": "These weights can't be used for classification because they are missing values in the "
                       "`classifier` module. Only the `features` module has valid values and can be used for "
                       "feature extraction. The weights were trained using the original input standardization "
                       "method as described in the paper."})
    DEFAULT = IMAGENET1K_V1


class VGG16_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg16_bn-6c64b313.pth", 138365992, 73.360, 91.516, _COMMON_META)
    DEFAULT = IMAGENET1K_V1


class VGG19_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg19-dcbb9e9d.pth", 143667240, 72.376, 90.876, _COMMON_META)
    DEFAULT = IMAGENET1K_V1


class VGG19_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg19_bn-c79401a0.pth", 143678248, 74.218, 91.842, _COMMON_META)
    DEFAULT = IMAGENET1K_V1


def _make_builder(name, cfg, batch_norm, weights_enum):
    def fn(*, weights=None, progress=True, **kwargs):
        weights = weights_enum.verify(weights)
        return _vgg(cfg, batch_norm, weights, progress, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    depth = {"A": 11, "B": 13, "D": 16, "E": 19}[cfg]
    fn.__doc__ = (f"VGG-{depth}{' with batch normalization' if batch_norm else ''} from `Very Deep Convolutional "
                  f"Networks for Large-Scale Image Recognition <https://arxiv.org/abs/1409.1556>`_.\n\n"
                  f"``weights``: ``None``, a ``{weights_enum.__name__}`` member or its name; ``pretrained=True`` "
                  f"is the deprecated spelling of ``IMAGENET1K_V1``.")
    fn.__module__ = __name__
    return builder(weights_enum, weights_enum.IMAGENET1K_V1)(fn)


vgg11 = _make_builder("vgg11", "A", False, VGG11_Weights)
vgg11_bn = _make_builder("vgg11_bn", "A", True, VGG11_BN_Weights)
vgg13 = _make_builder("vgg13", "B", False, VGG13_Weights)
vgg13_bn = _make_builder("vgg13_bn", "B", True, VGG13_BN_Weights)
vgg16 = _make_builder("vgg16", "D", False, VGG16_Weights)
vgg16_bn = _make_builder("vgg16_bn", "D", True, VGG16_BN_Weights)
vgg19 = _make_builder("vgg19", "E", False, VGG19_Weights)
vgg19_bn = _make_builder("vgg19_bn", "E", True, VGG19_BN_Weights)
