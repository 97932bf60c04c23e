"""RegNetX and RegNetY (Radosavovic et al., 2020, "Designing Network Design Spaces").

A RegNet is a stem, four or so stages of residual bottleneck blocks and a linear head. The width of every
block follows a quantised linear rule set by four numbers (depth, w_0, w_a, w_m); :class:`BlockParams` turns
them into per-stage depths and widths. RegNetY adds squeeze-and-excitation to every block.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Iterator
from functools import partial
from itertools import groupby
from typing import Any

import torch
from torch import Tensor, nn

from ..ops.misc import Conv2dNormActivation, SqueezeExcitation
from ..transforms.functional import InterpolationMode
from ._api import Weights, WeightsEnum, build_model, register_model
from ._meta import RECIPE_V1, RECIPE_V2, imagenet_weights
from ._utils import make_divisible

__all__ = [
    "RegNet",
    "RegNet_X_1_6GF_Weights",
    "RegNet_X_3_2GF_Weights",
    "RegNet_X_8GF_Weights",
    "RegNet_X_16GF_Weights",
    "RegNet_X_32GF_Weights",
    "RegNet_X_400MF_Weights",
    "RegNet_X_800MF_Weights",
    "RegNet_Y_1_6GF_Weights",
    "RegNet_Y_3_2GF_Weights",
    "RegNet_Y_8GF_Weights",
    "RegNet_Y_16GF_Weights",
    "RegNet_Y_32GF_Weights",
    "RegNet_Y_128GF_Weights",
    "RegNet_Y_400MF_Weights",
    "RegNet_Y_800MF_Weights",
    "regnet_x_1_6gf",
    "regnet_x_3_2gf",
    "regnet_x_8gf",
    "regnet_x_16gf",
    "regnet_x_32gf",
    "regnet_x_400mf",
    "regnet_x_800mf",
    "regnet_y_1_6gf",
    "regnet_y_3_2gf",
    "regnet_y_8gf",
    "regnet_y_16gf",
    "regnet_y_32gf",
    "regnet_y_128gf",
    "regnet_y_400mf",
    "regnet_y_800mf",
]


class SimpleStemIN(Conv2dNormActivation):
    """The ImageNet stem: a strided 3x3 convolution, a norm and an activation (halves the resolution).

    Args:
        width_in (int): input channels.
        width_out (int): output channels.
        norm_layer (Callable[..., nn.Module]): normalisation after the convolution.
        activation_layer (Callable[..., nn.Module]): activation after the norm.
    """

    def __init__(
        self,
        width_in: int,
        width_out: int,
        norm_layer: Callable[..., nn.Module],
        activation_layer: Callable[..., nn.Module],
    ) -> None:
        super().__init__(
            width_in, width_out, kernel_size=3, stride=2, norm_layer=norm_layer, activation_layer=activation_layer
        )


class BottleneckTransform(nn.Sequential):
    """The residual branch of a RegNet block: 1x1 (``a``), grouped 3x3 (``b``), optional SE (``se``), 1x1 (``c``).

    Args:
        width_in (int): input channels.
        width_out (int): output channels.
        stride (int): stride of the 3x3 convolution.
        norm_layer (Callable[..., nn.Module]): normalisation after each convolution.
        activation_layer (Callable[..., nn.Module]): activation after ``a`` and ``b`` (and inside SE).
        group_width (int): channels per group of the 3x3 convolution.
        bottleneck_multiplier (float): bottleneck width as a fraction of ``width_out``.
        se_ratio (float, optional): SE squeeze width as a fraction of ``width_in``; no SE when None or 0.
    """

    def __init__(
        self,
        width_in: int,
        width_out: int,
        stride: int,
        norm_layer: Callable[..., nn.Module],
        activation_layer: Callable[..., nn.Module],
        group_width: int,
        bottleneck_multiplier: float,
        se_ratio: float | None,
    ) -> None:
        width = round(width_out * bottleneck_multiplier)
        conv = partial(Conv2dNormActivation, norm_layer=norm_layer)
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        layers["a"] = conv(width_in, width, kernel_size=1, activation_layer=activation_layer)
        layers["b"] = conv(
            width, width, kernel_size=3, stride=stride, groups=width // group_width, activation_layer=activation_layer
        )
        if se_ratio:
            # The squeeze width is measured against the block's input, not the bottleneck.
            layers["se"] = SqueezeExcitation(width, round(se_ratio * width_in), activation=activation_layer)
        layers["c"] = conv(width, width_out, kernel_size=1, activation_layer=None)
        super().__init__(layers)


class ResBottleneckBlock(nn.Module):
    """``activation(shortcut(x) + f(x))``; the shortcut is a strided 1x1 projection (``proj``) when the shape changes.

    Args:
        width_in (int): input channels.
        width_out (int): output channels.
        stride (int): stride of the block.
        norm_layer (Callable[..., nn.Module]): normalisation after each convolution.
        activation_layer (Callable[..., nn.Module]): the activation, built with ``inplace=True`` after the sum.
        group_width (int): channels per group of the 3x3 convolution.
        bottleneck_multiplier (float): bottleneck width as a fraction of ``width_out``.
        se_ratio (float, optional): SE squeeze width as a fraction of ``width_in``; no SE when None.
    """

    def __init__(
        self,
        width_in: int,
        width_out: int,
        stride: int,
        norm_layer: Callable[..., nn.Module],
        activation_layer: Callable[..., nn.Module],
        group_width: int = 1,
        bottleneck_multiplier: float = 1.0,
        se_ratio: float | None = None,
    ) -> None:
        super().__init__()
        self.proj = None
        if width_in != width_out or stride != 1:
            self.proj = Conv2dNormActivation(
                width_in, width_out, kernel_size=1, stride=stride, norm_layer=norm_layer, activation_layer=None
            )
        self.f = BottleneckTransform(
            width_in, width_out, stride, norm_layer, activation_layer, group_width, bottleneck_multiplier, se_ratio
        )
        self.activation = activation_layer(inplace=True)

    def forward(self, x: Tensor) -> Tensor:
        """Map ``x`` (Tensor[N, width_in, H, W]) to Tensor[N, width_out, H / stride, W / stride]."""
        shortcut = x if self.proj is None else self.proj(x)
        return self.activation(shortcut + self.f(x))


class AnyStage(nn.Sequential):
    """One stage: ``depth`` blocks of the same width, named ``block{stage_index}-{i}``; the first one strides.

    Args:
        width_in (int): input channels of the first block.
        width_out (int): output channels of every block.
        stride (int): stride of the first block.
        depth (int): number of blocks.
        block_constructor (Callable[..., nn.Module]): builds a block from (width_in, width_out, stride,
            norm_layer, activation_layer, group_width, bottleneck_multiplier, se_ratio).
        norm_layer (Callable[..., nn.Module]): normalisation layer.
        activation_layer (Callable[..., nn.Module]): activation layer.
        group_width (int): channels per group of the 3x3 convolutions.
        bottleneck_multiplier (float): bottleneck width as a fraction of ``width_out``.
        se_ratio (float, optional): SE squeeze ratio; no SE when None.
        stage_index (int): the stage's number in the block names.
    """

    def __init__(
        self,
        width_in: int,
        width_out: int,
        stride: int,
        depth: int,
        block_constructor: Callable[..., nn.Module],
        norm_layer: Callable[..., nn.Module],
        activation_layer: Callable[..., nn.Module],
        group_width: int,
        bottleneck_multiplier: float,
        se_ratio: float | None = None,
        stage_index: int = 0,
    ) -> None:
        super().__init__()
        shared = (norm_layer, activation_layer, group_width, bottleneck_multiplier, se_ratio)
        for i in range(depth):
            first = i == 0
            block = block_constructor(width_in if first else width_out, width_out, stride if first else 1, *shared)
            self.add_module(f"block{stage_index}-{i}", block)


class BlockParams:
    """Per-stage settings of a RegNet: each list has one entry per stage.

    Args:
        depths (list[int]): blocks per stage.
        widths (list[int]): output channels per stage.
        group_widths (list[int]): channels per group of the 3x3 convolutions.
        bottleneck_multipliers (list[float]): bottleneck width as a fraction of the stage width.
        strides (list[int]): stride of each stage's first block.
        se_ratio (float, optional): squeeze-and-excitation ratio of every block; no SE when None.
    """

    def __init__(
        self,
        depths: list[int],
        widths: list[int],
        group_widths: list[int],
        bottleneck_multipliers: list[float],
        strides: list[int],
        se_ratio: float | None = None,
    ) -> None:
        self.depths = depths
        self.widths = widths
        self.group_widths = group_widths
        self.bottleneck_multipliers = bottleneck_multipliers
        self.strides = strides
        self.se_ratio = se_ratio

    @classmethod
    def from_init_params(
        cls,
        depth: int,
        w_0: int,
        w_a: float,
        w_m: float,
        group_width: int,
        bottleneck_multiplier: float = 1.0,
        se_ratio: float | None = None,
        **kwargs: Any,
    ) -> BlockParams:
        """The stages of the RegNet design with these parameters.

        Block ``j`` gets the continuous width ``w_0 + w_a * j``, which is snapped to ``w_0 * w_m ** k`` for the
        nearest integer ``k`` and rounded to a multiple of 8; consecutive blocks of equal width form a stage,
        and every stage starts with a stride of 2. Stage and group widths are then made compatible.

        Args:
            depth (int): total number of blocks.
            w_0 (int): initial width, a positive multiple of 8.
            w_a (float): slope of the linear width rule, >= 0.
            w_m (float): width ratio between stages, > 1.
            group_width (int): channels per group of the 3x3 convolutions.
            bottleneck_multiplier (float): bottleneck width as a fraction of the stage width.
            se_ratio (float, optional): squeeze-and-excitation ratio; no SE when None.
            **kwargs: ignored (builders pass the same keyword arguments here and to :class:`RegNet`).

        Returns:
            BlockParams: the per-stage settings.

        Raises:
            ValueError: if the parameters do not describe a RegNet.
        """
        if w_a < 0 or w_0 <= 0 or w_m <= 1 or w_0 % 8 != 0:
            raise ValueError(
                "RegNet settings should have w_a >= 0, w_0 > 0 and a multiple of 8, and w_m > 1, "
                f"got w_a={w_a}, w_0={w_0}, w_m={w_m}"
            )
        block_widths = _quantized_block_widths(depth, w_0, w_a, w_m)
        stages = [(width, len(list(blocks))) for width, blocks in groupby(block_widths)]
        num_stages = len(stages)
        multipliers = [bottleneck_multiplier] * num_stages
        widths, group_widths = _fit_groups([w for w, _ in stages], multipliers, [group_width] * num_stages)
        return cls(
            depths=[d for _, d in stages],
            widths=widths,
            group_widths=group_widths,
            bottleneck_multipliers=multipliers,
            strides=[2] * num_stages,
            se_ratio=se_ratio,
        )

    def _stages(self) -> Iterator[tuple[int, int, int, int, float]]:
        """(width, stride, depth, group_width, bottleneck_multiplier) of each stage."""
        return zip(self.widths, self.strides, self.depths, self.group_widths, self.bottleneck_multipliers, strict=False)


def _quantized_block_widths(depth: int, w_0: int, w_a: float, w_m: float) -> list[int]:
    """Every block's width. The arithmetic runs in torch on the CPU (also while the default device is
    ``meta``), in the default float dtype, so the rounding agrees with torchvision's to the last bit."""
    linear = torch.arange(depth, device="cpu") * w_a + w_0
    exponent = torch.round(torch.log(linear / w_0) / math.log(w_m))
    return (torch.round(torch.divide(w_0 * torch.pow(w_m, exponent), 8)) * 8).int().tolist()


def _fit_groups(widths: list[int], multipliers: list[float], group_widths: list[int]) -> tuple[list[int], list[int]]:
    """Shrink group widths to at most the bottleneck width and round bottleneck widths to a multiple of them.

    Returns:
        tuple[list[int], list[int]]: the adjusted stage widths and group widths.
    """
    bottlenecks = [int(w * b) for w, b in zip(widths, multipliers, strict=True)]
    groups = [min(g, w) for g, w in zip(group_widths, bottlenecks, strict=True)]
    rounded = [make_divisible(w, g) for w, g in zip(bottlenecks, groups, strict=True)]
    return [int(w / b) for w, b in zip(rounded, multipliers, strict=True)], groups


class RegNet(nn.Module):
    """A RegNet: stem, stages (``trunk_output.block1``, ``block2``...), global average pooling and a linear head.

    Args:
        block_params (BlockParams): the per-stage settings.
        num_classes (int): outputs of the final linear layer.
        stem_width (int): output channels of the stem.
        stem_type (Callable[..., nn.Module], optional): builds the stem from (3, stem_width, norm_layer,
            activation); :class:`SimpleStemIN` when None.
        block_type (Callable[..., nn.Module], optional): the block; :class:`ResBottleneckBlock` when None.
        norm_layer (Callable[..., nn.Module], optional): normalisation layer; BatchNorm2d when None.
        activation (Callable[..., nn.Module], optional): activation layer; ReLU when None.

    Shape:
        input (Tensor[N, 3, H, W]) -> logits (Tensor[N, num_classes]).
    """

    def __init__(
        self,
        block_params: BlockParams,
        num_classes: int = 1000,
        stem_width: int = 32,
        stem_type: Callable[..., nn.Module] | None = None,
        block_type: Callable[..., nn.Module] | None = None,
        norm_layer: Callable[..., nn.Module] | None = None,
        activation: Callable[..., nn.Module] | None = None,
    ) -> None:
        super().__init__()
        stem_type = SimpleStemIN if stem_type is None else stem_type
        block_type = ResBottleneckBlock if block_type is None else block_type
        norm_layer = nn.BatchNorm2d if norm_layer is None else norm_layer
        activation = nn.ReLU if activation is None else activation

        self.stem = stem_type(3, stem_width, norm_layer, activation)
        stages: OrderedDict[str, nn.Module] = OrderedDict()
        width_in = stem_width
        for index, (width, stride, depth, group_width, multiplier) in enumerate(block_params._stages(), start=1):
            stages[f"block{index}"] = AnyStage(
                width_in,
                width,
                stride,
                depth,
                block_type,
                norm_layer,
                activation,
                group_width,
                multiplier,
                block_params.se_ratio,
                stage_index=index,
            )
            width_in = width
        self.trunk_output = nn.Sequential(stages)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(in_features=width_in, out_features=num_classes)
        self._init_weights()

    def _init_weights(self) -> None:
        """He-normal convolutions (fan-out), identity batch norms and a N(0, 0.01) head, as in the paper's code.

        Convolution biases (only the SE layers have them) keep PyTorch's default initialisation.
        """
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                fan_out = module.kernel_size[0] * module.kernel_size[1] * module.out_channels
                nn.init.normal_(module.weight, mean=0.0, std=math.sqrt(2.0 / fan_out))
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, mean=0.0, std=0.01)
                nn.init.zeros_(module.bias)

    def forward(self, x: Tensor) -> Tensor:
        """Classify a batch.

        Args:
            x (Tensor[N, 3, H, W]): normalised images.

        Returns:
            Tensor[N, num_classes]: logits.
        """
        x = self.trunk_output(self.stem(x))
        return self.fc(self.avgpool(x).flatten(start_dim=1))


# Design-space parameters of each published size (Radosavovic et al., 2020, appendix).
_DESIGNS: dict[str, dict[str, Any]] = {
    "regnet_y_400mf": {"depth": 16, "w_0": 48, "w_a": 27.89, "w_m": 2.09, "group_width": 8, "se_ratio": 0.25},
    "regnet_y_800mf": {"depth": 14, "w_0": 56, "w_a": 38.84, "w_m": 2.4, "group_width": 16, "se_ratio": 0.25},
    "regnet_y_1_6gf": {"depth": 27, "w_0": 48, "w_a": 20.71, "w_m": 2.65, "group_width": 24, "se_ratio": 0.25},
    "regnet_y_3_2gf": {"depth": 21, "w_0": 80, "w_a": 42.63, "w_m": 2.66, "group_width": 24, "se_ratio": 0.25},
    "regnet_y_8gf": {"depth": 17, "w_0": 192, "w_a": 76.82, "w_m": 2.19, "group_width": 56, "se_ratio": 0.25},
    "regnet_y_16gf": {"depth": 18, "w_0": 200, "w_a": 106.23, "w_m": 2.48, "group_width": 112, "se_ratio": 0.25},
    "regnet_y_32gf": {"depth": 20, "w_0": 232, "w_a": 115.89, "w_m": 2.53, "group_width": 232, "se_ratio": 0.25},
    "regnet_y_128gf": {"depth": 27, "w_0": 456, "w_a": 160.83, "w_m": 2.52, "group_width": 264, "se_ratio": 0.25},
    "regnet_x_400mf": {"depth": 22, "w_0": 24, "w_a": 24.48, "w_m": 2.54, "group_width": 16},
    "regnet_x_800mf": {"depth": 16, "w_0": 56, "w_a": 35.73, "w_m": 2.28, "group_width": 16},
    "regnet_x_1_6gf": {"depth": 18, "w_0": 80, "w_a": 34.01, "w_m": 2.25, "group_width": 24},
    "regnet_x_3_2gf": {"depth": 25, "w_0": 88, "w_a": 26.31, "w_m": 2.25, "group_width": 48},
    "regnet_x_8gf": {"depth": 23, "w_0": 80, "w_a": 49.56, "w_m": 2.88, "group_width": 120},
    "regnet_x_16gf": {"depth": 22, "w_0": 216, "w_a": 55.59, "w_m": 2.1, "group_width": 128},
    "regnet_x_32gf": {"depth": 23, "w_0": 320, "w_a": 69.86, "w_m": 2.0, "group_width": 168},
}


def _regnet(name: str, weights: WeightsEnum | None, progress: bool, kwargs: dict[str, Any]) -> RegNet:
    """Build the RegNet ``name``; like torchvision, ``kwargs`` reach both BlockParams and :class:`RegNet`."""
    params = BlockParams.from_init_params(**_DESIGNS[name], **kwargs)
    kwargs = {"norm_layer": partial(nn.BatchNorm2d, eps=1e-05, momentum=0.1), **kwargs}
    return build_model(partial(RegNet, params), weights, progress, **kwargs)


_DOCS_V1 = "These weights reproduce closely the results of the paper using a simple training recipe."
_DOCS_V2 = (
    "These weights improve upon the results of the original paper by using a modified version of TorchVision's "
    "new training recipe (https://pytorch.org/blog/how-to-train-state-of-the-art-models-using-torchvision-latest-"
    "primitives/)."
)
_SWAG = "https://github.com/facebookresearch/SWAG"
_SWAG_LICENSE = {"license": f"{_SWAG}/blob/main/LICENSE"}


def _v1(file_name: str, num_params: int, acc: tuple[float, float], ops: float, size: float, group: str) -> Weights:
    """Weights trained with the classification reference recipe of the given model ``group`` (small, medium, large)."""
    return imagenet_weights(
        file_name,
        num_params=num_params,
        acc1=acc[0],
        acc5=acc[1],
        ops=ops,
        file_size=size,
        recipe=f"{RECIPE_V1}#{group}-models",
        docs=_DOCS_V1,
        resize_size=256,
    )


def _v2(
    file_name: str, num_params: int, acc: tuple[float, float], ops: float, size: float, fixres: bool = False
) -> Weights:
    """Weights trained with torchvision's new recipe (with FixRes for the small RegNetX)."""
    return imagenet_weights(
        file_name,
        num_params=num_params,
        acc1=acc[0],
        acc5=acc[1],
        ops=ops,
        file_size=size,
        recipe=f"{RECIPE_V2}#new-recipe" + ("-with-fixres" if fixres else ""),
        docs=_DOCS_V2,
        resize_size=232,
    )


def _swag(file_name: str, num_params: int, acc: tuple[float, float], ops: float, size: float, e2e: bool) -> Weights:
    """SWAG weights (Singh et al., 2022): fine-tuned end to end at 384x384, or a linear head on the frozen trunk."""
    docs = (
        "These weights are learnt via transfer learning by end-to-end fine-tuning the original SWAG "
        "(https://arxiv.org/abs/2201.08371) weights on ImageNet-1K data."
        if e2e
        else "These weights are composed of the original frozen SWAG (https://arxiv.org/abs/2201.08371) trunk "
        "weights and a linear classifier learnt on top of them trained on ImageNet-1K data."
    )
    side = 384 if e2e else 224
    return imagenet_weights(
        file_name,
        num_params=num_params,
        acc1=acc[0],
        acc5=acc[1],
        ops=ops,
        file_size=size,
        recipe=_SWAG if e2e else "https://github.com/pytorch/vision/pull/5793",
        docs=docs,
        resize_size=side,
        crop_size=side,
        interpolation=InterpolationMode.BICUBIC,
        extra_meta=_SWAG_LICENSE,
    )


class RegNet_Y_400MF_Weights(WeightsEnum):
    """Weights for :func:`regnet_y_400mf`."""

    IMAGENET1K_V1 = _v1("regnet_y_400mf-c65dace8.pth", 4344144, (74.046, 91.716), 0.402, 16.806, "small")
    IMAGENET1K_V2 = _v2("regnet_y_400mf-e6988f5f.pth", 4344144, (75.804, 92.742), 0.402, 16.806)
    DEFAULT = IMAGENET1K_V2


class RegNet_Y_800MF_Weights(WeightsEnum):
    """Weights for :func:`regnet_y_800mf`."""

    IMAGENET1K_V1 = _v1("regnet_y_800mf-1b27b58c.pth", 6432512, (76.42, 93.136), 0.834, 24.774, "small")
    IMAGENET1K_V2 = _v2("regnet_y_800mf-58fc7688.pth", 6432512, (78.828, 94.502), 0.834, 24.774)
    DEFAULT = IMAGENET1K_V2


class RegNet_Y_1_6GF_Weights(WeightsEnum):
    """Weights for :func:`regnet_y_1_6gf`."""

    IMAGENET1K_V1 = _v1("regnet_y_1_6gf-b11a554e.pth", 11202430, (77.95, 93.966), 1.612, 43.152, "small")
    IMAGENET1K_V2 = _v2("regnet_y_1_6gf-0d7bc02a.pth", 11202430, (80.876, 95.444), 1.612, 43.152)
    DEFAULT = IMAGENET1K_V2


class RegNet_Y_3_2GF_Weights(WeightsEnum):
    """Weights for :func:`regnet_y_3_2gf`."""

    IMAGENET1K_V1 = _v1("regnet_y_3_2gf-b5a9779c.pth", 19436338, (78.948, 94.576), 3.176, 74.567, "medium")
    IMAGENET1K_V2 = _v2("regnet_y_3_2gf-9180c971.pth", 19436338, (81.982, 95.972), 3.176, 74.567)
    DEFAULT = IMAGENET1K_V2


class RegNet_Y_8GF_Weights(WeightsEnum):
    """Weights for :func:`regnet_y_8gf`."""

    IMAGENET1K_V1 = _v1("regnet_y_8gf-d0d0e4a8.pth", 39381472, (80.032, 95.048), 8.473, 150.701, "medium")
    IMAGENET1K_V2 = _v2("regnet_y_8gf-dc2b1b54.pth", 39381472, (82.828, 96.33), 8.473, 150.701)
    DEFAULT = IMAGENET1K_V2


class RegNet_Y_16GF_Weights(WeightsEnum):
    """Weights for :func:`regnet_y_16gf`."""

    IMAGENET1K_V1 = _v1("regnet_y_16gf-9e6ed7dd.pth", 83590140, (80.424, 95.24), 15.912, 319.49, "large")
    IMAGENET1K_V2 = _v2("regnet_y_16gf-3e4a00f9.pth", 83590140, (82.886, 96.328), 15.912, 319.49)
    IMAGENET1K_SWAG_E2E_V1 = _swag(
        "regnet_y_16gf_swag-43afe44d.pth", 83590140, (86.012, 98.054), 46.735, 319.49, e2e=True
    )
    IMAGENET1K_SWAG_LINEAR_V1 = _swag(
        "regnet_y_16gf_lc_swag-f3ec0043.pth", 83590140, (83.976, 97.244), 15.912, 319.49, e2e=False
    )
    DEFAULT = IMAGENET1K_V2


class RegNet_Y_32GF_Weights(WeightsEnum):
    """Weights for :func:`regnet_y_32gf`."""

    IMAGENET1K_V1 = _v1("regnet_y_32gf-4dee3f7a.pth", 145046770, (80.878, 95.34), 32.28, 554.076, "large")
    IMAGENET1K_V2 = _v2("regnet_y_32gf-8db6d4b5.pth", 145046770, (83.368, 96.498), 32.28, 554.076)
    IMAGENET1K_SWAG_E2E_V1 = _swag(
        "regnet_y_32gf_swag-04fdfa75.pth", 145046770, (86.838, 98.362), 94.826, 554.076, e2e=True
    )
    IMAGENET1K_SWAG_LINEAR_V1 = _swag(
        "regnet_y_32gf_lc_swag-e1583746.pth", 145046770, (84.622, 97.48), 32.28, 554.076, e2e=False
    )
    DEFAULT = IMAGENET1K_V2


class RegNet_Y_128GF_Weights(WeightsEnum):
    """Weights for :func:`regnet_y_128gf`: only SWAG ones were published."""

    IMAGENET1K_SWAG_E2E_V1 = _swag(
        "regnet_y_128gf_swag-c8ce3e52.pth", 644812894, (88.228, 98.682), 374.57, 2461.564, e2e=True
    )
    IMAGENET1K_SWAG_LINEAR_V1 = _swag(
        "regnet_y_128gf_lc_swag-cbe8ce12.pth", 644812894, (86.068, 97.844), 127.518, 2461.564, e2e=False
    )
    DEFAULT = IMAGENET1K_SWAG_E2E_V1


class RegNet_X_400MF_Weights(WeightsEnum):
    """Weights for :func:`regnet_x_400mf`."""

    IMAGENET1K_V1 = _v1("regnet_x_400mf-adf1edd5.pth", 5495976, (72.834, 90.95), 0.414, 21.258, "small")
    IMAGENET1K_V2 = _v2("regnet_x_400mf-62229a5f.pth", 5495976, (74.864, 92.322), 0.414, 21.257, fixres=True)
    DEFAULT = IMAGENET1K_V2


class RegNet_X_800MF_Weights(WeightsEnum):
    """Weights for :func:`regnet_x_800mf`."""

    IMAGENET1K_V1 = _v1("regnet_x_800mf-ad17e45c.pth", 7259656, (75.212, 92.348), 0.8, 27.945, "small")
    IMAGENET1K_V2 = _v2("regnet_x_800mf-94a99ebd.pth", 7259656, (77.522, 93.826), 0.8, 27.945, fixres=True)
    DEFAULT = IMAGENET1K_V2


class RegNet_X_1_6GF_Weights(WeightsEnum):
    """Weights for :func:`regnet_x_1_6gf`."""

    IMAGENET1K_V1 = _v1("regnet_x_1_6gf-e3633e7f.pth", 9190136, (77.04, 93.44), 1.603, 35.339, "small")
    IMAGENET1K_V2 = _v2("regnet_x_1_6gf-a12f2b72.pth", 9190136, (79.668, 94.922), 1.603, 35.339, fixres=True)
    DEFAULT = IMAGENET1K_V2


class RegNet_X_3_2GF_Weights(WeightsEnum):
    """Weights for :func:`regnet_x_3_2gf`."""

    IMAGENET1K_V1 = _v1("regnet_x_3_2gf-f342aeae.pth", 15296552, (78.364, 93.992), 3.177, 58.756, "medium")
    IMAGENET1K_V2 = _v2("regnet_x_3_2gf-7071aa85.pth", 15296552, (81.196, 95.43), 3.177, 58.756)
    DEFAULT = IMAGENET1K_V2


class RegNet_X_8GF_Weights(WeightsEnum):
    """Weights for :func:`regnet_x_8gf`."""

    IMAGENET1K_V1 = _v1("regnet_x_8gf-03ceed89.pth", 39572648, (79.344, 94.686), 7.995, 151.456, "medium")
    IMAGENET1K_V2 = _v2("regnet_x_8gf-2b70d774.pth", 39572648, (81.682, 95.678), 7.995, 151.456)
    DEFAULT = IMAGENET1K_V2


class RegNet_X_16GF_Weights(WeightsEnum):
    """Weights for :func:`regnet_x_16gf`."""

    IMAGENET1K_V1 = _v1("regnet_x_16gf-2007eb11.pth", 54278536, (80.058, 94.944), 15.941, 207.627, "medium")
    IMAGENET1K_V2 = _v2("regnet_x_16gf-ba3796d7.pth", 54278536, (82.716, 96.196), 15.941, 207.627)
    DEFAULT = IMAGENET1K_V2


class RegNet_X_32GF_Weights(WeightsEnum):
    """Weights for :func:`regnet_x_32gf`."""

    IMAGENET1K_V1 = _v1("regnet_x_32gf-9d47f8d0.pth", 107811560, (80.622, 95.248), 31.736, 412.039, "large")
    IMAGENET1K_V2 = _v2("regnet_x_32gf-6eb8fdc6.pth", 107811560, (83.014, 96.288), 31.736, 412.039)
    DEFAULT = IMAGENET1K_V2


@register_model(weights=RegNet_Y_400MF_Weights)
def regnet_y_400mf(
    *, weights: RegNet_Y_400MF_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> RegNet:
    """RegNetY-400MF (Radosavovic et al., 2020): about 0.4 GFLOPs, with squeeze-and-excitation.

    Args:
        weights (RegNet_Y_400MF_Weights | str, optional): pretrained weights to load, or None for random ones.
        progress (bool): show a download progress bar.
        **kwargs: arguments of :class:`RegNet` (num_classes, stem_width, norm_layer, activation...).

    Returns:
        RegNet: the model.
    """
    return _regnet("regnet_y_400mf", weights, progress, kwargs)


@register_model(weights=RegNet_Y_800MF_Weights)
def regnet_y_800mf(
    *, weights: RegNet_Y_800MF_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> RegNet:
    """RegNetY-800MF (Radosavovic et al., 2020). Arguments as in :func:`regnet_y_400mf`."""
    return _regnet("regnet_y_800mf", weights, progress, kwargs)


@register_model(weights=RegNet_Y_1_6GF_Weights)
def regnet_y_1_6gf(
    *, weights: RegNet_Y_1_6GF_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> RegNet:
    """RegNetY-1.6GF (Radosavovic et al., 2020). Arguments as in :func:`regnet_y_400mf`."""
    return _regnet("regnet_y_1_6gf", weights, progress, kwargs)


@register_model(weights=RegNet_Y_3_2GF_Weights)
def regnet_y_3_2gf(
    *, weights: RegNet_Y_3_2GF_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> RegNet:
    """RegNetY-3.2GF (Radosavovic et al., 2020). Arguments as in :func:`regnet_y_400mf`."""
    return _regnet("regnet_y_3_2gf", weights, progress, kwargs)


@register_model(weights=RegNet_Y_8GF_Weights)
def regnet_y_8gf(*, weights: RegNet_Y_8GF_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> RegNet:
    """RegNetY-8GF (Radosavovic et al., 2020). Arguments as in :func:`regnet_y_400mf`."""
    return _regnet("regnet_y_8gf", weights, progress, kwargs)


@register_model(weights=RegNet_Y_16GF_Weights)
def regnet_y_16gf(
    *, weights: RegNet_Y_16GF_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> RegNet:
    """RegNetY-16GF (Radosavovic et al., 2020). Arguments as in :func:`regnet_y_400mf`."""
    return _regnet("regnet_y_16gf", weights, progress, kwargs)


@register_model(weights=RegNet_Y_32GF_Weights)
def regnet_y_32gf(
    *, weights: RegNet_Y_32GF_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> RegNet:
    """RegNetY-32GF (Radosavovic et al., 2020). Arguments as in :func:`regnet_y_400mf`."""
    return _regnet("regnet_y_32gf", weights, progress, kwargs)


@register_model(weights=RegNet_Y_128GF_Weights)
def regnet_y_128gf(
    *, weights: RegNet_Y_128GF_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> RegNet:
    """RegNetY-128GF (Radosavovic et al., 2020; 645M parameters). Arguments as in :func:`regnet_y_400mf`."""
    return _regnet("regnet_y_128gf", weights, progress, kwargs)


@register_model(weights=RegNet_X_400MF_Weights)
def regnet_x_400mf(
    *, weights: RegNet_X_400MF_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> RegNet:
    """RegNetX-400MF (Radosavovic et al., 2020): about 0.4 GFLOPs, no squeeze-and-excitation.

    Arguments as in :func:`regnet_y_400mf`.
    """
    return _regnet("regnet_x_400mf", weights, progress, kwargs)


@register_model(weights=RegNet_X_800MF_Weights)
def regnet_x_800mf(
    *, weights: RegNet_X_800MF_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> RegNet:
    """RegNetX-800MF (Radosavovic et al., 2020). Arguments as in :func:`regnet_y_400mf`."""
    return _regnet("regnet_x_800mf", weights, progress, kwargs)


@register_model(weights=RegNet_X_1_6GF_Weights)
def regnet_x_1_6gf(
    *, weights: RegNet_X_1_6GF_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> RegNet:
    """RegNetX-1.6GF (Radosavovic et al., 2020). Arguments as in :func:`regnet_y_400mf`."""
    return _regnet("regnet_x_1_6gf", weights, progress, kwargs)


@register_model(weights=RegNet_X_3_2GF_Weights)
def regnet_x_3_2gf(
    *, weights: RegNet_X_3_2GF_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> RegNet:
    """RegNetX-3.2GF (Radosavovic et al., 2020). Arguments as in :func:`regnet_y_400mf`."""
    return _regnet("regnet_x_3_2gf", weights, progress, kwargs)


@register_model(weights=RegNet_X_8GF_Weights)
def regnet_x_8gf(*, weights: RegNet_X_8GF_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> RegNet:
    """RegNetX-8GF (Radosavovic et al., 2020). Arguments as in :func:`regnet_y_400mf`."""
    return _regnet("regnet_x_8gf", weights, progress, kwargs)


@register_model(weights=RegNet_X_16GF_Weights)
def regnet_x_16gf(
    *, weights: RegNet_X_16GF_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> RegNet:
    """RegNetX-16GF (Radosavovic et al., 2020). Arguments as in :func:`regnet_y_400mf`."""
    return _regnet("regnet_x_16gf", weights, progress, kwargs)


@register_model(weights=RegNet_X_32GF_Weights)
def regnet_x_32gf(
    *, weights: RegNet_X_32GF_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> RegNet:
    """RegNetX-32GF (Radosavovic et al., 2020). Arguments as in :func:`regnet_y_400mf`."""
    return _regnet("regnet_x_32gf", weights, progress, kwargs)
