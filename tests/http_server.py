"""A small threaded HTTP server on 127.0.0.1 that tests fill with files, errors, redirects and broken transfers."""

from __future__ import annotations

import functools
import sys
import threading
import urllib.parse
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Responder = Callable[[BaseHTTPRequestHandler], None]


class _Handler(BaseHTTPRequestHandler):
    server: LocalHTTPServer

    def do_GET(self) -> None:
        self.server.respond(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


class LocalHTTPServer(ThreadingHTTPServer):
    """Serves what the test registers; every request is counted per path, served or not.

    Use it as a context manager (or call :meth:`start` and :meth:`stop`); the ``local_server`` fixture does that.
    """

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self._routes: dict[str, Responder] = {}
        self._hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        # A short poll interval keeps stop() (which waits for the next poll) from slowing every test down.
        self._thread = threading.Thread(
            target=functools.partial(self.serve_forever, poll_interval=0.02), name="local-http-server", daemon=True
        )

    # -- registering responses ---------------------------------------------------------------------------------------

    def add(self, path: str, data: bytes) -> None:
        """Serve ``data`` at ``path`` with status 200 and its Content-Length."""
        self._routes[_normalize(path)] = lambda handler: _send_body(handler, data, len(data))

    def add_truncated(self, path: str, data: bytes, cut_at: int) -> None:
        """Announce ``len(data)`` bytes at ``path`` but close the connection after sending ``data[:cut_at]``."""
        self._routes[_normalize(path)] = lambda handler: _send_body(handler, data[:cut_at], len(data))

    def add_status(self, path: str, status: int) -> None:
        """Answer ``path`` with an empty response with this HTTP status."""
        self._routes[_normalize(path)] = lambda handler: _send_status(handler, status)

    def add_redirect(self, path: str, target_path: str) -> None:
        """Answer ``path`` with a 302 whose Location is ``target_path`` (relative to this server)."""
        self._routes[_normalize(path)] = lambda handler: _send_redirect(handler, _normalize(target_path))

    # -- inspecting ---------------------------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        """Full URL of ``path`` on this server."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}{_normalize(path)}"

    def hits(self, path: str) -> int:
        """How many requests reached ``path`` so far."""
        with self._lock:
            return self._hits[_normalize(path)]

    # -- lifecycle ----------------------------------------------------------------------------------------------------

    def start(self) -> LocalHTTPServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join()

    def __enter__(self) -> LocalHTTPServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- serving ------------------------------------------------------------------------------------------------------

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        path = urllib.parse.urlsplit(handler.path).path
        with self._lock:
            self._hits[path] += 1
        self._routes.get(path, lambda handler: _send_status(handler, 404))(handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up early is part of what these tests do: print tracebacks only for other errors."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _normalize(path: str) -> str:
    return path if path.startswith("/") else f"/{path}"


def _send_body(handler: BaseHTTPRequestHandler, body: bytes, content_length: int) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/octet-stream")
    handler.send_header("Content-Length", str(content_length))
    handler.end_headers()
    handler.wfile.write(body)
    handler.close_connection = True


def _send_status(handler: BaseHTTPRequestHandler, status: int) -> None:
    handler.send_response(status)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def _send_redirect(handler: BaseHTTPRequestHandler, location: str) -> None:
    handler.send_response(302)
    handler.send_header("Location", location)
    handler.send_header("Content-Length", "0")
    handler.end_headers()
