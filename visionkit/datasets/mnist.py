"""MNIST, Fashion-MNIST and Kuzushiji-MNIST from their IDX files, memory-mapped instead of read into memory."""

from __future__ import annotations

import gzip
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from PIL import Image

from ._array_cache import CACHE_FOLDER, cached_arrays
from .utils import ProgressCallback, download_and_extract_archive
from .vision import VisionDataset

__all__ = ["KMNIST", "MNIST", "FashionMNIST"]

_IDX_UBYTE = 0x08


def _idx_layout(header: bytes, size: int, path: Path, ndim: int) -> tuple[tuple[int, ...], int]:
    """Validate the header of a uint8 IDX file of ``size`` bytes; return its shape and the offset of its data."""
    offset = 4 + 4 * ndim
    expected_magic = (_IDX_UBYTE << 8) | ndim
    if len(header) >= 4 and int.from_bytes(header[:4], "big") != expected_magic:
        raise ValueError(
            f"{os.fspath(path)} is not a uint8 IDX file with {ndim} dimension(s): "
            f"magic number 0x{header[:4].hex()}, expected 0x{expected_magic:08x}"
        )
    if len(header) < offset:
        raise ValueError(f"{os.fspath(path)} is too short for an IDX header: {len(header)} bytes, expected {offset}")
    shape = tuple(int(dim) for dim in np.frombuffer(header, dtype=">i4", count=ndim, offset=4))
    if size != offset + math.prod(shape):
        raise ValueError(
            f"{os.fspath(path)} should hold {offset + math.prod(shape)} bytes for its shape {shape}, got {size}"
        )
    return shape, offset


def _map_idx(path: Path, ndim: int) -> np.ndarray:
    """Memory-map an uncompressed IDX file copy-on-write (writable, writes stay in memory)."""
    with open(path, "rb") as file:
        header = file.read(4 + 4 * ndim)
    shape, offset = _idx_layout(header, path.stat().st_size, path, ndim)
    if math.prod(shape) == 0:
        return np.zeros(shape, dtype=np.uint8)  # an empty range cannot be mapped
    return np.memmap(path, dtype=np.uint8, mode="c", offset=offset, shape=shape)


def _decode_gzip_idx(path: Path, ndim: int) -> np.ndarray:
    """Decompress a gzipped IDX file into a writable array."""
    try:
        data = bytearray(gzip.decompress(path.read_bytes()))
    except (OSError, EOFError) as error:
        raise ValueError(f"{os.fspath(path)} is not a valid gzip file: {error}") from error
    shape, offset = _idx_layout(bytes(data[: 4 + 4 * ndim]), len(data), path, ndim)
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(shape)


def _read_idx(folder: str | os.PathLike[str], name: str, ndim: int) -> np.ndarray:
    """Read the uint8 IDX file ``folder/name``, or ``folder/name.gz`` when only the compressed one exists.

    The uncompressed file is memory-mapped; the compressed one is decompressed once into the cache folder beside it
    (``folder/.visionkit-cache``) and memory-mapped from there on later reads.

    Args:
        folder (str or PathLike): the folder holding the file.
        name (str): the uncompressed file name, e.g. ``"train-images-idx3-ubyte"``.
        ndim (int): the expected number of dimensions (3 for images, 1 for labels).

    Returns:
        ndarray: uint8 values, shaped as the header says.

    Raises:
        ValueError: if the file is not a valid uint8 IDX file with ``ndim`` dimensions.
        FileNotFoundError: if neither file exists.
    """
    path = Path(folder, name)
    if path.is_file():
        return _map_idx(path, ndim)
    gz_path = path.with_name(f"{name}.gz")

    def decode() -> dict[str, np.ndarray]:
        return {"data": _decode_gzip_idx(gz_path, ndim)}

    return cached_arrays(path.parent / CACHE_FOLDER, name, [gz_path], decode)["data"]


class MNIST(VisionDataset):
    """`MNIST <http://yann.lecun.com/exdb/mnist/>`_ dataset, compatible with torchvision's.

    The four IDX files are read from ``root/<ClassName>/raw``, uncompressed (as ``download=True`` leaves them) or
    gzipped (as distributed). Uncompressed files are memory-mapped, gzipped ones decompressed once into
    ``raw/.visionkit-cache``. Any image size in the IDX header works.

    Args:
        root (str or Path): folder holding ``<ClassName>/raw``.
        train (bool): the training set if True, else the test set.
        transform (callable, optional): applied to the PIL image.
        target_transform (callable, optional): applied to the class index.
        download (bool): download the files into ``raw`` unless they are already there, trying each mirror in turn.
        progress (callable, optional): ``progress(bytes_done, bytes_total or None)`` during each download.

    Attributes:
        data (Tensor[N, H, W]): uint8 grayscale images.
        targets (Tensor[N]): int64 class indices.

    Raises:
        RuntimeError: if the files are missing.
        ValueError: if a file is not a valid IDX file, or images and labels differ in number.
    """

    mirrors: ClassVar[list[str]] = [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ]
    resources: ClassVar[list[tuple[str, str]]] = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    classes: ClassVar[list[str]] = [
        "0 - zero",
        "1 - one",
        "2 - two",
        "3 - three",
        "4 - four",
        "5 - five",
        "6 - six",
        "7 - seven",
        "8 - eight",
        "9 - nine",
    ]

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
        if not self._check_exists():
            raise RuntimeError("Dataset not found. You can use download=True to download it")
        self.data, self.targets = self._load_data()

    @property
    def raw_folder(self) -> str:
        """Folder of the IDX files: ``root/<ClassName>/raw``."""
        return os.path.join(self.root, type(self).__name__, "raw")

    @property
    def processed_folder(self) -> str:
        """``root/<ClassName>/processed``, where torchvision's legacy ``.pt`` files lived."""
        return os.path.join(self.root, type(self).__name__, "processed")

    @property
    def class_to_idx(self) -> dict[str, int]:
        """Class name to index."""
        return {name: index for index, name in enumerate(self.classes)}

    def _check_exists(self) -> bool:
        raw = Path(self.raw_folder)
        return all(
            (raw / filename.removesuffix(".gz")).is_file() or (raw / filename).is_file()
            for filename, _ in self.resources
        )

    def _load_data(self) -> tuple[torch.Tensor, torch.Tensor]:
        prefix = "train" if self.train else "t10k"
        images = _read_idx(self.raw_folder, f"{prefix}-images-idx3-ubyte", ndim=3)
        labels = _read_idx(self.raw_folder, f"{prefix}-labels-idx1-ubyte", ndim=1)
        if len(images) != len(labels):
            raise ValueError(
                f"{prefix}-images-idx3-ubyte has {len(images)} images but {prefix}-labels-idx1-ubyte has "
                f"{len(labels)} labels in {self.raw_folder}"
            )
        return torch.from_numpy(images), torch.from_numpy(labels).long()

    def download(self, *, progress: ProgressCallback | None = None) -> None:
        """Download the IDX files into ``raw_folder`` unless they are there, trying the mirrors in order.

        Args:
            progress (callable, optional): ``progress(bytes_done, bytes_total or None)`` during each download.
        """
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            first, *others = [f"{mirror}{filename}" for mirror in self.mirrors]
            download_and_extract_archive(
                first, self.raw_folder, filename=filename, md5=md5, mirrors=others, progress=progress
            )

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Return ``(image, target)``: a PIL ``L`` image and its class index, both transformed if set."""
        return self._apply_transforms(Image.fromarray(self.data[index].numpy()), int(self.targets[index]))

    def __len__(self) -> int:
        return len(self.data)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train else 'Test'}"


class FashionMNIST(MNIST):
    """`Fashion-MNIST <https://github.com/zalandoresearch/fashion-mnist>`_: as :class:`MNIST`, with clothing classes."""

    mirrors: ClassVar[list[str]] = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources: ClassVar[list[tuple[str, str]]] = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes: ClassVar[list[str]] = [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ]


class KMNIST(MNIST):
    """`Kuzushiji-MNIST <https://github.com/rois-codh/kmnist>`_: as :class:`MNIST`, with cursive Japanese characters."""

    mirrors: ClassVar[list[str]] = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources: ClassVar[list[tuple[str, str]]] = [
        ("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
        ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
        ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
        ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134"),
    ]
    classes: ClassVar[list[str]] = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]
