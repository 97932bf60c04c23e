"""The Streamlit cache wrappers over visionkit: the one place pages get datasets, grids, health reports and models.

Datasets are opened once per server (``st.cache_resource``: they hold memory maps and are never mutated, since no
transform is set on them); decoded grid cells are cached per (source, indices); health reports are kept per dataset.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st
import torch

from visionkit.datasets.health import HealthReport, health_report
from visionkit.models import architecture_dot, summary
from visionkit.models._summary import evaluating
from visionkit.transforms import catalog

from . import annotated, augment_lab, batch_mix, detection, grid, model_explain, model_lab, preview_worker, sources


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
        store[(key, train, path)] = health_report(
            dataset(key, train, path), progress=progress, max_pixels=sources.max_image_pixels()
        )
    return store[(key, train, path)]


def forget(key: str, train: bool, path: str | None) -> None:
    """Drop what is cached for a source, e.g. after a download created it."""
    dataset.clear()
    class_names.clear()
    targets.clear()
    _health_reports().pop((key, train, path), None)


@st.cache_resource(show_spinner=False, max_entries=32)
def detection_layout(key: str, path: str | None) -> detection.Layout | None:
    return detection.source_layout(key, path)


@st.cache_data(show_spinner=False, ttl=30, max_entries=8)
def detection_folders(roots: tuple[str, ...]) -> list[str]:
    """The folders under the data roots that hold a detection set, for the picker: the roots are walked and each
    folder's files looked at once every 30 s, not on every rerun (a new folder shows up within that time)."""
    return [str(folder) for folder in detection.candidate_sets()]


@st.cache_resource(show_spinner=False, max_entries=8)
def detection_set(key: str, path: str | None, subset: str | None) -> detection.DetectionSet:
    """A detection set, indexed once per server from its annotation files (pages never mutate it)."""
    return detection.open_source(key, path, subset)


@st.cache_resource(show_spinner=False, max_entries=256)
def detection_tiles(
    key: str,
    path: str | None,
    subset: str | None,
    indices: tuple[int, ...],
    masks: bool,
    side: int = detection.TILE_SIDE,
) -> list[grid.GridCell]:
    """Drawn tiles of a detection set (grid tiles by default, the opened image at a larger ``side``), shared by
    the sessions that show them."""
    found = detection_set(key, path, subset)
    return [detection.tile(found, i, masks, side) for i in indices]


@st.cache_resource(show_spinner=False, max_entries=64)
def detection_preview_item(key: str, path: str | None, subset: str | None, index: int) -> tuple[Any, str, Any]:
    """Image ``index`` of a detection set as the Augmentation page previews it, its content key and its objects.

    Raises:
        OSError, ValueError: the image cannot be read (the message names it).
    """
    found = detection_set(key, path, subset)
    full, _ = detection.load_image(found, index, (10**6, 10**6), enlarge=1.0)
    image, content_key = augment_lab.preview_and_key(full)
    return image, content_key, detection.preview_annotations(found, index, image)


@st.cache_resource(show_spinner=False, max_entries=6)
def model(arch: str, weights: str, checkpoint: str | None, edits: str) -> tuple[Any, list[Any], Any]:
    """The model with its weights, checkpoint and edits (a JSON list of specs), the edits done, and the load report.

    Cached per server and never mutated by pages (they only run it in eval mode under no_grad).
    """
    if edits != "[]":
        base, _, report = model(arch, weights, checkpoint, "[]")
        edited, done = model_lab.apply_edits(base, [tuple(spec) for spec in json.loads(edits)])
        return edited, done, report
    built = model_lab.build(arch, model_lab.weights_of(arch, weights))
    report = model_lab.load_checkpoint_bytes(built, Path(checkpoint).read_bytes()) if checkpoint else None
    return built, [], report


@st.cache_data(show_spinner=False, max_entries=32)
def model_summary(arch: str, weights: str, checkpoint: str | None, edits: str, input_size: tuple[int, ...]) -> Any:
    return summary(model(arch, weights, checkpoint, edits)[0], input_size)


@st.cache_data(show_spinner=False, max_entries=32)
def explainable_layers(
    arch: str, weights: str, checkpoint: str | None, edits: str, input_size: tuple[int, ...], method: str
) -> list[str]:
    return model_explain.explainable_layers(model(arch, weights, checkpoint, edits)[0], input_size, method)


@st.cache_data(show_spinner=False, max_entries=32)
def logits(arch: str, weights: str, checkpoint: str | None, edits: str, batch_key: str, _batch: Any) -> Any:
    """The model's logits on a batch (keyed by its content, ``batch_key``), in eval mode without gradients."""
    built = model(arch, weights, checkpoint, edits)[0]
    with evaluating(built), torch.no_grad():
        return built(_batch)


@st.cache_data(show_spinner=False, max_entries=32)
def explanation(
    arch: str,
    weights: str,
    checkpoint: str | None,
    edits: str,
    batch_key: str,
    _batch: Any,
    method: str,
    layer: str | None,
    target: int,
) -> Any:
    """A heatmap of :func:`vkapp.model_explain.explain` (an occlusion map is hundreds of forward passes: not on every
    rerun of the page)."""
    return model_explain.explain(model(arch, weights, checkpoint, edits)[0], _batch, method, layer, target)


@st.cache_data(show_spinner=False, max_entries=32)
def model_repr(arch: str, weights: str, checkpoint: str | None, edits: str) -> str:
    return repr(model(arch, weights, checkpoint, edits)[0])


@st.cache_data(show_spinner=False, max_entries=32)
def model_diagram(arch: str, weights: str, checkpoint: str | None, edits: str, depth: int) -> str:
    return architecture_dot(model(arch, weights, checkpoint, edits)[0], max_depth=depth)


@st.cache_resource(show_spinner=False, max_entries=64)
def preview_item(key: str, train: bool, index: int) -> tuple[Any, str, Any]:
    """Item ``index`` of a source as the Augmentation page previews it (scaled down, RGB or L), its content key and
    its objects scaled alike (None for an item without), read once per server (pages never mutate them)."""
    found = dataset(key, train, None)
    image, content_key = augment_lab.preview_and_key(found[index][0])
    return image, content_key, annotated.dataset_annotations(found, index, image.size)


@st.cache_resource(show_spinner=False, max_entries=48)
def augment_previews(
    input_key: str, _given: augment_lab.PreviewInput, pipeline: str, seed: int, roll: int, count: int
) -> list[augment_lab.Sample]:
    """Seeded previews of a pipeline (JSON, with its API) on an input (:class:`vkapp.augment_lab.PreviewInput`,
    keyed by the image's content, its objects and those chosen: :func:`vkapp.augment_lab.input_key`), shared by
    every session that asks for the same ones and never copied (pages only read them); toggles that change only how
    they are displayed never recompute them."""
    return preview_worker.previews(pipeline, _given, seed=seed, roll=roll, count=count, input_key=input_key)


@st.cache_resource(show_spinner=False, max_entries=64)
def input_png(image_key: str, _image: Any) -> bytes:
    """The previews' input as a PNG file (keyed by its content), encoded once per server."""
    return augment_lab.input_png(_image)


@st.cache_resource(show_spinner=False, max_entries=16)
def mixed_batch(
    source: str, train: bool, pipeline: str, seed: int, count: int, mix: str, alpha: float
) -> batch_mix.MixedBatch:
    """CutMix or MixUp on ``count`` items of a dataset (as many classes as there are), each through the pipeline
    (JSON, with its API) as a preview is, shared by every session that asks for the same batch (pages only read
    it).

    Raises:
        ValueError: if the pipeline cannot run on an item, or its outputs cannot be mixed (the message says why).
    """
    steps, _, api = catalog.from_json(pipeline)
    found = dataset(source, train, None)
    labels = targets(source, train, None)
    picks = batch_mix.spread_indices(labels, count)
    # RGB, as a classification DataLoader hands them over (the photos hold grey ones too)
    images = [augment_lab.preview_input(found[i][0].convert("RGB")) for i in picks]
    outputs = batch_mix.pipeline_outputs(steps, images, seed=seed, api=api)
    names = class_names(source, train, None)
    return batch_mix.mixed_batch(
        outputs,
        [int(labels[i]) for i in picks],
        names,
        mix=mix,
        alpha=alpha,
        seed=seed,
        stats=catalog.normalize_stats(steps),
        api=api,
    )
