"""What the Augmentation page computes: seeded previews, the step-by-step strip, tensor stats and mapped boxes.

A pipeline runs one step at a time on one seeded random stream, which is exactly what ``Compose`` does, so every
intermediate image, each step's sampled parameters and its time come out of the same pass.
A pass holds the global random streams from seeding to its last step (see :mod:`vkapp.random_streams`).

Everything the page shows of a set of previews (encoded images, captions, the tensor summary, histograms) is
computed here once, so a rerun that only redraws the page encodes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import io
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import torch
from PIL import Image

from visionkit.transforms import catalog
from visionkit.transforms import v2 as transforms_v2
from visionkit.transforms.functional import pil_to_tensor
from visionkit.transforms.v2._transform import _RandomApplyTransform
from visionkit.utils import draw_bounding_boxes, to_displayable

from . import annotated
from .annotated import Annotations, image_of, target_of
from .random_streams import GLOBAL_STREAMS

#: Previews work on the input scaled to this longest side: what a class sees on a projector, at interactive speed.
PREVIEW_SIDE = 256
#: Images up to this many pixels are sent as PNG (exact pixels, and small anyway); larger ones as JPEG.
PNG_MAX_PIXELS = 128 * 128
#: The step strip's input thumbnail: the strip shows small images, and a small input keeps it all PNG.
STRIP_SIDE = 128
JPEG_QUALITY = 92
#: The longest side of a picture sent to the browser: larger outputs are shown scaled down to it.
DISPLAY_SIDE = 448


@dataclass
class StepResult:
    """One step of one sample: the transform's name, its sampled parameters, the output and the time it took."""

    name: str
    params: dict[str, Any] | None
    output: Any
    milliseconds: float


@dataclass(frozen=True)
class PipelineTexts:
    """What the page derives from a pipeline and a seed, computed once per distinct pipeline: the previews' cache key
    (the steps as JSON), the share link's query parameters and the JSON download."""

    key: str
    query: dict[str, str]
    json: str


@dataclass(frozen=True)
class Picture:
    """An encoded image and its caption; ``uri`` is the image as a ``data:`` URI, computed once.

    A page shows pictures by their URI: ``st.image`` then passes the text on as it is, where for bytes it would
    decode each image's header, hash it and register it as a file for the browser to fetch, on every rerun.
    """

    data: bytes
    format: str
    caption: str | None = None
    uri: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        encoded = base64.b64encode(self.data).decode("ascii")
        object.__setattr__(self, "uri", f"data:image/{self.format.lower()};base64,{encoded}")


@dataclass(frozen=True)
class Chart:
    """A Vega-Lite chart, ``st.vega_lite_chart(chart.data, chart.spec)``: its data as an Arrow table, which Streamlit
    sends as it is (dicts or a DataFrame it would convert to Arrow again on every rerun)."""

    data: pa.Table
    spec: dict[str, Any]


@dataclass
class Detail:
    """What the page shows of the first sample beyond its preview: the image after each step (the input first,
    captions with each step's time), the output tensor as ``print`` shows it, the output as is and de-normalised,
    and a chart of the value histograms before and after Normalize (None without Normalize)."""

    strip: list[Picture]
    summary: str
    raw: Picture
    denormalized: Picture
    histogram: Chart | None


@dataclass
class Sample:
    """One preview: each step's parameters (and outputs until :func:`previews` has made the pictures), the mapped
    boxes, and the final image encoded as is and de-normalised, captioned with what the random steps drew."""

    seed: int
    steps: list[StepResult] = field(default_factory=list)
    boxes: torch.Tensor | None = None
    pictures: dict[bool, Picture] = field(default_factory=dict)
    detail: Detail | None = None
    #: The objects that SanitizeBoundingBoxes steps removed, as "name (step n)" (v2 samples with boxes).
    dropped: list[str] = field(default_factory=list)

    @property
    def output(self) -> Any:
        return self.steps[-1].output if self.steps else None

    def caption(self) -> str | None:
        """What the random steps drew, e.g. ``ResizedCrop top=10 left=32 · HorizontalFlip flipped``."""
        drawn = [describe(s.name, s.params) for s in self.steps if catalog.CATALOG[s.name].random]
        return " · ".join(d for d in drawn if d) or None


def preview_input(image: Image.Image, side: int = PREVIEW_SIDE) -> Image.Image:
    """The input as previews use it: RGB (or L), longest side at most ``side`` px."""
    image = image if image.mode in ("RGB", "L") else image.convert("RGB")
    scale = side / max(image.size)
    if scale >= 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BILINEAR)


def preview_and_key(image: Image.Image) -> tuple[Image.Image, str]:
    """The input as previews use it (:func:`preview_input`) and its content key (:func:`image_key`)."""
    image = preview_input(image)
    return image, image_key(image)


#: The most previews a page shows; each reroll moves the previews' seeds on by this many.
MAX_PREVIEWS = 24


def sample_seed(seed: int, roll: int, index: int) -> int:
    """The seed of preview ``index``: ``seed + 24 * roll + index`` (within torch's seed range), so a reroll gives
    every preview a new seed, and each preview's seed is a small number a script can pass to
    ``torch.manual_seed``."""
    return (seed + MAX_PREVIEWS * roll + index) % (catalog.MAX_SEED + 1)


def image_info(image: Image.Image) -> catalog.ImageInfo:
    """What :func:`visionkit.transforms.catalog.trace` needs to know of a PIL image."""
    return catalog.ImageInfo("pil", len(image.getbands()), image.height, image.width)


def check_steps(
    steps: Sequence[catalog.Step],
    image: Image.Image | catalog.ImageInfo,
    *,
    api: str = "v1",
    kinds: Sequence[str] = (),
) -> catalog.PipelineTrace:
    """:func:`visionkit.transforms.catalog.trace` of the steps on this image, within the app's limits: no image a
    step makes above :data:`~visionkit.transforms.catalog.MAX_IMAGE_PIXELS` (or the input's own size, for a large
    dataset image) and at most :data:`~visionkit.transforms.catalog.MAX_IMAGE_SECONDS` per image (per megapixel
    of input, for a large one). In v2, ``kinds`` (of :data:`vkapp.annotated.KINDS`) are the annotations the sample
    carries: any of them means boxes and labels, and steps that cannot take them are refused.

    Raises:
        visionkit.transforms.catalog.StepInputError: naming the first step that cannot run on what it gets.
    """
    info = image if isinstance(image, catalog.ImageInfo) else image_info(image)
    objects = api == "v2" and bool(kinds)
    return catalog.trace(
        steps,
        info,
        max_pixels=max(catalog.MAX_IMAGE_PIXELS, info.pixels),
        max_seconds=catalog.MAX_IMAGE_SECONDS * max(1.0, info.pixels / 1e6),
        api=api,
        boxes=objects,
        masks=objects and "masks" in kinds,
        keypoints=objects and "keypoints" in kinds,
    )


def run(
    transforms: Sequence[Any],
    names: Sequence[str],
    image: Any,
    seed: int,
    boxes: torch.Tensor | None,
    class_names: Mapping[int, str] | None = None,
) -> Sample:
    """Apply the built steps in order on one seeded stream (torch and Python ``random``, as torchvision draws).

    ``image`` is what the first step takes: an image, or in v2 an ``(image, target)`` pair. v1 steps keep what
    they drew in ``last_params`` and move ``boxes`` with ``map_boxes``; a v2 step's parameters are what its
    ``make_params`` returned (:func:`recording`). The objects SanitizeBoundingBoxes removes are named by
    ``class_names`` (their label where it has none).

    Seeds only torch's CPU generator, which is all that CPU transforms draw from (``torch.manual_seed`` would also
    queue a seed for every accelerator backend, with a stack trace each time).
    """
    sample = Sample(seed)
    current = image
    with GLOBAL_STREAMS:
        torch.default_generator.manual_seed(seed)
        random.seed(seed)
        for number, (transform, name) in enumerate(zip(transforms, names, strict=True), start=1):
            before = current
            _forget_params(transform)
            start = time.perf_counter()
            current = transform(current)
            elapsed = (time.perf_counter() - start) * 1e3
            sample.steps.append(StepResult(name, _params_of(transform), current, elapsed))
            if boxes is not None and hasattr(transform, "map_boxes"):
                boxes = transform.map_boxes(boxes)
            if name == "SanitizeBoundingBoxes":
                gone = annotated.dropped(target_of(before), target_of(current), class_names or {})
                sample.dropped += [f"{what} (step {number})" for what in gone]
    sample.boxes = boxes
    return sample


def recording(transform: Any) -> Any:
    """A v2 transform that keeps what its ``make_params`` returns (in ``last_params``, as v1 transforms do), so
    previews can say what each step drew; a step that applies with a probability records ``apply``. The transform
    draws exactly what it would: the recording only reads the parameters."""
    inner = transform.transforms[0] if isinstance(transform, transforms_v2.RandomApply) else transform
    made = inner.make_params

    def make_params(flat_inputs: list[Any]) -> dict[str, Any]:
        params = made(flat_inputs)
        inner.last_params = dict(params)
        return params

    # object.__setattr__: a module given a module as an attribute would make it a submodule (itself, here)
    object.__setattr__(inner, "make_params", make_params)
    object.__setattr__(transform, "_recorded", inner)
    return transform


def _forget_params(transform: Any) -> None:
    inner = getattr(transform, "_recorded", None)
    if inner is not None:
        inner.last_params = None


def _params_of(transform: Any) -> dict[str, Any] | None:
    inner = getattr(transform, "_recorded", None)
    if inner is None:
        return getattr(transform, "last_params", None)
    params = getattr(inner, "last_params", None)
    random_apply = inner is not transform or isinstance(inner, _RandomApplyTransform)
    if params is None:
        return {"apply": False} if random_apply else None
    return params or ({"apply": True} if random_apply else None)


def built_steps(steps: Sequence[catalog.Step], api: str = "v1") -> tuple[list[Any], list[str]]:
    """The transforms of the enabled steps in ``api`` (v2 ones recording their parameters), and their names."""
    enabled = [s for s in steps if s.enabled]
    built = [catalog.build_step(s, api=api) for s in enabled]
    if api == "v2":
        built = [recording(transform) for transform in built]
    return built, [s.name for s in enabled]


@dataclass(frozen=True)
class PreviewInput:
    """What previews run on: the image (as previews use it), its objects if it has any, and which of them
    (:data:`vkapp.annotated.KINDS`) the sample carries; in v1 only boxes can be chosen (moved with
    ``map_boxes``, and not part of what the pipeline gets)."""

    image: Image.Image
    annotations: Annotations | None = None
    kinds: tuple[str, ...] = ()

    def sample(self, api: str) -> Any:
        """What the pipeline's first step takes: the image, or in v2 with objects ``(image, target)``."""
        if api != "v2" or not self.kinds or self.annotations is None:
            return self.image
        return self.image, self.annotations.target(self.image, self.kinds)

    def v1_boxes(self) -> torch.Tensor | None:
        if "boxes" not in self.kinds:
            return None
        if self.annotations is not None and self.annotations.boxes:
            return torch.tensor(self.annotations.boxes, dtype=torch.float32)
        return sample_boxes(self.image)


def previews(
    steps: Sequence[catalog.Step],
    image: Image.Image | PreviewInput,
    *,
    seed: int,
    roll: int,
    count: int,
    boxes: torch.Tensor | None = None,
    keep_outputs: bool = False,
    api: str = "v1",
) -> list[Sample]:
    """``count`` seeded samples, each with its pictures; the first also with its :class:`Detail`. Step outputs are
    dropped once the pictures are made (only parameters and times stay, unless ``keep_outputs``), so a page of
    previews stays small. The steps are checked on the input first (:func:`check_steps`).

    ``image`` is an image, or a :class:`PreviewInput` with the objects to run the pipeline on (v2) and draw;
    ``boxes`` are v1's boxes to move (with an image only).

    Raises:
        visionkit.transforms.catalog.StepInputError: if a step cannot run on what it gets; nothing has run.
    """
    given = image if isinstance(image, PreviewInput) else PreviewInput(image)
    objects = given.annotations if api == "v2" else None
    kinds = given.kinds if api == "v2" else ()
    check_steps(steps, given.image, api=api, kinds=kinds)
    transforms, names = built_steps(steps, api)
    class_names = objects.names if objects is not None else None
    boxes = given.v1_boxes() if api == "v1" and boxes is None else boxes
    stats = catalog.normalize_stats(steps)
    samples = []
    start = given.sample(api)
    for index in range(count):
        sample = run(transforms, names, start, sample_seed(seed, roll, index), boxes, class_names)
        final = start if sample.output is None else sample.output
        shown = [_shown(final, stats, flag, sample.boxes, objects, kinds) for flag in (False, True)]
        dropped = f"dropped: {', '.join(sample.dropped)}" if sample.dropped else None
        caption = " · ".join(filter(None, [f"seed {sample.seed}", sample.caption(), dropped]))
        sample.pictures = dict(zip((False, True), pictures(shown, [caption] * 2), strict=True))
        if index == 0 and sample.steps:
            sample.detail = detail(start, sample, stats, objects, kinds)
        for step in sample.steps[:-1] if keep_outputs else sample.steps:
            step.output = None
        samples.append(sample)
    return samples


def _shown(
    output: Any,
    stats: tuple[Sequence[float], Sequence[float]] | None,
    denormalize: bool,
    boxes: torch.Tensor | None,
    objects: Annotations | None,
    kinds: Sequence[str],
) -> np.ndarray:
    """An output as a preview shows it: its image, with v1's moved boxes or a v2 target's objects drawn."""
    pixels = display(image_of(output), stats, denormalize)
    if objects is not None:
        return annotated.draw(pixels, target_of(output), objects, kinds)
    return with_boxes(pixels, boxes)


def detail(
    start: Any,
    sample: Sample,
    stats: tuple[Sequence[float], Sequence[float]] | None,
    objects: Annotations | None = None,
    kinds: Sequence[str] = (),
) -> Detail:
    """The step strip, tensor summary, as-is and de-normalised outputs and Normalize histograms of one sample."""
    first = start if objects is not None else preview_input(image_of(start), STRIP_SIDE)
    strip = pictures(
        [_shown(first, None, False, None, objects, kinds), *(
            _shown(s.output, stats, False, None, objects, kinds) for s in sample.steps)],
        ["input", *(f"{s.name} · {s.milliseconds:.1f} ms" for s in sample.steps)],
    )  # fmt: skip
    output = image_of(sample.output)
    raw, denormalized = pictures(
        [display(output, stats, False), display(output, stats, True)],
        ["as is (clamped to [0, 1])", "de-normalized"],
    )
    return Detail(strip, tensor_summary(output), raw, denormalized, normalize_histogram(sample.steps))


def normalize_histogram(steps: Sequence[StepResult]) -> Chart | None:
    """A Vega-Lite chart of the value histograms of the input and output of the first Normalize step (None without
    one)."""
    names = [s.name for s in steps]
    if "Normalize" not in names:
        return None
    at = names.index("Normalize")
    shown = [("before Normalize", steps[at - 1].output)] if at > 0 else []
    columns: dict[str, list[Any]] = {"value": [], "count": [], "series": []}
    for label, output in [*shown, ("after Normalize", steps[at].output)]:
        centers, counts = value_histogram(image_of(output))
        columns["value"] += centers.tolist()
        columns["count"] += counts.tolist()
        columns["series"] += [label] * len(counts)
    spec = {
        "title": "Pixel values before and after Normalize",
        "height": 280,
        "mark": {"type": "line", "interpolate": "step"},
        "encoding": {
            "x": {"field": "value", "type": "quantitative", "title": "value"},
            "y": {"field": "count", "type": "quantitative", "title": "count"},
            "color": {"field": "series", "type": "nominal", "title": None, "sort": [label for label, _ in shown]},
        },
    }
    return Chart(pa.table(columns), spec)


def pictures(images: Sequence[np.ndarray], captions: Sequence[str | None]) -> list[Picture]:
    """Encode displayable pixels (HW or HWC uint8) once, all in one format (one ``st.image`` shows them together):
    PNG when every image is small (exact pixels, and small files anyway), else JPEG. An image larger than
    :data:`DISPLAY_SIDE` is scaled down to it first: the page shows previews a few hundred pixels wide, and a
    pipeline that makes 2048-pixel images would otherwise send megabytes per preview to the browser."""
    shown = [_fit(Image.fromarray(p[..., 0] if p.ndim == 3 and p.shape[2] == 1 else p)) for p in images]
    small = all(image.width * image.height <= PNG_MAX_PIXELS for image in shown)
    found = []
    for image, caption in zip(shown, captions, strict=True):
        encoded = io.BytesIO()
        if small:
            image.save(encoded, format="PNG", compress_level=1)
        else:
            image.save(encoded, format="JPEG", quality=JPEG_QUALITY)
        found.append(Picture(encoded.getvalue(), "PNG" if small else "JPEG", caption))
    return found


def _fit(image: Image.Image) -> Image.Image:
    if max(image.size) <= DISPLAY_SIDE:
        return image
    scale = DISPLAY_SIDE / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)


_TEXTS: dict[tuple[Any, ...], Any] = {}
_TEXTS_LOCK = threading.Lock()
_TEXTS_KEPT = 512


def _remembered(key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
    """``make()``, remembered under ``key`` for the last few hundred keys of the whole server."""
    with _TEXTS_LOCK:
        found = _TEXTS.get(key)
    if found is None:
        found = make()
        with _TEXTS_LOCK:
            if len(_TEXTS) >= _TEXTS_KEPT:
                del _TEXTS[next(iter(_TEXTS))]
            _TEXTS[key] = found
    return found


def pipeline_texts(steps: Sequence[catalog.Step], seed: int, api: str = "v1") -> PipelineTexts:
    """:class:`PipelineTexts` of valid steps in ``api``, remembered: a rerun that did not change the pipeline, its
    API or the seed validates and serialises nothing (a reroll changes none of them)."""
    # a step's repr holds its name, parameters (typed), switch and p
    return _remembered(
        ("texts", tuple(map(repr, steps)), seed, api),
        lambda: PipelineTexts(
            key=catalog.to_json(steps, api=api),
            query=catalog.to_query(steps, seed, api=api),
            json=catalog.to_json(steps, seed=seed, api=api),
        ),
    )


def preview_code(
    steps: Sequence[catalog.Step],
    library: str,
    *,
    preview_seed: int,
    image: catalog.ScriptInput,
    api: str = "v1",
) -> str:
    """The script that makes one preview, for one library: it opens ``image`` (and in v2 builds its objects' target)
    and seeds with ``preview_seed`` (:func:`preview_script_input`, :func:`sample_seed`); remembered as
    :func:`pipeline_texts` is."""
    return _remembered(
        ("code", tuple(map(repr, steps)), library, preview_seed, image, api),
        lambda: catalog.to_code(steps, library=library, seed=preview_seed, image=image, api=api),
    )


#: The file an exported preview script opens: the previews' input, downloaded beside the script.
INPUT_FILE = "preview-input.png"


def preview_script_input(image: Image.Image | PreviewInput, api: str = "v1") -> catalog.ScriptInput:
    """The previews' input as an exported script opens it: :data:`INPUT_FILE`, with its size and mode, and in v2
    the objects the sample carries (:class:`PreviewInput`)."""
    given = image if isinstance(image, PreviewInput) else PreviewInput(image)
    about = f"the copy of the image that the previews use (longest side at most {PREVIEW_SIDE} px)"
    objects = None
    if api == "v2" and given.kinds and given.annotations is not None:
        objects = given.annotations.script(given.kinds)
    picture = given.image
    return catalog.ScriptInput(
        INPUT_FILE, picture.width, picture.height, picture.mode, about=about, annotations=objects
    )


def input_png(image: Image.Image) -> bytes:
    """The previews' input as a PNG file: exactly its pixels, for the script that reproduces a preview."""
    encoded = io.BytesIO()
    image.save(encoded, format="PNG")
    return encoded.getvalue()


def augmented_pixels(steps: Sequence[catalog.Step], image: Image.Image, seed: int, api: str = "v1") -> np.ndarray:
    """One seeded pass of the pipeline (in ``api``, on the image alone), de-normalised for display (the Datasets
    grid's "what training sees").

    Raises:
        visionkit.transforms.catalog.StepInputError: if a step cannot run on the image (:func:`check_steps`).
    """
    check_steps(steps, image, api=api)
    transforms, names = built_steps(steps, api)
    output = run(transforms, names, image, seed, None).output
    return display(image if output is None else output, catalog.normalize_stats(steps), denormalize=True)


def display(output: Any, stats: tuple[Sequence[float], Sequence[float]] | None, denormalize: bool) -> np.ndarray:
    """uint8 HWC pixels for ``st.image``: PIL as is, tensors clamped, optionally de-normalised first."""
    if isinstance(output, Image.Image):
        return np.asarray(output)
    mean, std = stats if (denormalize and stats is not None) else (None, None)
    return to_displayable(output.detach(), mean=mean, std=std)


def with_boxes(pixels: np.ndarray, boxes: torch.Tensor | None, color: str = "#ffcc00") -> np.ndarray:
    """Draw boxes on displayable pixels (what the preview shows)."""
    if boxes is None or len(boxes) == 0:
        return pixels
    image = pil_to_tensor(Image.fromarray(pixels))
    if image.shape[0] == 1:
        image = image.expand(3, -1, -1)
    width = max(1, round(max(image.shape[1:]) / 128))
    drawn = draw_bounding_boxes(image, boxes.float(), colors=color, width=width)
    return drawn.permute(1, 2, 0).numpy()


#: Parameters that restate the input or are too large to read in a caption.
_QUIET = {"image_size", "paddings", "order", "policy_index", "displacement", "value", "image_weight", "chain_weights"}
# v2's make_params bookkeeping: which branch a step takes, not what it drew
_QUIET |= {"needs_crop", "needs_pad", "contrast_before", "is_within_crop_area", "fill", "coefficients"}


def describe(name: str, params: dict[str, Any] | None) -> str:
    """A short caption of what one random step drew, e.g. ``Crop top=10 left=32`` or ``Rotation angle=-26.2``."""
    short = name.removeprefix("Random")
    if not params:
        return ""
    if params.get("apply") is False:
        return f"{short}: skipped"
    parts = [_describe_value(key, value) for key, value in params.items() if key not in _QUIET and key != "apply"]
    shown = " ".join(p for p in parts if p)
    return f"{short} {shown}".strip()


def _describe_value(key: str, value: Any) -> str:
    if value is None:
        return ""
    key = key.removesuffix("_factor")  # v2's colour factors: "brightness=1.07"
    if key == "flip":
        return "flipped" if value else "not flipped"
    if key in ("ops", "chains"):
        ops = value if key == "ops" else [op for chain in value for op in chain]
        return ", ".join(f"{op} {magnitude:.3g}" for op, magnitude in ops) or "identity"
    if isinstance(value, torch.Tensor):
        return f"{key}={value.item():.3g}" if value.numel() == 1 else ""
    if isinstance(value, float):
        return f"{key}={value:.3g}"
    if isinstance(value, (list, tuple)):
        return f"{key}=({', '.join(f'{v:.3g}' if isinstance(v, float) else str(v) for v in value)})"
    return f"{key}={value}"


def tensor_summary(output: Any) -> str:
    """What ``print(img.dtype, img.shape, img.max(), img.min())`` shows for the output."""
    if isinstance(output, Image.Image):
        return f"PIL.Image mode={output.mode} size={output.size}"
    return f"{output.dtype} {tuple(output.shape)} max={output.max().item():.4g} min={output.min().item():.4g}"


def value_histogram(output: Any, bins: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Histogram of every value of an output (PIL or tensor): (bin centers, counts)."""
    values = np.asarray(output, dtype=np.float64) if isinstance(output, Image.Image) else output.double().numpy()
    counts, edges = np.histogram(values.ravel(), bins=bins)
    return (edges[:-1] + edges[1:]) / 2, counts


def initial_value(param: catalog.Param) -> Any:
    """What a parameter's widget starts from: its default, or for an optional one that defaults to None, the
    smallest allowed value of its kind (ticking "set padding" starts at 0, not at None)."""
    if param.default is not None:
        return param.default
    low = param.minimum if param.minimum is not None else 0
    starts = {"int": int(low), "float": float(low), "bool": False, "int_pair": [int(low)] * 2}
    starts["float_pair"] = [float(low)] * 2
    return param.choices[0] if param.choices else starts.get(param.kind, int(low))


def format_value(value: Any) -> str:
    """How a size/fill/pair parameter reads in a text field: ``[28, 28]`` -> ``"28, 28"``; a v2 per-type fill
    ``{"Mask": 0, "others": [123, 117, 104]}`` -> ``"Mask: 0; others: 123, 117, 104"``."""
    if isinstance(value, dict):
        return "; ".join(f"{kind}: {format_value(fill)}" for kind, fill in value.items())
    return ", ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)


def parse_value(text: str) -> Any:
    """``"224"`` -> 224, ``"28, 28"`` -> [28, 28], ``"0.1, 2"`` -> [0.1, 2.0], ``"Mask: 0; others: 1, 2, 3"`` ->
    ``{"Mask": 0, "others": [1, 2, 3]}``; other text is returned for validation."""
    if ":" in text:
        pairs = [part.split(":", 1) for part in text.split(";") if part.strip()]
        if not all(len(pair) == 2 for pair in pairs):
            return text
        return {kind.strip(): parse_value(fill.strip()) for kind, fill in pairs}
    parts = [p.strip() for p in text.replace("(", "").replace(")", "").split(",") if p.strip()]
    try:
        numbers = [int(p) if p.lstrip("-").isdigit() else float(p) for p in parts]
    except ValueError:
        return text
    return numbers[0] if len(numbers) == 1 else numbers


def input_key(image_key: str, given: PreviewInput) -> str:
    """The content key of a :class:`PreviewInput`: its image's (:func:`image_key`), its objects' and those chosen."""
    objects = given.annotations.key() if given.annotations is not None else "-"
    return f"{image_key}:{objects}:{','.join(given.kinds)}"


def image_key(image: Image.Image) -> str:
    """A content key for caching previews of an image."""
    digest = hashlib.blake2b(image.tobytes(), digest_size=12).hexdigest()
    return f"{image.mode}{image.size}{digest}"


def sample_boxes(image: Image.Image) -> torch.Tensor:
    """Two boxes to watch move with geometric steps: the center of the image and its upper-left quarter."""
    w, h = image.size
    return torch.tensor([[0.3 * w, 0.3 * h, 0.7 * w, 0.7 * h], [0.05 * w, 0.05 * h, 0.4 * w, 0.35 * h]])


def convert_api(steps: Sequence[catalog.Step], api: str) -> list[catalog.Step]:
    """The steps written for the other API as ``api`` writes them: v2 reads v1's ``ToTensor`` as ``ToImage`` then
    ``ToDtype(float32, scale=True)`` and ``ConvertImageDtype(dtype)`` as ``ToDtype(dtype, scale=True)``; v1 reads
    those back (``ToImage`` alone as ``PILToTensor``). Every other step keeps its name and parameters.

    Raises:
        ValueError: naming the steps that ``api`` does not have (v2's detection steps in v1); nothing is converted.
    """
    available = {spec.name for spec in catalog.search(api=api)}
    convertible = {"v1": {"ToImage", "ToDtype"}, "v2": {"ToTensor", "ConvertImageDtype"}}[api]
    missing = [
        f"{step.name} (step {number})"
        for number, step in enumerate(steps, 1)
        if step.name not in available and step.name not in convertible
    ]
    if missing:
        raise ValueError(f"{api} has no {', '.join(missing)}: remove those steps first")
    converted: list[catalog.Step] = []
    index = 0
    while index < len(steps):
        step, following = steps[index], steps[index + 1] if index + 1 < len(steps) else None
        index += 1
        if step.name in available:
            converted.append(catalog.Step(step.name, dict(step.params), step.enabled, step.p))
            continue
        if api == "v2" and step.name == "ToTensor":
            converted += [catalog.Step("ToImage", {}, step.enabled, step.p), _to_dtype("float32", step)]
        elif api == "v2" and step.name == "ConvertImageDtype":
            converted.append(_to_dtype(step.params.get("dtype", "float32"), step))
        elif api == "v1" and step.name == "ToImage":
            fused = (
                following is not None
                and following.name == "ToDtype"
                and following.params.get("dtype") == "float32"
                and following.params.get("scale", False)
                and (following.enabled, following.p) == (step.enabled, step.p) == (True, 1.0)
            )
            converted.append(catalog.Step("ToTensor" if fused else "PILToTensor", {}, step.enabled, step.p))
            index += fused
        elif api == "v1" and step.name == "ToDtype" and step.params.get("scale", False):
            converted.append(catalog.Step("ConvertImageDtype", {"dtype": step.params.get("dtype", "float32")},
                                          step.enabled, step.p))  # fmt: skip
        else:  # ToDtype without scale: v1 has no conversion that keeps the values
            raise ValueError(f"v1 has no ToDtype(scale=False) (step {index}): remove it or set scale first")
    return converted


def _to_dtype(dtype: str, like: catalog.Step) -> catalog.Step:
    return catalog.Step("ToDtype", {"dtype": dtype, "scale": True}, like.enabled, like.p)
