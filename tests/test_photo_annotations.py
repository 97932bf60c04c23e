"""The hand-made COCO annotations of the sample photos are valid COCO and agree with the photos they describe."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

ASSETS = Path(__file__).resolve().parents[1] / "assets"
PHOTOS = ASSETS / "photos"
ANNOTATIONS = ASSETS / "annotations" / "photos_coco.json"
# Tolerance between a box and the extent of its polygons: boxes are written from the polygons, rounding aside.
BOX_TOLERANCE = 1.0
# COCO's documented person keypoint order (cocodataset.org, "Keypoint Detection" data format).
COCO_KEYPOINTS = [
    "nose",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
]

Point = tuple[float, float]


def load() -> dict[str, Any]:
    return json.loads(ANNOTATIONS.read_text(encoding="utf-8"))


DOC = load()
IMAGES = {image["id"]: image for image in DOC["images"]}
CATEGORIES = {category["id"]: category for category in DOC["categories"]}


def ann_id(annotation: dict[str, Any]) -> str:
    category = CATEGORIES.get(annotation["category_id"], {}).get("name", "?")
    return f"{annotation['id']}-{category}"


def polygons(annotation: dict[str, Any]) -> list[list[Point]]:
    return [list(zip(flat[0::2], flat[1::2], strict=True)) for flat in annotation["segmentation"]]


def shoelace(polygon: list[Point]) -> float:
    ring = zip(polygon, polygon[1:] + polygon[:1], strict=True)
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in ring)) / 2


def segments_cross(a: Point, b: Point, c: Point, d: Point) -> bool:
    """True when segments ab and cd properly intersect (cross at a point inside both)."""

    def side(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    d1, d2, d3, d4 = side(c, d, a), side(c, d, b), side(a, b, c), side(a, b, d)
    return d1 * d2 < 0 and d3 * d4 < 0


def is_simple(polygon: list[Point]) -> bool:
    edges = list(zip(polygon, polygon[1:] + polygon[:1], strict=True))
    for (i, e), (j, f) in itertools.combinations(enumerate(edges), 2):
        if j - i in (1, len(edges) - 1):
            continue  # neighbours share a vertex
        if segments_cross(*e, *f):
            return False
    return True


ANNOTATION_PARAMS = [pytest.param(a, id=ann_id(a)) for a in DOC["annotations"]]
PERSON_PARAMS = [
    pytest.param(a, id=ann_id(a)) for a in DOC["annotations"] if CATEGORIES[a["category_id"]]["name"] == "person"
]


class TestCocoStructure:
    def test_top_level_sections(self) -> None:
        assert set(DOC) == {"info", "licenses", "images", "annotations", "categories"}
        assert all(isinstance(DOC[key], list) and DOC[key] for key in ("licenses", "images", "categories"))

    @pytest.mark.parametrize("section", ["licenses", "images", "annotations", "categories"])
    def test_ids_unique(self, section: str) -> None:
        ids = [entry["id"] for entry in DOC[section]]
        assert all(isinstance(i, int) for i in ids)
        assert len(ids) == len(set(ids))

    def test_category_names_unique(self) -> None:
        names = [category["name"] for category in DOC["categories"]]
        assert len(names) == len(set(names))

    def test_image_licenses_exist(self) -> None:
        license_ids = {entry["id"] for entry in DOC["licenses"]}
        assert {image["license"] for image in DOC["images"]} <= license_ids

    def test_referenced_images_and_categories_exist(self) -> None:
        for annotation in DOC["annotations"]:
            assert annotation["image_id"] in IMAGES, ann_id(annotation)
            assert annotation["category_id"] in CATEGORIES, ann_id(annotation)

    def test_every_category_is_used(self) -> None:
        assert {a["category_id"] for a in DOC["annotations"]} == set(CATEGORIES)

    def test_some_image_has_no_objects(self) -> None:
        annotated = {a["image_id"] for a in DOC["annotations"]}
        assert set(IMAGES) - annotated, "at least one image should have no objects"


class TestImages:
    def test_lists_every_photo_once(self) -> None:
        on_disk = sorted(p.relative_to(PHOTOS).as_posix() for p in PHOTOS.glob("*/*") if p.is_file())
        assert sorted(image["file_name"] for image in DOC["images"]) == on_disk

    @pytest.mark.parametrize("image", DOC["images"], ids=lambda image: image["file_name"])
    def test_file_exists_with_stated_size(self, image: dict[str, Any]) -> None:
        path = PHOTOS / image["file_name"]
        assert path.is_file()
        with Image.open(path) as photo:
            assert photo.size == (image["width"], image["height"])


class TestAnnotations:
    @pytest.mark.parametrize("annotation", ANNOTATION_PARAMS)
    def test_bbox_positive_and_inside_image(self, annotation: dict[str, Any]) -> None:
        image = IMAGES[annotation["image_id"]]
        x, y, w, h = annotation["bbox"]
        assert w > 0 and h > 0
        assert x >= 0 and y >= 0
        assert x + w <= image["width"] and y + h <= image["height"]

    @pytest.mark.parametrize("annotation", ANNOTATION_PARAMS)
    def test_polygons_are_simple_and_fit_their_bbox(self, annotation: dict[str, Any]) -> None:
        assert annotation["iscrowd"] == 0
        assert annotation["segmentation"], "needs at least one polygon"
        for flat in annotation["segmentation"]:
            assert len(flat) % 2 == 0 and len(flat) >= 6
        points = [p for polygon in polygons(annotation) for p in polygon]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        extent = [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]
        assert extent == pytest.approx(annotation["bbox"], abs=BOX_TOLERANCE)
        assert all(is_simple(polygon) for polygon in polygons(annotation))

    @pytest.mark.parametrize("annotation", ANNOTATION_PARAMS)
    def test_area_is_polygon_area(self, annotation: dict[str, Any]) -> None:
        expected = sum(shoelace(polygon) for polygon in polygons(annotation))
        assert annotation["area"] == pytest.approx(expected, abs=0.01)
        assert annotation["area"] <= annotation["bbox"][2] * annotation["bbox"][3]


class TestPersonKeypoints:
    def test_person_category_follows_coco(self) -> None:
        (person,) = [c for c in DOC["categories"] if c["name"] == "person"]
        assert person["keypoints"] == COCO_KEYPOINTS
        edges = person["skeleton"]
        assert all(len(edge) == 2 and all(1 <= k <= len(COCO_KEYPOINTS) for k in edge) for edge in edges)
        assert len({tuple(sorted(edge)) for edge in edges}) == len(edges)

    def test_there_are_people(self) -> None:
        assert PERSON_PARAMS

    @pytest.mark.parametrize("annotation", PERSON_PARAMS)
    def test_keypoints_labelled_inside_box(self, annotation: dict[str, Any]) -> None:
        keypoints = annotation["keypoints"]
        assert len(keypoints) == 3 * len(COCO_KEYPOINTS)
        triples = list(zip(keypoints[0::3], keypoints[1::3], keypoints[2::3], strict=True))
        assert all(v in (0, 1, 2) for _, _, v in triples)
        assert annotation["num_keypoints"] == sum(v > 0 for _, _, v in triples) > 0
        image = IMAGES[annotation["image_id"]]
        x, y, w, h = annotation["bbox"]
        for name, (kx, ky, v) in zip(COCO_KEYPOINTS, triples, strict=True):
            if v == 0:
                assert (kx, ky) == (0, 0), f"{name} is not labelled but has a position"
                continue
            assert 0 <= kx < image["width"] and 0 <= ky < image["height"], name
            assert x <= kx <= x + w and y <= ky <= y + h, name

    def test_non_people_have_no_keypoints(self) -> None:
        for annotation in DOC["annotations"]:
            if CATEGORIES[annotation["category_id"]]["name"] != "person":
                assert "keypoints" not in annotation, ann_id(annotation)


def test_licenses_md_lists_the_annotations() -> None:
    licenses = (ASSETS / "LICENSES.md").read_text(encoding="utf-8")
    row = next(line for line in licenses.splitlines() if line.startswith("| `annotations/photos_coco.json`"))
    assert "CC0" in row
    assert "## Photo annotations" in licenses
