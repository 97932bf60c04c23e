"""v2 geometric functionals that move pixels without warping: flips, resizes, crops (plain, centered, resized, five
and ten) and padding, for images (tensor, ``Image``, PIL), videos, masks, bounding boxes (all six formats) and
keypoints.

Box and keypoint kernels take plain tensors plus the metadata they need and return the new canvas size where it
changes; the dispatchers registered for ``BoundingBoxes`` and ``KeyPoints`` wrap their output back with it. Boxes
that leave the canvas are clamped as their ``clamping_mode`` says (soft, hard or not at all).
"""

from __future__ import annotations

import math
import numbers
import platform
import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import PIL.Image
import PIL.ImageOps
import torch
import torch.nn.functional as nnf

from .... import tv_tensors
from ..._geometry import _pad_tensor as _pad_tensor_v1
from ..._image import _PIL_MODES, InterpolationMode, fill_for_pil
from ._meta import clamp_bounding_boxes, convert_bounding_box_format
from ._utils import _get_kernel, _register_kernel_internal

__all__ = [
    "center_crop",
    "center_crop_bounding_boxes",
    "center_crop_image",
    "center_crop_keypoints",
    "center_crop_mask",
    "center_crop_video",
    "crop",
    "crop_bounding_boxes",
    "crop_image",
    "crop_keypoints",
    "crop_mask",
    "crop_video",
    "five_crop",
    "five_crop_image",
    "five_crop_video",
    "hflip",
    "horizontal_flip",
    "horizontal_flip_bounding_boxes",
    "horizontal_flip_image",
    "horizontal_flip_keypoints",
    "horizontal_flip_mask",
    "horizontal_flip_video",
    "pad",
    "pad_bounding_boxes",
    "pad_image",
    "pad_keypoints",
    "pad_mask",
    "pad_video",
    "resize",
    "resize_bounding_boxes",
    "resize_image",
    "resize_keypoints",
    "resize_mask",
    "resize_video",
    "resized_crop",
    "resized_crop_bounding_boxes",
    "resized_crop_image",
    "resized_crop_keypoints",
    "resized_crop_mask",
    "resized_crop_video",
    "ten_crop",
    "ten_crop_image",
    "ten_crop_video",
    "vertical_flip",
    "vertical_flip_bounding_boxes",
    "vertical_flip_image",
    "vertical_flip_keypoints",
    "vertical_flip_mask",
    "vertical_flip_video",
    "vflip",
]

BoxFormat = tv_tensors.BoundingBoxFormat
ClampingMode = Literal["soft", "hard"] | None
Interpolation = str | InterpolationMode | int
Fill = int | float | Sequence[float] | None

# PIL's resampling codes, in the order torchvision maps them back to modes.
_MODE_OF_PIL_CODE = {
    0: InterpolationMode.NEAREST,
    2: InterpolationMode.BILINEAR,
    3: InterpolationMode.BICUBIC,
    4: InterpolationMode.BOX,
    5: InterpolationMode.HAMMING,
    1: InterpolationMode.LANCZOS,
}
_MODE_OF_NAME = {mode.value: mode for mode in InterpolationMode}
_PADDING_MODES = ("constant", "edge", "reflect", "symmetric")


# ----------------------------------------------------------------------------------------------- argument parsing
def _check_interpolation(interpolation: Interpolation) -> InterpolationMode:
    """The mode named by an ``InterpolationMode``, its string value or a PIL resampling code.

    Raises:
        ValueError: for an unknown string or anything that is neither a mode nor an int.
        KeyError: for an int that is no PIL resampling code.
    """
    if isinstance(interpolation, str):
        if interpolation not in _MODE_OF_NAME:
            raise ValueError(
                f"Invalid interpolation mode: '{interpolation}'. Supported string values are: {list(_MODE_OF_NAME)}."
            )
        return _MODE_OF_NAME[interpolation]
    if isinstance(interpolation, int):
        return _MODE_OF_PIL_CODE[interpolation]
    if not isinstance(interpolation, InterpolationMode):
        raise ValueError(
            "Argument interpolation should be an `InterpolationMode` or a corresponding Pillow integer constant, "
            f"but got {interpolation}."
        )
    return interpolation


def _as_box_format(format: BoxFormat | str) -> BoxFormat:
    return BoxFormat[format.upper()] if isinstance(format, str) else format


def _torch_padding(padding: int | Sequence[int]) -> list[int]:
    """``[left, right, top, bottom]`` (torch's order) from an int, ``[all]``, ``[left/right, top/bottom]`` or
    ``[left, top, right, bottom]`` (PIL's order, the one of the API).

    Raises:
        ValueError: for a sequence of another length. TypeError: for anything else.
    """
    if isinstance(padding, int):
        return [padding] * 4
    if not isinstance(padding, (tuple, list)):
        raise TypeError(f"`padding` should be an integer or tuple or list of integers, but got {padding}")
    if len(padding) == 1:
        return [padding[0]] * 4
    if len(padding) == 2:
        return [padding[0], padding[0], padding[1], padding[1]]
    if len(padding) == 4:
        return [padding[0], padding[2], padding[1], padding[3]]
    raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple or list. Found {len(padding)}")


def _pair_of(size: int | Sequence[int]) -> list[int]:
    """``[h, w]`` of a crop size given as a number, ``[s]`` or ``[h, w]`` (a longer sequence is passed through)."""
    if isinstance(size, numbers.Number):
        return [int(size), int(size)]
    if isinstance(size, (tuple, list)) and len(size) == 1:
        return [size[0], size[0]]
    return list(size)


def _unsqueezed(kernel: Any, mask: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
    """Run an image kernel on a mask, which may lack the channel dimension (``[H, W]``)."""
    if mask.ndim >= 3:
        return kernel(mask, *args, **kwargs)
    return kernel(mask.unsqueeze(0), *args, **kwargs).squeeze(0)


def _wrap_on_canvas(like: tv_tensors.TVTensor, output: tuple[torch.Tensor, tuple[int, int]]) -> tv_tensors.TVTensor:
    """Wrap a box or keypoint kernel's ``(tensor, canvas_size)`` like ``like``, on the new canvas."""
    tensor, canvas_size = output
    return tv_tensors.wrap(tensor, like=like, canvas_size=canvas_size)


def _box_offsets(format: BoxFormat, dx: int, dy: int) -> list[int]:
    """What to add to each box coordinate to move boxes of ``format`` by ``(dx, dy)``."""
    if format == BoxFormat.XYXYXYXY:
        return [dx, dy] * 4
    if format in (BoxFormat.XYWHR, BoxFormat.CXCYWHR):
        return [dx, dy, 0, 0, 0]
    if format == BoxFormat.XYXY:
        return [dx, dy, dx, dy]
    return [dx, dy, 0, 0]


def _clamp_boxes(
    boxes: torch.Tensor, format: BoxFormat, canvas_size: tuple[int, int], clamping_mode: ClampingMode
) -> torch.Tensor:
    return clamp_bounding_boxes(boxes, format=format, canvas_size=canvas_size, clamping_mode=clamping_mode)


def _convert_boxes(boxes: torch.Tensor, old_format: BoxFormat, new_format: BoxFormat) -> torch.Tensor:
    return convert_bounding_box_format(boxes, old_format=old_format, new_format=new_format, inplace=False)


def _parallelogram_to_bounding_boxes(parallelogram: torch.Tensor) -> torch.Tensor:
    """The rectangles closest to parallelograms ``Tensor[..., 8]`` (``x1, y1, ..., x4, y4``), as the same corners.

    The ends of the diagonal from corner 1 to corner 3 stay where they are; the other two corners move so that the
    sides meet at right angles, along the direction of the longer of the sides at corner 1. Integer coordinates are
    computed in float32 and truncated back.
    """
    dtype = parallelogram.dtype
    points = parallelogram if dtype in (torch.float32, torch.float64) else parallelogram.to(torch.float32)
    x1, y1, x2, y2, x3, y3, x4, y4 = points.unbind(-1)
    cx = (x1 + x3) / 2
    cy = (y1 + y3) / 2

    side_12 = torch.sqrt((x2 - x1).pow(2) + (y2 - y1).pow(2))
    side_14 = torch.sqrt((x4 - x1).pow(2) + (y4 - y1).pow(2))
    angle_12 = torch.atan2(y1 - y2, x2 - x1)
    angle_14 = torch.atan2(y1 - y4, x4 - x1)
    corner = angle_12 - angle_14
    sign = torch.where(corner > torch.pi / 2, -1, 1)
    cos, sin = corner.cos(), corner.sin()
    width = torch.where(side_12 < side_14, side_12 * sin, side_12 + side_14 * cos * sign)
    height = torch.where(side_12 > side_14, side_14 * sin, side_14 + side_12 * cos * sign)

    angle = torch.where(side_14 > side_12, angle_14 + torch.pi / 2, angle_12)
    cos, sin = angle.cos(), angle.sin()
    corners = (
        cx - width / 2 * cos - height / 2 * sin,
        cy - height / 2 * cos + width / 2 * sin,
        cx + width / 2 * cos - height / 2 * sin,
        cy - height / 2 * cos - width / 2 * sin,
        cx + width / 2 * cos + height / 2 * sin,
        cy + height / 2 * cos - width / 2 * sin,
        cx - width / 2 * cos + height / 2 * sin,
        cy + height / 2 * cos + width / 2 * sin,
    )
    rectangles = torch.stack(corners, dim=-1).reshape(parallelogram.shape)
    return rectangles if rectangles.dtype == dtype else rectangles.to(dtype)


# ----------------------------------------------------------------------------------------------------------- flips
def horizontal_flip(inpt: torch.Tensor) -> torch.Tensor:
    """Flip left to right; see :class:`~visionkit.transforms.v2.RandomHorizontalFlip`."""
    return _get_kernel(horizontal_flip, type(inpt))(inpt)


@_register_kernel_internal(horizontal_flip, torch.Tensor)
@_register_kernel_internal(horizontal_flip, tv_tensors.Image)
def horizontal_flip_image(image: torch.Tensor) -> torch.Tensor:
    return image.flip(-1)


@_register_kernel_internal(horizontal_flip, PIL.Image.Image)
def _horizontal_flip_image_pil(image: PIL.Image.Image) -> PIL.Image.Image:
    return image.transpose(PIL.Image.Transpose.FLIP_LEFT_RIGHT)


@_register_kernel_internal(horizontal_flip, tv_tensors.Mask)
def horizontal_flip_mask(mask: torch.Tensor) -> torch.Tensor:
    return horizontal_flip_image(mask)


@_register_kernel_internal(horizontal_flip, tv_tensors.Video)
def horizontal_flip_video(video: torch.Tensor) -> torch.Tensor:
    return horizontal_flip_image(video)


def _mirror_keypoints(keypoints: torch.Tensor, axis: int, extent: int) -> torch.Tensor:
    """Keypoints mirrored along coordinate ``axis`` (0: x, 1: y) of a canvas ``extent`` pixels long: pixel centers
    map to pixel centers, so ``x -> extent - 1 - x``."""
    points = keypoints.clone().reshape(-1, 2)
    points[:, axis] = points[:, axis].sub_(extent - 1).neg_()
    return points.reshape(keypoints.shape)


def horizontal_flip_keypoints(keypoints: torch.Tensor, canvas_size: tuple[int, int]) -> torch.Tensor:
    """Keypoints ``Tensor[..., 2]`` (x, y) flipped left to right on a ``(height, width)`` canvas."""
    return _mirror_keypoints(keypoints, 0, canvas_size[1])


@_register_kernel_internal(horizontal_flip, tv_tensors.KeyPoints, tv_tensor_wrapper=False)
def _horizontal_flip_keypoints_dispatch(keypoints: tv_tensors.KeyPoints) -> tv_tensors.KeyPoints:
    output = horizontal_flip_keypoints(keypoints.as_subclass(torch.Tensor), canvas_size=keypoints.canvas_size)
    return tv_tensors.wrap(output, like=keypoints)


def _mirror_boxes(boxes: torch.Tensor, format: BoxFormat, vertical: bool, extent: int) -> torch.Tensor:
    """Boxes of ``format`` mirrored left to right (or top to bottom) on a canvas ``extent`` pixels wide (or high).

    Box edges map to box edges (``x -> extent - x``); rotated boxes get the opposite angle (``180 - angle`` when
    mirrored top to bottom) and keep their corners in order.
    """
    format = _as_box_format(format)
    out = boxes.clone().reshape(-1, boxes.shape[-1])
    along = 1 if vertical else 0  # the coordinate that is mirrored
    if format == BoxFormat.XYXY:
        out[:, [along + 2, along]] = out[:, [along, along + 2]].sub_(extent).neg_()
    elif format == BoxFormat.XYWH:
        out[:, along].add_(out[:, along + 2]).sub_(extent).neg_()
    elif format == BoxFormat.CXCYWH:
        out[:, along].sub_(extent).neg_()
    elif format == BoxFormat.XYXYXYXY:
        out[:, along::2].sub_(extent).neg_()
        out = out[:, [2, 3, 0, 1, 6, 7, 4, 5]]
    elif format == BoxFormat.XYWHR:
        # The mirrored top-left corner is the image of the top-right one: (x + w cos a, y - w sin a).
        angle = out[:, 4].mul(torch.pi).div(180)
        shift_x, shift_y = out[:, 2].mul(angle.cos()), out[:, 2].mul(angle.sin())
        if vertical:
            out[:, 1].sub_(shift_y).sub_(extent).neg_()
            out[:, 0].add_(shift_x)
        else:
            out[:, 0].add_(shift_x).sub_(extent).neg_()
            out[:, 1].sub_(shift_y)
        out[:, 4].neg_()
    else:  # CXCYWHR
        out[:, along].sub_(extent).neg_()
        out[:, 4].neg_()
    if vertical and format in (BoxFormat.XYWHR, BoxFormat.CXCYWHR):
        out[:, 4].add_(180)
    return out.reshape(boxes.shape)


def horizontal_flip_bounding_boxes(
    bounding_boxes: torch.Tensor, format: BoxFormat, canvas_size: tuple[int, int]
) -> torch.Tensor:
    """Boxes of ``format`` flipped left to right on a ``(height, width)`` canvas."""
    return _mirror_boxes(bounding_boxes, format, vertical=False, extent=canvas_size[1])


@_register_kernel_internal(horizontal_flip, tv_tensors.BoundingBoxes, tv_tensor_wrapper=False)
def _horizontal_flip_bounding_boxes_dispatch(inpt: tv_tensors.BoundingBoxes) -> tv_tensors.BoundingBoxes:
    output = horizontal_flip_bounding_boxes(
        inpt.as_subclass(torch.Tensor), format=inpt.format, canvas_size=inpt.canvas_size
    )
    return tv_tensors.wrap(output, like=inpt)


def vertical_flip(inpt: torch.Tensor) -> torch.Tensor:
    """Flip top to bottom; see :class:`~visionkit.transforms.v2.RandomVerticalFlip`."""
    return _get_kernel(vertical_flip, type(inpt))(inpt)


@_register_kernel_internal(vertical_flip, torch.Tensor)
@_register_kernel_internal(vertical_flip, tv_tensors.Image)
def vertical_flip_image(image: torch.Tensor) -> torch.Tensor:
    return image.flip(-2)


@_register_kernel_internal(vertical_flip, PIL.Image.Image)
def _vertical_flip_image_pil(image: PIL.Image.Image) -> PIL.Image.Image:
    return image.transpose(PIL.Image.Transpose.FLIP_TOP_BOTTOM)


@_register_kernel_internal(vertical_flip, tv_tensors.Mask)
def vertical_flip_mask(mask: torch.Tensor) -> torch.Tensor:
    return vertical_flip_image(mask)


@_register_kernel_internal(vertical_flip, tv_tensors.Video)
def vertical_flip_video(video: torch.Tensor) -> torch.Tensor:
    return vertical_flip_image(video)


def vertical_flip_keypoints(keypoints: torch.Tensor, canvas_size: tuple[int, int]) -> torch.Tensor:
    """Keypoints ``Tensor[..., 2]`` (x, y) flipped top to bottom on a ``(height, width)`` canvas."""
    return _mirror_keypoints(keypoints, 1, canvas_size[0])


@_register_kernel_internal(vertical_flip, tv_tensors.KeyPoints, tv_tensor_wrapper=False)
def _vertical_flip_keypoints_dispatch(inpt: tv_tensors.KeyPoints) -> tv_tensors.KeyPoints:
    output = vertical_flip_keypoints(inpt.as_subclass(torch.Tensor), canvas_size=inpt.canvas_size)
    return tv_tensors.wrap(output, like=inpt)


def vertical_flip_bounding_boxes(
    bounding_boxes: torch.Tensor, format: BoxFormat, canvas_size: tuple[int, int]
) -> torch.Tensor:
    """Boxes of ``format`` flipped top to bottom on a ``(height, width)`` canvas."""
    return _mirror_boxes(bounding_boxes, format, vertical=True, extent=canvas_size[0])


@_register_kernel_internal(vertical_flip, tv_tensors.BoundingBoxes, tv_tensor_wrapper=False)
def _vertical_flip_bounding_boxes_dispatch(inpt: tv_tensors.BoundingBoxes) -> tv_tensors.BoundingBoxes:
    output = vertical_flip_bounding_boxes(
        inpt.as_subclass(torch.Tensor), format=inpt.format, canvas_size=inpt.canvas_size
    )
    return tv_tensors.wrap(output, like=inpt)


# The short names are as common as the long ones: aliases, not deprecated.
hflip = horizontal_flip
vflip = vertical_flip


# ---------------------------------------------------------------------------------------------------------- resize
def _resized_output_size(
    canvas_size: tuple[int, int], size: int | Sequence[int] | None, max_size: int | None = None
) -> list[int]:
    """``[height, width]`` after resizing a ``(height, width)`` canvas.

    ``size`` is ``[h, w]``; or one int (or ``[int]``) for the smaller edge, the aspect ratio kept and the longer edge
    capped at ``max_size``; or None to bring the longer edge to ``max_size``.

    Raises:
        ValueError: for ``max_size`` with a ``[h, w]`` size, a ``max_size`` not above the requested smaller edge,
            or no int ``max_size`` when ``size`` is None.
    """
    if isinstance(size, int):
        size = [size]
    elif max_size is not None and size is not None and len(size) != 1:
        raise ValueError(
            "max_size should only be passed if size is None or specifies the length of the smaller edge, "
            "i.e. size should be an int or a sequence of length 1 in torchscript mode."
        )
    height, width = canvas_size
    short, long = (width, height) if width <= height else (height, width)
    if size is None:
        if not isinstance(max_size, int):
            raise ValueError(f"max_size must be an integer when size is None, but got {max_size} instead.")
        new_short, new_long = int(max_size * short / long), max_size
    elif len(size) == 1:
        requested = size[0]
        new_short, new_long = requested, int(requested * long / short)
        if max_size is not None:
            if max_size <= requested:
                raise ValueError(
                    f"max_size = {max_size} must be strictly greater than the requested "
                    f"size for the smaller edge size = {size}"
                )
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
    else:
        return [size[0], size[1]]
    return [new_long, new_short] if width <= height else [new_short, new_long]


def resize(
    inpt: torch.Tensor,
    size: list[int] | None,
    interpolation: Interpolation = InterpolationMode.BILINEAR,
    max_size: int | None = None,
    antialias: bool | None = True,
) -> torch.Tensor:
    """Resize to ``size``; see :class:`~visionkit.transforms.v2.Resize`."""
    return _get_kernel(resize, type(inpt))(
        inpt, size=size, interpolation=interpolation, max_size=max_size, antialias=antialias
    )


def _native_uint8_resize(interpolation: InterpolationMode) -> bool:
    """Whether torch interpolates uint8 CPU images in this mode itself (exactly, and faster than through float):
    bicubic always; bilinear where its vectorized uint8 path exists (AVX2, AVX512, ARM)."""
    if interpolation == InterpolationMode.BILINEAR:
        if torch.compiler.is_compiling():
            return True
        return torch.backends.cpu.get_cpu_capability() in ("AVX2", "AVX512") or platform.machine() in (
            "aarch64",
            "arm64",
        )
    return interpolation in (InterpolationMode.BICUBIC, InterpolationMode.LANCZOS)


def _as_channels_last_batch(batch: torch.Tensor, numel: int) -> torch.Tensor:
    """Restride a channels-last ``[1, C, H, W]`` batch so that ``interpolate`` keeps channels last for its output
    (torch allocates it contiguous otherwise: pytorch/pytorch#68430), which also spares uint8 bilinear a copy."""
    strides = list(batch.stride())
    if batch.shape[0] == 1 and batch.is_contiguous(memory_format=torch.channels_last) and strides[0] != numel:
        strides[0] = numel
        return batch.as_strided(batch.shape, strides)
    return batch


@_register_kernel_internal(resize, torch.Tensor)
@_register_kernel_internal(resize, tv_tensors.Image)
def resize_image(
    image: torch.Tensor,
    size: list[int] | None,
    interpolation: Interpolation = InterpolationMode.BILINEAR,
    max_size: int | None = None,
    antialias: bool | None = True,
) -> torch.Tensor:
    """Resize a ``Tensor[..., C, H, W]``.

    Bilinear, bicubic and lanczos interpolate with ``align_corners=False`` and antialias when asked to; the nearest
    modes never do. Dtypes torch cannot interpolate in are computed in float32, rounded back for integer dtypes
    (clamped first for bicubic and lanczos on uint8).

    Raises:
        ValueError: for an unknown interpolation, lanczos without antialias, or an invalid ``size``/``max_size``.
    """
    interpolation = _check_interpolation(interpolation)
    smooth = interpolation in (InterpolationMode.BILINEAR, InterpolationMode.BICUBIC, InterpolationMode.LANCZOS)
    antialias = bool(antialias) and smooth
    if interpolation == InterpolationMode.LANCZOS and not antialias:
        raise ValueError("InterpolationMode.LANCZOS requires antialias=True")

    shape = image.shape
    numel = image.numel()
    channels, old_height, old_width = shape[-3:]
    new_height, new_width = _resized_output_size((old_height, old_width), size=size, max_size=max_size)
    if (new_height, new_width) == (old_height, old_width):
        return image
    if numel > 0:
        dtype = image.dtype
        native = dtype in (torch.float32, torch.float64)
        if dtype == torch.uint8:
            nearest = interpolation in (InterpolationMode.NEAREST, InterpolationMode.NEAREST_EXACT)
            native = nearest or (image.device.type == "cpu" and _native_uint8_resize(interpolation))
        image = _as_channels_last_batch(image.reshape(-1, channels, old_height, old_width), numel)
        if not native:
            image = image.to(dtype=torch.float32)
        image = nnf.interpolate(
            image,
            size=[new_height, new_width],
            mode=interpolation.value,
            align_corners=False if smooth else None,
            antialias=antialias,
        )
        if not native:
            if dtype == torch.uint8 and interpolation in (InterpolationMode.BICUBIC, InterpolationMode.LANCZOS):
                image = image.clamp_(min=0, max=255)
            if dtype in (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64):
                image = image.round_()
            image = image.to(dtype=dtype)
    return image.reshape((*shape[:-3], channels, new_height, new_width))


def _resize_image_pil(
    image: PIL.Image.Image,
    size: int | Sequence[int] | None,
    interpolation: Interpolation = InterpolationMode.BILINEAR,
    max_size: int | None = None,
) -> PIL.Image.Image:
    new_height, new_width = _resized_output_size((image.height, image.width), size=size, max_size=max_size)
    interpolation = _check_interpolation(interpolation)
    if (new_height, new_width) == (image.height, image.width):
        return image
    return image.resize((new_width, new_height), resample=_PIL_MODES[interpolation])


def _warn_antialias_ignored(antialias: bool | None) -> None:
    if antialias is False:
        warnings.warn(
            "Anti-alias option is always applied for PIL Image input. Argument antialias is ignored.", stacklevel=3
        )


@_register_kernel_internal(resize, PIL.Image.Image)
def _resize_image_pil_dispatch(
    image: PIL.Image.Image,
    size: int | Sequence[int] | None,
    interpolation: Interpolation = InterpolationMode.BILINEAR,
    max_size: int | None = None,
    antialias: bool | None = True,
) -> PIL.Image.Image:
    _warn_antialias_ignored(antialias)
    return _resize_image_pil(image, size=size, interpolation=interpolation, max_size=max_size)


def resize_mask(
    mask: torch.Tensor,
    size: list[int] | None,
    interpolation: Interpolation = InterpolationMode.BILINEAR,
    max_size: int | None = None,
) -> torch.Tensor:
    """Resize a mask ``Tensor[..., H, W]``; masks only take the nearest modes (any other becomes NEAREST)."""
    interpolation = _check_interpolation(interpolation)
    if interpolation not in (InterpolationMode.NEAREST, InterpolationMode.NEAREST_EXACT):
        interpolation = InterpolationMode.NEAREST
    return _unsqueezed(resize_image, mask, size=size, interpolation=interpolation, max_size=max_size)


@_register_kernel_internal(resize, tv_tensors.Mask, tv_tensor_wrapper=False)
def _resize_mask_dispatch(
    inpt: tv_tensors.Mask,
    size: list[int] | None,
    interpolation: Interpolation = InterpolationMode.BILINEAR,
    max_size: int | None = None,
    **kwargs: Any,
) -> tv_tensors.Mask:
    output = resize_mask(inpt.as_subclass(torch.Tensor), size, interpolation=interpolation, max_size=max_size)
    return tv_tensors.wrap(output, like=inpt)


@_register_kernel_internal(resize, tv_tensors.Video)
def resize_video(
    video: torch.Tensor,
    size: list[int] | None,
    interpolation: Interpolation = InterpolationMode.BILINEAR,
    max_size: int | None = None,
    antialias: bool | None = True,
) -> torch.Tensor:
    return resize_image(video, size=size, interpolation=interpolation, max_size=max_size, antialias=antialias)


def resize_keypoints(
    keypoints: torch.Tensor,
    size: list[int] | None,
    canvas_size: tuple[int, int],
    max_size: int | None = None,
) -> tuple[torch.Tensor, tuple[int, int]]:
    """Keypoints scaled with their canvas; returns them and the new ``(height, width)``."""
    new_height, new_width = _resized_output_size(canvas_size, size=size, max_size=max_size)
    if (new_height, new_width) == tuple(canvas_size):
        return keypoints, canvas_size
    scale = torch.tensor([new_width / canvas_size[1], new_height / canvas_size[0]], device=keypoints.device)
    return keypoints.mul(scale).to(keypoints.dtype), (new_height, new_width)


@_register_kernel_internal(resize, tv_tensors.KeyPoints, tv_tensor_wrapper=False)
def _resize_keypoints_dispatch(
    keypoints: tv_tensors.KeyPoints, size: list[int] | None, max_size: int | None = None, **kwargs: Any
) -> tv_tensors.KeyPoints:
    output = resize_keypoints(
        keypoints.as_subclass(torch.Tensor), size, canvas_size=keypoints.canvas_size, max_size=max_size
    )
    return _wrap_on_canvas(keypoints, output)


def resize_bounding_boxes(
    bounding_boxes: torch.Tensor,
    canvas_size: tuple[int, int],
    size: list[int] | None,
    max_size: int | None = None,
    format: BoxFormat = BoxFormat.XYXY,
    clamping_mode: ClampingMode = "soft",
) -> tuple[torch.Tensor, tuple[int, int]]:
    """Boxes scaled with their canvas; returns them and the new ``(height, width)``.

    A non-uniform scale skews rotated boxes into parallelograms: they are squared back into rectangles (see
    :func:`_parallelogram_to_bounding_boxes`) and clamped to the new canvas.
    """
    format = _as_box_format(format)
    new_height, new_width = _resized_output_size(canvas_size, size=size, max_size=max_size)
    if (new_height, new_width) == tuple(canvas_size):
        return bounding_boxes, canvas_size
    new_canvas = (new_height, new_width)
    scale_x, scale_y = new_width / canvas_size[1], new_height / canvas_size[0]
    if not tv_tensors.is_rotated_bounding_format(format):
        scale = torch.tensor([scale_x, scale_y, scale_x, scale_y], device=bounding_boxes.device)
        return bounding_boxes.mul(scale).to(bounding_boxes.dtype), new_canvas

    corners = _convert_boxes(bounding_boxes, format, BoxFormat.XYXYXYXY).reshape(-1, 8)
    scale = torch.tensor([scale_x, scale_y] * 4, device=bounding_boxes.device)
    rectangles = _parallelogram_to_bounding_boxes(corners.mul(scale))
    rectangles = _clamp_boxes(rectangles, BoxFormat.XYXYXYXY, new_canvas, clamping_mode)
    output = _convert_boxes(rectangles, BoxFormat.XYXYXYXY, format)
    return output.to(bounding_boxes.dtype).reshape(bounding_boxes.shape), new_canvas


@_register_kernel_internal(resize, tv_tensors.BoundingBoxes, tv_tensor_wrapper=False)
def _resize_bounding_boxes_dispatch(
    inpt: tv_tensors.BoundingBoxes, size: list[int] | None, max_size: int | None = None, **kwargs: Any
) -> tv_tensors.BoundingBoxes:
    output = resize_bounding_boxes(
        inpt.as_subclass(torch.Tensor),
        format=inpt.format,
        canvas_size=inpt.canvas_size,
        size=size,
        max_size=max_size,
        clamping_mode=inpt.clamping_mode,
    )
    return _wrap_on_canvas(inpt, output)


# ------------------------------------------------------------------------------------------------------------- pad
def pad(
    inpt: torch.Tensor,
    padding: list[int],
    fill: Fill = None,
    padding_mode: str = "constant",
) -> torch.Tensor:
    """Pad the borders; see :class:`~visionkit.transforms.v2.Pad`."""
    return _get_kernel(pad, type(inpt))(inpt, padding=padding, fill=fill, padding_mode=padding_mode)


def _pad_with_value(image: torch.Tensor, torch_padding: list[int], fill: float, padding_mode: str) -> torch.Tensor:
    """Pad ``Tensor[..., C, H, W]`` by ``[left, right, top, bottom]`` (negative crops) with a scalar ``fill`` or
    by ``edge`` / ``reflect`` / ``symmetric`` padding."""
    shape = image.shape
    channels, height, width = shape[-3:]
    # The batch size spelled out: -1 is ambiguous for empty images.
    batch = image.reshape(math.prod(shape[:-3]), channels, height, width)
    if padding_mode == "constant":
        batch = nnf.pad(batch, torch_padding, mode="constant", value=float(fill))
    elif padding_mode == "symmetric":
        left, right, top, bottom = torch_padding
        batch = _pad_tensor_v1(batch, (left, top, right, bottom), 0.0, "symmetric")
    else:
        # torch only reflects and replicates floating point tensors.
        as_float = batch if batch.is_floating_point() else batch.to(torch.float32)
        mode = "replicate" if padding_mode == "edge" else "reflect"
        batch = nnf.pad(as_float, torch_padding, mode=mode).to(batch.dtype)
    return batch.reshape((*shape[:-3], channels, *batch.shape[-2:]))


def _pad_with_colors(image: torch.Tensor, torch_padding: list[int], fill: Sequence[float]) -> torch.Tensor:
    """Constant padding with one value per channel."""
    output = _pad_with_value(image, torch_padding, fill=0, padding_mode="constant")
    left, right, top, bottom = torch_padding
    # Through the autodetected dtype: a float fill of an integer image is truncated like a cast, not refused.
    colors = torch.tensor(fill, device=image.device).to(dtype=image.dtype).reshape(-1, 1, 1)
    if top > 0:
        output[..., :top, :] = colors
    if left > 0:
        output[..., :, :left] = colors
    if bottom > 0:
        output[..., -bottom:, :] = colors
    if right > 0:
        output[..., :, -right:] = colors
    return output


@_register_kernel_internal(pad, torch.Tensor)
@_register_kernel_internal(pad, tv_tensors.Image)
def pad_image(
    image: torch.Tensor,
    padding: list[int],
    fill: Fill = None,
    padding_mode: str = "constant",
) -> torch.Tensor:
    """Pad a ``Tensor[..., C, H, W]`` by ``padding`` (an int, ``[all]``, ``[left/right, top/bottom]`` or ``[left,
    top, right, bottom]``; negative values crop).

    Args:
        fill: the value of ``constant`` padding: a number, or one per channel; None is 0.
        padding_mode: ``constant``, ``edge``, ``reflect`` or ``symmetric``.

    Raises:
        ValueError: for a bad padding length or mode, or a per-channel fill with another mode than constant.
        TypeError: for a padding that is neither an int nor a sequence.
    """
    torch_padding = _torch_padding(padding)
    if padding_mode not in _PADDING_MODES:
        raise ValueError(
            "`padding_mode` should be either `'constant'`, `'edge'`, `'reflect'` or `'symmetric'`, "
            f"but got `'{padding_mode}'`."
        )
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)):
        return _pad_with_value(image, torch_padding, fill=fill, padding_mode=padding_mode)
    if len(fill) == 1:
        return _pad_with_value(image, torch_padding, fill=fill[0], padding_mode=padding_mode)
    if padding_mode != "constant":
        raise ValueError(f"Padding mode '{padding_mode}' is not supported if fill is not scalar")
    return _pad_with_colors(image, torch_padding, fill)


@_register_kernel_internal(pad, PIL.Image.Image)
def _pad_image_pil(
    image: PIL.Image.Image,
    padding: int | Sequence[int],
    fill: Fill = 0,
    padding_mode: str = "constant",
) -> PIL.Image.Image:
    if not isinstance(image, PIL.Image.Image):
        raise TypeError(f"img should be PIL Image. Got {type(image)}")
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if fill is not None and not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
    if padding_mode not in _PADDING_MODES:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")

    if padding_mode == "constant":
        border = padding[0] if isinstance(padding, (tuple, list)) and len(padding) == 1 else padding
        border = tuple(border) if isinstance(border, list) else border
        palette = image.getpalette() if image.mode == "P" else None
        padded = PIL.ImageOps.expand(image, border=border, **fill_for_pil(fill, image))
        if palette is not None:
            padded.putpalette(palette)
        return padded

    left, right, top, bottom = _torch_padding(padding)
    # Negative padding crops first; numpy pads with the rest.
    if min(left, right, top, bottom) < 0:
        image = image.crop((max(-left, 0), max(-top, 0), image.width - max(-right, 0), image.height - max(-bottom, 0)))
    left, right, top, bottom = (max(p, 0) for p in (left, right, top, bottom))
    array = np.asarray(image)
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (array.ndim - 2)
    if image.mode == "P":
        padded = PIL.Image.fromarray(np.pad(array, widths, mode=padding_mode))
        padded.putpalette(image.getpalette())
        return padded
    return PIL.Image.fromarray(np.pad(array, widths, mode=padding_mode))


@_register_kernel_internal(pad, tv_tensors.Mask)
def pad_mask(
    mask: torch.Tensor,
    padding: list[int],
    fill: int | float | None = None,
    padding_mode: str = "constant",
) -> torch.Tensor:
    """Pad a mask ``Tensor[..., H, W]``; the fill must be one number.

    Raises:
        ValueError: for a sequence fill, and as :func:`pad_image`.
    """
    if fill is None:
        fill = 0
    if isinstance(fill, (tuple, list)):
        raise ValueError("Non-scalar fill value is not supported")
    return _unsqueezed(pad_image, mask, padding=padding, fill=fill, padding_mode=padding_mode)


@_register_kernel_internal(pad, tv_tensors.Video)
def pad_video(
    video: torch.Tensor,
    padding: list[int],
    fill: Fill = None,
    padding_mode: str = "constant",
) -> torch.Tensor:
    return pad_image(video, padding, fill=fill, padding_mode=padding_mode)


def pad_keypoints(
    keypoints: torch.Tensor, canvas_size: tuple[int, int], padding: list[int], padding_mode: str = "constant"
) -> tuple[torch.Tensor, tuple[int, int]]:
    """Keypoints moved onto the padded canvas; returns them and its ``(height, width)``.

    Raises:
        ValueError: for a padding mode other than ``constant``.
    """
    if padding_mode != "constant":
        raise ValueError(
            f"Padding mode '{padding_mode}' is not supported with KeyPoints (supported modes are constant)"
        )
    left, right, top, bottom = _torch_padding(padding)
    offset = torch.tensor([left, top], dtype=keypoints.dtype, device=keypoints.device)
    return keypoints + offset, (canvas_size[0] + top + bottom, canvas_size[1] + left + right)


@_register_kernel_internal(pad, tv_tensors.KeyPoints, tv_tensor_wrapper=False)
def _pad_keypoints_dispatch(
    keypoints: tv_tensors.KeyPoints, padding: list[int], padding_mode: str = "constant", **kwargs: Any
) -> tv_tensors.KeyPoints:
    output = pad_keypoints(
        keypoints.as_subclass(torch.Tensor),
        canvas_size=keypoints.canvas_size,
        padding=padding,
        padding_mode=padding_mode,
    )
    return _wrap_on_canvas(keypoints, output)


def pad_bounding_boxes(
    bounding_boxes: torch.Tensor,
    format: BoxFormat,
    canvas_size: tuple[int, int],
    padding: list[int],
    padding_mode: str = "constant",
    clamping_mode: ClampingMode = "soft",
) -> tuple[torch.Tensor, tuple[int, int]]:
    """Boxes moved onto the padded canvas (and clamped to it, as negative padding crops); returns them and its
    ``(height, width)``.

    Raises:
        ValueError: for a padding mode other than ``constant``.
    """
    if padding_mode != "constant":
        raise ValueError(f"Padding mode '{padding_mode}' is not supported with bounding boxes")
    format = _as_box_format(format)
    left, right, top, bottom = _torch_padding(padding)
    offsets = torch.tensor(_box_offsets(format, left, top), dtype=bounding_boxes.dtype, device=bounding_boxes.device)
    new_canvas = (canvas_size[0] + top + bottom, canvas_size[1] + left + right)
    return _clamp_boxes(bounding_boxes + offsets, format, new_canvas, clamping_mode), new_canvas


@_register_kernel_internal(pad, tv_tensors.BoundingBoxes, tv_tensor_wrapper=False)
def _pad_bounding_boxes_dispatch(
    inpt: tv_tensors.BoundingBoxes, padding: list[int], padding_mode: str = "constant", **kwargs: Any
) -> tv_tensors.BoundingBoxes:
    output = pad_bounding_boxes(
        inpt.as_subclass(torch.Tensor),
        format=inpt.format,
        canvas_size=inpt.canvas_size,
        padding=padding,
        padding_mode=padding_mode,
        clamping_mode=inpt.clamping_mode,
    )
    return _wrap_on_canvas(inpt, output)


# ------------------------------------------------------------------------------------------------------------ crop
def crop(inpt: torch.Tensor, top: int, left: int, height: int, width: int) -> torch.Tensor:
    """Crop the ``height x width`` window at ``(top, left)``; see :class:`~visionkit.transforms.v2.RandomCrop`."""
    return _get_kernel(crop, type(inpt))(inpt, top=top, left=left, height=height, width=width)


@_register_kernel_internal(crop, torch.Tensor)
@_register_kernel_internal(crop, tv_tensors.Image)
def crop_image(image: torch.Tensor, top: int, left: int, height: int, width: int) -> torch.Tensor:
    """The ``height x width`` window of a ``Tensor[..., C, H, W]`` at ``(top, left)``; what lies outside the image
    is 0."""
    image_height, image_width = image.shape[-2:]
    right, bottom = left + width, top + height
    if left >= 0 and top >= 0 and right <= image_width and bottom <= image_height:
        return image[..., top:bottom, left:right]
    inside = image[..., max(top, 0) : bottom, max(left, 0) : right]
    torch_padding = [
        max(min(right, 0) - left, 0),
        max(right - max(image_width, left), 0),
        max(min(bottom, 0) - top, 0),
        max(bottom - max(image_height, top), 0),
    ]
    return _pad_with_value(inside, torch_padding, fill=0, padding_mode="constant")


@_register_kernel_internal(crop, PIL.Image.Image)
def _crop_image_pil(image: PIL.Image.Image, top: int, left: int, height: int, width: int) -> PIL.Image.Image:
    if not isinstance(image, PIL.Image.Image):
        raise TypeError(f"img should be PIL Image. Got {type(image)}")
    return image.crop((left, top, left + width, top + height))


@_register_kernel_internal(crop, tv_tensors.Mask)
def crop_mask(mask: torch.Tensor, top: int, left: int, height: int, width: int) -> torch.Tensor:
    return _unsqueezed(crop_image, mask, top, left, height, width)


@_register_kernel_internal(crop, tv_tensors.Video)
def crop_video(video: torch.Tensor, top: int, left: int, height: int, width: int) -> torch.Tensor:
    return crop_image(video, top, left, height, width)


def crop_keypoints(
    keypoints: torch.Tensor, top: int, left: int, height: int, width: int
) -> tuple[torch.Tensor, tuple[int, int]]:
    """Keypoints relative to the window at ``(top, left)``, and its ``(height, width)`` (nothing is dropped)."""
    offset = torch.tensor([left, top], dtype=keypoints.dtype, device=keypoints.device)
    return keypoints - offset, (height, width)


@_register_kernel_internal(crop, tv_tensors.KeyPoints, tv_tensor_wrapper=False)
def _crop_keypoints_dispatch(
    inpt: tv_tensors.KeyPoints, top: int, left: int, height: int, width: int
) -> tv_tensors.KeyPoints:
    output = crop_keypoints(inpt.as_subclass(torch.Tensor), top=top, left=left, height=height, width=width)
    return _wrap_on_canvas(inpt, output)


def crop_bounding_boxes(
    bounding_boxes: torch.Tensor,
    format: BoxFormat,
    top: int,
    left: int,
    height: int,
    width: int,
    clamping_mode: ClampingMode = "soft",
) -> tuple[torch.Tensor, tuple[int, int]]:
    """Boxes relative to the window at ``(top, left)``, clamped to it; returns them and its ``(height, width)``."""
    format = _as_box_format(format)
    offsets = torch.tensor(_box_offsets(format, left, top), dtype=bounding_boxes.dtype, device=bounding_boxes.device)
    boxes = bounding_boxes - offsets
    if format == BoxFormat.XYXYXYXY:
        boxes = _parallelogram_to_bounding_boxes(boxes)
    return _clamp_boxes(boxes, format, (height, width), clamping_mode), (height, width)


@_register_kernel_internal(crop, tv_tensors.BoundingBoxes, tv_tensor_wrapper=False)
def _crop_bounding_boxes_dispatch(
    inpt: tv_tensors.BoundingBoxes, top: int, left: int, height: int, width: int
) -> tv_tensors.BoundingBoxes:
    output = crop_bounding_boxes(
        inpt.as_subclass(torch.Tensor),
        format=inpt.format,
        top=top,
        left=left,
        height=height,
        width=width,
        clamping_mode=inpt.clamping_mode,
    )
    return _wrap_on_canvas(inpt, output)


# ----------------------------------------------------------------------------------------------------- center crop
def center_crop(inpt: torch.Tensor, output_size: list[int]) -> torch.Tensor:
    """Crop the center; see :class:`~visionkit.transforms.v2.CenterCrop`."""
    return _get_kernel(center_crop, type(inpt))(inpt, output_size=output_size)


def _center_crop_padding(crop_height: int, crop_width: int, height: int, width: int) -> list[int]:
    """``[left, top, right, bottom]`` padding that makes an image at least as large as the crop, centered (the odd
    pixel goes right and bottom)."""
    extra_width, extra_height = max(crop_width - width, 0), max(crop_height - height, 0)
    return [extra_width // 2, extra_height // 2, (extra_width + 1) // 2, (extra_height + 1) // 2]


def _center_crop_anchor(crop_height: int, crop_width: int, height: int, width: int) -> tuple[int, int]:
    """``(top, left)`` of the centered crop (halves rounded half to even, as Python's ``round``)."""
    return round((height - crop_height) / 2.0), round((width - crop_width) / 2.0)


@_register_kernel_internal(center_crop, torch.Tensor)
@_register_kernel_internal(center_crop, tv_tensors.Image)
def center_crop_image(image: torch.Tensor, output_size: list[int]) -> torch.Tensor:
    """The centered ``output_size`` window of a ``Tensor[..., H, W]``; a smaller image is padded with 0 first."""
    crop_height, crop_width = _pair_of(output_size)
    shape = image.shape
    if image.numel() == 0:
        return image.reshape((*shape[:-2], crop_height, crop_width))
    height, width = shape[-2:]
    if crop_height > height or crop_width > width:
        image = nnf.pad(image, _torch_padding(_center_crop_padding(crop_height, crop_width, height, width)), value=0.0)
        height, width = image.shape[-2:]
        if (crop_height, crop_width) == (height, width):
            return image
    top, left = _center_crop_anchor(crop_height, crop_width, height, width)
    return image[..., top : top + crop_height, left : left + crop_width]


@_register_kernel_internal(center_crop, PIL.Image.Image)
def _center_crop_image_pil(image: PIL.Image.Image, output_size: list[int]) -> PIL.Image.Image:
    crop_height, crop_width = _pair_of(output_size)
    if crop_height > image.height or crop_width > image.width:
        image = _pad_image_pil(image, _center_crop_padding(crop_height, crop_width, image.height, image.width), fill=0)
        if (crop_height, crop_width) == (image.height, image.width):
            return image
    top, left = _center_crop_anchor(crop_height, crop_width, image.height, image.width)
    return _crop_image_pil(image, top, left, crop_height, crop_width)


@_register_kernel_internal(center_crop, tv_tensors.Mask)
def center_crop_mask(mask: torch.Tensor, output_size: list[int]) -> torch.Tensor:
    return _unsqueezed(center_crop_image, mask, output_size=output_size)


@_register_kernel_internal(center_crop, tv_tensors.Video)
def center_crop_video(video: torch.Tensor, output_size: list[int]) -> torch.Tensor:
    return center_crop_image(video, output_size)


def center_crop_keypoints(
    inpt: torch.Tensor, canvas_size: tuple[int, int], output_size: list[int]
) -> tuple[torch.Tensor, tuple[int, int]]:
    """Keypoints relative to the centered ``output_size`` window; returns them and its ``(height, width)``."""
    crop_height, crop_width = _pair_of(output_size)
    top, left = _center_crop_anchor(crop_height, crop_width, *canvas_size)
    return crop_keypoints(inpt, top=top, left=left, height=crop_height, width=crop_width)


@_register_kernel_internal(center_crop, tv_tensors.KeyPoints, tv_tensor_wrapper=False)
def _center_crop_keypoints_dispatch(inpt: tv_tensors.KeyPoints, output_size: list[int]) -> tv_tensors.KeyPoints:
    output = center_crop_keypoints(
        inpt.as_subclass(torch.Tensor), canvas_size=inpt.canvas_size, output_size=output_size
    )
    return _wrap_on_canvas(inpt, output)


def center_crop_bounding_boxes(
    bounding_boxes: torch.Tensor,
    format: BoxFormat,
    canvas_size: tuple[int, int],
    output_size: list[int],
    clamping_mode: ClampingMode = "soft",
) -> tuple[torch.Tensor, tuple[int, int]]:
    """Boxes relative to the centered ``output_size`` window, clamped to it; returns them and its size."""
    crop_height, crop_width = _pair_of(output_size)
    top, left = _center_crop_anchor(crop_height, crop_width, *canvas_size)
    return crop_bounding_boxes(
        bounding_boxes, format, top=top, left=left, height=crop_height, width=crop_width, clamping_mode=clamping_mode
    )


@_register_kernel_internal(center_crop, tv_tensors.BoundingBoxes, tv_tensor_wrapper=False)
def _center_crop_bounding_boxes_dispatch(
    inpt: tv_tensors.BoundingBoxes, output_size: list[int]
) -> tv_tensors.BoundingBoxes:
    output = center_crop_bounding_boxes(
        inpt.as_subclass(torch.Tensor),
        format=inpt.format,
        canvas_size=inpt.canvas_size,
        output_size=output_size,
        clamping_mode=inpt.clamping_mode,
    )
    return _wrap_on_canvas(inpt, output)


# ---------------------------------------------------------------------------------------------------- resized crop
def resized_crop(
    inpt: torch.Tensor,
    top: int,
    left: int,
    height: int,
    width: int,
    size: list[int],
    interpolation: Interpolation = InterpolationMode.BILINEAR,
    antialias: bool | None = True,
) -> torch.Tensor:
    """Crop, then resize to ``size``; see :class:`~visionkit.transforms.v2.RandomResizedCrop`."""
    return _get_kernel(resized_crop, type(inpt))(
        inpt,
        top=top,
        left=left,
        height=height,
        width=width,
        size=size,
        interpolation=interpolation,
        antialias=antialias,
    )


@_register_kernel_internal(resized_crop, torch.Tensor)
@_register_kernel_internal(resized_crop, tv_tensors.Image)
def resized_crop_image(
    image: torch.Tensor,
    top: int,
    left: int,
    height: int,
    width: int,
    size: list[int],
    interpolation: Interpolation = InterpolationMode.BILINEAR,
    antialias: bool | None = True,
) -> torch.Tensor:
    cropped = crop_image(image, top, left, height, width)
    return resize_image(cropped, size, interpolation=interpolation, antialias=antialias)


@_register_kernel_internal(resized_crop, PIL.Image.Image)
def _resized_crop_image_pil_dispatch(
    image: PIL.Image.Image,
    top: int,
    left: int,
    height: int,
    width: int,
    size: list[int],
    interpolation: Interpolation = InterpolationMode.BILINEAR,
    antialias: bool | None = True,
) -> PIL.Image.Image:
    _warn_antialias_ignored(antialias)
    cropped = _crop_image_pil(image, top, left, height, width)
    return _resize_image_pil(cropped, size, interpolation=interpolation)


def resized_crop_mask(
    mask: torch.Tensor, top: int, left: int, height: int, width: int, size: list[int]
) -> torch.Tensor:
    return resize_mask(crop_mask(mask, top, left, height, width), size)


@_register_kernel_internal(resized_crop, tv_tensors.Mask, tv_tensor_wrapper=False)
def _resized_crop_mask_dispatch(
    inpt: tv_tensors.Mask, top: int, left: int, height: int, width: int, size: list[int], **kwargs: Any
) -> tv_tensors.Mask:
    output = resized_crop_mask(
        inpt.as_subclass(torch.Tensor), top=top, left=left, height=height, width=width, size=size
    )
    return tv_tensors.wrap(output, like=inpt)


@_register_kernel_internal(resized_crop, tv_tensors.Video)
def resized_crop_video(
    video: torch.Tensor,
    top: int,
    left: int,
    height: int,
    width: int,
    size: list[int],
    interpolation: Interpolation = InterpolationMode.BILINEAR,
    antialias: bool | None = True,
) -> torch.Tensor:
    return resized_crop_image(video, top, left, height, width, size, interpolation=interpolation, antialias=antialias)


def resized_crop_keypoints(
    keypoints: torch.Tensor, top: int, left: int, height: int, width: int, size: list[int]
) -> tuple[torch.Tensor, tuple[int, int]]:
    """Keypoints through :func:`crop_keypoints` then :func:`resize_keypoints`."""
    keypoints, canvas_size = crop_keypoints(keypoints, top, left, height, width)
    return resize_keypoints(keypoints, size=size, canvas_size=canvas_size)


@_register_kernel_internal(resized_crop, tv_tensors.KeyPoints, tv_tensor_wrapper=False)
def _resized_crop_keypoints_dispatch(
    inpt: tv_tensors.KeyPoints, top: int, left: int, height: int, width: int, size: list[int], **kwargs: Any
) -> tv_tensors.KeyPoints:
    output = resized_crop_keypoints(
        inpt.as_subclass(torch.Tensor), top=top, left=left, height=height, width=width, size=size
    )
    return _wrap_on_canvas(inpt, output)


def resized_crop_bounding_boxes(
    bounding_boxes: torch.Tensor,
    format: BoxFormat,
    top: int,
    left: int,
    height: int,
    width: int,
    size: list[int],
    clamping_mode: ClampingMode = "soft",
) -> tuple[torch.Tensor, tuple[int, int]]:
    """Boxes through :func:`crop_bounding_boxes` then :func:`resize_bounding_boxes`."""
    boxes, canvas_size = crop_bounding_boxes(bounding_boxes, format, top, left, height, width, clamping_mode)
    return resize_bounding_boxes(boxes, format=format, canvas_size=canvas_size, size=size, clamping_mode=clamping_mode)


@_register_kernel_internal(resized_crop, tv_tensors.BoundingBoxes, tv_tensor_wrapper=False)
def _resized_crop_bounding_boxes_dispatch(
    inpt: tv_tensors.BoundingBoxes, top: int, left: int, height: int, width: int, size: list[int], **kwargs: Any
) -> tv_tensors.BoundingBoxes:
    output = resized_crop_bounding_boxes(
        inpt.as_subclass(torch.Tensor),
        format=inpt.format,
        top=top,
        left=left,
        height=height,
        width=width,
        size=size,
        clamping_mode=inpt.clamping_mode,
    )
    return _wrap_on_canvas(inpt, output)


# ------------------------------------------------------------------------------------------------ five / ten crop
def five_crop(inpt: torch.Tensor, size: list[int]) -> tuple[torch.Tensor, ...]:
    """The four corner crops and the center crop; see :class:`~visionkit.transforms.v2.FiveCrop`."""
    return _get_kernel(five_crop, type(inpt))(inpt, size=size)


def _five_crop_size(size: int | Sequence[int], height: int, width: int) -> tuple[int, int]:
    """``(h, w)`` of each of the five crops.

    Raises:
        ValueError: unless ``size`` gives two dimensions that fit in the image.
    """
    crop_size = _pair_of(size)
    if len(crop_size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    crop_height, crop_width = crop_size
    if crop_width > width or crop_height > height:
        raise ValueError(f"Requested crop size {size} is bigger than input size {(height, width)}")
    return crop_height, crop_width


def _corner_anchors(crop_height: int, crop_width: int, height: int, width: int) -> list[tuple[int, int]]:
    """``(top, left)`` of the top-left, top-right, bottom-left and bottom-right crops."""
    bottom, right = height - crop_height, width - crop_width
    return [(0, 0), (0, right), (bottom, 0), (bottom, right)]


@_register_kernel_internal(five_crop, torch.Tensor, each=True)
@_register_kernel_internal(five_crop, tv_tensors.Image, each=True)
def five_crop_image(image: torch.Tensor, size: list[int]) -> tuple[torch.Tensor, ...]:
    """``(top_left, top_right, bottom_left, bottom_right, center)`` crops of ``size`` of a ``Tensor[..., H, W]``."""
    height, width = image.shape[-2:]
    crop_height, crop_width = _five_crop_size(size, height, width)
    corners = _corner_anchors(crop_height, crop_width, height, width)
    return (
        *(crop_image(image, top, left, crop_height, crop_width) for top, left in corners),
        center_crop_image(image, [crop_height, crop_width]),
    )


@_register_kernel_internal(five_crop, PIL.Image.Image)
def _five_crop_image_pil(image: PIL.Image.Image, size: list[int]) -> tuple[PIL.Image.Image, ...]:
    crop_height, crop_width = _five_crop_size(size, image.height, image.width)
    corners = _corner_anchors(crop_height, crop_width, image.height, image.width)
    return (
        *(_crop_image_pil(image, top, left, crop_height, crop_width) for top, left in corners),
        _center_crop_image_pil(image, [crop_height, crop_width]),
    )


@_register_kernel_internal(five_crop, tv_tensors.Video, each=True)
def five_crop_video(video: torch.Tensor, size: list[int]) -> tuple[torch.Tensor, ...]:
    return five_crop_image(video, size)


def ten_crop(inpt: torch.Tensor, size: list[int], vertical_flip: bool = False) -> tuple[torch.Tensor, ...]:
    """The five crops, then the five crops of the flipped input; see :class:`~visionkit.transforms.v2.TenCrop`."""
    return _get_kernel(ten_crop, type(inpt))(inpt, size=size, vertical_flip=vertical_flip)


@_register_kernel_internal(ten_crop, torch.Tensor, each=True)
@_register_kernel_internal(ten_crop, tv_tensors.Image, each=True)
def ten_crop_image(image: torch.Tensor, size: list[int], vertical_flip: bool = False) -> tuple[torch.Tensor, ...]:
    """The five crops of a ``Tensor[..., H, W]``, then those of its flip (left to right unless ``vertical_flip``)."""
    flipped = vertical_flip_image(image) if vertical_flip else horizontal_flip_image(image)
    return five_crop_image(image, size) + five_crop_image(flipped, size)


@_register_kernel_internal(ten_crop, PIL.Image.Image)
def _ten_crop_image_pil(
    image: PIL.Image.Image, size: list[int], vertical_flip: bool = False
) -> tuple[PIL.Image.Image, ...]:
    flipped = _vertical_flip_image_pil(image) if vertical_flip else _horizontal_flip_image_pil(image)
    return _five_crop_image_pil(image, size) + _five_crop_image_pil(flipped, size)


@_register_kernel_internal(ten_crop, tv_tensors.Video, each=True)
def ten_crop_video(video: torch.Tensor, size: list[int], vertical_flip: bool = False) -> tuple[torch.Tensor, ...]:
    return ten_crop_image(video, size, vertical_flip=vertical_flip)
