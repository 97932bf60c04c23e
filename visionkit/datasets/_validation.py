"""Argument checks shared by the datasets, with messages that name the argument and echo the value."""

from __future__ import annotations


def check_int(value: int, name: str, minimum: int | None = None) -> int:
    """Return ``value`` if it is an int (not a bool) of at least ``minimum``, else raise TypeError/ValueError."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"`{name}` should be an int, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"`{name}` should be >= {minimum}, got {value}")
    return value
