"""visionkit.ops: every golden case recorded from torchvision, and the behaviour users rely on."""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import pytest
import torch
from torch import Tensor

from visionkit import ops

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
GOLDEN = torch.load(GOLDEN_DIR / "ops.pt", weights_only=True)


def _load_compare() -> Callable[..., str | None]:
    spec = importlib.util.spec_from_file_location("check_parity", GOLDEN_DIR / "check_parity.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.compare


compare = _load_compare()


def naive_iou(a: Tensor, b: Tensor) -> Tensor:
    """IoU of every box of ``a`` with every box of ``b``, written out with broadcasting."""
    lt = torch.max(a[:, None, :2], b[None, :, :2])
    rb = torch.min(a[:, None, 2:], b[None, :, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / (area_a[:, None] + area_b[None, :] - inter)


def naive_nms(boxes: Tensor, scores: Tensor, threshold: float) -> list[int]:
    """Textbook greedy NMS: visit by decreasing score, keep a box unless a kept one overlaps it too much."""
    iou = naive_iou(boxes, boxes).double()
    suppressed = torch.zeros(len(boxes), dtype=torch.bool)
    kept = []
    for i in torch.argsort(scores, descending=True, stable=True).tolist():
        if not suppressed[i]:
            kept.append(i)
            suppressed |= iou[i] > threshold
    return kept


def random_boxes(n: int, seed: int, image: float = 300.0, largest: float = 60.0) -> Tensor:
    generator = torch.Generator().manual_seed(seed)
    corner = torch.rand(n, 2, generator=generator) * image
    return torch.cat([corner, corner + 1 + torch.rand(n, 2, generator=generator) * largest], dim=1)


class TestGoldenParity:
    @pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda case: case["code"])
    def test_matches_torchvision(self, case: dict) -> None:
        actual = eval(case["code"], {"O": ops, "torch": torch, **GOLDEN["inputs"]})
        assert compare(case["expected"], actual, image_tol=0, ftol=1e-4) is None

    def test_feature_pyramid_network_matches_torchvision(self) -> None:
        golden = GOLDEN["fpn"]
        fpn = eval(golden["code"], {"O": ops})
        fpn.load_state_dict(golden["state_dict"])
        out = fpn(dict(golden["inputs"]))
        assert list(out) == list(golden["outputs"])
        assert compare({"tuple": list(golden["outputs"].values())}, list(out.values()), 0, 1e-4) is None
        assert repr(fpn) == golden["repr"]


class TestBoxConvert:
    boxes = torch.tensor([[10, 20, 30, 60]])

    @pytest.mark.parametrize(
        ("fmt", "expected"), [("xywh", [[10, 20, 20, 40]]), ("cxcywh", [[20.0, 40.0, 20.0, 40.0]])]
    )
    def test_converts_from_corners(self, fmt: str, expected: list) -> None:
        assert ops.box_convert(self.boxes, "xyxy", fmt).tolist() == expected

    def test_corner_and_size_formats_keep_integers_and_centres_become_floats(self) -> None:
        assert ops.box_convert(self.boxes, "xyxy", "xywh").dtype == torch.int64
        assert ops.box_convert(self.boxes, "xyxy", "cxcywh").dtype == torch.float32

    def test_same_format_returns_a_copy(self) -> None:
        converted = ops.box_convert(self.boxes, "xyxy", "xyxy")
        converted[0, 0] = 0
        assert self.boxes[0, 0] == 10

    def test_keeps_leading_dimensions(self) -> None:
        assert ops.box_convert(torch.rand(2, 3, 4), "cxcywh", "xyxy").shape == (2, 3, 4)

    @pytest.mark.parametrize("argument", ["in_fmt", "out_fmt"])
    def test_unknown_format(self, argument: str) -> None:
        formats = {"in_fmt": "xyxy", "out_fmt": "xyxy", argument: "XYXY"}
        with pytest.raises(ValueError, match=f"`{argument}` should be one of 'xyxy', 'xywh', 'cxcywh', got 'XYXY'"):
            ops.box_convert(self.boxes, **formats)

    def test_wrong_shape(self) -> None:
        with pytest.raises(ValueError, match=r"`boxes` should have shape \(\.\.\., 4\), got \(2, 5\)"):
            ops.box_convert(torch.zeros(2, 5), "xyxy", "xywh")

    def test_not_a_tensor(self) -> None:
        with pytest.raises(TypeError, match="`boxes` should be a Tensor, got list"):
            ops.box_convert([[0, 0, 1, 1]], "xyxy", "xywh")

    def test_bool_tensor(self) -> None:
        with pytest.raises(TypeError, match=r"`boxes` should hold real numbers, got dtype torch\.bool"):
            ops.box_convert(torch.ones(1, 4, dtype=torch.bool), "xyxy", "xywh")


class TestBoxArea:
    def test_area_in_each_format(self) -> None:
        boxes = torch.tensor([[1.0, 2.0, 4.0, 6.0]])
        assert ops.box_area(boxes).tolist() == [12.0]
        assert ops.box_area(boxes, fmt="xywh").tolist() == [24.0]
        assert ops.box_area(boxes, fmt="cxcywh").tolist() == [24.0]

    def test_small_integers_are_widened_before_multiplying(self) -> None:
        area = ops.box_area(torch.tensor([[0, 0, 200, 200]], dtype=torch.uint8))
        assert area.dtype == torch.int32
        assert area.tolist() == [40000]

    def test_unknown_format(self) -> None:
        with pytest.raises(ValueError, match="`fmt` should be one of 'xyxy', 'xywh', 'cxcywh', got 'xyxyr'"):
            ops.box_area(torch.zeros(1, 4), fmt="xyxyr")


class TestBoxIou:
    def test_overlapping_and_disjoint_pairs(self) -> None:
        a = torch.tensor([[0.0, 0.0, 2.0, 2.0]])
        b = torch.tensor([[1.0, 1.0, 3.0, 3.0], [5.0, 5.0, 6.0, 6.0], [0.0, 0.0, 2.0, 2.0]])
        assert torch.allclose(ops.box_iou(a, b), torch.tensor([[1 / 7, 0.0, 1.0]]))

    def test_boxes_in_other_formats(self) -> None:
        a = torch.tensor([[0.0, 0.0, 2.0, 2.0]])
        b = torch.tensor([[1.0, 1.0, 2.0, 2.0]])
        assert torch.allclose(ops.box_iou(a, b, fmt="xywh"), torch.tensor([[1 / 7]]))
        assert torch.allclose(ops.box_iou(a, a, fmt="cxcywh"), torch.tensor([[1.0]]))

    def test_large_inputs_match_the_textbook_formula_exactly(self) -> None:
        a, b = random_boxes(700, seed=0), random_boxes(500, seed=1)
        assert torch.equal(ops.box_iou(a, b), naive_iou(a, b))

    def test_leading_dimensions_broadcast(self) -> None:
        a, b = random_boxes(6, seed=0).view(2, 3, 4), random_boxes(5, seed=1)
        out = ops.box_iou(a, b)
        assert out.shape == (2, 3, 5)
        assert torch.allclose(out[1], naive_iou(a[1], b))

    def test_integer_boxes_give_float_iou(self) -> None:
        out = ops.box_iou(torch.tensor([[0, 0, 2, 2]]), torch.tensor([[1, 1, 3, 3]]))
        assert out.dtype == torch.float32

    def test_boxes_need_a_set_dimension(self) -> None:
        with pytest.raises(ValueError, match=r"`boxes1` should have shape \(\.\.\., N, 4\), got \(4,\)"):
            ops.box_iou(torch.zeros(4), torch.zeros(1, 4))


class TestIouVariants:
    left = torch.tensor([[0.0, 0.0, 1.0, 1.0]])
    right = torch.tensor([[2.0, 0.0, 3.0, 1.0]])

    def test_disjoint_boxes(self) -> None:
        # Enclosing box 3 x 1 of which the union covers 2; centres 2 apart, enclosing diagonal squared 10.
        assert ops.generalized_box_iou(self.left, self.right).item() == pytest.approx(-1 / 3)
        assert ops.distance_box_iou(self.left, self.right).item() == pytest.approx(-0.4)
        assert ops.complete_box_iou(self.left, self.right).item() == pytest.approx(-0.4)

    def test_complete_iou_penalises_different_aspect_ratios(self) -> None:
        tall = torch.tensor([[0.0, 0.0, 1.0, 4.0]])
        wide = torch.tensor([[0.0, 0.0, 4.0, 1.0]])
        assert ops.complete_box_iou(tall, wide).item() < ops.distance_box_iou(tall, wide).item()

    @pytest.mark.parametrize("fn", [ops.generalized_box_iou, ops.distance_box_iou, ops.complete_box_iou])
    def test_a_box_with_itself_scores_one(self, fn: Callable[[Tensor, Tensor], Tensor]) -> None:
        boxes = random_boxes(5, seed=2)
        assert torch.allclose(fn(boxes, boxes).diagonal(), torch.ones(5))


class TestBoxIouLosses:
    pred = torch.tensor([[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 2.0, 2.0]])
    target = torch.tensor([[2.0, 0.0, 3.0, 1.0], [0.0, 0.0, 2.0, 2.0]])

    def test_generalized_loss_and_reductions(self) -> None:
        loss = ops.generalized_box_iou_loss(self.pred, self.target)
        assert loss.tolist() == pytest.approx([4 / 3, 0.0], abs=1e-6)
        assert ops.generalized_box_iou_loss(self.pred, self.target, reduction="sum").item() == pytest.approx(4 / 3)
        assert ops.generalized_box_iou_loss(self.pred, self.target, reduction="mean").item() == pytest.approx(2 / 3)

    def test_distance_and_complete_losses(self) -> None:
        assert ops.distance_box_iou_loss(self.pred, self.target).tolist() == pytest.approx([1.4, 0.0], abs=1e-6)
        assert ops.complete_box_iou_loss(self.pred, self.target).tolist() == pytest.approx([1.4, 0.0], abs=1e-6)

    @pytest.mark.parametrize(
        "loss", [ops.generalized_box_iou_loss, ops.distance_box_iou_loss, ops.complete_box_iou_loss]
    )
    def test_mean_of_no_boxes_is_zero(self, loss: Callable[..., Tensor]) -> None:
        assert loss(torch.zeros(0, 4), torch.zeros(0, 4), reduction="mean").item() == 0.0

    def test_gradients_reach_the_predictions(self) -> None:
        pred = self.pred.clone().requires_grad_()
        ops.complete_box_iou_loss(pred, self.target, reduction="sum").backward()
        assert pred.grad is not None and pred.grad[0].abs().sum() > 0

    @pytest.mark.parametrize(
        "loss", [ops.generalized_box_iou_loss, ops.distance_box_iou_loss, ops.complete_box_iou_loss]
    )
    def test_unknown_reduction(self, loss: Callable[..., Tensor]) -> None:
        with pytest.raises(ValueError, match="`reduction` should be one of 'none', 'mean', 'sum', got 'max'"):
            loss(self.pred, self.target, reduction="max")

    def test_wrong_shape(self) -> None:
        with pytest.raises(ValueError, match=r"`boxes2` should have shape \(\.\.\., 4\), got \(2, 3\)"):
            ops.distance_box_iou_loss(self.pred, torch.zeros(2, 3))


class TestClipAndRemoveSmallBoxes:
    def test_clip_to_image(self) -> None:
        boxes = torch.tensor([[-5.0, -3.0, 70.0, 50.0], [10.0, 10.0, 20.0, 20.0]])
        expected = [[0.0, 0.0, 60.0, 40.0], [10.0, 10.0, 20.0, 20.0]]
        assert ops.clip_boxes_to_image(boxes, (40, 60)).tolist() == expected

    def test_remove_small_boxes_keeps_both_sides_at_least_min_size(self) -> None:
        boxes = torch.tensor([[0.0, 0.0, 10.0, 10.0], [0.0, 0.0, 9.5, 20.0], [0.0, 0.0, 20.0, 10.0]])
        assert ops.remove_small_boxes(boxes, 10.0).tolist() == [0, 2]

    def test_clip_rejects_wrong_shape(self) -> None:
        with pytest.raises(ValueError, match=r"`boxes` should have shape \(\.\.\., 4\), got \(3,\)"):
            ops.clip_boxes_to_image(torch.zeros(3), (4, 4))


class TestMasksToBoxes:
    def test_tight_inclusive_boxes_and_zero_for_empty_masks(self) -> None:
        masks = torch.zeros(2, 5, 6, dtype=torch.bool)
        masks[0, 1:3, 2:5] = True
        assert ops.masks_to_boxes(masks).tolist() == [[2.0, 1.0, 4.0, 2.0], [0.0, 0.0, 0.0, 0.0]]

    def test_any_non_zero_value_counts(self) -> None:
        masks = torch.zeros(1, 4, 4)
        masks[0, 3, 0] = -0.5
        assert ops.masks_to_boxes(masks).tolist() == [[0.0, 3.0, 0.0, 3.0]]

    def test_needs_three_dimensions(self) -> None:
        with pytest.raises(ValueError, match=r"`masks` should have shape \(N, H, W\), got \(4, 4\)"):
            ops.masks_to_boxes(torch.zeros(4, 4))

    def test_not_a_tensor(self) -> None:
        with pytest.raises(TypeError, match="`masks` should be a Tensor, got list"):
            ops.masks_to_boxes([[[1]]])


class TestNms:
    def test_drops_boxes_that_overlap_a_better_one(self) -> None:
        boxes = torch.tensor([[0.0, 0.0, 10.0, 10.0], [1.0, 1.0, 11.0, 11.0], [20.0, 20.0, 30.0, 30.0]])
        scores = torch.tensor([0.8, 0.9, 0.7])
        assert ops.nms(boxes, scores, 0.5).tolist() == [1, 2]
        assert ops.nms(boxes, scores, 0.9).tolist() == [1, 0, 2]

    def test_equal_scores_keep_input_order(self) -> None:
        boxes = torch.tensor([[10.0 * i, 0.0, 10.0 * i + 5, 5.0] for i in range(6)])
        assert ops.nms(boxes, torch.tensor([0.5, 0.7, 0.5, 0.7, 0.5, 0.7]), 0.5).tolist() == [1, 3, 5, 0, 2, 4]

    def test_threshold_is_compared_as_a_double(self) -> None:
        # IoU 3/10 rounds to the float32 just above 0.3, which is "greater than 0.3" for torchvision;
        # in float64 the IoU is exactly the double 0.3 and does not exceed it.
        boxes = torch.tensor([[0.0, 0.0, 10.0, 1.0], [0.0, 0.0, 3.0, 1.0]])
        scores = torch.tensor([2.0, 1.0])
        assert ops.nms(boxes, scores, 0.3).tolist() == [0]
        assert ops.nms(boxes.double(), scores.double(), 0.3).tolist() == [0, 1]

    @pytest.mark.parametrize("layout", ["scattered", "clustered"])
    def test_many_boxes_match_textbook_greedy(self, layout: str) -> None:
        image = 1500.0 if layout == "scattered" else 120.0
        boxes = random_boxes(1500, seed=3, image=image)
        scores = torch.rand(1500, generator=torch.Generator().manual_seed(4))
        assert ops.nms(boxes, scores, 0.5).tolist() == naive_nms(boxes, scores, 0.5)

    def test_no_boxes(self) -> None:
        keep = ops.nms(torch.zeros(0, 4), torch.zeros(0), 0.5)
        assert keep.dtype == torch.int64 and keep.numel() == 0

    def test_boxes_must_be_two_dimensional(self) -> None:
        with pytest.raises(ValueError, match=r"`boxes` should have shape \(N, 4\), got \(1, 2, 4\)"):
            ops.nms(torch.zeros(1, 2, 4), torch.zeros(1), 0.5)

    def test_one_score_per_box(self) -> None:
        with pytest.raises(ValueError, match=r"`scores` should have shape \(2,\), one per box, got \(3,\)"):
            ops.nms(torch.zeros(2, 4), torch.zeros(3), 0.5)

    def test_scores_must_be_a_tensor(self) -> None:
        with pytest.raises(TypeError, match="`scores` should be a Tensor, got list"):
            ops.nms(torch.zeros(2, 4), [0.1, 0.2], 0.5)


class TestBatchedNms:
    def test_categories_do_not_suppress_each_other(self) -> None:
        boxes = torch.tensor([[0.0, 0.0, 10.0, 10.0]] * 3)
        scores = torch.tensor([0.9, 0.8, 0.7])
        assert ops.batched_nms(boxes, scores, torch.tensor([0, 1, 0]), 0.5).tolist() == [0, 1]

    def test_many_boxes_match_per_category_greedy(self) -> None:
        boxes = random_boxes(1200, seed=5, image=200.0)
        scores = torch.rand(1200, generator=torch.Generator().manual_seed(6))
        categories = torch.randint(0, 4, (1200,), generator=torch.Generator().manual_seed(7))
        expected = []
        for category in range(4):
            members = torch.where(categories == category)[0]
            expected += members[naive_nms(boxes[members], scores[members], 0.5)].tolist()
        expected.sort(key=lambda i: -scores[i].item())
        assert ops.batched_nms(boxes, scores, categories, 0.5).tolist() == expected

    def test_one_category_per_box(self) -> None:
        with pytest.raises(ValueError, match=r"`idxs` should have the shape of `scores`, \(2,\), got \(1,\)"):
            ops.batched_nms(torch.zeros(2, 4), torch.zeros(2), torch.zeros(1), 0.5)


class TestRoiAlign:
    # A feature map equal to its x coordinate: bilinear sampling reproduces x, so each bin averages to its centre.
    ramp = torch.arange(8.0).expand(1, 1, 8, 8).contiguous()

    def test_each_bin_averages_its_samples(self) -> None:
        out = ops.roi_align(self.ramp, torch.tensor([[0.0, 1.0, 1.0, 5.0, 5.0]]), 2, sampling_ratio=2)
        assert out.tolist() == [[[[2.0, 4.0], [2.0, 4.0]]]]

    def test_aligned_shifts_by_half_a_pixel(self) -> None:
        out = ops.roi_align(self.ramp, torch.tensor([[0.0, 1.0, 1.0, 5.0, 5.0]]), 2, sampling_ratio=2, aligned=True)
        assert out.tolist() == [[[[1.5, 3.5], [1.5, 3.5]]]]

    def test_spatial_scale_maps_image_to_feature_coordinates(self) -> None:
        out = ops.roi_align(self.ramp, torch.tensor([[0.0, 2.0, 2.0, 10.0, 10.0]]), 2, 0.5, 2)
        assert out.tolist() == [[[[2.0, 4.0], [2.0, 4.0]]]]

    def test_samples_beyond_the_map_count_as_zero(self) -> None:
        out = ops.roi_align(torch.ones(1, 1, 4, 4), torch.tensor([[0.0, 2.0, 0.0, 10.0, 4.0]]), (1, 2), 1.0, 1)
        assert out.tolist() == [[[[1.0, 0.0]]]]

    def test_list_of_boxes_per_image_equals_batch_index_column(self) -> None:
        features = torch.randn(2, 3, 10, 12, generator=torch.Generator().manual_seed(0))
        per_image = [torch.tensor([[1.0, 2.0, 7.0, 6.0]]), torch.tensor([[0.0, 0.0, 5.0, 9.0], [3.0, 3.0, 4.0, 4.0]])]
        rois = torch.tensor([[0.0, 1.0, 2.0, 7.0, 6.0], [1.0, 0.0, 0.0, 5.0, 9.0], [1.0, 3.0, 3.0, 4.0, 4.0]])
        assert torch.equal(ops.roi_align(features, per_image, 3), ops.roi_align(features, rois, 3))

    def test_a_box_pools_the_same_alone_or_among_many(self) -> None:
        # Many boxes make visionkit switch the map to channels-last; a lone box uses it as it is.
        features = torch.randn(1, 4, 12, 12, generator=torch.Generator().manual_seed(1))
        rois = torch.cat([torch.zeros(30, 1), random_boxes(30, seed=8, image=8.0, largest=6.0)], dim=1)
        together = ops.roi_align(features, rois, 3, 1.0, -1)
        alone = torch.cat([ops.roi_align(features, rois[i : i + 1], 3, 1.0, -1) for i in range(30)])
        assert torch.allclose(together, alone, atol=1e-6)

    def test_module_repr_and_forward(self) -> None:
        module = ops.RoIAlign((3, 3), 0.5, 2, True)
        assert repr(module) == "RoIAlign(output_size=(3, 3), spatial_scale=0.5, sampling_ratio=2, aligned=True)"
        rois = torch.tensor([[0.0, 1.0, 1.0, 9.0, 9.0]])
        assert torch.equal(module(self.ramp, rois), ops.roi_align(self.ramp, rois, (3, 3), 0.5, 2, True))

    def test_gradient_spreads_each_output_over_its_samples(self) -> None:
        features = torch.zeros(1, 2, 8, 8, requires_grad=True)
        ops.roi_align(features, torch.tensor([[0.0, 1.0, 1.0, 6.0, 6.0]]), 3).sum().backward()
        assert features.grad.sum().item() == pytest.approx(2 * 3 * 3)

    def test_no_boxes(self) -> None:
        assert ops.roi_align(self.ramp, torch.zeros(0, 5), (2, 3)).shape == (0, 1, 2, 3)

    def test_input_must_be_a_batch(self) -> None:
        with pytest.raises(ValueError, match=r"`input` should have shape \(N, C, H, W\), got \(1, 8, 8\)"):
            ops.roi_align(self.ramp[0], torch.zeros(1, 5), 2)

    def test_input_must_be_floating_point(self) -> None:
        with pytest.raises(TypeError, match=r"`input` should be a floating-point tensor, got dtype torch\.int64"):
            ops.roi_align(self.ramp.long(), torch.zeros(1, 5), 2)

    def test_box_tensor_needs_a_batch_index(self) -> None:
        with pytest.raises(ValueError, match=r"`boxes` should be a Tensor\[K, 5\].*got a tensor of shape \(1, 4\)"):
            ops.roi_align(self.ramp, torch.zeros(1, 4), 2)

    def test_per_image_boxes_have_four_coordinates(self) -> None:
        with pytest.raises(ValueError, match=r"`boxes\[0\]` should have shape \(L, 4\), got \(1, 5\)"):
            ops.roi_align(self.ramp, [torch.zeros(1, 5)], 2)

    def test_boxes_of_another_type(self) -> None:
        with pytest.raises(
            TypeError, match="`boxes` should be a Tensor\\[K, 5\\] or a list of Tensor\\[L, 4\\], got dict"
        ):
            ops.roi_align(self.ramp, {}, 2)

    def test_batch_index_must_name_an_image(self) -> None:
        with pytest.raises(ValueError, match=r"`boxes` row 1 refers to image 1\.0, but `input` holds 1 image"):
            ops.roi_align(self.ramp, torch.tensor([[0.0, 0, 0, 1, 1], [1.0, 0, 0, 1, 1]]), 2)

    def test_output_size_must_be_positive(self) -> None:
        with pytest.raises(ValueError, match=r"`output_size` should be a positive int or a pair .*got \(0, 2\)"):
            ops.RoIAlign((0, 2), 1.0, 2)

    def test_output_size_must_be_integers(self) -> None:
        with pytest.raises(TypeError, match=r"`output_size` should be an int or a pair of ints, got 2\.5"):
            ops.roi_align(self.ramp, torch.zeros(1, 5), 2.5)


class TestRoiPool:
    def test_maximum_over_each_bin(self) -> None:
        features = torch.arange(36.0).view(1, 1, 6, 6)
        out = ops.roi_pool(features, torch.tensor([[0.0, 0.0, 0.0, 3.0, 3.0]]), 2)
        assert out.tolist() == [[[[7.0, 9.0], [19.0, 21.0]]]]

    def test_bins_outside_the_map_are_zero(self) -> None:
        features = torch.full((1, 1, 4, 4), -1.0)
        out = ops.roi_pool(features, torch.tensor([[0.0, 2.0, 0.0, 9.0, 3.0]]), (1, 2))
        assert out.tolist() == [[[[-1.0, 0.0]]]]

    def test_box_corners_round_half_away_from_zero(self) -> None:
        # x1 = 2.5 rounds to 3 (not to 2, as round-half-to-even would), so column 2 is left out.
        features = torch.zeros(1, 1, 1, 6)
        features[0, 0, 0, 2] = 1.0
        assert ops.roi_pool(features, torch.tensor([[0.0, 2.5, 0.0, 4.0, 0.0]]), 1).item() == 0.0

    def test_nan_never_wins_and_bins_stop_at_minus_flt_max(self) -> None:
        features = torch.tensor([[[[math.nan, 1.0], [math.nan, -math.inf]]]])
        out = ops.roi_pool(features, torch.tensor([[0.0, 0.0, 0.0, 1.0, 1.0]]), (2, 1))
        assert out.flatten().tolist() == [1.0, -3.4028234663852886e38]

    def test_module_repr(self) -> None:
        assert repr(ops.RoIPool(2, 0.5)) == "RoIPool(output_size=2, spatial_scale=0.5)"


class TestFeaturePyramidNetwork:
    features: ClassVar[dict[str, Tensor]] = {"c3": torch.randn(1, 8, 16, 16), "c4": torch.randn(1, 16, 7, 9)}

    def test_extra_max_pool_level(self) -> None:
        fpn = ops.FeaturePyramidNetwork([8, 16], 12, extra_blocks=ops.LastLevelMaxPool())
        out = fpn(self.features)
        assert {name: tuple(t.shape) for name, t in out.items()} == {
            "c3": (1, 12, 16, 16),
            "c4": (1, 12, 7, 9),
            "pool": (1, 12, 4, 5),
        }
        assert repr(fpn).endswith("(extra_blocks): LastLevelMaxPool()\n)")

    @pytest.mark.parametrize("in_channels", [16, 12])
    def test_p6_p7_from_the_last_input_or_output(self, in_channels: int) -> None:
        block = ops.LastLevelP6P7(in_channels, 12)
        out = ops.FeaturePyramidNetwork([8, 16], 12, extra_blocks=block)(self.features)
        assert list(out) == ["c3", "c4", "p6", "p7"]
        assert out["p7"].shape == (1, 12, 2, 3)
        assert block.use_P5 == (in_channels == 12)

    def test_same_seed_same_initial_weights(self) -> None:
        torch.manual_seed(0)
        first = ops.FeaturePyramidNetwork([8, 16], 12).state_dict()
        torch.manual_seed(0)
        second = ops.FeaturePyramidNetwork([8, 16], 12).state_dict()
        assert all(torch.equal(first[name], second[name]) for name in first)

    def test_channels_must_be_positive(self) -> None:
        with pytest.raises(ValueError, match=r"`in_channels_list` should hold positive channel counts, got \[0, 8\]"):
            ops.FeaturePyramidNetwork([0, 8], 12)

    def test_extra_blocks_type(self) -> None:
        with pytest.raises(TypeError, match="`extra_blocks` should be an ExtraFPNBlock, got Identity"):
            ops.FeaturePyramidNetwork([8], 12, extra_blocks=torch.nn.Identity())


class TestSigmoidFocalLoss:
    def test_confident_correct_predictions_cost_almost_nothing(self) -> None:
        loss = ops.sigmoid_focal_loss(torch.tensor([0.0, 8.0]), torch.tensor([1.0, 1.0]))
        # At p = 0.5: cross-entropy ln 2, modulated by (1 - 0.5)^2 and weighted by alpha = 0.25.
        assert loss[0].item() == pytest.approx(0.25 * 0.25 * math.log(2))
        assert loss[1].item() < 1e-7

    def test_negative_alpha_turns_weighting_off(self) -> None:
        loss = ops.sigmoid_focal_loss(torch.tensor([0.0]), torch.tensor([0.0]), alpha=-1, gamma=0)
        assert loss.item() == pytest.approx(math.log(2))

    def test_unknown_reduction(self) -> None:
        with pytest.raises(ValueError, match="`reduction` should be one of 'none', 'mean', 'sum', got 'avg'"):
            ops.sigmoid_focal_loss(torch.zeros(2), torch.zeros(2), reduction="avg")

    def test_inputs_must_be_tensors(self) -> None:
        with pytest.raises(TypeError, match="`targets` should be a Tensor, got list"):
            ops.sigmoid_focal_loss(torch.zeros(2), [0.0, 1.0])


class TestValidateBoxes:
    def test_valid_boxes_pass(self) -> None:
        boxes = torch.tensor([[0.0, 0.0, 10.0, 5.0], [2.0, 2.0, 2.0, 3.0]])
        assert ops.validate_boxes(boxes, image_size=(5, 10)) is None
        assert ops.validate_boxes(torch.zeros(0, 4)) is None

    def test_wrong_shape(self) -> None:
        with pytest.raises(ValueError, match=r"`boxes` should have shape \(N, 4\), one \(x1, y1, x2, y2\) row"):
            ops.validate_boxes(torch.zeros(3))

    @pytest.mark.parametrize("bad", [math.nan, math.inf])
    def test_non_finite_coordinate_names_the_row(self, bad: float) -> None:
        boxes = torch.tensor([[0.0, 0.0, 1.0, 1.0], [0.0, bad, 1.0, 1.0]])
        with pytest.raises(ValueError, match=r"`boxes` row 1 has a NaN or infinite coordinate: \[0.0, (nan|inf)"):
            ops.validate_boxes(boxes)

    def test_inverted_corners_name_the_row(self) -> None:
        boxes = torch.tensor([[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0], [5.0, 0.0, 3.0, 1.0]])
        with pytest.raises(ValueError, match=r"`boxes` row 2 has x2 < x1 \(3.0 < 5.0\)"):
            ops.validate_boxes(boxes)

    def test_inverted_y_corners(self) -> None:
        with pytest.raises(ValueError, match=r"`boxes` row 0 has y2 < y1 \(1.0 < 4.0\)"):
            ops.validate_boxes(torch.tensor([[0.0, 4.0, 1.0, 1.0]]))

    def test_negative_size_in_size_formats(self) -> None:
        with pytest.raises(ValueError, match=r"`boxes` row 0 has a negative height \(-2.0\) in 'cxcywh' format"):
            ops.validate_boxes(torch.tensor([[5.0, 5.0, 2.0, -2.0]]), fmt="cxcywh")

    def test_box_outside_the_image_names_the_row(self) -> None:
        boxes = torch.tensor([[0.0, 0.0, 10.0, 10.0], [5.0, 5.0, 12.0, 8.0]])
        with pytest.raises(ValueError, match="`boxes` row 1 reaches outside the image of height 10 and width 11"):
            ops.validate_boxes(boxes, image_size=(10, 11))

    def test_unknown_format(self) -> None:
        with pytest.raises(ValueError, match="`fmt` should be one of 'xyxy', 'xywh', 'cxcywh', got 'yxyx'"):
            ops.validate_boxes(torch.zeros(1, 4), fmt="yxyx")

    def test_image_size_must_be_a_pair_of_ints(self) -> None:
        with pytest.raises(TypeError, match=r"`image_size` should be a \(height, width\) pair of ints, got 10"):
            ops.validate_boxes(torch.zeros(1, 4), image_size=10)

    def test_image_size_must_be_positive(self) -> None:
        with pytest.raises(ValueError, match=r"`image_size` should be a positive \(height, width\), got \(0, 5\)"):
            ops.validate_boxes(torch.zeros(1, 4), image_size=(0, 5))

    def test_not_a_tensor(self) -> None:
        with pytest.raises(TypeError, match="`boxes` should be a Tensor, got tuple"):
            ops.validate_boxes((0, 0, 1, 1))
