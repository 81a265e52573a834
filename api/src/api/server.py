"""How uvicorn serves the API: its settings, and a stop that cannot hang."""

from __future__ import annotations

from types import FrameType

import uvicorn
from fastapi import FastAPI

from coinstream_common.shutdown import exit_after_grace

# Open streams never end by themselves: past this, a stop cancels them rather than wait.
GRACEFUL_SHUTDOWN_S = 3


def server_config(app: FastAPI, host: str, port: int) -> uvicorn.Config:
    # httptools parses HTTP in C (h11 is pure Python). The plain asyncio loop is chosen over
    # uvloop on purpose: under 50 clients uvloop starved some connections for hundreds of
    # milliseconds (benchmarks/bench_api.py), while asyncio's tail stayed steady.
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        loop="asyncio",
        http="httptools",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )


class BoundedServer(uvicorn.Server):
    """uvicorn whose stop cannot hang: closing the Mongo client, or a request's read, may
    wait on a stalled database up to the query timeout (coinstream_common.shutdown)."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if not self.should_exit:
            exit_after_grace()
        super().handle_exit(sig, frame)
