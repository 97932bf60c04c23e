"""Forward time of visionkit's models against torchvision's with the same weights, and the cost of a summary.

    python benchmarks/models.py [--repeat 3] [--batch 8]
    /opt/tvenv/bin/python benchmarks/models.py

Times one forward pass of resnet18, resnet50, mobilenet_v3_large and vgg11 in eval mode without gradients, on one
thread, on a batch of --batch x 3 x 224 x 224. When torchvision is importable in this interpreter (e.g. with
torchvision's venv, which then imports visionkit from this checkout), torchvision's model is built too, its
state_dict is loaded into visionkit's, both run on the same batch taking turns, and the ratio visionkit time /
torchvision time is printed with the largest difference between their outputs. Then it times
``summary(resnet152(), (1, 3, 224, 224))`` (target: under 1 s) next to a bare forward pass of the same model.
Times are medians over --repeat runs after a warm-up.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from visionkit import models

MODELS = ("resnet18", "resnet50", "mobilenet_v3_large", "vgg11")


def median_times(runs: list[Callable[[], object]], repeat: int) -> list[float]:
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


def forward(model: nn.Module, batch: torch.Tensor) -> Callable[[], torch.Tensor]:
    def run() -> torch.Tensor:
        with torch.no_grad():
            return model(batch)

    return run


def compare_forwards(repeat: int, batch_size: int, tv_models: object | None) -> None:
    batch = torch.randn(batch_size, 3, 224, 224, generator=torch.Generator().manual_seed(0))
    title = f"forward, batch {batch_size}x3x224x224"
    print(f"{title:<34} {'visionkit':>10} {'torchvision':>12} {'ratio':>6}")
    for name in MODELS:
        ours = models.get_model(name).eval()
        runs = [forward(ours, batch)]
        if tv_models is not None:
            theirs = tv_models.get_model(name).eval()
            ours.load_state_dict(theirs.state_dict())
            runs.append(forward(theirs, batch))
        seconds = median_times(runs, repeat)
        cells = [f"{name:<34} {seconds[0]:8.3f} s"]
        if tv_models is not None:
            difference = (runs[0]() - runs[1]()).abs().max().item()
            cells.append(f"{seconds[1]:10.3f} s {seconds[0] / seconds[1]:6.2f}  max |diff| {difference:.1e}")
        print(" ".join(cells), flush=True)


def time_summary(repeat: int) -> None:
    model = models.resnet152().eval()
    size = (1, 3, 224, 224)
    batch = torch.zeros(size)
    summary_s, forward_s = median_times([lambda: models.summary(model, size), forward(model, batch)], repeat)
    print(f"summary(resnet152, {size}): {summary_s:.3f} s (target < 1 s); bare forward {forward_s:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch", type=int, default=8)
    args = parser.parse_args()
    torch.set_num_threads(1)
    tv_models = None
    if importlib.util.find_spec("torchvision") is not None:
        import torchvision.models as tv_models
    print(f"torch {torch.__version__}, one thread, median of {args.repeat} runs")
    compare_forwards(args.repeat, args.batch, tv_models)
    if tv_models is None:
        print("(torchvision is not importable here: run /opt/tvenv/bin/python benchmarks/models.py for the ratios)")
    time_summary(args.repeat)


if __name__ == "__main__":
    main()
