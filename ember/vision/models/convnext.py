"""ConvNeXt tiny/small/base/large (torchvision.models.convnext, https://arxiv.org/abs/2201.03545): a 4x4
patchify stem, stages of depthwise-7x7 / LayerNorm / MLP blocks with layer scale and stochastic depth,
LayerNorm + strided 2x2 conv downsampling; truncated-normal (std 0.02) init."""
from functools import partial

from ... import nn, ones
from ...nn import functional as F
from ..ops.misc import Conv2dNormActivation, Permute
from ..ops.stochastic_depth import StochasticDepth
from ._api import WeightsEnum, _ovewrite_named_param, builder
from ._helpers import weights_entry
from ._meta import _IMAGENET_CATEGORIES

__all__ = ["ConvNeXt", "ConvNeXt_Tiny_Weights", "ConvNeXt_Small_Weights", "ConvNeXt_Base_Weights",
           "ConvNeXt_Large_Weights", "convnext_tiny", "convnext_small", "convnext_base", "convnext_large"]


class LayerNorm2d(nn.LayerNorm):
    """LayerNorm over the channels of (N, C, H, W)."""

    def forward(self, x):
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class CNBlock(nn.Module):
    """x + drop_path(layer_scale * (dwconv7x7 -> LayerNorm -> Linear 4x -> GELU -> Linear)(x))."""

    def __init__(self, dim, layer_scale, stochastic_depth_prob, norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = partial(nn.LayerNorm, eps=1e-6)
        self.block = nn.Sequential(
            nn.Conv2d(dim, dim, kernel_size=7, padding=3, groups=dim, bias=True),
            Permute([0, 2, 3, 1]),
            norm_layer(dim),
            nn.Linear(in_features=dim, out_features=4 * dim, bias=True),
            nn.GELU(),
            nn.Linear(in_features=4 * dim, out_features=dim, bias=True),
            Permute([0, 3, 1, 2]),
        )
        self.layer_scale = nn.Parameter(ones(dim, 1, 1) * layer_scale)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")

    def forward(self, input):
        result = self.layer_scale * self.block(input)
        result = self.stochastic_depth(result)
        result += input
        return result


class CNBlockConfig:
    """One stage: its width, the width after its downsampling layer (None for the last stage), its depth."""

    def __init__(self, input_channels, out_channels, num_layers):
        self.input_channels = input_channels
        self.out_channels = out_channels
        self.num_layers = num_layers

    def __repr__(self):
        return (f"{self.__class__.__name__}(input_channels={self.input_channels}, "
                f"out_channels={self.out_channels}, num_layers={self.num_layers})")


class ConvNeXt(nn.Module):
    """ConvNeXt from a list of :class:`CNBlockConfig`; stochastic depth grows linearly to
    ``stochastic_depth_prob`` over all blocks."""

    def __init__(self, block_setting, stochastic_depth_prob=0.0, layer_scale=1e-6, num_classes=1000, block=None,
                 norm_layer=None, **kwargs):
        super().__init__()
        if not block_setting:
            raise ValueError("The block_setting should not be empty")
        if not (isinstance(block_setting, (list, tuple)) and all(isinstance(s, CNBlockConfig) for s in block_setting)):
            raise TypeError("The block_setting should be List[CNBlockConfig]")
        if block is None:
            block = CNBlock
        if norm_layer is None:
            norm_layer = partial(LayerNorm2d, eps=1e-6)
        layers = []
        firstconv_output_channels = block_setting[0].input_channels
        layers.append(Conv2dNormActivation(3, firstconv_output_channels, kernel_size=4, stride=4, padding=0,
                                           norm_layer=norm_layer, activation_layer=None, bias=True))
        total_stage_blocks = sum(cnf.num_layers for cnf in block_setting)
        stage_block_id = 0
        for cnf in block_setting:
            stage = []
            for _ in range(cnf.num_layers):
                sd_prob = stochastic_depth_prob * stage_block_id / (total_stage_blocks - 1.0)
                stage.append(block(cnf.input_channels, layer_scale, sd_prob))
                stage_block_id += 1
            layers.append(nn.Sequential(*stage))
            if cnf.out_channels is not None:
                layers.append(nn.Sequential(norm_layer(cnf.input_channels),
                                            nn.Conv2d(cnf.input_channels, cnf.out_channels, kernel_size=2, stride=2)))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        lastblock = block_setting[-1]
        lastconv_output_channels = (lastblock.out_channels if lastblock.out_channels is not None
                                    else lastblock.input_channels)
        self.classifier = nn.Sequential(norm_layer(lastconv_output_channels), nn.Flatten(1),
                                        nn.Linear(lastconv_output_channels, num_classes))
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.trunc_normal_(m.weight, std=0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def _forward_impl(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        return self.classifier(x)

    def forward(self, x):
        return self._forward_impl(x)


def _convnext(block_setting, stochastic_depth_prob, weights, progress, **kwargs):
    if weights is not None:
        _ovewrite_named_param(kwargs, "num_classes", len(weights.meta["categories"]))
    model = ConvNeXt(block_setting, stochastic_depth_prob=stochastic_depth_prob, **kwargs)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model


_COMMON_META = {
    "min_size": (32, 32), "categories": _IMAGENET_CATEGORIES,
    "recipe": "https://github.com/pytorch/vision/tree/main/references/classification#convnext",
    "_docs": "These weights improve upon the results of the original paper by using a modified version of "
             "TorchVision's new training recipe.",
}


class ConvNeXt_Tiny_Weights(WeightsEnum):
    IMAGENET1K_V1 = weights_entry("convnext_tiny-983f1562.pth", _COMMON_META, 28589128, 82.520, 96.146,
                                  resize_size=236, _ops=4.456, _file_size=109.119)
    DEFAULT = IMAGENET1K_V1


class ConvNeXt_Small_Weights(WeightsEnum):
    IMAGENET1K_V1 = weights_entry("convnext_small-0c510722.pth", _COMMON_META, 50223688, 83.616, 96.650,
                                  resize_size=230, _ops=8.684, _file_size=191.703)
    DEFAULT = IMAGENET1K_V1


class ConvNeXt_Base_Weights(WeightsEnum):
    IMAGENET1K_V1 = weights_entry("convnext_base-6075fbad.pth", _COMMON_META, 88591464, 84.062, 96.870,
                                  resize_size=232, _ops=15.355, _file_size=338.064)
    DEFAULT = IMAGENET1K_V1


class ConvNeXt_Large_Weights(WeightsEnum):
    IMAGENET1K_V1 = weights_entry("convnext_large-ea097f82.pth", _COMMON_META, 197767336, 84.414, 96.976,
                                  resize_size=232, _ops=34.361, _file_size=754.537)
    DEFAULT = IMAGENET1K_V1


def _stages(widths, depths):
    return [CNBlockConfig(w, widths[i + 1] if i + 1 < len(widths) else None, d)
            for i, (w, d) in enumerate(zip(widths, depths))]


@builder(ConvNeXt_Tiny_Weights, ConvNeXt_Tiny_Weights.IMAGENET1K_V1)
def convnext_tiny(*, weights=None, progress=True, **kwargs):
    """ConvNeXt-Tiny (`A ConvNet for the 2020s <https://arxiv.org/abs/2201.03545>`_); stochastic depth 0.1."""
    weights = ConvNeXt_Tiny_Weights.verify(weights)
    setting = _stages([96, 192, 384, 768], [3, 3, 9, 3])
    return _convnext(setting, kwargs.pop("stochastic_depth_prob", 0.1), weights, progress, **kwargs)


@builder(ConvNeXt_Small_Weights, ConvNeXt_Small_Weights.IMAGENET1K_V1)
def convnext_small(*, weights=None, progress=True, **kwargs):
    """ConvNeXt-Small; stochastic depth 0.4."""
    weights = ConvNeXt_Small_Weights.verify(weights)
    setting = _stages([96, 192, 384, 768], [3, 3, 27, 3])
    return _convnext(setting, kwargs.pop("stochastic_depth_prob", 0.4), weights, progress, **kwargs)


@builder(ConvNeXt_Base_Weights, ConvNeXt_Base_Weights.IMAGENET1K_V1)
def convnext_base(*, weights=None, progress=True, **kwargs):
    """ConvNeXt-Base; stochastic depth 0.5."""
    weights = ConvNeXt_Base_Weights.verify(weights)
    setting = _stages([128, 256, 512, 1024], [3, 3, 27, 3])
    return _convnext(setting, kwargs.pop("stochastic_depth_prob", 0.5), weights, progress, **kwargs)


@builder(ConvNeXt_Large_Weights, ConvNeXt_Large_Weights.IMAGENET1K_V1)
def convnext_large(*, weights=None, progress=True, **kwargs):
    """ConvNeXt-Large; stochastic depth 0.5."""
    weights = ConvNeXt_Large_Weights.verify(weights)
    setting = _stages([192, 384, 768, 1536], [3, 3, 27, 3])
    return _convnext(setting, kwargs.pop("stochastic_depth_prob", 0.5), weights, progress, **kwargs)
