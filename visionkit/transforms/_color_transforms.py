"""Photometric transform classes. They do not move pixels, so boxes go through them unchanged."""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import torch

from . import _color as C
from ._base import Params, Transform
from ._image import ImageLike, get_image_num_channels
from ._validation import check_probability, is_number, min_max_pair

__all__ = [
    "ColorJitter",
    "GaussianBlur",
    "Grayscale",
    "RandomAdjustSharpness",
    "RandomAutocontrast",
    "RandomEqualize",
    "RandomGrayscale",
    "RandomInvert",
    "RandomPosterize",
    "RandomSolarize",
]


def _jitter_range(
    value: float | Sequence[float], name: str, center: float = 1.0, bound: tuple[float, float] = (0, float("inf"))
) -> tuple[float, float] | None:
    """``(min, max)`` of a jitter factor (``v`` means ``[center - v, center + v]``), None if always ``center``."""
    if is_number(value):
        if value < 0:
            raise ValueError(f"{name} should be non-negative when it is a single number, got {value}")
        low, high = center - float(value), center + float(value)
        if center == 1.0:
            low = max(low, 0.0)
    elif isinstance(value, (tuple, list)) and len(value) == 2 and all(is_number(v) for v in value):
        low, high = float(value[0]), float(value[1])
    else:
        raise TypeError(f"{name} should be a number or a sequence of 2 numbers, got {value!r}")
    if not bound[0] <= low <= high <= bound[1]:
        raise ValueError(f"{name} should be a range (min, max) within {bound}, got {[low, high]}")
    return None if low == high == center else (low, high)


class ColorJitter(Transform):
    """Randomly change brightness, contrast, saturation and hue, in a random order.

    Args:
        brightness: factor range ``(min, max)``, or ``b`` for ``[max(0, 1 - b), 1 + b]``.
        contrast: same, for contrast.
        saturation: same, for saturation.
        hue: shift range ``(min, max)`` within [-0.5, 0.5], or ``h`` in [0, 0.5] for ``[-h, h]``.
    """

    def __init__(
        self,
        brightness: float | Sequence[float] = 0,
        contrast: float | Sequence[float] = 0,
        saturation: float | Sequence[float] = 0,
        hue: float | Sequence[float] = 0,
    ) -> None:
        super().__init__()
        self.brightness = _jitter_range(brightness, "brightness")
        self.contrast = _jitter_range(contrast, "contrast")
        self.saturation = _jitter_range(saturation, "saturation")
        self.hue = _jitter_range(hue, "hue", center=0.0, bound=(-0.5, 0.5))

    @staticmethod
    def get_params(
        brightness: Sequence[float] | None,
        contrast: Sequence[float] | None,
        saturation: Sequence[float] | None,
        hue: Sequence[float] | None,
    ) -> tuple[torch.Tensor, float | None, float | None, float | None, float | None]:
        """A random order of the 4 adjustments and a random factor for each enabled one."""
        order = torch.randperm(4)
        factors = [None if r is None else float(torch.empty(1).uniform_(r[0], r[1])) for r in
                   (brightness, contrast, saturation, hue)]  # fmt: skip
        return order, *factors

    def make_params(self, img: ImageLike) -> Params:
        order, b, c, s, h = self.get_params(self.brightness, self.contrast, self.saturation, self.hue)
        return {"order": order.tolist(), "brightness": b, "contrast": c, "saturation": s, "hue": h}

    def apply_params(self, img: ImageLike, params: Params) -> ImageLike:
        names = ("brightness", "contrast", "saturation", "hue")
        steps = [(names[i], params[names[i]]) for i in params["order"] if params[names[i]] is not None]
        return C.adjust_colors(img, steps)

    def extra_repr(self) -> str:
        return f"brightness={self.brightness}, contrast={self.contrast}, saturation={self.saturation}, hue={self.hue}"


class Grayscale(Transform):
    """Convert to grayscale.

    Args:
        num_output_channels: 1, or 3 for three equal channels.
    """

    def __init__(self, num_output_channels: int = 1) -> None:
        super().__init__()
        self.num_output_channels = C.check_num_output_channels(num_output_channels)

    def apply_params(self, img: ImageLike, params: Params) -> ImageLike:
        return C.rgb_to_grayscale(img, self.num_output_channels)

    def extra_repr(self) -> str:
        return f"num_output_channels={self.num_output_channels}"


class _RandomOp(Transform):
    """Applies :meth:`_op` with probability ``p``."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        self.p = check_probability(p)

    def make_params(self, img: ImageLike) -> Params:
        return {"apply": bool(torch.rand(1).item() < self.p)}

    def apply_params(self, img: ImageLike, params: Params) -> ImageLike:
        return self._op(img) if params["apply"] else img

    def _op(self, img: ImageLike) -> ImageLike:
        raise NotImplementedError

    def extra_repr(self) -> str:
        return f"p={self.p}"


class RandomGrayscale(_RandomOp):
    """Convert to grayscale with probability ``p``, keeping the number of channels.

    Args:
        p: probability of converting.
    """

    def __init__(self, p: float = 0.1) -> None:
        super().__init__(p)

    def _op(self, img: ImageLike) -> ImageLike:
        return C.rgb_to_grayscale(img, get_image_num_channels(img))


class RandomInvert(_RandomOp):
    """Invert the colors with probability ``p``.

    Args:
        p: probability of inverting.
    """

    def _op(self, img: ImageLike) -> ImageLike:
        return C.invert(img)


class RandomPosterize(_RandomOp):
    """Keep only ``bits`` bits per channel, with probability ``p``.

    Args:
        bits: bits to keep, in [0, 8].
        p: probability of posterizing.
    """

    def __init__(self, bits: int, p: float = 0.5) -> None:
        super().__init__(p)
        if not isinstance(bits, numbers.Integral) or not 0 <= bits <= 8:
            raise ValueError(f"bits should be an int in [0, 8], got {bits!r}")
        self.bits = bits

    def _op(self, img: ImageLike) -> ImageLike:
        return C.posterize(img, self.bits)

    def extra_repr(self) -> str:
        return f"bits={self.bits}, p={self.p}"


class RandomSolarize(_RandomOp):
    """Invert the values at or above ``threshold``, with probability ``p``.

    Args:
        threshold: in the image's intensity range ([0, 1] for float tensors, [0, 255] otherwise).
        p: probability of solarizing.
    """

    def __init__(self, threshold: float, p: float = 0.5) -> None:
        super().__init__(p)
        if not is_number(threshold):
            raise TypeError(f"threshold should be a number, got {threshold!r}")
        self.threshold = threshold

    def _op(self, img: ImageLike) -> ImageLike:
        return C.solarize(img, self.threshold)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, p={self.p}"


class RandomAdjustSharpness(_RandomOp):
    """Adjust sharpness by ``sharpness_factor`` with probability ``p``.

    Args:
        sharpness_factor: non-negative; 0 blurs, 1 keeps, 2 sharpens.
        p: probability of adjusting.
    """

    def __init__(self, sharpness_factor: float, p: float = 0.5) -> None:
        super().__init__(p)
        if not is_number(sharpness_factor) or sharpness_factor < 0:
            raise ValueError(f"sharpness_factor should be a non-negative number, got {sharpness_factor!r}")
        self.sharpness_factor = sharpness_factor

    def _op(self, img: ImageLike) -> ImageLike:
        return C.adjust_sharpness(img, self.sharpness_factor)

    def extra_repr(self) -> str:
        return f"sharpness_factor={self.sharpness_factor}, p={self.p}"


class RandomAutocontrast(_RandomOp):
    """Stretch each channel to the full range with probability ``p``.

    Args:
        p: probability of applying.
    """

    def _op(self, img: ImageLike) -> ImageLike:
        return C.autocontrast(img)


class RandomEqualize(_RandomOp):
    """Equalize the histogram with probability ``p``.

    Args:
        p: probability of applying.
    """

    def _op(self, img: ImageLike) -> ImageLike:
        return C.equalize(img)


class GaussianBlur(Transform):
    """Blur with a Gaussian kernel of random sigma.

    Args:
        kernel_size: odd positive size, or ``(kx, ky)``.
        sigma: ``(min, max)`` of the random sigma, or one fixed positive sigma.
    """

    def __init__(self, kernel_size: int | Sequence[int], sigma: float | Sequence[float] = (0.1, 2.0)) -> None:
        super().__init__()
        sizes = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
        if not isinstance(sizes, Sequence) or len(sizes) != 2 or not all(isinstance(k, int) for k in sizes):
            raise ValueError(f"kernel_size should be an int or a sequence of 2 ints, got {kernel_size!r}")
        if any(k <= 0 or k % 2 == 0 for k in sizes):
            raise ValueError(f"kernel_size should hold odd positive ints, got {kernel_size!r}")
        if is_number(sigma):
            if sigma <= 0:
                raise ValueError(f"sigma should be positive when it is a single number, got {sigma}")
            sigma = (float(sigma), float(sigma))
        self.sigma = min_max_pair(sigma, "sigma")
        if self.sigma[0] <= 0:
            raise ValueError(f"sigma values should be positive, got {sigma!r}")
        self.kernel_size = tuple(sizes)

    @staticmethod
    def get_params(sigma_min: float, sigma_max: float) -> float:
        """A random sigma in ``[sigma_min, sigma_max]``."""
        return torch.empty(1).uniform_(sigma_min, sigma_max).item()

    def make_params(self, img: ImageLike) -> Params:
        return {"sigma": self.get_params(self.sigma[0], self.sigma[1])}

    def apply_params(self, img: ImageLike, params: Params) -> ImageLike:
        return C.gaussian_blur(img, list(self.kernel_size), [params["sigma"], params["sigma"]])

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, sigma={self.sigma}"
