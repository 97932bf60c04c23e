"""Geometric functionals: flips, crops, padding, resizing and warps (rotate, affine, perspective, elastic).

Tensors go through torch ops (``interpolate`` with antialiasing, ``grid_sample``); PIL images through PIL's own
``resize``, ``rotate`` and ``transform``. Coordinates follow the pixel-edge convention: pixel ``(i, j)`` covers
``[j, j + 1] x [i, i + 1]`` and the image center is ``(W / 2, H / 2)``.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Sequence

import numpy as np
import PIL.Image
import PIL.ImageOps
import torch
import torch.nn.functional as nnf
from torch import Tensor

from ._conversion import pil_to_tensor, to_pil_image
from ._image import (
    Fill,
    ImageLike,
    InterpolationMode,
    as_batch,
    check_image,
    fill_for_pil,
    fill_for_tensor,
    from_batch,
    get_dimensions,
    is_pil,
    on_float_batch,
    pil_resample,
    tensor_mode,
    to_interpolation_mode,
)
from ._validation import check_center, check_number

__all__ = [
    "affine",
    "center_crop",
    "crop",
    "elastic_transform",
    "five_crop",
    "hflip",
    "pad",
    "perspective",
    "resize",
    "resized_crop",
    "rotate",
    "ten_crop",
    "vflip",
]

_RESIZE_MODES = (
    InterpolationMode.NEAREST,
    InterpolationMode.NEAREST_EXACT,
    InterpolationMode.BILINEAR,
    InterpolationMode.BICUBIC,
)
_WARP_MODES = (InterpolationMode.NEAREST, InterpolationMode.BILINEAR)
PADDING_MODES = ("constant", "edge", "reflect", "symmetric")


# ----------------------------------------------------------------------------------------------- argument parsing
def parse_size(size: int | Sequence[int], name: str = "size") -> tuple[int, int]:
    """``(h, w)`` from an int or a sequence of 1 or 2 ints."""
    if isinstance(size, numbers.Number) and not isinstance(size, bool):
        return int(size), int(size)
    if not isinstance(size, Sequence) or isinstance(size, str):
        raise TypeError(f"{name} should be an int or a sequence of 1 or 2 ints, got {size!r}")
    if len(size) not in (1, 2):
        raise ValueError(f"{name} should be an int or a sequence of 1 or 2 ints (h, w), got {size!r}")
    return int(size[0]), int(size[-1])


def parse_padding(padding: int | Sequence[int]) -> tuple[int, int, int, int]:
    """``(left, top, right, bottom)`` from an int, ``[all]``, ``[left/right, top/bottom]`` or ``[l, t, r, b]``."""
    if isinstance(padding, numbers.Number) and not isinstance(padding, bool):
        return (int(padding),) * 4
    if not isinstance(padding, (tuple, list)):
        raise TypeError(f"padding should be an int or a sequence of 1, 2 or 4 ints, got {padding!r}")
    if len(padding) not in (1, 2, 4):
        raise ValueError(f"padding should be an int or a sequence of 1, 2 or 4 ints, got {padding!r}")
    if len(padding) == 1:
        return (int(padding[0]),) * 4
    if len(padding) == 2:
        return int(padding[0]), int(padding[1]), int(padding[0]), int(padding[1])
    return int(padding[0]), int(padding[1]), int(padding[2]), int(padding[3])


def check_padding_mode(padding_mode: str) -> None:
    if padding_mode not in PADDING_MODES:
        raise ValueError(f"padding_mode should be one of {', '.join(PADDING_MODES)}, got {padding_mode!r}")


# ---------------------------------------------------------------------------------------------------- flips, crops
def hflip(img: ImageLike) -> ImageLike:
    """Flip an image left to right.

    Args:
        img (Tensor[..., H, W] | PIL.Image.Image): the image.
    """
    check_image(img)
    return img.transpose(PIL.Image.Transpose.FLIP_LEFT_RIGHT) if is_pil(img) else img.flip(-1)


def vflip(img: ImageLike) -> ImageLike:
    """Flip an image top to bottom.

    Args:
        img (Tensor[..., H, W] | PIL.Image.Image): the image.
    """
    check_image(img)
    return img.transpose(PIL.Image.Transpose.FLIP_TOP_BOTTOM) if is_pil(img) else img.flip(-2)


def crop(img: ImageLike, top: int, left: int, height: int, width: int) -> ImageLike:
    """Crop the ``height x width`` window whose top-left pixel is ``(top, left)``; outside the image is 0.

    Args:
        img (Tensor[..., H, W] | PIL.Image.Image): the image.
        top, left: coordinates of the window's top-left pixel; may be negative.
        height, width: size of the window.

    Returns:
        Tensor[..., height, width] | PIL.Image.Image: the window.
    """
    check_image(img)
    if is_pil(img):
        return img.crop((left, top, left + width, top + height))
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    inside = img[..., max(top, 0) : max(bottom, 0), max(left, 0) : max(right, 0)]
    if left >= 0 and top >= 0 and right <= w and bottom <= h:
        return inside
    missing = [max(-left, 0), max(-top, 0), max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
    missing = [min(m, size) for m, size in zip(missing, (width, height, width, height), strict=True)]
    return pad(inside, missing, fill=0)


def center_crop(img: ImageLike, output_size: int | Sequence[int]) -> ImageLike:
    """Crop the center of an image; an image smaller than ``output_size`` is first padded with 0 all around.

    Args:
        img (Tensor[..., H, W] | PIL.Image.Image): the image.
        output_size: ``(h, w)``, or one int for a square.
    """
    crop_h, crop_w = parse_size(output_size, "output_size")
    _, h, w = get_dimensions(img)
    if crop_w > w or crop_h > h:
        extra_w, extra_h = max(crop_w - w, 0), max(crop_h - h, 0)
        img = pad(img, [extra_w // 2, extra_h // 2, (extra_w + 1) // 2, (extra_h + 1) // 2], fill=0)
        _, h, w = get_dimensions(img)
        if (crop_h, crop_w) == (h, w):
            return img
    return crop(img, round((h - crop_h) / 2.0), round((w - crop_w) / 2.0), crop_h, crop_w)


def five_crop(img: ImageLike, size: int | Sequence[int]) -> tuple[ImageLike, ...]:
    """Crop the four corners and the center of an image.

    Args:
        img (Tensor[..., H, W] | PIL.Image.Image): the image.
        size: ``(h, w)`` of each crop, or one int for squares.

    Returns:
        tuple: ``(top_left, top_right, bottom_left, bottom_right, center)``.
    """
    crop_h, crop_w = parse_size(size)
    _, h, w = get_dimensions(img)
    if crop_w > w or crop_h > h:
        raise ValueError(f"size {(crop_h, crop_w)} should not be larger than the input size {(h, w)}")
    corners = [(0, 0), (0, w - crop_w), (h - crop_h, 0), (h - crop_h, w - crop_w)]
    return (*(crop(img, top, left, crop_h, crop_w) for top, left in corners), center_crop(img, [crop_h, crop_w]))


def ten_crop(img: ImageLike, size: int | Sequence[int], vertical_flip: bool = False) -> tuple[ImageLike, ...]:
    """The five crops of the image, then the five crops of its flipped version.

    Args:
        img (Tensor[..., H, W] | PIL.Image.Image): the image.
        size: ``(h, w)`` of each crop, or one int for squares.
        vertical_flip: flip top to bottom instead of left to right.
    """
    flipped = vflip(img) if vertical_flip else hflip(img)
    return five_crop(img, size) + five_crop(flipped, size)


# ------------------------------------------------------------------------------------------------------------ pad
def _pad_indices(size: int, before: int, after: int, mode: str) -> Tensor:
    """Source index of every output position along one axis for the edge/reflect/symmetric modes."""
    idx = torch.arange(-before, size + after)
    if mode == "edge" or size == 1:
        return idx.clamp(0, size - 1)
    period = 2 * size - 2 if mode == "reflect" else 2 * size
    idx = idx.remainder(period)
    mirror = period - 1 - idx if mode == "symmetric" else period - idx
    return torch.where(idx < size, idx, mirror)


def _torch_pad_mode(ltrb: tuple[int, int, int, int], h: int, w: int, padding_mode: str) -> str | None:
    """torch's own mode for ``padding_mode`` when it can do this padding (much faster than indexing), else None."""
    left, top, right, bottom = ltrb
    if min(ltrb) < 0:
        return None
    if padding_mode == "edge":
        return "replicate"
    if padding_mode == "reflect" and max(left, right) < w and max(top, bottom) < h:
        return "reflect"
    return None


def _check_mirror_padding(ltrb: tuple[int, int, int, int], h: int, w: int, padding_mode: str) -> None:
    """Refuse the mirror paddings that torchvision refuses on tensors, with the same exception types: ``reflect``
    needs each padding smaller than its side, ``symmetric`` at most its side (after negative paddings crop)."""
    if padding_mode not in ("reflect", "symmetric"):
        return
    left, top, right, bottom = ltrb
    if padding_mode == "symmetric":
        w -= max(-left, 0) + max(-right, 0)
        h -= max(-top, 0) + max(-bottom, 0)
    for name, value, side, size in [("left", left, "width", w), ("right", right, "width", w),
                                    ("top", top, "height", h), ("bottom", bottom, "height", h)]:  # fmt: skip
        if padding_mode == "reflect" and value >= size:
            raise RuntimeError(
                f"padding {name}={value} should be smaller than the image's {side} {size} in reflect mode"
            )
        if padding_mode == "symmetric" and value > size:
            raise IndexError(f"padding {name}={value} should be at most the image's {side} {size} in symmetric mode")


def _pad_tensor(img: Tensor, ltrb: tuple[int, int, int, int], fill: float, padding_mode: str) -> Tensor:
    left, top, right, bottom = ltrb
    if padding_mode == "constant":
        return nnf.pad(img, [left, right, top, bottom], value=float(fill))
    h, w = img.shape[-2:]
    _check_mirror_padding(ltrb, h, w, padding_mode)
    torch_mode = _torch_pad_mode(ltrb, h, w, padding_mode)
    if torch_mode is not None:
        return from_batch(nnf.pad(as_batch(img), [left, right, top, bottom], mode=torch_mode), img)
    rows = _pad_indices(h, top, bottom, padding_mode)
    cols = _pad_indices(w, left, right, padding_mode)
    return img.index_select(-2, rows).index_select(-1, cols)


def _pad_pil(img: PIL.Image.Image, ltrb: tuple[int, int, int, int], fill: Fill, padding_mode: str) -> PIL.Image.Image:
    # Negative padding removes pixels: crop those first, then pad with what is left.
    cut = [max(-p, 0) for p in ltrb]
    if any(cut):
        img = img.crop((cut[0], cut[1], img.width - cut[2], img.height - cut[3]))
    left, top, right, bottom = (max(p, 0) for p in ltrb)
    if padding_mode == "constant":
        return PIL.ImageOps.expand(img, border=(left, top, right, bottom), **fill_for_pil(fill, img))
    array = np.asarray(img)
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (array.ndim - 2)
    padded = PIL.Image.fromarray(np.pad(array, widths, mode=padding_mode), mode=img.mode)
    if img.mode == "P":
        padded.putpalette(img.getpalette())
    return padded


def pad(img: ImageLike, padding: int | Sequence[int], fill: Fill = 0, padding_mode: str = "constant") -> ImageLike:
    """Pad an image on all sides; negative padding crops.

    Args:
        img (Tensor[..., H, W] | PIL.Image.Image): the image.
        padding: one int for all sides, ``[left/right, top/bottom]`` or ``[left, top, right, bottom]``.
        fill: value of ``constant`` padding; a number for tensors, a number or one per band for PIL images.
        padding_mode: ``constant``, ``edge`` (repeat the last value), ``reflect`` (mirror without repeating the
            edge: ``[1, 2, 3] -> [3, 2, 1, 2, 3, 2, 1]``) or ``symmetric`` (mirror repeating the edge:
            ``[1, 2, 3] -> [2, 1, 1, 2, 3, 3, 2]``).
    """
    check_image(img)
    ltrb = parse_padding(padding)
    check_padding_mode(padding_mode)
    if is_pil(img):
        return _pad_pil(img, ltrb, fill, padding_mode)
    if not isinstance(fill, (int, float)):
        raise TypeError(f"fill should be a number for Tensor images, got {fill!r}")
    return _pad_tensor(img, ltrb, fill, padding_mode)


# --------------------------------------------------------------------------------------------------------- resize
def resized_output_size(
    image_size: tuple[int, int], size: int | Sequence[int], max_size: int | None = None
) -> tuple[int, int]:
    """The ``(h, w)`` that :func:`resize` produces from an image of size ``image_size``.

    An int (or a 1-element sequence) sets the smaller edge and keeps the aspect ratio, the longer edge being capped
    at ``max_size``; a pair ``(h, w)`` is the output size.
    """
    if isinstance(size, Sequence) and len(size) == 2:
        if max_size is not None:
            raise ValueError(f"max_size should only be given when size is the smaller edge (one int), got {size!r}")
        return int(size[0]), int(size[1])
    requested = parse_size(size)[0]
    h, w = image_size
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = requested, int(requested * long / short)
    if max_size is not None:
        if max_size <= requested:
            raise ValueError(f"max_size should be larger than the smaller edge size {requested}, got {max_size}")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    return (new_long, new_short) if w <= h else (new_short, new_long)


def resize(
    img: ImageLike,
    size: int | Sequence[int],
    interpolation: InterpolationMode = InterpolationMode.BILINEAR,
    max_size: int | None = None,
    antialias: bool | None = True,
) -> ImageLike:
    """Resize an image.

    Args:
        img (Tensor[..., H, W] | PIL.Image.Image): the image.
        size: ``(h, w)``, or one int: the smaller edge becomes ``size`` and the aspect ratio is kept.
        interpolation: tensors support NEAREST, NEAREST_EXACT, BILINEAR and BICUBIC.
        max_size: with an int ``size``, the longer edge is capped at ``max_size`` (the smaller edge shrinks).
        antialias: low-pass filter when downsampling tensors in BILINEAR or BICUBIC (PIL always does).
    """
    check_image(img)
    _, h, w = get_dimensions(img)
    out_h, out_w = resized_output_size((h, w), size, max_size)
    if (out_h, out_w) == (h, w):
        return img
    if is_pil(img):
        return img.resize((out_w, out_h), pil_resample(interpolation))
    mode = tensor_mode(interpolation, _RESIZE_MODES)
    smooth = mode in ("bilinear", "bicubic")

    def _interpolate(batch: Tensor) -> Tensor:
        align = False if smooth else None
        antialiased = bool(antialias) and smooth
        return nnf.interpolate(batch, [out_h, out_w], mode=mode, align_corners=align, antialias=antialiased)

    # Bicubic weights go negative and can overshoot the range; the other modes take weighted means.
    return on_float_batch(img, _interpolate, within_range=mode != "bicubic")


def resized_crop(
    img: ImageLike,
    top: int,
    left: int,
    height: int,
    width: int,
    size: int | Sequence[int],
    interpolation: InterpolationMode = InterpolationMode.BILINEAR,
    antialias: bool | None = True,
) -> ImageLike:
    """:func:`crop` then :func:`resize` to ``size``."""
    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)


# ---------------------------------------------------------------------------------------------------------- warps
def _parse_shear(shear: float | Sequence[float]) -> tuple[float, float]:
    if isinstance(shear, (int, float)):
        return float(shear), 0.0
    if not isinstance(shear, Sequence) or isinstance(shear, str):
        raise TypeError(f"shear should be a number or a sequence of 1 or 2 numbers, got {shear!r}")
    if len(shear) not in (1, 2):
        raise ValueError(f"shear should be a number or a sequence of 1 or 2 numbers, got {shear!r}")
    return float(shear[0]), float(shear[-1])


def affine_matrix(
    center: Sequence[float],
    angle: float,
    translate: Sequence[float],
    scale: float,
    shear: Sequence[float],
    inverted: bool = True,
) -> list[float]:
    """The 2x3 matrix (row-major, 6 floats) of the affine map ``T * C * RSS * C^-1``.

    ``C`` moves the origin to ``center``, ``T`` translates and ``RSS`` rotates by ``angle`` degrees (clockwise in
    image coordinates), shears by ``shear = (sx, sy)`` degrees and scales. With ``inverted`` (the default) the
    matrix maps output coordinates to input coordinates, as image warps need.
    """
    rot, sx, sy = math.radians(angle), math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    # RSS = scale * [[a, b], [c, d]], whose determinant is 1 before scaling.
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    if inverted:
        m = [d / scale, -b / scale, -c / scale, a / scale]
        ox, oy = -cx - tx, -cy - ty
        return [m[0], m[1], m[0] * ox + m[1] * oy + cx, m[2], m[3], m[2] * ox + m[3] * oy + cy]
    m = [a * scale, b * scale, c * scale, d * scale]
    return [m[0], m[1], -m[0] * cx - m[1] * cy + cx + tx, m[2], m[3], -m[2] * cx - m[3] * cy + cy + ty]


def affine_output_size(inverse_matrix: Sequence[float], width: int, height: int) -> tuple[int, int]:
    """``(w, h)`` of the canvas that holds the whole warped image (``expand=True``).

    The matrix is the centered inverse map; its corners' extent is rounded outwards after dropping noise below 1e-4.
    """
    corners = torch.tensor([[-0.5 * width, -0.5 * height, 1.0], [-0.5 * width, 0.5 * height, 1.0],
                            [0.5 * width, 0.5 * height, 1.0], [0.5 * width, -0.5 * height, 1.0]])  # fmt: skip
    theta = torch.tensor(inverse_matrix, dtype=torch.float).view(2, 3)
    # Back to [0, w] x [0, h] coordinates before rounding, as PIL does, so that both canvases agree.
    warped = corners @ theta.T + torch.tensor([0.5 * width, 0.5 * height])
    tol = 1e-4
    high = torch.ceil((warped.amax(0) / tol).trunc_() * tol)
    low = torch.floor((warped.amin(0) / tol).trunc_() * tol)
    size = high - low
    return int(size[0]), int(size[1])


def _fill_needs_inside_mask(mode: str, fill: Sequence[float] | None) -> bool:
    """Whether a warp must sample a channel of ones to tell which output points fall outside the input.

    Not without a fill, nor for nearest sampling with a fill of zeros: the points such a channel would mark outside
    are those ``grid_sample``'s zero padding already sets to 0. Shared by the v1 and v2 warps.
    """
    return fill is not None and not (mode == "nearest" and all(value == 0 for value in fill))


def _grid_sample(img: Tensor, grid: Tensor, mode: str, fill: list[float] | None) -> Tensor:
    """Sample ``img`` at the normalized points ``grid`` (``Tensor[1, H', W', 2]``); outside points get ``fill``
    (0 when None).

    torchvision's steps, one for one: ``grid_sample`` on the image in the grid's dtype (float32 for integer images)
    with a channel of ones appended when there is a fill; that channel then picks the fill (nearest: where it is
    below 0.5) or blends it in (bilinear), and integer images are rounded. (An index-gathering nearest path that
    skips the float copy was tried: it rounds like grid_sample only as long as it mirrors the compiled kernel's
    arithmetic, and it was no faster on grid_sample's own interleaved grid.)
    """
    if img.is_floating_point() and img.dtype != grid.dtype:
        return _grid_sample(img.to(grid.dtype), grid, mode, fill).to(img.dtype)

    if not _fill_needs_inside_mask(mode, fill):
        fill = None

    def _sample(batch: Tensor) -> Tensor:
        g = grid.expand(batch.shape[0], *grid.shape[1:])
        if fill is None:
            return nnf.grid_sample(batch, g, mode=mode, padding_mode="zeros", align_corners=False)
        ones = torch.ones_like(batch[:, :1])
        out = nnf.grid_sample(torch.cat([batch, ones], 1), g, mode=mode, padding_mode="zeros", align_corners=False)
        out, inside = out[:, :-1], out[:, -1:].expand_as(out[:, :-1])
        fill_img = torch.tensor(fill, dtype=out.dtype).view(1, -1, 1, 1).expand_as(out)
        if mode == "nearest":
            return torch.where(inside < 0.5, fill_img, out)
        return out * inside + (1.0 - inside) * fill_img

    return on_float_batch(img, _sample)


_CACHED_GRID_PIXELS = 1 << 20


def _base_grid(ow: int, oh: int, x0: float, y0: float, dtype: torch.dtype) -> Tensor:
    """``Tensor[1, oh, ow, 3]`` of ``(x, y, 1)`` at every output pixel, ``x`` from ``x0`` and ``y`` from ``y0`` in
    steps of 1. Each warp's sampling points are this grid times a ``[3, 2]`` matrix, in one ``bmm``: the product of
    torchvision's warps, whose rounding (fused or not, in which order) is the BLAS kernel's and nothing else's.

    The grid depends on the output size only, so the last few of up to a megapixel are kept (read only: never write
    to the result); a random warp of one image size then builds it once.
    """
    if ow * oh <= _CACHED_GRID_PIXELS:
        return _cached_base_grid(ow, oh, x0, y0, dtype)
    return _make_base_grid(ow, oh, x0, y0, dtype)


def _make_base_grid(ow: int, oh: int, x0: float, y0: float, dtype: torch.dtype) -> Tensor:
    base = torch.empty(1, oh, ow, 3, dtype=dtype)
    base[..., 0].copy_(torch.linspace(x0, x0 + ow - 1, steps=ow))
    base[..., 1].copy_(torch.linspace(y0, y0 + oh - 1, steps=oh).unsqueeze_(-1))
    base[..., 2].fill_(1)
    return base


_cached_base_grid = functools.lru_cache(maxsize=4)(_make_base_grid)


def _grid_product(ow: int, oh: int, x0: float, y0: float, matrix: Tensor) -> Tensor:
    """``base @ matrix`` for the base grid of :func:`_base_grid` and a ``[1, 3, 2]`` matrix: ``Tensor[1, oh, ow, 2]``.

    torchvision computes it with ``bmm``. Where this torch's ``bmm`` rounds such a product as ``(x a + y b) + c``,
    unfused and in that order (:func:`_bmm_rounds_unfused` checks it once per dtype), the same sums are built from the
    products of the ``ow`` column and ``oh`` row coordinates, broadcast: the same bits, several times faster.
    """
    if not _bmm_rounds_unfused(matrix.dtype):
        base = _base_grid(ow, oh, x0, y0, matrix.dtype)
        return base.view(1, oh * ow, 3).bmm(matrix).view(1, oh, ow, 2)
    xs = torch.linspace(x0, x0 + ow - 1, steps=ow).to(matrix.dtype)  # the base grid's own coordinates
    ys = torch.linspace(y0, y0 + oh - 1, steps=oh).to(matrix.dtype).unsqueeze_(-1)
    out = torch.empty(1, oh, ow, 2, dtype=matrix.dtype)
    m = matrix[0]
    for k in range(2):
        torch.add(xs * m[0, k], ys * m[1, k], out=out[0, :, :, k]).add_(m[2, k])
    return out


@functools.cache
def _bmm_rounds_unfused(dtype: torch.dtype) -> bool:
    """Whether ``bmm`` of a base grid by ``[3, 2]`` matrices gives ``(x a + y b) + c`` bit for bit, on a probe of
    sizes and matrices (MKL does on CPUs seen so far; a BLAS that fuses or reorders does not, and keeps ``bmm``)."""
    generator = torch.Generator().manual_seed(0)
    for ow, oh in ((500, 375), (97, 61), (1, 7), (1283, 3)):
        x0, y0 = -ow * 0.5 + 0.5, -oh * 0.5 + 0.5
        base = _make_base_grid(ow, oh, x0, y0, dtype).view(1, oh * ow, 3)
        for _ in range(3):
            matrix = (torch.rand(1, 3, 2, generator=generator, dtype=torch.float64) * 4 - 2).to(dtype) / 97.0
            xs = torch.linspace(x0, x0 + ow - 1, steps=ow).to(dtype)
            ys = torch.linspace(y0, y0 + oh - 1, steps=oh).to(dtype).unsqueeze_(-1)
            m = matrix[0]
            cols = [(xs * m[0, k] + ys * m[1, k]).add_(m[2, k]) for k in range(2)]
            if not torch.equal(torch.stack(cols, dim=-1).view(1, oh * ow, 2), base.bmm(matrix)):
                return False
    return True


def _affine_grid(theta: Tensor, w: int, h: int, ow: int, oh: int) -> Tensor:
    """Normalized sampling points ``Tensor[1, oh, ow, 2]`` of a centered inverse affine map ``theta [1, 2, 3]``
    on an ``ow x oh`` output of a ``w x h`` input."""
    rescaled = theta.transpose(1, 2) / torch.tensor([0.5 * w, 0.5 * h], dtype=theta.dtype)
    return _grid_product(ow, oh, -ow * 0.5 + 0.5, -oh * 0.5 + 0.5, rescaled)


def _warp_dtype(img: Tensor) -> torch.dtype:
    return img.dtype if img.is_floating_point() else torch.float32


def _affine_tensor(
    img: Tensor, matrix: list[float], interpolation: InterpolationMode, fill: Fill, expand: bool = False
) -> Tensor:
    mode = tensor_mode(interpolation, _WARP_MODES)
    fills = fill_for_tensor(fill, get_dimensions(img)[0])
    h, w = img.shape[-2:]
    ow, oh = affine_output_size(matrix, w, h) if expand else (w, h)
    theta = torch.tensor(matrix, dtype=_warp_dtype(img)).reshape(1, 2, 3)
    return _grid_sample(img, _affine_grid(theta, w, h, ow, oh), mode, fills)


def rotate(
    img: ImageLike,
    angle: float,
    interpolation: InterpolationMode = InterpolationMode.NEAREST,
    expand: bool = False,
    center: Sequence[float] | None = None,
    fill: Fill = None,
) -> ImageLike:
    """Rotate an image counter-clockwise by ``angle`` degrees.

    Args:
        img (Tensor[..., H, W] | PIL.Image.Image): the image.
        angle: degrees, counter-clockwise.
        interpolation: NEAREST or BILINEAR for tensors.
        expand: grow the canvas to hold the whole rotated image (about the image center).
        center: ``(x, y)`` to rotate about, in pixels from the top-left corner; the image center by default.
        fill: value for the area outside the rotated image; one number or one per channel.
    """
    check_image(img)
    check_number(angle, "angle")
    check_center(center)
    if is_pil(img):
        return img.rotate(angle, pil_resample(interpolation), expand, center, **fill_for_pil(fill, img, "fillcolor"))
    _, h, w = get_dimensions(img)
    center_f = [0.0, 0.0] if center is None else [c - s * 0.5 for c, s in zip(center, (w, h), strict=True)]
    matrix = affine_matrix(center_f, -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    return _affine_tensor(img, matrix, interpolation, fill, expand)


def affine(
    img: ImageLike,
    angle: float,
    translate: Sequence[float],
    scale: float,
    shear: float | Sequence[float],
    interpolation: InterpolationMode = InterpolationMode.NEAREST,
    fill: Fill = None,
    center: Sequence[float] | None = None,
) -> ImageLike:
    """Apply an affine map that keeps the image center fixed: rotate, scale, shear, then translate.

    Args:
        img (Tensor[..., H, W] | PIL.Image.Image): the image.
        angle: rotation in degrees, clockwise.
        translate: ``(tx, ty)`` in pixels.
        scale: overall scale, > 0.
        shear: degrees; a number shears along x only, ``(sx, sy)`` along both axes.
        interpolation: NEAREST or BILINEAR for tensors.
        fill: value for the area outside the warped image; one number or one per channel.
        center: ``(x, y)`` fixed point, in pixels from the top-left corner; the image center by default.
    """
    check_image(img)
    check_number(angle, "angle")
    if not isinstance(translate, Sequence) or isinstance(translate, str):
        raise TypeError(f"translate should be a sequence of 2 numbers, got {translate!r}")
    if len(translate) != 2:
        raise ValueError(f"translate should be a sequence of 2 numbers, got {translate!r}")
    check_number(scale, "scale")
    if scale <= 0.0:
        raise ValueError(f"scale should be positive, got {scale}")
    shear_xy = _parse_shear(shear)
    check_center(center)
    _, h, w = get_dimensions(img)
    if is_pil(img):
        center_px = [w * 0.5, h * 0.5] if center is None else list(center)
        matrix = affine_matrix(center_px, angle, translate, scale, shear_xy)
        opts = fill_for_pil(fill, img, "fillcolor")
        return img.transform((w, h), PIL.Image.Transform.AFFINE, matrix, pil_resample(interpolation), **opts)
    center_f = [0.0, 0.0] if center is None else [c - s * 0.5 for c, s in zip(center, (w, h), strict=True)]
    matrix = affine_matrix(center_f, angle, [float(t) for t in translate], scale, shear_xy)
    return _affine_tensor(img, matrix, interpolation, fill)


def perspective_coefficients(
    startpoints: Sequence[Sequence[float]], endpoints: Sequence[Sequence[float]]
) -> list[float]:
    """The 8 coefficients of the homography that maps each of ``endpoints`` to the matching ``startpoints``.

    An output point ``(x, y)`` samples the input at ``((a x + b y + c) / (g x + h y + 1), (d x + e y + f) / (...))``.
    The solution is rounded to float32, as the warps use it in that precision.
    """
    if len(startpoints) != 4 or len(endpoints) != 4:
        raise ValueError(
            f"startpoints and endpoints should hold 4 corners each, got {len(startpoints)} and {len(endpoints)}"
        )
    # Each row is a tensor of its own inferred dtype (float32 once it holds a float) on its way into the float64
    # system, as in torchvision: float coordinates are rounded to float32 first.
    rows = []
    for (x, y), (u, v) in zip(endpoints, startpoints, strict=True):
        rows.append(torch.tensor([x, y, 1, 0, 0, 0, -u * x, -u * y]).to(torch.float64))
        rows.append(torch.tensor([0, 0, 0, x, y, 1, -v * x, -v * y]).to(torch.float64))
    a = torch.stack(rows)
    b = torch.tensor(startpoints, dtype=torch.float64).view(8)
    return torch.linalg.lstsq(a, b, driver="gels").solution.to(torch.float32).tolist()


def _perspective_grid(coeffs: list[float], ow: int, oh: int, dtype: torch.dtype) -> Tensor:
    """Normalized sampling points ``Tensor[1, oh, ow, 2]`` of the homography ``coeffs`` (output to input pixels):
    numerators and denominators are two products of one base grid, as torchvision computes them."""
    numerators = torch.tensor([[coeffs[0:3], coeffs[3:6]]], dtype=dtype)
    denominators = torch.tensor([[[coeffs[6], coeffs[7], 1.0]] * 2], dtype=dtype)
    rescaled = numerators.transpose(1, 2) / torch.tensor([0.5 * ow, 0.5 * oh], dtype=dtype)
    grid = _grid_product(ow, oh, 0.5, 0.5, rescaled) / _grid_product(ow, oh, 0.5, 0.5, denominators.transpose(1, 2))
    return grid - 1.0


def perspective(
    img: ImageLike,
    startpoints: Sequence[Sequence[float]],
    endpoints: Sequence[Sequence[float]],
    interpolation: InterpolationMode = InterpolationMode.BILINEAR,
    fill: Fill = None,
) -> ImageLike:
    """Warp an image so that the 4 ``startpoints`` land on the 4 ``endpoints``.

    Args:
        img (Tensor[..., H, W] | PIL.Image.Image): the image.
        startpoints: 4 ``[x, y]`` corners (top-left, top-right, bottom-right, bottom-left) in the input.
        endpoints: where those corners go in the output.
        interpolation: NEAREST or BILINEAR for tensors.
        fill: value for the area outside the warped image; one number or one per channel.
    """
    check_image(img)
    coeffs = perspective_coefficients(startpoints, endpoints)
    if is_pil(img):
        opts = fill_for_pil(fill, img, "fillcolor")
        return img.transform(img.size, PIL.Image.Transform.PERSPECTIVE, coeffs, pil_resample(interpolation), **opts)
    mode = tensor_mode(interpolation, _WARP_MODES)
    fills = fill_for_tensor(fill, get_dimensions(img)[0])
    grid = _perspective_grid(coeffs, img.shape[-1], img.shape[-2], _warp_dtype(img))
    return _grid_sample(img, grid, mode, fills)


def elastic_transform(
    img: ImageLike,
    displacement: Tensor,
    interpolation: InterpolationMode = InterpolationMode.BILINEAR,
    fill: Fill = None,
) -> ImageLike:
    """Move every output pixel's sampling point by ``displacement``, in normalized ([-1, 1]) coordinates.

    Args:
        img (Tensor[..., H, W] | PIL.Image.Image): the image.
        displacement (Tensor[1, H, W, 2]): ``(dx, dy)`` per pixel.
        interpolation: NEAREST or BILINEAR.
        fill: value for points that leave the image; one number or one per channel.
    """
    check_image(img)
    _, h, w = get_dimensions(img)
    if not isinstance(displacement, Tensor) or tuple(displacement.shape) != (1, h, w, 2):
        shape = tuple(displacement.shape) if isinstance(displacement, Tensor) else type(displacement).__name__
        raise ValueError(f"displacement should be a Tensor of shape {(1, h, w, 2)}, got {shape}")
    if is_pil(img):
        warped = elastic_transform(pil_to_tensor(img), displacement, interpolation, fill)
        return to_pil_image(warped, mode=img.mode)
    mode = tensor_mode(to_interpolation_mode(interpolation), _WARP_MODES)
    axes = [torch.linspace((-s + 1) / s, (s - 1) / s, s) for s in (h, w)]
    grid_y, grid_x = torch.meshgrid(axes, indexing="ij")
    # float32 points, plus the displacement in its own dtype: the image is warped in whichever dtype that gives.
    grid = torch.stack([grid_x, grid_y], -1).unsqueeze(0) + displacement
    return _grid_sample(img, grid, mode, fill_for_tensor(fill, get_dimensions(img)[0]))
