"""CIFAR-10 and CIFAR-100 from the official python batches, decoded once and then memory-mapped."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from PIL import Image

from ._array_cache import CACHE_FOLDER, cached_arrays, check_integrity_once
from ._safe_pickle import load_pickle
from .utils import ProgressCallback, download_and_extract_archive
from .vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100"]

_NOT_FOUND = "Dataset not found or corrupted. You can use download=True to download it"
_META_NOT_FOUND = "Dataset metadata file not found or corrupted. You can use download=True to download it"


class CIFAR10(VisionDataset):
    """`CIFAR-10 <https://www.cs.toronto.edu/~kriz/cifar.html>`_ dataset, compatible with torchvision's.

    The batches are read from ``root/cifar-10-batches-py``. They are unpickled (with a restricted unpickler) on the
    first open only: the decoded arrays are kept in ``cifar-10-batches-py/.visionkit-cache`` and memory-mapped on
    later opens, and the md5 checks are not repeated while the files stay unchanged.

    Args:
        root (str or Path): folder holding ``cifar-10-batches-py`` (or receiving it with ``download=True``).
        train (bool): the training set (50,000 images) if True, else the test set (10,000 images).
        transform (callable, optional): applied to the PIL image.
        target_transform (callable, optional): applied to the class index.
        download (bool): download and extract the archive into ``root`` unless the batches are already there.
        progress (callable, optional): ``progress(bytes_done, bytes_total or None)`` during the download.

    Attributes:
        data (ndarray[N, 32, 32, 3]): uint8 RGB images.
        targets (list[int]): class indices.
        classes (list[str]): class names.
        class_to_idx (dict[str, int]): class name to index.

    Raises:
        RuntimeError: if the batches are missing or do not match their md5s.
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list: ClassVar[list[list[str]]] = [
        ["data_batch_1", "c99cafc152244af753f735de768cd75f"],
        ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
        ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
        ["data_batch_4", "634d18415352ddfa80567beed471001a"],
        ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"],
    ]
    test_list: ClassVar[list[list[str]]] = [
        ["test_batch", "40351d587109b95175f43aff81a1287e"],
    ]
    meta: ClassVar[dict[str, str]] = {
        "filename": "batches.meta",
        "key": "label_names",
        "md5": "5ff9c542aee3614f3951f8cda6e48888",
    }

    def __init__(
        self,
        root: str | Path,
        train: bool = True,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
        *,
        progress: ProgressCallback | None = None,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download(progress=progress)
        if not self._check_integrity():
            raise RuntimeError(_NOT_FOUND)
        meta_path = self._folder / self.meta["filename"]
        if not check_integrity_once(self._cache_folder, [(meta_path, self.meta["md5"])]):
            raise RuntimeError(_META_NOT_FOUND)
        batch_paths = [self._folder / name for name, _ in (self.train_list if train else self.test_list)]
        arrays = cached_arrays(
            self._cache_folder,
            "train" if train else "test",
            [*batch_paths, meta_path],
            lambda: self._decode(batch_paths, meta_path),
        )
        self.data: np.ndarray = arrays["data"]
        self.targets: list[int] = arrays["targets"].tolist()
        self.classes: list[str] = arrays["classes"].tolist()
        self.class_to_idx = {name: index for index, name in enumerate(self.classes)}

    @property
    def _folder(self) -> Path:
        return Path(self.root, self.base_folder)

    @property
    def _cache_folder(self) -> Path:
        return self._folder / CACHE_FOLDER

    def _decode(self, batch_paths: list[Path], meta_path: Path) -> dict[str, np.ndarray]:
        """Unpickle the batches and the class names into ``data`` (N, 32, 32, 3), ``targets`` and ``classes``."""
        rows, labels = zip(*map(_read_batch, batch_paths), strict=True)
        return {
            # Rows are channel-planar (1024 red, 1024 green, 1024 blue values); images are stored height-width-channel.
            "data": np.ascontiguousarray(np.concatenate(rows).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)),
            "targets": np.asarray([label for batch in labels for label in batch], dtype=np.int64),
            "classes": np.asarray(load_pickle(meta_path)[self.meta["key"]], dtype=str),
        }

    def _check_integrity(self) -> bool:
        files = [(self._folder / name, md5) for name, md5 in self.train_list + self.test_list]
        return check_integrity_once(self._cache_folder, files)

    def download(self, *, progress: ProgressCallback | None = None) -> None:
        """Download and extract the archive into ``root``, unless the batches are already there and verified.

        Args:
            progress (callable, optional): ``progress(bytes_done, bytes_total or None)`` during the download.
        """
        if self._check_integrity():
            return
        download_and_extract_archive(self.url, self.root, filename=self.filename, md5=self.tgz_md5, progress=progress)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Return ``(image, target)``: a PIL RGB image and its class index, both transformed if set."""
        return self._apply_transforms(Image.fromarray(self.data[index]), self.targets[index])

    def __len__(self) -> int:
        return len(self.data)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train else 'Test'}"


def _read_batch(path: Path) -> tuple[np.ndarray, list[int]]:
    """Unpickle one batch: its images as uint8 rows of 3072 values, and its labels (the fine ones for CIFAR-100)."""
    batch = load_pickle(path)
    keys = batch.keys() if isinstance(batch, dict) else set()
    # CIFAR-10 batches have "labels", CIFAR-100 ones "fine_labels" (and "coarse_labels").
    label_key = "labels" if "labels" in keys else "fine_labels"
    if "data" not in keys or label_key not in keys:
        raise ValueError(f"{os.fspath(path)}: a batch should be a dict with 'data' and 'labels' or 'fine_labels'")
    rows, labels = np.asarray(batch["data"]), list(batch[label_key])
    if rows.dtype != np.uint8 or rows.ndim != 2 or rows.shape[1] != 3 * 32 * 32:
        raise ValueError(f"{os.fspath(path)}: 'data' should be uint8 of shape (N, 3072), got {rows.dtype} {rows.shape}")
    if len(labels) != len(rows):
        raise ValueError(f"{os.fspath(path)}: {len(rows)} images but {len(labels)} labels")
    return rows, labels


class CIFAR100(CIFAR10):
    """`CIFAR-100 <https://www.cs.toronto.edu/~kriz/cifar.html>`_: as :class:`CIFAR10`, with the 100 fine labels.

    The files are read from ``root/cifar-100-python``; ``targets`` are the fine labels and ``classes`` their names.
    """

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list: ClassVar[list[list[str]]] = [
        ["train", "16019d7e3df5f24257cddd939b257f8d"],
    ]
    test_list: ClassVar[list[list[str]]] = [
        ["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"],
    ]
    meta: ClassVar[dict[str, str]] = {
        "filename": "meta",
        "key": "fine_label_names",
        "md5": "7973b15100ade9c7d40fb424638fde48",
    }
