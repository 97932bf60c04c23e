"""Geometric v2 transforms: flips, resizes, crops, padding and warps that move an image together with its boxes,
masks and keypoints. Each class checks its settings, draws its parameters once per call (the same torch draws, in the
same order, as torchvision's) and hands every input to the ``F.*`` dispatchers, looked up when called.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence
from typing import Any, Literal

import PIL.Image
import torch

from ... import tv_tensors
from ...ops._iou import box_iou
from .. import _geometry as G
from .. import _geometry_transforms as v1
from .._image import InterpolationMode
from . import functional as F
from ._transform import Transform, _RandomApplyTransform
from ._utils import (
    Fill,
    _check_padding_arg,
    _check_padding_mode_arg,
    _get_fill,
    _setup_fill_arg,
    _setup_number_or_seq,
    get_bounding_boxes,
    has_all,
    has_any,
    is_pure_tensor,
    query_size,
)

__all__ = [
    "CenterCrop",
    "ElasticTransform",
    "FiveCrop",
    "Pad",
    "RandomAffine",
    "RandomCrop",
    "RandomHorizontalFlip",
    "RandomIoUCrop",
    "RandomPerspective",
    "RandomResize",
    "RandomResizedCrop",
    "RandomRotation",
    "RandomShortestSize",
    "RandomVerticalFlip",
    "RandomZoomOut",
    "Resize",
    "ScaleJitter",
    "TenCrop",
]

Interpolation = str | InterpolationMode | int
FillArg = Fill | dict[type | str, Fill]

_SIZE_ERROR = "Please provide only two dimensions (h, w) for size."


# ---------------------------------------------------------------------------------------------- argument parsing
def _setup_size(size: int | Sequence[int]) -> Sequence[int]:
    """``(size, size)`` for a number or a 1-sequence; a 2-sequence as given."""
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return size[0], size[0]
    if len(size) != 2:
        raise ValueError(_SIZE_ERROR)
    return size


def _check_sequence_input(value: Any, name: str, req_sizes: Sequence[int]) -> None:
    """Refuse anything but a sequence whose length is one of ``req_sizes`` (TypeError, then ValueError)."""
    lengths = " or ".join(str(n) for n in req_sizes)
    if not isinstance(value, Sequence):
        raise TypeError(f"{name} should be a sequence of length {lengths}.")
    if len(value) not in req_sizes:
        raise ValueError(f"{name} should be a sequence of length {lengths}.")


def _setup_angle(value: Any, name: str, req_sizes: Sequence[int] = (2,)) -> list[float]:
    """``[-x, x]`` for a non-negative number ``x``, else the sequence itself as floats."""
    if isinstance(value, numbers.Number):
        if value < 0:
            raise ValueError(f"If {name} is a single number, it must be positive.")
        value = [-value, value]
    else:
        _check_sequence_input(value, name, req_sizes)
    return [float(v) for v in value]


def _parse_padding(padding: int | Sequence[int]) -> list[int]:
    """``[left, right, top, bottom]`` of a checked padding argument."""
    left, top, right, bottom = G.parse_padding(padding)
    return [left, right, top, bottom]


# ----------------------------------------------------------------------------------------------------------- flips
class RandomHorizontalFlip(_RandomApplyTransform):
    """Flip the inputs left to right with probability ``p``.

    Args:
        p (float): probability of flipping.
    """

    _v1_transform_cls = v1.RandomHorizontalFlip

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(F.horizontal_flip, inpt)


class RandomVerticalFlip(_RandomApplyTransform):
    """Flip the inputs top to bottom with probability ``p``.

    Args:
        p (float): probability of flipping.
    """

    _v1_transform_cls = v1.RandomVerticalFlip

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(F.vertical_flip, inpt)


# ----------------------------------------------------------------------------------------- deterministic resizes
class Resize(Transform):
    """Resize the inputs; see :func:`~visionkit.transforms.v2.functional.resize`.

    Args:
        size (int, sequence of int or None): ``(h, w)``; one int for the smaller edge (aspect ratio kept); None to
            match the longer edge to ``max_size``.
        interpolation (str, InterpolationMode or int): interpolation mode (PIL constants accepted).
        max_size (int, optional): cap on the longer edge (with an int ``size``), or its target (with None).
        antialias (bool, optional): antialias tensors when downsampling (bilinear, bicubic, lanczos).

    Raises:
        ValueError: if ``size`` is of another form, or None without an int ``max_size``.
    """

    _v1_transform_cls = v1.Resize

    def __init__(
        self,
        size: int | Sequence[int] | None,
        interpolation: Interpolation = "bilinear",
        max_size: int | None = None,
        antialias: bool | None = True,
    ) -> None:
        super().__init__()
        if isinstance(size, int):
            size = [size]
        elif isinstance(size, Sequence) and len(size) in (1, 2):
            size = list(size)
        elif size is None:
            if not isinstance(max_size, int):
                raise ValueError(f"max_size must be an integer when size is None, but got {max_size} instead.")
        else:
            raise ValueError(
                f"size can be an integer, a sequence of one or two integers, or None, but got {size} instead."
            )
        self.size = size
        self.interpolation = interpolation
        self.max_size = max_size
        self.antialias = antialias

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(
            F.resize,
            inpt,
            self.size,
            interpolation=self.interpolation,
            max_size=self.max_size,
            antialias=self.antialias,
        )


class CenterCrop(Transform):
    """Crop the center of the inputs; a side shorter than ``size`` is padded with 0 first.

    Args:
        size (int or sequence of int): ``(h, w)``, or one int (or a 1-sequence) for a square.
    """

    _v1_transform_cls = v1.CenterCrop

    def __init__(self, size: int | Sequence[int]) -> None:
        super().__init__()
        self.size = _setup_size(size)

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(F.center_crop, inpt, output_size=self.size)


class _MultiCrop(Transform):
    """Base of the transforms that return several crops: boxes and masks are refused, keypoints pass through with
    a warning."""

    _warns_on_annotation_passthrough = True

    def __init__(self, size: int | Sequence[int]) -> None:
        super().__init__()
        self.size = _setup_size(size)

    def check_inputs(self, flat_inputs: list[Any]) -> None:
        if has_any(flat_inputs, tv_tensors.BoundingBoxes, tv_tensors.Mask):
            raise TypeError(f"BoundingBoxes'es and Mask's are not supported by {type(self).__name__}()")


class FiveCrop(_MultiCrop):
    """The four corner crops and the center crop of images and videos, as a tuple of 5.

    Args:
        size (int or sequence of int): ``(h, w)`` of each crop, or one int for squares.

    Raises:
        TypeError: when called on a sample holding boxes or masks.
    """

    _v1_transform_cls = v1.FiveCrop

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(F.five_crop, inpt, self.size)


class TenCrop(_MultiCrop):
    """The five crops of :class:`FiveCrop` of the input and of its flipped copy, as a tuple of 10.

    Args:
        size (int or sequence of int): ``(h, w)`` of each crop, or one int for squares.
        vertical_flip (bool): flip top to bottom instead of left to right.

    Raises:
        TypeError: when called on a sample holding boxes or masks.
    """

    _v1_transform_cls = v1.TenCrop

    def __init__(self, size: int | Sequence[int], vertical_flip: bool = False) -> None:
        super().__init__(size)
        self.vertical_flip = vertical_flip

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(F.ten_crop, inpt, self.size, vertical_flip=self.vertical_flip)


# --------------------------------------------------------------------------------------------------------- padding
class Pad(Transform):
    """Pad all sides of the inputs; see :func:`~visionkit.transforms.v2.functional.pad`.

    Args:
        padding (int or sequence of int): one int, ``(left/right, top/bottom)`` or ``(left, top, right, bottom)``.
        fill (number, sequence or dict): value of ``constant`` padding; a dict gives one per input type (key
            ``"others"`` for the rest).
        padding_mode (str): ``constant``, ``edge``, ``reflect`` or ``symmetric``.

    Raises:
        ValueError: for a bad ``padding`` or ``padding_mode``.
        TypeError: for a ``fill`` that is not a number, a sequence or a dict of them.
    """

    _v1_transform_cls = v1.Pad

    def __init__(
        self,
        padding: int | Sequence[int],
        fill: FillArg = 0,
        padding_mode: Literal["constant", "edge", "reflect", "symmetric"] = "constant",
    ) -> None:
        super().__init__()
        _check_padding_arg(padding)
        _check_padding_mode_arg(padding_mode)
        self.padding = padding if isinstance(padding, int) else list(padding)
        self.fill = fill
        self._fill = _setup_fill_arg(fill)
        self.padding_mode = padding_mode

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        fill = _get_fill(self._fill, type(inpt))
        return self._call_kernel(F.pad, inpt, padding=self.padding, fill=fill, padding_mode=self.padding_mode)


class RandomZoomOut(_RandomApplyTransform):
    """With probability ``p``, place the inputs at a random spot of a canvas ``r`` times larger, ``r`` uniform in
    ``side_range`` ("zoom out" of SSD).

    Args:
        fill (number, sequence or dict): value of the canvas; a dict gives one per input type.
        side_range (sequence of float): ``(min, max)`` of the canvas side ratio, ``1 <= min <= max``.
        p (float): probability of zooming out.

    Raises:
        TypeError: if ``side_range`` is not a sequence.
        ValueError: if ``side_range`` is not of length 2 or not a range above 1.
    """

    def __init__(self, fill: FillArg = 0, side_range: Sequence[float] = (1.0, 4.0), p: float = 0.5) -> None:
        super().__init__(p=p)
        self.fill = fill
        self._fill = _setup_fill_arg(fill)
        _check_sequence_input(side_range, "side_range", req_sizes=(2,))
        self.side_range = side_range
        if side_range[0] < 1.0 or side_range[0] > side_range[1]:
            raise ValueError(f"Invalid side range provided {side_range}.")

    def make_params(self, flat_inputs: list[Any]) -> dict[str, Any]:
        orig_h, orig_w = query_size(flat_inputs)
        # The ratios stay float32 tensors, so the products round as torchvision's do.
        r = self.side_range[0] + torch.rand(1) * (self.side_range[1] - self.side_range[0])
        canvas_width, canvas_height = int(orig_w * r), int(orig_h * r)
        r = torch.rand(2)
        left = int((canvas_width - orig_w) * r[0])
        top = int((canvas_height - orig_h) * r[1])
        right = canvas_width - (left + orig_w)
        bottom = canvas_height - (top + orig_h)
        return {"padding": [left, top, right, bottom]}

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(F.pad, inpt, **params, fill=_get_fill(self._fill, type(inpt)))


# ---------------------------------------------------------------------------------------------------- random crops
class RandomResizedCrop(Transform):
    """Crop a random area with a random aspect ratio, then resize it to ``size`` (Inception-style).

    Args:
        size (int or sequence of int): ``(h, w)`` of the output, or one int for a square.
        scale (tuple of float): ``(min, max)`` of the crop area as a fraction of the input area.
        ratio (tuple of float): ``(min, max)`` of the crop's aspect ratio (width / height), sampled log-uniformly.
        interpolation (str, InterpolationMode or int): interpolation mode.
        antialias (bool, optional): antialias tensors when downsampling.

    Raises:
        TypeError: if ``scale`` or ``ratio`` is not a sequence of two numbers.
    """

    _v1_transform_cls = v1.RandomResizedCrop

    def __init__(
        self,
        size: int | Sequence[int],
        scale: tuple[float, float] = (0.08, 1.0),
        ratio: tuple[float, float] = (3.0 / 4.0, 4.0 / 3.0),
        interpolation: Interpolation = "bilinear",
        antialias: bool | None = True,
    ) -> None:
        super().__init__()
        self.size = _setup_size(size)
        if not isinstance(scale, Sequence) or len(scale) != 2:
            raise TypeError("Scale should be a sequence of two floats.")
        if not isinstance(ratio, Sequence) or len(ratio) != 2:
            raise TypeError("Ratio should be a sequence of two floats.")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn("Scale and ratio should be of kind (min, max)", stacklevel=2)
        self.scale = scale
        self.ratio = ratio
        self.interpolation = interpolation
        self.antialias = antialias
        self._log_ratio = torch.log(torch.tensor(self.ratio))

    def make_params(self, flat_inputs: list[Any]) -> dict[str, Any]:
        height, width = query_size(flat_inputs)
        top, left, h, w = v1.sample_resized_crop(height, width, self.scale, self.ratio, self._log_ratio)
        return {"top": top, "left": left, "height": h, "width": w}

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(
            F.resized_crop, inpt, **params, size=self.size, interpolation=self.interpolation, antialias=self.antialias
        )


class RandomCrop(Transform):
    """Crop at a random place, after optional padding.

    Args:
        size (int or sequence of int): ``(h, w)`` of the crop, or one int for a square.
        padding (int or sequence of int, optional): padding added first: one int, ``(left/right, top/bottom)`` or
            ``(left, top, right, bottom)``.
        pad_if_needed (bool): pad each side of a too small input by the missing amount.
        fill (number, sequence or dict): value of ``constant`` padding; a dict gives one per input type.
        padding_mode (str): ``constant``, ``edge``, ``reflect`` or ``symmetric``.

    Raises:
        ValueError: for a bad ``padding`` or ``padding_mode``, and when called on an input smaller than the crop.
    """

    _v1_transform_cls = v1.RandomCrop

    def __init__(
        self,
        size: int | Sequence[int],
        padding: int | Sequence[int] | None = None,
        pad_if_needed: bool = False,
        fill: FillArg = 0,
        padding_mode: Literal["constant", "edge", "reflect", "symmetric"] = "constant",
    ) -> None:
        super().__init__()
        self.size = _setup_size(size)
        if padding is not None:
            _check_padding_arg(padding)
        if pad_if_needed or padding is not None:
            _check_padding_mode_arg(padding_mode)
        #: ``[left, right, top, bottom]``, or None for no (or zero) padding.
        self.padding = _parse_padding(padding) if padding else None
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self._fill = _setup_fill_arg(fill)
        self.padding_mode = padding_mode

    def _padding(self, height: int, width: int) -> list[int]:
        """``[left, top, right, bottom]``: the fixed padding, plus the missing size on both sides if needed."""
        left, right, top, bottom = self.padding if self.padding is not None else [0, 0, 0, 0]
        height, width = height + top + bottom, width + left + right
        crop_height, crop_width = self.size
        if self.pad_if_needed and height < crop_height:
            top, bottom = top + crop_height - height, bottom + crop_height - height
        if self.pad_if_needed and width < crop_width:
            left, right = left + crop_width - width, right + crop_width - width
        return [left, top, right, bottom]

    def make_params(self, flat_inputs: list[Any]) -> dict[str, Any]:
        height, width = query_size(flat_inputs)
        padding = self._padding(height, width)
        padded_height, padded_width = height + padding[1] + padding[3], width + padding[0] + padding[2]
        crop_height, crop_width = self.size
        if padded_height < crop_height or padded_width < crop_width:
            padded = "padded " if self.padding is not None else ""
            raise ValueError(
                f"Required crop size {(crop_height, crop_width)} is larger than {padded}input image size "
                f"{(padded_height, padded_width)}."
            )
        top = int(torch.randint(0, padded_height - crop_height + 1, size=())) if padded_height > crop_height else 0
        left = int(torch.randint(0, padded_width - crop_width + 1, size=())) if padded_width > crop_width else 0
        return {
            "needs_crop": padded_height > crop_height or padded_width > crop_width,
            "top": top,
            "left": left,
            "height": crop_height,
            "width": crop_width,
            "needs_pad": any(padding),
            "padding": padding,
        }

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        if params["needs_pad"]:
            fill = _get_fill(self._fill, type(inpt))
            inpt = self._call_kernel(F.pad, inpt, padding=params["padding"], fill=fill, padding_mode=self.padding_mode)
        if params["needs_crop"]:
            box = {name: params[name] for name in ("top", "left", "height", "width")}
            inpt = self._call_kernel(F.crop, inpt, **box)
        return inpt


class RandomIoUCrop(Transform):
    """The random crop of SSD: a crop whose IoU with some box reaches a randomly chosen threshold (or no crop).

    Boxes whose centers fall outside the crop are set to 0 (degenerate): remove them with
    :class:`SanitizeBoundingBoxes` afterwards.

    Args:
        min_scale (float): smallest crop side, as a fraction of the input side.
        max_scale (float): largest crop side, as a fraction of the input side.
        min_aspect_ratio (float): smallest crop aspect ratio (width / height).
        max_aspect_ratio (float): largest crop aspect ratio.
        sampler_options (list of float, optional): IoU thresholds to draw from; one of at least 1 means no crop.
        trials (int): crops tried per drawn threshold before drawing another.

    Raises:
        TypeError: when called on a sample without both an image and boxes.
    """

    def __init__(
        self,
        min_scale: float = 0.3,
        max_scale: float = 1.0,
        min_aspect_ratio: float = 0.5,
        max_aspect_ratio: float = 2.0,
        sampler_options: list[float] | None = None,
        trials: int = 40,
    ) -> None:
        super().__init__()
        self.min_scale = min_scale
        self.max_scale = max_scale
        self.min_aspect_ratio = min_aspect_ratio
        self.max_aspect_ratio = max_aspect_ratio
        self.options = [0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0] if sampler_options is None else sampler_options
        self.trials = trials

    def check_inputs(self, flat_inputs: list[Any]) -> None:
        if not (
            has_all(flat_inputs, tv_tensors.BoundingBoxes)
            and has_any(flat_inputs, PIL.Image.Image, tv_tensors.Image, is_pure_tensor)
        ):
            raise TypeError(
                f"{type(self).__name__}() requires input sample to contain tensor or PIL images "
                "and bounding boxes. Sample can also contain masks."
            )

    def make_params(self, flat_inputs: list[Any]) -> dict[str, Any]:
        size = query_size(flat_inputs)
        boxes = get_bounding_boxes(flat_inputs)
        xyxy = F.convert_bounding_box_format(
            boxes.as_subclass(torch.Tensor), boxes.format, tv_tensors.BoundingBoxFormat.XYXY
        )
        centers = 0.5 * (xyxy[..., 0] + xyxy[..., 2]), 0.5 * (xyxy[..., 1] + xyxy[..., 3])
        while True:
            min_iou = self.options[int(torch.randint(low=0, high=len(self.options), size=(1,)))]
            if min_iou >= 1.0:
                return {}
            for _ in range(self.trials):
                params = self._try_crop(size, xyxy, centers, min_iou)
                if params is not None:
                    return params

    def _try_crop(
        self, size: tuple[int, int], xyxy: torch.Tensor, centers: tuple[torch.Tensor, torch.Tensor], min_iou: float
    ) -> dict[str, Any] | None:
        """One random crop: its parameters if it passes the aspect, area, center and IoU tests, else None.

        Sizes are the float32 products ``side * rand`` truncated, as torchvision computes them one by one.
        """
        orig_h, orig_w = size
        r = self.min_scale + (self.max_scale - self.min_scale) * torch.rand(2)
        new_w, new_h = (int(v) for v in (torch.tensor([orig_w, orig_h], dtype=r.dtype) * r).tolist())
        if not self.min_aspect_ratio <= new_w / new_h <= self.max_aspect_ratio:
            return None
        r = torch.rand(2)
        left, top = (int(v) for v in (torch.tensor([orig_w - new_w, orig_h - new_h], dtype=r.dtype) * r).tolist())
        right, bottom = left + new_w, top + new_h
        if left == right or top == bottom:
            return None
        cx, cy = centers
        is_within_crop_area = (left < cx) & (cx < right) & (top < cy) & (cy < bottom)
        if not is_within_crop_area.any():
            return None
        crop = torch.tensor([[left, top, right, bottom]], dtype=xyxy.dtype, device=xyxy.device)
        if box_iou(xyxy[is_within_crop_area], crop).max() < min_iou:
            return None
        return {"top": top, "left": left, "height": new_h, "width": new_w, "is_within_crop_area": is_within_crop_area}

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        if not params:
            return inpt
        box = {name: params[name] for name in ("top", "left", "height", "width")}
        output = self._call_kernel(F.crop, inpt, **box)
        if isinstance(output, tv_tensors.BoundingBoxes):
            output[~params["is_within_crop_area"]] = 0
        return output


# ------------------------------------------------------------------------------------------------- random resizes
class _RandomSizeResize(Transform):
    """Base of the transforms that resize to a size drawn in :meth:`make_params` as ``params["size"]``."""

    def __init__(self, interpolation: Interpolation = "bilinear", antialias: bool | None = True) -> None:
        super().__init__()
        self.interpolation = interpolation
        self.antialias = antialias

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(
            F.resize, inpt, size=params["size"], interpolation=self.interpolation, antialias=self.antialias
        )


class ScaleJitter(_RandomSizeResize):
    """Large scale jitter (Ghiasi et al., "Simple Copy-Paste", 2021): resize by a random factor in ``scale_range``
    of the scale that fits the input into ``target_size``.

    Args:
        target_size (tuple of int): ``(w, h)`` defining the base scale ``min(h / height, w / width)``.
        scale_range (tuple of float): ``(min, max)`` of the random factor.
        interpolation (str, InterpolationMode or int): interpolation mode.
        antialias (bool, optional): antialias tensors when downsampling.
    """

    def __init__(
        self,
        target_size: tuple[int, int],
        scale_range: tuple[float, float] = (0.1, 2.0),
        interpolation: Interpolation = "bilinear",
        antialias: bool | None = True,
    ) -> None:
        super().__init__(interpolation, antialias)
        self.target_size = target_size
        self.scale_range = scale_range

    def make_params(self, flat_inputs: list[Any]) -> dict[str, Any]:
        height, width = query_size(flat_inputs)
        # A float32 tensor, as torchvision's: the new sides are rounded from float32 products.
        scale = self.scale_range[0] + torch.rand(1) * (self.scale_range[1] - self.scale_range[0])
        r = min(self.target_size[1] / height, self.target_size[0] / width) * scale
        return {"size": (int(height * r), int(width * r))}


class RandomShortestSize(_RandomSizeResize):
    """Resize so that the shorter side is one of ``min_size`` (drawn at random), the longer at most ``max_size``.

    Args:
        min_size (int or sequence of int): the candidate shorter sides.
        max_size (int, optional): cap on the longer side.
        interpolation (str, InterpolationMode or int): interpolation mode.
        antialias (bool, optional): antialias tensors when downsampling.
    """

    def __init__(
        self,
        min_size: int | Sequence[int],
        max_size: int | None = None,
        interpolation: Interpolation = "bilinear",
        antialias: bool | None = True,
    ) -> None:
        super().__init__(interpolation, antialias)
        self.min_size = [min_size] if isinstance(min_size, int) else list(min_size)
        self.max_size = max_size

    def make_params(self, flat_inputs: list[Any]) -> dict[str, Any]:
        height, width = query_size(flat_inputs)
        min_size = self.min_size[int(torch.randint(len(self.min_size), ()))]
        r = min_size / min(height, width)
        if self.max_size is not None:
            r = min(r, self.max_size / max(height, width))
        return {"size": (int(height * r), int(width * r))}


class RandomResize(_RandomSizeResize):
    """Resize the shorter side to a random length in ``[min_size, max_size)``, keeping the aspect ratio.

    Args:
        min_size (int): smallest length (included).
        max_size (int): largest length (excluded).
        interpolation (str, InterpolationMode or int): interpolation mode.
        antialias (bool, optional): antialias tensors when downsampling.
    """

    def __init__(
        self,
        min_size: int,
        max_size: int,
        interpolation: Interpolation = "bilinear",
        antialias: bool | None = True,
    ) -> None:
        super().__init__(interpolation, antialias)
        self.min_size = min_size
        self.max_size = max_size

    def make_params(self, flat_inputs: list[Any]) -> dict[str, Any]:
        return {"size": [int(torch.randint(self.min_size, self.max_size, ()))]}


# ----------------------------------------------------------------------------------------------------------- warps
class RandomRotation(Transform):
    """Rotate by a random angle (degrees, counter-clockwise).

    Args:
        degrees (number or sequence): ``(min, max)``, or ``d`` for ``(-d, d)``.
        interpolation (str, InterpolationMode or int): interpolation mode.
        expand (bool): grow the canvas to hold the whole rotated input.
        center (sequence of float, optional): ``(x, y)`` to rotate about; the image center by default.
        fill (number, sequence or dict): value outside the rotated input; a dict gives one per input type.

    Raises:
        ValueError: for a negative number or a sequence of another length as ``degrees``, or a ``center`` of
            another length than 2.
        TypeError: for a ``degrees`` or ``center`` that is neither a number nor a sequence.
    """

    _v1_transform_cls = v1.RandomRotation

    def __init__(
        self,
        degrees: float | Sequence[float],
        interpolation: Interpolation = "nearest",
        expand: bool = False,
        center: list[float] | None = None,
        fill: FillArg = 0,
    ) -> None:
        super().__init__()
        self.degrees = _setup_angle(degrees, name="degrees", req_sizes=(2,))
        self.interpolation = interpolation
        self.expand = expand
        self.fill = fill
        self._fill = _setup_fill_arg(fill)
        if center is not None:
            _check_sequence_input(center, "center", req_sizes=(2,))
        self.center = center

    def make_params(self, flat_inputs: list[Any]) -> dict[str, Any]:
        return {"angle": self.get_params(self.degrees)}

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        fill = _get_fill(self._fill, type(inpt))
        return self._call_kernel(
            F.rotate,
            inpt,
            **params,
            interpolation=self.interpolation,
            expand=self.expand,
            center=self.center,
            fill=fill,
        )


class RandomAffine(Transform):
    """Random affine map keeping the center fixed: rotation, translation, scale and shear.

    Args:
        degrees (number or sequence): rotation range ``(min, max)``, or ``d`` for ``(-d, d)``.
        translate (sequence of float, optional): ``(a, b)``: largest shift as fractions of the width and height.
        scale (sequence of float, optional): ``(min, max)`` of the scale factor, positive.
        shear (number or sequence, optional): ``s`` for an x-shear in ``(-s, s)``, ``(min, max)`` for x, or
            ``(xmin, xmax, ymin, ymax)`` for both.
        interpolation (str, InterpolationMode or int): interpolation mode.
        fill (number, sequence or dict): value outside the warped input; a dict gives one per input type.
        center (sequence of float, optional): ``(x, y)`` fixed point; the image center by default.

    Raises:
        ValueError: for ranges of the wrong length, translations outside [0, 1] or non-positive scales.
        TypeError: for a range that is neither a number nor a sequence.
    """

    _v1_transform_cls = v1.RandomAffine

    def __init__(
        self,
        degrees: float | Sequence[float],
        translate: Sequence[float] | None = None,
        scale: Sequence[float] | None = None,
        shear: float | Sequence[float] | None = None,
        interpolation: Interpolation = "nearest",
        fill: FillArg = 0,
        center: list[float] | None = None,
    ) -> None:
        super().__init__()
        self.degrees = _setup_angle(degrees, name="degrees", req_sizes=(2,))
        if translate is not None:
            _check_sequence_input(translate, "translate", req_sizes=(2,))
            if any(not 0.0 <= t <= 1.0 for t in translate):
                raise ValueError("translation values should be between 0 and 1")
        self.translate = translate
        if scale is not None:
            _check_sequence_input(scale, "scale", req_sizes=(2,))
            if any(s <= 0 for s in scale):
                raise ValueError("scale values should be positive")
        self.scale = scale
        self.shear = None if shear is None else _setup_angle(shear, name="shear", req_sizes=(2, 4))
        self.interpolation = interpolation
        self.fill = fill
        self._fill = _setup_fill_arg(fill)
        if center is not None:
            _check_sequence_input(center, "center", req_sizes=(2,))
        self.center = center

    def make_params(self, flat_inputs: list[Any]) -> dict[str, Any]:
        height, width = query_size(flat_inputs)
        angle, translate, scale, shear = self.get_params(
            self.degrees, self.translate, self.scale, self.shear, (width, height)
        )
        return {"angle": angle, "translate": translate, "scale": scale, "shear": shear}

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        fill = _get_fill(self._fill, type(inpt))
        return self._call_kernel(
            F.affine, inpt, **params, interpolation=self.interpolation, fill=fill, center=self.center
        )


class RandomPerspective(_RandomApplyTransform):
    """With probability ``p``, move each corner randomly inwards and warp the inputs accordingly.

    Args:
        distortion_scale (float): in [0, 1]; how far corners may move, as a fraction of half the width/height.
        p (float): probability of warping.
        interpolation (str, InterpolationMode or int): interpolation mode.
        fill (number, sequence or dict): value outside the warped input; a dict gives one per input type.

    Raises:
        ValueError: if ``distortion_scale`` or ``p`` is outside [0, 1].
    """

    _v1_transform_cls = v1.RandomPerspective

    def __init__(
        self,
        distortion_scale: float = 0.5,
        p: float = 0.5,
        interpolation: Interpolation = "bilinear",
        fill: FillArg = 0,
    ) -> None:
        super().__init__(p=p)
        if not 0 <= distortion_scale <= 1:
            raise ValueError("Argument distortion_scale value should be between 0 and 1")
        self.distortion_scale = distortion_scale
        self.interpolation = interpolation
        self.fill = fill
        self._fill = _setup_fill_arg(fill)

    def make_params(self, flat_inputs: list[Any]) -> dict[str, Any]:
        height, width = query_size(flat_inputs)
        startpoints, endpoints = self.get_params(width, height, self.distortion_scale)
        return {"coefficients": G.perspective_coefficients(startpoints, endpoints)}

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        fill = _get_fill(self._fill, type(inpt))
        return self._call_kernel(
            F.perspective,
            inpt,
            startpoints=None,
            endpoints=None,
            fill=fill,
            interpolation=self.interpolation,
            **params,
        )


class ElasticTransform(Transform):
    """Displace pixels by a random smooth field, like water waves.

    Args:
        alpha (number or sequence): strength of the displacement, ``(ax, ay)`` or one number for both.
        sigma (number or sequence): smoothness (Gaussian blur sigma) of the field, ``(sx, sy)`` or one number.
        interpolation (str, InterpolationMode or int): interpolation mode.
        fill (number, sequence or dict): value for points moved out of the input; a dict gives one per input type.

    Raises:
        TypeError: for an ``alpha`` or ``sigma`` that is neither a number nor a sequence.
        ValueError: for a sequence of another length than 1 or 2.
    """

    _v1_transform_cls = v1.ElasticTransform

    def __init__(
        self,
        alpha: float | Sequence[float] = 50.0,
        sigma: float | Sequence[float] = 5.0,
        interpolation: Interpolation = "bilinear",
        fill: FillArg = 0,
    ) -> None:
        super().__init__()
        self.alpha = _setup_number_or_seq(alpha, "alpha")
        self.sigma = _setup_number_or_seq(sigma, "sigma")
        self.interpolation = interpolation
        self.fill = fill
        self._fill = _setup_fill_arg(fill)

    def _random_field(self, height: int, width: int, sigma: float, alpha: float, extent: int) -> torch.Tensor:
        """Uniform noise in [-1, 1), blurred by an odd kernel of about ``8 sigma`` and scaled to ``alpha / extent``.

        The blur uses both sigmas whichever the axis, as torchvision's does.
        """
        field = torch.rand(1, 1, height, width) * 2 - 1
        if sigma > 0.0:
            k = int(8 * sigma + 1)
            k += 1 - k % 2
            field = self._call_kernel(F.gaussian_blur, field, [k, k], list(self.sigma))
        return field * alpha / extent

    def make_params(self, flat_inputs: list[Any]) -> dict[str, Any]:
        height, width = query_size(flat_inputs)
        dx = self._random_field(height, width, self.sigma[0], self.alpha[0], width)
        dy = self._random_field(height, width, self.sigma[1], self.alpha[1], height)
        return {"displacement": torch.concat([dx, dy], 1).permute([0, 2, 3, 1])}

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        fill = _get_fill(self._fill, type(inpt))
        return self._call_kernel(F.elastic, inpt, **params, fill=fill, interpolation=self.interpolation)
