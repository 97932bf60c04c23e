"""v2 conversions between PIL images, numpy arrays, plain tensors and ``Image``."""

from __future__ import annotations

import numpy as np
import PIL.Image
import torch

from .... import tv_tensors
from ..._conversion import pil_to_tensor, to_pil_image

__all__ = ["pil_to_tensor", "to_image", "to_pil_image"]


def to_image(inpt: torch.Tensor | PIL.Image.Image | np.ndarray) -> tv_tensors.Image:
    """An ``Image`` from a tensor (as it is), a PIL image (its own dtype, not scaled) or an ``ndarray[H, W(, C)]``.

    Raises:
        TypeError: for any other input.
    """
    if isinstance(inpt, np.ndarray):
        output = torch.from_numpy(np.atleast_3d(inpt)).permute((2, 0, 1)).contiguous()
    elif isinstance(inpt, PIL.Image.Image):
        output = pil_to_tensor(inpt)
    elif isinstance(inpt, torch.Tensor):
        output = inpt
    else:
        raise TypeError(
            f"Input can either be a pure Tensor, a numpy array, or a PIL image, but got {type(inpt)} instead."
        )
    return tv_tensors.Image(output)
