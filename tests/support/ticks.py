"""Building ticks for tests."""

from __future__ import annotations

import itertools

from coinstream_common.ticks import Tick, make_tick, trade_event_id

# 2024-03-25T08:00:00Z, a minute boundary, so tests can reason about windows by hand.
T0 = 1_711_353_600_000
_ids = itertools.count()


def trade(
    price: float,
    event_time: int,
    size: float = 1.0,
    *,
    symbol: str = "BTC-USD",
    source: str = "simulated",
    event_id: str | None = None,
    backfill: bool = False,
) -> Tick:
    return make_tick(
        event_id=event_id or trade_event_id(source, symbol, next(_ids)),
        source=source,
        symbol=symbol,
        kind="trade",
        price=price,
        size=size,
        event_time=event_time,
        ingest_time=event_time + 5,
        backfill=backfill,
    )
