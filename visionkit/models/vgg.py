"""VGG 11/13/16/19, with and without batch normalisation (Simonyan & Zisserman, 2015)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from torch import Tensor, nn

from ._api import WeightsEnum, build_model, register_model
from ._meta import DOCS_V1, RECIPE_V1, imagenet_weights
from ._utils import init_weights_, pooled_logits

__all__ = [
    "VGG",
    "VGG11_BN_Weights",
    "VGG11_Weights",
    "VGG13_BN_Weights",
    "VGG13_Weights",
    "VGG16_BN_Weights",
    "VGG16_Weights",
    "VGG19_BN_Weights",
    "VGG19_Weights",
    "make_layers",
    "vgg11",
    "vgg11_bn",
    "vgg13",
    "vgg13_bn",
    "vgg16",
    "vgg16_bn",
    "vgg19",
    "vgg19_bn",
]

# Convolution widths, "M" for a 2x2 max pool: the paper's configurations A (11), B (13), D (16) and E (19 layers)
_CONFIGS: dict[str, list[int | str]] = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


class VGG(nn.Module):
    """VGG classifier: a convolutional ``features`` stack, 7x7 adaptive pooling and three linear layers.

    Args:
        features (nn.Module): maps Tensor[N, 3, H, W] to Tensor[N, 512, h, w], e.g. :func:`make_layers`.
        num_classes (int): outputs of the final linear layer.
        init_weights (bool): apply torchvision's initialisation (Kaiming convolutions, N(0, 0.01) linears);
            PyTorch's defaults otherwise.
        dropout (float): dropout probability after each hidden linear layer.

    Shape:
        input (Tensor[N, 3, H, W]) with H, W >= 32 -> logits (Tensor[N, num_classes]).
    """

    def __init__(self, features: nn.Module, num_classes: int = 1000, init_weights: bool = True, dropout: float = 0.5):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            init_weights_(self, linear_std=0.01)

    def forward(self, x: Tensor) -> Tensor:
        """Classify a batch: see :func:`~visionkit.models._utils.pooled_logits`."""
        return pooled_logits(self, x)


def make_layers(cfg: Sequence[int | str], batch_norm: bool = False) -> nn.Sequential:
    """Build VGG's ``features``: 3x3 convolutions (+ BatchNorm) + ReLU, with "M" entries as 2x2 max pools.

    Args:
        cfg (Sequence[int | str]): output channels of each convolution, or "M" for a max pool.
        batch_norm (bool): put a BatchNorm2d after every convolution.

    Returns:
        nn.Sequential: the layers, starting from 3 input channels.
    """
    layers: list[nn.Module] = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        if not isinstance(v, int):
            raise ValueError(f"`cfg` entries should be channel counts or 'M', got {v!r}")
        layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(v))
        layers.append(nn.ReLU(inplace=True))
        in_channels = v
    return nn.Sequential(*layers)


def _vgg(cfg: str, batch_norm: bool, weights: WeightsEnum | None, progress: bool, **kwargs: Any) -> VGG:
    if weights is not None:
        kwargs["init_weights"] = False  # the loaded weights replace the initialisation anyway

    def make(**model_kwargs: Any) -> VGG:
        return VGG(make_layers(_CONFIGS[cfg], batch_norm), **model_kwargs)

    return build_model(make, weights, progress, **kwargs)


_VGG = {"recipe": f"{RECIPE_V1}#alexnet-and-vgg", "docs": DOCS_V1, "min_size": (32, 32)}


class VGG11_Weights(WeightsEnum):
    """Weights for :func:`vgg11`."""

    IMAGENET1K_V1 = imagenet_weights(
        "vgg11-8a719046.pth", num_params=132863336, acc1=69.02, acc5=88.628, ops=7.609, file_size=506.84, **_VGG
    )
    DEFAULT = IMAGENET1K_V1


class VGG11_BN_Weights(WeightsEnum):
    """Weights for :func:`vgg11_bn`."""

    IMAGENET1K_V1 = imagenet_weights(
        "vgg11_bn-6002323d.pth", num_params=132868840, acc1=70.37, acc5=89.81, ops=7.609, file_size=506.881, **_VGG
    )
    DEFAULT = IMAGENET1K_V1


class VGG13_Weights(WeightsEnum):
    """Weights for :func:`vgg13`."""

    IMAGENET1K_V1 = imagenet_weights(
        "vgg13-19584684.pth", num_params=133047848, acc1=69.928, acc5=89.246, ops=11.308, file_size=507.545, **_VGG
    )
    DEFAULT = IMAGENET1K_V1


class VGG13_BN_Weights(WeightsEnum):
    """Weights for :func:`vgg13_bn`."""

    IMAGENET1K_V1 = imagenet_weights(
        "vgg13_bn-abd245e5.pth", num_params=133053736, acc1=71.586, acc5=90.374, ops=11.308, file_size=507.59, **_VGG
    )
    DEFAULT = IMAGENET1K_V1


class VGG16_Weights(WeightsEnum):
    """Weights for :func:`vgg16`.

    ``IMAGENET1K_FEATURES`` holds only valid ``features`` (for SSD-style feature extraction): its classifier is
    NaN, it has no categories, and it expects inputs in [0, 255] minus the mean (std 1/255).
    """

    IMAGENET1K_V1 = imagenet_weights(
        "vgg16-397923af.pth", num_params=138357544, acc1=71.592, acc5=90.382, ops=15.47, file_size=527.796, **_VGG
    )
    IMAGENET1K_FEATURES = imagenet_weights(
        "vgg16_features-amdegroot-88682ab5.pth",
        num_params=138357544,
        acc1=math.nan,
        acc5=math.nan,
        ops=15.47,
        file_size=527.802,
        categories=None,
        mean=(0.48235, 0.45882, 0.40784),
        std=(1.0 / 255.0, 1.0 / 255.0, 1.0 / 255.0),
        **{
            **_VGG,
            "recipe": "https://github.com/amdegroot/ssd.pytorch#training-ssd",
            "docs": "Only the `features` module holds valid values, for feature extraction; the classifier is NaN.",
        },
    )
    DEFAULT = IMAGENET1K_V1


class VGG16_BN_Weights(WeightsEnum):
    """Weights for :func:`vgg16_bn`."""

    IMAGENET1K_V1 = imagenet_weights(
        "vgg16_bn-6c64b313.pth", num_params=138365992, acc1=73.36, acc5=91.516, ops=15.47, file_size=527.866, **_VGG
    )
    DEFAULT = IMAGENET1K_V1


class VGG19_Weights(WeightsEnum):
    """Weights for :func:`vgg19`."""

    IMAGENET1K_V1 = imagenet_weights(
        "vgg19-dcbb9e9d.pth", num_params=143667240, acc1=72.376, acc5=90.876, ops=19.632, file_size=548.051, **_VGG
    )
    DEFAULT = IMAGENET1K_V1


class VGG19_BN_Weights(WeightsEnum):
    """Weights for :func:`vgg19_bn`."""

    IMAGENET1K_V1 = imagenet_weights(
        "vgg19_bn-c79401a0.pth", num_params=143678248, acc1=74.218, acc5=91.842, ops=19.632, file_size=548.143, **_VGG
    )
    DEFAULT = IMAGENET1K_V1


@register_model(weights=VGG11_Weights)
def vgg11(*, weights: VGG11_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-11, configuration A (Simonyan & Zisserman, 2015).

    Args:
        weights (VGG11_Weights | str, optional): pretrained weights to load, or None for random ones.
        progress (bool): show a download progress bar.
        **kwargs: arguments of :class:`VGG` (num_classes, init_weights, dropout).
    """
    return _vgg("A", False, weights, progress, **kwargs)


@register_model(weights=VGG11_BN_Weights)
def vgg11_bn(*, weights: VGG11_BN_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-11 with batch normalisation. Arguments as in :func:`vgg11`."""
    return _vgg("A", True, weights, progress, **kwargs)


@register_model(weights=VGG13_Weights)
def vgg13(*, weights: VGG13_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-13, configuration B. Arguments as in :func:`vgg11`."""
    return _vgg("B", False, weights, progress, **kwargs)


@register_model(weights=VGG13_BN_Weights)
def vgg13_bn(*, weights: VGG13_BN_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-13 with batch normalisation. Arguments as in :func:`vgg11`."""
    return _vgg("B", True, weights, progress, **kwargs)


@register_model(weights=VGG16_Weights)
def vgg16(*, weights: VGG16_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-16, configuration D. Arguments as in :func:`vgg11`."""
    return _vgg("D", False, weights, progress, **kwargs)


@register_model(weights=VGG16_BN_Weights)
def vgg16_bn(*, weights: VGG16_BN_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-16 with batch normalisation. Arguments as in :func:`vgg11`."""
    return _vgg("D", True, weights, progress, **kwargs)


@register_model(weights=VGG19_Weights)
def vgg19(*, weights: VGG19_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-19, configuration E. Arguments as in :func:`vgg11`."""
    return _vgg("E", False, weights, progress, **kwargs)


@register_model(weights=VGG19_BN_Weights)
def vgg19_bn(*, weights: VGG19_BN_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-19 with batch normalisation. Arguments as in :func:`vgg11`."""
    return _vgg("E", True, weights, progress, **kwargs)
