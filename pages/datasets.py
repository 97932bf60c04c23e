"""Datasets: browse labelled image grids and check class balance, broken files, duplicates and mean/std."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st
from PIL import Image

from visionkit.datasets.utils import DownloadError
from vkapp import augment_lab, cache, charts, detection, detection_view, grid, routing, sidebar, sources, state
from vkapp.paths import PathNotAllowedError, candidate_folders, data_dir, data_roots
from vkapp.progress import progress_bar

#: Health checks run by themselves up to this many images; larger folders wait for a click.
AUTO_HEALTH_ITEMS = 20_000
OTHER_FOLDER = "Other path…"
KEEP = {"persist_state": "session"}


def pick_source() -> tuple[str, bool, str | None]:
    left, right = st.columns([3, 1])
    key = left.selectbox(
        "Source", list(sources.SOURCES), format_func=lambda k: sources.SOURCES[k].label, key="ds_source", **KEEP
    )
    train = True
    if sources.SOURCES[key].has_splits:
        split = right.segmented_control(
            "Split", ["Train", "Test"], default="Train", required=True, key="ds_split", **KEEP
        )
        train = split == "Train"
    path = None
    if key == "folder":
        path = pick_folder(candidate_folders())
    elif key == "detection_folder":
        path = pick_folder(cache.detection_folders(tuple(str(root) for root in data_roots())), "det_")
    elif key == "upload":
        path = pick_upload()
    elif key == "detection_upload":
        path = pick_upload(detection_set=True)
    return key, train, path


def pick_folder(candidates: list[Any], prefix: str = "") -> str | None:
    choices = [str(p) for p in candidates] + [OTHER_FOLDER]
    choice = st.selectbox("Folder", choices, key=f"ds_{prefix}folder_choice", **KEEP)
    if choice != OTHER_FOLDER:
        return choice
    return st.text_input("Folder path (inside the data roots)", key=f"ds_{prefix}folder_path", **KEEP) or None


def pick_upload(detection_set: bool = False) -> str | None:
    """An uploaded zip, an image folder or (``detection_set``) a VOC, COCO or YOLO set: the name it is kept by."""
    suffix = "_det" if detection_set else ""
    saved: dict[str, str] = st.session_state.setdefault(f"ds_uploads{suffix}", {})
    limit = f"up to {sources.MAX_UPLOAD_BYTES // 2**20} MB"
    label = (
        f"Zip of a VOC, COCO or YOLO set ({limit})"
        if detection_set
        else f"Zip of an image folder (one subfolder per class, {limit})"
    )
    upload = st.file_uploader(label, type=["zip"], key=f"ds_upload{suffix}")
    if upload is not None and upload.file_id not in saved:
        save = detection.save_upload if detection_set else sources.save_upload
        try:
            saved[upload.file_id] = save(upload.name, upload.getvalue())
            st.session_state[f"ds_upload_current{suffix}"] = saved[upload.file_id]
        except sources.SourceError as exc:
            st.error(str(exc), icon=":material/block:")
    return st.session_state.get(f"ds_upload_current{suffix}")


def offer_download(key: str) -> None:
    spec = sources.SOURCES[key]
    st.info(
        f"{spec.label} is not in `{data_dir()}` yet. It is a {spec.download_mb} MB download with both splits, "
        "checked against the official md5 sums.",
        icon=":material/cloud_download:",
    )
    if not st.button(f"Download {spec.label}", type="primary", key="ds_download"):
        return
    try:
        sources.download(key, progress_bar(f"Downloading {spec.label}…"))
    except (DownloadError, OSError, ValueError) as exc:
        st.error(f"The download did not complete, and nothing partial was kept.\n\n{exc}", icon=":material/wifi_off:")
        return
    cache.forget(key, True, None)
    cache.forget(key, False, None)
    st.rerun()


def grid_controls(num_classes: list[str], num_items: int) -> dict[str, Any]:
    top = st.columns([3, 1, 1, 3])
    mode = top[0].segmented_control("Order", grid.GRID_MODES, default="Random", required=True, key="ds_mode", **KEEP)
    rows = top[1].number_input("Rows", 1, 8, 3, key="ds_rows", **KEEP)
    cols = top[2].number_input("Columns", 1, 12, 5, key="ds_cols", **KEEP)
    chosen = top[3].multiselect(
        "Classes",
        range(len(num_classes)),
        format_func=lambda c: num_classes[c],
        key="ds_classes",
        placeholder="All classes",
        **KEEP,
    )
    controls = {"mode": mode, "rows": int(rows), "cols": int(cols), "classes": chosen or None, "page": 0}
    if mode == "Random" and st.button("Reshuffle", icon=":material/shuffle:", key="ds_reshuffle"):
        st.session_state["ds_shuffle"] = st.session_state.get("ds_shuffle", 0) + 1
    if mode == "Sequential":
        pages = grid.page_count(num_items, controls["rows"], controls["cols"])
        controls["page"] = int(st.number_input(f"Page (of {pages})", 1, pages, 1, key="ds_page")) - 1
    return controls


def show_grid(key: str, train: bool, path: str | None, names: list[str]) -> list[list[grid.GridCell]]:
    targets = cache.targets(key, train, path)
    controls = grid_controls(names, len(targets))
    index_rows = grid.grid_indices(
        targets, seed=sidebar.seed(), shuffle=st.session_state.get("ds_shuffle", 0), **controls
    )
    if not index_rows:
        st.warning("No images match these classes.")
        return []
    flat = tuple(i for row in index_rows for i in row)
    cells = iter(cache.grid_cells(key, train, path, flat))
    rows = [[next(cells) for _ in row] for row in index_rows]
    steps = augmentation()
    st.session_state.pop("ds_augment_error", None)
    for row in rows:
        columns = st.columns(controls["cols"])
        for column, cell in zip(columns, row, strict=False):
            if cell.image is None:
                column.error(f"{cell.caption}\n\n{cell.error}", icon=":material/broken_image:")
            else:
                column.image(grid.enlarge(through(steps, cell)), caption=cell.caption, width="stretch")
    if "ds_augment_error" in st.session_state:
        message = st.session_state["ds_augment_error"]
        st.error(f"The pipeline cannot run on these images, so they are shown as they are: {message}")
    return rows


def through(steps: list[Any] | None, cell: grid.GridCell) -> Image.Image:
    """The cell's image, through the augmentation pipeline when one is applied (the original if it cannot run)."""
    if not steps:
        return cell.image
    seed = augment_lab.sample_seed(sidebar.seed(), 0, cell.index)
    try:
        api = st.session_state.get(state.API_KEY, "v1")
        return Image.fromarray(augment_lab.augmented_pixels(steps, cell.image, seed, api).squeeze())
    except (ValueError, TypeError, RuntimeError) as exc:
        st.session_state["ds_augment_error"] = str(exc)
        return cell.image


def augmentation() -> list[Any] | None:
    """The Augmentation page's pipeline, when the user asked to see the grid through it."""
    if not st.session_state.get(state.APPLY_TO_GRID_KEY) or state.PIPELINE_KEY not in st.session_state:
        return None
    left, right = st.columns([5, 1])
    left.info("The grid shows each image after the Augmentation page's pipeline: what training will see.")
    if right.button("Show originals", key="ds_stop_augment"):
        st.session_state[state.APPLY_TO_GRID_KEY] = False
        st.rerun()
    return [entry["valid"] for entry in st.session_state[state.PIPELINE_KEY]]


def show_grid_tab(key: str, train: bool, path: str | None, dataset: Any, names: list[str]) -> None:
    rows = show_grid(key, train, path, names)
    if not rows:
        return
    st.download_button(
        "Download grid (PNG)",
        data=lambda: grid.grid_png(rows, title=sources.SOURCES[key].label),
        file_name=f"{key}-grid.png",
        mime="image/png",
        on_click="ignore",
        icon=":material/download:",
    )
    show_inspector(dataset, rows[0][0].index)


def show_inspector(dataset: Any, first_index: int) -> None:
    with st.expander("Inspect one sample", icon=":material/zoom_in:"):
        index = st.number_input("Index", 0, len(dataset) - 1, first_index, key="ds_inspect")
        try:
            info = sources.sample_info(dataset, int(index))
        except grid.READ_ERRORS as exc:
            st.error(f"Sample {index} cannot be read: {exc}", icon=":material/broken_image:")
            return
        left, right = st.columns([1, 2])
        left.image(grid.enlarge(info.pop("image"), 256), width="stretch")
        right.markdown("\n".join(f"- **{k}**: `{v}`" for k, v in info.items()))  # no table: no pandas to import


def class_balance_chart(names: list[str], counts: list[int]) -> go.Figure:
    fig = charts.figure(go.Bar(x=names, y=counts, marker_color="#4C78A8"))
    fig.update_layout(title="Images per class", xaxis_title="class", yaxis_title="images", height=340, margin={"t": 40})
    fig.update_yaxes(rangemode="tozero", tickformat=",d", dtick=1 if max(counts, default=0) <= 10 else None)
    return fig


def show_health(key: str, train: bool, path: str | None, dataset: Any, names: list[str]) -> None:
    targets = cache.targets(key, train, path)
    counts = [int((targets == c).sum()) for c in range(len(names))]
    st.plotly_chart(class_balance_chart(names, counts), key="ds_balance")
    report = cache.cached_health(key, train, path)
    automatic = len(dataset) <= AUTO_HEALTH_ITEMS or hasattr(dataset, "data")
    if report is None:
        if not automatic and not st.button(f"Run the health check over all {len(dataset):,} images", key="ds_health"):
            return
        slot = st.empty()
        report = cache.compute_health(key, train, path, progress_bar("Checking every image…", slot))
        slot.empty()
    show_report(report, dataset)


def show_report(report: Any, dataset: Any) -> None:
    metrics = st.columns(4)
    metrics[0].metric("Images", f"{report.num_items:,}")
    metrics[1].metric("Classes", len(report.class_names))
    metrics[2].metric("Duplicate groups", len(report.duplicate_groups))
    metrics[3].metric("Unreadable files", len(report.unreadable))
    st.markdown("**Per-channel mean and std** over every pixel (exact), ready for `Normalize`:")
    st.code(report.normalize_line(), language="python")
    left, right = st.columns(2)
    left.plotly_chart(size_chart(report.sizes), key="ds_sizes")
    right.plotly_chart(aspect_chart(report.aspect_ratios()), key="ds_aspects")
    st.plotly_chart(pixel_chart(report.pixel_histogram), key="ds_pixels")
    st.caption("Image modes: " + ", ".join(f"{mode} × {n:,}" for mode, n in report.modes.most_common()))
    if report.duplicate_groups:
        st.subheader("Exact duplicates")
        for group in report.duplicate_groups[:10]:
            cells = [grid.read_cell(dataset, i, report.class_names) for i in group[:8]]
            st.image(
                [grid.enlarge(c.image, 64) for c in cells if c.image is not None],
                caption=[c.caption for c in cells if c.image is not None],
            )
    if report.unreadable:
        st.subheader("Unreadable files")
        st.dataframe([{"index": i, "path": p, "error": m} for i, p, m in report.unreadable], hide_index=True)


def size_chart(sizes: Any) -> go.Figure:
    widths = [w for w, _ in sizes]
    heights = [h for _, h in sizes]
    counts = list(sizes.values())
    fig = charts.figure(
        go.Scatter(
            x=widths,
            y=heights,
            mode="markers",
            text=[f"{n:,} images" for n in counts],
            marker={"size": [8 + 24 * (n / max(counts)) ** 0.5 for n in counts], "color": "#F58518"},
            cliponaxis=False,
        )
    )
    fig.update_layout(title="Image sizes (width × height)", xaxis_title="width", yaxis_title="height", height=340)
    return fig


def aspect_chart(ratios: Any) -> go.Figure:
    ordered = sorted(ratios.items())
    fig = charts.figure(go.Bar(x=[f"{r:g}" for r, _ in ordered], y=[n for _, n in ordered], marker_color="#72B7B2"))
    fig.update_layout(title="Aspect ratios (width / height)", xaxis_title="ratio", yaxis_title="images", height=340)
    fig.update_xaxes(type="category")
    return fig


def pixel_chart(histogram: Any) -> go.Figure:
    colors = ["#E45756", "#54A24B", "#4C78A8"] if len(histogram) == 3 else ["#555555"]
    names = ["R", "G", "B"] if len(histogram) == 3 else ["L"]
    lines = zip(histogram, names, colors, strict=False)
    fig = charts.figure([go.Scatter(y=list(h), name=n, line={"color": c}) for h, n, c in lines])
    fig.update_layout(title="Pixel values per channel", xaxis_title="value", yaxis_title="pixels", height=340)
    return fig


routing.require_router()
st.title("Datasets")
st.caption("Look at the data before training: labelled grids, class balance, broken files, duplicates, mean and std.")
key, train, path = pick_source()
if sources.SOURCES[key].detection:
    detection_view.show(key, path)
    st.stop()
st.session_state.pop(detection_view.CURRENT_KEY, None)
try:
    dataset = cache.dataset(key, train, path)
except sources.DatasetMissingError:
    offer_download(key)
    st.stop()
except (sources.SourceError, PathNotAllowedError) as exc:
    st.error(str(exc), icon=":material/folder_off:")
    st.stop()

names = cache.class_names(key, train, path)
st.caption(f"{len(dataset):,} images · {len(names)} classes · `{type(dataset).__name__}`")
grid_tab, health_tab = st.tabs(["Grid", "Class balance & health"], key="ds_tab", on_change="rerun")
if grid_tab.open:
    with grid_tab:
        show_grid_tab(key, train, path, dataset, names)
if health_tab.open:
    with health_tab:
        show_health(key, train, path, dataset, names)
