"""visionkit.transforms against torchvision v1 (tensor and PIL paths) and v2 (tensor path), on one thread.

    python benchmarks/transforms.py [--repeat 41] [--only NAME[,NAME...]] [--clock cpu|wall]
    /opt/tvenv/bin/python benchmarks/transforms.py

Times single transforms and the ImageNet training pipeline on a 3x375x500 image, as a uint8 tensor and as a PIL
image (float tensor for Normalize). When torchvision is importable in this interpreter (e.g. with torchvision's
venv, which then imports visionkit from this checkout), every library runs in the same process on the same input:
the libraries take turns call by call, each one replaying its own random stream seeded alike, so all of them see
the same sequence of random parameters. Times are medians over --repeat calls after a warm-up, measured by default
as the CPU time of this thread, which other processes on a shared machine disturb much less than elapsed time.

Columns are times per call and speedups, ``x = torchvision time / visionkit time`` (above 1: visionkit is faster);
the target column gives the speedup the project aims at for the rows that have one. ``diff`` is the largest
difference from torchvision v1's tensor output over the first 3 calls (uint8 levels, or float for float outputs) and,
in brackets, how many values differ: 0 everywhere, since visionkit computes each step with torchvision's operations
in the same order.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import PIL.Image
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import visionkit.transforms as vk

MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
Build = Callable[[ModuleType], Callable[[Any], Any]]


@dataclass
class Case:
    """One benchmark row: ``build(T)`` makes the transform from a transforms module (visionkit's or torchvision's).

    ``tensor_target`` is the speedup over torchvision v1's tensor path (``v2_target`` over v2's) that the project
    aims at; ``pil`` says whether the transform takes PIL images; ``float_input`` feeds a float tensor instead.
    """

    name: str
    build: Build
    tensor_target: float | None = None
    v2_target: float | None = None
    pil: bool = True
    float_input: bool = False
    build_pil: Build | None = None  # the PIL pipeline when it differs (ToTensor instead of a dtype conversion)


def _imagenet_train(to_float: Callable[[ModuleType], Any]) -> Build:
    def build(T: ModuleType) -> Callable[[Any], Any]:
        return T.Compose([
            T.RandomResizedCrop(224),
            T.RandomHorizontalFlip(),
            T.ColorJitter(0.4, 0.4, 0.4, 0.1),
            to_float(T),
            T.Normalize(MEAN, STD),
        ])  # fmt: skip

    return build


def _to_float(T: ModuleType) -> Any:
    """v1/visionkit ``ConvertImageDtype(float)``, v2 ``ToDtype(float32, scale=True)``."""
    return T.ToDtype(torch.float32, scale=True) if hasattr(T, "ToDtype") else T.ConvertImageDtype(torch.float32)


CASES = [
    Case("Resize(224) bilinear antialias", lambda T: T.Resize(224, antialias=True), tensor_target=2.0),
    Case("RandomRotation(30)", lambda T: T.RandomRotation(30), tensor_target=2.0),
    Case("RandomRotation(30) bilinear", lambda T: T.RandomRotation(30, T.InterpolationMode.BILINEAR)),
    Case(
        "RandomAffine(30, .1, (.8, 1.2), 10)",
        lambda T: T.RandomAffine(30, translate=(0.1, 0.1), scale=(0.8, 1.2), shear=10),
        tensor_target=2.0,
    ),
    Case("GaussianBlur(9, (0.1, 2.0))", lambda T: T.GaussianBlur(9, sigma=(0.1, 2.0)), tensor_target=2.0),
    Case("ColorJitter(.4, .4, .4, .1)", lambda T: T.ColorJitter(0.4, 0.4, 0.4, 0.1), tensor_target=2.0),
    Case("RandomResizedCrop(224)", lambda T: T.RandomResizedCrop(224)),
    Case("RandomHorizontalFlip(p=1)", lambda T: T.RandomHorizontalFlip(p=1.0)),
    Case("RandomPerspective(p=1)", lambda T: T.RandomPerspective(p=1.0)),
    Case("RandomGrayscale(p=1)", lambda T: T.RandomGrayscale(p=1.0)),
    Case("Normalize (float input)", lambda T: T.Normalize(MEAN, STD), pil=False, float_input=True),
    Case("RandomErasing(p=1)", lambda T: T.RandomErasing(p=1.0), pil=False),
    Case("RandAugment()", lambda T: T.RandAugment()),
    Case("TrivialAugmentWide()", lambda T: T.TrivialAugmentWide()),
    Case("AutoAugment()", lambda T: T.AutoAugment()),
    Case(
        "ImageNet train pipeline",
        _imagenet_train(_to_float),
        v2_target=2.0,
        build_pil=_imagenet_train(lambda T: T.ToTensor()),
    ),
]


class Runner:
    """A transform with its own random stream: each call continues where this runner's previous call stopped."""

    def __init__(self, transform: Callable[[Any], Any], clock: Callable[[], float], seed: int = 0) -> None:
        self.transform, self.clock = transform, clock
        torch_state, python_state = torch.get_rng_state(), random.getstate()
        torch.manual_seed(seed)
        random.seed(seed)
        self.torch_state, self.python_state = torch.get_rng_state(), random.getstate()
        torch.set_rng_state(torch_state)
        random.setstate(python_state)

    def timed_call(self, img: Any) -> float:
        torch.set_rng_state(self.torch_state)
        random.setstate(self.python_state)
        start = self.clock()
        self.transform(img)
        seconds = self.clock() - start
        self.torch_state, self.python_state = torch.get_rng_state(), random.getstate()
        return seconds


def median_times(runners: list[Runner], img: Any, repeat: int) -> list[float]:
    """Median seconds per call of each runner on ``img``, after a warm-up call each.

    The runners take turns, and each round starts with the next runner: whoever runs first after another library
    freed its buffers pays for fresh memory pages, and that cost is shared out evenly.
    """
    for runner in runners:
        runner.timed_call(img)
    times: list[list[float]] = [[] for _ in runners]
    for i in range(repeat):
        for k in range(len(runners)):
            j = (i + k) % len(runners)
            times[j].append(runners[j].timed_call(img))
    return [statistics.median(seconds) for seconds in times]


def make_inputs() -> dict[str, Any]:
    """A 3x375x500 image: smooth color regions plus noise, as uint8, float and PIL."""
    generator = torch.Generator().manual_seed(0)
    coarse = torch.rand(1, 3, 12, 16, generator=generator) * 255
    smooth = torch.nn.functional.interpolate(coarse, size=(375, 500), mode="bicubic", align_corners=False)[0]
    noisy = smooth + torch.randn(3, 375, 500, generator=generator) * 12
    u8 = noisy.round().clamp(0, 255).to(torch.uint8)
    return {"u8": u8, "float": u8.float() / 255, "pil": PIL.Image.fromarray(u8.permute(1, 2, 0).numpy())}


def _ms(seconds: float | None) -> str:
    return f"{seconds * 1e3:8.2f}" if seconds is not None else f"{'-':>8}"


def _speedup(other: float | None, ours: float | None, target: float | None = None) -> str:
    if other is None or ours is None:
        return f"{'':>6}"
    mark = "" if target is None else ("*" if other / ours >= target else "!")
    return f"{other / ours:5.2f}{mark or ' '}"


def timed_group(
    transforms: dict[str, Callable[[Any], Any]], img: Any, repeat: int, clock: Callable[[], float]
) -> dict[str, float]:
    """Median seconds per call of each transform on ``img``, all of them seeing the same random parameters."""
    seconds = median_times([Runner(t, clock) for t in transforms.values()], img, repeat)
    return dict(zip(transforms, seconds, strict=True))


def max_difference(build: Build, libraries: dict[str, ModuleType], img: Any, calls: int = 3) -> str:
    """Largest absolute difference between visionkit's and torchvision v1's outputs for the same seeds, and how many
    values differ at all, as ``"largest (count)"``."""
    if "v1" not in libraries:
        return ""
    largest, count = 0.0, 0
    for seed in range(calls):
        outputs = []
        for library in (vk, libraries["v1"]):
            torch.manual_seed(seed)
            random.seed(seed)
            outputs.append(build(library)(img).double())
        difference = (outputs[0] - outputs[1]).abs()
        largest, count = max(largest, difference.max().item()), count + int((difference > 0).sum())
    return f"{largest:g} ({count})"


def run_case(
    case: Case, inputs: dict[str, Any], libraries: dict[str, ModuleType], repeat: int, clock: Callable[[], float]
) -> str:
    tensor_in = inputs["float" if case.float_input else "u8"]
    tensor_runs = {"vk": case.build(vk)} | {key: case.build(libraries[key]) for key in ("v1", "v2") if key in libraries}
    seconds = timed_group(tensor_runs, tensor_in, repeat, clock)
    if case.pil:
        build_pil = case.build_pil or case.build
        pil_runs = {"vk_pil": build_pil(vk)} | ({"v1_pil": build_pil(libraries["v1"])} if "v1" in libraries else {})
        seconds |= timed_group(pil_runs, inputs["pil"], repeat, clock)
    t = {key: seconds.get(key) for key in ("vk", "v1", "v2", "vk_pil", "v1_pil")}
    targets = []
    if case.tensor_target is not None:
        targets.append(f"v1 x{case.tensor_target:g}")
    if case.v2_target is not None:
        targets.append(f"v2 x{case.v2_target:g}")
    if case.pil:
        targets.append("PIL x0.9")
    return (
        f"{case.name:<36} {_ms(t['vk'])} {_ms(t['v1'])} {_speedup(t['v1'], t['vk'], case.tensor_target)} "
        f"{_ms(t['v2'])} {_speedup(t['v2'], t['vk'], case.v2_target)}  "
        f"{_ms(t['vk_pil'])} {_ms(t['v1_pil'])} {_speedup(t['v1_pil'], t['vk_pil'], 0.9 if case.pil else None)}  "
        f"{max_difference(case.build, libraries, tensor_in):>11}  {', '.join(targets)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=41, help="timed calls per library and row")
    parser.add_argument("--only", default="", help="comma-separated substrings of row names to run")
    parser.add_argument(
        "--clock",
        choices=("cpu", "wall"),
        default="cpu",
        help="cpu: this thread's CPU time (robust on a shared machine); wall: elapsed time",
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    libraries: dict[str, ModuleType] = {}
    if importlib.util.find_spec("torchvision") is not None:
        import torchvision
        import torchvision.transforms as v1
        import torchvision.transforms.v2 as v2

        libraries = {"v1": v1, "v2": v2}
        print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, ", end="")
    else:
        print(f"torch {torch.__version__}, ", end="")
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter
    print(f"one thread, 3x375x500 image, median {args.clock} ms per call over {args.repeat} calls")
    print("x = torchvision time / visionkit time (above 1: visionkit is faster); * meets its target, ! misses it")
    header = f"{'':<36} {'---------------- uint8 tensor ----------------':>46}  {'---------- PIL ----------':>25}"
    print(header)
    print(f"{'transform':<36} {'visionkit':>8} {'tv v1':>8} {'x':>6} {'tv v2':>8} {'x':>6}  "
          f"{'visionkit':>8} {'tv v1':>8} {'x':>6}  {'diff':>11}  target")  # fmt: skip
    wanted = [w.strip().lower() for w in args.only.split(",") if w.strip()]
    inputs = make_inputs()
    for case in CASES:
        if not wanted or any(w in case.name.lower() for w in wanted):
            print(run_case(case, inputs, libraries, args.repeat, clock), flush=True)
    if not libraries:
        print("(torchvision is not importable here: run /opt/tvenv/bin/python benchmarks/transforms.py for the ratios)")


if __name__ == "__main__":
    main()
