"""HTTP caching of the four cached reads over seeded candles: each answer has a strong ETag
of the body it carries and the query cache's freshness as Cache-Control, and a client that
names the current ETag in If-None-Match gets a 304 without a body."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pymongo.database import Database

import api.prices
from api.http_caching import entity_tag
from coinstream_common.mongo import Document

pytestmark = pytest.mark.integration
ETH = {"source": "simulated", "symbol": "ETH-USD"}
# Thirty historic candles: a fixed window, so every load gives the same body, and more
# than the size below which a body is not gzipped.
CANDLES = {
    "source": "simulated",
    "symbol": "BTC-USD",
    "start": "2024-03-25T08:00:00Z",
    "end": "2024-03-25T08:30:00Z",
    "limit": "20",
}
# The reads whose body stays the same while the cache holds its load.
STEADY_READS = [("/v1/candles", CANDLES), ("/v1/symbols", {}), ("/v1/stats", ETH)]
PLAIN = {"Accept-Encoding": "identity"}
TTL_S = 30


@pytest.fixture
def client(make_app: Callable[..., FastAPI], seeded: Database[Document]) -> Iterator[TestClient]:
    # A TTL longer than any test: a second request gets the first one's load.
    app = make_app(seeded, cache_ttl_s=TTL_S, cache_max_stale_s=TTL_S)
    with TestClient(app) as test_client:
        yield test_client


def assert_not_modified(response: httpx.Response, first: httpx.Response) -> None:
    assert (response.status_code, response.content) == (304, b"")
    for header in ("etag", "cache-control", "vary"):
        assert response.headers[header] == first.headers[header], header
    assert "content-type" not in response.headers
    assert "content-encoding" not in response.headers


@pytest.mark.parametrize(("path", "params"), STEADY_READS)
def test_an_answer_carries_the_etag_of_its_body_and_the_caches_freshness(
    client: TestClient, path: str, params: dict[str, str]
) -> None:
    response = client.get(path, params=params, headers=PLAIN)
    assert response.status_code == 200
    assert response.headers["etag"] == entity_tag(response.content)
    assert response.headers["cache-control"] == f"max-age={TTL_S}"
    assert "Accept-Encoding" in response.headers["vary"]


@pytest.mark.parametrize(("path", "params"), STEADY_READS)
def test_the_current_etag_gets_a_304_without_a_body(
    client: TestClient, path: str, params: dict[str, str]
) -> None:
    first = client.get(path, params=params, headers=PLAIN)
    etag = first.headers["etag"]
    again = client.get(path, params=params, headers=PLAIN | {"If-None-Match": etag})
    assert_not_modified(again, first)
    listed = client.get(
        path, params=params, headers=PLAIN | {"If-None-Match": f'"elsewhere", W/{etag}'}
    )
    assert_not_modified(listed, first)


@pytest.mark.parametrize(("path", "params"), STEADY_READS)
def test_another_etag_gets_the_body(client: TestClient, path: str, params: dict[str, str]) -> None:
    first = client.get(path, params=params, headers=PLAIN)
    stale = client.get(path, params=params, headers=PLAIN | {"If-None-Match": '"not-this-one"'})
    assert (stale.status_code, stale.content) == (200, first.content)
    assert stale.headers["etag"] == first.headers["etag"]


def test_the_gzipped_copy_has_an_etag_of_its_own(client: TestClient) -> None:
    plain = client.get("/v1/candles", params=CANDLES, headers=PLAIN)
    gzipped = client.get("/v1/candles", params=CANDLES, headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["content-encoding"] == "gzip"
    assert gzipped.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
    # Holding the identity copy is not holding the gzipped one, and the other way round.
    crossed = [
        client.get(
            "/v1/candles",
            params=CANDLES,
            headers={"Accept-Encoding": coding, "If-None-Match": held.headers["etag"]},
        )
        for coding, held in (("gzip", plain), ("identity", gzipped))
    ]
    assert [c.status_code for c in crossed] == [200, 200]
    same = client.get(
        "/v1/candles",
        params=CANDLES,
        headers={"Accept-Encoding": "gzip", "If-None-Match": gzipped.headers["etag"]},
    )
    assert_not_modified(same, gzipped)


def latest_price(client: TestClient, if_none_match: str | None = None) -> httpx.Response:
    headers = {"If-None-Match": if_none_match} if if_none_match else {}
    response: httpx.Response = client.get("/v1/prices/latest", params=ETH, headers=headers)
    return response


def test_the_latest_prices_etag_is_of_the_body_with_its_age(client: TestClient) -> None:
    first = latest_price(client)
    second = latest_price(client, first.headers["etag"])
    # One load answers both, but the age in the body has grown: another body, another tag.
    assert second.status_code == 200
    assert second.json()["age_s"] > first.json()["age_s"]
    for response in (first, second):
        assert response.headers["etag"] == entity_tag(response.content)
        assert response.headers["cache-control"] == f"max-age={TTL_S}"
    anything = latest_price(client, "*")
    assert (anything.status_code, anything.content) == (304, b"")
    assert anything.headers["etag"] not in {first.headers["etag"], second.headers["etag"]}


def test_the_latest_price_gets_a_304_when_its_body_has_not_changed(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen = datetime.now(UTC)

    class FrozenClock(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> FrozenClock:
            return cls.fromtimestamp(frozen.timestamp(), tz)

    monkeypatch.setattr(api.prices, "datetime", FrozenClock)
    first = latest_price(client)
    assert_not_modified(latest_price(client, first.headers["etag"]), first)


def test_with_the_cache_off_answers_say_no_cache_and_still_revalidate(
    make_app: Callable[..., FastAPI], seeded: Database[Document]
) -> None:
    with TestClient(make_app(seeded, cache_ttl_s=0)) as uncached:
        first = uncached.get("/v1/candles", params=CANDLES)
        assert first.headers["cache-control"] == "no-cache"
        # Loaded again, but the same body: the same tag.
        again = uncached.get(
            "/v1/candles", params=CANDLES, headers={"If-None-Match": first.headers["etag"]}
        )
        assert_not_modified(again, first)


def test_no_body_no_304(client: TestClient) -> None:
    missing = client.get(
        "/v1/prices/latest",
        params={"source": "kraken", "symbol": "XRP-EUR"},
        headers={"If-None-Match": "*"},
    )
    assert missing.status_code == 404


def test_a_page_on_an_allowed_origin_may_revalidate_itself(client: TestClient) -> None:
    origin = {"Origin": "http://allowed.test"}
    preflight = client.options(
        "/v1/candles",
        headers=origin
        | {
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert preflight.status_code == 200
    answer = client.get("/v1/candles", params=CANDLES, headers=origin)
    assert "ETag" in answer.headers["access-control-expose-headers"]
    assert answer.headers["vary"] == "Accept-Encoding, Origin"
