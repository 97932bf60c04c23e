"""Which samples a grid shows, how tiny images are enlarged for display, and the grid as a downloadable figure."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

GRID_MODES = ("Random", "Sequential", "Per class")
#: Per-class grids show at most this many classes at once; filter classes to see others.
MAX_CLASS_ROWS = 20


@dataclass
class GridCell:
    """One grid entry: the image (None when unreadable), its dataset index, caption and any read error."""

    index: int
    caption: str
    image: Image.Image | None = None
    error: str | None = None


def grid_indices(
    targets: np.ndarray,
    *,
    mode: str,
    rows: int,
    cols: int,
    seed: int = 0,
    shuffle: int = 0,
    page: int = 0,
    classes: Sequence[int] | None = None,
) -> list[list[int]]:
    """Dataset indices for each grid row.

    Args:
        targets (ndarray[N]): the label of every item.
        mode: "Random" (seeded draw without replacement; ``shuffle`` counts reshuffles), "Sequential" (pages of
            ``rows * cols`` in order) or "Per class" (one row per class, ``cols`` random items of that class).
        classes: only items of these labels; None means all.
    """
    if mode not in GRID_MODES:
        raise ValueError(f"mode should be one of {GRID_MODES}, got {mode!r}")
    if rows < 1 or cols < 1:
        raise ValueError(f"rows and cols should be at least 1, got rows={rows}, cols={cols}")
    rng = np.random.default_rng([seed, shuffle])
    if mode == "Per class":
        labels = sorted(set(np.unique(targets).tolist()) if classes is None else set(classes))[:MAX_CLASS_ROWS]
        return [_draw(rng, np.flatnonzero(targets == c), cols) for c in labels]
    pool = np.arange(len(targets)) if classes is None else np.flatnonzero(np.isin(targets, list(classes)))
    count = rows * cols
    flat = _draw(rng, pool, count) if mode == "Random" else pool[page * count : (page + 1) * count].tolist()
    return [flat[r * cols : (r + 1) * cols] for r in range(rows) if flat[r * cols : (r + 1) * cols]]


def _draw(rng: np.random.Generator, pool: np.ndarray, count: int) -> list[int]:
    if len(pool) <= count:
        return pool.tolist()
    return sorted(rng.choice(pool, size=count, replace=False).tolist())


def page_count(num_items: int, rows: int, cols: int) -> int:
    return max(1, -(-num_items // (rows * cols)))


def enlarge(image: Image.Image, min_side: int = 96) -> Image.Image:
    """Upscale tiny images (8x8 digits, 32x32 CIFAR) by a whole factor with nearest neighbour: pixels stay crisp."""
    factor = max(1, min_side // max(1, min(image.size)))
    if factor == 1:
        return image
    return image.resize((image.width * factor, image.height * factor), Image.Resampling.NEAREST)


#: What reading an item's image can raise: truncated or non-image files (OSError, ValueError, SyntaxError from
#: PIL's parsers) and images declaring far too many pixels (PIL's DecompressionBombError, none of those).
READ_ERRORS = (OSError, ValueError, SyntaxError, Image.DecompressionBombError)


def read_cell(dataset: Any, index: int, class_names: Sequence[str]) -> GridCell:
    """Read one item for display; a broken file becomes a cell with an error instead of an exception."""
    try:
        image, label = dataset[index]
    except Image.UnidentifiedImageError:  # its message names the file object, with the file's path on the server
        return GridCell(index, f"#{index}: unreadable", error="not an image file that can be read")
    except READ_ERRORS as exc:
        return GridCell(index, f"#{index}: unreadable", error=f"{type(exc).__name__}: {exc}")
    name = class_names[label] if 0 <= label < len(class_names) else str(label)
    return GridCell(index, f"{name} (#{index})", image=image)


def grid_png(rows: Sequence[Sequence[GridCell]], title: str = "", dpi: int = 100) -> bytes:
    """Render the grid as a PNG with a caption under each image (a matplotlib figure, no pyplot state)."""
    from matplotlib.figure import Figure  # imported on the first download: it adds 0.25 s to the server's start

    ncols = max((len(r) for r in rows), default=1)
    fig = Figure(figsize=(1.9 * ncols, 2.1 * max(1, len(rows)) + (0.4 if title else 0)), dpi=dpi)
    axes = fig.subplots(max(1, len(rows)), ncols, squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            ax = axes[r][c]
            if cell.image is not None:
                pixels = np.asarray(cell.image)
                ax.imshow(pixels, cmap="gray" if pixels.ndim == 2 else None, vmin=0, vmax=255, interpolation="nearest")
            else:
                ax.text(0.5, 0.5, "unreadable", ha="center", va="center", color="crimson")
            ax.set_title(cell.caption, fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
