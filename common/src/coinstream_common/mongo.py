"""Mongo access shared by the consumer (writes) and the API (reads).

Only operations that MongoDB 7 and FerretDB both support are used: find with
filter/sort/limit, upserts with $set, and compound unique indexes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, MongoClient, UpdateOne
from pymongo.collection import Collection
from pymongo.database import Database

from coinstream_common.candles import Candle
from coinstream_common.intervals import Interval
from coinstream_common.settings import MongoSettings

Document = dict[str, Any]
CANDLES_COLLECTION = "candles"
CANDLE_KEY = ("source", "symbol", "interval", "start")


def connect(settings: MongoSettings, app_name: str) -> MongoClient[Document]:
    return MongoClient(
        settings.uri,
        tz_aware=True,
        appname=app_name,
        serverSelectionTimeoutMS=settings.timeout_ms,
        connectTimeoutMS=settings.timeout_ms,
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
        # The API's readiness check asks for the newest tick time of any candle.
        self._candles.create_index([("last_event_time", DESCENDING)], name="freshness")

    def upsert_many(self, candles: Sequence[Candle]) -> None:
        if not candles:
            return
        requests = [
            UpdateOne({field: doc[field] for field in CANDLE_KEY}, {"$set": doc}, upsert=True)
            for doc in (candle.model_dump(mode="python") for candle in candles)
        ]
        self._candles.bulk_write(requests, ordered=False)

    def find_range(
        self,
        source: str,
        symbol: str,
        interval: Interval,
        *,
        start: datetime,
        end: datetime,
        limit: int,
    ) -> list[Candle]:
        """Candles whose window starts in [start, end), oldest first."""
        query = {
            "source": source,
            "symbol": symbol,
            "interval": interval.value,
            "start": {"$gte": start, "$lt": end},
        }
        cursor = self._candles.find(query, {"_id": False}).sort("start", ASCENDING).limit(limit)
        return [Candle.model_validate(doc) for doc in cursor]

    def latest(self, source: str, symbol: str, interval: Interval) -> Candle | None:
        query = {"source": source, "symbol": symbol, "interval": interval.value}
        doc = self._candles.find_one(query, {"_id": False}, sort=[("start", DESCENDING)])
        return None if doc is None else Candle.model_validate(doc)

    def find_open(self, source: str, symbol: str) -> list[Candle]:
        """Candles not yet final, to restore a consumer's windows after a restart."""
        query = {"source": source, "symbol": symbol, "final": False}
        return [Candle.model_validate(doc) for doc in self._candles.find(query, {"_id": False})]
