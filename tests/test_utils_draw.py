"""visionkit.utils drawing: exact parity with torchvision's draw_segmentation_masks, draw_keypoints and
flow_to_image (recorded by tests/golden/record_utils_draw.py), and properties of what is drawn."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
import torch

import visionkit.utils
from visionkit.utils import draw_keypoints, draw_segmentation_masks, flow_to_image

GOLDEN = torch.load(Path(__file__).parent / "golden" / "utils_draw.pt", weights_only=True)
CASES = GOLDEN["cases"]


def _call(case: dict[str, Any]) -> tuple[Any, bool]:
    """visionkit's output for the case's arguments and whether it warned."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        output = getattr(visionkit.utils, case["function"])(**case["kwargs"])
    return output, bool(caught)


class TestGoldenParity:
    @pytest.mark.parametrize("case", [c for c in CASES if "expected" in c], ids=lambda c: c["name"])
    def test_output_equals_torchvision(self, case: dict[str, Any]) -> None:
        output, warned = _call(case)
        expected = case["expected"]
        assert output.dtype == expected.dtype
        assert output.shape == expected.shape
        assert torch.equal(output, expected), f"{(output != expected).sum().item()} values differ"
        assert warned == case["warns"]

    @pytest.mark.parametrize("case", [c for c in CASES if "raises" in c], ids=lambda c: c["name"])
    def test_raises_what_torchvision_raises(self, case: dict[str, Any]) -> None:
        with pytest.raises(Exception) as info:  # any type: compared with the recorded one below
            _call(case)
        assert type(info.value).__name__ == case["raises"]

    def test_cases_cover_every_function_with_outputs_and_errors(self) -> None:
        for function in ("draw_segmentation_masks", "draw_keypoints", "flow_to_image"):
            kinds = {"raises" in c for c in CASES if c["function"] == function}
            assert kinds == {True, False}, function
        assert GOLDEN["torchvision"].startswith("0.29.1")


def _image(dtype: torch.dtype = torch.uint8, height: int = 9, width: int = 11, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    if dtype == torch.uint8:
        return torch.randint(0, 256, (3, height, width), generator=g, dtype=torch.uint8)
    return torch.rand(3, height, width, generator=g).to(dtype)


class TestDrawSegmentationMasksProperties:
    @pytest.mark.parametrize("dtype", [torch.uint8, torch.float32, torch.float64])
    def test_opaque_mask_gives_its_colour_inside_and_the_image_outside(self, dtype: torch.dtype) -> None:
        image = _image(dtype)
        mask = torch.zeros(9, 11, dtype=torch.bool)
        mask[2:6, 3:9] = True
        out = draw_segmentation_masks(image, mask, alpha=1.0, colors=(10, 200, 30))
        scale = 1 if dtype == torch.uint8 else 255
        colour = torch.tensor([10, 200, 30], dtype=torch.float64) / scale
        assert torch.equal(out[:, mask], colour.to(dtype)[:, None].expand(3, int(mask.sum())))
        assert torch.equal(out[:, ~mask], image[:, ~mask])

    def test_alpha_zero_returns_the_image_values(self) -> None:
        image = _image()
        masks = torch.rand(3, 9, 11, generator=torch.Generator().manual_seed(1)) > 0.5
        assert torch.equal(draw_segmentation_masks(image, masks, alpha=0.0), image)

    def test_overlaps_are_black_when_opaque(self) -> None:
        masks = torch.zeros(2, 9, 11, dtype=torch.bool)
        masks[0, :5] = True
        masks[1, 3:] = True
        out = draw_segmentation_masks(_image(), masks, alpha=1.0, colors=["red", "blue"])
        assert (out[:, 3:5] == 0).all()
        assert (out[:, :3] == torch.tensor([255, 0, 0], dtype=torch.uint8)[:, None, None]).all()

    def test_input_is_not_modified(self) -> None:
        image = _image()
        before = image.clone()
        draw_segmentation_masks(image, torch.ones(9, 11, dtype=torch.bool), alpha=1.0)
        assert torch.equal(image, before)


class TestDrawKeypointsProperties:
    def test_invisible_keypoints_draw_nothing(self) -> None:
        image = _image(height=20, width=24)
        points = torch.tensor([[[3.0, 4.0], [12.0, 10.0], [20.0, 15.0]]])
        out = draw_keypoints(
            image, points, connectivity=[(0, 1), (1, 2)], colors="red", radius=3, visibility=torch.zeros(1, 3)
        )
        assert torch.equal(out, image)

    def test_hiding_one_keypoint_removes_it_and_its_connections(self) -> None:
        image = torch.zeros(3, 20, 24, dtype=torch.uint8)
        points = torch.tensor([[[3.0, 4.0], [12.0, 10.0], [20.0, 15.0]]])
        shown = torch.tensor([[True, True, False]])
        out = draw_keypoints(image, points, connectivity=[(0, 1), (1, 2)], colors="red", visibility=shown)
        only_first_two = draw_keypoints(image, points[:, :2], connectivity=[(0, 1)], colors="red")
        assert torch.equal(out, only_first_two)
        assert out[:, 15, 20].tolist() == [0, 0, 0]

    def test_disc_of_the_colour_within_the_radius(self) -> None:
        image = torch.zeros(3, 15, 15, dtype=torch.uint8)
        out = draw_keypoints(image, torch.tensor([[[7.0, 7.0]]]), colors=(1, 2, 3), radius=3)
        drawn = (out != 0).any(dim=0)
        ys, xs = torch.nonzero(drawn, as_tuple=True)
        assert ((xs - 7).abs().max(), (ys - 7).abs().max()) == (3, 3)
        assert (out[:, drawn] == torch.tensor([1, 2, 3], dtype=torch.uint8)[:, None]).all()

    def test_float_images_come_back_float_and_unchanged_away_from_the_drawing(self) -> None:
        image = _image(torch.float32, height=20, width=24)
        out = draw_keypoints(image, torch.tensor([[[3.0, 3.0]]]), colors="white", radius=1)
        assert out.dtype == torch.float32
        far = (slice(None), slice(8, None), slice(8, None))
        assert (out[far] - image[far]).abs().max() <= 1 / 255


class TestFlowToImageProperties:
    def test_no_motion_is_white_and_shapes_follow_the_input(self) -> None:
        assert torch.equal(flow_to_image(torch.zeros(2, 4, 5)), torch.full((3, 4, 5), 255, dtype=torch.uint8))
        assert flow_to_image(torch.randn(3, 2, 4, 5)).shape == (3, 3, 4, 5)

    def test_scaling_the_flow_does_not_change_the_picture(self) -> None:
        flow = torch.randn(2, 6, 7, generator=torch.Generator().manual_seed(2))
        assert (flow_to_image(flow).int() - flow_to_image(flow * 4).int()).abs().max() <= 1
