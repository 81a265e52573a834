"""HTTP handlers that answer only after the test's client has given up waiting."""

from __future__ import annotations

import threading
from collections.abc import Callable

from werkzeug import Request, Response

# The producer tests' client waits this long for an answer: wide enough that a loaded machine
# never makes a loopback answer late. A late answer never comes before the test ends, so the
# timeout needs no margin on that side.
CLIENT_TIMEOUT_S = 2.0
HANG_LIMIT_S = 60.0  # only if a test forgets to release


class LateAnswers:
    """Hands out handlers that hang until `release`, which waits for them to finish answering,
    so that a late answer never lands in the next test's server log."""

    def __init__(self) -> None:
        self._released = threading.Event()
        self._threads: list[threading.Thread] = []

    def handler(self, body: str) -> Callable[[Request], Response]:
        def answer(_request: Request) -> Response:
            self._threads.append(threading.current_thread())
            self._released.wait(HANG_LIMIT_S)
            return Response(body, content_type="application/json")

        return answer

    def release(self) -> None:
        self._released.set()
        for thread in self._threads:
            thread.join(HANG_LIMIT_S)
