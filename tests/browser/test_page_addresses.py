"""Every page opens at its own address, typed or bookmarked: in the app's frame, with no dialog, its widgets usable.

Each address gets a fresh server, so its first visit is the server's very first request (the run that hands the
server over to app.py's router, see vkapp/routing.py); a second visit then opens it again as a new session on the
now-warm server, where Streamlit finds the page by its URL path alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import SERVER, screenshot, streamlit_server

pytestmark = pytest.mark.browser

CLICK_TIMEOUT_MS = 5_000  # a modal dialog in front of the page makes the click wait for it: fail quickly instead


def open_source_box(page: Page) -> None:
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Source").click(timeout=CLICK_TIMEOUT_MS)
    expect(page.get_by_role("option", name="Embedded: sample photos (CC0 / public domain)")).to_be_visible()
    page.keyboard.press("Escape")


def switch_to_presentation_mode(page: Page) -> None:
    expect(page.get_by_label("Find a transform")).to_be_visible(timeout=30_000)
    page.get_by_text("Presentation mode").click(timeout=CLICK_TIMEOUT_MS)
    expect(page.get_by_label("Find a transform")).to_be_hidden(timeout=30_000)


def open_tab(name: str, shows: str) -> Callable[[Page], None]:
    def use(page: Page) -> None:
        page.get_by_role("tab", name=name).click(timeout=CLICK_TIMEOUT_MS)
        expect(page.get_by_text(shows).first).to_be_visible(timeout=60_000)

    return use


@dataclass(frozen=True)
class Address:
    path: str
    title: str
    use: Callable[[Page], None]  # clicks one of the page's widgets and checks that the page answered


ADDRESSES = [
    Address("/", "Datasets", open_source_box),
    Address("/datasets", "Datasets", open_source_box),
    Address("/augment", "Augmentation", switch_to_presentation_mode),
    Address("/models", "Models", open_tab("Edit", "Replace the head")),
    Address("/boxes", "Boxes & IoU", open_tab("NMS", "IoU threshold")),
]


def open_address(page: Page, url: str, address: Address) -> None:
    page.goto(url + address.path)
    expect(page.get_by_role("heading", name=address.title, exact=True)).to_be_visible(timeout=30_000)
    expect(page.locator('[data-testid="stApp"]')).to_have_attribute("data-test-script-state", "notRunning")
    expect(page.get_by_role("dialog").filter(has_text="Page not found")).to_have_count(0)
    navigation = page.locator('[data-testid="stSidebarNav"]')
    for label in ("Datasets", "Augmentation", "Models", "Boxes & IoU"):
        expect(navigation.get_by_text(label, exact=True)).to_be_visible()
    expect(page.get_by_role("spinbutton", name="Global seed")).to_be_visible()
    address.use(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


@pytest.mark.parametrize("address", ADDRESSES, ids=lambda a: a.path.strip("/") or "root")
def test_page_opens_at_its_own_address(page: Page, address: Address, tmp_path: Path) -> None:
    name = address.path.strip("/") or "root"
    with streamlit_server(SERVER, tmp_path / "streamlit.log", tmp_path / "data") as (url, _):
        open_address(page, url, address)
        screenshot(page, f"address-{name}-first-visit")
        open_address(page, url, address)  # a new session: the server has served app.py's router before
        screenshot(page, f"address-{name}-warm-server")
