"""ember.vision.models, the newer architectures (MobileNetV3, EfficientNet V1/V2, ShuffleNetV2, MNASNet,
ConvNeXt, RegNet, ViT, Inception v3): parameter counts against torchvision's documented ``num_params``,
state_dict keys and shapes against references written from torchvision's architecture descriptions, forward
shapes in train and eval mode with a backward pass, torchvision's init, and checkpoint loading."""
import math
import warnings
from functools import partial

import numpy as np
import pytest
import torch

import ember
from ember import nn
from ember.vision import models
from ember.vision.models import inception, mnasnet, regnet, vision_transformer

BN = ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")

# torchvision's documented parameter counts (the weights' meta["num_params"]), restated here.
NUM_PARAMS = {
    "mobilenet_v3_large": 5483032, "mobilenet_v3_small": 2542856,
    "efficientnet_b0": 5288548, "efficientnet_b1": 7794184, "efficientnet_b2": 9109994,
    "efficientnet_b3": 12233232, "efficientnet_b4": 19341616, "efficientnet_b5": 30389784,
    "efficientnet_b6": 43040704, "efficientnet_b7": 66347960, "efficientnet_v2_s": 21458488,
    "efficientnet_v2_m": 54139356, "efficientnet_v2_l": 118515272,
    "shufflenet_v2_x0_5": 1366792, "shufflenet_v2_x1_0": 2278604, "shufflenet_v2_x1_5": 3503624,
    "shufflenet_v2_x2_0": 7393996,
    "mnasnet0_5": 2218512, "mnasnet0_75": 3170208, "mnasnet1_0": 4383312, "mnasnet1_3": 6282256,
    "convnext_tiny": 28589128, "convnext_small": 50223688, "convnext_base": 88591464, "convnext_large": 197767336,
    "regnet_y_400mf": 4344144, "regnet_y_800mf": 6432512, "regnet_y_1_6gf": 11202430, "regnet_y_3_2gf": 19436338,
    "regnet_y_8gf": 39381472, "regnet_y_16gf": 83590140, "regnet_y_32gf": 145046770, "regnet_y_128gf": 644812894,
    "regnet_x_400mf": 5495976, "regnet_x_800mf": 7259656, "regnet_x_1_6gf": 9190136, "regnet_x_3_2gf": 15296552,
    "regnet_x_8gf": 39572648, "regnet_x_16gf": 54278536, "regnet_x_32gf": 107811560,
    "vit_b_16": 86567656, "vit_b_32": 88224232, "vit_l_16": 304326632, "vit_l_32": 306535400,
    "vit_h_14": 632045800,   # at image_size 224 (the SWAG linear weights); 633470440 at 518 (the SWAG E2E ones)
    "inception_v3": 27161264,
}


@pytest.fixture
def no_init(monkeypatch):
    """Skip the random fill of parameters (shapes and names only)."""
    import ember.nn.init as init
    monkeypatch.setattr(init, "_draw", lambda tensor, *a, **k: tensor)
    monkeypatch.setattr(init, "trunc_normal_", lambda tensor, *a, **k: tensor)


def _build(name, **kw):
    if name == "inception_v3":
        kw.setdefault("init_weights", False)
    return models.get_model(name, **kw)


def _keys(model):
    return [(k, tuple(v.shape)) for k, v in model.state_dict().items()]


def _bn(prefix, c):
    return [(f"{prefix}.{k}", () if k == "num_batches_tracked" else (c,)) for k in BN]


def test_every_model_is_listed():
    from test_vision_models import REFERENCES
    assert models.list_models() == sorted(set(REFERENCES) | set(NUM_PARAMS))
    assert models.list_models(include="regnet_y_*")[:2] == ["regnet_y_128gf", "regnet_y_16gf"]
    assert models.get_model_weights("convnext_tiny") is models.ConvNeXt_Tiny_Weights
    assert models.get_weight("EfficientNet_V2_S_Weights.IMAGENET1K_V1").meta["num_params"] == 21458488


@pytest.mark.parametrize("name", sorted(NUM_PARAMS))
def test_num_params_and_dtypes(name, no_init):
    model = _build(name)
    n = sum(p.numel() for p in model.parameters())
    assert n == NUM_PARAMS[name]
    weights = models.get_model_weights(name)
    assert any(w.meta["num_params"] == n for w in weights)
    assert all(p.requires_grad for p in model.parameters())
    for k, v in model.state_dict().items():
        assert v.dtype == (ember.int64 if k.endswith("num_batches_tracked") else ember.float32), k


def test_vit_h_14_num_params_at_its_weights_size(no_init):
    assert sum(p.numel() for p in models.vit_h_14(image_size=518).parameters()) == 633470440


# ---------------------------------------------------------------- reference layouts
def _make_divisible(v, d=8):
    new_v = max(d, int(v + d / 2) // d * d)
    return new_v + d if new_v < 0.9 * v else new_v


MV3_LARGE = [(16, 3, 16, 16, False), (16, 3, 64, 24, False), (24, 3, 72, 24, False), (24, 5, 72, 40, True),
             (40, 5, 120, 40, True), (40, 5, 120, 40, True), (40, 3, 240, 80, False), (80, 3, 200, 80, False),
             (80, 3, 184, 80, False), (80, 3, 184, 80, False), (80, 3, 480, 112, True), (112, 3, 672, 112, True),
             (112, 5, 672, 160, True), (160, 5, 960, 160, True), (160, 5, 960, 160, True)]


def ref_mobilenet_v3_large():
    keys = [("features.0.0.weight", (16, 3, 3, 3))] + _bn("features.0.1", 16)
    for i, (cin, k, exp, cout, se) in enumerate(MV3_LARGE, start=1):
        p, j = f"features.{i}.block", 0
        if exp != cin:
            keys += [(f"{p}.0.0.weight", (exp, cin, 1, 1))] + _bn(f"{p}.0.1", exp)
            j = 1
        keys += [(f"{p}.{j}.0.weight", (exp, 1, k, k))] + _bn(f"{p}.{j}.1", exp)
        j += 1
        if se:
            sq = _make_divisible(exp // 4)
            keys += [(f"{p}.{j}.fc1.weight", (sq, exp, 1, 1)), (f"{p}.{j}.fc1.bias", (sq,)),
                     (f"{p}.{j}.fc2.weight", (exp, sq, 1, 1)), (f"{p}.{j}.fc2.bias", (exp,))]
            j += 1
        keys += [(f"{p}.{j}.0.weight", (cout, exp, 1, 1))] + _bn(f"{p}.{j}.1", cout)
    keys += [("features.16.0.weight", (960, 160, 1, 1))] + _bn("features.16.1", 960)
    return keys + [("classifier.0.weight", (1280, 960)), ("classifier.0.bias", (1280,)),
                   ("classifier.3.weight", (1000, 1280)), ("classifier.3.bias", (1000,))]


def ref_vit(patch, layers, hidden, mlp, image_size=224, num_classes=1000):
    seq = (image_size // patch) ** 2 + 1
    keys = [("class_token", (1, 1, hidden)), ("conv_proj.weight", (hidden, 3, patch, patch)),
            ("conv_proj.bias", (hidden,)), ("encoder.pos_embedding", (1, seq, hidden))]
    for i in range(layers):
        p = f"encoder.layers.encoder_layer_{i}"
        keys += [(f"{p}.ln_1.weight", (hidden,)), (f"{p}.ln_1.bias", (hidden,)),
                 (f"{p}.self_attention.in_proj_weight", (3 * hidden, hidden)),
                 (f"{p}.self_attention.in_proj_bias", (3 * hidden,)),
                 (f"{p}.self_attention.out_proj.weight", (hidden, hidden)),
                 (f"{p}.self_attention.out_proj.bias", (hidden,)),
                 (f"{p}.ln_2.weight", (hidden,)), (f"{p}.ln_2.bias", (hidden,)),
                 (f"{p}.mlp.0.weight", (mlp, hidden)), (f"{p}.mlp.0.bias", (mlp,)),
                 (f"{p}.mlp.3.weight", (hidden, mlp)), (f"{p}.mlp.3.bias", (hidden,))]
    return keys + [("encoder.ln.weight", (hidden,)), ("encoder.ln.bias", (hidden,)),
                   ("heads.head.weight", (num_classes, hidden)), ("heads.head.bias", (num_classes,))]


def ref_convnext(widths, depths):
    keys = [("features.0.0.weight", (widths[0], 3, 4, 4)), ("features.0.0.bias", (widths[0],)),
            ("features.0.1.weight", (widths[0],)), ("features.0.1.bias", (widths[0],))]
    idx = 1
    for s, (w, d) in enumerate(zip(widths, depths)):
        for b in range(d):
            p = f"features.{idx}.{b}"
            keys += [(f"{p}.layer_scale", (w, 1, 1)), (f"{p}.block.0.weight", (w, 1, 7, 7)),
                     (f"{p}.block.0.bias", (w,)), (f"{p}.block.2.weight", (w,)), (f"{p}.block.2.bias", (w,)),
                     (f"{p}.block.3.weight", (4 * w, w)), (f"{p}.block.3.bias", (4 * w,)),
                     (f"{p}.block.5.weight", (w, 4 * w)), (f"{p}.block.5.bias", (w,))]
        idx += 1
        if s + 1 < len(widths):
            keys += [(f"features.{idx}.0.weight", (w,)), (f"features.{idx}.0.bias", (w,)),
                     (f"features.{idx}.1.weight", (widths[s + 1], w, 2, 2)),
                     (f"features.{idx}.1.bias", (widths[s + 1],))]
            idx += 1
    c = widths[-1]
    return keys + [("classifier.0.weight", (c,)), ("classifier.0.bias", (c,)), ("classifier.2.weight", (1000, c)),
                   ("classifier.2.bias", (1000,))]


def ref_shufflenet(repeats, channels):
    keys = [("conv1.0.weight", (channels[0], 3, 3, 3))] + _bn("conv1.1", channels[0])
    cin = channels[0]
    for s, (n, cout) in enumerate(zip(repeats, channels[1:4]), start=2):
        half = cout // 2
        for b in range(n):
            p = f"stage{s}.{b}"
            if b == 0:
                keys += [(f"{p}.branch1.0.weight", (cin, 1, 3, 3))] + _bn(f"{p}.branch1.1", cin)
                keys += [(f"{p}.branch1.2.weight", (half, cin, 1, 1))] + _bn(f"{p}.branch1.3", half)
            keys += [(f"{p}.branch2.0.weight", (half, cin if b == 0 else half, 1, 1))] + _bn(f"{p}.branch2.1", half)
            keys += [(f"{p}.branch2.3.weight", (half, 1, 3, 3))] + _bn(f"{p}.branch2.4", half)
            keys += [(f"{p}.branch2.5.weight", (half, half, 1, 1))] + _bn(f"{p}.branch2.6", half)
        cin = cout
    keys += [("conv5.0.weight", (channels[4], cin, 1, 1))] + _bn("conv5.1", channels[4])
    return keys + [("fc.weight", (1000, channels[4])), ("fc.bias", (1000,))]


def ref_mnasnet(depths):
    d = depths
    keys = [("layers.0.weight", (d[0], 3, 3, 3))] + _bn("layers.1", d[0])
    keys += [("layers.3.weight", (d[0], 1, 3, 3))] + _bn("layers.4", d[0])
    keys += [("layers.6.weight", (d[1], d[0], 1, 1))] + _bn("layers.7", d[1])
    stacks = [(3, 3, 3), (5, 3, 3), (5, 6, 3), (3, 6, 2), (5, 6, 4), (3, 6, 1)]   # kernel, expansion, repeats
    cin = d[1]
    for s, (k, e, n) in enumerate(stacks):
        cout = d[s + 2]
        for b in range(n):
            p = f"layers.{8 + s}.{b}.layers"
            ci = cin if b == 0 else cout
            keys += [(f"{p}.0.weight", (ci * e, ci, 1, 1))] + _bn(f"{p}.1", ci * e)
            keys += [(f"{p}.3.weight", (ci * e, 1, k, k))] + _bn(f"{p}.4", ci * e)
            keys += [(f"{p}.6.weight", (cout, ci * e, 1, 1))] + _bn(f"{p}.7", cout)
        cin = cout
    keys += [("layers.14.weight", (1280, cin, 1, 1))] + _bn("layers.15", 1280)
    return keys + [("classifier.1.weight", (1000, 1280)), ("classifier.1.bias", (1000,))]


@pytest.mark.parametrize("name,ref", [
    ("mobilenet_v3_large", ref_mobilenet_v3_large),
    ("vit_b_16", lambda: ref_vit(16, 12, 768, 3072)),
    ("vit_l_32", lambda: ref_vit(32, 24, 1024, 4096)),
    ("convnext_tiny", lambda: ref_convnext([96, 192, 384, 768], [3, 3, 9, 3])),
    ("shufflenet_v2_x1_0", lambda: ref_shufflenet([4, 8, 4], [24, 116, 232, 464, 1024])),
    ("mnasnet1_0", lambda: ref_mnasnet([32, 16, 24, 40, 80, 96, 192, 320])),
    ("mnasnet0_5", lambda: ref_mnasnet([16, 8, 16, 24, 40, 48, 96, 160])),
])
def test_state_dict_keys_and_shapes(name, ref, no_init):
    assert _keys(_build(name)) == ref()


def test_state_dict_spot_checks(no_init):
    e = dict(_keys(models.efficientnet_b0()))
    assert e["features.1.0.block.0.0.weight"] == (32, 1, 3, 3) and e["features.1.0.block.1.fc1.weight"] == (8, 32, 1, 1)
    assert e["features.1.0.block.2.0.weight"] == (16, 32, 1, 1) and e["features.2.0.block.0.0.weight"] == (96, 16, 1, 1)
    assert e["features.2.0.block.2.fc1.weight"] == (4, 96, 1, 1) and e["features.8.0.weight"] == (1280, 320, 1, 1)
    assert e["classifier.1.weight"] == (1000, 1280)
    assert [len(models.efficientnet_b0().features[i]) for i in range(1, 8)] == [1, 2, 2, 3, 3, 4, 1]
    v2 = dict(_keys(models.efficientnet_v2_s()))
    assert v2["features.1.0.block.0.0.weight"] == (24, 24, 3, 3)              # FusedMBConv without expansion
    assert v2["features.2.0.block.0.0.weight"] == (96, 24, 3, 3) and v2["features.2.0.block.1.0.weight"] == (48, 96,
                                                                                                               1, 1)
    assert v2["features.4.0.block.0.0.weight"] == (256, 64, 1, 1) and v2["features.7.0.weight"] == (1280, 256, 1, 1)
    r = models.regnet_y_400mf()
    rk = dict(_keys(r))
    assert [s for s in r.trunk_output] and [m.f.c[0].out_channels for m in
                                            (st[0] for st in r.trunk_output)] == [48, 104, 208, 440]
    assert [len(st) for st in r.trunk_output] == [1, 3, 6, 6]
    assert rk["stem.0.weight"] == (32, 3, 3, 3) and rk["trunk_output.block1.block1-0.proj.0.weight"] == (48, 32, 1, 1)
    assert rk["trunk_output.block1.block1-0.f.b.0.weight"] == (48, 8, 3, 3)
    assert rk["trunk_output.block1.block1-0.f.se.fc1.weight"] == (8, 48, 1, 1)
    assert rk["trunk_output.block4.block4-5.f.c.0.weight"] == (440, 440, 1, 1) and rk["fc.weight"] == (1000, 440)
    assert "trunk_output.block1.block1-0.f.se.fc1.weight" not in dict(_keys(models.regnet_x_400mf()))
    i = [k for k, _ in _keys(models.inception_v3(init_weights=False))]
    assert i[:2] == ["Conv2d_1a_3x3.conv.weight", "Conv2d_1a_3x3.bn.weight"]
    assert i.index("Mixed_6e.branch_pool.bn.num_batches_tracked") + 1 == i.index("AuxLogits.conv0.conv.weight")
    assert i.index("AuxLogits.fc.bias") + 1 == i.index("Mixed_7a.branch3x3_1.conv.weight")
    assert i[-2:] == ["fc.weight", "fc.bias"]
    ik = dict(_keys(models.inception_v3(init_weights=False)))
    assert ik["AuxLogits.conv1.conv.weight"] == (768, 128, 5, 5) and ik["Mixed_7c.branch3x3dbl_1.conv.weight"] == (
        448, 2048, 1, 1)
    assert not any(k.startswith("AuxLogits") for k in models.inception_v3(init_weights=False, aux_logits=False)
                   .state_dict())
    s = dict(_keys(models.mobilenet_v3_small()))
    assert s["features.1.block.1.fc1.weight"] == (8, 16, 1, 1) and s["classifier.0.weight"] == (1024, 576)


# ---------------------------------------------------------------- forward / backward
@pytest.mark.parametrize("name,size,kw", [
    ("mobilenet_v3_small", 32, {}), ("mobilenet_v3_large", 32, {"num_classes": 10}), ("efficientnet_b0", 32, {}),
    ("shufflenet_v2_x0_5", 32, {}), ("mnasnet0_5", 32, {}), ("regnet_y_400mf", 32, {}), ("convnext_tiny", 32, {}),
])
def test_forward_train_eval_and_backward(name, size, kw):
    model = models.get_model(name, **kw)
    classes = kw.get("num_classes", 1000)
    x = ember.randn(2, 3, size, size)
    out = model.train()(x)
    assert out.shape == (2, classes) and out.dtype == ember.float32
    out.sum().backward()
    grads = [p.grad for p in model.parameters()]
    assert all(g is not None for g in grads) and all(bool(ember.isfinite(g).all()) for g in grads)
    with ember.no_grad():
        e = model.eval()(x)
    assert e.shape == (2, classes) and bool(ember.isfinite(e).all())


def test_vision_transformer_forward_backward_and_vit_b_16_at_32():
    small = vision_transformer.VisionTransformer(image_size=32, patch_size=16, num_layers=2, num_heads=4,
                                                 hidden_dim=32, mlp_dim=64, num_classes=5, representation_size=16)
    assert _keys(small)[-4:] == [("heads.pre_logits.weight", (16, 32)), ("heads.pre_logits.bias", (16,)),
                                 ("heads.head.weight", (5, 16)), ("heads.head.bias", (5,))]
    small.heads.head.weight.data.normal_()          # the zero-initialised head would give zero gradients upstream
    x = ember.randn(2, 3, 32, 32)
    out = small.train()(x)
    assert out.shape == (2, 5)
    out.sum().backward()
    assert all(p.grad is not None for p in small.parameters())
    assert float(small.class_token.grad.abs().sum()) > 0
    with pytest.raises(AssertionError, match="Wrong image height! Expected 32 but got 48!"):
        small(ember.randn(1, 3, 48, 32))
    vit = models.vit_b_16(image_size=32, num_classes=10).eval()
    assert vit.encoder.pos_embedding.shape == (1, 5, 768)
    with ember.no_grad():
        y = vit(x)
    assert y.shape == (2, 10) and float(y.abs().sum()) == 0.0       # the head starts at zero (torchvision's init)


@pytest.fixture(scope="module")
def inception_model():
    ember.manual_seed(0)
    return models.inception_v3(init_weights=True)


def test_inception_v3_outputs(inception_model):
    m = inception_model
    x = ember.randn(2, 3, 75, 75)
    with ember.no_grad():
        e = m.eval()(x)
    assert isinstance(e, ember.Tensor) and e.shape == (2, 1000)
    # the auxiliary head reads 17x17 maps (299x299 inputs); its own shapes:
    with ember.no_grad():
        assert m.AuxLogits.eval()(ember.randn(2, 768, 17, 17)).shape == (2, 1000)
    # train mode returns InceptionOutputs(logits, aux_logits): swap in a head that fits 75x75 inputs
    aux = m.AuxLogits
    m.AuxLogits = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(768, 1000))
    try:
        out = m.train()(x)
        assert isinstance(out, models.InceptionOutputs) and out._fields == ("logits", "aux_logits")
        assert out.logits.shape == (2, 1000) and out.aux_logits.shape == (2, 1000)
        (out.logits.sum() + out.aux_logits.sum()).backward()
        assert m.Conv2d_1a_3x3.conv.weight.grad is not None
        m.aux_logits = False
        assert isinstance(m.train()(x), ember.Tensor)          # no aux output asked for: logits only
    finally:
        m.AuxLogits, m.aux_logits = aux, True
    m.transform_input = True
    try:
        y = m._transform_input(x)
    finally:
        m.transform_input = False
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    np.testing.assert_allclose(y.numpy(), (x.numpy() * std[:, None, None] + mean[:, None, None] - 0.5) / 0.5,
                               rtol=1e-5, atol=1e-6)


def test_inception_init(inception_model):
    fc = inception_model.fc.weight.detach().numpy()
    assert abs(fc.std() - 0.1) < 0.01 and np.abs(fc).max() <= 2
    aux_fc = inception_model.AuxLogits.fc.weight.detach().numpy()
    assert abs(aux_fc.std() - 0.001) < 1e-4
    assert float(inception_model.Mixed_5b.branch1x1.bn.weight.sum()) == 64
    with pytest.warns(FutureWarning, match="The default weight initialization of inception_v3 will be changed"):
        inception.Inception3(num_classes=3, aux_logits=False)


# ---------------------------------------------------------------- init, kwargs, checkpoints
def _std(t):
    return float(np.asarray(t.detach().numpy(), dtype=np.float64).std())


def test_weight_init_follows_torchvision():
    m = models.mobilenet_v3_small()
    assert abs(_std(m.classifier[3].weight) - 0.01) < 0.001 and float(m.classifier[3].bias.abs().sum()) == 0
    w = m.features[0][0].weight                                  # kaiming normal, fan_out
    assert abs(_std(w) - math.sqrt(2 / (16 * 9))) < 0.15 * math.sqrt(2 / (16 * 9))
    e = models.efficientnet_b0()
    lw = e.classifier[1].weight.detach().numpy()
    assert np.abs(lw).max() <= 1 / math.sqrt(1000) and abs(lw.std() - 1 / math.sqrt(3000)) < 1e-3
    c = models.ConvNeXt([models.convnext.CNBlockConfig(16, 32, 1), models.convnext.CNBlockConfig(32, None, 1)])
    assert abs(_std(c.classifier[2].weight) - 0.02) < 0.002 and float(c.features[1][0].layer_scale.mean()) == \
        pytest.approx(1e-6)
    r = models.regnet_y_400mf()
    conv = r.trunk_output.block2[0].f.a[0]
    assert abs(_std(conv.weight) - math.sqrt(2 / 104)) < 0.1 * math.sqrt(2 / 104)
    v = vision_transformer.VisionTransformer(32, 16, 1, 2, 16, 32)
    assert float(v.heads.head.weight.abs().sum()) == 0 and float(v.class_token.abs().sum()) == 0
    assert abs(_std(v.encoder.pos_embedding) - 0.02) < 0.01
    mlp_bias = v.encoder.layers[0].mlp[0].bias.detach().numpy()
    assert 0 < np.abs(mlp_bias).max() < 1e-4
    mn = models.mnasnet0_5()
    assert float(mn.classifier[1].bias.abs().sum()) == 0


def test_builder_kwargs_and_errors(no_init):
    m = models.efficientnet_b0(num_classes=7, dropout=0.5, stochastic_depth_prob=0.0)
    assert m.classifier[0].p == 0.5 and m.classifier[1].out_features == 7
    assert models.efficientnet_b5(weights=None).features[0][1].eps == 0.001
    assert models.efficientnet_v2_s().features[0][1].eps == 1e-3 and models.efficientnet_v2_s().features[0][1] \
        .momentum == 0.1
    mv3 = models.mobilenet_v3_large(reduced_tail=True, dilated=True)
    assert mv3.features[13].block[1][0].dilation == (2, 2) and mv3.classifier[0].in_features == 480
    assert models.convnext_tiny(stochastic_depth_prob=0.3).features[7][2].stochastic_depth.p == pytest.approx(0.3)
    assert models.shufflenet_v2_x0_5(num_classes=3).fc.out_features == 3
    with pytest.raises(ValueError, match="The parameter 'num_classes' expected value 1000 but got 10 instead."):
        models.mobilenet_v3_small(weights="DEFAULT", num_classes=10)
    with pytest.raises(TypeError, match="Invalid Weight class provided; expected ConvNeXt_Tiny_Weights"):
        models.convnext_tiny(weights=models.ConvNeXt_Small_Weights.DEFAULT)
    with pytest.raises(ValueError, match="No weights available for model vit_h_14"):
        models.vit_h_14(pretrained=True)
    with pytest.raises(ValueError, match="alpha should be greater than 0.0 instead of 0"):
        mnasnet.MNASNet(0)
    with pytest.raises(ValueError, match="Invalid RegNet settings"):
        regnet.BlockParams.from_init_params(depth=4, w_0=12, w_a=1.0, w_m=2.0, group_width=8)
    with pytest.raises(TypeError, match="The block_setting should be List\\[CNBlockConfig\\]"):
        models.ConvNeXt([1, 2])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        models.mnasnet0_5(pretrained=False)
    assert any("'pretrained' is deprecated" in str(x.message) for x in w)
    assert models.ViT_B_16_Weights.IMAGENET1K_SWAG_E2E_V1.meta["min_size"] == (384, 384)
    preset = models.EfficientNet_B0_Weights.DEFAULT.transforms()
    assert preset.crop_size == [224] and str(preset.interpolation.value) == "bicubic"


def test_torch_checkpoint_loads_through_weights(tmp_path, monkeypatch):
    """A checkpoint saved by real PyTorch under the weights' file name is found in $TORCH_HOME and loaded."""
    ref = models.shufflenet_v2_x0_5()
    sd = {k: torch.tensor(np.asarray(v.numpy())) + (0.5 if v.dtype == ember.float32 else 0)
          for k, v in ref.state_dict().items()}
    ckpt = tmp_path / "hub" / "checkpoints"
    ckpt.mkdir(parents=True)
    torch.save(sd, ckpt / "shufflenetv2_x0.5-f707e7126e.pth")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    m = models.shufflenet_v2_x0_5(weights="DEFAULT")
    np.testing.assert_allclose(m.fc.weight.detach().numpy(), sd["fc.weight"].numpy())
    np.testing.assert_allclose(m.stage3[2].branch2[1].running_var.numpy(), sd["stage3.2.branch2.1.running_var"])


def test_mnasnet_checkpoint_versions():
    m = models.mnasnet0_5()
    sd = m.state_dict()
    models.mnasnet0_5().load_state_dict(sd)                    # carries version 2 in its metadata
    with pytest.raises(ValueError, match="version shluld be set to 1 or 2 instead of None"):
        models.mnasnet0_5().load_state_dict(dict(sd))          # a plain dict has no version (as in torchvision)
    v1 = mnasnet.MNASNet(1.0).state_dict()
    v1._metadata[""]["version"] = 1
    mnasnet.MNASNet(1.0).load_state_dict(v1)                   # alpha 1.0: the stems agree, nothing to rewrite
    # a version-1 checkpoint of alpha 0.5: the old fixed 32/16-channel stem, then a 16 -> 16 first stack
    old = mnasnet.MNASNet(0.5).state_dict()
    stem = {k: val for k, val in v1.items() if int(k.split(".")[1]) < 8}
    stack = {f"layers.8.{k}": val for k, val in mnasnet._stack(16, 16, 3, 2, 3, 3, 0.1).state_dict().items()}
    ckpt = type(old)((k, stem.get(k, stack.get(k, val))) for k, val in old.items())
    ckpt._metadata = {k: dict(val) for k, val in old._metadata.items()}
    ckpt._metadata[""]["version"] = 1
    fresh = mnasnet.MNASNet(0.5)
    with pytest.warns(UserWarning, match="A new version of MNASNet model has been implemented"):
        fresh.load_state_dict(ckpt)
    assert fresh.layers[0].out_channels == 32 and fresh._version == 1
    np.testing.assert_array_equal(fresh.layers[3].weight.detach().numpy(), v1["layers.3.weight"].numpy())
    with ember.no_grad():
        assert fresh.eval()(ember.randn(1, 3, 32, 32)).shape == (1, 1000)


def test_vit_checkpoint_helpers():
    v = vision_transformer.VisionTransformer(32, 16, 1, 2, 8, 16, num_classes=3)
    sd = v.state_dict()
    legacy = {k.replace("mlp.0.", "mlp.linear_1.").replace("mlp.3.", "mlp.linear_2."): val for k, val in sd.items()}
    v2 = vision_transformer.VisionTransformer(32, 16, 1, 2, 8, 16, num_classes=3)
    v2.load_state_dict(legacy)                                 # the pre-MLP naming still loads
    np.testing.assert_array_equal(v2.encoder.layers[0].mlp[3].weight.detach().numpy(),
                                  v.encoder.layers[0].mlp[3].weight.detach().numpy())
    new = vision_transformer.interpolate_embeddings(64, 16, dict(sd), reset_heads=True)
    assert new["encoder.pos_embedding"].shape == (1, 17, 8) and not any(k.startswith("heads") for k in new)
    np.testing.assert_array_equal(new["encoder.pos_embedding"][:, 0].numpy(), sd["encoder.pos_embedding"][:, 0].numpy())
    big = vision_transformer.VisionTransformer(64, 16, 1, 2, 8, 16, num_classes=3)
    big.load_state_dict(new, strict=False)


def test_mobilenet_module_alias_and_regnet_params():
    from ember.vision.models import mobilenet
    assert mobilenet.mobilenet_v3_small is models.mobilenet_v3_small and mobilenet.MobileNetV2 is models.MobileNetV2
    p = regnet.BlockParams.from_init_params(depth=16, w_0=48, w_a=27.89, w_m=2.09, group_width=8, se_ratio=0.25)
    assert p.depths == [1, 3, 6, 6] and p.widths == [48, 104, 208, 440] and p.group_widths == [8, 8, 8, 8]
    x = regnet.BlockParams.from_init_params(depth=22, w_0=24, w_a=24.48, w_m=2.54, group_width=16)
    assert x.depths == [1, 2, 7, 12] and x.widths == [32, 64, 160, 400]
    assert partial(models.regnet_x_400mf)().fc.in_features == 400


# ---------------------------------------------------------------- blocks against torch.nn.functional
TF = torch.nn.functional


def _randomize(module):
    """Non-trivial BN statistics/affines and non-zero layer scales, so eval mode exercises them."""
    with ember.no_grad():
        for m in module.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
        for name, p in module.named_parameters():
            if name.endswith("layer_scale"):
                p.uniform_(0.5, 1.5)


def _sd(module):
    return {k: torch.tensor(np.asarray(v.detach().numpy())) for k, v in module.state_dict().items()}


def _tbn(x, sd, p, eps=1e-5):
    return TF.batch_norm(x, sd[p + ".running_mean"], sd[p + ".running_var"], sd[p + ".weight"], sd[p + ".bias"],
                         False, 0.0, eps)


def _compare(block, ref_fn, x):
    _randomize(block)
    block.eval()
    with ember.no_grad():
        got = block(ember.tensor(x))
    with torch.no_grad():
        expected = ref_fn(_sd(block), torch.tensor(x))
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-4, atol=1e-5)


def RNG_X(shape):
    return np.random.default_rng(1).standard_normal(shape).astype(np.float32)


def test_mobilenet_v3_block_matches_torch():
    from ember.vision.models.mobilenetv3 import InvertedResidual, InvertedResidualConfig
    cnf = InvertedResidualConfig(16, 5, 48, 16, True, "HS", 1, 1, 1.0)
    block = InvertedResidual(cnf, partial(nn.BatchNorm2d, eps=0.001, momentum=0.01))

    def ref(sd, x):
        y = TF.hardswish(_tbn(TF.conv2d(x, sd["block.0.0.weight"]), sd, "block.0.1", 1e-3))
        y = TF.hardswish(_tbn(TF.conv2d(y, sd["block.1.0.weight"], padding=2, groups=48), sd, "block.1.1", 1e-3))
        s = TF.relu(TF.conv2d(y.mean((2, 3), keepdim=True), sd["block.2.fc1.weight"], sd["block.2.fc1.bias"]))
        y = y * TF.hardsigmoid(TF.conv2d(s, sd["block.2.fc2.weight"], sd["block.2.fc2.bias"]))
        return _tbn(TF.conv2d(y, sd["block.3.0.weight"]), sd, "block.3.1", 1e-3) + x
    _compare(block, ref, RNG_X((2, 16, 7, 7)))



def test_efficientnet_blocks_match_torch():
    from ember.vision.models.efficientnet import FusedMBConv, FusedMBConvConfig, MBConv, MBConvConfig
    mb = MBConv(MBConvConfig(6, 3, 1, 16, 16, 1), 0.2, nn.BatchNorm2d)

    def ref(sd, x):
        y = TF.silu(_tbn(TF.conv2d(x, sd["block.0.0.weight"]), sd, "block.0.1"))
        y = TF.silu(_tbn(TF.conv2d(y, sd["block.1.0.weight"], padding=1, groups=96), sd, "block.1.1"))
        s = TF.silu(TF.conv2d(y.mean((2, 3), keepdim=True), sd["block.2.fc1.weight"], sd["block.2.fc1.bias"]))
        y = y * torch.sigmoid(TF.conv2d(s, sd["block.2.fc2.weight"], sd["block.2.fc2.bias"]))
        return _tbn(TF.conv2d(y, sd["block.3.0.weight"]), sd, "block.3.1") + x
    _compare(mb, ref, RNG_X((2, 16, 6, 6)))
    fused = FusedMBConv(FusedMBConvConfig(4, 3, 2, 8, 16, 1), 0.0, nn.BatchNorm2d)

    def ref_fused(sd, x):
        y = TF.silu(_tbn(TF.conv2d(x, sd["block.0.0.weight"], stride=2, padding=1), sd, "block.0.1"))
        return _tbn(TF.conv2d(y, sd["block.1.0.weight"]), sd, "block.1.1")       # stride 2: no residual
    _compare(fused, ref_fused, RNG_X((2, 8, 6, 6)))


def test_convnext_block_matches_torch():
    from ember.vision.models.convnext import CNBlock
    block = CNBlock(8, 1e-6, 0.3)

    def ref(sd, x):
        y = TF.conv2d(x, sd["block.0.weight"], sd["block.0.bias"], padding=3, groups=8).permute(0, 2, 3, 1)
        y = TF.layer_norm(y, (8,), sd["block.2.weight"], sd["block.2.bias"], 1e-6)
        y = TF.linear(TF.gelu(TF.linear(y, sd["block.3.weight"], sd["block.3.bias"])), sd["block.5.weight"],
                      sd["block.5.bias"])
        return sd["layer_scale"] * y.permute(0, 3, 1, 2) + x
    _compare(block, ref, RNG_X((2, 8, 9, 9)))


def test_vit_encoder_block_matches_torch_multihead_attention():
    block = vision_transformer.EncoderBlock(4, 16, 32, 0.0, 0.0)
    mha = torch.nn.MultiheadAttention(16, 4, batch_first=True)

    def ref(sd, x):
        mha.load_state_dict({k[len("self_attention."):]: v for k, v in sd.items() if k.startswith("self_attention.")})
        y = TF.layer_norm(x, (16,), sd["ln_1.weight"], sd["ln_1.bias"], 1e-6)
        y = mha(y, y, y, need_weights=False)[0] + x
        z = TF.layer_norm(y, (16,), sd["ln_2.weight"], sd["ln_2.bias"], 1e-6)
        z = TF.linear(TF.gelu(TF.linear(z, sd["mlp.0.weight"], sd["mlp.0.bias"])), sd["mlp.3.weight"], sd["mlp.3.bias"])
        return y + z
    _compare(block, ref, RNG_X((2, 5, 16)))


def test_shufflenet_blocks_match_torch():
    from ember.vision.models.shufflenetv2 import InvertedResidual

    def shuffle(x):
        n, c, h, w = x.shape
        return x.view(n, 2, c // 2, h, w).transpose(1, 2).reshape(n, c, h, w)

    def branch2(sd, x, stride, c):
        y = TF.relu(_tbn(TF.conv2d(x, sd["branch2.0.weight"]), sd, "branch2.1"))
        y = _tbn(TF.conv2d(y, sd["branch2.3.weight"], stride=stride, padding=1, groups=c), sd, "branch2.4")
        return TF.relu(_tbn(TF.conv2d(y, sd["branch2.5.weight"]), sd, "branch2.6"))

    def ref1(sd, x):
        return shuffle(torch.cat([x[:, :8], branch2(sd, x[:, 8:], 1, 8)], 1))
    _compare(InvertedResidual(16, 16, 1), ref1, RNG_X((2, 16, 6, 6)))

    def ref2(sd, x):
        b1 = _tbn(TF.conv2d(x, sd["branch1.0.weight"], stride=2, padding=1, groups=6), sd, "branch1.1")
        b1 = TF.relu(_tbn(TF.conv2d(b1, sd["branch1.2.weight"]), sd, "branch1.3"))
        return shuffle(torch.cat([b1, branch2(sd, x, 2, 8)], 1))
    _compare(InvertedResidual(6, 16, 2), ref2, RNG_X((2, 6, 7, 7)))


def test_regnet_block_matches_torch():
    block = regnet.ResBottleneckBlock(8, 16, 2, nn.BatchNorm2d, nn.ReLU, group_width=4, bottleneck_multiplier=1.0,
                                      se_ratio=0.25)

    def ref(sd, x):
        proj = _tbn(TF.conv2d(x, sd["proj.0.weight"], stride=2), sd, "proj.1")
        y = TF.relu(_tbn(TF.conv2d(x, sd["f.a.0.weight"]), sd, "f.a.1"))
        y = TF.relu(_tbn(TF.conv2d(y, sd["f.b.0.weight"], stride=2, padding=1, groups=4), sd, "f.b.1"))
        s = TF.relu(TF.conv2d(y.mean((2, 3), keepdim=True), sd["f.se.fc1.weight"], sd["f.se.fc1.bias"]))
        y = y * torch.sigmoid(TF.conv2d(s, sd["f.se.fc2.weight"], sd["f.se.fc2.bias"]))
        return TF.relu(proj + _tbn(TF.conv2d(y, sd["f.c.0.weight"]), sd, "f.c.1"))
    assert block.f.se.fc1.out_channels == 2                    # round(0.25 * width_in)
    _compare(block, ref, RNG_X((2, 8, 7, 7)))


def test_inception_blocks_match_torch():
    def conv(sd, p, x, **kw):
        return TF.relu(_tbn(TF.conv2d(x, sd[p + ".conv.weight"], **kw), sd, p + ".bn", 1e-3))

    def ref_e(sd, x):
        b1 = conv(sd, "branch1x1", x)
        b3 = conv(sd, "branch3x3_1", x)
        b3 = torch.cat([conv(sd, "branch3x3_2a", b3, padding=(0, 1)), conv(sd, "branch3x3_2b", b3, padding=(1, 0))], 1)
        d = conv(sd, "branch3x3dbl_2", conv(sd, "branch3x3dbl_1", x), padding=1)
        d = torch.cat([conv(sd, "branch3x3dbl_3a", d, padding=(0, 1)), conv(sd, "branch3x3dbl_3b", d, padding=(1, 0))],
                      1)
        bp = conv(sd, "branch_pool", TF.avg_pool2d(x, 3, 1, 1))
        return torch.cat([b1, b3, d, bp], 1)
    _compare(inception.InceptionE(16), ref_e, RNG_X((2, 16, 5, 5)))

    def ref_b(sd, x):
        d = conv(sd, "branch3x3dbl_2", conv(sd, "branch3x3dbl_1", x), padding=1)
        return torch.cat([conv(sd, "branch3x3", x, stride=2), conv(sd, "branch3x3dbl_3", d, stride=2),
                          TF.max_pool2d(x, 3, 2)], 1)
    _compare(inception.InceptionB(8), ref_b, RNG_X((2, 8, 9, 9)))
