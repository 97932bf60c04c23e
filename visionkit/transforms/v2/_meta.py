"""v2 transforms of box and keypoint metadata: box format conversion, clamping to the canvas, and the clamping mode
later transforms use. Images, masks and labels pass through."""

from __future__ import annotations

from typing import Any

from ... import tv_tensors
from . import functional as F
from ._transform import Transform

__all__ = ["ClampBoundingBoxes", "ClampKeyPoints", "ConvertBoundingBoxFormat", "SetClampingMode"]


class ConvertBoundingBoxFormat(Transform):
    """Convert boxes to another format, e.g. ``"CXCYWH"`` to ``"XYXY"``.

    Args:
        format: a :class:`~visionkit.tv_tensors.BoundingBoxFormat` or its name.
    """

    _transformed_types = (tv_tensors.BoundingBoxes,)

    def __init__(self, format: str | tv_tensors.BoundingBoxFormat) -> None:
        super().__init__()
        self.format = format

    def transform(self, inpt: tv_tensors.BoundingBoxes, params: dict[str, Any]) -> tv_tensors.BoundingBoxes:
        return F.convert_bounding_box_format(inpt, new_format=self.format)


class ClampBoundingBoxes(Transform):
    """Clamp boxes to their canvas.

    Args:
        clamping_mode: ``"soft"``, ``"hard"`` or None, or ``"auto"`` for each box's own ``clamping_mode``.
    """

    _transformed_types = (tv_tensors.BoundingBoxes,)

    def __init__(self, clamping_mode: str | None = "auto") -> None:
        super().__init__()
        self.clamping_mode = clamping_mode

    def transform(self, inpt: tv_tensors.BoundingBoxes, params: dict[str, Any]) -> tv_tensors.BoundingBoxes:
        return F.clamp_bounding_boxes(inpt, clamping_mode=self.clamping_mode)


class ClampKeyPoints(Transform):
    """Move keypoints outside their canvas onto its border."""

    _transformed_types = (tv_tensors.KeyPoints,)

    def transform(self, inpt: tv_tensors.KeyPoints, params: dict[str, Any]) -> tv_tensors.KeyPoints:
        return F.clamp_keypoints(inpt)


class SetClampingMode(Transform):
    """Set the ``clamping_mode`` of boxes, which the transforms after this one follow.

    Args:
        clamping_mode: ``"soft"``, ``"hard"`` or None.

    Raises:
        ValueError: for any other mode.
    """

    _transformed_types = (tv_tensors.BoundingBoxes,)

    def __init__(self, clamping_mode: str | None) -> None:
        super().__init__()
        if clamping_mode not in (None, "soft", "hard"):
            raise ValueError(f"clamping_mode must be soft, hard or None, got {clamping_mode}")
        self.clamping_mode = clamping_mode

    def transform(self, inpt: tv_tensors.BoundingBoxes, params: dict[str, Any]) -> tv_tensors.BoundingBoxes:
        output = inpt.clone()
        output.clamping_mode = self.clamping_mode
        return output
