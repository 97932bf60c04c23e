"""Object detection sets in the Ultralytics YOLO layout: ``data.yaml``, ``images/<split>/`` and ``labels/<split>/``."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from PIL import Image

from .. import tv_tensors
from .folder import IMG_EXTENSIONS
from .vision import VisionDataset

__all__ = ["YOLODetection", "YOLOLabelError"]


class YOLOLabelError(ValueError):
    """A label file line that is not ``class cx cy w h`` with a known class and finite numbers."""


def _strip(value: str) -> str:
    return value.split(" #", 1)[0].strip().strip("'\"")


def _parse_names(path: Path) -> list[str]:
    """Class names from the ``names`` key of a YOLO ``data.yaml`` (inline list, block list or index mapping)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if not line.startswith("names:"):
            continue
        inline = _strip(line[len("names:") :])
        if inline.startswith("[") and inline.endswith("]"):
            return [_strip(item) for item in inline[1:-1].split(",") if _strip(item)]
        if inline:
            break
        return _block_names(path, lines[number + 1 :])
    raise ValueError(
        f"{path}: expected `names:` as [a, b], a block list of `- a`, or `0: a` lines; other YAML is not supported"
    )


def _block_names(path: Path, lines: list[str]) -> list[str]:
    items: list[str] = []
    mapping: dict[int, str] = {}
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace() and not line.startswith("-"):
            break
        text = line.strip()
        if text.startswith("- "):
            items.append(_strip(text[2:]))
            continue
        key, sep, value = text.partition(":")
        if not sep or not key.strip().isdigit():
            raise ValueError(f"{path}: cannot read `names` entry {text!r}; use `- name` or `0: name`")
        mapping[int(key)] = _strip(value)
    if mapping:
        if sorted(mapping) != list(range(len(mapping))):
            raise ValueError(f"{path}: `names` indices should be 0..{len(mapping) - 1}, got {sorted(mapping)}")
        return [mapping[index] for index in range(len(mapping))]
    if not items:
        raise ValueError(f"{path}: `names` is empty")
    return items


class YOLODetection(VisionDataset):
    """Detection set in the Ultralytics layout, with targets shaped like ``wrap_dataset_for_transforms_v2``'s.

    Args:
        root (str or Path): folder holding ``data.yaml``, ``images/<split>/`` and ``labels/<split>/``.
        split (str): sub-folder of ``images`` and ``labels``, e.g. ``"train"`` or ``"val"``.
        transform, target_transform, transforms (callable, optional): as in ``VisionDataset``.

    Items are ``(image, target)``: a PIL RGB image and ``{"boxes": BoundingBoxes[N, 4] (XYXY, pixels, float32),
    "labels": Tensor[N] int64, "image_id": int}``.

    Raises:
        ValueError: if ``data.yaml`` or ``images/<split>`` is missing or unreadable, or a path leaves ``root``.
    """

    def __init__(
        self,
        root: str | Path,
        split: str = "train",
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        transforms: Callable | None = None,
    ) -> None:
        super().__init__(root, transforms, transform, target_transform)
        self.split = split
        base = Path(self.root)
        self._base = base.resolve()
        yaml_path = base / "data.yaml"
        if not yaml_path.is_file():
            raise ValueError(f"Dataset not found: {yaml_path} does not exist")
        self.classes = _parse_names(self._inside(yaml_path))
        image_dir = base / "images" / split
        if not image_dir.is_dir():
            raise ValueError(f"Dataset not found: {image_dir} is not a folder")
        names = sorted(name for name in os.listdir(image_dir) if name.lower().endswith(IMG_EXTENSIONS))
        self.images = [str(self._inside(image_dir / name)) for name in names]
        self.labels = [str(base / "labels" / split / (Path(name).stem + ".txt")) for name in names]

    def _inside(self, path: Path) -> Path:
        resolved = path.resolve()
        if not resolved.is_relative_to(self._base):
            raise ValueError(f"{path} resolves to {resolved}, outside the dataset root {self._base}; refusing it")
        return path

    def _relative(self, index: int) -> str:
        return os.path.relpath(self.labels[index], self.root)

    def _read_labels(self, index: int) -> tuple[list[list[float]], list[int], list[str]]:
        """Rows, classes and problem messages of one label file (a missing file has none of each)."""
        path = Path(self.labels[index])
        if not path.exists():
            return [], [], []
        text = self._inside(path).read_text(encoding="utf-8")
        rows: list[list[float]] = []
        classes: list[int] = []
        problems: list[str] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            problem = self._check_line(line.split(), rows, classes)
            if problem:
                problems.append(f"{self._relative(index)} line {number}: {problem}")
        return rows, classes, problems

    def _check_line(self, fields: list[str], rows: list[list[float]], classes: list[int]) -> str:
        if len(fields) != 5:
            return f"expected 5 numbers `class cx cy w h`, got {len(fields)}"
        try:
            label = int(fields[0])
            values = [float(field) for field in fields[1:]]
        except ValueError:
            return f"not numbers: {' '.join(fields)!r}"
        if not 0 <= label < len(self.classes):
            return f"class {label} is not in names (0..{len(self.classes) - 1})"
        if not all(math.isfinite(value) for value in values):
            return f"values should be finite, got {' '.join(fields[1:])}"
        rows.append(values)
        classes.append(label)
        return ""

    def label_rows(self, index: int) -> tuple[list[list[float]], list[int], list[str]]:
        """Return item ``index``'s label file as read, without opening its image: the ``[cx, cy, w, h]`` rows
        (normalized), their classes, and a message per malformed line (``labels/<split>/<stem>.txt line N:
        reason``; malformed lines give no row). A missing label file is an image without objects."""
        return self._read_labels(index)

    def problems(self) -> list[str]:
        """Every malformed label line of the split, as ``labels/<split>/<stem>.txt line N: reason``."""
        return [problem for index in range(len(self)) for problem in self._read_labels(index)[2]]

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        rows, classes, problems = self._read_labels(index)
        if problems:
            raise YOLOLabelError("; ".join(problems))
        with Image.open(self.images[index]) as opened:
            image = opened.convert("RGB")
        width, height = image.size
        cxcywh = torch.tensor(rows, dtype=torch.float32).reshape(-1, 4)
        scale = torch.tensor([width, height, width, height], dtype=torch.float32)
        centre, size = cxcywh[:, :2], cxcywh[:, 2:]
        xyxy = torch.cat([centre - size / 2, centre + size / 2], dim=1) * scale
        boxes = tv_tensors.BoundingBoxes(xyxy, format="XYXY", canvas_size=(height, width))
        target = {"boxes": boxes, "labels": torch.tensor(classes, dtype=torch.int64), "image_id": index}
        if self.transforms is not None:
            image, target = self.transforms(image, target)
        return image, target

    def __len__(self) -> int:
        return len(self.images)

    def extra_repr(self) -> str:
        return f"Split: {self.split}"
