"""Vision Transformer (torchvision.models.vision_transformer, https://arxiv.org/abs/2010.11929): patchify
conv (``conv_proj``) or a conv stem, a class token, learned position embeddings (``encoder.pos_embedding``),
pre-norm encoder blocks with ``nn.MultiheadAttention`` (``encoder.layers.encoder_layer_<i>.self_attention``)
and an MLP head (``heads.head``); torchvision's init and checkpoint compatibility."""
import math
from collections import OrderedDict
from functools import partial
from typing import Callable, NamedTuple

from ... import cat, empty, nn, zeros
from ...nn import functional as F
from ..ops.misc import MLP, Conv2dNormActivation
from ._api import WeightsEnum, _ovewrite_named_param, builder
from ._helpers import weights_entry
from ._meta import _IMAGENET_CATEGORIES

__all__ = ["VisionTransformer", "ViT_B_16_Weights", "ViT_B_32_Weights", "ViT_L_16_Weights", "ViT_L_32_Weights",
           "ViT_H_14_Weights", "vit_b_16", "vit_b_32", "vit_l_16", "vit_l_32", "vit_h_14"]


class ConvStemConfig(NamedTuple):
    out_channels: int
    kernel_size: int
    stride: int
    norm_layer: Callable = nn.BatchNorm2d
    activation_layer: Callable = nn.ReLU


class MLPBlock(MLP):
    """The encoder's MLP: Linear -> GELU -> Dropout -> Linear -> Dropout (keys ``0`` and ``3``)."""

    _version = 2

    def __init__(self, in_dim, mlp_dim, dropout):
        super().__init__(in_dim, [mlp_dim, in_dim], activation_layer=nn.GELU, inplace=None, dropout=dropout)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.normal_(m.bias, std=1e-6)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        version = local_metadata.get("version", None)
        if version is None or version < 2:      # the old MLPBlock named its layers linear_1 / linear_2
            for i in range(2):
                for kind in ["weight", "bias"]:
                    old_key = f"{prefix}linear_{i + 1}.{kind}"
                    if old_key in state_dict:
                        state_dict[f"{prefix}{3 * i}.{kind}"] = state_dict.pop(old_key)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)


def _check_seq_input(input):
    if input.dim() != 3:
        raise AssertionError(f"Expected (batch_size, seq_length, hidden_dim) got {input.shape}")


class EncoderBlock(nn.Module):
    """x + attention(LN(x)), then + MLP(LN(.)) (pre-norm)."""

    def __init__(self, num_heads, hidden_dim, mlp_dim, dropout, attention_dropout,
                 norm_layer=partial(nn.LayerNorm, eps=1e-6)):
        super().__init__()
        self.num_heads = num_heads
        self.ln_1 = norm_layer(hidden_dim)
        self.self_attention = nn.MultiheadAttention(hidden_dim, num_heads, dropout=attention_dropout,
                                                    batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.ln_2 = norm_layer(hidden_dim)
        self.mlp = MLPBlock(hidden_dim, mlp_dim, dropout)

    def forward(self, input):
        _check_seq_input(input)
        x = self.ln_1(input)
        x, _ = self.self_attention(x, x, x, need_weights=False)
        x = self.dropout(x)
        x = x + input
        y = self.ln_2(x)
        y = self.mlp(y)
        return x + y


class Encoder(nn.Module):
    """Position embedding, dropout, ``num_layers`` encoder blocks, final LayerNorm."""

    def __init__(self, seq_length, num_layers, num_heads, hidden_dim, mlp_dim, dropout, attention_dropout,
                 norm_layer=partial(nn.LayerNorm, eps=1e-6)):
        super().__init__()
        # batch first: (N, S, E), as nn.MultiheadAttention(batch_first=True) takes it
        self.pos_embedding = nn.Parameter(empty(1, seq_length, hidden_dim).normal_(std=0.02))   # from BERT
        self.dropout = nn.Dropout(dropout)
        layers = OrderedDict()
        for i in range(num_layers):
            layers[f"encoder_layer_{i}"] = EncoderBlock(num_heads, hidden_dim, mlp_dim, dropout, attention_dropout,
                                                        norm_layer)
        self.layers = nn.Sequential(layers)
        self.ln = norm_layer(hidden_dim)

    def forward(self, input):
        _check_seq_input(input)
        input = input + self.pos_embedding
        return self.ln(self.layers(self.dropout(input)))


class VisionTransformer(nn.Module):
    """ViT on ``image_size`` x ``image_size`` inputs cut into ``patch_size`` patches."""

    def __init__(self, image_size, patch_size, num_layers, num_heads, hidden_dim, mlp_dim, dropout=0.0,
                 attention_dropout=0.0, num_classes=1000, representation_size=None,
                 norm_layer=partial(nn.LayerNorm, eps=1e-6), conv_stem_configs=None):
        super().__init__()
        if image_size % patch_size != 0:
            raise AssertionError(f"Input shape indivisible by patch size! (image_size {image_size}, "
                                 f"patch_size {patch_size})")
        self.image_size = image_size
        self.patch_size = patch_size
        self.hidden_dim = hidden_dim
        self.mlp_dim = mlp_dim
        self.attention_dropout = attention_dropout
        self.dropout = dropout
        self.num_classes = num_classes
        self.representation_size = representation_size
        self.norm_layer = norm_layer

        if conv_stem_configs is not None:       # https://arxiv.org/abs/2106.14881
            seq_proj = nn.Sequential()
            prev_channels = 3
            for i, cfg in enumerate(conv_stem_configs):
                seq_proj.add_module(f"conv_bn_relu_{i}", Conv2dNormActivation(
                    in_channels=prev_channels, out_channels=cfg.out_channels, kernel_size=cfg.kernel_size,
                    stride=cfg.stride, norm_layer=cfg.norm_layer, activation_layer=cfg.activation_layer))
                prev_channels = cfg.out_channels
            seq_proj.add_module("conv_last", nn.Conv2d(in_channels=prev_channels, out_channels=hidden_dim,
                                                       kernel_size=1))
            self.conv_proj = seq_proj
        else:
            self.conv_proj = nn.Conv2d(in_channels=3, out_channels=hidden_dim, kernel_size=patch_size,
                                       stride=patch_size)

        seq_length = (image_size // patch_size) ** 2
        self.class_token = nn.Parameter(zeros(1, 1, hidden_dim))
        seq_length += 1
        self.encoder = Encoder(seq_length, num_layers, num_heads, hidden_dim, mlp_dim, dropout, attention_dropout,
                               norm_layer)
        self.seq_length = seq_length

        heads_layers = OrderedDict()
        if representation_size is None:
            heads_layers["head"] = nn.Linear(hidden_dim, num_classes)
        else:
            heads_layers["pre_logits"] = nn.Linear(hidden_dim, representation_size)
            heads_layers["act"] = nn.Tanh()
            heads_layers["head"] = nn.Linear(representation_size, num_classes)
        self.heads = nn.Sequential(heads_layers)

        if isinstance(self.conv_proj, nn.Conv2d):
            fan_in = self.conv_proj.in_channels * self.conv_proj.kernel_size[0] * self.conv_proj.kernel_size[1]
            nn.init.trunc_normal_(self.conv_proj.weight, std=math.sqrt(1 / fan_in))
            if self.conv_proj.bias is not None:
                nn.init.zeros_(self.conv_proj.bias)
        elif self.conv_proj.conv_last is not None and isinstance(self.conv_proj.conv_last, nn.Conv2d):
            nn.init.normal_(self.conv_proj.conv_last.weight, mean=0.0,
                            std=math.sqrt(2.0 / self.conv_proj.conv_last.out_channels))
            if self.conv_proj.conv_last.bias is not None:
                nn.init.zeros_(self.conv_proj.conv_last.bias)
        if hasattr(self.heads, "pre_logits") and isinstance(self.heads.pre_logits, nn.Linear):
            fan_in = self.heads.pre_logits.in_features
            nn.init.trunc_normal_(self.heads.pre_logits.weight, std=math.sqrt(1 / fan_in))
            nn.init.zeros_(self.heads.pre_logits.bias)
        if isinstance(self.heads.head, nn.Linear):
            nn.init.zeros_(self.heads.head.weight)
            nn.init.zeros_(self.heads.head.bias)

    def _process_input(self, x):
        """(N, 3, H, W) -> (N, (H/p)(W/p), hidden_dim) patch embeddings."""
        n, c, h, w = x.shape
        p = self.patch_size
        if h != self.image_size:
            raise AssertionError(f"Wrong image height! Expected {self.image_size} but got {h}!")
        if w != self.image_size:
            raise AssertionError(f"Wrong image width! Expected {self.image_size} but got {w}!")
        n_h, n_w = h // p, w // p
        x = self.conv_proj(x)                                  # (n, hidden_dim, n_h, n_w)
        x = x.reshape(n, self.hidden_dim, n_h * n_w)
        return x.permute(0, 2, 1)                              # (n, seq, hidden_dim)

    def forward(self, x):
        x = self._process_input(x)
        n = x.shape[0]
        batch_class_token = self.class_token.expand(n, -1, -1)
        x = cat([batch_class_token, x], dim=1)
        x = self.encoder(x)
        x = x[:, 0]         # the class token's output
        return self.heads(x)


def _vision_transformer(patch_size, num_layers, num_heads, hidden_dim, mlp_dim, weights, progress, **kwargs):
    if weights is not None:
        _ovewrite_named_param(kwargs, "num_classes", len(weights.meta["categories"]))
        assert weights.meta["min_size"][0] == weights.meta["min_size"][1]
        _ovewrite_named_param(kwargs, "image_size", weights.meta["min_size"][0])
    image_size = kwargs.pop("image_size", 224)
    model = VisionTransformer(image_size=image_size, patch_size=patch_size, num_layers=num_layers,
                              num_heads=num_heads, hidden_dim=hidden_dim, mlp_dim=mlp_dim, **kwargs)
    if weights:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model


_META = {"categories": _IMAGENET_CATEGORIES}
_SWAG_META = {**_META, "recipe": "https://github.com/facebookresearch/SWAG",
              "license": "https://github.com/facebookresearch/SWAG/blob/main/LICENSE"}
_R = "https://github.com/pytorch/vision/tree/main/references/classification#"
_DEIT = "These weights were trained from scratch by using a modified version of DeIT's training recipe."
_E2E = ("These weights are learnt via transfer learning by end-to-end fine-tuning the original SWAG weights on "
        "ImageNet-1K data.")
_LINEAR = ("These weights are composed of the original frozen SWAG trunk weights and a linear classifier learnt on "
           "top of them trained on ImageNet-1K data.")


def _swag(file, n, acc1, acc5, size, ops, fsize, linear):
    extra = dict(recipe="https://github.com/pytorch/vision/pull/5793") if linear else {}
    return weights_entry(file, _SWAG_META, n, acc1, acc5, crop_size=size, resize_size=size, interpolation="bicubic",
                         min_size=(size, size), _ops=ops, _file_size=fsize, _docs=_LINEAR if linear else _E2E,
                         **extra)


class ViT_B_16_Weights(WeightsEnum):
    IMAGENET1K_V1 = weights_entry("vit_b_16-c867db91.pth", _META, 86567656, 81.072, 95.318, min_size=(224, 224),
                                  recipe=_R + "vit_b_16", _ops=17.564, _file_size=330.285, _docs=_DEIT)
    IMAGENET1K_SWAG_E2E_V1 = _swag("vit_b_16_swag-9ac1b537.pth", 86859496, 85.304, 97.650, 384, 55.484, 331.398,
                                   False)
    IMAGENET1K_SWAG_LINEAR_V1 = _swag("vit_b_16_lc_swag-4e70ced5.pth", 86567656, 81.886, 96.180, 224, 17.564,
                                      330.285, True)
    DEFAULT = IMAGENET1K_V1


class ViT_B_32_Weights(WeightsEnum):
    IMAGENET1K_V1 = weights_entry("vit_b_32-d86f8d99.pth", _META, 88224232, 75.912, 92.466, min_size=(224, 224),
                                  recipe=_R + "vit_b_32", _ops=4.409, _file_size=336.604, _docs=_DEIT)
    DEFAULT = IMAGENET1K_V1


class ViT_L_16_Weights(WeightsEnum):
    IMAGENET1K_V1 = weights_entry("vit_l_16-852ce7e3.pth", _META, 304326632, 79.662, 94.638, resize_size=242,
                                  min_size=(224, 224), recipe=_R + "vit_l_16", _ops=61.555, _file_size=1161.023,
                                  _docs="These weights were trained from scratch by using a modified version of "
                                        "TorchVision's new training recipe.")
    IMAGENET1K_SWAG_E2E_V1 = _swag("vit_l_16_swag-4f3808c9.pth", 305174504, 88.064, 98.512, 512, 361.986,
                                   1164.258, False)
    IMAGENET1K_SWAG_LINEAR_V1 = _swag("vit_l_16_lc_swag-4d563306.pth", 304326632, 85.146, 97.422, 224, 61.555,
                                      1161.023, True)
    DEFAULT = IMAGENET1K_V1


class ViT_L_32_Weights(WeightsEnum):
    IMAGENET1K_V1 = weights_entry("vit_l_32-c7638314.pth", _META, 306535400, 76.972, 93.07, min_size=(224, 224),
                                  recipe=_R + "vit_l_32", _ops=15.378, _file_size=1169.449, _docs=_DEIT)
    DEFAULT = IMAGENET1K_V1


class ViT_H_14_Weights(WeightsEnum):
    IMAGENET1K_SWAG_E2E_V1 = _swag("vit_h_14_swag-80465313.pth", 633470440, 88.552, 98.694, 518, 1016.717,
                                   2416.643, False)
    IMAGENET1K_SWAG_LINEAR_V1 = _swag("vit_h_14_lc_swag-c1eb923e.pth", 632045800, 85.708, 97.730, 224, 167.295,
                                      2411.209, True)
    DEFAULT = IMAGENET1K_SWAG_E2E_V1


@builder(ViT_B_16_Weights, ViT_B_16_Weights.IMAGENET1K_V1)
def vit_b_16(*, weights=None, progress=True, **kwargs):
    """ViT-B/16 (`An Image is Worth 16x16 Words <https://arxiv.org/abs/2010.11929>`_): 12 layers, 12 heads,
    hidden 768, MLP 3072. ``image_size`` (default 224) and other :class:`VisionTransformer` kwargs accepted."""
    return _vision_transformer(16, 12, 12, 768, 3072, ViT_B_16_Weights.verify(weights), progress, **kwargs)


@builder(ViT_B_32_Weights, ViT_B_32_Weights.IMAGENET1K_V1)
def vit_b_32(*, weights=None, progress=True, **kwargs):
    """ViT-B/32: 12 layers, 12 heads, hidden 768, MLP 3072."""
    return _vision_transformer(32, 12, 12, 768, 3072, ViT_B_32_Weights.verify(weights), progress, **kwargs)


@builder(ViT_L_16_Weights, ViT_L_16_Weights.IMAGENET1K_V1)
def vit_l_16(*, weights=None, progress=True, **kwargs):
    """ViT-L/16: 24 layers, 16 heads, hidden 1024, MLP 4096."""
    return _vision_transformer(16, 24, 16, 1024, 4096, ViT_L_16_Weights.verify(weights), progress, **kwargs)


@builder(ViT_L_32_Weights, ViT_L_32_Weights.IMAGENET1K_V1)
def vit_l_32(*, weights=None, progress=True, **kwargs):
    """ViT-L/32: 24 layers, 16 heads, hidden 1024, MLP 4096."""
    return _vision_transformer(32, 24, 16, 1024, 4096, ViT_L_32_Weights.verify(weights), progress, **kwargs)


@builder(ViT_H_14_Weights, None)
def vit_h_14(*, weights=None, progress=True, **kwargs):
    """ViT-H/14: 32 layers, 16 heads, hidden 1280, MLP 5120 (SWAG weights only)."""
    return _vision_transformer(14, 32, 16, 1280, 5120, ViT_H_14_Weights.verify(weights), progress, **kwargs)


def interpolate_embeddings(image_size, patch_size, model_state, interpolation_mode="bicubic", reset_heads=False):
    """Resize ``encoder.pos_embedding`` in a ViT ``model_state`` for a new ``image_size`` (the class token's
    embedding is kept; the patch grid is interpolated). ``reset_heads`` drops the ``heads.*`` entries."""
    pos_embedding = model_state["encoder.pos_embedding"]
    n, seq_length, hidden_dim = pos_embedding.shape
    if n != 1:
        raise ValueError(f"Unexpected position embedding shape: {pos_embedding.shape}")
    new_seq_length = (image_size // patch_size) ** 2 + 1
    if new_seq_length != seq_length:
        seq_length -= 1
        new_seq_length -= 1
        pos_embedding_token = pos_embedding[:, :1, :]
        pos_embedding_img = pos_embedding[:, 1:, :].permute(0, 2, 1)          # (1, hidden_dim, seq)
        seq_length_1d = int(math.sqrt(seq_length))
        if seq_length_1d * seq_length_1d != seq_length:
            raise ValueError(f"seq_length is not a perfect square! Instead got seq_length_1d * seq_length_1d = "
                             f"{seq_length_1d * seq_length_1d} and seq_length = {seq_length}")
        pos_embedding_img = pos_embedding_img.reshape(1, hidden_dim, seq_length_1d, seq_length_1d)
        new_seq_length_1d = image_size // patch_size
        new_pos_embedding_img = F.interpolate(pos_embedding_img, size=new_seq_length_1d, mode=interpolation_mode,
                                              align_corners=True)
        new_pos_embedding_img = new_pos_embedding_img.reshape(1, hidden_dim, new_seq_length).permute(0, 2, 1)
        model_state["encoder.pos_embedding"] = cat([pos_embedding_token, new_pos_embedding_img], dim=1)
        if reset_heads:
            model_state = OrderedDict((k, v) for k, v in model_state.items() if not k.startswith("heads"))
    return model_state
