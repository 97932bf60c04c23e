"""Dataset readers on files built in the real formats: CIFAR, MNIST family, folders, FakeData, the reopen cache."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import random
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from PIL import Image

from tests import dataset_files
from tests.http_server import LocalHTTPServer
from visionkit import datasets
from visionkit.datasets import _array_cache, cifar, mnist
from visionkit.datasets._array_cache import CACHE_FOLDER
from visionkit.datasets.cifar import CIFAR10, CIFAR100
from visionkit.datasets.fakedata import FakeData
from visionkit.datasets.folder import (
    IMG_EXTENSIONS,
    DatasetFolder,
    ImageFolder,
    default_loader,
    find_classes,
    has_file_allowed_extension,
    is_image_file,
    make_dataset,
    pil_loader,
)
from visionkit.datasets.mnist import KMNIST, MNIST, FashionMNIST
from visionkit.datasets.utils import DownloadError
from visionkit.datasets.vision import StandardTransform, VisionDataset

GOLDEN = Path(__file__).parent / "golden"
META = json.loads((GOLDEN / "meta.json").read_text())["datasets"]
NOT_FOUND = "Dataset not found or corrupted. You can use download=True to download it"


class Named:
    """A transform with a multi-line repr, to check how summaries indent it."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, value: Any) -> Any:
        return (self.name, value)

    def __repr__(self) -> str:
        return f"{self.name}(\n    inner\n)"


def _with_files(base: type, info: dict[str, Any], **extra: Any) -> type:
    """A subclass of a CIFAR class whose md5 attributes describe the files that ``info`` came from."""
    attributes = {"train_list": info["train_list"], "test_list": info["test_list"], "meta": info["meta"], **extra}
    return type(f"Test{base.__name__}", (base,), attributes)


def _mapped_files() -> str:
    """The memory mappings of this process (Linux), to see which files are mapped rather than read."""
    return Path("/proc/self/maps").read_text()


def _touch(path: Path, seconds_later: int = 10) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + seconds_later * 10**9))


@pytest.fixture
def cifar10_info(tmp_path: Path) -> dict[str, Any]:
    return dataset_files.write_cifar10(tmp_path, n_train=12, n_test=4, seed=3)


@pytest.fixture
def cifar10_class(cifar10_info: dict[str, Any]) -> type:
    return _with_files(CIFAR10, cifar10_info)


class TestVisionDataset:
    class Sized(VisionDataset):
        def __len__(self) -> int:
            return 3

        def extra_repr(self) -> str:
            return "Split: Train\nFold: 2"

    def test_repr_lists_size_root_extra_lines_and_transforms(self) -> None:
        dataset = self.Sized("/data", transform=Named("Compose"), target_transform=Named("Lookup"))
        assert repr(dataset) == (
            "Dataset Sized\n"
            "    Number of datapoints: 3\n"
            "    Root location: /data\n"
            "    Split: Train\n"
            "    Fold: 2\n"
            "    StandardTransform\n"
            "Transform: Compose(\n"
            "               inner\n"
            "           )\n"
            "Target transform: Lookup(\n"
            "                      inner\n"
            "                  )"
        )

    def test_repr_without_root_or_transforms(self) -> None:
        assert repr(self.Sized(None)) == "Dataset Sized\n    Number of datapoints: 3\n    Split: Train\n    Fold: 2"

    def test_str_root_is_expanded_and_path_root_kept(self) -> None:
        assert self.Sized("~/data").root == os.path.join(os.path.expanduser("~"), "data")
        assert self.Sized(Path("data")).root == Path("data")

    def test_transforms_and_transform_together_are_refused(self) -> None:
        with pytest.raises(ValueError, match="Only transforms or transform/target_transform"):
            self.Sized("/data", transforms=lambda x, y: (x, y), transform=str)

    def test_joint_transforms_are_kept(self) -> None:
        def joint(x: Any, y: Any) -> tuple[Any, Any]:
            return y, x

        dataset = self.Sized("/data", transforms=joint)
        assert dataset.transforms is joint
        assert dataset.transform is None

    def test_base_class_has_no_items(self) -> None:
        with pytest.raises(NotImplementedError):
            VisionDataset("/data")[0]


class TestStandardTransform:
    def test_applies_each_transform_to_its_part(self) -> None:
        both = StandardTransform(Named("a"), Named("b"))
        assert both(1, 2) == (("a", 1), ("b", 2))
        assert StandardTransform(target_transform=Named("b"))(1, 2) == (1, ("b", 2))

    def test_repr(self) -> None:
        assert repr(StandardTransform()) == "StandardTransform"
        assert repr(StandardTransform(target_transform=Named("T"))) == (
            "StandardTransform\nTarget transform: T(\n                      inner\n                  )"
        )


class TestCIFAR10:
    @pytest.mark.parametrize("train", [True, False])
    def test_images_and_labels_round_trip(
        self, cifar10_class: type, cifar10_info: dict, tmp_path: Path, train: bool
    ) -> None:
        split = "train" if train else "test"
        dataset = cifar10_class(tmp_path, train=train)
        assert dataset.data.dtype == np.uint8
        assert dataset.data.shape == (len(cifar10_info[f"{split}_labels"]), 32, 32, 3)
        np.testing.assert_array_equal(dataset.data, cifar10_info[f"{split}_images"])
        assert dataset.targets == cifar10_info[f"{split}_labels"]
        assert all(type(target) is int for target in dataset.targets)

    def test_items_are_rgb_images_and_ints(self, cifar10_class: type, tmp_path: Path, cifar10_info: dict) -> None:
        image, target = cifar10_class(tmp_path)[5]
        assert isinstance(image, Image.Image)
        assert (image.mode, image.size) == ("RGB", (32, 32))
        np.testing.assert_array_equal(np.asarray(image), cifar10_info["train_images"][5])
        assert target == cifar10_info["train_labels"][5]
        assert type(target) is int

    def test_classes_from_meta_file(self, cifar10_class: type, tmp_path: Path) -> None:
        dataset = cifar10_class(tmp_path)
        assert dataset.classes == META["CIFAR10"]["classes"]
        assert dataset.class_to_idx["truck"] == 9
        assert dataset.class_to_idx == {name: i for i, name in enumerate(META["CIFAR10"]["classes"])}

    def test_transforms_are_applied(self, cifar10_class: type, tmp_path: Path, cifar10_info: dict) -> None:
        dataset = cifar10_class(tmp_path, train=False, transform=np.asarray, target_transform=lambda t: t + 100)
        image, target = dataset[1]
        np.testing.assert_array_equal(image, cifar10_info["test_images"][1])
        assert target == cifar10_info["test_labels"][1] + 100

    def test_repr(self, cifar10_class: type, tmp_path: Path) -> None:
        assert repr(cifar10_class(str(tmp_path), train=False)) == (
            f"Dataset TestCIFAR10\n    Number of datapoints: 4\n    Root location: {tmp_path}\n    Split: Test"
        )
        assert repr(cifar10_class(tmp_path)).splitlines()[1:] == [
            "    Number of datapoints: 12",
            f"    Root location: {tmp_path}",
            "    Split: Train",
        ]

    def test_class_attributes_are_the_official_ones(self) -> None:
        for name in ("url", "filename", "tgz_md5", "base_folder", "train_list", "test_list", "meta"):
            assert getattr(CIFAR10, name) == META["CIFAR10"][name], name
            assert getattr(CIFAR100, name) == META["CIFAR100"][name], name

    def test_missing_dataset_says_how_to_fix_it(self, tmp_path: Path) -> None:
        with pytest.raises(RuntimeError, match=f"^{NOT_FOUND}$"):
            CIFAR10(tmp_path)

    def test_missing_test_batch_is_not_found(self, cifar10_class: type, tmp_path: Path) -> None:
        (tmp_path / "cifar-10-batches-py" / "test_batch").unlink()
        with pytest.raises(RuntimeError, match=NOT_FOUND):
            cifar10_class(tmp_path, train=True)

    def test_wrong_md5_is_corrupted(self, tmp_path: Path, cifar10_info: dict) -> None:
        with pytest.raises(RuntimeError, match=NOT_FOUND):
            CIFAR10(tmp_path)  # the official md5s do not match the test files

    def test_corrupted_meta_file(self, tmp_path: Path, cifar10_info: dict) -> None:
        bad_meta = {**cifar10_info["meta"], "md5": "0" * 32}
        with pytest.raises(RuntimeError, match="Dataset metadata file not found or corrupted"):
            _with_files(CIFAR10, cifar10_info, meta=bad_meta)(tmp_path)

    def test_batch_with_wrong_data_shape(self, tmp_path: Path) -> None:
        folder = tmp_path / "cifar-10-batches-py"
        info = dataset_files.write_cifar10(tmp_path, n_train=5, n_test=1)
        batch = {"batch_label": "", "labels": [0], "data": np.zeros((1, 100), np.uint8), "filenames": ["a"]}
        dataset_files._write_pickle(folder / "test_batch", batch)
        test_list = [["test_batch", None]]
        with pytest.raises(ValueError, match=r"test_batch: 'data' should be uint8 of shape \(N, 3072\)"):
            _with_files(CIFAR10, info, test_list=test_list)(tmp_path, train=False)

    @pytest.mark.parametrize(
        ("batch", "message"),
        [
            ([1, 2], r"test_batch: a batch should be a dict with 'data' and 'labels' or 'fine_labels'"),
            ({"data": np.zeros((1, 3072), np.uint8)}, r"a batch should be a dict with 'data' and 'labels'"),
            ({"data": np.zeros((2, 3072), np.uint8), "labels": [0]}, r"test_batch: 2 images but 1 labels"),
        ],
    )
    def test_batch_with_missing_parts(self, tmp_path: Path, batch: Any, message: str) -> None:
        info = dataset_files.write_cifar10(tmp_path, n_train=5, n_test=1)
        (tmp_path / "cifar-10-batches-py" / "test_batch").write_bytes(pickle.dumps(batch, protocol=2))
        with pytest.raises(ValueError, match=message):
            _with_files(CIFAR10, info, test_list=[["test_batch", None]])(tmp_path, train=False)

    def test_unsafe_pickle_is_refused(self, tmp_path: Path) -> None:
        info = dataset_files.write_cifar10(tmp_path, n_train=5, n_test=1)
        (tmp_path / "cifar-10-batches-py" / "test_batch").write_bytes(b"cos\nsystem\n(S'echo hacked'\ntR.")
        with pytest.raises(ValueError, match=r"os\.system"):
            _with_files(CIFAR10, info, test_list=[["test_batch", None]])(tmp_path, train=False)


class TestCIFAR100:
    def test_fine_labels_and_names(self, tmp_path: Path) -> None:
        info = dataset_files.write_cifar100(tmp_path, n_train=9, n_test=3, seed=1)
        train = _with_files(CIFAR100, info)(tmp_path)
        np.testing.assert_array_equal(train.data, info["train_images"])
        assert train.targets == info["train_labels"]
        assert train.targets != info["train_coarse_labels"]
        assert len(train.classes) == 100
        assert train.classes[7] == "fine_class_07"
        test = _with_files(CIFAR100, info)(tmp_path, train=False)
        assert test.targets == info["test_labels"]
        assert repr(test).splitlines()[0] == "Dataset TestCIFAR100"

    def test_reads_its_own_folder(self, tmp_path: Path) -> None:
        dataset_files.write_cifar10(tmp_path, n_train=5, n_test=1)
        with pytest.raises(RuntimeError, match=NOT_FOUND):
            CIFAR100(tmp_path)


class TestCIFARCache:
    """Reopening reads the decoded arrays and the md5 verdicts back instead of redoing the work."""

    @pytest.fixture
    def opened(self, cifar10_class: type, tmp_path: Path) -> Path:
        """Open the dataset once, so the cache exists; return the data folder."""
        cifar10_class(tmp_path)
        return tmp_path / "cifar-10-batches-py"

    @pytest.fixture
    def unpickled(self, monkeypatch: pytest.MonkeyPatch) -> list[str]:
        """Names of the files unpickled from now on."""
        names: list[str] = []
        real = cifar.load_pickle

        def spy(path: Path) -> Any:
            names.append(Path(path).name)
            return real(path)

        monkeypatch.setattr(cifar, "load_pickle", spy)
        return names

    @pytest.fixture
    def hashed(self, monkeypatch: pytest.MonkeyPatch) -> list[str]:
        """Names of the files hashed for md5 from now on."""
        names: list[str] = []
        real = _array_cache.check_integrity

        def spy(path: str, md5: str | None = None) -> bool:
            names.append(Path(path).name)
            return real(path, md5)

        monkeypatch.setattr(_array_cache, "check_integrity", spy)
        return names

    def test_reopening_neither_unpickles_nor_hashes(
        self, opened: Path, cifar10_class: type, cifar10_info: dict, unpickled: list, hashed: list
    ) -> None:
        dataset = cifar10_class(opened.parent)
        assert unpickled == []
        assert hashed == []
        np.testing.assert_array_equal(dataset.data, cifar10_info["train_images"])
        assert dataset.targets == cifar10_info["train_labels"]
        assert dataset.classes == META["CIFAR10"]["classes"]

    def test_reopened_arrays_are_memory_mapped_from_the_cache(self, opened: Path, cifar10_class: type) -> None:
        dataset = cifar10_class(opened.parent)
        assert isinstance(dataset.data, np.memmap)
        assert f"{opened / CACHE_FOLDER}/train-" in _mapped_files()

    def test_cache_is_hidden_beside_the_data_with_a_stamp(self, opened: Path) -> None:
        manifest = json.loads((opened / CACHE_FOLDER / "train.json").read_text())
        batch = (opened / "data_batch_1").stat()
        assert manifest["stamp"]["sources"]["data_batch_1"] == [
            batch.st_size,
            batch.st_mtime_ns,
            batch.st_ctime_ns,
            batch.st_ino,
        ]
        assert set(manifest["stamp"]["sources"]) == {f"data_batch_{i}" for i in range(1, 6)} | {"batches.meta"}
        assert manifest["stamp"]["version"] == _array_cache.FORMAT_VERSION

    def test_touched_source_is_decoded_and_hashed_again(
        self, opened: Path, cifar10_class: type, unpickled: list, hashed: list
    ) -> None:
        _touch(opened / "data_batch_3")
        cifar10_class(opened.parent)
        assert "data_batch_3" in unpickled
        assert hashed == ["data_batch_3"]

    def test_rewritten_files_give_the_new_values(self, opened: Path) -> None:
        info = dataset_files.write_cifar10(opened.parent, n_train=7, n_test=2, seed=99)
        dataset = _with_files(CIFAR10, info)(opened.parent)
        np.testing.assert_array_equal(dataset.data, info["train_images"])
        assert dataset.targets == info["train_labels"]

    def test_file_corrupted_after_verification_is_detected(self, opened: Path, cifar10_class: type) -> None:
        batch = opened / "data_batch_2"
        data = bytearray(batch.read_bytes())
        data[-40] ^= 0xFF
        batch.write_bytes(bytes(data))
        _touch(batch)
        with pytest.raises(RuntimeError, match=NOT_FOUND):
            cifar10_class(opened.parent)

    def test_damaged_cache_file_is_rebuilt(self, opened: Path, cifar10_class: type, cifar10_info: dict) -> None:
        for array_file in (opened / CACHE_FOLDER).glob("train-*.data.npy"):
            array_file.write_bytes(array_file.read_bytes()[:200])
        np.testing.assert_array_equal(cifar10_class(opened.parent).data, cifar10_info["train_images"])
        np.testing.assert_array_equal(cifar10_class(opened.parent).data, cifar10_info["train_images"])

    def test_writes_to_the_data_stay_in_memory(self, opened: Path, cifar10_class: type, cifar10_info: dict) -> None:
        dataset = cifar10_class(opened.parent)
        dataset.data[0] = 0
        assert dataset[0][0].getextrema() == ((0, 0), (0, 0), (0, 0))
        np.testing.assert_array_equal(cifar10_class(opened.parent).data, cifar10_info["train_images"])

    def test_folder_that_cannot_hold_a_cache(self, cifar10_class: type, cifar10_info: dict, tmp_path: Path) -> None:
        (tmp_path / "cifar-10-batches-py" / CACHE_FOLDER).write_text("a file where the cache folder would go")
        for _ in range(2):
            dataset = cifar10_class(tmp_path)
            np.testing.assert_array_equal(dataset.data, cifar10_info["train_images"])
            assert not isinstance(dataset.data, np.memmap)

    def test_read_only_folder_decodes_in_memory(
        self, cifar10_class: type, cifar10_info: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            raise PermissionError(13, "Read-only file system")

        monkeypatch.setattr(_array_cache.tempfile, "mkstemp", refuse)
        dataset = cifar10_class(tmp_path, train=False)
        np.testing.assert_array_equal(dataset.data, cifar10_info["test_images"])
        assert dataset.targets == cifar10_info["test_labels"]
        assert not (tmp_path / "cifar-10-batches-py" / CACHE_FOLDER / "test.json").exists()

    def test_concurrent_first_opens_agree(self, cifar10_class: type, cifar10_info: dict, tmp_path: Path) -> None:
        results: list[Any] = [None] * 4

        def open_dataset(slot: int) -> None:
            results[slot] = cifar10_class(tmp_path)

        threads = [threading.Thread(target=open_dataset, args=(slot,)) for slot in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for dataset in [*results, cifar10_class(tmp_path)]:
            np.testing.assert_array_equal(dataset.data, cifar10_info["train_images"])
        cache = tmp_path / "cifar-10-batches-py" / CACHE_FOLDER
        assert sorted(path.suffix for path in cache.iterdir()) == [".json", ".json", ".npy", ".npy", ".npy"]


@pytest.fixture
def mnist_raw(tmp_path: Path) -> dict[str, Any]:
    return dataset_files.write_mnist(tmp_path, n_train=9, n_test=4, seed=5)


class TestMNIST:
    @pytest.mark.parametrize("gz", [False, True])
    @pytest.mark.parametrize("train", [True, False])
    def test_images_and_labels_round_trip(self, tmp_path: Path, gz: bool, train: bool) -> None:
        info = dataset_files.write_mnist(tmp_path, n_train=9, n_test=4, gz=gz, seed=2)
        dataset = MNIST(tmp_path, train=train)
        split = "train" if train else "test"
        assert dataset.data.dtype == torch.uint8
        assert dataset.targets.dtype == torch.int64
        np.testing.assert_array_equal(dataset.data.numpy(), info[f"{split}_images"])
        np.testing.assert_array_equal(dataset.targets.numpy(), info[f"{split}_labels"])

    def test_items_are_grayscale_images_and_ints(self, tmp_path: Path, mnist_raw: dict) -> None:
        image, target = MNIST(tmp_path)[4]
        assert isinstance(image, Image.Image)
        assert (image.mode, image.size) == ("L", (28, 28))
        np.testing.assert_array_equal(np.asarray(image), mnist_raw["train_images"][4])
        assert target == int(mnist_raw["train_labels"][4])
        assert type(target) is int

    @pytest.mark.parametrize("gz", [False, True])
    def test_image_size_comes_from_the_header(self, tmp_path: Path, gz: bool) -> None:
        info = dataset_files.write_mnist(tmp_path, n_train=6, n_test=2, size=8, gz=gz)
        dataset = MNIST(tmp_path, train=False)
        assert tuple(dataset.data.shape) == (2, 8, 8)
        assert dataset[1][0].size == (8, 8)
        np.testing.assert_array_equal(np.asarray(dataset[1][0]), info["test_images"][1])

    def test_transforms_are_applied(self, tmp_path: Path, mnist_raw: dict) -> None:
        dataset = MNIST(tmp_path, transform=np.asarray, target_transform=str)
        image, target = dataset[0]
        np.testing.assert_array_equal(image, mnist_raw["train_images"][0])
        assert target == str(mnist_raw["train_labels"][0])

    def test_folders_classes_and_repr(self, tmp_path: Path, mnist_raw: dict) -> None:
        dataset = MNIST(str(tmp_path), train=False)
        assert dataset.raw_folder == os.path.join(tmp_path, "MNIST", "raw")
        assert dataset.processed_folder == os.path.join(tmp_path, "MNIST", "processed")
        assert dataset.classes == META["MNIST"]["classes"]
        assert dataset.class_to_idx["3 - three"] == 3
        assert repr(dataset) == (
            f"Dataset MNIST\n    Number of datapoints: 4\n    Root location: {tmp_path}\n    Split: Test"
        )

    @pytest.mark.parametrize("cls", [MNIST, FashionMNIST, KMNIST])
    def test_each_dataset_reads_its_own_folder_and_has_official_attributes(self, tmp_path: Path, cls: type) -> None:
        info = dataset_files.write_mnist(tmp_path, name=cls.__name__, n_train=3, n_test=2, gz=True)
        dataset = cls(tmp_path)
        np.testing.assert_array_equal(dataset.data.numpy(), info["train_images"])
        expected = META[cls.__name__]
        assert dataset.classes == expected["classes"]
        assert cls.mirrors == expected["mirrors"]
        assert [list(resource) for resource in cls.resources] == expected["resources"]

    def test_missing_dataset_says_how_to_fix_it(self, tmp_path: Path) -> None:
        dataset_files.write_mnist(tmp_path, name="MNIST")
        with pytest.raises(RuntimeError, match=r"^Dataset not found\. You can use download=True to download it$"):
            FashionMNIST(tmp_path)

    def test_one_missing_file_is_not_found(self, tmp_path: Path, mnist_raw: dict) -> None:
        (mnist_raw["raw_folder"] / "t10k-labels-idx1-ubyte").unlink()
        with pytest.raises(RuntimeError, match="Dataset not found"):
            MNIST(tmp_path)

    def test_uncompressed_files_are_memory_mapped(self, tmp_path: Path, mnist_raw: dict) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # e.g. torch's warning about non-writable arrays
            dataset = MNIST(tmp_path)
        assert str(mnist_raw["raw_folder"] / "train-images-idx3-ubyte") in _mapped_files()
        assert not (mnist_raw["raw_folder"] / CACHE_FOLDER).exists()
        dataset.data[0] = 0  # copy-on-write: the file keeps its values
        np.testing.assert_array_equal(MNIST(tmp_path).data.numpy(), mnist_raw["train_images"])

    def test_gz_files_are_decompressed_once(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        info = dataset_files.write_mnist(tmp_path, n_train=5, n_test=2, gz=True)
        MNIST(tmp_path)
        monkeypatch.setattr(mnist.gzip, "decompress", None)  # any further decompression would fail
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            dataset = MNIST(tmp_path)
        np.testing.assert_array_equal(dataset.data.numpy(), info["train_images"])
        assert f"{info['raw_folder'] / CACHE_FOLDER}/train-images-idx3-ubyte-" in _mapped_files()

    def test_rewritten_gz_file_is_decompressed_again(self, tmp_path: Path) -> None:
        dataset_files.write_mnist(tmp_path, n_train=5, n_test=2, gz=True, seed=1)
        MNIST(tmp_path)
        info = dataset_files.write_mnist(tmp_path, n_train=6, n_test=2, gz=True, seed=2)
        for name, _ in info["files"]:
            _touch(info["raw_folder"] / name)
        np.testing.assert_array_equal(MNIST(tmp_path).data.numpy(), info["train_images"])

    def test_uncompressed_file_wins_over_gz(self, tmp_path: Path) -> None:
        dataset_files.write_mnist(tmp_path, n_train=5, n_test=2, gz=True, seed=1)
        info = dataset_files.write_mnist(tmp_path, n_train=3, n_test=2, gz=False, seed=2)
        np.testing.assert_array_equal(MNIST(tmp_path).data.numpy(), info["train_images"])

    @pytest.mark.parametrize("gz", [False, True])
    def test_wrong_magic_number_names_the_file(self, tmp_path: Path, gz: bool) -> None:
        info = dataset_files.write_mnist(tmp_path, n_train=3, n_test=2, gz=gz)
        suffix = ".gz" if gz else ""
        # A label file where an image file should be: 1 dimension instead of 3.
        dataset_files.write_idx_labels(info["raw_folder"] / f"train-images-idx3-ubyte{suffix}", np.zeros(3, np.uint8))
        with pytest.raises(
            ValueError,
            match=r"train-images-idx3-ubyte.* is not a uint8 IDX file with 3 dimension.*"
            r"magic number 0x00000801, expected 0x00000803",
        ):
            MNIST(tmp_path)

    def test_truncated_file_names_the_file(self, tmp_path: Path, mnist_raw: dict) -> None:
        path = mnist_raw["raw_folder"] / "t10k-images-idx3-ubyte"
        path.write_bytes(path.read_bytes()[:-5])
        with pytest.raises(
            ValueError,
            match=r"t10k-images-idx3-ubyte should hold 3152 bytes for its shape "
            r"\(4, 28, 28\), got 3147",
        ):
            MNIST(tmp_path, train=False)

    def test_header_too_short(self, tmp_path: Path, mnist_raw: dict) -> None:
        (mnist_raw["raw_folder"] / "t10k-labels-idx1-ubyte").write_bytes(b"\x00\x00")
        with pytest.raises(
            ValueError, match=r"t10k-labels-idx1-ubyte is too short for an IDX header: 2 bytes, expected 8"
        ):
            MNIST(tmp_path, train=False)

    def test_invalid_gzip_names_the_file(self, tmp_path: Path) -> None:
        info = dataset_files.write_mnist(tmp_path, n_train=3, n_test=2, gz=True)
        (info["raw_folder"] / "train-labels-idx1-ubyte.gz").write_bytes(b"not gzip data")
        with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte\.gz is not a valid gzip file"):
            MNIST(tmp_path)

    def test_image_and_label_counts_must_agree(self, tmp_path: Path, mnist_raw: dict) -> None:
        dataset_files.write_idx_labels(mnist_raw["raw_folder"] / "train-labels-idx1-ubyte", np.zeros(8, np.uint8))
        with pytest.raises(ValueError, match="train-images-idx3-ubyte has 9 images but train-labels-idx1-ubyte has 8"):
            MNIST(tmp_path)

    def test_empty_split(self, tmp_path: Path) -> None:
        dataset_files.write_mnist(tmp_path, n_train=2, n_test=0)
        dataset = MNIST(tmp_path, train=False)
        assert len(dataset) == 0
        assert tuple(dataset.data.shape) == (0, 28, 28)


def _png(color: tuple[int, int, int], size: tuple[int, int] = (3, 2)) -> bytes:
    return dataset_files._encode_png(Image.new("RGB", size, color))


@pytest.fixture
def image_tree(tmp_path: Path) -> Path:
    """Classes ``cat``, ``ant`` (nested folders, mixed-case extensions, a non-image file) and ``bee`` (no image)."""
    dataset_files.write_image_folder(
        tmp_path,
        {
            "cat": [Image.new("L", (4, 5), 200), ("b.JPEG", _png((0, 0, 255)))],
            "ant": [
                ("z.png", _png((255, 0, 0))),
                ("deep/y.PNG", _png((0, 255, 0))),
                ("a.bmp", _png((1, 2, 3))),
                ("deep-er/x.png", _png((4, 5, 6))),
                ("notes.txt", b"not an image"),
            ],
            "bee": [("readme.md", b"nothing here")],
        },
    )
    (tmp_path / "stray.png").write_bytes(_png((9, 9, 9)))  # files directly under root belong to no class
    return tmp_path


class TestImageFolder:
    def test_samples_in_sorted_walk_order(self, image_tree: Path) -> None:
        dataset = ImageFolder(str(image_tree), allow_empty=True)
        assert dataset.classes == ["ant", "bee", "cat"]
        assert dataset.class_to_idx == {"ant": 0, "bee": 1, "cat": 2}
        expected = [
            ("ant/a.bmp", 0),
            ("ant/z.png", 0),
            ("ant/deep/y.PNG", 0),
            ("ant/deep-er/x.png", 0),
            ("cat/000.png", 2),
            ("cat/b.JPEG", 2),
        ]
        assert dataset.samples == [(os.path.join(image_tree, name), target) for name, target in expected]
        assert dataset.targets == [0, 0, 0, 0, 2, 2]
        assert dataset.imgs is dataset.samples
        assert dataset.extensions == IMG_EXTENSIONS

    def test_items_are_rgb_images(self, image_tree: Path) -> None:
        dataset = ImageFolder(image_tree, allow_empty=True)
        image, target = dataset[4]
        assert (image.mode, image.size, target) == ("RGB", (4, 5), 2)
        assert image.getpixel((0, 0)) == (200, 200, 200)
        assert dataset[1][0].getpixel((0, 0)) == (255, 0, 0)

    def test_transforms_and_loader(self, image_tree: Path) -> None:
        dataset = ImageFolder(
            image_tree, transform=Named("t"), target_transform=Named("u"), loader=os.path.basename, allow_empty=True
        )
        assert dataset[2] == (("t", "y.PNG"), ("u", 0))

    def test_class_without_images_is_an_error_unless_allowed(self, image_tree: Path) -> None:
        with pytest.raises(
            FileNotFoundError,
            match=r"^Found no valid file for the classes bee\. Supported extensions "
            r"are: \.jpg, \.jpeg, \.png, \.ppm, \.bmp, \.pgm, \.tif, \.tiff, \.webp$",
        ):
            ImageFolder(image_tree)

    def test_is_valid_file_replaces_extensions(self, image_tree: Path) -> None:
        dataset = ImageFolder(image_tree, is_valid_file=lambda path: path.endswith(".png"), allow_empty=True)
        assert [os.path.relpath(path, image_tree) for path, _ in dataset.samples] == [
            "ant/z.png",
            "ant/deep-er/x.png",
            "cat/000.png",
        ]
        assert dataset.extensions is None
        with pytest.raises(FileNotFoundError, match=r"^Found no valid file for the classes bee\. $"):
            ImageFolder(image_tree, is_valid_file=lambda path: path.endswith(".png"))

    def test_repr(self, image_tree: Path) -> None:
        assert repr(ImageFolder(image_tree, allow_empty=True)) == (
            f"Dataset ImageFolder\n    Number of datapoints: 6\n    Root location: {image_tree}"
        )

    def test_root_without_class_folders(self, tmp_path: Path) -> None:
        (tmp_path / "a.png").write_bytes(_png((0, 0, 0)))
        with pytest.raises(FileNotFoundError, match=r"^Couldn't find any class folder in .*\.$"):
            ImageFolder(tmp_path)

    def test_missing_root(self, tmp_path: Path) -> None:
        with pytest.raises(FileNotFoundError):
            ImageFolder(tmp_path / "missing")

    def test_linked_folders_are_followed(self, image_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
        outside = tmp_path_factory.mktemp("outside")
        (outside / "w.png").write_bytes(_png((7, 7, 7)))
        (image_tree / "bee" / "linked").symlink_to(outside, target_is_directory=True)
        dataset = ImageFolder(image_tree)
        assert (os.path.join(image_tree, "bee", "linked", "w.png"), 1) in dataset.samples


class TestDatasetFolder:
    def test_extensions_pick_the_files(self, image_tree: Path) -> None:
        def read_bytes(path: str) -> bytes:
            return Path(path).read_bytes()

        dataset = DatasetFolder(image_tree, loader=read_bytes, extensions=(".txt", ".md"), allow_empty=True)
        assert [(os.path.relpath(path, image_tree), target) for path, target in dataset.samples] == [
            ("ant/notes.txt", 0),
            ("bee/readme.md", 1),
        ]
        assert dataset[1] == (b"nothing here", 1)
        assert dataset.loader is read_bytes
        assert len(dataset) == 2

    def test_extensions_as_a_string_or_list(self, image_tree: Path) -> None:
        as_string = DatasetFolder(image_tree, loader=str, extensions=".bmp", allow_empty=True)
        as_list = DatasetFolder(image_tree, loader=str, extensions=[".bmp"], allow_empty=True)
        assert as_string.samples == as_list.samples == [(os.path.join(image_tree, "ant", "a.bmp"), 0)]

    def test_empty_classes_are_named_with_the_extensions(self, image_tree: Path) -> None:
        with pytest.raises(
            FileNotFoundError,
            match=r"^Found no valid file for the classes bee, cat\. "
            r"Supported extensions are: \.bmp, \.txt$",
        ):
            DatasetFolder(image_tree, loader=str, extensions=[".bmp", ".txt"])

    @pytest.mark.parametrize("kwargs", [{}, {"extensions": ".png", "is_valid_file": bool}])
    def test_extensions_xor_is_valid_file(self, image_tree: Path, kwargs: dict) -> None:
        with pytest.raises(ValueError, match="Both extensions and is_valid_file cannot be None or not None"):
            DatasetFolder(image_tree, loader=str, **kwargs)

    def test_make_dataset_method_needs_class_to_idx(self, image_tree: Path) -> None:
        with pytest.raises(ValueError, match=r"The class_to_idx parameter cannot be None\."):
            DatasetFolder.make_dataset(str(image_tree), None, extensions=".png")

    def test_make_dataset_with_chosen_classes(self, image_tree: Path) -> None:
        samples = DatasetFolder.make_dataset(image_tree, {"cat": 5, "ghost": 1}, extensions=".png", allow_empty=True)
        assert samples == [(os.path.join(image_tree, "cat", "000.png"), 5)]

    def test_subclass_can_choose_classes(self, image_tree: Path) -> None:
        class OnlyCats(DatasetFolder):
            def find_classes(self, directory: str | os.PathLike[str]) -> tuple[list[str], dict[str, int]]:
                return ["cat"], {"cat": 0}

        assert OnlyCats(image_tree, loader=str, extensions=".jpeg").targets == [0]


class TestFolderFunctions:
    def test_find_classes(self, image_tree: Path) -> None:
        assert find_classes(image_tree) == (["ant", "bee", "cat"], {"ant": 0, "bee": 1, "cat": 2})

    def test_make_dataset_finds_classes_itself(self, image_tree: Path) -> None:
        assert make_dataset(str(image_tree), extensions=".jpeg", allow_empty=True) == [
            (os.path.join(image_tree, "cat", "b.JPEG"), 2)
        ]
        with pytest.raises(FileNotFoundError, match="classes ant, bee"):
            make_dataset(str(image_tree), extensions=".jpeg", allow_empty=False)

    def test_extension_checks_ignore_case(self) -> None:
        assert has_file_allowed_extension("photo.PNG", (".png",))
        assert has_file_allowed_extension("photo.png", ".png")
        assert not has_file_allowed_extension("photo.png.txt", [".png"])
        assert is_image_file("x.WebP")
        assert not is_image_file("x.gif")
        assert IMG_EXTENSIONS == (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")

    @pytest.mark.parametrize("loader", [pil_loader, default_loader])
    def test_loaders_give_rgb_and_close_the_file(self, tmp_path: Path, loader: Any) -> None:
        path = tmp_path / "gray.png"
        Image.new("LA", (2, 3), (10, 20)).save(path)
        image = loader(str(path))
        assert (image.mode, image.size, image.getpixel((1, 2))) == ("RGB", (2, 3), (10, 10, 10))
        path.unlink()  # the loaded image does not need the file any more
        assert image.getpixel((0, 0)) == (10, 10, 10)


FAKEDATA = json.loads((GOLDEN / "fakedata.json").read_text())


class TestFakeData:
    @pytest.mark.parametrize("case", FAKEDATA["cases"], ids=lambda case: json.dumps(case["kwargs"]))
    def test_same_items_as_torchvision(self, case: dict) -> None:
        kwargs = dict(case["kwargs"])
        if "image_size" in kwargs:
            kwargs["image_size"] = tuple(kwargs["image_size"])
        dataset = FakeData(**kwargs)
        for item in case["items"]:
            image, target = dataset[item["index"]]
            pixels = np.asarray(image)
            assert (image.mode, list(pixels.shape), target) == (item["mode"], item["shape"], item["target"])
            assert type(target) is int
            if "pixels" in item:
                assert pixels.ravel().tolist() == item["pixels"]
            assert hashlib.sha256(pixels.tobytes()).hexdigest() == item["sha256"]

    def test_global_random_state_is_untouched(self) -> None:
        dataset = FakeData(size=3, image_size=(3, 4, 4))
        torch.manual_seed(11)
        random.seed(11)
        expected = (torch.rand(3), random.random())
        torch.manual_seed(11)
        random.seed(11)
        dataset[2]
        assert torch.equal(torch.rand(3), expected[0])
        assert random.random() == expected[1]

    def test_items_repeat_and_offset_shifts_them(self) -> None:
        dataset = FakeData(size=6, image_size=(1, 4, 4))
        shifted = FakeData(size=6, image_size=(1, 4, 4), random_offset=2)
        assert np.array_equal(np.asarray(dataset[3][0]), np.asarray(dataset[3][0]))
        assert np.array_equal(np.asarray(dataset[3][0]), np.asarray(shifted[1][0]))
        assert not np.array_equal(np.asarray(dataset[3][0]), np.asarray(dataset[2][0]))

    def test_length_index_error_and_repr(self) -> None:
        dataset = FakeData(size=4, transform=Named("T"))
        assert len(dataset) == 4
        with pytest.raises(IndexError, match="FakeData index out of range"):
            dataset[4]
        assert repr(dataset).splitlines()[:3] == [
            "Dataset FakeData",
            "    Number of datapoints: 4",
            "    StandardTransform",
        ]

    def test_transforms_are_applied(self) -> None:
        image, target = FakeData(size=2, image_size=(3, 2, 2), transform=np.asarray, target_transform=str)[0]
        assert image.shape == (2, 2, 3)
        assert isinstance(target, str)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"size": -1}, r"`size` should be >= 0, got -1"),
            ({"num_classes": 0}, r"`num_classes` should be >= 1, got 0"),
            ({"image_size": (5, 4, 4)}, r"`image_size` should be \(C, H, W\) with 1 to 4 channels .*got \(5, 4, 4\)"),
            ({"image_size": (3, 0, 4)}, r"`image_size` should be .*got \(3, 0, 4\)"),
            ({"image_size": (4,)}, r"`image_size` should be .*got \(4,\)"),
            ({"image_size": "3x4"}, r"`image_size` should be .*got '3x4'"),
        ],
    )
    def test_invalid_values(self, kwargs: dict, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            FakeData(**kwargs)

    @pytest.mark.parametrize("name", ["size", "num_classes", "random_offset"])
    def test_non_int_arguments(self, name: str) -> None:
        with pytest.raises(TypeError, match=f"`{name}` should be an int, got float"):
            FakeData(**{name: 2.0})


class TestDownload:
    def test_cifar10_tarball_end_to_end(self, local_server: LocalHTTPServer, tmp_path: Path) -> None:
        staging = tmp_path / "staging"
        info = dataset_files.write_cifar10(staging, n_train=10, n_test=3, seed=4)
        tarball = tmp_path / "cifar-10-python.tar.gz"
        tgz_md5 = dataset_files.make_cifar_tarball(staging / "cifar-10-batches-py", tarball)
        local_server.add("/kriz/cifar-10-python.tar.gz", tarball.read_bytes())
        served = _with_files(CIFAR10, info, url=local_server.url("/kriz/cifar-10-python.tar.gz"), tgz_md5=tgz_md5)
        progress: list[tuple[int, int | None]] = []
        root = tmp_path / "root"

        dataset = served(root, download=True, progress=lambda done, total: progress.append((done, total)))
        np.testing.assert_array_equal(dataset.data, info["train_images"])
        assert dataset.targets == info["train_labels"]
        assert progress[-1] == (tarball.stat().st_size, tarball.stat().st_size)
        served(root, train=False, download=True)  # already there and verified: no second download
        assert local_server.hits("/kriz/cifar-10-python.tar.gz") == 1

    def test_mnist_falls_back_to_the_next_mirror(self, local_server: LocalHTTPServer, tmp_path: Path) -> None:
        info = dataset_files.write_mnist(tmp_path / "staging", n_train=7, n_test=3, gz=True, seed=8)
        for name, _ in info["files"]:
            local_server.add_status(f"/first/{name}", 404)
            local_server.add(f"/second/{name}", (info["raw_folder"] / name).read_bytes())
        mirrors = [local_server.url("/first/"), local_server.url("/second/")]
        served = type("ServedMNIST", (MNIST,), {"mirrors": mirrors, "resources": info["files"]})
        root = tmp_path / "root"

        dataset = served(root, download=True, progress=lambda done, total: None)
        np.testing.assert_array_equal(dataset.data.numpy(), info["train_images"])
        np.testing.assert_array_equal(dataset.targets.numpy(), info["train_labels"])
        test = served(root, train=False, download=True)
        np.testing.assert_array_equal(test.data.numpy(), info["test_images"])
        for name, _ in info["files"]:
            assert (local_server.hits(f"/first/{name}"), local_server.hits(f"/second/{name}")) == (1, 1)
            assert (root / "ServedMNIST" / "raw" / name.removesuffix(".gz")).is_file()

    def test_mnist_download_failure_lists_the_mirrors(self, local_server: LocalHTTPServer, tmp_path: Path) -> None:
        served = type("ServedMNIST", (MNIST,), {"mirrors": [local_server.url("/a/"), local_server.url("/b/")]})
        with pytest.raises(DownloadError, match=r"(?s)train-images-idx3-ubyte\.gz.*/a/.*404.*/b/.*404"):
            served(tmp_path, download=True)


class TestPixelLimit:
    def test_pil_loader_refuses_large_images_before_decoding(self, tmp_path: Path) -> None:
        path = tmp_path / "big.png"
        Image.new("RGB", (300, 200), (1, 2, 3)).save(path)
        assert datasets.pil_loader(path, max_pixels=60_000).size == (300, 200)
        with pytest.raises(ValueError, match=r"300 x 200 pixels \(0.1 megapixels\), above the 0.059999 megapixels"):
            datasets.pil_loader(path, max_pixels=59_999)

    def test_health_report_lists_large_files_as_unreadable(self, tmp_path: Path) -> None:
        for name, size in [("a", (10, 10)), ("b", (40, 40))]:
            (tmp_path / name).mkdir()
            Image.new("RGB", size, (9, 9, 9)).save(tmp_path / name / "1.png")
        report = datasets.health_report(datasets.ImageFolder(tmp_path), max_pixels=1000)
        assert [(index, Path(path).parent.name) for index, path, _ in report.unreadable] == [(1, "b")]
        assert "40 x 40 pixels" in report.unreadable[0][2]


class TestVerifiedMd5Record:
    def test_a_file_rewritten_in_place_with_its_old_mtime_is_hashed_again(self, tmp_path: Path) -> None:
        path = tmp_path / "batch.bin"
        path.write_bytes(b"genuine data" * 100)
        md5 = hashlib.md5(path.read_bytes()).hexdigest()
        cache = tmp_path / CACHE_FOLDER
        assert _array_cache.check_integrity_once(cache, [(path, md5)])
        before = path.stat()
        with open(path, "r+b") as file:  # same size, same inode, other bytes
            file.write(b"tampered!!!!")
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
        assert not _array_cache.check_integrity_once(cache, [(path, md5)])

    def test_an_unchanged_file_is_trusted_from_the_record(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        path = tmp_path / "batch.bin"
        path.write_bytes(b"genuine data")
        md5 = hashlib.md5(path.read_bytes()).hexdigest()
        cache = tmp_path / CACHE_FOLDER
        assert _array_cache.check_integrity_once(cache, [(path, md5)])
        monkeypatch.setattr(_array_cache, "check_integrity", lambda *args: pytest.fail("hashed again"))
        assert _array_cache.check_integrity_once(cache, [(path, md5)])
