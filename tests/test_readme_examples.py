"""The README's v2 example runs as written and does what its comments say."""

from __future__ import annotations

from pathlib import Path

import torch

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_v2_example_runs_and_moves_the_boxes_with_the_image() -> None:
    text = README.read_text(encoding="utf-8")
    block = text.split("`transforms.v2` and `tv_tensors` move", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {"torch": torch}
    torch.manual_seed(0)
    exec(compile(block, "README.md", "exec"), namespace)
    image, target = namespace["out_image"], namespace["out_target"]
    assert image.dtype == torch.float32 and target["boxes"].canvas_size == tuple(image.shape[-2:])
    assert len(target["boxes"]) == len(target["labels"])
