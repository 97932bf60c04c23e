"""Boxes in a real browser: draw two boxes by dragging the mouse and read the IoU the page shows."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import screenshot

pytestmark = pytest.mark.browser

PHOTO_WIDTH = 451  # the embedded chelsea photo (451 x 300), shown 520 px wide


def drag(page: Page, origin: dict[str, float], start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(origin["x"] + start[0], origin["y"] + start[1])
    page.mouse.down()
    for i in range(1, 9):
        t = i / 8
        x, y = start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1])
        page.mouse.move(origin["x"] + x, origin["y"] + y)
    page.mouse.up()


def iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    width = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = width * height
    area = lambda box: (box[2] - box[0]) * (box[3] - box[1])  # noqa: E731
    return inter / (area(a) + area(b) - inter)


def test_drag_two_boxes_and_read_the_iou(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/boxes")
    canvas = page.locator("svg.vk-box-canvas").first
    expect(canvas).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Clear boxes").click()
    expect(page.get_by_text("Draw two boxes to compare them.")).to_be_visible(timeout=30_000)

    # the second drag starts on empty space (outside the first box), so it draws instead of moving
    first, second = ((60, 50), (300, 250)), ((420, 330), (180, 120))
    for start, end in (first, second):
        drag(page, canvas.bounding_box(), start, end)
        page.wait_for_timeout(300)
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="IoU").first
    expect(metric).to_be_visible(timeout=30_000)

    scale = PHOTO_WIDTH / canvas.bounding_box()["width"]
    boxes = [
        (min(s[0], e[0]) * scale, min(s[1], e[1]) * scale, max(s[0], e[0]) * scale, max(s[1], e[1]) * scale)
        for s, e in (first, second)
    ]
    expected = iou(*boxes)
    shown = float(metric.locator('[data-testid="stMetricValue"]').inner_text())
    assert shown == pytest.approx(expected, abs=0.01)
    screenshot(page, "boxes-pair-drawn")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
