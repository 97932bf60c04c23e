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
import stat
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
        _set_nodelay_on_descriptor(fd)


def _set_nodelay_on_descriptor(fd: int) -> None:
    """Turn Nagle's algorithm off on ``fd`` if it is a TCP socket, through a duplicate that is always closed (a
    leaked duplicate would keep the other end of a pipe from ever seeing it closed)."""
    try:
        if not stat.S_ISSOCK(os.fstat(fd).st_mode):
            return
        duplicate = os.dup(fd)
    except OSError:  # closed meanwhile
        return
    try:
        sock = socket.socket(fileno=duplicate)  # reads its family, type and protocol back from the kernel
    except OSError:
        os.close(duplicate)
        return
    with sock:  # closes the duplicate only
        _set_nodelay(sock)


def _set_nodelay(sock: socket.socket) -> None:
    """asyncio's own check, also for ``proto`` 0 (the family's default protocol: TCP for a stream socket)."""
    tcp = sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM
    if tcp and sock.proto in (0, socket.IPPROTO_TCP):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _open_descriptors() -> list[int]:
    """This process's open file descriptors where ``/proc`` lists them (Linux), else none: the sockets open now
    then keep Nagle's algorithm, and connections made from now on are still covered."""
    try:
        return [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return []
