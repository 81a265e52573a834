"""The CoinGecko adapter against a local HTTP server serving real-shaped responses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer

from producer.sources.base import SourceError
from producer.sources.coingecko import CoinGeckoSource

USER_AGENT = "coinstream-tests/1.0"
NOW = 1_711_356_310_000  # just after the recorded last_updated_at
# Recorded shape of GET /simple/price?ids=bitcoin,ethereum&vs_currencies=usd&include_...=true
PRICES: dict[str, dict[str, Any]] = {
    "bitcoin": {
        "usd": 67187.3358936566,
        "usd_24h_vol": 31260929299.5248,
        "usd_24h_change": 3.63727894677354,
        "last_updated_at": 1711356300,
    },
    "ethereum": {
        "usd": 3500.12,
        "usd_24h_vol": 1.2e10,
        "usd_24h_change": None,
        "last_updated_at": 1711356290,
    },
}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(headers={"User-Agent": USER_AGENT}, timeout=1.0) as c:
        yield c


def gecko(client: httpx.AsyncClient, server: HTTPServer) -> CoinGeckoSource:
    return CoinGeckoSource(
        client,
        base_url=server.url_for("/api/v3"),
        coin_symbols={"bitcoin": "BTC-USD", "ethereum": "ETH-USD"},
        vs_currency="usd",
        poll_interval_s=60,
        clock=lambda: NOW,
    )


async def test_quotes_are_parsed_with_their_source_time(
    client: httpx.AsyncClient, httpserver: HTTPServer
) -> None:
    httpserver.expect_request(
        "/api/v3/simple/price",
        query_string={
            "ids": "bitcoin,ethereum",
            "vs_currencies": "usd",
            "include_24hr_vol": "true",
            "include_24hr_change": "true",
            "include_last_updated_at": "true",
            "precision": "full",
        },
        headers={"User-Agent": USER_AGENT},
    ).respond_with_json(PRICES)
    result = await gecko(client, httpserver).poll()
    assert not result.rejected
    btc, eth = sorted(result.ticks, key=lambda t: t.symbol)
    assert (btc.symbol, btc.price, btc.event_time) == ("BTC-USD", 67187.3358936566, 1711356300000)
    assert btc.event_id == "coingecko:BTC-USD:quote:1711356300000"
    assert (btc.kind, btc.size, btc.volume_24h) == ("quote", None, 31260929299.5248)
    assert (eth.symbol, eth.change_24h_pct) == ("ETH-USD", None)


async def test_an_unchanged_quote_is_not_published_again(
    client: httpx.AsyncClient, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/api/v3/simple/price").respond_with_json(PRICES)
    source = gecko(client, httpserver)
    assert len((await source.poll()).ticks) == 2
    assert (await source.poll()).ticks == []


async def test_an_unknown_coin_yields_nothing(
    client: httpx.AsyncClient, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/api/v3/simple/price").respond_with_json({})
    result = await gecko(client, httpserver).poll()
    assert (result.ticks, result.rejected) == ([], [])


async def test_invalid_values_are_rejected_with_a_reason(
    client: httpx.AsyncClient, httpserver: HTTPServer
) -> None:
    bad = {"bitcoin": {**PRICES["bitcoin"], "usd": -1}, "ethereum": {"usd": 1.0}}
    httpserver.expect_request("/api/v3/simple/price").respond_with_json(bad)
    result = await gecko(client, httpserver).poll()
    assert result.ticks == []
    assert sorted(r.field for r in result.rejected) == ["event_time", "price"]


@pytest.mark.parametrize(
    ("status", "body", "content_type", "reason"),
    [
        (
            429,
            '{"status":{"error_code":429,"error_message":"You\'ve exceeded the Rate Limit."}}',
            "application/json",
            "http_429",
        ),
        (
            502,
            "<html><body><h1>502 Bad Gateway</h1>cloudflare</body></html>",
            "text/html",
            "http_502",
        ),
        (200, "<html>maintenance</html>", "text/html", "bad_json"),
        (200, "[1, 2]", "application/json", "bad_payload"),
    ],
)
async def test_failures_raise_a_source_error_with_its_reason(
    client: httpx.AsyncClient,
    httpserver: HTTPServer,
    status: int,
    body: str,
    content_type: str,
    reason: str,
) -> None:
    httpserver.expect_request("/api/v3/simple/price").respond_with_data(
        body, status=status, content_type=content_type
    )
    with pytest.raises(SourceError) as raised:
        await gecko(client, httpserver).poll()
    assert raised.value.reason == reason


async def test_a_dead_server_is_a_connection_error(client: httpx.AsyncClient) -> None:
    source = CoinGeckoSource(
        client,
        base_url="http://127.0.0.1:9/api/v3",
        coin_symbols={"bitcoin": "BTC-USD"},
        vs_currency="usd",
        poll_interval_s=60,
    )
    with pytest.raises(SourceError) as raised:
        await source.poll()
    assert raised.value.reason == "connection"
