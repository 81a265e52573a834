"""Serve an app with uvicorn on a free loopback port, in a thread, for real-socket tests,
with the settings `python -m api` serves it with."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from api.server import server_config
from devstack.net import LOOPBACK, free_port
from tests.support.waiting import wait_until


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """The base URL of `app`, served until the block ends."""
    port = free_port()
    server = uvicorn.Server(server_config(app, LOOPBACK, port))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    try:
        wait_until(
            lambda: server.started or not thread.is_alive(), what="uvicorn to start", timeout_s=30
        )
        assert server.started, "uvicorn did not start"
        yield f"http://{LOOPBACK}:{port}"
    finally:
        server.should_exit = True
        thread.join(15)
    assert not thread.is_alive(), "uvicorn did not stop"
