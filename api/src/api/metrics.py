"""Prometheus metrics of the API, and the ASGI middleware that counts requests."""

from __future__ import annotations

import time
from functools import lru_cache

from prometheus_client import Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter("api_requests", "HTTP requests answered", ["route", "status"])
REQUEST_SECONDS = Histogram(
    "api_request_seconds",
    "Time to answer a request (streams excluded)",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
STREAM_CLIENTS = Gauge("api_stream_clients", "Clients connected to /v1/stream")
STREAM_POLLS = Counter("api_stream_polls", "Polls of Mongo by the stream poller", ["outcome"])
CACHE_LOOKUPS = Counter("api_cache_lookups", "Query cache lookups", ["result"])
# `labels()` checks the values and takes a lock on each call: every request counts with
# children looked up once. The labels are bounded (route templates, statuses, results).
CACHE_RESULTS = {
    result: CACHE_LOOKUPS.labels(result) for result in ("hit", "stale", "miss", "shared")
}


@lru_cache(maxsize=512)
def _answered(route: str, status: int) -> Counter:
    return REQUESTS.labels(route, str(status))


@lru_cache(maxsize=64)
def _timed(route: str) -> Histogram:
    return REQUEST_SECONDS.labels(route)


class MetricsMiddleware:
    """Counts every request by route template (not raw path, to keep labels bounded)."""

    def __init__(self, app: ASGIApp, streaming_paths: frozenset[str]) -> None:
        self.app = app
        self.streaming_paths = streaming_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            _answered(route, status).inc()
            if route not in self.streaming_paths:  # a stream's length says nothing
                _timed(route).observe(time.perf_counter() - started)
