"""v2 photometric functionals: grayscale, brightness, contrast, saturation, hue, gamma, sharpness, histogram ops,
inversion, posterization, solarization and channel permutation, for images (tensor, ``Image``, PIL) and videos.

Tensor kernels compute exactly what torchvision's v2 kernels compute: where that is v1's arithmetic they call the
shared v1 kernels, elsewhere the fused v2 variants kept next to them in ``transforms._color``.
"""

from __future__ import annotations

import PIL.Image
import PIL.ImageEnhance
import PIL.ImageOps
import torch

from .... import tv_tensors
from ..._color import (
    _adjust_tensor,
    _autocontrast_fused,
    _blend_fused,
    _brightness_levels,
    _enhance,
    _equalize_luts,
    _gray_fused,
    _sharpen_fused,
    _shift_hue_fused,
    _shift_hue_uint8,
    _shift_pil_hue,
    _solarized,
)
from ..._color import adjust_gamma as _adjust_gamma_v1
from ..._color import to_grayscale as _to_grayscale_v1
from ..._conversion import pil_to_tensor, to_pil_image
from ..._image import cast_in_range, max_value
from ._misc import to_dtype_image
from ._utils import _get_kernel, _register_kernel_internal

__all__ = [
    "adjust_brightness",
    "adjust_brightness_image",
    "adjust_brightness_video",
    "adjust_contrast",
    "adjust_contrast_image",
    "adjust_contrast_video",
    "adjust_gamma",
    "adjust_gamma_image",
    "adjust_gamma_video",
    "adjust_hue",
    "adjust_hue_image",
    "adjust_hue_video",
    "adjust_saturation",
    "adjust_saturation_image",
    "adjust_saturation_video",
    "adjust_sharpness",
    "adjust_sharpness_image",
    "adjust_sharpness_video",
    "autocontrast",
    "autocontrast_image",
    "autocontrast_video",
    "equalize",
    "equalize_image",
    "equalize_video",
    "grayscale_to_rgb",
    "grayscale_to_rgb_image",
    "invert",
    "invert_image",
    "invert_video",
    "permute_channels",
    "permute_channels_image",
    "permute_channels_video",
    "posterize",
    "posterize_image",
    "posterize_video",
    "rgb_to_grayscale",
    "rgb_to_grayscale_image",
    "solarize",
    "solarize_image",
    "solarize_video",
    "to_grayscale",
]

# Value bits of the integer dtypes (the sign bit excluded).
_VALUE_BITS = {
    torch.uint8: 8,
    torch.int8: 7,
    torch.int16: 15,
    torch.uint16: 16,
    torch.int32: 31,
    torch.int64: 63,
}


def _num_value_bits(dtype: torch.dtype) -> int:
    if dtype not in _VALUE_BITS:
        raise TypeError(f"Number of value bits is only defined for integer dtypes, but got {dtype}.")
    return _VALUE_BITS[dtype]


def _check_one_or_three_channels(image: torch.Tensor) -> int:
    channels = image.shape[-3]
    if channels not in (1, 3):
        raise TypeError(f"Input image tensor permitted channel values are 1 or 3, but found {channels}")
    return channels


def _check_non_negative(value: float, name: str) -> None:
    if value < 0:
        raise ValueError(f"{name} ({value}) is not non-negative.")


def _check_output_channels(num_output_channels: int) -> None:
    if num_output_channels not in (1, 3):
        raise ValueError(f"num_output_channels must be 1 or 3, got {num_output_channels}.")


# ------------------------------------------------------------------------------------------------------- grayscale
def rgb_to_grayscale(inpt: torch.Tensor, num_output_channels: int = 1) -> torch.Tensor:
    """Convert RGB images or videos to grayscale (ITU-R 601-2 luma), with 1 or 3 equal output channels."""
    return _get_kernel(rgb_to_grayscale, type(inpt))(inpt, num_output_channels=num_output_channels)


# v1's name for it (there for PIL images only); the v2 dispatcher does everything it did.
to_grayscale = rgb_to_grayscale


def _gray_image(image: torch.Tensor, num_output_channels: int) -> torch.Tensor:
    """The luma in the image's dtype (truncated for integers); gray input is copied or repeated to 3 channels."""
    if image.shape[-3] == 1:
        return image.clone() if num_output_channels == 1 else image.repeat_interleave(3, dim=-3)
    gray = _gray_fused(image)
    gray = gray if image.is_floating_point() else cast_in_range(gray, image.dtype)  # luma <= 255.0001
    return gray.expand(image.shape) if num_output_channels == 3 else gray


@_register_kernel_internal(rgb_to_grayscale, torch.Tensor)
@_register_kernel_internal(rgb_to_grayscale, tv_tensors.Image)
def rgb_to_grayscale_image(image: torch.Tensor, num_output_channels: int = 1) -> torch.Tensor:
    """Grayscale of a ``Tensor[..., 3 or 1, H, W]``.

    Raises:
        ValueError: if ``num_output_channels`` is neither 1 nor 3.
    """
    _check_output_channels(num_output_channels)
    return _gray_image(image, num_output_channels)


@_register_kernel_internal(rgb_to_grayscale, PIL.Image.Image)
def _rgb_to_grayscale_image_pil(image: PIL.Image.Image, num_output_channels: int = 1) -> PIL.Image.Image:
    _check_output_channels(num_output_channels)
    return _to_grayscale_v1(image, num_output_channels=num_output_channels)


def grayscale_to_rgb(inpt: torch.Tensor) -> torch.Tensor:
    """Repeat the channel of gray images or videos to RGB; images with 3 or more channels are returned as they are."""
    return _get_kernel(grayscale_to_rgb, type(inpt))(inpt)


@_register_kernel_internal(grayscale_to_rgb, torch.Tensor)
@_register_kernel_internal(grayscale_to_rgb, tv_tensors.Image)
def grayscale_to_rgb_image(image: torch.Tensor) -> torch.Tensor:
    return image if image.shape[-3] >= 3 else _gray_image(image, num_output_channels=3)


@_register_kernel_internal(grayscale_to_rgb, PIL.Image.Image)
def _grayscale_to_rgb_image_pil(image: PIL.Image.Image) -> PIL.Image.Image:
    return image.convert(mode="RGB")


# ---------------------------------------------------------------------------------------------------- adjustments
def adjust_brightness(inpt: torch.Tensor, brightness_factor: float) -> torch.Tensor:
    """Scale intensities: 0 gives black, 1 the input, 2 twice as bright."""
    return _get_kernel(adjust_brightness, type(inpt))(inpt, brightness_factor=brightness_factor)


@_register_kernel_internal(adjust_brightness, torch.Tensor)
@_register_kernel_internal(adjust_brightness, tv_tensors.Image)
def adjust_brightness_image(image: torch.Tensor, brightness_factor: float) -> torch.Tensor:
    """Brightness of a ``Tensor[..., 1 or 3, H, W]``.

    Raises:
        ValueError: for a negative factor. TypeError: for other channel counts.
    """
    _check_non_negative(brightness_factor, "brightness_factor")
    _check_one_or_three_channels(image)
    return _adjust_tensor(image, [(_brightness_levels, brightness_factor)])


@_register_kernel_internal(adjust_brightness, PIL.Image.Image)
def _adjust_brightness_image_pil(image: PIL.Image.Image, brightness_factor: float) -> PIL.Image.Image:
    return _enhance(image, PIL.ImageEnhance.Brightness, brightness_factor)


@_register_kernel_internal(adjust_brightness, tv_tensors.Video)
def adjust_brightness_video(video: torch.Tensor, brightness_factor: float) -> torch.Tensor:
    return adjust_brightness_image(video, brightness_factor=brightness_factor)


def _gray_levels_of(image: torch.Tensor) -> torch.Tensor:
    """Float luma of an RGB image, floored for integer images (as their grayscale would be truncated)."""
    gray = _gray_fused(image)
    return gray if image.is_floating_point() else gray.floor_()


def adjust_saturation(inpt: torch.Tensor, saturation_factor: float) -> torch.Tensor:
    """Blend with the grayscale image: 0 gives gray, 1 the input, 2 doubles the saturation."""
    return _get_kernel(adjust_saturation, type(inpt))(inpt, saturation_factor=saturation_factor)


@_register_kernel_internal(adjust_saturation, torch.Tensor)
@_register_kernel_internal(adjust_saturation, tv_tensors.Image)
def adjust_saturation_image(image: torch.Tensor, saturation_factor: float) -> torch.Tensor:
    """Saturation of a ``Tensor[..., 1 or 3, H, W]``; gray images are returned as they are (as PIL does).

    Raises:
        ValueError: for a negative factor. TypeError: for other channel counts.
    """
    _check_non_negative(saturation_factor, "saturation_factor")
    if _check_one_or_three_channels(image) == 1:
        return image
    return _blend_fused(image, _gray_levels_of(image), saturation_factor)


@_register_kernel_internal(adjust_saturation, PIL.Image.Image)
def _adjust_saturation_image_pil(image: PIL.Image.Image, saturation_factor: float) -> PIL.Image.Image:
    return _enhance(image, PIL.ImageEnhance.Color, saturation_factor)


@_register_kernel_internal(adjust_saturation, tv_tensors.Video)
def adjust_saturation_video(video: torch.Tensor, saturation_factor: float) -> torch.Tensor:
    return adjust_saturation_image(video, saturation_factor=saturation_factor)


def adjust_contrast(inpt: torch.Tensor, contrast_factor: float) -> torch.Tensor:
    """Blend with the mean gray level: 0 gives a flat gray image, 1 the input."""
    return _get_kernel(adjust_contrast, type(inpt))(inpt, contrast_factor=contrast_factor)


@_register_kernel_internal(adjust_contrast, torch.Tensor)
@_register_kernel_internal(adjust_contrast, tv_tensors.Image)
def adjust_contrast_image(image: torch.Tensor, contrast_factor: float) -> torch.Tensor:
    """Contrast of a ``Tensor[..., 1 or 3, H, W]`` (the mean is taken per image).

    Raises:
        ValueError: for a negative factor. TypeError: for other channel counts.
    """
    _check_non_negative(contrast_factor, "contrast_factor")
    if _check_one_or_three_channels(image) == 3:
        gray = _gray_levels_of(image)
    else:
        gray = image if image.is_floating_point() else image.to(torch.float32)
    return _blend_fused(image, gray.mean(dim=(-3, -2, -1), keepdim=True), contrast_factor)


@_register_kernel_internal(adjust_contrast, PIL.Image.Image)
def _adjust_contrast_image_pil(image: PIL.Image.Image, contrast_factor: float) -> PIL.Image.Image:
    return _enhance(image, PIL.ImageEnhance.Contrast, contrast_factor)


@_register_kernel_internal(adjust_contrast, tv_tensors.Video)
def adjust_contrast_video(video: torch.Tensor, contrast_factor: float) -> torch.Tensor:
    return adjust_contrast_image(video, contrast_factor=contrast_factor)


def adjust_sharpness(inpt: torch.Tensor, sharpness_factor: float) -> torch.Tensor:
    """Blend with a smoothed copy: 0 gives the smoothed image, 1 the input, 2 a sharper image."""
    return _get_kernel(adjust_sharpness, type(inpt))(inpt, sharpness_factor=sharpness_factor)


@_register_kernel_internal(adjust_sharpness, torch.Tensor)
@_register_kernel_internal(adjust_sharpness, tv_tensors.Image)
def adjust_sharpness_image(image: torch.Tensor, sharpness_factor: float) -> torch.Tensor:
    """Sharpness of a ``Tensor[..., 1 or 3, H, W]``; the border pixels are kept, images of 2 pixels or fewer across
    are returned as they are.

    Raises:
        TypeError: for other channel counts. ValueError: for a negative factor.
    """
    num_channels, height, width = image.shape[-3:]
    if num_channels not in (1, 3):
        raise TypeError(f"Input image tensor can have 1 or 3 channels, but found {num_channels}")
    _check_non_negative(sharpness_factor, "sharpness_factor")
    if image.numel() == 0 or height <= 2 or width <= 2:
        return image
    return _sharpen_fused(image, sharpness_factor)


@_register_kernel_internal(adjust_sharpness, PIL.Image.Image)
def _adjust_sharpness_image_pil(image: PIL.Image.Image, sharpness_factor: float) -> PIL.Image.Image:
    return _enhance(image, PIL.ImageEnhance.Sharpness, sharpness_factor)


@_register_kernel_internal(adjust_sharpness, tv_tensors.Video)
def adjust_sharpness_video(video: torch.Tensor, sharpness_factor: float) -> torch.Tensor:
    return adjust_sharpness_image(video, sharpness_factor=sharpness_factor)


def adjust_hue(inpt: torch.Tensor, hue_factor: float) -> torch.Tensor:
    """Shift the hue by ``hue_factor`` (in [-0.5, 0.5]) of a turn of the colour wheel."""
    return _get_kernel(adjust_hue, type(inpt))(inpt, hue_factor=hue_factor)


def _check_hue_factor(hue_factor: float) -> None:
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")


@_register_kernel_internal(adjust_hue, torch.Tensor)
@_register_kernel_internal(adjust_hue, tv_tensors.Image)
def adjust_hue_image(image: torch.Tensor, hue_factor: float) -> torch.Tensor:
    """Hue of a ``Tensor[..., 1 or 3, H, W]``, computed in float32 on [0, 1]; gray images are returned as they are.

    Raises:
        ValueError: for a factor outside [-0.5, 0.5]. TypeError: for other channel counts.
    """
    _check_hue_factor(hue_factor)
    if _check_one_or_three_channels(image) == 1 or image.numel() == 0:
        return image
    if image.dtype == torch.uint8:
        return _shift_hue_uint8(image, hue_factor)
    shifted = _shift_hue_fused(to_dtype_image(image, torch.float32, scale=True), hue_factor)
    return to_dtype_image(shifted, image.dtype, scale=True)


@_register_kernel_internal(adjust_hue, PIL.Image.Image)
def _adjust_hue_image_pil(image: PIL.Image.Image, hue_factor: float) -> PIL.Image.Image:
    _check_hue_factor(hue_factor)
    return _shift_pil_hue(image, hue_factor)


@_register_kernel_internal(adjust_hue, tv_tensors.Video)
def adjust_hue_video(video: torch.Tensor, hue_factor: float) -> torch.Tensor:
    return adjust_hue_image(video, hue_factor=hue_factor)


def adjust_gamma(inpt: torch.Tensor, gamma: float, gain: float = 1) -> torch.Tensor:
    """Gamma correction on [0, 1] intensities: ``gain * x ** gamma``."""
    return _get_kernel(adjust_gamma, type(inpt))(inpt, gamma=gamma, gain=gain)


def _check_gamma(gamma: float) -> None:
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")


@_register_kernel_internal(adjust_gamma, torch.Tensor)
@_register_kernel_internal(adjust_gamma, tv_tensors.Image)
def adjust_gamma_image(image: torch.Tensor, gamma: float, gain: float = 1.0) -> torch.Tensor:
    """Gamma of a ``Tensor[..., C, H, W]``; only a gain other than 1 can leave [0, 1], so only then is it clamped.

    Raises:
        ValueError: for a negative ``gamma``.
    """
    _check_gamma(gamma)
    if image.is_floating_point():
        corrected = image.pow(gamma)
    else:
        corrected = to_dtype_image(image, torch.float32, scale=True).pow_(gamma)
    if gain != 1.0:
        corrected = corrected.mul_(gain).clamp_(0.0, 1.0)
    return to_dtype_image(corrected, image.dtype, scale=True)


@_register_kernel_internal(adjust_gamma, PIL.Image.Image)
def _adjust_gamma_image_pil(image: PIL.Image.Image, gamma: float, gain: float = 1.0) -> PIL.Image.Image:
    _check_gamma(gamma)
    return _adjust_gamma_v1(image, gamma, gain)


@_register_kernel_internal(adjust_gamma, tv_tensors.Video)
def adjust_gamma_video(video: torch.Tensor, gamma: float, gain: float = 1) -> torch.Tensor:
    return adjust_gamma_image(video, gamma=gamma, gain=gain)


# -------------------------------------------------------------------------------------------- posterize, solarize
def posterize(inpt: torch.Tensor, bits: int) -> torch.Tensor:
    """Keep the ``bits`` most significant bits of each value (for float images: ``2 ** bits`` levels)."""
    return _get_kernel(posterize, type(inpt))(inpt, bits=bits)


@_register_kernel_internal(posterize, torch.Tensor)
@_register_kernel_internal(posterize, tv_tensors.Image)
def posterize_image(image: torch.Tensor, bits: int) -> torch.Tensor:
    """Posterize a ``Tensor[..., C, H, W]``.

    Raises:
        TypeError: unless ``bits`` is an int in [0, 8].
    """
    if not isinstance(bits, int) or not 0 <= bits <= 8:
        raise TypeError(f"bits must be a positive integer in the range [0, 8], got {bits} instead.")
    if image.is_floating_point():
        levels = 1 << bits
        return image.mul(levels).floor_().clamp_(0, levels - 1).mul_(1.0 / levels)
    value_bits = _num_value_bits(image.dtype)
    if bits >= value_bits:
        return image
    return image & (((1 << bits) - 1) << (value_bits - bits))


@_register_kernel_internal(posterize, PIL.Image.Image)
def _posterize_image_pil(image: PIL.Image.Image, bits: int) -> PIL.Image.Image:
    return PIL.ImageOps.posterize(image, bits)


@_register_kernel_internal(posterize, tv_tensors.Video)
def posterize_video(video: torch.Tensor, bits: int) -> torch.Tensor:
    return posterize_image(video, bits=bits)


def solarize(inpt: torch.Tensor, threshold: float) -> torch.Tensor:
    """Invert the values at or above ``threshold``."""
    return _get_kernel(solarize, type(inpt))(inpt, threshold=threshold)


@_register_kernel_internal(solarize, torch.Tensor)
@_register_kernel_internal(solarize, tv_tensors.Image)
def solarize_image(image: torch.Tensor, threshold: float) -> torch.Tensor:
    """Solarize a ``Tensor[..., C, H, W]``.

    Raises:
        TypeError: if ``threshold`` is above the dtype's maximum intensity.
    """
    if threshold > max_value(image.dtype):
        raise TypeError(f"Threshold should be less or equal the maximum value of the dtype, but got {threshold}")
    return _solarized(image, threshold, invert_image)


@_register_kernel_internal(solarize, PIL.Image.Image)
def _solarize_image_pil(image: PIL.Image.Image, threshold: float) -> PIL.Image.Image:
    return PIL.ImageOps.solarize(image, threshold)


@_register_kernel_internal(solarize, tv_tensors.Video)
def solarize_video(video: torch.Tensor, threshold: float) -> torch.Tensor:
    return solarize_image(video, threshold=threshold)


# -------------------------------------------------------------------------------------------------- histogram ops
def autocontrast(inpt: torch.Tensor) -> torch.Tensor:
    """Stretch each channel so that its darkest value becomes black and its lightest white."""
    return _get_kernel(autocontrast, type(inpt))(inpt)


@_register_kernel_internal(autocontrast, torch.Tensor)
@_register_kernel_internal(autocontrast, tv_tensors.Image)
def autocontrast_image(image: torch.Tensor) -> torch.Tensor:
    """Autocontrast of a ``Tensor[..., 1 or 3, H, W]``; constant channels are kept.

    Raises:
        TypeError: for other channel counts.
    """
    _check_one_or_three_channels(image)
    return image if image.numel() == 0 else _autocontrast_fused(image)


@_register_kernel_internal(autocontrast, PIL.Image.Image)
def _autocontrast_image_pil(image: PIL.Image.Image) -> PIL.Image.Image:
    return PIL.ImageOps.autocontrast(image)


@_register_kernel_internal(autocontrast, tv_tensors.Video)
def autocontrast_video(video: torch.Tensor) -> torch.Tensor:
    return autocontrast_image(video)


def equalize(inpt: torch.Tensor) -> torch.Tensor:
    """Equalize the histogram of each channel (PIL's lookup tables)."""
    return _get_kernel(equalize, type(inpt))(inpt)


@_register_kernel_internal(equalize, torch.Tensor)
@_register_kernel_internal(equalize, tv_tensors.Image)
def equalize_image(image: torch.Tensor) -> torch.Tensor:
    """Equalize a ``Tensor[..., H, W]`` of any dtype, on its uint8 version (other dtypes go there and back)."""
    if image.numel() == 0:
        return image
    as_uint8 = to_dtype_image(image, torch.uint8, scale=True)
    values = as_uint8.reshape(-1, image.shape[-2] * image.shape[-1]).long()
    equalized = _equalize_luts(values).gather(1, values).to(torch.uint8).reshape(image.shape)
    return to_dtype_image(equalized, image.dtype, scale=True)


@_register_kernel_internal(equalize, PIL.Image.Image)
def _equalize_image_pil(image: PIL.Image.Image) -> PIL.Image.Image:
    return PIL.ImageOps.equalize(image)


@_register_kernel_internal(equalize, tv_tensors.Video)
def equalize_video(video: torch.Tensor) -> torch.Tensor:
    return equalize_image(video)


def invert(inpt: torch.Tensor) -> torch.Tensor:
    """Invert intensities."""
    return _get_kernel(invert, type(inpt))(inpt)


@_register_kernel_internal(invert, torch.Tensor)
@_register_kernel_internal(invert, tv_tensors.Image)
def invert_image(image: torch.Tensor) -> torch.Tensor:
    """``1 - x`` for float images; the value bits flipped for integer ones (the sign bit of signed dtypes kept)."""
    if image.is_floating_point():
        return 1.0 - image
    if image.dtype == torch.uint8:
        return image.bitwise_not()
    return image.bitwise_xor((1 << _num_value_bits(image.dtype)) - 1)


@_register_kernel_internal(invert, PIL.Image.Image)
def _invert_image_pil(image: PIL.Image.Image) -> PIL.Image.Image:
    return PIL.ImageOps.invert(image)


@_register_kernel_internal(invert, tv_tensors.Video)
def invert_video(video: torch.Tensor) -> torch.Tensor:
    return invert_image(video)


# ------------------------------------------------------------------------------------------------------- channels
def permute_channels(inpt: torch.Tensor, permutation: list[int]) -> torch.Tensor:
    """Reorder the channels: output channel ``k`` is input channel ``permutation[k]``.

    Raises:
        ValueError: if ``len(permutation)`` is not the number of channels.
    """
    return _get_kernel(permute_channels, type(inpt))(inpt, permutation=permutation)


@_register_kernel_internal(permute_channels, torch.Tensor)
@_register_kernel_internal(permute_channels, tv_tensors.Image)
def permute_channels_image(image: torch.Tensor, permutation: list[int]) -> torch.Tensor:
    shape = image.shape
    num_channels, height, width = shape[-3:]
    if len(permutation) != num_channels:
        raise ValueError(
            f"Length of permutation does not match number of channels: {len(permutation)} != {num_channels}"
        )
    if image.numel() == 0:
        return image
    return image.reshape(-1, num_channels, height, width)[:, permutation, :, :].reshape(shape)


@_register_kernel_internal(permute_channels, PIL.Image.Image)
def _permute_channels_image_pil(image: PIL.Image.Image, permutation: list[int]) -> PIL.Image.Image:
    return to_pil_image(permute_channels_image(pil_to_tensor(image), permutation=permutation))


@_register_kernel_internal(permute_channels, tv_tensors.Video)
def permute_channels_video(video: torch.Tensor, permutation: list[int]) -> torch.Tensor:
    return permute_channels_image(video, permutation=permutation)
