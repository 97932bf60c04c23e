"""Record what torchvision's v2 box bookkeeping returns, for tests/test_v2_functional_meta.py.

Run with a venv that has torchvision 0.29.1: ``python tests/golden/record_v2_boxes.py`` writes
``tests/golden/v2_boxes.pt``. The test runs the same :func:`cases` with visionkit and compares exactly.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import torch

AXIS_ALIGNED = ("XYXY", "XYWH", "CXCYWH")
ROTATED = ("XYWHR", "CXCYWHR", "XYXYXYXY")
CANVAS = (37, 53)


def cases(F: Any, TV: Any) -> dict[str, torch.Tensor]:
    """Format conversions between every pair of formats and clamping in every mode, on boxes that stick out of
    the canvas, for integer and float dtypes (axis-aligned) and float32/64 at any angle (rotated)."""
    g = torch.Generator().manual_seed(0)
    out: dict[str, torch.Tensor] = {}
    for dtype in (torch.float32, torch.float64, torch.int64, torch.int32):
        boxes = torch.rand(20, 4, generator=g) * 80 - 10
        boxes[:, 2:] = boxes[:, 2:].abs() + 1
        boxes = boxes.to(dtype) if dtype.is_floating_point else (boxes * 3).to(dtype)
        for old, new in itertools.product(AXIS_ALIGNED, AXIS_ALIGNED):
            out[f"convert-{dtype}-{old}-{new}"] = F.convert_bounding_box_format(
                boxes.clone(), old_format=old, new_format=new
            )
            wrapped = TV.BoundingBoxes(boxes.clone(), format=old, canvas_size=CANVAS)
            for mode in ("soft", "hard", None):
                clamped = F.clamp_bounding_boxes(wrapped, clamping_mode=mode)
                out[f"clamp-{dtype}-{old}-{mode}"] = clamped.as_subclass(torch.Tensor)
    for dtype in (torch.float32, torch.float64):
        boxes = torch.rand(40, 5, generator=g, dtype=dtype) * 60 - 5
        boxes[:, 2:4] = boxes[:, 2:4].abs() + 1
        boxes[:, 4] = torch.rand(40, generator=g, dtype=dtype) * 360 - 180
        boxes[:5, 4] = torch.tensor([0, 90, -90, 180, 45], dtype=dtype)
        for old, new in itertools.product(ROTATED, ROTATED):
            source = F.convert_bounding_box_format(boxes.clone(), old_format="XYWHR", new_format=old)
            out[f"rotated-convert-{dtype}-{old}-{new}"] = F.convert_bounding_box_format(
                source, old_format=old, new_format=new
            )
        for fmt in ROTATED:
            source = F.convert_bounding_box_format(boxes.clone(), old_format="XYWHR", new_format=fmt)
            for mode in ("soft", "hard", None):
                out[f"rotated-clamp-{dtype}-{fmt}-{mode}"] = F.clamp_bounding_boxes(
                    source.clone(), format=TV.BoundingBoxFormat[fmt], canvas_size=CANVAS, clamping_mode=mode
                )
    points = torch.rand(10, 3, 2, generator=g) * 80 - 10
    out["clamp-keypoints"] = F.clamp_keypoints(points, canvas_size=CANVAS)
    return out


if __name__ == "__main__":
    from torchvision import tv_tensors
    from torchvision.transforms.v2 import functional

    torch.set_num_threads(1)
    torch.save(cases(functional, tv_tensors), Path(__file__).with_name("v2_boxes.pt"))
