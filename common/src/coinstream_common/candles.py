"""The candle: the aggregate of one (source, symbol, interval, window start)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from coinstream_common.intervals import Interval


class Candle(BaseModel):
    """A candle with the state needed to keep aggregating it after a restart.

    `open_event_id`/`close_event_id` break ties between ticks with equal event times, so
    that open and close do not depend on arrival order; `sum_price` and `notional` keep
    mean and VWAP exact to extend.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    source: str
    symbol: str
    interval: Interval
    start: datetime
    end: datetime
    open: float
    high: float
    low: float
    close: float
    mean: float
    count: int
    volume: float
    vwap: float | None
    trade_count: int
    first_event_time: datetime
    last_event_time: datetime
    final: bool
    open_event_id: str
    close_event_id: str
    sum_price: float
    notional: float
    # The Kafka partition of the series and the offset of the last tick applied to this
    # candle: a replay after a crash skips ticks the stored candle already holds.
    partition: int = 0
    offset: int = -1
