"""Bounding-box regression losses built on the IoU family: 1 - GIoU, 1 - DIoU and 1 - CIoU, box by box."""

from __future__ import annotations

import torch
from torch import Tensor

from ._checks import as_float, check_boxes, check_reduction
from ._iou import (
    Coords,
    aspect_ratio_penalty,
    center_distance_squared,
    enclosing_size,
    intersection_and_union,
)


def generalized_box_iou_loss(boxes1: Tensor, boxes2: Tensor, reduction: str = "none", eps: float = 1e-7) -> Tensor:
    """Generalized IoU loss, ``1 - GIoU``, between matching boxes: non-zero and informative even when the boxes
    do not overlap. Symmetric in its arguments.

    Args:
        boxes1 (Tensor[..., 4]): predicted boxes in (x1, y1, x2, y2) format with x1 <= x2 and y1 <= y2.
        boxes2 (Tensor[..., 4]): target boxes, same format; shapes broadcast together.
        reduction (str): ``"none"`` (one loss per box), ``"mean"`` (0 for no boxes) or ``"sum"``.
        eps (float): small number that avoids divisions by zero.

    Returns:
        Tensor: the losses, in [0, 2] per box, reduced as asked.
    """
    a, b = _matched_coords(boxes1, boxes2, reduction)
    inter, union = intersection_and_union(a, b)
    width, height = enclosing_size(a, b)
    enclosing = width * height
    loss = 1 - (inter / (union + eps) - (enclosing - union) / (enclosing + eps))
    return _reduce(loss, reduction)


def distance_box_iou_loss(boxes1: Tensor, boxes2: Tensor, reduction: str = "none", eps: float = 1e-7) -> Tensor:
    """Distance IoU loss, ``1 - DIoU``, between matching boxes: also pulls the box centres together.

    Args:
        boxes1 (Tensor[..., 4]): predicted boxes in (x1, y1, x2, y2) format with x1 <= x2 and y1 <= y2.
        boxes2 (Tensor[..., 4]): target boxes, same format; shapes broadcast together.
        reduction (str): ``"none"`` (one loss per box), ``"mean"`` (0 for no boxes) or ``"sum"``.
        eps (float): small number that avoids divisions by zero.

    Returns:
        Tensor: the losses, in [0, 2] per box, reduced as asked.
    """
    a, b = _matched_coords(boxes1, boxes2, reduction)
    return _reduce(_distance_loss_terms(a, b, eps)[0], reduction)


def complete_box_iou_loss(boxes1: Tensor, boxes2: Tensor, reduction: str = "none", eps: float = 1e-7) -> Tensor:
    """Complete IoU loss, ``1 - CIoU``, between matching boxes: DIoU loss plus an aspect-ratio term.

    Args:
        boxes1 (Tensor[..., 4]): predicted boxes in (x1, y1, x2, y2) format with x1 <= x2 and y1 <= y2.
        boxes2 (Tensor[..., 4]): target boxes, same format; shapes broadcast together.
        reduction (str): ``"none"`` (one loss per box), ``"mean"`` (0 for no boxes) or ``"sum"``.
        eps (float): small number that avoids divisions by zero.

    Returns:
        Tensor: the losses, in [0, 3) per box, reduced as asked.
    """
    a, b = _matched_coords(boxes1, boxes2, reduction)
    loss, iou = _distance_loss_terms(a, b, eps)
    v = aspect_ratio_penalty(a, b)
    with torch.no_grad():
        alpha = v / (1 - iou + v + eps)
    return _reduce(loss + alpha * v, reduction)


def _matched_coords(boxes1: Tensor, boxes2: Tensor, reduction: str) -> tuple[Coords, Coords]:
    check_boxes(boxes1, "boxes1")
    check_boxes(boxes2, "boxes2")
    check_reduction(reduction)
    x1, y1, x2, y2 = as_float(boxes1).unbind(-1)
    u1, v1, u2, v2 = as_float(boxes2).unbind(-1)
    return (x1, y1, x2, y2), (u1, v1, u2, v2)


def _distance_loss_terms(a: Coords, b: Coords, eps: float) -> tuple[Tensor, Tensor]:
    """``1 - DIoU`` and the IoU of ``a`` and ``b``, both with ``eps`` in their denominators."""
    inter, union = intersection_and_union(a, b)
    iou = inter / (union + eps)
    width, height = enclosing_size(a, b)
    diagonal_squared = width**2 + height**2 + eps
    return 1 - iou + center_distance_squared(a, b) / diagonal_squared, iou


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        # The mean of no boxes is 0 rather than NaN, so an image without targets does not poison a batch.
        return loss.mean() if loss.numel() else 0.0 * loss.sum()
    if reduction == "sum":
        return loss.sum()
    return loss
