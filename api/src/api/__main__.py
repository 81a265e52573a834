"""Run the API: `python -m api`."""

from __future__ import annotations

from api.main import create_app
from api.server import BoundedServer, server_config
from api.settings import ApiSettings
from coinstream_common.logs import configure_logging
from coinstream_common.settings import LogSettings


def main() -> None:
    configure_logging(LogSettings().level)
    settings = ApiSettings()
    BoundedServer(server_config(create_app(settings), settings.host, settings.port)).run()


if __name__ == "__main__":
    main()
