"""Random images that need no files: the same items as torchvision's ``FakeData`` for the same arguments."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
from PIL import Image

from ._validation import check_int
from .vision import VisionDataset

__all__ = ["FakeData"]

_MODES = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}


def _check_image_size(image_size: Sequence[int]) -> tuple[int, ...]:
    size = tuple(image_size) if isinstance(image_size, (tuple, list)) else ()
    valid = len(size) in (2, 3) and all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in size)
    if not valid or (len(size) == 3 and size[0] not in _MODES):
        raise ValueError(
            f"`image_size` should be (C, H, W) with 1 to 4 channels or (H, W), positive ints, got {image_size!r}"
        )
    return size


def _float_image_to_pil(image: torch.Tensor) -> Image.Image:
    """Convert a float image (Tensor[C, H, W] or Tensor[H, W]) to PIL as ``ToPILImage`` does: ``byte(x * 255)``."""
    pixels = image.mul(255).byte()
    pixels = pixels.unsqueeze(0) if pixels.ndim == 2 else pixels
    array = pixels.permute(1, 2, 0).numpy()
    return Image.fromarray(array[:, :, 0] if array.shape[2] == 1 else array)


class FakeData(VisionDataset):
    """A dataset of random images and targets, identical to torchvision's ``FakeData`` for the same arguments.

    Item ``i`` is drawn from a generator seeded with ``i + random_offset``: a standard normal image of shape
    ``image_size`` converted to PIL (values times 255, cast to uint8), then a target in ``[0, num_classes)``.
    The global random state is not touched.

    Args:
        size (int): number of items.
        image_size (tuple[int, ...]): ``(C, H, W)`` with 1 (``L``), 2 (``LA``), 3 (``RGB``) or 4 (``RGBA``)
            channels, or ``(H, W)`` for ``L`` images.
        num_classes (int): number of classes.
        transform (callable, optional): applied to the PIL image.
        target_transform (callable, optional): applied to the target.
        random_offset (int): added to the index to seed each item, for a different set of images.

    Raises:
        TypeError: if ``size``, ``num_classes`` or ``random_offset`` is not an int.
        ValueError: if ``size`` is negative, ``num_classes`` is not positive or ``image_size`` is not a valid shape.
    """

    def __init__(
        self,
        size: int = 1000,
        image_size: tuple[int, ...] = (3, 224, 224),
        num_classes: int = 10,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        random_offset: int = 0,
    ) -> None:
        super().__init__(None, transform=transform, target_transform=target_transform)
        self.size = check_int(size, "size", 0)
        self.num_classes = check_int(num_classes, "num_classes", 1)
        self.image_size = _check_image_size(image_size)
        self.random_offset = check_int(random_offset, "random_offset")

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Return ``(image, target)``: a PIL image and an int class index, both transformed if set.

        Raises:
            IndexError: if ``index >= size``.
        """
        if index >= len(self):
            raise IndexError(f"{type(self).__name__} index out of range")
        generator = torch.Generator().manual_seed(index + self.random_offset)
        image = torch.randn(*self.image_size, generator=generator)
        target = torch.randint(0, self.num_classes, size=(1,), generator=generator)
        return self._apply_transforms(_float_image_to_pil(image), int(target[0]))

    def __len__(self) -> int:
        return self.size
