"""Shapes: determinism, pixel-exact boxes, labels of the largest shape, splits and the dataset protocol."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from visionkit.datasets.shapes import Shapes

# Documented contrast: shapes have a channel at 217 or more, the background no channel above 150.
BRIGHT = 185


def pixels(dataset: Shapes, index: int) -> np.ndarray:
    return np.asarray(dataset[index][0])


def pixel_box(mask: np.ndarray) -> list[float]:
    """Box in pixel-edge coordinates (x1, y1, x2, y2) around the True pixels of a [H, W] mask."""
    ys, xs = np.nonzero(mask)
    return [float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)]


def largest_colour_mask(image: np.ndarray) -> np.ndarray:
    """Mask of the bright colour that covers the most pixels: the shape drawn whole."""
    bright = image[image.max(axis=2) >= BRIGHT]
    colours, counts = np.unique(bright, axis=0, return_counts=True)
    return (image == colours[np.argmax(counts)]).all(axis=2)


@pytest.fixture(scope="module")
def train() -> Shapes:
    return Shapes()


class TestDeterminism:
    def test_two_instances_give_the_same_items(self, train: Shapes) -> None:
        other = Shapes()
        assert other.targets == train.targets
        for index in range(0, 400, 9):
            np.testing.assert_array_equal(pixels(other, index), pixels(train, index))
            for key in ("boxes", "labels"):
                torch.testing.assert_close(other.annotations(index)[key], train.annotations(index)[key])

    def test_access_order_and_global_seeds_do_not_matter(self, train: Shapes) -> None:
        expected = [pixels(train, index) for index in range(5)]
        shuffled = Shapes()
        for index in (399, 250, 17):
            shuffled[index]
        torch.manual_seed(123)
        np.random.seed(123)
        random.seed(123)
        for index in reversed(range(5)):
            np.testing.assert_array_equal(pixels(shuffled, index), expected[index])

    def test_seed_changes_the_dataset(self, train: Shapes) -> None:
        other = Shapes(seed=1)
        assert other.targets != train.targets
        assert not np.array_equal(pixels(other, 0), pixels(train, 0))

    def test_splits_differ(self, train: Shapes) -> None:
        test = Shapes(train=False)
        assert (len(train), len(test)) == (400, 100)
        assert test.targets != train.targets[:100]
        assert all(not np.array_equal(pixels(test, i), pixels(train, i)) for i in range(0, 100, 10))


class TestBoxes:
    def test_single_shape_box_is_tight(self, train: Shapes) -> None:
        singles = [index for index in range(100) if len(train.annotations(index)["labels"]) == 1]
        assert len(singles) >= 10
        for index in singles:
            image = pixels(train, index)
            box = train.annotations(index)["boxes"][0].tolist()
            assert pixel_box(image.max(axis=2) >= BRIGHT) == box, index

    def test_largest_shape_is_last_whole_and_labelled(self, train: Shapes) -> None:
        for index in range(len(train)):
            annotations = train.annotations(index)
            mask = largest_colour_mask(pixels(train, index))
            assert pixel_box(mask) == annotations["boxes"][-1].tolist(), index
            assert annotations["labels"][-1].item() == train.targets[index], index

    def test_every_shape_pixel_lies_in_a_box(self, train: Shapes) -> None:
        for index in range(100):
            image = pixels(train, index)
            covered = np.zeros(image.shape[:2], dtype=bool)
            for x1, y1, x2, y2 in train.annotations(index)["boxes"].int().tolist():
                covered[y1:y2, x1:x2] = True
            assert not (image.max(axis=2) >= BRIGHT)[~covered].any(), index

    def test_annotation_format(self) -> None:
        dataset = Shapes(size=50, image_size=40)
        for index in range(len(dataset)):
            annotations = dataset.annotations(index)
            boxes, labels = annotations["boxes"], annotations["labels"]
            assert boxes.dtype == torch.float32 and labels.dtype == torch.int64
            assert boxes.shape == (len(labels), 4) and 1 <= len(labels) <= 3
            assert (boxes[:, :2] >= 0).all() and (boxes[:, 2:] <= 40).all()
            assert (boxes[:, 2:] > boxes[:, :2]).all()


class TestLabels:
    def test_targets_match_items(self, train: Shapes) -> None:
        assert [train[index][1] for index in range(len(train))] == train.targets

    def test_every_class_is_a_label(self, train: Shapes) -> None:
        assert train.classes == ["circle", "square", "triangle", "star"]
        assert train.class_to_idx == {"circle": 0, "square": 1, "triangle": 2, "star": 3}
        assert min(np.bincount(train.targets, minlength=4)) >= 50

    def test_more_than_one_shape_happens(self, train: Shapes) -> None:
        counts = {len(train.annotations(index)["labels"]) for index in range(len(train))}
        assert counts == {1, 2, 3}


class TestDatasetProtocol:
    def test_items_are_rgb_images_of_image_size(self) -> None:
        image, label = Shapes(size=3, image_size=48)[2]
        assert image.mode == "RGB" and image.size == (48, 48)
        assert isinstance(label, int)

    def test_transforms_applied(self) -> None:
        dataset = Shapes(size=2, transform=lambda image: image.size, target_transform=lambda label: -label - 1)
        size, target = dataset[1]
        assert size == (64, 64)
        assert target == -dataset.targets[1] - 1

    def test_negative_index_and_end(self) -> None:
        dataset = Shapes(size=5)
        np.testing.assert_array_equal(pixels(dataset, -1), pixels(dataset, 4))
        assert dataset.annotations(-5)["labels"].tolist() == dataset.annotations(0)["labels"].tolist()
        with pytest.raises(IndexError):
            dataset[5]
        assert len(list(dataset)) == 5

    def test_repr(self) -> None:
        assert repr(Shapes()) == "Dataset Shapes\n    Number of datapoints: 400\n    Split: Train"
        assert repr(Shapes("data", train=False, size=7)) == (
            "Dataset Shapes\n    Number of datapoints: 7\n    Root location: data\n    Split: Test"
        )

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"size": 0}, "`size` should be >= 1, got 0"),
            ({"image_size": 31}, "`image_size` should be >= 32, got 31"),
            ({"seed": -1}, "`seed` should be >= 0, got -1"),
        ],
    )
    def test_out_of_range_arguments(self, kwargs: dict[str, int], message: str) -> None:
        with pytest.raises(ValueError, match=message):
            Shapes(**kwargs)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"size": 2.5}, "`size` should be an int, got float"),
            ({"image_size": "64"}, "`image_size` should be an int, got str"),
            ({"seed": True}, "`seed` should be an int, got bool"),
        ],
    )
    def test_non_int_arguments(self, kwargs: dict[str, object], message: str) -> None:
        with pytest.raises(TypeError, match=message):
            Shapes(**kwargs)  # type: ignore[arg-type]
