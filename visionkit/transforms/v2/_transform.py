"""The base of every v2 transform: it flattens whatever structure it is given (tuples, lists, dicts, nested), picks
what to transform, draws the parameters once for all of it, and hands each piece to the dispatchers.
"""

from __future__ import annotations

import enum
import warnings
from collections.abc import Callable
from typing import Any, ClassVar

import PIL.Image
import torch
from torch import nn
from torch.utils._pytree import tree_flatten, tree_unflatten

from ... import tv_tensors
from ._utils import check_type, has_any, is_pure_tensor
from .functional._utils import _get_kernel

__all__ = ["Transform"]


class Transform(nn.Module):
    """Base class to write your own v2 transforms: override :meth:`make_params` (draw the parameters from the
    flattened inputs that will be transformed) and :meth:`transform` (apply them to one input); never ``forward``.

    ``_transformed_types`` lists the types (or checks) this transform acts on; everything else passes through. Of
    plain tensors, only the first one is transformed, and only when the sample holds no ``Image``, ``Video`` or PIL
    image: a sample's other plain tensors (labels, ids) are data, not images.
    """

    _transformed_types: ClassVar[tuple[type | Callable[[Any], bool], ...]] = (torch.Tensor, PIL.Image.Image)
    #: The v1 transform this one mirrors: its static ``get_params`` is available here too.
    _v1_transform_cls: ClassVar[type[nn.Module] | None] = None
    #: Warn when boxes, keypoints or masks pass through untouched (transforms that will handle them one day).
    _warns_on_annotation_passthrough: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        v1 = cls.__dict__.get("_v1_transform_cls")
        if v1 is not None and hasattr(v1, "get_params"):
            cls.get_params = staticmethod(v1.get_params)  # type: ignore[attr-defined]

    def check_inputs(self, flat_inputs: list[Any]) -> None:
        """Refuse a sample this transform cannot handle (before any parameter is drawn)."""

    def make_params(self, flat_inputs: list[Any]) -> dict[str, Any]:
        """The parameters of one call, drawn from the inputs that will be transformed."""
        return {}

    def _call_kernel(self, functional: Callable[..., Any], inpt: Any, *args: Any, **kwargs: Any) -> Any:
        if self._warns_on_annotation_passthrough and isinstance(
            inpt, (tv_tensors.BoundingBoxes, tv_tensors.KeyPoints, tv_tensors.Mask)
        ):
            warnings.warn(
                f"{type(self).__name__}() is currently passing through inputs of type "
                f"tv_tensors.{type(inpt).__name__}. This will likely change in the future.",
                stacklevel=2,
            )
        return _get_kernel(functional, type(inpt), allow_passthrough=True)(inpt, *args, **kwargs)

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        """Apply the parameters of :meth:`make_params` to one input."""
        raise NotImplementedError

    def forward(self, *inputs: Any) -> Any:
        flat_inputs, spec = tree_flatten(inputs if len(inputs) > 1 else inputs[0])
        self.check_inputs(flat_inputs)
        return self._transform_flat(flat_inputs, spec)

    def _transform_flat(self, flat_inputs: list[Any], spec: Any) -> Any:
        needs = self._needs_transform_list(flat_inputs)
        params = self.make_params([inpt for inpt, need in zip(flat_inputs, needs, strict=True) if need])
        flat_outputs = [
            self.transform(inpt, params) if need else inpt for inpt, need in zip(flat_inputs, needs, strict=True)
        ]
        return tree_unflatten(flat_outputs, spec)

    def _needs_transform_list(self, flat_inputs: list[Any]) -> list[bool]:
        # Plain tensors: the first one is the image only when nothing else in the sample is (depth-first order).
        transform_pure_tensor = not has_any(flat_inputs, tv_tensors.Image, tv_tensors.Video, PIL.Image.Image)
        needs = []
        for inpt in flat_inputs:
            need = check_type(inpt, self._transformed_types)
            if need and is_pure_tensor(inpt):
                need, transform_pure_tensor = transform_pure_tensor, False
            needs.append(need)
        return needs

    def extra_repr(self) -> str:
        shown = (bool, int, float, str, tuple, list, enum.Enum)
        return ", ".join(
            f"{name}={value}"
            for name, value in self.__dict__.items()
            if not name.startswith("_") and name != "training" and isinstance(value, shown)
        )


class _RandomApplyTransform(Transform):
    """A transform applied with probability ``p`` (one ``torch.rand(1)`` draw per call, after the input checks)."""

    def __init__(self, p: float = 0.5) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError("`p` should be a floating point value in the interval [0.0, 1.0].")
        super().__init__()
        self.p = p

    def forward(self, *inputs: Any) -> Any:
        inputs = inputs if len(inputs) > 1 else inputs[0]
        flat_inputs, spec = tree_flatten(inputs)
        self.check_inputs(flat_inputs)
        if torch.rand(1) >= self.p:
            return inputs
        return self._transform_flat(flat_inputs, spec)
