"""v2 automatic augmentation policies: AutoAugment, RandAugment, TrivialAugmentWide and AugMix.

They act on the one image or video of a sample (labels and other data pass through; boxes, masks and keypoints are
refused: the policies were not designed for them). Each op is named, with a magnitude looked up in a table of
``num_bins`` values per op (computed from the image size for translations) and, for signed ops, a random sign. The
draws are torchvision v2's, which are not v1's.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import PIL.Image
import torch
from torch.utils._pytree import TreeSpec, tree_flatten, tree_unflatten

from ... import tv_tensors
from .. import _auto_augment as _v1
from .._auto_augment import AutoAugmentPolicy
from .._image import InterpolationMode, max_value
from . import functional as F
from ._transform import Transform
from ._utils import Fill, _get_fill, _setup_fill_arg, check_type
from .functional._utils import is_pure_tensor

__all__ = ["AugMix", "AutoAugment", "RandAugment", "TrivialAugmentWide"]

Interpolation = str | InterpolationMode | int
#: The magnitudes of an op, from ``(num_bins, height, width)``; None for ops without one.
Magnitudes = Callable[[int, int, int], torch.Tensor | None]
#: Op name -> (its magnitudes, whether the sign is random).
Space = dict[str, tuple[Magnitudes, bool]]
_Flat = tuple[list[Any], TreeSpec, int]


def _linear(high: float | Callable[[int, int], float]) -> tuple[Magnitudes, bool]:
    """A signed op whose magnitudes go from 0 to ``high`` (a number, or a function of ``(height, width)``)."""
    top = high if callable(high) else (lambda height, width: high)
    return (lambda num_bins, height, width: torch.linspace(0.0, top(height, width), num_bins)), True


def _posterize_bits(start: int, steps: int) -> tuple[Magnitudes, bool]:
    """Bits kept, from ``start`` down to ``start - steps`` over the bins."""

    def bits(num_bins: int, height: int, width: int) -> torch.Tensor:
        return (start - (torch.arange(num_bins) / ((num_bins - 1) / steps))).round().int()

    return bits, False


_SOLARIZE = (lambda num_bins, height, width: torch.linspace(1.0, 0.0, num_bins)), False
_NO_MAGNITUDE = (lambda num_bins, height, width: None), False


def _standard_space(identity: bool, invert: bool) -> Space:
    """The AutoAugment magnitudes (RandAugment's with Identity and without Invert)."""
    space: Space = {"Identity": _NO_MAGNITUDE} if identity else {}
    space.update({
        "ShearX": _linear(0.3),
        "ShearY": _linear(0.3),
        "TranslateX": _linear(lambda height, width: 150.0 / 331.0 * width),
        "TranslateY": _linear(lambda height, width: 150.0 / 331.0 * height),
        "Rotate": _linear(30.0),
        "Brightness": _linear(0.9),
        "Color": _linear(0.9),
        "Contrast": _linear(0.9),
        "Sharpness": _linear(0.9),
        "Posterize": _posterize_bits(8, 4),
        "Solarize": _SOLARIZE,
        "AutoContrast": _NO_MAGNITUDE,
        "Equalize": _NO_MAGNITUDE,
    })  # fmt: skip
    if invert:
        space["Invert"] = _NO_MAGNITUDE
    return space


_WIDE_SPACE: Space = {
    "Identity": _NO_MAGNITUDE,
    "ShearX": _linear(0.99),
    "ShearY": _linear(0.99),
    "TranslateX": _linear(32.0),
    "TranslateY": _linear(32.0),
    "Rotate": _linear(135.0),
    "Brightness": _linear(0.99),
    "Color": _linear(0.99),
    "Contrast": _linear(0.99),
    "Sharpness": _linear(0.99),
    "Posterize": _posterize_bits(8, 6),
    "Solarize": _SOLARIZE,
    "AutoContrast": _NO_MAGNITUDE,
    "Equalize": _NO_MAGNITUDE,
}

_AUGMIX_PARTIAL_SPACE: Space = {
    "ShearX": _linear(0.3),
    "ShearY": _linear(0.3),
    "TranslateX": _linear(lambda height, width: width / 3.0),
    "TranslateY": _linear(lambda height, width: height / 3.0),
    "Rotate": _linear(30.0),
    "Posterize": _posterize_bits(4, 4),
    "Solarize": _SOLARIZE,
    "AutoContrast": _NO_MAGNITUDE,
    "Equalize": _NO_MAGNITUDE,
}
_AUGMIX_SPACE: Space = {
    **_AUGMIX_PARTIAL_SPACE,
    **{name: _linear(0.9) for name in ("Brightness", "Color", "Contrast", "Sharpness")},
}


def _magnitude(space: Space, op_name: str, num_bins: int, size: list[int], pick_bin: Callable[[], Any]) -> float:
    """The magnitude of ``op_name`` in bin ``pick_bin()``, negated on a ``torch.rand(()) <= 0.5`` draw for signed
    ops; 0 for ops without magnitude (which draw nothing)."""
    magnitudes_of, signed = space[op_name]
    magnitudes = magnitudes_of(num_bins, *size)
    if magnitudes is None:
        return 0.0
    magnitude = float(magnitudes[pick_bin()])
    if signed and torch.rand(()) <= 0.5:
        magnitude *= -1
    return magnitude


def _affine_op(image: Any, op_name: str, magnitude: float, interpolation: Interpolation, fill: Any) -> Any:
    """Shears (about the top-left corner, as the paper's PIL code: ``shear = atan(magnitude)``) and translations."""
    if op_name.startswith("Shear"):
        shear = math.degrees(math.atan(magnitude))
        return F.affine(
            image,
            angle=0.0,
            translate=[0, 0],
            scale=1.0,
            shear=[shear, 0.0] if op_name == "ShearX" else [0.0, shear],
            interpolation=interpolation,
            fill=fill,
            center=[0, 0],
        )
    return F.affine(
        image,
        angle=0.0,
        translate=[int(magnitude), 0] if op_name == "TranslateX" else [0, int(magnitude)],
        scale=1.0,
        interpolation=interpolation,
        shear=[0.0, 0.0],
        fill=fill,
    )


def _solarize(image: Any, magnitude: float) -> Any:
    bound = max_value(image.dtype) if isinstance(image, torch.Tensor) else 255.0
    return F.solarize(image, threshold=bound * magnitude)


_COLOR_OPS: dict[str, Callable[[Any, float], Any]] = {
    "Identity": lambda image, magnitude: image,
    "Brightness": lambda image, magnitude: F.adjust_brightness(image, brightness_factor=1.0 + magnitude),
    "Color": lambda image, magnitude: F.adjust_saturation(image, saturation_factor=1.0 + magnitude),
    "Contrast": lambda image, magnitude: F.adjust_contrast(image, contrast_factor=1.0 + magnitude),
    "Sharpness": lambda image, magnitude: F.adjust_sharpness(image, sharpness_factor=1.0 + magnitude),
    "Posterize": lambda image, magnitude: F.posterize(image, bits=int(magnitude)),
    "Solarize": _solarize,
    "AutoContrast": lambda image, magnitude: F.autocontrast(image),
    "Equalize": lambda image, magnitude: F.equalize(image),
    "Invert": lambda image, magnitude: F.invert(image),
}
_AFFINE_OPS = ("ShearX", "ShearY", "TranslateX", "TranslateY")


class _AutoAugmentBase(Transform):
    """Finds the sample's one image or video, and applies named ops to it with the interpolation and fill of the
    geometric ones."""

    def __init__(self, *, interpolation: Interpolation = "nearest", fill: Fill | dict[type | str, Fill] = None) -> None:
        super().__init__()
        self.interpolation = interpolation
        self.fill = fill
        self._fill = _setup_fill_arg(fill)

    def _random_op(self, space: Space) -> str:
        names = tuple(space)
        return names[int(torch.randint(len(names), ()))]

    def _extract_image_or_video(self, inputs: tuple[Any, ...]) -> tuple[_Flat, Any]:
        """The flattened sample, its spec and the position of its image or video, and that image or video.

        Raises:
            TypeError: for boxes, masks or keypoints in the sample, or not exactly one image or video.
        """
        flat_inputs, spec = tree_flatten(inputs if len(inputs) > 1 else inputs[0])
        needs = self._needs_transform_list(flat_inputs)
        found = []
        for index, (inpt, need) in enumerate(zip(flat_inputs, needs, strict=True)):
            if need and check_type(inpt, (tv_tensors.Image, PIL.Image.Image, is_pure_tensor, tv_tensors.Video)):
                found.append((index, inpt))
            elif isinstance(inpt, (tv_tensors.BoundingBoxes, tv_tensors.Mask, tv_tensors.KeyPoints)):
                raise TypeError(f"Inputs of type {type(inpt).__name__} are not supported by {type(self).__name__}()")
        if not found:
            raise TypeError("Found no image in the sample.")
        if len(found) > 1:
            raise TypeError(
                "Auto augment transformations are only properly defined for a single image or video, "
                f"but found {len(found)}."
            )
        index, image_or_video = found[0]
        return (flat_inputs, spec, index), image_or_video

    def _insert_image_or_video(self, flat: _Flat, image_or_video: Any) -> Any:
        flat_inputs, spec, index = flat
        flat_inputs[index] = image_or_video
        return tree_unflatten(flat_inputs, spec)

    def _apply_op(self, image: Any, op_name: str, magnitude: float) -> Any:
        if op_name in _COLOR_OPS:
            return _COLOR_OPS[op_name](image, magnitude)
        fill = _get_fill(self._fill, type(image))
        if op_name == "Rotate":
            return F.rotate(image, angle=magnitude, interpolation=self.interpolation, fill=fill)
        if op_name in _AFFINE_OPS:
            return _affine_op(image, op_name, magnitude, self.interpolation, fill)
        raise ValueError(f"No transform available for {op_name}")


class AutoAugment(_AutoAugmentBase):
    """AutoAugment (Cubuk et al., 2019): apply one random sub-policy (two ops, each with its probability) of a
    policy learned on ImageNet, CIFAR10 or SVHN.

    Tensors should be uint8 ``[..., 1 or 3, H, W]``, PIL images ``L`` or ``RGB``.

    Args:
        policy: the learned policy.
        interpolation: of the geometric ops (an ``InterpolationMode``, its name or a PIL constant).
        fill: value outside the image after geometric ops (or a dict of it per input type).

    Raises:
        ValueError: for an unknown policy.
    """

    _v1_transform_cls = _v1.AutoAugment

    def __init__(
        self,
        policy: AutoAugmentPolicy = AutoAugmentPolicy.IMAGENET,
        interpolation: Interpolation = "nearest",
        fill: Fill | dict[type | str, Fill] = None,
    ) -> None:
        super().__init__(interpolation=interpolation, fill=fill)
        self.policy = policy
        if policy not in _v1._POLICIES:
            raise ValueError(f"The provided policy {policy} is not recognized.")
        self._policies = _v1._POLICIES[policy]
        self._space = _standard_space(identity=False, invert=True)

    def forward(self, *inputs: Any) -> Any:
        flat, image = self._extract_image_or_video(inputs)
        size = F.get_size(image)
        sub_policy = self._policies[int(torch.randint(len(self._policies), ()))]
        for op_name, probability, bin_index in sub_policy:
            if not torch.rand(()) <= probability:
                continue
            magnitude = _magnitude(self._space, op_name, 10, size, lambda index=bin_index: index)
            image = self._apply_op(image, op_name, magnitude)
        return self._insert_image_or_video(flat, image)


class RandAugment(_AutoAugmentBase):
    """RandAugment (Cubuk et al., 2020): ``num_ops`` uniformly random ops, all at the magnitude of bin
    ``magnitude`` of ``num_magnitude_bins``.

    Tensors should be uint8 ``[..., 1 or 3, H, W]``, PIL images ``L`` or ``RGB``.

    Args:
        num_ops: ops per call, non-negative.
        magnitude: the bin of the magnitudes.
        num_magnitude_bins: the number of bins.
        interpolation: of the geometric ops.
        fill: value outside the image after geometric ops (or a dict of it per input type).

    Raises:
        ValueError: for ``num_ops`` that is not a non-negative int.
    """

    _v1_transform_cls = _v1.RandAugment

    def __init__(
        self,
        num_ops: int = 2,
        magnitude: int = 9,
        num_magnitude_bins: int = 31,
        interpolation: Interpolation = "nearest",
        fill: Fill | dict[type | str, Fill] = None,
    ) -> None:
        super().__init__(interpolation=interpolation, fill=fill)
        if not isinstance(num_ops, int) or num_ops < 0:
            raise ValueError(f"num_ops should be a non-negative integer, but got {num_ops} instead.")
        self.num_ops = num_ops
        self.magnitude = magnitude
        self.num_magnitude_bins = num_magnitude_bins
        self._space = _standard_space(identity=True, invert=False)

    def forward(self, *inputs: Any) -> Any:
        flat, image = self._extract_image_or_video(inputs)
        size = F.get_size(image)
        for _ in range(self.num_ops):
            op_name = self._random_op(self._space)
            magnitude = _magnitude(self._space, op_name, self.num_magnitude_bins, size, lambda: self.magnitude)
            image = self._apply_op(image, op_name, magnitude)
        return self._insert_image_or_video(flat, image)


class TrivialAugmentWide(_AutoAugmentBase):
    """TrivialAugment (Müller & Hutter, 2021): one uniformly random op at a uniformly random magnitude bin, from
    wide ranges.

    Tensors should be uint8 ``[..., 1 or 3, H, W]``, PIL images ``L`` or ``RGB``.

    Args:
        num_magnitude_bins: the number of bins.
        interpolation: of the geometric ops.
        fill: value outside the image after geometric ops (or a dict of it per input type).
    """

    _v1_transform_cls = _v1.TrivialAugmentWide

    def __init__(
        self,
        num_magnitude_bins: int = 31,
        interpolation: Interpolation = "nearest",
        fill: Fill | dict[type | str, Fill] = None,
    ) -> None:
        super().__init__(interpolation=interpolation, fill=fill)
        self.num_magnitude_bins = num_magnitude_bins

    def forward(self, *inputs: Any) -> Any:
        flat, image = self._extract_image_or_video(inputs)
        size = F.get_size(image)
        op_name = self._random_op(_WIDE_SPACE)
        num_bins = self.num_magnitude_bins
        magnitude = _magnitude(_WIDE_SPACE, op_name, num_bins, size, lambda: int(torch.randint(num_bins, ())))
        image = self._apply_op(image, op_name, magnitude)
        return self._insert_image_or_video(flat, image)


class AugMix(_AutoAugmentBase):
    """AugMix (Hendrycks et al., 2020): blend the image with ``mixture_width`` chains of random ops.

    ``out = m * x + (1 - m) * sum_i w_i * chain_i(x)``, with ``(m, 1 - m) ~ Dirichlet(alpha, alpha)`` and
    ``w ~ Dirichlet(alpha, ...)`` drawn per image of a batch; the result is cast back to the input dtype.

    Args:
        severity: the ops' magnitude bins are drawn in ``[0, severity)``, 1 to 10.
        mixture_width: the number of chains.
        chain_depth: ops per chain; a random 1 to 3 per chain when not positive.
        alpha: concentration of the Dirichlet distributions.
        all_ops: also use brightness, colour, contrast and sharpness.
        interpolation: of the geometric ops.
        fill: value outside the image after geometric ops (or a dict of it per input type).

    Raises:
        ValueError: for a severity outside [1, 10].
    """

    _v1_transform_cls = _v1.AugMix
    _PARAMETER_MAX = 10

    def __init__(
        self,
        severity: int = 3,
        mixture_width: int = 3,
        chain_depth: int = -1,
        alpha: float = 1.0,
        all_ops: bool = True,
        interpolation: Interpolation = "bilinear",
        fill: Fill | dict[type | str, Fill] = None,
    ) -> None:
        super().__init__(interpolation=interpolation, fill=fill)
        if not 1 <= severity <= self._PARAMETER_MAX:
            raise ValueError(f"The severity must be between [1, {self._PARAMETER_MAX}]. Got {severity} instead.")
        self.severity = severity
        self.mixture_width = mixture_width
        self.chain_depth = chain_depth
        self.alpha = alpha
        self.all_ops = all_ops

    def _sample_dirichlet(self, params: torch.Tensor) -> torch.Tensor:
        return torch._sample_dirichlet(params)

    def _chain(self, batch: torch.Tensor, space: Space, size: list[int]) -> torch.Tensor:
        depth = self.chain_depth if self.chain_depth > 0 else int(torch.randint(low=1, high=4, size=(1,)).item())
        for _ in range(depth):
            op_name = self._random_op(space)
            pick = lambda: int(torch.randint(self.severity, ()))  # noqa: E731
            magnitude = _magnitude(space, op_name, self._PARAMETER_MAX, size, pick)
            batch = self._apply_op(batch, op_name, magnitude)
        return batch

    def forward(self, *inputs: Any) -> Any:
        flat, original = self._extract_image_or_video(inputs)
        size = F.get_size(original)
        image = original if isinstance(original, torch.Tensor) else F.pil_to_tensor(original)
        space = _AUGMIX_SPACE if self.all_ops else _AUGMIX_PARTIAL_SPACE

        shape = list(image.shape)
        expected_ndim = 5 if isinstance(original, tv_tensors.Video) else 4
        batch = image.reshape([1] * max(expected_ndim - image.ndim, 0) + shape)
        num_images = batch.size(0)
        weight_shape = [num_images] + [1] * (batch.ndim - 1)

        # Beta(alpha, alpha) as a 2-Dirichlet: column 0 weighs the original, column 1 all the chains together.
        original_and_chains = self._sample_dirichlet(
            torch.tensor([self.alpha, self.alpha], device=batch.device).expand(num_images, -1)
        )
        chain_weights = self._sample_dirichlet(
            torch.tensor([self.alpha] * self.mixture_width, device=batch.device).expand(num_images, -1)
        ) * original_and_chains[:, 1].reshape([num_images, -1])

        mix = original_and_chains[:, 0].reshape(weight_shape) * batch
        for i in range(self.mixture_width):
            mix.add_(chain_weights[:, i].reshape(weight_shape) * self._chain(batch, space, size))
        mix = mix.reshape(shape).to(dtype=image.dtype)

        if isinstance(original, (tv_tensors.Image, tv_tensors.Video)):
            mix = tv_tensors.wrap(mix, like=original)
        elif isinstance(original, PIL.Image.Image):
            mix = F.to_pil_image(mix)
        return self._insert_image_or_video(flat, mix)
