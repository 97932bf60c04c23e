"""A canvas for drawing, moving, resizing and deleting boxes with the mouse: a Streamlit components-v2 widget.

The browser half is plain JavaScript and CSS in ``vkapp/box_canvas/`` (no build step). Everything that crosses the
boundary is in IMAGE pixel coordinates; only the browser knows about screen pixels. The browser sends the whole box
list once per completed interaction (mouse up, Delete, relabel), never while the mouse moves, so a page reruns once
per edit.

Box dicts: ``{"id", "x1", "y1", "x2", "y2", "label", "score", "color", "style"}``; ``id``, ``label``, ``score``,
``color`` and ``style`` may be left out (``id`` is then assigned, the rest default to None).
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import streamlit as st
from PIL import Image

__all__ = [
    "BOX_KEYS",
    "BOX_STYLES",
    "MODES",
    "OVERLAY_KINDS",
    "PALETTE",
    "CanvasState",
    "box_canvas",
    "canvas_data",
    "label_colors",
    "normalize_box",
    "normalize_boxes",
    "normalize_overlay",
]

BOX_KEYS = ("id", "x1", "y1", "x2", "y2", "label", "score", "color", "style")
BOX_STYLES = ("solid", "dashed")
MODES = ("edit", "view")
#: Each overlay kind with its required keys, then its optional keys and their defaults.
OVERLAY_KINDS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "rect": (("x1", "y1", "x2", "y2"), {"color": "#ffffff", "fill": None, "dash": False}),
    "points": (("xy",), {"color": "#ffffff"}),
    "grid": (("x1", "y1", "x2", "y2", "rows", "cols"), {"color": "#ffffff"}),
}
#: Box colours by label, in order of first appearance (Sasha Trubetskoy's distinct colours: readable on photos).
PALETTE = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45", "#469990")

_ASSETS = Path(__file__).with_suffix("")
_EDIT_EVENT = "edit"
_STATE_PREFIX = "_box_canvas:"
#: Images with more pixels than this travel as JPEG (photos); smaller ones as PNG, so tiny digits stay exact.
_PNG_MAX_PIXELS = 256 * 256

_component = st.components.v2.component(
    "visionkit_box_canvas",
    css=(_ASSETS / "box_canvas.css").read_text(encoding="utf-8"),
    js=(_ASSETS / "box_canvas.js").read_text(encoding="utf-8"),
)


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} should be a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} should be finite, got {value!r}")
    return float(value)


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} should be an int >= 1, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} should be an int >= 1, got {value!r}")
    return value


def _optional_str(value: Any, name: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} should be a str or None, got {value!r}")
    return value


def _check_keys(item: Any, allowed: Sequence[str], required: Sequence[str], name: str) -> None:
    if not isinstance(item, Mapping):
        raise TypeError(f"{name} should be a dict, got {item!r}")
    unknown = sorted(set(item) - set(allowed))
    if unknown:
        raise ValueError(f"{name} has unknown keys {unknown}; allowed keys are {list(allowed)}")
    missing = [k for k in required if k not in item]
    if missing:
        raise ValueError(f"{name} is missing the keys {missing}, got {dict(item)!r}")


def _span(a: Any, b: Any, limit: float, name: str) -> tuple[float, float]:
    """One axis of a box: ordered, clamped to [0, limit] and rounded to 0.1 px."""
    lo, hi = sorted((_number(a, name), _number(b, name)))
    return round(min(max(lo, 0.0), limit), 1), round(min(max(hi, 0.0), limit), 1)


def normalize_box(box: Mapping[str, Any], size: tuple[float, float], name: str = "box") -> dict[str, Any]:
    """Check one box and bring it into canonical form.

    Args:
        box: a box dict with at least ``x1, y1, x2, y2`` in image pixels.
        size: ``(width, height)`` of the image; the box is clamped to it.
        name: how error messages call the box, e.g. ``"boxes[2]"``.

    Returns:
        A new dict with every key of ``BOX_KEYS`` (``id`` None when absent), ``x1 <= x2`` and ``y1 <= y2`` clamped to
        the image and rounded to 0.1 px.

    Raises:
        TypeError: if the box is not a dict or a field has the wrong type.
        ValueError: for unknown or missing keys, non-finite coordinates or an unknown style.
    """
    _check_keys(box, BOX_KEYS, ("x1", "y1", "x2", "y2"), name)
    x1, x2 = _span(box["x1"], box["x2"], size[0], f"{name}['x1'/'x2']")
    y1, y2 = _span(box["y1"], box["y2"], size[1], f"{name}['y1'/'y2']")
    score = box.get("score")
    style = box.get("style")
    if style is not None and style not in BOX_STYLES:
        raise ValueError(f"{name}['style'] should be one of {BOX_STYLES} or None, got {style!r}")
    return {
        "id": _optional_str(box.get("id"), f"{name}['id']"),
        "x1": x1,
        "y1": y1,
        "x2": x2,
        "y2": y2,
        "label": _optional_str(box.get("label"), f"{name}['label']"),
        "score": None if score is None else _number(score, f"{name}['score']"),
        "color": _optional_str(box.get("color"), f"{name}['color']"),
        "style": style,
    }


def normalize_boxes(boxes: Sequence[Mapping[str, Any]], size: tuple[float, float]) -> list[dict[str, Any]]:
    """Normalise every box (see `normalize_box`) and give boxes without an id the first free ``"b<n>"``.

    Raises:
        TypeError: if ``boxes`` is not a list or tuple, or a box is malformed.
        ValueError: if two boxes share an id, or a box is malformed.
    """
    if not isinstance(boxes, list | tuple):
        raise TypeError(f"boxes should be a list of dicts, got {type(boxes).__name__}")
    result = [normalize_box(box, size, f"boxes[{i}]") for i, box in enumerate(boxes)]
    ids = [b["id"] for b in result if b["id"] is not None]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"boxes should have distinct ids, got duplicates {duplicates}")
    taken = set(ids)
    counter = 0
    for box in result:
        while box["id"] is None:
            counter += 1
            if f"b{counter}" not in taken:
                box["id"] = f"b{counter}"
    return result


def normalize_overlay(overlay: Mapping[str, Any], name: str = "overlay") -> dict[str, Any]:
    """Check one drawn-only overlay and fill in its defaults.

    Kinds (image pixels): ``{"kind": "rect", "x1", "y1", "x2", "y2", "color", "fill", "dash"}``,
    ``{"kind": "points", "xy": [[x, y], ...], "color"}`` and
    ``{"kind": "grid", "x1", "y1", "x2", "y2", "rows", "cols", "color"}`` (a rows x cols lattice, e.g. RoIAlign bins).
    ``fill`` is a CSS colour such as ``"rgba(255, 0, 0, 0.3)"`` or None; ``dash`` draws a dashed outline.

    Raises:
        TypeError: for a non-dict overlay or a field of the wrong type.
        ValueError: for an unknown kind, unknown or missing keys, or fewer than one row or column.
    """
    kind = overlay.get("kind") if isinstance(overlay, Mapping) else None
    if kind not in OVERLAY_KINDS:
        raise ValueError(f"{name}['kind'] should be one of {list(OVERLAY_KINDS)}, got {kind!r}")
    required, defaults = OVERLAY_KINDS[kind]
    _check_keys(overlay, ("kind", *required, *defaults), required, name)
    result: dict[str, Any] = {"kind": kind, **defaults, **overlay}
    for key in ("color", "fill"):
        if key in result:
            _optional_str(result[key], f"{name}[{key!r}]")
    if "dash" in result and not isinstance(result["dash"], bool):
        raise TypeError(f"{name}['dash'] should be a bool, got {result['dash']!r}")
    if kind == "points":
        result["xy"] = _points(overlay["xy"], f"{name}['xy']")
        return result
    for key in ("x1", "y1", "x2", "y2"):
        result[key] = _number(overlay[key], f"{name}[{key!r}]")
    result["x1"], result["x2"] = sorted((result["x1"], result["x2"]))
    result["y1"], result["y2"] = sorted((result["y1"], result["y2"]))
    if kind == "grid":
        for key in ("rows", "cols"):
            _positive_int(overlay[key], f"{name}[{key!r}]")
    return result


def _points(value: Any, name: str) -> list[list[float]]:
    if not isinstance(value, list | tuple):
        raise TypeError(f"{name} should be a list of [x, y] pairs, got {value!r}")
    for i, point in enumerate(value):
        if not isinstance(point, list | tuple) or len(point) != 2:
            raise ValueError(f"{name}[{i}] should be an [x, y] pair, got {point!r}")
    return [[_number(x, f"{name}[{i}]"), _number(y, f"{name}[{i}]")] for i, (x, y) in enumerate(value)]


def label_colors(
    labels: Sequence[str], boxes: Sequence[Mapping[str, Any]], colors: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The colour of every label in ``labels`` and ``boxes``: ``colors`` first, then `PALETTE` in order of appearance.

    The empty string is the colour of boxes without a label (the first palette colour unless ``colors`` sets it).
    """
    names = dict.fromkeys(["", *labels, *(b["label"] for b in boxes if b.get("label") is not None)])
    given = dict(colors or {})
    free = [c for c in PALETTE if c not in given.values()] or list(PALETTE)
    palette = iter(free * (len(names) // len(free) + 1))
    return {name: given[name] if name in given else next(palette) for name in names}


def _image_url(image: Image.Image, width: int) -> str:
    """A data URL of the image at no more than twice the display width (sharp on HiDPI screens, not oversized)."""
    if image.width > 2 * width:
        size = (2 * width, max(1, round(image.height * 2 * width / image.width)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    as_jpeg = image.mode != "RGBA" and image.width * image.height > _PNG_MAX_PIXELS
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=92) if as_jpeg else image.save(buffer, format="PNG")
    mime = "image/jpeg" if as_jpeg else "image/png"
    return f"data:{mime};base64,{base64.b64encode(buffer.getvalue()).decode('ascii')}"


def _check_arguments(image: Any, width: Any, height: Any, labels: Any, colors: Any, show_ids: Any, mode: Any) -> None:
    if image is not None and not isinstance(image, Image.Image):
        raise TypeError(f"image should be a PIL.Image.Image or None, got {type(image).__name__}")
    _positive_int(width, "width")
    _positive_int(height, "height")
    if labels is not None and (not isinstance(labels, list | tuple) or not all(isinstance(x, str) for x in labels)):
        raise TypeError(f"labels should be a list of str or None, got {labels!r}")
    if colors is not None and (
        not isinstance(colors, Mapping) or not all(isinstance(v, str) for v in (*colors, *colors.values()))
    ):
        raise TypeError(f"colors should be a dict of label -> CSS colour str or None, got {colors!r}")
    if not isinstance(show_ids, bool):
        raise TypeError(f"show_ids should be a bool, got {show_ids!r}")
    if mode not in MODES:
        raise ValueError(f"mode should be one of {MODES}, got {mode!r}")


def canvas_data(
    image: Image.Image | None,
    boxes: Sequence[Mapping[str, Any]],
    *,
    width: int,
    height: int,
    labels: Sequence[str] | None = None,
    colors: Mapping[str, str] | None = None,
    show_ids: bool = True,
    mode: str = "edit",
    overlays: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Validate the arguments of `box_canvas` and build the JSON payload the browser draws from.

    Returns:
        ``{"image": data URL or None, "size": [W, H] image pixels, "width", "height": screen pixels, "pixelated",
        "boxes", "overlays", "labels", "colors", "show_ids", "editable"}``. Images upscaled 2x or more are drawn
        ``pixelated`` so small images (digits, CIFAR) stay crisp.
    """
    _check_arguments(image, width, height, labels, colors, show_ids, mode)
    size = (width, height) if image is None else image.size
    normalized = normalize_boxes(boxes, size)
    if overlays is not None and not isinstance(overlays, list | tuple):
        raise TypeError(f"overlays should be a list of dicts or None, got {type(overlays).__name__}")
    return {
        "image": None if image is None else _image_url(image, width),
        "size": list(size),
        "width": width,
        "height": height if image is None else max(1, round(width * size[1] / size[0])),
        "pixelated": width >= 2 * size[0],
        "boxes": normalized,
        "overlays": [normalize_overlay(o, f"overlays[{i}]") for i, o in enumerate(overlays or ())],
        "labels": list(labels or ()),
        "colors": label_colors(labels or (), normalized, colors),
        "show_ids": show_ids,
        "editable": mode == "edit",
    }


@dataclass
class CanvasState:
    """Which boxes one canvas shows, reconciling the caller's ``boxes`` argument with the user's edits.

    The caller's list wins when it differs both from the list it passed last run and from what `box_canvas` returned
    last run (a caller storing the result and passing it back is echoing, not changing, the boxes).
    """

    given: list[dict[str, Any]]
    returned: list[dict[str, Any]]
    current: list[dict[str, Any]]

    @classmethod
    def start(cls, given: list[dict[str, Any]]) -> CanvasState:
        return cls(given=given, returned=given, current=given)

    def sync(self, given: list[dict[str, Any]], size: tuple[float, float]) -> list[dict[str, Any]]:
        """Take this run's normalised ``boxes`` argument; return the boxes to show and hand back (fresh copies)."""
        if given not in (self.given, self.returned):
            self.current = given
        self.given = given
        self.current = normalize_boxes(self.current, size)  # the image may have changed size
        self.returned = self.current
        return [dict(box) for box in self.current]

    def receive(self, edited: Any, size: tuple[float, float]) -> None:
        """Take the box list the browser sent after an interaction."""
        self.current = normalize_boxes(edited, size)


def _receive_edit(key: str, size: tuple[float, float]) -> None:
    """Callback for a completed browser interaction: store its boxes before the script reruns."""
    edited = st.session_state[key].get(_EDIT_EVENT)
    if edited is not None:
        st.session_state[_STATE_PREFIX + key].receive(edited, size)


def peek(key: str, boxes: Sequence[Mapping[str, Any]], size: tuple[float, float]) -> list[dict[str, Any]]:
    """The boxes the canvas ``key`` will show this run (the user's latest edit, or the caller's new list), without
    drawing it: overlays computed from them then appear in the same run as the edit."""
    given = normalize_boxes(boxes, size)
    state = st.session_state.get(_STATE_PREFIX + key)
    if state is None or given not in (state.given, state.returned):
        return given
    return [dict(box) for box in normalize_boxes(state.current, size)]


def box_canvas(
    image: Image.Image | None,
    boxes: Sequence[Mapping[str, Any]],
    *,
    width: int,
    height: int,
    key: str,
    labels: Sequence[str] | None = None,
    colors: Mapping[str, str] | None = None,
    show_ids: bool = True,
    mode: str = "edit",
    overlays: Sequence[Mapping[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Show an image with boxes the user can draw, move, resize, relabel and delete with the mouse.

    Drag on empty space to draw a box (at least 3 x 3 screen pixels), drag inside a box to move it, drag a corner or
    edge to resize it, click to select, Delete or Backspace removes the selected box. With ``labels``, a picker sets
    the label of new boxes and of the selected one.

    ``boxes`` works like a widget's initial value that the caller may change: while the caller keeps passing the
    same list, the canvas keeps the user's edits; when the caller passes a different list (e.g. after editing a
    coordinate table), the canvas shows that list. The usual pattern stores the result and passes it back:
    ``st.session_state.boxes = box_canvas(image, st.session_state.boxes, width=640, height=480, key="boxes-canvas")``.

    Args:
        image: the picture to annotate, or None for a blank canvas of ``width x height`` image pixels.
        boxes: box dicts in image pixels (see the module docstring).
        width: display width in screen pixels; the image is scaled to it.
        height: display height of a blank canvas; with an image the height follows the image's aspect ratio.
        key: the widget key; every canvas on a page needs its own.
        labels: label names for new boxes (None: new boxes have no label).
        colors: CSS colour per label; other labels get `PALETTE` colours. A box's own ``color`` wins.
        show_ids: write each box's id in its tag, before the label and score.
        mode: ``"edit"`` or ``"view"`` (drawn only, e.g. NMS replays).
        overlays: drawn-only rectangles, point sets and grids (see `normalize_overlay`), in image pixels.

    Returns:
        The current boxes in image pixels: every key of ``BOX_KEYS``, ``x1 <= x2``, ``y1 <= y2``, clamped to the image
        and rounded to 0.1 px.

    Raises:
        TypeError, ValueError: for malformed arguments; the message names the argument.
    """
    if not isinstance(key, str):
        raise TypeError(f"key should be a non-empty str, got {key!r}")
    if not key:
        raise ValueError(f"key should be a non-empty str, got {key!r}")
    data = canvas_data(
        image,
        boxes,
        width=width,
        height=height,
        labels=labels,
        colors=colors,
        show_ids=show_ids,
        mode=mode,
        overlays=overlays,
    )
    size = tuple(data["size"])
    state = st.session_state.setdefault(_STATE_PREFIX + key, CanvasState.start(data["boxes"]))
    data["boxes"] = state.sync(data["boxes"], size)
    data["colors"] = label_colors(data["labels"], data["boxes"], colors)
    _component(key=key, data=data, width="content", height="content", on_edit_change=partial(_receive_edit, key, size))
    return data["boxes"]
