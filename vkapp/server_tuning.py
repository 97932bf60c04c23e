"""Server-side tuning that ``app.py`` applies once per server process.

Streamlit's server binds its listening socket as ``socket.socket(family)``, whose ``proto`` is 0, and asyncio
turns Nagle's algorithm off (``TCP_NODELAY``) only on sockets whose ``proto`` is ``IPPROTO_TCP``. With Nagle on,
every message of a rerun after the first waits for the browser's delayed acknowledgement, so each interaction
arrives about 40 ms late on Linux, however fast the script ran. :func:`send_without_delay` turns it off on the
server's open TCP sockets (the listening one hands the setting down to the connections it accepts, on Linux) and
makes asyncio turn it off on every TCP connection made from then on.
"""

from __future__ import annotations

import os
import socket
from asyncio import base_events

__all__ = ["send_without_delay"]

_done = False


def send_without_delay() -> None:
    """Turn Nagle's algorithm off on this process's TCP sockets, now and for new connections (once per process)."""
    global _done
    if _done:
        return
    _done = True
    base_events._set_nodelay = _set_nodelay  # asyncio's transports look it up each time they wrap a socket
    for fd in _open_descriptors():
        try:
            # A duplicate of the descriptor (closing it leaves the original open); the family given here is only a
            # placeholder, so the socket's real domain and type are read back from the kernel.
            with socket.fromfd(fd, socket.AF_INET, socket.SOCK_STREAM) as duplicate:
                domain = duplicate.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN)
                kind = duplicate.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)
                if domain in (socket.AF_INET, socket.AF_INET6) and kind == socket.SOCK_STREAM:
                    duplicate.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # not a socket
            continue


def _set_nodelay(sock: socket.socket) -> None:
    """asyncio's own check, also for ``proto`` 0 (the family's default protocol: TCP for a stream socket)."""
    tcp = sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM
    if tcp and sock.proto in (0, socket.IPPROTO_TCP):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _open_descriptors() -> list[int]:
    """This process's open file descriptors where ``/proc`` lists them (Linux), else none: the sockets open now
    then keep Nagle's algorithm, and connections made from now on are still covered."""
    if not hasattr(socket, "SO_DOMAIN"):
        return []
    try:
        return [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return []
