"""v2 conversions between PIL images, numpy arrays, plain tensors and tv_tensors, applied to every matching input
of a sample (the values are never rescaled)."""

from __future__ import annotations

from typing import Any

import numpy as np
import PIL.Image
import torch

from ... import tv_tensors
from . import functional as F
from ._transform import Transform
from .functional._utils import is_pure_tensor

__all__ = ["PILToTensor", "ToImage", "ToPILImage", "ToPureTensor"]


class PILToTensor(Transform):
    """Convert PIL images to plain ``Tensor[C, H, W]`` of their own dtype (uint8 for most modes)."""

    _transformed_types = (PIL.Image.Image,)

    def transform(self, inpt: PIL.Image.Image, params: dict[str, Any]) -> torch.Tensor:
        return F.pil_to_tensor(inpt)


class ToImage(Transform):
    """Convert plain tensors, PIL images and ``ndarray[H, W(, C)]`` to :class:`~visionkit.tv_tensors.Image`."""

    _transformed_types = (is_pure_tensor, PIL.Image.Image, np.ndarray)

    def transform(self, inpt: torch.Tensor | PIL.Image.Image | np.ndarray, params: dict[str, Any]) -> tv_tensors.Image:
        return F.to_image(inpt)


class ToPILImage(Transform):
    """Convert tensors ``[C, H, W]`` and ``ndarray[H, W, C]`` to PIL images.

    Args:
        mode: the PIL mode; None guesses it from the channels (4: RGBA, 3: RGB, 2: LA, 1: from the dtype).
    """

    _transformed_types = (is_pure_tensor, tv_tensors.Image, np.ndarray)

    def __init__(self, mode: str | None = None) -> None:
        super().__init__()
        self.mode = mode

    def transform(self, inpt: torch.Tensor | np.ndarray, params: dict[str, Any]) -> PIL.Image.Image:
        return F.to_pil_image(inpt, mode=self.mode)


class ToPureTensor(Transform):
    """Turn every tv_tensor into a plain tensor, dropping its metadata (the values stay as they are)."""

    _transformed_types = (tv_tensors.TVTensor,)

    def transform(self, inpt: Any, params: dict[str, Any]) -> torch.Tensor:
        return inpt.as_subclass(torch.Tensor)
