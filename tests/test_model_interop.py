"""Checkpoint interop with real PyTorch, numerically, for every model in ``ember.vision.models``.

torchvision cannot be installed here, so this file rebuilds each of its classification
architectures with plain ``torch.nn`` layers, written from torchvision's model definitions
(module names, layer order, strides, paddings, ceil_mode pools, BN eps, concatenation order)
and not from Ember's code. For every model, both ways:

1. PyTorch -> Ember: random weights (and non-trivial BN running statistics) made by PyTorch
   in the reference, ``torch.save``d, ``ember.load``ed (``weights_only=True``), loaded strictly
   into Ember's model; both run the same input in eval mode and must agree.
2. Ember -> PyTorch: other random weights drawn by Ember's own generator into Ember's model,
   ``ember.save``d, ``torch.load(weights_only=True)``ed, loaded strictly into the reference;
   both run the input again and must agree.

The eight VGGs go through one checkpoint each way, their common 123M-parameter classifier stored
once (``vgg_from_torch``, ``vgg_from_ember``): eight round trips of it would cost most of the time.
Checkpoints go through memory (``io.BytesIO``); file paths are covered in test_serialization.py.
"""
import io
import math
from collections import OrderedDict

import numpy as np
import pytest
from model_helpers import no_random_init

import ember
from ember.vision import models

torch = pytest.importorskip("torch")
tnn = torch.nn
F = torch.nn.functional


# --- reference architectures, torch.nn only ---------------------------------------------------

def _conv_bn_relu6(cin, cout, kernel=3, stride=1, groups=1):
    # torchvision's Conv2dNormActivation: a Sequential(conv, bn, act), so its keys are .0 / .1
    return tnn.Sequential(tnn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
                          tnn.BatchNorm2d(cout), tnn.ReLU6(inplace=True))


class RefBasicBlock(tnn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, width_per_group=64):
        super().__init__()
        self.conv1 = tnn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(planes)
        self.conv2 = tnn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = tnn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + identity)


class RefBottleneck(tnn.Module):
    """ResNet v1.5: the stride sits on the 3x3 conv; ResNeXt/wide nets widen it (groups, width)."""
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, width_per_group=64):
        super().__init__()
        width = int(planes * (width_per_group / 64.0)) * groups
        self.conv1 = tnn.Conv2d(inplanes, width, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(width)
        self.conv2 = tnn.Conv2d(width, width, 3, stride, 1, groups=groups, bias=False)
        self.bn2 = tnn.BatchNorm2d(width)
        self.conv3 = tnn.Conv2d(width, planes * 4, 1, bias=False)
        self.bn3 = tnn.BatchNorm2d(planes * 4)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        return F.relu(self.bn3(self.conv3(out)) + identity)


class RefResNet(tnn.Module):
    def __init__(self, block, layers, groups=1, width_per_group=64, num_classes=1000):
        super().__init__()
        self.conv1 = tnn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = tnn.BatchNorm2d(64)
        inplanes = 64
        for i, (planes, n) in enumerate(zip((64, 128, 256, 512), layers)):
            stride = 1 if i == 0 else 2
            downsample = None
            if stride != 1 or inplanes != planes * block.expansion:
                downsample = tnn.Sequential(tnn.Conv2d(inplanes, planes * block.expansion, 1, stride, bias=False),
                                            tnn.BatchNorm2d(planes * block.expansion))
            blocks = [block(inplanes, planes, stride, downsample, groups, width_per_group)]
            inplanes = planes * block.expansion
            blocks += [block(inplanes, planes, 1, None, groups, width_per_group) for _ in range(1, n)]
            setattr(self, f"layer{i + 1}", tnn.Sequential(*blocks))
        self.fc = tnn.Linear(512 * block.expansion, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class RefDenseLayer(tnn.Module):
    def __init__(self, cin, growth, bn_size):
        super().__init__()
        self.norm1 = tnn.BatchNorm2d(cin)
        self.conv1 = tnn.Conv2d(cin, bn_size * growth, 1, bias=False)
        self.norm2 = tnn.BatchNorm2d(bn_size * growth)
        self.conv2 = tnn.Conv2d(bn_size * growth, growth, 3, 1, 1, bias=False)

    def forward(self, features):                 # the list of all earlier feature maps
        out = self.conv1(F.relu(self.norm1(torch.cat(features, 1))))
        return self.conv2(F.relu(self.norm2(out)))


class RefDenseBlock(tnn.ModuleDict):
    def __init__(self, n, cin, growth, bn_size):
        super().__init__()
        for i in range(n):
            self[f"denselayer{i + 1}"] = RefDenseLayer(cin + i * growth, growth, bn_size)

    def forward(self, x):
        features = [x]
        for layer in self.values():
            features.append(layer(features))
        return torch.cat(features, 1)


class RefDenseNet(tnn.Module):
    def __init__(self, growth, blocks, init_features, bn_size=4, num_classes=1000):
        super().__init__()
        feats = OrderedDict([("conv0", tnn.Conv2d(3, init_features, 7, 2, 3, bias=False)),
                             ("norm0", tnn.BatchNorm2d(init_features)), ("relu0", tnn.ReLU(inplace=True)),
                             ("pool0", tnn.MaxPool2d(3, 2, 1))])
        c = init_features
        for i, n in enumerate(blocks):
            feats[f"denseblock{i + 1}"] = RefDenseBlock(n, c, growth, bn_size)
            c += n * growth
            if i != len(blocks) - 1:
                feats[f"transition{i + 1}"] = tnn.Sequential(OrderedDict([
                    ("norm", tnn.BatchNorm2d(c)), ("relu", tnn.ReLU(inplace=True)),
                    ("conv", tnn.Conv2d(c, c // 2, 1, bias=False)), ("pool", tnn.AvgPool2d(2, 2))]))
                c //= 2
        feats["norm5"] = tnn.BatchNorm2d(c)
        self.features = tnn.Sequential(feats)
        self.classifier = tnn.Linear(c, num_classes)

    def forward(self, x):
        x = F.relu(self.features(x))
        return self.classifier(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


VGG_CFGS = {11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
            13: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
            16: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
            19: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
                 512, 512, 512, 512, "M"]}


class RefVGG(tnn.Module):
    def __init__(self, depth, batch_norm, num_classes=1000):
        super().__init__()
        layers, cin = [], 3
        for v in VGG_CFGS[depth]:
            if v == "M":
                layers.append(tnn.MaxPool2d(2, 2))
                continue
            layers.append(tnn.Conv2d(cin, v, 3, padding=1))
            if batch_norm:
                layers.append(tnn.BatchNorm2d(v))
            layers.append(tnn.ReLU(inplace=True))
            cin = v
        self.features = tnn.Sequential(*layers)
        self.avgpool = tnn.AdaptiveAvgPool2d((7, 7))
        self.classifier = tnn.Sequential(tnn.Linear(512 * 7 * 7, 4096), tnn.ReLU(True), tnn.Dropout(),
                                         tnn.Linear(4096, 4096), tnn.ReLU(True), tnn.Dropout(),
                                         tnn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class RefAlexNet(tnn.Module):
    def __init__(self, num_classes=1000):
        super().__init__()
        self.features = tnn.Sequential(
            tnn.Conv2d(3, 64, 11, 4, 2), tnn.ReLU(True), tnn.MaxPool2d(3, 2),
            tnn.Conv2d(64, 192, 5, padding=2), tnn.ReLU(True), tnn.MaxPool2d(3, 2),
            tnn.Conv2d(192, 384, 3, padding=1), tnn.ReLU(True),
            tnn.Conv2d(384, 256, 3, padding=1), tnn.ReLU(True),
            tnn.Conv2d(256, 256, 3, padding=1), tnn.ReLU(True), tnn.MaxPool2d(3, 2))
        self.avgpool = tnn.AdaptiveAvgPool2d((6, 6))
        self.classifier = tnn.Sequential(tnn.Dropout(), tnn.Linear(256 * 6 * 6, 4096), tnn.ReLU(True),
                                         tnn.Dropout(), tnn.Linear(4096, 4096), tnn.ReLU(True),
                                         tnn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class RefFire(tnn.Module):
    def __init__(self, cin, squeeze, e1, e3):
        super().__init__()
        self.squeeze = tnn.Conv2d(cin, squeeze, 1)
        self.expand1x1 = tnn.Conv2d(squeeze, e1, 1)
        self.expand3x3 = tnn.Conv2d(squeeze, e3, 3, padding=1)

    def forward(self, x):
        x = F.relu(self.squeeze(x))
        return torch.cat([F.relu(self.expand1x1(x)), F.relu(self.expand3x3(x))], 1)


class RefSqueezeNet(tnn.Module):
    def __init__(self, version, num_classes=1000):
        super().__init__()
        pool = lambda: tnn.MaxPool2d(3, 2, ceil_mode=True)  # noqa: E731
        if version == "1_0":
            self.features = tnn.Sequential(
                tnn.Conv2d(3, 96, 7, 2), tnn.ReLU(True), pool(),
                RefFire(96, 16, 64, 64), RefFire(128, 16, 64, 64), RefFire(128, 32, 128, 128), pool(),
                RefFire(256, 32, 128, 128), RefFire(256, 48, 192, 192), RefFire(384, 48, 192, 192),
                RefFire(384, 64, 256, 256), pool(), RefFire(512, 64, 256, 256))
        else:
            self.features = tnn.Sequential(
                tnn.Conv2d(3, 64, 3, 2), tnn.ReLU(True), pool(),
                RefFire(64, 16, 64, 64), RefFire(128, 16, 64, 64), pool(),
                RefFire(128, 32, 128, 128), RefFire(256, 32, 128, 128), pool(),
                RefFire(256, 48, 192, 192), RefFire(384, 48, 192, 192), RefFire(384, 64, 256, 256),
                RefFire(512, 64, 256, 256))
        self.classifier = tnn.Sequential(tnn.Dropout(0.5), tnn.Conv2d(512, num_classes, 1), tnn.ReLU(True),
                                         tnn.AdaptiveAvgPool2d((1, 1)))

    def forward(self, x):
        return torch.flatten(self.classifier(self.features(x)), 1)


class RefInvertedResidual(tnn.Module):
    def __init__(self, cin, cout, stride, expand_ratio):
        super().__init__()
        hidden = cin * expand_ratio
        self.use_res_connect = stride == 1 and cin == cout
        layers = [] if expand_ratio == 1 else [_conv_bn_relu6(cin, hidden, 1)]
        layers += [_conv_bn_relu6(hidden, hidden, 3, stride, groups=hidden),   # depthwise
                   tnn.Conv2d(hidden, cout, 1, bias=False), tnn.BatchNorm2d(cout)]   # linear bottleneck
        self.conv = tnn.Sequential(*layers)

    def forward(self, x):
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


class RefMobileNetV2(tnn.Module):
    def __init__(self, num_classes=1000):
        super().__init__()
        layers, cin = [_conv_bn_relu6(3, 32, 3, 2)], 32
        for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                           (6, 160, 3, 2), (6, 320, 1, 1)]:
            for i in range(n):
                layers.append(RefInvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        layers.append(_conv_bn_relu6(cin, 1280, 1))
        self.features = tnn.Sequential(*layers)
        self.classifier = tnn.Sequential(tnn.Dropout(0.2), tnn.Linear(1280, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(F.adaptive_avg_pool2d(self.features(x), 1), 1))


class RefBasicConv2d(tnn.Module):
    def __init__(self, cin, cout, **kw):
        super().__init__()
        self.conv = tnn.Conv2d(cin, cout, bias=False, **kw)
        self.bn = tnn.BatchNorm2d(cout, eps=0.001)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class RefInception(tnn.Module):
    def __init__(self, cin, c1, c3r, c3, c5r, c5, pool_proj):
        super().__init__()
        self.branch1 = RefBasicConv2d(cin, c1, kernel_size=1)
        self.branch2 = tnn.Sequential(RefBasicConv2d(cin, c3r, kernel_size=1),
                                      RefBasicConv2d(c3r, c3, kernel_size=3, padding=1))
        # torchvision's "5x5" branch has a 3x3 conv (pytorch/vision#906), which its weights were trained with
        self.branch3 = tnn.Sequential(RefBasicConv2d(cin, c5r, kernel_size=1),
                                      RefBasicConv2d(c5r, c5, kernel_size=3, padding=1))
        self.branch4 = tnn.Sequential(tnn.MaxPool2d(3, 1, 1, ceil_mode=True),
                                      RefBasicConv2d(cin, pool_proj, kernel_size=1))

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class RefInceptionAux(tnn.Module):
    def __init__(self, cin, num_classes):
        super().__init__()
        self.conv = RefBasicConv2d(cin, 128, kernel_size=1)
        self.fc1 = tnn.Linear(2048, 1024)
        self.fc2 = tnn.Linear(1024, num_classes)


class RefGoogLeNet(tnn.Module):
    """Eval-mode GoogLeNet (the aux heads, when present, only add keys: they run in training only)."""

    def __init__(self, num_classes=1000, aux_logits=False, transform_input=False):
        super().__init__()
        self.transform_input = transform_input
        self.conv1 = RefBasicConv2d(3, 64, kernel_size=7, stride=2, padding=3)
        self.maxpool1 = tnn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv2 = RefBasicConv2d(64, 64, kernel_size=1)
        self.conv3 = RefBasicConv2d(64, 192, kernel_size=3, padding=1)
        self.maxpool2 = tnn.MaxPool2d(3, 2, ceil_mode=True)
        self.inception3a = RefInception(192, 64, 96, 128, 16, 32, 32)
        self.inception3b = RefInception(256, 128, 128, 192, 32, 96, 64)
        self.maxpool3 = tnn.MaxPool2d(3, 2, ceil_mode=True)
        self.inception4a = RefInception(480, 192, 96, 208, 16, 48, 64)
        self.inception4b = RefInception(512, 160, 112, 224, 24, 64, 64)
        self.inception4c = RefInception(512, 128, 128, 256, 24, 64, 64)
        self.inception4d = RefInception(512, 112, 144, 288, 32, 64, 64)
        self.inception4e = RefInception(528, 256, 160, 320, 32, 128, 128)
        self.maxpool4 = tnn.MaxPool2d(2, 2, ceil_mode=True)
        self.inception5a = RefInception(832, 256, 160, 320, 32, 128, 128)
        self.inception5b = RefInception(832, 384, 192, 384, 48, 128, 128)
        self.aux1 = RefInceptionAux(512, num_classes) if aux_logits else None
        self.aux2 = RefInceptionAux(528, num_classes) if aux_logits else None
        self.fc = tnn.Linear(1024, num_classes)

    def forward(self, x):
        if self.transform_input:                 # ImageNet-normalized input -> the [-1, 1] range
            x = torch.cat([x[:, 0:1] * (0.229 / 0.5) + (0.485 - 0.5) / 0.5,
                           x[:, 1:2] * (0.224 / 0.5) + (0.456 - 0.5) / 0.5,
                           x[:, 2:3] * (0.225 / 0.5) + (0.406 - 0.5) / 0.5], 1)
        x = self.maxpool1(self.conv1(x))
        x = self.maxpool2(self.conv3(self.conv2(x)))
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        for name in ("4a", "4b", "4c", "4d", "4e"):
            x = getattr(self, f"inception{name}")(x)
        x = self.inception5b(self.inception5a(self.maxpool4(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def _resnet(block, layers, **kw):
    return lambda: RefResNet(block, layers, **kw)


REFERENCES = {
    "resnet18": _resnet(RefBasicBlock, [2, 2, 2, 2]),
    "resnet34": _resnet(RefBasicBlock, [3, 4, 6, 3]),
    "resnet50": _resnet(RefBottleneck, [3, 4, 6, 3]),
    "resnet101": _resnet(RefBottleneck, [3, 4, 23, 3]),
    "resnet152": _resnet(RefBottleneck, [3, 8, 36, 3]),
    "resnext50_32x4d": _resnet(RefBottleneck, [3, 4, 6, 3], groups=32, width_per_group=4),
    "resnext101_32x8d": _resnet(RefBottleneck, [3, 4, 23, 3], groups=32, width_per_group=8),
    "resnext101_64x4d": _resnet(RefBottleneck, [3, 4, 23, 3], groups=64, width_per_group=4),
    "wide_resnet50_2": _resnet(RefBottleneck, [3, 4, 6, 3], width_per_group=128),
    "wide_resnet101_2": _resnet(RefBottleneck, [3, 4, 23, 3], width_per_group=128),
    "densenet121": lambda: RefDenseNet(32, (6, 12, 24, 16), 64),
    "densenet161": lambda: RefDenseNet(48, (6, 12, 36, 24), 96),
    "densenet169": lambda: RefDenseNet(32, (6, 12, 32, 32), 64),
    "densenet201": lambda: RefDenseNet(32, (6, 12, 48, 32), 64),
    **{f"vgg{d}{s}": (lambda d=d, s=s: RefVGG(d, bool(s))) for d in (11, 13, 16, 19) for s in ("", "_bn")},
    "alexnet": RefAlexNet,
    "squeezenet1_0": lambda: RefSqueezeNet("1_0"),
    "squeezenet1_1": lambda: RefSqueezeNet("1_1"),
    "mobilenet_v2": RefMobileNetV2,
    "googlenet": RefGoogLeNet,
}

# configurations beyond the defaults: case -> (model name, Ember builder kwargs, reference factory)
VARIANTS = {
    # torchvision's pretrained GoogLeNet configuration: transform_input on; aux heads kept (keys only in eval)
    "googlenet-aux-transform": ("googlenet", {"aux_logits": True, "transform_input": True},
                                lambda: RefGoogLeNet(aux_logits=True, transform_input=True)),
    "resnet18-classes10": ("resnet18", {"num_classes": 10}, _resnet(RefBasicBlock, [2, 2, 2, 2], num_classes=10)),
}


# --- helpers ------------------------------------------------------------------------------------

def _build_ember(name, **kw):
    if name == "googlenet":
        kw.setdefault("aux_logits", False)
        kw.setdefault("transform_input", False)
        kw.setdefault("init_weights", False)
    with no_random_init():
        return models.get_model(name, **kw).eval()


def _build_torch(factory):
    """The reference with uninitialized storage (torch's default init would be overwritten anyway)."""
    with torch.device("meta"):
        ref = factory()
    return ref.to_empty(device="cpu").eval()


@pytest.fixture(scope="module", autouse=True)
def _one_torch_thread():
    """One intra-op thread for PyTorch: on batch-2 inputs its threads buy nothing, and on a busy
    2-core machine their spin-waits made the reference forwards 10-50x slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _randomize_torch(module, seed):
    """Random weights drawn by PyTorch into every layer under ``module``. He-scaled (std
    sqrt(2 / fan_in)) so the signal neither vanishes nor explodes through 150+ layers; BN affine
    and running statistics away from the identity, so that eval-mode BN (which uses the running
    statistics) is really exercised."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, tnn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5, generator=g)
                m.bias.normal_(0, 0.1, generator=g)
                m.running_mean.normal_(0, 0.1, generator=g)
                m.running_var.uniform_(0.5, 1.5, generator=g)
                m.num_batches_tracked.fill_(seed + 7)
            elif isinstance(m, (tnn.Conv2d, tnn.Linear)):
                m.weight.normal_(0, math.sqrt(2.0 / m.weight[0].numel()), generator=g)
                if m.bias is not None:
                    m.bias.normal_(0, 0.1, generator=g)


def _randomize_ember(module, seed):
    """Random weights drawn by Ember's own generator, with the same scales as ``_randomize_torch``.
    Uniform with matching variance (U(-a, a) has variance a^2 / 3): Ember's PyTorch-exact normal_
    costs ~15 s per 100M values here, uniform_ ~1.7 s."""
    ember.manual_seed(seed)

    def uniform(t, mean, std):
        t.uniform_(mean - math.sqrt(3.0) * std, mean + math.sqrt(3.0) * std)

    with ember.no_grad():
        for m in module.modules():
            if isinstance(m, ember.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                uniform(m.bias, 0.0, 0.1)
                uniform(m.running_mean, 0.0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.num_batches_tracked.fill_(seed + 7)
            elif isinstance(m, (ember.nn.Conv2d, ember.nn.Linear)):
                uniform(m.weight, 0.0, math.sqrt(2.0 / m.weight[0].numel()))
                if m.bias is not None:
                    uniform(m.bias, 0.0, 0.1)


def _torch_to_ember(obj):
    """torch.save -> ember.load (``weights_only=True``, Ember's default as PyTorch's). In memory:
    files of the 100M+ parameter models cost seconds more to write, fsync and delete."""
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return ember.load(buf)


def _ember_to_torch(obj):
    buf = io.BytesIO()
    ember.save(obj, buf)
    buf.seek(0)
    return torch.load(buf, weights_only=True)


def _assert_same_state(ember_sd, torch_sd):
    assert list(ember_sd) == list(torch_sd)
    for k, v in torch_sd.items():
        e, t = ember_sd[k].numpy(), v.numpy()
        assert e.dtype == t.dtype and e.shape == t.shape and np.array_equal(e, t), k


# Non-square, odd, and sized so that ceil_mode matters in every stride-2 pool of SqueezeNet 1.0/1.1 and
# GoogLeNet (at 64x64 the floor and ceil outputs of SqueezeNet 1.1's pools coincide); AlexNet needs >= 63.
X = np.random.default_rng(0).standard_normal((2, 3, 65, 87)).astype(np.float32)


def _assert_same_outputs(model, ref):
    """Both in eval mode on the same input ``X``; returns PyTorch's output."""
    _assert_same_state(model.state_dict(), ref.state_dict())
    with torch.no_grad():
        expected = ref(torch.from_numpy(X)).numpy()
    with ember.no_grad():
        got = model(ember.from_numpy(X)).numpy()
    assert got.shape == expected.shape and np.isfinite(expected).all()
    scale = float(np.abs(expected).max())
    # Not a vacuous comparison: the logits depend on the input (the signal reached the head). In the
    # deepest nets most of each logit is the same for any input (1.4e-2 * scale differs in
    # wide_resnet101_2, 4e-2 to 0.4 elsewhere); this asks for 60x the tolerance below.
    assert np.abs(expected[0] - expected[1]).max() > 3e-3 * scale
    # Both sides compute in float32 with different summation orders (im2col + GEMM here, oneDNN in
    # PyTorch), compounding over up to ~150 layers, and the deep ResNets' logits grow to ~1e11 with
    # these weights, so the tolerance is relative to the largest logit (logits near zero have no
    # meaningful relative error). Measured: at most 1e-5 * scale (MobileNetV2), mostly <= 3e-6 * scale.
    # A wrong layer (stride, padding, pool mode, eps, concat order, residual) changes the
    # input-dependent part above by O(1), far beyond 5e-5 * scale.
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=5e-5 * scale)
    return expected


VGGS = [f"vgg{d}{s}" for d in (11, 13, 16, 19) for s in ("", "_bn")]
CASES = [n for n in sorted(REFERENCES) if n not in VGGS] + sorted(VARIANTS)


def test_every_model_is_covered():
    # the newer architectures (tests/test_vision_models_extra.py) are compared block by block instead
    assert set(REFERENCES) <= set(models.list_models())
    assert sorted((set(CASES) - set(VARIANTS)) | set(VGGS)) == sorted(REFERENCES)


@pytest.mark.parametrize("case", CASES)
def test_same_outputs_as_pytorch_both_ways(case):
    name, kw, factory = VARIANTS[case] if case in VARIANTS else (case, {}, REFERENCES[case])
    ref = _build_torch(factory)
    model = _build_ember(name, **kw)
    assert list(ref.state_dict()) == list(model.state_dict())

    # 1. PyTorch -> Ember: weights drawn by PyTorch
    _randomize_torch(ref, seed=1)
    model.load_state_dict(_torch_to_ember(ref.state_dict()))          # strict
    expected = _assert_same_outputs(model, ref)

    # 2. Ember -> PyTorch: other weights, drawn by Ember
    _randomize_ember(model, seed=2)
    ref.load_state_dict(_ember_to_torch(model.state_dict()))          # strict
    assert not np.allclose(_assert_same_outputs(model, ref), expected)   # really other weights


# The eight VGGs end in the same classifier (25088x4096, 4096x4096 and 4096x1000 matrices: 123M of
# their 133M-144M parameters). They share one classifier module on each side here, so the checkpoint
# holding all eight state_dicts stores it once (PyTorch's serialization writes a shared storage once
# and restores the sharing, and so must Ember's): one 0.5 GB round trip each way instead of eight.
# Every VGG has its own random features and loads its own state_dict strictly into a fresh model.
# Each test takes its VGG out of the fixture, so the eight are freed as they are tested (and the
# second fixture is built after the first is spent).

@pytest.fixture(scope="module")
def vgg_from_torch():
    """name -> (reference with PyTorch-drawn weights, its state_dict through torch.save/ember.load)."""
    refs = {}
    for i, name in enumerate(VGGS):
        refs[name] = ref = _build_torch(REFERENCES[name])
        if i:
            ref.classifier = refs[VGGS[0]].classifier
        _randomize_torch(ref if i == 0 else ref.features, seed=1 + i)
    loaded = _torch_to_ember({n: r.state_dict() for n, r in refs.items()})
    key = "classifier.0.weight"
    assert np.shares_memory(loaded[VGGS[0]][key].numpy(), loaded[VGGS[-1]][key].numpy())
    return {n: (refs[n], loaded[n]) for n in VGGS}


@pytest.fixture(scope="module")
def vgg_from_ember():
    """name -> (Ember model with Ember-drawn weights, its state_dict through ember.save/torch.load)."""
    mine = {}
    for i, name in enumerate(VGGS):
        mine[name] = model = _build_ember(name)
        if i:
            model.classifier = mine[VGGS[0]].classifier
        _randomize_ember(model if i == 0 else model.features, seed=101 + i)
    loaded = _ember_to_torch({n: m.state_dict() for n, m in mine.items()})
    key = "classifier.0.weight"
    assert loaded[VGGS[0]][key].untyped_storage().data_ptr() == loaded[VGGS[-1]][key].untyped_storage().data_ptr()
    return {n: (mine[n], loaded[n]) for n in VGGS}


@pytest.mark.parametrize("name", VGGS)
def test_vgg_same_outputs_pytorch_to_ember(name, vgg_from_torch):
    ref, sd = vgg_from_torch.pop(name)
    model = _build_ember(name)
    assert list(ref.state_dict()) == list(model.state_dict())
    model.load_state_dict(sd)                                         # strict
    del sd
    _assert_same_outputs(model, ref)


@pytest.mark.parametrize("name", VGGS)
def test_vgg_same_outputs_ember_to_pytorch(name, vgg_from_ember):
    model, sd = vgg_from_ember.pop(name)
    ref = _build_torch(REFERENCES[name])
    assert list(ref.state_dict()) == list(model.state_dict())
    ref.load_state_dict(sd)                                           # strict
    del sd
    _assert_same_outputs(model, ref)
