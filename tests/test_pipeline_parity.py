"""Composed pipelines on the full-size embedded photos give exactly torchvision's outputs for the same seed.

The expected outputs were recorded from torchvision 0.29.1 (``tests/pipelines/record.py``, one thread, as here):
each run's bytes must be equal, uint8 and PIL value for value and float bit for bit, since visionkit computes every
step with the same operations in the same order. When they differ, the per-channel sums say by how much.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import visionkit.transforms as T
from tests.pipelines.cases import PHOTOS, PIPELINES, SEEDS, fingerprint, load_photo, run

RECORDED = json.loads((Path(__file__).parent / "pipelines" / "torchvision.json").read_text())["runs"]


@pytest.fixture(scope="module")
def photos() -> dict:
    return {name: load_photo(name) for name in PHOTOS}


def test_every_run_was_recorded() -> None:
    expected = {f"{p}/{photo}/{seed}" for p in PIPELINES for photo in PHOTOS for seed in SEEDS}
    assert set(RECORDED) == expected


@pytest.mark.usefixtures("one_thread")
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("photo", PHOTOS)
@pytest.mark.parametrize("pipeline", sorted(PIPELINES))
def test_pipeline_output_equals_torchvision(pipeline: str, photo: str, seed: int, photos: dict) -> None:
    expected = RECORDED[f"{pipeline}/{photo}/{seed}"]
    actual = fingerprint(run(T, PIPELINES[pipeline], photos[photo], seed))
    for key in ("kind", "mode", "dtype", "shape"):
        assert actual[key] == expected[key], f"{key}: {actual[key]} != {expected[key]}"
    if actual["sha256"] != expected["sha256"]:
        gaps = [abs(a - e) for a, e in zip(actual["sums"], expected["sums"], strict=True)]
        pytest.fail(f"output differs from torchvision's; per-channel sums off by {gaps}")
