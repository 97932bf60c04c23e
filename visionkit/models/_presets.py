"""The preprocessing that goes with published classification weights: resize, centre crop, rescale, normalise."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from PIL import Image
from torch import Tensor, nn

from visionkit.transforms import functional as F
from visionkit.transforms.functional import InterpolationMode

__all__ = ["ImageClassification"]


class ImageClassification(nn.Module):
    """Turn an image into the input a classifier trained on ImageNet expects.

    The shorter side is resized to ``resize_size`` (keeping the aspect ratio), the centre
    ``crop_size x crop_size`` square is cut out (zero-padded when the image is smaller), values are
    rescaled to [0, 1] and normalised per channel with ``mean`` and ``std``. Built on
    :mod:`visionkit.transforms.functional`, so PIL images are resized by PIL and tensors by torch.

    Args:
        crop_size (int): side of the square centre crop.
        resize_size (int): length of the shorter side after resizing.
        mean (Sequence[float]): per-channel mean subtracted after rescaling.
        std (Sequence[float]): per-channel standard deviation divided by after subtracting the mean.
        interpolation (InterpolationMode): how resizing computes new pixels.
        antialias (bool): whether tensors are low-pass filtered when downsampling (PIL images always are).
    """

    def __init__(
        self,
        *,
        crop_size: int,
        resize_size: int = 256,
        mean: Sequence[float] = (0.485, 0.456, 0.406),
        std: Sequence[float] = (0.229, 0.224, 0.225),
        interpolation: InterpolationMode = InterpolationMode.BILINEAR,
        antialias: bool = True,
    ) -> None:
        super().__init__()
        _check_positive_int(crop_size, "crop_size")
        _check_positive_int(resize_size, "resize_size")
        if not isinstance(interpolation, InterpolationMode):
            raise TypeError(f"`interpolation` should be an InterpolationMode, got {interpolation!r}")
        self.crop_size = [crop_size]
        self.resize_size = [resize_size]
        self.mean = list(mean)
        self.std = list(std)
        self.interpolation = interpolation
        self.antialias = antialias

    def forward(self, img: Tensor | Image.Image) -> Tensor:
        """Preprocess one image or a batch.

        Args:
            img (PIL.Image.Image | Tensor[..., C, H, W]): an image, integer or float in [0, 1].

        Returns:
            Tensor[..., C, crop_size, crop_size]: the float32 normalised crop.
        """
        if not isinstance(img, (Tensor, Image.Image)):
            raise TypeError(f"`img` should be a PIL image or a tensor, got {type(img).__name__}")
        img = F.resize(img, self.resize_size, interpolation=self.interpolation, antialias=self.antialias)
        img = F.center_crop(img, self.crop_size)
        if isinstance(img, Image.Image):
            img = F.pil_to_tensor(img)
        return F.normalize(F.convert_image_dtype(img, torch.float), mean=self.mean, std=self.std)

    def __repr__(self) -> str:
        fields = [f"crop_size={self.crop_size}", f"resize_size={self.resize_size}", f"mean={self.mean}"]
        fields += [f"std={self.std}", f"interpolation={self.interpolation}"]
        return type(self).__name__ + "(" + "".join(f"\n    {field}" for field in fields) + "\n)"

    def describe(self) -> str:
        """Say in one paragraph what the preprocessing does, for documentation and the app."""
        return (
            "Accepts ``PIL.Image``, batched ``(B, C, H, W)`` and single ``(C, H, W)`` image ``torch.Tensor`` "
            f"objects. The images are resized to ``resize_size={self.resize_size}`` using "
            f"``interpolation={self.interpolation}``, followed by a central crop of ``crop_size={self.crop_size}``. "
            "Finally the values are first rescaled to ``[0.0, 1.0]`` and then normalized using "
            f"``mean={self.mean}`` and ``std={self.std}``."
        )


def _check_positive_int(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"`{name}` should be an int, got {value!r}")
    if value < 1:
        raise ValueError(f"`{name}` should be a positive int, got {value}")
