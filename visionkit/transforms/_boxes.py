"""Bounding boxes through geometric transforms: one function per op, taking the same parameters as the image op.

Boxes are ``Tensor[N, 4]`` in ``(x1, y1, x2, y2)`` pixel-edge coordinates (a box around pixel ``(i, j)`` alone is
``(j, i, j + 1, i + 1)``), float. Image sizes are ``(h, w)``. Boxes that end up (partly) outside the canvas are
clipped to it, so a box pushed out entirely becomes empty (zero width or height); the number of boxes never changes.
Warps (rotate, affine, perspective) give the axis-aligned box around the 4 mapped corners.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor

from ._geometry import (
    affine_matrix,
    affine_output_size,
    parse_padding,
    parse_size,
    perspective_coefficients,
    resized_output_size,
)

__all__ = [
    "affine_boxes",
    "center_crop_boxes",
    "clip_boxes",
    "crop_boxes",
    "hflip_boxes",
    "pad_boxes",
    "perspective_boxes",
    "resize_boxes",
    "resized_crop_boxes",
    "rotate_boxes",
    "vflip_boxes",
]


def _check_boxes(boxes: Tensor) -> Tensor:
    if not isinstance(boxes, Tensor):
        raise TypeError(f"boxes should be a Tensor[N, 4], got {type(boxes).__name__}")
    if boxes.ndim != 2 or boxes.shape[-1] != 4:
        raise ValueError(f"boxes should have shape [N, 4], got {tuple(boxes.shape)}")
    return boxes if boxes.is_floating_point() else boxes.float()


def clip_boxes(boxes: Tensor, image_size: Sequence[int]) -> Tensor:
    """Clip boxes to the canvas ``[0, w] x [0, h]``.

    Args:
        boxes (Tensor[N, 4]): ``(x1, y1, x2, y2)`` boxes.
        image_size: ``(h, w)`` of the canvas.
    """
    boxes = _check_boxes(boxes)
    h, w = image_size
    return torch.stack([boxes[:, 0].clamp(0, w), boxes[:, 1].clamp(0, h),
                        boxes[:, 2].clamp(0, w), boxes[:, 3].clamp(0, h)], dim=1)  # fmt: skip


def hflip_boxes(boxes: Tensor, image_width: int) -> Tensor:
    """Boxes after :func:`~visionkit.transforms.functional.hflip` of an image ``image_width`` pixels wide."""
    boxes = _check_boxes(boxes)
    return torch.stack([image_width - boxes[:, 2], boxes[:, 1], image_width - boxes[:, 0], boxes[:, 3]], dim=1)


def vflip_boxes(boxes: Tensor, image_height: int) -> Tensor:
    """Boxes after :func:`~visionkit.transforms.functional.vflip` of an image ``image_height`` pixels high."""
    boxes = _check_boxes(boxes)
    return torch.stack([boxes[:, 0], image_height - boxes[:, 3], boxes[:, 2], image_height - boxes[:, 1]], dim=1)


def crop_boxes(boxes: Tensor, top: int, left: int, height: int, width: int) -> Tensor:
    """Boxes after :func:`~visionkit.transforms.functional.crop` with the same arguments."""
    boxes = _check_boxes(boxes)
    shifted = boxes - torch.tensor([left, top, left, top], dtype=boxes.dtype)
    return clip_boxes(shifted, (height, width))


def pad_boxes(boxes: Tensor, padding: int | Sequence[int], image_size: Sequence[int]) -> Tensor:
    """Boxes after :func:`~visionkit.transforms.functional.pad` of an image of size ``image_size = (h, w)``."""
    left, top, right, bottom = parse_padding(padding)
    h, w = image_size
    return crop_boxes(boxes, -top, -left, h + top + bottom, w + left + right)


def resize_boxes(boxes: Tensor, image_size: Sequence[int], output_size: Sequence[int]) -> Tensor:
    """Boxes after resizing an image from ``image_size`` to ``output_size`` (both ``(h, w)``)."""
    boxes = _check_boxes(boxes)
    (h, w), (out_h, out_w) = image_size, output_size
    return boxes * torch.tensor([out_w / w, out_h / h, out_w / w, out_h / h], dtype=boxes.dtype)


def resized_crop_boxes(
    boxes: Tensor, top: int, left: int, height: int, width: int, size: int | Sequence[int]
) -> Tensor:
    """Boxes after :func:`~visionkit.transforms.functional.resized_crop` with the same arguments."""
    output_size = resized_output_size((height, width), size)
    return resize_boxes(crop_boxes(boxes, top, left, height, width), (height, width), output_size)


def center_crop_boxes(boxes: Tensor, image_size: Sequence[int], output_size: int | Sequence[int]) -> Tensor:
    """Boxes after :func:`~visionkit.transforms.functional.center_crop` of an image of size ``image_size``."""
    crop_h, crop_w = parse_size(output_size, "output_size")
    h, w = image_size
    # A crop larger than the image pads it evenly (the extra pixel at the bottom/right) and keeps everything.
    top = -((crop_h - h) // 2) if crop_h > h else round((h - crop_h) / 2.0)
    left = -((crop_w - w) // 2) if crop_w > w else round((w - crop_w) / 2.0)
    return crop_boxes(boxes, top, left, crop_h, crop_w)


def _map_corners(boxes: Tensor, mapping: Callable[[Tensor, Tensor], tuple[Tensor, Tensor]]) -> Tensor:
    """Axis-aligned boxes around the images of each box's 4 corners under ``mapping(x, y) -> (x', y')``."""
    boxes = _check_boxes(boxes)
    xs = boxes[:, [0, 2, 2, 0]].double()
    ys = boxes[:, [1, 1, 3, 3]].double()
    mx, my = mapping(xs, ys)
    out = torch.stack([mx.amin(1), my.amin(1), mx.amax(1), my.amax(1)], dim=1)
    return out.to(boxes.dtype)


def _apply_affine(boxes: Tensor, m: Sequence[float]) -> Tensor:
    return _map_corners(boxes, lambda x, y: (m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]))


def affine_boxes(
    boxes: Tensor,
    image_size: Sequence[int],
    angle: float,
    translate: Sequence[float],
    scale: float,
    shear: float | Sequence[float],
    center: Sequence[float] | None = None,
) -> Tensor:
    """Boxes after :func:`~visionkit.transforms.functional.affine` (same arguments) of an image of ``image_size``."""
    h, w = image_size
    shear_xy = (float(shear), 0.0) if isinstance(shear, (int, float)) else (float(shear[0]), float(shear[-1]))
    center_px = [w * 0.5, h * 0.5] if center is None else list(center)
    forward = affine_matrix(center_px, angle, translate, scale, shear_xy, inverted=False)
    return clip_boxes(_apply_affine(boxes, forward), (h, w))


def rotate_boxes(
    boxes: Tensor,
    image_size: Sequence[int],
    angle: float,
    expand: bool = False,
    center: Sequence[float] | None = None,
) -> Tensor:
    """Boxes after :func:`~visionkit.transforms.functional.rotate` (same arguments) of an image of ``image_size``.

    With ``expand`` the canvas grows as the image's does and the boxes move with the image center.
    """
    h, w = image_size
    center_px = [w * 0.5, h * 0.5] if center is None else list(center)
    forward = affine_matrix(center_px, -angle, [0.0, 0.0], 1.0, [0.0, 0.0], inverted=False)
    out_h, out_w = h, w
    if expand:
        inverse = affine_matrix([0.0, 0.0], -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
        out_w, out_h = affine_output_size(inverse, w, h)
        forward[2] += (out_w - w) * 0.5
        forward[5] += (out_h - h) * 0.5
    return clip_boxes(_apply_affine(boxes, forward), (out_h, out_w))


def perspective_boxes(
    boxes: Tensor,
    image_size: Sequence[int],
    startpoints: Sequence[Sequence[float]],
    endpoints: Sequence[Sequence[float]],
) -> Tensor:
    """Boxes after :func:`~visionkit.transforms.functional.perspective` (same arguments)."""
    a, b, c, d, e, f, g, k = perspective_coefficients(endpoints, startpoints)  # maps input points to output points

    def _homography(x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
        den = g * x + k * y + 1.0
        return (a * x + b * y + c) / den, (d * x + e * y + f) / den

    return clip_boxes(_map_corners(boxes, _homography), image_size)
