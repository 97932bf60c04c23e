"""What the Boxes page computes: the IoU family for a pair, IoU matrices and matches, a step-by-step NMS replay,
crowds of scored boxes around objects, and where RoIAlign samples. All box math goes through ``visionkit.ops``."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor

from visionkit import ops

FORMATS = ("xyxy", "xywh", "cxcywh")
#: NMS requests beyond this many boxes are refused with a message: the replay draws every box at every step.
MAX_NMS_BOXES = 2000


def to_tensor(boxes: Sequence[Mapping[str, Any]]) -> Tensor:
    """Tensor[N, 4] of (x1, y1, x2, y2) from the canvas's box dicts."""
    return torch.tensor([[float(b["x1"]), float(b["y1"]), float(b["x2"]), float(b["y2"])] for b in boxes]).reshape(
        -1, 4
    )


COORDINATES = ("x1", "y1", "x2", "y2")


def missing_coordinates(rows: Sequence[Mapping[str, Any]]) -> str | None:
    """A user-facing message for the first table row with an empty coordinate (a cleared cell, or NaN, which the
    table hands over as empty), else None."""
    for number, row in enumerate(rows, start=1):
        missing = [c for c in COORDINATES if row.get(c) is None or row[c] != row[c]]  # NaN != NaN
        if missing:
            return (
                f"row {number} has no {', '.join(missing)} (NaN or an empty cell): fill in x1, y1, x2 and y2, "
                "or delete the row"
            )
    return None


def check(boxes: Tensor, image_size: tuple[int, int] | None = None) -> str | None:
    """A user-facing message when boxes are unusable (wrong shape, NaN, inverted), else None."""
    try:
        ops.validate_boxes(boxes, image_size=image_size)
    except ValueError as exc:
        return str(exc)
    return None


def formats(box: Tensor) -> dict[str, list[float]]:
    """One xyxy box in each of torchvision's three formats, rounded for display."""
    return {fmt: [round(v, 1) for v in ops.box_convert(box[None], "xyxy", fmt)[0].tolist()] for fmt in FORMATS}


@dataclass
class PairMetrics:
    iou: float
    giou: float
    diou: float
    ciou: float
    intersection: list[float] | None  # xyxy, None when the boxes do not overlap
    enclosing: list[float]
    union_area: float
    centers: list[list[float]]

    def losses(self) -> dict[str, float]:
        """The losses torchvision defines: 1 - the metric."""
        return {"IoU": 1 - self.iou, "GIoU": 1 - self.giou, "DIoU": 1 - self.diou, "CIoU": 1 - self.ciou}


def pair_metrics(a: Tensor, b: Tensor) -> PairMetrics:
    """IoU, GIoU, DIoU and CIoU of two xyxy boxes, and what to draw: intersection, enclosing box, both centers."""
    first, second = a[None].double(), b[None].double()
    low, high = torch.maximum(a[:2], b[:2]), torch.minimum(a[2:], b[2:])
    overlap = bool((high > low).all())
    inter_area = float((high - low).clamp(min=0).prod())
    return PairMetrics(
        iou=float(ops.box_iou(first, second)),
        giou=float(ops.generalized_box_iou(first, second)),
        diou=float(ops.distance_box_iou(first, second)),
        ciou=float(ops.complete_box_iou(first, second)),
        intersection=torch.cat([low, high]).tolist() if overlap else None,
        enclosing=torch.cat([torch.minimum(a[:2], b[:2]), torch.maximum(a[2:], b[2:])]).tolist(),
        union_area=float(ops.box_area(first) + ops.box_area(second)) - inter_area,
        centers=[((a[:2] + a[2:]) / 2).tolist(), ((b[:2] + b[2:]) / 2).tolist()],
    )


def matches(iou: Tensor, threshold: float) -> list[tuple[int, int, float]]:
    """Greedy one-to-one matching by decreasing IoU, keeping pairs at or above ``threshold``: (row, column, IoU)."""
    pairs = sorted(((float(iou[i, j]), i, j) for i in range(iou.shape[0]) for j in range(iou.shape[1])), reverse=True)
    used_rows: set[int] = set()
    used_cols: set[int] = set()
    found = []
    for value, i, j in pairs:
        if value < threshold:
            break
        if i not in used_rows and j not in used_cols:
            used_rows.add(i)
            used_cols.add(j)
            found.append((i, j, value))
    return found


@dataclass
class NmsStep:
    """One round of greedy NMS: the box kept, the boxes it suppressed, and every box's state after the round."""

    kept: int
    suppressed: list[int]
    states: list[str]  # per box: "kept", "suppressed", "pending", "below threshold"


def nms_replay(
    boxes: Tensor, scores: Tensor, iou_threshold: float, *, score_threshold: float = 0.0, classes: Tensor | None = None
) -> list[NmsStep]:
    """Replay greedy NMS round by round (class-aware when ``classes`` is given, as ``batched_nms`` is).

    The final kept set, in order, is what ``ops.nms`` / ``ops.batched_nms`` return for the boxes above the score
    threshold; the tests hold the replay to that.

    Raises:
        ValueError: more than ``MAX_NMS_BOXES`` boxes, or mismatched lengths.
    """
    count = len(boxes)
    if count > MAX_NMS_BOXES:
        raise ValueError(
            f"NMS replays up to {MAX_NMS_BOXES} boxes; got {count}. Raise the score threshold or draw fewer."
        )
    if len(scores) != count or (classes is not None and len(classes) != count):
        raise ValueError(f"every box needs a score and a class: {count} boxes, {len(scores)} scores")
    iou = ops.box_iou(boxes.double(), boxes.double())
    states = ["pending" if float(s) >= score_threshold else "below threshold" for s in scores]
    # Same ordering as torch.sort(descending=True, stable=True): ties keep the lower index first.
    order = sorted((i for i in range(count) if states[i] == "pending"), key=lambda i: (-float(scores[i]), i))
    steps = []
    for i in order:
        if states[i] != "pending":
            continue
        states[i] = "kept"
        rivals = [j for j in order if states[j] == "pending" and (classes is None or bool(classes[j] == classes[i]))]
        hit = [j for j in rivals if float(iou[i, j]) > iou_threshold]
        for j in hit:
            states[j] = "suppressed"
        steps.append(NmsStep(i, hit, list(states)))
    return steps


def crowd(
    objects: Tensor, labels: Tensor, *, per_object: int, jitter: float, seed: int, size: tuple[int, int]
) -> list[dict[str, Any]]:
    """Scored detections around each object, like a detector's raw output: ``per_object`` jittered copies of every
    ground-truth box, closer copies scoring higher, clipped to the image."""
    rng = np.random.default_rng(seed)
    width, height = size
    found = []
    for box, label in zip(objects.tolist(), labels.tolist(), strict=True):
        w, h = box[2] - box[0], box[3] - box[1]
        for _ in range(per_object):
            noise = rng.normal(0.0, jitter, 4) * [w, h, w, h]
            x1, y1, x2, y2 = (np.asarray(box) + noise).tolist()
            x1, x2 = sorted((min(max(x1, 0), width), min(max(x2, 0), width)))
            y1, y2 = sorted((min(max(y1, 0), height), min(max(y2, 0), height)))
            if x2 - x1 < 2 or y2 - y1 < 2:
                continue
            closeness = math.exp(-float(np.abs(noise).sum()) / max(w + h, 1.0))
            score = round(min(0.99, 0.3 + 0.7 * closeness * rng.uniform(0.85, 1.0)), 3)
            found.append({"x1": x1, "y1": y1, "x2": x2, "y2": y2, "score": score, "label": str(label)})
    return found


@dataclass
class RoiSampling:
    """Where RoIAlign samples one box: bin edges and sample points in feature-map coordinates, and the output."""

    bins: tuple[float, float, float, float]  # x1, y1, x2, y2 of the region the bins tile
    points: list[list[float]]
    output: Tensor  # [C, out_h, out_w]


def roi_sampling(
    feature: Tensor,
    box: Tensor,
    output_size: tuple[int, int],
    *,
    spatial_scale: float,
    sampling_ratio: int,
    aligned: bool,
) -> RoiSampling:
    """Run ``ops.roi_align`` on one box and lay out where it sampled, following its definition: the box is scaled by
    ``spatial_scale`` (and shifted by -0.5 when ``aligned``), split into out_h x out_w bins, and each bin averages
    a grid of bilinear samples (``sampling_ratio`` per side, or ceil(bin size) when it is -1 or 0)."""
    out_h, out_w = output_size
    rois = torch.cat([torch.zeros(1), box.float()])[None]
    output = ops.roi_align(feature[None].float(), rois, output_size, spatial_scale, sampling_ratio, aligned)[0]
    offset = 0.5 if aligned else 0.0
    x1, y1, x2, y2 = (box.double() * spatial_scale - offset).tolist()
    width, height = x2 - x1, y2 - y1
    if not aligned:
        width, height = max(width, 1.0), max(height, 1.0)
    bin_w, bin_h = width / out_w, height / out_h
    grid_w = sampling_ratio if sampling_ratio > 0 else math.ceil(width / out_w)
    grid_h = sampling_ratio if sampling_ratio > 0 else math.ceil(height / out_h)
    points = [
        [x1 + (j + (ix + 0.5) / grid_w) * bin_w, y1 + (i + (iy + 0.5) / grid_h) * bin_h]
        for i in range(out_h)
        for j in range(out_w)
        for iy in range(grid_h)
        for ix in range(grid_w)
    ]
    return RoiSampling((x1, y1, x1 + width, y1 + height), points, output)
