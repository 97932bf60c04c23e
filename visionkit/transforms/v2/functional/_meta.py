"""What a v2 input is: its dimensions, size, channels and frames; and box and keypoint bookkeeping (format
conversion, clamping to the canvas)."""

from __future__ import annotations

from typing import Any

import PIL.Image
import torch

from .... import tv_tensors
from ..._image import get_dimensions as _dimensions_v1
from ._utils import _get_kernel, _register_kernel_internal

__all__ = [
    "get_dimensions",
    "get_dimensions_image",
    "get_dimensions_video",
    "get_image_num_channels",
    "get_num_channels",
    "get_num_channels_image",
    "get_num_channels_video",
    "get_num_frames",
    "get_num_frames_video",
    "get_size",
    "get_size_bounding_boxes",
    "get_size_image",
    "get_size_keypoints",
    "get_size_mask",
    "get_size_video",
]


def _at_least_2d(shape: torch.Size) -> None:
    if len(shape) < 2:
        raise TypeError(f"Input tensor should have at least two dimensions, but got {len(shape)}")


def get_dimensions(inpt: Any) -> list[int]:
    """``[channels, height, width]`` of an image or video (a 2-D tensor has one channel)."""
    return _get_kernel(get_dimensions, type(inpt))(inpt)


@_register_kernel_internal(get_dimensions, torch.Tensor)
@_register_kernel_internal(get_dimensions, tv_tensors.Image, tv_tensor_wrapper=False)
def get_dimensions_image(image: torch.Tensor) -> list[int]:
    _at_least_2d(image.shape)
    return [1, *image.shape[-2:]] if image.ndim == 2 else list(image.shape[-3:])


_register_kernel_internal(get_dimensions, PIL.Image.Image)(_dimensions_v1)


@_register_kernel_internal(get_dimensions, tv_tensors.Video, tv_tensor_wrapper=False)
def get_dimensions_video(video: torch.Tensor) -> list[int]:
    return get_dimensions_image(video)


def get_num_channels(inpt: Any) -> int:
    """The number of channels of an image or video."""
    return _get_kernel(get_num_channels, type(inpt))(inpt)


@_register_kernel_internal(get_num_channels, torch.Tensor)
@_register_kernel_internal(get_num_channels, tv_tensors.Image, tv_tensor_wrapper=False)
def get_num_channels_image(image: torch.Tensor) -> int:
    return get_dimensions_image(image)[0]


@_register_kernel_internal(get_num_channels, PIL.Image.Image)
def _get_num_channels_image_pil(image: PIL.Image.Image) -> int:
    return _dimensions_v1(image)[0]


@_register_kernel_internal(get_num_channels, tv_tensors.Video, tv_tensor_wrapper=False)
def get_num_channels_video(video: torch.Tensor) -> int:
    return get_num_channels_image(video)


# The old name, kept as an alias (not deprecated): it works for videos too.
get_image_num_channels = get_num_channels


def get_size(inpt: Any) -> list[int]:
    """``[height, width]`` of an image, video or mask, or the canvas of boxes and keypoints."""
    return _get_kernel(get_size, type(inpt))(inpt)


@_register_kernel_internal(get_size, torch.Tensor)
@_register_kernel_internal(get_size, tv_tensors.Image, tv_tensor_wrapper=False)
def get_size_image(image: torch.Tensor) -> list[int]:
    _at_least_2d(image.shape)
    return list(image.shape[-2:])


@_register_kernel_internal(get_size, PIL.Image.Image)
def _get_size_image_pil(image: PIL.Image.Image) -> list[int]:
    return [image.height, image.width]


@_register_kernel_internal(get_size, tv_tensors.Video, tv_tensor_wrapper=False)
def get_size_video(video: torch.Tensor) -> list[int]:
    return get_size_image(video)


@_register_kernel_internal(get_size, tv_tensors.Mask, tv_tensor_wrapper=False)
def get_size_mask(mask: torch.Tensor) -> list[int]:
    return get_size_image(mask)


@_register_kernel_internal(get_size, tv_tensors.BoundingBoxes, tv_tensor_wrapper=False)
def get_size_bounding_boxes(bounding_box: tv_tensors.BoundingBoxes) -> list[int]:
    return list(bounding_box.canvas_size)


@_register_kernel_internal(get_size, tv_tensors.KeyPoints, tv_tensor_wrapper=False)
def get_size_keypoints(keypoints: tv_tensors.KeyPoints) -> list[int]:
    return list(keypoints.canvas_size)


def get_num_frames(inpt: Any) -> int:
    """The number of frames of a video (``[..., T, C, H, W]``)."""
    return _get_kernel(get_num_frames, type(inpt))(inpt)


@_register_kernel_internal(get_num_frames, torch.Tensor)
@_register_kernel_internal(get_num_frames, tv_tensors.Video, tv_tensor_wrapper=False)
def get_num_frames_video(video: torch.Tensor) -> int:
    return video.shape[-4]
