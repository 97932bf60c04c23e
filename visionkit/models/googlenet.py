"""GoogLeNet, or Inception v1 (Szegedy et al., 2015), with its two optional auxiliary classifiers.

In training mode a GoogLeNet built with ``aux_logits=True`` returns :class:`GoogLeNetOutputs` (the main logits
and those of the two auxiliary heads); otherwise it returns the logits alone.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ._api import WeightsEnum, build_model, fix_param, register_model
from ._meta import RECIPE_V1, imagenet_weights

__all__ = ["GoogLeNet", "GoogLeNetOutputs", "GoogLeNet_Weights", "_GoogLeNetOutputs", "googlenet"]


class GoogLeNetOutputs(NamedTuple):
    """What a training GoogLeNet with auxiliary heads returns.

    Attributes:
        logits (Tensor[N, num_classes]): the main classifier's logits.
        aux_logits2 (Tensor[N, num_classes], optional): the head after ``inception4d``.
        aux_logits1 (Tensor[N, num_classes], optional): the head after ``inception4a``.
    """

    logits: Tensor
    aux_logits2: Tensor | None
    aux_logits1: Tensor | None


_GoogLeNetOutputs = GoogLeNetOutputs  # the name torchvision used before 0.8, kept for old code


def warn_default_init(model_name: str) -> None:
    """Warn, as torchvision does, that ``init_weights=None`` (truncated-normal initialisation) may change."""
    warnings.warn(
        f"The default weight initialization of {model_name} will be changed in future releases of "
        "torchvision. If you wish to keep the old behavior (which leads to long initialization times"
        " due to scipy/scipy#11299), please set init_weights=True.",
        FutureWarning,
        stacklevel=3,
    )


def imagenet_to_inception_input(x: Tensor) -> Tensor:
    """Re-normalise images from ImageNet's mean and std to the [-1, 1] range Google's ported weights expect.

    Args:
        x (Tensor[N, 3, H, W]): images normalised with ImageNet's mean and std.

    Returns:
        Tensor[N, 3, H, W]: the same images as ``(pixel - 0.5) / 0.5``.
    """
    channels = [
        torch.unsqueeze(x[:, c], 1) * (std / 0.5) + (mean - 0.5) / 0.5
        for c, (mean, std) in enumerate(((0.485, 0.229), (0.456, 0.224), (0.406, 0.225)))
    ]
    return torch.cat(channels, 1)


class BasicConv2d(nn.Module):
    """A bias-free convolution, batch norm (eps 0.001, as in Google's weights) and an in-place ReLU.

    Args:
        in_channels (int): input channels.
        out_channels (int): output channels.
        **kwargs: further arguments of :class:`torch.nn.Conv2d` (kernel_size, stride, padding...).
    """

    def __init__(self, in_channels: int, out_channels: int, **kwargs: Any) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, bias=False, **kwargs)
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001)

    def forward(self, x: Tensor) -> Tensor:
        """Apply convolution, norm and ReLU to ``x`` (Tensor[N, in_channels, H, W])."""
        return F.relu(self.bn(self.conv(x)), inplace=True)


class Inception(nn.Module):
    """Four parallel branches concatenated along the channels: 1x1; 1x1 then 3x3; 1x1 then 3x3; 3x3 max pool then 1x1.

    The third branch uses a 3x3 kernel where the paper has 5x5: the published weights were trained that way
    (pytorch/vision#906).

    Args:
        in_channels (int): input channels.
        ch1x1 (int): output channels of the 1x1 branch.
        ch3x3red (int): channels of the 1x1 reduction before the 3x3 convolution.
        ch3x3 (int): output channels of the 3x3 branch.
        ch5x5red (int): channels of the 1x1 reduction of the third branch.
        ch5x5 (int): output channels of the third branch.
        pool_proj (int): output channels of the pooling branch.
        conv_block (Callable[..., nn.Module], optional): the convolution block; :class:`BasicConv2d` when None.
    """

    def __init__(
        self,
        in_channels: int,
        ch1x1: int,
        ch3x3red: int,
        ch3x3: int,
        ch5x5red: int,
        ch5x5: int,
        pool_proj: int,
        conv_block: Callable[..., nn.Module] | None = None,
    ) -> None:
        super().__init__()
        conv = BasicConv2d if conv_block is None else conv_block
        self.branch1 = conv(in_channels, ch1x1, kernel_size=1)
        self.branch2 = nn.Sequential(
            conv(in_channels, ch3x3red, kernel_size=1), conv(ch3x3red, ch3x3, kernel_size=3, padding=1)
        )
        self.branch3 = nn.Sequential(
            conv(in_channels, ch5x5red, kernel_size=1), conv(ch5x5red, ch5x5, kernel_size=3, padding=1)
        )
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(kernel_size=3, stride=1, padding=1, ceil_mode=True),
            conv(in_channels, pool_proj, kernel_size=1),
        )

    def forward(self, x: Tensor) -> Tensor:
        """Map ``x`` (Tensor[N, in_channels, H, W]) to Tensor[N, ch1x1 + ch3x3 + ch5x5 + pool_proj, H, W]."""
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class InceptionAux(nn.Module):
    """An auxiliary classifier: 4x4 average pooling, a 1x1 convolution to 128 channels and two linear layers.

    Args:
        in_channels (int): input channels.
        num_classes (int): outputs of the last linear layer.
        conv_block (Callable[..., nn.Module], optional): the convolution block; :class:`BasicConv2d` when None.
        dropout (float): dropout probability between the two linear layers.
    """

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        conv_block: Callable[..., nn.Module] | None = None,
        dropout: float = 0.7,
    ) -> None:
        super().__init__()
        self.conv = (BasicConv2d if conv_block is None else conv_block)(in_channels, 128, kernel_size=1)
        self.fc1 = nn.Linear(2048, 1024)
        self.fc2 = nn.Linear(1024, num_classes)
        self.dropout = nn.Dropout(p=dropout)

    def forward(self, x: Tensor) -> Tensor:
        """Map ``x`` (Tensor[N, in_channels, H, W]) to logits (Tensor[N, num_classes])."""
        x = torch.flatten(self.conv(F.adaptive_avg_pool2d(x, (4, 4))), 1)
        return self.fc2(self.dropout(F.relu(self.fc1(x), inplace=True)))


class GoogLeNet(nn.Module):
    """GoogLeNet: a convolutional stem, nine Inception blocks, global average pooling and a linear head.

    Args:
        num_classes (int): outputs of the classifier (and of the auxiliary heads).
        aux_logits (bool): build the auxiliary heads ``aux1`` and ``aux2``, used in training mode only.
        transform_input (bool): re-normalise ImageNet-normalised inputs to [-1, 1] first, as the ported weights
            expect.
        init_weights (bool, optional): draw convolutions and linear layers from N(0, 0.01) truncated to [-2, 2]
            and start norms as the identity; PyTorch's defaults when False. None means True, with a
            FutureWarning (torchvision's behaviour).
        blocks (list[Callable[..., nn.Module]], optional): the classes for the convolution, Inception and
            auxiliary blocks, in that order; :class:`BasicConv2d`, :class:`Inception` and :class:`InceptionAux`
            when None.
        dropout (float): dropout probability before the classifier.
        dropout_aux (float): dropout probability inside the auxiliary heads.

    Raises:
        ValueError: if ``blocks`` does not hold exactly three entries.

    Shape:
        input (Tensor[N, 3, H, W]) -> logits (Tensor[N, num_classes]), or :class:`GoogLeNetOutputs` in training
        mode with ``aux_logits``.
    """

    def __init__(
        self,
        num_classes: int = 1000,
        aux_logits: bool = True,
        transform_input: bool = False,
        init_weights: bool | None = None,
        blocks: list[Callable[..., nn.Module]] | None = None,
        dropout: float = 0.2,
        dropout_aux: float = 0.7,
    ) -> None:
        super().__init__()
        if blocks is None:
            blocks = [BasicConv2d, Inception, InceptionAux]
        if init_weights is None:
            warn_default_init("GoogleNet")
            init_weights = True
        if len(blocks) != 3:
            raise ValueError(f"`blocks` should hold 3 block classes (conv, inception, aux), got {len(blocks)}")
        conv, inception, aux = blocks
        self.aux_logits = aux_logits
        self.transform_input = transform_input

        self.conv1 = conv(3, 64, kernel_size=7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = conv(64, 64, kernel_size=1)
        self.conv3 = conv(64, 192, kernel_size=3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)

        self.inception3a = inception(192, 64, 96, 128, 16, 32, 32)
        self.inception3b = inception(256, 128, 128, 192, 32, 96, 64)
        self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)

        self.inception4a = inception(480, 192, 96, 208, 16, 48, 64)
        self.inception4b = inception(512, 160, 112, 224, 24, 64, 64)
        self.inception4c = inception(512, 128, 128, 256, 24, 64, 64)
        self.inception4d = inception(512, 112, 144, 288, 32, 64, 64)
        self.inception4e = inception(528, 256, 160, 320, 32, 128, 128)
        self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)

        self.inception5a = inception(832, 256, 160, 320, 32, 128, 128)
        self.inception5b = inception(832, 384, 192, 384, 48, 128, 128)

        self.aux1: nn.Module | None = aux(512, num_classes, dropout=dropout_aux) if aux_logits else None
        self.aux2: nn.Module | None = aux(528, num_classes, dropout=dropout_aux) if aux_logits else None

        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(p=dropout)
        self.fc = nn.Linear(1024, num_classes)
        if init_weights:
            self._init_weights()

    def _init_weights(self) -> None:
        for module in self.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                nn.init.trunc_normal_(module.weight, mean=0.0, std=0.01, a=-2, b=2)
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

    def _aux(self, head: nn.Module | None, x: Tensor) -> Tensor | None:
        return head(x) if head is not None and self.training else None

    def forward(self, x: Tensor) -> Tensor | GoogLeNetOutputs:
        """Classify a batch.

        Args:
            x (Tensor[N, 3, H, W]): normalised images.

        Returns:
            Tensor[N, num_classes] | GoogLeNetOutputs: the logits; in training mode with ``aux_logits``, the
            logits together with those of both auxiliary heads.
        """
        if self.transform_input:
            x = imagenet_to_inception_input(x)
        x = self.maxpool2(self.conv3(self.conv2(self.maxpool1(self.conv1(x)))))
        x = self.inception4a(self.maxpool3(self.inception3b(self.inception3a(x))))
        aux1 = self._aux(self.aux1, x)
        x = self.inception4d(self.inception4c(self.inception4b(x)))
        aux2 = self._aux(self.aux2, x)
        x = self.inception5b(self.inception5a(self.maxpool4(self.inception4e(x))))
        x = self.fc(self.dropout(torch.flatten(self.avgpool(x), 1)))
        if self.training and self.aux_logits:
            return GoogLeNetOutputs(x, aux2, aux1)
        return x


def build_with_aux_heads(
    make: Callable[..., nn.Module], weights: WeightsEnum | None, progress: bool, kwargs: dict[str, Any]
) -> nn.Module:
    """Build an Inception-family model, loading ``weights`` the way torchvision does.

    Google's ported checkpoints hold the auxiliary heads and expect [-1, 1] inputs, so with weights the model
    is built with ``aux_logits=True``, ``init_weights=False`` and, unless given, ``transform_input=True``.
    The caller drops the heads afterwards when they were not asked for.

    Args:
        make (Callable[..., nn.Module]): the model class.
        weights (WeightsEnum, optional): the weights to load.
        progress (bool): show a download progress bar.
        kwargs (dict[str, Any]): the builder's arguments, updated in place.

    Raises:
        ValueError: if ``aux_logits=False``, ``init_weights=True`` or a ``num_classes`` other than the
            categories' count is passed along with ``weights``.
    """
    if weights is not None:
        kwargs.setdefault("transform_input", True)
        fix_param(kwargs, "aux_logits", True, "to load pretrained weights (they hold the auxiliary heads)")
        fix_param(kwargs, "init_weights", False, "when loading pretrained weights")
    return build_model(make, weights, progress, **kwargs)


class GoogLeNet_Weights(WeightsEnum):
    """Weights for :func:`googlenet`, ported from the original paper; their auxiliary heads are not trained."""

    IMAGENET1K_V1 = imagenet_weights(
        "googlenet-1378be20.pth",
        num_params=6624904,
        acc1=69.778,
        acc5=89.53,
        ops=1.498,
        file_size=49.731,
        min_size=(15, 15),
        recipe=f"{RECIPE_V1}#googlenet",
        docs="These weights are ported from the original paper.",
    )
    DEFAULT = IMAGENET1K_V1


@register_model(weights=GoogLeNet_Weights)
def googlenet(*, weights: GoogLeNet_Weights | str | None = None, progress: bool = True, **kwargs: Any) -> GoogLeNet:
    """GoogLeNet (Inception v1) from "Going Deeper with Convolutions" (Szegedy et al., 2015).

    With ``weights``, the input is re-normalised (``transform_input=True``) unless told otherwise, and the
    auxiliary heads are dropped unless ``aux_logits=True`` is passed, with a warning that they are untrained.

    Args:
        weights (GoogLeNet_Weights | str, optional): pretrained weights to load, or None for random ones.
        progress (bool): show a download progress bar.
        **kwargs: arguments of :class:`GoogLeNet` (num_classes, aux_logits, transform_input, init_weights...).

    Returns:
        GoogLeNet: the model.

    Raises:
        ValueError: if an argument passed along with ``weights`` conflicts with them (see
            :func:`build_with_aux_heads`).
    """
    keep_aux = kwargs.get("aux_logits", False)
    model = build_with_aux_heads(GoogLeNet, weights, progress, kwargs)
    if weights is None:
        return model
    if keep_aux:
        warnings.warn(
            "auxiliary heads in the pretrained googlenet model are NOT pretrained, so make sure to train them",
            stacklevel=2,
        )
    else:
        model.aux_logits = False
        model.aux1 = None
        model.aux2 = None
    return model
