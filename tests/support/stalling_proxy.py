"""A TCP proxy on 127.0.0.1 that can stop passing bytes on: a server that hangs mid-query.

While stalled, connections stay open and what either side sends is held back, as when a
server stops answering without closing anything; `resume` lets it all through again.
`held_commands` names the MongoDB commands that clients sent into the stall.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

OP_MSG = 2013  # the wire protocol's opcode of a command (MongoDB 3.6 on)
BODY_SECTION = 0


class StallingProxy:
    def __init__(self, upstream: tuple[str, int]) -> None:
        self._upstream = upstream
        self._flowing = threading.Event()
        self._flowing.set()
        self._held: list[str] = []
        self._closed = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port: int = self._listener.getsockname()[1]

    def stall(self) -> None:
        self._held = []
        self._flowing.clear()

    def held_commands(self) -> list[str]:
        """The commands clients have sent since the stall began, held back by it."""
        return list(self._held)

    def resume(self) -> None:
        self._flowing.set()

    def serve(self) -> None:
        with self._listener:
            while not self._closed.is_set():
                try:
                    client, _ = self._listener.accept()
                except TimeoutError:
                    continue
                server = socket.create_connection(self._upstream)
                for source, target, from_client in (
                    (client, server, True),
                    (server, client, False),
                ):
                    threading.Thread(
                        target=self._pump, args=(source, target, from_client), daemon=True
                    ).start()

    def close(self) -> None:
        self._closed.set()
        self._flowing.set()

    def _pump(self, source: socket.socket, target: socket.socket, from_client: bool) -> None:
        with contextlib.suppress(OSError), source, target:
            while chunk := source.recv(65536):
                if from_client and not self._flowing.is_set():
                    self._held.extend(filter(None, [command_name(chunk)]))
                while not self._flowing.wait(0.1):
                    if self._closed.is_set():
                        return
                target.sendall(chunk)


def command_name(chunk: bytes) -> str | None:
    """The command of the OP_MSG that `chunk` begins with, if it begins one: the first key
    of its body, after the 16-byte header, the flag bits, the section's kind, and the
    document's length and first element's type."""
    if len(chunk) < 27 or int.from_bytes(chunk[12:16], "little") != OP_MSG:
        return None
    if chunk[20] != BODY_SECTION:
        return None
    end = chunk.find(b"\0", 26)
    return chunk[26:end].decode("ascii", errors="replace") if end > 26 else None


@contextlib.contextmanager
def stalling_proxy(upstream: tuple[str, int]) -> Iterator[StallingProxy]:
    proxy = StallingProxy(upstream)
    thread = threading.Thread(target=proxy.serve, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.close()
        thread.join(5)
