"""/health, /ready, /metrics, the docs, and CORS."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pymongo.database import Database
from pymongo.uri_parser import parse_uri

from api.main import create_app
from api.settings import ApiSettings
from coinstream_common.mongo import Document
from coinstream_common.settings import MongoSettings
from devstack.net import free_port
from tests.support.candle_docs import delete_stored
from tests.support.stalling_proxy import stalling_proxy
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration


def test_health(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}


def test_ready_when_mongo_answers_and_data_is_fresh(client: TestClient) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["mongo"], body["reason"]) == ("ready", True, None)
    assert 0 <= body["age_s"] < 120


def test_not_ready_when_the_newest_tick_is_too_old(
    make_app: Callable[..., FastAPI], seeded: Database[Document]
) -> None:
    delete_stored(seeded, symbol="ETH-USD")  # only 2024 history is left
    with TestClient(make_app(seeded)) as client:
        response = client.get("/ready")
    assert response.status_code == 503
    assert (
        response.json()["newest_update"] == "2024-03-25T10:00:00.002000Z"
    )  # the third hourly candle
    assert "old (limit 300s)" in response.json()["reason"]


def test_not_ready_without_candles(
    make_app: Callable[..., FastAPI], new_database: Callable[[], Database[Document]]
) -> None:
    with TestClient(make_app(new_database())) as client:
        response = client.get("/ready")
    assert response.status_code == 503
    assert response.json()["reason"] == "no candles yet"


def test_not_ready_and_503s_when_mongo_is_unreachable() -> None:
    mongo = MongoSettings(uri=f"mongodb://127.0.0.1:{free_port()}/", timeout_ms=300)
    with TestClient(create_app(ApiSettings(), mongo)) as client:
        ready = client.get("/ready")
        candles = client.get("/v1/candles", params={"source": "simulated", "symbol": "BTC-USD"})
    assert ready.status_code == 503
    assert (ready.json()["mongo"], ready.json()["reason"]) == (
        False,
        "mongo unavailable: ServerSelectionTimeoutError",
    )
    assert candles.status_code == 503
    assert candles.json() == {"detail": "the database is unavailable"}


def test_a_stalled_database_gets_a_503_in_time_says_why_and_the_api_recovers(
    mongo_uri: str, seeded: Database[Document]
) -> None:
    ((host, port),) = parse_uri(mongo_uri)["nodelist"]
    params = {"source": "simulated", "symbol": "ETH-USD"}
    with stalling_proxy((host, port)) as proxy:
        mongo = MongoSettings(
            uri=mongo_uri.replace(f"{host}:{port}", f"127.0.0.1:{proxy.port}"),
            database=seeded.name,
        )
        app = create_app(ApiSettings(query_timeout_s=1, cache_ttl_s=0), mongo)
        with TestClient(app) as client:
            assert client.get("/v1/candles", params=params).status_code == 200
            proxy.stall()
            started = time.monotonic()
            stalled = client.get("/v1/candles", params=params)
            waited = time.monotonic() - started
            not_ready = client.get("/ready")
            proxy.resume()
            wait_until(
                lambda: client.get("/v1/candles", params=params).status_code,
                lambda status: status == 200,
                timeout_s=15,
                what="the API to answer again",
            )
    assert stalled.status_code == 503
    assert stalled.json() == {"detail": "the database is unavailable"}
    assert 0.9 <= waited < 5, waited  # a 1 s wait per reply; pymongo retries a read once
    assert not_ready.status_code == 503
    # NetworkTimeout, or the pool's cancelling of a request queued behind a timed-out one.
    assert not_ready.json()["reason"].startswith("mongo unavailable: ")


def test_metrics_count_requests_by_route_template(client: TestClient) -> None:
    client.get("/v1/prices/latest", params={"source": "simulated", "symbol": "ETH-USD"})
    client.get("/v1/stats", params={"source": "nasdaq", "symbol": "ETH-USD"})
    text = client.get("/metrics").text
    assert 'api_requests_total{route="/v1/prices/latest",status="200"}' in text
    assert 'api_requests_total{route="/v1/stats",status="422"}' in text
    assert 'api_request_seconds_bucket{le="0.001",route="/v1/prices/latest"}' in text
    assert "api_cache_lookups_total" in text
    assert "api_stream_clients" in text


def test_docs_and_redoc_are_served(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == {
        "/health",
        "/ready",
        "/v1/symbols",
        "/v1/prices/latest",
        "/v1/candles",
        "/v1/stats",
        "/v1/stream",
        "/v1/alerts",
    }
    source = next(
        p for p in spec["paths"]["/v1/candles"]["get"]["parameters"] if p["name"] == "source"
    )
    assert source["schema"]["enum"] == [
        "coingecko",
        "coinbase",
        "kraken",
        "binance",
        "simulated",
        "replay",
        "index",
    ]
    assert "CandleOut" in spec["components"]["schemas"]
    assert "notional" not in spec["components"]["schemas"]["CandleOut"]["properties"]
    assert client.get("/docs").status_code == 200
    assert "redoc" in client.get("/redoc").text


def test_cors_allows_only_configured_origins_and_get(client: TestClient) -> None:
    params = {"source": "simulated", "symbol": "ETH-USD"}
    allowed = client.get(
        "/v1/prices/latest", params=params, headers={"Origin": "http://allowed.test"}
    )
    assert allowed.headers["access-control-allow-origin"] == "http://allowed.test"
    other = client.get("/v1/prices/latest", params=params, headers={"Origin": "http://evil.test"})
    assert "access-control-allow-origin" not in other.headers
    preflight = {"Origin": "http://allowed.test", "Access-Control-Request-Method": "DELETE"}
    assert client.options("/v1/candles", headers=preflight).status_code == 400
    preflight["Access-Control-Request-Method"] = "GET"
    assert client.options("/v1/candles", headers=preflight).status_code == 200


def test_writes_are_not_allowed(client: TestClient) -> None:
    assert client.post("/v1/candles").status_code == 405
    assert client.delete("/v1/candles").status_code == 405
