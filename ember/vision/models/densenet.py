"""DenseNet-121/161/169/201 (torchvision.models.densenet): same module names and state_dict keys.

torchvision's checkpoints were saved when a dense layer's modules were called ``norm.1``,
``conv.2`` ...; ``_load_state_dict`` renames those keys to ``norm1``, ``conv2`` as torchvision does,
so the original files (``densenet121-a639ec97.pth`` ...) load."""
import re
from collections import OrderedDict

from ... import cat, nn
from ...nn import functional as F
from ..._tensor import Tensor
from ._api import WeightsEnum, _num_classes_of, _ovewrite_named_param, _weights, builder
from ._meta import _IMAGENET_CATEGORIES

__all__ = ["DenseNet", "DenseNet121_Weights", "DenseNet161_Weights", "DenseNet169_Weights", "DenseNet201_Weights",
           "densenet121", "densenet161", "densenet169", "densenet201"]


class _DenseLayer(nn.Module):
    def __init__(self, num_input_features, growth_rate, bn_size, drop_rate, memory_efficient=False):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(num_input_features)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(num_input_features, bn_size * growth_rate, kernel_size=1, stride=1, bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, kernel_size=3, stride=1, padding=1, bias=False)
        self.drop_rate = float(drop_rate)
        # torchvision recomputes the bottleneck in backward to save memory (checkpointing); the
        # result is the same, so Ember keeps the flag and computes it the ordinary way.
        self.memory_efficient = memory_efficient

    def bn_function(self, inputs):
        concated_features = cat(inputs, 1)
        return self.conv1(self.relu1(self.norm1(concated_features)))

    def forward(self, input):
        prev_features = [input] if isinstance(input, Tensor) else input
        bottleneck_output = self.bn_function(prev_features)
        new_features = self.conv2(self.relu2(self.norm2(bottleneck_output)))
        if self.drop_rate > 0:
            new_features = F.dropout(new_features, p=self.drop_rate, training=self.training)
        return new_features


class _DenseBlock(nn.ModuleDict):
    _version = 2

    def __init__(self, num_layers, num_input_features, bn_size, growth_rate, drop_rate, memory_efficient=False):
        super().__init__()
        for i in range(num_layers):
            layer = _DenseLayer(num_input_features + i * growth_rate, growth_rate=growth_rate, bn_size=bn_size,
                                drop_rate=drop_rate, memory_efficient=memory_efficient)
            self.add_module("denselayer%d" % (i + 1), layer)

    def forward(self, init_features):
        features = [init_features]
        for name, layer in self.items():
            features.append(layer(features))
        return cat(features, 1)


class _Transition(nn.Sequential):
    def __init__(self, num_input_features, num_output_features):
        super().__init__()
        self.norm = nn.BatchNorm2d(num_input_features)
        self.relu = nn.ReLU(inplace=True)
        self.conv = nn.Conv2d(num_input_features, num_output_features, kernel_size=1, stride=1, bias=False)
        self.pool = nn.AvgPool2d(kernel_size=2, stride=2)


class DenseNet(nn.Module):
    """Densenet-BC from `Densely Connected Convolutional Networks <https://arxiv.org/abs/1608.06993>`_.

    Args: growth_rate (k), block_config (layers per block), num_init_features, bn_size, drop_rate,
    num_classes, memory_efficient (accepted; Ember computes the same result without checkpointing).
    """

    def __init__(self, growth_rate=32, block_config=(6, 12, 24, 16), num_init_features=64, bn_size=4, drop_rate=0,
                 num_classes=1000, memory_efficient=False):
        super().__init__()
        self.features = nn.Sequential(OrderedDict([
            ("conv0", nn.Conv2d(3, num_init_features, kernel_size=7, stride=2, padding=3, bias=False)),
            ("norm0", nn.BatchNorm2d(num_init_features)),
            ("relu0", nn.ReLU(inplace=True)),
            ("pool0", nn.MaxPool2d(kernel_size=3, stride=2, padding=1)),
        ]))
        num_features = num_init_features
        for i, num_layers in enumerate(block_config):
            block = _DenseBlock(num_layers=num_layers, num_input_features=num_features, bn_size=bn_size,
                                growth_rate=growth_rate, drop_rate=drop_rate, memory_efficient=memory_efficient)
            self.features.add_module("denseblock%d" % (i + 1), block)
            num_features = num_features + num_layers * growth_rate
            if i != len(block_config) - 1:
                trans = _Transition(num_input_features=num_features, num_output_features=num_features // 2)
                self.features.add_module("transition%d" % (i + 1), trans)
                num_features = num_features // 2
        self.features.add_module("norm5", nn.BatchNorm2d(num_features))
        self.classifier = nn.Linear(num_features, num_classes)

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.Linear):
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        features = self.features(x)
        out = F.relu(features, inplace=True)
        out = F.adaptive_avg_pool2d(out, (1, 1))
        out = out.flatten(1)
        return self.classifier(out)


# '.'s are no longer allowed in module names, but the old _DenseLayer had keys 'norm.1', 'relu.1',
# 'conv.1', 'norm.2', 'relu.2', 'conv.2', and torchvision's checkpoints still use them.
_OLD_KEY = re.compile(r"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$")


def _rename_old_keys(state_dict):
    """Rename ``...denselayerN.norm.1.weight`` to ``...denselayerN.norm1.weight`` (in place)."""
    for key in list(state_dict.keys()):
        res = _OLD_KEY.match(key)
        if res:
            state_dict[res.group(1) + res.group(2)] = state_dict.pop(key)
    return state_dict


def _load_state_dict(model, weights, progress):
    state_dict = _rename_old_keys(weights.get_state_dict(progress=progress, check_hash=True))
    model.load_state_dict(state_dict)


def _densenet(growth_rate, block_config, num_init_features, weights, progress, **kwargs):
    if weights is not None:
        _ovewrite_named_param(kwargs, "num_classes", _num_classes_of(weights))
    model = DenseNet(growth_rate, block_config, num_init_features, **kwargs)
    if weights is not None:
        _load_state_dict(model=model, weights=weights, progress=progress)
    return model


_COMMON_META = {"min_size": (29, 29), "categories": _IMAGENET_CATEGORIES,
                "recipe": "https://github.com/pytorch/vision/pull/116",
                "_docs": "These weights are ported from LuaTorch."}


class DenseNet121_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("densenet121-a639ec97.pth", 7978856, 74.434, 91.972, _COMMON_META)
    DEFAULT = IMAGENET1K_V1


class DenseNet161_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("densenet161-8d451a50.pth", 28681000, 77.138, 93.560, _COMMON_META)
    DEFAULT = IMAGENET1K_V1


class DenseNet169_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("densenet169-b2777c0a.pth", 14149480, 75.600, 92.806, _COMMON_META)
    DEFAULT = IMAGENET1K_V1


class DenseNet201_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("densenet201-c1103571.pth", 20013928, 76.896, 93.370, _COMMON_META)
    DEFAULT = IMAGENET1K_V1


@builder(DenseNet121_Weights, DenseNet121_Weights.IMAGENET1K_V1)
def densenet121(*, weights=None, progress=True, **kwargs):
    """Densenet-121 from `Densely Connected Convolutional Networks <https://arxiv.org/abs/1608.06993>`_.

    ``weights``: ``None``, a ``DenseNet121_Weights`` member or its name; ``pretrained=True`` is the
    deprecated spelling of ``IMAGENET1K_V1`` (file ``densenet121-a639ec97.pth`` in the hub cache).
    """
    weights = DenseNet121_Weights.verify(weights)
    return _densenet(32, (6, 12, 24, 16), 64, weights, progress, **kwargs)


@builder(DenseNet161_Weights, DenseNet161_Weights.IMAGENET1K_V1)
def densenet161(*, weights=None, progress=True, **kwargs):
    """Densenet-161 (growth rate 48, 96 initial features)."""
    weights = DenseNet161_Weights.verify(weights)
    return _densenet(48, (6, 12, 36, 24), 96, weights, progress, **kwargs)


@builder(DenseNet169_Weights, DenseNet169_Weights.IMAGENET1K_V1)
def densenet169(*, weights=None, progress=True, **kwargs):
    """Densenet-169."""
    weights = DenseNet169_Weights.verify(weights)
    return _densenet(32, (6, 12, 32, 32), 64, weights, progress, **kwargs)


@builder(DenseNet201_Weights, DenseNet201_Weights.IMAGENET1K_V1)
def densenet201(*, weights=None, progress=True, **kwargs):
    """Densenet-201."""
    weights = DenseNet201_Weights.verify(weights)
    return _densenet(32, (6, 12, 48, 32), 64, weights, progress, **kwargs)
