"""v2 containers: run transforms in sequence, with a probability, one picked at random, or in a random order.

A container hands each transform the whole sample (tuple, dict, nested) and passes its output on unchanged, so
several inputs stay several inputs from one transform to the next.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn

from ._transform import Transform

__all__ = ["Compose", "RandomApply", "RandomChoice", "RandomOrder"]


def _check_transforms(transforms: Any, allowed: tuple[type, ...] = (Sequence,)) -> None:
    if not isinstance(transforms, allowed):
        accepted = "a sequence of callables" + (" or a `nn.ModuleList`" if nn.ModuleList in allowed else "")
        raise TypeError(f"Argument transforms should be {accepted}")
    if not transforms:
        raise ValueError("Pass at least one transform")


def _run_in_order(transforms: Sequence[Callable[..., Any]], inputs: tuple[Any, ...]) -> Any:
    """Feed ``inputs`` through ``transforms``; several inputs are unpacked into each call, a single one is not."""
    several = len(inputs) > 1
    outputs: Any = inputs if several else inputs[0]
    for transform in transforms:
        outputs = transform(*outputs) if several else transform(outputs)
    return outputs


def _list_repr(transforms: Sequence[Callable[..., Any]]) -> str:
    return "\n".join(f"    {t}" for t in transforms)


class Compose(Transform):
    """Apply ``transforms`` one after the other.

    Args:
        transforms: the transforms (any callables taking and returning the sample), at least one.

    Raises:
        TypeError: if ``transforms`` is not a sequence.
        ValueError: if it is empty.
    """

    def __init__(self, transforms: Sequence[Callable[..., Any]]) -> None:
        super().__init__()
        _check_transforms(transforms)
        self.transforms = transforms

    def forward(self, *inputs: Any) -> Any:
        return _run_in_order(self.transforms, inputs)

    def extra_repr(self) -> str:
        return _list_repr(self.transforms)


class RandomApply(Transform):
    """Apply all of ``transforms``, in order, with probability ``p`` (one ``torch.rand(1)`` draw per call).

    Args:
        transforms: the transforms, as a sequence or an ``nn.ModuleList``.
        p: probability of applying them.

    Raises:
        TypeError: if ``transforms`` is neither a sequence nor an ``nn.ModuleList``.
        ValueError: if it is empty, or ``p`` is outside [0, 1].
    """

    def __init__(self, transforms: Sequence[Callable[..., Any]] | nn.ModuleList, p: float = 0.5) -> None:
        super().__init__()
        _check_transforms(transforms, (Sequence, nn.ModuleList))
        self.transforms = transforms
        if not 0.0 <= p <= 1.0:
            raise ValueError("`p` should be a floating point value in the interval [0.0, 1.0].")
        self.p = p

    def forward(self, *inputs: Any) -> Any:
        if torch.rand(1) >= self.p:
            return inputs if len(inputs) > 1 else inputs[0]
        return _run_in_order(self.transforms, inputs)

    def extra_repr(self) -> str:
        return _list_repr(self.transforms)


class RandomChoice(Transform):
    """Apply one of ``transforms``, drawn with the probabilities ``p`` (one ``torch.multinomial`` draw per call).

    Args:
        transforms: the transforms to choose from.
        p: one weight per transform, normalized to sum to 1; None for equal chances.

    Raises:
        TypeError: if ``transforms`` is not a sequence.
        ValueError: if it is empty, or ``p`` has another length.
    """

    def __init__(self, transforms: Sequence[Callable[..., Any]], p: list[float] | None = None) -> None:
        _check_transforms(transforms)
        if p is None:
            p = [1] * len(transforms)
        elif len(p) != len(transforms):
            raise ValueError(f"Length of p doesn't match the number of transforms: {len(p)} != {len(transforms)}")
        super().__init__()
        self.transforms = transforms
        total = sum(p)
        self.p = [weight / total for weight in p]

    def forward(self, *inputs: Any) -> Any:
        index = int(torch.multinomial(torch.tensor(self.p), 1))
        return self.transforms[index](*inputs)


class RandomOrder(Transform):
    """Apply all of ``transforms`` in a random order (one ``torch.randperm`` draw per call).

    Args:
        transforms: the transforms to shuffle.

    Raises:
        TypeError: if ``transforms`` is not a sequence.
        ValueError: if it is empty.
    """

    def __init__(self, transforms: Sequence[Callable[..., Any]]) -> None:
        _check_transforms(transforms)
        super().__init__()
        self.transforms = transforms

    def forward(self, *inputs: Any) -> Any:
        order = torch.randperm(len(self.transforms))
        return _run_in_order([self.transforms[i] for i in order], inputs)
