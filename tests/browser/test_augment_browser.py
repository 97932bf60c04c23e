"""An augmentation lesson in a real browser: add a transform, change a parameter, reroll, download the code."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import screenshot

pytestmark = pytest.mark.browser


def preview_sources(page: Page) -> list[str]:
    return page.locator('[data-testid="stImage"] img').evaluate_all("imgs => imgs.slice(0, 12).map(i => i.src)")


def test_add_change_reroll_and_download_code(page: Page, app_url: str, tmp_path) -> None:
    page.goto(f"{app_url}/augment")
    expect(page.get_by_role("heading", name="Augmentation")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("torch.float32 (3, 224, 224)")).to_be_visible(timeout=30_000)
    screenshot(page, "augment-cifar10-preset")

    page.get_by_label("Find a transform").fill("blur")
    page.get_by_label("Find a transform").press("Enter")
    page.get_by_role("button", name="Add to the pipeline").click()
    expect(page.get_by_text("5. GaussianBlur")).to_be_visible(timeout=30_000)

    page.get_by_text("5. GaussianBlur").click()
    kernel = page.get_by_role("spinbutton", name="kernel_size")
    kernel.fill("9")
    kernel.press("Enter")
    expect(page.get_by_text("T.GaussianBlur(kernel_size=9")).to_be_visible(timeout=30_000)

    before = preview_sources(page)
    page.get_by_role("button", name="Reroll").click()
    page.wait_for_function(
        "before => { const now = [...document.querySelectorAll('[data-testid=\"stImage\"] img')].slice(0, 12)"
        ".map(i => i.src); return now.length === 12 && now.some((s, i) => s !== before[i]); }",
        arg=before,
        timeout=30_000,
    )
    screenshot(page, "augment-after-reroll")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download pipeline.py").click()
    path = tmp_path / "pipeline.py"
    download.value.save_as(path)
    code = path.read_text()
    assert "T.GaussianBlur(kernel_size=9" in code
    namespace: dict[str, object] = {}
    exec(code, namespace)
    assert "GaussianBlur" in repr(namespace["pipeline"])
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
