"""YOLODetection on real-format trees built in tmp_path."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from visionkit import tv_tensors
from visionkit.datasets.yolo import YOLODetection, YOLOLabelError
from visionkit.transforms import v2

NAMES_STYLES = ["names: [cat, dog]\n", "names:\n  - cat\n  - dog\n", "names:\n  0: cat\n  1: dog\n"]


def _tree(tmp_path, yaml_text=NAMES_STYLES[0]):
    (tmp_path / "images" / "train").mkdir(parents=True)
    (tmp_path / "labels" / "train").mkdir(parents=True)
    (tmp_path / "data.yaml").write_text(yaml_text)
    image = Image.new("RGB", (40, 20))
    ImageDraw.Draw(image).rectangle([4, 2, 13, 11], fill=(255, 255, 255))  # pixels x 4..13, y 2..11
    image.save(tmp_path / "images" / "train" / "a.png")
    # The box covering those pixels is x 4..14, y 2..12: centre (9, 7), size (10, 10).
    (tmp_path / "labels" / "train" / "a.txt").write_text(f"1 {9 / 40} {7 / 20} {10 / 40} {10 / 20}\n")
    Image.new("RGB", (8, 8)).save(tmp_path / "images" / "train" / "b.png")
    (tmp_path / "labels" / "train" / "b.txt").write_text("")
    Image.new("RGB", (8, 8)).save(tmp_path / "images" / "train" / "c.jpg")
    return tmp_path


@pytest.mark.parametrize("yaml_text", NAMES_STYLES)
def test_boxes_match_drawn_rectangle(tmp_path, yaml_text):
    dataset = YOLODetection(_tree(tmp_path, yaml_text))
    assert dataset.classes == ["cat", "dog"]
    assert len(dataset) == 3
    image, target = dataset[0]
    assert isinstance(target["boxes"], tv_tensors.BoundingBoxes)
    assert target["boxes"].canvas_size == (20, 40)
    torch.testing.assert_close(target["boxes"].as_subclass(torch.Tensor), torch.tensor([[4.0, 2.0, 14.0, 12.0]]))
    assert target["labels"].tolist() == [1] and target["labels"].dtype == torch.int64
    pixels = torch.from_numpy(np.array(image.convert("L"))).long()
    x1, y1, x2, y2 = (round(float(v)) for v in target["boxes"][0])
    assert pixels[y1:y2, x1:x2].min() == 255 and pixels.sum() == 255 * (x2 - x1) * (y2 - y1)


def test_empty_and_missing_label_files(tmp_path):
    dataset = YOLODetection(_tree(tmp_path))
    for index in (1, 2):
        _, target = dataset[index]
        assert target["boxes"].shape == (0, 4) and target["labels"].shape == (0,)


def test_flip_moves_boxes_with_pixels(tmp_path):
    dataset = YOLODetection(_tree(tmp_path), transforms=v2.RandomHorizontalFlip(p=1))
    image, target = dataset[0]
    pixels = torch.from_numpy(np.array(image.convert("L"))).long()
    x1, y1, x2, y2 = (round(float(v)) for v in target["boxes"][0])
    assert (x1, x2) == (40 - 14, 40 - 4)
    assert pixels[y1:y2, x1:x2].min() == 255 and pixels.sum() == 255 * (x2 - x1) * (y2 - y1)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("0 0.5 0.5 0.1", "expected 5"),
        ("7 0.5 0.5 0.1 0.1", "not in names"),
        ("0 nan 0.5 0.1 0.1", "finite"),
        ("0 inf 0.5 0.1 0.1", "finite"),
        ("0 x 0.5 0.1 0.1", "not numbers"),
    ],
)
def test_malformed_lines_are_reported(tmp_path, line, reason):
    root = _tree(tmp_path)
    (root / "labels" / "train" / "a.txt").write_text(f"0 0.5 0.5 0.1 0.1\n\n{line}\n")
    dataset = YOLODetection(root)
    with pytest.raises(YOLOLabelError, match=f"labels/train/a.txt line 3: .*{reason}"):
        dataset[0]
    assert len(dataset.problems()) == 1 and "line 3" in dataset.problems()[0]


def test_refuses_unsupported_yaml_and_escaping_symlink(tmp_path):
    with pytest.raises(ValueError, match=r"data\.yaml"):
        YOLODetection(_tree(tmp_path / "r1", "names: {0: cat}\n"))
    root = _tree(tmp_path / "r2")
    outside = tmp_path / "outside.png"
    Image.new("RGB", (4, 4)).save(outside)
    (root / "images" / "train" / "d.png").symlink_to(outside)
    with pytest.raises(ValueError, match="outside the dataset root"):
        YOLODetection(root)
