"""Small detection sets in their real on-disk formats (VOC, COCO, YOLO), written by the tests, each with a few of
the problems real sets have: a truncated XML, an annotation pointing at a missing image, a NaN box, a crowd RLE, a
YOLO line with four numbers. Images are real JPEG/PNG files with a filled rectangle where each object is."""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw

COLORS = [(220, 40, 40), (40, 160, 60), (40, 80, 220), (230, 200, 30)]


def _picture(path: Path, size: tuple[int, int], boxes: list[tuple[float, float, float, float]]) -> None:
    image = Image.new("RGB", size, (90, 90, 90))
    pen = ImageDraw.Draw(image)
    for number, box in enumerate(boxes):
        if all(math.isfinite(v) for v in box):
            pen.rectangle(box, fill=COLORS[number % len(COLORS)])
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)


def voc(root: Path) -> Path:
    """``root/VOCdevkit/VOC2012``: 2007_000001 (dog + cat, with a SegmentationObject map), 2007_000002 (a person
    whose XML is truncated), 2007_000003 (no objects), 2007_000004 (an object named outside VOC's 20 classes).
    Returns ``root``."""
    base = root / "VOCdevkit" / "VOC2012"
    objects = {
        "2007_000001": [("dog", (10, 12, 60, 50)), ("cat", (70, 20, 110, 70))],
        "2007_000002": [("person", (5, 5, 40, 70))],
        "2007_000003": [],
        "2007_000004": [("forklift", (20, 20, 90, 60))],
    }
    for name, found in objects.items():
        _picture(base / "JPEGImages" / f"{name}.jpg", (120, 80), [box for _, box in found])
        parts = "".join(
            f"<object><name>{label}</name><pose>Unspecified</pose><truncated>0</truncated><difficult>0</difficult>"
            f"<bndbox><xmin>{b[0]}</xmin><ymin>{b[1]}</ymin><xmax>{b[2]}</xmax><ymax>{b[3]}</ymax></bndbox></object>"
            for label, b in found
        )
        xml = (
            f"<annotation><folder>VOC2012</folder><filename>{name}.jpg</filename><size><width>120</width>"
            f"<height>80</height><depth>3</depth></size><segmented>0</segmented>{parts}</annotation>"
        )
        if name == "2007_000002":
            xml = xml[: len(xml) // 2]
        (base / "Annotations").mkdir(parents=True, exist_ok=True)
        (base / "Annotations" / f"{name}.xml").write_text(xml, encoding="utf-8")
    ids = Image.new("L", (120, 80), 0)
    pen = ImageDraw.Draw(ids)
    pen.rectangle((10, 12, 60, 50), fill=1)
    pen.ellipse((70, 20, 110, 70), fill=2)
    (base / "SegmentationObject").mkdir(parents=True, exist_ok=True)
    ids.save(base / "SegmentationObject" / "2007_000001.png")
    (base / "ImageSets" / "Main").mkdir(parents=True, exist_ok=True)
    (base / "ImageSets" / "Main" / "train.txt").write_text("\n".join(objects) + "\n", encoding="utf-8")
    (base / "ImageSets" / "Main" / "val.txt").write_text("2007_000001\n", encoding="utf-8")
    return root


def coco_document() -> dict:
    """An instances file: 5 images (b.jpg has no objects, d.jpg is not on disk), 2 categories, polygons, a crowd
    RLE (uncompressed), a NaN box and a box reaching outside its image."""
    images = [
        {"id": i + 1, "file_name": name, "width": 96, "height": 64}
        for i, name in enumerate(["a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg"])
    ]
    square = [[10.0, 10.0, 40.0, 10.0, 40.0, 40.0, 10.0, 40.0]]
    # Column-major runs of a 64x96 canvas: 20 columns (x 50..69) of rows 5..34 are set.
    runs = [50 * 64 + 5]
    for _ in range(19):
        runs += [30, 34]
    runs += [30, 64 * 96 - sum(runs) - 30]
    annotations = [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 30, 30], "area": 900, "iscrowd": 0,
         "segmentation": square},
        {"id": 2, "image_id": 1, "category_id": 2, "bbox": [50, 5, 20, 30], "area": 600, "iscrowd": 1,
         "segmentation": {"counts": runs, "size": [64, 96]}},
        {"id": 3, "image_id": 3, "category_id": 2, "bbox": [60, 30, 50, 20], "area": 1000, "iscrowd": 0,
         "segmentation": [[60.0, 30.0, 95.0, 30.0, 95.0, 50.0, 60.0, 50.0]]},
        {"id": 4, "image_id": 3, "category_id": 1, "bbox": [float("nan"), 4, 10, 10], "area": 100, "iscrowd": 0,
         "segmentation": []},
        {"id": 5, "image_id": 4, "category_id": 1, "bbox": [5, 5, 20, 20], "area": 400, "iscrowd": 0,
         "segmentation": square},
        {"id": 6, "image_id": 5, "category_id": 2, "bbox": [30, 20, 25, 25], "area": 625, "iscrowd": 0,
         "segmentation": [[30.0, 20.0, 55.0, 20.0, 55.0, 45.0, 30.0, 45.0]]},
    ]  # fmt: skip
    categories = [{"id": 1, "name": "apple", "supercategory": "fruit"}, {"id": 2, "name": "pear"}]
    return {"images": images, "annotations": annotations, "categories": categories}


def coco(root: Path) -> Path:
    """``root/annotations/instances_val2017.json`` and ``root/val2017/`` (d.jpg missing). Returns ``root``."""
    document = coco_document()
    (root / "annotations").mkdir(parents=True, exist_ok=True)
    (root / "annotations" / "instances_val2017.json").write_text(json.dumps(document), encoding="utf-8")
    for image in document["images"]:
        if image["file_name"] == "d.jpg":
            continue
        boxes = [a["bbox"] for a in document["annotations"] if a["image_id"] == image["id"]]
        xyxy = [(x, y, x + w, y + h) for x, y, w, h in boxes]
        _picture(root / "val2017" / image["file_name"], (96, 64), xyxy)
    return root


def yolo(root: Path) -> Path:
    """``root/data.yaml`` with 3 names, ``images/train`` (3 PNGs) and ``labels/train``: p1 has two objects, p2 none
    (no label file), p3 a line with four numbers. Returns ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "data.yaml").write_text("path: .\ntrain: images/train\nnames:\n  0: boat\n  1: buoy\n  2: gull\n")
    labels = {"p1": "0 0.25 0.5 0.3 0.4\n2 0.75 0.25 0.2 0.2\n", "p3": "1 0.5 0.5 0.2\n"}
    for stem in ("p1", "p2", "p3"):
        _picture(root / "images" / "train" / f"{stem}.png", (100, 60), [(10, 18, 40, 42)] if stem == "p1" else [])
        if stem in labels:
            (root / "labels" / "train").mkdir(parents=True, exist_ok=True)
            (root / "labels" / "train" / f"{stem}.txt").write_text(labels[stem])
    return root


def zipped(folder: Path, archive: Path, top: str | None = None) -> bytes:
    """``folder`` as a zip (its contents under ``top/`` when given), the way a user zips a dataset."""
    with zipfile.ZipFile(archive, "w") as packed:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(folder).as_posix()
                packed.write(path, f"{top}/{name}" if top else name)
    return archive.read_bytes()
