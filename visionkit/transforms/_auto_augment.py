"""Learned and random augmentation policies: AutoAugment, RandAugment, TrivialAugmentWide and AugMix.

Each call samples a list of ``(op_name, magnitude)`` pairs (``params["ops"]``) and applies them in order, so a
sampled augmentation can be shown and replayed. Magnitude tables follow the papers (and torchvision): bins of a
``linspace`` per op, signed ops getting a random sign.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from enum import Enum

import torch
from torch import Tensor

from . import _boxes as B
from . import _color as C
from . import _geometry as G
from ._base import Params, Transform
from ._conversion import pil_to_tensor, to_pil_image
from ._image import Fill, ImageLike, InterpolationMode, check_fill, get_dimensions, is_pil, to_interpolation_mode

__all__ = ["AugMix", "AutoAugment", "AutoAugmentPolicy", "RandAugment", "TrivialAugmentWide"]

Space = dict[str, tuple[Tensor, bool]]  # op name -> (magnitude per bin, whether the sign is random)


class AutoAugmentPolicy(Enum):
    """The AutoAugment policies learned on three datasets."""

    IMAGENET = "imagenet"
    CIFAR10 = "cifar10"
    SVHN = "svhn"


# Sub-policies from the AutoAugment paper (Cubuk et al., 2019): two (op, probability, magnitude bin) steps each.
_POLICIES: dict[AutoAugmentPolicy, tuple[tuple[tuple[str, float, int | None], ...], ...]] = {
    AutoAugmentPolicy.IMAGENET: (
        (("Posterize", 0.4, 8), ("Rotate", 0.6, 9)),
        (("Solarize", 0.6, 5), ("AutoContrast", 0.6, None)),
        (("Equalize", 0.8, None), ("Equalize", 0.6, None)),
        (("Posterize", 0.6, 7), ("Posterize", 0.6, 6)),
        (("Equalize", 0.4, None), ("Solarize", 0.2, 4)),
        (("Equalize", 0.4, None), ("Rotate", 0.8, 8)),
        (("Solarize", 0.6, 3), ("Equalize", 0.6, None)),
        (("Posterize", 0.8, 5), ("Equalize", 1.0, None)),
        (("Rotate", 0.2, 3), ("Solarize", 0.6, 8)),
        (("Equalize", 0.6, None), ("Posterize", 0.4, 6)),
        (("Rotate", 0.8, 8), ("Color", 0.4, 0)),
        (("Rotate", 0.4, 9), ("Equalize", 0.6, None)),
        (("Equalize", 0.0, None), ("Equalize", 0.8, None)),
        (("Invert", 0.6, None), ("Equalize", 1.0, None)),
        (("Color", 0.6, 4), ("Contrast", 1.0, 8)),
        (("Rotate", 0.8, 8), ("Color", 1.0, 2)),
        (("Color", 0.8, 8), ("Solarize", 0.8, 7)),
        (("Sharpness", 0.4, 7), ("Invert", 0.6, None)),
        (("ShearX", 0.6, 5), ("Equalize", 1.0, None)),
        (("Color", 0.4, 0), ("Equalize", 0.6, None)),
        (("Equalize", 0.4, None), ("Solarize", 0.2, 4)),
        (("Solarize", 0.6, 5), ("AutoContrast", 0.6, None)),
        (("Invert", 0.6, None), ("Equalize", 1.0, None)),
        (("Color", 0.6, 4), ("Contrast", 1.0, 8)),
        (("Equalize", 0.8, None), ("Equalize", 0.6, None)),
    ),
    AutoAugmentPolicy.CIFAR10: (
        (("Invert", 0.1, None), ("Contrast", 0.2, 6)),
        (("Rotate", 0.7, 2), ("TranslateX", 0.3, 9)),
        (("Sharpness", 0.8, 1), ("Sharpness", 0.9, 3)),
        (("ShearY", 0.5, 8), ("TranslateY", 0.7, 9)),
        (("AutoContrast", 0.5, None), ("Equalize", 0.9, None)),
        (("ShearY", 0.2, 7), ("Posterize", 0.3, 7)),
        (("Color", 0.4, 3), ("Brightness", 0.6, 7)),
        (("Sharpness", 0.3, 9), ("Brightness", 0.7, 9)),
        (("Equalize", 0.6, None), ("Equalize", 0.5, None)),
        (("Contrast", 0.6, 7), ("Sharpness", 0.6, 5)),
        (("Color", 0.7, 7), ("TranslateX", 0.5, 8)),
        (("Equalize", 0.3, None), ("AutoContrast", 0.4, None)),
        (("TranslateY", 0.4, 3), ("Sharpness", 0.2, 6)),
        (("Brightness", 0.9, 6), ("Color", 0.2, 8)),
        (("Solarize", 0.5, 2), ("Invert", 0.0, None)),
        (("Equalize", 0.2, None), ("AutoContrast", 0.6, None)),
        (("Equalize", 0.2, None), ("Equalize", 0.6, None)),
        (("Color", 0.9, 9), ("Equalize", 0.6, None)),
        (("AutoContrast", 0.8, None), ("Solarize", 0.2, 8)),
        (("Brightness", 0.1, 3), ("Color", 0.7, 0)),
        (("Solarize", 0.4, 5), ("AutoContrast", 0.9, None)),
        (("TranslateY", 0.9, 9), ("TranslateY", 0.7, 9)),
        (("AutoContrast", 0.9, None), ("Solarize", 0.8, 3)),
        (("Equalize", 0.8, None), ("Invert", 0.1, None)),
        (("TranslateY", 0.7, 9), ("AutoContrast", 0.9, None)),
    ),
    AutoAugmentPolicy.SVHN: (
        (("ShearX", 0.9, 4), ("Invert", 0.2, None)),
        (("ShearY", 0.9, 8), ("Invert", 0.7, None)),
        (("Equalize", 0.6, None), ("Solarize", 0.6, 6)),
        (("Invert", 0.9, None), ("Equalize", 0.6, None)),
        (("Equalize", 0.6, None), ("Rotate", 0.9, 3)),
        (("ShearX", 0.9, 4), ("AutoContrast", 0.8, None)),
        (("ShearY", 0.9, 8), ("Invert", 0.4, None)),
        (("ShearY", 0.9, 5), ("Solarize", 0.2, 6)),
        (("Invert", 0.9, None), ("AutoContrast", 0.8, None)),
        (("Equalize", 0.6, None), ("Rotate", 0.9, 3)),
        (("ShearX", 0.9, 4), ("Solarize", 0.3, 3)),
        (("ShearY", 0.8, 8), ("Invert", 0.7, None)),
        (("Equalize", 0.9, None), ("TranslateY", 0.6, 6)),
        (("Invert", 0.9, None), ("Equalize", 0.6, None)),
        (("Contrast", 0.3, 3), ("Rotate", 0.8, 4)),
        (("Invert", 0.8, None), ("TranslateY", 0.0, 2)),
        (("ShearY", 0.7, 6), ("Solarize", 0.4, 8)),
        (("Invert", 0.6, None), ("Rotate", 0.8, 4)),
        (("ShearY", 0.3, 7), ("TranslateX", 0.9, 3)),
        (("ShearX", 0.1, 6), ("Invert", 0.6, None)),
        (("Solarize", 0.7, 2), ("TranslateY", 0.6, 7)),
        (("ShearY", 0.8, 4), ("Invert", 0.8, None)),
        (("ShearX", 0.7, 9), ("TranslateY", 0.8, 3)),
        (("ShearY", 0.8, 5), ("AutoContrast", 0.7, None)),
        (("ShearX", 0.7, 2), ("Invert", 0.1, None)),
    ),
}

_NO_MAGNITUDE = (torch.tensor(0.0), False)


def _posterize_bits(num_bins: int, start: int, steps: int) -> tuple[Tensor, bool]:
    """Bits kept per bin: from ``start`` down to ``start - 4`` (or ``- 6``) in ``steps`` rounded steps."""
    return start - (torch.arange(num_bins) / ((num_bins - 1) / steps)).round().int(), False


def _signed(num_bins: int, high: float) -> tuple[Tensor, bool]:
    return torch.linspace(0.0, high, num_bins), True


def _standard_space(num_bins: int, image_size: Sequence[int], identity: bool) -> Space:
    """The AutoAugment / RandAugment magnitudes (RandAugment adds Identity first and drops Invert)."""
    h, w = image_size
    space: Space = {"Identity": _NO_MAGNITUDE} if identity else {}
    space.update({
        "ShearX": _signed(num_bins, 0.3),
        "ShearY": _signed(num_bins, 0.3),
        "TranslateX": _signed(num_bins, 150.0 / 331.0 * w),
        "TranslateY": _signed(num_bins, 150.0 / 331.0 * h),
        "Rotate": _signed(num_bins, 30.0),
        "Brightness": _signed(num_bins, 0.9),
        "Color": _signed(num_bins, 0.9),
        "Contrast": _signed(num_bins, 0.9),
        "Sharpness": _signed(num_bins, 0.9),
        "Posterize": _posterize_bits(num_bins, 8, 4),
        "Solarize": (torch.linspace(255.0, 0.0, num_bins), False),
        "AutoContrast": _NO_MAGNITUDE,
        "Equalize": _NO_MAGNITUDE,
    })  # fmt: skip
    if not identity:
        space["Invert"] = _NO_MAGNITUDE
    return space


def _wide_space(num_bins: int) -> Space:
    """TrivialAugment's wide magnitude ranges."""
    return {
        "Identity": _NO_MAGNITUDE,
        "ShearX": _signed(num_bins, 0.99),
        "ShearY": _signed(num_bins, 0.99),
        "TranslateX": _signed(num_bins, 32.0),
        "TranslateY": _signed(num_bins, 32.0),
        "Rotate": _signed(num_bins, 135.0),
        "Brightness": _signed(num_bins, 0.99),
        "Color": _signed(num_bins, 0.99),
        "Contrast": _signed(num_bins, 0.99),
        "Sharpness": _signed(num_bins, 0.99),
        "Posterize": _posterize_bits(num_bins, 8, 6),
        "Solarize": (torch.linspace(255.0, 0.0, num_bins), False),
        "AutoContrast": _NO_MAGNITUDE,
        "Equalize": _NO_MAGNITUDE,
    }


def _augmix_space(num_bins: int, image_size: Sequence[int], all_ops: bool) -> Space:
    h, w = image_size
    space: Space = {
        "ShearX": _signed(num_bins, 0.3),
        "ShearY": _signed(num_bins, 0.3),
        "TranslateX": _signed(num_bins, w / 3.0),
        "TranslateY": _signed(num_bins, h / 3.0),
        "Rotate": _signed(num_bins, 30.0),
        "Posterize": _posterize_bits(num_bins, 4, 4),
        "Solarize": (torch.linspace(255.0, 0.0, num_bins), False),
        "AutoContrast": _NO_MAGNITUDE,
        "Equalize": _NO_MAGNITUDE,
    }
    if all_ops:
        space.update({name: _signed(num_bins, 0.9) for name in ("Brightness", "Color", "Contrast", "Sharpness")})
    return space


def _random_sign(magnitude: float, signed: bool) -> float:
    """Negate half of the time for signed ops (one draw, only for signed ops)."""
    return -magnitude if signed and torch.randint(2, (1,)) else magnitude


def _sample_op(space: Space, pick_bin: Callable[[int], int | Tensor]) -> tuple[str, float]:
    """A uniformly random op of ``space`` with the magnitude of bin ``pick_bin(num_bins)`` and a random sign.

    ``pick_bin`` is only called for ops that have magnitudes, so it may draw random numbers.
    """
    names = list(space)
    op_name = names[int(torch.randint(len(names), (1,)).item())]
    magnitudes, signed = space[op_name]
    magnitude = float(magnitudes[pick_bin(len(magnitudes))].item()) if magnitudes.ndim > 0 else 0.0
    return op_name, _random_sign(magnitude, signed)


def _random_bin(num_bins: int) -> Tensor:
    return torch.randint(num_bins, (1,), dtype=torch.long)


def _affine_args(op_name: str, magnitude: float) -> dict[str, object]:
    """``F.affine`` arguments of the geometric ops; shears are about the top-left corner, like PIL's."""
    shear = math.degrees(math.atan(magnitude))
    return {
        "ShearX": {"angle": 0.0, "translate": [0, 0], "scale": 1.0, "shear": [shear, 0.0], "center": [0, 0]},
        "ShearY": {"angle": 0.0, "translate": [0, 0], "scale": 1.0, "shear": [0.0, shear], "center": [0, 0]},
        "TranslateX": {"angle": 0.0, "translate": [int(magnitude), 0], "scale": 1.0, "shear": [0.0, 0.0]},
        "TranslateY": {"angle": 0.0, "translate": [0, int(magnitude)], "scale": 1.0, "shear": [0.0, 0.0]},
    }[op_name]


_COLOR_OPS = {
    "Brightness": lambda img, m: C.adjust_brightness(img, 1.0 + m),
    "Color": lambda img, m: C.adjust_saturation(img, 1.0 + m),
    "Contrast": lambda img, m: C.adjust_contrast(img, 1.0 + m),
    "Sharpness": lambda img, m: C.adjust_sharpness(img, 1.0 + m),
    "Posterize": lambda img, m: C.posterize(img, int(m)),
    "Solarize": lambda img, m: C.solarize(img, m),
    "AutoContrast": lambda img, m: C.autocontrast(img),
    "Equalize": lambda img, m: C.equalize(img),
    "Invert": lambda img, m: C.invert(img),
    "Identity": lambda img, m: img,
}


def apply_op(img: ImageLike, op_name: str, magnitude: float, interpolation: InterpolationMode, fill: Fill) -> ImageLike:
    """Apply one named augmentation op with its (signed) magnitude."""
    if op_name == "Rotate":
        return G.rotate(img, magnitude, interpolation=interpolation, fill=fill)
    if op_name in _COLOR_OPS:
        return _COLOR_OPS[op_name](img, magnitude)
    return G.affine(img, **_affine_args(op_name, magnitude), interpolation=interpolation, fill=fill)


def op_boxes(boxes: Tensor, image_size: Sequence[int], op_name: str, magnitude: float) -> Tensor:
    """Boxes after :func:`apply_op` on an image of size ``image_size = (h, w)``."""
    if op_name == "Rotate":
        return B.rotate_boxes(boxes, image_size, magnitude)
    if op_name in _COLOR_OPS:
        return boxes
    return B.affine_boxes(boxes, image_size, **_affine_args(op_name, magnitude))


def _check_num_bins(num_magnitude_bins: int) -> int:
    if not isinstance(num_magnitude_bins, int) or num_magnitude_bins < 2:
        raise ValueError(f"num_magnitude_bins should be an int >= 2, got {num_magnitude_bins!r}")
    return num_magnitude_bins


class _Augment(Transform):
    """Holds the interpolation and fill that the geometric ops use."""

    def __init__(self, interpolation: InterpolationMode | str | int, fill: Fill) -> None:
        super().__init__()
        check_fill(fill)
        self.interpolation = to_interpolation_mode(interpolation)
        self.fill = fill


class _OpSequence(_Augment):
    """Applies ``params["ops"]``, a list of ``(op_name, magnitude)``, in order."""

    def _image_size(self, img: ImageLike) -> tuple[int, int]:
        _, h, w = get_dimensions(img)
        return h, w

    def apply_params(self, img: ImageLike, params: Params) -> ImageLike:
        for op_name, magnitude in params["ops"]:
            img = apply_op(img, op_name, magnitude, self.interpolation, self.fill)
        return img

    def _map_boxes(self, boxes: Tensor, params: Params) -> Tensor:
        for op_name, magnitude in params["ops"]:
            boxes = op_boxes(boxes, params["image_size"], op_name, magnitude)
        return boxes


class AutoAugment(_OpSequence):
    """AutoAugment (Cubuk et al., 2019): apply one random sub-policy of a learned policy.

    Args:
        policy: the policy (learned on ImageNet, CIFAR10 or SVHN).
        interpolation: NEAREST or BILINEAR for tensors.
        fill: value outside the image after geometric ops.
    """

    def __init__(
        self,
        policy: AutoAugmentPolicy = AutoAugmentPolicy.IMAGENET,
        interpolation: InterpolationMode = InterpolationMode.NEAREST,
        fill: Fill = None,
    ) -> None:
        super().__init__(interpolation, fill)
        if not isinstance(policy, AutoAugmentPolicy):
            raise ValueError(f"policy should be an AutoAugmentPolicy, got {policy!r}")
        self.policy = policy
        self.policies = _POLICIES[policy]

    @staticmethod
    def get_params(transform_num: int) -> tuple[int, Tensor, Tensor]:
        """A random sub-policy index, the 2 probabilities its steps are tested against and 2 random signs."""
        policy_id = int(torch.randint(transform_num, (1,)).item())
        return policy_id, torch.rand((2,)), torch.randint(2, (2,))

    def make_params(self, img: ImageLike) -> Params:
        image_size = self._image_size(img)
        policy_id, probs, signs = self.get_params(len(self.policies))
        space = _standard_space(10, image_size, identity=False)
        ops = []
        for i, (op_name, p, bin_index) in enumerate(self.policies[policy_id]):
            if probs[i] <= p:
                magnitudes, signed = space[op_name]
                magnitude = float(magnitudes[bin_index].item()) if bin_index is not None else 0.0
                ops.append((op_name, -magnitude if signed and signs[i] == 0 else magnitude))
        return {"image_size": image_size, "policy_index": policy_id, "ops": ops}

    def extra_repr(self) -> str:
        return f"policy={self.policy}, fill={self.fill}"


class RandAugment(_OpSequence):
    """RandAugment (Cubuk et al., 2020): ``num_ops`` uniformly random ops at a fixed magnitude.

    Args:
        num_ops: ops per image.
        magnitude: bin index in ``[0, num_magnitude_bins)``.
        num_magnitude_bins: number of magnitude bins.
        interpolation: NEAREST or BILINEAR for tensors.
        fill: value outside the image after geometric ops.
    """

    def __init__(
        self,
        num_ops: int = 2,
        magnitude: int = 9,
        num_magnitude_bins: int = 31,
        interpolation: InterpolationMode = InterpolationMode.NEAREST,
        fill: Fill = None,
    ) -> None:
        super().__init__(interpolation, fill)
        if not isinstance(num_ops, int) or num_ops < 0:
            raise ValueError(f"num_ops should be a non-negative int, got {num_ops!r}")
        _check_num_bins(num_magnitude_bins)
        if not isinstance(magnitude, int) or not 0 <= magnitude < num_magnitude_bins:
            raise ValueError(f"magnitude should be an int in [0, {num_magnitude_bins - 1}], got {magnitude!r}")
        self.num_ops, self.magnitude, self.num_magnitude_bins = num_ops, magnitude, num_magnitude_bins

    def make_params(self, img: ImageLike) -> Params:
        image_size = self._image_size(img)
        space = _standard_space(self.num_magnitude_bins, image_size, identity=True)
        ops = [_sample_op(space, lambda _: self.magnitude) for _ in range(self.num_ops)]
        return {"image_size": image_size, "ops": ops}

    def extra_repr(self) -> str:
        return (f"num_ops={self.num_ops}, magnitude={self.magnitude}, num_magnitude_bins={self.num_magnitude_bins}, "
                f"interpolation={self.interpolation}, fill={self.fill}")  # fmt: skip


class TrivialAugmentWide(_OpSequence):
    """TrivialAugment (Müller & Hutter, 2021): one random op at a random magnitude from wide ranges.

    Args:
        num_magnitude_bins: number of magnitude bins.
        interpolation: NEAREST or BILINEAR for tensors.
        fill: value outside the image after geometric ops.
    """

    def __init__(
        self,
        num_magnitude_bins: int = 31,
        interpolation: InterpolationMode = InterpolationMode.NEAREST,
        fill: Fill = None,
    ) -> None:
        super().__init__(interpolation, fill)
        self.num_magnitude_bins = _check_num_bins(num_magnitude_bins)

    def make_params(self, img: ImageLike) -> Params:
        op = _sample_op(_wide_space(self.num_magnitude_bins), _random_bin)
        return {"image_size": self._image_size(img), "ops": [op]}

    def extra_repr(self) -> str:
        return f"num_magnitude_bins={self.num_magnitude_bins}, interpolation={self.interpolation}, fill={self.fill}"


class AugMix(_Augment):
    """AugMix (Hendrycks et al., 2020): mix the image with ``mixture_width`` chains of random ops.

    ``out = m * img + (1 - m) * sum_i w_i * chain_i(img)`` with ``m ~ Beta(alpha, alpha)`` and
    ``w ~ Dirichlet(alpha)``, drawn per image of a batch. Tensors should be uint8 (posterize and equalize need it).

    Args:
        severity: maximum magnitude bin (1 to 10) of the ops.
        mixture_width: number of chains.
        chain_depth: ops per chain; a random 1 to 3 when not positive.
        alpha: concentration of the Beta and Dirichlet distributions, positive.
        all_ops: also use brightness, color, contrast and sharpness.
        interpolation: NEAREST or BILINEAR.
        fill: value outside the image after geometric ops.
    """

    _MAX_SEVERITY = 10

    def __init__(
        self,
        severity: int = 3,
        mixture_width: int = 3,
        chain_depth: int = -1,
        alpha: float = 1.0,
        all_ops: bool = True,
        interpolation: InterpolationMode = InterpolationMode.BILINEAR,
        fill: Fill = None,
    ) -> None:
        super().__init__(interpolation, fill)
        if not isinstance(severity, int) or not 1 <= severity <= self._MAX_SEVERITY:
            raise ValueError(f"severity should be an int in [1, {self._MAX_SEVERITY}], got {severity!r}")
        if not isinstance(mixture_width, int) or mixture_width < 1:
            raise ValueError(f"mixture_width should be a positive int, got {mixture_width!r}")
        if not isinstance(chain_depth, int):
            raise TypeError(f"chain_depth should be an int, got {chain_depth!r}")
        if not isinstance(alpha, (int, float)) or alpha <= 0:
            raise ValueError(f"alpha should be a positive number, got {alpha!r}")
        self.severity, self.mixture_width, self.chain_depth = severity, mixture_width, chain_depth
        self.alpha, self.all_ops = alpha, all_ops

    def _dirichlet(self, num_images: int, size: int) -> Tensor:
        concentration = torch.tensor([float(self.alpha)] * size).expand(num_images, -1)
        return torch.distributions.Dirichlet(concentration).sample()

    def _sample_chain(self, space: Space) -> list[tuple[str, float]]:
        depth = self.chain_depth if self.chain_depth > 0 else int(torch.randint(low=1, high=4, size=(1,)).item())
        return [_sample_op(space, lambda _: _random_bin(self.severity)) for _ in range(depth)]

    def make_params(self, img: ImageLike) -> Params:
        """Mixing weights (``[B, 2]`` Beta as a 2-Dirichlet, ``[B, width]`` chain weights) and the chains' ops."""
        _, h, w = get_dimensions(img)
        num_images = img.shape[0] if not is_pil(img) and img.ndim >= 4 else 1
        mix = self._dirichlet(num_images, 2)
        chain_weights = self._dirichlet(num_images, self.mixture_width) * mix[:, 1].reshape(num_images, -1)
        space = _augmix_space(self._MAX_SEVERITY, (h, w), self.all_ops)
        chains = [self._sample_chain(space) for _ in range(self.mixture_width)]
        return {"image_weight": mix[:, 0], "chain_weights": chain_weights, "chains": chains}

    def apply_params(self, img: ImageLike, params: Params) -> ImageLike:
        tensor = pil_to_tensor(img) if is_pil(img) else img
        batch = tensor.view([1] * max(4 - tensor.ndim, 0) + list(tensor.shape))
        weight_shape = [batch.shape[0]] + [1] * (batch.ndim - 1)
        mixed = params["image_weight"].reshape(weight_shape) * batch
        for i, chain in enumerate(params["chains"]):
            augmented = batch
            for op_name, magnitude in chain:
                augmented = apply_op(augmented, op_name, magnitude, self.interpolation, self.fill)
            mixed.add_(params["chain_weights"][:, i].reshape(weight_shape) * augmented)
        out = mixed.view(tensor.shape).to(tensor.dtype)
        return to_pil_image(out) if is_pil(img) else out

    def _map_boxes(self, boxes: Tensor, params: Params) -> Tensor:
        raise NotImplementedError("AugMix cannot map boxes: it blends differently warped copies of the image")

    def extra_repr(self) -> str:
        return (
            f"severity={self.severity}, mixture_width={self.mixture_width}, chain_depth={self.chain_depth}, "
            f"alpha={self.alpha}, all_ops={self.all_ops}, interpolation={self.interpolation}, fill={self.fill}"
        )
