"""Conversion, normalization and erasing transform classes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import PIL.Image
import torch
from torch import Tensor

from ._base import Params, Transform
from ._conversion import check_dtype, convert_image_dtype, pil_to_tensor, to_pil_image, to_tensor
from ._geometry_transforms import sample_rectangle
from ._misc import erase, normalize
from ._validation import check_probability, is_number, min_max_pair

__all__ = [
    "ConvertImageDtype",
    "LinearTransformation",
    "Normalize",
    "PILToTensor",
    "RandomErasing",
    "ToPILImage",
    "ToTensor",
]


class ToTensor(Transform):
    """PIL image or ``ndarray[H, W, C]`` to ``Tensor[C, H, W]``, 8-bit data scaled to float [0, 1]."""

    def apply_params(self, img: PIL.Image.Image | np.ndarray, params: Params) -> Tensor:
        return to_tensor(img)


class PILToTensor(Transform):
    """PIL image to ``Tensor[C, H, W]`` of the same dtype, values unchanged."""

    def apply_params(self, img: PIL.Image.Image, params: Params) -> Tensor:
        return pil_to_tensor(img)


class ToPILImage(Transform):
    """``Tensor[C, H, W]`` or ``ndarray[H, W, C]`` to a PIL image.

    Args:
        mode: PIL mode of the result; by default inferred from the channel count and dtype.
    """

    def __init__(self, mode: str | None = None) -> None:
        super().__init__()
        self.mode = mode

    def apply_params(self, img: Tensor | np.ndarray, params: Params) -> PIL.Image.Image:
        return to_pil_image(img, self.mode)

    def extra_repr(self) -> str:
        return f"mode={self.mode}" if self.mode is not None else ""


class ConvertImageDtype(Transform):
    """Convert a tensor image to ``dtype``, rescaling intensities (see ``convert_image_dtype``).

    Args:
        dtype: the result's dtype.
    """

    def __init__(self, dtype: torch.dtype) -> None:
        super().__init__()
        check_dtype(dtype)
        self.dtype = dtype

    def apply_params(self, img: Tensor, params: Params) -> Tensor:
        return convert_image_dtype(img, self.dtype)

    def extra_repr(self) -> str:
        return f"dtype={self.dtype}"


class Normalize(Transform):
    """Normalize each channel of a float tensor image: ``(x - mean[c]) / std[c]``.

    Args:
        mean: per-channel means.
        std: per-channel standard deviations, non-zero.
        inplace: overwrite the input.
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> None:
        super().__init__()
        for name, values in (("mean", mean), ("std", std)):
            if not isinstance(values, Sequence) or not all(is_number(v) for v in values):
                raise TypeError(f"{name} should be a sequence of numbers, got {values!r}")
        if any(s == 0 for s in std):
            raise ValueError(f"std should not hold zeros, got {std!r}")
        self.mean, self.std, self.inplace = mean, std, inplace

    def apply_params(self, img: Tensor, params: Params) -> Tensor:
        return normalize(img, self.mean, self.std, self.inplace)

    def extra_repr(self) -> str:
        return f"mean={self.mean}, std={self.std}"


class LinearTransformation(Transform):
    """Flatten the image, subtract ``mean_vector`` and multiply by ``transformation_matrix`` (e.g. ZCA whitening).

    Args:
        transformation_matrix (Tensor[D, D]): with ``D = C * H * W``.
        mean_vector (Tensor[D]): subtracted first.
    """

    def __init__(self, transformation_matrix: Tensor, mean_vector: Tensor) -> None:
        super().__init__()
        matrix_shape = tuple(transformation_matrix.shape)
        if transformation_matrix.ndim != 2 or matrix_shape[0] != matrix_shape[1]:
            raise ValueError(f"transformation_matrix should be square, got shape {matrix_shape}")
        if tuple(mean_vector.shape) != matrix_shape[:1]:
            raise ValueError(f"mean_vector should have shape {matrix_shape[:1]}, got {tuple(mean_vector.shape)}")
        if transformation_matrix.device != mean_vector.device:
            raise ValueError(
                f"mean_vector should be on the device of transformation_matrix ({transformation_matrix.device}), "
                f"got {mean_vector.device}"
            )
        if transformation_matrix.dtype != mean_vector.dtype:
            raise ValueError(
                f"mean_vector should have the dtype of transformation_matrix ({transformation_matrix.dtype}), "
                f"got {mean_vector.dtype}"
            )
        self.transformation_matrix, self.mean_vector = transformation_matrix, mean_vector

    def apply_params(self, img: Tensor, params: Params) -> Tensor:
        shape = img.shape
        n = math.prod(shape[-3:])
        if n != self.transformation_matrix.shape[0]:
            raise ValueError(
                f"img of shape {tuple(shape)} has {n} values per image, but transformation_matrix expects "
                f"{self.transformation_matrix.shape[0]}"
            )
        flat = img.reshape(-1, n) - self.mean_vector
        return torch.mm(flat, self.transformation_matrix.to(flat.dtype)).reshape(shape)

    def _map_boxes(self, boxes: Tensor, params: Params) -> Tensor:
        raise NotImplementedError("LinearTransformation cannot map boxes: it mixes all pixels")

    def extra_repr(self) -> str:
        return f"transformation_matrix={self.transformation_matrix.tolist()}, mean_vector={self.mean_vector.tolist()}"


def _erase_values(value: Any, num_channels: int) -> list[float] | None:
    """The per-channel erase values, ``None`` for random normal noise."""
    if isinstance(value, str):
        return None
    values = [float(value)] if is_number(value) else [float(v) for v in value]
    if len(values) not in (1, num_channels):
        raise ValueError(f"value should hold 1 or {num_channels} (number of channels) values, got {value!r}")
    return values


class RandomErasing(Transform):
    """With probability ``p``, erase a random rectangle of a tensor image (Zhong et al., Random Erasing).

    Args:
        p: probability of erasing.
        scale: ``(min, max)`` area of the rectangle as a fraction of the image area, in [0, 1].
        ratio: ``(min, max)`` aspect ratio of the rectangle, sampled log-uniformly.
        value: fill value: a number, one number per channel, or ``"random"`` for normal noise.
        inplace: overwrite the input.
    """

    def __init__(
        self,
        p: float = 0.5,
        scale: tuple[float, float] = (0.02, 0.33),
        ratio: tuple[float, float] = (0.3, 3.3),
        value: float | Sequence[float] | str = 0,
        inplace: bool = False,
    ) -> None:
        super().__init__()
        self.p = check_probability(p)
        self.scale = min_max_pair(scale, "scale", low=0.0, high=1.0)
        self.ratio = min_max_pair(ratio, "ratio")
        if self.ratio[0] <= 0:
            raise ValueError(f"ratio values should be positive, got {ratio!r}")
        if isinstance(value, str) and value != "random":
            raise ValueError(f"value should be a number, a sequence of numbers or 'random', got {value!r}")
        is_sequence = isinstance(value, Sequence) and not isinstance(value, str)
        if not (is_number(value) or isinstance(value, str) or (is_sequence and all(is_number(v) for v in value))):
            raise TypeError(f"value should be a number, a sequence of numbers or 'random', got {value!r}")
        self.value, self.inplace = value, inplace

    @staticmethod
    def get_params(
        img: Tensor, scale: Sequence[float], ratio: Sequence[float], value: Sequence[float] | None = None
    ) -> tuple[int, int, int, int, Tensor]:
        """Random ``(top, left, height, width, values)``; after 10 misses the whole image with itself (no-op)."""
        channels, img_h, img_w = img.shape[-3], img.shape[-2], img.shape[-1]
        area = img_h * img_w
        log_ratio = torch.log(torch.tensor(ratio))
        for _ in range(10):
            h, w = sample_rectangle(area, scale, log_ratio)
            if not (h < img_h and w < img_w):
                continue
            if value is None:
                v = torch.empty([channels, h, w], dtype=torch.float32).normal_()
            else:
                v = torch.tensor(value)[:, None, None]
            top = int(torch.randint(0, img_h - h + 1, size=(1,)).item())
            left = int(torch.randint(0, img_w - w + 1, size=(1,)).item())
            return top, left, h, w, v
        return 0, 0, img_h, img_w, img

    def make_params(self, img: Tensor) -> Params:
        if not isinstance(img, Tensor):
            raise TypeError(f"img should be a Tensor image (use ToTensor first), got {type(img).__name__}")
        if not torch.rand(1) < self.p:
            return {"apply": False}
        values = _erase_values(self.value, img.shape[-3])
        top, left, h, w, v = self.get_params(img, self.scale, self.ratio, values)
        if v is img:  # no rectangle fitted
            return {"apply": False}
        return {"apply": True, "top": top, "left": left, "height": h, "width": w, "value": v}

    def apply_params(self, img: Tensor, params: Params) -> Tensor:
        if not params["apply"]:
            return img
        box = params["top"], params["left"], params["height"], params["width"]
        return erase(img, *box, params["value"], self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, scale={self.scale}, ratio={self.ratio}, value={self.value}, inplace={self.inplace}"
