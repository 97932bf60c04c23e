"""Layers that torchvision's models are built of, public as in ``torchvision.ops``: convolution + norm +
activation, squeeze-and-excitation, stochastic depth, the MLP block, a permutation and a frozen batch norm.
Models build on these; nothing here imports from ``visionkit.models``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor, nn

__all__ = [
    "MLP",
    "Conv2dNormActivation",
    "FrozenBatchNorm2d",
    "Permute",
    "SqueezeExcitation",
    "StochasticDepth",
    "stochastic_depth",
]


def _same_padding(kernel_size: int | Sequence[int], dilation: int | Sequence[int]) -> int | tuple[int, ...]:
    """ "Same" padding of a convolution, ``(k - 1) // 2 * d`` per dimension (an int when both are ints)."""
    if isinstance(kernel_size, int) and isinstance(dilation, int):
        return (kernel_size - 1) // 2 * dilation
    dims = len(kernel_size) if isinstance(kernel_size, Sequence) else len(dilation)  # type: ignore[arg-type]
    kernels = tuple(kernel_size) if isinstance(kernel_size, Sequence) else (kernel_size,) * dims
    dilations = tuple(dilation) if isinstance(dilation, Sequence) else (dilation,) * dims
    return tuple((k - 1) // 2 * d for k, d in zip(kernels, dilations, strict=True))


class Conv2dNormActivation(nn.Sequential):
    """A ``Conv2d`` followed by an optional normalisation layer and an optional activation.

    Padding defaults to "same" for odd kernels, ``(kernel_size - 1) // 2 * dilation``. The convolution has
    a bias only when there is no normalisation layer to absorb it, unless ``bias`` says otherwise.

    Args:
        in_channels (int): channels of the input.
        out_channels (int): channels produced by the convolution.
        kernel_size (int or tuple[int, int]): size of the kernel.
        stride (int or tuple[int, int]): stride of the convolution.
        padding (int, tuple[int, int] or str, optional): zero padding on each side; "same" padding when None.
        groups (int): number of blocked connections from input to output channels.
        norm_layer (Callable[..., nn.Module], optional): built as ``norm_layer(out_channels)``; None for none.
        activation_layer (Callable[..., nn.Module], optional): built as ``activation_layer(inplace=inplace)``;
            None for none.
        dilation (int or tuple[int, int]): spacing between kernel elements.
        inplace (bool, optional): the ``inplace`` argument of the activation; not passed when None.
        bias (bool, optional): whether the convolution has a bias; ``norm_layer is None`` when None.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int] = 3,
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] | str | None = None,
        groups: int = 1,
        norm_layer: Callable[..., nn.Module] | None = nn.BatchNorm2d,
        activation_layer: Callable[..., nn.Module] | None = nn.ReLU,
        dilation: int | tuple[int, int] = 1,
        inplace: bool | None = True,
        bias: bool | None = None,
    ) -> None:
        if padding is None:
            padding = _same_padding(kernel_size, dilation)
        if bias is None:
            bias = norm_layer is None
        layers: list[nn.Module] = [
            nn.Conv2d(
                in_channels, out_channels, kernel_size, stride, padding, dilation=dilation, groups=groups, bias=bias
            )
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


def stochastic_depth(input: Tensor, p: float, mode: str, training: bool = True) -> Tensor:
    """Randomly drop residual branches (Huang et al., 2016, "Deep Networks with Stochastic Depth").

    Kept values are divided by the survival rate ``1 - p``, so the expectation is unchanged.

    Args:
        input (Tensor[N, ...]): the branch's output, batch first.
        p (float): probability in [0, 1] that a branch is zeroed.
        mode (str): ``"row"`` draws one keep/drop per sample, ``"batch"`` one for the whole batch.
        training (bool): when False (or ``p`` is 0) the input is returned as it is.

    Returns:
        Tensor[N, ...]: the input, with dropped rows (or all of it) zeroed and the rest scaled.

    Raises:
        ValueError: if ``p`` is outside [0, 1] or ``mode`` is neither ``"batch"`` nor ``"row"``.
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"drop probability has to be between 0 and 1, but got {p}")
    if mode not in ("batch", "row"):
        raise ValueError(f"mode has to be either 'batch' or 'row', but got {mode}")
    if not training or p == 0.0:
        return input
    keep = 1.0 - p
    shape = [input.shape[0]] + [1] * (input.ndim - 1) if mode == "row" else [1] * input.ndim
    noise = torch.empty(shape, dtype=input.dtype, device=input.device).bernoulli_(keep)
    if keep > 0.0:
        noise.div_(keep)
    return input * noise


class StochasticDepth(nn.Module):
    """:func:`stochastic_depth` as a module (active in training mode only).

    Args:
        p (float): probability that a branch is zeroed.
        mode (str): ``"row"`` or ``"batch"``.
    """

    def __init__(self, p: float, mode: str) -> None:
        super().__init__()
        self.p = p
        self.mode = mode

    def forward(self, input: Tensor) -> Tensor:
        return stochastic_depth(input, self.p, self.mode, self.training)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p}, mode={self.mode})"


class MLP(nn.Sequential):
    """Linear layers with an activation (and optional norm) between them, and dropout after each.

    Args:
        in_channels (int): features of the input.
        hidden_channels (list[int]): features of each linear layer; the last is the output size.
        norm_layer (Callable[..., nn.Module], optional): built as ``norm_layer(features)`` after each hidden
            linear layer; None for none.
        activation_layer (Callable[..., nn.Module], optional): after each hidden layer (and its norm).
        inplace (bool, optional): the ``inplace`` argument of the activation and dropout; not passed when None.
        bias (bool): whether the linear layers have a bias.
        dropout (float): the dropout probability.
    """

    def __init__(
        self,
        in_channels: int,
        hidden_channels: list[int],
        norm_layer: Callable[..., nn.Module] | None = None,
        activation_layer: Callable[..., nn.Module] | None = nn.ReLU,
        inplace: bool | None = None,
        bias: bool = True,
        dropout: float = 0.0,
    ) -> None:
        extra = {} if inplace is None else {"inplace": inplace}
        layers: list[nn.Module] = []
        width = in_channels
        for hidden in hidden_channels[:-1]:
            layers.append(nn.Linear(width, hidden, bias=bias))
            if norm_layer is not None:
                layers.append(norm_layer(hidden))
            layers.append(activation_layer(**extra))  # type: ignore[misc]
            layers.append(nn.Dropout(dropout, **extra))
            width = hidden
        layers.append(nn.Linear(width, hidden_channels[-1], bias=bias))
        layers.append(nn.Dropout(dropout, **extra))
        super().__init__(*layers)


class Permute(nn.Module):
    """Return a permuted view of the input (``torch.permute(x, dims)``), e.g. NCHW to NHWC.

    Args:
        dims (list[int]): the new order of the dimensions.
    """

    def __init__(self, dims: list[int]) -> None:
        super().__init__()
        self.dims = dims

    def forward(self, x: Tensor) -> Tensor:
        return torch.permute(x, self.dims)


class FrozenBatchNorm2d(nn.Module):
    """Batch normalisation with fixed statistics and affine parameters (buffers, not parameters), as detection
    backbones use it. A checkpoint's ``num_batches_tracked`` is ignored when loading.

    Args:
        num_features (int): channels ``C`` of an ``(N, C, H, W)`` input.
        eps (float): added to the variance before the square root.
    """

    def __init__(self, num_features: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps
        self.register_buffer("weight", torch.ones(num_features))
        self.register_buffer("bias", torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    def _load_from_state_dict(self, state_dict: dict, prefix: str, *args: object) -> None:
        state_dict.pop(prefix + "num_batches_tracked", None)
        super()._load_from_state_dict(state_dict, prefix, *args)  # type: ignore[arg-type]

    def forward(self, x: Tensor) -> Tensor:
        scale = self.weight.reshape(1, -1, 1, 1) * (self.running_var.reshape(1, -1, 1, 1) + self.eps).rsqrt()
        shift = self.bias.reshape(1, -1, 1, 1) - self.running_mean.reshape(1, -1, 1, 1) * scale
        return x * scale + shift

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.weight.shape[0]}, eps={self.eps})"
