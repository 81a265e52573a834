"""A day of history, then live ticks: each history candle is written once, already final.

Before, a flush between the history and the first live tick wrote every history window
open, and the next flush rewrote them all as final: a day of 1-minute history made over
a thousand rewrites in one flush, which froze FerretDB (docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pymongo import MongoClient, monitoring
from pymongo.database import Database

from coinstream_common.candle_buckets import BUCKETS_COLLECTION
from coinstream_common.mongo import Document
from coinstream_common.ticks import Tick, make_tick, now_ms, trade_event_id
from tests.support.candle_docs import stored
from tests.support.pipeline import flushes_written, messages_consumed, publish, running_consumer
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration
MINUTE = 60_000
DAY = 24 * 60 * MINUTE


class CandleWrites(monitoring.CommandListener):
    """Candles written: each a slot `$set` in an update of its bucket."""

    def __init__(self) -> None:
        self.slots = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "update" and event.command["update"] == BUCKETS_COLLECTION:
            for update in event.command["updates"]:
                self.slots += sum(key.startswith("c.") for key in update["u"]["$set"])

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        del event

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        del event


def simulated_trade(n: int, event_time: int, ingest_time: int, *, backfill: bool) -> Tick:
    return make_tick(
        event_id=trade_event_id("simulated", "BTC-USD", n),
        source="simulated",
        symbol="BTC-USD",
        kind="trade",
        price=100.0 + n % 7,
        size=1.0,
        event_time=event_time,
        ingest_time=ingest_time,
        backfill=backfill,
    )


def test_history_candles_are_written_once_and_final(
    kafka_bootstrap: str,
    mongo_uri: str,
    new_topic: Callable[..., str],
    new_group: Callable[[], str],
    new_database: Callable[[], Database[Document]],
) -> None:
    topic, group, name = new_topic(partitions=1), new_group(), new_database().name
    writes = CandleWrites()
    client: MongoClient[Document] = MongoClient(mongo_uri, tz_aware=True, event_listeners=[writes])
    db = client[name]
    # History up to the minute before the live tick's: every history window but those
    # that also hold the live tick (its 5m, 1h and 1d) is closed once that tick is read.
    minute = now_ms() // MINUTE * MINUTE
    history = [
        simulated_trade(i, minute - DAY + i * MINUTE + 1_000, now_ms(), backfill=True)
        for i in range(1440)
    ]
    publish(kafka_bootstrap, topic, history)
    read = messages_consumed()
    with running_consumer(kafka_bootstrap, topic, group, db):
        wait_until(
            messages_consumed, lambda n: n >= read + len(history), what="the whole history read"
        )
        flushed = flushes_written()
        wait_until(
            flushes_written,
            lambda n: n >= flushed + 10,
            what="ten flushes (every 100 ms here) before the first live tick",
        )
        publish(
            kafka_bootstrap,
            topic,
            [simulated_trade(1440, minute + 30_000, now_ms(), backfill=False)],
        )
        wait_until(
            lambda: len(stored(db, final=False)),
            lambda open_windows: open_windows == 4,
            what="the live tick's four open windows",
        )
    candles, final = len(stored(db)), len(stored(db, final=True))
    client.close()
    assert final == candles - 4
    assert writes.slots == candles  # every candle written once
