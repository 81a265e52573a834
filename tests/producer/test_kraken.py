"""The Kraken adapter against a local server: the `since` cursor, errors inside a 200."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from producer.sources.base import SourceConfigError
from producer.sources.kraken import KrakenSource
from producer.sources.kraken_payloads import kraken_pair
from tests.support.fake_clock import FakeClock
from tests.support.http_sources import USER_AGENT, source_http

NOW = 1_688_680_000_000
TICKER = {
    "error": [],
    "result": {
        "XXBTZUSD": {
            "a": ["30243.40000", "1", "1.000"],
            "b": ["30243.30000", "1", "1.000"],
            "c": ["30243.40000", "0.00100000"],
            "v": ["1378.29", "4120.69"],
            "p": ["30198.72", "30197.90"],
            "t": [1960, 5958],
            "l": ["29776.9", "29775.8"],
            "h": ["30317.6", "30319.3"],
            "o": "30196.20000",
        }
    },
}


def trade_seconds(trade_id: int) -> float:
    return 1688600000.8277369 + (trade_id - 61_000_000) / 10


def trade_row(trade_id: int) -> list[object]:
    """Real-shaped: [price, volume, time (s, fractional), side, type, misc, trade_id]."""
    return [
        f"{30243 + trade_id % 7}.40000",
        f"0.{trade_id % 991 + 1:08d}",
        trade_seconds(trade_id),
        "b",
        "m",
        "",
        trade_id,
    ]


def trades_handler(trade_ids: list[int]) -> Callable[[Request], Response]:
    """Kraken's Trades: up to 1000 trades after `since` (here: the trade id times 10**9)."""

    def handle(request: Request) -> Response:
        since = int(request.args.get("since", "0"))
        page = [i for i in trade_ids if i * 10**9 > since][:1000] if since else trade_ids[-1000:]
        last = str(page[-1] * 10**9 if page else since)
        body = {"error": [], "result": {"XXBTZUSD": [trade_row(i) for i in page], "last": last}}
        return Response(json.dumps(body), content_type="application/json")

    return handle


def kraken(client: httpx.AsyncClient, server: HTTPServer, clock: FakeClock) -> KrakenSource:
    return KrakenSource(
        source_http(client, server.url_for("/0"), clock, source="kraken", max_attempts=3),
        symbols=["BTC-USD"],
        poll_interval_s=5,
        now=lambda: NOW,
    )


def test_xbt_means_btc() -> None:
    assert (kraken_pair("BTC-USD"), kraken_pair("ETH-EUR"), kraken_pair("DOGE-USD")) == (
        "XBTUSD",
        "ETHEUR",
        "XDGUSD",
    )


async def test_trades_follow_the_since_cursor_across_pages(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    trade_ids = list(range(61044900, 61044953))
    httpserver.expect_request(
        "/0/public/Ticker", query_string="pair=XBTUSD", headers={"User-Agent": USER_AGENT}
    ).respond_with_json(TICKER)
    httpserver.expect_request("/0/public/Trades").respond_with_handler(trades_handler(trade_ids))
    source = kraken(client, httpserver, clock)
    await source.start({})
    assert (await source.poll()).ticks == []

    trade_ids += range(61044953, 61047453)  # 2500 new trades: three pages
    result = await source.poll()
    assert [t.event_id for t in result.ticks] == [
        f"kraken:BTC-USD:trade:{i}" for i in range(61044953, 61047453)
    ]
    assert result.cursors == {"BTC-USD": f"{61047452 * 10**9}/61047452"}
    first = result.ticks[0]
    price, volume = trade_row(61044953)[:2]
    assert (first.symbol, first.price, first.size) == (
        "BTC-USD",
        float(str(price)),
        float(str(volume)),
    )
    assert first.event_time == round(trade_seconds(61044953) * 1000)
    sinces = [r.args.get("since") for r, _ in httpserver.log if r.path.endswith("Trades")]
    assert sinces == [
        None,
        str(61044952 * 10**9),
        str(61044952 * 10**9),
        str(61045952 * 10**9),
        str(61046952 * 10**9),
    ]


async def test_a_saved_cursor_is_resumed_and_a_repeated_boundary_trade_dropped(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    httpserver.expect_request("/0/public/Ticker").respond_with_json(TICKER)
    # A `since` that answers with the trade already published, then a new one.
    body = {"error": [], "result": {"XXBTZUSD": [trade_row(7), trade_row(8)], "last": "8000"}}
    httpserver.expect_request(
        "/0/public/Trades", query_string="pair=XBTUSD&since=7000"
    ).respond_with_json(body)
    source = kraken(client, httpserver, clock)
    await source.start({"BTC-USD": "7000/7"})
    result = await source.poll()
    assert [t.event_id for t in result.ticks] == ["kraken:BTC-USD:trade:8"]
    assert result.cursors == {"BTC-USD": "8000/8"}


async def test_an_unknown_pair_in_the_error_array_fails_at_start(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    httpserver.expect_request("/0/public/Ticker").respond_with_json(
        {"error": ["EQuery:Unknown asset pair"]}
    )
    with pytest.raises(SourceConfigError) as raised:
        await kraken(client, httpserver, clock).start({})
    assert (raised.value.reason, raised.value.detail) == (
        "unknown_symbol",
        "EQuery:Unknown asset pair",
    )
    assert len(httpserver.log) == 1


async def test_a_rate_limit_error_inside_a_200_is_retried_with_backoff(
    client: httpx.AsyncClient,
    httpserver: HTTPServer,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    httpserver.expect_oneshot_request("/0/public/Ticker").respond_with_json(
        {"error": ["EAPI:Rate limit exceeded"]}
    )
    httpserver.expect_oneshot_request("/0/public/Ticker").respond_with_json(
        {"error": ["EService:Unavailable"]}
    )
    httpserver.expect_request("/0/public/Ticker").respond_with_json(TICKER)
    httpserver.expect_request("/0/public/Trades").respond_with_handler(trades_handler([1, 2]))
    await kraken(client, httpserver, clock).start({})
    reasons = [getattr(r, "reason", None) for r in caplog.records if r.name == "producer.http"]
    assert reasons == ["rate_limited", "unavailable"]
    assert len(clock.sleeps) == 2  # two backoff waits, no retry at once


async def test_history_is_5_minute_ohlc_as_backfill_trades(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    start_s = NOW // 1000 - 3600
    rows = [
        [start_s + i * 300, "30000.0", "30100.0", "29900.0", "30050.0", "30010.0", "2.0", 12]
        for i in range(12)
    ]
    httpserver.expect_request(
        "/0/public/OHLC", query_string=f"pair=XBTUSD&interval=5&since={start_s}"
    ).respond_with_json({"error": [], "result": {"XXBTZUSD": rows, "last": start_s + 3300}})
    result = await kraken(client, httpserver, clock).history("BTC-USD", start_s * 1000, NOW)
    assert len(result.ticks) == 48
    assert sum(t.size or 0 for t in result.ticks) == pytest.approx(24.0)
    assert [t.price for t in result.ticks[:4]] == [30000.0, 29900.0, 30100.0, 30050.0]
    assert all(t.backfill for t in result.ticks)
