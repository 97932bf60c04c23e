"""Geometric transform classes: they hold settings, sample parameters in ``make_params`` (through torchvision's
``get_params`` where it has one, with the same random draws) and apply them through the functionals.

Their parameters always include ``image_size = (h, w)`` of the input, so that :meth:`Transform.map_boxes` can move
boxes exactly as the pixels moved.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor

from . import _boxes as B
from . import _geometry as G
from ._base import Params, Transform
from ._color import gaussian_blur
from ._image import Fill, ImageLike, InterpolationMode, check_fill, get_dimensions, to_interpolation_mode
from ._validation import check_center, check_probability, check_sequence, is_number, min_max_pair, symmetric_range

__all__ = [
    "CenterCrop",
    "ElasticTransform",
    "FiveCrop",
    "Pad",
    "RandomAffine",
    "RandomCrop",
    "RandomHorizontalFlip",
    "RandomPerspective",
    "RandomResizedCrop",
    "RandomRotation",
    "RandomVerticalFlip",
    "Resize",
    "TenCrop",
]


def _image_size(img: ImageLike) -> tuple[int, int]:
    _, h, w = get_dimensions(img)
    return h, w


class _Geometric(Transform):
    def make_params(self, img: ImageLike) -> Params:
        return {"image_size": _image_size(img)}


def _check_positive_size(size: int | Sequence[int], name: str = "size") -> tuple[int, int]:
    h, w = G.parse_size(size, name)
    if h <= 0 or w <= 0:
        raise ValueError(f"{name} should be positive, got {size!r}")
    return h, w


# ------------------------------------------------------------------------------------------- deterministic resizes
class Resize(_Geometric):
    """Resize the image; see :func:`~visionkit.transforms.functional.resize`.

    Args:
        size: ``(h, w)``, or one int: the smaller edge becomes ``size``, keeping the aspect ratio.
        interpolation: interpolation mode.
        max_size: with an int ``size``, cap on the longer edge.
        antialias: antialias tensors when downsampling (bilinear, bicubic).
    """

    def __init__(
        self,
        size: int | Sequence[int],
        interpolation: InterpolationMode = InterpolationMode.BILINEAR,
        max_size: int | None = None,
        antialias: bool | None = True,
    ) -> None:
        super().__init__()
        _check_positive_size(size)
        if max_size is not None:
            if not isinstance(max_size, int):
                raise TypeError(f"max_size should be an int or None, got {max_size!r}")
            G.resized_output_size((max_size, max_size), size, max_size)  # validates max_size against size
        self.size = size
        self.interpolation = to_interpolation_mode(interpolation)
        self.max_size = max_size
        self.antialias = antialias

    def apply_params(self, img: ImageLike, params: Params) -> ImageLike:
        return G.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def _map_boxes(self, boxes: Tensor, params: Params) -> Tensor:
        output_size = G.resized_output_size(params["image_size"], self.size, self.max_size)
        return B.resize_boxes(boxes, params["image_size"], output_size)

    def extra_repr(self) -> str:
        return (f"size={self.size}, interpolation={self.interpolation.value}, max_size={self.max_size}, "
                f"antialias={self.antialias}")  # fmt: skip


class CenterCrop(_Geometric):
    """Crop the center; an image smaller than ``size`` is padded with 0 first.

    Args:
        size: ``(h, w)`` or one int for a square.
    """

    def __init__(self, size: int | Sequence[int]) -> None:
        super().__init__()
        self.size = _check_positive_size(size)

    def apply_params(self, img: ImageLike, params: Params) -> ImageLike:
        return G.center_crop(img, self.size)

    def _map_boxes(self, boxes: Tensor, params: Params) -> Tensor:
        return B.center_crop_boxes(boxes, params["image_size"], self.size)

    def extra_repr(self) -> str:
        return f"size={self.size}"


class Pad(_Geometric):
    """Pad all sides; see :func:`~visionkit.transforms.functional.pad`.

    Args:
        padding: one int, ``(left/right, top/bottom)`` or ``(left, top, right, bottom)``.
        fill: value of ``constant`` padding (one per band for PIL images).
        padding_mode: ``constant``, ``edge``, ``reflect`` or ``symmetric``.
    """

    def __init__(self, padding: int | Sequence[int], fill: Fill = 0, padding_mode: str = "constant") -> None:
        super().__init__()
        G.parse_padding(padding)
        check_fill(fill)
        G.check_padding_mode(padding_mode)
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def apply_params(self, img: ImageLike, params: Params) -> ImageLike:
        return G.pad(img, self.padding, self.fill, self.padding_mode)

    def _map_boxes(self, boxes: Tensor, params: Params) -> Tensor:
        return B.pad_boxes(boxes, self.padding, params["image_size"])

    def extra_repr(self) -> str:
        return f"padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode}"


class FiveCrop(Transform):
    """The four corner crops and the center crop, as a tuple of 5 images.

    Args:
        size: ``(h, w)`` of each crop, or one int for squares.
    """

    def __init__(self, size: int | Sequence[int]) -> None:
        super().__init__()
        self.size = _check_positive_size(size)

    def apply_params(self, img: ImageLike, params: Params) -> tuple[ImageLike, ...]:
        return G.five_crop(img, self.size)

    def _map_boxes(self, boxes: Tensor, params: Params) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} returns several images: map boxes per crop with crop_boxes")

    def extra_repr(self) -> str:
        return f"size={self.size}"


class TenCrop(FiveCrop):
    """The five crops of the image and the five of its flipped copy, as a tuple of 10 images.

    Args:
        size: ``(h, w)`` of each crop, or one int for squares.
        vertical_flip: flip top to bottom instead of left to right.
    """

    def __init__(self, size: int | Sequence[int], vertical_flip: bool = False) -> None:
        super().__init__(size)
        self.vertical_flip = vertical_flip

    def apply_params(self, img: ImageLike, params: Params) -> tuple[ImageLike, ...]:
        return G.ten_crop(img, self.size, self.vertical_flip)

    def extra_repr(self) -> str:
        return f"size={self.size}, vertical_flip={self.vertical_flip}"


# ---------------------------------------------------------------------------------------------------- random crops
def sample_rectangle(area: float, scale: Sequence[float], log_ratio: Tensor) -> tuple[int, int]:
    """Random rounded ``(sqrt(a * r), sqrt(a / r))``: the sides of a rectangle whose area ``a`` is a fraction in
    ``scale`` of ``area`` and whose aspect ratio ``r`` is log-uniform in ``[exp(log_ratio[0]), exp(log_ratio[1])]``."""
    target_area = area * torch.empty(1).uniform_(scale[0], scale[1]).item()
    aspect = torch.exp(torch.empty(1).uniform_(log_ratio[0], log_ratio[1])).item()
    return round(math.sqrt(target_area * aspect)), round(math.sqrt(target_area / aspect))


def sample_resized_crop(
    height: int, width: int, scale: Sequence[float], ratio: Sequence[float], log_ratio: Tensor
) -> tuple[int, int, int, int]:
    """Random ``(top, left, h, w)`` of a crop in a ``height`` x ``width`` image: 10 tries at a rectangle of
    :func:`sample_rectangle` that fits, then a central crop of the closest aspect ratio in ``ratio`` as a fallback."""
    area = height * width
    for _ in range(10):
        w, h = sample_rectangle(area, scale, log_ratio)
        if 0 < w <= width and 0 < h <= height:
            top = int(torch.randint(0, height - h + 1, size=(1,)).item())
            left = int(torch.randint(0, width - w + 1, size=(1,)).item())
            return top, left, h, w
    in_ratio = width / height
    w, h = width, height
    if in_ratio < min(ratio):
        h = round(w / min(ratio))
    elif in_ratio > max(ratio):
        w = round(h * max(ratio))
    return (height - h) // 2, (width - w) // 2, h, w


def _sample_crop_origin(height: int, width: int, size: tuple[int, int]) -> tuple[int, int]:
    th, tw = size
    if height < th or width < tw:
        raise ValueError(f"crop size {(th, tw)} should not be larger than the image size {(height, width)}")
    if (height, width) == (th, tw):
        return 0, 0
    top = int(torch.randint(0, height - th + 1, size=(1,)).item())
    left = int(torch.randint(0, width - tw + 1, size=(1,)).item())
    return top, left


class RandomCrop(_Geometric):
    """Crop at a random place, after optional padding.

    Args:
        size: ``(h, w)`` of the crop, or one int for a square.
        padding: padding added first (one int, 2 or 4 values), or None.
        pad_if_needed: pad each side by the missing amount when the image is smaller than ``size``.
        fill: value of ``constant`` padding.
        padding_mode: ``constant``, ``edge``, ``reflect`` or ``symmetric``.
    """

    def __init__(
        self,
        size: int | Sequence[int],
        padding: int | Sequence[int] | None = None,
        pad_if_needed: bool = False,
        fill: Fill = 0,
        padding_mode: str = "constant",
    ) -> None:
        super().__init__()
        self.size = _check_positive_size(size)
        if padding is not None:
            G.parse_padding(padding)
        check_fill(fill)
        G.check_padding_mode(padding_mode)
        self.padding, self.pad_if_needed, self.fill, self.padding_mode = padding, pad_if_needed, fill, padding_mode

    @staticmethod
    def get_params(img: ImageLike, output_size: tuple[int, int]) -> tuple[int, int, int, int]:
        """Random ``(top, left, height, width)`` of a crop of ``output_size = (h, w)`` inside ``img``."""
        h, w = _image_size(img)
        return (*_sample_crop_origin(h, w, output_size), *output_size)

    def make_params(self, img: ImageLike) -> Params:
        h, w = image_size = _image_size(img)
        # Padding happens in up to 3 steps, as in torchvision; reflect-type modes do not compose into one step.
        paddings: list[tuple[int, int, int, int]] = []
        if self.padding is not None:
            paddings.append(G.parse_padding(self.padding))
            h, w = h + paddings[0][1] + paddings[0][3], w + paddings[0][0] + paddings[0][2]
        if self.pad_if_needed and w < self.size[1]:
            paddings.append((self.size[1] - w, 0, self.size[1] - w, 0))
            w += 2 * (self.size[1] - w)
        if self.pad_if_needed and h < self.size[0]:
            paddings.append((0, self.size[0] - h, 0, self.size[0] - h))
            h += 2 * (self.size[0] - h)
        top, left = _sample_crop_origin(h, w, self.size)
        return {"image_size": image_size, "paddings": paddings, "top": top, "left": left}

    def apply_params(self, img: ImageLike, params: Params) -> ImageLike:
        for padding in params["paddings"]:
            img = G.pad(img, list(padding), self.fill, self.padding_mode)
        return G.crop(img, params["top"], params["left"], *self.size)

    def _map_boxes(self, boxes: Tensor, params: Params) -> Tensor:
        h, w = params["image_size"]
        for left, top, right, bottom in params["paddings"]:
            boxes = B.pad_boxes(boxes, [left, top, right, bottom], (h, w))
            h, w = h + top + bottom, w + left + right
        return B.crop_boxes(boxes, params["top"], params["left"], *self.size)

    def extra_repr(self) -> str:
        return f"size={self.size}, padding={self.padding}"


class RandomResizedCrop(_Geometric):
    """Crop a random area with a random aspect ratio, then resize it to ``size`` (Inception-style).

    Args:
        size: ``(h, w)`` of the output, or one int for a square.
        scale: ``(min, max)`` of the crop area as a fraction of the image area.
        ratio: ``(min, max)`` of the crop's aspect ratio (width / height), sampled log-uniformly.
        interpolation: interpolation mode.
        antialias: antialias tensors when downsampling (bilinear, bicubic).
    """

    def __init__(
        self,
        size: int | Sequence[int],
        scale: tuple[float, float] = (0.08, 1.0),
        ratio: tuple[float, float] = (3.0 / 4.0, 4.0 / 3.0),
        interpolation: InterpolationMode = InterpolationMode.BILINEAR,
        antialias: bool | None = True,
    ) -> None:
        super().__init__()
        self.size = _check_positive_size(size)
        self.scale = min_max_pair(scale, "scale", low=0.0)
        self.ratio = min_max_pair(ratio, "ratio")
        if self.ratio[0] <= 0:
            raise ValueError(f"ratio values should be positive, got {ratio!r}")
        self.interpolation = to_interpolation_mode(interpolation)
        self.antialias = antialias

    @staticmethod
    def get_params(img: ImageLike, scale: Sequence[float], ratio: Sequence[float]) -> tuple[int, int, int, int]:
        """Random ``(top, left, height, width)``: 10 tries at a fitting crop, then a central crop as a fallback."""
        return sample_resized_crop(*_image_size(img), scale, ratio, torch.log(torch.tensor(ratio)))

    def make_params(self, img: ImageLike) -> Params:
        top, left, height, width = self.get_params(img, self.scale, self.ratio)
        return {"image_size": _image_size(img), "top": top, "left": left, "height": height, "width": width}

    def apply_params(self, img: ImageLike, params: Params) -> ImageLike:
        box = params["top"], params["left"], params["height"], params["width"]
        return G.resized_crop(img, *box, self.size, self.interpolation, self.antialias)

    def _map_boxes(self, boxes: Tensor, params: Params) -> Tensor:
        return B.resized_crop_boxes(boxes, params["top"], params["left"], params["height"], params["width"], self.size)

    def extra_repr(self) -> str:
        ratio = tuple(round(r, 4) for r in self.ratio)
        return (f"size={self.size}, scale={self.scale}, ratio={ratio}, interpolation={self.interpolation.value}, "
                f"antialias={self.antialias}")  # fmt: skip


# ----------------------------------------------------------------------------------------------------------- flips
class RandomHorizontalFlip(_Geometric):
    """Flip left to right with probability ``p``.

    Args:
        p: probability of flipping.
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        self.p = check_probability(p)

    def make_params(self, img: ImageLike) -> Params:
        return {**super().make_params(img), "flip": bool(torch.rand(1) < self.p)}

    def apply_params(self, img: ImageLike, params: Params) -> ImageLike:
        return G.hflip(img) if params["flip"] else img

    def _map_boxes(self, boxes: Tensor, params: Params) -> Tensor:
        return B.hflip_boxes(boxes, params["image_size"][1]) if params["flip"] else boxes

    def extra_repr(self) -> str:
        return f"p={self.p}"


class RandomVerticalFlip(RandomHorizontalFlip):
    """Flip top to bottom with probability ``p``.

    Args:
        p: probability of flipping.
    """

    def apply_params(self, img: ImageLike, params: Params) -> ImageLike:
        return G.vflip(img) if params["flip"] else img

    def _map_boxes(self, boxes: Tensor, params: Params) -> Tensor:
        return B.vflip_boxes(boxes, params["image_size"][0]) if params["flip"] else boxes


# ----------------------------------------------------------------------------------------------------------- warps
def _uniform(low: float, high: float) -> float:
    return float(torch.empty(1).uniform_(low, high).item())


class RandomRotation(_Geometric):
    """Rotate by a random angle (degrees, counter-clockwise).

    Args:
        degrees: ``(min, max)``, or ``d`` for ``(-d, d)``.
        interpolation: NEAREST or BILINEAR for tensors.
        expand: grow the canvas to hold the whole rotated image.
        center: ``(x, y)`` to rotate about; the image center by default.
        fill: value outside the rotated image, one number or one per channel.
    """

    def __init__(
        self,
        degrees: float | Sequence[float],
        interpolation: InterpolationMode = InterpolationMode.NEAREST,
        expand: bool = False,
        center: Sequence[float] | None = None,
        fill: Fill = 0,
    ) -> None:
        super().__init__()
        self.degrees = symmetric_range(degrees, "degrees")
        self.interpolation = to_interpolation_mode(interpolation)
        check_center(center)
        check_fill(fill)
        self.expand, self.center, self.fill = expand, center, fill

    @staticmethod
    def get_params(degrees: Sequence[float]) -> float:
        """A random angle in ``[degrees[0], degrees[1]]``."""
        return _uniform(float(degrees[0]), float(degrees[1]))

    def make_params(self, img: ImageLike) -> Params:
        return {**super().make_params(img), "angle": self.get_params(self.degrees)}

    def apply_params(self, img: ImageLike, params: Params) -> ImageLike:
        return G.rotate(img, params["angle"], self.interpolation, self.expand, self.center, self.fill)

    def _map_boxes(self, boxes: Tensor, params: Params) -> Tensor:
        return B.rotate_boxes(boxes, params["image_size"], params["angle"], self.expand, self.center)

    def extra_repr(self) -> str:
        extra = f", center={self.center}" if self.center is not None else ""
        return (f"degrees={self.degrees}, interpolation={self.interpolation.value}, expand={self.expand}{extra}, "
                f"fill={self.fill}")  # fmt: skip


class RandomAffine(_Geometric):
    """Random affine map keeping the center fixed: rotation, translation, scale and shear.

    Args:
        degrees: rotation range ``(min, max)``, or ``d`` for ``(-d, d)``; 0 for none.
        translate: ``(a, b)``: maximum shift as fractions of the width and height, in [0, 1].
        scale: ``(min, max)`` scale factors, positive.
        shear: ``s`` for an x-shear in ``(-s, s)``, ``(min, max)`` for x, ``(xmin, xmax, ymin, ymax)`` for both.
        interpolation: NEAREST or BILINEAR for tensors.
        fill: value outside the warped image, one number or one per channel.
        center: ``(x, y)`` fixed point; the image center by default.
    """

    def __init__(
        self,
        degrees: float | Sequence[float],
        translate: Sequence[float] | None = None,
        scale: Sequence[float] | None = None,
        shear: float | Sequence[float] | None = None,
        interpolation: InterpolationMode = InterpolationMode.NEAREST,
        fill: Fill = 0,
        center: Sequence[float] | None = None,
    ) -> None:
        super().__init__()
        self.degrees = symmetric_range(degrees, "degrees")
        if translate is not None and any(not 0.0 <= t <= 1.0 for t in check_sequence(translate, "translate", (2,))):
            raise ValueError(f"translate values should be within [0, 1], got {translate!r}")
        if scale is not None and any(s <= 0 for s in check_sequence(scale, "scale", (2,))):
            raise ValueError(f"scale values should be positive, got {scale!r}")
        self.shear = None if shear is None else symmetric_range(shear, "shear", lengths=(2, 4))
        self.interpolation = to_interpolation_mode(interpolation)
        check_fill(fill)
        check_center(center)
        self.translate, self.scale, self.fill, self.center = translate, scale, fill, center

    @staticmethod
    def get_params(
        degrees: Sequence[float],
        translate: Sequence[float] | None,
        scale_ranges: Sequence[float] | None,
        shears: Sequence[float] | None,
        img_size: Sequence[int],
    ) -> tuple[float, tuple[int, int], float, tuple[float, float]]:
        """Random ``(angle, (tx, ty), scale, (shear_x, shear_y))`` for an image of ``img_size = (w, h)``."""
        angle = _uniform(degrees[0], degrees[1])
        tx = ty = 0
        if translate is not None:
            max_dx, max_dy = float(translate[0] * img_size[0]), float(translate[1] * img_size[1])
            tx = round(_uniform(-max_dx, max_dx))
            ty = round(_uniform(-max_dy, max_dy))
        scale = 1.0 if scale_ranges is None else _uniform(scale_ranges[0], scale_ranges[1])
        shear_x = shear_y = 0.0
        if shears is not None:
            shear_x = _uniform(shears[0], shears[1])
            if len(shears) == 4:
                shear_y = _uniform(shears[2], shears[3])
        return angle, (tx, ty), scale, (shear_x, shear_y)

    def make_params(self, img: ImageLike) -> Params:
        h, w = _image_size(img)
        angle, translate, scale, shear = self.get_params(self.degrees, self.translate, self.scale, self.shear, (w, h))
        return {"image_size": (h, w), "angle": angle, "translate": translate, "scale": scale, "shear": shear}

    def _affine_args(self, params: Params) -> tuple[float, list[int], float, list[float]]:
        return params["angle"], list(params["translate"]), params["scale"], list(params["shear"])

    def apply_params(self, img: ImageLike, params: Params) -> ImageLike:
        return G.affine(img, *self._affine_args(params), self.interpolation, self.fill, self.center)

    def _map_boxes(self, boxes: Tensor, params: Params) -> Tensor:
        return B.affine_boxes(boxes, params["image_size"], *self._affine_args(params), self.center)

    def extra_repr(self) -> str:
        parts = [f"degrees={self.degrees}"]
        for name in ("translate", "scale", "shear", "center"):
            if getattr(self, name) is not None:
                parts.append(f"{name}={getattr(self, name)}")
        if self.interpolation != InterpolationMode.NEAREST:
            parts.append(f"interpolation={self.interpolation.value}")
        if self.fill != 0:
            parts.append(f"fill={self.fill}")
        return ", ".join(parts)


class RandomPerspective(_Geometric):
    """With probability ``p``, move each corner randomly inwards and warp the image accordingly.

    Args:
        distortion_scale: in [0, 1]; how far corners may move, as a fraction of half the width/height.
        p: probability of warping.
        interpolation: NEAREST or BILINEAR for tensors.
        fill: value outside the warped image, one number or one per channel.
    """

    def __init__(
        self,
        distortion_scale: float = 0.5,
        p: float = 0.5,
        interpolation: InterpolationMode = InterpolationMode.BILINEAR,
        fill: Fill = 0,
    ) -> None:
        super().__init__()
        self.distortion_scale = check_probability(distortion_scale, "distortion_scale")
        self.p = check_probability(p)
        self.interpolation = to_interpolation_mode(interpolation)
        check_fill(fill)
        self.fill = fill

    @staticmethod
    def get_params(width: int, height: int, distortion_scale: float) -> tuple[list[list[int]], list[list[int]]]:
        """The image corners (top-left, top-right, bottom-right, bottom-left) and random inward moves of them."""
        dx, dy = int(distortion_scale * (width // 2)), int(distortion_scale * (height // 2))

        def _near_start(limit: int) -> int:
            return int(torch.randint(0, limit + 1, size=(1,)).item())

        def _near_end(size: int, limit: int) -> int:
            return int(torch.randint(size - limit - 1, size, size=(1,)).item())

        top_left = [_near_start(dx), _near_start(dy)]
        top_right = [_near_end(width, dx), _near_start(dy)]
        bottom_right = [_near_end(width, dx), _near_end(height, dy)]
        bottom_left = [_near_start(dx), _near_end(height, dy)]
        startpoints = [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]]
        return startpoints, [top_left, top_right, bottom_right, bottom_left]

    def make_params(self, img: ImageLike) -> Params:
        h, w = _image_size(img)
        params: Params = {"image_size": (h, w), "apply": bool(torch.rand(1) < self.p)}
        if params["apply"]:
            params["startpoints"], params["endpoints"] = self.get_params(w, h, self.distortion_scale)
        return params

    def apply_params(self, img: ImageLike, params: Params) -> ImageLike:
        if not params["apply"]:
            return img
        return G.perspective(img, params["startpoints"], params["endpoints"], self.interpolation, self.fill)

    def _map_boxes(self, boxes: Tensor, params: Params) -> Tensor:
        if not params["apply"]:
            return boxes
        return B.perspective_boxes(boxes, params["image_size"], params["startpoints"], params["endpoints"])

    def extra_repr(self) -> str:
        return f"p={self.p}"


def _pair(value: Any, name: str) -> list[float]:
    if is_number(value):
        return [float(value), float(value)]
    return [float(v) for v in check_sequence(value, name, (1, 2))] * (2 if len(value) == 1 else 1)


class ElasticTransform(Transform):
    """Displace pixels by a random smooth field, like water waves.

    Args:
        alpha: strength of the displacement, ``(ax, ay)`` or one number for both.
        sigma: smoothness (Gaussian blur sigma) of the field, ``(sx, sy)`` or one number for both.
        interpolation: NEAREST or BILINEAR.
        fill: value for points moved out of the image, one number or one per channel.
    """

    def __init__(
        self,
        alpha: float | Sequence[float] = 50.0,
        sigma: float | Sequence[float] = 5.0,
        interpolation: InterpolationMode = InterpolationMode.BILINEAR,
        fill: Fill = 0,
    ) -> None:
        super().__init__()
        self.alpha = _pair(alpha, "alpha")
        self.sigma = _pair(sigma, "sigma")
        self.interpolation = to_interpolation_mode(interpolation)
        check_fill(fill)
        self.fill = fill

    @staticmethod
    def get_params(alpha: Sequence[float], sigma: Sequence[float], size: Sequence[int]) -> Tensor:
        """A random displacement field ``Tensor[1, H, W, 2]`` for an image of ``size = (h, w)``."""
        fields = []
        # dx is relative to the width and dy to the height (normalized coordinates span 2 per axis).
        for a, s, extent in zip(alpha, sigma, reversed(size), strict=True):
            field = torch.rand([1, 1, *size]) * 2 - 1
            if s > 0.0:
                k = int(8 * s + 1)
                k += 1 - k % 2  # odd kernel
                field = gaussian_blur(field, [k, k], list(sigma))
            fields.append(field * a / extent)
        return torch.cat(fields, 1).permute([0, 2, 3, 1])

    def make_params(self, img: ImageLike) -> Params:
        return {"displacement": self.get_params(self.alpha, self.sigma, list(_image_size(img)))}

    def apply_params(self, img: ImageLike, params: Params) -> ImageLike:
        return G.elastic_transform(img, params["displacement"], self.interpolation, self.fill)

    def _map_boxes(self, boxes: Tensor, params: Params) -> Tensor:
        raise NotImplementedError("ElasticTransform cannot map boxes: it bends straight edges")

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}, sigma={self.sigma}, interpolation={self.interpolation}, fill={self.fill}"
