"""Known ticks through the real broker and the real consumer into the real Mongo server."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import pytest
from pymongo.database import Database

from coinstream_common.epoch import to_datetime
from coinstream_common.mongo import Document
from tests.support.candle_docs import counting, stored, stored_one
from tests.support.consumer_process import committed_lag
from tests.support.pipeline import publish, running_consumer
from tests.support.ticks import T0, trade
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration
MINUTE = 60_000


def candles(db: Database[Document]) -> dict[tuple[str, object], Document]:
    return {(doc["symbol"], doc["start"]): doc for doc in stored(db, interval="1m")}


def test_known_ticks_become_exactly_the_hand_computed_candles(
    kafka_bootstrap: str,
    new_topic: Callable[..., str],
    new_group: Callable[[], str],
    new_database: Callable[[], Database[Document]],
) -> None:
    topic, group, db = new_topic(), new_group(), new_database()
    publish(
        kafka_bootstrap,
        topic,
        [
            trade(100.0, T0 + 1_000, size=1.0),
            trade(110.0, T0 + 30_000, size=2.0),
            trade(90.0, T0 + 15_000, size=1.0),  # arrives after a later tick
            trade(3000.0, T0 + 5_000, size=2.0, symbol="ETH-USD"),
            trade(120.0, T0 + MINUTE + 1_000, size=0.5),
            trade(80.0, T0 + MINUTE + 10_000, size=1.0),  # watermark passes T0 + 1 min
        ],
        raw=[b"not json", b'{"schema_version": 9}'],
    )
    with running_consumer(kafka_bootstrap, topic, group, db, intervals="1m"):
        wait_until(
            lambda: candles(db),
            lambda got: len(got) == 3 and got[("BTC-USD", to_datetime(T0))]["final"],
            what="three candles, BTC-USD's first minute final",
        )

    got = candles(db)
    first = got[("BTC-USD", to_datetime(T0))]
    assert (first["open"], first["high"], first["low"], first["close"]) == (
        100.0,
        110.0,
        90.0,
        110.0,
    )
    assert (first["count"], first["volume"], first["mean"]) == (3, 4.0, 100.0)
    assert first["vwap"] == pytest.approx(410.0 / 4.0)
    assert first["end"] - first["start"] == timedelta(minutes=1)
    assert first["final"] is True

    second = got[("BTC-USD", to_datetime(T0 + MINUTE))]
    assert (second["open"], second["high"], second["low"], second["close"]) == (
        120.0,
        120.0,
        80.0,
        80.0,
    )
    assert (second["count"], second["volume"], second["mean"]) == (2, 1.5, 100.0)
    assert second["vwap"] == pytest.approx(140.0 / 1.5)
    assert second["final"] is False

    eth = got[("ETH-USD", to_datetime(T0))]
    assert (eth["open"], eth["close"], eth["count"], eth["volume"]) == (3000.0, 3000.0, 1, 2.0)


def test_a_restarted_consumer_continues_the_open_candle(
    kafka_bootstrap: str,
    new_topic: Callable[..., str],
    new_group: Callable[[], str],
    new_database: Callable[[], Database[Document]],
) -> None:
    topic, group, db = new_topic(), new_group(), new_database()
    start = to_datetime(T0)

    def btc() -> Document | None:
        return stored_one(db, symbol="BTC-USD", interval="1m", start=start)

    publish(kafka_bootstrap, topic, [trade(100.0, T0 + 1_000), trade(105.0, T0 + 2_000)])
    with running_consumer(kafka_bootstrap, topic, group, db, intervals="1m"):
        wait_until(btc, counting(2), what="the minute to count 2 ticks")

    publish(kafka_bootstrap, topic, [trade(95.0, T0 + 3_000, size=2.0)])
    with running_consumer(kafka_bootstrap, topic, group, db, intervals="1m"):
        wait_until(btc, counting(3), what="the minute to count 3 ticks")

    doc = btc()
    assert doc is not None
    assert (doc["open"], doc["high"], doc["low"], doc["close"]) == (100.0, 105.0, 95.0, 95.0)
    assert (doc["count"], doc["volume"]) == (3, 4.0)


def test_a_consumer_started_after_a_stop_knows_the_ids_it_handed_over(
    kafka_bootstrap: str,
    new_topic: Callable[..., str],
    new_group: Callable[[], str],
    new_database: Callable[[], Database[Document]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    topic, group, db = new_topic(), new_group(), new_database()
    start = to_datetime(T0)
    first = trade(100.0, T0 + 1_000)

    def btc() -> Document | None:
        return stored_one(db, symbol="BTC-USD", interval="1m", start=start)

    publish(kafka_bootstrap, topic, [first, trade(105.0, T0 + 2_000)])
    with running_consumer(kafka_bootstrap, topic, group, db, intervals="1m"):
        wait_until(btc, counting(2), what="the minute to count 2 ticks")
    # Only the stop's handover can know the first tick's id now.
    for name in db.list_collection_names():
        if name.startswith("ticks_raw_"):
            db.drop_collection(name)

    publish(kafka_bootstrap, topic, [first, trade(95.0, T0 + 3_000)])  # re-sent, and a new one
    with (
        caplog.at_level(logging.INFO, logger="consumer.app"),
        running_consumer(kafka_bootstrap, topic, group, db, intervals="1m"),
    ):
        wait_until(
            lambda: committed_lag(kafka_bootstrap, group, topic),
            lambda lag: lag == 0,
            what="the consumer to commit every message",
        )

    doc = btc()
    assert doc is not None
    assert (doc["count"], doc["close"]) == (3, 95.0)
    restored = [r for r in caplog.records if r.getMessage() == "partition restored"]
    assert [getattr(r, "ids_from", None) for r in restored] == ["handover"]
