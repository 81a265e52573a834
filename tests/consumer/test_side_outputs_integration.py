"""Bad, late and repeated input against the real broker and Mongo server."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pymongo.database import Database

from coinstream_common.epoch import to_datetime
from coinstream_common.mongo import Document
from coinstream_common.ticks import encode_tick
from tests.support.candle_docs import counting, raw_offsets, stored_one
from tests.support.pipeline import (
    flushes_written,
    headers_of,
    publish,
    read_topic,
    running_consumer,
)
from tests.support.ticks import T0, trade
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration
MINUTE = 60_000
MakeTopic = Callable[..., str]
MakeGroup = Callable[[], str]
MakeDatabase = Callable[[], Database[Document]]


def one_minute(db: Database[Document], symbol: str = "BTC-USD", start: int = T0) -> Document | None:
    return stored_one(db, symbol=symbol, interval="1m", start=to_datetime(start))


def test_malformed_messages_go_to_the_dead_letter_topic_and_change_nothing(
    kafka_bootstrap: str, new_topic: MakeTopic, new_group: MakeGroup, new_database: MakeDatabase
) -> None:
    topic, group, db = new_topic(partitions=1), new_group(), new_database()
    bad = [b"not json", b'{"schema_version": 2}', b'{"price": -1}', b""]
    publish(kafka_bootstrap, topic, [trade(100.0, T0 + 1_000)], raw=bad)
    publish(kafka_bootstrap, topic, [trade(101.0, T0 + 2_000)])
    with running_consumer(kafka_bootstrap, topic, group, db, intervals="1m"):
        wait_until(lambda: one_minute(db), counting(2), what="the minute to count 2 ticks")
        dead = read_topic(kafka_bootstrap, f"{topic}.dlq", len(bad))
    assert [m.value() or b"" for m in dead] == bad
    headers = [headers_of(m) for m in dead]
    assert [h["source_offset"] for h in headers] == ["1", "2", "3", "4"]
    assert {h["source_partition"] for h in headers} == {"0"}
    assert [h["field"] for h in headers] == ["json", "schema_version", "price", "json"]
    assert all(h["reason"] and h["source_topic"] == topic for h in headers)
    doc = one_minute(db)
    assert doc is not None
    assert (doc["count"], doc["open"], doc["close"]) == (2, 100.0, 101.0)


def test_late_ticks_go_to_the_late_topic_and_still_count_where_on_time(
    kafka_bootstrap: str, new_topic: MakeTopic, new_group: MakeGroup, new_database: MakeDatabase
) -> None:
    topic, group, db = new_topic(partitions=1), new_group(), new_database()
    late = trade(90.0, T0 + 30_000)
    publish(
        kafka_bootstrap, topic, [trade(100.0, T0 + 10_000), trade(100.0, T0 + 3 * MINUTE), late]
    )
    with running_consumer(kafka_bootstrap, topic, group, db, intervals="1m,1h"):
        [record] = read_topic(kafka_bootstrap, f"{topic}.late", 1)
        wait_until(
            lambda: stored_one(db, interval="1h"), counting(3), what="the hour to count 3 ticks"
        )
    headers = headers_of(record)
    assert (headers["reason"], headers["intervals"], headers["source_offset"]) == (
        "late",
        "1m",
        "2",
    )
    assert record.value() == encode_tick(late)
    minute = one_minute(db)
    assert minute is not None
    assert (minute["count"], minute["low"], minute["final"]) == (1, 100.0, True)


def test_a_resent_tick_counts_once_even_across_a_restart(
    kafka_bootstrap: str, new_topic: MakeTopic, new_group: MakeGroup, new_database: MakeDatabase
) -> None:
    topic, group, db = new_topic(), new_group(), new_database()
    tick = trade(100.0, T0 + 1_000, size=2.0)
    publish(kafka_bootstrap, topic, [tick, tick])
    with running_consumer(kafka_bootstrap, topic, group, db, intervals="1m"):
        wait_until(lambda: one_minute(db), counting(1), what="the minute to count 1 tick")
    publish(kafka_bootstrap, topic, [tick, trade(50.0, T0 + 2_000)])
    with running_consumer(kafka_bootstrap, topic, group, db, intervals="1m"):
        wait_until(lambda: one_minute(db), counting(2), what="the minute to count 2 ticks")
    doc = one_minute(db)
    assert doc is not None
    assert (doc["count"], doc["volume"], doc["close"]) == (2, 3.0, 50.0)


def test_a_restarted_consumer_keeps_the_raw_ticks_dedup_needs_however_old(
    kafka_bootstrap: str, new_topic: MakeTopic, new_group: MakeGroup, new_database: MakeDatabase
) -> None:
    """The test ticks were ingested in 2024, far beyond the 7-day retention: a consumer
    that flushes (and so runs retention) before its first message must not delete the
    buckets its restore then reads to recognise a re-sent tick."""
    topic, group, db = new_topic(), new_group(), new_database()
    tick = trade(100.0, T0 + 1_000, size=2.0)
    publish(kafka_bootstrap, topic, [tick])
    with running_consumer(kafka_bootstrap, topic, group, db, intervals="1m"):
        wait_until(lambda: one_minute(db), counting(1), what="the minute to count 1 tick")
    with running_consumer(
        kafka_bootstrap, topic, group, db, intervals="1m", raw_retention_every_s=0.05
    ):
        flushed = flushes_written()
        # Retention is due at each flush (every 100 ms here), with nothing read yet.
        wait_until(flushes_written, lambda n: n >= flushed + 10, what="ten flushes")
        assert len(raw_offsets(db)) == 1
        publish(kafka_bootstrap, topic, [tick, trade(50.0, T0 + 2_000)])
        wait_until(
            lambda: one_minute(db),
            lambda doc: doc is not None and doc["close"] == 50.0,
            what="the minute to close at the new tick's 50.0",
        )
    doc = one_minute(db)
    assert doc is not None
    assert (doc["count"], doc["volume"]) == (2, 3.0)


def test_backfill_lands_in_history_even_after_live_ticks(
    kafka_bootstrap: str, new_topic: MakeTopic, new_group: MakeGroup, new_database: MakeDatabase
) -> None:
    topic, group, db = new_topic(), new_group(), new_database()
    publish(
        kafka_bootstrap, topic, [trade(100.0, T0 + 10 * MINUTE), trade(101.0, T0 + 20 * MINUTE)]
    )
    with running_consumer(kafka_bootstrap, topic, group, db, intervals="1m,1h"):
        wait_until(
            lambda: one_minute(db, start=T0 + 10 * MINUTE),
            lambda doc: doc is not None and doc["final"],
            what="the minute at 10 min to be final",
        )
    history = [
        trade(95.0, T0 + 10 * MINUTE + 5_000, backfill=True),
        trade(90.0, T0 + 5_000, backfill=True),
    ]
    publish(kafka_bootstrap, topic, history)
    with running_consumer(kafka_bootstrap, topic, group, db, intervals="1m,1h"):
        wait_until(
            lambda: one_minute(db), lambda doc: doc is not None, what="the history's first minute"
        )
        wait_until(
            lambda: stored_one(db, interval="1h"), counting(4), what="the hour to count 4 ticks"
        )
    extended = one_minute(db, start=T0 + 10 * MINUTE)
    assert extended is not None
    assert (extended["count"], extended["low"], extended["final"]) == (2, 95.0, True)
    hour = stored_one(db, interval="1h")
    assert hour is not None
    assert (hour["open"], hour["close"], hour["low"]) == (90.0, 101.0, 90.0)
