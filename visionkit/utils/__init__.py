"""Utilities for looking at images, mirroring ``torchvision.utils``.

Tile a batch into a grid and save it, draw boxes, segmentation masks and keypoints on an image, picture an optical
flow, and undo ``Normalize`` to show a tensor in a UI.
"""

from __future__ import annotations

from ._boxes import draw_bounding_boxes
from ._display import Denormalize, denormalize, to_displayable
from ._flow import flow_to_image
from ._grid import make_grid, save_image
from ._keypoints import draw_keypoints
from ._masks import draw_segmentation_masks

__all__ = [
    "Denormalize",
    "denormalize",
    "draw_bounding_boxes",
    "draw_keypoints",
    "draw_segmentation_masks",
    "flow_to_image",
    "make_grid",
    "save_image",
    "to_displayable",
]
