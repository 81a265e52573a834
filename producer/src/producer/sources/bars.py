"""Backfill from an exchange's candles: each historical bar becomes four backfill trades.

An exchange's history endpoint gives bars (open, high, low, close, volume), not trades.
To rebuild candles downstream from ticks, a bar becomes four trades flagged `backfill`:
open at its start, the two extremes in the more likely order (low first in a rising bar),
close just before its end, each with a quarter of the volume, so highs, lows, closes
and volume sum up as the exchange reported them. A bar without volume had no trades and
yields none.
"""

from __future__ import annotations

from dataclasses import dataclass

from coinstream_common.ticks import trade_event_id


@dataclass(frozen=True, slots=True)
class Bar:
    start_ms: int
    span_ms: int
    open: float | None
    high: float | None
    low: float | None
    close: float | None
    volume: float | None


def bar_trades(source: str, symbol: str, bar: Bar, until_ms: int) -> list[dict[str, object]]:
    """The bar's trades; times stop before `until_ms`, so the bar still open does not put
    ticks in the future (which would push the consumer's watermark ahead of live ticks)."""
    if bar.volume is None or bar.volume <= 0 or bar.open is None or bar.close is None:
        return []
    rising = bar.close >= bar.open
    extremes = (bar.low, bar.high) if rising else (bar.high, bar.low)
    third = bar.span_ms // 3
    points = [
        ("o", bar.open, bar.start_ms),
        ("x1", extremes[0], bar.start_ms + third),
        ("x2", extremes[1], bar.start_ms + 2 * third),
        ("c", bar.close, bar.start_ms + bar.span_ms - 1),
    ]
    last = until_ms - 1
    return [
        {
            # Deterministic, so a repeated backfill is recognisable downstream.
            "event_id": trade_event_id(source, symbol, f"bar{bar.span_ms}-{bar.start_ms}-{tag}"),
            "source": source,
            "symbol": symbol,
            "kind": "trade",
            "price": price,
            "size": bar.volume / 4,
            "event_time": min(time, last),
            "ingest_time": until_ms,
            "backfill": True,
        }
        for tag, price, time in points
    ]


def in_window(bar: Bar, since_ms: int, until_ms: int) -> bool:
    return since_ms <= bar.start_ms < until_ms
