"""The Coinbase adapter against a local server with Coinbase's trades cursor."""

from __future__ import annotations

import httpx
import pytest
from pytest_httpserver import HTTPServer

from coinstream_common.ticks import Tick
from producer.sources.base import SourceConfigError
from producer.sources.coinbase import CoinbaseSource
from tests.support.fake_clock import FakeClock
from tests.support.fake_coinbase import FakeCoinbase
from tests.support.http_sources import USER_AGENT, source_http

NOW = 1_711_360_000_000  # after every fake trade


def coinbase(
    client: httpx.AsyncClient, server: HTTPServer, clock: FakeClock, products: list[str]
) -> CoinbaseSource:
    return CoinbaseSource(
        source_http(client, server.url_for(""), clock, source="coinbase", max_attempts=3),
        symbols=products,
        poll_interval_s=1,
        now=lambda: NOW,
    )


def trade_ids(ticks: list[Tick]) -> list[int]:
    return [int(t.event_id.rsplit(":", 1)[1]) for t in ticks]


async def test_new_trades_are_followed_page_by_page_exactly_once(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    exchange = FakeCoinbase()
    exchange.add_trades(1, 100)
    exchange.install(httpserver)
    source = coinbase(client, httpserver, clock, ["BTC-USD"])
    await source.start({})  # starts at the newest trade, 100
    assert (await source.poll()).ticks == []

    exchange.add_trades(101, 2600)  # two full pages and a half
    result = await source.poll()
    assert trade_ids(result.ticks) == list(range(101, 2601))
    assert result.cursors == {"BTC-USD": "2600"}
    exchange.add_trades(2601, 2605)
    assert trade_ids((await source.poll()).ticks) == list(range(2601, 2606))

    befores = [r.args.get("before") for r, _ in httpserver.log if r.path.endswith("/trades")]
    assert befores == ["100", "100", "1100", "2100", "2600"]
    assert all(r.headers["User-Agent"] == USER_AGENT for r, _ in httpserver.log)


async def test_trades_are_parsed_to_the_millisecond(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    exchange = FakeCoinbase()
    exchange.add_trades(1, 5)
    exchange.install(httpserver)
    source = coinbase(client, httpserver, clock, ["BTC-USD"])
    await source.start({"BTC-USD": "3"})  # a saved cursor wins over the ticker
    ticks = (await source.poll()).ticks
    assert [t.event_id for t in ticks] == ["coinbase:BTC-USD:trade:4", "coinbase:BTC-USD:trade:5"]
    # Trade 4: 1.000000012 s after 08:00:00 -> .001 s (nanoseconds truncated).
    assert ticks[0].event_time == 1_711_353_601_000
    assert (ticks[0].kind, ticks[0].price, ticks[0].size) == ("trade", 67004.04, 0.00000005)


async def test_a_failure_mid_poll_loses_and_repeats_nothing(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    btc, eth = FakeCoinbase("BTC-USD"), FakeCoinbase("ETH-USD")
    btc.add_trades(1, 10)
    eth.add_trades(1, 10)
    btc.install(httpserver)
    # ETH's ticker works; its trades fail three times (all attempts), then work.
    httpserver.expect_request("/products/ETH-USD/ticker").respond_with_json(
        {"trade_id": 10, "price": "3500.1", "size": "1", "time": "2024-03-25T08:00:00Z"}
    )
    for _ in range(3):
        httpserver.expect_oneshot_request("/products/ETH-USD/trades").respond_with_data(
            "<html>502 Bad Gateway</html>", status=502, content_type="text/html"
        )
    eth.install(httpserver)
    source = coinbase(client, httpserver, clock, ["BTC-USD", "ETH-USD"])
    await source.start({})
    btc.add_trades(11, 12)
    eth.add_trades(11, 11)
    with pytest.raises(Exception, match="http_502"):
        await source.poll()
    result = await source.poll()  # BTC's trades were fetched but not handed over: again
    assert sorted(t.event_id for t in result.ticks) == [
        "coinbase:BTC-USD:trade:11",
        "coinbase:BTC-USD:trade:12",
        "coinbase:ETH-USD:trade:11",
    ]


async def test_an_unknown_product_fails_at_start(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    httpserver.expect_request("/products/BTC-XYZ/ticker").respond_with_json(
        {"message": "NotFound"}, status=404
    )
    with pytest.raises(SourceConfigError) as raised:
        await coinbase(client, httpserver, clock, ["BTC-XYZ"]).start({})
    assert raised.value.reason == "not_found"
    assert "NotFound" in raised.value.detail


async def test_a_missing_user_agent_answer_is_a_configuration_error(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    httpserver.expect_request("/products/BTC-USD/ticker").respond_with_json(
        {"message": "User-Agent header is required."}, status=400
    )
    with pytest.raises(SourceConfigError, match="User-Agent header is required"):
        await coinbase(client, httpserver, clock, ["BTC-USD"]).start({})


async def test_history_turns_5_minute_candles_into_backfill_trades(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    start_s = NOW // 1000 - 700
    # [time, low, high, open, close, volume], newest first; the newest bar is still open.
    candles = [
        [start_s + 600, 101.0, 103.0, 102.0, 101.5, 2.0],
        [start_s + 300, 99.0, 104.0, 100.0, 103.0, 8.0],
        [start_s, 98.0, 100.0, 99.0, 99.0, 0.0],  # no trades in this bar
    ]
    httpserver.expect_request("/products/BTC-USD/candles").respond_with_json(candles)
    result = await coinbase(client, httpserver, clock, ["BTC-USD"]).history(
        "BTC-USD", (start_s - 10) * 1000, NOW
    )
    rising = [(t.price, t.size) for t in result.ticks[:4]]
    assert rising == [(100.0, 2.0), (99.0, 2.0), (104.0, 2.0), (103.0, 2.0)]
    falling = [(t.price, t.event_time) for t in result.ticks[4:]]
    open_ms = (start_s + 600) * 1000
    assert falling == [
        (102.0, open_ms),
        (103.0, NOW - 1),  # times in the bar still open stop at the backfill's end
        (101.0, NOW - 1),
        (101.5, NOW - 1),
    ]
    assert all(t.backfill and t.kind == "trade" for t in result.ticks)
    request = httpserver.log[-1][0]
    assert request.args["granularity"] == "300"
