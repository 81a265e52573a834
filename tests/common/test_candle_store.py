"""Candles in their buckets on the real server: each slot one binary value, slots
written as documents before that still read, and replicas that prepare the collections
together."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pymongo.database import Database
from pymongo.errors import OperationFailure

from api.repository import PUBLIC_FIELDS, CandleReader
from coinstream_common.candle_buckets import (
    BUCKET_FIELDS,
    BUCKETS_COLLECTION,
    SERIES_COLLECTION,
    bucket_id,
    bucket_of,
    candle_of,
    slot_of,
    slot_value,
)
from coinstream_common.candle_store import NAMESPACE_EXISTS, CandleRepository
from coinstream_common.candles import Candle
from coinstream_common.epoch import to_epoch_ms as to_ms
from coinstream_common.intervals import Interval
from coinstream_common.mongo import Document
from tests.support.candles import candle_series
from tests.support.ticks import T0

HEADER = {"source": "simulated", "symbol": "BTC-USD", "interval": "1m", "partition": 0}


@given(
    count=st.integers(1, 40),
    base=st.floats(1e-6, 1e9, allow_nan=False),
    interval=st.sampled_from(list(Interval)),
)
def test_a_slot_holds_its_candle_exactly(count: int, base: float, interval: Interval) -> None:
    for candle in candle_series(
        T0 - T0 % interval.millis, count, interval=interval, base_price=base
    ):
        header = {**HEADER, "interval": interval.value}
        assert candle_of(header, slot_value(candle)) == candle


@pytest.mark.integration
def test_collections_another_replica_created_meanwhile_are_taken_as_they_are(
    new_database: Callable[[], Database[Document]], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = new_database()
    first, second = CandleRepository(db), CandleRepository(db)
    # The second replica looked before the first created anything.
    monkeypatch.setattr(type(db), "list_collection_names", lambda _self, **_: [])
    first.ensure_collections()
    second.ensure_collections()
    monkeypatch.undo()
    assert {BUCKETS_COLLECTION, SERIES_COLLECTION} <= set(db.list_collection_names())
    # What the replica was spared: the server's answer to creating a collection again.
    with pytest.raises(OperationFailure) as raised:
        db.create_collection(BUCKETS_COLLECTION, check_exists=False)
    assert raised.value.code == NAMESPACE_EXISTS


@pytest.mark.integration
def test_a_slot_is_one_binary_value_that_reads_back_as_written(
    new_database: Callable[[], Database[Document]],
) -> None:
    db = new_database()
    candles = candle_series(T0, 3)
    CandleRepository(db).upsert_many(candles)
    bucket = db[BUCKETS_COLLECTION].find_one()
    assert bucket is not None
    assert all(isinstance(slot, bytes) for slot in bucket["c"].values())
    assert list(CandleRepository(db).all_candles()) == candles
    rows = page(db, candles)
    assert rows == [c.model_dump(include=set(PUBLIC_FIELDS)) for c in candles]


@pytest.mark.integration
def test_slots_written_as_documents_still_read_and_turn_binary_when_rewritten(
    new_database: Callable[[], Database[Document]],
) -> None:
    db = new_database()
    repository = CandleRepository(db)
    candles = candle_series(T0, 3)
    repository.upsert_many(candles)  # the series document and the bucket
    as_documents = {
        slot_of(to_ms(c.start), Interval.M1): c.model_dump(exclude=set(BUCKET_FIELDS))
        for c in candles
    }
    _id = bucket_id("simulated", "BTC-USD", Interval.M1, bucket_of(T0, Interval.M1))
    db[BUCKETS_COLLECTION].update_one({"_id": _id}, {"$set": {"c": as_documents}})

    assert list(repository.all_candles()) == candles
    assert page(db, candles) == [c.model_dump(include=set(PUBLIC_FIELDS)) for c in candles]
    rewritten = candles[1].model_copy(update={"final": True})
    repository.upsert_many([rewritten])
    bucket = db[BUCKETS_COLLECTION].find_one({"_id": _id})
    assert bucket is not None
    slots = bucket["c"]
    assert [isinstance(slots[s], bytes) for s in sorted(slots, key=int)] == [False, True, False]
    stored = sorted(repository.all_candles(), key=lambda c: c.start)
    assert stored == [candles[0], rewritten, candles[2]]


def page(db: Database[Document], candles: list[Candle]) -> list[Document]:
    start = candles[0].start
    return CandleReader(db).page(
        "simulated",
        "BTC-USD",
        Interval.M1,
        start=start,
        end=start + timedelta(days=1),
        after=None,
        limit=100,
    )
