"""Datasets at full size: CIFAR-10 (open, 15-image grid, mean/std) and a COCO val2017-sized detection index.

    python benchmarks/datasets.py [--part all|cifar|coco] [--root DIR] [--repeat 5]
    /opt/tvenv/bin/python benchmarks/datasets.py

CIFAR-10: builds 50,000 + 10,000 images in the real CIFAR-10 python format (protocol-2 pickles in data_batch_1..5 and
test_batch) once under --root, then times visionkit against itself (cold: no decode cache; warm: cache present) and,
when torchvision is importable in this interpreter (e.g. `/opt/tvenv/bin/python benchmarks/datasets.py`), against
`torchvision.datasets.CIFAR10` in the same run, printing the ratios side by side. Both libraries check the md5 of
every file as their constructors do; the test files' md5s are set on subclasses (the class attributes exist for that).

COCO: writes, seeded, in a temporary folder, an instances file the size of COCO val2017 (5,000 images of COCO's usual
sizes, 36,000 objects over 80 categories, a few images without any, polygons of 6 to 20 points, about 1% crowd objects
as compressed RLE) and real JPEGs for the 15 images of the grid. Rows: opening it with
`visionkit.datasets.CocoDetection` against `pycocotools.coco.COCO` when pycocotools is importable (ratio = visionkit
time / pycocotools time, below 1: visionkit is faster), `annotation_report` over it, and a 15-image grid with boxes
and masks drawn by the app's `vkapp.detection.grid_tiles(found, indices)` on the set `vkapp.detection.open_coco`
opened (skipped with a note while those do not exist).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.dataset_files import file_md5, write_cifar10  # noqa: E402
from visionkit.datasets import CIFAR10, CocoDetection, annotation_report, health_report  # noqa: E402
from visionkit.datasets._array_cache import CACHE_FOLDER  # noqa: E402

GRID = 15
COCO_IMAGES, COCO_OBJECTS, COCO_CATEGORIES = 5_000, 36_000, 80
# COCO's most common image sizes, (width, height).
COCO_SIZES = ((640, 480), (480, 640), (640, 427), (427, 640), (500, 375), (375, 500), (640, 360), (612, 612))


def build(root: Path) -> dict[str, Any]:
    """Write the data once (reused by later runs) and return the md5 class attributes for its files."""
    folder = root / "cifar-10-batches-py"
    if not (folder / "batches.meta").exists():
        write_cifar10(root, n_train=50_000, n_test=10_000, seed=0)
    return {
        "train_list": [[f"data_batch_{i}", file_md5(folder / f"data_batch_{i}")] for i in range(1, 6)],
        "test_list": [["test_batch", file_md5(folder / "test_batch")]],
        "meta": {"filename": "batches.meta", "key": "label_names", "md5": file_md5(folder / "batches.meta")},
    }


def with_md5s(cls: type, md5s: dict[str, Any]) -> type:
    return type(cls.__name__, (cls,), dict(md5s))


def open_and_grid(cls: type, root: Path) -> Callable[[], None]:
    def run() -> None:
        dataset = cls(str(root), train=True)
        indices = np.random.default_rng(0).choice(len(dataset), GRID, replace=False)
        for i in indices:
            dataset[int(i)]

    return run


def timed(fn: Callable[[], None], repeat: int, before: Callable[[], None] | None = None) -> float:
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cifar_part(args: argparse.Namespace) -> None:
    args.root.mkdir(parents=True, exist_ok=True)
    print(f"building CIFAR-10-sized data in {args.root} ...", flush=True)
    md5s = build(args.root)
    cache = args.root / "cifar-10-batches-py" / CACHE_FOLDER

    vk = with_md5s(CIFAR10, md5s)
    cold = timed(open_and_grid(vk, args.root), args.repeat, before=lambda: shutil.rmtree(cache, ignore_errors=True))
    warm = timed(open_and_grid(vk, args.root), args.repeat)
    dataset = vk(str(args.root), train=True)
    stats = timed(lambda: health_report(dataset), args.repeat)
    report = health_report(dataset)

    rows = [("open + 15-image grid, cold (no cache)", cold), ("open + 15-image grid, warm", warm)]
    rows.append(("health report: counts, exact mean/std, duplicates (50,000 images)", stats))
    tv_time = None
    if importlib.util.find_spec("torchvision") is not None:
        import torchvision

        tv = with_md5s(torchvision.datasets.CIFAR10, md5s)
        tv_time = timed(open_and_grid(tv, args.root), args.repeat)

    print(f"\ntorch {torch.__version__}, one thread, median of {args.repeat} runs")
    print(f"{'what':<68} {'visionkit':>10} {'torchvision':>12} {'speed-up':>9}")
    for what, seconds in rows:
        tv_cell, ratio = "", ""
        if tv_time is not None and what.startswith("open"):
            tv_cell, ratio = f"{tv_time * 1e3:9.1f} ms", f"{tv_time / seconds:8.1f}x"
        print(f"{what:<68} {seconds * 1e3:7.1f} ms {tv_cell:>12} {ratio:>9}")
    if tv_time is None:
        print("(torchvision is not importable here: run with an interpreter that has it for the ratios)")
    print(f"\n{report.normalize_line()}")


def _encode_rle(mask: np.ndarray) -> str:
    """COCO's compressed RLE string of a (H, W) binary mask (runs in column-major order, 0s first)."""
    flat = mask.T.ravel().astype(np.int8)
    changes = np.flatnonzero(np.diff(flat)) + 1
    edges = np.concatenate([[0], changes, [flat.size]])
    runs = np.diff(edges).tolist()
    if flat[0]:
        runs.insert(0, 0)
    text = bytearray()
    for position, run in enumerate(runs):
        value = run - runs[position - 2] if position > 2 else run
        more = True
        while more:
            chunk = value & 0x1F
            value >>= 5
            more = not ((value == 0 and not chunk & 0x10) or (value == -1 and chunk & 0x10))
            text.append((chunk | 0x20 if more else chunk) + 48)
    return text.decode("ascii")


def _coco_object(rng: np.random.Generator, width: int, height: int, crowd: bool) -> dict[str, Any]:
    """One object: a polygon of 6 to 20 points around an ellipse inside a random box, or a crowd ellipse as RLE."""
    w, h = rng.uniform(8, 0.6 * width), rng.uniform(8, 0.6 * height)
    x, y = rng.uniform(0, width - w), rng.uniform(0, height - h)
    if crowd:
        rows, columns = np.ogrid[:height, :width]
        mask = ((columns + 0.5 - x - w / 2) / (w / 2)) ** 2 + ((rows + 0.5 - y - h / 2) / (h / 2)) ** 2 <= 1
        ys, xs = np.nonzero(mask)
        bbox = [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)]
        return {"segmentation": {"size": [height, width], "counts": _encode_rle(mask)}, "bbox": bbox, "iscrowd": 1}
    angles = np.sort(rng.uniform(0, 2 * np.pi, int(rng.integers(6, 21))))
    radius = rng.uniform(0.6, 1.0, angles.size)
    px = np.round(x + w / 2 * (1 + radius * np.cos(angles)), 2)
    py = np.round(y + h / 2 * (1 + radius * np.sin(angles)), 2)
    # As in COCO, the box is the polygon's extent.
    bbox = [float(px.min()), float(py.min()), float(px.max() - px.min()), float(py.max() - py.min())]
    polygon = np.stack([px, py], axis=1).ravel().tolist()
    return {"segmentation": [polygon], "bbox": [round(v, 2) for v in bbox], "iscrowd": 0}


def build_coco(root: Path, seed: int = 0) -> tuple[Path, Path, list[int]]:
    """Write the instances file and the grid's JPEGs under ``root``; return the image folder, the file, the indices."""
    rng = np.random.default_rng(seed)
    category_ids = sorted(rng.choice(np.arange(1, 91), COCO_CATEGORIES, replace=False).tolist())
    categories = [{"id": cat_id, "name": f"class_{cat_id}", "supercategory": "thing"} for cat_id in category_ids]
    sizes = [COCO_SIZES[i] for i in rng.integers(0, len(COCO_SIZES), COCO_IMAGES)]
    images = [
        {"id": 100_000 + i, "file_name": f"{100_000 + i:012d}.jpg", "width": w, "height": h}
        for i, (w, h) in enumerate(sizes)
    ]
    # Uneven weights give busy images, quiet ones and a few with no object, 36,000 objects in all.
    weights = rng.gamma(5.0, size=COCO_IMAGES)
    per_image = rng.multinomial(COCO_OBJECTS, weights / weights.sum())
    annotations = []
    for image, count in zip(images, per_image.tolist(), strict=True):
        for _ in range(count):
            obj = _coco_object(rng, image["width"], image["height"], crowd=bool(rng.random() < 0.01))
            obj.update(
                id=len(annotations) + 1,
                image_id=image["id"],
                category_id=int(rng.choice(category_ids)),
                area=float(obj["bbox"][2] * obj["bbox"][3]),
            )
            annotations.append(obj)
    ann_file = root / "instances_val2017.json"
    ann_file.write_text(json.dumps({"images": images, "annotations": annotations, "categories": categories}))
    folder = root / "val2017"
    folder.mkdir()
    indices = sorted(rng.choice(COCO_IMAGES, GRID, replace=False).tolist())
    for index in indices:
        width, height = sizes[index]
        # Smooth colours with a little noise: compresses like a photo, not like white noise.
        ramp = np.linspace(0, 1, width)[None, :, None] * np.linspace(0.3, 1, height)[:, None, None]
        pixels = 255 * ramp * rng.uniform(0.3, 1.0, 3) + rng.normal(0, 8, (height, width, 3))
        Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(folder / images[index]["file_name"], quality=90)
    return folder, ann_file, indices


def _quiet(fn: Callable[[], Any]) -> Callable[[], None]:
    """``fn`` with its prints swallowed (pycocotools reports on stdout while it loads)."""

    def run() -> None:
        with contextlib.redirect_stdout(io.StringIO()):
            fn()

    return run


def _grid(folder: Path, ann_file: Path, indices: list[int]) -> tuple[Callable[[], Any] | None, str]:
    """The app's grid call on the opened set, ``vkapp.detection.grid_tiles(found, indices)``, or None and why not.

    ``found`` is the page's ``vkapp.detection.open_coco(image_root, annotation_file, title)``; opening it is not timed.
    """
    try:
        from vkapp import detection
    except ImportError as error:
        return None, f"vkapp.detection cannot be imported here ({error})"
    if not hasattr(detection, "grid_tiles") or not hasattr(detection, "open_coco"):
        return None, "vkapp.detection has no grid_tiles (or open_coco) yet"
    found = detection.open_coco(folder, ann_file, "COCO val2017-sized benchmark")
    return lambda: detection.grid_tiles(found, indices), ""


def coco_part(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="visionkit-bench-coco-") as tmp:
        print("building a COCO val2017-sized instances file ...", flush=True)
        folder, ann_file, indices = build_coco(Path(tmp))
        megabytes = ann_file.stat().st_size / 1e6
        # Rows: (what, visionkit seconds, reference seconds or None, target, whether the target is a ratio).
        rows: list[tuple[str, float, float | None, float, bool]] = []
        vk_open = timed(_quiet(lambda: CocoDetection(str(folder), str(ann_file))), args.repeat)
        ref_open = None
        if importlib.util.find_spec("pycocotools") is not None:
            from pycocotools.coco import COCO

            ref_open = timed(_quiet(lambda: COCO(str(ann_file))), args.repeat)
        rows.append((f"open + index ({megabytes:.0f} MB instances file)", vk_open, ref_open, 1.0, True))
        dataset = CocoDetection(str(folder), str(ann_file))
        report = annotation_report(dataset)
        rows.append(
            (
                f"annotation_report ({report.num_objects:,} objects)",
                timed(lambda: annotation_report(dataset), args.repeat),
                None,
                2.0,
                False,
            )
        )
        grid, why_not = _grid(folder, ann_file, indices)
        if grid is not None:
            rows.append((f"grid of {GRID} images with boxes and masks", timed(grid, args.repeat), None, 0.3, False))

    print(f"\ntorch {torch.__version__}, one thread, median of {args.repeat} runs, wall time")
    print(f"{'what':<52} {'visionkit':>10} {'pycocotools':>12} {'ratio':>6} {'target':>12}")
    for what, seconds, reference, target, is_ratio in rows:
        ref_cell = "" if reference is None else f"{reference * 1e3:9.1f} ms"
        ratio = "" if reference is None else f"{seconds / reference:6.2f}"
        target_cell = f"ratio <= {target:g}" if is_ratio else f"<= {target * 1e3:g} ms"
        print(f"{what:<52} {seconds * 1e3:7.1f} ms {ref_cell:>12} {ratio:>6} {target_cell:>12}")
    if ref_open is None:
        print("(pycocotools is not importable here: run with an interpreter that has it for the ratio)")
    if grid is None:
        print(f"(grid row skipped: {why_not})")
    counts = {kind: count for kind, count in report.finding_counts().items() if count}
    print(f"\nimages without objects: {len(report.images_without_objects)}, findings: {counts or 'none'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=("all", "cifar", "coco"), default="all")
    parser.add_argument("--root", type=Path, default=Path(tempfile.gettempdir()) / "visionkit-bench-cifar10")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.part in ("all", "cifar"):
        cifar_part(args)
    if args.part in ("all", "coco"):
        coco_part(args)


if __name__ == "__main__":
    main()
