"""ConvNeXt (Liu et al., 2022, "A ConvNet for the 2020s"): a ResNet modernised step by step towards a vision
transformer: a patchify stem, depthwise 7x7 convolutions, inverted bottlenecks, GELU and layer norms."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from ..ops.misc import Conv2dNormActivation, Permute, StochasticDepth
from ._api import Weights, WeightsEnum, build_model, register_model
from ._meta import RECIPE_V1, imagenet_weights

__all__ = [
    "ConvNeXt",
    "ConvNeXt_Base_Weights",
    "ConvNeXt_Large_Weights",
    "ConvNeXt_Small_Weights",
    "ConvNeXt_Tiny_Weights",
    "convnext_base",
    "convnext_large",
    "convnext_small",
    "convnext_tiny",
]


class LayerNorm2d(nn.LayerNorm):
    """Layer norm over the channels of a channels-first (N, C, H, W) tensor, at every position.

    Takes the arguments of ``nn.LayerNorm`` with ``normalized_shape`` the number of channels.
    """

    def forward(self, x: Tensor) -> Tensor:
        """Normalise ``x`` (Tensor[N, C, H, W]) over C; same shape out."""
        x = F.layer_norm(x.permute(0, 2, 3, 1), self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class CNBlock(nn.Module):
    """The ConvNeXt block: depthwise 7x7, layer norm, 1x1 expansion to 4x, GELU, 1x1 back, scaled and added.

    The two 1x1 convolutions are linear layers on a channels-last view (``block``); the branch is multiplied by
    a learnt per-channel ``layer_scale`` and randomly dropped per sample in training (stochastic depth).

    Args:
        dim (int): channels of the input and output.
        layer_scale (float): initial value of the per-channel scale of the branch.
        stochastic_depth_prob (float): probability of dropping the branch for a sample in training.
        norm_layer (Callable[..., nn.Module], optional): norm over the last (channel) dimension; LayerNorm with
            eps=1e-6 when None.
    """

    def __init__(
        self,
        dim: int,
        layer_scale: float,
        stochastic_depth_prob: float,
        norm_layer: Callable[..., nn.Module] | None = None,
    ) -> None:
        super().__init__()
        norm_layer = partial(nn.LayerNorm, eps=1e-6) if norm_layer is None else norm_layer
        self.block = nn.Sequential(
            nn.Conv2d(dim, dim, kernel_size=7, padding=3, groups=dim, bias=True),
            Permute([0, 2, 3, 1]),
            norm_layer(dim),
            nn.Linear(in_features=dim, out_features=4 * dim, bias=True),
            nn.GELU(),
            nn.Linear(in_features=4 * dim, out_features=dim, bias=True),
            Permute([0, 3, 1, 2]),
        )
        self.layer_scale = nn.Parameter(torch.ones(dim, 1, 1) * layer_scale)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")

    def forward(self, input: Tensor) -> Tensor:
        """Map ``input`` (Tensor[N, dim, H, W]) to a tensor of the same shape."""
        result = self.stochastic_depth(self.layer_scale * self.block(input))
        result += input
        return result


class CNBlockConfig:
    """One stage of a ConvNeXt.

    Args:
        input_channels (int): channels of the stage's blocks.
        out_channels (int, optional): channels after the downsampling layer that follows the stage; None for
            the last stage, which is not followed by one.
        num_layers (int): number of blocks.
    """

    def __init__(self, input_channels: int, out_channels: int | None, num_layers: int) -> None:
        self.input_channels = input_channels
        self.out_channels = out_channels
        self.num_layers = num_layers

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(input_channels={self.input_channels}, out_channels={self.out_channels}, "
            f"num_layers={self.num_layers})"
        )


class ConvNeXt(nn.Module):
    """A ConvNeXt: a 4x4 patchify stem, stages of blocks separated by 2x2 downsampling, pooling and a head.

    ``features`` holds the stem, then each stage followed by its downsampling layer; the stochastic depth
    probability grows linearly from 0 at the first block to ``stochastic_depth_prob`` at the last.

    Args:
        block_setting (Sequence[CNBlockConfig]): the stages.
        stochastic_depth_prob (float): drop probability of the last block.
        layer_scale (float): initial value of every block's branch scale.
        num_classes (int): outputs of the final linear layer.
        block (Callable[..., nn.Module], optional): builds a block from (dim, layer_scale,
            stochastic_depth_prob); :class:`CNBlock` when None.
        norm_layer (Callable[..., nn.Module], optional): channels-first norm of the stem, the downsampling layers
            and the head; :class:`LayerNorm2d` with eps=1e-6 when None.
        **kwargs: ignored, as in torchvision.

    Raises:
        ValueError: if ``block_setting`` is empty.
        TypeError: if ``block_setting`` is not a sequence of :class:`CNBlockConfig`.

    Shape:
        input (Tensor[N, 3, H, W]) -> logits (Tensor[N, num_classes]).
    """

    def __init__(
        self,
        block_setting: Sequence[CNBlockConfig],
        stochastic_depth_prob: float = 0.0,
        layer_scale: float = 1e-6,
        num_classes: int = 1000,
        block: Callable[..., nn.Module] | None = None,
        norm_layer: Callable[..., nn.Module] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        if not block_setting:
            raise ValueError(f"`block_setting` should not be empty, got {block_setting!r}")
        if not isinstance(block_setting, Sequence) or not all(isinstance(s, CNBlockConfig) for s in block_setting):
            raise TypeError(f"`block_setting` should be a list of CNBlockConfig, got {block_setting!r}")
        block = CNBlock if block is None else block
        norm_layer = partial(LayerNorm2d, eps=1e-6) if norm_layer is None else norm_layer

        first = block_setting[0].input_channels
        layers: list[nn.Module] = [
            Conv2dNormActivation(
                3, first, kernel_size=4, stride=4, padding=0, norm_layer=norm_layer, activation_layer=None, bias=True
            )
        ]
        total_blocks = sum(stage.num_layers for stage in block_setting)
        block_id = 0
        for stage in block_setting:
            blocks = []
            for _ in range(stage.num_layers):
                drop = stochastic_depth_prob * block_id / (total_blocks - 1.0)
                blocks.append(block(stage.input_channels, layer_scale, drop))
                block_id += 1
            layers.append(nn.Sequential(*blocks))
            if stage.out_channels is not None:
                downsample = nn.Conv2d(stage.input_channels, stage.out_channels, kernel_size=2, stride=2)
                layers.append(nn.Sequential(norm_layer(stage.input_channels), downsample))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)

        last = block_setting[-1]
        width = last.input_channels if last.out_channels is None else last.out_channels
        self.classifier = nn.Sequential(norm_layer(width), nn.Flatten(1), nn.Linear(width, num_classes))

        for module in self.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                nn.init.trunc_normal_(module.weight, std=0.02)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)

    def forward(self, x: Tensor) -> Tensor:
        """Classify a batch.

        Args:
            x (Tensor[N, 3, H, W]): normalised images, H and W at least 32.

        Returns:
            Tensor[N, num_classes]: logits.
        """
        return self.classifier(self.avgpool(self.features(x)))


# (stage widths, blocks per stage, stochastic depth probability of the last block) of each published size.
_SIZES: dict[str, tuple[list[int], list[int], float]] = {
    "tiny": ([96, 192, 384, 768], [3, 3, 9, 3], 0.1),
    "small": ([96, 192, 384, 768], [3, 3, 27, 3], 0.4),
    "base": ([128, 256, 512, 1024], [3, 3, 27, 3], 0.5),
    "large": ([192, 384, 768, 1536], [3, 3, 27, 3], 0.5),
}


def _convnext(size: str, weights: WeightsEnum | None, progress: bool, kwargs: dict[str, Any]) -> ConvNeXt:
    widths, depths, drop = _SIZES[size]
    setting = [
        CNBlockConfig(width, next_width, depth)
        for width, next_width, depth in zip(widths, [*widths[1:], None], depths, strict=True)
    ]
    kwargs.setdefault("stochastic_depth_prob", drop)
    return build_model(partial(ConvNeXt, setting), weights, progress, **kwargs)


def _weights(
    file_name: str, num_params: int, acc: tuple[float, float], ops: float, size: float, resize: int
) -> Weights:
    return imagenet_weights(
        file_name,
        num_params=num_params,
        acc1=acc[0],
        acc5=acc[1],
        ops=ops,
        file_size=size,
        recipe=f"{RECIPE_V1}#convnext",
        docs=(
            "These weights improve upon the results of the original paper by using a modified version of "
            "TorchVision's new training recipe (https://pytorch.org/blog/how-to-train-state-of-the-art-models-"
            "using-torchvision-latest-primitives/)."
        ),
        resize_size=resize,
        min_size=(32, 32),
    )


class ConvNeXt_Tiny_Weights(WeightsEnum):
    """Weights for :func:`convnext_tiny`."""

    IMAGENET1K_V1 = _weights("convnext_tiny-983f1562.pth", 28589128, (82.52, 96.146), 4.456, 109.119, 236)
    DEFAULT = IMAGENET1K_V1


class ConvNeXt_Small_Weights(WeightsEnum):
    """Weights for :func:`convnext_small`."""

    IMAGENET1K_V1 = _weights("convnext_small-0c510722.pth", 50223688, (83.616, 96.65), 8.684, 191.703, 230)
    DEFAULT = IMAGENET1K_V1


class ConvNeXt_Base_Weights(WeightsEnum):
    """Weights for :func:`convnext_base`."""

    IMAGENET1K_V1 = _weights("convnext_base-6075fbad.pth", 88591464, (84.062, 96.87), 15.355, 338.064, 232)
    DEFAULT = IMAGENET1K_V1


class ConvNeXt_Large_Weights(WeightsEnum):
    """Weights for :func:`convnext_large`."""

    IMAGENET1K_V1 = _weights("convnext_large-ea097f82.pth", 197767336, (84.414, 96.976), 34.361, 754.537, 232)
    DEFAULT = IMAGENET1K_V1


@register_model(weights=ConvNeXt_Tiny_Weights)
def convnext_tiny(
    *, weights: ConvNeXt_Tiny_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> ConvNeXt:
    """ConvNeXt-T (Liu et al., 2022): stages of 96 to 768 channels, 3-3-9-3 blocks.

    Args:
        weights (ConvNeXt_Tiny_Weights | str, optional): pretrained weights to load, or None for random ones.
        progress (bool): show a download progress bar.
        **kwargs: arguments of :class:`ConvNeXt` (num_classes, stochastic_depth_prob (0.1 here), layer_scale,
            block, norm_layer).

    Returns:
        ConvNeXt: the model.
    """
    return _convnext("tiny", weights, progress, kwargs)


@register_model(weights=ConvNeXt_Small_Weights)
def convnext_small(
    *, weights: ConvNeXt_Small_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> ConvNeXt:
    """ConvNeXt-S: as ConvNeXt-T with 27 blocks in the third stage; stochastic_depth_prob defaults to 0.4.

    Arguments as in :func:`convnext_tiny`.
    """
    return _convnext("small", weights, progress, kwargs)


@register_model(weights=ConvNeXt_Base_Weights)
def convnext_base(
    *, weights: ConvNeXt_Base_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> ConvNeXt:
    """ConvNeXt-B: stages of 128 to 1024 channels, 3-3-27-3 blocks; stochastic_depth_prob defaults to 0.5.

    Arguments as in :func:`convnext_tiny`.
    """
    return _convnext("base", weights, progress, kwargs)


@register_model(weights=ConvNeXt_Large_Weights)
def convnext_large(
    *, weights: ConvNeXt_Large_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> ConvNeXt:
    """ConvNeXt-L: stages of 192 to 1536 channels, 3-3-27-3 blocks; stochastic_depth_prob defaults to 0.5.

    Arguments as in :func:`convnext_tiny`.
    """
    return _convnext("large", weights, progress, kwargs)
