"""The Datasets page's view of a detection set: the grid with boxes and masks, its filters, the opened image with its
annotation list, and the annotation report (charts, findings, downloads). The page calls :func:`show`."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from . import cache, charts, detection, grid, sidebar, sources
from .paths import PathNotAllowedError

KEEP = {"persist_state": "session"}
#: The report starts by itself on sets up to this many images; larger ones wait for a click.
AUTO_REPORT_IMAGES = 20_000
#: Session key of the detection set the Datasets page shows: the Augmentation page's "Dataset" input follows it.
CURRENT_KEY = "ds_detection"
OPEN_KEY = "det_open"
MAX_FINDING_ROWS = 5_000
BLUE, ORANGE = "#4C78A8", "#F58518"


def pick_subset(key: str, path: str | None) -> str | None:
    """The subset of a folder or upload (COCO annotation file, VOC image set, YOLO split), when it has several."""
    layout = cache.detection_layout(key, path)
    if layout is None:
        return None
    label = {"coco": "Annotation file", "voc": "Year and image set", "yolo": "Split"}[layout.kind]
    st.caption(f"{detection.KINDS[layout.kind]} set in `{layout.folder.name}`")
    if layout.too_large:
        limit = detection.MAX_ANNOTATION_BYTES // 2**20
        st.caption(f"Not offered, larger than the {limit} MB this server opens: {', '.join(layout.too_large)}")
    if len(layout.subsets) == 1:
        return layout.subsets[0]
    return st.selectbox(label, layout.subsets, key=f"det_subset_{layout.kind}", **KEEP)


def show(key: str, path: str | None) -> None:
    """The detection view of a source (errors in the folder or upload are shown, nothing else is)."""
    try:
        subset = pick_subset(key, path)
        with st.spinner("Reading the annotation files…"):
            found = cache.detection_set(key, path, subset)
    except (sources.SourceError, PathNotAllowedError) as exc:
        st.session_state.pop(CURRENT_KEY, None)
        st.error(str(exc), icon=":material/folder_off:")
        return
    st.session_state[CURRENT_KEY] = (key, path, subset)
    kind = type(found.dataset).__name__
    st.caption(
        f"{len(found):,} images · {found.num_objects:,} objects · {len(found.used_labels)} classes in use · `{kind}`"
    )
    if found.problems:
        count = len(found.problems)
        title = f"{count:,} file{'s' if count != 1 else ''} could not be read: the rest of the set is open"
        with st.expander(title, expanded=True):
            st.warning("\n".join(f"- {p}" for p in found.problems[:20]), icon=":material/report:")
            if len(found.problems) > 20:
                st.caption(f"… and {len(found.problems) - 20:,} more (the report lists them all).")
    grid_tab, report_tab = st.tabs(["Grid", "Annotation report"], key="det_tab", on_change="rerun")
    source = (key, path, subset)
    if grid_tab.open:
        with grid_tab:
            show_grid(source, found)
    if report_tab.open:
        with report_tab:
            show_report(source, found)


def report_or_none(source: tuple[Any, ...], found: detection.DetectionSet, start: bool) -> Any:
    """The finished report, or None while it runs (``start``: begin it if it has not begun)."""
    job = detection.existing_report_job(source)
    if job is None and start:
        job = detection.report_job(source, found)
    if job is None:
        return None
    if job.running:
        report_progress(source)
        return None
    if job.error:
        st.error(f"The annotation report stopped: {job.error}", icon=":material/error:")
        return None
    return job.report


@st.fragment(run_every=0.5)
def report_progress(source: tuple[Any, ...]) -> None:
    """The running report's progress bar; the page reruns when it is done."""
    job = detection.existing_report_job(source)
    if job is None or not job.running:
        st.rerun()
    share = job.done / job.total if job.total else 0.0
    st.progress(share, text=f"Checking the annotations… {job.done:,} of {job.total:,} images")


def show_grid(source: tuple[Any, ...], found: detection.DetectionSet) -> None:
    top = st.columns([3, 3, 1, 1, 2])
    names = sorted(found.used_labels, key=found.class_name)
    classes = top[0].multiselect(
        "Classes", names, format_func=found.class_name, key="det_classes", placeholder="All classes", **KEEP
    )
    finding = top[1].selectbox("Show", list(detection.FILTERS), format_func=detection.FILTERS.get, key="det_filter")
    rows = int(top[2].number_input("Rows", 1, 8, 3, key="det_rows", **KEEP))
    cols = int(top[3].number_input("Columns", 1, 8, 5, key="det_cols", **KEEP))
    with top[4]:
        masks = st.toggle("Masks", value=True, key="det_masks", disabled=not found.has_masks, **KEEP)
        if st.button("Reshuffle", icon=":material/shuffle:", key="det_reshuffle"):
            st.session_state["det_shuffle"] = st.session_state.get("det_shuffle", 0) + 1
    report = None
    if finding not in detection.INDEX_FILTERS:
        report = report_or_none(source, found, start=True)
        if report is None:
            st.caption("The grid is filtered once the annotation report is done.")
            return
    picked = detection.matching(found, classes or None, finding, report)
    if not picked:
        st.info("No image matches these filters.", icon=":material/filter_alt_off:")
        return
    st.caption(f"{len(picked):,} of {len(found):,} images match.")
    targets = np.zeros(len(picked), dtype=np.int64)
    index_rows = grid.grid_indices(
        targets,
        mode="Random",
        rows=rows,
        cols=cols,
        seed=sidebar.seed(),
        shuffle=st.session_state.get("det_shuffle", 0),
    )
    flat = tuple(picked[i] for row in index_rows for i in row)
    tiles = iter(cache.detection_tiles(*source, flat, bool(masks and found.has_masks)))
    for row in index_rows:
        columns = st.columns(cols)
        for column, _ in zip(columns, row, strict=False):
            shown = next(tiles)
            with column:
                if shown.image is None:
                    st.error(f"{shown.caption}\n\n{shown.error}", icon=":material/broken_image:")
                else:
                    st.image(shown.image, caption=shown.caption, width="stretch")
                if st.button("Open", key=f"det_open_{shown.index}", icon=":material/open_in_full:", width="stretch"):
                    st.session_state[OPEN_KEY] = shown.index
    if OPEN_KEY in st.session_state:
        opened(source, found, st.session_state[OPEN_KEY], bool(masks))


def close_image() -> None:
    st.session_state.pop(OPEN_KEY, None)


@st.dialog("Image", width="large", on_dismiss=close_image)
def opened(source: tuple[Any, ...], found: detection.DetectionSet, index: int, masks: bool) -> None:
    """One image at full size with its annotation list and the report's findings about each object (open until
    dismissed: a rerun of the page draws it again)."""
    if not 0 <= index < len(found):
        st.error("This image is no longer in the set.")
        return
    record = found.records[index]
    st.markdown(f"**{record.name}** · image {index + 1:,} of {len(found):,}")
    shown = cache.detection_tiles(*source, (index,), masks and found.has_masks, detection.DETAIL_SIDE)[0]
    if shown.image is None:
        st.error(shown.error, icon=":material/broken_image:")
    else:
        st.image(shown.image, width="stretch")
    if record.problem:
        st.warning(record.problem, icon=":material/report:")
    job = detection.existing_report_job(source)
    rows = detection.object_rows(found, index, job.report if job is not None else None)
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch", key="det_objects")
    else:
        st.caption("No objects are annotated in this image.")
    size = f"{record.size[0]}×{record.size[1]}" if record.size else "not in the annotations"
    st.caption(f"Size in the annotations: {size}")
    if shown.image is not None and st.button("Augment this image", icon=":material/auto_fix_high:", key="det_augment"):
        st.session_state["ag_source"] = "Dataset"
        st.session_state["ag_index_detection"] = index
        close_image()
        st.switch_page("pages/augment.py")


def show_report(source: tuple[Any, ...], found: detection.DetectionSet) -> None:
    automatic = len(found) <= AUTO_REPORT_IMAGES
    running = detection.existing_report_job(source) is not None
    asked = automatic or running
    if not asked and not st.button(f"Check the annotations of all {len(found):,} images", key="det_report"):
        return
    report = report_or_none(source, found, start=True)
    if report is None:
        return
    counts = report.finding_counts()
    metrics = st.columns(5)
    metrics[0].metric("Images", f"{report.num_images:,}")
    metrics[1].metric("Objects", f"{report.num_objects:,}")
    metrics[2].metric("Without objects", f"{len(report.images_without_objects):,}")
    metrics[3].metric("Findings", f"{len(report.findings):,}")
    metrics[4].metric("Crowd regions", f"{sum(report.crowd_per_class.values()):,}")
    left, right = st.columns(2)
    left.plotly_chart(class_chart(report), key="det_chart_classes")
    right.plotly_chart(size_scatter(report), key="det_chart_sizes")
    left, right = st.columns(2)
    left.plotly_chart(aspect_histogram(report), key="det_chart_aspects")
    right.plotly_chart(per_image_histogram(report), key="det_chart_per_image")
    st.subheader("Findings")
    st.caption(" · ".join(f"{detection.FILTERS[k]}: {n:,}" for k, n in counts.items()))
    if report.findings:
        show_findings(source, found, report)
    else:
        st.success("No box looks wrong.", icon=":material/check_circle:")
    if found.problems:
        st.markdown("**Files that cannot be read**")
        st.dataframe([{"problem": p} for p in found.problems], hide_index=True, width="stretch")
    left, right = st.columns(2)
    stem = found.title.replace(" · ", "-").replace(" ", "_")
    left.download_button(
        "Download the report (JSON)",
        data=lambda: report.to_json(indent=1),
        file_name=f"{stem}-report.json",
        mime="application/json",
        on_click="ignore",
        icon=":material/download:",
    )
    right.download_button(
        "Download the findings (CSV)",
        data=report.to_csv,
        file_name=f"{stem}-findings.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
    )


def show_findings(source: tuple[Any, ...], found: detection.DetectionSet, report: Any) -> None:
    """The findings as a table; selecting a row opens its image."""
    rows = [
        {"kind": detection.FILTERS[f.kind], "image": str(f.image), "annotation": str(f.annotation), "detail": f.detail}
        for f in report.findings[:MAX_FINDING_ROWS]
    ]
    if len(report.findings) > MAX_FINDING_ROWS:
        st.caption(f"The first {MAX_FINDING_ROWS:,} of {len(report.findings):,}; the downloads hold them all.")
    picked = st.dataframe(
        rows, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row", key="det_findings"
    )
    selected = picked.selection.rows if picked is not None else []
    if selected:
        index = found.index_of.get(rows[selected[0]]["image"])
        if index is not None and st.button(f"Open {rows[selected[0]]['image']}", key="det_open_finding"):
            st.session_state[OPEN_KEY] = index
    if OPEN_KEY in st.session_state:
        opened(source, found, st.session_state[OPEN_KEY], True)


def class_chart(report: Any) -> go.Figure:
    names = list(report.objects_per_class)
    fig = charts.figure(
        [
            go.Bar(x=names, y=[report.objects_per_class[n] for n in names], name="objects", marker_color="#4C78A8"),
            go.Bar(
                x=names, y=[report.images_per_class.get(n, 0) for n in names], name="images", marker_color="#F58518"
            ),
        ]
    )
    fig.update_layout(title="Objects and images per class", height=360, margin={"t": 40}, barmode="group")
    whole_numbers(fig, max(report.objects_per_class.values(), default=0))
    return fig


def size_scatter(report: Any) -> go.Figure:
    fig = charts.figure(
        go.Scattergl(
            x=report.widths, y=report.heights, mode="markers", marker={"size": 4, "opacity": 0.5, "color": "#54A24B"}
        )
    )
    fig.update_layout(title="Box width × height (pixels)", xaxis_title="width", yaxis_title="height", height=360)
    return fig


def aspect_histogram(report: Any) -> go.Figure:
    ratios = np.log2(np.asarray(report.aspect_ratios, dtype=np.float64))
    fig = charts.figure(go.Histogram(x=ratios, nbinsx=40, marker_color="#72B7B2"))
    ticks = [-4, -3, -2, -1, 0, 1, 2, 3, 4]
    fig.update_layout(title="Box aspect ratio (width / height)", yaxis_title="boxes", height=360)
    fig.update_xaxes(tickvals=ticks, ticktext=[f"{2.0**t:g}" for t in ticks], title="width / height (log scale)")
    return fig


def per_image_histogram(report: Any) -> go.Figure:
    counts = Counter(report.objects_per_image)
    numbers = list(range(max(counts, default=0) + 1))
    fig = charts.figure(go.Bar(x=numbers, y=[counts[n] for n in numbers], marker_color="#E45756"))
    fig.update_layout(title="Objects per image", xaxis_title="objects", yaxis_title="images", height=360)
    whole_numbers(fig, max(counts.values(), default=0))
    return fig


def whole_numbers(fig: go.Figure, largest: int) -> None:
    """Counts on the y axis: whole numbers only (every one when there are few)."""
    fig.update_yaxes(rangemode="tozero", tickformat=",d", dtick=1 if largest <= 10 else None)
