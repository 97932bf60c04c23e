"""A detection lesson in a real browser: a photo's box drawn on the preview, and a flip that moves it."""

from __future__ import annotations

import base64
import io
from urllib.parse import urlencode

import numpy as np
import pytest
from PIL import Image, ImageColor
from playwright.sync_api import Page, expect

from visionkit.transforms import catalog
from vkapp import annotated, augment_lab, sources

from .conftest import screenshot

pytestmark = pytest.mark.browser


def choose_photo(page: Page, name: str) -> None:
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Photo").click()
    page.get_by_role("option", name=name, exact=True).click()


#: The source of each picture on the page by its caption (the first picture of each caption).
BY_CAPTION = (
    "() => { const found = {}; for (const c of document.querySelectorAll('[data-testid=stImageCaption]')) {"
    " let box = c.parentElement; while (box && !box.querySelector('img')) box = box.parentElement;"
    " if (box && !(c.innerText in found)) found[c.innerText] = box.querySelector('img').src; } return found; }"
)


def pictures(page: Page) -> dict[str, np.ndarray]:
    """The page's pictures by caption (the first of each caption), decoded from their data URIs."""
    page.wait_for_function(
        "() => { const imgs = [...document.querySelectorAll('[data-testid=stImage] img')];"
        " return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0); }",
        timeout=30_000,
    )
    found: dict[str, np.ndarray] = {}
    for text, source in page.evaluate(BY_CAPTION).items():
        assert source.startswith("data:image/"), text
        data = base64.b64decode(source.split(",", 1)[1])
        found[text] = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    return found


def box_columns(pixels: np.ndarray, colour: str) -> np.ndarray:
    """The columns where the box's outline (its class colour) is drawn."""
    wanted = np.array(ImageColor.getrgb(colour))
    near = np.abs(pixels.astype(int) - wanted).sum(-1) < 60
    return np.nonzero(near.sum(0) >= 6)[0]


def test_a_detection_preview_draws_the_box_and_a_flip_moves_it(page: Page, app_url: str) -> None:
    photos = sources.open_dataset("photos")
    index = next(i for i, (path, _) in enumerate(photos.samples) if path.endswith("retina.jpg"))
    photo = augment_lab.preview_input(photos[index][0])
    objects = annotated.dataset_annotations(photos, index, photo.size)
    assert objects is not None and len(objects.boxes) == 1
    colour = annotated.class_color(objects.labels[0], objects.names)
    link = catalog.to_query([catalog.Step("RandomHorizontalFlip", {"p": 1.0})], 0, api="v2")
    page.goto(f"{app_url}/augment?{urlencode(link)}")
    expect(page.get_by_role("heading", name="Augmentation")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("seed 0 · HorizontalFlip", exact=True)).to_be_visible(timeout=30_000)
    strip = page.locator('[data-testid="stImageCaption"]').filter(has_text="input")
    expect(strip.first).to_be_visible(timeout=30_000)  # the step strip, of the first photo
    first = page.evaluate(BY_CAPTION)
    choose_photo(page, "retina.jpg")
    page.wait_for_function(  # the retina's preview and strip have replaced the first photo's
        f"before => {{ const now = ({BY_CAPTION})(); return ['input', 'seed 0 · HorizontalFlip'].every("
        "c => now[c] && now[c] !== before[c]); }",
        arg=first,
        timeout=30_000,
    )
    shown = pictures(page)
    before, after = shown["input"], shown["seed 0 · HorizontalFlip"]
    assert before.shape == after.shape
    width = before.shape[1]
    drawn, flipped = box_columns(before, colour), box_columns(after, colour)
    assert len(drawn) and len(flipped), "the optic disc's box is drawn in its class colour"
    x1, x2 = objects.boxes[0][0] / photo.width * width, objects.boxes[0][2] / photo.width * width
    assert abs(drawn.min() - x1) <= 3 and abs(drawn.max() - x2) <= 3  # where the annotation puts it
    assert abs(flipped.min() - (width - x2)) <= 3 and abs(flipped.max() - (width - x1)) <= 3  # mirrored
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_the_ssd_preset_on_a_photo_with_masks(page: Page, app_url: str) -> None:
    """The README's detection screenshot: the SSD recipe on the coffee photo, boxes and masks drawn, dropped
    objects listed."""
    link = catalog.to_query(catalog.PRESETS_V2["Detection (SSD)"], 0, api="v2")
    page.goto(f"{app_url}/augment?{urlencode(link)}")
    expect(page.get_by_role("heading", name="Augmentation")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("seed 0 · PhotometricDistort", exact=False).first).to_be_visible(timeout=30_000)
    for change in (lambda: choose_photo(page, "coffee.jpg"), page.get_by_role("button", name="masks").click):
        before = page.evaluate(BY_CAPTION)
        change()
        page.wait_for_function(  # new previews: another photo, then its masks drawn
            f"before => {{ const now = ({BY_CAPTION})(); const keys = Object.keys(now).filter(c => "
            "c.startsWith('seed ')); return keys.length === 12 && keys.every(c => now[c] !== before[c]); }",
            arg=before,
            timeout=30_000,
        )
    expect(page.get_by_text("Dropped by SanitizeBoundingBoxes")).to_be_visible(timeout=30_000)
    shown = pictures(page)
    previews = [caption for caption in shown if caption.startswith("seed ")]
    assert len(previews) == 12 and all("PhotometricDistort" in caption for caption in previews)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    screenshot(page, "augment-detection-preview")
