"""What v2 transforms ask of a flattened sample: its image size, its boxes, whether it holds a type; and the
argument parsing they share."""

from __future__ import annotations

import collections.abc
import numbers
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import Any

import PIL.Image
import torch

from ... import tv_tensors
from .functional._meta import get_dimensions, get_size
from .functional._utils import is_pure_tensor

__all__ = ["check_type", "get_bounding_boxes", "get_keypoints", "has_all", "has_any", "query_chw", "query_size"]

Fill = int | float | Sequence[int] | Sequence[float] | None


def check_type(obj: Any, types_or_checks: tuple[type | Callable[[Any], bool], ...]) -> bool:
    """Whether ``obj`` is an instance of one of the types, or passes one of the checks."""
    return any(isinstance(obj, check) if isinstance(check, type) else check(obj) for check in types_or_checks)


def has_any(flat_inputs: list[Any], *types_or_checks: type | Callable[[Any], bool]) -> bool:
    """Whether some input is of one of the types (or passes one of the checks)."""
    return any(check_type(inpt, types_or_checks) for inpt in flat_inputs)


def has_all(flat_inputs: list[Any], *types_or_checks: type | Callable[[Any], bool]) -> bool:
    """Whether every type (or check) matches some input."""
    return all(any(check_type(inpt, (check,)) for inpt in flat_inputs) for check in types_or_checks)


def _sequence_to_str(values: Sequence[Any]) -> str:
    if len(values) == 1:
        return f"'{values[0]}'"
    head = "', '".join(str(v) for v in values[:-1])
    return f"'{head}', and '{values[-1]}'"


def get_bounding_boxes(flat_inputs: list[Any]) -> tv_tensors.BoundingBoxes:
    """The sample's (first) ``BoundingBoxes``.

    Raises:
        ValueError: if there are none.
    """
    try:
        return next(inpt for inpt in flat_inputs if isinstance(inpt, tv_tensors.BoundingBoxes))
    except StopIteration:
        raise ValueError("No bounding boxes were found in the sample") from None


def get_keypoints(flat_inputs: list[Any]) -> tv_tensors.KeyPoints:
    """The sample's (first) ``KeyPoints``.

    Raises:
        ValueError: if there are none.
    """
    try:
        return next(inpt for inpt in flat_inputs if isinstance(inpt, tv_tensors.KeyPoints))
    except StopIteration:
        raise ValueError("No keypoints were found in the sample") from None


def query_chw(flat_inputs: list[Any]) -> tuple[int, int, int]:
    """Channels, height and width of the sample's images and videos (plain tensors count as images).

    Raises:
        TypeError: if there is no image or video.
        ValueError: if they do not all have the same dimensions.
    """
    chws = {
        tuple(get_dimensions(inpt))
        for inpt in flat_inputs
        if check_type(inpt, (is_pure_tensor, tv_tensors.Image, PIL.Image.Image, tv_tensors.Video))
    }
    if not chws:
        raise TypeError("No image or video was found in the sample")
    if len(chws) > 1:
        raise ValueError(f"Found multiple CxHxW dimensions in the sample: {_sequence_to_str(sorted(chws))}")
    c, h, w = chws.pop()
    return c, h, w


def query_size(flat_inputs: list[Any]) -> tuple[int, int]:
    """Height and width shared by the sample's images, videos, masks, boxes and keypoints.

    Raises:
        TypeError: if the sample holds none of them.
        ValueError: if they do not all have the same size.
    """
    sized = (
        is_pure_tensor,
        tv_tensors.Image,
        PIL.Image.Image,
        tv_tensors.Video,
        tv_tensors.Mask,
        tv_tensors.BoundingBoxes,
        tv_tensors.KeyPoints,
    )
    sizes = {tuple(get_size(inpt)) for inpt in flat_inputs if check_type(inpt, sized)}
    if not sizes:
        raise TypeError("No image, video, mask, bounding box of keypoint was found in the sample")
    if len(sizes) > 1:
        raise ValueError(f"Found multiple HxW dimensions in the sample: {_sequence_to_str(sorted(sizes))}")
    h, w = sizes.pop()
    return h, w


# ---- argument parsing shared by the transforms


def _setup_number_or_seq(arg: int | float | Sequence[int | float], name: str) -> list[float]:
    """A number ``x`` as ``[x, x]``, a 1- or 2-sequence as two floats."""
    if not isinstance(arg, (int, float, Sequence)):
        raise TypeError(f"{name} should be a number or a sequence of numbers. Got {type(arg)}")
    if isinstance(arg, Sequence) and len(arg) not in (1, 2):
        raise ValueError(f"If {name} is a sequence its length should be 1 or 2. Got {len(arg)}")
    if isinstance(arg, Sequence):
        if not all(isinstance(v, (int, float)) for v in arg):
            raise ValueError(f"{name} should be a sequence of numbers. Got {type(arg[0])}")
        return [float(arg[0]), float(arg[-1])]
    return [float(arg), float(arg)]


def _check_fill_arg(fill: Any) -> None:
    if isinstance(fill, dict):
        for value in fill.values():
            _check_fill_arg(value)
    elif fill is not None and not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate fill arg, only Numbers, tuples, lists and dicts are allowed.")


def _convert_fill_arg(fill: Fill) -> int | float | list[float] | None:
    # None is not 0: kernels treat "no fill" differently (https://github.com/pytorch/vision/issues/6517).
    if fill is None or isinstance(fill, (int, float)):
        return fill
    return [float(v) for v in fill]


def _setup_fill_arg(fill: Fill | dict[type | str, Fill]) -> dict[type | str, Any]:
    """The fill per input type: a dict as given (values converted), else ``{"others": fill}``."""
    _check_fill_arg(fill)
    if isinstance(fill, dict):
        for key, value in fill.items():
            fill[key] = _convert_fill_arg(value)
        return fill
    return {"others": _convert_fill_arg(fill)}


def _get_fill(fill_dict: dict[type | str, Any], inpt_type: type) -> Any:
    if inpt_type in fill_dict:
        return fill_dict[inpt_type]
    return fill_dict.get("others")


def _check_padding_arg(padding: int | Sequence[int]) -> None:
    message = f"Padding must be an int or a 1, 2, or 4 element of tuple or list, got {padding}."
    if isinstance(padding, (tuple, list)):
        if len(padding) not in (1, 2, 4) or not all(isinstance(p, int) for p in padding):
            raise ValueError(message)
    elif not isinstance(padding, int):
        raise ValueError(message)


def _check_padding_mode_arg(padding_mode: str) -> None:
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")


def _find_labels_default_heuristic(inputs: Any) -> torch.Tensor:
    """The labels of a sample: the second item of a pair when it is a plain tensor (a batch for MixUp or CutMix),
    else the value of the ``labels`` key (any case), else of the first key that contains ``label``, in the dict that
    is the sample or its second item."""
    if isinstance(inputs, (tuple, list)):
        inputs = inputs[1]
    if is_pure_tensor(inputs):
        return inputs
    if not isinstance(inputs, collections.abc.Mapping):
        raise ValueError(
            "When using the default labels_getter, the input passed to forward must be a dictionary or a two-tuple "
            f"whose second item is a dictionary or a tensor, but got {inputs} instead."
        )
    key = None
    with suppress(StopIteration):
        key = next(k for k in inputs if k.lower() == "labels")
    if key is None:
        with suppress(StopIteration):
            key = next(k for k in inputs if "label" in k.lower())
    if key is None:
        raise ValueError(
            "Could not infer where the labels are in the sample. Try passing a callable as the labels_getter "
            "parameter? If there are no labels in the sample by design, pass labels_getter=None."
        )
    return inputs[key]


def _parse_labels_getter(labels_getter: str | Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    if labels_getter == "default":
        return _find_labels_default_heuristic
    if callable(labels_getter):
        return labels_getter
    if labels_getter is None:
        return lambda _: None
    raise ValueError(f"labels_getter should either be 'default', a callable, or None, but got {labels_getter}.")
