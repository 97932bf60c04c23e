"""Composed pipelines on the full-size embedded photos, shared by the recorder and the parity test.

Each pipeline is a code string evaluated with ``T`` bound to a transforms module (visionkit's or torchvision's) and
``IM`` to its ``InterpolationMode``. A run seeds torch and Python's ``random`` with the same seed, builds the
pipeline, and applies it to the photo opened as RGB. Later steps (posterize, equalize, solarize, autocontrast)
magnify any rounding difference in earlier ones, which is why they are here.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path
from typing import Any

import numpy as np
import PIL.Image
import torch

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "photos"
PHOTOS = ["animal/chelsea.jpg", "food/coffee.jpg", "people/astronaut.jpg"]
SEEDS = [0, 1, 2, 3, 17, 42, 1234, 2024]
NORMALIZE = "T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])"

PIPELINES: dict[str, str] = {
    "imagenet_train": f"""T.Compose([T.RandomResizedCrop(224), T.RandomHorizontalFlip(),
        T.ColorJitter(0.4, 0.4, 0.4, 0.1), T.ToTensor(), {NORMALIZE}])""",
    "imagenet_eval": f"T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(), {NORMALIZE}])",
    "cifar_classic": """T.Compose([T.Resize(32), T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(),
        T.Normalize((0.4914, 0.4822, 0.4465), (0.247, 0.243, 0.261))])""",
    "randaugment_uint8": """T.Compose([T.PILToTensor(), T.RandAugment(num_ops=3, magnitude=12),
        T.RandomPosterize(4, p=0.5), T.RandomEqualize(p=0.5)])""",
    "trivialaugment_pil": "T.Compose([T.TrivialAugmentWide(), T.RandomSolarize(128, p=0.5), T.PILToTensor()])",
    "autoaugment_blur_uint8": """T.Compose([T.PILToTensor(), T.AutoAugment(T.AutoAugmentPolicy.IMAGENET),
        T.GaussianBlur(9, sigma=(0.1, 3.0)), T.RandomPosterize(3, p=0.7), T.RandomAutocontrast(p=0.7)])""",
    "geometry_uint8": """T.Compose([T.PILToTensor(),
        T.RandomRotation(35, interpolation=IM.BILINEAR, fill=[90, 20, 200]),
        T.RandomAffine(20, translate=(0.1, 0.1), scale=(0.8, 1.2), shear=(-12, 12, -6, 6)),
        T.RandomPerspective(0.4, p=0.8, interpolation=IM.BILINEAR), T.RandomEqualize(p=0.8)])""",
    "geometry_float": f"""T.Compose([T.ToTensor(), T.RandomRotation(25, interpolation=IM.BILINEAR, expand=True),
        T.RandomAffine(10, shear=15), T.ElasticTransform(alpha=40.0), T.Resize(200), {NORMALIZE}])""",
    "blur_float": f"""T.Compose([T.ToTensor(), T.GaussianBlur((7, 11), sigma=(0.2, 4.0)),
        T.RandomAdjustSharpness(2.5, p=0.7), T.RandomSolarize(0.6, p=0.5), T.RandomErasing(p=0.7, value='random'),
        {NORMALIZE}])""",
    "pil_geometry": """T.Compose([T.RandomRotation(30, interpolation=IM.BILINEAR), T.RandomPerspective(0.3, p=0.7),
        T.GaussianBlur(5), T.RandomResizedCrop(160, interpolation=IM.BICUBIC), T.AugMix(), T.ToTensor()])""",
}


def load_photo(name: str) -> PIL.Image.Image:
    with PIL.Image.open(ASSETS / name) as img:
        return img.convert("RGB")


def run(transforms: Any, code: str, photo: PIL.Image.Image, seed: int) -> Any:
    """Seed both random streams, build the pipeline from ``code`` with ``transforms`` and apply it to ``photo``."""
    torch.manual_seed(seed)
    random.seed(seed)
    pipeline = eval(code, {"T": transforms, "IM": transforms.InterpolationMode})
    return pipeline(photo)


def as_array(output: Any) -> np.ndarray:
    """A tensor or PIL output as a numpy array (PIL as ``H x W [x C]``, as ``np.asarray`` gives)."""
    if isinstance(output, PIL.Image.Image):
        return np.asarray(output)
    return output.detach().contiguous().numpy()


def fingerprint(output: Any) -> dict[str, Any]:
    """What the test compares: kind, dtype, shape and the SHA-256 of the exact bytes, plus per-channel sums
    (float64) that tell how far apart two outputs are when their bytes differ."""
    array = as_array(output)
    channels = (
        array.reshape(array.shape[0], -1)
        if array.ndim == 3 and not isinstance(output, PIL.Image.Image)
        else (array.reshape(-1, array.shape[-1]).T if array.ndim == 3 else array.reshape(1, -1))
    )
    return {
        "kind": "pil" if isinstance(output, PIL.Image.Image) else "tensor",
        "mode": output.mode if isinstance(output, PIL.Image.Image) else None,
        "dtype": str(array.dtype),
        "shape": list(array.shape),
        "sha256": hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest(),
        "sums": channels.astype(np.float64).sum(axis=1).tolist(),
    }
