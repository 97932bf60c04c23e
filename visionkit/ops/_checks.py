"""Argument checks shared by the ops. Messages name the argument and echo the value."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

BOX_FORMATS = ("xyxy", "xywh", "cxcywh")
REDUCTIONS = ("none", "mean", "sum")


def check_tensor(value: Any, name: str) -> None:
    """Raise a TypeError unless ``value`` is a tensor."""
    if not isinstance(value, Tensor):
        raise TypeError(f"`{name}` should be a Tensor, got {type(value).__name__}")


def check_real(value: Any, name: str) -> None:
    """Raise a TypeError unless ``value`` is a tensor of real numbers (not bool, not complex)."""
    check_tensor(value, name)
    if value.dtype == torch.bool or value.is_complex():
        raise TypeError(f"`{name}` should hold real numbers, got dtype {value.dtype}")


def check_boxes(boxes: Any, name: str = "boxes", *, min_dims: int = 1) -> None:
    """Raise unless ``boxes`` is a real tensor of shape (..., 4) with at least ``min_dims`` dimensions."""
    check_real(boxes, name)
    if boxes.dim() < min_dims or boxes.shape[-1] != 4:
        expected = "(..., 4)" if min_dims == 1 else "(..., N, 4)"
        raise ValueError(f"`{name}` should have shape {expected}, got {tuple(boxes.shape)}")


def check_box_format(fmt: Any, name: str = "fmt") -> None:
    """Raise a ValueError unless ``fmt`` names one of the supported box formats."""
    if fmt not in BOX_FORMATS:
        raise ValueError(f"`{name}` should be one of {', '.join(map(repr, BOX_FORMATS))}, got {fmt!r}")


def check_reduction(reduction: Any) -> None:
    """Raise a ValueError unless ``reduction`` is 'none', 'mean' or 'sum'."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"`reduction` should be one of {', '.join(map(repr, REDUCTIONS))}, got {reduction!r}")


def as_float(boxes: Tensor) -> Tensor:
    """``boxes`` in float32, unless they already are float32 or float64."""
    return boxes if boxes.dtype in (torch.float32, torch.float64) else boxes.float()
