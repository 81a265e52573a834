"""/v1/candles against the real Mongo server, with seeded candles."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coinstream_common.epoch import to_datetime
from tests.support.api_fixtures import HISTORY_1M
from tests.support.candle_docs import delete_stored, edit_stored
from tests.support.ticks import T0

pytestmark = pytest.mark.integration
MINUTE = 60_000


def iso(epoch_ms: int) -> str:
    return to_datetime(epoch_ms).isoformat()


def get_candles(client: TestClient, **params: object) -> dict[str, Any]:
    query = {"source": "simulated", "symbol": "BTC-USD", **params}
    response = client.get("/v1/candles", params=query)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_candles_in_a_range_oldest_first(client: TestClient) -> None:
    body = get_candles(client, start=iso(T0 + 5 * MINUTE), end=iso(T0 + 8 * MINUTE))
    assert (body["source"], body["symbol"], body["interval"]) == ("simulated", "BTC-USD", "1m")
    assert (body["start"], body["end"]) == ("2024-03-25T08:05:00Z", "2024-03-25T08:08:00Z")
    assert body["next_cursor"] is None
    rows = body["candles"]
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
        "first_event_time": "2024-03-25T08:05:00.001000Z",
        "last_event_time": "2024-03-25T08:05:00.002000Z",
    }


def test_internal_and_unknown_fields_stay_hidden(client: TestClient, seeded: Any) -> None:
    edit_stored(seeded, lambda candle: candle.update(kafka_offset=7))
    row = get_candles(client, start=iso(T0), end=iso(T0 + MINUTE))["candles"][0]
    hidden = {"sum_price", "notional", "open_event_id", "close_event_id", "_id", "kafka_offset"}
    assert not hidden & set(row)


def test_interval_symbol_and_limit_select_rows(client: TestClient) -> None:
    hourly = get_candles(client, interval="1h", start=iso(T0), end=iso(T0 + 180 * MINUTE))
    assert len(hourly["candles"]) == 3
    five = get_candles(
        client, source="coingecko", interval="5m", start=iso(T0), end=iso(T0 + 3600_000)
    )
    assert len(five["candles"]) == 5
    assert (
        len(get_candles(client, start=iso(T0), end=iso(T0 + 60 * MINUTE), limit=4)["candles"]) == 4
    )


def test_the_default_page_is_the_servers_default_limit_with_a_cursor(client: TestClient) -> None:
    body = get_candles(client, start=iso(T0), end=iso(T0 + 60 * MINUTE))
    assert len(body["candles"]) == 10
    assert body["next_cursor"]


def test_without_times_the_last_24_hours_are_served(client: TestClient) -> None:
    body = get_candles(client, symbol="ETH-USD", limit=20)
    assert len(body["candles"]) == 20
    assert body["candles"][0]["close"] == 3000.0


def walk(client: TestClient, limit: int, start: int, end: int) -> list[str]:
    starts: list[str] = []
    cursor = None
    for _ in range(HISTORY_1M + 2):
        params: dict[str, object] = {"start": iso(start), "end": iso(end), "limit": limit}
        body = get_candles(client, **params, **({"cursor": cursor} if cursor else {}))
        assert len(body["candles"]) <= limit
        starts += [row["start"] for row in body["candles"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return starts
    raise AssertionError("pagination did not end")


# The client is read-only here, so sharing it between examples is what we want.
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    limit=st.integers(1, 20),
    first=st.integers(-3, HISTORY_1M + 2),
    span=st.integers(1, HISTORY_1M + 5),
)
def test_pages_neither_skip_nor_repeat(
    client: TestClient, limit: int, first: int, span: int
) -> None:
    start, end = T0 + first * MINUTE, T0 + (first + span) * MINUTE
    expected = [
        iso(T0 + i * MINUTE).replace("+00:00", "Z")
        for i in range(HISTORY_1M)
        if start <= T0 + i * MINUTE < end
    ]
    assert walk(client, limit, start, end) == expected


def test_a_cursor_survives_new_rows_arriving(client: TestClient, seeded: Any) -> None:
    first = get_candles(client, start=iso(T0), end=iso(T0 + 60 * MINUTE), limit=5)
    delete_stored(seeded, start=to_datetime(T0))  # history changes under the reader
    second = get_candles(
        client, start=iso(T0), end=iso(T0 + 60 * MINUTE), limit=5, cursor=first["next_cursor"]
    )
    assert second["candles"][0]["start"] == "2024-03-25T08:05:00Z"


def test_a_client_that_accepts_gzip_gets_the_same_page_compressed(client: TestClient) -> None:
    # Ten candles: past the size below which a body goes plain (encoded.GZIP_MIN_BYTES).
    params = {
        "source": "simulated",
        "symbol": "BTC-USD",
        "start": iso(T0),
        "end": iso(T0 + 30 * MINUTE),
    }
    plain = client.get("/v1/candles", params=params, headers={"Accept-Encoding": "identity"})
    gzipped = client.get("/v1/candles", params=params, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert gzipped.headers["content-encoding"] == "gzip"
    assert all("Accept-Encoding" in answer.headers["vary"] for answer in (plain, gzipped))
    assert gzipped.json() == plain.json()
    assert gzipped.json()["candles"][0]["start"] == "2024-03-25T08:00:00Z"
