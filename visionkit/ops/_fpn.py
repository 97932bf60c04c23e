"""Feature Pyramid Network (Lin et al., 2017) and the blocks that add levels on top of it."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from torch import Tensor, nn
from torch.nn import functional as F

from .misc import Conv2dNormActivation


class ExtraFPNBlock(nn.Module):
    """Base class of the blocks that add levels after the FPN's own.

    ``forward(results, x, names)`` receives the FPN outputs (highest resolution first), the FPN inputs and the
    output names, and returns the extended outputs and names.
    """

    def forward(self, results: list[Tensor], x: list[Tensor], names: list[str]) -> tuple[list[Tensor], list[str]]:
        raise NotImplementedError(f"{type(self).__name__} should implement forward(results, x, names)")


class LastLevelMaxPool(ExtraFPNBlock):
    """Adds a level ``"pool"``: the last output subsampled by 2 (a 1x1 max pool with stride 2), as in Faster R-CNN."""

    def forward(self, results: list[Tensor], x: list[Tensor], names: list[str]) -> tuple[list[Tensor], list[str]]:
        pooled = F.max_pool2d(results[-1], kernel_size=1, stride=2, padding=0)
        return [*results, pooled], [*names, "pool"]


class LastLevelP6P7(ExtraFPNBlock):
    """Adds levels ``"p6"`` and ``"p7"`` with two stride-2 3x3 convolutions, as in RetinaNet.

    P6 is computed from the last FPN output when ``in_channels == out_channels``, else from the last FPN input.

    Args:
        in_channels (int): channels of the tensor P6 is computed from.
        out_channels (int): channels of P6 and P7.
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.p6 = nn.Conv2d(in_channels, out_channels, 3, 2, 1)
        self.p7 = nn.Conv2d(out_channels, out_channels, 3, 2, 1)
        for conv in (self.p6, self.p7):
            nn.init.kaiming_uniform_(conv.weight, a=1)
            nn.init.constant_(conv.bias, 0)
        self.use_P5 = in_channels == out_channels

    def forward(self, results: list[Tensor], x: list[Tensor], names: list[str]) -> tuple[list[Tensor], list[str]]:
        p6 = self.p6(results[-1] if self.use_P5 else x[-1])
        p7 = self.p7(F.relu(p6))
        return [*results, p6, p7], [*names, "p6", "p7"]


class FeaturePyramidNetwork(nn.Module):
    """Feature Pyramid Network: merges feature maps of decreasing resolution top-down so that every level carries
    high-level semantics.

    Each input level gets a 1x1 lateral convolution to ``out_channels`` (``inner_blocks``); from the coarsest
    level down, the running sum is upsampled (nearest) to the next level and added to its lateral; a 3x3
    convolution (``layer_blocks``) then smooths each sum into an output.

    Args:
        in_channels_list (list[int]): channels of each input level, highest resolution first.
        out_channels (int): channels of every output level.
        extra_blocks (ExtraFPNBlock, optional): adds levels after the last one, e.g. :class:`LastLevelMaxPool`.
        norm_layer (Callable[..., nn.Module], optional): normalisation after each convolution; None for none.
    """

    def __init__(
        self,
        in_channels_list: list[int],
        out_channels: int,
        extra_blocks: ExtraFPNBlock | None = None,
        norm_layer: Callable[..., nn.Module] | None = None,
    ) -> None:
        super().__init__()
        if any(channels <= 0 for channels in in_channels_list):
            raise ValueError(f"`in_channels_list` should hold positive channel counts, got {in_channels_list}")
        if extra_blocks is not None and not isinstance(extra_blocks, ExtraFPNBlock):
            raise TypeError(f"`extra_blocks` should be an ExtraFPNBlock, got {type(extra_blocks).__name__}")
        self.inner_blocks = nn.ModuleList()
        self.layer_blocks = nn.ModuleList()
        for in_channels in in_channels_list:
            self.inner_blocks.append(
                Conv2dNormActivation(
                    in_channels, out_channels, kernel_size=1, padding=0, norm_layer=norm_layer, activation_layer=None
                )
            )
            self.layer_blocks.append(
                Conv2dNormActivation(
                    out_channels, out_channels, kernel_size=3, norm_layer=norm_layer, activation_layer=None
                )
            )
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_uniform_(module.weight, a=1)
                if module.bias is not None:
                    nn.init.constant_(module.bias, 0)
        self.extra_blocks = extra_blocks

    def forward(self, x: dict[str, Tensor]) -> OrderedDict[str, Tensor]:
        """Compute the pyramid.

        Args:
            x (dict[str, Tensor]): feature maps of each level, highest resolution first.

        Returns:
            OrderedDict[str, Tensor]: the output of each level under the input's name (then those of the extra
            blocks), highest resolution first, each with ``out_channels`` channels.
        """
        names, features = list(x.keys()), list(x.values())
        last_inner = self.inner_blocks[-1](features[-1])
        results = [self.layer_blocks[-1](last_inner)]
        for level in range(len(features) - 2, -1, -1):
            lateral = self.inner_blocks[level](features[level])
            last_inner = lateral + F.interpolate(last_inner, size=lateral.shape[-2:], mode="nearest")
            results.insert(0, self.layer_blocks[level](last_inner))
        if self.extra_blocks is not None:
            results, names = self.extra_blocks(results, features, names)
        return OrderedDict(zip(names, results, strict=True))
