"""Pairwise IoU and its generalized, distance and complete variants.

The pairwise matrices are computed a block of rows at a time, with the four coordinates as separate contiguous
vectors. Each block's temporaries then stay in the CPU cache, which is where most of the speed comes from: the
arithmetic is the same, element for element, as the textbook broadcast over (N, M, 2) tensors.
The geometric terms below also serve the element-wise losses in ``_losses``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import torch
from torch import Tensor

from ._box_convert import to_xyxy
from ._checks import as_float, check_box_format, check_boxes

Coords = tuple[Tensor, Tensor, Tensor, Tensor]

# Elements of the pairwise matrix computed per block: 512 KiB of float32 per temporary.
_BLOCK_ELEMENTS = 1 << 17


def box_iou(boxes1: Tensor, boxes2: Tensor, fmt: str = "xyxy") -> Tensor:
    """Intersection over union (Jaccard index) of every box in ``boxes1`` with every box in ``boxes2``.

    Args:
        boxes1 (Tensor[..., N, 4]): first set of boxes.
        boxes2 (Tensor[..., M, 4]): second set of boxes; leading dimensions broadcast with those of ``boxes1``.
        fmt (str): format of both sets: ``"xyxy"`` (default), ``"xywh"`` or ``"cxcywh"``.

    Returns:
        Tensor[..., N, M]: the IoU of each pair, in [0, 1] for valid boxes (NaN for two empty boxes).
        Float64 inputs give float64, anything else float32.
    """
    check_box_format(fmt)
    return pairwise(iou_of, boxes1, boxes2, fmt)


def generalized_box_iou(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    """Generalized IoU (Rezatofighi et al., 2019) of every pair: IoU minus the fraction of the smallest enclosing
    box that neither box covers.

    Args:
        boxes1 (Tensor[..., N, 4]): first set of boxes in (x1, y1, x2, y2) format with x1 <= x2 and y1 <= y2.
        boxes2 (Tensor[..., M, 4]): second set of boxes, same format.

    Returns:
        Tensor[..., N, M]: the generalized IoU of each pair, in [-1, 1].
    """
    return pairwise(_generalized_iou_of, boxes1, boxes2)


def distance_box_iou(boxes1: Tensor, boxes2: Tensor, eps: float = 1e-7) -> Tensor:
    """Distance IoU (Zheng et al., 2020) of every pair: IoU minus the squared distance between the box centres
    divided by the squared diagonal of the smallest enclosing box.

    Args:
        boxes1 (Tensor[..., N, 4]): first set of boxes in (x1, y1, x2, y2) format with x1 <= x2 and y1 <= y2.
        boxes2 (Tensor[..., M, 4]): second set of boxes, same format.
        eps (float): added to the squared diagonal to avoid a division by zero.

    Returns:
        Tensor[..., N, M]: the distance IoU of each pair, in [-1, 1].
    """
    return pairwise(functools.partial(_distance_iou_of, eps=eps), boxes1, boxes2)


def complete_box_iou(boxes1: Tensor, boxes2: Tensor, eps: float = 1e-7) -> Tensor:
    """Complete IoU (Zheng et al., 2020) of every pair: distance IoU minus a penalty for differing aspect ratios.

    Args:
        boxes1 (Tensor[..., N, 4]): first set of boxes in (x1, y1, x2, y2) format with x1 <= x2 and y1 <= y2.
        boxes2 (Tensor[..., M, 4]): second set of boxes, same format.
        eps (float): small number that avoids divisions by zero.

    Returns:
        Tensor[..., N, M]: the complete IoU of each pair, in [-1, 1] up to ``eps``.
    """
    return pairwise(functools.partial(_complete_iou_of, eps=eps), boxes1, boxes2)


def pairwise(measure: Callable[[Coords, Coords], Tensor], boxes1: Tensor, boxes2: Tensor, fmt: str = "xyxy") -> Tensor:
    """``measure`` of every box in ``boxes1`` (Tensor[..., N, 4]) with every box in ``boxes2`` (Tensor[..., M, 4]),
    a cache-sized block of rows at a time; returns Tensor[..., N, M]."""
    check_boxes(boxes1, "boxes1", min_dims=2)
    check_boxes(boxes2, "boxes2", min_dims=2)
    rows = [c.unsqueeze(-1) for c in coords(to_xyxy(as_float(boxes1), fmt))]
    cols = tuple(c.unsqueeze(-2) for c in coords(to_xyxy(as_float(boxes2), fmt)))
    n, m = boxes1.shape[-2], boxes2.shape[-2]
    batch = torch.broadcast_shapes(boxes1.shape[:-2], boxes2.shape[:-2])
    step = max(1, _BLOCK_ELEMENTS // max(1, m * math.prod(batch)))
    if step >= n:
        return measure(tuple(rows), cols)
    dtype = torch.promote_types(rows[0].dtype, cols[0].dtype)
    out = torch.empty(*batch, n, m, dtype=dtype, device=boxes1.device)
    for start in range(0, n, step):
        out[..., start : start + step, :] = measure(tuple(c[..., start : start + step, :] for c in rows), cols)
    return out


def coords(boxes: Tensor) -> Coords:
    """The four columns of ``boxes`` (Tensor[..., 4]) as contiguous tensors of shape (...)."""
    x1, y1, x2, y2 = boxes.movedim(-1, 0).contiguous()
    return x1, y1, x2, y2


def area(c: Coords) -> Tensor:
    return (c[2] - c[0]) * (c[3] - c[1])


def intersection_and_union(a: Coords, b: Coords) -> tuple[Tensor, Tensor]:
    """Areas of the intersection and of the union of boxes ``a`` and ``b`` (broadcast together)."""
    width = torch.minimum(a[2], b[2]).sub_(torch.maximum(a[0], b[0])).clamp_(min=0)
    height = torch.minimum(a[3], b[3]).sub_(torch.maximum(a[1], b[1])).clamp_(min=0)
    inter = width.mul_(height)
    return inter, (area(a) + area(b)).sub_(inter)


def enclosing_size(a: Coords, b: Coords) -> tuple[Tensor, Tensor]:
    """Width and height of the smallest box enclosing both ``a`` and ``b``."""
    width = torch.maximum(a[2], b[2]) - torch.minimum(a[0], b[0])
    height = torch.maximum(a[3], b[3]) - torch.minimum(a[1], b[1])
    return width, height


def center_distance_squared(a: Coords, b: Coords) -> Tensor:
    dx = (a[0] + a[2]) / 2 - (b[0] + b[2]) / 2
    dy = (a[1] + a[3]) / 2 - (b[1] + b[3]) / 2
    return dx**2 + dy**2


def aspect_ratio_penalty(a: Coords, b: Coords) -> Tensor:
    """The CIoU term v: how much the aspect ratios of ``a`` and ``b`` differ, in [0, 1)."""
    angle_a = torch.atan((a[2] - a[0]) / (a[3] - a[1]))
    angle_b = torch.atan((b[2] - b[0]) / (b[3] - b[1]))
    return (4 / math.pi**2) * (angle_a - angle_b) ** 2


def iou_of(a: Coords, b: Coords) -> Tensor:
    inter, union = intersection_and_union(a, b)
    return inter.div_(union)


def _generalized_iou_of(a: Coords, b: Coords) -> Tensor:
    inter, union = intersection_and_union(a, b)
    width, height = enclosing_size(a, b)
    enclosing = width.clamp_(min=0) * height.clamp_(min=0)
    return inter / union - (enclosing - union) / enclosing


def _distance_iou_terms(a: Coords, b: Coords, eps: float) -> tuple[Tensor, Tensor]:
    """Distance IoU and plain IoU of ``a`` and ``b``."""
    iou = iou_of(a, b)
    width, height = enclosing_size(a, b)
    diagonal_squared = width.clamp_(min=0) ** 2 + height.clamp_(min=0) ** 2 + eps
    return iou - center_distance_squared(a, b) / diagonal_squared, iou


def _distance_iou_of(a: Coords, b: Coords, eps: float) -> Tensor:
    return _distance_iou_terms(a, b, eps)[0]


def _complete_iou_of(a: Coords, b: Coords, eps: float) -> Tensor:
    distance_iou, iou = _distance_iou_terms(a, b, eps)
    v = aspect_ratio_penalty(a, b)
    with torch.no_grad():
        alpha = v / (1 - iou + v + eps)
    return distance_iou - alpha * v
