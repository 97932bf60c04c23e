"""CutMix and MixUp on a batch of previews, as torchvision's classification reference applies them after the
DataLoader: the pipeline runs per image, then the batch is mixed, and each item's label becomes a vector of weights.

The batch is made of different images with different labels (:func:`spread_indices` picks them from a dataset):
mixing an image with itself would show nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image

from visionkit.transforms import catalog, v2

from .augment_lab import Picture, built_steps, check_steps, display, pictures, recording, run
from .random_streams import GLOBAL_STREAMS

__all__ = ["MIXES", "MixedBatch", "label_text", "mixed_batch", "pipeline_outputs", "spread_indices"]

MIXES = ("CutMix", "MixUp")

#: How to end a pipeline with float image tensors, in each API's words.
_FLOAT_HINTS = {"v1": "ToTensor", "v2": "ToImage and ToDtype(float32, scale=True)"}


_TRANSFORMS: dict[str, type[v2.CutMix] | type[v2.MixUp]] = {"CutMix": v2.CutMix, "MixUp": v2.MixUp}


@dataclass(frozen=True)
class MixedBatch:
    """A mixed batch: each item mixes its own image and label with the previous item's (the first with the last).

    Attributes:
        pictures: per item, the mixed image as shown (de-normalised when the pipeline normalised), captioned with its
            label vector in words, largest weight first: ``"0.62 animal + 0.38 food"``.
        images (Tensor[B, C, H, W]): the mixed images as the transform returned them.
        labels (Tensor[B, num_classes]): the mixed label vectors; each row sums to 1.
        lam: the weight of each item's own label (for CutMix, the area outside the box, as the labels use it).
        box: CutMix's pasted rectangle ``(x1, y1, x2, y2)`` in pixels, ``x2`` and ``y2`` excluded; None for MixUp.
    """

    pictures: list[Picture]
    images: torch.Tensor
    labels: torch.Tensor
    lam: float
    box: tuple[int, int, int, int] | None


def mixed_batch(
    images: Sequence[Any],
    labels: Sequence[int],
    class_names: Sequence[str],
    *,
    mix: str,
    alpha: float = 1.0,
    seed: int,
    stats: tuple[Sequence[float], Sequence[float]] | None = None,
    api: str = "v1",
) -> MixedBatch:
    """Stack the pipeline's outputs into a batch and apply ``v2.CutMix`` or ``v2.MixUp`` to it, seeded.

    Args:
        images: the pipeline's outputs, float tensors ``[C, H, W]`` (plain or ``tv_tensors.Image``) of one shape.
        labels: each image's class index.
        class_names: the dataset's classes; their number is the transform's ``num_classes``.
        mix: one of :data:`MIXES`.
        alpha: the Beta distribution's parameter (torchvision's default is 1.0).
        seed: seeds torch's CPU generator, which is all the transform draws from.
        stats: ``(mean, std)`` of the pipeline's Normalize, to show the images de-normalised.
        api: the pipeline's API (:data:`visionkit.transforms.catalog.APIS`): the error for non-float images names
            the steps that API ends a pipeline with.

    Raises:
        ValueError: with a message for the student: an unknown ``mix``, ``alpha <= 0``, fewer than 2 images, images
            that are not float tensors or not all of one size, or labels that do not fit the images or classes.
    """
    # recording: the page shows what was drawn (lam, the box) without drawing anything itself
    transform = recording(_TRANSFORMS[_checked_mix(mix)](alpha=_checked_alpha(alpha), num_classes=len(class_names)))
    batch = torch.stack(_checked_images(images, api))
    targets = torch.tensor(_checked_labels(labels, len(images), len(class_names)), dtype=torch.int64)
    with GLOBAL_STREAMS:
        torch.default_generator.manual_seed(seed)
        mixed, mixed_labels = transform(batch, targets)
    drawn = transform.last_params
    box = drawn.get("box")
    lam = drawn["lam_adjusted"] if box is not None else drawn["lam"]
    shown = [display(image, stats, True) for image in mixed]
    captions = [label_text(vector, class_names) for vector in mixed_labels]
    return MixedBatch(pictures(shown, captions), mixed, mixed_labels, lam, box)


def label_text(vector: torch.Tensor, class_names: Sequence[str]) -> str:
    """A label vector in words, largest weight first, weights to 2 decimals, zero weights left out:
    ``"0.62 animal + 0.38 food"``."""
    weights = [(round(float(weight), 2), name) for weight, name in zip(vector.tolist(), class_names, strict=True)]
    shown = sorted((pair for pair in weights if pair[0] > 0), key=lambda pair: -pair[0])
    return " + ".join(f"{weight:.2f} {name}" for weight, name in shown)


def spread_indices(targets: Sequence[int] | np.ndarray, count: int) -> list[int]:
    """``count`` dataset indices with as many different labels as there can be: the first item of each class in
    class order, then the second of each, and so on (all items when there are fewer than ``count``).

    Args:
        targets: every item's label, e.g. :func:`vkapp.sources.targets_of` of the dataset.
        count: how many indices to pick.
    """
    by_class: dict[int, list[int]] = {}
    for index, label in enumerate(np.asarray(targets).tolist()):
        by_class.setdefault(int(label), []).append(index)
    rounds = max((len(found) for found in by_class.values()), default=0)
    order = [found[r] for r in range(rounds) for _, found in sorted(by_class.items()) if r < len(found)]
    return order[:count]


def _checked_mix(mix: Any) -> str:
    if mix not in MIXES:
        raise ValueError(f"mix should be one of {', '.join(MIXES)}, got {mix!r}")
    return mix


def _checked_alpha(alpha: Any) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not alpha > 0:
        raise ValueError(f"alpha should be a number above 0 (1.0 is torchvision's default), got {alpha!r}")
    return float(alpha)


def _checked_images(images: Sequence[Any], api: str) -> list[torch.Tensor]:
    if api not in catalog.APIS:
        raise ValueError(f"api should be one of {list(catalog.APIS)}, got {api!r}")
    if len(images) < 2:
        raise ValueError(f"CutMix/MixUp mix images of a batch: they need at least 2 previews, got {len(images)}")
    for image in images:
        if isinstance(image, Image.Image) or not isinstance(image, torch.Tensor) or not image.is_floating_point():
            raise ValueError(
                f"CutMix/MixUp need float image tensors: end the pipeline with {_FLOAT_HINTS[api]} "
                f"(a preview is {_kind(image)})"
            )
    sizes = list(dict.fromkeys("x".join(map(str, image.shape)) for image in images))
    if len(sizes) > 1:
        raise ValueError(
            f"the previews have different sizes ({', '.join(sizes)}): add a Resize or a crop to a fixed size at "
            "the end of the pipeline"
        )
    return list(images)


def _kind(image: Any) -> str:
    if isinstance(image, Image.Image):
        return "a PIL image"
    if isinstance(image, torch.Tensor):
        return f"a {str(image.dtype).removeprefix('torch.')} tensor"
    return f"a {type(image).__name__}"


def _checked_labels(labels: Sequence[int], count: int, num_classes: int) -> list[int]:
    if len(labels) != count:
        raise ValueError(f"each preview needs one label: got {len(labels)} labels for {count} previews")
    for position, label in enumerate(labels):
        if not 0 <= label < num_classes:
            raise ValueError(
                f"the label {label} of preview {position + 1} is out of range: there are {num_classes} classes "
                f"(0 to {num_classes - 1})"
            )
    return [int(label) for label in labels]


def pipeline_outputs(steps: Sequence[catalog.Step], images: Sequence[Image.Image], *, seed: int, api: str) -> list[Any]:
    """Each image through the pipeline (in ``api``) with its own seed, ``seed + index``, as a preview is made
    (:func:`vkapp.augment_lab.run`): the batch a DataLoader would hand to CutMix or MixUp.

    Raises:
        visionkit.transforms.catalog.StepInputError: if a step cannot run on one of the images; nothing has run.
    """
    for image in images:
        check_steps(steps, image, api=api)
    transforms, names = built_steps(steps, api)
    outputs = []
    for index, image in enumerate(images):
        output = run(transforms, names, image, (seed + index) % (catalog.MAX_SEED + 1), None).output
        outputs.append(image if output is None else output)
    return outputs
