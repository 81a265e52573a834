"""A straightforward reference computation of candles, to check the streaming one against."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from coinstream_common.intervals import Interval
from coinstream_common.ticks import Tick

CandleKey = tuple[str, str, Interval, int]


def reference_candles(
    ticks: Iterable[Tick], intervals: Iterable[Interval]
) -> dict[CandleKey, dict[str, float | None]]:
    groups: dict[CandleKey, list[Tick]] = defaultdict(list)
    for tick in ticks:
        for interval in intervals:
            start = tick.event_time // interval.millis * interval.millis
            groups[(tick.source, tick.symbol, interval, start)].append(tick)
    out = {}
    for key, members in groups.items():
        ordered = sorted(members, key=lambda t: (t.event_time, t.event_id))
        prices = [t.price for t in members]
        sized = [t for t in members if t.size is not None]
        volume = sum(t.size or 0.0 for t in sized)
        out[key] = {
            "open": ordered[0].price,
            "close": ordered[-1].price,
            "high": max(prices),
            "low": min(prices),
            "mean": sum(prices) / len(prices),
            "count": len(members),
            "volume": volume,
            "vwap": sum(t.price * (t.size or 0.0) for t in sized) / volume if volume else None,
            "trade_count": len(sized),
        }
    return out
