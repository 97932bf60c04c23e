"""health_report on array-backed, file-backed and plain datasets, checked against numpy on the same pixels."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from PIL import Image, ImageFile

from tests.dataset_files import write_cifar10, write_mnist
from visionkit.datasets.cifar import CIFAR10
from visionkit.datasets.folder import ImageFolder
from visionkit.datasets.health import HealthReport, health_report
from visionkit.datasets.mnist import MNIST


class ArrayDataset:
    """Stand-in for MNIST/CIFAR: pixels in ``data``, labels in ``targets``; reading an item is an error."""

    def __init__(self, data: Any, targets: Any, classes: list[str] | None = None) -> None:
        self.data = data
        self.targets = targets
        if classes is not None:
            self.classes = classes

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> Any:
        raise AssertionError("the array fast path should not read items")


class ItemDataset:
    """Stand-in for any map-style dataset: a list of items and an optional transform."""

    def __init__(self, items: list[Any], transform: Any = None) -> None:
        self.items = items
        self.transform = transform

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> Any:
        image, label = self.items[index]
        return (image if self.transform is None else self.transform(image)), label


class FileDataset:
    """Stand-in for ImageFolder: ``samples`` of (path, label), with a loader that hides the stored mode."""

    def __init__(self, samples: list[tuple[str, int]], classes: list[str]) -> None:
        self.samples = samples
        self.classes = classes

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> Any:
        raise AssertionError("the file path should decode files with PIL, not through the dataset")


def random_u8(shape: tuple[int, ...], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=shape, dtype=np.uint8)


def numpy_stats(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and population std in [0, 1] of ``[..., C]`` uint8 pixels."""
    values = pixels.reshape(-1, pixels.shape[-1]).astype(np.float64) / 255
    return values.mean(axis=0), values.std(axis=0)


def save(image: Image.Image, path: Path, **kwargs: Any) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, **kwargs)
    return str(path)


def make_report(**fields: Any) -> HealthReport:
    defaults: dict[str, Any] = {
        "num_items": 0,
        "class_names": [],
        "class_counts": [],
        "channels": 3,
        "mean": (0.0, 0.0, 0.0),
        "std": (0.0, 0.0, 0.0),
        "pixel_histogram": [],
        "sizes": Counter(),
        "modes": Counter(),
        "duplicate_groups": [],
        "unreadable": [],
        "paths": None,
    }
    return HealthReport(**{**defaults, **fields})


class TestArrayFastPath:
    def test_mean_std_match_numpy_on_rgb_data(self) -> None:
        data = random_u8((300, 12, 10, 3), seed=0)
        data[:100] //= 3  # skew the distribution so the channels differ
        report = health_report(ArrayDataset(data, list(range(10)) * 30))
        mean, std = numpy_stats(data)
        np.testing.assert_allclose(report.mean, mean, rtol=1e-12)
        np.testing.assert_allclose(report.std, std, rtol=1e-12)
        assert report.channels == 3

    def test_hand_computed_extremes(self) -> None:
        data = np.array([[[0]], [[255]]], dtype=np.uint8)
        report = health_report(ArrayDataset(data, [0, 1]))
        assert report.mean == (0.5,)
        assert report.std == (0.5,)

    def test_grayscale_tensor_has_one_channel(self) -> None:
        data = torch.from_numpy(random_u8((50, 8, 8), seed=1))
        report = health_report(ArrayDataset(data, torch.arange(50) % 5))
        mean, std = numpy_stats(data.numpy()[..., None])
        np.testing.assert_allclose(report.mean, mean, rtol=1e-12)
        np.testing.assert_allclose(report.std, std, rtol=1e-12)
        assert report.channels == 1
        assert report.modes == Counter({"L": 50})
        assert report.sizes == Counter({(8, 8): 50})
        assert len(report.pixel_histogram) == 1
        assert sum(report.pixel_histogram[0]) == 50 * 64

    def test_histogram_counts_each_value(self) -> None:
        data = np.zeros((2, 1, 2, 3), dtype=np.uint8)
        data[0, 0, 0] = (7, 8, 9)
        report = health_report(ArrayDataset(data, [0, 0]))
        histogram = np.array(report.pixel_histogram)
        assert histogram.shape == (3, 256)
        assert histogram[:, 0].tolist() == [3, 3, 3]
        assert histogram[0, 7] == histogram[1, 8] == histogram[2, 9] == 1

    def test_class_counts_follow_classes(self) -> None:
        targets = [2, 0, 2, 2, 1, 2]
        report = health_report(ArrayDataset(random_u8((6, 4, 4), 2), targets, classes=["a", "b", "c", "d"]))
        assert report.class_names == ["a", "b", "c", "d"]
        assert report.class_counts == [1, 1, 4, 0]

    def test_class_names_default_to_label_values(self) -> None:
        report = health_report(ArrayDataset(random_u8((3, 4, 4), 3), np.array([0, 3, 3])))
        assert report.class_names == ["0", "1", "2", "3"]
        assert report.class_counts == [1, 0, 0, 2]

    def test_duplicates_grouped(self) -> None:
        data = random_u8((40, 6, 6, 3), seed=4)
        data[17] = data[3]
        data[39] = data[3]
        data[25] = data[8]
        report = health_report(ArrayDataset(data, [0] * 40), chunk_size=7)
        assert report.duplicate_groups == [[3, 17, 39], [8, 25]]

    def test_progress_called_per_chunk_up_to_total(self) -> None:
        calls: list[tuple[int, int]] = []
        health_report(
            ArrayDataset(random_u8((20, 4, 4), 5), [0] * 20), chunk_size=7, progress=lambda *a: calls.append(a)
        )
        assert calls == [(7, 20), (14, 20), (20, 20)]

    def test_targets_of_wrong_length_rejected(self) -> None:
        with pytest.raises(ValueError, match=r"`targets` should have one label per image \(5\)"):
            health_report(ArrayDataset(random_u8((5, 4, 4), 6), [0, 1]))

    def test_float_targets_rejected(self) -> None:
        with pytest.raises(TypeError, match="`targets` should hold integer class indices, got dtype float64"):
            health_report(ArrayDataset(random_u8((2, 4, 4), 6), [0.0, 1.0]))


class TestFilePath:
    def test_matches_array_path_on_same_images(self, tmp_path: Path) -> None:
        data = random_u8((6, 9, 7, 3), seed=7)
        samples = [(save(Image.fromarray(image), tmp_path / f"{i}.png"), i % 2) for i, image in enumerate(data)]
        from_files = health_report(FileDataset(samples, ["x", "y"]))
        from_array = health_report(ArrayDataset(data, [i % 2 for i in range(6)], ["x", "y"]))
        assert from_files.mean == from_array.mean
        assert from_files.std == from_array.std
        assert from_files.pixel_histogram == from_array.pixel_histogram
        assert from_files.class_counts == from_array.class_counts == [3, 3]
        assert from_files.paths == [path for path, _ in samples]
        assert from_array.paths is None

    def test_same_pixels_in_other_format_are_duplicates(self, tmp_path: Path) -> None:
        images = [Image.fromarray(random_u8((5, 5, 3), seed)) for seed in range(3)]
        samples = [
            (save(images[0], tmp_path / "a.png"), 0),
            (save(images[1], tmp_path / "b.png"), 0),
            (save(images[0], tmp_path / "copy_of_a.bmp"), 1),
            (save(images[2], tmp_path / "c.png"), 1),
        ]
        report = health_report(FileDataset(samples, ["p", "q"]))
        assert report.duplicate_groups == [[0, 2]]
        assert report.modes == Counter({"RGB": 4})

    def test_broken_files_listed_by_path(self, tmp_path: Path) -> None:
        good = save(Image.fromarray(random_u8((16, 16, 3), 8)), tmp_path / "good.png")
        jpeg = save(Image.fromarray(random_u8((64, 64, 3), 9)), tmp_path / "full.jpg", quality=90)
        truncated = tmp_path / "truncated.jpg"
        truncated.write_bytes(Path(jpeg).read_bytes()[:1500])
        not_image = tmp_path / "notes.png"
        not_image.write_text("this is not a PNG")
        samples = [(good, 0), (str(truncated), 1), (str(not_image), 1), (str(tmp_path / "missing.png"), 0)]
        report = health_report(FileDataset(samples, ["a", "b"]))
        assert [(index, path) for index, path, _ in report.unreadable] == [
            (1, str(truncated)),
            (2, str(not_image)),
            (3, str(tmp_path / "missing.png")),
        ]
        assert "truncated" in report.unreadable[0][2]
        assert "UnidentifiedImageError" in report.unreadable[1][2]
        assert report.class_counts == [2, 2]
        assert report.sizes == Counter({(16, 16): 1})
        assert ImageFile.LOAD_TRUNCATED_IMAGES is False

    def test_mixed_modes_and_sizes(self, tmp_path: Path) -> None:
        gray = random_u8((10, 20), seed=10)
        rgb = random_u8((8, 8, 3), seed=11)
        rgba = random_u8((8, 8, 4), seed=12)
        rgba[..., 3] = 255
        samples = [
            (save(Image.fromarray(gray), tmp_path / "g.png"), 0),
            (save(Image.fromarray(rgb), tmp_path / "c.png"), 1),
            (save(Image.fromarray(rgba), tmp_path / "t.png"), 1),
        ]
        report = health_report(FileDataset(samples, ["gray", "colour"]))
        assert report.modes == Counter({"L": 1, "RGB": 1, "RGBA": 1})
        assert report.sizes == Counter({(20, 10): 1, (8, 8): 2})
        assert report.channels == 3
        pixels = np.concatenate(
            [np.repeat(gray[..., None], 3, axis=2).reshape(-1, 3), rgb.reshape(-1, 3), rgba[..., :3].reshape(-1, 3)]
        )
        mean, std = numpy_stats(pixels)
        np.testing.assert_allclose(report.mean, mean, rtol=1e-12)
        np.testing.assert_allclose(report.std, std, rtol=1e-12)

    def test_palette_image_seen_as_stored(self, tmp_path: Path) -> None:
        rgb = Image.fromarray(random_u8((6, 6, 3), 13)).quantize(colors=4)
        path = save(rgb, tmp_path / "p.png")
        report = health_report(FileDataset([(path, 0)], ["a"]))
        assert report.modes == Counter({"P": 1})
        mean, _ = numpy_stats(np.asarray(rgb.convert("RGB")))
        np.testing.assert_allclose(report.mean, mean, rtol=1e-12)

    def test_nothing_readable(self, tmp_path: Path) -> None:
        bad = tmp_path / "bad.jpg"
        bad.write_bytes(b"nope")
        report = health_report(FileDataset([(str(bad), 0)], ["a"]))
        assert report.channels == 0
        assert report.mean == report.std == ()
        with pytest.raises(ValueError, match="No image of the dataset could be read"):
            report.normalize_line()

    def test_image_folder(self, tmp_path: Path) -> None:
        gray = random_u8((12, 12), 14)
        save(Image.fromarray(gray), tmp_path / "cats" / "1.png")
        save(Image.fromarray(gray), tmp_path / "dogs" / "same_as_cat.bmp")
        save(Image.fromarray(random_u8((6, 9, 3), 15)), tmp_path / "dogs" / "2.png")
        report = health_report(ImageFolder(tmp_path))
        assert report.class_names == ["cats", "dogs"]
        assert report.class_counts == [1, 2]
        # ImageFolder's loader converts to RGB; the report still sees the files as stored.
        assert report.modes == Counter({"L": 2, "RGB": 1})
        first, second = report.duplicate_groups[0]
        assert len(report.duplicate_groups) == 1
        assert Path(report.paths[first]).name == "1.png"
        assert Path(report.paths[second]).name == "same_as_cat.bmp"


class TestGenericPath:
    def test_transform_ignored_and_left_in_place(self) -> None:
        images = [Image.fromarray(random_u8((5, 4, 3), seed)) for seed in range(4)]

        def transform(image: Image.Image) -> Image.Image:
            raise AssertionError("the report should read raw items")

        dataset = ItemDataset([(image, i % 2) for i, image in enumerate(images)], transform=transform)
        report = health_report(dataset)
        assert dataset.transform is transform
        mean, std = numpy_stats(np.stack([np.asarray(image) for image in images]))
        np.testing.assert_allclose(report.mean, mean, rtol=1e-12)
        np.testing.assert_allclose(report.std, std, rtol=1e-12)
        assert report.sizes == Counter({(4, 5): 4})

    def test_tensor_and_ndarray_images(self) -> None:
        hwc = random_u8((3, 5, 3), 16)
        chw = torch.from_numpy(hwc.transpose(2, 0, 1).copy())
        report = health_report(ItemDataset([(hwc, 0), (chw, np.int64(1))]))
        assert report.duplicate_groups == [[0, 1]]
        assert report.sizes == Counter({(5, 3): 2})
        assert report.modes == Counter({"RGB": 2})
        assert report.class_counts == [1, 1]

    def test_grayscale_arrays(self) -> None:
        report = health_report(ItemDataset([(random_u8((4, 4), 17), 0), (torch.zeros(1, 4, 4, dtype=torch.uint8), 0)]))
        assert report.channels == 1
        assert report.normalize_line().endswith(",))")

    def test_progress_reaches_total(self) -> None:
        calls: list[tuple[int, int]] = []
        items = [(random_u8((2, 2), seed), 0) for seed in range(5)]
        health_report(ItemDataset(items), chunk_size=2, progress=lambda *a: calls.append(a))
        assert calls == [(2, 5), (4, 5), (5, 5)]

    def test_shapes_dataset(self) -> None:
        from visionkit.datasets.shapes import Shapes

        dataset = Shapes(size=12, image_size=32)
        report = health_report(dataset)
        assert report.class_names == dataset.classes
        assert report.class_counts == np.bincount(dataset.targets, minlength=4).tolist()
        assert report.sizes == Counter({(32, 32): 12})

    def test_item_not_a_pair_rejected(self) -> None:
        with pytest.raises(TypeError, match=r"Items should be \(image, label\) pairs, got Image at index 0"):
            health_report([Image.new("RGB", (2, 2))])

    def test_label_not_int_rejected(self) -> None:
        with pytest.raises(TypeError, match="Labels should be integer class indices, got 'cat' at index 0"):
            health_report([(Image.new("RGB", (2, 2)), "cat")])

    def test_unsupported_image_type_rejected(self) -> None:
        with pytest.raises(TypeError, match="Images should be PIL images, tensors or ndarrays, got list at index 0"):
            health_report([([[0]], 0)])

    def test_float_image_rejected(self) -> None:
        with pytest.raises(TypeError, match="Array images should have dtype uint8, got float32 at index 1"):
            health_report([(torch.zeros(3, 2, 2, dtype=torch.uint8), 0), (torch.zeros(3, 2, 2), 0)])

    def test_four_channel_array_rejected(self) -> None:
        with pytest.raises(ValueError, match=r"got shape \(2, 2, 4\) at index 0"):
            health_report([(np.zeros((2, 2, 4), dtype=np.uint8), 0)])


class TestValidation:
    def test_chunk_size_below_one(self) -> None:
        with pytest.raises(ValueError, match="`chunk_size` should be >= 1, got 0"):
            health_report(ArrayDataset(random_u8((2, 2, 2), 0), [0, 0]), chunk_size=0)

    def test_chunk_size_not_int(self) -> None:
        with pytest.raises(TypeError, match="`chunk_size` should be an int, got float"):
            health_report(ArrayDataset(random_u8((2, 2, 2), 0), [0, 0]), chunk_size=8.0)  # type: ignore[arg-type]

    def test_progress_not_callable(self) -> None:
        with pytest.raises(TypeError, match="`progress` should be a callable"):
            health_report(ArrayDataset(random_u8((2, 2, 2), 0), [0, 0]), progress=5)  # type: ignore[arg-type]

    def test_empty_dataset(self) -> None:
        with pytest.raises(ValueError, match="`dataset` is empty"):
            health_report([])

    def test_negative_label(self) -> None:
        with pytest.raises(ValueError, match="Labels should be non-negative class indices, got -1 at index 1"):
            health_report(ArrayDataset(random_u8((2, 2, 2), 0), [0, -1]))

    def test_label_without_class_name(self) -> None:
        with pytest.raises(ValueError, match="Label 2 at index 1 has no entry in `classes`, which has 2 names"):
            health_report(ArrayDataset(random_u8((2, 2, 2), 0), [0, 2], classes=["a", "b"]))


class TestReport:
    def test_normalize_line_format(self) -> None:
        report = make_report(mean=(0.49139968, 0.48215841, 0.44653091), std=(0.24703223, 0.24348513, 0.26158784))
        assert report.normalize_line() == "Normalize(mean=(0.4914, 0.4822, 0.4465), std=(0.247, 0.2435, 0.2616))"
        assert report.normalize_line(2) == "Normalize(mean=(0.49, 0.48, 0.45), std=(0.25, 0.24, 0.26))"

    def test_normalize_line_grayscale(self) -> None:
        report = make_report(channels=1, mean=(0.1306604762738431,), std=(0.30810780385646,))
        assert report.normalize_line() == "Normalize(mean=(0.1307,), std=(0.3081,))"

    def test_normalize_line_decimals_checked(self) -> None:
        with pytest.raises(ValueError, match="`decimals` should be >= 0, got -1"):
            make_report().normalize_line(-1)
        with pytest.raises(TypeError, match="`decimals` should be an int, got str"):
            make_report().normalize_line("4")  # type: ignore[arg-type]

    def test_aspect_ratios(self) -> None:
        report = make_report(sizes=Counter({(64, 32): 2, (32, 32): 1, (30, 40): 4, (40, 30): 1}))
        assert report.aspect_ratios() == Counter({2.0: 2, 1.0: 1, 0.75: 4, 1.33: 1})

    def test_aspect_ratios_decimals_checked(self) -> None:
        with pytest.raises(TypeError, match="`decimals` should be an int, got float"):
            make_report().aspect_ratios(1.5)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="`decimals` should be >= 0, got -2"):
            make_report().aspect_ratios(-2)

    def test_to_dict_is_json(self, tmp_path: Path) -> None:
        path = save(Image.fromarray(random_u8((3, 4, 3), 18)), tmp_path / "x.png")
        broken = tmp_path / "y.png"
        broken.write_bytes(b"")
        report = health_report(FileDataset([(path, 0), (path, 1), (str(broken), 1)], ["a", "b"]))
        restored = json.loads(json.dumps(report.to_dict()))
        assert restored["num_items"] == 3
        assert restored["class_counts"] == [1, 2]
        assert restored["sizes"] == {"4x3": 2}
        assert restored["modes"] == {"RGB": 2}
        assert restored["duplicate_groups"] == [[0, 1]]
        assert restored["unreadable"][0]["index"] == 2
        assert restored["unreadable"][0]["path"] == str(broken)
        assert restored["paths"] == [path, path, str(broken)]
        assert len(restored["pixel_histogram"]) == 3


class TestRealReaders:
    def test_cifar10(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        info = write_cifar10(tmp_path, n_train=40, n_test=5)
        for name in ("train_list", "test_list", "meta"):
            monkeypatch.setattr(CIFAR10, name, info[name])  # the official md5s would reject these files
        report = health_report(CIFAR10(tmp_path, train=True))
        mean, std = numpy_stats(info["train_images"])
        np.testing.assert_allclose(report.mean, mean, rtol=1e-12)
        np.testing.assert_allclose(report.std, std, rtol=1e-12)
        assert report.class_names == info["classes"]
        assert report.class_counts == np.bincount(info["train_labels"], minlength=10).tolist()
        assert report.sizes == Counter({(32, 32): 40})

    def test_mnist(self, tmp_path: Path) -> None:
        info = write_mnist(tmp_path, n_train=30, n_test=4, size=28)
        report = health_report(MNIST(tmp_path, train=False))
        mean, std = numpy_stats(info["test_images"][..., None])
        np.testing.assert_allclose(report.mean, mean, rtol=1e-12)
        np.testing.assert_allclose(report.std, std, rtol=1e-12)
        assert report.channels == 1
        assert report.class_counts == np.bincount(info["test_labels"], minlength=10).tolist()
