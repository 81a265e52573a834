"""The API's reads of candles: public fields only, a few `_id` lookups per request.

Candles sit in buckets of consecutive windows (coinstream_common/candle_buckets.py). A
read first looks up its series' document, which says where its candles start and end,
then the buckets that hold the wanted windows, one `_id` lookup each: what a request
costs follows from what it returns, not from how long the history is. Rows come back as
plain dicts: they were validated when the consumer wrote them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from pymongo.database import Database

from coinstream_common.candle_buckets import (
    BUCKETS_COLLECTION,
    SERIES_COLLECTION,
    Document,
    bucket_id,
    buckets_between,
    series_id,
    slot_fields,
)
from coinstream_common.candle_store import refuse_legacy_layout
from coinstream_common.epoch import to_epoch_ms
from coinstream_common.intervals import Interval

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
INTERVALS_FINEST_FIRST = sorted(Interval, key=lambda interval: interval.millis)


class CandleReader:
    def __init__(self, db: Database[Document]) -> None:
        self._db = db
        self._buckets = db[BUCKETS_COLLECTION]
        self._series = db[SERIES_COLLECTION]

    def ping(self) -> None:
        self._db.command("ping")

    def check_layout(self) -> None:
        """Raise LegacyLayout if the store still holds candles one document each."""
        refuse_legacy_layout(self._db)

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
        lower = (
            to_epoch_ms(after) + 1 if after is not None and after >= start else to_epoch_ms(start)
        )
        rows = self._rows(
            source, symbol, interval, first_ms=lower, last_ms=to_epoch_ms(end) - 1, limit=limit
        )
        return list(rows)

    def newest(self, source: str, symbol: str, interval: Interval, count: int) -> list[Document]:
        """The `count` newest candles, newest first."""
        return list(self._rows(source, symbol, interval, limit=count, newest=True))

    def since(
        self, source: str, symbol: str, interval: Interval, start: datetime, limit: int
    ) -> list[Document]:
        """Up to `limit` of the newest candles starting at or after `start`, oldest first."""
        rows = self._rows(
            source, symbol, interval, first_ms=to_epoch_ms(start), limit=limit, newest=True
        )
        return list(rows)[::-1]

    def stats_rows(
        self, source: str, symbol: str, interval: Interval, start: datetime
    ) -> list[Document]:
        return list(
            self._rows(source, symbol, interval, first_ms=to_epoch_ms(start), fields=STATS_FIELDS)
        )

    def newest_finest(self, source: str, symbol: str) -> tuple[Interval, Document] | None:
        """The newest candle of the finest interval that has any."""
        for interval in INTERVALS_FINEST_FIRST:
            rows = self.newest(source, symbol, interval, 1)
            if rows:
                return interval, rows[0]
        return None

    def oldest_start(self, source: str, symbol: str, interval: Interval) -> datetime | None:
        series = self._series.find_one({"_id": series_id(source, symbol, interval)})
        return None if series is None else series["first_start"]

    def pairs(self, sources: tuple[str, ...]) -> list[tuple[str, str]]:
        """(source, symbol) pairs with candles, among `sources`: a document per series."""
        found = {(doc["source"], doc["symbol"]) for doc in self._series.find({}, _PAIR)}
        return sorted(pair for pair in found if pair[0] in sources)

    def newest_update(self) -> datetime | None:
        """The newest tick time of any candle."""
        times = [doc["last_event_time"] for doc in self._series.find({}, _LAST_EVENT)]
        return max(times, default=None)

    def _rows(
        self,
        source: str,
        symbol: str,
        interval: Interval,
        *,
        first_ms: int | None = None,
        last_ms: int | None = None,
        fields: tuple[str, ...] = PUBLIC_FIELDS,
        limit: int | None = None,
        newest: bool = False,
    ) -> Iterator[Document]:
        """Candles starting in [first_ms, last_ms] (open ends: the series' own), oldest or
        newest first, up to `limit`: the series' document, then the buckets, in order."""
        series = self._series.find_one({"_id": series_id(source, symbol, interval)})
        if series is None:
            return
        low, high = to_epoch_ms(series["first_start"]), to_epoch_ms(series["last_start"])
        if first_ms is not None:
            low = max(low, first_ms)
        if last_ms is not None:
            high = min(high, last_ms)
        left = limit
        for bucket_ms in buckets_between(interval, low, high, newest_first=newest):
            bucket = self._buckets.find_one({"_id": bucket_id(source, symbol, interval, bucket_ms)})
            if bucket is None:
                continue
            slots = sorted(bucket["c"].items(), key=lambda item: int(item[0]), reverse=newest)
            for _, slot in slots:
                candle = slot_fields(slot)
                if low <= to_epoch_ms(candle["start"]) <= high:
                    yield {field: candle[field] for field in fields}
                    if left is not None:
                        left -= 1
                        if left == 0:
                            return


_PAIR = {"_id": False, "source": True, "symbol": True}
_LAST_EVENT = {"_id": False, "last_event_time": True}
