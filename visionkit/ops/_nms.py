"""Non-maximum suppression with torchvision's exact semantics, as rounds of a blocked greedy pass in numpy.

Greedy NMS keeps a box when no higher-scored kept box overlaps it by more than the threshold. Here the boxes not
yet decided form a pool, in score order. Each round, the best few boxes of the pool settle their conflicts among
themselves (a greedy pass over a bitmask, one Python integer per row, that loops once per kept box with a
conflict), and the winners knock out every box of the pool they overlap. A pool at most twice the round's size
(and no larger than the largest round) settles in one last round instead, which saves a knock-out pass and a
round. Rounds double only while most of the pool survives them: when most boxes get suppressed, as in a
detector's output, the pool empties after one round and a last one; when few do, the rounds grow to amortise
their fixed cost. Either way the work follows the number of kept boxes, as in the compiled kernel.

The rounds run in numpy rather than torch: a round is a few dozen operations on small arrays, where numpy's
per-call overhead is several times lower than torch's, and that overhead is most of the cost for a thousand boxes.

Three details keep the output identical to torchvision's, index for index: boxes are ranked with a stable sort
(equal scores keep their input order), the IoU is computed with the same float operations, and it is compared
with the threshold as a double (``iou > threshold`` in float64), not as a float32-rounded threshold.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from ._checks import as_float, check_boxes, check_real

# Candidates of the first round; a round that leaves most of the pool alive doubles them, up to the largest.
# From 96, a thousand detections of twenty objects (as in benchmarks/ops.py) take one round and a last one.
_FIRST_ROUND = 96
_LARGEST_ROUND = 256
# Largest IoU tile, in elements: the candidates of a round fit one, and its four float32 temporaries (1 MiB) stay
# within an L2 cache.
_TILE_ELEMENTS = 1 << 16
# What IoU tiles clamp their negative widths against: numpy's maximum is several times faster between two arrays
# than against a scalar. Read-only, so that concurrent calls can share it.
_ZEROS = {dtype: np.zeros(2 * _TILE_ELEMENTS, dtype) for dtype in (np.float32, np.float64)}
for _zeros in _ZEROS.values():
    _zeros.flags.writeable = False
# batched_nms offsets the boxes of each class apart up to this many coordinates and runs NMS class by class above
# it, as torchvision does on CPU; the strategy decides the float rounding and the order of equal scores.
_OFFSET_STRATEGY_MAX_NUMEL = 4000


def nms(boxes: Tensor, scores: Tensor, iou_threshold: float) -> Tensor:
    """Non-maximum suppression: drop every box that overlaps a higher-scored kept box by more than
    ``iou_threshold``.

    Equal scores keep their input order, so the result is deterministic.

    Args:
        boxes (Tensor[N, 4]): boxes in (x1, y1, x2, y2) format with x1 <= x2 and y1 <= y2.
        scores (Tensor[N]): score of each box.
        iou_threshold (float): boxes with an IoU strictly greater than this are suppressed.

    Returns:
        Tensor[K]: int64 indices of the kept boxes, by decreasing score.
    """
    _check_inputs(boxes, scores)
    order = torch.argsort(scores, descending=True, stable=True).cpu().numpy()
    coordinates = as_float(boxes).detach().cpu().numpy()
    # Thresholds beyond float32's range overflow, and empty or degenerate boxes divide by zero, as in the kernel.
    with np.errstate(all="ignore"):
        bound = _strict_lower_bound(float(iou_threshold), coordinates.dtype)
        kept = _greedy_keep(_sorted_pool(coordinates, order), bound)
    return torch.from_numpy(order[kept]).to(boxes.device)


def batched_nms(boxes: Tensor, scores: Tensor, idxs: Tensor, iou_threshold: float) -> Tensor:
    """Non-maximum suppression within each category: boxes of different categories never suppress each other.

    Args:
        boxes (Tensor[N, 4]): boxes in (x1, y1, x2, y2) format with x1 <= x2 and y1 <= y2.
        scores (Tensor[N]): score of each box.
        idxs (Tensor[N]): category of each box.
        iou_threshold (float): boxes with an IoU strictly greater than this are suppressed.

    Returns:
        Tensor[K]: int64 indices of the kept boxes, by decreasing score.
    """
    _check_inputs(boxes, scores)
    check_real(idxs, "idxs")
    if idxs.shape != scores.shape:
        raise ValueError(f"`idxs` should have the shape of `scores`, {tuple(scores.shape)}, got {tuple(idxs.shape)}")
    boxes = as_float(boxes)
    if boxes.numel() > _OFFSET_STRATEGY_MAX_NUMEL:
        return _nms_per_category(boxes, scores, idxs, iou_threshold)
    return _nms_with_offsets(boxes, scores, idxs, iou_threshold)


def _nms_with_offsets(boxes: Tensor, scores: Tensor, idxs: Tensor, iou_threshold: float) -> Tensor:
    """One NMS over boxes shifted so that different categories cannot overlap."""
    if boxes.numel() == 0:
        return torch.empty(0, dtype=torch.int64, device=boxes.device)
    offsets = idxs.to(boxes) * (boxes.max() + 1)
    return nms(boxes + offsets[:, None], scores, iou_threshold)


def _nms_per_category(boxes: Tensor, scores: Tensor, idxs: Tensor, iou_threshold: float) -> Tensor:
    """NMS category by category, then all kept boxes by decreasing score."""
    kept = torch.zeros_like(scores, dtype=torch.bool)
    for category in torch.unique(idxs):
        members = torch.where(idxs == category)[0]
        kept[members[nms(boxes[members], scores[members], iou_threshold)]] = True
    indices = torch.where(kept)[0]
    # torchvision orders this path with the default (unstable) sort; the same call gives equal scores the same order.
    return indices[scores[indices].sort(descending=True)[1]]


def _check_inputs(boxes: Tensor, scores: Tensor) -> None:
    check_boxes(boxes)
    check_real(scores, "scores")
    if boxes.dim() != 2:
        raise ValueError(f"`boxes` should have shape (N, 4), got {tuple(boxes.shape)}")
    if scores.dim() != 1 or scores.shape[0] != boxes.shape[0]:
        raise ValueError(f"`scores` should have shape ({boxes.shape[0]},), one per box, got {tuple(scores.shape)}")


def _strict_lower_bound(threshold: float, dtype: np.dtype) -> np.floating:
    """The smallest value ``t`` of ``dtype`` with ``x >= t`` exactly when ``x > threshold`` as doubles.

    numpy would compare a float32 IoU with a Python float in float32, rounding the threshold first; torchvision's
    kernel compares in double, and this bound reproduces that comparison without converting the IoU. It stays a
    numpy scalar of ``dtype``, which comparisons use as it is.
    """
    bound = dtype.type(threshold)
    if float(bound) <= threshold:
        bound = np.nextafter(bound, dtype.type(np.inf))
    return bound


def _sorted_pool(coordinates: np.ndarray, order: np.ndarray) -> np.ndarray:
    """The boxes (ndarray[N, 4]) in ``order``, as rows -x1, -y1, x2, y2 and area (ndarray[5, N]).

    With the left and top edges negated, one ``minimum`` finds both ends of every intersection, and adding them
    gives its width and height: ``min(x2) + min(-x1)`` is ``min(x2) - max(x1)`` to the last bit.
    """
    columns = coordinates.T.take(order, axis=1)
    pool = np.empty((5, len(order)), coordinates.dtype)
    np.negative(columns[:2], out=pool[:2])
    pool[2:4] = columns[2:]
    left, top, right, bottom = pool[:4]
    np.multiply(right + left, bottom + top, out=pool[4])
    return pool


def _greedy_keep(pool: np.ndarray, bound: np.floating) -> np.ndarray:
    """Positions of the boxes kept by greedy NMS over ``pool`` (ndarray[5, N], sorted by decreasing score), where
    an overlap ``>= bound`` suppresses; returns them in increasing order."""
    # One scratch space for every IoU tile: fresh large temporaries would make the allocator hand memory back to
    # the system and fault it in again, which costs as much as the arithmetic.
    workspace = np.empty(4 * min(pool.shape[1] ** 2, _TILE_ELEMENTS), pool.dtype)
    positions = np.arange(pool.shape[1])
    kept = [positions[:0]]
    size = _FIRST_ROUND
    while positions.size:
        if positions.size <= min(2 * size, _LARGEST_ROUND):
            size = positions.size
        candidates = pool[:, :size]
        winners = _greedy_winners(_conflicts(candidates, candidates, bound, workspace))
        kept.append(positions[:size][winners])
        if positions.size <= size:
            break
        alive = ~_any_conflict(candidates[:, winners], pool[:, size:], bound, workspace)
        pool, positions = pool[:, size:][:, alive], positions[size:][alive]
        if 2 * positions.size > alive.size:
            size = min(2 * size, _LARGEST_ROUND)
    return np.concatenate(kept)


def _conflicts(rows: np.ndarray, cols: np.ndarray, bound: np.floating, workspace: np.ndarray) -> np.ndarray:
    """Whether the IoU of each box of ``rows`` (ndarray[5, R]) with each box of ``cols`` (ndarray[5, C]), both laid
    out as in ``_sorted_pool``, is ``>= bound``, computed in ``workspace`` (ndarray[>= 4 * R * C]). NaN (two empty
    boxes) is no conflict. Returns ndarray[R, C] bool."""
    size = rows.shape[1] * cols.shape[1]
    ends = workspace[: 4 * size].reshape(4, rows.shape[1], cols.shape[1])
    a, b = rows[:, :, None], cols[:, None, :]
    np.minimum(a[:4], b[:4], out=ends)
    sides = ends[2:]
    sides += ends[:2]
    np.maximum(sides, _ZEROS[sides.dtype.type][: 2 * size].reshape(sides.shape), out=sides)
    inter, union = sides
    inter *= union
    np.add(a[4], b[4], out=union)
    union -= inter
    inter /= union
    return inter >= bound


def _any_conflict(rows: np.ndarray, cols: np.ndarray, bound: np.floating, workspace: np.ndarray) -> np.ndarray:
    """Whether each box of ``cols`` (ndarray[5, C]) conflicts with some box of ``rows`` (ndarray[5, R], at most
    ``_LARGEST_ROUND``), a tile at a time. Returns ndarray[C] bool."""
    step = _TILE_ELEMENTS // rows.shape[1]
    tiles = range(0, cols.shape[1], step)
    found = [np.logical_or.reduce(_conflicts(rows, cols[:, c : c + step], bound, workspace), axis=0) for c in tiles]
    return found[0] if len(found) == 1 else np.concatenate(found)


def _greedy_winners(adjacency: np.ndarray) -> np.ndarray:
    """Which candidates greedy NMS keeps, given which pairs conflict.

    Args:
        adjacency (ndarray[n, n] bool): symmetric conflicts between candidates sorted by decreasing score; its
            diagonal is overwritten.

    Returns:
        ndarray[n] bool: the kept candidates.

    Each row becomes a Python integer bitmask; each step keeps the best remaining conflicted candidate and drops
    its neighbours, so the loop runs once per kept candidate that has a conflict.
    """
    n = adjacency.shape[0]
    adjacency.reshape(-1)[:: n + 1] = False
    packed = np.packbits(adjacency, axis=1, bitorder="little")
    width, rows = packed.shape[1], packed.tobytes()
    conflicted = np.packbits(np.logical_or.reduce(packed, axis=1), bitorder="little")
    remaining = int.from_bytes(conflicted.tobytes(), "little")
    winners = (1 << n) - 1
    while remaining:
        best = (remaining & -remaining).bit_length() - 1
        neighbours = int.from_bytes(rows[best * width : (best + 1) * width], "little") & remaining
        winners &= ~neighbours
        remaining &= ~(neighbours | (1 << best))
    bits = np.frombuffer(winners.to_bytes(width, "little"), dtype=np.uint8)
    return np.unpackbits(bits, count=n, bitorder="little").view(bool)
