"""Move a store written before candle buckets or raw tick periods: `python -m consumer.migrate`.

Before candle buckets (coinstream_common/candle_buckets.py), each candle was a document of
the `candles` collection, and a series' saved state did not list its open windows. The
consumer and the API refuse such a store rather than read half of it. This command, run
once with the consumer stopped, writes every candle into its bucket, gives each saved state
the candles a restore starts from (those the old restore read back: open ones, and those
written after the state), checks that every candle arrived, and only then drops `candles`. It
reads the old collection once; run again after an interruption, it finishes the job.

Before raw tick periods (consumer/raw_ticks.py), raw ticks were kept in one `ticks_raw`
collection. The command moves each stored batch into its partition's period, checks that
every one arrived, and drops the old collection.
"""

from __future__ import annotations

import logging
import sys
from collections import defaultdict

from pymongo.database import Database

from coinstream_common.candle_store import LEGACY_CANDLES_COLLECTION, CandleRepository
from coinstream_common.candles import Candle
from coinstream_common.logs import configure_logging
from coinstream_common.mongo import Document, connect, database
from coinstream_common.settings import LogSettings, MongoSettings
from consumer.raw_ticks import LEGACY_RAW_COLLECTION, RawTickRepository, raw_collection_name
from consumer.storage import STATES_COLLECTION

log = logging.getLogger("consumer.migrate")
BATCH = 2_000


def migrate_candles(db: Database[Document]) -> int:
    """Move every legacy candle into buckets; returns how many moved."""
    legacy, states = db[LEGACY_CANDLES_COLLECTION], db[STATES_COLLECTION]
    saved_at = {(s["source"], s["symbol"]): s["offset"] for s in states.find()}
    repository = CandleRepository(db)
    repository.ensure_collections()
    moved, batch = 0, []
    # Per series, the candles the old restore read back: open ones, and those written
    # after the series' saved state (a crash between its candles and its state).
    to_restore: dict[tuple[str, str], list[Document]] = defaultdict(list)
    for doc in legacy.find():
        candle = Candle.model_validate(doc)
        batch.append(candle)
        series = (candle.source, candle.symbol)
        if not candle.final or candle.offset > saved_at.get(series, -1):
            to_restore[series].append(candle.model_dump(mode="python"))
        if len(batch) == BATCH:
            repository.upsert_many(batch)
            moved, batch = moved + len(batch), []
    repository.upsert_many(batch)
    moved += len(batch)
    for source, symbol in saved_at:
        states.update_one(
            {"_id": f"{source}|{symbol}"},  # SeriesSnapshot.key
            {"$set": {"open_candles": to_restore.get((source, symbol), [])}},
        )
    stored = sum(1 for _ in repository.all_candles())
    if stored < moved:
        raise RuntimeError(f"moved {moved} candles but the buckets hold {stored}: not dropped")
    legacy.drop()
    return moved


def migrate_raw_ticks(db: Database[Document]) -> int:
    """Move every raw tick batch into its period; returns how many moved."""
    legacy, repository = db[LEGACY_RAW_COLLECTION], RawTickRepository(db)
    moved, batches = 0, defaultdict[str, list[Document]](list)
    for doc in legacy.find():
        name = raw_collection_name(doc["partition"], doc["max_ingest_time"])
        batches[name].append(doc)
        if len(batches[name]) == BATCH:
            repository.insert_documents(name, batches.pop(name))
        moved += 1
    for name, docs in batches.items():
        repository.insert_documents(name, docs)
    stored = sum(1 for _ in repository.documents())
    if stored < moved:
        raise RuntimeError(f"moved {moved} raw batches but the periods hold {stored}: not dropped")
    legacy.drop()
    return moved


def main() -> int:
    configure_logging(LogSettings().level)
    mongo = MongoSettings()
    client = connect(mongo, "coinstream-migrate")
    try:
        db = database(client, mongo)
        candles, raw_batches = migrate_candles(db), migrate_raw_ticks(db)
    finally:
        client.close()
    log.info("store migrated", extra={"candles": candles, "raw_batches": raw_batches})
    return 0


if __name__ == "__main__":
    sys.exit(main())
