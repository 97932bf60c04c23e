"""Argument checks shared by the transform classes. Messages name the argument and echo the value."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any


def is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_number(value: Any, name: str) -> None:
    if not is_number(value):
        raise TypeError(f"{name} should be an int or a float, got {value!r}")


def check_probability(p: Any, name: str = "p") -> float:
    """``p`` as a float in [0, 1]."""
    if not is_number(p):
        raise TypeError(f"{name} should be a float in [0, 1], got {p!r}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{name} should be a float in [0, 1], got {p}")
    return p


def check_sequence(value: Any, name: str, lengths: Sequence[int]) -> Sequence[Any]:
    """``value`` if it is a sequence of numbers whose length is one of ``lengths``."""
    expected = " or ".join(map(str, lengths))
    if not isinstance(value, Sequence) or isinstance(value, str) or not all(is_number(v) for v in value):
        raise TypeError(f"{name} should be a sequence of {expected} numbers, got {value!r}")
    if len(value) not in lengths:
        raise ValueError(f"{name} should be a sequence of {expected} numbers, got {value!r}")
    return value


def symmetric_range(value: Any, name: str, lengths: Sequence[int] = (2,)) -> list[float]:
    """``[-value, value]`` for a non-negative number, else the sequence itself as floats."""
    if is_number(value):
        if value < 0:
            raise ValueError(f"{name} should be non-negative when it is a single number, got {value}")
        return [-float(value), float(value)]
    return [float(v) for v in check_sequence(value, name, lengths)]


def min_max_pair(value: Any, name: str, low: float | None = None, high: float | None = None) -> tuple[float, float]:
    """``value`` as a ``(min, max)`` pair, optionally within ``[low, high]``."""
    lo, hi = check_sequence(value, name, (2,))
    if lo > hi:
        raise ValueError(f"{name} should be of the form (min, max), got {value!r}")
    if (low is not None and lo < low) or (high is not None and hi > high):
        raise ValueError(f"{name} values should be within [{low}, {high}], got {value!r}")
    return lo, hi


def check_center(center: Any) -> None:
    """``center`` is None or an ``(x, y)`` pair."""
    if center is not None:
        check_sequence(center, "center", (2,))
