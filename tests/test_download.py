"""Downloads against a local HTTP server: md5 checks, mirrors, broken transfers, redirects, progress, archives."""

from __future__ import annotations

import hashlib
import io
import os
import re
import socket
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.http_server import LocalHTTPServer
from visionkit.datasets.utils import (
    DownloadError,
    calculate_md5,
    check_integrity,
    check_md5,
    download_and_extract_archive,
    download_url,
    iterable_to_str,
    verify_str_arg,
)

PAYLOAD = bytes(range(256)) * 1200  # 300 KiB: several chunks
PAYLOAD_MD5 = hashlib.md5(PAYLOAD).hexdigest()
OTHER = b"an older copy of the file"


def _listing(directory: Path) -> list[str]:
    return sorted(os.listdir(directory))


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 that is bound but not listening, so connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


class TestDownloadUrl:
    def test_downloads_file_with_matching_md5(self, local_server: LocalHTTPServer, tmp_path: Path) -> None:
        local_server.add("/files/data.bin", PAYLOAD)
        path = download_url(local_server.url("/files/data.bin"), tmp_path, md5=PAYLOAD_MD5)
        assert path == tmp_path / "data.bin"
        assert path.read_bytes() == PAYLOAD
        assert _listing(tmp_path) == ["data.bin"]

    def test_saves_under_given_filename_and_creates_root(self, local_server: LocalHTTPServer, tmp_path: Path) -> None:
        local_server.add("/data.bin", PAYLOAD)
        root = tmp_path / "new" / "root"
        path = download_url(local_server.url("/data.bin"), str(root), filename="renamed.bin")
        assert path == root / "renamed.bin"
        assert path.read_bytes() == PAYLOAD

    def test_skips_download_when_file_already_has_right_md5(
        self, local_server: LocalHTTPServer, tmp_path: Path
    ) -> None:
        local_server.add("/data.bin", b"served bytes")
        (tmp_path / "data.bin").write_bytes(PAYLOAD)
        download_url(local_server.url("/data.bin"), tmp_path, md5=PAYLOAD_MD5)
        assert local_server.hits("/data.bin") == 0
        assert (tmp_path / "data.bin").read_bytes() == PAYLOAD

    def test_replaces_existing_file_with_wrong_md5(self, local_server: LocalHTTPServer, tmp_path: Path) -> None:
        local_server.add("/data.bin", PAYLOAD)
        (tmp_path / "data.bin").write_bytes(OTHER)
        download_url(local_server.url("/data.bin"), tmp_path, md5=PAYLOAD_MD5)
        assert local_server.hits("/data.bin") == 1
        assert (tmp_path / "data.bin").read_bytes() == PAYLOAD
        assert _listing(tmp_path) == ["data.bin"]


class TestDownloadMd5Mismatch:
    def test_raises_and_leaves_no_file(self, local_server: LocalHTTPServer, tmp_path: Path) -> None:
        local_server.add("/data.bin", PAYLOAD)
        wrong = "0" * 32
        with pytest.raises(DownloadError, match=f"md5 mismatch: expected {wrong}, got {PAYLOAD_MD5}"):
            download_url(local_server.url("/data.bin"), tmp_path, md5=wrong)
        assert _listing(tmp_path) == []

    def test_leaves_existing_files_untouched(self, local_server: LocalHTTPServer, tmp_path: Path) -> None:
        local_server.add("/data.bin", PAYLOAD)
        (tmp_path / "data.bin").write_bytes(OTHER)
        (tmp_path / "neighbour.bin").write_bytes(OTHER)
        with pytest.raises(DownloadError, match="md5 mismatch"):
            download_url(local_server.url("/data.bin"), tmp_path, md5=hashlib.md5(b"something else").hexdigest())
        assert (tmp_path / "data.bin").read_bytes() == OTHER
        assert (tmp_path / "neighbour.bin").read_bytes() == OTHER
        assert _listing(tmp_path) == ["data.bin", "neighbour.bin"]


class TestDownloadMirrors:
    def test_falls_back_to_mirror_after_404(self, local_server: LocalHTTPServer, tmp_path: Path) -> None:
        local_server.add_status("/primary/data.bin", 404)
        local_server.add_status("/mirror1/data.bin", 500)
        local_server.add("/mirror2/data.bin", PAYLOAD)
        local_server.add("/mirror3/data.bin", PAYLOAD)
        mirrors = [local_server.url(f"/mirror{i}/data.bin") for i in (1, 2, 3)]
        path = download_url(local_server.url("/primary/data.bin"), tmp_path, md5=PAYLOAD_MD5, mirrors=mirrors)
        assert path.read_bytes() == PAYLOAD
        hits = [local_server.hits(p) for p in ("/primary/data.bin", "/mirror1/data.bin", "/mirror2/data.bin")]
        assert hits == [1, 1, 1]
        assert local_server.hits("/mirror3/data.bin") == 0

    def test_mirror_used_after_md5_mismatch(self, local_server: LocalHTTPServer, tmp_path: Path) -> None:
        local_server.add("/primary/data.bin", b"tampered")
        local_server.add("/mirror/data.bin", PAYLOAD)
        path = download_url(
            local_server.url("/primary/data.bin"),
            tmp_path,
            md5=PAYLOAD_MD5,
            mirrors=[local_server.url("/mirror/data.bin")],
        )
        assert path.read_bytes() == PAYLOAD
        assert _listing(tmp_path) == ["data.bin"]

    def test_all_failing_lists_every_url_and_how_to_fix(
        self, local_server: LocalHTTPServer, tmp_path: Path, closed_port: int
    ) -> None:
        local_server.add_status("/a/data.bin", 404)
        local_server.add("/b/data.bin", b"tampered")
        local_server.add_truncated("/c/data.bin", PAYLOAD, cut_at=1000)
        urls = [
            local_server.url("/a/data.bin"),
            local_server.url("/b/data.bin"),
            local_server.url("/c/data.bin"),
            f"http://127.0.0.1:{closed_port}/data.bin",
        ]
        with pytest.raises(DownloadError) as excinfo:
            download_url(urls[0], tmp_path, md5=PAYLOAD_MD5, mirrors=urls[1:])
        message = str(excinfo.value)
        assert f"{urls[0]}: HTTP 404" in message
        assert f"{urls[1]}: md5 mismatch" in message
        assert f"{urls[2]}: connection closed after 1000 of {len(PAYLOAD)} bytes" in message
        assert f"{urls[3]}: connection refused" in message
        assert message.endswith(f"place it at {tmp_path / 'data.bin'} (its md5 should be {PAYLOAD_MD5}).")
        assert "Check your network connection" in message
        assert _listing(tmp_path) == []


class TestDownloadBrokenTransfers:
    def test_truncated_transfer_leaves_nothing(self, local_server: LocalHTTPServer, tmp_path: Path) -> None:
        local_server.add_truncated("/data.bin", PAYLOAD, cut_at=len(PAYLOAD) // 2)
        with pytest.raises(DownloadError, match=f"connection closed after {len(PAYLOAD) // 2} of {len(PAYLOAD)}"):
            download_url(local_server.url("/data.bin"), tmp_path)
        assert _listing(tmp_path) == []

    def test_truncated_transfer_keeps_existing_file(self, local_server: LocalHTTPServer, tmp_path: Path) -> None:
        local_server.add_truncated("/data.bin", PAYLOAD, cut_at=10)
        (tmp_path / "data.bin").write_bytes(OTHER)
        with pytest.raises(DownloadError, match="connection closed after 10 of"):
            download_url(local_server.url("/data.bin"), tmp_path, md5=PAYLOAD_MD5)
        assert (tmp_path / "data.bin").read_bytes() == OTHER
        assert _listing(tmp_path) == ["data.bin"]

    def test_nothing_listening_raises_download_error(self, tmp_path: Path, closed_port: int) -> None:
        with pytest.raises(DownloadError, match="connection refused"):
            download_url(f"http://127.0.0.1:{closed_port}/data.bin", tmp_path)
        assert _listing(tmp_path) == []


class TestDownloadProgress:
    def test_counts_are_monotonic_and_end_at_total(self, local_server: LocalHTTPServer, tmp_path: Path) -> None:
        local_server.add("/data.bin", PAYLOAD)
        calls: list[tuple[int, int | None]] = []
        download_url(local_server.url("/data.bin"), tmp_path, progress=lambda done, total: calls.append((done, total)))
        assert calls[0] == (0, len(PAYLOAD))
        assert calls[-1] == (len(PAYLOAD), len(PAYLOAD))
        assert len(calls) > 3
        counts = [done for done, _ in calls]
        assert counts == sorted(counts)
        assert {total for _, total in calls} == {len(PAYLOAD)}


class TestDownloadRedirects:
    def test_follows_redirects(self, local_server: LocalHTTPServer, tmp_path: Path) -> None:
        local_server.add_redirect("/old/data.bin", "/moved/data.bin")
        local_server.add_redirect("/moved/data.bin", "/final/data.bin")
        local_server.add("/final/data.bin", PAYLOAD)
        path = download_url(local_server.url("/old/data.bin"), tmp_path, md5=PAYLOAD_MD5, max_redirect_hops=2)
        assert path == tmp_path / "data.bin"
        assert path.read_bytes() == PAYLOAD

    @pytest.mark.parametrize("hops", [0, 1])
    def test_too_many_redirects_fail(self, local_server: LocalHTTPServer, tmp_path: Path, hops: int) -> None:
        local_server.add_redirect("/old/data.bin", "/moved/data.bin")
        local_server.add_redirect("/moved/data.bin", "/final/data.bin")
        local_server.add("/final/data.bin", PAYLOAD)
        with pytest.raises(DownloadError, match=f"more than max_redirect_hops={hops} redirects"):
            download_url(local_server.url("/old/data.bin"), tmp_path, max_redirect_hops=hops)
        assert local_server.hits("/final/data.bin") == 0
        assert _listing(tmp_path) == []


class TestDownloadValidation:
    def test_url_must_be_a_string(self, tmp_path: Path) -> None:
        with pytest.raises(TypeError, match=r"`url` should be a str, got bytes b'http://x/y'"):
            download_url(b"http://x/y", tmp_path)  # type: ignore[arg-type]

    @pytest.mark.parametrize("mirrors", ["http://m/y", ["http://m/y", None]])
    def test_mirrors_must_be_a_sequence_of_strings(self, tmp_path: Path, mirrors: object) -> None:
        with pytest.raises(
            TypeError, match=re.escape(f"`mirrors` should be a sequence of URL strings, got {mirrors!r}")
        ):
            download_url("http://x/y", tmp_path, mirrors=mirrors)  # type: ignore[arg-type]

    def test_mirrors_may_be_any_iterable(self, local_server: LocalHTTPServer, tmp_path: Path) -> None:
        local_server.add("/data.bin", PAYLOAD)
        mirrors = (url for url in [local_server.url("/data.bin")])
        path = download_url(local_server.url("/missing.bin"), tmp_path, filename="data.bin", mirrors=mirrors)  # type: ignore[arg-type]
        assert path.read_bytes() == PAYLOAD

    @pytest.mark.parametrize("hops", [-1, 1.5, True])
    def test_max_redirect_hops_must_be_a_non_negative_int(self, tmp_path: Path, hops: object) -> None:
        with pytest.raises(ValueError, match=f"`max_redirect_hops` should be a non-negative int, got {hops}"):
            download_url("http://x/y", tmp_path, max_redirect_hops=hops)  # type: ignore[arg-type]

    @pytest.mark.parametrize("timeout", [0, -2.0])
    def test_timeout_must_be_positive(self, tmp_path: Path, timeout: float) -> None:
        with pytest.raises(ValueError, match=f"`timeout` should be a positive number of seconds, got {timeout}"):
            download_url("http://x/y", tmp_path, timeout=timeout)

    def test_url_without_file_name_needs_filename(self, tmp_path: Path) -> None:
        with pytest.raises(ValueError, match=re.escape("`url` has no file name at the end of its path ('http://x/')")):
            download_url("http://x/", tmp_path)

    def test_malformed_mirror_is_reported_not_raised(self, local_server: LocalHTTPServer, tmp_path: Path) -> None:
        local_server.add("/data.bin", PAYLOAD)
        path = download_url("not a url/data.bin", tmp_path, mirrors=[local_server.url("/data.bin")])
        assert path.read_bytes() == PAYLOAD


def _tar_gz(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class TestDownloadAndExtractArchive:
    FILES = {"cifar/data_batch_1": b"first batch", "cifar/sub/readme.txt": b"hello"}  # noqa: RUF012

    def test_downloads_and_extracts_tar_gz(self, local_server: LocalHTTPServer, tmp_path: Path) -> None:
        archive = _tar_gz(self.FILES)
        local_server.add("/archive.tar.gz", archive)
        result = download_and_extract_archive(
            local_server.url("/archive.tar.gz"), tmp_path, md5=hashlib.md5(archive).hexdigest()
        )
        assert result == tmp_path
        for name, data in self.FILES.items():
            assert (tmp_path / name).read_bytes() == data
        assert _listing(tmp_path) == ["archive.tar.gz", "cifar"]

    def test_extract_root_mirrors_and_remove_finished(self, local_server: LocalHTTPServer, tmp_path: Path) -> None:
        local_server.add_status("/gone.tar.gz", 404)
        local_server.add("/mirror/archive.tar.gz", _tar_gz(self.FILES))
        result = download_and_extract_archive(
            local_server.url("/gone.tar.gz"),
            tmp_path / "downloads",
            extract_root=tmp_path / "extracted",
            filename="archive.tar.gz",
            remove_finished=True,
            mirrors=[local_server.url("/mirror/archive.tar.gz")],
        )
        assert result == tmp_path / "extracted"
        assert (result / "cifar" / "sub" / "readme.txt").read_bytes() == b"hello"
        assert _listing(tmp_path / "downloads") == []

    def test_bad_md5_extracts_nothing(self, local_server: LocalHTTPServer, tmp_path: Path) -> None:
        local_server.add("/archive.tar.gz", _tar_gz(self.FILES))
        with pytest.raises(DownloadError, match="md5 mismatch"):
            download_and_extract_archive(local_server.url("/archive.tar.gz"), tmp_path, md5="0" * 32)
        assert _listing(tmp_path) == []


class TestIntegrity:
    def test_calculate_md5_matches_known_digests(self, tmp_path: Path) -> None:
        (tmp_path / "hello").write_bytes(b"hello")
        (tmp_path / "empty").write_bytes(b"")
        assert calculate_md5(tmp_path / "hello") == "5d41402abc4b2a76b9719d911017c592"
        assert calculate_md5(tmp_path / "hello", chunk_size=2) == "5d41402abc4b2a76b9719d911017c592"
        assert calculate_md5(tmp_path / "empty") == "d41d8cd98f00b204e9800998ecf8427e"

    def test_check_md5(self, tmp_path: Path) -> None:
        (tmp_path / "hello").write_bytes(b"hello")
        assert check_md5(tmp_path / "hello", "5d41402abc4b2a76b9719d911017c592", chunk_size=3)
        assert not check_md5(tmp_path / "hello", "d41d8cd98f00b204e9800998ecf8427e")

    def test_check_integrity(self, tmp_path: Path) -> None:
        (tmp_path / "hello").write_bytes(b"hello")
        assert check_integrity(tmp_path / "hello")
        assert check_integrity(str(tmp_path / "hello"), "5d41402abc4b2a76b9719d911017c592")
        assert not check_integrity(tmp_path / "hello", "d41d8cd98f00b204e9800998ecf8427e")
        assert not check_integrity(tmp_path / "missing")
        assert not check_integrity(tmp_path, None)


class TestVerifyStrArg:
    def test_accepts_valid_values(self) -> None:
        assert verify_str_arg("train", "split", ("train", "test")) == "train"
        assert verify_str_arg("anything", "split") == "anything"
        assert verify_str_arg("test", "split", (v for v in ("train", "test"))) == "test"

    def test_unknown_value_lists_valid_values(self) -> None:
        with pytest.raises(
            ValueError, match=re.escape("Unknown value 'x' for argument split. Valid values are {'a', 'b'}.")
        ):
            verify_str_arg("x", "split", ["a", "b"])

    def test_unknown_value_from_a_generator_lists_all_values(self) -> None:
        with pytest.raises(ValueError, match=re.escape("Valid values are {'a', 'b'}.")):
            verify_str_arg("x", "split", (v for v in ("a", "b")))

    def test_custom_message(self) -> None:
        with pytest.raises(ValueError, match=r"^pick a or b$"):
            verify_str_arg("x", "split", ["a", "b"], custom_msg="pick a or b")

    def test_non_string_value(self) -> None:
        with pytest.raises(
            ValueError, match=re.escape("Expected type str for argument split, but got type <class 'int'>.")
        ):
            verify_str_arg(1, "split", ["a"])  # type: ignore[arg-type]
        with pytest.raises(ValueError, match=re.escape("Expected type str, but got type <class 'int'>.")):
            verify_str_arg(1)  # type: ignore[arg-type]

    def test_iterable_to_str(self) -> None:
        assert iterable_to_str(["a", "b"]) == "'a', 'b'"
        assert iterable_to_str((1, 2)) == "'1', '2'"
