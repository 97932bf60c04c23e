"""The transform base class and the containers that chain or pick transforms.

Every transform splits a call in two: :meth:`Transform.make_params` samples (or computes) the parameters, and
:meth:`Transform.apply_params` applies them through the functionals. The parameters of the last call are kept in
``last_params``, so a UI can show them, replay them on another image and map boxes with them.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import Tensor, nn

from ._image import ImageLike
from ._validation import check_probability, is_number

__all__ = ["Compose", "Lambda", "RandomApply", "RandomChoice", "RandomOrder", "Transform"]

Params = dict[str, Any]


class Transform(nn.Module):
    """Base class: ``forward(img)`` is ``apply_params(img, make_params(img))``, remembering the parameters.

    Attributes:
        last_params (dict[str, Any] | None): parameters of the last call, ``None`` before the first one.
    """

    last_params: Params | None

    def __init__(self) -> None:
        super().__init__()
        self.last_params = None

    def forward(self, img: ImageLike) -> Any:
        params = self.make_params(img)
        self.last_params = params
        return self.apply_params(img, params)

    def make_params(self, img: ImageLike) -> Params:
        """The parameters for one call on ``img``; random transforms sample them here, and only here."""
        return {}

    def apply_params(self, img: ImageLike, params: Params) -> Any:
        """Apply the transform with given parameters (e.g. ``last_params``); draws no random numbers."""
        raise NotImplementedError

    def map_boxes(self, boxes: Tensor, params: Params | None = None) -> Tensor:
        """Move boxes the way a call with ``params`` (by default ``last_params``) moved the image's pixels.

        Transforms that do not move pixels (color, dtype, normalization, erasing) return the boxes unchanged.

        Args:
            boxes (Tensor[N, 4]): ``(x1, y1, x2, y2)`` boxes in pixel coordinates of the input image.
            params: parameters of a call; ``last_params`` by default.

        Returns:
            Tensor[N, 4]: the boxes on the output image, clipped to it.
        """
        if params is None:
            params = self.last_params
        if params is None:
            raise RuntimeError(f"{type(self).__name__} has no parameters yet: call it on an image first")
        return self._map_boxes(boxes, params)

    def _map_boxes(self, boxes: Tensor, params: Params) -> Tensor:
        return boxes


def _run(transform: Callable[[Any], Any], img: Any) -> tuple[Any, Params | None]:
    """Call a transform and return its output and the parameters it used (``None`` for plain callables)."""
    out = transform(img)
    return out, transform.last_params if isinstance(transform, Transform) else None


def _replay(transform: Callable[[Any], Any], img: Any, params: Params | None) -> Any:
    return transform.apply_params(img, params) if isinstance(transform, Transform) else transform(img)


def _replay_boxes(transform: Callable[[Any], Any], boxes: Tensor, params: Params | None) -> Tensor:
    if isinstance(transform, Transform):
        return transform.map_boxes(boxes, params)
    raise NotImplementedError(f"cannot map boxes through {transform!r}: it is not a visionkit Transform")


def _check_transforms(transforms: Any, cls: str) -> list[Callable[[Any], Any]]:
    if not isinstance(transforms, Sequence) or isinstance(transforms, str):
        raise TypeError(f"{cls}: transforms should be a sequence of callables, got {transforms!r}")
    for t in transforms:
        if not callable(t):
            raise TypeError(f"{cls}: transforms should be a sequence of callables, got the item {t!r}")
    return list(transforms)


def _format_list(name: str, transforms: Sequence[Any], extra: str = "") -> str:
    lines = [f"{name}("] + ([f"    {extra}"] if extra else []) + [f"    {t}" for t in transforms] + [")"]
    return "\n".join(lines)


class _Chain(Transform):
    """Runs ``transforms`` in an order decided per call; ``params["transforms"]`` holds each one's parameters."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        super().__init__()
        self.transforms = _check_transforms(transforms, type(self).__name__)

    def _order(self, params: Params) -> list[int]:
        return list(range(len(self.transforms)))

    def forward(self, img: ImageLike) -> Any:
        params = self.make_params(img)
        children: list[Params | None] = [None] * len(self.transforms)
        for i in self._order(params):
            img, children[i] = _run(self.transforms[i], img)
        self.last_params = {**params, "transforms": children}
        return img

    def apply_params(self, img: ImageLike, params: Params) -> Any:
        for i in self._order(params):
            img = _replay(self.transforms[i], img, params["transforms"][i])
        return img

    def _map_boxes(self, boxes: Tensor, params: Params) -> Tensor:
        for i in self._order(params):
            boxes = _replay_boxes(self.transforms[i], boxes, params["transforms"][i])
        return boxes

    def __repr__(self) -> str:
        return _format_list(type(self).__name__, self.transforms)


class Compose(_Chain):
    """Chain transforms: ``Compose([t1, t2])(img) == t2(t1(img))``.

    Args:
        transforms: transforms (or any callables) to apply in order.
    """


class RandomOrder(_Chain):
    """Apply all transforms in a random order, shuffled with Python's ``random`` (as torchvision does).

    Args:
        transforms: the transforms to shuffle.
    """

    def make_params(self, img: ImageLike) -> Params:
        order = list(range(len(self.transforms)))
        random.shuffle(order)
        return {"order": order}

    def _order(self, params: Params) -> list[int]:
        return params["order"]


class RandomApply(_Chain):
    """Apply the transforms in order with probability ``p``, or none of them.

    Args:
        transforms: transforms applied together.
        p: probability of applying them.
    """

    def __init__(self, transforms: Sequence[Callable[[Any], Any]], p: float = 0.5) -> None:
        super().__init__(transforms)
        self.p = check_probability(p)

    def make_params(self, img: ImageLike) -> Params:
        return {"apply": bool(self.p >= torch.rand(1))}

    def _order(self, params: Params) -> list[int]:
        return list(range(len(self.transforms))) if params["apply"] else []

    def __repr__(self) -> str:
        return _format_list(type(self).__name__, self.transforms, f"p={self.p}")


class RandomChoice(Transform):
    """Apply one transform picked with Python's ``random.choices`` (weights ``p``, uniform by default).

    Args:
        transforms: the candidates.
        p: one weight per transform (need not sum to 1).
    """

    def __init__(self, transforms: Sequence[Callable[[Any], Any]], p: Sequence[float] | None = None) -> None:
        super().__init__()
        self.transforms = _check_transforms(transforms, "RandomChoice")
        if p is not None:
            if not isinstance(p, Sequence) or not all(is_number(w) for w in p):
                raise TypeError(f"p should be a sequence of weights, got {p!r}")
            if len(p) != len(self.transforms):
                raise ValueError(f"p should hold one weight per transform ({len(self.transforms)}), got {p!r}")
        self.p = p

    def forward(self, img: ImageLike) -> Any:
        index = random.choices(range(len(self.transforms)), weights=self.p)[0]
        img, child = _run(self.transforms[index], img)
        self.last_params = {"index": index, "params": child}
        return img

    def apply_params(self, img: ImageLike, params: Params) -> Any:
        return _replay(self.transforms[params["index"]], img, params["params"])

    def _map_boxes(self, boxes: Tensor, params: Params) -> Tensor:
        return _replay_boxes(self.transforms[params["index"]], boxes, params["params"])

    def __repr__(self) -> str:
        return f"{_format_list('RandomChoice', self.transforms)}(p={self.p})"


class Lambda(Transform):
    """Wrap a function as a transform (boxes cannot be mapped through it).

    Args:
        lambd: the function, called on the image.
    """

    def __init__(self, lambd: Callable[[Any], Any]) -> None:
        super().__init__()
        if not callable(lambd):
            raise TypeError(f"lambd should be callable, got {type(lambd).__name__}")
        self.lambd = lambd

    def apply_params(self, img: Any, params: Params) -> Any:
        return self.lambd(img)

    def _map_boxes(self, boxes: Tensor, params: Params) -> Tensor:
        raise NotImplementedError("Lambda cannot map boxes: the function's geometry is unknown")
