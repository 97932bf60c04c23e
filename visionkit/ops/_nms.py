"""Non-maximum suppression with torchvision's exact semantics, as rounds of a blocked greedy pass in plain torch.

Greedy NMS keeps a box when no higher-scored kept box overlaps it by more than the threshold. Here the boxes not
yet decided form a pool, in score order. Each round, the best few boxes of the pool settle their conflicts among
themselves (a greedy pass over a bitmask, one Python integer per row, that loops once per kept box), and the
winners knock out every box of the pool they overlap, with IoU matrices computed in cache-sized tiles. Rounds
start small and double: when most boxes get suppressed, the pool empties after a round or two; when few do, the
rounds grow to amortise their fixed cost. Either way the work follows the number of kept boxes, as in the compiled
kernel.

Three details keep the output identical to torchvision's, index for index: boxes are ranked with a stable sort
(equal scores keep their input order), the IoU is computed with the same float operations, and it is compared
with the threshold as a double (``iou > threshold`` in float64), not as a float32-rounded threshold.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import torch
from torch import Tensor

from ._checks import as_float, check_boxes, check_real

# Candidates of the first round; each round doubles them up to the largest.
_FIRST_ROUND = 64
_LARGEST_ROUND = 512
# Largest IoU tile, in rows and in elements (1 MiB of float32 per temporary); the candidates of a round fit one.
_TILE_ROWS = 512
_TILE_ELEMENTS = _LARGEST_ROUND**2
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
    boxes = as_float(boxes).detach()
    order = torch.argsort(scores, descending=True, stable=True)
    return order[_greedy_keep(boxes[order], _strict_lower_bound(float(iou_threshold), boxes.dtype))]


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


def _strict_lower_bound(threshold: float, dtype: torch.dtype) -> float:
    """The smallest value ``t`` of ``dtype`` with ``x >= t`` exactly when ``x > threshold`` as doubles.

    torch would compare a float32 IoU with a Python float in float32, rounding the threshold first; torchvision's
    kernel compares in double, and this bound reproduces that comparison without converting the IoU.
    """
    bound = torch.tensor(threshold, dtype=torch.float64).to(dtype)
    if bound.item() <= threshold:
        bound = torch.nextafter(bound, torch.tensor(math.inf, dtype=dtype))
    return bound.item()


def _greedy_keep(boxes: Tensor, bound: float) -> Tensor:
    """Positions of the boxes kept by greedy NMS over ``boxes`` (Tensor[N, 4], sorted by decreasing score), where
    an overlap ``>= bound`` suppresses; returns them in increasing order."""
    x1, y1, x2, y2 = boxes.T
    pool = torch.stack((x1, y1, x2, y2, (x2 - x1) * (y2 - y1)))  # (5, M): coordinates and area
    index = torch.arange(boxes.shape[0], device=boxes.device)
    # One scratch space for every IoU tile: allocating tiles afresh makes the C allocator hand memory back to the
    # system and fault it in again, which costs as much as the arithmetic.
    workspace = boxes.new_empty(3, _TILE_ELEMENTS)
    kept = [index[:0]]
    size = _FIRST_ROUND
    while index.numel():
        candidates, rest = pool[:, :size], pool[:, size:]
        winners = _settle(candidates, bound, workspace)
        kept.append(index[:size][winners])
        alive = _max_overlap(candidates[:, winners], rest, workspace) < bound
        pool, index = rest[:, alive], index[size:][alive]
        size = min(2 * size, _LARGEST_ROUND)
    return torch.cat(kept)


def _overlaps(rows: Tensor, cols: Tensor, workspace: Tensor) -> Tensor:
    """IoU of every box of ``rows`` (Tensor[5, R]) with every box of ``cols`` (Tensor[5, C]), both as coordinates
    and area, computed in ``workspace`` (Tensor[3, >= R * C]); NaN (two empty boxes) becomes -inf, so that
    max-reductions pass over it. Returns a Tensor[R, C] view of the workspace."""
    ax1, ay1, ax2, ay2, area_a = rows.unsqueeze(2).unbind(0)
    bx1, by1, bx2, by2, area_b = cols.unbind(0)
    inter, a, b = workspace[:, : rows.shape[1] * cols.shape[1]].view(3, rows.shape[1], cols.shape[1])
    torch.minimum(ax2, bx2, out=inter).sub_(torch.maximum(ax1, bx1, out=a)).clamp_(min=0)
    inter.mul_(torch.minimum(ay2, by2, out=a).sub_(torch.maximum(ay1, by1, out=b)).clamp_(min=0))
    union = torch.add(area_a, area_b, out=a).sub_(inter)
    return inter.div_(union).nan_to_num_(nan=-math.inf, posinf=math.inf, neginf=-math.inf)


def _max_overlap(rows: Tensor, cols: Tensor, workspace: Tensor) -> Tensor:
    """Largest overlap of each box of ``cols`` (Tensor[5, C]) with a box of ``rows`` (Tensor[5, R], R > 0),
    a tile at a time. Returns Tensor[C]."""
    row_step = min(rows.shape[1], _TILE_ROWS)
    col_step = max(1, _TILE_ELEMENTS // row_step)
    best = []
    for c in range(0, cols.shape[1], col_step):
        tile = cols[:, c : c + col_step]
        per_rows = (
            _overlaps(rows[:, r : r + row_step], tile, workspace).amax(dim=0) for r in range(0, rows.shape[1], row_step)
        )
        best.append(functools.reduce(torch.maximum, per_rows))
    return torch.cat(best) if best else cols.new_empty(0)


def _settle(candidates: Tensor, bound: float, workspace: Tensor) -> Tensor:
    """Bool mask of the ``candidates`` (Tensor[5, n], by decreasing score) that greedy NMS keeps among
    themselves."""
    # numpy thresholds and packs the matrix several times faster than torch's bool kernels and indexing.
    adjacency = _overlaps(candidates, candidates, workspace).cpu().numpy() >= bound
    np.fill_diagonal(adjacency, False)
    return torch.from_numpy(~_greedy_suppressed(adjacency)).to(candidates.device)


def _greedy_suppressed(adjacency: np.ndarray) -> np.ndarray:
    """Which boxes greedy NMS suppresses, given which pairs conflict.

    Args:
        adjacency (ndarray[n, n] bool): symmetric conflicts between boxes sorted by decreasing score, with a
            False diagonal.

    Returns:
        ndarray[n] bool: the suppressed boxes.

    Each row becomes a Python integer bitmask; each step keeps the best remaining conflicted box and drops its
    neighbours, so the loop runs once per kept box that has a conflict.
    """
    n = adjacency.shape[0]
    packed = np.packbits(adjacency, axis=1, bitorder="little")
    width, rows = packed.shape[1], packed.tobytes()
    remaining = int.from_bytes(np.packbits(adjacency.any(axis=1), bitorder="little").tobytes(), "little")
    suppressed = 0
    while remaining:
        best = (remaining & -remaining).bit_length() - 1
        neighbours = int.from_bytes(rows[best * width : (best + 1) * width], "little") & remaining
        suppressed |= neighbours
        remaining &= ~(neighbours | (1 << best))
    bits = np.frombuffer(suppressed.to_bytes(width, "little"), dtype=np.uint8)
    return np.unpackbits(bits, count=n, bitorder="little").astype(bool)
