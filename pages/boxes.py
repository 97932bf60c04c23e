"""Boxes & IoU: draw boxes and watch IoU and its variants, IoU matrices, NMS step by step, and RoIAlign sampling."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch
from PIL import Image

from vkapp import box_lab, cache, charts, grid, routing, sidebar, state
from vkapp.box_canvas import box_canvas, peek

KEEP = {"persist_state": "session"}
CANVAS_WIDTH = 520
BLANK = (480, 320)
PAIR_DEFAULT = [
    {"id": "A", "x1": 90, "y1": 70, "x2": 260, "y2": 220},
    {"id": "B", "x1": 170, "y1": 120, "x2": 330, "y2": 260},
]
COLORS = {"kept": "#2ca02c", "suppressed": "#9e9e9e", "pending": "#1f77b4", "below threshold": "#d0d0d0"}


def background() -> tuple[Image.Image | None, tuple[int, int], Any]:
    """The picture to draw on: a photo, an image of the Shapes dataset (with its objects), or a blank canvas."""
    source = st.segmented_control(
        "Draw on",
        ["Photo", "Dataset image", "Shapes dataset", "Blank"],
        default="Photo",
        required=True,
        key="bx_bg",
        **KEEP,
    )
    if source == "Blank":
        return None, BLANK, None
    if source == "Dataset image":
        dataset, label = state.current_dataset()
        index = st.number_input(f"Index in {label}", 0, len(dataset) - 1, 0, key="bx_ds_index", **KEEP)
        image = grid.enlarge(dataset[int(index)][0].convert("RGB"), 320)
        return image, image.size, None
    if source == "Shapes dataset":
        shapes = cache.dataset("shapes", True, None)
        index = st.number_input("Shapes image", 0, len(shapes) - 1, 0, key="bx_shape", **KEEP)
        image = shapes[int(index)][0].resize((320, 320), Image.Resampling.NEAREST)
        objects = shapes.annotations(int(index))
        return image, image.size, {"boxes": objects["boxes"] * 5, "labels": objects["labels"], "names": shapes.classes}
    image = cache.dataset("photos", True, None)[0][0]
    return image, image.size, None


def stored(key: str, default: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if key not in st.session_state:
        st.session_state[key] = [dict(b) for b in default]
    return st.session_state[key]


def coordinate_table(key: str, boxes: list[dict[str, Any]], columns: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """An editable table kept in sync with the canvas; a bad edit shows a message and changes nothing."""
    fields = ["id", "x1", "y1", "x2", "y2", *columns]
    table = [{f: b.get(f) for f in fields} for b in boxes]
    edited = st.data_editor(table, key=f"{key}_table", num_rows="dynamic", hide_index=True, width="stretch")
    if edited == table:
        return boxes
    rows = [dict(row) for row in edited]
    problem = box_lab.missing_coordinates(rows)
    if problem is None and rows:
        problem = box_lab.check(box_lab.to_tensor(rows))
    if problem:
        st.error(f"Those coordinates were not applied: {problem}", icon=":material/error:")
        return boxes
    return [{**row, "id": row.get("id") or f"t{i}"} for i, row in enumerate(rows)]


def canvas_height(size: tuple[int, int]) -> int:
    return size[1] * CANVAS_WIDTH // size[0]


def synced(
    key: str,
    image: Image.Image | None,
    size: tuple[int, int],
    boxes: list[dict],
    columns: tuple[str, ...] = (),
    **canvas: Any,
) -> list[dict]:
    """A canvas and its coordinate table on the same boxes (stored in session state under ``key``)."""
    drawn = box_canvas(image, boxes, width=CANVAS_WIDTH, height=canvas_height(size), key=f"{key}_canvas", **canvas)
    st.session_state[key] = coordinate_table(key, drawn, columns)
    return st.session_state[key]


def pair_view(image: Image.Image | None, size: tuple[int, int], objects: Any = None) -> None:
    st.caption("Drag on the picture to draw a box, drag a box to move it, drag its edges to resize, Delete removes it.")
    current = peek("bx_pair_canvas", stored("bx_pair", PAIR_DEFAULT), size)
    result = box_lab.pair_metrics(*box_lab.to_tensor(current[:2])) if len(current) >= 2 else None
    left, right = st.columns([3, 2])
    with left:
        overlays = pair_overlays(result) if result is not None else []
        boxes = synced("bx_pair", image, size, stored("bx_pair", PAIR_DEFAULT), overlays=overlays)
        if st.button("Clear boxes", key="bx_pair_clear"):
            st.session_state["bx_pair"] = []
            st.rerun()
    with right:
        if len(boxes) < 2:
            st.info("Draw two boxes to compare them.", icon=":material/draw:")
            return
        show_pair(boxes[:2], box_lab.pair_metrics(*box_lab.to_tensor(boxes[:2])))


def pair_overlays(metrics: box_lab.PairMetrics) -> list[dict[str, Any]]:
    overlays = [
        {
            "kind": "rect",
            **dict(zip(("x1", "y1", "x2", "y2"), metrics.enclosing, strict=True)),
            "color": "#555555",
            "dash": True,
        }
    ]
    if metrics.intersection is not None:
        corners = dict(zip(("x1", "y1", "x2", "y2"), metrics.intersection, strict=True))
        overlays.append({"kind": "rect", **corners, "color": "#ff7f0e", "fill": "rgba(255, 127, 14, 0.35)"})
    overlays.append({"kind": "points", "xy": metrics.centers, "color": "#d62728"})
    return overlays


def show_pair(boxes: list[dict[str, Any]], result: box_lab.PairMetrics) -> None:
    values = [("IoU", result.iou), ("GIoU", result.giou), ("DIoU", result.diou), ("CIoU", result.ciou)]
    for row in (values[:2], values[2:]):
        for column, (name, value) in zip(st.columns(2), row, strict=True):
            column.metric(name, f"{value:.4f}")
    st.markdown("**Losses** (1 − metric): " + " · ".join(f"{k} {v:.4f}" for k, v in result.losses().items()))
    st.caption(
        "Orange: intersection. Dashed: the smallest enclosing box (GIoU penalises its empty part). Red dots: the "
        "centers (DIoU penalises their distance; CIoU adds the aspect ratios). "
        f"Union area: {result.union_area:,.1f} px²."
    )
    rows = []
    for box in boxes:
        for fmt, values in box_lab.formats(box_lab.to_tensor([box])[0]).items():
            rows.append({"box": box["id"], "format": fmt, "values": ", ".join(f"{v:g}" for v in values)})
    st.dataframe(rows, hide_index=True, width="stretch")


def sets_view(image: Image.Image | None, size: tuple[int, int], objects: Any = None) -> None:
    st.caption("Label boxes A or B with the picker above the picture; every A is compared with every B.")
    default = [{**b, "label": b["id"]} for b in PAIR_DEFAULT]
    left, right = st.columns([3, 2])
    with left:
        boxes = synced(
            "bx_sets",
            image,
            size,
            stored("bx_sets", default),
            ("label",),
            labels=["A", "B"],
            colors={"A": "#1f77b4", "B": "#d62728"},
        )
    group_a = [b for b in boxes if b.get("label") == "A"]
    group_b = [b for b in boxes if b.get("label") == "B"]
    with right:
        if not group_a or not group_b:
            st.info("The matrix needs at least one A box and one B box.", icon=":material/grid_on:")
            return
        iou = box_lab.ops.box_iou(box_lab.to_tensor(group_a), box_lab.to_tensor(group_b))
        fig = charts.figure(
            go.Heatmap(
                z=iou.numpy(),
                x=[b["id"] for b in group_b],
                y=[b["id"] for b in group_a],
                zmin=0,
                zmax=1,
                colorscale="Blues",
                text=np.round(iou.numpy(), 3),
                texttemplate="%{text}",
            )
        )
        fig.update_layout(title="IoU matrix (A rows × B columns)", height=360, yaxis_autorange="reversed")
        st.plotly_chart(fig, key="bx_heatmap")
        threshold = st.slider("Match threshold", 0.0, 1.0, 0.5, 0.05, key="bx_match_t", **KEEP)
        found = box_lab.matches(iou, threshold)
        st.dataframe(
            [{"A": group_a[i]["id"], "B": group_b[j]["id"], "IoU": round(v, 4)} for i, j, v in found]
            or [{"A": "—", "B": "—", "IoU": None}],
            hide_index=True,
        )


def nms_view(image: Image.Image | None, size: tuple[int, int], objects: Any) -> None:
    controls = st.columns(4)
    iou_t = controls[0].slider("IoU threshold", 0.0, 1.0, 0.5, 0.05, key="bx_nms_iou", **KEEP)
    score_t = controls[1].slider("Score threshold", 0.0, 1.0, 0.05, 0.05, key="bx_nms_score", **KEEP)
    class_aware = controls[2].toggle("Class-aware (batched_nms)", value=True, key="bx_nms_classes", **KEEP)
    if objects is not None and controls[3].button(
        "Generate detections", key="bx_nms_generate", icon=":material/casino:"
    ):
        st.session_state["bx_nms"] = [
            {**b, "id": f"d{i}"}
            for i, b in enumerate(
                box_lab.crowd(
                    objects["boxes"], objects["labels"], per_object=4, jitter=0.08, seed=sidebar.seed(), size=size
                )
            )
        ]
    if objects is None:
        controls[3].caption("Pick the Shapes dataset to generate detections around its objects.")
    boxes = st.session_state.setdefault("bx_nms", [])
    with st.expander("Boxes, scores and classes (editable)"):
        st.session_state["bx_nms"] = boxes = coordinate_table("bx_nms", boxes, ("score", "label"))
    if not boxes:
        st.info("Generate detections on a Shapes image, or add rows with a score to the table.", icon=":material/info:")
        return
    try:
        scores = torch.tensor([float(b.get("score") or 0.0) for b in boxes])
        labels = [str(b.get("label")) for b in boxes]
        classes = torch.tensor([sorted(set(labels)).index(x) for x in labels]) if class_aware else None
        steps = box_lab.nms_replay(box_lab.to_tensor(boxes), scores, iou_t, score_threshold=score_t, classes=classes)
    except (ValueError, TypeError) as exc:
        st.error(str(exc), icon=":material/error:")
        return
    shown = st.slider("Step", 0, len(steps), len(steps), key="bx_nms_step") if steps else 0
    states = steps[shown - 1].states if shown else ["pending" if s >= score_t else "below threshold" for s in scores]
    drawn = [
        {
            **b,
            "score": float(b.get("score") or 0),
            "color": COLORS[state],
            "style": "dashed" if state in ("suppressed", "below threshold") else "solid",
        }
        for b, state in zip(boxes, states, strict=True)
    ]
    left, right = st.columns([3, 2])
    with left:
        box_canvas(image, drawn, width=CANVAS_WIDTH, height=canvas_height(size), key="bx_nms_canvas", mode="view")
    with right:
        kept = [boxes[s.kept]["id"] for s in steps]
        st.metric("Kept", f"{len(kept)} of {len(boxes)}")
        if shown:
            step = steps[shown - 1]
            suppressed = ", ".join(boxes[j]["id"] for j in step.suppressed) or "nothing"
            st.markdown(
                f"**Step {shown}:** keep **{boxes[step.kept]['id']}** (score {scores[step.kept]:.3f}), "
                f"suppress {suppressed}."
            )
        st.caption("Green: kept. Dashed grey: suppressed (or below the score threshold). Blue: not decided yet.")
        st.markdown("Kept, in the order `nms` returns them: " + ", ".join(f"`{k}`" for k in kept))


def roi_view(image: Image.Image | None, size: tuple[int, int], objects: Any = None) -> None:
    controls = st.columns(4)
    out_h = controls[0].number_input("Output height", 1, 14, 2, key="bx_roi_h", **KEEP)
    out_w = controls[1].number_input("Output width", 1, 14, 2, key="bx_roi_w", **KEEP)
    ratio = controls[2].selectbox("sampling_ratio", [-1, 1, 2, 3, 4], index=2, key="bx_roi_ratio", **KEEP)
    stride = controls[3].selectbox("Feature stride", [1, 4, 8, 16], index=2, key="bx_roi_stride", **KEEP)
    aligned = st.toggle("aligned=True (pixel centers at half-pixel offsets)", value=True, key="bx_roi_aligned", **KEEP)
    pixels = np.asarray((image or Image.new("RGB", size, (200, 200, 200))).convert("RGB"), dtype=np.float32) / 255
    feature = torch.nn.functional.avg_pool2d(torch.from_numpy(pixels).permute(2, 0, 1)[None], stride)[0]
    current = peek("bx_roi_canvas", stored("bx_roi", [{"id": "roi", "x1": 120, "y1": 80, "x2": 280, "y2": 200}]), size)
    box = box_lab.to_tensor(current[:1])[0] if current else None
    left, right = st.columns([3, 2])
    with left:
        overlays = roi_overlays(feature, box, (out_h, out_w), stride, ratio, aligned) if box is not None else []
        st.session_state["bx_roi"] = box_canvas(
            image,
            stored("bx_roi", []),
            width=CANVAS_WIDTH,
            height=canvas_height(size),
            key="bx_roi_canvas",
            overlays=overlays,
        )
    with right:
        if box is None:
            st.info("Draw one box: its region is pooled to the output size.", icon=":material/draw:")
            return
        sampling = box_lab.roi_sampling(
            feature, box, (int(out_h), int(out_w)), spatial_scale=1 / stride, sampling_ratio=int(ratio), aligned=aligned
        )
        output = sampling.output.permute(1, 2, 0).clamp(0, 1).numpy()
        st.image(
            (output * 255).astype(np.uint8),
            caption=f"roi_align output {tuple(sampling.output.shape)}",
            width=240,
            clamp=True,
        )
        st.markdown(
            f"{len(sampling.points)} bilinear samples on a {feature.shape[2]}×{feature.shape[1]} feature map "
            f"(stride {stride}); each output value averages its bin's samples."
        )
        st.dataframe(np.round(sampling.output.mean(0).numpy(), 4), width="stretch")
        st.caption("Mean over channels of each output bin.")


def roi_overlays(feature: Any, box: Any, size: tuple[int, int], stride: int, ratio: int, aligned: bool) -> list[dict]:
    """Bins and sampling points in image pixels: feature coordinate f sits at image position (f + 0.5) * stride."""
    sampling = box_lab.roi_sampling(
        feature, box, (int(size[0]), int(size[1])), spatial_scale=1 / stride, sampling_ratio=int(ratio), aligned=aligned
    )
    x1, y1, x2, y2 = [(v + 0.5) * stride for v in sampling.bins]
    points = [[(x + 0.5) * stride, (y + 0.5) * stride] for x, y in sampling.points[:4000]]
    return [
        {
            "kind": "grid",
            "x1": x1,
            "y1": y1,
            "x2": x2,
            "y2": y2,
            "rows": int(size[0]),
            "cols": int(size[1]),
            "color": "#ff7f0e",
        },
        {"kind": "points", "xy": points, "color": "#d62728"},
    ]


routing.require_router()
st.title("Boxes & IoU")
st.caption(
    "Draw boxes with the mouse: IoU and its variants, IoU matrices, NMS step by step, and where RoIAlign samples."
)
image, size, objects = background()
tabs = st.tabs(["Pair: IoU family", "Sets: IoU matrix", "NMS", "RoIAlign"], key="bx_tab", on_change="rerun")
for tab, view in zip(tabs, (pair_view, sets_view, nms_view, roi_view), strict=True):
    if tab.open:
        with tab:
            view(image, size, objects)
