"""v2 photometric transforms: grayscale and RGB conversion, colour jitter, channel permutation, the photometric
distortion of SSD, and the random histogram, inversion, posterization, solarization and sharpness ops.

They change the pixels of images and videos only: boxes, masks, keypoints and labels pass through untouched.
"""

from __future__ import annotations

import collections.abc
from collections.abc import Sequence
from typing import Any

import torch

from .. import _color_transforms as _v1
from . import functional as F
from ._transform import Transform, _RandomApplyTransform
from ._utils import query_chw

__all__ = [
    "RGB",
    "ColorJitter",
    "Grayscale",
    "RandomAdjustSharpness",
    "RandomAutocontrast",
    "RandomChannelPermutation",
    "RandomEqualize",
    "RandomGrayscale",
    "RandomInvert",
    "RandomPhotometricDistort",
    "RandomPosterize",
    "RandomSolarize",
]


class Grayscale(Transform):
    """Convert images and videos to grayscale.

    Args:
        num_output_channels: 1, or 3 for three equal channels.
    """

    _v1_transform_cls = _v1.Grayscale

    def __init__(self, num_output_channels: int = 1) -> None:
        super().__init__()
        self.num_output_channels = num_output_channels

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(F.rgb_to_grayscale, inpt, num_output_channels=self.num_output_channels)


class RandomGrayscale(_RandomApplyTransform):
    """Convert images and videos to grayscale with probability ``p``, keeping their number of channels.

    Args:
        p: probability of the conversion.
    """

    _v1_transform_cls = _v1.RandomGrayscale

    def __init__(self, p: float = 0.1) -> None:
        super().__init__(p=p)

    def make_params(self, flat_inputs: list[Any]) -> dict[str, Any]:
        num_input_channels, *_ = query_chw(flat_inputs)
        return {"num_input_channels": num_input_channels}

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(F.rgb_to_grayscale, inpt, num_output_channels=params["num_input_channels"])


class RGB(Transform):
    """Convert gray images and videos to RGB (three equal channels); RGB ones are left as they are."""

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(F.grayscale_to_rgb, inpt)


def _jitter_range(
    value: float | Sequence[float] | None,
    name: str,
    center: float = 1.0,
    bound: tuple[float, float] = (0, float("inf")),
    clip_first_on_zero: bool = True,
) -> tuple[float, float] | None:
    """``(min, max)`` of a jitter factor from a number ``x`` (``[center - x, center + x]``) or a 2-sequence; None
    when nothing would change.

    Raises:
        ValueError: for a negative number, or a range outside ``bound`` or decreasing.
        TypeError: for anything else than a number or a 2-sequence.
    """
    if value is None:
        return None
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"If {name} is a single number, it must be non negative.")
        low, high = center - value, center + value
        if clip_first_on_zero:
            low = max(low, 0.0)
    elif isinstance(value, collections.abc.Sequence) and len(value) == 2:
        low, high = float(value[0]), float(value[1])
    else:
        raise TypeError(f"{name}={value} should be a single number or a sequence with length 2.")
    if not bound[0] <= low <= high <= bound[1]:
        raise ValueError(f"{name} values should be between {bound} and increasing, but got {[low, high]}.")
    return None if low == high == center else (float(low), float(high))


def _uniform(low: float, high: float) -> float:
    return float(torch.empty(1).uniform_(low, high).item())


class ColorJitter(Transform):
    """Randomly change brightness, contrast, saturation and hue of images and videos, in a random order.

    Args:
        brightness: factor range ``(min, max)``, or ``b`` for ``[max(0, 1 - b), 1 + b]``.
        contrast: same, for contrast.
        saturation: same, for saturation.
        hue: shift range ``(min, max)`` within [-0.5, 0.5], or ``h`` in [0, 0.5] for ``[-h, h]``.
    """

    _v1_transform_cls = _v1.ColorJitter

    def __init__(
        self,
        brightness: float | Sequence[float] | None = None,
        contrast: float | Sequence[float] | None = None,
        saturation: float | Sequence[float] | None = None,
        hue: float | Sequence[float] | None = None,
    ) -> None:
        super().__init__()
        self.brightness = _jitter_range(brightness, "brightness")
        self.contrast = _jitter_range(contrast, "contrast")
        self.saturation = _jitter_range(saturation, "saturation")
        self.hue = _jitter_range(hue, "hue", center=0, bound=(-0.5, 0.5), clip_first_on_zero=False)

    def make_params(self, flat_inputs: list[Any]) -> dict[str, Any]:
        # v1's draws: the order, then one uniform factor per enabled adjustment.
        fn_idx, b, c, s, h = self.get_params(self.brightness, self.contrast, self.saturation, self.hue)
        return {"fn_idx": fn_idx, "brightness_factor": b, "contrast_factor": c, "saturation_factor": s, "hue_factor": h}

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        steps = [
            (F.adjust_brightness, "brightness_factor"),
            (F.adjust_contrast, "contrast_factor"),
            (F.adjust_saturation, "saturation_factor"),
            (F.adjust_hue, "hue_factor"),
        ]
        for fn_id in params["fn_idx"]:
            functional, name = steps[int(fn_id)]
            if params[name] is not None:
                inpt = self._call_kernel(functional, inpt, **{name: params[name]})
        return inpt


class RandomChannelPermutation(Transform):
    """Randomly permute the channels of images and videos."""

    def make_params(self, flat_inputs: list[Any]) -> dict[str, Any]:
        num_channels, *_ = query_chw(flat_inputs)
        return {"permutation": torch.randperm(num_channels)}

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(F.permute_channels, inpt, params["permutation"])


class RandomPhotometricDistort(Transform):
    """The photometric distortion of SSD: brightness, contrast (before or after the colour steps), saturation and
    hue, each applied with probability ``p``, then a channel permutation with probability ``p``.

    Args:
        brightness: range ``(min, max)`` of the brightness factor.
        contrast: range of the contrast factor.
        saturation: range of the saturation factor.
        hue: range of the hue shift, within [-0.5, 0.5].
        p: probability of each distortion.
    """

    def __init__(
        self,
        brightness: tuple[float, float] = (0.875, 1.125),
        contrast: tuple[float, float] = (0.5, 1.5),
        saturation: tuple[float, float] = (0.5, 1.5),
        hue: tuple[float, float] = (-0.05, 0.05),
        p: float = 0.5,
    ) -> None:
        super().__init__()
        self.brightness = brightness
        self.contrast = contrast
        self.hue = hue
        self.saturation = saturation
        self.p = p

    def make_params(self, flat_inputs: list[Any]) -> dict[str, Any]:
        num_channels, *_ = query_chw(flat_inputs)
        ranges = {
            "brightness_factor": self.brightness,
            "contrast_factor": self.contrast,
            "saturation_factor": self.saturation,
            "hue_factor": self.hue,
        }
        # Per adjustment: the coin first, then (if it came up) the factor.
        params: dict[str, Any] = {
            name: _uniform(low, high) if torch.rand(1) < self.p else None for name, (low, high) in ranges.items()
        }
        params["contrast_before"] = bool(torch.rand(()) < 0.5)
        params["channel_permutation"] = torch.randperm(num_channels) if torch.rand(1) < self.p else None
        return params

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        contrast = params["contrast_factor"] is not None
        if params["brightness_factor"] is not None:
            inpt = self._call_kernel(F.adjust_brightness, inpt, brightness_factor=params["brightness_factor"])
        if contrast and params["contrast_before"]:
            inpt = self._call_kernel(F.adjust_contrast, inpt, contrast_factor=params["contrast_factor"])
        if params["saturation_factor"] is not None:
            inpt = self._call_kernel(F.adjust_saturation, inpt, saturation_factor=params["saturation_factor"])
        if params["hue_factor"] is not None:
            inpt = self._call_kernel(F.adjust_hue, inpt, hue_factor=params["hue_factor"])
        if contrast and not params["contrast_before"]:
            inpt = self._call_kernel(F.adjust_contrast, inpt, contrast_factor=params["contrast_factor"])
        if params["channel_permutation"] is not None:
            inpt = self._call_kernel(F.permute_channels, inpt, permutation=params["channel_permutation"])
        return inpt


class RandomEqualize(_RandomApplyTransform):
    """Equalize the histogram of images and videos with probability ``p``."""

    _v1_transform_cls = _v1.RandomEqualize

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(F.equalize, inpt)


class RandomInvert(_RandomApplyTransform):
    """Invert the colours of images and videos with probability ``p``."""

    _v1_transform_cls = _v1.RandomInvert

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(F.invert, inpt)


class RandomPosterize(_RandomApplyTransform):
    """Keep only the ``bits`` most significant bits of each value, with probability ``p``.

    Args:
        bits: bits kept per channel, in [0, 8].
        p: probability of posterizing.
    """

    _v1_transform_cls = _v1.RandomPosterize

    def __init__(self, bits: int, p: float = 0.5) -> None:
        super().__init__(p=p)
        self.bits = bits

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(F.posterize, inpt, bits=self.bits)


class RandomSolarize(_RandomApplyTransform):
    """Invert the values at or above ``threshold``, with probability ``p``.

    Args:
        threshold: in the images' intensity range.
        p: probability of solarizing.
    """

    _v1_transform_cls = _v1.RandomSolarize

    def __init__(self, threshold: float, p: float = 0.5) -> None:
        super().__init__(p=p)
        self.threshold = threshold

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(F.solarize, inpt, threshold=self.threshold)


class RandomAutocontrast(_RandomApplyTransform):
    """Stretch each channel to the full intensity range, with probability ``p``."""

    _v1_transform_cls = _v1.RandomAutocontrast

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(F.autocontrast, inpt)


class RandomAdjustSharpness(_RandomApplyTransform):
    """Adjust the sharpness with probability ``p``.

    Args:
        sharpness_factor: non-negative; 0 blurs, 1 keeps the image, 2 doubles its sharpness.
        p: probability of the adjustment.
    """

    _v1_transform_cls = _v1.RandomAdjustSharpness

    def __init__(self, sharpness_factor: float, p: float = 0.5) -> None:
        super().__init__(p=p)
        self.sharpness_factor = sharpness_factor

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(F.adjust_sharpness, inpt, sharpness_factor=self.sharpness_factor)
