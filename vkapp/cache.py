"""The Streamlit cache wrappers over visionkit: the one place pages get datasets, grid images and health reports.

Datasets are opened once per server (``st.cache_resource``: they hold memory maps and are never mutated, since no
transform is set on them); decoded grid cells are cached per (source, indices); health reports are kept per dataset.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from visionkit.datasets.health import HealthReport, health_report

from . import grid, sources


@st.cache_resource(show_spinner=False, max_entries=32)
def dataset(key: str, train: bool, path: str | None) -> Any:
    return sources.open_dataset(key, train=train, path=path)


@st.cache_data(show_spinner=False, max_entries=64)
def class_names(key: str, train: bool, path: str | None) -> list[str]:
    return sources.class_names(dataset(key, train, path))


@st.cache_data(show_spinner=False, max_entries=64)
def targets(key: str, train: bool, path: str | None) -> Any:
    return sources.targets_of(dataset(key, train, path))


@st.cache_data(show_spinner=False, max_entries=512)
def grid_cells(key: str, train: bool, path: str | None, indices: tuple[int, ...]) -> list[grid.GridCell]:
    ds = dataset(key, train, path)
    names = class_names(key, train, path)
    return [grid.read_cell(ds, i, names) for i in indices]


@st.cache_resource(show_spinner=False)
def _health_reports() -> dict[tuple[Any, ...], HealthReport]:
    return {}


def cached_health(key: str, train: bool, path: str | None) -> HealthReport | None:
    return _health_reports().get((key, train, path))


def compute_health(
    key: str, train: bool, path: str | None, progress: Callable[[int, int], None] | None = None
) -> HealthReport:
    """Run (or reuse) the health report; the progress callback lets the page show a progress bar."""
    store = _health_reports()
    if (key, train, path) not in store:
        store[(key, train, path)] = health_report(dataset(key, train, path), progress=progress)
    return store[(key, train, path)]


def forget(key: str, train: bool, path: str | None) -> None:
    """Drop what is cached for a source, e.g. after a download created it."""
    dataset.clear()
    class_names.clear()
    targets.clear()
    _health_reports().pop((key, train, path), None)
