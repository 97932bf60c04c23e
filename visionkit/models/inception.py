"""Inception v3 (Szegedy et al., 2016), with its optional auxiliary classifier; it expects 299x299 inputs.

In training mode an Inception3 built with ``aux_logits=True`` returns :class:`InceptionOutputs` (the main
logits and the auxiliary head's); otherwise it returns the logits alone. The convolution block is GoogLeNet's
:class:`~visionkit.models.googlenet.BasicConv2d`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ._api import WeightsEnum, register_model
from ._meta import RECIPE_V1, imagenet_weights
from .googlenet import BasicConv2d, build_with_aux_heads, imagenet_to_inception_input, warn_default_init

__all__ = ["Inception3", "InceptionOutputs", "Inception_V3_Weights", "_InceptionOutputs", "inception_v3"]


class InceptionOutputs(NamedTuple):
    """What a training Inception3 with the auxiliary head returns.

    Attributes:
        logits (Tensor[N, num_classes]): the main classifier's logits.
        aux_logits (Tensor[N, num_classes], optional): the auxiliary head's logits (after ``Mixed_6e``).
    """

    logits: Tensor
    aux_logits: Tensor | None


_InceptionOutputs = InceptionOutputs  # the name torchvision used before 0.8, kept for old code

ConvBlock = Callable[..., nn.Module]


def _pool_3x3(x: Tensor) -> Tensor:
    """The stride-1 average pool in front of the pooling branches of blocks A, C and E."""
    return F.avg_pool2d(x, kernel_size=3, stride=1, padding=1)


def _reduce_3x3(x: Tensor) -> Tensor:
    """The stride-2 max pool of the grid-reduction blocks B and D."""
    return F.max_pool2d(x, kernel_size=3, stride=2)


class InceptionA(nn.Module):
    """35x35 block: 1x1, 5x5 and double-3x3 branches plus a pooled 1x1 branch, concatenated (224 + pool_features).

    Args:
        in_channels (int): input channels.
        pool_features (int): output channels of the pooling branch.
        conv_block (Callable[..., nn.Module], optional): the convolution block; BasicConv2d when None.
    """

    def __init__(self, in_channels: int, pool_features: int, conv_block: ConvBlock | None = None) -> None:
        super().__init__()
        conv = BasicConv2d if conv_block is None else conv_block
        self.branch1x1 = conv(in_channels, 64, kernel_size=1)
        self.branch5x5_1 = conv(in_channels, 48, kernel_size=1)
        self.branch5x5_2 = conv(48, 64, kernel_size=5, padding=2)
        self.branch3x3dbl_1 = conv(in_channels, 64, kernel_size=1)
        self.branch3x3dbl_2 = conv(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = conv(96, 96, kernel_size=3, padding=1)
        self.branch_pool = conv(in_channels, pool_features, kernel_size=1)

    def forward(self, x: Tensor) -> Tensor:
        """Map Tensor[N, in_channels, H, W] to Tensor[N, 224 + pool_features, H, W]."""
        branches = [
            self.branch1x1(x),
            self.branch5x5_2(self.branch5x5_1(x)),
            self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x))),
            self.branch_pool(_pool_3x3(x)),
        ]
        return torch.cat(branches, 1)


class InceptionB(nn.Module):
    """Grid reduction 35x35 -> 17x17: strided 3x3 and double-3x3 branches and a max pool (480 + in_channels).

    Args:
        in_channels (int): input channels.
        conv_block (Callable[..., nn.Module], optional): the convolution block; BasicConv2d when None.
    """

    def __init__(self, in_channels: int, conv_block: ConvBlock | None = None) -> None:
        super().__init__()
        conv = BasicConv2d if conv_block is None else conv_block
        self.branch3x3 = conv(in_channels, 384, kernel_size=3, stride=2)
        self.branch3x3dbl_1 = conv(in_channels, 64, kernel_size=1)
        self.branch3x3dbl_2 = conv(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = conv(96, 96, kernel_size=3, stride=2)

    def forward(self, x: Tensor) -> Tensor:
        """Map Tensor[N, in_channels, H, W] to Tensor[N, 480 + in_channels, (H - 3) // 2 + 1, (W - 3) // 2 + 1]."""
        branches = [
            self.branch3x3(x),
            self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x))),
            _reduce_3x3(x),
        ]
        return torch.cat(branches, 1)


class InceptionC(nn.Module):
    """17x17 block with factorised 7x7 convolutions (1x7 and 7x1): four branches of 192 channels each.

    Args:
        in_channels (int): input channels.
        channels_7x7 (int): width inside the factorised 7x7 branches.
        conv_block (Callable[..., nn.Module], optional): the convolution block; BasicConv2d when None.
    """

    def __init__(self, in_channels: int, channels_7x7: int, conv_block: ConvBlock | None = None) -> None:
        super().__init__()
        conv = BasicConv2d if conv_block is None else conv_block
        c7 = channels_7x7
        row = {"kernel_size": (1, 7), "padding": (0, 3)}
        column = {"kernel_size": (7, 1), "padding": (3, 0)}
        self.branch1x1 = conv(in_channels, 192, kernel_size=1)
        self.branch7x7_1 = conv(in_channels, c7, kernel_size=1)
        self.branch7x7_2 = conv(c7, c7, **row)
        self.branch7x7_3 = conv(c7, 192, **column)
        self.branch7x7dbl_1 = conv(in_channels, c7, kernel_size=1)
        self.branch7x7dbl_2 = conv(c7, c7, **column)
        self.branch7x7dbl_3 = conv(c7, c7, **row)
        self.branch7x7dbl_4 = conv(c7, c7, **column)
        self.branch7x7dbl_5 = conv(c7, 192, **row)
        self.branch_pool = conv(in_channels, 192, kernel_size=1)

    def forward(self, x: Tensor) -> Tensor:
        """Map Tensor[N, in_channels, H, W] to Tensor[N, 768, H, W]."""
        branch1x1 = self.branch1x1(x)
        single = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        double = self.branch7x7dbl_3(self.branch7x7dbl_2(self.branch7x7dbl_1(x)))
        double = self.branch7x7dbl_5(self.branch7x7dbl_4(double))
        return torch.cat([branch1x1, single, double, self.branch_pool(_pool_3x3(x))], 1)


class InceptionD(nn.Module):
    """Grid reduction 17x17 -> 8x8: a 3x3 branch, a 7x7-then-3x3 branch and a max pool (512 + in_channels).

    Args:
        in_channels (int): input channels.
        conv_block (Callable[..., nn.Module], optional): the convolution block; BasicConv2d when None.
    """

    def __init__(self, in_channels: int, conv_block: ConvBlock | None = None) -> None:
        super().__init__()
        conv = BasicConv2d if conv_block is None else conv_block
        self.branch3x3_1 = conv(in_channels, 192, kernel_size=1)
        self.branch3x3_2 = conv(192, 320, kernel_size=3, stride=2)
        self.branch7x7x3_1 = conv(in_channels, 192, kernel_size=1)
        self.branch7x7x3_2 = conv(192, 192, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7x3_3 = conv(192, 192, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7x3_4 = conv(192, 192, kernel_size=3, stride=2)

    def forward(self, x: Tensor) -> Tensor:
        """Map Tensor[N, in_channels, H, W] to Tensor[N, 512 + in_channels, (H - 3) // 2 + 1, (W - 3) // 2 + 1]."""
        branch3x3 = self.branch3x3_2(self.branch3x3_1(x))
        seven = self.branch7x7x3_3(self.branch7x7x3_2(self.branch7x7x3_1(x)))
        return torch.cat([branch3x3, self.branch7x7x3_4(seven), _reduce_3x3(x)], 1)


class InceptionE(nn.Module):
    """8x8 block whose 3x3 branches split into parallel 1x3 and 3x1 convolutions: 2048 output channels.

    Args:
        in_channels (int): input channels.
        conv_block (Callable[..., nn.Module], optional): the convolution block; BasicConv2d when None.
    """

    def __init__(self, in_channels: int, conv_block: ConvBlock | None = None) -> None:
        super().__init__()
        conv = BasicConv2d if conv_block is None else conv_block
        row = {"kernel_size": (1, 3), "padding": (0, 1)}
        column = {"kernel_size": (3, 1), "padding": (1, 0)}
        self.branch1x1 = conv(in_channels, 320, kernel_size=1)
        self.branch3x3_1 = conv(in_channels, 384, kernel_size=1)
        self.branch3x3_2a = conv(384, 384, **row)
        self.branch3x3_2b = conv(384, 384, **column)
        self.branch3x3dbl_1 = conv(in_channels, 448, kernel_size=1)
        self.branch3x3dbl_2 = conv(448, 384, kernel_size=3, padding=1)
        self.branch3x3dbl_3a = conv(384, 384, **row)
        self.branch3x3dbl_3b = conv(384, 384, **column)
        self.branch_pool = conv(in_channels, 192, kernel_size=1)

    def forward(self, x: Tensor) -> Tensor:
        """Map Tensor[N, in_channels, H, W] to Tensor[N, 2048, H, W]."""
        branch1x1 = self.branch1x1(x)
        single = self.branch3x3_1(x)
        single = torch.cat([self.branch3x3_2a(single), self.branch3x3_2b(single)], 1)
        double = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        double = torch.cat([self.branch3x3dbl_3a(double), self.branch3x3dbl_3b(double)], 1)
        return torch.cat([branch1x1, single, double, self.branch_pool(_pool_3x3(x))], 1)


class InceptionAux(nn.Module):
    """The auxiliary classifier on the 17x17 grid: 5x5 average pooling, 1x1 and 5x5 convolutions, a linear layer.

    Args:
        in_channels (int): input channels.
        num_classes (int): outputs of the linear layer.
        conv_block (Callable[..., nn.Module], optional): the convolution block; BasicConv2d when None.
    """

    def __init__(self, in_channels: int, num_classes: int, conv_block: ConvBlock | None = None) -> None:
        super().__init__()
        conv = BasicConv2d if conv_block is None else conv_block
        self.conv0 = conv(in_channels, 128, kernel_size=1)
        self.conv1 = conv(128, 768, kernel_size=5)
        self.fc = nn.Linear(768, num_classes)
        self.fc.stddev = 0.001  # read by Inception3's initialisation

    def forward(self, x: Tensor) -> Tensor:
        """Map ``x`` (Tensor[N, in_channels, 17, 17]) to logits (Tensor[N, num_classes])."""
        x = self.conv1(self.conv0(F.avg_pool2d(x, kernel_size=5, stride=3)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, (1, 1)), 1))


class Inception3(nn.Module):
    """Inception v3: a convolutional stem, blocks A (x3), B, C (x4), D and E (x2), pooling and a linear head.

    Args:
        num_classes (int): outputs of the classifier (and of the auxiliary head).
        aux_logits (bool): build the auxiliary head ``AuxLogits``, used in training mode only.
        transform_input (bool): re-normalise ImageNet-normalised inputs to [-1, 1] first, as the ported weights
            expect.
        inception_blocks (list[Callable[..., nn.Module]], optional): the classes for the convolution block,
            blocks A to E and the auxiliary head, in that order (7 entries); this module's classes when None.
        init_weights (bool, optional): draw convolutions and linear layers from a normal truncated to [-2, 2]
            (std 0.1; 0.001 for a layer with a ``stddev`` attribute such as the auxiliary ``fc``) and start
            norms as the identity; PyTorch's defaults when False. None means True, with a FutureWarning
            (torchvision's behaviour).
        dropout (float): dropout probability before the classifier.

    Raises:
        ValueError: if ``inception_blocks`` does not hold exactly seven entries.

    Shape:
        input (Tensor[N, 3, H, W]) with H, W >= 75 (299 for the auxiliary head) -> logits
        (Tensor[N, num_classes]), or :class:`InceptionOutputs` in training mode with ``aux_logits``.
    """

    def __init__(
        self,
        num_classes: int = 1000,
        aux_logits: bool = True,
        transform_input: bool = False,
        inception_blocks: list[Callable[..., nn.Module]] | None = None,
        init_weights: bool | None = None,
        dropout: float = 0.5,
    ) -> None:
        super().__init__()
        if inception_blocks is None:
            inception_blocks = [BasicConv2d, InceptionA, InceptionB, InceptionC, InceptionD, InceptionE, InceptionAux]
        if init_weights is None:
            warn_default_init("inception_v3")
            init_weights = True
        if len(inception_blocks) != 7:
            raise ValueError(
                f"`inception_blocks` should hold 7 block classes (conv, A-E, aux), got {len(inception_blocks)}"
            )
        conv, block_a, block_b, block_c, block_d, block_e, aux = inception_blocks
        self.aux_logits = aux_logits
        self.transform_input = transform_input
        self.Conv2d_1a_3x3 = conv(3, 32, kernel_size=3, stride=2)
        self.Conv2d_2a_3x3 = conv(32, 32, kernel_size=3)
        self.Conv2d_2b_3x3 = conv(32, 64, kernel_size=3, padding=1)
        self.maxpool1 = nn.MaxPool2d(kernel_size=3, stride=2)
        self.Conv2d_3b_1x1 = conv(64, 80, kernel_size=1)
        self.Conv2d_4a_3x3 = conv(80, 192, kernel_size=3)
        self.maxpool2 = nn.MaxPool2d(kernel_size=3, stride=2)
        self.Mixed_5b = block_a(192, pool_features=32)
        self.Mixed_5c = block_a(256, pool_features=64)
        self.Mixed_5d = block_a(288, pool_features=64)
        self.Mixed_6a = block_b(288)
        self.Mixed_6b = block_c(768, channels_7x7=128)
        self.Mixed_6c = block_c(768, channels_7x7=160)
        self.Mixed_6d = block_c(768, channels_7x7=160)
        self.Mixed_6e = block_c(768, channels_7x7=192)
        self.AuxLogits: nn.Module | None = aux(768, num_classes) if aux_logits else None
        self.Mixed_7a = block_d(768)
        self.Mixed_7b = block_e(1280)
        self.Mixed_7c = block_e(2048)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(p=dropout)
        self.fc = nn.Linear(2048, num_classes)
        if init_weights:
            self._init_weights()

    def _init_weights(self) -> None:
        # Only layers tagged with `stddev` (the auxiliary fc) differ: the auxiliary head's 5x5 convolution sits
        # inside a BasicConv2d and gets 0.1 like every other convolution, as in torchvision.
        for module in self.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                std = float(getattr(module, "stddev", 0.1))
                nn.init.trunc_normal_(module.weight, mean=0.0, std=std, a=-2, b=2)
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

    def forward(self, x: Tensor) -> Tensor | InceptionOutputs:
        """Classify a batch.

        Args:
            x (Tensor[N, 3, H, W]): normalised images, ideally 299x299.

        Returns:
            Tensor[N, num_classes] | InceptionOutputs: the logits; in training mode with ``aux_logits``, the
            logits together with the auxiliary head's.
        """
        if self.transform_input:
            x = imagenet_to_inception_input(x)
        x = self.maxpool1(self.Conv2d_2b_3x3(self.Conv2d_2a_3x3(self.Conv2d_1a_3x3(x))))
        x = self.maxpool2(self.Conv2d_4a_3x3(self.Conv2d_3b_1x1(x)))
        x = self.Mixed_6a(self.Mixed_5d(self.Mixed_5c(self.Mixed_5b(x))))
        x = self.Mixed_6e(self.Mixed_6d(self.Mixed_6c(self.Mixed_6b(x))))
        aux = self.AuxLogits(x) if self.AuxLogits is not None and self.training else None
        x = self.avgpool(self.Mixed_7c(self.Mixed_7b(self.Mixed_7a(x))))
        x = self.fc(torch.flatten(self.dropout(x), 1))
        if self.training and self.aux_logits:
            return InceptionOutputs(x, aux)
        return x


class Inception_V3_Weights(WeightsEnum):
    """Weights for :func:`inception_v3`, ported from the original paper; they expect 299x299 crops."""

    IMAGENET1K_V1 = imagenet_weights(
        "inception_v3_google-0cc3c7bd.pth",
        num_params=27161264,
        acc1=77.294,
        acc5=93.45,
        ops=5.713,
        file_size=103.903,
        min_size=(75, 75),
        resize_size=342,
        crop_size=299,
        recipe=f"{RECIPE_V1}#inception-v3",
        docs="These weights are ported from the original paper.",
    )
    DEFAULT = IMAGENET1K_V1


@register_model(weights=Inception_V3_Weights)
def inception_v3(
    *, weights: Inception_V3_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> Inception3:
    """Inception v3 from "Rethinking the Inception Architecture for Computer Vision" (Szegedy et al., 2016).

    Unlike the other classifiers it expects N x 3 x 299 x 299 inputs. With ``weights``, the input is
    re-normalised (``transform_input=True``) unless told otherwise and the auxiliary head is always kept (the
    checkpoint holds it; ``aux_logits=False`` is refused, as in torchvision).

    Args:
        weights (Inception_V3_Weights | str, optional): pretrained weights to load, or None for random ones.
        progress (bool): show a download progress bar.
        **kwargs: arguments of :class:`Inception3` (num_classes, aux_logits, transform_input, init_weights...).

    Returns:
        Inception3: the model.

    Raises:
        ValueError: if an argument passed along with ``weights`` conflicts with them (see
            :func:`~visionkit.models.googlenet.build_with_aux_heads`).
    """
    return build_with_aux_heads(Inception3, weights, progress, kwargs)
