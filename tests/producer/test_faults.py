"""Every adapter through the same faults on its trade or price endpoint: an HTML 502,
malformed JSON, a 429 without Retry-After, an answer slower than the timeout, a 429 with
Retry-After; then a good answer. What is published, what was waited, what was logged."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest
from pytest_httpserver import HTTPServer

from producer.http import SourceHttp
from producer.sources.base import Source
from producer.sources.binance import BinanceSource
from producer.sources.coinbase import CoinbaseSource
from producer.sources.coingecko import CoinGeckoSource
from producer.sources.kraken import KrakenSource
from tests.support.fake_clock import FakeClock
from tests.support.fake_coinbase import trade_json
from tests.support.http_sources import backoff_delays, source_http
from tests.support.slow_answer import LateAnswers

NOW = 1_711_360_000_000
REASONS = ["http_502", "bad_json", "rate_limited", "timeout", "rate_limited"]


@dataclass
class Case:
    path: str  # the endpoint every poll asks
    good: object  # a good answer to a poll
    event_ids: list[str]  # what that answer publishes
    prepare: Callable[[HTTPServer, SourceHttp], Awaitable[Source]]  # a started source


async def coingecko(server: HTTPServer, http: SourceHttp) -> Source:
    quote = {"usd": 67187.3, "usd_24h_vol": 3.1e10, "usd_24h_change": 1.2}
    server.expect_oneshot_request("/simple/price").respond_with_json(
        {"bitcoin": {**quote, "last_updated_at": 1711359000}}
    )
    source = CoinGeckoSource(
        http,
        coin_symbols={"bitcoin": "BTC-USD"},
        vs_currency="usd",
        poll_interval_s=60,
        now=lambda: NOW,
    )
    await source.start({})
    await source.poll()  # the startup answer, served as the first poll
    return source


async def coinbase(server: HTTPServer, http: SourceHttp) -> Source:
    server.expect_oneshot_request("/products/BTC-USD/ticker").respond_with_json(trade_json(10))
    source = CoinbaseSource(http, symbols=["BTC-USD"], poll_interval_s=1, now=lambda: NOW)
    await source.start({})
    return source


def kraken_trades(*trade_ids: int) -> dict[str, object]:
    rows = [["30243.4", "0.5", 1711350000.5 + i, "b", "m", "", i] for i in trade_ids]
    return {"error": [], "result": {"XXBTZUSD": rows, "last": str(trade_ids[-1] * 1000)}}


async def kraken(server: HTTPServer, http: SourceHttp) -> Source:
    server.expect_oneshot_request("/public/Ticker").respond_with_json(
        {"error": [], "result": {"XXBTZUSD": {"c": ["30243.4", "0.1"]}}}
    )
    server.expect_oneshot_request("/public/Trades").respond_with_json(kraken_trades(5))
    source = KrakenSource(http, symbols=["BTC-USD"], poll_interval_s=5, now=lambda: NOW)
    await source.start({})
    return source


def agg_trade(trade_id: int) -> dict[str, object]:
    return {"a": trade_id, "p": "67000.5", "q": "0.25", "T": 1711350000000 + trade_id}


async def binance(server: HTTPServer, http: SourceHttp) -> Source:
    server.expect_oneshot_request("/api/v3/ticker/price").respond_with_json(
        {"symbol": "BTCUSDT", "price": "67000.1"}
    )
    server.expect_oneshot_request("/api/v3/aggTrades").respond_with_json([agg_trade(5)])
    source = BinanceSource(http, symbols=["BTC-USDT"], poll_interval_s=1, now=lambda: NOW)
    await source.start({})
    return source


CASES = {
    "coingecko": Case(
        "/simple/price",
        {"bitcoin": {"usd": 67190.0, "last_updated_at": 1711359060}},
        ["coingecko:BTC-USD:quote:1711359060000"],
        coingecko,
    ),
    "coinbase": Case(
        "/products/BTC-USD/trades",
        [trade_json(12), trade_json(11)],
        ["coinbase:BTC-USD:trade:11", "coinbase:BTC-USD:trade:12"],
        coinbase,
    ),
    "kraken": Case(
        "/public/Trades",
        kraken_trades(6, 7),
        ["kraken:BTC-USD:trade:6", "kraken:BTC-USD:trade:7"],
        kraken,
    ),
    "binance": Case(
        "/api/v3/aggTrades",
        [agg_trade(6), agg_trade(7)],
        ["binance:BTC-USDT:trade:6", "binance:BTC-USDT:trade:7"],
        binance,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
async def test_faults_are_retried_waited_logged_and_nothing_is_lost(
    name: str,
    client: httpx.AsyncClient,
    httpserver: HTTPServer,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    late_answers: LateAnswers,
) -> None:
    case = CASES[name]
    http = source_http(client, httpserver.url_for(""), clock, source=name, max_attempts=6)
    source = await case.prepare(httpserver, http)
    assert clock.sleeps == []
    faults = httpserver.expect_oneshot_request
    faults(case.path).respond_with_data(
        "<html><body><h1>502 Bad Gateway</h1></body></html>", 502, content_type="text/html"
    )
    faults(case.path).respond_with_data('[{"a": 1', content_type="application/json")
    faults(case.path).respond_with_json({"message": "Public rate limit exceeded"}, status=429)
    faults(case.path).respond_with_handler(late_answers.handler("[]"))
    faults(case.path).respond_with_json({"code": -1003}, status=429, headers={"Retry-After": "3"})
    httpserver.expect_request(case.path).respond_with_json(case.good)

    result = await source.poll()

    assert sorted(t.event_id for t in result.ticks) == case.event_ids
    delays = backoff_delays(5)
    assert clock.sleeps == pytest.approx([*delays[:4], max(3.0, delays[4])])
    logged = [
        (getattr(r, "source", None), getattr(r, "reason", None))
        for r in caplog.records
        if r.getMessage() == "request failed"
    ]
    assert logged == [(name, reason) for reason in REASONS]
