"""Widgets that every page shares, drawn by app.py before the page runs."""

from __future__ import annotations

import streamlit as st

from .paths import data_dir, data_roots

SEED_KEY = "seed"
#: The seed itself, kept apart from the widget's key so that it survives every page (the widget is drawn anew).
_SEED_VALUE_KEY = "seed_value"
MAX_SEED = 2**31 - 1


def seed_from_address() -> tuple[int, str | None]:
    """The seed the address bar carries (0 when it carries none), and a message when it is not a valid seed."""
    text = st.query_params.get(SEED_KEY)
    if text is None:
        return 0, None
    if text.isdigit() and len(text) <= 10 and int(text) <= MAX_SEED:
        return int(text), None
    return 0, f"The address's seed {text[:20]!r} is not a whole number from 0 to {MAX_SEED:,}: the seed is 0."


def keep_seed() -> None:
    st.session_state[_SEED_VALUE_KEY] = int(st.session_state[SEED_KEY])


def draw() -> None:
    """The seed is read from the address bar on a session's first run (so a link opens the same draws) and
    written back to it whenever it changes; 0 leaves the address without one."""
    if _SEED_VALUE_KEY not in st.session_state:
        st.session_state[_SEED_VALUE_KEY], st.session_state["seed_error"] = seed_from_address()
    st.session_state[SEED_KEY] = st.session_state[_SEED_VALUE_KEY]
    with st.sidebar:
        st.number_input(
            "Global seed",
            min_value=0,
            max_value=MAX_SEED,
            step=1,
            key=SEED_KEY,
            on_change=keep_seed,
            help="Every random draw in the app (grids, augmentations) starts from this seed, so a class sees the same.",
        )
        if message := st.session_state.pop("seed_error", None):
            st.warning(message, icon=":material/link_off:")
        with st.expander("Data location"):
            st.caption(f"Downloads and uploads: `{data_dir()}`")
            st.caption("Folders you may open: " + ", ".join(f"`{r}`" for r in data_roots()))
    value = seed()
    if value and st.query_params.get(SEED_KEY) != str(value):
        st.query_params[SEED_KEY] = str(value)
    elif not value and SEED_KEY in st.query_params:
        del st.query_params[SEED_KEY]


def seed() -> int:
    return int(st.session_state.get(_SEED_VALUE_KEY, 0))
