"""A check of user-supplied boxes that says what is wrong, and in which row, in words a user can act on."""

from __future__ import annotations

import torch
from torch import Tensor

from ._box_convert import to_xyxy
from ._checks import check_box_format, check_real

_COORDINATE_NAMES = {"xyxy": "(x1, y1, x2, y2)", "xywh": "(x, y, width, height)", "cxcywh": "(cx, cy, width, height)"}


def validate_boxes(boxes: Tensor, *, fmt: str = "xyxy", image_size: tuple[int, int] | None = None) -> None:
    """Check that ``boxes`` are well-formed boxes, and raise an error that names the first offending row.

    Args:
        boxes (Tensor[N, 4]): boxes in ``fmt`` format.
        fmt (str): ``"xyxy"`` (default), ``"xywh"`` or ``"cxcywh"``.
        image_size (tuple[int, int], optional): (height, width) of the image; when given, every box must lie
            inside [0, width] x [0, height].

    Raises:
        TypeError: if ``boxes`` is not a tensor of real numbers, or ``image_size`` not a pair of ints.
        ValueError: if ``fmt`` is unknown, ``boxes`` is not of shape (N, 4), a coordinate is NaN or infinite,
            a box has a negative width or height (x2 < x1 or y2 < y1), a box reaches outside the image, or
            ``image_size`` is not positive.
    """
    check_real(boxes, "boxes")
    check_box_format(fmt)
    size = None if image_size is None else _image_size(image_size)
    if boxes.dim() != 2 or boxes.shape[1] != 4:
        raise ValueError(
            f"`boxes` should have shape (N, 4), one {_COORDINATE_NAMES[fmt]} row per box, got {tuple(boxes.shape)}"
        )
    _check_finite(boxes)
    corners = to_xyxy(boxes, fmt)
    _check_not_inverted(boxes, corners, fmt)
    if size is not None:
        _check_inside(boxes, corners, fmt, size)


def _first(mask: Tensor) -> int | None:
    """Index of the first True in ``mask`` (Tensor[N] bool), or None."""
    rows = torch.where(mask)[0]
    return int(rows[0]) if rows.numel() else None


def _check_finite(boxes: Tensor) -> None:
    row = _first(~torch.isfinite(boxes).all(dim=1))
    if row is not None:
        raise ValueError(f"`boxes` row {row} has a NaN or infinite coordinate: {boxes[row].tolist()}")


def _check_not_inverted(boxes: Tensor, corners: Tensor, fmt: str) -> None:
    for axis, (low, high, size) in enumerate((("x1", "x2", "width"), ("y1", "y2", "height"))):
        row = _first(corners[:, axis + 2] < corners[:, axis])
        if row is None:
            continue
        if fmt == "xyxy":
            raise ValueError(
                f"`boxes` row {row} has {high} < {low} ({boxes[row, axis + 2].item()} < {boxes[row, axis].item()}); "
                f"boxes should be (x1, y1, x2, y2) with x1 <= x2 and y1 <= y2, got {boxes[row].tolist()}"
            )
        raise ValueError(
            f"`boxes` row {row} has a negative {size} ({boxes[row, axis + 2].item()}) in {fmt!r} format "
            f"{_COORDINATE_NAMES[fmt]}, got {boxes[row].tolist()}"
        )


def _check_inside(boxes: Tensor, corners: Tensor, fmt: str, image_size: tuple[int, int]) -> None:
    height, width = image_size
    limits = torch.tensor([width, height, width, height], dtype=corners.dtype)
    row = _first(((corners < 0) | (corners > limits)).any(dim=1))
    if row is not None:
        raise ValueError(
            f"`boxes` row {row} reaches outside the image of height {height} and width {width}: "
            f"{boxes[row].tolist()} in {fmt!r} format spans x from {corners[row, 0].item()} to "
            f"{corners[row, 2].item()} and y from {corners[row, 1].item()} to {corners[row, 3].item()}"
        )


def _image_size(image_size: object) -> tuple[int, int]:
    if (
        not isinstance(image_size, (tuple, list))
        or len(image_size) != 2
        or not all(isinstance(s, int) and not isinstance(s, bool) for s in image_size)
    ):
        raise TypeError(f"`image_size` should be a (height, width) pair of ints, got {image_size!r}")
    if min(image_size) <= 0:
        raise ValueError(f"`image_size` should be a positive (height, width), got {tuple(image_size)}")
    return image_size[0], image_size[1]
