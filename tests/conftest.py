"""Fixtures shared by the test suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.http_server import LocalHTTPServer


@pytest.fixture
def local_server() -> Iterator[LocalHTTPServer]:
    """A fresh :class:`LocalHTTPServer` on 127.0.0.1 for one test, stopped afterwards."""
    with LocalHTTPServer() as server:
        yield server
