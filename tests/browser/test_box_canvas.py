"""The box canvas in a real browser: boxes drawn, moved, resized and deleted with the mouse reach Python in image px.

The demo page (box_canvas_demo.py) shows a 451 x 300 photo at 600 px wide (so 1 screen px is about 0.75 image px),
a blank 300 x 200 canvas and a view-only canvas with overlays, and writes each returned box list as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import REPO, screenshot, streamlit_server

pytestmark = pytest.mark.browser

PHOTO_SIZE = (451, 300)
TOLERANCE = 1.0  # image px: one screen pixel of rounding on either end


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("box-canvas") / "streamlit.log"
    with streamlit_server(REPO / "tests" / "browser" / "box_canvas_demo.py", log) as (url, _):
        yield url


def canvas(page: Page, index: int) -> Locator:
    return page.locator("svg.vk-box-canvas").nth(index)


def label_picker(page: Page) -> Locator:
    return page.locator(".vk-box-canvas-root").first.locator("select.vk-box-canvas-label")


def open_demo(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("svg.vk-box-canvas")).to_have_count(3, timeout=30_000)
    expect(page.locator(".st-key-result-replay code")).to_contain_text("dropped", timeout=30_000)


def result(page: Page, name: str) -> list[dict[str, Any]]:
    return json.loads(page.locator(f".st-key-result-{name} code").inner_text())


def drag(page: Page, target: Locator, start: tuple[float, float], end: tuple[float, float], steps: int = 8) -> None:
    """Press at ``start``, move to ``end`` in steps and release; points are screen px from the canvas's corner."""
    box = target.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + start[0], box["y"] + start[1])
    page.mouse.down()
    for i in range(1, steps + 1):
        t = i / steps
        page.mouse.move(box["x"] + start[0] + t * (end[0] - start[0]), box["y"] + start[1] + t * (end[1] - start[1]))
    page.mouse.up()


def after(page: Page, name: str, target: Locator, action: Any) -> list[dict[str, Any]]:
    """Run ``action`` and wait until the page shows new boxes for ``name`` and the canvas draws that many."""
    code = page.locator(f".st-key-result-{name} code")
    before = code.inner_text()
    action()
    expect(code).not_to_have_text(before, timeout=15_000)
    boxes = result(page, name)
    expect(target.locator("rect.vk-box")).to_have_count(len(boxes))
    return boxes


def to_image(target: Locator, size: tuple[int, int], *screen: float) -> list[float]:
    """Screen px (x1, y1, x2, y2) from the canvas's corner to image px, from the canvas's drawn size."""
    box = target.bounding_box()
    assert box is not None
    scale = (size[0] / box["width"], size[1] / box["height"])
    return [v * scale[i % 2] for i, v in enumerate(screen)]


def assert_box(box: dict[str, Any], expected: list[float]) -> None:
    got = [box["x1"], box["y1"], box["x2"], box["y2"]]
    assert got == pytest.approx(expected, abs=TOLERANCE), f"box {box['id']}: {got} != {expected}"


class TestPhotoCanvas:
    def test_draw_two_move_one_resize_one_delete_one(self, page: Page, demo_url: str) -> None:
        open_demo(page, demo_url)
        photo = canvas(page, 0)
        assert photo.bounding_box()["width"] == pytest.approx(600, abs=1)

        boxes = after(page, "photo", photo, lambda: drag(page, photo, (40, 60), (200, 180)))
        assert len(boxes) == 1
        assert_box(boxes[0], to_image(photo, PHOTO_SIZE, 40, 60, 200, 180))
        assert boxes[0]["label"] == "cat"

        page.keyboard.press("Escape")  # deselect b1, so the picker sets the label of new boxes only
        label_picker(page).select_option("dog")
        boxes = after(page, "photo", photo, lambda: drag(page, photo, (420, 330), (300, 200)))  # drawn up-left
        assert [(b["id"], b["label"]) for b in boxes] == [("b1", "cat"), ("b2", "dog")]
        assert_box(boxes[1], to_image(photo, PHOTO_SIZE, 300, 200, 420, 330))
        screenshot(page, "box-canvas-two-boxes")

        boxes = after(page, "photo", photo, lambda: drag(page, photo, (120, 120), (180, 150)))
        assert_box(boxes[0], to_image(photo, PHOTO_SIZE, 100, 90, 260, 210))
        assert_box(boxes[1], to_image(photo, PHOTO_SIZE, 300, 200, 420, 330))

        boxes = after(page, "photo", photo, lambda: drag(page, photo, (420, 330), (480, 370)))
        assert_box(boxes[1], to_image(photo, PHOTO_SIZE, 300, 200, 480, 370))
        assert_box(boxes[0], to_image(photo, PHOTO_SIZE, 100, 90, 260, 210))
        expect(photo.locator("rect.vk-handle")).to_have_count(8)
        screenshot(page, "box-canvas-moved-resized")

        photo.click(position={"x": 180, "y": 150})
        boxes = after(page, "photo", photo, lambda: page.keyboard.press("Delete"))
        assert [b["id"] for b in boxes] == ["b2"]
        assert_box(boxes[0], to_image(photo, PHOTO_SIZE, 300, 200, 480, 370))
        screenshot(page, "box-canvas-deleted")

    def test_tiny_drag_creates_no_box(self, page: Page, demo_url: str) -> None:
        open_demo(page, demo_url)
        photo = canvas(page, 0)
        drag(page, photo, (100, 100), (102, 101))
        boxes = after(page, "photo", photo, lambda: drag(page, photo, (300, 100), (340, 150)))
        assert len(boxes) == 1
        assert_box(boxes[0], to_image(photo, PHOTO_SIZE, 300, 100, 340, 150))

    def test_resizing_past_the_opposite_edge_keeps_boxes_ordered(self, page: Page, demo_url: str) -> None:
        open_demo(page, demo_url)
        photo = canvas(page, 0)
        after(page, "photo", photo, lambda: drag(page, photo, (200, 200), (300, 300)))
        # Drag the top-left corner past the bottom-right one.
        boxes = after(page, "photo", photo, lambda: drag(page, photo, (200, 200), (350, 320)))
        assert_box(boxes[0], to_image(photo, PHOTO_SIZE, 300, 300, 350, 320))

    def test_relabel_selected_box_with_the_picker(self, page: Page, demo_url: str) -> None:
        open_demo(page, demo_url)
        photo = canvas(page, 0)
        after(page, "photo", photo, lambda: drag(page, photo, (50, 50), (150, 150)))
        boxes = after(page, "photo", photo, lambda: label_picker(page).select_option("dog"))
        assert [(b["id"], b["label"]) for b in boxes] == [("b1", "dog")]
        expect(photo.locator(".vk-tag-text")).to_have_text(["b1 dog"])

    def test_boxes_passed_by_the_caller_replace_the_drawn_ones(self, page: Page, demo_url: str) -> None:
        open_demo(page, demo_url)
        photo = canvas(page, 0)
        after(page, "photo", photo, lambda: drag(page, photo, (40, 60), (200, 180)))
        boxes = after(page, "photo", photo, lambda: page.get_by_role("button", name="Replace boxes").click())
        assert [(b["id"], b["label"]) for b in boxes] == [("t1", "dog")]
        assert_box(boxes[0], [10, 20, 110, 120])
        drawn = photo.locator("rect.vk-box")
        expected_screen = [10 * 600 / 451, 20 * 399 / 300, 100 * 600 / 451, 100 * 399 / 300]
        got = [float(drawn.get_attribute(a)) for a in ("x", "y", "width", "height")]
        assert got == pytest.approx(expected_screen, abs=0.5)
        # The caller now passes back the same list, so the user's next edit sticks.
        boxes = after(page, "photo", photo, lambda: drag(page, photo, (40, 60), (80, 100)))
        dx, dy = to_image(photo, PHOTO_SIZE, 40, 40)
        assert_box(boxes[0], [10 + dx, 20 + dy, 110 + dx, 120 + dy])


def script_runs(page: Page) -> int:
    return int(page.get_by_text("script runs:").inner_text().split(":")[1])


class TestRerunsPerInteraction:
    def test_a_long_drag_reruns_the_script_once(self, page: Page, demo_url: str) -> None:
        open_demo(page, demo_url)
        photo = canvas(page, 0)
        runs = script_runs(page)
        after(page, "photo", photo, lambda: drag(page, photo, (100, 100), (400, 300), steps=40))
        page.wait_for_timeout(1000)  # room for any stray rerun to show up
        assert script_runs(page) == runs + 1


class TestSeveralCanvases:
    def test_blank_canvas_is_independent_and_clamps_to_its_size(self, page: Page, demo_url: str) -> None:
        open_demo(page, demo_url)
        blank = canvas(page, 1)
        # The drag ends outside the canvas: the box stops at the canvas's edge (300 x 200 px, scale 1).
        boxes = after(page, "blank", blank, lambda: drag(page, blank, (250, 150), (360, 260)))
        assert len(boxes) == 1
        assert_box(boxes[0], [250, 150, 300, 200])
        assert boxes[0]["label"] is None
        assert result(page, "photo") == []
        expect(canvas(page, 0).locator("rect.vk-box")).to_have_count(0)

    def test_view_mode_draws_overlays_and_ignores_the_mouse(self, page: Page, demo_url: str) -> None:
        open_demo(page, demo_url)
        replay = canvas(page, 2)
        expected = result(page, "replay")
        expect(replay.locator("rect.vk-box")).to_have_count(2)
        expect(replay.locator(".vk-tag-text")).to_have_text(["kept cat 0.92", "dropped cat 0.61"])
        expect(replay.locator("rect.vk-box[data-id=dropped]")).to_have_attribute("stroke-dasharray", "7 4")
        expect(replay.locator(".vk-overlays circle")).to_have_count(4)
        expect(replay.locator(".vk-overlays line")).to_have_count(4)  # a 3 x 3 grid has 2 + 2 inner lines
        drag(page, replay, (60, 60), (120, 100))  # would move "kept" in edit mode
        drag(page, replay, (250, 170), (290, 195))  # would draw a box in edit mode
        blank = canvas(page, 1)
        after(page, "blank", blank, lambda: drag(page, blank, (10, 10), (60, 60)))  # a rerun that would show edits
        assert result(page, "replay") == expected
        expect(replay.locator("rect.vk-box")).to_have_count(2)
        expect(replay.locator("rect.vk-handle")).to_have_count(0)
        screenshot(page, "box-canvas-view-mode-overlays")
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
