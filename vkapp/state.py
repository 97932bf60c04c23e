"""Session state that several pages share: the dataset chosen on the Datasets page, the augmentation pipeline."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from . import cache, sidebar, sources

PIPELINE_KEY = "ag_pipeline"
#: The API ("v1" or "v2") the pipeline is written for.
API_KEY = "ag_api"
APPLY_TO_GRID_KEY = "ag_apply_grid"


def current_source() -> tuple[str, bool]:
    """The source and split chosen on the Datasets page (the embedded photos if it needs a path or is not on
    disk)."""
    key = st.session_state.get("ds_source", "photos")
    if key not in sources.SOURCES or sources.SOURCES[key].needs_path or sources.SOURCES[key].detection:
        key = "photos"
    train = st.session_state.get("ds_split", "Train") == "Train"
    try:
        cache.dataset(key, train, None)
    except (sources.SourceError, OSError):
        return "photos", True
    return key, train


def current_detection() -> tuple[str, str | None, str | None] | None:
    """The detection set the Datasets page shows (source, path, subset), None when it shows another kind."""
    return st.session_state.get("ds_detection")


def current_dataset() -> tuple[Any, str]:
    """The dataset chosen on the Datasets page (the embedded photos if it needs a path or is not on disk)."""
    key, train = current_source()
    return cache.dataset(key, train, None), sources.SOURCES[key].label


def dataset_images(count: int) -> tuple[list[Any], str]:
    """A few seeded images from the current dataset."""
    dataset, label = current_dataset()
    picks = np.random.default_rng(sidebar.seed()).choice(len(dataset), min(count, len(dataset)), replace=False)
    return [dataset[int(i)][0] for i in picks], label
