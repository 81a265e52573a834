"""A restart must not close the windows of a series that was quiet when the consumer died.

The reproduction of issue 13: two series on one partition, the consumer killed and
restarted, then a few seconds of ticks of one series only before the other one's next
ticks. Before the fix, the quiet series looked idle since the epoch on its first flush
after the restore: its open windows were written final and its next ticks went late.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable

import pytest
from pymongo import MongoClient

from coinstream_common.mongo import Document
from coinstream_common.ticks import Tick, make_tick, now_ms, trade_event_id
from devstack.processes import ManagedProcess
from tests.support.candle_docs import assert_same_candles, candles, late_records, stored_one
from tests.support.consumer_process import wait_caught_up
from tests.support.pipeline import publish
from tests.support.servers import ServerAddresses

pytestmark = pytest.mark.integration
MINUTE = 60_000


def live_trade(source: str, n: int, event_time: int) -> Tick:
    """A trade stamped as the producer stamps it: ingested now."""
    return make_tick(
        event_id=trade_event_id(source, "BTC-USD", n),
        source=source,
        symbol="BTC-USD",
        kind="trade",
        price=100.0 + n,
        size=1.0,
        event_time=event_time,
        ingest_time=now_ms(),
    )


def test_a_quiet_series_keeps_its_open_windows_and_next_ticks_across_a_restart(
    servers: ServerAddresses,
    new_topic: Callable[..., str],
    run_consumers: Callable[..., ManagedProcess],
    mongo_client: MongoClient[Document],
) -> None:
    bootstrap = servers.kafka_bootstrap
    topic = new_topic(partitions=1)
    suffix = topic.rsplit("-", 1)[-1]
    group, database = f"restarted-{suffix}", f"restarted_{suffix}"
    # The windows' minute starts ahead of now, so that none of this test's ticks reaches
    # its end: kraken's minute stays open in an uninterrupted run.
    minute = (now_ms() // MINUTE + 1) * MINUTE

    publish(
        bootstrap,
        topic,
        [live_trade(s, i, minute + i * 500) for i in range(40) for s in ("coinbase", "kraken")],
    )
    first = run_consumers("first", topic=topic, group=group, database=database)
    wait_caught_up(bootstrap, group, topic, [first])
    first.signal(signal.SIGKILL)
    assert first.stop() == -signal.SIGKILL

    second = run_consumers("second", topic=topic, group=group, database=database)
    # Once the partition is restored (which its first tick makes happen), about 4 s of
    # coinbase alone, then kraken's next 20 ticks, on time.
    publish(bootstrap, topic, [live_trade("coinbase", 40, minute + 40 * 500)])
    wait_caught_up(bootstrap, group, topic, [second])
    for i in range(41, 49):
        time.sleep(0.5)  # each tick on time by the wall clock, as a live source sends it
        publish(bootstrap, topic, [live_trade("coinbase", i, minute + i * 500)])
    publish(bootstrap, topic, [live_trade("kraken", i, minute + i * 500) for i in range(40, 60)])
    wait_caught_up(bootstrap, group, topic, [second])

    # Caught up means committed, and the consumer commits only what it has written.
    db = mongo_client[database]
    kraken = stored_one(db, source="kraken", interval="1m")
    assert kraken is not None
    assert (kraken["count"], kraken["final"]) == (60, False)
    assert late_records(bootstrap, topic) == {}
    assert second.stop() == 0

    # One consumer reading the same topic without a restart stores the same candles.
    steady_db = f"steady_{suffix}"
    steady = run_consumers("steady", topic=topic, group=f"steady-{suffix}", database=steady_db)
    wait_caught_up(bootstrap, f"steady-{suffix}", topic, [steady])
    assert steady.stop() == 0
    assert_same_candles(candles(db), candles(mongo_client[steady_db]))
