"""An augmentation lesson in a real browser: add a transform, change a parameter, reroll, download the code and
the input, and run them: the script makes the first preview."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch
from playwright.sync_api import Page, expect

from visionkit.transforms import catalog
from vkapp import annotated, augment_lab, sources

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
    expect(page.get_by_text("6. GaussianBlur")).to_be_visible(timeout=30_000)

    page.get_by_text("6. GaussianBlur").click()
    kernel = page.get_by_role("spinbutton", name="kernel_size")
    kernel.fill("9")
    kernel.press("Enter")
    expect(page.get_by_text("v2.GaussianBlur(kernel_size=9")).to_be_visible(timeout=30_000)

    before = preview_sources(page)
    page.get_by_role("button", name="Reroll").click()
    page.wait_for_function(
        "before => { const now = [...document.querySelectorAll('[data-testid=\"stImage\"] img')].slice(0, 12)"
        ".map(i => i.src); return now.length === 12 && now.some((s, i) => s !== before[i]); }",
        arg=before,
        timeout=30_000,
    )
    screenshot(page, "augment-after-reroll")

    for name in ("pipeline.py", augment_lab.INPUT_FILE):
        with page.expect_download() as download:
            page.get_by_role("button", name=f"Download {name}").click()
        download.value.save_as(tmp_path / name)
    code = (tmp_path / "pipeline.py").read_text()
    assert "v2.GaussianBlur(kernel_size=9" in code and "out_img, out_target = pipeline(img, target)" in code
    assert f"torch.manual_seed({augment_lab.sample_seed(0, 1, 0)})" in code  # preview 1 after one reroll
    outputs = "(out_img.as_subclass(torch.Tensor), out_target['boxes'].as_subclass(torch.Tensor))"
    saved = f"torch.save({outputs}, {str(tmp_path / 'out.pt')!r})"
    done = subprocess.run(
        [sys.executable, "-c", code + saved],
        cwd=tmp_path,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[2]), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    steps = [*catalog.PRESETS_V2["ImageNet training"], catalog.Step("GaussianBlur", {"kernel_size": 9})]
    photos = sources.open_dataset("photos")
    photo = augment_lab.preview_input(photos[0][0])
    given = augment_lab.PreviewInput(photo, annotated.dataset_annotations(photos, 0, photo.size), ("boxes",))
    (first, *_) = augment_lab.previews(steps, given, seed=0, roll=1, count=1, keep_outputs=True, api="v2")
    image, boxes = torch.load(tmp_path / "out.pt", weights_only=True)
    assert torch.equal(image, first.output[0]) and torch.equal(boxes, first.output[1]["boxes"])
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
