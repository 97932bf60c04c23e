"""Photometric functionals: brightness, contrast, saturation, hue, gamma, sharpness, grayscale, histogram ops, blur.

Tensors are ``[..., 1 or 3, H, W]``, uint8 in [0, 255] or float in [0, 1]; PIL images use PIL's ``ImageEnhance`` and
``ImageOps``. Blends are clamped to the intensity range and cast back to the input dtype (truncating for integers).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
import PIL.Image
import PIL.ImageEnhance
import PIL.ImageOps
import torch
import torch.nn.functional as nnf
from torch import Tensor

from ._conversion import convert_image_dtype, pil_to_tensor, to_pil_image
from ._image import ImageLike, check_channels, check_image, is_pil, max_value, on_float_batch
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


def _blend(img1: Tensor, img2: Tensor, ratio: float) -> Tensor:
    """``ratio * img1 + (1 - ratio) * img2``, clamped to the intensity range, in ``img1``'s dtype."""
    ratio = float(ratio)
    return (ratio * img1 + (1.0 - ratio) * img2).clamp(0, max_value(img1.dtype)).to(img1.dtype)


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
    if img.shape[-3] == 3:
        r, g, b = img.unbind(dim=-3)
        gray = (_LUMA[0] * r + _LUMA[1] * g + _LUMA[2] * b).to(img.dtype).unsqueeze(-3)
    else:
        gray = img.clone()
    return gray.expand(img.shape) if num_output_channels == 3 else gray


# ---------------------------------------------------------------------------------------------------- adjustments
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
    return _blend(img, torch.zeros_like(img), brightness_factor)


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
    dtype = img.dtype if img.is_floating_point() else torch.float32
    gray = rgb_to_grayscale(img) if img.shape[-3] == 3 else img
    mean = gray.to(dtype).mean(dim=(-3, -2, -1), keepdim=True)
    return _blend(img, mean, contrast_factor)


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
    if img.shape[-3] == 1:
        return img
    return _blend(img, rgb_to_grayscale(img), saturation_factor)


def _rgb_to_hsv(img: Tensor) -> Tensor:
    r, g, b = img.unbind(dim=-3)
    value = img.amax(dim=-3)
    chroma = value - img.amin(dim=-3)
    gray = chroma == 0
    saturation = chroma / torch.where(gray, torch.ones_like(value), value)
    safe_chroma = torch.where(gray, torch.ones_like(chroma), chroma)
    rc, gc, bc = ((value - c) / safe_chroma for c in (r, g, b))
    is_r = value == r
    is_g = (value == g) & ~is_r
    is_b = ~is_g & ~is_r
    hue = is_r * (bc - gc) + is_g * (2.0 + rc - bc) + is_b * (4.0 + gc - rc)
    hue = torch.fmod(hue / 6.0 + 1.0, 1.0)
    return torch.stack((hue, saturation, value), dim=-3)


def _hsv_to_rgb(img: Tensor) -> Tensor:
    h, s, v = img.unbind(dim=-3)
    sector = torch.floor(h * 6.0)
    frac = h * 6.0 - sector
    sector = sector.to(torch.int32) % 6
    p = (v * (1.0 - s)).clamp(0.0, 1.0)
    q = (v * (1.0 - s * frac)).clamp(0.0, 1.0)
    t = (v * (1.0 - s * (1.0 - frac))).clamp(0.0, 1.0)
    # (r, g, b) of each of the 6 hue sectors, chosen per pixel.
    table = torch.stack(
        [torch.stack(channel, dim=-3) for channel in ((v, q, p, p, t, v), (t, v, v, q, p, p), (p, p, t, v, v, q))],
        dim=-4,
    )
    index = sector.long().unsqueeze(-3).unsqueeze(-4).expand(*table.shape[:-3], 1, *table.shape[-2:])
    return table.gather(-3, index).squeeze(-3)


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
        if img.mode in {"L", "1", "I", "F"}:
            return img
        h, s, v = img.convert("HSV").split()
        shift = int(hue_factor * 255) % 256  # PIL's hue is 8 bits: the shift wraps around
        h = PIL.Image.fromarray(((np.asarray(h, dtype=np.int64) + shift) % 256).astype(np.uint8), mode="L")
        return PIL.Image.merge("HSV", (h, s, v)).convert(img.mode)
    if img.shape[-3] == 1:
        return img
    hsv = _rgb_to_hsv(convert_image_dtype(img, torch.float32))
    hue, saturation, value = hsv.unbind(dim=-3)
    shifted = torch.stack(((hue + hue_factor) % 1.0, saturation, value), dim=-3)
    return convert_image_dtype(_hsv_to_rgb(shifted), img.dtype)


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
    """The image under PIL's SMOOTH filter (3x3, center weight 5), borders kept as they are."""

    def _filter(batch: Tensor) -> Tensor:
        kernel = torch.ones((3, 3), dtype=batch.dtype)
        kernel[1, 1] = 5.0
        kernel /= kernel.sum()
        return nnf.conv2d(batch, kernel.expand(batch.shape[-3], 1, 3, 3), groups=batch.shape[-3])

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
    return torch.where(img >= threshold, invert(img), img)


def _equalize_channel(channel: Tensor) -> Tensor:
    """PIL's equalization of one uint8 channel: a lookup table that flattens the cumulative histogram."""
    hist = torch.bincount(channel.reshape(-1), minlength=256)
    used = hist[hist != 0]
    step = torch.div(used[:-1].sum(), 255, rounding_mode="floor")
    if step == 0:
        return channel
    lut = torch.div(torch.cumsum(hist, 0) + torch.div(step, 2, rounding_mode="floor"), step, rounding_mode="floor")
    lut = nnf.pad(lut, [1, 0])[:-1].clamp(0, 255)
    return lut[channel.long()].to(torch.uint8)


def equalize(img: ImageLike) -> ImageLike:
    """Equalize the histogram of each channel.

    Args:
        img (Tensor[..., 1 or 3, H, W] | PIL.Image.Image): the image, uint8 for tensors.
    """
    _check_color_input(img)
    if is_pil(img):
        return PIL.ImageOps.equalize(img)
    _check_uint8(img)
    channels = img.reshape(-1, *img.shape[-2:])
    return torch.stack([_equalize_channel(c) for c in channels]).reshape(img.shape)


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


def _gaussian_kernel1d(size: int, sigma: float) -> Tensor:
    half = (size - 1) * 0.5
    pdf = torch.exp(-0.5 * (torch.linspace(-half, half, steps=size) / sigma).pow(2))
    return pdf / pdf.sum()


def _blur_tensor(img: Tensor, kernel_size: list[int], sigma: list[float]) -> Tensor:
    def _blur(batch: Tensor) -> Tensor:
        kx = _gaussian_kernel1d(kernel_size[0], sigma[0]).to(batch.dtype)
        ky = _gaussian_kernel1d(kernel_size[1], sigma[1]).to(batch.dtype)
        kernel = torch.mm(ky[:, None], kx[None, :]).expand(batch.shape[-3], 1, kernel_size[1], kernel_size[0])
        padding = [kernel_size[0] // 2, kernel_size[0] // 2, kernel_size[1] // 2, kernel_size[1] // 2]
        return nnf.conv2d(nnf.pad(batch, padding, mode="reflect"), kernel, groups=batch.shape[-3])

    return on_float_batch(img, _blur)


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
    return _blur_tensor(img, sizes, sigmas)
