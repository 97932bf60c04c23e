"""The Datasets page on the embedded detection sample in a real browser: the grid with boxes, a class filter, an
opened tile with its annotation list, and the annotation report's charts."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import screenshot
from .test_datasets_browser import choose_source, grid_captions, wait_for_images

pytestmark = pytest.mark.browser

SAMPLE = "Embedded: sample photos with boxes and masks (COCO)"


def test_sample_filter_by_class_and_open_a_tile(page: Page, app_url: str) -> None:
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Datasets")).to_be_visible(timeout=30_000)
    choose_source(page, SAMPLE)
    captions = page.locator('[data-testid="stImageCaption"]')
    expect(captions.filter(has_text="coffee.jpg · 3 objects")).to_have_count(1, timeout=30_000)
    expect(captions).to_have_count(10)
    wait_for_images(page)
    screenshot(page, "datasets-detection-grid")

    page.locator('[data-testid="stMultiSelect"]').filter(has_text="Classes").click()
    page.get_by_role("option", name="cup", exact=True).click()
    page.keyboard.press("Escape")
    expect(captions).to_have_count(1, timeout=30_000)
    assert grid_captions(page) == ["coffee.jpg · 3 objects"]

    page.locator('[data-testid="stButton"]').filter(has_text="Open").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("food/coffee.jpg")).to_be_visible(timeout=30_000)
    expect(dialog.locator('[data-testid="stDataFrame"]')).to_be_visible()
    expect(dialog.locator('[data-testid="stImage"] img')).to_have_count(1)
    expect(dialog.get_by_role("button", name="Augment this image")).to_be_visible()
    screenshot(page, "datasets-detection-opened")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0, timeout=10_000)

    page.get_by_role("tab", name="Annotation report").click()
    expect(page.locator(".js-plotly-plot")).to_have_count(4, timeout=30_000)
    expect(page.get_by_text("No box looks wrong.")).to_be_visible()
    screenshot(page, "datasets-detection-report")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
