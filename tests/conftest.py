"""Fixtures shared by the test suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from tests.http_server import LocalHTTPServer


@pytest.fixture
def local_server() -> Iterator[LocalHTTPServer]:
    """A fresh :class:`LocalHTTPServer` on 127.0.0.1 for one test, stopped afterwards."""
    with LocalHTTPServer() as server:
        yield server


@pytest.fixture
def one_thread() -> Iterator[None]:
    """Run torch on one thread for the test (model tests are heavy and CI has two cores), then restore it."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data folder, the only data root (downloads, uploads and torch's cache stay inside the test)."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("VISIONKIT_DATA_DIR", str(folder))
    monkeypatch.delenv("VISIONKIT_DATA_ROOTS", raising=False)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    return folder
