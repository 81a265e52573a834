"""Run the API: `python -m api`."""

from __future__ import annotations

import gc

from api.main import create_app
from api.server import BoundedServer, server_config
from api.settings import ApiSettings
from coinstream_common.logs import configure_logging
from coinstream_common.settings import LogSettings


def main() -> None:
    configure_logging(LogSettings().level)
    settings = ApiSettings()
    app = create_app(settings)
    # The modules, the app and its routes live as long as the process. Frozen, they are
    # left out of every full garbage collection, which would otherwise walk all of them
    # while each request in flight waits.
    gc.freeze()
    BoundedServer(server_config(app, settings.host, settings.port)).run()


if __name__ == "__main__":
    main()
