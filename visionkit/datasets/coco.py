"""COCO detection and captions datasets, read from COCO's JSON annotation files without pycocotools."""

from __future__ import annotations

import contextlib
import gc
import json
import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PIL import Image

from .vision import VisionDataset

__all__ = ["CocoCaptions", "CocoDetection"]

# What pycocotools' COCO needs of each record, and what the datasets need to load an image.
_REQUIRED_FIELDS = {"images": ("id", "file_name"), "annotations": ("id", "image_id")}


def _check_records(content: dict[str, Any], section: str, required: tuple[str, ...], ann_file: str) -> None:
    # An image-info file (e.g. COCO's image_info_test2017.json) has no annotations, as pycocotools accepts.
    records = content.get(section, [] if section == "annotations" else None)
    if not isinstance(records, list):
        found = "is missing" if records is None else f"is a {type(records).__name__}"
        raise ValueError(f"{ann_file} is not a COCO annotation file: its '{section}' list {found}")
    # The common case, checked in bulk (COCO val2017 has 36,781 annotations): every record a dict with the fields
    # and an int or str id. Only a file that fails it is walked record by record, to name the first bad entry.
    try:
        if all(type(record) is dict for record in records):
            id_types = {type(record["id"]) for record in records}
            for name in required[1:]:
                for record in records:
                    record[name]  # raises KeyError when missing
            if id_types <= {int, str}:
                return
    except KeyError:
        pass
    for position, record in enumerate(records):
        missing = [field for field in required if not isinstance(record, dict) or field not in record]
        if missing:
            raise ValueError(
                f"{ann_file} is not a COCO annotation file: entry {position} of '{section}' "
                f"has no {', '.join(repr(field) for field in missing)}: {record!r:.100}"
            )
        if not isinstance(record["id"], (int, str)) or isinstance(record["id"], bool):
            raise ValueError(
                f"{ann_file}: entry {position} of '{section}' has an 'id' that is not an int or a str: {record['id']!r}"
            )


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector: parsing COCO's JSON makes millions of small objects, and the collector,
    triggered again and again by them, would take more than half of the time (none of them form cycles, and
    reference counting frees them as usual)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _CocoIndex:
    """The index pycocotools' ``COCO`` builds from an annotation file, with the lookups the datasets use.

    Attributes keep pycocotools' names, so code written against ``dataset.coco`` of torchvision reads the same:
    ``dataset`` (the parsed JSON), ``imgs`` and ``anns`` and ``cats`` (records by id), ``imgToAnns`` (an image's
    annotations, in file order). A later record with the same id replaces an earlier one, as in pycocotools.
    """

    def __init__(self, ann_file: str | os.PathLike[str]) -> None:
        self.ann_file = os.fspath(ann_file)
        with open(self.ann_file, encoding="utf-8") as file, _collector_paused():
            try:
                content = json.load(file)
            except json.JSONDecodeError as error:
                raise ValueError(f"{self.ann_file} is not a COCO annotation file: invalid JSON ({error})") from None
        if not isinstance(content, dict):
            raise ValueError(
                f"{self.ann_file} is not a COCO annotation file: expected a JSON object with 'images' and "
                f"'annotations' lists, got a {type(content).__name__}"
            )
        for section, required in _REQUIRED_FIELDS.items():
            _check_records(content, section, required, self.ann_file)
        categories = content.get("categories", [])
        if not isinstance(categories, list) or not all(isinstance(cat, dict) and "id" in cat for cat in categories):
            raise ValueError(f"{self.ann_file} is not a COCO annotation file: 'categories' is not a list of records")

        self.dataset = content
        self.imgs: dict[Any, dict[str, Any]] = {img["id"]: img for img in content["images"]}
        annotations = content.get("annotations", [])
        self.anns: dict[Any, dict[str, Any]] = {ann["id"]: ann for ann in annotations}
        self.cats: dict[Any, dict[str, Any]] = {cat["id"]: cat for cat in categories}
        self.imgToAnns: defaultdict[Any, list[dict[str, Any]]] = defaultdict(list)
        for ann in annotations:
            self.imgToAnns[ann["image_id"]].append(ann)
        try:
            self.sorted_image_ids = sorted(self.imgs)
        except TypeError:
            raise ValueError(f"{self.ann_file}: image ids mix ints and strs, so they cannot be sorted") from None

    def loadImgs(self, ids: Any) -> list[dict[str, Any]]:
        """The image records of one id or a list of ids."""
        return [self.imgs[id] for id in (ids if isinstance(ids, list) else [ids])]

    def loadAnns(self, ids: Any) -> list[dict[str, Any]]:
        """The annotation records of one id or a list of ids."""
        return [self.anns[id] for id in (ids if isinstance(ids, list) else [ids])]

    def loadCats(self, ids: Any) -> list[dict[str, Any]]:
        """The category records of one id or a list of ids."""
        return [self.cats[id] for id in (ids if isinstance(ids, list) else [ids])]

    def image_annotations(self, image_id: Any) -> list[dict[str, Any]]:
        """The annotations of an image in file order, as ``loadAnns(getAnnIds(image_id))`` gives them."""
        return [self.anns[ann["id"]] for ann in self.imgToAnns.get(image_id, [])]


class CocoDetection(VisionDataset):
    """`MS COCO Detection <https://cocodataset.org/#detection-2016>`_ dataset, as torchvision's, without pycocotools.

    Items are ``(image, target)``: the image as a PIL RGB image and the target as the list of the image's annotation
    dicts, exactly as in the JSON file (``"bbox"`` in ``[x, y, width, height]``, ``"segmentation"``, ``"category_id"``,
    ...), in file order. Images are ordered by id. Use :func:`wrap_dataset_for_transforms_v2` for targets with
    ``BoundingBoxes``, ``Mask`` and labels.

    Args:
        root (str or Path): folder of the images; an image's path is ``root / file_name``.
        annFile (str): path of the JSON annotation file (e.g. ``annotations/instances_val2017.json``).
        transform (callable, optional): takes the PIL image and returns a transformed version.
        target_transform (callable, optional): takes the target and transforms it.
        transforms (callable, optional): takes the image and the target and returns both transformed.

    Attributes:
        coco: the index of the annotation file (pycocotools' attribute names: ``imgs``, ``anns``, ``cats``, ...).
        ids (list): the image ids, sorted; item ``i`` is image ``ids[i]``.

    Raises:
        FileNotFoundError: if ``annFile`` does not exist.
        ValueError: if ``annFile`` is not a COCO annotation file (it is named, with what is wrong).
    """

    def __init__(
        self,
        root: str | Path,
        annFile: str,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        transforms: Callable | None = None,
    ) -> None:
        super().__init__(root, transforms, transform, target_transform)
        self.coco = _CocoIndex(annFile)
        self.ids = list(self.coco.sorted_image_ids)

    def _load_image(self, id: Any) -> Image.Image:
        path = os.path.join(self.root, self.coco.loadImgs(id)[0]["file_name"])
        if not os.path.isfile(path):
            raise FileNotFoundError(
                f"Image file {path} of image id {id!r} (listed in {self.coco.ann_file}) not found: "
                "is `root` the folder that holds the images?"
            )
        return Image.open(path).convert("RGB")

    def _load_target(self, id: Any) -> list[Any]:
        return self.coco.image_annotations(id)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        if not isinstance(index, int):
            raise ValueError(f"Index must be of type integer, got {type(index)} instead.")
        id = self.ids[index]
        image = self._load_image(id)
        target = self._load_target(id)
        if self.transforms is not None:
            image, target = self.transforms(image, target)
        return image, target

    def __len__(self) -> int:
        return len(self.ids)


class CocoCaptions(CocoDetection):
    """`MS COCO Captions <https://cocodataset.org/#captions-2015>`_ dataset, as torchvision's, without pycocotools.

    Items are ``(image, captions)``: the PIL RGB image and the list of its caption strings, in file order. Takes the
    arguments of :class:`CocoDetection`, with ``annFile`` a captions file (e.g. ``captions_train2017.json``).
    """

    def _load_target(self, id: Any) -> list[str]:
        annotations = super()._load_target(id)
        for annotation in annotations:
            if "caption" not in annotation:
                raise KeyError(
                    f"annotation {annotation['id']!r} of image {id!r} in {self.coco.ann_file} has no 'caption': "
                    "CocoCaptions needs a captions file such as captions_train2017.json"
                )
        return [annotation["caption"] for annotation in annotations]
