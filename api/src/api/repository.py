"""The API's reads of the `candles` collection: public fields only, newest or oldest first.

Every query filters on a prefix of the `candle_key` index (source, symbol, interval, start)
and sorts on its next field, or sorts on the `freshness` index; nothing else is used, so
each is served by an index on MongoDB (FerretDB's SQLite backend scans either way).
Rows come back as plain dicts: they were validated when the consumer wrote them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.collection import Collection

from coinstream_common.intervals import Interval
from coinstream_common.mongo import Document

PUBLIC_FIELDS = (
    "start",
    "end",
    "open",
    "high",
    "low",
    "close",
    "mean",
    "volume",
    "vwap",
    "count",
    "trade_count",
    "final",
    "first_event_time",
    "last_event_time",
)
# Stats need the notional (sum of price x size) to give an exact VWAP over many candles.
STATS_FIELDS = (
    "start",
    "open",
    "close",
    "high",
    "low",
    "volume",
    "notional",
    "count",
    "trade_count",
)
# Pages are read in batches of this many rows: pymongo decodes each reply in one C call
# that holds the GIL, and a 1440-row reply stalled the event loop for 11-16 ms when a
# cache refresh decoded it; in batches of 100 the longest stall is about 4 ms.
PAGE_BATCH = 100
INTERVALS_FINEST_FIRST = sorted(Interval, key=lambda interval: interval.millis)


def _projection(fields: tuple[str, ...]) -> dict[str, Any]:
    return {"_id": False, **dict.fromkeys(fields, True)}


_PUBLIC = _projection(PUBLIC_FIELDS)
_STATS = _projection(STATS_FIELDS)


class CandleReader:
    def __init__(self, candles: Collection[Document]) -> None:
        self._candles = candles

    def ping(self) -> None:
        self._candles.database.command("ping")

    def page(
        self,
        source: str,
        symbol: str,
        interval: Interval,
        *,
        start: datetime,
        end: datetime,
        after: datetime | None,
        limit: int,
    ) -> list[Document]:
        """Candles whose start is in [start, end) and after `after`, oldest first."""
        lower = {"$gt": after} if after is not None and after >= start else {"$gte": start}
        query = {**_key(source, symbol, interval), "start": {**lower, "$lt": end}}
        cursor = self._candles.find(query, _PUBLIC, batch_size=PAGE_BATCH)
        return list(cursor.sort("start", ASCENDING).limit(limit))

    def newest(self, source: str, symbol: str, interval: Interval, count: int) -> list[Document]:
        """The `count` newest candles, newest first."""
        cursor = self._candles.find(_key(source, symbol, interval), _PUBLIC)
        return list(cursor.sort("start", DESCENDING).limit(count))

    def since(
        self, source: str, symbol: str, interval: Interval, start: datetime, limit: int
    ) -> list[Document]:
        """Up to `limit` of the newest candles starting at or after `start`, oldest first."""
        query = {**_key(source, symbol, interval), "start": {"$gte": start}}
        cursor = self._candles.find(query, _PUBLIC).sort("start", DESCENDING).limit(limit)
        return list(cursor)[::-1]

    def stats_rows(
        self, source: str, symbol: str, interval: Interval, start: datetime
    ) -> list[Document]:
        query = {**_key(source, symbol, interval), "start": {"$gte": start}}
        return list(self._candles.find(query, _STATS).sort("start", ASCENDING))

    def newest_finest(self, source: str, symbol: str) -> tuple[Interval, Document] | None:
        """The newest candle of the finest interval that has any."""
        for interval in INTERVALS_FINEST_FIRST:
            rows = self.newest(source, symbol, interval, 1)
            if rows:
                return interval, rows[0]
        return None

    def oldest_start(self, source: str, symbol: str, interval: Interval) -> datetime | None:
        doc = self._candles.find_one(
            _key(source, symbol, interval),
            {"_id": False, "start": True},
            sort=[("start", ASCENDING)],
        )
        return None if doc is None else doc["start"]

    def pairs(self, sources: tuple[str, ...]) -> list[tuple[str, str]]:
        """(source, symbol) pairs with candles, among `sources`."""
        present = set(self._candles.distinct("source"))
        return [
            (source, symbol)
            for source in sorted(present & set(sources))
            for symbol in sorted(self._candles.distinct("symbol", {"source": source}))
        ]

    def newest_update(self) -> datetime | None:
        """The newest tick time of any candle."""
        doc = self._candles.find_one(
            {}, {"_id": False, "last_event_time": True}, sort=[("last_event_time", DESCENDING)]
        )
        return None if doc is None else doc["last_event_time"]


def _key(source: str, symbol: str, interval: Interval) -> dict[str, str]:
    return {"source": source, "symbol": symbol, "interval": interval.value}
