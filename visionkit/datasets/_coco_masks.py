"""COCO segmentations (polygons, compressed and uncompressed RLE) decoded to binary masks without pycocotools.

The results equal what ``pycocotools.mask`` gives, pixel for pixel: RLE is a run-length code of the mask read in
column-major order, and polygons are rasterized the way pycocotools' ``rleFrPoly`` does it (boundary traced on a grid
five times finer, then sampled at pixel centres), not with a generic polygon filler whose edge pixels would differ.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["decode_rle_counts", "polygon_to_mask", "segmentation_to_mask"]

# pycocotools traces polygon edges on a grid this many times finer than the pixels.
_POLYGON_UPSAMPLING = 5


def decode_rle_counts(counts: str | bytes) -> list[int]:
    """The run lengths of COCO's compressed RLE string (``"counts"`` of a crowd annotation).

    Each run length is written in base 32, five bits per character offset by 48, low bits first, with bit 0x20 of a
    character saying that more follow and bit 0x10 of the last one giving the sign. From the fourth run on, the value
    written is the difference to the run two places before.
    """
    data = counts.encode("ascii") if isinstance(counts, str) else bytes(counts)
    runs: list[int] = []
    position = 0
    while position < len(data):
        value, shift, more = 0, 0, True
        while more:
            if position == len(data):
                raise ValueError("Invalid RLE mask representation: the counts string ends inside a number")
            chunk = data[position] - 48
            value |= (chunk & 0x1F) << shift
            more = bool(chunk & 0x20)
            position += 1
            shift += 5
            if not more and chunk & 0x10:
                value -= 1 << shift
        if len(runs) > 2:
            value += runs[-2]
        runs.append(value)
    return runs


def _runs_to_mask(runs: list[int] | np.ndarray, height: int, width: int) -> np.ndarray:
    """A (height, width) uint8 mask from run lengths that alternate 0s and 1s, starting with 0s, column by column."""
    runs = np.asarray(runs, dtype=np.int64)
    if runs.ndim != 1 or (runs < 0).any() or runs.sum() > height * width:
        raise ValueError(
            f"Invalid RLE mask representation: counts must be non-negative and sum to at most {height} * {width}"
        )
    flat = np.zeros(height * width, dtype=np.uint8)
    # Runs shorter than the mask leave the rest 0, as pycocotools does.
    values = np.repeat(np.arange(runs.size, dtype=np.uint8) % 2, runs)
    flat[: values.size] = values
    return flat.reshape(width, height).T.copy()


def _boundary_points(polygon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer points along every edge of the closed polygon, on the upsampled grid, edge after edge.

    Each edge is stepped along its longer axis, always from its lower end (so both directions give the same points),
    and the points are listed from the edge's own start to its end.
    """
    # C's (int) cast truncates towards zero, also for negative coordinates.
    x = np.trunc(_POLYGON_UPSAMPLING * polygon[:, 0] + 0.5).astype(np.int64)
    y = np.trunc(_POLYGON_UPSAMPLING * polygon[:, 1] + 0.5).astype(np.int64)
    x, y = np.append(x, x[0]), np.append(y, y[0])
    us, vs = [], []
    for xs, ys, xe, ye in zip(x[:-1].tolist(), y[:-1].tolist(), x[1:].tolist(), y[1:].tolist(), strict=True):
        dx, dy = abs(xe - xs), abs(ye - ys)
        along_x = dx >= dy
        reverse = (along_x and xs > xe) or (not along_x and ys > ye)
        if reverse:
            xs, xe, ys, ye = xe, xs, ye, ys
        steps = np.arange(max(dx, dy) + 1, dtype=np.int64)
        if reverse:
            steps = steps[::-1]
        if along_x:
            # A zero-length edge (a repeated vertex) gives one point; its v is never read, so 0 stands in for 0 / 0.
            slope = (ye - ys) / dx if dx else 0.0
            us.append(steps + xs)
            vs.append(np.trunc(ys + slope * steps + 0.5).astype(np.int64))
        else:
            slope = (xe - xs) / dy
            vs.append(steps + ys)
            us.append(np.trunc(xs + slope * steps + 0.5).astype(np.int64))
    return np.concatenate(us), np.concatenate(vs)


def polygon_to_mask(polygon: list[float] | np.ndarray, height: int, width: int) -> np.ndarray:
    """Rasterize one COCO polygon ``[x1, y1, x2, y2, ...]`` (pixel coordinates) to a (height, width) uint8 mask.

    Equal to ``pycocotools.mask.decode(pycocotools.mask.frPyObjects([polygon], height, width))[:, :, 0]``. An odd
    trailing coordinate is ignored, as there.
    """
    coordinates = np.asarray(polygon, dtype=np.float64).ravel()
    points = coordinates[: coordinates.size // 2 * 2].reshape(-1, 2)
    if len(points) == 0:
        return np.zeros((height, width), dtype=np.uint8)
    u, v = _boundary_points(points)
    # Where the traced boundary moves to another column, it crosses that column's pixel centre line: keep the
    # crossings on whole pixel columns inside the image, each at the first pixel row at or below the boundary.
    moved = np.flatnonzero(u[1:] != u[:-1]) + 1
    current, previous = u[moved], u[moved - 1]
    column = (np.where(current < previous, current, current - 1) + 0.5) / _POLYGON_UPSAMPLING - 0.5
    row = (np.minimum(v[moved], v[moved - 1]) + 0.5) / _POLYGON_UPSAMPLING - 0.5
    inside = (np.floor(column) == column) & (column >= 0) & (column <= width - 1)
    rows = np.ceil(np.clip(row[inside], 0, height)).astype(np.int64)
    columns = column[inside].astype(np.int64)
    # Each crossing flips the mask from there on down the column-major pixel order.
    flips = np.bincount(columns * height + rows, minlength=height * width + 1)
    flat = (np.cumsum(flips[: height * width]) % 2).astype(np.uint8)
    return flat.reshape(width, height).T.copy()


def segmentation_to_mask(segmentation: Any, height: int, width: int) -> np.ndarray:
    """The (H, W) uint8 mask of a COCO ``"segmentation"``, as torchvision's v2 wrapper decodes it with pycocotools.

    Args:
        segmentation: a list of polygons (their union), a compressed RLE ``{"size": [H, W], "counts": str}`` or an
            uncompressed RLE ``{"size": [H, W], "counts": [int, ...]}``. An RLE carries its own size.
        height (int): image height, used for polygons.
        width (int): image width, used for polygons.

    Raises:
        ValueError: if ``segmentation`` is none of these, or an RLE's counts do not fit its size.
    """
    if isinstance(segmentation, dict):
        if "counts" not in segmentation or "size" not in segmentation:
            raise ValueError(f"COCO RLE segmentation needs 'counts' and 'size', got keys {sorted(segmentation)}")
        rle_height, rle_width = (int(side) for side in segmentation["size"])
        counts = segmentation["counts"]
        runs = decode_rle_counts(counts) if isinstance(counts, (str, bytes)) else counts
        return _runs_to_mask(runs, rle_height, rle_width)
    if isinstance(segmentation, list) and segmentation:
        mask = np.zeros((height, width), dtype=np.uint8)
        for part in segmentation:
            part_mask = (
                segmentation_to_mask(part, height, width)
                if isinstance(part, dict)
                else polygon_to_mask(part, height, width)
            )
            mask |= part_mask
        return mask
    raise ValueError(f"COCO segmentation expected to be a dict or a non-empty list, got {segmentation!r:.80}")
