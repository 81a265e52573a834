"""A TCP proxy on 127.0.0.1 that can stop passing bytes on: a server that hangs mid-query.

While stalled, connections stay open and what either side sends is held back, as when a
server stops answering without closing anything; `resume` lets it all through again.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator


class StallingProxy:
    def __init__(self, upstream: tuple[str, int]) -> None:
        self._upstream = upstream
        self._flowing = threading.Event()
        self._flowing.set()
        self._closed = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port: int = self._listener.getsockname()[1]

    def stall(self) -> None:
        self._flowing.clear()

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
                for source, target in ((client, server), (server, client)):
                    threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def close(self) -> None:
        self._closed.set()
        self._flowing.set()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        with contextlib.suppress(OSError), source, target:
            while chunk := source.recv(65536):
                while not self._flowing.wait(0.1):
                    if self._closed.is_set():
                        return
                target.sendall(chunk)


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
