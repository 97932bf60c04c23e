"""extract_archive: good archives extract fully; unsafe or oversized ones are refused with nothing written."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import re
import stat
import struct
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from visionkit.datasets.utils import UnsafeArchiveError, check_archive, extract_archive

GOOD_FILES = {
    "cifar-10-batches-py/data_batch_1": b"first batch",
    "cifar-10-batches-py/nested/readme.txt": b"hello",
    "top.txt": b"top level",
}
TAR_MODES = {".tar": "w", ".tar.gz": "w:gz", ".tgz": "w:gz", ".tar.bz2": "w:bz2", ".tar.xz": "w:xz"}


def _tree(directory: Path) -> dict[str, bytes | None]:
    """Everything under ``directory`` (hidden entries included): file contents, None for directories."""
    return {
        str(path.relative_to(directory)): None if path.is_dir() else path.read_bytes()
        for path in sorted(directory.rglob("*"))
    }


def _file_info(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def _link_info(name: str, type_: bytes, linkname: str = "") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type = type_
    info.linkname = linkname
    return info, b""


def _write_tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    mode = next(mode for suffix, mode in TAR_MODES.items() if path.name.endswith(suffix))
    with tarfile.open(path, mode) as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data))
    return path


def _write_zip(
    path: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]], compression: int = zipfile.ZIP_DEFLATED
) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for info, data in members:
            zf.writestr(info, data)
    return path


def _zip_info(name: str, file_type: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # Unix, so that external_attr holds st_mode
    info.external_attr = (file_type | 0o777) << 16
    return info


def _assert_refused(archive: Path, target: Path, error: type[Exception], match: str, **kwargs: Any) -> None:
    """Extracting must raise, and leave everything beside the archive (``target`` included) exactly as it was."""
    before = _tree(archive.parent)
    with pytest.raises(error, match=match):
        extract_archive(archive, target, **kwargs)
    assert _tree(archive.parent) == before


@pytest.fixture
def target(tmp_path: Path) -> Path:
    """An extraction directory that already holds a file, to check refusals leave it as it was."""
    directory = tmp_path / "target"
    directory.mkdir()
    (directory / "keep.txt").write_bytes(b"already here")
    return directory


class TestExtractGoodArchives:
    @pytest.mark.parametrize("suffix", list(TAR_MODES))
    def test_tar_extracts_every_file(self, tmp_path: Path, target: Path, suffix: str) -> None:
        members = [_file_info(name, data) for name, data in GOOD_FILES.items()]
        archive = _write_tar(tmp_path / f"good{suffix}", members)
        assert extract_archive(archive, target) == target
        assert _tree(target) == {
            "cifar-10-batches-py": None,
            "cifar-10-batches-py/data_batch_1": b"first batch",
            "cifar-10-batches-py/nested": None,
            "cifar-10-batches-py/nested/readme.txt": b"hello",
            "keep.txt": b"already here",
            "top.txt": b"top level",
        }

    def test_zip_extracts_every_file_and_directory(self, tmp_path: Path, target: Path) -> None:
        archive = _write_zip(tmp_path / "good.zip", [("empty_dir/", b""), *GOOD_FILES.items()])
        assert extract_archive(archive, target) == target
        assert _tree(target)["empty_dir"] is None
        for name, data in GOOD_FILES.items():
            assert (target / name).read_bytes() == data

    def test_defaults_to_archive_directory(self, tmp_path: Path) -> None:
        archive = _write_zip(tmp_path / "good.zip", list(GOOD_FILES.items()))
        assert extract_archive(str(archive)) == tmp_path
        assert (tmp_path / "top.txt").read_bytes() == b"top level"

    def test_creates_missing_target_and_removes_finished(self, tmp_path: Path) -> None:
        archive = _write_tar(tmp_path / "good.tar.gz", [_file_info("a.txt", b"a")])
        result = extract_archive(archive, tmp_path / "new" / "dir", remove_finished=True)
        assert _tree(result) == {"a.txt": b"a"}
        assert not archive.exists()

    def test_merges_into_existing_directories_and_overwrites_files(self, tmp_path: Path, target: Path) -> None:
        (target / "cifar-10-batches-py").mkdir()
        (target / "cifar-10-batches-py" / "data_batch_1").write_bytes(b"stale")
        (target / "cifar-10-batches-py" / "mine.txt").write_bytes(b"mine")
        archive = _write_zip(tmp_path / "good.zip", list(GOOD_FILES.items()))
        extract_archive(archive, target)
        assert (target / "cifar-10-batches-py" / "data_batch_1").read_bytes() == b"first batch"
        assert (target / "cifar-10-batches-py" / "mine.txt").read_bytes() == b"mine"

    def test_dot_slash_prefixed_members(self, tmp_path: Path, target: Path) -> None:
        members = [_link_info("./", tarfile.DIRTYPE), _file_info("./a/b.txt", b"b")]
        extract_archive(_write_tar(tmp_path / "dots.tar", members), target)
        assert (target / "a" / "b.txt").read_bytes() == b"b"


UNSAFE_NAMES = {
    "parent": ("../evil.txt", "would be written outside the target directory"),
    "nested parent": ("ok/../../evil.txt", "would be written outside the target directory"),
    "absolute": ("/tmp/evil.txt", "has an absolute path"),
    "drive": ("C:/evil.txt", "has a drive letter"),
}


class TestExtractRefusesUnsafeTar:
    @pytest.mark.parametrize(("name", "reason"), list(UNSAFE_NAMES.values()), ids=list(UNSAFE_NAMES))
    def test_unsafe_path_refused_before_writing(self, tmp_path: Path, target: Path, name: str, reason: str) -> None:
        archive = _write_tar(tmp_path / "bad.tar.gz", [_file_info("good.txt", b"good"), _file_info(name, b"evil")])
        _assert_refused(archive, target, UnsafeArchiveError, re.escape(f"member '{name}' {reason}"))

    @pytest.mark.parametrize(
        ("member", "reason"),
        [
            (_link_info("link", tarfile.SYMTYPE, "/etc/passwd"), "is a symbolic link (to '/etc/passwd')"),
            (_link_info("hard", tarfile.LNKTYPE, "good.txt"), "is a hard link (to 'good.txt')"),
            (_link_info("dev", tarfile.CHRTYPE), "is a character device"),
            (_link_info("blk", tarfile.BLKTYPE), "is a block device"),
            (_link_info("fifo", tarfile.FIFOTYPE), "is a FIFO"),
        ],
        ids=["symlink", "hardlink", "chardev", "blockdev", "fifo"],
    )
    def test_special_member_refused_before_writing(
        self, tmp_path: Path, target: Path, member: tuple[tarfile.TarInfo, bytes], reason: str
    ) -> None:
        archive = _write_tar(tmp_path / "bad.tar", [_file_info("good.txt", b"good"), member])
        _assert_refused(archive, target, UnsafeArchiveError, re.escape(f"member '{member[0].name}' {reason}"))

    def test_symlink_then_write_through_it_refused(self, tmp_path: Path, target: Path) -> None:
        outside = tmp_path / "outside"
        outside.mkdir()
        members = [_link_info("escape", tarfile.SYMTYPE, str(outside)), _file_info("escape/pwned.txt", b"x")]
        with pytest.raises(UnsafeArchiveError, match="symbolic link"):
            extract_archive(_write_tar(tmp_path / "bad.tar", members), target)
        assert list(outside.iterdir()) == []

    def test_message_names_archive_and_says_nothing_was_extracted(self, tmp_path: Path, target: Path) -> None:
        archive = _write_tar(tmp_path / "bad.tar", [_file_info("../x", b"x")])
        with pytest.raises(UnsafeArchiveError, match=f"refused to extract '{re.escape(str(archive))}'.*nothing was"):
            extract_archive(archive, target)


class TestExtractRefusesUnsafeZip:
    @pytest.mark.parametrize(
        ("name", "reason"),
        [*UNSAFE_NAMES.values(), ("..\\evil.txt", "would be written outside the target directory")],
        ids=[*UNSAFE_NAMES, "backslash parent"],
    )
    def test_unsafe_path_refused_before_writing(self, tmp_path: Path, target: Path, name: str, reason: str) -> None:
        archive = _write_zip(tmp_path / "bad.zip", [("good.txt", b"good"), (name, b"evil")])
        _assert_refused(archive, target, UnsafeArchiveError, re.escape(f"member '{name}' {reason}"))

    @pytest.mark.parametrize(
        ("file_type", "reason"),
        [(stat.S_IFLNK, "is a symbolic link"), (stat.S_IFIFO, "is a FIFO"), (stat.S_IFCHR, "is a character device")],
        ids=["symlink", "fifo", "chardev"],
    )
    def test_special_member_refused_before_writing(
        self, tmp_path: Path, target: Path, file_type: int, reason: str
    ) -> None:
        members = [("good.txt", b"good"), (_zip_info("special", file_type), b"/etc/passwd")]
        archive = _write_zip(tmp_path / "bad.zip", members)
        _assert_refused(archive, target, UnsafeArchiveError, re.escape(f"member 'special' {reason}"))

    def test_unix_regular_file_attributes_are_fine(self, tmp_path: Path, target: Path) -> None:
        archive = _write_zip(tmp_path / "good.zip", [(_zip_info("plain.txt", stat.S_IFREG), b"plain")])
        extract_archive(archive, target)
        assert (target / "plain.txt").read_bytes() == b"plain"


def _lie_about_zip_size(archive: Path, declared: int) -> None:
    """Rewrite the uncompressed size recorded in the zip's local and central headers (single-member zip)."""
    raw = bytearray(archive.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = raw.index(signature)
        raw[start + offset : start + offset + 4] = struct.pack("<I", declared)
    archive.write_bytes(bytes(raw))


class TestExtractMaxBytes:
    def test_zip_declaring_too_much_is_refused(self, tmp_path: Path, target: Path) -> None:
        archive = _write_zip(tmp_path / "big.zip", [("a.bin", b"\0" * 600), ("b.bin", b"\0" * 600)])
        message = "member 'b.bin' brings the declared uncompressed size to 1,200 bytes, more than max_bytes=1,000"
        _assert_refused(archive, target, UnsafeArchiveError, re.escape(message), max_bytes=1000)

    def test_tar_declaring_too_much_is_refused(self, tmp_path: Path, target: Path) -> None:
        archive = _write_tar(tmp_path / "big.tar.gz", [_file_info("a.bin", b"\0" * 2000)])
        message = "member 'a.bin' brings the declared uncompressed size to 2,000 bytes, more than max_bytes=1,999"
        _assert_refused(archive, target, UnsafeArchiveError, re.escape(message), max_bytes=1999)

    def test_exactly_max_bytes_is_allowed(self, tmp_path: Path, target: Path) -> None:
        archive = _write_zip(tmp_path / "big.zip", [("a.bin", b"\0" * 600), ("b.bin", b"\0" * 400)])
        extract_archive(archive, target, max_bytes=1000)
        assert (target / "b.bin").read_bytes() == b"\0" * 400

    def test_zip_with_lying_size_header_writes_nothing(self, tmp_path: Path, target: Path) -> None:
        archive = _write_zip(tmp_path / "bomb.zip", [("bomb.bin", b"\0" * 1_000_000)])
        _lie_about_zip_size(archive, declared=10)
        # zipfile stops reading at the declared size, so the member fails its CRC check instead of growing past it.
        _assert_refused(archive, target, zipfile.BadZipFile, "Bad CRC-32 for file 'bomb.bin'", max_bytes=1000)

    @pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz"])
    def test_single_file_is_capped_while_decompressing(self, tmp_path: Path, target: Path, suffix: str) -> None:
        compress = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}[suffix]
        archive = tmp_path / f"bomb.bin{suffix}"
        archive.write_bytes(compress(b"\0" * 1_000_000))
        message = r"member 'bomb.bin' brings the decompressed size to [\d,]+ bytes, more than max_bytes=100,000"
        _assert_refused(archive, target, UnsafeArchiveError, message, max_bytes=100_000)

    def test_max_bytes_must_be_non_negative(self, tmp_path: Path) -> None:
        with pytest.raises(ValueError, match="`max_bytes` should be non-negative, got -1"):
            extract_archive(tmp_path / "a.zip", max_bytes=-1)

    @pytest.mark.parametrize("max_bytes", [1.5, "100", True])
    def test_max_bytes_must_be_an_int(self, tmp_path: Path, max_bytes: object) -> None:
        with pytest.raises(TypeError, match=f"`max_bytes` should be an int or None, got {type(max_bytes).__name__}"):
            extract_archive(tmp_path / "a.zip", max_bytes=max_bytes)  # type: ignore[arg-type]


class TestExtractMaxMembers:
    def test_more_members_than_allowed_is_refused(self, tmp_path: Path, target: Path) -> None:
        archive = _write_zip(tmp_path / "many.zip", [(f"{i}.txt", b"") for i in range(11)])
        message = "it holds 11 members, more than the 10 allowed"
        _assert_refused(archive, target, UnsafeArchiveError, re.escape(message), max_members=10)

    def test_exactly_max_members_is_allowed(self, tmp_path: Path, target: Path) -> None:
        archive = _write_tar(tmp_path / "ten.tar", [_file_info(f"{i}.txt", b"x") for i in range(10)])
        extract_archive(archive, target, max_members=10)
        assert sorted(p.name for p in target.iterdir()) == sorted([*(f"{i}.txt" for i in range(10)), "keep.txt"])


class TestCheckArchive:
    """check_archive refuses what extract_archive refuses, with the same message, and writes nothing."""

    @pytest.mark.parametrize("suffix", [".zip", ".tar.gz"])
    def test_lists_the_files_and_writes_nothing(self, tmp_path: Path, suffix: str) -> None:
        path = tmp_path / f"good{suffix}"
        if suffix == ".zip":
            archive = _write_zip(path, [("cat/", b""), ("cat/a.png", b"a"), ("dog/b.png", b"b")])
        else:
            archive = _write_tar(path, [_file_info("cat/a.png", b"a"), _file_info("dog/b.png", b"b")])
        before = _tree(tmp_path)
        assert check_archive(archive) == ["cat/a.png", "dog/b.png"]
        assert _tree(tmp_path) == before

    @pytest.mark.parametrize(
        ("members", "kwargs"),
        [
            ([("../evil.txt", b"x")], {}),
            ([(_zip_info("link", stat.S_IFLNK), b"/etc/passwd")], {}),
            ([("a", b"x"), ("a/b", b"y")], {}),
            ([("a.bin", b"\0" * 600), ("b.bin", b"\0" * 600)], {"max_bytes": 1000}),
            ([(f"{i}.txt", b"") for i in range(3)], {"max_members": 2}),
        ],
        ids=["parent", "symlink", "file-folder-clash", "max-bytes", "max-members"],
    )
    def test_refuses_as_extract_archive_does(
        self, tmp_path: Path, target: Path, members: list[tuple[Any, bytes]], kwargs: dict[str, int]
    ) -> None:
        archive = _write_zip(tmp_path / "bad.zip", members)
        before = _tree(tmp_path)
        with pytest.raises(UnsafeArchiveError) as checked:
            check_archive(archive, **kwargs)
        assert _tree(tmp_path) == before
        with pytest.raises(UnsafeArchiveError) as extracted:
            extract_archive(archive, target, **kwargs)
        assert str(checked.value) == str(extracted.value)

    def test_a_single_compressed_file_is_not_an_archive(self, tmp_path: Path) -> None:
        path = tmp_path / "data.gz"
        path.write_bytes(gzip.compress(b"x"))
        with pytest.raises(ValueError, match=r"should be a \.tar or \.zip archive"):
            check_archive(path)


class TestExtractFailuresLeaveNoTrace:
    def test_corrupt_member_midway_writes_nothing(self, tmp_path: Path, target: Path) -> None:
        members = [("first.txt", b"first" * 100), ("second.txt", b"x" * 5000)]
        archive = _write_zip(tmp_path / "corrupt.zip", members, compression=zipfile.ZIP_STORED)
        raw = bytearray(archive.read_bytes())
        second = raw.index(b"second.txt") + len(b"second.txt")
        raw[second + 5] ^= 0xFF  # flip a byte of the second member's data, so its CRC check fails
        archive.write_bytes(bytes(raw))
        _assert_refused(archive, target, zipfile.BadZipFile, "Bad CRC-32 for file 'second.txt'")

    def test_file_where_archive_has_directory_writes_nothing(self, tmp_path: Path, target: Path) -> None:
        (target / "cifar-10-batches-py").write_bytes(b"a file, not a directory")
        archive = _write_zip(tmp_path / "good.zip", list(GOOD_FILES.items()))
        _assert_refused(archive, target, FileExistsError, "already exists as a file")


class TestExtractSingleFile:
    @pytest.mark.parametrize(
        ("suffix", "compress"), [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)]
    )
    def test_decompresses_beside_with_suffix_dropped(self, tmp_path: Path, suffix: str, compress: object) -> None:
        archive = tmp_path / f"train-images-idx3-ubyte{suffix}"
        archive.write_bytes(compress(b"idx data" * 1000))  # type: ignore[operator]
        result = extract_archive(archive)
        assert result == tmp_path / "train-images-idx3-ubyte"
        assert result.read_bytes() == b"idx data" * 1000
        assert sorted(os.listdir(tmp_path)) == ["train-images-idx3-ubyte", archive.name]

    def test_into_other_directory_and_remove_finished(self, tmp_path: Path) -> None:
        archive = tmp_path / "labels.gz"
        archive.write_bytes(gzip.compress(b"labels"))
        result = extract_archive(archive, tmp_path / "raw", remove_finished=True)
        assert result == tmp_path / "raw" / "labels"
        assert result.read_bytes() == b"labels"
        assert not archive.exists()

    def test_corrupt_gz_leaves_no_partial_file(self, tmp_path: Path) -> None:
        archive = tmp_path / "labels.gz"
        archive.write_bytes(gzip.compress(b"labels" * 10_000)[:-20])
        with pytest.raises(EOFError):
            extract_archive(archive)
        assert os.listdir(tmp_path) == ["labels.gz"]

    def test_unsupported_suffix(self, tmp_path: Path) -> None:
        with pytest.raises(ValueError, match=r"`from_path` should end with one of '.tar', .*'.xz', got 'data.rar'"):
            extract_archive(tmp_path / "data.rar")
