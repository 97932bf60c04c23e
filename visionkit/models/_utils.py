"""Small helpers shared by the architectures: channel rounding and torchvision's weight initialisation."""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ["init_weights_", "make_divisible"]


def make_divisible(value: float, divisor: int, min_value: int | None = None) -> int:
    """Round a channel count to a multiple of ``divisor``, never dropping more than 10% below ``value``.

    MobileNets scale their widths by ``width_mult``; hardware runs best on multiples of 8, and the
    published architectures and weights rely on this exact rounding.

    Args:
        value (float): the channel count to round.
        divisor (int): the multiple to round to.
        min_value (int, optional): the smallest result allowed; ``divisor`` when None.

    Returns:
        int: the rounded channel count.
    """
    floor = divisor if min_value is None else min_value
    rounded = max(floor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def init_weights_(model: nn.Module, *, linear_std: float | None) -> None:
    """Initialise ``model`` in place the way torchvision's classification models are initialised.

    Convolutions get Kaiming-normal weights (fan-out, ReLU gain) and zero biases; batch and group norms get
    weight 1 and bias 0. Linear layers get weights drawn from N(0, ``linear_std``) and zero biases, or keep
    PyTorch's default initialisation when ``linear_std`` is None (as ResNet does). Modules are visited in
    registration order, so a seeded run draws the same numbers as torchvision.

    Args:
        model (nn.Module): the model to initialise.
        linear_std (float, optional): the standard deviation of linear weights, or None to leave them alone.
    """
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, (nn.BatchNorm2d, nn.GroupNorm)) and module.weight is not None:
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Linear) and linear_std is not None:
            nn.init.normal_(module.weight, 0.0, linear_std)
            nn.init.zeros_(module.bias)


def pooled_logits(model: nn.Module, x: Tensor) -> Tensor:
    """The forward pass of the models built as ``features`` -> ``avgpool`` -> flatten -> ``classifier`` (AlexNet,
    VGG, MobileNetV3, EfficientNet): logits ``[N, num_classes]`` of normalised images ``[N, 3, H, W]``."""
    return model.classifier(torch.flatten(model.avgpool(model.features(x)), 1))
