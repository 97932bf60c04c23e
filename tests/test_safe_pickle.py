"""load_pickle: CIFAR batches load in every format they come in; anything that could run code is refused unrun."""

from __future__ import annotations

import os
import pickle
import re
import struct
import subprocess
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from visionkit.datasets._safe_pickle import UnsafePickleError, load_pickle


def _cifar_batch(n: int = 4) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    return {
        "batch_label": "training batch 1 of 5",
        "labels": [int(x) for x in rng.integers(0, 10, n)],
        "data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
        "filenames": [f"image_{i}.png" for i in range(n)],
    }


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# Python 2 pickle opcodes, written out so the test holds the same bytes cPickle wrote for the official batches.
def _py2_str(value: bytes) -> bytes:
    if len(value) < 256:
        return b"U" + bytes([len(value)]) + value  # SHORT_BINSTRING
    return b"T" + struct.pack("<I", len(value)) + value  # BINSTRING


def _py2_int(value: int) -> bytes:
    return b"K" + bytes([value]) if value < 256 else b"M" + struct.pack("<H", value)  # BININT1 / BININT2


def _py2_uint8_array(array: np.ndarray) -> bytes:
    """``numpy.core.multiarray._reconstruct(ndarray, (0,), 'b')`` then ``__setstate__`` with the raw bytes."""
    rows, cols = array.shape
    dtype = (
        b"cnumpy\ndtype\n" + _py2_str(b"u1") + b"K\x00K\x01\x87R"  # dtype('u1', 0, 1)
        b"(K\x03" + _py2_str(b"|") + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"  # its __setstate__
    )
    return (
        b"cnumpy.core.multiarray\n_reconstruct\n"
        b"(cnumpy\nndarray\nK\x00\x85" + _py2_str(b"b") + b"tR"
        b"(K\x01" + _py2_int(rows) + _py2_int(cols) + b"\x86" + dtype + b"\x89" + _py2_str(array.tobytes()) + b"tb"
    )


def _py2_cifar_pickle(batch: dict[str, Any]) -> bytes:
    labels = b"".join(_py2_int(label) for label in batch["labels"])
    filenames = b"".join(_py2_str(name.encode("latin1")) for name in batch["filenames"])
    return (
        b"\x80\x02}("
        + (_py2_str(b"batch_label") + _py2_str(batch["batch_label"].encode("latin1")))
        + (_py2_str(b"labels") + b"](" + labels + b"e")
        + (_py2_str(b"data") + _py2_uint8_array(batch["data"]))
        + (_py2_str(b"filenames") + b"](" + filenames + b"e")
        + b"u."
    )


def _assert_same_batch(loaded: dict[str, Any], expected: dict[str, Any]) -> None:
    assert loaded.keys() == expected.keys()
    assert loaded["batch_label"] == expected["batch_label"]
    assert loaded["labels"] == expected["labels"]
    assert loaded["filenames"] == expected["filenames"]
    assert loaded["data"].dtype == np.uint8
    assert loaded["data"].shape == expected["data"].shape
    np.testing.assert_array_equal(loaded["data"], expected["data"])


class TestLoadPickleCifarBatches:
    @pytest.mark.parametrize("protocol", [2, 3, 4, 5])
    def test_python3_pickles_load_back_equal(self, tmp_path: Path, protocol: int) -> None:
        batch = _cifar_batch()
        path = _write(tmp_path / "data_batch_1", pickle.dumps(batch, protocol=protocol))
        _assert_same_batch(load_pickle(path), batch)

    def test_python2_batch_loads_with_latin1_strings(self, tmp_path: Path) -> None:
        batch = _cifar_batch()
        path = _write(tmp_path / "data_batch_1", _py2_cifar_pickle(batch))
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # numpy.core is deprecated on numpy 2: resolving it must not warn
            loaded = load_pickle(str(path))
        _assert_same_batch(loaded, batch)

    def test_python2_batch_keeps_non_ascii_bytes_as_latin1(self, tmp_path: Path) -> None:
        batch = {**_cifar_batch(1), "batch_label": "caf\xe9"}
        path = _write(tmp_path / "data_batch_1", _py2_cifar_pickle(batch))
        assert load_pickle(path)["batch_label"] == "caf\xe9"

    def test_fortran_ordered_array(self, tmp_path: Path) -> None:
        data = np.asfortranarray(np.arange(12, dtype=np.uint8).reshape(3, 4))
        path = _write(tmp_path / "batch", pickle.dumps({"data": data}, protocol=5))
        np.testing.assert_array_equal(load_pickle(path)["data"], data)


class _Exploit:
    """Pickles as a call to ``func(*args)``, the way a malicious file would."""

    def __init__(self, func: Any, *args: Any) -> None:
        self.func = func
        self.args = args

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return self.func, self.args


def _exploits(marker: Path) -> dict[str, Any]:
    touch = f"open({str(marker)!r}, 'w').close()"
    return {
        "os.system": _Exploit(os.system, f"touch {marker}"),
        "subprocess.call": _Exploit(subprocess.call, ["touch", str(marker)]),
        "subprocess.Popen": _Exploit(subprocess.Popen, ["touch", str(marker)]),
        "builtins.eval": _Exploit(eval, touch),
        "builtins.exec": _Exploit(exec, touch),
    }


EXPLOITS = ["os.system", "subprocess.call", "subprocess.Popen", "builtins.eval", "builtins.exec"]


class TestLoadPickleRefusesCode:
    @pytest.mark.parametrize("exploit", EXPLOITS)
    @pytest.mark.parametrize("protocol", [0, 2, 4, 5])
    def test_exploit_refused_and_never_runs(self, tmp_path: Path, exploit: str, protocol: int) -> None:
        marker = tmp_path / "pwned"
        payload = _exploits(marker)[exploit]
        path = _write(tmp_path / "data_batch_1", pickle.dumps(payload, protocol=protocol))
        # The module named depends on the platform and protocol: posix.system, __builtin__.eval, commands.call...
        refused = rf"it asks for [\w.]+\.{payload.func.__name__}, which a CIFAR batch never contains"
        with pytest.raises(UnsafePickleError, match=refused):
            load_pickle(path)
        assert not marker.exists()

    def test_exploit_hidden_after_real_data_refused(self, tmp_path: Path) -> None:
        marker = tmp_path / "pwned"
        batch = {**_cifar_batch(), "filenames": _exploits(marker)["os.system"]}
        path = _write(tmp_path / "data_batch_1", pickle.dumps(batch, protocol=2))
        with pytest.raises(UnsafePickleError, match="refused to load"):
            load_pickle(path)
        assert not marker.exists()

    def test_message_names_file_and_global(self, tmp_path: Path) -> None:
        marker = tmp_path / "pwned"
        # A hand-written protocol 0 pickle naming os.system directly: GLOBAL, MARK, STRING, TUPLE, REDUCE, STOP.
        path = _write(tmp_path / "data_batch_1", b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR.")
        expected = (
            f"refused to load '{path}': it asks for os.system, which a CIFAR batch never contains; "
            "the file may be corrupted or malicious"
        )
        with pytest.raises(UnsafePickleError) as excinfo:
            load_pickle(path)
        assert str(excinfo.value) == expected
        assert not marker.exists()

    def test_harmless_but_unexpected_global_refused(self, tmp_path: Path) -> None:
        path = _write(tmp_path / "batch", pickle.dumps({"labels": [np.int64(3)]}, protocol=4))
        with pytest.raises(UnsafePickleError, match=r"asks for numpy\._core\.multiarray\.scalar"):
            load_pickle(path)

    def test_refusal_is_an_unpickling_error(self) -> None:
        assert issubclass(UnsafePickleError, pickle.UnpicklingError)


class TestLoadPickleMalformedFiles:
    @pytest.mark.parametrize(
        "data", [b"this is not a pickle at all", b"", b"\x80\x05garbage"], ids=["text", "empty", "bad opcodes"]
    )
    def test_garbage_gives_clear_error(self, tmp_path: Path, data: bytes) -> None:
        path = _write(tmp_path / "data_batch_1", data)
        with pytest.raises(
            ValueError, match=rf"could not load '{re.escape(str(path))}': it is not a valid pickle file .*download it"
        ):
            load_pickle(path)

    @pytest.mark.parametrize("protocol", [2, 5])
    def test_truncated_batch_gives_clear_error(self, tmp_path: Path, protocol: int) -> None:
        data = pickle.dumps(_cifar_batch(), protocol=protocol)
        path = _write(tmp_path / "data_batch_1", data[: len(data) // 2])
        with pytest.raises(
            UnsafePickleError, match=r"it is not a valid pickle file \(.*\); it may be truncated or corrupted"
        ):
            load_pickle(path)

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(FileNotFoundError):
            load_pickle(tmp_path / "missing")


class _Declares:
    """Pickles as a call of ``function(*args)``: how a few bytes can ask for a huge allocation."""

    def __init__(self, function: Any, args: tuple[Any, ...]) -> None:
        self.function, self.args = function, args

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return self.function, self.args


class TestArraysBoundByTheFileSize:
    @pytest.mark.parametrize(
        "declared",
        [
            _Declares(np.ndarray(0).__reduce__()[0], (np.ndarray, (2_150_000_000,), b"b")),
            _Declares(np.ndarray, ((50_000, 50_000), "u1")),
            {"data": [_Declares(np.ndarray(0).__reduce__()[0], (np.ndarray, (3_000,), b"b")) for _ in range(2)]},
        ],
        ids=["reconstruct-2GB", "ndarray-2.5GB", "many-arrays-beyond-the-file"],
    )
    def test_an_array_larger_than_the_file_is_refused_unallocated(self, tmp_path: Path, declared: Any) -> None:
        path = _write(tmp_path / "data_batch_1", pickle.dumps(declared, protocol=2))
        assert path.stat().st_size < 400
        with pytest.raises(UnsafePickleError, match=r"declares an array of [\d,]+ bytes, more than the file"):
            load_pickle(path)

    def test_real_batches_are_within_their_own_size(self, tmp_path: Path) -> None:
        batch = _cifar_batch(64)
        path = _write(tmp_path / "data_batch_1", pickle.dumps(batch, protocol=2))
        _assert_same_batch(load_pickle(path), batch)
