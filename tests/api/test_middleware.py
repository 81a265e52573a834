"""Every request goes through FastAPI's routing and the app's middleware, repeats of one URL
of a cached read included: what the query cache saves is the database query, not the
framework's work, so a middleware (the metrics', CORS, one added later) sees them all."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pymongo.database import Database
from starlette.types import ASGIApp, Receive, Scope, Send

from coinstream_common.mongo import Document

pytestmark = pytest.mark.integration
ETH = {"source": "simulated", "symbol": "ETH-USD"}
CACHED_READS = [
    ("/v1/candles", {**ETH, "limit": "20"}),
    ("/v1/symbols", {}),
    ("/v1/prices/latest", ETH),
    ("/v1/stats", ETH),
]
REPEATS = 5


class RecordRoutes:
    """Notes the route template of each request it passes on, once routing has run."""

    def __init__(self, app: ASGIApp, seen: list[str]) -> None:
        self.app = app
        self.seen = seen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "http":
            self.seen.append(getattr(scope.get("route"), "path", "unmatched"))


def answered(client: TestClient, path: str) -> float:
    line = f'api_requests_total{{route="{path}",status="200"}} '
    metrics = client.get("/metrics").text.splitlines()
    return next((float(m.removeprefix(line)) for m in metrics if m.startswith(line)), 0.0)


@pytest.mark.parametrize(("path", "params"), CACHED_READS)
def test_a_middleware_sees_every_repeat_of_a_cached_read(
    make_app: Callable[..., FastAPI],
    seeded: Database[Document],
    path: str,
    params: dict[str, str],
) -> None:
    seen: list[str] = []
    app = make_app(seeded)
    app.add_middleware(RecordRoutes, seen=seen)
    with TestClient(app) as client:
        counted = answered(client, path)
        seen.clear()
        answers = [client.get(path, params=params) for _ in range(REPEATS)]
        assert [a.status_code for a in answers] == [200] * REPEATS
        assert seen == [path] * REPEATS, "each repeat was routed and passed the middleware"
        assert answered(client, path) == counted + REPEATS, "and counted in the metrics"
