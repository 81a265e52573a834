"""Response models: what clients see, without the consumer's bookkeeping fields."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from api.stats import StatsWindow
from coinstream_common.intervals import Interval


class CandleOut(BaseModel):
    start: datetime = Field(description="Window start, inclusive")
    end: datetime = Field(description="Window end, exclusive")
    open: float
    high: float
    low: float
    close: float
    mean: float = Field(description="Mean of the tick prices")
    volume: float = Field(description="Sum of trade sizes (quotes carry none)")
    vwap: float | None = Field(description="Volume-weighted average price; null without trades")
    count: int = Field(description="Ticks in the window")
    trade_count: int
    final: bool = Field(description="True once the watermark has passed the window's end")
    first_event_time: datetime
    last_event_time: datetime


class CandlePage(BaseModel):
    source: str
    symbol: str
    interval: Interval
    start: datetime
    end: datetime
    candles: list[CandleOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` (with the same parameters) for the next page; null at the end"
    )


class SymbolOut(BaseModel):
    source: str
    symbol: str
    interval: Interval = Field(description="The finest interval with candles")
    first_candle_start: datetime
    last_candle_start: datetime


class SymbolList(BaseModel):
    symbols: list[SymbolOut]


class LatestPrice(BaseModel):
    source: str
    symbol: str
    price: float = Field(description="Close of the newest candle of the finest interval")
    time: datetime = Field(description="Event time of the tick that set the price")
    age_s: float = Field(description="Seconds from `time` to now")
    interval: Interval


class Stats(BaseModel):
    source: str
    symbol: str
    window: StatsWindow
    interval: Interval = Field(description="The candles the window was folded from")
    start: datetime
    end: datetime
    open: float
    last: float
    change_pct: float
    high: float
    low: float
    volume: float
    vwap: float | None
    count: int
    trade_count: int
    candles: int


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]
    mongo: bool
    newest_update: datetime | None = Field(description="Newest tick time of any candle")
    age_s: float | None
    reason: str | None


class ErrorMessage(BaseModel):
    detail: str


class StreamCandle(CandleOut):
    source: str
    symbol: str
    interval: Interval


class StreamPrice(BaseModel):
    source: str
    symbol: str
    price: float
    time: datetime


class AlertOut(BaseModel):
    id: str = Field(
        description="`<rule>/<subject>/<raised at, epoch ms>`; the same alert always has it"
    )
    rule: str
    kind: str = Field(description="price_move, price_cross, stale_feed or consumer_lag")
    subject: str = Field(description="`<source>/<symbol>`, or `consumer`")
    source: str | None
    symbol: str | None
    state: Literal["active", "resolved"]
    raised_at: datetime
    # Null until resolved; an active alert's document may lack them (FerretDB drops the
    # nulls of an upsert's $setOnInsert).
    resolved_at: datetime | None = None
    threshold: float = Field(description="The measure at which the rule raises (docs/alerts.md)")
    raise_value: float = Field(description="The measure when raised")
    resolve_value: float | None = Field(default=None, description="The measure when resolved")


class AlertPage(BaseModel):
    alerts: list[AlertOut] = Field(description="Newest raised first")
    next_cursor: str | None = Field(
        description="Pass as `cursor` (with the same parameters) for the next page; null at the end"
    )
