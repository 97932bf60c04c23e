"""Colour parsing and the default palette shared by the drawing utilities."""

from __future__ import annotations

from numbers import Integral

import torch
from PIL import ImageColor

__all__ = ["Color", "Colors", "colors_as_tensor", "generate_color_palette", "parse_color", "parse_colors"]

Color = str | tuple[int, int, int]
Colors = Color | list[Color] | None

# Multiplying the object index by these and reducing mod 255 spreads colours over the RGB cube (torchvision's palette).
_PALETTE_STEPS = (2**25 - 1, 2**15 - 1, 2**21 - 1)


def generate_color_palette(num_objects: int) -> list[tuple[int, int, int]]:
    """The default colours for ``num_objects`` objects; the first is black.

    Args:
        num_objects (int): how many colours to make.

    Returns:
        list[tuple[int, int, int]]: one RGB triplet in [0, 254] per object.
    """
    return [tuple((i * step) % 255 for step in _PALETTE_STEPS) for i in range(num_objects)]


def parse_color(color: Color, name: str = "colors") -> tuple[int, int, int]:
    """One colour as an RGB triplet.

    Args:
        color (str or tuple[int, int, int]): a PIL colour string ("red", "#FF00FF", "rgb(1, 2, 3)") or an RGB triplet.
        name (str): the argument's name, for error messages.

    Returns:
        tuple[int, int, int]: the colour's red, green and blue values in [0, 255].

    Raises:
        ValueError: an unknown colour string, a tuple that is not a triplet, or values outside [0, 255].
        TypeError: neither a string nor a tuple, or a tuple holding non-integers.
    """
    if isinstance(color, str):
        try:
            return ImageColor.getcolor(color, "RGB")
        except ValueError as exc:
            raise ValueError(f"`{name}` holds an unknown color {color!r}: {exc}") from None
    if not isinstance(color, tuple):
        raise TypeError(f"`{name}` should be a color string or an RGB tuple, got {color!r}")
    if len(color) != 3:
        raise ValueError(f"`{name}` given as a tuple should be an RGB triplet, got {color!r}")
    if not all(isinstance(v, Integral) and not isinstance(v, bool) for v in color):
        raise TypeError(f"`{name}` given as a tuple should hold integers, got {color!r}")
    if not all(0 <= v <= 255 for v in color):
        raise ValueError(f"`{name}` given as a tuple should hold values in [0, 255], got {color!r}")
    return tuple(int(v) for v in color)


def parse_colors(colors: Colors, num_objects: int, name: str = "colors") -> list[tuple[int, int, int]]:
    """One RGB triplet per object.

    Args:
        colors (str, tuple or list of them, optional): ``None`` for the default palette, one colour for every object,
            or a list with at least ``num_objects`` colours (extra ones are ignored).
        num_objects (int): how many colours are needed.
        name (str): the argument's name, for error messages.

    Returns:
        list[tuple[int, int, int]]: ``num_objects`` RGB triplets.

    Raises:
        ValueError: ``colors`` is of an unsupported type (as in torchvision), a list with fewer than ``num_objects``
            colours, or an invalid colour.
        TypeError: a listed colour is neither a string nor a tuple, or a tuple holds non-integers.
    """
    if colors is None:
        return generate_color_palette(num_objects)
    if isinstance(colors, (str, tuple)):
        return [parse_color(colors, name)] * num_objects
    if not isinstance(colors, list):
        raise ValueError(f"`{name}` should be a color, a list of colors or None, got {colors!r}")
    if len(colors) < num_objects:
        raise ValueError(f"`{name}` should hold at least one color per object ({num_objects}), got {len(colors)}")
    return [parse_color(color, name) for color in colors[:num_objects]]


def colors_as_tensor(
    colors: list[tuple[int, int, int]], dtype: torch.dtype, scale_dtype: torch.dtype = torch.float64
) -> torch.Tensor:
    """Colours as a ``(N, 3)`` tensor in the value range of ``dtype``: [0, 255] for uint8, [0, 1] for floats.

    ``scale_dtype`` is the precision in which colours are divided by 255 for a float ``dtype`` before being cast
    to it.
    """
    table = torch.tensor(colors, dtype=torch.float64).reshape(-1, 3)
    if dtype.is_floating_point:
        table = table.to(scale_dtype) / 255
    return table.to(dtype)
