"""A store in the old layout (a document per candle, one raw tick collection) is refused,
then migrated by command."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import pytest
from pymongo.database import Database

from api.repository import CandleReader
from coinstream_common.candle_store import LEGACY_CANDLES_COLLECTION, LegacyLayout
from coinstream_common.intervals import Interval
from coinstream_common.mongo import Document
from coinstream_common.ticks import encode_tick
from consumer.raw_ticks import LEGACY_RAW_COLLECTION, LegacyRawLayout
from consumer.series import WindowRules
from consumer.state import RawBatch, SeriesSnapshot, raw_document
from consumer.storage import STATES_COLLECTION, ConsumerStore
from tests.support.candle_docs import raw_offsets, stored
from tests.support.candles import candle_series
from tests.support.ticks import T0, trade

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
OLD_RAW_EVENT_ID = "simulated:BTC-USD:old-raw"
RULES = WindowRules(tuple(Interval), 5_000, 600_000, 10_000)


def old_store(db: Database[Document]) -> None:
    """What the consumer wrote before buckets: 30 1m candles (the last open), a state."""
    for candle in candle_series(T0, 30):
        db[LEGACY_CANDLES_COLLECTION].insert_one(
            {"_id": f"simulated|BTC-USD|1m|{candle.start.isoformat()}", **candle.model_dump()}
        )
    state = asdict(SeriesSnapshot("simulated", "BTC-USD", 0, 59, T0, T0, T0, 59))
    del state["open_candles"]
    db[STATES_COLLECTION].insert_one({"_id": "simulated|BTC-USD", **state})
    db[LEGACY_RAW_COLLECTION].insert_one(old_raw_document())


def old_raw_document() -> Document:
    """A batch as the single raw collection held it: a document per series and flush."""
    tick = trade(100.0, T0, event_id=OLD_RAW_EVENT_ID)
    batch = RawBatch("simulated", "BTC-USD", 0)
    batch.add(59, encode_tick(tick), tick.ingest_time)
    document = raw_document(0, [batch]) | {"_id": "simulated|BTC-USD|0|59"}
    del document["series"]
    return document | {"source": "simulated", "symbol": "BTC-USD"}


def test_a_store_with_only_old_raw_ticks_is_refused(
    new_database: Callable[[], Database[Document]],
) -> None:
    db = new_database()
    db[LEGACY_RAW_COLLECTION].insert_one(old_raw_document())
    with pytest.raises(LegacyRawLayout, match=r"python -m consumer\.migrate"):
        ConsumerStore(db).prepare()


def test_an_old_store_is_refused_then_migrated_by_the_command(
    mongo_uri: str, new_database: Callable[[], Database[Document]]
) -> None:
    db = new_database()
    old_store(db)
    with pytest.raises(LegacyLayout, match=r"python -m consumer\.migrate"):
        ConsumerStore(db).prepare()

    env = os.environ | {"MONGO_URI": mongo_uri, "MONGO_DATABASE": db.name}
    done = subprocess.run(
        [sys.executable, "-m", "consumer.migrate"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert LEGACY_CANDLES_COLLECTION not in db.list_collection_names()
    assert LEGACY_RAW_COLLECTION not in db.list_collection_names()
    assert len(stored(db, interval="1m")) == 30
    assert raw_offsets(db) == [(0, 59)]
    ConsumerStore(db).prepare()  # accepted now

    # The restore reads back the open window; the API reads the history.
    [series] = ConsumerStore(db).restore_partitions([0], RULES)
    assert [candle.count for candle in series.windows.values()] == [2]
    assert set().union(*series.seen_buckets.values()) == {OLD_RAW_EVENT_ID}
    rows = CandleReader(db).newest("simulated", "BTC-USD", Interval.M1, 30)
    assert len(rows) == 30
    assert [r["final"] for r in rows[:2]] == [False, True]
