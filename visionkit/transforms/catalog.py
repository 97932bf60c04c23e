"""The transform catalog: one declaration per transform that a pipeline editor can offer.

Each :class:`TransformSpec` lists the constructor arguments as :class:`Param` (kind, torchvision's default, range,
one-line help). That single declaration drives everything a UI needs: widgets, validation (:func:`validate_step`),
building (:func:`build_step`, :func:`build_pipeline`), order checks (:func:`check_pipeline`), what each step makes
of a given input and whether it can run on it at all (:func:`trace`), JSON save and load (:func:`to_json`,
:func:`from_json`), code export (:func:`to_code`) and share links (:func:`to_query`, :func:`from_query`).

A pipeline is a list of :class:`Step`: a transform name and JSON values for its arguments (lists for pairs,
``"BILINEAR"`` for interpolation modes), written for one of the :data:`APIS`: ``v1`` (``visionkit.transforms``, as
``torchvision.transforms``) or ``v2`` (``visionkit.transforms.v2``, as ``torchvision.transforms.v2``, which also
transforms the bounding boxes, masks and keypoints of a sample). Every function that builds, checks or writes steps
takes ``api``: ``"v1"`` by default, what documents without an api field were written for. Loading is strict: every
value is checked against its declaration, then the transform is constructed to catch what its own ``__init__``
rejects, and nothing is ever evaluated as code.
"""

from __future__ import annotations

import base64
import binascii
import inspect
import json
import math
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import torch

from .. import tv_tensors
from . import _auto_augment, _color_transforms, _geometry_transforms, _misc_transforms
from . import v2 as _v2
from ._auto_augment import AutoAugmentPolicy
from ._base import Compose, RandomApply
from ._image import InterpolationMode

__all__ = [
    "APIS",
    "CATALOG",
    "FILL_TYPES",
    "GROUPS",
    "KINDS",
    "MAX_IMAGE_PIXELS",
    "MAX_IMAGE_SECONDS",
    "MAX_JSON_CHARS",
    "MAX_SEED",
    "MAX_STEPS",
    "PRESETS",
    "PRESETS_V2",
    "CodeImportError",
    "ImageInfo",
    "Param",
    "PipelineTrace",
    "ScriptAnnotations",
    "ScriptInput",
    "Step",
    "StepInputError",
    "TransformSpec",
    "build_pipeline",
    "build_step",
    "check_pipeline",
    "default_step",
    "from_code",
    "from_json",
    "from_query",
    "normalize_stats",
    "search",
    "spec_for",
    "to_code",
    "to_json",
    "to_query",
    "trace",
    "validate_step",
]

GROUPS = ("geometry", "color", "blur and noise", "erasing", "auto-augment", "conversion", "boxes")
#: The transform APIs a pipeline can be written for: ``v1`` is ``visionkit.transforms`` (``torchvision.transforms``),
#: ``v2`` is ``visionkit.transforms.v2`` (``torchvision.transforms.v2``).
APIS = ("v1", "v2")
#: The keys of a per-type ``fill`` (v2 only, :attr:`Param.per_type`): the ``tv_tensors`` types it fills with their
#: own value, and ``"others"`` for the rest.
FILL_TYPES = ("Image", "Mask", "Video", "others")

_FORMAT = "visionkit-pipeline"
_VERSION = 1
MAX_STEPS = 50
MAX_JSON_CHARS = 100_000
MAX_SEED = 2**31 - 1
#: The most pixels (height x width) of any image a step makes, also inside a step (RandomCrop's padded image):
#: the largest square a size parameter can ask for, 2048 x 2048. A float RGB image that size takes 50 MB, and a
#: warp or a blur a few times that; a pipeline that grows past it (eight Pad(512) make 8,448 x 8,448) is refused
#: by :func:`trace` before anything runs.
MAX_IMAGE_PIXELS = 2048 * 2048
#: The most time one image may take through a pipeline, as :func:`trace` estimates it for one core: a preview
#: page of 12 images then takes at most about 3 s. Elastic warps with a large sigma, many AugMix chains or a wide
#: blur on a large image cost seconds per image, and are refused by :func:`trace` before anything runs.
MAX_IMAGE_SECONDS = 0.25
_MAX_QUERY_CHARS = 20_000
_MAX_CHANNELS = 4


@dataclass(frozen=True)
class Param:
    """One constructor argument of a transform.

    Attributes:
        name: the argument's name, exactly torchvision's.
        kind: ``int``, ``float``, ``bool``, ``choice`` (one of ``choices``), ``int_pair`` / ``float_pair``
            (a list of 2 numbers), ``size`` (an int or ``[h, w]``), ``ints`` (an int or a list of 1 to 16 ints),
            ``fill`` (a number or one number per channel, or one of the strings in ``choices``) or ``interpolation``
            (an ``InterpolationMode`` name in ``choices``).
        default: torchvision's default as a JSON value; for a required argument, a sensible starting value.
        minimum: smallest allowed number (every number of a pair or a fill), if bounded.
        maximum: largest allowed number, if bounded.
        step: a convenient widget step.
        choices: the allowed values of a ``choice`` or ``interpolation``; extra strings a ``fill`` accepts.
        optional: ``None`` is allowed (and means what it means to the transform, e.g. no padding).
        help: one line for the widget.
        tensor_sequence: a ``fill`` may be a list on a tensor too (a list takes 1 value, or one per channel, on
            every kind of image); ``False`` where v1 tensors take one number only (padding; v2 pads tensors with a
            list too).
        per_type: in v2, the ``fill`` may also be a dict of fills per kind of data, keyed by some of
            :data:`FILL_TYPES` (``{"Mask": 0, "others": [123, 117, 104]}``): v2 fills a ``tv_tensors`` type with its
            own value and everything else (PIL images, plain tensors) with ``"others"``, or ``None`` without it.
    """

    name: str
    kind: str
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    choices: tuple[Any, ...] = ()
    optional: bool = False
    help: str = ""
    tensor_sequence: bool = True
    per_type: bool = False


@dataclass(frozen=True)
class TransformSpec:
    """What a pipeline editor needs to know about one transform class.

    Attributes:
        name: the class name in ``visionkit.transforms`` and/or ``visionkit.transforms.v2`` (and torchvision's).
        group: one of :data:`GROUPS`.
        summary: one sentence: what it does and when to use it.
        params: the constructor arguments, in signature order (``inplace`` flags are left out: a pipeline editor
            should never overwrite its input).
        random: calling it draws random numbers.
        input: ``image`` (PIL or tensor), ``tensor`` or ``pil``.
        output: ``same`` (the input's type), ``tensor`` or ``pil``.
        boxes: it works on boxes: in v1, ``map_boxes`` works (boxes move with the pixels, or stay when pixels do
            not move); in v2, it runs on a sample with ``BoundingBoxes`` (which it moves, or leaves), and with a
            ``Mask`` and ``KeyPoints`` too (v2's auto-augment policies refuse all three).
        tensor_dtypes: the tensor dtypes it accepts: ``uint8`` and/or ``float`` (empty for PIL-only transforms).
        shape: the images a call makes from an input, the output last, at their largest (any random draw):
            ``shape(params, image)`` with every parameter's JSON value and an :class:`ImageInfo`; it raises
            ``ValueError`` (a reason, e.g. "needs 2 channels") where the step always fails on that input. ``None``:
            the output has the input's channels and size.
        apis: the :data:`APIS` that have it. v2 deprecates ``ToTensor`` and ``ConvertImageDtype`` (its pipelines use
            ``ToImage`` and ``ToDtype``); the detection steps are v2's only.
        needs_boxes: it does nothing useful without bounding boxes in the sample (:func:`trace` refuses it on an
            input without them).
        v2_changes: the fields above that are different in v2 (e.g. v2's RandomErasing takes PIL images too):
            :func:`spec_for` gives the spec as one API has it. Parameters are the same in both: their names and
            defaults are v1's and v2's.
    """

    name: str
    group: str
    summary: str
    params: tuple[Param, ...]
    random: bool
    input: str
    output: str
    boxes: bool
    tensor_dtypes: tuple[str, ...] = ("uint8", "float")
    shape: Callable[[Mapping[str, Any], ImageInfo], tuple[ImageInfo, ...]] | None = None
    apis: tuple[str, ...] = APIS
    needs_boxes: bool = False
    v2_changes: Mapping[str, Any] = field(default_factory=dict, hash=False)


@dataclass
class Step:
    """One step of a pipeline.

    Attributes:
        name: a :data:`CATALOG` key.
        params: JSON values of the arguments (lists for pairs); missing ones take their default.
        enabled: disabled steps are kept but not built.
        p: probability of applying the step; below 1 the transform is wrapped in ``RandomApply([...], p)``.
    """

    name: str
    params: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True
    p: float = 1.0


@dataclass(frozen=True)
class ImageInfo:
    """What goes into a step, or comes out of it: its kind, channels and size.

    Attributes:
        kind: ``pil`` (a PIL image), ``uint8`` or ``float`` (a tensor).
        channels: 1 to 4 (an ``L`` PIL image has 1, ``RGB`` 3).
        height: in pixels.
        width: in pixels.
    """

    kind: str
    channels: int
    height: int
    width: int

    @property
    def pixels(self) -> int:
        return self.height * self.width

    def resized(self, height: int, width: int) -> ImageInfo:
        return replace(self, height=height, width=width)


class StepInputError(ValueError):
    """A step that cannot run on what it gets (:func:`trace`); the message names the step, e.g. ``step 5
    Pad(padding=512) would make an image of up to 4,352 x 4,352 pixels (18.9 MP); ...``.

    Attributes:
        index: the step's position in the list given to :func:`trace` (disabled steps count).
        step: that step.
        reason: the message without the step's name, for a message shown beside that step.
    """

    def __init__(self, index: int, step: Step, reason: str) -> None:
        super().__init__(f"step {index + 1} {_call_label(step)} {reason}")
        self.index = index
        self.step = step
        self.reason = reason

    def __reduce__(self) -> tuple[Any, ...]:  # raised in a worker process, it reaches the server whole
        return (type(self), (self.index, self.step, self.reason))


def _one_line(value: Any) -> bool:
    return isinstance(value, str) and bool(value) and "\n" not in value


def _numbers(value: Any, length: int) -> bool:
    return isinstance(value, (list, tuple)) and len(value) == length and all(_is_number(v) for v in value)


@dataclass(frozen=True)
class ScriptAnnotations:
    """The objects of a detection sample, so that an exported v2 script (:func:`to_code`) runs the pipeline on the
    same ``(image, target)`` pair as the preview: ``out_img, out_target = pipeline(img, target)``.

    Sequences are stored as tuples (the annotations are hashable, like :class:`ScriptInput`).

    Attributes:
        boxes: one ``[x1, y1, x2, y2]`` per object, in pixels, with ``x1 <= x2`` and ``y1 <= y2``.
        labels: one class index per object.
        mask_path: a PNG of integer instance ids beside the script, of the image's size: 0 is background and
            ``i + 1`` is object ``i``; the script makes one binary mask per object of it. ``None``: no masks.
        keypoints: the instances that have keypoints (a person has them, a cup has none), not tied to the boxes:
            one or more, each a list of its ``[x, y]`` points in pixels, the same number for every instance;
            ``None``: no keypoints.
    """

    boxes: Sequence[Sequence[float]]
    labels: Sequence[int]
    mask_path: str | None = None
    keypoints: Sequence[Sequence[Sequence[float]]] | None = None

    def __post_init__(self) -> None:
        boxes, labels, keypoints = self.boxes, self.labels, self.keypoints
        if not isinstance(boxes, (list, tuple)) or not all(
            _numbers(box, 4) and box[0] <= box[2] and box[1] <= box[3] for box in boxes
        ):
            raise ValueError(
                f"boxes should be a list of [x1, y1, x2, y2] with x1 <= x2 and y1 <= y2, got {_show(boxes)}"
            )
        if not (isinstance(labels, (list, tuple)) and len(labels) == len(boxes)) or not all(
            _is_number(label, integer=True) for label in labels
        ):
            raise ValueError(f"labels should be a list of {len(boxes)} ints, one per box, got {_show(labels)}")
        if self.mask_path is not None and not _one_line(self.mask_path):
            raise ValueError(f"mask_path should be None or a non-empty str on one line, got {_show(self.mask_path)}")
        if keypoints is not None and not (
            isinstance(keypoints, (list, tuple))
            and keypoints
            and all(isinstance(points, (list, tuple)) and points for points in keypoints)
            and len({len(points) for points in keypoints}) == 1
            and all(_numbers(point, 2) for points in keypoints for point in points)
        ):
            raise ValueError(
                f"keypoints should be None or a list of 1 or more instances, each a list of [x, y] points, the "
                f"same number for every instance, got {_show(keypoints)}"
            )
        object.__setattr__(self, "boxes", tuple(tuple(float(v) for v in box) for box in boxes))
        object.__setattr__(self, "labels", tuple(labels))
        if keypoints is not None:
            points = tuple(tuple(tuple(float(v) for v in point) for point in obj) for obj in keypoints)
            object.__setattr__(self, "keypoints", points)

    @property
    def _keypoints_shape(self) -> tuple[int, int, int]:
        """``(instances, points per instance, 2)``; ``(0, 0, 2)`` without keypoints."""
        return (len(self.keypoints), len(self.keypoints[0]), 2) if self.keypoints else (0, 0, 2)

    def target(self, canvas_size: tuple[int, int], instance_ids: torch.Tensor | None = None) -> dict[str, Any]:
        """The target an exported script builds, made of ``visionkit.tv_tensors``: ``boxes`` (XYXY), ``labels``,
        ``masks`` (one uint8 mask per object, where ``instance_ids`` equals its id) and ``keypoints`` (``KeyPoints``
        of shape ``(instances, points, 2)``).

        Args:
            canvas_size: the image's ``(height, width)``.
            instance_ids (Tensor[H, W]): the pixels of the mask PNG; needed if there is a ``mask_path``.
        """
        count = len(self.boxes)
        boxes = torch.tensor(self.boxes, dtype=torch.float32).reshape(count, 4)
        target: dict[str, Any] = {
            "boxes": tv_tensors.BoundingBoxes(boxes, format="XYXY", canvas_size=canvas_size),
            "labels": torch.tensor(self.labels, dtype=torch.int64).reshape(count),
        }
        if self.mask_path is not None:
            if instance_ids is None or tuple(instance_ids.shape) != tuple(canvas_size):
                raise ValueError(f"instance_ids should be a tensor of shape {tuple(canvas_size)} for mask_path")
            ids = instance_ids.to(torch.int64)
            target["masks"] = tv_tensors.Mask((ids[None] == torch.arange(1, count + 1)[:, None, None]).to(torch.uint8))
        if self.keypoints is not None:
            points = torch.tensor(self.keypoints, dtype=torch.float32).reshape(self._keypoints_shape)
            target["keypoints"] = tv_tensors.KeyPoints(points, canvas_size=canvas_size)
        return target


@dataclass(frozen=True)
class ScriptInput:
    """The image an exported script opens (:func:`to_code`): a file of exactly the pixels the pipeline got, and the
    size and mode the script checks it has.

    Attributes:
        path: the file, as the script should open it (e.g. just its name, next to the script).
        width: its width in pixels.
        height: its height in pixels.
        mode: ``RGB`` or ``L``; the script converts to it.
        about: what the file is, for the script's comment (e.g. "the photo scaled to 256 px, as the previews
            use it").
        annotations: the sample's objects (v2 scripts only): the script runs ``pipeline(img, target)`` on them.
    """

    path: str
    width: int
    height: int
    mode: str = "RGB"
    about: str = ""
    annotations: ScriptAnnotations | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.path, str) or not self.path or "\n" in self.path:
            raise ValueError(f"path should be a non-empty str on one line, got {_show(self.path)}")
        if not all(_is_number(v, True) and v >= 1 for v in (self.width, self.height)):
            raise ValueError(f"width and height should be positive ints, got {_show((self.width, self.height))}")
        if self.mode not in ("RGB", "L"):
            raise ValueError(f"mode should be 'RGB' or 'L', got {_show(self.mode)}")
        if not isinstance(self.about, str) or "\n" in self.about:
            raise ValueError(f"about should be a str on one line, got {_show(self.about)}")
        if self.annotations is not None and not isinstance(self.annotations, ScriptAnnotations):
            raise TypeError(f"annotations should be a ScriptAnnotations or None, got {type(self.annotations).__name__}")


# -------------------------------------------------------------------------------- what a step makes of its input
def _pair(size: int | Sequence[int]) -> tuple[int, int]:
    """A size parameter as ``(h, w)``."""
    return (size, size) if isinstance(size, int) else (size[0], size[1])


def _resize_shape(params: Mapping[str, Any], image: ImageInfo) -> tuple[ImageInfo, ...]:
    """torchvision's rule: a pair is ``(h, w)``; an int is the shorter side, the longer one scaled (and capped at
    ``max_size``), truncated to ints."""
    size, max_size = params["size"], params["max_size"]
    if not isinstance(size, int):
        return (image.resized(*_pair(size)),)
    short, long = sorted((image.height, image.width))
    new_short, new_long = size, int(size * long / short)
    if max_size is not None and new_long > max_size:
        new_short, new_long = int(max_size * new_short / new_long), max_size
    wide = image.width >= image.height
    return (image.resized(new_short, new_long) if wide else image.resized(new_long, new_short),)


def _sized_shape(params: Mapping[str, Any], image: ImageInfo) -> tuple[ImageInfo, ...]:
    """Crops that always give ``size`` (CenterCrop pads a smaller image, RandomResizedCrop resizes its crop)."""
    return (image.resized(*_pair(params["size"])),)


def _check_reflect(image: ImageInfo, padding: int, mode: str) -> None:
    if mode == "reflect" and image.kind != "pil" and padding >= min(image.height, image.width):
        raise ValueError(
            f"pads a tensor by {padding} px in reflect mode, which needs padding smaller than the image's sides "
            f"({image.width} x {image.height}): lower padding or use another padding_mode"
        )


def _pad_shape(params: Mapping[str, Any], image: ImageInfo) -> tuple[ImageInfo, ...]:
    padding = params["padding"]
    _check_reflect(image, padding, params["padding_mode"])
    return (image.resized(image.height + 2 * padding, image.width + 2 * padding),)


def _random_crop_shape(params: Mapping[str, Any], image: ImageInfo) -> tuple[ImageInfo, ...]:
    """The padded image, then the crop. ``pad_if_needed`` pads a short side by what it lacks on both ends."""
    height, width = _pair(params["size"])
    padding = params["padding"] or 0
    _check_reflect(image, padding, params["padding_mode"])
    padded = image.resized(image.height + 2 * padding, image.width + 2 * padding)
    if params["pad_if_needed"]:
        grow = [2 * max(0, want - have) for want, have in ((height, padded.height), (width, padded.width))]
        padded = padded.resized(padded.height + grow[0], padded.width + grow[1])
    elif height > padded.height or width > padded.width:
        raise ValueError(
            f"crops {width} x {height} out of a {padded.width} x {padded.height} image"
            f"{' (after padding)' if padding else ''}: set pad_if_needed, add padding or crop smaller"
        )
    return (padded, image.resized(height, width))


def _rotated_extent(width: int, height: int, degrees: float) -> tuple[float, float]:
    radians = math.radians(degrees)
    cos, sin = abs(math.cos(radians)), abs(math.sin(radians))
    return width * cos + height * sin, width * sin + height * cos


def _rotation_shape(params: Mapping[str, Any], image: ImageInfo) -> tuple[ImageInfo, ...]:
    """With ``expand``, the widest and the tallest canvas an angle of the range can give (each side on its own):
    ``w |cos| + h |sin|`` is largest at the range's ends or where it peaks, ``atan(h / w)`` off a multiple of 90
    degrees (``atan(w / h)`` for the height); plus 2 px for the kernels' outward rounding."""
    if not params["expand"]:
        return (image,)
    low, high = params["degrees"]
    peaks = [math.degrees(math.atan2(image.height, image.width)), math.degrees(math.atan2(image.width, image.height))]
    angles = [low, high]
    for peak in peaks:
        for sign in (1, -1):
            first = math.ceil((low - sign * peak) / 90)
            angles += [90.0 * k + sign * peak for k in range(first, math.floor((high - sign * peak) / 90) + 1)]
    boxes = [_rotated_extent(image.width, image.height, angle) for angle in angles]
    width, height = max(box[0] for box in boxes), max(box[1] for box in boxes)
    return (image.resized(math.ceil(height - 1e-6) + 2, math.ceil(width - 1e-6) + 2),)


def _elastic_shape(params: Mapping[str, Any], image: ImageInfo) -> tuple[ImageInfo, ...]:
    """The displacement field is blurred with an odd kernel of about 8 sigma, reflect-padded by half of it."""
    sigma = params["sigma"]
    if sigma > 0:
        kernel = int(8 * sigma + 1)
        reach = (kernel + 1 - kernel % 2) // 2
        if reach >= min(image.height, image.width):
            raise ValueError(
                f"smooths its displacement field with a {2 * reach + 1} px kernel (about 8 sigma), which needs an "
                f"image larger than {reach} px on both sides, but gets {image.width} x {image.height}: use a "
                f"smaller sigma"
            )
    return (image,)


def _posterize_shape(params: Mapping[str, Any], image: ImageInfo) -> tuple[ImageInfo, ...]:
    if params["bits"] == 0 and image.kind == "pil":
        raise ValueError("keeps 0 bits, which PIL refuses (a PIL image keeps 1 to 8; a uint8 tensor also 0)")
    return (image,)


def _grayscale_shape(params: Mapping[str, Any], image: ImageInfo) -> tuple[ImageInfo, ...]:
    """PIL converts any mode; a tensor needs 1 or 3 channels, and one with 1 channel stays as it is."""
    if image.kind == "pil":
        return (replace(image, channels=params["num_output_channels"]),)
    if image.channels not in (1, 3):
        raise ValueError(f"needs a tensor with 1 or 3 channels, but gets one with {image.channels}")
    return (image if image.channels == 1 else replace(image, channels=params["num_output_channels"]),)


def _blur_shape(params: Mapping[str, Any], image: ImageInfo) -> tuple[ImageInfo, ...]:
    reach = params["kernel_size"] // 2
    if reach >= min(image.height, image.width):
        raise ValueError(
            f"pads by half its kernel ({reach} px), which needs an image larger than that on both sides, but gets "
            f"{image.width} x {image.height}: use a smaller kernel_size"
        )
    return (image,)


_MODE_CHANNELS = {"L": 1, "LA": 2, "RGB": 3, "YCbCr": 3, "HSV": 3, "RGBA": 4, "CMYK": 4, "RGBX": 4}


def _to_pil_shape(params: Mapping[str, Any], image: ImageInfo) -> tuple[ImageInfo, ...]:
    mode = params["mode"]
    if mode is not None and _MODE_CHANNELS[mode] != image.channels:
        fits = [m for m, c in _MODE_CHANNELS.items() if c == image.channels]
        raise ValueError(
            f"makes a {mode!r} image, which has {_MODE_CHANNELS[mode]} channels, from a tensor with "
            f"{image.channels}: use mode {' or '.join(map(repr, fits))}, or leave mode unset"
        )
    return (image,)


def _zoom_out_shape(params: Mapping[str, Any], image: ImageInfo) -> tuple[ImageInfo, ...]:
    """The canvas: each side times a factor drawn below ``side_range``'s maximum, truncated."""
    factor = params["side_range"][1]
    return (image.resized(int(image.height * factor), int(image.width * factor)),)


def _scaled(image: ImageInfo, factor: float) -> ImageInfo:
    return image.resized(int(image.height * factor), int(image.width * factor))


def _scale_jitter_shape(params: Mapping[str, Any], image: ImageInfo) -> tuple[ImageInfo, ...]:
    """torchvision's base scale is ``min(target_size[1] / height, target_size[0] / width)``, jittered by a factor
    of ``scale_range``."""
    first, second = params["target_size"]
    return (_scaled(image, min(second / image.height, first / image.width) * params["scale_range"][1]),)


def _shortest_size_shape(params: Mapping[str, Any], image: ImageInfo) -> tuple[ImageInfo, ...]:
    """The largest of the sizes it draws from: each scales the shorter side to it, the longer one capped."""
    sizes = params["min_size"] if isinstance(params["min_size"], list) else [params["min_size"]]
    factors = [size / min(image.height, image.width) for size in sizes]
    if params["max_size"] is not None:
        factors = [min(factor, params["max_size"] / max(image.height, image.width)) for factor in factors]
    return (_scaled(image, max(factors)),)


def _random_resize_shape(params: Mapping[str, Any], image: ImageInfo) -> tuple[ImageInfo, ...]:
    """The shorter side is drawn from ``[min_size, max_size)``, so at most ``max_size - 1``."""
    low, high = params["min_size"], params["max_size"]
    if low >= high:
        raise ValueError(
            f"draws the shorter side from [min_size, max_size), which is empty for min_size={low} and "
            f"max_size={high}: make max_size larger than min_size"
        )
    return _resize_shape({"size": high - 1, "max_size": None}, image)


def _one_or_three_channels(image: ImageInfo, what: str) -> None:
    if image.channels not in (1, 3):
        raise ValueError(f"{what} 1 or 3 channels, but gets {image.channels}")


def _rgb_tensor_shape(params: Mapping[str, Any], image: ImageInfo) -> tuple[ImageInfo, ...]:
    if image.kind != "pil":
        _one_or_three_channels(image, "needs a tensor with")
    return (image,)


def _jpeg_shape(params: Mapping[str, Any], image: ImageInfo) -> tuple[ImageInfo, ...]:
    _one_or_three_channels(image, "encodes images with")
    return (image,)


def _rgb_shape(params: Mapping[str, Any], image: ImageInfo) -> tuple[ImageInfo, ...]:
    """PIL converts any mode to RGB; a tensor with 3 or more channels stays as it is, one with 1 gets 3."""
    if image.kind == "pil" or image.channels == 1:
        return (replace(image, channels=3),)
    if image.channels == 2:
        raise ValueError("needs a tensor with 1, 3 or 4 channels, but gets one with 2")
    return (image,)


# ------------------------------------------------------------------------- what a step costs, per megapixel
#: Milliseconds per megapixel (of the larger of a step's input and output, per channel-independent image) on one
#: core, measured on this library's kernels at their slowest input kind (PIL, uint8 or float) and rounded up;
#: a step not listed costs :data:`_DEFAULT_COST`. A callable takes the step's parameters.
_DEFAULT_COST = 10.0


def _elastic_cost(params: Mapping[str, Any]) -> float:
    """Two displacement fields blurred by a 2-D kernel of about 8 sigma, then one warp."""
    kernel = int(8 * params["sigma"] + 1) if params["sigma"] > 0 else 0
    return 0.7 * (kernel + 1 - kernel % 2) ** 2 + 80 if kernel else 80


_COSTS: dict[str, float | Callable[[Mapping[str, Any]], float]] = {
    "RandomResizedCrop": 20,
    "Resize": 20,
    "RandomRotation": 45,
    "RandomAffine": 45,
    "RandomPerspective": 90,
    "ElasticTransform": _elastic_cost,
    "ColorJitter": 100,
    "RandomSolarize": 25,
    "RandomAdjustSharpness": 150,
    "RandomAutocontrast": 35,
    "RandomEqualize": 60,
    "GaussianBlur": lambda params: 0.45 * params["kernel_size"] ** 2 + 130,
    "AutoAugment": 35,
    "TrivialAugmentWide": 35,
    "RandAugment": lambda params: 15 * params["num_ops"] + 10,
    "AugMix": lambda params: 18 * _augmix_ops(params) + 30,
    "ScaleJitter": 20,
    "RandomShortestSize": 20,
    "RandomResize": 20,
    "RandomIoUCrop": 55,
    "RandomPhotometricDistort": 60,
    "GaussianNoise": 15,
    "JPEG": 20,
}


def _augmix_ops(params: Mapping[str, Any]) -> int:
    return params["mixture_width"] * (3 if params["chain_depth"] < 0 else params["chain_depth"])


#: Milliseconds a call takes whatever the image's size (Python and dispatch): what a small image costs. AugMix
#: converts and mixes every chain's result, for each of its operations.
_DEFAULT_CALL_MS = 0.3
_CALL_MS: dict[str, Callable[[Mapping[str, Any]], float]] = {
    "AugMix": lambda params: 3.0 * _augmix_ops(params),
    "RandAugment": lambda params: 0.5 * params["num_ops"] + 0.3,
}


def _milliseconds(step: Step, params: Mapping[str, Any], pixels: int) -> float:
    cost = _COSTS.get(step.name, _DEFAULT_COST)
    call = _CALL_MS[step.name](params) if step.name in _CALL_MS else _DEFAULT_CALL_MS
    return (cost(params) if callable(cost) else cost) * pixels / 1e6 + call


# ------------------------------------------------------------------------------------------------ the declarations
_RESIZE_MODES = ("NEAREST", "NEAREST_EXACT", "BILINEAR", "BICUBIC")
_WARP_MODES = ("NEAREST", "BILINEAR")
_PADDING_MODES = ("constant", "edge", "reflect", "symmetric")
_DTYPES = ("float32", "float16", "float64", "uint8")
_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)
_UINT8 = ("uint8",)


def _probability(default: float = 0.5) -> Param:
    return Param("p", "float", default, 0.0, 1.0, 0.05, help="probability of applying it to an image")


def _interpolation(default: str, modes: tuple[str, ...] = _WARP_MODES) -> Param:
    return Param("interpolation", "interpolation", default, choices=modes, help="how new pixel values are computed")


def _fill(default: float | None = 0, optional: bool = False, tensor_sequence: bool = True) -> Param:
    text = "value of the new pixels, one or one per channel" + ("" if tensor_sequence else " (tensors: one)")
    return Param(
        "fill", "fill", default, 0, 255, 1, optional=optional, help=text, tensor_sequence=tensor_sequence, per_type=True
    )


def _size(default: int, text: str = "output (h, w), or one int for a square") -> Param:
    return Param("size", "size", default, 1, 2048, 1, help=text)


def _range(name: str, default: tuple[float, float], low: float, high: float, step: float, text: str) -> Param:
    return Param(name, "float_pair", default, low, high, step, help=text)


_PADDING_MODE = Param("padding_mode", "choice", "constant", choices=_PADDING_MODES, help="how the border is filled")
_ANTIALIAS = Param("antialias", "bool", True, help="smooth before downsampling tensors (PIL always does)")
_CENTER = Param("center", "float_pair", None, -4096, 4096, 1, optional=True, help="(x, y) fixed point; image center")
_BINS = Param("num_magnitude_bins", "int", 31, 2, 101, 1, help="number of strength levels")
_RESIZE_ANTIALIAS = (_interpolation("BILINEAR", _RESIZE_MODES), _ANTIALIAS)
# v2's colour kernels also take float tensors; its auto-augment policies also refuse a sample with boxes.
_V2_FLOATS_TOO: dict[str, Any] = {"tensor_dtypes": ("uint8", "float")}
_V2_AUTO_AUGMENT: dict[str, Any] = {"tensor_dtypes": ("uint8", "float"), "boxes": False}
_V2_ONLY = ("v2",)

_SPECS: tuple[TransformSpec, ...] = (
    TransformSpec(
        "Resize", "geometry",
        "Resize to (h, w), or scale the shorter side to an int size keeping the aspect ratio; "
        "use it to bring images to the model's input size.",
        (
            _size(224, "output (h, w), or one int for the shorter side"),
            _interpolation("BILINEAR", _RESIZE_MODES),
            Param("max_size", "int", None, 1, 4096, 1, optional=True, help="with an int size: cap on the longer side"),
            _ANTIALIAS,
        ),
        random=False, input="image", output="same", boxes=True, shape=_resize_shape,
    ),
    TransformSpec(
        "CenterCrop", "geometry",
        "Cut out the central (h, w) region, padding with zeros if the image is smaller; the usual evaluation crop.",
        (_size(224),),
        random=False, input="image", output="same", boxes=True, shape=_sized_shape,
    ),
    TransformSpec(
        "RandomCrop", "geometry",
        "Cut out an (h, w) region at a random place, after optional padding; the classic CIFAR-style shift.",
        (
            _size(24),
            Param("padding", "int", None, 0, 512, 1, optional=True, help="pixels added on every side first"),
            Param("pad_if_needed", "bool", False, help="pad images smaller than size instead of failing"),
            _fill(tensor_sequence=False),
            _PADDING_MODE,
        ),
        random=True, input="image", output="same", boxes=True, shape=_random_crop_shape,
    ),
    TransformSpec(
        "RandomResizedCrop", "geometry",
        "Crop a random area with a random aspect ratio and resize it to size; the standard ImageNet training crop.",
        (
            _size(224),
            _range("scale", (0.08, 1.0), 0.0, 1.0, 0.01, "(min, max) crop area, as a fraction of the image"),
            _range("ratio", (3.0 / 4.0, 4.0 / 3.0), 0.05, 20.0, 0.01, "(min, max) aspect ratio width / height"),
            _interpolation("BILINEAR", _RESIZE_MODES),
            _ANTIALIAS,
        ),
        random=True, input="image", output="same", boxes=True, shape=_sized_shape,
    ),
    TransformSpec(
        "Pad", "geometry",
        "Add a border of padding pixels on every side; use it to keep content away from the edges.",
        (
            Param("padding", "int", 4, 0, 512, 1, help="pixels added on every side"),
            _fill(tensor_sequence=False),
            _PADDING_MODE,
        ),
        random=False, input="image", output="same", boxes=True, shape=_pad_shape,
    ),
    TransformSpec(
        "RandomHorizontalFlip", "geometry",
        "Mirror left to right with probability p; a safe default for natural images.",
        (_probability(),),
        random=True, input="image", output="same", boxes=True,
    ),
    TransformSpec(
        "RandomVerticalFlip", "geometry",
        "Mirror top to bottom with probability p; for images without an up (aerial, microscopy).",
        (_probability(),),
        random=True, input="image", output="same", boxes=True,
    ),
    TransformSpec(
        "RandomRotation", "geometry",
        "Rotate by a random angle in degrees; teaches invariance to a tilted camera.",
        (
            _range("degrees", (-30.0, 30.0), -360.0, 360.0, 1.0, "(min, max) angle, counter-clockwise"),
            _interpolation("NEAREST"),
            Param("expand", "bool", False, help="grow the canvas to keep the corners"),
            _CENTER,
            _fill(),
        ),
        random=True, input="image", output="same", boxes=True, shape=_rotation_shape,
    ),
    TransformSpec(
        "RandomAffine", "geometry",
        "Random rotation, shift, zoom and shear in one warp; a general geometric jitter.",
        (
            _range("degrees", (-15.0, 15.0), -360.0, 360.0, 1.0, "(min, max) rotation angle"),
            Param("translate", "float_pair", None, 0.0, 1.0, 0.01, optional=True,
                  help="largest shift as fractions of (width, height)"),
            Param("scale", "float_pair", None, 0.05, 10.0, 0.01, optional=True, help="(min, max) zoom factor"),
            Param("shear", "float_pair", None, -89.0, 89.0, 1.0, optional=True, help="(min, max) x-shear angle"),
            _interpolation("NEAREST"),
            _fill(),
            _CENTER,
        ),
        random=True, input="image", output="same", boxes=True,
    ),
    TransformSpec(
        "RandomPerspective", "geometry",
        "With probability p, move the corners inwards at random as if seen from another viewpoint.",
        (
            Param("distortion_scale", "float", 0.5, 0.0, 1.0, 0.05, help="how far corners may move, 0 to 1"),
            _probability(),
            _interpolation("BILINEAR"),
            _fill(),
        ),
        random=True, input="image", output="same", boxes=True,
    ),
    TransformSpec(
        "ElasticTransform", "geometry",
        "Bend the image with a smooth random displacement field, like seen through water; good for handwriting.",
        (
            Param("alpha", "float", 50.0, 0.0, 1000.0, 1.0, help="strength of the displacement"),
            Param("sigma", "float", 5.0, 0.0, 20.0, 0.5, help="smoothness of the displacement"),
            _interpolation("BILINEAR"),
            _fill(),
        ),
        random=True, input="image", output="same", boxes=False, shape=_elastic_shape,
        v2_changes={"boxes": True},  # v2 warps boxes through the same displacement field
    ),
    TransformSpec(
        "ColorJitter", "color",
        "Randomly change brightness, contrast, saturation and hue; makes a model robust to lighting and cameras.",
        (
            Param("brightness", "float", 0.0, 0.0, 2.0, 0.05, help="factor drawn from [1 - b, 1 + b]"),
            Param("contrast", "float", 0.0, 0.0, 2.0, 0.05, help="factor drawn from [1 - c, 1 + c]"),
            Param("saturation", "float", 0.0, 0.0, 2.0, 0.05, help="factor drawn from [1 - s, 1 + s]"),
            Param("hue", "float", 0.0, 0.0, 0.5, 0.01, help="hue shift drawn from [-h, h]"),
        ),
        random=True, input="image", output="same", boxes=True,
    ),
    TransformSpec(
        "Grayscale", "color",
        "Convert to grayscale, with 1 channel or 3 equal ones; for models that should ignore color.",
        (Param("num_output_channels", "choice", 1, choices=(1, 3), help="1, or 3 to keep an RGB shape"),),
        random=False, input="image", output="same", boxes=True, shape=_grayscale_shape,
    ),
    TransformSpec(
        "RandomGrayscale", "color",
        "Convert to grayscale with probability p, keeping the channel count; weakens reliance on color.",
        (_probability(0.1),),
        random=True, input="image", output="same", boxes=True,
    ),
    TransformSpec(
        "RandomInvert", "color",
        "Invert the colors (a photo negative) with probability p.",
        (_probability(),),
        random=True, input="image", output="same", boxes=True,
    ),
    TransformSpec(
        "RandomPosterize", "color",
        "Keep only the top bits of each channel with probability p, giving flat bands of color.",
        (Param("bits", "int", 4, 0, 8, 1, help="bits kept per channel, 0 to 8"), _probability()),
        random=True, input="image", output="same", boxes=True, tensor_dtypes=_UINT8, shape=_posterize_shape,
        v2_changes=_V2_FLOATS_TOO,
    ),
    TransformSpec(
        "RandomSolarize", "color",
        "Invert the pixels at or above a threshold with probability p, a strong photometric distortion.",
        (Param("threshold", "float", 128.0, 0.0, 255.0, 1.0, help="on the 0 to 255 scale"), _probability()),
        random=True, input="image", output="same", boxes=True, tensor_dtypes=_UINT8,
    ),
    TransformSpec(
        "RandomAdjustSharpness", "color",
        "Sharpen (factor above 1) or soften (below 1) with probability p; simulates focus differences.",
        (Param("sharpness_factor", "float", 2.0, 0.0, 10.0, 0.1, help="0 blurs, 1 keeps, 2 sharpens"), _probability()),
        random=True, input="image", output="same", boxes=True,
    ),
    TransformSpec(
        "RandomAutocontrast", "color",
        "Stretch each channel to the full range with probability p; evens out dull exposures.",
        (_probability(),),
        random=True, input="image", output="same", boxes=True,
    ),
    TransformSpec(
        "RandomEqualize", "color",
        "Equalize the histogram with probability p, spreading the intensities evenly.",
        (_probability(),),
        random=True, input="image", output="same", boxes=True, tensor_dtypes=_UINT8, v2_changes=_V2_FLOATS_TOO,
    ),
    TransformSpec(
        "GaussianBlur", "blur and noise",
        "Blur with a Gaussian of random sigma; simulates defocus and low resolution.",
        (
            Param("kernel_size", "int", 5, 1, 31, 2, help="odd kernel width in pixels"),
            _range("sigma", (0.1, 2.0), 0.01, 20.0, 0.1, "(min, max) of the random blur strength"),
        ),
        random=True, input="image", output="same", boxes=True, shape=_blur_shape,
    ),
    TransformSpec(
        "RandomErasing", "erasing",
        "With probability p, blank out a random rectangle of a tensor; teaches robustness to occlusion.",
        (
            _probability(),
            _range("scale", (0.02, 0.33), 0.0, 1.0, 0.01, "(min, max) area, as a fraction of the image"),
            _range("ratio", (0.3, 3.3), 0.05, 20.0, 0.05, "(min, max) aspect ratio of the rectangle"),
            Param("value", "fill", 0, 0, 255, 1, choices=("random",),
                  help="fill: one number, one per channel, or 'random' noise"),
        ),
        random=True, input="tensor", output="same", boxes=True,
        v2_changes={
            "input": "image",
            "summary": "With probability p, blank out a random rectangle; teaches robustness to occlusion.",
        },
    ),
    TransformSpec(
        "AutoAugment", "auto-augment",
        "Apply one of the sub-policies that AutoAugment learned on ImageNet, CIFAR-10 or SVHN.",
        (
            Param("policy", "choice", "IMAGENET", choices=("IMAGENET", "CIFAR10", "SVHN"), help="dataset learned on"),
            _interpolation("NEAREST"),
            _fill(None, optional=True),
        ),
        random=True, input="image", output="same", boxes=True, tensor_dtypes=_UINT8, v2_changes=_V2_AUTO_AUGMENT,
    ),
    TransformSpec(
        "RandAugment", "auto-augment",
        "Apply num_ops random operations at one fixed strength; two knobs instead of a learned policy.",
        (
            Param("num_ops", "int", 2, 0, 10, 1, help="operations per image"),
            Param("magnitude", "int", 9, 0, 100, 1, help="strength level, below num_magnitude_bins"),
            _BINS,
            _interpolation("NEAREST"),
            _fill(None, optional=True),
        ),
        random=True, input="image", output="same", boxes=True, tensor_dtypes=_UINT8, v2_changes=_V2_AUTO_AUGMENT,
    ),
    TransformSpec(
        "TrivialAugmentWide", "auto-augment",
        "Apply one random operation at a random strength; a strong, tuning-free default.",
        (_BINS, _interpolation("NEAREST"), _fill(None, optional=True)),
        random=True, input="image", output="same", boxes=True, tensor_dtypes=_UINT8, v2_changes=_V2_AUTO_AUGMENT,
    ),
    TransformSpec(
        "AugMix", "auto-augment",
        "Blend the image with several chains of random operations; improves robustness to corruptions.",
        (
            Param("severity", "int", 3, 1, 10, 1, help="strength of the operations, 1 to 10"),
            Param("mixture_width", "int", 3, 1, 10, 1, help="number of chains mixed"),
            Param("chain_depth", "int", -1, -1, 10, 1, help="operations per chain; -1 for a random 1 to 3"),
            Param("alpha", "float", 1.0, 0.0, 10.0, 0.1, help="mixing concentration, positive"),
            Param("all_ops", "bool", True, help="also use brightness, color, contrast and sharpness"),
            _interpolation("BILINEAR"),
            _fill(None, optional=True),
        ),
        random=True, input="image", output="same", boxes=False, tensor_dtypes=_UINT8, v2_changes=_V2_FLOATS_TOO,
    ),
    TransformSpec(
        "ToTensor", "conversion",
        "Turn a PIL image into a float tensor in [0, 1]; needed before Normalize and RandomErasing.",
        (),
        random=False, input="pil", output="tensor", boxes=True, tensor_dtypes=(), apis=("v1",),
    ),
    TransformSpec(
        "PILToTensor", "conversion",
        "Turn a PIL image into a uint8 tensor without rescaling; for uint8 tensor pipelines.",
        (),
        random=False, input="pil", output="tensor", boxes=True, tensor_dtypes=(),
    ),
    TransformSpec(
        "ConvertImageDtype", "conversion",
        "Convert a tensor to another dtype, rescaling the values (uint8 0-255 to float 0-1 and back).",
        (Param("dtype", "choice", "float32", choices=_DTYPES, help="the new dtype"),),
        random=False, input="tensor", output="tensor", boxes=True, apis=("v1",),
    ),
    TransformSpec(
        "Normalize", "conversion",
        "Subtract a per-channel mean and divide by a std, as the model's training data was; usually the last step.",
        (
            Param("mean", "fill", _IMAGENET_MEAN, -10, 10, 0.001, help="one mean per channel"),
            Param("std", "fill", _IMAGENET_STD, 0, 10, 0.001, help="one standard deviation per channel, non-zero"),
        ),
        random=False, input="tensor", output="same", boxes=True, tensor_dtypes=("float",),
    ),
    TransformSpec(
        "ToPILImage", "conversion",
        "Turn a tensor back into a PIL image, e.g. to use PIL-only steps or to save it.",
        (Param("mode", "choice", None, choices=("L", "LA", "RGB", "YCbCr", "HSV", "RGBA", "CMYK", "RGBX"),
               optional=True, help="PIL mode; inferred from the channels if unset"),),
        random=False, input="tensor", output="pil", boxes=True, shape=_to_pil_shape,
    ),
    # ---------------------------------------------------------------------------------------------- v2 only
    TransformSpec(
        "RandomIoUCrop", "geometry",
        "Crop a random region that overlaps some box by at least a random IoU (SSD's crop); needs boxes, and "
        "SanitizeBoundingBoxes after it to drop the boxes it cuts out.",
        (
            Param("min_scale", "float", 0.3, 0.0, 1.0, 0.05, help="smallest crop side, as a fraction of the image's"),
            Param("max_scale", "float", 1.0, 0.0, 1.0, 0.05, help="largest crop side, as a fraction of the image's"),
            Param("min_aspect_ratio", "float", 0.5, 0.05, 20.0, 0.05, help="smallest crop width / height"),
            Param("max_aspect_ratio", "float", 2.0, 0.05, 20.0, 0.05, help="largest crop width / height"),
            Param("trials", "int", 40, 1, 1000, 1, help="attempts per drawn IoU before drawing another"),
        ),
        random=True, input="image", output="same", boxes=True, apis=_V2_ONLY, needs_boxes=True,
    ),
    TransformSpec(
        "RandomZoomOut", "geometry",
        "With probability p, place the image at a random spot of a canvas up to side_range times larger (SSD's "
        "zoom out); small objects for a detector.",
        (
            _fill(),
            _range("side_range", (1.0, 4.0), 1.0, 8.0, 0.1, "(min, max) canvas side, as a multiple of the image's"),
            _probability(),
        ),
        random=True, input="image", output="same", boxes=True, shape=_zoom_out_shape, apis=_V2_ONLY,
    ),
    TransformSpec(
        "ScaleJitter", "geometry",
        "Resize by a random factor of the scale that fits target_size (large scale jitter); for detection and "
        "segmentation training.",
        (
            Param("target_size", "int_pair", [1024, 1024], 1, 2048, 1, help="(h, w) that the base scale fits"),
            _range("scale_range", (0.1, 2.0), 0.01, 4.0, 0.05, "(min, max) factor of the base scale"),
            *_RESIZE_ANTIALIAS,
        ),
        random=True, input="image", output="same", boxes=True, shape=_scale_jitter_shape, apis=_V2_ONLY,
    ),
    TransformSpec(
        "RandomShortestSize", "geometry",
        "Resize so the shorter side is one of min_size, drawn at random (the longer side capped at max_size); "
        "multi-scale detection training.",
        (
            Param("min_size", "ints", [480, 512, 544, 576, 608], 1, 2048, 1,
                  help="shorter side, or a list to draw it from"),
            Param("max_size", "int", None, 1, 4096, 1, optional=True, help="cap on the longer side"),
            *_RESIZE_ANTIALIAS,
        ),
        random=True, input="image", output="same", boxes=True, shape=_shortest_size_shape, apis=_V2_ONLY,
    ),
    TransformSpec(
        "RandomResize", "geometry",
        "Resize the shorter side to a random size in [min_size, max_size); the segmentation references' scale "
        "augmentation.",
        (
            Param("min_size", "int", 260, 1, 2048, 1, help="smallest shorter side"),
            Param("max_size", "int", 1040, 2, 2049, 1, help="shorter side drawn below this, above min_size"),
            *_RESIZE_ANTIALIAS,
        ),
        random=True, input="image", output="same", boxes=True, shape=_random_resize_shape, apis=_V2_ONLY,
    ),
    TransformSpec(
        "RandomPhotometricDistort", "color",
        "Each with probability p: jitter brightness, contrast (before or after the rest), saturation and hue, "
        "and shuffle the channels; SSD's photometric distortion.",
        (
            _range("brightness", (0.875, 1.125), 0.0, 10.0, 0.005, "(min, max) brightness factor"),
            _range("contrast", (0.5, 1.5), 0.0, 10.0, 0.05, "(min, max) contrast factor"),
            _range("saturation", (0.5, 1.5), 0.0, 10.0, 0.05, "(min, max) saturation factor"),
            _range("hue", (-0.05, 0.05), -0.5, 0.5, 0.01, "(min, max) hue shift"),
            _probability(),
        ),
        random=True, input="image", output="same", boxes=True, shape=_rgb_tensor_shape, apis=_V2_ONLY,
    ),
    TransformSpec(
        "RandomChannelPermutation", "color",
        "Shuffle the color channels at random; makes a model ignore which channel is which.",
        (),
        random=True, input="image", output="same", boxes=True, apis=_V2_ONLY,
    ),
    TransformSpec(
        "GaussianNoise", "blur and noise",
        "Add Gaussian noise of a given mean and sigma (on the 0 to 1 scale) to a tensor; simulates sensor noise.",
        (
            Param("mean", "float", 0.0, -1.0, 1.0, 0.01, help="mean of the noise, on the 0 to 1 scale"),
            Param("sigma", "float", 0.1, 0.0, 1.0, 0.01, help="standard deviation of the noise, 0 to 1 scale"),
            Param("clip", "bool", True, help="clamp the result to the valid range"),
        ),
        random=True, input="tensor", output="same", boxes=True, apis=_V2_ONLY,
    ),
    TransformSpec(
        "JPEG", "blur and noise",
        "Compress and decompress as JPEG at a random quality; teaches robustness to compression artifacts.",
        (Param("quality", "int_pair", [50, 100], 1, 100, 1, help="(min, max) JPEG quality, 1 to 100"),),
        random=True, input="image", output="same", boxes=True, tensor_dtypes=_UINT8, shape=_jpeg_shape,
        apis=_V2_ONLY,
    ),
    TransformSpec(
        "ToImage", "conversion",
        "Turn a PIL image into a uint8 image tensor (a tensor stays as it is); the first step of a v2 tensor "
        "pipeline.",
        (),
        random=False, input="image", output="tensor", boxes=True, apis=_V2_ONLY,
    ),
    TransformSpec(
        "ToDtype", "conversion",
        "Convert an image tensor to another dtype, with scale rescaling the values (uint8 0-255 to float 0-1).",
        (
            Param("dtype", "choice", "float32", choices=_DTYPES, help="the new dtype"),
            Param("scale", "bool", False, help="rescale the values to the new dtype's range"),
        ),
        random=False, input="tensor", output="tensor", boxes=True, apis=_V2_ONLY,
    ),
    TransformSpec(
        "RGB", "conversion",
        "Convert a grayscale image to RGB (3 equal channels); an RGB image stays as it is.",
        (),
        random=False, input="image", output="same", boxes=True, shape=_rgb_shape, apis=_V2_ONLY,
    ),
    TransformSpec(
        "SanitizeBoundingBoxes", "boxes",
        "Remove the boxes smaller than min_size or min_area, with their labels; after the crops of a pipeline.",
        (
            Param("min_size", "float", 1.0, 0.0, 1000.0, 0.5, help="smallest box side kept, in pixels"),
            Param("min_area", "float", 1.0, 0.0, 1_000_000.0, 1.0, help="smallest box area kept, in pixels"),
        ),
        random=False, input="image", output="same", boxes=True, apis=_V2_ONLY, needs_boxes=True,
    ),
    TransformSpec(
        "ClampBoundingBoxes", "boxes",
        "Clamp the boxes to the image; 'auto' uses the boxes' own clamping_mode.",
        (Param("clamping_mode", "choice", "auto", choices=("auto", "soft", "hard"), optional=True,
               help="how boxes are clamped; None leaves them"),),
        random=False, input="image", output="same", boxes=True, apis=_V2_ONLY, needs_boxes=True,
    ),
)  # fmt: skip

CATALOG: dict[str, TransformSpec] = {spec.name: spec for spec in sorted(_SPECS, key=lambda s: GROUPS.index(s.group))}
#: Each API's view of its transforms: the specs with their ``v2_changes`` applied for v2.
_VIEWS: dict[str, dict[str, TransformSpec]] = {
    api: {
        name: replace(spec, **spec.v2_changes) if api == "v2" else spec
        for name, spec in CATALOG.items()
        if api in spec.apis
    }
    for api in APIS
}
_MODULES = (_geometry_transforms, _color_transforms, _misc_transforms, _auto_augment)
_API_CLASSES: dict[str, dict[str, type]] = {
    "v1": {name: next(getattr(m, name) for m in _MODULES if name in m.__all__) for name in _VIEWS["v1"]},
    "v2": {name: getattr(_v2, name) for name in _VIEWS["v2"]},
}
#: Each transform's class in the first API that has it (v1's where both do: their signatures are the same).
_CLASSES: dict[str, type] = {name: _API_CLASSES[spec.apis[0]][name] for name, spec in CATALOG.items()}
_NAMED = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
_REQUIRED: dict[str, frozenset[str]] = {
    name: frozenset(
        n for n, p in inspect.signature(cls).parameters.items() if p.kind in _NAMED and p.default is p.empty
    )
    for name, cls in _CLASSES.items()
}
_MODULE_NAMES = {"v1": "visionkit.transforms", "v2": "visionkit.transforms.v2"}
#: What a per-type fill's keys stand for in v2: ``tv_tensors`` types, and the key for everything else.
_FILL_KEYS: dict[str, Any] = {**{name: getattr(tv_tensors, name) for name in FILL_TYPES[:-1]}, "others": "others"}
_CODE_PREFIXES = {"v1": "T", "v2": "v2"}
# What a v2 pipeline uses instead of a v1-only step.
_V2_INSTEAD = {
    "ToTensor": "v2 pipelines use ToImage, then ToDtype(float32, scale=True)",
    "ConvertImageDtype": "v2 pipelines use ToDtype(dtype, scale=True)",
}

# Choice values that stand for Python objects: the name that code gives their namespace (an API's module's
# attribute, or ``torch``), and the namespace.
_SYMBOLIC: dict[tuple[str, str], str] = {
    ("ConvertImageDtype", "dtype"): "torch",
    ("ToDtype", "dtype"): "torch",
    ("AutoAugment", "policy"): "AutoAugmentPolicy",
}
_NAMESPACES: dict[str, Any] = {
    "torch": torch,
    "AutoAugmentPolicy": AutoAugmentPolicy,
    "InterpolationMode": InterpolationMode,  # v2's is the same enum
}


def _check_api(api: Any) -> None:
    if not isinstance(api, str) or api not in APIS:
        raise ValueError(f"api should be one of {list(APIS)}, got {_show(api)}")


def _api_reason(name: str, api: str) -> str:
    """Why transform ``name`` (in the catalog) cannot be a step of an ``api`` pipeline, after its name."""
    if api == "v2":
        return f"is not in v2 ({_MODULE_NAMES[api]}): {_V2_INSTEAD.get(name, 'it is v1 only')}"
    return f"is a v2 transform, not in v1 ({_MODULE_NAMES[api]}): write the pipeline for v2, or remove it"


def _not_in_api(name: str, api: str) -> str:
    return f"{name} {_api_reason(name, api)}"


def spec_for(name: str, *, api: str = "v1") -> TransformSpec:
    """The declaration of transform ``name`` as API ``api`` has it (v2 takes some other inputs, see
    :attr:`TransformSpec.v2_changes`).

    Raises:
        ValueError: if ``api`` is not one of :data:`APIS`, or ``name`` is not a transform of that API (the message
            says which API has it).
    """
    _check_api(api)
    if not isinstance(name, str) or name not in CATALOG:
        raise ValueError(f"unknown transform {_show(name)}: see catalog.CATALOG for the available ones")
    if name not in _VIEWS[api]:
        raise ValueError(_not_in_api(name, api))
    return _VIEWS[api][name]


def search(text: str = "", group: str | None = None, *, api: str = "v1") -> list[TransformSpec]:
    """The transforms of API ``api`` whose name or summary contains ``text`` (case-insensitive), optionally in one
    group, as that API has them (:func:`spec_for`).

    Raises:
        ValueError: if ``group`` is not one of :data:`GROUPS` or ``api`` not one of :data:`APIS`.
    """
    _check_api(api)
    if group is not None and group not in GROUPS:
        raise ValueError(f"group should be one of {list(GROUPS)} or None, got {group!r}")
    needle = text.strip().lower()
    return [
        spec
        for spec in _VIEWS[api].values()
        if (group is None or spec.group == group) and (needle in spec.name.lower() or needle in spec.summary.lower())
    ]


def _default_params(spec: TransformSpec) -> dict[str, Any]:
    return {param.name: _json_value(param, param.default) for param in spec.params}


def default_step(name: str, *, api: str = "v1") -> Step:
    """A step of transform ``name`` with every argument at its default (required ones at a starting value).

    Raises:
        ValueError: if ``name`` is not a transform of ``api`` (:func:`spec_for`).
    """
    return Step(name, _default_params(spec_for(name, api=api)))


# ------------------------------------------------------------------------------------------------------ validation
def _show(value: Any, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters, so that hostile input cannot flood a message."""
    try:
        text = repr(value)
    except ValueError:  # an int with more digits than Python will print
        return "a number too large to print"
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def _is_number(value: Any, integer: bool = False) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True  # never converted to float: a huge int must not raise OverflowError
    return not integer and isinstance(value, float) and math.isfinite(value)


def _in_range(param: Param, value: Any, integer: bool = False) -> bool:
    return (
        _is_number(value, integer)
        and (param.minimum is None or value >= param.minimum)
        and (param.maximum is None or value <= param.maximum)
    )


def _numbers_in_range(param: Param, value: Any, lengths: Sequence[int], integer: bool = False) -> bool:
    return (
        isinstance(value, (list, tuple)) and len(value) in lengths and all(_in_range(param, v, integer) for v in value)
    )


def _is_choice(param: Param, value: Any) -> bool:
    return any(type(value) is type(c) and value == c for c in param.choices)  # 1.0 or True is not the choice 1


_CHANNEL_COUNTS = range(1, _MAX_CHANNELS + 1)
_MAX_INTS = 16

# Per kind: whether a (non-None) value is valid, and how a valid value is described in messages.
_CHECKS: dict[str, Callable[[Param, Any], bool]] = {
    "int": lambda param, v: _in_range(param, v, integer=True),
    "float": _in_range,
    "bool": lambda param, v: isinstance(v, bool),
    "choice": _is_choice,
    "int_pair": lambda param, v: _numbers_in_range(param, v, (2,), integer=True),
    "float_pair": lambda param, v: _numbers_in_range(param, v, (2,)),
    "size": lambda param, v: _in_range(param, v, integer=True) or _numbers_in_range(param, v, (2,), integer=True),
    "ints": lambda param, v: (
        _in_range(param, v, integer=True) or _numbers_in_range(param, v, range(1, _MAX_INTS + 1), integer=True)
    ),
    "fill": lambda param, v: (
        _in_range(param, v) or _numbers_in_range(param, v, _CHANNEL_COUNTS) or _is_choice(param, v)
    ),
    "interpolation": _is_choice,
}
_DESCRIPTIONS: dict[str, str] = {
    "int": "an int {span}",
    "float": "a number {span}",
    "bool": "true or false",
    "choice": "one of {choices}",
    "int_pair": "a pair of ints {span}",
    "float_pair": "a pair of numbers {span}",
    "size": "an int or a pair of ints (h, w), {span}",
    "ints": "an int or a list of 1 to {ints} ints, {span}",
    "fill": "a number or a list of 1 to {channels} numbers (one per channel), {span}{choices_too}",
    "interpolation": "one of {choices}",
}
KINDS = tuple(_CHECKS)


def _is_valid(param: Param, value: Any) -> bool:
    return param.optional if value is None else _CHECKS[param.kind](param, value)


def _expected(param: Param) -> str:
    """What a valid value of ``param`` looks like, for messages."""
    text = _DESCRIPTIONS[param.kind].format(
        span=f"in [{param.minimum:g}, {param.maximum:g}]" if param.minimum is not None else "",
        choices=", ".join(map(repr, param.choices)),
        choices_too="".join(f", or {c!r}" for c in param.choices),
        channels=_MAX_CHANNELS,
        ints=_MAX_INTS,
    )
    return f"{text}, or None" if param.optional else text


def _param_message(param: Param, value: Any) -> str:
    return f"{param.name} should be {_expected(param)}, got {_show(value)}"


def _value_problem(param: Param, value: Any, api: str) -> str | None:
    """What is wrong with a parameter's value in ``api``, ``None`` if nothing: a per-type ``fill`` (a dict) is
    v2's only, and each of its values is checked as the parameter's."""
    if not (param.per_type and isinstance(value, Mapping)):
        if _is_valid(param, value):
            return None
        per_type = param.per_type and api == "v2"
        dicts = f", or a dict of such fills keyed by some of {list(FILL_TYPES)}" if per_type else ""
        return f"{param.name} should be {_expected(param)}{dicts}, got {_show(value)}"
    if api != "v2":
        return (
            f"{param.name} is a per-type dict {_show(value)}, which only v2 takes: write the pipeline for v2, or "
            f"give one value for every kind of data ({_expected(param)})"
        )
    unknown = [key for key in value if not isinstance(key, str) or key not in FILL_TYPES]
    if not value or unknown:
        found = f"an unknown key {_show(unknown[0])}" if unknown else "no key"
        return f"{param.name} as a per-type dict takes keys among {list(FILL_TYPES)}, got {found}"
    for key, fill in value.items():
        if not _is_valid(param, fill):
            return f"{param.name}[{key!r}] should be {_expected(param)}, got {_show(fill)}"
    return None


def _json_value(param: Param, value: Any) -> Any:
    """The canonical JSON form of a valid value: floats for float kinds, lists for sequences."""
    if value is None or param.kind in ("bool", "choice", "interpolation"):
        return value
    if param.kind == "float":
        return float(value)
    if param.kind == "float_pair":
        return [float(v) for v in value]
    if isinstance(value, Mapping):  # a per-type fill, its keys in the order of FILL_TYPES
        return {key: _json_value(param, value[key]) for key in FILL_TYPES if key in value}
    return list(value) if isinstance(value, (list, tuple)) else value


def _step_problems(step: Step, api: str) -> dict[str, str]:
    """Problems with the step's own fields (name, enabled, p), keyed ``step.<field>``."""
    if not isinstance(step.name, str) or step.name not in CATALOG:
        return {"step.name": f"unknown transform {_show(step.name)}"}
    if step.name not in _VIEWS[api]:
        return {"step.name": _not_in_api(step.name, api)}
    problems = {}
    if not isinstance(step.enabled, bool):
        problems["step.enabled"] = f"enabled should be true or false, got {_show(step.enabled)}"
    if not (_is_number(step.p) and 0 <= step.p <= 1):
        problems["step.p"] = f"the step's probability p should be a number in [0, 1], got {_show(step.p)}"
    if not isinstance(step.params, Mapping):
        problems["step.params"] = f"params should be a mapping of argument names to values, got {_show(step.params)}"
    return problems


def _blame(spec: TransformSpec, message: str) -> str:
    """The parameter that an ``__init__`` error message names first (``step`` if it names none)."""
    found = [(m.start(), p.name) for p in spec.params for m in re.finditer(rf"(?<![\w.]){p.name}(?!\w)", message)]
    return min(found)[1] if found else "step"


def validate_step(step: Step, *, api: str = "v1") -> dict[str, str]:
    """Check a step against its declaration, then by constructing the transform of ``api``; build nothing on failure.

    Args:
        step: the step; parameters it leaves out take their default.
        api: the API the pipeline is written for (:data:`APIS`).

    Returns:
        ``{parameter name: message}``, empty when the step is fine. Problems with the step's own fields use the keys
        ``step.name`` (also: a transform the API does not have), ``step.enabled``, ``step.p`` and ``step.params``; a
        complaint of the transform's ``__init__`` that names no parameter uses ``step``. Messages name the parameter
        and echo the value.

    Raises:
        ValueError: if ``api`` is not one of :data:`APIS`.
    """
    _check_api(api)
    problems = _step_problems(step, api)
    if "step.name" in problems or "step.params" in problems:
        return problems
    spec = CATALOG[step.name]
    known = {param.name for param in spec.params}
    for name in step.params:
        if name not in known:
            problems[str(name)] = f"{step.name} has no parameter {_show(name)}; it takes {sorted(known) or 'none'}"
    for param in spec.params:
        problem = _value_problem(param, step.params.get(param.name, param.default), api)
        if problem:
            problems[param.name] = problem
    if not problems:
        try:
            _construct(step, api)
        except (ValueError, TypeError) as exc:
            problems[_blame(spec, str(exc))] = str(exc)
    if not problems and step.name in _CALL_CHECKS:
        problems.update(_CALL_CHECKS[step.name](_complete(step)))
    return problems


def _resize_call_problems(params: Mapping[str, Any]) -> dict[str, str]:
    """What torchvision's Resize refuses only when called (v2 checks nothing at construction): ``max_size`` with a
    pair ``size``, or not above the int ``size``."""
    size, max_size = params["size"], params["max_size"]
    if max_size is None:
        return {}
    if not isinstance(size, int):
        return {"max_size": f"max_size should only be given when size is the smaller edge (one int), got {_show(size)}"}
    if max_size <= size:
        return {"max_size": f"max_size should be larger than the smaller edge size {size}, got {max_size}"}
    return {}


#: Checks of what a transform accepts when built and refuses when called (so :func:`validate_step` catches it).
_CALL_CHECKS: dict[str, Callable[[Mapping[str, Any]], dict[str, str]]] = {"Resize": _resize_call_problems}


def _raise_first(problems: Mapping[str, str], label: str) -> None:
    if problems:
        raise ValueError(f"{label}: {next(iter(problems.values()))}")


def _label(step: Step) -> str:
    return step.name if isinstance(step.name, str) and step.name in CATALOG else "step"


def _complete(step: Step) -> dict[str, Any]:
    """Every parameter of a valid step, in signature order, as canonical JSON (left-out ones at their default)."""
    return {p.name: _json_value(p, step.params.get(p.name, p.default)) for p in CATALOG[step.name].params}


# ------------------------------------------------------------------------------------------------------- building
def _symbol_prefix(spec: TransformSpec, param: Param, api: str = "v1") -> str | None:
    """How exported code names the namespace of the object a choice stands for (``T.InterpolationMode``,
    ``v2.InterpolationMode``, ``torch``), if it stands for one."""
    name = "InterpolationMode" if param.kind == "interpolation" else _SYMBOLIC.get((spec.name, param.name))
    return name if name in (None, "torch") else f"{_CODE_PREFIXES[api]}.{name}"


def _python_value(spec: TransformSpec, param: Param, value: Any) -> Any:
    """The constructor argument for a valid JSON value: enums and dtypes for their names, tuples for lists."""
    prefix = _symbol_prefix(spec, param)
    if prefix is not None and value is not None:
        return getattr(_NAMESPACES[prefix.rpartition(".")[2]], value)  # value is one of the declared choices
    if isinstance(value, Mapping):  # a per-type fill: v2 looks its values up by tv_tensors type
        return {_FILL_KEYS[key]: _python_value(spec, param, fill) for key, fill in value.items()}
    return tuple(value) if isinstance(value, list) else value


def _arguments(step: Step) -> dict[str, tuple[Param, Any]]:
    """The arguments to pass, ``{name: (param, JSON value)}``: the required ones and those off their default."""
    spec = CATALOG[step.name]
    return {
        param.name: (param, value)
        for param, value in zip(spec.params, _complete(step).values(), strict=True)
        if param.name in _REQUIRED[spec.name] or value != _json_value(param, param.default)
    }


def _construct(step: Step, api: str = "v1") -> Any:
    spec = CATALOG[step.name]
    kwargs = {name: _python_value(spec, param, value) for name, (param, value) in _arguments(step).items()}
    return _API_CLASSES[api][spec.name](**kwargs)


def build_step(step: Step, *, api: str = "v1") -> Any:
    """The transform of a step in ``api``, wrapped in that API's ``RandomApply([...], p)`` when ``step.p < 1``.

    Raises:
        ValueError: if the step is invalid (the message names the parameter and echoes the value), its transform
            is not in ``api``, or ``api`` is not one of :data:`APIS`.
    """
    _raise_first(validate_step(step, api=api), _label(step))
    transform = _construct(step, api)
    if step.p >= 1:
        return transform
    return (_v2.RandomApply if api == "v2" else RandomApply)([transform], p=float(step.p))


def build_pipeline(steps: Sequence[Step], *, api: str = "v1") -> Compose | _v2.Compose:
    """The API's ``Compose`` of the enabled steps, in order (``visionkit.transforms.v2.Compose`` for v2: it takes
    a whole sample, e.g. ``pipeline(image, target)``).

    Raises:
        ValueError: if an enabled step is invalid or not in ``api``, or ``api`` is not one of :data:`APIS`.
    """
    _check_api(api)
    transforms = [build_step(step, api=api) for step in steps if step.enabled]
    return _v2.Compose(transforms) if api == "v2" else Compose(transforms)


# --------------------------------------------------------------------------------------------------- order checks
_STATES = {"pil": "a PIL image", "uint8": "a uint8 tensor", "float": "a float tensor"}
_TENSOR_HINTS = {"v1": "add ToTensor or PILToTensor before it", "v2": "add ToImage before it"}
_DTYPE_HINTS = {
    "v1": {
        "uint8": "move it before ToTensor, or use PILToTensor instead",
        "float": "use ToTensor, or add ConvertImageDtype(float32) before it",
    },
    "v2": {
        "uint8": "move it before ToDtype, or add ToDtype(uint8, scale=True) before it",
        "float": "add ToDtype(float32, scale=True) before it",
    },
}


def _input_problem(spec: TransformSpec, state: str, origin: str, api: str = "v1") -> str | None:
    if spec.input == "pil" and state != "pil":
        return f"needs a PIL image, but gets {_STATES[state]} from {origin}: convert to a tensor only once"
    if spec.input == "tensor" and state == "pil":
        return f"needs a tensor, but gets a PIL image from {origin}: {_TENSOR_HINTS[api]}"
    if state != "pil" and state not in spec.tensor_dtypes:
        wanted = " or ".join([*(["a PIL image"] if spec.input == "image" else []), _STATES[spec.tensor_dtypes[0]]])
        hint = _DTYPE_HINTS[api][spec.tensor_dtypes[0]]
        return f"needs {wanted}, but gets {_STATES[state]} from {origin}: {hint}"
    return None


def _output_state(spec: TransformSpec, step: Step, state: str) -> str:
    if spec.output == "pil":
        return "pil"
    if spec.name in ("ConvertImageDtype", "ToDtype"):
        return "float" if str(step.params.get("dtype", "float32")).startswith("float") else "uint8"
    if spec.name == "ToImage":
        return "uint8" if state == "pil" else state
    if spec.output == "tensor":
        return "float" if spec.name == "ToTensor" else "uint8"
    return state


def _v2_problems(steps: Sequence[Step], index: int, state: str) -> list[str]:
    """What only v2 steps get wrong: an IoU crop whose cut boxes stay, a float conversion that keeps 0-255."""
    step = steps[index]
    later = [s.name for s in steps[index + 1 :] if s.enabled]
    found = []
    if step.name == "RandomIoUCrop" and "SanitizeBoundingBoxes" not in later:
        found.append("leaves the boxes it cuts out as empty boxes: add SanitizeBoundingBoxes after it")
    dtype = str(step.params.get("dtype", "float32"))
    if step.name == "ToDtype" and state == "uint8" and dtype.startswith("float") and not step.params.get("scale"):
        found.append(f"converts to {dtype} without scale, so values stay in [0, 255]: set scale to true")
    return found


def check_pipeline(steps: Sequence[Step], *, source: str = "pil", api: str = "v1") -> list[str]:
    """Order problems a user should hear about, one message each, naming the step (numbered from 1) and transform.

    Follows the image type through the enabled steps: a tensor-only step on a PIL image, a PIL-only step on a tensor
    (e.g. a second ToTensor), a dtype a step cannot take (Normalize on uint8, posterize on float), a conversion
    applied with p < 1, Normalize twice, and color changes after Normalize (they clamp to [0, 1]). Also a transform
    that ``api`` does not have; in v2, a RandomIoUCrop without SanitizeBoundingBoxes after it and a ToDtype to
    float without scale on uint8.

    Args:
        steps: the pipeline.
        source: what goes in: ``pil`` (default), ``uint8`` or ``float`` (a tensor).
        api: the API the pipeline is written for (:data:`APIS`).

    Raises:
        ValueError: if ``source`` or ``api`` is not one of those.
    """
    _check_api(api)
    if source not in _STATES:
        raise ValueError(f"source should be one of {list(_STATES)}, got {source!r}")
    problems: list[str] = []
    state, origin, normalized_by = source, "the input", None
    for number, step in enumerate(steps, start=1):
        if not step.enabled:
            continue
        where = f"Step {number} ({step.name})"
        if step.name not in CATALOG:
            problems.append(f"{where}: unknown transform")
            continue
        if step.name not in _VIEWS[api]:
            problems.append(f"{where}: {_not_in_api(step.name, api)}")
            continue
        spec = _VIEWS[api][step.name]
        found = [
            _input_problem(spec, state, origin, api),
            f"runs with probability p={step.p:g}, so later steps get mixed inputs: set p to 1"
            if spec.group == "conversion" and step.p < 1
            else None,
            f"normalizes again, after {normalized_by}" if spec.name == "Normalize" and normalized_by else None,
            f"expects values in [0, 1], but {normalized_by} already normalized them: move it before Normalize"
            if spec.group == "color" and normalized_by
            else None,
            *(_v2_problems(steps, number - 1, state) if api == "v2" else []),
        ]
        problems.extend(f"{where}: {problem}" for problem in found if problem)
        new_state = _output_state(spec, step, state)
        if new_state != state:
            state, origin = new_state, f"step {number} ({step.name})"
        if spec.name == "Normalize":
            normalized_by = f"step {number} (Normalize)"
    return problems


def _call_label(step: Step) -> str:
    """A step as a short call, e.g. ``Pad(padding=512)``: the arguments off their default."""
    arguments = ", ".join(f"{name}={_show(value, 24)}" for name, (_, value) in _arguments(step).items())
    return f"{step.name}({arguments})"


def _image_fills(value: Any, image: ImageInfo) -> list[Any]:
    """The fills a step's image may get of a fill-like value: a per-type fill gives PIL images (and plain tensors)
    its ``"others"``, an ``Image`` its ``"Image"`` (a tensor may be either)."""
    if not isinstance(value, Mapping):
        return [value]
    others = value.get("others")
    return [others] if image.kind == "pil" else [value.get("Image", others), others]


def _fill_problem(spec: TransformSpec, params: Mapping[str, Any], image: ImageInfo, api: str = "v1") -> str | None:
    """A fill-like list that the image cannot take: on a tensor where only one number works (v1's padding; v2 pads
    tensors with a list too), or of a length that is neither 1 nor the image's channels."""
    lists = [
        (param, value)
        for param in spec.params
        if param.kind == "fill"
        for value in _image_fills(params[param.name], image)
        if isinstance(value, list)
    ]
    for param, value in lists:
        if image.kind != "pil" and not param.tensor_sequence and api == "v1":
            return (
                f"gets {_STATES[image.kind]}, which takes one number as {param.name}, not the list {_show(value)}: "
                f"give one number, or move the step before the conversion to a tensor"
            )
        if params.get("padding_mode", "constant") != "constant":
            continue  # the border copies the image: no fill is used
        if len(value) not in (1, image.channels):
            wanted = "1 value" if image.channels == 1 else f"1 or {image.channels} values"
            return (
                f"gets an image with {image.channels} channel{'s' if image.channels > 1 else ''}, so {param.name} "
                f"should hold {wanted}, not {len(value)}"
            )
    return None


#: How each v2 step that fills new pixels fills a Mask: ``pad`` (torchvision's ``pad_mask`` refuses any list, even
#: of one number, in every padding mode) or ``warp`` (the masks are warped as channels: a list works only with 1
#: value, or with one per mask, which a pipeline cannot know).
_MASK_FILLS = {
    "Pad": "pad",
    "RandomCrop": "pad",
    "RandomZoomOut": "pad",
    "RandomRotation": "warp",
    "RandomAffine": "warp",
    "RandomPerspective": "warp",
    "ElasticTransform": "warp",
}


def _pads(step: Step, params: Mapping[str, Any], image: ImageInfo) -> bool:
    """Whether the step pads ``image`` (RandomCrop only with padding, or a crop larger than the image)."""
    if step.name != "RandomCrop":
        return True
    padding = params["padding"] or 0
    height, width = _pair(params["size"])
    return padding > 0 or (params["pad_if_needed"] and (height > image.height or width > image.width))


def _mask_fill_problem(step: Step, params: Mapping[str, Any], image: ImageInfo) -> str | None:
    """A list that a step would fill the sample's masks with, which a Mask cannot take."""
    how = _MASK_FILLS.get(step.name)
    fill = params.get("fill")
    per_type = isinstance(fill, Mapping)
    if per_type:
        fill = fill.get("Mask", fill.get("others"))
    if how is None or not isinstance(fill, list) or params.get("p", 1.0) == 0:
        return None
    if (how == "pad" and _pads(step, params, image)) or (how == "warp" and len(fill) > 1):
        shown = _show(tuple(fill))
        if per_type and "Mask" in params["fill"]:
            return f"fills masks with a list {shown} (its Mask fill); a Mask takes one number: give Mask one number"
        return (
            f"fills masks with a list {shown}; a Mask takes one number: use a per-type fill such as "
            f"{{Mask: 0, others: {shown}}}"
        )
    return None


def _made_by(step: Step, image: ImageInfo, origin: str, api: str, masks: bool = False) -> tuple[ImageInfo, ...]:
    """The images one enabled step of ``api`` makes from ``image`` (the output last, of the step's output kind),
    in a sample with masks of the image's size if ``masks``.

    Raises:
        ValueError: the reason, if the step always fails on ``image`` (or on the masks with it).
    """
    spec = _VIEWS[api][step.name]
    params = _complete(step)
    problem = (
        _input_problem(spec, image.kind, origin, api)
        or _fill_problem(spec, params, image, api)
        or (_mask_fill_problem(step, params, image) if masks and step.p > 0 else None)
    )
    if problem:
        raise ValueError(problem)
    made = spec.shape(params, image) if spec.shape is not None else (image,)
    return (*made[:-1], replace(made[-1], kind=_output_state(spec, step, image.kind)))


def _too_large(image: ImageInfo, limit: int) -> str:
    side = math.isqrt(limit)
    return (
        f"would make an image of up to {image.width:,} x {image.height:,} pixels ({image.pixels / 1e6:.1f} MP); "
        f"the limit is {limit / 1e6:.1f} MP ({side:,} x {side:,}) per image"
    )


def _check_info(image: Any) -> None:
    if not isinstance(image, ImageInfo):
        raise TypeError(f"image should be an ImageInfo, got {type(image).__name__}")
    if image.kind not in _STATES:
        raise ValueError(f"image.kind should be one of {list(_STATES)}, got {image.kind!r}")
    if image.channels not in _CHANNEL_COUNTS or min(image.height, image.width) < 1:
        raise ValueError(f"image should have 1 to {_MAX_CHANNELS} channels and a positive size, got {image}")


#: How many different images (kind, channels, size) :func:`trace` follows at once; past that, each kind and
#: channel count is followed by its smallest and its largest size only.
_MAX_TRACED = 64


def _merge(images: set[ImageInfo]) -> set[ImageInfo]:
    if len(images) <= _MAX_TRACED:
        return images
    groups: dict[tuple[str, int], list[ImageInfo]] = {}
    for info in images:
        groups.setdefault((info.kind, info.channels), []).append(info)
    merged = set()
    for group in groups.values():
        heights, widths = [i.height for i in group], [i.width for i in group]
        merged |= {group[0].resized(min(heights), min(widths)), group[0].resized(max(heights), max(widths))}
    return merged


@dataclass(frozen=True)
class PipelineTrace:
    """What :func:`trace` found: the largest image each step can output, and the time one image is expected to
    take through the whole pipeline on one core (an estimate from per-step costs, for scheduling and limits)."""

    outputs: tuple[ImageInfo, ...]
    seconds: float


def trace(
    steps: Sequence[Step],
    image: ImageInfo,
    *,
    max_pixels: int = MAX_IMAGE_PIXELS,
    max_seconds: float = MAX_IMAGE_SECONDS,
    api: str = "v1",
    boxes: bool = False,
    masks: bool = False,
    keypoints: bool = False,
) -> PipelineTrace:
    """Follow an input through valid steps, without running them: what each step can output, and what it costs.

    Every image a step can get is followed: a step with ``p < 1`` passes on its input or its output, and both go
    on to the next step (a skipped crop leaves the large image, a skipped Grayscale three channels). A rotation
    with ``expand`` is counted at its widest and tallest angle; a step's cost at the largest image it gets.

    Args:
        steps: valid steps (:func:`validate_step`); disabled ones pass their input on.
        image: what goes in.
        max_pixels: the most pixels any image a step makes may have (:data:`MAX_IMAGE_PIXELS`).
        max_seconds: the most time one image may be expected to take through the steps, on one core
            (:data:`MAX_IMAGE_SECONDS`).
        api: the API the steps are written for (:data:`APIS`); v2's conversions are ToImage (a PIL image to a
            uint8 tensor) and ToDtype (to its dtype's kind).
        boxes: the sample has bounding boxes (with labels) besides the image, as the steps that need them
            (:attr:`TransformSpec.needs_boxes`) require, and as the steps that cannot take boxes
            (:attr:`TransformSpec.boxes`, e.g. v2's auto-augment policies) refuse.
        masks: the sample also has a ``tv_tensors.Mask`` (v2 only): a step that cannot take boxes cannot take it
            either, and a step must not fill it with a list (torchvision's masks take one number; give a
            per-type fill such as ``{"Mask": 0, "others": [123, 117, 104]}``). Pads refuse any list; warps
            (rotation, affine, perspective, elastic) one of more than 1 value.
        keypoints: the sample also has ``tv_tensors.KeyPoints`` (v2 only): a step that cannot take boxes cannot
            take them either, nor can a padding mode other than ``constant``, as with boxes.

    Returns:
        PipelineTrace: the largest image each step can output, and the expected seconds per image.

    Raises:
        StepInputError: for the first step that fails on an image it can get (a tensor-only step on a PIL image, a
            list ``fill`` on a tensor where only a number works, a ``fill`` of the wrong length, a PIL mode with
            other channels, a crop larger than the image, a kernel larger than the image), that would make an
            image of more than ``max_pixels``, or that brings the expected time past ``max_seconds``. The message
            names the step, e.g. ``step 5 Pad(padding=512) would make an image of up to 4,352 x 4,352 pixels (18.9
            MP); the limit is ...``. Also for a step whose transform ``api`` does not have, one that needs
            boxes when ``boxes`` is false, and one that cannot take the sample's masks or keypoints.
        ValueError: if ``max_pixels`` or ``max_seconds`` is not positive, ``api`` not one of :data:`APIS`, or
            ``masks`` or ``keypoints`` is set for v1 (v1 transforms take images only).
    """
    _check_api(api)
    _check_info(image)
    if (masks or keypoints) and api != "v2":
        raise ValueError("masks and keypoints need api='v2': v1 transforms take an image, not an (image, target) pair")
    if isinstance(max_pixels, bool) or not isinstance(max_pixels, int) or max_pixels < 1:
        raise ValueError(f"max_pixels should be a positive int, got {_show(max_pixels)}")
    if not _is_number(max_seconds) or not max_seconds > 0:
        raise ValueError(f"max_seconds should be a positive number, got {_show(max_seconds)}")
    outputs: list[ImageInfo] = []
    current, origins, milliseconds = {image}, {image.kind: "the input"}, 0.0
    for index, step in enumerate(steps):
        if step.enabled:
            _check_traceable(index, step, api, {"bounding boxes": boxes, "masks": masks, "keypoints": keypoints})
            after: set[ImageInfo] = set()
            converted: dict[str, str] = {}
            params, most = _complete(step), 0.0
            # Largest first: the message names the worst case, and the same one on every run.
            for info in sorted(current, key=lambda i: (-i.pixels, i.kind, i.channels, i.height)):
                try:
                    made = _made_by(step, info, origins[info.kind], api, masks)
                except ValueError as exc:
                    raise StepInputError(index, step, str(exc)) from None
                largest = max(made, key=lambda i: i.pixels)
                if largest.pixels > max_pixels:
                    raise StepInputError(index, step, _too_large(largest, max_pixels))
                most = max(most, _milliseconds(step, params, max(info.pixels, largest.pixels)))
                after |= {made[-1], info} if step.p < 1 else {made[-1]}
                if made[-1].kind != info.kind:
                    converted[made[-1].kind] = f"step {index + 1} ({step.name})"
            milliseconds += most
            if milliseconds > max_seconds * 1e3:
                raise StepInputError(index, step, _too_slow(milliseconds, most, max_seconds))
            origins.update(converted)
            current = _merge(after)
        outputs.append(max(current, key=lambda i: (i.pixels, i.channels, i.kind)))
    return PipelineTrace(tuple(outputs), milliseconds / 1e3)


def _check_traceable(index: int, step: Step, api: str, sample: Mapping[str, bool]) -> None:
    """Refuse a step that ``api`` lacks, or that cannot take the parts of the sample: ``sample`` says which of
    ``bounding boxes``, ``masks`` and ``keypoints`` it has."""
    if step.name not in _VIEWS[api]:
        raise StepInputError(index, step, _api_reason(step.name, api))
    if CATALOG[step.name].needs_boxes and not sample["bounding boxes"]:
        raise StepInputError(
            index,
            step,
            "needs bounding boxes in the sample, but the input has none: run the pipeline on an (image, target) "
            "sample with boxes and labels, or remove the step",
        )
    parts = [part for part, has in sample.items() if has]
    if parts and not _VIEWS[api][step.name].boxes:
        raise StepInputError(
            index, step, f"cannot take a sample with {' or '.join(parts)} ({api}): run it on images only, or remove it"
        )
    padding_mode = _complete(step).get("padding_mode", "constant")
    points = [part for part in parts if part != "masks"]  # masks can be padded in any mode
    if points and api == "v2" and step.p > 0 and padding_mode != "constant":
        raise StepInputError(
            index, step, f"pads in {padding_mode} mode, which v2 cannot do to {' or '.join(points)}: use 'constant'"
        )


def _too_slow(milliseconds: float, step_ms: float, max_seconds: float) -> str:
    return (
        f"takes about {step_ms / 1e3:.2g} s per image, which brings the pipeline to about "
        f"{milliseconds / 1e3:.2g} s per image on one core; the limit is {max_seconds:g} s: work on smaller "
        f"images (a Resize or crop first) or make the step lighter"
    )


def normalize_stats(steps: Sequence[Step]) -> tuple[list[float], list[float]] | None:
    """``(mean, std)`` of the last enabled Normalize step (to de-normalize a preview), ``None`` if there is none."""
    for step in reversed(steps):
        if step.enabled and step.name == "Normalize":
            params = default_step("Normalize").params | dict(step.params)
            return [float(v) for v in params["mean"]], [float(v) for v in params["std"]]
    return None


# ----------------------------------------------------------------------------------------------------------- JSON
_LEFT_OUT = {"enabled": True, "p": 1.0, "params": {}}  # what a step's fields read as when missing


def _step_document(step: Step, compact: bool, api: str) -> dict[str, Any]:
    """A valid step as JSON; ``compact`` leaves out the fields and parameters that equal their default."""
    _raise_first(validate_step(step, api=api), _label(step))
    params = {name: value for name, (_, value) in _arguments(step).items()} if compact else _complete(step)
    document = {"name": step.name, "enabled": step.enabled, "p": float(step.p), "params": params}
    if compact:
        document = {key: value for key, value in document.items() if key not in _LEFT_OUT or value != _LEFT_OUT[key]}
    return document


def _check_seed(seed: Any) -> int | None:
    if seed is not None and not (_is_number(seed, integer=True) and 0 <= seed <= MAX_SEED):
        raise ValueError(f"seed should be an int in [0, {MAX_SEED}] or None, got {_show(seed)}")
    return seed


def _document(steps: Sequence[Step], seed: int | None, compact: bool, api: str) -> dict[str, Any]:
    """The document of a pipeline; a compact one (a share link's) leaves out the api, a parameter of its own."""
    _check_api(api)
    if len(steps) > MAX_STEPS:
        raise ValueError(f"a pipeline has at most {MAX_STEPS} steps, got {len(steps)}")
    return {
        "format": _FORMAT,
        "version": _VERSION,
        **({} if compact else {"api": api}),
        "seed": _check_seed(seed),
        "steps": [_step_document(step, compact, api) for step in steps],
    }


def to_json(steps: Sequence[Step], *, seed: int | None = None, api: str = "v1") -> str:
    """The pipeline as a JSON document: ``{"format": "visionkit-pipeline", "version": 1, "api", "seed", "steps"}``.

    Raises:
        ValueError: if a step is invalid or not in ``api``, there are more than :data:`MAX_STEPS` steps, the seed
            is not an int in [0, 2**31 - 1] or None, or ``api`` is not one of :data:`APIS`.
    """
    return json.dumps(_document(steps, seed, compact=False, api=api), indent=2, allow_nan=False)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number this format accepts")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """The object of ``pairs``, refused where a key repeats (the first in sorted order is named). Linear in the
    number of keys: a pasted document may hold a great many."""
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        duplicates = {key for key, _ in pairs if key in seen or seen.add(key)}
        raise ValueError(f"duplicate key {_show(min(duplicates))}")
    return found


def _load_json(text: str) -> Any:
    if len(text) > MAX_JSON_CHARS:
        raise ValueError(f"the pipeline is too large: {len(text)} characters, the limit is {MAX_JSON_CHARS}")
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except RecursionError:
        raise ValueError("not valid pipeline JSON: it is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, and ints with too many digits
        raise ValueError(f"not valid pipeline JSON: {exc}") from None


def _check_fields(value: Any, allowed: Sequence[str], what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{what} should be a JSON object, got {type(value).__name__}")
    unknown = [key for key in value if key not in allowed]
    if unknown:
        raise ValueError(f"{what} has an unknown field {_show(unknown[0])}")
    return value


def _parse_step(number: int, raw: Any, api: str) -> Step:
    where = f"step {number}"
    fields = _check_fields(raw, ("name", "enabled", "p", "params"), where)
    if not isinstance(fields.get("name"), str) or fields["name"] not in CATALOG:
        raise ValueError(f"{where}: unknown transform {_show(fields.get('name'))}")
    step = Step(**(_LEFT_OUT | fields))
    _raise_first(validate_step(step, api=api), f"{where} ({step.name})")
    return Step(step.name, _complete(step), step.enabled, float(step.p))


def _document_api(value: Any, where: str) -> str:
    if not isinstance(value, str) or value not in APIS:
        raise ValueError(f"unknown api {_show(value)} in {where}: a pipeline is written for one of {list(APIS)}")
    return value


def _parse_document(document: Any, api: str = "v1") -> tuple[list[Step], int | None, str]:
    """Steps, seed and api of a document; ``api`` is what a document without an api field was written for."""
    fields = _check_fields(document, ("format", "version", "api", "seed", "steps"), "the pipeline")
    if fields.get("format") != _FORMAT:
        raise ValueError(f"not a visionkit pipeline: format should be {_FORMAT!r}, got {_show(fields.get('format'))}")
    version = fields.get("version")
    if not (_is_number(version, integer=True) and version == _VERSION):
        raise ValueError(f"unsupported pipeline version {_show(version)}: this visionkit reads version {_VERSION}")
    steps = fields.get("steps")
    if not isinstance(steps, list):
        raise ValueError(f"steps should be a list, got {type(steps).__name__}")
    if len(steps) > MAX_STEPS:
        raise ValueError(f"a pipeline has at most {MAX_STEPS} steps, got {len(steps)}")
    seed = _check_seed(fields.get("seed"))
    api = _document_api(fields.get("api", api), "the pipeline")
    return [_parse_step(number, raw, api) for number, raw in enumerate(steps, start=1)], seed, api


def from_json(text: str) -> tuple[list[Step], int | None, str]:
    """Read a pipeline saved by :func:`to_json`, strictly: every step and value is checked, against its api.

    Parameters a step leaves out take their default; the steps come back with all of them. A document without an
    ``api`` field (saved before there were two) is a v1 pipeline.

    Returns:
        the steps, the seed (``None`` if it had none) and the api (one of :data:`APIS`).

    Raises:
        TypeError: if ``text`` is not a str.
        ValueError: with a short message for malformed JSON, a wrong format or version, an unknown api, an unknown
            transform or one its api does not have, an unknown or invalid parameter, more than :data:`MAX_STEPS`
            steps or more than :data:`MAX_JSON_CHARS` characters.
    """
    if not isinstance(text, str):
        raise TypeError(f"text should be a str, got {type(text).__name__}")
    return _parse_document(_load_json(text))


# ------------------------------------------------------------------------------------------------------ share links
def to_query(steps: Sequence[Step], seed: int, *, api: str = "v1") -> dict[str, str]:
    """URL query parameters for a share link: ``p`` (the pipeline as base64url of zlib-compressed compact JSON,
    defaults left out), ``seed`` and ``api``.

    Raises:
        ValueError: if a step or the seed is invalid, a step is not in ``api`` or ``api`` is not in :data:`APIS`.
    """
    if seed is None:
        raise ValueError("seed should be an int in [0, 2147483647], got None")
    text = json.dumps(_document(steps, None, compact=True, api=api), separators=(",", ":"), allow_nan=False)
    packed = base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).rstrip(b"=").decode("ascii")
    return {"p": packed, "seed": str(_check_seed(seed)), "api": api}


def _query_value(params: Mapping[str, Any], key: str, missing: str | None = None) -> str:
    value = params.get(key)
    if isinstance(value, list):  # a repeated parameter: the last one wins, as in a browser
        value = value[-1] if value else None
    value = missing if value is None else value
    if value is None:
        raise ValueError(f"the link has no {key!r} parameter")
    if not isinstance(value, str):
        raise ValueError(f"the link's {key!r} parameter should be text, got {type(value).__name__}")
    if len(value) > _MAX_QUERY_CHARS:
        raise ValueError(f"the link's {key!r} parameter is too long ({len(value)} characters)")
    return value


def _unpack(packed: str) -> str:
    """base64url, then zlib with the output capped at :data:`MAX_JSON_CHARS` bytes, then UTF-8."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+={0,2}", packed):
        raise ValueError("the pipeline data is not base64url text")
    try:
        compressed = base64.b64decode(packed.rstrip("=") + "=" * (-len(packed.rstrip("=")) % 4), b"-_", validate=True)
        inflater = zlib.decompressobj()
        data = inflater.decompress(compressed, MAX_JSON_CHARS + 1)
    except (binascii.Error, zlib.error):
        raise ValueError("the pipeline data is damaged (not compressed base64url)") from None
    if len(data) > MAX_JSON_CHARS:
        raise ValueError(f"the pipeline data unpacks to more than {MAX_JSON_CHARS} bytes")
    if not inflater.eof or inflater.unused_data:
        raise ValueError("the pipeline data is damaged (cut short or with extra bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the pipeline data is not UTF-8 text") from None


def from_query(params: Mapping[str, str | list[str]]) -> tuple[list[Step], int, str]:
    """Read a share link's query parameters (``p``, ``seed`` and ``api``; others are ignored). Nothing is ever
    executed.

    A link without ``seed`` means seed 0: a URL-bound seed widget leaves its default value out of the URL. A link
    without ``api`` is a v1 pipeline (links made before there were two).

    Returns:
        the steps, the seed and the api (one of :data:`APIS`); the steps are checked against the api.

    Raises:
        TypeError: if ``params`` is not a mapping.
        ValueError: with a short message a user can read, for anything malformed or hostile: bad base64, damaged or
            oversized compressed data (decompression is capped), wrong types, out-of-range or non-finite numbers,
            unknown transforms or parameters, a transform the api does not have, too many steps, a bad seed or api.
    """
    if not isinstance(params, Mapping):
        raise TypeError(f"params should be a mapping of query parameters, got {type(params).__name__}")
    seed_text = _query_value(params, "seed", missing="0")
    if not re.fullmatch(r"[0-9]{1,10}", seed_text) or int(seed_text) > MAX_SEED:
        raise ValueError(f"seed should be an int in [0, {MAX_SEED}], got {_show(seed_text)}")
    api = _document_api(_query_value(params, "api", missing="v1"), "the link")
    document = _load_json(_unpack(_query_value(params, "p")))
    if isinstance(document, dict) and document.get("api", api) != api:
        raise ValueError(f"the link's api is {api!r}, but its pipeline says {_show(document['api'])}")
    steps, _, _ = _parse_document(document, api)
    return steps, int(seed_text), api


# ------------------------------------------------------------------------------------------------------------ code
def _code_value(spec: TransformSpec, param: Param, value: Any, api: str = "v1") -> str:
    prefix = _symbol_prefix(spec, param, api)
    if prefix is not None and value is not None:
        return f"{prefix}.{value}"
    if isinstance(value, Mapping):  # a per-type fill: {tv_tensors.Mask: 0, "others": (123, 117, 104)}
        keys = {key: '"others"' if key == "others" else f"tv_tensors.{key}" for key in value}
        return "{" + ", ".join(f"{keys[key]}: {_code_value(spec, param, fill)}" for key, fill in value.items()) + "}"
    return repr(_python_value(spec, param, value))


def _step_code(step: Step, api: str = "v1") -> str:
    spec, module = CATALOG[step.name], _CODE_PREFIXES[api]
    arguments = ", ".join(
        f"{name}={_code_value(spec, param, value, api)}" for name, (param, value) in _arguments(step).items()
    )
    code = f"{module}.{step.name}({arguments})"
    return f"{module}.RandomApply([{code}], p={float(step.p)!r})" if step.p < 1 else code


def _input_lines(image: ScriptInput) -> list[str]:
    about = f", {image.about}" if image.about else ""
    size = (image.width, image.height)
    return [
        f"# The input: {image.path}, {image.width} x {image.height} px in {image.mode} mode{about}.",
        f"img = Image.open({image.path!r}).convert({image.mode!r})",
        f'assert img.size == {size!r}, f"expected the {image.width} x {image.height} px input, got {{img.size}}"',
    ]


def _target_lines(image: ScriptInput, objects: ScriptAnnotations) -> list[str]:
    """Code that builds the target :meth:`ScriptAnnotations.target` makes, with the script's ``tv_tensors``."""
    count, (instances, points, _) = len(objects.boxes), objects._keypoints_shape
    boxes, labels = [list(box) for box in objects.boxes], list(objects.labels)
    parts = [
        f"masks from {objects.mask_path}" if objects.mask_path else "",
        f"keypoints of {instances} instance{'s' * (instances > 1)} ({points} points each)" * bool(points),
    ]
    extra = "".join(f", {part}" for part in parts if part)
    lines = [
        f"# The objects: {count} boxes (x1, y1, x2, y2 in pixels) with their labels{extra}.",
        f"canvas_size = {(image.height, image.width)!r}",
        f"boxes = torch.tensor({boxes!r}, dtype=torch.float32).reshape({count}, 4)",
        "target = {",
        '    "boxes": tv_tensors.BoundingBoxes(boxes, format="XYXY", canvas_size=canvas_size),',
        f'    "labels": torch.tensor({labels!r}, dtype=torch.int64).reshape({count}),',
        "}",
    ]
    if objects.mask_path is not None:
        lines += [
            f"ids = torch.from_numpy(np.array(Image.open({objects.mask_path!r})).astype(np.int64))",
            'assert tuple(ids.shape) == canvas_size, f"expected a mask of the image\'s size, got {tuple(ids.shape)}"',
            f'target["masks"] = tv_tensors.Mask((ids[None] == torch.arange(1, {count + 1})[:, None, None]).to('
            "torch.uint8))",
        ]
    if objects.keypoints is not None:
        keypoints = [[list(point) for point in obj] for obj in objects.keypoints]
        lines += [
            f"points = torch.tensor({keypoints!r}, dtype=torch.float32).reshape({objects._keypoints_shape!r})",
            'target["keypoints"] = tv_tensors.KeyPoints(points, canvas_size=canvas_size)',
        ]
    return lines


def _uses_per_type_fill(steps: Sequence[Step]) -> bool:
    """Whether a step (enabled or not: a disabled one is written as a comment to uncomment) has a per-type fill."""
    return any(isinstance(value, Mapping) for step in steps for _, value in _arguments(step).values())


def _import_lines(
    library: str, api: str, image: ScriptInput | None, seed: int | None, steps: Sequence[Step] = ()
) -> list[str]:
    objects = image.annotations if image is not None else None
    masks = objects is not None and objects.mask_path is not None
    return [
        *(["import random", ""] if seed is not None else []),
        *(["import numpy as np"] if masks else []),
        "import torch",
        *(["from PIL import Image"] if image is not None else []),
        *([f"from {library} import tv_tensors"] if objects is not None or _uses_per_type_fill(steps) else []),
        f"from {library}.transforms import v2" if api == "v2" else f"from {library} import transforms as T",
    ]


def to_code(
    steps: Sequence[Step],
    *,
    library: str = "visionkit",
    seed: int | None = None,
    image: ScriptInput | None = None,
    api: str = "v1",
) -> str:
    """A runnable Python script that builds the same pipeline as :func:`build_pipeline`.

    Every argument off its default is written as a keyword, interpolation modes as ``T.InterpolationMode.NAME``,
    a step's ``p < 1`` as ``T.RandomApply([...], p=...)``; disabled steps appear as comments. With a seed, the
    script then seeds torch's and Python's random streams (``RandomChoice``, ``RandomOrder`` and the auto-augment
    policies' choices draw from both); with an image, it opens it and runs the pipeline on it: ``out`` is what
    the pipeline made of that image with that seed, pixel for pixel.

    A v2 script imports ``from torchvision.transforms import v2`` (or visionkit's) and writes ``v2.Compose``,
    ``v2.InterpolationMode.NAME`` and ``v2.RandomApply``; a per-type fill as ``{tv_tensors.Mask: 0, "others":
    (123, 117, 104)}``, with ``tv_tensors`` imported from the library. With the image's :class:`ScriptAnnotations`,
    it also builds the target (``tv_tensors.BoundingBoxes`` in XYXY, labels, a ``tv_tensors.Mask`` per object from
    the mask PNG, ``tv_tensors.KeyPoints``) and computes ``out_img, out_target = pipeline(img, target)``.

    Args:
        steps: the pipeline.
        library: ``visionkit`` or ``torchvision``; only the import lines differ.
        seed: if given, the script calls ``torch.manual_seed(seed)`` and ``random.seed(seed)`` after building it.
        image: if given, the script opens this file (:class:`ScriptInput`) and computes ``out = pipeline(img)``.
        api: the API the steps are written for (:data:`APIS`).

    Raises:
        ValueError: if ``library`` or ``api`` is unknown, a step is invalid or not in ``api``, the seed is out of
            range, or the image has annotations in a v1 script (v1 transforms take images only).
        TypeError: if ``image`` is not a :class:`ScriptInput`.
    """
    if library not in ("visionkit", "torchvision"):
        raise ValueError(f"library should be 'visionkit' or 'torchvision', got {library!r}")
    _document(steps, seed, compact=True, api=api)  # validates the api, the steps and the seed
    if image is not None and not isinstance(image, ScriptInput):
        raise TypeError(f"image should be a ScriptInput or None, got {type(image).__name__}")
    objects = image.annotations if image is not None else None
    if objects is not None and api != "v2":
        raise ValueError("image.annotations need api='v2': v1 transforms take an image, not an (image, target) pair")
    module = _CODE_PREFIXES[api]
    call = "out_img, out_target = pipeline(img, target)" if objects is not None else "out = pipeline(img)"
    title = "# An augmentation pipeline" + (" (v2)" if api == "v2" else "")
    if objects is not None:
        lines = [f"{title} for a detection sample: {call}."]
    else:
        lines = [f"{title}: {call}, img being what its first step takes."]
    lines += _import_lines(library, api, image, seed, steps)
    body = [
        f"    {_step_code(step, api)}," if step.enabled else f"    # disabled: {_step_code(step, api)},"
        for step in steps
    ]
    lines += ["", *([f"pipeline = {module}.Compose([", *body, "])"] if body else [f"pipeline = {module}.Compose([])"])]
    if image is not None:
        lines += ["", *_input_lines(image)]
    if objects is not None:
        lines += _target_lines(image, objects)
    if seed is not None:
        lines += ["", f"torch.manual_seed({seed})", f"random.seed({seed})"]
    if image is not None:
        lines += [call]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------------------- presets
def _preset_step(name: str, **params: Any) -> Step:
    return Step(name, _default_params(CATALOG[name]) | params)


def _imagenet_normalize() -> Step:
    return _preset_step("Normalize", mean=list(_IMAGENET_MEAN), std=list(_IMAGENET_STD))


#: Ready-made pipelines. Treat them as read-only: copy (``copy.deepcopy``) a preset before editing its steps.
PRESETS: dict[str, list[Step]] = {
    "CIFAR-10 classic": [
        _preset_step("RandomCrop", size=[28, 28]),
        _preset_step("Resize", size=[32, 32]),
        _preset_step("RandomHorizontalFlip"),
        _preset_step("ToTensor"),
        _preset_step("Normalize", mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5]),
    ],
    "ImageNet training": [
        _preset_step("RandomResizedCrop", size=224),
        _preset_step("RandomHorizontalFlip"),
        _preset_step("ToTensor"),
        _imagenet_normalize(),
    ],
    "ImageNet evaluation": [
        _preset_step("Resize", size=256),
        _preset_step("CenterCrop", size=224),
        _preset_step("ToTensor"),
        _imagenet_normalize(),
    ],
    "AutoAugment (ImageNet)": [
        _preset_step("AutoAugment", policy="IMAGENET"),
        _preset_step("ToTensor"),
        _imagenet_normalize(),
    ],
    "RandAugment": [_preset_step("RandAugment"), _preset_step("ToTensor")],
    "TrivialAugmentWide": [_preset_step("TrivialAugmentWide"), _preset_step("ToTensor")],
}


def _in_v2(steps: list[Step]) -> list[Step]:
    """A v1 preset as v2 writes it: ToTensor becomes ToImage, then ToDtype(float32, scale=True)."""
    v2_steps = []
    for step in steps:
        if step.name == "ToTensor":
            v2_steps += [_preset_step("ToImage"), _preset_step("ToDtype", dtype="float32", scale=True)]
        else:
            v2_steps.append(Step(step.name, dict(step.params), step.enabled, step.p))
    return v2_steps


#: Ready-made v2 pipelines: the v1 presets with v2's conversions, and torchvision's detection (SSD) and
#: segmentation training recipes (``references/detection/presets.py`` and ``references/segmentation/presets.py``).
#: The detection preset needs an (image, target) sample with boxes and labels. Read-only, as :data:`PRESETS`.
PRESETS_V2: dict[str, list[Step]] = {
    **{name: _in_v2(steps) for name, steps in PRESETS.items()},
    # torchvision's "ssd" augmentation; the reference ends with ConvertBoundingBoxFormat(XYXY) and ToPureTensor,
    # which the catalog's XYXY boxes and tensors need not. Its zoom-out fill is per type, as the reference's:
    # images get the ImageNet mean and masks 0 (a Mask takes one number), so it runs on samples with masks too.
    "Detection (SSD)": [
        _preset_step("RandomPhotometricDistort"),
        _preset_step("RandomZoomOut", fill={"Mask": 0, "others": [123, 117, 104]}),
        _preset_step("RandomIoUCrop"),
        _preset_step("RandomHorizontalFlip"),
        _preset_step("ToImage"),
        _preset_step("ToDtype", dtype="float32", scale=True),
        _preset_step("SanitizeBoundingBoxes"),
    ],
    # SegmentationPresetTrain(base_size=520, crop_size=480): the reference pads a small image with its own
    # PadIfSmaller (masks with 255) before RandomCrop; here RandomCrop pads what it needs, with 0.
    "Segmentation": [
        _preset_step("RandomResize", min_size=260, max_size=1040),
        _preset_step("RandomHorizontalFlip"),
        _preset_step("RandomCrop", size=480, pad_if_needed=True),
        _preset_step("ToImage"),
        _preset_step("ToDtype", dtype="float32", scale=True),
        _imagenet_normalize(),
    ],
}


# ------------------------------------------------------------------------------------------------- pasted code
from ._code_import import CodeImportError, from_code  # noqa: E402  (it reads this module's declarations)
