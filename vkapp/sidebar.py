"""Widgets that every page shares, drawn by app.py before the page runs."""

from __future__ import annotations

import streamlit as st

from .paths import data_dir, data_roots

SEED_KEY = "seed"


def draw() -> None:
    with st.sidebar:
        st.number_input(
            "Global seed",
            min_value=0,
            max_value=2**31 - 1,
            value=0,
            step=1,
            key=SEED_KEY,
            bind="query-params",
            help="Every random draw in the app (grids, augmentations) starts from this seed, so a class sees the same.",
        )
        with st.expander("Data location"):
            st.caption(f"Downloads and uploads: `{data_dir()}`")
            st.caption("Folders you may open: " + ", ".join(f"`{r}`" for r in data_roots()))


def seed() -> int:
    return int(st.session_state.get(SEED_KEY, 0))
