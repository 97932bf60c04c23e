"""wrap_dataset_for_transforms_v2 on real datasets written to disk in their official formats."""

from __future__ import annotations

import functools
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from PIL import Image

from tests import dataset_files
from visionkit import tv_tensors
from visionkit.datasets import (
    CIFAR10,
    CIFAR100,
    KMNIST,
    MNIST,
    CocoDetection,
    DatasetFolder,
    FakeData,
    FashionMNIST,
    ImageFolder,
    Shapes,
    VisionDataset,
    pil_loader,
    wrap_dataset_for_transforms_v2,
)
from visionkit.transforms import v2

from .golden.record_coco import write_coco_tree

Builder = Callable[..., VisionDataset]


def _image_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Builder:
    images = [Image.fromarray(array) for array in dataset_files.random_images(4, (6, 8, 3), seed=0)]
    dataset_files.write_image_folder(tmp_path, {"cat": images[:2], "dog": images[2:]})
    return functools.partial(ImageFolder, tmp_path)


def _dataset_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Builder:
    _image_folder(tmp_path, monkeypatch)
    return functools.partial(DatasetFolder, tmp_path, pil_loader, extensions=(".png",))


def _cifar(cifar_cls: type[CIFAR10], write: Callable[..., dict[str, Any]]) -> Callable[..., Builder]:
    def build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Builder:
        info = write(tmp_path, n_train=5, n_test=3, seed=1)
        # The official md5s do not describe the files written here.
        for name in ("train_list", "test_list", "meta"):
            monkeypatch.setattr(cifar_cls, name, info[name])
        return functools.partial(cifar_cls, tmp_path, train=False)

    return build


def _mnist(mnist_cls: type[MNIST]) -> Callable[..., Builder]:
    def build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Builder:
        dataset_files.write_mnist(tmp_path, name=mnist_cls.__name__, n_train=3, n_test=3, seed=2)
        return functools.partial(mnist_cls, tmp_path, train=False)

    return build


def _shapes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Builder:
    return functools.partial(Shapes, size=3, image_size=32)


BUILDERS = {
    "ImageFolder": _image_folder,
    "DatasetFolder": _dataset_folder,
    "CIFAR10": _cifar(CIFAR10, dataset_files.write_cifar10),
    "CIFAR100": _cifar(CIFAR100, dataset_files.write_cifar100),
    "MNIST": _mnist(MNIST),
    "FashionMNIST": _mnist(FashionMNIST),
    "KMNIST": _mnist(KMNIST),
    "Shapes": _shapes,
}


@pytest.fixture(params=list(BUILDERS))
def build(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Builder:
    """Builds one of the supported datasets from small files (the same files on every call)."""
    return BUILDERS[request.param](tmp_path, monkeypatch)


@pytest.fixture
def build_image_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Builder:
    return _image_folder(tmp_path, monkeypatch)


def flip_pipeline() -> v2.Compose:
    return v2.Compose([v2.ToImage(), v2.RandomHorizontalFlip(p=1)])


def flipped_chw(image: Image.Image) -> torch.Tensor:
    """The pixels of ``image`` as a (C, H, W) uint8 tensor, mirrored left to right."""
    array = np.asarray(image)
    array = array[:, :, None] if array.ndim == 2 else array
    return torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)[:, :, ::-1]))


def assert_same_items(actual: VisionDataset, expected: VisionDataset) -> None:
    assert len(actual) == len(expected)
    for index in range(len(expected)):
        (image, target), (expected_image, expected_target) = actual[index], expected[index]
        assert type(image) is type(expected_image)
        if isinstance(expected_image, torch.Tensor):
            torch.testing.assert_close(image, expected_image, rtol=0, atol=0)
        else:
            assert image.mode == expected_image.mode
            np.testing.assert_array_equal(np.asarray(image), np.asarray(expected_image))
        assert type(target) is type(expected_target)
        assert target == expected_target


class SubImageFolder(ImageFolder):
    """A user's subclass of a supported dataset."""


class VOCDetection(VisionDataset):
    """Stands in for a detection dataset visionkit does not have: dict targets, no wrapper."""

    def __len__(self) -> int:
        return 1

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        return Image.new("RGB", (4, 4)), {"annotation": {"object": []}}


class TestWrappedDataset:
    def test_is_an_instance_of_the_dataset_class(self, build: Builder) -> None:
        dataset = build()
        wrapped = wrap_dataset_for_transforms_v2(dataset)
        assert isinstance(wrapped, type(dataset))
        assert isinstance(wrapped, VisionDataset)
        assert type(wrapped).__name__ == f"Wrapped{type(dataset).__name__}"

    def test_subclass_of_a_supported_dataset_is_wrapped(self, build_image_folder: Builder, tmp_path: Path) -> None:
        wrapped = wrap_dataset_for_transforms_v2(SubImageFolder(tmp_path, transform=flip_pipeline()))
        assert isinstance(wrapped, SubImageFolder)
        assert type(wrapped).__name__ == "WrappedSubImageFolder"
        assert_same_items(wrapped, wrap_dataset_for_transforms_v2(build_image_folder(transform=flip_pipeline())))

    def test_dataset_attributes_are_read_through(self, build_image_folder: Builder) -> None:
        dataset = build_image_folder()
        wrapped = wrap_dataset_for_transforms_v2(dataset)
        assert wrapped.classes == ["cat", "dog"]
        assert wrapped.class_to_idx == dataset.class_to_idx
        assert wrapped.samples == dataset.samples
        assert wrapped.root == dataset.root

    def test_repr_is_the_dataset_summary_under_the_wrapped_name(self, build: Builder) -> None:
        dataset = build(transform=flip_pipeline(), target_transform=str)
        expected = repr(dataset).replace(
            f"Dataset {type(dataset).__name__}", f"Dataset Wrapped{type(dataset).__name__}"
        )
        assert repr(wrap_dataset_for_transforms_v2(dataset)) == expected


class TestItems:
    def test_items_equal_the_unwrapped_items(self, build: Builder) -> None:
        assert_same_items(wrap_dataset_for_transforms_v2(build()), build())

    def test_v2_pipeline_given_as_transform_runs_after_wrapping(self, build: Builder) -> None:
        wrapped = wrap_dataset_for_transforms_v2(build(transform=flip_pipeline(), target_transform=lambda t: t + 100))
        raw = build()
        for index in range(len(raw)):
            image, target = wrapped[index]
            assert type(image) is tv_tensors.Image
            torch.testing.assert_close(image.as_subclass(torch.Tensor), flipped_chw(raw[index][0]), rtol=0, atol=0)
            assert target == raw[index][1] + 100

    def test_dataset_gives_its_transforms_to_the_wrapper(self, build_image_folder: Builder) -> None:
        pipeline = flip_pipeline()
        dataset = build_image_folder(transform=pipeline, target_transform=str)
        wrapped = wrap_dataset_for_transforms_v2(dataset)
        assert (dataset.transform, dataset.target_transform, dataset.transforms) == (None, None, None)
        assert (wrapped.transform, wrapped.target_transform) == (pipeline, str)
        assert wrapped.transforms.transform is pipeline
        # The dataset itself now returns untransformed samples.
        assert_same_items(dataset, build_image_folder())

    def test_joint_transforms_see_the_whole_sample(self, build: Builder) -> None:
        seen = []

        def joint(image: Any, target: int) -> tuple[Any, Any]:
            seen.append(target)
            return flip_pipeline()(image, target)

        dataset = build()
        dataset.transforms = joint
        wrapped = wrap_dataset_for_transforms_v2(dataset)
        raw = build()
        for index in range(len(raw)):
            image, target = wrapped[index]
            assert type(image) is tv_tensors.Image
            torch.testing.assert_close(image.as_subclass(torch.Tensor), flipped_chw(raw[index][0]), rtol=0, atol=0)
            assert target == raw[index][1]
        assert seen == [raw[index][1] for index in range(len(raw))]

    def test_negative_index(self, build_image_folder: Builder) -> None:
        wrapped = wrap_dataset_for_transforms_v2(build_image_folder())
        np.testing.assert_array_equal(np.asarray(wrapped[-1][0]), np.asarray(wrapped[len(wrapped) - 1][0]))


class TestTargetKeys:
    @pytest.mark.parametrize("target_keys", ["all", ["boxes"], ("labels",), set()])
    def test_classification_datasets_refuse_target_keys(self, build: Builder, target_keys: Any) -> None:
        dataset = build(transform=flip_pipeline())
        with pytest.raises(ValueError, match="`target_keys` only applies to detection datasets"):
            wrap_dataset_for_transforms_v2(dataset, target_keys=target_keys)
        # Nothing was taken over by the wrapper that was refused.
        assert dataset.transform is not None

    def test_error_names_the_registered_base_class(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        dataset = _mnist(KMNIST)(tmp_path, monkeypatch)()
        with pytest.raises(ValueError, match="but got MNIST;"):
            wrap_dataset_for_transforms_v2(dataset, target_keys="all")

    @pytest.mark.parametrize("target_keys", [5, ["boxes", 1], object()])
    def test_target_keys_must_be_strings(self, build_image_folder: Builder, target_keys: Any) -> None:
        with pytest.raises(ValueError, match="`target_keys` can be None, 'all', or a collection of strings"):
            wrap_dataset_for_transforms_v2(build_image_folder(), target_keys=target_keys)

    def test_target_keys_are_checked_before_the_dataset(self) -> None:
        with pytest.raises(ValueError, match="`target_keys` can be None"):
            wrap_dataset_for_transforms_v2([1, 2], target_keys=5)


class TestUnsupported:
    @pytest.mark.parametrize(
        "dataset", [FakeData(size=2), VOCDetection(), VisionDataset()], ids=["FakeData", "VOCDetection", "base"]
    )
    def test_dataset_without_wrapper_is_refused(self, dataset: VisionDataset) -> None:
        dataset.transform = transform = flip_pipeline()
        name = type(dataset).__name__
        with pytest.raises(TypeError, match=f"^No wrapper exists for dataset class {name}. Please wrap the output"):
            wrap_dataset_for_transforms_v2(dataset)
        assert dataset.transform is transform

    @pytest.mark.parametrize("dataset", [[1, 2], None, torch.utils.data.TensorDataset(torch.zeros(2))])
    def test_object_that_is_not_a_vision_dataset_is_refused(self, dataset: Any) -> None:
        with pytest.raises(
            TypeError, match=f"subclasses of `visionkit.datasets.VisionDataset`.*'{type(dataset).__name__}'"
        ):
            wrap_dataset_for_transforms_v2(dataset)


class TestPickling:
    def test_round_trip_gives_the_same_items(self, build: Builder) -> None:
        dataset = build(transform=flip_pipeline())
        wrapped = wrap_dataset_for_transforms_v2(dataset)
        restored = pickle.loads(pickle.dumps(wrapped))
        assert type(restored).__name__ == type(wrapped).__name__
        assert isinstance(restored, type(dataset))
        assert isinstance(restored.transform, v2.Compose)
        assert_same_items(restored, wrapped)

    def test_pickling_leaves_the_wrapper_as_it_was(self, build_image_folder: Builder) -> None:
        dataset = build_image_folder(transform=flip_pipeline())
        wrapped = wrap_dataset_for_transforms_v2(dataset)
        pickle.dumps(wrapped)
        assert dataset.transform is None
        assert type(wrapped[0][0]) is tv_tensors.Image
        assert type(dataset[0][0]) is Image.Image

    def test_data_loader_with_spawned_worker(self, build_image_folder: Builder) -> None:
        wrapped = wrap_dataset_for_transforms_v2(build_image_folder(transform=flip_pipeline()))
        loader = torch.utils.data.DataLoader(wrapped, batch_size=None, num_workers=1, multiprocessing_context="spawn")
        items = list(loader)
        assert len(items) == len(wrapped)
        for index, (image, target) in enumerate(items):
            expected_image, expected_target = wrapped[index]
            assert type(image) is tv_tensors.Image
            torch.testing.assert_close(image, expected_image, rtol=0, atol=0)
            assert target == expected_target


class TestCocoDetection:
    """The detection wrapper keeps what the classification tests above check: pickling, transforms taken over."""

    def test_round_trip_gives_the_same_targets(self, tmp_path: Path) -> None:
        paths = write_coco_tree(tmp_path)
        dataset = CocoDetection(paths["images"], str(paths["instances"]), transform=v2.ToImage())
        wrapped = wrap_dataset_for_transforms_v2(dataset, target_keys="all")
        assert dataset.transform is None
        restored = pickle.loads(pickle.dumps(wrapped))
        assert type(restored).__name__ == "WrappedCocoDetection"
        for index in range(len(wrapped)):
            (image, target), (expected_image, expected_target) = restored[index], wrapped[index]
            assert type(image) is tv_tensors.Image
            torch.testing.assert_close(image, expected_image, rtol=0, atol=0)
            assert sorted(target) == sorted(expected_target)
            for key, value in expected_target.items():
                if isinstance(value, torch.Tensor):
                    assert type(target[key]) is type(value)
                    torch.testing.assert_close(target[key], value, rtol=0, atol=0)
                else:
                    assert target[key] == value
