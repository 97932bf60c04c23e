"""What the model recorders keep of an architecture and what the model tests compare, for either library: its
structure (state_dict keys and shapes, parameter counts with 1000 and 10 classes, repr), built on the meta device so
that even ViT-H costs no memory, and the logits of deterministic weights."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import torch
from torch import nn

from tests.golden.check_parity import deterministic_


def num_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def structure(models: ModuleType, name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """``models.<name>(**kwargs)`` (torchvision's or visionkit's) as a recorded case: keys, counts and repr."""
    with torch.device("meta"):
        model = getattr(models, name)(**kwargs)
        with_10 = getattr(models, name)(num_classes=10, **kwargs)
    return {
        "keys": [[k, list(v.shape)] for k, v in model.state_dict().items()],
        "num_params": num_params(model),
        "num_params_10_classes": num_params(with_10),
        "repr": repr(model),
    }


def logits(models: ModuleType, name: str, x: torch.Tensor) -> torch.Tensor:
    """The logits of ``models.<name>()`` with :func:`deterministic_` weights, in eval mode."""
    model = deterministic_(getattr(models, name)()).eval()
    with torch.no_grad():
        return model(x)
