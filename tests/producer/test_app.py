"""The whole producer loop against a local Coinbase and the real broker: backfill once,
resume from the checkpoint after a restart with no trade missed or repeated, and a
configuration error that stops the start."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from pytest_httpserver import HTTPServer

from coinstream_common.ticks import Tick
from producer.clock import SystemClock
from producer.sources.base import SourceConfigError
from producer.sources.binance import BinanceSource
from producer.sources.coinbase import CoinbaseSource
from tests.support.fake_coinbase import FakeCoinbase
from tests.support.http_sources import http_client, source_http
from tests.support.producer_run import ProducerRun
from tests.support.topics import read_ticks
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration


async def wait_for_ticks(bootstrap: str, topic: str, count: int) -> None:
    """In a thread, so that the producer runs on meanwhile in this test's event loop."""
    await asyncio.to_thread(
        wait_until,
        lambda: len(read_ticks(bootstrap, topic)),
        lambda arrived: arrived >= count,
        what=f"{count} ticks to arrive",
        timeout_s=60,
        interval_s=0.3,
    )


def trade_number(tick: Tick) -> int:
    return int(tick.event_id.rsplit(":", 1)[1])


async def test_restarts_resume_from_the_checkpoint_and_backfill_only_once(
    kafka_bootstrap: str,
    new_topic: Callable[..., str],
    new_checkpoint_topic: Callable[[], str],
    httpserver: HTTPServer,
) -> None:
    topic, checkpoints = new_topic(), new_checkpoint_topic()
    exchange = FakeCoinbase()
    exchange.add_trades(1, 100)
    exchange.install(httpserver)
    async with http_client() as client:

        def coinbase() -> CoinbaseSource:
            http = source_http(client, httpserver.url_for(""), SystemClock(), source="coinbase")
            return CoinbaseSource(http, symbols=["BTC-USD"], poll_interval_s=0.1)

        first = ProducerRun(kafka_bootstrap, topic, checkpoints)
        running = first.start([coinbase()])
        await asyncio.to_thread(
            wait_until,
            lambda: any(r.path.endswith("/trades") for r, _ in httpserver.log),
            what="the source to start at the newest trade, 100",
            interval_s=0.05,
        )
        exchange.add_trades(101, 1300)
        await wait_for_ticks(kafka_bootstrap, topic, 12 + 1200)
        first.stop.set()
        await running

        exchange.add_trades(1301, 1450)  # while the producer is down
        second = ProducerRun(kafka_bootstrap, topic, checkpoints)
        running = second.start([coinbase()])
        await wait_for_ticks(kafka_bootstrap, topic, 12 + 1350)
        second.stop.set()
        await running

    ticks = await asyncio.to_thread(read_ticks, kafka_bootstrap, topic)
    live = sorted(trade_number(t) for t in ticks if not t.backfill)
    assert live == list(range(101, 1451))  # every trade, once
    assert sum(t.backfill for t in ticks) == 12  # three candles, four ticks each
    candle_requests = [r for r, _ in httpserver.log if r.path.endswith("/candles")]
    assert len(candle_requests) == 1  # the second run found the backfill marker


async def test_a_configuration_error_stops_the_start_before_anything_is_published(
    kafka_bootstrap: str,
    new_topic: Callable[..., str],
    new_checkpoint_topic: Callable[[], str],
    httpserver: HTTPServer,
) -> None:
    topic = new_topic()
    httpserver.expect_request("/api/v3/ticker/price").respond_with_json(
        {"code": 0, "msg": "Service unavailable from a restricted location"}, status=451
    )
    async with http_client() as client:
        http = source_http(client, httpserver.url_for(""), SystemClock(), source="binance")
        source = BinanceSource(http, symbols=["BTC-USDT"], poll_interval_s=1)
        run = ProducerRun(kafka_bootstrap, topic, new_checkpoint_topic())
        with pytest.raises(SourceConfigError) as raised:
            await run.start([source])
    assert raised.value.reason == "restricted_location"
    assert len(httpserver.log) == 1
    assert await asyncio.to_thread(read_ticks, kafka_bootstrap, topic) == []
