"""Response models: what clients see, without the consumer's bookkeeping fields."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from coinstream_common.intervals import Interval


class CandleOut(BaseModel):
    start: datetime
    end: datetime
    open: float
    high: float
    low: float
    close: float
    mean: float
    volume: float
    vwap: float | None
    count: int
    trade_count: int
    final: bool


class CandlePage(BaseModel):
    source: str
    symbol: str
    interval: Interval
    candles: list[CandleOut]


class Health(BaseModel):
    status: str
