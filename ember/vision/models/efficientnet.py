"""EfficientNet B0-B7 (https://arxiv.org/abs/1905.11946) and EfficientNetV2 S/M/L
(https://arxiv.org/abs/2104.00298), as torchvision.models.efficientnet: MBConv / FusedMBConv stages under
``features.<stage>.<block>.block``, stochastic depth growing linearly with block index, torchvision's init."""
import copy
import math
from dataclasses import dataclass
from functools import partial

from ... import nn
from ..ops.misc import Conv2dNormActivation, SqueezeExcitation
from ..ops.stochastic_depth import StochasticDepth
from ._api import WeightsEnum, _ovewrite_named_param, builder
from ._helpers import weights_entry
from ._meta import _IMAGENET_CATEGORIES
from .mobilenetv2 import _make_divisible

__all__ = ["EfficientNet", "EfficientNet_B0_Weights", "EfficientNet_B1_Weights", "EfficientNet_B2_Weights",
           "EfficientNet_B3_Weights", "EfficientNet_B4_Weights", "EfficientNet_B5_Weights",
           "EfficientNet_B6_Weights", "EfficientNet_B7_Weights", "EfficientNet_V2_S_Weights",
           "EfficientNet_V2_M_Weights", "EfficientNet_V2_L_Weights", "efficientnet_b0", "efficientnet_b1",
           "efficientnet_b2", "efficientnet_b3", "efficientnet_b4", "efficientnet_b5", "efficientnet_b6",
           "efficientnet_b7", "efficientnet_v2_s", "efficientnet_v2_m", "efficientnet_v2_l"]


@dataclass
class _MBConvConfig:
    expand_ratio: float
    kernel: int
    stride: int
    input_channels: int
    out_channels: int
    num_layers: int
    block: type

    @staticmethod
    def adjust_channels(channels, width_mult, min_value=None):
        return _make_divisible(channels * width_mult, 8, min_value)


class MBConvConfig(_MBConvConfig):
    """A stage of MBConv blocks (Table 1 of EfficientNet), channels and depth scaled by the multipliers."""

    def __init__(self, expand_ratio, kernel, stride, input_channels, out_channels, num_layers, width_mult=1.0,
                 depth_mult=1.0, block=None):
        input_channels = self.adjust_channels(input_channels, width_mult)
        out_channels = self.adjust_channels(out_channels, width_mult)
        num_layers = self.adjust_depth(num_layers, depth_mult)
        super().__init__(expand_ratio, kernel, stride, input_channels, out_channels, num_layers,
                         MBConv if block is None else block)

    @staticmethod
    def adjust_depth(num_layers, depth_mult):
        return int(math.ceil(num_layers * depth_mult))


class FusedMBConvConfig(_MBConvConfig):
    """A stage of FusedMBConv blocks (Table 4 of EfficientNetV2)."""

    def __init__(self, expand_ratio, kernel, stride, input_channels, out_channels, num_layers, block=None):
        super().__init__(expand_ratio, kernel, stride, input_channels, out_channels, num_layers,
                         FusedMBConv if block is None else block)


class MBConv(nn.Module):
    """1x1 expand -> depthwise kxk -> SE (SiLU) -> 1x1 project; residual with stochastic depth."""

    def __init__(self, cnf, stochastic_depth_prob, norm_layer, se_layer=SqueezeExcitation):
        super().__init__()
        if not (1 <= cnf.stride <= 2):
            raise ValueError("illegal stride value")
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        layers = []
        activation_layer = nn.SiLU
        expanded_channels = cnf.adjust_channels(cnf.input_channels, cnf.expand_ratio)
        if expanded_channels != cnf.input_channels:
            layers.append(Conv2dNormActivation(cnf.input_channels, expanded_channels, kernel_size=1,
                                               norm_layer=norm_layer, activation_layer=activation_layer))
        layers.append(Conv2dNormActivation(expanded_channels, expanded_channels, kernel_size=cnf.kernel,
                                           stride=cnf.stride, groups=expanded_channels, norm_layer=norm_layer,
                                           activation_layer=activation_layer))
        squeeze_channels = max(1, cnf.input_channels // 4)
        layers.append(se_layer(expanded_channels, squeeze_channels, activation=partial(nn.SiLU, inplace=True)))
        layers.append(Conv2dNormActivation(expanded_channels, cnf.out_channels, kernel_size=1,
                                           norm_layer=norm_layer, activation_layer=None))
        self.block = nn.Sequential(*layers)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")
        self.out_channels = cnf.out_channels

    def forward(self, input):
        result = self.block(input)
        if self.use_res_connect:
            result = self.stochastic_depth(result)
            result += input
        return result


class FusedMBConv(nn.Module):
    """kxk expand (fused with the depthwise step) -> 1x1 project, or one kxk conv when not expanding."""

    def __init__(self, cnf, stochastic_depth_prob, norm_layer):
        super().__init__()
        if not (1 <= cnf.stride <= 2):
            raise ValueError("illegal stride value")
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        layers = []
        activation_layer = nn.SiLU
        expanded_channels = cnf.adjust_channels(cnf.input_channels, cnf.expand_ratio)
        if expanded_channels != cnf.input_channels:
            layers.append(Conv2dNormActivation(cnf.input_channels, expanded_channels, kernel_size=cnf.kernel,
                                               stride=cnf.stride, norm_layer=norm_layer,
                                               activation_layer=activation_layer))
            layers.append(Conv2dNormActivation(expanded_channels, cnf.out_channels, kernel_size=1,
                                               norm_layer=norm_layer, activation_layer=None))
        else:
            layers.append(Conv2dNormActivation(cnf.input_channels, cnf.out_channels, kernel_size=cnf.kernel,
                                               stride=cnf.stride, norm_layer=norm_layer,
                                               activation_layer=activation_layer))
        self.block = nn.Sequential(*layers)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")
        self.out_channels = cnf.out_channels

    def forward(self, input):
        result = self.block(input)
        if self.use_res_connect:
            result = self.stochastic_depth(result)
            result += input
        return result


class EfficientNet(nn.Module):
    """EfficientNet V1/V2 from a list of stage configs, the classifier ``dropout`` and the final stochastic
    depth probability; ``last_channel`` defaults to 4x the last stage's width."""

    def __init__(self, inverted_residual_setting, dropout, stochastic_depth_prob=0.2, num_classes=1000,
                 norm_layer=None, last_channel=None):
        super().__init__()
        if not inverted_residual_setting:
            raise ValueError("The inverted_residual_setting should not be empty")
        if not (isinstance(inverted_residual_setting, (list, tuple))
                and all(isinstance(s, _MBConvConfig) for s in inverted_residual_setting)):
            raise TypeError("The inverted_residual_setting should be List[MBConvConfig]")
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        layers = []
        firstconv_output_channels = inverted_residual_setting[0].input_channels
        layers.append(Conv2dNormActivation(3, firstconv_output_channels, kernel_size=3, stride=2,
                                           norm_layer=norm_layer, activation_layer=nn.SiLU))
        total_stage_blocks = sum(cnf.num_layers for cnf in inverted_residual_setting)
        stage_block_id = 0
        for cnf in inverted_residual_setting:
            stage = []
            for _ in range(cnf.num_layers):
                block_cnf = copy.copy(cnf)
                if stage:       # later blocks of a stage keep its width and stride 1
                    block_cnf.input_channels = block_cnf.out_channels
                    block_cnf.stride = 1
                sd_prob = stochastic_depth_prob * float(stage_block_id) / total_stage_blocks
                stage.append(block_cnf.block(block_cnf, sd_prob, norm_layer))
                stage_block_id += 1
            layers.append(nn.Sequential(*stage))
        lastconv_input_channels = inverted_residual_setting[-1].out_channels
        lastconv_output_channels = last_channel if last_channel is not None else 4 * lastconv_input_channels
        layers.append(Conv2dNormActivation(lastconv_input_channels, lastconv_output_channels, kernel_size=1,
                                           norm_layer=norm_layer, activation_layer=nn.SiLU))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout, inplace=True),
                                        nn.Linear(lastconv_output_channels, num_classes))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                init_range = 1.0 / math.sqrt(m.out_features)
                nn.init.uniform_(m.weight, -init_range, init_range)
                nn.init.zeros_(m.bias)

    def _forward_impl(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = x.flatten(1)
        return self.classifier(x)

    def forward(self, x):
        return self._forward_impl(x)


def _efficientnet(inverted_residual_setting, dropout, last_channel, weights, progress, **kwargs):
    if weights is not None:
        _ovewrite_named_param(kwargs, "num_classes", len(weights.meta["categories"]))
    model = EfficientNet(inverted_residual_setting, dropout, last_channel=last_channel, **kwargs)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress))
    return model


def _efficientnet_conf(arch, **kwargs):
    if arch.startswith("efficientnet_b"):
        bneck_conf = partial(MBConvConfig, width_mult=kwargs.pop("width_mult"), depth_mult=kwargs.pop("depth_mult"))
        setting = [
            bneck_conf(1, 3, 1, 32, 16, 1),
            bneck_conf(6, 3, 2, 16, 24, 2),
            bneck_conf(6, 5, 2, 24, 40, 2),
            bneck_conf(6, 3, 2, 40, 80, 3),
            bneck_conf(6, 5, 1, 80, 112, 3),
            bneck_conf(6, 5, 2, 112, 192, 4),
            bneck_conf(6, 3, 1, 192, 320, 1),
        ]
        last_channel = None
    elif arch.startswith("efficientnet_v2_s"):
        setting = [
            FusedMBConvConfig(1, 3, 1, 24, 24, 2),
            FusedMBConvConfig(4, 3, 2, 24, 48, 4),
            FusedMBConvConfig(4, 3, 2, 48, 64, 4),
            MBConvConfig(4, 3, 2, 64, 128, 6),
            MBConvConfig(6, 3, 1, 128, 160, 9),
            MBConvConfig(6, 3, 2, 160, 256, 15),
        ]
        last_channel = 1280
    elif arch.startswith("efficientnet_v2_m"):
        setting = [
            FusedMBConvConfig(1, 3, 1, 24, 24, 3),
            FusedMBConvConfig(4, 3, 2, 24, 48, 5),
            FusedMBConvConfig(4, 3, 2, 48, 80, 5),
            MBConvConfig(4, 3, 2, 80, 160, 7),
            MBConvConfig(6, 3, 1, 160, 176, 14),
            MBConvConfig(6, 3, 2, 176, 304, 18),
            MBConvConfig(6, 3, 1, 304, 512, 5),
        ]
        last_channel = 1280
    elif arch.startswith("efficientnet_v2_l"):
        setting = [
            FusedMBConvConfig(1, 3, 1, 32, 32, 4),
            FusedMBConvConfig(4, 3, 2, 32, 64, 7),
            FusedMBConvConfig(4, 3, 2, 64, 96, 7),
            MBConvConfig(4, 3, 2, 96, 192, 10),
            MBConvConfig(6, 3, 1, 192, 224, 19),
            MBConvConfig(6, 3, 2, 224, 384, 25),
            MBConvConfig(6, 3, 1, 384, 640, 7),
        ]
        last_channel = 1280
    else:
        raise ValueError(f"Unsupported model type {arch}")
    return setting, last_channel


_META_V1 = {"categories": _IMAGENET_CATEGORIES, "min_size": (1, 1),
            "recipe": "https://github.com/pytorch/vision/tree/main/references/classification#efficientnet-v1"}
_META_V2 = {"categories": _IMAGENET_CATEGORIES, "min_size": (33, 33),
            "recipe": "https://github.com/pytorch/vision/tree/main/references/classification#efficientnet-v2"}
_PORTED = "These weights are ported from the original paper."
_NEW_RECIPE = ("These weights improve upon the results of the original paper by using a modified version of "
               "TorchVision's new training recipe.")


def _v1(file_name, n, acc1, acc5, crop, resize, ops, size):
    return weights_entry(file_name, _META_V1, n, acc1, acc5, crop_size=crop, resize_size=resize,
                         interpolation="bicubic", _ops=ops, _file_size=size, _docs=_PORTED)


class EfficientNet_B0_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("efficientnet_b0_rwightman-3dd342df.pth", 5288548, 77.692, 93.532, 224, 256, 0.386, 20.451)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B1_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("efficientnet_b1_rwightman-533bc792.pth", 7794184, 78.642, 94.186, 240, 256, 0.687, 30.134)
    IMAGENET1K_V2 = weights_entry(
        "efficientnet_b1-c27df63c.pth", _META_V1, 7794184, 79.838, 94.934, crop_size=240, resize_size=255,
        recipe="https://github.com/pytorch/vision/issues/3995#new-recipe-with-lr-wd-crop-tuning", _ops=0.687,
        _file_size=30.136, _docs=_NEW_RECIPE)
    DEFAULT = IMAGENET1K_V2


class EfficientNet_B2_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("efficientnet_b2_rwightman-bcdf34b7.pth", 9109994, 80.608, 95.310, 288, 288, 1.088, 35.174)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B3_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("efficientnet_b3_rwightman-cf984f9c.pth", 12233232, 82.008, 96.054, 300, 320, 1.827,
                        47.184)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B4_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("efficientnet_b4_rwightman-7eb33cd5.pth", 19341616, 83.384, 96.594, 380, 384, 4.394,
                        74.489)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B5_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("efficientnet_b5_lukemelas-b6417697.pth", 30389784, 83.444, 96.628, 456, 456, 10.266,
                        116.864)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B6_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("efficientnet_b6_lukemelas-c76e70fd.pth", 43040704, 84.008, 96.916, 528, 528, 19.068,
                        165.362)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B7_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("efficientnet_b7_lukemelas-dcc49843.pth", 66347960, 84.122, 96.908, 600, 600, 37.746,
                        254.675)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_V2_S_Weights(WeightsEnum):
    IMAGENET1K_V1 = weights_entry("efficientnet_v2_s-dd5fe13b.pth", _META_V2, 21458488, 84.228, 96.878,
                                  crop_size=384, resize_size=384, _ops=8.366, _file_size=82.704, _docs=_NEW_RECIPE)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_V2_M_Weights(WeightsEnum):
    IMAGENET1K_V1 = weights_entry("efficientnet_v2_m-dc08266a.pth", _META_V2, 54139356, 85.112, 97.156,
                                  crop_size=480, resize_size=480, _ops=24.582, _file_size=208.01, _docs=_NEW_RECIPE)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_V2_L_Weights(WeightsEnum):
    IMAGENET1K_V1 = weights_entry("efficientnet_v2_l-59c71312.pth", _META_V2, 118515272, 85.808, 97.788,
                                  crop_size=480, resize_size=480, interpolation="bicubic", mean=(0.5, 0.5, 0.5),
                                  std=(0.5, 0.5, 0.5), _ops=56.08, _file_size=454.573, _docs=_PORTED)
    DEFAULT = IMAGENET1K_V1


def _b(arch, width_mult, depth_mult, dropout, weights, progress, kwargs, **fixed):
    setting, last_channel = _efficientnet_conf(arch, width_mult=width_mult, depth_mult=depth_mult)
    return _efficientnet(setting, kwargs.pop("dropout", dropout), last_channel, weights, progress, **fixed,
                         **kwargs)


_BN_TF = partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)   # B5-B7: TensorFlow's batch-norm settings


@builder(EfficientNet_B0_Weights, EfficientNet_B0_Weights.IMAGENET1K_V1)
def efficientnet_b0(*, weights=None, progress=True, **kwargs):
    """EfficientNet-B0 (`paper <https://arxiv.org/abs/1905.11946>`_); kwargs go to :class:`EfficientNet`."""
    return _b("efficientnet_b0", 1.0, 1.0, 0.2, EfficientNet_B0_Weights.verify(weights), progress, kwargs)


@builder(EfficientNet_B1_Weights, EfficientNet_B1_Weights.IMAGENET1K_V1)
def efficientnet_b1(*, weights=None, progress=True, **kwargs):
    """EfficientNet-B1 (width 1.0, depth 1.1, dropout 0.2)."""
    return _b("efficientnet_b1", 1.0, 1.1, 0.2, EfficientNet_B1_Weights.verify(weights), progress, kwargs)


@builder(EfficientNet_B2_Weights, EfficientNet_B2_Weights.IMAGENET1K_V1)
def efficientnet_b2(*, weights=None, progress=True, **kwargs):
    """EfficientNet-B2 (width 1.1, depth 1.2, dropout 0.3)."""
    return _b("efficientnet_b2", 1.1, 1.2, 0.3, EfficientNet_B2_Weights.verify(weights), progress, kwargs)


@builder(EfficientNet_B3_Weights, EfficientNet_B3_Weights.IMAGENET1K_V1)
def efficientnet_b3(*, weights=None, progress=True, **kwargs):
    """EfficientNet-B3 (width 1.2, depth 1.4, dropout 0.3)."""
    return _b("efficientnet_b3", 1.2, 1.4, 0.3, EfficientNet_B3_Weights.verify(weights), progress, kwargs)


@builder(EfficientNet_B4_Weights, EfficientNet_B4_Weights.IMAGENET1K_V1)
def efficientnet_b4(*, weights=None, progress=True, **kwargs):
    """EfficientNet-B4 (width 1.4, depth 1.8, dropout 0.4)."""
    return _b("efficientnet_b4", 1.4, 1.8, 0.4, EfficientNet_B4_Weights.verify(weights), progress, kwargs)


@builder(EfficientNet_B5_Weights, EfficientNet_B5_Weights.IMAGENET1K_V1)
def efficientnet_b5(*, weights=None, progress=True, **kwargs):
    """EfficientNet-B5 (width 1.6, depth 2.2, dropout 0.4, BatchNorm eps 1e-3 momentum 0.01)."""
    return _b("efficientnet_b5", 1.6, 2.2, 0.4, EfficientNet_B5_Weights.verify(weights), progress, kwargs,
              norm_layer=_BN_TF)


@builder(EfficientNet_B6_Weights, EfficientNet_B6_Weights.IMAGENET1K_V1)
def efficientnet_b6(*, weights=None, progress=True, **kwargs):
    """EfficientNet-B6 (width 1.8, depth 2.6, dropout 0.5, BatchNorm eps 1e-3 momentum 0.01)."""
    return _b("efficientnet_b6", 1.8, 2.6, 0.5, EfficientNet_B6_Weights.verify(weights), progress, kwargs,
              norm_layer=_BN_TF)


@builder(EfficientNet_B7_Weights, EfficientNet_B7_Weights.IMAGENET1K_V1)
def efficientnet_b7(*, weights=None, progress=True, **kwargs):
    """EfficientNet-B7 (width 2.0, depth 3.1, dropout 0.5, BatchNorm eps 1e-3 momentum 0.01)."""
    return _b("efficientnet_b7", 2.0, 3.1, 0.5, EfficientNet_B7_Weights.verify(weights), progress, kwargs,
              norm_layer=_BN_TF)


def _v2(arch, dropout, weights, progress, kwargs):
    setting, last_channel = _efficientnet_conf(arch)
    return _efficientnet(setting, kwargs.pop("dropout", dropout), last_channel, weights, progress,
                         norm_layer=partial(nn.BatchNorm2d, eps=1e-03), **kwargs)


@builder(EfficientNet_V2_S_Weights, EfficientNet_V2_S_Weights.IMAGENET1K_V1)
def efficientnet_v2_s(*, weights=None, progress=True, **kwargs):
    """EfficientNetV2-S (`paper <https://arxiv.org/abs/2104.00298>`_); kwargs go to :class:`EfficientNet`."""
    return _v2("efficientnet_v2_s", 0.2, EfficientNet_V2_S_Weights.verify(weights), progress, kwargs)


@builder(EfficientNet_V2_M_Weights, EfficientNet_V2_M_Weights.IMAGENET1K_V1)
def efficientnet_v2_m(*, weights=None, progress=True, **kwargs):
    """EfficientNetV2-M (dropout 0.3)."""
    return _v2("efficientnet_v2_m", 0.3, EfficientNet_V2_M_Weights.verify(weights), progress, kwargs)


@builder(EfficientNet_V2_L_Weights, EfficientNet_V2_L_Weights.IMAGENET1K_V1)
def efficientnet_v2_l(*, weights=None, progress=True, **kwargs):
    """EfficientNetV2-L (dropout 0.4)."""
    return _v2("efficientnet_v2_l", 0.4, EfficientNet_V2_L_Weights.verify(weights), progress, kwargs)
