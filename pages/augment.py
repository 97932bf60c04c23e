"""Augmentation: stack transforms, reroll seeded previews, look inside the tensor, and hand out the pipeline."""

from __future__ import annotations

import io
from typing import Any

import streamlit as st
from PIL import Image

from visionkit.transforms import catalog
from vkapp import augment_lab, cache, preview_worker, routing, sidebar, sources, state
from vkapp.cache import augment_previews

KEEP = {"persist_state": "session"}
DEFAULT_PRESET = "ImageNet training"
LINK_SEEN_KEY = "ag_link_seen"  # the pipeline parameter this page last read from, or wrote to, the address bar


# ---- the pipeline in session state: entries {"uid", "step" (what the widgets say), "valid" (last good), "errors"}


def pipeline() -> list[dict[str, Any]]:
    if state.PIPELINE_KEY not in st.session_state:
        st.session_state[state.PIPELINE_KEY] = entries(catalog.PRESETS[DEFAULT_PRESET])
    return st.session_state[state.PIPELINE_KEY]


def follow_link() -> None:
    """Open the share link in the address bar unless it is the one this page last wrote there: on a session's
    first run, or when the address was changed during the session. A bad link gets a message, and the pipeline
    stays as it was."""
    link = st.query_params.get("p")
    if link is None or link == st.session_state.get(LINK_SEEN_KEY):
        return
    st.session_state[LINK_SEEN_KEY] = link
    if (steps := restore_from_link()) is not None:
        replace_pipeline(steps)


def entries(steps: list[catalog.Step]) -> list[dict[str, Any]]:
    counter = st.session_state.get("ag_uid", 0)
    st.session_state["ag_uid"] = counter + len(steps)
    return [{"uid": counter + i, "step": s, "valid": s, "errors": {}} for i, s in enumerate(steps)]


def replace_pipeline(steps: list[catalog.Step]) -> None:
    st.session_state[state.PIPELINE_KEY] = entries(steps)


#: The largest reroll count a share link may carry.
MAX_ROLL = 1_000_000


def restore_from_link() -> list[catalog.Step] | None:
    """Open a share link: the query parameters hold pipeline and seed. Bad links get a message, not a crash."""
    if "p" not in st.query_params:
        return None
    try:
        steps, _, _ = catalog.from_query(st.query_params.to_dict())
        roll_text = st.query_params.get("roll", "0")
        if not roll_text.isdigit() or not 0 <= int(roll_text) <= MAX_ROLL:
            raise ValueError(f"roll should be a whole number from 0 to {MAX_ROLL:,}, got {roll_text[:20]!r}")
        roll = int(roll_text)
    except ValueError as exc:
        st.session_state["ag_link_error"] = f"This share link could not be opened: {exc}"
        return None
    st.session_state["ag_roll"] = roll
    return steps


def valid_steps() -> list[catalog.Step]:
    return [e["valid"] for e in pipeline()]


# ---- editor


def move(index: int, delta: int) -> None:
    items = pipeline()
    target = index + delta
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]


def remove(index: int) -> None:
    pipeline().pop(index)


def param_widget(column: Any, uid: int, param: catalog.Param, value: Any) -> Any:
    """One generated widget per parameter kind; returns the value the user set (text kinds are parsed)."""
    key = f"ag_{uid}_param_{param.name}"
    label, help_text = param.name, param.help or None
    if param.optional and not column.checkbox(f"set {param.name}", value=value is not None, key=f"{key}_on"):
        return None
    value = augment_lab.initial_value(param) if value is None else value
    if param.kind == "bool":
        return column.checkbox(label, value=bool(value), key=key, help=help_text)
    if param.kind in ("choice", "interpolation"):
        options = list(param.choices)
        return column.selectbox(label, options, index=options.index(value) if value in options else 0, key=key)
    if param.kind in ("int", "float"):
        cast = int if param.kind == "int" else float
        bounds = {"min_value": cast(param.minimum) if param.minimum is not None else None}
        bounds["max_value"] = cast(param.maximum) if param.maximum is not None else None
        step = cast(param.step) if param.step else (1 if cast is int else 0.01)
        return column.number_input(label, value=cast(value), step=step, key=key, help=help_text, **bounds)
    text = column.text_input(label, value=augment_lab.format_value(value), key=key, help=help_text)
    return augment_lab.parse_value(text)


def edit_step(index: int, entry: dict[str, Any], problem: str | None) -> None:
    """One step's expander: its switches and parameters, their errors, and ``problem``, what stops the step from
    running on the image it gets (:func:`visionkit.transforms.catalog.trace`)."""
    step: catalog.Step = entry["step"]
    spec = catalog.CATALOG[step.name]
    uid = entry["uid"]
    flag = "" if step.enabled else " (off)"
    chance = "" if step.p >= 1 else f" · p={step.p:g}"
    mark = " ⚠" if problem else ""
    with st.expander(f"{index + 1}. {step.name}{chance}{flag}{mark}", expanded=bool(entry["errors"] or problem)):
        if problem:
            st.error(f"This step cannot run here: it {problem}.", icon=":material/block:")
        st.caption(spec.summary)
        # Flex rows rather than columns: one layout block per row, whatever the number of widgets in it.
        top = st.container(horizontal=True, vertical_alignment="center")
        enabled = top.checkbox("enabled", value=step.enabled, key=f"ag_{uid}_enabled", width="stretch")
        top.button("↑", key=f"ag_{uid}_up", on_click=move, args=(index, -1), help="Move up")
        top.button("↓", key=f"ag_{uid}_down", on_click=move, args=(index, 1), help="Move down")
        top.button("✕", key=f"ag_{uid}_rm", on_click=remove, args=(index,), help="Remove")
        p = st.slider("probability", 0.0, 1.0, float(step.p), 0.05, key=f"ag_{uid}_p")
        row = st.container(horizontal=True, vertical_alignment="bottom") if spec.params else None
        params = {param.name: param_widget(row, uid, param, step.params.get(param.name)) for param in spec.params}
        new = catalog.Step(step.name, params, enabled=enabled, p=p)
        if new != step:
            entry["step"] = new
            entry["errors"] = catalog.validate_step(new)
            if not entry["errors"]:
                entry["valid"] = new
        for name, message in entry["errors"].items():
            st.error(f"`{name}`: {message} — the previews still use the last valid settings.", icon=":material/error:")


def add_step() -> None:
    with st.container(border=True):
        left, right = st.columns([3, 2])
        text = left.text_input("Find a transform", key="ag_search", placeholder="e.g. crop, blur, jitter")
        group = right.selectbox("Group", ["all", *catalog.GROUPS], key="ag_group")
        found = catalog.search(text, None if group == "all" else group)
        if not found:
            st.caption("No transform matches.")
            return
        name = st.selectbox(
            "Transform",
            [s.name for s in found],
            key="ag_pick",
            format_func=lambda n: f"{n} — {catalog.CATALOG[n].summary}",
        )
        if st.button("Add to the pipeline", key="ag_add", icon=":material/add:", type="primary"):
            pipeline().extend(entries([catalog.default_step(name)]))
            st.rerun()


def presets() -> None:
    row = st.container(horizontal=True, vertical_alignment="bottom")
    names = list(catalog.PRESETS)
    name = row.selectbox("Preset", names, index=names.index(DEFAULT_PRESET), key="ag_preset")
    row.button("Load", key="ag_load_preset", on_click=replace_pipeline, args=(catalog.PRESETS[name],))


def step_problem(steps: list[catalog.Step], image: catalog.ImageInfo) -> catalog.StepInputError | None:
    """Why the pipeline cannot run on the previews' input, naming the step (None when it can)."""
    try:
        augment_lab.check_steps(steps, image)
    except catalog.StepInputError as exc:
        return exc
    return None


def editor() -> None:
    st.subheader("Pipeline")
    presets()
    problem = step_problem(valid_steps(), input_info())
    for index, entry in enumerate(list(pipeline())):
        edit_step(index, entry, problem.reason if problem is not None and problem.index == index else None)
    for problem in catalog.check_pipeline(valid_steps()):
        st.warning(problem, icon=":material/warning:")
    add_step()


# ---- input image


def input_image() -> tuple[Image.Image, str]:
    """The image to augment, scaled for previews, and its content key: an embedded photo, a dataset item, an
    upload or the camera."""
    source = st.segmented_control(
        "Image", ["Photo", "Dataset", "Upload", "Camera"], default="Photo", required=True, key="ag_source", **KEEP
    )
    if source == "Dataset":
        dataset, label = state.current_dataset()
        index = st.number_input(f"Index in {label}", 0, len(dataset) - 1, 0, key="ag_index", **KEEP)
        return augment_lab.preview_and_key(dataset[int(index)][0])
    if source in ("Upload", "Camera"):
        data = (
            st.file_uploader("An image", type=["png", "jpg", "jpeg", "bmp", "webp", "gif", "tif", "tiff"], key="ag_up")
            if source == "Upload"
            else st.camera_input("Take a picture", key="ag_cam")
        )
        if data is not None:
            try:
                return augment_lab.preview_and_key(open_upload(data.getvalue()))
            except ValueError as exc:
                st.error(str(exc), icon=":material/broken_image:")
        st.caption("Showing a sample photo until an image arrives.")
    names = [path.rsplit("/", 1)[-1] for path, _ in cache.dataset("photos", True, None).samples]
    pick = st.selectbox("Photo", range(len(names)), format_func=lambda i: names[i], key="ag_photo", **KEEP)
    return cache.preview_photo(int(pick))


INPUT_INFO_KEY = "ag_input_info"


def input_info() -> catalog.ImageInfo:
    """The previews' last input (its kind, channels and size), to check the editor's steps against: the input itself
    is chosen below the editor, in the previews panel; the first photo's before the panel has run."""
    if INPUT_INFO_KEY not in st.session_state:
        return augment_lab.image_info(cache.preview_photo(0)[0])
    return st.session_state[INPUT_INFO_KEY]


def remember_input(image: Image.Image) -> None:
    """Note the input for the editor; when the editor would then say something else, rerun the whole page so that
    it does."""
    previous, now = st.session_state.get(INPUT_INFO_KEY), augment_lab.image_info(image)
    st.session_state[INPUT_INFO_KEY] = now
    changed = previous is not None and previous != now
    if changed and str(step_problem(valid_steps(), previous)) != str(step_problem(valid_steps(), now)):
        st.rerun(scope="app")


def open_upload(data: bytes) -> Image.Image:
    """Decode an upload, refusing non-images and decompression bombs before decoding pixels."""
    max_pixels = sources.max_image_pixels()
    limit = f"uploads are limited to {max_pixels / 1_000_000:g} megapixels"
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > max_pixels:
            raise ValueError(f"The image declares {image.width}×{image.height} pixels; {limit}.")
        image.load()
    except Image.DecompressionBombError as exc:
        raise ValueError(f"The image declares far too many pixels; {limit}.") from exc
    except Image.UnidentifiedImageError as exc:
        raise ValueError("This file is not an image that can be read: no image format Pillow knows (PNG, JPEG, "
                         "BMP, WebP, GIF, TIFF, ...) starts like it.") from exc  # fmt: skip
    except (OSError, SyntaxError) as exc:  # the header was read but the pixels are not all there
        raise ValueError("This file is not an image that can be read: it is truncated or damaged.") from exc
    return image.convert("RGB") if image.mode not in ("RGB", "L") else image


# ---- previews and views


#: Preview widths in pixels: a class reads four to a row on a laptop, three on a projector in presentation mode.
PREVIEW_WIDTH = {False: 168, True: 300}
STRIP_WIDTH = 96


def pictures(items: list[augment_lab.Picture], width: int) -> None:
    """Pictures side by side, wrapping, with their captions: one element, however many pictures."""
    st.image([p.uri for p in items], caption=[p.caption or "" for p in items], width=width)


def preview_grid(samples: list[augment_lab.Sample], denormalize: bool, large: bool) -> None:
    pictures([s.pictures[denormalize] for s in samples], PREVIEW_WIDTH[large])


def step_strip(detail: augment_lab.Detail) -> None:
    st.markdown("**One sample, step by step** (the image after each step, and the time each step took)")
    pictures(detail.strip, STRIP_WIDTH)


def tensor_view(detail: augment_lab.Detail) -> None:
    st.markdown("**The output tensor**, as `print(img.dtype, img.shape, img.max(), img.min())` would show it:")
    st.code(detail.summary, language="text")
    pictures([detail.raw, detail.denormalized], PREVIEW_WIDTH[False])
    if detail.histogram is not None:
        st.vega_lite_chart(detail.histogram.data, detail.histogram.spec, width="stretch", key="ag_hist")


def export(
    steps: list[catalog.Step],
    seed: int,
    roll: int,
    count: int,
    image: Image.Image,
    key: str,
    texts: augment_lab.PipelineTexts,
) -> None:
    code_tab, json_tab, link_tab = st.tabs(["Python code", "JSON", "Share link"])
    with code_tab:
        row = st.container(horizontal=True, vertical_alignment="bottom")
        library = row.segmented_control(
            "Library", ["visionkit", "torchvision"], default="visionkit", required=True, key="ag_lib", **KEEP
        )
        if st.session_state.get("ag_code_preview", 1) > count:  # fewer previews now: back to the first
            st.session_state["ag_code_preview"] = 1
        preview = int(row.number_input("Code for preview", 1, count, 1, key="ag_code_preview", width=150))
        preview_seed = augment_lab.sample_seed(seed, roll, preview - 1)
        script_input = augment_lab.preview_script_input(image)
        code = augment_lab.preview_code(steps, library, preview_seed=preview_seed, image=script_input)
        st.caption(
            f"This script makes preview {preview} exactly: seed {preview_seed}, on the {image.width}×{image.height} "
            f"px {image.mode} input the previews use. Download both files into one folder and run "
            "`python pipeline.py`: `out` is that preview as the pipeline made it (before any de-normalizing for "
            "display), with visionkit and with torchvision alike."
        )
        st.code(code, language="python")
        files = st.container(horizontal=True)
        files.download_button(
            "Download pipeline.py",
            code,
            "pipeline.py",
            "text/x-python",
            key="ag_dl_code",
            on_click="ignore",
            icon=":material/download:",
        )
        files.download_button(
            f"Download {augment_lab.INPUT_FILE}",
            cache.input_png(key, image),
            augment_lab.INPUT_FILE,
            "image/png",
            key="ag_dl_input",
            on_click="ignore",
            icon=":material/image:",
        )
    with json_tab:
        st.download_button(
            "Download pipeline.json",
            texts.json,
            "pipeline.json",
            "application/json",
            key="ag_dl_json",
            on_click="ignore",
            icon=":material/download:",
        )
        upload = st.file_uploader("Load a pipeline.json", type=["json"], key="ag_json_up")
        if upload is not None and st.session_state.get("ag_json_loaded") != upload.file_id:
            try:
                loaded, _, _ = catalog.from_json(upload.getvalue().decode("utf-8", errors="replace"))
            except ValueError as exc:
                st.error(f"That file was not loaded, and your pipeline is unchanged: {exc}", icon=":material/block:")
            else:
                st.session_state["ag_json_loaded"] = upload.file_id
                replace_pipeline(loaded)
                st.rerun()
    with link_tab:
        st.caption("The address bar always holds the pipeline and the seed: copy it to share the exact previews.")
        roll = st.session_state.get("ag_roll", 0)
        query = "&".join(f"{k}={v}" for k, v in {**texts.query, "roll": roll}.items())
        base = (st.context.url or "").split("?")[0]
        st.code(f"{base}?{query}", language="text")


def sync_link(query: dict[str, str], roll: int) -> None:
    """Keep the URL's query parameters equal to the current pipeline (``query``) and reroll count (the seed widget
    keeps its own parameter), so the address bar is always a link to exactly these previews."""
    wanted = {k: v for k, v in query.items() if k != sidebar.SEED_KEY}
    wanted["roll"] = str(roll)
    st.session_state[LINK_SEEN_KEY] = wanted.get("p")
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value


def previews_or_message(
    image: Image.Image, key: str, pipeline_json: str, seed: int, roll: int, count: int, show_boxes: bool
) -> list[augment_lab.Sample]:
    """The previews, or a message saying why there are none (the pipeline stays as it is)."""
    where = f"this {image.width}×{image.height} image"
    try:
        return augment_previews(key, image, pipeline_json, seed, roll, count, show_boxes)
    except catalog.StepInputError as exc:
        st.error(f"The pipeline cannot run on {where}: {exc}. Nothing was run.", icon=":material/block:")
    except preview_worker.WorkerStopped as exc:
        st.error(f"No previews this time: {exc}.", icon=":material/error:")
    except MemoryError:
        st.error(
            f"The pipeline ran out of memory on {where}; make the images it makes smaller (a Resize or crop first).",
            icon=":material/memory:",
        )
    except (ValueError, TypeError, RuntimeError) as exc:
        st.error(f"The pipeline cannot run on {where}: {exc}", icon=":material/error:")
    return []


@st.fragment
def previews_panel(large: bool) -> None:
    """The input, previews, tensor view and export. A widget in here (reroll, de-normalize, the image) reruns this
    panel alone: the editor, which none of them changes, is not redrawn. Editing the pipeline reruns everything."""
    image, key = input_image()
    remember_input(image)
    controls = st.container(horizontal=True, vertical_alignment="center", gap="small")
    count = controls.slider("Previews", 1, 24, 12, key="ag_count", width=150, **KEEP)
    if controls.button("Reroll", icon=":material/casino:", key="ag_reroll"):
        st.session_state["ag_roll"] = st.session_state.get("ag_roll", 0) + 1
    denormalize = controls.toggle("De-normalize", value=True, key="ag_denorm", width="content", **KEEP)
    show_boxes = controls.toggle("Boxes", value=False, key="ag_boxes", width="content", **KEEP)
    steps = valid_steps()
    seed = sidebar.seed()
    roll = st.session_state.get("ag_roll", 0)
    texts = augment_lab.pipeline_texts(steps, seed)
    sync_link(texts.query, roll)
    # The previews' places come first on the page, but are filled last: everything below them is sent while they
    # are computed, so that the browser has loaded what it needs to draw them (code, downloads) by the time they
    # arrive. A session's first previews get placeholders meanwhile, which also fetch the images' and charts'
    # drawing code.
    grid_slot, detail_slot = st.empty(), st.empty()
    if not st.session_state.get(SHOWN_KEY):
        placeholders(grid_slot, detail_slot, count, large, catalog.normalize_stats(steps) is not None)
    st.toggle(
        "See what training will see: apply this pipeline to the Datasets grid", key=state.APPLY_TO_GRID_KEY, **KEEP
    )
    if not large:
        export(steps, seed, roll, count, image, key, texts)
    with grid_slot.container():
        samples = previews_or_message(image, key, texts.key, seed, roll, count, show_boxes)
        preview_grid(samples, denormalize, large)
    if samples and samples[0].detail is not None and not large:
        with detail_slot.container():
            step_strip(samples[0].detail)
            tensor_view(samples[0].detail)
    else:
        detail_slot.empty()
    st.session_state[SHOWN_KEY] = True


SHOWN_KEY = "ag_shown"
#: A light grey square, drawn at each preview's place until the previews arrive.
PLACEHOLDER = augment_lab.Picture(augment_lab.input_png(Image.new("RGB", (8, 8), (236, 236, 240))), "PNG")


def placeholders(grid: Any, detail: Any, count: int, large: bool, chart: bool) -> None:
    """One grey picture per preview ("computing"), and the detail's heading, until the previews arrive."""
    grid.image(
        [PLACEHOLDER.uri] * count,
        caption=[f"preview {i + 1} · computing…" for i in range(count)],
        width=PREVIEW_WIDTH[large],
    )
    if large:
        return
    with detail.container():
        st.markdown("**One sample, step by step**: computing…")
        if chart:
            st.vega_lite_chart({"mark": "line", "height": 280, "data": {"values": []}}, width="stretch")


routing.require_router()
st.title("Augmentation")
follow_link()  # before anything reads the pipeline
_ = pipeline()  # create the session's pipeline
if "ag_link_error" in st.session_state:
    st.error(st.session_state.pop("ag_link_error"), icon=":material/link_off:")
head = st.columns([4, 1])
head[0].caption("Stack transforms, reroll live previews, and take the exact pipeline with you as code.")
large = head[1].toggle("Presentation mode", key="ag_present", **KEEP, help="Large previews, editing hidden")
view, edit = (st.container(), None) if large else st.columns([3, 2], gap="large")
if edit is not None:
    with edit:
        editor()
with view:
    previews_panel(large)
