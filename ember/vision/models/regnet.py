"""RegNet X and Y (torchvision.models.regnet, https://arxiv.org/abs/2003.13678): a 3x3 stem, stages of
residual bottleneck blocks (grouped 3x3, Squeeze-Excitation for Y) whose widths and depths come from the
quantized linear rule of the paper (``BlockParams.from_init_params``), torchvision's keys and init."""
import math
from collections import OrderedDict
from functools import partial

import numpy as np

from ... import nn
from ..ops.misc import Conv2dNormActivation, SqueezeExcitation
from ._api import WeightsEnum, _ovewrite_named_param, builder
from ._helpers import weights_entry
from ._meta import _IMAGENET_CATEGORIES
from .mobilenetv2 import _make_divisible

__all__ = ["RegNet", "RegNet_Y_400MF_Weights", "RegNet_Y_800MF_Weights", "RegNet_Y_1_6GF_Weights",
           "RegNet_Y_3_2GF_Weights", "RegNet_Y_8GF_Weights", "RegNet_Y_16GF_Weights", "RegNet_Y_32GF_Weights",
           "RegNet_Y_128GF_Weights", "RegNet_X_400MF_Weights", "RegNet_X_800MF_Weights", "RegNet_X_1_6GF_Weights",
           "RegNet_X_3_2GF_Weights", "RegNet_X_8GF_Weights", "RegNet_X_16GF_Weights", "RegNet_X_32GF_Weights",
           "regnet_y_400mf", "regnet_y_800mf", "regnet_y_1_6gf", "regnet_y_3_2gf", "regnet_y_8gf", "regnet_y_16gf",
           "regnet_y_32gf", "regnet_y_128gf", "regnet_x_400mf", "regnet_x_800mf", "regnet_x_1_6gf",
           "regnet_x_3_2gf", "regnet_x_8gf", "regnet_x_16gf", "regnet_x_32gf"]


class SimpleStemIN(Conv2dNormActivation):
    """Simple stem for ImageNet: 3x3 stride-2 conv, BN, activation."""

    def __init__(self, width_in, width_out, norm_layer, activation_layer):
        super().__init__(width_in, width_out, kernel_size=3, stride=2, norm_layer=norm_layer,
                         activation_layer=activation_layer)


class BottleneckTransform(nn.Sequential):
    """1x1 (``a``) -> grouped 3x3 (``b``) -> [SE (``se``)] -> 1x1 (``c``)."""

    def __init__(self, width_in, width_out, stride, norm_layer, activation_layer, group_width, bottleneck_multiplier,
                 se_ratio):
        layers = OrderedDict()
        w_b = int(round(width_out * bottleneck_multiplier))
        g = w_b // group_width
        layers["a"] = Conv2dNormActivation(width_in, w_b, kernel_size=1, stride=1, norm_layer=norm_layer,
                                           activation_layer=activation_layer)
        layers["b"] = Conv2dNormActivation(w_b, w_b, kernel_size=3, stride=stride, groups=g, norm_layer=norm_layer,
                                           activation_layer=activation_layer)
        if se_ratio:
            # the SE width is relative to the block's input width
            width_se_out = int(round(se_ratio * width_in))
            layers["se"] = SqueezeExcitation(input_channels=w_b, squeeze_channels=width_se_out,
                                             activation=activation_layer)
        layers["c"] = Conv2dNormActivation(w_b, width_out, kernel_size=1, stride=1, norm_layer=norm_layer,
                                           activation_layer=None)
        super().__init__(layers)


class ResBottleneckBlock(nn.Module):
    """activation(x + f(x)), with a 1x1 projection of x when the shape changes."""

    def __init__(self, width_in, width_out, stride, norm_layer, activation_layer, group_width=1,
                 bottleneck_multiplier=1.0, se_ratio=None):
        super().__init__()
        self.proj = None
        if (width_in != width_out) or (stride != 1):
            self.proj = Conv2dNormActivation(width_in, width_out, kernel_size=1, stride=stride, norm_layer=norm_layer,
                                             activation_layer=None)
        self.f = BottleneckTransform(width_in, width_out, stride, norm_layer, activation_layer, group_width,
                                     bottleneck_multiplier, se_ratio)
        self.activation = activation_layer(inplace=True)

    def forward(self, x):
        if self.proj is not None:
            x = self.proj(x) + self.f(x)
        else:
            x = x + self.f(x)
        return self.activation(x)


class AnyStage(nn.Sequential):
    """``depth`` blocks of the same output width, named ``block<stage>-<i>``."""

    def __init__(self, width_in, width_out, stride, depth, block_constructor, norm_layer, activation_layer,
                 group_width, bottleneck_multiplier, se_ratio=None, stage_index=0):
        super().__init__()
        for i in range(depth):
            block = block_constructor(width_in if i == 0 else width_out, width_out, stride if i == 0 else 1,
                                      norm_layer, activation_layer, group_width, bottleneck_multiplier, se_ratio)
            self.add_module(f"block{stage_index}-{i}", block)


class BlockParams:
    """Per-stage depths, widths, group widths, bottleneck multipliers and strides."""

    def __init__(self, depths, widths, group_widths, bottleneck_multipliers, strides, se_ratio=None):
        self.depths = depths
        self.widths = widths
        self.group_widths = group_widths
        self.bottleneck_multipliers = bottleneck_multipliers
        self.strides = strides
        self.se_ratio = se_ratio

    @classmethod
    def from_init_params(cls, depth, w_0, w_a, w_m, group_width, bottleneck_multiplier=1.0, se_ratio=None,
                         **kwargs):
        """The paper's rule: block j has width ``w_0 * w_m ** round(log(1 + j * w_a / w_0) / log(w_m))``,
        quantized to multiples of 8; consecutive blocks of equal width form a stage. Computed in float32, as
        torchvision does, so the rounding (and the architecture) is the same."""
        quant, stride = 8, 2
        if w_a < 0 or w_0 <= 0 or w_m <= 1 or w_0 % 8 != 0:
            raise ValueError("Invalid RegNet settings")
        f32 = np.float32
        widths_cont = np.arange(depth).astype(f32) * f32(w_a) + f32(w_0)
        block_capacity = np.round(np.log(widths_cont / f32(w_0)) / f32(math.log(w_m)))
        block_widths = (np.round(f32(w_0) * np.power(f32(w_m), block_capacity) / f32(quant)) * quant)
        block_widths = block_widths.astype(np.int32).tolist()
        num_stages = len(set(block_widths))
        split_helper = zip(block_widths + [0], [0] + block_widths, block_widths + [0], [0] + block_widths)
        splits = [w != wp or r != rp for w, wp, r, rp in split_helper]
        stage_widths = [w for w, t in zip(block_widths, splits[:-1]) if t]
        stage_depths = np.diff(np.array([d for d, t in enumerate(splits) if t])).astype(np.int32).tolist()
        strides = [stride] * num_stages
        bottleneck_multipliers = [bottleneck_multiplier] * num_stages
        group_widths = [group_width] * num_stages
        stage_widths, group_widths = cls._adjust_widths_groups_compatibilty(stage_widths, bottleneck_multipliers,
                                                                            group_widths)
        return cls(depths=stage_depths, widths=stage_widths, group_widths=group_widths,
                   bottleneck_multipliers=bottleneck_multipliers, strides=strides, se_ratio=se_ratio)

    def _get_expanded_params(self):
        return zip(self.widths, self.strides, self.depths, self.group_widths, self.bottleneck_multipliers)

    @staticmethod
    def _adjust_widths_groups_compatibilty(stage_widths, bottleneck_ratios, group_widths):
        """Make each bottleneck width a multiple of its (possibly reduced) group width."""
        widths = [int(w * b) for w, b in zip(stage_widths, bottleneck_ratios)]
        group_widths_min = [min(g, w_bot) for g, w_bot in zip(group_widths, widths)]
        ws_bot = [_make_divisible(w_bot, g) for w_bot, g in zip(widths, group_widths_min)]
        stage_widths = [int(w_bot / b) for w_bot, b in zip(ws_bot, bottleneck_ratios)]
        return stage_widths, group_widths_min


class RegNet(nn.Module):
    """RegNet from :class:`BlockParams`: ``stem``, ``trunk_output`` (``block1`` ... stages), ``avgpool``, ``fc``."""

    def __init__(self, block_params, num_classes=1000, stem_width=32, stem_type=None, block_type=None,
                 norm_layer=None, activation=None):
        super().__init__()
        stem_type = SimpleStemIN if stem_type is None else stem_type
        norm_layer = nn.BatchNorm2d if norm_layer is None else norm_layer
        block_type = ResBottleneckBlock if block_type is None else block_type
        activation = nn.ReLU if activation is None else activation
        self.stem = stem_type(3, stem_width, norm_layer, activation)
        current_width = stem_width
        blocks = []
        for i, (width_out, stride, depth, group_width, bottleneck_multiplier) in enumerate(
                block_params._get_expanded_params()):
            blocks.append((f"block{i + 1}", AnyStage(current_width, width_out, stride, depth, block_type, norm_layer,
                                                     activation, group_width, bottleneck_multiplier,
                                                     block_params.se_ratio, stage_index=i + 1)))
            current_width = width_out
        self.trunk_output = nn.Sequential(OrderedDict(blocks))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(in_features=current_width, out_features=num_classes)
        for m in self.modules():     # ResNet-style init
            if isinstance(m, nn.Conv2d):
                fan_out = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                nn.init.normal_(m.weight, mean=0.0, std=math.sqrt(2.0 / fan_out))
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, mean=0.0, std=0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.stem(x)
        x = self.trunk_output(x)
        x = self.avgpool(x)
        x = x.flatten(start_dim=1)
        return self.fc(x)


def _regnet(block_params, weights, progress, **kwargs):
    if weights is not None:
        _ovewrite_named_param(kwargs, "num_classes", len(weights.meta["categories"]))
    norm_layer = kwargs.pop("norm_layer", partial(nn.BatchNorm2d, eps=1e-05, momentum=0.1))
    model = RegNet(block_params, norm_layer=norm_layer, **kwargs)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model


_META = {"min_size": (1, 1), "categories": _IMAGENET_CATEGORIES}
_SWAG_META = {**_META, "recipe": "https://github.com/facebookresearch/SWAG",
              "license": "https://github.com/facebookresearch/SWAG/blob/main/LICENSE"}
_R = "https://github.com/pytorch/vision/tree/main/references/classification#"
_NEW_RECIPE = "https://github.com/pytorch/vision/issues/3995#new-recipe"
_PAPER = "These weights reproduce closely the results of the paper using a simple training recipe."
_IMPROVED = ("These weights improve upon the results of the original paper by using a modified version of "
             "TorchVision's new training recipe.")


def _v1(file, n, acc1, acc5, ops, size, size_class):
    return weights_entry(file, _META, n, acc1, acc5, recipe=_R + size_class, _ops=ops, _file_size=size,
                         _docs=_PAPER)


def _v2(file, n, acc1, acc5, ops, size, recipe=_NEW_RECIPE):
    return weights_entry(file, _META, n, acc1, acc5, resize_size=232, recipe=recipe, _ops=ops, _file_size=size,
                         _docs=_IMPROVED)


def _swag_e2e(file, n, acc1, acc5, ops, size):
    return weights_entry(file, _SWAG_META, n, acc1, acc5, crop_size=384, resize_size=384, interpolation="bicubic",
                         _ops=ops, _file_size=size,
                         _docs="These weights are learnt via transfer learning by end-to-end fine-tuning the "
                               "original SWAG weights on ImageNet-1K data.")


def _swag_linear(file, n, acc1, acc5, ops, size):
    return weights_entry(file, _SWAG_META, n, acc1, acc5, crop_size=224, resize_size=224, interpolation="bicubic",
                         recipe="https://github.com/pytorch/vision/pull/5793", _ops=ops, _file_size=size,
                         _docs="These weights are composed of the original frozen SWAG trunk weights and a linear "
                               "classifier learnt on top of them trained on ImageNet-1K data.")


class RegNet_Y_400MF_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("regnet_y_400mf-c65dace8.pth", 4344144, 74.046, 91.716, 0.402, 16.806, "small-models")
    IMAGENET1K_V2 = _v2("regnet_y_400mf-e6988f5f.pth", 4344144, 75.804, 92.742, 0.402, 16.806)
    DEFAULT = IMAGENET1K_V2


class RegNet_Y_800MF_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("regnet_y_800mf-1b27b58c.pth", 6432512, 76.420, 93.136, 0.834, 24.774, "small-models")
    IMAGENET1K_V2 = _v2("regnet_y_800mf-58fc7688.pth", 6432512, 78.828, 94.502, 0.834, 24.774)
    DEFAULT = IMAGENET1K_V2


class RegNet_Y_1_6GF_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("regnet_y_1_6gf-b11a554e.pth", 11202430, 77.950, 93.966, 1.612, 43.152, "small-models")
    IMAGENET1K_V2 = _v2("regnet_y_1_6gf-0d7bc02a.pth", 11202430, 80.876, 95.444, 1.612, 43.152)
    DEFAULT = IMAGENET1K_V2


class RegNet_Y_3_2GF_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("regnet_y_3_2gf-b5a9779c.pth", 19436338, 78.948, 94.576, 3.176, 74.567, "medium-models")
    IMAGENET1K_V2 = _v2("regnet_y_3_2gf-9180c971.pth", 19436338, 81.982, 95.972, 3.176, 74.567)
    DEFAULT = IMAGENET1K_V2


class RegNet_Y_8GF_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("regnet_y_8gf-d0d0e4a8.pth", 39381472, 80.032, 95.048, 8.473, 150.701, "medium-models")
    IMAGENET1K_V2 = _v2("regnet_y_8gf-dc2b1b54.pth", 39381472, 82.828, 96.330, 8.473, 150.701)
    DEFAULT = IMAGENET1K_V2


class RegNet_Y_16GF_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("regnet_y_16gf-9e6ed7dd.pth", 83590140, 80.424, 95.240, 15.912, 319.49, "large-models")
    IMAGENET1K_V2 = _v2("regnet_y_16gf-3e4a00f9.pth", 83590140, 82.886, 96.328, 15.912, 319.49)
    IMAGENET1K_SWAG_E2E_V1 = _swag_e2e("regnet_y_16gf_swag-43afe44d.pth", 83590140, 86.012, 98.054, 46.735, 319.49)
    IMAGENET1K_SWAG_LINEAR_V1 = _swag_linear("regnet_y_16gf_lc_swag-f3ec0043.pth", 83590140, 83.976, 97.244,
                                             15.912, 319.49)
    DEFAULT = IMAGENET1K_V2


class RegNet_Y_32GF_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("regnet_y_32gf-4dee3f7a.pth", 145046770, 80.878, 95.340, 32.28, 554.076, "large-models")
    IMAGENET1K_V2 = _v2("regnet_y_32gf-8db6d4b5.pth", 145046770, 83.368, 96.498, 32.28, 554.076)
    IMAGENET1K_SWAG_E2E_V1 = _swag_e2e("regnet_y_32gf_swag-04fdfa75.pth", 145046770, 86.838, 98.362, 94.826,
                                       554.076)
    IMAGENET1K_SWAG_LINEAR_V1 = _swag_linear("regnet_y_32gf_lc_swag-e1583746.pth", 145046770, 84.622, 97.480,
                                             32.28, 554.076)
    DEFAULT = IMAGENET1K_V2


class RegNet_Y_128GF_Weights(WeightsEnum):
    IMAGENET1K_SWAG_E2E_V1 = _swag_e2e("regnet_y_128gf_swag-c8ce3e52.pth", 644812894, 88.228, 98.682, 374.57,
                                       2461.564)
    IMAGENET1K_SWAG_LINEAR_V1 = _swag_linear("regnet_y_128gf_lc_swag-cbe8ce12.pth", 644812894, 86.068, 97.844,
                                             127.518, 2461.564)
    DEFAULT = IMAGENET1K_SWAG_E2E_V1


_FIXRES = "https://github.com/pytorch/vision/issues/3995#new-recipe-with-fixres"


class RegNet_X_400MF_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("regnet_x_400mf-adf1edd5.pth", 5495976, 72.834, 90.950, 0.414, 21.258, "small-models")
    IMAGENET1K_V2 = _v2("regnet_x_400mf-62229a5f.pth", 5495976, 74.864, 92.322, 0.414, 21.257, _FIXRES)
    DEFAULT = IMAGENET1K_V2


class RegNet_X_800MF_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("regnet_x_800mf-ad17e45c.pth", 7259656, 75.212, 92.348, 0.8, 27.945, "small-models")
    IMAGENET1K_V2 = _v2("regnet_x_800mf-94a99ebd.pth", 7259656, 77.522, 93.826, 0.8, 27.945, _FIXRES)
    DEFAULT = IMAGENET1K_V2


class RegNet_X_1_6GF_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("regnet_x_1_6gf-e3633e7f.pth", 9190136, 77.040, 93.440, 1.603, 35.339, "small-models")
    IMAGENET1K_V2 = _v2("regnet_x_1_6gf-a12f2b72.pth", 9190136, 79.668, 94.922, 1.603, 35.339, _FIXRES)
    DEFAULT = IMAGENET1K_V2


class RegNet_X_3_2GF_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("regnet_x_3_2gf-f342aeae.pth", 15296552, 78.364, 93.992, 3.177, 58.756, "medium-models")
    IMAGENET1K_V2 = _v2("regnet_x_3_2gf-7071aa85.pth", 15296552, 81.196, 95.430, 3.177, 58.756)
    DEFAULT = IMAGENET1K_V2


class RegNet_X_8GF_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("regnet_x_8gf-03ceed89.pth", 39572648, 79.344, 94.686, 7.995, 151.456, "medium-models")
    IMAGENET1K_V2 = _v2("regnet_x_8gf-2b70d774.pth", 39572648, 81.682, 95.678, 7.995, 151.456)
    DEFAULT = IMAGENET1K_V2


class RegNet_X_16GF_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("regnet_x_16gf-2007eb11.pth", 54278536, 80.058, 94.944, 15.941, 207.627, "medium-models")
    IMAGENET1K_V2 = _v2("regnet_x_16gf-ba3796d7.pth", 54278536, 82.716, 96.196, 15.941, 207.627)
    DEFAULT = IMAGENET1K_V2


class RegNet_X_32GF_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("regnet_x_32gf-9d47f8d0.pth", 107811560, 80.622, 95.248, 31.736, 412.039, "large-models")
    IMAGENET1K_V2 = _v2("regnet_x_32gf-6eb8fdc6.pth", 107811560, 83.014, 96.288, 31.736, 412.039)
    DEFAULT = IMAGENET1K_V2


def _make(weights_enum, legacy, depth, w_0, w_a, w_m, group_width, se_ratio=None):
    """A registered builder for one RegNet: ``BlockParams`` from the paper's parameters, then ``_regnet``.
    Extra kwargs reach both ``BlockParams.from_init_params`` and ``RegNet`` (as in torchvision)."""
    def make_builder(fn):
        def build(*, weights=None, progress=True, **kwargs):
            weights = weights_enum.verify(weights)
            se = {} if se_ratio is None else {"se_ratio": se_ratio}
            params = BlockParams.from_init_params(depth=depth, w_0=w_0, w_a=w_a, w_m=w_m, group_width=group_width,
                                                  **se, **kwargs)
            return _regnet(params, weights, progress, **kwargs)
        build.__name__ = build.__qualname__ = fn.__name__
        build.__doc__ = fn.__doc__
        build.__module__ = fn.__module__
        return builder(weights_enum, legacy)(build)
    return make_builder


@_make(RegNet_Y_400MF_Weights, RegNet_Y_400MF_Weights.IMAGENET1K_V1, 16, 48, 27.89, 2.09, 8, 0.25)
def regnet_y_400mf():
    """RegNetY-400MF (`Designing Network Design Spaces <https://arxiv.org/abs/2003.13678>`_)."""


@_make(RegNet_Y_800MF_Weights, RegNet_Y_800MF_Weights.IMAGENET1K_V1, 14, 56, 38.84, 2.4, 16, 0.25)
def regnet_y_800mf():
    """RegNetY-800MF."""


@_make(RegNet_Y_1_6GF_Weights, RegNet_Y_1_6GF_Weights.IMAGENET1K_V1, 27, 48, 20.71, 2.65, 24, 0.25)
def regnet_y_1_6gf():
    """RegNetY-1.6GF."""


@_make(RegNet_Y_3_2GF_Weights, RegNet_Y_3_2GF_Weights.IMAGENET1K_V1, 21, 80, 42.63, 2.66, 24, 0.25)
def regnet_y_3_2gf():
    """RegNetY-3.2GF."""


@_make(RegNet_Y_8GF_Weights, RegNet_Y_8GF_Weights.IMAGENET1K_V1, 17, 192, 76.82, 2.19, 56, 0.25)
def regnet_y_8gf():
    """RegNetY-8GF."""


@_make(RegNet_Y_16GF_Weights, RegNet_Y_16GF_Weights.IMAGENET1K_V1, 18, 200, 106.23, 2.48, 112, 0.25)
def regnet_y_16gf():
    """RegNetY-16GF."""


@_make(RegNet_Y_32GF_Weights, RegNet_Y_32GF_Weights.IMAGENET1K_V1, 20, 232, 115.89, 2.53, 232, 0.25)
def regnet_y_32gf():
    """RegNetY-32GF."""


@_make(RegNet_Y_128GF_Weights, None, 27, 456, 160.83, 2.52, 264, 0.25)
def regnet_y_128gf():
    """RegNetY-128GF (SWAG weights only; ``pretrained=True`` is not available)."""


@_make(RegNet_X_400MF_Weights, RegNet_X_400MF_Weights.IMAGENET1K_V1, 22, 24, 24.48, 2.54, 16)
def regnet_x_400mf():
    """RegNetX-400MF."""


@_make(RegNet_X_800MF_Weights, RegNet_X_800MF_Weights.IMAGENET1K_V1, 16, 56, 35.73, 2.28, 16)
def regnet_x_800mf():
    """RegNetX-800MF."""


@_make(RegNet_X_1_6GF_Weights, RegNet_X_1_6GF_Weights.IMAGENET1K_V1, 18, 80, 34.01, 2.25, 24)
def regnet_x_1_6gf():
    """RegNetX-1.6GF."""


@_make(RegNet_X_3_2GF_Weights, RegNet_X_3_2GF_Weights.IMAGENET1K_V1, 25, 88, 26.31, 2.25, 48)
def regnet_x_3_2gf():
    """RegNetX-3.2GF."""


@_make(RegNet_X_8GF_Weights, RegNet_X_8GF_Weights.IMAGENET1K_V1, 23, 80, 49.56, 2.88, 120)
def regnet_x_8gf():
    """RegNetX-8GF."""


@_make(RegNet_X_16GF_Weights, RegNet_X_16GF_Weights.IMAGENET1K_V1, 22, 216, 55.59, 2.1, 128)
def regnet_x_16gf():
    """RegNetX-16GF."""


@_make(RegNet_X_32GF_Weights, RegNet_X_32GF_Weights.IMAGENET1K_V1, 23, 320, 69.86, 2.0, 168)
def regnet_x_32gf():
    """RegNetX-32GF."""
