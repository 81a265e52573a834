"""Fixtures for the API (and the dashboard over it) on the real Mongo server: one seeded
database per test, a TestClient and, where a real socket matters, uvicorn on a free
loopback port. Imported by tests/api/conftest.py and tests/dashboard/conftest.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pymongo.database import Database

from api.main import create_app
from api.settings import ApiSettings, StreamSettings
from coinstream_common.candles import Candle
from coinstream_common.intervals import Interval
from coinstream_common.mongo import Document
from coinstream_common.settings import MongoSettings
from tests.support.api_server import serve
from tests.support.candles import candle_series
from tests.support.seed import insert_candles, recent_series
from tests.support.ticks import T0

# simulated BTC-USD: 30 historic 1m candles from T0 (closes 100..129) and 3 hourly ones;
# simulated ETH-USD: 90 1m candles up to now (closes 3000..3089);
# coingecko BTC-USD: 5 historic 5m candles (its finest interval).
HISTORY_1M = 30
RECENT_1M = 90


@pytest.fixture
def recent_eth() -> list[Candle]:
    return recent_series(RECENT_1M, symbol="ETH-USD", base_price=3000.0)


@pytest.fixture
def seeded(
    new_database: Callable[[], Database[Document]], recent_eth: list[Candle]
) -> Database[Document]:
    db = new_database()
    insert_candles(
        db,
        [
            *candle_series(T0, HISTORY_1M),
            *candle_series(T0, 3, interval=Interval.H1),
            *recent_eth,
            *candle_series(T0, 5, interval=Interval.M5, source="coingecko"),
        ],
    )
    return db


@pytest.fixture
def make_app(mongo_uri: str) -> Callable[..., FastAPI]:
    def make(db: Database[Document], **overrides: object) -> FastAPI:
        settings = ApiSettings.model_validate(
            {"default_limit": 10, "max_limit": 20, "cors_origins": "http://allowed.test"}
            | overrides
        )
        stream = StreamSettings(poll_s=0.1, heartbeat_s=0.5)
        return create_app(settings, MongoSettings(uri=mongo_uri, database=db.name), stream)

    return make


@pytest.fixture
def client(make_app: Callable[..., FastAPI], seeded: Database[Document]) -> Iterator[TestClient]:
    with TestClient(make_app(seeded)) as test_client:
        yield test_client


@pytest.fixture
def live_url(make_app: Callable[..., FastAPI], seeded: Database[Document]) -> Iterator[str]:
    with serve(make_app(seeded)) as url:
        yield url
