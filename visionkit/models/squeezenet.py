"""SqueezeNet 1.0 and 1.1 (Iandola et al., 2016): AlexNet-level accuracy from Fire modules and a 1x1 conv head."""

from __future__ import annotations

from functools import partial
from typing import Any

import torch
from torch import Tensor, nn

from ._api import WeightsEnum, build_model, register_model
from ._meta import DOCS_V1, imagenet_weights

__all__ = ["SqueezeNet", "SqueezeNet1_0_Weights", "SqueezeNet1_1_Weights", "squeezenet1_0", "squeezenet1_1"]


class Fire(nn.Module):
    """A 1x1 "squeeze" convolution feeding parallel 1x1 and 3x3 "expand" convolutions, concatenated.

    Args:
        inplanes (int): input channels.
        squeeze_planes (int): channels after the squeeze convolution.
        expand1x1_planes (int): output channels of the 1x1 expand branch.
        expand3x3_planes (int): output channels of the 3x3 expand branch.

    Shape:
        input (Tensor[N, inplanes, H, W]) -> Tensor[N, expand1x1_planes + expand3x3_planes, H, W].
    """

    def __init__(self, inplanes: int, squeeze_planes: int, expand1x1_planes: int, expand3x3_planes: int) -> None:
        super().__init__()
        self.inplanes = inplanes
        self.squeeze = nn.Conv2d(inplanes, squeeze_planes, kernel_size=1)
        self.squeeze_activation = nn.ReLU(inplace=True)
        self.expand1x1 = nn.Conv2d(squeeze_planes, expand1x1_planes, kernel_size=1)
        self.expand1x1_activation = nn.ReLU(inplace=True)
        self.expand3x3 = nn.Conv2d(squeeze_planes, expand3x3_planes, kernel_size=3, padding=1)
        self.expand3x3_activation = nn.ReLU(inplace=True)

    def forward(self, x: Tensor) -> Tensor:
        """Squeeze ``x``, then concatenate the two expand branches along the channels."""
        squeezed = self.squeeze_activation(self.squeeze(x))
        wide = self.expand1x1_activation(self.expand1x1(squeezed))
        return torch.cat([wide, self.expand3x3_activation(self.expand3x3(squeezed))], 1)


_pool = partial(nn.MaxPool2d, kernel_size=3, stride=2, ceil_mode=True)


def _features_1_0() -> list[nn.Module]:
    return [
        nn.Conv2d(3, 96, kernel_size=7, stride=2),
        nn.ReLU(inplace=True),
        _pool(),
        Fire(96, 16, 64, 64),
        Fire(128, 16, 64, 64),
        Fire(128, 32, 128, 128),
        _pool(),
        Fire(256, 32, 128, 128),
        Fire(256, 48, 192, 192),
        Fire(384, 48, 192, 192),
        Fire(384, 64, 256, 256),
        _pool(),
        Fire(512, 64, 256, 256),
    ]


def _features_1_1() -> list[nn.Module]:
    # 1.1 starts with a cheaper 3x3 stem and pools earlier: 2.4x fewer operations for the same accuracy.
    return [
        nn.Conv2d(3, 64, kernel_size=3, stride=2),
        nn.ReLU(inplace=True),
        _pool(),
        Fire(64, 16, 64, 64),
        Fire(128, 16, 64, 64),
        _pool(),
        Fire(128, 32, 128, 128),
        Fire(256, 32, 128, 128),
        _pool(),
        Fire(256, 48, 192, 192),
        Fire(384, 48, 192, 192),
        Fire(384, 64, 256, 256),
        Fire(512, 64, 256, 256),
    ]


_FEATURES = {"1_0": _features_1_0, "1_1": _features_1_1}


class SqueezeNet(nn.Module):
    """SqueezeNet: a stack of Fire modules and a classifier made of a 1x1 convolution and global average pooling.

    Convolutions start Kaiming-uniform with zero biases, except the final one, drawn from N(0, 0.01).

    Args:
        version (str): "1_0" or "1_1".
        num_classes (int): output channels of the final convolution.
        dropout (float): dropout probability before the final convolution.

    Raises:
        ValueError: if ``version`` is neither "1_0" nor "1_1".

    Shape:
        input (Tensor[N, 3, H, W]) -> logits (Tensor[N, num_classes]).
    """

    def __init__(self, version: str = "1_0", num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        if version not in _FEATURES:
            raise ValueError(f"`version` should be one of {list(_FEATURES)}, got {version!r}")
        self.num_classes = num_classes
        self.features = nn.Sequential(*_FEATURES[version]())
        final_conv = nn.Conv2d(512, num_classes, kernel_size=1)
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), final_conv, nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d((1, 1))
        )
        for module in self.modules():
            if not isinstance(module, nn.Conv2d):
                continue
            if module is final_conv:
                nn.init.normal_(module.weight, mean=0.0, std=0.01)
            else:
                nn.init.kaiming_uniform_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)

    def forward(self, x: Tensor) -> Tensor:
        """Classify a batch.

        Args:
            x (Tensor[N, 3, H, W]): normalised images.

        Returns:
            Tensor[N, num_classes]: logits.
        """
        return torch.flatten(self.classifier(self.features(x)), 1)


def _squeezenet(version: str, weights: WeightsEnum | None, progress: bool, **kwargs: Any) -> SqueezeNet:
    return build_model(partial(SqueezeNet, version), weights, progress, **kwargs)


_SQUEEZENET = {"recipe": "https://github.com/pytorch/vision/pull/49#issuecomment-277560717", "docs": DOCS_V1}


class SqueezeNet1_0_Weights(WeightsEnum):
    """Weights for :func:`squeezenet1_0`."""

    IMAGENET1K_V1 = imagenet_weights(
        "squeezenet1_0-b66bff10.pth",
        num_params=1248424,
        acc1=58.092,
        acc5=80.42,
        ops=0.819,
        file_size=4.778,
        min_size=(21, 21),
        **_SQUEEZENET,
    )
    DEFAULT = IMAGENET1K_V1


class SqueezeNet1_1_Weights(WeightsEnum):
    """Weights for :func:`squeezenet1_1`."""

    IMAGENET1K_V1 = imagenet_weights(
        "squeezenet1_1-b8a52dc0.pth",
        num_params=1235496,
        acc1=58.178,
        acc5=80.624,
        ops=0.349,
        file_size=4.729,
        min_size=(17, 17),
        **_SQUEEZENET,
    )
    DEFAULT = IMAGENET1K_V1


@register_model(weights=SqueezeNet1_0_Weights)
def squeezenet1_0(
    *, weights: SqueezeNet1_0_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> SqueezeNet:
    """SqueezeNet 1.0 (Iandola et al., 2016).

    Args:
        weights (SqueezeNet1_0_Weights | str, optional): pretrained weights to load, or None for random ones.
        progress (bool): show a download progress bar.
        **kwargs: arguments of :class:`SqueezeNet` (num_classes, dropout).

    Returns:
        SqueezeNet: the model.

    Raises:
        ValueError: if ``num_classes`` differs from the number of categories of ``weights``.
    """
    return _squeezenet("1_0", weights, progress, **kwargs)


@register_model(weights=SqueezeNet1_1_Weights)
def squeezenet1_1(
    *, weights: SqueezeNet1_1_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> SqueezeNet:
    """SqueezeNet 1.1 (from the official SqueezeNet repository): 2.4x cheaper than 1.0, as accurate.

    Arguments as in :func:`squeezenet1_0`.
    """
    return _squeezenet("1_1", weights, progress, **kwargs)
