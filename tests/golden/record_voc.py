"""Build a small VOC tree and record what torchvision's VOCDetection and VOCSegmentation return on it, for
tests/test_voc.py.

Run with a venv that has torchvision 0.29.1: ``python tests/golden/record_voc.py`` builds the tree with
:func:`build_voc_tree` in a temporary folder and writes ``tests/golden/voc.json``:

- ``cases``: for each :data:`CASES` entry (class name, year, image_set), the dataset's length and, per item, the
  image's mode and size and the target: the parsed annotation dict for detection; the mask's mode, size, palette
  and pixel rows for segmentation.
- ``errors``: for each :data:`BAD_ARGUMENTS` entry, the exception type and message torchvision raised.

The test builds the same tree with :func:`build_voc_tree` and compares visionkit's datasets with the file. The
JPEG pixels are not recorded (decoders may differ by a level between Pillow builds): the test compares them with
the decoded file instead.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import PIL.Image

OUT = Path(__file__).with_name("voc.json")
SIZE = (40, 30)  # width, height of every image

ANNOTATIONS: dict[str, str] = {
    # One object with every usual field.
    "2012_000001": """<annotation>
	<folder>VOC2012</folder>
	<filename>2012_000001.jpg</filename>
	<source>
		<database>The VOC2012 Database</database>
		<annotation>PASCAL VOC2012</annotation>
		<image>flickr</image>
	</source>
	<size>
		<width>40</width>
		<height>30</height>
		<depth>3</depth>
	</size>
	<segmented>1</segmented>
	<object>
		<name>dog</name>
		<pose>Left</pose>
		<truncated>0</truncated>
		<difficult>0</difficult>
		<bndbox>
			<xmin>3</xmin>
			<ymin>4</ymin>
			<xmax>30</xmax>
			<ymax>25</ymax>
		</bndbox>
	</object>
</annotation>
""",
    # Several objects: a difficult one, one with a single part, one with two parts, actions and a point.
    "2012_000002": """<?xml version="1.0" encoding="utf-8"?>
<annotation>
  <filename>2012_000002.jpg</filename>
  <size><width>40</width><height>30</height><depth>3</depth></size>
  <segmented>1</segmented>
  <object>
    <name>person</name>
    <pose>Frontal</pose>
    <truncated>1</truncated>
    <difficult>1</difficult>
    <bndbox><xmin>1</xmin><ymin>2</ymin><xmax>20</xmax><ymax>28</ymax></bndbox>
    <part>
      <name>head</name>
      <bndbox><xmin>5</xmin><ymin>2</ymin><xmax>12</xmax><ymax>9</ymax></bndbox>
    </part>
    <part>
      <name>hand</name>
      <bndbox><xmin>2</xmin><ymin>14</ymin><xmax>5</xmax><ymax>18</ymax></bndbox>
    </part>
    <actions><jumping>1</jumping><other>0</other></actions>
    <point><x>10</x><y>15</y></point>
  </object>
  <object>
    <name>person</name>
    <difficult>0</difficult>
    <bndbox><xmin>22</xmin><ymin>3</ymin><xmax>39</xmax><ymax>29</ymax></bndbox>
    <part>
      <name>foot</name>
      <bndbox><xmin>25</xmin><ymin>26</ymin><xmax>30</xmax><ymax>29</ymax></bndbox>
    </part>
  </object>
  <object>
    <name>bottle</name>
    <truncated>0</truncated>
    <difficult>0</difficult>
    <bndbox><xmin>33.5</xmin><ymin>10</ymin><xmax>37</xmax><ymax>20</ymax></bndbox>
  </object>
</annotation>
""",
    # An image without objects.
    "2012_000003": """<annotation>
	<filename>2012_000003.jpg</filename>
	<size><width>40</width><height>30</height><depth>3</depth></size>
	<segmented>0</segmented>
</annotation>
""",
    # Odd but valid XML: empty and blank leaves, attributes, a comment, text beside children, non-ASCII text.
    "2012_000004": """<?xml version="1.0" encoding="utf-8"?>
<annotation verified="yes">
  stray text
  <!-- a comment -->
  <filename>  2012_000004.jpg  </filename>
  <owner><name>Zoë Ünal</name><flickrid/></owner>
  <size><width>40</width><height>30</height><depth>3</depth></size>
  <object>
    <name>cat</name>
    <pose/>
    <truncated>   </truncated>
    <difficult>0</difficult>
    <bndbox unit="px"><xmin>0</xmin><ymin>0</ymin><xmax>39</xmax><ymax>29</ymax></bndbox>
  </object>
</annotation>
""",
}
# The 2007 test set lives in the same VOC2007 folder as its trainval set.
ANNOTATIONS_2007 = {"000001": ANNOTATIONS["2012_000001"], "000002": ANNOTATIONS["2012_000003"]}

MAIN_SPLITS = {
    "train": ["2012_000001", "2012_000002", "2012_000003", "2012_000004"],
    "val": ["2012_000002"],
    "trainval": ["2012_000001", "2012_000002", "2012_000003", "2012_000004", "2012_000002"],
}
SEGMENTATION_SPLITS = {"train": ["2012_000001", "2012_000002"], "val": ["2012_000002"]}

CASES = [
    ("VOCDetection", "2012", "train"),
    ("VOCDetection", "2012", "val"),
    ("VOCDetection", "2012", "trainval"),
    ("VOCSegmentation", "2012", "train"),
    ("VOCSegmentation", "2012", "val"),
    ("VOCDetection", "2007", "test"),
]
BAD_ARGUMENTS: list[dict[str, Any]] = [
    {"year": "2013"},
    {"year": "2006"},
    {"year": 2012},
    {"image_set": "test"},
    {"image_set": "Train"},
    {"year": "2008", "image_set": "test"},
    {"image_set": ["train"]},
]


def _image(seed: int) -> PIL.Image.Image:
    """A smooth colour image (JPEG-friendly), different per seed."""
    width, height = SIZE
    yy, xx = np.mgrid[0:height, 0:width]
    rgb = np.stack([xx * 6 + seed * 20, yy * 8, (xx + yy) * 3 + seed * 40], axis=-1) % 256
    return PIL.Image.fromarray(rgb.astype(np.uint8), "RGB")


def _mask(seed: int) -> PIL.Image.Image:
    """A palette mask like VOC's: background 0, two classes, a 255 border around each region."""
    width, height = SIZE
    classes = np.zeros((height, width), dtype=np.uint8)
    classes[4 + seed : 20, 3:18] = 12
    classes[10:27, 22 : 36 - seed] = 15
    border = np.zeros_like(classes, dtype=bool)
    border[:, 1:] |= classes[:, 1:] != classes[:, :-1]
    border[1:, :] |= classes[1:, :] != classes[:-1, :]
    classes[border] = 255
    mask = PIL.Image.fromarray(classes, "L").convert("P")
    mask.putpalette([value for index in range(256) for value in (index * 3 % 256, index * 7 % 256, index * 11 % 256)])
    return mask


def _write_devkit(
    voc: Path, annotations: dict[str, str], main: dict[str, list[str]], seg: dict[str, list[str]]
) -> None:
    for folder in ("Annotations", "JPEGImages", "SegmentationClass", "ImageSets/Main", "ImageSets/Segmentation"):
        (voc / folder).mkdir(parents=True, exist_ok=True)
    for seed, (name, xml) in enumerate(annotations.items()):
        (voc / "Annotations" / f"{name}.xml").write_text(xml, encoding="utf-8")
        _image(seed).save(voc / "JPEGImages" / f"{name}.jpg", quality=90)
    for seed, name in enumerate(sorted({name for names in seg.values() for name in names})):
        _mask(seed).save(voc / "SegmentationClass" / f"{name}.png")
    for folder, splits in (("Main", main), ("Segmentation", seg)):
        for split, names in splits.items():
            (voc / "ImageSets" / folder / f"{split}.txt").write_text("".join(f"{name}\n" for name in names))


def build_voc_tree(root: Path) -> Path:
    """Write ``root/VOCdevkit/VOC2012`` (and a small ``VOC2007`` with a test split); return ``root``."""
    _write_devkit(root / "VOCdevkit" / "VOC2012", ANNOTATIONS, MAIN_SPLITS, SEGMENTATION_SPLITS)
    _write_devkit(root / "VOCdevkit" / "VOC2007", ANNOTATIONS_2007, {"test": list(ANNOTATIONS_2007)}, {})
    return root


def describe_item(image: PIL.Image.Image, target: Any) -> dict[str, Any]:
    """What the golden file keeps of one ``(image, target)`` item."""
    item: dict[str, Any] = {"image_mode": image.mode, "image_size": list(image.size)}
    if isinstance(target, PIL.Image.Image):
        item["mask"] = {
            "mode": target.mode,
            "size": list(target.size),
            "palette": list(target.getpalette() or []),
            "rows": np.asarray(target).tolist(),
        }
    else:
        item["annotation"] = target
    return item


def main() -> None:
    import torchvision.datasets as tvd

    cases: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = build_voc_tree(Path(tmp))
        for cls, year, image_set in CASES:
            ds = getattr(tvd, cls)(str(root), year=year, image_set=image_set)
            items = [describe_item(*ds[i]) for i in range(len(ds))]
            cases[f"{cls}-{year}-{image_set}"] = {"len": len(ds), "items": items}
        for kwargs in BAD_ARGUMENTS:
            try:
                tvd.VOCDetection(str(root), **kwargs)
            except Exception as exc:
                errors.append({"kwargs": kwargs, "type": type(exc).__name__, "message": str(exc)})
            else:
                raise AssertionError(f"torchvision accepted {kwargs}")
        try:
            tvd.VOCDetection(str(Path(tmp) / "missing"))
        except RuntimeError as exc:
            missing = str(exc)
    OUT.write_text(json.dumps({"cases": cases, "errors": errors, "missing": missing}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
