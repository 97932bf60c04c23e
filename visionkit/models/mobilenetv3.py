"""MobileNetV3 Large and Small (Howard et al., 2019): MobileNetV2 blocks with squeeze-and-excitation and h-swish."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from torch import Tensor, nn

from ..ops.misc import Conv2dNormActivation, SqueezeExcitation
from ._api import WeightsEnum, build_model, register_model
from ._meta import DOCS_V1, DOCS_V2, RECIPE_V1, RECIPE_V2, imagenet_weights
from ._utils import init_weights_, make_divisible, pooled_logits

__all__ = [
    "InvertedResidual",
    "InvertedResidualConfig",
    "MobileNetV3",
    "MobileNet_V3_Large_Weights",
    "MobileNet_V3_Small_Weights",
    "mobilenet_v3_large",
    "mobilenet_v3_small",
]

_ACTIVATIONS: dict[str, Callable[..., nn.Module]] = {"RE": nn.ReLU, "HS": nn.Hardswish}
_HARD_SQUEEZE_EXCITATION = partial(SqueezeExcitation, scale_activation=nn.Hardsigmoid)


class InvertedResidualConfig:
    """One MobileNetV3 block, as a row of the paper's Tables 1 and 2.

    Args:
        input_channels (int): input channels before ``width_mult``.
        kernel (int): size of the depthwise kernel.
        expanded_channels (int): hidden channels before ``width_mult``.
        out_channels (int): output channels before ``width_mult``.
        use_se (bool): whether the block has squeeze-and-excitation.
        activation (str): "RE" for ReLU or "HS" for hard-swish.
        stride (int): stride of the depthwise convolution.
        dilation (int): dilation of the depthwise convolution.
        width_mult (float): multiplies the channel counts, which are then rounded to multiples of 8.
    """

    def __init__(
        self,
        input_channels: int,
        kernel: int,
        expanded_channels: int,
        out_channels: int,
        use_se: bool,
        activation: str,
        stride: int,
        dilation: int,
        width_mult: float,
    ) -> None:
        if activation not in _ACTIVATIONS:
            raise ValueError(f"`activation` should be one of {list(_ACTIVATIONS)}, got {activation!r}")
        self.input_channels = self.adjust_channels(input_channels, width_mult)
        self.kernel = kernel
        self.expanded_channels = self.adjust_channels(expanded_channels, width_mult)
        self.out_channels = self.adjust_channels(out_channels, width_mult)
        self.use_se = use_se
        self.use_hs = activation == "HS"
        self.stride = stride
        self.dilation = dilation

    @staticmethod
    def adjust_channels(channels: int, width_mult: float) -> int:
        """Scale ``channels`` by ``width_mult`` and round to a multiple of 8."""
        return make_divisible(channels * width_mult, 8)


class InvertedResidual(nn.Module):
    """Optional 1x1 expansion, depthwise convolution, optional squeeze-and-excitation, linear 1x1 projection.

    Args:
        cnf (InvertedResidualConfig): the block's configuration.
        norm_layer (Callable[..., nn.Module]): normalisation layer.
        se_layer (Callable[..., nn.Module]): built as ``se_layer(channels, squeeze_channels)``.
    """

    def __init__(
        self,
        cnf: InvertedResidualConfig,
        norm_layer: Callable[..., nn.Module],
        se_layer: Callable[..., nn.Module] = _HARD_SQUEEZE_EXCITATION,
    ) -> None:
        super().__init__()
        if cnf.stride not in (1, 2):
            raise ValueError(f"`cnf.stride` should be 1 or 2, got {cnf.stride}")
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        activation = nn.Hardswish if cnf.use_hs else nn.ReLU
        hidden = cnf.expanded_channels
        layers: list[nn.Module] = []
        if hidden != cnf.input_channels:
            layers.append(
                Conv2dNormActivation(
                    cnf.input_channels, hidden, kernel_size=1, norm_layer=norm_layer, activation_layer=activation
                )
            )
        # a dilated block keeps the resolution, so it does not stride
        stride = 1 if cnf.dilation > 1 else cnf.stride
        layers.append(
            Conv2dNormActivation(
                hidden,
                hidden,
                kernel_size=cnf.kernel,
                stride=stride,
                dilation=cnf.dilation,
                groups=hidden,
                norm_layer=norm_layer,
                activation_layer=activation,
            )
        )
        if cnf.use_se:
            layers.append(se_layer(hidden, make_divisible(hidden // 4, 8)))
        layers.append(
            Conv2dNormActivation(hidden, cnf.out_channels, kernel_size=1, norm_layer=norm_layer, activation_layer=None)
        )
        self.block = nn.Sequential(*layers)
        self.out_channels = cnf.out_channels
        self._is_cn = cnf.stride > 1

    def forward(self, x: Tensor) -> Tensor:
        """Apply the block to ``x`` (Tensor[N, C_in, H, W]), giving Tensor[N, C_out, H / stride, W / stride]."""
        out = self.block(x)
        if self.use_res_connect:
            out += x  # in place: the block's output is a fresh tensor, so no second buffer is needed
        return out


class MobileNetV3(nn.Module):
    """MobileNetV3 classifier.

    Args:
        inverted_residual_setting (Sequence[InvertedResidualConfig]): the blocks, in order.
        last_channel (int): width of the hidden linear layer of the classifier.
        num_classes (int): outputs of the final linear layer.
        block (Callable[..., nn.Module], optional): the block; :class:`InvertedResidual` when None.
        norm_layer (Callable[..., nn.Module], optional): normalisation layer; BatchNorm2d with eps=0.001 and
            momentum=0.01 when None.
        dropout (float): dropout probability before the last linear layer.

    Shape:
        input (Tensor[N, 3, H, W]) -> logits (Tensor[N, num_classes]).
    """

    def __init__(
        self,
        inverted_residual_setting: Sequence[InvertedResidualConfig],
        last_channel: int,
        num_classes: int = 1000,
        block: Callable[..., nn.Module] | None = None,
        norm_layer: Callable[..., nn.Module] | None = None,
        dropout: float = 0.2,
    ) -> None:
        super().__init__()
        if not inverted_residual_setting:
            raise ValueError("`inverted_residual_setting` should not be empty")
        if not all(isinstance(cnf, InvertedResidualConfig) for cnf in inverted_residual_setting):
            raise TypeError(
                "`inverted_residual_setting` should be a list of InvertedResidualConfig, "
                f"got {inverted_residual_setting!r}"
            )
        block = InvertedResidual if block is None else block
        norm_layer = partial(nn.BatchNorm2d, eps=0.001, momentum=0.01) if norm_layer is None else norm_layer
        first_channels = inverted_residual_setting[0].input_channels
        last_conv_in = inverted_residual_setting[-1].out_channels
        last_conv_out = 6 * last_conv_in
        self.features = nn.Sequential(
            Conv2dNormActivation(3, first_channels, stride=2, norm_layer=norm_layer, activation_layer=nn.Hardswish),
            *(block(cnf, norm_layer) for cnf in inverted_residual_setting),
            Conv2dNormActivation(
                last_conv_in, last_conv_out, kernel_size=1, norm_layer=norm_layer, activation_layer=nn.Hardswish
            ),
        )
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(
            nn.Linear(last_conv_out, last_channel),
            nn.Hardswish(inplace=True),
            nn.Dropout(p=dropout, inplace=True),
            nn.Linear(last_channel, num_classes),
        )
        init_weights_(self, linear_std=0.01)

    def forward(self, x: Tensor) -> Tensor:
        """Classify a batch: see :func:`~visionkit.models._utils.pooled_logits`."""
        return pooled_logits(self, x)


def _large_setting(
    cnf: Callable[..., InvertedResidualConfig], tail: int, dilation: int
) -> list[InvertedResidualConfig]:
    return [
        cnf(16, 3, 16, 16, False, "RE", 1, 1),
        cnf(16, 3, 64, 24, False, "RE", 2, 1),
        cnf(24, 3, 72, 24, False, "RE", 1, 1),
        cnf(24, 5, 72, 40, True, "RE", 2, 1),
        cnf(40, 5, 120, 40, True, "RE", 1, 1),
        cnf(40, 5, 120, 40, True, "RE", 1, 1),
        cnf(40, 3, 240, 80, False, "HS", 2, 1),
        cnf(80, 3, 200, 80, False, "HS", 1, 1),
        cnf(80, 3, 184, 80, False, "HS", 1, 1),
        cnf(80, 3, 184, 80, False, "HS", 1, 1),
        cnf(80, 3, 480, 112, True, "HS", 1, 1),
        cnf(112, 3, 672, 112, True, "HS", 1, 1),
        cnf(112, 5, 672, 160 // tail, True, "HS", 2, dilation),
        cnf(160 // tail, 5, 960 // tail, 160 // tail, True, "HS", 1, dilation),
        cnf(160 // tail, 5, 960 // tail, 160 // tail, True, "HS", 1, dilation),
    ]


def _small_setting(
    cnf: Callable[..., InvertedResidualConfig], tail: int, dilation: int
) -> list[InvertedResidualConfig]:
    return [
        cnf(16, 3, 16, 16, True, "RE", 2, 1),
        cnf(16, 3, 72, 24, False, "RE", 2, 1),
        cnf(24, 3, 88, 24, False, "RE", 1, 1),
        cnf(24, 5, 96, 40, True, "HS", 2, 1),
        cnf(40, 5, 240, 40, True, "HS", 1, 1),
        cnf(40, 5, 240, 40, True, "HS", 1, 1),
        cnf(40, 5, 120, 48, True, "HS", 1, 1),
        cnf(48, 5, 144, 48, True, "HS", 1, 1),
        cnf(48, 5, 288, 96 // tail, True, "HS", 2, dilation),
        cnf(96 // tail, 5, 576 // tail, 96 // tail, True, "HS", 1, dilation),
        cnf(96 // tail, 5, 576 // tail, 96 // tail, True, "HS", 1, dilation),
    ]


def _mobilenet_v3(
    setting: Callable[..., list[InvertedResidualConfig]],
    last_channel: int,
    weights: WeightsEnum | None,
    progress: bool,
    width_mult: float = 1.0,
    reduced_tail: bool = False,
    dilated: bool = False,
    **kwargs: Any,
) -> MobileNetV3:
    """Build a MobileNetV3 from its block table; ``reduced_tail`` halves the last stage, ``dilated`` dilates it."""
    tail = 2 if reduced_tail else 1
    cnf = partial(InvertedResidualConfig, width_mult=width_mult)
    blocks = setting(cnf, tail, 2 if dilated else 1)
    last = InvertedResidualConfig.adjust_channels(last_channel // tail, width_mult)
    return build_model(partial(MobileNetV3, blocks, last), weights, progress, **kwargs)


class MobileNet_V3_Large_Weights(WeightsEnum):
    """Weights for :func:`mobilenet_v3_large`."""

    IMAGENET1K_V1 = imagenet_weights(
        "mobilenet_v3_large-8738ca79.pth",
        num_params=5483032,
        acc1=74.042,
        acc5=91.34,
        ops=0.217,
        file_size=21.114,
        recipe=f"{RECIPE_V1}#mobilenetv3-large--small",
        docs=DOCS_V1,
    )
    IMAGENET1K_V2 = imagenet_weights(
        "mobilenet_v3_large-5c1a4163.pth",
        num_params=5483032,
        acc1=75.274,
        acc5=92.566,
        ops=0.217,
        file_size=21.107,
        recipe=f"{RECIPE_V2}#new-recipe-with-reg-tuning",
        docs=DOCS_V2,
        resize_size=232,
    )
    DEFAULT = IMAGENET1K_V2


class MobileNet_V3_Small_Weights(WeightsEnum):
    """Weights for :func:`mobilenet_v3_small`."""

    IMAGENET1K_V1 = imagenet_weights(
        "mobilenet_v3_small-047dcff4.pth",
        num_params=2542856,
        acc1=67.668,
        acc5=87.402,
        ops=0.057,
        file_size=9.829,
        recipe=f"{RECIPE_V1}#mobilenetv3-large--small",
        docs=DOCS_V1,
    )
    DEFAULT = IMAGENET1K_V1


@register_model(weights=MobileNet_V3_Large_Weights)
def mobilenet_v3_large(
    *, weights: MobileNet_V3_Large_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> MobileNetV3:
    """MobileNetV3-Large (Howard et al., 2019).

    Args:
        weights (MobileNet_V3_Large_Weights | str, optional): pretrained weights to load, or None for random ones.
        progress (bool): show a download progress bar.
        **kwargs: ``width_mult`` (float), ``reduced_tail`` (bool) and ``dilated`` (bool) shape the blocks; the
            rest go to :class:`MobileNetV3` (num_classes, dropout, norm_layer...).
    """
    return _mobilenet_v3(_large_setting, 1280, weights, progress, **kwargs)


@register_model(weights=MobileNet_V3_Small_Weights)
def mobilenet_v3_small(
    *, weights: MobileNet_V3_Small_Weights | str | None = None, progress: bool = True, **kwargs: Any
) -> MobileNetV3:
    """MobileNetV3-Small (Howard et al., 2019). Arguments as in :func:`mobilenet_v3_large`."""
    return _mobilenet_v3(_small_setting, 1024, weights, progress, **kwargs)
