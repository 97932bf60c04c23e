"""VOCDetection and VOCSegmentation against what torchvision returned on the same small tree (recorded by
tests/golden/record_voc.py), plus downloads from a local server and refusal of broken or hostile annotation files."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import PIL.Image
import pytest

from visionkit.datasets import VOCDetection, VOCSegmentation, voc
from visionkit.datasets.utils import DownloadError

from .golden import record_voc as voc_tree

GOLDEN = json.loads((Path(__file__).parent / "golden" / "voc.json").read_text(encoding="utf-8"))
CLASSES = {"VOCDetection": VOCDetection, "VOCSegmentation": VOCSegmentation}


@pytest.fixture
def voc_root(tmp_path: Path) -> Path:
    return voc_tree.build_voc_tree(tmp_path / "data")


def _annotation_path(root: Path, name: str) -> Path:
    return root / "VOCdevkit" / "VOC2012" / "Annotations" / f"{name}.xml"


class TestAgainstTorchvision:
    @pytest.mark.parametrize("cls, year, image_set", voc_tree.CASES)
    def test_items(self, voc_root: Path, cls: str, year: str, image_set: str) -> None:
        expected = GOLDEN["cases"][f"{cls}-{year}-{image_set}"]
        ds = CLASSES[cls](voc_root, year=year, image_set=image_set)
        assert len(ds) == expected["len"]
        for index, want in enumerate(expected["items"]):
            image, target = ds[index]
            got = voc_tree.describe_item(image, target)
            assert got == want, f"item {index}"
            # Same key order as torchvision's dicts, not only the same content.
            assert json.dumps(got, ensure_ascii=False) == json.dumps(want, ensure_ascii=False)
            with PIL.Image.open(ds.images[index]) as stored:
                assert np.array_equal(np.asarray(image), np.asarray(stored.convert("RGB")))

    @pytest.mark.parametrize("case", GOLDEN["errors"], ids=lambda case: repr(case["kwargs"]))
    def test_bad_arguments_raise_like_torchvision(self, voc_root: Path, case: dict[str, Any]) -> None:
        assert case["type"] == "ValueError"
        with pytest.raises(ValueError) as info:
            VOCDetection(voc_root, **case["kwargs"])
        assert str(info.value) == case["message"]

    def test_missing_dataset(self, tmp_path: Path) -> None:
        with pytest.raises(RuntimeError) as info:
            VOCSegmentation(tmp_path)
        assert str(info.value) == GOLDEN["missing"]


class TestDataset:
    def test_paths_follow_the_devkit_layout(self, voc_root: Path) -> None:
        ds = VOCSegmentation(str(voc_root), image_set="val")
        voc2012 = voc_root / "VOCdevkit" / "VOC2012"
        assert ds.images == [str(voc2012 / "JPEGImages" / "2012_000002.jpg")]
        assert ds.masks == ds.targets == [str(voc2012 / "SegmentationClass" / "2012_000002.png")]
        det = VOCDetection(voc_root, image_set="val")
        assert det.annotations == [str(voc2012 / "Annotations" / "2012_000002.xml")]
        assert (det.year, det.image_set) == ("2012", "val")
        assert (det.url, det.filename, det.md5) == tuple(
            voc.DATASET_YEAR_DICT["2012"][k] for k in ("url", "filename", "md5")
        )

    def test_mask_keeps_the_palette_and_class_indices(self, voc_root: Path) -> None:
        _, mask = VOCSegmentation(voc_root)[0]
        assert mask.mode == "P"
        assert set(np.unique(np.asarray(mask)).tolist()) == {0, 12, 15, 255}

    def test_transforms(self, voc_root: Path) -> None:
        ds = VOCDetection(
            voc_root, transform=lambda img: img.size, target_transform=lambda t: len(t["annotation"]["object"])
        )
        assert ds[1] == (voc_tree.SIZE, 3)
        joint = VOCSegmentation(voc_root, transforms=lambda img, mask: (img.mode, mask.mode))
        assert joint[0] == ("RGB", "P")
        with pytest.raises(ValueError, match="Only transforms or transform/target_transform"):
            VOCDetection(voc_root, transform=str, transforms=lambda a, b: (a, b))

    def test_missing_split_list(self, voc_root: Path) -> None:
        (voc_root / "VOCdevkit" / "VOC2012" / "ImageSets" / "Segmentation" / "trainval.txt").unlink(missing_ok=True)
        with pytest.raises(FileNotFoundError, match=r"trainval\.txt"):
            VOCSegmentation(voc_root, image_set="trainval")

    def test_parse_voc_xml_is_a_static_method(self) -> None:
        parsed = VOCDetection.parse_voc_xml(ET.fromstring("<annotation><object><name>cow</name></object></annotation>"))
        assert parsed == {"annotation": {"object": [{"name": "cow"}]}}


class TestHostileAnnotations:
    @pytest.mark.parametrize(
        "text",
        [
            "",
            "<annotation><object><name>dog</name>",
            "<annotation><object></annotation>",
            "not xml at all",
        ],
        ids=["empty", "truncated", "mismatched", "garbage"],
    )
    def test_malformed_xml_names_the_file(self, voc_root: Path, text: str) -> None:
        path = _annotation_path(voc_root, "2012_000002")
        path.write_text(text)
        ds = VOCDetection(voc_root, image_set="val")
        with pytest.raises(ValueError, match=r"2012_000002\.xml") as info:
            ds[0]
        # Still the exception type torchvision raises here, for code that catches that.
        assert isinstance(info.value, ET.ParseError)

    @pytest.mark.parametrize(
        "prolog",
        [
            '<!DOCTYPE annotation [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
            '<!DOCTYPE annotation SYSTEM "file:///etc/passwd">',
        ],
        ids=["entity-expansion", "external-dtd"],
    )
    def test_doctype_and_entities_are_refused(self, voc_root: Path, prolog: str) -> None:
        path = _annotation_path(voc_root, "2012_000002")
        path.write_text(prolog + "<annotation><filename>&b;</filename></annotation>")
        ds = VOCDetection(voc_root, image_set="val")
        with pytest.raises(ValueError, match=r"2012_000002\.xml.*DOCTYPE"):
            ds[0]

    def test_other_items_still_load(self, voc_root: Path) -> None:
        _annotation_path(voc_root, "2012_000002").write_text("<annotation>")
        ds = VOCDetection(voc_root)
        assert ds[0][1]["annotation"]["filename"] == "2012_000001.jpg"
        with pytest.raises(ValueError):
            ds[1]


def _devkit_tar(tmp_path: Path) -> bytes:
    """A tar of a freshly built ``VOCdevkit/VOC2012``, the layout of the official archive."""
    tree = voc_tree.build_voc_tree(tmp_path / "to_pack")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.add(tree / "VOCdevkit" / "VOC2012", arcname="VOCdevkit/VOC2012")
    return buffer.getvalue()


class TestDownload:
    def _serve(self, local_server: Any, monkeypatch: pytest.MonkeyPatch, data: bytes, md5: str) -> str:
        path = "/pascal/VOCtrainval_11-May-2012.tar"
        local_server.add(path, data)
        entry = dict(voc.DATASET_YEAR_DICT["2012"], url=local_server.url(path), md5=md5)
        monkeypatch.setitem(voc.DATASET_YEAR_DICT, "2012", entry)
        return path

    def test_download_then_reopen(self, tmp_path: Path, local_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        data = _devkit_tar(tmp_path)
        path = self._serve(local_server, monkeypatch, data, hashlib.md5(data).hexdigest())
        root = tmp_path / "root"
        ds = VOCDetection(root, download=True)
        assert local_server.hits(path) == 1
        expected = GOLDEN["cases"]["VOCDetection-2012-train"]["items"]
        assert [ds[i][1] for i in range(len(ds))] == [item["annotation"] for item in expected]
        assert (root / "VOCtrainval_11-May-2012.tar").read_bytes() == data

        # Reopening needs no server, and download=True on a present split does not fetch again.
        assert len(VOCSegmentation(root)) == GOLDEN["cases"]["VOCSegmentation-2012-train"]["len"]
        assert len(VOCDetection(root, image_set="val", download=True)) == 1
        assert local_server.hits(path) == 1

    def test_wrong_md5_leaves_nothing_that_passes_as_data(
        self, tmp_path: Path, local_server: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        data = _devkit_tar(tmp_path)
        self._serve(local_server, monkeypatch, data, hashlib.md5(b"something else").hexdigest())
        root = tmp_path / "root"
        with pytest.raises(DownloadError, match="md5"):
            VOCDetection(root, download=True)
        assert not (root / "VOCdevkit").exists()
        assert list(root.iterdir()) == []
        with pytest.raises(RuntimeError, match="download=True"):
            VOCDetection(root)
