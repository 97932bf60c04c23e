"""Download, verify and extract dataset files without ever leaving a half-written or unsafe file behind.

Names and signatures follow ``torchvision.datasets.utils``. On top of torchvision's behaviour:

* downloads stream into a hidden ``.part`` file beside the destination and only replace it once the byte count and
  the md5 are right, falling back on mirror URLs in order, and fail with a :class:`DownloadError` that lists every
  URL tried and why it failed;
* archives are checked member by member before anything is written (no absolute paths, no ``..``, no links, no
  device files, an optional cap on the uncompressed size) and are extracted through a staging directory, so a
  refused or failed extraction leaves the target directory as it was.
"""

from __future__ import annotations

import bz2
import contextlib
import functools
import gzip
import hashlib
import http.client
import lzma
import os
import posixpath
import secrets
import shutil
import stat
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import IO, Any, TypeAlias

__all__ = [
    "DownloadError",
    "ProgressCallback",
    "UnsafeArchiveError",
    "calculate_md5",
    "check_archive",
    "check_integrity",
    "check_md5",
    "download_and_extract_archive",
    "download_url",
    "extract_archive",
    "iterable_to_str",
    "verify_str_arg",
]

ProgressCallback: TypeAlias = Callable[[int, int | None], None]
"""``progress(bytes_done, bytes_total)``; ``bytes_total`` is None when the server does not send a Content-Length."""

_StrPath: TypeAlias = "str | os.PathLike[str]"

_CHUNK_SIZE = 64 * 1024
_USER_AGENT = "visionkit"
_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
_TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")
_DECOMPRESSORS: dict[str, Callable[..., IO[bytes]]] = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
_SUPPORTED_ARCHIVES = (*_TAR_SUFFIXES, ".zip", *_DECOMPRESSORS)


class DownloadError(RuntimeError):
    """Raised when no URL gave the file; the message lists every URL tried, why it failed, and how to fix it."""


class UnsafeArchiveError(ValueError):
    """Raised when an archive holds a member that could write outside the target directory, or is too large."""


# --------------------------------------------------------------------------------------------------------------------
# Small helpers shared with the dataset classes


def iterable_to_str(iterable: Iterable[Any]) -> str:
    """Quote and join items for an error message: ``['a', 'b']`` gives ``"'a', 'b'"``."""
    return "'" + "', '".join(str(item) for item in iterable) + "'"


def verify_str_arg(
    value: str,
    arg: str | None = None,
    valid_values: Iterable[str] | None = None,
    custom_msg: str | None = None,
) -> str:
    """Check that a string argument is one of the allowed values, as torchvision does.

    Args:
        value (str): the value given by the user.
        arg (str, optional): the argument's name, used in the error message.
        valid_values (iterable of str, optional): the allowed values; None allows any string.
        custom_msg (str, optional): message to raise instead of the default one when ``value`` is not allowed.

    Returns:
        str: ``value`` unchanged.

    Raises:
        ValueError: if ``value`` is not a string (a ValueError, like torchvision, so callers catch one type), or is
            not one of ``valid_values``.
    """
    if not isinstance(value, str):
        where = "" if arg is None else f" for argument {arg}"
        raise ValueError(f"Expected type str{where}, but got type {type(value)}.")
    if valid_values is None:
        return value
    valid = tuple(valid_values)
    if value in valid:
        return value
    if custom_msg is not None:
        raise ValueError(custom_msg)
    raise ValueError(f"Unknown value '{value}' for argument {arg}. Valid values are {{{iterable_to_str(valid)}}}.")


# --------------------------------------------------------------------------------------------------------------------
# Integrity


def calculate_md5(fpath: _StrPath, chunk_size: int = 1024 * 1024) -> str:
    """Return the hex md5 digest of a file, read in chunks of ``chunk_size`` bytes."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        while chunk := f.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def check_md5(fpath: _StrPath, md5: str, **kwargs: Any) -> bool:
    """Return whether the file's md5 is ``md5``; ``kwargs`` go to :func:`calculate_md5`."""
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath: _StrPath, md5: str | None = None) -> bool:
    """Return whether ``fpath`` is an existing file with md5 ``md5`` (only whether it exists when ``md5`` is None)."""
    if not os.path.isfile(fpath):
        return False
    return md5 is None or check_md5(fpath, md5)


# --------------------------------------------------------------------------------------------------------------------
# Downloads


class _AttemptError(Exception):
    """One URL failed for a reason worth showing as is (bad md5, short read, too many redirects)."""


class _NoRedirectHandler(urllib.request.HTTPRedirectHandler):
    """Turns every redirect into an HTTPError so that :func:`_open` can count the hops itself."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirectHandler)


def download_url(
    url: str,
    root: _StrPath,
    filename: str | None = None,
    md5: str | None = None,
    max_redirect_hops: int = 3,
    *,
    mirrors: Sequence[str] = (),
    progress: ProgressCallback | None = None,
    timeout: float = 30.0,
) -> Path:
    """Download a file unless a good copy is already there, trying ``url`` and then each mirror in order.

    A file already at the destination counts as good when its md5 is ``md5``, or, with ``md5=None``, when it exists.

    The data streams into a hidden ``.<filename>.<random>.part`` file in ``root``; it replaces the destination only
    once its length matches the server's Content-Length and its md5 matches ``md5``. Whatever goes wrong, the
    ``.part`` file is removed and an existing file at the destination is left untouched.

    Args:
        url (str): the first URL to try.
        root (str or PathLike): directory to save the file in; created if needed.
        filename (str, optional): name to save the file under. Default: the last part of the URL's path.
        md5 (str, optional): expected hex md5 digest; None skips the check.
        max_redirect_hops (int): how many HTTP redirects to follow per URL.
        mirrors (sequence of str): full URLs to try, in order, when ``url`` fails.
        progress (ProgressCallback, optional): called as ``progress(bytes_done, bytes_total)`` with ``(0, total)``
            first, after each chunk, and once more at the end; ``bytes_total`` is None when the size is unknown.
        timeout (float): seconds to wait for the server at each step.

    Returns:
        Path: the path of the downloaded (or already present) file.

    Raises:
        DownloadError: if every URL failed.
        TypeError: if ``url`` is not a string or ``mirrors`` is not a sequence of strings.
        ValueError: if ``max_redirect_hops`` or ``timeout`` is out of range, or no file name can be found.
    """
    urls = _candidate_urls(url, mirrors)
    _check_download_options(max_redirect_hops, timeout)
    fpath = Path(root).expanduser() / (filename or _filename_from_url(url))
    if check_integrity(fpath, md5):
        return fpath
    fpath.parent.mkdir(parents=True, exist_ok=True)
    failures = []
    for candidate in urls:
        try:
            _download_once(candidate, fpath, md5, max_redirect_hops, progress or _ignore_progress, timeout)
        except (_AttemptError, OSError, http.client.HTTPException) as exc:
            failures.append((candidate, _reason(exc)))
        else:
            return fpath
    raise DownloadError(_download_failed_message(fpath, md5, failures))


def download_and_extract_archive(
    url: str,
    download_root: _StrPath,
    extract_root: _StrPath | None = None,
    filename: str | None = None,
    md5: str | None = None,
    remove_finished: bool = False,
    *,
    mirrors: Sequence[str] = (),
    progress: ProgressCallback | None = None,
) -> Path:
    """Download an archive with :func:`download_url` and extract it with :func:`extract_archive`.

    Args:
        url (str): the first URL to try.
        download_root (str or PathLike): directory to save the archive in.
        extract_root (str or PathLike, optional): directory to extract into. Default: ``download_root``.
        filename (str, optional): name to save the archive under. Default: the last part of the URL's path.
        md5 (str, optional): expected hex md5 digest of the archive.
        remove_finished (bool): delete the archive once it is extracted.
        mirrors (sequence of str): full URLs to try, in order, when ``url`` fails.
        progress (ProgressCallback, optional): download progress callback, see :func:`download_url`.

    Returns:
        Path: what :func:`extract_archive` returns (the extraction directory, or the file for a single ``.gz``).
    """
    archive = download_url(url, download_root, filename, md5, mirrors=mirrors, progress=progress)
    return extract_archive(archive, download_root if extract_root is None else extract_root, remove_finished)


def _candidate_urls(url: str, mirrors: Sequence[str]) -> list[str]:
    if not isinstance(url, str):
        raise TypeError(f"`url` should be a str, got {type(url).__name__} {url!r}")
    not_a_sequence_of_urls = TypeError(f"`mirrors` should be a sequence of URL strings, got {mirrors!r}")
    if isinstance(mirrors, str):
        raise not_a_sequence_of_urls
    urls = [url, *mirrors]
    if not all(isinstance(candidate, str) for candidate in urls):
        raise not_a_sequence_of_urls
    return urls


def _check_download_options(max_redirect_hops: int, timeout: float) -> None:
    if isinstance(max_redirect_hops, bool) or not isinstance(max_redirect_hops, int) or max_redirect_hops < 0:
        raise ValueError(f"`max_redirect_hops` should be a non-negative int, got {max_redirect_hops!r}")
    if not timeout > 0:
        raise ValueError(f"`timeout` should be a positive number of seconds, got {timeout!r}")


def _filename_from_url(url: str) -> str:
    name = posixpath.basename(urllib.parse.urlparse(url).path)
    if not name:
        raise ValueError(f"`url` has no file name at the end of its path ({url!r}); pass `filename`")
    return name


def _ignore_progress(done: int, total: int | None) -> None:
    """Default progress callback: stays silent."""


def _download_once(
    url: str, fpath: Path, md5: str | None, max_redirect_hops: int, progress: ProgressCallback, timeout: float
) -> None:
    with _open(url, max_redirect_hops, timeout) as response, _atomic_writer(fpath) as out:
        total = _content_length(response)
        done, digest = _stream(response, out, total, progress)
        if total is not None and done != total:
            raise _AttemptError(f"connection closed after {done} of {total} bytes")
        if md5 is not None and digest != md5:
            raise _AttemptError(f"md5 mismatch: expected {md5}, got {digest}")


def _open(url: str, max_redirect_hops: int, timeout: float) -> http.client.HTTPResponse:
    for _ in range(max_redirect_hops + 1):
        try:
            request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
        except ValueError as exc:
            raise _AttemptError(f"not a valid URL ({exc})") from exc
        try:
            return _OPENER.open(request, timeout=timeout)
        except urllib.error.HTTPError as exc:
            exc.close()
            location = exc.headers.get("Location")
            if exc.code not in _REDIRECT_CODES or location is None:
                raise
            url = urllib.parse.urljoin(url, location)
    raise _AttemptError(f"more than max_redirect_hops={max_redirect_hops} redirects (the last one to {url})")


def _content_length(response: http.client.HTTPResponse) -> int | None:
    value = response.headers.get("Content-Length", "")
    return int(value) if value.isdigit() else None


def _stream(
    response: http.client.HTTPResponse, out: IO[bytes], total: int | None, progress: ProgressCallback
) -> tuple[int, str]:
    """Copy the response into ``out``; return the byte count and the hex md5 of what was copied."""
    digest = hashlib.md5(usedforsecurity=False)
    done = 0
    progress(0, total)
    while chunk := response.read(_CHUNK_SIZE):
        out.write(chunk)
        digest.update(chunk)
        done += len(chunk)
        progress(done, total)
    progress(done, total)
    return done, digest.hexdigest()


@contextlib.contextmanager
def _atomic_writer(destination: Path) -> Iterator[IO[bytes]]:
    """Yield a hidden file beside ``destination`` that replaces it if the block succeeds, and is removed if not."""
    partial = destination.with_name(f".{destination.name}.{secrets.token_hex(4)}.part")
    try:
        with open(partial, "xb") as out:
            yield out
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return _reason(exc.reason) if isinstance(exc.reason, BaseException) else str(exc.reason)
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "timed out"
    return str(exc) or type(exc).__name__


def _download_failed_message(fpath: Path, md5: str | None, failures: list[tuple[str, str]]) -> str:
    tried = "\n".join(f"  - {url}: {reason}" for url, reason in failures)
    with_md5 = "" if md5 is None else f" (its md5 should be {md5})"
    return (
        f"Could not download '{fpath.name}'. Tried:\n{tried}\n"
        f"Check your network connection, or download the file yourself and place it at {fpath.absolute()}{with_md5}."
    )


# --------------------------------------------------------------------------------------------------------------------
# Extraction


@dataclass(frozen=True)
class _Member:
    """One archive entry, described the same way for tar and zip."""

    name: str
    is_dir: bool
    size: int
    refusal: str | None
    open: Callable[[], IO[bytes]]

    @property
    def relative_path(self) -> str:
        return posixpath.normpath(self.name.replace("\\", "/"))


class _Budget:
    """Counts uncompressed bytes against ``max_bytes`` and refuses the archive as soon as they go past it."""

    def __init__(self, archive: Path, max_bytes: int | None, counted: str) -> None:
        self.archive = archive
        self.max_bytes = max_bytes
        self.counted = counted
        self.used = 0

    def spend(self, nbytes: int, member: str) -> None:
        self.used += nbytes
        if self.max_bytes is not None and self.used > self.max_bytes:
            raise UnsafeArchiveError(
                f"refused to extract '{self.archive}': member '{member}' brings the {self.counted} size "
                f"to {self.used:,} bytes, more than max_bytes={self.max_bytes:,}; nothing was extracted"
            )


def extract_archive(
    from_path: _StrPath,
    to_path: _StrPath | None = None,
    remove_finished: bool = False,
    *,
    max_bytes: int | None = None,
    max_members: int | None = None,
) -> Path:
    """Extract a .tar, .tar.gz/.tgz, .tar.bz2, .tar.xz or .zip archive, or decompress a single .gz/.bz2/.xz file.

    Every member is checked before anything is written: the whole archive is refused if one member has an absolute
    path or a drive, climbs out of ``to_path`` through ``..``, is a symbolic or hard link, a device or a FIFO, or if
    the declared sizes add up to more than ``max_bytes``, if there are more than ``max_members`` members, or if a
    member is a file where another member needs a folder (``a`` and ``a/b``). The members are then written into a
    hidden staging directory inside ``to_path``, counting bytes against ``max_bytes`` again, and moved into place at
    the end, so an archive that fails halfway leaves ``to_path`` as it was.

    Args:
        from_path (str or PathLike): the archive or compressed file.
        to_path (str or PathLike, optional): directory to extract into; created if needed. Default: the directory
            holding ``from_path``.
        remove_finished (bool): delete ``from_path`` once it is extracted.
        max_bytes (int, optional): most uncompressed bytes the archive may expand to; None means no limit.
        max_members (int, optional): most members (files and folders) an archive may hold; None means no limit.

    Returns:
        Path: ``to_path``; for a single compressed file, the decompressed file inside ``to_path`` (its name is
        ``from_path``'s without the last suffix).

    Raises:
        UnsafeArchiveError: if a member is unsafe, the archive expands past ``max_bytes`` or holds more than
            ``max_members`` members.
        ValueError: if the file name has no supported suffix, or ``max_bytes`` is negative.
        TypeError: if ``max_bytes`` is not an int.
    """
    from_path = Path(from_path)
    to_path = from_path.parent if to_path is None else Path(to_path)
    _check_max_bytes(max_bytes)
    _check_max_bytes(max_members, "max_members")
    name = from_path.name.lower()
    if name.endswith(_TAR_SUFFIXES):
        result = _extract_tar(from_path, to_path, max_bytes, max_members)
    elif name.endswith(".zip"):
        result = _extract_zip(from_path, to_path, max_bytes, max_members)
    elif from_path.suffix.lower() in _DECOMPRESSORS:
        result = _decompress(from_path, to_path, max_bytes)
    else:
        raise ValueError(
            f"`from_path` should end with one of {iterable_to_str(_SUPPORTED_ARCHIVES)}, got '{from_path.name}'"
        )
    if remove_finished:
        from_path.unlink()
    return result


def check_archive(from_path: _StrPath, *, max_bytes: int | None = None, max_members: int | None = None) -> list[str]:
    """Make every check :func:`extract_archive` makes on a .tar or .zip archive's members, writing nothing.

    Args:
        from_path (str or PathLike): the archive.
        max_bytes (int, optional): most uncompressed bytes the members may declare; None means no limit.
        max_members (int, optional): most members the archive may hold; None means no limit.

    Returns:
        list[str]: the names of the archive's files (not its folders), as stored in the archive.

    Raises:
        UnsafeArchiveError: if :func:`extract_archive` would refuse the archive before writing anything.
        ValueError: if the file name is not a .tar or .zip archive's, or a limit is negative.
    """
    from_path = Path(from_path)
    _check_max_bytes(max_bytes)
    _check_max_bytes(max_members, "max_members")
    name = from_path.name.lower()
    if name.endswith(_TAR_SUFFIXES):
        with tarfile.open(from_path) as tar:
            members = [_tar_member(tar, info, from_path.parent) for info in tar.getmembers()]
    elif name.endswith(".zip"):
        with zipfile.ZipFile(from_path) as zf:
            members = [_zip_member(zf, info) for info in zf.infolist()]
    else:
        raise ValueError(f"`from_path` should be a .tar or .zip archive, got '{from_path.name}'")
    _check_members(from_path, members, max_bytes, max_members)
    return [member.name for member in members if not member.is_dir]


def _check_max_bytes(value: int | None, name: str = "max_bytes") -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"`{name}` should be an int or None, got {type(value).__name__} {value!r}")
    if value < 0:
        raise ValueError(f"`{name}` should be non-negative, got {value}")


def _extract_tar(archive: Path, to_path: Path, max_bytes: int | None, max_members: int | None) -> Path:
    with tarfile.open(archive) as tar:
        members = [_tar_member(tar, info, to_path) for info in tar.getmembers()]
        _extract_members(archive, to_path, members, max_bytes, max_members)
    return to_path


def _extract_zip(archive: Path, to_path: Path, max_bytes: int | None, max_members: int | None) -> Path:
    with zipfile.ZipFile(archive) as zf:
        members = [_zip_member(zf, info) for info in zf.infolist()]
        _extract_members(archive, to_path, members, max_bytes, max_members)
    return to_path


def _decompress(from_path: Path, to_path: Path, max_bytes: int | None) -> Path:
    target = to_path / from_path.stem
    budget = _Budget(from_path, max_bytes, "decompressed")
    to_path.mkdir(parents=True, exist_ok=True)
    with _DECOMPRESSORS[from_path.suffix.lower()](from_path, "rb") as source, _atomic_writer(target) as out:
        _copy_within_budget(source, out, budget, target.name)
    return target


_TAR_REFUSALS = {
    tarfile.SYMTYPE: "is a symbolic link",
    tarfile.LNKTYPE: "is a hard link",
    tarfile.CHRTYPE: "is a character device",
    tarfile.BLKTYPE: "is a block device",
    tarfile.FIFOTYPE: "is a FIFO",
}

_ZIP_REFUSALS = {
    stat.S_IFLNK: "is a symbolic link",
    stat.S_IFCHR: "is a character device",
    stat.S_IFBLK: "is a block device",
    stat.S_IFIFO: "is a FIFO",
    stat.S_IFSOCK: "is a socket",
}


def _tar_member(tar: tarfile.TarFile, info: tarfile.TarInfo, to_path: Path) -> _Member:
    refusal = None
    if not (info.isreg() or info.isdir()):
        refusal = _TAR_REFUSALS.get(info.type, f"has an unsupported tar type {info.type!r}")
        if info.linkname:
            refusal += f" (to '{info.linkname}')"
    else:
        # Second line of defence: tarfile's own "data" extraction filter must accept the member too.
        try:
            tarfile.data_filter(info, os.fspath(to_path))
        except tarfile.FilterError as exc:
            refusal = f"is refused by tarfile's data filter ({exc})"
    return _Member(info.name, info.isdir(), info.size, refusal, functools.partial(tar.extractfile, info))


def _zip_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> _Member:
    file_type = stat.S_IFMT(info.external_attr >> 16)
    refusal = None
    if file_type not in (0, stat.S_IFREG, stat.S_IFDIR):
        refusal = _ZIP_REFUSALS.get(file_type, f"has an unsupported file type {file_type:#o}")
    return _Member(info.filename, info.is_dir(), info.file_size, refusal, functools.partial(zf.open, info))


def _extract_members(
    archive: Path, to_path: Path, members: list[_Member], max_bytes: int | None, max_members: int | None
) -> None:
    _check_members(archive, members, max_bytes, max_members)
    to_path.mkdir(parents=True, exist_ok=True)
    budget = _Budget(archive, max_bytes, "extracted")
    with _staging_dir(to_path) as staging:
        for member in members:
            _write_member(member, staging, budget)
        _move_into_place(staging, to_path)


def _check_members(archive: Path, members: list[_Member], max_bytes: int | None, max_members: int | None) -> None:
    if max_members is not None and len(members) > max_members:
        raise UnsafeArchiveError(
            f"refused to extract '{archive}': it holds {len(members):,} members, more than the {max_members:,} "
            "allowed; nothing was extracted"
        )
    declared = _Budget(archive, max_bytes, "declared uncompressed")
    for member in members:
        problem = _path_problem(member) or member.refusal
        if problem is not None:
            raise UnsafeArchiveError(
                f"refused to extract '{archive}': member '{member.name}' {problem}; nothing was extracted"
            )
        if not member.is_dir:
            declared.spend(member.size, member.name)
    _check_file_folder_clashes(archive, members)


def _check_file_folder_clashes(archive: Path, members: list[_Member]) -> None:
    """Refuse a member that is a file where another member needs a folder (``a`` and ``a/b``), before writing."""
    files = {member.relative_path for member in members if not member.is_dir}
    for member in members:
        parents = PurePosixPath(member.relative_path).parents
        clash = next((str(parent) for parent in parents if str(parent) in files), None)
        if clash is not None:
            raise UnsafeArchiveError(
                f"refused to extract '{archive}': member '{clash}' is a file, but member '{member.name}' needs a "
                f"folder of that name; nothing was extracted"
            )


def _path_problem(member: _Member) -> str | None:
    name = member.name.replace("\\", "/")
    if name.startswith("/"):
        return "has an absolute path"
    if PureWindowsPath(member.name).drive:
        return "has a drive letter"
    relative = member.relative_path
    if relative == ".." or relative.startswith("../"):
        return "would be written outside the target directory (through '..')"
    if relative == "." and not member.is_dir:
        return "is a file with no name"
    return None


@contextlib.contextmanager
def _staging_dir(to_path: Path) -> Iterator[Path]:
    staging = Path(tempfile.mkdtemp(prefix=".extracting-", dir=to_path))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_member(member: _Member, staging: Path, budget: _Budget) -> None:
    target = staging / member.relative_path
    if member.is_dir:
        target.mkdir(parents=True, exist_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with member.open() as source, open(target, "wb") as out:
        _copy_within_budget(source, out, budget, member.name)


def _copy_within_budget(source: IO[bytes], out: IO[bytes], budget: _Budget, member: str) -> None:
    while chunk := source.read(_CHUNK_SIZE):
        budget.spend(len(chunk), member)
        out.write(chunk)


def _move_into_place(staging: Path, to_path: Path) -> None:
    for source in staging.rglob("*"):
        target = to_path / source.relative_to(staging)
        if target.exists() and target.is_dir() != source.is_dir():
            kind = "a directory" if target.is_dir() else "a file"
            raise FileExistsError(f"cannot extract '{source.relative_to(staging)}': {target} already exists as {kind}")
    for source in staging.iterdir():
        _merge(source, to_path / source.name)


def _merge(source: Path, target: Path) -> None:
    if source.is_dir() and target.is_dir():
        for child in source.iterdir():
            _merge(child, target / child.name)
    else:
        os.replace(source, target)
