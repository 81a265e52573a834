"""Seeding candles for API and dashboard tests."""

from __future__ import annotations

from coinstream_common.candles import Candle
from coinstream_common.intervals import Interval
from consumer.accumulator import CandleAccumulator
from tests.support.ticks import trade


def candle_series(
    first_start_ms: int,
    count: int,
    *,
    interval: Interval = Interval.M1,
    source: str = "simulated",
    symbol: str = "BTC-USD",
    base_price: float = 100.0,
) -> list[Candle]:
    """`count` consecutive candles, each from two trades, the i-th closing at base + i."""
    out = []
    for i in range(count):
        start = first_start_ms + i * interval.millis
        accumulator = CandleAccumulator.of(
            trade(base_price, start + 1, size=1.0, symbol=symbol, source=source), 2 * i
        )
        accumulator.add_tick(
            trade(base_price + i, start + 2, size=1.0, symbol=symbol, source=source), 2 * i + 1
        )
        out.append(
            accumulator.to_candle(source, symbol, interval, start, final=i < count - 1, partition=0)
        )
    return out
