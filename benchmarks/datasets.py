"""Opening CIFAR-10-sized data and showing a 15-image grid, cold and warm, and mean/std over all of it.

    python benchmarks/datasets.py [--root DIR] [--repeat 5]

Builds 50,000 + 10,000 images in the real CIFAR-10 python format (protocol-2 pickles in data_batch_1..5 and
test_batch) once under --root, then times visionkit against itself (cold: no decode cache; warm: cache present) and,
when torchvision is importable in this interpreter (e.g. `/opt/tvenv/bin/python benchmarks/datasets.py`), against
`torchvision.datasets.CIFAR10` in the same run, printing the ratios side by side. Both libraries check the md5 of
every file as their constructors do; the test files' md5s are set on subclasses (the class attributes exist for that).
"""

from __future__ import annotations

import argparse
import importlib.util
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

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.dataset_files import file_md5, write_cifar10  # noqa: E402
from visionkit.datasets import CIFAR10, health_report  # noqa: E402
from visionkit.datasets._array_cache import CACHE_FOLDER  # noqa: E402

GRID = 15


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path(tempfile.gettempdir()) / "visionkit-bench-cifar10")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
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


if __name__ == "__main__":
    main()
