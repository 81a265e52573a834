"""Restoring several partitions at once: one read of the store, each partition's own
dedup horizon (ConsumerStore.restore_partitions); or a stop's handover, with no read of
raw ticks (ConsumerStore.restore)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from pymongo.database import Database

from coinstream_common.intervals import Interval
from coinstream_common.mongo import Document
from coinstream_common.ticks import encode_tick
from consumer.handover import DedupHandover
from consumer.series import WindowRules
from consumer.state import RawBatch, SeriesSnapshot
from consumer.storage import STATES_COLLECTION, ConsumerStore
from tests.support.candles import candle_series
from tests.support.ticks import T0, trade

pytestmark = pytest.mark.integration
DEDUP_MS = 600_000  # T0 is a multiple of it: dedup buckets start at T0 + n * DEDUP_MS
RULES = WindowRules(tuple(Interval), 5_000, DEDUP_MS, 10_000)


def store_series(store: ConsumerStore, symbol: str, partition: int, times: list[int]) -> None:
    """Raw ticks of one series at these event times (ingested 5 ms later), and a snapshot
    after the last of them."""
    batch = RawBatch("simulated", symbol, partition)
    for offset, event_time in enumerate(times):
        tick = trade(100.0, event_time, symbol=symbol, event_id=f"{symbol}-{offset}")
        batch.add(offset, encode_tick(tick), tick.ingest_time)
    store.raw.insert_many([batch])
    last = len(times) - 1
    snapshot = SeriesSnapshot(
        "simulated", symbol, partition, last, times[-1], times[-1], times[-1] + 5, last
    )
    store.snapshots.save_many([snapshot])


def test_each_partition_restores_its_series_with_ids_of_its_own_dedup_horizon(
    new_database: Callable[[], Database[Document]],
) -> None:
    store = ConsumerStore(new_database())
    store.prepare()
    # Partition 0's newest tick is 3 dedup windows in: its horizon starts at T0 + 2 windows.
    store_series(store, "BTC-USD", 0, [T0, T0 + 3 * DEDUP_MS])
    # Partition 1's is 1 window in: its horizon starts at T0, so its first tick counts.
    store_series(store, "ETH-USD", 1, [T0, T0 + DEDUP_MS])
    store_series(store, "SOL-USD", 2, [T0])  # not asked for

    restored = store.restore_partitions([0, 1], RULES)

    seen = {s.symbol: sorted(s.restored_offsets) for s in restored}
    assert seen == {"BTC-USD": ["BTC-USD-1"], "ETH-USD": ["ETH-USD-0", "ETH-USD-1"]}
    assert {s.symbol: s.partition for s in restored} == {"BTC-USD": 0, "ETH-USD": 1}


def test_partitions_without_saved_state_restore_nothing(
    new_database: Callable[[], Database[Document]],
) -> None:
    store = ConsumerStore(new_database())
    store.prepare()
    store_series(store, "BTC-USD", 0, [T0])
    assert store.restore_partitions([1, 2], RULES) == []


def test_open_candles_are_one_binary_value_and_old_snapshots_still_read(
    new_database: Callable[[], Database[Document]],
) -> None:
    db = new_database()
    store = ConsumerStore(db)
    store.prepare()
    open_candles = tuple(candle_series(T0, 2, symbol="BTC-USD"))
    snapshot = SeriesSnapshot(
        "simulated", "BTC-USD", 0, 9, T0, T0, T0 + 5, 9, open_candles=open_candles
    )
    store.snapshots.save_many([snapshot])
    saved = db[STATES_COLLECTION].find_one({"_id": snapshot.key})
    assert saved is not None
    assert isinstance(saved["open_candles"], bytes)
    assert store.snapshots.for_partitions([0]) == [snapshot]

    # As a snapshot saved before open candles were binary holds them.
    as_documents = [c.model_dump(mode="python") for c in open_candles]
    db[STATES_COLLECTION].update_one(
        {"_id": snapshot.key}, {"$set": {"open_candles": as_documents}}
    )
    assert store.snapshots.for_partitions([0]) == [snapshot]


def test_a_partition_whose_replay_starts_at_its_handover_restores_ids_from_it_alone(
    new_database: Callable[[], Database[Document]],
) -> None:
    db = new_database()
    store = ConsumerStore(db)
    store.prepare()
    store_series(store, "BTC-USD", 0, [T0, T0 + 1_000])  # raw ids BTC-USD-0 and -1
    [saved] = store.snapshots.for_partitions([0])
    given_over = DedupHandover(2, {T0 // DEDUP_MS: ["handed-over"]})
    store.snapshots.save_many([replace(saved, handover=given_over)])
    stored_handover = db[STATES_COLLECTION].find_one({"_id": saved.key}, {"handover": True})
    assert stored_handover is not None
    assert isinstance(stored_handover["handover"], bytes)
    [snapshot] = store.snapshots.for_partitions([0])
    assert snapshot.handover is not None
    assert snapshot.handover.position == 2
    assert dict(snapshot.handover.ids) == {T0 // DEDUP_MS: ["handed-over"]}

    def ids_restored(reading: int) -> set[str]:
        [series] = store.restore([snapshot], {0: reading}, RULES)
        return set().union(*series.seen_buckets.values())

    # Only the handover's ids: the raw ticks were not read.
    assert ids_restored(2) == {"handed-over"}
    # A replay from elsewhere (a failed commit, a later run) reads the raw ticks instead.
    assert ids_restored(1) == {"BTC-USD-0", "BTC-USD-1"}
