"""The Datasets page in a real browser: the grid appears, switching sources works, the class histogram renders."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import screenshot

pytestmark = pytest.mark.browser


def grid_captions(page: Page) -> list[str]:
    return page.locator('[data-testid="stImageCaption"]').all_inner_texts()


def wait_for_images(page: Page) -> None:
    """Captions render before the image bytes arrive: wait until every grid image has decoded."""
    page.wait_for_function(
        "() => { const imgs = [...document.querySelectorAll('[data-testid=\"stImage\"] img')];"
        " return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0); }",
        timeout=30_000,
    )


def choose_source(page: Page, label: str) -> None:
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Source").click()
    page.get_by_role("option", name=label).click()


def test_open_switch_sources_and_see_grid_and_histogram(page: Page, app_url: str) -> None:
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Datasets")).to_be_visible(timeout=30_000)
    expect(page.locator('[data-testid="stImageCaption"]')).to_have_count(15, timeout=30_000)
    assert all("(#" in c for c in grid_captions(page))
    wait_for_images(page)
    screenshot(page, "datasets-digits-grid")

    choose_source(page, "Embedded: sample photos (CC0 / public domain)")
    expect(page.locator('[data-testid="stImageCaption"]').filter(has_text="animal")).to_have_count(1, timeout=30_000)
    wait_for_images(page)
    screenshot(page, "datasets-photos-grid")

    page.get_by_role("tab", name="Class balance & health").click()
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Normalize(mean=(")).to_be_visible()
    screenshot(page, "datasets-photos-health")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
