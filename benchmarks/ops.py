"""visionkit.ops against torchvision's compiled CPU kernels, on one thread.

    python benchmarks/ops.py [--repeat 21]
    /opt/tvenv/bin/python benchmarks/ops.py

Times nms at N = 1000 and 5000 (on scattered boxes, where few are suppressed, and on clustered detections, where
most are), box_iou of 1000 x 1000 boxes, and roi_align of 512 RoIs on 256-channel maps with a 7x7 output and
sampling_ratio 2 and -1. When torchvision is importable in this interpreter (e.g. with torchvision's venv, which
then imports visionkit from this checkout), it runs in the same process on the same inputs: the outputs are
compared and the ratio visionkit time / torchvision time is printed next to its target (below 1: visionkit is
faster). Times are medians over --repeat runs after a warm-up, the two libraries taking turns.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from visionkit import ops


@dataclass
class Case:
    name: str
    target: float  # the largest acceptable ratio visionkit / torchvision
    run: Callable[[object], Tensor]  # called with the ops module of either library


def scattered_boxes(n: int, generator: torch.Generator, image: float = 1000.0) -> Tensor:
    """Boxes of 10 to 100 pixels anywhere in the image: they rarely overlap much."""
    corner = torch.rand(n, 2, generator=generator) * image
    size = 10 + torch.rand(n, 2, generator=generator) * 90
    return torch.cat([corner, corner + size], dim=1)


def clustered_boxes(n: int, generator: torch.Generator, objects: int = 20) -> Tensor:
    """Detector-like output: many jittered boxes around a few objects, so most of them get suppressed."""
    centre = torch.rand(objects, 2, generator=generator) * 800
    size = 20 + torch.rand(objects, 2, generator=generator) * 150
    which = torch.randint(0, objects, (n,), generator=generator)
    jittered_centre = centre[which] + torch.randn(n, 2, generator=generator) * size[which] * 0.1
    jittered_size = size[which] * (1 + 0.1 * torch.randn(n, 2, generator=generator)).abs()
    return torch.cat([jittered_centre - jittered_size / 2, jittered_centre + jittered_size / 2], dim=1)


def cases() -> list[Case]:
    generator = torch.Generator().manual_seed(0)
    found = []
    for layout, make in (("scattered", scattered_boxes), ("clustered", clustered_boxes)):
        for n, target in ((1000, 1.0), (5000, 2.0)):
            boxes, scores = make(n, generator), torch.rand(n, generator=generator)
            found.append(
                Case(f"nms N={n}, {layout}", target, lambda lib, b=boxes, s=scores: lib.nms(b, s, 0.5)),
            )
    boxes1, boxes2 = scattered_boxes(1000, generator), scattered_boxes(1000, generator)
    found.append(Case("box_iou 1000 x 1000", 0.5, lambda lib: lib.box_iou(boxes1, boxes2)))
    # Two 256x256 images at stride 4 and 512 RoIs of 16 to 128 pixels: 4 to 32 feature-map pixels a side.
    features = torch.randn(2, 256, 64, 64, generator=generator)
    corner = torch.rand(512, 2, generator=generator) * 200
    rois = torch.cat(
        [
            torch.randint(0, 2, (512, 1), generator=generator).float(),
            corner,
            corner + 16 + torch.rand(512, 2, generator=generator) * 112,
        ],
        dim=1,
    )
    for sampling_ratio, target in ((2, 1.0), (-1, 1.5)):
        found.append(
            Case(
                f"roi_align 512 RoIs, 256 ch, 7x7, sampling_ratio={sampling_ratio}",
                target,
                lambda lib, sr=sampling_ratio: lib.roi_align(features, rois, (7, 7), 0.25, sr, False),
            )
        )
    return found


def same(a: Tensor, b: Tensor) -> bool:
    if a.dtype == torch.int64:
        return torch.equal(a, b)
    return a.shape == b.shape and torch.allclose(a, b, atol=1e-4, rtol=1e-4, equal_nan=True)


def median_times(runs: list[Callable[[], Tensor]], repeat: int) -> list[float]:
    """Median seconds of each run over ``repeat`` turns, after one warm-up each."""
    for run in runs:
        run()
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(repeat):
        for run, seconds in zip(runs, times, strict=True):
            start = time.perf_counter()
            run()
            seconds.append(time.perf_counter() - start)
    return [statistics.median(seconds) for seconds in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    torch.set_num_threads(1)
    tv_ops = None
    if importlib.util.find_spec("torchvision") is not None:
        import torchvision.ops as tv_ops

    print(f"torch {torch.__version__}, one thread, median of {args.repeat} runs")
    print(f"{'what':<52} {'visionkit':>10} {'torchvision':>12} {'ratio':>6} {'target':>7}  same output")
    for case in cases():
        libraries = [ops] if tv_ops is None else [ops, tv_ops]
        seconds = median_times([lambda lib=lib, case=case: case.run(lib) for lib in libraries], args.repeat)
        cells = [f"{case.name:<52} {seconds[0] * 1e3:7.2f} ms"]
        if tv_ops is not None:
            ratio = seconds[0] / seconds[1]
            verdict = "yes" if same(case.run(ops), case.run(tv_ops)) else "NO"
            cells.append(f"{seconds[1] * 1e3:9.2f} ms {ratio:6.2f} {'<= ' + str(case.target):>7}  {verdict}")
        print(" ".join(cells), flush=True)
    if tv_ops is None:
        print("(torchvision is not importable here: run /opt/tvenv/bin/python benchmarks/ops.py for the ratios)")


if __name__ == "__main__":
    main()
