"""/v1/symbols, /v1/prices/latest and /v1/stats over seeded candles."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel
from pymongo.database import Database

from api.models import LatestPrice, Stats, SymbolList
from coinstream_common.candle_store import CandleRepository
from coinstream_common.candles import Candle
from coinstream_common.mongo import Document
from tests.support.api_fixtures import RECENT_1M
from tests.support.candle_docs import delete_stored

pytestmark = pytest.mark.integration


def zulu(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def test_symbols_list_each_pair_with_its_first_and_last_candle(
    client: TestClient, recent_eth: list[Candle]
) -> None:
    assert client.get("/v1/symbols").json()["symbols"] == [
        {
            "source": "coingecko",
            "symbol": "BTC-USD",
            "interval": "5m",
            "first_candle_start": "2024-03-25T08:00:00Z",
            "last_candle_start": "2024-03-25T08:20:00Z",
        },
        {
            "source": "simulated",
            "symbol": "BTC-USD",
            "interval": "1m",
            "first_candle_start": "2024-03-25T08:00:00Z",
            "last_candle_start": "2024-03-25T08:29:00Z",
        },
        {
            "source": "simulated",
            "symbol": "ETH-USD",
            "interval": "1m",
            "first_candle_start": zulu(recent_eth[0].start),
            "last_candle_start": zulu(recent_eth[-1].start),
        },
    ]


def test_symbols_of_sources_outside_the_closed_set_are_not_listed(
    make_app: Callable[..., FastAPI], seeded: Database[Document]
) -> None:
    repository = CandleRepository(seeded)
    coingecko = [c for c in repository.all_candles() if c.source == "coingecko"]
    delete_stored(seeded, source="coingecko")
    repository.upsert_many([c.model_copy(update={"source": "retired"}) for c in coingecko])
    with TestClient(make_app(seeded)) as fresh:
        sources = {row["source"] for row in fresh.get("/v1/symbols").json()["symbols"]}
    assert sources == {"simulated"}


def test_latest_price_is_the_newest_close_with_its_age(
    client: TestClient, recent_eth: list[Candle]
) -> None:
    before = datetime.now(UTC)
    body = client.get(
        "/v1/prices/latest", params={"source": "simulated", "symbol": "ETH-USD"}
    ).json()
    newest = recent_eth[-1]
    assert body["price"] == newest.close == 3000.0 + RECENT_1M - 1
    assert datetime.fromisoformat(body["time"]) == newest.last_event_time
    assert body["interval"] == "1m"
    assert 0 <= body["age_s"] <= (before - newest.last_event_time).total_seconds() + 5


def test_latest_price_falls_back_to_the_finest_interval_there_is(client: TestClient) -> None:
    body = client.get(
        "/v1/prices/latest", params={"source": "coingecko", "symbol": "BTC-USD"}
    ).json()
    assert (body["interval"], body["price"]) == ("5m", 104.0)


def test_unknown_pairs_get_a_404_that_says_so(client: TestClient) -> None:
    for path in ("/v1/prices/latest", "/v1/stats"):
        response = client.get(path, params={"source": "kraken", "symbol": "XRP-EUR"})
        assert response.status_code == 404
        assert "no candles for kraken XRP-EUR" in response.json()["detail"]


def test_stats_fold_the_window_from_candles(client: TestClient, recent_eth: list[Candle]) -> None:
    body = client.get("/v1/stats", params={"source": "simulated", "symbol": "ETH-USD"}).json()
    volume = sum(c.volume for c in recent_eth)
    assert body["window"] == "24h"
    assert body["interval"] == "1m"
    assert body["candles"] == RECENT_1M
    assert (body["open"], body["last"]) == (3000.0, 3000.0 + RECENT_1M - 1)
    assert (body["high"], body["low"]) == (3000.0 + RECENT_1M - 1, 3000.0)
    assert body["change_pct"] == pytest.approx((RECENT_1M - 1) / 3000 * 100)
    assert body["volume"] == pytest.approx(volume)
    assert body["vwap"] == pytest.approx(sum(c.notional for c in recent_eth) / volume)
    assert (body["count"], body["trade_count"]) == (2 * RECENT_1M, 2 * RECENT_1M)
    start, end = datetime.fromisoformat(body["start"]), datetime.fromisoformat(body["end"])
    assert (end - start).total_seconds() == 24 * 3600


def test_stats_of_a_window_without_candles_is_a_404(client: TestClient) -> None:
    response = client.get("/v1/stats", params={"source": "simulated", "symbol": "BTC-USD"})
    assert response.status_code == 404
    assert "in the last 24h" in response.json()["detail"]


ETH = {"source": "simulated", "symbol": "ETH-USD"}
READS: list[tuple[str, dict[str, str], type[BaseModel]]] = [
    ("/v1/symbols", {}, SymbolList),
    ("/v1/prices/latest", ETH, LatestPrice),
    ("/v1/stats", ETH, Stats),
]


@pytest.mark.parametrize(("path", "params", "model"), READS)
def test_each_read_answers_exactly_its_documented_fields(
    client: TestClient,
    recent_eth: list[Candle],
    path: str,
    params: dict[str, str],
    model: type[BaseModel],
) -> None:
    response = client.get(path, params=params)
    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")
    body = response.json()
    assert set(body) == set(model.model_fields)
    assert model.model_validate(body).model_dump(mode="json") == body


def test_a_cached_price_still_ages_between_responses(
    client: TestClient,
    recent_eth: list[Candle],
) -> None:
    first = client.get("/v1/prices/latest", params=ETH).json()
    time.sleep(0.3)  # inside the cache's 1-second TTL: the same load answers both
    second = client.get("/v1/prices/latest", params=ETH).json()
    assert (second["time"], second["price"]) == (first["time"], first["price"])
    assert second["age_s"] - first["age_s"] == pytest.approx(0.3, abs=0.25)


def test_a_repeated_404_stays_a_404(client: TestClient) -> None:
    for _ in range(2):
        response = client.get("/v1/prices/latest", params={"source": "kraken", "symbol": "XRP-EUR"})
        assert response.status_code == 404
        assert response.json() == {"detail": "no candles for kraken XRP-EUR"}
