"""Run the API: `python -m api`."""

from __future__ import annotations

import uvicorn

from api.main import create_app
from api.settings import ApiSettings
from coinstream_common.logs import configure_logging
from coinstream_common.settings import LogSettings


def main() -> None:
    configure_logging(LogSettings().level)
    settings = ApiSettings()
    # httptools parses HTTP in C (h11 is pure Python); the plain asyncio loop is chosen over
    # uvloop on purpose: under 50 clients uvloop starved some connections for hundreds of
    # milliseconds (benchmarks/bench_api.py), while asyncio's tail stayed steady.
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        loop="asyncio",
        http="httptools",
    )


if __name__ == "__main__":
    main()
