"""The FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI

from api.deps import lifespan
from api.routes import candles, health
from api.settings import ApiSettings
from coinstream_common.settings import MongoSettings


def create_app(settings: ApiSettings | None = None, mongo: MongoSettings | None = None) -> FastAPI:
    app = FastAPI(
        title="coinstream API",
        version="0.1.0",
        summary="Latest prices, candle history and statistics from the coinstream pipeline.",
        lifespan=lifespan,
    )
    app.state.settings = settings or ApiSettings()
    app.state.mongo_settings = mongo or MongoSettings()
    app.include_router(health.router)
    app.include_router(candles.router)
    return app
