"""Detection operators mirroring ``torchvision.ops``, in plain torch: box utilities, the IoU family and its
losses, non-maximum suppression, RoI Align and RoI Pool, the Feature Pyramid Network and the sigmoid focal loss.

>>> from visionkit.ops import box_iou, nms
>>> keep = nms(boxes, scores, iou_threshold=0.5)
"""

from __future__ import annotations

from ..models._layers import Conv2dNormActivation
from ._box_convert import box_convert
from ._focal_loss import sigmoid_focal_loss
from ._fpn import ExtraFPNBlock, FeaturePyramidNetwork, LastLevelMaxPool, LastLevelP6P7
from ._iou import box_iou, complete_box_iou, distance_box_iou, generalized_box_iou
from ._losses import complete_box_iou_loss, distance_box_iou_loss, generalized_box_iou_loss
from ._nms import batched_nms, nms
from ._roi import RoIAlign, RoIPool, roi_align, roi_pool
from ._validate import validate_boxes
from .boxes import box_area, clip_boxes_to_image, masks_to_boxes, remove_small_boxes

__all__ = [
    "Conv2dNormActivation",
    "ExtraFPNBlock",
    "FeaturePyramidNetwork",
    "LastLevelMaxPool",
    "LastLevelP6P7",
    "RoIAlign",
    "RoIPool",
    "batched_nms",
    "box_area",
    "box_convert",
    "box_iou",
    "clip_boxes_to_image",
    "complete_box_iou",
    "complete_box_iou_loss",
    "distance_box_iou",
    "distance_box_iou_loss",
    "generalized_box_iou",
    "generalized_box_iou_loss",
    "masks_to_boxes",
    "nms",
    "remove_small_boxes",
    "roi_align",
    "roi_pool",
    "sigmoid_focal_loss",
    "validate_boxes",
]
