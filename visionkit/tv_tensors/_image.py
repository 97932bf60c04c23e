"""Images, videos and masks: tv_tensors without metadata, told apart by their type alone."""

from __future__ import annotations

from typing import Any

import PIL.Image
import torch

from ..transforms._conversion import pil_to_tensor
from ._tv_tensor import TVTensor

__all__ = ["Image", "Mask", "Video"]


def _from_pil(data: Any) -> Any:
    return pil_to_tensor(data) if isinstance(data, PIL.Image.Image) else data


class Image(TVTensor):
    """An image or a batch of images, ``Tensor[..., C, H, W]``; a ``[H, W]`` tensor gets ``C = 1``.

    Args:
        data: anything ``torch.as_tensor`` takes, or a PIL image.
        dtype, device: of the tensor; taken from ``data`` when omitted.
        requires_grad: whether autograd records operations; from ``data`` (a tensor) when omitted, else False.

    Raises:
        ValueError: if ``data`` has fewer than 2 dimensions.
    """

    def __new__(
        cls,
        data: Any,
        *,
        dtype: torch.dtype | None = None,
        device: torch.device | str | int | None = None,
        requires_grad: bool | None = None,
    ) -> Image:
        tensor = cls._to_tensor(_from_pil(data), dtype=dtype, device=device, requires_grad=requires_grad)
        if tensor.ndim < 2:
            raise ValueError(f"Tensor must be 2D or higher, got {tensor.ndim}D tensor.")
        return (tensor.unsqueeze(0) if tensor.ndim == 2 else tensor).as_subclass(cls)


class Video(TVTensor):
    """A video or a batch of videos, ``Tensor[..., T, C, H, W]``.

    Raises:
        ValueError: if ``data`` has fewer than 4 dimensions.
    """

    def __new__(
        cls,
        data: Any,
        *,
        dtype: torch.dtype | None = None,
        device: torch.device | str | int | None = None,
        requires_grad: bool | None = None,
    ) -> Video:
        tensor = cls._to_tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)
        if tensor.ndim < 4:
            raise ValueError(f"Video should have at least 4 dimensions (..., T, C, H, W), got {tuple(tensor.shape)}")
        return tensor.as_subclass(cls)


class Mask(TVTensor):
    """Segmentation or detection masks, ``Tensor[..., H, W]``: one label map, or one plane per object.

    Args:
        data: anything ``torch.as_tensor`` takes, or a PIL image (e.g. a palette PNG of class indices).
    """

    def __new__(
        cls,
        data: Any,
        *,
        dtype: torch.dtype | None = None,
        device: torch.device | str | int | None = None,
        requires_grad: bool | None = None,
    ) -> Mask:
        return cls._to_tensor(_from_pil(data), dtype=dtype, device=device, requires_grad=requires_grad).as_subclass(cls)

    # Masks print as torch prints any tensor subclass, without the ", )" of the other tv_tensors: as torchvision's.
    __repr__ = torch.Tensor.__repr__
