"""Augmentation: stack transforms, reroll seeded previews, look inside the tensor, and hand out the pipeline."""

from __future__ import annotations

import io
from typing import Any

import streamlit as st
from PIL import Image

from visionkit.transforms import catalog
from vkapp import annotated, augment_lab, batch_mix, cache, preview_worker, routing, sidebar, sources, state
from vkapp.cache import augment_previews

KEEP = {"persist_state": "session"}
DEFAULT_PRESET = "ImageNet training"
#: New pipelines are written for v2, the API people write today; v1 stays one click away.
DEFAULT_API = "v2"
API_LABELS = {"v2": "v2 (images, boxes, masks, keypoints)", "v1": "v1 (images)"}
LINK_SEEN_KEY = "ag_link_seen"  # the pipeline parameter this page last read from, or wrote to, the address bar


# ---- the pipeline in session state: entries {"uid", "step" (what the widgets say), "valid" (last good), "errors"}


def presets_of(api: str) -> dict[str, list[catalog.Step]]:
    return catalog.PRESETS_V2 if api == "v2" else catalog.PRESETS


def api() -> str:
    """The API the pipeline is written for."""
    return st.session_state.get(state.API_KEY, DEFAULT_API)


def pipeline() -> list[dict[str, Any]]:
    if state.PIPELINE_KEY not in st.session_state:
        st.session_state[state.API_KEY] = api()
        st.session_state[state.PIPELINE_KEY] = entries(presets_of(api())[DEFAULT_PRESET])
    return st.session_state[state.PIPELINE_KEY]


def follow_link() -> None:
    """Open the share link in the address bar unless it is the one this page last wrote there: on a session's
    first run, or when the address was changed during the session. A bad link gets a message, and the pipeline
    stays as it was."""
    link = st.query_params.get("p")
    if link is None or link == st.session_state.get(LINK_SEEN_KEY):
        return
    st.session_state[LINK_SEEN_KEY] = link
    if (found := restore_from_link()) is not None:
        replace_pipeline(*found)


def entries(steps: list[catalog.Step]) -> list[dict[str, Any]]:
    counter = st.session_state.get("ag_uid", 0)
    st.session_state["ag_uid"] = counter + len(steps)
    return [{"uid": counter + i, "step": s, "valid": s, "errors": {}} for i, s in enumerate(steps)]


def replace_pipeline(steps: list[catalog.Step], written_for: str | None = None) -> None:
    """Make ``steps`` the pipeline, written for ``written_for`` (the current API when None)."""
    st.session_state[state.API_KEY] = written_for or api()
    st.session_state[state.PIPELINE_KEY] = entries(steps)
    # the preset box names the preset the pipeline is, when it is one (applied before the box is drawn again)
    matching = [name for name, preset in presets_of(api()).items() if preset == steps]
    st.session_state[PRESET_PENDING_KEY] = matching[0] if matching else None


PRESET_PENDING_KEY = "ag_preset_pending"
#: The index of the "Dataset" input when the Datasets page shows a detection set (its "Augment this image" sets it).
DETECTION_INDEX_KEY = "ag_index_detection"


def switch_api() -> None:
    """The API control changed: the pipeline is rewritten for the new API (its conversions are the other API's),
    or, where it has a step the new API lacks, stays as it is with the old API and a message."""
    wanted, before = st.session_state["ag_api_pick"], api()
    if wanted == before:
        return
    try:
        converted = augment_lab.convert_api(valid_steps(), wanted)
    except ValueError as exc:
        st.session_state["ag_api_pick"] = before
        st.session_state["ag_api_error"] = f"The pipeline stays in {before}: {exc}."
        return
    replace_pipeline(converted, wanted)


#: The largest reroll count a share link may carry.
MAX_ROLL = 1_000_000


def restore_from_link() -> tuple[list[catalog.Step], str] | None:
    """Open a share link: the query parameters hold pipeline, API and seed. Bad links get a message, not a
    crash."""
    if "p" not in st.query_params:
        return None
    try:
        steps, _, written_for = catalog.from_query(st.query_params.to_dict())
        roll_text = st.query_params.get("roll", "0")
        if not roll_text.isdigit() or not 0 <= int(roll_text) <= MAX_ROLL:
            raise ValueError(f"roll should be a whole number from 0 to {MAX_ROLL:,}, got {roll_text[:20]!r}")
        roll = int(roll_text)
    except ValueError as exc:
        st.session_state["ag_link_error"] = f"This share link could not be opened: {exc}"
        return None
    st.session_state["ag_roll"] = roll
    return steps, written_for


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
    spec = catalog.spec_for(step.name, api=api())
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
            entry["errors"] = catalog.validate_step(new, api=api())
            if not entry["errors"]:
                entry["valid"] = new
        for name, message in entry["errors"].items():
            st.error(f"`{name}`: {message} — the previews still use the last valid settings.", icon=":material/error:")


def add_step() -> None:
    with st.container(border=True):
        left, right = st.columns([3, 2])
        text = left.text_input("Find a transform", key="ag_search", placeholder="e.g. crop, blur, jitter")
        groups = [g for g in catalog.GROUPS if catalog.search(group=g, api=api())]
        group = right.selectbox("Group", ["all", *groups], key="ag_group")
        found = catalog.search(text, None if group not in groups else group, api=api())
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
            pipeline().extend(entries([catalog.default_step(name, api=api())]))
            st.rerun()


def presets() -> None:
    row = st.container(horizontal=True, vertical_alignment="bottom")
    found = presets_of(api())
    names = list(found)
    pending = st.session_state.pop(PRESET_PENDING_KEY, None)
    if pending in names:
        st.session_state["ag_preset"] = pending
    if st.session_state.get("ag_preset") not in names:
        st.session_state["ag_preset"] = DEFAULT_PRESET
    name = row.selectbox("Preset", names, key="ag_preset")
    row.button("Load", key="ag_load_preset", on_click=replace_pipeline, args=(found[name],))


def api_picker() -> None:
    if st.session_state.get("ag_api_pick") != api():  # first run, or a link, a file or pasted code changed it
        st.session_state["ag_api_pick"] = api()
    st.segmented_control(
        "API",
        list(API_LABELS),
        format_func=API_LABELS.get,
        required=True,
        key="ag_api_pick",
        on_change=switch_api,
        help="torchvision.transforms.v2 moves an image together with its boxes, masks and keypoints; v1 "
        "transforms take images only. Switching rewrites the conversion steps for the other API.",
    )
    if "ag_api_error" in st.session_state:
        st.error(st.session_state.pop("ag_api_error"), icon=":material/block:")


def paste_code() -> None:
    """Import a pipeline from pasted torchvision code: read with ``ast``, never run; a message (naming the line)
    when it cannot be read, and the pipeline stays."""
    with st.expander("Import torchvision code", icon=":material/content_paste:"):
        text = st.text_area(
            "Paste a pipeline",
            key="ag_paste",
            height=150,
            max_chars=catalog.MAX_JSON_CHARS,
            placeholder="from torchvision.transforms import v2\n\nv2.Compose([\n    v2.RandomResizedCrop(224),\n"
            "    v2.RandomHorizontalFlip(),\n])",
            help="v1 or v2 code: a Compose([...]), a list or one transform, with or without imports and a "
            "transforms./T./v2. prefix. It is read, never run.",
        )
        if st.button("Import", key="ag_paste_go", icon=":material/input:", disabled=not text.strip()):
            try:
                steps, written_for = catalog.from_code(text)
            except catalog.CodeImportError as exc:
                st.error(f"That code was not imported, and your pipeline is unchanged: {exc}", icon=":material/block:")
            else:
                replace_pipeline(steps, written_for)
                st.session_state["ag_paste_done"] = f"Imported {len(steps)} steps ({written_for})."
                st.rerun()
        if "ag_paste_done" in st.session_state:
            st.success(st.session_state.pop("ag_paste_done"), icon=":material/check:")


def step_problem(
    steps: list[catalog.Step], image: tuple[catalog.ImageInfo, tuple[str, ...]]
) -> catalog.StepInputError | None:
    """Why the pipeline cannot run on the previews' input (its image and the objects it carries), naming the step
    (None when it can)."""
    info, kinds = image
    try:
        augment_lab.check_steps(steps, info, api=api(), kinds=kinds)
    except catalog.StepInputError as exc:
        return exc
    return None


def editor() -> None:
    st.subheader("Pipeline")
    api_picker()
    presets()
    problem = step_problem(valid_steps(), input_info())
    for index, entry in enumerate(list(pipeline())):
        edit_step(index, entry, problem.reason if problem is not None and problem.index == index else None)
    for problem in catalog.check_pipeline(valid_steps(), api=api()):
        st.warning(problem, icon=":material/warning:")
    add_step()
    paste_code()


# ---- input image


def input_image() -> tuple[Image.Image, str, annotated.Annotations | None]:
    """The image to augment, scaled for previews, its content key and its objects (None where it has none): an
    embedded photo, a shape image, a dataset item, an upload or the camera."""
    source = st.segmented_control(
        "Image",
        ["Photo", "Shapes", "Dataset", "Upload", "Camera"],
        default="Photo",
        required=True,
        key="ag_source",
        **KEEP,
    )
    if source == "Dataset" and (shown := state.current_detection()) is not None:
        try:
            found = cache.detection_set(*shown)
            index = int(st.number_input(f"Index in {found.title}", 0, len(found) - 1, key=DETECTION_INDEX_KEY, **KEEP))
            return cache.detection_preview_item(*shown, index)
        except (OSError, ValueError) as exc:  # SourceError is a ValueError: the folder went away
            st.error(f"This image of the Datasets page's set cannot be read: {exc}", icon=":material/broken_image:")
            st.caption("Showing a sample photo instead.")
    elif source in ("Dataset", "Shapes"):
        name, train = ("shapes", True) if source == "Shapes" else state.current_source()
        label = "the shapes" if source == "Shapes" else sources.SOURCES[name].label
        size = len(cache.dataset(name, train, None))
        index = int(st.number_input(f"Index in {label}", 0, size - 1, 0, key=f"ag_index_{source}", **KEEP))
        return cache.preview_item(name, train, index)
    if source in ("Upload", "Camera"):
        data = (
            st.file_uploader("An image", type=["png", "jpg", "jpeg", "bmp", "webp", "gif", "tif", "tiff"], key="ag_up")
            if source == "Upload"
            else st.camera_input("Take a picture", key="ag_cam")
        )
        if data is not None:
            try:
                return *augment_lab.preview_and_key(open_upload(data.getvalue())), None
            except ValueError as exc:
                st.error(str(exc), icon=":material/broken_image:")
        st.caption("Showing a sample photo until an image arrives.")
    names = [path.rsplit("/", 1)[-1] for path, _ in cache.dataset("photos", True, None).samples]
    pick = int(st.selectbox("Photo", range(len(names)), format_func=lambda i: names[i], key="ag_photo", **KEEP))
    return cache.preview_item("photos", True, pick)


def default_objects(offered: tuple[str, ...]) -> tuple[str, ...]:
    """The objects a v2 preview carries until the user picks: boxes and keypoints. Masks are one click away: on a
    photo where one object fills the frame they would tint the whole preview."""
    return tuple(kind for kind in offered if kind != "masks")


def objects_picker(found: annotated.Annotations | None) -> tuple[str, ...]:
    """Which of the input's objects the previews carry and draw: in v2 any of its boxes, masks and keypoints (the
    sample is then ``(image, target)``), in v1 only boxes, which v1 moves alongside the image."""
    offered = found.kinds if found is not None else ()
    if api() == "v1":
        offered = ("boxes",)  # v1's map_boxes: the photo's boxes, or two sample boxes
    if not offered:
        st.caption("This image has no annotated objects: the previews show the image alone.")
        return ()
    key = f"ag_objects_{api()}_{'-'.join(offered)}"
    default = list(default_objects(offered)) if api() == "v2" else []
    chosen = st.pills("Objects", list(offered), selection_mode="multi", default=default, key=key, **KEEP)
    return tuple(kind for kind in offered if kind in (chosen or []))


INPUT_INFO_KEY = "ag_input_info"


def input_info() -> tuple[catalog.ImageInfo, tuple[str, ...]]:
    """The previews' last input (its kind, channels and size, and the objects it carries), to check the editor's
    steps against: the input itself is chosen below the editor, in the previews panel; the first photo's with all
    its objects before the panel has run."""
    if INPUT_INFO_KEY not in st.session_state:
        image, _, found = cache.preview_item("photos", True, 0)
        kinds = default_objects(found.kinds) if found is not None and api() == "v2" else ()
        return augment_lab.image_info(image), kinds
    return st.session_state[INPUT_INFO_KEY]


def remember_input(image: Image.Image, kinds: tuple[str, ...]) -> None:
    """Note the input for the editor; when the editor would then say something else, rerun the whole page so that
    it does."""
    previous, now = st.session_state.get(INPUT_INFO_KEY), (augment_lab.image_info(image), kinds)
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
    given: augment_lab.PreviewInput,
    key: str,
    texts: augment_lab.PipelineTexts,
) -> None:
    image = given.image
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
        script_input = augment_lab.preview_script_input(given, api())
        code = augment_lab.preview_code(steps, library, preview_seed=preview_seed, image=script_input, api=api())
        objects = script_input.annotations
        files_named = "both files" if objects is None or objects.mask_path is None else "the three files"
        made = (
            "`out_img, out_target` are that preview's image and objects"
            if objects is not None
            else "`out` is that preview"
        )
        st.caption(
            f"This script makes preview {preview} exactly: seed {preview_seed}, on the {image.width}×{image.height} "
            f"px {image.mode} input the previews use. Download {files_named} into one folder and run "
            f"`python pipeline.py`: {made} as the pipeline made it (before any de-normalizing for display), with "
            "visionkit and with torchvision alike."
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
        if objects is not None and objects.mask_path is not None and given.annotations is not None:
            files.download_button(
                f"Download {annotated.MASK_FILE}",
                given.annotations.instance_ids or b"",
                annotated.MASK_FILE,
                "image/png",
                key="ag_dl_masks",
                on_click="ignore",
                icon=":material/layers:",
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
                loaded, _, written_for = catalog.from_json(upload.getvalue().decode("utf-8", errors="replace"))
            except ValueError as exc:
                st.error(f"That file was not loaded, and your pipeline is unchanged: {exc}", icon=":material/block:")
            else:
                st.session_state["ag_json_loaded"] = upload.file_id
                replace_pipeline(loaded, written_for)
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
    given: augment_lab.PreviewInput, key: str, pipeline_json: str, seed: int, roll: int, count: int
) -> list[augment_lab.Sample]:
    """The previews, or a message saying why there are none (the pipeline stays as it is)."""
    image = given.image
    carried = f" with its {', '.join(given.kinds)}" if given.kinds and api() == "v2" else ""
    where = f"this {image.width}×{image.height} image{carried}"
    try:
        return augment_previews(augment_lab.input_key(key, given), given, pipeline_json, seed, roll, count)
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
    image, key, found = input_image()
    kinds = objects_picker(found)
    given = augment_lab.PreviewInput(image, found if api() == "v2" else None, kinds)
    remember_input(image, kinds if api() == "v2" else ())
    controls = st.container(horizontal=True, vertical_alignment="center", gap="small")
    count = controls.slider("Previews", 1, 24, 12, key="ag_count", width=150, **KEEP)
    if controls.button("Reroll", icon=":material/casino:", key="ag_reroll"):
        st.session_state["ag_roll"] = st.session_state.get("ag_roll", 0) + 1
    denormalize = controls.toggle("De-normalize", value=True, key="ag_denorm", width="content", **KEEP)
    steps = valid_steps()
    seed = sidebar.seed()
    roll = st.session_state.get("ag_roll", 0)
    texts = augment_lab.pipeline_texts(steps, seed, api())
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
        mix_panel(texts.key, seed, roll)
        export(steps, seed, roll, count, given, key, texts)
    with grid_slot.container():
        samples = previews_or_message(given, key, texts.key, seed, roll, count)
        preview_grid(samples, denormalize, large)
        dropped_list(samples)
    if samples and samples[0].detail is not None and not large:
        with detail_slot.container():
            step_strip(samples[0].detail)
            tensor_view(samples[0].detail)
    else:
        detail_slot.empty()
    st.session_state[SHOWN_KEY] = True


def dropped_list(samples: list[augment_lab.Sample]) -> None:
    """Which objects SanitizeBoundingBoxes removed from which preview (too small, or outside the crop)."""
    lines = [f"preview {i + 1} (seed {s.seed}): {', '.join(s.dropped)}" for i, s in enumerate(samples) if s.dropped]
    if lines:
        st.markdown(
            "**Dropped by SanitizeBoundingBoxes** (degenerate, too small, or outside the image after the crop):\n"
            + "\n".join(f"- {line}" for line in lines)
        )


#: Batch sizes the mix preview offers.
MIX_BATCH = (4, 6, 8)


def mix_panel(pipeline_json: str, seed: int, roll: int) -> None:
    """CutMix / MixUp on a batch: one preview of each of several images of the current dataset (as many classes as
    it has), mixed as torchvision's classification reference mixes a batch after the DataLoader, each with its
    mixed label vector."""
    with st.expander("CutMix / MixUp on a batch", icon=":material/join:"):
        if not st.toggle("Mix a batch of previews", key="ag_mix_on", **KEEP):
            st.caption("CutMix and MixUp mix whole batches after the DataLoader: turn this on to see one mixed.")
            return
        row = st.container(horizontal=True, vertical_alignment="bottom")
        mix = row.segmented_control("Mix", batch_mix.MIXES, default="CutMix", required=True, key="ag_mix", **KEEP)
        alpha = row.number_input("alpha", 0.05, 10.0, 1.0, 0.05, key="ag_mix_alpha", width=120, **KEEP)
        size = row.selectbox("Batch", MIX_BATCH, index=1, key="ag_mix_batch", width=100, **KEEP)
        source, train = state.current_source()
        st.caption(
            f"One image of each class of {sources.SOURCES[source].label} goes through the pipeline (seed "
            f"{augment_lab.sample_seed(seed, roll, 0)} onwards), then the batch is mixed: each image gets a patch "
            "(CutMix) or a blend (MixUp) of the one before it, and its label becomes the weights of both classes."
        )
        try:
            mixed = cache.mixed_batch(
                source, train, pipeline_json, augment_lab.sample_seed(seed, roll, 0), int(size), mix, float(alpha)
            )
        except (ValueError, TypeError, RuntimeError) as exc:
            st.error(f"No mixed batch: {exc}", icon=":material/error:")
            return
        except MemoryError:
            st.error("No mixed batch: the pipeline ran out of memory.", icon=":material/memory:")
            return
        pictures(list(mixed.pictures), PREVIEW_WIDTH[False])


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
