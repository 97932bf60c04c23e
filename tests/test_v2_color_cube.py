"""v2 colour ops on every 8-bit colour give torchvision's bytes (digests recorded by
tests/golden/record_v2_color_cube.py with torchvision 0.29.1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import visionkit.transforms.v2.functional as F
from tests.golden.record_v2_color_cube import cases, digest

RECORDED = json.loads((Path(__file__).parent / "golden" / "v2_color_cube.json").read_text())
CASES = dict(cases(F))


def test_every_recorded_case_is_computed() -> None:
    assert sorted(CASES) == sorted(RECORDED)


@pytest.mark.usefixtures("one_thread")  # contrast's mean is summed in an order that depends on the threads
@pytest.mark.parametrize("name", sorted(RECORDED))
def test_output_matches_torchvision_byte_for_byte(name: str) -> None:
    assert digest(CASES[name]()) == RECORDED[name], f"{name} differs from torchvision on the colour cube"
