"""The datasets a user can open in the app: embedded samples, torchvision's standard sets, server folders, uploads."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from visionkit import datasets
from visionkit.datasets.utils import check_archive, extract_archive

from .paths import ASSETS_DIR, data_dir, data_roots, resolve_allowed, uploads_dir

#: Largest zip a user may upload, and the most its members may ever add up to once extracted.
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
MAX_EXTRACTED_BYTES = 1024 * 1024 * 1024
#: Images hardly compress further in a zip: an upload may expand to this many times its size (at least
#: :data:`MIN_EXTRACTED_BYTES`, at most :data:`MAX_EXTRACTED_BYTES`), so a 1 MB zip cannot become a 1 GB folder.
EXPANSION_FACTOR = 8
MIN_EXTRACTED_BYTES = 64 * 1024 * 1024
#: Most members (files and folders) an upload may hold: 100,000 images of 2 KB already fill a 200 MB upload.
MAX_UPLOAD_MEMBERS = 100_000
#: Environment variable for the most pixels one image may declare, in any dataset file or upload (default 40 MP).
MAX_PIXELS_ENV = "VISIONKIT_MAX_IMAGE_PIXELS"


def max_image_pixels() -> int:
    """The most pixels an image may declare before it is refused undecoded: ``VISIONKIT_MAX_IMAGE_PIXELS`` or 40 MP
    (a 12000 x 12000 file would decode to 1.5 GB, for every student who scrolls past it)."""
    value = os.environ.get(MAX_PIXELS_ENV, "").strip()
    if not value:
        return 40_000_000
    if not value.isdigit() or int(value) == 0:
        raise ValueError(f"{MAX_PIXELS_ENV} should be a positive whole number of pixels, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class Source:
    """One entry of the source picker."""

    key: str
    label: str
    has_splits: bool = True
    download_mb: int | None = None
    needs_path: bool = False
    #: A detection or segmentation set (boxes and masks), shown by the Datasets page's detection view.
    detection: bool = False


SOURCES: dict[str, Source] = {
    s.key: s
    for s in [
        Source("digits", "Embedded: handwritten digits (8×8, scikit-learn)"),
        Source("photos", "Embedded: sample photos (CC0 / public domain)", has_splits=False),
        Source("shapes", "Embedded: shapes with boxes (procedural)"),
        Source("CIFAR10", "CIFAR-10", download_mb=163),
        Source("CIFAR100", "CIFAR-100", download_mb=161),
        Source("MNIST", "MNIST", download_mb=12),
        Source("FashionMNIST", "Fashion-MNIST", download_mb=30),
        Source("KMNIST", "KMNIST", download_mb=20),
        Source("folder", "A folder on the server", has_splits=False, needs_path=True),
        Source("upload", "An uploaded zip of an image folder", has_splits=False, needs_path=True),
        Source("detection_sample", "Embedded: sample photos with boxes and masks (COCO)", False, detection=True),
        Source("detection_folder", "A VOC, COCO or YOLO folder on the server", False, None, True, True),
        Source("detection_upload", "An uploaded zip of a VOC, COCO or YOLO set", False, None, True, True),
    ]
}

_DOWNLOADABLE = {"CIFAR10", "CIFAR100", "MNIST", "FashionMNIST", "KMNIST"}


class SourceError(ValueError):
    """A dataset source that cannot be opened, with a message meant for the user."""


class DatasetMissingError(SourceError):
    """A standard dataset that is not on disk yet (it can be downloaded)."""


def open_dataset(key: str, train: bool = True, path: str | None = None) -> Any:
    """Open a source as a visionkit dataset without transforms (items are ``(PIL image, int)``).

    Raises:
        DatasetMissingError: a standard dataset is not in the data folder.
        SourceError: the folder or upload cannot be used (outside the data roots, no class folders, ...), or a
            standard dataset's files are there but cannot be read.
    """
    if key not in SOURCES:
        raise SourceError(f"Unknown dataset source {key!r}; choose one of {', '.join(SOURCES)}.")
    if key == "digits":
        return datasets.MNIST(ASSETS_DIR / "digits", train=train)
    if key == "photos":
        return datasets.ImageFolder(ASSETS_DIR / "photos")
    if key == "shapes":
        return datasets.Shapes(train=train)
    if key in _DOWNLOADABLE:
        try:
            return getattr(datasets, key)(data_dir(), train=train)
        except RuntimeError as exc:
            raise DatasetMissingError(f"{SOURCES[key].label} is not in {data_dir()} yet.") from exc
        except ValueError as exc:  # a file that is there but is not what it should be (a refused pickle, bad IDX)
            raise SourceError(
                f"{SOURCES[key].label} in {data_dir()} cannot be read, and nothing in it was run: {exc} Delete its "
                "folder and download it again."
            ) from exc
    if key == "folder":
        return _open_folder(resolve_allowed(path or ""))
    return _open_folder(_upload_path(path))


def download(key: str, progress: Callable[[int, int | None], None] | None = None) -> None:
    """Download a standard dataset into the data folder, with md5 checks (both splits). When it fails, the data
    folder is left as it was: nothing from the failed attempt is kept.

    Raises:
        visionkit.datasets.utils.DownloadError: every mirror failed; the message says why and what to do.
    """
    if key not in _DOWNLOADABLE:
        raise SourceError(f"{key!r} is not a downloadable dataset.")
    root = data_dir()
    owned = _download_paths(key, root)
    before = _entries(owned)
    try:
        getattr(datasets, key)(root, train=True, download=True, progress=progress)
    except BaseException:
        _remove_new_entries(owned, before)
        raise


def _download_paths(key: str, root: Path) -> list[Path]:
    """Where a standard dataset's download writes under the data folder: its archive and folder (CIFAR) or its
    class-named folder (the MNIST family). Nothing else there is touched: other sessions may be writing."""
    cls = getattr(datasets, key)
    if hasattr(cls, "base_folder"):
        return [root / cls.base_folder, root / cls.filename]
    return [root / cls.__name__]


def _entries(paths: list[Path]) -> set[Path]:
    """The given paths that exist, and everything under those that are folders (symlinked folders not entered)."""
    found = {p for p in paths if p.exists() or p.is_symlink()}
    return found.union(*(set(p.rglob("*")) for p in paths if p.is_dir() and not p.is_symlink()))


def _remove_new_entries(paths: list[Path], before: set[Path]) -> None:
    """Put ``paths`` back as they were: remove what appeared there since ``before`` (deepest first), e.g. the
    verified files of a dataset whose last file failed, which would be half a dataset."""
    for path in sorted(_entries(paths) - before, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):  # the download's own error is the one to report
            if path.is_dir() and not path.is_symlink():
                path.rmdir()
            else:
                path.unlink(missing_ok=True)


def _open_folder(root: Path) -> Any:
    try:
        folder = datasets.ImageFolder(
            root, loader=functools.partial(datasets.pil_loader, max_pixels=max_image_pixels())
        )
    except FileNotFoundError as exc:
        raise SourceError(
            f"No image classes found in '{root.name}': an image folder holds one subfolder per class with images in "
            f"it (e.g. cats/001.jpg, dogs/002.png). {exc}"
        ) from exc
    _refuse_links_out(root, folder.samples)
    return folder


def _refuse_links_out(root: Path, samples: list[tuple[str, int]]) -> None:
    """Refuse a folder whose class folders or files are symlinks that lead outside the data roots: the folder
    itself was checked, but ImageFolder follows links inside it, so every file it would open is checked too."""
    roots = [*data_roots(), root]
    outside = [
        path for path, _ in samples if not any(Path(path).resolve().is_relative_to(r) for r in roots)
    ]  # fmt: skip
    if outside:
        first = Path(outside[0]).relative_to(root)
        raise SourceError(
            f"'{root.name}' links to files outside the allowed data roots ({len(outside)} files, e.g. '{first}'); "
            "it was not opened. Copy the images into the folder instead of linking them."
        )


def upload_folder(name: str | None) -> Path:
    """The extracted folder of an upload, by the name :func:`save_upload` gave it.

    Raises:
        SourceError: if there is no such upload (any more).
    """
    if not name:
        raise SourceError("Upload a zip first.")
    base = uploads_dir()
    root = (base / name).resolve()
    if not root.is_relative_to(base) or root == base or not root.is_dir():
        raise SourceError(f"The upload {name!r} is no longer on the server; upload it again.")
    return root


def _upload_path(name: str | None) -> Path:
    if not name:
        raise SourceError("Upload a zip of an image folder first.")
    base = uploads_dir()
    root = (base / name).resolve()
    if not root.is_relative_to(base) or not root.is_dir():
        raise SourceError(f"The upload {name!r} is no longer on the server; upload it again.")
    return _dataset_root(root)


def _dataset_root(root: Path) -> Path:
    """Zipping a folder usually nests everything under one top folder: look through it."""
    entries = [p for p in root.iterdir() if not p.name.startswith((".", "__MACOSX"))]
    if len(entries) == 1 and entries[0].is_dir():
        inner = [p for p in entries[0].iterdir() if not p.name.startswith(".")]
        if inner and all(p.is_dir() for p in inner):
            return entries[0]
    return root


def save_upload(
    filename: str,
    data: bytes,
    check_names: Callable[[list[str], str], None] | None = None,
    check_folder: Callable[[Path], None] | None = None,
) -> str:
    """Check and extract an uploaded zip into the uploads folder; returns the name to open it by.

    Nothing is left behind when the upload is refused: not the zip, not a partial folder. By default the zip
    should hold an image folder; ``check_names(names, filename)`` (on the zip's directory, before extracting) and
    ``check_folder(root)`` (on the extracted folder, before it is kept) check for something else and raise
    :class:`SourceError` to refuse it.

    Raises:
        SourceError: too large, not a zip, unsafe members (``..``, absolute paths, links), or too large when extracted.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise SourceError(
            f"'{filename}' is {len(data) / 2**20:.1f} MB; uploads are limited to {MAX_UPLOAD_BYTES // 2**20} MB."
        )
    digest = hashlib.sha256(data).hexdigest()[:12]
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", Path(filename).stem)[:40] or "upload"
    name = f"{stem}-{digest}"
    target = uploads_dir() / name
    if target.is_dir():
        return name
    with tempfile.TemporaryDirectory(dir=uploads_dir(), prefix=".incoming-") as tmp:
        archive = Path(tmp) / "upload.zip"
        archive.write_bytes(data)
        if not zipfile.is_zipfile(archive):
            raise SourceError(f"'{filename}' is not a zip archive; upload the dataset's folder as a .zip file.")
        staging = Path(tmp) / "extracted"
        limit = min(MAX_EXTRACTED_BYTES, max(MIN_EXTRACTED_BYTES, EXPANSION_FACTOR * len(data)))
        try:
            # Unsafe members are named first, then missing class folders, all before a byte is written.
            names = check_archive(archive, max_bytes=limit, max_members=MAX_UPLOAD_MEMBERS)
            (check_names or _check_upload_classes)(names, filename)
            extract_archive(archive, staging, max_bytes=limit, max_members=MAX_UPLOAD_MEMBERS)
        except SourceError:
            raise
        except (ValueError, zipfile.BadZipFile, OSError) as exc:
            # The library names the archive by its path on the server; the user knows it by its own name.
            reason = str(exc).replace(str(archive), filename).replace(tmp, "")
            raise SourceError(f"'{filename}' was refused: {reason}") from exc
        if check_folder is None:
            _open_folder(_dataset_root(staging))
        else:
            check_folder(staging)
        staging.rename(target)
    return name


def _check_upload_classes(names: list[str], filename: str) -> None:
    """Refuse, from the zip's directory alone, an upload without a single image inside a class folder
    (``cats/001.jpg``, perhaps under one top folder)."""
    visible = [n for n in names if not any(part.startswith((".", "__MACOSX")) for part in n.split("/"))]
    if not any("/" in n and datasets.folder.is_image_file(n) for n in visible):
        raise SourceError(
            f"'{filename}' holds no images inside class folders, so it was not extracted: zip a folder with one "
            "subfolder per class (e.g. cats/001.jpg, dogs/002.png)."
        )


def forget_upload(name: str) -> None:
    """Delete an extracted upload (used when a user removes it)."""
    root = (uploads_dir() / name).resolve()
    if root.is_relative_to(uploads_dir()) and root != uploads_dir():
        shutil.rmtree(root, ignore_errors=True)


def targets_of(dataset: Any) -> np.ndarray:
    """The integer labels of every item, without decoding images."""
    targets = getattr(dataset, "targets", None)
    if targets is None:
        targets = [dataset[i][1] for i in range(len(dataset))]
    return np.asarray(targets, dtype=np.int64)


def class_names(dataset: Any) -> list[str]:
    classes = getattr(dataset, "classes", None)
    if classes:
        return [str(c) for c in classes]
    return [str(c) for c in range(int(targets_of(dataset).max(initial=-1)) + 1)]


def sample_info(dataset: Any, index: int) -> dict[str, Any]:
    """What the sample inspector shows for one item: index, label, path, size and mode of the stored image."""
    if not 0 <= index < len(dataset):
        raise SourceError(
            f"Index {index} is out of range: this dataset has {len(dataset)} items (0 to {len(dataset) - 1})."
        )
    image, label = dataset[index]
    names = class_names(dataset)
    info: dict[str, Any] = {
        "index": index,
        "label": int(label),
        "class": names[label] if 0 <= label < len(names) else str(label),
    }
    samples = getattr(dataset, "samples", None)
    if samples is not None:
        path = Path(samples[index][0])
        info["path"] = str(path)
        with Image.open(path) as stored:  # the file as stored, before the loader converts it to RGB
            info["size"], info["mode"], info["format"] = stored.size, stored.mode, stored.format
    else:
        info["size"], info["mode"] = image.size, image.mode
    info["image"] = image
    return info
