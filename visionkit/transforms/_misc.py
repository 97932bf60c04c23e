"""Tensor-only functionals: normalization and erasing a rectangle."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

__all__ = ["erase", "normalize"]


def normalize(tensor: Tensor, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> Tensor:
    """Normalize each channel: ``(x - mean[c]) / std[c]``.

    Args:
        tensor (Tensor[..., C, H, W]): a float image.
        mean: one mean per channel (or one for all).
        std: one standard deviation per channel (or one for all); none may be 0.
        inplace: overwrite ``tensor``.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"tensor should be a Tensor image, got {type(tensor).__name__}")
    if not tensor.is_floating_point():
        raise TypeError(f"tensor should be a float Tensor, got {tensor.dtype}")
    if tensor.ndim < 2:
        raise TypeError(f"tensor should be an image of shape (..., C, H, W), got shape {tuple(tensor.shape)}")
    if tensor.ndim < 3:
        raise ValueError(f"tensor should have shape (..., C, H, W), got {tuple(tensor.shape)}")
    mean_t = torch.as_tensor(mean, dtype=tensor.dtype, device=tensor.device)
    std_t = torch.as_tensor(std, dtype=tensor.dtype, device=tensor.device)
    if (std_t == 0).any():
        raise ValueError(f"std should not hold zeros (after conversion to {tensor.dtype}), got {std!r}")
    if mean_t.ndim == 1:
        mean_t = mean_t.view(-1, 1, 1)
    if std_t.ndim == 1:
        std_t = std_t.view(-1, 1, 1)
    out = tensor.sub_(mean_t) if inplace else tensor.sub(mean_t)
    return out.div_(std_t)


def erase(img: Tensor, i: int, j: int, h: int, w: int, v: Tensor | float, inplace: bool = False) -> Tensor:
    """Set the ``h x w`` rectangle whose top-left pixel is ``(i, j)`` to ``v``.

    Args:
        img (Tensor[..., C, H, W]): the image.
        i, j: top and left of the rectangle.
        h, w: its height and width.
        v (Tensor[C, h, w] | Tensor[C, 1, 1] | float): the values to write, broadcast to the rectangle.
        inplace: overwrite ``img``.
    """
    if not isinstance(img, Tensor):
        raise TypeError(f"img should be a Tensor image, got {type(img).__name__}")
    out = img if inplace else img.clone()
    out[..., i : i + h, j : j + w] = v
    return out
