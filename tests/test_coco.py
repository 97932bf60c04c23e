"""CocoDetection, CocoCaptions and their v2 wrapper on a real-format COCO tree, against what torchvision and
pycocotools returned on the same tree (tests/golden/coco.pt, recorded by tests/golden/record_coco.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from PIL import Image

from visionkit import tv_tensors
from visionkit.datasets import CocoCaptions, CocoDetection, wrap_dataset_for_transforms_v2
from visionkit.datasets._coco_masks import segmentation_to_mask
from visionkit.transforms import v2

from .golden.record_coco import TARGET_KEYS, segmentation_cases, write_coco_tree

GOLDEN = torch.load(Path(__file__).parent / "golden" / "coco.pt", weights_only=True)


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    return write_coco_tree(tmp_path)


@pytest.fixture
def detection(tree: dict[str, Path]) -> CocoDetection:
    return CocoDetection(str(tree["images"]), str(tree["instances"]))


def assert_same_target(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    assert sorted(actual) == sorted(expected)
    for key, value in expected.items():
        if isinstance(value, dict) and "tensor" in value:
            assert type(actual[key]).__name__ == value["type"]
            if "format" in value:
                assert (actual[key].format.name, tuple(actual[key].canvas_size)) == (
                    value["format"],
                    value["canvas_size"],
                )
            torch.testing.assert_close(actual[key].as_subclass(torch.Tensor), value["tensor"], rtol=0, atol=0)
        else:
            assert actual[key] == value, key


class TestCocoDetection:
    def test_items_equal_torchvision(self, detection: CocoDetection, tree: dict[str, Path]) -> None:
        assert detection.ids == GOLDEN["ids"]
        assert len(detection) == len(GOLDEN["ids"])
        for index, (image, target) in enumerate(detection):
            mode, size = GOLDEN["images"][index]
            assert (image.mode, image.size) == (mode, size)
            path = tree["images"] / detection.coco.imgs[detection.ids[index]]["file_name"]
            np.testing.assert_array_equal(np.asarray(image), np.asarray(Image.open(path).convert("RGB")))
            assert target == GOLDEN["targets"][index]

    def test_captions_equal_torchvision(self, tree: dict[str, Path]) -> None:
        captions = CocoCaptions(tree["images"], str(tree["captions"]))
        assert [target for _, target in captions] == GOLDEN["captions"]

    def test_transforms_are_applied(self, tree: dict[str, Path]) -> None:
        dataset = CocoDetection(tree["images"], str(tree["instances"]), transform=v2.ToImage(), target_transform=len)
        image, count = dataset[0]
        assert type(image) is tv_tensors.Image
        assert count == len(GOLDEN["targets"][0])

    def test_index_must_be_an_int(self, detection: CocoDetection) -> None:
        with pytest.raises(ValueError, match="Index must be of type integer"):
            detection[np.int64(0)]

    def test_coco_index_attributes(self, detection: CocoDetection) -> None:
        assert detection.coco.loadCats(2) == [{"id": 2, "name": "dog"}]
        assert [ann["id"] for ann in detection.coco.imgToAnns[42]] == [1, 3, 5]


def _write_json(tmp_path: Path, content: Any) -> str:
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(content) if not isinstance(content, str) else content)
    return str(path)


class TestBrokenInput:
    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ([], "expected a JSON object"),
            ({"annotations": []}, "'images' list is missing"),
            ({"images": {}, "annotations": []}, "'images' list is a dict"),
            ({"images": [], "annotations": 3}, "'annotations' list is a int"),
            ({"images": [{"id": 1}], "annotations": []}, "entry 0 of 'images' has no 'file_name'"),
            ({"images": [], "annotations": [{"id": 1, "bbox": []}]}, "entry 0 of 'annotations' has no 'image_id'"),
            ({"images": [{"id": [1], "file_name": "a.jpg"}], "annotations": []}, "not an int or a str"),
            ("{not json", "invalid JSON"),
        ],
    )
    def test_not_coco_is_refused_naming_the_file(self, tmp_path: Path, content: Any, message: str) -> None:
        path = _write_json(tmp_path, content)
        with pytest.raises(ValueError, match=message) as error:
            CocoDetection(tmp_path, path)
        assert path in str(error.value)

    def test_an_image_info_file_without_annotations_opens_with_empty_targets(self, tmp_path: Path) -> None:
        """COCO's test-dev image lists have no 'annotations'; pycocotools (and so torchvision) reads them."""
        Image.new("RGB", (8, 6)).save(tmp_path / "a.jpg")
        path = _write_json(tmp_path, {"images": [{"id": 3, "file_name": "a.jpg"}]})
        dataset = CocoDetection(tmp_path, path)
        image, target = dataset[0]
        assert len(dataset) == 1 and image.size == (8, 6) and target == []

    def test_missing_annotation_file(self, tmp_path: Path) -> None:
        with pytest.raises(FileNotFoundError):
            CocoDetection(tmp_path, str(tmp_path / "nope.json"))

    def test_missing_image_file_is_named_when_read(self, tree: dict[str, Path]) -> None:
        (tree["images"] / "000000000019.jpg").unlink()
        dataset = CocoDetection(tree["images"], str(tree["instances"]))
        dataset[0]
        with pytest.raises(FileNotFoundError, match=r"000000000019\.jpg of image id 19 .*instances\.json"):
            dataset[2]

    def test_captions_of_an_instances_file_say_what_is_wrong(self, tree: dict[str, Path]) -> None:
        with pytest.raises(KeyError, match="has no 'caption'"):
            CocoCaptions(tree["images"], str(tree["instances"]))[0]


class TestMasks:
    @pytest.mark.parametrize("case", range(len(GOLDEN["decoded"])))
    def test_decoding_equals_pycocotools(self, case: int) -> None:
        segmentation, height, width = segmentation_cases()[case]
        shape, packed = GOLDEN["decoded"][case]
        expected = np.unpackbits(packed.numpy(), count=shape[0] * shape[1]).reshape(shape)
        np.testing.assert_array_equal(segmentation_to_mask(segmentation, height, width), expected)

    @pytest.mark.parametrize(
        "segmentation",
        [[], 5, {"counts": "abc"}, {"size": [2, 2], "counts": [3, 3]}, {"size": [2, 2], "counts": "zz"}],
    )
    def test_invalid_segmentation_is_refused(self, segmentation: Any) -> None:
        with pytest.raises(ValueError, match=r"COCO|Invalid RLE"):
            segmentation_to_mask(segmentation, 4, 4)


class TestWrapper:
    @pytest.mark.parametrize("name", list(TARGET_KEYS))
    def test_targets_equal_torchvision(self, detection: CocoDetection, name: str) -> None:
        wrapped = wrap_dataset_for_transforms_v2(detection, target_keys=TARGET_KEYS[name])
        for index, expected in enumerate(GOLDEN["wrapped"][name]):
            assert_same_target(wrapped[index][1], expected)

    def test_pipeline_moves_boxes_and_masks_with_the_image(self, tree: dict[str, Path]) -> None:
        flip = v2.Compose([v2.ToImage(), v2.RandomHorizontalFlip(p=1)])
        dataset = CocoDetection(tree["images"], str(tree["instances"]), transforms=flip)
        wrapped = wrap_dataset_for_transforms_v2(dataset, target_keys="all")
        raw = wrap_dataset_for_transforms_v2(CocoDetection(tree["images"], str(tree["instances"])), "all")
        image, target = wrapped[3]
        _, expected = raw[3]
        width = image.shape[-1]
        torch.testing.assert_close(target["masks"], expected["masks"].flip(-1), rtol=0, atol=0)
        flipped = torch.stack([width - expected["boxes"][:, 2], expected["boxes"][:, 1]], dim=1)
        torch.testing.assert_close(target["boxes"][:, :2], flipped, rtol=0, atol=0)

    def test_unknown_target_key_is_refused(self, detection: CocoDetection) -> None:
        with pytest.raises(ValueError, match=r"Target keys \['id', 'score'\] are not available"):
            wrap_dataset_for_transforms_v2(detection, target_keys=["boxes", "id", "score"])

    def test_captions_take_no_target_keys(self, tree: dict[str, Path]) -> None:
        captions = CocoCaptions(tree["images"], str(tree["captions"]))
        with pytest.raises(ValueError, match="but got CocoCaptions"):
            wrap_dataset_for_transforms_v2(captions, target_keys="all")
        assert wrap_dataset_for_transforms_v2(captions)[2][1] == GOLDEN["captions"][2]
