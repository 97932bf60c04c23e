"""v1 functionals kept in v2 with a deprecation warning, and what to use instead."""

from __future__ import annotations

import warnings
from typing import Any

import torch

from ..._conversion import to_tensor as _to_tensor_v1
from ..._image import get_image_size as _get_image_size_v1

__all__ = ["get_image_size", "to_tensor"]


def to_tensor(inpt: Any) -> torch.Tensor:
    """Deprecated: use ``to_image(...)`` followed by ``to_dtype(..., dtype=torch.float32, scale=True)``."""
    warnings.warn(
        "The function `to_tensor(...)` is deprecated and will be removed in a future release. "
        "Instead, please use `to_image(...)` followed by `to_dtype(..., dtype=torch.float32, scale=True)`.",
        stacklevel=2,
    )
    return _to_tensor_v1(inpt)


def get_image_size(inpt: torch.Tensor) -> list[int]:
    """Deprecated: ``[width, height]``; use ``get_size(...)``, which returns ``[height, width]``."""
    warnings.warn(
        "The function `get_image_size(...)` is deprecated and will be removed in a future release. "
        "Instead, please use `get_size(...)` which returns `[h, w]` instead of `[w, h]`.",
        stacklevel=2,
    )
    return _get_image_size_v1(inpt)
