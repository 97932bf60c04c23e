"""DenseNet-BC 121, 161, 169 and 201 (Huang et al., 2017): every layer of a block sees all earlier feature maps.

The published checkpoints predate PyTorch's ban on dots in module names and store ``denselayerN.norm.1.weight``
where the model has ``denselayerN.norm1.weight``; the builders rename those keys while loading.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from functools import partial
from typing import Any

import torch
import torch.nn.functional as F
import torch.utils.checkpoint as cp
from torch import Tensor, nn

from ._api import WeightsEnum, fix_param, register_model
from ._meta import imagenet_weights

__all__ = [
    "DenseNet",
    "DenseNet121_Weights",
    "DenseNet161_Weights",
    "DenseNet169_Weights",
    "DenseNet201_Weights",
    "densenet121",
    "densenet161",
    "densenet169",
    "densenet201",
]


class _DenseLayer(nn.Module):
    """BN-ReLU-1x1 conv (to ``bn_size * growth_rate`` channels), then BN-ReLU-3x3 conv to ``growth_rate`` channels.

    Args:
        num_input_features (int): channels of all earlier feature maps together.
        growth_rate (int): channels this layer adds (``k`` in the paper).
        bn_size (int): width of the bottleneck, in multiples of ``growth_rate``.
        drop_rate (float): dropout probability on the new features.
        memory_efficient (bool): recompute the bottleneck during the backward pass instead of storing it
            (gradient checkpointing): less memory, slower training.
    """

    def __init__(
        self, num_input_features: int, growth_rate: int, bn_size: int, drop_rate: float, memory_efficient: bool = False
    ) -> None:
        super().__init__()
        self.norm1 = nn.BatchNorm2d(num_input_features)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(num_input_features, bn_size * growth_rate, kernel_size=1, stride=1, bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, kernel_size=3, stride=1, padding=1, bias=False)
        self.drop_rate = float(drop_rate)
        self.memory_efficient = memory_efficient

    def bn_function(self, inputs: list[Tensor]) -> Tensor:
        """The bottleneck: concatenate ``inputs`` along the channels, then norm, ReLU and the 1x1 convolution."""
        return self.conv1(self.relu1(self.norm1(torch.cat(inputs, 1))))

    def any_requires_grad(self, inputs: list[Tensor]) -> bool:
        """Whether a backward pass will reach any of ``inputs`` (checkpointing only pays off then)."""
        return any(tensor.requires_grad for tensor in inputs)

    def call_checkpoint_bottleneck(self, inputs: list[Tensor]) -> Tensor:
        """Run :meth:`bn_function` under gradient checkpointing."""
        return cp.checkpoint(lambda *tensors: self.bn_function(list(tensors)), *inputs, use_reentrant=False)

    def forward(self, input: Tensor | list[Tensor]) -> Tensor:
        """Compute the new features from one tensor or the list of all earlier feature maps.

        Args:
            input (Tensor[N, C, H, W] | list[Tensor]): earlier feature maps, ``num_input_features`` channels
                in total.

        Returns:
            Tensor[N, growth_rate, H, W]: the new features.
        """
        previous = [input] if isinstance(input, Tensor) else input
        if self.memory_efficient and self.any_requires_grad(previous):
            bottleneck = self.call_checkpoint_bottleneck(previous)
        else:
            bottleneck = self.bn_function(previous)
        new_features = self.conv2(self.relu2(self.norm2(bottleneck)))
        if self.drop_rate > 0:
            new_features = F.dropout(new_features, p=self.drop_rate, training=self.training)
        return new_features


class _DenseBlock(nn.ModuleDict):
    """``num_layers`` dense layers; each gets the block input and every earlier layer's output.

    Args:
        num_layers (int): number of dense layers.
        num_input_features (int): channels of the block's input.
        bn_size (int): bottleneck width, in multiples of ``growth_rate``.
        growth_rate (int): channels each layer adds.
        drop_rate (float): dropout probability on each layer's new features.
        memory_efficient (bool): use gradient checkpointing in the layers.

    Shape:
        input (Tensor[N, C, H, W]) -> Tensor[N, C + num_layers * growth_rate, H, W].
    """

    _version = 2  # state_dicts of version 1 carried the dotted key names

    def __init__(
        self,
        num_layers: int,
        num_input_features: int,
        bn_size: int,
        growth_rate: int,
        drop_rate: float,
        memory_efficient: bool = False,
    ) -> None:
        super().__init__()
        for i in range(num_layers):
            layer = _DenseLayer(
                num_input_features + i * growth_rate,
                growth_rate=growth_rate,
                bn_size=bn_size,
                drop_rate=drop_rate,
                memory_efficient=memory_efficient,
            )
            self.add_module(f"denselayer{i + 1}", layer)

    def forward(self, init_features: Tensor) -> Tensor:
        """Grow ``init_features`` by every layer's output and return their concatenation."""
        features = [init_features]
        for layer in self.values():
            features.append(layer(features))
        return torch.cat(features, 1)


class _Transition(nn.Sequential):
    """Between blocks: BN, ReLU, a 1x1 convolution and 2x2 average pooling (halves resolution and, here, width).

    Args:
        num_input_features (int): input channels.
        num_output_features (int): output channels.
    """

    def __init__(self, num_input_features: int, num_output_features: int) -> None:
        super().__init__()
        self.norm = nn.BatchNorm2d(num_input_features)
        self.relu = nn.ReLU(inplace=True)
        self.conv = nn.Conv2d(num_input_features, num_output_features, kernel_size=1, stride=1, bias=False)
        self.pool = nn.AvgPool2d(kernel_size=2, stride=2)


class DenseNet(nn.Module):
    """DenseNet-BC: a 7x7 stem, four dense blocks joined by transitions, a final norm and a linear head.

    Convolutions start Kaiming-normal (fan-in), norms as the identity and the head's bias at zero, as in
    torchvision.

    Args:
        growth_rate (int): channels each dense layer adds (``k`` in the paper).
        block_config (tuple[int, int, int, int]): number of dense layers in each block.
        num_init_features (int): output channels of the stem convolution.
        bn_size (int): bottleneck width of the dense layers, in multiples of ``growth_rate``.
        drop_rate (float): dropout probability after each dense layer.
        num_classes (int): outputs of the linear head.
        memory_efficient (bool): use gradient checkpointing in the dense layers: much less memory when
            training, but slower (Pleiss et al., 2017).

    Shape:
        input (Tensor[N, 3, H, W]) with H, W >= 29 -> logits (Tensor[N, num_classes]).
    """

    def __init__(
        self,
        growth_rate: int = 32,
        block_config: tuple[int, int, int, int] = (6, 12, 24, 16),
        num_init_features: int = 64,
        bn_size: int = 4,
        drop_rate: float = 0,
        num_classes: int = 1000,
        memory_efficient: bool = False,
    ) -> None:
        super().__init__()
        stem = [
            ("conv0", nn.Conv2d(3, num_init_features, kernel_size=7, stride=2, padding=3, bias=False)),
            ("norm0", nn.BatchNorm2d(num_init_features)),
            ("relu0", nn.ReLU(inplace=True)),
            ("pool0", nn.MaxPool2d(kernel_size=3, stride=2, padding=1)),
        ]
        self.features = nn.Sequential(OrderedDict(stem))
        channels = num_init_features
        for i, num_layers in enumerate(block_config, start=1):
            block = _DenseBlock(num_layers, channels, bn_size, growth_rate, drop_rate, memory_efficient)
            self.features.add_module(f"denseblock{i}", block)
            channels += num_layers * growth_rate
            if i < len(block_config):
                self.features.add_module(f"transition{i}", _Transition(channels, channels // 2))
                channels //= 2
        self.features.add_module("norm5", nn.BatchNorm2d(channels))
        self.classifier = nn.Linear(channels, num_classes)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight)
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Linear):
                nn.init.zeros_(module.bias)

    def forward(self, x: Tensor) -> Tensor:
        """Classify a batch.

        Args:
            x (Tensor[N, 3, H, W]): normalised images.

        Returns:
            Tensor[N, num_classes]: logits.
        """
        out = F.adaptive_avg_pool2d(F.relu(self.features(x), inplace=True), (1, 1))
        return self.classifier(torch.flatten(out, 1))


# "denselayer3.norm.1.weight" -> "denselayer3.norm1.weight" (and conv.2, running_mean... alike)
_DOTTED_KEY = re.compile(
    r"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$"
)


def undot_legacy_keys(state_dict: dict[str, Tensor]) -> dict[str, Tensor]:
    """Rename the dotted dense-layer keys of the published checkpoints to the model's names, keeping the order.

    Args:
        state_dict (dict[str, Tensor]): a DenseNet state_dict, with old (``norm.1``) or current (``norm1``) keys.

    Returns:
        dict[str, Tensor]: the same tensors under the current key names.
    """
    return OrderedDict((_DOTTED_KEY.sub(r"\1\2", key), value) for key, value in state_dict.items())


def _densenet(
    growth_rate: int,
    block_config: tuple[int, int, int, int],
    num_init_features: int,
    weights: WeightsEnum | None,
    progress: bool,
    **kwargs: Any,
) -> DenseNet:
    if weights is not None:
        fix_param(kwargs, "num_classes", len(weights.meta["categories"]), f"to match the categories of {weights!r}")
    model = DenseNet(growth_rate, block_config, num_init_features, **kwargs)
    if weights is not None:
        model.load_state_dict(undot_legacy_keys(weights.get_state_dict(progress=progress)))
    return model


_weights = partial(
    imagenet_weights,
    min_size=(29, 29),
    recipe="https://github.com/pytorch/vision/pull/116",
    docs="These weights are ported from LuaTorch.",
)


class DenseNet121_Weights(WeightsEnum):
    """Weights for :func:`densenet121`."""

    IMAGENET1K_V1 = _weights(
        "densenet121-a639ec97.pth", num_params=7978856, acc1=74.434, acc5=91.972, ops=2.834, file_size=30.845
    )
    DEFAULT = IMAGENET1K_V1


class DenseNet161_Weights(WeightsEnum):
    """Weights for :func:`densenet161`."""

    IMAGENET1K_V1 = _weights(
        "densenet161-8d451a50.pth", num_params=28681000, acc1=77.138, acc5=93.56, ops=7.728, file_size=110.369
    )
    DEFAULT = IMAGENET1K_V1


class DenseNet169_Weights(WeightsEnum):
    """Weights for :func:`densenet169`."""

    IMAGENET1K_V1 = _weights(
        "densenet169-b2777c0a.pth", num_params=14149480, acc1=75.6, acc5=92.806, ops=3.36, file_size=54.708
    )
    DEFAULT = IMAGENET1K_V1


class DenseNet201_Weights(WeightsEnum):
    """Weights for :func:`densenet201`."""

    IMAGENET1K_V1 = _weights(
        "densenet201-c1103571.pth", num_params=20013928, acc1=76.896, acc5=93.37, ops=4.291, file_size=77.373
    )
    DEFAULT = IMAGENET1K_V1


@register_model(weights=DenseNet121_Weights)
def densenet121(*, weights: DenseNet121_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> DenseNet:
    """DenseNet-121 from "Densely Connected Convolutional Networks" (Huang et al., 2017): k=32, blocks 6-12-24-16.

    Args:
        weights (DenseNet121_Weights | str, optional): pretrained weights to load, or None for random ones.
        progress (bool): show a download progress bar.
        **kwargs: arguments of :class:`DenseNet` (num_classes, drop_rate, bn_size, memory_efficient).

    Returns:
        DenseNet: the model.

    Raises:
        ValueError: if ``num_classes`` differs from the number of categories of ``weights``.
    """
    return _densenet(32, (6, 12, 24, 16), 64, weights, progress, **kwargs)


@register_model(weights=DenseNet161_Weights)
def densenet161(*, weights: DenseNet161_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> DenseNet:
    """DenseNet-161 (Huang et al., 2017): k=48, a 96-channel stem, blocks 6-12-36-24. Arguments as in
    :func:`densenet121`."""
    return _densenet(48, (6, 12, 36, 24), 96, weights, progress, **kwargs)


@register_model(weights=DenseNet169_Weights)
def densenet169(*, weights: DenseNet169_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> DenseNet:
    """DenseNet-169 (Huang et al., 2017): k=32, blocks 6-12-32-32. Arguments as in :func:`densenet121`."""
    return _densenet(32, (6, 12, 32, 32), 64, weights, progress, **kwargs)


@register_model(weights=DenseNet201_Weights)
def densenet201(*, weights: DenseNet201_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> DenseNet:
    """DenseNet-201 (Huang et al., 2017): k=32, blocks 6-12-48-32. Arguments as in :func:`densenet121`."""
    return _densenet(32, (6, 12, 48, 32), 64, weights, progress, **kwargs)
