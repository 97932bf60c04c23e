"""v2 augmentations that replace pixels: random erasing, JPEG artefacts, and the batch mixes MixUp and CutMix (which
also mix the labels)."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import PIL.Image
import torch
from torch.nn.functional import one_hot
from torch.utils._pytree import tree_flatten, tree_unflatten

from ... import tv_tensors
from .. import _misc_transforms as _v1_misc
from .._geometry_transforms import sample_rectangle
from . import functional as F
from ._geometry import _check_sequence_input
from ._transform import Transform, _RandomApplyTransform
from ._utils import _parse_labels_getter, has_any, query_chw, query_size
from .functional._utils import is_pure_tensor

__all__ = ["JPEG", "CutMix", "MixUp", "RandomErasing"]


def _erase_value(value: Any) -> Any:
    """The fill as a list of floats (one, or one per channel); None for random noise."""
    if isinstance(value, str):
        return None
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, (list, tuple)):
        return [float(v) for v in value]
    return value


class RandomErasing(_RandomApplyTransform):
    """With probability ``p``, erase a random rectangle of images and videos (Zhong et al., Random Erasing).

    Boxes, masks and keypoints pass through (with a warning).

    Args:
        p: probability of erasing.
        scale: ``(min, max)`` area of the rectangle as a fraction of the image area, within [0, 1].
        ratio: ``(min, max)`` aspect ratio of the rectangle, drawn log-uniformly.
        value: the fill: a number, one number per channel, or ``"random"`` for standard normal noise.
        inplace: overwrite the input.

    Raises:
        TypeError: for a ``value`` that is not a number, a sequence or a string, or a ``scale`` or ``ratio`` that
            is not a sequence.
        ValueError: for a string ``value`` other than ``"random"``, or a ``scale`` outside [0, 1].
    """

    _v1_transform_cls = _v1_misc.RandomErasing

    _warns_on_annotation_passthrough = True

    def __init__(
        self,
        p: float = 0.5,
        scale: Sequence[float] = (0.02, 0.33),
        ratio: Sequence[float] = (0.3, 3.3),
        value: float | Sequence[float] | str = 0.0,
        inplace: bool = False,
    ) -> None:
        super().__init__(p=p)
        if not isinstance(value, (numbers.Number, str, tuple, list)):
            raise TypeError("Argument value should be either a number or str or a sequence")
        if isinstance(value, str) and value != "random":
            raise ValueError("If value is str, it should be 'random'")
        if not isinstance(scale, Sequence):
            raise TypeError("Scale should be a sequence")
        if not isinstance(ratio, Sequence):
            raise TypeError("Ratio should be a sequence")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn("Scale and ratio should be of kind (min, max)", stacklevel=2)
        if scale[0] < 0 or scale[1] > 1:
            raise ValueError("Scale should be between 0 and 1")
        self.scale = scale
        self.ratio = ratio
        self.value = _erase_value(value)
        self.inplace = inplace
        self._log_ratio = torch.log(torch.tensor(self.ratio))

    def make_params(self, flat_inputs: list[Any]) -> dict[str, Any]:
        img_c, img_h, img_w = query_chw(flat_inputs)
        if self.value is not None and len(self.value) not in (1, img_c):
            raise ValueError(
                f"If value is a sequence, it should have either a single value or {img_c} (number of inpt channels)"
            )
        for _ in range(10):
            h, w = sample_rectangle(img_h * img_w, self.scale, self._log_ratio)
            if not (h < img_h and w < img_w):
                continue
            if self.value is None:
                v = torch.empty([img_c, h, w], dtype=torch.float32).normal_()
            else:
                v = torch.tensor(self.value)[:, None, None]
            i = torch.randint(0, img_h - h + 1, size=(1,)).item()
            j = torch.randint(0, img_w - w + 1, size=(1,)).item()
            return {"i": i, "j": j, "h": h, "w": w, "v": v}
        # No rectangle fitted in 10 tries: nothing is erased.
        return {"i": 0, "j": 0, "h": img_h, "w": img_w, "v": None}

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        if params["v"] is None:
            return inpt
        return self._call_kernel(F.erase, inpt, **params, inplace=self.inplace)


class _BatchMix(Transform):
    """Mix each sample of a batch of images or videos with the previous one (``roll(1, 0)``), and the labels in the
    same proportion. The labels are found with ``labels_getter``: by default the second input when it is a tensor.

    Subclasses draw the parameters (``make_params``) and mix the pixels (:meth:`_mix`).
    """

    def __init__(
        self,
        *,
        alpha: float = 1.0,
        num_classes: int | None = None,
        labels_getter: Callable[[Any], Any] | str = "default",
    ) -> None:
        super().__init__()
        self.alpha = float(alpha)
        self._dist = torch.distributions.Beta(torch.tensor([alpha]), torch.tensor([alpha]))
        self.num_classes = num_classes
        self._labels_getter = _parse_labels_getter(labels_getter)

    def _labels(self, inputs: Any) -> torch.Tensor:
        labels = self._labels_getter(inputs)
        if not isinstance(labels, torch.Tensor):
            raise ValueError(f"The labels must be a tensor, but got {type(labels)} instead.")
        if labels.ndim not in (1, 2):
            raise ValueError(
                "labels should be index based with shape (batch_size,) "
                "or probability based with shape (batch_size, num_classes), "
                f"but got a tensor of shape {labels.shape} instead."
            )
        if labels.ndim == 2 and self.num_classes is not None and labels.shape[-1] != self.num_classes:
            raise ValueError(
                "When passing 2D labels, the number of elements in last dimension must match num_classes: "
                f"{labels.shape[-1]} != {self.num_classes}. You can Leave num_classes to None."
            )
        if labels.ndim == 1 and self.num_classes is None:
            raise ValueError("num_classes must be passed if the labels are index-based (1D)")
        return labels

    def forward(self, *inputs: Any) -> Any:
        inputs = inputs if len(inputs) > 1 else inputs[0]
        flat_inputs, spec = tree_flatten(inputs)
        needs = self._needs_transform_list(flat_inputs)
        if has_any(flat_inputs, PIL.Image.Image, tv_tensors.BoundingBoxes, tv_tensors.Mask, tv_tensors.KeyPoints):
            raise ValueError(
                f"{type(self).__name__}() does not support PIL images, bounding boxes, keypoints and masks."
            )
        labels = self._labels(inputs)
        params = {
            "labels": labels,
            "batch_size": labels.shape[0],
            **self.make_params([inpt for inpt, need in zip(flat_inputs, needs, strict=True) if need]),
        }
        # The labels are a plain tensor after the images, so they were not picked: they are mixed too.
        needs[next(index for index, inpt in enumerate(flat_inputs) if inpt is labels)] = True
        flat_outputs = [
            self.transform(inpt, params) if need else inpt for inpt, need in zip(flat_inputs, needs, strict=True)
        ]
        return tree_unflatten(flat_outputs, spec)

    def _check_batch(self, inpt: torch.Tensor, batch_size: int) -> None:
        expected_ndim = 5 if isinstance(inpt, tv_tensors.Video) else 4
        if inpt.ndim != expected_ndim:
            raise ValueError(
                f"Expected a batched input with {expected_ndim} dims, but got {inpt.ndim} dimensions instead."
            )
        if inpt.shape[0] != batch_size:
            raise ValueError(
                "The batch size of the image or video does not match the batch size of the labels: "
                f"{inpt.shape[0]} != {batch_size}."
            )

    def _mix_labels(self, labels: torch.Tensor, lam: float) -> torch.Tensor:
        if labels.ndim == 1:
            labels = one_hot(labels, num_classes=self.num_classes)
        if not labels.dtype.is_floating_point:
            labels = labels.float()
        return labels.roll(1, 0).mul_(1.0 - lam).add_(labels.mul(lam))

    def _label_weight(self, params: dict[str, Any]) -> float:
        """The weight of each sample's own label."""
        raise NotImplementedError

    def _mix(self, batch: torch.Tensor, params: dict[str, Any]) -> torch.Tensor:
        raise NotImplementedError

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        if inpt is params["labels"]:
            return self._mix_labels(inpt, self._label_weight(params))
        if not (isinstance(inpt, (tv_tensors.Image, tv_tensors.Video)) or is_pure_tensor(inpt)):
            return inpt
        self._check_batch(inpt, params["batch_size"])
        output = self._mix(inpt, params)
        if isinstance(inpt, (tv_tensors.Image, tv_tensors.Video)):
            return tv_tensors.wrap(output, like=inpt)
        return output


class MixUp(_BatchMix):
    """MixUp (Zhang et al., 2018) on a batch: ``lam * x + (1 - lam) * x_previous`` for the images or videos and
    for the (one-hot) labels, with ``lam ~ Beta(alpha, alpha)`` drawn once per call.

    Shuffle the batch first: each sample is mixed with its predecessor in the batch.

    Args:
        alpha: parameter of the Beta distribution.
        num_classes: the number of classes, to one-hot index labels ``[B]``; may be None for labels ``[B, K]``.
        labels_getter: ``"default"`` (the second input, when it is a tensor) or a callable returning the labels.
    """

    def make_params(self, flat_inputs: list[Any]) -> dict[str, Any]:
        return {"lam": float(self._dist.sample(()))}

    def _label_weight(self, params: dict[str, Any]) -> float:
        return params["lam"]

    def _mix(self, batch: torch.Tensor, params: dict[str, Any]) -> torch.Tensor:
        lam = params["lam"]
        return batch.roll(1, 0).mul_(1.0 - lam).add_(batch.mul(lam))


class CutMix(_BatchMix):
    """CutMix (Yun et al., 2019) on a batch: paste a random rectangle of the previous sample into each image or
    video, and mix the (one-hot) labels by the area kept. The rectangle's area fraction is ``1 - lam`` with
    ``lam ~ Beta(alpha, alpha)``, centred on a uniform random pixel and cut at the borders.

    Shuffle the batch first: each sample takes its patch from its predecessor in the batch.

    Args:
        alpha: parameter of the Beta distribution.
        num_classes: the number of classes, to one-hot index labels ``[B]``; may be None for labels ``[B, K]``.
        labels_getter: ``"default"`` (the second input, when it is a tensor) or a callable returning the labels.
    """

    def make_params(self, flat_inputs: list[Any]) -> dict[str, Any]:
        lam = float(self._dist.sample(()))
        height, width = query_size(flat_inputs)
        center_x = torch.randint(width, size=(1,))
        center_y = torch.randint(height, size=(1,))
        half_side = 0.5 * math.sqrt(1.0 - lam)
        half_w, half_h = int(half_side * width), int(half_side * height)
        x1 = int(torch.clamp(center_x - half_w, min=0))
        y1 = int(torch.clamp(center_y - half_h, min=0))
        x2 = int(torch.clamp(center_x + half_w, max=width))
        y2 = int(torch.clamp(center_y + half_h, max=height))
        lam_adjusted = float(1.0 - (x2 - x1) * (y2 - y1) / (width * height))
        return {"box": (x1, y1, x2, y2), "lam_adjusted": lam_adjusted}

    def _label_weight(self, params: dict[str, Any]) -> float:
        return params["lam_adjusted"]

    def _mix(self, batch: torch.Tensor, params: dict[str, Any]) -> torch.Tensor:
        x1, y1, x2, y2 = params["box"]
        output = batch.clone()
        # Only the patch is rolled over the batch: the same values as rolling the whole batch, one copy fewer.
        output[..., y1:y2, x1:x2] = batch[..., y1:y2, x1:x2].roll(1, 0)
        return output


class JPEG(Transform):
    """Compress images and videos to JPEG and decode them again, at a quality drawn per call.

    Args:
        quality: from 1 to 100 (lower compresses more), or ``(min, max)`` to draw it from (both included).

    Raises:
        TypeError: for a bool, or something else than an int or a sequence.
        ValueError: for a sequence that is not of length 2, or qualities that are not increasing ints in [1, 100].
    """

    def __init__(self, quality: int | Sequence[int]) -> None:
        super().__init__()
        if isinstance(quality, int):
            if isinstance(quality, bool):
                raise TypeError("quality can't be bool")
            quality = [quality, quality]
        else:
            _check_sequence_input(quality, "quality", req_sizes=(2,))
        if not (1 <= quality[0] <= quality[1] <= 100 and isinstance(quality[0], int) and isinstance(quality[1], int)):
            raise ValueError(f"quality must be an integer from 1 to 100, got {quality =}")
        self.quality = quality

    def make_params(self, flat_inputs: list[Any]) -> dict[str, Any]:
        return {"quality": torch.randint(self.quality[0], self.quality[1] + 1, ()).item()}

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(F.jpeg, inpt, quality=params["quality"])
