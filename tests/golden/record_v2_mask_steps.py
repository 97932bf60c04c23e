"""Record which v2 catalog steps torchvision refuses on a sample whose target has a Mask or KeyPoints, for
tests/test_catalog_v2.py.

Run with a venv that has torchvision 0.29.1: ``python tests/golden/record_v2_mask_steps.py`` writes
``tests/golden/v2_mask_steps.json``: for every :data:`CASES` step (catalog JSON params, the rest at torchvision's
defaults), ``raises``: on each :data:`SAMPLES` kind in turn, the exception type it raised at some seed of
:data:`SEEDS`, or ``null``.
The test runs :func:`outcome` with visionkit (whose v2 classes should raise the same) and asks the catalog's
``trace`` for its verdict on the same step and sample.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import PIL.Image
import torch

HEIGHT, WIDTH = 30, 40
SEEDS = (0, 1, 2)
LIST_FILL = [123, 117, 104]
#: The per-type fills a case can use, and lists and numbers of every kind.
FILLS: tuple[Any, ...] = (
    7,
    [5],
    LIST_FILL,
    {"Mask": 0, "others": LIST_FILL},
    {"others": LIST_FILL},
    {"Mask": LIST_FILL},
    {"Image": LIST_FILL},
    {"Mask": [5], "others": 0},
)
#: Which images a sample can have: ``pil`` (RGB, what the app feeds) or ``float`` (a float RGB Image).
SAMPLES = (
    {"boxes": True, "masks": True, "keypoints": False},
    {"boxes": True, "masks": False, "keypoints": True},
    {"boxes": False, "masks": True, "keypoints": False},
    {"boxes": False, "masks": False, "keypoints": True},
)


def _case(name: str, image: str = "pil", **params: Any) -> dict[str, Any]:
    return {"name": name, "image": image, "params": params}


def _fill_cases(name: str, **params: Any) -> list[dict[str, Any]]:
    return [_case(name, fill=fill, **params) for fill in FILLS]


#: Every v2 catalog step once with its required arguments, and the fill steps with every fill and padding option.
CASES: list[dict[str, Any]] = [
    _case("Resize", size=24),
    _case("CenterCrop", size=36),
    *_fill_cases("RandomCrop", size=24, padding=4),
    _case("RandomCrop", size=24, fill=LIST_FILL),
    _case("RandomCrop", size=24, pad_if_needed=True, fill=LIST_FILL),
    _case("RandomCrop", size=36, pad_if_needed=True, fill=LIST_FILL),
    _case("RandomCrop", size=36, pad_if_needed=True, fill={"Mask": 0, "others": LIST_FILL}),
    _case("RandomCrop", size=24, padding=4, padding_mode="edge"),
    _case("RandomCrop", size=24, padding=4, padding_mode="reflect", fill=LIST_FILL),
    _case("RandomResizedCrop", size=24),
    *_fill_cases("Pad", padding=4),
    _case("Pad", padding=0, fill=LIST_FILL),
    _case("Pad", padding=4, padding_mode="edge"),
    _case("Pad", padding=4, padding_mode="symmetric", fill=7),
    _case("Pad", padding=4, padding_mode="edge", fill=LIST_FILL),
    _case("RandomHorizontalFlip", p=1.0),
    _case("RandomVerticalFlip", p=1.0),
    *_fill_cases("RandomRotation", degrees=[-30, 30]),
    _case("RandomRotation", degrees=[-30, 30], expand=True, fill=LIST_FILL),
    *_fill_cases("RandomAffine", degrees=[-15, 15], translate=[0.1, 0.1]),
    *_fill_cases("RandomPerspective", p=1.0),
    _case("RandomPerspective", p=0.0, fill=LIST_FILL),
    *_fill_cases("ElasticTransform"),
    _case("ColorJitter", brightness=0.5, hue=0.1),
    _case("Grayscale", num_output_channels=3),
    _case("RandomGrayscale", p=1.0),
    _case("RandomInvert", p=1.0),
    _case("RandomPosterize", bits=4, p=1.0),
    _case("RandomSolarize", threshold=128.0, p=1.0),
    _case("RandomAdjustSharpness", sharpness_factor=2.0, p=1.0),
    _case("RandomAutocontrast", p=1.0),
    _case("RandomEqualize", p=1.0),
    _case("GaussianBlur", kernel_size=5),
    _case("RandomErasing", p=1.0),
    _case("RandomErasing", p=1.0, value=LIST_FILL),
    _case("RandomErasing", p=1.0, value="random"),
    _case("AutoAugment"),
    _case("AutoAugment", fill={"Mask": 0, "others": LIST_FILL}),
    _case("RandAugment"),
    _case("TrivialAugmentWide"),
    _case("AugMix"),
    _case("PILToTensor"),
    _case("Normalize", "float", mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    _case("ToPILImage", "float"),
    _case("RandomIoUCrop"),
    *_fill_cases("RandomZoomOut", p=1.0),
    _case("RandomZoomOut", p=1.0, side_range=[1.0, 1.0], fill=LIST_FILL),
    _case("RandomZoomOut", p=0.0, fill=LIST_FILL),
    _case("ScaleJitter", target_size=[64, 64]),
    _case("RandomShortestSize", min_size=[32, 48], max_size=80),
    _case("RandomResize", min_size=30, max_size=60),
    _case("RandomPhotometricDistort", p=1.0),
    _case("RandomChannelPermutation"),
    _case("GaussianNoise", "float"),
    _case("JPEG", quality=[50, 100]),
    _case("ToImage"),
    _case("ToDtype", "float", dtype="float32", scale=True),
    _case("RGB"),
    _case("SanitizeBoundingBoxes"),
    _case("ClampBoundingBoxes"),
]


def _argument(name: str, value: Any, tv_tensors: Any) -> Any:
    """A catalog JSON value as the constructor takes it: dtypes by object, per-type fills keyed by class."""
    if name == "dtype":
        return getattr(torch, value)
    if isinstance(value, dict):
        return {
            key if key == "others" else getattr(tv_tensors, key): _argument(name, v, tv_tensors)
            for key, v in value.items()
        }
    return tuple(value) if isinstance(value, list) else value


def _sample(image: str, sample: dict[str, bool], tv_tensors: Any) -> tuple[Any, dict[str, Any]]:
    pixels = torch.randint(0, 256, (3, HEIGHT, WIDTH), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    if image == "pil":
        img: Any = PIL.Image.fromarray(pixels.permute(1, 2, 0).numpy())
    else:
        img = tv_tensors.Image(pixels.float() / 255)
    target: dict[str, Any] = {}
    if sample["boxes"]:
        boxes = torch.tensor([[2.0, 3.0, 20.0, 25.0], [10.0, 5.0, 35.0, 28.0]])
        target["boxes"] = tv_tensors.BoundingBoxes(boxes, format="XYXY", canvas_size=(HEIGHT, WIDTH))
        target["labels"] = torch.tensor([1, 2])
    if sample["masks"]:
        masks = torch.zeros(2, HEIGHT, WIDTH, dtype=torch.uint8)
        masks[0, 3:25, 2:20] = 1
        masks[1, 5:28, 10:35] = 1
        target["masks"] = tv_tensors.Mask(masks)
    if sample["keypoints"]:  # one person with 5 points: keypoints need not follow the boxes
        points = torch.tensor([[[5.0, 6.0], [12.0, 8.0], [20.0, 15.0], [30.0, 22.0], [38.0, 28.0]]])
        target["keypoints"] = tv_tensors.KeyPoints(points, canvas_size=(HEIGHT, WIDTH))
    return img, target


def outcome(case: dict[str, Any], sample: dict[str, bool], transforms: Any, tv_tensors: Any) -> str | None:
    """The name of the exception the case's transform raises on the sample at one of :data:`SEEDS`, else None."""
    kwargs = {name: _argument(name, value, tv_tensors) for name, value in case["params"].items()}
    transform = getattr(transforms, case["name"])(**kwargs)
    img, target = _sample(case["image"], sample, tv_tensors)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. ToImage on a float image, SanitizeBoundingBoxes without boxes
        for seed in SEEDS:
            torch.manual_seed(seed)
            try:
                transform(img, target)
            except Exception as exc:  # which exception it is, is what is recorded
                return type(exc).__name__
    return None


def record(transforms: Any, tv_tensors: Any) -> list[dict[str, Any]]:
    return [{**case, "raises": [outcome(case, sample, transforms, tv_tensors) for sample in SAMPLES]} for case in CASES]


if __name__ == "__main__":
    import torchvision
    from torchvision import tv_tensors as tv
    from torchvision.transforms import v2

    torch.set_num_threads(1)
    document = {"torchvision": torchvision.__version__, "cases": record(v2, tv)}
    lines = [json.dumps(case) for case in document.pop("cases")]
    text = json.dumps(document)[:-1] + ', "cases": [\n' + ",\n".join(lines) + "\n]}\n"  # a case per line
    Path(__file__).with_name("v2_mask_steps.json").write_text(text)
