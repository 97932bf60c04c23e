"""Vision Transformer (Dosovitskiy et al., 2021): images cut into patches, embedded and fed to a Transformer encoder.

Besides the five builders (B/16, B/32, L/16, L/32, H/14) this module offers the building blocks
(:class:`EncoderBlock`, :class:`Encoder`, :class:`MLPBlock`), the optional convolutional stem of Xiao et al.
(2021) through :class:`ConvStemConfig`, and :func:`interpolate_embeddings` to reuse weights at another resolution.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

import torch
from torch import Tensor, nn

from ..ops.misc import MLP, Conv2dNormActivation
from ..transforms.functional import InterpolationMode
from ._api import Weights, WeightsEnum, build_model, fix_param, register_model
from ._meta import imagenet_weights

__all__ = [
    "ViT_B_16_Weights",
    "ViT_B_32_Weights",
    "ViT_H_14_Weights",
    "ViT_L_16_Weights",
    "ViT_L_32_Weights",
    "VisionTransformer",
    "vit_b_16",
    "vit_b_32",
    "vit_h_14",
    "vit_l_16",
    "vit_l_32",
]

_LayerNorm = partial(nn.LayerNorm, eps=1e-6)


class ConvStemConfig(NamedTuple):
    """One convolution + norm + activation of a convolutional stem (Xiao et al., 2021, "Early Convolutions
    Help Transformers See Better"), used in place of the single patchifying convolution.

    Attributes:
        out_channels (int): channels produced by the convolution.
        kernel_size (int): size of its kernel.
        stride (int): its stride; the strides of a stem multiply to the patch size.
        norm_layer (Callable[..., nn.Module]): normalisation after the convolution.
        activation_layer (Callable[..., nn.Module]): activation after the normalisation.
    """

    out_channels: int
    kernel_size: int
    stride: int
    norm_layer: Callable[..., nn.Module] = nn.BatchNorm2d
    activation_layer: Callable[..., nn.Module] = nn.ReLU


class MLPBlock(MLP):
    """The feed-forward part of an encoder block: Linear, GELU, Dropout, Linear, Dropout.

    Checkpoints written before torchvision 0.13 name the two linear layers ``linear_1`` and ``linear_2``;
    they are renamed to ``0`` and ``3`` when loaded.

    Args:
        in_dim (int): features of the input and output.
        mlp_dim (int): features of the hidden layer.
        dropout (float): dropout probability after each linear layer.
    """

    # State dicts saved by this version carry it in their metadata; older ones use the legacy names.
    _version = 2

    def __init__(self, in_dim: int, mlp_dim: int, dropout: float) -> None:
        super().__init__(in_dim, [mlp_dim, in_dim], activation_layer=nn.GELU, inplace=None, dropout=dropout)
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight)
                if module.bias is not None:
                    nn.init.normal_(module.bias, std=1e-6)

    def _load_from_state_dict(
        self,
        state_dict: dict[str, Tensor],
        prefix: str,
        local_metadata: dict[str, Any],
        *args: Any,
    ) -> None:
        version = local_metadata.get("version")
        if version is None or version < 2:
            for legacy, index in (("linear_1", 0), ("linear_2", 3)):
                for kind in ("weight", "bias"):
                    old_key = f"{prefix}{legacy}.{kind}"
                    if old_key in state_dict:
                        state_dict[f"{prefix}{index}.{kind}"] = state_dict.pop(old_key)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, *args)


class EncoderBlock(nn.Module):
    """A pre-norm Transformer encoder block: self-attention then an MLP, each with a residual connection.

    Args:
        num_heads (int): attention heads.
        hidden_dim (int): features of each token.
        mlp_dim (int): hidden features of the MLP.
        dropout (float): dropout after the attention and inside the MLP.
        attention_dropout (float): dropout on the attention weights.
        norm_layer (Callable[..., nn.Module]): normalisation before the attention and before the MLP.
    """

    def __init__(
        self,
        num_heads: int,
        hidden_dim: int,
        mlp_dim: int,
        dropout: float,
        attention_dropout: float,
        norm_layer: Callable[..., nn.Module] = _LayerNorm,
    ) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.ln_1 = norm_layer(hidden_dim)
        self.self_attention = nn.MultiheadAttention(hidden_dim, num_heads, dropout=attention_dropout, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.ln_2 = norm_layer(hidden_dim)
        self.mlp = MLPBlock(hidden_dim, mlp_dim, dropout)

    def forward(self, input: Tensor) -> Tensor:
        """Apply the block to ``input`` (Tensor[N, S, hidden_dim]), giving a tensor of the same shape."""
        torch._assert(input.dim() == 3, f"Expected (batch_size, seq_length, hidden_dim) got {input.shape}")
        x = self.ln_1(input)
        x, _ = self.self_attention(x, x, x, need_weights=False)
        x = self.dropout(x) + input
        return x + self.mlp(self.ln_2(x))


class Encoder(nn.Module):
    """Learnt position embeddings followed by ``num_layers`` encoder blocks and a final norm.

    Args:
        seq_length (int): tokens per sequence, class token included.
        num_layers (int): encoder blocks.
        num_heads (int): attention heads per block.
        hidden_dim (int): features of each token.
        mlp_dim (int): hidden features of each block's MLP.
        dropout (float): dropout after adding the position embeddings and inside the blocks.
        attention_dropout (float): dropout on the attention weights.
        norm_layer (Callable[..., nn.Module]): normalisation layer.
    """

    def __init__(
        self,
        seq_length: int,
        num_layers: int,
        num_heads: int,
        hidden_dim: int,
        mlp_dim: int,
        dropout: float,
        attention_dropout: float,
        norm_layer: Callable[..., nn.Module] = _LayerNorm,
    ) -> None:
        super().__init__()
        # Batch first, as the attention layers are built with batch_first=True; std 0.02 as in BERT.
        self.pos_embedding = nn.Parameter(torch.empty(1, seq_length, hidden_dim).normal_(std=0.02))
        self.dropout = nn.Dropout(dropout)
        blocks = OrderedDict(
            (
                f"encoder_layer_{i}",
                EncoderBlock(num_heads, hidden_dim, mlp_dim, dropout, attention_dropout, norm_layer),
            )
            for i in range(num_layers)
        )
        self.layers = nn.Sequential(blocks)
        self.ln = norm_layer(hidden_dim)

    def forward(self, input: Tensor) -> Tensor:
        """Encode ``input`` (Tensor[N, seq_length, hidden_dim]), giving a tensor of the same shape."""
        torch._assert(input.dim() == 3, f"Expected (batch_size, seq_length, hidden_dim) got {input.shape}")
        return self.ln(self.layers(self.dropout(input + self.pos_embedding)))


def _conv_stem(configs: list[ConvStemConfig], hidden_dim: int) -> nn.Sequential:
    """The convolutional stem: one Conv2dNormActivation per config, then a 1x1 convolution to ``hidden_dim``."""
    stem = nn.Sequential()
    channels = 3
    for i, config in enumerate(configs):
        stem.add_module(
            f"conv_bn_relu_{i}",
            Conv2dNormActivation(
                in_channels=channels,
                out_channels=config.out_channels,
                kernel_size=config.kernel_size,
                stride=config.stride,
                norm_layer=config.norm_layer,
                activation_layer=config.activation_layer,
            ),
        )
        channels = config.out_channels
    stem.add_module("conv_last", nn.Conv2d(in_channels=channels, out_channels=hidden_dim, kernel_size=1))
    return stem


def _heads(hidden_dim: int, num_classes: int, representation_size: int | None) -> nn.Sequential:
    """The classifier on the class token: a linear layer, preceded by Linear + Tanh with ``representation_size``."""
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    if representation_size is not None:
        layers["pre_logits"] = nn.Linear(hidden_dim, representation_size)
        layers["act"] = nn.Tanh()
    layers["head"] = nn.Linear(hidden_dim if representation_size is None else representation_size, num_classes)
    return nn.Sequential(layers)


class VisionTransformer(nn.Module):
    """A Vision Transformer: patch embedding, a class token, a Transformer encoder and a linear head.

    Args:
        image_size (int): side of the square inputs; a multiple of ``patch_size``.
        patch_size (int): side of the square patches that become tokens.
        num_layers (int): encoder blocks.
        num_heads (int): attention heads per block.
        hidden_dim (int): features of each token.
        mlp_dim (int): hidden features of each block's MLP.
        dropout (float): dropout probability in the encoder.
        attention_dropout (float): dropout on the attention weights.
        num_classes (int): outputs of the head.
        representation_size (int, optional): when given, a Linear + Tanh of this width precedes the head.
        norm_layer (Callable[..., nn.Module]): normalisation layer of the encoder.
        conv_stem_configs (list[ConvStemConfig], optional): a convolutional stem to use instead of the
            patchifying convolution; its strides should multiply to ``patch_size``.

    Raises:
        AssertionError: if ``image_size`` is not a multiple of ``patch_size`` (as torchvision).

    Shape:
        input (Tensor[N, 3, image_size, image_size]) -> logits (Tensor[N, num_classes]).
    """

    def __init__(
        self,
        image_size: int,
        patch_size: int,
        num_layers: int,
        num_heads: int,
        hidden_dim: int,
        mlp_dim: int,
        dropout: float = 0.0,
        attention_dropout: float = 0.0,
        num_classes: int = 1000,
        representation_size: int | None = None,
        norm_layer: Callable[..., nn.Module] = _LayerNorm,
        conv_stem_configs: list[ConvStemConfig] | None = None,
    ) -> None:
        super().__init__()
        torch._assert(image_size % patch_size == 0, "Input shape indivisible by patch size!")
        self.image_size = image_size
        self.patch_size = patch_size
        self.hidden_dim = hidden_dim
        self.mlp_dim = mlp_dim
        self.attention_dropout = attention_dropout
        self.dropout = dropout
        self.num_classes = num_classes
        self.representation_size = representation_size
        self.norm_layer = norm_layer
        self.conv_proj: nn.Module
        if conv_stem_configs is None:
            self.conv_proj = nn.Conv2d(3, hidden_dim, kernel_size=patch_size, stride=patch_size)
        else:
            self.conv_proj = _conv_stem(conv_stem_configs, hidden_dim)
        self.class_token = nn.Parameter(torch.zeros(1, 1, hidden_dim))
        self.seq_length = (image_size // patch_size) ** 2 + 1
        self.encoder = Encoder(
            self.seq_length, num_layers, num_heads, hidden_dim, mlp_dim, dropout, attention_dropout, norm_layer
        )
        self.heads = _heads(hidden_dim, num_classes, representation_size)
        self._init_stem_and_heads()

    def _init_stem_and_heads(self) -> None:
        """LeCun-normal patch embedding (or He-normal last stem convolution), LeCun-normal pre-logits, zero head."""
        if isinstance(self.conv_proj, nn.Conv2d):
            fan_in = self.conv_proj.in_channels * self.conv_proj.kernel_size[0] * self.conv_proj.kernel_size[1]
            nn.init.trunc_normal_(self.conv_proj.weight, std=math.sqrt(1 / fan_in))
            last = self.conv_proj
        else:
            last = self.conv_proj.conv_last
            nn.init.normal_(last.weight, mean=0.0, std=math.sqrt(2.0 / last.out_channels))
        if last.bias is not None:
            nn.init.zeros_(last.bias)
        pre_logits = getattr(self.heads, "pre_logits", None)
        if isinstance(pre_logits, nn.Linear):
            nn.init.trunc_normal_(pre_logits.weight, std=math.sqrt(1 / pre_logits.in_features))
            nn.init.zeros_(pre_logits.bias)
        if isinstance(self.heads.head, nn.Linear):
            nn.init.zeros_(self.heads.head.weight)
            nn.init.zeros_(self.heads.head.bias)

    def _process_input(self, x: Tensor) -> Tensor:
        """Embed the patches of ``x`` (Tensor[N, 3, H, W]) as tokens, Tensor[N, (H / p) * (W / p), hidden_dim]."""
        n, _, h, w = x.shape
        p = self.patch_size
        torch._assert(h == self.image_size, f"Wrong image height! Expected {self.image_size} but got {h}!")
        torch._assert(w == self.image_size, f"Wrong image width! Expected {self.image_size} but got {w}!")
        x = self.conv_proj(x).reshape(n, self.hidden_dim, (h // p) * (w // p))
        return x.permute(0, 2, 1)

    def forward(self, x: Tensor) -> Tensor:
        """Classify a batch.

        Args:
            x (Tensor[N, 3, image_size, image_size]): normalised images.

        Returns:
            Tensor[N, num_classes]: logits, computed from the class token.
        """
        x = self._process_input(x)
        x = torch.cat([self.class_token.expand(x.shape[0], -1, -1), x], dim=1)
        return self.heads(self.encoder(x)[:, 0])


def _make_vision_transformer(weights: WeightsEnum | None, **kwargs: Any) -> VisionTransformer:
    """Build the model at the input size of ``weights`` (224 without weights unless ``image_size`` is given)."""
    if weights is not None:
        fix_param(kwargs, "image_size", weights.meta["min_size"][0], f"for {weights!r}")
    kwargs.setdefault("image_size", 224)
    return VisionTransformer(**kwargs)


def _vision_transformer(
    patch_size: int,
    num_layers: int,
    num_heads: int,
    hidden_dim: int,
    mlp_dim: int,
    weights: WeightsEnum | None,
    progress: bool,
    **kwargs: Any,
) -> VisionTransformer:
    make = partial(
        _make_vision_transformer,
        weights,
        patch_size=patch_size,
        num_layers=num_layers,
        num_heads=num_heads,
        hidden_dim=hidden_dim,
        mlp_dim=mlp_dim,
    )
    return build_model(make, weights, progress, **kwargs)


_RECIPES = "https://github.com/pytorch/vision/tree/main/references/classification"
_DEIT_DOCS = (
    "These weights were trained from scratch by using a modified version of `DeIT "
    "<https://arxiv.org/abs/2012.12877>`_'s training recipe."
)
_SWAG_E2E_DOCS = (
    "These weights are learnt via transfer learning by end-to-end fine-tuning the original "
    "`SWAG <https://arxiv.org/abs/2201.08371>`_ weights on ImageNet-1K data."
)
_SWAG_LINEAR_DOCS = (
    "These weights are composed of the original frozen `SWAG <https://arxiv.org/abs/2201.08371>`_ trunk "
    "weights and a linear classifier learnt on top of them trained on ImageNet-1K data."
)
_SWAG_LICENSE = {"license": "https://github.com/facebookresearch/SWAG/blob/main/LICENSE"}


def _swag_e2e(file_name: str, size: int, **facts: Any) -> Weights:
    """SWAG weights fine-tuned end to end at ``size`` x ``size`` (bicubic resize, no margin before the crop)."""
    return imagenet_weights(
        file_name,
        recipe="https://github.com/facebookresearch/SWAG",
        docs=_SWAG_E2E_DOCS,
        resize_size=size,
        crop_size=size,
        min_size=(size, size),
        interpolation=InterpolationMode.BICUBIC,
        extra_meta=_SWAG_LICENSE,
        **facts,
    )


def _swag_linear(file_name: str, **facts: Any) -> Weights:
    """Frozen SWAG trunk with a linear classifier learnt on ImageNet-1K, at 224 x 224 (bicubic)."""
    return imagenet_weights(
        file_name,
        recipe="https://github.com/pytorch/vision/pull/5793",
        docs=_SWAG_LINEAR_DOCS,
        resize_size=224,
        crop_size=224,
        min_size=(224, 224),
        interpolation=InterpolationMode.BICUBIC,
        extra_meta=_SWAG_LICENSE,
        **facts,
    )


class ViT_B_16_Weights(WeightsEnum):
    """Weights for :func:`vit_b_16`."""

    IMAGENET1K_V1 = imagenet_weights(
        "vit_b_16-c867db91.pth",
        num_params=86567656,
        acc1=81.072,
        acc5=95.318,
        ops=17.564,
        file_size=330.285,
        recipe=f"{_RECIPES}#vit_b_16",
        docs=_DEIT_DOCS,
        min_size=(224, 224),
    )
    IMAGENET1K_SWAG_E2E_V1 = _swag_e2e(
        "vit_b_16_swag-9ac1b537.pth", 384, num_params=86859496, acc1=85.304, acc5=97.650, ops=55.484, file_size=331.398
    )
    IMAGENET1K_SWAG_LINEAR_V1 = _swag_linear(
        "vit_b_16_lc_swag-4e70ced5.pth", num_params=86567656, acc1=81.886, acc5=96.180, ops=17.564, file_size=330.285
    )
    DEFAULT = IMAGENET1K_V1


class ViT_B_32_Weights(WeightsEnum):
    """Weights for :func:`vit_b_32`."""

    IMAGENET1K_V1 = imagenet_weights(
        "vit_b_32-d86f8d99.pth",
        num_params=88224232,
        acc1=75.912,
        acc5=92.466,
        ops=4.409,
        file_size=336.604,
        recipe=f"{_RECIPES}#vit_b_32",
        docs=_DEIT_DOCS,
        min_size=(224, 224),
    )
    DEFAULT = IMAGENET1K_V1


class ViT_L_16_Weights(WeightsEnum):
    """Weights for :func:`vit_l_16`."""

    IMAGENET1K_V1 = imagenet_weights(
        "vit_l_16-852ce7e3.pth",
        num_params=304326632,
        acc1=79.662,
        acc5=94.638,
        ops=61.555,
        file_size=1161.023,
        recipe=f"{_RECIPES}#vit_l_16",
        docs=(
            "These weights were trained from scratch by using a modified version of TorchVision's `new training "
            "recipe <https://pytorch.org/blog/how-to-train-state-of-the-art-models-using-torchvision-latest-primitives/>`_."
        ),
        min_size=(224, 224),
        resize_size=242,
    )
    IMAGENET1K_SWAG_E2E_V1 = _swag_e2e(
        "vit_l_16_swag-4f3808c9.pth",
        512,
        num_params=305174504,
        acc1=88.064,
        acc5=98.512,
        ops=361.986,
        file_size=1164.258,
    )
    IMAGENET1K_SWAG_LINEAR_V1 = _swag_linear(
        "vit_l_16_lc_swag-4d563306.pth",
        num_params=304326632,
        acc1=85.146,
        acc5=97.422,
        ops=61.555,
        file_size=1161.023,
    )
    DEFAULT = IMAGENET1K_V1


class ViT_L_32_Weights(WeightsEnum):
    """Weights for :func:`vit_l_32`."""

    IMAGENET1K_V1 = imagenet_weights(
        "vit_l_32-c7638314.pth",
        num_params=306535400,
        acc1=76.972,
        acc5=93.07,
        ops=15.378,
        file_size=1169.449,
        recipe=f"{_RECIPES}#vit_l_32",
        docs=_DEIT_DOCS,
        min_size=(224, 224),
    )
    DEFAULT = IMAGENET1K_V1


class ViT_H_14_Weights(WeightsEnum):
    """Weights for :func:`vit_h_14` (SWAG only; no weights trained from scratch are published)."""

    IMAGENET1K_SWAG_E2E_V1 = _swag_e2e(
        "vit_h_14_swag-80465313.pth",
        518,
        num_params=633470440,
        acc1=88.552,
        acc5=98.694,
        ops=1016.717,
        file_size=2416.643,
    )
    IMAGENET1K_SWAG_LINEAR_V1 = _swag_linear(
        "vit_h_14_lc_swag-c1eb923e.pth",
        num_params=632045800,
        acc1=85.708,
        acc5=97.730,
        ops=167.295,
        file_size=2411.209,
    )
    DEFAULT = IMAGENET1K_SWAG_E2E_V1


@register_model(weights=ViT_B_16_Weights)
def vit_b_16(
    *, weights: ViT_B_16_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> VisionTransformer:
    """ViT-B/16: 12 blocks of width 768 on 16 x 16 patches (Dosovitskiy et al., 2021).

    Weights fix ``num_classes`` to their categories and ``image_size`` to their ``min_size`` (384 for SWAG E2E).

    Args:
        weights (ViT_B_16_Weights | str, optional): pretrained weights to load, or None for random ones.
        progress (bool): show a download progress bar.
        **kwargs: arguments of :class:`VisionTransformer` (image_size, num_classes, dropout, conv_stem_configs...).

    Returns:
        VisionTransformer: the model.

    Raises:
        ValueError: if ``num_classes`` or ``image_size`` differ from what ``weights`` were trained for.
    """
    return _vision_transformer(16, 12, 12, 768, 3072, weights, progress, **kwargs)


@register_model(weights=ViT_B_32_Weights)
def vit_b_32(
    *, weights: ViT_B_32_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> VisionTransformer:
    """ViT-B/32: 12 blocks of width 768 on 32 x 32 patches. Arguments as in :func:`vit_b_16`."""
    return _vision_transformer(32, 12, 12, 768, 3072, weights, progress, **kwargs)


@register_model(weights=ViT_L_16_Weights)
def vit_l_16(
    *, weights: ViT_L_16_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> VisionTransformer:
    """ViT-L/16: 24 blocks of width 1024 on 16 x 16 patches. Arguments as in :func:`vit_b_16`."""
    return _vision_transformer(16, 24, 16, 1024, 4096, weights, progress, **kwargs)


@register_model(weights=ViT_L_32_Weights)
def vit_l_32(
    *, weights: ViT_L_32_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> VisionTransformer:
    """ViT-L/32: 24 blocks of width 1024 on 32 x 32 patches. Arguments as in :func:`vit_b_16`."""
    return _vision_transformer(32, 24, 16, 1024, 4096, weights, progress, **kwargs)


@register_model(weights=ViT_H_14_Weights)
def vit_h_14(
    *, weights: ViT_H_14_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> VisionTransformer:
    """ViT-H/14: 32 blocks of width 1280 on 14 x 14 patches (632M parameters). Arguments as in :func:`vit_b_16`."""
    return _vision_transformer(14, 32, 16, 1280, 5120, weights, progress, **kwargs)


def interpolate_embeddings(
    image_size: int,
    patch_size: int,
    model_state: OrderedDict[str, Tensor],
    interpolation_mode: str = "bicubic",
    reset_heads: bool = False,
) -> OrderedDict[str, Tensor]:
    """Resize the position embeddings of a ViT state_dict for a model of another input size.

    The class token's embedding is kept; the patch embeddings, laid out on their square grid, are resized to
    the new grid with ``torch.nn.functional.interpolate`` (``align_corners=True``). ``model_state`` is
    updated in place when the grid changes.

    Args:
        image_size (int): input side of the new model.
        patch_size (int): patch side of the new model.
        model_state (OrderedDict[str, Tensor]): the pretrained state_dict, with ``encoder.pos_embedding``.
        interpolation_mode (str): interpolation of the resize ("bicubic", "bilinear", "nearest"...).
        reset_heads (bool): when the grid changes, leave out the ``heads.*`` entries (for a new classifier).

    Returns:
        OrderedDict[str, Tensor]: a state_dict that loads into the new model.

    Raises:
        ValueError: if the position embeddings are not of shape (1, S, D), or S - 1 is not a square number.
    """
    pos_embedding = model_state["encoder.pos_embedding"]
    n, seq_length, hidden_dim = pos_embedding.shape
    if n != 1:
        raise ValueError(f"Unexpected position embedding shape: {pos_embedding.shape}")
    new_side = image_size // patch_size
    if new_side**2 + 1 == seq_length:
        return model_state
    num_patches = seq_length - 1
    side = math.isqrt(num_patches)
    if side * side != num_patches:
        raise ValueError(
            f"seq_length is not a perfect square! Instead got seq_length_1d * seq_length_1d = {side * side} "
            f"and seq_length = {num_patches}"
        )
    grid = pos_embedding[:, 1:, :].permute(0, 2, 1).reshape(1, hidden_dim, side, side)
    grid = nn.functional.interpolate(grid, size=new_side, mode=interpolation_mode, align_corners=True)
    patches = grid.reshape(1, hidden_dim, new_side * new_side).permute(0, 2, 1)
    model_state["encoder.pos_embedding"] = torch.cat([pos_embedding[:, :1, :], patches], dim=1)
    if reset_heads:
        model_state = OrderedDict((k, v) for k, v in model_state.items() if not k.startswith("heads"))
    return model_state
