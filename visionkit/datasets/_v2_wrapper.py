"""``wrap_dataset_for_transforms_v2``: datasets whose samples reach ``transforms.v2`` in the form it expects.

The wrapper mirrors torchvision's: it takes over the dataset's transforms, turns each raw sample into what
``transforms.v2`` needs (nothing to do for classification datasets, whose ``(image, class index)`` samples already
suit it), and then applies the transforms to the whole sample.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection
from typing import Any

from .cifar import CIFAR10, CIFAR100
from .folder import DatasetFolder, ImageFolder
from .mnist import MNIST, FashionMNIST
from .shapes import Shapes
from .vision import VisionDataset

__all__ = ["wrap_dataset_for_transforms_v2"]

# Turns the raw sample at an index into the sample given to the transforms.
SampleWrapper = Callable[[int, Any], Any]
# Builds the sample wrapper of one dataset instance: some need what the instance was built with, not only its class.
WrapperFactory = Callable[[VisionDataset, Any], SampleWrapper]


def _unchanged_sample(index: int, sample: Any) -> Any:
    return sample


def _classification_wrapper(dataset: VisionDataset, target_keys: Any) -> SampleWrapper:
    """``(image, class index)`` samples go to ``transforms.v2`` as they are: it reads PIL images and passes ints on."""
    return _unchanged_sample


# The classes torchvision wraps, among those visionkit has, plus Shapes, whose samples are ``(image, label)`` too.
# FakeData is left out as torchvision leaves it out: wrapping it raises TypeError in both. Lookups walk the dataset's
# MRO, so subclasses (KMNIST, a user's ImageFolder) get the wrapper of their nearest registered base.
_WRAPPER_FACTORIES: dict[type[VisionDataset], WrapperFactory] = {
    dataset_cls: _classification_wrapper
    for dataset_cls in (CIFAR10, CIFAR100, DatasetFolder, FashionMNIST, ImageFolder, MNIST, Shapes)
}
# Datasets whose targets are dicts, where ``target_keys`` picks the keys returned. torchvision has four (CocoDetection,
# VOCDetection, Kitti, WIDERFace); visionkit has none of them yet.
_DATASETS_WITH_TARGET_KEYS: frozenset[type[VisionDataset]] = frozenset()


def _check_target_keys(target_keys: Any) -> None:
    # "all" is itself a collection of strings, so it needs no case of its own.
    if target_keys is None or (
        isinstance(target_keys, Collection) and all(isinstance(key, str) for key in target_keys)
    ):
        return
    raise ValueError(
        "`target_keys` can be None, 'all', or a collection of strings denoting the keys to be returned, "
        f"but got {target_keys}"
    )


def _find_wrapper_factory(dataset_cls: type[VisionDataset], target_keys: Any) -> WrapperFactory:
    """The factory registered for the nearest base of ``dataset_cls`` that has one, checked against ``target_keys``.

    Raises:
        TypeError: if no class before ``VisionDataset`` in the MRO of ``dataset_cls`` has a factory.
        ValueError: if ``target_keys`` is given for a dataset whose targets are not dicts.
    """
    for cls in dataset_cls.__mro__:
        if cls is VisionDataset:
            break
        factory = _WRAPPER_FACTORIES.get(cls)
        if factory is None:
            continue
        if target_keys is not None and cls not in _DATASETS_WITH_TARGET_KEYS:
            raise ValueError(
                "`target_keys` only applies to detection datasets with dict targets (torchvision's CocoDetection, "
                f"VOCDetection, Kitti and WIDERFace, which visionkit does not have yet), but got {cls.__name__}; "
                "leave it as None"
            )
        return factory
    raise TypeError(f"No wrapper exists for dataset class {dataset_cls.__name__}. Please wrap the output yourself.")


def wrap_dataset_for_transforms_v2(dataset: VisionDataset, target_keys: Collection[str] | None = None) -> VisionDataset:
    """Wrap a visionkit dataset for use with :mod:`visionkit.transforms.v2`, as torchvision's function of this name.

    The returned dataset is an instance of a class made for it, ``Wrapped<DatasetClass>``, that subclasses the
    dataset's class, so ``isinstance(wrapped, type(dataset))`` holds and the dataset's attributes (``classes``,
    ``samples``, ...) are read through it. It takes over the dataset's ``transform``, ``target_transform`` and
    ``transforms`` (they are set to None on ``dataset``, which then returns untransformed samples) and applies them
    to each sample after wrapping it. It can be pickled, e.g. by a ``DataLoader`` with workers.

    Classification datasets (:class:`ImageFolder`, :class:`DatasetFolder`, :class:`CIFAR10`, :class:`CIFAR100`,
    :class:`MNIST` and its subclasses, :class:`Shapes`) and their subclasses are supported, and their samples are
    left as they are. Like torchvision, :class:`FakeData` is not supported.

    Args:
        dataset (VisionDataset): the dataset to wrap.
        target_keys (Collection[str], optional): keys to return where targets are dicts, or ``"all"``. Only
            detection datasets take it (visionkit has none yet), so it must be None here.

    Returns:
        VisionDataset: the wrapped dataset, a subclass of ``type(dataset)``.

    Raises:
        ValueError: if ``target_keys`` is not None, ``"all"`` or a collection of strings, or is given at all for a
            classification dataset.
        TypeError: if ``dataset`` is not a ``VisionDataset``, or is one that has no wrapper (its class is named).
    """
    _check_target_keys(target_keys)
    if not isinstance(dataset, VisionDataset):
        raise TypeError(
            "This wrapper is meant for subclasses of `visionkit.datasets.VisionDataset`, "
            f"but got a '{type(dataset).__name__}' instead."
        )
    # The wrapper comes first in the bases, so its __init__ runs and the dataset's does not: the dataset is kept as it
    # is, not built again.
    wrapped_cls = type(f"Wrapped{type(dataset).__name__}", (_DatasetV2Wrapper, type(dataset)), {})
    return wrapped_cls(dataset, target_keys)


class _DatasetV2Wrapper:
    """First base of the ``Wrapped<DatasetClass>`` classes: holds the dataset and wraps its samples."""

    def __init__(self, dataset: VisionDataset, target_keys: Collection[str] | None) -> None:
        self._wrap_sample = _find_wrapper_factory(type(dataset), target_keys)(dataset, target_keys)
        self._dataset = dataset
        self._target_keys = target_keys
        # The samples must be wrapped before any transform sees them, so the dataset must return them raw. Datasets
        # apply `transform` and `target_transform` themselves and `transforms` holds them (or a joint callable), so
        # all three move here.
        self.transform, dataset.transform = dataset.transform, None
        self.target_transform, dataset.target_transform = dataset.target_transform, None
        self.transforms, dataset.transforms = dataset.transforms, None

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails, so the dataset's own attributes are read from the dataset.
        if name == "_dataset":
            # Not set yet: looking it up on itself would recurse forever.
            raise AttributeError(name)
        return getattr(self._dataset, name)

    def __getitem__(self, index: int) -> Any:
        sample = self._wrap_sample(index, self._dataset[index])
        # `transforms` covers both ways of giving them: a joint callable, or transform/target_transform together.
        if self.transforms is not None:
            sample = self.transforms(*sample)
        return sample

    def __len__(self) -> int:
        return len(self._dataset)

    def __reduce__(self) -> tuple[Callable[..., VisionDataset], tuple[VisionDataset, Collection[str] | None]]:
        # The class is made at run time and cannot be found by name, so pickling rebuilds the wrapper from a copy of
        # the dataset that has its transforms back, as it was before it was wrapped.
        dataset = copy.copy(self._dataset)
        dataset.transform = self.transform
        dataset.target_transform = self.target_transform
        dataset.transforms = self.transforms
        return wrap_dataset_for_transforms_v2, (dataset, self._target_keys)
