"""One way to expose metrics: Prometheus, served over HTTP by each worker."""

from __future__ import annotations

import prometheus_client

from coinstream_common.settings import MetricsSettings


def serve_metrics(settings: MetricsSettings) -> None:
    """Serve the default registry on a daemon thread."""
    prometheus_client.start_http_server(settings.port, addr=settings.host)
