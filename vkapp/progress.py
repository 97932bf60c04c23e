"""A progress bar that download and scan callbacks can move: ``progress(done, total)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st


def progress_bar(text: str, slot: Any = None) -> Callable[[int, int | None], None]:
    """Show a progress bar (in ``slot`` if given, so the caller can clear it) and return the callback that moves it.

    Updates are throttled to whole percents; without a known total, the bar shows the megabytes done so far.
    """
    bar = (slot or st).progress(0.0, text=text)
    shown = [-1]

    def update(done: int, total: int | None) -> None:
        percent = min(int(100 * done / total), 100) if total else 0
        if total and percent == shown[0]:
            return
        shown[0] = percent
        label = f"{text} {percent}% of {total / 2**20:.1f} MB" if total else f"{text} {done / 2**20:.1f} MB"
        bar.progress(percent / 100, text=label)

    return update
