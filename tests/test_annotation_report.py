"""annotation_report on COCO trees with one planted problem of each kind, and on in-memory (image, target) items;
masks checked against their boxes from polygons and RLE (compressed or not) and from ``Mask`` targets."""

from __future__ import annotations

import csv
import io
import json
import math
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
import torch
from PIL import Image

from visionkit import ops, tv_tensors
from visionkit.datasets import (
    AnnotationReport,
    CocoDetection,
    annotation_report,
    wrap_dataset_for_transforms_v2,
)
from visionkit.datasets._coco_masks import decode_rle_counts, segmentation_to_mask
from visionkit.datasets.annotations_health import FINDING_KINDS, _rle_box

from .golden.record_coco import CROWD_RLE

WIDTH, HEIGHT = 64, 48
CATEGORIES = [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}]

# Boxes well apart and well inside the 64 x 48 images: nothing to report.
CLEAN_ANNOTATIONS = [
    {"id": 10, "image_id": 1, "category_id": 1, "bbox": [2, 2, 20, 20], "iscrowd": 0},
    {"id": 11, "image_id": 1, "category_id": 2, "bbox": [30, 10, 25, 30], "iscrowd": 0},
    {"id": 12, "image_id": 2, "category_id": 1, "bbox": [5, 5, 10, 12], "iscrowd": 0},
    {"id": 13, "image_id": 2, "category_id": 1, "bbox": [40, 20, 15, 20], "iscrowd": 0},
    {"id": 14, "image_id": 3, "category_id": 2, "bbox": [0, 0, 64, 48], "iscrowd": 0},
]

# One annotation per kind of problem, each in a known image; annotation 30 is a crowd box over 14 (same class),
# which must not count as a near-duplicate. Image 4 has no annotation.
PLANTED = {
    "nan_box": (20, 1, [math.nan, 3, 10, 10]),
    "degenerate_box": (21, 2, [20, 30, 0, 10]),
    "outside_image": (22, 2, [50, 30, 20, 10]),
    "tiny_box": (23, 3, [10, 10, 5, 30]),
    "near_duplicate": (24, 1, [2, 2, 20, 21]),  # IoU 400/420 = 0.95 with annotation 10
    "unknown_label": (25, 3, [30, 5, 20, 20]),
}


def _image_records(count: int) -> list[dict[str, Any]]:
    return [
        {"id": image_id, "file_name": f"img_{image_id}.png", "width": WIDTH, "height": HEIGHT}
        for image_id in range(1, count + 1)
    ]


def _write_tree(root: Path, annotations: list[dict[str, Any]], num_images: int, readable: bool = True) -> CocoDetection:
    images_dir = root / "images"
    images_dir.mkdir()
    records = _image_records(num_images)
    for record in records:
        path = images_dir / record["file_name"]
        if readable:
            Image.new("RGB", (WIDTH, HEIGHT), (90, 120, 30)).save(path)
        else:
            path.write_bytes(b"not an image")  # decoding any of these would raise
    ann_file = root / "instances.json"
    ann_file.write_text(json.dumps({"images": records, "annotations": annotations, "categories": CATEGORIES}))
    return CocoDetection(str(images_dir), str(ann_file))


def _planted_annotations() -> list[dict[str, Any]]:
    annotations = [dict(ann) for ann in CLEAN_ANNOTATIONS]
    for kind, (ann_id, image_id, bbox) in PLANTED.items():
        category = 99 if kind == "unknown_label" else 1
        annotations.append({"id": ann_id, "image_id": image_id, "category_id": category, "bbox": bbox, "iscrowd": 0})
    annotations.append({"id": 30, "image_id": 3, "category_id": 2, "bbox": [1, 1, 62, 46], "iscrowd": 1})
    return annotations


@pytest.fixture
def planted(tmp_path: Path) -> CocoDetection:
    return _write_tree(tmp_path, _planted_annotations(), num_images=4)


def _by_kind(report: AnnotationReport) -> dict[str, list[tuple[Any, Any]]]:
    found: dict[str, list[tuple[Any, Any]]] = {kind: [] for kind in FINDING_KINDS}
    for finding in report.findings:
        found[finding.kind].append((finding.image, finding.annotation))
    return found


class TestCocoIndex:
    def test_clean_data_has_no_findings(self, tmp_path: Path) -> None:
        report = annotation_report(_write_tree(tmp_path, CLEAN_ANNOTATIONS, num_images=3))
        assert report.findings == []
        assert report.finding_counts() == dict.fromkeys(FINDING_KINDS, 0)
        assert (report.num_images, report.num_objects) == (3, len(CLEAN_ANNOTATIONS))
        assert report.objects_per_class == {"cat": 3, "dog": 2}
        assert report.images_per_class == {"cat": 2, "dog": 2}
        assert report.objects_per_image == [2, 2, 1]
        assert report.images_without_objects == []
        assert report.crowd_per_class == {}
        expected_sizes = [(ann["bbox"][2], ann["bbox"][3]) for ann in CLEAN_ANNOTATIONS]
        assert sorted(zip(report.widths, report.heights, strict=True)) == sorted(expected_sizes)
        assert sorted(report.aspect_ratios) == sorted(width / height for width, height in expected_sizes)

    def test_each_planted_problem_is_found_once_where_planted(self, planted: CocoDetection) -> None:
        found = _by_kind(annotation_report(planted))
        for kind, (ann_id, image_id, _) in PLANTED.items():
            assert found[kind] == [(f"img_{image_id}.png", ann_id)], kind

    def test_counts_crowd_and_empty_images(self, planted: CocoDetection) -> None:
        report = annotation_report(planted)
        annotations = _planted_annotations()
        assert report.num_objects == len(annotations)
        assert report.objects_per_image == [
            sum(ann["image_id"] == image_id for ann in annotations) for image_id in (1, 2, 3, 4)
        ]
        assert report.images_without_objects == ["img_4.png"]
        assert report.crowd_per_class == {"dog": 1}
        assert report.objects_per_class["99"] == 1
        names = {1: "cat", 2: "dog", 99: "99"}
        assert report.objects_per_class == dict(Counter(names[ann["category_id"]] for ann in annotations))

    def test_duplicate_threshold_is_respected(self, planted: CocoDetection) -> None:
        assert _by_kind(annotation_report(planted, duplicate_iou=0.96))["near_duplicate"] == []

    def test_tiny_threshold_is_respected(self, planted: CocoDetection) -> None:
        tiny = _by_kind(annotation_report(planted, tiny=11.0))["tiny_box"]
        # Annotations 12 (10 x 12 px) and 22 (20 x 10 px) become tiny too.
        assert tiny == [("img_2.png", 12), ("img_2.png", 22), ("img_3.png", 23)]

    def test_index_is_read_without_decoding_images(self, tmp_path: Path) -> None:
        dataset = _write_tree(tmp_path, _planted_annotations(), num_images=4, readable=False)
        with pytest.raises(OSError):
            dataset[0]
        plain = annotation_report(dataset)
        wrapped = annotation_report(wrap_dataset_for_transforms_v2(dataset))
        assert wrapped == plain
        assert _by_kind(plain)["nan_box"] == [("img_1.png", 20)]

    def test_item_path_agrees_with_index(self, planted: CocoDetection) -> None:
        # A transform forces the item-by-item path (the index would not see what it does to the boxes). Without
        # "iscrowd" among the keys the crowd box would read as a near-duplicate.
        wrapped = wrap_dataset_for_transforms_v2(
            CocoDetection(planted.root, planted.coco.ann_file, transforms=lambda image, target: (image, target)),
            target_keys={"image_id", "boxes", "labels", "iscrowd"},
        )
        from_items, from_index = annotation_report(wrapped), annotation_report(planted)
        # Items know annotations by position in their image only; everything else must agree.
        assert [(f.kind, f.image) for f in from_items.findings] == [(f.kind, f.image) for f in from_index.findings]
        assert from_items.objects_per_class == from_index.objects_per_class
        assert from_items.objects_per_image == from_index.objects_per_image
        assert from_items.widths == pytest.approx(from_index.widths)


class TestItems:
    class _Boxes:
        """A VOC-like in-memory dataset: (image, {"boxes", "labels"}) items and a class list."""

        classes: ClassVar[list[str]] = ["background", "car", "person"]

        def __init__(self, items: list[tuple[Any, dict[str, Any]]]) -> None:
            self.items = items

        def __getitem__(self, index: int) -> tuple[Any, dict[str, Any]]:
            return self.items[index]

        def __len__(self) -> int:
            return len(self.items)

    @staticmethod
    def _target(boxes: list[list[float]], labels: list[int], fmt: str = "XYXY", **extra: Any) -> dict[str, Any]:
        return {
            "boxes": tv_tensors.BoundingBoxes(torch.tensor(boxes).reshape(-1, 4), format=fmt, canvas_size=(40, 50)),
            "labels": torch.tensor(labels),
            **extra,
        }

    def test_planted_problems_in_items(self) -> None:
        image = Image.new("RGB", (50, 40))
        dataset = self._Boxes(
            [
                (image, self._target([[1, 1, 20, 20], [25, 5, 45, 35]], [1, 2])),
                (image, self._target([[10, 10, 10, 30], [30, 30, 55, 39]], [1, 1])),
                (image, self._target([[1, 1, 21, 21], [1, 1, 21, 22], [0, 0, 3, 30]], [2, 2, 7])),
                (image, self._target([], [])),
            ]
        )
        found = _by_kind(annotation_report(dataset))
        assert found == {
            "nan_box": [],
            "degenerate_box": [(1, 0)],
            "outside_image": [(1, 1)],
            "tiny_box": [(2, 2)],
            "near_duplicate": [(2, 1)],
            "unknown_label": [(2, 2)],
            "mask_box_mismatch": [],
        }
        report = annotation_report(dataset)
        assert report.images_without_objects == [3]
        assert report.objects_per_class == {"person": 3, "car": 3, "7": 1}

    def test_formats_plain_tensors_nan_and_crowd(self) -> None:
        image = Image.new("RGB", (50, 40))
        xywh = self._target([[5, 5, 10, 10], [6, 5, 10, 10]], [1, 1], fmt="XYWH", iscrowd=torch.tensor([0, 1]))
        plain = {"boxes": torch.tensor([[60.0, 1, 70, 10], [1, 1, float("nan"), 5]]), "labels": torch.tensor([2, 2])}
        report = annotation_report(self._Boxes([(image, xywh), (image, plain)]))
        # The crowd box is no duplicate; the plain tensor's canvas is the image's size.
        assert _by_kind(report)["near_duplicate"] == []
        assert _by_kind(report)["outside_image"] == [(1, 0)]
        assert _by_kind(report)["nan_box"] == [(1, 1)]
        assert report.crowd_per_class == {"car": 1}
        assert report.widths[:2] == [10.0, 10.0]

    def test_raw_coco_targets_are_refused(self, planted: CocoDetection) -> None:
        raw = CocoDetection(planted.root, planted.coco.ann_file, transform=lambda image: image)
        with pytest.raises(TypeError, match="wrap_dataset_for_transforms_v2"):
            annotation_report(raw)

    def test_mismatched_boxes_and_labels(self) -> None:
        target = {"boxes": torch.zeros(2, 4), "labels": torch.tensor([1])}
        with pytest.raises(ValueError, match="2 boxes but 1 labels"):
            annotation_report(self._Boxes([(Image.new("RGB", (8, 8)), target)]))


class TestOutputs:
    def test_csv_lists_every_finding(self, planted: CocoDetection) -> None:
        report = annotation_report(planted)
        rows = list(csv.DictReader(io.StringIO(report.to_csv())))
        assert [(row["kind"], row["image"], row["annotation"]) for row in rows] == [
            (f.kind, f.image, str(f.annotation)) for f in report.findings
        ]
        assert all(row["detail"] for row in rows)

    def test_json_round_trips(self, planted: CocoDetection) -> None:
        report = annotation_report(planted)
        content = json.loads(report.to_json())
        assert content["objects_per_class"] == report.objects_per_class
        assert [finding["kind"] for finding in content["findings"]] == [f.kind for f in report.findings]

    def test_progress_reaches_the_end(self, planted: CocoDetection) -> None:
        calls: list[tuple[int, int]] = []
        annotation_report(planted, progress=lambda done, total: calls.append((done, total)))
        assert calls[-1] == (4, 4)


class TestValidation:
    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"progress": 3}, TypeError, "`progress` should be a callable"),
            ({"tiny": "8"}, TypeError, "`tiny` should be a number"),
            ({"tiny": -1.0}, ValueError, "`tiny` should be a finite number >= 0, got -1.0"),
            ({"duplicate_iou": 0.0}, ValueError, r"`duplicate_iou` should be in \(0, 1\], got 0.0"),
            ({"duplicate_iou": 1.5}, ValueError, r"`duplicate_iou` should be in \(0, 1\], got 1.5"),
        ],
    )
    def test_bad_arguments(self, planted: CocoDetection, kwargs: dict[str, Any], error: type, match: str) -> None:
        with pytest.raises(error, match=match):
            annotation_report(planted, **kwargs)


def _rle_runs(mask: np.ndarray) -> list[int]:
    """Run lengths of a (H, W) binary mask read column by column, 0s first (COCO's uncompressed RLE counts)."""
    flat = np.asarray(mask, dtype=np.int8).T.ravel()
    edges = np.concatenate([[0], np.flatnonzero(np.diff(flat)) + 1, [flat.size]])
    runs = np.diff(edges).tolist()
    return [0, *runs] if flat.size and flat[0] else runs


def _compress(runs: list[int]) -> str:
    """COCO's compressed counts string of run lengths (no encoder in visionkit: checked against a real one below)."""
    text = []
    for position, run in enumerate(runs):
        value = run - runs[position - 2] if position > 2 else run
        while True:
            chunk, value = value & 0x1F, value >> 5
            done = value == (-1 if chunk & 0x10 else 0)
            text.append(chr(chunk + 48 if done else (chunk | 0x20) + 48))
            if done:
                break
    return "".join(text)


def _rle(mask: np.ndarray, compressed: bool) -> dict[str, Any]:
    runs = _rle_runs(mask)
    return {"size": list(mask.shape), "counts": _compress(runs) if compressed else runs}


def _rectangle(x1: int, y1: int, x2: int, y2: int) -> np.ndarray:
    """A HEIGHT x WIDTH mask set on columns x1..x2-1 and rows y1..y2-1."""
    mask = np.zeros((HEIGHT, WIDTH), dtype=np.uint8)
    mask[y1:y2, x1:x2] = 1
    return mask


def _square(x: float, y: float, side: float) -> list[list[float]]:
    return [[x, y, x + side, y, x + side, y + side, x, y + side]]


def _mask_annotations() -> list[dict[str, Any]]:
    """Boxes with segmentations that match them, and one of each way a mask can disagree with its box."""
    specs = [
        # (id, image, bbox, segmentation, iscrowd)
        (40, 1, [2, 2, 20, 20], _square(2, 2, 20), 0),  # matching polygon
        (41, 1, [30, 10, 20, 20], _square(42, 22, 20), 0),  # polygon moved by 12 px: IoU 64 / 736
        (42, 2, [10, 5, 30, 20], {"size": [HEIGHT, WIDTH], "counts": _rle_runs(_rectangle(10, 5, 40, 25))}, 1),
        (43, 2, [10, 5, 30, 20], _rle(_rectangle(30, 20, 60, 40), compressed=False), 1),  # uncompressed, moved
        (44, 3, [5, 5, 40, 30], _rle(_rectangle(5, 5, 45, 35), compressed=True), 1),  # compressed, matching
        (45, 3, [5, 5, 40, 30], _rle(_rectangle(0, 0, 8, 8), compressed=True), 0),  # compressed, a corner only
        (46, 3, [20, 20, 10, 10], _rle(np.zeros((HEIGHT, WIDTH)), compressed=True), 1),  # empty mask
        (47, 4, [10, 10, 20, 20], [], 0),  # no segmentation: not checked
        (48, 4, [math.nan, 10, 20, 20], _square(40, 30, 5), 0),  # NaN box: no other check
        (49, 4, [0, 0, 10, 10], {"counts": [3, 4]}, 0),  # unreadable RLE
    ]
    return [
        {"id": ann_id, "image_id": image_id, "category_id": 1 + ann_id % 2, "bbox": bbox, "iscrowd": crowd}
        | ({"segmentation": segmentation} if segmentation != [] else {})
        for ann_id, image_id, bbox, segmentation, crowd in specs
    ]


def _mismatches(report: AnnotationReport) -> dict[Any, str]:
    return {f.annotation: f.detail for f in report.findings if f.kind == "mask_box_mismatch"}


class TestMaskBox:
    def test_compressed_counts_of_the_test_equal_pycocotools(self) -> None:
        runs = decode_rle_counts(CROWD_RLE["counts"])
        assert _compress(runs) == CROWD_RLE["counts"]
        mask = segmentation_to_mask(CROWD_RLE, *CROWD_RLE["size"])
        assert _rle_runs(mask) == runs[: len(_rle_runs(mask))] and sum(runs) == mask.size

    def test_mismatching_masks_are_found_in_the_index(self, tmp_path: Path) -> None:
        report = annotation_report(_write_tree(tmp_path, _mask_annotations(), num_images=4, readable=False))
        found = _mismatches(report)
        assert sorted(found) == [41, 43, 45, 46, 49]
        assert "mask box (42, 22, 62, 42) and box (30, 10, 50, 30)" in found[41]
        assert f"IoU {64 / 736:.3f}" in found[41]
        assert "mask box (30, 20, 60, 40) and box (10, 5, 40, 25)" in found[43]
        assert "mask box (0, 0, 8, 8)" in found[45]
        assert found[46].startswith("mask is empty but box (20, 20, 30, 30)")
        assert "cannot be read" in found[49]
        # The NaN box is reported as such and nothing else.
        assert [f.kind for f in report.findings if f.annotation == 48] == ["nan_box"]

    def test_iou_equals_box_iou_of_the_decoded_masks(self, tmp_path: Path) -> None:
        # The index's numbers against boxes measured on the masks the decoder rasterises.
        dataset = _write_tree(tmp_path, _mask_annotations(), num_images=4, readable=False)
        found = _mismatches(annotation_report(dataset))
        for ann_id in (43, 45):
            ann = dataset.coco.anns[ann_id]
            ys, xs = np.nonzero(segmentation_to_mask(ann["segmentation"], HEIGHT, WIDTH))
            mask_box = torch.tensor([[xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]], dtype=torch.float64)
            x, y, w, h = ann["bbox"]
            iou = ops.box_iou(mask_box, torch.tensor([[x, y, x + w, y + h]], dtype=torch.float64)).item()
            assert f"IoU {iou:.3f}" in found[ann_id]

    def test_polygons_are_clipped_to_the_image(self, tmp_path: Path) -> None:
        # A polygon reaching far outside the image, boxed as COCO boxes it: the part inside.
        annotations = [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [40, 30, 24, 18], "segmentation": _square(40, 30, 200)}
        ]
        assert _mismatches(annotation_report(_write_tree(tmp_path, annotations, num_images=1))) == {}

    @pytest.mark.parametrize("compressed", [False, True])
    def test_rle_box_equals_the_decoded_mask(self, compressed: bool) -> None:
        rng = np.random.default_rng(3)
        for case in range(300):
            height, width = (int(side) for side in rng.integers(1, 30, size=2))
            mask = np.zeros((height, width), dtype=np.uint8)
            # Blobs, single pixels, full columns (runs across columns), empty and full masks.
            if case % 5 == 1:
                mask[:] = 1
            elif case % 5 != 0:
                density = rng.uniform(0.001, 0.3)
                mask = (rng.random((height, width)) < density).astype(np.uint8)
                x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
                mask[y:, x : x + int(rng.integers(0, 3))] = 1
            rle = _rle(mask, compressed)
            decoded = segmentation_to_mask(rle, height, width)
            np.testing.assert_array_equal(decoded, mask)
            ys, xs = np.nonzero(decoded)
            expected = (0.0,) * 4 if xs.size == 0 else (xs.min(), ys.min(), xs.max() + 1.0, ys.max() + 1.0)
            assert _rle_box(rle) == expected, case

    def test_rle_box_of_a_real_crowd_rle(self) -> None:
        ys, xs = np.nonzero(segmentation_to_mask(CROWD_RLE, *CROWD_RLE["size"]))
        assert _rle_box(CROWD_RLE) == (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)

    def test_wrapped_dataset_with_masks(self, tmp_path: Path) -> None:
        # The item path decodes every mask, as the wrapper does: only annotations with a readable segmentation.
        annotations = [ann for ann in _mask_annotations() if ann["id"] < 47]
        dataset = _write_tree(tmp_path, annotations, num_images=4)
        wrapped = wrap_dataset_for_transforms_v2(
            CocoDetection(dataset.root, dataset.coco.ann_file, transforms=lambda image, target: (image, target)),
            target_keys={"boxes", "labels", "masks", "iscrowd"},
        )
        from_items = [(f.kind, f.image, f.detail) for f in annotation_report(wrapped).findings]
        from_index = annotation_report(dataset).findings
        # Rasterised or read from coordinates and runs, the masks' boxes are the same here; only the annotation
        # names differ (ids in the index, positions in the items).
        assert from_items == [(f.kind, f.image, f.detail) for f in from_index]
        assert [f.annotation for f in from_index if f.kind == "mask_box_mismatch"] == [41, 43, 45, 46]

    def test_mask_targets_in_items(self) -> None:
        image = Image.new("RGB", (50, 40))
        masks = torch.zeros(3, 40, 50, dtype=torch.uint8)
        masks[0, 1:20, 1:20] = 1  # its box
        masks[1, 30:40, 40:50] = 1  # far from its box
        target = TestItems._target([[1, 1, 20, 20], [1, 1, 20, 20], [5, 5, 15, 15]], [1, 1, 2])
        target["masks"] = tv_tensors.Mask(masks)
        report = annotation_report(TestItems._Boxes([(image, target)]))
        found = _mismatches(report)
        assert sorted(found) == [1, 2]
        assert "mask box (40, 30, 50, 40)" in found[1]
        assert found[2].startswith("mask is empty")

    def test_masks_must_match_boxes(self) -> None:
        target = TestItems._target([[1, 1, 20, 20]], [1])
        target["masks"] = tv_tensors.Mask(torch.zeros(2, 40, 50))
        with pytest.raises(ValueError, match=r"1 boxes, so its masks should be \[1, H, W\], got \(2, 40, 50\)"):
            annotation_report(TestItems._Boxes([(Image.new("RGB", (50, 40)), target)]))
