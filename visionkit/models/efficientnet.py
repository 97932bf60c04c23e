"""EfficientNet B0-B7 (Tan & Le, 2019) and EfficientNetV2 S/M/L (Tan & Le, 2021).

Both are stacks of stages described by configs: :class:`MBConvConfig` for inverted residuals with
squeeze-and-excitation (:class:`MBConv`) and :class:`FusedMBConvConfig` for V2's fused blocks, whose expansion
and depthwise convolutions are one regular convolution (:class:`FusedMBConv`).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from torch import Tensor, nn

from ..ops.misc import Conv2dNormActivation, SqueezeExcitation, StochasticDepth
from ..transforms.functional import InterpolationMode
from ._api import WeightsEnum, build_model, register_model
from ._meta import RECIPE_V1, RECIPE_V2, imagenet_weights
from ._utils import init_weights_, make_divisible, pooled_logits

__all__ = [
    "EfficientNet",
    "EfficientNet_B0_Weights",
    "EfficientNet_B1_Weights",
    "EfficientNet_B2_Weights",
    "EfficientNet_B3_Weights",
    "EfficientNet_B4_Weights",
    "EfficientNet_B5_Weights",
    "EfficientNet_B6_Weights",
    "EfficientNet_B7_Weights",
    "EfficientNet_V2_L_Weights",
    "EfficientNet_V2_M_Weights",
    "EfficientNet_V2_S_Weights",
    "efficientnet_b0",
    "efficientnet_b1",
    "efficientnet_b2",
    "efficientnet_b3",
    "efficientnet_b4",
    "efficientnet_b5",
    "efficientnet_b6",
    "efficientnet_b7",
    "efficientnet_v2_l",
    "efficientnet_v2_m",
    "efficientnet_v2_s",
]


@dataclass
class _MBConvConfig:
    """One stage: ``num_layers`` blocks of type ``block``; the first maps ``input_channels`` to ``out_channels``
    with ``stride``, the others keep width and resolution."""

    expand_ratio: float
    kernel: int
    stride: int
    input_channels: int
    out_channels: int
    num_layers: int
    block: Callable[..., nn.Module]

    @staticmethod
    def adjust_channels(channels: int, width_mult: float, min_value: int | None = None) -> int:
        """Scale ``channels`` by ``width_mult`` and round to a multiple of 8 (at least ``min_value``)."""
        return make_divisible(channels * width_mult, 8, min_value)


class MBConvConfig(_MBConvConfig):
    """A stage of :class:`MBConv` blocks, a row of Table 1 of EfficientNet or Table 4 of EfficientNetV2.

    Args:
        expand_ratio (float): hidden channels are the input channels times this.
        kernel (int): size of the depthwise kernel.
        stride (int): stride of the stage's first block.
        input_channels (int): input channels of the stage, before ``width_mult``.
        out_channels (int): output channels of the stage, before ``width_mult``.
        num_layers (int): blocks in the stage, before ``depth_mult``.
        width_mult (float): multiplies the channel counts, which are then rounded to multiples of 8.
        depth_mult (float): multiplies the number of blocks, rounded up.
        block (Callable[..., nn.Module], optional): the block; :class:`MBConv` when None.
    """

    def __init__(
        self,
        expand_ratio: float,
        kernel: int,
        stride: int,
        input_channels: int,
        out_channels: int,
        num_layers: int,
        width_mult: float = 1.0,
        depth_mult: float = 1.0,
        block: Callable[..., nn.Module] | None = None,
    ) -> None:
        super().__init__(
            expand_ratio,
            kernel,
            stride,
            self.adjust_channels(input_channels, width_mult),
            self.adjust_channels(out_channels, width_mult),
            self.adjust_depth(num_layers, depth_mult),
            MBConv if block is None else block,
        )

    @staticmethod
    def adjust_depth(num_layers: int, depth_mult: float) -> int:
        """Scale a number of blocks by ``depth_mult``, rounding up."""
        return math.ceil(num_layers * depth_mult)


class FusedMBConvConfig(_MBConvConfig):
    """A stage of :class:`FusedMBConv` blocks, a row of Table 4 of EfficientNetV2 (no width or depth scaling).

    Args:
        expand_ratio (float): hidden channels are the input channels times this; 1 for a single convolution.
        kernel (int): size of the fused convolution's kernel.
        stride (int): stride of the stage's first block.
        input_channels (int): input channels of the stage.
        out_channels (int): output channels of the stage.
        num_layers (int): blocks in the stage.
        block (Callable[..., nn.Module], optional): the block; :class:`FusedMBConv` when None.
    """

    def __init__(
        self,
        expand_ratio: float,
        kernel: int,
        stride: int,
        input_channels: int,
        out_channels: int,
        num_layers: int,
        block: Callable[..., nn.Module] | None = None,
    ) -> None:
        super().__init__(
            expand_ratio,
            kernel,
            stride,
            input_channels,
            out_channels,
            num_layers,
            FusedMBConv if block is None else block,
        )


class _StochasticResidual(nn.Module):
    """The part MBConv and FusedMBConv share: ``block`` on the input, and, when the shapes match, a residual
    connection whose branch stochastic depth drops per sample in training."""

    def __init__(self, cnf: _MBConvConfig, stochastic_depth_prob: float, layers: list[nn.Module]) -> None:
        super().__init__()
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        self.block = nn.Sequential(*layers)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")
        self.out_channels = cnf.out_channels

    def forward(self, input: Tensor) -> Tensor:
        """Map ``input`` (Tensor[N, C_in, H, W]) to Tensor[N, C_out, H / stride, W / stride]."""
        result = self.block(input)
        if self.use_res_connect:
            result = self.stochastic_depth(result)
            result += input  # in place: the branch's output is a fresh tensor
        return result


def _check_stride(cnf: _MBConvConfig) -> None:
    if not 1 <= cnf.stride <= 2:
        raise ValueError(f"`cnf.stride` should be 1 or 2, got {cnf.stride}")


class MBConv(_StochasticResidual):
    """Mobile inverted bottleneck: optional 1x1 expansion, depthwise convolution, squeeze-and-excitation and a
    linear 1x1 projection, all with SiLU activations but the last.

    Args:
        cnf (MBConvConfig): the block's configuration.
        stochastic_depth_prob (float): probability of dropping the residual branch in training.
        norm_layer (Callable[..., nn.Module]): normalisation layer.
        se_layer (Callable[..., nn.Module]): built as ``se_layer(channels, squeeze_channels, activation=...)``.

    Raises:
        ValueError: if ``cnf.stride`` is not 1 or 2.
    """

    def __init__(
        self,
        cnf: MBConvConfig,
        stochastic_depth_prob: float,
        norm_layer: Callable[..., nn.Module],
        se_layer: Callable[..., nn.Module] = SqueezeExcitation,
    ) -> None:
        _check_stride(cnf)
        conv = partial(Conv2dNormActivation, norm_layer=norm_layer, activation_layer=nn.SiLU)
        hidden = cnf.adjust_channels(cnf.input_channels, cnf.expand_ratio)
        layers: list[nn.Module] = []
        if hidden != cnf.input_channels:
            layers.append(conv(cnf.input_channels, hidden, kernel_size=1))
        layers += [
            conv(hidden, hidden, kernel_size=cnf.kernel, stride=cnf.stride, groups=hidden),
            se_layer(hidden, max(1, cnf.input_channels // 4), activation=partial(nn.SiLU, inplace=True)),
            conv(hidden, cnf.out_channels, kernel_size=1, activation_layer=None),
        ]
        super().__init__(cnf, stochastic_depth_prob, layers)


class FusedMBConv(_StochasticResidual):
    """EfficientNetV2's fused block: one kxk convolution in place of MBConv's expansion and depthwise
    convolutions, then a linear 1x1 projection when it expands (no squeeze-and-excitation).

    Args:
        cnf (FusedMBConvConfig): the block's configuration.
        stochastic_depth_prob (float): probability of dropping the residual branch in training.
        norm_layer (Callable[..., nn.Module]): normalisation layer.

    Raises:
        ValueError: if ``cnf.stride`` is not 1 or 2.
    """

    def __init__(
        self, cnf: FusedMBConvConfig, stochastic_depth_prob: float, norm_layer: Callable[..., nn.Module]
    ) -> None:
        _check_stride(cnf)
        conv = partial(Conv2dNormActivation, norm_layer=norm_layer, activation_layer=nn.SiLU)
        hidden = cnf.adjust_channels(cnf.input_channels, cnf.expand_ratio)
        if hidden != cnf.input_channels:
            layers = [
                conv(cnf.input_channels, hidden, kernel_size=cnf.kernel, stride=cnf.stride),
                conv(hidden, cnf.out_channels, kernel_size=1, activation_layer=None),
            ]
        else:
            layers = [conv(cnf.input_channels, cnf.out_channels, kernel_size=cnf.kernel, stride=cnf.stride)]
        super().__init__(cnf, stochastic_depth_prob, layers)


class EfficientNet(nn.Module):
    """EfficientNet (V1 or V2) classifier: a strided 3x3 stem, the configured stages, a 1x1 convolution,
    global average pooling, dropout and a linear head.

    Args:
        inverted_residual_setting (Sequence[MBConvConfig | FusedMBConvConfig]): the stages, in order.
        dropout (float): dropout probability before the linear layer.
        stochastic_depth_prob (float): drop probability of the last block; it grows linearly from 0 at the first.
        num_classes (int): outputs of the final linear layer.
        norm_layer (Callable[..., nn.Module], optional): normalisation layer; BatchNorm2d when None.
        last_channel (int, optional): output channels of the final 1x1 convolution; 4 times the last stage's
            when None.

    Raises:
        ValueError: if ``inverted_residual_setting`` is empty.
        TypeError: if it is not a sequence of stage configs.

    Shape:
        input (Tensor[N, 3, H, W]) -> logits (Tensor[N, num_classes]).
    """

    def __init__(
        self,
        inverted_residual_setting: Sequence[MBConvConfig | FusedMBConvConfig],
        dropout: float,
        stochastic_depth_prob: float = 0.2,
        num_classes: int = 1000,
        norm_layer: Callable[..., nn.Module] | None = None,
        last_channel: int | None = None,
    ) -> None:
        super().__init__()
        if not inverted_residual_setting:
            raise ValueError("`inverted_residual_setting` should not be empty")
        if not isinstance(inverted_residual_setting, Sequence) or not all(
            isinstance(cnf, _MBConvConfig) for cnf in inverted_residual_setting
        ):
            raise TypeError(
                f"`inverted_residual_setting` should be a list of MBConvConfig, got {inverted_residual_setting!r}"
            )
        norm_layer = nn.BatchNorm2d if norm_layer is None else norm_layer
        first = inverted_residual_setting[0].input_channels
        last_in = inverted_residual_setting[-1].out_channels
        last_out = 4 * last_in if last_channel is None else last_channel
        self.features = nn.Sequential(
            Conv2dNormActivation(3, first, kernel_size=3, stride=2, norm_layer=norm_layer, activation_layer=nn.SiLU),
            *_stages(inverted_residual_setting, stochastic_depth_prob, norm_layer),
            Conv2dNormActivation(last_in, last_out, kernel_size=1, norm_layer=norm_layer, activation_layer=nn.SiLU),
        )
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout, inplace=True), nn.Linear(last_out, num_classes))
        init_weights_(self, linear_std=None)
        head = self.classifier[1]
        bound = 1.0 / math.sqrt(head.out_features)
        nn.init.uniform_(head.weight, -bound, bound)
        nn.init.zeros_(head.bias)

    def forward(self, x: Tensor) -> Tensor:
        """Classify a batch: see :func:`~visionkit.models._utils.pooled_logits`."""
        return pooled_logits(self, x)


def _stages(
    setting: Sequence[_MBConvConfig], stochastic_depth_prob: float, norm_layer: Callable[..., nn.Module]
) -> list[nn.Sequential]:
    """One Sequential per stage; block ``i`` of ``n`` in the whole network drops with ``p * i / n``."""
    total = sum(cnf.num_layers for cnf in setting)
    stages = []
    index = 0
    for cnf in setting:
        blocks = []
        for position in range(cnf.num_layers):
            block_cnf = copy.copy(cnf)  # shallow: the blocks after the first keep width and resolution
            if position > 0:
                block_cnf.input_channels = block_cnf.out_channels
                block_cnf.stride = 1
            blocks.append(block_cnf.block(block_cnf, stochastic_depth_prob * float(index) / total, norm_layer))
            index += 1
        stages.append(nn.Sequential(*blocks))
    return stages


# expand ratio, kernel, stride, input channels, output channels, layers (EfficientNet's Table 1)
_V1_STAGES = (
    (1, 3, 1, 32, 16, 1),
    (6, 3, 2, 16, 24, 2),
    (6, 5, 2, 24, 40, 2),
    (6, 3, 2, 40, 80, 3),
    (6, 5, 1, 80, 112, 3),
    (6, 5, 2, 112, 192, 4),
    (6, 3, 1, 192, 320, 1),
)

# EfficientNetV2's Table 4 (and its M and L scalings): the config class, then the same six columns.
_V2_STAGES: dict[str, tuple[tuple[type[_MBConvConfig], tuple[int, ...]], ...]] = {
    "s": (
        (FusedMBConvConfig, (1, 3, 1, 24, 24, 2)),
        (FusedMBConvConfig, (4, 3, 2, 24, 48, 4)),
        (FusedMBConvConfig, (4, 3, 2, 48, 64, 4)),
        (MBConvConfig, (4, 3, 2, 64, 128, 6)),
        (MBConvConfig, (6, 3, 1, 128, 160, 9)),
        (MBConvConfig, (6, 3, 2, 160, 256, 15)),
    ),
    "m": (
        (FusedMBConvConfig, (1, 3, 1, 24, 24, 3)),
        (FusedMBConvConfig, (4, 3, 2, 24, 48, 5)),
        (FusedMBConvConfig, (4, 3, 2, 48, 80, 5)),
        (MBConvConfig, (4, 3, 2, 80, 160, 7)),
        (MBConvConfig, (6, 3, 1, 160, 176, 14)),
        (MBConvConfig, (6, 3, 2, 176, 304, 18)),
        (MBConvConfig, (6, 3, 1, 304, 512, 5)),
    ),
    "l": (
        (FusedMBConvConfig, (1, 3, 1, 32, 32, 4)),
        (FusedMBConvConfig, (4, 3, 2, 32, 64, 7)),
        (FusedMBConvConfig, (4, 3, 2, 64, 96, 7)),
        (MBConvConfig, (4, 3, 2, 96, 192, 10)),
        (MBConvConfig, (6, 3, 1, 192, 224, 19)),
        (MBConvConfig, (6, 3, 2, 224, 384, 25)),
        (MBConvConfig, (6, 3, 1, 384, 640, 7)),
    ),
}

# B5-B7 were ported from TensorFlow weights and keep its batch-norm settings; V2 keeps its epsilon.
_TF_NORM = partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)
_V2_NORM = partial(nn.BatchNorm2d, eps=1e-03)


def _efficientnet(
    setting: list[_MBConvConfig],
    dropout: float,
    last_channel: int | None,
    weights: WeightsEnum | None,
    progress: bool,
    kwargs: dict[str, Any],
    norm_layer: Callable[..., nn.Module] | None = None,
) -> EfficientNet:
    """Build an EfficientNet; ``dropout`` is the default of ``kwargs["dropout"]``, and a fixed ``norm_layer``
    (or ``last_channel``) cannot also be passed in ``kwargs``."""
    fixed: dict[str, Any] = {"last_channel": last_channel}
    if norm_layer is not None:
        fixed["norm_layer"] = norm_layer
    make = partial(EfficientNet, setting, kwargs.pop("dropout", dropout))
    return build_model(make, weights, progress, **fixed, **kwargs)


def _v1(
    width_mult: float,
    depth_mult: float,
    dropout: float,
    weights: WeightsEnum | None,
    progress: bool,
    kwargs: dict[str, Any],
    norm_layer: Callable[..., nn.Module] | None = None,
) -> EfficientNet:
    cnf = partial(MBConvConfig, width_mult=width_mult, depth_mult=depth_mult)
    setting = [cnf(*row) for row in _V1_STAGES]
    return _efficientnet(setting, dropout, None, weights, progress, kwargs, norm_layer)


def _v2(size: str, dropout: float, weights: WeightsEnum | None, progress: bool, kwargs: dict[str, Any]) -> EfficientNet:
    setting = [config(*row) for config, row in _V2_STAGES[size]]
    return _efficientnet(setting, dropout, 1280, weights, progress, kwargs, _V2_NORM)


_PORTED_DOCS = "These weights are ported from the original paper."
_V1_META = {"recipe": f"{RECIPE_V1}#efficientnet-v1", "docs": _PORTED_DOCS, "interpolation": InterpolationMode.BICUBIC}
_V2_META = {
    "recipe": f"{RECIPE_V1}#efficientnet-v2",
    "docs": (
        "These weights improve upon the results of the original paper by using a modified version of "
        "TorchVision's new training recipe "
        "(https://pytorch.org/blog/how-to-train-state-of-the-art-models-using-torchvision-latest-primitives/)."
    ),
    "min_size": (33, 33),
}


class EfficientNet_B0_Weights(WeightsEnum):
    """Weights for :func:`efficientnet_b0`."""

    IMAGENET1K_V1 = imagenet_weights(
        "efficientnet_b0_rwightman-7f5810bc.pth",
        num_params=5288548,
        acc1=77.692,
        acc5=93.532,
        ops=0.386,
        file_size=20.451,
        crop_size=224,
        resize_size=256,
        **_V1_META,
    )
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B1_Weights(WeightsEnum):
    """Weights for :func:`efficientnet_b1`."""

    IMAGENET1K_V1 = imagenet_weights(
        "efficientnet_b1_rwightman-bac287d4.pth",
        num_params=7794184,
        acc1=78.642,
        acc5=94.186,
        ops=0.687,
        file_size=30.134,
        crop_size=240,
        resize_size=256,
        **_V1_META,
    )
    IMAGENET1K_V2 = imagenet_weights(
        "efficientnet_b1-c27df63c.pth",
        num_params=7794184,
        acc1=79.838,
        acc5=94.934,
        ops=0.687,
        file_size=30.136,
        crop_size=240,
        resize_size=255,
        recipe=f"{RECIPE_V2}#new-recipe-with-lr-wd-crop-tuning",
        docs=_V2_META["docs"],
    )
    DEFAULT = IMAGENET1K_V2


class EfficientNet_B2_Weights(WeightsEnum):
    """Weights for :func:`efficientnet_b2`."""

    IMAGENET1K_V1 = imagenet_weights(
        "efficientnet_b2_rwightman-c35c1473.pth",
        num_params=9109994,
        acc1=80.608,
        acc5=95.31,
        ops=1.088,
        file_size=35.174,
        crop_size=288,
        resize_size=288,
        **_V1_META,
    )
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B3_Weights(WeightsEnum):
    """Weights for :func:`efficientnet_b3`."""

    IMAGENET1K_V1 = imagenet_weights(
        "efficientnet_b3_rwightman-b3899882.pth",
        num_params=12233232,
        acc1=82.008,
        acc5=96.054,
        ops=1.827,
        file_size=47.184,
        crop_size=300,
        resize_size=320,
        **_V1_META,
    )
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B4_Weights(WeightsEnum):
    """Weights for :func:`efficientnet_b4`."""

    IMAGENET1K_V1 = imagenet_weights(
        "efficientnet_b4_rwightman-23ab8bcd.pth",
        num_params=19341616,
        acc1=83.384,
        acc5=96.594,
        ops=4.394,
        file_size=74.489,
        crop_size=380,
        resize_size=384,
        **_V1_META,
    )
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B5_Weights(WeightsEnum):
    """Weights for :func:`efficientnet_b5`."""

    IMAGENET1K_V1 = imagenet_weights(
        "efficientnet_b5_lukemelas-1a07897c.pth",
        num_params=30389784,
        acc1=83.444,
        acc5=96.628,
        ops=10.266,
        file_size=116.864,
        crop_size=456,
        resize_size=456,
        **_V1_META,
    )
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B6_Weights(WeightsEnum):
    """Weights for :func:`efficientnet_b6`."""

    IMAGENET1K_V1 = imagenet_weights(
        "efficientnet_b6_lukemelas-24a108a5.pth",
        num_params=43040704,
        acc1=84.008,
        acc5=96.916,
        ops=19.068,
        file_size=165.362,
        crop_size=528,
        resize_size=528,
        **_V1_META,
    )
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B7_Weights(WeightsEnum):
    """Weights for :func:`efficientnet_b7`."""

    IMAGENET1K_V1 = imagenet_weights(
        "efficientnet_b7_lukemelas-c5b4e57e.pth",
        num_params=66347960,
        acc1=84.122,
        acc5=96.908,
        ops=37.746,
        file_size=254.675,
        crop_size=600,
        resize_size=600,
        **_V1_META,
    )
    DEFAULT = IMAGENET1K_V1


class EfficientNet_V2_S_Weights(WeightsEnum):
    """Weights for :func:`efficientnet_v2_s`."""

    IMAGENET1K_V1 = imagenet_weights(
        "efficientnet_v2_s-dd5fe13b.pth",
        num_params=21458488,
        acc1=84.228,
        acc5=96.878,
        ops=8.366,
        file_size=82.704,
        crop_size=384,
        resize_size=384,
        **_V2_META,
    )
    DEFAULT = IMAGENET1K_V1


class EfficientNet_V2_M_Weights(WeightsEnum):
    """Weights for :func:`efficientnet_v2_m`."""

    IMAGENET1K_V1 = imagenet_weights(
        "efficientnet_v2_m-dc08266a.pth",
        num_params=54139356,
        acc1=85.112,
        acc5=97.156,
        ops=24.582,
        file_size=208.01,
        crop_size=480,
        resize_size=480,
        **_V2_META,
    )
    DEFAULT = IMAGENET1K_V1


class EfficientNet_V2_L_Weights(WeightsEnum):
    """Weights for :func:`efficientnet_v2_l`."""

    IMAGENET1K_V1 = imagenet_weights(
        "efficientnet_v2_l-59c71312.pth",
        num_params=118515272,
        acc1=85.808,
        acc5=97.788,
        ops=56.08,
        file_size=454.573,
        crop_size=480,
        resize_size=480,
        interpolation=InterpolationMode.BICUBIC,
        mean=(0.5, 0.5, 0.5),
        std=(0.5, 0.5, 0.5),
        **{**_V2_META, "docs": _PORTED_DOCS},
    )
    DEFAULT = IMAGENET1K_V1


@register_model(weights=EfficientNet_B0_Weights)
def efficientnet_b0(
    *, weights: EfficientNet_B0_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> EfficientNet:
    """EfficientNet-B0 (Tan & Le, 2019): the searched baseline, dropout 0.2 by default.

    Args:
        weights (EfficientNet_B0_Weights | str, optional): pretrained weights to load, or None for random ones.
        progress (bool): show a download progress bar.
        **kwargs: arguments of :class:`EfficientNet` (num_classes, dropout, stochastic_depth_prob, norm_layer).

    Raises:
        ValueError: if ``weights`` names no entry, or ``num_classes`` disagrees with the weights' categories.
        TypeError: if ``weights`` belongs to another architecture.
    """
    return _v1(1.0, 1.0, 0.2, weights, progress, kwargs)


@register_model(weights=EfficientNet_B1_Weights)
def efficientnet_b1(
    *, weights: EfficientNet_B1_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> EfficientNet:
    """EfficientNet-B1: width 1.0, depth 1.1, dropout 0.2. Arguments as in :func:`efficientnet_b0`."""
    return _v1(1.0, 1.1, 0.2, weights, progress, kwargs)


@register_model(weights=EfficientNet_B2_Weights)
def efficientnet_b2(
    *, weights: EfficientNet_B2_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> EfficientNet:
    """EfficientNet-B2: width 1.1, depth 1.2, dropout 0.3. Arguments as in :func:`efficientnet_b0`."""
    return _v1(1.1, 1.2, 0.3, weights, progress, kwargs)


@register_model(weights=EfficientNet_B3_Weights)
def efficientnet_b3(
    *, weights: EfficientNet_B3_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> EfficientNet:
    """EfficientNet-B3: width 1.2, depth 1.4, dropout 0.3. Arguments as in :func:`efficientnet_b0`."""
    return _v1(1.2, 1.4, 0.3, weights, progress, kwargs)


@register_model(weights=EfficientNet_B4_Weights)
def efficientnet_b4(
    *, weights: EfficientNet_B4_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> EfficientNet:
    """EfficientNet-B4: width 1.4, depth 1.8, dropout 0.4. Arguments as in :func:`efficientnet_b0`."""
    return _v1(1.4, 1.8, 0.4, weights, progress, kwargs)


@register_model(weights=EfficientNet_B5_Weights)
def efficientnet_b5(
    *, weights: EfficientNet_B5_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> EfficientNet:
    """EfficientNet-B5: width 1.6, depth 2.2, dropout 0.4, TensorFlow's batch norm (eps 0.001, momentum 0.01),
    which ``norm_layer`` cannot replace. Arguments as in :func:`efficientnet_b0`."""
    return _v1(1.6, 2.2, 0.4, weights, progress, kwargs, _TF_NORM)


@register_model(weights=EfficientNet_B6_Weights)
def efficientnet_b6(
    *, weights: EfficientNet_B6_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> EfficientNet:
    """EfficientNet-B6: width 1.8, depth 2.6, dropout 0.5, batch norm as in :func:`efficientnet_b5`."""
    return _v1(1.8, 2.6, 0.5, weights, progress, kwargs, _TF_NORM)


@register_model(weights=EfficientNet_B7_Weights)
def efficientnet_b7(
    *, weights: EfficientNet_B7_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> EfficientNet:
    """EfficientNet-B7: width 2.0, depth 3.1, dropout 0.5, batch norm as in :func:`efficientnet_b5`."""
    return _v1(2.0, 3.1, 0.5, weights, progress, kwargs, _TF_NORM)


@register_model(weights=EfficientNet_V2_S_Weights)
def efficientnet_v2_s(
    *, weights: EfficientNet_V2_S_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> EfficientNet:
    """EfficientNetV2-S (Tan & Le, 2021): fused blocks in the first stages, a 1280-channel last convolution,
    batch norm with eps 0.001 (``norm_layer`` cannot replace it), dropout 0.2. Arguments as in
    :func:`efficientnet_b0`."""
    return _v2("s", 0.2, weights, progress, kwargs)


@register_model(weights=EfficientNet_V2_M_Weights)
def efficientnet_v2_m(
    *, weights: EfficientNet_V2_M_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> EfficientNet:
    """EfficientNetV2-M, dropout 0.3. Arguments as in :func:`efficientnet_v2_s`."""
    return _v2("m", 0.3, weights, progress, kwargs)


@register_model(weights=EfficientNet_V2_L_Weights)
def efficientnet_v2_l(
    *, weights: EfficientNet_V2_L_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> EfficientNet:
    """EfficientNetV2-L, dropout 0.4. Arguments as in :func:`efficientnet_v2_s`."""
    return _v2("l", 0.4, weights, progress, kwargs)
