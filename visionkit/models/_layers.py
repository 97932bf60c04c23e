"""Building blocks shared by the MobileNets: convolution + norm + activation, and squeeze-and-excitation."""

from __future__ import annotations

from collections.abc import Callable

from torch import Tensor, nn

__all__ = ["Conv2dNormActivation", "SqueezeExcitation"]


class Conv2dNormActivation(nn.Sequential):
    """A ``Conv2d`` followed by an optional normalisation layer and an optional activation.

    Padding defaults to "same" for odd kernels, ``(kernel_size - 1) // 2 * dilation``. The convolution has
    a bias only when there is no normalisation layer to absorb it, unless ``bias`` says otherwise.

    Args:
        in_channels (int): channels of the input.
        out_channels (int): channels produced by the convolution.
        kernel_size (int): size of the square kernel.
        stride (int): stride of the convolution.
        padding (int, optional): zero padding on each side; "same" padding when None.
        groups (int): number of blocked connections from input to output channels.
        norm_layer (Callable[..., nn.Module], optional): built as ``norm_layer(out_channels)``; None for none.
        activation_layer (Callable[..., nn.Module], optional): built as ``activation_layer(inplace=inplace)``;
            None for none.
        dilation (int): spacing between kernel elements.
        inplace (bool, optional): the ``inplace`` argument of the activation; not passed when None.
        bias (bool, optional): whether the convolution has a bias; ``norm_layer is None`` when None.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int = 3,
        stride: int = 1,
        padding: int | None = None,
        groups: int = 1,
        norm_layer: Callable[..., nn.Module] | None = nn.BatchNorm2d,
        activation_layer: Callable[..., nn.Module] | None = nn.ReLU,
        dilation: int = 1,
        inplace: bool | None = True,
        bias: bool | None = None,
    ) -> None:
        if padding is None:
            padding = (kernel_size - 1) // 2 * dilation
        if bias is None:
            bias = norm_layer is None
        layers: list[nn.Module] = [
            nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias=bias)
        ]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            layers.append(activation_layer() if inplace is None else activation_layer(inplace=inplace))
        super().__init__(*layers)
        self.out_channels = out_channels


class SqueezeExcitation(nn.Module):
    """Squeeze-and-excitation (Hu et al., 2018): rescale each channel by a gate computed from global context.

    Args:
        input_channels (int): channels of the input and output.
        squeeze_channels (int): channels of the bottleneck between the two 1x1 convolutions.
        activation (Callable[..., nn.Module]): activation after the first convolution.
        scale_activation (Callable[..., nn.Module]): activation that turns the second convolution into gates.
    """

    def __init__(
        self,
        input_channels: int,
        squeeze_channels: int,
        activation: Callable[..., nn.Module] = nn.ReLU,
        scale_activation: Callable[..., nn.Module] = nn.Sigmoid,
    ) -> None:
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, input_channels, 1)
        self.activation = activation()
        self.scale_activation = scale_activation()

    def forward(self, x: Tensor) -> Tensor:
        """Scale the channels of ``x``.

        Args:
            x (Tensor[N, C, H, W]): the input features.

        Returns:
            Tensor[N, C, H, W]: ``x`` with each channel multiplied by its gate in [0, 1].
        """
        scale = self.scale_activation(self.fc2(self.activation(self.fc1(self.avgpool(x)))))
        return scale * x
