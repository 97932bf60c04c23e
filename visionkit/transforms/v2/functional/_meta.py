"""What a v2 input is: its dimensions, size, channels and frames; and box and keypoint bookkeeping (format
conversion, clamping to the canvas)."""

from __future__ import annotations

from typing import Any

import PIL.Image
import torch

from .... import tv_tensors
from ..._image import get_dimensions as _dimensions_v1
from ._utils import _get_kernel, _register_kernel_internal, is_pure_tensor

__all__ = [
    "clamp_bounding_boxes",
    "clamp_keypoints",
    "convert_bounding_box_format",
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


# ------------------------------------------------------------------------------------------------ box formats
# Every conversion goes through XYXY (axis-aligned formats) or XYWHR (rotated formats), except XYWH <-> CXCYWH,
# which is direct. The arithmetic (which ops, in which order, integer floor division) is torchvision's, so the
# converted numbers are the same bit for bit; ``inplace`` lets callers that own the tensor skip a copy.
_Format = tv_tensors.BoundingBoxFormat


def _floor_half(t: torch.Tensor) -> torch.Tensor:
    """``t / 2``, floored for integer tensors."""
    return t.div(2, rounding_mode=None if t.is_floating_point() else "floor")


def _own(boxes: torch.Tensor, inplace: bool) -> torch.Tensor:
    return boxes if inplace else boxes.clone()


def _corners_from_xywh(boxes: torch.Tensor) -> torch.Tensor:  # XYWH -> XYXY, in place
    boxes[..., 2:] += boxes[..., :2]
    return boxes


def _xywh_from_corners(boxes: torch.Tensor) -> torch.Tensor:  # XYXY -> XYWH, in place
    boxes[..., 2:] -= boxes[..., :2]
    return boxes


def _centers_from_xywh(boxes: torch.Tensor) -> torch.Tensor:  # XYWH -> CXCYWH, in place
    boxes[..., :2].add_(_floor_half(boxes[..., 2:]))
    return boxes


def _centers_from_corners(boxes: torch.Tensor) -> torch.Tensor:  # XYXY -> CXCYWH, in place: (2 x1 + w) / 2
    boxes[..., 2:].sub_(boxes[..., :2])
    boxes[..., :2].mul_(2).add_(boxes[..., 2:]).div_(2, rounding_mode=None if boxes.is_floating_point() else "floor")
    return boxes


def _from_centers(boxes: torch.Tensor, inplace: bool, *, to_corners: bool) -> torch.Tensor:
    """CXCYWH -> XYXY (``to_corners``) or XYWH, computed in float32 for integer boxes (then truncated back: the
    XYWH width is recomputed from the truncated corners, as the two-step route through XYXY gives)."""
    integer = not boxes.is_floating_point()
    work = boxes.float() if integer else _own(boxes, inplace)
    work[..., :2].sub_(work[..., 2:] / 2)
    if to_corners:
        work[..., 2:].add_(work[..., :2])
    if not integer:
        return work
    if to_corners:
        out = work.to(boxes.dtype)
    else:
        far = (work[..., :2] + work[..., 2:]).to(boxes.dtype)
        out = work.to(boxes.dtype)
        out[..., 2:] = far - out[..., :2]
    if inplace:
        boxes[:] = out
        return boxes
    return out


def _angle_cos_sin(boxes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    radians = boxes[..., 4].mul(torch.pi).div(180.0)
    return radians.cos(), radians.sin()


def _shift_rotated_origin(boxes: torch.Tensor, sign: float) -> torch.Tensor:
    """Move the reference point of rotated boxes between the first corner (XYWHR) and the centre (CXCYWHR), in
    place: ``sign`` +1 goes corner -> centre, -1 centre -> corner."""
    half = boxes[..., 2:-1].div(-2, rounding_mode=None if boxes.is_floating_point() else "floor").abs_()
    cos, sin = _angle_cos_sin(boxes)
    half_w, half_h = half[..., 0], half[..., 1]
    if sign > 0:
        boxes[..., 0].add_(half_w.mul(cos)).add_(half_h.mul(sin))
        boxes[..., 1].sub_(half_w.mul(sin)).add_(half_h.mul(cos))
    else:
        boxes[..., 0].sub_(half_w.mul(cos)).sub_(half_h.mul(sin))
        boxes[..., 1].add_(half_w.mul(sin)).sub_(half_h.mul(cos))
    return boxes


def _polygon_from_xywhr(boxes: torch.Tensor) -> torch.Tensor:
    """XYWHR -> XYXYXYXY: the corners clockwise on screen from the first one (a new tensor)."""
    w, h = boxes[..., 2], boxes[..., 3]
    cos, sin = _angle_cos_sin(boxes)
    out = boxes[..., :2].tile((1, 4))
    out[..., 2].add_(w.mul(cos))
    out[..., 3].sub_(w.mul(sin))
    out[..., 4].add_(w.mul(cos).add(h.mul(sin)))
    out[..., 5].sub_(w.mul(sin).sub(h.mul(cos)))
    out[..., 6].add_(h.mul(sin))
    out[..., 7].add_(h.mul(cos))
    return out


def _xywhr_from_polygon(boxes: torch.Tensor) -> torch.Tensor:
    """XYXYXYXY -> XYWHR (in float32 unless float32/float64, cast back): width and height from the first two
    edges, the angle from the first edge."""
    dtype = boxes.dtype
    work = boxes if dtype in (torch.float32, torch.float64) else boxes.to(torch.float32)
    angle = torch.atan2(work[..., 1].sub(work[..., 3]), work[..., 2].sub(work[..., 0]))
    work[..., 4:6].sub_(work[..., 2:4])
    work[..., 2:4].sub_(work[..., :2])
    work[..., 2] = work[..., 2].pow(2).add(work[..., 3].pow(2)).sqrt()
    work[..., 3] = work[..., 4].pow(2).add(work[..., 5].pow(2)).sqrt()
    work[..., 4] = angle.div_(torch.pi).mul_(180.0)
    return work.to(dtype)[..., :5]


def _convert_bounding_box_format(
    bounding_boxes: torch.Tensor, old_format: _Format, new_format: _Format, inplace: bool = False
) -> torch.Tensor:
    """Boxes of ``old_format`` in ``new_format`` (the input itself when the formats are equal).

    Raises:
        ValueError: between a rotated and an axis-aligned format.
    """
    if new_format == old_format:
        return bounding_boxes
    if tv_tensors.is_rotated_bounding_format(old_format) != tv_tensors.is_rotated_bounding_format(new_format):
        raise ValueError("Cannot convert between rotated and unrotated bounding boxes.")
    if (old_format, new_format) == (_Format.XYWH, _Format.CXCYWH):
        return _centers_from_xywh(_own(bounding_boxes, inplace))
    if (old_format, new_format) == (_Format.CXCYWH, _Format.XYWH):
        return _from_centers(bounding_boxes, inplace, to_corners=False)

    boxes = bounding_boxes
    if old_format == _Format.XYWH:
        boxes = _corners_from_xywh(_own(boxes, inplace))
    elif old_format == _Format.CXCYWH:
        boxes = _from_centers(boxes, inplace, to_corners=True)
    elif old_format == _Format.CXCYWHR:
        boxes = _shift_rotated_origin(_own(boxes, inplace), -1.0)
    elif old_format == _Format.XYXYXYXY:
        boxes = _xywhr_from_polygon(_own(boxes, inplace))

    if new_format == _Format.XYWH:
        boxes = _xywh_from_corners(_own(boxes, inplace))
    elif new_format == _Format.CXCYWH:
        boxes = _centers_from_corners(_own(boxes, inplace))
    elif new_format == _Format.CXCYWHR:
        boxes = _shift_rotated_origin(_own(boxes, inplace), 1.0)
    elif new_format == _Format.XYXYXYXY:
        boxes = _polygon_from_xywhr(_own(boxes, inplace))
    return boxes


def _parse_format(format: _Format | str | None) -> _Format | None:
    return _Format[format.upper()] if isinstance(format, str) else format


def convert_bounding_box_format(
    inpt: torch.Tensor,
    old_format: _Format | str | None = None,
    new_format: _Format | str | None = None,
    inplace: bool = False,
) -> torch.Tensor:
    """Boxes in ``new_format``: a ``BoundingBoxes`` knows its format; a plain tensor needs ``old_format``.

    Raises:
        TypeError: without ``new_format``, or for an input that is neither a tensor nor ``BoundingBoxes``.
        ValueError: for ``old_format`` missing on a plain tensor or given with ``BoundingBoxes``, or a conversion
            between rotated and axis-aligned formats.
    """
    if new_format is None:
        raise TypeError("convert_bounding_box_format() missing 1 required argument: 'new_format'")
    old_format, new_format = _parse_format(old_format), _parse_format(new_format)
    if is_pure_tensor(inpt):
        if old_format is None:
            raise ValueError("For pure tensor inputs, `old_format` has to be passed.")
        return _convert_bounding_box_format(inpt, old_format, new_format, inplace)
    if isinstance(inpt, tv_tensors.BoundingBoxes):
        if old_format is not None:
            raise ValueError("For bounding box tv_tensor inputs, `old_format` must not be passed.")
        boxes = _convert_bounding_box_format(inpt.as_subclass(torch.Tensor), inpt.format, new_format, inplace)
        return tv_tensors.wrap(boxes, like=inpt, format=new_format)
    raise TypeError(f"Input can either be a plain tensor or a bounding box tv_tensor, but got {type(inpt)} instead.")


# ----------------------------------------------------------------------------------------------------- clamping
def _clamp_bounding_boxes(
    bounding_boxes: torch.Tensor, format: _Format, canvas_size: tuple[int, int], clamping_mode: str | None
) -> torch.Tensor:
    """Axis-aligned boxes clipped to the canvas (soft and hard are the same for them; None copies)."""
    if clamping_mode is None:
        return bounding_boxes.clone()
    dtype = bounding_boxes.dtype
    boxes = bounding_boxes.clone() if bounding_boxes.is_floating_point() else bounding_boxes.float()
    boxes = _convert_bounding_box_format(boxes, format, _Format.XYXY, inplace=True)
    boxes[..., 0::2].clamp_(min=0, max=canvas_size[1])
    boxes[..., 1::2].clamp_(min=0, max=canvas_size[0])
    return _convert_bounding_box_format(boxes, _Format.XYXY, format, inplace=True).to(dtype)


def _leftmost_first(polygons: torch.Tensor, order: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Polygons ``[N, 8]`` with their corners cycled so the leftmost one (the upper one on a tie, by a weighted
    score) comes first, or cycled by a given ``order``; returns ``(order, polygons)``."""
    if order is None:
        flat = polygons.reshape(-1, 8)
        xs, ys = flat[..., 0::2], flat[..., 1::2]
        score = ys / ys.abs().max(dim=1, keepdim=True)[0] + (xs / xs.abs().max(dim=1, keepdim=True)[0]) * 100
        first = score.min(dim=1)[1]
        order = torch.ones_like(flat)
        order[..., 0] = first.mul(2)
        order.cumsum_(1).remainder_(8)
    return order, polygons.gather(1, order.to(torch.int64))


def _edge_lines(polygons: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Slope and y-intercept of the four edges (corner i to corner i + 1) of ``[N, 8]`` polygons."""
    xs, ys = polygons[..., ::2], polygons[..., 1::2]
    slope = ys.diff(append=ys[..., 0:1]) / xs.diff(append=xs[..., 0:1])
    return slope, ys - slope * xs


def _corners_of_lines(slope: torch.Tensor, intercept: torch.Tensor) -> torch.Tensor:
    """The corners where each edge meets the previous one, ``[N, 8]``."""
    xs = intercept.diff(prepend=intercept[..., 3:4]).neg() / slope.diff(prepend=slope[..., 3:4])
    ys = slope * xs + intercept
    return torch.cat((xs.unsqueeze(-1), ys.unsqueeze(-1)), dim=-1).view(slope.shape[0], 8)


def _clamped_intercepts(
    polygons: torch.Tensor, originals: torch.Tensor, canvas_size: tuple[int, int], clamping_mode: str | None
) -> torch.Tensor:
    """New y-intercepts of the four edges so that the left side of the box stays in the canvas: soft gives the
    smallest box of the same angle around the part inside, hard the largest box of that angle inside the canvas."""
    slope, intercept = _edge_lines(polygons)
    a1, a2, a3, a4 = slope.unbind(-1)
    b1, b2, b3, b4 = intercept.unbind(-1)
    o1, o2, o3, o4 = _edge_lines(originals)[1].unbind(-1)
    height, width = canvas_size
    b1 = b2.clamp(b1, b3).clamp(0, height)
    b4 = b3.clamp(b2, b4).clamp(0, height)
    if clamping_mode == "hard":
        b1 = b4 = (b1 + b4) / 2
        b2_options = torch.stack([b1 * a2 / a1, b3 * a2 / a3, (a1 - a2) * width + b1, (a3 - a2) * width + b3], dim=1)
        b2 = torch.max(b2_options, dim=1)[0].clamp(max=b2)
        b3_options = torch.stack(
            [
                height * (1 - a3 / a4) + b4 * a3 / a4,
                height * (1 - a3 / a2) + b2 * a3 / a2,
                (a2 - a3) * width + b2,
                (a4 - a3) * width + b4,
            ],
            dim=1,
        )
        b3 = torch.min(b3_options, dim=1)[0].clamp(min=b3)
    b1.clamp_(o1, o3)
    b3.clamp_(o1, o3)
    b2.clamp_(o2, o4)
    b4.clamp_(o2, o4)
    return torch.stack([b1, b2, b3, b4], dim=-1)


def _clamp_left_side(
    polygons: torch.Tensor, originals: torch.Tensor, canvas_size: tuple[int, int], clamping_mode: str | None
) -> torch.Tensor:
    """Polygons (leftmost corner first) moved back over the canvas's left edge."""
    shape = polygons.shape
    polygons, originals = polygons.reshape(-1, 8), originals.reshape(-1, 8)
    slope, _ = _edge_lines(polygons)
    x1, y1, x2, y2, x3, y3, x4, y4 = polygons.unbind(-1)
    intersected = _corners_of_lines(slope, _clamped_intercepts(polygons, originals, canvas_size, clamping_mode))
    shifted = polygons.clone()
    shifted[..., 0].clamp_(0)
    shifted[..., 6].clamp_(0)
    collapsed = torch.zeros_like(shifted)
    use_intersected = (x1 < 0) & ~intersected.isnan().any(-1)
    axis_aligned = y1.isclose(y2) | y3.isclose(y4)
    gone = ((x1 <= 0) & (x2 <= 0) & (x3 <= 0) & (x4 <= 0)) | y1.isclose(y4) | y2.isclose(y3)
    gone = gone | (axis_aligned & x1.isclose(x2))
    for condition, candidate in ((use_intersected, intersected), (axis_aligned, shifted), (gone, collapsed)):
        polygons = torch.where(condition.unsqueeze(1).repeat(1, 8), candidate.reshape(-1, 8), polygons)
    return polygons.reshape(shape)


def _clamp_rotated_bounding_boxes(
    bounding_boxes: torch.Tensor, format: _Format, canvas_size: tuple[int, int], clamping_mode: str | None
) -> torch.Tensor:
    """Rotated boxes kept to the canvas, one side at a time: clamp against the left edge, turn the canvas a quarter
    turn, four times. The angle is kept; ``clamping_mode`` None copies."""
    if clamping_mode is None:
        return bounding_boxes.clone()
    shape = bounding_boxes.shape
    boxes = _convert_bounding_box_format(bounding_boxes.clone(), format, _Format.XYXYXYXY, inplace=True).reshape(-1, 8)
    originals = boxes.clone()
    for _ in range(4):
        order, boxes = _leftmost_first(boxes)
        _, originals = _leftmost_first(originals, order)
        boxes = _clamp_left_side(boxes, originals, canvas_size, clamping_mode)
        _, boxes = _leftmost_first(boxes, order)
        _, originals = _leftmost_first(originals, order)
        for polygon in (boxes, originals):
            polygon[:, ::2], polygon[:, 1::2] = polygon[:, 1::2].clone(), canvas_size[1] - polygon[:, ::2].clone()
        canvas_size = (canvas_size[1], canvas_size[0])
    return _convert_bounding_box_format(boxes, _Format.XYXYXYXY, format, inplace=True).reshape(shape)


def _clamp_any_bounding_boxes(
    boxes: torch.Tensor, format: _Format, canvas_size: tuple[int, int], clamping_mode: str | None
) -> torch.Tensor:
    clamp = _clamp_rotated_bounding_boxes if tv_tensors.is_rotated_bounding_format(format) else _clamp_bounding_boxes
    return clamp(boxes, format, canvas_size, clamping_mode)


def clamp_bounding_boxes(
    inpt: torch.Tensor,
    format: _Format | None = None,
    canvas_size: tuple[int, int] | None = None,
    clamping_mode: str | None = "auto",
) -> torch.Tensor:
    """Boxes kept to their canvas. ``"auto"`` takes a ``BoundingBoxes``' own clamping mode; a plain tensor needs
    ``format``, ``canvas_size`` and an explicit mode.

    Raises:
        ValueError: for an unknown mode, missing arguments for a plain tensor, or ``format``/``canvas_size`` given
            with ``BoundingBoxes``.
        TypeError: for an input that is neither a tensor nor ``BoundingBoxes``.
    """
    if clamping_mode is not None and clamping_mode not in ("soft", "hard", "auto"):
        raise ValueError(f"clamping_mode must be soft, hard, auto or None, got {clamping_mode}")
    if is_pure_tensor(inpt):
        if format is None or canvas_size is None or clamping_mode == "auto":
            raise ValueError("For pure tensor inputs, `format`, `canvas_size` and `clamping_mode` have to be passed.")
        return _clamp_any_bounding_boxes(inpt, _parse_format(format), canvas_size, clamping_mode)
    if isinstance(inpt, tv_tensors.BoundingBoxes):
        if format is not None or canvas_size is not None:
            raise ValueError("For bounding box tv_tensor inputs, `format` and `canvas_size` must not be passed.")
        mode = inpt.clamping_mode if clamping_mode == "auto" else clamping_mode
        boxes = _clamp_any_bounding_boxes(inpt.as_subclass(torch.Tensor), inpt.format, inpt.canvas_size, mode)
        return tv_tensors.wrap(boxes, like=inpt)
    raise TypeError(f"Input can either be a plain tensor or a bounding box tv_tensor, but got {type(inpt)} instead.")


def _clamp_keypoints(keypoints: torch.Tensor, canvas_size: tuple[int, int]) -> torch.Tensor:
    """Points moved onto the canvas's pixels: x in [0, width - 1], y in [0, height - 1]."""
    dtype = keypoints.dtype
    points = keypoints.clone() if keypoints.is_floating_point() else keypoints.float()
    points[..., 0].clamp_(min=0, max=canvas_size[1] - 1)
    points[..., 1].clamp_(min=0, max=canvas_size[0] - 1)
    return points.to(dtype=dtype)


def clamp_keypoints(inpt: torch.Tensor, canvas_size: tuple[int, int] | None = None) -> torch.Tensor:
    """Keypoints kept to their canvas (a plain tensor needs ``canvas_size``).

    Raises:
        ValueError: for ``canvas_size`` missing on a plain tensor or given with ``KeyPoints``.
        TypeError: for an input that is neither a tensor nor ``KeyPoints``.
    """
    if is_pure_tensor(inpt):
        if canvas_size is None:
            raise ValueError("For pure tensor inputs, `canvas_size` has to be passed.")
        return _clamp_keypoints(inpt, canvas_size)
    if isinstance(inpt, tv_tensors.KeyPoints):
        if canvas_size is not None:
            raise ValueError("For keypoints tv_tensor inputs, `canvas_size` must not be passed.")
        return tv_tensors.wrap(_clamp_keypoints(inpt.as_subclass(torch.Tensor), inpt.canvas_size), like=inpt)
    raise TypeError(f"Input can either be a plain tensor or a keypoints tv_tensor, but got {type(inpt)} instead.")
