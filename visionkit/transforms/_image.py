"""Image-type plumbing shared by every functional: dimensions, dtypes, interpolation modes and fill values.

Images are either ``torch.Tensor`` of shape ``[..., C, H, W]`` (uint8 in [0, 255] or float in [0, 1]) or
``PIL.Image.Image``. Tensor ops run on a flattened ``[N, C, H, W]`` batch so any number of leading dimensions works.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any, Union

import numpy as np
import PIL.Image
import torch
from torch import Tensor

__all__ = [
    "ImageLike",
    "InterpolationMode",
    "get_dimensions",
    "get_image_num_channels",
    "get_image_size",
]

ImageLike = Union[Tensor, PIL.Image.Image]  # noqa: UP007 - a runtime alias, also valid on Python 3.10 annotations
Fill = Union[int, float, Sequence[float], None]  # noqa: UP007


class InterpolationMode(Enum):
    """Interpolation modes, named like torchvision's. Tensors support NEAREST, NEAREST_EXACT, BILINEAR and BICUBIC;
    PIL images support NEAREST, BILINEAR, BICUBIC, BOX, HAMMING and LANCZOS."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


_PIL_MODES = {
    InterpolationMode.NEAREST: PIL.Image.Resampling.NEAREST,
    InterpolationMode.NEAREST_EXACT: PIL.Image.Resampling.NEAREST,
    InterpolationMode.BILINEAR: PIL.Image.Resampling.BILINEAR,
    InterpolationMode.BICUBIC: PIL.Image.Resampling.BICUBIC,
    InterpolationMode.BOX: PIL.Image.Resampling.BOX,
    InterpolationMode.HAMMING: PIL.Image.Resampling.HAMMING,
    InterpolationMode.LANCZOS: PIL.Image.Resampling.LANCZOS,
}
_FROM_PIL_CODE = {int(code): mode for mode, code in _PIL_MODES.items() if mode is not InterpolationMode.NEAREST_EXACT}


def to_interpolation_mode(interpolation: InterpolationMode | str | int) -> InterpolationMode:
    """Accept an ``InterpolationMode``, its string value (``"bilinear"``) or a PIL resampling code (``2``)."""
    if isinstance(interpolation, InterpolationMode):
        return interpolation
    if isinstance(interpolation, str):
        try:
            return InterpolationMode(interpolation)
        except ValueError:
            pass
    elif isinstance(interpolation, int) and interpolation in _FROM_PIL_CODE:
        return _FROM_PIL_CODE[interpolation]
    raise TypeError(f"interpolation should be an InterpolationMode, got {interpolation!r}")


def pil_resample(interpolation: InterpolationMode | str | int) -> PIL.Image.Resampling:
    """The PIL resampling filter for an interpolation mode."""
    return _PIL_MODES[to_interpolation_mode(interpolation)]


def tensor_mode(interpolation: InterpolationMode | str | int, supported: Sequence[InterpolationMode]) -> str:
    """The ``torch.nn.functional`` mode string for an interpolation mode that tensors support here."""
    mode = to_interpolation_mode(interpolation)
    if mode not in supported:
        names = ", ".join(m.name for m in supported)
        raise ValueError(f"interpolation {mode.name} is unsupported with Tensor input (use one of {names})")
    return mode.value


def is_pil(img: Any) -> bool:
    return isinstance(img, PIL.Image.Image)


def check_image(img: Any) -> None:
    """Raise ``TypeError`` unless ``img`` is a tensor or a PIL image."""
    if not isinstance(img, Tensor) and not is_pil(img):
        raise TypeError(f"img should be a Tensor or a PIL Image, got {type(img).__name__}")


def check_channels(img: Tensor, permitted: Sequence[int]) -> None:
    """Raise ``TypeError`` unless ``img`` is a ``Tensor[..., C, H, W]`` with a permitted channel count ``C``."""
    if not isinstance(img, Tensor):
        raise TypeError(f"img should be a Tensor image, got {type(img).__name__}")
    if img.ndim < 3:
        raise TypeError(f"img should have at least 3 dimensions (..., C, H, W), got shape {tuple(img.shape)}")
    if img.shape[-3] not in permitted:
        raise TypeError(f"img should have {' or '.join(map(str, permitted))} channels, got {img.shape[-3]}")


def get_dimensions(img: ImageLike) -> list[int]:
    """Return ``[channels, height, width]`` of an image.

    Args:
        img (Tensor[..., C, H, W] | Tensor[H, W] | PIL.Image.Image): the image.
    """
    check_image(img)
    if is_pil(img):
        return [len(img.getbands()), img.height, img.width]
    channels = 1 if img.ndim == 2 else img.shape[-3]
    return [channels, img.shape[-2], img.shape[-1]]


def get_image_size(img: ImageLike) -> list[int]:
    """Return ``[width, height]`` of an image (PIL's order)."""
    _, height, width = get_dimensions(img)
    return [width, height]


def get_image_num_channels(img: ImageLike) -> int:
    """Return the number of channels of an image."""
    return get_dimensions(img)[0]


def max_value(dtype: torch.dtype) -> int | float:
    """The value of full intensity: 1.0 for floating point images, the largest integer otherwise."""
    return 1.0 if dtype.is_floating_point else torch.iinfo(dtype).max


def cast_in_range(values: Tensor, dtype: torch.dtype) -> Tensor:
    """Cast float tensors whose values are in [0, max] of an integer ``dtype`` (clamped, not NaN) to ``dtype``,
    truncating as torch's cast does.

    To uint8 the cast goes through numpy for float32 and float64 tensors on the CPU, and through int32 otherwise:
    both are several times faster than torch's own float -> uint8, and give its values on that range (checked on
    every float32 in [0, 256)). Outside it casts differ, so callers clamp first.
    """
    if dtype != torch.uint8:
        return values.to(dtype)
    if values.device.type == "cpu" and values.dtype in (torch.float32, torch.float64):
        return torch.from_numpy(values.detach().numpy().astype(np.uint8))
    return values.to(torch.int32).to(dtype)


def as_batch(img: Tensor) -> Tensor:
    """``img`` viewed as a ``[N, C, H, W]`` batch: leading dimensions flattened, ``[H, W]`` given ``N = C = 1``."""
    return img.reshape(-1, *img.shape[-3:]) if img.ndim >= 3 else img[None, None]


def from_batch(batch: Tensor, img: Tensor) -> Tensor:
    """A ``[N, C, H', W']`` result of :func:`as_batch` ``(img)`` given ``img``'s leading dimensions back."""
    return batch.reshape(*img.shape[:-3], *batch.shape[-3:]) if img.ndim >= 3 else batch[0, 0]


def on_float_batch(img: Tensor, fn: Callable[[Tensor], Tensor], within_range: bool = False) -> Tensor:
    """Run ``fn`` on ``img`` viewed as a float ``[N, C, H, W]`` batch and give the result the input's layout.

    Integer images are computed in float32 and rounded and clamped back to their dtype; float images keep theirs.

    Args:
        img (Tensor[..., C, H, W] | Tensor[H, W]): the image.
        fn: maps a float ``Tensor[N, C, H, W]`` to a ``Tensor[N, C, H', W']``.
        within_range: ``fn`` only takes weighted means of input values (non-negative weights summing to 1), so its
            rounded results are already within the dtype's range and need no clamping.
    """
    batch = as_batch(img)
    out = fn(batch if img.is_floating_point() else batch.float())
    if not img.is_floating_point():
        out = out.round_() if within_range else out.round_().clamp_(0, max_value(img.dtype))
        out = cast_in_range(out, img.dtype)
    return from_batch(out, img)


def fill_for_pil(fill: Fill, img: PIL.Image.Image, name: str = "fill") -> dict[str, Any]:
    """Turn a fill value into PIL's keyword argument: one int per band (floats kept for mode ``F``).

    Raises:
        ValueError: if a sequence fill has neither 1 nor one value per band.
    """
    bands = len(img.getbands())
    values = [0.0] if fill is None else [fill] if isinstance(fill, (int, float)) else list(fill)
    if len(values) == 1:
        values = values * bands
    if len(values) != bands:
        raise ValueError(f"{name} should have 1 or {bands} values (one per channel), got {fill!r}")
    cast = float if img.mode == "F" else int
    values = [cast(v) for v in values]
    return {name: values[0] if bands == 1 else tuple(values)}


def fill_for_tensor(fill: Fill, num_channels: int) -> list[float] | None:
    """Turn a fill value into one float per channel for the grid-sampling ops (``None`` stays ``None``).

    Raises:
        ValueError: if a sequence fill has neither 1 nor ``num_channels`` values.
    """
    if fill is None:
        return None
    values = [float(fill)] if isinstance(fill, (int, float)) else [float(v) for v in fill]
    if len(values) not in (1, num_channels):
        raise ValueError(f"fill should have 1 or {num_channels} values (one per channel), got {fill!r}")
    return values * num_channels if len(values) == 1 else values


def check_fill(fill: Any) -> None:
    """Raise ``TypeError`` unless ``fill`` is None, a number or a sequence of numbers."""
    ok = fill is None or isinstance(fill, (int, float))
    if isinstance(fill, Sequence) and not isinstance(fill, str):
        ok = all(isinstance(v, (int, float)) for v in fill)
    if not ok:
        raise TypeError(f"fill should be a number or a sequence of numbers, got {fill!r}")
