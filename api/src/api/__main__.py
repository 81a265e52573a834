"""Run the API: `python -m api`."""

from __future__ import annotations

from types import FrameType

import uvicorn

from api.main import create_app
from api.settings import ApiSettings
from coinstream_common.logs import configure_logging
from coinstream_common.settings import LogSettings
from coinstream_common.shutdown import exit_after_grace

# Open streams never end by themselves: past this, a stop cancels them rather than wait.
GRACEFUL_SHUTDOWN_S = 3


class BoundedServer(uvicorn.Server):
    """uvicorn whose stop cannot hang: closing the Mongo client, or a request's read, may
    wait on a stalled database up to the query timeout (coinstream_common.shutdown)."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if not self.should_exit:
            exit_after_grace()
        super().handle_exit(sig, frame)


def main() -> None:
    configure_logging(LogSettings().level)
    settings = ApiSettings()
    # httptools parses HTTP in C (h11 is pure Python); the plain asyncio loop is chosen over
    # uvloop on purpose: under 50 clients uvloop starved some connections for hundreds of
    # milliseconds (benchmarks/bench_api.py), while asyncio's tail stayed steady.
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        loop="asyncio",
        http="httptools",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )
    BoundedServer(config).run()


if __name__ == "__main__":
    main()
