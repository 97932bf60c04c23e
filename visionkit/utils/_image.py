"""Checks and conversions for the image tensors that the drawing utilities take and return."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

__all__ = ["check_image", "check_non_negative_int", "from_pil", "round_to_uint8", "to_pil"]

# Float images are scaled by just under 256 so that 1.0 maps to 255 and [0, 1] splits into 256 equal bins
# (torchvision's float to uint8 conversion for drawing).
_FLOAT_TO_UINT8_SCALE = 256.0 - 1e-3


def check_image(image: object, *, channels: tuple[int, ...]) -> None:
    """Raise unless ``image`` is a ``(C, H, W)`` uint8 or float tensor with an allowed number of channels.

    Args:
        image (object): the value passed as ``image``.
        channels (tuple[int, ...]): the allowed values of C.

    Raises:
        TypeError: ``image`` is not a tensor.
        ValueError: wrong dtype, number of dimensions or channels.
    """
    if not isinstance(image, torch.Tensor):
        raise TypeError(f"`image` should be a Tensor, got {type(image).__name__}")
    if image.dtype != torch.uint8 and not image.is_floating_point():
        raise ValueError(f"`image` dtype must be uint8 or float, got {image.dtype}")
    if image.ndim != 3:
        raise ValueError(f"`image` should be a single (C, H, W) image, not a batch; got shape {tuple(image.shape)}")
    if image.shape[0] not in channels:
        allowed = " or ".join(str(c) for c in channels)
        raise ValueError(f"`image` should have {allowed} channels, got {image.shape[0]}")


def check_non_negative_int(value: object, name: str) -> None:
    """Raise unless ``value`` is an int >= 0; ``name`` is the argument's name."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"`{name}` should be an int, got {value!r}")
    if value < 0:
        raise ValueError(f"`{name}` should be >= 0, got {value}")


def to_pil(image: torch.Tensor) -> Image.Image:
    """A checked ``(1 or 3, H, W)`` uint8 or float image as an RGB PIL image to draw on.

    Floats in [0, 1] are scaled to uint8 by truncation, as torchvision does before drawing; values outside are
    clamped. A single channel is repeated to make the image RGB.
    """
    if image.is_floating_point():
        # Scaled in the image's own dtype like torchvision; the upper clamp stops float16, where the scale rounds
        # to 256, from wrapping 1.0 around to 0.
        scaled = image.detach().clamp(0, 1) * _FLOAT_TO_UINT8_SCALE
        image = scaled.clamp(max=255).to(torch.uint8)
    if image.shape[0] == 1:
        image = image.expand(3, -1, -1)
    return Image.fromarray(image.permute(1, 2, 0).cpu().numpy())


def from_pil(picture: Image.Image, like: torch.Tensor) -> torch.Tensor:
    """A drawn RGB PIL image as a ``(3, H, W)`` tensor with the dtype and device of ``like``.

    uint8 values are scaled by 1 / 255 for float dtypes.
    """
    drawn = torch.from_numpy(np.array(picture, dtype=np.uint8)).permute(2, 0, 1)
    if like.is_floating_point():
        # Multiplying by the reciprocal, not dividing by 255, is what torchvision does; the two differ in the last
        # bit for some values in float32 and float64.
        drawn = drawn.to(like.dtype) * (1 / 255)
    return drawn.to(like.device)


def round_to_uint8(image: torch.Tensor) -> torch.Tensor:
    """Float values in [0, 1] to uint8 in [0, 255], rounding to nearest and clamping (how images are saved)."""
    return (image.detach() * 255 + 0.5).clamp(0, 255).to(torch.uint8)
