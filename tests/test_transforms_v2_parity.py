"""Every golden ``transforms.v2`` case recorded from real torchvision 0.29.1, evaluated against
visionkit.transforms.v2: classes, functionals and tv_tensor expressions on a plain tensor, an ``Image``, a float
``Image``, PIL, detection samples (XYXY and CXCYWH boxes with labels), image + mask, keypoints, rotated boxes, video
and batches; random ones at the recorded seeds. Types, box formats and canvas sizes must match, and the cases where
torchvision raises must raise the same exception type. The comparison is the shared ``check_parity.py``'s.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

import visionkit.transforms.v2 as v2
import visionkit.transforms.v2.functional as F
from visionkit import tv_tensors as TV

from .v2_golden import GOLDEN, GOLDEN_DIR, check_golden, golden_params

ALL_OUTPUTS = golden_params(re.compile(""))


def test_covers_every_recorded_output() -> None:
    assert len(GOLDEN["cases"]) == 659
    assert len(ALL_OUTPUTS) == 1295


@pytest.mark.parametrize(("case", "expected"), ALL_OUTPUTS)
def test_matches_torchvision(case: dict[str, Any], expected: dict[str, Any]) -> None:
    check_golden(case, expected)


@pytest.mark.parametrize(("module", "key"), [(v2, "v2"), (F, "functional"), (TV, "tv_tensors")])
def test_every_public_name_of_torchvision(module: Any, key: str) -> None:
    # The public names of torchvision 0.29.1's modules (modules themselves left out), recorded in v2_names.json.
    expected = json.loads((GOLDEN_DIR / "v2_names.json").read_text())[key]
    assert sorted(set(expected) - set(dir(module))) == []
