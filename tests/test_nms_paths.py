"""visionkit.ops.nms and batched_nms along every path of the blocked greedy pass (one round or many, rounds that
grow or not, IoU tiles split in several, an emptied pool), against a textbook greedy NMS written out here."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
from torch import Tensor

from visionkit import ops
from visionkit.ops._nms import _greedy_winners

THRESHOLDS = [0.0, 0.3, 0.5, 1.0, -0.1]


def reference_nms(boxes: Tensor, scores: Tensor, threshold: float) -> list[int]:
    """Greedy NMS with torchvision's arithmetic: visit the boxes by decreasing score, equal scores in input order,
    and keep one unless a kept box overlaps it with a float IoU greater than ``threshold`` as a double."""
    boxes = boxes if boxes.dtype in (torch.float32, torch.float64) else boxes.float()
    x1, y1, x2, y2 = boxes.unbind(1)
    area = (x2 - x1) * (y2 - y1)
    suppressed = torch.zeros(len(boxes), dtype=torch.bool)
    kept = []
    for i in torch.argsort(scores, descending=True, stable=True).tolist():
        if suppressed[i]:
            continue
        kept.append(i)
        width = (torch.minimum(x2[i], x2) - torch.maximum(x1[i], x1)).clamp(min=0)
        height = (torch.minimum(y2[i], y2) - torch.maximum(y1[i], y1)).clamp(min=0)
        inter = width * height
        suppressed |= (inter / (area[i] + area - inter)).double() > threshold
    return kept


def reference_batched_nms(boxes: Tensor, scores: Tensor, categories: Tensor, threshold: float) -> list[int]:
    """Greedy NMS category by category, then every kept box by decreasing score, equal scores in input order."""
    kept = []
    for category in categories.unique():
        members = torch.where(categories == category)[0]
        kept += members[reference_nms(boxes[members], scores[members], threshold)].tolist()
    return sorted(kept, key=lambda i: (-scores[i].item(), i))


def scattered(n: int, seed: int) -> Tensor:
    """Boxes of 10 to 100 pixels anywhere in a 1500-pixel image: few overlap, so most are kept."""
    generator = torch.Generator().manual_seed(seed)
    corner = torch.rand(n, 2, generator=generator) * 1500
    return torch.cat([corner, corner + 10 + torch.rand(n, 2, generator=generator) * 90], dim=1)


def clustered(n: int, seed: int, objects: int = 12) -> Tensor:
    """Detector-like output: jittered boxes around a few objects, so most are suppressed."""
    generator = torch.Generator().manual_seed(seed)
    centre = torch.rand(objects, 2, generator=generator) * 500
    size = 20 + torch.rand(objects, 2, generator=generator) * 100
    which = torch.randint(0, objects, (n,), generator=generator)
    jittered_centre = centre[which] + torch.randn(n, 2, generator=generator) * size[which] * 0.1
    jittered_size = size[which] * (1 + 0.1 * torch.randn(n, 2, generator=generator)).abs()
    return torch.cat([jittered_centre - jittered_size / 2, jittered_centre + jittered_size / 2], dim=1)


def on_grid(n: int, seed: int) -> Tensor:
    """Whole-number boxes on a small grid, some of them empty: IoUs often land exactly on a threshold."""
    generator = torch.Generator().manual_seed(seed)
    corner = torch.randint(0, 30, (n, 2), generator=generator)
    return torch.cat([corner, corner + torch.randint(0, 12, (n, 2), generator=generator)], dim=1).float()


def degenerate(n: int, seed: int) -> Tensor:
    """Corners in any order: empty, inverted and negative-area boxes among ordinary ones."""
    return torch.randint(-5, 25, (n, 4), generator=torch.Generator().manual_seed(seed)).float()


def with_special_values(n: int, seed: int) -> Tensor:
    """Grid boxes with a fifth of their coordinates replaced by NaN, infinities, signed zeros or huge values."""
    generator = torch.Generator().manual_seed(seed)
    boxes = on_grid(n, seed)
    special = torch.tensor([math.nan, math.inf, -math.inf, 0.0, -0.0, 3e38, -3e38])
    where = torch.rand(n, 4, generator=generator) < 0.2
    boxes[where] = special[torch.randint(0, len(special), (int(where.sum()),), generator=generator)]
    return boxes


def duplicated(n: int, seed: int) -> Tensor:
    """A handful of distinct boxes, each repeated many times."""
    generator = torch.Generator().manual_seed(seed)
    distinct = on_grid(5, seed)
    return distinct[torch.randint(0, 5, (n,), generator=generator)]


def touching(n: int, seed: int) -> Tensor:
    """Unit cells of a small grid and boxes of one or two cells: many pairs share only an edge or a corner."""
    generator = torch.Generator().manual_seed(seed)
    corner = torch.randint(0, 8, (n, 2), generator=generator)
    return torch.cat([corner, corner + torch.randint(1, 3, (n, 2), generator=generator)], dim=1).float()


def unit_cells() -> Tensor:
    """The 16 unit cells of a 4x4 grid, column by column."""
    return torch.tensor([[x, y, x + 1, y + 1] for x in range(4) for y in range(4)], dtype=torch.float32)


def tied_scores(n: int, seed: int) -> Tensor:
    """Scores from five values, so that most of them tie."""
    return torch.randint(0, 5, (n,), generator=torch.Generator().manual_seed(seed)).float()


def scores_with_nan(n: int, seed: int) -> Tensor:
    generator = torch.Generator().manual_seed(seed)
    scores = torch.rand(n, generator=generator)
    scores[torch.rand(n, generator=generator) < 0.2] = math.nan
    return scores


def random_scores(n: int, seed: int) -> Tensor:
    return torch.rand(n, generator=torch.Generator().manual_seed(seed))


class TestNmsMatchesGreedy:
    # Up to 192 boxes (twice the first round) settle in a single round; 193 need a first round and a last one.
    @pytest.mark.parametrize("n", [0, 1, 2, 95, 96, 97, 192, 193, 300])
    @pytest.mark.parametrize("threshold", THRESHOLDS)
    @pytest.mark.parametrize("make_boxes", [on_grid, degenerate, with_special_values])
    @pytest.mark.parametrize("make_scores", [tied_scores, scores_with_nan])
    def test_small_sets(self, n: int, threshold: float, make_boxes, make_scores) -> None:
        boxes, scores = make_boxes(n, seed=n), make_scores(n, seed=n + 1)
        assert ops.nms(boxes, scores, threshold).tolist() == reference_nms(boxes, scores, threshold)

    @pytest.mark.parametrize("threshold", [0.3, 0.5, 0.7])
    def test_many_kept_boxes_grow_the_rounds_and_split_the_tiles(self, threshold: float) -> None:
        boxes, scores = scattered(1500, seed=1), random_scores(1500, seed=2)
        assert ops.nms(boxes, scores, threshold).tolist() == reference_nms(boxes, scores, threshold)

    @pytest.mark.parametrize("n", [200, 1000, 2500])
    def test_detections_empty_the_pool_in_a_few_rounds(self, n: int) -> None:
        boxes, scores = clustered(n, seed=n), random_scores(n, seed=n + 1)
        assert ops.nms(boxes, scores, 0.5).tolist() == reference_nms(boxes, scores, 0.5)

    def test_a_box_over_all_the_others_empties_the_pool_at_once(self) -> None:
        boxes = torch.cat([torch.tensor([[0.0, 0.0, 2000.0, 2000.0]]), scattered(500, seed=18)])
        scores = torch.cat([torch.tensor([2.0]), random_scores(500, seed=19)])
        assert ops.nms(boxes, scores, 0.0).tolist() == [0]

    @pytest.mark.parametrize("dtype", [torch.float64, torch.float16, torch.int64])
    def test_other_box_dtypes(self, dtype: torch.dtype) -> None:
        boxes, scores = clustered(400, seed=3).to(dtype), tied_scores(400, seed=4)
        assert ops.nms(boxes, scores, 0.5).tolist() == reference_nms(boxes, scores, 0.5)

    def test_integer_scores(self) -> None:
        boxes, scores = on_grid(200, seed=5), torch.randint(0, 4, (200,), generator=torch.Generator().manual_seed(6))
        assert ops.nms(boxes, scores, 0.3).tolist() == reference_nms(boxes, scores, 0.3)

    def test_nan_threshold_suppresses_nothing(self) -> None:
        boxes, scores = clustered(100, seed=7), random_scores(100, seed=8)
        assert ops.nms(boxes, scores, math.nan).tolist() == torch.argsort(scores, descending=True).tolist()

    def test_huge_threshold_and_odd_boxes_raise_no_warning(self) -> None:
        boxes, scores = with_special_values(300, seed=9), tied_scores(300, seed=10)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ops.nms(boxes, scores, 1e300)
            ops.nms(degenerate(300, seed=11), scores, 0.5)


class TestNmsRandomLayouts:
    """Many seeded random layouts and sizes, each against the greedy reference: the rounds, the last round and the
    knock-out passes must never change which boxes are kept, nor their order."""

    @pytest.mark.parametrize("make_boxes", [scattered, clustered, on_grid, degenerate, duplicated, touching])
    @pytest.mark.parametrize("threshold", [0.0, 0.5, 1.0, -0.5])
    def test_layouts(self, make_boxes, threshold: float) -> None:
        for seed, n in enumerate([3, 17, 96, 150, 190, 250, 420, 700]):
            boxes = make_boxes(n, seed)
            scores = tied_scores(n, seed) if seed % 2 else random_scores(n, seed)
            assert ops.nms(boxes, scores, threshold).tolist() == reference_nms(boxes, scores, threshold), (seed, n)

    @pytest.mark.parametrize("make_boxes", [scattered, clustered, degenerate])
    def test_float64_boxes(self, make_boxes) -> None:
        for seed, n in enumerate([50, 200, 600]):
            # Coordinates with more digits than float32 holds: the IoU must be computed in float64 throughout.
            boxes = make_boxes(n, seed).double() + torch.rand(n, 4, generator=torch.Generator().manual_seed(seed)) / 3
            scores = random_scores(n, seed)
            assert ops.nms(boxes, scores, 0.5).tolist() == reference_nms(boxes, scores, 0.5)

    @pytest.mark.parametrize("make_boxes", [scattered, clustered])
    def test_five_thousand_boxes(self, make_boxes) -> None:
        boxes, scores = make_boxes(5000, seed=20), random_scores(5000, seed=21)
        assert ops.nms(boxes, scores, 0.5).tolist() == reference_nms(boxes, scores, 0.5)

    def test_boxes_that_only_touch_never_suppress_each_other_at_threshold_zero(self) -> None:
        # Neighbouring cells share an edge or a corner: an intersection of zero area.
        assert ops.nms(unit_cells(), torch.linspace(1, 0, 16), 0.0).tolist() == list(range(16))

    def test_a_negative_threshold_suppresses_even_disjoint_boxes(self) -> None:
        assert ops.nms(unit_cells(), torch.linspace(0, 1, 16), -0.1).tolist() == [15]

    def test_copies_of_a_box_keep_the_first_unless_the_threshold_is_one(self) -> None:
        boxes = torch.tensor([[2.0, 3.0, 7.0, 9.0]]).repeat(250, 1)
        scores = torch.ones(250)
        assert ops.nms(boxes, scores, 0.99).tolist() == [0]
        # An IoU of exactly 1 is not greater than a threshold of 1: nothing is suppressed.
        assert ops.nms(boxes, scores, 1.0).tolist() == list(range(250))


class TestBatchedNmsMatchesGreedy:
    # Not a negative threshold: there torchvision's offset boxes, which never overlap, still suppress each other.
    @pytest.mark.parametrize("threshold", [0.0, 0.3, 0.5, 1.0])
    def test_offset_strategy_with_ties(self, threshold: float) -> None:
        # 600 boxes stay under 4000 coordinates: one NMS over boxes offset per category.
        boxes, scores = on_grid(600, seed=12), tied_scores(600, seed=13)
        categories = torch.randint(0, 5, (600,), generator=torch.Generator().manual_seed(14))
        expected = reference_batched_nms(boxes, scores, categories, threshold)
        assert ops.batched_nms(boxes, scores, categories, threshold).tolist() == expected

    def test_category_by_category_strategy(self) -> None:
        # 1500 boxes exceed 4000 coordinates: NMS category by category.
        boxes, scores = clustered(1500, seed=15), random_scores(1500, seed=16)
        categories = torch.randint(0, 7, (1500,), generator=torch.Generator().manual_seed(17))
        expected = reference_batched_nms(boxes, scores, categories, 0.5)
        assert ops.batched_nms(boxes, scores, categories, 0.5).tolist() == expected

    def test_no_boxes(self) -> None:
        keep = ops.batched_nms(torch.zeros(0, 4), torch.zeros(0), torch.zeros(0, dtype=torch.int64), 0.5)
        assert keep.dtype == torch.int64 and keep.numel() == 0


def reference_winners(adjacency: np.ndarray) -> list[bool]:
    """Keep each candidate, in order, unless it conflicts with one kept before it."""
    kept: list[bool] = []
    for i in range(len(adjacency)):
        kept.append(not any(kept[j] and adjacency[i, j] for j in range(i)))
    return kept


class TestGreedyWinners:
    @pytest.mark.parametrize("n", [1, 2, 7, 8, 9, 64, 65, 256])
    @pytest.mark.parametrize("density", [0.0, 0.05, 0.3, 1.0])
    def test_matches_one_candidate_at_a_time(self, n: int, density: float) -> None:
        rng = np.random.default_rng(n)
        upper = np.triu(rng.random((n, n)) < density, 1)
        adjacency = upper | upper.T | np.eye(n, dtype=bool)
        assert _greedy_winners(adjacency.copy()).tolist() == reference_winners(adjacency)

    def test_chain_alternates(self) -> None:
        # Each candidate conflicts with the next: the first is kept, the second dropped, the third kept again...
        n = 100
        adjacency = np.eye(n, k=1, dtype=bool) | np.eye(n, k=-1, dtype=bool)
        assert _greedy_winners(adjacency).tolist() == [i % 2 == 0 for i in range(n)]
