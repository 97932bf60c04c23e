"""The golden ``transforms.v2`` cases recorded from torchvision 0.29.1, for the test files of each v2 area: select
the cases of some names as pytest parameters, and check one recorded output against visionkit."""

from __future__ import annotations

import importlib.util
import random
import re
from pathlib import Path
from typing import Any

import PIL.Image
import pytest
import torch

import visionkit.transforms.v2 as v2
import visionkit.transforms.v2.functional as F
from visionkit import tv_tensors as TV

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
GOLDEN = torch.load(GOLDEN_DIR / "transforms_v2.pt", weights_only=True)
NAMESPACE = {"v2": v2, "F": F, "TV": TV, "IM": v2.InterpolationMode, "torch": torch, "PIL": PIL, **GOLDEN["raw"]}


def _load_check() -> Any:
    spec = importlib.util.spec_from_file_location("check_parity", GOLDEN_DIR / "check_parity.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check = _load_check()


def golden_params(select: re.Pattern[str], exclude: re.Pattern[str] | None = None) -> list[Any]:
    """One ``pytest.param(case, out)`` per recorded output of the cases whose code matches ``select`` (and not
    ``exclude``)."""
    params = []
    for case in GOLDEN["cases"]:
        if not select.search(case["code"]) or (exclude is not None and exclude.search(case["code"])):
            continue
        for out in case["outputs"]:
            seed = "" if out["seed"] is None else f"-seed{out['seed']}"
            params.append(pytest.param(case, out, id=f"{case['code']}-{case['input']}{seed}"))
    return params


def check_golden(case: dict[str, Any], out: dict[str, Any]) -> None:
    """Evaluate ``case`` on its input at the recorded seed and assert visionkit gives the recorded output (or
    raises the recorded exception type)."""
    if out["seed"] is not None:
        torch.manual_seed(out["seed"])
        random.seed(out["seed"])
    x = eval(GOLDEN["inputs"][case["input"]], dict(NAMESPACE))

    def run() -> Any:
        if case["kind"] == "transform":
            return eval(case["code"], dict(NAMESPACE))(x)
        return eval(case["code"], {**NAMESPACE, "x": x})

    if "raises" in out:
        with pytest.raises(Exception) as info:  # the type is compared by name just below
            run()
        assert type(info.value).__name__ == out["raises"]
    else:
        assert check.compare_v2(out, run()) is None
