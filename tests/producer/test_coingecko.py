"""The CoinGecko adapter against a local HTTP server serving real-shaped responses."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer

from producer.sources.base import SourceConfigError, SourceError
from producer.sources.coingecko import CoinGeckoSource
from producer.sources.coingecko_settings import CoinGeckoSettings
from tests.support.fake_clock import FakeClock
from tests.support.http_sources import USER_AGENT, source_http

NOW = 1_711_356_310_000  # just after the recorded last_updated_at
DAY_MS = 24 * 3600 * 1000
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
PRICE_QUERY = {
    "ids": "bitcoin,ethereum",
    "vs_currencies": "usd",
    "include_24hr_vol": "true",
    "include_24hr_change": "true",
    "include_last_updated_at": "true",
    "precision": "full",
}


def gecko(
    client: httpx.AsyncClient,
    server: HTTPServer,
    clock: FakeClock,
    headers: dict[str, str] | None = None,
) -> CoinGeckoSource:
    return CoinGeckoSource(
        source_http(
            client,
            server.url_for("/api/v3"),
            clock,
            source="coingecko",
            max_attempts=2,
            headers=headers,
        ),
        coin_symbols={"bitcoin": "BTC-USD", "ethereum": "ETH-USD"},
        vs_currency="usd",
        poll_interval_s=60,
        now=lambda: NOW,
    )


async def test_all_coins_in_one_request_mapped_to_symbols(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    httpserver.expect_request(
        "/api/v3/simple/price", query_string=PRICE_QUERY, headers={"User-Agent": USER_AGENT}
    ).respond_with_json(PRICES)
    result = await gecko(client, httpserver, clock).poll()
    assert len(httpserver.log) == 1
    assert not result.rejected
    btc, eth = sorted(result.ticks, key=lambda t: t.symbol)
    assert (btc.symbol, btc.price, btc.event_time) == ("BTC-USD", 67187.3358936566, 1711356300000)
    assert btc.event_id == "coingecko:BTC-USD:quote:1711356300000"
    assert (btc.kind, btc.size, btc.volume_24h) == ("quote", None, 31260929299.5248)
    assert (eth.symbol, eth.change_24h_pct) == ("ETH-USD", None)
    assert result.cursors == {"BTC-USD": "1711356300000", "ETH-USD": "1711356290000"}


async def test_an_unchanged_quote_is_not_published_again(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    httpserver.expect_request("/api/v3/simple/price").respond_with_json(PRICES)
    source = gecko(client, httpserver, clock)
    assert len((await source.poll()).ticks) == 2
    assert (await source.poll()).ticks == []


async def test_a_saved_cursor_keeps_the_same_quote_out_after_a_restart(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    moved = {**PRICES, "ethereum": {**PRICES["ethereum"], "last_updated_at": 1711356350}}
    httpserver.expect_request("/api/v3/simple/price").respond_with_json(moved)
    source = gecko(client, httpserver, clock)
    await source.start({"BTC-USD": "1711356300000", "ETH-USD": "1711356290000"})
    ticks = (await source.poll()).ticks
    assert [(t.symbol, t.event_time) for t in ticks] == [("ETH-USD", 1711356350000)]
    # The startup check's answer served as the first poll: one request in all.
    assert len(httpserver.log) == 1


async def test_an_unknown_coin_id_is_a_configuration_error_at_start(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    httpserver.expect_request("/api/v3/simple/price").respond_with_json({})
    with pytest.raises(SourceConfigError) as raised:
        await gecko(client, httpserver, clock).start({})
    assert raised.value.reason == "unknown_coin"
    assert "bitcoin, ethereum" in raised.value.detail
    assert len(httpserver.log) == 1  # not retried


async def test_the_demo_key_goes_in_its_header(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    settings = CoinGeckoSettings(plan="demo", api_key="CG-demo-key")
    assert settings.url == "https://api.coingecko.com/api/v3"
    httpserver.expect_request(
        "/api/v3/simple/price", headers={"x-cg-demo-api-key": "CG-demo-key"}
    ).respond_with_json(PRICES)
    await gecko(client, httpserver, clock, settings.key_header).start({})


async def test_a_wrong_key_is_a_configuration_error(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    body = {"status": {"error_code": 10010, "error_message": "If you are using Pro API key"}}
    httpserver.expect_request("/api/v3/simple/price").respond_with_json(body, status=401)
    with pytest.raises(SourceConfigError) as raised:
        await gecko(client, httpserver, clock, {"x-cg-pro-api-key": "demo-key"}).start({})
    assert raised.value.reason == "unauthorized"
    assert "10010" in raised.value.detail


async def test_invalid_values_are_rejected_with_a_reason(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    bad = {"bitcoin": {**PRICES["bitcoin"], "usd": -1}, "ethereum": {"usd": 1.0}}
    httpserver.expect_request("/api/v3/simple/price").respond_with_json(bad)
    result = await gecko(client, httpserver, clock).poll()
    assert result.ticks == []
    assert sorted(r.field for r in result.rejected) == ["event_time", "price"]


async def test_a_rate_limit_then_prices(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    httpserver.expect_oneshot_request("/api/v3/simple/price").respond_with_json(
        {"status": {"error_code": 429, "error_message": "You've exceeded the Rate Limit."}},
        status=429,
        headers={"retry-after": "31"},
    )
    httpserver.expect_request("/api/v3/simple/price").respond_with_json(PRICES)
    assert len((await gecko(client, httpserver, clock).poll()).ticks) == 2
    assert clock.sleeps == [31.0]


async def test_a_wrong_shape_is_a_source_error(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    httpserver.expect_request("/api/v3/simple/price").respond_with_json([1, 2])
    with pytest.raises(SourceError) as raised:
        await gecko(client, httpserver, clock).poll()
    assert raised.value.reason == "bad_payload"


async def test_history_is_24h_of_market_chart_points_as_backfill_quotes(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    first = NOW - DAY_MS + 60_000
    points = [first + i * 300_000 for i in range(288)]
    chart = {
        "prices": [[t, 67000.0 + i] for i, t in enumerate(points)] + [[NOW - 5, 67300.5]],
        "market_caps": [[t, 1.3e12] for t in points],
        "total_volumes": [[t, 3.1e10] for t in points],
    }
    httpserver.expect_request(
        "/api/v3/coins/bitcoin/market_chart", query_string={"vs_currency": "usd", "days": "1"}
    ).respond_with_json(chart)
    result = await gecko(client, httpserver, clock).history("BTC-USD", NOW - DAY_MS, NOW)
    assert not result.rejected
    assert len(result.ticks) == 289
    assert all(t.backfill and t.kind == "quote" and t.symbol == "BTC-USD" for t in result.ticks)
    assert result.ticks[0].event_id == f"coingecko:BTC-USD:quote:{first}"
    assert result.ticks[0].volume_24h == 3.1e10
    assert result.ticks[-1].price == 67300.5
    assert result.cursors == {}  # history does not move the live cursor
