"""MaxViT (Tu et al., 2022, "MaxViT: Multi-Axis Vision Transformer"): stages of MBConv blocks each followed by
attention inside local windows and attention across a sparse global grid."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..ops.misc import Conv2dNormActivation, SqueezeExcitation, StochasticDepth
from ..transforms.functional import InterpolationMode
from ._api import WeightsEnum, build_model, fix_param, register_model
from ._meta import imagenet_weights

__all__ = [
    "MaxVit",
    "MaxVit_T_Weights",
    "maxvit_t",
]


def _strided_size(size: tuple[int, int], kernel_size: int = 3, stride: int = 2, padding: int = 1) -> tuple[int, int]:
    """(H, W) after a convolution with the given kernel, stride and padding."""
    return (
        (size[0] - kernel_size + 2 * padding) // stride + 1,
        (size[1] - kernel_size + 2 * padding) // stride + 1,
    )


def _stage_input_sizes(input_size: tuple[int, int], n_stages: int) -> list[tuple[int, int]]:
    """Feature sizes inside each stage: the stem and the first layer of every stage halve the resolution."""
    sizes = []
    size = _strided_size(input_size)
    for _ in range(n_stages):
        size = _strided_size(size)
        sizes.append(size)
    return sizes


def _relative_position_index(height: int, width: int) -> Tensor:
    """Index into a (2H - 1) * (2W - 1) bias table for every pair of positions of an H x W window.

    Returns:
        Tensor[H * W, H * W]: ``(dy + H - 1) * (2W - 1) + (dx + W - 1)`` for the offset (dy, dx) of each pair.
    """
    coords = torch.stack(torch.meshgrid([torch.arange(height), torch.arange(width)], indexing="ij"))
    coords = torch.flatten(coords, 1)
    offsets = (coords[:, :, None] - coords[:, None, :]).permute(1, 2, 0).contiguous()
    offsets[:, :, 0] += height - 1
    offsets[:, :, 1] += width - 1
    offsets[:, :, 0] *= 2 * width - 1
    return offsets.sum(-1)


class MBConv(nn.Module):
    """Mobile inverted bottleneck with squeeze-and-excitation and a pre-norm, plus a projected shortcut.

    Args:
        in_channels (int): channels of the input.
        out_channels (int): channels of the output.
        expansion_ratio (float): hidden channels are ``int(out_channels * expansion_ratio)``.
        squeeze_ratio (float): squeeze-and-excitation channels are ``int(out_channels * squeeze_ratio)``.
        stride (int): stride of the depthwise convolution (1 or 2).
        activation_layer (Callable[..., nn.Module]): activation of the convolutions.
        norm_layer (Callable[..., nn.Module]): normalisation layer.
        p_stochastic_dropout (float): stochastic depth probability of the residual branch.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        expansion_ratio: float,
        squeeze_ratio: float,
        stride: int,
        activation_layer: Callable[..., nn.Module],
        norm_layer: Callable[..., nn.Module],
        p_stochastic_dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.proj: nn.Module
        if stride != 1 or in_channels != out_channels:
            shortcut: list[nn.Module] = [nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=1, bias=True)]
            if stride == 2:
                shortcut.insert(0, nn.AvgPool2d(kernel_size=3, stride=stride, padding=1))
            self.proj = nn.Sequential(*shortcut)
        else:
            self.proj = nn.Identity()
        mid_channels = int(out_channels * expansion_ratio)
        sqz_channels = int(out_channels * squeeze_ratio)
        self.stochastic_depth: nn.Module = (
            StochasticDepth(p_stochastic_dropout, mode="row") if p_stochastic_dropout else nn.Identity()
        )
        conv = partial(Conv2dNormActivation, activation_layer=activation_layer, norm_layer=norm_layer, inplace=None)
        layers = OrderedDict(
            [
                ("pre_norm", norm_layer(in_channels)),
                ("conv_a", conv(in_channels, mid_channels, kernel_size=1, stride=1, padding=0)),
                (
                    "conv_b",
                    conv(mid_channels, mid_channels, kernel_size=3, stride=stride, padding=1, groups=mid_channels),
                ),
                ("squeeze_excitation", SqueezeExcitation(mid_channels, sqz_channels, activation=nn.SiLU)),
                ("conv_c", nn.Conv2d(in_channels=mid_channels, out_channels=out_channels, kernel_size=1, bias=True)),
            ]
        )
        self.layers = nn.Sequential(layers)

    def forward(self, x: Tensor) -> Tensor:
        """Map ``x`` (Tensor[B, in_channels, H, W]) to Tensor[B, out_channels, H / stride, W / stride]."""
        shortcut = self.proj(x)
        return shortcut + self.stochastic_depth(self.layers(x))


class RelativePositionalMultiHeadAttention(nn.Module):
    """Multi-head self-attention within groups of tokens, with a learnt bias per relative position and head.

    Args:
        feat_dim (int): features of each token.
        head_dim (int): features per head; ``feat_dim`` must be a multiple of it.
        max_seq_len (int): tokens per group, a square number (the window is square).

    Raises:
        ValueError: if ``feat_dim`` is not a multiple of ``head_dim``.
    """

    def __init__(self, feat_dim: int, head_dim: int, max_seq_len: int) -> None:
        super().__init__()
        if feat_dim % head_dim != 0:
            raise ValueError(f"feat_dim: {feat_dim} must be divisible by head_dim: {head_dim}")
        self.n_heads = feat_dim // head_dim
        self.head_dim = head_dim
        self.size = int(math.sqrt(max_seq_len))
        self.max_seq_len = max_seq_len
        self.to_qkv = nn.Linear(feat_dim, self.n_heads * self.head_dim * 3)
        # The keys are scaled by the full width, not the head width, as in the published weights.
        self.scale_factor = feat_dim**-0.5
        self.merge = nn.Linear(self.head_dim * self.n_heads, feat_dim)
        self.relative_position_bias_table = nn.Parameter(
            torch.empty(((2 * self.size - 1) * (2 * self.size - 1), self.n_heads), dtype=torch.float32)
        )
        self.register_buffer("relative_position_index", _relative_position_index(self.size, self.size))
        nn.init.trunc_normal_(self.relative_position_bias_table, std=0.02)

    def get_relative_positional_bias(self) -> Tensor:
        """The attention bias of every pair of positions, Tensor[1, n_heads, max_seq_len, max_seq_len]."""
        index = self.relative_position_index.view(-1)
        bias = self.relative_position_bias_table[index].view(self.max_seq_len, self.max_seq_len, -1)
        return bias.permute(2, 0, 1).contiguous().unsqueeze(0)

    def forward(self, x: Tensor) -> Tensor:
        """Attend within each group of ``x`` (Tensor[B, G, P, D]: G groups of P tokens), same shape out."""
        B, G, P, D = x.shape
        H, DH = self.n_heads, self.head_dim
        q, k, v = torch.chunk(self.to_qkv(x), 3, dim=-1)
        q = q.reshape(B, G, P, H, DH).permute(0, 1, 3, 2, 4)
        k = k.reshape(B, G, P, H, DH).permute(0, 1, 3, 2, 4)
        v = v.reshape(B, G, P, H, DH).permute(0, 1, 3, 2, 4)
        k = k * self.scale_factor
        scores = torch.einsum("B G H I D, B G H J D -> B G H I J", q, k)
        attention = F.softmax(scores + self.get_relative_positional_bias(), dim=-1)
        out = torch.einsum("B G H I J, B G H J D -> B G H I D", attention, v)
        return self.merge(out.permute(0, 1, 3, 2, 4).reshape(B, G, P, D))


class SwapAxes(nn.Module):
    """Swap two dimensions of the input (``torch.swapaxes(x, a, b)``).

    Args:
        a (int): one dimension.
        b (int): the other.
    """

    def __init__(self, a: int, b: int) -> None:
        super().__init__()
        self.a = a
        self.b = b

    def forward(self, x: Tensor) -> Tensor:
        return torch.swapaxes(x, self.a, self.b)


class WindowPartition(nn.Module):
    """Cut a feature map into non-overlapping p x p windows, each a group of p * p tokens."""

    def __init__(self) -> None:
        super().__init__()

    def forward(self, x: Tensor, p: int) -> Tensor:
        """Partition ``x``.

        Args:
            x (Tensor[B, C, H, W]): the feature map; H and W are multiples of ``p``.
            p (int): the window side.

        Returns:
            Tensor[B, (H / p) * (W / p), p * p, C]: the windows, row-major.
        """
        B, C, H, W = x.shape
        x = x.reshape(B, C, H // p, p, W // p, p).permute(0, 2, 4, 3, 5, 1)
        return x.reshape(B, (H // p) * (W // p), p * p, C)


class WindowDepartition(nn.Module):
    """Put windows cut by :class:`WindowPartition` back together into a feature map."""

    def __init__(self) -> None:
        super().__init__()

    def forward(self, x: Tensor, p: int, h_partitions: int, w_partitions: int) -> Tensor:
        """Reassemble ``x``.

        Args:
            x (Tensor[B, h_partitions * w_partitions, p * p, C]): the windows, row-major.
            p (int): the window side.
            h_partitions (int): windows per column.
            w_partitions (int): windows per row.

        Returns:
            Tensor[B, C, h_partitions * p, w_partitions * p]: the feature map.
        """
        B, _, _, C = x.shape
        x = x.reshape(B, h_partitions, w_partitions, p, p, C).permute(0, 5, 1, 3, 2, 4)
        return x.reshape(B, C, h_partitions * p, w_partitions * p)


class PartitionAttentionLayer(nn.Module):
    """Attention within windows ("window": local blocks) or across a dilated grid ("grid": global), then an MLP,
    both pre-norm with residual connections.

    Args:
        in_channels (int): channels of the feature map.
        head_dim (int): features per attention head.
        partition_size (int): side of the windows, or of the grid.
        partition_type (str): "window" or "grid".
        grid_size (tuple[int, int]): (H, W) of the feature map.
        mlp_ratio (int): the MLP's hidden width is ``in_channels * mlp_ratio``.
        activation_layer (Callable[..., nn.Module]): activation of the MLP.
        norm_layer (Callable[..., nn.Module]): normalisation before the attention.
        attention_dropout (float): dropout after the attention.
        mlp_dropout (float): dropout after the MLP.
        p_stochastic_dropout (float): stochastic depth probability of both residual branches.

    Raises:
        ValueError: if ``partition_type`` is neither "grid" nor "window".
    """

    def __init__(
        self,
        in_channels: int,
        head_dim: int,
        partition_size: int,
        partition_type: str,
        grid_size: tuple[int, int],
        mlp_ratio: int,
        activation_layer: Callable[..., nn.Module],
        norm_layer: Callable[..., nn.Module],
        attention_dropout: float,
        mlp_dropout: float,
        p_stochastic_dropout: float,
    ) -> None:
        super().__init__()
        self.n_heads = in_channels // head_dim
        self.head_dim = head_dim
        self.n_partitions = grid_size[0] // partition_size
        self.partition_type = partition_type
        self.grid_size = grid_size
        if partition_type not in ("grid", "window"):
            raise ValueError("partition_type must be either 'grid' or 'window'")
        # p: side of the blocks the map is reshaped into; a grid partition then swaps blocks and positions.
        if partition_type == "window":
            self.p, self.g = partition_size, self.n_partitions
        else:
            self.p, self.g = self.n_partitions, partition_size
        self.partition_op = WindowPartition()
        self.departition_op = WindowDepartition()
        self.partition_swap = SwapAxes(-2, -3) if partition_type == "grid" else nn.Identity()
        self.departition_swap = SwapAxes(-2, -3) if partition_type == "grid" else nn.Identity()
        # Either way the groups hold partition_size ** 2 tokens.
        self.attn_layer = nn.Sequential(
            norm_layer(in_channels),
            RelativePositionalMultiHeadAttention(in_channels, head_dim, partition_size**2),
            nn.Dropout(attention_dropout),
        )
        self.mlp_layer = nn.Sequential(
            nn.LayerNorm(in_channels),
            nn.Linear(in_channels, in_channels * mlp_ratio),
            activation_layer(),
            nn.Linear(in_channels * mlp_ratio, in_channels),
            nn.Dropout(mlp_dropout),
        )
        self.stochastic_dropout = StochasticDepth(p_stochastic_dropout, mode="row")

    def forward(self, x: Tensor) -> Tensor:
        """Apply the layer to ``x`` (Tensor[B, C, H, W]), giving a tensor of the same shape.

        Raises:
            AssertionError: if ``grid_size`` is not a multiple of the partition side (as torchvision).
        """
        gh, gw = self.grid_size[0] // self.p, self.grid_size[1] // self.p
        torch._assert(
            self.grid_size[0] % self.p == 0 and self.grid_size[1] % self.p == 0,
            f"Grid size must be divisible by partition size. Got grid size of {self.grid_size} "
            f"and partition size of {self.p}",
        )
        x = self.partition_swap(self.partition_op(x, self.p))
        x = x + self.stochastic_dropout(self.attn_layer(x))
        x = x + self.stochastic_dropout(self.mlp_layer(x))
        return self.departition_op(self.departition_swap(x), self.p, gh, gw)


class MaxVitLayer(nn.Module):
    """One MaxViT layer: an :class:`MBConv`, window attention, then grid attention.

    Args:
        in_channels (int): channels of the input.
        out_channels (int): channels of the output.
        squeeze_ratio (float): squeeze-and-excitation ratio of the MBConv.
        expansion_ratio (float): expansion ratio of the MBConv.
        stride (int): stride of the MBConv.
        norm_layer (Callable[..., nn.Module]): normalisation of the MBConv.
        activation_layer (Callable[..., nn.Module]): activation of the MBConv and of the MLPs.
        head_dim (int): features per attention head.
        mlp_ratio (int): expansion of the MLPs.
        mlp_dropout (float): dropout after the MLPs.
        attention_dropout (float): dropout after the attention.
        p_stochastic_dropout (float): stochastic depth probability of every residual branch.
        partition_size (int): side of the windows and of the grid.
        grid_size (tuple[int, int]): (H, W) of the output feature map.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        squeeze_ratio: float,
        expansion_ratio: float,
        stride: int,
        norm_layer: Callable[..., nn.Module],
        activation_layer: Callable[..., nn.Module],
        head_dim: int,
        mlp_ratio: int,
        mlp_dropout: float,
        attention_dropout: float,
        p_stochastic_dropout: float,
        partition_size: int,
        grid_size: tuple[int, int],
    ) -> None:
        super().__init__()
        attention = partial(
            PartitionAttentionLayer,
            in_channels=out_channels,
            head_dim=head_dim,
            partition_size=partition_size,
            grid_size=grid_size,
            mlp_ratio=mlp_ratio,
            activation_layer=activation_layer,
            norm_layer=nn.LayerNorm,
            attention_dropout=attention_dropout,
            mlp_dropout=mlp_dropout,
            p_stochastic_dropout=p_stochastic_dropout,
        )
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        layers["MBconv"] = MBConv(
            in_channels=in_channels,
            out_channels=out_channels,
            expansion_ratio=expansion_ratio,
            squeeze_ratio=squeeze_ratio,
            stride=stride,
            activation_layer=activation_layer,
            norm_layer=norm_layer,
            p_stochastic_dropout=p_stochastic_dropout,
        )
        layers["window_attention"] = attention(partition_type="window")
        layers["grid_attention"] = attention(partition_type="grid")
        self.layers = nn.Sequential(layers)

    def forward(self, x: Tensor) -> Tensor:
        """Map ``x`` (Tensor[B, in_channels, H, W]) to Tensor[B, out_channels, H / stride, W / stride]."""
        return self.layers(x)


class MaxVitBlock(nn.Module):
    """A stage of ``n_layers`` :class:`MaxVitLayer`; the first halves the resolution.

    Args:
        in_channels (int): channels of the input.
        out_channels (int): channels of every layer's output.
        squeeze_ratio (float): squeeze-and-excitation ratio of the MBConvs.
        expansion_ratio (float): expansion ratio of the MBConvs.
        norm_layer (Callable[..., nn.Module]): normalisation of the MBConvs.
        activation_layer (Callable[..., nn.Module]): activation of the MBConvs and the MLPs.
        head_dim (int): features per attention head.
        mlp_ratio (int): expansion of the MLPs.
        mlp_dropout (float): dropout after the MLPs.
        attention_dropout (float): dropout after the attention.
        partition_size (int): side of the windows and of the grid.
        input_grid_size (tuple[int, int]): (H, W) of the input feature map.
        n_layers (int): number of layers.
        p_stochastic (list[float]): stochastic depth probability of each layer.

    Raises:
        ValueError: if ``p_stochastic`` does not hold ``n_layers`` values.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        squeeze_ratio: float,
        expansion_ratio: float,
        norm_layer: Callable[..., nn.Module],
        activation_layer: Callable[..., nn.Module],
        head_dim: int,
        mlp_ratio: int,
        mlp_dropout: float,
        attention_dropout: float,
        partition_size: int,
        input_grid_size: tuple[int, int],
        n_layers: int,
        p_stochastic: list[float],
    ) -> None:
        super().__init__()
        if len(p_stochastic) != n_layers:
            raise ValueError(f"p_stochastic must have length n_layers={n_layers}, got p_stochastic={p_stochastic}.")
        self.layers = nn.ModuleList()
        self.grid_size = _strided_size(input_grid_size)
        for idx, p in enumerate(p_stochastic):
            self.layers.append(
                MaxVitLayer(
                    in_channels=in_channels if idx == 0 else out_channels,
                    out_channels=out_channels,
                    squeeze_ratio=squeeze_ratio,
                    expansion_ratio=expansion_ratio,
                    stride=2 if idx == 0 else 1,
                    norm_layer=norm_layer,
                    activation_layer=activation_layer,
                    head_dim=head_dim,
                    mlp_ratio=mlp_ratio,
                    mlp_dropout=mlp_dropout,
                    attention_dropout=attention_dropout,
                    partition_size=partition_size,
                    grid_size=self.grid_size,
                    p_stochastic_dropout=p,
                )
            )

    def forward(self, x: Tensor) -> Tensor:
        """Map ``x`` (Tensor[B, in_channels, H, W]) to Tensor[B, out_channels, H / 2, W / 2]."""
        for layer in self.layers:
            x = layer(x)
        return x


class MaxVit(nn.Module):
    """MaxViT: a convolutional stem, stages of :class:`MaxVitBlock` and a pooled Linear-Tanh-Linear head.

    Args:
        input_size (tuple[int, int]): (H, W) of the inputs; every stage's input must be a multiple of
            ``partition_size``.
        stem_channels (int): channels of the stem.
        partition_size (int): side of the attention windows and grids.
        block_channels (list[int]): channels of each stage.
        block_layers (list[int]): layers in each stage.
        head_dim (int): features per attention head.
        stochastic_depth_prob (float): stochastic depth probability of the last layer; it grows linearly
            from 0 over all layers.
        norm_layer (Callable[..., nn.Module], optional): normalisation of the convolutions;
            ``BatchNorm2d(eps=1e-3, momentum=0.01)`` when None.
        activation_layer (Callable[..., nn.Module]): activation of the convolutions and the MLPs.
        squeeze_ratio (float): squeeze-and-excitation ratio of the MBConvs.
        expansion_ratio (float): expansion ratio of the MBConvs.
        mlp_ratio (int): expansion of the MLPs.
        mlp_dropout (float): dropout after the MLPs.
        attention_dropout (float): dropout after the attention.
        num_classes (int): outputs of the head.

    Raises:
        ValueError: if a stage's input size is not a multiple of ``partition_size``.

    Shape:
        input (Tensor[N, 3, H, W]) with (H, W) = ``input_size`` -> logits (Tensor[N, num_classes]).
    """

    def __init__(
        self,
        input_size: tuple[int, int],
        stem_channels: int,
        partition_size: int,
        block_channels: list[int],
        block_layers: list[int],
        head_dim: int,
        stochastic_depth_prob: float,
        norm_layer: Callable[..., nn.Module] | None = None,
        activation_layer: Callable[..., nn.Module] = nn.GELU,
        squeeze_ratio: float = 0.25,
        expansion_ratio: float = 4,
        mlp_ratio: int = 4,
        mlp_dropout: float = 0.0,
        attention_dropout: float = 0.0,
        num_classes: int = 1000,
    ) -> None:
        super().__init__()
        if norm_layer is None:
            # The batch norm settings of the reference implementation (google-research/maxvit).
            norm_layer = partial(nn.BatchNorm2d, eps=1e-3, momentum=0.01)
        stage_sizes = _stage_input_sizes(input_size, len(block_channels))
        for idx, size in enumerate(stage_sizes):
            if size[0] % partition_size != 0 or size[1] % partition_size != 0:
                raise ValueError(
                    f"Input size {size} of block {idx} is not divisible by partition size {partition_size}. "
                    f"Consider changing the partition size or the input size.\n"
                    f"Current configuration yields the following block input sizes: {stage_sizes}."
                )
        self.stem = nn.Sequential(
            Conv2dNormActivation(
                3,
                stem_channels,
                3,
                stride=2,
                norm_layer=norm_layer,
                activation_layer=activation_layer,
                bias=False,
                inplace=None,
            ),
            Conv2dNormActivation(
                stem_channels, stem_channels, 3, stride=1, norm_layer=None, activation_layer=None, bias=True
            ),
        )
        grid_size = _strided_size(input_size)
        self.partition_size = partition_size
        self.blocks = nn.ModuleList()
        # np.linspace rather than torch's: the probabilities (shown in repr) are the exact doubles torchvision uses.
        p_stochastic = np.linspace(0, stochastic_depth_prob, sum(block_layers)).tolist()
        start = 0
        for in_channel, out_channel, n_layers in zip(
            [stem_channels, *block_channels[:-1]], block_channels, block_layers, strict=False
        ):
            block = MaxVitBlock(
                in_channels=in_channel,
                out_channels=out_channel,
                squeeze_ratio=squeeze_ratio,
                expansion_ratio=expansion_ratio,
                norm_layer=norm_layer,
                activation_layer=activation_layer,
                head_dim=head_dim,
                mlp_ratio=mlp_ratio,
                mlp_dropout=mlp_dropout,
                attention_dropout=attention_dropout,
                partition_size=partition_size,
                input_grid_size=grid_size,
                n_layers=n_layers,
                p_stochastic=p_stochastic[start : start + n_layers],
            )
            self.blocks.append(block)
            grid_size = block.grid_size
            start += n_layers
        # Linear -> Tanh -> Linear as in the reference implementation's head.
        self.classifier = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.LayerNorm(block_channels[-1]),
            nn.Linear(block_channels[-1], block_channels[-1]),
            nn.Tanh(),
            nn.Linear(block_channels[-1], num_classes, bias=False),
        )
        self._init_weights()

    def _init_weights(self) -> None:
        """N(0, 0.02) convolution and linear weights, zero biases, unit batch norms."""
        for module in self.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                nn.init.normal_(module.weight, std=0.02)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.constant_(module.weight, 1)
                nn.init.constant_(module.bias, 0)

    def forward(self, x: Tensor) -> Tensor:
        """Classify a batch.

        Args:
            x (Tensor[N, 3, H, W]): normalised images of size ``input_size``.

        Returns:
            Tensor[N, num_classes]: logits.
        """
        x = self.stem(x)
        for block in self.blocks:
            x = block(x)
        return self.classifier(x)


def _make_maxvit(weights: WeightsEnum | None, **kwargs: Any) -> MaxVit:
    """Build the model at the input size of ``weights`` ((224, 224) without weights unless ``input_size`` is given)."""
    if weights is not None:
        fix_param(kwargs, "input_size", weights.meta["min_size"], f"for {weights!r}")
    kwargs.setdefault("input_size", (224, 224))
    return MaxVit(**kwargs)


class MaxVit_T_Weights(WeightsEnum):
    """Weights for :func:`maxvit_t`."""

    IMAGENET1K_V1 = imagenet_weights(
        "maxvit_t-bc5ab103.pth",
        num_params=30919624,
        acc1=83.700,
        acc5=96.722,
        ops=5.558,
        file_size=118.769,
        recipe="https://github.com/pytorch/vision/tree/main/references/classification#maxvit",
        docs=(
            "These weights reproduce closely the results of the paper using a similar training recipe. "
            "They were trained with a BatchNorm2D momentum of 0.99 instead of the more correct 0.01."
        ),
        min_size=(224, 224),
        resize_size=224,
        interpolation=InterpolationMode.BICUBIC,
    )
    DEFAULT = IMAGENET1K_V1


@register_model(weights=MaxVit_T_Weights)
def maxvit_t(*, weights: MaxVit_T_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> MaxVit:
    """MaxViT-T (Tu et al., 2022): 64-channel stem, stages of 2, 2, 5 and 2 layers, 7 x 7 windows and grids.

    Weights fix ``num_classes`` to their categories and ``input_size`` to their ``min_size``.

    Args:
        weights (MaxVit_T_Weights | str, optional): pretrained weights to load, or None for random ones.
        progress (bool): show a download progress bar.
        **kwargs: arguments of :class:`MaxVit` (input_size, num_classes, stochastic_depth_prob...).

    Returns:
        MaxVit: the model.

    Raises:
        ValueError: if ``num_classes`` or ``input_size`` differ from what ``weights`` were trained for.
    """
    make = partial(
        _make_maxvit,
        weights,
        stem_channels=64,
        block_channels=[64, 128, 256, 512],
        block_layers=[2, 2, 5, 2],
        head_dim=32,
        stochastic_depth_prob=0.2,
        partition_size=7,
    )
    return build_model(make, weights, progress, **kwargs)
