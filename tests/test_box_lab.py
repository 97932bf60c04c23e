"""The Boxes page's computations: the NMS replay agrees with ops.nms/batched_nms, RoIAlign sampling layout, pairs."""

from __future__ import annotations

import math

import pytest
import torch

from visionkit import ops
from vkapp import box_lab


def random_boxes(n: int, seed: int, size: float = 100.0) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    corners = torch.rand(n, 2, generator=generator) * size
    sides = torch.rand(n, 2, generator=generator) * size / 3 + 1
    scores = (torch.rand(n, generator=generator) * 10).round() / 10  # many ties
    return torch.cat([corners, corners + sides], dim=1), scores


class TestNmsReplay:
    @pytest.mark.parametrize("seed", range(12))
    @pytest.mark.parametrize("threshold", [0.0, 0.3, 0.5, 0.8])
    def test_kept_boxes_and_order_equal_ops_nms(self, seed: int, threshold: float) -> None:
        boxes, scores = random_boxes(40, seed)
        steps = box_lab.nms_replay(boxes, scores, threshold)
        assert [s.kept for s in steps] == ops.nms(boxes, scores, threshold).tolist()

    @pytest.mark.parametrize("seed", range(8))
    def test_class_aware_equals_batched_nms(self, seed: int) -> None:
        boxes, scores = random_boxes(50, seed)
        classes = torch.randint(0, 3, (50,), generator=torch.Generator().manual_seed(seed))
        steps = box_lab.nms_replay(boxes, scores, 0.4, classes=classes)
        assert sorted(s.kept for s in steps) == sorted(ops.batched_nms(boxes, scores, classes, 0.4).tolist())

    def test_score_threshold_leaves_low_scores_out(self) -> None:
        boxes, scores = random_boxes(30, 3)
        steps = box_lab.nms_replay(boxes, scores, 0.5, score_threshold=0.5)
        keep = scores >= 0.5
        expected = torch.nonzero(keep).flatten()[ops.nms(boxes[keep], scores[keep], 0.5)].tolist()
        assert [s.kept for s in steps] == expected
        assert all(steps[-1].states[i] == "below threshold" for i in torch.nonzero(~keep).flatten().tolist())

    def test_every_suppressed_box_overlaps_the_box_that_suppressed_it(self) -> None:
        boxes, scores = random_boxes(40, 5)
        iou = ops.box_iou(boxes, boxes)
        for step in box_lab.nms_replay(boxes, scores, 0.3):
            assert all(iou[step.kept, j] > 0.3 for j in step.suppressed)

    def test_too_many_boxes_are_refused_with_a_message(self) -> None:
        boxes, scores = random_boxes(box_lab.MAX_NMS_BOXES + 1, 0)
        with pytest.raises(ValueError, match="NMS replays up to"):
            box_lab.nms_replay(boxes, scores, 0.5)


class TestPair:
    def test_metrics_and_geometry(self) -> None:
        a, b = torch.tensor([0.0, 0.0, 10.0, 10.0]), torch.tensor([5.0, 0.0, 15.0, 10.0])
        result = box_lab.pair_metrics(a, b)
        assert result.iou == pytest.approx(50 / 150)
        assert result.intersection == [5.0, 0.0, 10.0, 10.0]
        assert result.enclosing == [0.0, 0.0, 15.0, 10.0]
        assert result.union_area == pytest.approx(150)
        assert result.giou == pytest.approx(50 / 150)  # the enclosing box is the union: no penalty
        assert result.losses()["IoU"] == pytest.approx(1 - 50 / 150)

    def test_disjoint_boxes_have_no_intersection_and_negative_giou(self) -> None:
        result = box_lab.pair_metrics(torch.tensor([0.0, 0, 1, 1]), torch.tensor([3.0, 0, 4, 1]))
        assert result.intersection is None and result.iou == 0 and result.giou == pytest.approx(-0.5)

    def test_formats(self) -> None:
        assert box_lab.formats(torch.tensor([10.0, 20.0, 30.0, 60.0])) == {
            "xyxy": [10, 20, 30, 60],
            "xywh": [10, 20, 20, 40],
            "cxcywh": [20, 40, 20, 40],
        }

    def test_inverted_box_message(self) -> None:
        assert "x2" in box_lab.check(torch.tensor([[10.0, 0, 5, 5]]))


class TestMissingCoordinates:
    def test_complete_rows_pass(self) -> None:
        assert box_lab.missing_coordinates([{"x1": 0, "y1": 0, "x2": 5, "y2": 5}]) is None

    @pytest.mark.parametrize(("value", "shown"), [(None, "x2"), (float("nan"), "x2")])
    def test_an_empty_or_nan_cell_names_its_row_and_column(self, value: float | None, shown: str) -> None:
        rows = [{"x1": 0, "y1": 0, "x2": 5, "y2": 5}, {"x1": 1, "y1": 1, "x2": value, "y2": 4}]
        assert box_lab.missing_coordinates(rows) == (
            f"row 2 has no {shown} (NaN or an empty cell): fill in x1, y1, x2 and y2, or delete the row"
        )

    def test_a_new_empty_row_lists_every_coordinate(self) -> None:
        assert "row 1 has no x1, y1, x2, y2" in box_lab.missing_coordinates([{"id": None}])


def test_matches_are_one_to_one_and_above_threshold() -> None:
    iou = torch.tensor([[0.9, 0.8], [0.85, 0.1]])
    assert box_lab.matches(iou, 0.5) == [(0, 0, pytest.approx(0.9))]
    assert box_lab.matches(iou, 0.05) == [(0, 0, pytest.approx(0.9)), (1, 1, pytest.approx(0.1))]


class TestRoiSampling:
    def test_output_is_roi_align_and_points_fill_the_bins(self) -> None:
        feature = torch.rand(3, 20, 30, generator=torch.Generator().manual_seed(0))
        box = torch.tensor([16.0, 8.0, 80.0, 56.0])
        sampling = box_lab.roi_sampling(feature, box, (2, 3), spatial_scale=0.25, sampling_ratio=2, aligned=True)
        expected = ops.roi_align(feature[None], torch.tensor([[0.0, *box.tolist()]]), (2, 3), 0.25, 2, True)[0]
        assert torch.equal(sampling.output, expected)
        assert len(sampling.points) == 2 * 3 * 2 * 2
        x1, y1, x2, y2 = sampling.bins
        assert (x1, y1, x2, y2) == pytest.approx((16 * 0.25 - 0.5, 8 * 0.25 - 0.5, 80 * 0.25 - 0.5, 56 * 0.25 - 0.5))
        assert all(x1 < x < x2 and y1 < y < y2 for x, y in sampling.points)

    def test_adaptive_sampling_uses_ceil_of_the_bin_size(self) -> None:
        feature = torch.rand(1, 40, 40)
        sampling = box_lab.roi_sampling(
            feature, torch.tensor([0.0, 0, 25, 10]), (2, 2), spatial_scale=1.0, sampling_ratio=-1, aligned=False
        )
        assert len(sampling.points) == 4 * math.ceil(25 / 2) * math.ceil(10 / 2)


def test_crowd_is_seeded_and_inside_the_image() -> None:
    objects, labels = torch.tensor([[10.0, 10, 40, 40], [50, 20, 90, 70]]), torch.tensor([0, 2])
    first = box_lab.crowd(objects, labels, per_object=5, jitter=0.1, seed=3, size=(100, 80))
    assert first == box_lab.crowd(objects, labels, per_object=5, jitter=0.1, seed=3, size=(100, 80))
    assert all(0 <= b["x1"] < b["x2"] <= 100 and 0 <= b["y1"] < b["y2"] <= 80 for b in first)
    assert {b["label"] for b in first} == {"0", "2"}
