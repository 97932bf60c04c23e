"""Box and keypoint bookkeeping of transforms.v2: format conversion between all six formats and clamping to the
canvas, exactly as torchvision 0.29.1 computes them (recorded in tests/golden/v2_boxes.pt by record_v2_boxes.py),
and the properties users rely on."""

from __future__ import annotations

import itertools
import re

import pytest
import torch

import visionkit.transforms.v2.functional as F
from visionkit import tv_tensors as TV

from .golden.record_v2_boxes import AXIS_ALIGNED, CANVAS, ROTATED, cases
from .v2_golden import GOLDEN_DIR, check_golden, golden_params

RECORDED = torch.load(GOLDEN_DIR / "v2_boxes.pt", weights_only=True)
OURS = cases(F, TV)


@pytest.mark.parametrize("key", sorted(RECORDED))
def test_same_numbers_as_torchvision(key: str) -> None:
    expected, got = RECORDED[key], OURS[key]
    assert got.dtype == expected.dtype
    assert got.shape == expected.shape
    # NaN marks a box clamped away to nothing in the same place on both sides.
    assert torch.equal(got.nan_to_num(-1.0), expected.nan_to_num(-1.0))


@pytest.mark.parametrize(("case", "out"), golden_params(re.compile(r"^F\.(convert_bounding_box_format|clamp_)")))
def test_golden(case: dict, out: dict) -> None:
    check_golden(case, out)


@pytest.mark.parametrize(
    ("old", "new"), [*itertools.product(AXIS_ALIGNED, AXIS_ALIGNED), *itertools.product(ROTATED, ROTATED)]
)
def test_round_trip_returns_the_boxes(old: str, new: str) -> None:
    g = torch.Generator().manual_seed(3)
    boxes = torch.rand(16, 5, generator=g, dtype=torch.float64) * 50
    boxes[:, 4] = boxes[:, 4] * 7 - 170  # angles in [-170, 180)
    start = F.convert_bounding_box_format(boxes, old_format="XYWHR", new_format=old) if old in ROTATED else boxes[:, :4]
    there = F.convert_bounding_box_format(start, old_format=old, new_format=new)
    back = F.convert_bounding_box_format(there, old_format=new, new_format=old)
    torch.testing.assert_close(back, start, rtol=0, atol=1e-9)


def test_tv_tensor_keeps_its_metadata_and_takes_the_new_format() -> None:
    boxes = TV.BoundingBoxes([[1.0, 2.0, 11.0, 22.0]], format="XYXY", canvas_size=(30, 40), clamping_mode="hard")
    out = F.convert_bounding_box_format(boxes, new_format="CXCYWH")
    assert isinstance(out, TV.BoundingBoxes)
    assert out.format is TV.BoundingBoxFormat.CXCYWH
    assert (out.canvas_size, out.clamping_mode) == ((30, 40), "hard")
    assert out.tolist() == [[6.0, 12.0, 10.0, 20.0]]
    assert boxes.tolist() == [[1.0, 2.0, 11.0, 22.0]]  # not inplace: the input is untouched


def test_clamped_axis_aligned_boxes_lie_on_the_canvas() -> None:
    boxes = TV.BoundingBoxes([[-5, -3, 70, 20], [10, 10, 20, 90]], format="XYXY", canvas_size=(50, 60))
    out = F.clamp_bounding_boxes(boxes)
    assert out.tolist() == [[0, 0, 60, 20], [10, 10, 20, 50]]
    assert out.dtype == boxes.dtype


@pytest.mark.parametrize("mode", ["soft", "hard"])
def test_clamped_rotated_boxes_keep_their_angle(mode: str) -> None:
    boxes = torch.tensor([[30.0, 20.0, 40.0, 15.0, 30.0], [-5.0, 10.0, 30.0, 30.0, 10.0]])
    out = F.clamp_bounding_boxes(boxes, format="CXCYWHR", canvas_size=CANVAS, clamping_mode=mode)
    torch.testing.assert_close(out[:, 4], boxes[:, 4])
    corners = F.convert_bounding_box_format(out, old_format="CXCYWHR", new_format="XYXYXYXY")
    if mode == "hard":  # every corner inside the canvas
        assert corners[:, 0::2].min() >= -1e-4 and corners[:, 0::2].max() <= CANVAS[1] + 1e-4
        assert corners[:, 1::2].min() >= -1e-4 and corners[:, 1::2].max() <= CANVAS[0] + 1e-4


def test_keypoints_clamp_to_the_last_pixel() -> None:
    points = TV.KeyPoints([[-3.0, 5.0], [100.0, 100.0]], canvas_size=(20, 30))
    out = F.clamp_keypoints(points)
    assert isinstance(out, TV.KeyPoints)
    assert out.tolist() == [[0.0, 5.0], [29.0, 19.0]]


def test_bad_arguments_raise_what_torchvision_raises() -> None:
    plain = torch.zeros(1, 4)
    boxes = TV.BoundingBoxes(plain, format="XYXY", canvas_size=(5, 5))
    with pytest.raises(TypeError, match="new_format"):
        F.convert_bounding_box_format(plain, old_format="XYXY")
    with pytest.raises(ValueError, match="old_format"):
        F.convert_bounding_box_format(plain, new_format="XYWH")
    with pytest.raises(ValueError, match="must not be passed"):
        F.convert_bounding_box_format(boxes, old_format="XYXY", new_format="XYWH")
    with pytest.raises(ValueError, match="rotated and unrotated"):
        F.convert_bounding_box_format(plain, old_format="XYXY", new_format="XYWHR")
    with pytest.raises(ValueError, match="clamping_mode"):
        F.clamp_bounding_boxes(boxes, clamping_mode="medium")
    with pytest.raises(ValueError, match="have to be passed"):
        F.clamp_bounding_boxes(plain, format="XYXY", canvas_size=(5, 5))
    with pytest.raises(TypeError, match="plain tensor or a keypoints"):
        F.clamp_keypoints([[1.0, 2.0]], canvas_size=(5, 5))
