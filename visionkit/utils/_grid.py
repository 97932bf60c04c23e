"""Tiling a batch of images into one grid image, and saving it to a file."""

from __future__ import annotations

import math
import pathlib
from typing import Any, BinaryIO

import torch
from PIL import Image

from ._image import round_to_uint8

__all__ = ["make_grid", "save_image"]

# The smallest range normalisation divides by, so a constant image does not divide by zero.
_MIN_RANGE = 1e-5


def make_grid(
    tensor: torch.Tensor | list[torch.Tensor],
    nrow: int = 8,
    padding: int = 2,
    normalize: bool = False,
    value_range: tuple[float, float] | None = None,
    scale_each: bool = False,
    pad_value: float = 0.0,
) -> torch.Tensor:
    """Tile a batch of images into a grid, row by row.

    Args:
        tensor (Tensor[B, C, H, W] or list of Tensor[C, H, W]): the images, all of the same shape. A single
            ``(C, H, W)`` or ``(H, W)`` image is a batch of one. Single-channel images are repeated to 3 channels.
        nrow (int): number of images in each row; the grid has ``ceil(B / nrow)`` rows.
        padding (int): pixels of ``pad_value`` around and between the images.
        normalize (bool): if True, shift the values to [0, 1] using ``value_range`` (float tensors only).
        value_range (tuple[float, float], optional): (min, max) used by ``normalize``; values outside are clamped.
            By default the tensor's own min and max.
        scale_each (bool): if True, ``normalize`` scales each image by its own min and max.
        pad_value (float): value of the padding pixels.

    Returns:
        Tensor[C, H', W']: the grid, with the input's dtype. A batch of one gives that image, without padding.

    Raises:
        TypeError: ``tensor`` is not a tensor or a list of tensors, ``value_range`` is not a tuple, or
            ``normalize`` is asked of a non-float tensor.
        ValueError: wrong number of dimensions, an empty batch, images of different shapes, a bad ``value_range``,
            ``nrow`` < 1 or ``padding`` < 0.
    """
    batch = _as_rgb_batch(tensor)
    _check_layout(nrow, padding)
    if normalize:
        batch = _normalized(batch, value_range, scale_each)
    if batch.shape[0] == 1:
        return batch[0].clone()
    return _tile(batch, nrow, padding, pad_value)


def save_image(
    tensor: torch.Tensor | list[torch.Tensor],
    fp: str | pathlib.Path | BinaryIO,
    format: str | None = None,
    **kwargs: Any,
) -> None:
    """Save an image, or a batch of images tiled by :func:`make_grid`, to a file.

    Float values in [0, 1] are rounded to uint8 (values outside are clamped); uint8 tensors are saved as they are.

    Args:
        tensor (Tensor[B, C, H, W], Tensor[C, H, W] or list of Tensor[C, H, W]): the image(s), float or uint8,
            with 1, 3 or 4 channels.
        fp (str, Path or file object): where to write.
        format (str, optional): the image format ("png", "jpeg", ...). If omitted, it is taken from the file name's
            extension; a file object needs it.
        **kwargs: passed to :func:`make_grid`.

    Raises:
        TypeError: the tensor is neither float nor uint8 (or as :func:`make_grid`).
        ValueError: the grid does not have 3 or 4 channels (or as :func:`make_grid`).
    """
    grid = make_grid(tensor, **kwargs)
    if grid.dtype != torch.uint8 and not grid.is_floating_point():
        raise TypeError(f"save_image needs a float or uint8 tensor, got {grid.dtype}")
    if grid.shape[0] not in (3, 4):
        raise ValueError(f"save_image needs images with 1, 3 or 4 channels, got {grid.shape[0]}")
    if grid.is_floating_point():
        grid = round_to_uint8(grid)
    Image.fromarray(grid.permute(1, 2, 0).cpu().numpy()).save(fp, format=format)


def _as_rgb_batch(tensor: torch.Tensor | list[torch.Tensor]) -> torch.Tensor:
    """The input as a ``(B, C, H, W)`` tensor, single-channel images repeated to 3 channels."""
    if isinstance(tensor, list):
        tensor = _stack(tensor)
    elif not isinstance(tensor, torch.Tensor):
        raise TypeError(f"`tensor` should be a Tensor or a list of Tensors, got {type(tensor).__name__}")
    if not 2 <= tensor.ndim <= 4:
        raise ValueError(f"`tensor` should have shape (B, C, H, W), (C, H, W) or (H, W), got {tuple(tensor.shape)}")
    batch = tensor.reshape((1,) * (4 - tensor.ndim) + tuple(tensor.shape))
    if batch.shape[0] == 0:
        raise ValueError(f"`tensor` should hold at least one image, got shape {tuple(tensor.shape)}")
    if batch.shape[1] == 1:
        batch = batch.expand(-1, 3, -1, -1)
    return batch


def _stack(images: list[torch.Tensor]) -> torch.Tensor:
    if not images:
        raise ValueError("`tensor` should hold at least one image, got an empty list")
    for i, image in enumerate(images):
        if not isinstance(image, torch.Tensor):
            raise TypeError(f"`tensor` should be a list of Tensors, but item {i} is a {type(image).__name__}")
        if image.shape != images[0].shape:
            raise ValueError(
                f"all images in `tensor` should have the same shape, but item {i} has shape {tuple(image.shape)} "
                f"and item 0 has {tuple(images[0].shape)}"
            )
    return torch.stack(images)


def _check_layout(nrow: int, padding: int) -> None:
    if not isinstance(nrow, int) or nrow < 1:
        raise ValueError(f"`nrow` should be an int >= 1, got {nrow!r}")
    if not isinstance(padding, int) or padding < 0:
        raise ValueError(f"`padding` should be an int >= 0, got {padding!r}")


def _normalized(batch: torch.Tensor, value_range: tuple[float, float] | None, scale_each: bool) -> torch.Tensor:
    """A copy of the float batch shifted and scaled to [0, 1] by ``value_range`` or the data's own range."""
    if not batch.is_floating_point():
        raise TypeError(f"`normalize=True` needs a float tensor, got {batch.dtype}")
    if value_range is not None:
        _check_value_range(value_range)
    if scale_each:
        return torch.stack([_scaled(image, value_range) for image in batch])
    return _scaled(batch, value_range)


def _check_value_range(value_range: object) -> None:
    if not isinstance(value_range, tuple):
        raise TypeError(f"`value_range` should be a tuple (min, max), got {value_range!r}")
    if len(value_range) != 2 or not value_range[0] <= value_range[1]:
        raise ValueError(f"`value_range` should be a tuple (min, max) with min <= max, got {value_range!r}")


def _scaled(tensor: torch.Tensor, value_range: tuple[float, float] | None) -> torch.Tensor:
    low, high = value_range if value_range is not None else (float(tensor.min()), float(tensor.max()))
    return tensor.clamp(low, high).sub(low).div(max(high - low, _MIN_RANGE))


def _tile(batch: torch.Tensor, nrow: int, padding: int, pad_value: float) -> torch.Tensor:
    """The images of ``batch`` laid out row by row, ``padding`` pixels of ``pad_value`` around each."""
    count, channels, height, width = batch.shape
    columns = min(nrow, count)
    rows = math.ceil(count / columns)
    cell_h, cell_w = height + padding, width + padding
    grid = batch.new_full((channels, rows * cell_h + padding, columns * cell_w + padding), pad_value)
    for index, image in enumerate(batch):
        top = (index // columns) * cell_h + padding
        left = (index % columns) * cell_w + padding
        grid[:, top : top + height, left : left + width] = image
    return grid
