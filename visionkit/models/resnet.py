"""ResNet, ResNeXt and Wide ResNet (He et al., 2016; Xie et al., 2017; Zagoruyko & Komodakis, 2016)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import torch
from torch import Tensor, nn

from ._api import WeightsEnum, build_model, fix_param, register_model
from ._meta import DOCS_V1, DOCS_V2, RECIPE_V1, RECIPE_V2, imagenet_weights
from ._utils import init_weights_

__all__ = [
    "BasicBlock",
    "Bottleneck",
    "ResNeXt50_32X4D_Weights",
    "ResNeXt101_32X8D_Weights",
    "ResNeXt101_64X4D_Weights",
    "ResNet",
    "ResNet18_Weights",
    "ResNet34_Weights",
    "ResNet50_Weights",
    "ResNet101_Weights",
    "ResNet152_Weights",
    "Wide_ResNet50_2_Weights",
    "Wide_ResNet101_2_Weights",
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
    "resnext50_32x4d",
    "resnext101_32x8d",
    "resnext101_64x4d",
    "wide_resnet50_2",
    "wide_resnet101_2",
]


def _conv3x3(in_planes: int, out_planes: int, stride: int = 1, groups: int = 1, dilation: int = 1) -> nn.Conv2d:
    return nn.Conv2d(
        in_planes, out_planes, 3, stride=stride, padding=dilation, groups=groups, dilation=dilation, bias=False
    )


def _conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_planes, out_planes, 1, stride=stride, bias=False)


def _add_residual(out: Tensor, x: Tensor, downsample: nn.Module | None) -> Tensor:
    """Add the block's input ``x``, through ``downsample`` when given, to ``out`` in place and return ``out``.

    The shortcut runs after the main branch and the sum reuses ``out``'s memory, so a forward pass allocates
    and computes exactly what torchvision's does (a fresh buffer per sum costs ~5% of ResNet-50's time).

    Args:
        out (Tensor[N, C, H, W]): the main branch's output, overwritten with the sum.
        x (Tensor[N, C_in, H_in, W_in]): the block's input.
        downsample (nn.Module, optional): maps ``x`` to ``out``'s shape; None when the shapes already match.
    """
    out += x if downsample is None else downsample(x)
    return out


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with a residual connection (ResNet-18 and -34).

    Args:
        inplanes (int): input channels.
        planes (int): output channels.
        stride (int): stride of the first convolution.
        downsample (nn.Module, optional): maps the input to the output's shape for the residual.
        groups (int): must be 1.
        base_width (int): must be 64.
        dilation (int): must be 1.
        norm_layer (Callable[..., nn.Module], optional): normalisation after each convolution; BatchNorm2d when None.
    """

    expansion = 1

    def __init__(
        self,
        inplanes: int,
        planes: int,
        stride: int = 1,
        downsample: nn.Module | None = None,
        groups: int = 1,
        base_width: int = 64,
        dilation: int = 1,
        norm_layer: Callable[..., nn.Module] | None = None,
    ) -> None:
        super().__init__()
        if groups != 1 or base_width != 64:
            raise ValueError(f"BasicBlock only supports groups=1 and base_width=64, got {groups} and {base_width}")
        if dilation > 1:
            raise NotImplementedError(f"BasicBlock does not support dilation > 1, got {dilation}")
        norm_layer = nn.BatchNorm2d if norm_layer is None else norm_layer
        self.conv1 = _conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = _conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    @property
    def last_norm(self) -> nn.Module:
        """The norm right before the residual sum; ``zero_init_residual`` zeroes its weight."""
        return self.bn2

    def forward(self, x: Tensor) -> Tensor:
        """Apply the block to ``x`` (Tensor[N, inplanes, H, W]), giving Tensor[N, planes, H / s, W / s] for stride s."""
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(_add_residual(out, x, self.downsample))


class Bottleneck(nn.Module):
    """1x1 reduce, 3x3 (grouped, strided, dilated) and 1x1 expand convolutions with a residual connection.

    The stride sits on the 3x3 convolution (ResNet v1.5), as in torchvision's weights.

    Args:
        inplanes (int): input channels.
        planes (int): bottleneck channels before widening; the block outputs ``planes * 4`` channels.
        stride (int): stride of the 3x3 convolution.
        downsample (nn.Module, optional): maps the input to the output's shape for the residual.
        groups (int): groups of the 3x3 convolution (ResNeXt's cardinality).
        base_width (int): channels per group at ``planes == 64``; the 3x3 width is
            ``int(planes * base_width / 64) * groups``.
        dilation (int): dilation of the 3x3 convolution.
        norm_layer (Callable[..., nn.Module], optional): normalisation after each convolution; BatchNorm2d when None.
    """

    expansion = 4

    def __init__(
        self,
        inplanes: int,
        planes: int,
        stride: int = 1,
        downsample: nn.Module | None = None,
        groups: int = 1,
        base_width: int = 64,
        dilation: int = 1,
        norm_layer: Callable[..., nn.Module] | None = None,
    ) -> None:
        super().__init__()
        norm_layer = nn.BatchNorm2d if norm_layer is None else norm_layer
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = _conv1x1(inplanes, width)
        self.bn1 = norm_layer(width)
        self.conv2 = _conv3x3(width, width, stride, groups, dilation)
        self.bn2 = norm_layer(width)
        self.conv3 = _conv1x1(width, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    @property
    def last_norm(self) -> nn.Module:
        """The norm right before the residual sum; ``zero_init_residual`` zeroes its weight."""
        return self.bn3

    def forward(self, x: Tensor) -> Tensor:
        """Map ``x`` (Tensor[N, inplanes, H, W]) to Tensor[N, 4 * planes, H / s, W / s] for stride s."""
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(_add_residual(out, x, self.downsample))


class ResNet(nn.Module):
    """A residual network: a 7x7 stem, four stages of residual blocks, global average pooling and a linear head.

    Args:
        block (type[BasicBlock | Bottleneck]): the residual block of every stage.
        layers (Sequence[int]): number of blocks in each of the four stages.
        num_classes (int): outputs of the final linear layer.
        zero_init_residual (bool): start the last norm of every block at zero, so each block begins as the
            identity (Goyal et al., 2017).
        groups (int): groups of the 3x3 convolutions in bottlenecks (ResNeXt).
        width_per_group (int): channels per group in the first stage's 3x3 convolutions.
        replace_stride_with_dilation (Sequence[bool], optional): for stages 2, 3 and 4, whether to dilate
            instead of striding, keeping the resolution (for dense prediction).
        norm_layer (Callable[..., nn.Module], optional): normalisation layer; BatchNorm2d when None.

    Shape:
        input (Tensor[N, 3, H, W]) -> logits (Tensor[N, num_classes]).
    """

    def __init__(
        self,
        block: type[BasicBlock | Bottleneck],
        layers: Sequence[int],
        num_classes: int = 1000,
        zero_init_residual: bool = False,
        groups: int = 1,
        width_per_group: int = 64,
        replace_stride_with_dilation: Sequence[bool] | None = None,
        norm_layer: Callable[..., nn.Module] | None = None,
    ) -> None:
        super().__init__()
        if len(layers) != 4:
            raise ValueError(f"`layers` should hold the block counts of 4 stages, got {layers!r}")
        if replace_stride_with_dilation is None:
            replace_stride_with_dilation = [False, False, False]
        if len(replace_stride_with_dilation) != 3:
            raise ValueError(
                "`replace_stride_with_dilation` should be None or a 3-element sequence, "
                f"got {replace_stride_with_dilation!r}"
            )
        self._norm_layer = nn.BatchNorm2d if norm_layer is None else norm_layer
        self.inplanes = 64
        self.dilation = 1
        self.groups = groups
        self.base_width = width_per_group
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = self._norm_layer(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2, dilate=replace_stride_with_dilation[0])
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2, dilate=replace_stride_with_dilation[1])
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2, dilate=replace_stride_with_dilation[2])
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)
        init_weights_(self, linear_std=None)
        if zero_init_residual:
            self._zero_last_norms()

    def _make_layer(
        self, block: type[BasicBlock | Bottleneck], planes: int, blocks: int, stride: int = 1, dilate: bool = False
    ) -> nn.Sequential:
        """One stage: the first block changes resolution and width, the others keep them."""
        previous_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                _conv1x1(self.inplanes, planes * block.expansion, stride), self._norm_layer(planes * block.expansion)
            )
        shared = {"groups": self.groups, "base_width": self.base_width, "norm_layer": self._norm_layer}
        stage = [block(self.inplanes, planes, stride, downsample, dilation=previous_dilation, **shared)]
        self.inplanes = planes * block.expansion
        stage += [block(self.inplanes, planes, dilation=self.dilation, **shared) for _ in range(1, blocks)]
        return nn.Sequential(*stage)

    def _zero_last_norms(self) -> None:
        for module in self.modules():
            if isinstance(module, (BasicBlock, Bottleneck)) and module.last_norm.weight is not None:
                nn.init.zeros_(module.last_norm.weight)

    def forward(self, x: Tensor) -> Tensor:
        """Classify a batch.

        Args:
            x (Tensor[N, 3, H, W]): normalised images.

        Returns:
            Tensor[N, num_classes]: logits.
        """
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def _resnet(
    block: type[BasicBlock | Bottleneck],
    layers: list[int],
    weights: WeightsEnum | None,
    progress: bool,
    **kwargs: Any,
) -> ResNet:
    return build_model(partial(ResNet, block, layers), weights, progress, **kwargs)


def _resnext(
    name: str,
    layers: list[int],
    cardinality: int,
    group_width: int,
    weights: WeightsEnum | None,
    progress: bool,
    kwargs: dict[str, Any],
) -> ResNet:
    """A bottleneck ResNet whose ``groups`` and ``width_per_group`` are fixed by the architecture's name."""
    fix_param(kwargs, "groups", cardinality, f"in {name}")
    fix_param(kwargs, "width_per_group", group_width, f"in {name}")
    return _resnet(Bottleneck, layers, weights, progress, **kwargs)


_V1 = {"recipe": f"{RECIPE_V1}#resnet", "docs": DOCS_V1}
_V2 = {"recipe": f"{RECIPE_V2}#new-recipe", "docs": DOCS_V2, "resize_size": 232}
DOCS_SCRATCH = (
    "These weights were trained from scratch by using TorchVision's new training recipe "
    "(https://pytorch.org/blog/how-to-train-state-of-the-art-models-using-torchvision-latest-primitives/)."
)


class ResNet18_Weights(WeightsEnum):
    """Weights for :func:`resnet18`."""

    IMAGENET1K_V1 = imagenet_weights(
        "resnet18-f37072fd.pth", num_params=11689512, acc1=69.758, acc5=89.078, ops=1.814, file_size=44.661, **_V1
    )
    DEFAULT = IMAGENET1K_V1


class ResNet34_Weights(WeightsEnum):
    """Weights for :func:`resnet34`."""

    IMAGENET1K_V1 = imagenet_weights(
        "resnet34-b627a593.pth", num_params=21797672, acc1=73.314, acc5=91.42, ops=3.664, file_size=83.275, **_V1
    )
    DEFAULT = IMAGENET1K_V1


class ResNet50_Weights(WeightsEnum):
    """Weights for :func:`resnet50`."""

    IMAGENET1K_V1 = imagenet_weights(
        "resnet50-0676ba61.pth", num_params=25557032, acc1=76.13, acc5=92.862, ops=4.089, file_size=97.781, **_V1
    )
    IMAGENET1K_V2 = imagenet_weights(
        "resnet50-11ad3fa6.pth",
        num_params=25557032,
        acc1=80.858,
        acc5=95.434,
        ops=4.089,
        file_size=97.79,
        **{**_V2, "recipe": f"{RECIPE_V2}#issuecomment-1013906621"},
    )
    DEFAULT = IMAGENET1K_V2


class ResNet101_Weights(WeightsEnum):
    """Weights for :func:`resnet101`."""

    IMAGENET1K_V1 = imagenet_weights(
        "resnet101-63fe2227.pth", num_params=44549160, acc1=77.374, acc5=93.546, ops=7.801, file_size=170.511, **_V1
    )
    IMAGENET1K_V2 = imagenet_weights(
        "resnet101-cd907fc2.pth", num_params=44549160, acc1=81.886, acc5=95.78, ops=7.801, file_size=170.53, **_V2
    )
    DEFAULT = IMAGENET1K_V2


class ResNet152_Weights(WeightsEnum):
    """Weights for :func:`resnet152`."""

    IMAGENET1K_V1 = imagenet_weights(
        "resnet152-394f9c45.pth", num_params=60192808, acc1=78.312, acc5=94.046, ops=11.514, file_size=230.434, **_V1
    )
    IMAGENET1K_V2 = imagenet_weights(
        "resnet152-f82ba261.pth", num_params=60192808, acc1=82.284, acc5=96.002, ops=11.514, file_size=230.474, **_V2
    )
    DEFAULT = IMAGENET1K_V2


class ResNeXt50_32X4D_Weights(WeightsEnum):
    """Weights for :func:`resnext50_32x4d`."""

    IMAGENET1K_V1 = imagenet_weights(
        "resnext50_32x4d-7cdf4587.pth",
        num_params=25028904,
        acc1=77.618,
        acc5=93.698,
        ops=4.23,
        file_size=95.789,
        **{**_V1, "recipe": f"{RECIPE_V1}#resnext"},
    )
    IMAGENET1K_V2 = imagenet_weights(
        "resnext50_32x4d-1a0047aa.pth", num_params=25028904, acc1=81.198, acc5=95.34, ops=4.23, file_size=95.833, **_V2
    )
    DEFAULT = IMAGENET1K_V2


class ResNeXt101_32X8D_Weights(WeightsEnum):
    """Weights for :func:`resnext101_32x8d`."""

    IMAGENET1K_V1 = imagenet_weights(
        "resnext101_32x8d-8ba56ff5.pth",
        num_params=88791336,
        acc1=79.312,
        acc5=94.526,
        ops=16.414,
        file_size=339.586,
        **{**_V1, "recipe": f"{RECIPE_V1}#resnext"},
    )
    IMAGENET1K_V2 = imagenet_weights(
        "resnext101_32x8d-110c445d.pth",
        num_params=88791336,
        acc1=82.834,
        acc5=96.228,
        ops=16.414,
        file_size=339.673,
        **{**_V2, "recipe": f"{RECIPE_V2}#new-recipe-with-fixres"},
    )
    DEFAULT = IMAGENET1K_V2


class ResNeXt101_64X4D_Weights(WeightsEnum):
    """Weights for :func:`resnext101_64x4d`."""

    IMAGENET1K_V1 = imagenet_weights(
        "resnext101_64x4d-173b62eb.pth",
        num_params=83455272,
        acc1=83.246,
        acc5=96.454,
        ops=15.46,
        file_size=319.318,
        recipe="https://github.com/pytorch/vision/pull/5935",
        docs=DOCS_SCRATCH,
        resize_size=232,
    )
    DEFAULT = IMAGENET1K_V1


class Wide_ResNet50_2_Weights(WeightsEnum):
    """Weights for :func:`wide_resnet50_2`."""

    IMAGENET1K_V1 = imagenet_weights(
        "wide_resnet50_2-95faca4d.pth",
        num_params=68883240,
        acc1=78.468,
        acc5=94.086,
        ops=11.398,
        file_size=131.82,
        **{**_V1, "recipe": "https://github.com/pytorch/vision/pull/912#issue-445437439"},
    )
    IMAGENET1K_V2 = imagenet_weights(
        "wide_resnet50_2-9ba9bcbe.pth",
        num_params=68883240,
        acc1=81.602,
        acc5=95.758,
        ops=11.398,
        file_size=263.124,
        **{**_V2, "recipe": f"{RECIPE_V2}#new-recipe-with-fixres"},
    )
    DEFAULT = IMAGENET1K_V2


class Wide_ResNet101_2_Weights(WeightsEnum):
    """Weights for :func:`wide_resnet101_2`."""

    IMAGENET1K_V1 = imagenet_weights(
        "wide_resnet101_2-32ee1156.pth",
        num_params=126886696,
        acc1=78.848,
        acc5=94.284,
        ops=22.753,
        file_size=242.896,
        **{**_V1, "recipe": "https://github.com/pytorch/vision/pull/912#issue-445437439"},
    )
    IMAGENET1K_V2 = imagenet_weights(
        "wide_resnet101_2-d733dc28.pth",
        num_params=126886696,
        acc1=82.51,
        acc5=96.02,
        ops=22.753,
        file_size=484.747,
        **_V2,
    )
    DEFAULT = IMAGENET1K_V2


@register_model(weights=ResNet18_Weights)
def resnet18(*, weights: ResNet18_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> ResNet:
    """ResNet-18 (He et al., 2016).

    Args:
        weights (ResNet18_Weights | str, optional): pretrained weights to load, or None for random ones.
        progress (bool): show a download progress bar.
        **kwargs: arguments of :class:`ResNet` (num_classes, zero_init_residual, norm_layer...).
    """
    return _resnet(BasicBlock, [2, 2, 2, 2], weights, progress, **kwargs)


@register_model(weights=ResNet34_Weights)
def resnet34(*, weights: ResNet34_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> ResNet:
    """ResNet-34 (He et al., 2016). Arguments as in :func:`resnet18`."""
    return _resnet(BasicBlock, [3, 4, 6, 3], weights, progress, **kwargs)


@register_model(weights=ResNet50_Weights)
def resnet50(*, weights: ResNet50_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> ResNet:
    """ResNet-50 v1.5 (He et al., 2016; stride on the 3x3 convolution). Arguments as in :func:`resnet18`."""
    return _resnet(Bottleneck, [3, 4, 6, 3], weights, progress, **kwargs)


@register_model(weights=ResNet101_Weights)
def resnet101(*, weights: ResNet101_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> ResNet:
    """ResNet-101 v1.5 (He et al., 2016). Arguments as in :func:`resnet18`."""
    return _resnet(Bottleneck, [3, 4, 23, 3], weights, progress, **kwargs)


@register_model(weights=ResNet152_Weights)
def resnet152(*, weights: ResNet152_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> ResNet:
    """ResNet-152 v1.5 (He et al., 2016). Arguments as in :func:`resnet18`."""
    return _resnet(Bottleneck, [3, 8, 36, 3], weights, progress, **kwargs)


@register_model(weights=ResNeXt50_32X4D_Weights)
def resnext50_32x4d(
    *, weights: ResNeXt50_32X4D_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> ResNet:
    """ResNeXt-50 32x4d (Xie et al., 2017): 32 groups of width 4. Arguments as in :func:`resnet18`."""
    return _resnext("resnext50_32x4d", [3, 4, 6, 3], 32, 4, weights, progress, kwargs)


@register_model(weights=ResNeXt101_32X8D_Weights)
def resnext101_32x8d(
    *, weights: ResNeXt101_32X8D_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> ResNet:
    """ResNeXt-101 32x8d (Xie et al., 2017): 32 groups of width 8. Arguments as in :func:`resnet18`."""
    return _resnext("resnext101_32x8d", [3, 4, 23, 3], 32, 8, weights, progress, kwargs)


@register_model(weights=ResNeXt101_64X4D_Weights)
def resnext101_64x4d(
    *, weights: ResNeXt101_64X4D_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> ResNet:
    """ResNeXt-101 64x4d (Xie et al., 2017): 64 groups of width 4. Arguments as in :func:`resnet18`."""
    return _resnext("resnext101_64x4d", [3, 4, 23, 3], 64, 4, weights, progress, kwargs)


@register_model(weights=Wide_ResNet50_2_Weights)
def wide_resnet50_2(
    *, weights: Wide_ResNet50_2_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> ResNet:
    """Wide ResNet-50-2 (Zagoruyko & Komodakis, 2016): bottlenecks twice as wide. Arguments as in :func:`resnet18`."""
    fix_param(kwargs, "width_per_group", 128, "in wide_resnet50_2")
    return _resnet(Bottleneck, [3, 4, 6, 3], weights, progress, **kwargs)


@register_model(weights=Wide_ResNet101_2_Weights)
def wide_resnet101_2(
    *, weights: Wide_ResNet101_2_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> ResNet:
    """Wide ResNet-101-2 (Zagoruyko & Komodakis, 2016): bottlenecks twice as wide. Arguments as in :func:`resnet18`."""
    fix_param(kwargs, "width_per_group", 128, "in wide_resnet101_2")
    return _resnet(Bottleneck, [3, 4, 23, 3], weights, progress, **kwargs)
