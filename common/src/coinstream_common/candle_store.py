"""Candles in their buckets (candle_buckets.py): written by the consumer, read by `_id`.

Only operations that MongoDB 7 and FerretDB both support, and serve without reading the
whole collection: lookups and upserts by `_id`, `$set` of a nested field, `$min`,
`$max` and `$setOnInsert`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from pymongo import UpdateOne
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import OperationFailure

from coinstream_common.candle_buckets import (
    BUCKETS_COLLECTION,
    SERIES_COLLECTION,
    Document,
    bucket_id,
    bucket_of,
    candle_of,
    series_id,
    slot_of,
    slot_value,
)
from coinstream_common.candles import Candle
from coinstream_common.epoch import to_epoch_ms
from coinstream_common.intervals import Interval
from coinstream_common.mongo import write_in_commands

NAMESPACE_EXISTS = 48  # the server's error code for a collection that exists
# Where a store written before buckets kept its candles, one document each.
LEGACY_CANDLES_COLLECTION = "candles"
WindowKey = tuple[str, str, Interval, int]  # source, symbol, interval, window start (ms)


class LegacyLayout(RuntimeError):
    """The store still holds candles one document each: migrate it first."""


def refuse_legacy_layout(db: Database[Document]) -> None:
    """Refuse a store that holds candles in the old layout: reading half of it is worse
    than not starting. One look, with no filter (a cheap query on every server)."""
    if db[LEGACY_CANDLES_COLLECTION].find_one({}, {"_id": True}) is not None:
        raise LegacyLayout(
            f"database {db.name!r} holds candles in the old one-document-per-candle layout; "
            "run `python -m consumer.migrate` once to move them into buckets"
            " (docs/operations.md, 'Candle buckets')"
        )


class CandleRepository:
    def __init__(self, db: Database[Document]) -> None:
        self.buckets: Collection[Document] = db[BUCKETS_COLLECTION]
        self.series: Collection[Document] = db[SERIES_COLLECTION]

    def ensure_collections(self) -> None:
        """Create the collections now, so that no write creates one mid-run. Consumer
        replicas start together: one that finds a collection missing may see another
        create it first, which the server then answers with NamespaceExists."""
        db = self.buckets.database
        existing = set(db.list_collection_names())
        for collection in (self.buckets, self.series):
            if collection.name not in existing:
                try:
                    db.create_collection(collection.name, check_exists=False)
                except OperationFailure as error:
                    if error.code != NAMESPACE_EXISTS:
                        raise

    def upsert_many(self, candles: Sequence[Candle]) -> None:
        """Write candles, new or not: each into its slot, and its series' bounds.
        Idempotent: writing a candle twice leaves what writing it once does."""
        slots: dict[tuple[str, str, Interval, int], Document] = defaultdict(dict)
        bounds: dict[tuple[str, str, Interval], list[Candle]] = defaultdict(list)
        for candle in candles:
            start = to_epoch_ms(candle.start)
            key = (candle.source, candle.symbol, candle.interval)
            slots[(*key, bucket_of(start, candle.interval))][
                f"c.{slot_of(start, candle.interval)}"
            ] = slot_value(candle)
            bounds[key].append(candle)
        partitions = {(c.source, c.symbol): c.partition for c in candles}
        write_in_commands(
            self.buckets,
            [
                UpdateOne(
                    {"_id": bucket_id(source, symbol, interval, bucket_ms)},
                    {
                        "$set": fields,
                        "$setOnInsert": {
                            **_header(source, symbol, interval, partitions[(source, symbol)]),
                            "start": bucket_ms,
                        },
                    },
                    upsert=True,
                )
                for (source, symbol, interval, bucket_ms), fields in slots.items()
            ],
        )
        write_in_commands(
            self.series,
            [
                UpdateOne(
                    {"_id": series_id(source, symbol, interval)},
                    {
                        "$min": {"first_start": min(c.start for c in written)},
                        "$max": {
                            "last_start": max(c.start for c in written),
                            "last_event_time": max(c.last_event_time for c in written),
                        },
                        "$setOnInsert": _header(source, symbol, interval, written[0].partition),
                    },
                    upsert=True,
                )
                for (source, symbol, interval), written in bounds.items()
            ],
        )

    def get(self, source: str, symbol: str, interval: Interval, start: datetime) -> Candle | None:
        found = self.get_many([(source, symbol, interval, to_epoch_ms(start))])
        return found[0] if found else None

    def get_many(self, windows: Iterable[WindowKey]) -> list[Candle]:
        """The stored candles of these windows (those that have one), a lookup per bucket."""
        by_bucket: dict[str, list[str]] = defaultdict(list)
        for source, symbol, interval, start in windows:
            by_bucket[bucket_id(source, symbol, interval, bucket_of(start, interval))].append(
                slot_of(start, interval)
            )
        out = []
        for _id, wanted in by_bucket.items():
            bucket = self.buckets.find_one({"_id": _id})
            if bucket is not None:
                out += [candle_of(bucket, bucket["c"][s]) for s in wanted if s in bucket["c"]]
        return out

    def all_candles(self) -> Iterator[Candle]:
        """Every stored candle (for checks and migrations, never on a hot path)."""
        for bucket in self.buckets.find():
            for slot in bucket["c"].values():
                yield candle_of(bucket, slot)


def _header(source: str, symbol: str, interval: Interval, partition: int) -> Document:
    return {"source": source, "symbol": symbol, "interval": interval.value, "partition": partition}
