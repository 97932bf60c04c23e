"""The Augmentation share link in a fresh browser context (test_page_addresses.py opens each page by URL)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import screenshot

pytestmark = pytest.mark.browser


def preview_sources(page: Page, differ_from: list[str] | None = None) -> list[str]:
    """The 12 preview images' sources once they have loaded and stopped changing (and differ from ``differ_from``)."""
    script = (
        "() => [...document.querySelectorAll('[data-testid=\"stImage\"] img')].slice(0, 12)"
        ".filter(i => i.complete && i.naturalWidth > 0).map(i => i.src)"
    )
    previous: list[str] = []
    for _ in range(60):
        current = page.evaluate(script)
        if len(current) == 12 and current == previous and current != differ_from:
            return current
        previous = current
        page.wait_for_timeout(500)
    raise AssertionError(f"the previews did not settle: {previous}")


def test_share_link_restores_pipeline_seed_and_previews(page: Page, browser: Browser, app_url: str) -> None:
    page.goto(f"{app_url}/augment")
    expect(page.get_by_text("torch.float32 (3, 224, 224)")).to_be_visible(timeout=30_000)
    seed = page.get_by_role("spinbutton", name="Global seed")
    seed.fill("5")
    seed.press("Enter")
    page.wait_for_url("**seed=5**", timeout=30_000)
    before = preview_sources(page)
    page.get_by_role("button", name="Reroll").click()
    page.wait_for_url("**roll=1**", timeout=30_000)
    shown = preview_sources(page, differ_from=before)

    other = browser.new_context(viewport={"width": 1400, "height": 1600})
    try:
        fresh = other.new_page()
        fresh.goto(page.url)
        expect(fresh.get_by_text("torch.float32 (3, 224, 224)")).to_be_visible(timeout=30_000)
        expect(fresh.get_by_role("spinbutton", name="Global seed")).to_have_value("5")
        assert preview_sources(fresh) == shown
        screenshot(fresh, "augment-share-link-opened")
    finally:
        other.close()
