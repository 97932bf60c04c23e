"""Photometric functionals: brightness, contrast, saturation, hue, gamma, sharpness, grayscale, histogram ops, blur.

Tensors are ``[..., 1 or 3, H, W]``, uint8 in [0, 255] or float in [0, 1]; PIL images use PIL's ``ImageEnhance`` and
``ImageOps``. Blends are clamped to the intensity range and cast back to the input dtype (truncating for integers).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence

import numpy as np
import PIL.Image
import PIL.ImageEnhance
import PIL.ImageOps
import torch
import torch.nn.functional as nnf
from torch import Tensor

from ._conversion import check_safe_cast, convert_image_dtype, pil_to_tensor, to_pil_image
from ._image import ImageLike, cast_in_range, check_channels, check_image, is_pil, max_value, on_float_batch
from ._validation import is_number

__all__ = [
    "adjust_brightness",
    "adjust_contrast",
    "adjust_gamma",
    "adjust_hue",
    "adjust_saturation",
    "adjust_sharpness",
    "autocontrast",
    "equalize",
    "gaussian_blur",
    "invert",
    "posterize",
    "rgb_to_grayscale",
    "solarize",
    "to_grayscale",
]

_LUMA = (0.2989, 0.587, 0.114)  # ITU-R 601-2 weights, as PIL's "L" conversion


def _check_factor(value: float, name: str) -> None:
    if not is_number(value):
        raise TypeError(f"{name} should be a non-negative number, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} should be a non-negative number, got {value}")


def _check_color_input(img: ImageLike) -> None:
    check_image(img)
    if not is_pil(img):
        check_channels(img, (1, 3))


def _levels(img: Tensor) -> Tensor:
    """A copy of the image's intensities as floats on its own scale (integer images in float32), to work on in place.

    The adjustments below take and return levels, and may overwrite the levels they are given.
    """
    return img.clone() if img.is_floating_point() else img.to(torch.float32)


def _from_levels(levels: Tensor, dtype: torch.dtype) -> Tensor:
    return levels if levels.dtype == dtype else cast_in_range(levels, dtype)


def _quantize(levels: Tensor, dtype: torch.dtype) -> Tensor:
    """Truncate the levels of an integer image in place, as the cast back to its dtype after each op would."""
    return levels if dtype.is_floating_point else levels.floor_()  # floor: levels are >= 0 here, and trunc_ is slow


def _clamp_blend(levels: Tensor, ratio: float, dtype: torch.dtype) -> Tensor:
    """Clamp blended levels to the intensity range of ``dtype`` in place.

    Integer levels blended with a ``ratio`` in [0, 1] are weighted means of levels within the range: float rounding
    can only take them a hair above the maximum, which the truncation that follows removes, so they are left alone.
    """
    if dtype.is_floating_point or not 0.0 <= ratio <= 1.0:
        levels.clamp_(0, max_value(dtype))
    return levels


def _blend_levels(levels: Tensor, other: Tensor, ratio: float, dtype: torch.dtype) -> Tensor:
    """``ratio * levels + (1 - ratio) * other``, clamped to the intensity range of ``dtype`` and quantized."""
    ratio = float(ratio)
    return _quantize(_clamp_blend(levels.mul_(ratio).add_((1.0 - ratio) * other), ratio, dtype), dtype)


def _blend(img1: Tensor, img2: Tensor, ratio: float) -> Tensor:
    """``ratio * img1 + (1 - ratio) * img2``, clamped to the intensity range, in ``img1``'s dtype."""
    return _from_levels(_blend_levels(_levels(img1), img2, ratio, img1.dtype), img1.dtype)


def _enhance(img: PIL.Image.Image, enhancer: type, factor: float) -> PIL.Image.Image:
    return enhancer(img).enhance(factor)


# ------------------------------------------------------------------------------------------------------ grayscale
def check_num_output_channels(num_output_channels: int) -> int:
    if num_output_channels not in (1, 3):
        raise ValueError(f"num_output_channels should be 1 or 3, got {num_output_channels!r}")
    return num_output_channels


def to_grayscale(img: PIL.Image.Image, num_output_channels: int = 1) -> PIL.Image.Image:
    """Convert a PIL image to grayscale (mode ``L``, or ``RGB`` with 3 equal bands when ``num_output_channels=3``)."""
    if not is_pil(img):
        raise TypeError(f"img should be a PIL Image, got {type(img).__name__}")
    check_num_output_channels(num_output_channels)
    gray = img.convert("L")
    return gray if num_output_channels == 1 else PIL.Image.merge("RGB", (gray, gray, gray))


def _gray_levels(levels: Tensor, dtype: torch.dtype) -> Tensor:
    """Luma of RGB levels (or of an RGB image of ``dtype``): ``Tensor[..., 3, H, W]`` to ``Tensor[..., 1, H, W]``."""
    r, g, b = levels.unbind(dim=-3)
    gray = _LUMA[0] * r
    term = _LUMA[1] * g
    gray += term
    gray += torch.mul(b, _LUMA[2], out=term)
    return _quantize(gray.unsqueeze(-3), dtype)


def rgb_to_grayscale(img: ImageLike, num_output_channels: int = 1) -> ImageLike:
    """Convert an RGB image to grayscale with the ITU-R 601-2 luma weights.

    Args:
        img (Tensor[..., 1 or 3, H, W] | PIL.Image.Image): the image.
        num_output_channels: 1, or 3 to repeat the gray channel.

    Returns:
        Tensor[..., num_output_channels, H, W] | PIL.Image.Image: the gray image, in the input dtype.
    """
    if is_pil(img):
        return to_grayscale(img, num_output_channels)
    _check_color_input(img)
    check_num_output_channels(num_output_channels)
    gray = _from_levels(_gray_levels(img, img.dtype), img.dtype) if img.shape[-3] == 3 else img.clone()
    return gray.expand(img.shape) if num_output_channels == 3 else gray


# ---------------------------------------------------------------------------------------------------- adjustments
# Tensor adjustments work on levels (see _levels) and quantize after each step, so that a chain of them (ColorJitter)
# converts an integer image to float and back only once and still gives exactly what the single steps would.
LevelOp = Callable[[Tensor, float, torch.dtype], Tensor]


def _brightness_levels(levels: Tensor, factor: float, dtype: torch.dtype) -> Tensor:
    factor = float(factor)  # a blend with black
    return _quantize(_clamp_blend(levels.mul_(factor), factor, dtype), dtype)


def _contrast_levels(levels: Tensor, factor: float, dtype: torch.dtype) -> Tensor:
    gray = _gray_levels(levels, dtype) if levels.shape[-3] == 3 else levels
    return _blend_levels(levels, gray.mean(dim=(-3, -2, -1), keepdim=True), factor, dtype)


def _saturation_levels(levels: Tensor, factor: float, dtype: torch.dtype) -> Tensor:
    if levels.shape[-3] == 1:
        return levels
    return _blend_levels(levels, _gray_levels(levels, dtype), factor, dtype)


def _raw_hue(dist: Tensor) -> Tensor:
    """6 * hue, in [-1, 5), from ``dist = (value - channel) / chroma`` (``Tensor[..., 3, H, W]``, NaN for grays);
    ``dist`` is overwritten.

    It is ``2k + d[k+2] - d[k+1]`` for the largest channel ``k``, whose ``d`` is 0, and 0 for gray pixels. The
    candidates of the other channels get 8 added, and the smallest candidate is taken: on ties that is red's, as
    the round trip picks it (red-green and green-blue ties give equal candidates anyway). The candidates are built
    channel by channel: that touches each value once, where shifted copies of ``dist`` would touch it three times.
    """
    d_red, d_green, d_blue = dist.unbind(dim=-3)
    candidates = torch.empty_like(dist)
    c_red, c_green, c_blue = candidates.unbind(dim=-3)
    torch.sub(d_blue, d_green, out=c_red)
    torch.add(d_red, 2.0, out=c_green).sub_(d_blue)
    torch.add(d_green, 4.0, out=c_blue).sub_(d_red)
    candidates.add_(dist.ceil_(), alpha=8.0)  # d is in [0, 1]: ceil(d) is 0 only for the largest channels
    return candidates.amin(dim=-3).nan_to_num_(nan=0.0)


def _shifted_hue6(dist: Tensor, hue_factor: float) -> Tensor:
    """6 * ``(hue + hue_factor) mod 1``, in [0, 6]; ``y - floor(y)`` is what ``fmod`` and ``%`` give here."""
    hue = _raw_hue(dist).div_(6.0).add_(1.0)
    floor = torch.floor(hue)
    hue.sub_(floor).add_(hue_factor)
    return hue.sub_(torch.floor(hue, out=floor)).mul_(6.0)


# w = min(h6 - 1, 5 - h6) for red, max(1 - h6, h6 - 3) for green and max(3 - h6, h6 - 5) for blue, clamped to [0, 1].
_RISES_AFTER = torch.tensor([1.0, 3.0, 5.0]).view(3, 1, 1)
_FALLS_BEFORE = torch.tensor([5.0, 1.0, 3.0]).view(3, 1, 1)


def _channel_weights(hue6: Tensor, out: Tensor) -> Tensor:
    """``w`` of each channel in ``v (1 - s w)``, written to ``out`` (``Tensor[..., 3, H, W]``): 0 for the channel that
    keeps the value, 1 for the lowest one, and ``f`` or ``1 - f`` (``f``: position in the hue sector) for the middle
    one, as functions of ``hue6 = 6 * hue``."""
    rising = torch.sub(hue6.unsqueeze(-3), _RISES_AFTER, out=out)
    falling = _FALLS_BEFORE - hue6.unsqueeze(-3)
    torch.minimum(rising[..., :1, :, :], falling[..., :1, :, :], out=rising[..., :1, :, :])
    torch.maximum(rising[..., 1:, :, :], falling[..., 1:, :, :], out=rising[..., 1:, :, :])
    return rising.clamp_(0.0, 1.0)


def _shift_hue(img: Tensor, hue_factor: float, in_range: bool = False) -> Tensor:
    """Add ``hue_factor`` to the HSV hue of float RGB images ``Tensor[..., 3, H, W]``, overwriting ``img``;
    ``in_range`` tells that all values are known to be in [0, 1], which spares checking it.

    The result is bit for bit that of the RGB -> HSV -> RGB round trip that torchvision does, but built from cheap
    elementwise float operations: the hue comes from the largest channel picked with 0/1 factors, and each output
    channel is ``v (1 - s w)`` with ``w`` a clamped linear function of the new hue. Those steps round exactly like the
    round trip's (``h6 - k`` is exact near ``k``).
    """
    value, low = img.amax(dim=-3, keepdim=True), img.amin(dim=-3, keepdim=True)
    chroma = value - low
    dist = torch.sub(value, img, out=img).div_(chroma)  # NaN where chroma is 0
    hue6 = _shifted_hue6(dist, hue_factor)
    minus_saturation = chroma.div_(value).nan_to_num_(nan=0.0, posinf=math.inf, neginf=-math.inf).neg_()  # 0 / 0
    shifted = _channel_weights(hue6, out=dist).mul_(minus_saturation).add_(1.0).mul_(value)  # v (1 - s w)
    if in_range or (value.max() <= 1.0 and low.min() >= 0.0):
        return shifted  # s and w in [0, 1]: already in [0, v], where the round trip's clamp changes nothing
    # Out-of-range float images: the round trip clamps to [0, 1], except the channel that keeps the value.
    value_channel = (torch.floor((torch.floor(hue6) + 1.0) / 2.0) % 3).unsqueeze(-3)
    return torch.where(value_channel == torch.arange(3).view(3, 1, 1), value, shifted.clamp_(0.0, 1.0))


def _hue_levels(levels: Tensor, hue_factor: float, dtype: torch.dtype) -> Tensor:
    """Computed in float32 on [0, 1] intensities, as ``convert_image_dtype`` there and back would."""
    if levels.shape[-3] == 1:
        return levels
    if dtype.is_floating_point:
        return _shift_hue(levels.to(torch.float32), hue_factor).to(dtype)
    check_safe_cast(torch.float32, dtype)
    bound = max_value(dtype)
    return _shift_hue(levels.div_(bound), hue_factor, in_range=True).mul_(bound + 1.0 - 1e-3).floor_()


def _adjust_tensor(img: Tensor, steps: Sequence[tuple[LevelOp, float]]) -> Tensor:
    levels = _levels(img)
    for op, factor in steps:
        levels = op(levels, factor, img.dtype)
    return _from_levels(levels, img.dtype)


def adjust_brightness(img: ImageLike, brightness_factor: float) -> ImageLike:
    """Scale intensities: 0 gives black, 1 the original image, 2 twice as bright.

    Args:
        img (Tensor[..., 1 or 3, H, W] | PIL.Image.Image): the image.
        brightness_factor: non-negative factor.
    """
    _check_color_input(img)
    _check_factor(brightness_factor, "brightness_factor")
    if is_pil(img):
        return _enhance(img, PIL.ImageEnhance.Brightness, brightness_factor)
    return _adjust_tensor(img, [(_brightness_levels, brightness_factor)])


def adjust_contrast(img: ImageLike, contrast_factor: float) -> ImageLike:
    """Blend with the mean gray level: 0 gives a flat gray image, 1 the original image.

    Args:
        img (Tensor[..., 1 or 3, H, W] | PIL.Image.Image): the image.
        contrast_factor: non-negative factor.
    """
    _check_color_input(img)
    _check_factor(contrast_factor, "contrast_factor")
    if is_pil(img):
        return _enhance(img, PIL.ImageEnhance.Contrast, contrast_factor)
    return _adjust_tensor(img, [(_contrast_levels, contrast_factor)])


def adjust_saturation(img: ImageLike, saturation_factor: float) -> ImageLike:
    """Blend with the grayscale image: 0 gives gray, 1 the original image, 2 doubles the saturation.

    Args:
        img (Tensor[..., 1 or 3, H, W] | PIL.Image.Image): the image.
        saturation_factor: non-negative factor.
    """
    _check_color_input(img)
    _check_factor(saturation_factor, "saturation_factor")
    if is_pil(img):
        return _enhance(img, PIL.ImageEnhance.Color, saturation_factor)
    return _adjust_tensor(img, [(_saturation_levels, saturation_factor)])


def _shift_pil_hue(img: PIL.Image.Image, hue_factor: float) -> PIL.Image.Image:
    if img.mode in {"L", "1", "I", "F"}:
        return img
    h, s, v = img.convert("HSV").split()
    shift = np.uint8(int(hue_factor * 255) % 256)  # PIL's hue is 8 bits: the shift wraps around
    h = PIL.Image.fromarray(np.asarray(h) + shift)
    return PIL.Image.merge("HSV", (h, s, v)).convert(img.mode)


def adjust_hue(img: ImageLike, hue_factor: float) -> ImageLike:
    """Shift the hue by ``hue_factor`` of a full turn of the color wheel.

    Args:
        img (Tensor[..., 1 or 3, H, W] | PIL.Image.Image): the image; gray images are returned unchanged.
        hue_factor: in [-0.5, 0.5]; 0 keeps the image, +-0.5 gives the complementary colors.
    """
    _check_color_input(img)
    if not isinstance(hue_factor, numbers.Real):
        raise TypeError(f"hue_factor should be a number in [-0.5, 0.5], got {hue_factor!r}")
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor should be in [-0.5, 0.5], got {hue_factor}")
    if is_pil(img):
        return _shift_pil_hue(img, hue_factor)
    return img if img.shape[-3] == 1 else _adjust_tensor(img, [(_hue_levels, hue_factor)])


_ADJUSTMENTS: dict[str, tuple[Callable[[ImageLike, float], ImageLike], LevelOp]] = {
    "brightness": (adjust_brightness, _brightness_levels),
    "contrast": (adjust_contrast, _contrast_levels),
    "saturation": (adjust_saturation, _saturation_levels),
    "hue": (adjust_hue, _hue_levels),
}


def adjust_colors(img: ImageLike, adjustments: Sequence[tuple[str, float]]) -> ImageLike:
    """Apply ``(name, factor)`` adjustments in order, exactly as the ``adjust_<name>`` functions one after the other.

    Tensors go to float once and back once for the whole chain; factors are not validated here.

    Args:
        img (Tensor[..., 1 or 3, H, W] | PIL.Image.Image): the image.
        adjustments: ``("brightness" | "contrast" | "saturation" | "hue", factor)`` pairs.
    """
    if not adjustments:
        return img
    _check_color_input(img)
    if is_pil(img):
        for name, factor in adjustments:
            img = _ADJUSTMENTS[name][0](img, factor)
        return img
    return _adjust_tensor(img, [(_ADJUSTMENTS[name][1], factor) for name, factor in adjustments])


def adjust_gamma(img: ImageLike, gamma: float, gain: float = 1.0) -> ImageLike:
    """Gamma correction: ``out = 255 * gain * (in / 255) ** gamma``, computed on [0, 1] intensities.

    Args:
        img (Tensor[..., 1 or 3, H, W] | PIL.Image.Image): the image.
        gamma: non-negative; below 1 brightens the shadows, above 1 darkens them.
        gain: constant multiplier.
    """
    _check_color_input(img)
    _check_factor(gamma, "gamma")
    if is_pil(img):
        lut = [int((255 + 1 - 1e-3) * gain * pow(v / 255.0, gamma)) for v in range(256)] * 3
        return img.convert("RGB").point(lut).convert(img.mode)
    result = convert_image_dtype(img, torch.float32) if not img.is_floating_point() else img
    return convert_image_dtype((gain * result**gamma).clamp(0, 1), img.dtype)


def _smoothed(img: Tensor) -> Tensor:
    """The image under PIL's SMOOTH filter (3x3, center weight 5), borders kept as they are.

    Integer images: ``(3x3 sum + 4 * center) / 13``, a whole ``n`` over 13 that is never within 1/26 of a rounding
    tie, so it rounds as torchvision's convolution with the float32 weights does, and several times faster. Float
    images have no rounding to hide the difference in: they get that convolution itself.
    """
    if img.is_floating_point():
        kernel = torch.ones((3, 3), dtype=img.dtype)
        kernel[1, 1] = 5.0
        kernel /= kernel.sum()

        def _filter(batch: Tensor) -> Tensor:
            return nnf.conv2d(batch, kernel.expand(batch.shape[-3], 1, 3, 3), groups=batch.shape[-3])

    else:

        def _filter(batch: Tensor) -> Tensor:
            box = _correlate1d(_correlate1d(batch, [1.0, 1.0, 1.0], -1), [1.0, 1.0, 1.0], -2)
            return box.add_(batch[..., 1:-1, 1:-1], alpha=4.0).div_(13.0)

    result = img.clone()
    result[..., 1:-1, 1:-1] = on_float_batch(img, _filter)
    return result


def adjust_sharpness(img: ImageLike, sharpness_factor: float) -> ImageLike:
    """Blend with a smoothed copy: 0 gives the smoothed image, 1 the original, 2 a sharper image.

    Args:
        img (Tensor[..., 1 or 3, H, W] | PIL.Image.Image): the image.
        sharpness_factor: non-negative factor.
    """
    _check_color_input(img)
    _check_factor(sharpness_factor, "sharpness_factor")
    if is_pil(img):
        return _enhance(img, PIL.ImageEnhance.Sharpness, sharpness_factor)
    if img.shape[-1] <= 2 or img.shape[-2] <= 2:
        return img
    return _blend(img, _smoothed(img), sharpness_factor)


# -------------------------------------------------------------------------------------------------- histogram ops
def autocontrast(img: ImageLike) -> ImageLike:
    """Stretch each channel so that its darkest pixel becomes black and its lightest white.

    Args:
        img (Tensor[..., 1 or 3, H, W] | PIL.Image.Image): the image.
    """
    _check_color_input(img)
    if is_pil(img):
        return PIL.ImageOps.autocontrast(img)
    bound = max_value(img.dtype)
    dtype = img.dtype if img.is_floating_point() else torch.float32
    low = img.amin(dim=(-2, -1), keepdim=True).to(dtype)
    high = img.amax(dim=(-2, -1), keepdim=True).to(dtype)
    scale = bound / (high - low)
    flat = ~torch.isfinite(scale)  # a constant channel stays as it is
    low[flat] = 0
    scale[flat] = 1
    return ((img - low) * scale).clamp(0, bound).to(img.dtype)


def invert(img: ImageLike) -> ImageLike:
    """Invert intensities: ``max - img``.

    Args:
        img (Tensor[..., 1 or 3, H, W] | PIL.Image.Image): the image.
    """
    _check_color_input(img)
    if is_pil(img):
        return PIL.ImageOps.invert(img)
    return max_value(img.dtype) - img


def _check_uint8(img: Tensor) -> None:
    if img.dtype != torch.uint8:
        raise TypeError(f"img should be a torch.uint8 Tensor, got {img.dtype}")


def posterize(img: ImageLike, bits: int) -> ImageLike:
    """Keep only the ``bits`` most significant bits of each value.

    Args:
        img (Tensor[..., 1 or 3, H, W] | PIL.Image.Image): the image, uint8 for tensors.
        bits: in [0, 8].
    """
    _check_color_input(img)
    if not isinstance(bits, numbers.Integral):
        raise TypeError(f"bits should be an int in [0, 8], got {bits!r}")
    if not 0 <= bits <= 8:
        raise ValueError(f"bits should be an int in [0, 8], got {bits}")
    if is_pil(img):
        return PIL.ImageOps.posterize(img, int(bits))
    _check_uint8(img)
    return img & ((0xFF << (8 - int(bits))) & 0xFF)


def solarize(img: ImageLike, threshold: float) -> ImageLike:
    """Invert the values at or above ``threshold``.

    Args:
        img (Tensor[..., 1 or 3, H, W] | PIL.Image.Image): the image.
        threshold: in the image's intensity range ([0, 1] for float tensors, [0, 255] otherwise).
    """
    _check_color_input(img)
    if not isinstance(threshold, numbers.Real):
        raise TypeError(f"threshold should be a number, got {threshold!r}")
    if is_pil(img):
        return PIL.ImageOps.solarize(img, threshold)
    if threshold > max_value(img.dtype):
        raise TypeError(f"threshold should be at most {max_value(img.dtype)} for {img.dtype} images, got {threshold}")
    return _solarized(img, threshold, invert)


def _solarized(img: Tensor, threshold: float, invert_tensor: Callable[[Tensor], Tensor]) -> Tensor:
    """``torch.where(img >= threshold, invert_tensor(img), img)``, v1's and v2's solarize. For uint8 the inverted
    value is ``x ^ 255`` in both APIs, so the choice is made with bits, ``x ^ (255 * mask)``: the same values,
    without ``torch.where``, which is several times slower on CPU."""
    if img.dtype == torch.uint8:
        return img.bitwise_xor(img.ge(threshold).view(torch.uint8).mul_(255))
    return torch.where(img >= threshold, invert_tensor(img), img)


def _equalize_luts(values: Tensor) -> Tensor:
    """PIL's equalization lookup table for each row of ``values`` (``Tensor[K, P]`` of int64 in [0, 255]): it
    flattens the cumulative histogram; rows whose histogram has nothing to spread get the identity. ``Tensor[K, 256]``.
    """
    rows = values.shape[0]
    offsets = 256 * torch.arange(rows)[:, None]
    hist = torch.bincount((values + offsets).reshape(-1), minlength=256 * rows).view(rows, 256)
    last_used = 255 - (hist.flip(1) != 0).int().argmax(1, keepdim=True)
    step = (hist.sum(1, keepdim=True) - hist.gather(1, last_used)) // 255
    lut = (torch.cumsum(hist, 1) + step // 2) // step.clamp(min=1)
    lut = nnf.pad(lut, [1, 0])[:, :-1].clamp(0, 255)
    return torch.where(step == 0, torch.arange(256), lut)


def equalize(img: ImageLike) -> ImageLike:
    """Equalize the histogram of each channel.

    Args:
        img (Tensor[..., 1 or 3, H, W] | PIL.Image.Image): the image, uint8 for tensors.
    """
    _check_color_input(img)
    if is_pil(img):
        return PIL.ImageOps.equalize(img)
    _check_uint8(img)
    values = img.reshape(-1, img.shape[-2] * img.shape[-1]).long()
    return _equalize_luts(values).gather(1, values).to(torch.uint8).reshape(img.shape)


# ----------------------------------------------------------------------------------------------------------- blur
def _parse_kernel_size(kernel_size: int | Sequence[int]) -> list[int]:
    if isinstance(kernel_size, int):
        sizes = [kernel_size, kernel_size]
    elif isinstance(kernel_size, Sequence) and all(isinstance(k, int) for k in kernel_size):
        if len(kernel_size) != 2:
            raise ValueError(f"kernel_size should be an int or a sequence of 2 ints, got {kernel_size!r}")
        sizes = list(kernel_size)
    else:
        raise TypeError(f"kernel_size should be an int or a sequence of ints, got {kernel_size!r}")
    if any(k <= 0 or k % 2 == 0 for k in sizes):
        raise ValueError(f"kernel_size should hold odd positive ints, got {kernel_size!r}")
    return sizes


def _parse_sigma(sigma: float | Sequence[float] | None, kernel_size: list[int]) -> list[float]:
    if sigma is None:
        return [k * 0.15 + 0.35 for k in kernel_size]
    if isinstance(sigma, numbers.Real):
        sigmas = [float(sigma), float(sigma)]
    elif isinstance(sigma, Sequence) and not isinstance(sigma, str):
        if len(sigma) not in (1, 2):
            raise ValueError(f"sigma should be a number or a sequence of 1 or 2 numbers, got {sigma!r}")
        sigmas = [float(sigma[0]), float(sigma[-1])]
    else:
        raise TypeError(f"sigma should be a number or a sequence of numbers, got {sigma!r}")
    if any(s <= 0.0 for s in sigmas):
        raise ValueError(f"sigma should hold positive values, got {sigma!r}")
    return sigmas


def _gaussian_kernel1d(size: int, sigma: float, dtype: torch.dtype) -> Tensor:
    half = (size - 1) * 0.5
    pdf = torch.exp(-0.5 * (torch.linspace(-half, half, steps=size, dtype=dtype) / sigma).pow(2))
    return pdf / pdf.sum()


def _correlate1d(padded: Tensor, weights: list[float], dim: int) -> Tensor:
    """Valid 1-D correlation along ``dim``, as a weighted sum of shifted views: several times faster on CPU than
    torch's depthwise convolution. Only for sums that come out the same in any order (see :func:`_smoothed`)."""
    size = padded.shape[dim] - len(weights) + 1
    out = padded.narrow(dim, 0, size) * weights[0]
    for shift, weight in enumerate(weights[1:], start=1):
        out.add_(padded.narrow(dim, shift, size), alpha=weight)
    return out


def _blur_tensor(
    img: Tensor,
    kernel_size: list[int],
    sigma: list[float],
    *,
    kernel1d: Callable[[int, float, torch.dtype], Tensor] | None = None,
) -> Tensor:
    """Reflect-padded Gaussian blur with the 2-D kernel (the outer product of two 1-D ones) in one depthwise
    convolution, in the image's float dtype (float32 for integer images).

    Two 1-D passes would be several times faster, but they round differently from the 2-D convolution that
    torchvision runs: a value then and again lands on the other side of a rounding tie, and later steps (posterize,
    equalize) amplify that one grey level. The convolution is torch's own, on the same shapes, so it is exact.
    ``kernel1d`` builds the 1-D weights (v1's by default; v2 passes :func:`_gaussian_kernel1d_softmax`).
    """
    dtype = img.dtype if img.is_floating_point() else torch.float32
    kernel1d = kernel1d or _gaussian_kernel1d
    kx = kernel1d(kernel_size[0], sigma[0], dtype)
    ky = kernel1d(kernel_size[1], sigma[1], dtype)
    kernel = torch.mm(ky[:, None], kx[None, :])

    def _blur(batch: Tensor) -> Tensor:
        weight = kernel.expand(batch.shape[-3], 1, *kernel.shape)
        padding = [kernel_size[0] // 2, kernel_size[0] // 2, kernel_size[1] // 2, kernel_size[1] // 2]
        padded = nnf.pad(batch, padding, mode="reflect")
        if img.dtype == torch.uint8 and padded.device.type == "cpu" and padded.shape[-3] > 1:
            rounded = _rounded_blur_uint8(padded, weight, kx.tolist(), ky.tolist())
            if rounded is not None:
                return rounded
        return nnf.conv2d(padded, weight, groups=batch.shape[-3])

    return on_float_batch(img, _blur)


#: Above this share of values near a rounding tie, the whole convolution is cheaper than recomputing them one by one.
_MAX_TIE_SHARE = 0.02


def _rounded_blur_uint8(padded: Tensor, weight: Tensor, kx: list[float], ky: list[float]) -> Tensor | None:
    """``round(conv2d(padded, weight))`` for the float32 levels of a uint8 batch, without the 2-D convolution.

    Two 1-D passes give every value close to the convolution's float32 result, whatever order either sums in: the
    standard bound for a sum of ``n`` products is ``n u / (1 - n u)`` times the sum of their magnitudes, here the
    sum itself (weights and levels are not negative); the 1-D passes add theirs and the rounding of the 2-D
    weights, and the bound used is twice all that. Where that leaves no rounding
    tie in reach, both round to the same whole number. The few values near a tie are recomputed by torch's own
    convolution on their patches, which gives the full convolution's bits: with several channels it is a depthwise
    convolution, whose sum for one output does not depend on where the output lies (a one-channel image takes
    another algorithm, which does, so it is not given here). None when there are too many such values.
    """
    # All weights and levels are >= 0, so each error is bounded relative to the sum S itself, S < rounded + 1.
    relative = 2.0 * 2.0**-24 * (len(kx) * len(ky) + 2 * len(kx) + 2 * len(ky) + 1)
    approx = _correlate1d(_correlate1d(padded, kx, dim=-1), ky, dim=-2)
    rounded = torch.round(approx)
    distance = approx.sub_(rounded).abs_().numpy().reshape(-1)
    near = np.flatnonzero(distance > 0.5 - relative * 256.0)  # the bound at the largest sums, then each its own
    near = near[distance[near] > 0.5 - relative * (rounded.numpy().reshape(-1)[near] + 1.0)]
    if near.size > _MAX_TIE_SHARE * distance.size:
        return None
    if near.size:
        c, height, width = rounded.shape[-3:]
        index = torch.from_numpy(near)
        x, rest = index % width, index // width
        y, rest = rest % height, rest // height
        channel, batch_index = rest % c, rest // c
        pad_h, pad_w = padded.shape[-2:]
        plane = pad_h * pad_w
        corner = batch_index * (c * plane) + y * pad_w + x
        offsets = (
            torch.arange(c).view(c, 1, 1) * plane
            + torch.arange(len(ky)).view(1, -1, 1) * pad_w
            + torch.arange(len(kx)).view(1, 1, -1)
        ).view(-1)
        patches = padded.reshape(-1).index_select(0, (corner[:, None] + offsets[None, :]).view(-1))
        exact = nnf.conv2d(patches.view(-1, c, len(ky), len(kx)), weight, groups=c).view(-1, c)
        values = exact.gather(1, channel[:, None]).view(-1)
        rounded.view(-1)[index] = torch.round(values)
    return rounded


def gaussian_blur(
    img: ImageLike, kernel_size: int | Sequence[int], sigma: float | Sequence[float] | None = None
) -> ImageLike:
    """Blur with a Gaussian kernel; borders are reflected.

    Args:
        img (Tensor[..., C, H, W] | PIL.Image.Image): the image.
        kernel_size: odd positive ``(kx, ky)`` (width first), or one int for both.
        sigma: standard deviation ``(sx, sy)`` or one number for both; by default ``0.15 * k + 0.35`` per axis.
    """
    check_image(img)
    sizes = _parse_kernel_size(kernel_size)
    sigmas = _parse_sigma(sigma, sizes)
    if is_pil(img):
        return to_pil_image(_blur_tensor(pil_to_tensor(img), sizes, sigmas), mode=img.mode)
    if img.ndim > 4:  # v1 pads the image itself, which torch's reflect padding refuses (v2 blurs videos)
        raise NotImplementedError(f"Padding size 4 is not supported for {img.ndim}D input tensor.")
    return _blur_tensor(img, sizes, sigmas)


# ---------------------------------------------------------------------------------------- torchvision v2 arithmetic
# transforms.v2 computes several of the ops above with fused multiply-adds (``add_(x, alpha=a)``) and reciprocals,
# which round differently from v1's separate products; these private functions give v2's values exactly.
def _gray_fused(img: Tensor) -> Tensor:
    """Unquantized luma of ``Tensor[..., 3, H, W]`` as float (float32 for integer images), ``Tensor[..., 1, H, W]``."""
    r, g, b = img.unbind(dim=-3)
    return r.mul(_LUMA[0]).add_(g, alpha=_LUMA[1]).add_(b, alpha=_LUMA[2]).unsqueeze(-3)


def _blend_fused(img1: Tensor, img2: Tensor, ratio: float) -> Tensor:
    """``ratio * img1 + (1 - ratio) * img2`` as one fused step, clamped and cast back to ``img1``'s dtype."""
    ratio = float(ratio)
    out = img1.mul(ratio).add_(img2, alpha=1.0 - ratio).clamp_(0, max_value(img1.dtype))
    return out if img1.is_floating_point() else cast_in_range(out, img1.dtype)


def _mask_of(out: Tensor, a: Tensor, b: Tensor | float) -> Tensor:
    """``a == b`` as 0/1 floats written to ``out``: several times faster than a boolean mask cast to float."""
    return torch.eq(a, b, out=out)


def _rgb_to_hsv_planes(
    img: Tensor, overwrite: bool = False, spare: list[Tensor] | None = None
) -> tuple[Tensor, Tensor, Tensor]:
    """Float RGB ``Tensor[..., 3, H, W]`` to the planes hue (in [0, 1)), saturation and value, each
    ``Tensor[..., H, W]``; grays get hue and saturation 0. ``overwrite`` lets it work in ``img``'s memory, and the
    planes it no longer needs are added to ``spare`` for the caller to reuse.

    torchvision v2's arithmetic value for value, computed faster: the channel maximum and minimum as elementwise
    ``maximum``/``minimum`` (exact, like ``aminmax``), every ``where`` and boolean mask as a 0/1 float mask,
    ``x * (1 - m) + y * m``, which picks ``x`` or ``y`` exactly for finite values, and ``fmod(y, 1)`` as ``frac(y)``,
    the same for the non-negative ``y`` it is given here (``hue / 6 + 1`` with ``hue`` in [-1, 5]). Planes are
    reused as soon as they are dead, which keeps the work in the cache.
    """
    red, green, blue = img.unbind(dim=-3)
    value = torch.maximum(red, green)
    torch.maximum(value, blue, out=value)
    low = torch.minimum(red, green)
    torch.minimum(low, blue, out=low)
    gray = torch.eq(value, low, out=torch.empty_like(value))  # a 0/1 float mask, far faster than a bool cast
    chroma = torch.sub(value, low, out=low)
    not_gray = torch.neg(gray).add_(1.0)
    saturation = torch.mul(value, not_gray).add_(gray)
    torch.div(chroma, saturation, out=saturation)
    divisor = not_gray.mul_(chroma).add_(gray)
    red_max = torch.eq(value, red, out=gray)
    green_max = torch.eq(value, green, out=chroma).sub_(red_max).clamp_(min=0.0)  # and not red
    dist = torch.sub(value.unsqueeze(-3), img, out=img if overwrite else None).div_(divisor.unsqueeze(-3))
    d_red, d_green, d_blue = dist.unbind(dim=-3)
    blue_max = torch.add(red_max, green_max, out=divisor).neg_().add_(1.0)
    hue = torch.sub(d_blue, d_green).mul_(red_max)
    hue.add_(torch.add(d_red, 2.0, out=red_max).sub_(d_blue).mul_(green_max))
    hue.add_(d_green.add_(4.0).sub_(d_red).mul_(blue_max))
    if spare is not None:
        spare += [red_max, green_max, blue_max]
    return hue.mul_(1.0 / 6.0).add_(1.0).frac_(), saturation, value


def _shift_hue_plane(hue: Tensor, hue_factor: float, spare: list[Tensor] | None = None) -> Tensor:
    """``(hue + hue_factor).remainder(1)`` in place, as ``z - floor(z)``: for ``z`` in [-0.5, 1.5) both are
    ``z + 1``, ``z`` or the exact ``z - 1`` (only the sign of a zero can differ, which nothing after depends on)."""
    hue.add_(hue_factor)
    return hue.sub_(torch.floor(hue, out=spare[0] if spare else None))


def _hsv_parts(
    hue: Tensor, saturation: Tensor, value: Tensor, spare: list[Tensor] | None = None
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """torchvision v2's ``sector = floor(6 h)`` (0..6, 6 meaning 0), ``p``, ``q`` and ``t`` of HSV -> RGB, with
    the arithmetic of its ``_hsv_to_rgb``; ``hue`` and ``saturation`` are overwritten (and two ``spare`` planes)."""
    planes = spare[:2] if spare and len(spare) >= 2 else [None, None]
    hue6 = hue.mul_(6)
    sector = torch.floor(hue6, out=planes[0])
    s_frac = hue6.sub_(sector).mul_(saturation)
    one_minus_s = saturation.neg_().add_(1.0)
    q = torch.neg(s_frac, out=planes[1]).add_(1.0).mul_(value).clamp_(0.0, 1.0)
    t = s_frac.add_(one_minus_s).mul_(value).clamp_(0.0, 1.0)
    p = one_minus_s.mul_(value).clamp_(0.0, 1.0)
    return sector, p, q, t


# What each channel takes in sectors 0..6 (6 is 0 again): red v q p p t v, green t v v q p p, blue p p t v v q.
_SECTORS_OF = (
    {"v": (0, 5, 6), "q": (1,), "p": (2, 3), "t": (4,)},
    {"v": (1, 2), "t": (0, 6), "q": (3,), "p": (4, 5)},
    {"v": (3, 4), "p": (0, 1, 6), "t": (2,), "q": (5,)},
)


def _select_by_sector(sector: Tensor, planes: dict[str, Tensor], out: Tensor, scratch: Tensor) -> Tensor:
    """Write to each channel of ``out`` the plane its sector picks, as products with 0/1 masks (exact: only one
    is not zero) computed in ``scratch`` (two planes of ``sector``'s shape and dtype)."""
    mask, more = scratch.unbind(0)
    number = float if sector.is_floating_point() else int  # a float scalar would make a byte compare a float one
    for channel, picks in zip(out.unbind(-3), _SECTORS_OF, strict=True):
        for n, (name, sectors) in enumerate(picks.items()):
            torch.eq(sector, number(sectors[0]), out=mask)
            for k in sectors[1:]:
                mask.add_(torch.eq(sector, number(k), out=more))
            if n == 0:
                torch.mul(planes[name], mask, out=channel)
            else:
                channel.addcmul_(planes[name], mask)
    return out


def _hsv_planes_to_rgb(hue: Tensor, saturation: Tensor, value: Tensor) -> Tensor:
    """The inverse of :func:`_rgb_to_hsv_planes` (overwriting ``hue`` and ``saturation``): ``Tensor[..., 3, H, W]``,
    torchvision v2's values. Each output channel takes one of ``(v, p, q, t)`` by the hue's sector, chosen with
    0/1 masks where torchvision indexes and gathers."""
    sector, p, q, t = _hsv_parts(hue, saturation, value)
    out = torch.empty((*value.shape[:-2], 3, *value.shape[-2:]), dtype=value.dtype, device=value.device)
    scratch = torch.empty((2, *value.shape), dtype=value.dtype, device=value.device)
    return _select_by_sector(sector, {"v": value, "p": p, "q": q, "t": t}, out, scratch)


def _shift_hue_fused(img: Tensor, hue_factor: float) -> Tensor:
    """Add ``hue_factor`` to the hue of a float32 RGB ``Tensor[..., 3, H, W]`` by the RGB -> HSV -> RGB round trip."""
    hue, saturation, value = _rgb_to_hsv_planes(img)
    return _hsv_planes_to_rgb(_shift_hue_plane(hue, hue_factor), saturation, value)


def _shift_hue_uint8(img: Tensor, hue_factor: float) -> Tensor:
    """:func:`_shift_hue_fused` for uint8 RGB images, from and back to uint8 as v2 converts them, the same values.

    The four candidate planes are cast to uint8 first (the cast is elementwise, so picking before or after it is
    the same) and the choice by sector is made on bytes, several times cheaper than on floats.
    """
    x = img.to(torch.float32).mul_(1.0 / max_value(torch.uint8))
    spare: list[Tensor] = []
    hue, saturation, value = _rgb_to_hsv_planes(x, overwrite=True, spare=spare)
    sector, p, q, t = _hsv_parts(_shift_hue_plane(hue, hue_factor, spare), saturation, value, spare)
    scale = max_value(torch.uint8) + 1.0 - 1e-3  # v2's float -> uint8: multiply, then truncate
    v, p, q, t = (cast_in_range(plane.mul_(scale), torch.uint8) for plane in (value, p, q, t))
    return _select_bytes(cast_in_range(sector, torch.uint8), v, p, q, t)


def _sector_bits(name: str) -> Tensor:
    """``[3, 1, 1]`` bytes: bit ``k`` of channel ``c`` is set where ``c`` takes plane ``name`` in sector ``k``."""
    return torch.tensor([sum(1 << k for k in picks.get(name, ())) for picks in _SECTORS_OF], dtype=torch.uint8).view(
        3, 1, 1
    )


_TAKES_V, _TAKES_P = _sector_bits("v"), _sector_bits("p")


def _select_bytes(sector: Tensor, v: Tensor, p: Tensor, q: Tensor, t: Tensor) -> Tensor:
    """The RGB bytes ``Tensor[..., 3, H, W]`` that the sector (bytes 0..6) picks from the planes ``v, p, q, t``.

    Per pixel the channels take ``v``, ``p`` and the middle one, ``q`` in odd sectors and ``t`` in even ones; the
    choices come from bit masks shifted by the sector. Byte arithmetic wraps modulo 256, so ``mid + (v - mid) m``
    with a 0/1 ``m`` is exactly ``v`` or ``mid``: the whole choice is a dozen byte operations on all channels.
    """
    mid = torch.sub(q, t).mul_(torch.bitwise_and(sector, 1)).add_(t)
    sector = sector.unsqueeze(-3)
    takes_v = torch.bitwise_right_shift(_TAKES_V, sector).bitwise_and_(1)
    takes_p = torch.bitwise_right_shift(_TAKES_P, sector).bitwise_and_(1)
    out = takes_v.mul_(torch.sub(v, mid).unsqueeze(-3))
    return out.addcmul_(takes_p, torch.sub(p, mid).unsqueeze(-3)).add_(mid.unsqueeze(-3))


def _sharpen_fused(img: Tensor, sharpness_factor: float) -> Tensor:
    """``img + (1 - factor) * (smoothed - img)`` in one fused step, borders kept, clamped and cast back."""
    dtype = img.dtype if img.is_floating_point() else torch.float32
    out = img.to(dtype, copy=True)
    smoothed = _smoothed(img).to(dtype)
    out.add_(smoothed.sub_(out), alpha=1.0 - sharpness_factor).clamp_(0, max_value(img.dtype))
    return out if img.is_floating_point() else cast_in_range(out, img.dtype)


def _autocontrast_fused(img: Tensor) -> Tensor:
    """Per-channel stretch divided by ``(max - min) / bound``; constant channels are kept."""
    bound = max_value(img.dtype)
    levels = img if img.is_floating_point() else img.to(torch.float32)
    low = levels.amin(dim=(-2, -1), keepdim=True)
    high = levels.amax(dim=(-2, -1), keepdim=True)
    flat = high == low
    inv_scale = high.sub_(low).mul_(1.0 / bound)
    low[flat] = 0.0
    inv_scale[flat] = 1.0
    diff = levels.sub(low) if img.is_floating_point() else levels.sub_(low)
    diff.div_(inv_scale).clamp_(0, bound)
    return diff if img.is_floating_point() else cast_in_range(diff, img.dtype)


def _gaussian_kernel1d_softmax(size: int, sigma: float, dtype: torch.dtype) -> Tensor:
    """v2's Gaussian weights: a softmax over ``-(x / sigma)^2`` with ``x`` spanning +-(size - 1) / (2 sqrt 2)."""
    lim = (size - 1) / (2.0 * math.sqrt(2.0))
    return torch.softmax(torch.linspace(-lim, lim, steps=size, dtype=dtype).div(sigma).pow(2).neg(), dim=0)
