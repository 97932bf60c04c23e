"""transforms.v2 flip, resize, crop, center/resized/five/ten crop and pad functionals: the golden cases recorded from
torchvision 0.29.1, boxes and keypoints that follow the pixels they were drawn on (in every box format), round trips,
the PIL and tensor kernels agreeing, and the argument checks."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import PIL.Image
import pytest
import torch

import visionkit.transforms.v2.functional as F
from visionkit import tv_tensors as TV

from .v2_golden import check_golden, golden_params

_GOLDEN = golden_params(
    re.compile(
        r"^F\.(horizontal_flip|vertical_flip|hflip|vflip|resize|crop|center_crop|resized_crop|pad|five_crop|ten_crop)"
    )
)
_FORMATS = list(TV.BoundingBoxFormat)
H, W = 30, 40
# (x1, y1, x2, y2) of the lit rectangle, and a lit keypoint pixel (x, y).
_BOX = (6, 8, 18, 20)
_POINT = (22, 11)


@pytest.mark.parametrize(("case", "out"), _GOLDEN)
def test_golden(case: dict[str, Any], out: dict[str, Any]) -> None:
    check_golden(case, out)


def test_golden_covers_the_names() -> None:
    assert len(_GOLDEN) == 77


# ------------------------------------------------------------------------------------- boxes follow the pixels
def _drawn_image() -> torch.Tensor:
    image = torch.zeros(1, H, W, dtype=torch.uint8)
    x1, y1, x2, y2 = _BOX
    image[:, y1:y2, x1:x2] = 255
    return image


def _boxes(format: TV.BoundingBoxFormat, clamping_mode: str | None = "soft") -> TV.BoundingBoxes:
    """The lit rectangle as a box of ``format`` (rotated formats: at angle 0)."""
    x1, y1, x2, y2 = _BOX
    if TV.is_rotated_bounding_format(format):
        data, old_format = torch.tensor([[x1, y1, x2 - x1, y2 - y1, 0.0]]), TV.BoundingBoxFormat.XYWHR
    else:
        data, old_format = torch.tensor([_BOX], dtype=torch.float32), TV.BoundingBoxFormat.XYXY
    data = F.convert_bounding_box_format(data, old_format=old_format, new_format=format)
    return TV.BoundingBoxes(data, format=format, canvas_size=(H, W), clamping_mode=clamping_mode)


def _extent_of_pixels(image: torch.Tensor) -> list[float]:
    """``[x1, y1, x2, y2]`` around the lit pixels (box edges, so the last pixel's right edge)."""
    ys, xs = torch.nonzero(image[0], as_tuple=True)
    return [float(xs.min()), float(ys.min()), float(xs.max()) + 1, float(ys.max()) + 1]


def _extent_of_boxes(boxes: TV.BoundingBoxes) -> list[float]:
    """``[x1, y1, x2, y2]`` around the box's corners, whatever its format."""
    rotated = TV.is_rotated_bounding_format(boxes.format)
    target = TV.BoundingBoxFormat.XYXYXYXY if rotated else TV.BoundingBoxFormat.XYXY
    corners = F.convert_bounding_box_format(boxes, new_format=target).as_subclass(torch.Tensor)[0]
    xs, ys = corners[0::2], corners[1::2]
    return [xs.min().item(), ys.min().item(), xs.max().item(), ys.max().item()]


_OPS: dict[str, Callable[[Any], Any]] = {
    "hflip": F.horizontal_flip,
    "vflip": F.vertical_flip,
    "crop": lambda x: F.crop(x, 3, 2, 20, 25),
    "crop_beyond": lambda x: F.crop(x, -4, -6, 40, 50),
    "center_crop": lambda x: F.center_crop(x, [24, 30]),
    # Even margins: with odd ones torchvision pads the image and moves boxes by amounts one apart.
    "center_crop_larger": lambda x: F.center_crop(x, [36, 46]),
    "pad": lambda x: F.pad(x, [3, 1, 2, 5]),
    "pad_negative": lambda x: F.pad(x, [-2, -3, 4, 1]),
    "resize_up": lambda x: F.resize(x, [60, 120], interpolation="nearest"),
    "resize_down": lambda x: F.resize(x, [15, 20], interpolation="nearest"),
    "resized_crop": lambda x: F.resized_crop(x, 1, 1, 20, 20, [40, 60], interpolation="nearest"),
}


@pytest.mark.parametrize("format", _FORMATS, ids=lambda f: f.name)
@pytest.mark.parametrize("op", list(_OPS), ids=str)
def test_box_follows_the_image(op: str, format: TV.BoundingBoxFormat) -> None:
    image, boxes = _OPS[op](TV.Image(_drawn_image())), _OPS[op](_boxes(format))
    assert isinstance(boxes, TV.BoundingBoxes) and boxes.format == format
    assert tuple(boxes.canvas_size) == tuple(image.shape[-2:])
    torch.testing.assert_close(_extent_of_boxes(boxes), _extent_of_pixels(image), atol=1e-4, rtol=0)


@pytest.mark.parametrize("op", [op for op in _OPS if "resize" not in op], ids=str)
def test_keypoint_follows_its_pixel(op: str) -> None:
    image = torch.zeros(1, H, W, dtype=torch.uint8)
    image[0, _POINT[1], _POINT[0]] = 255
    points = _OPS[op](TV.KeyPoints([_POINT], canvas_size=(H, W)))
    out = _OPS[op](TV.Image(image))
    assert tuple(points.canvas_size) == tuple(out.shape[-2:])
    x, y = points.as_subclass(torch.Tensor)[0].round().long().tolist()
    assert out[0, y, x] == 255


def test_keypoint_scales_with_the_canvas() -> None:
    points = F.resize(TV.KeyPoints([[10.0, 6.0]], canvas_size=(H, W)), [60, 20])
    assert points.tolist() == [[5.0, 12.0]]
    assert points.canvas_size == (60, 20)


@pytest.mark.parametrize("format", _FORMATS, ids=lambda f: f.name)
@pytest.mark.parametrize("flip", [F.horizontal_flip, F.vertical_flip], ids=["h", "v"])
def test_flip_twice_is_identity(format: TV.BoundingBoxFormat, flip: Callable[[Any], Any]) -> None:
    boxes = _boxes(format)
    if TV.is_rotated_bounding_format(format):  # a tilted box, so that the angle matters
        boxes = F.convert_bounding_box_format(
            TV.BoundingBoxes([[12.0, 9.0, 8.0, 5.0, 30.0]], format="XYWHR", canvas_size=(H, W)), new_format=format
        )
    twice = flip(flip(boxes))
    torch.testing.assert_close(twice.as_subclass(torch.Tensor), boxes.as_subclass(torch.Tensor), atol=1e-4, rtol=0)


def test_rotated_box_flip_mirrors_the_angle() -> None:
    cx, cy, w, h, angle = 12.0, 9.0, 8.0, 4.0, 30.0
    box = TV.BoundingBoxes([[cx, cy, w, h, angle]], format="CXCYWHR", canvas_size=(H, W))
    assert F.horizontal_flip(box).tolist() == [[W - cx, cy, w, h, -angle]]
    assert F.vertical_flip(box).tolist() == [[cx, H - cy, w, h, 180 - angle]]


def test_resize_squares_skewed_rotated_boxes() -> None:
    box = TV.BoundingBoxes([[20.0, 15.0, 8.0, 4.0, 30.0]], format="CXCYWHR", canvas_size=(H, W))
    corners = F.convert_bounding_box_format(F.resize(box, [60, 40]), new_format="XYXYXYXY")[0].reshape(4, 2)
    sides = corners.roll(-1, 0) - corners
    # Consecutive sides of the result are perpendicular: a rectangle again.
    torch.testing.assert_close((sides * sides.roll(-1, 0)).sum(1), torch.zeros(4), atol=1e-3, rtol=0)


def test_pad_then_crop_back_is_identity() -> None:
    image, boxes = _drawn_image(), _boxes(TV.BoundingBoxFormat.CXCYWH)
    padded_image, padded_boxes = F.pad(image, [3, 4, 5, 6]), F.pad(boxes, [3, 4, 5, 6])
    assert torch.equal(F.crop(padded_image, 4, 3, H, W), image)
    torch.testing.assert_close(F.crop(padded_boxes, 4, 3, H, W), boxes)


def test_crop_clamps_per_clamping_mode() -> None:
    soft = F.crop(_boxes(TV.BoundingBoxFormat.XYXY), 10, 10, 20, 20)
    loose = F.crop(_boxes(TV.BoundingBoxFormat.XYXY, clamping_mode=None), 10, 10, 20, 20)
    assert loose.tolist() == [[c - 10.0 for c in _BOX]]  # moved, not clamped
    assert soft.tolist() == loose.clamp(0, 20).tolist()


# ---------------------------------------------------------------------------------------------------- images
@pytest.fixture
def img() -> torch.Tensor:
    return torch.randint(0, 256, (3, 17, 23), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))


def test_crop_beyond_the_image_pads_with_zeros(img: torch.Tensor) -> None:
    out = F.crop(img, -2, 20, 5, 6)
    assert out.shape == (3, 5, 6)
    assert torch.equal(out[:, 2:, :3], img[:, :3, 20:])
    assert out[:, :2].eq(0).all() and out[:, :, 3:].eq(0).all()


@pytest.mark.parametrize(
    "op",
    [
        F.horizontal_flip,
        F.vertical_flip,
        lambda x: F.crop(x, -3, 4, 20, 30),
        lambda x: F.center_crop(x, [20, 31]),
        lambda x: F.pad(x, [2, -1, 3, 4], fill=[10, 20, 30]),
        lambda x: F.pad(x, [2, 3], padding_mode="edge"),
        lambda x: F.pad(x, [2, 3, 1, 4], padding_mode="reflect"),
        lambda x: F.pad(x, [5, -3], padding_mode="symmetric"),
    ],
)
def test_pil_and_tensor_kernels_agree(img: torch.Tensor, op: Callable[[Any], Any]) -> None:
    pil = PIL.Image.fromarray(img.permute(1, 2, 0).numpy())
    from_pil = torch.from_numpy(np.asarray(op(pil)).copy()).permute(2, 0, 1)
    assert torch.equal(from_pil, op(img))


def test_five_and_ten_crop(img: torch.Tensor) -> None:
    tl, tr, bl, br, center = F.five_crop(TV.Image(img), [8, 9])
    assert all(isinstance(c, TV.Image) for c in (tl, tr, bl, br, center))
    assert torch.equal(tl, img[:, :8, :9]) and torch.equal(br, img[:, -8:, -9:])
    assert torch.equal(tr, img[:, :8, -9:]) and torch.equal(bl, img[:, -8:, :9])
    assert torch.equal(center, F.center_crop(img, [8, 9]))
    ten = F.ten_crop(img, 8, vertical_flip=True)
    assert len(ten) == 10 and torch.equal(ten[5], F.vertical_flip(img)[:, :8, :8])


@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32, torch.int16])
@pytest.mark.parametrize("interpolation", ["nearest", "bilinear", "bicubic"])
def test_resize_keeps_dtype_layout_and_leading_dims(dtype: torch.dtype, interpolation: str) -> None:
    video = torch.randint(0, 200, (2, 4, 3, 17, 23), generator=torch.Generator().manual_seed(1)).to(dtype)
    out = F.resize(TV.Video(video), [9, 31], interpolation=interpolation)
    assert isinstance(out, TV.Video) and out.dtype == dtype and out.shape == (2, 4, 3, 9, 31)
    # Each frame is resized on its own.
    assert torch.equal(out[1, 2], F.resize(video[1, 2], [9, 31], interpolation=interpolation))


def test_resize_keeps_channels_last(img: torch.Tensor) -> None:
    batch = img[None].contiguous(memory_format=torch.channels_last)
    assert F.resize(batch, [9, 11]).is_contiguous(memory_format=torch.channels_last)


def test_resize_to_the_same_size_is_the_input(img: torch.Tensor) -> None:
    assert F.resize(img, [17, 23]) is img


@pytest.mark.parametrize(
    ("size", "max_size", "expected"), [(10, None, [10, 13]), ([10], 12, [9, 12]), (None, 46, [34, 46])]
)
def test_resize_smaller_edge_and_max_size(img: torch.Tensor, size: Any, max_size: Any, expected: list[int]) -> None:
    assert list(F.resize(img, size, max_size=max_size).shape[-2:]) == expected


def test_mask_resize_is_nearest() -> None:
    mask = TV.Mask(torch.randint(0, 5, (17, 23), generator=torch.Generator().manual_seed(2)))
    out = F.resize(mask, [40, 50])  # the bilinear default does not apply to masks
    assert isinstance(out, TV.Mask) and out.shape == (40, 50)
    assert set(out.unique().tolist()) <= set(mask.unique().tolist())


def test_pil_resize_warns_that_antialias_is_ignored() -> None:
    with pytest.warns(UserWarning, match="Anti-alias option is always applied for PIL Image input"):
        F.resize(PIL.Image.new("RGB", (10, 10)), [5, 5], antialias=False)


# ------------------------------------------------------------------------------------------------------ checks
@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda x: F.pad(x, [1, 2, 3]), ValueError, "Padding must be an int or a 1, 2, or 4"),
        (lambda x: F.pad(x, "1"), TypeError, "`padding` should be an integer or tuple or list"),
        (lambda x: F.pad(x, 1, padding_mode="wrap"), ValueError, "`padding_mode` should be either"),
        (lambda x: F.pad(x, 1, fill=[1, 2, 3], padding_mode="edge"), ValueError, "not supported if fill is not scalar"),
        (lambda x: F.pad_mask(x, 1, fill=[1]), ValueError, "Non-scalar fill value is not supported"),
        (lambda x: F.resize(x, [5, 6], max_size=10), ValueError, "max_size should only be passed if size is None"),
        (lambda x: F.resize(x, 10, max_size=10), ValueError, "must be strictly greater than the requested"),
        (lambda x: F.resize(x, None), ValueError, "max_size must be an integer when size is None"),
        (lambda x: F.resize(x, 5, interpolation="lanczos", antialias=False), ValueError, "requires antialias=True"),
        (lambda x: F.resize(x, 5, interpolation="cubic"), ValueError, "Invalid interpolation mode: 'cubic'"),
        (lambda x: F.resize(x, 5, interpolation=None), ValueError, "should be an `InterpolationMode`"),
        (lambda x: F.five_crop(x, [20, 5]), ValueError, "Requested crop size"),
        (lambda x: F.five_crop(x, [1, 2, 3]), ValueError, "Please provide only two dimensions"),
    ],
)
def test_argument_checks(img: torch.Tensor, call: Callable[[Any], Any], error: type, match: str) -> None:
    with pytest.raises(error, match=re.escape(match)):
        call(img)


def test_boxes_and_keypoints_only_take_constant_padding() -> None:
    with pytest.raises(ValueError, match="Padding mode 'reflect' is not supported with bounding boxes"):
        F.pad(_boxes(TV.BoundingBoxFormat.XYXY), 2, padding_mode="reflect")
    with pytest.raises(ValueError, match="Padding mode 'edge' is not supported with KeyPoints"):
        F.pad(TV.KeyPoints([[1.0, 2.0]], canvas_size=(H, W)), 2, padding_mode="edge")


def test_unsupported_input_type() -> None:
    with pytest.raises(TypeError, match="supports inputs of type"):
        F.horizontal_flip("not an image")
