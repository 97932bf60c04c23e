"""ShuffleNet V2 (Ma et al., 2018): channel split, two cheap branches and a channel shuffle in every unit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import torch
from torch import Tensor, nn

from ._api import WeightsEnum, build_model, register_model
from ._meta import imagenet_weights

__all__ = [
    "ShuffleNetV2",
    "ShuffleNet_V2_X0_5_Weights",
    "ShuffleNet_V2_X1_0_Weights",
    "ShuffleNet_V2_X1_5_Weights",
    "ShuffleNet_V2_X2_0_Weights",
    "shufflenet_v2_x0_5",
    "shufflenet_v2_x1_0",
    "shufflenet_v2_x1_5",
    "shufflenet_v2_x2_0",
]


def channel_shuffle(x: Tensor, groups: int) -> Tensor:
    """Interleave the channels of ``groups`` equal groups, so the next unit mixes information across them.

    Args:
        x (Tensor[N, C, H, W]): features; ``C`` must be a multiple of ``groups``.
        groups (int): number of channel groups.

    Returns:
        Tensor[N, C, H, W]: the channels reordered from (group, index) to (index, group) order.
    """
    batch, channels, height, width = x.size()
    grouped = x.view(batch, groups, channels // groups, height, width)
    return torch.transpose(grouped, 1, 2).contiguous().view(batch, channels, height, width)


def _pointwise_bn_relu(in_channels: int, out_channels: int) -> list[nn.Module]:
    return [
        nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=1, padding=0, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    ]


class InvertedResidual(nn.Module):
    """A ShuffleNet V2 unit.

    With stride 1 the input is split in two halves: one passes unchanged, the other goes through
    1x1 -> 3x3 depthwise -> 1x1. With a larger stride both branches see the whole input and downsample it.
    The halves are concatenated and their channels shuffled.

    Args:
        inp (int): input channels.
        oup (int): output channels (each branch gives ``oup // 2``).
        stride (int): stride of the depthwise convolutions, in [1, 3].

    Raises:
        ValueError: if ``stride`` is outside [1, 3], or ``stride`` is 1 and ``inp`` is not ``2 * (oup // 2)``.
    """

    def __init__(self, inp: int, oup: int, stride: int) -> None:
        super().__init__()
        if not 1 <= stride <= 3:
            raise ValueError(f"`stride` should be in [1, 3], got {stride}")
        half = oup // 2
        if stride == 1 and inp != half << 1:
            raise ValueError(
                f"with stride 1, `inp` should be 2 * (oup // 2) = {half << 1} so the split halves match, "
                f"got inp={inp} and oup={oup}"
            )
        self.stride = stride
        if stride > 1:
            self.branch1 = nn.Sequential(*self._depthwise_bn(inp, stride), *_pointwise_bn_relu(inp, half))
        else:
            self.branch1 = nn.Sequential()
        self.branch2 = nn.Sequential(
            *_pointwise_bn_relu(inp if stride > 1 else half, half),
            *self._depthwise_bn(half, stride),
            *_pointwise_bn_relu(half, half),
        )

    @staticmethod
    def depthwise_conv(
        i: int, o: int, kernel_size: int, stride: int = 1, padding: int = 0, bias: bool = False
    ) -> nn.Conv2d:
        """A convolution with one group per input channel (``groups=i``)."""
        return nn.Conv2d(i, o, kernel_size, stride, padding, bias=bias, groups=i)

    def _depthwise_bn(self, channels: int, stride: int) -> list[nn.Module]:
        """A 3x3 depthwise convolution and its batch norm (no activation, as in the paper)."""
        return [
            self.depthwise_conv(channels, channels, kernel_size=3, stride=stride, padding=1),
            nn.BatchNorm2d(channels),
        ]

    def forward(self, x: Tensor) -> Tensor:
        """Map ``x`` (Tensor[N, inp, H, W]) to Tensor[N, oup, H / stride, W / stride]."""
        if self.stride == 1:
            kept, transformed = x.chunk(2, dim=1)
            out = torch.cat((kept, self.branch2(transformed)), dim=1)
        else:
            out = torch.cat((self.branch1(x), self.branch2(x)), dim=1)
        return channel_shuffle(out, 2)


class ShuffleNetV2(nn.Module):
    """ShuffleNet V2 classifier: a strided 3x3 stem and max-pool, three stages of units, a 1x1 convolution,
    global average pooling and a linear head.

    Layers keep PyTorch's default initialisation, as in torchvision.

    Args:
        stages_repeats (Sequence[int]): units in stages 2, 3 and 4.
        stages_out_channels (Sequence[int]): output channels of the stem, of the three stages and of the
            final 1x1 convolution.
        num_classes (int): outputs of the final linear layer.
        inverted_residual (Callable[..., nn.Module]): the unit, built as ``unit(in, out, stride)``.

    Raises:
        ValueError: if ``stages_repeats`` does not have 3 entries or ``stages_out_channels`` 5.

    Shape:
        input (Tensor[N, 3, H, W]) -> logits (Tensor[N, num_classes]).
    """

    def __init__(
        self,
        stages_repeats: Sequence[int],
        stages_out_channels: Sequence[int],
        num_classes: int = 1000,
        inverted_residual: Callable[..., nn.Module] = InvertedResidual,
    ) -> None:
        super().__init__()
        if len(stages_repeats) != 3:
            raise ValueError(f"`stages_repeats` should hold 3 positive ints, got {stages_repeats!r}")
        if len(stages_out_channels) != 5:
            raise ValueError(f"`stages_out_channels` should hold 5 positive ints, got {stages_out_channels!r}")
        self._stage_out_channels = stages_out_channels
        stem = stages_out_channels[0]
        self.conv1 = nn.Sequential(nn.Conv2d(3, stem, 3, 2, 1, bias=False), nn.BatchNorm2d(stem), nn.ReLU(inplace=True))
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.stage2: nn.Sequential
        self.stage3: nn.Sequential
        self.stage4: nn.Sequential
        width = stem
        for index, (repeats, out) in enumerate(zip(stages_repeats, stages_out_channels[1:4], strict=True), start=2):
            units = [inverted_residual(width, out, 2)] + [inverted_residual(out, out, 1) for _ in range(repeats - 1)]
            setattr(self, f"stage{index}", nn.Sequential(*units))
            width = out
        last = stages_out_channels[-1]
        self.conv5 = nn.Sequential(
            nn.Conv2d(width, last, 1, 1, 0, bias=False), nn.BatchNorm2d(last), nn.ReLU(inplace=True)
        )
        self.fc = nn.Linear(last, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        """Classify a batch.

        Args:
            x (Tensor[N, 3, H, W]): normalised images.

        Returns:
            Tensor[N, num_classes]: logits.
        """
        x = self.maxpool(self.conv1(x))
        x = self.conv5(self.stage4(self.stage3(self.stage2(x))))
        return self.fc(x.mean([2, 3]))


def _shufflenetv2(
    repeats: list[int], channels: list[int], weights: WeightsEnum | None, progress: bool, **kwargs: Any
) -> ShuffleNetV2:
    return build_model(partial(ShuffleNetV2, repeats, channels), weights, progress, **kwargs)


_PORTED = {
    "recipe": "https://github.com/ericsun99/Shufflenet-v2-Pytorch",
    "docs": "These weights were trained from scratch to reproduce closely the results of the paper.",
}
_NEW_RECIPE = {
    "recipe": "https://github.com/pytorch/vision/pull/5906",
    "docs": (
        "These weights were trained from scratch by using TorchVision's new training recipe "
        "(https://pytorch.org/blog/how-to-train-state-of-the-art-models-using-torchvision-latest-primitives/)."
    ),
    "resize_size": 232,
}


class ShuffleNet_V2_X0_5_Weights(WeightsEnum):
    """Weights for :func:`shufflenet_v2_x0_5`."""

    IMAGENET1K_V1 = imagenet_weights(
        "shufflenetv2_x0.5-f707e7126e.pth",
        num_params=1366792,
        acc1=60.552,
        acc5=81.746,
        ops=0.04,
        file_size=5.282,
        **_PORTED,
    )
    DEFAULT = IMAGENET1K_V1


class ShuffleNet_V2_X1_0_Weights(WeightsEnum):
    """Weights for :func:`shufflenet_v2_x1_0`."""

    IMAGENET1K_V1 = imagenet_weights(
        "shufflenetv2_x1-5666bf0f80.pth",
        num_params=2278604,
        acc1=69.362,
        acc5=88.316,
        ops=0.145,
        file_size=8.791,
        **_PORTED,
    )
    DEFAULT = IMAGENET1K_V1


class ShuffleNet_V2_X1_5_Weights(WeightsEnum):
    """Weights for :func:`shufflenet_v2_x1_5`."""

    IMAGENET1K_V1 = imagenet_weights(
        "shufflenetv2_x1_5-3c479a10.pth",
        num_params=3503624,
        acc1=72.996,
        acc5=91.086,
        ops=0.296,
        file_size=13.557,
        **_NEW_RECIPE,
    )
    DEFAULT = IMAGENET1K_V1


class ShuffleNet_V2_X2_0_Weights(WeightsEnum):
    """Weights for :func:`shufflenet_v2_x2_0`."""

    IMAGENET1K_V1 = imagenet_weights(
        "shufflenetv2_x2_0-8be3c8ee.pth",
        num_params=7393996,
        acc1=76.23,
        acc5=93.006,
        ops=0.583,
        file_size=28.433,
        **_NEW_RECIPE,
    )
    DEFAULT = IMAGENET1K_V1


@register_model(weights=ShuffleNet_V2_X0_5_Weights)
def shufflenet_v2_x0_5(
    *, weights: ShuffleNet_V2_X0_5_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> ShuffleNetV2:
    """ShuffleNet V2 with 0.5x output channels (Ma et al., 2018).

    Args:
        weights (ShuffleNet_V2_X0_5_Weights | str, optional): pretrained weights to load, or None for random ones.
        progress (bool): show a download progress bar.
        **kwargs: arguments of :class:`ShuffleNetV2` (num_classes, inverted_residual).

    Raises:
        ValueError: if ``weights`` names no entry, or ``num_classes`` disagrees with the weights' categories.
        TypeError: if ``weights`` belongs to another architecture.
    """
    return _shufflenetv2([4, 8, 4], [24, 48, 96, 192, 1024], weights, progress, **kwargs)


@register_model(weights=ShuffleNet_V2_X1_0_Weights)
def shufflenet_v2_x1_0(
    *, weights: ShuffleNet_V2_X1_0_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> ShuffleNetV2:
    """ShuffleNet V2 with 1.0x output channels. Arguments as in :func:`shufflenet_v2_x0_5`."""
    return _shufflenetv2([4, 8, 4], [24, 116, 232, 464, 1024], weights, progress, **kwargs)


@register_model(weights=ShuffleNet_V2_X1_5_Weights)
def shufflenet_v2_x1_5(
    *, weights: ShuffleNet_V2_X1_5_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> ShuffleNetV2:
    """ShuffleNet V2 with 1.5x output channels. Arguments as in :func:`shufflenet_v2_x0_5`."""
    return _shufflenetv2([4, 8, 4], [24, 176, 352, 704, 1024], weights, progress, **kwargs)


@register_model(weights=ShuffleNet_V2_X2_0_Weights)
def shufflenet_v2_x2_0(
    *, weights: ShuffleNet_V2_X2_0_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> ShuffleNetV2:
    """ShuffleNet V2 with 2.0x output channels. Arguments as in :func:`shufflenet_v2_x0_5`."""
    return _shufflenetv2([4, 8, 4], [24, 244, 488, 976, 2048], weights, progress, **kwargs)
