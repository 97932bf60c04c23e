"""Drawing bounding boxes and their labels on an image."""

from __future__ import annotations

import math
import threading
import warnings
from dataclasses import dataclass
from typing import Any

import torch
from PIL import Image, ImageDraw, ImageFont

from ._color import Colors, parse_colors
from ._image import check_image, check_non_negative_int, from_pil, to_pil

__all__ = ["draw_bounding_boxes"]

# Opacity of the box fill when fill=True (of 255), so the object stays visible under it.
_FILL_ALPHA = 100
_DEFAULT_FONT_SIZE = 10
_BOX_COORDS = (4, 8)
_BLACK = (0, 0, 0)
# The edge of a rotated box from its first to its second corner is dashed, so the box's orientation shows.
_DASH_LENGTH = 5
_DASH_PERIOD = 10
# Pixels of label background around the text's bounding box when fill_labels=True.
_LABEL_PADDING = 1

Font = ImageFont.ImageFont | ImageFont.FreeTypeFont | ImageFont.TransposedFont
_FONTS = threading.local()


def draw_bounding_boxes(
    image: torch.Tensor,
    boxes: torch.Tensor,
    labels: list[str | None] | None = None,
    colors: Colors = None,
    fill: bool | None = False,
    width: int = 1,
    font: str | None = None,
    font_size: int | None = None,
    label_colors: Colors = None,
    label_background_colors: Colors = None,
    fill_labels: bool = False,
) -> torch.Tensor:
    """Draw bounding boxes, and optionally their labels, on an image.

    Float images are converted to uint8 to draw on and back (so they come back quantised to multiples of 1/255);
    float values outside [0, 1] are clamped. A grayscale image comes back as RGB.

    Args:
        image (Tensor[C, H, W]): uint8 in [0, 255] or float in [0, 1], with C = 1 or 3.
        boxes (Tensor[N, 4] or Tensor[N, 8]): (xmin, ymin, xmax, ymax) boxes in pixels with xmin <= xmax and
            ymin <= ymax, or (x1, y1, x2, y2, x3, y3, x4, y4) polygons. Coordinates are truncated to integers.
        labels (list of str or None, optional): one label per box; ``None`` entries draw no label.
        colors (color or list of colors, optional): box colours, one for all boxes or a list with one per box.
            A colour is a PIL colour string ("red", "#FF00FF") or an RGB tuple ``(240, 10, 157)``. By default each
            box gets a colour from a fixed palette.
        fill (bool): if True, fill the boxes with their colour at opacity 100/255.
        width (int): outline width in pixels.
        font (str, optional): path or name of a TrueType font for the labels. By default PIL's default font.
        font_size (int, optional): the font size in points when ``font`` is given (default 10).
        label_colors (color or list of colors, optional): text colours. By default the box colours, or black when
            ``fill_labels`` is True.
        label_background_colors (color or list of colors, optional): colours of the label backgrounds when
            ``fill_labels`` is True. By default the box colours.
        fill_labels (bool): if True, draw each label on a filled background.

    Returns:
        Tensor[3, H, W]: a new image with the image's dtype and the boxes drawn.

    Raises:
        TypeError: ``image`` or ``boxes`` is not a tensor, or ``labels`` is not a list or tuple of strings.
        ValueError: wrong image dtype or shape, boxes not (N, 4) or (N, 8), non-finite coordinates, a box with
            xmax < xmin or ymax < ymin, labels or colours not matching the number of boxes, or a negative ``width``.
        OSError: the font file cannot be loaded.
    """
    check_image(image, channels=(1, 3))
    _check_boxes(boxes)
    check_non_negative_int(width, "width")
    if labels is not None:
        _check_labels(labels, boxes.shape[0])
    text_font = _load_font(font, font_size)
    if boxes.shape[0] == 0:
        warnings.warn("boxes doesn't contain any box. No box was drawn", stacklevel=2)
        return image
    box_colors = parse_colors(colors, boxes.shape[0])
    text_colors, backgrounds = _label_colors(box_colors, label_colors, label_background_colors, fill_labels)

    picture = to_pil(image)
    draw = ImageDraw.Draw(picture, "RGBA" if fill else None)
    for i, coords in enumerate(boxes.to(torch.int64).tolist()):
        _draw_box(draw, coords, box_colors[i], fill=bool(fill), width=width)
        if labels is not None and labels[i] is not None:
            # Labels sit inside the box's top-left corner, one pixel clear of the outline.
            origin = (coords[0] + width + 1, coords[1] + width + 1)
            _draw_label(draw, origin, labels[i], text_font, text_colors[i], backgrounds[i])
    return from_pil(picture, like=image)


def _check_boxes(boxes: object) -> None:
    if not isinstance(boxes, torch.Tensor):
        raise TypeError(f"`boxes` should be a Tensor, got {type(boxes).__name__}")
    if boxes.ndim != 2 or boxes.shape[1] not in _BOX_COORDS:
        raise ValueError(f"`boxes` should have shape (N, 4) or (N, 8), got {tuple(boxes.shape)}")
    if boxes.is_floating_point() and not torch.isfinite(boxes).all():
        row = int((~torch.isfinite(boxes)).any(dim=1).nonzero()[0])
        raise ValueError(f"`boxes` should hold finite coordinates, but box {row} is {boxes[row].tolist()}")
    if boxes.shape[1] == 4:
        inverted = (boxes[:, 2] < boxes[:, 0]) | (boxes[:, 3] < boxes[:, 1])
        if inverted.any():
            row = int(inverted.nonzero()[0])
            raise ValueError(
                "`boxes` should be in (xmin, ymin, xmax, ymax) format with xmin <= xmax and ymin <= ymax, "
                f"but box {row} is {boxes[row].tolist()}. Use visionkit.ops.box_convert to convert other formats"
            )


def _check_labels(labels: object, num_boxes: int) -> None:
    if not isinstance(labels, (list, tuple)):
        raise TypeError(f"`labels` should be a list of strings, got {labels!r}")
    if len(labels) != num_boxes:
        raise ValueError(
            f"Number of boxes ({num_boxes}) and labels ({len(labels)}) mismatch. Please specify labels for each box."
        )
    for i, label in enumerate(labels):
        if label is not None and not isinstance(label, str):
            raise TypeError(f"`labels` should hold strings or None, but label {i} is {label!r}")


def _label_colors(
    box_colors: list[tuple[int, int, int]],
    label_colors: Colors,
    label_background_colors: Colors,
    fill_labels: bool,
) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, int] | None]]:
    """Text colour and background colour (None: no background) of each box's label."""
    num_boxes = len(box_colors)
    if label_colors is not None:
        text_colors = parse_colors(label_colors, num_boxes, "label_colors")
    else:
        text_colors = [_BLACK] * num_boxes if fill_labels else box_colors
    if not fill_labels:
        return text_colors, [None] * num_boxes
    if label_background_colors is None:
        return text_colors, list(box_colors)
    return text_colors, list(parse_colors(label_background_colors, num_boxes, "label_background_colors"))


def _draw_box(
    draw: ImageDraw.ImageDraw, coords: list[int], color: tuple[int, int, int], *, fill: bool, width: int
) -> None:
    fill_color = (*color, _FILL_ALPHA) if fill else None
    if len(coords) == 4:
        draw.rectangle(coords, outline=color, fill=fill_color, width=width)
    else:
        _draw_rotated_box(draw, list(zip(coords[::2], coords[1::2], strict=True)), color, fill_color, width)


def _draw_rotated_box(
    draw: ImageDraw.ImageDraw,
    corners: list[tuple[int, int]],
    color: tuple[int, int, int],
    fill_color: tuple[int, int, int, int] | None,
    width: int,
) -> None:
    """A four-corner polygon whose first edge (corner 0 to corner 1) is dashed."""
    if fill_color is not None:
        draw.polygon(corners, fill=fill_color)
    for start, end in zip(corners[1:], corners[2:] + corners[:1], strict=True):
        draw.line([start, end], fill=color, width=width)
    for dash in _dashes(corners[0], corners[1]):
        draw.line(dash, fill=color, width=width)


def _dashes(start: tuple[int, int], end: tuple[int, int]) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Segments of a dashed line from ``start`` to ``end``: ``_DASH_LENGTH`` on, then off, every ``_DASH_PERIOD``."""
    length = math.dist(start, end)
    if length == 0:
        return []
    step_x, step_y = (end[0] - start[0]) / length, (end[1] - start[1]) / length

    def point(distance: float) -> tuple[float, float]:
        return start[0] + step_x * distance, start[1] + step_y * distance

    return [(point(on), point(min(on + _DASH_LENGTH, length))) for on in range(0, math.ceil(length), _DASH_PERIOD)]


def _draw_label(
    draw: ImageDraw.ImageDraw,
    origin: tuple[int, int],
    label: str,
    font: Font,
    color: tuple[int, int, int],
    background: tuple[int, int, int] | None,
) -> None:
    if background is not None:
        left, top, right, bottom = draw.textbbox(origin, label, font=font)
        pad = _LABEL_PADDING
        draw.rectangle((left - pad, top - pad, right + pad, bottom + pad), fill=background)
    _draw_text(draw, origin, label, font, color)


#: How many rendered labels a font keeps (:func:`_draw_text`).
_LABELS_KEPT = 256


@dataclass(frozen=True)
class _RenderedLabel:
    """A label as ``ImageDraw.text`` draws it: its mask, where the mask goes from the text's origin, and its ink."""

    mask: Any
    offset: tuple[int, int]
    ink: int


def _draw_text(
    draw: ImageDraw.ImageDraw, origin: tuple[int, int], label: str, font: Font, color: tuple[int, int, int]
) -> None:
    """``draw.text(origin, label, fill=color, font=font)``, with the rendered text kept by the font: boxes drawn
    over and over (a dataset grid, every preview of a pipeline) carry the same few labels, and rendering them is
    most of what drawing a labelled box costs. ``ImageDraw.text`` draws one line of text as the font's mask of it,
    blended in with the colour's ink; this draws that same mask with that same ink. Each label is checked the
    first time against ``ImageDraw.text`` itself, and drawn by it wherever the two would differ (another Pillow,
    another kind of font or image)."""
    cache = _label_cache(font, draw)
    key = (draw.mode, draw.fontmode, label, color)
    found = cache.get(key) if cache is not None else False
    if found is None:
        found = _rendered_label(draw, label, font, color)
        if len(cache) >= _LABELS_KEPT:
            del cache[next(iter(cache))]
        cache[key] = found
    if not found:
        draw.text(origin, label, fill=color, font=font)
        return
    draw.draw.draw_bitmap((origin[0] + found.offset[0], origin[1] + found.offset[1]), found.mask, found.ink)


def _label_cache(font: Font, draw: ImageDraw.ImageDraw) -> dict[tuple[Any, ...], Any] | None:
    """The labels this thread's default font has rendered, by drawing mode, font mode, text and colour (None where
    they are not kept: a font given by the caller, loaded anew for each call, or an image other than RGB)."""
    if font is not getattr(_FONTS, "default", None) or not isinstance(font, ImageFont.FreeTypeFont):
        return None
    if getattr(draw, "im", None) is None or draw.im.mode != "RGB" or getattr(draw, "mode", None) not in ("RGB", "RGBA"):
        return None
    return _FONTS.__dict__.setdefault("labels", {})


def _rendered_label(draw: ImageDraw.ImageDraw, label: str, font: Font, color: tuple[int, int, int]) -> Any:
    """The label's :class:`_RenderedLabel`, or False where drawing it so would not give ``ImageDraw.text``'s
    pixels (checked on a scratch image in the drawing's mode)."""
    if "\n" in label:
        return False
    try:
        ink = draw._getink(color)[0]
        # ImageDraw.text's own call for one line anchored at its left ascender, at a whole-pixel origin
        mask, offset = font.getmask2(
            label, draw.fontmode, None, None, None, 0, "la", ink, (0.0, 0.0), stroke_filled=True
        )
        rendered = _RenderedLabel(mask, (int(offset[0]), int(offset[1])), ink)
        left, top, right, bottom = font.getbbox(label)
        margin = 4
        size = (int(right - min(left, 0)) + 2 * margin, int(bottom - min(top, 0)) + 2 * margin)
        origin = (margin - int(min(left, 0)), margin - int(min(top, 0)))
        expected, drawn = (Image.new("RGB", size, _SCRATCH_BACKGROUND) for _ in range(2))
        ImageDraw.Draw(expected, draw.mode).text(origin, label, fill=color, font=font)
        scratch = ImageDraw.Draw(drawn, draw.mode)
        scratch.draw.draw_bitmap((origin[0] + rendered.offset[0], origin[1] + rendered.offset[1]), mask, ink)
    except (AttributeError, TypeError, ValueError):  # another Pillow's internals
        return False
    return rendered if expected.tobytes() == drawn.tobytes() and expected.getbbox() is not None else False


#: The scratch image's colour when a rendered label is checked: not a colour a label is drawn in.
_SCRATCH_BACKGROUND = (37, 99, 161)


def _load_font(font: str | None, font_size: int | None) -> Font:
    if font is None:
        if font_size is not None:
            warnings.warn("Argument 'font_size' will be ignored since 'font' is not set.", stacklevel=3)
        # The same font for every call in a thread (FreeType fonts are not shared between threads), and with it the
        # labels it has rendered; torchvision loads it anew each time, with the same pixels.
        default = getattr(_FONTS, "default", None)
        if default is None:
            default = _FONTS.default = ImageFont.load_default()
        return default
    try:
        return ImageFont.truetype(font, size=font_size or _DEFAULT_FONT_SIZE)
    except OSError as exc:
        raise OSError(f"could not load the font {font!r} for `font`: {exc}") from exc
