"""The Binance adapter against a local server: the fromId cursor, weight, bans and 451."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from producer.sources.base import SourceConfigError, SourceError
from producer.sources.binance import BinanceSource
from tests.support.fake_clock import FakeClock
from tests.support.http_sources import USER_AGENT, source_http

NOW = 1_498_800_040_000  # 40 s into a minute
BAN = '{"code":-1003,"msg":"Way too much request weight used; IP banned until 1498800060000."}'


def agg_trade(trade_id: int) -> dict[str, object]:
    return {
        "a": trade_id,
        "p": f"{0.01633102 + trade_id * 1e-8:.8f}",
        "q": "4.70443515",
        "f": trade_id * 2,
        "l": trade_id * 2 + 1,
        "T": 1498793709153 + trade_id,
        "m": True,
        "M": True,
    }


def agg_trades_handler(
    trade_ids: list[int], used_weight: str = "12"
) -> Callable[[Request], Response]:
    def handle(request: Request) -> Response:
        limit = int(request.args.get("limit", "500"))
        if "fromId" in request.args:
            page = [i for i in trade_ids if i >= int(request.args["fromId"])][:limit]
        else:
            page = trade_ids[-limit:]
        return Response(
            json.dumps([agg_trade(i) for i in page]),
            content_type="application/json",
            headers={"X-MBX-USED-WEIGHT-1m": used_weight},
        )

    return handle


def binance(client: httpx.AsyncClient, server: HTTPServer, clock: FakeClock) -> BinanceSource:
    return BinanceSource(
        source_http(client, server.url_for(""), clock, source="binance", max_attempts=3),
        symbols=["BTC-USDT"],
        poll_interval_s=1,
        now=lambda: NOW,
    )


def ticker(server: HTTPServer) -> None:
    server.expect_request(
        "/api/v3/ticker/price", query_string="symbol=BTCUSDT", headers={"User-Agent": USER_AGENT}
    ).respond_with_json({"symbol": "BTCUSDT", "price": "4.00000200"})


async def test_agg_trades_follow_from_id_without_gaps_or_repeats(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    trade_ids = list(range(26000, 26130))
    ticker(httpserver)
    httpserver.expect_request("/api/v3/aggTrades").respond_with_handler(
        agg_trades_handler(trade_ids)
    )
    source = binance(client, httpserver, clock)
    await source.start({})
    assert (await source.poll()).ticks == []
    trade_ids += range(26130, 28230)
    result = await source.poll()
    assert [t.event_id for t in result.ticks] == [
        f"binance:BTC-USDT:trade:{i}" for i in range(26130, 28230)
    ]
    assert result.cursors == {"BTC-USDT": "28229"}
    first = result.ticks[0]
    assert (first.price, first.size, first.event_time) == (0.01659232, 4.70443515, 1498793735283)
    from_ids = [r.args.get("fromId") for r, _ in httpserver.log if r.path.endswith("aggTrades")]
    assert from_ids == [None, "26130", "26130", "27130", "28130"]


async def test_near_the_weight_limit_requests_wait_for_the_next_minute(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    ticker(httpserver)
    httpserver.expect_request("/api/v3/aggTrades").respond_with_handler(
        agg_trades_handler([1, 2, 3], used_weight="5500")
    )
    source = binance(client, httpserver, clock)
    await source.start({})
    await source.poll()
    # NOW is 40 s into its minute: the next request waits the remaining 20 s.
    assert clock.sleeps == [pytest.approx(20.0)]


async def test_a_418_ban_is_waited_out_as_its_retry_after_says(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    httpserver.expect_oneshot_request("/api/v3/ticker/price").respond_with_data(
        BAN, status=418, headers={"Retry-After": "60"}, content_type="application/json"
    )
    ticker(httpserver)
    httpserver.expect_request("/api/v3/aggTrades").respond_with_handler(agg_trades_handler([5]))
    await binance(client, httpserver, clock).start({})
    assert clock.sleeps == [60.0]


async def test_a_restricted_location_is_a_clear_configuration_error(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    httpserver.expect_request("/api/v3/ticker/price").respond_with_json(
        {"code": 0, "msg": "Service unavailable from a restricted location according to 'b'."},
        status=451,
    )
    with pytest.raises(SourceConfigError) as raised:
        await binance(client, httpserver, clock).start({})
    assert raised.value.reason == "restricted_location"
    assert "restricted location" in raised.value.detail
    assert len(httpserver.log) == 1


async def test_an_invalid_symbol_is_a_configuration_error(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    httpserver.expect_request("/api/v3/ticker/price").respond_with_json(
        {"code": -1121, "msg": "Invalid symbol."}, status=400
    )
    with pytest.raises(SourceConfigError, match="Invalid symbol"):
        await binance(client, httpserver, clock).start({})


async def test_a_ticker_of_another_symbol_is_a_bad_payload(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    httpserver.expect_request("/api/v3/ticker/price").respond_with_json({"code": 0})
    with pytest.raises(SourceError) as raised:
        await binance(client, httpserver, clock).start({})
    assert raised.value.reason == "bad_payload"


async def test_history_is_5_minute_klines_as_backfill_trades(
    client: httpx.AsyncClient, httpserver: HTTPServer, clock: FakeClock
) -> None:
    start = NOW - 900_000
    klines = [
        [
            start + i * 300_000,
            "0.0163",
            "0.0165",
            "0.0162",
            "0.0164",
            "148976.1",
            start + i * 300_000 + 299_999,
            "2434.19",
            308,
            "1756.87",
            "28.46",
            "0",
        ]
        for i in range(3)
    ]
    httpserver.expect_request(
        "/api/v3/klines",
        query_string=f"symbol=BTCUSDT&interval=5m&startTime={start}&endTime={NOW}&limit=1000",
    ).respond_with_json(klines)
    result = await binance(client, httpserver, clock).history("BTC-USDT", start, NOW)
    assert len(result.ticks) == 12
    assert result.ticks[0].event_id == f"binance:BTC-USDT:trade:bar300000-{start}-o"
    assert sum(t.size or 0 for t in result.ticks) == pytest.approx(3 * 148976.1)
