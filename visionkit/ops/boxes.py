"""Box utilities, mirroring ``torchvision.ops.boxes``: areas, clipping, filtering, masks to boxes; and, for the
same import paths as torchvision, the IoU family and non-maximum suppression."""

from __future__ import annotations

import torch
from torch import Tensor

from ._box_convert import box_convert
from ._checks import check_box_format, check_boxes, check_tensor
from ._iou import box_iou, complete_box_iou, distance_box_iou, generalized_box_iou
from ._nms import batched_nms, nms

__all__ = [
    "batched_nms",
    "box_area",
    "box_convert",
    "box_iou",
    "clip_boxes_to_image",
    "complete_box_iou",
    "distance_box_iou",
    "generalized_box_iou",
    "masks_to_boxes",
    "nms",
    "remove_small_boxes",
]


def box_area(boxes: Tensor, fmt: str = "xyxy") -> Tensor:
    """Area of each box.

    Args:
        boxes (Tensor[..., 4]): boxes in ``fmt`` format.
        fmt (str): ``"xyxy"`` (default), ``"xywh"`` or ``"cxcywh"``.

    Returns:
        Tensor[...]: the areas. Integer boxes give int32 or int64 areas, float16 and bfloat16 give float32.
    """
    check_boxes(boxes)
    check_box_format(fmt)
    boxes = _upcast(boxes)
    if fmt == "xyxy":
        return (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])
    return boxes[..., 2] * boxes[..., 3]


def clip_boxes_to_image(boxes: Tensor, size: tuple[int, int]) -> Tensor:
    """Clip boxes so that they lie inside an image.

    Args:
        boxes (Tensor[..., 4]): boxes in (x1, y1, x2, y2) format.
        size (tuple[int, int]): (height, width) of the image.

    Returns:
        Tensor[..., 4]: the boxes with x clamped to [0, width] and y to [0, height].
    """
    check_boxes(boxes)
    height, width = size
    x = boxes[..., 0::2].clamp(min=0, max=width)
    y = boxes[..., 1::2].clamp(min=0, max=height)
    return torch.stack((x, y), dim=-1).reshape(boxes.shape)


def remove_small_boxes(boxes: Tensor, min_size: float) -> Tensor:
    """Indices of the boxes whose width and height are both at least ``min_size``.

    Args:
        boxes (Tensor[N, 4]): boxes in (x1, y1, x2, y2) format.
        min_size (float): smallest side length to keep.

    Returns:
        Tensor[K]: int64 indices of the kept boxes, in increasing order.
    """
    check_boxes(boxes)
    widths = boxes[..., 2] - boxes[..., 0]
    heights = boxes[..., 3] - boxes[..., 1]
    return torch.where((widths >= min_size) & (heights >= min_size))[0]


def masks_to_boxes(masks: Tensor) -> Tensor:
    """The tightest box around the non-zero pixels of each mask.

    Args:
        masks (Tensor[N, H, W]): masks; any non-zero value counts as inside.

    Returns:
        Tensor[N, 4]: float32 boxes in (x1, y1, x2, y2) pixel-index format (x2 and y2 inclusive, so a single
        pixel gives x1 == x2); an empty mask gives (0, 0, 0, 0).
    """
    check_tensor(masks, "masks")
    if masks.dim() != 3:
        raise ValueError(f"`masks` should have shape (N, H, W), got {tuple(masks.shape)}")
    inside = masks != 0
    x1, x2 = _extent(inside.any(dim=1))
    y1, y2 = _extent(inside.any(dim=2))
    return torch.stack((x1, y1, x2, y2), dim=-1).float()


def _extent(occupied: Tensor) -> tuple[Tensor, Tensor]:
    """First and last True index along the last dimension of ``occupied`` (Tensor[N, L]); (0, 0) where none."""
    index = torch.arange(occupied.shape[-1], device=occupied.device)
    first = torch.where(occupied, index, occupied.shape[-1]).amin(dim=-1)
    last = torch.where(occupied, index, -1).amax(dim=-1)
    empty = last < 0
    return first.masked_fill(empty, 0), last.masked_fill(empty, 0)


def _upcast(boxes: Tensor) -> Tensor:
    """Promote small dtypes so that products cannot overflow: float16/bfloat16 to float32, small ints to int32."""
    if boxes.is_floating_point():
        return boxes if boxes.dtype in (torch.float32, torch.float64) else boxes.float()
    return boxes if boxes.dtype in (torch.int32, torch.int64) else boxes.int()
