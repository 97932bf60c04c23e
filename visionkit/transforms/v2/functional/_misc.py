"""v2 normalization, blur, noise and dtype conversion, and the removal of degenerate boxes and stray keypoints."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import PIL.Image
import torch

from .... import tv_tensors
from ..._color import _blur_tensor, _gaussian_kernel1d_softmax
from ..._conversion import convert_image_dtype as _convert_image_dtype_v1
from ..._conversion import pil_to_tensor, to_pil_image
from ..._image import max_value
from ..._misc import normalize as _normalize_v1
from . import _meta
from ._utils import _get_kernel, _register_kernel_internal, is_pure_tensor

__all__ = [
    "convert_image_dtype",
    "gaussian_blur",
    "gaussian_blur_image",
    "gaussian_blur_video",
    "gaussian_noise",
    "gaussian_noise_image",
    "gaussian_noise_video",
    "normalize",
    "normalize_image",
    "normalize_video",
    "sanitize_bounding_boxes",
    "sanitize_keypoints",
    "to_dtype",
    "to_dtype_image",
    "to_dtype_video",
]


# ------------------------------------------------------------------------------------------------------- normalize
def normalize(inpt: torch.Tensor, mean: list[float], std: list[float], inplace: bool = False) -> torch.Tensor:
    """Normalize each channel of a float image or video: ``(x - mean[c]) / std[c]``."""
    return _get_kernel(normalize, type(inpt))(inpt, mean=mean, std=std, inplace=inplace)


def _std_is_zero(std: Any) -> bool:
    if isinstance(std, (tuple, list)):
        return not all(std)
    return isinstance(std, (int, float)) and std == 0


@_register_kernel_internal(normalize, torch.Tensor)
@_register_kernel_internal(normalize, tv_tensors.Image)
def normalize_image(image: torch.Tensor, mean: list[float], std: list[float], inplace: bool = False) -> torch.Tensor:
    """Normalize a float ``Tensor[..., C, H, W]``.

    Raises:
        TypeError: if the image is not floating point.
        ValueError: if it has fewer than 3 dimensions, or a given std is 0.
    """
    if not image.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {image.dtype}.")
    if image.ndim < 3:
        raise ValueError(f"Expected tensor to be a tensor image of size (..., C, H, W). Got {image.shape}.")
    if _std_is_zero(std):
        raise ValueError("std evaluated to zero, leading to division by zero.")
    return _normalize_v1(image, mean, std, inplace=inplace)


@_register_kernel_internal(normalize, tv_tensors.Video)
def normalize_video(video: torch.Tensor, mean: list[float], std: list[float], inplace: bool = False) -> torch.Tensor:
    return normalize_image(video, mean, std, inplace=inplace)


# --------------------------------------------------------------------------------------------------- gaussian blur
def gaussian_blur(inpt: torch.Tensor, kernel_size: list[int], sigma: list[float] | None = None) -> torch.Tensor:
    """Blur with a Gaussian kernel (reflected borders); ``kernel_size`` and ``sigma`` are ``(x, y)``."""
    return _get_kernel(gaussian_blur, type(inpt))(inpt, kernel_size=kernel_size, sigma=sigma)


def _blur_kernel_sizes(kernel_size: int | Sequence[int]) -> list[int]:
    sizes = [kernel_size, kernel_size] if isinstance(kernel_size, int) else kernel_size
    if len(sizes) != 2:
        raise ValueError(f"If kernel_size is a sequence its length should be 2. Got {len(sizes)}")
    if any(k % 2 == 0 or k < 0 for k in sizes):
        raise ValueError(f"kernel_size should have odd and positive integers. Got {sizes}")
    return list(sizes)


def _blur_sigmas(sigma: float | Sequence[float] | None, sizes: list[int]) -> list[float]:
    if sigma is None:
        sigmas = [k * 0.15 + 0.35 for k in sizes]
    elif isinstance(sigma, (list, tuple)):
        if len(sigma) not in (1, 2):
            raise ValueError(f"If sigma is a sequence, its length should be 2. Got {len(sigma)}")
        sigmas = [sigma[0], sigma[-1]]
    elif isinstance(sigma, (int, float)):
        sigmas = [float(sigma), float(sigma)]
    else:
        raise TypeError(f"sigma should be either float or sequence of floats. Got {type(sigma)}")
    if any(s <= 0.0 for s in sigmas):
        raise ValueError(f"sigma should have positive values. Got {sigmas}")
    return sigmas


@_register_kernel_internal(gaussian_blur, torch.Tensor)
@_register_kernel_internal(gaussian_blur, tv_tensors.Image)
def gaussian_blur_image(image: torch.Tensor, kernel_size: list[int], sigma: list[float] | None = None) -> torch.Tensor:
    """Blur a ``Tensor[..., C, H, W]``; integer images are rounded back to their dtype.

    Raises:
        ValueError: for kernel sizes that are not two odd positive ints, or sigmas that are not positive.
        TypeError: for a sigma that is neither a number nor a sequence.
    """
    sizes = _blur_kernel_sizes(kernel_size)
    sigmas = _blur_sigmas(sigma, sizes)
    if image.numel() == 0:
        return image
    return _blur_tensor(image, sizes, sigmas, kernel1d=_gaussian_kernel1d_softmax)


@_register_kernel_internal(gaussian_blur, PIL.Image.Image)
def _gaussian_blur_image_pil(
    image: PIL.Image.Image, kernel_size: list[int], sigma: list[float] | None = None
) -> PIL.Image.Image:
    blurred = gaussian_blur_image(pil_to_tensor(image), kernel_size=kernel_size, sigma=sigma)
    return to_pil_image(blurred, mode=image.mode)


@_register_kernel_internal(gaussian_blur, tv_tensors.Video)
def gaussian_blur_video(video: torch.Tensor, kernel_size: list[int], sigma: list[float] | None = None) -> torch.Tensor:
    return gaussian_blur_image(video, kernel_size, sigma)


# -------------------------------------------------------------------------------------------------- gaussian noise
def gaussian_noise(inpt: torch.Tensor, mean: float = 0.0, sigma: float = 0.1, clip: bool = True) -> torch.Tensor:
    """Add Gaussian noise ``mean + sigma * N(0, 1)`` (on the [0, 1] scale) to a float or uint8 image or video."""
    return _get_kernel(gaussian_noise, type(inpt))(inpt, mean=mean, sigma=sigma, clip=clip)


@_register_kernel_internal(gaussian_noise, torch.Tensor)
@_register_kernel_internal(gaussian_noise, tv_tensors.Image)
def gaussian_noise_image(image: torch.Tensor, mean: float = 0.0, sigma: float = 0.1, clip: bool = True) -> torch.Tensor:
    """Add noise to a float image (clipped to [0, 1]) or a uint8 one (noise truncated to whole levels, clipped to
    [0, 255]); one ``randn`` draw of the image's shape.

    Raises:
        ValueError: for a negative ``sigma`` or an image that is neither float nor uint8.
    """
    if sigma < 0:
        raise ValueError(f"sigma shouldn't be negative. Got {sigma}")
    if image.is_floating_point():
        noisy = image + (mean + torch.randn_like(image) * sigma)
        return noisy.clamp(0, 1) if clip else noisy
    if image.dtype != torch.uint8:
        raise ValueError(f"Input tensor is expected to be in uint8 or float dtype, got dtype={image.dtype}")
    # int16 holds the sum without wrapping around; the cast back to uint8 wraps unless clipped.
    noise = (mean * 255 + torch.randn_like(image, dtype=torch.float32) * (sigma * 255)).to(torch.int16)
    noisy = image + noise
    return (noisy.clamp(0, 255) if clip else noisy).to(torch.uint8)


@_register_kernel_internal(gaussian_noise, tv_tensors.Video)
def gaussian_noise_video(video: torch.Tensor, mean: float = 0.0, sigma: float = 0.1, clip: bool = True) -> torch.Tensor:
    return gaussian_noise_image(video, mean=mean, sigma=sigma, clip=clip)


@_register_kernel_internal(gaussian_noise, PIL.Image.Image)
def _gaussian_noise_image_pil(
    image: PIL.Image.Image, mean: float = 0.0, sigma: float = 0.1, clip: bool = True
) -> PIL.Image.Image:
    raise ValueError("Gaussian Noise is not implemented for PIL images.")


# -------------------------------------------------------------------------------------------------------- to_dtype
def to_dtype(inpt: torch.Tensor, dtype: torch.dtype = torch.float, scale: bool = False) -> torch.Tensor:
    """Cast to ``dtype``; with ``scale``, images and videos are rescaled between the dtypes' intensity ranges
    (boxes, masks and keypoints are only cast)."""
    return _get_kernel(to_dtype, type(inpt))(inpt, dtype=dtype, scale=scale)


@_register_kernel_internal(to_dtype, torch.Tensor)
@_register_kernel_internal(to_dtype, tv_tensors.Image)
def to_dtype_image(image: torch.Tensor, dtype: torch.dtype = torch.float, scale: bool = False) -> torch.Tensor:
    """Cast an image to ``dtype``, rescaling intensities with ``scale`` (floats in [0, 1], integers in [0, max]).

    Raises:
        RuntimeError: for float32 to int32/int64 and float64 to int64 with ``scale``, which would overflow.
    """
    if image.dtype == dtype:
        return image
    if not scale:
        return image.to(dtype)
    if not image.is_floating_point() and dtype.is_floating_point:
        # v2 multiplies by the reciprocal of the maximum, where v1 divides by it.
        return image.to(dtype).mul_(1.0 / max_value(image.dtype))
    return _convert_image_dtype_v1(image, dtype)


@_register_kernel_internal(to_dtype, tv_tensors.Video)
def to_dtype_video(video: torch.Tensor, dtype: torch.dtype = torch.float, scale: bool = False) -> torch.Tensor:
    return to_dtype_image(video, dtype, scale=scale)


@_register_kernel_internal(to_dtype, tv_tensors.KeyPoints, tv_tensor_wrapper=False)
@_register_kernel_internal(to_dtype, tv_tensors.BoundingBoxes, tv_tensor_wrapper=False)
@_register_kernel_internal(to_dtype, tv_tensors.Mask, tv_tensor_wrapper=False)
def _to_dtype_cast_only(inpt: torch.Tensor, dtype: torch.dtype, scale: bool = False) -> torch.Tensor:
    # Coordinates and labels have no intensity range: they are cast, never scaled (``.to`` keeps the tv_tensor).
    return inpt.to(dtype)


def convert_image_dtype(image: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Kept for older code: :func:`to_dtype` with ``scale=True``."""
    return to_dtype_image(image, dtype=dtype, scale=True)


# ------------------------------------------------------------------------------------------------------ sanitizing
def sanitize_bounding_boxes(
    bounding_boxes: torch.Tensor,
    format: tv_tensors.BoundingBoxFormat | str | None = None,
    canvas_size: tuple[int, int] | None = None,
    min_size: float = 1.0,
    min_area: float = 1.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Drop boxes smaller than ``min_size`` (either side) or ``min_area``, or reaching outside the canvas.

    Args:
        bounding_boxes (Tensor[N, K] | BoundingBoxes): the boxes; a plain tensor needs ``format`` and
            ``canvas_size``, ``BoundingBoxes`` must come without them.
        format: the boxes' format (name or enum), plain tensors only.
        canvas_size: ``(height, width)``, plain tensors only.
        min_size: the shortest side kept.
        min_area: the smallest area kept.

    Returns:
        (Tensor[M, K], Tensor[N] of bool): the boxes kept and the mask of which were kept (to index labels with).

    Raises:
        ValueError: if the metadata is missing for a plain tensor or given with ``BoundingBoxes``, or the input is
            another tv_tensor.
    """
    if is_pure_tensor(bounding_boxes):
        if format is None or canvas_size is None:
            raise ValueError(
                "format and canvas_size cannot be None if bounding_boxes is a pure tensor. "
                f"Got format={format} and canvas_size={canvas_size}."
                "Set those to appropriate values or pass bounding_boxes as a tv_tensors.BoundingBoxes object."
            )
        if isinstance(format, str):
            format = tv_tensors.BoundingBoxFormat[format.upper()]
        valid = _valid_boxes(bounding_boxes, format, canvas_size, min_size, min_area)
        return bounding_boxes[valid], valid
    if not isinstance(bounding_boxes, tv_tensors.BoundingBoxes):
        raise ValueError("bounding_boxes must be a tv_tensors.BoundingBoxes instance or a pure tensor.")
    if format is not None or canvas_size is not None:
        raise ValueError(
            "format and canvas_size must be None when bounding_boxes is a tv_tensors.BoundingBoxes instance. "
            f"Got format={format} and canvas_size={canvas_size}. "
            "Leave those to None or pass bounding_boxes as a pure tensor."
        )
    valid = _valid_boxes(bounding_boxes, bounding_boxes.format, bounding_boxes.canvas_size, min_size, min_area)
    return tv_tensors.wrap(bounding_boxes[valid], like=bounding_boxes), valid


def _side_lengths(corners: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Lengths of the first two sides of ``XYXYXYXY`` boxes."""
    width = torch.sqrt((corners[..., 0] - corners[..., 2]).pow(2) + (corners[..., 1] - corners[..., 3]).pow(2))
    height = torch.sqrt((corners[..., 3] - corners[..., 5]).pow(2) + (corners[..., 4] - corners[..., 6]).pow(2))
    return width, height


def _valid_boxes(
    boxes: torch.Tensor,
    format: tv_tensors.BoundingBoxFormat,
    canvas_size: tuple[int, int],
    min_size: float,
    min_area: float,
) -> torch.Tensor:
    rotated = tv_tensors.is_rotated_bounding_format(format)
    target = tv_tensors.BoundingBoxFormat.XYXYXYXY if rotated else tv_tensors.BoundingBoxFormat.XYXY
    boxes = boxes.as_subclass(torch.Tensor)
    if format != target:
        boxes = _meta.convert_bounding_box_format(boxes, old_format=format, new_format=target)
    if rotated:
        widths, heights = _side_lengths(boxes)
    else:
        widths, heights = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    valid = (widths >= min_size) & (heights >= min_size) & (boxes >= 0).all(dim=-1) & (widths * heights >= min_area)
    height, width = canvas_size
    # x coordinates sit at even positions, y at odd ones, in both XYXY and XYXYXYXY.
    valid &= (boxes[:, 0::2] <= width).all(dim=-1) & (boxes[:, 1::2] <= height).all(dim=-1)
    return valid


def sanitize_keypoints(
    key_points: torch.Tensor, canvas_size: tuple[int, int] | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Drop keypoints outside the canvas; for groups of points (``Tensor[N, ..., 2]``), whole groups.

    Args:
        key_points (Tensor[..., 2] | KeyPoints): the points; a plain tensor needs ``canvas_size``.
        canvas_size: ``(height, width)``, plain tensors only.

    Returns:
        (Tensor, Tensor[N] of bool): the points kept and the mask of which were kept.

    Raises:
        ValueError: if ``canvas_size`` is missing for a plain tensor or given with ``KeyPoints``, or the input is
            another tv_tensor.
    """
    if is_pure_tensor(key_points):
        if canvas_size is None:
            raise ValueError(
                "canvas_size cannot be None if key_points is a pure tensor. "
                "Set it to an appropriate value or pass key_points as a tv_tensors.KeyPoints object."
            )
        valid = _valid_keypoints(key_points, canvas_size)
        return key_points[valid], valid
    if not isinstance(key_points, tv_tensors.KeyPoints):
        raise ValueError("key_points must be a tv_tensors.KeyPoints instance or a pure tensor.")
    if canvas_size is not None:
        raise ValueError(
            "canvas_size must be None when key_points is a tv_tensors.KeyPoints instance. "
            f"Got canvas_size={canvas_size}. "
            "Leave it to None or pass key_points as a pure tensor."
        )
    valid = _valid_keypoints(key_points, key_points.canvas_size)
    return tv_tensors.wrap(key_points[valid], like=key_points), valid


def _valid_keypoints(key_points: torch.Tensor, canvas_size: tuple[int, int]) -> torch.Tensor:
    height, width = canvas_size
    x, y = key_points[..., 0], key_points[..., 1]
    inside = (x >= 0) & (x < width) & (y >= 0) & (y < height)
    return inside.flatten(start_dim=1).all(dim=1) if inside.ndim > 1 else inside
