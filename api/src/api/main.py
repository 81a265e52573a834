"""The FastAPI application."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from pymongo.errors import PyMongoError

from api.deps import lifespan
from api.docs_pages import serve_docs_pages
from api.metrics import MetricsMiddleware
from api.openapi import document_settings
from api.routes import alerts, candles, health, metrics, prices, stats, stream, symbols
from api.settings import ApiSettings, StreamSettings
from coinstream_common.settings import MongoSettings

log = logging.getLogger(__name__)
# Starlette tries routes in order; the busiest one goes first.
ROUTERS = (candles, health, metrics, symbols, prices, stats, stream, alerts)


async def database_unavailable(request: Request, error: Exception) -> JSONResponse:
    log.warning("database error", exc_info=error, extra={"path": request.url.path})
    return JSONResponse({"detail": "the database is unavailable"}, status_code=503)


def create_app(
    settings: ApiSettings | None = None,
    mongo: MongoSettings | None = None,
    stream_settings: StreamSettings | None = None,
) -> FastAPI:
    settings = settings or ApiSettings()
    app = FastAPI(
        title="coinstream API",
        version="0.2.0",
        summary="Latest prices, candle history, statistics and live updates from coinstream.",
        lifespan=lifespan,
        # The API's metrics are Prometheus' (metrics.py) and it sets up no OpenTelemetry
        # provider; with FastAPI's own tracing and metrics on, every request would look the
        # global providers up only to find none.
        telemetry={"tracing": False, "metrics": False},
        docs_url=None,
        redoc_url=None,
    )
    serve_docs_pages(app)
    app.state.settings = settings
    app.state.mongo_settings = mongo or MongoSettings()
    app.state.stream_settings = stream_settings or StreamSettings()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origin_list,
        allow_methods=["GET"],
        # A page's script may revalidate a cached read itself (If-None-Match, ETag).
        allow_headers=["Last-Event-ID", "If-None-Match"],
        expose_headers=["ETag"],
    )
    app.add_middleware(MetricsMiddleware, streaming_paths=frozenset({"/v1/stream"}))
    app.add_exception_handler(PyMongoError, database_unavailable)
    for module in ROUTERS:
        app.include_router(module.router)
    document_settings(app.openapi(), settings)
    return app
