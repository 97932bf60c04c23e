"""The Python half of the box canvas: argument checks, box and overlay normalisation, the payload sent to the browser,
and how the caller's boxes and the user's edits are reconciled. The mouse is tested in tests/browser/."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from vkapp.box_canvas import (
    PALETTE,
    CanvasState,
    box_canvas,
    canvas_data,
    label_colors,
    normalize_box,
    normalize_boxes,
    normalize_overlay,
)

DEMO = str(Path(__file__).resolve().parent / "browser" / "box_canvas_demo.py")
SIZE = (200.0, 100.0)
GRID = {"kind": "grid", "x1": 0, "y1": 0, "x2": 1, "y2": 1, "rows": 2, "cols": 2}


def box(**fields: Any) -> dict[str, Any]:
    return {"id": None, "x1": 0.0, "y1": 0.0, "x2": 0.0, "y2": 0.0, "label": None, "score": None, "color": None,
            "style": None, **fields}  # fmt: skip


def decode(url: str) -> tuple[str, Image.Image]:
    header, payload = url.split(",", 1)
    return header, Image.open(io.BytesIO(base64.b64decode(payload)))


class TestNormalizeBox:
    def test_orders_corners_clamps_to_the_image_and_rounds_to_a_tenth(self) -> None:
        got = normalize_box({"id": "a", "x1": 150.04, "y1": 120, "x2": -5, "y2": 10.26}, SIZE)
        assert got == box(id="a", x1=0.0, y1=10.3, x2=150.0, y2=100.0)

    def test_keeps_label_score_color_and_style(self) -> None:
        fields = {"label": "cat", "score": 0.9, "color": "#00ff00", "style": "dashed"}
        assert normalize_box({"x1": 1, "y1": 2, "x2": 3, "y2": 4, **fields}, SIZE) == box(
            x1=1.0, y1=2.0, x2=3.0, y2=4.0, **fields
        )

    @pytest.mark.parametrize(
        ("value", "error", "match"),
        [
            ([1, 2, 3, 4], TypeError, r"box should be a dict"),
            ({"x1": 1, "y1": 2, "x2": 3}, ValueError, r"missing the keys \['y2'\]"),
            ({"x1": 1, "y1": 2, "x2": 3, "y2": 4, "iou": 0.5}, ValueError, r"unknown keys \['iou'\]"),
            ({"x1": "1", "y1": 2, "x2": 3, "y2": 4}, TypeError, r"box\['x1'/'x2'\] should be a number, got '1'"),
            ({"x1": True, "y1": 2, "x2": 3, "y2": 4}, TypeError, r"should be a number, got True"),
            ({"x1": 1, "y1": float("nan"), "x2": 3, "y2": 4}, ValueError, r"box\['y1'/'y2'\] should be finite"),
            ({"x1": 1, "y1": 2, "x2": 3, "y2": 4, "style": "dotted"}, ValueError, r"style'\] should be one of"),
            ({"x1": 1, "y1": 2, "x2": 3, "y2": 4, "id": 7}, TypeError, r"box\['id'\] should be a str or None, got 7"),
            ({"x1": 1, "y1": 2, "x2": 3, "y2": 4, "label": 1}, TypeError, r"box\['label'\] should be a str"),
            ({"x1": 1, "y1": 2, "x2": 3, "y2": 4, "color": 0}, TypeError, r"box\['color'\] should be a str"),
            ({"x1": 1, "y1": 2, "x2": 3, "y2": 4, "score": "high"}, TypeError, r"box\['score'\] should be a number"),
        ],
    )
    def test_rejects_malformed_boxes(self, value: Any, error: type[Exception], match: str) -> None:
        with pytest.raises(error, match=match):
            normalize_box(value, SIZE)


class TestNormalizeBoxes:
    def test_boxes_without_id_get_the_first_free_ones(self) -> None:
        got = normalize_boxes([{"x1": 0, "y1": 0, "x2": 1, "y2": 1}, {"id": "b1", "x1": 0, "y1": 0, "x2": 1, "y2": 1},
                               {"x1": 0, "y1": 0, "x2": 1, "y2": 1}], SIZE)  # fmt: skip
        assert [b["id"] for b in got] == ["b2", "b1", "b3"]

    def test_error_names_the_box_index(self) -> None:
        with pytest.raises(TypeError, match=r"boxes\[1\]\['x1'/'x2'\] should be a number"):
            normalize_boxes([{"x1": 0, "y1": 0, "x2": 1, "y2": 1}, {"x1": None, "y1": 0, "x2": 1, "y2": 1}], SIZE)

    def test_rejects_duplicate_ids(self) -> None:
        same = {"id": "a", "x1": 0, "y1": 0, "x2": 1, "y2": 1}
        with pytest.raises(ValueError, match=r"distinct ids, got duplicates \['a'\]"):
            normalize_boxes([same, same], SIZE)

    def test_rejects_a_non_list(self) -> None:
        with pytest.raises(TypeError, match="boxes should be a list of dicts, got dict"):
            normalize_boxes({"x1": 0, "y1": 0, "x2": 1, "y2": 1}, SIZE)  # type: ignore[arg-type]


class TestNormalizeOverlay:
    def test_rect_gets_defaults_and_ordered_corners(self) -> None:
        fill = "rgba(0, 0, 255, 0.3)"
        got = normalize_overlay({"kind": "rect", "x1": 50, "y1": 40, "x2": 10, "y2": 20, "fill": fill})
        assert got == {"kind": "rect", "x1": 10.0, "y1": 20.0, "x2": 50.0, "y2": 40.0, "color": "#ffffff",
                       "fill": fill, "dash": False}  # fmt: skip

    def test_points_and_grid(self) -> None:
        points = normalize_overlay({"kind": "points", "xy": [(1, 2), [3.5, 4]], "color": "red"})
        assert points == {"kind": "points", "xy": [[1.0, 2.0], [3.5, 4.0]], "color": "red"}
        grid = normalize_overlay({"kind": "grid", "x1": 0, "y1": 0, "x2": 8, "y2": 6, "rows": 2, "cols": 4})
        assert grid == {"kind": "grid", "x1": 0.0, "y1": 0.0, "x2": 8.0, "y2": 6.0, "rows": 2, "cols": 4,
                        "color": "#ffffff"}  # fmt: skip

    @pytest.mark.parametrize(
        ("value", "error", "match"),
        [
            ({"kind": "circle"}, ValueError, r"overlay\['kind'\] should be one of \['rect', 'points', 'grid'\]"),
            ("rect", ValueError, r"overlay\['kind'\] should be one of"),
            ({"kind": "rect", "x1": 0, "y1": 0, "x2": 1}, ValueError, r"missing the keys \['y2'\]"),
            ({"kind": "points", "xy": [], "fill": "red"}, ValueError, r"unknown keys \['fill'\]"),
            ({"kind": "rect", "x1": 0, "y1": 0, "x2": 1, "y2": 1, "dash": "yes"}, TypeError, r"'dash'\] should be a"),
            ({"kind": "rect", "x1": 0, "y1": 0, "x2": 1, "y2": 1, "fill": 3}, TypeError, r"'fill'\] should be a str"),
            ({"kind": "points", "xy": [[1, 2, 3]]}, ValueError, r"overlay\['xy'\]\[0\] should be an \[x, y\] pair"),
            ({"kind": "points", "xy": "1,2"}, TypeError, r"overlay\['xy'\] should be a list of \[x, y\] pairs"),
            ({**GRID, "rows": 0}, ValueError, r"overlay\['rows'\] should be an int >= 1, got 0"),
            ({**GRID, "cols": 1.5}, TypeError, r"overlay\['cols'\] should be an int >= 1, got 1.5"),
        ],
    )
    def test_rejects_malformed_overlays(self, value: Any, error: type[Exception], match: str) -> None:
        with pytest.raises(error, match=match):
            normalize_overlay(value)


class TestLabelColors:
    def test_given_colors_win_and_the_palette_fills_in_by_first_appearance(self) -> None:
        boxes = [box(label="bird"), box(label="cat"), box(label=None)]
        got = label_colors(["cat", "dog"], boxes, {"dog": PALETTE[0]})
        assert got == {"": PALETTE[1], "cat": PALETTE[2], "dog": PALETTE[0], "bird": PALETTE[3]}

    def test_more_labels_than_colors_cycle_through_the_palette(self) -> None:
        labels = [f"c{i}" for i in range(len(PALETTE) + 2)]
        got = label_colors(labels, [])
        assert got["c0"] == PALETTE[1]
        assert got[labels[-1]] == PALETTE[(len(labels)) % len(PALETTE)]


class TestCanvasData:
    def test_blank_canvas_uses_width_and_height_as_its_image_size(self) -> None:
        data = canvas_data(None, [{"x1": 10, "y1": 10, "x2": 500, "y2": 50}], width=300, height=200, mode="view")
        assert (data["image"], data["size"], data["width"], data["height"]) == (None, [300, 200], 300, 200)
        assert data["boxes"] == [box(id="b1", x1=10.0, y1=10.0, x2=300.0, y2=50.0)]
        assert data["editable"] is False
        assert json.loads(json.dumps(data)) == data  # what the browser receives

    def test_image_sets_the_coordinate_space_and_the_height_follows_its_aspect_ratio(self) -> None:
        data = canvas_data(Image.new("RGB", (451, 300), "gray"), [], width=600, height=999, labels=["cat"])
        assert (data["size"], data["width"], data["height"], data["pixelated"]) == ([451, 300], 600, 399, False)
        assert data["labels"] == ["cat"]
        assert data["editable"] is True

    def test_small_images_travel_as_png_and_are_drawn_pixelated(self) -> None:
        digit = Image.new("L", (28, 28))
        digit.putpixel((3, 5), 255)
        data = canvas_data(digit, [], width=280, height=280)
        header, sent = decode(data["image"])
        assert header == "data:image/png;base64"
        assert sent.size == (28, 28)
        assert sent.getpixel((3, 5)) == 255
        assert data["pixelated"] is True

    def test_large_photos_travel_as_jpeg_at_twice_the_display_width(self) -> None:
        data = canvas_data(Image.new("RGB", (2000, 1000), "white"), [], width=400, height=300)
        header, sent = decode(data["image"])
        assert header == "data:image/jpeg;base64"
        assert sent.size == (800, 400)
        assert data["size"] == [2000, 1000]  # boxes stay in the original image's pixels

    def test_transparent_images_keep_their_alpha(self) -> None:
        data = canvas_data(Image.new("RGBA", (600, 600), (255, 0, 0, 0)), [], width=600, height=600)
        header, sent = decode(data["image"])
        assert header == "data:image/png;base64"
        assert sent.getpixel((0, 0))[3] == 0

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"image": "photo.png"}, TypeError, "image should be a PIL.Image.Image or None, got str"),
            ({"width": 0}, ValueError, "width should be an int >= 1, got 0"),
            ({"height": 10.5}, TypeError, "height should be an int >= 1, got 10.5"),
            ({"labels": "cat"}, TypeError, "labels should be a list of str or None, got 'cat'"),
            ({"labels": ["cat", 1]}, TypeError, "labels should be a list of str"),
            ({"colors": {"cat": (255, 0, 0)}}, TypeError, "colors should be a dict of label -> CSS colour str"),
            ({"show_ids": 1}, TypeError, "show_ids should be a bool, got 1"),
            ({"mode": "draw"}, ValueError, r"mode should be one of \('edit', 'view'\), got 'draw'"),
            ({"overlays": {"kind": "rect"}}, TypeError, "overlays should be a list of dicts or None, got dict"),
            ({"overlays": [{"kind": "rect"}]}, ValueError, r"overlays\[0\] is missing the keys"),
        ],
    )
    def test_rejects_bad_arguments(self, kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
        arguments = {"image": None, "boxes": [], "width": 100, "height": 100, **kwargs}
        with pytest.raises(error, match=match):
            canvas_data(**arguments)


class TestCanvasState:
    A: ClassVar = [box(id="a", x1=1.0, y1=1.0, x2=5.0, y2=5.0)]
    EDITED: ClassVar = [box(id="a", x1=2.0, y1=2.0, x2=6.0, y2=6.0)]
    TABLE: ClassVar = [box(id="t", x1=3.0, y1=3.0, x2=4.0, y2=4.0)]

    def edited_state(self) -> CanvasState:
        state = CanvasState.start(self.A)
        assert state.sync(self.A, SIZE) == self.A
        state.receive(self.EDITED, SIZE)
        return state

    def test_a_caller_passing_the_same_list_keeps_the_users_edits(self) -> None:
        state = self.edited_state()
        assert state.sync(self.A, SIZE) == self.EDITED
        assert state.sync(self.A, SIZE) == self.EDITED

    def test_a_caller_passing_back_the_returned_list_keeps_later_edits(self) -> None:
        state = self.edited_state()
        returned = state.sync(self.A, SIZE)
        later = [box(id="a", x1=9.0, y1=9.0, x2=12.0, y2=12.0)]
        state.receive(later, SIZE)
        assert state.sync(returned, SIZE) == later

    def test_a_caller_passing_a_new_list_replaces_the_edits(self) -> None:
        state = self.edited_state()
        assert state.sync(self.TABLE, SIZE) == self.TABLE
        assert state.sync(self.A, SIZE) == self.A  # back to the first list: also a change

    def test_browser_edits_are_normalised(self) -> None:
        state = CanvasState.start([])
        state.receive([{"id": "n", "x1": 250, "y1": 60, "x2": 150, "y2": -4}], SIZE)
        assert state.sync([], SIZE) == [box(id="n", x1=150.0, y1=0.0, x2=200.0, y2=60.0)]

    def test_returned_boxes_are_copies(self) -> None:
        state = CanvasState.start(self.A)
        state.sync(self.A, SIZE)[0]["x1"] = 99.0
        assert state.sync(self.A, SIZE) == self.A


class TestBoxCanvas:
    @pytest.mark.parametrize(("key", "error"), [("", ValueError), (None, TypeError), (3, TypeError)])
    def test_rejects_a_missing_key(self, key: Any, error: type[Exception]) -> None:
        with pytest.raises(error, match="key should be a non-empty str, got"):
            box_canvas(None, [], width=100, height=100, key=key)

    def test_demo_page_runs_and_a_caller_update_replaces_the_boxes(self) -> None:
        at = AppTest.from_file(DEMO, default_timeout=30)
        at.run()
        assert not at.exception, at.exception
        photo, blank, replay = (json.loads(code.value) for code in at.code)
        assert (photo, blank) == ([], [])
        assert [(b["id"], b["score"], b["style"]) for b in replay] == [
            ("kept", 0.92, None),
            ("dropped", 0.61, "dashed"),
        ]
        at.button[0].click().run()
        assert json.loads(at.code[0].value) == [box(id="t1", x1=10.0, y1=20.0, x2=110.0, y2=120.0, label="dog")]
