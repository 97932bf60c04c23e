"""``wrap_dataset_for_transforms_v2``: datasets whose samples reach ``transforms.v2`` in the form it expects.

The wrapper mirrors torchvision's: it takes over the dataset's transforms, turns each raw sample into what
``transforms.v2`` needs (nothing to do for classification datasets, whose ``(image, class index)`` samples already
suit it; tv_tensors for detection and segmentation targets), and then applies the transforms to the whole sample.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection
from typing import Any

import torch

from .. import tv_tensors
from ..transforms.v2 import functional as F
from ._coco_masks import segmentation_to_mask
from .cifar import CIFAR10, CIFAR100
from .coco import CocoCaptions, CocoDetection
from .folder import DatasetFolder, ImageFolder
from .mnist import MNIST, FashionMNIST
from .shapes import Shapes
from .vision import VisionDataset
from .voc import VOCDetection, VOCSegmentation

__all__ = ["wrap_dataset_for_transforms_v2"]

# Turns the raw sample at an index into the sample given to the transforms.
SampleWrapper = Callable[[int, Any], Any]
# Builds the sample wrapper of one dataset instance: some need what the instance was built with, not only its class.
WrapperFactory = Callable[[VisionDataset, Any], SampleWrapper]


def _unchanged_sample(index: int, sample: Any) -> Any:
    return sample


def _classification_wrapper(dataset: VisionDataset, target_keys: Any) -> SampleWrapper:
    """``(image, class index)`` samples go to ``transforms.v2`` as they are: it reads PIL images and passes ints on.

    So do ``(image, captions)`` samples of :class:`CocoCaptions`.
    """
    return _unchanged_sample


def _parse_target_keys(
    target_keys: Collection[str] | None, *, available: frozenset[str], default: frozenset[str]
) -> frozenset[str]:
    """The keys a detection wrapper returns: ``default`` for None, ``available`` for ``"all"``, else those named.

    Raises:
        ValueError: if a named key is not in ``available`` (the unknown keys are listed).
    """
    if target_keys is None:
        return default
    if target_keys == "all":
        return available
    chosen = frozenset(target_keys)
    unknown = chosen - available
    if unknown:
        raise ValueError(f"Target keys {sorted(unknown)} are not available")
    return chosen


def _columns(records: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """A list of dicts as a dict of lists: each key's values, in record order, from the records that have it."""
    columns: dict[str, list[Any]] = {}
    for record in records:
        for key, value in record.items():
            columns.setdefault(key, []).append(value)
    return columns


# Keys of a COCO annotation that the wrapper can return as lists, and those it computes.
_COCO_NATIVE_KEYS = frozenset({"segmentation", "area", "iscrowd", "image_id", "bbox", "category_id"})
_COCO_COMPUTED_KEYS = frozenset({"image_id", "boxes", "masks", "labels"})


def _coco_detection_wrapper(dataset: CocoDetection, target_keys: Collection[str] | None) -> SampleWrapper:
    """Targets as dicts of ``image_id``, XYXY ``boxes``, ``masks`` and ``labels``, and the annotations' own lists.

    As in torchvision, an image without annotations gets ``{"image_id": id}`` whatever the keys asked for, and the
    annotations' ``"id"`` is not among the keys that can be asked for.
    """
    keys = _parse_target_keys(
        target_keys,
        available=_COCO_NATIVE_KEYS | _COCO_COMPUTED_KEYS,
        default=frozenset({"image_id", "boxes", "labels"}),
    )

    def wrap(index: int, sample: tuple[Any, list[dict[str, Any]]]) -> tuple[Any, dict[str, Any]]:
        image, annotations = sample
        image_id = dataset.ids[index]
        if not annotations:
            return image, {"image_id": image_id}
        height, width = F.get_size(image)
        columns = _columns(annotations)
        target: dict[str, Any] = {}
        if "image_id" in keys:
            target["image_id"] = image_id
        if "boxes" in keys:
            boxes = tv_tensors.BoundingBoxes(
                columns["bbox"], format=tv_tensors.BoundingBoxFormat.XYWH, canvas_size=(height, width)
            )
            target["boxes"] = F.convert_bounding_box_format(boxes, new_format=tv_tensors.BoundingBoxFormat.XYXY)
        if "masks" in keys:
            masks = [torch.from_numpy(segmentation_to_mask(seg, height, width)) for seg in columns["segmentation"]]
            target["masks"] = tv_tensors.Mask(torch.stack(masks))
        if "labels" in keys:
            target["labels"] = torch.tensor(columns["category_id"])
        for key in sorted(keys - _COCO_COMPUTED_KEYS):
            target[key] = columns[key]
        return image, target

    return wrap


# torchvision's label of each VOC class name: its index here, 0 being the background.
VOC_DETECTION_CATEGORIES = (
    "__background__",
    "aeroplane",
    "bicycle",
    "bird",
    "boat",
    "bottle",
    "bus",
    "car",
    "cat",
    "chair",
    "cow",
    "diningtable",
    "dog",
    "horse",
    "motorbike",
    "person",
    "pottedplant",
    "sheep",
    "sofa",
    "train",
    "tvmonitor",
)
_VOC_LABELS = {name: label for label, name in enumerate(VOC_DETECTION_CATEGORIES)}


def _voc_detection_wrapper(dataset: VOCDetection, target_keys: Collection[str] | None) -> SampleWrapper:
    """Targets with XYXY ``boxes`` and ``labels`` from the objects of the parsed XML, which ``"annotation"`` keeps.

    Beyond torchvision, which raises KeyError there, an image without objects gets boxes of shape (0, 4) and labels
    of shape (0,), so a training loop can go on.
    """
    keys = _parse_target_keys(
        target_keys, available=frozenset({"annotation", "boxes", "labels"}), default=frozenset({"boxes", "labels"})
    )

    def wrap(index: int, sample: tuple[Any, dict[str, Any]]) -> tuple[Any, dict[str, Any]]:
        image, target = sample
        objects = target["annotation"]["object"]
        if "annotation" not in keys:
            target = {}
        if "boxes" in keys:
            corners = [[int(obj["bndbox"][side]) for side in ("xmin", "ymin", "xmax", "ymax")] for obj in objects]
            target["boxes"] = tv_tensors.BoundingBoxes(
                torch.tensor(corners, dtype=torch.int64).reshape(-1, 4),
                format=tv_tensors.BoundingBoxFormat.XYXY,
                canvas_size=(image.height, image.width),
            )
        if "labels" in keys:
            target["labels"] = torch.tensor([_VOC_LABELS[obj["name"]] for obj in objects], dtype=torch.int64)
        return image, target

    return wrap


def _segmentation_wrapper(dataset: VisionDataset, target_keys: Any) -> SampleWrapper:
    """``(image, PIL mask)`` samples get their mask as a ``Mask`` of shape (1, H, W); the image is left as it is."""

    def wrap(index: int, sample: tuple[Any, Any]) -> tuple[Any, tv_tensors.Mask]:
        image, mask = sample
        return image, tv_tensors.Mask(mask)

    return wrap


# The classes torchvision wraps, among those visionkit has, plus Shapes, whose samples are ``(image, label)`` too.
# FakeData is left out as torchvision leaves it out: wrapping it raises TypeError in both. Lookups walk the dataset's
# MRO, so subclasses (KMNIST, a user's ImageFolder) get the wrapper of their nearest registered base.
_WRAPPER_FACTORIES: dict[type[VisionDataset], WrapperFactory] = {
    **{
        dataset_cls: _classification_wrapper
        for dataset_cls in (CIFAR10, CIFAR100, CocoCaptions, DatasetFolder, FashionMNIST, ImageFolder, MNIST, Shapes)
    },
    CocoDetection: _coco_detection_wrapper,
    VOCDetection: _voc_detection_wrapper,
    VOCSegmentation: _segmentation_wrapper,
}
# Datasets whose targets are dicts, where ``target_keys`` picks the keys returned. torchvision has four: these two,
# Kitti and WIDERFace. CocoCaptions, a subclass of CocoDetection, has its own entry and so refuses target_keys.
_DATASETS_WITH_TARGET_KEYS: frozenset[type[VisionDataset]] = frozenset({CocoDetection, VOCDetection})


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
                "`target_keys` only applies to detection datasets with dict targets (CocoDetection and "
                f"VOCDetection; torchvision also has Kitti and WIDERFace), but got {cls.__name__}; leave it as None"
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
    :class:`MNIST` and its subclasses, :class:`Shapes`) and :class:`CocoCaptions` are supported, with their subclasses,
    and their samples are left as they are. Like torchvision, :class:`FakeData` is not supported. Targets become:

    * :class:`CocoDetection`: a dict of lists instead of a list of dicts, with ``"boxes"``
      (:class:`~visionkit.tv_tensors.BoundingBoxes` in XYXY), ``"masks"`` (:class:`~visionkit.tv_tensors.Mask`
      of shape (N, H, W), decoded from polygons and RLE without pycocotools) and ``"labels"`` (the category ids)
      added. By default only ``"image_id"``, ``"boxes"`` and ``"labels"`` are returned. An image without
      annotations gets ``{"image_id": id}``, as in torchvision.
    * :class:`VOCDetection`: ``"boxes"`` (XYXY) and ``"labels"`` (indices into ``VOC_DETECTION_CATEGORIES``) are added
      to the parsed XML; by default only they are returned. An image without objects gets boxes of shape (0, 4)
      and labels of shape (0,), where torchvision raises KeyError.
    * :class:`VOCSegmentation`: the mask image becomes a :class:`~visionkit.tv_tensors.Mask`.

    Args:
        dataset (VisionDataset): the dataset to wrap.
        target_keys (Collection[str], optional): keys to return where targets are dicts (:class:`CocoDetection`,
            :class:`VOCDetection`), or ``"all"``; None returns the defaults above. Must be None for other datasets.

    Returns:
        VisionDataset: the wrapped dataset, a subclass of ``type(dataset)``.

    Raises:
        ValueError: if ``target_keys`` is not None, ``"all"`` or a collection of strings, names a key the dataset
            does not have, or is given at all for a dataset without dict targets.
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
