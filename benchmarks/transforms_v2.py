"""visionkit.transforms.v2 against torchvision.transforms.v2, in one process, on one thread.

    /opt/tvenv/bin/python benchmarks/transforms_v2.py [--repeat 41] [--only NAME[,NAME...]] [--clock cpu|wall]
    python benchmarks/transforms_v2.py

Each row times one v2 transform or pipeline on a 3x375x500 ``tv_tensors.Image`` (uint8), alone or with 12 boxes and
their labels, or on a batch. When torchvision is importable in this interpreter (e.g. with torchvision's venv, which
then imports visionkit from this checkout) both libraries run in the same process on the same input, taking turns
call by call, each replaying its own random stream seeded alike, so both see the same sequence of random parameters
(see ``benchmarks/transforms.py``). Times are medians over --repeat calls after a warm-up, by default the CPU time of
this thread.

``ratio = visionkit time / torchvision time`` (below 1: visionkit is faster) next to the issue's target for the
row. ``equal`` says whether both libraries gave the same outputs for 3 seeds: every output of the structure the same
type (``Image``, ``BoundingBoxes`` with its format and canvas size, plain tensor) and equal value for value.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import visionkit.transforms.v2 as vk_v2
from benchmarks.transforms import MEAN, STD, Runner, make_inputs, median_times
from visionkit import tv_tensors as vk_tv

Build = Callable[[ModuleType], Callable[..., Any]]
#: A row's input, built from a tv_tensors module (visionkit's or torchvision's) so each library gets its own types.
MakeInput = Callable[[ModuleType, dict[str, Any]], Any]


@dataclass
class Case:
    """One row: ``build(v2)`` makes the transform from a v2 module, ``make_input(tv_tensors, raw)`` its input; the
    issue's target for visionkit time / torchvision time."""

    name: str
    build: Build
    make_input: MakeInput
    target: float


def _image(tv: ModuleType, raw: dict[str, Any]) -> Any:
    return tv.Image(raw["u8"])


def _detection(tv: ModuleType, raw: dict[str, Any]) -> Any:
    """The image with 12 boxes (XYXY, on the objects of a 3x4 grid) and their labels, as a detection sample."""
    boxes = tv.BoundingBoxes(raw["boxes"], format="XYXY", canvas_size=tuple(raw["u8"].shape[-2:]))
    return tv.Image(raw["u8"]), {"boxes": boxes, "labels": torch.arange(1, len(raw["boxes"]) + 1)}


def _batch(tv: ModuleType, raw: dict[str, Any]) -> Any:
    return tv.Image(raw["batch"]), raw["batch_labels"]


def _boxes(height: int, width: int) -> torch.Tensor:
    """12 boxes of different sizes on a 3x4 grid, some overlapping their neighbours."""
    generator = torch.Generator().manual_seed(1)
    rows = []
    for i in range(3):
        for j in range(4):
            cx, cy = (j + 0.5) * width / 4, (i + 0.5) * height / 3
            w, h = (torch.rand(2, generator=generator) * 0.8 + 0.4).tolist()
            rows.append([cx - w * width / 8, cy - h * height / 6, cx + w * width / 8, cy + h * height / 6])
    return torch.tensor(rows).clamp(min=0).minimum(torch.tensor([width, height, width, height]))


def _imagenet_train(v2: ModuleType) -> Any:
    return v2.Compose([
        v2.RandomResizedCrop(224),
        v2.RandomHorizontalFlip(),
        v2.ColorJitter(0.4, 0.4, 0.4, 0.1),
        v2.ToDtype(torch.float32, scale=True),
        v2.Normalize(MEAN, STD),
    ])  # fmt: skip


def _ssd(v2: ModuleType) -> Any:
    """torchvision's SSD reference training augmentation, resized to 300x300."""
    return v2.Compose([
        v2.RandomPhotometricDistort(),
        v2.RandomZoomOut(fill=[123.0, 117.0, 104.0]),
        v2.RandomIoUCrop(),
        v2.RandomHorizontalFlip(),
        v2.SanitizeBoundingBoxes(),
        v2.Resize((300, 300)),
    ])  # fmt: skip


CASES = [
    Case("ImageNet train pipeline", _imagenet_train, _image, 0.6),
    Case("SSD detection pipeline (+12 boxes)", _ssd, _detection, 0.7),
    Case("Resize(256)", lambda v2: v2.Resize(256), _image, 1.05),
    Case("RandomRotation(45) (+12 boxes)", lambda v2: v2.RandomRotation(45), _detection, 0.6),
    Case(
        "RandomAffine(30, .1, (.8, 1.2), 10) (+boxes)",
        lambda v2: v2.RandomAffine(30, translate=(0.1, 0.1), scale=(0.8, 1.2), shear=10),
        _detection,
        0.6,
    ),
    Case("ColorJitter(.5, .5, .5, .2)", lambda v2: v2.ColorJitter(0.5, 0.5, 0.5, 0.2), _image, 0.5),
    Case("GaussianBlur(5, 2.0)", lambda v2: v2.GaussianBlur(5, 2.0), _image, 0.6),
    Case("ElasticTransform() (+12 boxes)", lambda v2: v2.ElasticTransform(), _detection, 0.8),
    Case("TrivialAugmentWide()", lambda v2: v2.TrivialAugmentWide(), _image, 0.8),
    Case("CutMix, batch 32x3x224x224", lambda v2: v2.CutMix(num_classes=10), _batch, 1.0),
]


def raw_inputs() -> dict[str, Any]:
    """The 3x375x500 uint8 photo-like image of ``benchmarks/transforms.py``, 12 boxes on it, and a batch of 32."""
    raw = make_inputs()
    generator = torch.Generator().manual_seed(2)
    raw["boxes"] = _boxes(375, 500)
    raw["batch"] = torch.randint(0, 256, (32, 3, 224, 224), dtype=torch.uint8, generator=generator)
    raw["batch_labels"] = torch.randint(0, 10, (32,), generator=generator)
    return raw


def _leaves(sample: Any) -> list[Any]:
    if isinstance(sample, (tuple, list)):
        return [leaf for item in sample for leaf in _leaves(item)]
    if isinstance(sample, dict):
        return [leaf for key in sorted(sample) for leaf in _leaves(sample[key])]
    return [sample]


def _same(ours: Any, theirs: Any) -> bool:
    """One output of each library: the same kind of tv_tensor (by class name), metadata and values."""
    if not isinstance(ours, torch.Tensor) or not isinstance(theirs, torch.Tensor):
        return ours == theirs
    if type(ours).__name__ != type(theirs).__name__:
        return False
    for attribute in ("canvas_size", "format"):
        if (
            hasattr(ours, attribute)
            and str(getattr(ours, attribute)).split(".")[-1] != str(getattr(theirs, attribute)).split(".")[-1]
        ):
            return False
    return (
        ours.dtype == theirs.dtype
        and ours.shape == theirs.shape
        and torch.equal(ours.as_subclass(torch.Tensor), theirs.as_subclass(torch.Tensor))
    )


def outputs_equal(case: Case, libraries: dict[str, tuple[ModuleType, ModuleType]], raw: dict[str, Any]) -> str:
    """Whether visionkit's and torchvision's outputs are the same for seeds 0, 1 and 2."""
    if "tv" not in libraries:
        return ""
    for seed in range(3):
        outputs = []
        for v2, tv in libraries.values():
            torch.manual_seed(seed)
            random.seed(seed)
            outputs.append(_leaves(case.build(v2)(case.make_input(tv, raw))))
        ours, theirs = outputs
        if len(ours) != len(theirs) or not all(_same(a, b) for a, b in zip(ours, theirs, strict=True)):
            return f"NO (seed {seed})"
    return "yes"


class _Call:
    """``transform(sample)`` with the sample unpacked as a call's arguments, as a dataset hands it over."""

    def __init__(self, transform: Callable[..., Any], sample: Any) -> None:
        self.transform, self.sample = transform, sample

    def __call__(self, _: Any) -> Any:
        return self.transform(*self.sample) if isinstance(self.sample, tuple) else self.transform(self.sample)


def run_case(
    case: Case, libraries: dict[str, tuple[ModuleType, ModuleType]], raw: dict[str, Any], repeat: int, clock: Any
) -> str:
    runners = [Runner(_Call(case.build(v2), case.make_input(tv, raw)), clock) for v2, tv in libraries.values()]
    seconds = median_times(runners, None, repeat)
    ours = seconds[0]
    theirs = seconds[1] if len(seconds) > 1 else None
    ratio = f"{ours / theirs:6.2f}{'*' if ours / theirs <= case.target else '!'}" if theirs else f"{'':>7}"
    theirs_text = f"{theirs * 1e3:9.2f}" if theirs else f"{'-':>9}"
    return (
        f"{case.name:<45} {ours * 1e3:9.2f} {theirs_text} {ratio} {'<= ' + format(case.target, 'g'):>7}"
        f"  {outputs_equal(case, libraries, raw):>5}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=41, help="timed calls per library and row")
    parser.add_argument("--only", default="", help="comma-separated substrings of row names to run")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu", help="this thread's CPU time, or elapsed")
    args = parser.parse_args()
    torch.set_num_threads(1)
    libraries: dict[str, tuple[ModuleType, ModuleType]] = {"vk": (vk_v2, vk_tv)}
    if importlib.util.find_spec("torchvision") is not None:
        import torchvision
        import torchvision.transforms.v2 as tv_v2
        from torchvision import tv_tensors as tv_tv

        libraries["tv"] = (tv_v2, tv_tv)
        print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, ", end="")
    else:
        print(f"torch {torch.__version__}, ", end="")
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter
    print(f"one thread, 3x375x500 uint8 image, median {args.clock} ms per call over {args.repeat} calls")
    print("ratio = visionkit time / torchvision v2 time (below 1: visionkit is faster); * meets the target, ! misses")
    print(f"{'transform':<45} {'visionkit':>9} {'tv v2':>9} {'ratio':>7} {'target':>7}  equal")
    wanted = [w.strip().lower() for w in args.only.split(",") if w.strip()]
    raw = raw_inputs()
    for case in CASES:
        if not wanted or any(w in case.name.lower() for w in wanted):
            print(run_case(case, libraries, raw, args.repeat, clock), flush=True)
    if "tv" not in libraries:
        print("(torchvision is not importable: run /opt/tvenv/bin/python benchmarks/transforms_v2.py for the ratios)")


if __name__ == "__main__":
    main()
