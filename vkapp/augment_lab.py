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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import torch
from PIL import Image

from visionkit.transforms import catalog
from visionkit.transforms.functional import pil_to_tensor
from visionkit.utils import draw_bounding_boxes, to_displayable

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


def check_steps(steps: Sequence[catalog.Step], image: Image.Image | catalog.ImageInfo) -> catalog.PipelineTrace:
    """:func:`visionkit.transforms.catalog.trace` of the steps on this image, within the app's limits: no image a
    step makes above :data:`~visionkit.transforms.catalog.MAX_IMAGE_PIXELS` (or the input's own size, for a large
    dataset image) and at most :data:`~visionkit.transforms.catalog.MAX_IMAGE_SECONDS` per image (per megapixel
    of input, for a large one).

    Raises:
        visionkit.transforms.catalog.StepInputError: naming the first step that cannot run on what it gets.
    """
    info = image if isinstance(image, catalog.ImageInfo) else image_info(image)
    return catalog.trace(
        steps,
        info,
        max_pixels=max(catalog.MAX_IMAGE_PIXELS, info.pixels),
        max_seconds=catalog.MAX_IMAGE_SECONDS * max(1.0, info.pixels / 1e6),
    )


def run(transforms: Sequence[Any], names: Sequence[str], image: Any, seed: int, boxes: torch.Tensor | None) -> Sample:
    """Apply the built steps in order on one seeded stream (torch and Python ``random``, as torchvision draws).

    Seeds only torch's CPU generator, which is all that CPU transforms draw from (``torch.manual_seed`` would also
    queue a seed for every accelerator backend, with a stack trace each time).
    """
    sample = Sample(seed)
    current = image
    with GLOBAL_STREAMS:
        torch.default_generator.manual_seed(seed)
        random.seed(seed)
        for transform, name in zip(transforms, names, strict=True):
            start = time.perf_counter()
            current = transform(current)
            elapsed = (time.perf_counter() - start) * 1e3
            params = getattr(transform, "last_params", None)
            sample.steps.append(StepResult(name, params, current, elapsed))
            if boxes is not None and hasattr(transform, "map_boxes"):
                boxes = transform.map_boxes(boxes)
    sample.boxes = boxes
    return sample


def built_steps(steps: Sequence[catalog.Step]) -> tuple[list[Any], list[str]]:
    enabled = [s for s in steps if s.enabled]
    return [catalog.build_step(s) for s in enabled], [s.name for s in enabled]


def previews(
    steps: Sequence[catalog.Step],
    image: Image.Image,
    *,
    seed: int,
    roll: int,
    count: int,
    boxes: torch.Tensor | None,
    keep_outputs: bool = False,
) -> list[Sample]:
    """``count`` seeded samples, each with its pictures; the first also with its :class:`Detail`. Step outputs are
    dropped once the pictures are made (only parameters and times stay, unless ``keep_outputs``), so a page of
    previews stays small. The steps are checked on the image first (:func:`check_steps`).

    Raises:
        visionkit.transforms.catalog.StepInputError: if a step cannot run on what it gets; nothing has run.
    """
    check_steps(steps, image)
    transforms, names = built_steps(steps)
    stats = catalog.normalize_stats(steps)
    samples = []
    for index in range(count):
        sample = run(transforms, names, image, sample_seed(seed, roll, index), boxes)
        final = image if sample.output is None else sample.output
        shown = [with_boxes(display(final, stats, flag), sample.boxes) for flag in (False, True)]
        caption = " · ".join(filter(None, [f"seed {sample.seed}", sample.caption()]))
        sample.pictures = dict(zip((False, True), pictures(shown, [caption] * 2), strict=True))
        if index == 0 and sample.steps:
            sample.detail = detail(image, sample, stats)
        for step in sample.steps[:-1] if keep_outputs else sample.steps:
            step.output = None
        samples.append(sample)
    return samples


def detail(image: Image.Image, sample: Sample, stats: tuple[Sequence[float], Sequence[float]] | None) -> Detail:
    """The step strip, tensor summary, as-is and de-normalised outputs and Normalize histograms of one sample."""
    thumbnail = preview_input(image, STRIP_SIDE)
    strip = pictures(
        [display(thumbnail, None, False), *(display(s.output, stats, False) for s in sample.steps)],
        ["input", *(f"{s.name} · {s.milliseconds:.1f} ms" for s in sample.steps)],
    )
    output = sample.output
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
        centers, counts = value_histogram(output)
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


def pipeline_texts(steps: Sequence[catalog.Step], seed: int) -> PipelineTexts:
    """:class:`PipelineTexts` of valid steps, remembered: a rerun that did not change the pipeline or the seed
    validates and serialises nothing (a reroll changes neither)."""
    # a step's repr holds its name, parameters (typed), switch and p
    return _remembered(
        ("texts", tuple(map(repr, steps)), seed),
        lambda: PipelineTexts(
            key=catalog.to_json(steps), query=catalog.to_query(steps, seed), json=catalog.to_json(steps, seed=seed)
        ),
    )


def preview_code(steps: Sequence[catalog.Step], library: str, *, preview_seed: int, image: catalog.ScriptInput) -> str:
    """The script that makes one preview, for one library: it opens ``image`` and seeds with ``preview_seed``
    (:func:`preview_script_input`, :func:`sample_seed`); remembered as :func:`pipeline_texts` is."""
    return _remembered(
        ("code", tuple(map(repr, steps)), library, preview_seed, image),
        lambda: catalog.to_code(steps, library=library, seed=preview_seed, image=image),
    )


#: The file an exported preview script opens: the previews' input, downloaded beside the script.
INPUT_FILE = "preview-input.png"


def preview_script_input(image: Image.Image) -> catalog.ScriptInput:
    """The previews' input as an exported script opens it: :data:`INPUT_FILE`, with its size and mode."""
    about = f"the copy of the image that the previews use (longest side at most {PREVIEW_SIDE} px)"
    return catalog.ScriptInput(INPUT_FILE, image.width, image.height, image.mode, about=about)


def input_png(image: Image.Image) -> bytes:
    """The previews' input as a PNG file: exactly its pixels, for the script that reproduces a preview."""
    encoded = io.BytesIO()
    image.save(encoded, format="PNG")
    return encoded.getvalue()


def augmented_pixels(steps: Sequence[catalog.Step], image: Image.Image, seed: int) -> np.ndarray:
    """One seeded pass of the pipeline, de-normalised for display (the Datasets grid's "what training sees").

    Raises:
        visionkit.transforms.catalog.StepInputError: if a step cannot run on the image (:func:`check_steps`).
    """
    check_steps(steps, image)
    transforms, names = built_steps(steps)
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
    """How a size/fill/pair parameter reads in a text field: ``[28, 28]`` -> ``"28, 28"``."""
    return ", ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)


def parse_value(text: str) -> Any:
    """``"224"`` -> 224, ``"28, 28"`` -> [28, 28], ``"0.1, 2"`` -> [0.1, 2.0]; other text is returned for validation."""
    parts = [p.strip() for p in text.replace("(", "").replace(")", "").split(",") if p.strip()]
    try:
        numbers = [int(p) if p.lstrip("-").isdigit() else float(p) for p in parts]
    except ValueError:
        return text
    return numbers[0] if len(numbers) == 1 else numbers


def image_key(image: Image.Image) -> str:
    """A content key for caching previews of an image."""
    digest = hashlib.blake2b(image.tobytes(), digest_size=12).hexdigest()
    return f"{image.mode}{image.size}{digest}"


def sample_boxes(image: Image.Image) -> torch.Tensor:
    """Two boxes to watch move with geometric steps: the center of the image and its upper-left quarter."""
    w, h = image.size
    return torch.tensor([[0.3 * w, 0.3 * h, 0.7 * w, 0.7 * h], [0.05 * w, 0.05 * h, 0.4 * w, 0.35 * h]])
