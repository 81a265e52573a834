"""Seeding candles as the consumer writes them."""

from __future__ import annotations

import time
from collections.abc import Sequence

from pymongo.database import Database

from coinstream_common.candle_store import CandleRepository
from coinstream_common.candles import Candle
from coinstream_common.intervals import Interval
from coinstream_common.mongo import Document
from tests.support.candles import candle_series


def insert_candles(db: Database[Document], candles: Sequence[Candle]) -> None:
    CandleRepository(db).upsert_many(candles)


def recent_series(
    count: int, *, interval: Interval = Interval.M1, **kwargs: object
) -> list[Candle]:
    """`count` candles whose newest window is the current one."""
    now_ms = time.time_ns() // 1_000_000
    newest_start = now_ms // interval.millis * interval.millis
    first = newest_start - (count - 1) * interval.millis
    return candle_series(first, count, interval=interval, **kwargs)  # type: ignore[arg-type]
