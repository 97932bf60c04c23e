"""Writers that build small datasets in the real on-disk formats (CIFAR pickles, MNIST IDX, image folders).

The tests and ``benchmarks/datasets.py`` use them to exercise the readers on files laid out exactly like the
official downloads. Every writer is deterministic in its ``seed`` and returns the values it wrote, so a test can
compare what a reader gives back against what was put on disk.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import tarfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

__all__ = [
    "CIFAR10_CLASSES",
    "file_md5",
    "make_cifar_tarball",
    "random_images",
    "write_cifar10",
    "write_cifar100",
    "write_idx_images",
    "write_idx_labels",
    "write_image_folder",
    "write_mnist",
]

CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

_IDX_UBYTE = 0x08
_CIFAR10_TRAIN_BATCHES = 5


def file_md5(path: str | os.PathLike[str]) -> str:
    """Return the hex md5 of a file's bytes."""
    return hashlib.md5(Path(path).read_bytes()).hexdigest()


def random_images(n: int, shape: Sequence[int], seed: int) -> np.ndarray:
    """Return ``n`` random uint8 images.

    Args:
        n (int): number of images.
        shape (Sequence[int]): shape of one image, e.g. ``(32, 32, 3)``.
        seed (int): seed of the numpy generator.

    Returns:
        ndarray[n, *shape]: uint8 values in [0, 255].
    """
    return np.random.default_rng(seed).integers(0, 256, size=(n, *shape), dtype=np.uint8)


def _random_labels(n: int, num_classes: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed + 1).integers(0, num_classes, size=n, dtype=np.int64)


def _to_planar_rows(images: np.ndarray) -> np.ndarray:
    # CIFAR stores each image as one row: 1024 red values, then 1024 green, then 1024 blue.
    return np.ascontiguousarray(images.transpose(0, 3, 1, 2).reshape(len(images), -1))


def _write_pickle(path: Path, obj: Mapping[str, Any]) -> str:
    path.write_bytes(pickle.dumps(dict(obj), protocol=2))
    return file_md5(path)


def _cifar_batch(label: str, images: np.ndarray, labels: Mapping[str, np.ndarray], prefix: str) -> dict[str, Any]:
    return {
        "batch_label": label,
        **{key: values.tolist() for key, values in labels.items()},
        "data": _to_planar_rows(images),
        "filenames": [f"{prefix}_{i:05d}.png" for i in range(len(images))],
    }


def write_cifar10(root: str | os.PathLike[str], n_train: int = 50, n_test: int = 10, seed: int = 0) -> dict[str, Any]:
    """Write a CIFAR-10 folder (``root/cifar-10-batches-py``) laid out like the official python version.

    The train set is split over ``data_batch_1`` to ``data_batch_5`` as in the original (the first batches get one
    more image when ``n_train`` is not a multiple of 5). Batches are protocol-2 pickles of dicts with
    ``batch_label``, ``labels``, ``data`` (uint8 ndarray[N, 3072], channel-planar rows) and ``filenames``.

    Args:
        root (str or PathLike): folder that receives ``cifar-10-batches-py``.
        n_train (int): number of training images.
        n_test (int): number of test images.
        seed (int): seed for the images and labels.

    Returns:
        dict: ``base_folder``; ``train_list``, ``test_list`` (``[filename, md5]`` pairs) and ``meta``
        (``{"filename", "key", "md5"}``) in the form of the CIFAR10 class attributes; ``classes``;
        ``train_images``/``test_images`` (uint8 ndarray[N, 32, 32, 3]) and ``train_labels``/``test_labels``
        (list[int]).
    """
    folder = Path(root) / "cifar-10-batches-py"
    folder.mkdir(parents=True, exist_ok=True)
    info: dict[str, Any] = {"base_folder": folder.name, "classes": list(CIFAR10_CLASSES)}
    for split, n, offset in (("train", n_train, 0), ("test", n_test, 1000)):
        info[f"{split}_images"] = random_images(n, (32, 32, 3), seed + offset)
        info[f"{split}_labels"] = _random_labels(n, len(CIFAR10_CLASSES), seed + offset).tolist()
    train_parts = zip(
        np.array_split(info["train_images"], _CIFAR10_TRAIN_BATCHES),
        np.array_split(np.asarray(info["train_labels"], dtype=np.int64), _CIFAR10_TRAIN_BATCHES),
        strict=True,
    )
    info["train_list"] = []
    for number, (images, labels) in enumerate(train_parts, start=1):
        batch = _cifar_batch(f"training batch {number} of 5", images, {"labels": labels}, f"train{number}")
        name = f"data_batch_{number}"
        info["train_list"].append([name, _write_pickle(folder / name, batch)])
    test_labels = np.asarray(info["test_labels"], dtype=np.int64)
    test_batch = _cifar_batch("testing batch 1 of 1", info["test_images"], {"labels": test_labels}, "test")
    info["test_list"] = [["test_batch", _write_pickle(folder / "test_batch", test_batch)]]
    meta = {"num_cases_per_batch": 10000, "label_names": list(CIFAR10_CLASSES), "num_vis": 3072}
    info["meta"] = {
        "filename": "batches.meta",
        "key": "label_names",
        "md5": _write_pickle(folder / "batches.meta", meta),
    }
    return info


def write_cifar100(root: str | os.PathLike[str], n_train: int = 50, n_test: int = 10, seed: int = 0) -> dict[str, Any]:
    """Write a CIFAR-100 folder (``root/cifar-100-python``) laid out like the official python version.

    ``train`` and ``test`` are protocol-2 pickles of dicts with ``batch_label``, ``fine_labels``,
    ``coarse_labels``, ``data`` (uint8 ndarray[N, 3072], channel-planar rows) and ``filenames``; ``meta`` holds
    ``fine_label_names`` (100 names) and ``coarse_label_names`` (20 names).

    Args:
        root (str or PathLike): folder that receives ``cifar-100-python``.
        n_train (int): number of training images.
        n_test (int): number of test images.
        seed (int): seed for the images and labels.

    Returns:
        dict: the keys of :func:`write_cifar10` (``classes`` are the fine names) plus ``coarse_classes`` and
        ``train_coarse_labels``/``test_coarse_labels`` (list[int]).
    """
    folder = Path(root) / "cifar-100-python"
    folder.mkdir(parents=True, exist_ok=True)
    fine_names = [f"fine_class_{i:02d}" for i in range(100)]
    coarse_names = [f"coarse_class_{i:02d}" for i in range(20)]
    info: dict[str, Any] = {"base_folder": folder.name, "classes": fine_names, "coarse_classes": coarse_names}
    for split, n, offset in (("train", n_train, 0), ("test", n_test, 1000)):
        images = random_images(n, (32, 32, 3), seed + offset)
        fine = _random_labels(n, 100, seed + offset)
        coarse = fine // 5
        labels = {"fine_labels": fine, "coarse_labels": coarse}
        batch = _cifar_batch(f"{split}ing batch 1 of 1", images, labels, split)
        info[f"{split}_list"] = [[split, _write_pickle(folder / split, batch)]]
        info[f"{split}_images"] = images
        info[f"{split}_labels"] = fine.tolist()
        info[f"{split}_coarse_labels"] = coarse.tolist()
    meta = {"fine_label_names": fine_names, "coarse_label_names": coarse_names}
    info["meta"] = {"filename": "meta", "key": "fine_label_names", "md5": _write_pickle(folder / "meta", meta)}
    return info


def make_cifar_tarball(source_dir: str | os.PathLike[str], tar_path: str | os.PathLike[str]) -> str:
    """Pack a CIFAR folder into a ``.tar.gz`` like the official archive (the folder is the archive's top level).

    Args:
        source_dir (str or PathLike): the folder to pack, e.g. ``root/cifar-10-batches-py``.
        tar_path (str or PathLike): the archive to write.

    Returns:
        str: the md5 of the archive, for the ``tgz_md5`` class attribute.
    """
    source = Path(source_dir)
    with tarfile.open(tar_path, "w:gz") as archive:
        archive.add(source, arcname=source.name)
    return file_md5(tar_path)


def _idx_bytes(array: np.ndarray) -> bytes:
    if array.dtype != np.uint8:
        raise TypeError(f"`array` should have dtype uint8, got {array.dtype}")
    header = bytes([0, 0, _IDX_UBYTE, array.ndim]) + np.asarray(array.shape, dtype=">i4").tobytes()
    return header + np.ascontiguousarray(array).tobytes()


def _write_idx(path: str | os.PathLike[str], array: np.ndarray) -> str:
    data = _idx_bytes(array)
    path = Path(path)
    path.write_bytes(gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)
    return file_md5(path)


def write_idx_images(path: str | os.PathLike[str], images: np.ndarray) -> str:
    """Write uint8 images as an IDX file (magic ``0x00000803``), gzipped when ``path`` ends in ``.gz``.

    Args:
        path (str or PathLike): the file to write.
        images (ndarray[N, H, W]): uint8 images.

    Returns:
        str: the md5 of the written file.
    """
    if images.ndim != 3:
        raise ValueError(f"`images` should have 3 dimensions (N, H, W), got shape {images.shape}")
    return _write_idx(path, images)


def write_idx_labels(path: str | os.PathLike[str], labels: np.ndarray) -> str:
    """Write uint8 labels as an IDX file (magic ``0x00000801``), gzipped when ``path`` ends in ``.gz``.

    Args:
        path (str or PathLike): the file to write.
        labels (ndarray[N]): uint8 labels.

    Returns:
        str: the md5 of the written file.
    """
    if labels.ndim != 1:
        raise ValueError(f"`labels` should have 1 dimension (N,), got shape {labels.shape}")
    return _write_idx(path, labels)


def write_mnist(
    root: str | os.PathLike[str],
    name: str = "MNIST",
    n_train: int = 30,
    n_test: int = 10,
    size: int = 28,
    gz: bool = False,
    seed: int = 0,
) -> dict[str, Any]:
    """Write the four IDX files of an MNIST-like dataset into ``root/<name>/raw``.

    Args:
        root (str or PathLike): dataset root.
        name (str): dataset class name (``MNIST``, ``FashionMNIST``, ``KMNIST``), the folder under ``root``.
        n_train (int): number of training images.
        n_test (int): number of test images.
        size (int): image height and width.
        gz (bool): write ``.gz`` files (as downloaded) instead of uncompressed ones (as extracted).
        seed (int): seed for the images and labels.

    Returns:
        dict: ``raw_folder`` (Path); ``files`` (``[filename, md5]`` pairs in the order of the ``resources`` class
        attribute); ``train_images``/``test_images`` (uint8 ndarray[N, size, size]) and
        ``train_labels``/``test_labels`` (uint8 ndarray[N]).
    """
    raw = Path(root) / name / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if gz else ""
    info: dict[str, Any] = {"raw_folder": raw, "files": []}
    for split, prefix, n, offset in (("train", "train", n_train, 0), ("test", "t10k", n_test, 1000)):
        images = random_images(n, (size, size), seed + offset)
        labels = _random_labels(n, 10, seed + offset).astype(np.uint8)
        image_file = f"{prefix}-images-idx3-ubyte{suffix}"
        label_file = f"{prefix}-labels-idx1-ubyte{suffix}"
        info["files"].append([image_file, write_idx_images(raw / image_file, images)])
        info["files"].append([label_file, write_idx_labels(raw / label_file, labels)])
        info[f"{split}_images"] = images
        info[f"{split}_labels"] = labels
    return info


def _encode_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def write_image_folder(
    root: str | os.PathLike[str], contents: Mapping[str, Sequence[Image.Image | tuple[str, bytes]]]
) -> dict[str, list[Path]]:
    """Write an ImageFolder tree: one subfolder per class under ``root``.

    Args:
        root (str or PathLike): the dataset root.
        contents (Mapping[str, Sequence]): for each class, its files: a PIL image is saved as ``{i:03d}.png``; a
            ``(filename, bytes)`` pair is written as is (``filename`` may contain ``/`` for nested folders).

    Returns:
        dict[str, list[Path]]: the paths written for each class, in the order given.
    """
    written: dict[str, list[Path]] = {}
    for class_name, files in contents.items():
        folder = Path(root) / class_name
        folder.mkdir(parents=True, exist_ok=True)
        written[class_name] = []
        for index, item in enumerate(files):
            filename, data = item if isinstance(item, tuple) else (f"{index:03d}.png", _encode_png(item))
            path = folder / filename
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            written[class_name].append(path)
    return written
