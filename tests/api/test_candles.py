"""The API against the real Mongo server, with seeded candles."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pymongo.database import Database

from api.main import create_app
from api.settings import ApiSettings
from coinstream_common.intervals import Interval
from coinstream_common.mongo import CandleRepository, Document
from coinstream_common.settings import MongoSettings
from consumer.accumulator import to_datetime
from tests.support.candles import candle_series
from tests.support.ticks import T0

pytestmark = pytest.mark.integration
MINUTE = 60_000


def iso(epoch_ms: int) -> str:
    return to_datetime(epoch_ms).isoformat()


@pytest.fixture
def seeded(new_database: Callable[[], Database[Document]]) -> Database[Document]:
    db = new_database()
    repository = CandleRepository(db)
    repository.ensure_indexes()
    repository.upsert_many(candle_series(T0, 30))
    repository.upsert_many(candle_series(T0, 3, interval=Interval.H1))
    repository.upsert_many(candle_series(T0, 5, symbol="ETH-USD", base_price=3000.0))
    return db


@pytest.fixture
def client(mongo_uri: str, seeded: Database[Document]) -> Iterator[TestClient]:
    app = create_app(
        ApiSettings(default_limit=10, max_limit=20),
        MongoSettings(uri=mongo_uri, database=seeded.name),
    )
    with TestClient(app) as test_client:
        yield test_client


def get_candles(client: TestClient, **params: object) -> dict[str, Any]:
    query = {"source": "simulated", "symbol": "BTC-USD", **params}
    response = client.get("/v1/candles", params=query)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_health(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}


def test_candles_in_a_range_oldest_first(client: TestClient) -> None:
    body = get_candles(client, start=iso(T0 + 5 * MINUTE), end=iso(T0 + 8 * MINUTE))
    rows = body["candles"]
    assert [row["start"] for row in rows] == [
        "2024-03-25T08:05:00Z",
        "2024-03-25T08:06:00Z",
        "2024-03-25T08:07:00Z",
    ]
    assert [row["close"] for row in rows] == [105.0, 106.0, 107.0]
    assert rows[0] == {
        "start": "2024-03-25T08:05:00Z",
        "end": "2024-03-25T08:06:00Z",
        "open": 100.0,
        "high": 105.0,
        "low": 100.0,
        "close": 105.0,
        "mean": 102.5,
        "volume": 2.0,
        "vwap": 102.5,
        "count": 2,
        "trade_count": 2,
        "final": True,
    }


def test_internal_fields_stay_hidden(client: TestClient) -> None:
    row = get_candles(client, start=iso(T0), end=iso(T0 + MINUTE))["candles"][0]
    assert not {"sum_price", "notional", "open_event_id", "close_event_id", "_id"} & set(row)


def test_interval_symbol_and_limit_select_rows(client: TestClient) -> None:
    hourly = get_candles(client, interval="1h", start=iso(T0), end=iso(T0 + 180 * MINUTE))
    assert len(hourly["candles"]) == 3
    eth = get_candles(client, symbol="ETH-USD", start=iso(T0), end=iso(T0 + 60 * MINUTE))
    assert len(eth["candles"]) == 5
    limited = get_candles(client, start=iso(T0), end=iso(T0 + 60 * MINUTE))
    assert len(limited["candles"]) == 10  # the server's default limit


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"symbol": "btc-usd"}, "symbol"),
        ({"symbol": "BTC-USD'; drop"}, "symbol"),
        ({"source": "Sim Ulated"}, "source"),
        ({"interval": "2m"}, "interval"),
        ({"start": "2024-03-25T08:00:00"}, "timezone"),
        ({"start": "yesterday"}, "start"),
        (
            {"start": "2024-03-25T09:00:00Z", "end": "2024-03-25T08:00:00Z"},
            "start must be before end",
        ),
        ({"limit": 0}, "limit"),
        ({"limit": 21}, "at most 20"),
    ],
)
def test_bad_parameters_get_a_422_that_says_why(
    client: TestClient, params: dict[str, object], needle: str
) -> None:
    query = {"source": "simulated", "symbol": "BTC-USD", **params}
    response = client.get("/v1/candles", params=query)
    assert response.status_code == 422
    assert needle in response.text


def test_missing_parameters_get_a_422(client: TestClient) -> None:
    assert client.get("/v1/candles").status_code == 422


def test_openapi_docs_are_served(client: TestClient) -> None:
    assert "/v1/candles" in client.get("/openapi.json").json()["paths"]
    assert client.get("/docs").status_code == 200
