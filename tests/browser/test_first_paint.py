"""A teacher opens the Augmentation page on a server that was just started: the preview workers are already there
(they start with the server, not with the first visitor), and the previews are on the page when it first paints.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Page

from .conftest import SERVER, screenshot, streamlit_server

pytestmark = pytest.mark.browser

#: The page has painted: the run is over and no element is still a loading skeleton.
PAINTED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.dataset.testScriptState === 'notRunning'
        && document.querySelectorAll('[data-testid="stSkeleton"]').length === 0
        && document.querySelectorAll('[data-testid="stElementContainer"]').length > 20;
}"""
PREVIEWS = """() => [...document.querySelectorAll('[data-testid="stImageContainer"]')].slice(0, 12).map(box => {
    const img = box.querySelector('img');
    const caption = box.querySelector('[data-testid="stImageCaption"]');
    return [img ? img.src.slice(0, 16) : '', caption ? caption.textContent.trim().slice(0, 12) : ''];
})"""


def preview_workers(server_pid: int) -> list[str]:
    """The command lines of the server's spawned worker processes (multiprocessing's spawn entry point)."""
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    lines = []
    for child in children:
        try:
            lines.append(Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:  # gone meanwhile
            continue
    return [line for line in lines if "spawn_main" in line]


def test_a_fresh_server_has_its_workers_and_paints_the_previews_with_the_page(page: Page, tmp_path: Path) -> None:
    with streamlit_server(SERVER, tmp_path / "streamlit.log", tmp_path / "data") as (url, process):
        deadline = time.monotonic() + 60  # no request has reached the server yet
        while not preview_workers(process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert preview_workers(process.pid), "no preview worker was started with the server"

        page.goto(f"{url}/augment")
        page.wait_for_function(PAINTED, timeout=60_000, polling=20)
        painted = page.evaluate(PREVIEWS)
        screenshot(page, "augment-first-paint")
        assert len(painted) == 12
        assert all(src.startswith("data:image/") for src, _ in painted)
        assert all(caption.startswith("seed ") for _, caption in painted), painted
