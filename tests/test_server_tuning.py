"""The app server sends each message at once: Nagle's algorithm is off on its TCP connections."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# A server bound the way Streamlit binds it (``socket.socket(family)``, so ``proto`` 0), one connection accepted
# before the tuning and one after; prints TCP_NODELAY of each accepted socket.
SCRIPT = textwrap.dedent(
    """
    import asyncio, socket, sys
    sys.path.insert(0, sys.argv[1])
    from vkapp import server_tuning

    async def main():
        listener = socket.socket(family=socket.AF_INET)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        accepted = asyncio.Queue()
        server = await asyncio.start_server(lambda r, w: accepted.put_nowait(w), sock=listener)
        port = listener.getsockname()[1]
        states = []
        for tune in (True, False):
            await asyncio.open_connection("127.0.0.1", port)
            writer = await accepted.get()
            if tune:
                server_tuning.send_without_delay()
            states.append(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        print(*(int(bool(s)) for s in states))
        server.close()

    asyncio.run(main())
    """
)


class TestSendWithoutDelay:
    def test_open_and_new_connections_of_a_proto_0_listener_send_without_delay(self) -> None:
        result = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(REPO)], capture_output=True, text=True, timeout=60, check=True
        )
        assert result.stdout.split() == ["1", "1"], result.stderr

    def test_no_descriptor_is_left_behind(self) -> None:
        """A duplicate left open would keep, e.g., a child process's stdin pipe from ever reaching end of file."""
        script = (
            f"import os, socket, sys; sys.path.insert(0, {str(REPO)!r}); from vkapp import server_tuning\n"
            "r, w = os.pipe(); s = socket.socket(); before = sorted(os.listdir('/proc/self/fd'))\n"
            "server_tuning.send_without_delay(); print(sorted(os.listdir('/proc/self/fd')) == before)"
        )
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
        assert result.stdout.strip() == "True", result.stderr
