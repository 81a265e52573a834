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
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


if __name__ == "__main__":
    main()
