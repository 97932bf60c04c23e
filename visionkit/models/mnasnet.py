"""MNASNet (Tan et al., 2019), the B1 variant found by platform-aware architecture search."""

from __future__ import annotations

import warnings
from functools import partial
from typing import Any

from torch import Tensor, nn

from ._api import WeightsEnum, build_model, register_model
from ._meta import imagenet_weights
from ._utils import init_weights_, make_divisible

__all__ = [
    "MNASNet",
    "MNASNet0_5_Weights",
    "MNASNet0_75_Weights",
    "MNASNet1_0_Weights",
    "MNASNet1_3_Weights",
    "mnasnet0_5",
    "mnasnet0_75",
    "mnasnet1_0",
    "mnasnet1_3",
]

# The paper's TensorFlow momentum 0.9997 weighs the running average; PyTorch's momentum weighs the new batch.
_BN_MOMENTUM = 1 - 0.9997

# Stem, separable convolution and the six stacks, before the width multiplier.
_BASE_DEPTHS = (32, 16, 24, 40, 80, 96, 192, 320)

# kernel, first stride, expansion and repeats of the six stacks (the paper's Figure 7).
_STACKS = ((3, 2, 3, 3), (5, 2, 3, 3), (5, 2, 6, 3), (3, 1, 6, 2), (5, 2, 6, 4), (3, 1, 6, 1))


class _InvertedResidual(nn.Module):
    """1x1 expansion, depthwise kxk convolution and linear 1x1 projection; residual when shapes allow.

    Args:
        in_ch (int): input channels.
        out_ch (int): output channels.
        kernel_size (int): 3 or 5, the depthwise kernel.
        stride (int): 1 or 2, the depthwise stride.
        expansion_factor (int): hidden channels are ``in_ch * expansion_factor``.
        bn_momentum (float): momentum of the batch norms.

    Raises:
        ValueError: if ``stride`` or ``kernel_size`` is not one of the allowed values.
    """

    def __init__(
        self, in_ch: int, out_ch: int, kernel_size: int, stride: int, expansion_factor: int, bn_momentum: float = 0.1
    ) -> None:
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f"`stride` should be 1 or 2, got {stride}")
        if kernel_size not in (3, 5):
            raise ValueError(f"`kernel_size` should be 3 or 5, got {kernel_size}")
        mid_ch = in_ch * expansion_factor
        norm = partial(nn.BatchNorm2d, momentum=bn_momentum)
        self.apply_residual = in_ch == out_ch and stride == 1
        self.layers = nn.Sequential(
            nn.Conv2d(in_ch, mid_ch, 1, bias=False),
            norm(mid_ch),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid_ch, mid_ch, kernel_size, padding=kernel_size // 2, stride=stride, groups=mid_ch, bias=False),
            norm(mid_ch),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid_ch, out_ch, 1, bias=False),
            norm(out_ch),
        )

    def forward(self, input: Tensor) -> Tensor:
        """Map ``input`` (Tensor[N, in_ch, H, W]) to Tensor[N, out_ch, H / stride, W / stride]."""
        if self.apply_residual:
            return self.layers(input) + input
        return self.layers(input)


def _stack(
    in_ch: int, out_ch: int, kernel_size: int, stride: int, exp_factor: int, repeats: int, bn_momentum: float
) -> nn.Sequential:
    """``repeats`` inverted residuals; only the first changes width and resolution (so it has no shortcut).

    Raises:
        ValueError: if ``repeats`` is below 1.
    """
    if repeats < 1:
        raise ValueError(f"`repeats` should be at least 1, got {repeats}")
    blocks = [_InvertedResidual(in_ch, out_ch, kernel_size, stride, exp_factor, bn_momentum=bn_momentum)]
    blocks += [
        _InvertedResidual(out_ch, out_ch, kernel_size, 1, exp_factor, bn_momentum=bn_momentum)
        for _ in range(1, repeats)
    ]
    return nn.Sequential(*blocks)


def _get_depths(alpha: float) -> list[int]:
    """The channel counts scaled by ``alpha`` and rounded to multiples of 8, preferring to round up."""
    return [make_divisible(depth * alpha, 8) for depth in _BASE_DEPTHS]


def _stem(stem: int, separable: int, first_stack: int) -> list[nn.Module]:
    """The first 9 entries of ``MNASNet.layers``: a strided 3x3 convolution, a depthwise separable one and the
    first stack of inverted residuals."""
    norm = partial(nn.BatchNorm2d, momentum=_BN_MOMENTUM)
    kernel, stride, expansion, repeats = _STACKS[0]
    return [
        nn.Conv2d(3, stem, 3, padding=1, stride=2, bias=False),
        norm(stem),
        nn.ReLU(inplace=True),
        nn.Conv2d(stem, stem, 3, padding=1, stride=1, groups=stem, bias=False),
        norm(stem),
        nn.ReLU(inplace=True),
        nn.Conv2d(stem, separable, 1, padding=0, stride=1, bias=False),
        norm(separable),
        _stack(separable, first_stack, kernel, stride, expansion, repeats, _BN_MOMENTUM),
    ]


class MNASNet(nn.Module):
    """MNASNet-B1 classifier.

    Checkpoints record the architecture's version. Version 1 checkpoints (saved before the stem was scaled
    with ``alpha``) still load: for ``alpha != 1`` the stem is rebuilt at its fixed version-1 width first,
    with a warning.

    Args:
        alpha (float): depth multiplier of every layer but the last 1280-channel convolution.
        num_classes (int): outputs of the final linear layer.
        dropout (float): dropout probability before the linear layer.

    Raises:
        ValueError: if ``alpha`` is not positive.

    Shape:
        input (Tensor[N, 3, H, W]) -> logits (Tensor[N, num_classes]).
    """

    # version 2 scales the stem with alpha
    _version = 2

    def __init__(self, alpha: float, num_classes: int = 1000, dropout: float = 0.2) -> None:
        super().__init__()
        if alpha <= 0.0:
            raise ValueError(f"`alpha` should be greater than 0.0, got {alpha}")
        self.alpha = alpha
        self.num_classes = num_classes
        depths = _get_depths(alpha)
        stacks = [
            _stack(depths[i], depths[i + 1], kernel, stride, expansion, repeats, _BN_MOMENTUM)
            for i, (kernel, stride, expansion, repeats) in enumerate(_STACKS[1:], start=2)
        ]
        self.layers = nn.Sequential(
            *_stem(depths[0], depths[1], depths[2]),
            *stacks,
            nn.Conv2d(depths[7], 1280, 1, padding=0, stride=1, bias=False),
            nn.BatchNorm2d(1280, momentum=_BN_MOMENTUM),
            nn.ReLU(inplace=True),
        )
        self.classifier = nn.Sequential(nn.Dropout(p=dropout, inplace=True), nn.Linear(1280, num_classes))
        init_weights_(self, linear_std=None)
        head = self.classifier[1]
        nn.init.kaiming_uniform_(head.weight, mode="fan_out", nonlinearity="sigmoid")
        nn.init.zeros_(head.bias)

    def forward(self, x: Tensor) -> Tensor:
        """Classify a batch.

        Args:
            x (Tensor[N, 3, H, W]): normalised images.

        Returns:
            Tensor[N, num_classes]: logits.
        """
        return self.classifier(self.layers(x).mean([2, 3]))

    def _load_from_state_dict(
        self,
        state_dict: dict,
        prefix: str,
        local_metadata: dict,
        strict: bool,
        missing_keys: list[str],
        unexpected_keys: list[str],
        error_msgs: list[str],
    ) -> None:
        """Check the checkpoint's version; a version-1 checkpoint of a scaled model gets the version-1 stem.

        Raises:
            ValueError: if the checkpoint's metadata records no version, or one other than 1 and 2.
        """
        version = local_metadata.get("version")
        if version not in (1, 2):
            raise ValueError(f"the checkpoint's MNASNet version should be 1 or 2, got {version}")
        if version == 1 and self.alpha != 1.0:
            # Version 1 had a fixed 32/16-channel stem whatever alpha; the rest of the network is unchanged.
            for index, layer in enumerate(_stem(32, 16, _get_depths(self.alpha)[2])):
                self.layers[index] = layer
            self._version = 1  # the model now is version 1, and saves as such
            warnings.warn(
                "This MNASNet checkpoint was saved by the previous version of the architecture, whose stem did "
                "not scale with alpha; the stem was rebuilt to match it, so it loads and works as before. "
                "Training a new model or fine-tuning from the current ImageNet weights upgrades it.",
                UserWarning,
                stacklevel=2,
            )
        super()._load_from_state_dict(
            state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs
        )


def _mnasnet(alpha: float, weights: WeightsEnum | None, progress: bool, **kwargs: Any) -> MNASNet:
    return build_model(partial(MNASNet, alpha), weights, progress, **kwargs)


_PAPER = {
    "recipe": "https://github.com/1e100/mnasnet_trainer",
    "docs": "These weights reproduce closely the results of the paper.",
}
_NEW_RECIPE = {
    "recipe": "https://github.com/pytorch/vision/pull/6019",
    "docs": (
        "These weights were trained from scratch by using TorchVision's new training recipe "
        "(https://pytorch.org/blog/how-to-train-state-of-the-art-models-using-torchvision-latest-primitives/)."
    ),
    "resize_size": 232,
}


class MNASNet0_5_Weights(WeightsEnum):
    """Weights for :func:`mnasnet0_5`."""

    IMAGENET1K_V1 = imagenet_weights(
        "mnasnet0.5_top1_67.823-3ffadce67e.pth",
        num_params=2218512,
        acc1=67.734,
        acc5=87.49,
        ops=0.104,
        file_size=8.591,
        **_PAPER,
    )
    DEFAULT = IMAGENET1K_V1


class MNASNet0_75_Weights(WeightsEnum):
    """Weights for :func:`mnasnet0_75`."""

    IMAGENET1K_V1 = imagenet_weights(
        "mnasnet0_75-7090bc5f.pth",
        num_params=3170208,
        acc1=71.18,
        acc5=90.496,
        ops=0.215,
        file_size=12.303,
        **_NEW_RECIPE,
    )
    DEFAULT = IMAGENET1K_V1


class MNASNet1_0_Weights(WeightsEnum):
    """Weights for :func:`mnasnet1_0`."""

    IMAGENET1K_V1 = imagenet_weights(
        "mnasnet1.0_top1_73.512-f206786ef8.pth",
        num_params=4383312,
        acc1=73.456,
        acc5=91.51,
        ops=0.314,
        file_size=16.915,
        **_PAPER,
    )
    DEFAULT = IMAGENET1K_V1


class MNASNet1_3_Weights(WeightsEnum):
    """Weights for :func:`mnasnet1_3`."""

    IMAGENET1K_V1 = imagenet_weights(
        "mnasnet1_3-a4c69d6f.pth",
        num_params=6282256,
        acc1=76.506,
        acc5=93.522,
        ops=0.526,
        file_size=24.246,
        **_NEW_RECIPE,
    )
    DEFAULT = IMAGENET1K_V1


@register_model(weights=MNASNet0_5_Weights)
def mnasnet0_5(*, weights: MNASNet0_5_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> MNASNet:
    """MNASNet with depth multiplier 0.5 (Tan et al., 2019).

    Args:
        weights (MNASNet0_5_Weights | str, optional): pretrained weights to load, or None for random ones.
        progress (bool): show a download progress bar.
        **kwargs: arguments of :class:`MNASNet` (num_classes, dropout).

    Raises:
        ValueError: if ``weights`` names no entry, or ``num_classes`` disagrees with the weights' categories.
        TypeError: if ``weights`` belongs to another architecture.
    """
    return _mnasnet(0.5, weights, progress, **kwargs)


@register_model(weights=MNASNet0_75_Weights)
def mnasnet0_75(*, weights: MNASNet0_75_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> MNASNet:
    """MNASNet with depth multiplier 0.75. Arguments as in :func:`mnasnet0_5`."""
    return _mnasnet(0.75, weights, progress, **kwargs)


@register_model(weights=MNASNet1_0_Weights)
def mnasnet1_0(*, weights: MNASNet1_0_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> MNASNet:
    """MNASNet with depth multiplier 1.0. Arguments as in :func:`mnasnet0_5`."""
    return _mnasnet(1.0, weights, progress, **kwargs)


@register_model(weights=MNASNet1_3_Weights)
def mnasnet1_3(*, weights: MNASNet1_3_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> MNASNet:
    """MNASNet with depth multiplier 1.3. Arguments as in :func:`mnasnet0_5`."""
    return _mnasnet(1.3, weights, progress, **kwargs)
