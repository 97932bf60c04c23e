"""Transfer learning in a real browser: resnet18, a new head for 10 classes, and a batch that comes out [3, 10]."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import screenshot

pytestmark = pytest.mark.browser


def test_resnet18_head_for_10_classes_gives_3_by_10(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/models")
    expect(page.get_by_role("heading", name="Models")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("(1, 1000)")).to_be_visible(timeout=60_000)
    screenshot(page, "models-structure")
    page.get_by_role("tab", name="Edit").click()
    page.get_by_role("button", name="Replace the head").click()
    expect(page.get_by_text("with Linear(512, 10)")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Run a batch of 3 images").click()
    expect(page.get_by_text("torch.Size([3, 10])")).to_be_visible(timeout=60_000)
    screenshot(page, "models-head-10-classes")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_vit_b_16_tree_and_an_attention_heatmap(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/models")
    expect(page.get_by_text("(1, 1000)")).to_be_visible(timeout=60_000)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Architecture").click()
    page.keyboard.type("vit_b_16")
    page.get_by_role("option", name="Vision Transformer · vit_b_16", exact=False).click()
    expect(page.get_by_text("86,567,656").first).to_be_visible(timeout=60_000)
    tree = page.locator('[data-testid="stDataFrame"]').first
    expect(tree).to_be_visible()
    screenshot(page, "models-vit-structure")
    page.get_by_role("tab", name="Explain").click()
    expect(page.get_by_text("Grad-CAM for", exact=False)).to_be_visible(timeout=90_000)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Method").click()
    page.get_by_role("option", name="Attention rollout").click()
    rollout = page.get_by_text("Attention rollout: where the class token looks", exact=False)
    expect(rollout).to_be_visible(timeout=90_000)
    heatmap = page.locator('[data-testid="stImage"] img').first
    expect(heatmap).to_be_visible()
    screenshot(page, "models-vit-attention-rollout")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
