"""A TCP server that reads a request and answers with a connection reset (RST)."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def resetting_server() -> Iterator[str]:
    """Yield the base URL of a server on 127.0.0.1 that resets every connection."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(1)
                with contextlib.suppress(OSError):
                    connection.recv(65536)
                # Linger 0: close() sends RST instead of FIN.
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        listener.close()
