"""Undoing ``Normalize`` and turning image tensors into arrays that a UI can show."""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real

import numpy as np
import torch
from torch import nn

from ._image import round_to_uint8

__all__ = ["Denormalize", "denormalize", "to_displayable"]

Stats = float | Sequence[float] | torch.Tensor


def denormalize(tensor: torch.Tensor, mean: Stats, std: Stats, inplace: bool = False) -> torch.Tensor:
    """Undo ``Normalize(mean, std)``: ``output[c] = input[c] * std[c] + mean[c]`` for each channel c.

    Args:
        tensor (Tensor[C, H, W] or Tensor[B, C, H, W]): a normalised float image or batch of images.
        mean (float or sequence of float): the per-channel means that were subtracted, one per channel or a single
            value for all channels.
        std (float or sequence of float): the per-channel standard deviations that were divided by, likewise;
            none may be 0.
        inplace (bool): if True, overwrite ``tensor`` and return it.

    Returns:
        Tensor[C, H, W] or Tensor[B, C, H, W]: the image(s) in the value range before normalisation.

    Raises:
        TypeError: ``tensor`` is not a float tensor, or ``mean`` / ``std`` are not numbers.
        ValueError: ``tensor`` is not 3-D or 4-D, ``mean`` or ``std`` has neither 1 nor C values or a non-finite
            value, or ``std`` holds a 0.
    """
    _check_float_images(tensor)
    channels = tensor.shape[-3]
    mean_values = _channel_values(mean, "mean", channels)
    std_values = _channel_values(std, "std", channels)
    _check_nonzero_std(std_values)
    column = (-1, 1, 1)
    scale = torch.tensor(std_values, dtype=tensor.dtype, device=tensor.device).view(column)
    shift = torch.tensor(mean_values, dtype=tensor.dtype, device=tensor.device).view(column)
    output = tensor if inplace else tensor.clone()
    return output.mul_(scale).add_(shift)


class Denormalize(nn.Module):
    """Undo ``Normalize(mean, std)`` on a float image or batch, for display: ``input * std + mean`` per channel.

    Args:
        mean (float or sequence of float): the per-channel means that ``Normalize`` subtracted.
        std (float or sequence of float): the per-channel standard deviations it divided by; none may be 0.
        inplace (bool): if True, overwrite the input tensor.

    Raises:
        TypeError: ``mean`` or ``std`` is not a number or a sequence of numbers.
        ValueError: ``mean`` or ``std`` is empty or holds a non-finite value, or ``std`` holds a 0.
    """

    def __init__(self, mean: Stats, std: Stats, inplace: bool = False) -> None:
        super().__init__()
        self.mean = _as_float_list(mean, "mean")
        self.std = _as_float_list(std, "std")
        _check_nonzero_std(self.std)
        self.inplace = inplace

    def forward(self, tensor: torch.Tensor) -> torch.Tensor:
        """Denormalise ``tensor`` (Tensor[C, H, W] or Tensor[B, C, H, W]); see :func:`denormalize`."""
        return denormalize(tensor, self.mean, self.std, self.inplace)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


def to_displayable(tensor: torch.Tensor, mean: Stats | None = None, std: Stats | None = None) -> np.ndarray:
    """An image tensor as a uint8 ``(H, W, C)`` array that image widgets and PIL can show.

    Float images are de-normalised first when ``mean`` and ``std`` are given, then clamped to [0, 1] and rounded to
    [0, 255]. uint8 images are only transposed.

    Args:
        tensor (Tensor[C, H, W]): a float or uint8 image with C = 1 or 3.
        mean (float or sequence of float, optional): the means ``Normalize`` subtracted; needs ``std``.
        std (float or sequence of float, optional): the standard deviations ``Normalize`` divided by; needs ``mean``.

    Returns:
        np.ndarray[H, W, C]: uint8 values, C = 1 or 3 as in the input.

    Raises:
        TypeError: ``tensor`` is not a float or uint8 tensor, or ``mean`` / ``std`` are given for a uint8 tensor.
        ValueError: ``tensor`` is not (1 or 3, H, W), only one of ``mean`` and ``std`` is given, or they are invalid
            (see :func:`denormalize`).
    """
    _check_displayable(tensor)
    if (mean is None) != (std is None):
        raise ValueError(f"`mean` and `std` should be given together, got mean={mean!r} and std={std!r}")
    image = tensor.detach()
    if image.is_floating_point():
        if mean is not None:
            image = denormalize(image, mean, std)
        image = round_to_uint8(image.clamp(0, 1))
    elif mean is not None:
        raise TypeError(f"`mean` and `std` de-normalise float images only, got a {tensor.dtype} tensor")
    return np.ascontiguousarray(image.permute(1, 2, 0).cpu().numpy())


def _check_float_images(tensor: object) -> None:
    if not isinstance(tensor, torch.Tensor) or not tensor.is_floating_point():
        kind = tensor.dtype if isinstance(tensor, torch.Tensor) else type(tensor).__name__
        raise TypeError(f"`tensor` should be a float Tensor, got {kind}")
    if tensor.ndim not in (3, 4):
        raise ValueError(f"`tensor` should have shape (C, H, W) or (B, C, H, W), got {tuple(tensor.shape)}")


def _check_displayable(tensor: object) -> None:
    if not isinstance(tensor, torch.Tensor) or not (tensor.is_floating_point() or tensor.dtype == torch.uint8):
        kind = tensor.dtype if isinstance(tensor, torch.Tensor) else type(tensor).__name__
        raise TypeError(f"`tensor` should be a float or uint8 Tensor, got {kind}")
    if tensor.ndim != 3 or tensor.shape[0] not in (1, 3):
        raise ValueError(f"`tensor` should have shape (C, H, W) with C = 1 or 3, got {tuple(tensor.shape)}")


def _as_float_list(values: Stats, name: str) -> list[float]:
    """``values`` (a number, a sequence, an array or a 0-D/1-D tensor) as a non-empty list of finite floats."""
    if isinstance(values, (torch.Tensor, np.ndarray)):
        values = values.tolist()
    items = [values] if isinstance(values, Real) else values
    if isinstance(items, str) or not isinstance(items, Sequence) or not all(isinstance(v, Real) for v in items):
        raise TypeError(f"`{name}` should be a number or a sequence of numbers, got {values!r}")
    if not items or not all(math.isfinite(v) for v in items):
        raise ValueError(f"`{name}` should hold at least one value, all finite, got {values!r}")
    return [float(v) for v in items]


def _channel_values(values: Stats, name: str, channels: int) -> list[float]:
    """``values`` as a list of ``channels`` floats; a single value is repeated for every channel."""
    items = _as_float_list(values, name)
    if len(items) not in (1, channels):
        raise ValueError(f"`{name}` should have 1 value or one per channel ({channels}), got {len(items)}: {values!r}")
    return items * channels if len(items) == 1 else items


def _check_nonzero_std(std: list[float]) -> None:
    if 0.0 in std:
        raise ValueError(f"`std` should not contain 0 (division by zero when normalising), got {std}")
