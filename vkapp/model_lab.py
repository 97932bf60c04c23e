"""What the Models page does besides drawing: build a model with weights, replay edits, fetch official weights.

Edits are kept as a list of plain specs (``("replace_head", {"num_classes": 10})``) so undo is a pop, reset is a
clear, and the same list both rebuilds the model and writes the script that reproduces it.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from PIL import Image
from torch import nn

from visionkit import models
from visionkit.datasets.utils import DownloadError, download_url
from visionkit.models._presets import ImageClassification

from .random_streams import GLOBAL_STREAMS

EditSpec = tuple[str, dict[str, Any]]

#: The edits the page offers, by the name of the visionkit.models function that performs them.
EDITS: dict[str, Callable[..., models.Edit]] = {
    "replace_head": models.replace_head,
    "set_trainable": models.set_trainable,
    "cifar_stem": models.cifar_stem,
    "change_input_channels": models.change_input_channels,
    "add_dropout_before_head": models.add_dropout_before_head,
    "swap_activation": models.swap_activation,
}

NO_WEIGHTS = "None"
_HASH_IN_NAME = re.compile(r"-([a-f0-9]+)\.")


def weight_choices(arch: str) -> list[str]:
    """``"None"`` and the names of the official weights for an architecture (e.g. ``"IMAGENET1K_V1"``)."""
    return [NO_WEIGHTS, *(w.name for w in models.get_model_weights(arch))]


def weights_of(arch: str, name: str) -> models.WeightsEnum | None:
    return None if name == NO_WEIGHTS else models.get_model_weights(arch)[name]


def checkpoint_path(weights: models.WeightsEnum) -> Path:
    """Where torch's hub cache keeps this file (the same place torchvision uses, so its downloads are reused)."""
    return Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(weights.url)


def is_cached(weights: models.WeightsEnum) -> bool:
    return checkpoint_path(weights).is_file()


def fetch_weights(weights: models.WeightsEnum, progress: Callable[[int, int | None], None] | None = None) -> Path:
    """Download official weights into the hub cache with a progress callback, checking the hash in the file name.

    Raises:
        DownloadError: the download failed or the file's sha256 does not start with the hash in its name; nothing
            is left in the cache in either case.
    """
    path = checkpoint_path(weights)
    if path.is_file():
        return path
    download_url(weights.url, path.parent, path.name, progress=progress)
    expected = _HASH_IN_NAME.search(path.name)
    if expected is not None:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if not digest.startswith(expected.group(1)):
            path.unlink()
            raise DownloadError(
                f"{weights.url} downloaded, but its sha256 {digest[:12]}… does not start with {expected.group(1)} "
                "as its name promises; the file was deleted. Try again, or check the network path."
            )
    return path


def build(arch: str, weights: models.WeightsEnum | None) -> nn.Module:
    """The architecture with official weights (from the hub cache) or torchvision's random initialisation (drawn
    from the global stream, which a concurrent preview must not see move)."""
    with GLOBAL_STREAMS:
        return models.get_model(arch, weights=weights).eval()


def check_checkpoint(data: bytes, name: str) -> None:
    """Refuse an uploaded ``.pth`` (ValueError naming it) that would run code, cannot be read or holds no
    state_dict, before anything keeps it."""
    upload = io.BytesIO(data)
    upload.name = name
    models.read_checkpoint(upload)


def load_checkpoint_bytes(model: nn.Module, data: bytes) -> models.LoadReport:
    """Load an uploaded ``.pth`` into ``model`` in place (``weights_only``; what does not fit is reported)."""
    return models.load_checkpoint(model, io.BytesIO(data), strict=False)


def apply_edits(model: nn.Module, edits: Sequence[EditSpec]) -> tuple[nn.Module, list[models.Edit]]:
    """Apply each edit in turn (new layers draw their weights from the global stream); the input model is never
    changed."""
    done = []
    with GLOBAL_STREAMS:
        for name, kwargs in edits:
            edit = EDITS[name](model, **kwargs)
            model = edit.model
            done.append(edit)
    return model.eval(), done


def script(arch: str, weights_name: str, edits: Sequence[models.Edit], library: str = "visionkit") -> str:
    """A script that rebuilds the edited model; only the import line differs between visionkit and torchvision."""
    weights = "None" if weights_name == NO_WEIGHTS else f'"{weights_name}"'
    lines = ["import torch", "from torch import nn", f"from {library}.models import {arch}", ""]
    lines.append(f"model = {arch}(weights={weights})")
    lines += [edit.code for edit in edits]
    return "\n".join(lines) + "\n"


def input_channels(model: nn.Module) -> int:
    first = next((m for m in model.modules() if isinstance(m, nn.Conv2d)), None)
    return 3 if first is None else first.in_channels


def prepare_batch(images: Sequence[Image.Image], size: int, channels: int, weights: Any = None) -> torch.Tensor:
    """Turn PIL images into the batch the model expects: the weights' own preprocessing, else resize to ``size``
    with ImageNet statistics; single-channel models get grayscale input."""
    if weights is not None and channels == 3:
        preprocess = weights.transforms()
    elif channels == 3:
        preprocess = ImageClassification(crop_size=size, resize_size=size)
    else:
        mean, std = (0.449,), (0.226,)
        preprocess = ImageClassification(crop_size=size, resize_size=size, mean=mean, std=std)
    tensors = []
    for image in images:
        image = image.convert("RGB" if channels == 3 else "L")
        tensor = preprocess(image)
        tensors.append(tensor.expand(channels, -1, -1) if tensor.shape[0] != channels else tensor)
    return torch.stack(tensors)


def top_k(logits: torch.Tensor, categories: Sequence[str], k: int = 5) -> list[list[tuple[str, float]]]:
    """The k most likely categories with their probabilities, per image."""
    probabilities = logits.softmax(dim=1)
    values, indices = probabilities.topk(min(k, probabilities.shape[1]), dim=1)
    return [
        [(categories[i], float(v)) for v, i in zip(row_v.tolist(), row_i.tolist(), strict=True)]
        for row_v, row_i in zip(values, indices, strict=True)
    ]


def state_dict_bytes(model: nn.Module) -> bytes:
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer.getvalue()
