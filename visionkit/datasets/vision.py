"""Base class of every dataset: root location, transform handling and the printed summary."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch.utils.data

__all__ = ["StandardTransform", "VisionDataset"]


def _indented_repr(obj: object, head: str) -> list[str]:
    """Lines of ``repr(obj)`` with ``head`` before the first and the others aligned under it."""
    first, *rest = repr(obj).splitlines() or [""]
    return [head + first] + [" " * len(head) + line for line in rest]


def _transform_pair(
    transform: Callable | None, target_transform: Callable | None, input: Any, target: Any
) -> tuple[Any, Any]:
    if transform is not None:
        input = transform(input)
    if target_transform is not None:
        target = target_transform(target)
    return input, target


class StandardTransform:
    """Applies ``transform`` to the input and ``target_transform`` to the target; either may be None.

    Args:
        transform (callable, optional): applied to the input.
        target_transform (callable, optional): applied to the target.
    """

    def __init__(self, transform: Callable | None = None, target_transform: Callable | None = None) -> None:
        self.transform = transform
        self.target_transform = target_transform

    def __call__(self, input: Any, target: Any) -> tuple[Any, Any]:
        return _transform_pair(self.transform, self.target_transform, input, target)

    def __repr__(self) -> str:
        lines = [type(self).__name__]
        if self.transform is not None:
            lines += _indented_repr(self.transform, "Transform: ")
        if self.target_transform is not None:
            lines += _indented_repr(self.target_transform, "Target transform: ")
        return "\n".join(lines)


class VisionDataset(torch.utils.data.Dataset):
    """Base class for datasets, compatible with ``torchvision.datasets.VisionDataset``.

    Subclasses implement ``__getitem__`` and ``__len__``, and may add lines to the summary with ``extra_repr``.

    Args:
        root (str or Path, optional): dataset folder. A ``str`` has ``~`` expanded; a ``Path`` is kept as given.
        transforms (callable, optional): takes the input and the target and returns both transformed.
            Cannot be combined with ``transform`` or ``target_transform``.
        transform (callable, optional): applied to the input (e.g. a PIL image).
        target_transform (callable, optional): applied to the target.

    Raises:
        ValueError: if ``transforms`` is given together with ``transform`` or ``target_transform``.
    """

    _repr_indent = 4

    def __init__(
        self,
        root: str | Path | None = None,
        transforms: Callable | None = None,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
    ) -> None:
        self.root = os.path.expanduser(root) if isinstance(root, str) else root
        separate = transform is not None or target_transform is not None
        if transforms is not None and separate:
            raise ValueError("Only transforms or transform/target_transform can be passed as argument")
        self.transform = transform
        self.target_transform = target_transform
        self.transforms = StandardTransform(transform, target_transform) if separate else transforms

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def _apply_transforms(self, input: Any, target: Any) -> tuple[Any, Any]:
        """Apply ``transform`` to the input and ``target_transform`` to the target, as currently set."""
        return _transform_pair(self.transform, self.target_transform, input, target)

    def extra_repr(self) -> str:
        """Dataset-specific lines of the summary (e.g. ``"Split: Train"``)."""
        return ""

    def __repr__(self) -> str:
        body = [f"Number of datapoints: {len(self)}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if self.transforms is not None:
            # Appended whole, so only its first line is indented (torchvision prints it this way).
            body.append(repr(self.transforms))
        indent = " " * self._repr_indent
        return "\n".join([f"Dataset {type(self).__name__}"] + [indent + line for line in body])
