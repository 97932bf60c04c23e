"""Pascal VOC 2007-2012 detection and segmentation sets, read from torchvision's ``VOCdevkit/VOC20xx`` layout."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from PIL import Image

from .utils import ProgressCallback, download_and_extract_archive, verify_str_arg
from .vision import VisionDataset

__all__ = ["VOCDetection", "VOCSegmentation"]

_NOT_FOUND = "Dataset not found or corrupted. You can use download=True to download it"
_YEARS = tuple(str(year) for year in range(2007, 2013))
_IMAGE_SETS = ("train", "trainval", "val")

# torchvision's archives, keyed by year ("2007-test" is the 2007 test set). Module-level so that a mirror, or a test
# server, can be put in place with ``DATASET_YEAR_DICT["2012"]["url"] = ...``. The 2008 file name repeats
# torchvision's (it names the 2012 archive), so that an archive torchvision downloaded is found and reused.
DATASET_YEAR_DICT: dict[str, dict[str, str]] = {
    "2012": {
        "url": "https://thor.robots.ox.ac.uk/pascal/VOC/voc2012/VOCtrainval_11-May-2012.tar",
        "filename": "VOCtrainval_11-May-2012.tar",
        "md5": "6cd6e144f989b92b3379bac3b3de84fd",
        "base_dir": os.path.join("VOCdevkit", "VOC2012"),
    },
    "2011": {
        "url": "https://thor.robots.ox.ac.uk/pascal/VOC/voc2011/VOCtrainval_25-May-2011.tar",
        "filename": "VOCtrainval_25-May-2011.tar",
        "md5": "6c3384ef61512963050cb5d687e5bf1e",
        "base_dir": os.path.join("TrainVal", "VOCdevkit", "VOC2011"),
    },
    "2010": {
        "url": "https://thor.robots.ox.ac.uk/pascal/VOC/voc2010/VOCtrainval_03-May-2010.tar",
        "filename": "VOCtrainval_03-May-2010.tar",
        "md5": "da459979d0c395079b5c75ee67908abb",
        "base_dir": os.path.join("VOCdevkit", "VOC2010"),
    },
    "2009": {
        "url": "https://thor.robots.ox.ac.uk/pascal/VOC/voc2009/VOCtrainval_11-May-2009.tar",
        "filename": "VOCtrainval_11-May-2009.tar",
        "md5": "a3e00b113cfcfebf17e343f59da3caa1",
        "base_dir": os.path.join("VOCdevkit", "VOC2009"),
    },
    "2008": {
        "url": "https://thor.robots.ox.ac.uk/pascal/VOC/voc2008/VOCtrainval_14-Jul-2008.tar",
        "filename": "VOCtrainval_11-May-2012.tar",
        "md5": "2629fa636546599198acfcfbfcf1904a",
        "base_dir": os.path.join("VOCdevkit", "VOC2008"),
    },
    "2007": {
        "url": "https://thor.robots.ox.ac.uk/pascal/VOC/voc2007/VOCtrainval_06-Nov-2007.tar",
        "filename": "VOCtrainval_06-Nov-2007.tar",
        "md5": "c52e279531787c972589f7e41ab4ae64",
        "base_dir": os.path.join("VOCdevkit", "VOC2007"),
    },
    "2007-test": {
        "url": "https://thor.robots.ox.ac.uk/pascal/VOC/voc2007/VOCtest_06-Nov-2007.tar",
        "filename": "VOCtest_06-Nov-2007.tar",
        "md5": "b6e924de25625d8de591ea690078ad9f",
        "base_dir": os.path.join("VOCdevkit", "VOC2007"),
    },
}


class VOCAnnotationError(ET.ParseError, ValueError):
    """An annotation file that cannot be read: malformed, truncated, or declaring a DOCTYPE or entities.

    It is a ``ValueError`` and also the ``xml.etree.ElementTree.ParseError`` torchvision raises for a malformed file,
    so code written for either keeps catching it. The message names the file.
    """


class _VOCBase(VisionDataset):
    """What both VOC datasets share: argument checks, the download, and the image and target paths of a split."""

    _SPLITS_DIR: ClassVar[str]
    _TARGET_DIR: ClassVar[str]
    _TARGET_FILE_EXT: ClassVar[str]

    def __init__(
        self,
        root: str | Path,
        year: str = "2012",
        image_set: str = "train",
        download: bool = False,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        transforms: Callable | None = None,
        *,
        progress: ProgressCallback | None = None,
    ) -> None:
        super().__init__(root, transforms, transform, target_transform)
        self.year = verify_str_arg(year, "year", valid_values=_YEARS)
        valid_image_sets = (*_IMAGE_SETS, "test") if year == "2007" else _IMAGE_SETS
        self.image_set = verify_str_arg(image_set, "image_set", valid_image_sets)

        archive = DATASET_YEAR_DICT["2007-test" if image_set == "test" else year]
        self.url: str = archive["url"]
        self.filename: str = archive["filename"]
        self.md5: str = archive["md5"]
        voc_root = Path(self.root, archive["base_dir"])
        split_file = voc_root / "ImageSets" / self._SPLITS_DIR / f"{image_set}.txt"

        # torchvision extracts again on every download=True; a split list already in place means it is done.
        if download and not split_file.is_file():
            download_and_extract_archive(self.url, self.root, filename=self.filename, md5=self.md5, progress=progress)
        if not voc_root.is_dir():
            raise RuntimeError(_NOT_FOUND)

        # Blank lines are kept as (missing) file names, exactly as torchvision reads the list.
        with open(split_file) as f:
            names = [line.strip() for line in f]
        image_dir, target_dir = voc_root / "JPEGImages", voc_root / self._TARGET_DIR
        self.images: list[str] = [os.path.join(image_dir, f"{name}.jpg") for name in names]
        self.targets: list[str] = [os.path.join(target_dir, name + self._TARGET_FILE_EXT) for name in names]

    def __len__(self) -> int:
        return len(self.images)

    def _load_target(self, path: str) -> Any:
        raise NotImplementedError

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        with Image.open(self.images[index]) as image:
            rgb = image.convert("RGB")
        target = self._load_target(self.targets[index])
        if self.transforms is not None:
            rgb, target = self.transforms(rgb, target)
        return rgb, target


class VOCSegmentation(_VOCBase):
    """`Pascal VOC <http://host.robots.ox.ac.uk/pascal/VOC/>`_ segmentation set, compatible with torchvision's.

    Reads ``root/VOCdevkit/VOC20xx`` (``root/TrainVal/VOCdevkit/VOC2011`` for 2011): the names listed in
    ``ImageSets/Segmentation/<image_set>.txt``, their ``JPEGImages/<name>.jpg`` and ``SegmentationClass/<name>.png``.

    Args:
        root (str or Path): folder holding ``VOCdevkit`` (or receiving it with ``download=True``).
        year (str): ``"2007"`` to ``"2012"``.
        image_set (str): ``"train"``, ``"trainval"`` or ``"val"``; also ``"test"`` for ``year="2007"``.
        download (bool): download and extract the year's archive into ``root`` unless the split is already there.
        transform (callable, optional): applied to the PIL image.
        target_transform (callable, optional): applied to the mask.
        transforms (callable, optional): takes the image and the mask and returns both transformed.
        progress (callable, optional): ``progress(bytes_done, bytes_total or None)`` during the download.

    Attributes:
        images (list[str]): the image paths, in the split list's order.
        masks (list[str]): the mask paths, in the same order (also ``targets``).

    Raises:
        ValueError: if ``year`` or ``image_set`` is not one of the values above.
        RuntimeError: if the ``VOC20xx`` folder is missing.
    """

    _SPLITS_DIR = "Segmentation"
    _TARGET_DIR = "SegmentationClass"
    _TARGET_FILE_EXT = ".png"

    @property
    def masks(self) -> list[str]:
        return self.targets

    def _load_target(self, path: str) -> Image.Image:
        # The mask stays as stored: a "P" (palette) image whose values are class indices, 255 marking borders.
        mask = Image.open(path)
        mask.load()
        return mask

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Return ``(image, mask)``: a PIL RGB image and its PIL palette mask, both transformed if set."""
        return super().__getitem__(index)


class VOCDetection(_VOCBase):
    """`Pascal VOC <http://host.robots.ox.ac.uk/pascal/VOC/>`_ detection set, compatible with torchvision's.

    Reads ``root/VOCdevkit/VOC20xx`` (``root/TrainVal/VOCdevkit/VOC2011`` for 2011): the names listed in
    ``ImageSets/Main/<image_set>.txt``, their ``JPEGImages/<name>.jpg`` and ``Annotations/<name>.xml``. Targets are
    the XML annotations as nested dicts, see :meth:`parse_voc_xml`.

    The arguments and errors are :class:`VOCSegmentation`'s; ``target_transform`` and ``transforms`` get the
    annotation dict where it gets the mask.

    Attributes:
        images (list[str]): the image paths, in the split list's order.
        annotations (list[str]): the XML paths, in the same order (also ``targets``).
    """

    _SPLITS_DIR = "Main"
    _TARGET_DIR = "Annotations"
    _TARGET_FILE_EXT = ".xml"

    @property
    def annotations(self) -> list[str]:
        return self.targets

    def _load_target(self, path: str) -> dict[str, Any]:
        return self.parse_voc_xml(_read_xml(path))

    def annotation(self, index: int) -> dict[str, Any]:
        """Return item ``index``'s parsed XML without opening its image (beyond torchvision: a report or an index
        of thousands of items reads only the small XML files). No transform is applied.

        Raises:
            VOCAnnotationError: if the XML file is malformed or declares a DOCTYPE or entities.
        """
        return self._load_target(self.targets[index])

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Return ``(image, annotation)``: a PIL RGB image and its parsed XML, both transformed if set.

        Raises:
            VOCAnnotationError: if the XML file is malformed or declares a DOCTYPE or entities.
        """
        return super().__getitem__(index)

    @staticmethod
    def parse_voc_xml(node: ET.Element) -> dict[str, Any]:
        """Turn an XML element into nested dicts, as torchvision does.

        An element with children becomes ``{tag: {child_tag: value, ...}}``; a child tag seen more than once gives
        a list of values, in document order. A leaf becomes ``{tag: stripped_text}``, or ``{}`` when it has no text
        at all (so ``<pose/>`` leaves no key). Inside ``<annotation>``, ``"object"`` is always a list: one entry
        per object, empty for an image without objects. Attributes and text beside child elements are ignored.

        Args:
            node (Element): usually the root ``<annotation>`` element.

        Returns:
            dict[str, Any]: e.g. ``{"annotation": {"filename": "a.jpg", "object": [{"name": "dog", ...}], ...}}``.
        """
        children = list(node)
        if not children:
            return {node.tag: node.text.strip()} if node.text else {}
        fields: dict[str, list[Any]] = {}
        for child in children:
            for tag, value in VOCDetection.parse_voc_xml(child).items():
                fields.setdefault(tag, []).append(value)
        if node.tag == "annotation":
            # Wrapped once more so that unwrapping single values below still leaves a list of objects.
            fields["object"] = [fields.get("object", [])]
        return {node.tag: {tag: values[0] if len(values) == 1 else values for tag, values in fields.items()}}


def _read_xml(path: str) -> ET.Element:
    """Parse an annotation file, refusing DOCTYPE and entity declarations (the way to an entity-expansion bomb)."""
    with open(path, "rb") as f:
        data = f.read()
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise VOCAnnotationError(f"{path}: refusing an annotation file with a <!DOCTYPE> or <!ENTITY> declaration")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        error = VOCAnnotationError(f"{path}: not a readable XML annotation ({exc})")
        error.code, error.position = exc.code, exc.position
        raise error from exc
