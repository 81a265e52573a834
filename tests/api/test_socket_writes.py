"""One socket write per loop step: a response's head and body leave together, and
nothing waits longer than the step that wrote it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator

import anyio
import httpx
import pytest
from fastapi import FastAPI, Response
from fastapi.responses import StreamingResponse

from api.socket_writes import CoalescingTransport
from tests.support.api_server import serve


class RecordingTransport(asyncio.Transport):
    """What reaches the socket: each write, and whether it was closed or aborted."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closing = False
        self.aborted = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        assert not self.closing, "a write after close"
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closing = True

    def abort(self) -> None:
        self.closing = self.aborted = True

    def is_closing(self) -> bool:
        return self.closing

    def get_write_buffer_size(self) -> int:
        return 0


async def next_step() -> None:
    await asyncio.sleep(0)


async def test_writes_of_one_step_leave_in_one_write_after_it() -> None:
    socket = RecordingTransport()
    transport = CoalescingTransport(socket, asyncio.get_running_loop())
    transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
    transport.writelines([b"{", bytearray(b"}")])
    assert socket.writes == []
    assert transport.get_write_buffer_size() == 21
    await next_step()
    assert socket.writes == [b"HTTP/1.1 200 OK\r\n\r\n{}"]
    transport.write(b"next")
    await next_step()
    assert socket.writes[1:] == [b"next"], "a later step's write is not held back"


async def test_close_sends_what_was_written_first() -> None:
    socket = RecordingTransport()
    transport = CoalescingTransport(socket, asyncio.get_running_loop())
    transport.write(b"last words")
    transport.close()
    assert (socket.writes, socket.closing) == ([b"last words"], True)
    await next_step()
    assert socket.writes == [b"last words"], "nothing written twice"


async def test_nothing_is_written_once_the_connection_is_aborted_or_closing() -> None:
    aborted, closed = RecordingTransport(), RecordingTransport()
    loop = asyncio.get_running_loop()
    first, second = CoalescingTransport(aborted, loop), CoalescingTransport(closed, loop)
    first.write(b"lost")
    first.abort()
    second.write(b"lost too")
    closed.close()  # the peer went away meanwhile
    await next_step()
    assert (aborted.writes, aborted.aborted, closed.writes) == ([], True, [])


def streaming_app(go_on: threading.Event) -> FastAPI:
    app = FastAPI()

    @app.get("/small")
    async def small() -> Response:
        return Response(b'{"price": 1.0}', media_type="application/json")

    @app.get("/large")
    async def large() -> Response:
        return Response(bytes(range(256)) * 8192, media_type="application/octet-stream")

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"first\n"
            # Only once the client has read the first: a held-back first chunk ends the
            # stream without the second.
            if await anyio.to_thread.run_sync(go_on.wait, 5):
                yield b"second\n"

        return StreamingResponse(chunks(), media_type="text/plain")

    return app


@pytest.fixture
def go_on() -> threading.Event:
    return threading.Event()


@pytest.fixture
def base_url(go_on: threading.Event) -> Iterator[str]:
    with serve(streaming_app(go_on)) as url:
        yield url


def test_answers_on_one_connection_arrive_whole(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        for _ in range(50):
            response = client.get("/small")
            assert (response.status_code, response.content) == (200, b'{"price": 1.0}')
        large = client.get("/large")
        assert large.content == bytes(range(256)) * 8192
        assert client.get("/small").json() == {"price": 1.0}, "the connection is still in step"


def test_a_stream_chunk_arrives_before_the_next_is_written(
    base_url: str, go_on: threading.Event
) -> None:
    with (
        httpx.Client(base_url=base_url, timeout=10) as client,
        client.stream("GET", "/stream") as response,
    ):
        lines = response.iter_lines()
        assert next(lines) == "first"
        go_on.set()
        assert list(lines) == ["second"]
