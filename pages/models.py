"""Models: load a classifier (CNN or vision transformer) with or without weights, read its layers and parameters,
edit it, check it on real images, see why it predicts what it does, compare two models and time them."""

from __future__ import annotations

import difflib
import hashlib
import json
from typing import Any

import plotly.graph_objects as go
import streamlit as st
import torch

from visionkit import models
from visionkit.datasets.utils import DownloadError
from visionkit.utils import make_grid
from vkapp import cache, charts, grid, model_explain, model_lab, routing, state
from vkapp.paths import uploads_dir
from vkapp.progress import progress_bar

KEEP = {"persist_state": "session"}
EDITS_KEY = "md_edits"
MAX_CHECKPOINT_MB = 600


def pick_model() -> tuple[str, str, str | None]:
    left, middle, right = st.columns([4, 4, 3])
    names = model_explain.ordered_architectures()
    arch = left.selectbox(
        "Architecture",
        names,
        index=names.index("resnet18"),
        format_func=model_explain.arch_label,
        key="md_arch",
        **KEEP,
    )
    source = middle.segmented_control(
        "Weights",
        ["Random init", "Official", "Checkpoint"],
        default="Random init",
        required=True,
        key="md_source",
        **KEEP,
    )
    if source == "Official":
        return arch, pick_official(arch, right), None
    if source == "Checkpoint":
        return arch, model_lab.NO_WEIGHTS, pick_checkpoint(right)
    return arch, model_lab.NO_WEIGHTS, None


def pick_official(arch: str, column: Any) -> str:
    choices = model_lab.weight_choices(arch)[1:]
    if not choices:
        column.info(f"No official weights are published for {arch}; it starts from random initialisation.")
        return model_lab.NO_WEIGHTS
    name = column.selectbox("Official weights", choices, format_func=lambda n: describe_weights(arch, n), key="md_w")
    weights = model_lab.weights_of(arch, name)
    if model_lab.is_cached(weights):
        return name
    file_name = weights.url.rsplit("/", 1)[-1]
    column.info(
        f"{file_name} is not in torch's hub cache yet. Download it here, or, on a machine without internet, copy "
        f"the file from {weights.url} into `{model_lab.checkpoint_path(weights).parent}` (torchvision's cache too).",
        icon=":material/cloud_download:",
    )
    if column.button("Download weights", type="primary", key="md_download"):
        try:
            model_lab.fetch_weights(weights, progress_bar("Downloading weights…"))
        except (DownloadError, OSError) as exc:
            message = f"The weights could not be downloaded; nothing partial was kept.\n\n{exc}"
            st.error(message, icon=":material/wifi_off:")
            return model_lab.NO_WEIGHTS
        st.rerun()
    return model_lab.NO_WEIGHTS


def describe_weights(arch: str, name: str) -> str:
    meta = model_lab.weights_of(arch, name).meta
    accuracy = next(iter(meta.get("_metrics", {}).values()), {}).get("acc@1")
    return f"{name} (ImageNet top-1 {accuracy}%)" if accuracy else name


def pick_checkpoint(column: Any) -> str | None:
    """The uploaded checkpoint's path on the server, kept only once it has been read safely; a refused upload
    shows why and leaves the previous checkpoint (or none) in place."""
    upload = column.file_uploader(
        f"A .pth state_dict or training checkpoint (up to {MAX_CHECKPOINT_MB} MB)", type=["pth", "pt"], key="md_ckpt"
    )
    kept = st.session_state.get("md_ckpt_path")
    if upload is None:
        return kept
    refused = st.session_state.get("md_ckpt_refused")
    if refused is not None and refused[0] == upload.file_id:
        column.error(refused[1], icon=":material/block:")
        return kept
    data = upload.getvalue()
    path = uploads_dir() / f"checkpoint-{hashlib.sha256(data).hexdigest()[:16]}.pth"
    if not path.exists():
        try:
            model_lab.check_checkpoint(data, upload.name)
        except ValueError as exc:
            message = f"{upload.name} was not loaded, and the model is as it was: {exc}"
            st.session_state["md_ckpt_refused"] = (upload.file_id, message)
            column.error(message, icon=":material/block:")
            return kept
        partial = path.with_name(f".{path.name}.partial")
        partial.write_bytes(data)
        partial.replace(path)  # atomic: no half-written checkpoint ever has the final name
    st.session_state["md_ckpt_path"] = str(path)
    return str(path)


def edits() -> list[list[Any]]:
    return st.session_state.setdefault(EDITS_KEY, [])


def try_edit(arch: str, weights: str, checkpoint: str | None, spec: list[Any]) -> None:
    """Apply one more edit; a bad one shows its message and leaves the model as it was."""
    candidate = json.dumps([*edits(), spec])
    try:
        cache.model(arch, weights, checkpoint, candidate)
    except (ValueError, TypeError) as exc:
        st.session_state["md_edit_error"] = str(exc)
        return
    edits().append(spec)
    st.session_state.pop("md_edit_error", None)


def show_structure(key: tuple[str, str, str | None, str], model: Any) -> None:
    size = st.columns(4)
    input_size = (
        int(size[0].number_input("Batch", 1, 64, 1, key="md_batch")),
        model_lab.input_channels(model),
        int(size[1].number_input("Height", 8, 1024, 224, key="md_h", **KEEP)),
        int(size[2].number_input("Width", 8, 1024, 224, key="md_w_px", **KEEP)),
    )
    size[3].metric("Input channels", input_size[1])
    try:
        info = cache.model_summary(*key, input_size)
    except RuntimeError as exc:
        st.error(f"A forward pass at {input_size} fails: {exc}", icon=":material/error:")
        return
    totals = st.columns(4)
    totals[0].metric("Parameters", f"{info.total_params:,}")
    totals[1].metric("Trainable", f"{info.trainable_params:,}")
    totals[2].metric("Mult-adds", f"{info.total_mult_adds / 1e9:.2f} G")
    totals[3].metric("Output", str(tuple(info.output_shape)))
    controls = st.columns([1, 1, 3])
    depth = controls[0].slider("Depth", 1, 6, 2, key="md_depth", **KEEP)
    collapse = controls[1].toggle("Fold repeated blocks", value=True, key="md_fold", **KEEP)
    tree = info.tree(collapse_repeats=collapse)
    expandable = [row.name for row in info.rows if row.name and not row.is_leaf and row.depth >= depth]
    opened = controls[2].multiselect("Expand blocks below that depth", expandable, key="md_open", placeholder="none")
    st.dataframe(tree_rows(tree, depth, set(opened)), hide_index=True, height=420)
    left, right = st.columns(2)
    with left:
        st.markdown("**`print(model)`**")
        st.code(cache.model_repr(*key), language="text", height=420)
    right.plotly_chart(parameter_chart(info), key="md_params")


def tree_rows(nodes: list[dict[str, Any]], shown: int, opened: set[str], depth: int = 0) -> list[dict[str, Any]]:
    """Table rows of the layer tree: every node down to depth ``shown``, and the children of ``opened`` nodes."""
    rows = []
    for node in nodes:
        repeats = f" ×{node['repeats']}" if node.get("repeats", 1) > 1 else ""
        rows.append(
            {
                "layer": "\u2003" * depth + (node["name"] or "(model)") + repeats,
                "type": node["type"],
                "output shape": str(list(node["output_shape"])) if node["output_shape"] else "",
                "parameters": f"{node['params']:,}",
                "trainable": node["trainable"],
                "mult-adds": f"{node['mult_adds']:,}",
                "share": f"{100 * node['share']:.1f}%",
            }
        )
        if depth + 1 <= shown or node["name"] in opened:
            rows += tree_rows(node["children"], shown, opened, depth + 1)
    return rows


def parameter_chart(info: Any) -> go.Figure:
    rows = [r for r in info.rows if r.depth <= 3 and r.params > 0]
    ids = [r.name or "model" for r in rows]
    parents = ["" if not r.name else (r.name.rsplit(".", 1)[0] if "." in r.name else "model") for r in rows]
    fig = charts.figure(
        go.Treemap(
            ids=ids,
            labels=[i.rsplit(".", 1)[-1] for i in ids],
            parents=parents,
            values=[r.params for r in rows],
            branchvalues="total",
            hovertemplate="%{id}<br>%{value:,} parameters<extra></extra>",
        )
    )
    fig.update_layout(title="Where the parameters are", height=440, margin={"t": 40, "l": 0, "r": 0, "b": 0})
    return fig


def show_edit_forms(arch: str, weights: str, checkpoint: str | None, model: Any) -> None:
    key = (arch, weights, checkpoint)
    tops = ["", *(name for name, _ in model.named_children())]
    with st.container(border=True):
        a, b, c = st.columns(3)
        classes = a.number_input("Classes for the new head", 1, 100_000, 10, key="md_classes")
        if a.button("Replace the head", key="md_do_head", icon=":material/swap_horiz:"):
            try_edit(*key, ["replace_head", {"num_classes": int(classes)}])
        prefix = b.selectbox("Subtree", tops, format_func=lambda p: p or "(whole model)", key="md_prefix")
        trainable = b.toggle("Trainable", value=False, key="md_trainable")
        if b.button("Freeze" if not trainable else "Unfreeze", key="md_do_freeze", icon=":material/ac_unit:"):
            try_edit(*key, ["set_trainable", {"prefix": prefix, "trainable": trainable}])
        channels = c.number_input("Input channels", 1, 16, 1, key="md_channels")
        if c.button("Change input channels", key="md_do_channels"):
            try_edit(*key, ["change_input_channels", {"in_channels": int(channels)}])
        d, e, f = st.columns(3)
        if d.button("CIFAR stem (3×3 conv, no max-pool)", key="md_do_stem"):
            try_edit(*key, ["cifar_stem", {}])
        p = e.slider("Dropout before the head", 0.0, 0.9, 0.5, 0.05, key="md_p")
        if e.button("Add dropout", key="md_do_dropout"):
            try_edit(*key, ["add_dropout_before_head", {"p": float(p)}])
        old = f.selectbox("Replace activation", models.ACTIVATIONS, key="md_old_act")
        new = f.selectbox("with", models.ACTIVATIONS, index=models.ACTIVATIONS.index("GELU"), key="md_new_act")
        if f.button("Swap activations", key="md_do_act"):
            try_edit(*key, ["swap_activation", {"old": old, "new": new}])
    if st.session_state.get("md_edit_error"):
        st.error(st.session_state["md_edit_error"], icon=":material/block:")


def show_edits(arch: str, weights: str, checkpoint: str | None) -> None:
    base_model = cache.model(arch, weights, checkpoint, "[]")[0]
    show_edit_forms(arch, weights, checkpoint, base_model)
    key = (arch, weights, checkpoint, json.dumps(edits()))
    model, done, _ = cache.model(*key)
    history, undo, reset = st.columns([6, 1, 1])
    history.markdown("**Edits:** " + ("; ".join(e.description for e in done) if done else "none yet"))
    if undo.button("Undo", disabled=not done, key="md_undo", icon=":material/undo:"):
        edits().pop()
        st.rerun()
    if reset.button("Reset", disabled=not done, key="md_reset", icon=":material/restart_alt:"):
        edits().clear()
        st.rerun()
    code_tab, diff_tab = st.tabs(["Code that reproduces it", "Diff against the original"])
    with code_tab:
        st.code(model_lab.script(arch, weights, done), language="python")
        st.caption("The same script runs with torchvision: change the import to `from torchvision.models import ...`.")
    with diff_tab:
        diff = difflib.unified_diff(
            cache.model_repr(arch, weights, checkpoint, "[]").splitlines(),
            cache.model_repr(*key).splitlines(),
            "original",
            "edited",
            lineterm="",
            n=1,
        )
        st.code("\n".join(diff) or "(no differences)", language="diff")
    validate(key, model, weights)
    st.download_button(
        "Download the edited state_dict (.pth)",
        data=lambda: model_lab.state_dict_bytes(model),
        file_name=f"{arch}-edited.pth",
        mime="application/octet-stream",
        on_click="ignore",
        key="md_save",
        icon=":material/download:",
    )


def validate(key: tuple[str, str, str | None, str], model: Any, weights: str) -> None:
    st.markdown("**Validation pass**: a batch from the current dataset through the edited model.")
    size = int(st.session_state.get("md_h", 224))
    if not st.button("Run a batch of 3 images", key="md_validate", icon=":material/play_arrow:"):
        return
    images, label = state.dataset_images(3)
    channels = model_lab.input_channels(model)
    batch = model_lab.prepare_batch(images, size, channels, model_lab.weights_of(key[0], weights))
    try:
        with torch.no_grad():
            output = model(batch)
    except RuntimeError as exc:
        st.error(f"The forward pass failed on a {tuple(batch.shape)} batch: {exc}", icon=":material/error:")
        return
    st.success(f"{label}: input {tuple(batch.shape)} → output `{output.shape}`", icon=":material/check_circle:")


def show_features(key: tuple[str, str, str | None, str], model: Any, weights: str) -> None:
    images, label = state.dataset_images(6)
    left, right = st.columns([1, 2])
    pick = left.selectbox("Image", range(len(images)), format_func=lambda i: f"{label} #{i + 1}", key="md_img")
    left.image(grid.enlarge(images[pick], 160), width="stretch")
    layers = models.layer_names(model)
    layer = right.selectbox("Layer", layers, index=min(len(layers) - 1, 4), key="md_layer")
    size = int(st.session_state.get("md_h", 224))
    channels = model_lab.input_channels(model)
    batch = model_lab.prepare_batch([images[pick]], size, channels, model_lab.weights_of(key[0], weights))
    maps = models.feature_maps(model, layer, batch)[0]
    shown = maps[:32].unsqueeze(1)
    tiles = make_grid(shown, nrow=8, normalize=True, scale_each=True, pad_value=1.0)
    caption = f"{layer}: first {len(shown)} of {maps.shape[0]} channels, {maps.shape[1]}×{maps.shape[2]}"
    right.image(tiles.permute(1, 2, 0).numpy(), caption=caption, width="stretch", clamp=True)
    official = model_lab.weights_of(key[0], weights)
    show_top5(left, cache.logits(*key, batch_key(batch), batch), categories_of(official))


def batch_key(batch: torch.Tensor) -> str:
    """A content key of a batch, for the caches of what the model computes on it."""
    return hashlib.blake2b(batch.numpy().tobytes(), digest_size=16).hexdigest()


def categories_of(official: Any) -> list[str] | None:
    return official.meta.get("categories") if official is not None else None


def show_top5(column: Any, logits: torch.Tensor, categories: list[str] | None) -> None:
    """The five most likely classes with their probabilities, where the logits are ImageNet's classes."""
    if categories and logits.shape[1] == len(categories):
        top = model_lab.top_k(logits, categories)[0]
        column.dataframe([{"class": c, "probability": f"{p:.1%}"} for c, p in top], hide_index=True)
    else:
        column.caption("Top-5 predictions appear with ImageNet weights and the original head.")


#: Models above this many parameters are built only when asked: each takes about 4 bytes per parameter in memory
#: (vit_h_14: 2.4 GB), and the server keeps a few built models for everyone.
LARGE_MODEL_PARAMS = 250_000_000


def confirmed_size(arch: str) -> bool:
    """Whether ``arch`` is small enough to build at once, or the user asked to build it anyway."""
    params = model_explain.official_facts(arch).get("params") or 0
    if params <= LARGE_MODEL_PARAMS or st.session_state.get("md_large_ok") == arch:
        return True
    st.info(
        f"{arch} has {params / 1e6:,.0f} M parameters: about {params * 4 / 2**30:.1f} GB of memory once built, and a "
        "forward pass takes seconds on this server's CPU.",
        icon=":material/memory:",
    )
    if st.button(f"Build {arch}", key="md_large_build", type="primary"):
        st.session_state["md_large_ok"] = arch
        st.rerun()
    return False


def input_size_of(model: Any) -> tuple[int, int, int, int]:
    side = int(st.session_state.get("md_h", 224))
    return (1, model_lab.input_channels(model), side, int(st.session_state.get("md_w_px", side)))


def show_explanations(key: tuple[str, str, str | None, str], model: Any, weights: str) -> None:
    """Grad-CAM, Grad-CAM++, occlusion or attention rollout on a dataset image, for a class the user picks."""
    images, label = state.dataset_images(6)
    left, right = st.columns([1, 2])
    pick = left.selectbox("Image", range(len(images)), format_func=lambda i: f"{label} #{i + 1}", key="md_x_img")
    methods = [m for m in model_explain.METHODS if m != "Attention rollout" or model_explain.is_transformer(model)]
    method = left.selectbox("Method", methods, key="md_x_method", **KEEP)
    official = model_lab.weights_of(key[0], weights)
    size = input_size_of(model)
    batch = model_lab.prepare_batch([images[pick]], size[2], size[1], official)
    content = batch_key(batch)
    logits = cache.logits(*key, content, batch)
    categories = categories_of(official)
    named = (
        categories if categories and len(categories) == logits.shape[1] else [str(c) for c in range(logits.shape[1])]
    )
    ranked = logits[0].argsort(descending=True).tolist()
    target = ranked[0]
    if method == "Attention rollout":
        left.caption("Attention rollout follows the class token's attention: it is the same for every class.")
    else:
        target = left.selectbox(
            "Class explained",
            ranked,
            format_func=lambda c: f"{named[c]} ({logits[0].softmax(0)[c]:.1%})",
            key="md_x_class",
        )
    layer = None
    if method in ("Grad-CAM", "Grad-CAM++"):
        layers = cache.explainable_layers(*key, tuple(batch.shape), method)
        if not layers:
            st.warning(f"{key[0]} has no layer with a spatial output for {method}.", icon=":material/info:")
            return
        layer = left.selectbox("Layer", layers, index=len(layers) - 1, key="md_x_layer", help="Deeper: more semantic")
    if official is None:
        left.caption("Random weights explain nothing: pick official weights to see what a trained model looks at.")
    try:
        heat = cache.explanation(*key, content, batch, method, layer, int(target))
    except (ValueError, RuntimeError) as exc:
        st.error(f"{method} cannot run here: {exc}", icon=":material/error:")
        return
    shown = batch[0]
    picture = images[pick].convert("RGB").resize((shown.shape[-1], shown.shape[-2]))
    caption = f"{method} for “{named[int(target)]}”" + (f" at {layer}" if layer else "")
    if method == "Attention rollout":
        caption = "Attention rollout: where the class token looks, through every block"
    right.image(model_explain.overlay(picture, heat), caption=caption, width="stretch")
    right.image(model_explain.legend(), caption="low ← attribution → high", width="stretch")
    show_top5(left, logits, categories)


def show_compare(key: tuple[str, str, str | None, str], model: Any) -> None:
    """This model beside another: parameters, mult-adds, depth, official GFLOPs and accuracy, and per stage."""
    names = model_explain.ordered_architectures()
    other = st.selectbox(
        "Compare with",
        names,
        index=names.index("vit_b_16") if "vit_b_16" in names else 0,
        format_func=model_explain.arch_label,
        key="md_cmp_arch",
        **KEEP,
    )
    size = input_size_of(model)
    other_params = model_explain.official_facts(other).get("params") or 0
    if other_params > LARGE_MODEL_PARAMS:
        st.info(
            f"{other} has {other_params / 1e6:,.0f} M parameters, too large to build beside this model here: compare "
            "it from its official facts in the picker, or open it as the main model.",
            icon=":material/memory:",
        )
        return
    rows, chart = [], charts.figure()
    for arch, built, model_key in ((key[0], model, key), (other, None, (other, model_lab.NO_WEIGHTS, None, "[]"))):
        built = built if built is not None else cache.model(*model_key)[0]
        try:
            info = cache.model_summary(*model_key, (1, 3, *size[2:]))
        except RuntimeError as exc:
            st.error(f"{arch} cannot run on a {size[2]}×{size[3]} input: {exc}", icon=":material/error:")
            return
        facts = model_explain.official_facts(arch)
        parts = model_explain.stages(info)
        rows.append(
            {
                "model": arch,
                "family": model_explain.family_of(arch),
                "parameters": f"{info.total_params:,}",
                "mult-adds (G)": round(info.total_mult_adds / 1e9, 2),
                "official GFLOPs": facts.get("gflops"),
                "ImageNet top-1 (%)": facts.get("acc1"),
                "layers with weights": model_explain.depth_of(built),
                "output": str(info.output_shape),
                "stages": " → ".join(str(p.output_shape) for p in parts if p.output_shape),
            }
        )
        chart.add_bar(x=[p.name for p in parts], y=[p.params for p in parts], name=f"{arch} parameters")
        chart.add_scatter(
            x=[p.name for p in parts], y=[p.mult_adds for p in parts], name=f"{arch} mult-adds", yaxis="y2"
        )
    st.dataframe(rows, hide_index=True, width="stretch")
    chart.update_layout(
        title="Parameters (bars) and mult-adds (lines) per stage",
        yaxis={"title": "parameters"},
        yaxis2={"title": "mult-adds", "overlaying": "y", "side": "right"},
        height=420,
        barmode="group",
    )
    st.plotly_chart(chart, key="md_cmp_chart")
    st.caption(
        "Mult-adds follow torchinfo (a linear layer counts once per image, not per token), so for transformers the "
        "official GFLOPs from the weights' metadata are the fairer cost."
    )


def show_speed(key: tuple[str, str, str | None, str], model: Any) -> None:
    """A measured forward pass on this server, with the model's size."""
    size = input_size_of(model)
    batch = int(st.number_input("Batch size", 1, 64, 8, key="md_speed_batch", **KEEP))
    columns = st.columns(3)
    columns[0].metric("Size", f"{model_explain.size_mb(model):.1f} MB")
    if not st.button("Measure the forward time", key="md_speed_run", icon=":material/timer:"):
        st.caption("Runs the model on a batch of zeros a few times on this server's CPU (eval mode, no gradients).")
        return
    with st.spinner("Timing…"):
        seconds = model_explain.forward_seconds(model, (batch, *size[1:]))
    columns[1].metric(f"Batch of {batch} at {size[2]}×{size[3]}", f"{seconds * 1000:,.0f} ms")
    columns[2].metric("Per image", f"{seconds * 1000 / batch:,.1f} ms")
    st.caption(f"{torch.get_num_threads()} CPU threads; median of 3 runs after a warm-up.")


routing.require_router()
st.title("Models")
st.caption(
    "Load a CNN or a vision transformer, read where its parameters and compute go, edit it for your task, check it "
    "on real images, and see what it looks at."
)
arch, weights, checkpoint = pick_model()
if not confirmed_size(arch):
    st.stop()
try:
    base, _, report = cache.model(arch, weights, checkpoint, "[]")
except (ValueError, RuntimeError, OSError) as exc:
    st.error(f"This model could not be built, and your edits are kept: {exc}", icon=":material/error:")
    st.stop()
if st.session_state.get("md_for") != (arch, weights, checkpoint):  # edits belong to one base model, once it builds
    st.session_state["md_for"] = (arch, weights, checkpoint)
    edits().clear()
if report is not None:
    (st.success if report.ok else st.warning)(report.describe())
key = (arch, weights, checkpoint, json.dumps(edits()))
model = cache.model(*key)[0]
tabs = st.tabs(
    ["Structure", "Edit", "Feature maps", "Diagram", "Explain", "Compare", "Speed"], key="md_tab", on_change="rerun"
)
if tabs[0].open:
    with tabs[0]:
        show_structure(key, model)
if tabs[1].open:
    with tabs[1]:
        show_edits(arch, weights, checkpoint)
if tabs[2].open:
    with tabs[2]:
        show_features(key, model, weights)
if tabs[3].open:
    with tabs[3]:
        depth = st.slider("Detail", 1, 3, 2, key="md_dot_depth")
        st.graphviz_chart(cache.model_diagram(*key, depth), width="stretch")
if tabs[4].open:
    with tabs[4]:
        show_explanations(key, model, weights)
if tabs[5].open:
    with tabs[5]:
        show_compare(key, model)
if tabs[6].open:
    with tabs[6]:
        show_speed(key, model)
