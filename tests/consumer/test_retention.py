"""Raw tick retention: how far back periods are kept, and what the settings allow."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pydantic import ValidationError
from pymongo.database import Database

from coinstream_common.mongo import Document
from coinstream_common.ticks import encode_tick
from consumer.app import retention_cutoff
from consumer.raw_ticks import RawTickRepository
from consumer.settings import ConsumerSettings
from consumer.state import RawBatch
from tests.support.candle_docs import raw_offsets
from tests.support.ticks import T0, trade

HOUR = 3_600_000
NOW = 1_800_000_000_000


def test_retention_counts_back_from_the_newest_ingest_time() -> None:
    ingested_long_ago = NOW - 400 * 24 * HOUR
    assert retention_cutoff(NOW, ingested_long_ago, 168 * HOUR) == ingested_long_ago - 168 * HOUR


def test_retention_never_counts_back_from_later_than_now() -> None:
    assert retention_cutoff(NOW, NOW + 5 * HOUR, 168 * HOUR) == NOW - 168 * HOUR


def test_retention_must_cover_the_dedup_window() -> None:
    with pytest.raises(ValidationError, match="cover twice dedup_window_ms"):
        ConsumerSettings(raw_retention_hours=0.3, dedup_window_ms=10 * 60_000)
    assert ConsumerSettings(raw_retention_hours=0.34).raw_retention_hours == 0.34


def store_flushes(db: Database[Document], ticks: list[tuple[int, int]]) -> RawTickRepository:
    """One tick per flush at each (partition, event time), at offsets 0, 1, 2..."""
    raw = RawTickRepository(db)
    for offset, (partition, event_time) in enumerate(ticks):
        tick = trade(100.0, event_time)
        batch = RawBatch("simulated", "BTC-USD", partition)
        batch.add(offset, encode_tick(tick), tick.ingest_time)
        raw.insert_many([batch])
    return raw


@pytest.mark.integration
def test_retention_drops_only_older_periods_of_its_partition(
    new_database: Callable[[], Database[Document]],
) -> None:
    db = new_database()
    raw = store_flushes(db, [(0, T0), (0, T0 + 2 * HOUR), (1, T0)])
    assert raw.drop_ingested_before({0: T0 + HOUR}) == 1
    assert raw_offsets(db) == [(0, 1), (1, 2)]


@pytest.mark.integration
def test_retention_drops_by_each_partitions_own_cutoff(
    new_database: Callable[[], Database[Document]],
) -> None:
    db = new_database()
    raw = store_flushes(db, [(0, T0), (0, T0 + 2 * HOUR), (1, T0), (1, T0 + 2 * HOUR), (2, T0)])
    assert raw.drop_ingested_before({0: T0 + HOUR, 1: T0 + 3 * HOUR}) == 3
    assert raw_offsets(db) == [(0, 1), (2, 4)]


@pytest.mark.integration
def test_a_flush_stores_one_document_per_partition(
    new_database: Callable[[], Database[Document]],
) -> None:
    db = new_database()
    raw = RawTickRepository(db)
    batches = []
    for offset, (symbol, partition) in enumerate([("BTC-USD", 0), ("ETH-USD", 0), ("SOL-USD", 1)]):
        tick = trade(100.0, T0 + offset, symbol=symbol)
        batch = RawBatch("simulated", symbol, partition)
        batch.add(offset, encode_tick(tick), tick.ingest_time)
        batches.append(batch)
    raw.insert_many(batches)
    raw.insert_many(batches)  # a replay: skipped
    assert sorted(doc["series"] for doc in raw.documents()) == [
        ["simulated|BTC-USD", "simulated|ETH-USD"],
        ["simulated|SOL-USD"],
    ]
    seen = raw.recent_event_ids({0: T0, 1: T0}, ("simulated", "ETH-USD"))
    assert list(seen) == [("simulated", "ETH-USD")]
