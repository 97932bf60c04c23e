"""Conversions between PIL images, numpy arrays and tensors, and between tensor dtypes."""

from __future__ import annotations

from typing import Any

import numpy as np
import PIL.Image
import torch
from torch import Tensor

from ._image import is_pil, max_value

__all__ = ["convert_image_dtype", "pil_to_tensor", "to_pil_image", "to_tensor"]

# numpy dtypes PIL modes decode to; unlisted modes are 8 bits per band.
_PIL_NUMPY_DTYPES = {"I": np.int32, "I;16": np.int16, "I;16B": np.int16, "F": np.float32}
# Float to integer casts that would overflow: the float cannot hold the integer's maximum exactly.
_UNSAFE_CASTS = {(torch.float32, torch.int32), (torch.float32, torch.int64), (torch.float64, torch.int64)}
# The single-channel mode of each numpy dtype, and the modes allowed for 2, 3 and 4 channels (first is the default).
_GRAY_MODES = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16", np.dtype(np.int32): "I", np.dtype(np.float32): "F"}
_COLOR_MODES = {2: ("LA",), 3: ("RGB", "YCbCr", "HSV"), 4: ("RGBA", "CMYK", "RGBX")}


def _pil_to_hwc_array(pic: PIL.Image.Image) -> np.ndarray:
    array = np.array(pic, _PIL_NUMPY_DTYPES.get(pic.mode, np.uint8), copy=True)
    if pic.mode == "1":
        array = 255 * array
    return array.reshape(pic.height, pic.width, len(pic.getbands()))


def to_tensor(pic: PIL.Image.Image | np.ndarray) -> Tensor:
    """Convert a PIL image or an ``ndarray[H, W, C]`` to a ``Tensor[C, H, W]``; 8-bit data is scaled to [0, 1].

    Args:
        pic (PIL.Image.Image | ndarray[H, W] | ndarray[H, W, C]): the picture.

    Returns:
        Tensor[C, H, W]: float32 in [0, 1] for 8-bit input, the input's dtype otherwise.
    """
    if is_pil(pic):
        array = _pil_to_hwc_array(pic)
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2 or 3 dimensional, got {pic.ndim} dimensions")
        array = pic[:, :, None] if pic.ndim == 2 else pic
    else:
        raise TypeError(f"pic should be a PIL Image or an ndarray, got {type(pic).__name__}")
    img = torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))
    return img.to(torch.get_default_dtype()).div(255) if img.dtype == torch.uint8 else img


def pil_to_tensor(pic: PIL.Image.Image) -> Tensor:
    """Convert a PIL image to a ``Tensor[C, H, W]`` with the image's own dtype (no scaling)."""
    if not is_pil(pic):
        raise TypeError(f"pic should be a PIL Image, got {type(pic).__name__}")
    array = np.array(pic, copy=True)
    return torch.as_tensor(array).reshape(pic.height, pic.width, len(pic.getbands())).permute(2, 0, 1)


def _pick_mode(array: np.ndarray, mode: str | None) -> str:
    channels = array.shape[2]
    if channels == 1:
        expected = _GRAY_MODES.get(array.dtype)
        if mode is not None and mode != expected:
            raise ValueError(f"mode {mode!r} does not fit a one-channel {array.dtype} image, it should be {expected!r}")
        mode = expected
    elif mode is not None and mode not in _COLOR_MODES[channels]:
        raise ValueError(f"mode should be one of {list(_COLOR_MODES[channels])} for {channels} channels, got {mode!r}")
    elif mode is None and array.dtype == np.uint8:
        mode = _COLOR_MODES[channels][0]
    if mode is None:
        raise TypeError(f"pic of dtype {array.dtype} with {channels} channels is not supported")
    return mode


def to_pil_image(pic: Tensor | np.ndarray, mode: str | None = None) -> PIL.Image.Image:
    """Convert a ``Tensor[C, H, W]`` or an ``ndarray[H, W, C]`` to a PIL image.

    Floats are taken to be in [0, 1] and scaled to 8 bits (truncating), unless ``mode == "F"``.

    Args:
        pic (Tensor[C, H, W] | Tensor[H, W] | ndarray[H, W, C] | ndarray[H, W]): the picture, with at most 4 channels.
        mode: PIL mode of the result; by default inferred from the channel count and dtype.
    """
    if isinstance(pic, Tensor):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2 or 3 dimensional, got {pic.ndim} dimensions")
        pic = pic.unsqueeze(0) if pic.ndim == 2 else pic
        if pic.shape[0] > 4:
            raise ValueError(f"pic should not have more than 4 channels, got {pic.shape[0]} channels")
        array = pic.permute(1, 2, 0).cpu().numpy()
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2 or 3 dimensional, got {pic.ndim} dimensions")
        array = pic[:, :, None] if pic.ndim == 2 else pic
        if array.shape[-1] > 4:
            raise ValueError(f"pic should not have more than 4 channels, got {array.shape[-1]} channels")
    else:
        raise TypeError(f"pic should be a Tensor or an ndarray, got {type(pic).__name__}")
    if np.issubdtype(array.dtype, np.floating) and mode != "F":
        array = (array * 255).astype(np.uint8)
    mode = _pick_mode(array, mode)
    array = np.ascontiguousarray(array[:, :, 0] if array.shape[2] == 1 else array)
    return PIL.Image.frombuffer(mode, (array.shape[1], array.shape[0]), array.tobytes(), "raw", mode, 0, 1)


def check_dtype(dtype: Any) -> None:
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"dtype should be a torch.dtype, got {dtype!r}")


def check_safe_cast(source: torch.dtype, dtype: torch.dtype) -> None:
    """Raise ``RuntimeError`` for the float to integer casts that ``convert_image_dtype`` cannot do without overflow."""
    if (source, dtype) in _UNSAFE_CASTS:
        raise RuntimeError(f"The cast from {source} to {dtype} cannot be performed safely.")


def convert_image_dtype(image: Tensor, dtype: torch.dtype = torch.float) -> Tensor:
    """Convert an image to ``dtype``, rescaling values between the intensity ranges of the two dtypes.

    Float images are in [0, 1]; integer images in [0, max of dtype].

    Args:
        image (Tensor[..., C, H, W]): the image.
        dtype: the result's dtype.

    Raises:
        RuntimeError: for float32 to int32/int64 and float64 to int64, which cannot be done without overflow.
    """
    if not isinstance(image, Tensor):
        raise TypeError(f"image should be a Tensor, got {type(image).__name__}")
    check_dtype(dtype)
    if image.dtype == dtype:
        return image
    if image.is_floating_point():
        if dtype.is_floating_point:
            return image.to(dtype)
        check_safe_cast(image.dtype, dtype)
        # Just below max + 1 so that 1.0 maps to max while the bins stay equally wide.
        return image.mul(max_value(dtype) + 1.0 - 1e-3).to(dtype)
    in_max = max_value(image.dtype)
    if dtype.is_floating_point:
        return image.to(dtype).div_(in_max)
    out_max = max_value(dtype)
    if in_max > out_max:
        return torch.div(image, (in_max + 1) // (out_max + 1), rounding_mode="floor").to(dtype)
    return image.to(dtype) * ((out_max + 1) // (in_max + 1))
