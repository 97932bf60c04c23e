"""v2 erasing and JPEG round trips, for images (tensor, ``Image``, PIL) and videos."""

from __future__ import annotations

import io

import numpy as np
import PIL.Image
import torch

from .... import tv_tensors
from ..._conversion import pil_to_tensor, to_pil_image
from ..._misc import erase as _erase_v1
from ._utils import _get_kernel, _register_kernel_internal

__all__ = ["erase", "erase_image", "erase_video", "jpeg", "jpeg_image", "jpeg_video"]


def erase(inpt: torch.Tensor, i: int, j: int, h: int, w: int, v: torch.Tensor, inplace: bool = False) -> torch.Tensor:
    """Set the ``h x w`` rectangle whose top-left pixel is ``(i, j)`` to ``v`` (broadcast to it)."""
    return _get_kernel(erase, type(inpt))(inpt, i=i, j=j, h=h, w=w, v=v, inplace=inplace)


@_register_kernel_internal(erase, torch.Tensor)
@_register_kernel_internal(erase, tv_tensors.Image)
def erase_image(
    image: torch.Tensor, i: int, j: int, h: int, w: int, v: torch.Tensor, inplace: bool = False
) -> torch.Tensor:
    return _erase_v1(image, i, j, h, w, v, inplace=inplace)


@_register_kernel_internal(erase, PIL.Image.Image)
def _erase_image_pil(
    image: PIL.Image.Image, i: int, j: int, h: int, w: int, v: torch.Tensor, inplace: bool = False
) -> PIL.Image.Image:
    erased = erase_image(pil_to_tensor(image), i=i, j=j, h=h, w=w, v=v, inplace=inplace)
    return to_pil_image(erased, mode=image.mode)


@_register_kernel_internal(erase, tv_tensors.Video)
def erase_video(
    video: torch.Tensor, i: int, j: int, h: int, w: int, v: torch.Tensor, inplace: bool = False
) -> torch.Tensor:
    return erase_image(video, i=i, j=j, h=h, w=w, v=v, inplace=inplace)


def jpeg(image: torch.Tensor, quality: int) -> torch.Tensor:
    """Encode to JPEG at ``quality`` (1 to 100) and decode again, to add compression artefacts."""
    return _get_kernel(jpeg, type(image))(image, quality=quality)


def _check_jpeg_input(image: torch.Tensor, quality: int) -> None:
    if quality < 1 or quality > 100:
        raise ValueError("Image quality should be a positive number between 1 and 100")
    if image.dtype != torch.uint8:
        raise RuntimeError(f"Input tensor dtype should be uint8, got {image.dtype}")
    if image.shape[0] not in (1, 3):
        raise RuntimeError(f"The number of channels should be 1 or 3, got: {image.shape[0]}")


def _jpeg_round_trip(image: PIL.Image.Image, quality: int) -> PIL.Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    # A copy: the decoded JpegImageFile is a subclass, and keeps the buffer open.
    return PIL.Image.open(buffer).copy()


def _jpeg_one(image: torch.Tensor, quality: int) -> torch.Tensor:
    """Round trip of one ``Tensor[1 or 3, H, W]``. Pillow's libjpeg(-turbo) with its default settings (4:2:0 chroma
    subsampling, baseline, islow DCT, fancy upsampling) writes the same bytes as torchvision's ``encode_jpeg``."""
    _check_jpeg_input(image, quality)
    decoded = np.asarray(_jpeg_round_trip(to_pil_image(image), quality))
    return torch.from_numpy(decoded.reshape(image.shape[1], image.shape[2], -1).copy()).permute(2, 0, 1)


@_register_kernel_internal(jpeg, torch.Tensor)
@_register_kernel_internal(jpeg, tv_tensors.Image)
def jpeg_image(image: torch.Tensor, quality: int) -> torch.Tensor:
    """JPEG round trip of a uint8 ``Tensor[..., 1 or 3, H, W]``, each image on its own.

    Raises:
        ValueError: for a quality outside [1, 100]. RuntimeError: for other dtypes or channel counts.
    """
    batch = image.reshape((-1, *image.shape[-3:]))
    if batch.shape[0] == 0:
        return image.clone()
    return torch.stack([_jpeg_one(one, quality) for one in batch]).view(image.shape)


@_register_kernel_internal(jpeg, tv_tensors.Video)
def jpeg_video(video: torch.Tensor, quality: int) -> torch.Tensor:
    return jpeg_image(video, quality=quality)


@_register_kernel_internal(jpeg, PIL.Image.Image)
def _jpeg_image_pil(image: PIL.Image.Image, quality: int) -> PIL.Image.Image:
    return _jpeg_round_trip(image, quality)
