"""Bounding boxes and keypoints: tv_tensors with coordinates on a canvas of known size."""

from __future__ import annotations

from enum import Enum
from typing import Any

import torch

from ._tv_tensor import TVTensor

__all__ = ["BoundingBoxFormat", "BoundingBoxes", "KeyPoints", "is_rotated_bounding_format"]

CLAMPING_MODES = ("soft", "hard", None)


class BoundingBoxFormat(Enum):
    """How the numbers of a box are to be read.

    ``XYXY``: top-left and bottom-right corners. ``XYWH``: top-left corner, width and height. ``CXCYWH``: center,
    width and height. Rotated boxes: ``XYWHR`` (top-left corner, width, height, angle in degrees), ``CXCYWHR``
    (center, width, height, angle) and ``XYXYXYXY`` (the four corners: top left, top right, bottom right,
    bottom left).
    """

    XYXY = "XYXY"
    XYWH = "XYWH"
    CXCYWH = "CXCYWH"
    XYWHR = "XYWHR"
    CXCYWHR = "CXCYWHR"
    XYXYXYXY = "XYXYXYXY"


_ROTATED = frozenset({"XYWHR", "CXCYWHR", "XYXYXYXY"})


def is_rotated_bounding_format(format: BoundingBoxFormat | str) -> bool:
    """Whether boxes of ``format`` carry a rotation.

    Raises:
        ValueError: if ``format`` is neither a ``BoundingBoxFormat`` nor a string.
    """
    if isinstance(format, BoundingBoxFormat):
        return format.value in _ROTATED
    if isinstance(format, str):
        return format in _ROTATED
    raise ValueError(f"format should be str or BoundingBoxFormat, got {type(format)}")


class BoundingBoxes(TVTensor):
    """Boxes of one sample, ``Tensor[N, K]``: ``K`` is 4, or 5 or 8 for rotated formats.

    Args:
        data: anything ``torch.as_tensor`` takes; one box (``[K]``) becomes ``[1, K]``.
        format: a :class:`BoundingBoxFormat` or its name in any case (``"xyxy"``).
        canvas_size: ``(height, width)`` of the image the boxes are on.
        clamping_mode: how transforms clamp boxes that leave the canvas: ``"soft"``, ``"hard"`` or None.
        dtype, device, requires_grad: as for :class:`Image`.

    Raises:
        ValueError: for data with more than 2 dimensions, an unknown clamping mode, or integer rotated boxes.
        KeyError: for an unknown format name.
    """

    _metadata = ("format", "canvas_size", "clamping_mode")
    format: BoundingBoxFormat
    canvas_size: tuple[int, int]
    clamping_mode: str | None

    @classmethod
    def _wrap(  # type: ignore[override]
        cls,
        tensor: torch.Tensor,
        *,
        format: BoundingBoxFormat | str,
        canvas_size: tuple[int, int],
        clamping_mode: str | None = "soft",
        check_dims: bool = True,
    ) -> BoundingBoxes:
        if check_dims:
            if tensor.ndim == 1:
                tensor = tensor.unsqueeze(0)
            elif tensor.ndim != 2:
                raise ValueError(f"Expected a 1D or 2D tensor, got {tensor.ndim}D")
        if clamping_mode not in CLAMPING_MODES:
            raise ValueError(f"clamping_mode must be None, hard or soft, got {clamping_mode}.")
        if isinstance(format, str):
            format = BoundingBoxFormat[format.upper()]
        return super()._wrap(tensor, format=format, canvas_size=canvas_size, clamping_mode=clamping_mode)

    def __new__(
        cls,
        data: Any,
        *,
        format: BoundingBoxFormat | str,
        canvas_size: tuple[int, int],
        clamping_mode: str | None = "soft",
        dtype: torch.dtype | None = None,
        device: torch.device | str | int | None = None,
        requires_grad: bool | None = None,
    ) -> BoundingBoxes:
        tensor = cls._to_tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)
        if not tensor.is_floating_point() and is_rotated_bounding_format(format):
            raise ValueError(f"Rotated bounding boxes should be floating point tensors, got {tensor.dtype}.")
        return cls._wrap(tensor, format=format, canvas_size=canvas_size, clamping_mode=clamping_mode)


class KeyPoints(TVTensor):
    """Points on an image, ``Tensor[..., 2]`` of ``(x, y)``: single points ``[N, 2]``, polygons or polylines
    ``[N, P, 2]``, skeletons ``[N, B, 2, 2]``.

    Args:
        data: anything ``torch.as_tensor`` takes; one point (``[2]``) becomes ``[1, 2]``.
        canvas_size: ``(height, width)`` of the image the points are on.

    Raises:
        ValueError: if the last dimension is not 2.
    """

    _metadata = ("canvas_size",)
    canvas_size: tuple[int, int]

    @classmethod
    def _wrap(  # type: ignore[override]
        cls, tensor: torch.Tensor, *, canvas_size: tuple[int, int], check_dims: bool = True
    ) -> KeyPoints:
        if check_dims:
            if tensor.ndim == 1:
                tensor = tensor.unsqueeze(0)
            elif tensor.shape[-1] != 2:
                raise ValueError(f"Expected a tensor of shape (..., 2), not {tensor.shape}")
        return super()._wrap(tensor, canvas_size=canvas_size)

    def __new__(
        cls,
        data: Any,
        *,
        canvas_size: tuple[int, int],
        dtype: torch.dtype | None = None,
        device: torch.device | str | int | None = None,
        requires_grad: bool | None = None,
    ) -> KeyPoints:
        tensor = cls._to_tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)
        return cls._wrap(tensor, canvas_size=canvas_size)
