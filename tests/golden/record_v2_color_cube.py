"""Record digests of torchvision's v2 colour ops on every 8-bit colour, for tests/test_v2_color_cube.py.

Run with a venv that has torchvision 0.29.1: ``python tests/golden/record_v2_color_cube.py`` writes
``tests/golden/v2_color_cube.json``: for each case of :func:`cases`, the SHA-256 of the output's bytes with its
dtype and shape. The 16.7 million colours (50 MB per output) are too many to store, and a digest still fails on a
single differing value: the test computes the same cases with visionkit and compares digests.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch

HUE_FACTORS = (0.1, -0.37, 0.5, -0.5, 1e-7)


def color_cube() -> torch.Tensor:
    """Every RGB colour once, as a uint8 ``Tensor[3, 4096, 4096]`` (red slowest, blue fastest)."""
    codes = torch.arange(256**3, dtype=torch.int32)
    return torch.stack([codes >> 16, (codes >> 8) & 255, codes & 255]).to(torch.uint8).view(3, 4096, 4096)


def cases(F: Any) -> Iterator[tuple[str, Callable[[], torch.Tensor]]]:
    """(name, thunk) pairs: hue, saturation, contrast, brightness, sharpness, autocontrast and grayscale on the
    uint8 cube, and hue on its float32 and float64 versions."""
    cube = color_cube()
    for factor in HUE_FACTORS:
        yield f"hue-uint8-{factor}", lambda f=factor: F.adjust_hue(cube, f)
    for dtype in (torch.float32, torch.float64):
        for factor in HUE_FACTORS[:2]:
            yield f"hue-{dtype}-{factor}", lambda f=factor, d=dtype: F.adjust_hue(cube.to(d).div_(255), f)
    for factor in (0.3, 1.7):
        yield f"saturation-{factor}", lambda f=factor: F.adjust_saturation(cube, f)
        yield f"contrast-{factor}", lambda f=factor: F.adjust_contrast(cube, f)
        yield f"brightness-{factor}", lambda f=factor: F.adjust_brightness(cube, f)
        yield f"sharpness-{factor}", lambda f=factor: F.adjust_sharpness(cube, f)
    yield "autocontrast", lambda: F.autocontrast(cube[:, 1000:3000])
    yield "grayscale", lambda: F.rgb_to_grayscale(cube)


def digest(tensor: torch.Tensor) -> dict[str, Any]:
    data = tensor.contiguous().numpy().tobytes()
    return {"dtype": str(tensor.dtype), "shape": list(tensor.shape), "sha256": hashlib.sha256(data).hexdigest()}


if __name__ == "__main__":
    from torchvision.transforms.v2 import functional

    torch.set_num_threads(1)
    record = {name: digest(thunk()) for name, thunk in cases(functional)}
    path = Path(__file__).with_name("v2_color_cube.json")
    path.write_text(json.dumps(record, indent=1) + "\n")
    print(f"{len(record)} digests -> {path}")
