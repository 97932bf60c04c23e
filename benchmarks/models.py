"""Forward time of visionkit's models against torchvision's with the same weights, and the cost of a summary.

    python benchmarks/models.py [--repeat 10] [--min-time 3] [--warmup 2] [--batch 8] [--clock cpu|wall]
                                [--models resnet18 vgg11 ...]
    /opt/tvenv/bin/python benchmarks/models.py

Times one forward pass of resnet18, resnet50, mobilenet_v3_large and vgg11 in eval mode under ``torch.no_grad()``, on
one thread, on one batch of --batch x 3 x 224 x 224 shared by every run. When torchvision is importable in this
interpreter (e.g. with torchvision's venv, which then imports visionkit from this checkout), torchvision's model is
built too and its state_dict loaded into visionkit's, so both libraries run on the same torch build in the same process.

After --warmup untimed passes of each model, the two take turns for at least --repeat rounds (more for fast models,
until each has run about --min-time seconds), swapping which goes first every round so that neither profits from a warm
cache or a quiet moment of the machine more than the other. Each model gets its median and minimum time. Each round also
gives one ratio visionkit / torchvision of two passes run back to back; the table prints the median of those ratios with
their interquartile range, then the ratio of the minimum times. A ratio whose interquartile range holds 1 cannot be told
apart from noise, and on a shared machine a few percent also move from one run of the script to the next: run it twice.
The largest difference between the two outputs is printed last (0 when the models compute the same thing the same way).

The default clock is the CPU time of the process (``time.process_time``: user + system time of all its threads), which
counts page faults and the work of every thread but not the time spent waiting for a core, so that other processes on a
shared machine move the numbers much less (they still share caches and memory bandwidth). ``--clock wall`` uses
``time.perf_counter`` instead, which is what a user waits on a quiet machine.

``--zoo`` adds one row for each of the 17 other architectures whose logits ``models_zoo.pt`` records (AlexNet to MaxViT;
target ratio 1.00 +/- 0.05). Then it times ``summary`` of resnet152 (target: under 1 s), vit_b_16 and convnext_tiny
(under 2 s) at 1 x 3 x 224 x 224 next to a bare forward pass of the same model, and a Grad-CAM on resnet50
(under 1.5 s).
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from visionkit import models

MODELS = ("resnet18", "resnet50", "mobilenet_v3_large", "vgg11")
#: The other families, one row each for the 17 architectures whose logits models_zoo.pt records (--zoo).
ZOO = (
    "alexnet", "squeezenet1_0", "squeezenet1_1", "densenet121", "googlenet", "shufflenet_v2_x0_5",
    "shufflenet_v2_x1_0", "mnasnet0_5", "mnasnet1_0", "efficientnet_b0", "efficientnet_v2_s", "regnet_x_400mf",
    "regnet_y_400mf", "convnext_tiny", "vit_b_16", "swin_t", "maxvit_t",
)  # fmt: skip


CLOCKS: dict[str, Callable[[], float]] = {"cpu": time.process_time, "wall": time.perf_counter}


@dataclass(frozen=True)
class Schedule:
    """How to time runs that take turns.

    Attributes:
        repeat (int): the least number of timed rounds.
        min_time (float): more rounds, rounded up to an even count, until each run should have about this many
            seconds of timed calls, judged by the last warm-up round.
        warmup (int): untimed calls of each run before timing (at least 1).
        clock (Callable[[], float]): the clock, in seconds.
    """

    repeat: int
    min_time: float
    warmup: int
    clock: Callable[[], float]

    def rounds(self, warmup_round_seconds: float) -> int:
        """Timed rounds given the time of one warm-up round of all runs."""
        wanted = math.ceil(self.min_time / max(warmup_round_seconds, 1e-9))
        return max(self.repeat, wanted + wanted % 2)


def interleaved_times(runs: Sequence[Callable[[], object]], schedule: Schedule) -> list[list[float]]:
    """Seconds of each run in each timed round, after the warm-up calls.

    The runs take turns; every other round runs them in reverse order, so that each run goes first equally often.

    Returns:
        list[list[float]]: ``times[i][r]`` is the time of ``runs[i]`` in round ``r``.
    """
    for _ in range(schedule.warmup):
        start = schedule.clock()
        for run in runs:
            run()
        warmup_round_seconds = (schedule.clock() - start) / len(runs)
    times: list[list[float]] = [[] for _ in runs]
    for round_index in range(schedule.rounds(warmup_round_seconds)):
        order = range(len(runs)) if round_index % 2 == 0 else reversed(range(len(runs)))
        for i in order:
            start = schedule.clock()
            runs[i]()
            times[i].append(schedule.clock() - start)
    return times


def forward(model: nn.Module, batch: torch.Tensor) -> Callable[[], torch.Tensor]:
    """A call that runs ``model`` on ``batch`` without gradients."""

    def run() -> torch.Tensor:
        with torch.no_grad():
            return model(batch)

    return run


def describe_times(seconds: list[float]) -> str:
    """``median / min`` of a run's times, in seconds."""
    return f"{statistics.median(seconds):7.3f} /{min(seconds):6.3f}"


def describe_ratio(ours: list[float], theirs: list[float]) -> str:
    """Median and interquartile range of the per-round ratios ``ours / theirs``, then the ratio of the minima."""
    ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
    low, _, high = statistics.quantiles(ratios, n=4, method="inclusive")
    return f"{statistics.median(ratios):5.2f} [{low:4.2f}-{high:4.2f}] {min(ours) / min(theirs):6.2f}"


def compare_model(name: str, batch: torch.Tensor, schedule: Schedule, tv_models: ModuleType | None) -> str:
    """One row of the table: visionkit's ``name`` alone, or against torchvision's with the same weights."""
    ours = models.get_model(name).eval()
    runs = [forward(ours, batch)]
    if tv_models is not None:
        theirs = tv_models.get_model(name).eval()
        ours.load_state_dict(theirs.state_dict())
        runs.append(forward(theirs, batch))
    times = interleaved_times(runs, schedule)
    row = f"{name:<20} {len(times[0]):6} {describe_times(times[0])}"
    if tv_models is None:
        return row
    difference = (runs[0]() - runs[1]()).abs().max().item()
    return f"{row}   {describe_times(times[1])}   {describe_ratio(*times)}  {difference:.1e}"


def compare_forwards(batch_size: int, names: Sequence[str], schedule: Schedule, tv_models: ModuleType | None) -> None:
    """Print the table of forward times, one model per row."""
    batch = torch.randn(batch_size, 3, 224, 224, generator=torch.Generator().manual_seed(0))
    print(f"forward of a {batch_size}x3x224x224 batch, seconds as median / min")
    header = f"{'model':<20} {'rounds':>6} {'visionkit':>15}"
    if tv_models is not None:
        header += f"   {'torchvision':>15}   {'ratio [IQR]':<17} {'of min':>6}  max|diff|"
    print(header)
    for name in names:
        print(compare_model(name, batch, schedule, tv_models), flush=True)


def time_summary(schedule: Schedule) -> None:
    """Print the time of ``summary`` of resnet152 (target < 1 s), vit_b_16 and convnext_tiny (< 2 s) next to a bare
    forward pass of the same model, and of a Grad-CAM on resnet50 (< 1.5 s)."""
    size = (1, 3, 224, 224)
    for name, target in (("resnet152", 1.0), ("vit_b_16", 2.0), ("convnext_tiny", 2.0)):
        model = models.get_model(name).eval()
        runs = [lambda model=model: models.summary(model, size), forward(model, torch.zeros(size))]
        summary_s, forward_s = (statistics.median(seconds) for seconds in interleaved_times(runs, schedule))
        print(f"summary({name}, {size}): {summary_s:.3f} s (target < {target:g} s); bare forward {forward_s:.3f} s")
    model = models.resnet50().eval()
    batch = torch.rand(size, generator=torch.Generator().manual_seed(0))
    (cam_s,) = (
        statistics.median(s) for s in interleaved_times([lambda: models.grad_cam(model, batch, "layer4")], schedule)
    )
    print(f"grad_cam(resnet50, layer4) at 224x224: {cam_s:.3f} s (target < 1.5 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=10, help="the least number of timed rounds (at least 2)")
    parser.add_argument("--min-time", type=float, default=3.0, help="more rounds until each model ran this long")
    parser.add_argument("--warmup", type=int, default=2, help="untimed passes of each model before timing")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--clock", default="cpu", choices=CLOCKS, help="CPU time of the process, or wall time")
    parser.add_argument("--models", nargs="+", default=MODELS, choices=models.list_models(), metavar="MODEL")
    parser.add_argument("--zoo", action="store_true", help=f"time the other families too: {', '.join(ZOO)}")
    args = parser.parse_args()
    if args.repeat < 2:
        parser.error(f"--repeat should be at least 2, got {args.repeat}")
    if args.warmup < 1:
        parser.error(f"--warmup should be at least 1, got {args.warmup}")
    schedule = Schedule(args.repeat, args.min_time, args.warmup, CLOCKS[args.clock])
    torch.set_num_threads(1)
    tv_models = None
    if importlib.util.find_spec("torchvision") is not None:
        import torchvision.models as tv_models
    print(f"torch {torch.__version__}, one thread, {args.clock} clock")
    compare_forwards(args.batch, [*args.models, *(ZOO if args.zoo else ())], schedule, tv_models)
    if tv_models is None:
        print("(torchvision is not importable here: run /opt/tvenv/bin/python benchmarks/models.py for the ratios)")
    time_summary(schedule)


if __name__ == "__main__":
    main()
