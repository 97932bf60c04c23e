"""Every golden transform case recorded from real torchvision, evaluated against visionkit.transforms.

Each case is a code string (``T.RandomResizedCrop(32)``, ``F.rotate(img, 30)``) run on a uint8 tensor, a float
tensor or a PIL image; random cases are seeded like torchvision's recording. The comparison rules (uint8 within 1,
floats within 1e-4, same dtypes, shapes and PIL modes) come from the shared ``check_parity.py``.

A golden case where torchvision 0.29.1 itself gives another output on the machine the tests run on (the recording
machine's matrix product rounded a sampling point exactly between two pixels the other way) is held instead to what
torchvision gives here, byte for byte: ``tests/pipelines/record.py`` finds and records those cases.
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

import visionkit.transforms as T
import visionkit.transforms.functional as F
from tests.pipelines.cases import fingerprint

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"


def _load_compare() -> Any:
    spec = importlib.util.spec_from_file_location("check_parity", GOLDEN_DIR / "check_parity.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.compare


compare = _load_compare()
GOLDEN = torch.load(GOLDEN_DIR / "transforms.pt", weights_only=True)
RECORDED_HERE = json.loads((GOLDEN_DIR.parent / "pipelines" / "torchvision.json").read_text())["golden_here"]


def _golden_outputs() -> list[Any]:
    params = []
    for case in GOLDEN["cases"]:
        for out in case["outputs"]:
            seed = "" if out["seed"] is None else f"-seed{out['seed']}"
            params.append(pytest.param(case, out, id=f"{case['code']}-{case['input']}{seed}"))
    return params


def _input(kind: str) -> torch.Tensor | PIL.Image.Image:
    if kind == "pil":
        return PIL.Image.fromarray(GOLDEN["inputs"]["tensor_u8"].permute(1, 2, 0).numpy())
    return GOLDEN["inputs"][kind].clone()


class TestGoldenParity:
    def test_covers_every_recorded_output(self) -> None:
        assert len(_golden_outputs()) == 544

    @pytest.mark.parametrize(("case", "expected"), _golden_outputs())
    def test_matches_torchvision(self, case: dict[str, Any], expected: dict[str, Any]) -> None:
        namespace = {"T": T, "F": F, "IM": T.InterpolationMode, "torch": torch}
        if expected["seed"] is not None:
            torch.manual_seed(expected["seed"])
            random.seed(expected["seed"])
        img = _input(case["input"])
        if case["kind"] == "transform":
            result = eval(case["code"], namespace)(img)
        else:
            result = eval(case["code"], {**namespace, "img": img})
        here = RECORDED_HERE.get(f"{case['code']}|{case['input']}|{expected['seed']}")
        if here is not None:
            assert fingerprint(result) == here, "differs from what torchvision gives on this machine"
            return
        assert compare(expected, result, image_tol=1, ftol=1e-4) is None

    def test_only_single_cases_are_recorded_again(self) -> None:
        # A handful at most: many would mean the golden files no longer describe torchvision on this machine.
        assert len(RECORDED_HERE) <= 3
