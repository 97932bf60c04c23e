#!/usr/bin/env python3
"""Record torchvision's outputs for every pipeline, photo and seed of ``cases.py`` into ``torchvision.json``.

    /opt/tvenv/bin/python tests/pipelines/record.py

Run it with an interpreter that has torchvision (``pip install torch==2.14.1 torchvision==0.29.1``); CI has none,
and reads the recorded file. One thread, as the test runs visionkit.

It also replays the golden transform cases (``tests/golden/transforms.pt``) with torchvision on this machine. Where
torchvision itself no longer matches the golden recording (made on another machine, whose matrix product rounds
sampling points that fall exactly between two pixels the other way), it records what torchvision gives here under
``golden_here``: the golden parity test holds visionkit to that, exactly, for those cases.
"""

from __future__ import annotations

import importlib.util
import json
import random
import sys
from pathlib import Path

import PIL.Image
import torch
import torchvision
import torchvision.transforms as T
import torchvision.transforms.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.pipelines.cases import PHOTOS, PIPELINES, SEEDS, fingerprint, load_photo, run

OUT = Path(__file__).with_name("torchvision.json")
GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def golden_id(case: dict, out: dict) -> str:
    return f"{case['code']}|{case['input']}|{out['seed']}"


def golden_here() -> dict[str, dict]:
    """Fingerprints of torchvision's outputs here for the golden cases where they differ from the golden ones."""
    spec = importlib.util.spec_from_file_location("check_parity", GOLDEN / "check_parity.py")
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    golden = torch.load(GOLDEN / "transforms.pt", weights_only=True)
    namespace = {"T": T, "F": F, "IM": T.InterpolationMode, "torch": torch}
    differing = {}
    for case in golden["cases"]:
        for out in case["outputs"]:
            if out["seed"] is not None:
                torch.manual_seed(out["seed"])
                random.seed(out["seed"])
            img = golden["inputs"]["tensor_u8"].clone()
            if case["input"] == "pil":
                img = PIL.Image.fromarray(img.permute(1, 2, 0).numpy())
            elif case["input"] != "tensor_u8":
                img = golden["inputs"][case["input"]].clone()
            try:
                result = eval(case["code"], {**namespace, "img": img})
                result = result(img) if case["kind"] == "transform" else result
            except Exception:
                continue
            if check.compare(out, result, image_tol=1, ftol=1e-4) is not None:
                differing[golden_id(case, out)] = fingerprint(result)
    return differing


def main() -> None:
    torch.set_num_threads(1)
    photos = {name: load_photo(name) for name in PHOTOS}
    runs = {
        f"{pipeline}/{photo}/{seed}": fingerprint(run(T, code, photos[photo], seed))
        for pipeline, code in PIPELINES.items()
        for photo in PHOTOS
        for seed in SEEDS
    }
    here = golden_here()
    meta = {"torchvision": torchvision.__version__, "torch": torch.__version__, "threads": 1}
    OUT.write_text(json.dumps({"meta": meta, "runs": runs, "golden_here": here}, indent=1) + "\n")
    print(
        f"recorded {len(runs)} runs and {len(here)} golden cases that differ here, with torchvision "
        f"{torchvision.__version__}, to {OUT}"
    )


if __name__ == "__main__":
    main()
