"""Dataset health report: class balance, exact per-channel statistics, sizes, modes, duplicates and unreadable files.

`health_report` works on any map-style dataset whose items are ``(image, label)`` pairs, and takes a fast path for
the two layouts torchvision's own datasets use: an in-memory uint8 array (``data`` + ``targets``, as in MNIST and
CIFAR) is scanned in vectorised chunks, and a list of files (``samples``, as in ImageFolder) is decoded with PIL
directly so that broken files are reported instead of raised.
"""

from __future__ import annotations

import copy
import hashlib
import math
import operator
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image

from ._validation import check_int
from .folder import check_pixels

__all__ = ["HealthReport", "health_report"]

ProgressCallback = Callable[[int, int], None]

_TRANSFORM_ATTRIBUTES = ("transform", "target_transform", "transforms")


@dataclass
class HealthReport:
    """What `health_report` found in a dataset.

    Attributes:
        num_items (int): number of items in the dataset, readable or not.
        class_names (list[str]): ``dataset.classes`` when present, else the label values as strings.
        class_counts (list[int]): number of items per class, aligned with ``class_names``. Counts come from the
            labels, so unreadable files are counted too.
        channels (int): 1 when every readable image is grayscale ('L'), 3 otherwise, 0 when nothing was readable.
        mean (tuple[float, ...]): per-channel mean of all pixels, in [0, 1].
        std (tuple[float, ...]): per-channel population standard deviation of all pixels, in [0, 1].
        pixel_histogram (list[list[int]]): ``[channels][256]`` counts of each 8-bit value per channel. In a dataset
            that mixes 'L' and colour images the grayscale pixels are counted in all three channels.
        sizes (Counter[tuple[int, int]]): number of images per ``(width, height)``.
        modes (Counter[str]): number of images per PIL mode as stored ('RGB', 'L', 'P', ...); array-backed images
            count as 'L' or 'RGB'.
        duplicate_groups (list[list[int]]): groups of two or more indices whose decoded pixels are identical.
        unreadable (list[tuple[int, str, str]]): ``(index, path, message)`` for each file that could not be decoded.
        paths (list[str] | None): the file of each item for file-backed datasets, else None.
    """

    num_items: int
    class_names: list[str]
    class_counts: list[int]
    channels: int
    mean: tuple[float, ...]
    std: tuple[float, ...]
    pixel_histogram: list[list[int]]
    sizes: Counter[tuple[int, int]]
    modes: Counter[str]
    duplicate_groups: list[list[int]]
    unreadable: list[tuple[int, str, str]]
    paths: list[str] | None

    def normalize_line(self, decimals: int = 4) -> str:
        """Return the ``Normalize(...)`` call with this dataset's statistics, ready to paste into a pipeline.

        Args:
            decimals (int): digits kept after the decimal point.

        Returns:
            str: e.g. ``"Normalize(mean=(0.4914, 0.4822, 0.4465), std=(0.247, 0.2435, 0.2616))"``.

        Raises:
            TypeError: if ``decimals`` is not an int.
            ValueError: if ``decimals`` is negative or no image of the dataset could be read.
        """
        check_int(decimals, "decimals", 0)
        if self.channels == 0:
            raise ValueError("No image of the dataset could be read, so it has no mean and std to normalize with")
        mean = tuple(round(value, decimals) for value in self.mean)
        std = tuple(round(value, decimals) for value in self.std)
        return f"Normalize(mean={mean}, std={std})"

    def aspect_ratios(self, decimals: int = 2) -> Counter[float]:
        """Count images per aspect ratio (width / height), rounded to ``decimals`` digits.

        Raises:
            TypeError: if ``decimals`` is not an int.
            ValueError: if ``decimals`` is negative.
        """
        check_int(decimals, "decimals", 0)
        ratios: Counter[float] = Counter()
        for (width, height), count in self.sizes.items():
            ratios[round(width / height, decimals) if height else math.inf] += count
        return ratios

    def to_dict(self) -> dict[str, Any]:
        """Return the report as plain JSON-serialisable Python objects (sizes keyed ``"WIDTHxHEIGHT"``)."""
        return {
            "num_items": self.num_items,
            "class_names": list(self.class_names),
            "class_counts": list(self.class_counts),
            "channels": self.channels,
            "mean": list(self.mean),
            "std": list(self.std),
            "pixel_histogram": [list(counts) for counts in self.pixel_histogram],
            "sizes": {f"{width}x{height}": count for (width, height), count in self.sizes.most_common()},
            "modes": dict(self.modes.most_common()),
            "duplicate_groups": [list(group) for group in self.duplicate_groups],
            "unreadable": [
                {"index": index, "path": path, "message": message} for index, path, message in self.unreadable
            ],
            "paths": None if self.paths is None else list(self.paths),
        }


class _Accumulator:
    """Streams batches of decoded images into histograms, size and mode counts and pixel digests."""

    def __init__(self, num_items: int) -> None:
        self.histograms = {1: np.zeros((1, 256), dtype=np.int64), 3: np.zeros((3, 256), dtype=np.int64)}
        self.labels = np.zeros(num_items, dtype=np.int64)
        self.sizes: Counter[tuple[int, int]] = Counter()
        self.modes: Counter[str] = Counter()
        self.unreadable: list[tuple[int, str, str]] = []
        self._digest_groups: dict[bytes, list[int]] = {}

    def add(self, start: int, pixels: np.ndarray, stored_mode: str | None = None) -> None:
        """Add a batch of images of one size.

        Args:
            start (int): dataset index of the first image of the batch.
            pixels (ndarray[n, H, W, C]): uint8 images, C-contiguous, with C = 1 ('L') or 3 ('RGB').
            stored_mode (str | None): the PIL mode the images had before conversion; None for array data.
        """
        count, height, width, channels = pixels.shape
        mode = "L" if channels == 1 else "RGB"
        self.sizes[(width, height)] += count
        self.modes[stored_mode or mode] += count
        histogram = self.histograms[channels]
        for channel in range(channels):
            histogram[channel] += np.bincount(pixels[..., channel].ravel(), minlength=256)
        header = hashlib.blake2b(f"{mode} {width}x{height}\n".encode(), digest_size=16)
        for offset, image in enumerate(pixels):
            digest = header.copy()
            digest.update(image.data)
            self._digest_groups.setdefault(digest.digest(), []).append(start + offset)

    def channel_histogram(self) -> np.ndarray:
        """Return the combined ``[C, 256]`` histogram, C = 3 if any colour image was seen, 1 if only gray, else 0."""
        gray, rgb = self.histograms[1], self.histograms[3]
        if rgb.any():
            return rgb + gray  # a gray pixel of value v reads as (v, v, v) once the image is converted to RGB
        if gray.any():
            return gray
        return np.zeros((0, 256), dtype=np.int64)

    def duplicate_groups(self) -> list[list[int]]:
        """Return the groups of two or more indices with identical pixels, in order of first index."""
        return [group for group in self._digest_groups.values() if len(group) > 1]


def health_report(
    dataset: Sequence[Any],
    *,
    progress: ProgressCallback | None = None,
    chunk_size: int = 256,
    max_pixels: int | None = None,
) -> HealthReport:
    """Scan a map-style dataset of ``(image, label)`` items and report what a training run would trip over.

    Images may be PIL images, uint8 tensors ``[C, H, W]`` / ``[H, W]`` or uint8 ndarrays ``[H, W, C]`` / ``[H, W]``
    with C = 1 or 3. Three ways of reading, picked from the dataset's attributes:

    * ``data`` (uint8 ndarray or tensor ``[N, H, W]`` or ``[N, H, W, C]``, C = 1 or 3) with ``targets``: scanned
      in vectorised chunks of ``chunk_size`` images, without creating any PIL image.
    * ``samples`` (list of ``(path, label)``): each file is opened and fully decoded with PIL itself, not with the
      dataset's loader, so the stored mode and size are seen; files that fail to decode (truncated, not an image,
      missing) are listed in ``unreadable`` instead of raising. Truncated images are never accepted: PIL's
      ``LOAD_TRUNCATED_IMAGES`` setting is left alone.
    * anything else: ``dataset[i]`` for every index, read from a shallow copy whose ``transform``,
      ``target_transform`` and ``transforms`` are None, so the dataset itself is never modified.

    Mean and std are exact: they come from integer 256-bin histograms per channel accumulated over the whole
    dataset. Modes other than 'L' are converted to 'RGB'; if colour and 'L' images are mixed, the statistics are
    over RGB with gray values replicated to the three channels, which is what an RGB loader feeds a model.

    Args:
        dataset (Sequence): map-style dataset with ``__len__`` and ``__getitem__``; ``classes`` names the labels.
        progress (Callable[[int, int], None] | None): called as ``progress(done, total)`` after each chunk; the
            last call has ``done == total``.
        chunk_size (int): items per chunk (and per progress call).
        max_pixels (int | None): files declaring more pixels than this are listed as unreadable without being
            decoded (see :func:`visionkit.datasets.folder.check_pixels`); None decodes any size Pillow accepts.

    Returns:
        HealthReport: the statistics described there.

    Raises:
        TypeError: if ``chunk_size`` is not an int, ``progress`` is not callable, an item is not an
            ``(image, label)`` pair, an image has an unsupported type or dtype, or a label is not an integer.
        ValueError: if ``chunk_size`` is below 1, the dataset is empty, an image has an unsupported shape,
            ``targets`` does not match ``data``, or a label is negative or has no entry in ``classes``.
    """
    check_int(chunk_size, "chunk_size", 1)
    if progress is not None and not callable(progress):
        raise TypeError(f"`progress` should be a callable taking (done, total) or None, got {type(progress).__name__}")
    num_items = len(dataset)
    if num_items == 0:
        raise ValueError("`dataset` is empty: there is nothing to report on")
    accumulator = _Accumulator(num_items)
    data = _array_data(dataset, num_items)
    samples = getattr(dataset, "samples", None)
    if data is not None:
        accumulator.labels[:] = _array_labels(dataset.targets, num_items)
        scan_chunk = _array_scanner(data, accumulator)
        paths = None
    elif samples is not None:
        scan_chunk = _file_scanner(samples, accumulator, max_pixels)
        paths = [os.fspath(path) for path, _ in samples]
    else:
        scan_chunk = _item_scanner(_without_transforms(dataset), accumulator)
        paths = None
    for start in range(0, num_items, chunk_size):
        stop = min(start + chunk_size, num_items)
        scan_chunk(start, stop)
        if progress is not None:
            progress(stop, num_items)
    return _build_report(accumulator, getattr(dataset, "classes", None), paths)


def _array_data(dataset: Sequence[Any], num_items: int) -> np.ndarray | None:
    """Return ``dataset.data`` as a uint8 ``[N, H, W, C]`` ndarray if the array fast path applies, else None."""
    data = getattr(dataset, "data", None)
    if data is None or getattr(dataset, "targets", None) is None:
        return None
    if isinstance(data, torch.Tensor):
        data = data.detach().cpu().numpy() if data.dtype == torch.uint8 else None
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or len(data) != num_items:
        return None
    if data.ndim == 3:
        return data[..., np.newaxis]
    if data.ndim == 4 and data.shape[-1] in (1, 3):
        return data
    return None


def _array_labels(targets: Any, num_items: int) -> np.ndarray:
    """Return ``targets`` as an int64 ndarray ``[N]``, checking its type and length."""
    labels = targets.detach().cpu().numpy() if isinstance(targets, torch.Tensor) else np.asarray(targets)
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"`targets` should hold integer class indices, got dtype {labels.dtype}")
    if labels.shape != (num_items,):
        raise ValueError(f"`targets` should have one label per image ({num_items}), got shape {labels.shape}")
    return labels.astype(np.int64)


def _array_scanner(data: np.ndarray, accumulator: _Accumulator) -> Callable[[int, int], None]:
    def scan_chunk(start: int, stop: int) -> None:
        accumulator.add(start, np.ascontiguousarray(data[start:stop]))

    return scan_chunk


def _file_scanner(
    samples: Sequence[tuple[Any, Any]], accumulator: _Accumulator, max_pixels: int | None
) -> Callable[[int, int], None]:
    def scan_chunk(start: int, stop: int) -> None:
        for index in range(start, stop):
            path, label = samples[index]
            accumulator.labels[index] = _label(label, index)
            try:
                pixels, stored_mode = _decode_file(path, max_pixels)
            # Decoders raise many exception types on corrupt input (OSError, SyntaxError, struct.error, ...);
            # every one of them means the same thing here: this file cannot be used.
            except Exception as error:
                accumulator.unreadable.append((index, os.fspath(path), f"{type(error).__name__}: {error}"))
            else:
                accumulator.add(index, pixels[np.newaxis], stored_mode)

    return scan_chunk


def _item_scanner(dataset: Sequence[Any], accumulator: _Accumulator) -> Callable[[int, int], None]:
    def scan_chunk(start: int, stop: int) -> None:
        for index in range(start, stop):
            image, label = _split_item(dataset[index], index)
            accumulator.labels[index] = _label(label, index)
            pixels, stored_mode = _item_pixels(image, index)
            accumulator.add(index, pixels[np.newaxis], stored_mode)

    return scan_chunk


def _without_transforms(dataset: Sequence[Any]) -> Sequence[Any]:
    """Return ``dataset``, or a shallow copy of it with its transforms set to None if it has any."""
    if all(getattr(dataset, name, None) is None for name in _TRANSFORM_ATTRIBUTES):
        return dataset
    raw = copy.copy(dataset)
    for name in _TRANSFORM_ATTRIBUTES:
        if hasattr(raw, name):
            setattr(raw, name, None)
    return raw


def _decode_file(path: Any, max_pixels: int | None = None) -> tuple[np.ndarray, str]:
    """Fully decode an image file; return its pixels ``[H, W, C]`` (C = 1 or 3) and its stored mode."""
    with Image.open(path) as image:
        check_pixels(image, max_pixels)
        image.load()
        return _pil_pixels(image), image.mode


def _pil_pixels(image: Image.Image) -> np.ndarray:
    """Return the pixels of a PIL image as uint8 ``[H, W, 1]`` for 'L', else ``[H, W, 3]`` after RGB conversion."""
    if image.mode == "L":
        return np.asarray(image)[..., np.newaxis]
    return np.asarray(image.convert("RGB"))


def _split_item(item: Any, index: int) -> tuple[Any, Any]:
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        raise TypeError(f"Items should be (image, label) pairs, got {type(item).__name__} at index {index}")
    return item[0], item[1]


def _label(label: Any, index: int) -> int:
    try:
        return operator.index(label)
    except TypeError:
        raise TypeError(f"Labels should be integer class indices, got {label!r} at index {index}") from None


def _item_pixels(image: Any, index: int) -> tuple[np.ndarray, str | None]:
    """Return an item's pixels as uint8 ``[H, W, C]`` (C = 1 or 3) and its stored PIL mode (None for arrays)."""
    if isinstance(image, Image.Image):
        return np.ascontiguousarray(_pil_pixels(image)), image.mode
    if isinstance(image, torch.Tensor):
        # Tensor images are channels-first, as everywhere in torch.
        array = image.detach().cpu().numpy()
        if array.ndim == 3:
            array = array.transpose(1, 2, 0)
    elif isinstance(image, np.ndarray):
        array = image
    else:
        raise TypeError(
            f"Images should be PIL images, tensors or ndarrays, got {type(image).__name__} at index {index}"
        )
    if array.dtype != np.uint8:
        raise TypeError(f"Array images should have dtype uint8, got {array.dtype} at index {index}")
    if array.ndim == 2:
        array = array[..., np.newaxis]
    if array.ndim != 3 or array.shape[-1] not in (1, 3):
        raise ValueError(
            f"Array images should be [H, W] or have 1 or 3 channels, got shape {tuple(image.shape)} at index {index}"
        )
    return np.ascontiguousarray(array), None


def _class_counts(labels: np.ndarray, classes: Sequence[str] | None) -> tuple[list[str], list[int]]:
    """Count labels per class; name the classes from ``classes`` or, without it, after the label values."""
    if labels.min() < 0:
        position = int(np.argmin(labels))
        raise ValueError(f"Labels should be non-negative class indices, got {labels[position]} at index {position}")
    largest = int(labels.max())
    if classes is not None and largest >= len(classes):
        position = int(np.argmax(labels))
        raise ValueError(
            f"Label {largest} at index {position} has no entry in `classes`, which has {len(classes)} names"
        )
    names = [str(name) for name in classes] if classes is not None else [str(value) for value in range(largest + 1)]
    return names, np.bincount(labels, minlength=len(names)).tolist()


def _moments(histogram: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Exact per-channel mean and population std, scaled to [0, 1], from ``[C, 256]`` value counts."""
    means, stds = [], []
    for counts in histogram.tolist():
        # Python integers keep the sums exact however many pixels there are; only the final division rounds.
        total = sum(counts)
        first = sum(value * count for value, count in enumerate(counts))
        second = sum(value * value * count for value, count in enumerate(counts))
        means.append(first / (255 * total))
        stds.append(math.sqrt((total * second - first * first) / (total * total)) / 255)
    return tuple(means), tuple(stds)


def _build_report(accumulator: _Accumulator, classes: Sequence[str] | None, paths: list[str] | None) -> HealthReport:
    class_names, class_counts = _class_counts(accumulator.labels, classes)
    histogram = accumulator.channel_histogram()
    mean, std = _moments(histogram)
    return HealthReport(
        num_items=len(accumulator.labels),
        class_names=class_names,
        class_counts=class_counts,
        channels=len(histogram),
        mean=mean,
        std=std,
        pixel_histogram=histogram.tolist(),
        sizes=accumulator.sizes,
        modes=accumulator.modes,
        duplicate_groups=accumulator.duplicate_groups(),
        unreadable=accumulator.unreadable,
        paths=paths,
    )
