"""visionkit.utils: golden parity with torchvision, grids, saving, drawing boxes/masks/keypoints, denormalisation."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path
from types import ModuleType
from typing import Any

import matplotlib
import numpy as np
import PIL.Image
import pytest
import torch
from torch import nn

import visionkit.utils
import visionkit.utils._boxes as boxes_module
from visionkit.utils import (
    Denormalize,
    denormalize,
    draw_bounding_boxes,
    draw_keypoints,
    draw_segmentation_masks,
    make_grid,
    save_image,
    to_displayable,
)

GOLDEN_DIR = Path(__file__).parent / "golden"
# A TrueType font that ships with a package in requirements.txt, so the tests do not depend on system fonts.
TTF_FONT = str(Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf")
RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)


def _load_check_parity() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_parity", GOLDEN_DIR / "check_parity.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CHECK_PARITY = _load_check_parity()
GOLDEN = torch.load(GOLDEN_DIR / "utils.pt", weights_only=True)


def canvas(value: int = 0, height: int = 12, width: int = 16) -> torch.Tensor:
    return torch.full((3, height, width), value, dtype=torch.uint8)


def pixel(image: torch.Tensor, x: int, y: int) -> tuple[int, ...]:
    return tuple(image[:, y, x].tolist())


def boxes(*rows: list[float]) -> torch.Tensor:
    return torch.tensor(rows, dtype=torch.float32)


class TestGoldenParity:
    @pytest.mark.parametrize("case", GOLDEN["cases"], ids=[case["code"] for case in GOLDEN["cases"]])
    def test_matches_torchvision(self, case: dict[str, Any]) -> None:
        namespace = {"U": visionkit.utils, "torch": torch, **GOLDEN["inputs"]}
        actual = eval(case["code"], namespace)
        assert CHECK_PARITY.compare(case["expected"], actual, image_tol=1, ftol=1e-4) is None

    def test_walks_every_case(self) -> None:
        assert len(GOLDEN["cases"]) == 9


class TestMakeGrid:
    def test_lays_images_out_row_by_row_with_padding(self) -> None:
        batch = torch.stack([torch.full((3, 2, 3), float(i + 1)) for i in range(5)])
        grid = make_grid(batch, nrow=2, padding=1, pad_value=-1.0)
        # 3 rows of 2 cells, each cell 2x3 plus 1 pixel of padding, plus the outer padding.
        assert grid.shape == (3, 3 * 3 + 1, 2 * 4 + 1)
        for i in range(5):
            top, left = (i // 2) * 3 + 1, (i % 2) * 4 + 1
            assert torch.equal(grid[:, top : top + 2, left : left + 3], batch[i])
        assert grid[:, 0].eq(-1).all() and grid[:, :, 0].eq(-1).all()
        assert grid[:, 7:9, 5:8].eq(-1).all()  # the empty sixth cell

    def test_one_row_when_nrow_exceeds_the_batch(self) -> None:
        assert make_grid(torch.zeros(3, 3, 4, 5), nrow=8, padding=2).shape == (3, 8, 23)

    def test_a_single_image_comes_back_unpadded_as_a_copy(self) -> None:
        image = torch.rand(3, 4, 5)
        grid = make_grid(image, padding=3)
        assert torch.equal(grid, image)
        grid += 1
        assert not torch.equal(grid, image)

    @pytest.mark.parametrize("shape", [(4, 5), (1, 4, 5), (2, 1, 4, 5)])
    def test_grayscale_becomes_three_identical_channels(self, shape: tuple[int, ...]) -> None:
        grid = make_grid(torch.rand(shape))
        assert grid.shape[0] == 3
        assert torch.equal(grid[0], grid[1]) and torch.equal(grid[1], grid[2])

    def test_a_list_gives_the_same_grid_as_a_batch(self) -> None:
        batch = torch.rand(3, 3, 4, 5)
        assert torch.equal(make_grid(list(batch), nrow=2), make_grid(batch, nrow=2))

    def test_uint8_keeps_its_dtype_and_pad_value(self) -> None:
        grid = make_grid(torch.zeros(2, 3, 2, 2, dtype=torch.uint8), padding=1, pad_value=255)
        assert grid.dtype == torch.uint8
        assert grid[:, 0].eq(255).all()

    def test_normalize_maps_the_data_range_to_unit_interval(self) -> None:
        batch = torch.tensor([-2.0, 0.0, 2.0, 6.0]).reshape(1, 1, 2, 2).repeat(2, 3, 1, 1)
        grid = make_grid(batch, normalize=True, padding=0)
        assert grid[0].unique().tolist() == [0.0, 0.25, 0.5, 1.0]
        assert batch.min() == -2.0  # the input is left alone

    def test_value_range_clamps_then_scales(self) -> None:
        batch = torch.tensor([-2.0, 0.0, 2.0, 6.0]).reshape(1, 1, 2, 2).repeat(2, 3, 1, 1)
        grid = make_grid(batch, normalize=True, value_range=(0, 4), padding=0)
        assert grid[0, :2, :2].flatten().tolist() == [0.0, 0.0, 0.5, 1.0]

    def test_scale_each_uses_each_images_own_range(self) -> None:
        batch = torch.stack([torch.linspace(0, 1, 12).reshape(3, 2, 2), torch.linspace(10, 50, 12).reshape(3, 2, 2)])
        grid = make_grid(batch, normalize=True, scale_each=True, padding=0)
        for cell in (grid[:, :, :2], grid[:, :, 2:]):
            assert cell.min() == 0.0 and cell.max() == 1.0

    def test_normalizing_a_constant_image_gives_no_nan(self) -> None:
        assert make_grid(torch.ones(2, 3, 2, 2), normalize=True).isfinite().all()

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"tensor": np.zeros((2, 3, 4, 4))}, TypeError, "`tensor` should be a Tensor or a list of Tensors"),
            ({"tensor": [torch.zeros(3, 4, 4), "x"]}, TypeError, "item 1 is a str"),
            ({"tensor": [torch.zeros(3, 4, 4), torch.zeros(3, 4, 5)]}, ValueError, r"item 1 has shape \(3, 4, 5\)"),
            ({"tensor": []}, ValueError, "empty list"),
            ({"tensor": torch.zeros(4)}, ValueError, r"got \(4,\)"),
            ({"tensor": torch.zeros(1, 2, 3, 4, 4)}, ValueError, r"got \(1, 2, 3, 4, 4\)"),
            ({"tensor": torch.zeros(0, 3, 4, 4)}, ValueError, "at least one image"),
            ({"nrow": 0}, ValueError, "`nrow` should be an int >= 1, got 0"),
            ({"padding": -1}, ValueError, "`padding` should be an int >= 0, got -1"),
            ({"normalize": True, "value_range": [0, 1]}, TypeError, r"`value_range` should be a tuple.*\[0, 1\]"),
            ({"normalize": True, "value_range": (1, 0)}, ValueError, r"min <= max, got \(1, 0\)"),
            ({"normalize": True, "value_range": (0, 1, 2)}, ValueError, r"got \(0, 1, 2\)"),
            ({"tensor": torch.zeros(2, 3, 4, 4, dtype=torch.uint8), "normalize": True}, TypeError, "torch.uint8"),
        ],
    )
    def test_rejects_bad_arguments(self, kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
        arguments = {"tensor": torch.zeros(2, 3, 4, 4), **kwargs}
        with pytest.raises(error, match=match):
            make_grid(**arguments)


class TestSaveImage:
    def test_png_round_trip_equals_the_rounded_grid(self, tmp_path: Path) -> None:
        batch = torch.rand(5, 3, 6, 7) * 1.2 - 0.1
        path = tmp_path / "grid.png"
        save_image(batch, path, nrow=3, padding=1, pad_value=0.5)
        grid = make_grid(batch, nrow=3, padding=1, pad_value=0.5)
        expected = (grid * 255 + 0.5).clamp(0, 255).to(torch.uint8).permute(1, 2, 0).numpy()
        with PIL.Image.open(path) as saved:
            assert saved.mode == "RGB"
            assert np.array_equal(np.asarray(saved), expected)

    def test_writes_to_a_file_object_in_the_given_format(self) -> None:
        buffer = io.BytesIO()
        save_image(torch.ones(3, 4, 5), buffer, format="png")
        with PIL.Image.open(io.BytesIO(buffer.getvalue())) as saved:
            assert saved.format == "PNG"
            assert np.asarray(saved).min() == 255

    def test_uint8_is_saved_as_is(self, tmp_path: Path) -> None:
        image = torch.randint(0, 256, (3, 4, 5), dtype=torch.uint8)
        save_image(image, tmp_path / "u8.png")
        with PIL.Image.open(tmp_path / "u8.png") as saved:
            assert np.array_equal(np.asarray(saved), image.permute(1, 2, 0).numpy())

    def test_four_channels_give_rgba(self, tmp_path: Path) -> None:
        save_image(torch.rand(4, 4, 5), tmp_path / "rgba.png")
        with PIL.Image.open(tmp_path / "rgba.png") as saved:
            assert saved.mode == "RGBA"

    def test_rejects_integer_tensors_other_than_uint8(self, tmp_path: Path) -> None:
        with pytest.raises(TypeError, match=r"float or uint8 tensor, got torch\.int64"):
            save_image(torch.zeros(3, 4, 5, dtype=torch.long), tmp_path / "x.png")

    def test_rejects_two_channels(self, tmp_path: Path) -> None:
        with pytest.raises(ValueError, match="1, 3 or 4 channels, got 2"):
            save_image(torch.rand(2, 4, 5), tmp_path / "x.png")


class TestColors:
    def test_default_palette_matches_torchvision(self) -> None:
        image = draw_bounding_boxes(canvas(), boxes([0, 0, 3, 3], [4, 0, 7, 3], [8, 0, 11, 3]))
        assert pixel(image, 3, 0) == (0, 0, 0)
        assert pixel(image, 7, 0) == (1, 127, 31)
        assert pixel(image, 11, 0) == (2, 254, 62)

    @pytest.mark.parametrize("color", ["red", "#ff0000", "#F00", "rgb(255, 0, 0)", (255, 0, 0), ["red"]])
    def test_names_hex_and_tuples(self, color: Any) -> None:
        assert pixel(draw_bounding_boxes(canvas(), boxes([1, 1, 5, 5]), colors=color), 1, 1) == RED

    def test_a_list_gives_one_color_per_box_and_extra_colors_are_ignored(self) -> None:
        image = draw_bounding_boxes(canvas(), boxes([0, 0, 3, 3], [5, 0, 8, 3]), colors=["red", (0, 255, 0), "blue"])
        assert pixel(image, 0, 0) == RED and pixel(image, 5, 0) == GREEN

    @pytest.mark.parametrize(
        ("colors", "error", "match"),
        [
            ("notacolor", ValueError, "`colors` holds an unknown color 'notacolor'"),
            ((1, 2, 3, 4), ValueError, r"RGB triplet, got \(1, 2, 3, 4\)"),
            ((0.5, 0.2, 0.1), TypeError, r"should hold integers, got \(0.5, 0.2, 0.1\)"),
            ((0, 0, 300), ValueError, r"values in \[0, 255\], got \(0, 0, 300\)"),
            (5, ValueError, "a color, a list of colors or None, got 5"),
            (["red"], ValueError, r"at least one color per object \(2\), got 1"),
            ([5, 6], TypeError, "color string or an RGB tuple, got 5"),
        ],
    )
    def test_rejects_bad_colors(self, colors: Any, error: type[Exception], match: str) -> None:
        with pytest.raises(error, match=match):
            draw_bounding_boxes(canvas(), boxes([0, 0, 3, 3], [4, 0, 7, 3]), colors=colors)


class TestDrawBoundingBoxes:
    def test_draws_the_outline_inclusive_of_both_corners(self) -> None:
        image = draw_bounding_boxes(canvas(50), boxes([2, 3, 9, 8]), colors="white")
        outline = torch.zeros(12, 16, dtype=torch.bool)
        outline[3, 2:10] = outline[8, 2:10] = outline[3:9, 2] = outline[3:9, 9] = True
        assert image[0].eq(255).equal(outline)
        assert image[:, ~outline].eq(50).all()

    def test_width_grows_inwards(self) -> None:
        image = draw_bounding_boxes(canvas(), boxes([1, 1, 8, 8]), colors="white", width=3)
        assert pixel(image, 3, 4) == WHITE and pixel(image, 4, 4) == (0, 0, 0) and pixel(image, 0, 4) == (0, 0, 0)

    def test_fractional_coordinates_are_truncated(self) -> None:
        image = draw_bounding_boxes(canvas(), boxes([1.9, 2.5, 8.99, 9.2]), colors="white")
        assert pixel(image, 1, 2) == WHITE and pixel(image, 8, 9) == WHITE and pixel(image, 9, 10) == (0, 0, 0)

    def test_fill_blends_the_color_at_opacity_100(self) -> None:
        image = draw_bounding_boxes(canvas(50), boxes([1, 1, 8, 8]), colors=RED, fill=True)
        # 50 * 155/255 + 255 * 100/255 = 130.4, and 50 * 155/255 = 30.4
        assert pixel(image, 4, 4) == (130, 30, 30)
        assert pixel(image, 1, 1) == RED and pixel(image, 0, 0) == (50, 50, 50)

    def test_degenerate_box_draws_a_line(self) -> None:
        image = draw_bounding_boxes(canvas(), boxes([4, 2, 4, 9]), colors="white")
        assert image[0, 2:10, 4].eq(255).all() and image[0].eq(255).sum() == 8

    def test_boxes_outside_the_image_are_clipped(self) -> None:
        image = draw_bounding_boxes(canvas(), boxes([-5, -5, 30, 6]), colors="white")
        assert image[0, 6].eq(255).all() and image[0, :6].eq(0).all()

    def test_integer_boxes_are_accepted(self) -> None:
        image = draw_bounding_boxes(canvas(), torch.tensor([[2, 3, 9, 8]]), colors="white")
        assert pixel(image, 2, 3) == WHITE

    def test_float_image_comes_back_float_and_quantised(self) -> None:
        image = torch.full((3, 12, 16), 0.5)
        drawn = draw_bounding_boxes(image, boxes([2, 2, 9, 9]), colors="red")
        assert drawn.dtype == torch.float32
        assert pixel(drawn, 2, 2) == (1.0, 0.0, 0.0)
        # 0.5 becomes uint8 127 (truncated) while drawing, and 127 / 255 after.
        assert drawn[0, 0, 0].item() == pytest.approx(127 / 255)

    def test_grayscale_image_comes_back_rgb(self) -> None:
        drawn = draw_bounding_boxes(torch.full((1, 12, 16), 40, dtype=torch.uint8), boxes([2, 2, 9, 9]), colors="red")
        assert drawn.shape == (3, 12, 16)
        assert pixel(drawn, 0, 0) == (40, 40, 40) and pixel(drawn, 2, 2) == RED

    def test_input_image_is_not_modified(self) -> None:
        image = canvas()
        draw_bounding_boxes(image, boxes([2, 2, 9, 9]), colors="red", fill=True)
        assert image.eq(0).all()

    def test_many_boxes_each_get_a_palette_color(self) -> None:
        xs = torch.arange(30, dtype=torch.float32) * 2
        many = torch.stack([xs, torch.zeros(30), xs, torch.zeros(30)], dim=1)
        image = draw_bounding_boxes(torch.zeros(3, 2, 60, dtype=torch.uint8), many)
        assert pixel(image, 2 * 29, 0) == tuple((29 * s) % 255 for s in (2**25 - 1, 2**15 - 1, 2**21 - 1))

    def test_labels_are_drawn_inside_the_top_left_corner(self) -> None:
        image = draw_bounding_boxes(canvas(0, 40, 60), boxes([5, 5, 55, 35]), labels=["Hi"], colors="white")
        inside = image[0, 6:35, 6:55]
        ys, xs = inside.nonzero(as_tuple=True)
        assert len(ys) > 0
        # text starts at the corner plus width + 1 and stays near it
        assert xs.min() >= 1 and ys.min() >= 1 and xs.max() < 20 and ys.max() < 15

    def test_none_labels_draw_nothing(self) -> None:
        unlabelled = draw_bounding_boxes(canvas(0, 40, 60), boxes([5, 5, 55, 35]), colors="white")
        labelled = draw_bounding_boxes(canvas(0, 40, 60), boxes([5, 5, 55, 35]), labels=[None], colors="white")
        assert torch.equal(labelled, unlabelled)

    def test_fill_labels_draws_a_background_behind_black_text(self) -> None:
        image = draw_bounding_boxes(
            canvas(0, 40, 60),
            boxes([5, 5, 55, 35]),
            labels=["Hi"],
            colors="white",
            label_background_colors="blue",
            fill_labels=True,
        )
        assert (image[2] == 255).logical_and(image[0] == 0).sum() > 20  # blue background
        assert (image[:, 6:20, 6:25].sum(dim=0) == 0).any()  # black text on it

    def test_label_colors_set_the_text_color(self) -> None:
        image = draw_bounding_boxes(
            canvas(0, 40, 60), boxes([5, 5, 55, 35]), labels=["Hi"], colors="white", label_colors="green"
        )
        text = image[:, 7:20, 7:25]
        assert (text[1] > 0).any() and text[0].eq(0).all()

    def test_truetype_font_and_size(self) -> None:
        def ink(**font: Any) -> int:
            image = draw_bounding_boxes(canvas(0, 60, 90), boxes([2, 2, 88, 58]), labels=["W"], colors="white", **font)
            return int((image[:, 4:57, 4:87] > 0).sum())

        assert ink(font=TTF_FONT, font_size=30) > 4 * ink(font=TTF_FONT) > 0

    @pytest.mark.parametrize("fill", [False, True])
    def test_labels_kept_by_the_font_draw_pillows_own_pixels(self, fill: bool, monkeypatch: pytest.MonkeyPatch) -> None:
        # Labels are rendered once per thread and font, then drawn from the kept mask; every drawing must equal
        # what ImageDraw.text draws (the uncached path), at any place, colour and background.
        generator = torch.Generator().manual_seed(3)
        image = torch.randint(0, 256, (3, 70, 90), dtype=torch.uint8, generator=generator)
        corners = torch.tensor([[-6, -4], [0, 0], [10, 30], [60, 50], [84, 64], [40, 5]], dtype=torch.float32)
        found = torch.cat([corners, corners + torch.tensor([30.0, 18.0])], dim=1)
        labels = ["cat", "jy_gq", "Ångström €", "person 0.97", "W", "cat"]
        options = {"labels": labels, "fill": fill, "width": 2, "colors": [RED, "white", "#00ff80", RED, "blue", RED]}
        calls = [options, {**options, "fill_labels": True}, {**options, "label_colors": "black"}]
        kept = [draw_bounding_boxes(image, found, **call) for call in calls]
        kept_again = [draw_bounding_boxes(image, found, **call) for call in calls]  # now from the kept masks
        assert any(boxes_module._FONTS.labels.values())
        monkeypatch.setattr(boxes_module, "_label_cache", lambda font, draw: None)
        for call, first, second in zip(calls, kept, kept_again, strict=True):
            expected = draw_bounding_boxes(image, found, **call)
            assert torch.equal(first, expected) and torch.equal(second, expected)

    def test_a_label_pillow_draws_otherwise_is_not_kept(self, monkeypatch: pytest.MonkeyPatch) -> None:
        # two lines of text are laid out by Pillow line by line: drawn by ImageDraw.text every time
        image = canvas(30, 40, 60)
        drawn = draw_bounding_boxes(image, boxes([5, 5, 55, 35]), labels=["two\nlines"], colors="white")
        kept = {key[2:]: value for key, value in boxes_module._FONTS.labels.items()}
        assert kept[("two\nlines", (255, 255, 255))] is False
        monkeypatch.setattr(boxes_module, "_label_cache", lambda font, draw: None)
        assert torch.equal(
            drawn, draw_bounding_boxes(image, boxes([5, 5, 55, 35]), labels=["two\nlines"], colors="white")
        )

    def test_rotated_boxes_dash_their_first_edge(self) -> None:
        image = draw_bounding_boxes(canvas(0, 20, 40), boxes([2, 4, 32, 4, 32, 15, 2, 15]), colors="white")
        first_edge = "".join("#" if v else "." for v in image[0, 4, 3:32].tolist())
        assert first_edge == "#####....######....######....#"[:29]
        assert image[0, 15, 2:33].eq(255).all()  # the other edges are solid
        assert image[0, 5:15, 32].eq(255).all()

    def test_rotated_boxes_can_be_filled(self) -> None:
        image = draw_bounding_boxes(canvas(50, 20, 40), boxes([2, 4, 32, 4, 32, 15, 2, 15]), colors=RED, fill=True)
        assert pixel(image, 15, 10) == (130, 30, 30)

    def test_no_boxes_warns_and_returns_the_image(self) -> None:
        image = canvas()
        with pytest.warns(UserWarning, match="No box was drawn"):
            assert draw_bounding_boxes(image, torch.zeros(0, 4)) is image

    def test_font_size_without_font_warns(self) -> None:
        with pytest.warns(UserWarning, match="'font_size' will be ignored"):
            draw_bounding_boxes(canvas(), boxes([1, 1, 5, 5]), labels=["a"], font_size=20)

    def test_missing_font_file(self) -> None:
        with pytest.raises(OSError, match=r"could not load the font 'no-such-font\.ttf'"):
            draw_bounding_boxes(canvas(), boxes([1, 1, 5, 5]), labels=["a"], font="no-such-font.ttf")

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"image": [canvas()]}, TypeError, "`image` should be a Tensor, got list"),
            ({"image": canvas().short()}, ValueError, "uint8 or float, got torch.int16"),
            ({"image": canvas()[None]}, ValueError, r"not a batch; got shape \(1, 3, 12, 16\)"),
            ({"image": canvas()[0]}, ValueError, r"got shape \(12, 16\)"),
            ({"image": canvas()[:2]}, ValueError, "1 or 3 channels, got 2"),
            ({"boxes": [[1, 2, 5, 6]]}, TypeError, "`boxes` should be a Tensor, got list"),
            ({"boxes": torch.tensor([1.0, 2, 5, 6])}, ValueError, r"\(N, 4\) or \(N, 8\), got \(4,\)"),
            ({"boxes": torch.zeros(2, 5)}, ValueError, r"got \(2, 5\)"),
            ({"boxes": boxes([1, 2, 5, 6], [5, 2, 3, 6])}, ValueError, r"box 1 is \[5.0, 2.0, 3.0, 6.0\]"),
            ({"boxes": boxes([1, 9, 5, 6])}, ValueError, r"xmin <= xmax and ymin <= ymax, but box 0"),
            ({"boxes": boxes([1, 2, 5, 6], [1, float("nan"), 5, 6])}, ValueError, "finite coordinates, but box 1"),
            ({"labels": ["a", "b"]}, ValueError, r"Number of boxes \(1\) and labels \(2\) mismatch"),
            ({"labels": "a"}, TypeError, "`labels` should be a list of strings, got 'a'"),
            ({"labels": [3]}, TypeError, "label 0 is 3"),
            ({"width": -1}, ValueError, "`width` should be >= 0, got -1"),
            ({"width": 1.5}, TypeError, "`width` should be an int, got 1.5"),
            ({"label_colors": "nope", "labels": ["a"]}, ValueError, "`label_colors` holds an unknown color"),
        ],
    )
    def test_rejects_bad_arguments(self, kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
        arguments = {"image": canvas(), "boxes": boxes([1, 2, 5, 6]), **kwargs}
        with pytest.raises(error, match=match):
            draw_bounding_boxes(**arguments)

    def test_rejects_too_few_label_background_colors(self) -> None:
        with pytest.raises(ValueError, match=r"`label_background_colors` should hold at least one color per object"):
            draw_bounding_boxes(
                canvas(),
                boxes([1, 2, 5, 6], [1, 2, 5, 6]),
                labels=["a", "b"],
                label_background_colors=["red"],
                fill_labels=True,
            )


class TestDrawSegmentationMasks:
    def test_blends_each_mask_color_with_alpha(self) -> None:
        image = torch.tensor([10, 200, 0, 60], dtype=torch.uint8).reshape(1, 1, 4).repeat(3, 1, 1)
        mask = torch.tensor([[[True, True, False, True]]])
        out = draw_segmentation_masks(image, mask, alpha=0.3, colors=(100, 7, 255))
        # uint8: image * 0.7 + color * 0.3, truncated: 10 * 0.7 + 100 * 0.3 = 37, 7 * 0.3 = 2.1
        assert out[:, 0, 0].tolist() == [37, 9, 83]
        assert out[:, 0, 2].tolist() == [0, 0, 0]
        assert out.dtype == torch.uint8

    def test_overlapping_masks_are_painted_black_like_torchvision(self) -> None:
        image = torch.full((3, 1, 4), 100, dtype=torch.uint8)
        masks = torch.tensor([[True, True, False, False], [False, True, True, False]])[:, None]
        out = draw_segmentation_masks(image, masks, alpha=1.0, colors=[RED, GREEN])
        assert [pixel(out, x, 0) for x in range(4)] == [RED, (0, 0, 0), GREEN, (100, 100, 100)]

    def test_float_images_use_colors_scaled_to_unit_range(self) -> None:
        image = torch.zeros(3, 2, 2)
        out = draw_segmentation_masks(image, torch.ones(2, 2, dtype=torch.bool), alpha=0.5, colors=(255, 51, 0))
        assert out.dtype == torch.float32
        assert torch.allclose(out[:, 0, 0], torch.tensor([0.5, 0.1, 0.0]))

    def test_a_single_hw_mask_is_accepted(self) -> None:
        out = draw_segmentation_masks(canvas(), torch.ones(12, 16, dtype=torch.bool), alpha=1.0, colors="blue")
        assert pixel(out, 3, 3) == BLUE

    def test_default_palette_is_used_per_mask(self) -> None:
        masks = torch.zeros(2, 12, 16, dtype=torch.bool)
        masks[1, 0, 0] = True
        assert pixel(draw_segmentation_masks(canvas(), masks, alpha=1.0), 0, 0) == (1, 127, 31)

    def test_no_masks_warns_and_returns_the_image(self) -> None:
        image = canvas()
        with pytest.warns(UserWarning, match="No mask was drawn"):
            assert draw_segmentation_masks(image, torch.zeros(0, 12, 16, dtype=torch.bool)) is image

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"image": canvas().numpy()}, TypeError, "`image` should be a Tensor, got ndarray"),
            ({"image": canvas()[:1]}, ValueError, "should have 3 channels, got 1"),
            ({"masks": np.ones((12, 16), dtype=bool)}, TypeError, "`masks` should be a Tensor, got ndarray"),
            ({"masks": torch.ones(1, 12, 16)}, ValueError, "dtype torch.bool, got torch.float32"),
            ({"masks": torch.ones(1, 1, 12, 16, dtype=torch.bool)}, ValueError, r"got \(1, 1, 12, 16\)"),
            ({"masks": torch.ones(1, 10, 16, dtype=torch.bool)}, ValueError, r"height and width \(12, 16\)"),
            ({"alpha": 1.5}, ValueError, r"`alpha` should be a float in \[0, 1\], got 1.5"),
            ({"alpha": "0.5"}, TypeError, "`alpha` should be a float, got '0.5'"),
            ({"colors": ["red"], "masks": torch.ones(2, 12, 16, dtype=torch.bool)}, ValueError, "at least one color"),
        ],
    )
    def test_rejects_bad_arguments(self, kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
        arguments = {"image": canvas(), "masks": torch.ones(1, 12, 16, dtype=torch.bool), **kwargs}
        with pytest.raises(error, match=match):
            draw_segmentation_masks(**arguments)


class TestDrawKeypoints:
    def test_draws_a_disc_of_the_color_at_each_keypoint(self) -> None:
        out = draw_keypoints(canvas(), torch.tensor([[[5.7, 4.2]]]), colors="red", radius=1)
        disc = {(5, 3), (4, 4), (5, 4), (6, 4), (5, 5)}
        drawn = {(x, y) for y in range(12) for x in range(16) if pixel(out, x, y) != (0, 0, 0)}
        assert drawn == disc and all(pixel(out, x, y) == RED for x, y in disc)

    def test_connections_are_white_lines(self) -> None:
        out = draw_keypoints(
            canvas(), torch.tensor([[[2.0, 6], [13, 6]]]), connectivity=[(0, 1)], colors="red", width=1
        )
        assert all(pixel(out, x, 6) == WHITE for x in range(4, 12))

    def test_invisible_keypoints_and_their_connections_are_skipped(self) -> None:
        points = torch.tensor([[[2.0, 6], [13, 6], [8, 1]]])
        visibility = torch.tensor([[True, False, True]])
        out = draw_keypoints(
            canvas(), points, connectivity=[(0, 1), (0, 2)], colors="red", visibility=visibility, width=1
        )
        assert pixel(out, 13, 6) == (0, 0, 0) and pixel(out, 8, 6) == (0, 0, 0)
        assert pixel(out, 9, 1) == RED and pixel(out, 4, 4) == WHITE

    def test_without_colors_only_connections_are_drawn(self) -> None:
        points = torch.tensor([[[2.0, 6], [13, 6]]])
        assert draw_keypoints(canvas(), points).eq(0).all()
        assert pixel(draw_keypoints(canvas(), points, connectivity=[(0, 1)], width=1), 8, 6) == WHITE

    def test_float_images_come_back_float(self) -> None:
        out = draw_keypoints(torch.zeros(3, 12, 16, dtype=torch.float64), torch.tensor([[[5.0, 5]]]), colors="blue")
        assert out.dtype == torch.float64 and pixel(out, 5, 5) == (0.0, 0.0, 1.0)

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"image": canvas()[:1]}, ValueError, "should have 3 channels, got 1"),
            ({"keypoints": [[[1, 2]]]}, TypeError, "`keypoints` should be a Tensor, got list"),
            ({"keypoints": torch.zeros(3, 2)}, ValueError, r"\(num_instances, K, 2\), got \(3, 2\)"),
            ({"keypoints": torch.zeros(1, 3, 1)}, ValueError, r"\(num_instances, K, 2\), got \(1, 3, 1\)"),
            ({"keypoints": torch.full((1, 3, 2), float("inf"))}, ValueError, "finite coordinates"),
            ({"visibility": [[True, True, True]]}, TypeError, "`visibility` should be a Tensor, got list"),
            ({"visibility": torch.ones(3, dtype=torch.bool)}, ValueError, r"\(1, 3\) like `keypoints`, got \(3,\)"),
            ({"connectivity": [(0, 3)]}, ValueError, r"indices in \[-3, 3\), got \(0, 3\)"),
            ({"connectivity": [(0, 1, 2)]}, ValueError, r"got \(0, 1, 2\)"),
            ({"colors": ["red"]}, TypeError, r"color string or an RGB tuple, got \['red'\]"),
            ({"radius": -1}, ValueError, "`radius` should be >= 0, got -1"),
            ({"width": 2.0}, TypeError, "`width` should be an int, got 2.0"),
        ],
    )
    def test_rejects_bad_arguments(self, kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
        arguments = {"image": canvas(), "keypoints": torch.zeros(1, 3, 2), **kwargs}
        with pytest.raises(error, match=match):
            draw_keypoints(**arguments)


MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def normalize_by_hand(x: torch.Tensor, mean: list[float], std: list[float]) -> torch.Tensor:
    out = x.clone()
    for c, (m, s) in enumerate(zip(mean, std, strict=True)):
        out[..., c, :, :] = (x[..., c, :, :] - m) / s
    return out


class TestDenormalize:
    @pytest.mark.parametrize("shape", [(3, 5, 6), (2, 3, 5, 6)])
    def test_inverts_normalisation(self, shape: tuple[int, ...]) -> None:
        x = torch.rand(shape)
        assert torch.allclose(denormalize(normalize_by_hand(x, MEAN, STD), MEAN, STD), x, atol=1e-6)

    def test_a_single_value_applies_to_every_channel(self) -> None:
        x = torch.zeros(3, 2, 2)
        assert denormalize(x, 0.5, [2.0]).eq(0.5).all()

    def test_tuples_arrays_and_tensors_are_accepted(self) -> None:
        x = torch.ones(3, 2, 2)
        for mean, std in [(tuple(MEAN), tuple(STD)), (np.array(MEAN), np.array(STD)), (torch.tensor(MEAN), STD)]:
            assert torch.allclose(denormalize(x, mean, std)[:, 0, 0], torch.tensor([0.714, 0.68, 0.631]))

    def test_not_inplace_leaves_the_input_alone(self) -> None:
        x = torch.zeros(3, 2, 2)
        out = denormalize(x, MEAN, STD)
        assert out is not x and x.eq(0).all()

    def test_inplace_overwrites_and_returns_the_input(self) -> None:
        x = torch.zeros(3, 2, 2)
        assert denormalize(x, MEAN, STD, inplace=True) is x
        assert x[0, 0, 0].item() == pytest.approx(0.485)

    def test_keeps_dtype(self) -> None:
        assert denormalize(torch.zeros(3, 2, 2, dtype=torch.float64), MEAN, STD).dtype == torch.float64

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"tensor": torch.zeros(3, 2, 2, dtype=torch.uint8)}, TypeError, "float Tensor, got torch.uint8"),
            ({"tensor": np.zeros((3, 2, 2))}, TypeError, "float Tensor, got ndarray"),
            ({"tensor": torch.zeros(2, 2)}, ValueError, r"\(C, H, W\) or \(B, C, H, W\), got \(2, 2\)"),
            ({"mean": [0.1, 0.2]}, ValueError, r"`mean` should have 1 value or one per channel \(3\), got 2"),
            ({"std": [1.0, 1.0, 1.0, 1.0]}, ValueError, r"`std` should have 1 value or one per channel \(3\), got 4"),
            ({"std": [0.2, 0.0, 0.2]}, ValueError, r"`std` should not contain 0 .*\[0.2, 0.0, 0.2\]"),
            ({"mean": "abc"}, TypeError, "`mean` should be a number or a sequence of numbers, got 'abc'"),
            ({"mean": []}, ValueError, r"`mean` should hold at least one value, all finite, got \[\]"),
            ({"std": [float("nan")]}, ValueError, r"`std` should hold at least one value, all finite"),
        ],
    )
    def test_rejects_bad_arguments(self, kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
        arguments = {"tensor": torch.zeros(3, 2, 2), "mean": MEAN, "std": STD, **kwargs}
        with pytest.raises(error, match=match):
            denormalize(**arguments)


class TestDenormalizeModule:
    def test_is_a_module_that_applies_denormalize(self) -> None:
        transform = Denormalize(MEAN, STD)
        x = torch.rand(2, 3, 4, 4)
        assert isinstance(transform, nn.Module)
        assert torch.allclose(transform(normalize_by_hand(x, MEAN, STD)), x, atol=1e-6)

    def test_repr_is_torchvision_style(self) -> None:
        assert repr(Denormalize(MEAN, STD)) == ("Denormalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])")
        assert repr(Denormalize((0.5,), (0.5,))) == "Denormalize(mean=[0.5], std=[0.5])"

    def test_inplace(self) -> None:
        x = torch.zeros(3, 2, 2)
        assert Denormalize(MEAN, STD, inplace=True)(x) is x

    def test_validates_at_construction(self) -> None:
        with pytest.raises(ValueError, match=r"`std` should not contain 0"):
            Denormalize(MEAN, [0.2, 0.0, 0.2])

    def test_validates_channels_when_called(self) -> None:
        with pytest.raises(ValueError, match=r"one per channel \(1\), got 3"):
            Denormalize(MEAN, STD)(torch.zeros(1, 2, 2))


class TestToDisplayable:
    def test_float_becomes_rounded_clamped_uint8_hwc(self) -> None:
        image = torch.tensor([0.0, 0.5, 1.2, -0.1, 0.1]).reshape(1, 1, 5).repeat(3, 1, 1)
        out = to_displayable(image)
        assert out.dtype == np.uint8 and out.shape == (1, 5, 3)
        assert out[0, :, 0].tolist() == [0, 128, 255, 0, 26]

    def test_one_channel_stays_one_channel(self) -> None:
        assert to_displayable(torch.rand(1, 4, 6)).shape == (4, 6, 1)

    def test_denormalises_when_mean_and_std_are_given(self) -> None:
        x = torch.rand(3, 4, 5)
        expected = (x * 255 + 0.5).floor().clamp(0, 255).permute(1, 2, 0).numpy()
        out = to_displayable(normalize_by_hand(x, MEAN, STD), mean=MEAN, std=STD)
        assert np.abs(out.astype(int) - expected.astype(int)).max() <= 1

    def test_uint8_is_only_transposed(self) -> None:
        image = torch.randint(0, 256, (3, 4, 5), dtype=torch.uint8)
        assert np.array_equal(to_displayable(image), image.permute(1, 2, 0).numpy())

    def test_works_on_tensors_that_require_grad(self) -> None:
        assert to_displayable(torch.rand(3, 2, 2, requires_grad=True)).shape == (2, 2, 3)

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"tensor": torch.zeros(3, 2, 2, dtype=torch.int32)}, TypeError, "float or uint8 Tensor, got torch.int32"),
            ({"tensor": torch.zeros(2, 3, 2, 2)}, ValueError, r"C = 1 or 3, got \(2, 3, 2, 2\)"),
            ({"tensor": torch.zeros(4, 2, 2)}, ValueError, r"got \(4, 2, 2\)"),
            ({"mean": MEAN}, ValueError, "`mean` and `std` should be given together, got mean=.* and std=None"),
            (
                {"tensor": torch.zeros(3, 2, 2, dtype=torch.uint8), "mean": MEAN, "std": STD},
                TypeError,
                "de-normalise float images only, got a torch.uint8 tensor",
            ),
        ],
    )
    def test_rejects_bad_arguments(self, kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
        arguments = {"tensor": torch.zeros(3, 2, 2), **kwargs}
        with pytest.raises(error, match=match):
            to_displayable(**arguments)


def test_public_api() -> None:
    assert sorted(visionkit.utils.__all__) == sorted(
        [
            "Denormalize",
            "denormalize",
            "draw_bounding_boxes",
            "draw_keypoints",
            "draw_segmentation_masks",
            "flow_to_image",
            "make_grid",
            "save_image",
            "to_displayable",
        ]
    )
