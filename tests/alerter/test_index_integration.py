"""The composite index end to end on the real broker and server: the alerter publishes
index ticks, the candle consumer folds them into candles of source `index`."""

from __future__ import annotations

import signal
from collections.abc import Callable

import pytest
from pymongo import MongoClient

from api.repository import CandleReader
from coinstream_common.intervals import Interval
from coinstream_common.mongo import Document
from devstack.processes import ManagedProcess
from tests.support.consumer_process import wait_caught_up
from tests.support.pipeline import publish
from tests.support.servers import ServerAddresses
from tests.support.ticks import T0, trade
from tests.support.topics import create_topic, read_ticks

pytestmark = pytest.mark.integration
SECOND = 1000
# IDX-USD from three sources; the index after each tick (INDEX_MAX_DEVIATION_PCT 2):
PATH = [
    ("coinbase", 0, 100.0),  # none: one source
    ("kraken", 1, 102.0),  # 101: the median of two
    ("binance", 2, 150.0),  # 101: binance is 48 % from the median of the others: out
    ("coinbase", 3, 104.0),  # 103: binance out again
    ("kraken", 4, 98.0),  # 101: binance the farthest from the others' median, out
]


def index_candle(mongo_client: MongoClient[Document], database: str) -> Document | None:
    rows = CandleReader(mongo_client[database]).newest("index", "IDX-USD", Interval.M1, 1)
    return rows[0] if rows else None


def test_index_candles_are_the_median_of_the_sources_without_the_outlier_once_each(
    run_alerter: Callable[..., ManagedProcess],
    run_consumers: Callable[..., ManagedProcess],
    servers: ServerAddresses,
    new_topic: Callable[..., str],
    new_group: Callable[[], str],
    mongo_client: MongoClient[Document],
) -> None:
    topic, group = new_topic(), new_group()
    database = f"index_{group}"
    create_topic(servers.kafka_bootstrap, f"{topic}.alerts")
    ticks = [trade(price, T0 + s * SECOND, symbol="IDX-USD", source=src) for src, s, price in PATH]
    publish(servers.kafka_bootstrap, topic, ticks)
    consumer = run_consumers("consumer", topic=topic, group=f"{group}-candles", database=database)

    def run(alerter_group: str) -> ManagedProcess:
        return run_alerter(
            topic=topic,
            group=alerter_group,
            database=database,
            alerts_topic=f"{topic}.alerts",
            rules="rules: []",
            index=True,
        )

    first = run(group)
    wait_caught_up(servers.kafka_bootstrap, group, topic, [first], timeout_s=60)
    wait_caught_up(servers.kafka_bootstrap, f"{group}-candles", topic, [consumer], timeout_s=60)
    candle = index_candle(mongo_client, database)
    assert candle is not None
    assert (candle["open"], candle["high"], candle["low"], candle["close"]) == (101, 103, 101, 101)
    assert candle["count"] == 4

    # A crash, and an alerter of a new group that reads every tick again (its own index
    # ticks among them): the same index ticks, which the consumer counts once.
    first.signal(signal.SIGKILL)
    first.stop()
    again = new_group()
    second = run(again)
    wait_caught_up(servers.kafka_bootstrap, again, topic, [second], timeout_s=60)
    # It commits only behind acknowledged index ticks, and reads its own back: caught up,
    # it has published them all.
    published = [t for t in read_ticks(servers.kafka_bootstrap, topic) if t.source == "index"]
    assert len(published) == 8
    assert len({t.event_id for t in published}) == 4
    wait_caught_up(servers.kafka_bootstrap, f"{group}-candles", topic, [consumer], timeout_s=60)
    candle = index_candle(mongo_client, database)
    assert candle is not None
    assert (candle["close"], candle["count"]) == (101, 4)
