"""Annotation report for detection datasets: class balance, box statistics and the boxes that look wrong.

`annotation_report` works on datasets whose items are ``(image, target)`` with ``target`` a dict holding ``boxes``
and ``labels`` (and optionally ``iscrowd``), as ``wrap_dataset_for_transforms_v2`` returns for CocoDetection and
VOCDetection. For CocoDetection, wrapped or not, it reads the annotation index instead of the items, so no image is
decoded and no mask is rasterised: a segmentation's bounding box comes from its polygon coordinates or its RLE runs.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch

from .. import tv_tensors
from ..ops import box_iou
from ..transforms.v2 import functional as F
from ._coco_masks import decode_rle_counts
from ._v2_wrapper import VOC_DETECTION_CATEGORIES
from .coco import CocoDetection
from .voc import VOCDetection

__all__ = ["AnnotationFinding", "AnnotationReport", "annotation_report"]

ProgressCallback = Callable[[int, int], None]

FINDING_KINDS = (
    "nan_box",
    "degenerate_box",
    "outside_image",
    "tiny_box",
    "near_duplicate",
    "unknown_label",
    "mask_box_mismatch",
)
_PROGRESS_EVERY = 256
# A mask whose bounding box overlaps its annotation's box less than this (IoU) is reported.
_MASK_BOX_IOU = 0.5
Box = tuple[float, float, float, float]
# The bounding box (XYXY) of an empty mask.
_EMPTY_MASK: Box = (0.0, 0.0, 0.0, 0.0)


@dataclass
class AnnotationFinding:
    """One annotation that looks wrong.

    Attributes:
        kind (str): one of ``FINDING_KINDS``: ``nan_box``, ``degenerate_box``, ``outside_image``, ``tiny_box``,
            ``near_duplicate``, ``unknown_label`` or ``mask_box_mismatch`` (see `annotation_report`).
        image (str | int): the image's file name where known, else its dataset index.
        annotation (Any): the annotation's id where known (COCO), else its position in the image's target.
        detail (str): what is wrong, with the numbers.
    """

    kind: str
    image: str | int
    annotation: Any
    detail: str


@dataclass
class AnnotationReport:
    """What `annotation_report` found in a detection dataset.

    Classes are keyed by name where the dataset has a category list, else by the label as a string.

    Attributes:
        num_images (int): number of images in the dataset.
        num_objects (int): number of annotations, crowd ones included.
        objects_per_class (dict[str, int]): annotations per class.
        images_per_class (dict[str, int]): images with at least one annotation of the class.
        crowd_per_class (dict[str, int]): crowd annotations (``iscrowd`` true) per class.
        objects_per_image (list[int]): annotations of each image, in dataset order.
        images_without_objects (list[str | int]): images that have no annotation.
        widths (list[float]): width of each finite box of positive area, in pixels.
        heights (list[float]): height of the same boxes, aligned with ``widths``.
        aspect_ratios (list[float]): width / height of the same boxes.
        findings (list[AnnotationFinding]): the annotations that look wrong, in dataset order.
    """

    num_images: int
    num_objects: int
    objects_per_class: dict[str, int]
    images_per_class: dict[str, int]
    crowd_per_class: dict[str, int]
    objects_per_image: list[int]
    images_without_objects: list[str | int]
    widths: list[float]
    heights: list[float]
    aspect_ratios: list[float]
    findings: list[AnnotationFinding] = field(default_factory=list)

    def finding_counts(self) -> dict[str, int]:
        """Return the number of findings of each kind in ``FINDING_KINDS``, zeros included."""
        counts = Counter(finding.kind for finding in self.findings)
        return {kind: counts[kind] for kind in FINDING_KINDS}

    def to_json(self, indent: int | None = None) -> str:
        """Return the whole report as a JSON string (findings as a list of objects)."""
        return json.dumps(asdict(self), indent=indent)

    def to_csv(self) -> str:
        """Return the findings as CSV text with the columns ``kind, image, annotation, detail``."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(("kind", "image", "annotation", "detail"))
        for finding in self.findings:
            annotation = "" if finding.annotation is None else finding.annotation
            writer.writerow((finding.kind, finding.image, annotation, finding.detail))
        return buffer.getvalue()


@dataclass
class _Image:
    """An image as the report needs it: how to name it, its size when known, and its annotations."""

    name: str | int
    canvas: tuple[int, int] | None  # (height, width)
    boxes: np.ndarray  # float64 [N, 4], XYXY
    labels: list[Any]
    crowd: list[bool]
    annotation_ids: list[Any]
    # The XYXY bounding box of each annotation's mask: None where there is no mask to check, all zeros for an empty
    # mask. None as a whole when no annotation of the image has a mask.
    mask_boxes: list[Box | None] | None = None
    # Annotation position -> why its segmentation could not be read.
    mask_errors: dict[int, str] = field(default_factory=dict)


def annotation_report(
    dataset: Sequence[Any],
    *,
    progress: ProgressCallback | None = None,
    tiny: float = 8.0,
    duplicate_iou: float = 0.9,
) -> AnnotationReport:
    """Summarise the annotations of a detection dataset and list the boxes that look wrong.

    Findings, each naming the image and the annotation: ``nan_box`` (a coordinate is NaN or infinite; such a box
    gets no other check), ``degenerate_box`` (``x2 <= x1`` or ``y2 <= y1``), ``outside_image`` (a coordinate lies
    beyond the image), ``tiny_box`` (positive area but width or height below ``tiny``), ``near_duplicate`` (IoU
    with an earlier box of the same class in the same image at least ``duplicate_iou``; crowd boxes are left out),
    ``unknown_label`` (a label outside the dataset's category list, when it has one) and ``mask_box_mismatch``
    (the bounding box of the annotation's mask overlaps its box with an IoU below 0.5, the mask is empty while the
    box has positive area, or a COCO segmentation cannot be read; crowd annotations are checked too, annotations
    without a segmentation or mask are not).

    Args:
        dataset (Sequence): a CocoDetection (wrapped or not, without transforms: its index is read directly), or
            any map-style dataset of ``(image, target)`` items where ``target["boxes"]`` is a ``BoundingBoxes`` or
            an XYXY ``Tensor[N, 4]`` and ``target["labels"]`` a ``Tensor[N]``. ``target["iscrowd"]`` is optional:
            without it no box counts as crowd (pass ``"iscrowd"`` in the v2 wrapper's ``target_keys`` to keep it).
            ``target["masks"]`` (a ``Mask[N, H, W]``) is optional too and gets the mask check when present. A COCO
            index's masks come from each annotation's ``segmentation``: polygons (their coordinates' extent, clipped
            to the image) or RLE (the extent of its runs), without rasterising them.
        progress (Callable[[int, int], None] | None): called as ``progress(done, total)`` every few hundred
            images and once at the end.
        tiny (float): boxes narrower or lower than this many pixels are reported as tiny.
        duplicate_iou (float): IoU in (0, 1] from which two boxes of one class count as near-duplicates.

    Returns:
        AnnotationReport: the counts, the box size lists and the findings.

    Raises:
        TypeError: if ``progress`` is not callable, ``tiny`` or ``duplicate_iou`` is not a number, or a target is
            not a dict with ``boxes`` and ``labels``.
        ValueError: if ``tiny`` is negative, ``duplicate_iou`` is not in (0, 1], or a target's boxes and labels (or
            masks) differ in number.
    """
    if progress is not None and not callable(progress):
        raise TypeError(f"`progress` should be a callable taking (done, total) or None, got {type(progress).__name__}")
    for name, value in (("tiny", tiny), ("duplicate_iou", duplicate_iou)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"`{name}` should be a number, got {type(value).__name__}")
    if not (tiny >= 0 and math.isfinite(tiny)):
        raise ValueError(f"`tiny` should be a finite number >= 0, got {tiny}")
    if not 0 < duplicate_iou <= 1:
        raise ValueError(f"`duplicate_iou` should be in (0, 1], got {duplicate_iou}")

    if isinstance(dataset, CocoDetection) and getattr(dataset, "transforms", None) is None:
        categories, images = _coco_categories(dataset), _coco_images(dataset)
    else:
        categories, images = _categories(dataset), _item_images(dataset)
    return _summarise(images, len(dataset), categories, float(tiny), float(duplicate_iou), progress)


def _coco_categories(dataset: CocoDetection) -> dict[Any, str]:
    return {cat_id: str(cat.get("name", cat_id)) for cat_id, cat in dataset.coco.cats.items()}


def _coco_images(dataset: CocoDetection) -> Any:
    """Yield each image of a CocoDetection from its index: size from ``imgs``, XYWH boxes from ``imgToAnns``."""
    coco = dataset.coco
    for image_id in dataset.ids:
        record = coco.imgs[image_id]
        annotations = coco.imgToAnns.get(image_id, [])
        boxes = np.asarray([ann["bbox"] for ann in annotations], dtype=np.float64).reshape(-1, 4)
        boxes[:, 2:] += boxes[:, :2]
        width, height = record.get("width"), record.get("height")
        canvas = (height, width) if width is not None and height is not None else None
        mask_boxes, mask_errors = _segmentation_boxes(annotations, canvas)
        yield _Image(
            name=record.get("file_name", image_id),
            canvas=canvas,
            boxes=boxes,
            labels=[ann.get("category_id") for ann in annotations],
            crowd=[bool(ann.get("iscrowd", 0)) for ann in annotations],
            annotation_ids=[ann.get("id") for ann in annotations],
            mask_boxes=mask_boxes,
            mask_errors=mask_errors,
        )


def _segmentation_boxes(
    annotations: list[dict[str, Any]], canvas: tuple[int, int] | None
) -> tuple[list[Box | None] | None, dict[int, str]]:
    """The XYXY boxes of the annotations' segmentations (see ``_Image.mask_boxes``) and the unreadable ones."""
    boxes: list[Box | None] = []
    errors: dict[int, str] = {}
    for position, ann in enumerate(annotations):
        segmentation = ann.get("segmentation")
        box = None
        if segmentation:
            try:
                box = _segmentation_box(segmentation, canvas)
            except (TypeError, ValueError) as error:
                errors[position] = f"segmentation cannot be read: {error}"
        boxes.append(box)
    return (boxes if any(box is not None for box in boxes) else None), errors


def _segmentation_box(segmentation: Any, canvas: tuple[int, int] | None) -> Box:
    """The XYXY bounding box of a COCO segmentation (zeros when empty), read from its coordinates or runs."""
    if isinstance(segmentation, dict):
        return _rle_box(segmentation)
    if not isinstance(segmentation, list):
        raise ValueError(f"expected a list of polygons or an RLE dict, got {type(segmentation).__name__}")
    parts = [_rle_box(part) if isinstance(part, dict) else _polygon_box(part, canvas) for part in segmentation]
    parts = [part for part in parts if part[2] > part[0] and part[3] > part[1]]
    if not parts:
        return _EMPTY_MASK
    x1, y1, x2, y2 = zip(*parts, strict=True)
    return min(x1), min(y1), max(x2), max(y2)


def _polygon_box(polygon: list[float], canvas: tuple[int, int] | None) -> Box:
    """The extent of a polygon ``[x1, y1, x2, y2, ...]``, clipped to the image; zeros when nothing is left."""
    if not isinstance(polygon, list):
        raise ValueError(f"a polygon should be a list of coordinates, got {type(polygon).__name__}")
    end = len(polygon) // 2 * 2  # an odd trailing coordinate is ignored, as the decoder does
    if end == 0:
        return _EMPTY_MASK
    xs, ys = polygon[0:end:2], polygon[1:end:2]
    x1, y1, x2, y2 = float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys))
    if canvas is not None:
        height, width = canvas
        x1, x2 = min(max(x1, 0.0), width), min(max(x2, 0.0), width)
        y1, y2 = min(max(y1, 0.0), height), min(max(y2, 0.0), height)
    return (x1, y1, x2, y2) if x2 > x1 and y2 > y1 else _EMPTY_MASK


def _rle_box(rle: dict[str, Any]) -> Box:
    """The pixel bounding box of a COCO RLE, compressed or not, from its runs alone; zeros for an empty mask.

    The runs alternate 0s and 1s, 0s first, over the pixels in column-major order, so pixel ``p`` lies in column
    ``p // height`` and row ``p % height``. A run of 1s that goes on into the next column covers the last row of one
    column and the first row of the next: the mask then spans every row.
    """
    if "counts" not in rle or "size" not in rle:
        raise ValueError(f"an RLE needs 'counts' and 'size', got keys {sorted(rle)}")
    height, width = (int(side) for side in rle["size"])
    counts = rle["counts"]
    runs = np.asarray(decode_rle_counts(counts) if isinstance(counts, (str, bytes)) else counts, dtype=np.int64)
    if runs.ndim != 1 or (runs < 0).any() or runs.sum() > height * width:
        raise ValueError(f"RLE counts must be non-negative and sum to at most {height} * {width}")
    ends = np.cumsum(runs)
    ones = runs[1::2] > 0
    first, last = (ends[1::2] - runs[1::2])[ones], ends[1::2][ones] - 1
    if first.size == 0:
        return _EMPTY_MASK
    first_column, last_column = first // height, last // height
    one_column = first_column == last_column
    top = np.where(one_column, first % height, 0).min()
    bottom = np.where(one_column, last % height, height - 1).max()
    return float(first_column.min()), float(top), float(last_column.max() + 1), float(bottom + 1)


def _categories(dataset: Any) -> dict[Any, str] | None:
    """The label-to-name map of a dataset of dict targets, or None when it has no category list."""
    if isinstance(dataset, CocoDetection):
        return _coco_categories(dataset)
    if isinstance(dataset, VOCDetection):
        # The v2 wrapper's labels index VOC_DETECTION_CATEGORIES; 0 is the background, never an object's label.
        return {label: name for label, name in enumerate(VOC_DETECTION_CATEGORIES) if label}
    classes = getattr(dataset, "classes", None)
    if isinstance(classes, (list, tuple)):
        return {label: str(name) for label, name in enumerate(classes)}
    return None


def _image_name(dataset: Any, index: int) -> str | int:
    if isinstance(dataset, CocoDetection):
        return dataset.coco.imgs[dataset.ids[index]].get("file_name", index)
    paths = getattr(dataset, "images", None)
    if isinstance(paths, (list, tuple)) and index < len(paths) and isinstance(paths[index], (str, os.PathLike)):
        return os.path.basename(os.fspath(paths[index]))
    return index


def _item_images(dataset: Sequence[Any]) -> Any:
    """Yield each image of a dataset of ``(image, target dict)`` items, read item by item."""
    for index in range(len(dataset)):
        image, target = dataset[index]
        if not isinstance(target, dict):
            raise TypeError(
                f"The target of item {index} should be a dict with 'boxes' and 'labels', got {type(target).__name__}. "
                "Wrap the dataset with `wrap_dataset_for_transforms_v2` first."
            )
        boxes = target.get("boxes")
        if boxes is None and "labels" not in target:  # an image without objects, as the COCO wrapper gives it
            boxes, labels = torch.zeros(0, 4), torch.zeros(0, dtype=torch.int64)
        elif boxes is None or "labels" not in target:
            raise TypeError(f"The target of item {index} should have both 'boxes' and 'labels', got {sorted(target)}")
        else:
            labels = target["labels"]
        if isinstance(boxes, tv_tensors.BoundingBoxes):
            canvas = tuple(boxes.canvas_size)
            boxes = F.convert_bounding_box_format(boxes, new_format=tv_tensors.BoundingBoxFormat.XYXY)
        else:
            canvas = tuple(F.get_size(image))
        crowd = target.get("iscrowd")
        labels = torch.as_tensor(labels).tolist()
        if len(labels) != len(boxes):
            raise ValueError(f"Item {index} has {len(boxes)} boxes but {len(labels)} labels")
        masks = target.get("masks")
        if masks is not None and (not isinstance(masks, torch.Tensor) or masks.ndim != 3 or len(masks) != len(boxes)):
            shape = tuple(masks.shape) if isinstance(masks, torch.Tensor) else type(masks).__name__
            raise ValueError(
                f"Item {index} has {len(boxes)} boxes, so its masks should be [{len(boxes)}, H, W], got {shape}"
            )
        yield _Image(
            name=_image_name(dataset, index),
            canvas=canvas,
            boxes=torch.as_tensor(boxes).detach().to("cpu", torch.float64).numpy().reshape(-1, 4),
            labels=labels,
            crowd=[False] * len(labels) if crowd is None else [bool(flag) for flag in torch.as_tensor(crowd).tolist()],
            annotation_ids=list(range(len(labels))),
            mask_boxes=None if masks is None else [tuple(box) for box in _mask_boxes(masks).tolist()],
        )


def _mask_boxes(masks: torch.Tensor) -> torch.Tensor:
    """float64 [N, 4] XYXY pixel bounding box of each of the ``[N, H, W]`` masks' nonzero pixels; zeros when empty."""
    masks = masks.detach().to("cpu") != 0
    rows, columns = masks.any(dim=2), masks.any(dim=1)  # [N, H], [N, W]
    height, width = rows.shape[1], columns.shape[1]
    # argmax gives the first True; on the flipped axis it counts the False at the end.
    top, left = rows.int().argmax(dim=1), columns.int().argmax(dim=1)
    bottom, right = height - rows.flip(1).int().argmax(dim=1), width - columns.flip(1).int().argmax(dim=1)
    boxes = torch.stack([left, top, right, bottom], dim=1).to(torch.float64)
    boxes[~rows.any(dim=1)] = 0.0
    return boxes


def _summarise(
    images: Any,
    num_images: int,
    categories: dict[Any, str] | None,
    tiny: float,
    duplicate_iou: float,
    progress: ProgressCallback | None,
) -> AnnotationReport:
    objects: Counter[str] = Counter()
    image_counts: Counter[str] = Counter()
    crowds: Counter[str] = Counter()
    per_image: list[int] = []
    empty: list[str | int] = []
    sizes: list[np.ndarray] = []
    findings: list[AnnotationFinding] = []
    for done, image in enumerate(images, start=1):
        names = [_class_name(label, categories) for label in image.labels]
        objects.update(names)
        image_counts.update(set(names))
        crowds.update(name for name, is_crowd in zip(names, image.crowd, strict=True) if is_crowd)
        per_image.append(len(names))
        if not names:
            empty.append(image.name)
        findings.extend(_box_findings(image, categories, tiny))
        findings.extend(_duplicate_findings(image, duplicate_iou))
        findings.extend(_mask_findings(image))
        sizes.append(_positive_sizes(image.boxes))
        if progress is not None and (done % _PROGRESS_EVERY == 0 or done == num_images):
            progress(done, num_images)
    wh = np.concatenate(sizes) if sizes else np.zeros((0, 2))
    return AnnotationReport(
        num_images=num_images,
        num_objects=sum(per_image),
        objects_per_class=dict(objects.most_common()),
        images_per_class=dict(image_counts.most_common()),
        crowd_per_class=dict(crowds.most_common()),
        objects_per_image=per_image,
        images_without_objects=empty,
        widths=wh[:, 0].tolist(),
        heights=wh[:, 1].tolist(),
        aspect_ratios=(wh[:, 0] / wh[:, 1]).tolist(),
        findings=findings,
    )


def _class_name(label: Any, categories: dict[Any, str] | None) -> str:
    if categories is not None and label in categories:
        return categories[label]
    return str(label)


def _positive_sizes(boxes: np.ndarray) -> np.ndarray:
    """``[K, 2]`` widths and heights of the finite boxes of positive area."""
    wh = boxes[:, 2:] - boxes[:, :2]
    keep = np.isfinite(boxes).all(axis=1) & (wh > 0).all(axis=1)
    return wh[keep]


def _box_findings(image: _Image, categories: dict[Any, str] | None, tiny: float) -> list[AnnotationFinding]:
    """Findings of the boxes one by one: unknown label, non-finite, degenerate, tiny, outside the image."""
    findings = []
    for box, label, ann_id in zip(image.boxes, image.labels, image.annotation_ids, strict=True):
        problems = _box_problems(box, image.canvas, tiny)
        if categories is not None and label not in categories:
            problems.insert(0, ("unknown_label", f"label {label!r} is not in the category list"))
        findings.extend(AnnotationFinding(kind, image.name, ann_id, detail) for kind, detail in problems)
    return findings


def _box_problems(box: np.ndarray, canvas: tuple[int, int] | None, tiny: float) -> list[tuple[str, str]]:
    if not np.isfinite(box).all():
        return [("nan_box", f"box ({_coords(box)}) has a NaN or infinite coordinate")]
    problems = []
    width, height = box[2] - box[0], box[3] - box[1]
    if width <= 0 or height <= 0:
        problems.append(("degenerate_box", f"box ({_coords(box)}) has width {width:g} and height {height:g}"))
    elif width < tiny or height < tiny:
        problems.append(("tiny_box", f"box ({_coords(box)}) is {width:g} x {height:g} px, below {tiny:g} px"))
    if canvas is not None:
        canvas_height, canvas_width = canvas
        if min(box) < 0 or max(box[0], box[2]) > canvas_width or max(box[1], box[3]) > canvas_height:
            detail = f"box ({_coords(box)}) leaves the {canvas_width} x {canvas_height} image"
            problems.append(("outside_image", detail))
    return problems


def _coords(box: Sequence[float]) -> str:
    return ", ".join(f"{value:g}" for value in box)


def _duplicate_findings(image: _Image, duplicate_iou: float) -> list[AnnotationFinding]:
    """A finding for each non-crowd box whose IoU with an earlier box of its class reaches ``duplicate_iou``."""
    groups: dict[Any, list[int]] = {}
    finite = np.isfinite(image.boxes).all(axis=1)
    for position, (label, is_crowd) in enumerate(zip(image.labels, image.crowd, strict=True)):
        if finite[position] and not is_crowd:
            groups.setdefault(label, []).append(position)
    found: list[tuple[int, AnnotationFinding]] = []
    for positions in groups.values():
        if len(positions) < 2:
            continue
        boxes = torch.from_numpy(image.boxes[positions])
        # Column j of the strict upper triangle holds the IoU of box j with each earlier box of its class.
        best, earlier = torch.triu(box_iou(boxes, boxes), diagonal=1).max(dim=0)
        for later in (best >= duplicate_iou).nonzero().flatten().tolist():
            position = positions[later]
            earlier_id = image.annotation_ids[positions[earlier[later].item()]]
            detail = f"IoU {best[later].item():.3f} with annotation {earlier_id!r} of the same class"
            found.append(
                (position, AnnotationFinding("near_duplicate", image.name, image.annotation_ids[position], detail))
            )
    return [finding for _, finding in sorted(found, key=lambda pair: pair[0])]


def _mask_findings(image: _Image) -> list[AnnotationFinding]:
    """A finding for each finite box whose mask is empty or overlaps it with an IoU below ``_MASK_BOX_IOU``."""
    problems = dict(image.mask_errors)
    if image.mask_boxes is not None:
        # Plain floats: a few objects per image, where numpy's per-call cost would dominate.
        for position, (box, mask) in enumerate(zip(image.boxes.tolist(), image.mask_boxes, strict=True)):
            if mask is not None and all(map(math.isfinite, box)):
                problem = _mask_problem(box, mask)
                if problem:
                    problems[position] = problem
    return [
        AnnotationFinding("mask_box_mismatch", image.name, image.annotation_ids[position], problems[position])
        for position in sorted(problems)
    ]


def _mask_problem(box: list[float], mask: Box) -> str:
    """What is wrong between a finite XYXY box and its mask's box, or "" when they agree."""
    box_area = max(box[2] - box[0], 0.0) * max(box[3] - box[1], 0.0)
    mask_area = (mask[2] - mask[0]) * (mask[3] - mask[1])  # mask boxes are zeros or of positive size
    if mask_area == 0:
        # An empty mask with an empty box (reported as degenerate) has nothing to disagree about.
        return f"mask is empty but box ({_coords(box)}) has an area of {box_area:g} px" if box_area > 0 else ""
    overlap_w = max(min(box[2], mask[2]) - max(box[0], mask[0]), 0.0)
    overlap_h = max(min(box[3], mask[3]) - max(box[1], mask[1]), 0.0)
    intersection = overlap_w * overlap_h
    iou = intersection / (box_area + mask_area - intersection)
    if iou >= _MASK_BOX_IOU:
        return ""
    return f"IoU {iou:.3f} between mask box ({_coords(mask)}) and box ({_coords(box)}), below {_MASK_BOX_IOU:g}"
