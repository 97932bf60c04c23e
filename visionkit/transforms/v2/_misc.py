"""v2 transforms that are neither geometric nor photometric: identity and user functions, normalization, whitening,
blur and noise, dtype conversion, and the removal of degenerate boxes and stray keypoints (with their labels)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import PIL.Image
import torch
from torch.utils._pytree import tree_flatten, tree_unflatten

from ... import tv_tensors
from .. import _color_transforms as _v1_color
from . import functional as F
from ._transform import Transform
from ._utils import _parse_labels_getter, _setup_number_or_seq, get_bounding_boxes, get_keypoints, has_any
from .functional._misc import _valid_boxes, _valid_keypoints
from .functional._utils import is_pure_tensor

__all__ = [
    "ConvertImageDtype",
    "GaussianBlur",
    "GaussianNoise",
    "Identity",
    "Lambda",
    "LinearTransformation",
    "Normalize",
    "SanitizeBoundingBoxes",
    "SanitizeKeyPoints",
    "ToDtype",
]


def _is_image_or_video(inpt: Any) -> bool:
    return is_pure_tensor(inpt) or isinstance(inpt, (tv_tensors.Image, tv_tensors.Video))


class _NoPIL(Transform):
    """A transform that refuses PIL images (it computes in floats on tensors)."""

    def check_inputs(self, flat_inputs: list[Any]) -> None:
        if has_any(flat_inputs, PIL.Image.Image):
            raise TypeError(f"{type(self).__name__}() does not support PIL images.")


class Identity(Transform):
    """Return every input as it is."""

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return inpt


class Lambda(Transform):
    """Apply a function to every input of the given types (to every input when no type is given).

    Args:
        lambd: the function, called on one input at a time.
        *types: the types it applies to; the other inputs pass through.
    """

    _transformed_types = (object,)

    def __init__(self, lambd: Callable[[Any], Any], *types: type) -> None:
        super().__init__()
        self.lambd = lambd
        self.types = types or self._transformed_types

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self.lambd(inpt) if isinstance(inpt, self.types) else inpt

    def extra_repr(self) -> str:
        name = getattr(self.lambd, "__name__", None)
        types = f"types={[t.__name__ for t in self.types]}"
        return f"{name}, {types}" if name else types


class LinearTransformation(_NoPIL):
    """Flatten each image or video frame, subtract ``mean_vector`` and multiply by ``transformation_matrix`` (e.g. a
    whitening computed offline), then reshape back.

    Args:
        transformation_matrix (Tensor[D, D]): with ``D = C * H * W``.
        mean_vector (Tensor[D]): subtracted first.

    Raises:
        ValueError: for a matrix that is not square, a mean vector of another length, or the two on different
            devices or of different dtypes.
    """

    _transformed_types = (is_pure_tensor, tv_tensors.Image, tv_tensors.Video)

    def __init__(self, transformation_matrix: torch.Tensor, mean_vector: torch.Tensor) -> None:
        super().__init__()
        shape = tuple(transformation_matrix.size())
        if transformation_matrix.size(0) != transformation_matrix.size(1):
            raise ValueError(f"transformation_matrix should be square. Got {shape} rectangular matrix.")
        if mean_vector.size(0) != transformation_matrix.size(0):
            raise ValueError(
                f"mean_vector should have the same length {mean_vector.size(0)} as any one of the dimensions of "
                f"the transformation_matrix [{shape}]"
            )
        if transformation_matrix.device != mean_vector.device:
            raise ValueError(
                f"Input tensors should be on the same device. Got {transformation_matrix.device} and "
                f"{mean_vector.device}"
            )
        if transformation_matrix.dtype != mean_vector.dtype:
            raise ValueError(
                f"Input tensors should have the same dtype. Got {transformation_matrix.dtype} and {mean_vector.dtype}"
            )
        self.transformation_matrix = transformation_matrix
        self.mean_vector = mean_vector

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        shape = inpt.shape
        n = math.prod(shape[-3:])
        if n != self.transformation_matrix.shape[0]:
            raise ValueError(
                "Input tensor and transformation matrix have incompatible shape."
                f"[{shape[-3]} x {shape[-2]} x {shape[-1]}] != {self.transformation_matrix.shape[0]}"
            )
        if inpt.device.type != self.mean_vector.device.type:
            raise ValueError(
                "Input tensor should be on the same device as transformation matrix and mean vector. "
                f"Got {inpt.device} vs {self.mean_vector.device}"
            )
        centred = inpt.reshape(-1, n) - self.mean_vector
        output = torch.mm(centred, self.transformation_matrix.to(centred.dtype)).reshape(shape)
        if isinstance(inpt, (tv_tensors.Image, tv_tensors.Video)):
            return tv_tensors.wrap(output, like=inpt)
        return output


class Normalize(_NoPIL):
    """Normalize each channel of float images and videos: ``(x - mean[c]) / std[c]``.

    Args:
        mean: one mean per channel.
        std: one standard deviation per channel.
        inplace: overwrite the input.
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> None:
        super().__init__()
        self.mean = list(mean)
        self.std = list(std)
        self.inplace = inplace

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(F.normalize, inpt, mean=self.mean, std=self.std, inplace=self.inplace)


def _blur_kernel_size(kernel_size: int | Sequence[int]) -> tuple[int, int] | Sequence[int]:
    """``(k, k)`` for a number or a 1-sequence, a 2-sequence as given; each size odd and positive."""
    if isinstance(kernel_size, (int, float)):
        sizes: Sequence[int] = (int(kernel_size), int(kernel_size))
    elif isinstance(kernel_size, Sequence) and len(kernel_size) == 1:
        sizes = (kernel_size[0], kernel_size[0])
    elif len(kernel_size) != 2:
        raise ValueError("Kernel size should be a tuple/list of two integers")
    else:
        sizes = kernel_size
    if any(k <= 0 or k % 2 == 0 for k in sizes):
        raise ValueError("Kernel size value should be an odd and positive number.")
    return sizes


class GaussianBlur(Transform):
    """Blur images and videos with a Gaussian kernel of random standard deviation (reflected borders).

    Args:
        kernel_size: odd positive size, or ``(kx, ky)``.
        sigma: ``(min, max)`` of the standard deviation drawn uniformly per call, or one fixed value.

    Raises:
        ValueError: for a kernel size that is not one or two odd positive ints, or sigmas that are not positive
            and increasing.
    """

    _v1_transform_cls = _v1_color.GaussianBlur

    def __init__(self, kernel_size: int | Sequence[int], sigma: int | float | Sequence[float] = (0.1, 2.0)) -> None:
        super().__init__()
        self.kernel_size = _blur_kernel_size(kernel_size)
        self.sigma = _setup_number_or_seq(sigma, "sigma")
        if not 0.0 < self.sigma[0] <= self.sigma[1]:
            raise ValueError(f"sigma values should be positive and of the form (min, max). Got {self.sigma}")

    def make_params(self, flat_inputs: list[Any]) -> dict[str, Any]:
        sigma = torch.empty(1).uniform_(self.sigma[0], self.sigma[1]).item()
        return {"sigma": [sigma, sigma]}

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(F.gaussian_blur, inpt, self.kernel_size, **params)


class GaussianNoise(Transform):
    """Add Gaussian noise to float images and videos in [0, 1] or uint8 ones (on the same [0, 1] scale), each
    image or frame with its own noise.

    Args:
        mean: mean of the noise.
        sigma: standard deviation of the noise.
        clip: clip the result to the dtype's range (without it, uint8 values may wrap around).
    """

    def __init__(self, mean: float = 0.0, sigma: float = 0.1, clip: bool = True) -> None:
        super().__init__()
        self.mean = mean
        self.sigma = sigma
        self.clip = clip

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(F.gaussian_noise, inpt, mean=self.mean, sigma=self.sigma, clip=self.clip)


DtypeArg = torch.dtype | dict[type | str, torch.dtype | None]


class ToDtype(Transform):
    """Convert inputs to a dtype, rescaling the values of images and videos with ``scale``.

    Args:
        dtype: one dtype for images and videos (everything else passes through), or a dtype per type, e.g.
            ``{tv_tensors.Image: torch.float32, tv_tensors.Mask: torch.int64, "others": None}``: ``"others"``
            covers the remaining types and ``None`` leaves a type as it is.
        scale: rescale image and video values between the dtypes' ranges (floats in [0, 1]).

    Raises:
        ValueError: if ``dtype`` is neither a dtype nor a dict, or (when called) a dict has no entry for an
            input's type and no ``"others"``.
    """

    _transformed_types = (torch.Tensor,)

    def __init__(self, dtype: DtypeArg, scale: bool = False) -> None:
        super().__init__()
        if not isinstance(dtype, (dict, torch.dtype)):
            raise ValueError(f"dtype must be a dict or a torch.dtype, got {type(dtype)} instead")
        if (
            isinstance(dtype, dict)
            and torch.Tensor in dtype
            and any(cls in dtype for cls in (tv_tensors.Image, tv_tensors.Video))
        ):
            warnings.warn(
                "Got `dtype` values for `torch.Tensor` and either `tv_tensors.Image` or `tv_tensors.Video`. "
                "Note that a plain `torch.Tensor` will *not* be transformed by this (or any other transformation) "
                "in case a `tv_tensors.Image` or `tv_tensors.Video` is present in the input.",
                stacklevel=2,
            )
        self.dtype = dtype
        self.scale = scale

    def _dtype_for(self, inpt: Any) -> torch.dtype | None:
        if isinstance(self.dtype, torch.dtype):
            # As ConvertImageDtype: a single dtype only concerns images and videos.
            return self.dtype if _is_image_or_video(inpt) else None
        if type(inpt) in self.dtype:
            return self.dtype[type(inpt)]
        if "others" in self.dtype:
            return self.dtype["others"]
        raise ValueError(
            f"No dtype was specified for type {type(inpt)}. "
            "If you only need to convert the dtype of images or videos, you can just pass e.g. dtype=torch.float32. "
            "If you're passing a dict as dtype, "
            'you can use "others" as a catch-all key '
            'e.g. dtype={tv_tensors.Mask: torch.int64, "others": None} to pass-through the rest of the inputs.'
        )

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        dtype = self._dtype_for(inpt)
        if dtype is None:
            if self.scale and _is_image_or_video(inpt) and not isinstance(self.dtype, torch.dtype):
                warnings.warn(
                    "scale was set to True but no dtype was specified for images or videos: no scaling will be done.",
                    stacklevel=2,
                )
            return inpt
        return self._call_kernel(F.to_dtype, inpt, dtype=dtype, scale=self.scale)


class ConvertImageDtype(Transform):
    """Deprecated: use ``ToDtype(dtype, scale=True)``. Convert images and videos to ``dtype``, rescaling values.

    Args:
        dtype: the dtype to convert to.
    """

    def __init__(self, dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        self.dtype = dtype

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(F.to_dtype, inpt, dtype=self.dtype, scale=True)


class _Sanitize(Transform):
    """Drop the entries of the sample's boxes or keypoints that fail a check, and the same rows of the labels
    (whatever ``labels_getter`` finds: one tensor or a sequence of them)."""

    _subject = ""

    def __init__(self, labels_getter: Callable[[Any], Any] | str | None) -> None:
        super().__init__()
        self.labels_getter = labels_getter
        self._labels_getter = _parse_labels_getter(labels_getter)

    def _subject_of(self, flat_inputs: list[Any]) -> torch.Tensor:
        raise NotImplementedError

    def _valid(self, subject: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _labels(self, inputs: Any) -> tuple[torch.Tensor, ...] | None:
        labels = self._labels_getter(inputs)
        if labels is None:
            return None
        message = "The labels in the input to forward() must be a tensor or None, got {type} instead."
        if isinstance(labels, torch.Tensor):
            return (labels,)
        if not isinstance(labels, (tuple, list)):
            raise ValueError(message.format(type=type(labels)))
        for entry in labels:
            if not isinstance(entry, torch.Tensor):
                raise ValueError(message.format(type=type(entry)))
        return tuple(labels)

    def forward(self, *inputs: Any) -> Any:
        inputs = inputs if len(inputs) > 1 else inputs[0]
        labels = self._labels(inputs)
        flat_inputs, spec = tree_flatten(inputs)
        subject = self._subject_of(flat_inputs)
        for label in labels or ():
            if subject.shape[0] != label.shape[0]:
                raise ValueError(
                    f"Number of {self._subject} (shape={subject.shape}) must match the number of labels. "
                    f"Found labels with shape={label.shape})."
                )
        params = {"valid": self._valid(subject), "labels": labels}
        return tree_unflatten([self.transform(inpt, params) for inpt in flat_inputs], spec)

    def _is_label(self, inpt: Any, params: dict[str, Any]) -> bool:
        return params["labels"] is not None and any(inpt is label for label in params["labels"])


class SanitizeBoundingBoxes(_Sanitize):
    """Remove boxes smaller than ``min_size`` (either side) or ``min_area``, or reaching outside the canvas, with
    their labels and per-instance masks (``Mask[N, H, W]``; other masks pass through).

    Call :class:`ClampBoundingBoxes` first to keep boxes that only stick out, and call this one at the end of a
    pipeline (after :class:`RandomIoUCrop` at the latest).

    Args:
        min_size: the shortest side kept, at least 1.
        min_area: the smallest area kept, at least 1.
        labels_getter: ``"default"`` (the ``labels`` key of a dict sample, or of the dict second in a tuple), a
            callable returning the labels (a tensor or a sequence of tensors) from the sample, or None.

    Raises:
        ValueError: for ``min_size`` or ``min_area`` below 1, an unknown ``labels_getter``, and (when called)
            labels that are not tensors or have another length than the boxes.
    """

    _subject = "boxes"

    def __init__(
        self,
        min_size: float = 1.0,
        min_area: float = 1.0,
        labels_getter: Callable[[Any], Any] | str | None = "default",
    ) -> None:
        if min_size < 1:
            raise ValueError(f"min_size must be >= 1, got {min_size}.")
        if min_area < 1:
            raise ValueError(f"min_area must be >= 1, got {min_area}.")
        super().__init__(labels_getter)
        self.min_size = min_size
        self.min_area = min_area

    def _subject_of(self, flat_inputs: list[Any]) -> torch.Tensor:
        return get_bounding_boxes(flat_inputs)

    def _valid(self, subject: torch.Tensor) -> torch.Tensor:
        return _valid_boxes(subject, subject.format, subject.canvas_size, self.min_size, self.min_area)

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        is_label = self._is_label(inpt, params)
        if not (is_label or isinstance(inpt, (tv_tensors.BoundingBoxes, tv_tensors.Mask))):
            return inpt
        try:
            output = inpt[params["valid"]]
        except IndexError:
            # A semantic mask (or any input whose first dimension is not the boxes') is not filtered.
            return inpt
        return output if is_label else tv_tensors.wrap(output, like=inpt)


class SanitizeKeyPoints(_Sanitize):
    """Remove keypoints outside the canvas, with their labels; for groups of points (``KeyPoints[N, ..., 2]``),
    the whole groups that have a point outside.

    Use :class:`ClampKeyPoints` instead to move such points onto the border.

    Args:
        labels_getter: None (only the keypoints), ``"default"`` (the ``labels`` key of a dict sample, or of the
            dict second in a tuple), or a callable returning the labels (a tensor or a sequence of tensors).

    Raises:
        ValueError: for an unknown ``labels_getter``, and (when called) labels that are not tensors or have
            another length than the keypoints.
    """

    _subject = "keypoints"

    def __init__(self, labels_getter: Callable[[Any], Any] | str | None = None) -> None:
        super().__init__(labels_getter)

    def _subject_of(self, flat_inputs: list[Any]) -> torch.Tensor:
        return get_keypoints(flat_inputs)

    def _valid(self, subject: torch.Tensor) -> torch.Tensor:
        return _valid_keypoints(subject, subject.canvas_size)

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        is_label = self._is_label(inpt, params)
        if not (is_label or isinstance(inpt, tv_tensors.KeyPoints)):
            return inpt
        output = inpt[params["valid"]]
        return output if is_label else tv_tensors.wrap(output, like=inpt)
