"""ember.vision.models: architectures, state_dict keys/shapes against a reference derived from
torchvision's sources, parameter counts against torchvision's documented ``num_params``, init,
forward shapes, constructor kwargs and the legacy ``pretrained=`` interface."""
import math
import warnings

import numpy as np
import pytest

import ember
from ember import nn
from ember.vision import models

BN = ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")


@pytest.fixture
def no_init(monkeypatch):
    """Skip the random fill of parameters (shapes and names only): the big models (VGG, wide
    ResNets) spend seconds drawing 100M+ random numbers that key/shape checks do not need."""
    import ember.nn.init as init
    monkeypatch.setattr(init, "_draw", lambda tensor, *a, **k: tensor)
    monkeypatch.setattr(init, "trunc_normal_", lambda tensor, *a, **k: tensor)


# --- reference state_dict layouts, written from torchvision's model sources --------------------

def _bn(prefix, c):
    return [(f"{prefix}.{k}", () if k == "num_batches_tracked" else (c,)) for k in BN]


def ref_resnet(block, layers, groups=1, width_per_group=64, num_classes=1000):
    keys = [("conv1.weight", (64, 3, 7, 7))] + _bn("bn1", 64)
    inplanes, expansion = 64, (1 if block == "basic" else 4)
    for li, (planes, n) in enumerate(zip((64, 128, 256, 512), layers)):
        stride = 1 if li == 0 else 2
        for b in range(n):
            p = f"layer{li + 1}.{b}"
            if block == "basic":
                keys += [(f"{p}.conv1.weight", (planes, inplanes, 3, 3))] + _bn(f"{p}.bn1", planes)
                keys += [(f"{p}.conv2.weight", (planes, planes, 3, 3))] + _bn(f"{p}.bn2", planes)
            else:
                w = int(planes * (width_per_group / 64.0)) * groups
                keys += [(f"{p}.conv1.weight", (w, inplanes, 1, 1))] + _bn(f"{p}.bn1", w)
                keys += [(f"{p}.conv2.weight", (w, w // groups, 3, 3))] + _bn(f"{p}.bn2", w)
                keys += [(f"{p}.conv3.weight", (planes * 4, w, 1, 1))] + _bn(f"{p}.bn3", planes * 4)
            if b == 0 and (stride != 1 or inplanes != planes * expansion):
                keys += [(f"{p}.downsample.0.weight", (planes * expansion, inplanes, 1, 1))]
                keys += _bn(f"{p}.downsample.1", planes * expansion)
            inplanes = planes * expansion
    return keys + [("fc.weight", (num_classes, 512 * expansion)), ("fc.bias", (num_classes,))]


def ref_densenet(growth, blocks, init_features, bn_size=4, num_classes=1000):
    keys = [("features.conv0.weight", (init_features, 3, 7, 7))] + _bn("features.norm0", init_features)
    c = init_features
    for bi, n in enumerate(blocks):
        for li in range(n):
            p = f"features.denseblock{bi + 1}.denselayer{li + 1}"
            cin = c + li * growth
            keys += _bn(f"{p}.norm1", cin) + [(f"{p}.conv1.weight", (bn_size * growth, cin, 1, 1))]
            keys += _bn(f"{p}.norm2", bn_size * growth) + [(f"{p}.conv2.weight", (growth, bn_size * growth, 3, 3))]
        c += n * growth
        if bi != len(blocks) - 1:
            keys += _bn(f"features.transition{bi + 1}.norm", c)
            keys += [(f"features.transition{bi + 1}.conv.weight", (c // 2, c, 1, 1))]
            c //= 2
    return keys + _bn("features.norm5", c) + [("classifier.weight", (num_classes, c)), ("classifier.bias", (num_classes,))]


VGG_CFGS = {11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
            13: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
            16: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
            19: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512,
                 "M"]}


def ref_vgg(depth, bn):
    keys, i, cin = [], 0, 3
    for v in VGG_CFGS[depth]:
        if v == "M":
            i += 1
            continue
        keys += [(f"features.{i}.weight", (v, cin, 3, 3)), (f"features.{i}.bias", (v,))]
        if bn:
            keys += _bn(f"features.{i + 1}", v)
        i += 3 if bn else 2
        cin = v
    return keys + [("classifier.0.weight", (4096, 25088)), ("classifier.0.bias", (4096,)),
                   ("classifier.3.weight", (4096, 4096)), ("classifier.3.bias", (4096,)),
                   ("classifier.6.weight", (1000, 4096)), ("classifier.6.bias", (1000,))]


def ref_alexnet():
    convs = [(0, 64, 3, 11), (3, 192, 64, 5), (6, 384, 192, 3), (8, 256, 384, 3), (10, 256, 256, 3)]
    keys = []
    for i, co, ci, k in convs:
        keys += [(f"features.{i}.weight", (co, ci, k, k)), (f"features.{i}.bias", (co,))]
    return keys + [("classifier.1.weight", (4096, 9216)), ("classifier.1.bias", (4096,)),
                   ("classifier.4.weight", (4096, 4096)), ("classifier.4.bias", (4096,)),
                   ("classifier.6.weight", (1000, 4096)), ("classifier.6.bias", (1000,))]


def ref_squeezenet(version):
    if version == "1_0":
        stem, fires = (96, 7), {3: (96, 16, 64), 4: (128, 16, 64), 5: (128, 32, 128), 7: (256, 32, 128),
                                8: (256, 48, 192), 9: (384, 48, 192), 10: (384, 64, 256), 12: (512, 64, 256)}
    else:
        stem, fires = (64, 3), {3: (64, 16, 64), 4: (128, 16, 64), 6: (128, 32, 128), 7: (256, 32, 128),
                                9: (256, 48, 192), 10: (384, 48, 192), 11: (384, 64, 256), 12: (512, 64, 256)}
    keys = [("features.0.weight", (stem[0], 3, stem[1], stem[1])), ("features.0.bias", (stem[0],))]
    for i, (cin, s, e) in fires.items():
        keys += [(f"features.{i}.squeeze.weight", (s, cin, 1, 1)), (f"features.{i}.squeeze.bias", (s,)),
                 (f"features.{i}.expand1x1.weight", (e, s, 1, 1)), (f"features.{i}.expand1x1.bias", (e,)),
                 (f"features.{i}.expand3x3.weight", (e, s, 3, 3)), (f"features.{i}.expand3x3.bias", (e,))]
    return keys + [("classifier.1.weight", (1000, 512, 1, 1)), ("classifier.1.bias", (1000,))]


def ref_mobilenet_v2():
    keys = [("features.0.0.weight", (32, 3, 3, 3))] + _bn("features.0.1", 32)
    setting = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
               (6, 320, 1, 1)]
    cin, idx = 32, 1
    for t, c, n, s in setting:
        for _ in range(n):
            p, hidden, j = f"features.{idx}.conv", cin * t, 0
            if t != 1:
                keys += [(f"{p}.0.0.weight", (hidden, cin, 1, 1))] + _bn(f"{p}.0.1", hidden)
                j = 1
            keys += [(f"{p}.{j}.0.weight", (hidden, 1, 3, 3))] + _bn(f"{p}.{j}.1", hidden)
            keys += [(f"{p}.{j + 1}.weight", (c, hidden, 1, 1))] + _bn(f"{p}.{j + 2}", c)
            cin, idx = c, idx + 1
    keys += [(f"features.{idx}.0.weight", (1280, 320, 1, 1))] + _bn(f"features.{idx}.1", 1280)
    return keys + [("classifier.1.weight", (1000, 1280)), ("classifier.1.bias", (1000,))]


def ref_googlenet(aux=False):
    def basic(p, cin, cout, k):
        return [(f"{p}.conv.weight", (cout, cin, k, k))] + _bn(f"{p}.bn", cout)

    keys = basic("conv1", 3, 64, 7) + basic("conv2", 64, 64, 1) + basic("conv3", 64, 192, 3)
    incs = [("3a", 192, 64, 96, 128, 16, 32, 32), ("3b", 256, 128, 128, 192, 32, 96, 64),
            ("4a", 480, 192, 96, 208, 16, 48, 64), ("4b", 512, 160, 112, 224, 24, 64, 64),
            ("4c", 512, 128, 128, 256, 24, 64, 64), ("4d", 512, 112, 144, 288, 32, 64, 64),
            ("4e", 528, 256, 160, 320, 32, 128, 128), ("5a", 832, 256, 160, 320, 32, 128, 128),
            ("5b", 832, 384, 192, 384, 48, 128, 128)]
    for name, cin, c1, c3r, c3, c5r, c5, pp in incs:
        p = f"inception{name}"
        keys += basic(f"{p}.branch1", cin, c1, 1)
        keys += basic(f"{p}.branch2.0", cin, c3r, 1) + basic(f"{p}.branch2.1", c3r, c3, 3)
        keys += basic(f"{p}.branch3.0", cin, c5r, 1) + basic(f"{p}.branch3.1", c5r, c5, 3)
        keys += basic(f"{p}.branch4.1", cin, pp, 1)
    if aux:
        for a, cin in (("aux1", 512), ("aux2", 528)):
            keys += basic(f"{a}.conv", cin, 128, 1)
            keys += [(f"{a}.fc1.weight", (1024, 2048)), (f"{a}.fc1.bias", (1024,)),
                     (f"{a}.fc2.weight", (1000, 1024)), (f"{a}.fc2.bias", (1000,))]
    return keys + [("fc.weight", (1000, 1024)), ("fc.bias", (1000,))]


REFERENCES = {
    "resnet18": lambda: ref_resnet("basic", [2, 2, 2, 2]),
    "resnet34": lambda: ref_resnet("basic", [3, 4, 6, 3]),
    "resnet50": lambda: ref_resnet("bottleneck", [3, 4, 6, 3]),
    "resnet101": lambda: ref_resnet("bottleneck", [3, 4, 23, 3]),
    "resnet152": lambda: ref_resnet("bottleneck", [3, 8, 36, 3]),
    "resnext50_32x4d": lambda: ref_resnet("bottleneck", [3, 4, 6, 3], 32, 4),
    "resnext101_32x8d": lambda: ref_resnet("bottleneck", [3, 4, 23, 3], 32, 8),
    "resnext101_64x4d": lambda: ref_resnet("bottleneck", [3, 4, 23, 3], 64, 4),
    "wide_resnet50_2": lambda: ref_resnet("bottleneck", [3, 4, 6, 3], 1, 128),
    "wide_resnet101_2": lambda: ref_resnet("bottleneck", [3, 4, 23, 3], 1, 128),
    "densenet121": lambda: ref_densenet(32, (6, 12, 24, 16), 64),
    "densenet161": lambda: ref_densenet(48, (6, 12, 36, 24), 96),
    "densenet169": lambda: ref_densenet(32, (6, 12, 32, 32), 64),
    "densenet201": lambda: ref_densenet(32, (6, 12, 48, 32), 64),
    **{f"vgg{d}{s}": (lambda d=d, s=s: ref_vgg(d, bool(s))) for d in (11, 13, 16, 19) for s in ("", "_bn")},
    "alexnet": ref_alexnet,
    "squeezenet1_0": lambda: ref_squeezenet("1_0"),
    "squeezenet1_1": lambda: ref_squeezenet("1_1"),
    "mobilenet_v2": ref_mobilenet_v2,
    "googlenet": ref_googlenet,
}

# torchvision's documented parameter counts (Weights.meta["num_params"]), restated here.
NUM_PARAMS = {
    "resnet18": 11689512, "resnet34": 21797672, "resnet50": 25557032, "resnet101": 44549160,
    "resnet152": 60192808, "resnext50_32x4d": 25028904, "resnext101_32x8d": 88791336,
    "resnext101_64x4d": 83455272, "wide_resnet50_2": 68883240, "wide_resnet101_2": 126886696,
    "densenet121": 7978856, "densenet161": 28681000, "densenet169": 14149480, "densenet201": 20013928,
    "vgg11": 132863336, "vgg11_bn": 132868840, "vgg13": 133047848, "vgg13_bn": 133053736, "vgg16": 138357544,
    "vgg16_bn": 138365992, "vgg19": 143667240, "vgg19_bn": 143678248, "alexnet": 61100840,
    "squeezenet1_0": 1248424, "squeezenet1_1": 1235496, "mobilenet_v2": 3504872, "googlenet": 6624904,
}


def _build(name, **kw):
    if name == "googlenet":
        kw.setdefault("aux_logits", False)
        kw.setdefault("init_weights", False)
    return models.get_model(name, **kw)


def test_every_model_is_listed():
    # the newer architectures are checked in test_vision_models_extra.py (which also checks the full list)
    assert set(REFERENCES) <= set(models.list_models())


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_state_dict_keys_shapes_and_num_params(name, no_init):
    model = _build(name)
    got = [(k, tuple(v.shape)) for k, v in model.state_dict().items()]
    assert got == REFERENCES[name]()
    n = sum(p.numel() for p in model.parameters())
    assert n == NUM_PARAMS[name]
    weights_enum = models.get_model_weights(name)
    assert weights_enum.DEFAULT.meta["num_params"] == n
    assert all(p.requires_grad for p in model.parameters())
    for k, v in model.state_dict().items():
        assert v.dtype == (ember.int64 if k.endswith("num_batches_tracked") else ember.float32), k


def test_googlenet_aux_keys(no_init):
    model = models.googlenet(aux_logits=True, init_weights=False)
    got = [(k, tuple(v.shape)) for k, v in model.state_dict().items()]
    assert dict(got) == dict(ref_googlenet(aux=True)) and len(got) == len(ref_googlenet(aux=True))
    names = [k for k, _ in got]                 # registered as torchvision does: aux heads before fc
    assert names.index("inception5b.branch4.1.bn.num_batches_tracked") < names.index("aux1.conv.conv.weight")
    assert names[-2:] == ["fc.weight", "fc.bias"]
    assert sum(p.numel() for p in model.parameters()) == 13004888


@pytest.mark.parametrize("name,size", [("resnet18", 64), ("densenet121", 64), ("squeezenet1_0", 64),
                                       ("squeezenet1_1", 64), ("mobilenet_v2", 64), ("googlenet", 64),
                                       ("alexnet", 63)])
def test_forward_shape(name, size):
    ember.manual_seed(0)
    model = _build(name, **({"init_weights": True} if name == "googlenet" else {})).eval()
    with ember.no_grad():
        out = model(ember.randn(2, 3, size, size))
    assert out.shape == (2, 1000) and out.dtype == ember.float32
    assert bool(ember.isfinite(out).all())


def test_num_classes_and_kwargs():
    assert models.resnet18(num_classes=10).fc.out_features == 10
    assert models.densenet121(num_classes=2).classifier.out_features == 2
    assert models.squeezenet1_1(num_classes=7)(ember.randn(1, 3, 48, 48)).shape == (1, 7)
    m = models.mobilenet_v2(num_classes=5, width_mult=0.5, dropout=0.1)
    assert m.classifier[0].p == 0.1 and m.features[0][0].out_channels == 16 and m.last_channel == 1280
    assert m.eval()(ember.randn(1, 3, 32, 32)).shape == (1, 5)
    r = models.resnet50(replace_stride_with_dilation=[False, True, True], num_classes=3).eval()
    assert r.layer4[0].conv2.dilation == (2, 2) and r.layer4[1].conv2.dilation == (4, 4)
    with ember.no_grad():
        assert r(ember.randn(1, 3, 32, 32)).shape == (1, 3)
    zr = models.resnet18(zero_init_residual=True)
    assert float(zr.layer1[0].bn2.weight.abs().sum()) == 0.0


def test_constructor_errors():
    with pytest.raises(ValueError, match="Unsupported SqueezeNet version 2_0: 1_0 or 1_1 expected"):
        models.SqueezeNet("2_0")
    with pytest.raises(ValueError, match="replace_stride_with_dilation should be None or a 3-element tuple"):
        models.resnet50(replace_stride_with_dilation=[True])
    with pytest.raises(NotImplementedError, match="Dilation > 1 not supported in BasicBlock"):
        models.resnet18(replace_stride_with_dilation=[False, False, True])
    with pytest.raises(ValueError, match="inverted_residual_setting should be non-empty or a 4-element list"):
        models.MobileNetV2(inverted_residual_setting=[[1, 16, 1]])
    with pytest.raises(ValueError, match="Unknown model resnet9"):
        models.get_model("resnet9")
    with pytest.raises(ValueError, match="Unknown value 'IMAGENET1K_V9' for ResNet18_Weights."):
        models.resnet18(weights="IMAGENET1K_V9")
    with pytest.raises(TypeError, match="Invalid Weight class provided; expected ResNet18_Weights but received "
                                        "ResNet34_Weights."):
        models.resnet18(weights=models.ResNet34_Weights.DEFAULT)
    with pytest.raises(ValueError, match="The parameter 'num_classes' expected value 1000 but got 10 instead."):
        models.resnet18(weights="DEFAULT", num_classes=10)
    with pytest.raises(ValueError, match="No weights available for model resnext101_64x4d"):
        models.resnext101_64x4d(pretrained=True)


def _std(t):
    return float(np.asarray(t.detach().numpy(), dtype=np.float64).std())


def test_weight_init_follows_torchvision():
    ember.manual_seed(0)
    r = models.resnet18()
    w = r.layer3[0].conv1.weight                                  # kaiming normal, fan_out, relu
    assert abs(_std(w) - math.sqrt(2.0 / (256 * 9))) < 0.05 * math.sqrt(2.0 / (256 * 9))
    assert float(r.bn1.weight.sum()) == 64 and float(r.bn1.bias.abs().sum()) == 0
    d = models.densenet121()
    assert float(d.classifier.bias.abs().sum()) == 0
    w = d.features.conv0.weight                                   # kaiming normal, fan_in, leaky_relu(0)
    assert abs(_std(w) - math.sqrt(2.0 / 147)) < 0.1 * math.sqrt(2.0 / 147)
    m = models.mobilenet_v2()
    assert abs(_std(m.classifier[1].weight) - 0.01) < 0.001 and float(m.classifier[1].bias.abs().sum()) == 0
    s = models.squeezenet1_1()
    assert abs(_std(s.classifier[1].weight) - 0.01) < 0.001
    assert float(s.features[0].bias.abs().sum()) == 0
    g = models.googlenet(init_weights=True, aux_logits=False)
    fc = g.fc.weight.detach().numpy()
    assert abs(fc.std() - 0.01) < 0.001 and np.abs(fc).max() <= 2


def test_vgg_init(monkeypatch):
    # Drawing VGG's 120M random weights takes many seconds here: record the init calls VGG makes,
    # and draw only the small tensors.
    import ember.nn.init as init
    calls, real_normal, real_kaiming = [], init.normal_, init.kaiming_normal_
    monkeypatch.setattr(init, "normal_", lambda t, mean=0.0, std=1.0, generator=None: (
        calls.append(("normal", tuple(t.shape), mean, std)), real_normal(t, mean, std) if t.numel() < 10 ** 6 else t)[1])
    monkeypatch.setattr(init, "kaiming_normal_", lambda t, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None: (
        calls.append(("kaiming", tuple(t.shape), mode, nonlinearity)), real_kaiming(t, a, mode, nonlinearity))[1])
    monkeypatch.setattr(init, "_draw", lambda tensor, *a, **k: tensor)   # Linear/Conv default init: skipped
    monkeypatch.setattr(init, "uniform_", lambda tensor, *a, **k: tensor)
    v = models.vgg11_bn()
    assert [c for c in calls if c[0] == "normal" and len(c[1]) == 2] == [("normal", (4096, 25088), 0, 0.01),
                                                      ("normal", (4096, 4096), 0, 0.01),
                                                      ("normal", (1000, 4096), 0, 0.01)]
    assert [c for c in calls if c[0] == "kaiming"][0] == ("kaiming", (64, 3, 3, 3), "fan_out", "relu")
    assert len([c for c in calls if c[0] == "kaiming"]) == 8
    assert float(v.features[0].bias.abs().sum()) == 0 and float(v.features[1].weight.sum()) == 64
    calls.clear()
    models.vgg11_bn(weights=None, init_weights=False)
    assert calls == []


def test_googlenet_outputs_and_transform_input():
    ember.manual_seed(0)
    with pytest.warns(FutureWarning, match="The default weight initialization of GoogleNet will be changed"):
        g = models.googlenet()
    x = ember.randn(2, 3, 64, 64)
    out = g.train()(x)
    assert isinstance(out, models.GoogLeNetOutputs) and out._fields == ("logits", "aux_logits2", "aux_logits1")
    assert all(o.shape == (2, 1000) for o in out)
    assert g.eval()(x).shape == (2, 1000)
    t = models.googlenet(transform_input=True, aux_logits=False, init_weights=True)
    y = t._transform_input(x)
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    expected = (x.numpy() * std[:, None, None] + mean[:, None, None] - 0.5) / 0.5
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_legacy_interface_warnings():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        m = models.resnet18(pretrained=False)
    msgs = [str(x.message) for x in w]
    assert msgs == [
        "The parameter 'pretrained' is deprecated since 0.13 and may be removed in the future, please use "
        "'weights' instead.",
        "Arguments other than a weight enum or `None` for 'weights' are deprecated since 0.13 and may be removed "
        "in the future. The current behavior is equivalent to passing `weights=None`."]
    assert isinstance(m, models.ResNet)
    with pytest.warns(UserWarning, match="Using 'weights' as positional parameter"):
        models.squeezenet1_1(None)


def test_print_model_and_surgery():
    m = models.densenet121()
    text = repr(m)
    assert "(denselayer1): _DenseLayer(" in text and "(classifier): Linear(in_features=1024, out_features=1000" in text
    r = models.resnet18()
    for p in r.parameters():
        p.requires_grad = False
    r.fc = nn.Linear(r.fc.in_features, 2)
    trainable = [n for n, p in r.named_parameters() if p.requires_grad]
    assert trainable == ["fc.weight", "fc.bias"]
    assert r.state_dict()["fc.weight"].shape == (2, 512)
