"""Conversions between the box formats "xyxy", "xywh" and "cxcywh"."""

from __future__ import annotations

import torch
from torch import Tensor

from ._checks import check_box_format, check_boxes


def box_convert(boxes: Tensor, in_fmt: str, out_fmt: str) -> Tensor:
    """Convert boxes from one format to another.

    Formats: ``"xyxy"`` (x1, y1, x2, y2) corners, ``"xywh"`` (x1, y1, width, height) top-left corner and size,
    ``"cxcywh"`` (cx, cy, width, height) centre and size. Conversions to or from ``"cxcywh"`` return floats; the
    others keep the dtype.

    Args:
        boxes (Tensor[..., 4]): boxes in ``in_fmt`` format, with any number of leading dimensions.
        in_fmt (str): format of ``boxes``.
        out_fmt (str): format to convert to.

    Returns:
        Tensor[..., 4]: the boxes in ``out_fmt`` format (a new tensor, also when the formats are equal).

    Raises:
        TypeError: if ``boxes`` is not a real-valued tensor.
        ValueError: if a format is unknown or ``boxes`` is not of shape (..., 4).
    """
    check_boxes(boxes)
    check_box_format(in_fmt, "in_fmt")
    check_box_format(out_fmt, "out_fmt")
    if in_fmt == out_fmt:
        return boxes.clone()
    return from_xyxy(to_xyxy(boxes, in_fmt), out_fmt)


def to_xyxy(boxes: Tensor, fmt: str) -> Tensor:
    """``boxes`` (Tensor[..., 4]) in ``fmt`` format as (x1, y1, x2, y2); the same tensor when already xyxy."""
    if fmt == "xyxy":
        return boxes
    a, b, w, h = boxes.unbind(-1)
    if fmt == "xywh":
        return torch.stack((a, b, a + w, b + h), dim=-1)
    return torch.stack((a - 0.5 * w, b - 0.5 * h, a + 0.5 * w, b + 0.5 * h), dim=-1)


def from_xyxy(boxes: Tensor, fmt: str) -> Tensor:
    """``boxes`` (Tensor[..., 4]) in (x1, y1, x2, y2) format converted to ``fmt``."""
    if fmt == "xyxy":
        return boxes
    x1, y1, x2, y2 = boxes.unbind(-1)
    if fmt == "xywh":
        return torch.stack((x1, y1, x2 - x1, y2 - y1), dim=-1)
    return torch.stack(((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1), dim=-1)
