"""Every golden ``transforms.v2`` case recorded from real torchvision 0.29.1, evaluated against
visionkit.transforms.v2: classes, functionals and tv_tensor expressions on a plain tensor, an ``Image``, a float
``Image``, PIL, detection samples (XYXY and CXCYWH boxes with labels), image + mask, keypoints, rotated boxes, video
and batches; random ones at the recorded seeds. Types, box formats and canvas sizes must match, and the cases where
torchvision raises must raise the same exception type. The comparison is the shared ``check_parity.py``'s.
"""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path
from typing import Any

import PIL.Image
import pytest
import torch

import visionkit.transforms.v2 as v2
import visionkit.transforms.v2.functional as F
from visionkit import tv_tensors as TV

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"


def _load_check() -> Any:
    spec = importlib.util.spec_from_file_location("check_parity", GOLDEN_DIR / "check_parity.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check = _load_check()
GOLDEN = torch.load(GOLDEN_DIR / "transforms_v2.pt", weights_only=True)
NAMESPACE = {"v2": v2, "F": F, "TV": TV, "IM": v2.InterpolationMode, "torch": torch, "PIL": PIL, **GOLDEN["raw"]}


def _golden_outputs() -> list[Any]:
    params = []
    for case in GOLDEN["cases"]:
        for out in case["outputs"]:
            seed = "" if out["seed"] is None else f"-seed{out['seed']}"
            params.append(pytest.param(case, out, id=f"{case['code']}-{case['input']}{seed}"))
    return params


def _run(case: dict[str, Any], seed: int | None) -> Any:
    if seed is not None:
        torch.manual_seed(seed)
        random.seed(seed)
    x = eval(GOLDEN["inputs"][case["input"]], dict(NAMESPACE))
    if case["kind"] == "transform":
        return eval(case["code"], dict(NAMESPACE))(x)
    return eval(case["code"], {**NAMESPACE, "x": x})


def test_covers_every_recorded_output() -> None:
    assert len(GOLDEN["cases"]) == 659
    assert len(_golden_outputs()) == 1295


@pytest.mark.parametrize(("case", "expected"), _golden_outputs())
def test_matches_torchvision(case: dict[str, Any], expected: dict[str, Any]) -> None:
    if "raises" in expected:
        with pytest.raises(Exception) as raised:  # the type is compared by name just below
            _run(case, expected["seed"])
        assert type(raised.value).__name__ == expected["raises"]
        return
    assert check.compare_v2(expected, _run(case, expected["seed"])) is None


@pytest.mark.parametrize(("module", "key"), [(v2, "v2"), (F, "functional"), (TV, "tv_tensors")])
def test_every_public_name_of_torchvision(module: Any, key: str) -> None:
    # The public names of torchvision 0.29.1's modules (modules themselves left out), recorded in v2_names.json.
    expected = json.loads((GOLDEN_DIR / "v2_names.json").read_text())[key]
    assert sorted(set(expected) - set(dir(module))) == []
