"""v1 transforms kept in v2 with a deprecation warning, and what to use instead."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import PIL.Image
import torch

from .._conversion import to_tensor
from ._transform import Transform

__all__ = ["ToTensor"]


class ToTensor(Transform):
    """Deprecated: use ``Compose([ToImage(), ToDtype(torch.float32, scale=True)])``.

    Convert PIL images and ``ndarray[H, W, C]`` to ``Tensor[C, H, W]``, scaled to float [0, 1] for 8-bit data.
    """

    _transformed_types = (PIL.Image.Image, np.ndarray)

    def __init__(self) -> None:
        warnings.warn(
            "The transform `ToTensor()` is deprecated and will be removed in a future release. "
            "Instead, please use `v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])`."
            "Output is equivalent up to float precision.",
            stacklevel=2,
        )
        super().__init__()

    def transform(self, inpt: PIL.Image.Image | np.ndarray, params: dict[str, Any]) -> torch.Tensor:
        return to_tensor(inpt)
