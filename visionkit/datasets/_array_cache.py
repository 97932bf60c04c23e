"""Decode-once caches beside dataset files, so reopening a dataset takes milliseconds.

A dataset that must decode its source files (unpickle CIFAR batches, gunzip MNIST) does it on the first open and
saves the resulting arrays as ``.npy`` files in a hidden folder next to the data. A JSON manifest stamps them with
the size, ``mtime_ns``, ``ctime_ns`` and inode of every source file and the cache format version; later opens
compare the stamp and memory-map the arrays. Any change of a source file changes the stamp and the arrays are rebuilt.

The md5 checks that torchvision repeats on every construction are remembered the same way: a file whose stamp has
not changed since it matched an md5 is not hashed again. Size and ``mtime_ns`` alone would not do: a file rewritten
in place with the same size and its old mtime set back (``touch -d``, ``os.utime``) would pass unhashed. The status
change time cannot be set back, and every write, ``utime`` or rename over the file moves it.

Every file is written to a unique temporary name and moved into place with ``os.replace``, and array files are
named after the stamp, so two processes building the same cache at once write identical files and never a torn one.
A folder that cannot be written to is no error: the arrays are then decoded in memory on every open.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np

from .utils import check_integrity

__all__ = ["CACHE_FOLDER", "FORMAT_VERSION", "cached_arrays", "check_integrity_once", "source_stamp"]

CACHE_FOLDER = ".visionkit-cache"
FORMAT_VERSION = 2  # 2: stamps hold ctime_ns and the inode
_VERIFIED_FILE = "verified-md5.json"


def source_stamp(paths: Iterable[str | os.PathLike[str]]) -> dict[str, list[int]]:
    """Return ``{file name: [size, mtime_ns, ctime_ns, inode]}`` for the given files.

    Raises:
        FileNotFoundError: if a file does not exist.
    """
    stamp = {}
    for path in map(Path, paths):
        info = path.stat()
        stamp[path.name] = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
    return stamp


def _write_atomic(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write ``path`` through a unique temporary file in the same folder, then move it into place."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _write_json(path: Path, obj: Any) -> None:
    _write_atomic(path, lambda file: file.write(json.dumps(obj, indent=1, sort_keys=True).encode()))


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _load_arrays(folder: Path, manifest: Any, stamp: Mapping[str, Any]) -> dict[str, np.ndarray] | None:
    if not isinstance(manifest, dict) or manifest.get("stamp") != stamp:
        return None
    try:
        return {key: np.load(folder / name, mmap_mode="c") for key, name in manifest["arrays"].items()}
    except (OSError, ValueError, KeyError, AttributeError):
        # A file removed by a concurrent rebuild or damaged on disk: decode again.
        return None


def _save_arrays(folder: Path, name: str, stamp: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
    folder.mkdir(exist_ok=True)
    key = hashlib.sha256(json.dumps(stamp, sort_keys=True).encode()).hexdigest()[:16]
    files = {array_name: f"{name}-{key}.{array_name}.npy" for array_name in arrays}
    for array_name, array in arrays.items():
        _write_atomic(folder / files[array_name], lambda file, array=array: np.save(file, array, allow_pickle=False))
    _write_json(folder / f"{name}.json", {"stamp": stamp, "arrays": files})
    for stale in folder.glob(f"{name}-*.npy"):
        if stale.name not in files.values():
            with contextlib.suppress(OSError):
                stale.unlink()


def cached_arrays(
    folder: str | os.PathLike[str],
    name: str,
    sources: Sequence[str | os.PathLike[str]],
    build: Callable[[], Mapping[str, np.ndarray]],
) -> dict[str, np.ndarray]:
    """Return the arrays that ``build`` derives from ``sources``, from the cache when it is up to date.

    Args:
        folder (str or PathLike): the cache folder (created when missing), e.g. ``<data>/.visionkit-cache``.
        name (str): the cache entry, unique within ``folder`` (e.g. ``"train"``).
        sources (Sequence[str or PathLike]): the files ``build`` reads; their sizes and ``mtime_ns`` stamp the entry.
        build (callable): decodes the sources into named arrays (numeric or unicode dtypes, no objects).

    Returns:
        dict[str, ndarray]: the arrays, memory-mapped copy-on-write when they come from the cache (writable; writes
        stay in memory), or as built when the cache is stale or cannot be read or written.

    Raises:
        FileNotFoundError: if a source file does not exist.
    """
    folder = Path(folder)
    stamp = {"version": FORMAT_VERSION, "sources": source_stamp(sources)}
    cached = _load_arrays(folder, _read_json(folder / f"{name}.json"), stamp)
    if cached is not None:
        return cached
    arrays = dict(build())
    with contextlib.suppress(OSError):
        _save_arrays(folder, name, stamp, arrays)
    return arrays


def _read_verified(path: Path) -> dict[str, Any]:
    record = _read_json(path)
    if isinstance(record, dict) and record.get("version") == FORMAT_VERSION and isinstance(record.get("files"), dict):
        return record["files"]
    return {}


def _is_verified(path: Path, md5: str | None, verified: dict[str, Any]) -> bool:
    """Whether ``path`` matches ``md5``, hashing it only when ``verified`` has no entry for its current state."""
    if md5 is None:
        return path.is_file()
    try:
        entry = [*source_stamp([path])[path.name], md5]
    except FileNotFoundError:
        return False
    if verified.get(path.name) == entry:
        return True
    if not check_integrity(str(path), md5):
        return False
    verified[path.name] = entry
    return True


def check_integrity_once(
    folder: str | os.PathLike[str], files: Sequence[tuple[str | os.PathLike[str], str | None]]
) -> bool:
    """Check files against their md5s, hashing only those not verified before in their current state.

    A verified file is remembered in ``folder`` with its size, ``mtime_ns`` and md5; it is hashed again only when
    one of them changes. A file whose md5 is None only has to exist.

    Args:
        folder (str or PathLike): the cache folder holding the record (created when missing).
        files (Sequence[tuple[path, md5 or None]]): the files and their expected md5s.

    Returns:
        bool: True if every file exists and matches its md5.
    """
    record_path = Path(folder) / _VERIFIED_FILE
    known = _read_verified(record_path)
    verified = dict(known)
    if not all(_is_verified(Path(path), md5, verified) for path, md5 in files):
        return False
    if verified != known:
        with contextlib.suppress(OSError):
            record_path.parent.mkdir(exist_ok=True)
            _write_json(record_path, {"version": FORMAT_VERSION, "files": verified})
    return True
