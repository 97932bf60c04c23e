"""Time per interaction on each page's default state, and each page's first load in a browser, on a real
`streamlit run app.py` server, one session at a time.

    python benchmarks/interactions.py [--repeat 15]

Each interaction is one widget change sent over Streamlit's websocket protocol (benchmarks/_streamlit_client.py),
timed until that rerun's last message arrives: the server's time for the rerun plus loopback. Images are not
downloaded, so this is what the server spends, not what a browser spends drawing. Target: p50 under 150 ms; the
Augmentation page with 12 previews of a 256-px image under 150 ms per slider change or reroll.

A first load is a new Chromium context opening a page's address, timed until the page has finished its run, shows
its title and has drawn every image: first the very first visit to a server just started (it imports torch and
opens the datasets), then each page as a student who arrives later sees it. Target: under 3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from playwright.sync_api import sync_playwright  # noqa: E402

from benchmarks._streamlit_client import Session, run_app  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

#: (page path, widget key, the values to cycle through; True clicks a button).
INTERACTIONS = [
    ("/", "ds_reshuffle", [True]),
    ("/", "ds_rows", [2, 3]),
    ("/augment", "ag_reroll", [True]),
    ("/augment", "ag_count", [11, 12]),
    ("/augment", "ag_denorm", [False, True]),
    ("/models", "md_depth", [3, 2]),
    ("/boxes", "bx_pair_clear", [True]),
]


async def measure(url: str, repeat: int) -> list[tuple[str, str, float, float]]:
    rows = []
    for path, key, values in INTERACTIONS:
        async with Session(url, path=path) as session:
            await session.rerun_with(key, values[0])  # warm-up
            times = sorted([await session.rerun_with(key, values[(i + 1) % len(values)]) for i in range(repeat)])
            if session.errors():
                raise RuntimeError(f"{path} {key}: {session.errors()}")
        rows.append((path, key, statistics.median(times), times[int(0.9 * (len(times) - 1))]))
    return rows


#: (page path, the title it shows) in the order a class meets them; the first is also the cold visit.
PAGES = [("/", "Datasets"), ("/augment", "Augmentation"), ("/models", "Models"), ("/boxes", "Boxes & IoU")]
FIRST_LOAD_TARGET_S = 3.0
# the page has run to the end, shows its title and has drawn every image
_LOADED = """(title) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.dataset.testScriptState !== 'notRunning') return false;
    const heading = [...document.querySelectorAll('h1')].some(h => h.textContent.trim() === title);
    const images = [...document.querySelectorAll('[data-testid="stImage"] img')];
    return heading && images.every(i => i.complete && i.naturalWidth > 0);
}"""


def first_loads(url: str) -> list[tuple[str, float]]:
    """Seconds to a loaded page: the cold visit, then every page in a fresh context (cookies and cache empty)."""
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for label, (path, title) in [("cold server", PAGES[0]), *(("", page) for page in PAGES)]:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            start = time.perf_counter()
            page.goto(url + path)
            page.wait_for_function(_LOADED, arg=title, timeout=60_000, polling=50)
            rows.append((f"{path} ({label})" if label else path, time.perf_counter() - start))
            context.close()
        browser.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, run_app(Path(tmp) / "data", Path(tmp) / "server.log") as (url, _):
        loads = first_loads(url)
        rows = asyncio.run(measure(url, args.repeat))
    print(f"first load in Chromium: until the page has run and drawn its images (target < {FIRST_LOAD_TARGET_S:.0f} s)")
    for page, seconds in loads:
        print(f"{page:<24} {seconds:6.2f} s  {'holds' if seconds < FIRST_LOAD_TARGET_S else 'MISSED'}")
    print(f"one session at a time, median and p90 of {args.repeat} interactions after a warm-up")
    print(f"{'page':<10} {'widget':<14} {'p50':>9} {'p90':>9}  target p50 < 150 ms")
    for path, key, p50, p90 in rows:
        verdict = "holds" if p50 < 0.150 else "MISSED"
        print(f"{path:<10} {key:<14} {p50 * 1e3:6.1f} ms {p90 * 1e3:6.1f} ms  {verdict}")


if __name__ == "__main__":
    main()
