"""MobileNetV2: inverted residuals and linear bottlenecks (Sandler et al., 2018)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from ..ops.misc import Conv2dNormActivation
from ._api import WeightsEnum, build_model, register_model
from ._meta import DOCS_V1, DOCS_V2, RECIPE_V1, RECIPE_V2, imagenet_weights
from ._utils import init_weights_, make_divisible

__all__ = ["InvertedResidual", "MobileNetV2", "MobileNet_V2_Weights", "mobilenet_v2"]

# expansion factor t, output channels c, repeats n, first stride s, as in the paper's Table 2
_DEFAULT_SETTING = [
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 3, 2],
    [6, 64, 4, 2],
    [6, 96, 3, 1],
    [6, 160, 3, 2],
    [6, 320, 1, 1],
]


class InvertedResidual(nn.Module):
    """Expand with a 1x1 convolution, filter depthwise, project linearly; residual when shapes allow.

    Args:
        inp (int): input channels.
        oup (int): output channels.
        stride (int): stride of the depthwise convolution, 1 or 2.
        expand_ratio (float): hidden channels are ``round(inp * expand_ratio)``; no expansion layer when 1.
        norm_layer (Callable[..., nn.Module], optional): normalisation layer; BatchNorm2d when None.
    """

    def __init__(
        self, inp: int, oup: int, stride: int, expand_ratio: float, norm_layer: Callable[..., nn.Module] | None = None
    ) -> None:
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f"`stride` should be 1 or 2, got {stride}")
        norm_layer = nn.BatchNorm2d if norm_layer is None else norm_layer
        hidden_dim = round(inp * expand_ratio)
        self.use_res_connect = stride == 1 and inp == oup
        layers: list[nn.Module] = []
        if expand_ratio != 1:
            layers.append(
                Conv2dNormActivation(inp, hidden_dim, kernel_size=1, norm_layer=norm_layer, activation_layer=nn.ReLU6)
            )
        layers += [
            Conv2dNormActivation(
                hidden_dim,
                hidden_dim,
                stride=stride,
                groups=hidden_dim,
                norm_layer=norm_layer,
                activation_layer=nn.ReLU6,
            ),
            nn.Conv2d(hidden_dim, oup, 1, 1, 0, bias=False),
            norm_layer(oup),
        ]
        self.conv = nn.Sequential(*layers)
        self.out_channels = oup
        self._is_cn = stride > 1

    def forward(self, x: Tensor) -> Tensor:
        """Apply the block to ``x`` (Tensor[N, inp, H, W]), giving Tensor[N, oup, H / stride, W / stride]."""
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


class MobileNetV2(nn.Module):
    """MobileNetV2 classifier.

    Args:
        num_classes (int): outputs of the final linear layer.
        width_mult (float): multiplies every layer's channels (then rounded to ``round_nearest``).
        inverted_residual_setting (Sequence[Sequence[int]], optional): the stages as [t, c, n, s] rows
            (expansion, channels, repeats, first stride); the paper's setting when None.
        round_nearest (int): round channel counts to a multiple of this.
        block (Callable[..., nn.Module], optional): the stage block; :class:`InvertedResidual` when None.
        norm_layer (Callable[..., nn.Module], optional): normalisation layer; BatchNorm2d when None.
        dropout (float): dropout probability before the linear layer.

    Shape:
        input (Tensor[N, 3, H, W]) -> logits (Tensor[N, num_classes]).
    """

    def __init__(
        self,
        num_classes: int = 1000,
        width_mult: float = 1.0,
        inverted_residual_setting: Sequence[Sequence[int]] | None = None,
        round_nearest: int = 8,
        block: Callable[..., nn.Module] | None = None,
        norm_layer: Callable[..., nn.Module] | None = None,
        dropout: float = 0.2,
    ) -> None:
        super().__init__()
        setting = _DEFAULT_SETTING if inverted_residual_setting is None else inverted_residual_setting
        if len(setting) == 0 or any(len(row) != 4 for row in setting):
            raise ValueError(
                f"`inverted_residual_setting` should be a non-empty list of [t, c, n, s] rows, got {setting!r}"
            )
        block = InvertedResidual if block is None else block
        norm_layer = nn.BatchNorm2d if norm_layer is None else norm_layer
        input_channel = make_divisible(32 * width_mult, round_nearest)
        self.last_channel = make_divisible(1280 * max(1.0, width_mult), round_nearest)
        features: list[nn.Module] = [
            Conv2dNormActivation(3, input_channel, stride=2, norm_layer=norm_layer, activation_layer=nn.ReLU6)
        ]
        for t, c, n, s in setting:
            output_channel = make_divisible(c * width_mult, round_nearest)
            for i in range(n):
                features.append(block(input_channel, output_channel, s if i == 0 else 1, t, norm_layer=norm_layer))
                input_channel = output_channel
        features.append(
            Conv2dNormActivation(
                input_channel, self.last_channel, kernel_size=1, norm_layer=norm_layer, activation_layer=nn.ReLU6
            )
        )
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout), nn.Linear(self.last_channel, num_classes))
        init_weights_(self, linear_std=0.01)

    def forward(self, x: Tensor) -> Tensor:
        """Classify a batch.

        Args:
            x (Tensor[N, 3, H, W]): normalised images.

        Returns:
            Tensor[N, num_classes]: logits.
        """
        x = F.adaptive_avg_pool2d(self.features(x), (1, 1))
        return self.classifier(torch.flatten(x, 1))


class MobileNet_V2_Weights(WeightsEnum):
    """Weights for :func:`mobilenet_v2`."""

    IMAGENET1K_V1 = imagenet_weights(
        "mobilenet_v2-b0353104.pth",
        num_params=3504872,
        acc1=71.878,
        acc5=90.286,
        ops=0.301,
        file_size=13.555,
        recipe=f"{RECIPE_V1}#mobilenetv2",
        docs=DOCS_V1,
    )
    IMAGENET1K_V2 = imagenet_weights(
        "mobilenet_v2-7ebf99e0.pth",
        num_params=3504872,
        acc1=72.154,
        acc5=90.822,
        ops=0.301,
        file_size=13.598,
        recipe=f"{RECIPE_V2}#new-recipe-with-reg-tuning",
        docs=DOCS_V2,
        resize_size=232,
    )
    DEFAULT = IMAGENET1K_V2


@register_model(weights=MobileNet_V2_Weights)
def mobilenet_v2(
    *, weights: MobileNet_V2_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> MobileNetV2:
    """MobileNetV2 (Sandler et al., 2018).

    Args:
        weights (MobileNet_V2_Weights | str, optional): pretrained weights to load, or None for random ones.
        progress (bool): show a download progress bar.
        **kwargs: arguments of :class:`MobileNetV2` (num_classes, width_mult, dropout...).
    """
    return build_model(MobileNetV2, weights, progress, **kwargs)
