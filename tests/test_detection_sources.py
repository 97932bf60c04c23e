"""Detection sets as the Datasets page opens them (vkapp.detection): VOC, COCO and YOLO folders and uploads in their
real formats, the embedded sample, the files that cannot be read, the filters, the tiles and the report."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests import detection_sets
from visionkit import datasets
from vkapp import detection, sources


def opened(root: Path, subset: str | None = None) -> detection.DetectionSet:
    layout = detection.layout_in(root)
    return detection.open_set(layout, subset or layout.subsets[0])


class TestLayouts:
    def test_each_format_is_recognised_with_its_subsets(self, tmp_path: Path) -> None:
        voc = detection.layout_in(detection_sets.voc(tmp_path / "v"))
        coco = detection.layout_in(detection_sets.coco(tmp_path / "c"))
        yolo = detection.layout_in(detection_sets.yolo(tmp_path / "y"))
        assert (voc.kind, voc.subsets) == ("voc", ("2012 train", "2012 val"))
        assert (coco.kind, coco.subsets) == ("coco", ("annotations/instances_val2017.json",))
        assert (yolo.kind, yolo.subsets) == ("yolo", ("train",))

    def test_voc_is_found_from_its_devkit_or_year_folder(self, tmp_path: Path) -> None:
        root = detection_sets.voc(tmp_path / "v")
        for folder in (root / "VOCdevkit", root / "VOCdevkit" / "VOC2012"):
            assert detection.find_layout(folder).root == root

    def test_a_folder_without_a_set_says_what_each_format_needs(self, tmp_path: Path) -> None:
        (tmp_path / "photos" / "cats").mkdir(parents=True)
        with pytest.raises(sources.SourceError, match=r"VOCdevkit.*annotations/\*\.json.*data\.yaml") as caught:
            detection.layout_in(tmp_path / "photos")
        assert "'photos'" in str(caught.value)

    def test_annotation_files_above_the_limit_are_not_offered(self, tmp_path: Path, monkeypatch) -> None:
        root = detection_sets.coco(tmp_path / "c")
        (root / "annotations" / "instances_train2017.json").write_text(json.dumps({"images": [], "pad": "x" * 4000}))
        monkeypatch.setattr(detection, "MAX_ANNOTATION_BYTES", 3000)
        layout = detection.find_layout(root)
        assert layout.subsets == ("annotations/instances_val2017.json",)
        assert layout.too_large == ("annotations/instances_train2017.json",)
        monkeypatch.setattr(detection, "MAX_ANNOTATION_BYTES", 10)
        with pytest.raises(sources.SourceError, match="larger than the 0 MB"):
            detection.find_layout(root)

    def test_coco_image_folder_follows_the_annotation_file(self, tmp_path: Path) -> None:
        root = detection_sets.coco(tmp_path / "c")
        assert detection.coco_image_root(root, "annotations/instances_val2017.json") == root / "val2017"
        assert detection.coco_image_root(root, "annotations/instances_train2017.json") == root


class TestSets:
    def test_voc_records_equal_the_xml_and_a_truncated_file_is_named(self, tmp_path: Path) -> None:
        root = detection_sets.voc(tmp_path / "v")
        found = opened(root)
        library = datasets.VOCDetection(str(root), year="2012", image_set="train")
        first = library[0][1]["annotation"]["object"]
        assert found.records[0].boxes.tolist() == [
            [float(o["bndbox"][k]) for k in ("xmin", "ymin", "xmax", "ymax")] for o in first
        ]
        assert [found.class_name(v) for v in found.records[0].labels] == [o["name"] for o in first]
        assert len(found.problems) == 1 and "2007_000002.xml" in found.problems[0]
        assert found.records[1].problem and not found.records[1].labels
        assert found.class_name(found.records[3].labels[0]) == "forklift"  # a class beyond VOC's 20 keeps its name
        assert str(tmp_path) not in " ".join(found.problems)

    def test_coco_records_follow_the_index_and_a_missing_image_is_named(self, tmp_path: Path) -> None:
        found = opened(detection_sets.coco(tmp_path / "c"))
        document = detection_sets.coco_document()
        assert [r.name for r in found.records] == [i["file_name"] for i in document["images"]]
        assert found.records[0].boxes.tolist() == [[10, 10, 40, 40], [50, 5, 70, 35]]
        assert found.records[0].crowd == [False, True]
        assert found.problems == ["instances_val2017.json: image d.jpg (id 4) is missing"]
        assert np.isnan(found.records[2].boxes[1, 0])

    def test_yolo_line_with_four_numbers_is_named_by_file_and_line(self, tmp_path: Path) -> None:
        found = opened(detection_sets.yolo(tmp_path / "y"))
        assert found.problems == ["labels/train/p3.txt line 1: expected 5 numbers `class cx cy w h`, got 4"]
        np.testing.assert_allclose(found.records[0].boxes, [[10, 18, 40, 42], [65, 9, 85, 21]], rtol=1e-9)
        assert [found.class_name(v) for v in found.records[0].labels] == ["boat", "gull"]
        assert found.records[1].labels == [] and found.records[1].problem is None

    def test_json_that_is_not_coco_is_refused_naming_the_file(self, tmp_path: Path) -> None:
        (tmp_path / "c" / "annotations").mkdir(parents=True)
        (tmp_path / "c" / "annotations" / "labels.json").write_text(json.dumps([1, 2, 3]))
        with pytest.raises(sources.SourceError, match=r"labels\.json cannot be opened: .*not a COCO annotation file"):
            opened(tmp_path / "c")

    def test_coco_file_name_leaving_the_image_folder_is_not_read(self, tmp_path: Path) -> None:
        root = detection_sets.coco(tmp_path / "c")
        path = root / "annotations" / "instances_val2017.json"
        document = json.loads(path.read_text())
        document["images"][0]["file_name"] = "../../secret.jpg"
        path.write_text(json.dumps(document))
        Image.new("RGB", (4, 4)).save(tmp_path / "secret.jpg")
        found = opened(root)
        assert "outside the image folder" in found.records[0].problem
        assert detection.tile(found, 0).image is None


class TestFiltersAndReport:
    def test_filters_by_class_and_by_finding(self, tmp_path: Path) -> None:
        found = opened(detection_sets.coco(tmp_path / "c"))
        report = detection.build_report(found)
        pear = next(k for k, v in found.classes.items() if v == "pear")
        assert detection.matching(found, [pear], "all", None) == [0, 2, 4]
        assert detection.matching(found, None, "empty", None) == [1]
        assert detection.matching(found, None, "crowd", None) == [0]
        assert detection.matching(found, None, "unreadable", None) == [3]
        assert detection.matching(found, None, "nan_box", report) == [2]
        assert detection.matching(found, None, "outside_image", report) == [2]
        assert detection.matching(found, [pear], "nan_box", report) == [2]
        with pytest.raises(ValueError, match="needs the annotation report"):
            detection.matching(found, None, "tiny_box", None)

    def test_report_of_a_folder_set_leaves_the_unreadable_file_out(self, tmp_path: Path) -> None:
        found = opened(detection_sets.yolo(tmp_path / "y"))
        report = detection.build_report(found)
        assert report.num_images == 2 and report.objects_per_class == {"boat": 1, "gull": 1}
        assert report.images_without_objects == ["p2.png"]

    def test_object_rows_carry_the_findings_of_each_object(self, tmp_path: Path) -> None:
        found = opened(detection_sets.coco(tmp_path / "c"))
        rows = detection.object_rows(found, 2, detection.build_report(found))
        assert [r["id"] for r in rows] == ["3", "4"]
        assert "96 x 64 image" in rows[0]["findings"]
        assert rows[1]["findings"]

    def test_one_report_job_per_set(self, tmp_path: Path) -> None:
        found = opened(detection_sets.coco(tmp_path / "c"))
        key = ("test", str(tmp_path))
        first = detection.report_job(key, found)
        assert detection.report_job(key, found) is first  # a second click joins the running report
        first.thread.join(30)
        assert first.report is not None and first.report.num_images == 5
        detection.forget_report(key)


class TestTiles:
    def test_boxes_are_drawn_in_the_class_colour_where_the_object_is(self, tmp_path: Path) -> None:
        found = opened(detection_sets.yolo(tmp_path / "y"))
        shown = detection.tile(found, 0, show_masks=False)
        plain = detection.load_image(found, 0, (320, 240))[0]
        pixels, before = np.asarray(shown.image), np.asarray(plain)
        assert shown.image.size == (320, 240) and shown.caption == "p1.png · 2 objects"
        # the 100x60 image is enlarged 3.2x and centred: the boat box's left edge is at x = 32, y from 57.6 + 24
        top = (240 - plain.height) // 2
        edge = pixels[top + 90, 32]
        colour = Image.new("RGB", (1, 1), detection.annotated.class_color(0, found.classes)).getpixel((0, 0))
        assert tuple(edge) == colour and tuple(before[90, 32]) != colour

    def test_masks_are_tinted_and_crowd_regions_hatched(self, tmp_path: Path) -> None:
        found = opened(detection_sets.coco(tmp_path / "c"))
        with_masks = np.asarray(detection.tile(found, 0, show_masks=True).image).astype(int)
        without = np.asarray(detection.tile(found, 0, show_masks=False).image).astype(int)
        changed = np.abs(with_masks - without).sum(-1) > 0
        scale = 320 / 96
        top = (240 - round(64 * scale)) // 2
        inside = changed[top + round(20 * scale) : top + round(30 * scale), round(18 * scale) : round(32 * scale)]
        crowd = changed[top + round(12 * scale) : top + round(28 * scale), round(53 * scale) : round(67 * scale)]
        assert inside.all()  # the polygon's object is tinted throughout
        assert 0.3 < crowd.mean() < 0.7  # the crowd region is striped

    def test_an_unreadable_image_gives_a_message_not_an_exception(self, tmp_path: Path) -> None:
        root = detection_sets.coco(tmp_path / "c")
        (root / "val2017" / "e.jpg").write_bytes(b"not a jpeg")
        found = opened(root)
        shown = detection.tile(found, 4)
        assert shown.image is None and "e.jpg" in shown.error and str(tmp_path) not in shown.error
        assert detection.tile(found, 3).error == "instances_val2017.json: image d.jpg (id 4) is missing"

    def test_sample_has_masks_and_hands_its_objects_to_the_previews(self) -> None:
        found = detection.open_sample()
        assert len(found) == 10 and found.has_masks and not found.problems
        coffee = next(i for i, r in enumerate(found.records) if r.name == "food/coffee.jpg")
        image = Image.open(found.records[coffee].path).convert("RGB").resize((256, 170))
        objects = detection.preview_annotations(found, coffee, image)
        assert [found.class_name(v) for v in objects.labels] == ["cup", "spoon", "saucer"]
        ids = np.asarray(Image.open(io.BytesIO(objects.instance_ids)))
        assert set(np.unique(ids)) == {0, 1, 2, 3}

    def test_scores_of_a_results_file_are_drawn_beside_the_class(self, tmp_path: Path) -> None:
        root = detection_sets.coco(tmp_path / "c")
        path = root / "annotations" / "instances_val2017.json"
        document = json.loads(path.read_text())
        document["annotations"][5]["score"] = 0.875
        path.write_text(json.dumps(document))
        found = opened(root)
        assert found.records[4].scores == [0.875]
        assert detection.box_label("pear", False, 0.875) == "pear 0.88"
        assert detection.object_rows(found, 4, None)[0]["score"] == 0.875
        plain = opened(detection_sets.coco(tmp_path / "d"))
        drawn = np.asarray(detection.tile(found, 4, show_masks=False).image)
        assert (drawn != np.asarray(detection.tile(plain, 4, show_masks=False).image)).any()  # the longer label


class TestUploads:
    @pytest.mark.parametrize("kind", ["voc", "coco", "yolo"])
    def test_a_zipped_set_opens_like_the_folder(self, data: Path, tmp_path: Path, kind: str) -> None:
        folder = getattr(detection_sets, kind)(tmp_path / kind)
        name = detection.save_upload(f"{kind}.zip", detection_sets.zipped(folder, tmp_path / "a.zip", top="mine"))
        found = detection.open_source("detection_upload", name, None)
        assert len(found) == len(opened(folder))

    def test_a_voc_year_zipped_without_its_devkit_opens(self, data: Path, tmp_path: Path) -> None:
        root = detection_sets.voc(tmp_path / "v")
        packed = detection_sets.zipped(root / "VOCdevkit", tmp_path / "a.zip")
        found = detection.open_source("detection_upload", detection.save_upload("voc.zip", packed), None)
        assert found.title == "VOC2012 · train" and len(found) == 4

    def test_a_zip_without_annotations_is_refused_and_nothing_is_kept(self, data: Path, tmp_path: Path) -> None:
        (tmp_path / "f" / "cats").mkdir(parents=True)
        Image.new("RGB", (4, 4)).save(tmp_path / "f" / "cats" / "a.png")
        with pytest.raises(sources.SourceError, match=r"holds no data\.yaml"):
            detection.save_upload("cats.zip", detection_sets.zipped(tmp_path / "f", tmp_path / "a.zip"))
        assert not [p for p in (data / "uploads").iterdir() if not p.name.startswith(".")]

    def test_a_zip_with_a_json_that_is_not_a_set_is_refused(self, data: Path, tmp_path: Path) -> None:
        (tmp_path / "f").mkdir()
        (tmp_path / "f" / "notes.txt").write_text("hi")
        (tmp_path / "f" / "sub").mkdir()
        (tmp_path / "f" / "sub" / "config.json").write_text("{}")
        with pytest.raises(sources.SourceError, match="No detection set found"):
            detection.save_upload("x.zip", detection_sets.zipped(tmp_path / "f", tmp_path / "a.zip"))

    def test_server_folder_outside_the_data_roots_is_refused(self, data: Path, tmp_path: Path) -> None:
        outside = detection_sets.yolo(tmp_path / "elsewhere")
        with pytest.raises(ValueError, match="outside"):
            detection.open_source("detection_folder", str(outside), None)
        inside = detection_sets.yolo(data / "boats")
        assert detection.candidate_sets() == [inside]
