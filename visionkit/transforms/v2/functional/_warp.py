"""v2 warps: affine maps, rotations, perspective (homography) warps and elastic displacement fields, for images
(tensor, ``Image``, PIL), videos, masks, bounding boxes (all six formats) and keypoints.

Tensor images are resampled with ``grid_sample`` on a grid of normalized sampling points; boxes and keypoints are
moved with the same matrix (or coefficients, or field), so they follow the pixels they were moved with. Rotated
boxes travel as their 4 corners and come back as the rectangle closest to the moved parallelogram; axis-aligned
boxes come back as the extent of their moved corners. The arithmetic is torchvision v2's op for op, which is not
always v1's: the affine matrix, the expanded canvas size and the fill blending are written in another order here.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import PIL.Image
import torch
from torch.nn.functional import grid_sample

from .... import tv_tensors
from ..._conversion import pil_to_tensor, to_pil_image
from ..._geometry import _affine_grid, _fill_needs_inside_mask, _perspective_grid, perspective_coefficients
from ..._image import _PIL_MODES, InterpolationMode, cast_in_range, fill_for_pil, max_value
from ._geometry import (
    BoxFormat,
    ClampingMode,
    Fill,
    Interpolation,
    _check_interpolation,
    _clamp_boxes,
    _convert_boxes,
    _parallelogram_to_bounding_boxes,
    _unsqueezed,
    _wrap_on_canvas,
)
from ._utils import _get_kernel, _register_kernel_internal

__all__ = [
    "affine",
    "affine_bounding_boxes",
    "affine_image",
    "affine_keypoints",
    "affine_mask",
    "affine_video",
    "elastic",
    "elastic_bounding_boxes",
    "elastic_image",
    "elastic_keypoints",
    "elastic_mask",
    "elastic_transform",
    "elastic_video",
    "perspective",
    "perspective_bounding_boxes",
    "perspective_image",
    "perspective_keypoints",
    "perspective_mask",
    "perspective_video",
    "rotate",
    "rotate_bounding_boxes",
    "rotate_image",
    "rotate_keypoints",
    "rotate_mask",
    "rotate_video",
]

Canvas = tuple[int, int]
_TENSOR_WARP_MODES = ("nearest", "bilinear")
# Corner indices of XYXY boxes: top-left, top-right, bottom-right, bottom-left.
_XYXY_CORNERS = [[0, 1], [2, 1], [2, 3], [0, 3]]


# ------------------------------------------------------------------------------------------------ shared helpers
def _parse_affine_args(
    angle: float,
    translate: Sequence[float],
    scale: float,
    shear: float | Sequence[float],
    interpolation: InterpolationMode,
    center: Sequence[float] | None,
) -> tuple[float, list[float], list[float], list[float] | None]:
    """``(angle, translate, shear, center)`` as floats and lists; a number shears along x only, ``[s]`` along both.

    Raises:
        TypeError: for an angle that is not a number, a translate, shear or center that is no sequence.
        ValueError: for a translate or shear of the wrong length, or a scale that is not positive.
    """
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if not isinstance(translate, (list, tuple)):
        raise TypeError("Argument translate should be a sequence")
    if len(translate) != 2:
        raise ValueError("Argument translate should be a sequence of length 2")
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    if not isinstance(shear, (numbers.Number, list, tuple)):
        raise TypeError("Shear should be either a single value or a sequence of two values")
    if not isinstance(interpolation, InterpolationMode):
        raise TypeError("Argument interpolation should be a InterpolationMode")

    shear = [shear, 0.0] if isinstance(shear, numbers.Number) else list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if len(shear) != 2:
        raise ValueError(f"Shear should be a sequence containing two values. Got {shear}")
    if center is not None:
        if not isinstance(center, (list, tuple)):
            raise TypeError("Argument center should be a sequence")
        center = [float(c) for c in center]
    return float(angle), list(translate), shear, center


def _affine_matrix(
    center: Sequence[float],
    angle: float,
    translate: Sequence[float],
    scale: float,
    shear: Sequence[float],
    inverted: bool = True,
) -> list[float]:
    """The 2x3 matrix (6 floats, row-major) of ``T * C * RSS * C^-1``, or of its inverse (the default, the map from
    output to input points that warps sample with).

    ``C`` moves the origin to ``center``, ``T`` translates, ``RSS`` rotates by ``angle`` degrees (clockwise in image
    coordinates), shears by ``shear = (sx, sy)`` degrees and scales. The products are grouped as in torchvision v2,
    which differs from v1 in the last bits.
    """
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    cos_sy, tan_sx = math.cos(sy), math.tan(sx)
    # RSS without the scale; its determinant is 1.
    a = math.cos(rot - sy) / cos_sy
    b = -(a * tan_sx + math.sin(rot))
    c = math.sin(rot - sy) / cos_sy
    d = math.cos(rot) - c * tan_sx
    moved_x, moved_y = cx + tx, cy + ty
    if inverted:
        m = [d / scale, -b / scale, -c / scale, a / scale]
        return [m[0], m[1], cx - m[0] * moved_x - m[1] * moved_y, m[2], m[3], cy - m[2] * moved_x - m[3] * moved_y]
    m = [a * scale, b * scale, c * scale, d * scale]
    return [m[0], m[1], moved_x - m[0] * cx - m[1] * cy, m[2], m[3], moved_y - m[2] * cx - m[3] * cy]


def _expanded_size(inverse_matrix: list[float], width: int, height: int) -> tuple[int, int]:
    """``(w, h)`` of the canvas that holds a whole image warped by ``inverse_matrix`` (``expand=True``).

    The corners, centered on the image center, go through the matrix and back to ``[0, w] x [0, h]`` coordinates
    (as PIL computes its canvas); their extent is rounded outwards after dropping digits below 1e-4, so that an
    exact 90 degree turn does not gain a pixel from rounding noise.
    """
    half_w, half_h = 0.5 * width, 0.5 * height
    corners = torch.tensor(
        [[-half_w, -half_h, 1.0], [-half_w, half_h, 1.0], [half_w, half_h, 1.0], [half_w, -half_h, 1.0]]
    )
    theta = torch.tensor(inverse_matrix, dtype=torch.float).view(2, 3)
    low, high = torch.matmul(corners, theta.T).aminmax(dim=0)
    halves = torch.tensor((half_w, half_h))
    tol = 1e-4
    inv_tol = 1.0 / tol
    high = high.add_(halves).mul_(inv_tol).trunc_().mul_(tol).ceil_()
    low = low.add_(halves).mul_(inv_tol).trunc_().mul_(tol).floor_()
    size = high.sub_(low)
    return int(size[0]), int(size[1])


def _check_grid_inputs(image: torch.Tensor, interpolation: str, fill: Fill) -> None:
    """Raise ``ValueError`` for a fill that does not fit the image's channels or a mode tensors cannot warp with."""
    if fill is not None:
        if isinstance(fill, (tuple, list)):
            num_channels = image.shape[-3]
            if len(fill) > 1 and len(fill) != num_channels:
                raise ValueError(
                    "The number of elements in 'fill' cannot broadcast to match the number of "
                    f"channels of the image ({len(fill)} != {num_channels})"
                )
        elif not isinstance(fill, (int, float)):
            raise ValueError("Argument fill should be either int, float, tuple or list")
    if interpolation not in _TENSOR_WARP_MODES:
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with Tensor input")


def _grid_transform(image: torch.Tensor, grid: torch.Tensor, mode: str, fill: Fill) -> torch.Tensor:
    """Sample ``image [..., C, H, W]`` at the normalized points ``grid [1, H', W', 2]``; points outside get ``fill``
    (0 when None).

    Integer images are sampled in the grid's dtype and rounded back. A channel of ones sampled with the image tells
    how much of each output pixel lies inside (where :func:`_fill_needs_inside_mask` says it is needed): nearest
    takes the fill where it is below 0.5, the other modes blend ``(value - fill) * inside + fill``.
    """
    num_channels, height, width = image.shape[-3:]
    out_height, out_width = grid.shape[1], grid.shape[2]
    out_shape = (*image.shape[:-3], num_channels, out_height, out_width)
    if image.numel() == 0:
        return image.reshape(out_shape)

    values = None if fill is None else fill if isinstance(fill, (tuple, list)) else [float(fill)]
    if not _fill_needs_inside_mask(mode, values):
        values = None
    batch = image.reshape(-1, num_channels, height, width)
    num_images = batch.shape[0]
    is_grid_dtype = image.dtype == grid.dtype
    if values is not None:  # the image and a channel of ones, in the grid's dtype, in one copy
        with_ones = torch.empty((num_images, num_channels + 1, height, width), dtype=grid.dtype, device=grid.device)
        with_ones[:, :num_channels] = batch
        with_ones[:, num_channels] = 1
        batch = with_ones
    elif not is_grid_dtype:
        batch = batch.to(grid.dtype)
    if num_images > 1:
        grid = grid.expand(num_images, -1, -1, -1)

    out = grid_sample(batch, grid, mode=mode, padding_mode="zeros", align_corners=False)

    if values is not None:
        out, inside = out[:, :-1], out[:, -1:]
        fill_image = torch.tensor(values, dtype=out.dtype, device=out.device).view(1, -1, 1, 1)
        if mode == "nearest":
            out = torch.where(inside.expand_as(out) < 0.5, fill_image.expand_as(out), out)
        else:
            out = (out - fill_image).mul_(inside).add_(fill_image)
    if not is_grid_dtype:
        # Nearest and bilinear values are weighted means of the pixels and the fill: within range when the fill is.
        bound = max_value(image.dtype)
        in_range = values is None or all(0 <= float(v) <= bound for v in values)
        out = cast_in_range(out.round_(), image.dtype) if in_range else out.round_().to(image.dtype)
    return out.reshape(out_shape)


def _grid_dtype(image: torch.Tensor) -> torch.dtype:
    return image.dtype if torch.is_floating_point(image) else torch.float32


def _homogeneous(points: torch.Tensor, dtype: torch.dtype | None = None) -> torch.Tensor:
    """``[N, 2]`` points as ``[N, 3]`` rows ``(x, y, 1)`` (ones of ``dtype``, the default dtype when None)."""
    ones = torch.ones(points.shape[0], 1, dtype=dtype, device=points.device)
    return torch.cat([points, ones], dim=-1)


def _box_corners(boxes: torch.Tensor, rotated: bool) -> torch.Tensor:
    """``[N * 4, 2]`` corners of ``[N, 8]`` polygons (rotated) or ``[N, 4]`` XYXY boxes."""
    return (boxes if rotated else boxes[:, _XYXY_CORNERS]).reshape(-1, 2)


def _boxes_from_corners(corners: torch.Tensor, rotated: bool) -> torch.Tensor:
    """Moved corners ``[N * 4, 2]`` back to boxes: the closest rectangles (rotated, ``[N, 8]``) or the extent of
    each box's corners (``[N, 4]`` XYXY)."""
    if rotated:
        return _parallelogram_to_bounding_boxes(corners.reshape(-1, 8))
    low, high = torch.aminmax(corners.reshape(-1, 4, 2), dim=1)
    return torch.cat([low, high], dim=1)


def _call_box_kernel(kernel: Callable[..., Any], inpt: tv_tensors.BoundingBoxes, **params: Any) -> Any:
    """Run a box kernel on the plain tensor of ``inpt`` with its format, canvas and clamping mode, and wrap the
    output (on the kernel's new canvas where it returns one)."""
    output = kernel(
        inpt.as_subclass(torch.Tensor),
        format=inpt.format,
        canvas_size=inpt.canvas_size,
        clamping_mode=inpt.clamping_mode,
        **params,
    )
    return _wrap_on_canvas(inpt, output) if isinstance(output, tuple) else tv_tensors.wrap(output, like=inpt)


def _working_format(format: BoxFormat) -> BoxFormat:
    """The format boxes are moved in: their corners (XYXYXYXY) for rotated boxes, XYXY otherwise."""
    return BoxFormat.XYXYXYXY if tv_tensors.is_rotated_bounding_format(format) else BoxFormat.XYXY


# --------------------------------------------------------------------------------------------------------- affine
def affine(
    inpt: torch.Tensor,
    angle: float,
    translate: list[float],
    scale: float,
    shear: list[float],
    interpolation: Interpolation = InterpolationMode.NEAREST,
    fill: Fill = None,
    center: list[float] | None = None,
) -> torch.Tensor:
    """Apply an affine map that keeps ``center`` (the image center by default) fixed: rotate by ``angle`` degrees
    clockwise, scale, shear by ``shear`` degrees, then translate by ``translate`` pixels."""
    kernel = _get_kernel(affine, type(inpt))
    return kernel(
        inpt,
        angle=angle,
        translate=translate,
        scale=scale,
        shear=shear,
        interpolation=interpolation,
        fill=fill,
        center=center,
    )


def _centered(center: list[float] | None, width: int, height: int) -> list[float]:
    """A pixel center as an offset from the image center, the origin of the tensor warps' matrices."""
    if center is None:
        return [0.0, 0.0]
    return [c - s * 0.5 for c, s in zip(center, [width, height], strict=False)]


@_register_kernel_internal(affine, torch.Tensor)
@_register_kernel_internal(affine, tv_tensors.Image)
def affine_image(
    image: torch.Tensor,
    angle: float,
    translate: list[float],
    scale: float,
    shear: list[float],
    interpolation: Interpolation = InterpolationMode.NEAREST,
    fill: Fill = None,
    center: list[float] | None = None,
) -> torch.Tensor:
    """Affine warp of a ``Tensor[..., C, H, W]`` (NEAREST or BILINEAR).

    Raises:
        TypeError, ValueError: for malformed arguments (see :func:`affine`), a fill that does not match the
            channels, or an interpolation mode other than NEAREST and BILINEAR.
    """
    interpolation = _check_interpolation(interpolation)
    angle, translate, shear, center = _parse_affine_args(angle, translate, scale, shear, interpolation, center)
    height, width = image.shape[-2:]
    matrix = _affine_matrix(_centered(center, width, height), angle, [float(t) for t in translate], scale, shear)
    _check_grid_inputs(image, interpolation.value, fill)
    theta = torch.tensor(matrix, dtype=_grid_dtype(image), device=image.device).reshape(1, 2, 3)
    grid = _affine_grid(theta, w=width, h=height, ow=width, oh=height)
    return _grid_transform(image, grid, interpolation.value, fill)


@_register_kernel_internal(affine, PIL.Image.Image)
def _affine_image_pil(
    image: PIL.Image.Image,
    angle: float,
    translate: list[float],
    scale: float,
    shear: list[float],
    interpolation: Interpolation = InterpolationMode.NEAREST,
    fill: Fill = None,
    center: list[float] | None = None,
) -> PIL.Image.Image:
    interpolation = _check_interpolation(interpolation)
    angle, translate, shear, center = _parse_affine_args(angle, translate, scale, shear, interpolation, center)
    # The image center without the half-pixel offset, so that a 90 degree turn matches torch.rot90.
    if center is None:
        center = [image.width * 0.5, image.height * 0.5]
    matrix = _affine_matrix(center, angle, translate, scale, shear)
    opts = fill_for_pil(fill, image, "fillcolor")
    return image.transform(image.size, PIL.Image.Transform.AFFINE, matrix, _PIL_MODES[interpolation], **opts)


def _affine_points(
    points: torch.Tensor,
    canvas_size: Canvas,
    angle: float,
    translate: list[float],
    scale: float,
    shear: list[float],
    center: list[float] | None,
    expand: bool,
) -> tuple[torch.Tensor, torch.Tensor | None, Canvas]:
    """Float points ``[N, 2]`` moved by the forward affine map, with (``expand``) the top-left corner of the
    expanded canvas ``[1, 2]`` (to subtract) and the canvas size the image gets."""
    angle, translate, shear, center = _parse_affine_args(
        angle, translate, scale, shear, InterpolationMode.NEAREST, center
    )
    height, width = canvas_size
    if center is None:
        center = [width * 0.5, height * 0.5]
    forward = _affine_matrix(center, angle, translate, scale, shear, inverted=False)
    forward_t = torch.tensor(forward, dtype=points.dtype, device=points.device).reshape(2, 3).T
    moved = torch.matmul(_homogeneous(points, points.dtype), forward_t)
    if not expand:
        return moved, None, canvas_size

    corners = torch.tensor(
        [[0.0, 0.0, 1.0], [0.0, float(height), 1.0], [float(width), float(height), 1.0], [float(width), 0.0, 1.0]],
        dtype=points.dtype,
        device=points.device,
    )
    origin = torch.amin(torch.matmul(corners, forward_t), dim=0, keepdim=True)
    new_width, new_height = _expanded_size(_affine_matrix(center, angle, translate, scale, shear), width, height)
    return moved, origin, (new_height, new_width)


def _affine_keypoints_with_expand(
    keypoints: torch.Tensor,
    canvas_size: Canvas,
    angle: float,
    translate: list[float],
    scale: float,
    shear: list[float],
    center: list[float] | None = None,
    expand: bool = False,
) -> tuple[torch.Tensor, Canvas]:
    if keypoints.numel() == 0:
        return keypoints, canvas_size
    points = keypoints if keypoints.is_floating_point() else keypoints.float()
    moved, origin, canvas_size = _affine_points(
        points.reshape(-1, 2), canvas_size, angle, translate, scale, shear, center, expand
    )
    if origin is not None:
        moved.sub_(origin)
    return moved.reshape(keypoints.shape).to(keypoints.dtype), canvas_size


def affine_keypoints(
    keypoints: torch.Tensor,
    canvas_size: Canvas,
    angle: float,
    translate: list[float],
    scale: float,
    shear: list[float],
    center: list[float] | None = None,
) -> tuple[torch.Tensor, Canvas]:
    """Keypoints ``[..., 2]`` moved by the affine map, and their (unchanged) canvas size."""
    return _affine_keypoints_with_expand(keypoints, canvas_size, angle, translate, scale, shear, center)


@_register_kernel_internal(affine, tv_tensors.KeyPoints, tv_tensor_wrapper=False)
def _affine_keypoints_dispatch(
    inpt: tv_tensors.KeyPoints,
    angle: float,
    translate: list[float],
    scale: float,
    shear: list[float],
    center: list[float] | None = None,
    **kwargs: object,
) -> tv_tensors.KeyPoints:
    output = affine_keypoints(
        inpt.as_subclass(torch.Tensor), inpt.canvas_size, angle, translate, scale, shear, center=center
    )
    return _wrap_on_canvas(inpt, output)


def _affine_bounding_boxes_with_expand(
    bounding_boxes: torch.Tensor,
    format: BoxFormat,
    canvas_size: Canvas,
    angle: float,
    translate: list[float],
    scale: float,
    shear: list[float],
    center: list[float] | None = None,
    expand: bool = False,
    clamping_mode: ClampingMode = "soft",
) -> tuple[torch.Tensor, Canvas]:
    if bounding_boxes.numel() == 0:
        return bounding_boxes, canvas_size
    rotated = tv_tensors.is_rotated_bounding_format(format)
    working = _working_format(format)
    boxes = bounding_boxes if bounding_boxes.is_floating_point() else bounding_boxes.float()
    boxes = _convert_boxes(boxes, format, working).reshape(-1, 8 if rotated else 4)

    moved, origin, canvas_size = _affine_points(
        _box_corners(boxes, rotated), canvas_size, angle, translate, scale, shear, center, expand
    )
    out = _boxes_from_corners(moved, rotated)
    if origin is not None:
        out.sub_(origin.repeat((1, 4 if rotated else 2)))
    out = _clamp_boxes(out, working, canvas_size, clamping_mode)
    out = _convert_boxes(out, working, format).reshape(bounding_boxes.shape)
    return out.to(bounding_boxes.dtype), canvas_size


def affine_bounding_boxes(
    bounding_boxes: torch.Tensor,
    format: BoxFormat,
    canvas_size: Canvas,
    angle: float,
    translate: list[float],
    scale: float,
    shear: list[float],
    center: list[float] | None = None,
    clamping_mode: ClampingMode = "soft",
) -> torch.Tensor:
    """Boxes of ``format`` moved by the affine map and clamped to the canvas as ``clamping_mode`` says."""
    boxes, _ = _affine_bounding_boxes_with_expand(
        bounding_boxes, format, canvas_size, angle, translate, scale, shear, center, clamping_mode=clamping_mode
    )
    return boxes


@_register_kernel_internal(affine, tv_tensors.BoundingBoxes, tv_tensor_wrapper=False)
def _affine_bounding_boxes_dispatch(
    inpt: tv_tensors.BoundingBoxes,
    angle: float,
    translate: list[float],
    scale: float,
    shear: list[float],
    center: list[float] | None = None,
    **kwargs: object,
) -> tv_tensors.BoundingBoxes:
    return _call_box_kernel(
        affine_bounding_boxes, inpt, angle=angle, translate=translate, scale=scale, shear=shear, center=center
    )


def affine_mask(
    mask: torch.Tensor,
    angle: float,
    translate: list[float],
    scale: float,
    shear: list[float],
    fill: Fill = None,
    center: list[float] | None = None,
) -> torch.Tensor:
    """Affine warp of a mask ``[..., H, W]`` (nearest, so labels stay labels)."""
    return _unsqueezed(
        affine_image,
        mask,
        angle=angle,
        translate=translate,
        scale=scale,
        shear=shear,
        interpolation=InterpolationMode.NEAREST,
        fill=fill,
        center=center,
    )


@_register_kernel_internal(affine, tv_tensors.Mask, tv_tensor_wrapper=False)
def _affine_mask_dispatch(
    inpt: tv_tensors.Mask,
    angle: float,
    translate: list[float],
    scale: float,
    shear: list[float],
    fill: Fill = None,
    center: list[float] | None = None,
    **kwargs: object,
) -> tv_tensors.Mask:
    output = affine_mask(inpt.as_subclass(torch.Tensor), angle, translate, scale, shear, fill=fill, center=center)
    return tv_tensors.wrap(output, like=inpt)


@_register_kernel_internal(affine, tv_tensors.Video)
def affine_video(
    video: torch.Tensor,
    angle: float,
    translate: list[float],
    scale: float,
    shear: list[float],
    interpolation: Interpolation = InterpolationMode.NEAREST,
    fill: Fill = None,
    center: list[float] | None = None,
) -> torch.Tensor:
    return affine_image(video, angle, translate, scale, shear, interpolation=interpolation, fill=fill, center=center)


# --------------------------------------------------------------------------------------------------------- rotate
def rotate(
    inpt: torch.Tensor,
    angle: float,
    interpolation: Interpolation = InterpolationMode.NEAREST,
    expand: bool = False,
    center: list[float] | None = None,
    fill: Fill = None,
) -> torch.Tensor:
    """Rotate counter-clockwise by ``angle`` degrees about ``center`` (the image center by default); ``expand``
    grows the canvas to hold the whole rotated input."""
    kernel = _get_kernel(rotate, type(inpt))
    return kernel(inpt, angle=angle, interpolation=interpolation, expand=expand, fill=fill, center=center)


def _rotate_by_transposing(image: torch.Tensor, angle: float, expand: bool) -> torch.Tensor | None:
    """The rotation about the image center as a copy or ``rot90`` when it is one (multiples of 90 degrees that
    keep the canvas, or any with ``expand``), else None."""
    if angle == 0:
        return image.clone()
    if angle == 180:
        return torch.rot90(image, k=2, dims=(-2, -1))
    if (expand or image.shape[-1] == image.shape[-2]) and angle in (90, 270):
        return torch.rot90(image, k=1 if angle == 90 else 3, dims=(-2, -1))
    return None


@_register_kernel_internal(rotate, torch.Tensor)
@_register_kernel_internal(rotate, tv_tensors.Image)
def rotate_image(
    image: torch.Tensor,
    angle: float,
    interpolation: Interpolation = InterpolationMode.NEAREST,
    expand: bool = False,
    center: list[float] | None = None,
    fill: Fill = None,
) -> torch.Tensor:
    """Rotate a ``Tensor[..., C, H, W]`` counter-clockwise (NEAREST or BILINEAR).

    Raises:
        ValueError: for a fill that does not match the channels or an interpolation mode other than NEAREST and
            BILINEAR (not checked for the turns done by transposing).
    """
    angle = angle % 360
    if center is None:
        transposed = _rotate_by_transposing(image, angle, expand)
        if transposed is not None:
            return transposed

    interpolation = _check_interpolation(interpolation)
    height, width = image.shape[-2:]
    # The matrix is for a clockwise angle, as affine's.
    matrix = _affine_matrix(_centered(center, width, height), -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    _check_grid_inputs(image, interpolation.value, fill)
    out_width, out_height = _expanded_size(matrix, width, height) if expand else (width, height)
    theta = torch.tensor(matrix, dtype=_grid_dtype(image), device=image.device).reshape(1, 2, 3)
    grid = _affine_grid(theta, w=width, h=height, ow=out_width, oh=out_height)
    return _grid_transform(image, grid, interpolation.value, fill)


@_register_kernel_internal(rotate, PIL.Image.Image)
def _rotate_image_pil(
    image: PIL.Image.Image,
    angle: float,
    interpolation: Interpolation = InterpolationMode.NEAREST,
    expand: bool = False,
    center: list[float] | None = None,
    fill: Fill = None,
) -> PIL.Image.Image:
    interpolation = _check_interpolation(interpolation)
    opts = fill_for_pil(fill, image, "fillcolor")
    return image.rotate(angle, _PIL_MODES[interpolation], expand, center, **opts)


def rotate_keypoints(
    keypoints: torch.Tensor,
    canvas_size: Canvas,
    angle: float,
    expand: bool = False,
    center: list[float] | None = None,
) -> tuple[torch.Tensor, Canvas]:
    """Keypoints ``[..., 2]`` rotated counter-clockwise, and the canvas size the image gets."""
    return _affine_keypoints_with_expand(
        keypoints, canvas_size, -angle, [0.0, 0.0], 1.0, [0.0, 0.0], center=center, expand=expand
    )


@_register_kernel_internal(rotate, tv_tensors.KeyPoints, tv_tensor_wrapper=False)
def _rotate_keypoints_dispatch(
    inpt: tv_tensors.KeyPoints, angle: float, expand: bool = False, center: list[float] | None = None, **kwargs: object
) -> tv_tensors.KeyPoints:
    output = rotate_keypoints(inpt.as_subclass(torch.Tensor), inpt.canvas_size, angle, expand=expand, center=center)
    return _wrap_on_canvas(inpt, output)


def rotate_bounding_boxes(
    bounding_boxes: torch.Tensor,
    format: BoxFormat,
    canvas_size: Canvas,
    angle: float,
    expand: bool = False,
    center: list[float] | None = None,
    clamping_mode: ClampingMode = "soft",
) -> tuple[torch.Tensor, Canvas]:
    """Boxes of ``format`` rotated counter-clockwise and clamped to the new canvas, and its size."""
    return _affine_bounding_boxes_with_expand(
        bounding_boxes,
        format,
        canvas_size,
        -angle,
        [0.0, 0.0],
        1.0,
        [0.0, 0.0],
        center=center,
        expand=expand,
        clamping_mode=clamping_mode,
    )


@_register_kernel_internal(rotate, tv_tensors.BoundingBoxes, tv_tensor_wrapper=False)
def _rotate_bounding_boxes_dispatch(
    inpt: tv_tensors.BoundingBoxes,
    angle: float,
    expand: bool = False,
    center: list[float] | None = None,
    **kwargs: object,
) -> tv_tensors.BoundingBoxes:
    return _call_box_kernel(rotate_bounding_boxes, inpt, angle=angle, expand=expand, center=center)


def rotate_mask(
    mask: torch.Tensor,
    angle: float,
    expand: bool = False,
    center: list[float] | None = None,
    fill: Fill = None,
) -> torch.Tensor:
    """Rotate a mask ``[..., H, W]`` (nearest, so labels stay labels)."""
    return _unsqueezed(
        rotate_image,
        mask,
        angle=angle,
        expand=expand,
        interpolation=InterpolationMode.NEAREST,
        fill=fill,
        center=center,
    )


@_register_kernel_internal(rotate, tv_tensors.Mask, tv_tensor_wrapper=False)
def _rotate_mask_dispatch(
    inpt: tv_tensors.Mask,
    angle: float,
    expand: bool = False,
    center: list[float] | None = None,
    fill: Fill = None,
    **kwargs: object,
) -> tv_tensors.Mask:
    output = rotate_mask(inpt.as_subclass(torch.Tensor), angle=angle, expand=expand, fill=fill, center=center)
    return tv_tensors.wrap(output, like=inpt)


@_register_kernel_internal(rotate, tv_tensors.Video)
def rotate_video(
    video: torch.Tensor,
    angle: float,
    interpolation: Interpolation = InterpolationMode.NEAREST,
    expand: bool = False,
    center: list[float] | None = None,
    fill: Fill = None,
) -> torch.Tensor:
    return rotate_image(video, angle, interpolation=interpolation, expand=expand, fill=fill, center=center)


# ---------------------------------------------------------------------------------------------------- perspective
def perspective(
    inpt: torch.Tensor,
    startpoints: list[list[int]] | None,
    endpoints: list[list[int]] | None,
    interpolation: Interpolation = InterpolationMode.BILINEAR,
    fill: Fill = None,
    coefficients: list[float] | None = None,
) -> torch.Tensor:
    """Warp so that the 4 ``startpoints`` land on the 4 ``endpoints``, or by the 8 homography ``coefficients``
    (output to input points: ``x = (a x' + b y' + c) / (g x' + h y' + 1)``, ``y = (d x' + e y' + f) / (...)``)."""
    kernel = _get_kernel(perspective, type(inpt))
    return kernel(
        inpt,
        startpoints=startpoints,
        endpoints=endpoints,
        interpolation=interpolation,
        fill=fill,
        coefficients=coefficients,
    )


def _perspective_coefficients(
    startpoints: list[list[int]] | None,
    endpoints: list[list[int]] | None,
    coefficients: list[float] | None,
) -> list[float]:
    """The 8 coefficients, given or solved from the corners.

    Raises:
        ValueError: for both or neither of corners and coefficients, or coefficients that are not 8.
    """
    if coefficients is not None:
        if startpoints is not None and endpoints is not None:
            raise ValueError("The startpoints/endpoints and the coefficients shouldn't be defined concurrently.")
        if len(coefficients) != 8:
            raise ValueError("Argument coefficients should have 8 float values")
        return coefficients
    if startpoints is not None and endpoints is not None:
        return perspective_coefficients(startpoints, endpoints)
    raise ValueError("Either the startpoints/endpoints or the coefficients must have non `None` values.")


@_register_kernel_internal(perspective, torch.Tensor)
@_register_kernel_internal(perspective, tv_tensors.Image)
def perspective_image(
    image: torch.Tensor,
    startpoints: list[list[int]] | None,
    endpoints: list[list[int]] | None,
    interpolation: Interpolation = InterpolationMode.BILINEAR,
    fill: Fill = None,
    coefficients: list[float] | None = None,
) -> torch.Tensor:
    """Perspective warp of a ``Tensor[..., C, H, W]`` (NEAREST or BILINEAR)."""
    coeffs = _perspective_coefficients(startpoints, endpoints, coefficients)
    interpolation = _check_interpolation(interpolation)
    _check_grid_inputs(image, interpolation.value, fill)
    height, width = image.shape[-2:]
    grid = _perspective_grid(coeffs, ow=width, oh=height, dtype=_grid_dtype(image))
    return _grid_transform(image, grid, interpolation.value, fill)


@_register_kernel_internal(perspective, PIL.Image.Image)
def _perspective_image_pil(
    image: PIL.Image.Image,
    startpoints: list[list[int]] | None,
    endpoints: list[list[int]] | None,
    interpolation: Interpolation = InterpolationMode.BILINEAR,
    fill: Fill = None,
    coefficients: list[float] | None = None,
) -> PIL.Image.Image:
    coeffs = _perspective_coefficients(startpoints, endpoints, coefficients)
    interpolation = _check_interpolation(interpolation)
    opts = fill_for_pil(fill, image, "fillcolor")
    return image.transform(image.size, PIL.Image.Transform.PERSPECTIVE, coeffs, _PIL_MODES[interpolation], **opts)


def _forward_perspective(
    coeffs: list[float], dtype: torch.dtype, device: torch.device, what: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """Numerator and denominator rows ``[2, 3]`` of the inverse homography (input to output points), which moves
    boxes and keypoints the way the image moves.

    Raises:
        RuntimeError: if the coefficients cannot be inverted.
    """
    a, b, c, d, e, f, g, h = coeffs
    denom = a * e - b * d
    if denom == 0:
        raise RuntimeError(
            f"Provided perspective_coeffs {coeffs} can not be inverted to transform {what}. "
            f"Denominator is zero, denom={denom}"
        )
    inverse = [
        (e - f * h) / denom,
        (-b + c * h) / denom,
        (b * f - c * e) / denom,
        (-d + f * g) / denom,
        (a - c * g) / denom,
        (-a * f + c * d) / denom,
        (-e * g + d * h) / denom,
        (-a * h + b * g) / denom,
    ]
    numerators = torch.tensor([inverse[0:3], inverse[3:6]], dtype=dtype, device=device)
    denominators = torch.tensor([[inverse[6], inverse[7], 1.0]] * 2, dtype=dtype, device=device)
    return numerators, denominators


def _perspective_points(points: torch.Tensor, coeffs: list[float], dtype: torch.dtype, what: str) -> torch.Tensor:
    """Points ``[N, 2]`` moved by the homography (computed in ``dtype``, or wider if the points are)."""
    numerators, denominators = _forward_perspective(coeffs, dtype, points.device, what)
    rows = _homogeneous(points)
    return torch.matmul(rows, numerators.T).div_(torch.matmul(rows, denominators.T))


def perspective_keypoints(
    keypoints: torch.Tensor,
    canvas_size: Canvas,
    startpoints: list[list[int]] | None,
    endpoints: list[list[int]] | None,
    coefficients: list[float] | None = None,
) -> torch.Tensor:
    """Keypoints ``[..., 2]`` moved by the perspective warp.

    Raises:
        RuntimeError: if the coefficients cannot be inverted.
    """
    if keypoints.numel() == 0:
        return keypoints
    coeffs = _perspective_coefficients(startpoints, endpoints, coefficients)
    dtype = keypoints.dtype if keypoints.is_floating_point() else torch.float32
    moved = _perspective_points(keypoints.reshape(-1, 2), coeffs, dtype, "keypoints")
    return moved.to(keypoints.dtype).reshape(keypoints.shape)


@_register_kernel_internal(perspective, tv_tensors.KeyPoints, tv_tensor_wrapper=False)
def _perspective_keypoints_dispatch(
    inpt: tv_tensors.KeyPoints,
    startpoints: list[list[int]] | None,
    endpoints: list[list[int]] | None,
    coefficients: list[float] | None = None,
    **kwargs: object,
) -> tv_tensors.KeyPoints:
    output = perspective_keypoints(
        inpt.as_subclass(torch.Tensor), inpt.canvas_size, startpoints, endpoints, coefficients=coefficients
    )
    return tv_tensors.wrap(output, like=inpt)


def perspective_bounding_boxes(
    bounding_boxes: torch.Tensor,
    format: BoxFormat,
    canvas_size: Canvas,
    startpoints: list[list[int]] | None,
    endpoints: list[list[int]] | None,
    coefficients: list[float] | None = None,
    clamping_mode: ClampingMode = "soft",
) -> torch.Tensor:
    """Boxes of ``format`` moved by the perspective warp and clamped to the canvas as ``clamping_mode`` says.

    Raises:
        RuntimeError: if the coefficients cannot be inverted.
    """
    if bounding_boxes.numel() == 0:
        return bounding_boxes
    coeffs = _perspective_coefficients(startpoints, endpoints, coefficients)
    rotated = tv_tensors.is_rotated_bounding_format(format)
    working = _working_format(format)
    # Integer boxes are converted in integers, as torchvision does, and moved in float32.
    boxes = _convert_boxes(bounding_boxes, format, working).reshape(-1, 8 if rotated else 4)
    dtype = boxes.dtype if boxes.is_floating_point() else torch.float32
    moved = _perspective_points(_box_corners(boxes, rotated), coeffs, dtype, "bounding boxes")
    out = _clamp_boxes(_boxes_from_corners(moved, rotated), working, canvas_size, clamping_mode)
    out = _convert_boxes(out, working, format).reshape(bounding_boxes.shape)
    return out.to(bounding_boxes.dtype)


@_register_kernel_internal(perspective, tv_tensors.BoundingBoxes, tv_tensor_wrapper=False)
def _perspective_bounding_boxes_dispatch(
    inpt: tv_tensors.BoundingBoxes,
    startpoints: list[list[int]] | None,
    endpoints: list[list[int]] | None,
    coefficients: list[float] | None = None,
    **kwargs: object,
) -> tv_tensors.BoundingBoxes:
    return _call_box_kernel(
        perspective_bounding_boxes, inpt, startpoints=startpoints, endpoints=endpoints, coefficients=coefficients
    )


def perspective_mask(
    mask: torch.Tensor,
    startpoints: list[list[int]] | None,
    endpoints: list[list[int]] | None,
    fill: Fill = None,
    coefficients: list[float] | None = None,
) -> torch.Tensor:
    """Perspective warp of a mask ``[..., H, W]`` (nearest, so labels stay labels)."""
    return _unsqueezed(
        perspective_image,
        mask,
        startpoints,
        endpoints,
        interpolation=InterpolationMode.NEAREST,
        fill=fill,
        coefficients=coefficients,
    )


@_register_kernel_internal(perspective, tv_tensors.Mask, tv_tensor_wrapper=False)
def _perspective_mask_dispatch(
    inpt: tv_tensors.Mask,
    startpoints: list[list[int]] | None,
    endpoints: list[list[int]] | None,
    fill: Fill = None,
    coefficients: list[float] | None = None,
    **kwargs: object,
) -> tv_tensors.Mask:
    output = perspective_mask(
        inpt.as_subclass(torch.Tensor), startpoints, endpoints, fill=fill, coefficients=coefficients
    )
    return tv_tensors.wrap(output, like=inpt)


@_register_kernel_internal(perspective, tv_tensors.Video)
def perspective_video(
    video: torch.Tensor,
    startpoints: list[list[int]] | None,
    endpoints: list[list[int]] | None,
    interpolation: Interpolation = InterpolationMode.BILINEAR,
    fill: Fill = None,
    coefficients: list[float] | None = None,
) -> torch.Tensor:
    return perspective_image(
        video, startpoints, endpoints, interpolation=interpolation, fill=fill, coefficients=coefficients
    )


# -------------------------------------------------------------------------------------------------------- elastic
def elastic(
    inpt: torch.Tensor,
    displacement: torch.Tensor,
    interpolation: Interpolation = InterpolationMode.BILINEAR,
    fill: Fill = None,
) -> torch.Tensor:
    """Move every output pixel's sampling point by ``displacement`` (``Tensor[1, H, W, 2]``, ``(dx, dy)`` in
    normalized [-1, 1] coordinates)."""
    kernel = _get_kernel(elastic, type(inpt))
    return kernel(inpt, displacement=displacement, interpolation=interpolation, fill=fill)


elastic_transform = elastic


def _check_displacement_type(displacement: object) -> None:
    if not isinstance(displacement, torch.Tensor):
        raise TypeError("Argument displacement should be a Tensor")


def _check_displacement(displacement: object, canvas_size: Canvas) -> None:
    """Raise ``TypeError`` unless ``displacement`` is a tensor, ``ValueError`` unless it is ``[1, H, W, 2]``."""
    _check_displacement_type(displacement)
    expected_shape = (1, canvas_size[0], canvas_size[1], 2)
    if displacement.shape != expected_shape:
        raise ValueError(f"Argument displacement shape should be {expected_shape}, but given {displacement.shape}")


def _identity_grid(size: Canvas, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    """``Tensor[1, H, W, 2]`` of every pixel center in normalized coordinates, where ``grid_sample`` samples it."""
    height, width = size
    grid = torch.empty(1, height, width, 2, device=device, dtype=dtype)
    grid[..., 0].copy_(torch.linspace((-width + 1) / width, (width - 1) / width, width, device=device, dtype=dtype))
    ys = torch.linspace((-height + 1) / height, (height - 1) / height, height, device=device, dtype=dtype)
    grid[..., 1].copy_(ys.unsqueeze_(-1))
    return grid


@_register_kernel_internal(elastic, torch.Tensor)
@_register_kernel_internal(elastic, tv_tensors.Image)
def elastic_image(
    image: torch.Tensor,
    displacement: torch.Tensor,
    interpolation: Interpolation = InterpolationMode.BILINEAR,
    fill: Fill = None,
) -> torch.Tensor:
    """Elastic warp of a ``Tensor[..., C, H, W]``; the displacement is used in the image's float dtype (float32 for
    integer images, and for float16 images on the CPU, which are warped in float32 as torchvision does).

    Raises:
        TypeError: if ``displacement`` is not a tensor. ValueError: if it is not ``[1, H, W, 2]``.
    """
    _check_displacement_type(displacement)
    interpolation = _check_interpolation(interpolation)
    device = image.device
    dtype = _grid_dtype(image)
    cpu_half = device.type == "cpu" and dtype == torch.float16
    if cpu_half:
        image, dtype = image.to(torch.float32), torch.float32
    _check_displacement(displacement, image.shape[-2:])

    grid = _identity_grid(image.shape[-2:], device=device, dtype=dtype).add_(
        displacement.to(dtype=dtype, device=device)
    )
    output = _grid_transform(image, grid, interpolation.value, fill)
    return output.to(torch.float16) if cpu_half else output


@_register_kernel_internal(elastic, PIL.Image.Image)
def _elastic_image_pil(
    image: PIL.Image.Image,
    displacement: torch.Tensor,
    interpolation: Interpolation = InterpolationMode.BILINEAR,
    fill: Fill = None,
) -> PIL.Image.Image:
    output = elastic_image(pil_to_tensor(image), displacement, interpolation=interpolation, fill=fill)
    return to_pil_image(output, mode=image.mode)


def _elastic_points(points: torch.Tensor, canvas_size: Canvas, displacement: torch.Tensor) -> torch.Tensor:
    """Points ``[N, 2]`` moved through the approximate inverse of the field, ``identity - displacement``, read at
    the pixel each point falls in (``displacement`` already in the dtype to compute in)."""
    inverse = _identity_grid(canvas_size, device=displacement.device, dtype=displacement.dtype).sub_(displacement)
    index = points.to(dtype=torch.long)
    index_x = index[:, 0].clamp(0, inverse.shape[2] - 1)
    index_y = index[:, 1].clamp(0, inverse.shape[1] - 1)
    size = torch.tensor(canvas_size[::-1], device=displacement.device, dtype=displacement.dtype)
    return inverse[0, index_y, index_x, :].add_(1).mul_(0.5 * size).sub_(0.5)


def _displacement_like(displacement: torch.Tensor, points: torch.Tensor) -> torch.Tensor:
    dtype = points.dtype if points.is_floating_point() else torch.float32
    return displacement.to(dtype=dtype, device=points.device)


def elastic_keypoints(keypoints: torch.Tensor, canvas_size: Canvas, displacement: torch.Tensor) -> torch.Tensor:
    """Keypoints ``[..., 2]`` moved by the elastic field (approximately: the field is not inverted exactly).

    Raises:
        TypeError: if ``displacement`` is not a tensor. ValueError: if it is not ``[1, H, W, 2]``.
    """
    _check_displacement(displacement, canvas_size)
    if keypoints.numel() == 0:
        return keypoints
    displacement = _displacement_like(displacement, keypoints)
    moved = _elastic_points(keypoints.reshape(-1, 2), canvas_size, displacement)
    return moved.to(keypoints.dtype).reshape(keypoints.shape)


@_register_kernel_internal(elastic, tv_tensors.KeyPoints, tv_tensor_wrapper=False)
def _elastic_keypoints_dispatch(
    inpt: tv_tensors.KeyPoints, displacement: torch.Tensor, **kwargs: object
) -> tv_tensors.KeyPoints:
    output = elastic_keypoints(inpt.as_subclass(torch.Tensor), canvas_size=inpt.canvas_size, displacement=displacement)
    return tv_tensors.wrap(output, like=inpt)


def elastic_bounding_boxes(
    bounding_boxes: torch.Tensor,
    format: BoxFormat,
    canvas_size: Canvas,
    displacement: torch.Tensor,
    clamping_mode: ClampingMode = "soft",
) -> torch.Tensor:
    """Boxes of ``format`` moved by the elastic field and clamped as ``clamping_mode`` says: axis-aligned boxes
    become the extent of their moved corners; rotated boxes move their center and keep size and angle.

    Raises:
        TypeError: if ``displacement`` is not a tensor. ValueError: if it is not ``[1, H, W, 2]``.
    """
    _check_displacement(displacement, canvas_size)
    if bounding_boxes.numel() == 0:
        return bounding_boxes
    displacement = _displacement_like(displacement, bounding_boxes)
    rotated = tv_tensors.is_rotated_bounding_format(format)
    working = BoxFormat.CXCYWHR if rotated else BoxFormat.XYXY
    boxes = _convert_boxes(bounding_boxes, format, working).reshape(-1, 5 if rotated else 4)

    points = (boxes[:, :2] if rotated else boxes[:, _XYXY_CORNERS]).reshape(-1, 2)
    if points.is_floating_point():
        points = points.ceil()
    moved = _elastic_points(points, canvas_size, displacement)
    if rotated:
        out = torch.cat([moved, boxes[:, 2:]], dim=1).to(boxes.dtype)
    else:
        out = _boxes_from_corners(moved, rotated=False).to(boxes.dtype)
    out = _clamp_boxes(out, working, canvas_size, clamping_mode)
    return _convert_boxes(out, working, format).reshape(bounding_boxes.shape)


@_register_kernel_internal(elastic, tv_tensors.BoundingBoxes, tv_tensor_wrapper=False)
def _elastic_bounding_boxes_dispatch(
    inpt: tv_tensors.BoundingBoxes, displacement: torch.Tensor, **kwargs: object
) -> tv_tensors.BoundingBoxes:
    return _call_box_kernel(elastic_bounding_boxes, inpt, displacement=displacement)


def elastic_mask(mask: torch.Tensor, displacement: torch.Tensor, fill: Fill = None) -> torch.Tensor:
    """Elastic warp of a mask ``[..., H, W]`` (nearest, so labels stay labels)."""
    return _unsqueezed(
        elastic_image, mask, displacement=displacement, interpolation=InterpolationMode.NEAREST, fill=fill
    )


@_register_kernel_internal(elastic, tv_tensors.Mask, tv_tensor_wrapper=False)
def _elastic_mask_dispatch(
    inpt: tv_tensors.Mask, displacement: torch.Tensor, fill: Fill = None, **kwargs: object
) -> tv_tensors.Mask:
    output = elastic_mask(inpt.as_subclass(torch.Tensor), displacement=displacement, fill=fill)
    return tv_tensors.wrap(output, like=inpt)


@_register_kernel_internal(elastic, tv_tensors.Video)
def elastic_video(
    video: torch.Tensor,
    displacement: torch.Tensor,
    interpolation: Interpolation = InterpolationMode.BILINEAR,
    fill: Fill = None,
) -> torch.Tensor:
    return elastic_image(video, displacement, interpolation=interpolation, fill=fill)
