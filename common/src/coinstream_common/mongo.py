"""Mongo access shared by the consumer (writes) and the API (reads).

Only operations that MongoDB 7 and FerretDB both support are used: find with
filter/sort/limit, upserts with $set, and compound unique indexes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, MongoClient, ReplaceOne
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError

from coinstream_common.candles import Candle, candle_id
from coinstream_common.intervals import Interval
from coinstream_common.settings import MongoSettings

Document = dict[str, Any]
CANDLES_COLLECTION = "candles"
CANDLE_KEY = ("source", "symbol", "interval", "start")
_DUPLICATE_KEY = 11000
# Replacements sent in one command at most. FerretDB 1.x keeps each matched statement's
# query open, and a pooled connection with it, until the whole command returns: at its
# pool size (100 on SQLite, 50 by default on PostgreSQL) one command waits forever for
# itself, and every request behind it (docs/operations.md). devstack's build is patched;
# this keeps an unpatched server safe too, with room left for concurrent readers.
MAX_REPLACEMENTS_PER_COMMAND = 40


def replace_all(collection: Collection[Document], requests: Sequence[ReplaceOne[Document]]) -> None:
    """Unordered bulk replacements, in commands of `MAX_REPLACEMENTS_PER_COMMAND` at most."""
    for first in range(0, len(requests), MAX_REPLACEMENTS_PER_COMMAND):
        chunk = requests[first : first + MAX_REPLACEMENTS_PER_COMMAND]
        collection.bulk_write(list(chunk), ordered=False)


def connect(
    settings: MongoSettings,
    app_name: str,
    *,
    reply_timeout_ms: int | None = None,
    operation_timeout_ms: int | None = None,
) -> MongoClient[Document]:
    """A client whose every wait is bounded. `reply_timeout_ms` bounds each reply (a socket
    timeout), which suits the API, whose `distinct` FerretDB refuses with the `maxTimeMS`
    that `operation_timeout_ms` (pymongo's `timeoutMS`) adds; that one bounds a whole
    operation, retries included, which suits the consumer's writes."""
    return MongoClient(
        settings.uri,
        tz_aware=True,
        appname=app_name,
        serverSelectionTimeoutMS=settings.timeout_ms,
        connectTimeoutMS=settings.timeout_ms,
        socketTimeoutMS=reply_timeout_ms,
        timeoutMS=operation_timeout_ms,
    )


def database(client: MongoClient[Document], settings: MongoSettings) -> Database[Document]:
    return client[settings.database]


class CandleRepository:
    """The `candles` collection, one document per (source, symbol, interval, start)."""

    def __init__(self, db: Database[Document]) -> None:
        self._candles: Collection[Document] = db[CANDLES_COLLECTION]

    def ensure_indexes(self) -> None:
        self._candles.create_index(
            [(field, ASCENDING) for field in CANDLE_KEY], unique=True, name="candle_key"
        )
        # For find_for_restore's two branches.
        for name, field in (("partition_final", "final"), ("partition_offset", "offset")):
            self._candles.create_index([("partition", ASCENDING), (field, ASCENDING)], name=name)
        # The API's readiness check asks for the newest tick time of any candle.
        self._candles.create_index([("last_event_time", DESCENDING)], name="freshness")

    def upsert_many(self, candles: Sequence[Candle]) -> None:
        """Write candles whether or not they exist yet."""
        replace_all(
            self._candles,
            [ReplaceOne({"_id": _id}, doc, upsert=True) for _id, doc in _documents(candles)],
        )

    def insert_or_replace(self, new: Sequence[Candle], existing: Sequence[Candle]) -> None:
        """Insert candles believed new, replace the others.

        Inserts are cheap everywhere, while FerretDB's SQLite backend scans the table on
        every update; a candle that turns out to exist (a replay) is replaced instead.
        """
        collided: list[Candle] = []
        if new:
            try:
                self._candles.insert_many([doc for _, doc in _documents(new)], ordered=False)
            except BulkWriteError as error:
                failed = {
                    e["index"] for e in error.details["writeErrors"] if e["code"] == _DUPLICATE_KEY
                }
                if len(failed) < len(error.details["writeErrors"]):
                    raise
                collided = [new[i] for i in sorted(failed)]
        self.upsert_many([*existing, *collided])

    def get(self, source: str, symbol: str, interval: Interval, start: datetime) -> Candle | None:
        doc = self._candles.find_one({"_id": candle_id(source, symbol, interval, start)})
        return None if doc is None else Candle.model_validate(doc)

    def find_for_restore(
        self, partition: int, after_offset: int, series: tuple[str, str] | None = None
    ) -> list[Candle]:
        """What a consumer resumes a partition (or one series of it) from: open candles,
        and any written after `after_offset` (what its saved state covers), final or not."""
        query: Document = {
            "partition": partition,
            "$or": [{"final": False}, {"offset": {"$gt": after_offset}}],
        }
        if series is not None:
            query |= {"source": series[0], "symbol": series[1]}
        return [Candle.model_validate(doc) for doc in self._candles.find(query)]


def _documents(candles: Sequence[Candle]) -> list[tuple[str, Document]]:
    out = []
    for candle in candles:
        doc = candle.model_dump(mode="python")
        _id = candle_id(candle.source, candle.symbol, candle.interval, candle.start)
        doc["_id"] = _id
        out.append((_id, doc))
    return out
