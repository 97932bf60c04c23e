"""Properties of visionkit.ops that hold for any input, checked on boxes drawn by hypothesis."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import Tensor

from visionkit import ops

SETTINGS = settings(max_examples=100, deadline=None)

coordinates = st.floats(min_value=-100.0, max_value=100.0, allow_nan=False, width=32)
sizes = st.floats(min_value=0.5, max_value=80.0, allow_nan=False, width=32)


@st.composite
def box_sets(draw: st.DrawFn, min_size: int = 1, max_size: int = 12, grid: bool = False) -> Tensor:
    """Tensor[N, 4] of valid (x1, y1, x2, y2) boxes; on a grid of whole numbers when ``grid``, so that sums and
    differences of coordinates are exact in float32."""
    n = draw(st.integers(min_size, max_size))
    corner = st.integers(0, 64) if grid else coordinates
    size = st.integers(1, 32) if grid else sizes
    boxes = []
    for _ in range(n):
        x, y, w, h = draw(corner), draw(corner), draw(size), draw(size)
        boxes.append([x, y, x + w, y + h])
    return torch.tensor(boxes, dtype=torch.float32)


@st.composite
def scored_boxes(draw: st.DrawFn) -> tuple[Tensor, Tensor]:
    """Boxes bunched together so that many overlap, with scores that often tie."""
    boxes = draw(box_sets(max_size=30, grid=True))
    scores = draw(st.lists(st.integers(0, 5), min_size=len(boxes), max_size=len(boxes)))
    return boxes, torch.tensor(scores, dtype=torch.float32)


thresholds = st.sampled_from([0.0, 0.1, 0.3, 0.5, 0.7, 0.9])


class TestIouFamilyRanges:
    @SETTINGS
    @given(box_sets(), box_sets())
    def test_iou_is_symmetric_and_in_unit_interval(self, a: Tensor, b: Tensor) -> None:
        iou = ops.box_iou(a, b)
        assert torch.equal(iou, ops.box_iou(b, a).T)
        assert ((iou >= 0) & (iou <= 1)).all()

    @SETTINGS
    @given(box_sets(), box_sets())
    def test_generalized_iou_in_minus_one_to_one_and_at_most_iou(self, a: Tensor, b: Tensor) -> None:
        giou = ops.generalized_box_iou(a, b)
        assert ((giou >= -1) & (giou <= 1)).all()
        assert (giou <= ops.box_iou(a, b) + 1e-6).all()

    @SETTINGS
    @given(box_sets(), box_sets())
    def test_distance_and_complete_iou_ranges(self, a: Tensor, b: Tensor) -> None:
        iou, diou, ciou = ops.box_iou(a, b), ops.distance_box_iou(a, b), ops.complete_box_iou(a, b)
        # DIoU subtracts a normalised squared distance in [0, 1); CIoU also subtracts alpha * v < 1/2.
        assert ((diou > -1) & (diou <= iou + 1e-6)).all()
        assert ((ciou > -1.5) & (ciou <= diou + 1e-6)).all()


class TestBoxConvertRoundTrip:
    @SETTINGS
    @given(box_sets(), st.sampled_from(["xywh", "cxcywh"]))
    def test_corners_survive_a_round_trip(self, boxes: Tensor, fmt: str) -> None:
        back = ops.box_convert(ops.box_convert(boxes, "xyxy", fmt), fmt, "xyxy")
        assert torch.allclose(back, boxes, atol=1e-4)


class TestNmsProperties:
    @SETTINGS
    @given(scored_boxes(), thresholds)
    def test_keeps_a_score_sorted_subset_with_no_conflicts(self, data: tuple[Tensor, Tensor], threshold: float) -> None:
        boxes, scores = data
        keep = ops.nms(boxes, scores, threshold)
        assert len(set(keep.tolist())) == len(keep)
        assert (scores[keep][:-1] >= scores[keep][1:]).all()
        # As in torchvision, the float32 IoU is compared with the threshold as a double.
        iou = ops.box_iou(boxes[keep], boxes[keep]).double().fill_diagonal_(0)
        assert not (iou > threshold).any()

    @SETTINGS
    @given(scored_boxes(), thresholds)
    def test_every_dropped_box_overlaps_a_better_kept_one(self, data: tuple[Tensor, Tensor], threshold: float) -> None:
        boxes, scores = data
        keep = ops.nms(boxes, scores, threshold)
        rank = torch.empty(len(boxes), dtype=torch.long)
        rank[torch.argsort(scores, descending=True, stable=True)] = torch.arange(len(boxes))
        kept = set(keep.tolist())
        iou = ops.box_iou(boxes, boxes).double()
        for dropped in set(range(len(boxes))) - kept:
            assert any(iou[k, dropped] > threshold and rank[k] < rank[dropped] for k in kept)

    @SETTINGS
    @given(scored_boxes(), thresholds, st.data())
    def test_batched_equals_nms_per_category(
        self, data: tuple[Tensor, Tensor], threshold: float, draw: st.DataObject
    ) -> None:
        boxes, scores = data
        categories = torch.tensor(draw.draw(st.lists(st.integers(0, 3), min_size=len(boxes), max_size=len(boxes))))
        expected = set()
        for category in categories.unique():
            members = torch.where(categories == category)[0]
            expected |= set(members[ops.nms(boxes[members], scores[members], threshold)].tolist())
        keep = ops.batched_nms(boxes, scores, categories, threshold)
        assert set(keep.tolist()) == expected and len(keep) == len(expected)
        assert (scores[keep][:-1] >= scores[keep][1:]).all()


class TestRoiAlignProperties:
    @SETTINGS
    @given(
        value=st.floats(min_value=-10, max_value=10, allow_nan=False),
        corner=st.tuples(st.floats(0, 12), st.floats(0, 8)),
        size=st.tuples(st.floats(0.1, 8), st.floats(0.1, 8)),
        output_size=st.tuples(st.integers(1, 5), st.integers(1, 5)),
        sampling_ratio=st.integers(-1, 3),
        aligned=st.booleans(),
    )
    def test_constant_map_pools_to_the_constant(
        self,
        value: float,
        corner: tuple[float, float],
        size: tuple[float, float],
        output_size: tuple[int, int],
        sampling_ratio: int,
        aligned: bool,
    ) -> None:
        # Boxes inside the 20 x 16 map: every sample lands on the map, so every bin averages copies of the value.
        x1, y1 = corner
        box = torch.tensor([[0.0, x1, y1, x1 + size[0], y1 + size[1]]])
        out = ops.roi_align(torch.full((1, 3, 16, 20), value), box, output_size, 1.0, sampling_ratio, aligned)
        assert torch.allclose(out, torch.full_like(out, value), atol=1e-5)
