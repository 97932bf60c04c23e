"""transforms.v2 warp functionals (affine, rotate, perspective, elastic): the golden cases recorded from torchvision
0.29.1, boxes and keypoints that follow the pixels they were moved with, the expanded canvas, dispatch per input
type and the argument checks."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import PIL.Image
import pytest
import torch

import visionkit.transforms.v2.functional as F
from visionkit import tv_tensors as TV

from .v2_golden import check_golden, golden_params

_GOLDEN = golden_params(re.compile(r"^F\.(affine|rotate|perspective|elastic)"))


@pytest.mark.parametrize(("case", "out"), _GOLDEN)
def test_golden(case: dict[str, Any], out: dict[str, Any]) -> None:
    check_golden(case, out)


def test_golden_covers_the_names() -> None:
    assert len(_GOLDEN) == 44


H, W = 45, 61
STARTS = [[0, 0], [60, 0], [60, 44], [0, 44]]
ENDS = [[5, 3], [55, 0], [60, 40], [2, 44]]

# Each warp as a function of its input, the same parameters for pixels, boxes and keypoints.
WARPS: dict[str, Callable[[Any], Any]] = {
    "affine": lambda x: F.affine(x, 25.0, [3, -2], 1.2, [10, 5]),
    "rotate_expand": lambda x: F.rotate(x, 37.0, expand=True),
    "rotate_center": lambda x: F.rotate(x, -70.0, center=[10, 30]),
    "perspective": lambda x: F.perspective(x, STARTS, ENDS),
}


def _block_image() -> torch.Tensor:
    """A black uint8 image with one white 3x3 block whose center is the pixel (x=21, y=11)."""
    img = torch.zeros(1, H, W, dtype=torch.uint8)
    img[0, 10:13, 20:23] = 255
    return img


def _extent(mask: torch.Tensor) -> list[int]:
    """XYXY pixel-edge extent of the nonzero pixels of ``[H, W]``."""
    ys, xs = torch.nonzero(mask, as_tuple=True)
    return [int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1]


# ------------------------------------------------------------------------------------- boxes follow the pixels
class TestPointsFollowPixels:
    @pytest.mark.parametrize("name", sorted(WARPS))
    def test_keypoint_on_bright_block_lands_on_it(self, name: str) -> None:
        warp = WARPS[name]
        out = warp(_block_image())
        moved = warp(TV.KeyPoints([[21.5, 11.5]], canvas_size=(H, W)))
        assert moved.canvas_size == tuple(out.shape[-2:])
        x, y = moved[0].floor().long().tolist()
        # The nearest-sampled pixel under the moved block center maps back within ~0.7 px of it: inside the block.
        assert out[0, y, x] == 255

    @pytest.mark.parametrize("name", ["affine", "rotate_center", "perspective"])
    def test_box_holds_the_moved_content(self, name: str) -> None:
        warp = WARPS[name]
        img = torch.zeros(1, H, W, dtype=torch.uint8)
        img[0, 12:24, 15:35] = 1
        box = warp(TV.BoundingBoxes([[15.0, 12.0, 35.0, 24.0]], format="XYXY", canvas_size=(H, W)))
        x1, y1, x2, y2 = _extent(warp(img)[0])
        bx1, by1, bx2, by2 = box[0].tolist()
        assert bx1 <= x1 + 0.5 and by1 <= y1 + 0.5 and x2 - 0.5 <= bx2 and y2 - 0.5 <= by2

    @pytest.mark.parametrize("angle", [90, 180, 270, -90])
    def test_quarter_turn_moves_box_like_rot90(self, angle: int) -> None:
        img = torch.zeros(1, H, W, dtype=torch.uint8)
        img[0, 5:15, 30:50] = 1
        box = TV.BoundingBoxes([[30, 5, 50, 15]], format="XYXY", canvas_size=(H, W))
        out = F.rotate(img, angle, expand=True)
        moved = F.rotate(box, angle, expand=True)
        assert torch.equal(out, torch.rot90(img, k=(angle // 90) % 4, dims=(-2, -1)))
        assert moved.canvas_size == tuple(out.shape[-2:])
        assert moved[0].tolist() == _extent(out[0])

    def test_quarter_turn_through_the_grid_equals_rot90(self) -> None:
        img = torch.randint(0, 256, (3, 40, 40), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
        # An explicit center skips the transposing shortcut: the sampling grid itself must land on pixel centers.
        assert torch.equal(F.rotate(img, 90.0, center=[20, 20]), torch.rot90(img, 1, dims=(-2, -1)))
        assert torch.equal(F.rotate(img, 270.0, center=[20.0, 20.0]), torch.rot90(img, 3, dims=(-2, -1)))

    def test_rotated_box_turns_with_keypoint(self) -> None:
        box = TV.BoundingBoxes([[30.0, 20.0, 20.0, 8.0, 0.0]], format="CXCYWHR", canvas_size=(H, W))
        rotated = F.rotate(box, 30.0)
        center = F.rotate(TV.KeyPoints([[30.0, 20.0]], canvas_size=(H, W)), 30.0)
        torch.testing.assert_close(rotated[0, :2], center[0], atol=1e-4, rtol=0)
        torch.testing.assert_close(rotated[0, 2:], torch.tensor([20.0, 8.0, 30.0]), atol=1e-4, rtol=0)

    @pytest.mark.parametrize("fmt", ["XYXY", "XYWH", "CXCYWH"])
    def test_formats_agree(self, fmt: str) -> None:
        xyxy = TV.BoundingBoxes([[15.0, 8.0, 35.0, 20.0]], format="XYXY", canvas_size=(H, W))
        other = F.convert_bounding_box_format(xyxy, new_format=fmt)
        for warp in WARPS.values():
            back = F.convert_bounding_box_format(warp(other), new_format="XYXY")
            torch.testing.assert_close(back, warp(xyxy), atol=1e-4, rtol=0)

    def test_elastic_constant_field_shifts_pixels_and_points_alike(self) -> None:
        displacement = torch.zeros(1, H, W, 2)
        displacement[..., 0] = 2 * 2 / W  # sample 2 px to the right: content moves 2 px left
        displacement[..., 1] = -3 * 2 / H  # and 3 px down
        img = torch.zeros(1, H, W)
        img[0, 20, 30] = 1.0
        out = F.elastic(img, displacement)
        point = F.elastic(TV.KeyPoints([[30.0, 20.0]], canvas_size=(H, W)), displacement)
        assert torch.nonzero(out[0] > 0.99).tolist() == [[23, 28]]
        torch.testing.assert_close(point, torch.tensor([[28.0, 23.0]]), atol=1e-4, rtol=0, check_stride=False)

    def test_rotation_round_trip_of_keypoints(self) -> None:
        points = TV.KeyPoints([[3.0, 4.0], [40.5, 30.25]], canvas_size=(H, W))
        back = F.rotate(F.rotate(points, 33.0, center=[7, 9]), -33.0, center=[7, 9])
        torch.testing.assert_close(back.as_subclass(torch.Tensor), points.as_subclass(torch.Tensor), atol=1e-4, rtol=0)

    def test_identity_perspective_keeps_pixels_and_boxes(self) -> None:
        img = torch.randint(0, 256, (3, H, W), dtype=torch.uint8, generator=torch.Generator().manual_seed(1))
        identity = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
        assert torch.equal(F.perspective(img, None, None, interpolation="nearest", coefficients=identity), img)
        box = TV.BoundingBoxes([[1.5, 2.0, 30.0, 40.0]], format="XYXY", canvas_size=(H, W))
        assert F.perspective(box, None, None, coefficients=identity).tolist() == box.tolist()


# ------------------------------------------------------------------------------------------- canvas and clamping
class TestCanvas:
    @pytest.mark.parametrize("angle", [30.0, -45.0, 12.3, 100.0])
    def test_expand_grows_canvas_for_all_kinds(self, angle: float) -> None:
        out = F.rotate(torch.zeros(1, H, W), angle, expand=True)
        box = F.rotate(TV.BoundingBoxes([[0, 0, 3, 3]], format="XYXY", canvas_size=(H, W)), angle, expand=True)
        point = F.rotate(TV.KeyPoints([[0, 0]], canvas_size=(H, W)), angle, expand=True)
        cos, sin = abs(math.cos(math.radians(angle))), abs(math.sin(math.radians(angle)))
        # The bounding rectangle of the turned image, rounded outwards.
        assert abs(out.shape[-1] - (W * cos + H * sin)) <= 2
        assert abs(out.shape[-2] - (W * sin + H * cos)) <= 2
        assert box.canvas_size == point.canvas_size
        # torchvision sizes the boxes' canvas from the uncentered matrix: it may round one pixel off the image's.
        assert all(abs(a - b) <= 1 for a, b in zip(box.canvas_size, out.shape[-2:], strict=True))

    def test_expand_keeps_the_whole_image(self) -> None:
        out = F.rotate(torch.ones(1, H, W), 30.0, expand=True, interpolation="bilinear")
        assert out.sum() == pytest.approx(H * W, rel=0.01)

    def test_without_expand_canvas_is_kept(self) -> None:
        box = F.rotate(TV.BoundingBoxes([[0, 0, 3, 3]], format="XYXY", canvas_size=(H, W)), 30.0)
        assert box.canvas_size == (H, W)
        assert F.rotate(torch.zeros(1, H, W), 30.0).shape == (1, H, W)

    @pytest.mark.parametrize(("mode", "right"), [("soft", 61.0), ("hard", 61.0), (None, 75.0)])
    def test_clamping_mode(self, mode: str | None, right: float) -> None:
        box = TV.BoundingBoxes([[50.0, 30.0, 70.0, 40.0]], format="XYXY", canvas_size=(H, W), clamping_mode=mode)
        moved = F.affine(box, 0.0, [5, 0], 1.0, 0.0)
        assert moved.tolist() == [[55.0, 30.0, right, 40.0]]
        assert moved.clamping_mode == mode

    def test_empty_inputs_pass_through(self) -> None:
        boxes = TV.BoundingBoxes(torch.zeros(0, 4), format="XYXY", canvas_size=(H, W))
        assert F.rotate(boxes, 30.0, expand=True).shape == (0, 4)
        assert F.rotate(torch.zeros(0, 3, H, W, dtype=torch.uint8), 30.0, expand=True).shape[:2] == (0, 3)


# ------------------------------------------------------------------------------------------------ kinds of input
class TestDispatch:
    def test_fill_colors_the_outside(self) -> None:
        img = torch.full((3, H, W), 200, dtype=torch.uint8)
        out = F.rotate(img, 45.0, fill=[10, 20, 30])
        assert out[:, 0, 0].tolist() == [10, 20, 30]
        assert out[:, H // 2, W // 2].tolist() == [200, 200, 200]
        assert F.rotate(img, 45.0)[:, 0, 0].tolist() == [0, 0, 0]

    def test_bilinear_fill_blends_the_edge(self) -> None:
        out = F.affine(torch.zeros(1, H, W), 10.0, [0, 0], 1.0, 0.0, interpolation="bilinear", fill=1.0)
        assert out.min() == 0.0 and out.max() == 1.0
        assert ((out > 0) & (out < 1)).any()

    def test_pil_keeps_its_type_and_follows_the_tensor(self) -> None:
        gray = torch.randint(0, 256, (H, W), dtype=torch.uint8, generator=torch.Generator().manual_seed(2))
        pil = PIL.Image.fromarray(gray.numpy())
        out = F.rotate(pil, 90.0, expand=True)
        assert isinstance(out, PIL.Image.Image) and out.size == (H, W)
        assert torch.equal(torch.from_numpy(np.array(out)), torch.rot90(gray, 1))

    def test_masks_keep_labels_and_shape(self) -> None:
        mask = TV.Mask(torch.randint(0, 4, (H, W), generator=torch.Generator().manual_seed(3)))
        for warp in WARPS.values():
            out = warp(mask)
            assert isinstance(out, TV.Mask) and out.ndim == 2
            assert set(out.unique().tolist()) <= {0, 1, 2, 3}
        # Masks are always sampled nearest, whatever interpolation is asked for.
        assert torch.equal(
            F.affine(mask, 10.0, [0, 0], 1.0, 0.0, interpolation="bilinear"),
            F.affine_mask(mask, 10.0, [0, 0], 1.0, 0.0),
        )

    def test_video_and_image_kernels_agree(self) -> None:
        video = torch.rand(2, 3, H, W, generator=torch.Generator().manual_seed(4))
        out = F.rotate(TV.Video(video), 20.0)
        assert isinstance(out, TV.Video)
        assert torch.equal(out[1], F.rotate_image(video[1], 20.0))

    def test_kernels_return_canvas_where_it_can_change(self) -> None:
        _, canvas = F.rotate_bounding_boxes(torch.tensor([[0.0, 0, 3, 3]]), "XYXY", (H, W), 90.0, expand=True)
        assert canvas == (W, H)
        points, canvas = F.affine_keypoints(torch.tensor([[1.0, 2.0]]), (H, W), 0.0, [1, 1], 1.0, 0.0)
        assert canvas == (H, W) and points.tolist() == [[2.0, 3.0]]

    def test_elastic_transform_is_elastic(self) -> None:
        assert F.elastic_transform is F.elastic


# ---------------------------------------------------------------------------------------------- argument checks
IMG = torch.zeros(3, H, W, dtype=torch.uint8)
DISP = torch.zeros(1, H, W, 2)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: F.affine(IMG, "1", [0, 0], 1.0, 0), TypeError, "angle should be int or float"),
        (lambda: F.affine(IMG, 1, 0, 1.0, 0), TypeError, "translate should be a sequence"),
        (lambda: F.affine(IMG, 1, [0], 1.0, 0), ValueError, "translate should be a sequence of length 2"),
        (lambda: F.affine(IMG, 1, [0, 0], 0.0, 0), ValueError, "scale should be positive"),
        (lambda: F.affine(IMG, 1, [0, 0], 1.0, "a"), TypeError, "Shear should be either a single value"),
        (lambda: F.affine(IMG, 1, [0, 0], 1.0, [1, 2, 3]), ValueError, "Shear should be a sequence containing two"),
        (lambda: F.affine(IMG, 1, [0, 0], 1.0, 0, center=3), TypeError, "center should be a sequence"),
        (lambda: F.affine(IMG, 1, [0, 0], 1.0, 0, fill=(1, 2)), ValueError, r"cannot broadcast.*\(2 != 3\)"),
        (lambda: F.affine(IMG, 1, [0, 0], 1.0, 0, fill="x"), ValueError, "fill should be either int, float"),
        (lambda: F.rotate(IMG, 17, interpolation="bicubic"), ValueError, "'bicubic' is unsupported with Tensor"),
        (lambda: F.rotate(IMG, 17, interpolation="nope"), ValueError, "Invalid interpolation mode: 'nope'"),
        (lambda: F.perspective(IMG, None, None), ValueError, "Either the startpoints/endpoints or the coefficients"),
        (lambda: F.perspective(IMG, STARTS, ENDS, coefficients=[1] * 8), ValueError, "shouldn't be defined"),
        (lambda: F.perspective(IMG, None, None, coefficients=[1] * 7), ValueError, "should have 8 float values"),
        (
            lambda: F.perspective(TV.KeyPoints([[1, 2]], canvas_size=(H, W)), None, None, coefficients=[0] * 8),
            RuntimeError,
            "can not be inverted to transform keypoints",
        ),
        (lambda: F.elastic(IMG, 3), TypeError, "displacement should be a Tensor"),
        (lambda: F.elastic(IMG, DISP[:, :3]), ValueError, r"displacement shape should be \(1, 45, 61, 2\)"),
        (
            lambda: F.elastic(TV.KeyPoints(torch.zeros(0, 2), canvas_size=(H, W)), DISP[:, :3]),
            ValueError,
            "displacement shape should be",
        ),
        (
            lambda: F.rotate_bounding_boxes(torch.ones(1, 4), "XYXY", (H, W), 30.0, clamping_mode="auto"),
            ValueError,
            "have to be passed",
        ),
    ],
)
def test_argument_checks(call: Callable[[], Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()
