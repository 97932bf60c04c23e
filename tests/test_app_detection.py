"""The Datasets page on detection sets under Streamlit's AppTest: the embedded sample, VOC/COCO/YOLO folders and
uploads, filters, the opened image, the annotation report and the handoff to the Augmentation page."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests import detection_sets
from vkapp import detection

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def open_source(key: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.selectbox(key="ds_source").set_value(key).run()
    assert not at.exception, at.exception
    return at


def open_folder(at: AppTest, folder: Path) -> AppTest:
    at.selectbox(key="ds_det_folder_choice").set_value(str(folder)).run()
    assert not at.exception, at.exception
    return at


def tile_captions(at: AppTest) -> list[str]:
    return [c for image in at.image for c in image.captions if c]


def wait_for_report(at: AppTest) -> AppTest:
    """Rerun until the background report is done (the page shows its progress meanwhile)."""
    for _ in range(100):
        if not any("Checking the annotations" in p.proto.text for p in at.get("progress")):
            return at
        at.run()
    raise AssertionError("the report did not finish")


class TestSample:
    def test_sample_grid_shows_every_photo_with_its_object_count(self, data: Path) -> None:
        at = open_source("detection_sample")
        shown = tile_captions(at)
        assert len(shown) == 10 and "coffee.jpg · 3 objects" in shown
        assert any("10 images · 17 objects" in c.value for c in at.caption)

    def test_filter_by_class_keeps_the_images_that_have_it(self, data: Path) -> None:
        at = open_source("detection_sample")
        found = detection.open_sample()
        cup = next(k for k, v in found.classes.items() if v == "cup")
        at.multiselect(key="det_classes").set_value([cup]).run()
        assert tile_captions(at) == ["coffee.jpg · 3 objects"]

    def test_filter_images_without_objects(self, data: Path) -> None:
        at = open_source("detection_sample")
        at.selectbox(key="det_filter").set_value("empty").run()
        assert sorted(tile_captions(at)) == sorted(
            f"{name} · 0 objects" for name in ("hubble_deep_field.jpg", "brick.png", "grass.png", "gravel.png")
        )

    def test_opened_image_lists_its_objects_and_hands_it_to_the_augmentation_page(self, data: Path) -> None:
        at = open_source("detection_sample")
        coffee = next(i for i, r in enumerate(detection.open_sample().records) if r.name == "food/coffee.jpg")
        at.button(key=f"det_open_{coffee}").click().run()
        (table,) = [d.value for d in at.dataframe if "class" in d.value.columns]
        assert list(table["class"]) == ["cup", "spoon", "saucer"]
        at.button(key="det_augment").click().run()
        assert not at.exception, at.exception
        assert at.number_input(key="ag_index_detection").value == coffee
        previews = [c for image in at.image for c in image.captions if c.startswith("seed ")]
        assert len(previews) == 12


class TestFolders:
    def test_coco_folder_names_its_missing_image_and_reports_its_findings(self, data: Path) -> None:
        root = detection_sets.coco(data / "fruit")
        at = open_folder(open_source("detection_folder"), root)
        assert any("image d.jpg (id 4) is missing" in w.value for w in at.warning)
        assert any("is missing" in e.value for e in at.error)  # the tile of the missing image
        assert len(tile_captions(at)) == 4
        at.selectbox(key="det_filter").set_value("nan_box").run()
        wait_for_report(at)
        assert tile_captions(at) == ["c.jpg · 2 objects"]

    def test_report_tab_shows_the_findings_table_and_downloads(self, data: Path) -> None:
        root = detection_sets.coco(data / "fruit")
        at = open_folder(open_source("detection_folder"), root)
        at.session_state["det_tab"] = "Annotation report"
        at.run()
        wait_for_report(at)
        (findings,) = [d.value for d in at.dataframe if "kind" in d.value.columns]
        assert set(findings["image"]) == {"c.jpg", "d.jpg"}
        assert {"Boxes with NaN or infinite coordinates", "Boxes outside the image"} <= set(findings["kind"])
        labels = [b.label for b in at.get("download_button")]
        assert "Download the report (JSON)" in labels and "Download the findings (CSV)" in labels

    def test_voc_folder_with_a_truncated_xml_opens_the_rest(self, data: Path) -> None:
        root = detection_sets.voc(data / "voc")
        at = open_folder(open_source("detection_folder"), root)
        assert any("2007_000002.xml" in w.value for w in at.warning)
        assert "2007_000001.jpg · 2 objects" in tile_captions(at)
        at.selectbox(key="det_subset_voc").set_value("2012 val").run()
        assert tile_captions(at) == ["2007_000001.jpg · 2 objects"]

    def test_yolo_folder_names_the_malformed_line(self, data: Path) -> None:
        root = detection_sets.yolo(data / "boats")
        at = open_folder(open_source("detection_folder"), root)
        assert any("labels/train/p3.txt line 1" in w.value for w in at.warning)
        assert len(tile_captions(at)) == 3

    def test_json_that_is_not_coco_gets_a_message_without_server_paths(self, data: Path) -> None:
        (data / "broken" / "annotations").mkdir(parents=True)
        (data / "broken" / "annotations" / "x.json").write_text(json.dumps({"images": "no"}))
        at = open_source("detection_folder")
        at.selectbox(key="ds_det_folder_choice").set_value(str(data / "broken")).run()
        assert not at.exception
        assert any("x.json cannot be opened" in e.value and str(data) not in e.value for e in at.error)

    def test_path_outside_the_data_roots_is_refused(self, data: Path) -> None:
        at = open_source("detection_folder")
        at.selectbox(key="ds_det_folder_choice").select("Other path…").run()
        at.text_input(key="ds_det_folder_path").input("/etc").run()
        assert not at.exception
        assert at.error and not tile_captions(at)


class TestUpload:
    def test_uploaded_yolo_zip_opens(self, data: Path, tmp_path: Path) -> None:
        packed = detection_sets.zipped(detection_sets.yolo(tmp_path / "boats"), tmp_path / "b.zip", top="boats")
        at = open_source("detection_upload")
        at.file_uploader(key="ds_upload_det").upload("boats.zip", packed, "application/zip").run()
        assert not at.exception, at.exception
        assert len(tile_captions(at)) == 3

    def test_zip_without_annotations_gets_a_message(self, data: Path, tmp_path: Path) -> None:
        (tmp_path / "f").mkdir()
        (tmp_path / "f" / "readme.txt").write_text("no set here")
        at = open_source("detection_upload")
        packed = detection_sets.zipped(tmp_path / "f", tmp_path / "f.zip")
        at.file_uploader(key="ds_upload_det").upload("f.zip", packed, "application/zip").run()
        assert not at.exception
        assert any("holds no data.yaml" in e.value for e in at.error)
