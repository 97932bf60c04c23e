"""tv_tensors: tensors that say what they hold (an image, a video, masks, boxes, keypoints), as torchvision's.

A transform of ``visionkit.transforms.v2`` dispatches on these types and moves boxes, masks and keypoints with the
image; box and keypoint tensors carry the ``canvas_size`` (and boxes their ``format``) that this needs.
"""

from __future__ import annotations

from ._boxes import BoundingBoxes, BoundingBoxFormat, KeyPoints, is_rotated_bounding_format
from ._image import Image, Mask, Video
from ._tv_tensor import TVTensor, set_return_type, wrap

__all__ = [
    "BoundingBoxFormat",
    "BoundingBoxes",
    "Image",
    "KeyPoints",
    "Mask",
    "TVTensor",
    "Video",
    "is_rotated_bounding_format",
    "set_return_type",
    "wrap",
]
