"""Record what torchvision's CocoDetection, CocoCaptions and v2 wrapper return, and what pycocotools decodes, for
tests/test_coco.py.

Run with a venv that has torchvision 0.29.1 and pycocotools: ``python tests/golden/record_coco.py`` builds the COCO
tree of :func:`write_coco_tree` in a temporary folder and writes ``tests/golden/coco.pt``: the ids, image modes and
sizes and targets of both datasets, the wrapped targets for each of :data:`TARGET_KEYS`, and for every segmentation
of :func:`segmentation_cases` the mask pycocotools decodes (bits packed). The test builds the same tree and runs
visionkit on it. :func:`write_coco_tree` and :func:`segmentation_cases` use only numpy and PIL, so the tests can
import them without torchvision.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

# A crowd region on a 32 x 40 canvas (an ellipse and a rectangle), as pycocotools' mask.encode wrote it.
CROWD_RLE = {
    "size": [32, 40],
    "counts": "d3:f00000000IIE79M:4N0O2N2O0O2O000O2O0000000000000001N10001N101N2N102L4Le2",
}
# target_keys given to the wrapper, by name.
TARGET_KEYS: dict[str, Any] = {"default": None, "all": "all", "some": ["masks", "iscrowd", "area"]}


def _uncompressed_rle(height: int, width: int, seed: int) -> dict[str, Any]:
    """Random runs (0s first, column by column) that cover the canvas exactly."""
    rng = np.random.default_rng(seed)
    runs: list[int] = []
    while sum(runs) < height * width:
        runs.append(int(rng.integers(0 if not runs else 1, 60)))
    runs[-1] -= sum(runs) - height * width
    return {"size": [height, width], "counts": runs}


def _images() -> list[tuple[int, str, Image.Image]]:
    """``(id, file name, image)``, listed out of id order; image 3 is grayscale, image 11 has no annotations."""
    rng = np.random.default_rng(0)
    specs = [(42, (32, 40, 3)), (7, (30, 36)), (19, (32, 40, 3)), (11, (24, 28, 3))]
    return [
        (image_id, f"{image_id:012d}.jpg", Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8)))
        for image_id, shape in specs
    ]


def _annotations() -> list[dict[str, Any]]:
    """Instances in COCO's format, interleaved across images: polygons (one with two parts), crowd RLEs."""
    anns = [
        (42, 3, [[4.5, 3.0, 30.25, 5.5, 26.0, 25.75, 8.0, 20.0]], 0, [4.5, 3.0, 25.75, 22.75]),
        (
            7,
            1,
            [[1.0, 1.0, 20.0, 2.0, 10.5, 18.0], [22.0, 10.0, 34.0, 12.0, 30.0, 28.0, 24.0, 27.0]],
            0,
            [1, 1, 33, 27],
        ),
        (42, 1, CROWD_RLE, 1, [3, 5, 30, 25]),
        (19, 2, _uncompressed_rle(32, 40, seed=1), 1, [0, 0, 40, 32]),
        (42, 2, [[35.0, 30.0, 39.5, 31.5, 38.0, 20.0]], 0, [35.0, 20.0, 4.5, 11.5]),
        (19, 3, [[-2.0, 10.0, 15.0, -3.0, 45.0, 20.0, 12.0, 36.0]], 0, [0, 0, 40, 32]),
    ]
    return [
        {
            "id": index + 1,
            "image_id": image_id,
            "category_id": category_id,
            "segmentation": segmentation,
            "area": float(17 * (index + 3)),
            "bbox": bbox,
            "iscrowd": iscrowd,
        }
        for index, (image_id, category_id, segmentation, iscrowd, bbox) in enumerate(anns)
    ]


def write_coco_tree(root: str | Path) -> dict[str, Path]:
    """Write ``images/`` (JPEGs), ``annotations/instances.json`` and ``annotations/captions.json`` under ``root``.

    Returns:
        dict[str, Path]: the ``images`` folder and the ``instances`` and ``captions`` files.
    """
    root = Path(root)
    images_dir, annotations_dir = root / "images", root / "annotations"
    images_dir.mkdir(parents=True, exist_ok=True)
    annotations_dir.mkdir(parents=True, exist_ok=True)
    records = []
    for image_id, file_name, image in _images():
        image.save(images_dir / file_name, quality=90)
        records.append({"id": image_id, "file_name": file_name, "height": image.height, "width": image.width})
    categories = [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}, {"id": 3, "name": "bird"}]
    instances = {"info": {}, "images": records, "annotations": _annotations(), "categories": categories}
    captions = {
        "images": records,
        "annotations": [
            {"id": 1, "image_id": 19, "caption": "A noisy square."},
            {"id": 2, "image_id": 42, "caption": "Coloured static."},
            {"id": 3, "image_id": 19, "caption": "Nothing to see."},
            {"id": 4, "image_id": 7, "caption": "Grey noise, in grey."},
        ],
    }
    paths = {"images": images_dir, "instances": annotations_dir / "instances.json"}
    paths["captions"] = annotations_dir / "captions.json"
    paths["instances"].write_text(json.dumps(instances))
    paths["captions"].write_text(json.dumps(captions))
    return paths


def segmentation_cases() -> list[tuple[Any, int, int]]:
    """``(segmentation, height, width)`` for the decoder: random polygons (some unions, some sticking out of the
    canvas, some with repeated vertices or integer and half-pixel vertices) and uncompressed RLEs."""
    rng = np.random.default_rng(7)
    cases: list[tuple[Any, int, int]] = []
    for index in range(60):
        height, width = int(rng.integers(5, 50)), int(rng.integers(5, 50))
        span = max(height, width)
        polygons = []
        for _ in range(1 + index % 3 // 2):
            points = rng.uniform(-4, span + 4, size=2 * int(rng.integers(3, 10)))
            if index % 4 == 1:
                points = np.round(points * 2) / 2
            if index % 4 == 2:
                points[2:4] = points[0:2]
            polygons.append([round(float(value), 3) for value in points])
        cases.append((polygons, height, width))
    for seed in range(5):
        cases.append((_uncompressed_rle(17 + seed, 23, seed=seed), 1, 1))
    cases.append((CROWD_RLE, 1, 1))
    return cases


def _tensor_entry(value: Any) -> dict[str, Any]:
    import torch

    entry = {"tensor": value.as_subclass(torch.Tensor).clone(), "type": type(value).__name__}
    if hasattr(value, "format"):
        entry.update(format=value.format.name, canvas_size=tuple(value.canvas_size))
    return entry


def _record(root: Path) -> dict[str, Any]:
    import torch
    from pycocotools import mask as coco_mask
    from torchvision import datasets
    from torchvision.datasets import wrap_dataset_for_transforms_v2

    paths = write_coco_tree(root)
    detection = datasets.CocoDetection(str(paths["images"]), str(paths["instances"]))
    captions = datasets.CocoCaptions(str(paths["images"]), str(paths["captions"]))
    out: dict[str, Any] = {
        "ids": detection.ids,
        "images": [(image.mode, image.size) for image, _ in detection],
        "targets": [target for _, target in detection],
        "captions": [target for _, target in captions],
        "wrapped": {},
    }
    for name, keys in TARGET_KEYS.items():
        wrapped = wrap_dataset_for_transforms_v2(detection, target_keys=keys)
        out["wrapped"][name] = [
            {key: _tensor_entry(value) if torch.is_tensor(value) else value for key, value in target.items()}
            for _, target in wrapped
        ]
    masks = []
    for segmentation, height, width in segmentation_cases():
        if isinstance(segmentation, list):
            rle = coco_mask.merge(coco_mask.frPyObjects(segmentation, height, width))
        elif isinstance(segmentation["counts"], list):
            rle = coco_mask.frPyObjects(segmentation, height, width)
        else:
            rle = segmentation
        mask = coco_mask.decode(rle)
        masks.append((tuple(mask.shape), torch.from_numpy(np.packbits(mask.ravel()))))
    out["decoded"] = masks
    return out


def main() -> None:
    import torch

    with tempfile.TemporaryDirectory() as tmp:
        out = _record(Path(tmp))
    path = Path(__file__).with_name("coco.pt")
    torch.save(out, path)
    print(f"wrote {path} ({path.stat().st_size} bytes, {len(out['decoded'])} decoded masks)")


if __name__ == "__main__":
    main()
