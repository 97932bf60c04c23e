"""Shapes: a small procedurally generated detection dataset that needs no download.

Every item is drawn from its own random generator, seeded by ``(seed, split, index)``, so an item is the same on every
machine and whatever was read before it. Shapes are rasterised by PIL without antialiasing, which keeps their boxes
pixel-exact.
"""

from __future__ import annotations

import colorsys
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image, ImageDraw

from ._validation import check_int
from .vision import VisionDataset

__all__ = ["Shapes"]

_CLASSES = ("circle", "square", "triangle", "star")
_DEFAULT_SIZES = {True: 400, False: 100}
_MIN_IMAGE_SIZE = 32
_MAX_SHAPES = 3
_PLACEMENT_TRIES = 30
# Shape sizes are drawn as the radius of the circle of equal area, as a fraction of the image side, so every class
# is equally likely to be the largest shape.
_EQUAL_AREA_RADIUS = (0.08, 0.18)
# Centres closer than this fraction of the sum of the two circumradii are rejected: shapes overlap at most a little.
_MIN_CENTER_DISTANCE = 0.8
# Areas of the shapes of one image differ at least by this ratio, so the largest one is plain to see.
_MIN_AREA_RATIO = 1.15
_STAR_INNER_RATIO = 0.45
# Polygon vertex counts; a star alternates outer and inner vertices.
_VERTICES = {"square": 4, "triangle": 3, "star": 10}
# Background values stay at or below this, shape colours have a channel at 0.85 * 255 or more, so shapes stand out.
_BACKGROUND_MAX = 150
_TEXTURE_CELL = 8


def _area_per_squared_circumradius(name: str) -> float:
    """Area of the shape ``name`` with circumradius 1."""
    if name == "circle":
        return math.pi
    # One triangle per pair of consecutive vertices; every other vertex of a star lies at the inner ratio.
    count = _VERTICES[name]
    inner = _STAR_INNER_RATIO if name == "star" else 1.0
    return count / 2 * inner * math.sin(2 * math.pi / count)


@dataclass(frozen=True)
class _Shape:
    """One shape of an image: its class, centre, circumradius, rotation and colour."""

    label: int
    center: tuple[int, int]
    circumradius: float
    angle: float
    color: tuple[int, int, int]

    def mask(self, name: str, image_size: int) -> Image.Image:
        """Rasterise the shape (class ``name``) into a mode '1' mask of side ``image_size``."""
        mask = Image.new("1", (image_size, image_size), 0)
        draw = ImageDraw.Draw(mask)
        cx, cy = self.center
        if name == "circle":
            radius = round(self.circumradius)
            draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=1)
        else:
            draw.polygon(self._vertices(_VERTICES[name], name == "star"), fill=1)
        return mask

    def _vertices(self, count: int, alternate: bool) -> list[tuple[int, int]]:
        # Integer vertices keep rasterisation independent of floating-point details of the machine.
        cx, cy = self.center
        points = []
        for k in range(count):
            radius = self.circumradius * (_STAR_INNER_RATIO if alternate and k % 2 else 1.0)
            theta = self.angle + 2 * math.pi * k / count
            points.append((cx + round(radius * math.cos(theta)), cy + round(radius * math.sin(theta))))
        return points


class Shapes(VisionDataset):
    """Procedural dataset of RGB images with 1 to 3 coloured shapes on a textured background.

    Each image has a noisy, blocky background with a gentle gradient in muted colours (no channel above 150), and
    1 to 3 shapes of random class, bright colour (a channel at 217 or more), size, rotation and position that overlap
    at most a little. The label of an image is the class of its largest shape, counted in drawn pixels; shapes are
    drawn from the smallest to the largest, so the largest is never covered. :meth:`annotations` gives the box and
    class of every shape.

    Args:
        root (str or Path, optional): unused (nothing is read or written); kept for torchvision's signature.
        train (bool): the train split if True, else the test split. The splits hold different images.
        transform (callable, optional): applied to the PIL image.
        target_transform (callable, optional): applied to the label.
        size (int, optional): number of images; defaults to 400 for train and 100 for test.
        image_size (int): side of the square images in pixels, at least 32.
        seed (int): non-negative seed; the same seed gives the same dataset everywhere.

    Raises:
        TypeError: if ``size``, ``image_size`` or ``seed`` is not an int.
        ValueError: if ``size`` is below 1, ``image_size`` below 32 or ``seed`` negative.

    Attributes:
        classes (list[str]): the class names, in label order.
        class_to_idx (dict[str, int]): label of each class name.
        targets (list[int]): label of each image, known from the shapes' masks without rendering any image.
    """

    def __init__(
        self,
        root: str | Path | None = None,
        train: bool = True,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        *,
        size: int | None = None,
        image_size: int = 64,
        seed: int = 0,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        size = _DEFAULT_SIZES[bool(train)] if size is None else size
        check_int(size, "size", 1)
        check_int(image_size, "image_size", _MIN_IMAGE_SIZE)
        check_int(seed, "seed", 0)
        self.train = train
        self.size = size
        self.image_size = image_size
        self.seed = seed
        self.classes = list(_CLASSES)
        self.class_to_idx = {name: label for label, name in enumerate(self.classes)}
        self._layouts = [self._layout(index) for index in range(size)]
        self.targets = [layout[-1].label for layout in self._layouts]

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Return ``(image, label)``: a PIL RGB image and the class of its largest shape, both transformed if set."""
        index = self._index(index)
        return self._apply_transforms(self._render(index), self.targets[index])

    def annotations(self, index: int) -> dict[str, torch.Tensor]:
        """Return the boxes and classes of the shapes of image ``index``, in drawing order (the label's shape last).

        Boxes are tight around the drawn pixels of each whole shape (a later shape may cover part of it), in pixel
        edge coordinates: the shape's pixels are the columns ``x1 <= x < x2`` and rows ``y1 <= y < y2``, so
        ``image.crop(box)`` cuts out exactly the shape's extent.

        Returns:
            dict: ``boxes`` (Tensor[K, 4] float32, (x1, y1, x2, y2)), ``labels`` (Tensor[K] int64), K in 1..3, and
            ``masks`` (Tensor[K, H, W] bool): the pixels of each shape that show in the image (a later shape covers
            an earlier one), as instance masks are.
        """
        layout = self._layouts[self._index(index)]
        drawn = [np.asarray(self._mask(shape), dtype=bool) for shape in layout]
        boxes = [self._mask(shape).getbbox() for shape in layout]
        visible = np.stack(drawn)
        for later in range(1, len(drawn)):
            visible[:later] &= ~drawn[later]
        return {
            "boxes": torch.tensor(boxes, dtype=torch.float32),
            "labels": torch.tensor([shape.label for shape in layout], dtype=torch.int64),
            "masks": torch.from_numpy(visible),
        }

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train else 'Test'}"

    def _index(self, index: int) -> int:
        # Normalises negative indices and raises IndexError past the end, as a list does.
        return range(self.size)[operator.index(index)]

    def _generators(self, index: int) -> list[np.random.Generator]:
        """Independent generators for the geometry and the background of image ``index``."""
        seeds = np.random.SeedSequence([self.seed, int(not self.train), index]).spawn(2)
        return [np.random.default_rng(seed) for seed in seeds]

    def _layout(self, index: int) -> list[_Shape]:
        """The shapes of image ``index`` in drawing order: by increasing number of drawn pixels."""
        rng = self._generators(index)[0]
        placed: list[tuple[int, _Shape]] = []
        for _ in range(int(rng.integers(1, _MAX_SHAPES + 1))):
            found = self._place(rng, placed)
            if found is not None:
                placed.append(found)
        # Drawing the largest shape last keeps it whole, so it is also the largest visible one.
        return [shape for _, shape in sorted(placed, key=lambda item: item[0])]

    def _place(self, rng: np.random.Generator, placed: list[tuple[int, _Shape]]) -> tuple[int, _Shape] | None:
        """Draw a shape that fits beside the ``(drawn pixels, shape)`` pairs in ``placed``; None if none was found.

        It fits if it overlaps the others at most a little and its area differs clearly from theirs, so which shape
        is the largest is never a close call.
        """
        for _ in range(_PLACEMENT_TRIES):
            shape = self._random_shape(rng)
            pixels = np.count_nonzero(self._mask(shape))
            if all(_far_enough(shape, other) and _clearly_different(pixels, size) for size, other in placed):
                return pixels, shape
        return None

    def _random_shape(self, rng: np.random.Generator) -> _Shape:
        label = int(rng.integers(len(self.classes)))
        equal_area_radius = float(rng.uniform(*_EQUAL_AREA_RADIUS)) * self.image_size
        circumradius = equal_area_radius * math.sqrt(math.pi / _area_per_squared_circumradius(self.classes[label]))
        angle = float(rng.uniform(0, 2 * math.pi))
        hue, saturation, value = rng.uniform((0.0, 0.6, 0.85), (1.0, 1.0, 1.0))
        color = tuple(round(channel * 255) for channel in colorsys.hsv_to_rgb(hue, saturation, value))
        low, high = math.ceil(circumradius) + 1, self.image_size - math.ceil(circumradius) - 1
        center = (int(rng.integers(low, high)), int(rng.integers(low, high)))
        return _Shape(label, center, circumradius, angle, color)

    def _mask(self, shape: _Shape) -> Image.Image:
        return shape.mask(self.classes[shape.label], self.image_size)

    def _render(self, index: int) -> Image.Image:
        image = Image.fromarray(self._background(self._generators(index)[1]))
        for shape in self._layouts[index]:
            image.paste(shape.color, None, self._mask(shape))
        return image

    def _background(self, rng: np.random.Generator) -> np.ndarray:
        """Muted background ``[S, S, 3]`` uint8: base colour, linear gradient, blocky texture and pixel noise."""
        side = self.image_size
        base = rng.integers(40, 100, size=3)
        slope_x, slope_y = rng.integers(-20, 21, size=2)
        ys, xs = np.mgrid[0:side, 0:side]
        gradient = (slope_x * xs + slope_y * ys) // side
        cells = rng.integers(-12, 13, size=(side // _TEXTURE_CELL + 1, side // _TEXTURE_CELL + 1, 3))
        blocks = cells.repeat(_TEXTURE_CELL, axis=0).repeat(_TEXTURE_CELL, axis=1)[:side, :side]
        noise = rng.integers(-10, 11, size=(side, side, 3))
        values = base + gradient[..., np.newaxis] + blocks + noise
        return np.clip(values, 0, _BACKGROUND_MAX).astype(np.uint8)


def _far_enough(shape: _Shape, other: _Shape) -> bool:
    distance = math.dist(shape.center, other.center)
    return distance >= _MIN_CENTER_DISTANCE * (shape.circumradius + other.circumradius)


def _clearly_different(pixels: int, other_pixels: int) -> bool:
    return max(pixels, other_pixels) >= _MIN_AREA_RATIO * min(pixels, other_pixels)
