"""Drawing keypoints, and the lines that connect them, on an image."""

from __future__ import annotations

from numbers import Integral

import torch
from PIL import ImageDraw

from ._color import Color, parse_color
from ._image import check_image, check_non_negative_int, from_pil, to_pil

__all__ = ["draw_keypoints"]

# Connections between keypoints are drawn in white whatever ``colors`` is (as torchvision does).
_CONNECTION_COLOR = (255, 255, 255)


def draw_keypoints(
    image: torch.Tensor,
    keypoints: torch.Tensor,
    connectivity: list[tuple[int, int]] | None = None,
    colors: Color | None = None,
    radius: int = 2,
    width: int = 3,
    visibility: torch.Tensor | None = None,
) -> torch.Tensor:
    """Draw keypoints, and lines connecting them, on an RGB image.

    Keypoints are filled discs of ``colors``; connections are white lines. Coordinates are truncated to integers.
    Float images are converted to uint8 to draw on and back (so they come back quantised to multiples of 1/255).

    Args:
        image (Tensor[3, H, W]): uint8 in [0, 255] or float in [0, 1].
        keypoints (Tensor[N, K, 2]): the K (x, y) keypoints of each of N instances, in pixels. Further values
            along the last dimension (such as the score column of ``(N, K, 3)`` predictions) are ignored.
        connectivity (list[tuple[int, int]], optional): pairs of keypoint indices in [-K, K) to connect; negative
            indices count from the end, as in Python.
        colors (color, optional): one colour for all keypoints, a PIL colour string ("red", "#FF00FF") or an RGB
            tuple. ``None`` (as in torchvision) draws the connections only.
        radius (int): radius of the keypoint discs in pixels.
        width (int): width of the connecting lines in pixels.
        visibility (Tensor[N, K], optional): which keypoints to draw (cast to bool); ``(N, K, 1)`` is accepted too.
            Invisible keypoints and the connections that touch them are not drawn. By default all are visible.

    Returns:
        Tensor[3, H, W]: a new image with the image's dtype.

    Raises:
        TypeError: ``image``, ``keypoints`` or ``visibility`` is not a tensor, ``colors`` is not a single colour,
            or ``radius`` / ``width`` is not an int.
        ValueError: wrong image dtype or shape, keypoints not (N, K, 2), ``visibility`` not (N, K), a connection
            index outside [-K, K), or a negative ``radius`` / ``width``.
    """
    check_image(image, channels=(3,))
    _check_keypoints(keypoints)
    num_points = keypoints.shape[1]
    visible = _checked_visibility(visibility, keypoints)
    pairs = _checked_connectivity(connectivity, num_points)
    check_non_negative_int(radius, "radius")
    check_non_negative_int(width, "width")
    fill = None if colors is None else parse_color(colors)

    picture = to_pil(image)
    draw = ImageDraw.Draw(picture)
    for points, shown in zip(keypoints[..., :2].to(torch.int64).tolist(), visible.tolist(), strict=True):
        for (x, y), is_shown in zip(points, shown, strict=True):
            if is_shown:
                draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=fill, outline=None, width=0)
        for start, end in pairs:
            if shown[start] and shown[end]:
                draw.line((*points[start], *points[end]), fill=_CONNECTION_COLOR, width=width)
    return from_pil(picture, like=image)


def _check_keypoints(keypoints: object) -> None:
    if not isinstance(keypoints, torch.Tensor):
        raise TypeError(f"`keypoints` should be a Tensor, got {type(keypoints).__name__}")
    if keypoints.ndim != 3 or keypoints.shape[2] < 2:
        raise ValueError(
            f"`keypoints` should have shape (num_instances, K, 2), got {tuple(keypoints.shape)}; only the first "
            "two values, (x, y), of the last dimension are used"
        )
    if keypoints.is_floating_point() and not torch.isfinite(keypoints).all():
        raise ValueError("`keypoints` should hold finite coordinates, got NaN or infinity")


def _checked_visibility(visibility: object, keypoints: torch.Tensor) -> torch.Tensor:
    """``visibility`` as an ``(N, K)`` bool tensor, all True when it is None."""
    if visibility is None:
        return torch.ones(keypoints.shape[:2], dtype=torch.bool)
    if not isinstance(visibility, torch.Tensor):
        raise TypeError(f"`visibility` should be a Tensor, got {type(visibility).__name__}")
    if visibility.ndim == 3:
        # As torchvision does, so that the last column of (N, K, 3) predictions split off with
        # ``split([2, 1], dim=-1)`` can be passed as it is.
        visibility = visibility.squeeze(-1)
    if visibility.shape != keypoints.shape[:2]:
        raise ValueError(
            f"`visibility` should have shape (num_instances, K) = {tuple(keypoints.shape[:2])} like `keypoints`, "
            f"got {tuple(visibility.shape)}"
        )
    return visibility.to(torch.bool)


def _checked_connectivity(connectivity: object, num_points: int) -> list[tuple[int, int]]:
    """``connectivity`` as a list of index pairs in [0, num_points), negative indices wrapped; empty when None."""
    if connectivity is None:
        return []
    pairs = []
    for pair in connectivity:
        if len(pair) != 2 or not all(isinstance(i, Integral) and -num_points <= i < num_points for i in pair):
            raise ValueError(
                f"`connectivity` should hold pairs of keypoint indices in [-{num_points}, {num_points}), "
                f"got {tuple(pair)}"
            )
        pairs.append((int(pair[0]) % num_points, int(pair[1]) % num_points))
    return pairs
