"""Detection operators mirroring ``torchvision.ops``, in plain torch: box utilities, the IoU family and its
losses, non-maximum suppression, RoI Align and RoI Pool, the Feature Pyramid Network, the sigmoid focal loss, and
the layers models are built of (``Conv2dNormActivation``, ``SqueezeExcitation``, ``StochasticDepth``, ``MLP``, ...).

>>> from visionkit.ops import box_iou, nms
>>> keep = nms(boxes, scores, iou_threshold=0.5)
"""

from __future__ import annotations

from ._box_convert import box_convert
from ._focal_loss import sigmoid_focal_loss
from ._fpn import ExtraFPNBlock, FeaturePyramidNetwork, LastLevelMaxPool, LastLevelP6P7
from ._iou import box_iou, complete_box_iou, distance_box_iou, generalized_box_iou
from ._losses import complete_box_iou_loss, distance_box_iou_loss, generalized_box_iou_loss
from ._nms import batched_nms, nms
from ._roi import RoIAlign, RoIPool, roi_align, roi_pool
from ._validate import validate_boxes
from .boxes import box_area, clip_boxes_to_image, masks_to_boxes, remove_small_boxes
from .misc import (
    MLP,
    Conv2dNormActivation,
    FrozenBatchNorm2d,
    Permute,
    SqueezeExcitation,
    StochasticDepth,
    stochastic_depth,
)

__all__ = [
    "MLP",
    "Conv2dNormActivation",
    "ExtraFPNBlock",
    "FeaturePyramidNetwork",
    "FrozenBatchNorm2d",
    "LastLevelMaxPool",
    "LastLevelP6P7",
    "Permute",
    "RoIAlign",
    "RoIPool",
    "SqueezeExcitation",
    "StochasticDepth",
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
    "stochastic_depth",
    "validate_boxes",
]
